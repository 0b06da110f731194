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
#include "kiosk_words.h"
#include "osk.h"
#include "response.h"
#include "session_fields.h"
#include "survey.h"
#include "ui.h"

typedef enum KioskScreen {
    KS_ATTRACT = 0,
    KS_QUESTION,
    KS_TYPING, /* full keyboard for a text question when it does not fit inline */
    KS_REVIEW,
    KS_THANKS,
    KS_FAILED, /* the answers could not be saved */
    /* the coordinator's screens (admin_ui.c), reachable only from the attract screen */
    KS_PIN,           /* PIN pad */
    KS_ADMIN,         /* status and actions */
    KS_ADMIN_OPEN,    /* open a session: label, date, expected attendance */
    KS_ADMIN_LABEL,   /* typing a session label */
    KS_ADMIN_CONFIRM, /* "are you sure?" */
    KS_ADMIN_RESULT   /* what an export or acknowledgement did */
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

/* Whether the attract screen invites the next participant, and if not, why. The app decides
 * (it knows the store and the disk); the attract screen says it in the participant's words
 * and offers no "Tap to begin" unless collecting. */
typedef enum KioskAvailability {
    KA_COLLECTING = 0, /* a session is open and answers can be saved */
    KA_NO_SESSION,     /* no session is open */
    KA_SESSION_FULL,   /* the open session has reached its expected attendance */
    KA_WRONG_SURVEY,   /* the open session is for another survey (shown as not collecting) */
    KA_NO_SPACE,       /* too little free space for the next responses */
    KA_OUT_OF_SERVICE, /* the store cannot be written, or a save failed */
    KA_KEYS_CHANGED    /* the configured analyst keys are not the pinned ones (shown as out of
                          service until the coordinator confirms them) */
} KioskAvailability;

typedef struct KioskConfig {
    int idle_timeout_ms;            /* inactivity before "Are you still there?" (default 90 s) */
    int idle_countdown_ms;          /* the countdown it shows (default 20 s) */
    int thanks_ms;                  /* thank-you / failure screen before returning (default 8 s) */
    int demo;                       /* show the DEMO MODE banner */
    KioskAvailability availability; /* at start (default KA_COLLECTING) */
    int dpi;                        /* physical DPI if known (targets >= 9 mm), else 0 */
    const char *banner;             /* optional small text in the demo banner */
    const char *pin_hash;           /* coordinator PIN (pin.h hash string, borrowed); NULL or "": no
                                       PIN, the admin screen cannot be opened */
    int admin_timeout_ms;           /* admin screens return to the attract screen (default 2 min) */
    int long_press_ms;              /* hold on the top-left corner that opens the PIN pad (3 s) */
    int pin_lock_after;             /* wrong PINs before a lockout (3) */
    int pin_lock_ms; /* first lockout (30 s), doubling with every further wrong PIN */
    int tap_guard_ms;  /* after the screen changes, presses are ignored this long (300 ms) */
    int double_tap_ms; /* a second tap this soon at the same place is ignored (500 ms) */
} KioskConfig;

void kiosk_config_defaults(KioskConfig *c);

/* Seals and durably stores r. Returns DB_OK only once the record is committed. */
typedef int (*KioskSubmitFn)(void *ctx, const Response *r, DbError *err);

typedef struct Kiosk Kiosk;

/* --- the coordinator's admin screen ---
 *
 * A long press (cfg.long_press_ms) on the top-left corner of the attract screen opens a PIN
 * pad (only when a PIN is set; ordinary taps there do nothing). The PIN is checked with
 * pin_verify against cfg.pin_hash; after cfg.pin_lock_after wrong PINs the pad locks for
 * cfg.pin_lock_ms, doubling with each further wrong PIN (a countdown is shown). The admin
 * screens return to the attract screen after cfg.admin_timeout_ms without input. No answers
 * are held while they are open: they are reached only from the attract screen.
 *
 * The UI core does not touch the store: the app provides these operations. */

#define KIOSK_FP_SIZE 20 /* KEY_FINGERPRINT_SIZE */
#define KIOSK_MAX_RCPT_FP 4

typedef struct KioskAdminStatus {
    int session_open;
    char label[SESSION_LABEL_MAX + 1];
    char date[SESSION_DATE_LEN + 1];
    int expected;             /* 0: no cap */
    long long responses;      /* of the open session */
    long long unexported;     /* responses not yet in any batch */
    long long unacknowledged; /* exported, not yet acknowledged (still held) */
    long long free_bytes;     /* in the data directory, -1 if unknown */
    char today[SESSION_DATE_LEN + 1]; /* where a new session's date starts ("YYYY-MM-DD"):
                                         the clock's, unless it cannot be right */
    char clock_date[SESSION_DATE_LEN + 1]; /* the clock's date when it cannot be right (earlier
                                              than a session already held, or than this
                                              version), else "" */
    char kiosk_fp[KIOSK_FP_SIZE];
    int n_recipients;
    char recipient_fp[KIOSK_MAX_RCPT_FP][KIOSK_FP_SIZE]; /* the pinned analyst keys */
    /* The configured analyst keys when they are not the pinned ones (n_unconfirmed > 0): the
     * kiosk does not collect until the coordinator confirms them (confirm_keys). */
    int n_unconfirmed;
    char unconfirmed_fp[KIOSK_MAX_RCPT_FP][KIOSK_FP_SIZE];
    char keys_change[320]; /* the pinned keys' last change ("Analyst keys YYYY-MM-DD: ..."), "" */
    char problem[DBERR_MSG_MAX]; /* a problem reading the status, shown as is ("" if none) */
    /* The drive Export writes to (a USB stick, or the configured directory): */
    int drive;                /* 1 if there is one now */
    char drive_name[80];      /* what the coordinator knows it by: the stick's label */
    long long drive_free;     /* free bytes on it, -1 if unknown */
} KioskAdminStatus;

typedef struct KioskAdminOps {
    void *ctx;
    /* The operations write what the coordinator reads in aw's words (the language shown);
     * details from lower layers (a file system's error) may stay English behind them. */
    /* Fills *st (never fails: problems go into st->problem). */
    void (*status)(void *ctx, const AdminWords *aw, KioskAdminStatus *st);
    int (*open_session)(void *ctx, const char *label, const char *date, int expected, DbError *err);
    int (*close_session)(void *ctx, DbError *err);
    /* Exports to the drive. msg receives what was written (file, batch number, short hash,
     * response count) and what was held back, or what went wrong; *held the number of
     * sessions held back for having fewer than k responses (then "Export anyway" is
     * offered, which calls this again with force = 1). DB_OK only if nothing failed. */
    int (*export_batch)(void *ctx, const AdminWords *aw, int force, char *msg, size_t cap,
                        int *held);
    /* Applies the acknowledgements (*.dba) found on the drive; msg says what was purged. */
    int (*apply_ack)(void *ctx, const AdminWords *aw, char *msg, size_t cap);
    /* Optional (both or neither): keep the count of wrong PINs since the last right one
     * across restarts, so that restarting the kiosk does not lift a lockout. load returns the
     * saved count (0 if none; -1 if it cannot be read, which locks the pad as a first
     * lockout does), save is called whenever the count changes. */
    int (*pin_fails_load)(void *ctx);
    void (*pin_fails_save)(void *ctx, int fails);
    /* Optional: fills only the drive fields of *st (cheap: the admin screen calls it every
     * second, so that a stick plugged in or pulled out shows at once). Export and apply_ack
     * release a USB stick when they are done with it and say in msg whether it can be
     * removed. */
    void (*drive_status)(void *ctx, const AdminWords *aw, KioskAdminStatus *st);
    /* Optional: leaving the admin screens (Exit, timeout) releases a USB stick still in. */
    void (*release_drive)(void *ctx);
    /* Optional: IT staff's way back to a shell without a network ("Console" on the admin
     * screen, confirmed): the kiosk stops, the unit brings back the console login on tty1.
     * Without it the admin screen offers no Console button. */
    void (*console)(void *ctx);
    /* Pins the configured analyst keys in place of the pinned ones (the coordinator compared
     * the fingerprints); msg says what changed. Optional (NULL: nothing to confirm). */
    int (*confirm_keys)(void *ctx, const AdminWords *aw, char *msg, size_t cap);
} KioskAdminOps;

/* Sets the operations behind the admin screen (copied). Without them, or without a PIN,
 * the admin screen cannot be opened. A saved count of wrong PINs (pin_fails_load) at or
 * past the lockout locks the pad again for as long as that count calls for, from now (from
 * the first kiosk_tick if there was none yet). */
void kiosk_set_admin(Kiosk *k, const KioskAdminOps *ops);

/* The survey is borrowed and must outlive the kiosk. lang is the initial language. */
int kiosk_new(const Survey *s, const KioskConfig *cfg, int lang, KioskSubmitFn submit,
              void *submit_ctx, UiMeasure m, Kiosk **out, DbError *err);
void kiosk_free(Kiosk *k);

/* Time in ms from any monotonic origin; call before the input it precedes. Returns 1 if
 * the screen changed (a countdown second passed, a timeout fired). */
int kiosk_tick(Kiosk *k, uint64_t now_ms);
/* Milliseconds until kiosk_tick has something to do, or -1 if nothing is pending. */
int64_t kiosk_next_timer(const Kiosk *k);

/* Input. Each returns 1 if the screen needs redrawing. Points are logical coordinates.
 *
 * A finger (or the mouse button) goes down (kiosk_press), may move (kiosk_move) and is lifted
 * (kiosk_release). A target acts only when the finger went down on it and is lifted on it;
 * while the finger is on it, it is drawn pressed. After the screen changes, a finger that
 * was down is ignored until it is lifted, and presses are ignored for cfg.tap_guard_ms from
 * when the new screen is shown (kiosk_frame_shown). A press within cfg.double_tap_ms of the
 * last tap and within one target's side of it is ignored too (the second half of a double
 * tap), except on keys. Only one finger is followed: the platform drops the others. */
int kiosk_press(Kiosk *k, int x, int y);
int kiosk_move(Kiosk *k, int x, int y);
int kiosk_release(Kiosk *k, int x, int y);
/* A press and a release at (x, y) at once (tests; the same rules apply). */
int kiosk_tap(Kiosk *k, int x, int y);
/* Milliseconds until a press at (x, y) would be taken (0: now): what a script's deliberate
 * tap waits for. */
int64_t kiosk_input_wait(const Kiosk *k, int x, int y);
/* The frame last returned by kiosk_frame is on the panel now (the app's clock): the guard
 * time after a screen change counts from here, so that taps queued while a slow panel drew
 * the new screen are still ignored. */
void kiosk_frame_shown(Kiosk *k, uint64_t now_ms);
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
void kiosk_set_availability(Kiosk *k, KioskAvailability a);
KioskAvailability kiosk_availability(const Kiosk *k);
/* Why the last submit failed ("" if it did not): for the coordinator's log. */
const char *kiosk_last_error(const Kiosk *k);
/* Number of successful submits since start. */
int kiosk_submitted(const Kiosk *k);
/* Wrong PINs since the last right one, and ms until the PIN pad unlocks (0: not locked). */
int kiosk_pin_failures(const Kiosk *k);
int64_t kiosk_pin_locked_ms(const Kiosk *k);
/* The logical rectangle whose long press opens the PIN pad (for tests and scripts). */
UiRect kiosk_admin_corner(const Kiosk *k);

#endif
