/* osk: on-screen keyboard and UTF-8 line editor (see osk.h). */
#include "osk.h"

#include <string.h>

#include "secmem.h"

/* ---- editor ---- */

int osk_edit_init(OskEdit *e, int max_chars)
{
    memset(e, 0, sizeof *e);
    e->cap = 4 * (size_t)max_chars + 1;
    e->buf = secmem_alloc(e->cap);
    if (!e->buf)
        return -1;
    e->max_chars = max_chars;
    return 0;
}

void osk_edit_fini(OskEdit *e)
{
    secmem_free(e->buf);
    memset(e, 0, sizeof *e);
}

void osk_edit_clear(OskEdit *e)
{
    if (e->buf)
        secmem_wipe(e->buf, e->cap);
    e->len = e->caret = 0;
}

int osk_edit_chars(const OskEdit *e)
{
    int n = 0;
    for (size_t i = 0; i < e->len; i += ui_utf8_len(e->buf + i, e->len - i))
        n++;
    return n;
}

void osk_edit_set(OskEdit *e, const char *utf8)
{
    osk_edit_clear(e);
    if (utf8)
        osk_edit_insert(e, utf8);
}

int osk_edit_insert(OskEdit *e, const char *utf8)
{
    int chars = osk_edit_chars(e);
    size_t n = strlen(utf8);
    int all = 0;
    for (size_t i = 0; i < n;) {
        size_t k = ui_utf8_len(utf8 + i, n - i);
        unsigned char c = (unsigned char)utf8[i];
        if (k == 1 && (c < 0x20 || c == 0x7f || c >= 0x80)) { /* control or invalid byte */
            i += k;
            continue;
        }
        if (chars >= e->max_chars || e->len + k + 1 > e->cap) {
            all = -1;
            break;
        }
        memmove(e->buf + e->caret + k, e->buf + e->caret, e->len - e->caret);
        memcpy(e->buf + e->caret, utf8 + i, k);
        e->len += k;
        e->caret += k;
        e->buf[e->len] = '\0';
        chars++;
        i += k;
    }
    return all;
}

/* Start of the character before byte offset pos. */
static size_t prev_char(const OskEdit *e, size_t pos)
{
    if (pos == 0)
        return 0;
    size_t p = pos - 1;
    while (p > 0 && ((unsigned char)e->buf[p] & 0xC0) == 0x80 && pos - p < 4)
        p--;
    /* Accept it only if it really is one sequence ending at pos. */
    if (ui_utf8_len(e->buf + p, e->len - p) != pos - p)
        p = pos - 1;
    return p;
}

void osk_edit_backspace(OskEdit *e)
{
    if (e->caret == 0)
        return;
    size_t p = prev_char(e, e->caret), k = e->caret - p;
    memmove(e->buf + p, e->buf + e->caret, e->len - e->caret);
    e->len -= k;
    secmem_wipe(e->buf + e->len, k);
    e->caret = p;
}

void osk_edit_delete(OskEdit *e)
{
    if (e->caret >= e->len)
        return;
    size_t k = ui_utf8_len(e->buf + e->caret, e->len - e->caret);
    memmove(e->buf + e->caret, e->buf + e->caret + k, e->len - e->caret - k);
    e->len -= k;
    secmem_wipe(e->buf + e->len, k);
}

void osk_edit_left(OskEdit *e)
{
    e->caret = prev_char(e, e->caret);
}

void osk_edit_right(OskEdit *e)
{
    if (e->caret < e->len)
        e->caret += ui_utf8_len(e->buf + e->caret, e->len - e->caret);
}

void osk_edit_home(OskEdit *e)
{
    e->caret = 0;
}

void osk_edit_end(OskEdit *e)
{
    e->caret = e->len;
}

/* ---- keyboard ---- */

typedef struct OskKey {
    const char *lower, *upper; /* label and text inserted (upper with shift) */
    int special;
    int units; /* width in half keys (2 = one normal key) */
} OskKey;

#define K(l, u)                                                                                    \
    {                                                                                              \
        l, u, OSK_KEY_CHAR, 2                                                                      \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, NULL, 0, 0                                                                           \
    }
#define SHIFT                                                                                      \
    {                                                                                              \
        "\xE2\x87\xA7 Shift", NULL, OSK_KEY_SHIFT, 3                                               \
    }
#define BKSP                                                                                       \
    {                                                                                              \
        "\xE2\x8C\xAB", NULL, OSK_KEY_BACKSPACE, 3                                                 \
    }

