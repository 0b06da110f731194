/* test_analysis: batches built with the real builder and sealed to a test key -> import ->
 * CSV (golden file) -> report (golden numbers from the sidecar); every bad input of issue 5
 * (wrong key, another recipient, unknown kiosk, tampered, truncated, replayed, spliced,
 * forked, gap, unreadable, unknown survey) gives one clear message and leaves the analysis
 * database byte for byte unchanged.
 *
 * Regenerate the golden files with tools/regen-golden (then review the diff).
 */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "batch.h"
#include "coord.h"
#include "fsutil.h"
#include "import_internal.h"
#include "keys.h"
#include "recipients.h"
#include "response.h"
#include "seal.h"
#include "secmem.h"
#include "stats.h"
#include "store.h"
#include "testlib.h"

static char g_root[256];
static Survey *g_survey;
static AnalysisSurveyFile g_survey_file;
static KeyPublic g_pub, g_mallory_pub;
static KeySecret *g_sec, *g_mallory;
static KeyIdentity *g_kiosk_a, *g_kiosk_b;

static void rm_rf(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "command failed: %s\n", cmd);
}

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", g_root, name);
}

/* One synthetic response. Likert/role: 0 unanswered, -1 declined, else the value (role: 1..2).
 * topics: 0 unanswered, -1 declined, else a bit mask of options. */
typedef struct TResp {
    const char *label, *date;
    int unc, emp, role, topics;
    const char *why, *comment;
    int lang;
} TResp;

#define G1 "Group 1", "2024-05-14"
#define G2 "Group 2", "2024-05-14"
#define G3 "Group 3", "2024-05-21"

/* 24 responses: uncertainty agreeing 5/9, 4/6, 9/9 like the paper's Table 2. */
static const TResp g_data[] = {
    {G1, 5, 4, 1, 1, NULL, "Good group, thanks", 0},
    {G1, 4, 4, 1, 3, NULL, NULL, 0},
    {G1, 4, 5, 2, 0, NULL, "=SUM(A1:A9)", 0},
    {G1, 5, 3, 1, 4, NULL, NULL, 1},
    {G1, 4, -1, -1, -1, NULL, NULL, 0},
    {G1, 3, 4, 1, 2, NULL, "Too short, \"rushed\"", 0},
    {G1, 2, 4, 2, 1, "More time,\nplease", NULL, 0},
    {G1, 1, 2, 1, 6, "Structure", "@home -- later", 0},
    {G1, 3, 5, 0, 0, NULL, NULL, 0},
    {G2, 4, 3, 1, 1, NULL, NULL, 0},
    {G2, 5, 4, 1, 1, NULL, "Grüße aus der Pflege", 1},
    {G2, 4, 2, 2, 2, NULL, NULL, 0},
    {G2, 4, 5, 1, 0, NULL, NULL, 0},
    {G2, 2, 4, 1, 4, "Nothing", NULL, 0},
    {G2, 3, 3, -1, 0, NULL, NULL, 0},
    {G3, 5, 5, 1, 1, NULL, NULL, 0},
    {G3, 5, 5, 1, 7, NULL, "+1 for this", 0},
    {G3, 4, 4, 2, 2, NULL, NULL, 0},
    {G3, 4, 5, 1, 0, NULL, NULL, 0},
    {G3, 5, 4, 1, 1, NULL, NULL, 0},
    {G3, 4, 5, 1, 1, NULL, NULL, 0},
    {G3, 5, 4, 2, 0, NULL, NULL, 0},
    {G3, 5, 5, 1, 4, NULL, "-", 0},
    {G3, 4, 4, 1, 1, NULL, NULL, 0},
};
#define N_DATA ((int)(sizeof g_data / sizeof g_data[0]))

static void encode_one(const TResp *t, uint8_t *plain, size_t cap, size_t *len)
{
    Response *r = NULL;
    DbError err;
    CHECK(response_new(g_survey, t->lang, &r, &err) == DB_OK);
    int q_unc = survey_find_question(g_survey, "uncertainty");
    int q_emp = survey_find_question(g_survey, "empathy");
    int q_why = survey_find_question(g_survey, "why");
    int q_role = survey_find_question(g_survey, "role");
    int q_topics = survey_find_question(g_survey, "topics");
    int q_comment = survey_find_question(g_survey, "comment");
    if (t->unc > 0)
        CHECK(response_set_likert(r, q_unc, t->unc, &err) == DB_OK);
    else if (t->unc < 0)
        CHECK(response_decline(r, q_unc, &err) == DB_OK);
    if (t->emp > 0)
        CHECK(response_set_likert(r, q_emp, t->emp, &err) == DB_OK);
    else if (t->emp < 0)
        CHECK(response_decline(r, q_emp, &err) == DB_OK);
    if (t->why)
        CHECK(response_set_text(r, q_why, t->why, &err) == DB_OK);
    if (t->role > 0)
        CHECK(response_set_single(r, q_role, t->role - 1, &err) == DB_OK);
    else if (t->role < 0)
        CHECK(response_decline(r, q_role, &err) == DB_OK);
    if (t->topics > 0) {
        for (int o = 0; o < 3; o++)
            if ((t->topics >> o) & 1)
                CHECK(response_toggle_multi(r, q_topics, o, &err) == DB_OK);
    } else if (t->topics < 0) {
        CHECK(response_decline(r, q_topics, &err) == DB_OK);
    }
    if (t->comment)
        CHECK(response_set_text(r, q_comment, t->comment, &err) == DB_OK);
    ResponseContext ctx = {t->label, t->date};
    int rc = response_encode(r, &ctx, plain, cap, len, &err);
    if (rc != DB_OK)
        fprintf(stderr, "encode: %s\n", err.msg);
    CHECK(rc == DB_OK);
    response_free(r);
}

/* Builds a batch of responses rs[0..n) (sessions in order of first appearance), sealed to
 * `to`, signed by kiosk id, written to NAME in g_root. batch_label, if non-NULL, overrides the
 * session label the batch lists (the records keep theirs). */
