/* response: one participant's answers in locked memory, the survey's answering rules, and
 * the canonical encoding that gets sealed (docs/FORMAT.md, "Response plaintext").
 *
 * Memory: the Answer array is one secmem block and every text answer's buffer lives in a
 * second one, so a Response costs two guarded allocations however many questions it has.
 * Both are wiped on response_clear and on response_free.
 *
 * Visibility (show-if) is evaluated from the answers on demand, never cached: a question is
 * shown when the question it depends on is shown and answered with one of the listed values.
 * Hidden answers stay in memory (so going Back and forth does not lose them) but are
 * never encoded, validated or counted.
 *
 * This file does not seal, store or display anything.
 */
#include "response.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"
#include "survey_internal.h"

typedef struct ResponsePriv {
    char *texts; /* secmem: every text answer's buffer, back to back */
    size_t texts_len;
} ResponsePriv;

/* ---- shared rules ---- */

/* The answer of question q as a bit set over its values (likert value v -> bit v - 1,
 * option i -> bit i), 0 when not given. */
typedef struct AnswerBits {
    bool given;
    uint32_t bits;
} AnswerBits;

/* vis[q] for every question, from the given-answer bit sets. Conditions point backwards,
 * so one forward pass settles chains. */
static void compute_visibility(const Survey *s, const AnswerBits *a, bool *vis)
{
    for (int q = 0; q < s->n_questions; q++) {
        int c = s->questions[q].show_if_question;
        vis[q] = c < 0 || (vis[c] && a[c].given && (a[c].bits & s->questions[q].show_if_mask));
    }
}

static AnswerBits answer_bits(const SurveyQuestion *q, const Answer *a)
{
    AnswerBits b = {false, 0};
    if (a->state != ANSWER_GIVEN)
        return b;
    b.given = true;
    switch (q->kind) {
    case SURVEY_LIKERT:
        b.bits = a->value >= 1 && a->value <= 32 ? 1u << (a->value - 1) : 0;
        break;
    case SURVEY_SINGLE:
        b.bits = a->value >= 0 && a->value < 32 ? 1u << a->value : 0;
        break;
    case SURVEY_MULTI:
        b.bits = a->chosen;
        break;
    case SURVEY_TEXT:
        break;
    }
    return b;
}

