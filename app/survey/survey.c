/* survey: loads and validates survey definitions (docs/SURVEY_FORMAT.md).
 *
 * The loader walks the jansson tree once, checking every key, and copies what it keeps into
 * an immutable Survey; the jansson tree is dropped before returning. Errors are built from
 * a JSON path ("sections[0].questions[3].scale") so a coordinator can find the fault
 * without knowing the code. Any string taken from the file and echoed in a message is
 * sanitised and shortened, so a hostile file cannot forge extra lines in logs.
 *
 * This file does not know how answers are stored; it only computes, for record sizing,
 * the largest response encoding the survey allows (see response.c and docs/FORMAT.md).
 */
#include "survey.h"

#include <assert.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "response.h"
#include "survey_internal.h"

#define PATH_MAX_LEN 192
#define DEFAULT_PREFER_NOT "Prefer not to answer"

/* Owned storage behind Survey.priv_: every string the Survey points to. */
typedef struct SurveyStore {
    char **strs;
    size_t n_strs, cap_strs;
    size_t max_encoding;
} SurveyStore;

typedef struct Loader {
    const char *name; /* file name for messages */
    DbError *err;
    Survey *s;
    SurveyStore *store;
    json_t *show_if[SURVEY_MAX_QUESTIONS]; /* borrowed; resolved after all questions load */
    char show_if_path[SURVEY_MAX_QUESTIONS][PATH_MAX_LEN];
    bool uses_prefer_not;
} Loader;

static const char *const KIND_NAMES[] = {"", "likert", "single", "multi", "text"};

/* ---- messages and paths ---- */

/* Copies a file-supplied string for a message: printable ASCII kept, anything else '?',
 * at most 40 characters, so messages stay one short line. */
static void msg_quote_n(char *out, size_t cap, const char *in, size_t limit)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 4 < cap; i++) {
        if (i == limit) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char)in[i];
        out[o++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
    }
    out[o] = '\0';
}

static void msg_quote(char *out, size_t cap, const char *in)
{
    msg_quote_n(out, cap, in, 40);
}

static int fail_code(Loader *L, int code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_code(Loader *L, int code, const char *path, const char *fmt, ...)
{
    char what[DBERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (path && path[0])
        return dberr_set(L->err, code, "%s: %s: %s", L->name, path, what);
    return dberr_set(L->err, code, "%s: %s", L->name, what);
}

#define fail(L, path, ...) fail_code((L), DB_EINVAL, (path), __VA_ARGS__)

static void path_key(char *out, const char *base, const char *key)
{
    char k[48];
    msg_quote(k, sizeof k, key);
    if (base[0])
        snprintf(out, PATH_MAX_LEN, "%.100s.%s", base, k);
    else
        snprintf(out, PATH_MAX_LEN, "%s", k);
}

static void path_index(char *out, const char *base, size_t i)
{
    snprintf(out, PATH_MAX_LEN, "%.120s[%zu]", base, i);
}

/* ---- storage ---- */

static const char *intern(Loader *L, const char *str, size_t len)
{
    SurveyStore *st = L->store;
    if (st->n_strs == st->cap_strs) {
        size_t cap = st->cap_strs ? 2 * st->cap_strs : 64;
        char **strs = realloc(st->strs, cap * sizeof *strs);
        if (!strs)
            return NULL;
        st->strs = strs;
        st->cap_strs = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, str, len);
    copy[len] = '\0';
    st->strs[st->n_strs++] = copy;
    return copy;
}

static int oom(Loader *L)
{
    return fail_code(L, DB_ENOMEM, "", "out of memory");
}

/* ---- typed getters ---- */

/* Rejects keys of obj not in allowed. Keys that belong to another question type get a
 * message saying so (a likely mistake), others are simply unknown. */
static int check_keys(Loader *L, json_t *obj, const char *path, const char *const *allowed,
                      const char *const *other_types, const char *kind)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (ok)
            continue;
        char p[PATH_MAX_LEN];
        path_key(p, path, key);
        for (size_t i = 0; other_types && other_types[i]; i++)
            if (strcmp(key, other_types[i]) == 0)
                return fail(L, p, "not used by a %s question", kind);
        return fail(L, p, "unknown key");
    }
    return DB_OK;
}

/* Finds key in obj; a missing required key is an error, a missing optional one gives
 * *out = NULL. */
static int member(Loader *L, json_t *obj, const char *path, const char *key, bool required,
                  json_t **out)
{
    *out = json_object_get(obj, key);
    if (!*out && required)
        return fail(L, path, "missing key \"%s\"", key);
    return DB_OK;
}