static void make_batch_to(const char *name, KeyIdentity *id, uint64_t number,
                          const uint8_t prev[BATCH_HASH_BYTES], const KeyPublic *to, int n_to,
                          int name_keys, const TResp *rs, int n, const char *batch_label,
                          uint8_t hash[BATCH_HASH_BYTES])
{
    DbError err;
    BatchBuilder *b = NULL;
    CHECK(batch_builder_new(number, prev, &b, &err) == DB_OK);
    for (int k = 0; name_keys && k < n_to; k++)
        CHECK(batch_builder_add_key(b, &to[k], &err) == DB_OK);
    const char *labels[16];
    uint32_t idx[16];
    int n_sessions = 0;
    uint8_t *plain = secmem_alloc(g_survey->record_size);
    size_t rec_cap = seal_record_size(g_survey->record_size, n_to);
    uint8_t *rec = malloc(rec_cap);
    for (int i = 0; i < n; i++) {
        int s = 0;
        while (s < n_sessions && strcmp(labels[s], rs[i].label) != 0)
            s++;
        if (s == n_sessions) {
            BatchSession bs;
            memset(&bs, 0, sizeof bs);
            snprintf(bs.label, sizeof bs.label, "%s", batch_label ? batch_label : rs[i].label);
            snprintf(bs.date, sizeof bs.date, "%s", rs[i].date);
            snprintf(bs.survey_id, sizeof bs.survey_id, "%s", g_survey->id);
            bs.survey_version = g_survey->version;
            CHECK(batch_builder_add_session(b, &bs, &idx[s], &err) == DB_OK);
            labels[s] = rs[i].label;
            n_sessions++;
        }
        size_t plen, rlen;
        encode_one(&rs[i], plain, g_survey->record_size, &plen);
        CHECK(seal_record(plain, plen, g_survey->record_size, to, n_to, rec, rec_cap, &rlen,
                          &err) == DB_OK);
        CHECK(batch_builder_add_record(b, idx[s], rec, rlen, &err) == DB_OK);
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(batch_builder_finish(b, id, &out, &out_len, hash, &err) == DB_OK);
    char path[512];
    path_in(path, sizeof path, name);
    CHECK(fs_write_atomic(path, out, out_len, 0644, &err) == DB_OK);
    free(out);
    free(rec);
    secmem_free(plain);
    batch_builder_free(b);
}

/* make_batch_to for one key the batch names by id only (as a version 1 batch, or a kiosk
 * that did not know the key). */
static void make_batch(const char *name, KeyIdentity *id, uint64_t number,
                       const uint8_t prev[BATCH_HASH_BYTES], const KeyPublic *to, const TResp *rs,
                       int n, const char *batch_label, uint8_t hash[BATCH_HASH_BYTES])
{
    make_batch_to(name, id, number, prev, to, 1, 0, rs, n, batch_label, hash);
}

/* --- generated responses for any survey (two survey versions, full disk, the benchmark) --- */

typedef struct GenSession {
    const Survey *sv;
    const char *label, *date;
    int n;
} GenSession;

/* A deterministic, plausible response number i: ratings mostly agreeing, every choice
 * question answered, some declined, a comment on every third. */
static void gen_encode(const Survey *sv, int i, const char *label, const char *date, uint8_t *plain,
                       size_t cap, size_t *len)
{
    Response *r = NULL;
    DbError err;
    CHECK(response_new(sv, i % 4 == 3 && sv->n_langs > 1 ? 1 : 0, &r, &err) == DB_OK);
    if (!r)
        return;
    for (int q = 0; q < sv->n_questions; q++) {
        const SurveyQuestion *sq = &sv->questions[q];
        if (!response_visible(r, q))
            continue;
        if (sq->prefer_not && (i * 3 + q) % 13 == 0) {
            CHECK(response_decline(r, q, &err) == DB_OK);
            continue;
        }
        switch (sq->kind) {
        case SURVEY_LIKERT:
            CHECK(response_set_likert(r, q, 1 + (2 + (i * 5 + q * 3) % 7) % sq->scale, &err) ==
                  DB_OK);
            break;
        case SURVEY_SINGLE:
            CHECK(response_set_single(r, q, (i + q) % sq->n_options, &err) == DB_OK);
            break;
        case SURVEY_MULTI:
            CHECK(response_toggle_multi(r, q, (i + q) % sq->n_options, &err) == DB_OK);
            break;
        case SURVEY_TEXT:
            if (i % 3 == 0) {
                char t[64];
                snprintf(t, sizeof t, "Comment %d on %s", i, sq->id);
                CHECK(response_set_text(r, q, t, &err) == DB_OK);
            }
            break;
        }
    }
    ResponseContext ctx = {label, date};
    CHECK(response_encode(r, &ctx, plain, cap, len, &err) == DB_OK);
    response_free(r);
}

/* The kiosk identity kept in the test directory as file (made on first use); NULL on failure. */
static KeyIdentity *test_kiosk(const char *file)
{
    char path[512];
    KeyIdentity *k = NULL;
    int created;
    DbError err;
    path_in(path, sizeof path, file);
    CHECK(keys_identity_load_or_create(path, &k, &created, &err) == DB_OK);
    return k;
}

/* When set, every other record is padded to this size instead of its survey's record size
 * (as a kiosk's store holds records sealed before the record size changed). */
static size_t g_old_padding;

/* Writes a batch with the given sessions (each with its own survey) to path. The records
 * whose indexes are in bad[0..n_bad) are sealed to the analyst but altered before the kiosk
 * signs the batch, so they fail to open (and only at step 7: they name the right key). */
static void make_gen_batch(const char *path, KeyIdentity *id, uint64_t number,
                           const uint8_t prev[BATCH_HASH_BYTES], const GenSession *ss, int n_ss,
                           const int *bad, int n_bad, uint8_t hash[BATCH_HASH_BYTES])
{
    DbError err;
    BatchBuilder *b = NULL;
    CHECK(batch_builder_new(number, prev, &b, &err) == DB_OK);
    uint8_t *plain = secmem_alloc(SEAL_MAX_PADDED);
    uint8_t *rec = malloc(seal_record_size(SEAL_MAX_PADDED, 1));
    int k = 0;
    for (int s = 0; s < n_ss; s++) {
        BatchSession bs;
        memset(&bs, 0, sizeof bs);
        snprintf(bs.label, sizeof bs.label, "%s", ss[s].label);
        snprintf(bs.date, sizeof bs.date, "%s", ss[s].date);
        snprintf(bs.survey_id, sizeof bs.survey_id, "%s", ss[s].sv->id);
        bs.survey_version = ss[s].sv->version;
        uint32_t idx;
        CHECK(batch_builder_add_session(b, &bs, &idx, &err) == DB_OK);
        for (int i = 0; i < ss[s].n; i++, k++) {
            size_t plen, rlen;
            gen_encode(ss[s].sv, k, ss[s].label, ss[s].date, plain, ss[s].sv->record_size, &plen);
            int altered = 0;
            for (int j = 0; j < n_bad; j++)
                altered |= bad[j] == k;
            size_t padded = g_old_padding && k % 2 ? g_old_padding : ss[s].sv->record_size;
            CHECK(seal_record(plain, plen, padded, &g_pub, 1, rec,
                              seal_record_size(SEAL_MAX_PADDED, 1), &rlen, &err) == DB_OK);
            if (altered)
                rec[rlen - 1] ^= 0x01; /* the body's authentication tag */
            secmem_wipe(plain, ss[s].sv->record_size);
            CHECK(batch_builder_add_record(b, idx, rec, rlen, &err) == DB_OK);
        }
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(batch_builder_finish(b, id, &out, &out_len, hash, &err) == DB_OK);
    CHECK(fs_write_atomic(path, out, out_len, 0644, &err) == DB_OK);
    free(out);
    free(rec);
    secmem_free(plain);
    batch_builder_free(b);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    uint8_t *data = NULL;
    DbError err;
    if (fs_read_file(path, 64u << 20, 1, &data, len, &err) != DB_OK)
        return NULL;
    return data;
}

/* The database file, byte for byte (rollback journal: committed state is in the file). */
typedef struct Snapshot {
    uint8_t *data;
    size_t len;
} Snapshot;

static Snapshot snap(const char *db_path)
{
    Snapshot s = {0};
    s.data = read_all(db_path, &s.len);
    return s;
}

static int snap_same(Snapshot a, const char *db_path)
{
    Snapshot b = snap(db_path);
    int same = a.data && b.data && a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
    free(b.data);
    return same;
}

static const uint8_t zero_hash[BATCH_HASH_BYTES];
static uint8_t g_hash_a1[BATCH_HASH_BYTES], g_hash_a2[BATCH_HASH_BYTES],
    g_hash_b1[BATCH_HASH_BYTES];
static char g_db[512];

static void setup(void)
{
    snprintf(g_root, sizeof g_root, "/tmp/debrief-test-analysis-%d", (int)getpid());
    rm_rf(g_root);
    DbError err;
    char path[512];
    if (fs_mkdir_p(g_root, 0700, &err) != DB_OK ||
        analysis_survey_file_load("analysis/mini.json", &g_survey_file, &err) != DB_OK ||
        survey_load_file("analysis/mini.json", &g_survey, &err) != DB_OK ||
        keys_generate(&g_pub, &g_sec, &err) != DB_OK ||
        keys_generate(&g_mallory_pub, &g_mallory, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        exit(1);
    }
    int created;
    path_in(path, sizeof path, "kiosk-a.key");
    CHECK(keys_identity_load_or_create(path, &g_kiosk_a, &created, &err) == DB_OK);
    path_in(path, sizeof path, "kiosk-b.key");
    CHECK(keys_identity_load_or_create(path, &g_kiosk_b, &created, &err) == DB_OK);
    /* Kiosk A: batch 1 = groups 1 and 2, batch 2 = five of group 3.
     * Kiosk B: batch 1 = the other four of group 3 (same session label and date). */
    make_batch("a1.dbb", g_kiosk_a, 1, zero_hash, &g_pub, g_data, 15, NULL, g_hash_a1);
    make_batch("a2.dbb", g_kiosk_a, 2, g_hash_a1, &g_pub, g_data + 15, 5, NULL, g_hash_a2);
    make_batch("b1.dbb", g_kiosk_b, 1, zero_hash, &g_pub, g_data + 20, 4, NULL, g_hash_b1);
    path_in(g_db, sizeof g_db, "analysis.db");
}

static AnalysisImportOptions opts(int trust)
{
    AnalysisImportOptions o;
    memset(&o, 0, sizeof o);
    o.trust_new_kiosk = trust;
    o.surveys = &g_survey_file;
    o.n_surveys = 1;
    return o;
}

static int import(Adb *db, const KeySecret *sec, const char *name, AnalysisImportOptions o,
                  AnalysisImportResult *res, DbError *err)
{
    char path[512];
    path_in(path, sizeof path, name);
    return analysis_import_file(db, sec, path, &o, res, err);
}

/* Compares msg with expected_fmt in which each %s stands for the test's root directory. */
static void check_msg(const char *msg, const char *expected_fmt)
{
    char expected[DBERR_MSG_MAX * 2];
    size_t pos = 0;
    for (const char *p = expected_fmt; *p && pos + 1 < sizeof expected; p++) {
        if (p[0] == '%' && p[1] == 's') {
            pos += (size_t)snprintf(expected + pos, sizeof expected - pos, "%s", g_root);
            p++;
        } else {
            expected[pos++] = *p;
        }
    }
    expected[pos < sizeof expected ? pos : sizeof expected - 1] = '\0';
    CHECK_STR(msg, expected);
}

static void test_import_and_replay(void)
{
    Adb *db = NULL;
    DbError err;
    AnalysisImportResult res;
    CHECK(adb_open(g_db, 1, &db, &err) == DB_OK);
    struct stat sb;
    CHECK(stat(g_db, &sb) == 0 && (sb.st_mode & 0777) == 0600);

    /* First seen kiosk, not trusted: refused with its fingerprint, nothing changes. */
    Snapshot before = snap(g_db);
    CHECK(import(db, g_sec, "a1.dbb", opts(0), &res, &err) == DB_ESTATE);
    char fp[KEY_FINGERPRINT_SIZE], expect[1024];
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(g_kiosk_a, pk);
    keys_fingerprint(pk, sizeof pk, fp);
    snprintf(expect, sizeof expect,
             "%%s/a1.dbb: batch 1 comes from a kiosk not seen before, fingerprint %s; compare it "
             "with the kiosk's admin screen, then import again with --trust-new-kiosk (or list "
             "it in a --kiosks file)",
             fp);
    check_msg(err.msg, expect);
    CHECK(snap_same(before, g_db));
    free(before.data);

    /* Batch 2 first: a gap (batch 1 not imported), refused. */
    before = snap(g_db);
    CHECK(import(db, g_sec, "a2.dbb", opts(1), &res, &err) == DB_ESTATE);
    snprintf(expect, sizeof expect,
             "%%s/a2.dbb: GAP: batch 1 of kiosk %s has not been imported yet; import it first "
             "(or use --accept-gap if it is lost for good)",
             fp);
    check_msg(err.msg, expect);
    CHECK(snap_same(before, g_db));
    free(before.data);

    CHECK(import(db, g_sec, "a1.dbb", opts(1), &res, &err) == DB_OK);
    CHECK(res.outcome == ANALYSIS_IMPORTED);
    CHECK(res.new_kiosk == 1);
    CHECK(res.n_records == 15);
    CHECK(res.n_sessions == 2);
    CHECK_STR(res.kiosk_fp, fp);
    CHECK(import(db, g_sec, "a2.dbb", opts(0), &res, &err) == DB_OK);
    CHECK(res.outcome == ANALYSIS_IMPORTED && res.new_kiosk == 0 && res.n_records == 5);

    /* Replayed: a no-op that says so. */
    before = snap(g_db);
    CHECK(import(db, g_sec, "a1.dbb", opts(0), &res, &err) == DB_OK);
    CHECK(res.outcome == ANALYSIS_ALREADY);
    CHECK(snap_same(before, g_db));
    free(before.data);

    /* Kiosk B joins; its group 3 merges with kiosk A's. */
    CHECK(import(db, g_sec, "b1.dbb", opts(1), &res, &err) == DB_OK);
    CHECK(res.outcome == ANALYSIS_IMPORTED && res.new_kiosk == 1);

    AdbStatus st;
    CHECK(adb_status(db, &st, &err) == DB_OK);
    CHECK(st.n_kiosks == 2);
    int64_t total = 0;
    for (int i = 0; i < st.n_sessions; i++)
        total += st.sessions[i].responses;
    CHECK(total == N_DATA);
    CHECK(st.n_sessions == 3); /* group 3 on two kiosks: two sessions rows merged by label */
    adb_status_free(&st);

    /* Acknowledgement: lists both of kiosk A's batches and verifies with the analyst key. */
    char ack_path[512];
    path_in(ack_path, sizeof ack_path, "a.dba");
    uint32_t n_entries;
    keys_identity_public(g_kiosk_a, pk);
    CHECK(analysis_ack_write(db, g_sec, pk, ack_path, 0, ack_path, sizeof ack_path, &n_entries,
                             &err) == DB_OK);
    CHECK(n_entries == 2);
    size_t alen;
    uint8_t *adata = read_all(ack_path, &alen);
    Ack ack;
    CHECK(adata && ack_parse(ack_path, adata, alen, g_pub.sign_pk, &ack, &err) == DB_OK);
    CHECK(ack.n_entries == 2 && ack.entries[0].number == 1 && ack.entries[1].number == 2);
    CHECK(memcmp(ack.entries[0].hash, g_hash_a1, BATCH_HASH_BYTES) == 0);
    CHECK(memcmp(ack.entries[1].hash, g_hash_a2, BATCH_HASH_BYTES) == 0);
    CHECK(memcmp(ack.kiosk_pk, pk, sizeof pk) == 0);
    ack_free(&ack);
    free(adata);
    /* imports do not enforce foreign keys while they run: every reference holds anyway, and
     * enforcement is back for what comes next (also after the refusals above) */
    int enforced = 0;
    int64_t bad = -1;
    CHECK(adb_test_foreign_keys(db, &enforced, &bad, &err) == DB_OK && enforced && bad == 0);
    adb_close(db);
}

/* Every bad batch: one message naming the file, the database byte for byte unchanged. */
static void kiosk_fp(KeyIdentity *id, char fp[KEY_FINGERPRINT_SIZE]);

/* A batch of copied records: records src_idx[0..n_src) of the parsed batch src (with their
 * sessions), then fresh responses rs[0..n_fresh), signed by id as batch number. */
static void make_mixed_batch(const char *name, KeyIdentity *id, uint64_t number,
                             const uint8_t prev[BATCH_HASH_BYTES], const Batch *src,
                             const uint32_t *src_idx, int n_src, const TResp *rs, int n_fresh,
                             uint8_t hash[BATCH_HASH_BYTES])
{
    DbError err;
    BatchBuilder *b = NULL;
    CHECK(batch_builder_new(number, prev, &b, &err) == DB_OK);
    char labels[32][65];
    uint32_t idx[32];
    int n_sessions = 0;
    for (int i = 0; i < n_src + n_fresh; i++) {
        BatchSession bs;
        memset(&bs, 0, sizeof bs);
        if (i < n_src) {
            bs = src->sessions[src->records[src_idx[i]].session];
            bs.count = 0;
        } else {
            snprintf(bs.label, sizeof bs.label, "%s", rs[i - n_src].label);
            snprintf(bs.date, sizeof bs.date, "%s", rs[i - n_src].date);
            snprintf(bs.survey_id, sizeof bs.survey_id, "%s", g_survey->id);
            bs.survey_version = g_survey->version;
        }
        int s = 0;
        while (s < n_sessions && strcmp(labels[s], bs.label) != 0)
            s++;
        if (s == n_sessions) {
            CHECK(batch_builder_add_session(b, &bs, &idx[s], &err) == DB_OK);
            snprintf(labels[s], sizeof labels[s], "%s", bs.label);
            n_sessions++;
        }
        if (i < n_src) {
            const BatchRecord *r = &src->records[src_idx[i]];
            CHECK(batch_builder_add_record(b, idx[s], r->data, r->len, &err) == DB_OK);
            continue;
        }
        uint8_t *plain = secmem_alloc(g_survey->record_size);
        size_t rec_cap = seal_record_size(g_survey->record_size, 1), plen, rlen;
        uint8_t *rec = malloc(rec_cap);
        encode_one(&rs[i - n_src], plain, g_survey->record_size, &plen);
        CHECK(seal_record(plain, plen, g_survey->record_size, &g_pub, 1, rec, rec_cap, &rlen,
                          &err) == DB_OK);
        CHECK(batch_builder_add_record(b, idx[s], rec, rlen, &err) == DB_OK);
        free(rec);
        secmem_free(plain);
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(batch_builder_finish(b, id, &out, &out_len, hash, &err) == DB_OK);
    char path[512];
    path_in(path, sizeof path, name);
    CHECK(fs_write_atomic(path, out, out_len, 0644, &err) == DB_OK);
    free(out);
    batch_builder_free(b);
}

static int64_t count_responses(Adb *db)
{
    AdbStatus st;
    DbError err;
    int64_t n = 0;
    if (adb_status(db, &st, &err) != DB_OK)
        return -1;
    for (int i = 0; i < st.n_sessions; i++)
        n += st.sessions[i].responses;
    adb_status_free(&st);
    return n;
}

/* Issue 15, point 5: a sealed record is imported once. Replayed in the same kiosk's next
 * chained batch, spliced into another trusted kiosk's batch, or repeated inside one batch,
 * it is refused as a REPLAY (nothing imported), or with skip_replays left out while the rest
 * of the batch is imported. */
/* Issue 15, point 3: a batch whose records are also sealed to a key the analyst did not
 * expect is refused before any record is opened, naming that key; listed with
 * also_expected (--expect-recipient) it imports, and status keeps whom it was sealed to. */
static void test_unexpected_recipients(void)
{
    DbError err;
    AnalysisImportResult res;
    char db_path[512];
    path_in(db_path, sizeof db_path, "recipients.db");
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    static const uint8_t zero[BATCH_HASH_BYTES];
    const KeyPublic both[2] = {g_pub, g_mallory_pub};
    uint8_t h[BATCH_HASH_BYTES];
    make_batch_to("both.dbb", g_kiosk_a, 1, zero, both, 2, 1, g_data, 6, NULL, h);
    char fp_an[KEY_FINGERPRINT_SIZE], fp_mal[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&g_pub, fp_an);
    keys_public_fingerprint(&g_mallory_pub, fp_mal);

    Snapshot before = snap(db_path);
    unsigned long opened = analysis_records_opened();
    CHECK(import(db, g_sec, "both.dbb", opts(1), &res, &err) == DB_ESTATE);
    CHECK(analysis_records_opened() == opened);
    CHECK(snap_same(before, db_path));
    char want[DBERR_MSG_MAX * 2];
    uint8_t id[KEY_ID_BYTES];
    keys_public_id(&g_mallory_pub, id);
    char hex[2 * KEY_ID_BYTES + 1];
    for (int i = 0; i < KEY_ID_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", id[i]);
    snprintf(want, sizeof want,
             "%s/both.dbb: responses are sealed to a key that was not expected: %s (key id %s); "
             "whoever holds it can read them (expected: %s); nothing imported (import with "
             "--expect-recipient PUB for each key that is meant to read them)",
             g_root, fp_mal, hex, fp_an);
    CHECK_STR(err.msg, want);
    free(before.data);

    AnalysisImportOptions o = opts(1);
    o.also_expected = &g_mallory_pub;
    o.n_also_expected = 1;
    CHECK(import(db, g_sec, "both.dbb", o, &res, &err) == DB_OK);
    CHECK(res.outcome == ANALYSIS_IMPORTED && res.n_records == 6);
    CHECK(strstr(res.recipients, fp_an) != NULL && strstr(res.recipients, fp_mal) != NULL);
    AdbStatus st;
    CHECK(adb_status(db, &st, &err) == DB_OK);
    CHECK(st.n_kiosks == 1 && st.kiosks[0].n_batches == 1);
    if (st.n_kiosks == 1 && st.kiosks[0].n_batches == 1)
        CHECK_STR(st.kiosks[0].recipients[0], res.recipients);
    adb_status_free(&st);
    adb_close(db);
}

/* After a change of analyst keys, each key's acknowledgement lists only the batches that key
 * imported: a kiosk refuses an acknowledgement listing a batch not sealed to its signer. */
static void test_ack_per_importing_key(void)
{
    DbError err;
    AnalysisImportResult res;
    char db_path[512], dir[512], written[600];
    path_in(db_path, sizeof db_path, "rekey.db");
    path_in(dir, sizeof dir, "");
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    CHECK(import(db, g_sec, "a1.dbb", opts(1), &res, &err) == DB_OK);
    CHECK(import(db, g_sec, "a2.dbb", opts(1), &res, &err) == DB_OK);
    uint8_t h3[BATCH_HASH_BYTES];
    make_batch("rekey-a3.dbb", g_kiosk_a, 3, g_hash_a2, &g_mallory_pub, g_data, 2, NULL, h3);
    CHECK(import(db, g_mallory, "rekey-a3.dbb", opts(1), &res, &err) == DB_OK);
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(g_kiosk_a, pk);
    uint32_t n = 0;
    char path[600];
    snprintf(path, sizeof path, "%s/rekey-old.dba", dir);
    CHECK(analysis_ack_write(db, g_sec, pk, path, 0, written, sizeof written, &n, &err) == DB_OK);
    CHECK(n == 2);
    snprintf(path, sizeof path, "%s/rekey-new.dba", dir);
    CHECK(analysis_ack_write(db, g_mallory, pk, path, 0, written, sizeof written, &n, &err) ==
          DB_OK);
    CHECK(n == 1);
    size_t len = 0;
    uint8_t *data = read_all(path, &len);
    Ack ack;
    CHECK(data && ack_parse(written, data, len, g_mallory_pub.sign_pk, &ack, &err) == DB_OK);
    if (data && ack.n_entries == 1)
        CHECK(ack.entries[0].number == 3 && memcmp(ack.entries[0].hash, h3, BATCH_HASH_BYTES) == 0);
    ack_free(&ack);
    free(data);
    adb_close(db);
}

static void test_record_replays(void)
{
    DbError err;
    char db_path[512], path[512];
    path_in(db_path, sizeof db_path, "replays.db");
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    AnalysisImportResult res;
    AnalysisImportOptions o = opts(1);
    CHECK(import(db, g_sec, "a1.dbb", o, &res, &err) == DB_OK && res.outcome == ANALYSIS_IMPORTED);
    CHECK(count_responses(db) == 15);

    path_in(path, sizeof path, "a1.dbb");
    size_t len;
    uint8_t *data = read_all(path, &len);
    Batch a1;
    CHECK(data && batch_parse("a1.dbb", data, len, &a1, &err) == DB_OK);
    char fp_a[KEY_FINGERPRINT_SIZE], fp_b[KEY_FINGERPRINT_SIZE];
    kiosk_fp(g_kiosk_a, fp_a);
    kiosk_fp(g_kiosk_b, fp_b);
    char expect[512];

    /* 1. The same kiosk's next batch, correctly chained and signed, carries record 3 of
     *    batch 1 again besides five new responses. */
    uint8_t h_a2r[BATCH_HASH_BYTES], h_b1r[BATCH_HASH_BYTES], h_dup[BATCH_HASH_BYTES];
    uint32_t one = 3, two[2] = {5, 5};
    make_mixed_batch("a2-replay.dbb", g_kiosk_a, 2, g_hash_a1, &a1, &one, 1, g_data + 15, 5, h_a2r);
    Snapshot before = snap(db_path);
    CHECK(import(db, g_sec, "a2-replay.dbb", o, &res, &err) == DB_ESTATE);
    snprintf(expect, sizeof expect,
             "batch 2 of kiosk %s was already imported from batch 1 of kiosk %s; nothing "
             "imported",
             fp_a, fp_a);
    CHECK(strstr(err.msg, "a2-replay.dbb: REPLAY: record ") != NULL && strstr(err.msg, expect));
    CHECK(snap_same(before, db_path));
    CHECK(count_responses(db) == 15);

    /* 2. Spliced into another trusted kiosk's batch 1. */
    make_mixed_batch("b1-splice.dbb", g_kiosk_b, 1, zero_hash, &a1, &one, 1, g_data + 20, 4, h_b1r);
    CHECK(import(db, g_sec, "b1-splice.dbb", o, &res, &err) == DB_ESTATE);
    snprintf(expect, sizeof expect,
             "of batch 1 of kiosk %s was already imported from batch 1 of kiosk %s; nothing "
             "imported",
             fp_b, fp_a);
    CHECK(strstr(err.msg, "b1-splice.dbb: REPLAY: record ") != NULL && strstr(err.msg, expect));
    CHECK(snap_same(before, db_path));
    free(before.data);

    /* 3. A record twice in one batch (kiosk B's batch 2 would come next: use a new db). */
    char db2[512];
    path_in(db2, sizeof db2, "replays2.db");
    Adb *d2 = NULL;
    CHECK(adb_open(db2, 1, &d2, &err) == DB_OK);
    make_mixed_batch("dup.dbb", g_kiosk_b, 1, zero_hash, &a1, two, 2, NULL, 0, h_dup);
    CHECK(d2 && import(d2, g_sec, "dup.dbb", o, &res, &err) == DB_ESTATE);
    CHECK(strstr(err.msg, "REPLAY: record ") && strstr(err.msg, "repeats record ") &&
          strstr(err.msg, "of the same batch; nothing imported"));
    AnalysisImportOptions skip = o;
    skip.skip_replays = 1;
    CHECK(d2 && import(d2, g_sec, "dup.dbb", skip, &res, &err) == DB_OK && res.n_replays == 1);
    CHECK(d2 && count_responses(d2) == 1);
    adb_close(d2);

    /* With skip_replays the rest of each batch is imported, the replays are not counted
     * twice, and status says how many were skipped. */
    CHECK(import(db, g_sec, "a2-replay.dbb", skip, &res, &err) == DB_OK &&
          res.outcome == ANALYSIS_IMPORTED && res.n_replays == 1 && res.n_records == 6);
    CHECK(count_responses(db) == 20);
    CHECK(import(db, g_sec, "b1-splice.dbb", skip, &res, &err) == DB_OK && res.n_replays == 1);
    CHECK(count_responses(db) == 24);
    /* importing the same file again is still the batch-level no-op */
    CHECK(import(db, g_sec, "a2-replay.dbb", skip, &res, &err) == DB_OK &&
          res.outcome == ANALYSIS_ALREADY);
    AdbStatus st;
    CHECK(adb_status(db, &st, &err) == DB_OK);
    int64_t replays = 0;
    for (int i = 0; i < st.n_kiosks; i++)
        for (uint32_t j = 0; j < st.kiosks[i].n_batches; j++)
            replays += st.kiosks[i].replays[j];
    CHECK(replays == 2);
    adb_status_free(&st);
    /* a third copy, in a fresh batch of kiosk A, is caught as well */
    uint8_t h3[BATCH_HASH_BYTES];
    make_mixed_batch("a3-replay.dbb", g_kiosk_a, 3, h_a2r, &a1, &one, 1, NULL, 0, h3);
    CHECK(import(db, g_sec, "a3-replay.dbb", o, &res, &err) == DB_ESTATE &&
          strstr(err.msg, "REPLAY: record 0 of batch 3") != NULL);
    batch_free(&a1);
    free(data);
    adb_close(db);
}

/* Issue 16, point 4: two databases in one folder, and two imports into one database, never
 * write the same acknowledgement file name; a file of that name with other contents is not
 * replaced. */
static void test_ack_names(void)
{
    DbError err;
    char dir[400], p1[512], p2[512], w1[600], w2[600], w3[600], w4[600];
    path_in(dir, sizeof dir, "acks");
    CHECK(fs_mkdir_p(dir, 0700, &err) == DB_OK);
    snprintf(p1, sizeof p1, "%s/study one.db", dir);
    snprintf(p2, sizeof p2, "%s/study-two.sqlite", dir);
    Adb *d1 = NULL, *d2 = NULL;
    AnalysisImportResult res;
    CHECK(adb_open(p1, 1, &d1, &err) == DB_OK && adb_open(p2, 1, &d2, &err) == DB_OK);
    if (!d1 || !d2)
        return;
    CHECK(import(d1, g_sec, "a1.dbb", opts(1), &res, &err) == DB_OK);
    CHECK(import(d2, g_sec, "a1.dbb", opts(1), &res, &err) == DB_OK);
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(g_kiosk_a, pk);
    char fp[KEY_FINGERPRINT_SIZE], expect[600];
    kiosk_fp(g_kiosk_a, fp);
    uint32_t n;
    CHECK(analysis_ack_write(d1, g_sec, pk, dir, 1, w1, sizeof w1, &n, &err) == DB_OK && n == 1);
    CHECK(analysis_ack_write(d2, g_sec, pk, dir, 1, w2, sizeof w2, &n, &err) == DB_OK && n == 1);
    snprintf(expect, sizeof expect, "%s/debrief-%.9s-ack-000001-study_one.dba", dir, fp);
    CHECK_STR(w1, expect);
    snprintf(expect, sizeof expect, "%s/debrief-%.9s-ack-000001-study-two.dba", dir, fp);
    CHECK_STR(w2, expect);
    /* the next import of the same database: a new name, the first file stays */
    CHECK(import(d1, g_sec, "a2.dbb", opts(1), &res, &err) == DB_OK);
    CHECK(analysis_ack_write(d1, g_sec, pk, dir, 1, w3, sizeof w3, &n, &err) == DB_OK && n == 2);
    snprintf(expect, sizeof expect, "%s/debrief-%.9s-ack-000002-study_one.dba", dir, fp);
    CHECK_STR(w3, expect);
    CHECK(access(w1, F_OK) == 0 && access(w2, F_OK) == 0);
    /* the same acknowledgement again: the same file, untouched */
    struct stat before, after;
    CHECK(stat(w3, &before) == 0);
    CHECK(analysis_ack_write(d1, g_sec, pk, dir, 1, w4, sizeof w4, &n, &err) == DB_OK);
    CHECK_STR(w4, w3);
    CHECK(stat(w3, &after) == 0 && after.st_ino == before.st_ino);
    /* another file under that name (e.g. from another "study one.db" elsewhere) stays */
    CHECK(fs_write_atomic(w3, "other", 5, 0644, &err) == DB_OK);
    CHECK(analysis_ack_write(d1, g_sec, pk, dir, 1, w4, sizeof w4, &n, &err) == DB_OK);
    snprintf(expect, sizeof expect, "%s/debrief-%.9s-ack-000002-study_one-2.dba", dir, fp);
    CHECK_STR(w4, expect);
    size_t len;
    uint8_t *kept = read_all(w3, &len);
    CHECK(kept && len == 5 && memcmp(kept, "other", 5) == 0);
    free(kept);
    adb_close(d1);
    adb_close(d2);
}

/* Two imports at once: child i opens (creating) the database and imports names[i]. Exit 0
 * imported, 1 already there, 3 an error (printed). */
typedef struct ImportPair {
    const char *db_path;
    const char *const *names;
} ImportPair;

static int import_one_of_two(int i, void *ctx)
{
    const ImportPair *p = ctx;
    Adb *db = NULL;
    DbError err;
    AnalysisImportResult res;
    int rc = adb_open(p->db_path, 1, &db, &err);
    if (rc == DB_OK)
        rc = import(db, g_sec, p->names[i], opts(1), &res, &err);
    if (rc != DB_OK)
        fprintf(stderr, "  import of %s at once with another: %s\n", p->names[i], err.msg);
    adb_close(db);
    return rc != DB_OK ? 3 : res.outcome == ANALYSIS_IMPORTED ? 0 : 1;
}

static int64_t count_rows(const char *db_path, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

/* Two imports into one database at once (two terminals, or two analysts on one share): the
 * same batch lands once, and the other import says it is already there; two kiosks' batches
 * both land; a database that both create at the same moment gets its schema once. */
static void test_concurrent_imports(void)
{
    static const char *const pairs[2][2] = {{"a1.dbb", "a1.dbb"}, {"a1.dbb", "b1.dbb"}};
    char db_path[512], side[600];
    path_in(db_path, sizeof db_path, "together.db");
    for (int round = 0; round < 24; round++) {
        const char *const *pair = pairs[round % 2];
        int same = strcmp(pair[0], pair[1]) == 0;
        unlink(db_path);
        snprintf(side, sizeof side, "%s-wal", db_path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db_path);
        unlink(side);
        if (round % 4 >= 2) { /* half the rounds, the database is there already */
            Adb *db = NULL;
            DbError err;
            CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
            adb_close(db);
        }
        ImportPair ip = {db_path, pair};
        int code[2];
        test_run_two_at_once(import_one_of_two, &ip, code);
        if (same)
            CHECK((code[0] == 0 && code[1] == 1) || (code[0] == 1 && code[1] == 0));
        else
            CHECK(code[0] == 0 && code[1] == 0);
        CHECK(count_rows(db_path, "SELECT count(*) FROM batches") == (same ? 1 : 2));
        CHECK(count_rows(db_path, "SELECT count(*) FROM kiosks") == (same ? 1 : 2));
        if (code[0] > 1 || code[1] > 1 || count_rows(db_path, "SELECT 1") != 1)
            fprintf(stderr, "  round %d (%s, %s): exits %d and %d\n", round, pair[0], pair[1],
                    code[0], code[1]);
    }
}

static void test_bad_batches(void)
{
    Adb *db = NULL;
    DbError err;
    AnalysisImportResult res;
    CHECK(adb_open(g_db, 0, &db, &err) == DB_OK);
    char fp[KEY_FINGERPRINT_SIZE], expect[1024], path[512];
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(g_kiosk_a, pk);
    keys_fingerprint(pk, sizeof pk, fp);
    Snapshot before = snap(g_db);
    CHECK(before.data != NULL);

    /* 3a: a batch 3 for another recipient (sealed to Mallory's key): the batch names the key
     * (signed), so it is refused before any record is opened, naming both keys. */
    char fp_an[KEY_FINGERPRINT_SIZE], fp_mal[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&g_pub, fp_an);
    keys_public_fingerprint(&g_mallory_pub, fp_mal);
    uint8_t h3[BATCH_HASH_BYTES];
    make_batch("a3-mallory.dbb", g_kiosk_a, 3, g_hash_a2, &g_mallory_pub, g_data, 2, NULL, h3);
    unsigned long opened = analysis_records_opened();
    CHECK(import(db, g_sec, "a3-mallory.dbb", opts(0), &res, &err) == DB_ESTATE);
    uint8_t mal_id[KEY_ID_BYTES];
    keys_public_id(&g_mallory_pub, mal_id);
    char want[DBERR_MSG_MAX], mal_hex[2 * KEY_ID_BYTES + 1];
    for (int i = 0; i < KEY_ID_BYTES; i++)
        snprintf(mal_hex + 2 * i, 3, "%02x", mal_id[i]);
    snprintf(want, sizeof want,
             "%s/a3-mallory.dbb: its responses are sealed to key id %s, not to the key given "
             "with --key (%s); nothing imported (import it with the key it was sealed to)",
             g_root, mal_hex, fp_an);
    CHECK_STR(err.msg, want);
    CHECK(analysis_records_opened() == opened);
    CHECK(snap_same(before, g_db));

    /* 3b: the right batch opened with the wrong key: the same refusal. */
    make_batch("a3.dbb", g_kiosk_a, 3, g_hash_a2, &g_pub, g_data, 2, NULL, h3);
    CHECK(import(db, g_mallory, "a3.dbb", opts(0), &res, &err) == DB_ESTATE);
    CHECK(strstr(err.msg, "not to the key given with --key") != NULL);
    CHECK(strstr(err.msg, fp_mal) != NULL);
    CHECK(snap_same(before, g_db));

    /* Tampered: one byte flipped in the middle -> the signature fails. */
    size_t len;
    path_in(path, sizeof path, "a3.dbb");
    uint8_t *data = read_all(path, &len);
    CHECK(data != NULL);
    data[len / 2] ^= 0x01;
    path_in(path, sizeof path, "a3-tampered.dbb");
    CHECK(fs_write_atomic(path, data, len, 0644, &err) == DB_OK);
    data[len / 2] ^= 0x01;
    CHECK(import(db, g_sec, "a3-tampered.dbb", opts(0), &res, &err) == DB_EAUTH);
    CHECK(strstr(err.msg, "a3-tampered.dbb") != NULL);
    CHECK(strstr(err.msg, "signature does not verify") != NULL);
    CHECK(snap_same(before, g_db));

    /* Truncated at several lengths: a format error naming the file, nothing imported. */
    size_t cuts[] = {0, 10, 100, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        path_in(path, sizeof path, "a3-short.dbb");
        CHECK(fs_write_atomic(path, data, cuts[i], 0644, &err) == DB_OK);
        int rc = import(db, g_sec, "a3-short.dbb", opts(0), &res, &err);
        CHECK(rc == DB_EFORMAT || rc == DB_EAUTH);
        CHECK(strstr(err.msg, "a3-short.dbb") != NULL);
        CHECK(snap_same(before, g_db));
    }
    free(data);

    /* Spliced: batch 3 chained to something other than the imported batch 2. */
    uint8_t other[BATCH_HASH_BYTES];
    memset(other, 0x5a, sizeof other);
    make_batch("a3-splice.dbb", g_kiosk_a, 3, other, &g_pub, g_data, 2, NULL, h3);
    CHECK(import(db, g_sec, "a3-splice.dbb", opts(0), &res, &err) == DB_ESTATE);
    snprintf(expect, sizeof expect,
             "%%s/a3-splice.dbb: SPLICE: batch 3 of kiosk %s does not follow the imported batch "
             "2 (its previous-batch hash differs); nothing imported",
             fp);
    check_msg(err.msg, expect);
    CHECK(snap_same(before, g_db));

    /* Forked: another batch 2 (different records) after the real one was imported. */
    uint8_t h2b[BATCH_HASH_BYTES];
    make_batch("a2-fork.dbb", g_kiosk_a, 2, g_hash_a1, &g_pub, g_data, 3, NULL, h2b);
    CHECK(import(db, g_sec, "a2-fork.dbb", opts(0), &res, &err) == DB_ESTATE);
    snprintf(expect, sizeof expect,
             "%%s/a2-fork.dbb: FORK: batch 2 of kiosk %s was already imported with different "
             "contents; nothing imported (two different batches carry the same number: find out "
             "which one the kiosk really exported)",
             fp);
    check_msg(err.msg, expect);
    CHECK(snap_same(before, g_db));

    /* A forked batch 1 also cannot slip in before batch 2 (it is the same number). */
    make_batch("a1-fork.dbb", g_kiosk_a, 1, zero_hash, &g_pub, g_data, 1, NULL, h2b);
    CHECK(import(db, g_sec, "a1-fork.dbb", opts(0), &res, &err) == DB_ESTATE);
    CHECK(strstr(err.msg, "FORK: batch 1") != NULL);
    CHECK(snap_same(before, g_db));

    /* Gap: batch 5 while 3 and 4 are missing. */
    make_batch("a5.dbb", g_kiosk_a, 5, other, &g_pub, g_data, 2, NULL, h3);
    CHECK(import(db, g_sec, "a5.dbb", opts(0), &res, &err) == DB_ESTATE);
    CHECK(strstr(err.msg, "GAP: batch 4 of kiosk") != NULL);
    CHECK(snap_same(before, g_db));

    /* A record listed under another session than its own. */
    make_batch("a3-mislabel.dbb", g_kiosk_a, 3, g_hash_a2, &g_pub, g_data, 2, "Group 9", h3);
    CHECK(import(db, g_sec, "a3-mislabel.dbb", opts(0), &res, &err) == DB_EFORMAT);
    check_msg(err.msg, "%s/a3-mislabel.dbb: record 0 does not belong to the session the batch "
                       "lists it under (session 0)");
    CHECK(snap_same(before, g_db));

    /* Unknown survey version (no --survey given, not stored): a new kiosk C with survey v2 is
     * fine because v2 is stored; so check with a survey the database has never seen. */
    AnalysisImportOptions none = opts(0);
    none.n_surveys = 0;
    CHECK(import(db, g_sec, "a3.dbb", none, &res, &err) == DB_OK); /* v2 is stored by now */
    CHECK(res.outcome == ANALYSIS_IMPORTED);
    free(before.data);
    before = snap(g_db);

    /* Unreadable: missing file, a directory. */
    CHECK(import(db, g_sec, "missing.dbb", opts(0), &res, &err) == DB_ENOENT);
    CHECK(strstr(err.msg, "missing.dbb") != NULL);
    CHECK(import(db, g_sec, ".", opts(0), &res, &err) != DB_OK);
    CHECK(strstr(err.msg, g_root) != NULL);
    CHECK(snap_same(before, g_db));

    /* Not a batch at all. */
    path_in(path, sizeof path, "junk.dbb");
    CHECK(fs_write_atomic(path, "hello, world\n", 13, 0644, &err) == DB_OK);
    CHECK(import(db, g_sec, "junk.dbb", opts(0), &res, &err) == DB_EFORMAT);
    CHECK(strstr(err.msg, "junk.dbb") != NULL);
    CHECK(snap_same(before, g_db));
    free(before.data);
    adb_close(db);

    /* Batch 3 was imported above (2 more responses): undo by rebuilding the database for the
     * golden tests, which expect exactly g_data. */
    unlink(g_db);
    CHECK(adb_open(g_db, 1, &db, &err) == DB_OK);
    CHECK(import(db, g_sec, "a1.dbb", opts(1), &res, &err) == DB_OK);
    CHECK(import(db, g_sec, "a2.dbb", opts(0), &res, &err) == DB_OK);
    CHECK(import(db, g_sec, "b1.dbb", opts(1), &res, &err) == DB_OK);
    adb_close(db);
}

static void test_unknown_survey(void)
{
    char db2[512];
    path_in(db2, sizeof db2, "fresh.db");
    Adb *db = NULL;
    DbError err;
    AnalysisImportResult res;
    CHECK(adb_open(db2, 1, &db, &err) == DB_OK);
    Snapshot before = snap(db2);
    AnalysisImportOptions none = opts(1);
    none.n_surveys = 0;
    CHECK(import(db, g_sec, "a1.dbb", none, &res, &err) == DB_ENOENT);
    check_msg(err.msg, "%s/a1.dbb: session 'Group 1' uses survey mini version 2, which this "
                       "database does not know yet; give its file with --survey FILE");
    CHECK(snap_same(before, db2));
    free(before.data);
    adb_close(db);
}

static void kiosk_fp(KeyIdentity *id, char fp[KEY_FINGERPRINT_SIZE])
{
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(id, pk);
    keys_fingerprint(pk, sizeof pk, fp);
}

/* The registry file: comments, case, CRLF, '#' inside a label; every malformed line named. */
static void test_kiosk_registry_parse(void)
{
    DbError err;
    AnalysisKioskRegistry r;
    const char *good = "# Debrief kiosks of the CCDG evaluation\n"
                       "\n"
                       "   # indented comment\n"
                       "ABCD-EFGH-JKMN-PQRS   Ward 3, tablet #2  \r\n"
                       "zzzz-0000-1234-5678\tFoyer\n"
                       "VWXY-Z012-3456-789A\n"
                       "0000-1111-2222-3333 Caf\xc3\xa9 \xe2\x80\x93 Stra\xc3\x9f" "e \xf0\x9f\x8f\xa5\n";
    CHECK(analysis_kiosks_parse("k.txt", good, strlen(good), &r, &err) == DB_OK);
    CHECK(r.n == 4);
    if (r.n == 4) {
        CHECK_STR(r.kiosks[0].fingerprint, "ABCD-EFGH-JKMN-PQRS");
        CHECK_STR(r.kiosks[0].label, "Ward 3, tablet #2");
        CHECK_STR(r.kiosks[1].fingerprint, "ZZZZ-0000-1234-5678");
        CHECK_STR(r.kiosks[1].label, "Foyer");
        CHECK_STR(r.kiosks[2].label, "");
        CHECK_STR(r.kiosks[3].label, "Caf\xc3\xa9 \xe2\x80\x93 Stra\xc3\x9f" "e \xf0\x9f\x8f\xa5");
        CHECK(analysis_kiosks_find(&r, "ZZZZ-0000-1234-5678") == &r.kiosks[1]);
        CHECK(analysis_kiosks_find(&r, "ZZZZ-0000-1234-5679") == NULL);
    }
    analysis_kiosks_free(&r);
    analysis_kiosks_free(NULL);

    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"# ok\nABCD-EFGH-JKMN Ward\n",
         "k.txt:2: expected a kiosk fingerprint like ABCD-EFGH-JKMN-PQRS (as the kiosk's admin "
         "screen shows it) at the start of the line"},
        {"ABCD-EFGH-JKMN-PQRU Ward\n", /* U is not in the alphabet */
         "k.txt:1: expected a kiosk fingerprint like ABCD-EFGH-JKMN-PQRS (as the kiosk's admin "
         "screen shows it) at the start of the line"},
        {"ABCDEFGHJKMNPQRS000 x\n",
         "k.txt:1: expected a kiosk fingerprint like ABCD-EFGH-JKMN-PQRS (as the kiosk's admin "
         "screen shows it) at the start of the line"},
        {"ABCD-EFGH-JKMN-PQRS a\nabcd-efgh-jkmn-pqrs b\n",
         "k.txt:2: kiosk ABCD-EFGH-JKMN-PQRS is listed twice"},
        {"ABCD-EFGH-JKMN-PQRS "
         "12345678901234567890123456789012345678901234567890123456789012345\n",
         "k.txt:1: the label is longer than 64 bytes"},
        {"ABCD-EFGH-JKMN-PQRS bell\x07\n",
         "k.txt:1: the label is not UTF-8 text (or has control characters)"},
        {"ABCD-EFGH-JKMN-PQRS caf\xe9\n",
         "k.txt:1: the label is not UTF-8 text (or has control characters)"},
        /* the strict checker (utf8_check), as for every other text from outside: a C1
         * control (U+0085, NEXT LINE), a surrogate, an overlong form, beyond U+10FFFF */
        {"ABCD-EFGH-JKMN-PQRS Ward\xc2\x85" "3\n",
         "k.txt:1: the label is not UTF-8 text (or has control characters)"},
        {"ABCD-EFGH-JKMN-PQRS \xed\xa0\x80\n",
         "k.txt:1: the label is not UTF-8 text (or has control characters)"},
        {"ABCD-EFGH-JKMN-PQRS \xe0\x80\xaf\n",
         "k.txt:1: the label is not UTF-8 text (or has control characters)"},
        {"ABCD-EFGH-JKMN-PQRS \xf4\x90\x80\x80\n",
         "k.txt:1: the label is not UTF-8 text (or has control characters)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(analysis_kiosks_parse("k.txt", bad[i].text, strlen(bad[i].text), &r, &err) ==
              DB_EINVAL);
        CHECK_STR(err.msg, bad[i].msg);
        CHECK(r.n == 0 && r.kiosks == NULL);
    }
    CHECK(analysis_kiosks_load("/nonexistent/kiosks.txt", &r, &err) == DB_ENOENT);
}

/* Import with a registry: a listed kiosk is trusted and labelled, an unlisted first-seen one
 * is refused with its fingerprint; an untrusted kiosk's batches are refused until trusted
 * again. The database is unchanged by every refusal. */
static void test_kiosk_registry_import(void)
{
    char db_path[512], fp_a[KEY_FINGERPRINT_SIZE], fp_b[KEY_FINGERPRINT_SIZE], text[256];
    path_in(db_path, sizeof db_path, "registry.db");
    kiosk_fp(g_kiosk_a, fp_a);
    kiosk_fp(g_kiosk_b, fp_b);
    DbError err;
    AnalysisKioskRegistry reg;
    snprintf(text, sizeof text, "# kiosks\n%s  Ward 3 tablet\n", fp_a);
    CHECK(analysis_kiosks_parse("kiosks.txt", text, strlen(text), &reg, &err) == DB_OK);
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    AnalysisImportOptions o = opts(0);
    o.kiosks = &reg;
    AnalysisImportResult res;
    CHECK(import(db, g_sec, "a1.dbb", o, &res, &err) == DB_OK);
    CHECK(res.outcome == ANALYSIS_IMPORTED && res.new_kiosk == 1);
    CHECK_STR(res.kiosk_label, "Ward 3 tablet");

    Snapshot before = snap(db_path);
    CHECK(import(db, g_sec, "b1.dbb", o, &res, &err) == DB_ESTATE);
    char expect[1024];
    snprintf(expect, sizeof expect,
             "%%s/b1.dbb: batch 1 comes from kiosk %s, which is not in the kiosk registry "
             "kiosks.txt; compare the fingerprint with the kiosk's admin screen, then add it to "
             "the registry",
             fp_b);
    check_msg(err.msg, expect);
    CHECK(snap_same(before, db_path));
    free(before.data);

    AdbStatus st;
    CHECK(adb_status(db, &st, &err) == DB_OK);
    CHECK(st.n_kiosks == 1);
    if (st.n_kiosks == 1) {
        CHECK_STR(st.kiosks[0].label, "Ward 3 tablet");
        CHECK(st.kiosks[0].trusted == 1);
    }
    adb_status_free(&st);

    /* Untrusted: batch 2 refused, nothing changes; trusted again: it imports. */
    int found = 0;
    CHECK(adb_kiosk_set_trusted(db, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", 0, &found, &err) == DB_OK && !found);
    CHECK(adb_kiosk_set_trusted(db, fp_a, 0, &found, &err) == DB_OK && found);
    before = snap(db_path);
    CHECK(import(db, g_sec, "a2.dbb", o, &res, &err) == DB_ESTATE);
    snprintf(expect, sizeof expect,
             "%%s/a2.dbb: kiosk %s is marked untrusted in this database; nothing imported "
             "(debrief import --db DB --trust-kiosk %s trusts it again)",
             fp_a, fp_a);
    check_msg(err.msg, expect);
    CHECK(snap_same(before, db_path));
    free(before.data);
    /* No signed acknowledgement for an untrusted kiosk: the kiosk would delete on it. */
    char ack_path[512];
    path_in(ack_path, sizeof ack_path, "untrusted-a.dba");
    uint8_t pk_a[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(g_kiosk_a, pk_a);
    uint32_t n_entries = 99;
    CHECK(analysis_ack_write(db, g_sec, pk_a, ack_path, 0, ack_path, sizeof ack_path, &n_entries,
                             &err) == DB_ESTATE);
    snprintf(expect, sizeof expect,
             "kiosk %s is marked untrusted in this database; no acknowledgement written", fp_a);
    CHECK_STR(err.msg, expect);
    CHECK(n_entries == 0);
    CHECK(access(ack_path, F_OK) != 0);
    /* the registry does not override an explicit untrust, nor does --trust-new-kiosk */
    o.trust_new_kiosk = 1;
    CHECK(import(db, g_sec, "a2.dbb", o, &res, &err) == DB_ESTATE);
    o.trust_new_kiosk = 0;
    CHECK(adb_kiosk_set_trusted(db, fp_a, 1, &found, &err) == DB_OK && found);
    CHECK(import(db, g_sec, "a2.dbb", o, &res, &err) == DB_OK && res.outcome == ANALYSIS_IMPORTED);
    /* trusted again: its acknowledgement lists both batches */
    CHECK(analysis_ack_write(db, g_sec, pk_a, ack_path, 0, ack_path, sizeof ack_path, &n_entries,
                             &err) == DB_OK);
    CHECK(n_entries == 2 && access(ack_path, F_OK) == 0);

    /* A label changed in the registry is taken over with the kiosk's next batch. */
    analysis_kiosks_free(&reg);
    snprintf(text, sizeof text, "%s  Foyer\n%s Ward 4\n", fp_a, fp_b);
    CHECK(analysis_kiosks_parse("kiosks.txt", text, strlen(text), &reg, &err) == DB_OK);
    CHECK(import(db, g_sec, "b1.dbb", o, &res, &err) == DB_OK && res.new_kiosk == 1);
    CHECK_STR(res.kiosk_label, "Ward 4");
    CHECK(adb_status(db, &st, &err) == DB_OK);
    CHECK(st.n_kiosks == 2);
    for (int i = 0; i < st.n_kiosks; i++)
        CHECK_STR(st.kiosks[i].label,
                  strcmp(st.kiosks[i].fingerprint, fp_a) == 0 ? "Ward 3 tablet" : "Ward 4");
    adb_status_free(&st);
    analysis_kiosks_free(&reg);
    adb_close(db);

    /* Schema 1 -> 4: a database as an older release left it (no label column, no record
     * ids, no recipients) opens, gains empty labels, an empty table of record ids and
     * batches whose recipients were not recorded, and keeps everything else. Needs the
     * sqlite3 shell to downgrade. */
    char cmd[2048];
    int n = snprintf(
        cmd, sizeof cmd,
        "command -v sqlite3 >/dev/null && cp '%s' '%s.v1' && sqlite3 '%s.v1' "
        "'ALTER TABLE kiosks DROP COLUMN label; DROP TABLE record_ids; "
        "ALTER TABLE batches DROP COLUMN replays; ALTER TABLE batches DROP COLUMN recipients; "
        "ALTER TABLE batches DROP COLUMN importer; "
        "PRAGMA user_version = 1;'",
        db_path, db_path, db_path);
    CHECK(n > 0 && (size_t)n < sizeof cmd);
    if (n <= 0 || (size_t)n >= sizeof cmd || system(cmd) != 0) {
        TEST_SKIP("schema 1 -> 2 needs the sqlite3 shell (apt-get install sqlite3)");
        return;
    }
    char v1[520];
    snprintf(v1, sizeof v1, "%s.v1", db_path);
    CHECK(adb_open(v1, 0, &db, &err) == DB_OK);
    if (!db)
        return;
    CHECK(adb_status(db, &st, &err) == DB_OK);
    CHECK(st.n_kiosks == 2);
    for (int i = 0; i < st.n_kiosks; i++) {
        CHECK(st.kiosks[i].label[0] == '\0' && st.kiosks[i].trusted == 1);
        for (uint32_t j = 0; j < st.kiosks[i].n_batches; j++)
            CHECK_STR(st.kiosks[i].recipients[j], "");
    }
    adb_status_free(&st);
    adb_close(db);
}

/* Full disk while importing: sqlite's page limit on this connection stands in for the disk.
 * The batch fails with one message, and the database is byte for byte as before. */
static void test_disk_full(void)
{
    char db_path[512], big[512];
    path_in(db_path, sizeof db_path, "full.db");
    path_in(big, sizeof big, "big.dbb");
    DbError err;
    Adb *db = NULL;
    AnalysisImportResult res;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    CHECK(import(db, g_sec, "a1.dbb", opts(1), &res, &err) == DB_OK);
    /* batch 2 of kiosk A with 200 responses needs far more pages than are left */
    GenSession gs = {g_survey, "Group 4", "2024-06-01", 200};
    uint8_t h[BATCH_HASH_BYTES];
    make_gen_batch(big, g_kiosk_a, 2, g_hash_a1, &gs, 1, NULL, 0, h);
    Snapshot before = snap(db_path);
    /* the page size from the file's header (offset 16, big-endian; 1 means 65536) */
    uint32_t page = before.data && before.len >= 100
                        ? (uint32_t)before.data[16] << 8 | before.data[17]
                        : 4096;
    if (page == 1)
        page = 65536;
    CHECK(page >= 512 && before.len % page == 0);
    CHECK(adb_test_limit_pages(db, (uint32_t)(before.len / page) + 2, &err) == DB_OK);
    CHECK(analysis_import_file(db, g_sec, big, &(AnalysisImportOptions){0}, &res, &err) ==
          DB_ENOSPC);
    char expect[1200];
    snprintf(expect, sizeof expect,
             "%s: %s: disk full while storing an answer; the database was not changed", big,
             db_path);
    CHECK_STR(err.msg, expect);
    CHECK(snap_same(before, db_path));
    free(before.data);
    /* With room again, the same batch imports. */
    CHECK(adb_test_limit_pages(db, 1u << 30, &err) == DB_OK);
    CHECK(analysis_import_file(db, g_sec, big, &(AnalysisImportOptions){0}, &res, &err) == DB_OK);
    CHECK(res.n_records == 200);
    adb_close(db);
}

/* Records are opened on several threads, yet the error always names the FIRST bad record,
 * and a good batch imports the same whatever the thread count. */
static void test_parallel_open(void)
{
    DbError err;
    char path[512], db_path[512];
    KeyIdentity *kc = test_kiosk("kiosk-c.key");
    if (!kc)
        return;
    GenSession gs[2] = {{g_survey, "Group 5", "2024-07-01", 180},
                        {g_survey, "Group 6", "2024-07-02", 120}};
    uint8_t h[BATCH_HASH_BYTES];
    static const int bad[] = {250, 38, 37, 299};
    path_in(path, sizeof path, "c1-bad.dbb");
    make_gen_batch(path, kc, 1, zero_hash, gs, 2, bad, 4, h);
    path_in(db_path, sizeof db_path, "parallel.db");
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db) {
        keys_identity_free(kc);
        return;
    }
    AnalysisImportResult res;
    Snapshot before = snap(db_path);
    static const int threads[] = {1, 2, 3, 8, 0};
    for (int rep = 0; rep < 4; rep++) {
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            AnalysisImportOptions o = opts(1);
            o.n_threads = threads[t];
            CHECK(import(db, g_sec, "c1-bad.dbb", o, &res, &err) == DB_EAUTH);
            check_msg(err.msg, "%s/c1-bad.dbb: record 37: " DBERR_AUTH_MSG);
        }
    }
    /* Altered as well: the signature's failure is what is reported, on any number of
     * threads (and no record is opened: test_verify_before_open). */
    size_t blen;
    uint8_t *bytes = read_all(path, &blen);
    char forged[512];
    path_in(forged, sizeof forged, "c1-forged.dbb");
    CHECK(bytes && blen > 1000);
    if (bytes) {
        bytes[blen / 2] ^= 0x20;
        CHECK(fs_write_atomic(forged, bytes, blen, 0644, &err) == DB_OK);
        free(bytes);
        for (int t = 0; t <= 3; t++) {
            AnalysisImportOptions o = opts(1);
            o.n_threads = t;
            CHECK(import(db, g_sec, "c1-forged.dbb", o, &res, &err) == DB_EAUTH);
            check_msg(err.msg, "%s/c1-forged.dbb: signature does not verify: the batch was "
                               "altered or is not from this kiosk");
        }
    }
    CHECK(snap_same(before, db_path));
    free(before.data);
    int enforced = 0; /* a bad record rolled the import back: foreign keys are on again */
    int64_t dangling = -1;
    CHECK(adb_test_foreign_keys(db, &enforced, &dangling, &err) == DB_OK && enforced &&
          dangling == 0);
    adb_close(db);
    db = NULL;

    /* The same batch without bad records, on 1 and on 3 threads: the same responses. */
    for (int t = 1; t <= 3; t += 2) {
        unlink(db_path);
        CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
        if (!db)
            break;
        path_in(path, sizeof path, "c1.dbb");
        if (t == 1)
            make_gen_batch(path, kc, 1, zero_hash, gs, 2, NULL, 0, h);
        AnalysisImportOptions o = opts(1);
        o.n_threads = t;
        CHECK(import(db, g_sec, "c1.dbb", o, &res, &err) == DB_OK);
        CHECK(res.n_records == 300);
        AdbData data;
        CHECK(adb_load(db, NULL, 0, &data, &err) == DB_OK);
        CHECK(data.n_surveys == 1 && data.surveys[0].n_responses == 300);
        char csv[512], name[32];
        snprintf(name, sizeof name, "parallel-%d.csv", t);
        path_in(csv, sizeof csv, name);
        AnalysisCsvOptions co = {csv, ANALYSIS_CSV_ALL, 0};
        int64_t rows;
        CHECK(data.n_surveys == 1 &&
              analysis_csv_write(&data.surveys[0], &co, &rows, &err) == DB_OK);
        adb_data_free(&data);
        adb_close(db);
        db = NULL;
    }
    size_t l1, l3;
    path_in(path, sizeof path, "parallel-1.csv");
    uint8_t *c1 = read_all(path, &l1);
    path_in(path, sizeof path, "parallel-3.csv");
    uint8_t *c3 = read_all(path, &l3);
    CHECK(c1 && c3 && l1 == l3 && memcmp(c1, c3, l1) == 0);
    free(c1);
    free(c3);
    adb_close(db);
    keys_identity_free(kc);
}

/* Issue 7: the signature is checked before any record is decrypted. A batch whose records are
 * sealed to the analyst but whose signature fails (altered in a record, or in the signature
 * itself) is refused with the signature's message, and seal_open never ran on any of its
 * records, whatever the thread count and even when the kiosk would be trusted. */
static void test_verify_before_open(void)
{
    DbError err;
    char path[512], forged[512], db_path[512];
    KeyIdentity *kd = test_kiosk("kiosk-d.key");
    if (!kd)
        return;
    GenSession gs = {g_survey, "Group 7", "2024-08-01", 200};
    uint8_t h[BATCH_HASH_BYTES];
    path_in(path, sizeof path, "d1.dbb");
    make_gen_batch(path, kd, 1, zero_hash, &gs, 1, NULL, 0, h);
    keys_identity_free(kd);
    path_in(db_path, sizeof db_path, "verify-first.db");
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    size_t blen;
    uint8_t *bytes = read_all(path, &blen);
    CHECK(bytes && blen > 1000);
    if (!bytes) {
        adb_close(db);
        return;
    }
    AnalysisImportResult res;
    Snapshot before = snap(db_path);
    /* a byte of a record's ciphertext; a byte of the signature */
    size_t flips[] = {blen / 2, blen - 1};
    for (size_t f = 0; f < sizeof flips / sizeof flips[0]; f++) {
        bytes[flips[f]] ^= 0x04;
        path_in(forged, sizeof forged, "d1-forged.dbb");
        CHECK(fs_write_atomic(forged, bytes, blen, 0644, &err) == DB_OK);
        bytes[flips[f]] ^= 0x04;
        for (int t = 0; t <= 3; t++) {
            AnalysisImportOptions o = opts(1);
            o.n_threads = t;
            unsigned long opened = analysis_records_opened();
            CHECK(import(db, g_sec, "d1-forged.dbb", o, &res, &err) == DB_EAUTH);
            check_msg(err.msg, "%s/d1-forged.dbb: signature does not verify: the batch was "
                               "altered or is not from this kiosk");
            CHECK(analysis_records_opened() == opened);
        }
    }
    CHECK(snap_same(before, db_path));
    free(before.data);
    free(bytes);
    /* The counter is live: the genuine batch opens each of its records once. */
    unsigned long opened = analysis_records_opened();
    AnalysisImportOptions o = opts(1);
    o.n_threads = 2;
    CHECK(import(db, g_sec, "d1.dbb", o, &res, &err) == DB_OK);
    CHECK(res.outcome == ANALYSIS_IMPORTED && res.n_records == 200);
    CHECK(analysis_records_opened() - opened == 200);
    adb_close(db);

    /* Workers that cannot get their locked buffer take no work; the import still succeeds
     * (it used to report "out of memory" as a bad record). */
    path_in(db_path, sizeof db_path, "verify-first-2.db");
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    analysis_test_fail_worker_buffers(1);
    o.n_threads = 3;
    int rc = import(db, g_sec, "d1.dbb", o, &res, &err);
    analysis_test_fail_worker_buffers(0);
    if (rc != DB_OK)
        fprintf(stderr, "import: %s\n", err.msg);
    CHECK(rc == DB_OK && res.outcome == ANALYSIS_IMPORTED && res.n_records == 200);
    adb_close(db);
}

/* What fs_read_file_watch showed its watcher. */
typedef struct Watched {
    int calls, moves, bad;
    const uint8_t *buf;
    size_t got;
} Watched;

static void watch_rec(void *ctx, const uint8_t *buf, size_t got)
{
    Watched *w = ctx;
    w->calls++;
    if (!buf) {
        w->moves++;
        w->bad |= got != 0;
        w->buf = NULL;
        return;
    }
    /* growing by at most a piece at a time, the start unchanged while the buffer stays */
    w->bad |= got <= w->got && w->buf == buf;
    w->bad |= got - (w->buf ? w->got : 0) > FS_READ_PIECE && w->buf == buf;
    w->buf = buf;
    w->got = got;
}

/* Records of two padded sizes in one batch (stored before and after the survey's record size
 * went from a power of two to whole KiB) open and import alike. */
static void test_mixed_record_sizes(void)
{
    DbError err;
    char path[512], db_path[512];
    KeyIdentity *kf = test_kiosk("kiosk-f.key");
    if (!kf)
        return;
    size_t pow2 = 1024;
    while (pow2 <= g_survey->record_size)
        pow2 *= 2;
    GenSession gs = {g_survey, "Group 9", "2024-08-03", 40};
    uint8_t h[BATCH_HASH_BYTES];
    path_in(path, sizeof path, "f1.dbb");
    g_old_padding = pow2;
    make_gen_batch(path, kf, 1, zero_hash, &gs, 1, NULL, 0, h);
    g_old_padding = 0;
    keys_identity_free(kf);
    Batch b;
    size_t blen;
    uint8_t *bytes = read_all(path, &blen);
    CHECK(bytes && batch_parse(path, bytes, blen, &b, &err) == DB_OK);
    if (bytes && b.n_records == 40) {
        CHECK(seal_record_padded_size(b.records[0].data, b.records[0].len) ==
              g_survey->record_size);
        CHECK(seal_record_padded_size(b.records[1].data, b.records[1].len) == pow2);
        batch_free(&b);
    }
    free(bytes);
    path_in(db_path, sizeof db_path, "mixed.db");
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    for (int t = 1; db && t <= 2; t++) {
        AnalysisImportOptions o = opts(1);
        o.n_threads = t;
        AnalysisImportResult res;
        CHECK(import(db, g_sec, "f1.dbb", o, &res, &err) == DB_OK);
        CHECK(res.n_records == 40 &&
              res.outcome == (t == 1 ? ANALYSIS_IMPORTED : ANALYSIS_ALREADY));
    }
    adb_close(db);
}

/* The import hashes a batch while it reads it (a thread hashes the pieces read so far): the
 * same batch, hash and messages as reading it whole and batch_parse, wherever a byte changed,
 * the pieces' edges included. */
static void test_read_while_hashing(void)
{
    DbError err, err2;
    char path[512], forged[512];
    KeyIdentity *ke = test_kiosk("kiosk-e.key");
    if (!ke)
        return;
    GenSession gs = {g_survey, "Group 8", "2024-08-02", 800}; /* several pieces */
    uint8_t h[BATCH_HASH_BYTES];
    path_in(path, sizeof path, "e1.dbb");
    make_gen_batch(path, ke, 1, zero_hash, &gs, 1, NULL, 0, h);
    keys_identity_free(ke);

    /* the watcher sees the pieces arrive, in one buffer that is the one returned */
    Watched w = {0};
    uint8_t *data = NULL, *bytes = NULL;
    size_t len = 0, blen = 0;
    CHECK(fs_read_file_watch(path, BATCH_MAX_BYTES, 1, watch_rec, &w, &data, &len, &err) ==
          DB_OK);
    bytes = read_all(path, &blen);
    CHECK(data && bytes && len == blen && blen > 4 * FS_READ_PIECE);
    CHECK(data && bytes && memcmp(data, bytes, blen) == 0);
    CHECK(w.calls >= (int)(blen / FS_READ_PIECE) && w.moves == 0 && !w.bad);
    CHECK(w.buf == data && w.got == len);
    free(data);
    data = NULL;
    /* a file whose size says 0 and that has more (a /proc file): the buffer grows, and the
     * watcher hears of each move before it happens */
    memset(&w, 0, sizeof w);
    CHECK(fs_read_file_watch("/proc/self/status", 1u << 20, 1, watch_rec, &w, &data, &len,
                             &err) == DB_OK);
    CHECK(w.moves > 0 && !w.bad && w.buf == data && w.got == len && len > 100);
    free(data);
    data = NULL;
    /* the same through the import's reader: hashed while the buffer moves, then refused */
    Batch b;
    CHECK(analysis_batch_read("/proc/self/status", &data, &len, &b, &err) == DB_EFORMAT);
    CHECK(data == NULL);
    /* too large: refused before anything is read */
    memset(&w, 0, sizeof w);
    CHECK(fs_read_file_watch(path, 1000, 1, watch_rec, &w, &data, &len, &err) == DB_ELIMIT);
    CHECK(data == NULL && w.calls == 0);

    /* the genuine batch: what batch_parse gives */
    Batch ref;
    CHECK(batch_parse(path, bytes, blen, &ref, &err) == DB_OK);
    CHECK(analysis_batch_read(path, &data, &len, &b, &err) == DB_OK);
    CHECK(data && len == blen && memcmp(b.hash, ref.hash, BATCH_HASH_BYTES) == 0 &&
          memcmp(b.hash, h, BATCH_HASH_BYTES) == 0);
    CHECK(b.n_records == 800 && b.n_sessions == 1);
    CHECK(b.n_records == 800 && data &&
          b.records[799].data == data + (ref.records[799].data - bytes));
    batch_free(&b);
    batch_free(&ref);
    free(data);
    data = NULL;

    /* one byte changed at the edges of the pieces read and hashed, the last signed byte, the
     * signature: the same refusal as batch_parse's */
    size_t flips[] = {FS_READ_PIECE - 1, FS_READ_PIECE, 1024 * 1024 - 1, 1024 * 1024,
                      blen - 65, blen - 64, blen - 1};
    path_in(forged, sizeof forged, "e1-forged.dbb");
    for (size_t f = 0; bytes && f < sizeof flips / sizeof flips[0]; f++) {
        bytes[flips[f]] ^= 0x01;
        CHECK(fs_write_atomic(forged, bytes, blen, 0644, &err) == DB_OK);
        int rc2 = batch_parse(forged, bytes, blen, &ref, &err2);
        bytes[flips[f]] ^= 0x01;
        CHECK(rc2 == DB_EAUTH);
        CHECK(analysis_batch_read(forged, &data, &len, &b, &err) == DB_EAUTH);
        CHECK_STR(err.msg, err2.msg);
        CHECK(data == NULL);
    }
    /* the last byte cut off: the parser's message, not a hash of the wrong bytes */
    if (bytes) {
        CHECK(fs_write_atomic(forged, bytes, blen - 1, 0644, &err) == DB_OK);
        int rc2 = batch_parse(forged, bytes, blen - 1, &ref, &err2);
        CHECK(rc2 != DB_OK);
        CHECK(analysis_batch_read(forged, &data, &len, &b, &err) == rc2);
        CHECK_STR(err.msg, err2.msg);
    }
    free(bytes);
}

/* Response ids: drawn in increasing order for a batch (rows go in in key order), and an id
 * that is taken falls back to a fresh random one instead of failing the import. */
static void test_response_ids(void)
{
    int64_t ids[64];
    adb_response_ids(ids, 64);
    for (int i = 0; i < 64; i++)
        CHECK(ids[i] > 0 && (i == 0 || ids[i] >= ids[i - 1]));
    CHECK(ids[0] != ids[63]);
    char db_path[512];
    path_in(db_path, sizeof db_path, "ids.db");
    DbError err;
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(g_kiosk_a, pk);
    uint8_t *plain = secmem_alloc(g_survey->record_size);
    size_t plen = 0;
    encode_one(&g_data[0], plain, g_survey->record_size, &plen);
    DecodedResponse *d = NULL;
    CHECK(response_decode(plain, plen, &d, &err) == DB_OK);
    BatchSession bs;
    memset(&bs, 0, sizeof bs);
    snprintf(bs.label, sizeof bs.label, "%s", d ? d->session_label : "");
    snprintf(bs.date, sizeof bs.date, "%s", d ? d->session_date : "");
    snprintf(bs.survey_id, sizeof bs.survey_id, "%s", g_survey->id);
    bs.survey_version = g_survey->version;
    int64_t kiosk = 0, sid = 0;
    CHECK(adb_begin(db, &err) == DB_OK);
    CHECK(adb_kiosk_add(db, pk, 1, &kiosk, &err) == DB_OK);
    CHECK(adb_survey_add(db, g_survey->id, g_survey->version, g_survey_file.json,
                         g_survey_file.len, &err) == DB_OK);
    CHECK(adb_session_get_or_add(db, kiosk, &bs, &sid, &err) == DB_OK);
    CHECK(d && adb_response_add(db, sid, ids[5], d, &err) == DB_OK);
    CHECK(d && adb_response_add(db, sid, ids[5], d, &err) == DB_OK); /* taken: another id */
    CHECK(d && adb_response_add(db, sid, 0, d, &err) == DB_OK);      /* none given */
    CHECK(adb_commit(db, &err) == DB_OK);
    AdbData data;
    CHECK(adb_load(db, NULL, 0, &data, &err) == DB_OK);
    CHECK(data.n_surveys == 1 && data.surveys[0].n_responses == 3);
    adb_data_free(&data);
    /* Several at once (two statements): all of them; one id taken among them: all of them
     * still, that one under a fresh id. */
    int64_t gsess[3] = {sid, sid, sid}, gids[3] = {ids[30], ids[31], ids[32]};
    DecodedResponse *grp[3] = {d, d, d};
    CHECK(adb_begin(db, &err) == DB_OK);
    CHECK(d && adb_responses_add(db, gsess, gids, grp, 3, &err) == DB_OK);
    gids[0] = ids[40];
    gids[1] = ids[5]; /* taken */
    gids[2] = ids[41];
    CHECK(d && adb_responses_add(db, gsess, gids, grp, 3, &err) == DB_OK);
    CHECK(adb_commit(db, &err) == DB_OK);
    CHECK(adb_load(db, NULL, 0, &data, &err) == DB_OK);
    CHECK(data.n_surveys == 1 && data.surveys[0].n_responses == 9);
    for (int i = 0; data.n_surveys == 1 && i < data.surveys[0].n_responses; i++)
        for (int q = 0; q < g_survey->n_questions; q++) { /* each stored the same */
            const AdbCell *a = &data.surveys[0].responses[i].cells[q];
            const AdbCell *z = &data.surveys[0].responses[0].cells[q];
            CHECK(a->state == z->state && a->value == z->value && a->chosen == z->chosen);
            CHECK((!a->text && !z->text) || (a->text && z->text && strcmp(a->text, z->text) == 0));
        }
    adb_data_free(&data);

    /* Foreign keys: enforced in an ordinary transaction (a response of a session that does
     * not exist is refused); not inside an import's, whose rows refer to rows it has itself
     * just found or added (adb_begin_import) -- the checker then finds the dangling row, and
     * enforcement is back after the commit or rollback. */
    int enforced = 0;
    int64_t bad = -1;
    CHECK(adb_test_foreign_keys(db, &enforced, &bad, &err) == DB_OK && enforced && bad == 0);
    CHECK(adb_begin(db, &err) == DB_OK);
    CHECK(d && adb_response_add(db, sid + 1000, 0, d, &err) == DB_EIO);
    adb_rollback(db);
    CHECK(adb_begin_import(db, &err) == DB_OK);
    CHECK(adb_test_foreign_keys(db, &enforced, &bad, &err) == DB_OK && !enforced && bad == 0);
    CHECK(d && adb_response_add(db, sid + 1000, 0, d, &err) == DB_OK);
    adb_rollback(db);
    CHECK(adb_test_foreign_keys(db, &enforced, &bad, &err) == DB_OK && enforced && bad == 0);
    CHECK(adb_begin_import(db, &err) == DB_OK);
    CHECK(d && adb_response_add(db, sid + 1000, 0, d, &err) == DB_OK);
    CHECK(adb_commit(db, &err) == DB_OK);
    CHECK(adb_test_foreign_keys(db, &enforced, &bad, &err) == DB_OK && enforced);
    CHECK(bad == 1); /* the response's session; its answers refer to it, which exists */
    response_decoded_free(d);
    secmem_free(plain);
    adb_close(db);
}

/* Killed mid-import (SIGKILL at points spread over an import's duration): the database
 * opens afterwards and holds the batch either completely or not at all, and in the latter
 * case is byte for byte as before (records are stored while later ones are still being
 * opened, so this is what the transaction and cache_spill = OFF guarantee). */
static int crash_child(const char *db_path, const char *batch)
{
    Adb *db = NULL;
    DbError err;
    AnalysisImportResult res;
    AnalysisImportOptions o = opts(0);
    int rc = adb_open(db_path, 0, &db, &err);
    if (rc == DB_OK)
        rc = analysis_import_file(db, g_sec, batch, &o, &res, &err);
    adb_close(db);
    return rc == DB_OK ? 0 : 1;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void test_crash_mid_import(void)
{
    char db_path[512], journal[600], batch[512];
    path_in(db_path, sizeof db_path, "crash.db");
    path_in(batch, sizeof batch, "crash-a2.dbb");
    snprintf(journal, sizeof journal, "%s-journal", db_path);
    DbError err;
    Adb *db = NULL;
    AnalysisImportResult res;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    if (!db)
        return;
    CHECK(import(db, g_sec, "a1.dbb", opts(1), &res, &err) == DB_OK);
    adb_close(db);
    GenSession gs = {g_survey, "Group 8", "2024-09-01", 600};
    uint8_t h[BATCH_HASH_BYTES];
    make_gen_batch(batch, g_kiosk_a, 2, g_hash_a1, &gs, 1, NULL, 0, h);
    Snapshot before = snap(db_path);
    CHECK(before.data != NULL);
    if (!before.data)
        return;

    /* how long an import takes here */
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid == 0)
        _exit(crash_child(db_path, batch));
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0);
    double full = now_ms() - t0;

    int n_none = 0, n_all = 0;
    for (int k = 0; k < 24; k++) {
        CHECK(fs_write_atomic(db_path, before.data, before.len, 0600, &err) == DB_OK);
        unlink(journal);
        pid = fork();
        if (pid == 0)
            _exit(crash_child(db_path, batch));
        struct timespec d = {0, (long)(full * 1e6 * (k + 1) / 24.0)};
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(adb_open(db_path, 0, &db, &err) == DB_OK);
        if (!db)
            continue;
        AdbStatus st;
        int64_t responses = 0;
        uint32_t batches = 0;
        CHECK(adb_status(db, &st, &err) == DB_OK);
        for (int i = 0; i < st.n_kiosks; i++)
            batches += st.kiosks[i].n_batches;
        for (int i = 0; i < st.n_sessions; i++)
            responses += st.sessions[i].responses;
        adb_status_free(&st);
        AdbData data;
        CHECK(adb_load(db, NULL, 0, &data, &err) == DB_OK);
        adb_data_free(&data);
        adb_close(db);
        if (batches == 1) {
            n_none++;
            CHECK(responses == 15);
            CHECK(snap_same(before, db_path));
        } else {
            n_all++;
            CHECK(batches == 2 && responses == 15 + 600);
        }
    }
    fprintf(stderr, "  killed mid-import 24 times (import %.0f ms): %d none, %d all\n", full,
            n_none, n_all);
    free(before.data);
}

/* Compares a produced file with tests/analysis/NAME; a difference or a missing golden fails
 * and keeps the file for tools/regen-golden. */
static void check_golden(const char *produced, const char *golden_name)
{
    char golden[512], rel[512];
    snprintf(golden, sizeof golden, "analysis/%s", golden_name);
    snprintf(rel, sizeof rel, "tests/analysis/%s", golden_name);
    size_t plen, glen;
    uint8_t *p = read_all(produced, &plen);
    CHECK(p != NULL);
    if (!p)
        return;
    uint8_t *g = read_all(golden, &glen);
    int same = g && glen == plen && memcmp(g, p, plen) == 0;
    if (!same) {
        fprintf(stderr, "  %s differs from %s%s\n", produced, golden, g ? "" : " (missing)");
        test_keep_actual(rel, NULL, p, plen);
    }
    CHECK(same);
    free(p);
    free(g);
}

static void test_csv_golden(void)
{
    Adb *db = NULL;
    DbError err;
    AdbData data;
    CHECK(adb_open(g_db, 0, &db, &err) == DB_OK);
    CHECK(adb_load(db, NULL, 0, &data, &err) == DB_OK);
    adb_close(db);
    CHECK(data.n_surveys == 1);
    if (data.n_surveys != 1)
        return;
    const AdbSurveyData *sd = &data.surveys[0];
    CHECK(sd->n_responses == N_DATA);
    CHECK(sd->n_sessions == 3);
    char out[512], side[512];
    path_in(out, sizeof out, "mini.csv");
    AnalysisCsvOptions o = {out, ANALYSIS_CSV_ALL, 0};
    int64_t rows;
    CHECK(analysis_csv_write(sd, &o, &rows, &err) == DB_OK);
    CHECK(rows == N_DATA);
    check_golden(out, "mini.csv");
    path_in(side, sizeof side, "mini.codebook.csv");
    check_golden(side, "mini.codebook.csv");
    path_in(side, sizeof side, "mini.sps");
    check_golden(side, "mini.sps");
    path_in(side, sizeof side, "mini.R");
    check_golden(side, "mini.R");
    struct stat sb;
    CHECK(stat(out, &sb) == 0 && (sb.st_mode & 0777) == 0600);

    /* --no-text: no text column at all. */
    path_in(out, sizeof out, "ratings.csv");
    o.out_path = out;
    o.mode = ANALYSIS_CSV_NO_TEXT;
    CHECK(analysis_csv_write(sd, &o, &rows, &err) == DB_OK);
    check_golden(out, "ratings.csv");

    /* --text-only: shuffled; compare the sorted lines with the golden (sorted) file. */
    path_in(out, sizeof out, "texts.csv");
    o.mode = ANALYSIS_CSV_TEXT_ONLY;
    CHECK(analysis_csv_write(sd, &o, &rows, &err) == DB_OK);
    CHECK(rows == 10); /* 7 comments + 3 "why" answers */
    size_t len;
    char *t = (char *)read_all(out, &len);
    CHECK(t != NULL);
    if (t) {
        CHECK(strncmp(t, "session_label,session_date,question_id,text\r\n", 45) == 0);
        CHECK(strstr(t, "\"'=SUM(A1:A9)\"") != NULL);
        CHECK(strstr(t, "\"More time,\nplease\"") != NULL);
        CHECK(strstr(t, "uncertainty") == NULL); /* no rating columns */
        free(t);
    }
    adb_data_free(&data);
}

static void test_csv_field(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"=1+1", "\"'=1+1\""},
        {"+49 30", "\"'+49 30\""},
        {"-3", "\"'-3\""},
        {"@cmd", "\"'@cmd\""},
        {"\tx", "\"'\tx\""},
        {"\rx", "\"'\rx\""},
        {"line\nbreak", "\"line\nbreak\""},
        {"Grüße", "Grüße"},
        {"", ""},
        {" padded ", "\" padded \""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[256] = {0};
        FILE *f = fmemopen(buf, sizeof buf - 1, "w");
        analysis_csv_field(f, cases[i].in);
        fclose(f);
        CHECK_STR(buf, cases[i].out);
    }
}

static void test_format_p(void)
{
    static const struct {
        double p;
        const char *out;
    } cases[] = {
        {0.03, ".03"},          {0.1002407204, ".10"}, {0.2, ".20"},    {1.0, "1.00"},
        {0.9999, "1.00"},       {0.994, ".99"},        {0.0423, ".04"}, {0.05, ".05"},
        {0.0496, ".0496"},      {0.0449, ".04"},       {0.004, ".004"}, {0.00999, ".010"},
        {0.001, ".001"},        {0.00099, "<.001"},    {0.0, "<.001"},  {NAN, "–"},
        {0.07417693706, ".07"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        analysis_format_p(cases[i].p, out, sizeof out);
        CHECK_STR(out, cases[i].out);
    }
}

/* Finds the sidecar line that starts with prefix (tab-separated) and returns the rest. */
static const char *side_line(const char *side, const char *prefix, char *out, size_t cap)
{
    size_t plen = strlen(prefix);
    for (const char *p = side; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len >= plen && strncmp(p, prefix, plen) == 0) {
            snprintf(out, cap, "%.*s", (int)(len - plen), p + plen);
            return out;
        }
        p = nl ? nl + 1 : NULL;
    }
    fprintf(stderr, "  sidecar has no line '%s'\n", prefix);
    return NULL;
}

/* Parses "a\tb\t..." numbers of a sidecar line (NA -> NAN); returns how many. */
static int side_nums(const char *line, double *v, int max)
{
    int n = 0;
    const char *p = line;
    while (p && *p && n < max) {
        char *end;
        if (strncmp(p, "NA", 2) == 0) {
            v[n++] = NAN;
            end = (char *)p + 2;
        } else {
            v[n++] = strtod(p, &end);
            if (end == p)
                break;
        }
        p = *end == '\t' ? end + 1 : NULL;
    }
    return n;
}

static char *run_report(const AdbData *data, const char *by, int k, const char *name)
{
    char out[512], side[600];
    path_in(out, sizeof out, name);
    snprintf(side, sizeof side, "%s.tsv", out);
    AnalysisReportOptions o;
    memset(&o, 0, sizeof o);
    o.out_path = out;
    o.by = by;
    o.k = k;
    o.agree = 4;
    o.sidecar = side;
    DbError err;
    int rc = analysis_report_write(data, &o, &err);
    if (rc != DB_OK)
        fprintf(stderr, "report: %s\n", err.msg);
    CHECK(rc == DB_OK);
    size_t len;
    return (char *)read_all(side, &len);
}

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

/* Numbers in the report, against what R 4.2.2 gives on the golden CSV (tests/analysis/mini.csv
 * read with mini.R; docs/ANALYSIS.md, "Statistics and how they match R"). */
static void test_report_numbers(void)
{
    Adb *db = NULL;
    DbError err;
    AdbData data;
    CHECK(adb_open(g_db, 0, &db, &err) == DB_OK);
    CHECK(adb_load(db, NULL, 0, &data, &err) == DB_OK);
    adb_close(db);
    char *side = run_report(&data, "session", 5, "report.html");
    CHECK(side != NULL);
    if (!side) {
        adb_data_free(&data);
        return;
    }
    char line[1024];
    double v[8];
    CHECK(side_line(side, "group\t1\tGroup 1 (2024-05-14)\t", line, sizeof line) &&
          strcmp(line, "9") == 0);
    CHECK(side_line(side, "group\t2\tGroup 2 (2024-05-14)\t", line, sizeof line) &&
          strcmp(line, "6") == 0);
    CHECK(side_line(side, "group\t3\tGroup 3 (2024-05-21)\t", line, sizeof line) &&
          strcmp(line, "9") == 0);
    /* uncertainty: n, declined, fewer than k in all */
    CHECK(side_line(side, "item\tuncertainty\t", line, sizeof line) && strcmp(line, "24\t0\t0") == 0);
    CHECK(side_line(side, "item\tempathy\t", line, sizeof line) && strcmp(line, "23\t1\t0") == 0);
    /* uncertainty: n, agreeing, mean, sd, then the distribution */
    CHECK(side_nums(side_line(side, "likert\tuncertainty\tall\t", line, sizeof line), v, 8) == 5);
    CHECK(v[0] == 24 && v[1] == 18 && NEAR(v[2], 3.916666667, 1e-9) &&
          NEAR(v[3], 1.100065874, 1e-9));
    CHECK(side_nums(side_line(side, "likert\tuncertainty\t1\t", line, sizeof line), v, 8) == 5);
    CHECK(v[0] == 9 && v[1] == 5 && NEAR(v[2], 3.444444444, 1e-9) &&
          NEAR(v[3], 1.333333333, 1e-9));
    CHECK(strcmp(line + strlen(line) - 9, "1,1,2,3,2") == 0);
    CHECK(side_nums(side_line(side, "likert\tuncertainty\t2\t", line, sizeof line), v, 8) == 5);
    CHECK(v[0] == 6 && v[1] == 4 && NEAR(v[2], 3.666666667, 1e-9) && NEAR(v[3], 1.032795559, 1e-9));
    CHECK(side_nums(side_line(side, "likert\tuncertainty\t3\t", line, sizeof line), v, 8) == 5);
    CHECK(v[0] == 9 && v[1] == 9 && NEAR(v[2], 4.555555556, 1e-9) &&
          NEAR(v[3], 0.5270462767, 1e-9));
    CHECK(side_nums(side_line(side, "fisher\tuncertainty\t", line, sizeof line), v, 8) == 1);
    CHECK(NEAR(v[0], 0.1002407204, 1e-9));
    CHECK(side_nums(side_line(side, "rank\tuncertainty\tKruskal-Wallis\t", line, sizeof line), v,
                    8) == 3);
    CHECK(NEAR(v[0], 5.202603997, 1e-8) && v[1] == 2 && NEAR(v[2], 0.07417693706, 1e-10));
    /* empathy: one declined in group 1 is left out */
    CHECK(side_nums(side_line(side, "likert\tempathy\t1\t", line, sizeof line), v, 8) == 5);
    CHECK(v[0] == 8 && v[1] == 6 && NEAR(v[2], 3.875, 1e-12) && NEAR(v[3], 0.991031209, 1e-9));
    CHECK(side_nums(side_line(side, "fisher\tempathy\t", line, sizeof line), v, 8) == 1);
    CHECK(NEAR(v[0], 0.04228951826, 1e-10));
    CHECK(side_nums(side_line(side, "rank\tempathy\tKruskal-Wallis\t", line, sizeof line), v, 8) ==
          3);
    CHECK(NEAR(v[0], 5.026388889, 1e-8) && NEAR(v[2], 0.08100904657, 1e-10));
    /* choice counts: role clinical 16 of 21 answering (2 declined, 1 unanswered) */
    CHECK(side_line(side, "choice\trole\tall\t", line, sizeof line) &&
          strcmp(line, "21\t16,5") == 0);
    CHECK(side_line(side, "item\trole\t", line, sizeof line) && strcmp(line, "21\t2\t0") == 0);
    CHECK(side_line(side, "choice\ttopics\tall\t", line, sizeof line) &&
          strcmp(line, "17\t10,6,5") == 0); /* R: sum(d$topics__ethics) of 17 */
    CHECK(side_line(side, "text\tcomment\t", line, sizeof line) && strcmp(line, "7") == 0);
    CHECK(side_line(side, "text\twhy\t", line, sizeof line) && strcmp(line, "3") == 0);
    free(side);

    /* The HTML itself: self-contained, escaped, the published cells present. */
    char html_path[512];
    path_in(html_path, sizeof html_path, "report.html");
    size_t len;
    char *html = (char *)read_all(html_path, &len);
    CHECK(html != NULL);
    if (html) {
        CHECK(strstr(html, "<script") == NULL);
        CHECK(strstr(html, "src=") == NULL && strstr(html, "href=") == NULL);
        CHECK(strstr(html, "@import") == NULL && strstr(html, "url(") == NULL);
        CHECK(strstr(html, "<svg") != NULL);
        CHECK(strstr(html, "Too short, &quot;rushed&quot;") != NULL);
        CHECK(strstr(html, "It fostered &quot;empathy&quot;, I&#39;d say.") != NULL);
        CHECK(strstr(html, "<td class=\"num\">18/24 (75)</td>") != NULL);
        CHECK(strstr(html, "<td class=\"num\">5/9 (56)</td>") != NULL);
        /* per item: n answering and declined */
        CHECK(strstr(html, "I&#39;d say.</td><td class=\"num\">23</td><td class=\"num\">1</td>") !=
              NULL);
        /* p as the paper prints it: no leading zero, two decimals */
        CHECK(strstr(html, "<td class=\"num\">.10</td>") != NULL);
        CHECK(strstr(html, "<td class=\"num\">.04*</td>") != NULL);
        CHECK(strstr(html, "<td class=\"num\">.07 <span class=\"test\">KW</span></td>") != NULL);
        CHECK(strstr(html, "0.10") == NULL && strstr(html, "0.04") == NULL);
        /* a session's date on its own line in the column header */
        CHECK(strstr(html, "<th>Group 1<br><span class=\"date\">2024-05-14</span></th>") != NULL);
        /* at k = 5 only the topics table hides cells: its note is the only one */
        char *note = strstr(html, "<p class=\"note sup-note\">");
        char *topics = strstr(html, "Topics for next time");
        CHECK(note && topics && note > topics);
        CHECK(note && strstr(note + 1, "<p class=\"note sup-note\">") == NULL);
        CHECK(strstr(html, "3.92 (1.10)") != NULL);
        free(html);
    }

    /* k = 7: group 2 (6 answers) is pooled, and group 1 (9, the first of the two smallest)
     * added so that the pool has 7; the tests compare group 3 and the pool. Nothing of
     * group 1 or 2 alone is printed, and no group that is not under k is marked as one. */
    side = run_report(&data, "session", 7, "report-k7.html");
    CHECK(side != NULL);
    if (side) {
        CHECK(side_line(side, "pool\tuncertainty\t", line, sizeof line) &&
              strcmp(line, "1:added,2:small") == 0);
        CHECK(strstr(side, "likert\tuncertainty\t1\t") == NULL);
        CHECK(strstr(side, "likert\tuncertainty\t2\t") == NULL);
        CHECK(side_nums(side_line(side, "likert\tuncertainty\tpool\t", line, sizeof line), v,
                        8) == 5);
        CHECK(v[0] == 15 && v[1] == 9);
        /* R: wilcox.test(c(5,4,4,5,5,4,4,5,4), c(pool's 15 values)) */
        CHECK(side_nums(side_line(side, "rank\tuncertainty\tWilcoxon rank-sum\t", line,
                                  sizeof line),
                        v, 8) == 3);
        CHECK(NEAR(v[0], 103.5, 0) && NEAR(v[2], 0.02480902507, 1e-9));
        free(side);
    }
    path_in(html_path, sizeof html_path, "report-k7.html");
    html = (char *)read_all(html_path, &len);
    CHECK(html && strstr(html, "<td class=\"num sup\">pooled<sup>a</sup></td>") != NULL);
    CHECK(html && strstr(html, "†</td>") == NULL && strstr(html, "&lt;7") == NULL);
    CHECK(html && strstr(html, "5/9 (56)") == NULL); /* group 1's cell is not shown */
    CHECK(html && strstr(html, "<sup>a</sup> Pooled: Group 2 (2024-05-14) (fewer than 7 "
                               "answers: never shown alone); Group 1 (2024-05-14) (added so "
                               "that the pool has at least 7 answers).") != NULL);
    free(html);

    /* Grouped by role (two groups): Wilcoxon rank-sum, as R's wilcox.test. */
    side = run_report(&data, "role", 1, "report-role.html");
    CHECK(side != NULL);
    if (side) {
        CHECK(
            side_nums(side_line(side, "rank\tuncertainty\tWilcoxon rank-sum\t", line, sizeof line),
                      v, 8) == 3);
        CHECK(NEAR(v[0], 48, 0) && NEAR(v[2], 0.5059587839, 1e-10));
        CHECK(side_nums(side_line(side, "rank\tempathy\tWilcoxon rank-sum\t", line, sizeof line), v,
                        8) == 3);
        CHECK(NEAR(v[0], 47, 0) && NEAR(v[2], 0.5616559741, 1e-10));
        CHECK(side_nums(side_line(side, "fisher\tuncertainty\t", line, sizeof line), v, 8) == 1);
        CHECK(NEAR(v[0], 1.0, 1e-12));
        free(side);
    }
    path_in(html_path, sizeof html_path, "report-role.html");
    html = (char *)read_all(html_path, &len);
    /* p = 1 prints as "1.00"; groups that are answers have no date line */
    CHECK(html && strstr(html, "<td class=\"num\">1.00</td>") != NULL);
    CHECK(html && strstr(html, "<th>Clinical</th>") != NULL);
    free(html);
    /* A question that cannot form groups. */
    AnalysisReportOptions o;
    memset(&o, 0, sizeof o);
    char out[512];
    path_in(out, sizeof out, "bad.html");
    o.out_path = out;
    o.by = "comment";
    CHECK(analysis_report_write(&data, &o, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "--by comment: only a single-choice or Likert question can form groups");
    o.by = "nope";
    CHECK(analysis_report_write(&data, &o, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "--by nope: survey mini version 2 has no such question");
    adb_data_free(&data);
}

/* The whole loop with the kiosk's own code: sessions stored in the kiosk store (sealed on
 * submit) -> coord_export writes the signed batch -> import -> CSV equals the golden file ->
 * the analyst's acknowledgement makes the kiosk purge exactly that batch. */
static void test_kiosk_roundtrip(void)
{
    DbError err;
    char dir[512], usb[512], db_path[512];
    path_in(dir, sizeof dir, "kiosk-data");
    path_in(usb, sizeof usb, "usb");
    path_in(db_path, sizeof db_path, "roundtrip.db");
    CHECK(fs_mkdir_p(dir, 0700, &err) == DB_OK && fs_mkdir_p(usb, 0755, &err) == DB_OK);
    Store *st = NULL;
    CHECK(store_open(dir, &st, &err) == DB_OK);
    if (!st)
        return;
    uint8_t *plain = secmem_alloc(g_survey->record_size);
    size_t rec_cap = seal_record_size(g_survey->record_size, 1);
    uint8_t *rec = malloc(rec_cap);
    const char *open_label = "";
    int64_t sid = 0;
    for (int i = 0; i < N_DATA; i++) {
        if (strcmp(open_label, g_data[i].label) != 0) {
            if (sid)
                CHECK(store_session_close(st, &err) == DB_OK);
            CHECK(store_session_open(st, g_data[i].label, g_data[i].date, g_survey->id,
                                     g_survey->version, 0, &sid, &err) == DB_OK);
            open_label = g_data[i].label;
        }
        size_t plen, rlen;
        encode_one(&g_data[i], plain, g_survey->record_size, &plen);
        CHECK(seal_record(plain, plen, g_survey->record_size, &g_pub, 1, rec, rec_cap, &rlen,
                          &err) == DB_OK);
        secmem_wipe(plain, g_survey->record_size);
        CHECK(store_response_put(st, sid, rec, rlen, &err) == DB_OK);
    }
    CHECK(store_session_close(st, &err) == DB_OK);
    RcptSet pinned = {1, {g_pub}}; /* what the kiosk's first start pins */
    CHECK(rcpt_pin(st, &pinned, "pinned at the first start", &err) == DB_OK);
    store_close(st);
    free(rec);
    secmem_free(plain);

    CoordExportOptions eo;
    memset(&eo, 0, sizeof eo);
    eo.data_dir = dir;
    eo.out_dir = usb;
    CoordExportResult er;
    CHECK(store_open(dir, &eo.store, &err) == DB_OK);
    int rc = coord_export(&eo, &er, &err);
    store_close(eo.store);
    if (rc != DB_OK)
        fprintf(stderr, "export: %s\n", err.msg);
    CHECK(rc == DB_OK);
    CHECK(er.n_batches == 1);
    char batch_path[PATH_MAX] = "";
    if (rc == DB_OK && er.n_batches == 1)
        snprintf(batch_path, sizeof batch_path, "%s", er.batches[0].path);
    coord_export_result_free(&er);

    Adb *db = NULL;
    AnalysisImportResult res;
    AnalysisImportOptions o = opts(1);
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    rc = analysis_import_file(db, g_sec, batch_path, &o, &res, &err);
    if (rc != DB_OK)
        fprintf(stderr, "import: %s\n", err.msg);
    CHECK(rc == DB_OK && res.outcome == ANALYSIS_IMPORTED && res.n_records == N_DATA);
    AdbData data;
    CHECK(adb_load(db, NULL, 0, &data, &err) == DB_OK);
    char csv[512], ack[512];
    path_in(csv, sizeof csv, "roundtrip.csv");
    AnalysisCsvOptions co = {csv, ANALYSIS_CSV_ALL, 0};
    int64_t rows;
    CHECK(data.n_surveys == 1 && analysis_csv_write(&data.surveys[0], &co, &rows, &err) == DB_OK);
    check_golden(csv, "mini.csv");
    adb_data_free(&data);

    path_in(ack, sizeof ack, "roundtrip.dba");
    uint32_t n_entries;
    CHECK(analysis_ack_write(db, g_sec, res.kiosk_pk, ack, 0, ack, sizeof ack, &n_entries, &err) ==
          DB_OK);
    adb_close(db);
    CoordAckResult ar;
    CHECK(store_open(dir, &st, &err) == DB_OK);
    rc = coord_ack(st, dir, &g_pub, 1, ack, &ar, &err);
    store_close(st);
    if (rc != DB_OK)
        fprintf(stderr, "ack: %s\n", err.msg);
    CHECK(rc == DB_OK && ar.n_purged == 1 && ar.deleted == N_DATA);
}

/* Runs the debrief binary with args (a shell command line after the program), capturing
 * stdout and stderr into g_root/out.txt and err.txt; returns the exit status. */
static int run_cli(char **out, char **errs, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int run_cli(char **out, char **errs, const char *fmt, ...)
{
    const char *build = getenv("DEBRIEF_BUILD_DIR");
    char args[3000], cmd[8192], out_path[512], err_path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    path_in(out_path, sizeof out_path, "out.txt");
    path_in(err_path, sizeof err_path, "err.txt");
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s/app/cli/debrief' %s >'%s' 2>'%s' </dev/null", g_root,
             build ? build : "../build", args, out_path, err_path);
    int st = system(cmd);
    size_t len;
    *out = (char *)read_all(out_path, &len);
    *errs = (char *)read_all(err_path, &len);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The CLI end to end: wrong passphrase, untrusted kiosk, batches given out of order, replay,
 * one bad file among good ones, status, csv (same golden file), report, acknowledgement. */
static void test_cli(void)
{
    DbError err;
    char path[512];
    path_in(path, sizeof path, "analyst.key");
    CHECK(keys_secret_write(path, g_sec, "correct horse", 13, keys_kdf_fast_for_tests(), &err) ==
          DB_OK);
    path_in(path, sizeof path, "pass.txt");
    CHECK(fs_write_atomic(path, "correct horse\n", 14, 0600, &err) == DB_OK);
    path_in(path, sizeof path, "wrong.txt");
    CHECK(fs_write_atomic(path, "not the passphrase\n", 19, 0600, &err) == DB_OK);
    char *out, *errs, db[512];
    path_in(db, sizeof db, "cli.db");
    char srv[1024];
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(srv, sizeof srv, "--survey '%s/tests/analysis/mini.json'", src ? src : "..");

    /* Wrong passphrase: exit 1, one message, no database created. */
    CHECK(run_cli(&out, &errs,
                  "import --key analyst.key --passphrase-file wrong.txt --db cli.db "
                  "%s a1.dbb",
                  srv) == 1);
    CHECK_STR(errs, "debrief: error: analyst.key: " DBERR_AUTH_MSG "\n");
    CHECK(access(db, F_OK) != 0);
    free(out);
    free(errs);

    /* New kiosk without --trust-new-kiosk. */
    CHECK(run_cli(&out, &errs,
                  "import --key analyst.key --passphrase-file pass.txt --db cli.db "
                  "%s a1.dbb",
                  srv) == 1);
    CHECK(errs && strstr(errs, "a1.dbb: batch 1 comes from a kiosk not seen before") != NULL);
    CHECK(access(db, F_OK) != 0); /* the database this run created is not left behind */
    free(out);
    free(errs);
    Snapshot before = snap(db);

    /* Given 2 before 1: imported in order; an acknowledgement next to the database. */
    CHECK(run_cli(&out, &errs,
                  "import --key analyst.key --passphrase-file pass.txt --db cli.db "
                  "%s --trust-new-kiosk a2.dbb a1.dbb b1.dbb",
                  srv) == 0);
    CHECK(errs && errs[0] == '\0');
    CHECK(out && strstr(out, "a1.dbb: imported batch 1 of kiosk") != NULL);
    CHECK(out && strstr(out, "a2.dbb: imported batch 2 of kiosk") != NULL);
    CHECK(out && strstr(out, "b1.dbb: imported batch 1 of kiosk") != NULL);
    CHECK(out && strstr(out, "a1.dbb") < strstr(out, "a2.dbb"));
    char fp[KEY_FINGERPRINT_SIZE], name[128];
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(g_kiosk_a, pk);
    keys_fingerprint(pk, sizeof pk, fp);
    analysis_ack_file_name(fp, 2, db, name, sizeof name);
    path_in(path, sizeof path, name);
    CHECK(access(path, F_OK) == 0);
    CHECK(out && strstr(out, "(2 batches)") != NULL);
    free(out);
    free(errs);
    free(before.data);

    /* Replay plus a tampered file: the good one says "already", the bad one fails alone. */
    before = snap(db);
    path_in(path, sizeof path, "a1.dbb");
    size_t len;
    uint8_t *data = read_all(path, &len);
    CHECK(data != NULL);
    if (data) {
        data[len - 3] ^= 0x80;
        path_in(path, sizeof path, "a3-bad.dbb");
        CHECK(fs_write_atomic(path, data, len, 0644, &err) == DB_OK);
        free(data);
    }
    CHECK(run_cli(&out, &errs,
                  "import --key analyst.key --passphrase-file pass.txt --db cli.db "
                  "a1.dbb a3-bad.dbb nothere.dbb") == 1);
    CHECK(out && strstr(out, "a1.dbb: batch 1 of kiosk") != NULL &&
          strstr(out, "was already imported; nothing changed") != NULL);
    /* one line per bad file */
    int lines = 0;
    for (const char *p = errs; p && *p; p++)
        lines += *p == '\n';
    CHECK(lines == 2);
    CHECK(errs && strstr(errs, "debrief: error: a3-bad.dbb") != NULL);
    CHECK(errs && strstr(errs, "debrief: error: nothere.dbb") != NULL);
    CHECK(snap_same(before, db));
    free(before.data);
    free(out);
    free(errs);

    /* status */
    CHECK(run_cli(&out, &errs, "status --db cli.db") == 0);
    CHECK(out && strstr(out, "kiosks: 2\n") != NULL);
    CHECK(out && strstr(out, "    batches: 1-2\n") != NULL);
    CHECK(out && strstr(out, "    gaps: none\n") != NULL);
    CHECK(out && strstr(out, "total: 24 responses in 3 sessions\n") != NULL);
    char expect[256];
    snprintf(expect, sizeof expect, "  %s  trusted  2 batches, 20 responses\n", fp);
    CHECK(out && strstr(out, expect) != NULL);
    /* whom the batches were sealed to (the test batches name the key by id only) */
    uint8_t an_id[KEY_ID_BYTES];
    keys_public_id(&g_pub, an_id);
    char an_hex[2 * KEY_ID_BYTES + 1];
    for (int i = 0; i < KEY_ID_BYTES; i++)
        snprintf(an_hex + 2 * i, 3, "%02x", an_id[i]);
    snprintf(expect, sizeof expect, "    sealed to: key id %s (batches 1-2)\n", an_hex);
    CHECK(out && strstr(out, expect) != NULL);
    free(out);
    free(errs);

    /* A batch also sealed to another key: refused, then imported with --expect-recipient,
     * and the import line says whom it is sealed to. */
    static const uint8_t zero[BATCH_HASH_BYTES];
    const KeyPublic both[2] = {g_pub, g_mallory_pub};
    uint8_t h[BATCH_HASH_BYTES];
    make_batch_to("cli-both.dbb", g_kiosk_a, 1, zero, both, 2, 1, g_data, 3, NULL, h);
    path_in(path, sizeof path, "other.pub");
    CHECK(keys_public_write(path, &g_mallory_pub, &err) == DB_OK);
    char fp_an[KEY_FINGERPRINT_SIZE], fp_mal[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&g_pub, fp_an);
    keys_public_fingerprint(&g_mallory_pub, fp_mal);
    CHECK(run_cli(&out, &errs,
                  "import --key analyst.key --passphrase-file pass.txt --db cli-both.db %s "
                  "--trust-new-kiosk cli-both.dbb",
                  srv) == 1);
    CHECK(errs && strstr(errs, "responses are sealed to a key that was not expected") != NULL &&
          strstr(errs, fp_mal) != NULL);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs,
                  "import --key analyst.key --passphrase-file pass.txt --db cli-both.db %s "
                  "--trust-new-kiosk --expect-recipient other.pub cli-both.dbb",
                  srv) == 0);
    CHECK(out && strstr(out, "cli-both.dbb: imported batch 1 of kiosk") != NULL &&
          strstr(out, "; sealed to ") != NULL && strstr(out, fp_an) != NULL &&
          strstr(out, fp_mal) != NULL);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "status --db cli-both.db") == 0);
    CHECK(out && strstr(out, "    sealed to: ") != NULL && strstr(out, fp_mal) != NULL);
    free(out);
    free(errs);

    /* csv: the same golden file as the library test */
    CHECK(run_cli(&out, &errs, "csv --db cli.db --out cli.csv") == 0);
    path_in(path, sizeof path, "cli.csv");
    check_golden(path, "mini.csv");
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "csv --db cli.db --out x.csv --no-text --text-only") == 2);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "csv --db nonexistent.db --out x.csv") == 1);
    CHECK(errs && strstr(errs, "nonexistent.db: no such analysis database") != NULL);
    free(out);
    free(errs);

    /* report */
    CHECK(run_cli(&out, &errs, "report --db cli.db --out cli.html --by role --k 3") == 0);
    path_in(path, sizeof path, "cli.html");
    CHECK(access(path, F_OK) == 0);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "report --db cli.db --out cli.html --k 0") == 2);
    free(out);
    free(errs);

    /* --help on every command */
    const char *cmds[] = {"import", "status", "csv", "report"};
    for (size_t i = 0; i < 4; i++) {
        CHECK(run_cli(&out, &errs, "%s --help", cmds[i]) == 0);
        CHECK(out && strncmp(out, "usage: debrief ", 15) == 0);
        free(out);
        free(errs);
    }
}

