/* batch: signed, numbered, chained batches of sealed records, and acknowledgements.
 *
 * A kiosk exports its sealed responses in batches. Each batch is signed with the kiosk's
 * Ed25519 identity, numbered 1, 2, 3, ... and names the hash (batch_hash) of the previous
 * batch file, so the analysis side detects tampering, truncation, splicing, replays, gaps
 * and forks. Records inside a batch are in random order. A batch carries, per session, the
 * coordinator's bookkeeping (label, date, survey, count) so counts can be reconciled.
 *
 * The analysis side answers with an acknowledgement listing (batch number, batch hash)
 * pairs it has imported, signed with the analyst's Ed25519 key; a kiosk deletes a batch's
 * responses only on a valid acknowledgement that matches a batch it exported.
 *
 * Byte layouts: docs/FORMAT.md, "Batch file" and "Acknowledgement file".
 * This module only encodes, parses and verifies; it does no I/O.
 *
 * The signature is Ed25519 over a 16-byte context and the BLAKE2b-512 of the file up to the
 * signature, and the batch hash is taken over that digest and the signature, so a batch is
 * hashed in one pass while it is written (in bounded memory) and in one while it is verified.
 *
 * Recipients: a batch names the analyst keys its records are sealed to (version 2: a signed
 * section after the records listing each key id with its public key, or zeros where the kiosk
 * did not know it). The reader checks that it lists exactly the key ids the records' slots
 * name, so `debrief verify` can say who is able to read a batch without opening anything,
 * and an importer can refuse records sealed to keys it did not expect
 * (batch_check_recipients). Writers make version 2; readers also read version 1 (no
 * recipients section: the key ids are taken from the records, without public keys).
 *
 * Implementation notes (crypto/batch.c; the API above is unchanged):
 * - batch_parse zeroes *out first and fills it only on DB_OK; a batch has 1..1024 sessions,
 *   each with at least one record, and records of 1..SEAL_MAX_RECORD bytes; in version 2
 *   every record is a well-formed sealed record (seal.h), and the records of one batch are
 *   sealed to at most BATCH_MAX_RECIPIENTS different keys.
 * - ack_build sorts the entries by number and refuses an empty list, number 0 or a repeated
 *   number (DB_EINVAL); ack_parse requires strictly increasing numbers. An ack lists each
 *   batch once.
 * - Kiosk file names (app/coord): "debrief-XXXX-XXXX-batch-NNNNNN.dbb"; readers must trust
 *   only the contents.
 */
#ifndef DEBRIEF_BATCH_H
#define DEBRIEF_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"
#include "session_fields.h"
#include "keys.h"

#define BATCH_HASH_BYTES 32
#define BATCH_MAX_BYTES (512u * 1024 * 1024) /* a reader refuses larger files */
#define BATCH_MAX_SESSIONS 1024
#define BATCH_MAX_RECORDS 1000000
#define ACK_MAX_ENTRIES 65536
#define BATCH_MAX_RECIPIENTS 64 /* different keys the records of one batch are sealed to */

typedef struct BatchSession {
    char label[SESSION_LABEL_MAX + 1]; /* the rules: session_fields.h */
    char date[SESSION_DATE_LEN + 1];   /* "YYYY-MM-DD" */
    char survey_id[SESSION_ID_MAX + 1];
    uint32_t survey_version;
    uint32_t count;          /* records of this session in this batch */
} BatchSession;

typedef struct BatchRecord {
    uint32_t session;        /* index into sessions */
    const uint8_t *data;     /* sealed record (seal.h); points into the batch bytes */
    size_t len;
} BatchRecord;

/* A key the records of a batch are sealed to. */
typedef struct BatchRecipient {
    uint8_t id[KEY_ID_BYTES]; /* keys_public_id; what the records' slots name */
    int known;                /* 1: key is its public key (the fingerprint can be shown) */
    KeyPublic key;            /* all zero unless known (version 1; or not known to the kiosk) */
} BatchRecipient;

/* A parsed batch. Pointers borrow from the bytes given to batch_parse, which must outlive it. */
typedef struct Batch {
    unsigned version;                    /* 1 or 2 */
    uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES];
    uint64_t number;                     /* 1, 2, ... */
    uint8_t prev_hash[BATCH_HASH_BYTES]; /* all zero for batch 1 */
    uint8_t hash[BATCH_HASH_BYTES];      /* batch_hash of the file */
    uint32_t n_sessions;
    BatchSession *sessions;              /* malloc'd */
    uint32_t n_records;
    BatchRecord *records;                /* malloc'd */
    /* Every key any record is sealed to, ascending by id, each once: in version 2 what the
     * batch lists (checked against the records); in version 1 the ids the records' slots
     * name, none known (records that are not sealed records name none). */
    uint32_t n_recipients;
    BatchRecipient *recipients;          /* malloc'd */
} Batch;

