/* adb: the analysis database on sqlite3. See adb.h for the contract.
 *
 * Migrations: migrations[i] takes the schema from version i to i + 1; every step a database
 * needs runs in one transaction that also sets user_version. To add version 4: write
 * migrate_to_4, append it, bump ADB_SCHEMA_VERSION.
 *
 * Journal: the default rollback journal (one file at rest, easy to back up), synchronous =
 * FULL, secure_delete = ON, temp_store = MEMORY (no sort or index spills to temp files),
 * cache_spill = OFF: an import stores its records while later ones are still being opened
 * and checked, and none of a transaction's pages reach the database file before its commit
 * (a batch that fails half-way leaves no plaintext in the file, not even rolled back; the
 * pages of one batch are held in memory until then).
 *
 * Speed of an import (issue 8): the connection is opened NOMUTEX (an Adb is used by one
 * thread at a time: the import's pool threads never touch it), so the ~150 calls that store
 * one response take no lock each; and adb_begin_import's transaction does not enforce foreign
 * keys (a look-up in the parent table for every answer row was a fifth of storing), since
 * every row an import adds refers to a row it has just found or added itself; test_analysis
 * checks PRAGMA foreign_key_check after imports. adb_responses_add stores a chunk of the
 * import's responses (32) with one INSERT for their rows and one for all their answers:
 * 8.7 -> 6.0 us per response. A new database gets 16 KiB pages (sqlite's default is 4):
 * the commit writes (and sqlite tracks) a quarter as many, 28 -> 14 ms for 10k responses;
 * and into a database that already holds 50k responses (the ids are random, so a batch's
 * rows land all over the tables) storing costs 15 us per response instead of 20 (measured;
 * 8 KiB pages: 30, or 20 with a 64 MB cache, so presumably the default 2 MB cache no longer
 * holds the trees' inner pages). 32 KiB would be about 7 % cheaper still, but every
 * small change (a label) writes whole pages. An existing database keeps its page size.
 */
#include "adb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secmem.h"
#include "sqldb.h"

/* How long a second import (or a report) waits for the write transaction of another: a
 * batch of 50,000 responses takes seconds to import on a laptop. */
#define BUSY_TIMEOUT_MS 60000

struct Adb {
    SqlDb sql; /* the connection (sql.db) and its words for messages */
    char path[PATH_MAX];
    /* adb_response_add's statements, prepared on first use and reset between uses: an
     * import adds thousands of responses, and preparing was a fifth of its time. All answers
     * of a response go in with one statement (ins_answers_n rows). */
    sqlite3_stmt *ins_response, *ins_answers;
    int ins_answers_n;
    /* adb_responses_add's: grp_k responses, grp_rows answers in one statement each */
    sqlite3_stmt *grp_responses, *grp_answers;
    int grp_k, grp_rows;
    int fk_off; /* inside adb_begin_import's transaction: foreign keys not enforced */
};

const char *adb_path(const Adb *db)
{
    return db->path;
}

int adb_begin(Adb *db, DbError *err)
{
    return sqldb_exec(&db->sql, "BEGIN IMMEDIATE", "starting a transaction", err);
}

/* Foreign keys can only be switched outside a transaction; back on after it. */
static void foreign_keys_on(Adb *db)
{
    if (db->fk_off && sqlite3_get_autocommit(db->sql.db) &&
        sqlite3_exec(db->sql.db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) == SQLITE_OK)
        db->fk_off = 0;
}

int adb_begin_import(Adb *db, DbError *err)
{
    int rc = sqldb_exec(&db->sql, "PRAGMA foreign_keys = OFF", "starting a transaction", err);
    if (rc != DB_OK)
        return rc;
    db->fk_off = 1;
    if ((rc = adb_begin(db, err)) != DB_OK)
        foreign_keys_on(db);
    return rc;
}

int adb_commit(Adb *db, DbError *err)
{
    int rc = sqldb_exec(&db->sql, "COMMIT", "committing", err);
    if (rc != DB_OK)
        adb_rollback(db);
    foreign_keys_on(db);
    return rc;
}

void adb_rollback(Adb *db)
{
    if (!sqlite3_get_autocommit(db->sql.db))
        sqlite3_exec(db->sql.db, "ROLLBACK", NULL, NULL, NULL);
    foreign_keys_on(db);
}

/* --- schema --- */

static int migrate_to_1(Adb *db, DbError *err)
{
    return sqldb_exec(&db->sql,
                "CREATE TABLE kiosks ("
                "  id INTEGER PRIMARY KEY,"
                "  pk BLOB NOT NULL UNIQUE CHECK (length(pk) = 32),"
                "  fingerprint TEXT NOT NULL,"
                "  trusted INTEGER NOT NULL);"
                "CREATE TABLE batches ("
                "  id INTEGER PRIMARY KEY,"
                "  kiosk_id INTEGER NOT NULL REFERENCES kiosks(id),"
                "  number INTEGER NOT NULL,"
                "  hash BLOB NOT NULL CHECK (length(hash) = 32),"
                "  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),"
                "  n_records INTEGER NOT NULL,"
                "  UNIQUE (kiosk_id, number));"
                "CREATE TABLE surveys ("
                "  survey_id TEXT NOT NULL,"
                "  version INTEGER NOT NULL,"
                "  json TEXT NOT NULL,"
                "  PRIMARY KEY (survey_id, version)) WITHOUT ROWID;"
                "CREATE TABLE sessions ("
                "  id INTEGER PRIMARY KEY,"
                "  kiosk_id INTEGER NOT NULL REFERENCES kiosks(id),"
                "  label TEXT NOT NULL,"
                "  date TEXT NOT NULL,"
                "  survey_id TEXT NOT NULL,"
                "  survey_version INTEGER NOT NULL,"
                "  UNIQUE (kiosk_id, label, date, survey_id, survey_version));"
                "CREATE TABLE batch_sessions ("
                "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
                "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
                "  count INTEGER NOT NULL,"
                "  PRIMARY KEY (batch_id, session_id)) WITHOUT ROWID;"
                "CREATE TABLE responses ("
                "  id INTEGER PRIMARY KEY," /* random, see adb_response_add */
                "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
                "  lang TEXT NOT NULL);"
                "CREATE INDEX responses_session ON responses(session_id);"
                "CREATE TABLE answers ("
                "  response_id INTEGER NOT NULL REFERENCES responses(id),"
                "  q_index INTEGER NOT NULL,"
                "  question_id TEXT NOT NULL,"
                "  state INTEGER NOT NULL," /* 0 none/not shown, 1 declined, 2 given */
                "  likert INTEGER,"
                "  options TEXT," /* option ids separated by one space */
                "  text TEXT,"
                "  PRIMARY KEY (response_id, q_index)) WITHOUT ROWID;",
                "creating the schema", err);
}

