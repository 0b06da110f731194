/* store: the kiosk's encrypted response store on sqlite3. See store.h for the contract.
 *
 * What this file does: opens DIR/debrief.db with the durability and privacy settings,
 * migrates its schema forward, and keeps sessions, sealed records, batch bookkeeping and a
 * few kiosk meta values. It never sees plaintext: records arrive sealed.
 *
 * Privacy notes: responses are keyed by 16 random bytes and their rowid is random too (schema
 * version 2; version 1 had a WITHOUT ROWID table), so no key grows with time; nothing
 * stores a timestamp. secure_delete
 * overwrites deleted content, and a purge truncates the WAL afterwards.
 *
 * Schema versions: migrations[] holds one function per version; migrations[i] takes the
 * database from version i to i + 1 inside the same transaction that sets user_version. To
 * add version 3: write migrate_to_3, append it, bump STORE_SCHEMA_VERSION. Version 2 moved
 * batch membership into its own table (batch_members).
 */
#include "store.h"
#include "store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "secmem.h"
#include "session_fields.h"

#define BUSY_TIMEOUT_MS 5000
_Static_assert(4u * STORE_MAX_EXPECTED <= STORE_MAX_SLOTS, "a session's reservation fits");
#define MSG_DISK_FULL_PUT "disk full: the response was not saved; nothing stored was lost"


/* --- schema --- */

static int migrate_to_1(Store *st, DbError *err)
{
    static const char sql[] =
        "CREATE TABLE sessions("
        "  id INTEGER PRIMARY KEY,"
        "  label TEXT NOT NULL CHECK(length(CAST(label AS BLOB)) BETWEEN 1 AND 64),"
        "  date TEXT NOT NULL CHECK(length(date) = 10),"
        "  survey_id TEXT NOT NULL CHECK(length(survey_id) BETWEEN 1 AND 32),"
        "  survey_version INTEGER NOT NULL CHECK(survey_version >= 0),"
        "  expected INTEGER NOT NULL DEFAULT 0 CHECK(expected >= 0),"
        "  open INTEGER NOT NULL CHECK(open IN (0, 1)));"
        /* At most one open session. */
        "CREATE UNIQUE INDEX sessions_one_open ON sessions(open) WHERE open = 1;"
        "CREATE TABLE batches("
        "  number INTEGER PRIMARY KEY CHECK(number >= 1),"
        "  prev_hash BLOB NOT NULL CHECK(length(prev_hash) = 32),"
        "  hash BLOB NOT NULL CHECK(length(hash) = 32),"
        "  records INTEGER NOT NULL CHECK(records >= 0),"
        "  written INTEGER NOT NULL DEFAULT 0 CHECK(written IN (0, 1)),"
        "  acknowledged INTEGER NOT NULL DEFAULT 0 CHECK(acknowledged IN (0, 1)));"
        /* No rowid, no timestamp: the random key is the only identity of a response. */
        "CREATE TABLE responses("
        "  id BLOB PRIMARY KEY CHECK(length(id) = 16),"
        "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
        "  record BLOB NOT NULL,"
        "  batch INTEGER REFERENCES batches(number),"
        "  position INTEGER,"
        "  CHECK((batch IS NULL) = (position IS NULL))"
        ") WITHOUT ROWID;"
        "CREATE INDEX responses_session ON responses(session_id, batch);"
        "CREATE UNIQUE INDEX responses_batch ON responses(batch, position)"
        "  WHERE batch IS NOT NULL;"
        "CREATE TABLE kiosk_meta("
        "  key TEXT PRIMARY KEY,"
        "  value BLOB NOT NULL"
        ") WITHOUT ROWID;";
    return sqldb_exec(&st->sql, sql, "creating the schema (version 1)", err);
}

/* Version 2, for the export's sake:
 * - Batch membership moves out of the response rows into a narrow table of its own.
 *   Recording a batch used to UPDATE every member row, which rewrote each ~8 KB record into
 *   the WAL (and, with secure_delete, zeroed the old copy). Now a batch adds one small row
 *   per response.
 * - responses becomes a rowid table whose rowid is random (set by store_response_put, so
 *   there is still no insertion order), with the 16-byte key in a unique index. In the
 *   WITHOUT ROWID table the key and the ~8 KB record were one b-tree entry that spills onto
 *   overflow pages, and sqlite reads a spilled entry whole to compare keys: every lookup or
 *   insert by key read several whole records. Now keys are compared in a small index.
 * The old table is dropped (secure_delete zeroes its pages). */
