/* Tests for crypto/secmem and crypto/keys: secure memory, fingerprints, the public and
 * secret key files, the kiosk identity, and the known-answer files in tests/vectors/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "keys.h"
#include "secmem.h"
#include "testlib.h"
#include "vectors/vectors.h"

static char tmpdir[256];
static char vecdir[1024];

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void vec_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", vecdir, name);
}

/* Reads a vector file; aborts the program if it is missing (the tests cannot mean anything). */
static uint8_t *vec_read(const char *name, size_t *len)
{
    char path[2048];
    vec_path(path, sizeof path, name);
    uint8_t *data;
    DbError err;
    if (fs_read_file(path, 1 << 20, 0, &data, len, &err) != DB_OK) {
        fprintf(stderr, "cannot read test vector: %s\n", err.msg);
        exit(1);
    }
    return data;
}

static int is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* --- secmem --- */

static void test_secmem(void)
{
    uint8_t *p = secmem_alloc(100);
    CHECK(p != NULL);
    CHECK(p && is_zero(p, 100));
    if (p) {
        memset(p, 0xab, 100);
        secmem_wipe(p, 50);
        CHECK(is_zero(p, 50) && p[50] == 0xab && p[99] == 0xab);
    }
    secmem_free(p);
    secmem_free(NULL); /* no-op */
    secmem_wipe(NULL, 0);

    uint8_t stack[32];
    memset(stack, 0x55, sizeof stack);
    secmem_wipe(stack, sizeof stack);
    CHECK(is_zero(stack, sizeof stack));

    uint8_t a[32], b[32];
    secmem_random(a, sizeof a);
    secmem_random(b, sizeof b);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(!is_zero(a, sizeof a));

    int seen[7] = {0}, bad = 0;
    for (int i = 0; i < 700; i++) {
        uint32_t r = secmem_random_below(7);
        if (r >= 7)
            bad++;
        else
            seen[r]++;
    }
    CHECK(bad == 0);
    for (int i = 0; i < 7; i++)
        CHECK(seen[i] > 0);
    CHECK(secmem_random_below(1) == 0);
}

/* --- fingerprints --- */

static void test_fingerprint_known_answers(void)
{
    /* Computed independently (Python hashlib.blake2b, see docs/FORMAT.md "Fingerprints"). */
    uint8_t bytes[64];
    for (int i = 0; i < 64; i++)
        bytes[i] = (uint8_t)i;
    char fp[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(bytes, 64, fp);
    CHECK_STR(fp, "G9M2-HQVH-DF4G-WYXK");
    keys_fingerprint(bytes, 32, fp);
    CHECK_STR(fp, "B35D-RHNS-1D8H-ZV77");

    KeyPublic pub;
    memcpy(pub.pk, bytes, 32);
    memcpy(pub.sign_pk, bytes + 32, 32);
    keys_public_fingerprint(&pub, fp);
    CHECK_STR(fp, "G9M2-HQVH-DF4G-WYXK");

    /* Any change of the key changes the fingerprint. */
    bytes[63] ^= 1;
    keys_fingerprint(bytes, 64, fp);
    CHECK(strcmp(fp, "G9M2-HQVH-DF4G-WYXK") != 0);
    CHECK(strlen(fp) == KEY_FINGERPRINT_SIZE - 1 && fp[4] == '-' && fp[9] == '-' && fp[14] == '-');
}

/* --- the analyst's key pair and public key file --- */

static void test_generate_format_parse(void)
{
    KeyPublic pub, parsed, from_sec;
    KeySecret *sec = NULL;
    DbError err;
    CHECK(keys_generate(&pub, &sec, &err) == DB_OK);
    CHECK(sec != NULL);
    keys_secret_public(sec, &from_sec);
    CHECK(memcmp(&pub, &from_sec, sizeof pub) == 0);
    uint8_t id[KEY_ID_BYTES], sid[KEY_ID_BYTES];
    keys_public_id(&pub, id);
    keys_secret_id(sec, sid);
    CHECK(memcmp(id, sid, KEY_ID_BYTES) == 0);
    const uint8_t some_id[KEY_ID_BYTES] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
    char hex[KEY_ID_HEX_SIZE];
    keys_id_hex(some_id, hex);
    CHECK_STR(hex, "00017f80abcdefff");

    char line[256];
    size_t n = keys_public_format(&pub, line, sizeof line);
    CHECK(n == 128 && strlen(line) == n && line[n - 1] == '\n');
    CHECK(strncmp(line, "debrief-public-key-1 ", 21) == 0);
    CHECK(keys_public_format(&pub, line, 128) == 0); /* no room for the NUL */
    n = keys_public_format(&pub, line, sizeof line);
    CHECK(keys_public_parse("a.pub", line, n, &parsed, &err) == DB_OK);
    CHECK(memcmp(&pub, &parsed, sizeof pub) == 0);

    char fp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&pub, fp);
    CHECK(memcmp(line + n - 20, fp, 19) == 0);

    /* Signatures by the analyst's key verify with the public half, and only for that message. */
    uint8_t sig[KEY_SIGNATURE_BYTES];
    keys_secret_sign(sec, (const uint8_t *)"ack", 3, sig);
    CHECK(keys_signature_verify(pub.sign_pk, (const uint8_t *)"ack", 3, sig) == 0);
    CHECK(keys_signature_verify(pub.sign_pk, (const uint8_t *)"acK", 3, sig) == -1);
    sig[10] ^= 1;
    CHECK(keys_signature_verify(pub.sign_pk, (const uint8_t *)"ack", 3, sig) == -1);

    /* Two key pairs differ. */
    KeyPublic pub2;
    KeySecret *sec2 = NULL;
    CHECK(keys_generate(&pub2, &sec2, &err) == DB_OK);
    CHECK(memcmp(&pub, &pub2, sizeof pub) != 0);
    keys_secret_free(sec2);
    keys_secret_free(sec);
    keys_secret_free(NULL);
}

