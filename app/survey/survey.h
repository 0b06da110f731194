/* survey: the survey definition model, loaded and validated from JSON.
 *
 * The JSON format is documented in docs/SURVEY_FORMAT.md. Loading validates everything a
 * kiosk relies on, so code holding a Survey never re-checks it: ids are unique, every
 * visible string exists in every language, show-if conditions refer to earlier questions
 * and to options/values that exist, limits hold.
 *
 * Errors name the file and either the line and column (JSON syntax) or the JSON path
 * (schema), e.g. "survey.json: sections[0].questions[3].scale: must be 5 or 7".
 *
 * A Survey is immutable after loading and owns all its strings; free with survey_free.
 * Pointers into it stay valid until then.
 */
#ifndef DEBRIEF_SURVEY_H
#define DEBRIEF_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dberr.h"
#include "session_fields.h"

#define SURVEY_FORMAT_VERSION 1
#define SURVEY_MAX_FILE_BYTES (256 * 1024)
#define SURVEY_MAX_LANGS 8
#define SURVEY_MAX_SECTIONS 32
#define SURVEY_MAX_QUESTIONS 128
#define SURVEY_MAX_OPTIONS 16       /* per choice question */
#define SURVEY_MAX_SCALE 7          /* Likert points */
#define SURVEY_MAX_ID SESSION_ID_MAX /* bytes in an id: the rule is session_is_id */
#define SURVEY_MAX_TEXT 1000        /* bytes in any one visible string */
#define SURVEY_MAX_LABEL 120        /* bytes in an answer label (option text, Likert anchor) */
#define SURVEY_MAX_FREE_TEXT 1000   /* largest max_length (characters) of a text question */

typedef enum SurveyKind {
    SURVEY_LIKERT = 1, /* 5 or 7 points, one anchor label per point */
    SURVEY_SINGLE = 2, /* exactly one option */
    SURVEY_MULTI = 3,  /* any number of options (min_choices..max_choices) */
    SURVEY_TEXT = 4    /* free text up to max_length characters */
} SurveyKind;

/* A visible string in every language of the survey: s[lang] for lang < n_langs.
 * All non-NULL after loading, except optional texts, which are all NULL when absent. */
typedef struct SurveyText {
    const char *s[SURVEY_MAX_LANGS];
} SurveyText;

/* The on-screen keyboard a language asks for ("keyboard" in the language object); DEFAULT
 * lets the kiosk choose by the language code (de: QWERTZ, fr: AZERTY, else QWERTY). */
typedef enum SurveyKeyboard {
    SURVEY_KEYBOARD_DEFAULT = 0,
    SURVEY_KEYBOARD_QWERTY,
    SURVEY_KEYBOARD_QWERTZ,
    SURVEY_KEYBOARD_AZERTY
} SurveyKeyboard;

typedef struct SurveyOption {
    const char *id;
    SurveyText text;
} SurveyOption;

typedef struct SurveyQuestion {
    const char *id;
    SurveyKind kind;
    int section;             /* index into Survey.sections */
    SurveyText text;         /* the question itself */
    SurveyText help;         /* optional hint under the question (all NULL if absent) */
    bool required;           /* must be answered (or declined, if prefer_not) to go on */
    bool prefer_not;         /* offers "prefer not to answer" */
    /* SURVEY_LIKERT */
    int scale;               /* 5 or 7 */
    SurveyText anchors[SURVEY_MAX_SCALE]; /* anchors[v - 1] labels value v */
    /* SURVEY_SINGLE, SURVEY_MULTI */
    int n_options;
    SurveyOption options[SURVEY_MAX_OPTIONS];
    int min_choices, max_choices; /* SURVEY_MULTI only; 0..n_options */
    /* SURVEY_TEXT */
    int max_length;          /* in Unicode characters (code points) */
    /* Shown only if an earlier question's answer is one of a set; show_if_question < 0 if
     * always shown. For a choice question the set holds option indices (bit i = option i),
     * for a Likert question scale values (bit v - 1 = value v). */
    int show_if_question;
    uint32_t show_if_mask;
} SurveyQuestion;

typedef struct SurveySection {
    const char *id;
    SurveyText title;
    SurveyText intro;        /* optional */
    int first_question;      /* questions [first_question, first_question + n_questions) */
    int n_questions;
} SurveySection;

typedef struct Survey {
    const char *id;          /* e.g. "ccdg" */
    uint32_t version;        /* bumped whenever questions change */
    int n_langs;
    const char *lang_codes[SURVEY_MAX_LANGS]; /* e.g. "en"; the first is the default */
    const char *lang_names[SURVEY_MAX_LANGS]; /* e.g. "English", shown for choosing */
    SurveyKeyboard lang_keyboards[SURVEY_MAX_LANGS];
    SurveyText title;
    SurveyText intro;
    SurveyText thanks;
    /* UI strings the survey may override per language (defaults in English). */
    SurveyText prefer_not_label;  /* "Prefer not to answer" */
    int n_sections;
    SurveySection sections[SURVEY_MAX_SECTIONS];
    int n_questions;
    SurveyQuestion questions[SURVEY_MAX_QUESTIONS];
    /* Fixed padded plaintext size of this survey's response records (bytes): the smallest
     * multiple of 1024 that holds the largest possible encoded response and one byte more. */
    size_t record_size;
    void *priv_;             /* owned storage; do not touch */
} Survey;

/* Loads and validates a survey file (at most SURVEY_MAX_FILE_BYTES). */
int survey_load_file(const char *path, Survey **out, DbError *err);

/* Same from memory; name is the file name used in messages. */
int survey_load_buffer(const char *name, const char *data, size_t len, Survey **out,
                       DbError *err);

/* Frees a survey. NULL is a no-op. */
void survey_free(Survey *s);

/* The text in language lang (falls back to the first language; "" if the text is absent). */
const char *survey_text(const SurveyText *t, int lang);

/* Index of the question with this id, or -1. */
int survey_find_question(const Survey *s, const char *id);

/* Index of the language with this code, or -1. */
int survey_find_lang(const Survey *s, const char *code);

/* Index of the option with this id in question q, or -1. */
int survey_find_option(const SurveyQuestion *q, const char *id);

/* Prints the one-screen summary `debrief survey check` shows. */
void survey_print_summary(const Survey *s, const char *path, FILE *out);

#endif