static int migrate_to_2(Store *st, DbError *err)
{
    static const char sql[] =
        "CREATE TABLE batch_members("
        "  batch INTEGER NOT NULL REFERENCES batches(number),"
        "  position INTEGER NOT NULL CHECK(position >= 0),"
        "  response BLOB NOT NULL UNIQUE CHECK(length(response) = 16),"
        "  PRIMARY KEY(batch, position)"
        ") WITHOUT ROWID;"
        "INSERT INTO batch_members(batch, position, response)"
        "  SELECT batch, position, id FROM responses WHERE batch IS NOT NULL;"
        "CREATE TABLE responses_v2("
        "  rid INTEGER PRIMARY KEY," /* random, never sequential */
        "  id BLOB NOT NULL UNIQUE CHECK(length(id) = 16),"
        "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
        "  record BLOB NOT NULL);"
        /* random() is sqlite's PRNG, seeded from the OS: the old key order, not the time. */
        "INSERT INTO responses_v2(rid, id, session_id, record)"
        "  SELECT random(), id, session_id, record FROM responses ORDER BY id;"
        "DROP TABLE responses;"
        "ALTER TABLE responses_v2 RENAME TO responses;"
        "CREATE INDEX responses_session ON responses(session_id);";
    return sqldb_exec(&st->sql, sql, "migrating the schema to version 2", err);
}

/* Version 3: the records live in slot files (slots.h), written in place into random slots,
 * because sqlite allocated their pages, and its WAL appended their frames, in the order of
 * submission, which the card kept (issue 15). store_records_move_from_table has moved them
 * before this runs; secure_delete zeroes the dropped pages and open_at compacts afterwards. */
static int migrate_to_3(Store *st, DbError *err)
{
    return sqldb_exec(&st->sql, "DROP INDEX IF EXISTS responses_session; DROP TABLE responses;",
                "migrating the schema to version 3", err);
}

typedef int (*MigrateFn)(Store *st, DbError *err);

/* migrations[i] takes version i to version i + 1. */
static const MigrateFn migrations[STORE_SCHEMA_VERSION] = {
    migrate_to_1,
    migrate_to_2,
    migrate_to_3,
};

/* Migrates forward to version target (STORE_SCHEMA_VERSION, or lower for tests). */
static int migrate(Store *st, int target, DbError *err)
{
    int version = 0;
    int rc = sqldb_user_version(&st->sql, &version, err);
    if (rc != DB_OK)
        return rc;
    if (version > STORE_SCHEMA_VERSION)
        return dberr_set(err, DB_ESTATE,
                         "%s: the database has schema version %d, newer than this Debrief "
                         "understands (%d); use a newer Debrief (the database was not changed)",
                         st->path, version, STORE_SCHEMA_VERSION);
    if (version < 0)
        return dberr_set(err, DB_EIO, "%s: invalid schema version %d", st->path, version);
    while (version < target) {
        /* The records go into their slots (synced, each once) before the table goes. */
        if (version == 2 && (rc = store_records_move_from_table(st, err)) != DB_OK)
            return rc;
        if ((rc = sqldb_begin(&st->sql, err)) != DB_OK)
            return rc;
        /* Re-read inside the write lock: another process may have migrated meanwhile. */
        if ((rc = sqldb_user_version(&st->sql, &version, err)) != DB_OK) {
            sqldb_rollback(&st->sql);
            return rc;
        }
        if (version >= target) {
            sqldb_rollback(&st->sql);
            break;
        }
        if ((rc = migrations[version](st, err)) != DB_OK) {
            sqldb_rollback(&st->sql);
            return rc;
        }
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
        if ((rc = sqldb_exec(&st->sql, sql, "setting the schema version", err)) != DB_OK) {
            sqldb_rollback(&st->sql);
            return rc;
        }
        if ((rc = sqldb_commit(&st->sql, "migrating the schema", err)) != DB_OK)
            return rc;
        version++;
    }
    return DB_OK;
}

/* --- open / close --- */

