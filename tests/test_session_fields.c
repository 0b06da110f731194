/* test_session_fields: one answer per session field, whoever asks. Every case of
 * session_cases.h goes through every entry point that takes a session's label, date or survey
 * id from outside, and each must accept exactly the cases the rule (session_fields.h)
 * accepts; a refusal carries the rule's own message:
 *
 *   the library        session_label_check / session_date_check / session_survey_id_check
 *   the store          store_session_open
 *   response plaintext response_encode (label, date) and response_decode (all three)
 *   survey files       survey_load_buffer (the survey's id)
 *   batch files        batch_builder_add_session, batch_writer_new, batch_parse_unverified
 *   the CLI            debrief session open --label --date --survey
 *
 * The kiosk's admin screen gets the labels in test_kiosk_ui (test_session_label_cases).
 * A value an entry point cannot even be given (an 11-byte date in a batch's fixed 10-byte
 * field, a value longer than a struct's buffer) is left out for that entry point only.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "fsutil.h"
#include "keys.h"
#include "response.h"
#include "secmem.h"
#include "session_cases.h"
#include "session_fields.h"
#include "store.h"
#include "survey.h"
#include "testlib.h"

static char g_tmp[64] = "/tmp/debrief-fields-XXXXXX";
static KeyIdentity *g_id;
static uint8_t g_pk[KEY_SIGN_PUBLIC_BYTES];

/* The rule's answer: DB_OK, or DB_EINVAL with its message in msg. */
static int rule(const SessionCase *c, DbError *e)
{
    size_t n = strlen(c->value);
    switch (c->field) {
    case SC_LABEL:
        return session_label_check(c->value, n, e);
    case SC_DATE:
        return session_date_check(c->value, n, e);
    default:
        return session_survey_id_check(c->value, n, e);
    }
}

static const char *field_name(SessionCaseField f)
{
    return f == SC_LABEL ? "label" : f == SC_DATE ? "date" : "survey id";
}

/* One entry point's answer to one case: accepted iff the case is, and a refusal names the
 * rule's message (when want_msg; the survey loader words its id rule for all ids). */
static void expect(const char *where, const SessionCase *c, size_t i, int accepted, const char *msg,
                   int want_msg)
{
    DbError e;
    int ok = rule(c, &e) == DB_OK;
    CHECK(ok == c->ok);
    CHECK(accepted == c->ok);
    if (accepted != c->ok)
        fprintf(stderr, "  case %zu (%s): %s %s it\n", i, field_name(c->field), where,
                accepted ? "accepted" : "refused");
    if (!accepted && !ok && want_msg) {
        CHECK(msg && strstr(msg, e.msg) != NULL);
        if (!msg || !strstr(msg, e.msg))
            fprintf(stderr, "  case %zu: %s says \"%s\", the rule \"%s\"\n", i, where,
                    msg ? msg : "", e.msg);
    }
}

static void test_library_table(void)
{
    /* The table's own answers, as the header states them (a case that the rule answered
     * otherwise would make every comparison below meaningless). */
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        DbError e;
        int rc = rule(&session_cases[i], &e);
        CHECK((rc == DB_OK) == session_cases[i].ok);
        CHECK(rc == DB_OK || rc == DB_EINVAL);
        if (rc != DB_OK)
            CHECK(e.msg[0] != '\0');
    }
    DbError e;
    CHECK(session_date_check("2026-02-31", 10, &e) == DB_EINVAL);
    CHECK_STR(e.msg, "session date 2026-02-31 is not a day of the calendar");
    CHECK(session_date_check("1970-01-01", 10, &e) == DB_EINVAL);
    CHECK_STR(e.msg, "session date 1970-01-01 is before 2000");
    CHECK(session_date_check("26-02-2026", 10, &e) == DB_EINVAL);
    CHECK_STR(e.msg, "session date must be YYYY-MM-DD");
    CHECK(session_label_check(NULL, 0, &e) == DB_EINVAL);
    CHECK_STR(e.msg, "session label must be 1 to 64 bytes (it has 0)");
    CHECK(session_label_check("a\0b", 3, &e) == DB_EINVAL); /* a NUL inside is a control */
    CHECK(session_survey_id_check("ccdg", 4, NULL) == DB_OK);
}