static int check_string(Loader *L, const char *path, const char *str, size_t len,
                        bool allow_newline)
{
    if (len == 0)
        return fail(L, path, "must not be empty");
    if (len > SURVEY_MAX_TEXT)
        return fail(L, path, "is %zu bytes, longer than the limit of %d", len, SURVEY_MAX_TEXT);
    switch (utf8_check(str, len, allow_newline, NULL)) {
    case UTF8_INVALID:
        return fail(L, path, "is not valid UTF-8");
    case UTF8_CONTROL:
        return fail(L, path,
                    allow_newline ? "contains a control character (only line breaks are allowed)"
                                  : "contains a control character");
    default:
        return DB_OK;
    }
}

/* A plain string (language names). */
static int get_plain(Loader *L, json_t *obj, const char *path, const char *key, const char **out)
{
    json_t *v;
    char p[PATH_MAX_LEN];
    path_key(p, path, key);
    int rc = member(L, obj, path, key, true, &v);
    if (rc)
        return rc;
    if (!json_is_string(v))
        return fail(L, p, "must be a string");
    rc = check_string(L, p, json_string_value(v), json_string_length(v), false);
    if (rc)
        return rc;
    *out = intern(L, json_string_value(v), json_string_length(v));
    return *out ? DB_OK : oom(L);
}

static int get_id(Loader *L, json_t *obj, const char *path, const char *key, const char **out)
{
    json_t *v;
    char p[PATH_MAX_LEN];
    path_key(p, path, key);
    int rc = member(L, obj, path, key, true, &v);
    if (rc)
        return rc;
    if (!json_is_string(v))
        return fail(L, p, "must be a string");
    if (!session_is_id(json_string_value(v), json_string_length(v)))
        return fail(L, p, "must match ^[a-z][a-z0-9_]{0,31}$");
    *out = intern(L, json_string_value(v), json_string_length(v));
    return *out ? DB_OK : oom(L);
}

/* An optional integer in [lo, hi]; *out keeps its default when absent. range_msg is the
 * whole problem text for an out-of-range value. */
static int get_int(Loader *L, json_t *obj, const char *path, const char *key, bool required,
                   long long lo, long long hi, const char *range_msg, long long *out)
{
    json_t *v;
    char p[PATH_MAX_LEN];
    path_key(p, path, key);
    int rc = member(L, obj, path, key, required, &v);
    if (rc || !v)
        return rc;
    if (!json_is_integer(v))
        return fail(L, p, "must be an integer");
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return fail(L, p, "%s", range_msg);
    *out = x;
    return DB_OK;
}

static int get_bool(Loader *L, json_t *obj, const char *path, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = false;
        return DB_OK;
    }
    if (!json_is_boolean(v)) {
        char p[PATH_MAX_LEN];
        path_key(p, path, key);
        return fail(L, p, "must be true or false");
    }
    *out = json_is_true(v);
    return DB_OK;
}

static int get_array(Loader *L, json_t *obj, const char *path, const char *key, bool required,
                     json_t **out)
{
    int rc = member(L, obj, path, key, required, out);
    if (rc || !*out)
        return rc;
    if (!json_is_array(*out)) {
        char p[PATH_MAX_LEN];
        path_key(p, path, key);
        return fail(L, p, "must be an array");
    }
    return DB_OK;
}

static int need_object(Loader *L, json_t *v, const char *path)
{
    return json_is_object(v) ? DB_OK : fail(L, path, "must be an object");
}

/* A visible text: a string in a one-language survey, else an object with one string per
 * language code. */
static int load_text_value(Loader *L, json_t *v, const char *path, SurveyText *out)
{
    const Survey *s = L->s;
    memset(out, 0, sizeof *out);
    if (json_is_string(v)) {
        if (s->n_langs != 1)
            return fail(L, path,
                        "a plain string is allowed only in a one-language survey; "
                        "give an object with a string for each language");
        int rc = check_string(L, path, json_string_value(v), json_string_length(v), true);
        if (rc)
            return rc;
        out->s[0] = intern(L, json_string_value(v), json_string_length(v));
        return out->s[0] ? DB_OK : oom(L);
    }
    if (!json_is_object(v))
        return fail(L, path, "must be a string or an object of translations");
    const char *key;
    json_t *t;
    json_object_foreach(v, key, t)
    {
        char p[PATH_MAX_LEN];
        path_key(p, path, key);
        int lang = survey_find_lang(s, key);
        if (lang < 0)
            return fail(L, p, "not a language of this survey");
        if (!json_is_string(t))
            return fail(L, p, "must be a string");
        int rc = check_string(L, p, json_string_value(t), json_string_length(t), true);
        if (rc)
            return rc;
        out->s[lang] = intern(L, json_string_value(t), json_string_length(t));
        if (!out->s[lang])
            return oom(L);
    }
    for (int i = 0; i < s->n_langs; i++)
        if (!out->s[i])
            return fail(L, path, "missing translation for \"%s\"", s->lang_codes[i]);
    return DB_OK;
}

