/* osk: the on-screen keyboard and the text being edited.
 *
 * OskEdit is a UTF-8 line editor over a buffer in locked memory (secmem) with a caret,
 * limited to a number of Unicode characters; it never keeps history. osk_layout draws the
 * keyboard (letters, digits and punctuation, accented letters, shift, space, backspace,
 * caret movement) into a UiFrame as targets; osk_press applies a key.
 *
 * The console has no OS keyboard or IME, so this is the participant's only way to type;
 * physical keyboards feed the same OskEdit through osk_edit_insert and the edit calls.
 */
#ifndef DEBRIEF_OSK_H
#define DEBRIEF_OSK_H

#include <stddef.h>

#include "ui.h"

typedef struct OskEdit {
    char *buf;    /* secmem, cap bytes, NUL-terminated */
    size_t cap;   /* 4 * max_chars + 1 */
    size_t len;   /* bytes */
    size_t caret; /* byte offset, always on a character boundary */
    int max_chars;
} OskEdit;

/* Allocates the buffer for up to max_chars characters. 0 on success, -1 on failure. */
int osk_edit_init(OskEdit *e, int max_chars);
/* Wipes and frees the buffer. */
void osk_edit_fini(OskEdit *e);
/* Wipes the text (keeps the buffer). */
void osk_edit_clear(OskEdit *e);
/* Replaces the text (truncated to max_chars), caret at the end. */
void osk_edit_set(OskEdit *e, const char *utf8);
/* Inserts at the caret as many whole characters of utf8 as fit; control characters are
 * dropped. Returns 0 if all of it fit, -1 if something was left out. */
int osk_edit_insert(OskEdit *e, const char *utf8);
void osk_edit_backspace(OskEdit *e);
void osk_edit_delete(OskEdit *e);
void osk_edit_left(OskEdit *e);
void osk_edit_right(OskEdit *e);
void osk_edit_home(OskEdit *e);
void osk_edit_end(OskEdit *e);
/* Number of characters (code points). */
int osk_edit_chars(const OskEdit *e);

enum { OSK_LETTERS = 0, OSK_SYMBOLS = 1, OSK_ACCENTS = 2, OSK_N_PAGES = 3 };

/* Letter layouts (OskState.layout). */
enum { OSK_QWERTY = 0, OSK_QWERTZ = 1, OSK_AZERTY = 2 };

typedef struct OskState {
    int page;   /* OSK_* */
    int shift;  /* one-shot shift for the next letter */
    int layout; /* OSK_QWERTY, OSK_QWERTZ (ä ö ü ß on the letters page), OSK_AZERTY (é à) */
    int contrast; /* drawn black on white, as the high-contrast theme */
} OskState;

/* Special keys (OskKey.special). */
enum {
    OSK_KEY_CHAR = 0,
    OSK_KEY_SHIFT,
    OSK_KEY_BACKSPACE,
    OSK_KEY_SPACE,
    OSK_KEY_LEFT,
    OSK_KEY_RIGHT,
    OSK_KEY_PAGE_LETTERS,
    OSK_KEY_PAGE_SYMBOLS,
    OSK_KEY_PAGE_ACCENTS
};

/* Rows of keys the keyboard needs (for layout planning). */
#define OSK_ROWS 4

/* Draws the keyboard filling area; each key becomes a target (action, key code). The key
 * whose target is exactly pressed (w = 0: none) is drawn pressed. key_px receives the
 * smallest key side drawn. */
void osk_layout(UiFrame *f, UiRect area, const OskState *st, int action, int font_size,
                UiRect pressed, int *key_px);

/* Applies the key code from a target made by osk_layout. Returns 1 if the text changed. */
int osk_press(OskState *st, OskEdit *e, int code);

#endif
