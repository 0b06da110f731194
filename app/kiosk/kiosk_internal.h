/* kiosk_internal: what kiosk_ui.c (the participant's screens) and admin_ui.c (the
 * coordinator's screens) share: the Kiosk state, the action codes of their targets, the theme
 * and the layout helpers. Not part of the UI core's API (kiosk_ui.h is).
 */
#ifndef DEBRIEF_KIOSK_INTERNAL_H
#define DEBRIEF_KIOSK_INTERNAL_H

#include "kiosk_metrics.h"
#include "kiosk_ui.h"
#include "kiosk_words.h"

enum {
    ACT_BEGIN = 1,
    ACT_LANG,
    ACT_LIKERT,
    ACT_OPTION,
    ACT_PREFER,
    ACT_BACK,
    ACT_NEXT,
    ACT_KEY,
    ACT_FIELD,
    ACT_DONE,
    ACT_EDIT,
    ACT_SUBMIT,
    ACT_CONTINUE,
    ACT_PAGE,
    ACT_OK,
    ACT_NONE,     /* a target that only exists to be a target (the text field when inline) */
    ACT_OPT_PAGE, /* "More options" (+1) / "Previous options" (-1) on a paged choice question */
    ACT_DLG_STAY, /* a careful exit's question: stay (or go back) */
    ACT_DLG_GO,   /* ... and go ahead (leave, submit anyway) */
    ACT_LARGER,   /* the attract screen's "Larger text" toggle */
    ACT_CONTRAST, /* ... and "High contrast" */
    /* admin_ui.c */
    ACT_PIN_DIGIT,
    ACT_PIN_BACK,
    ACT_PIN_OK,
    ACT_PIN_CANCEL,
    ACT_ADM_EXIT,
    ACT_ADM_OPEN,
    ACT_ADM_CLOSE,
    ACT_ADM_EXPORT,
    ACT_ADM_ACK,
    ACT_ADM_PRESET,
    ACT_ADM_OTHER,
    ACT_ADM_DAY,       /* arg -1 / +1: the chosen part of the date (form_part) */
    ACT_ADM_DATE_PART, /* arg 0 day, 1 month, 2 year: what the -/+ buttons change */
    ACT_ADM_EXPECTED,
    ACT_ADM_START,
    ACT_ADM_BACK,
    ACT_ADM_KEY,
    ACT_ADM_LABEL_DONE,
    ACT_ADM_CONFIRM,
    ACT_ADM_FORCE,
    ACT_ADM_CONSOLE, /* stop the kiosk for IT staff: the console login comes back */
    ACT_ADM_KEYS     /* confirm the configured analyst keys */
};

/* Themes: dark text on a light background, one strong accent, 4.5:1 contrast or better
 * (normal); black on white, no grey text, 7:1 or better everywhere, thicker borders (the
 * participant's "High contrast"). The c_* names below read the theme of the Kiosk *k in
 * scope. */
typedef struct KTheme {
    UiColor bg, fg, muted, primary, white, border, disabled_bg, disabled_fg, note, banner, track,
        overlay, field, pressed, primary_pressed;
    int border_px; /* a button's border */
} KTheme;
extern const KTheme kiosk_theme_normal, kiosk_theme_contrast;
#define c_bg (k->theme->bg)
#define c_fg (k->theme->fg)
#define c_muted (k->theme->muted)
#define c_primary (k->theme->primary)
#define c_white (k->theme->white)
#define c_border (k->theme->border)
#define c_disabled_bg (k->theme->disabled_bg)
#define c_disabled_fg (k->theme->disabled_fg)
#define c_note (k->theme->note)
#define c_banner (k->theme->banner)
#define c_track (k->theme->track)
#define c_overlay (k->theme->overlay)
#define c_field (k->theme->field)
/* under a finger: a light button darkens, a dark one deepens */
#define c_pressed (k->theme->pressed)
#define c_primary_pressed (k->theme->primary_pressed)

/* The smallest font scale a screen is shrunk to (percent of the normal sizes) before a choice
 * question's options go on pages; below it text is too small to read at arm's length. */
#define KIOSK_MIN_PCT 60

