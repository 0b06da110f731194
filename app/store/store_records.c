/* store_records: the store's sealed records, kept in the slot files (slots.h), and the export
 * bookkeeping that refers to them. See store.h for the contract.
 *
 * A record is written in place into a random free slot: nothing about a submission goes into
 * the sqlite database (whose write-ahead log would keep commits in order). The database keeps
 * the sessions, the batches and their members (response keys in shuffled positions, written
 * at export, not at submission). Which slot holds which response is in the slot files' own
 * index; each process reads it at open (store_refresh later), and looks a key up through a
 * hash map built from it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"
#include "store_internal.h"

/* --- the record files --- */

static int file_index(const Store *st, uint32_t kib)
{
    for (int i = 0; i < st->n_files; i++)
        if (slots_kib(st->files[i]) == kib)
            return i;
    return -1;
}

/* The open record file for records of len bytes; with create, made if missing. -1 with
 * DB_ENOENT in err if there is none. */
static int file_for(Store *st, size_t len, int create, DbError *err)
{
    uint32_t kib = slots_kib_for(len);
    int i = file_index(st, kib);
    if (i >= 0)
        return i;
    if (kib > SLOTS_MAX_SLOT_KIB)
        return dberr_set(err, DB_EINVAL, "a record of %zu bytes is too large", len), -1;
    if (st->n_files == STORE_MAX_SLOT_FILES)
        return dberr_set(err, DB_ELIMIT, "%s: records of too many different sizes", st->dir), -1;
    Slots *s = NULL;
    if (slots_open(st->dir, kib, create, &s, err) != DB_OK)
        return -1;
    st->files[st->n_files] = s;
    st->map.stale = 1;
    return st->n_files++;
}

int store_records_open(Store *st, DbError *err)
{
    DIR *d = opendir(st->dir);
    if (!d)
        return dberr_set(err, DB_EIO, "%s: %s", st->dir, strerror(errno));
    int rc = DB_OK;
    struct dirent *e;
    while (rc == DB_OK && (e = readdir(d))) {
        unsigned kib;
        char tail[8];
        if (sscanf(e->d_name, "records-%uk.da%7s", &kib, tail) != 2 || strcmp(tail, "t") != 0 ||
            file_index(st, kib) >= 0)
            continue;
        if (file_for(st, (size_t)kib * 1024, 0, err) < 0)
            rc = err ? err->code : DB_EIO;
    }
    closedir(d);
    return rc;
}

void store_records_close(Store *st)
{
    for (int i = 0; i < st->n_files; i++)
        slots_close(st->files[i]);
    st->n_files = 0;
    free(st->map.v);
    memset(&st->map, 0, sizeof st->map);
}

int store_refresh(Store *st, DbError *err)
{
    int rc = DB_OK;
    for (int i = 0; rc == DB_OK && i < st->n_files; i++)
        rc = slots_reload(st->files[i], err);
    if (rc == DB_OK)
        rc = store_records_open(st, err); /* files another process created */
    st->map.stale = 1;
    return rc;
}

/* --- key -> slot --- */

static uint64_t key_hash(const uint8_t key[STORE_KEY_BYTES])
{
    uint64_t h = 0;
    memcpy(&h, key, sizeof h); /* the keys are random */
    return h;
}

static void map_insert(KeyMap *m, int file, uint32_t slot, const uint8_t key[STORE_KEY_BYTES])
{
    size_t mask = m->cap - 1;
    for (size_t i = key_hash(key) & mask;; i = (i + 1) & mask)
        if (!m->v[i]) {
            m->v[i] = ((uint64_t)file << 32 | slot) + 1;
            return;
        }
}

