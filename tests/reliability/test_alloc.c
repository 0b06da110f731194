/* Allocation failure: for every n, fail the n-th allocation of one operation and check that
 * it returns an error code with a message (no crash), frees everything it took (no leak),
 * and never reports success after an allocation failed.
 *
 * The binary is linked with -Wl,--wrap=malloc,calloc,realloc,free,sodium_malloc,sodium_free,
 * so every allocation our static libraries make (including secmem_alloc and the key/seal
 * code's sodium_malloc) goes through the counting wrappers below; jansson's allocations come
 * here through json_set_alloc_funcs. Allocations inside libc, libsodium and sqlite themselves
 * are not covered. Leaks are counted as live blocks taken and not given back during the
 * operation (both heaps), and the sanitizer build's LeakSanitizer checks the rest.
 *
 * Operations: survey_load_buffer (two surveys), response_new/set/encode/decode,
 * seal_record/seal_open, keys_generate/keys_secret_seal/keys_secret_open,
 * keys_public_parse, keys_secret_read (file), batch_parse, ack_parse, batch builder.
 */
#include <execinfo.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "dberr.h"
#include "fsutil.h"
#include "keys.h"
#include "response.h"
#include "seal.h"
#include "secmem.h"
#include "survey.h"
#include "testlib.h"
#include "vectors/vectors.h"

/* ---- counting, failing allocator ---- */

static int g_armed;     /* count (and maybe fail) only while an operation runs */
static long g_count;    /* allocations seen while armed */
static long g_fail_at;  /* fail the allocation with this number (1-based); 0 = none */
static long g_failed;   /* how many were made to fail */
static long g_live;     /* heap blocks taken minus given back while armed */
static long g_live_sec; /* sodium_malloc regions taken minus given back while armed */
static int g_trace;

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__real_sodium_malloc(size_t n);
void __real_sodium_free(void *p);

