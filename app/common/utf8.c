/* utf8: see utf8.h. */
#include "utf8.h"

size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    uint8_t b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2, c = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3, c = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, c = b & 0x07, min = 0x10000;
    } else {
        return 0; /* continuation byte, overlong lead C0/C1, or F5..FF */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

int utf8_check(const char *s, size_t n, bool allow_newline, size_t *chars)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t count = 0;
    int result = UTF8_OK;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        if (k == 0)
            return UTF8_INVALID; /* invalid beats control: report the worse problem */
        if ((cp < 0x20 && !(allow_newline && cp == '\n')) || (cp >= 0x7F && cp <= 0x9F))
            result = UTF8_CONTROL;
        i += k;
        count++;
    }
    if (chars)
        *chars = count;
    return result;
}
