/* pin: Argon2id hashes of the coordinator's PIN (see pin.h). */
#include "pin.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

_Static_assert(PIN_HASH_MAX == crypto_pwhash_argon2id_STRBYTES, "PIN hash string size");
_Static_assert(PIN_MEMLIMIT <= PIN_MEM_MAX && PIN_OPSLIMIT <= PIN_OPS_MAX,
               "the kiosk accepts the hashes it makes");

/* Whether pin is min_digits .. PIN_MAX_DIGITS ASCII digits. */
static int all_digits(const char *pin, size_t len, size_t min_digits)
{
    int ok = len >= min_digits && len <= PIN_MAX_DIGITS;
    for (size_t i = 0; ok && i < len; i++)
        ok = pin[i] >= '0' && pin[i] <= '9';
    return ok;
}

int pin_check_format(const char *pin, size_t len, DbError *err)
{
    if (!all_digits(pin, len, PIN_MIN_DIGITS_OLD))
        return dberr_set(err, DB_EINVAL, "the PIN must be %d to %d digits", PIN_MIN_DIGITS_OLD,
                         PIN_MAX_DIGITS);
    return DB_OK;
}

/* --- what makes a PIN trivial --- */

static int digit_at(const char *pin, size_t i)
{
    return pin[i] - '0';
}

/* A fixed step between neighbours, modulo 10: 111111 (0), 123456 (+1), 654321 (-1),
 * 135791 (+2), 890123 (+1, wrapping). */
static int is_run(const char *pin, size_t len)
{
    int step = (digit_at(pin, 1) - digit_at(pin, 0) + 10) % 10;
    for (size_t i = 2; i < len; i++)
        if ((digit_at(pin, i) - digit_at(pin, i - 1) + 10) % 10 != step)
            return 0;
    return 1;
}

/* A shorter group repeated to fill the PIN: 123123, 121212, 12341234. */
static int is_repeat(const char *pin, size_t len)
{
    for (size_t k = 1; k < len; k++) {
        if (len % k != 0)
            continue;
        size_t i = k;
        while (i < len && pin[i] == pin[i - k])
            i++;
        if (i == len)
            return 1;
    }
    return 0;
}

static int is_mirror(const char *pin, size_t len)
{
    for (size_t i = 0; i < len / 2; i++)
        if (pin[i] != pin[len - 1 - i])
            return 0;
    return 1;
}

static int num(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* Whether the PIN is drawn on the keypad in straight strokes of three keys: each group of
 * three digits is a row, a column or a diagonal of the 3 x 3 keys (the same lines whether 1
 * or 7 is at the top), or the column through 0 under 8, in either direction (like 147258,
 * 789456 or 159357). */
static int is_keypad_lines(const char *pin, size_t len)
{
    static const char *const lines[] = {"123", "456", "789", "147", "258",
                                        "369", "159", "357", "580", NULL};
    if (len % 3 != 0)
        return 0;
    for (size_t g = 0; g < len; g += 3) {
        const char *p = pin + g;
        int on_line = 0;
        for (int i = 0; lines[i] && !on_line; i++) {
            const char *l = lines[i];
            on_line = (p[0] == l[0] && p[1] == l[1] && p[2] == l[2]) ||
                      (p[0] == l[2] && p[1] == l[1] && p[2] == l[0]);
        }
        if (!on_line)
            return 0;
    }
    return 1;
}

/* Whether y-m-d is a day of the calendar; y < 100 is a two-digit year (any century). */
static int is_day(int y, int m, int d)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return 0;
    if (m == 2 && d == 29 && y >= 100)
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return 1;
}

static int is_year(int y)
{
    return y >= 1900 && y <= 2099;
}

/* Birthdays, anniversaries, today: YYYYMMDD, DDMMYYYY, MMDDYYYY (years 1900..2099); DDMMYY,
 * MMDDYY, YYMMDD; and a month: YYYYMM, MMYYYY. */
static int is_date(const char *p, size_t len)
{
    if (len == 8) {
        int y4 = num(p, 4), yl = num(p + 4, 4);
        return (is_year(y4) && is_day(y4, num(p + 4, 2), num(p + 6, 2))) ||
               (is_year(yl) && is_day(yl, num(p + 2, 2), num(p, 2))) ||
               (is_year(yl) && is_day(yl, num(p, 2), num(p + 2, 2)));
    }
    if (len == 6) {
        int a = num(p, 2), b = num(p + 2, 2), c = num(p + 4, 2);
        return is_day(c, b, a) || is_day(c, a, b) || is_day(a, b, c) ||
               (is_year(num(p, 4)) && c >= 1 && c <= 12) ||
               (is_year(num(p + 2, 4)) && a >= 1 && a <= 12);
    }
    return 0;
}

int pin_check_new(const char *pin, size_t len, DbError *err)
{
    if (!all_digits(pin, len, PIN_MIN_DIGITS))
        return dberr_set(err, DB_EINVAL, "a new PIN must be %d to %d digits", PIN_MIN_DIGITS,
                         PIN_MAX_DIGITS);
    const char *why = is_run(pin, len)      ? "one digit repeated or a run (like 111111, 123456 "
                                              "or 135791)"
                      : is_repeat(pin, len) ? "a group of digits repeated (like 123123)"
                      : is_mirror(pin, len) ? "a mirror image (like 123321)"
                      : is_date(pin, len)   ? "a date (like 19850412, 12041985 or 120485)"
                      : is_keypad_lines(pin, len)
                          ? "straight lines on the keypad (like 147258 or 159357)"
                          : NULL;
    if (why)
        return dberr_set(err, DB_EINVAL,
                         "that PIN is too easy to guess: it is %s; choose %d to %d digits "
                         "without a pattern",
                         why, PIN_MIN_DIGITS, PIN_MAX_DIGITS);
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
    memset(out, 0, PIN_HASH_MAX);
    int rc = pin_check_new(pin, len, err);
    if (rc != DB_OK)
        return rc;
    return pin_hash_params(pin, len, PIN_OPSLIMIT, PIN_MEMLIMIT, out, err);
}

int pin_hash_current(const char *hash)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%sv=19$m=%llu,t=%d,p=1$", crypto_pwhash_argon2id_STRPREFIX,
             (unsigned long long)(PIN_MEMLIMIT >> 10), PIN_OPSLIMIT);
    return pin_hash_check(hash, NULL) == DB_OK && strncmp(hash, prefix, strlen(prefix)) == 0;
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
