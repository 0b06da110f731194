/* Tests for crypto/seal: fixed-size sealed records, recipients, tampering, and the
 * known-answer record in tests/vectors/. */
#include <stdio.h>
#include <stdlib.h>

#include "fsutil.h"
#include "keys.h"
#include "keys_internal.h"
#include "seal.h"
#include "secmem.h"
#include "testlib.h"
#include "vectors/vectors.h"

static char vecdir[1024];

static uint8_t *vec_read(const char *name, size_t *len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", vecdir, name);
    uint8_t *data;
    DbError err;
    if (fs_read_file(path, 1 << 20, 0, &data, len, &err) != DB_OK) {
        fprintf(stderr, "cannot read test vector: %s\n", err.msg);
        exit(1);
    }
    return data;
}

typedef struct Party {
    KeyPublic pub;
    KeySecret *sec;
} Party;

static void party_new(Party *p)
{
    DbError err;
    if (keys_generate(&p->pub, &p->sec, &err) != DB_OK) {
        fprintf(stderr, "keys_generate: %s\n", err.msg);
        exit(1);
    }
}

static uint8_t rec[SEAL_MAX_RECORD], plain[SEAL_MAX_PADDED];

static void test_sizes(void)
{
    CHECK(seal_record_size(256, 1) == 10 + 88 + 24 + 256 + 16);
    CHECK(seal_record_size(4096, 2) == 50 + 176 + 4096);
    CHECK(seal_record_size(SEAL_MAX_PADDED, SEAL_MAX_RECIPIENTS) <= SEAL_MAX_RECORD);
    CHECK(seal_record_size(256, 0) == 0);
    CHECK(seal_record_size(256, 5) == 0);
    CHECK(seal_record_size(250, 1) == 0);
    CHECK(seal_record_size(240, 1) == 0);
    CHECK(seal_record_size(SEAL_MAX_PADDED + 16, 1) == 0);
}

static void test_roundtrip_one(void)
{
    Party a;
    party_new(&a);
    DbError err;
    size_t len = 0, plen = 0;
    const char *msg = "likert=4;text=caf\xc3\xa9";
    CHECK(seal_record((const uint8_t *)msg, strlen(msg), 256, &a.pub, 1, rec, sizeof rec, &len,
                      &err) == DB_OK);
    CHECK(len == seal_record_size(256, 1));
    CHECK(memcmp(rec, "DBRS\x01\x01\x00\x00\x01\x00", 10) == 0);
    /* The recipient key id leads the slot. */
    uint8_t rid[KEYS_RECIPIENT_ID_BYTES];
    keys_recipient_id(a.pub.pk, rid);
    CHECK(memcmp(rec + 10, rid, sizeof rid) == 0);
    /* The plaintext does not appear in the record. */
    int found = 0;
    for (size_t i = 0; i + 8 <= len; i++)
        found |= memcmp(rec + i, "likert=4", 8) == 0;
    CHECK(!found);
    CHECK(seal_record_padded_size(rec, len) == 256);
    CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == strlen(msg) && memcmp(plain, msg, plen) == 0);

    /* Sealing the same plaintext twice gives different bytes (fresh key and nonce). */
    static uint8_t rec2[SEAL_MAX_RECORD];
    size_t len2 = 0;
    CHECK(seal_record((const uint8_t *)msg, strlen(msg), 256, &a.pub, 1, rec2, sizeof rec2, &len2,
                      &err) == DB_OK);
    CHECK(len2 == len && memcmp(rec + 10 + 8, rec2 + 10 + 8, len - 18) != 0);

    /* Empty plaintext, and the largest that fits (padded size - 1). */
    CHECK(seal_record(NULL, 0, 256, &a.pub, 1, rec, sizeof rec, &len, &err) == DB_OK);
    CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK && plen == 0);
    uint8_t big[255];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    big[254] = 0x80; /* looks like padding: must survive */
    CHECK(seal_record(big, 255, 256, &a.pub, 1, rec, sizeof rec, &len, &err) == DB_OK);
    CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == 255 && memcmp(plain, big, 255) == 0);
    big[254] = 0;
    CHECK(seal_record(big, 255, 256, &a.pub, 1, rec, sizeof rec, &len, &err) == DB_OK);
    CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == 255 && memcmp(plain, big, 255) == 0);
    keys_secret_free(a.sec);
}