/* Only SQLite opens the database's files. A plain open() and close() of debrief.db in a
 * process that holds a connection drops every POSIX lock that process holds on the file,
 * SQLite's own included (close() releases them all); another process may then think it is the
 * last connection and delete the live WAL ("How To Corrupt An SQLite Database File", 2.2).
 * So the checks here go by path (lstat, chmod), never through a file descriptor. */

static const char *const db_suffixes[] = {"", "-wal", "-shm", "-journal"};

/* Refuses a database path that exists as anything but a regular file (SQLITE_OPEN_NOFOLLOW
 * refuses symbolic links too, with a vaguer message). */
static int check_db_path(const char *path, DbError *err)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? DB_OK : dberr_set(err, DB_EIO, "%s: %s", path, strerror(errno));
    if (S_ISLNK(sb.st_mode))
        return dberr_set(err, DB_EIO, "%s: is a symbolic link; refusing to follow it", path);
    if (!S_ISREG(sb.st_mode))
        return dberr_set(err, DB_EIO, "%s: not a regular file", path);
    return DB_OK;
}

/* The database and its companions readable by the kiosk's user alone: sqlite creates the
 * -wal and -shm files with the database file's permissions, and creates the database itself
 * with 0644 less the umask (inside a 0700 directory, so nobody else could reach it before
 * this runs). */
static int restrict_db_files(const char *path, DbError *err)
{
    for (size_t i = 0; i < sizeof db_suffixes / sizeof db_suffixes[0]; i++) {
        char name[PATH_MAX + 16];
        snprintf(name, sizeof name, "%s%s", path, db_suffixes[i]);
        struct stat sb;
        if (lstat(name, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 0777) == 0600)
            continue;
        if (chmod(name, 0600) != 0)
            return dberr_set(err, DB_EIO, "%s: cannot restrict permissions to 0600: %s", name,
                             strerror(errno));
    }
    return DB_OK;
}

static int check_dir(const char *dir, DbError *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        int e = errno;
        if (e == ENOENT)
            return dberr_set(err, DB_ENOENT, "%s: data directory does not exist", dir);
        return dberr_set(err, DB_EIO, "%s: %s", dir, strerror(e));
    }
    if (!S_ISDIR(sb.st_mode))
        return dberr_set(err, DB_EIO, "%s: not a directory", dir);
    if ((sb.st_mode & 077) != 0 && chmod(dir, sb.st_mode & 0700) != 0)
        return dberr_set(err, DB_EIO, "%s: cannot restrict the data directory to mode 0700: %s",
                         dir, strerror(errno));
    if (access(dir, W_OK | X_OK) != 0)
        return dberr_set(err, DB_EIO,
                         "%s: the data directory is not writable (%s); responses cannot be "
                         "stored",
                         dir, strerror(errno));
    return DB_OK;
}

static int apply_pragmas(Store *st, DbError *err)
{
    int rc = sqldb_exec(&st->sql,
                  "PRAGMA foreign_keys = ON;"
                  "PRAGMA secure_delete = ON;"
                  "PRAGMA temp_store = MEMORY;"
                  "PRAGMA trusted_schema = OFF;",
                  "applying settings", err);
    if (rc != DB_OK)
        return rc;
    sqlite3_stmt *stmt;
    if ((rc = sqldb_prepare(&st->sql, "PRAGMA journal_mode = WAL", &stmt, err)) != DB_OK)
        return rc;
    int s = sqlite3_step(stmt);
    if (s != SQLITE_ROW) {
        rc = sqldb_error(&st->sql, s, "switching to WAL mode", err);
    } else {
        const char *mode = (const char *)sqlite3_column_text(stmt, 0);
        if (!mode || strcmp(mode, "wal") != 0)
            rc = dberr_set(err, DB_EIO, "%s: cannot switch to WAL journal mode (got %s)",
                           st->path, mode ? mode : "nothing");
    }
    sqlite3_finalize(stmt);
    if (rc != DB_OK)
        return rc;
    /* After journal_mode: FULL makes every commit durable in WAL mode. */
    return sqldb_exec(&st->sql, "PRAGMA synchronous = FULL", "applying settings", err);
}