static int popcount32(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* ---- lifetime ---- */

int response_new(const Survey *s, int lang, Response **out, DbError *err)
{
    assert(s && out);
    *out = NULL;
    dberr_clear(err);
    if (lang < 0 || lang >= s->n_langs)
        return dberr_set(err, DB_EINVAL, "language %d is not one of the survey's %d", lang,
                         s->n_langs);
    Response *r = calloc(1, sizeof *r);
    ResponsePriv *p = calloc(1, sizeof *p);
    if (!r || !p)
        goto nomem;
    r->priv_ = p;
    r->survey = s;
    r->lang = lang;
    r->answers = secmem_alloc((size_t)s->n_questions * sizeof *r->answers);
    if (!r->answers)
        goto nomem;
    for (int q = 0; q < s->n_questions; q++)
        if (s->questions[q].kind == SURVEY_TEXT)
            p->texts_len += 4 * (size_t)s->questions[q].max_length + 1;
    if (p->texts_len) {
        if (!(p->texts = secmem_alloc(p->texts_len)))
            goto nomem;
        size_t off = 0;
        for (int q = 0; q < s->n_questions; q++) {
            if (s->questions[q].kind == SURVEY_TEXT) {
                r->answers[q].text = p->texts + off;
                off += 4 * (size_t)s->questions[q].max_length + 1;
            }
        }
    }
    response_clear(r);
    *out = r;
    return DB_OK;
nomem:
    response_free(r);
    if (!r)
        free(p);
    return dberr_set(err, DB_ENOMEM, "out of locked memory for a response");
}

void response_clear(Response *r)
{
    if (!r || !r->answers)
        return;
    ResponsePriv *p = r->priv_;
    if (p->texts)
        secmem_wipe(p->texts, p->texts_len);
    for (int q = 0; q < r->survey->n_questions; q++) {
        Answer *a = &r->answers[q];
        a->state = ANSWER_NONE;
        a->value = 0;
        a->chosen = 0;
    }
}

void response_free(Response *r)
{
    if (!r)
        return;
    ResponsePriv *p = r->priv_;
    secmem_free(r->answers); /* secmem_free wipes */
    if (p) {
        secmem_free(p->texts);
        free(p);
    }
    free(r);
}

/* ---- rules ---- */

static void response_visibility(const Response *r, bool *vis)
{
    const Survey *s = r->survey;
    AnswerBits bits[SURVEY_MAX_QUESTIONS];
    for (int q = 0; q < s->n_questions; q++)
        bits[q] = answer_bits(&s->questions[q], &r->answers[q]);
    compute_visibility(s, bits, vis);
    secmem_wipe(bits, sizeof bits); /* they are answers */
}

bool response_visible(const Response *r, int q)
{
    assert(r && q >= 0 && q < r->survey->n_questions);
    const SurveyQuestion *sq = &r->survey->questions[q];
    if (sq->show_if_question < 0)
        return true;
    bool vis[SURVEY_MAX_QUESTIONS];
    response_visibility(r, vis);
    return vis[q];
}

/* Rules for one question's answer, visibility aside. */
static bool answer_ok(const SurveyQuestion *q, const Answer *a)
{
    switch (a->state) {
    case ANSWER_NONE:
        return !q->required;
    case ANSWER_DECLINED:
        return q->prefer_not;
    case ANSWER_GIVEN:
        break;
    default:
        return false;
    }
    switch (q->kind) {
    case SURVEY_LIKERT:
        return a->value >= 1 && a->value <= q->scale;
    case SURVEY_SINGLE:
        return a->value >= 0 && a->value < q->n_options;
    case SURVEY_MULTI: {
        int n = popcount32(a->chosen);
        int min = q->min_choices > 1 ? q->min_choices : 1;
        return (a->chosen >> q->n_options) == 0 && n >= min && n <= q->max_choices;
    }
    case SURVEY_TEXT: {
        size_t chars;
        size_t len = a->text ? strlen(a->text) : 0;
        return len > 0 && utf8_check(a->text, len, true, &chars) == UTF8_OK &&
               chars <= (size_t)q->max_length;
    }
    }
    return false;
}

bool response_question_ok(const Response *r, int q)
{
    assert(r && q >= 0 && q < r->survey->n_questions);
    if (!response_visible(r, q))
        return true;
    return answer_ok(&r->survey->questions[q], &r->answers[q]);
}

int response_first_incomplete(const Response *r)
{
    assert(r);
    const Survey *s = r->survey;
    bool vis[SURVEY_MAX_QUESTIONS];
    response_visibility(r, vis);
    for (int q = 0; q < s->n_questions; q++)
        if (vis[q] && !answer_ok(&s->questions[q], &r->answers[q]))
            return q;
    return -1;
}

/* ---- setters ---- */

static int question_for(Response *r, int q, SurveyKind kind, DbError *err,
                        const SurveyQuestion **out)
{
    assert(r && q >= 0 && q < r->survey->n_questions);
    dberr_clear(err);
    *out = &r->survey->questions[q];
    if ((*out)->kind != kind)
        return dberr_set(err, DB_EINVAL, "question \"%s\" is not a %s question", (*out)->id,
                         kind == SURVEY_LIKERT   ? "likert"
                         : kind == SURVEY_SINGLE ? "single-choice"
                         : kind == SURVEY_MULTI  ? "multiple-choice"
                                                 : "text");
    return DB_OK;
}

/* Forgets q's previous answer (wiping its text) without touching the others. */
static void answer_reset(const SurveyQuestion *sq, Answer *a)
{
    a->state = ANSWER_NONE;
    a->value = 0;
    a->chosen = 0;
    if (a->text)
        secmem_wipe(a->text, 4 * (size_t)sq->max_length + 1);
}

int response_set_likert(Response *r, int q, int value, DbError *err)
{
    const SurveyQuestion *sq;
    int rc = question_for(r, q, SURVEY_LIKERT, err, &sq);
    if (rc)
        return rc;
    if (value < 1 || value > sq->scale)
        return dberr_set(err, DB_EINVAL, "question \"%s\": value must be 1 to %d", sq->id,
                         sq->scale);
    Answer *a = &r->answers[q];
    answer_reset(sq, a);
    a->state = ANSWER_GIVEN;
    a->value = value;
    return DB_OK;
}

int response_set_single(Response *r, int q, int option, DbError *err)
{
    const SurveyQuestion *sq;
    int rc = question_for(r, q, SURVEY_SINGLE, err, &sq);
    if (rc)
        return rc;
    if (option < 0 || option >= sq->n_options)
        return dberr_set(err, DB_EINVAL, "question \"%s\": option index must be 0 to %d", sq->id,
                         sq->n_options - 1);
    Answer *a = &r->answers[q];
    answer_reset(sq, a);
    a->state = ANSWER_GIVEN;
    a->value = option;
    return DB_OK;
}

int response_toggle_multi(Response *r, int q, int option, DbError *err)
{
    const SurveyQuestion *sq;
    int rc = question_for(r, q, SURVEY_MULTI, err, &sq);
    if (rc)
        return rc;
    if (option < 0 || option >= sq->n_options)
        return dberr_set(err, DB_EINVAL, "question \"%s\": option index must be 0 to %d", sq->id,
                         sq->n_options - 1);
    Answer *a = &r->answers[q];
    uint32_t chosen = a->state == ANSWER_GIVEN ? a->chosen : 0;
    chosen ^= 1u << option;
    if (popcount32(chosen) > sq->max_choices)
        return dberr_set(err, DB_EINVAL, "question \"%s\": at most %d choices", sq->id,
                         sq->max_choices);
    answer_reset(sq, a);
    /* Unticking the last option leaves the question unanswered, so a given multi answer
     * always names at least one option and has one encoding. */
    a->state = chosen ? ANSWER_GIVEN : ANSWER_NONE;
    a->chosen = chosen;
    return DB_OK;
}

int response_set_text(Response *r, int q, const char *utf8, DbError *err)
{
    const SurveyQuestion *sq;
    int rc = question_for(r, q, SURVEY_TEXT, err, &sq);
    if (rc)
        return rc;
    assert(utf8);
    size_t len = strlen(utf8), chars = 0;
    if (len > 4 * (size_t)sq->max_length)
        return dberr_set(err, DB_EINVAL, "question \"%s\": text is longer than %d characters",
                         sq->id, sq->max_length);
    switch (utf8_check(utf8, len, true, &chars)) {
    case UTF8_INVALID:
        return dberr_set(err, DB_EINVAL, "question \"%s\": text is not valid UTF-8", sq->id);
    case UTF8_CONTROL:
        return dberr_set(err, DB_EINVAL,
                         "question \"%s\": text contains a control character other than a "
                         "line break",
                         sq->id);
    default:
        break;
    }
    if (chars > (size_t)sq->max_length)
        return dberr_set(err, DB_EINVAL, "question \"%s\": text is longer than %d characters",
                         sq->id, sq->max_length);
    Answer *a = &r->answers[q];
    answer_reset(sq, a);
    memcpy(a->text, utf8, len); /* the rest of the buffer was zeroed by answer_reset */
    a->state = len ? ANSWER_GIVEN : ANSWER_NONE;
    return DB_OK;
}

int response_decline(Response *r, int q, DbError *err)
{
    assert(r && q >= 0 && q < r->survey->n_questions);
    dberr_clear(err);
    const SurveyQuestion *sq = &r->survey->questions[q];
    if (!sq->prefer_not)
        return dberr_set(err, DB_EINVAL, "question \"%s\" does not offer \"prefer not to answer\"",
                         sq->id);
    answer_reset(sq, &r->answers[q]);
    r->answers[q].state = ANSWER_DECLINED;
    return DB_OK;
}

void response_unset(Response *r, int q)
{
    assert(r && q >= 0 && q < r->survey->n_questions);
    answer_reset(&r->survey->questions[q], &r->answers[q]);
}

size_t response_utf8_chars(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s), count = 0;
    for (size_t i = 0; i < n; count++) {
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        i += k ? k : 1;
    }
    return count;
}