/* Builder: collect sessions and records, then batch_builder_finish signs and serializes. */
typedef struct BatchBuilder BatchBuilder;

int batch_builder_new(uint64_t number, const uint8_t prev_hash[BATCH_HASH_BYTES],
                      BatchBuilder **out, DbError *err);
/* Adds a session; *index receives its index for batch_builder_add_record. */
int batch_builder_add_session(BatchBuilder *b, const BatchSession *s, uint32_t *index,
                              DbError *err);
/* Appends a copy of a sealed record; records are written in the order added (the caller
 * shuffles, so that a re-export can reproduce the same order). Bumps the session's count.
 * DB_EINVAL if rec is not a well-formed sealed record (seal.h). */
int batch_builder_add_record(BatchBuilder *b, uint32_t session, const uint8_t *rec, size_t len,
                             DbError *err);
/* A public key the batch may name in full: a recipient whose key id a record names is
 * listed with this key (fingerprint shown by readers); one no key was given for is listed
 * by its id alone. Keys no record is sealed to are not listed. Up to BATCH_MAX_RECIPIENTS
 * (DB_ELIMIT); a degenerate key is DB_EINVAL; a repeat is ignored. */
int batch_builder_add_key(BatchBuilder *b, const KeyPublic *key, DbError *err);
/* Signs with the kiosk identity and returns the file bytes (*out malloc'd, caller frees) and
 * the batch hash. The same inputs always give the same bytes (Ed25519 is deterministic). */
int batch_builder_finish(BatchBuilder *b, const KeyIdentity *id, uint8_t **out, size_t *out_len,
                         uint8_t hash[BATCH_HASH_BYTES], DbError *err);
void batch_builder_free(BatchBuilder *b);

/* Streaming writer: the same bytes as the builder, in bounded memory. The sessions (with
 * their final counts) come first, then exactly that many records per session in file order;
 * each chunk of output goes to sink (which returns DB_OK or fills err), and batch_writer_finish
 * signs, emits the signature and returns the batch hash and the file's length. Any error
 * leaves the writer unusable (free it). sessions are copied; id is borrowed until finish. */
typedef int (*BatchSinkFn)(void *ctx, const uint8_t *data, size_t len, DbError *err);
typedef struct BatchWriter BatchWriter;

int batch_writer_new(uint64_t number, const uint8_t prev_hash[BATCH_HASH_BYTES],
                     const BatchSession *sessions, uint32_t n_sessions, const KeyIdentity *id,
                     BatchSinkFn sink, void *ctx, BatchWriter **out, DbError *err);
int batch_writer_add_record(BatchWriter *w, uint32_t session, const uint8_t *rec, size_t len,
                            DbError *err);
/* As batch_builder_add_key; any time before batch_writer_finish, which writes the
 * recipients section after the records (the writer learns the key ids from the records). */
int batch_writer_add_key(BatchWriter *w, const KeyPublic *key, DbError *err);
int batch_writer_finish(BatchWriter *w, uint8_t hash[BATCH_HASH_BYTES], uint64_t *total_len,
                        DbError *err);
void batch_writer_free(BatchWriter *w);

/* Parses and verifies a batch: structure and limits, then the kiosk's signature, then (the
 * bytes being the kiosk's) what it says about its recipients. name is used in messages
 * ("batch-0003.dbb: offset 120: record 7 runs past the end"). A bad signature is DB_EAUTH
 * ("...: signature does not verify: the batch was altered or is not from this kiosk"): an
 * altered byte that leaves the structure readable always gives that message. *out is
 * filled only on DB_OK; free with batch_free. */
int batch_parse(const char *name, const uint8_t *data, size_t len, Batch *out, DbError *err);
void batch_free(Batch *b);

/* The first step of batch_parse alone: the structure and limits (everything needed to walk
 * the file, with the same messages), not the signature and not what the signed bytes say about
 * the recipients. out->hash is left zero and out->recipients empty. Nothing from a batch may be
 * trusted, shown or stored on the strength of this: it is for tests of the framing rules. */
int batch_parse_unverified(const char *name, const uint8_t *data, size_t len, Batch *out,
                           DbError *err);

/* The signed digest computed by the reader itself, e.g. while the file is still being read
 * (on another thread, as the pieces arrive): BLAKE2b-512 of the file's bytes before its last
 * 64 (the signature). batch_digest_new fails only for lack of memory (NULL). */
