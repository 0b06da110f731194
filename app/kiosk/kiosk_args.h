/* kiosk_args: debrief-kiosk's command line and configuration file.
 *
 * The configuration file holds the same settings as the command line, one "key = value"
 * per line ('#' comments); the command line wins over the file. See docs/KIOSK.md.
 *
 *     survey = /etc/debrief/survey.json
 *     data = /var/lib/debrief
 *     recipient = /etc/debrief/analyst.pub
 *     recipient = /etc/debrief/escrow.pub
 *     size = 800x480
 *     fullscreen = yes
 *     rotate = 0
 *     lang = en
 *     idle_timeout = 90
 *     font = /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
 *     font_bold = /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
 *     pin_hash = $argon2id$v=19$m=131072,t=2,p=1$...   (else DATA/admin-pin, --set-pin)
 *     export_dir = /media/debrief                      (else a mounted drive is looked for)
 *     min_responses = 5                                (k: smaller sessions are held back)
 *     commit_interval = 2000                           (ms between the kiosk's writes)
 *     panel_mm = 155x87      the panel's visible area (else DRM's or SDL's figure)
 *     tap_guard_ms = 300     presses ignored this long after the screen changes
 *     double_tap_ms = 500    a second tap this soon at the same place is ignored
 */
#ifndef DEBRIEF_KIOSK_ARGS_H
#define DEBRIEF_KIOSK_ARGS_H

#include <stdio.h>

#include "dberr.h"
#include "pin.h"

#define KIOSK_MAX_RECIPIENTS 4
#define KIOSK_PATH_MAX 4096
#define KIOSK_CONFIG_MAX_BYTES (64 * 1024)
/* While a session is open the kiosk writes to its record file at this steady cadence: a
 * response waits for the next tick, and a tick with no response writes random bytes the
 * same way, so the card cannot tell when anyone submitted (docs/THREAT_MODEL.md). */
#define KIOSK_COMMIT_INTERVAL_DEFAULT_MS 2000

#define KIOSK_LANG_MAX 32 /* the longest --lang / lang = code kept (a survey's are shorter) */

typedef struct KioskArgs {
    char survey[KIOSK_PATH_MAX];
    char data[KIOSK_PATH_MAX];
    char recipients[KIOSK_MAX_RECIPIENTS][KIOSK_PATH_MAX];
    int n_recipients;
    int w, h; /* 0: default */
    int fullscreen;
    int rotation;
    char lang[KIOSK_LANG_MAX + 1];
    int idle_timeout_s; /* 0: default */
    char script[KIOSK_PATH_MAX];
    char font[KIOSK_PATH_MAX];
    char font_bold[KIOSK_PATH_MAX];
    char config[KIOSK_PATH_MAX];
    char shots[KIOSK_PATH_MAX]; /* --screenshot-dir: where relative screenshots go */
    int help;
    int selftest;                    /* --selftest: check the settings and exit */
    int set_pin;                     /* --set-pin: store a new coordinator PIN and exit */
    int pin_recipients;              /* --pin-recipients: pin the configured keys and exit */
    char pin_file[KIOSK_PATH_MAX];   /* --pin-file: the PIN for --set-pin / --pin-recipients */
    char pin_hash[PIN_HASH_MAX];     /* config pin_hash ("" if not set) */
    char export_dir[KIOSK_PATH_MAX]; /* config export_dir / --export-dir ("" = look) */
    int min_responses;               /* config min_responses / --min-responses (0 = default) */
    int commit_interval_ms;          /* config commit_interval / --commit-interval; 0: write
                                        each response at once, no cover writes (tests only);
                                        -1 until parsed: the default, or 0 with --script */
    char render_survey[KIOSK_PATH_MAX]; /* --render-survey: check (and draw) a survey, exit */
    char out_dir[KIOSK_PATH_MAX];       /* --out: where --render-survey draws ("" = check only) */
    int panel_w_mm, panel_h_mm;      /* config panel_mm (0 = ask DRM, or SDL's DPI) */
    int tap_guard_ms;                /* config tap_guard_ms (-1 = default) */
    int double_tap_ms;               /* config double_tap_ms (-1 = default) */
    int config_failed; /* the --config file is missing, unreadable or has a bad line */
} KioskArgs;

/* Parses argv (and the --config file, if given). DB_EINVAL with a message for a usage
 * error; the caller prints it and exits 2. When the fault is in the --config file (and the
 * command line itself is fine), config_failed is set, err names the file, line and problem,
 * and a holds the file's settings before the fault and then the command line's, enough to
 * show the fault on a screen (main.c's out-of-service screen, under systemd). */
int kiosk_args_parse(int argc, char **argv, KioskArgs *a, DbError *err);

/* Applies the contents of a configuration file (name used in messages). */
int kiosk_args_apply_config(KioskArgs *a, const char *name, const char *text, size_t len,
                            DbError *err);

/* Whether no survey, data directory or recipient was given: demo mode. */
int kiosk_args_demo(const KioskArgs *a);

void kiosk_args_usage(FILE *out);

#endif
