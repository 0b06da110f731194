/* batch: encodes, parses and verifies batch files and acknowledgements. See batch.h; the
 * byte layouts are in docs/FORMAT.md ("Batch file", "Acknowledgement file").
 *
 * What this file does not do: any I/O, any decryption. Of a record it reads only the key ids
 * in its header (seal_record_key_ids), to name the batch's recipients.
 *
 * Parsing is strict and in file order: every length is checked against the bytes that
 * remain and against the limits before anything is allocated or copied, the sessions'
 * counts must add up to the records, nothing may follow the signature. Then the signature is
 * verified, and only then what the signed bytes say about the recipients (parse_recipients),
 * all before anything is returned. Messages name the byte offset at fault.
 */
#include "batch.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "session_fields.h"

#define BATCH_MAGIC "DBRB"
#define ACK_MAGIC "DBRA"
#define BATCH_VERSION 2    /* what the writer makes */
#define BATCH_VERSION_OLD 1 /* still read: no recipients section */
/* What the kiosk signs: this context, then the BLAKE2b-512 of everything before the
 * signature (docs/FORMAT.md). The context keeps a batch signature from meaning anything
 * else the identity key might sign. */
#define BATCH_SIGNED_CONTEXT "Debrief batch v1"
#define BATCH_SIGNED_CONTEXT_BYTES 16
#define ACK_VERSION 1

/* magic, version, kiosk pk, number, prev hash */
#define BATCH_HEADER_BYTES (4 + 1 + KEY_SIGN_PUBLIC_BYTES + 8 + BATCH_HASH_BYTES)
/* magic, version, kiosk pk, analyst pk, entry count */
#define ACK_HEADER_BYTES (4 + 1 + KEY_SIGN_PUBLIC_BYTES + KEY_SIGN_PUBLIC_BYTES + 4)
#define ACK_ENTRY_BYTES (8 + BATCH_HASH_BYTES)
#define RECORD_HEADER_BYTES (2 + 4)
/* A recipient in a version 2 batch: key id, X25519 key, Ed25519 key (keys zero: unknown). */
#define RECIPIENT_BYTES (KEY_ID_BYTES + KEY_PUBLIC_BYTES + KEY_SIGN_PUBLIC_BYTES)

/* --- big-endian helpers --- */

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static int is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* --- the session fields (their rules: session_fields.h) --- */

/* DB_OK if a session handed to the builder or the writer is acceptable; its index names it. */
static int check_session(const BatchSession *s, uint32_t index, DbError *err)
{
    DbError field;
    if (session_label_check(s->label, strnlen(s->label, sizeof s->label), &field) != DB_OK ||
        session_date_check(s->date, strnlen(s->date, sizeof s->date), &field) != DB_OK ||
        session_survey_id_check(s->survey_id, strnlen(s->survey_id, sizeof s->survey_id),
                                &field) != DB_OK)
        return dberr_set(err, DB_EINVAL, "batch session %u: %s", index, field.msg);
    return DB_OK;
}

static size_t session_encoded_size(const BatchSession *s)
{
    return 1 + strlen(s->label) + SESSION_DATE_LEN + 1 + strlen(s->survey_id) + 4 + 4;
}

/* The batch hash from the digest of the signed part and the signature (FORMAT.md). */
static void hash_of(const uint8_t digest[64], const uint8_t *sig, size_t sig_len,
                    uint8_t hash[BATCH_HASH_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, BATCH_HASH_BYTES);
    crypto_generichash_update(&st, digest, 64);
    crypto_generichash_update(&st, sig, sig_len);
    crypto_generichash_final(&st, hash, BATCH_HASH_BYTES);
}

void batch_hash(const uint8_t *data, size_t len, uint8_t hash[BATCH_HASH_BYTES])
{
    size_t signed_len = len >= KEY_SIGNATURE_BYTES ? len - KEY_SIGNATURE_BYTES : 0;
    uint8_t digest[64];
    crypto_generichash(digest, sizeof digest, data, signed_len, NULL, 0);
    hash_of(digest, data + signed_len, len - signed_len, hash);
}

void batch_hash_short(const uint8_t hash[BATCH_HASH_BYTES], char out[BATCH_SHORT_HASH_SIZE])
{
    sodium_bin2hex(out, BATCH_SHORT_HASH_SIZE, hash, (BATCH_SHORT_HASH_SIZE - 1) / 2);
}

/* --- the recipients a batch's records are sealed to --- */

/* Distinct key ids in the order first met, with the record that first named each. */
typedef struct IdSet {
    uint8_t id[BATCH_MAX_RECIPIENTS][KEY_ID_BYTES];
    uint32_t first[BATCH_MAX_RECIPIENTS];
    int n;
} IdSet;

/* Adds the ids of the sealed record rec (record number index) to set. 1 if rec is not a
 * sealed record, -1 if the set would grow past BATCH_MAX_RECIPIENTS (then it is unchanged),
 * 0 otherwise. */
static int idset_add_record(IdSet *set, const uint8_t *rec, size_t len, uint32_t index)
{
    uint8_t ids[SEAL_MAX_RECIPIENTS][KEY_ID_BYTES];
    int n = 0;
    if (seal_record_key_ids(rec, len, ids, &n) != 0)
        return 1;
    int before = set->n;
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < set->n && memcmp(set->id[j], ids[i], KEY_ID_BYTES) != 0)
            j++;
        if (j < set->n)
            continue;
        if (set->n == BATCH_MAX_RECIPIENTS) {
            set->n = before; /* a refused record names no key in the batch */
            return -1;
        }
        memcpy(set->id[set->n], ids[i], KEY_ID_BYTES);
        set->first[set->n++] = index;
    }
    return 0;
}

static int is_sealed_record(const uint8_t *rec, size_t len)
{
    uint8_t ids[SEAL_MAX_RECIPIENTS][KEY_ID_BYTES];
    int n;
    return seal_record_key_ids(rec, len, ids, &n) == 0;
}

/* DB_OK if key may be named in a batch: a usable key, one more than keys[0..*n) holds (a
 * repeat is ignored). */
static int keys_add(KeyPublic *keys, int *n, const KeyPublic *key, DbError *err)
{
    for (int i = 0; i < *n; i++)
        if (memcmp(keys[i].pk, key->pk, KEY_PUBLIC_BYTES) == 0)
            return DB_OK;
    if (keys_public_check(key) != 0)
        return dberr_set(err, DB_EINVAL, "a batch cannot name a degenerate public key");
    if (*n == BATCH_MAX_RECIPIENTS)
        return dberr_set(err, DB_ELIMIT, "a batch names at most %d recipient keys",
                         BATCH_MAX_RECIPIENTS);
    keys[(*n)++] = *key;
    return DB_OK;
}

static int id_cmp(const void *a, const void *b)
{
    return memcmp(a, b, KEY_ID_BYTES);
}

/* --- builder --- */

