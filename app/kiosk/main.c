/* debrief-kiosk: the participant's touchscreen.
 *
 * Glue between the pieces: reads the settings, loads the survey and the recipients' public
 * keys, opens the store and its session, then runs the UI core (kiosk_ui) on the SDL backend
 * (platform) either interactively or from a script. Submitting encodes, seals and commits
 * a response (submit_response) before the UI shows "thank you".
 *
 * Demo mode (no survey/data/recipient): the bundled survey, a fresh demo key pair and a
 * scratch data directory, said on screen and on stderr. With no display the demo runs
 * headless from a built-in script and reports where the sealed record went.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "coord.h"
#include "fault_screen.h"
#include "fsutil.h"
#include "keys.h"
#include "kiosk_admin.h"
#include "kiosk_args.h"
#include "kiosk_inputs.h"
#include "kiosk_ui.h"
#include "panel.h"
#include "platform.h"
#include "response.h"
#include "script.h"
#include "sd_notify.h"
#include "seal.h"
#include "secmem.h"
#include "selftest.h"
#include "store.h"
#include "survey.h"
#include "survey_render.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

typedef struct App {
    KioskArgs args;
    int demo;
    char demo_dir[KIOSK_PATH_MAX - 64]; /* room for the file names inside it */
    char banner[128];
    Survey *survey;
    KeyPublic rcpt[KIOSK_MAX_RECIPIENTS];
    int n_rcpt;
    Store *store;
    SealEnvelope *envelope; /* the next record's, made while waiting for a finger */
    uint8_t *plain;         /* record_size bytes of locked memory, wiped after each submit */
    KFonts *fonts;
    Platform *plat;
    Kiosk *kiosk;
    KioskAdmin admin;
    char pin_hash[PIN_HASH_MAX]; /* "" when no coordinator PIN is set */
    const char *pin_where;
    char pin_problem[DBERR_MSG_MAX];
    uint64_t clock_ms; /* script mode: the kiosk's virtual clock */
    int finger_x, finger_y; /* script mode: where the last finger step was */
    int scripted;
    int need_draw;
    uint64_t watchdog_ms; /* systemd watchdog interval / 2, or 0 */
    uint64_t last_ping;
    int ready_sent;
    /* Whether the next participant can be taken (see refresh_availability). */
    KioskAvailability fault_kind;  /* KA_COLLECTING: no fault; else why a save failed */
    char fault[DBERR_MSG_MAX];     /* the coordinator's reason, also on the admin screen */
    char avail_why[DBERR_MSG_MAX]; /* the reason last logged, to log changes only */
    KioskAvailability avail_logged;
    char keys_problem[DBERR_MSG_MAX]; /* why the analyst keys may not be used ("" if they may) */
    uint32_t data_version; /* of the store, to notice another process's commits */
    int64_t session_id;    /* the open session as last read (0: none) */
    int session_full;
    char session_survey[48]; /* "ID vN" of the open session's survey if not the kiosk's */
    uint64_t last_check;  /* now_ms of the last availability check */
    uint64_t last_reopen; /* now_ms of the last attempt to open a store that failed */
    KioskScreen last_screen;
    /* The steady cadence of record-file writes while a session is open (store_cover_write). */
    size_t record_len;  /* of a sealed record: the slot size the kiosk writes */
    uint64_t next_tick; /* platform_ticks() of the next write; 0: no cadence running */
} App;

static void watchdog_init(App *app)
{
    const char *us = getenv("WATCHDOG_USEC");
    if (!us)
        return;
    char *end;
    unsigned long long v = strtoull(us, &end, 10);
    if (*end == '\0' && v >= 1000)
        app->watchdog_ms = v / 2000; /* ping twice per interval */
}

static void watchdog_ping(App *app, uint64_t now)
{
    if (app->watchdog_ms && now - app->last_ping >= app->watchdog_ms) {
        sd_notify_send("WATCHDOG=1");
        app->last_ping = now;
    }
}

static int fail(const char *msg)
{
    fprintf(stderr, "debrief-kiosk: error: %s\n", msg);
    return EXIT_FAIL;
}

/* ---- submitting: encode -> seal -> durable commit ---- */

/* Makes the next record's envelope (its content key sealed to the recipients: an X25519 key
 * exchange each, most of the sealing cost) while the kiosk waits for a finger, so a submit
 * only encrypts. A failure here is left for the submit to report. */
static void prepare_envelope(App *app)
{
    if (!app->envelope && app->n_rcpt > 0 && app->survey)
        (void)seal_envelope_new(app->survey->record_size, app->rcpt, app->n_rcpt,
                                &app->envelope, NULL);
}

static void set_fault(App *app, KioskAvailability kind, const char *why)
{
    app->fault_kind = kind;
    snprintf(app->fault, sizeof app->fault, "%s", why);
}

/* ---- the cadence of writes ----
 *
 * While a session is open the kiosk writes to its record file every commit_interval ms: a
 * response waits for the next tick and is written then; a tick with no response writes
 * random bytes into a free slot the same way (store_cover_write). The card, its file system
 * journal and the file's times then show a write at every tick whether or not anyone
 * submitted. */

static uint64_t tick_interval(const App *app)
{
    return app->args.commit_interval_ms > 0 ? (uint64_t)app->args.commit_interval_ms : 0;
}

/* Whether the cadence runs: a session is open and the store works. */
static int cadence_on(const App *app)
{
    return tick_interval(app) && app->store && app->session_id && app->fault_kind == KA_COLLECTING;
}

/* Writes random bytes at every tick that is due (keeping the cadence through a slow write by
 * skipping the ticks it missed), starts or stops the cadence with the session. */
static void keep_cadence(App *app)
{
    if (!cadence_on(app)) {
        app->next_tick = 0;
        return;
    }
    uint64_t now = platform_ticks();
    if (!app->next_tick) {
        app->next_tick = now + tick_interval(app);
        return;
    }
    if (now < app->next_tick)
        return;
    DbError err;
    if (store_cover_write(app->store, app->record_len, &err) != DB_OK)
        fprintf(stderr, "debrief-kiosk: warning: a write to the record file failed: %s\n",
                err.msg);
    app->next_tick += tick_interval(app);
    if (app->next_tick <= now)
        app->next_tick = now + tick_interval(app);
}

