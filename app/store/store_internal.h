/* store_internal: what store.c (sqlite: sessions, batches, meta) and store_records.c (the
 * sealed records, in slots: slots.h) share. Not for use outside app/store. */
#ifndef DEBRIEF_STORE_INTERNAL_H
#define DEBRIEF_STORE_INTERNAL_H

#include <limits.h>
#include <sqlite3.h>

#include "sqldb.h"

#include "slots.h"
#include "store.h"

#define STORE_MAX_SLOT_FILES 8 /* record sizes a kiosk has used (one per survey, usually) */

/* Key -> record slot, rebuilt from the slot files' views when they changed. */
typedef struct KeyMap {
    uint64_t *v; /* (file index << 32 | slot) + 1; 0: empty */
    size_t cap;  /* a power of two, at least twice the records */
    size_t n;    /* records in it */
    int stale;
} KeyMap;

struct Store {
    SqlDb sql;                 /* the connection (sql.db) and its words for messages */
    char dir[PATH_MAX];       /* the data directory */
    char path[PATH_MAX];      /* DIR/debrief.db, for messages */
    char real_path[PATH_MAX]; /* the same, absolute and resolved, as /proc/self/fd shows it */
    int test_fail_vacuum;     /* store_test_fail_vacuum */
    uint32_t test_max_slots;  /* store_test_limit_slots; 0: STORE_MAX_SLOTS */
    Slots *files[STORE_MAX_SLOT_FILES]; /* the record files, one per slot size */
    int n_files;
    KeyMap map;
};

/* store_records.c, for store.c: */

/* Opens every record file in the data directory. */
int store_records_open(Store *st, DbError *err);
void store_records_close(Store *st);
/* Moves the records a version 2 database keeps in its responses table into slots (each
 * once, whatever an interrupted earlier attempt did), synced, before the table is dropped. */
int store_records_move_from_table(Store *st, DbError *err);
/* Frees the slots of acknowledged batches' responses that an interrupted acknowledgement
 * left, and checks the open session's records (the only ones a power cut can have torn). */
int store_records_recover(Store *st, DbError *err);
/* Records of session_id held in slots. */
int64_t store_records_count(Store *st, int64_t session_id);

#endif