static int map_rebuild(Store *st, DbError *err)
{
    size_t n = 0;
    for (int f = 0; f < st->n_files; f++)
        n += slots_count(st->files[f]) - slots_free_count(st->files[f]);
    size_t cap = 64;
    while (cap < 2 * n + 2)
        cap *= 2;
    uint64_t *v = calloc(cap, sizeof *v);
    if (!v)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    free(st->map.v);
    st->map = (KeyMap){v, cap, n, 0};
    for (int f = 0; f < st->n_files; f++)
        for (uint32_t s = 0; s < slots_count(st->files[f]); s++) {
            const SlotEntry *e = slots_entry(st->files[f], s);
            if (e->session_id > 0)
                map_insert(&st->map, f, s, e->key);
        }
    return DB_OK;
}

/* Finds the record with key: *file and *slot, or DB_ENOENT. */
static int map_find(Store *st, const uint8_t key[STORE_KEY_BYTES], int *file, uint32_t *slot,
                    DbError *err)
{
    if (st->map.stale || !st->map.v) {
        int rc = map_rebuild(st, err);
        if (rc != DB_OK)
            return rc;
    }
    size_t mask = st->map.cap - 1;
    for (size_t i = key_hash(key) & mask; st->map.v[i]; i = (i + 1) & mask) {
        uint64_t x = st->map.v[i] - 1;
        int f = (int)(x >> 32);
        uint32_t s = (uint32_t)x;
        const SlotEntry *e = slots_entry(st->files[f], s);
        if (e && e->session_id > 0 && memcmp(e->key, key, STORE_KEY_BYTES) == 0) {
            *file = f;
            *slot = s;
            return DB_OK;
        }
    }
    return dberr_set(err, DB_ENOENT, "%s: no stored response has this key", st->dir);
}

/* --- the keys already in a batch --- */

typedef struct KeySet {
    uint8_t (*v)[STORE_KEY_BYTES];
    size_t n;
} KeySet;

static int key_cmp(const void *a, const void *b)
{
    return memcmp(a, b, STORE_KEY_BYTES);
}

/* The keys of every batch's members (acknowledged ones are deleted with their records). */
static int member_keys(Store *st, KeySet *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, "SELECT response FROM batch_members", &stmt, err);
    if (rc != DB_OK)
        return rc;
    size_t cap = 0;
    int s;
    while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(stmt, 0) != STORE_KEY_BYTES)
            continue;
        if (out->n == cap) {
            cap = cap ? 2 * cap : 256;
            void *nv = realloc(out->v, cap * STORE_KEY_BYTES);
            if (!nv) {
                rc = dberr_set(err, DB_ENOMEM, "out of memory");
                break;
            }
            out->v = nv;
        }
        memcpy(out->v[out->n++], sqlite3_column_blob(stmt, 0), STORE_KEY_BYTES);
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&st->sql, s, "reading the batches' members", err);
    sqlite3_finalize(stmt);
    if (rc != DB_OK) {
        free(out->v);
        memset(out, 0, sizeof *out);
        return rc;
    }
    if (out->n > 1)
        qsort(out->v, out->n, STORE_KEY_BYTES, key_cmp);
    return DB_OK;
}

static int in_set(const KeySet *k, const uint8_t key[STORE_KEY_BYTES])
{
    return k->n && bsearch(key, k->v, k->n, STORE_KEY_BYTES, key_cmp) != NULL;
}

/* --- submitting --- */

int64_t store_records_count(Store *st, int64_t session_id)
{
    int64_t n = 0;
    for (int f = 0; f < st->n_files; f++)
        for (uint32_t s = 0; s < slots_count(st->files[f]); s++) {
            int64_t id = slots_entry(st->files[f], s)->session_id;
            n += id > 0 && (session_id < 0 || id == session_id);
        }
    return n;
}

/* Checks that session_id is open and below its expected attendance (a read: nothing about a
 * submission is written to the database). */
