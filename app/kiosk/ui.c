/* ui: draw list, wrapping, hit targets and the rotation mapping (see ui.h). */
#include "ui.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"

/* ---- remembered widths ----
 *
 * An open-addressed table of (size, flags, text) -> width with its texts, in locked memory,
 * in two halves: when the epoch changes (another participant), ui_frame_begin moves the
 * entries marked public into the other half and wipes the one it leaves. An entry is public once it
 * has been measured as part of text being laid out to be drawn openly (its bytes inside [pub_lo,
 * pub_hi), set by ui_text_box and ui_text_run when the flags have neither UI_TEXT_SECRET nor
 * UI_TEXT_ANSWER); the table never searches text for that. Full: everything is wiped and measuring
 * starts over. */

#define MEMO_SLOTS 1024 /* a power of two; at most 3/4 used */
#define MEMO_TEXT (32 * 1024)

typedef struct MemoSlot {
    uint64_t hash; /* 0: empty */
    uint32_t off, len;
    int size, flags, w, pub;
} MemoSlot;

typedef struct MemoHalf {
    MemoSlot slot[MEMO_SLOTS];
    char text[MEMO_TEXT];
    size_t used;
    int n, n_private;
} MemoHalf;

struct UiMemo {
    MemoHalf half[2];
    int cur;
    uint32_t epoch; /* the participant whose words the private entries may hold */
};

static uint64_t memo_hash(const char *s, size_t len, int size, int flags)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    h = (h ^ (uint64_t)(unsigned)size) * 1099511628211ull;
    h = (h ^ (uint64_t)(unsigned)flags) * 1099511628211ull;
    return h ? h : 1;
}

/* The slot holding the text, or the empty slot where it goes. */
static MemoSlot *memo_find(MemoHalf *m, uint64_t h, const char *s, size_t len, int size, int flags)
{
    for (size_t i = h & (MEMO_SLOTS - 1);; i = (i + 1) & (MEMO_SLOTS - 1)) {
        MemoSlot *e = &m->slot[i];
        if (!e->hash || (e->hash == h && e->size == size && e->flags == flags && e->len == len &&
                         memcmp(m->text + e->off, s, len) == 0))
            return e;
    }
}

static void memo_wipe(MemoHalf *m)
{
    secmem_wipe(m->slot, sizeof m->slot);
    secmem_wipe(m->text, m->used);
    m->used = 0;
    m->n = m->n_private = 0;
}

static MemoSlot *memo_put(MemoHalf *m, uint64_t h, const char *s, size_t len, int size, int flags,
                          int w, int pub)
{
    if (m->n + 1 > MEMO_SLOTS / 4 * 3 || m->used + len > MEMO_TEXT)
        memo_wipe(m);
    if (len > MEMO_TEXT)
        return NULL;
    MemoSlot *e = memo_find(m, h, s, len, size, flags);
    memcpy(m->text + m->used, s, len);
    *e = (MemoSlot){h, (uint32_t)m->used, (uint32_t)len, size, flags, w, pub};
    m->used += len;
    m->n++;
    m->n_private += !pub;
    return e;
}

size_t ui_piece_len(const char *s, size_t len)
{
    enum { PIECE_MAX = 12 };
    size_t i = 0;
    while (i < len) {
        size_t n = ui_utf8_len(s + i, len - i);
        if (i > 0 && i + n > PIECE_MAX)
            break;
        i += n;
        unsigned char c = (unsigned char)s[i - 1];
        if (n == 1 && (c == ' ' || (c >= '0' && c <= '9')))
            break;
    }
    return i;
}

static int memo_width(void *ctx, int size, int flags, const char *s, size_t len)
{
    UiFrame *f = ctx;
    if ((flags & UI_TEXT_SECRET) && len > 0 && ui_piece_len(s, len) < len) {
        int w = 0; /* as the backend draws it: piece by piece */
        for (size_t i = 0, n; i < len; i += n) {
            n = ui_piece_len(s + i, len - i);
            w += memo_width(ctx, size, flags, s + i, n);
        }
        return w;
    }
    if (!f->memo)
        return f->measure.width(f->measure.ctx, size, flags, s, len);
    MemoHalf *m = &f->memo->half[f->memo->cur];
    uintptr_t a = (uintptr_t)s, lo = (uintptr_t)f->pub_lo, hi = (uintptr_t)f->pub_hi;
    int pub = lo && a >= lo && a + len <= hi;
    uint64_t h = memo_hash(s, len, size, flags);
    MemoSlot *e = memo_find(m, h, s, len, size, flags);
    if (e->hash) {
        if (pub && !e->pub) {
            e->pub = 1;
            m->n_private--;
        }
        return e->w;
    }
    int w = f->measure.width(f->measure.ctx, size, flags, s, len);
    memo_put(m, h, s, len, size, flags, w, pub);
    return w;
}