/* Counts the lines of a text. */
static int count_lines(const char *t)
{
    int n = 0;
    for (const char *p = t; p && *p; p++)
        n += *p == '\n';
    return n;
}

/* Issue 16, point 3: verify with several batches reports gaps, forks, splices and replays
 * as import does, every one of them, and exits 1; the same batch twice is only noted. Runs
 * after test_record_replays (its a2-replay.dbb and b1-splice.dbb). */
static void test_cli_verify(void)
{
    uint8_t h3[BATCH_HASH_BYTES], hf[BATCH_HASH_BYTES], hs[BATCH_HASH_BYTES];
    uint8_t bogus[BATCH_HASH_BYTES];
    memset(bogus, 7, sizeof bogus);
    make_batch("v-a3.dbb", g_kiosk_a, 3, g_hash_a2, &g_pub, g_data, 2, NULL, h3);
    make_batch("v-a2-fork.dbb", g_kiosk_a, 2, g_hash_a1, &g_pub, g_data, 3, NULL, hf);
    make_batch("v-a2-splice.dbb", g_kiosk_a, 2, bogus, &g_pub, g_data, 3, NULL, hs);
    char *out, *errs, fp_a[KEY_FINGERPRINT_SIZE], fp_b[KEY_FINGERPRINT_SIZE], expect[600];
    kiosk_fp(g_kiosk_a, fp_a);
    kiosk_fp(g_kiosk_b, fp_b);

    CHECK(run_cli(&out, &errs, "verify a1.dbb a2.dbb v-a3.dbb b1.dbb") == 0);
    CHECK(errs && errs[0] == '\0');
    free(out);
    free(errs);
    /* batch 2 missing: the issue's "verify b1 b3 says ok" */
    CHECK(run_cli(&out, &errs, "verify v-a3.dbb a1.dbb") == 1);
    snprintf(expect, sizeof expect,
             "debrief: error: GAP: batch 2 of kiosk %s is missing between a1.dbb and v-a3.dbb; "
             "import refuses v-a3.dbb without it (or with --accept-gap)\n",
             fp_a);
    CHECK_STR(errs, expect);
    CHECK(out && strstr(out, "a1.dbb: ok") && strstr(out, "v-a3.dbb: ok"));
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "verify a1.dbb a2.dbb v-a2-fork.dbb") == 1);
    snprintf(expect, sizeof expect,
             "FORK: a2.dbb and v-a2-fork.dbb are two different batches numbered 2 of kiosk %s", fp_a);
    CHECK(errs && strstr(errs, expect) != NULL);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "verify a1.dbb v-a2-splice.dbb") == 1);
    snprintf(expect, sizeof expect,
             "SPLICE: v-a2-splice.dbb (batch 2 of kiosk %s) does not follow a1.dbb (batch 1)",
             fp_a);
    CHECK(errs && strstr(errs, expect) != NULL);
    free(out);
    free(errs);
    /* replays: in the next chained batch of the same kiosk, and in another kiosk's batch;
     * both are reported, one line each */
    CHECK(run_cli(&out, &errs, "verify a1.dbb a2-replay.dbb b1-splice.dbb") == 1);
    snprintf(expect, sizeof expect, "of a2-replay.dbb (batch 2 of kiosk %s) repeats record 3 of "
             "a1.dbb (batch 1 of kiosk %s)", fp_a, fp_a);
    CHECK(errs && strstr(errs, expect) != NULL);
    snprintf(expect, sizeof expect, "of b1-splice.dbb (batch 1 of kiosk %s) repeats record 3 of "
             "a1.dbb (batch 1 of kiosk %s)", fp_b, fp_a);
    CHECK(errs && strstr(errs, expect) != NULL);
    CHECK(count_lines(errs) == 2);
    free(out);
    free(errs);
    /* the same batch twice is no replay: noted, exit 0 */
    CHECK(run_cli(&out, &errs, "verify a1.dbb a1.dbb") == 0);
    CHECK(out && strstr(out, "a1.dbb: the same batch as a1.dbb") != NULL);
    free(out);
    free(errs);
    /* one unreadable file among good ones: its error, and the others still checked */
    CHECK(run_cli(&out, &errs, "verify a1.dbb nothere.dbb a2.dbb") == 1);
    CHECK(count_lines(errs) == 1 && strstr(errs, "nothere.dbb") != NULL);
    CHECK(out && strstr(out, "a2.dbb: ok") != NULL);
    free(out);
    free(errs);
}


