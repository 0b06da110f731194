/* sqldb: the sqlite helpers the kiosk's store (app/store) and the analyst's database
 * (app/analysis) share: errors mapped to DB_* codes with a message that names the database,
 * statements, transactions and the loop over a statement's rows. Only app/sqldb, app/store and
 * app/analysis include <sqlite3.h>.
 *
 * A SqlDb is the connection and the words its messages use; its owner opens and closes the
 * connection. Every function that can fail fills a caller-owned DbError.
 */
#ifndef DEBRIEF_SQLDB_H
#define DEBRIEF_SQLDB_H

#include <sqlite3.h>

#include <stdint.h>

#include "dberr.h"

typedef struct SqlDb {
    sqlite3 *db;
    const char *path;      /* the database file, first in every message */
    const char *kind;      /* "a Debrief database", "a Debrief analysis database" */
    const char *when_full; /* what a full disk leaves: "nothing stored was lost" */
} SqlDb;

/* Maps sqlite result rc to a DB_* code and a message: a full disk (DB_ENOSPC), a read-only
 * file or directory, a busy database (another process), a file that is not kind or is
 * damaged, or sqlite's own words; what is what was being done ("storing the response"). */
int sqldb_error(const SqlDb *d, int rc, const char *what, DbError *err);

int sqldb_exec(const SqlDb *d, const char *sql, const char *what, DbError *err);

/* *stmt is NULL on failure. */
int sqldb_prepare(const SqlDb *d, const char *sql, sqlite3_stmt **stmt, DbError *err);

/* BEGIN IMMEDIATE; COMMIT, rolling back if it fails; ROLLBACK if a transaction is still open
 * (sqlite may already have rolled back after an error such as SQLITE_FULL). */
int sqldb_begin(const SqlDb *d, DbError *err);
int sqldb_commit(const SqlDb *d, const char *what, DbError *err);
void sqldb_rollback(const SqlDb *d);

/* Steps stmt, which must finish without rows, and finalizes it. */
int sqldb_step_done(const SqlDb *d, sqlite3_stmt *stmt, const char *what, DbError *err);

/* Steps stmt and calls row(stmt, ctx) for each row until it returns non-zero (a stop, not an
 * error: DB_OK) or the rows end; then finalizes stmt. A failed step is sqldb_error's. */
int sqldb_each_row(const SqlDb *d, sqlite3_stmt *stmt, int (*row)(sqlite3_stmt *stmt, void *ctx),
                   void *ctx, const char *what, DbError *err);

/* The one integer of a query such as SELECT count(*) (bound with nothing): *n. */
int sqldb_get_int64(const SqlDb *d, const char *sql, int64_t *n, const char *what, DbError *err);

/* The database's schema version (PRAGMA user_version). */
int sqldb_user_version(const SqlDb *d, int *version, DbError *err);

#endif
