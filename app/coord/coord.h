/* coord: the coordinator's kiosk-side operations: export batches, apply acknowledgements.
 *
 * Plain C over the store (app/store), the batch format (crypto/batch.h) and the kiosk identity
 * (crypto/keys.h). Used by the CLI (`debrief export`, `debrief ack`) and the admin screen. The
 * caller passes its open Store: the kiosk's admin screen works through the kiosk's own
 * connection (see store.h on why a process keeps one).
 *
 * Export, step by step (each step safe to interrupt):
 *   1. from the not-yet-exported responses of closed sessions with at least k responses (or
 *      any, with force), one batch's worth is picked: a uniform random sample (reservoir
 *      sampling with secmem_random_below, up to the limits below), shuffled (Fisher-Yates);
 *      steps 2 to 5 write that batch before the next is picked, so which responses share a
 *      batch owes nothing to submission order, and an export's memory does not grow with
 *      the backlog;
 *   2. the batch is built, numbered (last + 1), chained to the previous batch's hash, signed;
 *   3. the store records it as pending: number, hash, and each response's position, in one
 *      transaction;
 *   4. the file is written atomically, read back and verified (structure, signature, hash);
 *   5. the store marks it written, and only then is success reported.
 * A pending batch (power lost between 3 and 5, or a full/read-only drive) is rebuilt from the
 * same responses in the same positions and written again: identical bytes. `again` rewrites
 * any earlier, not yet acknowledged batch the same way. Nothing is deleted at export.
 * Exports of one kiosk take turns (a lock on its data directory): one started while another
 * runs, from the admin screen or a shell, is refused (DB_ESTATE) and writes nothing.
 *
 * Acknowledgement: its signature is verified with the analyst keys ever pinned on the kiosk
 * (recipients.h: the analyst's key before a change still acknowledges what was sealed to it),
 * never with a key the caller names. Each entry must name a batch this kiosk exported, with
 * the same hash, and every record that batch still holds must be sealed to the key that
 * signed (read from the records' recipient key ids, without opening them, one pass over the
 * batch; a record that can no longer be read, its slot damaged since the export, counts
 * neither way): a key can only acknowledge responses it could have imported. So a key pinned later
 * by whoever holds the PIN cannot purge what was sealed to the analyst's key only. Anything
 * wrong (forged, truncated, another kiosk's, a hash that does not match, a batch with a record
 * not sealed to the signer, no keys pinned yet) deletes nothing at all, not even the file's
 * other, good entries: an acknowledgement applies whole or not at all, and the error names
 * the first entry that failed. Otherwise the responses of every acknowledged batch are
 * deleted in one transaction. Replaying an old acknowledgement is harmless (its batches are
 * already purged).
 *
 * Every batch names, with their public keys, the analyst keys its records are sealed to
 * (crypto/batch.h), taken from the keys ever pinned on the kiosk.
 */
#ifndef DEBRIEF_COORD_H
#define DEBRIEF_COORD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "dberr.h"
#include "keys.h"
#include "session_fields.h"
#include "store.h"

#define COORD_DEFAULT_K 5
#define COORD_IDENTITY_NAME "identity.key" /* DIR/identity.key: the kiosk's Ed25519 seed */
#define COORD_MAX_ACK_BYTES (73u + ACK_MAX_ENTRIES * 40u + 64u)

/* A large export is split into consecutive batches (each numbered, chained and signed as
 * usual) of at most this many responses and this many bytes of records (each record counted
 * with its 6-byte header in the batch). 128 MiB keeps one batch well under BATCH_MAX_BYTES
 * and bounds the memory of the read-back check (and of an import) on a small board. */
#define COORD_BATCH_MAX_RECORDS 50000
#define COORD_BATCH_MAX_BYTES (128u * 1024 * 1024)

typedef struct CoordExportOptions {
    Store *store;         /* the kiosk's open store (borrowed: the process's one connection) */
    const char *data_dir; /* the kiosk's data directory (identity.key) */
    const char *out_dir;  /* where batch files go; must exist */
    int k;                /* smallest session that is exported without force; 0 = default */
    int force;            /* export sessions smaller than k too */
    uint64_t again;       /* 0: export new responses; N: write batch N again */
    /* Split limits per batch; 0 = COORD_BATCH_MAX_RECORDS / COORD_BATCH_MAX_BYTES. Tests set
     * small ones. A single record larger than max_batch_bytes still gets a batch of its own. */
    size_t max_batch_records;
    size_t max_batch_bytes;
} CoordExportOptions;

