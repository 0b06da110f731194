/* session_fields: the one definition of a session's coordinator-entered fields (its label,
 * its date, the id of its survey): their sizes and their rules.
 *
 *   label      1..SESSION_LABEL_MAX bytes of strict UTF-8 without control characters (utf8.h)
 *   date       "YYYY-MM-DD", a day of the Gregorian calendar in the years 2000..9999 (2000: a
 *              kiosk clock that was never set says 1970; no store ever accepted an earlier year)
 *   survey id  an id: 1..SESSION_ID_MAX bytes of [a-z0-9_], starting with a letter (the id
 *              rule of survey files, which name surveys, questions and options with it)
 *
 * Every entry point checks with these functions, so all give the same answer for the same
 * bytes: the store (session open), the response plaintext (encoder and decoder), batch files
 * (builder, streaming writer, parser), the CLI (through the store) and the kiosk's admin screen.
 * Byte formats: docs/FORMAT.md. Plain C, no allocation.
 */
#ifndef DEBRIEF_SESSION_FIELDS_H
#define DEBRIEF_SESSION_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "dberr.h"

#define SESSION_LABEL_MAX 64 /* bytes; a buffer holds SESSION_LABEL_MAX + 1 with the NUL */
#define SESSION_DATE_LEN 10  /* "YYYY-MM-DD"; a buffer holds SESSION_DATE_LEN + 1 */
#define SESSION_ID_MAX 32    /* bytes in an id; a buffer holds SESSION_ID_MAX + 1 */

/* Each checks the n bytes at s (not necessarily NUL-terminated; s may be NULL when n is 0):
 * DB_OK, or DB_EINVAL with a message that names the field and what is wrong ("session date
 * 2026-02-31 is not a day of the calendar"). The message quotes a date only once its form is
 * right, and never quotes a label. err may be NULL. */
int session_label_check(const char *s, size_t n, DbError *err);
int session_date_check(const char *s, size_t n, DbError *err);
int session_survey_id_check(const char *s, size_t n, DbError *err);

/* The id rule alone (for survey, question and option ids). */
bool session_is_id(const char *s, size_t n);

#endif
