/* test_batch: batch files and acknowledgements: round trips, known-answer vectors, every
 * byte flipped, every truncation, the recipients a batch names, forged and foreign
 * acknowledgements, exact messages.
 *
 * The vectors tests/vectors/batch-1.dbb (version 1), batch-2.dbb (version 2) and ack-1.dba
 * are signed with the committed kiosk identity (kiosk.id) and analyst key (analyst.key);
 * Ed25519 is deterministic, so building batch-2.dbb and ack-1.dba again must give the same
 * bytes. A difference keeps the bytes built for tools/regen-golden, which rewrites the vectors
 * (then update the hex in docs/FORMAT.md); batch-1.dbb, which no writer makes any more, is
 * only read. tests/vectors/check_vectors.py reads them independently. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "fsutil.h"
#include "keys.h"
#include "seal.h"
#include "secmem.h"
#include "testlib.h"
#include "vectors/vectors.h"

#define VEC_BATCH VEC_BATCH1

static char vecdir[1024];
static char tmpdir[256];
static KeyIdentity *g_kiosk;   /* the vector kiosk identity */
static KeySecret *g_analyst;   /* the vector analyst key */
static KeyIdentity *g_other;   /* a fresh, unrelated kiosk */
static KeySecret *g_mallory;   /* a fresh, unrelated analyst */
static KeyPublic g_apub, g_mpub; /* their public keys */
static uint8_t *g_record;        /* record-1.bin: sealed to g_apub */
static size_t g_record_len;
#define N_RECS 10
static uint8_t *g_recs[N_RECS]; /* sealed once (sealing is random), reused by build_multi */
static size_t g_recs_len[N_RECS];

static void vec_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", vecdir, name);
}

static uint8_t *read_vec(const char *name, size_t *len)
{
    char path[1100];
    vec_path(path, sizeof path, name);
    uint8_t *d = NULL;
    DbError err;
    if (fs_read_file(path, 1 << 20, 0, &d, len, &err) != DB_OK) {
        fprintf(stderr, "cannot read test vector: %s\n", err.msg);
        exit(1);
    }
    return d;
}