/* One session's part of a batch, or a session held back. */
typedef struct CoordSessionInfo {
    int64_t id;
    char label[SESSION_LABEL_MAX + 1];
    char date[SESSION_DATE_LEN + 1];
    int64_t count; /* responses in the batch (or held back) */
} CoordSessionInfo;

typedef struct CoordBatchInfo {
    uint64_t number;
    uint8_t hash[BATCH_HASH_BYTES];
    uint8_t prev_hash[BATCH_HASH_BYTES];
    char path[PATH_MAX];          /* the file written */
    int64_t n_records;
    int resumed;                  /* 1: an interrupted earlier export, completed now */
    int n_sessions;
    CoordSessionInfo *sessions;   /* malloc'd */
} CoordBatchInfo;

typedef struct CoordExportResult {
    char kiosk_fp[KEY_FINGERPRINT_SIZE];
    int n_batches;                /* batches written by this call, in number order */
    CoordBatchInfo *batches;      /* malloc'd, n_batches of them */
    int n_held;                   /* sessions held back: fewer than k responses */
    CoordSessionInfo *held;       /* malloc'd */
    int k;
    int64_t open_responses;       /* responses of the open session (exported once closed) */
} CoordExportResult;

/* Runs an export (see above). On DB_OK, *out says what was written (possibly nothing: then
 * n_batches == 0 and no file exists): an interrupted earlier batch first, then one or more
 * new batches (split by the limits above). On failure *out lists the batches completed before
 * it (written, verified, recorded: report them), and a batch recorded as pending is written
 * by the next export. Free *out with coord_export_result_free in both cases. */
int coord_export(const CoordExportOptions *opt, CoordExportResult *out, DbError *err);
void coord_export_result_free(CoordExportResult *r);

/* The file name of batch number for a kiosk fingerprint:
 * "debrief-XXXX-XXXX-batch-NNNNNN.dbb" (the first two fingerprint groups). */
void coord_batch_file_name(const char *kiosk_fp, uint64_t number, char *out, size_t cap);

typedef struct CoordAckResult {
    char kiosk_fp[KEY_FINGERPRINT_SIZE];
    char analyst_fp[KEY_FINGERPRINT_SIZE]; /* fingerprint of the recipient that signed */
    int n_entries;
    int n_purged;         /* batches purged now */
    int n_already;        /* batches purged by an earlier acknowledgement */
    int64_t deleted;      /* responses deleted now */
    char warning[DBERR_MSG_MAX]; /* non-empty if the purge stands but compacting failed */
} CoordAckResult;

/* Applies the acknowledgement file at ack_path to the store st of the kiosk whose data
 * directory is data_dir: verified with the sign_pk of each key ever pinned there in turn.
 * only[0..n) (n_only may be 0) narrows that to these keys, each of which must have been
 * pinned (DB_ESTATE naming the key otherwise). No keys pinned is DB_ESTATE; so is an entry
 * for a batch with a record not sealed to the signer (naming the batch, whom its records are
 * sealed to and the signer). All or nothing (see above). */
int coord_ack(Store *st, const char *data_dir, const KeyPublic *only, int n_only,
              const char *ack_path, CoordAckResult *out, DbError *err);

/* Opens the store of the kiosk data directory dir, creating the directory (mode 0700) first
 * when create is set: what the kiosk and the coordinator's commands do. A directory that
 * another user could change or replace is refused (fs_check_dir_private: group or others
 * can write it or a directory on its path, or one of them belongs to another user than
 * root, this one or, when this is root, the data directory's owner): they could have
 * planted a coordinator PIN, an identity or a database in it. One that others can only read
 * is restricted to 0700 by store_open, as before. */
int coord_open_data_dir(const char *dir, int create, Store **st, DbError *err);

/* Loads (or on first use creates) the kiosk identity DIR/identity.key and writes its
 * fingerprint to fp (may be NULL). *id is the caller's (keys_identity_free). */
int coord_identity(const char *data_dir, KeyIdentity **id, char fp[KEY_FINGERPRINT_SIZE],
                   DbError *err);

#endif
