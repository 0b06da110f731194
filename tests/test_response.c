/* Tests for app/survey/response.c: answering rules, the canonical encoding (known-answer
 * vector from docs/FORMAT.md, "Response plaintext") and the decoder's resistance to
 * truncated and corrupted input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "response.h"
#include "secmem.h"
#include "survey.h"
#include "survey_internal.h"
#include "testlib.h"

static char src_dir[512];

static Survey *load_sq(const char *sq)
{
    size_t n = strlen(sq);
    char *json = malloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        json[i] = sq[i] == '\'' ? '"' : sq[i];
    Survey *s = NULL;
    DbError err;
    if (survey_load_buffer("t.json", json, n, &s, &err) != DB_OK)
        fprintf(stderr, "survey did not load: %s\n", err.msg);
    free(json);
    return s;
}

static Survey *load_ccdg(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/assets/surveys/ccdg.json", src_dir);
    Survey *s = NULL;
    DbError err;
    if (survey_load_file(path, &s, &err) != DB_OK)
        fprintf(stderr, "%s\n", err.msg);
    return s;
}

#define HEAD                                                                                       \
    "{'format':1,'id':'kat','version':7,'languages':[{'code':'en','name':'English'}],"             \
    "'title':'T','intro':'I','thanks':'X','sections':[{'id':'a','title':'A','questions':["
#define TAIL "]}]}"

/* The survey of the known-answer vector in docs/FORMAT.md. */
#define KAT_QUESTIONS                                                                              \
    "{'id':'l','type':'likert','text':'Q','scale':5,'anchors':['1','2','3','4','5'],"              \
    "'prefer_not':true},"                                                                          \
    "{'id':'s','type':'single','text':'Q','prefer_not':true,"                                      \
    "'options':[{'id':'no','text':'No'},{'id':'yes','text':'Yes'}]},"                              \
    "{'id':'f','type':'single','text':'Q','options':[{'id':'no','text':'N'},"                      \
    "{'id':'yes','text':'Y'}]" KAT_SHOW_IF "},"                                                    \
    "{'id':'m','type':'multi','text':'Q','options':[{'id':'a','text':'A'},"                        \
    "{'id':'b','text':'B'},{'id':'c','text':'C'}]},"                                               \
    "{'id':'t','type':'text','text':'Q','max_length':10}"
#define KAT_SHOW_IF ",'show_if':{'question':'s','any_of':['yes']}"
static const char KAT_SURVEY[] = HEAD KAT_QUESTIONS TAIL;
#undef KAT_SHOW_IF
#define KAT_SHOW_IF ""
/* The same survey without the show-if: lets a test produce an encoding the real survey
 * forbids (an answer to a hidden question). */
static const char KAT_SURVEY_NO_SHOW_IF[] = HEAD KAT_QUESTIONS TAIL;

static const char KAT_HEX[] = "4442525001036b61740000000702656e"
                              "0747726f757020310a323031342d3034"
                              "2d31350005016c020104017301016600"
                              "016d0203020161016301740204000843"
                              "6166c3a90a6f6b";

static const ResponseContext CTX = {"Group 1", "2014-04-15"};

static size_t from_hex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

/* l = 4, s declined, f = "yes" but hidden, m = {a, c}, t = "Café\nok". */
static void fill_kat(const Survey *s, Response *r)
{
    DbError err;
    CHECK(response_set_single(r, 1, 1, &err) == DB_OK); /* s = yes shows f ... */
    CHECK(response_set_single(r, 2, 1, &err) == DB_OK); /* ... which gets an answer ... */
    CHECK(response_decline(r, 1, &err) == DB_OK);       /* ... then hides it again */
    CHECK(response_set_likert(r, 0, 4, &err) == DB_OK);
    CHECK(response_toggle_multi(r, 3, 2, &err) == DB_OK);
    CHECK(response_toggle_multi(r, 3, 1, &err) == DB_OK);
    CHECK(response_toggle_multi(r, 3, 0, &err) == DB_OK);
    CHECK(response_toggle_multi(r, 3, 1, &err) == DB_OK); /* untick b */
    CHECK(response_set_text(r, 4, "Caf\xc3\xa9\nok", &err) == DB_OK);
    (void)s;
}