static int get_text(Loader *L, json_t *obj, const char *path, const char *key, bool required,
                    SurveyText *out)
{
    json_t *v;
    memset(out, 0, sizeof *out);
    int rc = member(L, obj, path, key, required, &v);
    if (rc || !v)
        return rc;
    char p[PATH_MAX_LEN];
    path_key(p, path, key);
    return load_text_value(L, v, p, out);
}

/* Answer labels (options, Likert anchors) sit on buttons: one that cannot fit on a small
 * screen even alone would be drawn clipped, so they have a tighter limit than other text. */
static int check_label(Loader *L, const char *path, const SurveyText *t)
{
    for (int i = 0; i < L->s->n_langs; i++) {
        size_t len = strlen(t->s[i]);
        if (len > SURVEY_MAX_LABEL) {
            char p[PATH_MAX_LEN];
            if (L->s->n_langs > 1)
                path_key(p, path, L->s->lang_codes[i]);
            else
                snprintf(p, sizeof p, "%s", path);
            return fail(L, p, "is %zu bytes, longer than the limit of %d for an answer label",
                        len, SURVEY_MAX_LABEL);
        }
    }
    return DB_OK;
}

/* ---- languages ---- */

static bool is_lang_code(const char *c, size_t n)
{
    /* 2-3 lowercase letters, optionally "-" and 2-8 letters or digits: "en", "pt-BR". */
    size_t i = 0;
    while (i < n && c[i] >= 'a' && c[i] <= 'z')
        i++;
    if (i < 2 || i > 3)
        return false;
    if (i == n)
        return true;
    if (c[i] != '-')
        return false;
    size_t sub = n - i - 1;
    if (sub < 2 || sub > 8)
        return false;
    for (i++; i < n; i++) {
        char x = c[i];
        if (!((x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9')))
            return false;
    }
    return true;
}

static int load_languages(Loader *L, json_t *root)
{
    static const char *const keys[] = {"code", "name", "keyboard", NULL};
    json_t *arr;
    int rc = get_array(L, root, "", "languages", true, &arr);
    if (rc)
        return rc;
    size_t n = json_array_size(arr);
    if (n == 0)
        return fail(L, "languages", "must not be empty");
    if (n > SURVEY_MAX_LANGS)
        return fail(L, "languages", "has %zu languages, more than the limit of %d", n,
                    SURVEY_MAX_LANGS);
    Survey *s = L->s;
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_LEN], pc[PATH_MAX_LEN];
        path_index(p, "languages", i);
        json_t *lang = json_array_get(arr, i);
        if ((rc = need_object(L, lang, p)) || (rc = check_keys(L, lang, p, keys, NULL, NULL)))
            return rc;
        json_t *code;
        path_key(pc, p, "code");
        if ((rc = member(L, lang, p, "code", true, &code)))
            return rc;
        if (!json_is_string(code))
            return fail(L, pc, "must be a string");
        const char *c = json_string_value(code);
        if (!is_lang_code(c, json_string_length(code)))
            return fail(L, pc, "must be a language tag such as \"en\" or \"pt-BR\"");
        if (survey_find_lang(s, c) >= 0)
            return fail(L, pc, "duplicate language \"%s\"", c);
        if (!(s->lang_codes[i] = intern(L, c, strlen(c))))
            return oom(L);
        s->n_langs = (int)i + 1;
        if ((rc = get_plain(L, lang, p, "name", &s->lang_names[i])))
            return rc;
        json_t *kb;
        if ((rc = member(L, lang, p, "keyboard", false, &kb)))
            return rc;
        s->lang_keyboards[i] = SURVEY_KEYBOARD_DEFAULT;
        if (kb) {
            static const char *const names[] = {"qwerty", "qwertz", "azerty"};
            char pk[PATH_MAX_LEN];
            path_key(pk, p, "keyboard");
            const char *v = json_is_string(kb) ? json_string_value(kb) : "";
            int found = -1;
            for (int k = 0; k < 3; k++)
                if (strcmp(v, names[k]) == 0)
                    found = k;
            if (found < 0)
                return fail(L, pk, "must be \"qwerty\", \"qwertz\" or \"azerty\"");
            s->lang_keyboards[i] = (SurveyKeyboard)(SURVEY_KEYBOARD_QWERTY + found);
        }
    }
    return DB_OK;
}

/* ---- questions ---- */

static int load_options(Loader *L, json_t *qj, const char *path, SurveyQuestion *q)
{
    static const char *const keys[] = {"id", "text", NULL};
    json_t *arr;
    int rc = get_array(L, qj, path, "options", true, &arr);
    if (rc)
        return rc;
    char pa[PATH_MAX_LEN];
    path_key(pa, path, "options");
    size_t n = json_array_size(arr);
    if (n < 2 || n > SURVEY_MAX_OPTIONS)
        return fail(L, pa, "must have 2 to %d options (has %zu)", SURVEY_MAX_OPTIONS, n);
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_LEN];
        path_index(p, pa, i);
        json_t *o = json_array_get(arr, i);
        if ((rc = need_object(L, o, p)) || (rc = check_keys(L, o, p, keys, NULL, NULL)))
            return rc;
        SurveyOption *opt = &q->options[i];
        if ((rc = get_id(L, o, p, "id", &opt->id)))
            return rc;
        if (survey_find_option(q, opt->id) >= 0) {
            char pi[PATH_MAX_LEN];
            path_key(pi, p, "id");
            return fail(L, pi, "duplicate option id \"%s\"", opt->id);
        }
        if ((rc = get_text(L, o, p, "text", true, &opt->text)))
            return rc;
        char pt[PATH_MAX_LEN];
        path_key(pt, p, "text");
        if ((rc = check_label(L, pt, &opt->text)))
            return rc;
        q->n_options = (int)i + 1;
    }
    return DB_OK;
}