typedef enum { B_NORMAL, B_PRIMARY, B_SELECTED, B_DISABLED } ButtonStyle;

/* The careful exits: each asks once before it happens. */
enum {
    DLG_LEAVE = 1, /* Back on the first question would clear the answers */
    DLG_EMPTY      /* Submit with nothing answered */
};



struct Kiosk {
    const Survey *s;
    KioskConfig cfg;
    KioskSubmitFn submit;
    void *submit_ctx;
    UiFrame *f;
    int fw, fh, dirty, fits;
    int look_dirty; /* only the pressed look changed: the frame's targets are still right (the
                       hit test needs no new layout), but it must be drawn again */
    Metrics mt;
    const KTheme *theme; /* kiosk_theme_normal, or _contrast while the participant asks */
    int large;           /* "Larger text": fonts at 130 % (the participant's choice) */
    int relaxed;         /* the last layout gave up 9 mm targets for 48 px ones to fit */

    KioskScreen screen;
    int lang, default_lang;
    Response *r;     /* the participant's answers: r_mem while answering, else NULL */
    Response *r_mem; /* allocated once (locked memory costs system calls), wiped after use */
    uint32_t epoch;  /* counts participants whose answers were dropped: UiFrame.epoch */
    int q;           /* current question */
    int from_review; /* Next/Back return to the review screen */
    int note;        /* show the gentle "please answer" note */
    int dialog;      /* a careful exit asks: DLG_LEAVE or DLG_EMPTY (0: none) */
    int page;        /* review page */
    OskEdit edit;
    OskState osk;
    int kb_inline; /* last layout showed the keyboard on the question screen */
    /* A choice question whose options do not fit at a readable size (60 % or more) is laid
     * out in pages of options (kiosk_frame tries that only after plain shrinking failed). */
    int paging;    /* the current layout pages the options */
    int opt_page;  /* the page shown (0-based); kept until another question is shown */
    int opt_pages; /* pages in the last layout (1 when not paged) */
    int opt_first; /* first option shown on the last layout */
    int opt_count; /* options shown on the last layout */

    /* The finger (kiosk_press .. kiosk_release; see "fingers" in kiosk_ui.c). */
    int finger;         /* down */
    int finger_ignored; /* it went down in the guard time, or the screen changed under it */
    int press_on;       /* it went down on a target that shows a pressed look */
    int press_action, press_arg; /* the target it went down on (action 0: none) */
    UiRect press_rect;
    int fx, fy;              /* where it is */
    uint64_t view;           /* view_key of what is shown */
    int changed;             /* the view changed since start (guard_from is set) */
    uint64_t guard_from;     /* presses before guard_from + cfg.tap_guard_ms are ignored */
    int view_unshown;        /* the screen changed; kiosk_frame_shown not called since */
    int tapped;              /* a tap acted (last_tap_* are set) */
    uint64_t last_tap_at;    /* when the last tap that acted was lifted, and where */
    int last_tap_x, last_tap_y;

    uint64_t now, last_input, screen_since, warn_since;
    int warn;
    int submitting;
    int submitted;
    char last_error[DBERR_MSG_MAX];

    /* --- the coordinator's screens (admin_ui.c) --- */
    KioskAdminOps admin;
    int has_admin;
    int adm_leave; /* the admin screens are done: the flow goes back to the attract screen */
    int press_down; /* a finger is down on the attract screen's corner */
    uint64_t press_since;
    char *pin;      /* secmem, PIN_MAX_DIGITS + 1: the digits typed so far */
    int pin_len;
    int pin_fails; /* wrong PINs since the last right one */
    uint64_t pin_locked_until;
    int pin_relock;  /* a restored lockout, to start again from the first kiosk_tick's time */
    int ticked;      /* kiosk_tick has been called: now is a real time */
    int pin_shown_secs; /* the countdown last drawn */
    int pin_note;       /* 0 none, 1 wrong PIN, 2 too short */
    int pin_weak;       /* the right PIN is one a new PIN may not be (short or trivial) */
    KioskAdminStatus st;
    uint64_t drive_polled; /* when the admin screen last looked for the drive */
    int confirm; /* what KS_ADMIN_CONFIRM confirms: ACT_ADM_CLOSE, _FORCE, _CONSOLE or _KEYS */
    char result_title[64];
    char result[2048];
    int result_held; /* sessions held back by the last export (offer "Export anyway") */
    int result_forced;
    /* the open-session form */
    char form_label[SESSION_LABEL_MAX + 1];
    int form_preset; /* 1..6, or 0 for a typed label */
    int form_days;   /* offset from st.today */
    int form_part;   /* what -/+ change: 0 the day, 1 the month, 2 the year */
    int form_expected;
    char form_error[DBERR_MSG_MAX];
    OskEdit label_edit;
    OskState label_osk;
};

