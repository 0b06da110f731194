/* test_store: the sqlite response store: creation, migration, refusal of newer schemas,
 * sessions and their rules, durable puts, no insertion order, full disk, export bookkeeping. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secmem.h"
#include "store.h"
#include "testlib.h"

static char g_dir[256];
static int g_dir_n;

/* A fresh empty directory under /tmp. */
static const char *fresh_dir(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/debrief-test-store-%d-%d", (int)getpid(), g_dir_n++);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0 || mkdir(g_dir, 0755) != 0)
        abort();
    return g_dir;
}

static void remove_dir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static Store *open_ok(const char *dir)
{
    Store *st = NULL;
    DbError err;
    dberr_clear(&err);
    int rc = store_open(dir, &st, &err);
    if (rc != DB_OK)
        fprintf(stderr, "store_open: %s\n", err.msg);
    CHECK(rc == DB_OK && st != NULL);
    return st;
}

static int64_t open_session(Store *st, const char *label, int expected)
{
    int64_t id = 0;
    DbError err;
    CHECK(store_session_open(st, label, "2024-05-14", "ccdg", 3, expected, &id, &err) == DB_OK);
    CHECK(id > 0);
    return id;
}

static int put(Store *st, int64_t session, const char *text, DbError *err)
{
    return store_response_put(st, session, (const uint8_t *)text, strlen(text), err);
}

static void test_create_and_permissions(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    store_close(st);
    struct stat sb;
    char path[512];
    snprintf(path, sizeof path, "%s/debrief.db", dir);
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
    /* Reopening an existing store works and keeps its contents. */
    st = open_ok(dir);
    int64_t id = open_session(st, "Group 1", 0);
    store_close(st);
    st = open_ok(dir);
    StoreSession s;
    int found = 0;
    DbError err;
    CHECK(store_session_current(st, &s, &found, &err) == DB_OK && found && s.id == id);
    CHECK_STR(s.label, "Group 1");
    CHECK_STR(s.date, "2024-05-14");
    CHECK_STR(s.survey_id, "ccdg");
    CHECK(s.survey_version == 3 && s.open == 1 && s.responses == 0);
    store_close(st);
    remove_dir(dir);
}

static void test_missing_dir_and_not_a_database(void)
{
    DbError err;
    Store *st = (Store *)1;
    CHECK(store_open("/nonexistent/debrief-dir", &st, &err) == DB_ENOENT && st == NULL);
    CHECK_STR(err.msg, "/nonexistent/debrief-dir: data directory does not exist");

    const char *dir = fresh_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/debrief.db", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a database, just text long enough to fill a header........\n", f);
    fclose(f);
    CHECK(store_open(dir, &st, &err) == DB_EIO && st == NULL);
    CHECK(strstr(err.msg, "not a Debrief database, or damaged") != NULL);
    remove_dir(dir);
}

/* user_version is the big-endian u32 at offset 60 of the sqlite file header. */
static void set_user_version(const char *dir, uint32_t v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/debrief.db", dir);
    int fd = open(path, O_RDWR);
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    CHECK(fd >= 0 && pwrite(fd, b, 4, 60) == 4);
    close(fd);
}

static void test_refuses_newer_schema(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    open_session(st, "Group 1", 0);
    store_close(st); /* last connection: the WAL is checkpointed into the file */
    set_user_version(dir, STORE_SCHEMA_VERSION + 1);
    DbError err;
    st = (Store *)1;
    CHECK(store_open(dir, &st, &err) == DB_ESTATE && st == NULL);
    char want[512];
    snprintf(want, sizeof want,
             "%s/debrief.db: the database has schema version %d, newer than this Debrief "
             "understands (%d); use a newer Debrief (the database was not changed)",
             dir, STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
    CHECK_STR(err.msg, want);
    /* Set back, it opens again with its data: the refusal changed nothing. */
    set_user_version(dir, STORE_SCHEMA_VERSION);
    st = open_ok(dir);
    int found = 0;
    StoreSession s;
    CHECK(st && store_session_current(st, &s, &found, &err) == DB_OK && found);
    store_close(st);
    remove_dir(dir);
}

static void test_migrates_empty_file(void)
{
    /* An empty file is a version-0 database: open creates the schema in it. */
    const char *dir = fresh_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/debrief.db", dir);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    close(fd);
    Store *st = open_ok(dir);
    int64_t n = -1;
    DbError err;
    CHECK(st && store_response_count(st, -1, &n, &err) == DB_OK && n == 0);
    store_close(st);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600); /* tightened */
    remove_dir(dir);
}