#define BATCH_DIGEST_BYTES 64
typedef struct BatchDigest BatchDigest;
BatchDigest *batch_digest_new(void);
void batch_digest_update(BatchDigest *d, const uint8_t *data, size_t len);
void batch_digest_final(BatchDigest *d, uint8_t digest[BATCH_DIGEST_BYTES]);
void batch_digest_free(BatchDigest *d); /* NULL is a no-op */

/* For a reader that hashed a file's signed part itself (BatchDigest, e.g. reading the file in
 * pieces) and holds its last KEY_SIGNATURE_BYTES: batch_hash_digested gives the batch hash;
 * batch_verify_digested also checks the signature by kiosk_pk (DB_EAUTH with batch_parse's
 * message if it does not verify). Neither checks the structure. */
void batch_hash_digested(const uint8_t digest[BATCH_DIGEST_BYTES],
                         const uint8_t sig[KEY_SIGNATURE_BYTES], uint8_t hash[BATCH_HASH_BYTES]);
int batch_verify_digested(const char *name, const uint8_t digest[BATCH_DIGEST_BYTES],
                          const uint8_t sig[KEY_SIGNATURE_BYTES],
                          const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES],
                          uint8_t hash[BATCH_HASH_BYTES], DbError *err);

/* batch_parse for a caller that already has the digest of data's signed part (the
 * BatchDigest of data[0 .. len - 64), taken from these very bytes, not re-read from the
 * file): the same checks, messages and results, without a second pass over the bytes. */
int batch_parse_digested(const char *name, const uint8_t *data, size_t len,
                         const uint8_t digest[BATCH_DIGEST_BYTES], Batch *out, DbError *err);

/* A recipient as people compare it: its fingerprint when the batch gives its public key,
 * else "key id " and its id in hex. */
#define BATCH_RECIPIENT_NAME_SIZE 48
void batch_recipient_name(const BatchRecipient *r, char out[BATCH_RECIPIENT_NAME_SIZE]);

/* All of b's recipients, ", "-separated, as batch_recipient_name names them ("none" for a
 * batch without sealed records); cut short (ending "...") when cap is too small. */
void batch_recipients_describe(const Batch *b, char *out, size_t cap);

/* Whether every record of b is sealed only to keys among expected[0..n_expected), as far as
 * the batch can tell without opening them (b->recipients). DB_OK, or DB_ESTATE naming every
 * other key (its fingerprint when the batch gives its public key, else its key id) and the
 * expected fingerprints: "NAME: responses are sealed to a key that was not expected: ...".
 * A record sealed to an expected key and to another one is refused too: the other key's
 * holder can read it. */
int batch_check_recipients(const char *name, const Batch *b, const KeyPublic *expected,
                           int n_expected, DbError *err);

/* Hash used for chaining and acknowledgements (docs/FORMAT.md): BLAKE2b-256 of D || S,
 * where S is the last 64 bytes (the signature) and D the BLAKE2b-512 of the bytes before
 * them (what the signature covers). It commits to every byte of the file and comes out of
 * the same pass as the signature. For fewer than 64 bytes (never a batch), S is all of them
 * and D is the digest of nothing. */
void batch_hash(const uint8_t *data, size_t len, uint8_t hash[BATCH_HASH_BYTES]);

/* The first 8 bytes of a batch hash in hex: how `debrief export`, `debrief verify` and the
 * admin screen show a batch and the one it follows. */
#define BATCH_SHORT_HASH_SIZE 17
void batch_hash_short(const uint8_t hash[BATCH_HASH_BYTES], char out[BATCH_SHORT_HASH_SIZE]);

/* --- acknowledgements --- */

typedef struct AckEntry {
    uint64_t number;
    uint8_t hash[BATCH_HASH_BYTES];
} AckEntry;

typedef struct Ack {
    uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES];   /* the kiosk whose batches are acknowledged */
    uint8_t analyst_pk[KEY_SIGN_PUBLIC_BYTES]; /* who signed */
    uint32_t n_entries;
    AckEntry *entries;                         /* malloc'd */
} Ack;

/* Serializes and signs an acknowledgement with the analyst's key (*out malloc'd). */
int ack_build(const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES], const AckEntry *entries,
              uint32_t n_entries, const KeySecret *analyst, uint8_t **out, size_t *out_len,
              DbError *err);

/* Parses an acknowledgement and verifies its signature by analyst_pk (it must also be the
 * signer named inside). DB_EAUTH if the signature or signer does not match. */
int ack_parse(const char *name, const uint8_t *data, size_t len,
              const uint8_t analyst_pk[KEY_SIGN_PUBLIC_BYTES], Ack *out, DbError *err);
void ack_free(Ack *a);

#endif
