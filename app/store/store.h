/* store: the kiosk's encrypted response store.
 *
 * DIR/debrief.db (sqlite3) holds the bookkeeping a coordinator already sees: sessions (label,
 * date, survey, expected attendance, open or closed), batches and which responses they hold,
 * and a few kiosk values. The sealed records themselves live in DIR/records-NNk.dat (slots.h):
 * each is written in place into a uniformly random, preallocated slot, so that neither the
 * files nor the card under them keep the order or the time of submissions; nothing about a
 * submission goes into the database. Plaintext answers are never stored.
 *
 * Settings: WAL journal, synchronous=FULL, secure_delete=ON, foreign keys. The schema version
 * lives in PRAGMA user_version and is migrated forward on open (version 3 moved the records
 * out of the database); a database from a newer Debrief is refused rather than damaged.
 * store_response_put returns only once the record is synced, so the kiosk can say "thank
 * you" truthfully.
 *
 * Responses carry no insertion order: each gets a random 16-byte key and a random slot.
 *
 * A Store is used from one thread. Free with store_close.
 */
#ifndef DEBRIEF_STORE_H
#define DEBRIEF_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"
#include "session_fields.h"

#define STORE_SCHEMA_VERSION 3
#define STORE_DB_NAME "debrief.db"

typedef struct Store Store;