/* The registry and untrusting through the CLI; a database the run created and filled with
 * nothing is not left behind. */
static void test_cli_kiosks(void)
{
    char fp_a[KEY_FINGERPRINT_SIZE], fp_b[KEY_FINGERPRINT_SIZE], text[256], path[512], db[512];
    kiosk_fp(g_kiosk_a, fp_a);
    kiosk_fp(g_kiosk_b, fp_b);
    DbError err;
    snprintf(text, sizeof text, "# kiosks of the CCDG evaluation\n%s  Ward 3 tablet\n", fp_a);
    path_in(path, sizeof path, "kiosks.txt");
    CHECK(fs_write_atomic(path, text, strlen(text), 0644, &err) == DB_OK);
    path_in(db, sizeof db, "reg-cli.db");
    const char *imp = "import --key analyst.key --passphrase-file pass.txt --db reg-cli.db";
    char srv[1024];
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(srv, sizeof srv, "--survey '%s/tests/analysis/mini.json'", src ? src : "..");
    char *out, *errs, expect[512];

    /* Only an unlisted kiosk's batch: refused with its fingerprint, no database left. */
    CHECK(run_cli(&out, &errs, "%s %s --kiosks kiosks.txt b1.dbb", imp, srv) == 1);
    snprintf(expect, sizeof expect,
             "debrief: error: b1.dbb: batch 1 comes from kiosk %s, which is not in the kiosk "
             "registry kiosks.txt; compare the fingerprint with the kiosk's admin screen, then "
             "add it to the registry\n",
             fp_b);
    CHECK_STR(errs, expect);
    CHECK(access(db, F_OK) != 0);
    free(out);
    free(errs);

    /* A bad registry: one message naming the line, nothing created. */
    path_in(path, sizeof path, "kiosks-bad.txt");
    CHECK(fs_write_atomic(path, "# x\nnot-a-fingerprint y\n", 24, 0644, &err) == DB_OK);
    CHECK(run_cli(&out, &errs, "%s %s --kiosks kiosks-bad.txt a1.dbb", imp, srv) == 1);
    CHECK(errs &&
          strncmp(errs, "debrief: error: kiosks-bad.txt:2: expected a kiosk fingerprint", 62) ==
              0 &&
          count_lines(errs) == 1);
    CHECK(access(db, F_OK) != 0);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "%s --kiosks kiosks.txt --trust-new-kiosk a1.dbb", imp) == 2);
    free(out);
    free(errs);

    /* The listed kiosk's batches import with its label; the unlisted one is refused. */
    CHECK(run_cli(&out, &errs, "%s %s --kiosks kiosks.txt b1.dbb a2.dbb a1.dbb", imp, srv) == 1);
    snprintf(expect, sizeof expect, "a1.dbb: new kiosk %s (Ward 3 tablet) trusted\n", fp_a);
    CHECK(out && strstr(out, expect) != NULL);
    CHECK(out && strstr(out, "a2.dbb: imported batch 2") != NULL);
    CHECK(count_lines(errs) == 1 && errs && strstr(errs, fp_b) != NULL);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "status --db reg-cli.db") == 0);
    snprintf(expect, sizeof expect, "  %s  \"Ward 3 tablet\"  trusted  2 batches, 20 responses\n",
             fp_a);
    CHECK(out && strstr(out, expect) != NULL);
    CHECK(out && strstr(out, "kiosks: 1\n") != NULL);
    free(out);
    free(errs);

    /* Untrust (the fingerprint in any case): status says so, later batches are refused. */
    char lower[KEY_FINGERPRINT_SIZE];
    for (size_t i = 0; i < sizeof lower; i++)
        lower[i] = fp_a[i] >= 'A' && fp_a[i] <= 'Z' ? (char)(fp_a[i] - 'A' + 'a') : fp_a[i];
    CHECK(run_cli(&out, &errs, "import --db reg-cli.db --untrust-kiosk %s", lower) == 0);
    snprintf(expect, sizeof expect, "kiosk %s is now untrusted: its batches will be refused\n",
             fp_a);
    CHECK_STR(out, expect);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "status --db reg-cli.db") == 0);
    snprintf(expect, sizeof expect,
             "  %s  \"Ward 3 tablet\"  NOT trusted (batches refused)  2 batches, 20 responses\n",
             fp_a);
    CHECK(out && strstr(out, expect) != NULL);
    free(out);
    free(errs);
    uint8_t h3[BATCH_HASH_BYTES];
    make_batch("a3-cli.dbb", g_kiosk_a, 3, g_hash_a2, &g_pub, g_data, 2, NULL, h3);
    Snapshot before = snap(db);
    CHECK(run_cli(&out, &errs, "%s --kiosks kiosks.txt a3-cli.dbb", imp) == 1);
    snprintf(expect, sizeof expect,
             "debrief: error: a3-cli.dbb: kiosk %s is marked untrusted in this database; nothing "
             "imported (debrief import --db DB --trust-kiosk %s trusts it again)\n",
             fp_a, fp_a);
    CHECK_STR(errs, expect);
    CHECK(snap_same(before, db));
    free(before.data);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "import --db reg-cli.db --untrust-kiosk ZZZZ-ZZZZ-ZZZZ-ZZZZ") == 1);
    CHECK(errs && strstr(errs, "no kiosk ZZZZ-ZZZZ-ZZZZ-ZZZZ in this database") != NULL);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "import --db reg-cli.db --untrust-kiosk nonsense") == 2);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "import --db reg-cli.db --trust-kiosk %s", fp_a) == 0);
    free(out);
    free(errs);
    CHECK(run_cli(&out, &errs, "%s --kiosks kiosks.txt a3-cli.dbb", imp) == 0);
    CHECK(out && strstr(out, "a3-cli.dbb: imported batch 3") != NULL);
    free(out);
    free(errs);

    /* The record pool through the CLI: the first bad record on any thread count; a run that
     * imports nothing leaves no new database behind. */
    const char *threads[] = {"auto", "3", "1"};
    for (int i = 0; i < 3; i++) {
        CHECK(run_cli(&out, &errs, "%s %s --trust-new-kiosk --threads %s c1-bad.dbb",
                      "import --key analyst.key --passphrase-file pass.txt --db par-cli.db", srv,
                      threads[i]) == 1);
        CHECK_STR(errs, "debrief: error: c1-bad.dbb: record 37: " DBERR_AUTH_MSG "\n");
        free(out);
        free(errs);
    }
    path_in(path, sizeof path, "par-cli.db");
    CHECK(access(path, F_OK) != 0);
    CHECK(run_cli(&out, &errs, "%s --threads 0 c1.dbb", imp) == 2);
    free(out);
    free(errs);

    /* A file with a good header but cut short: ordered by its header, refused by the import
     * with one line. */
    path_in(path, sizeof path, "a1.dbb");
    size_t len;
    uint8_t *data = read_all(path, &len);
    path_in(path, sizeof path, "cut.dbb");
    CHECK(data && fs_write_atomic(path, data, 100, 0644, &err) == DB_OK);
    free(data);
    CHECK(run_cli(&out, &errs, "%s cut.dbb", imp) == 1);
    CHECK(count_lines(errs) == 1 && errs && strncmp(errs, "debrief: error: cut.dbb: ", 25) == 0);
    free(out);
    free(errs);

    /* A database that existed before (even empty) stays when nothing could be imported. */
    Adb *empty = NULL;
    path_in(path, sizeof path, "empty.db");
    CHECK(adb_open(path, 1, &empty, &err) == DB_OK);
    adb_close(empty);
    CHECK(run_cli(&out, &errs,
                  "import --key analyst.key --passphrase-file pass.txt --db empty.db %s "
                  "--kiosks kiosks.txt b1.dbb",
                  srv) == 1);
    CHECK(access(path, F_OK) == 0);
    free(out);
    free(errs);
}