static void test_known_answer(void)
{
    Survey *s = load_sq(KAT_SURVEY);
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
    fill_kat(s, r);
    CHECK(!response_visible(r, 2));
    uint8_t out[1024], expected[256];
    size_t len = 0, n = from_hex(KAT_HEX, expected);
    CHECK(response_encode(r, &CTX, out, sizeof out, &len, &err) == DB_OK);
    CHECK(len == n && len == 71);
    CHECK(memcmp(out, expected, n) == 0);
    /* Same answers, same bytes. */
    size_t len2 = 0;
    uint8_t out2[1024];
    CHECK(response_encode(r, &CTX, out2, sizeof out2, &len2, &err) == DB_OK);
    CHECK(len2 == len && memcmp(out, out2, len) == 0);

    DecodedResponse *d = NULL;
    CHECK(response_decode(expected, n, &d, &err) == DB_OK);
    if (d) {
        CHECK_STR(d->survey_id, "kat");
        CHECK(d->survey_version == 7);
        CHECK_STR(d->lang, "en");
        CHECK_STR(d->session_label, "Group 1");
        CHECK_STR(d->session_date, "2014-04-15");
        CHECK(d->n_answers == 5);
        CHECK(d->answers[0].state == ANSWER_GIVEN && d->answers[0].kind == SURVEY_LIKERT &&
              d->answers[0].likert == 4);
        CHECK_STR(d->answers[1].question_id, "s");
        CHECK(d->answers[1].state == ANSWER_DECLINED);
        CHECK(d->answers[2].state == ANSWER_NONE);
        CHECK(d->answers[3].kind == SURVEY_MULTI && d->answers[3].n_options == 2);
        CHECK_STR(d->answers[3].option_ids[0], "a");
        CHECK_STR(d->answers[3].option_ids[1], "c");
        CHECK_STR(d->answers[4].text, "Caf\xc3\xa9\nok");
        CHECK(d->answers[0].text == NULL);
        CHECK(response_decoded_check(d, s, &err) == DB_OK);
    }
    response_decoded_free(d);
    response_decoded_free(NULL);
    response_free(r);
    survey_free(s);
}

static void test_roundtrip_ccdg(void)
{
    Survey *s = load_ccdg();
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 1, &r, &err) == DB_OK);
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_LIKERT)
            CHECK(response_set_likert(r, q, 1 + q % 5, &err) == DB_OK);
        else if (sq->kind == SURVEY_SINGLE && q % 3 == 0)
            CHECK(response_decline(r, q, &err) == DB_OK);
        else if (sq->kind == SURVEY_SINGLE)
            CHECK(response_set_single(r, q, sq->n_options - 1, &err) == DB_OK);
    }
    CHECK(response_set_text(r, survey_find_question(s, "unique"),
                            "Die offene Atmosph\xc3\xa4re.\nUnd die Gr\xc3\xb6\xc3\x9f"
                            "e.",
                            &err) == DB_OK);
    CHECK(response_first_incomplete(r) == -1);
    uint8_t *buf = malloc(s->record_size);
    size_t len;
    ResponseContext ctx = {"Gruppe 2 \xe2\x80\x93 Mittwoch", "2024-02-29"};
    CHECK(response_encode(r, &ctx, buf, s->record_size - 1, &len, &err) == DB_OK);
    CHECK(len <= survey_max_encoding(s));
    DecodedResponse *d = NULL;
    CHECK(response_decode(buf, len, &d, &err) == DB_OK);
    if (d) {
        CHECK(response_decoded_check(d, s, &err) == DB_OK);
        CHECK_STR(d->lang, "de");
        CHECK_STR(d->session_label, "Gruppe 2 \xe2\x80\x93 Mittwoch");
        for (int q = 0; q < s->n_questions; q++) {
            const SurveyQuestion *sq = &s->questions[q];
            const DecodedAnswer *a = &d->answers[q];
            CHECK_STR(a->question_id, sq->id);
            bool vis = response_visible(r, q);
            AnswerState want = vis ? r->answers[q].state : ANSWER_NONE;
            CHECK(a->state == want);
            if (a->state != ANSWER_GIVEN)
                continue;
            if (sq->kind == SURVEY_LIKERT)
                CHECK(a->likert == r->answers[q].value);
            else if (sq->kind == SURVEY_SINGLE)
                CHECK_STR(a->option_ids[0], sq->options[r->answers[q].value].id);
            else if (sq->kind == SURVEY_TEXT)
                CHECK_STR(a->text, r->answers[q].text);
        }
        /* A response checked against a different survey version is refused. */
        d->survey_version = 2;
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "response is for survey \"ccdg\" version 2, not \"ccdg\" version 1");
    }
    response_decoded_free(d);
    free(buf);
    response_free(r);
    survey_free(s);
}