static int fail_now(void)
{
    if (!g_armed)
        return 0;
    g_count++;
    if (g_count == g_fail_at) {
        g_failed++;
        if (g_trace) { /* REL_ALLOC_TRACE=1: where each failing allocation comes from */
            void *bt[12];
            int n = backtrace(bt, 12);
            fprintf(stderr, "--- failing allocation %ld:\n", g_count);
            backtrace_symbols_fd(bt, n, 2);
        }
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    if (fail_now())
        return NULL;
    void *p = __real_malloc(n);
    if (p && g_armed)
        g_live++;
    return p;
}

void *__wrap_calloc(size_t a, size_t b)
{
    if (fail_now())
        return NULL;
    void *p = __real_calloc(a, b);
    if (p && g_armed)
        g_live++;
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    if (fail_now())
        return NULL;
    void *p = __real_realloc(old, n);
    if (p && !old && g_armed)
        g_live++;
    return p;
}

void __wrap_free(void *p)
{
    if (p && g_armed)
        g_live--;
    __real_free(p);
}

void *__wrap_sodium_malloc(size_t n)
{
    if (fail_now())
        return NULL;
    void *p = __real_sodium_malloc(n);
    if (p && g_armed)
        g_live_sec++;
    return p;
}

void __wrap_sodium_free(void *p)
{
    if (p && g_armed)
        g_live_sec--;
    __real_sodium_free(p);
}

static void *json_alloc(size_t n)
{
    return __wrap_malloc(n);
}

static void json_release(void *p)
{
    __wrap_free(p);
}

/* ---- the sweep ---- */

typedef int (*OpFn)(DbError *err);

/* "x.json:LINE:COL: ..." with LINE >= 1: an error jansson's parser reported at a position */
static int json_position_msg(const char *msg)
{
    const char *p = strstr(msg, ".json:");
    return p && p[6] >= '1' && p[6] <= '9';
}

/* Runs fn once to count its allocations, then once for every n failing the n-th. */
static void sweep_ex(const char *name, OpFn fn, int jansson)
{
    DbError err;
    g_armed = 1;
    g_count = g_fail_at = g_failed = g_live = g_live_sec = 0;
    dberr_clear(&err);
    int rc = fn(&err);
    g_armed = 0;
    long total = g_count;
    if (rc != DB_OK)
        fprintf(stderr, "  %s without faults: %s\n", name, err.msg);
    CHECK(rc == DB_OK);
    CHECK(g_live == 0 && g_live_sec == 0);
    long leaks = 0, swallowed = 0, silent = 0, other = 0, misread = 0, json_oom = 0;
    for (long n = 1; n <= total; n++) {
        g_armed = 1;
        g_count = g_failed = g_live = g_live_sec = 0;
        g_fail_at = n;
        dberr_clear(&err);
        rc = fn(&err);
        g_armed = 0;
        if (!g_failed)
            continue; /* this run took a different path with fewer allocations */
        if (rc == DB_OK) {
            /* every operation checks its result, so this is a library absorbing the failure
             * (jansson retries without growing its hash table) with a correct outcome */
            if (swallowed++ < 3 && g_trace)
                fprintf(stderr, "  %s: allocation %ld of %ld failed, correct result anyway\n", name,
                        n, total);
        } else if (!err.msg[0]) {
            if (silent++ < 3)
                fprintf(stderr, "  %s: allocation %ld: error %d without a message\n", name, n, rc);
        } else if (jansson && rc == DB_EINVAL && json_position_msg(err.msg)) {
            /* jansson's lexer reports a failed allocation as a syntax error at the token it
             * could not store; the survey module cannot tell (a known jansson limitation) */
            misread++;
        } else if (rc != DB_ENOMEM) {
            if (other++ < 3 || g_trace)
                fprintf(stderr, "  %s: allocation %ld: code %d, not DB_ENOMEM: %s\n", name, n, rc,
                        err.msg);
        }
        if (rc == DB_ENOMEM && strstr(err.msg, ".json: out of memory while reading the JSON"))
            json_oom++;
        if (g_live != 0 || g_live_sec != 0) {
            if (leaks++ < 3)
                fprintf(stderr,
                        "  %s: allocation %ld: %ld heap blocks, %ld secure regions leaked\n", name,
                        n, g_live, g_live_sec);
        }
    }
    g_fail_at = 0;
    fprintf(stderr,
            "  %-22s %4ld allocations, each failed once: %ld leaking, %ld absorbed "
            "(correct result), %ld without message, %ld with another code than DB_ENOMEM",
            name, total, leaks, swallowed, silent, other);
    if (jansson)
        fprintf(stderr, ", %ld as a JSON syntax error by jansson", misread);
    fprintf(stderr, "\n");
    CHECK(leaks == 0);
    if (jansson) /* the parser's own failures say what happened (app/survey/survey.c) */
        CHECK(json_oom > 0);
    CHECK(silent == 0);
    CHECK(other == 0);
}

static void sweep(const char *name, OpFn fn)
{
    sweep_ex(name, fn, 0);
}

/* ---- inputs, loaded before any sweep ---- */

static char *g_team, *g_ccdg;
static int g_ccdg_questions;
static size_t g_team_len, g_ccdg_len;
static Survey *g_survey;
static uint8_t *g_pub_text, *g_key_file, *g_record, *g_batch, *g_ack;
static size_t g_pub_len, g_key_len, g_record_len, g_batch_len, g_ack_len;
static KeyPublic g_pub;
static KeySecret *g_sec;
static KeyIdentity *g_id;
static char g_key_path[8192];
static uint8_t g_kiosk_pk[KEY_SIGN_PUBLIC_BYTES];

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
    char path[16384];
    uint8_t *d = NULL;
    DbError err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (fs_read_file(path, 1 << 20, 1, &d, len, &err) != DB_OK) {
        fprintf(stderr, "cannot read %s: %s\n", path, err.msg);
        exit(1);
    }
    return d;
}

/* ---- operations ---- */

static int op_survey_team(DbError *err)
{
    Survey *s = NULL;
    int rc = survey_load_buffer("team.json", g_team, g_team_len, &s, err);
    if (rc == DB_OK && (s->n_questions != g_survey->n_questions || strcmp(s->id, "team") != 0))
        rc = dberr_set(err, DB_EFORMAT, "test: the survey loaded differently");
    survey_free(s);
    return rc;
}

static int op_survey_ccdg(DbError *err)
{
    Survey *s = NULL;
    int rc = survey_load_buffer("ccdg.json", g_ccdg, g_ccdg_len, &s, err);
    if (rc == DB_OK && (s->n_questions != g_ccdg_questions || strcmp(s->id, "ccdg") != 0))
        rc = dberr_set(err, DB_EFORMAT, "test: the survey loaded differently");
    survey_free(s);
    return rc;
}

