/* kiosk_ui: the participant's flow as a state machine that draws into a UiFrame.
 *
 * attract ("Tap to begin", languages) -> one question per screen -> review -> submit ->
 * thank-you -> attract; an idle timeout asks "Are you still there?" with a countdown and
 * then discards everything. Input arrives as calls (tap at a logical point, a key, typed
 * text, time passing); output is the frame from kiosk_frame(). No SDL, no store, no crypto:
 * submitting calls the KioskSubmitFn the app provides (encode, seal, durable commit), and
 * the thank-you screen appears only after it returned DB_OK.
 *
 * Answers live in a Response (locked memory) created when a participant begins and freed
 * (wiped) on submit, cancel and timeout; the free-text being typed lives in an OskEdit
 * (locked memory) and is wiped the same way.
 */
#ifndef DEBRIEF_KIOSK_UI_H
#define DEBRIEF_KIOSK_UI_H

#include <stdint.h>

#include "dberr.h"
#include "osk.h"
#include "response.h"
#include "survey.h"
#include "ui.h"

typedef enum KioskScreen {
    KS_ATTRACT = 0,
    KS_QUESTION,
    KS_TYPING, /* full keyboard for a text question when it does not fit inline */
    KS_REVIEW,
    KS_THANKS,
    KS_FAILED /* the answers could not be saved */
} KioskScreen;

typedef enum KioskKey {
    KK_ENTER = 1,
    KK_BACKSPACE,
    KK_DELETE,
    KK_LEFT,
    KK_RIGHT,
    KK_HOME,
    KK_END,
    KK_ESCAPE,
    KK_TAB
} KioskKey;

typedef struct KioskConfig {
    int idle_timeout_ms;   /* inactivity before "Are you still there?" (default 90 s) */
    int idle_countdown_ms; /* the countdown it shows (default 20 s) */
    int thanks_ms;         /* thank-you / failure screen before returning (default 8 s) */
    int demo;              /* show the DEMO MODE banner */
    int collecting;        /* 0: a session is not open; the attract screen says so */
    int dpi;               /* physical DPI if known (targets >= 9 mm), else 0 */
    const char *banner;    /* optional small text in the demo banner */
} KioskConfig;

void kiosk_config_defaults(KioskConfig *c);

/* Seals and durably stores r. Returns DB_OK only once the record is committed. */
typedef int (*KioskSubmitFn)(void *ctx, const Response *r, DbError *err);

typedef struct Kiosk Kiosk;

/* The survey is borrowed and must outlive the kiosk. lang is the initial language. */
int kiosk_new(const Survey *s, const KioskConfig *cfg, int lang, KioskSubmitFn submit,
              void *submit_ctx, UiMeasure m, Kiosk **out, DbError *err);
void kiosk_free(Kiosk *k);

/* Time in ms from any monotonic origin; call before the input it precedes. Returns 1 if
 * the screen changed (a countdown second passed, a timeout fired). */
int kiosk_tick(Kiosk *k, uint64_t now_ms);
/* Milliseconds until kiosk_tick has something to do, or -1 if nothing is pending. */
int64_t kiosk_next_timer(const Kiosk *k);

/* Input. Each returns 1 if the screen needs redrawing. Taps are in logical coordinates. */
int kiosk_tap(Kiosk *k, int x, int y);
int kiosk_key(Kiosk *k, KioskKey key);
int kiosk_text(Kiosk *k, const char *utf8);

/* Lays out the current screen for a w x h logical display (rebuilt only when needed) and
 * returns the frame to draw. The frame stays valid until the next kiosk_* call. */
const UiFrame *kiosk_frame(Kiosk *k, int w, int h);

/* Whether the last frame needed anything to be shrunk below the normal sizes, or still did
 * not fit (for tests). */
int kiosk_layout_fits(const Kiosk *k);

KioskScreen kiosk_screen(const Kiosk *k);
int kiosk_idle_warning(const Kiosk *k);
int kiosk_current_question(const Kiosk *k);
void kiosk_set_collecting(Kiosk *k, int collecting);
/* Why the last submit failed ("" if it did not): for the coordinator's log. */
const char *kiosk_last_error(const Kiosk *k);
/* Number of successful submits since start. */
int kiosk_submitted(const Kiosk *k);

#endif
