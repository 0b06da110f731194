/* utf8: strict UTF-8 checking shared by everything that accepts text from outside
 * (survey files, answers, session labels).
 *
 * Strict means: no overlong forms, no surrogates, nothing above U+10FFFF. A "control" is a
 * C0 character (other than '\n' when allowed), DEL or a C1 character.
 */
#ifndef DEBRIEF_UTF8_H
#define DEBRIEF_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { UTF8_OK = 0, UTF8_INVALID, UTF8_CONTROL };

/* Decodes one sequence at s[0..n). Returns its length (1..4) and sets *cp, or 0 if invalid. */
size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

/* Checks n bytes: UTF8_OK, UTF8_INVALID, or UTF8_CONTROL. Invalid wins over control. Counts
 * code points into *chars if non-NULL. */
int utf8_check(const char *s, size_t n, bool allow_newline, size_t *chars);

#endif