static int op_response(DbError *err)
{
    Response *r = NULL;
    DecodedResponse *d = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    int q_useful = survey_find_question(g_survey, "useful");
    int q_topics = survey_find_question(g_survey, "topics");
    int q_comment = survey_find_question(g_survey, "comment");
    int rc = response_new(g_survey, 0, &r, err);
    if (rc == DB_OK)
        rc = response_set_likert(r, q_useful, 4, err);
    if (rc == DB_OK)
        rc = response_toggle_multi(r, q_topics, 1, err);
    if (rc == DB_OK)
        rc = response_set_text(r, q_comment, "Caf\xC3\xA9 canary", err);
    if (rc == DB_OK && !(buf = malloc(g_survey->record_size)))
        rc = dberr_set(err, DB_ENOMEM, "test: out of memory");
    if (rc == DB_OK) {
        ResponseContext ctx = {"Group 2", "2026-11-26"};
        rc = response_encode(r, &ctx, buf, g_survey->record_size, &len, err);
    }
    if (rc == DB_OK)
        rc = response_decode(buf, len, &d, err);
    if (rc == DB_OK &&
        (d->n_answers != g_survey->n_questions || strcmp(d->session_label, "Group 2")))
        rc = dberr_set(err, DB_EFORMAT, "test: decoded response differs");
    response_decoded_free(d);
    free(buf);
    response_free(r);
    return rc;
}

static int op_seal(DbError *err)
{
    static const char msg[] = "sealed under allocation faults";
    uint8_t rec[1024], plain[512];
    size_t rlen = 0, plen = 0;
    int rc =
        seal_record((const uint8_t *)msg, sizeof msg, 256, &g_pub, 1, rec, sizeof rec, &rlen, err);
    if (rc == DB_OK)
        rc = seal_open(rec, rlen, g_sec, plain, sizeof plain, &plen, err);
    if (rc == DB_OK && (plen != sizeof msg || memcmp(plain, msg, plen) != 0))
        rc = dberr_set(err, DB_EFORMAT, "test: opened record differs");
    /* an output buffer smaller than the padded size: seal_open needs its own work area */
    uint8_t small[64];
    if (rc == DB_OK)
        rc = seal_open(rec, rlen, g_sec, small, sizeof small, &plen, err);
    return rc;
}

static int op_seal_open_vector(DbError *err)
{
    uint8_t plain[VEC_PADDED];
    size_t plen = 0;
    return seal_open(g_record, g_record_len, g_sec, plain, sizeof plain, &plen, err);
}

static int op_keys(DbError *err)
{
    KeyPublic pub;
    KeySecret *sec = NULL, *back = NULL;
    uint8_t *file = NULL;
    size_t flen = 0;
    int rc = keys_generate(&pub, &sec, err);
    if (rc == DB_OK)
        rc =
            keys_secret_seal(sec, "a passphrase", 12, keys_kdf_fast_for_tests(), &file, &flen, err);
    if (rc == DB_OK)
        rc = keys_secret_open("k.key", file, flen, "a passphrase", 12, &back, err);
    free(file);
    keys_secret_free(sec);
    keys_secret_free(back);
    return rc;
}

static int op_public_parse(DbError *err)
{
    KeyPublic pub;
    return keys_public_parse("analyst.pub", (const char *)g_pub_text, g_pub_len, &pub, err);
}

static int op_secret_read(DbError *err)
{
    KeySecret *sec = NULL;
    int rc = keys_secret_read(g_key_path, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &sec, err);
    keys_secret_free(sec);
    return rc;
}

static int op_batch_parse(DbError *err)
{
    Batch b;
    int rc = batch_parse("batch-1.dbb", g_batch, g_batch_len, &b, err);
    if (rc == DB_OK)
        batch_free(&b);
    return rc;
}

static int op_ack_parse(DbError *err)
{
    Ack a;
    int rc = ack_parse("ack-1.dba", g_ack, g_ack_len, g_pub.sign_pk, &a, err);
    if (rc == DB_OK)
        ack_free(&a);
    return rc;
}