/* Version 2: a label per kiosk (from the kiosk registry, --kiosks FILE), shown by status. */
static int migrate_to_2(Adb *db, DbError *err)
{
    return sqldb_exec(&db->sql, "ALTER TABLE kiosks ADD COLUMN label TEXT NOT NULL DEFAULT ''",
                "adding kiosk labels", err);
}

/* Version 3: the id of every imported sealed record, so that a record repeated in a later
 * batch, or in another kiosk's, is noticed (a replay); per batch, the replays an import
 * skipped (--skip-replays). Records imported before version 3 have no id stored. */
static int migrate_to_3(Adb *db, DbError *err)
{
    return sqldb_exec(&db->sql,
                "CREATE TABLE record_ids ("
                "  id BLOB PRIMARY KEY CHECK (length(id) = 32),"
                "  batch_id INTEGER NOT NULL REFERENCES batches(id)) WITHOUT ROWID;"
                "ALTER TABLE batches ADD COLUMN replays INTEGER NOT NULL DEFAULT 0;",
                "adding record ids", err);
}

/* Version 4: per batch, the keys its records are sealed to, as imported (shown by status),
 * and the id of the key that imported it (an acknowledgement signed by that key lists it:
 * a kiosk accepts a key's acknowledgement only for batches sealed to that key). */
static int migrate_to_4(Adb *db, DbError *err)
{
    return sqldb_exec(&db->sql,
                      "ALTER TABLE batches ADD COLUMN recipients TEXT NOT NULL DEFAULT '';"
                      "ALTER TABLE batches ADD COLUMN importer BLOB CHECK (importer IS NULL OR "
                      "length(importer) = 8);",
                      "adding batch recipients", err);
}

typedef int (*MigrateFn)(Adb *db, DbError *err);
static const MigrateFn migrations[ADB_SCHEMA_VERSION] = {migrate_to_1, migrate_to_2, migrate_to_3,
                                                         migrate_to_4};

/* What the database's schema says: DB_OK with *version, or why it is not ours to migrate. */
static int schema_check(Adb *db, int *version, DbError *err)
{
    int rc = sqldb_user_version(&db->sql, version, err);
    if (rc != DB_OK)
        return rc;
    if (*version > ADB_SCHEMA_VERSION)
        return dberr_set(err, DB_ESTATE,
                         "%s: the database has schema version %d, newer than this Debrief "
                         "understands (%d); use a newer Debrief (the database was not changed)",
                         db->path, *version, ADB_SCHEMA_VERSION);
    /* A database with tables but user_version 0 is someone else's file (e.g. a kiosk store). */
    int64_t n_tables = 0;
    if (*version == 0 && (rc = sqldb_get_int64(&db->sql, "SELECT count(*) FROM sqlite_schema",
                                               &n_tables, "reading the schema", err)) != DB_OK)
        return rc;
    if (*version == 0 && n_tables > 0)
        return dberr_set(err, DB_EFORMAT, "%s: not a Debrief analysis database", db->path);
    return DB_OK;
}

static int migrate(Adb *db, DbError *err)
{
    int version = 0, rc = sqldb_user_version(&db->sql, &version, err);
    if (rc != DB_OK || version == ADB_SCHEMA_VERSION)
        return rc;
    if (version > ADB_SCHEMA_VERSION) /* versions only grow: no lock needed to say so */
        return schema_check(db, &version, err);
    /* Every step in one transaction: a new database gets its whole schema with one commit
     * (one fsync instead of one per version), and a process killed meanwhile leaves the
     * file as it was. What the schema is, is read only under the write lock: another process
     * (a second import at the same moment) may be creating it (read outside, the version
     * before its commit and the tables after it would say "not ours"). */
    if ((rc = adb_begin(db, err)) != DB_OK)
        return rc;
    if ((rc = schema_check(db, &version, err)) != DB_OK || version == ADB_SCHEMA_VERSION) {
        adb_rollback(db);
        return rc;
    }
    for (; version < ADB_SCHEMA_VERSION; version++) {
        if ((rc = migrations[version](db, err)) != DB_OK) {
            adb_rollback(db);
            return rc;
        }
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", ADB_SCHEMA_VERSION);
    if ((rc = sqldb_exec(&db->sql, sql, "setting the schema version", err)) != DB_OK) {
        adb_rollback(db);
        return rc;
    }
    return adb_commit(db, err);
}

int adb_open(const char *path, int create, Adb **out, DbError *err)
{
    *out = NULL;
    Adb *db = calloc(1, sizeof *db);
    if (!db)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    if (strlen(path) >= sizeof db->path) {
        free(db);
        return dberr_set(err, DB_ELIMIT, "database path too long");
    }
    memcpy(db->path, path, strlen(path) + 1);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int e = errno;
        if (e != ENOENT || !create) {
            free(db);
            return e == ENOENT ? dberr_set(err, DB_ENOENT, "%s: no such analysis database", path)
                               : dberr_set(err, DB_EIO, "%s: %s", path, strerror(e));
        }
        /* Create it 0600 before sqlite does: decrypted answers go in here. EEXIST: another
         * process created it a moment ago (its schema is migrate's to sort out). */
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 && errno != EEXIST) {
            e = errno;
            free(db);
            return dberr_set(err, e == ENOSPC ? DB_ENOSPC : DB_EIO,
                             "%s: cannot create the database: %s", path, strerror(e));
        }
        if (fd >= 0)
            close(fd);
    } else if (!S_ISREG(sb.st_mode)) {
        free(db);
        return dberr_set(err, DB_EIO, "%s: not a regular file", path);
    }
    db->sql = (SqlDb){NULL, db->path, "a Debrief analysis database", "the database was not changed"};
    int s = sqlite3_open_v2(path, &db->sql.db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                            NULL);
    int rc = DB_OK;
    if (s != SQLITE_OK) {
        rc = sqldb_error(&db->sql, s, "opening the database", err);
    } else {
        sqlite3_extended_result_codes(db->sql.db, 1);
        sqlite3_busy_timeout(db->sql.db, BUSY_TIMEOUT_MS);
        rc = sqldb_exec(&db->sql,
                  "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"
                  "PRAGMA temp_store = MEMORY; PRAGMA trusted_schema = OFF;"
                  "PRAGMA synchronous = FULL; PRAGMA cache_spill = OFF;"
                  "PRAGMA page_size = 16384;", /* only a new database's; see the top */
                  "applying settings", err);
        if (rc == DB_OK)
            rc = migrate(db, err);
    }
    if (rc != DB_OK) {
        adb_close(db);
        return rc;
    }
    *out = db;
    return DB_OK;
}