/* A response is written at the next tick (at most commit_interval ms from now). */
static void wait_for_tick(App *app)
{
    if (!app->next_tick)
        return;
    uint64_t now = platform_ticks();
    if (app->next_tick > now) {
        uint64_t ms = app->next_tick - now;
        struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    app->next_tick += tick_interval(app);
    now = platform_ticks();
    if (app->next_tick <= now)
        app->next_tick = now + tick_interval(app);
}

/* Whether session s collects for the survey this kiosk runs: a record that does not fit its
 * session's survey makes the whole batch unimportable. */
static int session_fits_survey(const App *app, const StoreSession *s)
{
    return strcmp(s->survey_id, app->survey->id) == 0 &&
           s->survey_version == app->survey->version;
}

/* Encodes, seals and durably stores r in the open session. */
static int seal_and_store(App *app, const Response *r, DbError *err)
{
    if (!app->store)
        return dberr_set(err, DB_EIO, "%s", app->fault);
    if (app->keys_problem[0]) /* the attract screen said so; never seal to unconfirmed keys */
        return dberr_set(err, DB_ESTATE, "%s", app->keys_problem);
    StoreSession cur;
    int found = 0;
    int rc = store_session_current(app->store, &cur, &found, err);
    if (rc != DB_OK)
        return rc;
    if (!found)
        return dberr_set(err, DB_ESTATE, "no session is open: the response was not stored");
    if (!session_fits_survey(app, &cur))
        return dberr_set(err, DB_ESTATE,
                         "the open session is for survey %s v%u, this kiosk runs %s v%u: the "
                         "response was not stored",
                         cur.survey_id, cur.survey_version, app->survey->id,
                         app->survey->version);
    size_t psize = app->survey->record_size;
    if (!app->plain)
        app->plain = secmem_alloc(psize); /* kept: locked memory costs system calls */
    uint8_t *plain = app->plain;
    size_t rcap = seal_record_size(psize, app->n_rcpt);
    uint8_t *rec = malloc(rcap);
    if (!plain || !rec) {
        free(rec);
        return dberr_set(err, DB_ENOMEM, "out of memory while sealing a response");
    }
    ResponseContext rctx = {cur.label, cur.date};
    size_t plen = 0, rlen = 0;
    rc = response_encode(r, &rctx, plain, psize, &plen, err);
    if (rc == DB_OK && !app->envelope)
        rc = seal_envelope_new(psize, app->rcpt, app->n_rcpt, &app->envelope, err);
    if (rc == DB_OK)
        rc = seal_envelope_use(app->envelope, plain, plen, rec, rcap, &rlen, err);
    seal_envelope_free(app->envelope); /* spent either way */
    app->envelope = NULL;
    secmem_wipe(plain, psize);
    if (rc == DB_OK) {
        wait_for_tick(app);
        rc = store_response_put(app->store, cur.id, rec, rlen, err);
    }
    /* "Thank you" only if the commit is in the live database files. */
    if (rc == DB_OK)
        rc = store_check_live(app->store, err);
    free(rec);
    return rc;
}

static int submit_response(void *ctx, const Response *r, DbError *err)
{
    App *app = ctx;
    int rc = seal_and_store(app, r, err);
    if (rc != DB_OK) {
        fprintf(stderr, "debrief-kiosk: error: a response could not be stored: %s\n", err->msg);
        /* A closed or full session shows as such on the attract screen; anything else keeps
         * the kiosk out of service instead of inviting the next person to the same failure. */
        if (rc != DB_ESTATE)
            set_fault(app, rc == DB_ENOSPC ? KA_NO_SPACE : KA_OUT_OF_SERVICE, err->msg);
    }
    return rc;
}

/* ---- locating the bundled survey ---- */

static int find_bundled_survey(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *rel[] = {"/../../../assets/surveys/ccdg.json",
                         "/../share/debrief/surveys/ccdg.json", "/../../assets/surveys/ccdg.json"};
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            snprintf(out, cap, "%s%s", exe, rel[i]);
            if (access(out, R_OK) == 0)
                return 0;
        }
    }
    const char *fixed[] = {DEBRIEF_SOURCE_DIR "/assets/surveys/ccdg.json",
                           "/usr/share/debrief/surveys/ccdg.json",
                           "/usr/local/share/debrief/surveys/ccdg.json"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        snprintf(out, cap, "%s", fixed[i]);
        if (access(out, R_OK) == 0)
            return 0;
    }
    return -1;
}

/* Demo: scratch directory, demo key pair (secret key under a printed passphrase). */
static int setup_demo(App *app, DbError *err)
{
    KioskArgs *a = &app->args;
    if (find_bundled_survey(a->survey, sizeof a->survey) != 0)
        return dberr_set(err, DB_ENOENT,
                         "cannot find the bundled survey assets/surveys/ccdg.json (give --survey)");
    const char *base = getenv("XDG_RUNTIME_DIR");
    if (!base || access(base, W_OK) != 0)
        base = "/tmp";
    snprintf(app->demo_dir, sizeof app->demo_dir, "%s/debrief-demo-XXXXXX", base);
    if (!mkdtemp(app->demo_dir))
        return dberr_set(err, DB_EIO, "%s: cannot create a scratch directory: %s", app->demo_dir,
                         strerror(errno));
    snprintf(a->data, sizeof a->data, "%s/data", app->demo_dir);
    snprintf(a->recipients[0], sizeof a->recipients[0], "%s/demo.pub", app->demo_dir);
    a->n_recipients = 1;
    char key_path[KIOSK_PATH_MAX + 16];
    snprintf(key_path, sizeof key_path, "%s/demo.key", app->demo_dir);

    /* A readable random passphrase: demo-xxxx-xxxx-xxxx. */
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    char pass[32];
    size_t n = 0;
    n += (size_t)snprintf(pass, sizeof pass, "demo");
    for (int g = 0; g < 3; g++) {
        pass[n++] = '-';
        for (int i = 0; i < 4; i++)
            pass[n++] = alphabet[secmem_random_below(sizeof alphabet - 1)];
    }
    pass[n] = '\0';
    KeyPublic pub;
    KeySecret *sec = NULL;
    int rc = keys_generate(&pub, &sec, err);
    if (rc == DB_OK)
        /* Interactive-level Argon2 (64 MiB) rather than the default 256 MiB: the demo key is a
         * throwaway, and a small device should not need that much memory to write it. */
        rc = keys_secret_write(key_path, sec, pass, n, keys_kdf_interactive(), err);
    if (rc == DB_OK)
        rc = keys_public_write(a->recipients[0], &pub, err);
    keys_secret_free(sec);
    if (rc != DB_OK) {
        secmem_wipe(pass, sizeof pass);
        return rc;
    }
    fprintf(
        stderr,
        "debrief-kiosk: DEMO MODE: bundled survey %s\n"
        "debrief-kiosk:   scratch directory %s (data in data/, demo key pair demo.pub/demo.key)\n"
        "debrief-kiosk:   demo secret key passphrase: %s\n",
        a->survey, app->demo_dir, pass);
    secmem_wipe(pass, sizeof pass);
    snprintf(app->banner, sizeof app->banner,
             "DEMO MODE \xE2\x80\x94 answers go to a scratch directory");
    return DB_OK;
}

static void today(char out[SESSION_DATE_LEN + 1])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, SESSION_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

/* Free slots the kiosk makes sure of when it starts (a session's own are reserved when it
 * opens: STORE_SESSION_SLOTS). */
#define KIOSK_START_SLOTS 64

/* Opens the store, records in it which survey this kiosk runs and the size of its records
 * (for `debrief session open`), and makes sure some slots for records are there. */