/* The kiosk's path: the envelope (content key sealed to the recipients, nonce) is made ahead,
 * the answers are encrypted into it later; each envelope seals one record only. */
static void test_envelope(void)
{
    Party a, b;
    party_new(&a);
    party_new(&b);
    KeyPublic both[2] = {a.pub, b.pub};
    DbError err;
    SealEnvelope *env = NULL, *env2 = NULL;
    CHECK(seal_envelope_new(512, both, 2, &env, &err) == DB_OK && env != NULL);
    CHECK(seal_envelope_new(512, both, 2, &env2, &err) == DB_OK && env2 != NULL);
    const char *msg = "single=2;text=sp\xc3\xa4ter";
    static uint8_t rec2[SEAL_MAX_RECORD];
    size_t len = 0, len2 = 0, plen = 0;
    CHECK(seal_envelope_use(env, (const uint8_t *)msg, strlen(msg), rec, sizeof rec, &len,
                            &err) == DB_OK);
    CHECK(len == seal_record_size(512, 2));
    CHECK(seal_envelope_use(env2, (const uint8_t *)msg, strlen(msg), rec2, sizeof rec2, &len2,
                            &err) == DB_OK);
    /* Same answers, different envelopes: nothing but the header and key ids in common. */
    CHECK(len2 == len && memcmp(rec, rec2, 10 + 8) == 0 && memcmp(rec, rec2, len) != 0);
    CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == strlen(msg) && memcmp(plain, msg, plen) == 0);
    CHECK(seal_open(rec, len, b.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == strlen(msg) && memcmp(plain, msg, plen) == 0);
    /* A content key is never used twice: a spent envelope refuses, and writes nothing. */
    memset(rec2, 0xee, 64);
    CHECK(seal_envelope_use(env, (const uint8_t *)"x", 1, rec2, sizeof rec2, &len2, &err) ==
          DB_ESTATE);
    CHECK_STR(err.msg, "sealed record: this envelope has sealed a record already (a content "
                       "key is never used twice)");
    CHECK(len2 == 0 && rec2[0] == 0xee);
    seal_envelope_free(env);
    seal_envelope_free(env2);
    /* An error spends it too: too long for the padded size. */
    CHECK(seal_envelope_new(256, &a.pub, 1, &env, &err) == DB_OK);
    static uint8_t big[256];
    CHECK(seal_envelope_use(env, big, 256, rec, sizeof rec, &len, &err) == DB_ELIMIT);
    CHECK(seal_envelope_use(env, big, 10, rec, sizeof rec, &len, &err) == DB_ESTATE);
    seal_envelope_free(env);
    CHECK(seal_envelope_new(250, &a.pub, 1, &env, &err) == DB_EINVAL && env == NULL);
    CHECK(seal_envelope_new(256, &a.pub, 0, &env, &err) == DB_EINVAL && env == NULL);
    seal_envelope_free(NULL);
    keys_secret_free(a.sec);
    keys_secret_free(b.sec);
}