static void test_store_entry(void)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/store", g_tmp);
    CHECK(fs_mkdir_p(dir, 0700, NULL) == DB_OK);
    Store *st = NULL;
    DbError err;
    CHECK(store_open(dir, &st, &err) == DB_OK);
    if (!st)
        return;
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        const char *label, *date, *id;
        session_case_fields(&session_cases[i], &label, &date, &id);
        int64_t sid = 0;
        int rc = store_session_open(st, label, date, id, 1, 0, &sid, &err);
        expect("store_session_open", &session_cases[i], i, rc == DB_OK, err.msg, 1);
        if (rc == DB_OK) {
            StoreSession s;
            CHECK(store_session_get(st, sid, &s, &err) == DB_OK);
            CHECK_STR(s.label, label);
            CHECK_STR(s.date, date);
            CHECK_STR(s.survey_id, id);
            CHECK(store_session_close(st, &err) == DB_OK);
        } else {
            CHECK(rc == DB_EINVAL);
        }
    }
    store_close(st);
}

static void test_response_encode(void)
{
    static const char json[] =
        "{\"format\":1,\"id\":\"ccdg\",\"version\":1,\"languages\":[{\"code\":\"en\","
        "\"name\":\"English\"}],\"title\":\"T\",\"intro\":\"I\",\"thanks\":\"X\",\"sections\":"
        "[{\"id\":\"a\",\"title\":\"A\",\"questions\":[{\"id\":\"q\",\"type\":\"likert\","
        "\"text\":\"Q\",\"scale\":5,\"anchors\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}]}]}";
    Survey *s = NULL;
    Response *r = NULL;
    DbError err;
    CHECK(survey_load_buffer("t.json", json, strlen(json), &s, &err) == DB_OK);
    CHECK(s && response_new(s, 0, &r, &err) == DB_OK);
    if (!r) {
        survey_free(s);
        return;
    }
    uint8_t buf[1024];
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        const SessionCase *c = &session_cases[i];
        if (c->field == SC_ID) /* the survey's id: the survey loader's (test_survey_loader) */
            continue;
        const char *label, *date, *id;
        session_case_fields(c, &label, &date, &id);
        ResponseContext ctx = {label, date};
        size_t len = 0;
        int rc = response_encode(r, &ctx, buf, sizeof buf, &len, &err);
        expect("response_encode", c, i, rc == DB_OK, err.msg, 1);
        if (rc == DB_OK) { /* and it reads back */
            DecodedResponse *d = NULL;
            CHECK(response_decode(buf, len, &d, &err) == DB_OK);
            CHECK(d && strcmp(d->session_label, label) == 0 && strcmp(d->session_date, date) == 0);
            response_decoded_free(d);
        }
    }
    response_free(r);
    survey_free(s);
}

static void put8(uint8_t *out, size_t *n, const char *s)
{
    size_t len = strlen(s);
    out[(*n)++] = (uint8_t)len;
    memcpy(out + *n, s, len);
    *n += len;
}

/* A response plaintext as docs/FORMAT.md lays it out, with the case's fields; one question
 * "q", not answered. */
static size_t plaintext(const char *label, const char *date, const char *id, uint8_t *out)
{
    size_t n = 0;
    memcpy(out, "DBRP\x01", 5);
    n = 5;
    put8(out, &n, id);
    memcpy(out + n, "\0\0\0\x01", 4);
    n += 4;
    put8(out, &n, "en");
    put8(out, &n, label);
    put8(out, &n, date);
    out[n++] = 0;
    out[n++] = 1;
    put8(out, &n, "q");
    out[n++] = 0;
    return n;
}

static void test_response_decode(void)
{
    uint8_t buf[1024];
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        const char *label, *date, *id;
        session_case_fields(&session_cases[i], &label, &date, &id);
        size_t len = plaintext(label, date, id, buf);
        DecodedResponse *d = NULL;
        DbError err;
        int rc = response_decode(buf, len, &d, &err);
        /* The decoder checks a survey id with the id rule and says "survey id is not an id". */
        expect("response_decode", &session_cases[i], i, rc == DB_OK, err.msg,
               session_cases[i].field != SC_ID);
        CHECK(rc == DB_OK || rc == DB_EFORMAT);
        response_decoded_free(d);
    }
}

