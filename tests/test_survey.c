/* Tests for app/survey/survey.c: the survey definition loader.
 *
 * Inline surveys are written with single quotes for readability; load_sq() turns them into
 * double quotes before parsing. Every rejected survey is checked for its exact message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "secmem.h"
#include "survey.h"
#include "survey_internal.h"
#include "testlib.h"

static char src_dir[512];

static int load_sq(const char *sq, Survey **s, DbError *err)
{
    size_t n = strlen(sq);
    char *json = malloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        json[i] = sq[i] == '\'' ? '"' : sq[i];
    int rc = survey_load_buffer("t.json", json, n, s, err);
    free(json);
    return rc;
}

/* Builds a JSON document from pieces (for large generated surveys). */
typedef struct Buf {
    char *p;
    size_t len, cap;
} Buf;

static void buf_add(Buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

#define HEAD                                                                                       \
    "{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'English'}],"               \
    "'title':'T','intro':'I','thanks':'X',"
#define HEAD2                                                                                      \
    "{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'English'},"                \
    "{'code':'de','name':'Deutsch'}],'title':{'en':'T','de':'T'},'intro':{'en':'I','de':'I'},"     \
    "'thanks':{'en':'X','de':'X'},"
#define SEC(qs) "'sections':[{'id':'a','title':'A','questions':[" qs "]}]}"
#define LIK "{'id':'q1','type':'likert','text':'Q','scale':5,'anchors':['1','2','3','4','5']}"
#define OPTS2 "'options':[{'id':'x','text':'X'},{'id':'y','text':'Y'}]"
#define SGL "{'id':'q2','type':'single','text':'Q'," OPTS2 "}"
#define TXT "{'id':'q3','type':'text','text':'Q','max_length':10}"
#define Q0 "t.json: sections[0].questions[0]"
#define Q1 "t.json: sections[0].questions[1]"

typedef struct BadCase {
    const char *json;
    int code;
    const char *msg;
} BadCase;

static const BadCase bad_cases[] = {
    /* JSON syntax: line and column from jansson. */
    {"{", DB_EINVAL, "t.json:1:1: string or '}' expected near end of file"},
    {"{'a':1,\n 'b':}", DB_EINVAL, "t.json:2:6: unexpected token near '}'"},
    {"{'a':1,'a':2}", DB_EINVAL, "t.json:1:10: duplicate object key near '\"a\"'"},
    {"", DB_EINVAL, "t.json:1:0: '[' or '{' expected near end of file"},
    {"[]", DB_EINVAL, "t.json: the top level must be an object"},
    /* top level */
    {HEAD "'colour':1," SEC(LIK), DB_EINVAL, "t.json: colour: unknown key"},
    {"{'format':2}", DB_EINVAL, "t.json: format: must be 1 (the survey format this program reads)"},
    {"{'format':'1'}", DB_EINVAL, "t.json: format: must be an integer"},
    {"{'format':1.0}", DB_EINVAL, "t.json: format: must be an integer"},
    {"{'format':1}", DB_EINVAL, "t.json: missing key \"id\""},
    {"{'format':1,'id':'Big'}", DB_EINVAL, "t.json: id: must match ^[a-z][a-z0-9_]{0,31}$"},
    {"{'format':1,'id':'a23456789012345678901234567890123'}", DB_EINVAL,
     "t.json: id: must match ^[a-z][a-z0-9_]{0,31}$"},
    {"{'format':1,'id':'_a'}", DB_EINVAL, "t.json: id: must match ^[a-z][a-z0-9_]{0,31}$"},
    {"{'format':1,'id':7}", DB_EINVAL, "t.json: id: must be a string"},
    {"{'format':1,'id':'s','version':0}", DB_EINVAL,
     "t.json: version: must be between 1 and 4294967295"},
    {"{'format':1,'id':'s','version':4294967296}", DB_EINVAL,
     "t.json: version: must be between 1 and 4294967295"},
    {"{'format':1,'id':'s','version':1}", DB_EINVAL, "t.json: missing key \"languages\""},
    {"{'format':1,'id':'s','version':1,'languages':{}}", DB_EINVAL,
     "t.json: languages: must be an array"},
    {"{'format':1,'id':'s','version':1,'languages':[]}", DB_EINVAL,
     "t.json: languages: must not be empty"},
    {"{'format':1,'id':'s','version':1,'languages':[1,2,3,4,5,6,7,8,9]}", DB_EINVAL,
     "t.json: languages: has 9 languages, more than the limit of 8"},
    {"{'format':1,'id':'s','version':1,'languages':['en']}", DB_EINVAL,
     "t.json: languages[0]: must be an object"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'EN','name':'E'}]}", DB_EINVAL,
     "t.json: languages[0].code: must be a language tag such as \"en\" or \"pt-BR\""},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en-','name':'E'}]}", DB_EINVAL,
     "t.json: languages[0].code: must be a language tag such as \"en\" or \"pt-BR\""},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'},"
     "{'code':'en','name':'F'}]}",
     DB_EINVAL, "t.json: languages[1].code: duplicate language \"en\""},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E','dir':'ltr'}]}",
     DB_EINVAL, "t.json: languages[0].dir: unknown key"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en'}]}", DB_EINVAL,
     "t.json: languages[0]: missing key \"name\""},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E','keyboard':'dvorak'}]}",
     DB_EINVAL, "t.json: languages[0].keyboard: must be \"qwerty\", \"qwertz\" or \"azerty\""},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E','keyboard':1}]}",
     DB_EINVAL, "t.json: languages[0].keyboard: must be \"qwerty\", \"qwertz\" or \"azerty\""},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'a\\nb'}]}", DB_EINVAL,
     "t.json: languages[0].name: contains a control character"},
    /* texts */
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],'title':''}",
     DB_EINVAL, "t.json: title: must not be empty"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],'title':3}",
     DB_EINVAL, "t.json: title: must be a string or an object of translations"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],'title':'a\\tb'}",
     DB_EINVAL, "t.json: title: contains a control character (only line breaks are allowed)"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],"
     "'title':'a\\u0085b'}",
     DB_EINVAL, "t.json: title: contains a control character (only line breaks are allowed)"},
    /* jansson refuses lone surrogates and NUL before the schema sees them */
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],"
     "'title':'a\\ud800'}",
     DB_EINVAL, "t.json:1:89: invalid Unicode '\\uD800' near '\"a\\ud800\"'"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],"
     "'title':'a\\u0000'}",
     DB_EINVAL, "t.json:1:89: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000\"'"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],"
     "'title':{'en':'T','fr':'T'}}",
     DB_EINVAL, "t.json: title.fr: not a language of this survey"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],"
     "'title':{'en':['T']}}",
     DB_EINVAL, "t.json: title.en: must be a string"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'},"
     "{'code':'de','name':'D'}],'title':'T'}",
     DB_EINVAL,
     "t.json: title: a plain string is allowed only in a one-language survey; give an object "
     "with a string for each language"},
    {"{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'},"
     "{'code':'de','name':'D'}],'title':{'en':'T'}}",
     DB_EINVAL, "t.json: title: missing translation for \"de\""},
    {HEAD2 "'sections':[{'id':'a','title':{'de':'A','en':'A'},'questions':[{'id':'q1',"
           "'type':'single','text':{'en':'Q','de':'Q'},'options':[{'id':'x','text':{'en':'X'}},"
           "{'id':'y','text':{'en':'Y','de':'Y'}}]}]}]}",
     DB_EINVAL, Q0 ".options[0].text: missing translation for \"de\""},
    {HEAD "'prefer_not_label':1," SEC(LIK), DB_EINVAL,
     "t.json: prefer_not_label: must be a string or an object of translations"},
    /* the built-in "prefer not to answer" label is English only */
    {HEAD2 "'sections':[{'id':'a','title':{'de':'A','en':'A'},'questions':[{'id':'q1',"
           "'type':'text','text':{'en':'Q','de':'Q'},'max_length':5,'prefer_not':true}]}]}",
     DB_EINVAL,
     "t.json: prefer_not_label: missing translation for \"de\" (the built-in label is English)"},
    /* sections */
    {HEAD "'sections':[]}", DB_EINVAL, "t.json: sections: must not be empty"},
    {HEAD "'sections':{}}", DB_EINVAL, "t.json: sections: must be an array"},
    {HEAD "'sections':[7]}", DB_EINVAL, "t.json: sections[0]: must be an object"},
    {HEAD "'sections':[{'id':'a','title':'A','questions':[]}]}", DB_EINVAL,
     "t.json: sections[0].questions: must not be empty"},
    {HEAD "'sections':[{'id':'a','title':'A'}]}", DB_EINVAL,
     "t.json: sections[0]: missing key \"questions\""},
    {HEAD "'sections':[{'id':'a','title':'A','questions':[" LIK "]},"
          "{'id':'a','title':'B','questions':[" SGL "]}]}",
     DB_EINVAL, "t.json: sections[1].id: duplicate section id \"a\""},
    {HEAD "'sections':[{'id':'a','title':'A','outro':'B','questions':[" LIK "]}]}", DB_EINVAL,
     "t.json: sections[0].outro: unknown key"},
    /* questions */
    {HEAD SEC("{'id':'q1','text':'Q'}"), DB_EINVAL, Q0 ": missing key \"type\""},
    {HEAD SEC("{'id':'q1','type':'slider','text':'Q'}"), DB_EINVAL,
     Q0 ".type: must be one of \"likert\", \"single\", \"multi\", \"text\""},
    {HEAD SEC("{'id':'q1','type':'text','text':'Q','max_length':5,'colour':'red'}"), DB_EINVAL,
     Q0 ".colour: unknown key"},
    {HEAD SEC("{'id':'q1','type':'single','text':'Q','scale':5," OPTS2 "}"), DB_EINVAL,
     Q0 ".scale: not used by a single question"},
    {HEAD SEC("{'id':'Q1','type':'text','text':'Q','max_length':5}"), DB_EINVAL,
     Q0 ".id: must match ^[a-z][a-z0-9_]{0,31}$"},
    {HEAD SEC("{'type':'text','text':'Q','max_length':5}"), DB_EINVAL, Q0 ": missing key \"id\""},
    {HEAD SEC("{'id':'q1','type':'text','max_length':5}"), DB_EINVAL, Q0 ": missing key \"text\""},
    {HEAD "'sections':[{'id':'a','title':'A','questions':[" LIK "]},"
          "{'id':'b','title':'B','questions':[" LIK "]}]}",
     DB_EINVAL, "t.json: sections[1].questions[0].id: duplicate question id \"q1\""},
    {HEAD SEC("{'id':'q1','type':'text','text':'Q','max_length':5,'required':'yes'}"), DB_EINVAL,
     Q0 ".required: must be true or false"},
    {HEAD SEC("{'id':'q1','type':'text','text':'Q','max_length':5,'prefer_not':1}"), DB_EINVAL,
     Q0 ".prefer_not: must be true or false"},
    {HEAD SEC("{'id':'q1','type':'text','text':'Q','help':'','max_length':5}"), DB_EINVAL,
     Q0 ".help: must not be empty"},
    /* likert */
    {HEAD SEC("{'id':'q1','type':'likert','text':'Q','scale':6,'anchors':[]}"), DB_EINVAL,
     Q0 ".scale: must be 5 or 7"},
    {HEAD SEC("{'id':'q1','type':'likert','text':'Q','scale':3,'anchors':[]}"), DB_EINVAL,
     Q0 ".scale: must be 5 or 7"},
    {HEAD SEC("{'id':'q1','type':'likert','text':'Q','anchors':[]}"), DB_EINVAL,
     Q0 ": missing key \"scale\""},
    {HEAD SEC("{'id':'q1','type':'likert','text':'Q','scale':5,'anchors':['1','2','3','4']}"),
     DB_EINVAL, Q0 ".anchors: has 4 labels; scale 5 needs 5"},
    {HEAD SEC("{'id':'q1','type':'likert','text':'Q','scale':5,'anchors':['1','2','3','4',5]}"),
     DB_EINVAL, Q0 ".anchors[4]: must be a string or an object of translations"},
    /* options */
    {HEAD SEC("{'id':'q1','type':'single','text':'Q','options':[{'id':'x','text':'X'}]}"),
     DB_EINVAL, Q0 ".options: must have 2 to 16 options (has 1)"},
    {HEAD SEC("{'id':'q1','type':'single','text':'Q'}"), DB_EINVAL, Q0 ": missing key \"options\""},
    {HEAD SEC("{'id':'q1','type':'single','text':'Q','options':[{'id':'x','text':'X'},"
              "{'id':'x','text':'Y'}]}"),
     DB_EINVAL, Q0 ".options[1].id: duplicate option id \"x\""},
    {HEAD SEC("{'id':'q1','type':'single','text':'Q','options':[{'id':'x','text':'X'},"
              "{'id':'y','text':'Y','value':2}]}"),
     DB_EINVAL, Q0 ".options[1].value: unknown key"},
    {HEAD SEC("{'id':'q1','type':'multi','text':'Q'," OPTS2 ",'min':3}"), DB_EINVAL,
     Q0 ".min: must be between 0 and 2"},
    {HEAD SEC("{'id':'q1','type':'multi','text':'Q'," OPTS2 ",'max':0}"), DB_EINVAL,
     Q0 ".max: must be between 1 and 2"},
    {HEAD SEC("{'id':'q1','type':'multi','text':'Q'," OPTS2 ",'min':2,'max':1}"), DB_EINVAL,
     Q0 ".max: min (2) must not be greater than max (1)"},
    {HEAD SEC("{'id':'q1','type':'single','text':'Q'," OPTS2 ",'max':1}"), DB_EINVAL,
     Q0 ".max: not used by a single question"},
    /* text */
    {HEAD SEC("{'id':'q1','type':'text','text':'Q','max_length':0}"), DB_EINVAL,
     Q0 ".max_length: must be between 1 and 1000"},
    {HEAD SEC("{'id':'q1','type':'text','text':'Q','max_length':1001}"), DB_EINVAL,
     Q0 ".max_length: must be between 1 and 1000"},
    {HEAD SEC("{'id':'q1','type':'text','text':'Q'}"), DB_EINVAL,
     Q0 ": missing key \"max_length\""},
    /* show_if */
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'nope','any_of':['x']}}"),
     DB_EINVAL, Q1 ".show_if.question: no question \"nope\""},
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q3','any_of':['x']}}"),
     DB_EINVAL, Q1 ".show_if.question: a question cannot depend on itself"},
    {HEAD SEC("{'id':'q3','type':'text','text':'Q','max_length':5,"
              "'show_if':{'question':'q2','any_of':['x']}}," SGL),
     DB_EINVAL,
     Q0 ".show_if.question: \"q2\" comes later; show_if must refer to an earlier question"},
    {HEAD SEC(TXT ",{'id':'q4','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q3','any_of':['x']}}"),
     DB_EINVAL,
     Q1 ".show_if.question: \"q3\" is a text question; show_if needs a likert or choice question"},
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q2','any_of':['x','z']}}"),
     DB_EINVAL, Q1 ".show_if.any_of[1]: \"z\" is not an option of \"q2\""},
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q2','any_of':[1]}}"),
     DB_EINVAL, Q1 ".show_if.any_of[0]: must be an option id of \"q2\""},
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q2','any_of':['x','x']}}"),
     DB_EINVAL, Q1 ".show_if.any_of[1]: duplicate value"},
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q2','any_of':[]}}"),
     DB_EINVAL, Q1 ".show_if.any_of: must not be empty"},
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q2'}}"),
     DB_EINVAL, Q1 ".show_if: missing key \"any_of\""},
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q2','any_of':['x'],'none_of':['y']}}"),
     DB_EINVAL, Q1 ".show_if.none_of: unknown key"},
    {HEAD SEC(SGL ",{'id':'q3','type':'text','text':'Q','max_length':5,'show_if':'q2'}"), DB_EINVAL,
     Q1 ".show_if: must be an object"},
    {HEAD SEC(LIK ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q1','any_of':[4,6]}}"),
     DB_EINVAL, Q1 ".show_if.any_of[1]: must be an integer between 1 and 5"},
    {HEAD SEC(LIK ",{'id':'q3','type':'text','text':'Q','max_length':5,"
                  "'show_if':{'question':'q1','any_of':['4']}}"),
     DB_EINVAL, Q1 ".show_if.any_of[0]: must be an integer between 1 and 5"},
    /* An unknown key path names the (sanitised) key. */
    {HEAD SEC("{'id':'q1','type':'text','text':'Q','max_length':5,'a\\nb':1}"), DB_EINVAL,
     Q0 ".a?b: unknown key"},
};