/* ---- encoding ---- */

typedef struct Writer {
    uint8_t *out;
    size_t cap, len; /* len keeps counting past cap, to report the size needed */
} Writer;

static void put(Writer *w, const void *p, size_t n)
{
    if (w->len + n <= w->cap)
        memcpy(w->out + w->len, p, n);
    w->len += n;
}

static void put_u8(Writer *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(w, &b, 1);
}

static void put_u16(Writer *w, unsigned v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 2);
}

static void put_u32(Writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 4);
}

static void put_str8(Writer *w, const char *s)
{
    size_t n = strlen(s);
    assert(n <= 255);
    put_u8(w, (unsigned)n);
    put(w, s, n);
}

int response_encode(const Response *r, const ResponseContext *ctx, uint8_t *out, size_t cap,
                    size_t *len, DbError *err)
{
    assert(r && ctx && len && (out || cap == 0));
    dberr_clear(err);
    *len = 0;
    const Survey *s = r->survey;
    int rc = session_label_check(ctx->session_label,
                                 ctx->session_label ? strlen(ctx->session_label) : 0, err);
    if (rc == DB_OK)
        rc = session_date_check(ctx->session_date,
                                ctx->session_date ? strlen(ctx->session_date) : 0, err);
    if (rc != DB_OK)
        return rc;

    bool vis[SURVEY_MAX_QUESTIONS];
    response_visibility(r, vis);
    Writer w = {out, cap, 0};
    put(&w, RESPONSE_MAGIC, 4);
    put_u8(&w, RESPONSE_FORMAT_VERSION);
    put_str8(&w, s->id);
    put_u32(&w, s->version);
    put_str8(&w, s->lang_codes[r->lang]);
    put_str8(&w, ctx->session_label);
    put_str8(&w, ctx->session_date);
    put_u16(&w, (unsigned)s->n_questions);
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        const Answer *a = &r->answers[q];
        put_str8(&w, sq->id);
        /* Hidden answers and answers that break the rules are not written: a hidden one is
         * "none" by definition; a rule-breaking one is an unfinished state (e.g. one option
         * ticked of a multiple choice that needs two), which the kiosk never submits. */
        AnswerState state = vis[q] ? a->state : ANSWER_NONE;
        if (state == ANSWER_GIVEN && !answer_ok(sq, a))
            state = ANSWER_NONE;
        if (state == ANSWER_DECLINED && !sq->prefer_not)
            state = ANSWER_NONE;
        put_u8(&w, (unsigned)state);
        if (state != ANSWER_GIVEN)
            continue;
        put_u8(&w, (unsigned)sq->kind);
        switch (sq->kind) {
        case SURVEY_LIKERT:
            put_u8(&w, (unsigned)a->value);
            break;
        case SURVEY_SINGLE:
            put_str8(&w, sq->options[a->value].id);
            break;
        case SURVEY_MULTI:
            put_u8(&w, (unsigned)popcount32(a->chosen));
            for (int o = 0; o < sq->n_options; o++)
                if (a->chosen & (1u << o))
                    put_str8(&w, sq->options[o].id);
            break;
        case SURVEY_TEXT: {
            size_t n = strlen(a->text);
            put_u16(&w, (unsigned)n);
            put(&w, a->text, n);
            break;
        }
        }
    }
    if (w.len > cap) {
        if (out)
            secmem_wipe(out, cap); /* a partial encoding holds answers */
        return dberr_set(err, DB_ELIMIT, "response encoding needs %zu bytes; buffer holds %zu",
                         w.len, cap);
    }
    *len = w.len;
    return DB_OK;
}