static int open_store(App *app, DbError *err)
{
    app->record_len = seal_record_size(app->survey->record_size, app->n_rcpt);
    int rc = coord_open_data_dir(app->args.data, 1, &app->store, err);
    if (rc == DB_OK)
        rc = store_kiosk_survey_set(app->store, app->survey->id, app->survey->version,
                                    (uint32_t)app->record_len, err);
    if (rc != DB_OK) {
        store_close(app->store);
        app->store = NULL;
        return rc;
    }
    /* Usually there since the session opened; a failure here (a full disk) is not yet one
     * of a response: a put grows the file itself, or fails, when it must. */
    DbError rerr;
    if (store_reserve(app->store, app->record_len, KIOSK_START_SLOTS, &rerr) != DB_OK)
        fprintf(stderr, "debrief-kiosk: warning: cannot reserve room for responses: %s\n",
                rerr.msg);
    return DB_OK;
}

/* Whether dir (or, while it does not exist, its parent) is on a medium that refuses
 * writes: mounted read-only, or not writable for this user. */
static int medium_refuses_writes(const char *dir)
{
    char path[KIOSK_PATH_MAX];
    snprintf(path, sizeof path, "%s", dir);
    for (;;) {
        if (access(path, W_OK) == 0)
            return 0;
        if (errno == EROFS || errno == EACCES || errno == EPERM)
            return 1;
        char *slash = strrchr(path, '/');
        if (errno != ENOENT || !slash || slash == path)
            return 0;
        *slash = '\0';
    }
}

/* Loads survey, keys and store; in demo mode opens the demo session. */
static int setup_data(App *app, DbError *err)
{
    KioskArgs *a = &app->args;
    int rc = app->demo ? DB_OK : fs_check_file_private(a->survey, "survey", a->data, err);
    if (rc == DB_OK)
        rc = survey_load_file(a->survey, &app->survey, err);
    if (rc == DB_OK)
        rc = kiosk_load_recipients(a, app->rcpt, err);
    if (rc != DB_OK)
        return rc;
    app->n_rcpt = a->n_recipients;
    rc = open_store(app, err);
    if (rc != DB_OK) {
        /* A full or read-only medium is no reason to leave the screen blank: start, say on
         * screen that the kiosk is out of service (the journal and the admin screen say
         * why), and open the store once the problem is gone. Anything else (not a
         * directory, not a database) is a setup error: exit. */
        if (rc != DB_ENOSPC && !medium_refuses_writes(a->data))
            return rc;
        fprintf(stderr, "debrief-kiosk: error: %s\n", err->msg);
        set_fault(app, rc == DB_ENOSPC ? KA_NO_SPACE : KA_OUT_OF_SERVICE, err->msg);
        return DB_OK;
    }
    StoreSession cur;
    int found = 0;
    rc = store_session_current(app->store, &cur, &found, err);
    if (rc != DB_OK)
        return rc;
    if (!found && app->demo) {
        char date[SESSION_DATE_LEN + 1];
        int64_t id;
        today(date);
        rc = store_session_open(app->store, "Demo", date, app->survey->id, app->survey->version, 0,
                                &id, err);
        if (rc != DB_OK)
            return rc;
        found = 1;
    }
    if (!found)
        fprintf(stderr,
                "debrief-kiosk: no session is open in %s: the kiosk shows that it is not "
                "collecting (open one with the coordinator's tools)\n",
                a->data);
    return DB_OK;
}

/* ---- whether the kiosk can take the next participant ---- */

static uint64_t now_ms(App *app)
{
    return app->scripted ? app->clock_ms : platform_ticks();
}

/* Free space the next responses need: each writes its record to the WAL and, at the
 * checkpoint, to the database (with a few index and b-tree pages each time); room for
 * KIOSK_SPACE_RESPONSES of them and a mebibyte for sqlite's own needs. */
#define KIOSK_SPACE_RESPONSES 16
static long long min_free_bytes(const App *app)
{
    long long rec = app->survey ? (long long)app->survey->record_size : 8192;
    return KIOSK_SPACE_RESPONSES * 3 * (rec + 16 * 1024) + 1024 * 1024;
}

/* Works out the availability from the store, the data directory and any fault; why receives
 * the coordinator's reason in why->msg ("" when collecting). force re-reads the session even if no
 * other process committed since the last look (this process's own commits do not change the data
 * version). */
static KioskAvailability check_availability(App *app, int force, DbError *why)
{
    const char *data = app->args.data;
    long long free_bytes = fs_free_bytes(data), need = min_free_bytes(app);
    why->msg[0] = '\0';
    uint64_t now = now_ms(app);
    if (app->store && app->fault_kind == KA_NO_SPACE && free_bytes >= 2 * need)
        set_fault(app, KA_COLLECTING, ""); /* space came back: a full disk heals */
    if (!app->store && (app->scripted || now - app->last_reopen >= 5000)) {
        /* The store could not be opened at start: try again every few seconds. */
        DbError err;
        app->last_reopen = now;
        if (open_store(app, &err) == DB_OK) {
            fprintf(stderr, "debrief-kiosk: the store at %s is open now\n", data);
            set_fault(app, KA_COLLECTING, "");
            app->admin.store = app->store;
            force = 1;
        } else {
            set_fault(app, err.code == DB_ENOSPC ? KA_NO_SPACE : KA_OUT_OF_SERVICE, err.msg);
        }
    }
    if (app->fault_kind != KA_COLLECTING) {
        dberr_set(why, DB_ESTATE, "%s", app->fault);
        return app->fault_kind;
    }
    if (free_bytes >= 0 && free_bytes < need) {
        dberr_set(why, DB_ESTATE,
                  "%s: only %lld KiB free; the kiosk needs %lld KiB to save the next responses",
                  data, free_bytes / 1024, need / 1024);
        return KA_NO_SPACE;
    }
    if (access(data, W_OK | X_OK) != 0) {
        dberr_set(why, DB_ESTATE, "%s: the data directory is not writable: %s", data,
                  strerror(errno));
        return KA_OUT_OF_SERVICE;
    }
    DbError err;
    uint32_t version = 0;
    if (store_data_version(app->store, &version, &err) != DB_OK) {
        dberr_set(why, DB_ESTATE, "%s", err.msg);
        return KA_OUT_OF_SERVICE;
    }
    if (force || version != app->data_version) {
        /* Another process may have freed slots (an acknowledgement) or added some. */
        if (version != app->data_version && store_refresh(app->store, &err) != DB_OK) {
            dberr_set(why, DB_ESTATE, "%s", err.msg);
            return KA_OUT_OF_SERVICE;
        }
        app->data_version = version;
        StoreSession cur;
        int found = 0;
        if (store_session_current(app->store, &cur, &found, &err) != DB_OK) {
            dberr_set(why, DB_ESTATE, "%s", err.msg);
            return KA_OUT_OF_SERVICE;
        }
        app->session_id = found ? cur.id : 0;
        app->session_full = found && cur.expected > 0 && cur.responses >= cur.expected;
        app->session_survey[0] = '\0';
        if (found && !session_fits_survey(app, &cur))
            snprintf(app->session_survey, sizeof app->session_survey, "%s v%u", cur.survey_id,
                     cur.survey_version);
        /* The analyst keys: pinned at the first start; confirmed (admin screen or
         * --pin-recipients) before a changed set seals anything. */
        DbError kerr;
        app->keys_problem[0] = '\0';
        if (kiosk_keys_check(&app->admin, &kerr) != DB_OK)
            snprintf(app->keys_problem, sizeof app->keys_problem, "%s", kerr.msg);
    }
    if (app->keys_problem[0]) {
        dberr_set(why, DB_ESTATE, "%s", app->keys_problem);
        return KA_KEYS_CHANGED;
    }
    if (!app->session_id) {
        dberr_set(why, DB_ESTATE, "no session is open");
        return KA_NO_SESSION;
    }
    if (app->session_survey[0]) {
        dberr_set(why, DB_ESTATE,
                  "the open session is for survey %s, but this kiosk runs %s v%u: close it and "
                  "open one for this survey",
                  app->session_survey, app->survey->id, app->survey->version);
        return KA_WRONG_SURVEY;
    }
    if (app->session_full) {
        dberr_set(why, DB_ESTATE, "the open session has reached its expected attendance");
        return KA_SESSION_FULL;
    }
    return KA_COLLECTING;
}

