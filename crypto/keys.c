/* keys: the analyst's key pair (X25519 + Ed25519), its files, fingerprints, and the kiosk's
 * Ed25519 identity. Byte formats: docs/FORMAT.md ("Fingerprints", "Public key file",
 * "Secret key file", "Kiosk identity file"). Contracts: keys.h.
 *
 * This file does not seal or open responses (seal.c) and does not sign batches (batch.c);
 * it only holds keys and makes the signatures those modules ask for.
 *
 * Secrets live in sodium_malloc regions made read-only once filled; every temporary that held
 * a secret or a derived key is wiped before return on every path.
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "keys_internal.h"

/* --- constants of the byte formats (docs/FORMAT.md) --- */

#define FP_TAG "debrief-fingerprint-v1"
#define RID_TAG "debrief-recipient-id-v1"
#define FP_HASH_BYTES 32 /* BLAKE2b-256; the first FP_BYTES are used */
#define FP_BYTES 10      /* 80 bits = 16 Crockford base-32 characters */

#define PUB_MAGIC "debrief-public-key-1"
#define PUB_MAGIC_STEM "debrief-public-key-"
#define PUB_KEY_BYTES (KEY_PUBLIC_BYTES + KEY_SIGN_PUBLIC_BYTES)
#define PUB_B64_CHARS 86 /* 64 bytes, URL-safe base64 without padding */
#define PUB_FILE_MAX 4096

#define SK_MAGIC "DBRK"
#define SK_VERSION 1
#define SK_KDF_ARGON2ID13 1
#define SK_OFF_VERSION 4
#define SK_OFF_KDF 5
#define SK_OFF_OPS 6
#define SK_OFF_MEM 14
#define SK_OFF_SALT 22
#define SK_OFF_PUB (SK_OFF_SALT + crypto_pwhash_SALTBYTES)                  /* 38 */
#define SK_OFF_NONCE (SK_OFF_PUB + PUB_KEY_BYTES)                           /* 102 */
#define SK_OFF_BOX (SK_OFF_NONCE + crypto_secretbox_NONCEBYTES)             /* 126 */
#define SK_BOX_BYTES (crypto_secretbox_MACBYTES + KEYS_SECRET_SEALED_BYTES) /* 80 */
#define SK_FILE_BYTES (SK_OFF_BOX + SK_BOX_BYTES)                           /* 206 */
#define SK_FILE_MAX (64 * 1024)

/* Limits a reader enforces before running the KDF, so a hostile file cannot make us allocate
 * or spin without bound. Writers are held to the same limits. */
#define SK_OPS_MIN ((uint64_t)crypto_pwhash_argon2id_OPSLIMIT_MIN) /* 1 */
#define SK_OPS_MAX ((uint64_t)32)
#define SK_MEM_MIN ((uint64_t)crypto_pwhash_argon2id_MEMLIMIT_MIN) /* 8 KiB */
#define SK_MEM_MAX ((uint64_t)1 << 30)                             /* 1 GiB */

#define ID_MAGIC "DBRI"
#define ID_VERSION 1
#define ID_FILE_BYTES (4 + 1 + crypto_sign_SEEDBYTES) /* 37 */

_Static_assert(KEY_PUBLIC_BYTES == crypto_box_PUBLICKEYBYTES, "X25519 public key size");
_Static_assert(KEY_PUBLIC_BYTES == crypto_scalarmult_BYTES, "X25519 scalar mult size");
_Static_assert(KEY_SIGN_PUBLIC_BYTES == crypto_sign_PUBLICKEYBYTES, "Ed25519 public key size");
_Static_assert(KEY_SIGNATURE_BYTES == crypto_sign_BYTES, "Ed25519 signature size");
_Static_assert(crypto_box_SECRETKEYBYTES == 32 && crypto_sign_SEEDBYTES == 32, "secret sizes");
_Static_assert(crypto_sign_SECRETKEYBYTES == 64, "Ed25519 expanded secret key size");
_Static_assert(crypto_secretbox_KEYBYTES == 32, "secretbox key size");
_Static_assert(SK_FILE_BYTES == 206, "secret key file size is part of the format");

