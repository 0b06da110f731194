/* seal: fixed-size sealed response records. Contract: seal.h; bytes: docs/FORMAT.md,
 * "Sealed response record".
 *
 *   offset        size         field
 *   0             4            magic "DBRS"
 *   4             1            version = 1
 *   5             1            n, recipient count, 1..SEAL_MAX_RECIPIENTS
 *   6             4            P, padded plaintext size (u32 BE), multiple of 16
 *   10            88 * n       slots: recipient key id (8) || crypto_box_seal(K) (80)
 *   10 + 88n      24           nonce
 *   34 + 88n      P + 16       XChaCha20-Poly1305(K, nonce, ad = bytes 0 .. 34+88n, pad(plain))
 *
 * This module does not know what the plaintext means (response.c) or where records are kept
 * (store); it only pads, encrypts and opens.
 */
#include "seal.h"

#include <string.h>

#include <sodium.h>

#include "keys_internal.h"

#define SEAL_MAGIC "DBRS"
#define SEAL_VERSION 1
#define SEAL_OFF_VERSION 4
#define SEAL_OFF_COUNT 5
#define SEAL_OFF_PADDED 6
#define SEAL_HEADER_BYTES 10
#define SEAL_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES        /* 32 */
#define SEAL_SEALED_KEY_BYTES (crypto_box_SEALBYTES + SEAL_KEY_BYTES)     /* 80 */
#define SEAL_SLOT_BYTES (KEYS_RECIPIENT_ID_BYTES + SEAL_SEALED_KEY_BYTES) /* 88 */
#define SEAL_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES     /* 24 */
#define SEAL_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES          /* 16 */

_Static_assert(SEAL_SLOT_BYTES == 88, "slot size is part of the format");
_Static_assert(SEAL_NONCE_BYTES == 24 && SEAL_TAG_BYTES == 16, "AEAD sizes");
_Static_assert(SEAL_HEADER_BYTES + SEAL_MAX_RECIPIENTS * SEAL_SLOT_BYTES + SEAL_NONCE_BYTES +
                       SEAL_MAX_PADDED + SEAL_TAG_BYTES <=
                   SEAL_MAX_RECORD,
               "SEAL_MAX_RECORD holds the largest record");

static int padded_ok(size_t padded)
{
    return padded >= SEAL_MIN_PADDED && padded <= SEAL_MAX_PADDED && padded % 16 == 0;
}

/* Length of everything before the ciphertext: the associated data. */
static size_t ad_len(int n)
{
    return SEAL_HEADER_BYTES + (size_t)n * SEAL_SLOT_BYTES + SEAL_NONCE_BYTES;
}

size_t seal_record_size(size_t padded_size, int n_recipients)
{
    if (!padded_ok(padded_size) || n_recipients < 1 || n_recipients > SEAL_MAX_RECIPIENTS)
        return 0;
    return ad_len(n_recipients) + padded_size + SEAL_TAG_BYTES;
}

static void put_u32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

struct SealEnvelope {
    uint8_t key[SEAL_KEY_BYTES]; /* K; the struct lives in locked memory */
    uint8_t *padded;             /* padded_size bytes of locked memory for the plaintext,
                                  * allocated ahead too: sodium_malloc costs system calls */
    uint8_t head[SEAL_HEADER_BYTES + SEAL_MAX_RECIPIENTS * SEAL_SLOT_BYTES + SEAL_NONCE_BYTES];
    size_t head_len;             /* the associated data: header, slots, nonce */
    size_t padded_size;
    int spent;
};

