/* ui: the kiosk's toolkit core: a draw list, text wrapping, hit targets, and the one
 * function that maps between physical and logical (rotated) screen coordinates.
 *
 * Plain C, microui-like: screens are rebuilt from state into a UiFrame (a list of
 * rectangles and text runs plus the tappable targets); the SDL backend turns the list into
 * pixels and turns fingers into ui_frame_hit() calls. Nothing here touches SDL. Text
 * measurement is a callback (UiMeasure) so the core can lay out wrapped text with the real
 * font metrics in the app and in tests.
 *
 * The frame's text arena is in locked memory (secmem) and wiped on every ui_frame_begin,
 * because it holds answers (the review screen, the free-text field). Runs flagged
 * UI_TEXT_SECRET or UI_TEXT_ANSWER may be cached by the backend only for one participant
 * (UiFrame.epoch), and are wiped when they go.
 */
#ifndef DEBRIEF_UI_H
#define DEBRIEF_UI_H

#include <stddef.h>
#include <stdint.h>

#define UI_MAX_CMDS 1024
#define UI_MAX_TARGETS 128
#define UI_MAX_LABELS 256
#define UI_TEXT_ARENA (48 * 1024)
#define UI_MIN_TARGET 48 /* px: the smallest tappable side at any size */

typedef struct UiRect {
    int x, y, w, h;
} UiRect;

typedef struct UiColor {
    uint8_t r, g, b, a;
} UiColor;

enum { UI_CMD_RECT = 1, UI_CMD_FRAME = 2, UI_CMD_TEXT = 3 };

/* Text run flags. */
enum {
    UI_TEXT_BOLD = 1,
    /* A participant's own words (typed text, the review's answers, the character count):
     * measured and drawn piece by piece (ui_piece_len), so that a keystroke renders only the
     * piece it changed; the backend may cache a piece's rendering, and the memo its width,
     * only while UiFrame.epoch stays the same, and wipes them when it changes. */
    UI_TEXT_SECRET = 2,
    /* Public words whose style shows an answer (a chosen option in bold, in the selected
     * colours): cached by the backend, and their widths remembered, only while
     * UiFrame.epoch stays the same, and wiped when it changes. */
    UI_TEXT_ANSWER = 4
};

typedef struct UiCmd {
    int kind;
    UiRect r; /* RECT/FRAME: the area; TEXT: the run's box (x,y top-left, w,h measured) */
    UiColor color;
    int thickness; /* FRAME: border width in px */
    int size;      /* TEXT: font pixel size */
    int flags;     /* TEXT: UI_TEXT_* */
    size_t text;   /* TEXT: offset into the arena (NUL-terminated) */
    size_t len;
} UiCmd;

/* A tappable area. action/arg are the screen's own codes. */
typedef struct UiTarget {
    UiRect r;
    int action, arg;
    int enabled; /* disabled targets still receive taps (to explain why), drawn greyed */
} UiTarget;

/* Visible text as a person reads it (a whole wrapped paragraph or a button's label), used
 * by scripts (`tap "Next"`, `expect "..."`) and by layout checks. */
typedef struct UiLabel {
    size_t text; /* arena offset */
    UiRect r;    /* the box the text occupies */
    int target;  /* index of the target that contains it, or -1 */
    int clipped; /* 1 if the text did not fit its box (a layout bug) */
    int broken;  /* 1 if a word had to be broken inside (with a hyphen): too big to read well */
} UiLabel;

/* Measures the pixel width of len bytes of UTF-8 text at a font size. */
typedef struct UiMeasure {
    int (*width)(void *ctx, int size, int flags, const char *s, size_t len);
    int (*line_height)(void *ctx, int size, int flags);
    void *ctx;
} UiMeasure;

typedef struct UiFrame {
    int w, h; /* logical size (after rotation) */
    UiMeasure m;
    int n_cmds, n_targets, n_labels;
    UiCmd cmds[UI_MAX_CMDS];
    UiTarget targets[UI_MAX_TARGETS];
    UiLabel labels[UI_MAX_LABELS];
    char *arena; /* UI_TEXT_ARENA bytes, secmem */
    size_t arena_used;
    int overflow; /* 1 if a list or the arena filled up (frame incomplete) */
    /* m measures through a memo of widths (see ui.c) in front of the backend's own: */
    UiMeasure measure;           /* the backend's measure, as given to ui_frame_new */
    struct UiMemo *memo;         /* secmem; NULL: m is measure itself */
    const char *pub_lo, *pub_hi; /* text being laid out to be drawn openly (not SECRET) */
    /* Set by the app before ui_frame_begin: changes whenever one participant's answers are
     * gone (the next participant, or none). */
    uint32_t epoch;
} UiFrame;

/* Allocates a frame (the arena in locked memory). NULL on allocation failure.
 *
 * The frame's m remembers widths: layout measures the same strings many times a frame and
 * again every frame, and each measure is a text shaping. What is remembered is in locked
 * memory. Widths of text that was drawn openly (a run or ui_text_box without UI_TEXT_SECRET
 * or UI_TEXT_ANSWER: text the backend's texture cache keeps anyway) are kept for good; every
 * other width (a participant's words among them: the editor's lines, the review's answers)
 * only while UiFrame.epoch stays the same: the first ui_frame_begin with another epoch wipes
 * them. A UI_TEXT_SECRET width is the sum of its pieces' (ui_piece_len). */