void adb_close(Adb *db)
{
    if (!db)
        return;
    sqlite3_finalize(db->ins_response);
    sqlite3_finalize(db->ins_answers);
    sqlite3_finalize(db->grp_responses);
    sqlite3_finalize(db->grp_answers);
    if (db->sql.db)
        sqlite3_close_v2(db->sql.db);
    free(db);
}

/* --- kiosks --- */

int adb_kiosk_find(Adb *db, const uint8_t pk[KEY_SIGN_PUBLIC_BYTES], int64_t *id, int *trusted,
                   DbError *err)
{
    *id = 0;
    *trusted = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql, "SELECT id, trusted FROM kiosks WHERE pk = ?", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_blob(stmt, 1, pk, KEY_SIGN_PUBLIC_BYTES, SQLITE_STATIC);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        *id = sqlite3_column_int64(stmt, 0);
        *trusted = sqlite3_column_int(stmt, 1);
    } else if (s != SQLITE_DONE) {
        rc = sqldb_error(&db->sql, s, "looking up a kiosk", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int adb_kiosk_add(Adb *db, const uint8_t pk[KEY_SIGN_PUBLIC_BYTES], int trusted, int64_t *id,
                  DbError *err)
{
    char fp[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(pk, KEY_SIGN_PUBLIC_BYTES, fp);
    sqlite3_stmt *stmt;
    int rc =
        sqldb_prepare(&db->sql, "INSERT INTO kiosks (pk, fingerprint, trusted) VALUES (?, ?, ?)", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_blob(stmt, 1, pk, KEY_SIGN_PUBLIC_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, fp, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 3, trusted != 0);
    rc = sqldb_step_done(&db->sql, stmt, "adding a kiosk", err);
    if (rc == DB_OK)
        *id = sqlite3_last_insert_rowid(db->sql.db);
    return rc;
}

int adb_kiosk_set_label(Adb *db, int64_t id, const char *label, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql, "UPDATE kiosks SET label = ? WHERE id = ? AND label IS NOT ?", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, id);
    sqlite3_bind_text(stmt, 3, label, -1, SQLITE_STATIC);
    return sqldb_step_done(&db->sql, stmt, "labelling a kiosk", err);
}

int adb_kiosk_set_trusted(Adb *db, const char *fingerprint, int trusted, int *found, DbError *err)
{
    *found = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql, "UPDATE kiosks SET trusted = ? WHERE fingerprint = ?", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int(stmt, 1, trusted != 0);
    sqlite3_bind_text(stmt, 2, fingerprint, -1, SQLITE_STATIC);
    rc = sqldb_step_done(&db->sql, stmt, trusted ? "trusting a kiosk" : "untrusting a kiosk", err);
    if (rc == DB_OK)
        *found = sqlite3_changes(db->sql.db) > 0;
    return rc;
}

int adb_test_foreign_keys(Adb *db, int *enforced, int64_t *violations, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql, "PRAGMA foreign_keys", &stmt, err);
    if (rc != DB_OK)
        return rc;
    int s = sqlite3_step(stmt);
    *enforced = s == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 1;
    sqlite3_finalize(stmt);
    if ((rc = sqldb_prepare(&db->sql, "PRAGMA foreign_key_check", &stmt, err)) != DB_OK)
        return rc;
    *violations = 0;
    while ((s = sqlite3_step(stmt)) == SQLITE_ROW)
        (*violations)++;
    if (s != SQLITE_DONE)
        rc = sqldb_error(&db->sql, s, "checking references", err);
    sqlite3_finalize(stmt);
    return rc;
}

int adb_test_limit_pages(Adb *db, uint32_t max_pages, DbError *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %u", max_pages);
    return sqldb_exec(&db->sql, sql, "limiting the database size", err);
}

/* --- batches --- */

static void copy_blob(sqlite3_stmt *stmt, int col, uint8_t *out, size_t len)
{
    const void *p = sqlite3_column_blob(stmt, col);
    if (p && (size_t)sqlite3_column_bytes(stmt, col) == len)
        memcpy(out, p, len);
    else
        memset(out, 0, len);
}

int adb_batch_find(Adb *db, int64_t kiosk, uint64_t number, int *found,
                   uint8_t hash[BATCH_HASH_BYTES], uint8_t prev_hash[BATCH_HASH_BYTES],
                   DbError *err)
{
    *found = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql, "SELECT hash, prev_hash FROM batches WHERE kiosk_id = ? AND number = ?",
                     &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, kiosk);
    sqlite3_bind_int64(stmt, 2, (sqlite3_int64)number);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        *found = 1;
        if (hash)
            copy_blob(stmt, 0, hash, BATCH_HASH_BYTES);
        if (prev_hash)
            copy_blob(stmt, 1, prev_hash, BATCH_HASH_BYTES);
    } else if (s != SQLITE_DONE) {
        rc = sqldb_error(&db->sql, s, "looking up a batch", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int adb_batch_add(Adb *db, int64_t kiosk, const Batch *b, const uint8_t importer[KEY_ID_BYTES],
                  int64_t *id, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql,
                           "INSERT INTO batches (kiosk_id, number, hash, prev_hash, n_records, "
                           "recipients, importer) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           &stmt, err);
    if (rc != DB_OK)
        return rc;
    char recipients[ADB_RECIPIENTS_SIZE];
    batch_recipients_describe(b, recipients, sizeof recipients);
    sqlite3_bind_text(stmt, 6, recipients, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 7, importer, KEY_ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 1, kiosk);
    sqlite3_bind_int64(stmt, 2, (sqlite3_int64)b->number);
    sqlite3_bind_blob(stmt, 3, b->hash, BATCH_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 4, b->prev_hash, BATCH_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 5, b->n_records);
    rc = sqldb_step_done(&db->sql, stmt, "recording a batch", err);
    if (rc == DB_OK)
        *id = sqlite3_last_insert_rowid(db->sql.db);
    return rc;
}

int adb_batch_session_add(Adb *db, int64_t batch, int64_t session, uint32_t count, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql,
                     "INSERT INTO batch_sessions (batch_id, session_id, count) VALUES (?, ?, ?) "
                     "ON CONFLICT (batch_id, session_id) DO UPDATE SET count = count + "
                     "excluded.count",
                     &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, batch);
    sqlite3_bind_int64(stmt, 2, session);
    sqlite3_bind_int64(stmt, 3, count);
    return sqldb_step_done(&db->sql, stmt, "recording a batch's sessions", err);
}

int adb_batch_set_replays(Adb *db, int64_t batch, uint32_t n, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql, "UPDATE batches SET replays = ? WHERE id = ?", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, n);
    sqlite3_bind_int64(stmt, 2, batch);
    return sqldb_step_done(&db->sql, stmt, "recording a batch's replays", err);
}

int adb_batch_describe(Adb *db, int64_t batch, uint64_t *number,
                       char fingerprint[KEY_FINGERPRINT_SIZE], DbError *err)
{
    *number = 0;
    fingerprint[0] = '\0';
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql,
                     "SELECT b.number, k.fingerprint FROM batches b JOIN kiosks k ON "
                     "k.id = b.kiosk_id WHERE b.id = ?",
                     &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, batch);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        *number = (uint64_t)sqlite3_column_int64(stmt, 0);
        const unsigned char *t = sqlite3_column_text(stmt, 1);
        snprintf(fingerprint, KEY_FINGERPRINT_SIZE, "%s", t ? (const char *)t : "");
    } else if (s != SQLITE_DONE) {
        rc = sqldb_error(&db->sql, s, "looking up a batch", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* --- record ids --- */

int adb_records_find(Adb *db, const uint8_t (*ids)[SEAL_RECORD_ID_BYTES], uint32_t n,
                     int64_t *first_batch, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql, "SELECT batch_id FROM record_ids WHERE id = ?", &stmt, err);
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        first_batch[i] = 0;
        sqlite3_bind_blob(stmt, 1, ids[i], SEAL_RECORD_ID_BYTES, SQLITE_STATIC);
        int s = sqlite3_step(stmt);
        if (s == SQLITE_ROW)
            first_batch[i] = sqlite3_column_int64(stmt, 0);
        else if (s != SQLITE_DONE)
            rc = sqldb_error(&db->sql, s, "looking up record ids", err);
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt); /* NULL when preparing failed */
    return rc;
}

