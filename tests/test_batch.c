/* test_batch: batch files and acknowledgements: round trips, known-answer vectors, every
 * byte flipped, every truncation, forged and foreign acknowledgements, exact messages.
 *
 * The vectors tests/vectors/batch-1.dbb and ack-1.dba are signed with the committed kiosk
 * identity (kiosk.id) and analyst key (analyst.key); Ed25519 is deterministic, so building
 * them again must give the same bytes. A difference keeps the bytes built for
 * tools/regen-golden, which rewrites the vectors (then update the hex in docs/FORMAT.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "fsutil.h"
#include "keys.h"
#include "secmem.h"
#include "testlib.h"
#include "vectors/vectors.h"

#define VEC_BATCH "batch-1.dbb"
#define VEC_ACK "ack-1.dba"

static char vecdir[1024];
static char tmpdir[256];
static KeyIdentity *g_kiosk;   /* the vector kiosk identity */
static KeySecret *g_analyst;   /* the vector analyst key */
static KeyIdentity *g_other;   /* a fresh, unrelated kiosk */
static KeySecret *g_mallory;   /* a fresh, unrelated analyst */

static void vec_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", vecdir, name);
}

static uint8_t *read_vec(const char *name, size_t *len)
{
    char path[1100];
    vec_path(path, sizeof path, name);
    uint8_t *d = NULL;
    DbError err;
    if (fs_read_file(path, 1 << 20, 0, &d, len, &err) != DB_OK) {
        fprintf(stderr, "cannot read test vector: %s\n", err.msg);
        exit(1);
    }
    return d;
}