static int check_session_takes(Store *st, int64_t session_id, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, "SELECT label, open, expected FROM sessions WHERE id = ?", &stmt,
                               err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, session_id);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        const unsigned char *label = sqlite3_column_text(stmt, 0);
        int expected = sqlite3_column_int(stmt, 2);
        if (!sqlite3_column_int(stmt, 1))
            rc = dberr_set(err, DB_ESTATE, "session \"%s\" is closed: not collecting responses",
                           label ? (const char *)label : "");
        else if (expected > 0 && store_records_count(st, session_id) >= expected)
            rc = dberr_set(err, DB_ESTATE,
                           "session \"%s\" has reached its expected attendance of %d responses",
                           label ? (const char *)label : "", expected);
    } else if (s == SQLITE_DONE) {
        rc = dberr_set(err, DB_ESTATE, "no session with id %lld: not collecting responses",
                       (long long)session_id);
    } else {
        rc = sqldb_error(&st->sql, s, "reading the session", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int store_response_put(Store *st, int64_t session_id, const uint8_t *record, size_t len,
                       DbError *err)
{
    if (!record || len == 0 || len > (size_t)SLOTS_MAX_SLOT_KIB * 1024)
        return dberr_set(err, DB_EINVAL, "empty or oversized record");
    int rc = check_session_takes(st, session_id, err);
    if (rc != DB_OK)
        return rc;
    int f = file_for(st, len, 1, err);
    if (f < 0)
        return err ? err->code : DB_EIO;
    uint8_t key[STORE_KEY_BYTES];
    int other_file;
    uint32_t slot;
    do /* 128 random bits do not collide; the check costs nothing */
        secmem_random(key, sizeof key);
    while (map_find(st, key, &other_file, &slot, NULL) == DB_OK);
    rc = slots_put(st->files[f], session_id, key, record, len, &slot, err);
    if (rc == DB_OK && !st->map.stale) {
        if (2 * (st->map.n + 1) > st->map.cap) {
            st->map.stale = 1;
        } else {
            map_insert(&st->map, f, slot, key);
            st->map.n++;
        }
    }
    if (rc == DB_ENOSPC)
        dberr_set(err, DB_ENOSPC, "disk full: the response was not saved; nothing stored was lost");
    return rc;
}

int store_test_fill(Store *st, int64_t session_id, const uint8_t *pool, size_t n_pool,
                    size_t rec_len, long n, DbError *err)
{
    int f = file_for(st, rec_len, 1, err);
    if (f < 0)
        return err ? err->code : DB_EIO;
    int rc = slots_reserve(st->files[f], (uint32_t)n, err);
    for (long i = 0; rc == DB_OK && i < n; i++) {
        uint8_t key[STORE_KEY_BYTES];
        secmem_random(key, sizeof key);
        rc = slots_put_unsynced(st->files[f], session_id, key,
                                pool + (size_t)(i % (long)n_pool) * rec_len, rec_len, NULL, err);
    }
    if (rc == DB_OK)
        rc = slots_sync(st->files[f], err);
    st->map.stale = 1;
    return rc;
}

int store_cover_write(Store *st, size_t record_len, DbError *err)
{
    int f = file_for(st, record_len, 0, NULL);
    return f < 0 ? DB_OK : slots_cover(st->files[f], err);
}

/* DB_ELIMIT if making min_free slots free for records of record_len bytes would grow the
 * store past its most slots (STORE_MAX_SLOTS): the slots of that file, after growing, and
 * the slots taken in the others (when nothing grows, nothing is refused). Free slots of files for
 * other record sizes (an earlier survey version) do not count: those files no longer grow, and
 * counting them would keep a store with nothing left to export from ever opening a session again.
 * *f is the file's index, or -1 if it does not exist yet (it is then made only once the check
 * passed). */
static int check_room_ahead(Store *st, size_t record_len, uint32_t min_free, int *f, DbError *err)
{
    DbError none;
    *f = file_for(st, record_len, 0, &none);
    if (*f < 0 && none.code != DB_ENOENT)
        return dberr_set(err, none.code, "%s", none.msg);
    uint64_t here = 0, have = 0, taken = 0;
    for (int i = 0; i < st->n_files; i++) {
        uint64_t n = slots_count(st->files[i]), free_n = slots_free_count(st->files[i]);
        if (i == *f) {
            here = n;
            have = free_n;
        } else {
            taken += n - free_n;
        }
    }
    if (*f < 0)
        here = have = SLOTS_PER_CHUNK; /* a new file starts with one chunk */
    if (*f >= 0 && have >= min_free)
        return DB_OK; /* nothing grows */
    if (have < min_free)
        here += (min_free - have + SLOTS_PER_CHUNK - 1) / SLOTS_PER_CHUNK * SLOTS_PER_CHUNK;
    uint32_t max = st->test_max_slots ? st->test_max_slots : STORE_MAX_SLOTS;
    if (taken + here <= max)
        return DB_OK;
    return dberr_set(err, DB_ELIMIT,
                     "this kiosk stores %lld responses and keeps room for at most %u: export "
                     "them and have the analyst's acknowledgement applied, which frees their "
                     "room",
                     (long long)store_records_count(st, -1), max);
}

int store_reserve(Store *st, size_t record_len, uint32_t min_free, DbError *err)
{
    int f = -1;
    int rc = check_room_ahead(st, record_len, min_free, &f, err);
    if (rc != DB_OK)
        return rc;
    if (f < 0 && (f = file_for(st, record_len, 1, err)) < 0)
        return err ? err->code : DB_EIO;
    rc = slots_reserve(st->files[f], min_free, err);
    st->map.stale = 1;
    return rc;
}

/* --- reading --- */

int store_response_count(Store *st, int64_t session_id, int64_t *n, DbError *err)
{
    (void)err;
    *n = store_records_count(st, session_id < 0 ? -1 : session_id);
    return DB_OK;
}

/* Calls fn for every stored record of session_id (all sessions if < 0) that pass() accepts,
 * in slot order (random), with the record read and checked. */
typedef int (*RecordFn)(const SlotEntry *e, const uint8_t *rec, size_t len, void *ctx);

static int each_record(Store *st, int64_t session_id, const KeySet *skip, int read, RecordFn fn,
                       void *ctx, DbError *err)
{
    uint8_t *buf = read ? malloc((size_t)SLOTS_MAX_SLOT_KIB * 1024) : NULL;
    if (read && !buf)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    int rc = DB_OK, stop = 0;
    for (int f = 0; rc == DB_OK && !stop && f < st->n_files; f++)
        for (uint32_t s = 0; rc == DB_OK && !stop && s < slots_count(st->files[f]); s++) {
            const SlotEntry *e = slots_entry(st->files[f], s);
            if (e->session_id <= 0 || (session_id >= 0 && e->session_id != session_id) ||
                (skip && in_set(skip, e->key)))
                continue;
            SlotEntry copy = *e;
            if (read)
                rc = slots_read(st->files[f], s, buf, (size_t)SLOTS_MAX_SLOT_KIB * 1024, err);
            if (rc == DB_OK)
                stop = fn(&copy, buf, copy.len, ctx) != 0;
        }
    free(buf);
    return rc;
}

typedef struct RecFn {
    int (*fn)(const uint8_t *rec, size_t len, void *ctx);
    void *ctx;
} RecFn;

static int call_rec(const SlotEntry *e, const uint8_t *rec, size_t len, void *ctx)
{
    (void)e;
    RecFn *a = ctx;
    return a->fn(rec, len, a->ctx);
}

int store_response_foreach(Store *st, int64_t session_id,
                           int (*fn)(const uint8_t *rec, size_t len, void *ctx), void *ctx,
                           DbError *err)
{
    RecFn a = {fn, ctx};
    return each_record(st, session_id, NULL, 1, call_rec, &a, err);
}

typedef struct KeyRecFn {
    int (*fn)(const uint8_t key[STORE_KEY_BYTES], const uint8_t *rec, size_t len, void *ctx);
    void *ctx;
} KeyRecFn;

static int call_key_rec(const SlotEntry *e, const uint8_t *rec, size_t len, void *ctx)
{
    KeyRecFn *a = ctx;
    return a->fn(e->key, rec, len, a->ctx);
}

typedef struct KeyLenFn {
    int (*fn)(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len, void *ctx);
    void *ctx;
} KeyLenFn;

static int call_key_len(const SlotEntry *e, const uint8_t *rec, size_t len, void *ctx)
{
    (void)rec;
    KeyLenFn *a = ctx;
    return a->fn(e->key, e->session_id, len, a->ctx);
}

int store_unexported_foreach(Store *st, int64_t session_id,
                             int (*fn)(const uint8_t key[STORE_KEY_BYTES], const uint8_t *rec,
                                       size_t len, void *ctx),
                             void *ctx, DbError *err)
{
    KeySet members;
    int rc = member_keys(st, &members, err);
    KeyRecFn a = {fn, ctx};
    if (rc == DB_OK)
        rc = each_record(st, session_id, &members, 1, call_key_rec, &a, err);
    free(members.v);
    return rc;
}

int store_unexported_keys_foreach(Store *st, int64_t session_id,
                                  int (*fn)(const uint8_t key[STORE_KEY_BYTES], int64_t session_id,
                                            size_t len, void *ctx),
                                  void *ctx, DbError *err)
{
    KeySet members;
    int rc = member_keys(st, &members, err);
    KeyLenFn a = {fn, ctx};
    if (rc == DB_OK)
        rc = each_record(st, session_id < 0 ? -1 : session_id, &members, 0, call_key_len, &a, err);
    free(members.v);
    return rc;
}

static int count_one(const SlotEntry *e, const uint8_t *rec, size_t len, void *ctx)
{
    (void)e, (void)rec, (void)len;
    ++*(int64_t *)ctx;
    return 0;
}

int store_count_unexported(Store *st, int64_t session_id, int64_t *n, DbError *err)
{
    *n = 0;
    KeySet members;
    int rc = member_keys(st, &members, err);
    if (rc == DB_OK)
        rc = each_record(st, session_id < 0 ? -1 : session_id, &members, 0, count_one, n, err);
    free(members.v);
    return rc;
}

int store_count_unacknowledged(Store *st, int64_t *n, DbError *err)
{
    *n = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql,
                               "SELECT count(*) FROM batch_members m JOIN batches b ON "
                               "b.number = m.batch WHERE b.acknowledged = 0",
                               &stmt, err);
    if (rc != DB_OK)
        return rc;
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        *n = sqlite3_column_int64(stmt, 0);
    else
        rc = sqldb_error(&st->sql, s, "counting responses", err);
    sqlite3_finalize(stmt);
    return rc;
}

int store_response_read(Store *st, const uint8_t key[STORE_KEY_BYTES],
                        int (*fn)(int64_t session_id, const uint8_t *rec, size_t len, void *ctx),
                        void *ctx, DbError *err)
{
    int f;
    uint32_t s;
    int rc = map_find(st, key, &f, &s, err);
    if (rc == DB_ENOENT)
        return dberr_set(err, DB_ENOENT, "%s: a response to export is no longer stored", st->dir);
    if (rc != DB_OK)
        return rc;
    const SlotEntry *e = slots_entry(st->files[f], s);
    int64_t session_id = e->session_id;
    size_t len = e->len;
    uint8_t *buf = malloc(len);
    if (!buf)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    rc = slots_read(st->files[f], s, buf, len, err);
    if (rc == DB_OK)
        fn(session_id, buf, len, ctx);
    free(buf);
    return rc;
}

/* --- batches --- */

int store_batch_members_foreach(Store *st, uint64_t number,
                                int (*fn)(const uint8_t key[STORE_KEY_BYTES], int64_t session_id,
                                          size_t len, void *ctx),
                                void *ctx, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, "SELECT response FROM batch_members WHERE batch = ? ORDER BY position", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, (int64_t)number);
    int s;
    while (rc == DB_OK && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(stmt, 0) != STORE_KEY_BYTES) {
            rc = dberr_set(err, DB_EIO, "%s: a response key has the wrong length", st->path);
            break;
        }
        uint8_t key[STORE_KEY_BYTES];
        memcpy(key, sqlite3_column_blob(stmt, 0), sizeof key);
        int f;
        uint32_t slot;
        DbError miss;
        int found = map_find(st, key, &f, &slot, &miss);
        if (found == DB_ENOENT)
            continue; /* deleted by an acknowledgement */
        if (found != DB_OK) {
            rc = dberr_set(err, found, "%s", miss.msg);
            break;
        }
        const SlotEntry *e = slots_entry(st->files[f], slot);
        if (fn(key, e->session_id, e->len, ctx) != 0) {
            s = SQLITE_DONE;
            break;
        }
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&st->sql, s, "reading the batch's responses", err);
    sqlite3_finalize(stmt);
    return rc;
}