int seal_envelope_new(size_t padded_size, const KeyPublic *recipients, int n_recipients,
                      SealEnvelope **out, DbError *err)
{
    *out = NULL;
    if (!padded_ok(padded_size))
        return dberr_set(err, DB_EINVAL,
                         "sealed record: padded size %zu is not a multiple of 16 in %d..%d",
                         padded_size, SEAL_MIN_PADDED, SEAL_MAX_PADDED);
    if (n_recipients < 1 || n_recipients > SEAL_MAX_RECIPIENTS)
        return dberr_set(err, DB_EINVAL, "sealed record: %d recipients (must be 1 to %d)",
                         n_recipients, SEAL_MAX_RECIPIENTS);
    SealEnvelope *env = sodium_malloc(sizeof *env);
    if (!env)
        return dberr_set(err, DB_ENOMEM, "sealed record: out of memory");
    memset(env, 0, sizeof *env);
    if (!(env->padded = sodium_malloc(padded_size))) {
        sodium_free(env);
        return dberr_set(err, DB_ENOMEM, "sealed record: out of memory");
    }
    env->padded_size = padded_size;
    env->head_len = ad_len(n_recipients);
    uint8_t *h = env->head;
    memcpy(h, SEAL_MAGIC, 4);
    h[SEAL_OFF_VERSION] = SEAL_VERSION;
    h[SEAL_OFF_COUNT] = (uint8_t)n_recipients;
    put_u32be(h + SEAL_OFF_PADDED, (uint32_t)padded_size);
    crypto_aead_xchacha20poly1305_ietf_keygen(env->key);
    uint8_t *slot = h + SEAL_HEADER_BYTES;
    for (int i = 0; i < n_recipients; i++, slot += SEAL_SLOT_BYTES) {
        keys_recipient_id(recipients[i].pk, slot);
        if (crypto_box_seal(slot + KEYS_RECIPIENT_ID_BYTES, env->key, SEAL_KEY_BYTES,
                            recipients[i].pk) != 0) {
            /* Only a degenerate (low-order) public key makes the key exchange fail. */
            seal_envelope_free(env);
            return dberr_set(err, DB_EINVAL,
                             "sealed record: recipient %d's public key is unusable", i + 1);
        }
    }
    randombytes_buf(slot, SEAL_NONCE_BYTES);
    *out = env;
    return DB_OK;
}

void seal_envelope_free(SealEnvelope *env)
{
    if (env) {
        sodium_free(env->padded); /* sodium_free wipes */
        sodium_free(env);
    }
}

int seal_envelope_use(SealEnvelope *env, const uint8_t *plain, size_t plain_len, uint8_t *out,
                      size_t out_cap, size_t *out_len, DbError *err)
{
    *out_len = 0;
    if (env->spent)
        return dberr_set(err, DB_ESTATE, "sealed record: this envelope has sealed a record "
                                         "already (a content key is never used twice)");
    env->spent = 1;
    size_t padded_size = env->padded_size;
    int rc = DB_OK;
    uint8_t *padded = env->padded;
    size_t total = env->head_len + padded_size + SEAL_TAG_BYTES;
    /* sodium_pad always adds at least one byte (0x80). */
    if (plain_len >= padded_size) {
        rc = dberr_set(err, DB_ELIMIT,
                       "response is %zu bytes; a sealed record of padded size %zu holds at "
                       "most %zu",
                       plain_len, padded_size, padded_size - 1);
        goto done;
    }
    if (out_cap < total) {
        rc = dberr_set(err, DB_ELIMIT, "sealed record: %zu bytes needed, buffer holds %zu",
                       total, out_cap);
        goto done;
    }
    if (plain_len > 0)
        memcpy(padded, plain, plain_len);
    size_t padded_len = 0;
    if (sodium_pad(&padded_len, padded, plain_len, padded_size, padded_size) != 0 ||
        padded_len != padded_size) {
        rc = dberr_set(err, DB_ELIMIT, "sealed record: padding failed");
        goto done;
    }
    memcpy(out, env->head, env->head_len);
    const uint8_t *nonce = env->head + env->head_len - SEAL_NONCE_BYTES;
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + env->head_len, &clen, padded, padded_size,
                                               out, env->head_len, NULL, nonce, env->key);
    *out_len = env->head_len + (size_t)clen;
done:
    sodium_memzero(padded, padded_size);
    sodium_memzero(env->key, sizeof env->key);
    return rc;
}

int seal_record(const uint8_t *plain, size_t plain_len, size_t padded_size,
                const KeyPublic *recipients, int n_recipients, uint8_t *out, size_t out_cap,
                size_t *out_len, DbError *err)
{
    *out_len = 0;
    SealEnvelope *env = NULL;
    int rc = seal_envelope_new(padded_size, recipients, n_recipients, &env, err);
    if (rc == DB_OK)
        rc = seal_envelope_use(env, plain, plain_len, out, out_cap, out_len, err);
    seal_envelope_free(env);
    return rc;
}

