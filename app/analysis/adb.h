/* adb: the analyst's database (sqlite3), the only place decrypted answers are written.
 *
 * One file, chosen by the analyst (e.g. ccdg.db), mode 0600. It holds:
 *   kiosks          Ed25519 public key, fingerprint, trusted flag, label (schema 2)
 *   batches         per kiosk: number, hash, previous hash, record count, replays skipped
 *   surveys         id, version and the survey JSON text the analyst supplied
 *   sessions        per kiosk: label, date, survey id + version
 *   batch_sessions  per batch: each session's count from the batch's bookkeeping
 *   responses       a random 63-bit id (never the import order), session, language
 *   answers         per response and question: state, Likert value, option ids, text
 *   record_ids      the id (seal_record_id) of every sealed record imported, and its batch:
 *                   a record is imported once, whichever batch or kiosk repeats it (schema 3)
 * The schema is versioned with PRAGMA user_version and migrated forward on open; a newer
 * schema than this build knows is refused without touching the file. temp_store is MEMORY
 * so sqlite never spills query data into temp files; secure_delete is on.
 *
 * Writes happen only inside adb_begin/adb_commit (one transaction per imported batch):
 * a failure rolls back and leaves the file as it was.
 *
 * Reading for CSV and report: adb_load() builds an in-memory AdbData per survey version,
 * with answers mapped back to the survey's question/option indices.
 */
#ifndef DEBRIEF_ADB_H
#define DEBRIEF_ADB_H

#include <stdint.h>

#include "batch.h"
#include "dberr.h"
#include "keys.h"
#include "response.h"
#include "seal.h"
#include "survey.h"

#define ADB_SCHEMA_VERSION 4

/* Longest kiosk label (bytes of UTF-8), from the kiosk registry. */
#define ADB_KIOSK_LABEL_MAX 64

typedef struct Adb Adb;

/* Opens (create != 0: creating it if missing) the analysis database at path. A file that is
 * not an analysis database, or has a newer schema, is refused unchanged. */
int adb_open(const char *path, int create, Adb **out, DbError *err);
void adb_close(Adb *db); /* NULL is a no-op */
const char *adb_path(const Adb *db);

int adb_begin(Adb *db, DbError *err);
/* adb_begin for an import, whose rows all refer to rows it found or added itself: foreign
 * keys are not enforced until its commit or rollback (which switch them back on). */
int adb_begin_import(Adb *db, DbError *err);
int adb_commit(Adb *db, DbError *err);
void adb_rollback(Adb *db);

/* --- kiosks --- */
/* *id = 0 when the kiosk is unknown. */
int adb_kiosk_find(Adb *db, const uint8_t pk[KEY_SIGN_PUBLIC_BYTES], int64_t *id, int *trusted,
                   DbError *err);
int adb_kiosk_add(Adb *db, const uint8_t pk[KEY_SIGN_PUBLIC_BYTES], int trusted, int64_t *id,
                  DbError *err);
/* Sets a kiosk's label (from the registry); a no-op when it already has that label. */
int adb_kiosk_set_label(Adb *db, int64_t id, const char *label, DbError *err);
/* Marks the kiosk with this fingerprint trusted or not (outside any import transaction: it
 * is one statement). *found = 0 when no kiosk has that fingerprint. */
int adb_kiosk_set_trusted(Adb *db, const char *fingerprint, int trusted, int *found, DbError *err);

/* --- batches --- */
/* *found = 0 when the kiosk has no batch with this number; else hash/prev_hash are filled
 * (either may be NULL). */
int adb_batch_find(Adb *db, int64_t kiosk, uint64_t number, int *found,
                   uint8_t hash[BATCH_HASH_BYTES], uint8_t prev_hash[BATCH_HASH_BYTES],
                   DbError *err);
/* importer: the key id (keys_public_id) of the key that imported the batch. */
int adb_batch_add(Adb *db, int64_t kiosk, const Batch *b, const uint8_t importer[KEY_ID_BYTES],
                  int64_t *id, DbError *err);
int adb_batch_session_add(Adb *db, int64_t batch, int64_t session, uint32_t count, DbError *err);
/* Records that the batch (added with adb_batch_add) was imported without n replayed records. */
int adb_batch_set_replays(Adb *db, int64_t batch, uint32_t n, DbError *err);
/* Every batch of the kiosk imported with the key whose id is importer (and those imported
 * before schema version 4, which did not record it), in number order (*entries malloc'd,
 * caller frees). */
int adb_batch_list(Adb *db, int64_t kiosk, const uint8_t importer[KEY_ID_BYTES], AckEntry **entries,
                   uint32_t *n, DbError *err);

/* --- record ids (replays) --- */
/* For each of ids[0..n): the batch row it was imported with (first_batch[i]), or 0. */
int adb_records_find(Adb *db, const uint8_t (*ids)[SEAL_RECORD_ID_BYTES], uint32_t n,
                     int64_t *first_batch, DbError *err);
/* Stores ids[order[j]] for j = 0..n-1 under batch, skipping records with keep[i] == 0 (inside
 * the import's transaction; order should sort the ids: inserting in key order is much
 * cheaper). An id stored before (by an earlier batch) is left as it is: its keep[i] is
 * cleared and *n_seen counts it. */
int adb_records_add(Adb *db, int64_t batch, const uint8_t (*ids)[SEAL_RECORD_ID_BYTES],
                    const uint32_t *order, uint8_t *keep, uint32_t n, uint32_t *n_seen,
                    DbError *err);