static inline const SurveyQuestion *kui_cur_q(const Kiosk *k)
{
    return &k->s->questions[k->q];
}
static inline const char *kui_tr(const Kiosk *k, const SurveyText *t)
{
    return survey_text(t, k->lang);
}
/* The kiosk's own words in the language shown. */
static inline const UiWords *kui_words(const Kiosk *k)
{
    return kiosk_words_for(k->s->lang_codes[k->lang]);
}
/* The coordinator's words in the language shown. */
static inline const AdminWords *kui_admin_words(const Kiosk *k)
{
    return kiosk_admin_words_for(k->s->lang_codes[k->lang]);
}
/* Whole seconds left of "Are you still there?". */
static inline int kui_countdown_left(const Kiosk *k)
{
    uint64_t el = k->now - k->warn_since;
    if (el >= (uint64_t)k->cfg.idle_countdown_ms)
        return 0;
    return (int)((k->cfg.idle_countdown_ms - el + 999) / 1000);
}

/* kiosk_ui.c (the flow) */
void kiosk_reset(Kiosk *k); /* wipes everything entered, back to the attract screen */
/* For a survey's preview (survey_render.c): shows screen with question q (any, shown or not
 * to a participant) and page (of options on a question, of answers on the review), with
 * the answers as they are in k->r (begun if need be). */
void kui_preview_show(Kiosk *k, KioskScreen screen, int q, int page);

/* kiosk_widgets.c: drawing shared by both kinds of screens */
int kui_pressed(const Kiosk *k, UiRect r); /* draw r pressed: the finger is down on it */
/* The on-screen keyboard layout (OSK_QWERTY...) for the language shown: the survey's
 * "keyboard" for it, else by its code (de: QWERTZ, fr: AZERTY). */
int kui_keyboard_layout(const Kiosk *k);
/* The fill of a light target (selected: the accent), pressed or not. */
UiColor kui_fill(const Kiosk *k, UiRect r, int selected);
/* The rectangle drawn pressed now (w = 0: none), for osk_layout. */
UiRect kui_pressed_at(const Kiosk *k);
int kui_text_h(const Kiosk *k, const char *s, int size, int flags, int w);
int kui_text_w(const Kiosk *k, const char *s, int size, int flags);
int kui_button(Kiosk *k, UiRect r, const char *label, int size, ButtonStyle st, int action,
               int arg);
void kui_need(Kiosk *k, int ok); /* marks the layout as not fitting unless ok */
/* Whether every word of s fits in w at this size and weight (else wrapping breaks words). */
int kui_words_fit(const Kiosk *k, const char *s, int size, int flags, int w);

/* admin_ui.c: the coordinator's screens. They leave (Exit, Cancel, the timeout) by setting
 * adm_leave; the flow then resets. */
int kadm_init(Kiosk *k); /* allocates the PIN buffer and the label editor; -1 on failure */
void kadm_fini(Kiosk *k);
void kadm_wipe(Kiosk *k);  /* forgets the typed PIN, the form and the results */
void kadm_build(Kiosk *k); /* lays out the current admin screen */
void kadm_action(Kiosk *k, const UiTarget *t);
int kadm_key(Kiosk *k, KioskKey key);
int kadm_text(Kiosk *k, const char *utf8);
int kadm_tick(Kiosk *k); /* 1 if the screen changed */
int64_t kadm_next_timer(const Kiosk *k);
int kadm_screen(KioskScreen s); /* whether s is one of the coordinator's screens */
void kadm_restore_pin_fails(Kiosk *k, int fails); /* a count saved by an earlier run */

#endif
