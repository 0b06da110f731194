/* store: the kiosk's encrypted response store (sqlite3).
 *
 * The database (DIR/debrief.db) holds only sealed response records and the bookkeeping a
 * coordinator already sees: sessions (label, date, survey, expected attendance, open or
 * closed) and counts. It never holds plaintext answers.
 *
 * Settings: WAL journal, synchronous=FULL (store_response_put returns only after the commit
 * is durable, so the kiosk can say "thank you" truthfully), secure_delete=ON, foreign keys.
 * The schema version lives in PRAGMA user_version and is migrated forward on open; a database
 * from a newer Debrief is refused rather than damaged.
 *
 * Responses carry no insertion order: each gets a random 16-byte key in a WITHOUT ROWID
 * table, so neither rowids nor iteration order reveal who answered when.
 *
 * A Store is used from one thread. Free with store_close.
 */
#ifndef DEBRIEF_STORE_H
#define DEBRIEF_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"

#define STORE_SCHEMA_VERSION 1
#define STORE_DB_NAME "debrief.db"

typedef struct Store Store;

typedef struct StoreSession {
    int64_t id;
    char label[65];          /* coordinator-entered, e.g. "Group 2" */
    char date[11];           /* "YYYY-MM-DD", coordinator-entered */
    char survey_id[33];
    uint32_t survey_version;
    int expected;            /* expected attendance: cap on responses; 0 = no cap */
    int open;                /* 1 while collecting */
    int64_t responses;       /* responses stored for this session */
} StoreSession;

/* Opens (creating if needed) DIR/debrief.db; DIR must exist. Applies pragmas and
 * migrations. DB_EIO with the sqlite message if the file is not a database or unreadable. */
int store_open(const char *dir, Store **out, DbError *err);

/* Closes; NULL is a no-op. */
void store_close(Store *st);

/* Opens a new session; fails with DB_ESTATE if one is already open. */
int store_session_open(Store *st, const char *label, const char *date, const char *survey_id,
                       uint32_t survey_version, int expected, int64_t *id, DbError *err);

/* Closes the open session (DB_ESTATE if none). */
int store_session_close(Store *st, DbError *err);

/* Fills *out with the open session; *found = 0 if none is open. */
int store_session_current(Store *st, StoreSession *out, int *found, DbError *err);

/* Fills *out with session id (DB_ENOENT if there is none). */
int store_session_get(Store *st, int64_t id, StoreSession *out, DbError *err);

/* Calls fn for every session, oldest first; stops early if fn returns non-zero. */
int store_session_foreach(Store *st, int (*fn)(const StoreSession *s, void *ctx), void *ctx,
                          DbError *err);

/* Stores one sealed record for session_id in one durable transaction. DB_ESTATE if the
 * session is not open or its expected attendance is reached; DB_ENOSPC on a full disk
 * (nothing stored, the database intact). */
int store_response_put(Store *st, int64_t session_id, const uint8_t *record, size_t len,
                       DbError *err);

/* Number of responses in session_id, or in all sessions if session_id < 0. */
int store_response_count(Store *st, int64_t session_id, int64_t *n, DbError *err);

/* Calls fn with each sealed record of session_id (order: by random key, i.e. unrelated to
 * insertion); stops early if fn returns non-zero. The record pointer is valid only during
 * the call. */
int store_response_foreach(Store *st, int64_t session_id,
                           int (*fn)(const uint8_t *rec, size_t len, void *ctx), void *ctx,
                           DbError *err);

#endif
