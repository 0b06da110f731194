/* fuzz_answers: the response model driven by arbitrary answer sequences (app/survey/response.h)
 * — what a participant can do on the kiosk, checked against what the analysis side reads.
 *
 * The input picks a survey and a language, then is read as steps (operation, question, value):
 * set a Likert value, pick or toggle an option, type a text taken from the input, decline,
 * unset. Setters may refuse (DB_EINVAL) but never crash. Whatever the answers, the response
 * must encode into record_size - 1 bytes, the same bytes twice, decode, and pass
 * response_decoded_check whenever response_first_incomplete says it is complete; the decoded
 * Likert values and single choices are the ones that were set.
 */
#include <string.h>

#include "fuzz_support.h"
#include "response.h"
#include "survey.h"

/* The known-answer survey of docs/FORMAT.md, made stricter: required questions, a show-if on a
 * Likert value, a multi choice with a minimum. */
static const char KAT_SURVEY[] =
    "{\"format\":1,\"id\":\"kat\",\"version\":7,\"languages\":[{\"code\":\"en\",\"name\":"
    "\"English\"}],\"title\":\"T\",\"intro\":\"I\","
    "\"thanks\":\"X\",\"sections\":[{\"id\":\"a\",\"title\":\"A\",\"questions\":["
    "{\"id\":\"l\",\"type\":\"likert\",\"text\":\"Q\",\"scale\":7,\"anchors\":[\"1\",\"2\","
    "\"3\",\"4\",\"5\",\"6\",\"7\"],\"prefer_not\":true,\"required\":true},"
    "{\"id\":\"s\",\"type\":\"single\",\"text\":\"Q\",\"prefer_not\":true,\"options\":[{\"id\":"
    "\"no\",\"text\":\"No\"},{\"id\":\"yes\",\"text\":\"Yes\"}]},"
    "{\"id\":\"f\",\"type\":\"single\",\"text\":\"Q\",\"required\":true,\"options\":[{\"id\":"
    "\"no\",\"text\":\"N\"},{\"id\":\"yes\",\"text\":\"Y\"}],\"show_if\":{\"question\":\"s\","
    "\"any_of\":[\"yes\"]}},"
    "{\"id\":\"m\",\"type\":\"multi\",\"text\":\"Q\",\"min\":2,\"max\":3,\"options\":[{\"id\":"
    "\"a\",\"text\":\"A\"},{\"id\":\"b\",\"text\":\"B\"},{\"id\":\"c\",\"text\":\"C\"},{\"id\":"
    "\"d\",\"text\":\"D\"}],\"show_if\":{\"question\":\"l\",\"any_of\":[1,2,7]}},"
    "{\"id\":\"t\",\"type\":\"text\",\"text\":\"Q\",\"max_length\":10,\"prefer_not\":true}]}]}";

static const char *const SURVEY_FILES[] = {
    "assets/surveys/ccdg.json",
    "tests/data/surveys/good/one_language.json",
    "tests/data/surveys/good/two_languages.json",
};
#define N_FILES (sizeof SURVEY_FILES / sizeof SURVEY_FILES[0])
static Survey *g_surveys[N_FILES + 1];
static int g_n;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    DbError err;
    for (size_t i = 0; i < N_FILES; i++) {
        size_t len;
        uint8_t *d = fuzz_read_source_file(SURVEY_FILES[i], &len);
        if (survey_load_buffer(SURVEY_FILES[i], (const char *)d, len, &g_surveys[g_n], &err) !=
            DB_OK) {
            fprintf(stderr, "fuzz set-up: %s\n", err.msg);
            exit(1);
        }
        g_n++;
        free(d);
    }
    if (survey_load_buffer("kat.json", KAT_SURVEY, strlen(KAT_SURVEY), &g_surveys[g_n], &err) !=
        DB_OK) {
        fprintf(stderr, "fuzz set-up: %s\n", err.msg);
        exit(1);
    }
    g_n++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const Survey *s = g_surveys[data[0] % g_n];
    int lang = data[1] % s->n_langs;
    data += 2;
    size -= 2;
    Response *r = NULL;
    DbError err;
    FUZZ_ASSERT(response_new(s, lang, &r, &err) == DB_OK);
    char text[64 + 1];
    while (size >= 3) {
        int op = data[0] % 6, q = data[1] % s->n_questions, v = data[2];
        data += 3;
        size -= 3;
        int rc = DB_OK;
        switch (op) {
        case 0:
            rc = response_set_likert(r, q, v % 9 - 1, &err);
            break;
        case 1:
            rc = response_set_single(r, q, v % 18 - 1, &err);
            break;
        case 2:
            rc = response_toggle_multi(r, q, v % 18 - 1, &err);
            break;
        case 3: {
            size_t n = (size_t)(v % 65);
            if (n > size)
                n = size;
            memcpy(text, data, n);
            text[n] = '\0';
            data += n;
            size -= n;
            rc = response_set_text(r, q, text, &err);
            break;
        }
        case 4:
            rc = response_decline(r, q, &err);
            break;
        default:
            response_unset(r, q);
        }
        FUZZ_ASSERT(rc == DB_OK || rc == DB_EINVAL);
    }

    ResponseContext ctx = {"Group 1", "2024-02-29"};
    size_t cap = s->record_size - 1, len = 0, len2 = 0;
    uint8_t *enc = malloc(cap), *enc2 = malloc(cap);
    FUZZ_ASSERT(enc && enc2);
    int rc = response_encode(r, &ctx, enc, cap, &len, &err);
    if (rc != DB_OK)
        fprintf(stderr, "encode: %s\n", err.msg);
    FUZZ_ASSERT(rc == DB_OK);
    FUZZ_ASSERT(response_encode(r, &ctx, enc2, cap, &len2, &err) == DB_OK);
    FUZZ_ASSERT(len == len2 && memcmp(enc, enc2, len) == 0);

    DecodedResponse *d = NULL;
    rc = response_decode(enc, len, &d, &err);
    if (rc != DB_OK)
        fprintf(stderr, "decode: %s\n", err.msg);
    FUZZ_ASSERT(rc == DB_OK);
    FUZZ_ASSERT(d->n_answers == s->n_questions);
    int complete = response_first_incomplete(r) == -1;
    rc = response_decoded_check(d, s, &err);
    /* Only one way: the encoder writes an answer that breaks the rules (a multiple choice
     * below its minimum, still being ticked) as "none", so an incomplete response may still
     * encode to one that checks. The kiosk submits only complete responses. */
    if (complete && rc != DB_OK)
        fprintf(stderr, "complete, but check: %s\n", err.msg);
    FUZZ_ASSERT(!complete || rc == DB_OK);
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        const Answer *a = &r->answers[q];
        const DecodedAnswer *da = &d->answers[q];
        FUZZ_ASSERT(strcmp(da->question_id, sq->id) == 0);
        if (!response_visible(r, q)) {
            FUZZ_ASSERT(da->state == ANSWER_NONE);
            continue;
        }
        if (a->state == ANSWER_DECLINED)
            FUZZ_ASSERT(da->state == ANSWER_DECLINED);
        if (a->state != ANSWER_GIVEN)
            continue;
        if (sq->kind == SURVEY_LIKERT)
            FUZZ_ASSERT(da->state == ANSWER_GIVEN && da->likert == a->value);
        if (sq->kind == SURVEY_SINGLE)
            FUZZ_ASSERT(da->state == ANSWER_GIVEN && da->n_options == 1 &&
                        strcmp(da->option_ids[0], sq->options[a->value].id) == 0);
    }
    response_decoded_free(d);
    free(enc);
    free(enc2);
    response_free(r);
    return 0;
}
