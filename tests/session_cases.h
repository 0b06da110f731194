/* session_cases: edge cases of a session's fields (app/common/session_fields.h) that every
 * entry point must answer alike. test_session_fields feeds them to the library, the store,
 * the response plaintext (encoder and decoder), the survey loader (ids), the batch builder,
 * writer and parser, and the CLI; test_kiosk_ui feeds the labels to the admin screen's label
 * keyboard. A case changes one field of a valid session (SESSION_CASE_BASE_*). */
#ifndef DEBRIEF_SESSION_CASES_H
#define DEBRIEF_SESSION_CASES_H

#define SESSION_CASE_BASE_LABEL "Group 1"
#define SESSION_CASE_BASE_DATE "2024-05-14"
#define SESSION_CASE_BASE_ID "ccdg"

typedef enum { SC_LABEL, SC_DATE, SC_ID } SessionCaseField;

typedef struct SessionCase {
    SessionCaseField field;
    const char *value; /* NUL-terminated bytes */
    int ok;            /* 1: every entry point accepts it; 0: every one refuses it */
} SessionCase;

#define SC_X8 "xxxxxxxx"
#define SC_E8 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" /* 8 x e-acute */
#define SC_A8 "abcdefgh"

static const SessionCase session_cases[] = {
    /* dates: leap days, impossible days, the year range, the form */
    {SC_DATE, "2024-02-29", 1},
    {SC_DATE, "2023-02-29", 0},
    {SC_DATE, "2000-02-29", 1}, /* divisible by 400: a leap year */
    {SC_DATE, "2100-02-29", 0}, /* divisible by 100 only: not */
    {SC_DATE, "2026-02-31", 0},
    {SC_DATE, "2026-04-31", 0},
    {SC_DATE, "2026-12-31", 1},
    {SC_DATE, "2026-13-01", 0},
    {SC_DATE, "2026-00-10", 0},
    {SC_DATE, "2026-01-00", 0},
    {SC_DATE, "1999-12-31", 0}, /* before 2000 */
    {SC_DATE, "2000-01-01", 1},
    {SC_DATE, "9999-12-31", 1},
    {SC_DATE, "2026-1-05", 0},
    {SC_DATE, "2026/01/05", 0},
    {SC_DATE, "2026-01-05 ", 0},
    {SC_DATE, "", 0},
    /* labels: lengths in bytes, control characters, UTF-8 */
    {SC_LABEL, "G", 1},
    {SC_LABEL, "", 0},
    {SC_LABEL, SC_X8 SC_X8 SC_X8 SC_X8 SC_X8 SC_X8 SC_X8 SC_X8, 1},     /* 64 bytes */
    {SC_LABEL, SC_X8 SC_X8 SC_X8 SC_X8 SC_X8 SC_X8 SC_X8 SC_X8 "x", 0}, /* 65 bytes */
    {SC_LABEL, SC_E8 SC_E8 SC_E8 SC_E8, 1},                             /* 32 chars, 64 bytes */
    {SC_LABEL, SC_E8 SC_E8 SC_E8 SC_E8 "x", 0},                         /* 33 chars, 65 bytes */
    {SC_LABEL, "Gr\xc3\xbcppchen \xf0\x9f\x99\x82", 1},
    {SC_LABEL, "Group\t1", 0},
    {SC_LABEL, "Group\n1", 0},
    {SC_LABEL, "Group 1\x7f", 0},    /* DEL */
    {SC_LABEL, "Group \xc2\x85", 0}, /* C1 (NEL) */
    {SC_LABEL, "Gruppe \xff", 0},    /* not UTF-8 */
    {SC_LABEL, "Gruppe \xc3", 0},    /* cut short */
    {SC_LABEL, "\xc0\xaf", 0},       /* overlong '/' */
    {SC_LABEL, "\xed\xa0\x80", 0},   /* a surrogate */
    {SC_LABEL, "Caf\xc3\xa9 \xe2\x80\x94 late", 1},
    /* survey ids */
    {SC_ID, "ccdg_v2", 1},
    {SC_ID, "CCDG", 0},
    {SC_ID, "2ccdg", 0},
    {SC_ID, "cc-dg", 0},
    {SC_ID, "", 0},
    {SC_ID, SC_A8 SC_A8 SC_A8 SC_A8, 1},     /* 32 bytes */
    {SC_ID, SC_A8 SC_A8 SC_A8 SC_A8 "a", 0}, /* 33 bytes */
};

#define SESSION_N_CASES (sizeof session_cases / sizeof session_cases[0])

/* The case's session: its value in its field, the base values elsewhere. */
static inline void session_case_fields(const SessionCase *c, const char **label, const char **date,
                                       const char **id)
{
    *label = c->field == SC_LABEL ? c->value : SESSION_CASE_BASE_LABEL;
    *date = c->field == SC_DATE ? c->value : SESSION_CASE_BASE_DATE;
    *id = c->field == SC_ID ? c->value : SESSION_CASE_BASE_ID;
}

#endif