static int load_likert(Loader *L, json_t *qj, const char *path, SurveyQuestion *q)
{
    long long scale = 0;
    int rc = get_int(L, qj, path, "scale", true, 5, 7, "must be 5 or 7", &scale);
    if (rc)
        return rc;
    if (scale == 6) {
        char p[PATH_MAX_LEN];
        path_key(p, path, "scale");
        return fail(L, p, "must be 5 or 7");
    }
    q->scale = (int)scale;
    json_t *arr;
    if ((rc = get_array(L, qj, path, "anchors", true, &arr)))
        return rc;
    char pa[PATH_MAX_LEN];
    path_key(pa, path, "anchors");
    size_t n = json_array_size(arr);
    if (n != (size_t)scale)
        return fail(L, pa, "has %zu labels; scale %d needs %d", n, q->scale, q->scale);
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_LEN];
        path_index(p, pa, i);
        if ((rc = load_text_value(L, json_array_get(arr, i), p, &q->anchors[i])) ||
            (rc = check_label(L, p, &q->anchors[i])))
            return rc;
    }
    return DB_OK;
}

static int load_multi_limits(Loader *L, json_t *qj, const char *path, SurveyQuestion *q)
{
    char range[64];
    long long lo = 0, hi = q->n_options;
    snprintf(range, sizeof range, "must be between 0 and %d", q->n_options);
    int rc = get_int(L, qj, path, "min", false, 0, q->n_options, range, &lo);
    if (rc)
        return rc;
    snprintf(range, sizeof range, "must be between 1 and %d", q->n_options);
    if ((rc = get_int(L, qj, path, "max", false, 1, q->n_options, range, &hi)))
        return rc;
    if (hi < lo) {
        char p[PATH_MAX_LEN];
        path_key(p, path, json_object_get(qj, "max") ? "max" : "min");
        return fail(L, p, "min (%lld) must not be greater than max (%lld)", lo, hi);
    }
    q->min_choices = (int)lo;
    q->max_choices = (int)hi;
    return DB_OK;
}

