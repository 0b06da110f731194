/* coord: export and acknowledgement on the kiosk side. See coord.h for the contract and the
 * order of the export steps, which is what makes an interrupted export safe to retry. */
#include "coord.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "recipients.h"
#include "secmem.h"
#include "store.h"

#define META_KIOSK_PK "kiosk_pk"

/* --- identity --- */

int coord_identity(const char *data_dir, KeyIdentity **id, char fp[KEY_FINGERPRINT_SIZE],
                   DbError *err)
{
    *id = NULL;
    char path[PATH_MAX];
    int rc = fs_join(path, sizeof path, data_dir, COORD_IDENTITY_NAME, err);
    int created = 0;
    if (rc == DB_OK)
        rc = keys_identity_load_or_create(path, id, &created, err);
    if (rc == DB_OK && fp) {
        uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
        keys_identity_public(*id, pk);
        keys_fingerprint(pk, sizeof pk, fp);
    }
    return rc;
}

/* The identity anchors the chain: refuse to go on with an identity that differs from the one
 * earlier batches were signed with (a replaced or regenerated identity.key). */
static int check_identity(Store *st, const char *data_dir, const KeyIdentity *id, DbError *err)
{
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES], stored[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(id, pk);
    size_t len = 0;
    int found = 0;
    int rc = store_meta_get(st, META_KIOSK_PK, stored, sizeof stored, &len, &found, err);
    if (rc != DB_OK)
        return rc;
    if (!found)
        return store_meta_set(st, META_KIOSK_PK, pk, sizeof pk, err);
    if (len != sizeof stored || memcmp(stored, pk, sizeof pk) != 0) {
        char now[KEY_FINGERPRINT_SIZE], was[KEY_FINGERPRINT_SIZE];
        keys_fingerprint(pk, sizeof pk, now);
        keys_fingerprint(stored, len == sizeof stored ? len : 0, was);
        return dberr_set(err, DB_ESTATE,
                         "%s/" COORD_IDENTITY_NAME ": the kiosk identity is %s, but this kiosk's "
                         "batches were signed by %s; restore the original identity file (a new "
                         "identity would break the batch chain)",
                         data_dir, now, was);
    }
    return DB_OK;
}

int coord_open_data_dir(const char *dir, int create, Store **st, DbError *err)
{
    *st = NULL;
    int rc = create ? fs_mkdir_p(dir, 0700, err) : DB_OK;
    if (rc == DB_OK)
        rc = fs_check_dir_private(dir, "data directory", err);
    if (rc == DB_OK)
        rc = store_open(dir, st, err);
    return rc;
}

void coord_batch_file_name(const char *kiosk_fp, uint64_t number, char *out, size_t cap)
{
    /* "K7QF-2M9D-XR4A-PL3Z" -> "K7QF-2M9D" */
    snprintf(out, cap, "debrief-%.9s-batch-%06llu.dbb", kiosk_fp, (unsigned long long)number);
}

/* --- collecting and shuffling --- */

/* One response of a batch: its key, its session (an index into the batch's or the export's
 * session table) and its record's length. Records themselves are read from the store one
 * at a time while the file is written, so an export holds at most one in memory. */
typedef struct Item {
    uint8_t key[STORE_KEY_BYTES];
    uint32_t session;
    size_t len;
} Item;

typedef struct Items {
    Item *v;
    size_t n, cap;
} Items;

static void items_free(Items *it)
{
    free(it->v);
    memset(it, 0, sizeof *it);
}

static int items_push(Items *it, const uint8_t *key, uint32_t session, size_t len)
{
    if (it->n == it->cap) {
        size_t ncap = it->cap ? it->cap * 2 : 256;
        Item *nv = realloc(it->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        it->v = nv;
        it->cap = ncap;
    }
    Item *x = &it->v[it->n++];
    memcpy(x->key, key, STORE_KEY_BYTES);
    x->session = session;
    x->len = len;
    return 0;
}

/* Fisher-Yates with a uniform random index: every order is equally likely. */
static void shuffle(Items *it)
{
    for (size_t i = it->n; i > 1; i--) {
        size_t j = secmem_random_below((uint32_t)i);
        Item t = it->v[i - 1];
        it->v[i - 1] = it->v[j];
        it->v[j] = t;
    }
}

/* Session table for a batch: distinct session ids, ascending. */
typedef struct SessTable {
    StoreSession *v;
    int n, cap;
} SessTable;

/* Appends s; -1 if out of memory. */
static int sess_table_push(SessTable *t, const StoreSession *s)
{
    if (t->n == t->cap) {
        int ncap = t->cap ? t->cap * 2 : 8;
        StoreSession *nv = realloc(t->v, (size_t)ncap * sizeof *nv);
        if (!nv)
            return -1;
        t->v = nv;
        t->cap = ncap;
    }
    t->v[t->n++] = *s;
    return 0;
}

static int sess_index(const SessTable *t, int64_t id)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i].id == id)
            return i;
    return -1;
}

/* --- writing and verifying (the atomic write is fsutil's: fs_atomic_*) --- */

static BatchSession batch_session_of(const StoreSession *s)
{
    BatchSession b;
    memset(&b, 0, sizeof b);
    snprintf(b.label, sizeof b.label, "%s", s->label);
    snprintf(b.date, sizeof b.date, "%s", s->date);
    snprintf(b.survey_id, sizeof b.survey_id, "%s", s->survey_id);
    b.survey_version = s->survey_version;
    return b;
}