typedef struct Relay {
    int (*fn)(int64_t session_id, const uint8_t *rec, size_t len, void *ctx);
    void *ctx;
    Store *st;
    int rc;
    DbError *err;
} Relay;

static int relay_record(int64_t session_id, const uint8_t *rec, size_t len, void *ctx)
{
    Relay *r = ctx;
    return r->fn(session_id, rec, len, r->ctx);
}

static int relay_member(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len,
                        void *ctx)
{
    (void)session_id, (void)len;
    Relay *r = ctx;
    r->rc = store_response_read(r->st, key, relay_record, r, r->err);
    return r->rc != DB_OK;
}

int store_batch_records_foreach(Store *st, uint64_t number,
                                int (*fn)(int64_t session_id, const uint8_t *rec, size_t len,
                                          void *ctx),
                                void *ctx, DbError *err)
{
    Relay r = {fn, ctx, st, DB_OK, err};
    int rc = store_batch_members_foreach(st, number, relay_member, &r, err);
    return rc == DB_OK ? r.rc : rc;
}

int store_batch_add(Store *st, const StoreBatch *b, const uint8_t (*keys)[STORE_KEY_BYTES],
                    size_t n, DbError *err)
{
    if (b->number == 0 || b->number > INT64_MAX || (int64_t)n != b->records)
        return dberr_set(err, DB_EINVAL, "invalid batch bookkeeping");
    for (size_t i = 0; i < n; i++) {
        int f;
        uint32_t s;
        int rc = map_find(st, keys[i], &f, &s, NULL);
        if (rc == DB_ENOENT)
            return dberr_set(err, DB_ESTATE,
                             "response %zu of batch %llu is unknown or already in a batch", i,
                             (unsigned long long)b->number);
        if (rc != DB_OK)
            return dberr_set(err, rc, "%s: looking up a response", st->dir);
    }
    int rc = sqldb_begin(&st->sql, err);
    if (rc != DB_OK)
        return rc;
    StoreBatch last;
    int found;
    rc = store_batch_last(st, &last, &found, err);
    uint64_t want = found ? last.number + 1 : 1;
    if (rc == DB_OK && found && last.number == b->number)
        rc = dberr_set(err, DB_EEXIST, "batch %llu already exists", (unsigned long long)b->number);
    else if (rc == DB_OK && b->number != want)
        rc = dberr_set(err, DB_ESTATE, "batch %llu cannot follow batch %llu",
                       (unsigned long long)b->number, (unsigned long long)(want - 1));
    sqlite3_stmt *stmt = NULL;
    if (rc == DB_OK)
        rc = sqldb_prepare(&st->sql,
                               "INSERT INTO batches(number, prev_hash, hash, records) "
                               "VALUES (?, ?, ?, ?)",
                               &stmt, err);
    if (rc == DB_OK) {
        sqlite3_bind_int64(stmt, 1, (int64_t)b->number);
        sqlite3_bind_blob(stmt, 2, b->prev_hash, STORE_HASH_BYTES, SQLITE_STATIC);
        sqlite3_bind_blob(stmt, 3, b->hash, STORE_HASH_BYTES, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 4, b->records);
        int s = sqlite3_step(stmt);
        if (s != SQLITE_DONE)
            rc = sqldb_error(&st->sql, s, "recording the batch", err);
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    if (rc == DB_OK)
        rc = sqldb_prepare(&st->sql,
                               "INSERT INTO batch_members(batch, position, response) "
                               "VALUES (?, ?, ?)",
                               &stmt, err);
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        sqlite3_bind_int64(stmt, 1, (int64_t)b->number);
        sqlite3_bind_int64(stmt, 2, (int64_t)i);
        sqlite3_bind_blob(stmt, 3, keys[i], STORE_KEY_BYTES, SQLITE_STATIC);
        int s = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        if ((s & 0xff) == SQLITE_CONSTRAINT)
            rc = dberr_set(err, DB_ESTATE,
                           "response %zu of batch %llu is unknown or already in a batch", i,
                           (unsigned long long)b->number);
        else if (s != SQLITE_DONE)
            rc = sqldb_error(&st->sql, s, "recording the batch", err);
    }
    sqlite3_finalize(stmt);
    if (rc != DB_OK) {
        sqldb_rollback(&st->sql);
        return rc;
    }
    return sqldb_commit(&st->sql, "recording the batch", err);
}

