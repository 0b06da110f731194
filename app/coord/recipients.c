/* recipients: the pinned analyst keys in kiosk_meta (see recipients.h). */
#include "recipients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session_fields.h"

#define META_PINNED "recipients"
#define META_KNOWN "recipients_known"
#define META_LOG "recipients_log"
#define KEY_BYTES (KEY_PUBLIC_BYTES + KEY_SIGN_PUBLIC_BYTES)

static void key_to_bytes(const KeyPublic *k, uint8_t out[KEY_BYTES])
{
    memcpy(out, k->pk, KEY_PUBLIC_BYTES);
    memcpy(out + KEY_PUBLIC_BYTES, k->sign_pk, KEY_SIGN_PUBLIC_BYTES);
}

static void key_from_bytes(const uint8_t in[KEY_BYTES], KeyPublic *k)
{
    memcpy(k->pk, in, KEY_PUBLIC_BYTES);
    memcpy(k->sign_pk, in + KEY_PUBLIC_BYTES, KEY_SIGN_PUBLIC_BYTES);
}

static int key_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(KeyPublic));
}

static int has_key(const KeyPublic *keys, int n, const KeyPublic *k)
{
    for (int i = 0; i < n; i++)
        if (memcmp(&keys[i], k, sizeof *k) == 0)
            return 1;
    return 0;
}

int rcpt_split_pair(const KeyPublic *a, const KeyPublic *b)
{
    if (memcmp(a, b, sizeof *a) == 0)
        return 0;
    uint8_t ia[KEY_ID_BYTES], ib[KEY_ID_BYTES];
    keys_public_id(a, ia);
    keys_public_id(b, ib);
    return memcmp(ia, ib, sizeof ia) == 0 || memcmp(a->sign_pk, b->sign_pk, sizeof a->sign_pk) == 0;
}

/* DB_EINVAL naming k and other if they are a split pair. */
static int check_not_split(const KeyPublic *k, const KeyPublic *other, const char *whose,
                           DbError *err)
{
    if (!rcpt_split_pair(k, other))
        return DB_OK;
    char fk[KEY_FINGERPRINT_SIZE], fo[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(k, fk);
    keys_public_fingerprint(other, fo);
    return dberr_set(err, DB_EINVAL,
                     "analyst key %s shares its encryption or its signing key with key %s (%s), "
                     "but not both: half of one key pair with half of another is refused (it "
                     "could acknowledge answers sealed to the other); nothing was pinned",
                     fk, fo, whose);
}

/* Reads a list of keys stored under name; *n = 0 when absent. */
static int read_keys(Store *st, const char *name, KeyPublic *out, int cap, int *n, DbError *err)
{
    uint8_t buf[RCPT_KNOWN_MAX * KEY_BYTES];
    size_t len = 0;
    int found = 0;
    *n = 0;
    int rc = store_meta_get(st, name, buf, (size_t)cap * KEY_BYTES, &len, &found, err);
    if (rc == DB_ELIMIT)
        return dberr_set(err, DB_EFORMAT, "kiosk_meta %s: more than %d keys (damaged)", name,
                         cap);
    if (rc != DB_OK || !found)
        return rc;
    if (len == 0 || len % KEY_BYTES != 0)
        return dberr_set(err, DB_EFORMAT, "kiosk_meta %s: %zu bytes, not a list of keys "
                                          "(damaged)",
                         name, len);
    for (size_t i = 0; i < len / KEY_BYTES; i++)
        key_from_bytes(buf + i * KEY_BYTES, &out[i]);
    *n = (int)(len / KEY_BYTES);
    return DB_OK;
}

static int write_keys(Store *st, const char *name, const KeyPublic *keys, int n, DbError *err)
{
    uint8_t buf[RCPT_KNOWN_MAX * KEY_BYTES];
    for (int i = 0; i < n; i++)
        key_to_bytes(&keys[i], buf + (size_t)i * KEY_BYTES);
    return store_meta_set(st, name, buf, (size_t)n * KEY_BYTES, err);
}

int rcpt_pinned(Store *st, RcptSet *out, int *found, DbError *err)
{
    memset(out, 0, sizeof *out);
    int rc = read_keys(st, META_PINNED, out->keys, RCPT_MAX, &out->n, err);
    *found = rc == DB_OK && out->n > 0;
    return rc;
}

int rcpt_same(const RcptSet *a, const RcptSet *b)
{
    if (a->n != b->n)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (!has_key(b->keys, b->n, &a->keys[i]))
            return 0;
    return 1;
}

void rcpt_describe(const RcptSet *s, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->n && o < cap; i++) {
        char fp[KEY_FINGERPRINT_SIZE];
        keys_public_fingerprint(&s->keys[i], fp);
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", fp);
    }
}

int rcpt_known(Store *st, KeyPublic out[RCPT_KNOWN_MAX], int *n, DbError *err)
{
    return read_keys(st, META_KNOWN, out, RCPT_KNOWN_MAX, n, err);
}

int rcpt_log(Store *st, char *buf, size_t cap, DbError *err)
{
    size_t len = 0;
    int found = 0;
    buf[0] = '\0';
    if (cap < 1)
        return dberr_set(err, DB_EINVAL, "no room for the log");
    int rc = store_meta_get(st, META_LOG, (uint8_t *)buf, cap - 1, &len, &found, err);
    if (rc == DB_OK)
        buf[found ? len : 0] = '\0';
    return rc;
}

