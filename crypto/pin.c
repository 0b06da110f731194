/* pin: Argon2id hashes of the coordinator's PIN (see pin.h). */
#include "pin.h"

#include <sodium.h>
#include <string.h>

_Static_assert(PIN_HASH_MAX == crypto_pwhash_argon2id_STRBYTES, "PIN hash string size");

int pin_check_format(const char *pin, size_t len, DbError *err)
{
    int ok = len >= PIN_MIN_DIGITS && len <= PIN_MAX_DIGITS;
    for (size_t i = 0; ok && i < len; i++)
        ok = pin[i] >= '0' && pin[i] <= '9';
    if (!ok)
        return dberr_set(err, DB_EINVAL, "the PIN must be %d to %d digits", PIN_MIN_DIGITS,
                         PIN_MAX_DIGITS);
    return DB_OK;
}

int pin_hash_params(const char *pin, size_t len, uint64_t opslimit, uint64_t memlimit,
                    char out[PIN_HASH_MAX], DbError *err)
{
    memset(out, 0, PIN_HASH_MAX);
    int rc = pin_check_format(pin, len, err);
    if (rc != DB_OK)
        return rc;
    if (opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || opslimit > PIN_OPS_MAX ||
        memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN || memlimit > PIN_MEM_MAX)
        return dberr_set(err, DB_EINVAL, "PIN hash cost out of range");
    if (crypto_pwhash_argon2id_str(out, pin, len, (unsigned long long)opslimit, (size_t)memlimit) !=
        0)
        return dberr_set(err, DB_ENOMEM, "not enough memory to hash the PIN (Argon2id, %llu MiB)",
                         (unsigned long long)(memlimit >> 20));
    return DB_OK;
}

int pin_hash(const char *pin, size_t len, char out[PIN_HASH_MAX], DbError *err)
{
    return pin_hash_params(pin, len, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE, out, err);
}

/* Reads a decimal number at *pp (at most 10 digits); -1 if there is none. */
static long long read_num(const char **pp)
{
    const char *p = *pp;
    long long v = 0;
    int n = 0;
    while (*p >= '0' && *p <= '9' && n < 10) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n == 0 || (*p >= '0' && *p <= '9'))
        return -1;
    *pp = p;
    return v;
}

static int expect(const char **pp, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*pp, lit, n) != 0)
        return -1;
    *pp += n;
    return 0;
}

int pin_hash_check(const char *hash, DbError *err)
{
    size_t len = strnlen(hash, PIN_HASH_MAX);
    if (len == 0 || len >= PIN_HASH_MAX)
        return dberr_set(err, DB_EFORMAT, "PIN hash: not an Argon2id hash string");
    const char *p = hash;
    long long v, m, t, par;
    if (expect(&p, crypto_pwhash_argon2id_STRPREFIX) || expect(&p, "v=") ||
        (v = read_num(&p)) < 0 || expect(&p, "$m=") || (m = read_num(&p)) < 0 ||
        expect(&p, ",t=") || (t = read_num(&p)) < 0 || expect(&p, ",p=") ||
        (par = read_num(&p)) < 0 || expect(&p, "$"))
        return dberr_set(err, DB_EFORMAT,
                         "PIN hash: not an Argon2id hash string (expected $argon2id$v=19$m=...)");
    if (v != 19)
        return dberr_set(err, DB_EFORMAT, "PIN hash: unsupported Argon2 version %lld", v);
    /* m is in KiB */
    if ((uint64_t)m * 1024 > PIN_MEM_MAX ||
        (uint64_t)m * 1024 < crypto_pwhash_argon2id_MEMLIMIT_MIN || t < 1 || t > PIN_OPS_MAX ||
        par != 1)
        return dberr_set(err, DB_EFORMAT,
                         "PIN hash: cost out of range (at most %llu MiB and %d passes, one lane)",
                         (unsigned long long)(PIN_MEM_MAX >> 20), PIN_OPS_MAX);
    /* salt and hash: base64 (no padding), separated by one '$' */
    const char *dollar = strchr(p, '$');
    if (!dollar || dollar == p || !dollar[1] || strchr(dollar + 1, '$'))
        return dberr_set(err, DB_EFORMAT, "PIN hash: salt or hash missing");
    for (const char *c = p; *c; c++) {
        if (c == dollar)
            continue;
        int b64 = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                  (*c >= '0' && *c <= '9') || *c == '+' || *c == '/';
        if (!b64)
            return dberr_set(err, DB_EFORMAT, "PIN hash: salt or hash is not base64");
    }
    return DB_OK;
}

int pin_verify(const char *hash, const char *pin, size_t len)
{
    if (!hash || pin_hash_check(hash, NULL) != DB_OK || pin_check_format(pin, len, NULL) != DB_OK)
        return -1;
    char buf[PIN_HASH_MAX];
    memset(buf, 0, sizeof buf);
    memcpy(buf, hash, strnlen(hash, PIN_HASH_MAX - 1));
    return crypto_pwhash_argon2id_str_verify(buf, pin, len) == 0 ? 0 : -1;
}