struct KeyIdentity {
    uint8_t seed[crypto_sign_SEEDBYTES];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
};

/* --- small helpers --- */

static void put_u64be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t get_u64be(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

KeyKdfParams keys_kdf_default(void)
{
    KeyKdfParams k = {crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
                      crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    return k;
}

KeyKdfParams keys_kdf_interactive(void)
{
    KeyKdfParams k = {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                      crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
    return k;
}

KeyKdfParams keys_kdf_fast_for_tests(void)
{
    KeyKdfParams k = {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
    return k;
}

/* Argon2 counts memory in KiB (memlimit / 1024), so a memlimit that is not a multiple of
 * 1024 would let several header values derive the same key; only multiples are valid. */
static int kdf_params_ok(uint64_t ops, uint64_t mem)
{
    return ops >= SK_OPS_MIN && ops <= SK_OPS_MAX && mem >= SK_MEM_MIN && mem <= SK_MEM_MAX &&
           mem % 1024 == 0;
}

/* --- fingerprints --- */

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void keys_fingerprint(const uint8_t *pk, size_t len, char out[KEY_FINGERPRINT_SIZE])
{
    uint8_t h[FP_HASH_BYTES];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)FP_TAG, strlen(FP_TAG));
    crypto_generichash_update(&st, pk, len);
    crypto_generichash_final(&st, h, sizeof h);
    /* The first 80 bits, most significant bit first, five bits per character. */
    size_t o = 0;
    for (int c = 0; c < 16; c++) {
        unsigned v = 0;
        for (int b = 0; b < 5; b++) {
            int bit = c * 5 + b;
            v = (v << 1) | ((h[bit / 8] >> (7 - bit % 8)) & 1u);
        }
        if (c > 0 && c % 4 == 0)
            out[o++] = '-';
        out[o++] = crockford[v];
    }
    out[o] = '\0';
}

void keys_public_fingerprint(const KeyPublic *pub, char out[KEY_FINGERPRINT_SIZE])
{
    uint8_t buf[PUB_KEY_BYTES];
    memcpy(buf, pub->pk, KEY_PUBLIC_BYTES);
    memcpy(buf + KEY_PUBLIC_BYTES, pub->sign_pk, KEY_SIGN_PUBLIC_BYTES);
    keys_fingerprint(buf, sizeof buf, out);
}

void keys_recipient_id(const uint8_t pk[KEY_PUBLIC_BYTES], uint8_t id[KEYS_RECIPIENT_ID_BYTES])
{
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)RID_TAG, strlen(RID_TAG));
    crypto_generichash_update(&st, pk, KEY_PUBLIC_BYTES);
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(id, h, KEYS_RECIPIENT_ID_BYTES);
}

void keys_public_id(const KeyPublic *pub, uint8_t id[KEY_ID_BYTES])
{
    keys_recipient_id(pub->pk, id);
}

void keys_id_hex(const uint8_t id[KEY_ID_BYTES], char out[KEY_ID_HEX_SIZE])
{
    sodium_bin2hex(out, KEY_ID_HEX_SIZE, id, KEY_ID_BYTES);
}

/* --- the analyst's key pair --- */

static KeySecret *secret_alloc(void)
{
    KeySecret *s = sodium_malloc(sizeof *s);
    if (s)
        memset(s, 0, sizeof *s);
    return s;
}

/* Fills the derived halves from s->secrets and write-protects the region. */
static void secret_finish(KeySecret *s)
{
    crypto_scalarmult_base(s->pub.pk, s->secrets);
    crypto_sign_seed_keypair(s->pub.sign_pk, s->sign_sk, s->secrets + 32);
    sodium_mprotect_readonly(s);
}