/* Structural checks; on success *n and *padded describe the record. */
static int record_parse(const uint8_t *rec, size_t rec_len, int *n, size_t *padded, DbError *err)
{
    if (rec_len < SEAL_HEADER_BYTES)
        return dberr_set(err, DB_EFORMAT, "sealed record: %zu bytes, shorter than its header",
                         rec_len);
    if (memcmp(rec, SEAL_MAGIC, 4) != 0)
        return dberr_set(err, DB_EFORMAT,
                         "sealed record: offset 0: bad magic (expected \"" SEAL_MAGIC "\")");
    if (rec[SEAL_OFF_VERSION] != SEAL_VERSION)
        return dberr_set(err, DB_EFORMAT, "sealed record: offset %d: unknown version %u",
                         SEAL_OFF_VERSION, rec[SEAL_OFF_VERSION]);
    unsigned count = rec[SEAL_OFF_COUNT];
    if (count < 1 || count > SEAL_MAX_RECIPIENTS)
        return dberr_set(err, DB_EFORMAT,
                         "sealed record: offset %d: recipient count %u (must be 1 to %d)",
                         SEAL_OFF_COUNT, count, SEAL_MAX_RECIPIENTS);
    uint32_t p = get_u32be(rec + SEAL_OFF_PADDED);
    if (!padded_ok(p))
        return dberr_set(err, DB_EFORMAT,
                         "sealed record: offset %d: padded size %u is not a multiple of 16 in "
                         "%d..%d",
                         SEAL_OFF_PADDED, (unsigned)p, SEAL_MIN_PADDED, SEAL_MAX_PADDED);
    size_t want = seal_record_size(p, (int)count);
    if (rec_len != want)
        return dberr_set(err, DB_EFORMAT,
                         "sealed record: %zu bytes, expected %zu for %u recipient(s) and padded "
                         "size %u",
                         rec_len, want, count, (unsigned)p);
    *n = (int)count;
    *padded = p;
    return DB_OK;
}

size_t seal_record_padded_size(const uint8_t *rec, size_t rec_len)
{
    if (rec_len < SEAL_HEADER_BYTES || memcmp(rec, SEAL_MAGIC, 4) != 0 ||
        rec[SEAL_OFF_VERSION] != SEAL_VERSION)
        return 0;
    uint32_t p = get_u32be(rec + SEAL_OFF_PADDED);
    return padded_ok(p) ? p : 0;
}

int seal_record_id(const uint8_t *rec, size_t rec_len, uint8_t id[SEAL_RECORD_ID_BYTES],
                   DbError *err)
{
    static const char tag[] = "debrief-record-id-v1";
    memset(id, 0, SEAL_RECORD_ID_BYTES);
    int n = 0;
    size_t padded = 0;
    int rc = record_parse(rec, rec_len, &n, &padded, err);
    if (rc != DB_OK)
        return rc;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, SEAL_RECORD_ID_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)tag, sizeof tag - 1);
    crypto_generichash_update(&st, rec, ad_len(n));
    crypto_generichash_final(&st, id, SEAL_RECORD_ID_BYTES);
    return DB_OK;
}

int seal_record_key_ids(const uint8_t *rec, size_t rec_len,
                        uint8_t ids[SEAL_MAX_RECIPIENTS][KEY_ID_BYTES], int *n)
{
    size_t padded = 0;
    *n = 0;
    int count = 0;
    /* record_parse bounds count; said again so that the compiler sees it (GCC 12 at -O3
     * warns of an overflow of ids otherwise). */
    if (record_parse(rec, rec_len, &count, &padded, NULL) != DB_OK || count > SEAL_MAX_RECIPIENTS)
        return -1;
    for (int i = 0; i < count; i++)
        memcpy(ids[i], rec + SEAL_HEADER_BYTES + (size_t)i * SEAL_SLOT_BYTES, KEY_ID_BYTES);
    *n = count;
    return 0;
}