static int open_at(const char *dir, int target, Store **out, DbError *err)
{
    *out = NULL;
    Store *st = calloc(1, sizeof *st);
    if (!st)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    int rc = fs_join(st->path, sizeof st->path, dir, STORE_DB_NAME, err);
    if (rc == DB_OK && snprintf(st->dir, sizeof st->dir, "%s", dir) >= (int)sizeof st->dir)
        rc = dberr_set(err, DB_ELIMIT, "%s: path too long", dir);
    if (rc == DB_OK)
        rc = check_dir(dir, err);
    if (rc == DB_OK)
        rc = check_db_path(st->path, err);
    if (rc != DB_OK) {
        free(st);
        return rc;
    }
    st->sql = (SqlDb){NULL, st->path, "a Debrief database", "nothing stored was lost"};
    int s = sqlite3_open_v2(st->path, &st->sql.db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
                                SQLITE_OPEN_FULLMUTEX,
                            NULL);
    if (s != SQLITE_OK) {
        rc = sqldb_error(&st->sql, s, "opening the database", err);
        store_close(st);
        return rc;
    }
    if ((rc = restrict_db_files(st->path, err)) != DB_OK) {
        store_close(st);
        return rc;
    }
    char real_dir[PATH_MAX];
    if (realpath(dir, real_dir))
        fs_join(st->real_path, sizeof st->real_path, real_dir, STORE_DB_NAME, NULL);
    sqlite3_extended_result_codes(st->sql.db, 1);
    sqlite3_busy_timeout(st->sql.db, BUSY_TIMEOUT_MS);
    int version = 0;
    if ((rc = apply_pragmas(st, err)) != DB_OK || (rc = store_records_open(st, err)) != DB_OK ||
        (rc = sqldb_user_version(&st->sql, &version, err)) != DB_OK ||
        (rc = migrate(st, target, err)) != DB_OK) {
        store_close(st);
        return rc;
    }
    /* A version 2 database's records are gone from its pages and its WAL only now. */
    DbError cerr;
    if (version > 0 && version < 3 && target >= 3 && store_compact(st, &cerr) != DB_OK)
        fprintf(stderr, "debrief: warning: %s\n", cerr.msg);
    if (target >= 3 && (rc = store_records_recover(st, err)) != DB_OK) {
        store_close(st);
        return rc;
    }
    *out = st;
    return DB_OK;
}

int store_open(const char *dir, Store **out, DbError *err)
{
    return open_at(dir, STORE_SCHEMA_VERSION, out, err);
}

void store_close(Store *st)
{
    if (!st)
        return;
    store_records_close(st);
    if (st->sql.db)
        sqlite3_close_v2(st->sql.db);
    free(st);
}

/* --- sessions --- */

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
    snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

#define SESSION_COLUMNS                                                                       \
    "SELECT id, label, date, survey_id, survey_version, expected, open FROM sessions s "

static void session_from_row(Store *st, sqlite3_stmt *stmt, StoreSession *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(stmt, 0);
    copy_text(out->label, sizeof out->label, sqlite3_column_text(stmt, 1));
    copy_text(out->date, sizeof out->date, sqlite3_column_text(stmt, 2));
    copy_text(out->survey_id, sizeof out->survey_id, sqlite3_column_text(stmt, 3));
    out->survey_version = (uint32_t)sqlite3_column_int64(stmt, 4);
    out->expected = sqlite3_column_int(stmt, 5);
    out->open = sqlite3_column_int(stmt, 6);
    out->responses = store_records_count(st, out->id);
}