UiFrame *ui_frame_new(UiMeasure m);
/* Wipes and frees; NULL is a no-op. */
void ui_frame_free(UiFrame *f);
/* For tests: whether the bytes of s are anywhere in the memo's memory (live or not). */
int ui_frame_memo_holds(const UiFrame *f, const char *s);

/* Starts a new frame of logical size w x h: wipes the arena, empties the lists. */
void ui_frame_begin(UiFrame *f, int w, int h);

void ui_rect(UiFrame *f, UiRect r, UiColor c);
void ui_frame_border(UiFrame *f, UiRect r, int thickness, UiColor c);
/* One run of text with its top-left at (x, y); returns its width. */
int ui_text_run(UiFrame *f, int x, int y, int size, int flags, UiColor c, const char *s,
                size_t len);

enum { UI_ALIGN_LEFT = 0, UI_ALIGN_CENTER = 1, UI_ALIGN_RIGHT = 2 };

/* The length of the first piece of s (len > 0): up to and including a space or an ASCII
 * digit, or 12 bytes (whole UTF-8 characters, at least one). A UI_TEXT_SECRET run is
 * measured and drawn as its pieces side by side; pieces that did not change are not drawn
 * afresh. */
size_t ui_piece_len(const char *s, size_t len);

/* Word-wraps s into lines no wider than w. Returns the number of lines and the height
 * (lines * line height) in *height. Lines break at spaces and after a hyphen; a word wider
 * than w is broken inside it with a hyphen drawn (UI_TEXT_SECRET text: between characters,
 * no hyphen). '\n' forces a break. */
int ui_wrap_measure(const UiMeasure *m, const char *s, int size, int flags, int w, int *height);

/* Draws s wrapped inside box (vertically centred when valign_center) and records a label
 * covering it (target = the target index it belongs to, or -1). Returns the height used.
 * Marks the label clipped if the text needs more than box.h. */
int ui_text_box(UiFrame *f, UiRect box, int size, int flags, UiColor c, int align,
                int valign_center, const char *s, int target);

/* Splits len bytes of s into wrapped lines (as ui_text_box would): starts[i]/lens[i] for
 * up to max lines. Returns the number of lines (may exceed max; only max are filled). */
int ui_wrap_lines(const UiMeasure *m, const char *s, size_t len, int size, int flags, int w,
                  size_t *starts, size_t *lens, int max);

/* Records visible text drawn by the caller (for scripts and layout checks). */
void ui_label_add(UiFrame *f, UiRect r, const char *s, size_t len, int target, int clipped);

/* Adds a target; returns its index (or -1 if the list is full). */
int ui_target(UiFrame *f, UiRect r, int action, int arg, int enabled);

/* The topmost target containing logical point (x, y), or -1. */
int ui_frame_hit(const UiFrame *f, int x, int y);

/* Finds visible text: an exact match first, then a unique prefix. Returns the label index,
 * -1 if none, -2 if ambiguous. When several match exactly, labels on enabled targets win. */
int ui_frame_find_label(const UiFrame *f, const char *text);

static inline const char *ui_label_text(const UiFrame *f, int i)
{
    return f->arena + f->labels[i].text;
}
static inline const char *ui_cmd_text(const UiFrame *f, const UiCmd *c)
{
    return f->arena + c->text;
}

/* The layout rules every frame keeps: each target at least UI_MIN_TARGET on each side and
 * on screen, targets not overlapping (a full-width "tap anywhere" background excepted), each
 * label on screen, inside its target, not clipped and no word broken inside it, nothing
 * left out (overflow). Returns the number of problems and describes the first in msg
 * ("" if none). */
int ui_frame_check(const UiFrame *f, char *msg, size_t cap);

static inline int ui_rect_contains(UiRect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}
int ui_rect_overlap(UiRect a, UiRect b);
/* Whether inner lies entirely inside outer. */
int ui_rect_inside(UiRect inner, UiRect outer);

/* --- rotation: the ONE mapping between the physical panel and the logical UI ---
 *
 * The panel is phys_w x phys_h pixels; the UI is laid out in logical coordinates, which
 * for 90/270 degrees have width and height swapped. Rotation is clockwise: with 90, the
 * logical top edge is drawn along the physical right edge. The renderer uses the same
 * convention (draws the logical frame into a texture, rotates it when presenting), and
 * touch coordinates go through ui_phys_to_logical. */
void ui_logical_size(int rotation, int phys_w, int phys_h, int *lw, int *lh);
void ui_phys_to_logical(int rotation, int phys_w, int phys_h, int px, int py, int *lx, int *ly);
void ui_logical_to_phys(int rotation, int phys_w, int phys_h, int lx, int ly, int *px, int *py);

/* --- UTF-8 helpers used by wrapping and the keyboard --- */

/* Length in bytes of the UTF-8 sequence starting at s[0] (1 for invalid bytes). */
size_t ui_utf8_len(const char *s, size_t avail);

#endif