struct BatchBuilder {
    uint64_t number;
    uint8_t prev_hash[BATCH_HASH_BYTES];
    BatchSession *sessions;
    uint32_t n_sessions, cap_sessions;
    uint8_t *body; /* records, already encoded */
    size_t body_len, body_cap;
    uint32_t n_records;
    KeyPublic keys[BATCH_MAX_RECIPIENTS]; /* batch_builder_add_key */
    int n_keys;
};

int batch_builder_new(uint64_t number, const uint8_t prev_hash[BATCH_HASH_BYTES],
                      BatchBuilder **out, DbError *err)
{
    *out = NULL;
    if (number == 0 || number > INT64_MAX)
        return dberr_set(err, DB_EINVAL, "batch number must be between 1 and 2^63 - 1");
    if ((number == 1) != is_zero(prev_hash, BATCH_HASH_BYTES))
        return dberr_set(err, DB_EINVAL, number == 1
                                             ? "batch 1 must have an all-zero previous hash"
                                             : "a batch after the first needs the previous "
                                               "batch's hash");
    BatchBuilder *b = calloc(1, sizeof *b);
    if (!b)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    b->number = number;
    memcpy(b->prev_hash, prev_hash, BATCH_HASH_BYTES);
    *out = b;
    return DB_OK;
}

int batch_builder_add_session(BatchBuilder *b, const BatchSession *s, uint32_t *index,
                              DbError *err)
{
    if (check_session(s, b->n_sessions, err) != DB_OK)
        return DB_EINVAL;
    if (b->n_sessions >= BATCH_MAX_SESSIONS)
        return dberr_set(err, DB_ELIMIT, "a batch holds at most %d sessions", BATCH_MAX_SESSIONS);
    if (b->n_sessions == b->cap_sessions) {
        uint32_t ncap = b->cap_sessions ? b->cap_sessions * 2 : 8;
        BatchSession *n = realloc(b->sessions, ncap * sizeof *n);
        if (!n)
            return dberr_set(err, DB_ENOMEM, "out of memory");
        b->sessions = n;
        b->cap_sessions = ncap;
    }
    b->sessions[b->n_sessions] = *s;
    b->sessions[b->n_sessions].count = 0;
    *index = b->n_sessions++;
    return DB_OK;
}

int batch_builder_add_record(BatchBuilder *b, uint32_t session, const uint8_t *rec, size_t len,
                             DbError *err)
{
    if (session >= b->n_sessions)
        return dberr_set(err, DB_EINVAL, "record names session %u, but the batch has %u",
                         session, b->n_sessions);
    if (len == 0 || len > SEAL_MAX_RECORD)
        return dberr_set(err, DB_ELIMIT, "record of %zu bytes (must be 1 to %d)", len,
                         SEAL_MAX_RECORD);
    if (!is_sealed_record(rec, len))
        return dberr_set(err, DB_EINVAL, "record %u is not a sealed response record",
                         b->n_records);
    if (b->n_records >= BATCH_MAX_RECORDS)
        return dberr_set(err, DB_ELIMIT, "a batch holds at most %d records", BATCH_MAX_RECORDS);
    size_t need = b->body_len + RECORD_HEADER_BYTES + len;
    if (need > BATCH_MAX_BYTES)
        return dberr_set(err, DB_ELIMIT, "a batch file is at most %u bytes", BATCH_MAX_BYTES);
    if (need > b->body_cap) {
        size_t ncap = b->body_cap ? b->body_cap : 64 * 1024;
        while (ncap < need)
            ncap *= 2;
        uint8_t *n = realloc(b->body, ncap);
        if (!n)
            return dberr_set(err, DB_ENOMEM, "out of memory");
        b->body = n;
        b->body_cap = ncap;
    }
    uint8_t *p = b->body + b->body_len;
    put_u16(p, (uint16_t)session);
    put_u32(p + 2, (uint32_t)len);
    memcpy(p + RECORD_HEADER_BYTES, rec, len);
    b->body_len = need;
    b->n_records++;
    b->sessions[session].count++;
    return DB_OK;
}

int batch_builder_add_key(BatchBuilder *b, const KeyPublic *key, DbError *err)
{
    return keys_add(b->keys, &b->n_keys, key, err);
}

/* --- streaming writer --- */

#define WRITER_BUF_BYTES (256 * 1024)

struct BatchWriter {
    /* BLAKE2b-512 of bytes 0 .. L - 65 (signed). libsodium declares the state 64-byte
     * aligned; malloc promises less, so it lives at an aligned place inside state_space. */
    crypto_generichash_state *body_state;
    unsigned char state_space[sizeof(crypto_generichash_state) + 63];
    const KeyIdentity *id;
    BatchSinkFn sink;
    void *ctx;
    uint32_t n_sessions;
    uint32_t *want, *seen; /* per session: declared count, records added so far */
    uint64_t records_left; /* declared total minus records added */
    uint64_t bytes;        /* bytes emitted so far */
    int failed;            /* a sink or limit error: the writer is unusable */
    IdSet ids;             /* the key ids the records added so far are sealed to */
    KeyPublic keys[BATCH_MAX_RECIPIENTS]; /* batch_writer_add_key */
    int n_keys;
    size_t used;
    uint8_t buf[WRITER_BUF_BYTES];
};

static int writer_flush(BatchWriter *w, DbError *err)
{
    if (w->used == 0)
        return DB_OK;
    crypto_generichash_update(w->body_state, w->buf, w->used);
    int rc = w->sink(w->ctx, w->buf, w->used, err);
    w->used = 0;
    if (rc != DB_OK)
        w->failed = 1;
    return rc;
}

static int writer_emit(BatchWriter *w, const uint8_t *p, size_t n, DbError *err)
{
    if (w->bytes + n + KEY_SIGNATURE_BYTES > BATCH_MAX_BYTES) {
        w->failed = 1;
        return dberr_set(err, DB_ELIMIT, "a batch file is at most %u bytes", BATCH_MAX_BYTES);
    }
    w->bytes += n;
    while (n > 0) {
        size_t k = sizeof w->buf - w->used;
        if (k > n)
            k = n;
        memcpy(w->buf + w->used, p, k);
        w->used += k;
        p += k;
        n -= k;
        if (w->used == sizeof w->buf) {
            int rc = writer_flush(w, err);
            if (rc != DB_OK)
                return rc;
        }
    }
    return DB_OK;
}

/* The 80 bytes the kiosk signs: a context string and the BLAKE2b-512 of the signed part
 * (the digest, which the batch hash also uses, is at msg + BATCH_SIGNED_CONTEXT_BYTES). */
static void signed_message(crypto_generichash_state *body_state,
                           uint8_t msg[BATCH_SIGNED_CONTEXT_BYTES + 64])
{
    memcpy(msg, BATCH_SIGNED_CONTEXT, BATCH_SIGNED_CONTEXT_BYTES);
    crypto_generichash_final(body_state, msg + BATCH_SIGNED_CONTEXT_BYTES, 64);
}

void batch_writer_free(BatchWriter *w)
{
    if (!w)
        return;
    free(w->want);
    free(w->seen);
    free(w);
}