int store_session_open(Store *st, const char *label, const char *date, const char *survey_id,
                       uint32_t survey_version, int expected, int64_t *id, DbError *err)
{
    if (id)
        *id = 0;
    /* A label goes into every sealed response of its session: refuse here, at session open,
     * what the response encoder would refuse at every submit (session_fields.h). */
    if (session_label_check(label, label ? strlen(label) : 0, err) != DB_OK ||
        session_date_check(date, date ? strlen(date) : 0, err) != DB_OK ||
        session_survey_id_check(survey_id, survey_id ? strlen(survey_id) : 0, err) != DB_OK)
        return DB_EINVAL;
    if (expected < 0 || expected > STORE_MAX_EXPECTED)
        return dberr_set(err, DB_EINVAL, "expected attendance must be between 0 (no cap) and %d",
                         STORE_MAX_EXPECTED);
    /* Room for the session's records, made now rather than while people answer (a file
     * that grew mid-session would show which records came after). */
    char kiosk_survey[SESSION_ID_MAX + 1];
    uint32_t kiosk_version, record_bytes = 0;
    int known = 0;
    int rc = store_kiosk_survey_get(st, kiosk_survey, &kiosk_version, &record_bytes, &known, NULL);
    uint32_t slots = expected > STORE_SESSION_SLOTS / 4 ? 4u * (uint32_t)expected
                                                        : STORE_SESSION_SLOTS;
    if (rc == DB_OK && known && record_bytes > 0 &&
        (rc = store_reserve(st, record_bytes, slots, err)) != DB_OK)
        return dberr_prefix(err, "no room for the session's responses");
    if ((rc = sqldb_begin(&st->sql, err)) != DB_OK)
        return rc;
    int64_t n_open = 0;
    rc = sqldb_get_int64(&st->sql, "SELECT count(*) FROM sessions WHERE open = 1", &n_open,
                         "counting open sessions", err);
    if (rc == DB_OK && n_open > 0)
        rc = dberr_set(err, DB_ESTATE, "a session is already open; close it first");
    sqlite3_stmt *stmt = NULL;
    if (rc == DB_OK)
        rc = sqldb_prepare(&st->sql,
                     "INSERT INTO sessions(label, date, survey_id, survey_version, expected, "
                     "open) VALUES (?, ?, ?, ?, ?, 1)",
                     &stmt, err);
    if (rc == DB_OK) {
        sqlite3_bind_text(stmt, 1, label, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, date, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, survey_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 4, survey_version);
        sqlite3_bind_int(stmt, 5, expected);
        int s = sqlite3_step(stmt);
        if (s != SQLITE_DONE)
            rc = sqldb_error(&st->sql, s, "opening a session", err);
        else if (id)
            *id = sqlite3_last_insert_rowid(st->sql.db);
    }
    sqlite3_finalize(stmt);
    if (rc != DB_OK) {
        sqldb_rollback(&st->sql);
        if (id)
            *id = 0;
        return rc;
    }
    return sqldb_commit(&st->sql, "opening a session", err);
}

int store_session_close(Store *st, DbError *err)
{
    int rc = sqldb_begin(&st->sql, err);
    if (rc != DB_OK)
        return rc;
    if ((rc = sqldb_exec(&st->sql, "UPDATE sessions SET open = 0 WHERE open = 1", "closing the session",
                   err)) != DB_OK) {
        sqldb_rollback(&st->sql);
        return rc;
    }
    if (sqlite3_changes(st->sql.db) == 0) {
        sqldb_rollback(&st->sql);
        return dberr_set(err, DB_ESTATE, "no session is open");
    }
    return sqldb_commit(&st->sql, "closing the session", err);
}

int store_session_current(Store *st, StoreSession *out, int *found, DbError *err)
{
    *found = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, SESSION_COLUMNS "WHERE open = 1", &stmt, err);
    if (rc != DB_OK)
        return rc;
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        session_from_row(st, stmt, out);
        *found = 1;
    } else if (s != SQLITE_DONE) {
        rc = sqldb_error(&st->sql, s, "reading the open session", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int store_session_get(Store *st, int64_t id, StoreSession *out, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, SESSION_COLUMNS "WHERE id = ?", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, id);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        session_from_row(st, stmt, out);
    else if (s == SQLITE_DONE)
        rc = dberr_set(err, DB_ENOENT, "no session with id %lld", (long long)id);
    else
        rc = sqldb_error(&st->sql, s, "reading a session", err);
    sqlite3_finalize(stmt);
    return rc;
}

typedef struct SessionRows {
    Store *st;
    int (*fn)(const StoreSession *s, void *ctx);
    void *ctx;
} SessionRows;

static int session_row(sqlite3_stmt *stmt, void *ctx)
{
    SessionRows *r = ctx;
    StoreSession sess;
    session_from_row(r->st, stmt, &sess);
    return r->fn(&sess, r->ctx);
}

int store_session_foreach(Store *st, int (*fn)(const StoreSession *s, void *ctx), void *ctx,
                          DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, SESSION_COLUMNS "ORDER BY id", &stmt, err);
    SessionRows r = {st, fn, ctx};
    return rc == DB_OK ? sqldb_each_row(&st->sql, stmt, session_row, &r, "listing sessions", err)
                       : rc;
}

/* --- responses --- */

/* --- export bookkeeping --- */