/* Overwrites the slots of every member of an acknowledged batch that is still stored, syncs
 * them, then forgets those members. Run by a purge and, after a crash in the middle of one,
 * at the next open. *released (may be NULL) receives how many records were overwritten. */
static int release_acknowledged(Store *st, int64_t *released, DbError *err)
{
    if (released)
        *released = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql,
                               "SELECT m.response FROM batch_members m JOIN batches b ON "
                               "b.number = m.batch WHERE b.acknowledged = 1",
                               &stmt, err);
    if (rc != DB_OK)
        return rc;
    /* Look every key up before changing a slot (a change makes the map stale). */
    size_t n = 0, cap = 0;
    uint64_t *where = NULL; /* file << 32 | slot */
    int s;
    while (rc == DB_OK && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        int f;
        uint32_t slot;
        if (sqlite3_column_bytes(stmt, 0) != STORE_KEY_BYTES ||
            map_find(st, sqlite3_column_blob(stmt, 0), &f, &slot, NULL) != DB_OK)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            uint64_t *nw = realloc(where, cap * sizeof *nw);
            if (!nw) {
                rc = dberr_set(err, DB_ENOMEM, "out of memory");
                break;
            }
            where = nw;
        }
        where[n++] = (uint64_t)f << 32 | slot;
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&st->sql, s, "reading acknowledged responses", err);
    sqlite3_finalize(stmt);
    for (size_t i = 0; rc == DB_OK && i < n; i++)
        rc = slots_release(st->files[where[i] >> 32], (uint32_t)where[i], err);
    free(where);
    if (n)
        st->map.stale = 1;
    for (int f = 0; rc == DB_OK && n && f < st->n_files; f++)
        rc = slots_sync(st->files[f], err);
    if (rc == DB_OK)
        rc = sqldb_exec(&st->sql,
                            "DELETE FROM batch_members WHERE batch IN "
                            "(SELECT number FROM batches WHERE acknowledged = 1)",
                            "forgetting acknowledged responses", err);
    if (rc == DB_OK && released)
        *released = (int64_t)n;
    return rc;
}