int batch_writer_new(uint64_t number, const uint8_t prev_hash[BATCH_HASH_BYTES],
                     const BatchSession *sessions, uint32_t n_sessions, const KeyIdentity *id,
                     BatchSinkFn sink, void *ctx, BatchWriter **out, DbError *err)
{
    *out = NULL;
    if (number == 0 || number > INT64_MAX)
        return dberr_set(err, DB_EINVAL, "batch number must be between 1 and 2^63 - 1");
    if ((number == 1) != is_zero(prev_hash, BATCH_HASH_BYTES))
        return dberr_set(err, DB_EINVAL, number == 1
                                             ? "batch 1 must have an all-zero previous hash"
                                             : "a batch after the first needs the previous "
                                               "batch's hash");
    if (n_sessions == 0)
        return dberr_set(err, DB_EINVAL, "a batch needs at least one session");
    if (n_sessions > BATCH_MAX_SESSIONS)
        return dberr_set(err, DB_ELIMIT, "a batch holds at most %d sessions", BATCH_MAX_SESSIONS);
    uint64_t total = 0;
    for (uint32_t i = 0; i < n_sessions; i++) {
        const BatchSession *bs = &sessions[i];
        if (check_session(bs, i, err) != DB_OK)
            return DB_EINVAL;
        if (bs->count == 0)
            return dberr_set(err, DB_EINVAL, "batch session %u: has no records", i);
        total += bs->count;
    }
    if (total > BATCH_MAX_RECORDS)
        return dberr_set(err, DB_ELIMIT, "a batch holds at most %d records", BATCH_MAX_RECORDS);
    BatchWriter *w = calloc(1, sizeof *w);
    if (!w)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    w->body_state = (crypto_generichash_state *)(void *)(w->state_space +
                                                        (64 - (uintptr_t)w->state_space % 64) % 64);
    w->want = calloc(n_sessions, sizeof *w->want);
    w->seen = calloc(n_sessions, sizeof *w->seen);
    if (!w->want || !w->seen) {
        batch_writer_free(w);
        return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    w->id = id;
    w->sink = sink;
    w->ctx = ctx;
    w->n_sessions = n_sessions;
    w->records_left = total;
    crypto_generichash_init(w->body_state, NULL, 0, 64);

    uint8_t head[BATCH_HEADER_BYTES + 2];
    memcpy(head, BATCH_MAGIC, 4);
    head[4] = BATCH_VERSION;
    keys_identity_public(id, head + 5);
    put_u64(head + 5 + KEY_SIGN_PUBLIC_BYTES, number);
    memcpy(head + 13 + KEY_SIGN_PUBLIC_BYTES, prev_hash, BATCH_HASH_BYTES);
    put_u16(head + BATCH_HEADER_BYTES, (uint16_t)n_sessions);
    int rc = writer_emit(w, head, sizeof head, err);
    for (uint32_t i = 0; rc == DB_OK && i < n_sessions; i++) {
        const BatchSession *bs = &sessions[i];
        uint8_t e[1 + SESSION_LABEL_MAX + SESSION_DATE_LEN + 1 + SESSION_ID_MAX + 8], *p = e;
        size_t n = strlen(bs->label);
        *p++ = (uint8_t)n;
        memcpy(p, bs->label, n);
        p += n;
        memcpy(p, bs->date, SESSION_DATE_LEN);
        p += SESSION_DATE_LEN;
        n = strlen(bs->survey_id);
        *p++ = (uint8_t)n;
        memcpy(p, bs->survey_id, n);
        p += n;
        put_u32(p, bs->survey_version);
        put_u32(p + 4, bs->count);
        p += 8;
        w->want[i] = bs->count;
        rc = writer_emit(w, e, (size_t)(p - e), err);
    }
    uint8_t count[4];
    put_u32(count, (uint32_t)total);
    if (rc == DB_OK)
        rc = writer_emit(w, count, sizeof count, err);
    if (rc != DB_OK) {
        batch_writer_free(w);
        return rc;
    }
    *out = w;
    return DB_OK;
}

int batch_writer_add_record(BatchWriter *w, uint32_t session, const uint8_t *rec, size_t len,
                            DbError *err)
{
    if (w->failed)
        return dberr_set(err, DB_ESTATE, "the batch writer failed earlier");
    if (session >= w->n_sessions)
        return dberr_set(err, DB_EINVAL, "record names session %u, but the batch has %u",
                         session, w->n_sessions);
    if (len == 0 || len > SEAL_MAX_RECORD)
        return dberr_set(err, DB_ELIMIT, "record of %zu bytes (must be 1 to %d)", len,
                         SEAL_MAX_RECORD);
    if (w->seen[session] >= w->want[session])
        return dberr_set(err, DB_EINVAL, "more records for batch session %u than its count of %u",
                         session, w->want[session]);
    int added = idset_add_record(&w->ids, rec, len, 0);
    if (added > 0)
        return dberr_set(err, DB_EINVAL, "record is not a sealed response record");
    if (added < 0)
        return dberr_set(err, DB_ELIMIT,
                         "the records of one batch are sealed to at most %d different keys",
                         BATCH_MAX_RECIPIENTS);
    uint8_t h[RECORD_HEADER_BYTES];
    put_u16(h, (uint16_t)session);
    put_u32(h + 2, (uint32_t)len);
    int rc = writer_emit(w, h, sizeof h, err);
    if (rc == DB_OK)
        rc = writer_emit(w, rec, len, err);
    if (rc == DB_OK) {
        w->seen[session]++;
        w->records_left--;
    }
    return rc;
}

int batch_writer_add_key(BatchWriter *w, const KeyPublic *key, DbError *err)
{
    return keys_add(w->keys, &w->n_keys, key, err);
}

/* Emits the recipients section: the ids the records named, ascending, each with its public
 * key when one was added (batch_writer_add_key), else zeros. */
static int emit_recipients(BatchWriter *w, DbError *err)
{
    uint8_t sorted[BATCH_MAX_RECIPIENTS][KEY_ID_BYTES];
    memcpy(sorted, w->ids.id, sizeof sorted);
    qsort(sorted, (size_t)w->ids.n, KEY_ID_BYTES, id_cmp);
    uint8_t count = (uint8_t)w->ids.n;
    int rc = writer_emit(w, &count, 1, err);
    for (int i = 0; rc == DB_OK && i < w->ids.n; i++) {
        uint8_t e[RECIPIENT_BYTES];
        memset(e, 0, sizeof e);
        memcpy(e, sorted[i], KEY_ID_BYTES);
        for (int k = 0; k < w->n_keys; k++) {
            uint8_t id[KEY_ID_BYTES];
            keys_public_id(&w->keys[k], id);
            if (memcmp(id, sorted[i], KEY_ID_BYTES) == 0) {
                memcpy(e + KEY_ID_BYTES, w->keys[k].pk, KEY_PUBLIC_BYTES);
                memcpy(e + KEY_ID_BYTES + KEY_PUBLIC_BYTES, w->keys[k].sign_pk,
                       KEY_SIGN_PUBLIC_BYTES);
                break;
            }
        }
        rc = writer_emit(w, e, sizeof e, err);
    }
    return rc;
}

int batch_writer_finish(BatchWriter *w, uint8_t hash[BATCH_HASH_BYTES], uint64_t *total_len,
                        DbError *err)
{
    if (w->failed)
        return dberr_set(err, DB_ESTATE, "the batch writer failed earlier");
    if (w->records_left != 0) {
        for (uint32_t i = 0; i < w->n_sessions; i++)
            if (w->seen[i] != w->want[i])
                return dberr_set(err, DB_EINVAL, "batch session %u got %u of its %u records", i,
                                 w->seen[i], w->want[i]);
    }
    int rc = emit_recipients(w, err);
    if (rc == DB_OK)
        rc = writer_flush(w, err);
    if (rc != DB_OK)
        return rc;
    uint8_t msg[BATCH_SIGNED_CONTEXT_BYTES + 64], sig[KEY_SIGNATURE_BYTES];
    signed_message(w->body_state, msg);
    keys_identity_sign(w->id, msg, sizeof msg, sig);
    hash_of(msg + BATCH_SIGNED_CONTEXT_BYTES, sig, sizeof sig, hash);
    w->failed = 1; /* finished: no more records */
    if ((rc = w->sink(w->ctx, sig, sizeof sig, err)) != DB_OK)
        return rc;
    if (total_len)
        *total_len = w->bytes + sizeof sig;
    return DB_OK;
}

/* --- builder: collects in memory, then writes through the streaming writer --- */

typedef struct MemSink {
    uint8_t *buf;
    size_t len, cap;
} MemSink;

static int mem_sink(void *ctx, const uint8_t *data, size_t len, DbError *err)
{
    MemSink *m = ctx;
    if (len > m->cap - m->len)
        return dberr_set(err, DB_EINVAL, "batch larger than computed"); /* cannot happen */
    memcpy(m->buf + m->len, data, len);
    m->len += len;
    return DB_OK;
}

int batch_builder_finish(BatchBuilder *b, const KeyIdentity *id, uint8_t **out, size_t *out_len,
                         uint8_t hash[BATCH_HASH_BYTES], DbError *err)
{
    *out = NULL;
    *out_len = 0;
    if (b->n_sessions == 0)
        return dberr_set(err, DB_EINVAL, "a batch needs at least one session");
    size_t total = BATCH_HEADER_BYTES + 2;
    for (uint32_t i = 0; i < b->n_sessions; i++) {
        if (b->sessions[i].count == 0)
            return dberr_set(err, DB_EINVAL, "batch session %u has no records", i);
        total += session_encoded_size(&b->sessions[i]);
    }
    IdSet ids = {0};
    for (size_t off = 0; off < b->body_len;) {
        size_t len = get_u32(b->body + off + 2);
        if (idset_add_record(&ids, b->body + off + RECORD_HEADER_BYTES, len, 0) < 0)
            return dberr_set(err, DB_ELIMIT,
                             "the records of one batch are sealed to at most %d different keys",
                             BATCH_MAX_RECIPIENTS);
        off += RECORD_HEADER_BYTES + len;
    }
    total += 4 + b->body_len + 1 + (size_t)ids.n * RECIPIENT_BYTES + KEY_SIGNATURE_BYTES;
    if (total > BATCH_MAX_BYTES)
        return dberr_set(err, DB_ELIMIT, "a batch file is at most %u bytes", BATCH_MAX_BYTES);
    MemSink m = {.buf = malloc(total), .cap = total};
    if (!m.buf)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    BatchWriter *w = NULL;
    int rc = batch_writer_new(b->number, b->prev_hash, b->sessions, b->n_sessions, id, mem_sink,
                              &m, &w, err);
    for (int i = 0; rc == DB_OK && i < b->n_keys; i++)
        rc = batch_writer_add_key(w, &b->keys[i], err);
    /* The body holds records already encoded (session u16, length u32, bytes). */
    for (size_t off = 0; rc == DB_OK && off < b->body_len;) {
        uint32_t sess = get_u16(b->body + off);
        size_t len = get_u32(b->body + off + 2);
        rc = batch_writer_add_record(w, sess, b->body + off + RECORD_HEADER_BYTES, len, err);
        off += RECORD_HEADER_BYTES + len;
    }
    if (rc == DB_OK)
        rc = batch_writer_finish(w, hash, NULL, err);
    batch_writer_free(w);
    if (rc != DB_OK) {
        free(m.buf);
        return rc;
    }
    *out = m.buf;
    *out_len = m.len;
    return DB_OK;
}

void batch_builder_free(BatchBuilder *b)
{
    if (!b)
        return;
    free(b->sessions);
    free(b->body);
    free(b);
}

/* --- parser --- */

static int parse_recipients(const char *name, const uint8_t *data, Batch *b, DbError *err);

typedef struct Reader {
    const char *name;
    const uint8_t *data;
    size_t len, off;
    DbError *err;
} Reader;

/* DB_OK if n more bytes are there, else DB_EFORMAT naming what was cut off. */
static int need(Reader *r, size_t n, const char *what)
{
    if (r->len - r->off >= n)
        return DB_OK;
    return dberr_set(r->err, DB_EFORMAT,
                     "%s: offset %zu: %s runs past the end of the file (%zu bytes needed, %zu "
                     "left): the file is truncated",
                     r->name, r->off, what, n, r->len - r->off);
}

static int bad(Reader *r, size_t off, const char *what)
{
    return dberr_set(r->err, DB_EFORMAT, "%s: offset %zu: %s", r->name, off, what);
}

static int parse_session(Reader *r, uint32_t index, BatchSession *s)
{
    char what[64];
    snprintf(what, sizeof what, "session %u", index);
    size_t start = r->off;
    if (need(r, 1, what) != DB_OK)
        return DB_EFORMAT;
    size_t n = r->data[r->off];
    DbError field;
    if (need(r, 1 + n, what) != DB_OK)
        return DB_EFORMAT;
    if (session_label_check((const char *)r->data + r->off + 1, n, &field) != DB_OK)
        return bad(r, start, field.msg);
    memcpy(s->label, r->data + r->off + 1, n);
    s->label[n] = '\0';
    r->off += 1 + n;
    if (need(r, SESSION_DATE_LEN + 1, what) != DB_OK)
        return DB_EFORMAT;
    if (session_date_check((const char *)r->data + r->off, SESSION_DATE_LEN, &field) != DB_OK)
        return bad(r, r->off, field.msg);
    memcpy(s->date, r->data + r->off, SESSION_DATE_LEN);
    s->date[SESSION_DATE_LEN] = '\0';
    r->off += SESSION_DATE_LEN;
    n = r->data[r->off];
    if (need(r, 1 + n + 8, what) != DB_OK)
        return DB_EFORMAT;
    if (session_survey_id_check((const char *)r->data + r->off + 1, n, &field) != DB_OK)
        return bad(r, r->off, field.msg);
    memcpy(s->survey_id, r->data + r->off + 1, n);
    s->survey_id[n] = '\0';
    r->off += 1 + n;
    s->survey_version = get_u32(r->data + r->off);
    s->count = get_u32(r->data + r->off + 4);
    if (s->count == 0)
        return bad(r, r->off + 4, "a session in a batch must have at least one record");
    r->off += 8;
    return DB_OK;
}

void batch_hash_digested(const uint8_t digest[BATCH_DIGEST_BYTES],
                         const uint8_t sig[KEY_SIGNATURE_BYTES], uint8_t hash[BATCH_HASH_BYTES])
{
    hash_of(digest, sig, KEY_SIGNATURE_BYTES, hash);
}

int batch_verify_digested(const char *name, const uint8_t digest[BATCH_DIGEST_BYTES],
                          const uint8_t sig[KEY_SIGNATURE_BYTES],
                          const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES],
                          uint8_t hash[BATCH_HASH_BYTES], DbError *err)
{
    uint8_t msg[BATCH_SIGNED_CONTEXT_BYTES + BATCH_DIGEST_BYTES];
    memcpy(msg, BATCH_SIGNED_CONTEXT, BATCH_SIGNED_CONTEXT_BYTES);
    memcpy(msg + BATCH_SIGNED_CONTEXT_BYTES, digest, BATCH_DIGEST_BYTES);
    if (keys_signature_verify(kiosk_pk, msg, sizeof msg, sig) != 0)
        return dberr_set(err, DB_EAUTH,
                         "%s: signature does not verify: the batch was altered or is not from "
                         "this kiosk",
                         name);
    hash_of(digest, sig, KEY_SIGNATURE_BYTES, hash);
    return DB_OK;
}

