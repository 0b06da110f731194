/* Real input under X: debrief-kiosk runs on an X server in memory (Xvfb, SDL_VIDEODRIVER=x11,
 * its interactive event path: SDL mouse events, not injected ones) and xdotool moves and
 * clicks the pointer as an impatient, imprecise person would: double taps at 50-400 ms on
 * every kind of button, taps 20 px off centre, a finger dragged across buttons. The response
 * that is finally sealed is opened and must hold exactly the deliberate answers.
 *
 * Synchronisation waits on conditions, never on fixed sleeps: the kiosk's script takes a
 * screenshot when it is ready for the next gesture (the marker this program waits for) and
 * then waits (waitfile) for this program to say it is done; during that wait the kiosk
 * handles input as it comes, with its clock following real time. Where the buttons are is
 * computed with the same UI core and fonts (a second kiosk in this process, kept in step).
 *
 * Skipped (exit 77) without Xvfb or xdotool (tools/install-deps --test installs both). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "keys.h"
#include "kiosk_internal.h"
#include "kiosk_ui.h"
#include "platform.h"
#include "response.h"
#include "seal.h"
#include "secmem.h"
#include "store.h"
#include "survey.h"
#include "testlib.h"

#define W 800
#define H 480

static char tmp[256], kiosk_bin[4096], survey_path[4096], data_dir[512], pub[512];
static char display[32];
static KeySecret *sec;
static Kiosk *shadow;
static uint64_t sclock = 1000;

static int on_path(const char *prog)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

static pid_t kiosk_pid;
static int kiosk_status = -1; /* set once it has exited */

/* Waits (polling, at most 30 s) until path exists; gives up at once if the kiosk exited. */
static int wait_for(const char *path)
{
    for (int i = 0; i < 6000; i++) {
        if (access(path, F_OK) == 0)
            return 0;
        if (kiosk_status < 0 && waitpid(kiosk_pid, &kiosk_status, WNOHANG) == kiosk_pid) {
            fprintf(stderr, "  the kiosk exited before %s\n", path);
            return -1;
        }
        if (kiosk_status >= 0)
            return -1;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "  %s did not appear in 30 s\n", path);
    return -1;
}

/* Starts Xvfb on a free display (-displayfd); returns its pid. */
static pid_t start_xvfb(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char fd[16];
        snprintf(fd, sizeof fd, "%d", fds[1]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execlp("Xvfb", "Xvfb", "-displayfd", fd, "-screen", "0", "800x480x24", "-nolisten", "tcp",
               (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[32];
    ssize_t n = 0, r;
    while (n < (ssize_t)sizeof buf - 1 && (r = read(fds[0], buf + n, sizeof buf - 1 - (size_t)n)) > 0) {
        n += r;
        if (memchr(buf, '\n', (size_t)n))
            break;
    }
    close(fds[0]);
    if (n <= 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return -1;
    }
    buf[n] = '\0';
    snprintf(display, sizeof display, ":%d", atoi(buf));
    return pid;
}

/* Runs xdotool with the given arguments (on our display); 0 on success. */
static int xdo(const char *args)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "DISPLAY=%s xdotool %s", display, args);
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "  xdotool %s: status %d\n", args, rc);
    return rc;
}

/* ---- the shadow kiosk: where things are ---- */

static int shadow_submit(void *ctx, const Response *r, DbError *err)
{
    (void)ctx;
    (void)r;
    (void)err;
    return DB_OK;
}

static int where(const char *label, int *x, int *y)
{
    const UiFrame *f = kiosk_frame(shadow, W, H);
    int li = ui_frame_find_label(f, label);
    if (li < 0 || f->labels[li].target < 0) {
        fprintf(stderr, "  shadow: no target \"%s\"\n", label);
        CHECK(0);
        *x = *y = 1;
        return -1;
    }
    UiRect r = f->targets[f->labels[li].target].r;
    *x = r.x + r.w / 2;
    *y = r.y + r.h / 2;
    return 0;
}