static int load_question(Loader *L, json_t *qj, const char *path, int section, SurveyQuestion *q)
{
    static const char *const common[] = {"id",       "type",       "text",   "help",
                                         "required", "prefer_not", "show_if"};
    static const char *const specific[5][4] = {{NULL},
                                               {"scale", "anchors", NULL},
                                               {"options", NULL},
                                               {"options", "min", "max", NULL},
                                               {"max_length", NULL}};
    static const char *const all_specific[] = {"scale", "anchors",    "options", "min",
                                               "max",   "max_length", NULL};
    int rc = need_object(L, qj, path);
    if (rc)
        return rc;
    json_t *type;
    if ((rc = member(L, qj, path, "type", true, &type)))
        return rc;
    char pt[PATH_MAX_LEN];
    path_key(pt, path, "type");
    int kind = 0;
    if (json_is_string(type))
        for (int k = SURVEY_LIKERT; k <= SURVEY_TEXT; k++)
            if (strcmp(json_string_value(type), KIND_NAMES[k]) == 0)
                kind = k;
    if (!kind)
        return fail(L, pt, "must be one of \"likert\", \"single\", \"multi\", \"text\"");

    const char *allowed[16];
    size_t na = 0;
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        allowed[na++] = common[i];
    for (size_t i = 0; specific[kind][i]; i++)
        allowed[na++] = specific[kind][i];
    allowed[na] = NULL;
    if ((rc = check_keys(L, qj, path, allowed, all_specific, KIND_NAMES[kind])))
        return rc;

    q->kind = (SurveyKind)kind;
    q->section = section;
    q->show_if_question = -1;
    if ((rc = get_id(L, qj, path, "id", &q->id)))
        return rc;
    if (survey_find_question(L->s, q->id) >= 0) {
        char p[PATH_MAX_LEN];
        path_key(p, path, "id");
        return fail(L, p, "duplicate question id \"%s\"", q->id);
    }
    if ((rc = get_text(L, qj, path, "text", true, &q->text)) ||
        (rc = get_text(L, qj, path, "help", false, &q->help)) ||
        (rc = get_bool(L, qj, path, "required", &q->required)) ||
        (rc = get_bool(L, qj, path, "prefer_not", &q->prefer_not)))
        return rc;
    L->uses_prefer_not |= q->prefer_not;
    switch (q->kind) {
    case SURVEY_LIKERT:
        rc = load_likert(L, qj, path, q);
        break;
    case SURVEY_SINGLE:
        rc = load_options(L, qj, path, q);
        break;
    case SURVEY_MULTI:
        if (!(rc = load_options(L, qj, path, q)))
            rc = load_multi_limits(L, qj, path, q);
        break;
    case SURVEY_TEXT: {
        long long max_length = 0;
        char range[64];
        snprintf(range, sizeof range, "must be between 1 and %d", SURVEY_MAX_FREE_TEXT);
        rc = get_int(L, qj, path, "max_length", true, 1, SURVEY_MAX_FREE_TEXT, range, &max_length);
        q->max_length = (int)max_length;
        break;
    }
    }
    if (rc)
        return rc;
    int index = (int)(q - L->s->questions);
    L->show_if[index] = json_object_get(qj, "show_if");
    if (L->show_if[index])
        path_key(L->show_if_path[index], path, "show_if");
    return DB_OK;
}

/* Resolves question qi's show_if now that every question id is known, so "later" and
 * "unknown" can be told apart. */
static int resolve_show_if(Loader *L, int qi)
{
    static const char *const keys[] = {"question", "any_of", NULL};
    json_t *sj = L->show_if[qi];
    const char *path = L->show_if_path[qi];
    Survey *s = L->s;
    SurveyQuestion *q = &s->questions[qi];
    int rc;
    if ((rc = need_object(L, sj, path)) || (rc = check_keys(L, sj, path, keys, NULL, NULL)))
        return rc;
    json_t *ref;
    char pq[PATH_MAX_LEN], pa[PATH_MAX_LEN];
    path_key(pq, path, "question");
    path_key(pa, path, "any_of");
    if ((rc = member(L, sj, path, "question", true, &ref)))
        return rc;
    if (!json_is_string(ref))
        return fail(L, pq, "must be a string");
    char name[64];
    msg_quote(name, sizeof name, json_string_value(ref));
    int ci = survey_find_question(s, json_string_value(ref));
    if (ci < 0)
        return fail(L, pq, "no question \"%s\"", name);
    if (ci == qi)
        return fail(L, pq, "a question cannot depend on itself");
    if (ci > qi)
        return fail(L, pq, "\"%s\" comes later; show_if must refer to an earlier question", name);
    const SurveyQuestion *c = &s->questions[ci];
    if (c->kind == SURVEY_TEXT)
        return fail(L, pq, "\"%s\" is a text question; show_if needs a likert or choice question",
                    name);
    json_t *arr;
    if ((rc = get_array(L, sj, path, "any_of", true, &arr)))
        return rc;
    size_t n = json_array_size(arr);
    if (n == 0)
        return fail(L, pa, "must not be empty");
    uint32_t mask = 0;
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_LEN];
        path_index(p, pa, i);
        json_t *v = json_array_get(arr, i);
        int bit;
        if (c->kind == SURVEY_LIKERT) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                json_integer_value(v) > c->scale)
                return fail(L, p, "must be an integer between 1 and %d", c->scale);
            bit = (int)json_integer_value(v) - 1;
        } else {
            if (!json_is_string(v))
                return fail(L, p, "must be an option id of \"%s\"", c->id);
            bit = survey_find_option(c, json_string_value(v));
            if (bit < 0) {
                char opt[64];
                msg_quote(opt, sizeof opt, json_string_value(v));
                return fail(L, p, "\"%s\" is not an option of \"%s\"", opt, c->id);
            }
        }
        if (mask & (1u << bit))
            return fail(L, p, "duplicate value");
        mask |= 1u << bit;
    }
    q->show_if_question = ci;
    q->show_if_mask = mask;
    return DB_OK;
}