/* Each page: OSK_ROWS rows of up to 11 keys, every row 20 half-units wide, so that ten keys
 * fill a row and a key stays >= 48 px wide on a 480 px screen. The letters page follows the
 * participant's layout (osk_layouts); the symbols and accents pages are shared. */
static const OskKey osk_pages[OSK_N_PAGES][OSK_ROWS][12] =
    {
        [OSK_LETTERS] =
            {
                {K("q", "Q"), K("w", "W"), K("e", "E"), K("r", "R"), K("t", "T"), K("y", "Y"),
                 K("u", "U"), K("i", "I"), K("o", "O"), K("p", "P"), END},
                {K("a", "A"), K("s", "S"), K("d", "D"), K("f", "F"), K("g", "G"), K("h", "H"),
                 K("j", "J"), K("k", "K"), K("l", "L"), K("'", "'"), END},
                {SHIFT, K("z", "Z"), K("x", "X"), K("c", "C"), K("v", "V"), K("b", "B"),
                 K("n", "N"), K("m", "M"), BKSP, END},
            },
        [OSK_SYMBOLS] =
            {
                {K("1", "1"), K("2", "2"), K("3", "3"), K("4", "4"), K("5", "5"), K("6", "6"),
                 K("7", "7"), K("8", "8"), K("9", "9"), K("0", "0"), END},
                {K("-", "-"), K("/", "/"), K(":", ":"), K(";", ";"), K("(", "("), K(")", ")"),
                 K("&", "&"), K("@", "@"), K("\"", "\""), K("?", "?"), END},
                {{"#", "#", OSK_KEY_CHAR, 3},
                 K("!", "!"),
                 K("'", "'"),
                 K("%", "%"),
                 K("+", "+"),
                 K("=", "="),
                 K("*", "*"),
                 K("\xE2\x82\xAC", "\xE2\x82\xAC"),
                 BKSP,
                 END},
            },
        [OSK_ACCENTS] =
            {
                {K("\xC3\xA9", "\xC3\x89"), K("\xC3\xA8", "\xC3\x88"), K("\xC3\xAA", "\xC3\x8A"),
                 K("\xC3\xAB", "\xC3\x8B"), K("\xC3\xA0", "\xC3\x80"), K("\xC3\xA2", "\xC3\x82"),
                 K("\xC3\xA4", "\xC3\x84"), K("\xC3\xA1", "\xC3\x81"), K("\xC3\xA3", "\xC3\x83"),
                 K("\xC3\xA5", "\xC3\x85"), END},
                {K("\xC3\xB6", "\xC3\x96"), K("\xC3\xB4", "\xC3\x94"), K("\xC3\xB3", "\xC3\x93"),
                 K("\xC3\xB2", "\xC3\x92"), K("\xC3\xB5", "\xC3\x95"), K("\xC3\xBC", "\xC3\x9C"),
                 K("\xC3\xBB", "\xC3\x9B"), K("\xC3\xBA", "\xC3\x9A"), K("\xC3\xB9", "\xC3\x99"),
                 K("\xC3\xAF", "\xC3\x8F"), END},
                {SHIFT, K("\xC3\xAE", "\xC3\x8E"), K("\xC3\xAD", "\xC3\x8D"),
                 K("\xC3\x9F", "\xC3\x9F"), K("\xC3\xA7", "\xC3\x87"), K("\xC3\xB1", "\xC3\x91"),
                 K("\xC5\x93", "\xC5\x92"), K("\xC3\xA6", "\xC3\x86"), BKSP, END},
            },
};

#define SHIFT2                                                                                     \
    {                                                                                              \
        "\xE2\x87\xA7", NULL, OSK_KEY_SHIFT, 2                                                     \
    }
#define BKSP2                                                                                      \
    {                                                                                              \
        "\xE2\x8C\xAB", NULL, OSK_KEY_BACKSPACE, 2                                                 \
    }

/* The letters of the other layouts (QWERTY is osk_pages[OSK_LETTERS]). German: QWERTZ with
 * ö where it is, ä below it and ü and ß in the bottom row (a row holds ten keys). French:
 * AZERTY with é and the apostrophe by the letters, à in the bottom row, the other accents
 * one tap away. */