/* Two versions of one survey (ccdg v1, and v2 with one more question) in one database, from
 * one kiosk batch holding sessions of both: the CSV writes one file per version with its own
 * columns, and the report keeps them in separate sections with their own counts. */
static void test_two_versions(void)
{
    DbError err;
    AnalysisSurveyFile f1, f2;
    CHECK(analysis_survey_file_load("analysis/ccdg_v1.json", &f1, &err) == DB_OK);
    CHECK(analysis_survey_file_load("analysis/ccdg_v2.json", &f2, &err) == DB_OK);
    if (!f1.survey || !f2.survey)
        return;
    CHECK(f2.survey->n_questions == f1.survey->n_questions + 1);
    char path[512], db_path[512];
    KeyIdentity *kd = NULL;
    int created;
    path_in(path, sizeof path, "kiosk-d.key");
    CHECK(keys_identity_load_or_create(path, &kd, &created, &err) == DB_OK);
    GenSession gs[3] = {{f1.survey, "Spring cohort", "2024-03-05", 8},
                        {f2.survey, "Autumn cohort", "2024-10-08", 7},
                        {f2.survey, "Winter cohort", "2024-12-03", 6}};
    uint8_t h[BATCH_HASH_BYTES];
    path_in(path, sizeof path, "d1.dbb");
    make_gen_batch(path, kd, 1, zero_hash, gs, 3, NULL, 0, h);
    keys_identity_free(kd);
    path_in(db_path, sizeof db_path, "versions.db");
    Adb *db = NULL;
    CHECK(adb_open(db_path, 1, &db, &err) == DB_OK);
    AnalysisSurveyFile both[2] = {f1, f2};
    AnalysisImportOptions o = opts(1);
    o.surveys = both;
    o.n_surveys = 2;
    AnalysisImportResult res;
    CHECK(db && import(db, g_sec, "d1.dbb", o, &res, &err) == DB_OK && res.n_records == 21);
    adb_close(db);

    /* CSV: versions.csv -> versions_ccdg_v1.csv and versions_ccdg_v2.csv */
    char *out, *errs;
    CHECK(run_cli(&out, &errs, "csv --db versions.db --out versions.csv") == 0);
    CHECK(out && strstr(out, "versions_ccdg_v1.csv: survey ccdg version 1: 8 responses") != NULL);
    CHECK(out && strstr(out, "versions_ccdg_v2.csv: survey ccdg version 2: 13 responses") != NULL);
    free(out);
    free(errs);
    path_in(path, sizeof path, "versions.csv");
    CHECK(access(path, F_OK) != 0); /* no combined file */
    size_t len;
    path_in(path, sizeof path, "versions_ccdg_v1.csv");
    char *v1 = (char *)read_all(path, &len);
    path_in(path, sizeof path, "versions_ccdg_v2.csv");
    char *v2 = (char *)read_all(path, &len);
    CHECK(v1 && v2);
    if (v1 && v2) {
        CHECK(count_lines(v1) == 1 + 8 && count_lines(v2) == 1 + 13);
        CHECK(strstr(v1, "skill_teamwork") == NULL && strstr(v2, ",skill_teamwork,") != NULL);
        CHECK(strstr(v1, "Spring cohort") != NULL && strstr(v1, "Autumn cohort") == NULL);
        CHECK(strstr(v2, "Spring cohort") == NULL && strstr(v2, "Winter cohort") != NULL);
        CHECK(strncmp(v1, v2, strcspn(v1, "\r")) != 0); /* the headers differ */
    }
    free(v1);
    free(v2);
    path_in(path, sizeof path, "versions_ccdg_v2.codebook.csv");
    char *cb = (char *)read_all(path, &len);
    CHECK(cb && strstr(cb, "skill_teamwork,skill_teamwork,skills,likert,") != NULL);
    free(cb);
    path_in(path, sizeof path, "versions_ccdg_v1.codebook.csv");
    cb = (char *)read_all(path, &len);
    CHECK(cb && strstr(cb, "skill_teamwork") == NULL);
    free(cb);
    /* one version only */
    CHECK(run_cli(&out, &errs, "csv --db versions.db --out only2.csv --survey ccdg:2") == 0);
    path_in(path, sizeof path, "only2.csv");
    CHECK(access(path, F_OK) == 0);
    free(out);
    free(errs);

    /* Report: one section per version, each with its own responses and items. */
    CHECK(run_cli(&out, &errs,
                  "report --db versions.db --out versions.html --k 3 --numbers versions.tsv") == 0);
    CHECK(out && strstr(out, "report on 2 survey versions") != NULL);
    free(out);
    free(errs);
    path_in(path, sizeof path, "versions.tsv");
    char *side = (char *)read_all(path, &len);
    char line[256];
    CHECK(side && side_line(side, "survey\tccdg\t1\t", line, sizeof line) &&
          strcmp(line, "8") == 0);
    CHECK(side && side_line(side, "survey\tccdg\t2\t", line, sizeof line) &&
          strcmp(line, "13") == 0);
    free(side);
    path_in(path, sizeof path, "versions.html");
    char *html = (char *)read_all(path, &len);
    CHECK(html != NULL);
    if (html) {
        char *s1 = strstr(html, "ccdg v1</span></h2>");
        char *s2 = strstr(html, "ccdg v2</span></h2>");
        CHECK(s1 && s2 && s1 < s2);
        /* the new question appears in version 2's section only */
        char *q = strstr(html, "skill_teamwork");
        CHECK(q && s2 && q > s2);
        /* each section's groups are its own sessions */
        char *spring = strstr(html, "Spring cohort");
        char *autumn = strstr(html, "Autumn cohort");
        CHECK(spring && s2 && spring < s2 && autumn && autumn > s2);
        free(html);
    }
    analysis_survey_file_free(&f1);
    analysis_survey_file_free(&f2);
}