/* Appends line to the log, dropping the oldest lines beyond RCPT_LOG_MAX bytes. */
static int log_append(Store *st, const char *line, DbError *err)
{
    char log[RCPT_LOG_MAX + 1];
    int rc = rcpt_log(st, log, sizeof log, err);
    if (rc != DB_OK)
        return rc;
    size_t old = strlen(log), add = strlen(line) + 1;
    const char *keep = log;
    while (old - (size_t)(keep - log) + add > RCPT_LOG_MAX) {
        const char *nl = strchr(keep, '\n');
        if (!nl) {
            keep = log + old;
            break;
        }
        keep = nl + 1;
    }
    char out[RCPT_LOG_MAX + 1];
    int n = snprintf(out, sizeof out, "%s%s\n", keep, line);
    if (n < 0 || (size_t)n >= sizeof out)
        n = (int)sizeof out - 1;
    return store_meta_set(st, META_LOG, (const uint8_t *)out, (size_t)n, err);
}

typedef struct PinJob {
    const RcptSet *set;
    const char *how;
    int only_first;    /* pin only if nothing is pinned yet */
    int pinned_before; /* out, with only_first: something was, and nothing changed */
} PinJob;

/* rcpt_pin's reads and its three writes (known keys, log, pinned set), in one transaction:
 * a log line never tells of a change that did not happen, nor a change go unlogged. */
static int pin_in_transaction(Store *st, void *ctx, DbError *err)
{
    PinJob *job = ctx;
    const RcptSet *set = job->set;
    const char *how = job->how;
    RcptSet was;
    int found = 0;
    int rc = rcpt_pinned(st, &was, &found, err);
    if (rc != DB_OK)
        return rc;
    if (found && job->only_first) {
        job->pinned_before = 1;
        return DB_OK;
    }
    if (found && rcpt_same(&was, set))
        return DB_OK;
    KeyPublic known[RCPT_KNOWN_MAX];
    int n_known = 0;
    if ((rc = rcpt_known(st, known, &n_known, err)) != DB_OK)
        return rc;
    for (int i = 0; i < set->n && rc == DB_OK; i++) {
        for (int j = 0; j < i && rc == DB_OK; j++)
            rc = check_not_split(&set->keys[i], &set->keys[j], "given with it", err);
        for (int j = 0; j < n_known && rc == DB_OK; j++)
            rc = check_not_split(&set->keys[i], &known[j], "pinned on this kiosk before", err);
    }
    if (rc != DB_OK)
        return rc;
    int grow = n_known;
    for (int i = 0; i < set->n; i++) {
        if (has_key(known, grow, &set->keys[i]))
            continue;
        if (grow == RCPT_KNOWN_MAX)
            return dberr_set(err, DB_ELIMIT,
                             "this kiosk has had %d different analyst keys, the most a batch "
                             "can name; export and acknowledge everything, then start with a "
                             "new data directory",
                             RCPT_KNOWN_MAX);
        known[grow++] = set->keys[i];
    }
    if (grow > n_known && (rc = write_keys(st, META_KNOWN, known, grow, err)) != DB_OK)
        return rc;
    char now[RCPT_MAX * 21], before[RCPT_MAX * 21], date[SESSION_DATE_LEN + 1], line[400];
    rcpt_describe(set, now, sizeof now);
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    if (found) {
        rcpt_describe(&was, before, sizeof before);
        snprintf(line, sizeof line, "%s: %s: %s (was: %s)", date, how, now, before);
    } else {
        snprintf(line, sizeof line, "%s: %s: %s", date, how, now);
    }
    if ((rc = log_append(st, line, err)) != DB_OK)
        return rc;
    RcptSet sorted = *set;
    qsort(sorted.keys, (size_t)sorted.n, sizeof sorted.keys[0], key_cmp);
    return write_keys(st, META_PINNED, sorted.keys, sorted.n, err);
}

/* DB_EINVAL for a set that cannot be pinned: empty, too large, a key twice. */
static int check_set(const RcptSet *set, DbError *err)
{
    if (set->n < 1 || set->n > RCPT_MAX)
        return dberr_set(err, DB_EINVAL, "pin 1 to %d analyst keys, not %d", RCPT_MAX, set->n);
    for (int i = 1; i < set->n; i++)
        if (has_key(set->keys, i, &set->keys[i]))
            return dberr_set(err, DB_EINVAL, "the same analyst key is given twice");
    return DB_OK;
}

int rcpt_pin(Store *st, const RcptSet *set, const char *how, DbError *err)
{
    int rc = check_set(set, err);
    if (rc != DB_OK)
        return rc;
    PinJob job = {set, how, 0, 0};
    return store_in_transaction(st, pin_in_transaction, &job, err);
}

int rcpt_check(Store *st, const RcptSet *cfg, RcptState *state, RcptSet *pinned, DbError *err)
{
    int found = 0;
    *state = RCPT_SAME;
    int rc = rcpt_pinned(st, pinned, &found, err);
    if (rc != DB_OK)
        return rc;
    if (!found) {
        /* Nothing pinned: pin the configured keys, unless (looked at again inside the
         * transaction) `--pin-recipients` pinned others a moment ago: then compare. */
        PinJob job = {cfg, "pinned at the first start", 1, 0};
        if ((rc = check_set(cfg, err)) != DB_OK ||
            (rc = store_in_transaction(st, pin_in_transaction, &job, err)) != DB_OK)
            return rc;
        if (!job.pinned_before) {
            *pinned = *cfg;
            *state = RCPT_PINNED_NOW;
            return DB_OK;
        }
        if ((rc = rcpt_pinned(st, pinned, &found, err)) != DB_OK)
            return rc;
    }
    if (!rcpt_same(pinned, cfg))
        *state = RCPT_CHANGED;
    return DB_OK;
}