int adb_records_add(Adb *db, int64_t batch, const uint8_t (*ids)[SEAL_RECORD_ID_BYTES],
                    const uint32_t *order, uint8_t *keep, uint32_t n, uint32_t *n_seen,
                    DbError *err)
{
    *n_seen = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql,
                     "INSERT INTO record_ids (id, batch_id) VALUES (?, ?) ON CONFLICT (id) DO "
                     "NOTHING",
                     &stmt, err);
    for (uint32_t j = 0; rc == DB_OK && j < n; j++) {
        uint32_t i = order[j];
        if (!keep[i])
            continue;
        sqlite3_bind_blob(stmt, 1, ids[i], SEAL_RECORD_ID_BYTES, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, batch);
        int s = sqlite3_step(stmt);
        if (s != SQLITE_DONE)
            rc = sqldb_error(&db->sql, s, "storing record ids", err);
        else if (sqlite3_changes(db->sql.db) == 0) {
            keep[i] = 0; /* imported before */
            (*n_seen)++;
        }
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt); /* NULL when preparing failed */
    return rc;
}

int adb_batch_list(Adb *db, int64_t kiosk, const uint8_t importer[KEY_ID_BYTES], AckEntry **entries,
                   uint32_t *n, DbError *err)
{
    *entries = NULL;
    *n = 0;
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql,
                           "SELECT number, hash FROM batches WHERE kiosk_id = ? AND "
                           "(importer IS NULL OR importer = ?) ORDER BY number",
                           &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, kiosk);
    sqlite3_bind_blob(stmt, 2, importer, KEY_ID_BYTES, SQLITE_STATIC);
    size_t cap = 0;
    int s;
    while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            AckEntry *p = realloc(*entries, ncap * sizeof *p);
            if (!p) {
                rc = dberr_set(err, DB_ENOMEM, "out of memory");
                break;
            }
            *entries = p;
            cap = ncap;
        }
        (*entries)[*n].number = (uint64_t)sqlite3_column_int64(stmt, 0);
        copy_blob(stmt, 1, (*entries)[*n].hash, BATCH_HASH_BYTES);
        (*n)++;
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&db->sql, s, "listing batches", err);
    sqlite3_finalize(stmt);
    if (rc != DB_OK) {
        free(*entries);
        *entries = NULL;
        *n = 0;
    }
    return rc;
}

/* --- surveys --- */