/* A one-question survey with the given id, as JSON in out; returns its length. */
static int survey_json(const char *id, char *out, size_t cap)
{
    int n = snprintf(out, cap,
                     "{\"format\":1,\"id\":\"%s\",\"version\":1,\"languages\":[{\"code\":"
                     "\"en\",\"name\":\"E\"}],\"title\":\"T\",\"intro\":\"I\",\"thanks\":"
                     "\"X\",\"sections\":[{\"id\":\"a\",\"title\":\"A\",\"questions\":[{"
                     "\"id\":\"q\",\"type\":\"likert\",\"text\":\"Q\",\"scale\":5,"
                     "\"anchors\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}]}]}",
                     id);
    CHECK(n > 0 && (size_t)n < cap);
    return n;
}

static void test_survey_loader(void)
{
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        const SessionCase *c = &session_cases[i];
        if (c->field != SC_ID)
            continue;
        char json[1024];
        int n = survey_json(c->value, json, sizeof json);
        Survey *s = NULL;
        DbError err;
        int rc = survey_load_buffer("t.json", json, (size_t)n, &s, &err);
        expect("survey_load_buffer", c, i, rc == DB_OK, err.msg, 0);
        if (rc == DB_OK)
            CHECK_STR(s->id, c->value);
        survey_free(s);
    }
}

/* The case as a BatchSession, or 0 if a field does not fit its buffer (a value of exactly
 * the buffer's size is copied without a terminator: the checks must refuse it). */
static int batch_session(const SessionCase *c, BatchSession *bs)
{
    const char *label, *date, *id;
    session_case_fields(c, &label, &date, &id);
    memset(bs, 0, sizeof *bs);
    if (strlen(label) > sizeof bs->label || strlen(date) > sizeof bs->date ||
        strlen(id) > sizeof bs->survey_id)
        return 0;
    memcpy(bs->label, label, strlen(label));
    memcpy(bs->date, date, strlen(date));
    memcpy(bs->survey_id, id, strlen(id));
    bs->survey_version = 1;
    bs->count = 1;
    return 1;
}

static int discard(void *ctx, const uint8_t *data, size_t len, DbError *err)
{
    (void)ctx, (void)data, (void)len, (void)err;
    return DB_OK;
}

static void test_batch_builder_and_writer(void)
{
    uint8_t zero[BATCH_HASH_BYTES] = {0};
    int tried = 0;
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        BatchSession bs;
        if (!batch_session(&session_cases[i], &bs))
            continue;
        tried++;
        BatchBuilder *b = NULL;
        DbError err;
        CHECK(batch_builder_new(1, zero, &b, &err) == DB_OK);
        uint32_t idx;
        int rc = batch_builder_add_session(b, &bs, &idx, &err);
        expect("batch_builder_add_session", &session_cases[i], i, rc == DB_OK, err.msg, 1);
        batch_builder_free(b);
        BatchWriter *w = NULL;
        rc = batch_writer_new(1, zero, &bs, 1, g_id, discard, NULL, &w, &err);
        expect("batch_writer_new", &session_cases[i], i, rc == DB_OK, err.msg, 1);
        batch_writer_free(w);
    }
    CHECK(tried >= (int)SESSION_N_CASES - 2); /* only values too long for the struct are out */
}

/* A batch as docs/FORMAT.md lays it out, one session with the case's fields and one record,
 * signature all zero (batch_parse_unverified checks everything else). 0 if a field cannot be
 * written in the format (a date is exactly 10 bytes). */
static size_t batch_bytes(const SessionCase *c, uint8_t *out)
{
    const char *label, *date, *id;
    session_case_fields(c, &label, &date, &id);
    if (strlen(date) != SESSION_DATE_LEN)
        return 0;
    size_t n = 0;
    memcpy(out, "DBRB\x01", 5);
    n = 5;
    memcpy(out + n, g_pk, 32);
    n += 32;
    memcpy(out + n, "\0\0\0\0\0\0\0\x01", 8);
    n += 8;
    memset(out + n, 0, 32);
    n += 32;
    out[n++] = 0;
    out[n++] = 1;
    put8(out, &n, label);
    memcpy(out + n, date, SESSION_DATE_LEN);
    n += SESSION_DATE_LEN;
    put8(out, &n, id);
    memcpy(out + n, "\0\0\0\x01\0\0\0\x01", 8); /* version 1, count 1 */
    n += 8;
    memcpy(out + n, "\0\0\0\x01", 4); /* one record */
    n += 4;
    memcpy(out + n, "\0\0\0\0\0\x01\x2a", 7); /* session 0, 1 byte */
    n += 7;
    memset(out + n, 0, 64);
    return n + 64;
}

