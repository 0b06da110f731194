/* fuzz_survey: survey_load_buffer on arbitrary bytes (app/survey/survey.h).
 *
 * Beyond "no crash, no leak", a survey that loads must keep the loader's promises: ids and
 * language codes are unique (lookups find each at its own index), every visible string
 * exists, and record_size holds the largest response the survey allows — so the target
 * answers every question at its longest, encodes into record_size - 1 bytes, and decodes and
 * checks the result against the survey.
 */
#include <string.h>

#include "fuzz_support.h"
#include "response.h"
#include "survey.h"

static FILE *g_null;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    g_null = fopen("/dev/null", "w");
    return 0;
}

/* The option of q with the longest id not yet in used (bit i = option i), or -1. */
static int longest_option(const SurveyQuestion *q, uint32_t used)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < q->n_options; i++) {
        size_t n = strlen(q->options[i].id);
        if (!(used & (1u << i)) && (best < 0 || n > best_len)) {
            best = i;
            best_len = n;
        }
    }
    return best;
}

static void answer_longest(Response *r, int qi, char *text)
{
    const SurveyQuestion *q = &r->survey->questions[qi];
    DbError err;
    switch (q->kind) {
    case SURVEY_LIKERT:
        FUZZ_ASSERT(response_set_likert(r, qi, q->scale, &err) == DB_OK);
        break;
    case SURVEY_SINGLE:
        FUZZ_ASSERT(response_set_single(r, qi, longest_option(q, 0), &err) == DB_OK);
        break;
    case SURVEY_MULTI: {
        uint32_t used = 0;
        for (int k = 0; k < q->max_choices; k++) {
            int o = longest_option(q, used);
            FUZZ_ASSERT(o >= 0);
            FUZZ_ASSERT(response_toggle_multi(r, qi, o, &err) == DB_OK);
            used |= 1u << o;
        }
        break;
    }
    case SURVEY_TEXT: {
        /* max_length characters of four bytes each: the longest text allowed. */
        size_t n = 0;
        for (int k = 0; k < q->max_length; k++) {
            memcpy(text + n, "\xF0\x9F\x98\x80", 4);
            n += 4;
        }
        text[n] = '\0';
        FUZZ_ASSERT(response_set_text(r, qi, text, &err) == DB_OK);
        break;
    }
    default:
        FUZZ_ASSERT(!"unknown question kind");
    }
}

static void check_longest_response(const Survey *s)
{
    Response *r = NULL;
    DbError err;
    int lang = 0; /* the longest language code is written into the encoding */
    for (int l = 1; l < s->n_langs; l++)
        if (strlen(s->lang_codes[l]) > strlen(s->lang_codes[lang]))
            lang = l;
    FUZZ_ASSERT(response_new(s, lang, &r, &err) == DB_OK);
    static char text[4 * SURVEY_MAX_FREE_TEXT + 1];
    for (int q = 0; q < s->n_questions; q++)
        if (response_visible(r, q))
            answer_longest(r, q, text);
    FUZZ_ASSERT(response_first_incomplete(r) == -1);

    ResponseContext ctx = {"0123456789012345678901234567890123456789012345678901234567890123",
                           "2024-02-29"};
    FUZZ_ASSERT(s->record_size >= 1024 && s->record_size <= 64 * 1024);
    uint8_t *enc = malloc(s->record_size - 1);
    FUZZ_ASSERT(enc != NULL);
    size_t len = 0;
    int rc = response_encode(r, &ctx, enc, s->record_size - 1, &len, &err);
    if (rc != DB_OK)
        fprintf(stderr, "encode: %s\n", err.msg);
    FUZZ_ASSERT(rc == DB_OK);
    FUZZ_ASSERT(len < s->record_size);
    DecodedResponse *d = NULL;
    rc = response_decode(enc, len, &d, &err);
    if (rc != DB_OK)
        fprintf(stderr, "decode: %s\n", err.msg);
    FUZZ_ASSERT(rc == DB_OK);
    rc = response_decoded_check(d, s, &err);
    if (rc != DB_OK)
        fprintf(stderr, "check: %s\n", err.msg);
    FUZZ_ASSERT(rc == DB_OK);
    response_decoded_free(d);
    free(enc);
    response_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Survey *s = NULL;
    DbError err;
    if (survey_load_buffer("fuzz.json", (const char *)data, size, &s, &err) != DB_OK) {
        FUZZ_ASSERT(s == NULL);
        FUZZ_ASSERT(err.code != DB_OK && err.msg[0] != '\0');
        FUZZ_ASSERT(memchr(err.msg, '\n', strlen(err.msg)) == NULL);
        return 0;
    }
    FUZZ_ASSERT(s->n_langs >= 1 && s->n_langs <= SURVEY_MAX_LANGS);
    FUZZ_ASSERT(s->n_questions >= 1 && s->n_questions <= SURVEY_MAX_QUESTIONS);
    for (int l = 0; l < s->n_langs; l++) {
        FUZZ_ASSERT(survey_find_lang(s, s->lang_codes[l]) == l);
        FUZZ_ASSERT(survey_text(&s->title, l) != NULL);
    }
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        FUZZ_ASSERT(survey_find_question(s, sq->id) == q);
        FUZZ_ASSERT(sq->section >= 0 && sq->section < s->n_sections);
        FUZZ_ASSERT(sq->show_if_question < q);
        for (int o = 0; o < sq->n_options; o++)
            FUZZ_ASSERT(survey_find_option(sq, sq->options[o].id) == o);
        for (int l = 0; l < s->n_langs; l++)
            FUZZ_ASSERT(sq->text.s[l] != NULL);
    }
    if (g_null)
        survey_print_summary(s, "fuzz.json", g_null);
    check_longest_response(s);
    survey_free(s);
    return 0;
}