static void test_public_parse_tolerates_line_endings(void)
{
    size_t len;
    char *text = (char *)vec_read(VEC_ANALYST_PUB, &len);
    KeyPublic a, b;
    DbError err;
    CHECK(keys_public_parse("analyst.pub", text, len, &a, &err) == DB_OK);
    /* Missing final newline. */
    CHECK(keys_public_parse("analyst.pub", text, len - 1, &b, &err) == DB_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    /* CRLF. */
    char crlf[200];
    memcpy(crlf, text, len - 1);
    crlf[len - 1] = '\r';
    crlf[len] = '\n';
    CHECK(keys_public_parse("analyst.pub", crlf, len + 1, &b, &err) == DB_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    free(text);
}

/* One table row: a transformation of the vector's public key line and the exact message. */
typedef struct ParseCase {
    const char *what;
    const char *text; /* NULL: built from the vector line by the code below */
    const char *msg;
} ParseCase;

static void expect_parse_error(const char *text, size_t len, const char *msg)
{
    KeyPublic pub;
    DbError err;
    memset(&pub, 0x77, sizeof pub);
    int rc = keys_public_parse("analyst.pub", text, len, &pub, &err);
    CHECK(rc == DB_EFORMAT);
    if (rc == DB_EFORMAT)
        CHECK_STR(err.msg, msg);
    CHECK(is_zero(&pub, sizeof pub));
}

static void test_public_parse_errors(void)
{
    static const ParseCase fixed[] = {
        {"empty", "", "analyst.pub: not a Debrief public key (expected \"debrief-public-key-1\")"},
        {"other text", "hello world\n",
         "analyst.pub: not a Debrief public key (expected \"debrief-public-key-1\")"},
        {"ssh key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC user@host\n",
         "analyst.pub: not a Debrief public key (expected \"debrief-public-key-1\")"},
        {"secret key file", "DBRK\x01\x01\0\0",
         "analyst.pub: is a secret key file; give the .pub file"},
        {"identity file", "DBRI\x01",
         "analyst.pub: is a kiosk identity file, not an analyst public key; give the .pub file"},
        {"future version", "debrief-public-key-2 AAAA XXXX-XXXX-XXXX-XXXX\n",
         "analyst.pub: unsupported public key format \"debrief-public-key-2\" (this program reads "
         "\"debrief-public-key-1\")"},
        {"magic only", "debrief-public-key-1\n",
         "analyst.pub: missing the key after \"debrief-public-key-1\""},
        {"magic and space", "debrief-public-key-1 \n",
         "analyst.pub: the key is damaged (expected 86 characters of URL-safe base64 after "
         "\"debrief-public-key-1 \")"},
        {"short key", "debrief-public-key-1 AAAA QPR4-6NCE-0CRC-GHR9\n",
         "analyst.pub: the key is damaged (expected 86 characters of URL-safe base64 after "
         "\"debrief-public-key-1 \")"},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        size_t len = strlen(fixed[i].text);
        if (strncmp(fixed[i].text, "DBR", 3) == 0)
            len = fixed[i].text[3] == 'K' ? 8 : 5;
        expect_parse_error(fixed[i].text, len, fixed[i].msg);
    }

    size_t vlen;
    char *vec = (char *)vec_read(VEC_ANALYST_PUB, &vlen);
    char t[300];
    const size_t key_at = 21, fp_at = 21 + 86 + 1;

    /* A changed key character: still valid base64, so the fingerprint catches it. */
    memcpy(t, vec, vlen);
    t[key_at + 10] = t[key_at + 10] == 'A' ? 'B' : 'A';
    expect_parse_error(t, vlen,
                       "analyst.pub: fingerprint does not match the key (file damaged or edited)");
    /* A changed fingerprint character. */
    memcpy(t, vec, vlen);
    t[fp_at] = t[fp_at] == '0' ? '1' : '0';
    expect_parse_error(t, vlen,
                       "analyst.pub: fingerprint does not match the key (file damaged or edited)");
    /* Lower case, or a missing group, is not the fingerprint form. */
    memcpy(t, vec, vlen);
    t[fp_at + 1] = (char)(t[fp_at + 1] | 0x20);
    if (t[fp_at + 1] >= 'a' && t[fp_at + 1] <= 'z')
        expect_parse_error(t, vlen,
                           "analyst.pub: the fingerprint is not of the form XXXX-XXXX-XXXX-XXXX");
    expect_parse_error(vec, vlen - 5,
                       "analyst.pub: the fingerprint is not of the form XXXX-XXXX-XXXX-XXXX");
    /* Key without a fingerprint. */
    expect_parse_error(vec, fp_at - 1, "analyst.pub: missing fingerprint after the key");
    /* A character that is not base64url, and a key one character short. */
    memcpy(t, vec, vlen);
    t[key_at + 3] = '+';
    expect_parse_error(t, vlen,
                       "analyst.pub: the key is damaged (expected 86 characters of URL-safe "
                       "base64 after \"debrief-public-key-1 \")");
    memcpy(t, vec, key_at + 85);
    memcpy(t + key_at + 85, vec + key_at + 86, vlen - key_at - 86);
    expect_parse_error(t, vlen - 1,
                       "analyst.pub: the key is damaged (expected 86 characters of URL-safe "
                       "base64 after \"debrief-public-key-1 \")");
    /* Non-canonical last character (non-zero unused bits) of the 86-character key. */
    memcpy(t, vec, vlen);
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *pos = strchr(b64, t[key_at + 85]);
    CHECK(pos != NULL && (pos - b64) % 16 == 0); /* 4 unused bits are zero */
    t[key_at + 85] = b64[(pos - b64) + 1];
    expect_parse_error(t, vlen,
                       "analyst.pub: the key is damaged (expected 86 characters of URL-safe "
                       "base64 after \"debrief-public-key-1 \")");
    /* Two spaces between fields. */
    memcpy(t, vec, key_at);
    t[key_at] = ' ';
    memcpy(t + key_at + 1, vec + key_at, vlen - key_at);
    expect_parse_error(t, vlen + 1,
                       "analyst.pub: the key is damaged (expected 86 characters of URL-safe "
                       "base64 after \"debrief-public-key-1 \")");
    /* Text after the fingerprint: a comment, a second line, a trailing space. */
    memcpy(t, vec, vlen - 1);
    memcpy(t + vlen - 1, " x\n", 3);
    expect_parse_error(t, vlen + 2, "analyst.pub: unexpected text after the fingerprint");
    memcpy(t, vec, vlen);
    memcpy(t + vlen, vec, vlen);
    expect_parse_error(t, 2 * vlen,
                       "analyst.pub: the fingerprint is not of the form XXXX-XXXX-XXXX-XXXX");
    memcpy(t, vec, vlen - 1);
    memcpy(t + vlen - 1, " \n", 2);
    expect_parse_error(t, vlen + 1, "analyst.pub: unexpected text after the fingerprint");
    free(vec);
}

/* Keys that are well formed, with a matching fingerprint, but degenerate: refused at load,
 * not when the first participant submits. */
static void test_public_parse_refuses_weak_points(void)
{
    KeyPublic good;
    KeySecret *sec = NULL;
    DbError err;
    CHECK(keys_generate(&good, &sec, &err) == DB_OK);
    keys_secret_free(sec);
    /* X25519 points of small order: 0 (order 2... the all-zero point), 1 (order 4), and the
     * order-8 point 0xe0eb7a7c...; each makes crypto_box_seal fail. */
    static const uint8_t order8[32] = {0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae,
                                       0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
                                       0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd,
                                       0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00};
    uint8_t low[3][32] = {{0}, {1}, {0}};
    memcpy(low[2], order8, 32);
    const char *want = "analyst.pub: not a usable public key (a degenerate point that no secret "
                       "key matches: the file was made by hand or damaged)";
    for (int i = 0; i < 3; i++) {
        KeyPublic weak = good;
        memcpy(weak.pk, low[i], 32);
        char line[256];
        size_t n = keys_public_format(&weak, line, sizeof line);
        KeyPublic out;
        CHECK(keys_public_parse("analyst.pub", line, n, &out, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, want);
    }
    /* A signing key of small order (the Ed25519 identity point). */
    KeyPublic weak = good;
    memset(weak.sign_pk, 0, sizeof weak.sign_pk);
    weak.sign_pk[0] = 1;
    char line[256];
    size_t n = keys_public_format(&weak, line, sizeof line);
    KeyPublic out;
    CHECK(keys_public_parse("analyst.pub", line, n, &out, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, want);
    /* The good key still parses. */
    n = keys_public_format(&good, line, sizeof line);
    CHECK(keys_public_parse("analyst.pub", line, n, &out, &err) == DB_OK);
}

static void test_public_file_io(void)
{
    KeyPublic pub, back;
    KeySecret *sec;
    DbError err;
    CHECK(keys_generate(&pub, &sec, &err) == DB_OK);
    char path[512];
    tmp_path(path, sizeof path, "io.pub");
    CHECK(keys_public_write(path, &pub, &err) == DB_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
    CHECK(keys_public_read(path, &back, &err) == DB_OK);
    CHECK(memcmp(&pub, &back, sizeof pub) == 0);

    tmp_path(path, sizeof path, "missing.pub");
    CHECK(keys_public_read(path, &back, &err) == DB_ENOENT);

    /* A secret key file given where the public key is expected is named as such. */
    tmp_path(path, sizeof path, "io.key");
    CHECK(keys_secret_write(path, sec, "long enough pass", 16, keys_kdf_fast_for_tests(), &err) ==
          DB_OK);
    CHECK(keys_public_read(path, &back, &err) == DB_EFORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s: is a secret key file; give the .pub file", path);
    CHECK_STR(err.msg, want);
    keys_secret_free(sec);
}

/* --- secret key file --- */

static void test_secret_roundtrip(void)
{
    KeyPublic pub, back;
    KeySecret *sec, *opened = NULL;
    DbError err;
    CHECK(keys_generate(&pub, &sec, &err) == DB_OK);
    uint8_t *file = NULL;
    size_t len = 0;
    const char *pass = "12345678"; /* exactly KEY_PASSPHRASE_MIN */
    CHECK(keys_secret_seal(sec, pass, 8, keys_kdf_fast_for_tests(), &file, &len, &err) == DB_OK);
    CHECK(len == 206 && memcmp(file, "DBRK\x01\x01", 6) == 0);
    CHECK(memcmp(file + 38, pub.pk, 32) == 0 && memcmp(file + 70, pub.sign_pk, 32) == 0);
    CHECK(keys_secret_open("k", file, len, pass, 8, &opened, &err) == DB_OK);
    CHECK(opened != NULL);
    if (opened) {
        keys_secret_public(opened, &back);
        CHECK(memcmp(&pub, &back, sizeof pub) == 0);
        /* Ed25519 is deterministic: same key, same signature. */
        uint8_t s1[KEY_SIGNATURE_BYTES], s2[KEY_SIGNATURE_BYTES];
        keys_secret_sign(sec, (const uint8_t *)"m", 1, s1);
        keys_secret_sign(opened, (const uint8_t *)"m", 1, s2);
        CHECK(memcmp(s1, s2, sizeof s1) == 0);
    }
    keys_secret_free(opened);
    CHECK(keys_secret_file_public("k", file, len, &back, &err) == DB_OK);
    CHECK(memcmp(&pub, &back, sizeof pub) == 0);

    /* Two seals of the same key differ (fresh salt and nonce). */
    uint8_t *file2 = NULL;
    size_t len2 = 0;
    CHECK(keys_secret_seal(sec, pass, 8, keys_kdf_fast_for_tests(), &file2, &len2, &err) == DB_OK);
    CHECK(len2 == len && memcmp(file + 22, file2 + 22, 16) != 0);
    free(file2);

    /* Wrong passphrase: one message; an empty passphrase too. */
    opened = (KeySecret *)file; /* must be reset to NULL */
    CHECK(keys_secret_open("k", file, len, "12345679", 8, &opened, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);
    CHECK(opened == NULL);
    CHECK(keys_secret_open("k", file, len, "", 0, &opened, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);

    /* A clear public copy that does not belong to the secrets is an altered file. */
    KeyPublic other;
    KeySecret *osec;
    CHECK(keys_generate(&other, &osec, &err) == DB_OK);
    memcpy(file + 38, other.pk, 32);
    CHECK(keys_secret_open("k", file, len, pass, 8, &opened, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);
    memcpy(file + 38, pub.pk, 32);
    memcpy(file + 70, other.sign_pk, 32);
    CHECK(keys_secret_open("k", file, len, pass, 8, &opened, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);
    keys_secret_free(osec);
    free(file);

    /* Short passphrases are refused when sealing. */
    file = (uint8_t *)"x";
    CHECK(keys_secret_seal(sec, "1234567", 7, keys_kdf_fast_for_tests(), &file, &len, &err) ==
          DB_EINVAL);
    CHECK_STR(err.msg, "passphrase too short: use at least 8 characters");
    CHECK(file == NULL && len == 0);
    /* So are KDF parameters a reader would refuse. */
    KeyKdfParams bad = {1, 8192 + 1};
    CHECK(keys_secret_seal(sec, pass, 8, bad, &file, &len, &err) == DB_EINVAL);
    bad.memlimit = (uint64_t)2 << 30;
    CHECK(keys_secret_seal(sec, pass, 8, bad, &file, &len, &err) == DB_EINVAL);
    bad.memlimit = 8192;
    bad.opslimit = 0;
    CHECK(keys_secret_seal(sec, pass, 8, bad, &file, &len, &err) == DB_EINVAL);
    KeyKdfParams def = keys_kdf_default();
    CHECK(def.opslimit == 3 && def.memlimit == 256u * 1024 * 1024);
    keys_secret_free(sec);
}

static void test_secret_file_io(void)
{
    KeyPublic pub;
    KeySecret *sec, *opened = NULL;
    DbError err;
    CHECK(keys_generate(&pub, &sec, &err) == DB_OK);
    char path[512];
    tmp_path(path, sizeof path, "analyst.key");
    CHECK(keys_secret_write(path, sec, "a passphrase", 12, keys_kdf_fast_for_tests(), &err) ==
          DB_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 206);
    CHECK(keys_secret_read(path, "a passphrase", 12, &opened, &err) == DB_OK);
    keys_secret_free(opened);
    CHECK(keys_secret_read(path, "a passphrasE", 12, &opened, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);
    CHECK(opened == NULL);
    CHECK(keys_secret_write(path, sec, "short", 5, keys_kdf_fast_for_tests(), &err) == DB_EINVAL);
    /* The file from before is untouched. */
    CHECK(keys_secret_read(path, "a passphrase", 12, &opened, &err) == DB_OK);
    keys_secret_free(opened);
    tmp_path(path, sizeof path, "nothere.key");
    CHECK(keys_secret_read(path, "a passphrase", 12, &opened, &err) == DB_ENOENT);
    /* A public key file given where the secret key is expected. */
    tmp_path(path, sizeof path, "analyst.pub");
    CHECK(keys_public_write(path, &pub, &err) == DB_OK);
    CHECK(keys_secret_read(path, "a passphrase", 12, &opened, &err) == DB_EFORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s: is a public key file; give the secret key (.key) file", path);
    CHECK_STR(err.msg, want);
    keys_secret_free(sec);
}

static void expect_sk_error(const uint8_t *d, size_t len, const char *msg)
{
    KeySecret *sec = NULL;
    KeyPublic pub;
    DbError err;
    int rc = keys_secret_open("a.key", d, len, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &sec, &err);
    CHECK(rc == DB_EFORMAT && sec == NULL);
    if (rc == DB_EFORMAT)
        CHECK_STR(err.msg, msg);
    CHECK(keys_secret_file_public("a.key", d, len, &pub, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, msg);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void test_secret_format_errors(void)
{
    size_t len;
    uint8_t *vec = vec_read(VEC_ANALYST_KEY, &len);
    uint8_t d[300];
    CHECK(len == 206);

    expect_sk_error((const uint8_t *)"", 0,
                    "a.key: not a Debrief secret key file (expected \"DBRK\" at offset 0)");
    expect_sk_error((const uint8_t *)"PK\x03\x04zipfile", 11,
                    "a.key: not a Debrief secret key file (expected \"DBRK\" at offset 0)");
    expect_sk_error((const uint8_t *)"debrief-public-key-1 abc", 24,
                    "a.key: is a public key file; give the secret key (.key) file");
    expect_sk_error((const uint8_t *)"DBRI\x01", 5,
                    "a.key: is a kiosk identity file, not an analyst secret key");
    expect_sk_error(vec, 4, "a.key: 4 bytes, shorter than its header");
    memcpy(d, vec, len);
    d[4] = 2;
    expect_sk_error(d, len,
                    "a.key: offset 4: unsupported secret key file version 2 (this program reads "
                    "version 1)");
    memcpy(d, vec, len);
    d[5] = 2;
    expect_sk_error(d, len, "a.key: offset 5: unknown key derivation algorithm 2");
    expect_sk_error(vec, 205, "a.key: 205 bytes, expected 206 for a version 1 secret key");
    memcpy(d, vec, len);
    d[206] = 0;
    expect_sk_error(d, 207, "a.key: 207 bytes, expected 206 for a version 1 secret key");

    /* Hostile KDF parameters are refused before the KDF runs (no 100 GB allocation). */
    memcpy(d, vec, len);
    put_u64(d + 14, 100ull << 30);
    expect_sk_error(d, len,
                    "a.key: offset 14: Argon2id memlimit 107374182400 bytes is not a multiple of "
                    "1024 within 8192..1073741824");
    put_u64(d + 14, ((uint64_t)1 << 30) + 1024);
    expect_sk_error(d, len,
                    "a.key: offset 14: Argon2id memlimit 1073742848 bytes is not a multiple of "
                    "1024 within 8192..1073741824");
    put_u64(d + 14, 4096);
    expect_sk_error(d, len,
                    "a.key: offset 14: Argon2id memlimit 4096 bytes is not a multiple of "
                    "1024 within 8192..1073741824");
    put_u64(d + 14, 8193); /* Argon2 would read this as 8 KiB: same key, so refuse it */
    expect_sk_error(d, len,
                    "a.key: offset 14: Argon2id memlimit 8193 bytes is not a multiple of "
                    "1024 within 8192..1073741824");
    memcpy(d, vec, len);
    put_u64(d + 6, (uint64_t)1 << 40);
    expect_sk_error(d, len, "a.key: offset 6: Argon2id opslimit 1099511627776 is outside 1..32");
    put_u64(d + 6, 0);
    expect_sk_error(d, len, "a.key: offset 6: Argon2id opslimit 0 is outside 1..32");
    put_u64(d + 6, 33);
    expect_sk_error(d, len, "a.key: offset 6: Argon2id opslimit 33 is outside 1..32");
    free(vec);
}

/* Every single-byte change and every truncation of a secret key file fails, never crashes. */
static void test_secret_tamper(void)
{
    size_t len;
    uint8_t *vec = vec_read(VEC_ANALYST_KEY, &len);
    uint8_t d[206];
    CHECK(len == sizeof d);
    int ok = 0, auth = 0, format = 0, other = 0, bad_msg = 0;
    static const uint8_t flips[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < len; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(d, vec, len);
            d[i] ^= flips[f];
            KeySecret *sec = NULL;
            DbError err;
            int rc = keys_secret_open("a.key", d, len, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &sec,
                                      &err);
            if (rc == DB_OK)
                ok++;
            else if (rc == DB_EAUTH)
                auth++, bad_msg += strcmp(err.msg, DBERR_AUTH_MSG) != 0;
            else if (rc == DB_EFORMAT)
                format++;
            else
                other++;
            if (rc != DB_OK)
                CHECK(sec == NULL);
            keys_secret_free(sec);
        }
    }
    CHECK(ok == 0);
    CHECK(other == 0);
    CHECK(bad_msg == 0);
    CHECK(auth > 0 && format > 0);
    CHECK(auth + format == (int)(3 * len));
    for (size_t n = 0; n < len; n++) {
        KeySecret *sec = NULL;
        DbError err;
        CHECK(keys_secret_open("a.key", vec, n, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &sec,
                               &err) == DB_EFORMAT);
        CHECK(sec == NULL);
    }
    free(vec);
}

/* --- known-answer files --- */

static void test_vectors_analyst(void)
{
    char path[2048];
    DbError err;
    KeyPublic pub, from_file, from_sec;
    vec_path(path, sizeof path, VEC_ANALYST_PUB);
    CHECK(keys_public_read(path, &pub, &err) == DB_OK);

    size_t len;
    char *fp_file = (char *)vec_read(VEC_ANALYST_FP, &len);
    char fp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&pub, fp);
    CHECK(len == 20 && fp_file[19] == '\n');
    fp_file[19] = '\0';
    CHECK_STR(fp, fp_file);
    CHECK_STR(fp, "QPR4-6NCE-0CRC-GHR9"); /* also quoted in docs/FORMAT.md */
    free(fp_file);

    /* Formatting the parsed key gives back the file byte for byte. */
    char *pub_file = (char *)vec_read(VEC_ANALYST_PUB, &len);
    char line[256];
    CHECK(keys_public_format(&pub, line, sizeof line) == len);
    CHECK(memcmp(line, pub_file, len) == 0);
    free(pub_file);

    uint8_t *key = vec_read(VEC_ANALYST_KEY, &len);
    CHECK(keys_secret_file_public("analyst.key", key, len, &from_file, &err) == DB_OK);
    CHECK(memcmp(&pub, &from_file, sizeof pub) == 0);
    free(key);

    KeySecret *sec = NULL;
    vec_path(path, sizeof path, VEC_ANALYST_KEY);
    CHECK(keys_secret_read(path, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &sec, &err) == DB_OK);
    if (!sec)
        return;
    keys_secret_public(sec, &from_sec);
    CHECK(memcmp(&pub, &from_sec, sizeof pub) == 0);

    uint8_t *sig = vec_read(VEC_ANALYST_SIG, &len);
    uint8_t mine[KEY_SIGNATURE_BYTES];
    keys_secret_sign(sec, (const uint8_t *)VEC_ANALYST_MSG, strlen(VEC_ANALYST_MSG), mine);
    CHECK(len == KEY_SIGNATURE_BYTES && memcmp(sig, mine, sizeof mine) == 0);
    CHECK(keys_signature_verify(pub.sign_pk, (const uint8_t *)VEC_ANALYST_MSG,
                                strlen(VEC_ANALYST_MSG), sig) == 0);
    free(sig);
    keys_secret_free(sec);

    CHECK(keys_secret_read(path, "correct horse battery stapler", 29, &sec, &err) == DB_EAUTH);
    CHECK_STR(err.msg, DBERR_AUTH_MSG);
}

/* The passphrase is the bytes given, as docs/FORMAT.md's vector analyst-utf8.key shows: its
 * NFC bytes open it (to analyst.pub's key), the same letters decomposed (NFD) or without the
 * final space do not. */
static void test_vectors_passphrase_bytes(void)
{
    char path[2048];
    DbError err;
    KeyPublic pub, from_sec;
    vec_path(path, sizeof path, VEC_ANALYST_PUB);
    CHECK(keys_public_read(path, &pub, &err) == DB_OK);
    vec_path(path, sizeof path, VEC_UTF8_KEY);
    KeySecret *sec = NULL;
    const char *nfc = VEC_UTF8_PASSPHRASE;
    CHECK(strlen(nfc) == 31 && memcmp(nfc + 1, "\xc3\xa4", 2) == 0);
    CHECK(keys_secret_read(path, nfc, strlen(nfc), &sec, &err) == DB_OK);
    if (sec) {
        keys_secret_public(sec, &from_sec);
        CHECK(memcmp(&pub, &from_sec, sizeof pub) == 0);
        keys_secret_free(sec);
    }
    sec = NULL;
    CHECK(keys_secret_read(path, VEC_UTF8_PASSPHRASE_NFD, strlen(VEC_UTF8_PASSPHRASE_NFD), &sec,
                           &err) == DB_EAUTH);
    CHECK(keys_secret_read(path, nfc, strlen(nfc) - 1, &sec, &err) == DB_EAUTH);
    CHECK(sec == NULL);
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
    uint8_t *data;
    size_t len;
    DbError err;
    if (fs_read_file(from, 1 << 20, 0, &data, &len, &err) != DB_OK)
        return -1;
    int rc = fs_write_atomic(to, data, len, mode, &err);
    free(data);
    return rc == DB_OK ? 0 : -1;
}

static void test_vectors_kiosk(void)
{
    char from[2048], to[512];
    vec_path(from, sizeof from, VEC_KIOSK_ID);
    tmp_path(to, sizeof to, "vector-kiosk.id");
    CHECK(copy_file(from, to, 0600) == 0); /* git does not keep mode 0600 */
    KeyIdentity *id = NULL;
    int created = -1;
    DbError err;
    CHECK(keys_identity_load_or_create(to, &id, &created, &err) == DB_OK);
    CHECK(created == 0);
    if (!id)
        return;
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(id, pk);
    char fp[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(pk, sizeof pk, fp);
    CHECK_STR(fp, "REAT-A1BH-QCSQ-7QAK");
    size_t len;
    uint8_t *sig = vec_read(VEC_KIOSK_SIG, &len);
    uint8_t mine[KEY_SIGNATURE_BYTES];
    keys_identity_sign(id, (const uint8_t *)VEC_KIOSK_MSG, strlen(VEC_KIOSK_MSG), mine);
    CHECK(len == KEY_SIGNATURE_BYTES && memcmp(sig, mine, sizeof mine) == 0);
    CHECK(keys_signature_verify(pk, (const uint8_t *)VEC_KIOSK_MSG, strlen(VEC_KIOSK_MSG), sig) ==
          0);
    CHECK(keys_signature_verify(pk, (const uint8_t *)VEC_KIOSK_MSG, strlen(VEC_KIOSK_MSG) - 1,
                                sig) == -1);
    free(sig);
    keys_identity_free(id);
}

/* --- kiosk identity --- */

static void test_identity(void)
{
    char path[512], want[1200];
    tmp_path(path, sizeof path, "identity");
    KeyIdentity *id = NULL, *again = NULL;
    int created = -1;
    DbError err;
    CHECK(keys_identity_load_or_create(path, &id, &created, &err) == DB_OK);
    CHECK(created == 1 && id != NULL);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 37);
    size_t len;
    uint8_t *file;
    CHECK(fs_read_file(path, 100, 0, &file, &len, &err) == DB_OK);
    CHECK(len == 37 && memcmp(file, "DBRI\x01", 5) == 0);

    CHECK(keys_identity_load_or_create(path, &again, &created, &err) == DB_OK);
    CHECK(created == 0);
    uint8_t pk1[KEY_SIGN_PUBLIC_BYTES], pk2[KEY_SIGN_PUBLIC_BYTES], sig[KEY_SIGNATURE_BYTES];
    keys_identity_public(id, pk1);
    keys_identity_public(again, pk2);
    CHECK(memcmp(pk1, pk2, sizeof pk1) == 0);
    keys_identity_sign(again, (const uint8_t *)"batch", 5, sig);
    CHECK(keys_signature_verify(pk1, (const uint8_t *)"batch", 5, sig) == 0);
    keys_identity_free(again);
    keys_identity_free(id);
    keys_identity_free(NULL);

    /* Too-open permissions are refused with the fix in the message. */
    CHECK(chmod(path, 0644) == 0);
    id = (KeyIdentity *)file;
    CHECK(keys_identity_load_or_create(path, &id, &created, &err) == DB_EINVAL);
    CHECK(id == NULL);
    snprintf(want, sizeof want,
             "%s: permissions 644 let other users read the kiosk identity; fix with: chmod 600 %s",
             path, path);
    CHECK_STR(err.msg, want);
    CHECK(chmod(path, 0640) == 0);
    CHECK(keys_identity_load_or_create(path, &id, &created, &err) == DB_EINVAL);
    CHECK(chmod(path, 0600) == 0);

    /* Damaged files are errors, never silently replaced. */
    char bad[512];
    tmp_path(bad, sizeof bad, "identity-bad");
    uint8_t d[40];
    memcpy(d, file, 37);
    d[0] = 'X';
    CHECK(fs_write_atomic(bad, d, 37, 0600, &err) == DB_OK);
    CHECK(keys_identity_load_or_create(bad, &id, &created, &err) == DB_EFORMAT);
    snprintf(want, sizeof want,
             "%s: not a Debrief kiosk identity file (expected \"DBRI\" at offset 0)", bad);
    CHECK_STR(err.msg, want);
    memcpy(d, file, 37);
    d[4] = 9;
    CHECK(fs_write_atomic(bad, d, 37, 0600, &err) == DB_OK);
    CHECK(keys_identity_load_or_create(bad, &id, &created, &err) == DB_EFORMAT);
    snprintf(want, sizeof want,
             "%s: offset 4: unsupported identity file version 9 (this program reads version 1)",
             bad);
    CHECK_STR(err.msg, want);
    CHECK(fs_write_atomic(bad, file, 36, 0600, &err) == DB_OK);
    CHECK(keys_identity_load_or_create(bad, &id, &created, &err) == DB_EFORMAT);
    snprintf(want, sizeof want, "%s: 36 bytes, expected 37 (not a Debrief kiosk identity file)",
             bad);
    CHECK_STR(err.msg, want);
    CHECK(fs_write_atomic(bad, "", 0, 0600, &err) == DB_OK);
    CHECK(keys_identity_load_or_create(bad, &id, &created, &err) == DB_EFORMAT);
    CHECK(created == 0 && id == NULL);
    struct stat bst;
    CHECK(stat(bad, &bst) == 0 && bst.st_size == 0); /* left as it was */

    /* A symbolic link and a directory are refused. */
    char link[512];
    tmp_path(link, sizeof link, "identity-link");
    CHECK(symlink(path, link) == 0);
    CHECK(keys_identity_load_or_create(link, &id, &created, &err) == DB_EIO);
    snprintf(want, sizeof want, "%s: is a symbolic link; refusing to follow it", link);
    CHECK_STR(err.msg, want);
    CHECK(keys_identity_load_or_create(tmpdir, &id, &created, &err) == DB_EIO);
    /* A directory that does not exist cannot hold a new identity. */
    tmp_path(bad, sizeof bad, "no/such/dir/identity");
    CHECK(keys_identity_load_or_create(bad, &id, &created, &err) == DB_ENOENT);
    CHECK(id == NULL && created == 0);
    free(file);
}

static void rm_rf(const char *dir)
{
    static const char *names[] = {"io.pub",          "io.key",   "analyst.key",  "analyst.pub",
                                  "vector-kiosk.id", "identity", "identity-bad", "identity-link"};
    char p[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        tmp_path(p, sizeof p, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    if (secmem_init() != 0) {
        fprintf(stderr, "libsodium cannot be initialized\n");
        return 1;
    }
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(vecdir, sizeof vecdir, "%s", src ? src : "..");
    size_t n = strlen(vecdir);
    snprintf(vecdir + n, sizeof vecdir - n, "/tests/vectors");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/debrief-test-keys-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_secmem);
    RUN(test_fingerprint_known_answers);
    RUN(test_generate_format_parse);
    RUN(test_public_parse_tolerates_line_endings);
    RUN(test_public_parse_errors);
    RUN(test_public_parse_refuses_weak_points);
    RUN(test_public_file_io);
    RUN(test_secret_roundtrip);
    RUN(test_secret_file_io);
    RUN(test_secret_format_errors);
    RUN(test_vectors_passphrase_bytes);
    RUN(test_secret_tamper);
    RUN(test_vectors_analyst);
    RUN(test_vectors_kiosk);
    RUN(test_identity);
    rm_rf(tmpdir);
    return test_report();
}