int adb_survey_get(Adb *db, const char *id, uint32_t version, char **json, size_t *len,
                   DbError *err)
{
    *json = NULL;
    *len = 0;
    sqlite3_stmt *stmt;
    int rc =
        sqldb_prepare(&db->sql, "SELECT json FROM surveys WHERE survey_id = ? AND version = ?", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, version);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(stmt, 0);
        const unsigned char *t = sqlite3_column_text(stmt, 0);
        *json = malloc(n + 1);
        if (!*json) {
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
        } else {
            if (n)
                memcpy(*json, t, n);
            (*json)[n] = '\0';
            *len = n;
        }
    } else if (s != SQLITE_DONE) {
        rc = sqldb_error(&db->sql, s, "looking up a survey", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int adb_survey_add(Adb *db, const char *id, uint32_t version, const char *json, size_t len,
                   DbError *err)
{
    sqlite3_stmt *stmt;
    int rc =
        sqldb_prepare(&db->sql, "INSERT INTO surveys (survey_id, version, json) VALUES (?, ?, ?)", &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, version);
    sqlite3_bind_text(stmt, 3, json, (int)len, SQLITE_STATIC);
    return sqldb_step_done(&db->sql, stmt, "recording a survey", err);
}

/* --- sessions and responses --- */

int adb_session_get_or_add(Adb *db, int64_t kiosk, const BatchSession *bs, int64_t *id,
                           DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql,
                     "INSERT INTO sessions (kiosk_id, label, date, survey_id, survey_version) "
                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                     &stmt, err);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, kiosk);
    sqlite3_bind_text(stmt, 2, bs->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, bs->date, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, bs->survey_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 5, bs->survey_version);
    if ((rc = sqldb_step_done(&db->sql, stmt, "recording a session", err)) != DB_OK)
        return rc;
    if ((rc = sqldb_prepare(&db->sql,
                      "SELECT id FROM sessions WHERE kiosk_id = ?1 AND label = ?2 AND date = ?3 "
                      "AND survey_id = ?4 AND survey_version = ?5",
                      &stmt, err)) != DB_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, kiosk);
    sqlite3_bind_text(stmt, 2, bs->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, bs->date, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, bs->survey_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 5, bs->survey_version);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        *id = sqlite3_column_int64(stmt, 0);
    else
        rc = sqldb_error(&db->sql, s, "recording a session", err);
    sqlite3_finalize(stmt);
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void adb_response_ids(int64_t *ids, uint32_t n)
{
    /* one call for all of them: a call is a system call (getrandom), 10k were 2.5 ms */
    secmem_random(ids, (size_t)n * sizeof *ids);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t rnd = (uint64_t)ids[i];
        ids[i] = (int64_t)(rnd >> 1);
        if (ids[i] == 0)
            ids[i] = 1;
    }
    qsort(ids, n, sizeof *ids, cmp_id);
}

/* *stmt: head followed by rows copies of row (a VALUES tuple of parameters), prepared once
 * and kept while the number of rows stays the same (*have_rows). */
static int values_stmt(Adb *db, const char *head, const char *row, int rows, sqlite3_stmt **stmt,
                       int *have_rows, DbError *err)
{
    if (*stmt && *have_rows == rows)
        return DB_OK;
    sqlite3_finalize(*stmt);
    *stmt = NULL;
    *have_rows = 0;
    size_t hl = strlen(head), rl = strlen(row);
    char *sql = malloc(hl + (size_t)rows * (rl + 1) + 1);
    if (!sql)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    memcpy(sql, head, hl);
    size_t pos = hl;
    for (int i = 0; i < rows; i++, pos += rl + 1) {
        memcpy(sql + pos, row, rl);
        sql[pos + rl] = ',';
    }
    sql[pos - 1] = '\0'; /* the last comma */
    int rc = sqldb_prepare(&db->sql, sql, stmt, err);
    free(sql);
    if (rc == DB_OK)
        *have_rows = rows;
    return rc;
}

static const char ANSWERS_HEAD[] = "INSERT INTO answers (response_id, q_index, question_id, state, "
                                   "likert, options, text) VALUES ";
#define ANSWER_ROW "(?,?,?,?,?,?,?)"
#define ANSWER_PARAMS 7

/* Binds the n answers of r, under response id, to the parameters from base + 1 on. Each
 * parameter is bound once: the value, or NULL. */
