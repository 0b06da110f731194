/* sbuf: a growable byte buffer for building CSV rows and HTML (internal to app/analysis).
 *
 * Every buffer has a hard maximum (SBUF_MAX); going over it or running out of memory sets
 * the sticky failed flag, which callers check once at the end. sbuf_free wipes the bytes
 * first, since rows hold answers.
 */
#ifndef DEBRIEF_SBUF_H
#define DEBRIEF_SBUF_H

#include <stdarg.h>
#include <stddef.h>

#define SBUF_MAX ((size_t)1 << 30)

typedef struct Sbuf {
    char *data; /* NUL-terminated when len > 0 */
    size_t len, cap;
    int failed;
} Sbuf;

void sbuf_add(Sbuf *b, const char *s, size_t n);
void sbuf_puts(Sbuf *b, const char *s);
void sbuf_printf(Sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' escaped for HTML text and attribute values. */
void sbuf_html(Sbuf *b, const char *s);
/* Detaches the string (caller frees), or NULL when failed/empty-and-unallocated. */
char *sbuf_take(Sbuf *b);
void sbuf_free(Sbuf *b); /* wipes */

#endif