static int op_batch_build(DbError *err)
{
    uint8_t prev[BATCH_HASH_BYTES] = {0}, hash[BATCH_HASH_BYTES];
    BatchBuilder *b = NULL;
    uint8_t *out = NULL;
    size_t out_len = 0;
    uint32_t s1 = 0, s2 = 0;
    BatchSession a = {"Group 1", "2026-11-20", "team", 3, 0};
    BatchSession c = {"Group 2", "2026-11-26", "team", 3, 0};
    int rc = batch_builder_new(1, prev, &b, err);
    if (rc == DB_OK)
        rc = batch_builder_add_session(b, &a, &s1, err);
    if (rc == DB_OK)
        rc = batch_builder_add_session(b, &c, &s2, err);
    for (int i = 0; rc == DB_OK && i < 40; i++)
        rc = batch_builder_add_record(b, i % 2 ? s2 : s1, g_record, g_record_len, err);
    if (rc == DB_OK)
        rc = batch_builder_finish(b, g_id, &out, &out_len, hash, err);
    batch_builder_free(b);
    free(out);
    return rc;
}

int main(void)
{
    if (secmem_init() != 0)
        return 1;
    json_set_alloc_funcs(json_alloc, json_release);
    g_trace = getenv("REL_ALLOC_TRACE") != NULL;
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    if (!src)
        src = "..";
    char dir[8192], vec[4096];
    snprintf(dir, sizeof dir, "%s/tests/kiosk", src);
    g_team = (char *)slurp(dir, "team.json", &g_team_len);
    snprintf(dir, sizeof dir, "%s/assets/surveys", src);
    g_ccdg = (char *)slurp(dir, "ccdg.json", &g_ccdg_len);
    snprintf(vec, sizeof vec, "%s/tests/vectors", src);
    g_pub_text = slurp(vec, VEC_ANALYST_PUB, &g_pub_len);
    g_key_file = slurp(vec, VEC_ANALYST_KEY, &g_key_len);
    g_record = slurp(vec, VEC_RECORD, &g_record_len);
    g_batch = slurp(vec, "batch-1.dbb", &g_batch_len);
    g_ack = slurp(vec, "ack-1.dba", &g_ack_len);
    snprintf(g_key_path, sizeof g_key_path, "%s/%s", vec, VEC_ANALYST_KEY);
    /* Git checks the vector out 0644 and the identity loader rightly refuses anything wider
     * than 0600, so load a private copy. */
    size_t id_len = 0;
    uint8_t *id_bytes = slurp(vec, VEC_KIOSK_ID, &id_len);
    snprintf(dir, sizeof dir, "/tmp/debrief-alloc-id-XXXXXX");
    int id_fd = mkstemp(dir);
    if (id_fd < 0 || fchmod(id_fd, 0600) != 0 || write(id_fd, id_bytes, id_len) != (ssize_t)id_len) {
        fprintf(stderr, "setup: cannot copy %s\n", VEC_KIOSK_ID);
        return 1;
    }
    close(id_fd);
    free(id_bytes);
    DbError err;
    int created = 0;
    if (survey_load_buffer("team.json", g_team, g_team_len, &g_survey, &err) != DB_OK ||
        keys_public_parse("analyst.pub", (const char *)g_pub_text, g_pub_len, &g_pub, &err) !=
            DB_OK ||
        keys_secret_open("analyst.key", g_key_file, g_key_len, VEC_PASSPHRASE,
                         strlen(VEC_PASSPHRASE), &g_sec, &err) != DB_OK ||
        keys_identity_load_or_create(dir, &g_id, &created, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    unlink(dir);
    CHECK(created == 0);
    keys_identity_public(g_id, g_kiosk_pk);

    Survey *ccdg = NULL;
    CHECK(survey_load_buffer("ccdg.json", g_ccdg, g_ccdg_len, &ccdg, &err) == DB_OK);
    g_ccdg_questions = ccdg ? ccdg->n_questions : -1;
    survey_free(ccdg);
    sweep_ex("survey_load team", op_survey_team, 1);
    sweep_ex("survey_load ccdg", op_survey_ccdg, 1);
    sweep("response round trip", op_response);
    sweep("seal + open", op_seal);
    sweep("seal_open vector", op_seal_open_vector);
    sweep("keys gen/seal/open", op_keys);
    sweep("keys_public_parse", op_public_parse);
    sweep("keys_secret_read", op_secret_read);
    sweep("batch_parse", op_batch_parse);
    sweep("ack_parse", op_ack_parse);
    sweep("batch builder", op_batch_build);

    survey_free(g_survey);
    keys_secret_free(g_sec);
    keys_identity_free(g_id);
    free(g_team);
    free(g_ccdg);
    free(g_pub_text);
    free(g_key_file);
    free(g_record);
    free(g_batch);
    free(g_ack);
    return test_report();
}