/* ---- decoding ---- */

typedef struct Reader {
    const uint8_t *p;
    size_t len, off;
    DbError *err;
} Reader;

static int bad(Reader *rd, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(Reader *rd, size_t off, const char *fmt, ...)
{
    char what[DBERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return dberr_set(rd->err, DB_EFORMAT, "response plaintext: offset %zu: %s", off, what);
}

static int get_fixed(Reader *rd, size_t n, const char *what, const uint8_t **out)
{
    if (rd->len - rd->off < n)
        return bad(rd, rd->off, "%s runs past the end (len %zu)", what, rd->len);
    *out = rd->p + rd->off;
    rd->off += n;
    return DB_OK;
}

static int get_u8(Reader *rd, const char *what, unsigned *v)
{
    const uint8_t *b = NULL;
    int rc = get_fixed(rd, 1, what, &b);
    if (!rc)
        *v = b[0];
    return rc;
}

/* A length-prefixed field: u8 (wide false) or u16 (wide true) length, then the bytes. */
static int get_counted(Reader *rd, bool wide, const char *what, size_t *n, const uint8_t **out,
                       size_t *at)
{
    *at = rd->off;
    const uint8_t *b = NULL;
    int rc = get_fixed(rd, wide ? 2 : 1, what, &b);
    if (rc)
        return rc;
    *n = wide ? ((size_t)b[0] << 8 | b[1]) : b[0];
    if (rd->len - rd->off < *n)
        return bad(rd, *at, "%s length %zu runs past the end (len %zu)", what, *n, rd->len);
    *out = rd->p + rd->off;
    rd->off += *n;
    return DB_OK;
}

/* An id field copied into dst (SURVEY_MAX_ID + 1 bytes). */
static int get_id(Reader *rd, const char *what, char *dst)
{
    size_t n, at;
    const uint8_t *b = NULL;
    int rc = get_counted(rd, false, what, &n, &b, &at);
    if (rc)
        return rc;
    if (!session_is_id((const char *)b, n))
        return bad(rd, at, "%s is not an id", what);
    memcpy(dst, b, n);
    dst[n] = '\0';
    return DB_OK;
}

static bool is_lang_bytes(const uint8_t *b, size_t n)
{
    if (n < 1 || n > SURVEY_MAX_ID)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= 'A' && b[i] <= 'Z') ||
              (b[i] >= '0' && b[i] <= '9') || b[i] == '-'))
            return false;
    return true;
}