/* Removes "NAME.tmp-XXXXXX" files that an interrupted export left next to NAME: they can
 * only be earlier attempts at this same batch. Best effort. */
static void remove_stale_temps(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char prefix[160];
    int n = snprintf(prefix, sizeof prefix, "%s.tmp-", name);
    struct dirent *e;
    while (n > 0 && (size_t)n < sizeof prefix && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, (size_t)n) != 0 || strlen(e->d_name) != (size_t)n + 6)
            continue;
        struct stat sb;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode))
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

static int file_sink(void *ctx, const uint8_t *p, size_t len, DbError *err)
{
    return fs_atomic_write(ctx, p, len, err);
}

typedef struct RecordPut {
    BatchWriter *w;
    uint32_t session;
    int64_t session_id;
    size_t len;
    int rc;
    DbError *err;
} RecordPut;

static int put_record(int64_t session_id, const uint8_t *rec, size_t len, void *ctx)
{
    RecordPut *r = ctx;
    if (session_id != r->session_id || len != r->len)
        r->rc = dberr_set(r->err, DB_ESTATE, "a response changed while it was being exported");
    else
        r->rc = batch_writer_add_record(r->w, r->session, rec, len, r->err);
    return 0;
}

/* Streams the batch (sessions t in this order, items in this order, .session indexing t) to
 * a new temporary file next to path (fs_atomic_open), reading each record from the store as
 * it goes, signs it and makes it durable. On DB_OK *tmp holds the synced file (the caller
 * commits or aborts it) and hash is the batch hash; on failure nothing is left. */
static int write_temp(Store *st, const KeyIdentity *id, uint64_t number,
                      const uint8_t prev[BATCH_HASH_BYTES], const SessTable *t, const Items *it,
                      const char *path, FsAtomic *tmp, uint8_t hash[BATCH_HASH_BYTES],
                      DbError *err)
{
    BatchSession *bs = calloc((size_t)(t->n ? t->n : 1), sizeof *bs);
    if (!bs)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    for (int i = 0; i < t->n; i++)
        bs[i] = batch_session_of(&t->v[i]);
    for (size_t i = 0; i < it->n; i++)
        bs[it->v[i].session].count++;
    int rc = fs_atomic_open(path, 0644, tmp, err);
    BatchWriter *w = NULL;
    /* Every key ever pinned here: the batch names each record's recipients with their full
     * keys (fingerprints for `debrief verify`), also for responses sealed before a change.
     * The list only grows, so a rewritten batch names them as the first writing did. */
    KeyPublic known[RCPT_KNOWN_MAX];
    int n_known = 0;
    if (rc == DB_OK)
        rc = rcpt_known(st, known, &n_known, err);
    if (rc == DB_OK)
        rc = batch_writer_new(number, prev, bs, (uint32_t)t->n, id, file_sink, tmp, &w, err);
    for (int i = 0; rc == DB_OK && i < n_known; i++)
        rc = batch_writer_add_key(w, &known[i], err);
    for (size_t i = 0; rc == DB_OK && i < it->n; i++) {
        RecordPut r = {w, it->v[i].session, t->v[it->v[i].session].id, it->v[i].len, DB_OK,
                       err};
        rc = store_response_read(st, it->v[i].key, put_record, &r, err);
        if (rc == DB_OK)
            rc = r.rc;
    }
    if (rc == DB_OK)
        rc = batch_writer_finish(w, hash, NULL, err);
    batch_writer_free(w);
    free(bs);
    if (rc == DB_OK)
        rc = fs_atomic_sync(tmp, err);
    if (rc != DB_OK)
        fs_atomic_abort(tmp);
    return rc;
}

/* Reads up to n bytes (fewer only at the end of the file or on an error, which leaves errno
 * set; errno is 0 otherwise). */