/* Checks and shows the availability; logs when it changes (the journal says why). */
static void refresh_availability(App *app, int force)
{
    DbError e;
    KioskAvailability a = check_availability(app, force, &e);
    const char *why = e.msg;
    if (a != app->avail_logged || strcmp(why, app->avail_why) != 0) {
        if (a == KA_COLLECTING)
            fprintf(stderr, "debrief-kiosk: collecting: session %lld is open\n",
                    (long long)app->session_id);
        else if (a == KA_NO_SPACE || a == KA_OUT_OF_SERVICE || a == KA_KEYS_CHANGED)
            fprintf(stderr, "debrief-kiosk: out of service: %s\n", why);
        else
            fprintf(stderr, "debrief-kiosk: not collecting: %s\n", why);
        app->avail_logged = a;
        snprintf(app->avail_why, sizeof app->avail_why, "%s", why);
    }
    if (app->kiosk)
        kiosk_set_availability(app->kiosk, a);
}

#define AVAILABILITY_CHECK_MS 1000

/* On the attract screen: at once when it appears (a participant finished, the admin screen
 * closed), then once a second (a session opened, closed or filled from a shell shows within
 * that), or at every step of a script. */
static void watch_availability(App *app)
{
    KioskScreen screen = kiosk_screen(app->kiosk);
    int arrived = screen == KS_ATTRACT && app->last_screen != KS_ATTRACT;
    app->last_screen = screen;
    if (screen != KS_ATTRACT)
        return;
    uint64_t now = now_ms(app);
    if (arrived || app->scripted || now - app->last_check >= AVAILABILITY_CHECK_MS) {
        app->last_check = now;
        KioskAvailability before = kiosk_availability(app->kiosk);
        refresh_availability(app, arrived);
        if (kiosk_availability(app->kiosk) != before)
            app->need_draw = 1;
    }
}

/* ---- the loop ---- */

static void draw_if_needed(App *app)
{
    int w, h;
    platform_logical_size(app->plat, &w, &h);
    const UiFrame *f = kiosk_frame(app->kiosk, w, h);
    if (app->need_draw) {
        platform_draw(app->plat, f);
        app->need_draw = 0;
        kiosk_frame_shown(app->kiosk, now_ms(app)); /* the guard after a change counts from here */
    }
}

/* Hands one translated event to the kiosk. Returns 0 to quit. */
static int dispatch(App *app, const PlatformEvent *ev)
{
    Kiosk *k = app->kiosk;
    if (kiosk_tick(k, now_ms(app)))
        app->need_draw = 1;
    switch (ev->type) {
    case PE_QUIT:
        return 0;
    case PE_PRESS:
        if (kiosk_press(k, ev->x, ev->y))
            app->need_draw = 1;
        break;
    case PE_MOVE:
        if (kiosk_move(k, ev->x, ev->y))
            app->need_draw = 1;
        break;
    case PE_RELEASE:
        if (kiosk_release(k, ev->x, ev->y))
            app->need_draw = 1;
        break;
    case PE_KEY:
        if (kiosk_key(k, ev->key))
            app->need_draw = 1;
        break;
    case PE_TEXT:
        if (kiosk_text(k, ev->text))
            app->need_draw = 1;
        break;
    case PE_EXPOSE:
        app->need_draw = 1;
        break;
    default:
        break;
    }
    return 1;
}

/* Drains pending events (scripts inject them) and redraws. Returns 0 on quit. */
static int pump(App *app)
{
    PlatformEvent ev;
    while (platform_wait(app->plat, 0, &ev)) {
        int go_on = dispatch(app, &ev);
        secmem_wipe(&ev, sizeof ev); /* typed text: answers or PIN digits */
        if (!go_on)
            return 0;
        draw_if_needed(app);
    }
    if (kiosk_tick(app->kiosk, now_ms(app)))
        app->need_draw = 1;
    watch_availability(app);
    keep_cadence(app);
    draw_if_needed(app);
    prepare_envelope(app);
    return 1;
}

static int run_interactive(App *app)
{
    app->need_draw = 1;
    watchdog_init(app);
    for (;;) {
        if (kiosk_tick(app->kiosk, now_ms(app)))
            app->need_draw = 1;
        watch_availability(app);
        draw_if_needed(app);
        if (!app->ready_sent) { /* the first screen is up */
            sd_notify_send("READY=1\nSTATUS=showing the survey");
            app->ready_sent = 1;
        }
        watchdog_ping(app, platform_ticks());
        keep_cadence(app);
        prepare_envelope(app);
        int64_t t = kiosk_next_timer(app->kiosk);
        if (app->next_tick) {
            uint64_t now = platform_ticks();
            int64_t to_tick = app->next_tick > now ? (int64_t)(app->next_tick - now) : 0;
            if (t < 0 || t > to_tick)
                t = to_tick;
        }
        /* On the attract screen, look once a second for what changed underneath. */
        if (kiosk_screen(app->kiosk) == KS_ATTRACT) {
            uint64_t since = platform_ticks() - app->last_check;
            int64_t next = since >= AVAILABILITY_CHECK_MS ? 0 : AVAILABILITY_CHECK_MS - (int64_t)since;
            if (t < 0 || t > next)
                t = next;
        }
        if (app->watchdog_ms && (t < 0 || (uint64_t)t > app->watchdog_ms))
            t = (int64_t)app->watchdog_ms;
        PlatformEvent ev;
        if (platform_wait(app->plat, (int)t, &ev)) {
            int go_on = dispatch(app, &ev);
            secmem_wipe(&ev, sizeof ev); /* typed text: answers or PIN digits */
            if (!go_on)
                return EXIT_OK;
        }
    }
}

static void shot_path(const App *app, const Script *s, const char *name, char *out, size_t cap)
{
    if (name[0] == '/')
        snprintf(out, cap, "%s", name);
    else
        snprintf(out, cap, "%s/%s", app->args.shots[0] ? app->args.shots : s->dir, name);
}

/* Where a finger step goes: the middle of the visible text (need_target: on a button), or
 * the step's coordinates. Returns 0 (said on stderr) if there is no such place. */