/* Checks the signature (data's last 64 bytes) over the digest of the signed part. */
static int verify_digest(const char *name, const uint8_t *data, size_t len,
                         const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES],
                         const uint8_t digest[BATCH_DIGEST_BYTES], uint8_t hash[BATCH_HASH_BYTES],
                         DbError *err)
{
    return batch_verify_digested(name, digest, data + len - KEY_SIGNATURE_BYTES, kiosk_pk, hash,
                                 err);
}

/* Checks the signature (the file's last 64 bytes) by kiosk_pk and fills hash. */
static int batch_verify(const char *name, const uint8_t *data, size_t len,
                        const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES],
                        uint8_t hash[BATCH_HASH_BYTES], DbError *err)
{
    memset(hash, 0, BATCH_HASH_BYTES);
    if (len < KEY_SIGNATURE_BYTES)
        return dberr_set(err, DB_EFORMAT, "%s: the file is too short to hold a signature", name);
    /* One pass over the bytes gives the digest that is signed and that the hash uses. */
    uint8_t digest[BATCH_DIGEST_BYTES];
    crypto_generichash(digest, sizeof digest, data, len - KEY_SIGNATURE_BYTES, NULL, 0);
    return verify_digest(name, data, len, kiosk_pk, digest, hash, err);
}