static size_t read_up_to(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    errno = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

/* Reads the batch file at path in pieces (in bounded memory, whatever its size) and gives its
 * batch hash, with the signature checked by kiosk_pk unless that is NULL. DB_ENOENT if there
 * is no file. The file's cached pages are dropped first, so that reading back a batch just
 * written reads the medium rather than what is still in memory. */
static int hash_batch_file(const char *path, const uint8_t *kiosk_pk,
                           uint8_t hash[BATCH_HASH_BYTES], DbError *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        return dberr_set(err, e == ENOENT ? DB_ENOENT : DB_EIO, "%s: %s", path, strerror(e));
    }
    struct stat sb;
    int rc = DB_OK;
    if (fstat(fd, &sb) != 0)
        rc = dberr_set(err, DB_EIO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        rc = dberr_set(err, DB_EIO, "%s: not a regular file", path);
    else if (sb.st_size < KEY_SIGNATURE_BYTES || (uint64_t)sb.st_size > BATCH_MAX_BYTES)
        rc = dberr_set(err, DB_EFORMAT, "%s: %lld bytes is no batch file", path,
                       (long long)sb.st_size);
    BatchDigest *d = rc == DB_OK ? batch_digest_new() : NULL;
    uint8_t *buf = rc == DB_OK ? malloc(FS_READ_PIECE) : NULL;
    if (rc == DB_OK && (!d || !buf))
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
    if (rc == DB_OK)
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    /* The signed part into the digest, then the signature, then nothing more. */
    uint64_t left = rc == DB_OK ? (uint64_t)sb.st_size - KEY_SIGNATURE_BYTES : 0;
    while (rc == DB_OK && left > 0) {
        size_t n = read_up_to(fd, buf, left < FS_READ_PIECE ? (size_t)left : FS_READ_PIECE);
        if (n == 0)
            rc = dberr_set(err, DB_EIO, "%s: read: %s", path,
                           errno ? strerror(errno) : "the file got shorter while it was read");
        batch_digest_update(d, buf, n);
        left -= n;
    }
    uint8_t sig[KEY_SIGNATURE_BYTES], extra;
    if (rc == DB_OK && read_up_to(fd, sig, sizeof sig) != sizeof sig)
        rc = dberr_set(err, DB_EIO, "%s: read: %s", path,
                       errno ? strerror(errno) : "the file got shorter while it was read");
    if (rc == DB_OK && read_up_to(fd, &extra, 1) != 0)
        rc = dberr_set(err, DB_EIO, "%s: the file grew while it was read", path);
    free(buf);
    close(fd);
    if (rc == DB_OK) {
        uint8_t digest[BATCH_DIGEST_BYTES];
        batch_digest_final(d, digest);
        if (kiosk_pk)
            rc = batch_verify_digested(path, digest, sig, kiosk_pk, hash, err);
        else
            batch_hash_digested(digest, sig, hash);
    }
    batch_digest_free(d);
    return rc;
}

/* Moves the finished temporary file tmp to path, unless an identical file is already there
 * (same hash: then tmp goes), then reads it back from the medium and checks its signature and
 * that its hash, which commits to every byte, is the one computed while writing. Never
 * overwrites a different file. Memory stays bounded whatever the batch's size. */
static int place_and_verify(FsAtomic *tmp, const char *path, const KeyIdentity *id,
                            const uint8_t hash[BATCH_HASH_BYTES], DbError *err)
{
    uint8_t h[BATCH_HASH_BYTES];
    DbError tmp_err;
    int rc = hash_batch_file(path, NULL, h, &tmp_err);
    if ((rc == DB_OK && memcmp(h, hash, BATCH_HASH_BYTES) != 0) || rc == DB_EFORMAT) {
        fs_atomic_abort(tmp);
        return dberr_set(err, DB_EEXIST,
                         "%s: a different file with this name is already there; not "
                         "overwriting it (was this kiosk's data restored from a backup?)",
                         path);
    }
    if (rc == DB_OK) {
        fs_atomic_abort(tmp); /* the same batch is already there */
    } else if (rc != DB_ENOENT) {
        fs_atomic_abort(tmp);
        return dberr_set(err, rc, "%s", tmp_err.msg);
    } else if ((rc = fs_atomic_commit(tmp, err)) != DB_OK) {
        return rc;
    }
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(id, pk);
    rc = hash_batch_file(path, pk, h, err);
    if (rc != DB_OK)
        return dberr_prefix(err, "reading the batch back");
    if (memcmp(h, hash, BATCH_HASH_BYTES) != 0)
        return dberr_set(err, DB_EIO, "%s: the file read back differs from what was written",
                         path);
    return DB_OK;
}

static int cmp_session_id(const void *a, const void *b)
{
    int64_t x = ((const StoreSession *)a)->id, y = ((const StoreSession *)b)->id;
    return x < y ? -1 : x > y;
}

static int fill_info(CoordBatchInfo *info, const StoreBatch *sb, const SessTable *t,
                     const Items *it, const char *path, int resumed, DbError *err)
{
    info->number = sb->number;
    memcpy(info->hash, sb->hash, BATCH_HASH_BYTES);
    memcpy(info->prev_hash, sb->prev_hash, BATCH_HASH_BYTES);
    snprintf(info->path, sizeof info->path, "%s", path);
    info->n_records = (int64_t)it->n;
    info->resumed = resumed;
    info->sessions = calloc((size_t)(t->n ? t->n : 1), sizeof *info->sessions);
    if (!info->sessions)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    info->n_sessions = t->n;
    for (int i = 0; i < t->n; i++) {
        CoordSessionInfo *s = &info->sessions[i];
        s->id = t->v[i].id;
        snprintf(s->label, sizeof s->label, "%s", t->v[i].label);
        snprintf(s->date, sizeof s->date, "%s", t->v[i].date);
    }
    for (size_t i = 0; i < it->n; i++)
        info->sessions[it->v[i].session].count++;
    return DB_OK;
}

/* A recorded batch's members: the session ids as they come, mapped to a table afterwards. */
typedef struct Members {
    Items items;
    int64_t *ids; /* session id of each item */
    size_t cap_ids;
    int failed;
} Members;

static int collect_member(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len,
                          void *ctx)
{
    Members *m = ctx;
    if (m->items.n == m->cap_ids) {
        size_t ncap = m->cap_ids ? m->cap_ids * 2 : 256;
        int64_t *n = realloc(m->ids, ncap * sizeof *n);
        if (!n) {
            m->failed = 1;
            return 1;
        }
        m->ids = n;
        m->cap_ids = ncap;
    }
    m->ids[m->items.n] = session_id;
    if (items_push(&m->items, key, 0, len) != 0) {
        m->failed = 1;
        return 1;
    }
    return 0;
}

/* Rebuilds recorded batch sb from the store (same responses, same positions), checks it
 * reproduces the recorded hash, writes and verifies it, and marks it written. */
static int rewrite_batch(Store *st, const StoreBatch *sb, const KeyIdentity *id,
                         const char *out_dir, const char *fp, int resumed, CoordBatchInfo *info,
                         DbError *err)
{
    if (sb->acknowledged)
        return dberr_set(err, DB_ESTATE,
                         "batch %llu was acknowledged and its responses deleted; it cannot be "
                         "written again",
                         (unsigned long long)sb->number);
    Members m;
    memset(&m, 0, sizeof m);
    SessTable t = {0};
    int rc = store_batch_members_foreach(st, sb->number, collect_member, &m, err);
    if (rc == DB_OK && m.failed)
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
    if (rc == DB_OK && (int64_t)m.items.n != sb->records)
        rc = dberr_set(err, DB_ESTATE,
                       "batch %llu should hold %lld responses but %zu are stored; it cannot be "
                       "reproduced",
                       (unsigned long long)sb->number, (long long)sb->records, m.items.n);
    for (size_t i = 0; rc == DB_OK && i < m.items.n; i++) {
        if (sess_index(&t, m.ids[i]) >= 0)
            continue;
        StoreSession s;
        rc = store_session_get(st, m.ids[i], &s, err);
        if (rc == DB_OK && sess_table_push(&t, &s) != 0)
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
    }
    char name[128], path[PATH_MAX];
    FsAtomic tmp = {.fd = -1};
    coord_batch_file_name(fp, sb->number, name, sizeof name);
    if (rc == DB_OK)
        rc = fs_join(path, sizeof path, out_dir, name, err);
    if (rc == DB_OK) {
        qsort(t.v, (size_t)t.n, sizeof *t.v, cmp_session_id);
        for (size_t i = 0; i < m.items.n; i++)
            m.items.v[i].session = (uint32_t)sess_index(&t, m.ids[i]);
        uint8_t hash[BATCH_HASH_BYTES];
        rc = write_temp(st, id, sb->number, sb->prev_hash, &t, &m.items, path, &tmp, hash, err);
        if (rc == DB_OK && memcmp(hash, sb->hash, BATCH_HASH_BYTES) != 0) {
            fs_atomic_abort(&tmp);
            rc = dberr_set(err, DB_ESTATE,
                           "batch %llu rebuilt from the store does not reproduce its recorded "
                           "hash; not writing it",
                           (unsigned long long)sb->number);
        }
    }
    if (rc == DB_OK)
        rc = place_and_verify(&tmp, path, id, sb->hash, err);
    if (rc == DB_OK) {
        remove_stale_temps(out_dir, name);
        if (!sb->written)
            rc = store_batch_set_written(st, sb->number, err);
    }
    if (rc == DB_OK)
        rc = fill_info(info, sb, &t, &m.items, path, resumed, err);
    free(t.v);
    free(m.ids);
    items_free(&m.items);
    return rc;
}

/* --- export --- */

typedef struct SessList {
    SessTable t;
    int failed;
} SessList;

static int add_session(const StoreSession *s, void *ctx)
{
    SessList *l = ctx;
    l->failed = sess_table_push(&l->t, s) != 0;
    return l->failed;
}

/* The index of session id in t, whose ids ascend; -1 if it is not there. */
static int sess_find_sorted(const SessTable *t, int64_t id)
{
    int lo = 0, hi = t->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (t->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->v[lo].id == id ? lo : -1;
}

typedef struct Counts {
    const SessTable *all;
    int64_t *n; /* unexported responses of all->v[i] */
} Counts;

static int count_unexported(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len,
                            void *ctx)
{
    (void)key, (void)len;
    Counts *c = ctx;
    int i = sess_find_sorted(c->all, session_id);
    if (i >= 0)
        c->n[i]++;
    return 0;
}

static int hold_back(CoordExportResult *res, const StoreSession *s, int64_t n)
{
    CoordSessionInfo *h = realloc(res->held, (size_t)(res->n_held + 1) * sizeof *h);
    if (!h)
        return -1;
    res->held = h;
    CoordSessionInfo *x = &h[res->n_held++];
    memset(x, 0, sizeof *x);
    x->id = s->id;
    snprintf(x->label, sizeof x->label, "%s", s->label);
    snprintf(x->date, sizeof x->date, "%s", s->date);
    x->count = n;
    return 0;
}

/* The closed sessions whose unexported responses go out now (ids ascending), counted in one
 * pass over the store; the open session's responses and the sessions held back (fewer than
 * k, without force) go into res. */
static int gather_sessions(Store *st, const CoordExportOptions *opt, CoordExportResult *res,
                           SessTable *eligible, DbError *err)
{
    SessList l = {0};
    int rc = store_session_foreach(st, add_session, &l, err);
    if (rc == DB_OK && l.failed)
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
    const SessTable all = l.t; /* ids ascending: store_session_foreach's order */
    Counts c = {&all, calloc((size_t)(all.n ? all.n : 1), sizeof *c.n)};
    if (rc == DB_OK && !c.n)
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
    if (rc == DB_OK)
        rc = store_unexported_keys_foreach(st, -1, count_unexported, &c, err);
    for (int i = 0; rc == DB_OK && i < all.n; i++) {
        const StoreSession *s = &all.v[i];
        int64_t n = c.n[i];
        if (s->open) {
            res->open_responses += n;
            continue;
        }
        if (n == 0)
            continue;
        /* A session part of which is already in a batch passed the threshold then (the
         * rest of a split export that failed half-way): the rest follows. */
        int held = n < res->k && !opt->force && n == s->responses;
        if ((held ? hold_back(res, s, n) : sess_table_push(eligible, s)) != 0)
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
    }
    free(c.n);
    free(all.v);
    return rc;
}

/* Grows res->batches by one zeroed entry; NULL if out of memory. */
static CoordBatchInfo *next_info(CoordExportResult *res)
{
    CoordBatchInfo *n = realloc(res->batches, (size_t)(res->n_batches + 1) * sizeof *n);
    if (!n)
        return NULL;
    res->batches = n;
    memset(&n[res->n_batches], 0, sizeof *n);
    return &n[res->n_batches];
}

/* Writes one new batch holding it->v[0 .. it->n) (already shuffled; .session indexes into
 * all->v), numbered after the last batch: steps 2 to 5 of coord.h. */
static int export_one(Store *st, const CoordExportOptions *opt, const KeyIdentity *id,
                      const SessTable *all, Items *it, CoordExportResult *res, DbError *err)
{
    /* The batch lists only the sessions it holds records of, in the order of all (by id). */
    SessTable t = {0};
    int *map = malloc((size_t)(all->n ? all->n : 1) * sizeof *map);
    t.v = malloc((size_t)(all->n ? all->n : 1) * sizeof *t.v);
    if (!map || !t.v) {
        free(map);
        free(t.v);
        return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    for (int i = 0; i < all->n; i++)
        map[i] = -1;
    for (size_t i = 0; i < it->n; i++)
        map[it->v[i].session] = 0;
    for (int i = 0; i < all->n; i++)
        if (map[i] == 0) {
            map[i] = t.n;
            t.v[t.n++] = all->v[i];
        }
    for (size_t i = 0; i < it->n; i++)
        it->v[i].session = (uint32_t)map[it->v[i].session];
    free(map);

    StoreBatch last, sb;
    int found = 0;
    memset(&sb, 0, sizeof sb);
    char name[128], path[PATH_MAX];
    FsAtomic tmp = {.fd = -1};
    uint8_t (*keys)[STORE_KEY_BYTES] = NULL;
    int rc = store_batch_last(st, &last, &found, err);
    if (rc == DB_OK) {
        sb.number = found ? last.number + 1 : 1;
        if (found)
            memcpy(sb.prev_hash, last.hash, BATCH_HASH_BYTES);
        sb.records = (int64_t)it->n;
        coord_batch_file_name(res->kiosk_fp, sb.number, name, sizeof name);
        rc = fs_join(path, sizeof path, opt->out_dir, name, err);
    }
    if (rc == DB_OK)
        rc = write_temp(st, id, sb.number, sb.prev_hash, &t, it, path, &tmp, sb.hash, err);
    if (rc == DB_OK) {
        keys = malloc((it->n ? it->n : 1) * sizeof *keys);
        if (!keys)
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
    }
    if (rc == DB_OK) {
        for (size_t i = 0; i < it->n; i++)
            memcpy(keys[i], it->v[i].key, STORE_KEY_BYTES);
        /* Recorded before the file takes its name: from here on a retry reproduces these
         * bytes (the temporary file alone is an attempt that never happened). */
        rc = store_batch_add(st, &sb, (const uint8_t(*)[STORE_KEY_BYTES])keys, it->n, err);
    }
    if (rc != DB_OK)
        fs_atomic_abort(&tmp);
    if (rc == DB_OK) {
        rc = place_and_verify(&tmp, path, id, sb.hash, err);
        if (rc != DB_OK)
            dberr_prefix(err, "batch %llu was not written (export again to write the same "
                              "batch)", (unsigned long long)sb.number);
    }
    if (rc == DB_OK) {
        remove_stale_temps(opt->out_dir, name);
        rc = store_batch_set_written(st, sb.number, err);
    }
    if (rc == DB_OK) {
        CoordBatchInfo *info = next_info(res);
        if (!info)
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
        else if ((rc = fill_info(info, &sb, &t, it, path, 0, err)) == DB_OK)
            res->n_batches++;
    }
    free(keys);
    free(t.v);
    return rc;
}

/* One batch's pick from the unexported responses of the eligible sessions: a uniform random
 * sample of at most max_records of them (reservoir sampling, Algorithm R, with
 * secmem_random_below), whatever order the store gives them in. */
typedef struct Pick {
    Items it;
    const SessTable *eligible;
    size_t max_records;
    uint64_t seen; /* unexported responses of the eligible sessions */
    int failed;
} Pick;

static int pick_unexported(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len,
                           void *ctx)
{
    Pick *p = ctx;
    int i = sess_find_sorted(p->eligible, session_id);
    if (i < 0)
        return 0;
    p->seen++;
    if (p->it.n < p->max_records) {
        p->failed = items_push(&p->it, key, (uint32_t)i, len) != 0;
        return p->failed;
    }
    uint64_t j = p->seen <= UINT32_MAX ? secmem_random_below((uint32_t)p->seen) : p->max_records;
    if (j < p->max_records) {
        Item *x = &p->it.v[j];
        memcpy(x->key, key, STORE_KEY_BYTES);
        x->session = (uint32_t)i;
        x->len = len;
    }
    return 0;
}

/* How many items from the start go into one batch under the byte limit: at least one (a
 * record larger than max_bytes gets a batch of its own). A record counts with its 6-byte
 * header in the batch. */
static size_t fits_bytes(const Items *it, size_t max_bytes)
{
    size_t n = 0, bytes = 0;
    while (n < it->n) {
        size_t b = it->v[n].len + 6;
        if (n > 0 && bytes + b > max_bytes)
            break;
        bytes += b;
        n++;
    }
    return n;
}

/* Writes every eligible response not yet exported, one batch at a time: each batch is a
 * uniform random sample of what is left (Pick, one pass over the store), shuffled, cut to
 * the byte limit and written before the next is picked. So which responses share a batch
 * owes nothing to the order of submission, and an export holds one batch's keys at most,
 * whatever the backlog (bench_export). */
static int export_new(Store *st, const CoordExportOptions *opt, const KeyIdentity *id,
                      CoordExportResult *res, DbError *err)
{
    SessTable eligible = {0};
    int rc = gather_sessions(st, opt, res, &eligible, err);
    if (rc != DB_OK || eligible.n == 0) {
        free(eligible.v);
        return rc;
    }
    if (eligible.n > BATCH_MAX_SESSIONS) /* the rest go into the next export */
        eligible.n = BATCH_MAX_SESSIONS;

    size_t max_records = opt->max_batch_records ? opt->max_batch_records
                                                : COORD_BATCH_MAX_RECORDS;
    size_t max_bytes = opt->max_batch_bytes ? opt->max_batch_bytes : COORD_BATCH_MAX_BYTES;
    if (max_records > BATCH_MAX_RECORDS)
        max_records = BATCH_MAX_RECORDS;
    if (max_bytes > BATCH_MAX_BYTES / 2)
        max_bytes = BATCH_MAX_BYTES / 2; /* room for the header and the sessions */
    Pick p = {.eligible = &eligible, .max_records = max_records};
    for (int more = 1; rc == DB_OK && more;) {
        p.it.n = 0;
        p.seen = 0;
        rc = store_unexported_keys_foreach(st, -1, pick_unexported, &p, err);
        if (rc == DB_OK && p.failed)
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
        if (rc != DB_OK || p.it.n == 0)
            break;
        shuffle(&p.it);
        Items batch = {.v = p.it.v, .n = fits_bytes(&p.it, max_bytes)};
        rc = export_one(st, opt, id, &eligible, &batch, res, err);
        more = p.seen > batch.n; /* the rest: those just written count as exported now */
    }
    items_free(&p.it);
    free(eligible.v);
    return rc;
}

static int check_out_dir(const char *dir, DbError *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        int e = errno;
        if (e == ENOENT)
            return dberr_set(err, DB_ENOENT,
                             "%s: export directory does not exist (is the drive mounted?)", dir);
        return dberr_set(err, DB_EIO, "%s: %s", dir, strerror(e));
    }
    if (!S_ISDIR(sb.st_mode))
        return dberr_set(err, DB_EIO, "%s: not a directory", dir);
    return DB_OK;
}

/* Exports of one kiosk take turns: an exclusive flock on its data directory itself (no lock
 * file to create or leave behind; released however the process ends). Another export
 * holding it is DB_ESTATE: taking its pending batch for an interrupted one would write it
 * twice and then fail on the number it takes next. */
static int lock_exports(const char *data_dir, int *fd, DbError *err)
{
    *fd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0)
        return dberr_set(err, errno == ENOENT ? DB_ENOENT : DB_EIO, "%s: %s", data_dir,
                         strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return DB_OK;
    int e = errno;
    close(*fd);
    *fd = -1;
    if (e == EWOULDBLOCK)
        return dberr_set(err, DB_ESTATE,
                         "another export is running on this kiosk (the admin screen or another "
                         "shell); export again once it has finished (nothing was written)");
    return dberr_set(err, DB_EIO, "%s: cannot lock it for the export: %s", data_dir, strerror(e));
}

int coord_export(const CoordExportOptions *opt, CoordExportResult *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    out->k = opt->k > 0 ? opt->k : COORD_DEFAULT_K;
    int rc = check_out_dir(opt->out_dir, err);
    if (rc != DB_OK)
        return rc;
    int lock = -1;
    if ((rc = lock_exports(opt->data_dir, &lock, err)) != DB_OK)
        return rc;
    Store *st = opt->store;
    KeyIdentity *id = NULL;
    rc = coord_identity(opt->data_dir, &id, out->kiosk_fp, err);
    if (rc == DB_OK)
        rc = check_identity(st, opt->data_dir, id, err);
    StoreBatch last;
    int found = 0;
    CoordBatchInfo *info = NULL;
    if (rc == DB_OK && opt->again > 0) {
        rc = store_batch_get(st, opt->again, &last, err);
        if (rc == DB_OK && !(info = next_info(out)))
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
        if (rc == DB_OK)
            rc = rewrite_batch(st, &last, id, opt->out_dir, out->kiosk_fp, 0, info, err);
        if (rc == DB_OK)
            out->n_batches = 1;
        goto done;
    }
    /* An export interrupted after its batch was recorded: finish it first, same bytes. */
    if (rc == DB_OK)
        rc = store_batch_last(st, &last, &found, err);
    /* (An acknowledged batch is done whatever the flag says: stores before 0.2 could keep
     * one unwritten after a killed export whose complete file was imported.) */
    if (rc == DB_OK && found && !last.written && !last.acknowledged) {
        if (!(info = next_info(out)))
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
        if (rc == DB_OK)
            rc = rewrite_batch(st, &last, id, opt->out_dir, out->kiosk_fp, 1, info, err);
        if (rc == DB_OK)
            out->n_batches = 1;
        else
            dberr_prefix(err, "batch %llu (from an interrupted export) was not written",
                         (unsigned long long)last.number);
    }
    if (rc == DB_OK)
        rc = export_new(st, opt, id, out, err);
done:
    keys_identity_free(id);
    close(lock);
    return rc;
}

void coord_export_result_free(CoordExportResult *r)
{
    if (!r)
        return;
    /* An entry past n_batches (a batch that failed) owns nothing: fill_info is its last step. */
    for (int i = 0; r->batches && i < r->n_batches; i++)
        free(r->batches[i].sessions);
    free(r->batches);
    r->batches = NULL;
    free(r->held);
    r->held = NULL;
    r->n_batches = r->n_held = 0;
}

/* --- acknowledgement --- */

/* The keys an acknowledgement may be signed with: every key ever pinned here, known[0..n)
 * (the analyst's keys before a change still acknowledge what was sealed to them), or those of
 * only[], each of which must be one of them. Which batches the signer may purge is
 * ack_batch_sealed_to's. */
static int ack_signers(Store *st, const char *data_dir, const KeyPublic *known, int n_known,
                       const KeyPublic *only, int n_only, KeyPublic out[RCPT_KNOWN_MAX], int *n,
                       DbError *err)
{
    if (n_known == 0)
        return dberr_set(err, DB_ESTATE,
                         "%s: no analyst keys are pinned on this kiosk yet; start the kiosk once "
                         "with its configuration (it pins the keys it is configured with), then "
                         "apply the acknowledgement; nothing was deleted",
                         data_dir);
    if (n_only == 0) {
        memcpy(out, known, (size_t)n_known * sizeof *known);
        *n = n_known;
        return DB_OK;
    }
    for (int i = 0; i < n_only; i++) {
        int pinned = 0;
        for (int j = 0; j < n_known && !pinned; j++)
            pinned = memcmp(&known[j], &only[i], sizeof only[i]) == 0;
        if (!pinned) {
            RcptSet now;
            int found = 0;
            char fp[KEY_FINGERPRINT_SIZE], list[RCPT_MAX * 21] = "";
            keys_public_fingerprint(&only[i], fp);
            if (rcpt_pinned(st, &now, &found, err) == DB_OK)
                rcpt_describe(&now, list, sizeof list);
            return dberr_set(err, DB_ESTATE,
                             "analyst key %s was never pinned on this kiosk (pinned now: %s); an "
                             "acknowledgement is verified only with keys pinned here; nothing "
                             "was deleted",
                             fp, list);
        }
    }
    memcpy(out, only, (size_t)n_only * sizeof *only);
    *n = n_only;
    return DB_OK;
}

/* The walk over a batch's records: how many are not sealed to the signer, and whom those are
 * sealed to instead (their key ids, each once). A record that can no longer be read, or no
 * longer names its keys (its slot damaged since the export), says nothing either way: the
 * analyst imported the batch as exported (the acknowledgement names its hash), and one
 * damaged slot must not keep every later acknowledgement, which lists the batch again, from
 * deleting anything. */
typedef struct SealedTo {
    Store *st;
    uint8_t signer[KEY_ID_BYTES];
    int64_t records, others, unreadable;
    int n_ids;
    uint8_t ids[RCPT_KNOWN_MAX][KEY_ID_BYTES];
} SealedTo;

static int count_sealed_to(int64_t session_id, const uint8_t *rec, size_t len, void *ctx)
{
    (void)session_id;
    SealedTo *w = ctx;
    uint8_t ids[SEAL_MAX_RECIPIENTS][KEY_ID_BYTES];
    int n = 0, to_signer = 0;
    w->records++;
    if (seal_record_key_ids(rec, len, ids, &n) != 0) {
        w->unreadable++;
        return 0;
    }
    for (int i = 0; i < n; i++)
        to_signer |= memcmp(ids[i], w->signer, KEY_ID_BYTES) == 0;
    if (to_signer)
        return 0;
    w->others++;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < w->n_ids && !seen; j++)
            seen = memcmp(w->ids[j], ids[i], KEY_ID_BYTES) == 0;
        if (!seen && w->n_ids < RCPT_KNOWN_MAX)
            memcpy(w->ids[w->n_ids++], ids[i], KEY_ID_BYTES);
    }
    return 0;
}