/* Removes the padding sodium_pad added (0x80 then zero bytes up to the block end), setting
 * *len to the plaintext length; -1 if there is no such padding. Same result as
 * sodium_unpad(len, buf, padded, padded), but sodium_unpad walks the whole block in constant
 * time, which costs a third of opening a 4 KiB record (8 us of 26). Whoever opens a record
 * reads its plaintext and its length anyway, so there is nothing to hide from timing here. */
static int unpad(const uint8_t *buf, size_t padded, size_t *len)
{
    size_t i = padded;
    while (i > 0 && buf[i - 1] == 0)
        i--;
    if (i == 0 || buf[i - 1] != 0x80)
        return -1;
    *len = i - 1;
    return 0;
}

/* Tries one slot: opens the content key and, with it, the ciphertext into buf. */
static int try_slot(const uint8_t *rec, int n, size_t padded, const uint8_t *slot,
                    const KeySecret *sec, uint8_t *key, uint8_t *buf)
{
    if (crypto_box_seal_open(key, slot + KEYS_RECIPIENT_ID_BYTES, SEAL_SEALED_KEY_BYTES,
                             sec->pub.pk, keys_secret_box_sk(sec)) != 0)
        return -1;
    size_t ad = ad_len(n);
    unsigned long long mlen = 0;
    const uint8_t *nonce = rec + ad - SEAL_NONCE_BYTES;
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        buf, &mlen, NULL, rec + ad, padded + SEAL_TAG_BYTES, rec, ad, nonce, key);
    sodium_memzero(key, SEAL_KEY_BYTES);
    return (rc == 0 && mlen == padded) ? 0 : -1;
}

int seal_open(const uint8_t *rec, size_t rec_len, const KeySecret *sec, uint8_t *plain, size_t cap,
              size_t *plain_len, DbError *err)
{
    *plain_len = 0;
    int n = 0;
    size_t padded = 0;
    int rc = record_parse(rec, rec_len, &n, &padded, err);
    if (rc != DB_OK)
        return rc;

    /* The caller's buffer receives the plaintext anyway; when it can hold the padded form we
     * decrypt straight into it (no allocation per record on import), otherwise into locked
     * memory that is wiped. */
    uint8_t *work = cap >= padded ? plain : sodium_malloc(padded);
    uint8_t key[SEAL_KEY_BYTES];
    if (!work) {
        rc = dberr_set(err, DB_ENOMEM, "sealed record: out of memory");
        goto done;
    }

    uint8_t my_id[KEYS_RECIPIENT_ID_BYTES];
    keys_recipient_id(sec->pub.pk, my_id);
    /* Slots whose key id is ours first; then the others, in case the id was damaged (the
     * AEAD tag over the header still catches any change). */
    int opened = 0;
    for (int pass = 0; pass < 2 && !opened; pass++) {
        for (int i = 0; i < n && !opened; i++) {
            const uint8_t *slot = rec + SEAL_HEADER_BYTES + (size_t)i * SEAL_SLOT_BYTES;
            int mine = memcmp(slot, my_id, KEYS_RECIPIENT_ID_BYTES) == 0;
            if (mine != (pass == 0))
                continue;
            opened = try_slot(rec, n, padded, slot, sec, key, work) == 0;
        }
    }
    if (!opened) {
        rc = dberr_set(err, DB_EAUTH, DBERR_AUTH_MSG);
        goto done;
    }
    size_t unpadded = 0;
    if (unpad(work, padded, &unpadded) != 0) {
        /* Authentic but badly padded: only a faulty writer makes this. */
        rc = dberr_set(err, DB_EFORMAT, "sealed record: plaintext padding is invalid");
        goto done;
    }
    if (unpadded > cap) {
        rc = dberr_set(err, DB_ELIMIT, "sealed record: plaintext is %zu bytes, buffer holds %zu",
                       unpadded, cap);
        goto done;
    }
    if (work != plain) {
        if (unpadded > 0)
            memcpy(plain, work, unpadded);
    } else {
        sodium_memzero(plain + unpadded, padded - unpadded); /* the padding bytes */
    }
    *plain_len = unpadded;
done:
    if (rc != DB_OK && work == plain && cap > 0)
        sodium_memzero(plain, cap < padded ? cap : padded);
    if (work && work != plain)
        sodium_free(work);
    sodium_memzero(key, sizeof key);
    return rc;
}