int batch_parse(const char *name, const uint8_t *data, size_t len, Batch *out, DbError *err)
{
    int rc = batch_parse_unverified(name, data, len, out, err);
    if (rc != DB_OK)
        return rc;
    rc = batch_verify(name, data, len, out->kiosk_pk, out->hash, err);
    if (rc == DB_OK)
        rc = parse_recipients(name, data, out, err);
    if (rc != DB_OK)
        batch_free(out);
    return rc;
}

int batch_parse_digested(const char *name, const uint8_t *data, size_t len,
                         const uint8_t digest[BATCH_DIGEST_BYTES], Batch *out, DbError *err)
{
    int rc = batch_parse_unverified(name, data, len, out, err);
    if (rc != DB_OK)
        return rc;
    if (len < KEY_SIGNATURE_BYTES) /* never a parsed batch; batch_verify's message */
        rc = dberr_set(err, DB_EFORMAT, "%s: the file is too short to hold a signature", name);
    else
        rc = verify_digest(name, data, len, out->kiosk_pk, digest, out->hash, err);
    if (rc == DB_OK)
        rc = parse_recipients(name, data, out, err);
    if (rc != DB_OK)
        batch_free(out);
    return rc;
}

struct BatchDigest {
    crypto_generichash_state st; /* 64-byte aligned: hence aligned_alloc */
};

BatchDigest *batch_digest_new(void)
{
    size_t align = _Alignof(BatchDigest), size = (sizeof(BatchDigest) + align - 1) / align * align;
    BatchDigest *d = aligned_alloc(align, size);
    if (d)
        crypto_generichash_init(&d->st, NULL, 0, BATCH_DIGEST_BYTES);
    return d;
}

void batch_digest_update(BatchDigest *d, const uint8_t *data, size_t len)
{
    crypto_generichash_update(&d->st, data, len);
}

void batch_digest_final(BatchDigest *d, uint8_t digest[BATCH_DIGEST_BYTES])
{
    crypto_generichash_final(&d->st, digest, BATCH_DIGEST_BYTES);
}

void batch_digest_free(BatchDigest *d)
{
    free(d);
}

/* After the signature verified: what the batch says about its recipients (b->recipients).
 * Version 2: every record is a sealed record, and the section after the records lists, in
 * ascending order, exactly the key ids their slots name, each with a matching, usable public
 * key or zeros. Version 1: the ids the records' slots name, without keys. Checked only once
 * the bytes are known to be the kiosk's, so that an altered byte anywhere is reported as
 * what it is (the signature does not verify); a failure here is a faulty writer's. */