/* The shadow does what the real kiosk should have done. */
static void shadow_tap(const char *label)
{
    int x, y;
    if (where(label, &x, &y) == 0) {
        sclock += 1000;
        kiosk_tick(shadow, sclock);
        kiosk_tap(shadow, x, y);
    }
}

/* ---- the gestures ---- */

static int step_no;

/* Waits for the kiosk's marker of step n, runs the gesture, says it is done. Every gesture
 * starts as a person's does: the pointer goes where the eye went, and the first press comes
 * REACT later (a person reads before tapping: that is not synchronisation but the timing of
 * the hand; the kiosk ignores presses sooner than its guard time after a screen change). */
#define REACT "sleep 0.6"
static void gesture(const char *xdo_args)
{
    char marker[600], done[600];
    step_no++;
    snprintf(marker, sizeof marker, "%s/m%d.png", tmp, step_no);
    snprintf(done, sizeof done, "%s/d%d", tmp, step_no);
    if (wait_for(marker) != 0) {
        CHECK(0);
        return;
    }
    CHECK(xdo(xdo_args) == 0);
    CHECK(fs_write_atomic(done, "", 0, 0600, NULL) == DB_OK);
}

static void double_tap(const char *label, int delay_ms)
{
    int x, y;
    where(label, &x, &y);
    char a[160];
    snprintf(a, sizeof a, "mousemove %d %d " REACT " click --repeat 2 --delay %d 1", x, y, delay_ms);
    gesture(a);
}

/* The kiosk side: a marker, then the wait for the gesture. */
static void kiosk_step(char *script, size_t cap, const char *after)
{
    static int n;
    n++;
    size_t len = strlen(script);
    snprintf(script + len, cap - len, "screenshot m%d.png\nwaitfile \"d%d\" 60\n%s", n, n, after);
}

typedef struct Opened {
    int n;
    DecodedResponse *d;
} Opened;

static int open_one(const uint8_t *rec, size_t len, void *ctx)
{
    Opened *o = ctx;
    uint8_t *plain = secmem_alloc(SEAL_MAX_PADDED);
    size_t plen;
    DbError err;
    if (seal_open(rec, len, sec, plain, SEAL_MAX_PADDED, &plen, &err) == DB_OK &&
        response_decode(plain, plen, &o->d, &err) == DB_OK)
        o->n++;
    secmem_free(plain);
    return 0;
}

