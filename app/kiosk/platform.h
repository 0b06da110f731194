/* platform: the kiosk's SDL2 + SDL2_ttf backend, the only code that includes SDL.
 *
 * It opens the window and renderer, turns SDL events into kiosk input (touch, mouse and
 * keyboard; touch coordinates mapped through ui_phys_to_logical), draws UiFrames (text
 * runs rendered once into cached textures; a participant's, UI_TEXT_SECRET and
 * UI_TEXT_ANSWER, kept only while they answer: see platform_text_cache_size), rotates the
 * picture in software, and writes screenshots (pngfile.h). Scripts inject input as real SDL events
 * (SDL_FINGERDOWN/UP, SDL_TEXTINPUT, SDL_KEYDOWN) so they go through the same path as a
 * finger.
 *
 * Fonts can be opened on their own (kfonts_*) for layout tests without a display.
 */
#ifndef DEBRIEF_PLATFORM_H
#define DEBRIEF_PLATFORM_H

#include <stdint.h>

#include "dberr.h"
#include "kiosk_ui.h"
#include "ui.h"

#define KIOSK_FONT_DIR "/usr/share/fonts/truetype/dejavu"
#define KIOSK_FONT_REGULAR KIOSK_FONT_DIR "/DejaVuSans.ttf"
#define KIOSK_FONT_BOLD KIOSK_FONT_DIR "/DejaVuSans-Bold.ttf"

typedef struct KFonts KFonts;

/* Opens the two font files (regular, bold) with SDL_ttf (initialising it if needed).
 * DB_ENOENT naming the file if one is missing or unreadable. */
int kfonts_open(const char *regular, const char *bold, KFonts **out, DbError *err);
void kfonts_close(KFonts *fonts);
/* Measurement callbacks backed by these fonts. */
UiMeasure kfonts_measure(KFonts *fonts);
/* Whether the font has a glyph for code point cp. */
int kfonts_has_glyph(KFonts *fonts, uint32_t cp);

typedef struct PlatformConfig {
    int w, h; /* window size (physical); 0 = 800 x 480 */
    int fullscreen;
    int rotation;       /* 0, 90, 180, 270 (clockwise) */
    int allow_headless; /* accept the dummy/offscreen drivers without complaint */
    const char *title;
} PlatformConfig;

typedef struct Platform Platform;

enum {
    PLATFORM_OK = 0,
    PLATFORM_NO_DISPLAY = 1 /* opened, but on a headless driver nobody asked for */
};

/* Initialises SDL video and opens the window. *status tells whether a real display was
 * found; on a headless driver that was not asked for, the platform is still returned
 * (usable for a headless run) with *status = PLATFORM_NO_DISPLAY. DB_EIO if SDL cannot
 * open any video driver, or no renderer can draw on it (message says why). */
int platform_open(const PlatformConfig *cfg, KFonts *fonts, Platform **out, int *status,
                  DbError *err);
void platform_close(Platform *p);

/* The SDL video driver in use, named as SDL names it ("x11", "wayland", "KMSDRM", "dummy",
 * "offscreen"). */
const char *platform_driver(const Platform *p);
/* Whether that driver is KMSDRM, the Pi's console (where SDL knows no DPI and the DRM
 * connector says the panel's size). One comparison, with SDL's spelling of the name. */
int platform_on_kmsdrm(const Platform *p);
/* The renderer's name ("software", "opengles2", ...). The first renderer that can open the
 * window and the kiosk's render target is used (on KMSDRM "opengles2" first, else SDL's own
 * choice first, then "opengles2", then "software"). */
const char *platform_renderer(const Platform *p);
/* Why the renderers tried before it failed ("" if the first one worked), for the log. */
const char *platform_renderer_note(const Platform *p);
void platform_logical_size(const Platform *p, int *w, int *h);
void platform_physical_size(const Platform *p, int *w, int *h);
/* The display's DPI (0 if SDL does not know it). */
int platform_dpi(const Platform *p);

/* Monotonic milliseconds. */
uint64_t platform_ticks(void);

typedef enum PlatformEventType {
    PE_NONE = 0,
    PE_RELEASE, /* x, y logical: the finger (or the mouse button) was lifted */
    PE_KEY,     /* key */
    PE_TEXT,    /* text (UTF-8) */
    PE_EXPOSE,  /* window shown/resized: redraw */
    PE_QUIT,
    PE_PRESS, /* x, y logical: a finger or the mouse button went down */
    PE_MOVE   /* x, y logical: the finger that is down moved (the mouse, with the button down) */
} PlatformEventType;

typedef struct PlatformEvent {
    PlatformEventType type;
    int x, y;
    KioskKey key;
    char text[32];
} PlatformEvent;

/* Waits up to timeout_ms (-1: forever) for the next input and translates it. Returns 1 with
 * *ev filled, 0 on timeout. Events that mean nothing to the kiosk are consumed silently
 * (and count as a wakeup, see platform_wakeups). */