/* Every field at its largest: the encoding is exactly survey_max_encoding bytes. */
static void test_max_encoding_exact(void)
{
    Survey *s = load_sq("{'format':1,'id':'a2345678901234567890123456789012','version':1,"
                        "'languages':[{'code':'en','name':'E'}],'title':'T','intro':'I',"
                        "'thanks':'X','sections':[{'id':'a','title':'A','questions':["
                        "{'id':'l','type':'likert','text':'Q','scale':7,"
                        "'anchors':['1','2','3','4','5','6','7']},"
                        "{'id':'m','type':'multi','text':'Q','max':2,"
                        "'options':[{'id':'a','text':'Q'},{'id':'bbbb','text':'Q'},"
                        "{'id':'cc','text':'Q'}]},"
                        "{'id':'t','type':'text','text':'Q','max_length':250}]}]}");
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
    CHECK(response_set_likert(r, 0, 7, &err) == DB_OK);
    CHECK(response_toggle_multi(r, 1, 1, &err) == DB_OK);
    CHECK(response_toggle_multi(r, 1, 2, &err) == DB_OK);
    char text[4 * 250 + 1] = "";
    for (int i = 0; i < 250; i++)
        memcpy(text + 4 * i, "\xf0\x9f\x98\x80", 5); /* U+1F600, 4 bytes */
    CHECK(response_set_text(r, 2, text, &err) == DB_OK);
    char label[RESPONSE_MAX_LABEL + 1];
    memset(label, 'x', RESPONSE_MAX_LABEL);
    label[RESPONSE_MAX_LABEL] = '\0';
    ResponseContext ctx = {label, "2024-01-01"};
    uint8_t buf[2048];
    size_t len = 0;
    CHECK(response_encode(r, &ctx, buf, sizeof buf, &len, &err) == DB_OK);
    CHECK(len == survey_max_encoding(s));
    CHECK(s->record_size == 2048 && len < s->record_size);
    /* A buffer one byte short is refused, naming the size needed. */
    CHECK(response_encode(r, &ctx, buf, len - 1, &len, &err) == DB_ELIMIT);
    char msg[128];
    snprintf(msg, sizeof msg, "response encoding needs %zu bytes; buffer holds %zu",
             survey_max_encoding(s), survey_max_encoding(s) - 1);
    CHECK_STR(err.msg, msg);
    CHECK(len == 0);
    response_free(r);
    survey_free(s);
}