static void test_session_rules(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    DbError err;
    int64_t id;
    CHECK(store_session_open(st, "", "2024-05-14", "ccdg", 1, 0, &id, &err) == DB_EINVAL);
    /* Labels the response encoder would refuse are refused here, before anyone answers:
     * Latin-1 bytes, a C1 control, an overlong '/', a truncated sequence. */
    const char *bad_labels[] = {"\xe9t\xe9", "G\xc2\x85", "\xc0\xaf", "Gruppe \xc3"};
    for (size_t i = 0; i < sizeof bad_labels / sizeof bad_labels[0]; i++) {
        CHECK(store_session_open(st, bad_labels[i], "2024-05-14", "ccdg", 1, 0, &id, &err) ==
              DB_EINVAL);
        CHECK_STR(err.msg, i == 1 ? "session label contains a control character"
                                  : "session label is not valid UTF-8");
    }
    CHECK(store_session_open(st, "Gr\xc3\xbcppchen \xf0\x9f\x99\x82", "2024-05-14", "ccdg", 1, 0, &id,
                             &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    CHECK(store_session_open(st, "G", "2024-02-30", "ccdg", 1, 0, &id, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "session date 2024-02-30 is not a day of the calendar");
    CHECK(store_session_open(st, "G", "2023-02-29", "ccdg", 1, 0, &id, &err) == DB_EINVAL);
    CHECK(store_session_open(st, "G", "2024-02-29", "Bad-Id", 1, 0, &id, &err) == DB_EINVAL);
    CHECK(store_session_open(st, "G", "2024-02-29", "ccdg", 1, -1, &id, &err) == DB_EINVAL);
    CHECK(store_session_open(st, "Tab\there", "2024-02-29", "ccdg", 1, 0, &id, &err) ==
          DB_EINVAL);
    CHECK(store_session_close(st, &err) == DB_ESTATE);
    CHECK_STR(err.msg, "no session is open");

    int64_t a = open_session(st, "Group 1", 0);
    CHECK(store_session_open(st, "Group 2", "2024-05-14", "ccdg", 1, 0, &id, &err) ==
          DB_ESTATE);
    CHECK_STR(err.msg, "a session is already open; close it first");
    CHECK(put(st, a, "sealed-1", &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    CHECK(put(st, a, "sealed-2", &err) == DB_ESTATE);
    CHECK_STR(err.msg, "session \"Group 1\" is closed: not collecting responses");
    CHECK(put(st, 999, "sealed-2", &err) == DB_ESTATE);

    /* Expected attendance caps the responses. */
    int64_t b = open_session(st, "Group 2", 2);
    CHECK(put(st, b, "x1", &err) == DB_OK);
    CHECK(put(st, b, "x2", &err) == DB_OK);
    CHECK(put(st, b, "x3", &err) == DB_ESTATE);
    CHECK_STR(err.msg, "session \"Group 2\" has reached its expected attendance of 2 responses");
    int64_t n;
    CHECK(store_response_count(st, b, &n, &err) == DB_OK && n == 2);
    CHECK(store_response_count(st, a, &n, &err) == DB_OK && n == 1);
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == 3);

    StoreSession s;
    CHECK(store_session_get(st, a, &s, &err) == DB_OK && s.open == 0 && s.responses == 1);
    CHECK(store_session_get(st, 4242, &s, &err) == DB_ENOENT);
    store_close(st);
    remove_dir(dir);
}

typedef struct Collected {
    int n;
    char items[64][16];
    int64_t session; /* store_response_read's */
} Collected;

static int collect(const uint8_t *rec, size_t len, void *ctx)
{
    Collected *c = ctx;
    if (c->n < 64 && len < 16) {
        memcpy(c->items[c->n], rec, len);
        c->items[c->n][len] = '\0';
        c->n++;
    }
    return 0;
}

/* The order in which the store gives a session's records back must tell nothing about the
 * order they were submitted in: it is that of random keys. Trials: sessions of N records put
 * in a known order, read back. Two checks, each with a negligible chance of failing a store
 * that orders uniformly at random, and each certain to fail an order that is not random:
 * - no trend: Kendall's tau between submission and read order, averaged over the trials, is
 *   within 6 standard errors of 0 (false failure ~2e-9). Submission order gives 1, reverse
 *   order -1, a random rotation of it ~1/3; here the bound is 0.20.
 * - no fixed order: every record is read back at two or more places over the trials (for a
 *   random order the chance that one record keeps its place T times is N^-(T-1) = 24^-19).
 *   A fixed order, whatever permutation it is, keeps every record in its place. */
static void test_put_foreach_no_order(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    DbError err;
    enum { N = 24, T = 20 };
    int first_pos[N];
    int moved[N] = {0};
    double tau_sum = 0;
    for (int t = 0; t < T; t++) {
        int64_t id = open_session(st, "Group 1", 0);
        for (int i = 0; i < N; i++) {
            char rec[16];
            snprintf(rec, sizeof rec, "rec-%02d", i);
            CHECK(put(st, id, rec, &err) == DB_OK);
        }
        if (t == 0) { /* durable across a reopen */
            store_close(st);
            st = open_ok(dir);
        }
        Collected c = {0};
        CHECK(store_response_foreach(st, id, collect, &c, &err) == DB_OK);
        CHECK(c.n == N);
        int pos[N];
        for (int i = 0; i < N; i++)
            pos[i] = -1;
        for (int k = 0; k < c.n; k++) {
            int i = -1;
            if (sscanf(c.items[k], "rec-%d", &i) == 1 && i >= 0 && i < N && pos[i] < 0)
                pos[i] = k;
        }
        int all = 1;
        for (int i = 0; i < N; i++)
            all &= pos[i] >= 0;
        CHECK(all); /* every record, once */
        if (!all)
            break;
        int concordant = 0;
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++)
                concordant += pos[i] < pos[j] ? 1 : -1;
        tau_sum += concordant / (N * (N - 1) / 2.0);
        for (int i = 0; i < N; i++) {
            if (t == 0)
                first_pos[i] = pos[i];
            else if (pos[i] != first_pos[i])
                moved[i] = 1;
        }
        CHECK(store_session_close(st, &err) == DB_OK);
    }
    /* Var(tau) = 2(2N + 5) / (9N(N - 1)) for a uniformly random order. */
    double se = sqrt(2.0 * (2 * N + 5) / (9.0 * N * (N - 1)) / T);
    double tau = tau_sum / T;
    CHECK(fabs(tau) < 6 * se);
    int fixed = 0;
    for (int i = 0; i < N; i++)
        fixed += !moved[i];
    CHECK(fixed == 0);
    if (fabs(tau) >= 6 * se || fixed)
        fprintf(stderr, "  read order: mean Kendall tau %.3f (bound %.3f), %d of %d records "
                        "always in the same place\n", tau, 6 * se, fixed, N);
    store_close(st);
    remove_dir(dir);
}

/* The records' slots are reserved ahead: a full disk does not stop a put while a slot is
 * free. What needs room is the bookkeeping (a session, a batch) and growing the slot file:
 * those fail with DB_ENOSPC and lose nothing. */
static void test_full_disk_keeps_responses(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    DbError err;
    int64_t id = open_session(st, "Group 1", 0);
    uint8_t rec[3000];
    memset(rec, 0xab, sizeof rec);
    for (int i = 0; i < 3; i++)
        CHECK(store_response_put(st, id, rec, sizeof rec, &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    /* The database cannot grow: opening sessions fails until it can. */
    CHECK(store_test_limit_pages(st, 1, &err) == DB_OK);
    int rc = DB_OK;
    for (int i = 0; i < 2000 && rc == DB_OK; i++) {
        char label[16];
        snprintf(label, sizeof label, "G%d", i);
        int64_t sid;
        rc = store_session_open(st, label, "2024-05-14", "ccdg", 3, 0, &sid, &err);
        if (rc == DB_OK)
            rc = store_session_close(st, &err);
    }
    CHECK(rc == DB_ENOSPC);
    CHECK(strstr(err.msg, "disk full while") != NULL);
    int64_t n = -1;
    CHECK(store_response_count(st, id, &n, &err) == DB_OK && n == 3);
    store_close(st);
    /* "Space returns" (a new connection has no limit): everything is there, puts work. */
    st = open_ok(dir);
    CHECK(store_response_count(st, id, &n, &err) == DB_OK && n == 3);
    int64_t id2 = open_session(st, "Group 2", 0);
    CHECK(store_response_put(st, id2, rec, sizeof rec, &err) == DB_OK);
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == 4);
    store_close(st);
    remove_dir(dir);
}

/* store_open on a directory its user cannot write: 0 if it fails as it should. */
static int open_read_only(const char *dir)
{
    Store *st = NULL;
    DbError err;
    int rc = store_open(dir, &st, &err);
    if (rc == DB_OK)
        store_close(st);
    else
        fprintf(stderr, "     read-only: %s\n", err.msg);
    return rc == DB_EIO && strstr(err.msg, "the data directory is not writable") != NULL ? 0 : 1;
}

/* A data directory the kiosk's user cannot write. Root writes anywhere, so as root the
 * directory is given to nobody and opened by a child running as nobody. */
static void test_read_only(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    store_close(st);
    chmod(dir, 0500);
    if (geteuid() != 0) {
        CHECK(open_read_only(dir) == 0);
    } else {
        CHECK(chown(dir, 65534, 65534) == 0);
        pid_t pid = fork();
        if (pid == 0)
            _exit(setgid(65534) == 0 && setuid(65534) == 0 ? open_read_only(dir) : 2);
        int status = -1;
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    chmod(dir, 0700);
    remove_dir(dir);
}

typedef struct Keys {
    int n;
    uint8_t keys[64][STORE_KEY_BYTES];
} Keys;

static int collect_keys(const uint8_t key[STORE_KEY_BYTES], const uint8_t *rec, size_t len,
                        void *ctx)
{
    Keys *k = ctx;
    if (k->n < 64)
        memcpy(k->keys[k->n++], key, STORE_KEY_BYTES);
    return 0;
}

static int collect_batch(int64_t session_id, const uint8_t *rec, size_t len, void *ctx)
{
    return collect(rec, len, ctx);
}

static void test_batch_bookkeeping(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    DbError err;
    int64_t a = open_session(st, "Group 1", 0);
    for (int i = 0; i < 5; i++) {
        char rec[16];
        snprintf(rec, sizeof rec, "a-%d", i);
        CHECK(put(st, a, rec, &err) == DB_OK);
    }
    CHECK(store_session_close(st, &err) == DB_OK);
    int64_t n;
    CHECK(store_count_unexported(st, -1, &n, &err) == DB_OK && n == 5);
    CHECK(store_count_unacknowledged(st, &n, &err) == DB_OK && n == 0);
    int found = 1;
    StoreBatch last;
    CHECK(store_batch_last(st, &last, &found, &err) == DB_OK && found == 0);

    Keys k = {0};
    CHECK(store_unexported_foreach(st, a, collect_keys, &k, &err) == DB_OK && k.n == 5);
    /* Reverse the key order to stand for a shuffle. */
    uint8_t order[5][STORE_KEY_BYTES];
    for (int i = 0; i < 5; i++)
        memcpy(order[i], k.keys[4 - i], STORE_KEY_BYTES);
    StoreBatch b = {.number = 2, .records = 5};
    memset(b.hash, 0x11, sizeof b.hash);
    CHECK(store_batch_add(st, &b, (const uint8_t(*)[STORE_KEY_BYTES])order, 5, &err) ==
          DB_ESTATE); /* batch 1 must come first */
    b.number = 1;
    CHECK(store_batch_add(st, &b, (const uint8_t(*)[STORE_KEY_BYTES])order, 5, &err) == DB_OK);
    CHECK(store_batch_add(st, &b, (const uint8_t(*)[STORE_KEY_BYTES])order, 5, &err) ==
          DB_EEXIST);
    CHECK(store_count_unexported(st, -1, &n, &err) == DB_OK && n == 0);
    CHECK(store_count_unacknowledged(st, &n, &err) == DB_OK && n == 5);
    StoreBatch got;
    CHECK(store_batch_get(st, 1, &got, &err) == DB_OK);
    CHECK(got.records == 5 && got.held == 5 && !got.written && !got.acknowledged);
    CHECK(got.hash[0] == 0x11);
    CHECK(store_batch_set_written(st, 1, &err) == DB_OK);
    CHECK(store_batch_get(st, 1, &got, &err) == DB_OK && got.written);

    /* Records come back in their recorded positions. */
    Collected c = {0}, fwd = {0};
    CHECK(store_batch_records_foreach(st, 1, collect_batch, &c, &err) == DB_OK && c.n == 5);
    /* Responses already in a batch cannot go into another (nothing changes). */
    StoreBatch b2 = {.number = 2, .records = 1};
    memset(b2.hash, 0x22, sizeof b2.hash);
    memset(b2.prev_hash, 0x11, sizeof b2.prev_hash);
    CHECK(store_batch_add(st, &b2, (const uint8_t(*)[STORE_KEY_BYTES])order, 1, &err) ==
          DB_ESTATE);
    CHECK(store_batch_get(st, 2, &got, &err) == DB_ENOENT);

    /* Positions: forward key order reversed gives the reverse of the key-ordered listing. */
    CHECK(store_response_foreach(st, a, collect, &fwd, &err) == DB_OK && fwd.n == 5);
    int reversed = 1;
    for (int i = 0; i < 5; i++)
        reversed &= strcmp(c.items[i], fwd.items[4 - i]) == 0;
    CHECK(reversed);

    /* Purge: unknown number deletes nothing; a good one deletes the batch's responses. */
    uint64_t nums[2] = {1, 7};
    int64_t deleted = -1;
    CHECK(store_batch_purge(st, nums, 2, &deleted, &err) == DB_ENOENT && deleted == 0);
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == 5);
    CHECK(store_batch_purge(st, nums, 1, &deleted, &err) == DB_OK && deleted == 5);
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == 0);
    CHECK(store_batch_get(st, 1, &got, &err) == DB_OK && got.acknowledged && got.held == 0);
    CHECK(store_batch_purge(st, nums, 1, &deleted, &err) == DB_OK && deleted == 0); /* replay */
    CHECK(store_batch_last(st, &last, &found, &err) == DB_OK && found && last.number == 1);

    /* After the purge and a compaction the WAL is truncated to zero bytes. */
    CHECK(store_compact(st, &err) == DB_OK);
    char wal[512];
    snprintf(wal, sizeof wal, "%s/debrief.db-wal", dir);
    struct stat sb;
    CHECK(stat(wal, &sb) != 0 || sb.st_size == 0);
    store_close(st);
    remove_dir(dir);
}

typedef struct KeyLens {
    int n;
    uint8_t keys[64][STORE_KEY_BYTES];
    size_t lens[64];
    int64_t sessions[64];
} KeyLens;

static int collect_key_len(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len,
                           void *ctx)
{
    (void)session_id;
    KeyLens *k = ctx;
    if (k->n < 64) {
        memcpy(k->keys[k->n], key, STORE_KEY_BYTES);
        k->lens[k->n++] = len;
    }
    return 0;
}

static int collect_member(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len,
                          void *ctx)
{
    KeyLens *k = ctx;
    if (k->n < 64)
        k->sessions[k->n] = session_id;
    return collect_key_len(key, session_id, len, ctx);
}

static int collect_read(int64_t session_id, const uint8_t *rec, size_t len, void *ctx)
{
    Collected *c = ctx;
    c->session = session_id;
    return collect(rec, len, ctx);
}

/* A version-1 database (batch membership in the response rows) holding responses, some in a
 * batch: opening it migrates to version 3 (membership in batch_members, records in slots)
 * keeping every record, every position and the batch bookkeeping; the old table is gone. */
static void test_migrates_v1_with_responses(void)
{
    const char *dir = fresh_dir();
    Store *st = NULL;
    DbError err;
    CHECK(store_test_open_at_version(dir, 1, &st, &err) == DB_OK);
    int64_t a = open_session(st, "Group 1", 0);
    /* Rows as version 1 wrote them, with keys 0x00.., 0x01.., ...: record i is i-th in key
     * order. */
    for (int i = 0; i < 5; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "INSERT INTO responses(id, session_id, record) VALUES "
                 "(X'0000000000000000000000000000003%d', %lld, CAST('v1-%d' AS BLOB))",
                 i, (long long)a, i);
        CHECK(store_test_exec(st, sql, &err) == DB_OK);
    }
    CHECK(store_session_close(st, &err) == DB_OK);
    Collected by_key = {5, {"v1-0", "v1-1", "v1-2", "v1-3", "v1-4"}, 0};
    /* Batch 1 (written) holds the three lowest keys, in reverse key order: position 0 is the
     * third key. As version 1 recorded it. */
    CHECK(store_test_exec(st,
                          "INSERT INTO batches(number, prev_hash, hash, records, written) "
                          "VALUES (1, zeroblob(32), randomblob(32), 3, 1);"
                          "UPDATE responses SET batch = 1, position = 2 - (SELECT count(*) FROM "
                          "responses r2 WHERE r2.id < responses.id) WHERE id IN (SELECT id FROM "
                          "responses ORDER BY id LIMIT 3);",
                          &err) == DB_OK);
    store_close(st);

    st = open_ok(dir); /* migrates */
    store_close(st);
    char path[512];
    snprintf(path, sizeof path, "%s/debrief.db", dir);
    int fd = open(path, O_RDONLY);
    uint8_t v[4] = {0};
    CHECK(fd >= 0 && pread(fd, v, 4, 60) == 4 && v[3] == STORE_SCHEMA_VERSION && v[3] == 3);
    if (fd >= 0)
        close(fd);
    st = open_ok(dir);
    int64_t n = -1;
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == 5);
    CHECK(store_count_unexported(st, -1, &n, &err) == DB_OK && n == 2);
    CHECK(store_count_unexported(st, a, &n, &err) == DB_OK && n == 2);
    CHECK(store_count_unacknowledged(st, &n, &err) == DB_OK && n == 3);
    StoreBatch got;
    CHECK(store_batch_get(st, 1, &got, &err) == DB_OK && got.records == 3 && got.held == 3 &&
          got.written && !got.acknowledged);
    Collected in_batch = {0}, rest = {0};
    CHECK(store_batch_records_foreach(st, 1, collect_batch, &in_batch, &err) == DB_OK &&
          in_batch.n == 3);
    CHECK(in_batch.n == 3 && strcmp(in_batch.items[0], by_key.items[2]) == 0 &&
          strcmp(in_batch.items[1], by_key.items[1]) == 0 &&
          strcmp(in_batch.items[2], by_key.items[0]) == 0);
    CHECK(store_response_foreach(st, a, collect, &rest, &err) == DB_OK && rest.n == 5);
    KeyLens un = {0}, mem = {0};
    CHECK(store_unexported_keys_foreach(st, a, collect_key_len, &un, &err) == DB_OK && un.n == 2);
    CHECK(un.lens[0] == 4 && un.lens[1] == 4); /* "v1-3", "v1-4" */
    CHECK(store_batch_members_foreach(st, 1, collect_member, &mem, &err) == DB_OK && mem.n == 3);
    CHECK(mem.sessions[0] == a && mem.lens[0] == 4);
    Collected one = {0};
    CHECK(store_response_read(st, mem.keys[0], collect_read, &one, &err) == DB_OK && one.n == 1);
    CHECK(one.n == 1 && strcmp(one.items[0], by_key.items[2]) == 0 && one.session == a);
    uint8_t nokey[STORE_KEY_BYTES] = {0};
    CHECK(store_response_read(st, nokey, collect_read, &one, &err) == DB_ENOENT);
    /* The old columns are gone; the new batch goes on from 1, and purging batch 1 deletes
     * exactly its three responses. */
    CHECK(store_test_exec(st, "SELECT batch FROM responses", &err) == DB_EIO);
    StoreBatch b2 = {.number = 2, .records = 2};
    memcpy(b2.prev_hash, got.hash, 32);
    memset(b2.hash, 0x22, 32);
    CHECK(store_batch_add(st, &b2, (const uint8_t(*)[STORE_KEY_BYTES])un.keys, 2, &err) == DB_OK);
    CHECK(store_count_unexported(st, -1, &n, &err) == DB_OK && n == 0);
    uint64_t one_num = 1;
    int64_t deleted = 0;
    CHECK(store_batch_purge(st, &one_num, 1, &deleted, &err) == DB_OK && deleted == 3);
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == 2);
    CHECK(store_count_unacknowledged(st, &n, &err) == DB_OK && n == 2);
    store_close(st);
    remove_dir(dir);
}

