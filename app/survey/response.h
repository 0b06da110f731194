/* response: one participant's answers, and their canonical encoding.
 *
 * A Response holds answers in locked memory (secmem) and wipes them on response_clear and
 * response_free. It knows the survey's rules: which questions are visible (show-if) and
 * whether required questions are answered.
 *
 * The canonical encoding (docs/FORMAT.md, "Response plaintext") is what gets sealed. It
 * contains the survey id and version, the session label and date, the language, and every
 * question's answer in survey order — and nothing else: no timestamp, no device or person
 * identifier. Choice answers are written as option ids, so a reader needs no index table.
 * Encoding the same answers always yields the same bytes.
 */
#ifndef DEBRIEF_RESPONSE_H
#define DEBRIEF_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dberr.h"
#include "survey.h"

#define RESPONSE_FORMAT_VERSION 1
/* A session's label and date: sizes and rules in session_fields.h (these names are kept for
 * their readers). */
#define RESPONSE_MAX_LABEL SESSION_LABEL_MAX
#define RESPONSE_DATE_LEN SESSION_DATE_LEN

typedef enum AnswerState {
    ANSWER_NONE = 0,     /* not answered, or not shown (show-if) */
    ANSWER_DECLINED = 1, /* "prefer not to answer" */
    ANSWER_GIVEN = 2
} AnswerState;

typedef struct Answer {
    AnswerState state;
    int value;           /* LIKERT: 1..scale; SINGLE: option index */
    uint32_t chosen;     /* MULTI: bit i set = option i chosen */
    char *text;          /* TEXT: NUL-terminated UTF-8 in locked memory, owned by the Response;
                            capacity 4 * max_length + 1 bytes. Other kinds: NULL. */
} Answer;

typedef struct Response {
    const Survey *survey; /* borrowed; must outlive the Response */
    int lang;             /* index into survey->lang_codes */
    Answer *answers;      /* survey->n_questions entries, in locked memory */
    void *priv_;
} Response;

/* Where a response was collected: coordinator-entered, no finer than a date. */
typedef struct ResponseContext {
    const char *session_label; /* session_label_check (session_fields.h) */
    const char *session_date;  /* session_date_check: "YYYY-MM-DD" */
} ResponseContext;

/* Allocates an empty response for survey s in language lang. Free with response_free. */
int response_new(const Survey *s, int lang, Response **out, DbError *err);

/* Wipes every answer back to ANSWER_NONE (texts zeroed). */
void response_clear(Response *r);

/* Wipes and frees. NULL is a no-op. */
void response_free(Response *r);

/* Whether question q is shown given the answers so far (its show-if condition holds). */
bool response_visible(const Response *r, int q);

/* Whether question q satisfies its rules: a visible required question must be answered or
 * declined; a multi answer must respect min/max; a text must fit max_length. */
bool response_question_ok(const Response *r, int q);

/* Index of the first visible question that is not ok, or -1 if the response can be
 * submitted. */
int response_first_incomplete(const Response *r);

/* Setters; each returns DB_EINVAL (with a message) for a value the question does not allow.
 * Setting an answer may hide later questions; their answers are then wiped on encode. */
int response_set_likert(Response *r, int q, int value, DbError *err);
int response_set_single(Response *r, int q, int option, DbError *err);
int response_toggle_multi(Response *r, int q, int option, DbError *err);
int response_set_text(Response *r, int q, const char *utf8, DbError *err);
int response_decline(Response *r, int q, DbError *err);
void response_unset(Response *r, int q);

/* Number of Unicode characters in a UTF-8 string (invalid bytes count as one each). */
size_t response_utf8_chars(const char *s);

/* Writes the canonical encoding into out (capacity cap; s->record_size - 1 always suffices)
 * and sets *len. Answers to questions not visible are encoded as ANSWER_NONE.
 * DB_EINVAL for an invalid context (label too long, malformed date). */
int response_encode(const Response *r, const ResponseContext *ctx, uint8_t *out, size_t cap,
                    size_t *len, DbError *err);

/* --- reading encodings back (analysis side) --- */

typedef struct DecodedAnswer {
    char question_id[SURVEY_MAX_ID + 1];
    AnswerState state;
    SurveyKind kind;           /* meaningful when state == ANSWER_GIVEN */
    int likert;                /* LIKERT value */
    int n_options;             /* SINGLE (1) / MULTI (0..) */
    char option_ids[SURVEY_MAX_OPTIONS][SURVEY_MAX_ID + 1];
    char *text;                /* TEXT: malloc'd NUL-terminated UTF-8, else NULL */
} DecodedAnswer;

typedef struct DecodedResponse {
    char survey_id[SURVEY_MAX_ID + 1];
    uint32_t survey_version;
    char lang[SURVEY_MAX_ID + 1];
    char session_label[RESPONSE_MAX_LABEL + 1];
    char session_date[RESPONSE_DATE_LEN + 1];
    int n_answers;
    DecodedAnswer *answers;    /* malloc'd */
} DecodedResponse;

/* Parses a canonical encoding without needing the survey. Every length is checked; any
 * structural problem is DB_EFORMAT naming the byte offset. Free with
 * response_decoded_free (wipes texts). */
int response_decode(const uint8_t *data, size_t len, DecodedResponse **out, DbError *err);
void response_decoded_free(DecodedResponse *d);

/* Checks a decoded response against its survey (same id/version, every question present
 * in order, values allowed). DB_EFORMAT with the question id at fault. */
int response_decoded_check(const DecodedResponse *d, const Survey *s, DbError *err);

#endif