static int decode_header(Reader *rd, DecodedResponse *d)
{
    const uint8_t *b = NULL;
    size_t n, at;
    unsigned v;
    int rc;
    if ((rc = get_fixed(rd, 4, "magic", &b)))
        return rc;
    if (memcmp(b, RESPONSE_MAGIC, 4) != 0)
        return bad(rd, 0, "not a response (magic is not \"DBRP\")");
    if ((rc = get_u8(rd, "version", &v)))
        return rc;
    if (v != RESPONSE_FORMAT_VERSION)
        return bad(rd, 4, "version %u is not supported (this program reads %d)", v,
                   RESPONSE_FORMAT_VERSION);
    if ((rc = get_id(rd, "survey id", d->survey_id)))
        return rc;
    if ((rc = get_fixed(rd, 4, "survey version", &b)))
        return rc;
    d->survey_version = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    if ((rc = get_counted(rd, false, "language", &n, &b, &at)))
        return rc;
    if (!is_lang_bytes(b, n))
        return bad(rd, at, "language is not a language tag");
    memcpy(d->lang, b, n);
    d->lang[n] = '\0';
    if ((rc = get_counted(rd, false, "session label", &n, &b, &at)))
        return rc;
    DbError field;
    if (session_label_check((const char *)b, n, &field) != DB_OK)
        return bad(rd, at, "%s", field.msg);
    memcpy(d->session_label, b, n);
    d->session_label[n] = '\0';
    if ((rc = get_counted(rd, false, "session date", &n, &b, &at)))
        return rc;
    if (session_date_check((const char *)b, n, &field) != DB_OK)
        return bad(rd, at, "%s", field.msg);
    memcpy(d->session_date, b, n);
    d->session_date[n] = '\0';
    at = rd->off;
    if ((rc = get_fixed(rd, 2, "answer count", &b)))
        return rc;
    n = (size_t)b[0] << 8 | b[1];
    if (n < 1 || n > SURVEY_MAX_QUESTIONS)
        return bad(rd, at, "answer count %zu is not 1 to %d", n, SURVEY_MAX_QUESTIONS);
    d->n_answers = (int)n;
    return DB_OK;
}