static int script_point(const Script *s, const ScriptStep *st, const UiFrame *f, int w, int h,
                        int need_target, int *x, int *y)
{
    if (!st->str) {
        if (st->x >= w || st->y >= h) {
            fprintf(stderr, "%s:%d: %d %d is outside the %dx%d screen\n", s->name, st->line,
                    st->x, st->y, w, h);
            return 0;
        }
        *x = st->x;
        *y = st->y;
        return 1;
    }
    int li = ui_frame_find_label(f, st->str);
    if (li == -2) {
        fprintf(stderr, "%s:%d: more than one visible %s \"%s\"\n", s->name, st->line,
                need_target ? "target labelled" : "text", st->str);
        return 0;
    }
    if (li < 0 || (need_target && f->labels[li].target < 0)) {
        fprintf(stderr, "%s:%d: no visible %s \"%s\"\n", s->name, st->line,
                need_target ? "target labelled" : "text", st->str);
        return 0;
    }
    UiRect r = f->labels[li].r;
    *x = r.x + r.w / 2;
    *y = r.y + r.h / 2;
    if (f->labels[li].target >= 0) {
        UiRect tr = f->targets[f->labels[li].target].r;
        if (!ui_rect_contains(tr, *x, *y)) { /* a label wider than its target */
            *x = tr.x + tr.w / 2;
            *y = tr.y + tr.h / 2;
        }
    }
    return 1;
}

/* A deliberate tap: the kiosk's clock runs on until the kiosk takes a press at (x, y). Only
 * the kiosk's own timers run meanwhile, so the tap meets the screen the step looked at. */
static int settle(App *app, int x, int y)
{
    int64_t t = kiosk_input_wait(app->kiosk, x, y);
    if (t <= 0)
        return 1;
    app->clock_ms += (uint64_t)t;
    if (kiosk_tick(app->kiosk, app->clock_ms))
        app->need_draw = 1;
    return 1;
}