static const OskKey osk_qwertz[OSK_ROWS - 1][12] = {
    {K("q", "Q"), K("w", "W"), K("e", "E"), K("r", "R"), K("t", "T"), K("z", "Z"), K("u", "U"),
     K("i", "I"), K("o", "O"), K("p", "P"), END},
    {K("a", "A"), K("s", "S"), K("d", "D"), K("f", "F"), K("g", "G"), K("h", "H"), K("j", "J"),
     K("k", "K"), K("l", "L"), K("\xC3\xB6", "\xC3\x96"), END},
    {SHIFT2, K("y", "Y"), K("x", "X"), K("c", "C"), K("v", "V"), K("b", "B"), K("n", "N"),
     K("m", "M"), K("\xC3\xA4", "\xC3\x84"), BKSP2, END},
};
static const OskKey osk_azerty[OSK_ROWS - 1][12] = {
    {K("a", "A"), K("z", "Z"), K("e", "E"), K("r", "R"), K("t", "T"), K("y", "Y"), K("u", "U"),
     K("i", "I"), K("o", "O"), K("p", "P"), END},
    {K("q", "Q"), K("s", "S"), K("d", "D"), K("f", "F"), K("g", "G"), K("h", "H"), K("j", "J"),
     K("k", "K"), K("l", "L"), K("m", "M"), END},
    {SHIFT2, K("w", "W"), K("x", "X"), K("c", "C"), K("v", "V"), K("b", "B"), K("n", "N"),
     K("'", "'"), K("\xC3\xA9", "\xC3\x89"), BKSP2, END},
};

/* The bottom row depends on the page and the layout: switches to the two other pages (on
 * QWERTZ the letters page has ü and ß instead of the accents switch, which the symbols page
 * still has), then comma, space, full stop and the caret keys. */
static void bottom_row(int page, int layout, OskKey row[9])
{
    static const OskKey letters = {"abc", NULL, OSK_KEY_PAGE_LETTERS, 3};
    static const OskKey symbols = {"?123", NULL, OSK_KEY_PAGE_SYMBOLS, 3};
    static const OskKey accents = {"\xC3\xA0\xC3\xA9", NULL, OSK_KEY_PAGE_ACCENTS, 3};
    int n = 0, space = 6;
    row[n++] = page == OSK_SYMBOLS ? letters : symbols;
    if (page == OSK_LETTERS && layout == OSK_QWERTZ) {
        row[n++] = (OskKey)K("\xC3\xBC", "\xC3\x9C");
        row[n++] = (OskKey)K("\xC3\x9F", "\xC3\x9F");
        space = 5;
    } else {
        row[n++] = page == OSK_ACCENTS ? letters : accents;
        if (page == OSK_LETTERS && layout == OSK_AZERTY) {
            row[n++] = (OskKey)K("\xC3\xA0", "\xC3\x80");
            space = 4;
        }
    }
    row[n++] = (OskKey)K(",", ",");
    row[n++] = (OskKey){"space", " ", OSK_KEY_SPACE, space};
    row[n++] = (OskKey)K(".", ".");
    row[n++] = (OskKey){"\xE2\x86\x90", NULL, OSK_KEY_LEFT, 2};
    row[n++] = (OskKey){"\xE2\x86\x92", NULL, OSK_KEY_RIGHT, 2};
    row[n] = (OskKey)END;
}

static const OskKey *key_row(int page, int layout, int row, OskKey bottom[9])
{
    if (row == OSK_ROWS - 1) {
        bottom_row(page, layout, bottom);
        return bottom;
    }
    if (page == OSK_LETTERS && layout == OSK_QWERTZ)
        return osk_qwertz[row];
    if (page == OSK_LETTERS && layout == OSK_AZERTY)
        return osk_azerty[row];
    return osk_pages[page][row];
}

/* Key codes: page * 256 + row * 16 + column. */
static const OskKey *key_for_code(int code, int layout, OskKey bottom[9])
{
    int page = code / 256, row = code / 16 % 16, col = code % 16;
    if (page < 0 || page >= OSK_N_PAGES || row >= OSK_ROWS || col >= 12)
        return NULL;
    const OskKey *r = key_row(page, layout, row, bottom);
    for (int i = 0; i <= col; i++)
        if (!r[i].lower)
            return NULL;
    return &r[col];
}

static const UiColor key_bg = {0xFF, 0xFF, 0xFF, 0xFF}, key_special_bg = {0xD8, 0xDD, 0xE6, 0xFF},
                     key_on_bg = {0x1F, 0x5F, 0xA8, 0xFF}, key_fg = {0x11, 0x11, 0x11, 0xFF},
                     key_on_fg = {0xFF, 0xFF, 0xFF, 0xFF}, key_border = {0x70, 0x75, 0x80, 0xFF},
                     board_bg = {0xC4, 0xC9, 0xD2, 0xFF},
                     key_down_bg = {0x9F, 0xB4, 0xD4, 0xFF}, key_on_down_bg = {0x12, 0x3C, 0x6E, 0xFF};