static void bind_answers(sqlite3_stmt *stmt, int base, int64_t id, const DecodedResponse *r)
{
    for (int i = 0; i < r->n_answers; i++) {
        const DecodedAnswer *a = &r->answers[i];
        int p = base + i * ANSWER_PARAMS, given = a->state == ANSWER_GIVEN;
        sqlite3_bind_int64(stmt, p + 1, id);
        sqlite3_bind_int(stmt, p + 2, i);
        sqlite3_bind_text(stmt, p + 3, a->question_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, p + 4, (int)a->state);
        if (given && a->kind == SURVEY_LIKERT)
            sqlite3_bind_int(stmt, p + 5, a->likert);
        else
            sqlite3_bind_null(stmt, p + 5);
        if (given && (a->kind == SURVEY_SINGLE || a->kind == SURVEY_MULTI)) {
            char opts[SURVEY_MAX_OPTIONS * (SURVEY_MAX_ID + 1) + 1];
            size_t pos = 0;
            for (int o = 0; o < a->n_options && o < SURVEY_MAX_OPTIONS; o++) {
                size_t l = strlen(a->option_ids[o]);
                if (pos + (o > 0) + l >= sizeof opts)
                    break;
                if (o > 0)
                    opts[pos++] = ' ';
                memcpy(opts + pos, a->option_ids[o], l);
                pos += l;
            }
            sqlite3_bind_text(stmt, p + 6, opts, (int)pos, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(stmt, p + 6);
        }
        if (given && a->kind == SURVEY_TEXT && a->text)
            sqlite3_bind_text(stmt, p + 7, a->text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(stmt, p + 7);
    }
}

/* After the step: no pointer into a response outlives the call. The only ones are the
 * question ids and texts (SQLITE_STATIC); every other parameter is bound afresh next time. */
static void unbind_answers(sqlite3_stmt *stmt, int base, int n)
{
    for (int i = 0; i < n; i++) {
        sqlite3_bind_null(stmt, base + i * ANSWER_PARAMS + 3);
        sqlite3_bind_null(stmt, base + i * ANSWER_PARAMS + 7);
    }
}

int adb_response_add(Adb *db, int64_t session, int64_t id, const DecodedResponse *r,
                     DbError *err)
{
    int rc;
    int n = r->n_answers;
    if (n < 0 || n > SURVEY_MAX_QUESTIONS)
        return dberr_set(err, DB_EINVAL, "%s: a response with %d answers", db->path, n);
    if (!db->ins_response &&
        (rc = sqldb_prepare(&db->sql, "INSERT INTO responses (id, session_id, lang) VALUES (?, ?, ?)",
                      &db->ins_response, err)) != DB_OK)
        return rc;
    if (n > 0 && (rc = values_stmt(db, ANSWERS_HEAD, ANSWER_ROW, n, &db->ins_answers,
                                   &db->ins_answers_n, err)) != DB_OK)
        return rc;
    sqlite3_stmt *stmt = db->ins_response;
    /* The id given (adb_response_ids) or, if taken, a random one: the row order inside sqlite
     * never reflects the import order. */
    int s = SQLITE_CONSTRAINT;
    for (int attempt = 0; attempt < 4 && (s & 0xff) == SQLITE_CONSTRAINT; attempt++) {
        if (attempt > 0 || id <= 0)
            adb_response_ids(&id, 1);
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_int64(stmt, 2, session);
        sqlite3_bind_text(stmt, 3, r->lang, -1, SQLITE_STATIC);
        s = sqlite3_step(stmt);
    }
    rc = s == SQLITE_DONE ? DB_OK : sqldb_error(&db->sql, s, "storing a response", err);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc != DB_OK || n == 0)
        return rc;
    stmt = db->ins_answers;
    bind_answers(stmt, 0, id, r);
    s = sqlite3_step(stmt);
    rc = s == SQLITE_DONE ? DB_OK : sqldb_error(&db->sql, s, "storing an answer", err);
    sqlite3_reset(stmt);
    unbind_answers(stmt, 0, n);
    return rc;
}

int adb_responses_add(Adb *db, const int64_t *sessions, const int64_t *ids,
                      DecodedResponse *const *rs, int k, DbError *err)
{
    int n = k > 0 ? rs[0]->n_answers : 0;
    int group = k > 1 && k <= ADB_RESPONSES_MAX && n > 0 && n <= SURVEY_MAX_QUESTIONS &&
                (long)k * n * ANSWER_PARAMS <=
                    (long)sqlite3_limit(db->sql.db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    for (int j = 0; group && j < k; j++)
        group = rs[j]->n_answers == n && ids[j] > 0;
    int rc = DB_OK;
    if (group)
        rc = values_stmt(db, "INSERT INTO responses (id, session_id, lang) VALUES ", "(?,?,?)", k,
                         &db->grp_responses, &db->grp_k, err);
    if (group && rc == DB_OK)
        rc = values_stmt(db, ANSWERS_HEAD, ANSWER_ROW, k * n, &db->grp_answers, &db->grp_rows,
                         err);
    if (rc != DB_OK)
        return rc;
    int s = SQLITE_CONSTRAINT;
    if (group) {
        sqlite3_stmt *stmt = db->grp_responses;
        for (int j = 0; j < k; j++) {
            sqlite3_bind_int64(stmt, 3 * j + 1, ids[j]);
            sqlite3_bind_int64(stmt, 3 * j + 2, sessions[j]);
            sqlite3_bind_text(stmt, 3 * j + 3, rs[j]->lang, -1, SQLITE_STATIC);
        }
        s = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
    /* Not one group, or an id taken (the statement added none of them): one at a time, each
     * taken id replaced by a fresh one. */
    if ((s & 0xff) == SQLITE_CONSTRAINT) {
        for (int j = 0; j < k && rc == DB_OK; j++)
            rc = adb_response_add(db, sessions[j], ids[j], rs[j], err);
        return rc;
    }
    if (s != SQLITE_DONE)
        return sqldb_error(&db->sql, s, "storing a response", err);
    sqlite3_stmt *stmt = db->grp_answers;
    for (int j = 0; j < k; j++)
        bind_answers(stmt, j * n * ANSWER_PARAMS, ids[j], rs[j]);
    s = sqlite3_step(stmt);
    rc = s == SQLITE_DONE ? DB_OK : sqldb_error(&db->sql, s, "storing an answer", err);
    sqlite3_reset(stmt);
    for (int j = 0; j < k; j++)
        unbind_answers(stmt, j * n * ANSWER_PARAMS, n);
    return rc;
}

/* --- status --- */

void adb_status_free(AdbStatus *st)
{
    if (!st)
        return;
    for (int i = 0; i < st->n_kiosks; i++) {
        free(st->kiosks[i].batches);
        free(st->kiosks[i].prev);
        free(st->kiosks[i].records);
        free(st->kiosks[i].replays);
        free(st->kiosks[i].recipients);
    }
    free(st->kiosks);
    free(st->sessions);
    memset(st, 0, sizeof *st);
}

static void copy_text(sqlite3_stmt *stmt, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(stmt, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int adb_status(Adb *db, AdbStatus *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt = NULL;
    int rc = sqldb_prepare(&db->sql, "SELECT id, fingerprint, trusted, label FROM kiosks ORDER BY fingerprint",
                     &stmt, err);
    int s;
    int64_t *ids = NULL;
    while (rc == DB_OK && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        AdbStatusKiosk *k = realloc(out->kiosks, ((size_t)out->n_kiosks + 1) * sizeof *k);
        int64_t *ni = realloc(ids, ((size_t)out->n_kiosks + 1) * sizeof *ni);
        if (k)
            out->kiosks = k;
        if (ni)
            ids = ni;
        if (!k || !ni) {
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
            break;
        }
        k = &out->kiosks[out->n_kiosks];
        memset(k, 0, sizeof *k);
        ids[out->n_kiosks] = sqlite3_column_int64(stmt, 0);
        copy_text(stmt, 1, k->fingerprint, sizeof k->fingerprint);
        k->trusted = sqlite3_column_int(stmt, 2);
        copy_text(stmt, 3, k->label, sizeof k->label);
        out->n_kiosks++;
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&db->sql, s, "listing kiosks", err);
    sqlite3_finalize(stmt);
    stmt = NULL;
    for (int i = 0; rc == DB_OK && i < out->n_kiosks; i++) {
        AdbStatusKiosk *k = &out->kiosks[i];
        rc = sqldb_prepare(
            &db->sql,
            "SELECT number, hash, prev_hash, n_records, replays, recipients FROM batches WHERE "
            "kiosk_id = ? "
            "ORDER BY number",
            &stmt, err);
        if (rc != DB_OK)
            break;
        sqlite3_bind_int64(stmt, 1, ids[i]);
        while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
            size_t n = k->n_batches + 1;
            AckEntry *b = realloc(k->batches, n * sizeof *b);
            if (b)
                k->batches = b;
            uint8_t(*pv)[BATCH_HASH_BYTES] = realloc(k->prev, n * sizeof *pv);
            if (pv)
                k->prev = pv;
            int64_t *r = realloc(k->records, n * sizeof *r);
            if (r)
                k->records = r;
            int64_t *rp = realloc(k->replays, n * sizeof *rp);
            if (rp)
                k->replays = rp;
            char(*rcp)[ADB_RECIPIENTS_SIZE] = realloc(k->recipients, n * sizeof *rcp);
            if (rcp)
                k->recipients = rcp;
            if (!b || !pv || !r || !rp || !rcp) {
                rc = dberr_set(err, DB_ENOMEM, "out of memory");
                break;
            }
            k->batches[k->n_batches].number = (uint64_t)sqlite3_column_int64(stmt, 0);
            copy_blob(stmt, 1, k->batches[k->n_batches].hash, BATCH_HASH_BYTES);
            copy_blob(stmt, 2, k->prev[k->n_batches], BATCH_HASH_BYTES);
            k->records[k->n_batches] = sqlite3_column_int64(stmt, 3);
            k->replays[k->n_batches] = sqlite3_column_int64(stmt, 4);
            copy_text(stmt, 5, k->recipients[k->n_batches], ADB_RECIPIENTS_SIZE);
            k->n_batches++;
        }
        if (rc == DB_OK && s != SQLITE_DONE)
            rc = sqldb_error(&db->sql, s, "listing batches", err);
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    free(ids);
    if (rc == DB_OK)
        rc = sqldb_prepare(&db->sql,
                     "SELECT s.survey_id, s.survey_version, s.label, s.date, count(r.id) "
                     "FROM sessions s LEFT JOIN responses r ON r.session_id = s.id "
                     "GROUP BY s.survey_id, s.survey_version, s.label, s.date "
                     "ORDER BY s.survey_id, s.survey_version, s.date, s.label",
                     &stmt, err);
    while (rc == DB_OK && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        AdbStatusSession *ss = realloc(out->sessions, ((size_t)out->n_sessions + 1) * sizeof *ss);
        if (!ss) {
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
            break;
        }
        out->sessions = ss;
        ss = &out->sessions[out->n_sessions++];
        copy_text(stmt, 0, ss->survey_id, sizeof ss->survey_id);
        ss->survey_version = (uint32_t)sqlite3_column_int64(stmt, 1);
        copy_text(stmt, 2, ss->label, sizeof ss->label);
        copy_text(stmt, 3, ss->date, sizeof ss->date);
        ss->responses = sqlite3_column_int64(stmt, 4);
    }
    if (rc == DB_OK && stmt && s != SQLITE_DONE)
        rc = sqldb_error(&db->sql, s, "listing sessions", err);
    sqlite3_finalize(stmt);
    if (rc != DB_OK)
        adb_status_free(out);
    return rc;
}

/* --- loading --- */

static void survey_data_free(AdbSurveyData *sd)
{
    if (sd->cells && sd->survey) {
        size_t n = (size_t)sd->n_responses * (size_t)sd->survey->n_questions;
        for (size_t i = 0; i < n; i++) {
            if (sd->cells[i].text) {
                secmem_wipe(sd->cells[i].text, strlen(sd->cells[i].text));
                free(sd->cells[i].text);
            }
        }
        secmem_wipe(sd->cells, n * sizeof *sd->cells);
    }
    free(sd->cells);
    free(sd->responses);
    free(sd->sessions);
    survey_free(sd->survey);
    memset(sd, 0, sizeof *sd);
}

void adb_data_free(AdbData *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_surveys; i++)
        survey_data_free(&d->surveys[i]);
    free(d->surveys);
    memset(d, 0, sizeof *d);
}

/* Maps option ids separated by spaces to a bit mask (or the first index for single). */
static int map_options(const SurveyQuestion *q, const char *ids, uint32_t *mask, int *first)
{
    *mask = 0;
    *first = -1;
    while (ids && *ids) {
        size_t len = strcspn(ids, " ");
        char one[SURVEY_MAX_ID + 1];
        if (len == 0 || len > SURVEY_MAX_ID)
            return -1;
        memcpy(one, ids, len);
        one[len] = '\0';
        int o = survey_find_option(q, one);
        if (o < 0)
            return -1;
        *mask |= 1u << o;
        if (*first < 0)
            *first = o;
        ids += len;
        while (*ids == ' ')
            ids++;
    }
    return 0;
}

/* Sets every cell's shown flag with the survey's own rule (response_visible), so that an
 * unanswered question reads as skipped or as not shown. */
static int mark_shown(AdbSurveyData *sd, DbError *err)
{
    const Survey *sv = sd->survey;
    Response *r = NULL;
    int rc = response_new(sv, 0, &r, err);
    if (rc != DB_OK)
        return rc;
    for (int i = 0; i < sd->n_responses; i++) {
        AdbCell *cells = sd->responses[i].cells;
        for (int q = 0; q < sv->n_questions; q++) {
            r->answers[q].state = cells[q].state;
            r->answers[q].value = cells[q].value;
            r->answers[q].chosen = cells[q].chosen;
        }
        for (int q = 0; q < sv->n_questions; q++)
            cells[q].shown = sv->questions[q].show_if_question < 0 || response_visible(r, q);
    }
    for (int q = 0; q < sv->n_questions; q++) {
        r->answers[q].state = ANSWER_NONE;
        r->answers[q].value = 0;
        r->answers[q].chosen = 0;
    }
    response_free(r);
    return DB_OK;
}

static int load_one(Adb *db, const char *sid, uint32_t version, AdbSurveyData *sd, DbError *err)
{
    char *json;
    size_t json_len;
    int rc = adb_survey_get(db, sid, version, &json, &json_len, err);
    if (rc != DB_OK)
        return rc;
    if (!json)
        return dberr_set(err, DB_ENOENT, "%s: survey %s version %u is not in the database",
                         db->path, sid, version);
    char name[96];
    snprintf(name, sizeof name, "%s (v%u, stored)", sid, version);
    rc = survey_load_buffer(name, json, json_len, &sd->survey, err);
    free(json);
    if (rc != DB_OK)
        return rc;
    const Survey *sv = sd->survey;
    size_t nq = (size_t)sv->n_questions;

    /* sessions: label + date, merged across kiosks */
    sqlite3_stmt *stmt;
    if ((rc = sqldb_prepare(&db->sql,
                      "SELECT DISTINCT label, date FROM sessions WHERE survey_id = ? AND "
                      "survey_version = ? ORDER BY date, label",
                      &stmt, err)) != DB_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, sid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, version);
    int s;
    while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
        AdbSession *p = realloc(sd->sessions, ((size_t)sd->n_sessions + 1) * sizeof *p);
        if (!p) {
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
            break;
        }
        sd->sessions = p;
        copy_text(stmt, 0, p[sd->n_sessions].label, sizeof p->label);
        copy_text(stmt, 1, p[sd->n_sessions].date, sizeof p->date);
        sd->n_sessions++;
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&db->sql, s, "loading sessions", err);
    sqlite3_finalize(stmt);
    if (rc != DB_OK)
        return rc;

    /* responses */
    if ((rc = sqldb_prepare(&db->sql,
                      "SELECT count(*) FROM responses r JOIN sessions s ON r.session_id = s.id "
                      "WHERE s.survey_id = ? AND s.survey_version = ?",
                      &stmt, err)) != DB_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, sid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, version);
    int64_t total = 0;
    if ((s = sqlite3_step(stmt)) == SQLITE_ROW)
        total = sqlite3_column_int64(stmt, 0);
    else
        rc = sqldb_error(&db->sql, s, "counting responses", err);
    sqlite3_finalize(stmt);
    if (rc != DB_OK)
        return rc;
    if (total > INT32_MAX / (int64_t)(nq ? nq : 1))
        return dberr_set(err, DB_ELIMIT, "%s: too many responses to load", db->path);
    sd->responses = calloc((size_t)total ? (size_t)total : 1, sizeof *sd->responses);
    size_t n_cells = (size_t)total * nq;
    sd->cells = calloc(n_cells ? n_cells : 1, sizeof *sd->cells);
    if (!sd->responses || !sd->cells)
        return dberr_set(err, DB_ENOMEM, "out of memory");

    if ((rc = sqldb_prepare(&db->sql,
                      "SELECT r.id, s.label, s.date, r.lang, a.q_index, a.question_id, a.state, "
                      "a.likert, a.options, a.text FROM responses r "
                      "JOIN sessions s ON r.session_id = s.id "
                      "JOIN answers a ON a.response_id = r.id "
                      "WHERE s.survey_id = ? AND s.survey_version = ? ORDER BY r.id, a.q_index",
                      &stmt, err)) != DB_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, sid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, version);
    int64_t current = 0;
    while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t rid = sqlite3_column_int64(stmt, 0);
        if (rid != current || sd->n_responses == 0) {
            if (sd->n_responses >= total) {
                rc = dberr_set(err, DB_EIO, "%s: responses changed while loading", db->path);
                break;
            }
            current = rid;
            AdbResponse *r = &sd->responses[sd->n_responses];
            r->cells = &sd->cells[(size_t)sd->n_responses * nq];
            sd->n_responses++;
            const char *label = (const char *)sqlite3_column_text(stmt, 1);
            const char *date = (const char *)sqlite3_column_text(stmt, 2);
            r->session = 0;
            for (int i = 0; i < sd->n_sessions; i++) {
                if (strcmp(sd->sessions[i].label, label ? label : "") == 0 &&
                    strcmp(sd->sessions[i].date, date ? date : "") == 0) {
                    r->session = i;
                    break;
                }
            }
            copy_text(stmt, 3, r->lang, sizeof r->lang);
        }
        AdbResponse *r = &sd->responses[sd->n_responses - 1];
        int qi = sqlite3_column_int(stmt, 4);
        const char *qid = (const char *)sqlite3_column_text(stmt, 5);
        if (qi < 0 || (size_t)qi >= nq || !qid || strcmp(sv->questions[qi].id, qid) != 0) {
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: an answer does not match question %d of survey "
                           "%s version %u",
                           db->path, qi, sid, version);
            break;
        }
        const SurveyQuestion *q = &sv->questions[qi];
        AdbCell *c = &r->cells[qi];
        c->state = (AnswerState)sqlite3_column_int(stmt, 6);
        if (c->state != ANSWER_GIVEN)
            continue;
        int bad = 0;
        if (q->kind == SURVEY_LIKERT) {
            c->value = sqlite3_column_int(stmt, 7);
            bad = c->value < 1 || c->value > q->scale;
        } else if (q->kind == SURVEY_SINGLE || q->kind == SURVEY_MULTI) {
            int first;
            bad =
                map_options(q, (const char *)sqlite3_column_text(stmt, 8), &c->chosen, &first) != 0;
            c->value = first;
            if (q->kind == SURVEY_SINGLE)
                bad = bad || first < 0;
        } else {
            const unsigned char *t = sqlite3_column_text(stmt, 9);
            size_t n = (size_t)sqlite3_column_bytes(stmt, 9);
            c->text = malloc(n + 1);
            if (!c->text) {
                rc = dberr_set(err, DB_ENOMEM, "out of memory");
                break;
            }
            if (n)
                memcpy(c->text, t, n);
            c->text[n] = '\0';
        }
        if (bad) {
            rc = dberr_set(err, DB_EFORMAT, "%s: an answer to %s does not fit survey %s version %u",
                           db->path, q->id, sid, version);
            break;
        }
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&db->sql, s, "loading responses", err);
    sqlite3_finalize(stmt);
    if (rc == DB_OK)
        rc = mark_shown(sd, err);
    return rc;
}

int adb_load(Adb *db, const char *survey_id, uint32_t version, AdbData *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(&db->sql,
                     "SELECT DISTINCT s.survey_id, s.survey_version FROM sessions s "
                     "WHERE (?1 IS NULL OR s.survey_id = ?1) AND (?2 = 0 OR s.survey_version = ?2) "
                     "ORDER BY s.survey_id, s.survey_version",
                     &stmt, err);
    if (rc != DB_OK)
        return rc;
    if (survey_id)
        sqlite3_bind_text(stmt, 1, survey_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 1);
    sqlite3_bind_int64(stmt, 2, version);
    char(*ids)[SURVEY_MAX_ID + 1] = NULL;
    uint32_t *versions = NULL;
    int n = 0, s;
    while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
        void *a = realloc(ids, ((size_t)n + 1) * sizeof *ids);
        if (a)
            ids = a;
        void *b = realloc(versions, ((size_t)n + 1) * sizeof *versions);
        if (b)
            versions = b;
        if (!a || !b) {
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
            break;
        }
        copy_text(stmt, 0, ids[n], sizeof ids[n]);
        versions[n] = (uint32_t)sqlite3_column_int64(stmt, 1);
        n++;
    }
    if (rc == DB_OK && s != SQLITE_DONE)
        rc = sqldb_error(&db->sql, s, "listing surveys", err);
    sqlite3_finalize(stmt);
    if (rc == DB_OK && n > 0) {
        out->surveys = calloc((size_t)n, sizeof *out->surveys);
        if (!out->surveys)
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
    }
    for (int i = 0; rc == DB_OK && i < n; i++) {
        out->n_surveys++;
        rc = load_one(db, ids[i], versions[i], &out->surveys[i], err);
    }
    free(ids);
    free(versions);
    if (rc != DB_OK)
        adb_data_free(out);
    return rc;
}