/* The number and kiosk fingerprint of a batch row (for messages). */
int adb_batch_describe(Adb *db, int64_t batch, uint64_t *number,
                       char fingerprint[KEY_FINGERPRINT_SIZE], DbError *err);

/* --- surveys --- */
/* *json = NULL (and DB_OK) when the survey version is unknown; else malloc'd text. */
int adb_survey_get(Adb *db, const char *id, uint32_t version, char **json, size_t *len,
                   DbError *err);
int adb_survey_add(Adb *db, const char *id, uint32_t version, const char *json, size_t len,
                   DbError *err);

/* --- sessions and responses --- */
int adb_session_get_or_add(Adb *db, int64_t kiosk, const BatchSession *s, int64_t *id,
                           DbError *err);
/* n random response ids (63-bit, non-zero) in increasing order. Adding a batch's responses
 * with them in that order puts its rows into the tables in key order, much cheaper than at
 * random places; the ids still say nothing about when a response was imported, and the order
 * they give the batch's records is the batch's own (random) order. */
void adb_response_ids(int64_t *ids, uint32_t n);
/* Inserts one decoded, checked response (its answers keyed by question id) under id, or
 * under a fresh random id if id is 0 or already taken. */
int adb_response_add(Adb *db, int64_t session, int64_t id, const DecodedResponse *r,
                     DbError *err);
/* adb_response_add for k responses in a row (rs[j] under ids[j] in sessions[j]): two
 * statements for all of them when they have the same number of answers and k is at most
 * ADB_RESPONSES_MAX; else, or when an id is taken, one at a time. */
#define ADB_RESPONSES_MAX 64
int adb_responses_add(Adb *db, const int64_t *sessions, const int64_t *ids,
                      DecodedResponse *const *rs, int k, DbError *err);

/* --- status --- */
/* What adb_batch_add keeps of a batch's recipients (batch_recipients_describe). */
#define ADB_RECIPIENTS_SIZE (BATCH_RECIPIENT_NAME_SIZE * 4)

typedef struct AdbStatusKiosk {
    char fingerprint[KEY_FINGERPRINT_SIZE];
    char label[ADB_KIOSK_LABEL_MAX + 1]; /* "" when the registry never named it */
    int trusted;
    uint32_t n_batches;
    AckEntry *batches;                 /* number order; malloc'd */
    uint8_t (*prev)[BATCH_HASH_BYTES]; /* prev hash per batch; malloc'd */
    int64_t *records;                  /* per batch */
    int64_t *replays;                  /* per batch: replayed records skipped */
    char (*recipients)[ADB_RECIPIENTS_SIZE]; /* per batch: batch_recipients_describe, "" for
                                                batches imported before schema version 4 */
} AdbStatusKiosk;

typedef struct AdbStatusSession {
    char survey_id[SURVEY_MAX_ID + 1];
    uint32_t survey_version;
    char label[RESPONSE_MAX_LABEL + 1];
    char date[RESPONSE_DATE_LEN + 1];
    int64_t responses;
} AdbStatusSession;

typedef struct AdbStatus {
    int n_kiosks;
    AdbStatusKiosk *kiosks;
    int n_sessions;
    AdbStatusSession *sessions; /* ordered by survey, version, date, label */
} AdbStatus;

int adb_status(Adb *db, AdbStatus *out, DbError *err);
void adb_status_free(AdbStatus *s);

/* --- loading for CSV and report --- */

typedef struct AdbCell {
    AnswerState state;
    int shown;       /* the question was shown (its show-if condition held; response.h) */
    int value;       /* LIKERT: 1..scale; SINGLE: option index */
    uint32_t chosen; /* MULTI: bit i = option i */
    char *text;      /* TEXT: UTF-8, owned by the AdbData (wiped on free); else NULL */
} AdbCell;

typedef struct AdbSession {
    char label[RESPONSE_MAX_LABEL + 1];
    char date[RESPONSE_DATE_LEN + 1];
} AdbSession;

typedef struct AdbResponse {
    int session; /* index into AdbSurveyData.sessions */
    char lang[SURVEY_MAX_ID + 1];
    AdbCell *cells; /* survey->n_questions cells */
} AdbResponse;

/* One survey version's data. Sessions with the same label and date on several kiosks are
 * one session here; sessions are ordered by date, then label. */
typedef struct AdbSurveyData {
    Survey *survey;
    int n_sessions;
    AdbSession *sessions;
    int n_responses;
    AdbResponse *responses;
    AdbCell *cells; /* n_responses * survey->n_questions */
} AdbSurveyData;

typedef struct AdbData {
    int n_surveys; /* ordered by id, then version */
    AdbSurveyData *surveys;
} AdbData;

/* Loads every survey version with responses (survey_id NULL), or only survey_id (version 0:
 * every version of it). */
int adb_load(Adb *db, const char *survey_id, uint32_t version, AdbData *out, DbError *err);
void adb_data_free(AdbData *d); /* wipes the answers */

/* --- for tests --- */

/* Limits the database to max_pages pages (PRAGMA max_page_count) on this connection, so
 * tests can simulate a full disk while importing. */
int adb_test_limit_pages(Adb *db, uint32_t max_pages, DbError *err);
/* Whether foreign keys are enforced on this connection now, and how many rows of the whole
 * database refer to a row that does not exist (PRAGMA foreign_key_check). */
int adb_test_foreign_keys(Adb *db, int *enforced, int64_t *violations, DbError *err);

#endif