static int parse_recipients(const char *name, const uint8_t *data, Batch *b, DbError *err)
{
    IdSet ids = {0};
    for (uint32_t i = 0; i < b->n_records; i++) {
        const BatchRecord *rec = &b->records[i];
        size_t start = (size_t)(rec->data - data) - RECORD_HEADER_BYTES;
        int added = idset_add_record(&ids, rec->data, rec->len, i);
        if (added > 0 && b->version >= 2) /* version 1: nobody can open it; it names nobody */
            return dberr_set(err, DB_EFORMAT,
                             "%s: offset %zu: record %u is not a sealed response record", name,
                             start, i);
        if (added < 0)
            return dberr_set(err, DB_EFORMAT,
                             "%s: offset %zu: record %u is sealed to more keys than the %d "
                             "different ones a batch may name",
                             name, start, i, BATCH_MAX_RECIPIENTS);
    }
    if (b->version < 2) {
        b->recipients = calloc(ids.n ? (size_t)ids.n : 1, sizeof *b->recipients);
        if (!b->recipients)
            return dberr_set(err, DB_ENOMEM, "out of memory");
        for (int i = 0; i < ids.n; i++)
            memcpy(b->recipients[i].id, ids.id[i], KEY_ID_BYTES);
        b->n_recipients = (uint32_t)ids.n;
        qsort(b->recipients, b->n_recipients, sizeof *b->recipients, id_cmp);
        return DB_OK;
    }
    /* The section follows the last record (a batch has at least one); its length was
     * checked with the structure. */
    const BatchRecord *last = &b->records[b->n_records - 1];
    size_t off = (size_t)(last->data + last->len - data);
    uint32_t n = data[off++];
    b->recipients = calloc(n, sizeof *b->recipients);
    if (!b->recipients)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    static const uint8_t zero[KEY_PUBLIC_BYTES + KEY_SIGN_PUBLIC_BYTES];
    for (uint32_t i = 0; i < n; i++, off += RECIPIENT_BYTES) {
        const uint8_t *e = data + off;
        BatchRecipient *br = &b->recipients[i];
        char hex[KEY_ID_HEX_SIZE];
        memcpy(br->id, e, KEY_ID_BYTES);
        keys_id_hex(br->id, hex);
        if (i > 0 && memcmp(br[-1].id, br->id, KEY_ID_BYTES) >= 0)
            return dberr_set(err, DB_EFORMAT,
                             "%s: offset %zu: recipient %u: key ids must be in ascending order "
                             "without repeats",
                             name, off, i);
        if (memcmp(e + KEY_ID_BYTES, zero, sizeof zero) != 0) {
            memcpy(br->key.pk, e + KEY_ID_BYTES, KEY_PUBLIC_BYTES);
            memcpy(br->key.sign_pk, e + KEY_ID_BYTES + KEY_PUBLIC_BYTES, KEY_SIGN_PUBLIC_BYTES);
            uint8_t id[KEY_ID_BYTES];
            keys_public_id(&br->key, id);
            if (memcmp(id, br->id, KEY_ID_BYTES) != 0)
                return dberr_set(err, DB_EFORMAT,
                                 "%s: offset %zu: recipient %u: key id %s is not that of the "
                                 "public key next to it",
                                 name, off, i, hex);
            if (keys_public_check(&br->key) != 0)
                return dberr_set(err, DB_EFORMAT,
                                 "%s: offset %zu: recipient %u: not a usable public key", name,
                                 off + KEY_ID_BYTES, i);
            br->known = 1;
        }
        int j = 0;
        while (j < ids.n && memcmp(ids.id[j], br->id, KEY_ID_BYTES) != 0)
            j++;
        if (j == ids.n)
            return dberr_set(err, DB_EFORMAT,
                             "%s: offset %zu: recipient %u (key id %s) opens no record of the "
                             "batch",
                             name, off, i, hex);
        b->n_recipients = i + 1;
    }
    /* Every listed id is among the records' and the list has no repeats: the records name
     * more only if there are more of theirs. */
    for (int j = 0; (uint32_t)ids.n > n && j < ids.n; j++) {
        if (bsearch(ids.id[j], b->recipients, n, sizeof *b->recipients, id_cmp))
            continue;
        char hex[KEY_ID_HEX_SIZE];
        keys_id_hex(ids.id[j], hex);
        const BatchRecord *rec = &b->records[ids.first[j]];
        return dberr_set(err, DB_EFORMAT,
                         "%s: offset %zu: record %u is sealed to key id %s, which the batch "
                         "does not list among its recipients",
                         name, (size_t)(rec->data - data) - RECORD_HEADER_BYTES, ids.first[j],
                         hex);
    }
    return DB_OK;
}

int batch_parse_unverified(const char *name, const uint8_t *data, size_t len, Batch *out,
                           DbError *err)
{
    memset(out, 0, sizeof *out);
    Reader r = {name, data, len, 0, err};
    if (len > BATCH_MAX_BYTES)
        return dberr_set(err, DB_ELIMIT, "%s: %zu bytes, more than the limit of %u", name, len,
                         BATCH_MAX_BYTES);
    if (len < 4 || memcmp(data, BATCH_MAGIC, 4) != 0) {
        if (len >= 4 && memcmp(data, ACK_MAGIC, 4) == 0)
            return bad(&r, 0, "is an acknowledgement file, not a batch");
        return bad(&r, 0, "not a Debrief batch file (expected \"" BATCH_MAGIC "\")");
    }
    r.off = 4;
    if (need(&r, 1, "version") != DB_OK)
        return DB_EFORMAT;
    if (data[4] != BATCH_VERSION && data[4] != BATCH_VERSION_OLD)
        return dberr_set(err, DB_EFORMAT,
                         "%s: offset 4: unsupported batch version %u (this Debrief reads "
                         "versions %d and %d)",
                         name, data[4], BATCH_VERSION_OLD, BATCH_VERSION);
    r.off = 5;
    if (need(&r, BATCH_HEADER_BYTES - 5 + 2, "header") != DB_OK)
        return DB_EFORMAT;
    Batch b;
    memset(&b, 0, sizeof b);
    b.version = data[4];
    memcpy(b.kiosk_pk, data + 5, KEY_SIGN_PUBLIC_BYTES);
    size_t off_number = 5 + KEY_SIGN_PUBLIC_BYTES;
    b.number = get_u64(data + off_number);
    memcpy(b.prev_hash, data + off_number + 8, BATCH_HASH_BYTES);
    if (b.number == 0 || b.number > INT64_MAX)
        return bad(&r, off_number, "batch number must be between 1 and 2^63 - 1");
    if (b.number == 1 && !is_zero(b.prev_hash, BATCH_HASH_BYTES))
        return bad(&r, off_number + 8, "batch 1 must have an all-zero previous hash");
    if (b.number > 1 && is_zero(b.prev_hash, BATCH_HASH_BYTES))
        return bad(&r, off_number + 8, "a batch after the first must name the previous hash");
    r.off = BATCH_HEADER_BYTES;
    b.n_sessions = get_u16(data + r.off);
    if (b.n_sessions == 0 || b.n_sessions > BATCH_MAX_SESSIONS)
        return dberr_set(err, DB_EFORMAT, "%s: offset %zu: session count %u is not within 1..%d",
                         name, r.off, b.n_sessions, BATCH_MAX_SESSIONS);
    r.off += 2;
    /* Each session takes at least 1 + 1 + 10 + 1 + 1 + 8 bytes: refuse a count the file
     * cannot hold before allocating for it. */
    if ((size_t)b.n_sessions * 22 > len - r.off)
        return dberr_set(err, DB_EFORMAT,
                         "%s: offset %zu: %u sessions cannot fit in the rest of the file: the "
                         "file is truncated",
                         name, r.off - 2, b.n_sessions);
    int rc = DB_OK;
    uint32_t *seen = NULL;
    b.sessions = calloc(b.n_sessions, sizeof *b.sessions);
    if (!b.sessions)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    uint64_t total = 0;
    for (uint32_t i = 0; i < b.n_sessions; i++) {
        if ((rc = parse_session(&r, i, &b.sessions[i])) != DB_OK)
            goto fail;
        total += b.sessions[i].count;
    }
    if ((rc = need(&r, 4, "record count")) != DB_OK)
        goto fail;
    size_t off_count = r.off;
    b.n_records = get_u32(data + r.off);
    r.off += 4;
    if (b.n_records > BATCH_MAX_RECORDS) {
        rc = dberr_set(err, DB_EFORMAT, "%s: offset %zu: record count %u exceeds the limit of %d",
                       name, off_count, b.n_records, BATCH_MAX_RECORDS);
        goto fail;
    }
    if (total != b.n_records) {
        rc = dberr_set(err, DB_EFORMAT,
                       "%s: offset %zu: record count %u does not match the sessions' total of "
                       "%llu",
                       name, off_count, b.n_records, (unsigned long long)total);
        goto fail;
    }
    if ((size_t)b.n_records * (RECORD_HEADER_BYTES + 1) > len - r.off) {
        rc = dberr_set(err, DB_EFORMAT,
                       "%s: offset %zu: %u records cannot fit in the rest of the file: the file "
                       "is truncated",
                       name, off_count, b.n_records);
        goto fail;
    }
    b.records = calloc(b.n_records, sizeof *b.records);
    seen = calloc(b.n_sessions, sizeof *seen);
    if (!b.records || !seen) {
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < b.n_records; i++) {
        char what[64];
        snprintf(what, sizeof what, "record %u", i);
        size_t start = r.off;
        if ((rc = need(&r, RECORD_HEADER_BYTES, what)) != DB_OK)
            goto fail;
        uint32_t sess = get_u16(data + r.off);
        uint32_t rlen = get_u32(data + r.off + 2);
        if (sess >= b.n_sessions) {
            rc = dberr_set(err, DB_EFORMAT, "%s: offset %zu: record %u names session %u, but the "
                                            "batch has %u",
                           name, start, i, sess, b.n_sessions);
            goto fail;
        }
        if (rlen == 0 || rlen > SEAL_MAX_RECORD) {
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: offset %zu: record %u has length %u, outside 1..%d", name,
                           start + 2, i, rlen, SEAL_MAX_RECORD);
            goto fail;
        }
        r.off += RECORD_HEADER_BYTES;
        if ((rc = need(&r, rlen, what)) != DB_OK)
            goto fail;
        if (++seen[sess] > b.sessions[sess].count) {
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: offset %zu: record %u is one more than session %u's count of %u",
                           name, start, i, sess, b.sessions[sess].count);
            goto fail;
        }
        b.records[i].session = sess;
        b.records[i].data = data + r.off;
        b.records[i].len = rlen;
        r.off += rlen;
    }
    /* The per-session tallies cannot fall short here: they add up to n_records, which equals
     * the sessions' total, and none exceeds its count. */
    if (b.version >= 2) { /* the recipients section: its length here, its content later */
        size_t start = r.off;
        if ((rc = need(&r, 1, "recipient count")) != DB_OK)
            goto fail;
        uint32_t n = data[r.off];
        if (n == 0 || n > BATCH_MAX_RECIPIENTS) {
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: offset %zu: recipient count %u is not within 1..%d", name, start,
                           n, BATCH_MAX_RECIPIENTS);
            goto fail;
        }
        r.off++;
        if ((rc = need(&r, (size_t)n * RECIPIENT_BYTES, "the recipients section")) != DB_OK)
            goto fail;
        r.off += (size_t)n * RECIPIENT_BYTES;
    }
    if (len - r.off < KEY_SIGNATURE_BYTES) {
        rc = dberr_set(err, DB_EFORMAT,
                       "%s: offset %zu: the signature is cut off (%zu of %d bytes): the file is "
                       "truncated",
                       name, r.off, len - r.off, KEY_SIGNATURE_BYTES);
        goto fail;
    }
    if (len - r.off > KEY_SIGNATURE_BYTES) {
        rc = dberr_set(err, DB_EFORMAT, "%s: offset %zu: %zu unexpected bytes after the signature",
                       name, r.off + KEY_SIGNATURE_BYTES, len - r.off - KEY_SIGNATURE_BYTES);
        goto fail;
    }
    /* The signature is the last 64 bytes: batch_verify checks it. */
    free(seen);
    *out = b;
    return DB_OK;