static void test_meta(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    DbError err;
    uint8_t buf[8];
    size_t len;
    int found = 1;
    CHECK(store_meta_get(st, "kiosk_pk", buf, sizeof buf, &len, &found, &err) == DB_OK &&
          !found);
    CHECK(store_meta_set(st, "kiosk_pk", (const uint8_t *)"abcdef", 6, &err) == DB_OK);
    CHECK(store_meta_get(st, "kiosk_pk", buf, sizeof buf, &len, &found, &err) == DB_OK &&
          found && len == 6 && memcmp(buf, "abcdef", 6) == 0);
    CHECK(store_meta_get(st, "kiosk_pk", buf, 3, &len, &found, &err) == DB_ELIMIT);
    store_close(st);
    remove_dir(dir);
}

/* Offsets of "END-%03d" markers in a file (-1 where absent); returns how many were found. */
static int marker_offsets(const char *path, int n, long *off)
{
    for (int i = 0; i < n; i++)
        off[i] = -1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static char buf[4 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int found = 0;
    for (size_t p = 0; p + 7 <= len; p++) {
        if (memcmp(buf + p, "END-", 4) != 0)
            continue;
        int k = (buf[p + 4] - '0') * 100 + (buf[p + 5] - '0') * 10 + (buf[p + 6] - '0');
        if (k >= 0 && k < n && off[k] < 0) {
            off[k] = (long)p;
            found++;
        }
    }
    return found;
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Puts n records of 6000 bytes (so each spills onto an overflow page) into session id, record
 * i ending in the marker "END-%03d" that marker_offsets looks for. */
static void put_marked(Store *st, int64_t id, int n)
{
    static uint8_t rec[6000];
    DbError err;
    for (int i = 0; i < n; i++) {
        memset(rec, 'a' + i % 26, sizeof rec);
        char mark[16];
        snprintf(mark, sizeof mark, "END-%03d", i);
        memcpy(rec + sizeof rec - 8, mark, 7);
        CHECK(store_response_put(st, id, rec, sizeof rec, &err) == DB_OK);
    }
}

/* Whether the n offsets increase (the records lie in submission order). */
static int ascending(const long *off, int n)
{
    for (int i = 1; i < n; i++)
        if (off[i] <= off[i - 1])
            return 0;
    return 1;
}

/* The path of the record file for records of 6000 bytes (8 KiB slots). */
static void records_path(const char *dir, char *out, size_t cap)
{
    snprintf(out, cap, "%s/records-8k.dat", dir);
}

/* Records go into random slots of a preallocated file, in place: nothing of them reaches
 * the database or its WAL, the file does not grow while they are written, and their order in
 * the file is unrelated to submission. */
static void test_records_in_random_slots(void)
{
    const char *dir = fresh_dir();
    char db[300], wal[300], recs[300];
    snprintf(db, sizeof db, "%s/debrief.db", dir);
    snprintf(wal, sizeof wal, "%s/debrief.db-wal", dir);
    records_path(dir, recs, sizeof recs);
    Store *st = open_ok(dir);
    DbError err;
    int64_t id = open_session(st, "Group 1", 0);
    enum { N = 30 };
    CHECK(store_reserve(st, 6000, 64, &err) == DB_OK);
    long size0 = file_size(recs);
    put_marked(st, id, N);
    long off[N];
    CHECK(file_size(recs) == size0);
    CHECK(marker_offsets(recs, N, off) == N);
    CHECK(!ascending(off, N)); /* chance of a false failure: 1/30! */
    CHECK(marker_offsets(db, N, off) == 0);
    CHECK(marker_offsets(wal, N, off) == 0);
    /* Cover writes: the same file, the records all there, another free slot's bytes new. */
    for (int i = 0; i < 10; i++)
        CHECK(store_cover_write(st, 6000, &err) == DB_OK);
    CHECK(file_size(recs) == size0);
    CHECK(marker_offsets(recs, N, off) == N);
    int64_t n = 0;
    CHECK(store_response_count(st, id, &n, &err) == DB_OK && n == N);
    store_close(st);
    st = open_ok(dir);
    CHECK(store_response_count(st, id, &n, &err) == DB_OK && n == N);
    struct stat sb;
    CHECK(stat(recs, &sb) == 0 && (sb.st_mode & 0777) == 0600);

    /* A reader elsewhere keeps the WAL from being truncated: compaction fails with a clear
     * message, nothing is lost, and the next attempt (the reader gone) succeeds. */
    CHECK(store_session_close(st, &err) == DB_OK);
    Store *reader = open_ok(dir);
    CHECK(store_test_exec(reader, "BEGIN; SELECT count(*) FROM sessions;", &err) == DB_OK);
    int rc = store_compact(st, &err);
    CHECK(rc == DB_EIO);
    CHECK(strstr(err.msg, "the database is busy") != NULL);
    CHECK(store_test_exec(reader, "COMMIT", &err) == DB_OK);
    store_close(reader);
    CHECK(store_compact(st, &err) == DB_OK);
    CHECK(file_size(wal) == 0);
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == N);
    store_close(st);
    remove_dir(dir);
}

static int count_records(const uint8_t *rec, size_t len, void *ctx)
{
    (void)rec, (void)len;
    ++*(int *)ctx;
    return 0;
}

/* Puts past the free slots grow the file by chunks (64 slots each) and keep every record
 * readable (a growth once overwrote the record waiting for its slot). */
static void test_growth_keeps_records(void)
{
    const char *dir = fresh_dir();
    Store *st = open_ok(dir);
    DbError err;
    int64_t id = open_session(st, "Group 1", 0);
    enum { N = 200 };
    int rc = DB_OK;
    for (int i = 0; i < N && rc == DB_OK; i++) {
        char rec[100];
        memset(rec, 'a' + i % 26, sizeof rec);
        rc = store_response_put(st, id, (const uint8_t *)rec, sizeof rec, &err);
    }
    CHECK(rc == DB_OK);
    int n = 0;
    rc = store_response_foreach(st, id, count_records, &n, &err);
    if (rc != DB_OK)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK(rc == DB_OK && n == N);
    store_close(st);
    remove_dir(dir);
}

/* A purge overwrites the records in place: they are nowhere in the data directory after it,
 * whether or not the database's compaction works (a full disk). */
static void test_purge_erases_even_if_vacuum_fails(void)
{
    const char *dir = fresh_dir();
    char db[300], wal[300], recs[300];
    snprintf(db, sizeof db, "%s/debrief.db", dir);
    snprintf(wal, sizeof wal, "%s/debrief.db-wal", dir);
    records_path(dir, recs, sizeof recs);
    Store *st = open_ok(dir);
    DbError err;
    int64_t id = open_session(st, "Group 1", 0);
    enum { N = 20 };
    put_marked(st, id, N);
    CHECK(store_session_close(st, &err) == DB_OK);
    long off[N];
    CHECK(marker_offsets(recs, N, off) == N);
    long size0 = file_size(recs);
    Keys k = {0};
    CHECK(store_unexported_foreach(st, id, collect_keys, &k, &err) == DB_OK && k.n == N);
    StoreBatch b = {.number = 1, .records = N};
    memset(b.hash, 0x22, sizeof b.hash);
    CHECK(store_batch_add(st, &b, (const uint8_t(*)[STORE_KEY_BYTES])k.keys, N, &err) == DB_OK);
    uint64_t num = 1;
    int64_t deleted = 0;
    CHECK(store_batch_purge(st, &num, 1, &deleted, &err) == DB_OK && deleted == N);
    CHECK(marker_offsets(recs, N, off) == 0);
    CHECK(file_size(recs) == size0); /* overwritten where they were, not moved */
    store_test_fail_vacuum(st, 1);
    CHECK(store_compact(st, &err) == DB_ENOSPC);
    CHECK(strstr(err.msg, "disk full while compacting the database") != NULL);
    CHECK(marker_offsets(db, N, off) == 0);
    CHECK(marker_offsets(wal, N, off) == 0);
    CHECK(file_size(wal) == 0);
    store_test_fail_vacuum(st, 0);
    CHECK(store_compact(st, &err) == DB_OK);
    int64_t n = -1;
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == 0);
    store_close(st);
    remove_dir(dir);
}