static int decode_answer(Reader *rd, DecodedAnswer *a)
{
    unsigned v;
    size_t at, n;
    const uint8_t *b = NULL;
    int rc;
    if ((rc = get_id(rd, "question id", a->question_id)))
        return rc;
    at = rd->off;
    if ((rc = get_u8(rd, "answer state", &v)))
        return rc;
    if (v > ANSWER_GIVEN)
        return bad(rd, at, "answer state %u is not 0, 1 or 2", v);
    a->state = (AnswerState)v;
    if (a->state != ANSWER_GIVEN)
        return DB_OK;
    at = rd->off;
    if ((rc = get_u8(rd, "answer kind", &v)))
        return rc;
    if (v < SURVEY_LIKERT || v > SURVEY_TEXT)
        return bad(rd, at, "answer kind %u is not 1 to 4", v);
    a->kind = (SurveyKind)v;
    switch (a->kind) {
    case SURVEY_LIKERT:
        at = rd->off;
        if ((rc = get_u8(rd, "likert value", &v)))
            return rc;
        if (v < 1 || v > SURVEY_MAX_SCALE)
            return bad(rd, at, "likert value %u is not 1 to %d", v, SURVEY_MAX_SCALE);
        a->likert = (int)v;
        return DB_OK;
    case SURVEY_SINGLE:
        a->n_options = 1;
        return get_id(rd, "option id", a->option_ids[0]);
    case SURVEY_MULTI:
        at = rd->off;
        if ((rc = get_u8(rd, "option count", &v)))
            return rc;
        if (v < 1 || v > SURVEY_MAX_OPTIONS)
            return bad(rd, at, "option count %u is not 1 to %d", v, SURVEY_MAX_OPTIONS);
        a->n_options = (int)v;
        for (int i = 0; i < a->n_options; i++)
            if ((rc = get_id(rd, "option id", a->option_ids[i])))
                return rc;
        return DB_OK;
    case SURVEY_TEXT:
        if ((rc = get_counted(rd, true, "text", &n, &b, &at)))
            return rc;
        if (n == 0)
            return bad(rd, at, "text is empty (an empty text is encoded as no answer)");
        switch (utf8_check((const char *)b, n, true, NULL)) {
        case UTF8_INVALID:
            return bad(rd, at, "text is not valid UTF-8");
        case UTF8_CONTROL:
            return bad(rd, at, "text contains a control character other than a line break");
        default:
            break;
        }
        if (!(a->text = malloc(n + 1)))
            return dberr_set(rd->err, DB_ENOMEM, "out of memory decoding a response");
        memcpy(a->text, b, n);
        a->text[n] = '\0';
        return DB_OK;
    }
    return DB_OK;
}

int response_decode(const uint8_t *data, size_t len, DecodedResponse **out, DbError *err)
{
    assert(out && (data || len == 0));
    *out = NULL;
    dberr_clear(err);
    Reader rd = {data, len, 0, err};
    DecodedResponse *d = calloc(1, sizeof *d);
    if (!d)
        return dberr_set(err, DB_ENOMEM, "out of memory decoding a response");
    int rc = decode_header(&rd, d);
    if (!rc && !(d->answers = calloc((size_t)d->n_answers, sizeof *d->answers)))
        rc = dberr_set(err, DB_ENOMEM, "out of memory decoding a response");
    for (int i = 0; !rc && i < d->n_answers; i++)
        rc = decode_answer(&rd, &d->answers[i]);
    if (!rc && rd.off != len)
        rc = bad(&rd, rd.off, "%zu trailing bytes after the last answer", len - rd.off);
    if (rc) {
        response_decoded_free(d);
        return rc;
    }
    *out = d;
    return DB_OK;
}

void response_decoded_free(DecodedResponse *d)
{
    if (!d)
        return;
    if (d->answers) {
        for (int i = 0; i < d->n_answers; i++) {
            if (d->answers[i].text) {
                secmem_wipe(d->answers[i].text, strlen(d->answers[i].text));
                free(d->answers[i].text);
            }
        }
        secmem_wipe(d->answers, (size_t)d->n_answers * sizeof *d->answers);
        free(d->answers);
    }
    secmem_wipe(d, sizeof *d);
    free(d);
}

/* ---- checking a decoded response against its survey ---- */