/* Runs every step; returns EXIT_OK only if all of them did what they say. */
static int run_script(App *app, const Script *s)
{
    app->need_draw = 1;
    if (!pump(app))
        return EXIT_FAIL;
    for (int i = 0; i < s->n; i++) {
        const ScriptStep *st = &s->steps[i];
        int w, h;
        platform_logical_size(app->plat, &w, &h);
        const UiFrame *f = kiosk_frame(app->kiosk, w, h);
        switch (st->op) {
        case SO_TAP_LABEL:
        case SO_TAP_XY: {
            int x, y;
            if (!script_point(s, st, f, w, h, 1, &x, &y) || !settle(app, x, y))
                return EXIT_FAIL;
            platform_inject_tap(app->plat, x, y);
            app->finger_x = x;
            app->finger_y = y;
            break;
        }
        case SO_PRESS: {
            int px, py;
            if (!script_point(s, st, f, w, h, 0, &px, &py) || !settle(app, px, py))
                return EXIT_FAIL;
            /* Down, the kiosk's clock moves on while the finger stays, then up. */
            platform_inject_down(app->plat, px, py);
            if (!pump(app))
                return EXIT_FAIL;
            app->clock_ms += (uint64_t)st->ms;
            if (!pump(app))
                return EXIT_FAIL;
            platform_inject_up(app->plat, px, py);
            app->finger_x = px;
            app->finger_y = py;
            break;
        }
        case SO_DOWN:
        case SO_MOVE: {
            int x, y;
            if (!script_point(s, st, f, w, h, 0, &x, &y))
                return EXIT_FAIL;
            if (st->op == SO_DOWN)
                platform_inject_down(app->plat, x, y);
            else
                platform_inject_move(app->plat, x, y);
            app->finger_x = x;
            app->finger_y = y;
            break;
        }
        case SO_UP:
            platform_inject_up(app->plat, app->finger_x, app->finger_y);
            break;
        case SO_HOLD:
            app->clock_ms += (uint64_t)st->ms;
            break;
        case SO_DOUBLETAP: {
            int x, y;
            if (!script_point(s, st, f, w, h, 0, &x, &y))
                return EXIT_FAIL;
            platform_inject_tap(app->plat, x, y);
            if (!pump(app))
                return EXIT_FAIL;
            app->clock_ms += (uint64_t)st->ms;
            if (!pump(app))
                return EXIT_FAIL;
            platform_inject_tap(app->plat, x, y);
            app->finger_x = x;
            app->finger_y = y;
            break;
        }
        case SO_TYPE:
            platform_inject_text(app->plat, st->str);
            break;
        case SO_KEY:
            platform_inject_key(app->plat, st->key);
            break;
        case SO_WAIT: {
            /* Real time passes: the cadence of writes keeps its ticks meanwhile. */
            uint64_t end = platform_ticks() + (uint64_t)st->ms;
            for (uint64_t now = platform_ticks(); now < end; now = platform_ticks()) {
                uint64_t until = app->next_tick && app->next_tick < end ? app->next_tick : end;
                if (until > now) {
                    uint64_t ms = until - now;
                    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
                    nanosleep(&ts, NULL);
                }
                keep_cadence(app);
            }
            app->clock_ms += (uint64_t)st->ms;
            break;
        }
        case SO_IDLE:
            app->clock_ms += (uint64_t)st->ms;
            break;
        case SO_WAITFILE: {
            char path[KIOSK_PATH_MAX * 2];
            if (st->str[0] == '/')
                snprintf(path, sizeof path, "%s", st->str);
            else
                snprintf(path, sizeof path, "%s/%s", s->dir, st->str);
            /* Meanwhile the kiosk runs as it does for a person: its clock follows real time
             * and input that arrives (a real finger, xdotool) is handled as it comes. */
            uint64_t t0 = platform_ticks(), base = app->clock_ms;
            while (access(path, F_OK) != 0) {
                uint64_t waited = platform_ticks() - t0;
                if (waited >= (uint64_t)st->ms) {
                    fprintf(stderr, "%s:%d: waited %ld s for %s, which did not appear\n",
                            s->name, st->line, st->ms / 1000, path);
                    return EXIT_FAIL;
                }
                app->clock_ms = base + waited;
                if (!pump(app))
                    return EXIT_FAIL;
                struct timespec ts = {0, 2 * 1000000L};
                nanosleep(&ts, NULL);
            }
            /* Whatever was sent before the file appeared is handled before the next step. */
            app->clock_ms = base + (platform_ticks() - t0);
            platform_sync_input(app->plat);
            if (!pump(app))
                return EXIT_FAIL;
            break;
        }
        case SO_EXPECT:
        case SO_ABSENT: {
            int vis = script_text_visible(f, st->str);
            if (st->op == SO_EXPECT && !vis) {
                fprintf(stderr, "%s:%d: expected \"%s\" on screen, but it is not there\n", s->name,
                        st->line, st->str);
                return EXIT_FAIL;
            }
            if (st->op == SO_ABSENT && vis) {
                fprintf(stderr, "%s:%d: \"%s\" is on screen but should not be\n", s->name, st->line,
                        st->str);
                return EXIT_FAIL;
            }
            break;
        }
        case SO_SCREENSHOT: {
            char path[KIOSK_PATH_MAX * 2];
            shot_path(app, s, st->str, path, sizeof path);
            DbError err;
            app->need_draw = 1;
            draw_if_needed(app);
            if (platform_screenshot(app->plat, path, &err) != DB_OK) {
                fprintf(stderr, "%s:%d: %s\n", s->name, st->line, err.msg);
                return EXIT_FAIL;
            }
            break;
        }
        }
        if (!pump(app))
            return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* The built-in headless demo: one participant completes the bundled survey. */
static const char demo_script[] =
    "# Built-in demo: one participant completes the bundled CCDG survey.\n"
    "expect \"Tap to begin\"\n"
    "screenshot demo-01-attract.png\n"
    "tap \"Tap to begin\"\n"
    "tap \"Agree\"\n"
    "screenshot demo-02-likert.png\n"
    "tap \"Next\"\n"
    "tap \"Strongly agree\"\n"
    "tap \"Next\"\n"
    "tap \"Agree\"\n"
    "tap \"Next\"\n"
    "tap \"Neither agree nor disagree\"\n"
    "tap \"Next\"\n"
    "tap \"Agree\"\n"
    "tap \"Next\"\n"
    "tap \"4\"\n"
    "tap \"Next\"\n"
    "tap \"5 (high)\"\n"
    "tap \"Next\"\n"
    "tap \"3\"\n"
    "tap \"Next\"\n"
    "tap \"Mild challenge\"\n"
    "screenshot demo-03-choice.png\n"
    "tap \"Next\"\n"
    "tap \"Partly\"\n"
    "tap \"Next\"\n"
    "tap \"Not a challenge\"\n"
    "tap \"Next\"\n"
    "tap \"Moderate challenge\"\n"
    "tap \"Next\"\n"
    "tap \"Yes\"\n"
    "tap \"Next\"\n"
    "tap \"Prefer not to answer\"\n"
    "tap \"Next\"\n"
    "tap \"Physician\"\n"
    "tap \"Next\"\n"
    "tap \"More than 10 years\"\n"
    "tap \"Next\"\n"
    "tap \"6 or fewer half-day sessions a week\"\n"
    "tap \"Next\"\n"
    "type \"Time to think together.\"\n"
    "screenshot demo-04-text.png\n"
    "tap \"Next\"\n"
    "tap \"Next\"\n"
    "expect \"Please check your answers\"\n"
    "screenshot demo-05-review.png\n"
    "tap \"Submit\"\n"
    "expect \"Thank you\"\n"
    "screenshot demo-06-thanks.png\n"
    "idle 10\n"
    "expect \"Tap to begin\"\n";

static int run_demo_headless(App *app)
{
    Script *s = NULL;
    DbError err;
    if (script_parse("built-in demo script", demo_script, sizeof demo_script - 1, &s, &err) !=
        DB_OK)
        return fail(err.msg);
    snprintf(s->dir, sizeof s->dir, "%s", app->demo_dir);
    app->scripted = 1;
    int rc = run_script(app, s);
    script_free(s);
    if (rc != EXIT_OK)
        return rc;
    int64_t n = 0;
    store_response_count(app->store, -1, &n, &err);
    fprintf(
        stderr,
        "debrief-kiosk: headless demo done: %lld sealed response%s in the store at %s "
        "(records-*.dat)\n"
        "debrief-kiosk:   screenshots: %s/demo-*.png\n"
        "debrief-kiosk:   only the demo secret key (%s/demo.key, passphrase above) can open it\n",
        (long long)n, n == 1 ? "" : "s", app->args.data, app->demo_dir,
        app->demo_dir);
    return EXIT_OK;
}

static void no_display_help(const char *what)
{
    fprintf(stderr,
            "debrief-kiosk: no display: %s\n"
            "debrief-kiosk:   on a desktop, run it inside the graphical session (DISPLAY or "
            "WAYLAND_DISPLAY set);\n"
            "debrief-kiosk:   on the console (no X), run with SDL_VIDEODRIVER=kmsdrm as a user in "
            "the video, render and input groups;\n"
            "debrief-kiosk:   to run headless on purpose, use --script FILE with "
            "SDL_VIDEODRIVER=dummy.\n",
            what);
}

/* ---- a kiosk that cannot start ---- */

#define FAULT_RETRY_S 5

/* Forgets what a failed setup_data loaded, so that it can be run again. */
static void forget_setup(App *app)
{
    survey_free(app->survey);
    app->survey = NULL;
    store_close(app->store);
    app->store = NULL;
    app->n_rcpt = 0;
    set_fault(app, KA_COLLECTING, "");
}

/* Whether the kiosk runs as the service: systemd's Type=notify gives it NOTIFY_SOCKET, and
 * restarts it whenever it exits, so a fault it cannot get past must stay on the screen rather
 * than end in a restart loop with nothing on it. A person who starts it from a shell (no
 * NOTIFY_SOCKET), a script or the demo gets the message and the exit status instead. */
static int runs_as_service(const KioskArgs *a, int demo)
{
    return getenv("NOTIFY_SOCKET") && !a->script[0] && !demo && !a->selftest && !a->set_pin &&
           !a->pin_recipients && !a->render_survey[0] && !a->help;
}

/* What the out-of-service screen tries again: DB_OK once the kiosk can start, else err. */
typedef int (*RetryFn)(App *app, void *ctx, DbError *err);

static int retry_setup(App *app, void *ctx, DbError *err)
{
    (void)ctx;
    forget_setup(app);
    return setup_data(app, err);
}

/* Shows the "out of service" screen with the reason (err) and tries again (retry) every
 * FAULT_RETRY_S seconds, feeding systemd's watchdog meanwhile. Returns 1 once the retry
 * worked (app->plat stays open), 0 when asked to stop or when no screen can be opened at
 * all. */
static int stay_out_of_service(App *app, const PlatformConfig *pc, DbError *err, RetryFn retry,
                               void *ctx)
{
    PlatformConfig c = *pc;
    c.allow_headless = 1; /* whatever screen there is: a test's dummy one too */
    int pstatus;
    DbError perr;
    if (platform_open(&c, app->fonts, &app->plat, &pstatus, &perr) != DB_OK) {
        fprintf(stderr, "debrief-kiosk: error: cannot show that on a screen either: %s\n",
                perr.msg);
        return 0;
    }
    UiFrame *f = ui_frame_new(kfonts_measure(app->fonts));
    if (!f)
        return 0;
    char reason[DBERR_MSG_MAX], note[DBERR_MSG_MAX + 64];
    snprintf(reason, sizeof reason, "%s", err->msg);
    watchdog_init(app);
    int ok = 0, draw = 1, told = 0;
    uint64_t next_try = platform_ticks() + FAULT_RETRY_S * 1000;
    for (;;) {
        if (draw) {
            int w, h;
            platform_logical_size(app->plat, &w, &h);
            fault_screen_build(f, w, h, reason, FAULT_RETRY_S);
            platform_draw(app->plat, f);
            char shot[KIOSK_PATH_MAX + 32];
            DbError serr;
            snprintf(shot, sizeof shot, "%s/out-of-service.png", app->args.shots);
            if (app->args.shots[0] && platform_screenshot(app->plat, shot, &serr) != DB_OK)
                fprintf(stderr, "debrief-kiosk: warning: %s\n", serr.msg);
            draw = 0;
        }
        if (!told) { /* ready: the screen says why; systemd need not restart anything */
            snprintf(note, sizeof note, "READY=1\nSTATUS=out of service: %s", reason);
            sd_notify_send(note);
            told = 1;
        }
        uint64_t now = platform_ticks();
        watchdog_ping(app, now);
        if (now >= next_try) {
            if (retry(app, ctx, err) == DB_OK) {
                ok = 1;
                break;
            }
            if (strcmp(err->msg, reason) != 0) {
                fprintf(stderr, "debrief-kiosk: error: %s\n", err->msg);
                snprintf(reason, sizeof reason, "%s", err->msg);
                draw = 1;
            }
            next_try = platform_ticks() + FAULT_RETRY_S * 1000;
            continue;
        }
        int64_t t = (int64_t)(next_try - now);
        if (app->watchdog_ms && (uint64_t)t > app->watchdog_ms)
            t = (int64_t)app->watchdog_ms;
        PlatformEvent ev;
        if (platform_wait(app->plat, (int)t, &ev)) {
            if (ev.type == PE_QUIT)
                break;
            if (ev.type == PE_EXPOSE)
                draw = 1;
            secmem_wipe(&ev, sizeof ev);
        }
    }
    ui_frame_free(f);
    return ok;
}

/* The command line, for reading the configuration file again. */
typedef struct Argv {
    int argc;
    char **argv;
} Argv;

static int retry_config(App *app, void *ctx, DbError *err)
{
    (void)app;
    const Argv *av = ctx;
    KioskArgs *a = malloc(sizeof *a);
    if (!a)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    int rc = kiosk_args_parse(av->argc, av->argv, a, err);
    free(a);
    return rc;
}

/* The configuration file is missing or has a bad line (err says which, and where) and the
 * kiosk runs as the service: the out-of-service screen says so, with the default fonts (a
 * configured one may be the fault) and full screen (the service is the console kiosk), and
 * reads the file again every FAULT_RETRY_S seconds. Once it reads, the kiosk exits for
 * systemd to start it afresh with every setting (Restart=always; not status 0, which would
 * start the console login). */
static int config_out_of_service(App *app, int argc, char **argv, DbError *err)
{
    fprintf(stderr, "debrief-kiosk: error: %s\n", err->msg);
    DbError ferr;
    if (kfonts_open(KIOSK_FONT_REGULAR, KIOSK_FONT_BOLD, &app->fonts, &ferr) != DB_OK) {
        fprintf(stderr, "debrief-kiosk: error: cannot show that on a screen either: %s\n",
                ferr.msg);
        return EXIT_FAIL;
    }
    PlatformConfig pc = {app->args.w, app->args.h, 1, app->args.rotation, 0, "Debrief"};
    Argv av = {argc, argv};
    if (stay_out_of_service(app, &pc, err, retry_config, &av))
        fprintf(stderr, "debrief-kiosk: %s reads now; exiting to be started again with it\n",
                app->args.config);
    platform_close(app->plat);
    kfonts_close(app->fonts);
    return EXIT_FAIL;
}

/* The panel's density for sizes in mm: the configuration's panel_mm, else what SDL says,
 * else (KMSDRM, where SDL 2.26 says nothing) the DRM connector's size; 0 if nobody knows. */
static int panel_density(App *app)
{
    int pw, ph, wmm = app->args.panel_w_mm, hmm = app->args.panel_h_mm, dpi = 0;
    char where[96] = "the configuration (panel_mm)";
    platform_physical_size(app->plat, &pw, &ph);
    if (!wmm) {
        dpi = platform_dpi(app->plat);
        snprintf(where, sizeof where, "SDL");
        if (!dpi && platform_on_kmsdrm(app->plat))
            panel_size_mm(&wmm, &hmm, where, sizeof where);
    }
    if (wmm > 0) {
        int dw = panel_dpi(pw, wmm), dh = panel_dpi(ph, hmm);
        dpi = dw > dh ? dw : dh; /* the denser side: 9 mm hold both ways */
    }
    char mm[32] = "";
    if (wmm > 0)
        snprintf(mm, sizeof mm, ", %dx%d mm", wmm, hmm);
    if (dpi > 0)
        fprintf(stderr, "debrief-kiosk: panel %dx%d px%s (from %s): %d dpi, 9 mm targets are "
                        "%d px\n",
                pw, ph, mm, where, dpi, 9 * dpi * 10 / 254);
    else
        fprintf(stderr, "debrief-kiosk: the panel's size is not known (set panel_mm in the "
                        "configuration): sizes follow its pixels\n");
    return dpi;
}

/* --render-survey FILE [--out DIR]: every screen checked (and drawn), headless. */
static int render_survey_main(const KioskArgs *a)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1); /* drawn off screen, whatever the session has */
    Survey *s = NULL;
    KFonts *fonts = NULL;
    DbError err;
    int problems = 0, status = EXIT_FAIL;
    if (survey_load_file(a->render_survey, &s, &err) != DB_OK ||
        kfonts_open(a->font[0] ? a->font : KIOSK_FONT_REGULAR,
                    a->font_bold[0] ? a->font_bold : KIOSK_FONT_BOLD, &fonts, &err) != DB_OK ||
        survey_render(s, fonts, a->out_dir[0] ? a->out_dir : NULL, stdout, &problems, &err) !=
            DB_OK)
        fail(err.msg);
    else
        status = problems ? EXIT_FAIL : EXIT_OK;
    if (status == EXIT_OK && a->out_dir[0])
        printf("preview: %s/index.html\n", a->out_dir);
    kfonts_close(fonts);
    survey_free(s);
    return status;
}