#define BATCH_COLUMNS                                                                         \
    "SELECT number, prev_hash, hash, records, written, acknowledged, "                        \
    "(SELECT count(*) FROM batch_members m WHERE m.batch = b.number) FROM batches b "

static void batch_from_row(sqlite3_stmt *stmt, StoreBatch *out)
{
    memset(out, 0, sizeof *out);
    out->number = (uint64_t)sqlite3_column_int64(stmt, 0);
    if (sqlite3_column_bytes(stmt, 1) == STORE_HASH_BYTES)
        memcpy(out->prev_hash, sqlite3_column_blob(stmt, 1), STORE_HASH_BYTES);
    if (sqlite3_column_bytes(stmt, 2) == STORE_HASH_BYTES)
        memcpy(out->hash, sqlite3_column_blob(stmt, 2), STORE_HASH_BYTES);
    out->records = sqlite3_column_int64(stmt, 3);
    out->written = sqlite3_column_int(stmt, 4);
    out->acknowledged = sqlite3_column_int(stmt, 5);
    out->held = sqlite3_column_int64(stmt, 6);
}

/* Runs a batch query returning at most one row. */
static int batch_query_one(Store *st, const char *sql, int64_t bind, int has_bind,
                           StoreBatch *out, int *found, DbError *err)
{
    *found = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, sql, &stmt, err);
    if (rc != DB_OK)
        return rc;
    if (has_bind)
        sqlite3_bind_int64(stmt, 1, bind);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        batch_from_row(stmt, out);
        *found = 1;
    } else if (s != SQLITE_DONE) {
        rc = sqldb_error(&st->sql, s, "reading batches", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int store_batch_get(Store *st, uint64_t number, StoreBatch *out, DbError *err)
{
    int found;
    if (number == 0 || number > INT64_MAX)
        return dberr_set(err, DB_ENOENT, "no batch %llu", (unsigned long long)number);
    int rc = batch_query_one(st, BATCH_COLUMNS "WHERE number = ?", (int64_t)number, 1, out,
                             &found, err);
    if (rc == DB_OK && !found)
        rc = dberr_set(err, DB_ENOENT, "no batch %llu was exported by this kiosk",
                       (unsigned long long)number);
    return rc;
}

int store_batch_last(Store *st, StoreBatch *out, int *found, DbError *err)
{
    return batch_query_one(st, BATCH_COLUMNS "ORDER BY number DESC LIMIT 1", 0, 0, out, found,
                           err);
}

typedef struct BatchRows {
    int (*fn)(const StoreBatch *b, void *ctx);
    void *ctx;
} BatchRows;

static int batch_row(sqlite3_stmt *stmt, void *ctx)
{
    BatchRows *r = ctx;
    StoreBatch b;
    batch_from_row(stmt, &b);
    return r->fn(&b, r->ctx);
}

int store_batch_foreach(Store *st, int (*fn)(const StoreBatch *b, void *ctx), void *ctx,
                        DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, BATCH_COLUMNS "ORDER BY number", &stmt, err);
    BatchRows r = {fn, ctx};
    return rc == DB_OK ? sqldb_each_row(&st->sql, stmt, batch_row, &r, "listing batches", err)
                       : rc;
}

int store_batch_set_written(Store *st, uint64_t number, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, "UPDATE batches SET written = 1 WHERE number = ?", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, (int64_t)number);
    int s = sqlite3_step(stmt);
    if (s != SQLITE_DONE)
        rc = sqldb_error(&st->sql, s, "marking the batch written", err);
    else if (sqlite3_changes(st->sql.db) != 1)
        rc = dberr_set(err, DB_ENOENT, "no batch %llu", (unsigned long long)number);
    sqlite3_finalize(stmt);
    return rc;
}

/* --- is this connection still writing to the live database? --- */

/* Whether the file open as fd is the one now at name: not unlinked, not renamed over. */
static int fd_is_linked_at(int fd, const char *name)
{
    struct stat open_sb, path_sb;
    if (fstat(fd, &open_sb) != 0)
        return 1; /* closed meanwhile: not ours to judge */
    if (open_sb.st_nlink == 0)
        return 0;
    return stat(name, &path_sb) == 0 && path_sb.st_dev == open_sb.st_dev &&
           path_sb.st_ino == open_sb.st_ino;
}