static void test_visibility(void)
{
    Survey *s = load_sq(HEAD "{'id':'q1','type':'likert','text':'Q','scale':5,"
                             "'anchors':['1','2','3','4','5']},"
                             "{'id':'q2','type':'single','text':'Q','required':true,"
                             "'options':[{'id':'x','text':'X'},{'id':'y','text':'Y'}],"
                             "'show_if':{'question':'q1','any_of':[4,5]}},"
                             "{'id':'q3','type':'text','text':'Q','max_length':9,'required':true,"
                             "'show_if':{'question':'q2','any_of':['y']}},"
                             "{'id':'q4','type':'multi','text':'Q',"
                             "'options':[{'id':'x','text':'X'},{'id':'y','text':'Y'}]},"
                             "{'id':'q5','type':'likert','text':'Q','scale':5,'required':true,"
                             "'anchors':['1','2','3','4','5'],"
                             "'show_if':{'question':'q4','any_of':['y']}}" TAIL);
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
    /* Nothing answered: dependants hidden, hence not required. */
    CHECK(response_visible(r, 0) && !response_visible(r, 1) && !response_visible(r, 2));
    CHECK(!response_visible(r, 4));
    CHECK(response_first_incomplete(r) == -1);
    CHECK(response_set_likert(r, 0, 5, &err) == DB_OK);
    CHECK(response_visible(r, 1) && !response_visible(r, 2));
    CHECK(response_first_incomplete(r) == 1); /* q2 is required and now shown */
    CHECK(!response_question_ok(r, 1));
    CHECK(response_set_single(r, 1, 1, &err) == DB_OK);
    CHECK(response_visible(r, 2));
    CHECK(response_first_incomplete(r) == 2);
    CHECK(response_set_text(r, 2, "fine", &err) == DB_OK);
    CHECK(response_first_incomplete(r) == -1);
    /* A chain: q1 = 3 hides q2, and with it q3, although both keep their answers. */
    CHECK(response_set_likert(r, 0, 3, &err) == DB_OK);
    CHECK(!response_visible(r, 1) && !response_visible(r, 2));
    CHECK(response_question_ok(r, 1) && response_question_ok(r, 2));
    CHECK(r->answers[2].state == ANSWER_GIVEN); /* kept for going back */
    uint8_t buf[1024];
    size_t len;
    CHECK(response_encode(r, &CTX, buf, sizeof buf, &len, &err) == DB_OK);
    DecodedResponse *d = NULL;
    CHECK(response_decode(buf, len, &d, &err) == DB_OK);
    if (d) {
        CHECK(d->answers[1].state == ANSWER_NONE && d->answers[2].state == ANSWER_NONE);
        CHECK(response_decoded_check(d, s, &err) == DB_OK);
    }
    response_decoded_free(d);
    /* Declining the condition question hides too. */
    CHECK(response_set_likert(r, 0, 4, &err) == DB_OK);
    CHECK(response_visible(r, 2));
    response_unset(r, 0);
    CHECK(!response_visible(r, 1) && !response_visible(r, 2));
    /* Multi: any chosen option in the set shows. */
    CHECK(response_toggle_multi(r, 3, 0, &err) == DB_OK);
    CHECK(!response_visible(r, 4));
    CHECK(response_toggle_multi(r, 3, 1, &err) == DB_OK);
    CHECK(response_visible(r, 4));
    CHECK(response_first_incomplete(r) == 4);
    response_free(r);
    survey_free(s);
}