typedef struct StoreSession {
    int64_t id;
    char label[SESSION_LABEL_MAX + 1]; /* coordinator-entered, e.g. "Group 2" */
    char date[SESSION_DATE_LEN + 1];   /* "YYYY-MM-DD", coordinator-entered */
    char survey_id[SESSION_ID_MAX + 1];
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

/* A process keeps one Store per data directory and passes it to whatever needs the database
 * (the kiosk's admin operations included): only SQLite opens the database files, because a
 * plain open() and close() of them drops the POSIX locks of every connection the process
 * holds, and another process may then delete the live WAL.
 *
 * store_check_live confirms that this connection still writes to the live database: that
 * neither DIR/debrief.db nor the -wal and -shm files it holds open were deleted or replaced
 * (a commit into a deleted WAL reaches no file anyone will read again). DB_EIO naming the
 * file if they were. Call it after a commit and before telling anyone it is saved. */
int store_check_live(Store *st, DbError *err);

/* A number that changes whenever another connection commits (PRAGMA data_version): cheap
 * enough to poll every second to notice a session opened or closed from a shell. */
int store_data_version(Store *st, uint32_t *version, DbError *err);

/* Opens a new session; fails with DB_ESTATE if one is already open. First reserves free
 * record slots for it (max(STORE_SESSION_SLOTS, 4 x expected), of the size the kiosk
 * recorded), so that the record file does not grow while people answer: DB_ENOSPC (a full
 * disk) or DB_ELIMIT (STORE_MAX_SLOTS, see store_reserve), and no session, if there is not
 * room for them. expected is 0 (no cap) to STORE_MAX_EXPECTED. */
#define STORE_SESSION_SLOTS 256
#define STORE_MAX_EXPECTED 10000 /* its reservation, 4 x expected, fits STORE_MAX_SLOTS */
int store_session_open(Store *st, const char *label, const char *date, const char *survey_id,
                       uint32_t survey_version, int expected, int64_t *id, DbError *err);

/* Closes the open session (DB_ESTATE if none). Call store_compact afterwards. */
int store_session_close(Store *st, DbError *err);

/* Fills *out with the open session; *found = 0 if none is open. */
int store_session_current(Store *st, StoreSession *out, int *found, DbError *err);

/* Fills *out with session id (DB_ENOENT if there is none). */
int store_session_get(Store *st, int64_t id, StoreSession *out, DbError *err);

/* Calls fn for every session, oldest first; stops early if fn returns non-zero. */
int store_session_foreach(Store *st, int (*fn)(const StoreSession *s, void *ctx), void *ctx,
                          DbError *err);

/* Stores one sealed record for session_id: written into a random free slot and synced
 * before it returns. DB_ESTATE if the session is not open or its expected attendance is
 * reached. A slot file with no free slot grows by a chunk first (DB_ENOSPC on a full disk:
 * nothing stored, nothing lost); store_reserve avoids that while participants answer. */
int store_response_put(Store *st, int64_t session_id, const uint8_t *record, size_t len,
                       DbError *err);

/* The most record slots a store makes room for ahead (store_reserve): each process that
 * opens the store keeps an index of every slot in memory (about 90 bytes a slot in the
 * kiosk, 130 in an export with its list of exported keys), so this bounds the memory of the
 * kiosk and of an export (bench_kiosk and bench_export measure their peak RSS with this many
 * stored; docs/PERFORMANCE.md). 65,536 responses are a century of weekly sessions of ten.
 * What can pass it: a session that outgrows its own reservation (a put never fails for the
 * limit: an answer is never refused for its sake), two processes reserving at the same
 * moment, and the free slots of files for record sizes no longer in use (store_reserve). */
#define STORE_MAX_SLOTS 65536u

/* Makes sure at least min_free slots for records of record_len bytes are free, growing the
 * file by chunks of random bytes (the slot file is created if needed). A kiosk calls it when
 * it starts and a session opens, so that the file does not grow while people answer.
 * DB_ELIMIT, growing (or making) nothing, if that would pass STORE_MAX_SLOTS: this file's
 * slots after growing and the slots taken in the others (free slots of files for other
 * record sizes, which no longer grow, do not count); the message says how many responses
 * are stored and that acknowledged batches free their room. */
int store_reserve(Store *st, size_t record_len, uint32_t min_free, DbError *err);

/* Writes random bytes into a random free slot for records of record_len bytes, with exactly
 * the writes and the sync a store_response_put makes. A kiosk that commits at a steady
 * cadence calls it at every tick that carries no response, so that the card shows the same
 * write at every tick whether or not anyone submitted. No-op without a slot file. */
int store_cover_write(Store *st, size_t record_len, DbError *err);

/* Reads again what other processes changed in the record files (slots freed by an
 * acknowledgement, chunks added at a session open, new files). */
int store_refresh(Store *st, DbError *err);

/* Number of responses in session_id, or in all sessions if session_id < 0. */
int store_response_count(Store *st, int64_t session_id, int64_t *n, DbError *err);

/* Calls fn with each sealed record of session_id (order: by slot, which is random, i.e.
 * unrelated to insertion); stops early if fn returns non-zero. The record pointer is valid
 * only during the call. A record that does not match its checksum is DB_EFORMAT. */
int store_response_foreach(Store *st, int64_t session_id,
                           int (*fn)(const uint8_t *rec, size_t len, void *ctx), void *ctx,
                           DbError *err);

/* --- export bookkeeping (app/coord) ---
 *
 * A batch moves through two states. store_batch_add records it as *pending*: its number,
 * hash and chain link, and for every response it holds, its position in the shuffled
 * order (a narrow row of its own per response, schema version 2: the records are not
 * rewritten), all in one transaction, before the file is moved into place. Once the file was written and
 * read back, store_batch_set_written marks it *written*. A pending batch left by a crash is
 * rebuilt from the same responses in the same positions, so a retry writes the identical
 * bytes. A batch is *acknowledged* once the analysis side confirmed it (store_batch_purge);
 * its responses are then deleted and only the bookkeeping row stays.
 */

#define STORE_KEY_BYTES 16  /* random response key */
#define STORE_HASH_BYTES 32 /* batch hash (BLAKE2b-256), see batch.h */

typedef struct StoreBatch {
    uint64_t number;                     /* 1, 2, ... */
    uint8_t prev_hash[STORE_HASH_BYTES]; /* all zero for batch 1 */
    uint8_t hash[STORE_HASH_BYTES];
    int64_t records;                     /* responses in the batch when it was made */
    int64_t held;                        /* responses still stored (0 once acknowledged) */
    int written;                         /* the file was written and verified */
    int acknowledged;                    /* acknowledged and purged */
} StoreBatch;

/* Calls fn with each response of session_id not yet in any batch, in slot order (which is
 * random: slots.h). The key and record pointers are valid only during the call; stops early
 * if fn returns non-zero. */
int store_unexported_foreach(Store *st, int64_t session_id,
                             int (*fn)(const uint8_t key[STORE_KEY_BYTES], const uint8_t *rec,
                                       size_t len, void *ctx),
                             void *ctx, DbError *err);

/* Like store_unexported_foreach, without reading the records: each response's key, session
 * and record length; session_id < 0: every session's, in one pass. */
int store_unexported_keys_foreach(Store *st, int64_t session_id,
                                  int (*fn)(const uint8_t key[STORE_KEY_BYTES], int64_t session_id,
                                            size_t len, void *ctx),
                                  void *ctx, DbError *err);

/* Calls fn once with the session id and sealed record of the response with this key (the
 * pointer valid only during the call). DB_ENOENT if no response has the key. The query is
 * prepared once per Store, so reading many records one by one is cheap. */
int store_response_read(Store *st, const uint8_t key[STORE_KEY_BYTES],
                        int (*fn)(int64_t session_id, const uint8_t *rec, size_t len, void *ctx),
                        void *ctx, DbError *err);

/* Calls fn with the key, session id and record length of each response still held in batch
 * number, in its recorded position order (store_response_read fetches the records). */
int store_batch_members_foreach(Store *st, uint64_t number,
                                int (*fn)(const uint8_t key[STORE_KEY_BYTES], int64_t session_id,
                                          size_t len, void *ctx),
                                void *ctx, DbError *err);

/* Records batch b (number, prev_hash, hash; b->records must equal n) as pending, with
 * response keys[i] at position i, in one transaction. DB_EEXIST if the number is taken,
 * DB_ESTATE if b->number is not one more than the last batch, or a key is unknown or
 * already in a batch (then nothing changes). */
int store_batch_add(Store *st, const StoreBatch *b, const uint8_t (*keys)[STORE_KEY_BYTES],
                    size_t n, DbError *err);

/* Marks batch number as written (its file was written and verified). */
int store_batch_set_written(Store *st, uint64_t number, DbError *err);

/* Fills *out with batch number (DB_ENOENT if there is none). */
int store_batch_get(Store *st, uint64_t number, StoreBatch *out, DbError *err);

/* Fills *out with the batch with the highest number; *found = 0 if no batch exists. */
int store_batch_last(Store *st, StoreBatch *out, int *found, DbError *err);

/* Calls fn for every batch, lowest number first; stops early if fn returns non-zero. */
int store_batch_foreach(Store *st, int (*fn)(const StoreBatch *b, void *ctx), void *ctx,
                        DbError *err);

/* Calls fn with each response still held in batch number, in its recorded position order,
 * with the response's session id. Pointers valid only during the call. */
int store_batch_records_foreach(Store *st, uint64_t number,
                                int (*fn)(int64_t session_id, const uint8_t *rec, size_t len,
                                          void *ctx),
                                void *ctx, DbError *err);

/* Marks every batch in numbers[0..n) acknowledged in one transaction (all or nothing), then
 * overwrites their responses' slots with random bytes in place and syncs them; should that
 * be cut short, the next store_open finishes it. Already acknowledged batches are skipped;
 * DB_ENOENT (nothing changed) if a number is not a batch. *deleted (may be NULL) receives the
 * number of responses deleted. */
int store_batch_purge(Store *st, const uint64_t *numbers, size_t n, int64_t *deleted,
                      DbError *err);

/* Rewrites the database (VACUUM) and cuts its WAL to zero bytes (wal_checkpoint(TRUNCATE)),
 * so that its file keeps no copies of deleted rows (batch members, and the records a
 * version 2 database held). Call it after closing a session and after a purge. Needs free
 * space of about twice the database for a moment; when VACUUM fails (DB_ENOSPC) the WAL is
 * still checkpointed; when the checkpoint fails (DB_EIO: another process is reading) the WAL
 * stays. Either way nothing is lost and a later call can try again. */
int store_compact(Store *st, DbError *err);

/* Responses not yet in any batch: of session_id, or of all sessions if session_id < 0. */
int store_count_unexported(Store *st, int64_t session_id, int64_t *n, DbError *err);

/* Responses in a batch that is not yet acknowledged (exported, still held). */
int store_count_unacknowledged(Store *st, int64_t *n, DbError *err);

/* --- kiosk meta: small named values (e.g. the kiosk's public key, to notice a replaced
 * identity file that would break the batch chain) --- */

/* Copies the value of key into buf (capacity cap) and sets *len; *found = 0 if absent.
 * DB_ELIMIT if it does not fit. */
int store_meta_get(Store *st, const char *key, uint8_t *buf, size_t cap, size_t *len,
                   int *found, DbError *err);
/* Sets (inserts or replaces) key to len bytes of value. */
int store_meta_set(Store *st, const char *key, const uint8_t *value, size_t len, DbError *err);

/* Runs fn(st, ctx, err) inside one write transaction (BEGIN IMMEDIATE, so another process
 * cannot change what fn reads before fn writes): what fn writes lands together, or not at
 * all if fn returns an error or the commit fails (that error is returned). For several
 * meta values that must agree. fn must not call a store function that is itself "in one
 * transaction". */
int store_in_transaction(Store *st, int (*fn)(Store *st, void *ctx, DbError *err), void *ctx,
                         DbError *err);

/* The survey the kiosk runs and the size of its sealed records: recorded by the kiosk when it
 * opens the store, so that `debrief session open` opens sessions for that survey by default
 * and refuses another (a session whose records do not fit its survey cannot be imported),
 * and so that opening a session reserves slots of the right size (store_session_open). */
int store_kiosk_survey_set(Store *st, const char *survey_id, uint32_t version,
                           uint32_t record_bytes, DbError *err);
/* *found = 0 if no kiosk recorded its survey yet. record_bytes may be NULL. */
int store_kiosk_survey_get(Store *st, char survey_id[SESSION_ID_MAX + 1], uint32_t *version,
                           uint32_t *record_bytes, int *found, DbError *err);

/* --- for tests --- */

/* Limits the database to max_pages pages (PRAGMA max_page_count) so tests can simulate a
 * full disk for the bookkeeping. */
int store_test_limit_pages(Store *st, uint32_t max_pages, DbError *err);

/* Replaces STORE_MAX_SLOTS for this Store (0: the default), so tests reach the limit with a
 * few hundred records. */
void store_test_limit_slots(Store *st, uint32_t max_slots);

/* Opens DIR/debrief.db migrating it only up to schema version (<= STORE_SCHEMA_VERSION), so a
 * test can make an old database; the normal store_open later migrates the rest. */
int store_test_open_at_version(const char *dir, int version, Store **out, DbError *err);

/* Stores n records cycled from pool (n_pool records of rec_len bytes, back to back) in
 * session_id as store_response_put would, but with one sync at the end: a fast fill for
 * benchmarks and tests. */
int store_test_fill(Store *st, int64_t session_id, const uint8_t *pool, size_t n_pool,
                    size_t rec_len, long n, DbError *err);

/* Makes store_compact's VACUUM fail (DB_ENOSPC) while fail is non-zero, as on a full disk. */
void store_test_fail_vacuum(Store *st, int fail);

/* Runs SQL on the database (tests only: to put an old schema's rows in place). */
int store_test_exec(Store *st, const char *sql, DbError *err);

#endif