int store_check_live(Store *st, DbError *err)
{
    int moved = 0;
    if (sqlite3_file_control(st->sql.db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved)
        return dberr_set(err, DB_EIO,
                         "%s: the database file was deleted or replaced while this process had "
                         "it open; what it saved since then is not in the live database",
                         st->path);
    /* SQLite does not say which -wal and -shm files it holds; /proc/self/fd does (a link
     * to "NAME (deleted)" once unlinked). Only reading links and fstat(): nothing is opened
     * or closed but the directory listing itself. */
    if (!st->real_path[0])
        return DB_OK;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return DB_OK; /* no /proc: the main file's check above is all there is */
    size_t plen = strlen(st->real_path);
    int rc = DB_OK;
    struct dirent *e;
    while (rc == DB_OK && (e = readdir(d))) {
        char link[64], target[PATH_MAX + 32];
        if (e->d_name[0] == '.' ||
            snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name) >= (int)sizeof link)
            continue;
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strncmp(target, st->real_path, plen) != 0)
            continue;
        const char *suffix = target + plen;
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end != '\0' || fd < 0 || fd > INT_MAX)
            continue;
        for (size_t i = 0; i < sizeof db_suffixes / sizeof db_suffixes[0]; i++) {
            size_t sl = strlen(db_suffixes[i]);
            if (strncmp(suffix, db_suffixes[i], sl) != 0 ||
                (suffix[sl] != '\0' && strcmp(suffix + sl, " (deleted)") != 0))
                continue;
            char name[PATH_MAX + 16];
            snprintf(name, sizeof name, "%s%s", st->real_path, db_suffixes[i]);
            if (!fd_is_linked_at((int)fd, name))
                rc = dberr_set(err, DB_EIO,
                               "%s%s: the file was deleted or replaced while this process had "
                               "it open (another process removed the database's companion "
                               "files); what was saved since then is not in the live database",
                               st->path, db_suffixes[i]);
        }
    }
    closedir(d);
    return rc;
}

int store_data_version(Store *st, uint32_t *version, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, "PRAGMA data_version", &stmt, err);
    if (rc != DB_OK)
        return rc;
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        *version = (uint32_t)sqlite3_column_int64(stmt, 0);
    else
        rc = sqldb_error(&st->sql, s, "reading the data version", err);
    sqlite3_finalize(stmt);
    return rc;
}

int store_compact(Store *st, DbError *err)
{
    /* VACUUM builds a copy of the database and writes it back through the WAL. The copy goes
     * to a temporary file, not to memory (temp_store is MEMORY otherwise): a kiosk that has
     * not exported for months may hold hundreds of megabytes of records. */
    int rc = sqldb_exec(&st->sql, "PRAGMA temp_store = FILE", "compacting the database", err);
    if (rc == DB_OK)
        rc = st->test_fail_vacuum
                 ? dberr_set(err, DB_ENOSPC, "%s: disk full while compacting the database",
                             st->path)
                 : sqldb_exec(&st->sql, "VACUUM", "compacting the database", err);
    int back = sqldb_exec(&st->sql, "PRAGMA temp_store = MEMORY", "compacting the database",
                    rc == DB_OK ? err : NULL);
    if (rc == DB_OK)
        rc = back;
    /* Then, even if VACUUM failed (a full disk is when it fails, and when a purge is most
     * needed), copy every page from the WAL into the database file and cut the WAL to zero
     * bytes: after a purge only the WAL holds the zeroed pages, and the file still the
     * deleted records, until a checkpoint. */
    int log = 0, ckpt = 0;
    int s = sqlite3_wal_checkpoint_v2(st->sql.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &ckpt);
    if (s != SQLITE_OK && rc == DB_OK)
        rc = sqldb_error(&st->sql, s, "truncating the write-ahead log", err);
    return rc;
}

/* --- kiosk meta --- */