static void setup(void)
{
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(vecdir, sizeof vecdir, "%s/tests/vectors", src ? src : "..");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/debrief-test-batch-%d", (int)getpid());
    DbError err;
    if (fs_mkdir_p(tmpdir, 0700, &err) != DB_OK)
        exit(1);
    /* git does not keep mode 0600, which the identity loader insists on: copy it. */
    size_t len;
    uint8_t *id = read_vec(VEC_KIOSK_ID, &len);
    char path[512];
    snprintf(path, sizeof path, "%s/kiosk.id", tmpdir);
    int created = 0;
    if (fs_write_atomic(path, id, len, 0600, &err) != DB_OK ||
        keys_identity_load_or_create(path, &g_kiosk, &created, &err) != DB_OK || created) {
        fprintf(stderr, "kiosk identity vector: %s\n", err.msg);
        exit(1);
    }
    free(id);
    snprintf(path, sizeof path, "%s/other.id", tmpdir);
    char keypath[1100];
    vec_path(keypath, sizeof keypath, VEC_ANALYST_KEY);
    KeyPublic pub;
    if (keys_identity_load_or_create(path, &g_other, &created, &err) != DB_OK ||
        keys_secret_read(keypath, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &g_analyst, &err) !=
            DB_OK ||
        keys_generate(&pub, &g_mallory, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        exit(1);
    }
}

static void teardown(void)
{
    keys_identity_free(g_kiosk);
    keys_identity_free(g_other);
    keys_secret_free(g_analyst);
    keys_secret_free(g_mallory);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

static BatchSession session(const char *label, const char *date, const char *survey,
                            uint32_t version)
{
    BatchSession s;
    memset(&s, 0, sizeof s);
    snprintf(s.label, sizeof s.label, "%s", label);
    snprintf(s.date, sizeof s.date, "%s", date);
    snprintf(s.survey_id, sizeof s.survey_id, "%s", survey);
    s.survey_version = version;
    return s;
}

/* The known-answer batch: batch 1 of the vector kiosk, one session, two tiny records. */
static int build_vector_batch(uint8_t **out, size_t *len, uint8_t hash[BATCH_HASH_BYTES])
{
    uint8_t zero[BATCH_HASH_BYTES] = {0};
    BatchBuilder *b = NULL;
    DbError err;
    uint32_t s0;
    BatchSession s = session("Group 2", "2024-05-14", "ccdg", 1);
    int rc = batch_builder_new(1, zero, &b, &err);
    if (rc == DB_OK)
        rc = batch_builder_add_session(b, &s, &s0, &err);
    if (rc == DB_OK)
        rc = batch_builder_add_record(b, s0, (const uint8_t *)"\x01\x02\x03", 3, &err);
    if (rc == DB_OK)
        rc = batch_builder_add_record(b, s0, (const uint8_t *)"\xff", 1, &err);
    if (rc == DB_OK)
        rc = batch_builder_finish(b, g_kiosk, out, len, hash, &err);
    if (rc != DB_OK)
        fprintf(stderr, "build_vector_batch: %s\n", err.msg);
    batch_builder_free(b);
    return rc;
}

/* A batch with three sessions and records of varied lengths, in a chosen order. */
static int build_multi(const KeyIdentity *id, uint64_t number, const uint8_t prev[32],
                       uint8_t **out, size_t *len, uint8_t hash[BATCH_HASH_BYTES])
{
    BatchBuilder *b = NULL;
    DbError err;
    int rc = batch_builder_new(number, prev, &b, &err);
    uint32_t idx[3];
    BatchSession ss[3] = {session("Group 1", "2024-05-13", "ccdg", 1),
                          session("Gruppe 2 (Zürich)", "2024-05-14", "ccdg", 1),
                          session("G3", "2024-06-01", "other_survey", 7)};
    for (int i = 0; i < 3 && rc == DB_OK; i++)
        rc = batch_builder_add_session(b, &ss[i], &idx[i], &err);
    static const int order[10] = {2, 0, 1, 1, 0, 2, 0, 1, 0, 0};
    for (int i = 0; i < 10 && rc == DB_OK; i++) {
        uint8_t rec[300];
        size_t n = 1 + (size_t)i * 29;
        memset(rec, 'a' + i, n);
        rc = batch_builder_add_record(b, idx[order[i]], rec, n, &err);
    }
    if (rc == DB_OK)
        rc = batch_builder_finish(b, id, out, len, hash, &err);
    if (rc != DB_OK)
        fprintf(stderr, "build_multi: %s\n", err.msg);
    batch_builder_free(b);
    return rc;
}

static void test_round_trip(void)
{
    uint8_t zero[32] = {0}, hash[32], hash2[32];
    uint8_t *data = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    CHECK(build_multi(g_kiosk, 1, zero, &data, &len, hash) == DB_OK);
    CHECK(build_multi(g_kiosk, 1, zero, &again, &len2, hash2) == DB_OK);
    CHECK(len == len2 && memcmp(data, again, len) == 0); /* deterministic */
    CHECK(memcmp(hash, hash2, 32) == 0);
    Batch b;
    DbError err;
    CHECK(batch_parse("t.dbb", data, len, &b, &err) == DB_OK);
    uint8_t pk[32];
    keys_identity_public(g_kiosk, pk);
    CHECK(memcmp(b.kiosk_pk, pk, 32) == 0);
    CHECK(b.number == 1 && memcmp(b.prev_hash, zero, 32) == 0);
    CHECK(memcmp(b.hash, hash, 32) == 0);
    uint8_t h[32];
    batch_hash(data, len, h);
    CHECK(memcmp(h, hash, 32) == 0);
    CHECK(b.n_sessions == 3 && b.n_records == 10);
    CHECK_STR(b.sessions[1].label, "Gruppe 2 (Zürich)");
    CHECK_STR(b.sessions[2].survey_id, "other_survey");
    CHECK_STR(b.sessions[2].date, "2024-06-01");
    CHECK(b.sessions[2].survey_version == 7);
    CHECK(b.sessions[0].count == 5 && b.sessions[1].count == 3 && b.sessions[2].count == 2);
    static const int order[10] = {2, 0, 1, 1, 0, 2, 0, 1, 0, 0};
    int ok = 1;
    for (int i = 0; i < 10; i++) {
        ok &= b.records[i].session == (uint32_t)order[i];
        ok &= b.records[i].len == 1 + (size_t)i * 29;
        ok &= b.records[i].data[0] == 'a' + i && b.records[i].data[b.records[i].len - 1] == 'a' + i;
    }
    CHECK(ok);
    batch_free(&b);

    /* Chained: batch 2 names batch 1's hash. */
    uint8_t *d2 = NULL;
    size_t l2 = 0;
    uint8_t hash3[32];
    CHECK(build_multi(g_kiosk, 2, hash, &d2, &l2, hash3) == DB_OK);
    CHECK(batch_parse("t2.dbb", d2, l2, &b, &err) == DB_OK);
    CHECK(b.number == 2 && memcmp(b.prev_hash, hash, 32) == 0);
    batch_free(&b);
    free(d2);
    free(data);
    free(again);
}

static void test_builder_refuses(void)
{
    uint8_t zero[32] = {0}, nz[32];
    memset(nz, 7, sizeof nz);
    BatchBuilder *b = NULL;
    DbError err;
    CHECK(batch_builder_new(0, zero, &b, &err) == DB_EINVAL && b == NULL);
    CHECK(batch_builder_new(1, nz, &b, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "batch 1 must have an all-zero previous hash");
    CHECK(batch_builder_new(2, zero, &b, &err) == DB_EINVAL);
    CHECK(batch_builder_new(1, zero, &b, &err) == DB_OK);
    uint32_t idx;
    BatchSession s = session("G", "2024-13-01", "ccdg", 1);
    CHECK(batch_builder_add_session(b, &s, &idx, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "batch session 0: session date 2024-13-01 is not a day of the calendar");
    s = session("G", "2024-01-01", "CCDG", 1);
    CHECK(batch_builder_add_session(b, &s, &idx, &err) == DB_EINVAL);
    s = session("G", "2024-01-01", "ccdg", 1);
    CHECK(batch_builder_add_session(b, &s, &idx, &err) == DB_OK && idx == 0);
    CHECK(batch_builder_add_record(b, 1, (const uint8_t *)"x", 1, &err) == DB_EINVAL);
    CHECK(batch_builder_add_record(b, 0, (const uint8_t *)"x", 0, &err) == DB_ELIMIT);
    uint8_t *out = NULL;
    size_t len;
    uint8_t h[32];
    CHECK(batch_builder_finish(b, g_kiosk, &out, &len, h, &err) == DB_EINVAL && out == NULL);
    CHECK_STR(err.msg, "batch session 0 has no records");
    batch_builder_free(b);
    batch_builder_free(NULL);
}

/* Every single-byte change and every truncation of a small batch fails to parse. */
static void test_tamper_and_truncate(void)
{
    uint8_t *data = NULL, hash[32];
    size_t len = 0;
    CHECK(build_vector_batch(&data, &len, hash) == DB_OK);
    uint8_t *copy = malloc(len + 1);
    Batch b;
    DbError err;
    int flips_caught = 1, auth = 0, fmt = 0;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(copy, data, len);
            copy[i] ^= (uint8_t)(1u << bit);
            int rc = batch_parse("t.dbb", copy, len, &b, &err);
            if (rc == DB_OK) {
                flips_caught = 0;
                fprintf(stderr, "flip at %zu bit %d not caught\n", i, bit);
                batch_free(&b);
            }
            auth += rc == DB_EAUTH;
            fmt += rc == DB_EFORMAT;
        }
    }
    CHECK(flips_caught);
    CHECK(auth > 0 && fmt > 0); /* both kinds of check were exercised */
    int truncs_caught = 1;
    for (size_t n = 0; n < len; n++) {
        int rc = batch_parse("t.dbb", data, n, &b, &err);
        if (rc != DB_EFORMAT) {
            truncs_caught = 0;
            fprintf(stderr, "truncation to %zu not caught (rc %d)\n", n, rc);
        }
    }
    CHECK(truncs_caught);
    memcpy(copy, data, len);
    copy[len] = 0;
    CHECK(batch_parse("t.dbb", copy, len + 1, &b, &err) == DB_EFORMAT);
    char want[128];
    snprintf(want, sizeof want, "t.dbb: offset %zu: 1 unexpected bytes after the signature",
             len);
    CHECK_STR(err.msg, want);
    free(copy);
    free(data);
}

static void test_parse_messages(void)
{
    uint8_t *data = NULL, hash[32];
    size_t len = 0;
    CHECK(build_vector_batch(&data, &len, hash) == DB_OK);
    Batch b;
    DbError err;
    /* Layout of the vector: header 77, session count 2, session 1+7+10+1+4+8 = 31,
     * record count 4 (offset 110), record 0 at 114 (6 + 3), record 1 at 123 (6 + 1),
     * signature at 130, total 194. */
    CHECK(len == 194);
    CHECK(batch_parse("b.dbb", (const uint8_t *)"nope", 4, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 0: not a Debrief batch file (expected \"DBRB\")");
    CHECK(batch_parse("b.dbb", data, 3, &b, &err) == DB_EFORMAT);
    CHECK(batch_parse("b.dbb", data, 120, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 110: 2 records cannot fit in the rest of the file: the "
                       "file is truncated");
    CHECK(batch_parse("b.dbb", data, 128, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 123: record 1 runs past the end of the file (6 bytes "
                       "needed, 5 left): the file is truncated");
    CHECK(batch_parse("b.dbb", data, 150, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 130: the signature is cut off (20 of 64 bytes): the file "
                       "is truncated");
    uint8_t *c = malloc(len);
    memcpy(c, data, len);
    c[4] = 2;
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 4: unsupported batch version 2 (this Debrief reads "
                       "version 1)");
    memcpy(c, data, len);
    c[113] = 3; /* record count 3, sessions say 2 */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 110: record count 3 does not match the sessions' total of 2");
    memcpy(c, data, len);
    c[115] = 1; /* record 0 names session 1 */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "b.dbb: offset 114: record 0 names session 1, but the batch has 1");
    memcpy(c, data, len);
    c[160] ^= 1; /* inside the signature */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EAUTH);
    CHECK_STR(err.msg, "b.dbb: signature does not verify: the batch was altered or is not from "
                       "this kiosk");
    memcpy(c, data, len);
    c[10] ^= 1; /* kiosk key */
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EAUTH);
    /* A hostile record count cannot make the parser allocate for it. */
    memcpy(c, data, len);
    c[107] = c[108] = 0xff; /* session count 0xffff... count field of session 0 */
    c[110] = 0x00;
    c[111] = 0x0f;
    c[112] = 0x42;
    c[113] = 0x40;
    CHECK(batch_parse("b.dbb", c, len, &b, &err) == DB_EFORMAT);
    free(c);
    free(data);
}

static void test_known_answer_batch(void)
{
    uint8_t *data = NULL, hash[32];
    size_t len = 0;
    CHECK(build_vector_batch(&data, &len, hash) == DB_OK);
    DbError err;
    size_t vlen;
    uint8_t *vec = read_vec(VEC_BATCH, &vlen);
    CHECK(vlen == len && memcmp(vec, data, len) == 0);
    if (vlen != len || memcmp(vec, data, len) != 0)
        test_keep_actual("tests/vectors/" VEC_BATCH, NULL, data, len);
    Batch b;
    CHECK(batch_parse(VEC_BATCH, vec, vlen, &b, &err) == DB_OK);
    CHECK(b.number == 1 && b.n_sessions == 1 && b.n_records == 2);
    CHECK_STR(b.sessions[0].label, "Group 2");
    CHECK(b.records[0].len == 3 && b.records[1].len == 1 && b.records[1].data[0] == 0xff);
    char fp[KEY_FINGERPRINT_SIZE], want[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(b.kiosk_pk, 32, fp);
    uint8_t pk[32];
    keys_identity_public(g_kiosk, pk);
    keys_fingerprint(pk, 32, want);
    CHECK_STR(fp, want);
    batch_free(&b);
    free(vec);
    free(data);
}

static void test_known_answer_ack(void)
{
    uint8_t *batch = NULL, hash[32];
    size_t blen = 0;
    CHECK(build_vector_batch(&batch, &blen, hash) == DB_OK);
    uint8_t pk[32];
    keys_identity_public(g_kiosk, pk);
    AckEntry e = {.number = 1};
    memcpy(e.hash, hash, 32);
    uint8_t *data = NULL;
    size_t len = 0;
    DbError err;
    CHECK(ack_build(pk, &e, 1, g_analyst, &data, &len, &err) == DB_OK);
    CHECK(len == 73 + 40 + 64);
    size_t vlen;
    uint8_t *vec = read_vec(VEC_ACK, &vlen);
    CHECK(vlen == len && memcmp(vec, data, len) == 0);
    if (vlen != len || memcmp(vec, data, len) != 0)
        test_keep_actual("tests/vectors/" VEC_ACK, NULL, data, len);
    KeyPublic apub;
    keys_secret_public(g_analyst, &apub);
    Ack a;
    CHECK(ack_parse(VEC_ACK, vec, vlen, apub.sign_pk, &a, &err) == DB_OK);
    CHECK(a.n_entries == 1 && a.entries[0].number == 1 && memcmp(a.entries[0].hash, hash, 32) == 0);
    CHECK(memcmp(a.kiosk_pk, pk, 32) == 0 && memcmp(a.analyst_pk, apub.sign_pk, 32) == 0);
    ack_free(&a);
    free(vec);
    free(data);
    free(batch);
}

/* A sink that keeps the bytes, the chunk count, and fails after fail_after chunks. */
typedef struct TestSink {
    uint8_t buf[600000];
    size_t len;
    int chunks, fail_after;
} TestSink;

static int test_sink(void *ctx, const uint8_t *data, size_t len, DbError *err)
{
    TestSink *t = ctx;
    if (t->fail_after >= 0 && t->chunks >= t->fail_after)
        return dberr_set(err, DB_ENOSPC, "sink: disk full");
    if (len > sizeof t->buf - t->len)
        return dberr_set(err, DB_ELIMIT, "sink: too much");
    memcpy(t->buf + t->len, data, len);
    t->len += len;
    t->chunks++;
    return DB_OK;
}

/* The streaming writer gives the known-answer bytes and hash, and a large batch in several
 * chunks that parses; it refuses wrong counts; a sink error stops it. */
static void test_streaming_writer(void)
{
    static TestSink t;
    uint8_t zero[32] = {0}, hash[32], vhash[32];
    DbError err;
    BatchSession s = session("Group 2", "2024-05-14", "ccdg", 1);
    s.count = 2;
    BatchWriter *w = NULL;
    t.len = 0;
    t.chunks = 0;
    t.fail_after = -1;
    CHECK(batch_writer_new(1, zero, &s, 1, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    CHECK(batch_writer_add_record(w, 0, (const uint8_t *)"\x01\x02\x03", 3, &err) == DB_OK);
    CHECK(batch_writer_add_record(w, 0, (const uint8_t *)"\xff", 1, &err) == DB_OK);
    CHECK(batch_writer_add_record(w, 0, (const uint8_t *)"\xff", 1, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "more records for batch session 0 than its count of 2");
    uint64_t total = 0;
    CHECK(batch_writer_finish(w, hash, &total, &err) == DB_OK && total == 194);
    batch_writer_free(w);
    size_t vlen;
    uint8_t *vec = read_vec(VEC_BATCH, &vlen);
    CHECK(vec && t.len == vlen && memcmp(t.buf, vec, vlen) == 0);
    batch_hash(vec, vlen, vhash);
    CHECK(memcmp(hash, vhash, 32) == 0);
    /* The hash commits to the signed part and to the signature bytes alike. */
    vec[0] ^= 1;
    batch_hash(vec, vlen, hash);
    CHECK(memcmp(hash, vhash, 32) != 0);
    vec[0] ^= 1;
    vec[vlen - 1] ^= 1;
    batch_hash(vec, vlen, hash);
    CHECK(memcmp(hash, vhash, 32) != 0);
    free(vec);

    /* Too few records: finish names the session. */
    CHECK(batch_writer_new(1, zero, &s, 1, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    CHECK(batch_writer_add_record(w, 0, (const uint8_t *)"\xff", 1, &err) == DB_OK);
    CHECK(batch_writer_finish(w, hash, NULL, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "batch session 0 got 1 of its 2 records");
    batch_writer_free(w);
    s.count = 0;
    CHECK(batch_writer_new(1, zero, &s, 1, g_kiosk, test_sink, &t, &w, &err) == DB_EINVAL &&
          !w);
    CHECK_STR(err.msg, "batch session 0: has no records");

    /* 2 x 200 records of 1,000 bytes: more than one buffer, two sessions interleaved. */
    BatchSession two[2] = {session("A", "2024-05-14", "ccdg", 1),
                           session("B", "2024-05-15", "ccdg", 2)};
    two[0].count = two[1].count = 200;
    t.len = 0;
    t.chunks = 0;
    CHECK(batch_writer_new(1, zero, two, 2, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    uint8_t rec[1000];
    for (int i = 0; i < 400; i++) {
        memset(rec, i & 0xff, sizeof rec);
        CHECK(batch_writer_add_record(w, (uint32_t)(i & 1), rec, sizeof rec, &err) == DB_OK);
    }
    CHECK(batch_writer_finish(w, hash, &total, &err) == DB_OK && total == t.len);
    batch_writer_free(w);
    CHECK(t.chunks >= 2);
    Batch b;
    CHECK(batch_parse("big.dbb", t.buf, t.len, &b, &err) == DB_OK);
    CHECK(b.n_records == 400 && memcmp(b.hash, hash, 32) == 0 && b.records[399].data[0] == 143);
    batch_free(&b);
    t.buf[t.len / 2] ^= 1; /* inside a record */
    CHECK(batch_parse("big.dbb", t.buf, t.len, &b, &err) == DB_EAUTH);

    /* The sink fails (a full stick): the error comes back and the writer is done. */
    t.len = 0;
    t.chunks = 0;
    t.fail_after = 0;
    CHECK(batch_writer_new(1, zero, two, 2, g_kiosk, test_sink, &t, &w, &err) == DB_OK);
    int rc = DB_OK;
    for (int i = 0; i < 400 && rc == DB_OK; i++)
        rc = batch_writer_add_record(w, (uint32_t)(i & 1), rec, sizeof rec, &err);
    CHECK(rc == DB_ENOSPC);
    CHECK_STR(err.msg, "sink: disk full");
    CHECK(batch_writer_finish(w, hash, NULL, &err) == DB_ESTATE);
    batch_writer_free(w);
}

/* The two halves of batch_parse: structure without the signature, then the signature. */
static void test_parse_in_two_halves(void)
{
    size_t vlen;
    uint8_t *vec = read_vec(VEC_BATCH, &vlen);
    uint8_t hash[32], want[32], zero[32] = {0};
    DbError err;
    Batch b;
    CHECK(vec && batch_parse_unverified(VEC_BATCH, vec, vlen, &b, &err) == DB_OK);
    CHECK(b.n_records == 2 && memcmp(b.hash, zero, 32) == 0);
    CHECK(batch_verify(VEC_BATCH, vec, vlen, b.kiosk_pk, hash, &err) == DB_OK);
    batch_hash(vec, vlen, want);
    CHECK(memcmp(hash, want, 32) == 0);
    vec[121] ^= 1; /* a record byte: the structure still parses, the signature does not */
    Batch t;
    CHECK(batch_parse_unverified(VEC_BATCH, vec, vlen, &t, &err) == DB_OK);
    batch_free(&t);
    CHECK(batch_verify(VEC_BATCH, vec, vlen, b.kiosk_pk, hash, &err) == DB_EAUTH);
    CHECK_STR(err.msg, VEC_BATCH ": signature does not verify: the batch was altered or is not "
                       "from this kiosk");
    CHECK(memcmp(hash, zero, 32) == 0);
    CHECK(batch_parse(VEC_BATCH, vec, vlen, &t, &err) == DB_EAUTH && t.records == NULL);
    batch_free(&b);
    free(vec);
}

static void test_ack_round_trip_and_forgery(void)
{
    uint8_t pk[32];
    keys_identity_public(g_kiosk, pk);
    AckEntry e[3] = {{.number = 5}, {.number = 2}, {.number = 9}};
    for (int i = 0; i < 3; i++)
        memset(e[i].hash, 0x30 + i, 32);
    uint8_t *data = NULL;
    size_t len = 0;
    DbError err;
    CHECK(ack_build(pk, e, 3, g_analyst, &data, &len, &err) == DB_OK);
    KeyPublic apub, mpub;
    keys_secret_public(g_analyst, &apub);
    keys_secret_public(g_mallory, &mpub);
    Ack a;
    CHECK(ack_parse("a.dba", data, len, apub.sign_pk, &a, &err) == DB_OK);
    CHECK(a.n_entries == 3 && a.entries[0].number == 2 && a.entries[1].number == 5 &&
          a.entries[2].number == 9); /* sorted */
    CHECK(a.entries[0].hash[0] == 0x31);
    ack_free(&a);
    ack_free(NULL);

    /* Verified with a different analyst's key: one message, no oracle. */
    CHECK(ack_parse("a.dba", data, len, mpub.sign_pk, &a, &err) == DB_EAUTH);
    CHECK_STR(err.msg, "a.dba: " DBERR_AUTH_MSG);
    /* Signed by another key that claims to be the analyst (signer field rewritten). */
    uint8_t *forged = NULL;
    size_t flen = 0;
    CHECK(ack_build(pk, e, 3, g_mallory, &forged, &flen, &err) == DB_OK);
    memcpy(forged + 37, apub.sign_pk, 32);
    CHECK(ack_parse("f.dba", forged, flen, apub.sign_pk, &a, &err) == DB_EAUTH);
    CHECK_STR(err.msg, "f.dba: " DBERR_AUTH_MSG);
    free(forged);

    /* Every flipped byte and every truncation fails. */
    uint8_t *c = malloc(len);
    int caught = 1;
    for (size_t i = 0; i < len; i++) {
        memcpy(c, data, len);
        c[i] ^= 0x01;
        if (ack_parse("a.dba", c, len, apub.sign_pk, &a, &err) == DB_OK) {
            caught = 0;
            ack_free(&a);
        }
    }
    for (size_t n = 0; n < len; n++)
        if (ack_parse("a.dba", data, n, apub.sign_pk, &a, &err) == DB_OK) {
            caught = 0;
            ack_free(&a);
        }
    CHECK(caught);
    free(c);

    /* Duplicate numbers and empty lists are refused at build time. */
    AckEntry dup[2] = {{.number = 3}, {.number = 3}};
    uint8_t *o = NULL;
    size_t ol;
    CHECK(ack_build(pk, dup, 2, g_analyst, &o, &ol, &err) == DB_EINVAL && o == NULL);
    CHECK(ack_build(pk, dup, 0, g_analyst, &o, &ol, &err) == DB_EINVAL);

    /* A batch is not an acknowledgement and vice versa. */
    uint8_t zero[32] = {0}, h[32];
    uint8_t *bd = NULL;
    size_t bl;
    CHECK(build_multi(g_other, 1, zero, &bd, &bl, h) == DB_OK);
    CHECK(ack_parse("x", bd, bl, apub.sign_pk, &a, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "x: offset 0: is a batch file, not an acknowledgement");
    Batch b;
    CHECK(batch_parse("y", data, len, &b, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "y: offset 0: is an acknowledgement file, not a batch");
    free(bd);
    free(data);
}

int main(void)
{
    if (secmem_init() != 0)
        return 1;
    setup();
    RUN(test_round_trip);
    RUN(test_builder_refuses);
    RUN(test_tamper_and_truncate);
    RUN(test_parse_messages);
    RUN(test_known_answer_batch);
    RUN(test_known_answer_ack);
    RUN(test_streaming_writer);
    RUN(test_parse_in_two_halves);
    RUN(test_ack_round_trip_and_forgery);
    teardown();
    return test_report();
}