static void setup(void)
{
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(vecdir, sizeof vecdir, "%s/tests/vectors", src ? src : "..");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/debrief-test-batch-%d", (int)getpid());
    DbError err;
    if (fs_mkdir_p(tmpdir, 0700, &err) != DB_OK)
        exit(1);
    /* git does not keep mode 0600, which the identity loader insists on: copy it. */
    size_t len;
    uint8_t *id = read_vec(VEC_KIOSK_ID, &len);
    char path[512];
    snprintf(path, sizeof path, "%s/kiosk.id", tmpdir);
    int created = 0;
    if (fs_write_atomic(path, id, len, 0600, &err) != DB_OK ||
        keys_identity_load_or_create(path, &g_kiosk, &created, &err) != DB_OK || created) {
        fprintf(stderr, "kiosk identity vector: %s\n", err.msg);
        exit(1);
    }
    free(id);
    snprintf(path, sizeof path, "%s/other.id", tmpdir);
    char keypath[1100];
    vec_path(keypath, sizeof keypath, VEC_ANALYST_KEY);
    KeyPublic pub;
    if (keys_identity_load_or_create(path, &g_other, &created, &err) != DB_OK ||
        keys_secret_read(keypath, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &g_analyst, &err) !=
            DB_OK ||
        keys_generate(&pub, &g_mallory, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        exit(1);
    }
    keys_secret_public(g_analyst, &g_apub);
    keys_secret_public(g_mallory, &g_mpub);
    g_record = read_vec(VEC_RECORD, &g_record_len);
    /* Ten records of sizes 394 + 16i: the analyst's; every third also to Mallory. */
    for (int i = 0; i < N_RECS; i++) {
        KeyPublic to[2] = {g_apub, g_mpub};
        int n = i % 3 == 2 ? 2 : 1;
        size_t padded = 256 + 16 * (size_t)i;
        g_recs[i] = malloc(seal_record_size(padded, n));
        uint8_t plain[8];
        memset(plain, 'a' + i, sizeof plain);
        if (!g_recs[i] || seal_record(plain, sizeof plain, padded, to, n, g_recs[i],
                                      seal_record_size(padded, n), &g_recs_len[i],
                                      &err) != DB_OK) {
            fprintf(stderr, "setup: %s\n", err.msg);
            exit(1);
        }
    }
}

static void teardown(void)
{
    for (int i = 0; i < N_RECS; i++)
        free(g_recs[i]);
    free(g_record);
    keys_identity_free(g_kiosk);
    keys_identity_free(g_other);
    keys_secret_free(g_analyst);
    keys_secret_free(g_mallory);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

static BatchSession session(const char *label, const char *date, const char *survey,
                            uint32_t version)
{
    BatchSession s;
    memset(&s, 0, sizeof s);
    snprintf(s.label, sizeof s.label, "%s", label);
    snprintf(s.date, sizeof s.date, "%s", date);
    snprintf(s.survey_id, sizeof s.survey_id, "%s", survey);
    s.survey_version = version;
    return s;
}

/* The known-answer batch-2.dbb: batch 1 of the vector kiosk, one session, record-1.bin,
 * the analyst key named. */
static int build_vector_batch(uint8_t **out, size_t *len, uint8_t hash[BATCH_HASH_BYTES])
{
    uint8_t zero[BATCH_HASH_BYTES] = {0};
    BatchBuilder *b = NULL;
    DbError err;
    uint32_t s0;
    BatchSession s = session(VEC_BATCH_LABEL, VEC_BATCH_DATE, VEC_BATCH_SURVEY, 1);
    int rc = batch_builder_new(1, zero, &b, &err);
    if (rc == DB_OK)
        rc = batch_builder_add_session(b, &s, &s0, &err);
    if (rc == DB_OK)
        rc = batch_builder_add_record(b, s0, g_record, g_record_len, &err);
    if (rc == DB_OK)
        rc = batch_builder_add_key(b, &g_apub, &err);
    if (rc == DB_OK)
        rc = batch_builder_finish(b, g_kiosk, out, len, hash, &err);
    if (rc != DB_OK)
        fprintf(stderr, "build_vector_batch: %s\n", err.msg);
    batch_builder_free(b);
    return rc;
}

/* A batch with three sessions and the ten records g_recs, in a chosen order; the analyst's
 * key is named, Mallory's (every third record) only by its id unless name_mallory. */
static int build_multi_keys(const KeyIdentity *id, uint64_t number, const uint8_t prev[32],
                            int name_mallory, uint8_t **out, size_t *len,
                            uint8_t hash[BATCH_HASH_BYTES])
{
    BatchBuilder *b = NULL;
    DbError err;
    int rc = batch_builder_new(number, prev, &b, &err);
    uint32_t idx[3];
    BatchSession ss[3] = {session("Group 1", "2024-05-13", "ccdg", 1),
                          session("Gruppe 2 (Zürich)", "2024-05-14", "ccdg", 1),
                          session("G3", "2024-06-01", "other_survey", 7)};
    for (int i = 0; i < 3 && rc == DB_OK; i++)
        rc = batch_builder_add_session(b, &ss[i], &idx[i], &err);
    static const int order[N_RECS] = {2, 0, 1, 1, 0, 2, 0, 1, 0, 0};
    for (int i = 0; i < N_RECS && rc == DB_OK; i++)
        rc = batch_builder_add_record(b, idx[order[i]], g_recs[i], g_recs_len[i], &err);
    if (rc == DB_OK)
        rc = batch_builder_add_key(b, &g_apub, &err);
    if (rc == DB_OK && name_mallory)
        rc = batch_builder_add_key(b, &g_mpub, &err);
    if (rc == DB_OK)
        rc = batch_builder_finish(b, id, out, len, hash, &err);
    if (rc != DB_OK)
        fprintf(stderr, "build_multi: %s\n", err.msg);
    batch_builder_free(b);
    return rc;
}

static int build_multi(const KeyIdentity *id, uint64_t number, const uint8_t prev[32],
                       uint8_t **out, size_t *len, uint8_t hash[BATCH_HASH_BYTES])
{
    return build_multi_keys(id, number, prev, 1, out, len, hash);
}

/* Signs data (a whole batch, signature included) again with the vector kiosk, as a kiosk
 * would have signed these bytes: for batches whose content is wrong but authentic. */
static void resign(uint8_t *data, size_t len)
{
    BatchDigest *d = batch_digest_new();
    uint8_t msg[16 + BATCH_DIGEST_BYTES];
    memcpy(msg, "Debrief batch v1", 16);
    batch_digest_update(d, data, len - 64);
    batch_digest_final(d, msg + 16);
    batch_digest_free(d);
    keys_identity_sign(g_kiosk, msg, sizeof msg, data + len - 64);
}

static void hex_of(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void test_round_trip(void)
{
    uint8_t zero[32] = {0}, hash[32], hash2[32];
    uint8_t *data = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    CHECK(build_multi(g_kiosk, 1, zero, &data, &len, hash) == DB_OK);
    CHECK(build_multi(g_kiosk, 1, zero, &again, &len2, hash2) == DB_OK);
    CHECK(len == len2 && memcmp(data, again, len) == 0); /* deterministic */
    CHECK(memcmp(hash, hash2, 32) == 0);
    Batch b;
    DbError err;
    CHECK(batch_parse("t.dbb", data, len, &b, &err) == DB_OK);
    uint8_t pk[32];
    keys_identity_public(g_kiosk, pk);
    CHECK(memcmp(b.kiosk_pk, pk, 32) == 0);
    CHECK(b.number == 1 && memcmp(b.prev_hash, zero, 32) == 0);
    CHECK(memcmp(b.hash, hash, 32) == 0);
    uint8_t h[32];
    batch_hash(data, len, h);
    CHECK(memcmp(h, hash, 32) == 0);
    CHECK(b.n_sessions == 3 && b.n_records == 10);
    CHECK_STR(b.sessions[1].label, "Gruppe 2 (Zürich)");
    CHECK_STR(b.sessions[2].survey_id, "other_survey");
    CHECK_STR(b.sessions[2].date, "2024-06-01");
    CHECK(b.sessions[2].survey_version == 7);
    CHECK(b.sessions[0].count == 5 && b.sessions[1].count == 3 && b.sessions[2].count == 2);
    static const int order[10] = {2, 0, 1, 1, 0, 2, 0, 1, 0, 0};
    int ok = 1;
    for (int i = 0; i < 10; i++) {
        ok &= b.records[i].session == (uint32_t)order[i];
        ok &= b.records[i].len == g_recs_len[i];
        ok &= memcmp(b.records[i].data, g_recs[i], g_recs_len[i]) == 0;
    }
    CHECK(ok);
    /* Both keys the records are sealed to, ascending by key id, named in full. */
    uint8_t aid[KEY_ID_BYTES], mid[KEY_ID_BYTES];
    keys_public_id(&g_apub, aid);
    keys_public_id(&g_mpub, mid);
    const KeyPublic *lo = memcmp(aid, mid, KEY_ID_BYTES) < 0 ? &g_apub : &g_mpub;
    const KeyPublic *hi = lo == &g_apub ? &g_mpub : &g_apub;
    CHECK(b.version == 2 && b.n_recipients == 2);
    CHECK(b.n_recipients == 2 && b.recipients[0].known && b.recipients[1].known &&
          memcmp(&b.recipients[0].key, lo, sizeof *lo) == 0 &&
          memcmp(&b.recipients[1].key, hi, sizeof *hi) == 0);
    batch_free(&b);

    /* Chained: batch 2 names batch 1's hash. */
    uint8_t *d2 = NULL;
    size_t l2 = 0;
    uint8_t hash3[32];
    CHECK(build_multi(g_kiosk, 2, hash, &d2, &l2, hash3) == DB_OK);
    CHECK(batch_parse("t2.dbb", d2, l2, &b, &err) == DB_OK);
    CHECK(b.number == 2 && memcmp(b.prev_hash, hash, 32) == 0);
    batch_free(&b);
    free(d2);
    free(data);
    free(again);
}

static void test_builder_refuses(void)
{
    uint8_t zero[32] = {0}, nz[32];
    memset(nz, 7, sizeof nz);
    BatchBuilder *b = NULL;
    DbError err;
    CHECK(batch_builder_new(0, zero, &b, &err) == DB_EINVAL && b == NULL);
    CHECK(batch_builder_new(1, nz, &b, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "batch 1 must have an all-zero previous hash");
    CHECK(batch_builder_new(2, zero, &b, &err) == DB_EINVAL);
    CHECK(batch_builder_new(1, zero, &b, &err) == DB_OK);
    uint32_t idx;
    BatchSession s = session("G", "2024-13-01", "ccdg", 1);
    CHECK(batch_builder_add_session(b, &s, &idx, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "batch session 0: session date 2024-13-01 is not a day of the calendar");
    s = session("G", "2024-01-01", "CCDG", 1);
    CHECK(batch_builder_add_session(b, &s, &idx, &err) == DB_EINVAL);
    s = session("G", "2024-01-01", "ccdg", 1);
    CHECK(batch_builder_add_session(b, &s, &idx, &err) == DB_OK && idx == 0);
    CHECK(batch_builder_add_record(b, 1, (const uint8_t *)"x", 1, &err) == DB_EINVAL);
    CHECK(batch_builder_add_record(b, 0, (const uint8_t *)"x", 0, &err) == DB_ELIMIT);
    /* Only sealed records: a batch names who can read them. */
    CHECK(batch_builder_add_record(b, 0, (const uint8_t *)"xyz", 3, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "record 0 is not a sealed response record");
    CHECK(batch_builder_add_record(b, 0, g_record, g_record_len - 1, &err) == DB_EINVAL);
    /* A degenerate key cannot be named. */
    KeyPublic weak = g_apub;
    memset(weak.pk, 0, sizeof weak.pk);
    CHECK(batch_builder_add_key(b, &weak, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "a batch cannot name a degenerate public key");
    uint8_t *out = NULL;
    size_t len;
    uint8_t h[32];
    CHECK(batch_builder_finish(b, g_kiosk, &out, &len, h, &err) == DB_EINVAL && out == NULL);
    CHECK_STR(err.msg, "batch session 0 has no records");
    batch_builder_free(b);
    batch_builder_free(NULL);
}

/* Every single-byte change and every truncation of a small batch fails to parse. */
static void tamper_and_truncate(const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len + 1);
    Batch b;
    DbError err;
    int flips_caught = 1, auth = 0, fmt = 0;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(copy, data, len);
            copy[i] ^= (uint8_t)(1u << bit);
            int rc = batch_parse("t.dbb", copy, len, &b, &err);
            if (rc == DB_OK) {
                flips_caught = 0;
                fprintf(stderr, "flip at %zu bit %d not caught\n", i, bit);
                batch_free(&b);
            }
            auth += rc == DB_EAUTH;
            fmt += rc == DB_EFORMAT;
        }
    }
    CHECK(flips_caught);
    CHECK(auth > 0 && fmt > 0); /* both kinds of check were exercised */
    int truncs_caught = 1;
    for (size_t n = 0; n < len; n++) {
        int rc = batch_parse("t.dbb", data, n, &b, &err);
        if (rc != DB_EFORMAT) {
            truncs_caught = 0;
            fprintf(stderr, "truncation to %zu not caught (rc %d)\n", n, rc);
        }
    }
    CHECK(truncs_caught);
    memcpy(copy, data, len);
    copy[len] = 0;
    CHECK(batch_parse("t.dbb", copy, len + 1, &b, &err) == DB_EFORMAT);
    char want[128];
    snprintf(want, sizeof want, "t.dbb: offset %zu: 1 unexpected bytes after the signature",
             len);
    CHECK_STR(err.msg, want);
    free(copy);
}

static void test_tamper_and_truncate(void)
{
    size_t len;
    uint8_t *v1 = read_vec(VEC_BATCH1, &len);
    tamper_and_truncate(v1, len);
    free(v1);
    uint8_t *v2 = read_vec(VEC_BATCH2, &len);
    tamper_and_truncate(v2, len);
    free(v2);
}

/* Framing messages, on the version 1 vector (the framing is the same in version 2). */
static void test_parse_messages(void)
{
    size_t len = 0;
    uint8_t *data = read_vec(VEC_BATCH1, &len);
    Batch b;
    DbError err;
    /* Layout of the vector: header 77, session count 2, session 1+7+10+1+4+8 = 31,
     * record count 4 (offset 110), record 0 at 114 (6 + 3), record 1 at 123 (6 + 1),
     * signature at 130, total 194. */
    CHECK(len == 194);
    CHECK(batch_parse("b.dbb", (const uint8_t *)"nope", 4, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 0: not a Debrief batch file (expected \"DBRB\")");
    CHECK(batch_parse("b.dbb", data, 3, &b, &err) == DB_EFORMAT);
    CHECK(batch_parse("b.dbb", data, 120, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 110: 2 records cannot fit in the rest of the file: the "
                       "file is truncated");
    CHECK(batch_parse("b.dbb", data, 128, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 123: record 1 runs past the end of the file (6 bytes "
                       "needed, 5 left): the file is truncated");
    CHECK(batch_parse("b.dbb", data, 150, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 130: the signature is cut off (20 of 64 bytes): the file "
                       "is truncated");
    uint8_t *c = malloc(len);
    memcpy(c, data, len);
    c[4] = 3;
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 4: unsupported batch version 3 (this Debrief reads "
                       "versions 1 and 2)");
    memcpy(c, data, len);
    c[113] = 3; /* record count 3, sessions say 2 */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 110: record count 3 does not match the sessions' total of 2");
    memcpy(c, data, len);
    c[115] = 1; /* record 0 names session 1 */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 114: record 0 names session 1, but the batch has 1");
    memcpy(c, data, len);
    c[160] ^= 1; /* inside the signature */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EAUTH);
    CHECK_STR(err.msg, "b.dbb: signature does not verify: the batch was altered or is not from "
                       "this kiosk");
    memcpy(c, data, len);
    c[10] ^= 1; /* kiosk key */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EAUTH);
    /* A hostile record count cannot make the parser allocate for it. */
    memcpy(c, data, len);
    c[107] = c[108] = 0xff; /* session count 0xffff... count field of session 0 */
    c[110] = 0x00;
    c[111] = 0x0f;
    c[112] = 0x42;
    c[113] = 0x40;
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    free(c);
    free(data);
}

/* The version 1 vector still reads: its records are not sealed records, so it names no
 * recipient. */
static void test_known_answer_batch_v1(void)
{
    size_t vlen;
    uint8_t *vec = read_vec(VEC_BATCH1, &vlen);
    DbError err;
    Batch b;
    CHECK(batch_parse(VEC_BATCH1, vec, vlen, &b, &err) == DB_OK);
    CHECK(b.version == 1 && b.number == 1 && b.n_sessions == 1 && b.n_records == 2);
    CHECK_STR(b.sessions[0].label, "Group 2");
    CHECK(b.records[0].len == 3 && b.records[1].len == 1 && b.records[1].data[0] == 0xff);
    CHECK(b.n_recipients == 0);
    char hex[65];
    hex_of(b.hash, 32, hex);
    CHECK_STR(hex, "a81a82c35bf18282de5ebdbf88a1f40c693fbc7435e3b7e94d72f2b99e62877d");
    char fp[KEY_FINGERPRINT_SIZE], want[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(b.kiosk_pk, 32, fp);
    uint8_t pk[32];
    keys_identity_public(g_kiosk, pk);
    keys_fingerprint(pk, 32, want);
    CHECK_STR(fp, want);
    batch_free(&b);
    free(vec);
}

static void test_known_answer_batch_v2(void)
{
    uint8_t *data = NULL, hash[32];
    size_t len = 0;
    CHECK(build_vector_batch(&data, &len, hash) == DB_OK);
    size_t vlen;
    uint8_t *vec = read_vec(VEC_BATCH2, &vlen);
    CHECK(vlen == 651 && vlen == len && memcmp(vec, data, len) == 0);
    if (vlen != len || memcmp(vec, data, len) != 0)
        test_keep_actual("tests/vectors/" VEC_BATCH2, NULL, data, len);
    DbError err;
    Batch b;
    CHECK(batch_parse(VEC_BATCH2, vec, vlen, &b, &err) == DB_OK);
    CHECK(b.version == 2 && b.number == 1 && b.n_sessions == 1 && b.n_records == 1);
    CHECK(memcmp(b.hash, hash, 32) == 0);
    char hex[65];
    hex_of(b.hash, 32, hex);
    CHECK_STR(hex, "734920389c7594ddfd7f07261a6515e9334f967f2b6d749469f8ce414561d768");
    CHECK(b.records[0].len == g_record_len &&
          memcmp(b.records[0].data, g_record, g_record_len) == 0);
    CHECK(b.n_recipients == 1 && b.recipients[0].known &&
          memcmp(&b.recipients[0].key, &g_apub, sizeof g_apub) == 0);
    hex_of(b.recipients[0].id, KEY_ID_BYTES, hex);
    CHECK_STR(hex, "b3f312a766da4480");
    char fp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&b.recipients[0].key, fp);
    CHECK_STR(fp, "QPR4-6NCE-0CRC-GHR9");
    batch_free(&b);
    free(vec);
    free(data);
}

static void test_known_answer_ack(void)
{
    size_t blen;
    uint8_t *batch = read_vec(VEC_BATCH1, &blen), hash[32];
    batch_hash(batch, blen, hash);
    uint8_t pk[32];
    keys_identity_public(g_kiosk, pk);
    AckEntry e = {.number = 1};
    memcpy(e.hash, hash, 32);
    uint8_t *data = NULL;
    size_t len = 0;
    DbError err;
    CHECK(ack_build(pk, &e, 1, g_analyst, &data, &len, &err) == DB_OK);
    CHECK(len == 73 + 40 + 64);
    size_t vlen;
    uint8_t *vec = read_vec(VEC_ACK, &vlen);
    CHECK(vlen == len && memcmp(vec, data, len) == 0);
    if (vlen != len || memcmp(vec, data, len) != 0)
        test_keep_actual("tests/vectors/" VEC_ACK, NULL, data, len);
    Ack a;
    CHECK(ack_parse(VEC_ACK, vec, vlen, g_apub.sign_pk, &a, &err) == DB_OK);
    CHECK(a.n_entries == 1 && a.entries[0].number == 1 && memcmp(a.entries[0].hash, hash, 32) == 0);
    CHECK(memcmp(a.kiosk_pk, pk, 32) == 0 && memcmp(a.analyst_pk, g_apub.sign_pk, 32) == 0);
    ack_free(&a);
    free(vec);
    free(data);
    free(batch);
}

/* The recipients section of batch-2.dbb: header 77, session count 2, session 31 (offset 79),
 * record count 4 (110), record 0 at 114 (6 + 394), recipient count at 514, recipient 0 at
 * 515 (id 8, X25519 key 32, Ed25519 key 32), signature at 587, total 651. Its framing is
 * checked before the signature; what it says, after (a changed byte that leaves the framing
 * readable is "signature does not verify"); content errors are reached by re-signing. */
static void test_recipients_section(void)
{
    size_t len;
    uint8_t *vec = read_vec(VEC_BATCH2, &len);
    uint8_t *c = malloc(len);
    Batch b;
    DbError err;
    char want[300], hex[17];
    CHECK(len == 651 && vec[514] == 1);
    CHECK(batch_parse("b.dbb", vec, 540, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 515: the recipients section runs past the end of the file "
                       "(72 bytes needed, 25 left): the file is truncated");
    memcpy(c, vec, len);
    c[514] = 0;
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 514: recipient count 0 is not within 1..64");
    c[514] = 65;
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 514: recipient count 65 is not within 1..64");
    /* Anything else changed: the signature says so, whatever it would mean. */
    for (size_t off = 515; off < 587; off += 9) {
        memcpy(c, vec, len);
        c[off] ^= 0x20;
        CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EAUTH);
    }
    memcpy(c, vec, len);
    c[120] ^= 0x01; /* the record's magic: no longer a sealed record, but not the kiosk's */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EAUTH);

    /* Authentic but wrong: a faulty writer. */
    c[120] = 'X';
    resign(c, len);
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 114: record 0 is not a sealed response record");
    memcpy(c, vec, len);
    c[515] ^= 0x01; /* the listed id no longer that of the key beside it */
    resign(c, len);
    hex_of(c + 515, 8, hex);
    snprintf(want, sizeof want,
             "b.dbb: offset 515: recipient 0: key id %s is not that of the public key next to "
             "it",
             hex);
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, want);
    memset(c + 523, 0, 64); /* ... and no key: an id the records do not name */
    resign(c, len);
    snprintf(want, sizeof want, "b.dbb: offset 515: recipient 0 (key id %s) opens no record of "
                                "the batch", hex);
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, want);
    /* The right id with no key: fine, the key is just not known. */
    memcpy(c, vec, len);
    memset(c + 523, 0, 64);
    resign(c, len);
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_OK);
    CHECK(b.n_recipients == 1 && !b.recipients[0].known &&
          memcmp(b.recipients[0].id, vec + 515, 8) == 0);
    batch_free(&b);
    /* A degenerate key, named by its own id in the record and the list. */
    KeyPublic weak = g_apub;
    memset(weak.pk, 0, sizeof weak.pk);
    uint8_t wid[KEY_ID_BYTES];
    keys_public_id(&weak, wid);
    memcpy(c, vec, len);
    memcpy(c + 114 + 6 + 10, wid, 8); /* record 0's slot 0 */
    memcpy(c + 515, wid, 8);
    memcpy(c + 523, weak.pk, 32);
    resign(c, len);
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 523: recipient 0: not a usable public key");

    /* Two recipients (the multi batch): out of order, and a record naming an unlisted id. */
    uint8_t zero[32] = {0}, h[32], *m = NULL;
    size_t mlen = 0;
    CHECK(build_multi(g_kiosk, 1, zero, &m, &mlen, h) == DB_OK);
    CHECK(batch_parse("m.dbb", m, mlen, &b, &err) == DB_OK && b.n_recipients == 2);
    size_t sec = mlen - 64 - 1 - 2 * 72; /* the recipient count */
    size_t rec3 = (size_t)(b.records[3].data - m);
    batch_free(&b);
    uint8_t *mc = malloc(mlen);
    memcpy(mc, m, mlen);
    memcpy(mc + sec + 1, m + sec + 1 + 72, 72);
    memcpy(mc + sec + 1 + 72, m + sec + 1, 72);
    resign(mc, mlen);
    CHECK(batch_parse("m.dbb", mc, mlen, &b, &err) == DB_EFORMAT);
    snprintf(want, sizeof want,
             "m.dbb: offset %zu: recipient 1: key ids must be in ascending order without repeats",
             sec + 1 + 72);
    CHECK_STR(err.msg, want);
    memcpy(mc, m, mlen);
    memset(mc + rec3 + 10, 0xee, 8); /* record 3 (one recipient) now names key id eeee... */
    resign(mc, mlen);
    CHECK(batch_parse("m.dbb", mc, mlen, &b, &err) == DB_EFORMAT);
    snprintf(want, sizeof want,
             "m.dbb: offset %zu: record 3 is sealed to key id eeeeeeeeeeeeeeee, which the batch "
             "does not list among its recipients",
             rec3 - 6);
    CHECK_STR(err.msg, want);
    free(mc);
    free(m);
    free(c);
    free(vec);
}

/* A version 1 batch of sealed records: batch-2.dbb without its recipients section, as
 * Debrief 0.2 wrote it. */
static uint8_t *make_v1_of_vector(size_t *len)
{
    size_t vlen;
    uint8_t *vec = read_vec(VEC_BATCH2, &vlen);
    memmove(vec + 514, vec + 587, 64);
    *len = vlen - 73;
    vec[4] = 1;
    resign(vec, *len);
    return vec;
}

/* What a batch says about its recipients, and batch_check_recipients. */
static void test_check_recipients(void)
{
    size_t len;
    uint8_t *vec = read_vec(VEC_BATCH2, &len);
    Batch b;
    DbError err;
    char want[DBERR_MSG_MAX], afp[KEY_FINGERPRINT_SIZE], mfp[KEY_FINGERPRINT_SIZE], mhex[17];
    keys_public_fingerprint(&g_apub, afp);
    keys_public_fingerprint(&g_mpub, mfp);
    uint8_t mid[KEY_ID_BYTES];
    keys_public_id(&g_mpub, mid);
    hex_of(mid, 8, mhex);
    KeyPublic both[2] = {g_apub, g_mpub};
    CHECK(batch_parse("b.dbb", vec, len, &b, &err) == DB_OK);
    CHECK(batch_check_recipients("b.dbb", &b, &g_apub, 1, &err) == DB_OK);
    CHECK(batch_check_recipients("b.dbb", &b, both, 2, &err) == DB_OK);
    CHECK(batch_check_recipients("b.dbb", &b, &g_mpub, 1, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "b.dbb: responses are sealed to a key that was not expected: QPR4-6NCE-0CRC-GHR9 "
             "(key id b3f312a766da4480); whoever holds it can read them (expected: %s)",
             mfp);
    CHECK_STR(err.msg, want);
    /* The same X25519 half with another signing half is another key. */
    KeyPublic twin = g_apub;
    twin.sign_pk[0] ^= 1;
    CHECK(batch_check_recipients("b.dbb", &b, &twin, 1, &err) == DB_ESTATE);
    batch_free(&b);

    /* Mallory named in full, or only by her key id. */
    uint8_t zero[32] = {0}, h[32], *m = NULL;
    size_t mlen;
    CHECK(build_multi(g_kiosk, 1, zero, &m, &mlen, h) == DB_OK);
    CHECK(batch_parse("m.dbb", m, mlen, &b, &err) == DB_OK);
    CHECK(batch_check_recipients("m.dbb", &b, &g_apub, 1, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "m.dbb: responses are sealed to a key that was not expected: %s (key id %s); "
             "whoever holds it can read them (expected: %s)",
             mfp, mhex, afp);
    CHECK_STR(err.msg, want);
    CHECK(batch_check_recipients("m.dbb", &b, both, 2, &err) == DB_OK);
    batch_free(&b);
    free(m);
    CHECK(build_multi_keys(g_kiosk, 1, zero, 0, &m, &mlen, h) == DB_OK);
    CHECK(batch_parse("m.dbb", m, mlen, &b, &err) == DB_OK);
    CHECK(b.n_recipients == 2);
    CHECK(batch_check_recipients("m.dbb", &b, &g_apub, 1, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "m.dbb: responses are sealed to a key that was not expected: key id %s; whoever "
             "holds it can read them (expected: %s)",
             mhex, afp);
    CHECK_STR(err.msg, want);
    CHECK(batch_check_recipients("m.dbb", &b, both, 2, &err) == DB_OK);
    CHECK(batch_check_recipients("m.dbb", &b, NULL, 0, &err) == DB_ESTATE);
    batch_free(&b);
    free(m);

    /* Version 1: the records' key ids, no public keys. */
    size_t l1;
    uint8_t *v1 = make_v1_of_vector(&l1);
    CHECK(batch_parse("v1.dbb", v1, l1, &b, &err) == DB_OK);
    CHECK(b.version == 1 && b.n_recipients == 1 && !b.recipients[0].known &&
          memcmp(b.recipients[0].id, vec + 515, 8) == 0);
    CHECK(batch_check_recipients("v1.dbb", &b, &g_apub, 1, &err) == DB_OK);
    CHECK(batch_check_recipients("v1.dbb", &b, &g_mpub, 1, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "v1.dbb: responses are sealed to a key that was not expected: key id "
             "b3f312a766da4480; whoever holds it can read them (expected: %s)",
             mfp);
    CHECK_STR(err.msg, want);
    batch_free(&b);
    free(v1);
    free(vec);
}

static int discard_sink(void *ctx, const uint8_t *data, size_t len, DbError *err)
{
    (void)ctx, (void)data, (void)len, (void)err;
    return DB_OK;
}

/* The writer learns the recipients from the records, up to BATCH_MAX_RECIPIENTS. */
static void test_writer_recipients(void)
{
    uint8_t zero[32] = {0}, h[32];
    DbError err;
    BatchBuilder *b = NULL;
    uint32_t si;
    BatchSession s = session("G", "2024-01-01", "ccdg", 1);
    CHECK(batch_builder_new(1, zero, &b, &err) == DB_OK);
    CHECK(batch_builder_add_session(b, &s, &si, &err) == DB_OK);
    uint8_t *r = malloc(g_record_len);
    memcpy(r, g_record, g_record_len);
    int rc = DB_OK, i = 0;
    for (; i <= BATCH_MAX_RECIPIENTS && rc == DB_OK; i++) {
        r[10] = (uint8_t)i; /* the slot's key id: 65 different ones */
        rc = batch_builder_add_record(b, si, r, g_record_len, &err);
    }
    CHECK(rc == DB_OK); /* the builder counts them at finish */
    uint8_t *out = NULL;
    size_t len;
    CHECK(batch_builder_finish(b, g_kiosk, &out, &len, h, &err) == DB_ELIMIT && !out);
    CHECK_STR(err.msg, "the records of one batch are sealed to at most 64 different keys");
    batch_builder_free(b);

    s.count = BATCH_MAX_RECIPIENTS + 1;
    BatchWriter *w = NULL;
    CHECK(batch_writer_new(1, zero, &s, 1, g_kiosk, discard_sink, NULL, &w, &err) == DB_OK);
    rc = DB_OK;
    for (i = 0; i <= BATCH_MAX_RECIPIENTS && rc == DB_OK; i++) {
        r[10] = (uint8_t)i;
        rc = batch_writer_add_record(w, 0, r, g_record_len, &err);
    }
    CHECK(rc == DB_ELIMIT && i == BATCH_MAX_RECIPIENTS + 1);
    CHECK_STR(err.msg, "the records of one batch are sealed to at most 64 different keys");
    CHECK(batch_writer_add_record(w, 0, (const uint8_t *)"xyz", 3, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "record is not a sealed response record");
    batch_writer_free(w);
    free(r);
}

/* A sink that keeps the bytes, the chunk count, and fails after fail_after chunks. */
typedef struct TestSink {
    uint8_t buf[600000];
    size_t len;
    int chunks, fail_after;
} TestSink;

static int test_sink(void *ctx, const uint8_t *data, size_t len, DbError *err)
{
    TestSink *t = ctx;
    if (t->fail_after >= 0 && t->chunks >= t->fail_after)
        return dberr_set(err, DB_ENOSPC, "sink: disk full");
    if (len > sizeof t->buf - t->len)
        return dberr_set(err, DB_ELIMIT, "sink: too much");
    memcpy(t->buf + t->len, data, len);
    t->len += len;
    t->chunks++;
    return DB_OK;
}

/* The streaming writer gives the known-answer bytes and hash, and a large batch in several
 * chunks that parses; it refuses wrong counts; a sink error stops it. */
static void test_streaming_writer(void)
{
    static TestSink t;
    uint8_t zero[32] = {0}, hash[32], vhash[32];
    DbError err;
    BatchSession s = session(VEC_BATCH_LABEL, VEC_BATCH_DATE, VEC_BATCH_SURVEY, 1);
    s.count = 1;
    BatchWriter *w = NULL;
    t.len = 0;
    t.chunks = 0;
    t.fail_after = -1;
    CHECK(batch_writer_new(1, zero, &s, 1, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    CHECK(batch_writer_add_record(w, 0, g_record, g_record_len, &err) == DB_OK);
    CHECK(batch_writer_add_record(w, 0, g_record, g_record_len, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "more records for batch session 0 than its count of 1");
    CHECK(batch_writer_add_key(w, &g_mpub, &err) == DB_OK); /* no record of hers: not listed */
    CHECK(batch_writer_add_key(w, &g_apub, &err) == DB_OK);
    uint64_t total = 0;
    CHECK(batch_writer_finish(w, hash, &total, &err) == DB_OK && total == 651);
    batch_writer_free(w);
    size_t vlen;
    uint8_t *vec = read_vec(VEC_BATCH2, &vlen);
    CHECK(vec && t.len == vlen && memcmp(t.buf, vec, vlen) == 0);
    batch_hash(vec, vlen, vhash);
    CHECK(memcmp(hash, vhash, 32) == 0);
    /* The hash commits to the signed part and to the signature bytes alike. */
    vec[0] ^= 1;
    batch_hash(vec, vlen, hash);
    CHECK(memcmp(hash, vhash, 32) != 0);
    vec[0] ^= 1;
    vec[vlen - 1] ^= 1;
    batch_hash(vec, vlen, hash);
    CHECK(memcmp(hash, vhash, 32) != 0);
    free(vec);

    /* Too few records: finish names the session. */
    s.count = 2;
    CHECK(batch_writer_new(1, zero, &s, 1, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    CHECK(batch_writer_add_record(w, 0, g_record, g_record_len, &err) == DB_OK);
    CHECK(batch_writer_finish(w, hash, NULL, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "batch session 0 got 1 of its 2 records");
    batch_writer_free(w);
    s.count = 0;
    CHECK(batch_writer_new(1, zero, &s, 1, g_kiosk, test_sink, &t, &w, &err) == DB_EINVAL &&
          !w);
    CHECK_STR(err.msg, "batch session 0: has no records");

    /* 2 x 200 records of 1,000 bytes: more than one buffer, two sessions interleaved. */
    BatchSession two[2] = {session("A", "2024-05-14", "ccdg", 1),
                           session("B", "2024-05-15", "ccdg", 2)};
    two[0].count = two[1].count = 200;
    t.len = 0;
    t.chunks = 0;
    CHECK(batch_writer_new(1, zero, two, 2, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    /* Records of 1,034 bytes (padded to 896), each its own: sealed once, numbered in the
     * last ciphertext byte (the writer does not open them). */
    static uint8_t rec[1034];
    size_t rlen = 0;
    uint8_t plain[4] = {1, 2, 3, 4};
    CHECK(seal_record(plain, sizeof plain, 896, &g_apub, 1, rec, sizeof rec, &rlen, &err) ==
          DB_OK && rlen == sizeof rec);
    for (int i = 0; i < 400; i++) {
        rec[sizeof rec - 1] = (uint8_t)i;
        CHECK(batch_writer_add_record(w, (uint32_t)(i & 1), rec, sizeof rec, &err) == DB_OK);
    }
    CHECK(batch_writer_finish(w, hash, &total, &err) == DB_OK && total == t.len);
    batch_writer_free(w);
    CHECK(t.chunks >= 2);
    Batch b;
    CHECK(batch_parse("big.dbb", t.buf, t.len, &b, &err) == DB_OK);
    CHECK(b.n_records == 400 && memcmp(b.hash, hash, 32) == 0 &&
          b.records[399].data[sizeof rec - 1] == 143 && b.n_recipients == 1 &&
          !b.recipients[0].known);
    size_t inside = (size_t)(b.records[200].data - t.buf) + 500; /* a record's ciphertext */
    batch_free(&b);
    t.buf[inside] ^= 1;
    CHECK(batch_parse("big.dbb", t.buf, t.len, &b, &err) == DB_EAUTH);

    /* The sink fails (a full stick): the error comes back and the writer is done. */
    t.len = 0;
    t.chunks = 0;
    t.fail_after = 0;
    CHECK(batch_writer_new(1, zero, two, 2, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    int rc = DB_OK;
    for (int i = 0; i < 400 && rc == DB_OK; i++)
        rc = batch_writer_add_record(w, (uint32_t)(i & 1), rec, sizeof rec, &err);
    CHECK(rc == DB_ENOSPC);
    CHECK_STR(err.msg, "sink: disk full");
    CHECK(batch_writer_finish(w, hash, NULL, &err) == DB_ESTATE);
    batch_writer_free(w);
}

/* batch_parse_digested: the same checks and results, given the digest of the signed part. */
static void test_parse_digested(void)
{
    size_t vlen;
    uint8_t *vec = read_vec(VEC_BATCH2, &vlen);
    uint8_t digest[BATCH_DIGEST_BYTES];
    DbError err;
    Batch b, ref;
    BatchDigest *d = batch_digest_new();
    batch_digest_update(d, vec, 100);
    batch_digest_update(d, vec + 100, vlen - 64 - 100);
    batch_digest_final(d, digest);
    batch_digest_free(d);
    CHECK(batch_parse(VEC_BATCH2, vec, vlen, &ref, &err) == DB_OK);
    CHECK(batch_parse_digested(VEC_BATCH2, vec, vlen, digest, &b, &err) == DB_OK);
    CHECK(memcmp(b.hash, ref.hash, 32) == 0 && b.n_recipients == 1 && b.recipients[0].known);
    batch_free(&b);
    batch_free(&ref);
    digest[0] ^= 1; /* the digest is what the signature is checked over */
    CHECK(batch_parse_digested(VEC_BATCH2, vec, vlen, digest, &b, &err) == DB_EAUTH &&
          b.records == NULL);
    CHECK_STR(err.msg, VEC_BATCH2 ": signature does not verify: the batch was altered or is not "
                       "from this kiosk");
    free(vec);
}

static void test_ack_round_trip_and_forgery(void)
{
    uint8_t pk[32];
    keys_identity_public(g_kiosk, pk);
    AckEntry e[3] = {{.number = 5}, {.number = 2}, {.number = 9}};
    for (int i = 0; i < 3; i++)
        memset(e[i].hash, 0x30 + i, 32);
    uint8_t *data = NULL;
    size_t len = 0;
    DbError err;
    CHECK(ack_build(pk, e, 3, g_analyst, &data, &len, &err) == DB_OK);
    KeyPublic apub = g_apub, mpub = g_mpub;
    Ack a;
    CHECK(ack_parse("a.dba", data, len, apub.sign_pk, &a, &err) == DB_OK);
    CHECK(a.n_entries == 3 && a.entries[0].number == 2 && a.entries[1].number == 5 &&
          a.entries[2].number == 9); /* sorted */
    CHECK(a.entries[0].hash[0] == 0x31);
    ack_free(&a);
    ack_free(NULL);

    /* Verified with a different analyst's key: one message, no oracle. */
    CHECK(ack_parse("a.dba", data, len, mpub.sign_pk, &a, &err) == DB_EAUTH);
    CHECK_STR(err.msg, "a.dba: " DBERR_AUTH_MSG);
    /* Signed by another key that claims to be the analyst (signer field rewritten). */
    uint8_t *forged = NULL;
    size_t flen = 0;
    CHECK(ack_build(pk, e, 3, g_mallory, &forged, &flen, &err) == DB_OK);
    memcpy(forged + 37, apub.sign_pk, 32);
    CHECK(ack_parse("f.dba", forged, flen, apub.sign_pk, &a, &err) == DB_EAUTH);
    CHECK_STR(err.msg, "f.dba: " DBERR_AUTH_MSG);
    free(forged);

    /* Every flipped byte and every truncation fails. */
    uint8_t *c = malloc(len);
    int caught = 1;
    for (size_t i = 0; i < len; i++) {
        memcpy(c, data, len);
        c[i] ^= 0x01;
        if (ack_parse("a.dba", c, len, apub.sign_pk, &a, &err) == DB_OK) {
            caught = 0;
            ack_free(&a);
        }
    }
    for (size_t n = 0; n < len; n++)
        if (ack_parse("a.dba", data, n, apub.sign_pk, &a, &err) == DB_OK) {
            caught = 0;
            ack_free(&a);
        }
    CHECK(caught);
    free(c);

    /* Duplicate numbers and empty lists are refused at build time. */
    AckEntry dup[2] = {{.number = 3}, {.number = 3}};
    uint8_t *o = NULL;
    size_t ol;
    CHECK(ack_build(pk, dup, 2, g_analyst, &o, &ol, &err) == DB_EINVAL && o == NULL);
    CHECK(ack_build(pk, dup, 0, g_analyst, &o, &ol, &err) == DB_EINVAL);

    /* A batch is not an acknowledgement and vice versa. */
    uint8_t zero[32] = {0}, h[32];
    uint8_t *bd = NULL;
    size_t bl;
    CHECK(build_multi(g_other, 1, zero, &bd, &bl, h) == DB_OK);
    CHECK(ack_parse("x", bd, bl, apub.sign_pk, &a, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "x: offset 0: is a batch file, not an acknowledgement");
    Batch b;
    CHECK(batch_parse("y", data, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "y: offset 0: is an acknowledgement file, not a batch");
    free(bd);
    free(data);
}

/* A record refused for the recipient limit leaves the writer as it was: a record sealed to
 * two new keys when one more fits names neither in the batch, and the next new key fits. */
static void test_writer_refused_record_named_nowhere(void)
{
    static TestSink t;
    uint8_t zero[32] = {0}, hash[32];
    DbError err;
    BatchSession s = session("G", "2024-01-01", "ccdg", 1);
    s.count = BATCH_MAX_RECIPIENTS;
    t.len = 0;
    t.chunks = 0;
    t.fail_after = -1;
    BatchWriter *w = NULL;
    CHECK(batch_writer_new(1, zero, &s, 1, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    uint8_t *r = malloc(g_record_len);
    memcpy(r, g_record, g_record_len);
    for (int i = 0; i < BATCH_MAX_RECIPIENTS - 1; i++) {
        r[10] = (uint8_t)i; /* the slot's key id */
        CHECK(batch_writer_add_record(w, 0, r, g_record_len, &err) == DB_OK);
    }
    size_t two_len = g_recs_len[2]; /* sealed to two keys */
    uint8_t *two = malloc(two_len);
    memcpy(two, g_recs[2], two_len);
    size_t slot_bytes = seal_record_size(256, 2) - seal_record_size(256, 1);
    two[10] = 200;
    two[10 + slot_bytes] = 201;
    CHECK(batch_writer_add_record(w, 0, two, two_len, &err) == DB_ELIMIT);
    r[10] = BATCH_MAX_RECIPIENTS - 1;
    CHECK(batch_writer_add_record(w, 0, r, g_record_len, &err) == DB_OK);
    CHECK(batch_writer_finish(w, hash, NULL, &err) == DB_OK);
    batch_writer_free(w);
    Batch b;
    CHECK(batch_parse("t.dbb", t.buf, t.len, &b, &err) == DB_OK);
    CHECK(b.n_recipients == BATCH_MAX_RECIPIENTS && b.n_records == BATCH_MAX_RECIPIENTS);
    for (uint32_t i = 0; i < b.n_recipients; i++)
        CHECK(b.recipients[i].id[0] < BATCH_MAX_RECIPIENTS);
    batch_free(&b);
    free(two);
    free(r);
}

int main(void)
{
    if (secmem_init() != 0)
        return 1;
    setup();
    RUN(test_round_trip);
    RUN(test_builder_refuses);
    RUN(test_tamper_and_truncate);
    RUN(test_parse_messages);
    RUN(test_known_answer_batch_v1);
    RUN(test_known_answer_batch_v2);
    RUN(test_known_answer_ack);
    RUN(test_recipients_section);
    RUN(test_check_recipients);
    RUN(test_writer_recipients);
    RUN(test_writer_refused_record_named_nowhere);
    RUN(test_streaming_writer);
    RUN(test_parse_digested);
    RUN(test_ack_round_trip_and_forgery);
    teardown();
    return test_report();
}