static void test_real_fingers(void)
{
    /* The data directory with an open session. */
    CHECK(fs_mkdir_p(data_dir, 0700, NULL) == DB_OK);
    Store *st;
    DbError err;
    int64_t id;
    CHECK(store_open(data_dir, &st, &err) == DB_OK);
    CHECK(store_session_open(st, "Group 2", "2026-11-26", "team", 3, 0, &id, &err) == DB_OK);
    store_close(st);

    /* What the kiosk checks after each gesture. */
    static char script[8192];
    script[0] = '\0';
    snprintf(script, sizeof script, "expect \"Tap to begin\"\n");
    /* One entry per gesture below, in order: what the kiosk checks after it. */
    static const char *const after[] = {
        /* double tap on "Tap to begin" (150 ms): question 1 (required) is not answered, so
         * Next shows the note instead of moving on */
        "expect \"Question 1 of\"\ntap \"Next\"\n"
        "expect \"Please choose an answer to continue.\"\n",
        "",                                   /* "Disagree", 20 px below its centre */
        "expect \"What was missing?\"\n",     /* double tap on Next (80 ms): not skipped */
        "",                                   /* "Tap here to type" */
        "expect \"ll\"\n",                    /* double tap on a key (150 ms): typed twice */
        "",                                   /* "Done" */
        "expect \"Your role\"\nabsent \"Topics\"\n", /* double tap on Next (300 ms) */
        "expect \"What was missing?\"\ntap \"Next\"\n", /* double tap on Back (150 ms) */
        "expect \"Your role\"\n",             /* a drag from Back across Prefer not to Next */
        "",                                   /* "Clinical", 20 px right of its centre */
        "expect \"Topics\"\n",                /* double tap on Next (400 ms) */
        "",                                   /* double tap on "Ethics" (150 ms) */
        /* double tap on "Grief" (50 ms): both chosen, not toggled back (the question needs
         * one, so Next moves on only if they are) */
        "tap \"Next\"\nexpect \"Anything else?\"\ntap \"Next\"\n"
        "expect \"Please check your answers\"\n",
        "expect \"Thank you!\"\n", /* double tap on Submit (150 ms): one response */
    };
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++)
        kiosk_step(script, sizeof script, after[i]);
    char spath[600];
    snprintf(spath, sizeof spath, "%s/x.script", tmp);
    CHECK(fs_write_atomic(spath, script, strlen(script), 0600, NULL) == DB_OK);

    char errpath[600];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmp);
    pid_t kp = fork();
    kiosk_pid = kp;
    if (kp == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 2);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 0);
        setenv("SDL_VIDEODRIVER", "x11", 1);
        setenv("DISPLAY", display, 1);
        /* Under ASan: SDL's X11 and GL drivers (libdbus, Mesa, dlclosed) leak a little at
         * exit; the kiosk's own leaks are checked on the dummy driver (test_kiosk_session). */
        const char *asan = getenv("ASAN_OPTIONS");
        char opts[512];
        snprintf(opts, sizeof opts, "%s%sdetect_leaks=0", asan ? asan : "", asan ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
        execl(kiosk_bin, kiosk_bin, "--survey", survey_path, "--data", data_dir, "--recipient",
              pub, "--script", spath, "--size", "800x480", (char *)NULL);
        _exit(127);
    }

    int x, y;
    char a[256];
    double_tap("Tap to begin", 150);
    shadow_tap("Tap to begin");
    shadow_tap("Next");
    where("Disagree", &x, &y);
    snprintf(a, sizeof a, "mousemove %d %d " REACT " click 1", x, y + 20);
    gesture(a);
    shadow_tap("Disagree");
    double_tap("Next", 80);
    shadow_tap("Next");
    where("Tap here to type", &x, &y);
    snprintf(a, sizeof a, "mousemove %d %d " REACT " click 1", x, y);
    gesture(a);
    shadow_tap("Tap here to type");
    double_tap("l", 150);
    kiosk_text(shadow, "ll");
    where("Done", &x, &y);
    snprintf(a, sizeof a, "mousemove %d %d " REACT " click 1", x, y);
    gesture(a);
    shadow_tap("Done");
    double_tap("Next", 300);
    shadow_tap("Next");
    double_tap("Back", 150);
    shadow_tap("Back");
    shadow_tap("Next");
    int bx, by, nx, ny;
    where("Back", &bx, &by);
    where("Next", &nx, &ny);
    snprintf(a, sizeof a,
             "mousemove %d %d " REACT " mousedown 1 sleep 0.05 mousemove %d %d sleep 0.05 "
             "mousemove %d %d sleep 0.05 mousemove %d %d sleep 0.05 mouseup 1",
             bx, by, (2 * bx + nx) / 3, by, (bx + 2 * nx) / 3, by, nx, ny);
    gesture(a);
    where("Clinical", &x, &y);
    snprintf(a, sizeof a, "mousemove %d %d " REACT " click 1", x + 20, y);
    gesture(a);
    shadow_tap("Clinical");
    double_tap("Next", 400);
    shadow_tap("Next");
    double_tap("Ethics", 150);
    shadow_tap("Ethics");
    double_tap("Grief", 50);
    shadow_tap("Grief");
    shadow_tap("Next");
    shadow_tap("Next");
    double_tap("Submit", 150);

    int status = kiosk_status;
    if (status < 0)
        waitpid(kp, &status, 0);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    CHECK(rc == 0);
    uint8_t *log;
    size_t loglen;
    if (fs_read_file(errpath, 1 << 20, 0, &log, &loglen, NULL) == DB_OK) {
        if (rc != 0 || !strstr((char *)log, "video driver 'x11'"))
            fprintf(stderr, "%s", (char *)log);
        CHECK(strstr((char *)log, "video driver 'x11'") != NULL);
        free(log);
    }

    /* Exactly one response, holding exactly the deliberate answers. */
    Opened o = {0, NULL};
    StoreSession cur;
    int found = 0;
    CHECK(store_open(data_dir, &st, &err) == DB_OK);
    CHECK(store_session_current(st, &cur, &found, &err) == DB_OK && found);
    CHECK(store_response_foreach(st, cur.id, open_one, &o, &err) == DB_OK);
    store_close(st);
    CHECK(o.n == 1);
    if (o.d && o.d->n_answers == 5) {
        DecodedResponse *d = o.d;
        CHECK(d->answers[0].state == ANSWER_GIVEN && d->answers[0].likert == 2);
        CHECK(d->answers[1].state == ANSWER_GIVEN);
        CHECK_STR(d->answers[1].text, "ll");
        CHECK(d->answers[2].n_options == 1);
        CHECK_STR(d->answers[2].option_ids[0], "clinical");
        CHECK(d->answers[3].n_options == 2);
        CHECK_STR(d->answers[3].option_ids[0], "ethics");
        CHECK_STR(d->answers[3].option_ids[1], "grief");
        CHECK(d->answers[4].state == ANSWER_NONE);
    } else {
        CHECK(0);
    }
    response_decoded_free(o.d);
}