int store_meta_get(Store *st, const char *key, uint8_t *buf, size_t cap, size_t *len,
                   int *found, DbError *err)
{
    *found = 0;
    *len = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, "SELECT value FROM kiosk_meta WHERE key = ?", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(stmt, 0);
        if (n > cap) {
            rc = dberr_set(err, DB_ELIMIT, "%s: kiosk value '%s' is %zu bytes, more than %zu",
                           st->path, key, n, cap);
        } else {
            if (n)
                memcpy(buf, sqlite3_column_blob(stmt, 0), n);
            *len = n;
            *found = 1;
        }
    } else if (s != SQLITE_DONE) {
        rc = sqldb_error(&st->sql, s, "reading kiosk values", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int store_meta_set(Store *st, const char *key, const uint8_t *value, size_t len, DbError *err)
{
    if (len > INT_MAX)
        return dberr_set(err, DB_ELIMIT, "kiosk value too large");
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&st->sql, "INSERT OR REPLACE INTO kiosk_meta(key, value) VALUES (?, ?)", &stmt,
                     err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 2, len ? (const void *)value : "", (int)len, SQLITE_STATIC);
    int s = sqlite3_step(stmt);
    if (s != SQLITE_DONE)
        rc = sqldb_error(&st->sql, s, "writing kiosk values", err);
    sqlite3_finalize(stmt);
    return rc;
}

int store_in_transaction(Store *st, int (*fn)(Store *st, void *ctx, DbError *err), void *ctx,
                         DbError *err)
{
    int rc = sqldb_begin(&st->sql, err);
    if (rc != DB_OK)
        return rc;
    rc = fn(st, ctx, err);
    if (rc == DB_OK)
        rc = sqldb_commit(&st->sql, "writing kiosk values", err);
    if (rc != DB_OK)
        sqldb_rollback(&st->sql);
    return rc;
}

#define KIOSK_SURVEY_KEY "kiosk_survey" /* "ID VERSION RECORD_BYTES" */

int store_kiosk_survey_set(Store *st, const char *survey_id, uint32_t version,
                           uint32_t record_bytes, DbError *err)
{
    if (session_survey_id_check(survey_id, survey_id ? strlen(survey_id) : 0, err) != DB_OK)
        return DB_EINVAL;
    char value[64];
    int n = snprintf(value, sizeof value, "%s %u %u", survey_id, version, record_bytes);
    uint8_t old[64];
    size_t len = 0;
    int found = 0;
    int rc = store_meta_get(st, KIOSK_SURVEY_KEY, old, sizeof old, &len, &found, err);
    if (rc == DB_OK && found && len == (size_t)n && memcmp(old, value, len) == 0)
        return DB_OK; /* unchanged: no write at every start */
    return store_meta_set(st, KIOSK_SURVEY_KEY, (const uint8_t *)value, (size_t)n, err);
}

int store_kiosk_survey_get(Store *st, char survey_id[SESSION_ID_MAX + 1], uint32_t *version,
                           uint32_t *record_bytes, int *found, DbError *err)
{
    uint8_t value[64];
    size_t len = 0;
    survey_id[0] = '\0';
    *version = 0;
    if (record_bytes)
        *record_bytes = 0;
    int rc = store_meta_get(st, KIOSK_SURVEY_KEY, value, sizeof value - 1, &len, found, err);
    if (rc != DB_OK || !*found)
        return rc;
    value[len] = '\0';
    char id[SESSION_ID_MAX + 1];
    unsigned v = 0, bytes = 0;
    char extra;
    if (sscanf((const char *)value, "%32s %u %u%c", id, &v, &bytes, &extra) != 3 ||
        !session_is_id(id, strlen(id))) {
        *found = 0;
        return dberr_set(err, DB_EFORMAT, "%s: the kiosk's recorded survey is damaged", st->path);
    }
    memcpy(survey_id, id, sizeof id);
    *version = v;
    if (record_bytes)
        *record_bytes = bytes;
    return DB_OK;
}

int store_test_limit_pages(Store *st, uint32_t max_pages, DbError *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %u", max_pages);
    return sqldb_exec(&st->sql, sql, "limiting the database size", err);
}

int store_test_open_at_version(const char *dir, int version, Store **out, DbError *err)
{
    if (version < 0 || version > STORE_SCHEMA_VERSION)
        return dberr_set(err, DB_EINVAL, "no schema version %d", version);
    return open_at(dir, version, out, err);
}

void store_test_limit_slots(Store *st, uint32_t max_slots)
{
    st->test_max_slots = max_slots;
}

void store_test_fail_vacuum(Store *st, int fail)
{
    st->test_fail_vacuum = fail;
}

int store_test_exec(Store *st, const char *sql, DbError *err)
{
    return sqldb_exec(&st->sql, sql, "running a test statement", err);
}