static int read_sealed_to(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len,
                          void *ctx)
{
    (void)session_id, (void)len;
    SealedTo *w = ctx;
    DbError ignored;
    if (store_response_read(w->st, key, count_sealed_to, w, &ignored) != DB_OK) {
        w->records++;
        w->unreadable++;
    }
    return 0;
}

/* Names key id: the fingerprint of the key pinned here that has it, else the id in hex. */
static void name_key_id(const uint8_t id[KEY_ID_BYTES], const KeyPublic *known, int n_known,
                        char *out, size_t cap)
{
    for (int j = 0; j < n_known; j++) {
        uint8_t kid[KEY_ID_BYTES];
        keys_public_id(&known[j], kid);
        if (memcmp(kid, id, KEY_ID_BYTES) == 0) {
            char fp[KEY_FINGERPRINT_SIZE];
            keys_public_fingerprint(&known[j], fp);
            snprintf(out, cap, "%s", fp);
            return;
        }
    }
    char hex[KEY_ID_HEX_SIZE];
    keys_id_hex(id, hex);
    snprintf(out, cap, "key id %s", hex);
}

/* DB_OK if every record batch number still holds is sealed to signer: the analyst who signed
 * could open, and so import, all of them. Otherwise DB_ESTATE saying whom they are sealed to
 * (fingerprints of keys pinned here, key ids of others). One pass over the records, none
 * opened. */