int keys_generate(KeyPublic *pub, KeySecret **sec, DbError *err)
{
    memset(pub, 0, sizeof *pub);
    *sec = NULL;
    KeySecret *s = secret_alloc();
    if (!s)
        return dberr_set(err, DB_ENOMEM, "out of memory for a secret key");
    /* An X25519 secret key is 32 uniformly random bytes (crypto_box_keypair does the same);
     * the Ed25519 key is derived from a random 32-byte seed, which is what the file keeps. */
    randombytes_buf(s->secrets, sizeof s->secrets);
    secret_finish(s);
    *pub = s->pub;
    *sec = s;
    return DB_OK;
}

void keys_secret_public(const KeySecret *sec, KeyPublic *pub)
{
    *pub = sec->pub;
}

void keys_secret_id(const KeySecret *sec, uint8_t id[KEY_ID_BYTES])
{
    keys_public_id(&sec->pub, id);
}

void keys_secret_sign(const KeySecret *sec, const uint8_t *msg, size_t len,
                      uint8_t sig[KEY_SIGNATURE_BYTES])
{
    crypto_sign_detached(sig, NULL, msg, len, sec->sign_sk);
}

void keys_secret_free(KeySecret *sec)
{
    if (!sec)
        return;
    sodium_mprotect_readwrite(sec);
    sodium_free(sec); /* wipes */
}

/* --- public key file --- */

size_t keys_public_format(const KeyPublic *pub, char *out, size_t cap)
{
    uint8_t raw[PUB_KEY_BYTES];
    memcpy(raw, pub->pk, KEY_PUBLIC_BYTES);
    memcpy(raw + KEY_PUBLIC_BYTES, pub->sign_pk, KEY_SIGN_PUBLIC_BYTES);
    char b64[PUB_B64_CHARS + 1];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char fp[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(raw, sizeof raw, fp);
    size_t need = strlen(PUB_MAGIC) + 1 + PUB_B64_CHARS + 1 + (KEY_FINGERPRINT_SIZE - 1) + 1;
    if (cap < need + 1) /* + NUL */
        return 0;
    size_t o = 0;
    memcpy(out + o, PUB_MAGIC, strlen(PUB_MAGIC));
    o += strlen(PUB_MAGIC);
    out[o++] = ' ';
    memcpy(out + o, b64, PUB_B64_CHARS);
    o += PUB_B64_CHARS;
    out[o++] = ' ';
    memcpy(out + o, fp, KEY_FINGERPRINT_SIZE - 1);
    o += KEY_FINGERPRINT_SIZE - 1;
    out[o++] = '\n';
    out[o] = '\0';
    return o;
}

static int is_fingerprint_shape(const char *s, size_t len)
{
    if (len != KEY_FINGERPRINT_SIZE - 1)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (i % 5 == 4) {
            if (s[i] != '-')
                return 0;
        } else if (!memchr(crockford, s[i], sizeof crockford - 1)) {
            return 0;
        }
    }
    return 1;
}