static void test_bad_surveys(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        Survey *s = (Survey *)1;
        DbError err;
        int rc = load_sq(bad_cases[i].json, &s, &err);
        if (rc != bad_cases[i].code)
            fprintf(stderr, "case %zu: rc %d\n", i, rc);
        CHECK(rc == bad_cases[i].code);
        CHECK(err.code == rc);
        CHECK(s == NULL);
        if (strcmp(err.msg, bad_cases[i].msg) != 0)
            fprintf(stderr, "case %zu:\n", i);
        CHECK_STR(err.msg, bad_cases[i].msg);
    }
}

/* Limits that need large generated documents. */
static void test_limits(void)
{
    Survey *s;
    DbError err;
    Buf b = {0};

    /* 33 sections */
    buf_add(&b, HEAD "'sections':[");
    for (int i = 0; i < 33; i++) {
        char sec[128];
        snprintf(sec, sizeof sec, "%s{'id':'s%d','title':'A','questions':[%s]}", i ? "," : "", i,
                 "{'id':'q','type':'text','text':'Q','max_length':1}");
        buf_add(&b, sec);
    }
    buf_add(&b, "]}");
    CHECK(load_sq(b.p, &s, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "t.json: sections: has 33 sections, more than the limit of 32");

    /* 129 questions over two sections */
    b.len = 0;
    buf_add(&b, HEAD "'sections':[{'id':'a','title':'A','questions':[");
    for (int i = 0; i < 129; i++) {
        char q[128];
        if (i == 100)
            buf_add(&b, "]},{'id':'b','title':'B','questions':[");
        snprintf(q, sizeof q,
                 "%s{'id':'q%d','type':'likert','text':'Q','scale':5,"
                 "'anchors':['1','2','3','4','5']}",
                 i && i != 100 ? "," : "", i);
        buf_add(&b, q);
    }
    buf_add(&b, "]}]}");
    CHECK(load_sq(b.p, &s, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "t.json: sections[1].questions[28]: more than 128 questions in the survey");

    /* 128 questions are fine */
    char *cut = strstr(b.p, ",{'id':'q128'");
    CHECK(cut != NULL);
    if (cut) {
        memcpy(cut, "]}]}", 5);
        CHECK(load_sq(b.p, &s, &err) == DB_OK);
        if (s)
            CHECK(s->n_questions == 128 && s->sections[1].n_questions == 28);
        survey_free(s);
    }

    /* 17 options */
    b.len = 0;
    buf_add(&b, HEAD "'sections':[{'id':'a','title':'A','questions':[{'id':'q','type':'single',"
                     "'text':'Q','options':[");
    for (int i = 0; i < 17; i++) {
        char o[64];
        snprintf(o, sizeof o, "%s{'id':'o%d','text':'O'}", i ? "," : "", i);
        buf_add(&b, o);
    }
    buf_add(&b, "]}]}]}");
    CHECK(load_sq(b.p, &s, &err) == DB_EINVAL);
    CHECK_STR(err.msg, Q0 ".options: must have 2 to 16 options (has 17)");

    /* A string of 1001 bytes (1000 is fine); the limit counts bytes, not characters. */
    char title[1100];
    for (int len = 1000; len <= 1001; len++) {
        memset(title, 'a', (size_t)len);
        title[len] = '\0';
        b.len = 0;
        buf_add(&b, "{'format':1,'id':'s','version':1,'languages':[{'code':'en','name':'E'}],"
                    "'title':'");
        buf_add(&b, title);
        buf_add(&b, "'}");
        CHECK(load_sq(b.p, &s, &err) == DB_EINVAL);
        CHECK_STR(err.msg, len == 1000 ? "t.json: missing key \"intro\""
                                       : "t.json: title: is 1001 bytes, longer than the limit "
                                         "of 1000");
    }

    /* Answer labels sit on buttons: 120 bytes is fine, 121 is not, for options and anchors. */
    char label[200];
    for (int len = 120; len <= 121; len++) {
        memset(label, 'x', (size_t)len);
        label[len] = '\0';
        b.len = 0;
        buf_add(&b, HEAD "'sections':[{'id':'a','title':'A','questions':[{'id':'q','type':'single',"
                         "'text':'Q','options':[{'id':'a','text':'A'},{'id':'b','text':'");
        buf_add(&b, label);
        buf_add(&b, "'}]}]}]}");
        int rc = load_sq(b.p, &s, &err);
        if (len == 120) {
            CHECK(rc == DB_OK);
            survey_free(s);
        } else {
            CHECK(rc == DB_EINVAL);
            CHECK_STR(err.msg, Q0 ".options[1].text: is 121 bytes, longer than the limit of 120 "
                                  "for an answer label");
        }
        b.len = 0;
        buf_add(&b, HEAD "'sections':[{'id':'a','title':'A','questions':[{'id':'q','type':'likert',"
                         "'text':'Q','scale':5,'anchors':['1','2','3','4','");
        buf_add(&b, label);
        buf_add(&b, "']}]}]}");
        rc = load_sq(b.p, &s, &err);
        if (len == 120) {
            CHECK(rc == DB_OK);
            survey_free(s);
        } else {
            CHECK(rc == DB_EINVAL);
            CHECK_STR(err.msg, Q0 ".anchors[4]: is 121 bytes, longer than the limit of 120 for "
                                  "an answer label");
        }
    }

    /* The largest response must fit 64 KiB - 1: 16 texts of 1000 characters do not. */
    b.len = 0;
    buf_add(&b, HEAD "'sections':[{'id':'a','title':'A','questions':[");
    for (int i = 0; i < 17; i++) {
        char q[128];
        snprintf(q, sizeof q, "%s{'id':'q%d','type':'text','text':'Q','max_length':1000}",
                 i ? "," : "", i);
        buf_add(&b, q);
    }
    buf_add(&b, "]}]}");
    CHECK(load_sq(b.p, &s, &err) == DB_ELIMIT);
    /* header 92 + 17 * (1 + 2 or 3 + 1 + 1 + 2 + 4000) */
    CHECK_STR(err.msg, "t.json: the largest possible response is 68218 bytes, more than the "
                       "limit of 65535; lower max_length or remove questions");

    /* A file over SURVEY_MAX_FILE_BYTES is refused before parsing. */
    char *big = calloc(1, SURVEY_MAX_FILE_BYTES + 2);
    memset(big, ' ', SURVEY_MAX_FILE_BYTES + 1);
    CHECK(survey_load_buffer("big.json", big, SURVEY_MAX_FILE_BYTES + 1, &s, &err) == DB_ELIMIT);
    CHECK_STR(err.msg, "big.json: file is 262145 bytes, more than the limit of 262144");
    free(big);
    free(b.p);
}

static void test_minimal_defaults(void)
{
    Survey *s = NULL;
    DbError err;
    CHECK(load_sq(HEAD SEC(LIK "," SGL ",{'id':'q4','type':'multi','text':'Q'," OPTS2
                               ",'help':'H','required':true}," TXT),
                  &s, &err) == DB_OK);
    if (!s)
        return;
    CHECK_STR(s->id, "s");
    CHECK(s->version == 1 && s->n_langs == 1 && s->n_sections == 1 && s->n_questions == 4);
    CHECK_STR(survey_text(&s->prefer_not_label, 0), "Prefer not to answer");
    CHECK_STR(survey_text(&s->title, 5), "T"); /* out of range falls back to the first */
    const SurveyQuestion *q1 = &s->questions[0], *q4 = &s->questions[2];
    CHECK(q1->kind == SURVEY_LIKERT && q1->scale == 5 && !q1->required && !q1->prefer_not);
    CHECK(q1->help.s[0] == NULL);
    CHECK_STR(survey_text(&q1->help, 0), "");
    CHECK_STR(survey_text(&q1->anchors[4], 0), "5");
    CHECK(q1->show_if_question == -1);
    CHECK(q4->kind == SURVEY_MULTI && q4->min_choices == 0 && q4->max_choices == 2 && q4->required);
    CHECK_STR(survey_text(&q4->help, 0), "H");
    CHECK(s->questions[3].max_length == 10);
    CHECK(survey_find_question(s, "q4") == 2 && survey_find_question(s, "q9") == -1);
    CHECK(survey_find_lang(s, "en") == 0 && survey_find_lang(s, "de") == -1);
    CHECK(survey_find_option(q4, "y") == 1 && survey_find_option(q4, "z") == -1);
    CHECK(s->sections[0].first_question == 0 && s->sections[0].n_questions == 4);
    CHECK(s->sections[0].intro.s[0] == NULL);
    survey_free(s);
    survey_free(NULL);

    /* A line break is allowed in visible texts; escapes decode to UTF-8. */
    CHECK(load_sq("{'format':1,'id':'s','version':1,'languages':[{'code':'pt-BR','name':'P'}],"
                  "'title':'a\\nb','intro':'\\u00e9','thanks':'X','prefer_not_label':'N'," SEC(LIK),
                  &s, &err) == DB_OK);
    if (s) {
        CHECK_STR(survey_text(&s->title, 0), "a\nb");
        CHECK_STR(survey_text(&s->intro, 0), "\xc3\xa9");
        CHECK_STR(survey_text(&s->prefer_not_label, 0), "N");
    }
    survey_free(s);
    /* A non-English survey needs no label when no question offers "prefer not". */
    CHECK(load_sq("{'format':1,'id':'s','version':1,'languages':[{'code':'fr','name':'F'}],"
                  "'title':'T','intro':'I','thanks':'X'," SEC(LIK),
                  &s, &err) == DB_OK);
    survey_free(s);
}

static void test_show_if_masks(void)
{
    Survey *s = NULL;
    DbError err;
    CHECK(load_sq(HEAD SEC(LIK "," SGL ",{'id':'q4','type':'multi','text':'Q'," OPTS2 "},"
                               "{'id':'a','type':'text','text':'Q','max_length':5,"
                               "'show_if':{'question':'q1','any_of':[5,1]}},"
                               "{'id':'b','type':'text','text':'Q','max_length':5,"
                               "'show_if':{'question':'q2','any_of':['y']}},"
                               "{'id':'c','type':'text','text':'Q','max_length':5,"
                               "'show_if':{'question':'q4','any_of':['x','y']}}"),
                  &s, &err) == DB_OK);
    if (!s)
        return;
    CHECK(s->questions[3].show_if_question == 0 && s->questions[3].show_if_mask == 0x11);
    CHECK(s->questions[4].show_if_question == 1 && s->questions[4].show_if_mask == 0x2);
    CHECK(s->questions[5].show_if_question == 2 && s->questions[5].show_if_mask == 0x3);
    survey_free(s);
}

static void test_record_size(void)
{
    /* Header for survey id "s", language "en": 4 magic + 1 version + 2 id + 4 version +
     * 3 lang + 65 label + 11 date + 2 count = 92. A text question "q3" of max_length L adds
     * 1 + 2 (id) + 1 state + 1 kind + 2 length + 4L. */
    static const struct {
        int max_length;
        size_t max_encoding, record_size;
    } cases[] = {
        {1, 92 + 7 + 4, 1024},
        {231, 92 + 7 + 924, 1024}, /* 1023 bytes + 1 byte of padding = 1024 */
        {232, 92 + 7 + 928, 2048}, /* 1027 */
        {1000, 92 + 7 + 4000, 5120}, /* 4099 + 1: whole KiB, not a power of two */
        {997, 92 + 7 + 3988, 4096},  /* 4087 + 1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 HEAD SEC("{'id':'q3','type':'text','text':'Q','max_length':%d}"),
                 cases[i].max_length);
        Survey *s = NULL;
        DbError err;
        CHECK(load_sq(json, &s, &err) == DB_OK);
        if (!s)
            continue;
        CHECK(survey_max_encoding(s) == cases[i].max_encoding);
        CHECK(s->record_size == cases[i].record_size);
        survey_free(s);
    }

    /* Choices: single counts its longest option id, multi its max longest ids. */
    Survey *s = NULL;
    DbError err;
    CHECK(load_sq(HEAD SEC("{'id':'m','type':'multi','text':'Q','max':2,'options':["
                           "{'id':'a','text':'A'},{'id':'bbb','text':'B'},{'id':'cc','text':'C'}]},"
                           "{'id':'n','type':'single','text':'Q','options':["
                           "{'id':'a','text':'A'},{'id':'bbbb','text':'B'}]}," LIK),
                  &s, &err) == DB_OK);
    if (s) {
        /* m: 2 + 1 + 1 + 1 (count) + 4 + 3 = 12; n: 2 + 1 + 1 + 5 = 9; q1: 3 + 1 + 1 + 1 = 6 */
        CHECK(survey_max_encoding(s) == 92 + 12 + 9 + 6);
        CHECK(s->record_size == 1024);
    }
    survey_free(s);
}

static void path_in_src(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", src_dir, rel);
}

static void test_ccdg(void)
{
    char path[1024];
    path_in_src(path, sizeof path, "assets/surveys/ccdg.json");
    Survey *s = NULL;
    DbError err;
    int rc = survey_load_file(path, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(rc == DB_OK);
    if (!s)
        return;
    CHECK_STR(s->id, "ccdg");
    CHECK(s->n_langs == 2 && survey_find_lang(s, "de") == 1);
    CHECK(s->n_sections == 5 && s->n_questions == 20);
    /* Every text exists in both languages. */
    for (int q = 0; q < s->n_questions; q++)
        CHECK(s->questions[q].text.s[0] && s->questions[q].text.s[1]);
    int qi = survey_find_question(s, "isolation_addressed");
    int ci = survey_find_question(s, "isolation");
    CHECK(qi == ci + 1 && s->questions[qi].show_if_question == ci);
    /* mild, moderate, serious; not "not a challenge" */
    CHECK(s->questions[qi].show_if_mask == 0xE);
    CHECK_STR(survey_text(&s->questions[qi].options[1].text, 1), "Teilweise");
    CHECK(s->questions[survey_find_question(s, "unique")].max_length == 500);
    CHECK_STR(survey_text(&s->prefer_not_label, 1), "Keine Angabe");
    CHECK(s->record_size == 5120);

    /* The summary, byte for byte. */
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    survey_print_summary(s, "ccdg.json", out);
    fclose(out);
    CHECK_STR(text, "ccdg.json: survey \"ccdg\" version 1: Clinical Case Discussion Group: "
                    "participant survey\n"
                    "  languages: en (English), de (Deutsch)\n"
                    "  5 sections, 20 questions: 8 likert, 10 single, 2 text\n"
                    "    skills                5: 5 likert\n"
                    "    relevance             3: 3 likert\n"
                    "    challenges            6: 6 single\n"
                    "    about                 4: 4 single\n"
                    "    comments              2: 2 text\n"
                    "  required: 0, prefer-not offered: 18, show-if: 3\n"
                    "  record size: 5120 bytes (largest response 4605 bytes)\n");
    free(text);
    survey_free(s);
}

/* The complete example in docs/SURVEY_FORMAT.md must stay valid. */
static void test_doc_example(void)
{
    char path[1024];
    path_in_src(path, sizeof path, "docs/SURVEY_FORMAT.md");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    char *start = strstr(doc, "```json\n");
    char *end = start ? strstr(start + 8, "\n```") : NULL;
    CHECK(start && end);
    if (!start || !end)
        return;
    start += 8;
    Survey *s = NULL;
    DbError err;
    int rc = survey_load_buffer("SURVEY_FORMAT.md", start, (size_t)(end - start), &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(rc == DB_OK);
    if (s) {
        CHECK(s->n_langs == 2 && s->n_questions == 4 && s->questions[1].show_if_question == 0);
        CHECK(s->questions[3].min_choices == 1 && s->questions[3].max_choices == 2);
    }
    survey_free(s);
}

/* Fixture files: tests/data/surveys/{good,bad}. */
static void test_fixtures(void)
{
    static const struct {
        const char *file;
        int code;
        const char *msg; /* after the path */
    } cases[] = {
        {"bad/syntax.json", DB_EINVAL, ":7:5: unexpected token near ']'"},
        {"bad/invalid_utf8.json", DB_EINVAL, ":3:9: unable to decode byte 0xff near '\"'"},
        {"bad/show_if_later.json", DB_EINVAL,
         ": sections[0].questions[0].show_if.question: \"gender\" comes later; show_if must "
         "refer to an earlier question"},
        {"bad/missing_translation.json", DB_EINVAL,
         ": sections[0].questions[0].anchors[2]: missing translation for \"fr\""},
        {"missing.json", DB_ENOENT, NULL},
        {"good/two_languages.json", DB_OK, NULL},
        {"good/one_language.json", DB_OK, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[256], path[1024], expected[1536];
        snprintf(rel, sizeof rel, "tests/data/surveys/%s", cases[i].file);
        path_in_src(path, sizeof path, rel);
        Survey *s = NULL;
        DbError err;
        int rc = survey_load_file(path, &s, &err);
        CHECK(rc == cases[i].code);
        if (rc != cases[i].code)
            fprintf(stderr, "%s: rc %d: %s\n", cases[i].file, rc, err.msg);
        if (cases[i].msg) {
            snprintf(expected, sizeof expected, "%s%s", path, cases[i].msg);
            CHECK_STR(err.msg, expected);
        }
        CHECK((rc == DB_OK) == (s != NULL));
        survey_free(s);
    }
}

/* A small deterministic generator (tests must not use rand()). */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

/* The loader must survive anything: every truncation and random corruption of a real
 * survey either loads or fails with a message. */
static void test_robustness(void)
{
    char path[1024];
    path_in_src(path, sizeof path, "tests/data/surveys/good/one_language.json");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char data[SURVEY_MAX_FILE_BYTES];
    size_t len = fread(data, 1, sizeof data, f);
    fclose(f);
    int failures = 0, loaded = 0;
    for (size_t cut = 0; cut < len; cut++) {
        Survey *s = NULL;
        DbError err;
        if (survey_load_buffer("cut.json", data, cut, &s, &err) == DB_OK)
            loaded++;
        else if (err.msg[0] == '\0' || s != NULL || strchr(err.msg, '\n'))
            failures++;
        survey_free(s);
    }
    CHECK(failures == 0);
    CHECK(loaded == 1); /* only dropping the final newline keeps the object whole */
    static char mutated[SURVEY_MAX_FILE_BYTES];
    static const char tokens[] = "{}[]\",:0123456789-.eE \\tfnu\x80\xff\x01";
    int ok = 0;
    for (int iter = 0; iter < 4000; iter++) {
        memcpy(mutated, data, len);
        int flips = 1 + (int)(rng() % 4);
        for (int k = 0; k < flips; k++)
            mutated[rng() % len] = tokens[rng() % (sizeof tokens - 1)];
        Survey *s = NULL;
        DbError err;
        int rc = survey_load_buffer("mut.json", mutated, len, &s, &err);
        if (rc == DB_OK) {
            ok++;
            CHECK(s && s->record_size >= 1024);
        } else if (err.msg[0] == '\0' || s != NULL || strchr(err.msg, '\n')) {
            failures++;
        }
        survey_free(s);
    }
    CHECK(failures == 0);
    CHECK(ok > 0); /* some mutations land in harmless places */
}

int main(void)
{
    const char *dir = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(src_dir, sizeof src_dir, "%s", dir ? dir : "..");
    if (secmem_init() != 0)
        return 1;
    RUN(test_bad_surveys);
    RUN(test_limits);
    RUN(test_minimal_defaults);
    RUN(test_show_if_masks);
    RUN(test_record_size);
    RUN(test_ccdg);
    RUN(test_doc_example);
    RUN(test_fixtures);
    RUN(test_robustness);
    return test_report();
}