fail:
    free(seen);
    batch_free(&b);
    return rc;
}

void batch_free(Batch *b)
{
    if (!b)
        return;
    free(b->sessions);
    free(b->records);
    free(b->recipients);
    b->sessions = NULL;
    b->records = NULL;
    b->recipients = NULL;
    b->n_sessions = b->n_records = b->n_recipients = 0;
}

void batch_recipient_name(const BatchRecipient *r, char out[BATCH_RECIPIENT_NAME_SIZE])
{
    if (r->known) {
        keys_public_fingerprint(&r->key, out);
        return;
    }
    char hex[KEY_ID_HEX_SIZE];
    keys_id_hex(r->id, hex);
    snprintf(out, BATCH_RECIPIENT_NAME_SIZE, "key id %s", hex);
}

void batch_recipients_describe(const Batch *b, char *out, size_t cap)
{
    if (cap == 0)
        return;
    snprintf(out, cap, "%s", b->n_recipients ? "" : "none");
    size_t used = strlen(out);
    for (uint32_t i = 0; i < b->n_recipients; i++) {
        char name[BATCH_RECIPIENT_NAME_SIZE];
        batch_recipient_name(&b->recipients[i], name);
        int n = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", name);
        if (n < 0 || (size_t)n >= cap - used) {
            if (cap > 4)
                memcpy(out + cap - 4, "...", 4);
            return;
        }
        used += (size_t)n;
    }
}

int batch_check_recipients(const char *name, const Batch *b, const KeyPublic *expected,
                           int n_expected, DbError *err)
{
    char others[DBERR_MSG_MAX / 2] = "", want[5 * KEY_FINGERPRINT_SIZE] = "";
    size_t o = 0;
    int n_other = 0;
    for (uint32_t i = 0; i < b->n_recipients; i++) {
        const BatchRecipient *br = &b->recipients[i];
        int ok = 0;
        for (int j = 0; j < n_expected && !ok; j++) {
            uint8_t id[KEY_ID_BYTES];
            keys_public_id(&expected[j], id);
            /* A known key must match whole: the id is only 64 bits of its X25519 half. */
            ok = memcmp(id, br->id, KEY_ID_BYTES) == 0 &&
                 (!br->known || memcmp(&br->key, &expected[j], sizeof br->key) == 0);
        }
        if (ok)
            continue;
        char what[64], hex[KEY_ID_HEX_SIZE];
        keys_id_hex(br->id, hex);
        if (br->known) {
            char fp[KEY_FINGERPRINT_SIZE];
            keys_public_fingerprint(&br->key, fp);
            snprintf(what, sizeof what, "%s (key id %s)", fp, hex);
        } else {
            snprintf(what, sizeof what, "key id %s", hex);
        }
        if (o < sizeof others)
            o += (size_t)snprintf(others + o, sizeof others - o, "%s%s", n_other ? ", " : "",
                                  what);
        n_other++;
    }
    if (n_other == 0)
        return DB_OK;
    size_t w = 0;
    for (int j = 0; j < n_expected && w < sizeof want; j++) {
        char fp[KEY_FINGERPRINT_SIZE];
        keys_public_fingerprint(&expected[j], fp);
        w += (size_t)snprintf(want + w, sizeof want - w, "%s%s", j ? ", " : "", fp);
    }
    return dberr_set(err, DB_ESTATE,
                     "%s: responses are sealed to %s that %s not expected: %s; whoever holds "
                     "%s can read them (expected: %s)",
                     name, n_other == 1 ? "a key" : "keys", n_other == 1 ? "was" : "were", others,
                     n_other == 1 ? "it" : "them", n_expected ? want : "none");
}