static int load_sections(Loader *L, json_t *root)
{
    static const char *const keys[] = {"id", "title", "intro", "questions", NULL};
    json_t *arr;
    int rc = get_array(L, root, "", "sections", true, &arr);
    if (rc)
        return rc;
    size_t n = json_array_size(arr);
    if (n == 0)
        return fail(L, "sections", "must not be empty");
    if (n > SURVEY_MAX_SECTIONS)
        return fail(L, "sections", "has %zu sections, more than the limit of %d", n,
                    SURVEY_MAX_SECTIONS);
    Survey *s = L->s;
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_LEN];
        path_index(p, "sections", i);
        json_t *sj = json_array_get(arr, i);
        if ((rc = need_object(L, sj, p)) || (rc = check_keys(L, sj, p, keys, NULL, NULL)))
            return rc;
        SurveySection *sec = &s->sections[i];
        if ((rc = get_id(L, sj, p, "id", &sec->id)))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->sections[j].id, sec->id) == 0) {
                char pi[PATH_MAX_LEN];
                path_key(pi, p, "id");
                return fail(L, pi, "duplicate section id \"%s\"", sec->id);
            }
        s->n_sections = (int)i + 1;
        if ((rc = get_text(L, sj, p, "title", true, &sec->title)) ||
            (rc = get_text(L, sj, p, "intro", false, &sec->intro)))
            return rc;
        json_t *qs;
        if ((rc = get_array(L, sj, p, "questions", true, &qs)))
            return rc;
        char pq[PATH_MAX_LEN];
        path_key(pq, p, "questions");
        size_t nq = json_array_size(qs);
        if (nq == 0)
            return fail(L, pq, "must not be empty");
        sec->first_question = s->n_questions;
        for (size_t j = 0; j < nq; j++) {
            char pj[PATH_MAX_LEN];
            path_index(pj, pq, j);
            if (s->n_questions == SURVEY_MAX_QUESTIONS)
                return fail(L, pj, "more than %d questions in the survey", SURVEY_MAX_QUESTIONS);
            SurveyQuestion *q = &s->questions[s->n_questions];
            if ((rc = load_question(L, json_array_get(qs, j), pj, (int)i, q)))
                return rc;
            s->n_questions++;
            sec->n_questions++;
        }
    }
    for (int qi = 0; qi < s->n_questions; qi++)
        if (L->show_if[qi] && (rc = resolve_show_if(L, qi)))
            return rc;
    return DB_OK;
}

/* ---- record sizing ---- */

size_t survey_max_encoding(const Survey *s)
{
    const SurveyStore *st = s->priv_;
    if (st && st->max_encoding)
        return st->max_encoding;
    size_t longest_lang = 0;
    for (int i = 0; i < s->n_langs; i++)
        if (strlen(s->lang_codes[i]) > longest_lang)
            longest_lang = strlen(s->lang_codes[i]);
    /* Header: magic, version, survey id, survey version, language, label, date, count. */
    size_t n = 4 + 1 + (1 + strlen(s->id)) + 4 + (1 + longest_lang) + (1 + RESPONSE_MAX_LABEL) +
               (1 + RESPONSE_DATE_LEN) + 2;
    for (int qi = 0; qi < s->n_questions; qi++) {
        const SurveyQuestion *q = &s->questions[qi];
        n += 1 + strlen(q->id) + 1 + 1; /* id, state, kind */
        switch (q->kind) {
        case SURVEY_LIKERT:
            n += 1;
            break;
        case SURVEY_SINGLE: {
            size_t longest = 0;
            for (int o = 0; o < q->n_options; o++)
                if (strlen(q->options[o].id) > longest)
                    longest = strlen(q->options[o].id);
            n += 1 + longest;
            break;
        }
        case SURVEY_MULTI: {
            /* The max_choices longest option ids. */
            size_t lens[SURVEY_MAX_OPTIONS];
            for (int o = 0; o < q->n_options; o++)
                lens[o] = strlen(q->options[o].id);
            n += 1;
            for (int k = 0; k < q->max_choices; k++) {
                int best = 0;
                for (int o = 1; o < q->n_options; o++)
                    if (lens[o] > lens[best])
                        best = o;
                n += 1 + lens[best];
                lens[best] = 0;
                /* a taken option is never picked again: at most one zero per step, and
                 * k < max_choices <= n_options leaves a non-taken one with len >= 1 */
            }
            break;
        }
        case SURVEY_TEXT:
            n += 2 + 4 * (size_t)q->max_length;
            break;
        }
    }
    return n;
}