/* A real full disk: a small tmpfs in a private mount namespace (unshare -m as root, else
 * unshare -rm: a user namespace, which a chroot does not allow), filled up; skipped where
 * neither is allowed. */
static void test_cli_disk_full(void)
{
    const char *unshare = geteuid() == 0 ? "unshare -m" : "unshare -rm";
    char probe[64];
    snprintf(probe, sizeof probe, "%s true >/dev/null 2>&1", unshare);
    if (system(probe) != 0) {
        TEST_SKIP(geteuid() == 0 ? "test_cli_disk_full: unshare -m is not allowed here"
                                 : "test_cli_disk_full: unshare -rm is not allowed here");
        return;
    }
    char *out, *errs, srv[1024];
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(srv, sizeof srv, "--survey '%s/tests/analysis/mini.json'", src ? src : "..");
    CHECK(run_cli(&out, &errs,
                  "import --key analyst.key --passphrase-file pass.txt --db full-cli.db "
                  "--trust-new-kiosk %s a1.dbb",
                  srv) == 0);
    free(out);
    free(errs);
    const char *build = getenv("DEBRIEF_BUILD_DIR");
    char cmd[4096];
    /* big.dbb (batch 2 of kiosk A, 200 responses) comes from test_disk_full. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && rm -rf mnt && mkdir mnt && %s sh -c '"
             "mount -t tmpfs -o size=1m tmpfs mnt && cp full-cli.db mnt/ && "
             "(dd if=/dev/zero of=mnt/fill bs=4k 2>/dev/null; true) && "
             "\"%s/app/cli/debrief\" import --key analyst.key --passphrase-file pass.txt "
             "--db mnt/full-cli.db --trust-new-kiosk big.dbb b1.dbb >out.txt 2>err.txt; "
             "echo $? >rc.txt; cmp -s full-cli.db mnt/full-cli.db && echo same >cmp.txt; "
             "ls mnt >ls.txt'",
             g_root, unshare, build ? build : "../build");
    CHECK(system(cmd) == 0);
    char path[512];
    size_t len;
    path_in(path, sizeof path, "rc.txt");
    char *rc = (char *)read_all(path, &len);
    CHECK(rc && strcmp(rc, "1\n") == 0);
    path_in(path, sizeof path, "err.txt");
    errs = (char *)read_all(path, &len);
    CHECK(errs && count_lines(errs) == 1);
    CHECK(errs && strncmp(errs, "debrief: error: ", 16) == 0 && strstr(errs, "disk full while") &&
          strstr(errs, "the database was not changed; stopped: free some space and run the "
                       "import again\n"));
    path_in(path, sizeof path, "cmp.txt");
    char *same = (char *)read_all(path, &len);
    CHECK(same && strcmp(same, "same\n") == 0);
    path_in(path, sizeof path, "ls.txt");
    char *ls = (char *)read_all(path, &len);
    CHECK(ls && strcmp(ls, "fill\nfull-cli.db\n") == 0); /* no journal, no acknowledgement */
    if (errs && count_lines(errs) != 1)
        fprintf(stderr, "%s", errs);
    free(rc);
    free(errs);
    free(same);
    free(ls);
}