/* --- acknowledgements --- */

static int entry_cmp(const void *a, const void *b)
{
    uint64_t x = ((const AckEntry *)a)->number, y = ((const AckEntry *)b)->number;
    return x < y ? -1 : x > y;
}

int ack_build(const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES], const AckEntry *entries,
              uint32_t n_entries, const KeySecret *analyst, uint8_t **out, size_t *out_len,
              DbError *err)
{
    *out = NULL;
    *out_len = 0;
    if (n_entries == 0 || n_entries > ACK_MAX_ENTRIES)
        return dberr_set(err, DB_EINVAL, "an acknowledgement lists 1 to %d batches",
                         ACK_MAX_ENTRIES);
    AckEntry *sorted = malloc(n_entries * sizeof *sorted);
    if (!sorted)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    memcpy(sorted, entries, n_entries * sizeof *sorted);
    qsort(sorted, n_entries, sizeof *sorted, entry_cmp);
    for (uint32_t i = 0; i < n_entries; i++) {
        if (sorted[i].number == 0 || sorted[i].number > INT64_MAX ||
            (i > 0 && sorted[i].number == sorted[i - 1].number)) {
            free(sorted);
            return dberr_set(err, DB_EINVAL,
                             "acknowledged batch numbers must be distinct and at least 1");
        }
    }
    size_t total = ACK_HEADER_BYTES + (size_t)n_entries * ACK_ENTRY_BYTES + KEY_SIGNATURE_BYTES;
    uint8_t *buf = malloc(total);
    if (!buf) {
        free(sorted);
        return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    KeyPublic pub;
    keys_secret_public(analyst, &pub);
    memcpy(buf, ACK_MAGIC, 4);
    buf[4] = ACK_VERSION;
    memcpy(buf + 5, kiosk_pk, KEY_SIGN_PUBLIC_BYTES);
    memcpy(buf + 5 + KEY_SIGN_PUBLIC_BYTES, pub.sign_pk, KEY_SIGN_PUBLIC_BYTES);
    put_u32(buf + 5 + 2 * KEY_SIGN_PUBLIC_BYTES, n_entries);
    uint8_t *p = buf + ACK_HEADER_BYTES;
    for (uint32_t i = 0; i < n_entries; i++) {
        put_u64(p, sorted[i].number);
        memcpy(p + 8, sorted[i].hash, BATCH_HASH_BYTES);
        p += ACK_ENTRY_BYTES;
    }
    free(sorted);
    keys_secret_sign(analyst, buf, (size_t)(p - buf), p);
    *out = buf;
    *out_len = total;
    return DB_OK;
}

int ack_parse(const char *name, const uint8_t *data, size_t len,
              const uint8_t analyst_pk[KEY_SIGN_PUBLIC_BYTES], Ack *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    Reader r = {name, data, len, 0, err};
    if (len < 4 || memcmp(data, ACK_MAGIC, 4) != 0) {
        if (len >= 4 && memcmp(data, BATCH_MAGIC, 4) == 0)
            return bad(&r, 0, "is a batch file, not an acknowledgement");
        return bad(&r, 0, "not a Debrief acknowledgement file (expected \"" ACK_MAGIC "\")");
    }
    r.off = 4;
    if (need(&r, 1, "version") != DB_OK)
        return DB_EFORMAT;
    if (data[4] != ACK_VERSION)
        return dberr_set(err, DB_EFORMAT,
                         "%s: offset 4: unsupported acknowledgement version %u (this Debrief "
                         "reads version %d)",
                         name, data[4], ACK_VERSION);
    r.off = 5;
    if (need(&r, ACK_HEADER_BYTES - 5, "header") != DB_OK)
        return DB_EFORMAT;
    size_t off_count = ACK_HEADER_BYTES - 4;
    uint32_t n = get_u32(data + off_count);
    if (n == 0 || n > ACK_MAX_ENTRIES)
        return dberr_set(err, DB_EFORMAT, "%s: offset %zu: entry count %u is not within 1..%d",
                         name, off_count, n, ACK_MAX_ENTRIES);
    r.off = ACK_HEADER_BYTES;
    size_t body = (size_t)n * ACK_ENTRY_BYTES;
    if (need(&r, body, "the entries") != DB_OK)
        return DB_EFORMAT;
    r.off += body;
    if (len - r.off < KEY_SIGNATURE_BYTES)
        return dberr_set(err, DB_EFORMAT,
                         "%s: offset %zu: the signature is cut off (%zu of %d bytes): the file "
                         "is truncated",
                         name, r.off, len - r.off, KEY_SIGNATURE_BYTES);
    if (len - r.off > KEY_SIGNATURE_BYTES)
        return dberr_set(err, DB_EFORMAT, "%s: offset %zu: %zu unexpected bytes after the signature",
                         name, r.off + KEY_SIGNATURE_BYTES, len - r.off - KEY_SIGNATURE_BYTES);
    const uint8_t *p = data + ACK_HEADER_BYTES;
    for (uint32_t i = 0; i < n; i++, p += ACK_ENTRY_BYTES) {
        uint64_t num = get_u64(p);
        size_t off = (size_t)(p - data);
        if (num == 0 || num > INT64_MAX)
            return bad(&r, off, "batch number must be between 1 and 2^63 - 1");
        if (i > 0 && num <= get_u64(p - ACK_ENTRY_BYTES))
            return bad(&r, off, "batch numbers must be in increasing order without repeats");
    }
    /* Both checks before anything is returned; the signer must be the expected analyst. */
    if (sodium_memcmp(data + 5 + KEY_SIGN_PUBLIC_BYTES, analyst_pk, KEY_SIGN_PUBLIC_BYTES) != 0 ||
        keys_signature_verify(analyst_pk, data, r.off, data + r.off) != 0)
        return dberr_set(err, DB_EAUTH, "%s: %s", name, DBERR_AUTH_MSG);
    Ack a;
    memset(&a, 0, sizeof a);
    a.entries = malloc((size_t)n * sizeof *a.entries);
    if (!a.entries)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    memcpy(a.kiosk_pk, data + 5, KEY_SIGN_PUBLIC_BYTES);
    memcpy(a.analyst_pk, data + 5 + KEY_SIGN_PUBLIC_BYTES, KEY_SIGN_PUBLIC_BYTES);
    a.n_entries = n;
    p = data + ACK_HEADER_BYTES;
    for (uint32_t i = 0; i < n; i++, p += ACK_ENTRY_BYTES) {
        a.entries[i].number = get_u64(p);
        memcpy(a.entries[i].hash, p + 8, BATCH_HASH_BYTES);
    }
    *out = a;
    return DB_OK;
}

void ack_free(Ack *a)
{
    if (!a)
        return;
    free(a->entries);
    a->entries = NULL;
    a->n_entries = 0;
}