static int memo_line_height(void *ctx, int size, int flags)
{
    UiFrame *f = ctx;
    return f->measure.line_height(f->measure.ctx, size, flags);
}

/* Keeps the public entries, wipes the others. */
static void memo_sweep(struct UiMemo *memo)
{
    MemoHalf *from = &memo->half[memo->cur], *to = &memo->half[!memo->cur];
    if (from->n_private == 0)
        return;
    memo_wipe(to);
    for (size_t i = 0; i < MEMO_SLOTS; i++) {
        const MemoSlot *e = &from->slot[i];
        if (e->hash && e->pub)
            memo_put(to, e->hash, from->text + e->off, e->len, e->size, e->flags, e->w, 1);
    }
    memo_wipe(from);
    memo->cur = !memo->cur;
}

/* Marks text s..s+len as being laid out to be drawn openly (unless flags say SECRET or
 * ANSWER); returns the previous mark, for pub_restore. */
static const char *pub_mark(UiFrame *f, int flags, const char *s, size_t len, const char **hi)
{
    const char *lo = f->pub_lo;
    *hi = f->pub_hi;
    if (!(flags & (UI_TEXT_SECRET | UI_TEXT_ANSWER))) {
        f->pub_lo = s;
        f->pub_hi = s + len;
    } else {
        f->pub_lo = f->pub_hi = NULL;
    }
    return lo;
}

static void pub_restore(UiFrame *f, const char *lo, const char *hi)
{
    f->pub_lo = lo;
    f->pub_hi = hi;
}

UiFrame *ui_frame_new(UiMeasure m)
{
    UiFrame *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->arena = secmem_alloc(UI_TEXT_ARENA);
    if (!f->arena) {
        free(f);
        return NULL;
    }
    f->measure = m;
    f->memo = secmem_alloc(sizeof *f->memo); /* NULL: measure every time */
    if (f->memo)
        f->memo->epoch = f->epoch;
    f->m = (UiMeasure){memo_width, memo_line_height, f};
    return f;
}

void ui_frame_free(UiFrame *f)
{
    if (!f)
        return;
    secmem_free(f->memo);
    secmem_free(f->arena);
    free(f);
}

int ui_frame_memo_holds(const UiFrame *f, const char *s)
{
    size_t n = strlen(s);
    if (!f->memo || n == 0)
        return 0;
    for (int i = 0; i < 2; i++) {
        const char *t = f->memo->half[i].text;
        for (size_t j = 0; j + n <= MEMO_TEXT; j++)
            if (t[j] == s[0] && memcmp(t + j, s, n) == 0)
                return 1;
    }
    return 0;
}

void ui_frame_begin(UiFrame *f, int w, int h)
{
    secmem_wipe(f->arena, f->arena_used);
    if (f->memo && f->memo->epoch != f->epoch) { /* another participant: forget the last */
        memo_sweep(f->memo);
        f->memo->epoch = f->epoch;
    }
    f->pub_lo = f->pub_hi = NULL;
    f->arena_used = 0;
    f->w = w;
    f->h = h;
    f->n_cmds = f->n_targets = f->n_labels = 0;
    f->overflow = 0;
}