int main(void)
{
    if (!on_path("Xvfb") || !on_path("xdotool")) {
        printf("SKIPPED: needs Xvfb and xdotool (tools/install-deps --test)\n");
        return 77;
    }
    if (secmem_init() != 0)
        return 1;
    const char *b = getenv("DEBRIEF_BUILD_DIR"), *s = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(kiosk_bin, sizeof kiosk_bin, "%s/app/kiosk/debrief-kiosk", b ? b : "..");
    snprintf(survey_path, sizeof survey_path, "%s/tests/kiosk/team.json", s ? s : "..");
    snprintf(tmp, sizeof tmp, "/tmp/debrief-xinput-XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    snprintf(data_dir, sizeof data_dir, "%s/data", tmp);
    snprintf(pub, sizeof pub, "%s/analyst.pub", tmp);
    KeyPublic kp;
    DbError err;
    KFonts *fonts = NULL;
    Survey *survey = NULL;
    if (keys_generate(&kp, &sec, &err) != DB_OK || keys_public_write(pub, &kp, &err) != DB_OK ||
        kfonts_open(KIOSK_FONT_REGULAR, KIOSK_FONT_BOLD, &fonts, &err) != DB_OK ||
        survey_load_file(survey_path, &survey, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    KioskConfig c;
    kiosk_config_defaults(&c);
    c.tap_guard_ms = c.double_tap_ms = 0; /* it only follows the deliberate taps */
    if (kiosk_new(survey, &c, 0, shadow_submit, NULL, kfonts_measure(fonts), &shadow, &err) !=
        DB_OK)
        return 1;
    kiosk_tick(shadow, sclock);
    pid_t xp = start_xvfb();
    if (xp < 0) {
        printf("SKIPPED: Xvfb did not start\n");
        return 77;
    }
    RUN(test_real_fingers);
    kill(xp, SIGTERM);
    waitpid(xp, NULL, 0);
    kiosk_free(shadow);
    survey_free(survey);
    kfonts_close(fonts);
    keys_secret_free(sec);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (test_failed_ == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return test_report();
}