static int size_records(Loader *L)
{
    size_t max = survey_max_encoding(L->s);
    if (max > RESPONSE_MAX_ENCODING)
        return fail_code(L, DB_ELIMIT, "",
                         "the largest possible response is %zu bytes, more than the limit of "
                         "%d; lower max_length or remove questions",
                         max, RESPONSE_MAX_ENCODING);
    /* sodium_pad needs at least one byte of padding; whole KiB: every record of the survey
     * has this one size, which is all that hiding the length of the text needs (a power of
     * two made the bundled survey's records 8 KiB for at most 4.5 KiB of answers). */
    size_t size = (max + 1 + 1023) / 1024 * 1024;
    L->s->record_size = size;
    L->store->max_encoding = max;
    return DB_OK;
}

/* ---- top level ---- */

static bool is_english(const char *code)
{
    return strcmp(code, "en") == 0 || strncmp(code, "en-", 3) == 0;
}

static int load_root(Loader *L, json_t *root)
{
    static const char *const keys[] = {"format", "id",     "version",          "languages", "title",
                                       "intro",  "thanks", "prefer_not_label", "sections",  NULL};
    Survey *s = L->s;
    if (!json_is_object(root))
        return fail(L, "", "the top level must be an object");
    int rc = check_keys(L, root, "", keys, NULL, NULL);
    if (rc)
        return rc;
    long long format = 0, version = 0;
    char range[96];
    snprintf(range, sizeof range, "must be %d (the survey format this program reads)",
             SURVEY_FORMAT_VERSION);
    if ((rc = get_int(L, root, "", "format", true, SURVEY_FORMAT_VERSION, SURVEY_FORMAT_VERSION,
                      range, &format)) ||
        (rc = get_id(L, root, "", "id", &s->id)) ||
        (rc = get_int(L, root, "", "version", true, 1, UINT32_MAX,
                      "must be between 1 and 4294967295", &version)))
        return rc;
    s->version = (uint32_t)version;
    if ((rc = load_languages(L, root)) || (rc = get_text(L, root, "", "title", true, &s->title)) ||
        (rc = get_text(L, root, "", "intro", true, &s->intro)) ||
        (rc = get_text(L, root, "", "thanks", true, &s->thanks)) ||
        (rc = get_text(L, root, "", "prefer_not_label", false, &s->prefer_not_label)) ||
        (rc = load_sections(L, root)))
        return rc;
    if (!s->prefer_not_label.s[0]) {
        /* The built-in label is English; a survey in another language that offers
         * "prefer not to answer" must say it in that language. */
        for (int i = 0; i < s->n_langs; i++) {
            if (L->uses_prefer_not && !is_english(s->lang_codes[i]))
                return fail(L, "prefer_not_label",
                            "missing translation for \"%s\" (the built-in label is English)",
                            s->lang_codes[i]);
            if (!(s->prefer_not_label.s[i] =
                      intern(L, DEFAULT_PREFER_NOT, strlen(DEFAULT_PREFER_NOT))))
                return oom(L);
        }
    }
    return size_records(L);
}

