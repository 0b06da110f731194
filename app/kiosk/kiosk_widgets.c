/* kiosk_widgets: what the participant's and the coordinator's screens draw with (see
 * kiosk_internal.h): buttons with their pressed look, text measuring, the "does it fit"
 * flag, the keyboard layout for the language shown and the admin corner. No screen of its
 * own, no flow: both layout files call it, it calls neither.
 */
#include <string.h>

#include "kiosk_internal.h"

const KTheme kiosk_theme_normal = {
    .bg = {0xF4, 0xF4, 0xEF, 0xFF},
    .fg = {0x15, 0x15, 0x15, 0xFF},
    .muted = {0x4A, 0x4A, 0x4A, 0xFF},
    .primary = {0x1F, 0x5F, 0xA8, 0xFF},
    .white = {0xFF, 0xFF, 0xFF, 0xFF},
    .border = {0x6B, 0x72, 0x80, 0xFF},
    .disabled_bg = {0xD6, 0xD6, 0xD6, 0xFF},
    .disabled_fg = {0x5E, 0x5E, 0x5E, 0xFF},
    .note = {0x8A, 0x3B, 0x00, 0xFF},
    .banner = {0xFF, 0xD4, 0x00, 0xFF},
    .track = {0xD0, 0xD3, 0xD8, 0xFF},
    .overlay = {0x3A, 0x3A, 0x3A, 0xFF},
    .field = {0xFF, 0xFF, 0xFF, 0xFF},
    .pressed = {0xC4, 0xD3, 0xE8, 0xFF},
    .primary_pressed = {0x12, 0x3C, 0x6E, 0xFF},
    .border_px = 2,
};

/* Contrast ratios against white (the fill of every light target): fg 21:1, primary 12:1
 * (white on it too), note 9.6:1, disabled text on its fill 8.6:1. */
const KTheme kiosk_theme_contrast = {
    .bg = {0xFF, 0xFF, 0xFF, 0xFF},
    .fg = {0x00, 0x00, 0x00, 0xFF},
    .muted = {0x00, 0x00, 0x00, 0xFF},
    .primary = {0x00, 0x2E, 0x6B, 0xFF},
    .white = {0xFF, 0xFF, 0xFF, 0xFF},
    .border = {0x00, 0x00, 0x00, 0xFF},
    .disabled_bg = {0xE8, 0xE8, 0xE8, 0xFF},
    .disabled_fg = {0x33, 0x33, 0x33, 0xFF},
    .note = {0x70, 0x24, 0x00, 0xFF},
    .banner = {0xFF, 0xD4, 0x00, 0xFF},
    .track = {0x70, 0x70, 0x70, 0xFF},
    .overlay = {0x00, 0x00, 0x00, 0xFF},
    .field = {0xFF, 0xFF, 0xFF, 0xFF},
    .pressed = {0xFF, 0xE0, 0x66, 0xFF},
    .primary_pressed = {0x00, 0x00, 0x00, 0xFF},
    .border_px = 3,
};

int kui_keyboard_layout(const Kiosk *k)
{
    switch (k->s->lang_keyboards[k->lang]) {
    case SURVEY_KEYBOARD_QWERTY:
        return OSK_QWERTY;
    case SURVEY_KEYBOARD_QWERTZ:
        return OSK_QWERTZ;
    case SURVEY_KEYBOARD_AZERTY:
        return OSK_AZERTY;
    case SURVEY_KEYBOARD_DEFAULT:
        break;
    }
    const char *code = k->s->lang_codes[k->lang];
    if (strncmp(code, "de", 2) == 0 && (code[2] == '\0' || code[2] == '-'))
        return OSK_QWERTZ;
    if (strncmp(code, "fr", 2) == 0 && (code[2] == '\0' || code[2] == '-'))
        return OSK_AZERTY;
    return OSK_QWERTY;
}

UiRect kiosk_admin_corner(const Kiosk *k)
{
    int side = 2 * (k->mt.target ? k->mt.target : UI_MIN_TARGET);
    return (UiRect){0, 0, side, side};
}

/* The pressed look: the finger went down on this target and is still on it. */
int kui_pressed(const Kiosk *k, UiRect r)
{
    return k->press_on && ui_rect_contains(r, k->fx, k->fy) && r.x == k->press_rect.x &&
           r.y == k->press_rect.y && r.w == k->press_rect.w && r.h == k->press_rect.h;
}

UiRect kui_pressed_at(const Kiosk *k)
{
    UiRect none = {0, 0, 0, 0};
    return kui_pressed(k, k->press_rect) ? k->press_rect : none;
}

int kui_text_h(const Kiosk *k, const char *s, int size, int flags, int w)
{
    int h;
    ui_wrap_measure(&k->f->m, s, size, flags, w, &h);
    return h;
}

int kui_text_w(const Kiosk *k, const char *s, int size, int flags)
{
    return k->f->m.width(k->f->m.ctx, size, flags, s, strlen(s));
}

/* A button: background, border, centred wrapped label, and its target. */
int kui_button(Kiosk *k, UiRect r, const char *label, int size, ButtonStyle st, int action, int arg)
{
    UiFrame *f = k->f;
    int down = kui_pressed(k, r);
    UiColor bg = st == B_PRIMARY || st == B_SELECTED ? (down ? c_primary_pressed : c_primary)
                 : st == B_DISABLED                  ? c_disabled_bg
                 : down                              ? c_pressed
                                                     : c_white;
    UiColor fg = st == B_PRIMARY || st == B_SELECTED ? c_white
                 : st == B_DISABLED                  ? c_disabled_fg
                                                     : c_fg;
    ui_rect(f, r, bg);
    ui_frame_border(f, r, st == B_SELECTED ? k->theme->border_px + 1 : k->theme->border_px,
                    st == B_SELECTED ? c_fg : c_border);
    int t = ui_target(f, r, action, arg, st != B_DISABLED);
    int p = k->mt.pad;
    /* A selected button's look says what was chosen: not cached beyond this participant. */
    int fl = st == B_NORMAL ? 0 : st == B_SELECTED ? UI_TEXT_BOLD | UI_TEXT_ANSWER : UI_TEXT_BOLD;
    /* A label never breaks inside a word: it shrinks until its longest word fits (to 60 %). */
    int inner = r.w - 2 * p, ls = size;
    while (ls > size * 6 / 10 && !kui_words_fit(k, label, ls, fl, inner))
        ls--;
    ui_text_box(f, (UiRect){r.x + p, r.y + 2, inner, r.h - 4}, ls, fl, fg, UI_ALIGN_CENTER, 1,
                label, t);
    return t;
}

UiColor kui_fill(const Kiosk *k, UiRect r, int selected)
{
    if (kui_pressed(k, r))
        return selected ? c_primary_pressed : c_pressed;
    return selected ? c_primary : c_white;
}

void kui_need(Kiosk *k, int ok)
{
    if (!ok)
        k->fits = 0;
}

/* Whether every word of s fits in w at this size and weight (else wrapping breaks words). */
int kui_words_fit(const Kiosk *k, const char *s, int size, int flags, int w)
{
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, " \n");
        if (n && k->f->m.width(k->f->m.ctx, size, flags, p, n) > w)
            return 0;
        p += n;
        if (*p)
            p++;
    }
    return 1;
}