int platform_wait(Platform *p, int timeout_ms, PlatformEvent *ev);
/* Wakeups of platform_wait since open (for idle measurements). */
uint64_t platform_wakeups(const Platform *p);

/* Draws the frame (logical coordinates) rotated onto the panel and presents it. */
void platform_draw(Platform *p, const UiFrame *f);
/* Saves what is on the panel now (the last drawn frame, as the panel shows it). */
int platform_screenshot(Platform *p, const char *png_path, DbError *err);
/* The same pixels into rgb (physical width x height x 3 bytes, rows packed). */
int platform_read_rgb(Platform *p, uint8_t *rgb, DbError *err);

/* Synthetic input, injected as SDL events. Only one finger is followed: while it is down,
 * other fingers (a palm, a second hand) are ignored. With DEBRIEF_TRACE_INPUT set in the
 * environment, each finger down and up is also written to stderr as "debrief-kiosk: input:
 * down|up X Y" (logical coordinates): tools/emulated-pi replays a script's taps from it. */
void platform_inject_tap(Platform *p, int lx, int ly);
/* A tap in parts: the finger goes down, moves, and later is lifted. */
void platform_inject_down(Platform *p, int lx, int ly);
void platform_inject_move(Platform *p, int lx, int ly);
void platform_inject_up(Platform *p, int lx, int ly);
void platform_inject_text(Platform *p, const char *utf8);
/* Makes sure input the display server produced before this call (a real device, xdotool)
 * is in SDL's queue: on X11 a round trip to the server; elsewhere a pump. */
void platform_sync_input(Platform *p);
void platform_inject_key(Platform *p, KioskKey key);
/* Resizes the window as a window manager would (tests); the platform_wait that sees it
 * returns PE_EXPOSE, and the next frame is drawn whole at the new size. */
void platform_resize_window(Platform *p, int w, int h);

/* The translation the platform applies to a finger at normalised panel coordinates
 * (nx, ny in [0, 1)): panel pixels, then ui_phys_to_logical. Exposed for tests. */
void platform_finger_to_logical(int rotation, int phys_w, int phys_h, float nx, float ny, int *lx,
                                int *ly);
void platform_logical_to_finger(int rotation, int phys_w, int phys_h, int lx, int ly, float *nx,
                                float *ny);

/* Drawing shortcuts; each gives the same pixels as drawing the whole frame plainly.
 * PLATFORM_DRAW_OPAQUE_TEXT (on by default; used with the software renderer only): a text run
 * on a plain background is blended onto it once, cached so, and then copied, not blended.
 * PLATFORM_DRAW_SKIP_HIDDEN (on by default): what a later opaque rectangle paints over is not
 * drawn (a fill is cut into the pieces left visible; no clear under a full-panel background).
 * PLATFORM_DRAW_PARTIAL (on by default): a frame whose draw list is the last frame's is not
 * drawn or presented again (the panel still shows it; with a GPU renderer redrawing it cost
 * the idle kiosk most of its CPU). Where frames are drawn straight onto the window (software
 * renderer, rotation 0), only the parts of the panel where the frame's draw list differs
 * from the last frame's are redrawn. The first frame, and the first after a resize, an
 * expose or a change of options, is drawn whole. It keeps a copy of the last frame's text
 * (answers included) in locked memory, wiped and replaced by every draw, as the frame's own
 * arena is by every ui_frame_begin.
 * PLATFORM_DRAW_PLAIN_STORES (on by default; used where frames are drawn straight onto the
 * window): opaque fills are written with ordinary stores, not SDL_FillRect's non-temporal
 * ones, which push the lines out to memory just before text is copied onto them. */
enum {
    PLATFORM_DRAW_OPAQUE_TEXT = 1,
    PLATFORM_DRAW_PARTIAL = 2,
    PLATFORM_DRAW_SKIP_HIDDEN = 4,
    PLATFORM_DRAW_PLAIN_STORES = 8
};
void platform_set_draw_opts(Platform *p, unsigned opts);
unsigned platform_draw_opts(const Platform *p);
/* Pixels redrawn by the last platform_draw (the whole logical frame when drawn whole). */
long platform_last_redrawn(const Platform *p);

/* Cached text textures (for tests: glyphs are rendered once); of them, the participant's
 * (UI_TEXT_ANSWER or UI_TEXT_SECRET), dropped and wiped when UiFrame.epoch changes. At most
 * PLATFORM_SECRET_PIECES pieces of UI_TEXT_SECRET text are kept (the oldest goes, wiped). */
#define PLATFORM_SECRET_PIECES 160
int platform_text_cache_size(const Platform *p);
int platform_text_cache_answers(const Platform *p);
uint64_t platform_text_renders(const Platform *p);

#endif