static void test_recipients(void)
{
    Party a, b, c;
    party_new(&a);
    party_new(&b);
    party_new(&c);
    KeyPublic both[2] = {a.pub, b.pub};
    DbError err;
    size_t len = 0, plen = 0;
    const char *msg = "two recipients";
    CHECK(seal_record((const uint8_t *)msg, strlen(msg), 512, both, 2, rec, sizeof rec, &len,
                      &err) == DB_OK);
    CHECK(len == seal_record_size(512, 2));
    CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == strlen(msg) && memcmp(plain, msg, plen) == 0);
    plen = 0;
    CHECK(seal_open(rec, len, b.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == strlen(msg) && memcmp(plain, msg, plen) == 0);
    memset(plain, 0x5a, 600);
    CHECK(seal_open(rec, len, c.sec, plain, sizeof plain, &plen, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);
    CHECK(plen == 0);
    for (int i = 0; i < 512; i++) /* the caller's buffer holds no partial output */
        if (plain[i] != 0 && plain[i] != 0x5a) {
            CHECK(!"plaintext buffer holds output after a failed open");
            break;
        }

    /* Slots swapped: each id now labels the other's sealed key; the header tag catches it. */
    static uint8_t swapped[SEAL_MAX_RECORD];
    memcpy(swapped, rec, len);
    memcpy(swapped + 10, rec + 98, 88);
    memcpy(swapped + 98, rec + 10, 88);
    CHECK(seal_open(swapped, len, a.sec, plain, sizeof plain, &plen, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);
    /* A slot moved into another record of the same key is useless there. */
    size_t len2 = 0;
    CHECK(seal_record((const uint8_t *)msg, strlen(msg), 512, both, 2, swapped, sizeof swapped,
                      &len2, &err) == DB_OK);
    memcpy(swapped + 10, rec + 10, 88);
    CHECK(seal_open(swapped, len2, a.sec, plain, sizeof plain, &plen, &err) == DB_EAUTH);
    CHECK(seal_open(swapped, len2, b.sec, plain, sizeof plain, &plen, &err) == DB_EAUTH);

    /* Four recipients is the most; each opens. */
    Party d;
    party_new(&d);
    KeyPublic four[5] = {a.pub, b.pub, c.pub, d.pub, d.pub};
    CHECK(seal_record((const uint8_t *)msg, strlen(msg), 256, four, 4, rec, sizeof rec, &len,
                      &err) == DB_OK);
    CHECK(seal_open(rec, len, d.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(seal_record((const uint8_t *)msg, strlen(msg), 256, four, 5, rec, sizeof rec, &len,
                      &err) == DB_EINVAL);
    CHECK_STR(err.msg, "sealed record: 5 recipients (must be 1 to 4)");
    CHECK(seal_record((const uint8_t *)msg, strlen(msg), 256, four, 0, rec, sizeof rec, &len,
                      &err) == DB_EINVAL);
    keys_secret_free(a.sec);
    keys_secret_free(b.sec);
    keys_secret_free(c.sec);
    keys_secret_free(d.sec);
}

static void test_fixed_size(void)
{
    Party a;
    party_new(&a);
    DbError err;
    static const size_t lens[] = {0, 1, 15, 16, 17, 100, 1000, 4095};
    size_t first = 0;
    uint8_t text[4095];
    memset(text, 'x', sizeof text);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = 0, plen = 0;
        CHECK(seal_record(text, lens[i], 4096, &a.pub, 1, rec, sizeof rec, &len, &err) == DB_OK);
        if (i == 0)
            first = len;
        CHECK(len == first);
        CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK);
        CHECK(plen == lens[i]);
    }
    size_t len = 0;
    CHECK(seal_record(text, 4096, 4096, &a.pub, 1, rec, sizeof rec, &len, &err) == DB_ELIMIT);
    CHECK_STR(err.msg,
              "response is 4096 bytes; a sealed record of padded size 4096 holds at most 4095");
    CHECK(len == 0);
    keys_secret_free(a.sec);
}

static void test_bad_arguments(void)
{
    Party a;
    party_new(&a);
    DbError err;
    size_t len = 0, plen = 0;
    CHECK(seal_record((const uint8_t *)"x", 1, 100, &a.pub, 1, rec, sizeof rec, &len, &err) ==
          DB_EINVAL);
    CHECK_STR(err.msg, "sealed record: padded size 100 is not a multiple of 16 in 256..65536");
    CHECK(seal_record((const uint8_t *)"x", 1, 264, &a.pub, 1, rec, sizeof rec, &len, &err) ==
          DB_EINVAL);
    CHECK(seal_record((const uint8_t *)"x", 1, SEAL_MAX_PADDED + 16, &a.pub, 1, rec, sizeof rec,
                      &len, &err) == DB_EINVAL);
    CHECK(seal_record((const uint8_t *)"x", 1, SEAL_MAX_PADDED, &a.pub, 1, rec, sizeof rec, &len,
                      &err) == DB_OK);
    CHECK(len == seal_record_size(SEAL_MAX_PADDED, 1));
    /* An output buffer one byte short. */
    CHECK(seal_record((const uint8_t *)"x", 1, 256, &a.pub, 1, rec, seal_record_size(256, 1) - 1,
                      &len, &err) == DB_ELIMIT);
    CHECK_STR(err.msg, "sealed record: 394 bytes needed, buffer holds 393");

    /* Opening into a buffer smaller than the padded size (locked scratch memory), and into
     * one smaller than the plaintext. */
    CHECK(seal_record((const uint8_t *)"hello", 5, 256, &a.pub, 1, rec, sizeof rec, &len, &err) ==
          DB_OK);
    uint8_t small[8];
    CHECK(seal_open(rec, len, a.sec, small, sizeof small, &plen, &err) == DB_OK);
    CHECK(plen == 5 && memcmp(small, "hello", 5) == 0);
    CHECK(seal_open(rec, len, a.sec, small, 4, &plen, &err) == DB_ELIMIT);
    CHECK_STR(err.msg, "sealed record: plaintext is 5 bytes, buffer holds 4");
    CHECK(plen == 0);
    /* An all-zero (low-order) public key cannot be sealed to. */
    KeyPublic zero;
    memset(&zero, 0, sizeof zero);
    CHECK(seal_record((const uint8_t *)"x", 1, 256, &zero, 1, rec, sizeof rec, &len, &err) ==
          DB_EINVAL);
    CHECK_STR(err.msg, "sealed record: recipient 1's public key is unusable");
    keys_secret_free(a.sec);
}

static void expect_format(const uint8_t *r, size_t len, const KeySecret *sec, const char *msg)
{
    DbError err;
    size_t plen = 1;
    CHECK(seal_open(r, len, sec, plain, sizeof plain, &plen, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, msg);
    CHECK(plen == 0);
}

static void test_structure_errors(void)
{
    Party a;
    party_new(&a);
    DbError err;
    size_t len = 0;
    CHECK(seal_record((const uint8_t *)"abc", 3, 256, &a.pub, 1, rec, sizeof rec, &len, &err) ==
          DB_OK);
    static uint8_t r[SEAL_MAX_RECORD];
    expect_format(rec, 9, a.sec, "sealed record: 9 bytes, shorter than its header");
    expect_format(rec, 0, a.sec, "sealed record: 0 bytes, shorter than its header");
    memcpy(r, rec, len);
    r[0] = 'X';
    expect_format(r, len, a.sec, "sealed record: offset 0: bad magic (expected \"DBRS\")");
    memcpy(r, rec, len);
    r[4] = 7;
    expect_format(r, len, a.sec, "sealed record: offset 4: unknown version 7");
    CHECK(seal_record_padded_size(r, len) == 0);
    memcpy(r, rec, len);
    r[5] = 0;
    expect_format(r, len, a.sec, "sealed record: offset 5: recipient count 0 (must be 1 to 4)");
    r[5] = 5;
    expect_format(r, len, a.sec, "sealed record: offset 5: recipient count 5 (must be 1 to 4)");
    r[5] = 2;
    expect_format(r, len, a.sec,
                  "sealed record: 394 bytes, expected 482 for 2 recipient(s) and padded size 256");
    memcpy(r, rec, len);
    r[9] = 0x08; /* 264: not a multiple of 16 */
    expect_format(r, len, a.sec,
                  "sealed record: offset 6: padded size 264 is not a multiple of 16 in 256..65536");
    CHECK(seal_record_padded_size(r, len) == 0);
    r[9] = 0x10; /* 272: valid, but the record is too short for it */
    expect_format(r, len, a.sec,
                  "sealed record: 394 bytes, expected 410 for 1 recipient(s) and padded size 272");
    memcpy(r, rec, len);
    r[len] = 0;
    expect_format(r, len + 1, a.sec,
                  "sealed record: 395 bytes, expected 394 for 1 recipient(s) and padded size 256");
    CHECK(seal_record_padded_size((const uint8_t *)"DBRS", 4) == 0);
    keys_secret_free(a.sec);
}

/* Every single-byte change and every truncation of a two-recipient record fails, for both
 * recipients, with DB_EAUTH (one message) or DB_EFORMAT; never success, never a crash. */
static void test_tamper(void)
{
    Party a, b;
    party_new(&a);
    party_new(&b);
    KeyPublic both[2] = {a.pub, b.pub};
    DbError err;
    size_t len = 0;
    CHECK(seal_record((const uint8_t *)"tamper me", 9, 256, both, 2, rec, sizeof rec, &len, &err) ==
          DB_OK);
    static uint8_t r[SEAL_MAX_RECORD];
    static const uint8_t flips[] = {0x01, 0x80, 0xff};
    int ok = 0, auth = 0, format = 0, other = 0, bad_msg = 0;
    for (size_t i = 0; i < len; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(r, rec, len);
            r[i] ^= flips[f];
            for (int who = 0; who < 2; who++) {
                size_t plen = 0;
                int rc = seal_open(r, len, who ? b.sec : a.sec, plain, sizeof plain, &plen, &err);
                if (rc == DB_OK)
                    ok++;
                else if (rc == DB_EAUTH)
                    auth++, bad_msg += strcmp(err.msg, DBERR_AUTH_MSG) != 0;
                else if (rc == DB_EFORMAT)
                    format++;
                else
                    other++;
            }
        }
    }
    CHECK(ok == 0);
    CHECK(other == 0);
    CHECK(bad_msg == 0);
    CHECK(format == 2 * 3 * 10); /* exactly the 10 header bytes are structural */
    CHECK(auth == (int)(2 * 3 * (len - 10)));
    for (size_t n = 0; n < len; n++) {
        size_t plen = 0;
        CHECK(seal_open(rec, n, a.sec, plain, sizeof plain, &plen, &err) == DB_EFORMAT);
    }
    size_t plen = 0;
    CHECK(seal_open(rec, len, a.sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == 9 && memcmp(plain, "tamper me", 9) == 0);
    keys_secret_free(a.sec);
    keys_secret_free(b.sec);
}

static void test_vector_record(void)
{
    /* The recipient key id, computed independently (Python hashlib.blake2b). */
    uint8_t pk[KEY_PUBLIC_BYTES], rid[KEYS_RECIPIENT_ID_BYTES];
    for (int i = 0; i < 32; i++)
        pk[i] = (uint8_t)i;
    keys_recipient_id(pk, rid);
    CHECK(memcmp(rid, "\xf5\xc8\xc0\x23\x23\x69\x27\xbf", 8) == 0);

    char path[2048];
    snprintf(path, sizeof path, "%s/%s", vecdir, VEC_ANALYST_KEY);
    KeySecret *sec = NULL;
    DbError err;
    CHECK(keys_secret_read(path, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &sec, &err) == DB_OK);
    if (!sec)
        return;
    size_t len, plen = 0;
    uint8_t *r = vec_read(VEC_RECORD, &len);
    CHECK(len == seal_record_size(VEC_PADDED, 1));
    CHECK(seal_record_padded_size(r, len) == VEC_PADDED);
    KeyPublic pub;
    keys_secret_public(sec, &pub);
    keys_recipient_id(pub.pk, rid);
    CHECK(memcmp(r + 10, rid, sizeof rid) == 0);
    CHECK(seal_open(r, len, sec, plain, sizeof plain, &plen, &err) == DB_OK);
    CHECK(plen == strlen(VEC_PLAINTEXT) && memcmp(plain, VEC_PLAINTEXT, plen) == 0);
    /* its record id (docs/FORMAT.md, "Record id"; computed with Python's hashlib) */
    uint8_t id[SEAL_RECORD_ID_BYTES], id2[SEAL_RECORD_ID_BYTES];
    CHECK(seal_record_id(r, len, id, &err) == DB_OK);
    CHECK(memcmp(id, "\x8c\x61\x9f\x3e\x2d\x74\x97\x66\x44\xad\xd3\xa3\x4a\xd0\x82\x51"
                     "\xca\x75\x7c\x4d\x99\x87\x1e\xc4\x70\xc3\x6f\xbe\x75\x6b\x57\xba",
                 sizeof id) == 0);
    /* the id covers the header, slots and nonce; a malformed record has none */
    r[len - 20] ^= 1; /* in the ciphertext: same id (that record no longer opens) */
    CHECK(seal_record_id(r, len, id2, &err) == DB_OK && memcmp(id, id2, sizeof id) == 0);
    r[len - 20] ^= 1;
    r[40] ^= 1; /* in the slot: another id */
    CHECK(seal_record_id(r, len, id2, &err) == DB_OK && memcmp(id, id2, sizeof id) != 0);
    r[40] ^= 1;
    CHECK(seal_record_id(r, len - 1, id2, &err) == DB_EFORMAT);
    r[len - 1] ^= 1;
    CHECK(seal_open(r, len, sec, plain, sizeof plain, &plen, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);
    free(r);
    keys_secret_free(sec);
}

int main(void)
{
    if (secmem_init() != 0) {
        fprintf(stderr, "libsodium cannot be initialized\n");
        return 1;
    }
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(vecdir, sizeof vecdir, "%s/tests/vectors", src ? src : "..");
    RUN(test_sizes);
    RUN(test_roundtrip_one);
    RUN(test_envelope);
    RUN(test_recipients);
    RUN(test_fixed_size);
    RUN(test_bad_arguments);
    RUN(test_structure_errors);
    RUN(test_tamper);
    RUN(test_vector_record);
    return test_report();
}