/* Secrets hygiene: answers and the PIN pass through this process's memory, so it never
 * writes a core dump (RLIMIT_CORE 0, soft and hard) and is not dumpable (no core, no ptrace
 * attach by the same user, /proc/PID/mem closed to it). Done first, before any secret. */
static void no_core_dumps(void)
{
    struct rlimit rl = {0, 0};
    if (setrlimit(RLIMIT_CORE, &rl) != 0)
        fprintf(stderr, "debrief-kiosk: warning: cannot disable core dumps: %s\n", strerror(errno));
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fprintf(stderr, "debrief-kiosk: warning: cannot make the process non-dumpable: %s\n",
                strerror(errno));
}

int main(int argc, char **argv)
{
    no_core_dumps();
    App app;
    memset(&app, 0, sizeof app);
    DbError err;
    int config_fault = 0;
    if (kiosk_args_parse(argc, argv, &app.args, &err) != DB_OK) {
        config_fault = app.args.config_failed && runs_as_service(&app.args, 0);
        if (!config_fault) {
            fprintf(stderr, "debrief-kiosk: error: %s\n", err.msg);
            if (!app.args.config_failed) { /* the usage helps with options, not with a file */
                fputc('\n', stderr);
                kiosk_args_usage(stderr);
            }
            return EXIT_USAGE;
        }
    }
    if (app.args.help) {
        kiosk_args_usage(stdout);
        return EXIT_OK;
    }
    if (secmem_init() != 0)
        return fail("cannot initialise libsodium");
    if (config_fault)
        return config_out_of_service(&app, argc, argv, &err);
    if (app.args.set_pin)
        return kiosk_set_pin_main(app.args.data, app.args.pin_file, app.args.pin_hash,
                                  app.args.config[0] ? app.args.config : NULL);
    if (app.args.render_survey[0])
        return render_survey_main(&app.args);
    if (app.args.pin_recipients)
        return kiosk_pin_recipients_main(&app.args);
    app.demo = kiosk_args_demo(&app.args);
    int status = EXIT_FAIL, rc;
    char lockmsg[DBERR_MSG_MAX];
    if (!app.args.selftest && kiosk_memlock_check(lockmsg, sizeof lockmsg) != 0)
        fprintf(stderr, "debrief-kiosk: warning: %s\n", lockmsg);
    Script *script = NULL;

    if (app.args.selftest) {
        if (app.demo)
            return fail("--selftest needs the settings to check (--config FILE, or --survey, "
                        "--data and --recipient)");
        return kiosk_selftest(&app.args, stdout);
    }
    if (app.args.script[0] && script_load(app.args.script, &script, &err) != DB_OK) {
        status = fail(err.msg);
        goto done;
    }
    if (kfonts_open(app.args.font[0] ? app.args.font : KIOSK_FONT_REGULAR,
                    app.args.font_bold[0] ? app.args.font_bold : KIOSK_FONT_BOLD, &app.fonts,
                    &err) != DB_OK) {
        status = fail(err.msg);
        goto done;
    }
    if (app.demo && setup_demo(&app, &err) != DB_OK) {
        status = fail(err.msg);
        goto done;
    }
    PlatformConfig pc = {app.args.w,        app.args.h,     app.args.fullscreen,
                         app.args.rotation, script != NULL, "Debrief"};
    if (setup_data(&app, &err) != DB_OK) {
        /* Under systemd, say why on the screen and keep trying, rather than be restarted
         * every few seconds with nothing on it; from a shell or a script, exit. */
        if (!runs_as_service(&app.args, app.demo)) {
            status = fail(err.msg);
            goto done;
        }
        fprintf(stderr, "debrief-kiosk: error: %s\n", err.msg);
        if (!stay_out_of_service(&app, &pc, &err, retry_setup, NULL))
            goto done; /* stopped (status stays EXIT_FAIL) */
        fprintf(stderr, "debrief-kiosk: the settings work now; starting\n");
    }
    /* The coordinator's PIN: a bad one disables the admin screen, not the kiosk. */
    if (kiosk_pin_load(app.args.data, app.args.pin_hash, app.pin_hash, &app.pin_where, &err) !=
        DB_OK) {
        app.pin_hash[0] = '\0';
        if (err.code != DB_ENOENT) {
            snprintf(app.pin_problem, sizeof app.pin_problem, "%s", err.msg);
            fprintf(stderr, "debrief-kiosk: error: %s: the admin screen cannot be opened\n",
                    err.msg);
        }
    }
    app.admin = (KioskAdmin){app.store,  app.survey,          app.args.data,          app.rcpt,
                             app.n_rcpt, app.args.export_dir, app.args.min_responses, app.fault,
                             0};

    int pstatus = PLATFORM_OK;
    rc = app.plat ? DB_OK : platform_open(&pc, app.fonts, &app.plat, &pstatus, &err);
    int headless_demo = 0;
    if (rc != DB_OK || pstatus == PLATFORM_NO_DISPLAY) {
        char what[DBERR_MSG_MAX + 64];
        if (rc != DB_OK)
            snprintf(what, sizeof what, "%s", err.msg);
        else
            snprintf(what, sizeof what, "SDL picked the '%s' video driver (no screen to show on)",
                     platform_driver(app.plat));
        no_display_help(what);
        if (!app.demo) {
            status = EXIT_FAIL;
            goto done;
        }
        fprintf(stderr, "debrief-kiosk: running the demo headless instead (dummy driver)\n");
        platform_close(app.plat);
        app.plat = NULL;
        setenv("SDL_VIDEODRIVER", "dummy", 1);
        pc.allow_headless = 1;
        if (platform_open(&pc, app.fonts, &app.plat, &pstatus, &err) != DB_OK) {
            status = fail(err.msg);
            goto done;
        }
        headless_demo = 1;
    }
    fprintf(stderr, "debrief-kiosk: video driver '%s', renderer '%s'%s%s\n",
            platform_driver(app.plat), platform_renderer(app.plat),
            platform_renderer_note(app.plat)[0] ? "; not used: " : "",
            platform_renderer_note(app.plat));

    KioskConfig kc;
    kiosk_config_defaults(&kc);
    if (app.args.idle_timeout_s > 0)
        kc.idle_timeout_ms = app.args.idle_timeout_s * 1000;
    if (app.args.tap_guard_ms >= 0)
        kc.tap_guard_ms = app.args.tap_guard_ms;
    if (app.args.double_tap_ms >= 0)
        kc.double_tap_ms = app.args.double_tap_ms;
    kc.demo = app.demo;
    kc.banner = app.demo ? app.banner : NULL;
    kc.dpi = panel_density(&app);
    app.last_screen = KS_ATTRACT;
    refresh_availability(&app, 1);
    kc.availability = app.avail_logged;
    kc.pin_hash = app.pin_hash;
    int lang = 0;
    if (app.args.lang[0]) {
        lang = survey_find_lang(app.survey, app.args.lang);
        if (lang < 0) {
            fprintf(stderr, "debrief-kiosk: error: the survey has no language '%s'\n",
                    app.args.lang);
            status = EXIT_USAGE;
            goto done;
        }
    }
    if (kiosk_new(app.survey, &kc, lang, submit_response, &app, kfonts_measure(app.fonts),
                  &app.kiosk, &err) != DB_OK) {
        status = fail(err.msg);
        goto done;
    }
    KioskAdminOps ops;
    kiosk_admin_ops(&app.admin, &ops);
    kiosk_set_admin(app.kiosk, &ops);
    if (headless_demo) {
        status = run_demo_headless(&app);
    } else if (script) {
        app.scripted = 1;
        status = run_script(&app, script);
        if (status == EXIT_OK)
            fprintf(stderr, "%s: all %d steps ran\n", script->name, script->n);
    } else {
        uint64_t t0 = platform_ticks();
        status = run_interactive(&app);
        if (status == EXIT_OK && app.admin.console)
            status = KIOSK_EXIT_CONSOLE;
        uint64_t el = platform_ticks() - t0;
        fprintf(stderr, "debrief-kiosk: exiting after %llu.%01llu s, %llu wakeups\n",
                (unsigned long long)(el / 1000), (unsigned long long)(el % 1000 / 100),
                (unsigned long long)platform_wakeups(app.plat));
    }

done:
    kiosk_free(app.kiosk);
    platform_close(app.plat);
    kfonts_close(app.fonts);
    seal_envelope_free(app.envelope);
    secmem_free(app.plain);
    store_close(app.store);
    survey_free(app.survey);
    script_free(script);
    return status;
}