static int ack_batch_sealed_to(Store *st, const char *ack_path, uint64_t number,
                               const KeyPublic *signer, const KeyPublic *known, int n_known,
                               DbError *err)
{
    SealedTo w;
    memset(&w, 0, sizeof w);
    w.st = st;
    keys_public_id(signer, w.signer);
    int rc = store_batch_members_foreach(st, number, read_sealed_to, &w, err);
    if (rc == DB_OK && w.others > 0) {
        char to[RCPT_KNOWN_MAX * 24] = "", how[64] = "its records are";
        size_t o = 0;
        for (int i = 0; i < w.n_ids && o < sizeof to; i++) {
            char name[32];
            name_key_id(w.ids[i], known, n_known, name, sizeof name);
            o += (size_t)snprintf(to + o, sizeof to - o, "%s%s", i ? ", " : "", name);
        }
        if (w.others < w.records)
            snprintf(how, sizeof how, "%lld of its %lld records %s", (long long)w.others,
                     (long long)w.records, w.others == 1 ? "is" : "are");
        char sfp[KEY_FINGERPRINT_SIZE];
        keys_public_fingerprint(signer, sfp);
        rc = dberr_set(err, DB_ESTATE,
                       "%s: batch %llu: %s sealed to %s, not to the key that signed this "
                       "acknowledgement (%s), which cannot have imported them; nothing was "
                       "deleted",
                       ack_path, (unsigned long long)number, how, to, sfp);
    }
    return rc;
}

