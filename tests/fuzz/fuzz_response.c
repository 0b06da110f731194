/* fuzz_response: response_decode and response_decoded_check on arbitrary bytes
 * (app/survey/response.h) — the analysis side's reader of opened records.
 *
 * Each input that decodes is checked against every survey the target knows (the bundled
 * survey, the good fixtures and the known-answer survey of docs/FORMAT.md), so the checker's
 * paths are reached with inputs whose ids and kinds match a real survey.
 */
#include <string.h>

#include "fuzz_support.h"
#include "response.h"
#include "survey.h"

/* The survey of the known-answer vector in docs/FORMAT.md, "Response plaintext". */
static const char KAT_SURVEY[] =
    "{\"format\":1,\"id\":\"kat\",\"version\":7,\"languages\":[{\"code\":\"en\",\"name\":"
    "\"English\"}],\"title\":\"T\",\"intro\":\"I\",\"thanks\":\"X\",\"sections\":[{\"id\":"
    "\"a\",\"title\":\"A\",\"questions\":["
    "{\"id\":\"l\",\"type\":\"likert\",\"text\":\"Q\",\"scale\":5,\"anchors\":[\"1\",\"2\","
    "\"3\",\"4\",\"5\"],\"prefer_not\":true},"
    "{\"id\":\"s\",\"type\":\"single\",\"text\":\"Q\",\"prefer_not\":true,\"options\":[{\"id\":"
    "\"no\",\"text\":\"No\"},{\"id\":\"yes\",\"text\":\"Yes\"}]},"
    "{\"id\":\"f\",\"type\":\"single\",\"text\":\"Q\",\"options\":[{\"id\":\"no\",\"text\":"
    "\"N\"},{\"id\":\"yes\",\"text\":\"Y\"}],\"show_if\":{\"question\":\"s\",\"any_of\":["
    "\"yes\"]}},"
    "{\"id\":\"m\",\"type\":\"multi\",\"text\":\"Q\",\"options\":[{\"id\":\"a\",\"text\":"
    "\"A\"},{\"id\":\"b\",\"text\":\"B\"},{\"id\":\"c\",\"text\":\"C\"}]},"
    "{\"id\":\"t\",\"type\":\"text\",\"text\":\"Q\",\"max_length\":10}]}]}";

static const char *const SURVEY_FILES[] = {
    "assets/surveys/ccdg.json",
    "tests/data/surveys/good/one_language.json",
    "tests/data/surveys/good/two_languages.json",
};
#define N_SURVEYS (sizeof SURVEY_FILES / sizeof SURVEY_FILES[0] + 1)
static Survey *g_surveys[N_SURVEYS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    DbError err;
    for (size_t i = 0; i + 1 < N_SURVEYS; i++) {
        size_t len;
        uint8_t *d = fuzz_read_source_file(SURVEY_FILES[i], &len);
        if (survey_load_buffer(SURVEY_FILES[i], (const char *)d, len, &g_surveys[i], &err) !=
            DB_OK) {
            fprintf(stderr, "fuzz set-up: %s\n", err.msg);
            exit(1);
        }
        free(d);
    }
    if (survey_load_buffer("kat.json", KAT_SURVEY, strlen(KAT_SURVEY), &g_surveys[N_SURVEYS - 1],
                           &err) != DB_OK) {
        fprintf(stderr, "fuzz set-up: %s\n", err.msg);
        exit(1);
    }
    return 0;
}

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DecodedResponse *d = NULL;
    DbError err;
    if (response_decode(data, size, &d, &err) != DB_OK) {
        FUZZ_ASSERT(d == NULL);
        FUZZ_ASSERT(err.code == DB_EFORMAT || err.code == DB_ENOMEM);
        return 0;
    }
    FUZZ_ASSERT(d->n_answers >= 1 && d->n_answers <= SURVEY_MAX_QUESTIONS);
    FUZZ_ASSERT(terminated(d->survey_id, sizeof d->survey_id));
    FUZZ_ASSERT(terminated(d->lang, sizeof d->lang));
    FUZZ_ASSERT(terminated(d->session_label, sizeof d->session_label));
    FUZZ_ASSERT(strlen(d->session_date) == RESPONSE_DATE_LEN);
    for (int i = 0; i < d->n_answers; i++) {
        const DecodedAnswer *a = &d->answers[i];
        FUZZ_ASSERT(terminated(a->question_id, sizeof a->question_id));
        FUZZ_ASSERT(a->state == ANSWER_NONE || a->state == ANSWER_DECLINED ||
                    a->state == ANSWER_GIVEN);
        int is_text = a->state == ANSWER_GIVEN && a->kind == SURVEY_TEXT;
        FUZZ_ASSERT(is_text == (a->text != NULL));
        FUZZ_ASSERT(a->n_options >= 0 && a->n_options <= SURVEY_MAX_OPTIONS);
        for (int o = 0; o < a->n_options; o++)
            FUZZ_ASSERT(terminated(a->option_ids[o], sizeof a->option_ids[o]));
    }
    for (size_t i = 0; i < N_SURVEYS; i++) {
        int rc = response_decoded_check(d, g_surveys[i], &err);
        FUZZ_ASSERT(rc == DB_OK || rc == DB_EFORMAT);
    }
    response_decoded_free(d);
    return 0;
}