static int count_open(const StoreSession *ss, void *ctx)
{
    *(int *)ctx += ss->open;
    return 0;
}

typedef struct ManyKeys {
    int n;
    uint8_t keys[512][STORE_KEY_BYTES];
} ManyKeys;

static int collect_many_keys(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len,
                             void *ctx)
{
    (void)session_id, (void)len;
    ManyKeys *k = ctx;
    if (k->n < 512)
        memcpy(k->keys[k->n++], key, STORE_KEY_BYTES);
    return 0;
}

/* The store makes room ahead for at most STORE_MAX_SLOTS (here 320) responses, which bounds
 * every process's memory: a session that would need more is refused with a message that
 * says what to do, growing nothing. A session that outgrows its reservation still takes
 * every answer, and an acknowledgement frees the room. */
static void test_most_slots(void)
{
    const char *dir = fresh_dir();
    char recs[300];
    snprintf(recs, sizeof recs, "%s/records-4k.dat", dir); /* records of 100 bytes or less */
    Store *st = open_ok(dir);
    DbError err;
    CHECK(store_kiosk_survey_set(st, "ccdg", 3, 100, &err) == DB_OK);
    store_test_limit_slots(st, 320);
    int64_t g1 = open_session(st, "Group 1", 0); /* 256 slots made */
    for (int i = 0; i < 60; i++)
        CHECK(put(st, g1, "an answer", &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    int64_t g2 = open_session(st, "Group 2", 0); /* 64 more: 320, the most */
    CHECK(file_size(recs) > 0);
    for (int i = 0; i < 280; i++) /* 20 past its reservation: the file grows, nothing refused */
        CHECK(put(st, g2, "an answer", &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    long size = file_size(recs);

    int64_t g3 = 0;
    CHECK(store_session_open(st, "Group 3", "2024-05-14", "ccdg", 3, 0, &g3, &err) == DB_ELIMIT);
    CHECK_STR(err.msg, "no room for the session's responses: this kiosk stores 340 responses and "
                       "keeps room for at most 320: export them and have the analyst's "
                       "acknowledgement applied, which frees their room");
    CHECK(file_size(recs) == size);
    int64_t n = -1;
    CHECK(store_response_count(st, -1, &n, &err) == DB_OK && n == 340);
    int open = 0;
    CHECK(store_session_foreach(st, count_open, &open, &err) == DB_OK && open == 0);

    /* Exported and acknowledged: their slots are free again, and the session opens without
     * the file growing. */
    ManyKeys *k = calloc(1, sizeof *k);
    CHECK(k && store_unexported_keys_foreach(st, g1, collect_many_keys, k, &err) == DB_OK);
    CHECK(k && store_unexported_keys_foreach(st, g2, collect_many_keys, k, &err) == DB_OK);
    CHECK(k && k->n == 340);
    StoreBatch b = {.number = 1, .records = k ? k->n : 0};
    memset(b.hash, 0x33, sizeof b.hash);
    uint64_t num = 1;
    int64_t deleted = 0;
    CHECK(k && store_batch_add(st, &b, (const uint8_t(*)[STORE_KEY_BYTES])k->keys, (size_t)k->n,
                               &err) == DB_OK);
    CHECK(store_batch_purge(st, &num, 1, &deleted, &err) == DB_OK && deleted == 340);
    free(k);
    CHECK(store_session_open(st, "Group 3", "2024-05-14", "ccdg", 3, 0, &g3, &err) == DB_OK);
    CHECK(file_size(recs) == size);
    store_close(st);
    remove_dir(dir);
}

/* Records of another size (a new survey version) go into a file of their own. Free slots
 * left in the old file do not count against the most: a store with nothing left to export
 * opens sessions again. A session refused for the limit makes no file. The most a session
 * may expect fits the limit. */
static void test_most_slots_other_size(void)
{
    const char *dir = fresh_dir();
    char recs8[300], recs20[300];
    snprintf(recs8, sizeof recs8, "%s/records-8k.dat", dir);
    snprintf(recs20, sizeof recs20, "%s/records-20k.dat", dir);
    Store *st = open_ok(dir);
    DbError err;
    CHECK(store_kiosk_survey_set(st, "ccdg", 3, 100, &err) == DB_OK);
    store_test_limit_slots(st, 320);
    int64_t g1 = open_session(st, "Group 1", 80); /* 320 slots of 4 KiB: all there may be */
    for (int i = 0; i < 5; i++)
        CHECK(put(st, g1, "an answer", &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    ManyKeys *k = calloc(1, sizeof *k);
    CHECK(k && store_unexported_keys_foreach(st, g1, collect_many_keys, k, &err) == DB_OK);
    StoreBatch b = {.number = 1, .records = k ? k->n : 0};
    uint64_t num = 1;
    int64_t deleted = 0;
    CHECK(k && k->n == 5 &&
          store_batch_add(st, &b, (const uint8_t(*)[STORE_KEY_BYTES])k->keys, 5, &err) == DB_OK);
    CHECK(store_batch_purge(st, &num, 1, &deleted, &err) == DB_OK && deleted == 5);
    free(k);

    /* A new survey version with larger records: its own file, and the session opens. */
    CHECK(store_kiosk_survey_set(st, "ccdg", 4, 5000, &err) == DB_OK);
    int64_t g2 = 0;
    CHECK(store_session_open(st, "Group 2", "2024-05-14", "ccdg", 4, 0, &g2, &err) == DB_OK);
    static uint8_t rec[5000];
    for (int i = 0; i < 100; i++)
        CHECK(store_response_put(st, g2, rec, sizeof rec, &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    CHECK(file_size(recs8) > 0);

    /* Another size again, with 100 responses held: no room, and no file made. */
    CHECK(store_kiosk_survey_set(st, "ccdg", 5, 20000, &err) == DB_OK);
    int64_t g3 = 0;
    CHECK(store_session_open(st, "Group 3", "2024-05-14", "ccdg", 5, 0, &g3, &err) == DB_ELIMIT);
    CHECK(strstr(err.msg, "this kiosk stores 100 responses and keeps room for at most 320") !=
          NULL);
    CHECK(access(recs20, F_OK) != 0);

    /* The most a session may expect. */
    CHECK(store_session_open(st, "Group 4", "2024-05-14", "ccdg", 5, 10001, &g3, &err) ==
          DB_EINVAL);
    CHECK_STR(err.msg, "expected attendance must be between 0 (no cap) and 10000");
    store_close(st);
    remove_dir(dir);
}

int main(void)
{
    if (secmem_init() != 0)
        return 1;
    RUN(test_create_and_permissions);
    RUN(test_missing_dir_and_not_a_database);
    RUN(test_refuses_newer_schema);
    RUN(test_migrates_empty_file);
    RUN(test_session_rules);
    RUN(test_put_foreach_no_order);
    RUN(test_full_disk_keeps_responses);
    RUN(test_read_only);
    RUN(test_batch_bookkeeping);
    RUN(test_migrates_v1_with_responses);
    RUN(test_meta);
    RUN(test_records_in_random_slots);
    RUN(test_growth_keeps_records);
    RUN(test_purge_erases_even_if_vacuum_fails);
    RUN(test_most_slots);
    RUN(test_most_slots_other_size);
    return test_report();
}