static void test_required_and_decline(void)
{
    Survey *s = load_sq(HEAD "{'id':'a','type':'likert','text':'Q','scale':5,'required':true,"
                             "'prefer_not':true,'anchors':['1','2','3','4','5']},"
                             "{'id':'b','type':'single','text':'Q','required':true,"
                             "'options':[{'id':'x','text':'X'},{'id':'y','text':'Y'}]}" TAIL);
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
    CHECK(response_first_incomplete(r) == 0);
    CHECK(response_decline(r, 0, &err) == DB_OK);
    CHECK(response_question_ok(r, 0));
    CHECK(response_first_incomplete(r) == 1);
    CHECK(response_decline(r, 1, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"b\" does not offer \"prefer not to answer\"");
    CHECK(response_set_single(r, 1, 2, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"b\": option index must be 0 to 1");
    CHECK(response_set_single(r, 1, 0, &err) == DB_OK);
    CHECK(response_first_incomplete(r) == -1);
    /* Wrong kinds and values. */
    CHECK(response_set_likert(r, 1, 1, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"b\" is not a likert question");
    CHECK(response_set_text(r, 0, "x", &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"a\" is not a text question");
    CHECK(response_set_likert(r, 0, 6, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"a\": value must be 1 to 5");
    CHECK(response_set_likert(r, 0, 0, &err) == DB_EINVAL);
    CHECK(r->answers[0].state == ANSWER_DECLINED); /* a refused value leaves the answer */
    response_unset(r, 1);
    CHECK(response_first_incomplete(r) == 1);
    /* Language out of range. */
    Response *r2 = (Response *)1;
    CHECK(response_new(s, 1, &r2, &err) == DB_EINVAL && r2 == NULL);
    CHECK_STR(err.msg, "language 1 is not one of the survey's 1");
    response_free(r);
    response_free(NULL);
    survey_free(s);
}

static void test_multi_limits(void)
{
    Survey *s = load_sq(HEAD "{'id':'m','type':'multi','text':'Q','min':2,'max':3,'options':["
                             "{'id':'a','text':'A'},{'id':'b','text':'B'},{'id':'c','text':'C'},"
                             "{'id':'d','text':'D'}]}" TAIL);
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
    CHECK(response_question_ok(r, 0)); /* not required: empty is fine */
    CHECK(response_toggle_multi(r, 0, 3, &err) == DB_OK);
    CHECK(!response_question_ok(r, 0)); /* one is below min 2 */
    CHECK(response_first_incomplete(r) == 0);
    CHECK(response_toggle_multi(r, 0, 0, &err) == DB_OK);
    CHECK(response_question_ok(r, 0));
    CHECK(response_toggle_multi(r, 0, 1, &err) == DB_OK);
    CHECK(response_question_ok(r, 0));
    CHECK(response_toggle_multi(r, 0, 2, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"m\": at most 3 choices");
    CHECK(r->answers[0].chosen == 0xB);
    CHECK(response_toggle_multi(r, 0, 4, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"m\": option index must be 0 to 3");
    /* Unticking everything leaves no answer. */
    CHECK(response_toggle_multi(r, 0, 0, &err) == DB_OK);
    CHECK(response_toggle_multi(r, 0, 1, &err) == DB_OK);
    CHECK(response_toggle_multi(r, 0, 3, &err) == DB_OK);
    CHECK(r->answers[0].state == ANSWER_NONE && r->answers[0].chosen == 0);
    response_free(r);
    survey_free(s);
}

static void test_text_rules(void)
{
    Survey *s = load_sq(HEAD "{'id':'t','type':'text','text':'Q','max_length':5}" TAIL);
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
    /* Five accented characters are ten bytes but five characters: allowed. */
    CHECK(response_set_text(r, 0, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &err) == DB_OK);
    CHECK(response_question_ok(r, 0));
    CHECK(response_set_text(r, 0, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &err) ==
          DB_EINVAL);
    CHECK_STR(err.msg, "question \"t\": text is longer than 5 characters");
    CHECK(response_set_text(r, 0, "abcdef", &err) == DB_EINVAL);
    CHECK(response_set_text(r, 0,
                            "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98"
                            "\x80\xf0\x9f\x98\x80",
                            &err) == DB_OK); /* 20 bytes, the capacity is 4 * 5 + 1 */
    CHECK(response_set_text(r, 0, "a\xff", &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"t\": text is not valid UTF-8");
    CHECK(response_set_text(r, 0, "\xc0\xaf", &err) == DB_EINVAL);     /* overlong '/' */
    CHECK(response_set_text(r, 0, "\xed\xa0\x80", &err) == DB_EINVAL); /* surrogate */
    CHECK(response_set_text(r, 0, "a\tb", &err) == DB_EINVAL);
    CHECK_STR(err.msg, "question \"t\": text contains a control character other than a line "
                       "break");
    CHECK(response_set_text(r, 0, "a\r\nb", &err) == DB_EINVAL);
    CHECK(response_set_text(r, 0, "a\nb", &err) == DB_OK);
    CHECK(r->answers[0].state == ANSWER_GIVEN);
    CHECK(response_set_text(r, 0, "", &err) == DB_OK);
    CHECK(r->answers[0].state == ANSWER_NONE);

    CHECK(response_utf8_chars("") == 0);
    CHECK(response_utf8_chars("abc") == 3);
    CHECK(response_utf8_chars("Caf\xc3\xa9") == 4);
    CHECK(response_utf8_chars("\xf0\x9f\x98\x80!") == 2);
    CHECK(response_utf8_chars("a\xff\xfe") == 3);        /* invalid bytes count one each */
    CHECK(response_utf8_chars("\xe2\x82") == 2);         /* truncated sequence */
    CHECK(response_utf8_chars("\x80\x80\xc3\xa9") == 3); /* stray continuations */
    response_free(r);
    survey_free(s);
}

static void test_context_errors(void)
{
    Survey *s = load_sq(KAT_SURVEY);
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
#define FORM_MSG "session date must be YYYY-MM-DD"
#define NODAY(d) "session date " d " is not a day of the calendar"
    static const struct {
        const char *label, *date, *msg; /* msg NULL: accepted */
    } cases[] = {
        {"G", "2016-02-29", NULL},
        {"G", "2015-02-29", NODAY("2015-02-29")},
        {"G", "2000-02-29", NULL},
        {"G", "1900-02-29", NODAY("1900-02-29")},
        {"G", "2014-13-01", NODAY("2014-13-01")},
        {"G", "2014-04-31", NODAY("2014-04-31")},
        {"G", "2014-4-15", FORM_MSG},
        {"G", "2014-04-15 ", FORM_MSG},
        {"G", "2014/04/15", FORM_MSG},
        {"G", "0000-01-01", "session date 0000-01-01 is before 2000"},
        {"G", "1999-12-31", "session date 1999-12-31 is before 2000"},
        {"G", NULL, FORM_MSG},
        {"", "2014-04-15", "session label must be 1 to 64 bytes (it has 0)"},
        {NULL, "2014-04-15", "session label must be 1 to 64 bytes (it has 0)"},
        {"a\nb", "2014-04-15", "session label contains a control character"},
        {"\xff", "2014-04-15", "session label is not valid UTF-8"},
        {"1234567890123456789012345678901234567890123456789012345678901234", "2014-04-15", NULL},
        {"12345678901234567890123456789012345678901234567890123456789012345", "2014-04-15",
         "session label must be 1 to 64 bytes (it has 65)"},
    };
    uint8_t buf[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ResponseContext ctx = {cases[i].label, cases[i].date};
        size_t len = 99;
        int rc = response_encode(r, &ctx, buf, sizeof buf, &len, &err);
        CHECK(rc == (cases[i].msg ? DB_EINVAL : DB_OK));
        if (cases[i].msg) {
            CHECK(len == 0);
            CHECK_STR(err.msg, cases[i].msg);
        }
    }
    response_free(r);
    survey_free(s);
}

typedef struct DecodeCase {
    const char *hex;
    const char *msg;
} DecodeCase;

/* Edits of the known-answer vector, each with the decoder's exact message. */
static void test_decode_errors(void)
{
    static const DecodeCase cases[] = {
        {"", "response plaintext: offset 0: magic runs past the end (len 0)"},
        {"44425251", "response plaintext: offset 0: not a response (magic is not \"DBRP\")"},
        {"44425250", "response plaintext: offset 4: version runs past the end (len 4)"},
        {"4442525002", "response plaintext: offset 4: version 2 is not supported (this program "
                       "reads 1)"},
        {"4442525001", "response plaintext: offset 5: survey id runs past the end (len 5)"},
        {"444252500104", "response plaintext: offset 5: survey id length 4 runs past the end "
                         "(len 6)"},
        {"44425250010341746100", "response plaintext: offset 5: survey id is not an id"},
        {"4442525001036b617400000007", "response plaintext: offset 13: language runs past the "
                                       "end (len 13)"},
        {"4442525001036b61740000000702652e", "response plaintext: offset 13: language is not a "
                                             "language tag"},
        {"4442525001036b61740000000702656e00", "response plaintext: offset 16: session label must "
                                               "be 1 to 64 bytes (it has 0)"},
        {"4442525001036b61740000000702656e0147"
         "0a323031342d30342d3331",
         "response plaintext: offset 18: session date 2014-04-31 is not a day of the calendar"},
        {"4442525001036b61740000000702656e0147"
         "0a323031342d30342d3135",
         "response plaintext: offset 29: answer count runs past the end (len 29)"},
        {"4442525001036b61740000000702656e0147"
         "0a323031342d30342d31350000",
         "response plaintext: offset 29: answer count 0 is not 1 to 128"},
        {"4442525001036b61740000000702656e0147"
         "0a323031342d30342d31350081",
         "response plaintext: offset 29: answer count 129 is not 1 to 128"},
        /* from here on: the KAT header, then one answer */
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c03",
         "response plaintext: offset 39: answer state 3 is not 0, 1 or 2"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c0205",
         "response plaintext: offset 40: answer kind 5 is not 1 to 4"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c020100",
         "response plaintext: offset 41: likert value 0 is not 1 to 7"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c0201",
         "response plaintext: offset 41: likert value runs past the end (len 41)"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c020300",
         "response plaintext: offset 41: option count 0 is not 1 to 16"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c0202025859",
         "response plaintext: offset 41: option id is not an id"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c02040384414243",
         "response plaintext: offset 41: text length 900 runs past the end (len 46)"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c0204000141ff",
         "response plaintext: offset 44: 1 trailing bytes after the last answer"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c02040000",
         "response plaintext: offset 41: text is empty (an empty text is encoded as no answer)"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c0204000241ff",
         "response plaintext: offset 41: text is not valid UTF-8"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "016c020400024109",
         "response plaintext: offset 41: text contains a control character other than a line "
         "break"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350002"
         "016c00",
         "response plaintext: offset 40: question id runs past the end (len 40)"},
        {"4442525001036b61740000000702656e0747726f757020310a323031342d30342d31350001"
         "0001",
         "response plaintext: offset 37: question id is not an id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[256];
        size_t n = from_hex(cases[i].hex, buf);
        DecodedResponse *d = (DecodedResponse *)1;
        DbError err;
        CHECK(response_decode(buf, n, &d, &err) == DB_EFORMAT);
        CHECK(d == NULL);
        if (strcmp(err.msg, cases[i].msg) != 0)
            fprintf(stderr, "decode case %zu\n", i);
        CHECK_STR(err.msg, cases[i].msg);
    }
}

/* Encodings the decoder accepts but the survey forbids. */
static void test_decoded_check(void)
{
    Survey *s = load_sq(KAT_SURVEY), *loose = load_sq(KAT_SURVEY_NO_SHOW_IF);
    CHECK(s && loose);
    if (!s || !loose) {
        survey_free(s);
        survey_free(loose);
        return;
    }
    Response *r;
    DbError err;
    uint8_t buf[1024];
    size_t len;
    CHECK(response_new(loose, 0, &r, &err) == DB_OK);
    CHECK(response_set_single(r, 2, 0, &err) == DB_OK); /* f answered, s not "yes" */
    CHECK(response_encode(r, &CTX, buf, sizeof buf, &len, &err) == DB_OK);
    DecodedResponse *d = NULL;
    CHECK(response_decode(buf, len, &d, &err) == DB_OK);
    if (d) {
        CHECK(response_decoded_check(d, loose, &err) == DB_OK);
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "question \"f\": answered although its show-if condition hides it");
        /* Hand edits of the decoded structure. */
        d->answers[2].state = ANSWER_NONE;
        CHECK(response_decoded_check(d, s, &err) == DB_OK);
        d->answers[2].state = ANSWER_DECLINED;
        d->answers[1].state = ANSWER_GIVEN;
        d->answers[1].kind = SURVEY_SINGLE;
        d->answers[1].n_options = 1;
        snprintf(d->answers[1].option_ids[0], SURVEY_MAX_ID + 1, "yes");
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "question \"f\": declined, but the question does not offer \"prefer "
                           "not to answer\"");
        d->answers[2].state = ANSWER_NONE;
        snprintf(d->answers[1].option_ids[0], SURVEY_MAX_ID + 1, "maybe");
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "question \"s\": unknown option id"); /* no answer in the message */
        snprintf(d->answers[1].option_ids[0], SURVEY_MAX_ID + 1, "yes");
        d->answers[1].kind = SURVEY_LIKERT;
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "question \"s\": answer kind does not match the survey");
        d->answers[1].kind = SURVEY_SINGLE;
        d->answers[3].state = ANSWER_GIVEN;
        d->answers[3].kind = SURVEY_MULTI;
        d->answers[3].n_options = 2;
        snprintf(d->answers[3].option_ids[0], SURVEY_MAX_ID + 1, "c");
        snprintf(d->answers[3].option_ids[1], SURVEY_MAX_ID + 1, "a");
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "question \"m\": options repeated or not in survey order");
        d->answers[3].state = ANSWER_NONE;
        d->answers[0].state = ANSWER_GIVEN;
        d->answers[0].kind = SURVEY_LIKERT;
        d->answers[0].likert = 6;
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "question \"l\": value outside the 5-point scale");
        d->answers[0].likert = 5;
        snprintf(d->answers[4].question_id, SURVEY_MAX_ID + 1, "u");
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "answer 4 is for question \"u\"; the survey has \"t\"");
        snprintf(d->answers[4].question_id, SURVEY_MAX_ID + 1, "t");
        snprintf(d->lang, sizeof d->lang, "fr");
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "response language \"fr\" is not in the survey");
        snprintf(d->lang, sizeof d->lang, "en");
        d->n_answers = 4;
        CHECK(response_decoded_check(d, s, &err) == DB_EFORMAT);
        CHECK_STR(err.msg, "response has 4 answers; the survey has 5 questions");
        d->n_answers = 5;
        CHECK(response_decoded_check(d, s, &err) == DB_OK);
    }
    response_decoded_free(d);
    response_free(r);
    survey_free(s);
    survey_free(loose);
}