int store_batch_purge(Store *st, const uint64_t *numbers, size_t n, int64_t *deleted, DbError *err)
{
    if (deleted)
        *deleted = 0;
    int rc = sqldb_begin(&st->sql, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_stmt *mark = NULL;
    /* Acknowledged means written too: the analyst has the file (an export killed after the
     * file was in place but before it was marked written is finished this way). */
    rc = sqldb_prepare(&st->sql, "UPDATE batches SET acknowledged = 1, written = 1 WHERE number = ?",
                           &mark, err);
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        StoreBatch b;
        if ((rc = store_batch_get(st, numbers[i], &b, err)) != DB_OK)
            break;
        if (b.acknowledged)
            continue;
        sqlite3_bind_int64(mark, 1, (int64_t)numbers[i]);
        int s = sqlite3_step(mark);
        sqlite3_reset(mark);
        if (s != SQLITE_DONE)
            rc = sqldb_error(&st->sql, s, "marking the batch acknowledged", err);
    }
    sqlite3_finalize(mark);
    if (rc != DB_OK) {
        sqldb_rollback(&st->sql);
        return rc;
    }
    /* Durable first; then the records go (again at the next open, should this be cut short). */
    if ((rc = sqldb_commit(&st->sql, "marking batches acknowledged", err)) != DB_OK)
        return rc;
    return release_acknowledged(st, deleted, err);
}