void osk_layout(UiFrame *f, UiRect area, const OskState *st, int action, int font_size,
                UiRect pressed, int *key_px)
{
    ui_rect(f, area, st->contrast ? key_on_fg : board_bg);
    /* The targets tile the keyboard edge to edge (a finger between two keys still hits one);
     * the drawn keys are inset by the gap. */
    int gap = area.w >= 700 ? 6 : 4, min_side = 1 << 30;
    for (int row = 0; row < OSK_ROWS; row++) {
        OskKey bottom[9];
        const OskKey *keys = key_row(st->page, st->layout, row, bottom);
        int units = 0;
        for (int i = 0; keys[i].lower; i++)
            units += keys[i].units;
        int x0 = area.x + (area.w * (20 - units) / 20) / 2, used = 0;
        int y = area.y + area.h * row / OSK_ROWS, y1 = area.y + area.h * (row + 1) / OSK_ROWS;
        for (int i = 0; keys[i].lower; i++) {
            int x = x0 + area.w * used / 20;
            used += keys[i].units;
            int x1 = x0 + area.w * used / 20;
            UiRect cell = {x, y, x1 - x, y1 - y};
            UiRect r = {x + gap / 2, y + gap / 2, cell.w - gap, cell.h - gap};
            int on = (keys[i].special == OSK_KEY_SHIFT && st->shift);
            int special = keys[i].special != OSK_KEY_CHAR && keys[i].special != OSK_KEY_SPACE;
            int down = pressed.w > 0 && pressed.x == cell.x && pressed.y == cell.y &&
                       pressed.w == cell.w && pressed.h == cell.h;
            UiColor special_bg = st->contrast ? key_bg : key_special_bg;
            ui_rect(f, r,
                    down ? (on ? key_on_down_bg : key_down_bg)
                    : on ? key_on_bg
                    : special ? special_bg
                              : key_bg);
            ui_frame_border(f, r, st->contrast ? 2 : 1, st->contrast ? key_fg : key_border);
            const char *label = st->shift && keys[i].upper && keys[i].special == OSK_KEY_CHAR
                                    ? keys[i].upper
                                    : keys[i].lower;
            int t = ui_target(f, cell, action, st->page * 256 + row * 16 + i, 1);
            int fs = keys[i].special == OSK_KEY_CHAR ? font_size : font_size * 4 / 5;
            UiColor fg = on ? key_on_fg : st->contrast ? (UiColor){0, 0, 0, 0xFF} : key_fg;
            ui_text_box(f, (UiRect){r.x + 2, r.y, r.w - 4, r.h}, fs, 0, fg,
                        UI_ALIGN_CENTER, 1, label, t);
            if (cell.w < min_side)
                min_side = cell.w;
            if (cell.h < min_side)
                min_side = cell.h;
        }
    }
    if (key_px)
        *key_px = min_side;
}

int osk_press(OskState *st, OskEdit *e, int code)
{
    OskKey bottom[9];
    const OskKey *k = key_for_code(code, st->layout, bottom);
    if (!k || code / 256 != st->page)
        return 0;
    switch (k->special) {
    case OSK_KEY_CHAR:
        osk_edit_insert(e, st->shift && k->upper ? k->upper : k->lower);
        st->shift = 0;
        return 1;
    case OSK_KEY_SPACE:
        osk_edit_insert(e, " ");
        return 1;
    case OSK_KEY_SHIFT:
        st->shift = !st->shift;
        return 0;
    case OSK_KEY_BACKSPACE:
        osk_edit_backspace(e);
        return 1;
    case OSK_KEY_LEFT:
        osk_edit_left(e);
        return 1;
    case OSK_KEY_RIGHT:
        osk_edit_right(e);
        return 1;
    case OSK_KEY_PAGE_LETTERS:
        st->page = OSK_LETTERS;
        return 0;
    case OSK_KEY_PAGE_SYMBOLS:
        st->page = OSK_SYMBOLS;
        st->shift = 0;
        return 0;
    case OSK_KEY_PAGE_ACCENTS:
        st->page = OSK_ACCENTS;
        return 0;
    }
    return 0;
}