static uint64_t rng_state = 0x2545F4914F6CDD1Du;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

/* Every truncation fails; every single-byte change and random corruption either fails
 * cleanly or decodes to something response_decoded_check can judge. Nothing crashes. */
static void test_decode_hostile(void)
{
    Survey *s = load_ccdg();
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_LIKERT)
            response_set_likert(r, q, 2, &err);
        else if (sq->kind == SURVEY_SINGLE)
            response_set_single(r, q, sq->n_options - 1, &err);
        else
            response_set_text(r, q, "caf\xc3\xa9", &err);
    }
    uint8_t enc[8192], buf[8192];
    size_t len;
    CHECK(response_encode(r, &CTX, enc, sizeof enc, &len, &err) == DB_OK);
    int bad_failures = 0;
    for (size_t cut = 0; cut < len; cut++) {
        DecodedResponse *d = NULL;
        if (response_decode(enc, cut, &d, &err) != DB_EFORMAT || d != NULL ||
            strncmp(err.msg, "response plaintext: offset ", 27) != 0)
            bad_failures++;
    }
    CHECK(bad_failures == 0);
    int decoded = 0, rejected_by_check = 0;
    static const uint8_t flips[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof flips; k++) {
            memcpy(buf, enc, len);
            buf[i] ^= flips[k];
            DecodedResponse *d = NULL;
            if (response_decode(buf, len, &d, &err) == DB_OK) {
                decoded++;
                if (response_decoded_check(d, s, &err) != DB_OK)
                    rejected_by_check++;
            } else if (d != NULL || err.code != DB_EFORMAT) {
                bad_failures++;
            }
            response_decoded_free(d);
        }
    }
    CHECK(bad_failures == 0);
    CHECK(decoded > 0 && rejected_by_check > 0);
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 1 + rng() % len;
        memcpy(buf, enc, n);
        int edits = 1 + (int)(rng() % 6);
        for (int e = 0; e < edits; e++)
            buf[rng() % n] = (uint8_t)rng();
        DecodedResponse *d = NULL;
        if (response_decode(buf, n, &d, &err) == DB_OK)
            response_decoded_check(d, s, &err);
        else if (d != NULL)
            bad_failures++;
        response_decoded_free(d);
    }
    CHECK(bad_failures == 0);
    response_free(r);
    survey_free(s);
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static void test_clear_wipes(void)
{
    Survey *s = load_sq(KAT_SURVEY);
    CHECK(s != NULL);
    if (!s)
        return;
    Response *r;
    DbError err;
    CHECK(response_new(s, 0, &r, &err) == DB_OK);
    CHECK(r->answers[0].text == NULL && r->answers[4].text != NULL);
    size_t cap = 4 * 10 + 1;
    CHECK(all_zero(r->answers[4].text, cap));
    CHECK(response_set_text(r, 4, "abcdefghij", &err) == DB_OK);
    /* A shorter text leaves nothing of the longer one behind the terminator. */
    CHECK(response_set_text(r, 4, "xy", &err) == DB_OK);
    CHECK(memcmp(r->answers[4].text, "xy", 3) == 0 && all_zero(r->answers[4].text + 2, cap - 2));
    fill_kat(s, r);
    response_unset(r, 4);
    CHECK(all_zero(r->answers[4].text, cap) && r->answers[4].state == ANSWER_NONE);
    fill_kat(s, r);
    response_clear(r);
    CHECK(all_zero(r->answers[4].text, cap));
    for (int q = 0; q < s->n_questions; q++)
        CHECK(r->answers[q].state == ANSWER_NONE && r->answers[q].value == 0 &&
              r->answers[q].chosen == 0);
    /* After clearing, the encoding is that of an empty response. */
    Response *fresh;
    CHECK(response_new(s, 0, &fresh, &err) == DB_OK);
    uint8_t a[256], b[256];
    size_t la, lb;
    CHECK(response_encode(r, &CTX, a, sizeof a, &la, &err) == DB_OK);
    CHECK(response_encode(fresh, &CTX, b, sizeof b, &lb, &err) == DB_OK);
    CHECK(la == lb && memcmp(a, b, la) == 0);
    response_free(fresh);
    response_free(r);
    survey_free(s);
}

int main(void)
{
    const char *dir = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(src_dir, sizeof src_dir, "%s", dir ? dir : "..");
    if (secmem_init() != 0)
        return 1;
    RUN(test_known_answer);
    RUN(test_roundtrip_ccdg);
    RUN(test_max_encoding_exact);
    RUN(test_visibility);
    RUN(test_required_and_decline);
    RUN(test_multi_limits);
    RUN(test_text_rules);
    RUN(test_context_errors);
    RUN(test_decode_errors);
    RUN(test_decoded_check);
    RUN(test_decode_hostile);
    RUN(test_clear_wipes);
    return test_report();
}