static int check_answer(const DecodedAnswer *a, const SurveyQuestion *q, AnswerBits *bits,
                        DbError *err)
{
    bits->given = false;
    bits->bits = 0;
    if (a->state == ANSWER_NONE)
        return DB_OK;
    if (a->state == ANSWER_DECLINED)
        return q->prefer_not ? DB_OK
                             : dberr_set(err, DB_EFORMAT,
                                         "question \"%s\": declined, but the question does not "
                                         "offer \"prefer not to answer\"",
                                         q->id);
    if (a->kind != q->kind)
        return dberr_set(err, DB_EFORMAT, "question \"%s\": answer kind does not match the survey",
                         q->id);
    bits->given = true;
    switch (q->kind) {
    case SURVEY_LIKERT:
        if (a->likert < 1 || a->likert > q->scale)
            return dberr_set(err, DB_EFORMAT, "question \"%s\": value outside the %d-point scale",
                             q->id, q->scale);
        bits->bits = 1u << (a->likert - 1);
        return DB_OK;
    case SURVEY_SINGLE:
    case SURVEY_MULTI: {
        int last = -1;
        for (int i = 0; i < a->n_options; i++) {
            int o = survey_find_option(q, a->option_ids[i]);
            if (o < 0)
                return dberr_set(err, DB_EFORMAT, "question \"%s\": unknown option id", q->id);
            if (o <= last)
                return dberr_set(err, DB_EFORMAT,
                                 "question \"%s\": options repeated or not in survey order", q->id);
            last = o;
            bits->bits |= 1u << o;
        }
        if (q->kind == SURVEY_SINGLE && a->n_options != 1)
            return dberr_set(err, DB_EFORMAT, "question \"%s\": a single choice needs one option",
                             q->id);
        int min = q->min_choices > 1 ? q->min_choices : 1;
        if (q->kind == SURVEY_MULTI && (a->n_options < min || a->n_options > q->max_choices))
            return dberr_set(err, DB_EFORMAT,
                             "question \"%s\": %d options chosen, allowed %d to %d", q->id,
                             a->n_options, min, q->max_choices);
        return DB_OK;
    }
    case SURVEY_TEXT:
        if (!a->text || response_utf8_chars(a->text) > (size_t)q->max_length)
            return dberr_set(err, DB_EFORMAT, "question \"%s\": text longer than %d characters",
                             q->id, q->max_length);
        return DB_OK;
    }
    return DB_OK;
}

int response_decoded_check(const DecodedResponse *d, const Survey *s, DbError *err)
{
    assert(d && s);
    dberr_clear(err);
    if (strcmp(d->survey_id, s->id) != 0 || d->survey_version != s->version)
        return dberr_set(err, DB_EFORMAT,
                         "response is for survey \"%s\" version %u, not \"%s\" version %u",
                         d->survey_id, d->survey_version, s->id, s->version);
    if (survey_find_lang(s, d->lang) < 0)
        return dberr_set(err, DB_EFORMAT, "response language \"%s\" is not in the survey", d->lang);
    if (d->n_answers != s->n_questions)
        return dberr_set(err, DB_EFORMAT, "response has %d answers; the survey has %d questions",
                         d->n_answers, s->n_questions);
    AnswerBits bits[SURVEY_MAX_QUESTIONS];
    bool vis[SURVEY_MAX_QUESTIONS];
    int rc = DB_OK;
    for (int q = 0; q < s->n_questions && !rc; q++) {
        if (strcmp(d->answers[q].question_id, s->questions[q].id) != 0)
            rc = dberr_set(err, DB_EFORMAT,
                           "answer %d is for question \"%s\"; the survey has \"%s\"", q,
                           d->answers[q].question_id, s->questions[q].id);
        else
            rc = check_answer(&d->answers[q], &s->questions[q], &bits[q], err);
    }
    if (!rc) {
        compute_visibility(s, bits, vis);
        for (int q = 0; q < s->n_questions && !rc; q++) {
            const SurveyQuestion *sq = &s->questions[q];
            if (!vis[q] && d->answers[q].state != ANSWER_NONE)
                rc = dberr_set(err, DB_EFORMAT,
                               "question \"%s\": answered although its show-if condition hides it",
                               sq->id);
            else if (vis[q] && sq->required && d->answers[q].state == ANSWER_NONE)
                rc = dberr_set(err, DB_EFORMAT, "question \"%s\": required but not answered",
                               sq->id);
        }
    }
    secmem_wipe(bits, sizeof bits);
    return rc;
}