/* test_analysis --make-bench DIR N: writes DIR/analyst.key (passphrase in DIR/pass.txt, fast
 * KDF) and DIR/bench.dbb, one batch of N ccdg v1 responses in 10 sessions, for timing
 * `debrief import` (see docs/ANALYSIS.md, "Import throughput"). */
static int make_bench(const char *dir, const char *n_arg)
{
    char *end;
    long n = strtol(n_arg, &end, 10);
    if (*end || n < 10 || n > 1000000)
        return 2;
    DbError err;
    Survey *sv = NULL;
    KeyIdentity *kiosk = NULL;
    char path[1024];
    int created;
    snprintf(g_root, sizeof g_root, "%s", dir);
    if (fs_mkdir_p(dir, 0700, &err) != DB_OK ||
        survey_load_file("analysis/ccdg_v1.json", &sv, &err) != DB_OK ||
        keys_generate(&g_pub, &g_sec, &err) != DB_OK ||
        keys_generate(&g_mallory_pub, &g_mallory, &err) != DB_OK) {
        fprintf(stderr, "make-bench: %s\n", err.msg);
        return 1;
    }
    path_in(path, sizeof path, "kiosk.key");
    unlink(path);
    CHECK(keys_identity_load_or_create(path, &kiosk, &created, &err) == DB_OK);
    path_in(path, sizeof path, "analyst.key");
    unlink(path);
    CHECK(keys_secret_write(path, g_sec, "correct horse bench", 19, keys_kdf_fast_for_tests(),
                            &err) == DB_OK);
    path_in(path, sizeof path, "pass.txt");
    CHECK(fs_write_atomic(path, "correct horse bench\n", 20, 0600, &err) == DB_OK);
    GenSession gs[10];
    char labels[10][32];
    for (int i = 0; i < 10; i++) {
        snprintf(labels[i], sizeof labels[i], "Session %d", i + 1);
        gs[i] = (GenSession){sv, labels[i], "2024-09-01", (int)(n / 10 + (i < n % 10))};
    }
    uint8_t h[BATCH_HASH_BYTES];
    path_in(path, sizeof path, "bench.dbb");
    make_gen_batch(path, kiosk, 1, zero_hash, gs, 10, NULL, 0, h);
    keys_identity_free(kiosk);
    survey_free(sv);
    keys_secret_free(g_sec);
    keys_secret_free(g_mallory);
    printf("%s: %ld responses\n", path, n);
    return test_report();
}

