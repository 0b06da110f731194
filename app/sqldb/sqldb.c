/* sqldb: sqlite helpers shared by the store and the analysis database (sqldb.h). */
#include "sqldb.h"

#include <errno.h>
#include <stddef.h>

int sqldb_error(const SqlDb *d, int rc, const char *what, DbError *err)
{
    int prim = rc & 0xff;
    const char *msg = d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc);
    int sys = d->db ? sqlite3_system_errno(d->db) : 0;
    if (prim == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT)
        return dberr_set(err, DB_ENOSPC, "%s: disk full while %s; %s", d->path, what, d->when_full);
    if (prim == SQLITE_READONLY || sys == EROFS || sys == EACCES || sys == EPERM)
        return dberr_set(err, DB_EIO,
                         "%s: the database is read-only while %s (check the permissions of "
                         "the directory and its files)",
                         d->path, what);
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return dberr_set(err, DB_EIO,
                         "%s: the database is busy (another Debrief process is using it) while "
                         "%s",
                         d->path, what);
    if (prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT)
        return dberr_set(err, DB_EIO, "%s: not %s, or damaged: %s", d->path, d->kind, msg);
    return dberr_set(err, DB_EIO, "%s: %s: %s", d->path, what, msg);
}

int sqldb_exec(const SqlDb *d, const char *sql, const char *what, DbError *err)
{
    int s = sqlite3_exec(d->db, sql, NULL, NULL, NULL);
    return s == SQLITE_OK ? DB_OK : sqldb_error(d, s, what, err);
}

int sqldb_prepare(const SqlDb *d, const char *sql, sqlite3_stmt **stmt, DbError *err)
{
    int s = sqlite3_prepare_v2(d->db, sql, -1, stmt, NULL);
    if (s == SQLITE_OK)
        return DB_OK;
    *stmt = NULL;
    return sqldb_error(d, s, "preparing a query", err);
}

int sqldb_begin(const SqlDb *d, DbError *err)
{
    return sqldb_exec(d, "BEGIN IMMEDIATE", "starting a transaction", err);
}

void sqldb_rollback(const SqlDb *d)
{
    if (!sqlite3_get_autocommit(d->db))
        sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
}

int sqldb_commit(const SqlDb *d, const char *what, DbError *err)
{
    int rc = sqldb_exec(d, "COMMIT", what, err);
    if (rc != DB_OK)
        sqldb_rollback(d);
    return rc;
}

int sqldb_step_done(const SqlDb *d, sqlite3_stmt *stmt, const char *what, DbError *err)
{
    int s = sqlite3_step(stmt);
    int rc = s == SQLITE_DONE ? DB_OK : sqldb_error(d, s, what, err);
    sqlite3_finalize(stmt);
    return rc;
}

int sqldb_each_row(const SqlDb *d, sqlite3_stmt *stmt, int (*row)(sqlite3_stmt *stmt, void *ctx),
                   void *ctx, const char *what, DbError *err)
{
    int s;
    while ((s = sqlite3_step(stmt)) == SQLITE_ROW)
        if (row(stmt, ctx) != 0) {
            s = SQLITE_DONE;
            break;
        }
    int rc = s == SQLITE_DONE ? DB_OK : sqldb_error(d, s, what, err);
    sqlite3_finalize(stmt);
    return rc;
}

int sqldb_get_int64(const SqlDb *d, const char *sql, int64_t *n, const char *what, DbError *err)
{
    sqlite3_stmt *stmt;
    int rc = sqldb_prepare(d, sql, &stmt, err);
    if (rc != DB_OK)
        return rc;
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        *n = sqlite3_column_int64(stmt, 0);
    else
        rc = sqldb_error(d, s, what, err);
    sqlite3_finalize(stmt);
    return rc;
}

int sqldb_user_version(const SqlDb *d, int *version, DbError *err)
{
    int64_t v = 0;
    int rc = sqldb_get_int64(d, "PRAGMA user_version", &v, "reading the schema version", err);
    if (rc == DB_OK)
        *version = (int)v;
    return rc;
}
