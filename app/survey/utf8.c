/* utf8: the id rule survey definitions and responses share (UTF-8 itself: app/common/utf8.c). */
#include "survey_internal.h"

bool survey_is_id(const char *s, size_t n)
{
    if (n < 1 || n > SURVEY_MAX_ID || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}