int coord_ack(Store *st, const char *data_dir, const KeyPublic *only, int n_only,
              const char *ack_path, CoordAckResult *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    KeyPublic known[RCPT_KNOWN_MAX], signers[RCPT_KNOWN_MAX];
    int n_known = 0, n_signers = 0;
    int rc = rcpt_known(st, known, &n_known, err);
    if (rc == DB_OK)
        rc = ack_signers(st, data_dir, known, n_known, only, n_only, signers, &n_signers, err);
    if (rc != DB_OK)
        return rc;
    uint8_t *data = NULL;
    size_t len = 0;
    rc = fs_read_file(ack_path, COORD_MAX_ACK_BYTES, 0, &data, &len, err);
    if (rc != DB_OK)
        return rc;
    Ack ack;
    memset(&ack, 0, sizeof ack);
    const KeyPublic *signer = NULL;
    rc = DB_EAUTH;
    for (int i = 0; i < n_signers && rc == DB_EAUTH; i++) {
        rc = ack_parse(ack_path, data, len, signers[i].sign_pk, &ack, err);
        if (rc == DB_OK)
            signer = &signers[i];
    }
    free(data);
    if (rc != DB_OK)
        return rc;
    keys_public_fingerprint(signer, out->analyst_fp);
    /* A split pair pinned before rcpt_pin refused them: which key the records name is
     * unclear, so nothing is deleted on this signer's word. */
    for (int i = 0; i < n_known && rc == DB_OK; i++)
        if (rcpt_split_pair(signer, &known[i]))
            rc = dberr_set(err, DB_ESTATE,
                           "%s: analyst key %s shares half of its key pair with another key "
                           "pinned on this kiosk; nothing was deleted",
                           ack_path, out->analyst_fp);
    KeyIdentity *id = NULL;
    uint64_t *todo = NULL;
    size_t n_todo = 0;
    out->n_entries = (int)ack.n_entries;
    if (rc == DB_OK)
        rc = coord_identity(data_dir, &id, out->kiosk_fp, err);
    if (rc == DB_OK) {
        uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
        keys_identity_public(id, pk);
        if (memcmp(pk, ack.kiosk_pk, sizeof pk) != 0) {
            char other[KEY_FINGERPRINT_SIZE];
            keys_fingerprint(ack.kiosk_pk, sizeof ack.kiosk_pk, other);
            rc = dberr_set(err, DB_ESTATE,
                           "%s: the acknowledgement is for kiosk %s, not this kiosk (%s); "
                           "nothing was deleted",
                           ack_path, other, out->kiosk_fp);
        }
    }
    if (rc == DB_OK) {
        todo = malloc((ack.n_entries ? ack.n_entries : 1) * sizeof *todo);
        if (!todo)
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
    }
    /* Check every entry before deleting anything. */
    for (uint32_t i = 0; rc == DB_OK && i < ack.n_entries; i++) {
        StoreBatch b;
        const AckEntry *e = &ack.entries[i];
        rc = store_batch_get(st, e->number, &b, err);
        if (rc == DB_ENOENT) {
            rc = dberr_set(err, DB_ESTATE,
                           "%s: acknowledges batch %llu, which this kiosk never exported; "
                           "nothing was deleted",
                           ack_path, (unsigned long long)e->number);
        } else if (rc == DB_OK && memcmp(b.hash, e->hash, BATCH_HASH_BYTES) != 0) {
            rc = dberr_set(err, DB_ESTATE,
                           "%s: batch %llu in the acknowledgement is not the batch this kiosk "
                           "exported (different hash); nothing was deleted",
                           ack_path, (unsigned long long)e->number);
        } else if (rc == DB_OK && b.acknowledged) {
            out->n_already++;
        } else if (rc == DB_OK) {
            rc = ack_batch_sealed_to(st, ack_path, e->number, signer, known, n_known, err);
            if (rc == DB_OK)
                todo[n_todo++] = e->number;
        }
    }
    if (rc == DB_OK && n_todo > 0) {
        rc = store_batch_purge(st, todo, n_todo, &out->deleted, err);
        if (rc == DB_OK)
            out->n_purged = (int)n_todo;
        DbError cerr;
        if (rc == DB_OK && store_compact(st, &cerr) != DB_OK) {
            dberr_prefix(&cerr, "the responses are deleted, but sealed copies may stay in the "
                                "database's files until the next session close or "
                                "acknowledgement compacts it");
            memcpy(out->warning, cerr.msg, sizeof out->warning);
        }
    }
    free(todo);
    ack_free(&ack);
    keys_identity_free(id);
    return rc;
}
