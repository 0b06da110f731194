/* script: the kiosk's automation language (for tests and the headless demo).
 *
 * One action per line; '#' starts a comment line; blank lines are skipped:
 *
 *     tap "Next"          tap the visible text (exact match, else a unique prefix)
 *     tap 400 240         tap at logical coordinates
 *     press 10 10 3000    hold a finger at logical coordinates for 3000 ms (kiosk clock)
 *     longpress 10 10     the same for SCRIPT_LONG_PRESS_MS (what opens the PIN pad)
 *     longpress "Next"    hold the visible text for SCRIPT_LONG_PRESS_MS
 *   tap, press and longpress are a person's deliberate taps: each first lets the kiosk's
 *   clock run until the kiosk takes a press there (the guard time after a screen change,
 *   the double-tap time). The raw steps below do not wait, to test impatient fingers:
 *     down "Next"         a finger goes down on the text (or: down X Y)
 *     move 400 300        the finger slides there (or: move "Back")
 *     up                  the finger is lifted where it is
 *     hold 150            150 ms pass on the kiosk's clock at once (finger down or not)
 *     doubletap "Next" 150  down, up, 150 ms, down, up at the same place (or X Y MS)
 *     type "héllo"        type text (as a physical keyboard would: SDL_TEXTINPUT)
 *     key backspace       enter, backspace, delete, left, right, home, end, escape, tab
 *     wait 500            let 500 ms pass (real time, and the kiosk's clock)
 *     idle 95             let 95 s pass on the kiosk's clock at once (idle timeout)
 *     expect "Thank you"  fail unless this text is on screen now
 *     absent "secret"     fail if this text is on screen now
 *     screenshot a.png    save the screen as PNG (relative to the script's directory)
 *     waitfile "go" 30    wait (real time, at most 30 s; default 60) until the file exists
 *                         (relative to the script's directory): a test's other process says
 *                         when it has done its part
 *
 * Strings are in double quotes with \" \\ and \n escapes. This module only parses; the app
 * runs the steps through the same event path as a finger (see main.c).
 */
#ifndef DEBRIEF_SCRIPT_H
#define DEBRIEF_SCRIPT_H

#include "dberr.h"
#include "kiosk_ui.h"

#define SCRIPT_MAX_BYTES (256 * 1024)
#define SCRIPT_MAX_STEPS 4096
#define SCRIPT_LONG_PRESS_MS 3000
#define SCRIPT_WAITFILE_DEFAULT_S 60

typedef enum ScriptOp {
    SO_TAP_LABEL = 1,
    SO_TAP_XY,
    SO_TYPE,
    SO_KEY,
    SO_WAIT,
    SO_IDLE,
    SO_EXPECT,
    SO_ABSENT,
    SO_SCREENSHOT,
    SO_PRESS,    /* x, y (or str: a label), ms: finger down, ms pass, finger up */
    SO_WAITFILE, /* str: a path, ms: the longest wait */
    SO_DOWN,     /* x, y or str: a finger goes down (no waiting) */
    SO_MOVE,     /* x, y or str: the finger slides there */
    SO_UP,       /* the finger is lifted where it is */
    SO_HOLD,     /* ms pass on the kiosk's clock */
    SO_DOUBLETAP /* x, y or str, ms: two taps ms apart (no waiting) */
} ScriptOp;

typedef struct ScriptStep {
    ScriptOp op;
    int line;
    char *str;    /* label, text, or file name (malloc'd) */
    int x, y;     /* SO_TAP_XY, SO_PRESS, SO_DOWN, SO_MOVE, SO_DOUBLETAP */
    long ms;      /* SO_WAIT, SO_IDLE (converted to ms), SO_PRESS (how long it is held),
                     SO_WAITFILE (the longest wait), SO_HOLD, SO_DOUBLETAP (between taps) */
    KioskKey key; /* SO_KEY */
} ScriptStep;

typedef struct Script {
    char name[256]; /* file name used in messages ("demo.script") */
    char dir[4096]; /* directory of the script, for relative screenshot paths */
    int n;
    ScriptStep *steps;
} Script;

/* Parses script text; name is used in messages ("demo.script:7: ..."). */
int script_parse(const char *name, const char *text, size_t len, Script **out, DbError *err);
/* Reads and parses a file. */
int script_load(const char *path, Script **out, DbError *err);
void script_free(Script *s);

/* Maps a key name ("enter") to a KioskKey, or 0. */
KioskKey script_key_from_name(const char *name);

/* Whether text appears in the frame: inside any label (substring). */
int script_text_visible(const UiFrame *f, const char *text);

#endif