int survey_load_buffer(const char *name, const char *data, size_t len, Survey **out, DbError *err)
{
    assert(name && out && (data || len == 0));
    *out = NULL;
    dberr_clear(err);
    if (len > SURVEY_MAX_FILE_BYTES)
        return dberr_set(err, DB_ELIMIT, "%s: file is %zu bytes, more than the limit of %d", name,
                         len, SURVEY_MAX_FILE_BYTES);
    Loader *L = calloc(1, sizeof *L);
    Survey *s = calloc(1, sizeof *s);
    SurveyStore *st = calloc(1, sizeof *st);
    if (!L || !s || !st) {
        free(L);
        free(s);
        free(st);
        return dberr_set(err, DB_ENOMEM, "%s: out of memory", name);
    }
    s->priv_ = st;
    L->name = name;
    L->err = err;
    L->s = s;
    L->store = st;

    int rc;
    json_error_t jerr;
    json_t *root = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root && jerr.text[0] == '\0') {
        /* jansson leaves the text empty only when it could not allocate */
        rc = dberr_set(err, DB_ENOMEM, "%s: out of memory while reading the JSON", name);
    } else if (!root) {
        char text[sizeof jerr.text + 4];
        msg_quote_n(text, sizeof text, jerr.text, sizeof jerr.text);
        rc = dberr_set(err, DB_EINVAL, "%s:%d:%d: %s", name, jerr.line, jerr.column, text);
    } else {
        rc = load_root(L, root);
        json_decref(root);
    }
    free(L);
    if (rc) {
        survey_free(s);
        return rc;
    }
    *out = s;
    return DB_OK;
}

int survey_load_file(const char *path, Survey **out, DbError *err)
{
    assert(path && out);
    *out = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = fs_read_file(path, SURVEY_MAX_FILE_BYTES, 1, &data, &len, err);
    if (rc)
        return rc;
    rc = survey_load_buffer(path, (const char *)data, len, out, err);
    free(data);
    return rc;
}

void survey_free(Survey *s)
{
    if (!s)
        return;
    SurveyStore *st = s->priv_;
    if (st) {
        for (size_t i = 0; i < st->n_strs; i++)
            free(st->strs[i]);
        free(st->strs);
        free(st);
    }
    free(s);
}

/* ---- lookups ---- */

const char *survey_text(const SurveyText *t, int lang)
{
    if (!t)
        return "";
    if (lang >= 0 && lang < SURVEY_MAX_LANGS && t->s[lang])
        return t->s[lang];
    return t->s[0] ? t->s[0] : "";
}

int survey_find_question(const Survey *s, const char *id)
{
    for (int i = 0; i < s->n_questions; i++)
        if (s->questions[i].id && strcmp(s->questions[i].id, id) == 0)
            return i;
    return -1;
}

int survey_find_lang(const Survey *s, const char *code)
{
    for (int i = 0; i < s->n_langs; i++)
        if (s->lang_codes[i] && strcmp(s->lang_codes[i], code) == 0)
            return i;
    return -1;
}

int survey_find_option(const SurveyQuestion *q, const char *id)
{
    for (int i = 0; i < q->n_options; i++)
        if (q->options[i].id && strcmp(q->options[i].id, id) == 0)
            return i;
    return -1;
}

/* ---- summary ---- */

static void print_kinds(FILE *out, const Survey *s, int first, int n)
{
    int counts[5] = {0};
    for (int i = first; i < first + n; i++)
        counts[s->questions[i].kind]++;
    const char *sep = "";
    for (int k = SURVEY_LIKERT; k <= SURVEY_TEXT; k++) {
        if (counts[k]) {
            fprintf(out, "%s%d %s", sep, counts[k], KIND_NAMES[k]);
            sep = ", ";
        }
    }
}

void survey_print_summary(const Survey *s, const char *path, FILE *out)
{
    int required = 0, show_if = 0, prefer_not = 0;
    for (int i = 0; i < s->n_questions; i++) {
        required += s->questions[i].required;
        show_if += s->questions[i].show_if_question >= 0;
        prefer_not += s->questions[i].prefer_not;
    }
    fprintf(out, "%s: survey \"%s\" version %u: %s\n", path, s->id, s->version,
            survey_text(&s->title, 0));
    fprintf(out, "  languages: ");
    for (int i = 0; i < s->n_langs; i++)
        fprintf(out, "%s%s (%s)", i ? ", " : "", s->lang_codes[i], s->lang_names[i]);
    fprintf(out, "\n  %d section%s, %d question%s: ", s->n_sections, s->n_sections == 1 ? "" : "s",
            s->n_questions, s->n_questions == 1 ? "" : "s");
    print_kinds(out, s, 0, s->n_questions);
    fprintf(out, "\n");
    for (int i = 0; i < s->n_sections; i++) {
        const SurveySection *sec = &s->sections[i];
        fprintf(out, "    %-20s %2d: ", sec->id, sec->n_questions);
        print_kinds(out, s, sec->first_question, sec->n_questions);
        fprintf(out, "\n");
    }
    fprintf(out, "  required: %d, prefer-not offered: %d, show-if: %d\n", required, prefer_not,
            show_if);
    fprintf(out, "  record size: %zu bytes (largest response %zu bytes)\n", s->record_size,
            survey_max_encoding(s));
}