/* --- open: older databases, interrupted purges, torn writes --- */

int store_records_move_from_table(Store *st, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, "SELECT id, session_id, record FROM responses", &stmt, err);
    if (rc != DB_OK)
        return rc;
    int s;
    while (rc == DB_OK && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        int f;
        uint32_t slot;
        const uint8_t *key = sqlite3_column_blob(stmt, 0);
        size_t len = (size_t)sqlite3_column_bytes(stmt, 2);
        if (sqlite3_column_bytes(stmt, 0) != STORE_KEY_BYTES ||
            map_find(st, key, &f, &slot, NULL) == DB_OK)
            continue; /* moved by an earlier, interrupted attempt */
        if ((f = file_for(st, len, 1, err)) < 0) {
            rc = err ? err->code : DB_EIO;
            break;
        }
        rc = slots_put(st->files[f], sqlite3_column_int64(stmt, 1), key,
                       sqlite3_column_blob(stmt, 2), len, &slot, err);
        if (rc == DB_OK) {
            st->map.stale = 1;
            if ((rc = map_rebuild(st, err)) != DB_OK)
                break;
        }
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&st->sql, s, "moving the responses into the record file", err);
    sqlite3_finalize(stmt);
    return rc;
}

int store_records_recover(Store *st, DbError *err)
{
    int rc = release_acknowledged(st, NULL, err);
    sqlite3_stmt *stmt = NULL;
    int64_t open_id = 0;
    if (rc == DB_OK && (rc = sqldb_prepare(&st->sql, "SELECT id FROM sessions WHERE open = 1", &stmt,
                                               err)) == DB_OK) {
        if (sqlite3_step(stmt) == SQLITE_ROW)
            open_id = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
    }
    /* A power cut can tear only the write in flight, which belongs to the open session: a
     * record that does not match its checksum was never confirmed, and its slot is free. */
    int released = 0;
    for (int f = 0; rc == DB_OK && open_id > 0 && f < st->n_files; f++)
        for (uint32_t s = 0; rc == DB_OK && s < slots_count(st->files[f]); s++) {
            if (slots_entry(st->files[f], s)->session_id != open_id)
                continue;
            int v = slots_verify(st->files[f], s, NULL);
            if (v == DB_EFORMAT) {
                rc = slots_release(st->files[f], s, err);
                released = 1;
            }
        }
    for (int f = 0; rc == DB_OK && released && f < st->n_files; f++)
        rc = slots_sync(st->files[f], err);
    if (released)
        st->map.stale = 1;
    return rc;
}