int main(int argc, char **argv)
{
    if (secmem_init() != 0)
        return 1;
    if (argc == 4 && strcmp(argv[1], "--make-bench") == 0)
        return make_bench(argv[2], argv[3]);
    setup();
    RUN(test_csv_field);
    RUN(test_format_p);
    RUN(test_import_and_replay);
    RUN(test_bad_batches);
    RUN(test_unexpected_recipients);
    RUN(test_ack_per_importing_key);
    RUN(test_record_replays);
    RUN(test_ack_names);
    RUN(test_concurrent_imports);
    RUN(test_unknown_survey);
    RUN(test_kiosk_registry_parse);
    RUN(test_kiosk_registry_import);
    RUN(test_disk_full);
    RUN(test_parallel_open);
    RUN(test_verify_before_open);
    RUN(test_read_while_hashing);
    RUN(test_mixed_record_sizes);
    RUN(test_response_ids);
    RUN(test_crash_mid_import);
    RUN(test_csv_golden);
    RUN(test_report_numbers);
    RUN(test_cli);
    RUN(test_cli_kiosks);
    RUN(test_cli_verify);
    RUN(test_cli_disk_full);
    RUN(test_two_versions);
    RUN(test_kiosk_roundtrip);
    int rc = test_report();
    keys_secret_free(g_sec);
    keys_secret_free(g_mallory);
    keys_identity_free(g_kiosk_a);
    keys_identity_free(g_kiosk_b);
    survey_free(g_survey);
    analysis_survey_file_free(&g_survey_file);
    if (rc == 0 && !getenv("DEBRIEF_KEEP"))
        rm_rf(g_root);
    else
        fprintf(stderr, "files kept in %s\n", g_root);
    return rc;
}