static void test_batch_parser(void)
{
    uint8_t buf[1024];
    int tried = 0;
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        size_t len = batch_bytes(&session_cases[i], buf);
        if (!len)
            continue;
        tried++;
        Batch b;
        DbError err;
        int rc = batch_parse_unverified("t.dbb", buf, len, &b, &err);
        expect("batch_parse_unverified", &session_cases[i], i, rc == DB_OK, err.msg, 1);
        if (rc == DB_OK) {
            CHECK(b.n_sessions == 1 && b.n_records == 1);
            batch_free(&b);
        } else {
            CHECK(rc == DB_EFORMAT);
        }
    }
    CHECK(tried >= (int)SESSION_N_CASES - 3); /* only dates of another length are out */
}

/* Runs the CLI with argv; its stderr in errbuf. Returns the exit status. */
static int run_cli(char *const argv[], char *errbuf, size_t cap)
{
    char errpath[128];
    snprintf(errpath, sizeof errpath, "%s/cli.err", g_tmp);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int null = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        dup2(null, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    errbuf[0] = '\0';
    uint8_t *data = NULL;
    size_t len = 0;
    if (fs_read_file(errpath, 1 << 16, 0, &data, &len, NULL) == DB_OK) {
        snprintf(errbuf, cap, "%s", (char *)data);
        free(data);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_cli(void)
{
    const char *build = getenv("DEBRIEF_BUILD_DIR");
    if (!build) {
        TEST_SKIP("DEBRIEF_BUILD_DIR is not set (ctest sets it): the CLI checks need it");
        return;
    }
    char cli[1024], data[128], survey[128], errbuf[4096];
    snprintf(cli, sizeof cli, "%s/app/cli/debrief", build);
    snprintf(data, sizeof data, "%s/cli-data", g_tmp);
    snprintf(survey, sizeof survey, "%s/survey.json", g_tmp);
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        const SessionCase *c = &session_cases[i];
        const char *label, *date, *id;
        session_case_fields(c, &label, &date, &id);
        char json[1024];
        int n = survey_json(id, json, sizeof json);
        CHECK(fs_write_atomic(survey, json, (size_t)n, 0600, NULL) == DB_OK);
        char *open_argv[] = {cli,           "session", "open",       "--data",   data,   "--label",
                             (char *)label, "--date",  (char *)date, "--survey", survey, NULL};
        int rc = run_cli(open_argv, errbuf, sizeof errbuf);
        CHECK(rc == 0 || rc == 1); /* never a usage error: the values are well-formed args */
        CHECK(rc == 0 || strncmp(errbuf, "debrief: error: ", 16) == 0);
        expect("debrief session open", c, i, rc == 0, errbuf, c->field != SC_ID);
        if (rc == 0) {
            char *close_argv[] = {cli, "session", "close", "--data", data, NULL};
            CHECK(run_cli(close_argv, errbuf, sizeof errbuf) == 0);
        }
    }
}

int main(void)
{
    if (secmem_init() != 0 || !mkdtemp(g_tmp))
        return 1;
    char idpath[128];
    snprintf(idpath, sizeof idpath, "%s/identity.key", g_tmp);
    int created;
    DbError err;
    if (keys_identity_load_or_create(idpath, &g_id, &created, &err) != DB_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    keys_identity_public(g_id, g_pk);
    RUN(test_library_table);
    RUN(test_store_entry);
    RUN(test_response_encode);
    RUN(test_response_decode);
    RUN(test_survey_loader);
    RUN(test_batch_builder_and_writer);
    RUN(test_batch_parser);
    RUN(test_cli);
    keys_identity_free(g_id);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_tmp);
    return test_report();
}
