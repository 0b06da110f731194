/* script: parser for the kiosk automation language (see script.h). */
#include "script.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

static const struct {
    const char *name;
    KioskKey key;
} key_names[] = {
    {"enter", KK_ENTER},   {"return", KK_ENTER}, {"backspace", KK_BACKSPACE}, {"delete", KK_DELETE},
    {"left", KK_LEFT},     {"right", KK_RIGHT},  {"home", KK_HOME},           {"end", KK_END},
    {"escape", KK_ESCAPE}, {"tab", KK_TAB},
};

KioskKey script_key_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcmp(name, key_names[i].name) == 0)
            return key_names[i].key;
    return 0;
}

void script_free(Script *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->steps[i].str);
    free(s->steps);
    free(s);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* Parses a quoted string at p into a new malloc'd string; *pp advanced past it. */
static int parse_quoted(const char **pp, const char *end, char **out)
{
    const char *p = *pp;
    if (p >= end || *p != '"')
        return -1;
    p++;
    char *s = malloc((size_t)(end - p) + 1);
    if (!s)
        return -1;
    size_t n = 0;
    while (p < end && *p != '"') {
        if (*p == '\\' && p + 1 < end) {
            p++;
            s[n++] = *p == 'n' ? '\n' : *p;
            p++;
        } else {
            s[n++] = *p++;
        }
    }
    if (p >= end) {
        free(s);
        return -1;
    }
    s[n] = '\0';
    *pp = p + 1;
    *out = s;
    return 0;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* "label" or X Y, then (with want_ms) MS: the place and time of a finger step. */
static int parse_point(const char *name, int line, const char *word, const char *p,
                       const char *end, int want_ms, ScriptStep *st, DbError *err)
{
    long v[3];
    int nv = 0, need = want_ms ? 1 : 0;
    if (p < end && *p == '"') {
        if (parse_quoted(&p, end, &st->str) != 0)
            goto bad;
        p = skip_ws(p, end);
    } else {
        need += 2;
    }
    while (p < end && nv < 3) {
        char num[16];
        size_t n = 0;
        while (p < end && *p != ' ' && *p != '\t' && n + 1 < sizeof num)
            num[n++] = *p++;
        num[n] = '\0';
        if (parse_long(num, 0, nv == need - 1 && want_ms ? 600000 : 100000, &v[nv]))
            goto bad;
        nv++;
        p = skip_ws(p, end);
    }
    if (nv != need || p != end)
        goto bad;
    if (!st->str) {
        st->x = (int)v[0];
        st->y = (int)v[1];
    }
    if (want_ms)
        st->ms = v[need - 1];
    return DB_OK;
bad:
    free(st->str);
    st->str = NULL;
    return dberr_set(err, DB_EINVAL, "%s:%d: %s needs \"label\" or X Y%s (non-negative integers)",
                     name, line, word, want_ms ? ", then MS" : "");
}

static int parse_line(const char *name, int line, const char *p, const char *end, ScriptStep *st,
                      DbError *err)
{
    char word[32];
    size_t n = 0;
    while (p < end && *p != ' ' && *p != '\t' && n + 1 < sizeof word)
        word[n++] = *p++;
    word[n] = '\0';
    p = skip_ws(p, end);
    /* Trailing whitespace is not an argument. */
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    char arg[4096];
    size_t al = (size_t)(end - p) < sizeof arg - 1 ? (size_t)(end - p) : sizeof arg - 1;
    memcpy(arg, p, al);
    arg[al] = '\0';
    memset(st, 0, sizeof *st);
    st->line = line;

    if (strcmp(word, "tap") == 0) {
        if (p < end && *p == '"') { /* "tap" at the very end of the file has no argument */
            st->op = SO_TAP_LABEL;
            if (parse_quoted(&p, end, &st->str) != 0 || skip_ws(p, end) != end)
                goto bad_string;
            return DB_OK;
        }
        long x, y;
        char *sp = strchr(arg, ' ');
        if (!sp)
            return dberr_set(err, DB_EINVAL, "%s:%d: tap needs \"label\" or X Y", name, line);
        *sp = '\0';
        const char *ys = sp + 1;
        while (*ys == ' ')
            ys++;
        if (parse_long(arg, 0, 100000, &x) || parse_long(ys, 0, 100000, &y))
            return dberr_set(err, DB_EINVAL, "%s:%d: tap X Y needs two non-negative integers", name,
                             line);
        st->op = SO_TAP_XY;
        st->x = (int)x;
        st->y = (int)y;
        return DB_OK;
    }
    if (strcmp(word, "press") == 0 || strcmp(word, "longpress") == 0) {
        int is_long = word[0] == 'l';
        st->op = SO_PRESS;
        st->ms = SCRIPT_LONG_PRESS_MS;
        if (is_long && p < end && *p == '"') {
            if (parse_quoted(&p, end, &st->str) != 0 || skip_ws(p, end) != end)
                goto bad_string;
            return DB_OK;
        }
        /* X Y (and MS for press), separated by spaces */
        long v[3];
        int nv = 0, want = is_long ? 2 : 3;
        char *save = arg;
        while (nv < 3) {
            while (*save == ' ' || *save == '\t')
                save++;
            if (!*save)
                break;
            char *sp = save;
            while (*sp && *sp != ' ' && *sp != '\t')
                sp++;
            char c = *sp;
            *sp = '\0';
            long hi = nv == 2 ? 600000 : 100000;
            if (parse_long(save, 0, hi, &v[nv]))
                nv = -1;
            *sp = c;
            if (nv < 0)
                break;
            nv++;
            save = sp;
        }
        while (nv >= 0 && (*save == ' ' || *save == '\t'))
            save++;
        if (nv != want || *save)
            return dberr_set(err, DB_EINVAL,
                             is_long ? "%s:%d: longpress needs \"label\" or X Y"
                                     : "%s:%d: press needs X Y MS (non-negative integers, MS up "
                                       "to 600000)",
                             name, line);
        st->x = (int)v[0];
        st->y = (int)v[1];
        if (!is_long)
            st->ms = v[2];
        return DB_OK;
    }
    if (strcmp(word, "down") == 0 || strcmp(word, "move") == 0 || strcmp(word, "doubletap") == 0) {
        int dbl = word[0] == 'd' && word[1] == 'o' && word[2] == 'u';
        st->op = dbl ? SO_DOUBLETAP : word[0] == 'd' ? SO_DOWN : SO_MOVE;
        return parse_point(name, line, word, p, end, dbl, st, err);
    }
    if (strcmp(word, "up") == 0) {
        if (p != end)
            return dberr_set(err, DB_EINVAL,
                             "%s:%d: up takes nothing (the finger is lifted where it is)", name,
                             line);
        st->op = SO_UP;
        return DB_OK;
    }
    if (strcmp(word, "hold") == 0) {
        long v;
        if (parse_long(arg, 0, 600000, &v))
            return dberr_set(err, DB_EINVAL, "%s:%d: hold needs a number of milliseconds "
                             "(0..600000)", name, line);
        st->op = SO_HOLD;
        st->ms = v;
        return DB_OK;
    }
    if (strcmp(word, "type") == 0 || strcmp(word, "expect") == 0 || strcmp(word, "absent") == 0) {
        st->op = word[0] == 't' ? SO_TYPE : word[0] == 'e' ? SO_EXPECT : SO_ABSENT;
        if (parse_quoted(&p, end, &st->str) != 0 || skip_ws(p, end) != end)
            goto bad_string;
        return DB_OK;
    }
    if (strcmp(word, "key") == 0) {
        st->op = SO_KEY;
        st->key = script_key_from_name(arg);
        if (!st->key)
            return dberr_set(err, DB_EINVAL,
                             "%s:%d: unknown key \"%.40s\" (enter, backspace, delete, left, "
                             "right, home, end, escape, tab)",
                             name, line, arg);
        return DB_OK;
    }
    if (strcmp(word, "wait") == 0 || strcmp(word, "idle") == 0) {
        long v;
        int is_wait = word[0] == 'w';
        if (parse_long(arg, 0, is_wait ? 600000 : 86400, &v))
            return dberr_set(err, DB_EINVAL, "%s:%d: %s needs a number of %s", name, line, word,
                             is_wait ? "milliseconds (0..600000)" : "seconds (0..86400)");
        st->op = is_wait ? SO_WAIT : SO_IDLE;
        st->ms = is_wait ? v : v * 1000;
        return DB_OK;
    }
    if (strcmp(word, "waitfile") == 0) {
        st->op = SO_WAITFILE;
        st->ms = SCRIPT_WAITFILE_DEFAULT_S * 1000L;
        if (p >= end || *p != '"' || parse_quoted(&p, end, &st->str) != 0)
            goto bad_string;
        p = skip_ws(p, end);
        if (p == end)
            return DB_OK;
        char num[16];
        size_t nlen = (size_t)(end - p);
        long v;
        if (nlen < sizeof num) {
            memcpy(num, p, nlen);
            num[nlen] = '\0';
        }
        if (nlen >= sizeof num || parse_long(num, 1, 3600, &v)) {
            free(st->str);
            st->str = NULL;
            return dberr_set(err, DB_EINVAL,
                             "%s:%d: waitfile needs \"path\" and at most a number of seconds "
                             "(1..3600)",
                             name, line);
        }
        st->ms = v * 1000;
        return DB_OK;
    }
    if (strcmp(word, "screenshot") == 0) {
        if (al == 0)
            return dberr_set(err, DB_EINVAL, "%s:%d: screenshot needs a file name", name, line);
        st->op = SO_SCREENSHOT;
        if (*p == '"') {
            if (parse_quoted(&p, end, &st->str) != 0)
                goto bad_string;
        } else {
            st->str = strdup(arg);
        }
        if (!st->str)
            return dberr_set(err, DB_ENOMEM, "%s:%d: out of memory", name, line);
        return DB_OK;
    }
    return dberr_set(err, DB_EINVAL,
                     "%s:%d: unknown action \"%.31s\" (tap, press, longpress, doubletap, down, "
                     "move, up, hold, type, key, wait, idle, expect, absent, screenshot, "
                     "waitfile)",
                     name, line, word);
bad_string:
    free(st->str);
    st->str = NULL;
    return dberr_set(err, DB_EINVAL, "%s:%d: %s needs one \"quoted string\"", name, line, word);
}

int script_parse(const char *name, const char *text, size_t len, Script **out, DbError *err)
{
    *out = NULL;
    Script *s = calloc(1, sizeof *s);
    if (!s)
        return dberr_set(err, DB_ENOMEM, "%s: out of memory", name);
    snprintf(s->name, sizeof s->name, "%s", name);
    const char *p = text, *end = text + len;
    int line = 0, cap = 0;
    while (p < end) {
        line++;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *q = skip_ws(p, eol);
        const char *le = eol;
        while (le > q && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
            le--;
        if (q < le && *q != '#') {
            if (s->n >= SCRIPT_MAX_STEPS) {
                script_free(s);
                return dberr_set(err, DB_ELIMIT, "%s:%d: more than %d steps", name, line,
                                 SCRIPT_MAX_STEPS);
            }
            if (s->n == cap) {
                cap = cap ? cap * 2 : 64;
                ScriptStep *ns = realloc(s->steps, (size_t)cap * sizeof *ns);
                if (!ns) {
                    script_free(s);
                    return dberr_set(err, DB_ENOMEM, "%s: out of memory", name);
                }
                s->steps = ns;
            }
            int rc = parse_line(name, line, q, le, &s->steps[s->n], err);
            if (rc != DB_OK) {
                script_free(s);
                return rc;
            }
            s->n++;
        }
        p = eol < end ? eol + 1 : end;
    }
    *out = s;
    return DB_OK;
}

int script_load(const char *path, Script **out, DbError *err)
{
    uint8_t *data;
    size_t len;
    *out = NULL;
    int rc = fs_read_file(path, SCRIPT_MAX_BYTES, 1, &data, &len, err);
    if (rc != DB_OK)
        return rc;
    const char *base = strrchr(path, '/');
    rc = script_parse(base ? base + 1 : path, (const char *)data, len, out, err);
    free(data);
    if (rc == DB_OK) {
        if (base)
            snprintf((*out)->dir, sizeof(*out)->dir, "%.*s", (int)(base - path), path);
        else
            snprintf((*out)->dir, sizeof(*out)->dir, ".");
    }
    return rc;
}

int script_text_visible(const UiFrame *f, const char *text)
{
    for (int i = 0; i < f->n_labels; i++)
        if (strstr(ui_label_text(f, i), text))
            return 1;
    return 0;
}
