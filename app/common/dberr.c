/* dberr: see dberr.h. */
#include "dberr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void dberr_clear(DbError *err)
{
    if (!err)
        return;
    err->code = DB_OK;
    err->msg[0] = '\0';
}

int dberr_set(DbError *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

int dberr_prefix(DbError *err, const char *fmt, ...)
{
    if (!err)
        return DB_OK;
    char prefix[DBERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Room for both parts, then truncate to the message size. */
    char joined[2 * DBERR_MSG_MAX + 2];
    snprintf(joined, sizeof joined, "%s: %s", prefix, err->msg);
    size_t n = strnlen(joined, DBERR_MSG_MAX - 1);
    memcpy(err->msg, joined, n);
    err->msg[n] = '\0';
    return err->code;
}