int keys_public_parse(const char *name, const char *text, size_t len, KeyPublic *pub, DbError *err)
{
    memset(pub, 0, sizeof *pub);
    if (len >= 4 && memcmp(text, SK_MAGIC, 4) == 0)
        return dberr_set(err, DB_EFORMAT, "%s: is a secret key file; give the .pub file", name);
    if (len >= 4 && memcmp(text, ID_MAGIC, 4) == 0)
        return dberr_set(err, DB_EFORMAT,
                         "%s: is a kiosk identity file, not an analyst public key; give the .pub "
                         "file",
                         name);
    if (len > PUB_FILE_MAX)
        return dberr_set(err, DB_EFORMAT, "%s: not a Debrief public key (%zu bytes, too long)",
                         name, len);
    /* One line: a final "\n" or "\r\n" is allowed, nothing else after the fingerprint. */
    if (len > 0 && text[len - 1] == '\n') {
        len--;
        if (len > 0 && text[len - 1] == '\r')
            len--;
    }
    const char *p = text, *end = text + len;

    const char *sp = memchr(p, ' ', len);
    size_t magic_len = sp ? (size_t)(sp - p) : len;
    if (magic_len != strlen(PUB_MAGIC) || memcmp(p, PUB_MAGIC, magic_len) != 0) {
        size_t stem = strlen(PUB_MAGIC_STEM);
        if (magic_len > stem && magic_len < 32 && memcmp(p, PUB_MAGIC_STEM, stem) == 0) {
            int printable = 1;
            for (size_t i = stem; i < magic_len; i++)
                printable &= (p[i] >= '0' && p[i] <= '9');
            if (printable)
                return dberr_set(err, DB_EFORMAT,
                                 "%s: unsupported public key format \"%.*s\" (this program "
                                 "reads \"" PUB_MAGIC "\")",
                                 name, (int)magic_len, p);
        }
        return dberr_set(err, DB_EFORMAT,
                         "%s: not a Debrief public key (expected \"" PUB_MAGIC "\")", name);
    }
    if (!sp)
        return dberr_set(err, DB_EFORMAT, "%s: missing the key after \"" PUB_MAGIC "\"", name);
    p = sp + 1;

    sp = memchr(p, ' ', (size_t)(end - p));
    const char *key_end = sp ? sp : end;
    size_t key_chars = (size_t)(key_end - p);
    uint8_t raw[PUB_KEY_BYTES];
    size_t raw_len = 0;
    const char *b64_end = NULL;
    char canon[PUB_B64_CHARS + 1];
    int key_ok = key_chars == PUB_B64_CHARS &&
                 sodium_base642bin(raw, sizeof raw, p, key_chars, NULL, &raw_len, &b64_end,
                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
                 raw_len == sizeof raw && b64_end == key_end;
    if (key_ok) {
        /* Only the canonical spelling (zero trailing bits) is accepted. */
        sodium_bin2base64(canon, sizeof canon, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        key_ok = memcmp(canon, p, PUB_B64_CHARS) == 0;
    }
    if (!key_ok)
        return dberr_set(err, DB_EFORMAT,
                         "%s: the key is damaged (expected %d characters of URL-safe base64 "
                         "after \"" PUB_MAGIC " \")",
                         name, PUB_B64_CHARS);
    if (!sp)
        return dberr_set(err, DB_EFORMAT, "%s: missing fingerprint after the key", name);
    p = sp + 1;

    size_t fp_field = (size_t)(end - p);
    const char *fp_end = memchr(p, ' ', fp_field);
    size_t fp_len = fp_end ? (size_t)(fp_end - p) : fp_field;
    if (!is_fingerprint_shape(p, fp_len))
        return dberr_set(err, DB_EFORMAT,
                         "%s: the fingerprint is not of the form XXXX-XXXX-XXXX-XXXX", name);
    if (fp_len != fp_field)
        return dberr_set(err, DB_EFORMAT, "%s: unexpected text after the fingerprint", name);
    char fp[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(raw, sizeof raw, fp);
    if (memcmp(fp, p, KEY_FINGERPRINT_SIZE - 1) != 0)
        return dberr_set(err, DB_EFORMAT,
                         "%s: fingerprint does not match the key (file damaged or edited)", name);
    KeyPublic k;
    memcpy(k.pk, raw, KEY_PUBLIC_BYTES);
    memcpy(k.sign_pk, raw + KEY_PUBLIC_BYTES, KEY_SIGN_PUBLIC_BYTES);
    if (keys_public_check(&k) != 0)
        return dberr_set(err, DB_EFORMAT,
                         "%s: not a usable public key (a degenerate point that no secret key "
                         "matches: the file was made by hand or damaged)",
                         name);
    *pub = k;
    return DB_OK;
}

int keys_public_check(const KeyPublic *pub)
{
    /* A low-order X25519 point has no secret key: crypto_box_seal to it fails (libsodium
     * refuses the all-zero shared secret), which would surface only when a participant
     * submits. A signing key off the main subgroup would fail every verification. Refuse
     * both. scalarmult with any scalar gives zero (-1) exactly for low-order points,
     * because the clamped scalar is a multiple of the cofactor. */
    uint8_t scalar[crypto_scalarmult_SCALARBYTES] = {1}, shared[crypto_scalarmult_BYTES];
    int weak = crypto_scalarmult(shared, scalar, pub->pk) != 0 ||
               !crypto_core_ed25519_is_valid_point(pub->sign_pk);
    sodium_memzero(shared, sizeof shared);
    return weak ? -1 : 0;
}

int keys_public_read(const char *path, KeyPublic *pub, DbError *err)
{
    memset(pub, 0, sizeof *pub);
    uint8_t *data;
    size_t len;
    int rc = fs_read_file(path, PUB_FILE_MAX, 1, &data, &len, err);
    if (rc == DB_ELIMIT)
        return dberr_set(err, DB_EFORMAT, "%s: not a Debrief public key (larger than %d bytes)",
                         path, PUB_FILE_MAX);
    if (rc != DB_OK)
        return rc;
    rc = keys_public_parse(path, (const char *)data, len, pub, err);
    free(data);
    return rc;
}

int keys_public_write(const char *path, const KeyPublic *pub, DbError *err)
{
    char line[256];
    size_t n = keys_public_format(pub, line, sizeof line);
    if (n == 0)
        return dberr_set(err, DB_ELIMIT, "%s: public key line does not fit", path);
    return fs_write_atomic(path, line, n, 0644, err);
}

/* --- secret key file --- */

typedef struct SkFile {
    uint64_t ops, mem;
    const uint8_t *salt, *pub, *nonce, *box;
} SkFile;

/* Structural checks, in file order, before any secret is touched. */
static int sk_parse(const char *name, const uint8_t *d, size_t len, SkFile *f, DbError *err)
{
    if (len < 4 || memcmp(d, SK_MAGIC, 4) != 0) {
        size_t stem = strlen(PUB_MAGIC_STEM);
        if (len >= stem && memcmp(d, PUB_MAGIC_STEM, stem) == 0)
            return dberr_set(err, DB_EFORMAT,
                             "%s: is a public key file; give the secret key (.key) file", name);
        if (len >= 4 && memcmp(d, ID_MAGIC, 4) == 0)
            return dberr_set(err, DB_EFORMAT,
                             "%s: is a kiosk identity file, not an analyst secret key", name);
        return dberr_set(
            err, DB_EFORMAT,
            "%s: not a Debrief secret key file (expected \"" SK_MAGIC "\" at offset 0)", name);
    }
    if (len <= SK_OFF_VERSION)
        return dberr_set(err, DB_EFORMAT, "%s: %zu bytes, shorter than its header", name, len);
    if (d[SK_OFF_VERSION] != SK_VERSION)
        return dberr_set(err, DB_EFORMAT,
                         "%s: offset %d: unsupported secret key file version %u (this program "
                         "reads version %d)",
                         name, SK_OFF_VERSION, d[SK_OFF_VERSION], SK_VERSION);
    if (len <= SK_OFF_KDF)
        return dberr_set(err, DB_EFORMAT, "%s: %zu bytes, shorter than its header", name, len);
    if (d[SK_OFF_KDF] != SK_KDF_ARGON2ID13)
        return dberr_set(err, DB_EFORMAT, "%s: offset %d: unknown key derivation algorithm %u",
                         name, SK_OFF_KDF, d[SK_OFF_KDF]);
    if (len != SK_FILE_BYTES)
        return dberr_set(err, DB_EFORMAT, "%s: %zu bytes, expected %d for a version %d secret key",
                         name, len, SK_FILE_BYTES, SK_VERSION);
    f->ops = get_u64be(d + SK_OFF_OPS);
    f->mem = get_u64be(d + SK_OFF_MEM);
    if (f->ops < SK_OPS_MIN || f->ops > SK_OPS_MAX)
        return dberr_set(err, DB_EFORMAT,
                         "%s: offset %d: Argon2id opslimit %llu is outside %llu..%llu", name,
                         SK_OFF_OPS, (unsigned long long)f->ops, (unsigned long long)SK_OPS_MIN,
                         (unsigned long long)SK_OPS_MAX);
    if (!kdf_params_ok(f->ops, f->mem))
        return dberr_set(err, DB_EFORMAT,
                         "%s: offset %d: Argon2id memlimit %llu bytes is not a multiple of 1024 "
                         "within %llu..%llu",
                         name, SK_OFF_MEM, (unsigned long long)f->mem,
                         (unsigned long long)SK_MEM_MIN, (unsigned long long)SK_MEM_MAX);
    f->salt = d + SK_OFF_SALT;
    f->pub = d + SK_OFF_PUB;
    f->nonce = d + SK_OFF_NONCE;
    f->box = d + SK_OFF_BOX;
    return DB_OK;
}

/* Argon2id(passphrase, salt) -> 32-byte secretbox key. */
static int sk_derive(const char *passphrase, size_t pass_len, const uint8_t *salt, uint64_t ops,
                     uint64_t mem, uint8_t key[crypto_secretbox_KEYBYTES])
{
    return crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase, pass_len, salt,
                         (unsigned long long)ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13);
}

int keys_secret_seal(const KeySecret *sec, const char *passphrase, size_t pass_len,
                     KeyKdfParams kdf, uint8_t **out, size_t *out_len, DbError *err)
{
    *out = NULL;
    *out_len = 0;
    if (pass_len < KEY_PASSPHRASE_MIN)
        return dberr_set(err, DB_EINVAL, "passphrase too short: use at least %d characters",
                         KEY_PASSPHRASE_MIN);
    if (!kdf_params_ok(kdf.opslimit, kdf.memlimit))
        return dberr_set(err, DB_EINVAL,
                         "Argon2id parameters out of range (opslimit %llu..%llu, memlimit a "
                         "multiple of 1024 in %llu..%llu bytes)",
                         (unsigned long long)SK_OPS_MIN, (unsigned long long)SK_OPS_MAX,
                         (unsigned long long)SK_MEM_MIN, (unsigned long long)SK_MEM_MAX);
    uint8_t *d = malloc(SK_FILE_BYTES);
    if (!d)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    memcpy(d, SK_MAGIC, 4);
    d[SK_OFF_VERSION] = SK_VERSION;
    d[SK_OFF_KDF] = SK_KDF_ARGON2ID13;
    put_u64be(d + SK_OFF_OPS, kdf.opslimit);
    put_u64be(d + SK_OFF_MEM, kdf.memlimit);
    randombytes_buf(d + SK_OFF_SALT, crypto_pwhash_SALTBYTES);
    memcpy(d + SK_OFF_PUB, sec->pub.pk, KEY_PUBLIC_BYTES);
    memcpy(d + SK_OFF_PUB + KEY_PUBLIC_BYTES, sec->pub.sign_pk, KEY_SIGN_PUBLIC_BYTES);
    randombytes_buf(d + SK_OFF_NONCE, crypto_secretbox_NONCEBYTES);
    uint8_t key[crypto_secretbox_KEYBYTES];
    if (sk_derive(passphrase, pass_len, d + SK_OFF_SALT, kdf.opslimit, kdf.memlimit, key) != 0) {
        sodium_memzero(key, sizeof key);
        free(d);
        return dberr_set(err, DB_ENOMEM, "key derivation (Argon2id) failed: out of memory");
    }
    crypto_secretbox_easy(d + SK_OFF_BOX, sec->secrets, sizeof sec->secrets, d + SK_OFF_NONCE, key);
    sodium_memzero(key, sizeof key);
    *out = d;
    *out_len = SK_FILE_BYTES;
    return DB_OK;
}

int keys_secret_open(const char *name, const uint8_t *data, size_t len, const char *passphrase,
                     size_t pass_len, KeySecret **sec, DbError *err)
{
    *sec = NULL;
    SkFile f = {0};
    int rc = sk_parse(name, data, len, &f, err);
    if (rc != DB_OK)
        return rc;
    KeySecret *s = secret_alloc();
    if (!s)
        return dberr_set(err, DB_ENOMEM, "out of memory for a secret key");
    uint8_t key[crypto_secretbox_KEYBYTES];
    if (sk_derive(passphrase, pass_len, f.salt, f.ops, f.mem, key) != 0) {
        rc = dberr_set(err, DB_ENOMEM, "%s: key derivation (Argon2id) failed: out of memory", name);
        goto fail;
    }
    if (crypto_secretbox_open_easy(s->secrets, f.box, SK_BOX_BYTES, f.nonce, key) != 0) {
        rc = dberr_set(err, DB_EAUTH, DBERR_AUTH_MSG);
        goto fail;
    }
    /* The clear public copy is not under the MAC: it must be what the secrets give. */
    secret_finish(s);
    if (sodium_memcmp(s->pub.pk, f.pub, KEY_PUBLIC_BYTES) != 0 ||
        sodium_memcmp(s->pub.sign_pk, f.pub + KEY_PUBLIC_BYTES, KEY_SIGN_PUBLIC_BYTES) != 0) {
        rc = dberr_set(err, DB_EAUTH, DBERR_AUTH_MSG);
        goto fail;
    }
    sodium_memzero(key, sizeof key);
    *sec = s;
    return DB_OK;
fail:
    sodium_memzero(key, sizeof key);
    keys_secret_free(s);
    return rc;
}

int keys_secret_file_public(const char *name, const uint8_t *data, size_t len, KeyPublic *pub,
                            DbError *err)
{
    memset(pub, 0, sizeof *pub);
    SkFile f = {0};
    int rc = sk_parse(name, data, len, &f, err);
    if (rc != DB_OK)
        return rc;
    memcpy(pub->pk, f.pub, KEY_PUBLIC_BYTES);
    memcpy(pub->sign_pk, f.pub + KEY_PUBLIC_BYTES, KEY_SIGN_PUBLIC_BYTES);
    return DB_OK;
}

int keys_secret_read(const char *path, const char *passphrase, size_t pass_len, KeySecret **sec,
                     DbError *err)
{
    *sec = NULL;
    uint8_t *data;
    size_t len;
    int rc = fs_read_file(path, SK_FILE_MAX, 1, &data, &len, err);
    if (rc == DB_ELIMIT)
        return dberr_set(err, DB_EFORMAT,
                         "%s: not a Debrief secret key file (larger than %d bytes)", path,
                         SK_FILE_MAX);
    if (rc != DB_OK)
        return rc;
    rc = keys_secret_open(path, data, len, passphrase, pass_len, sec, err);
    free(data);
    return rc;
}

int keys_secret_write(const char *path, const KeySecret *sec, const char *passphrase,
                      size_t pass_len, KeyKdfParams kdf, DbError *err)
{
    uint8_t *data;
    size_t len;
    int rc = keys_secret_seal(sec, passphrase, pass_len, kdf, &data, &len, err);
    if (rc != DB_OK)
        return rc;
    rc = fs_write_atomic(path, data, len, 0600, err);
    free(data);
    return rc;
}

/* --- kiosk identity --- */

static int identity_from_seed(const uint8_t seed[crypto_sign_SEEDBYTES], KeyIdentity **id,
                              DbError *err)
{
    KeyIdentity *k = sodium_malloc(sizeof *k);
    if (!k)
        return dberr_set(err, DB_ENOMEM, "out of memory for the kiosk identity");
    memcpy(k->seed, seed, sizeof k->seed);
    crypto_sign_seed_keypair(k->pk, k->sk, k->seed);
    sodium_mprotect_readonly(k);
    *id = k;
    return DB_OK;
}

static int identity_create(const char *path, KeyIdentity **id, DbError *err)
{
    uint8_t file[ID_FILE_BYTES];
    memcpy(file, ID_MAGIC, 4);
    file[4] = ID_VERSION;
    randombytes_buf(file + 5, crypto_sign_SEEDBYTES);
    int rc = fs_write_atomic(path, file, sizeof file, 0600, err);
    if (rc == DB_OK)
        rc = identity_from_seed(file + 5, id, err);
    sodium_memzero(file, sizeof file);
    return rc;
}

int keys_identity_load_or_create(const char *path, KeyIdentity **id, int *created, DbError *err)
{
    *id = NULL;
    *created = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) {
            int rc = identity_create(path, id, err);
            if (rc == DB_OK)
                *created = 1;
            return rc;
        }
        if (e == ELOOP)
            return dberr_set(err, DB_EIO, "%s: is a symbolic link; refusing to follow it", path);
        return dberr_set(err, DB_EIO, "%s: %s", path, strerror(e));
    }
    /* Checks on the open descriptor, so the file cannot be swapped between check and read. */
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return dberr_set(err, DB_EIO, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return dberr_set(err, DB_EIO, "%s: not a regular file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        return dberr_set(err, DB_EINVAL,
                         "%s: permissions %03o let other users read the kiosk identity; fix "
                         "with: chmod 600 %s",
                         path, (unsigned)(st.st_mode & 0777), path);
    }
    if (st.st_size != ID_FILE_BYTES) {
        close(fd);
        return dberr_set(err, DB_EFORMAT,
                         "%s: %lld bytes, expected %d (not a Debrief kiosk identity file)", path,
                         (long long)st.st_size, ID_FILE_BYTES);
    }
    uint8_t file[ID_FILE_BYTES + 1];
    size_t got = 0;
    int rc = DB_OK;
    while (got < sizeof file) {
        ssize_t n = read(fd, file + got, sizeof file - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = dberr_set(err, DB_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (rc != DB_OK)
        goto done;
    if (got != ID_FILE_BYTES) {
        rc = dberr_set(err, DB_EFORMAT, "%s: %zu bytes, expected %d (changed while reading?)", path,
                       got, ID_FILE_BYTES);
        goto done;
    }
    if (memcmp(file, ID_MAGIC, 4) != 0) {
        rc = dberr_set(
            err, DB_EFORMAT,
            "%s: not a Debrief kiosk identity file (expected \"" ID_MAGIC "\" at offset 0)", path);
        goto done;
    }
    if (file[4] != ID_VERSION) {
        rc = dberr_set(err, DB_EFORMAT,
                       "%s: offset 4: unsupported identity file version %u (this program reads "
                       "version %d)",
                       path, file[4], ID_VERSION);
        goto done;
    }
    rc = identity_from_seed(file + 5, id, err);
done:
    sodium_memzero(file, sizeof file);
    return rc;
}

void keys_identity_free(KeyIdentity *id)
{
    if (!id)
        return;
    sodium_mprotect_readwrite(id);
    sodium_free(id);
}

void keys_identity_public(const KeyIdentity *id, uint8_t pk[KEY_SIGN_PUBLIC_BYTES])
{
    memcpy(pk, id->pk, KEY_SIGN_PUBLIC_BYTES);
}

void keys_identity_sign(const KeyIdentity *id, const uint8_t *msg, size_t len,
                        uint8_t sig[KEY_SIGNATURE_BYTES])
{
    crypto_sign_detached(sig, NULL, msg, len, id->sk);
}

int keys_signature_verify(const uint8_t pk[KEY_SIGN_PUBLIC_BYTES], const uint8_t *msg, size_t len,
                          const uint8_t sig[KEY_SIGNATURE_BYTES])
{
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? 0 : -1;
}