static UiCmd *push_cmd(UiFrame *f)
{
    if (f->n_cmds >= UI_MAX_CMDS) {
        f->overflow = 1;
        return NULL;
    }
    UiCmd *c = &f->cmds[f->n_cmds++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Copies len bytes into the arena, NUL-terminated; returns the offset or (size_t)-1. */
static size_t arena_put(UiFrame *f, const char *s, size_t len)
{
    if (f->arena_used + len + 1 > UI_TEXT_ARENA) {
        f->overflow = 1;
        return (size_t)-1;
    }
    size_t off = f->arena_used;
    memcpy(f->arena + off, s, len);
    f->arena[off + len] = '\0';
    f->arena_used += len + 1;
    return off;
}

void ui_rect(UiFrame *f, UiRect r, UiColor c)
{
    UiCmd *cmd = push_cmd(f);
    if (!cmd)
        return;
    cmd->kind = UI_CMD_RECT;
    cmd->r = r;
    cmd->color = c;
}

void ui_frame_border(UiFrame *f, UiRect r, int thickness, UiColor c)
{
    UiCmd *cmd = push_cmd(f);
    if (!cmd)
        return;
    cmd->kind = UI_CMD_FRAME;
    cmd->r = r;
    cmd->color = c;
    cmd->thickness = thickness;
}

int ui_text_run(UiFrame *f, int x, int y, int size, int flags, UiColor c, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    const char *hi, *lo = pub_mark(f, flags, s, len, &hi);
    int w = f->m.width(f->m.ctx, size, flags, s, len);
    pub_restore(f, lo, hi);
    size_t off = arena_put(f, s, len);
    UiCmd *cmd = off == (size_t)-1 ? NULL : push_cmd(f);
    if (!cmd)
        return w;
    cmd->kind = UI_CMD_TEXT;
    cmd->r = (UiRect){x, y, w, f->m.line_height(f->m.ctx, size, flags)};
    cmd->color = c;
    cmd->size = size;
    cmd->flags = flags;
    cmd->text = off;
    cmd->len = len;
    return w;
}

size_t ui_utf8_len(const char *s, size_t avail)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 1;
    if (n > avail)
        return 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* Finds the end of the next line of s (starting at s[0]) that fits width w.
 * *next is where the following line starts (spaces/newline skipped). Lines break at spaces
 * and after a hyphen ("half-|day", fingerprints between their groups). A word wider than w
 * is broken inside: with a hyphen drawn at the end of the line (*hyph = 1, its width
 * counted) and at least two characters on each side where possible, except in the
 * participant's own text (UI_TEXT_SECRET), which is cut between characters as typed.
 * *inside is set when the word was broken (a layout that wants whole words treats that as
 * not fitting). */
static size_t wrap_line(const UiMeasure *m, const char *s, size_t len, int size, int flags, int w,
                        size_t *next, int *hyph, int *inside)
{
    *hyph = *inside = 0;
    size_t nl = len;
    const char *p = memchr(s, '\n', len);
    if (p)
        nl = (size_t)(p - s);
    if (m->width(m->ctx, size, flags, s, nl) <= w) {
        *next = p ? nl + 1 : nl;
        return nl;
    }
    /* Longest prefix ending at a space, or just after a hyphen inside a word, that fits. */
    size_t best = 0;
    for (size_t i = 1; i < nl; i++) {
        int at_space = s[i] == ' ' && s[i - 1] != ' ';
        int after_hyphen = s[i - 1] == '-' && s[i] != ' ' && i >= 2 && s[i - 2] != ' ';
        if (at_space || after_hyphen) {
            if (m->width(m->ctx, size, flags, s, i) <= w)
                best = i;
            else
                break;
        }
    }
    if (best == 0) {
        /* One word wider than the box: break inside it (at least one character). */
        int hw = (flags & UI_TEXT_SECRET) ? 0 : m->width(m->ctx, size, flags, "-", 1);
        size_t i = ui_utf8_len(s, nl), chars = 1;
        best = i;
        size_t prev_best = 0; /* one character before best, to leave two on the line */
        while (i < nl) {
            size_t n = ui_utf8_len(s + i, nl - i);
            if (m->width(m->ctx, size, flags, s, i + n) + hw > w)
                break;
            prev_best = best;
            i += n;
            best = i;
            chars++;
        }
        *inside = 1;
        if (hw) {
            /* Not a single letter left behind on the next line: "Absende|n" -> "Absen-|den". */
            size_t word_end = best;
            while (word_end < nl && s[word_end] != ' ')
                word_end++;
            size_t rest = 0;
            for (size_t j = best; j < word_end; j += ui_utf8_len(s + j, word_end - j))
                rest++;
            if (rest == 1 && chars > 2 && prev_best > 0)
                best = prev_best;
            *hyph = 1;
        }
    }
    size_t j = best;
    while (j < nl && s[j] == ' ')
        j++;
    if (j == nl && p)
        j++;
    *next = j;
    return best;
}

int ui_wrap_measure(const UiMeasure *m, const char *s, int size, int flags, int w, int *height)
{
    size_t len = strlen(s), pos = 0;
    int lines = 0;
    while (pos < len || lines == 0) {
        size_t next;
        int hy, in;
        wrap_line(m, s + pos, len - pos, size, flags, w, &next, &hy, &in);
        lines++;
        if (next == 0)
            break;
        pos += next;
    }
    *height = lines * m->line_height(m->ctx, size, flags);
    return lines;
}

int ui_wrap_lines(const UiMeasure *m, const char *s, size_t len, int size, int flags, int w,
                  size_t *starts, size_t *lens, int max)
{
    size_t pos = 0;
    int lines = 0;
    while (pos < len || lines == 0) {
        size_t next;
        int hy, in;
        size_t n = wrap_line(m, s + pos, len - pos, size, flags, w, &next, &hy, &in);
        if (lines < max) {
            starts[lines] = pos;
            lens[lines] = n;
        }
        lines++;
        if (next == 0)
            break;
        pos += next;
    }
    /* A trailing newline starts an empty last line (where the caret goes). */
    if (len > 0 && s[len - 1] == '\n') {
        if (lines < max) {
            starts[lines] = len;
            lens[lines] = 0;
        }
        lines++;
    }
    return lines;
}

void ui_label_add(UiFrame *f, UiRect r, const char *s, size_t len, int target, int clipped)
{
    if (f->n_labels >= UI_MAX_LABELS) {
        f->overflow = 1;
        return;
    }
    size_t off = arena_put(f, s, len);
    if (off == (size_t)-1)
        return;
    UiLabel *l = &f->labels[f->n_labels++];
    l->text = off;
    l->r = r;
    l->target = target;
    l->clipped = clipped;
    l->broken = 0;
}

int ui_text_box(UiFrame *f, UiRect box, int size, int flags, UiColor c, int align,
                int valign_center, const char *s, int target)
{
    int lh = f->m.line_height(f->m.ctx, size, flags);
    int height = 0, lines = 0;
    size_t len = strlen(s), pos = 0;
    const char *hi, *lo = pub_mark(f, flags, s, len, &hi);
    if (valign_center) /* else the lines drawn give the height: one wrap, not two */
        ui_wrap_measure(&f->m, s, size, flags, box.w, &height);
    int y = box.y;
    if (valign_center && height < box.h)
        y += (box.h - height) / 2;
    int top = y, maxw = 0, minx = box.x + box.w, broken = 0;
    while (pos < len) {
        lines++;
        size_t next;
        int hyph, inside;
        size_t n = wrap_line(&f->m, s + pos, len - pos, size, flags, box.w, &next, &hyph, &inside);
        broken |= inside;
        char line[512];
        const char *ls = s + pos;
        size_t ll = n;
        if (hyph && n + 2 <= sizeof line) { /* the line with its hyphen */
            memcpy(line, s + pos, n);
            line[n] = '-';
            ls = line;
            ll = n + 1;
        }
        int lw = f->m.width(f->m.ctx, size, flags, ls, ll);
        int x = box.x;
        if (align == UI_ALIGN_CENTER)
            x += (box.w - lw) / 2;
        else if (align == UI_ALIGN_RIGHT)
            x += box.w - lw;
        ui_text_run(f, x, y, size, flags, c, ls, ll);
        if (ls == line)
            secmem_wipe(line, ll);
        if (lw > maxw)
            maxw = lw;
        if (x < minx)
            minx = x;
        y += lh;
        if (next == 0)
            break;
        pos += next;
    }
    pub_restore(f, lo, hi);
    if (!valign_center)
        height = (lines ? lines : 1) * lh; /* as ui_wrap_measure counts */
    if (f->n_labels < UI_MAX_LABELS) {
        size_t off = arena_put(f, s, len);
        if (off != (size_t)-1) {
            UiLabel *l = &f->labels[f->n_labels++];
            l->text = off;
            l->r = (UiRect){minx, top, maxw, y - top};
            l->target = target;
            l->clipped = height > box.h || maxw > box.w;
            l->broken = broken && !(flags & UI_TEXT_SECRET);
        }
    } else {
        f->overflow = 1;
    }
    return height;
}

int ui_target(UiFrame *f, UiRect r, int action, int arg, int enabled)
{
    if (f->n_targets >= UI_MAX_TARGETS) {
        f->overflow = 1;
        return -1;
    }
    f->targets[f->n_targets] = (UiTarget){r, action, arg, enabled};
    return f->n_targets++;
}

int ui_frame_hit(const UiFrame *f, int x, int y)
{
    for (int i = f->n_targets - 1; i >= 0; i--)
        if (ui_rect_contains(f->targets[i].r, x, y))
            return i;
    return -1;
}

static int label_enabled(const UiFrame *f, int i)
{
    int t = f->labels[i].target;
    return t >= 0 && f->targets[t].enabled;
}

int ui_frame_find_label(const UiFrame *f, const char *text)
{
    int exact = -1, n_exact = 0, exact_on = -1, n_exact_on = 0;
    int prefix = -1, n_prefix = 0;
    size_t tl = strlen(text);
    for (int i = 0; i < f->n_labels; i++) {
        const char *s = ui_label_text(f, i);
        if (strcmp(s, text) == 0) {
            exact = i;
            n_exact++;
            if (label_enabled(f, i)) {
                exact_on = i;
                n_exact_on++;
            }
        } else if (strncmp(s, text, tl) == 0) {
            prefix = i;
            n_prefix++;
        }
    }
    if (n_exact == 1)
        return exact;
    if (n_exact > 1)
        return n_exact_on == 1 ? exact_on : -2;
    if (n_prefix == 1)
        return prefix;
    return n_prefix > 1 ? -2 : -1;
}

int ui_frame_check(const UiFrame *f, char *msg, size_t cap)
{
    UiRect screen = {0, 0, f->w, f->h};
    int n = 0;
    msg[0] = '\0';
#define PROBLEM(...)                                                                               \
    do {                                                                                           \
        if (n++ == 0)                                                                              \
            snprintf(msg, cap, __VA_ARGS__);                                                       \
    } while (0)
    if (f->overflow)
        PROBLEM("more than a frame holds");
    for (int i = 0; i < f->n_targets; i++) {
        UiRect a = f->targets[i].r;
        if (a.w < UI_MIN_TARGET || a.h < UI_MIN_TARGET)
            PROBLEM("a target is %dx%d px, under the %d px minimum", a.w, a.h, UI_MIN_TARGET);
        else if (!ui_rect_inside(a, screen))
            PROBLEM("a target at %d,%d is off screen", a.x, a.y);
        if (a.w == f->w && a.x == 0 && a.y <= 0)
            continue; /* "tap anywhere" */
        for (int j = i + 1; j < f->n_targets; j++) {
            UiRect b = f->targets[j].r;
            if (!(b.w == f->w && b.x == 0 && b.y <= 0) && ui_rect_overlap(a, b))
                PROBLEM("targets overlap at %d,%d", b.x > a.x ? b.x : a.x, b.y > a.y ? b.y : a.y);
        }
    }
    for (int i = 0; i < f->n_labels; i++) {
        const UiLabel *l = &f->labels[i];
        const char *t = ui_label_text(f, i);
        if (l->clipped)
            PROBLEM("text does not fit: \"%.60s\"", t);
        else if (l->broken)
            PROBLEM("a word is broken: \"%.60s\"", t);
        else if (!ui_rect_inside(l->r, screen))
            PROBLEM("text off screen: \"%.60s\"", t);
        else if (l->target >= 0 && !ui_rect_inside(l->r, f->targets[l->target].r))
            PROBLEM("text sticks out of its button: \"%.60s\"", t);
    }
#undef PROBLEM
    return n;
}

int ui_rect_overlap(UiRect a, UiRect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

int ui_rect_inside(UiRect inner, UiRect outer)
{
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}

void ui_logical_size(int rotation, int phys_w, int phys_h, int *lw, int *lh)
{
    int swap = rotation == 90 || rotation == 270;
    *lw = swap ? phys_h : phys_w;
    *lh = swap ? phys_w : phys_h;
}

void ui_phys_to_logical(int rotation, int phys_w, int phys_h, int px, int py, int *lx, int *ly)
{
    switch (rotation) {
    case 90:
        *lx = py;
        *ly = phys_w - 1 - px;
        break;
    case 180:
        *lx = phys_w - 1 - px;
        *ly = phys_h - 1 - py;
        break;
    case 270:
        *lx = phys_h - 1 - py;
        *ly = px;
        break;
    default:
        assert(rotation == 0);
        *lx = px;
        *ly = py;
        break;
    }
}

void ui_logical_to_phys(int rotation, int phys_w, int phys_h, int lx, int ly, int *px, int *py)
{
    switch (rotation) {
    case 90:
        *px = phys_w - 1 - ly;
        *py = lx;
        break;
    case 180:
        *px = phys_w - 1 - lx;
        *py = phys_h - 1 - ly;
        break;
    case 270:
        *px = ly;
        *py = phys_h - 1 - lx;
        break;
    default:
        assert(rotation == 0);
        *px = lx;
        *py = ly;
        break;
    }
}
