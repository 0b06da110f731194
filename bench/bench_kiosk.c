/* bench_kiosk: what a participant feels on the touchscreen, headless (SDL dummy driver,
 * software renderer).
 *
 * 1. tap -> frame presented, per screen type, at 800x480 and 1920x1080: a synthetic finger
 *    goes through the same path as main.c (platform_inject_tap -> platform_wait -> kiosk_tap
 *    -> kiosk_frame -> platform_draw, which presents). Baseline, same run and size: an empty
 *    clear + present with bare SDL (sdl_bare.c). The submit here is a stub (bench_submit
 *    measures the real one), so "review -> thanks" is the drawing cost only. The dummy
 *    driver presents nothing (its baseline is a clear): those rows are drawing alone, judged
 *    by the 2 ms; with SDL_VIDEODRIVER=x11 on Xvfb (tools/bench does this run too, taps only:
 *    DEBRIEF_BENCH_TAPS_ONLY=1) or kmsdrm on a panel, rows are judged by the ratio.
 * 2. cold start -> first interactive frame: the real debrief-kiosk (survey, store, recipient
 *    key, fonts, window) timed from fork to the READY=1 it sends to $NOTIFY_SOCKET once its
 *    first screen is presented; baseline: bench_sdl_cold (bare SDL + SDL_ttf init, one text
 *    frame, READY=1) timed the same way.
 * 3. idle CPU and wake-ups/s: the real binary on its attract screen (all threads' CPU time
 *    and voluntary context switches from /proc/PID/task/N), and on a question screen, which
 *    needs a finger, main.c's interactive loop replayed here on the real platform and kiosk
 *    (getrusage: CPU time, voluntary context switches ~ wake-ups, platform_wakeups).
 * 4. peak RSS of debrief-kiosk idle at 800x480 and going through the whole survey at
 *    1280x800 with a real submit (wait4); the latter again with STORE_MAX_SLOTS responses
 *    stored, the most a store keeps: every process holds an index of the store's slots.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"
#include "fsutil.h"
#include "keys.h"
#include "kiosk_ui.h"
#include "platform.h"
#include "sdl_bare.h"
#include "seal.h"
#include "secmem.h"
#include "store.h"
#include "ui.h"

typedef struct Bench {
    const Survey *s;
    KFonts *fonts;
    Platform *plat;
    Kiosk *k;
    int w, h;
    uint64_t clock; /* the kiosk's clock (virtual, like a script run) */
} Bench;

static int stub_submit(void *ctx, const Response *r, DbError *err)
{
    (void)ctx;
    (void)r;
    (void)err;
    return DB_OK;
}

static void die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    exit(1);
}

static void bench_open(Bench *b, const Survey *s, KFonts *fonts, int w, int h)
{
    memset(b, 0, sizeof *b);
    b->s = s;
    b->fonts = fonts;
    DbError err;
    PlatformConfig pc = {w, h, 0, 0, 1, "bench"};
    int status = 0;
    bench_check(platform_open(&pc, fonts, &b->plat, &status, &err), &err, "platform_open");
    platform_logical_size(b->plat, &b->w, &b->h);
    /* As main.c draws: only what changed (DEBRIEF_BENCH_FULL_REDRAW=1: every frame whole). */
    if (!getenv("DEBRIEF_BENCH_FULL_REDRAW"))
        platform_set_draw_opts(b->plat, platform_draw_opts(b->plat) | PLATFORM_DRAW_PARTIAL);
    KioskConfig kc;
    kiosk_config_defaults(&kc);
    kc.availability = KA_COLLECTING;
    bench_check(kiosk_new(s, &kc, 0, stub_submit, NULL, kfonts_measure(fonts), &b->k, &err), &err,
                "kiosk_new");
    b->clock = 1000;
    kiosk_tick(b->k, b->clock);
    platform_draw(b->plat, kiosk_frame(b->k, b->w, b->h));
}

static void bench_close(Bench *b)
{
    kiosk_free(b->k);
    platform_close(b->plat);
}

/* Centre of the target holding the label (as the script runner picks it); 0 if found. */
static int find_label(Bench *b, const char *text, int *x, int *y)
{
    const UiFrame *f = kiosk_frame(b->k, b->w, b->h);
    int li = ui_frame_find_label(f, text);
    if (li < 0 || f->labels[li].target < 0)
        return -1;
    UiRect r = f->labels[li].r;
    UiRect tr = f->targets[f->labels[li].target].r;
    *x = r.x + r.w / 2;
    *y = r.y + r.h / 2;
    if (!ui_rect_contains(tr, *x, *y)) {
        *x = tr.x + tr.w / 2;
        *y = tr.y + tr.h / 2;
    }
    return 0;
}

/* Everything main.c does for one event, then the present: ms from the finger to the frame. */
static double finish_event(Bench *b, uint64_t t0)
{
    PlatformEvent ev;
    int changed = 0;
    while (platform_wait(b->plat, 0, &ev)) {
        b->clock += 700;
        if (kiosk_tick(b->k, b->clock))
            changed = 1;
        if (ev.type == PE_PRESS && kiosk_press(b->k, ev.x, ev.y))
            changed = 1;
        else if (ev.type == PE_RELEASE && kiosk_release(b->k, ev.x, ev.y))
            changed = 1;
        else if (ev.type == PE_TEXT && kiosk_text(b->k, ev.text))
            changed = 1;
    }
    const UiFrame *f = kiosk_frame(b->k, b->w, b->h);
    if (changed)
        platform_draw(b->plat, f);
    return (double)(bench_now_ns() - t0) / 1e6;
}

static double tap_label(Bench *b, const char *text)
{
    int x, y;
    if (find_label(b, text, &x, &y) != 0) {
        fprintf(stderr, "bench: no target labelled \"%s\" on screen %d (question %d)\n", text,
                (int)kiosk_screen(b->k), kiosk_current_question(b->k));
        exit(1);
    }
    uint64_t t0 = bench_now_ns();
    platform_inject_tap(b->plat, x, y);
    return finish_event(b, t0);
}

static double type_text(Bench *b, const char *s)
{
    uint64_t t0 = bench_now_ns();
    platform_inject_text(b->plat, s);
    return finish_event(b, t0);
}

/* Answers the current question plainly (untimed). */
static void answer(Bench *b)
{
    int q = kiosk_current_question(b->k);
    if (q < 0)
        return;
    const SurveyQuestion *sq = &b->s->questions[q];
    switch (sq->kind) {
    case SURVEY_LIKERT:
        tap_label(b, survey_text(&sq->anchors[sq->scale - 2], 0));
        break;
    case SURVEY_SINGLE:
    case SURVEY_MULTI:
        tap_label(b, survey_text(&sq->options[0].text, 0));
        break;
    case SURVEY_TEXT:
        type_text(b, "ok");
        break;
    }
}

/* From the attract screen (or any question) to question target, answering on the way. */
static void goto_question(Bench *b, int target)
{
    if (kiosk_screen(b->k) == KS_ATTRACT)
        tap_label(b, "Tap to begin");
    for (int guard = 0; kiosk_current_question(b->k) != target; guard++) {
        if (guard > 4 * b->s->n_questions)
            die("cannot reach the question");
        int q = kiosk_current_question(b->k);
        answer(b);
        tap_label(b, "Next");
        if (kiosk_current_question(b->k) == q && kiosk_screen(b->k) != KS_REVIEW)
            tap_label(b, "Next"); /* a text question: the first Next closes the keyboard */
        if (kiosk_screen(b->k) == KS_REVIEW)
            die("reached the review screen before the question");
    }
}

static void goto_review(Bench *b)
{
    goto_question(b, b->s->n_questions - 1);
    for (int guard = 0; kiosk_screen(b->k) != KS_REVIEW; guard++) {
        if (guard > 8)
            die("cannot reach the review screen");
        answer(b);
        tap_label(b, "Next");
    }
}

/* Back to the attract screen the way a walk-away does: idle timeout, countdown. */
static void to_attract(Bench *b)
{
    for (int i = 0; i < 4 && kiosk_screen(b->k) != KS_ATTRACT; i++) {
        b->clock += 300000;
        kiosk_tick(b->k, b->clock);
    }
    if (kiosk_screen(b->k) != KS_ATTRACT)
        die("the kiosk did not return to the attract screen");
    platform_draw(b->plat, kiosk_frame(b->k, b->w, b->h));
}

static int first_of_kind(const Survey *s, SurveyKind kind)
{
    for (int q = 0; q < s->n_questions; q++)
        if (s->questions[q].kind == kind && s->questions[q].show_if_question < 0)
            return q;
    return -1;
}

typedef struct TapFigures {
    const char *name;
    double *v;
    int n;
} TapFigures;

/* Measures every screen type at w x h; reps taps each. Returns the busiest median. */
static double bench_taps(const Survey *s, KFonts *fonts, int w, int h, int reps)
{
    Bench b;
    bench_open(&b, s, fonts, w, h);
    enum { NFIG = 7 };
    TapFigures fig[NFIG] = {{"attract -> first question", NULL, 0},
                            {"likert: choose an answer", NULL, 0},
                            {"question -> next question (Next/Back)", NULL, 0},
                            {"single choice: choose an answer", NULL, 0},
                            {"text question: a keystroke", NULL, 0},
                            {"last question <-> review", NULL, 0},
                            {"review -> thank you (stub submit)", NULL, 0}};
    for (int i = 0; i < NFIG; i++)
        fig[i].v = calloc((size_t)reps * 2, sizeof(double));

    for (int i = 0; i < reps; i++) {
        to_attract(&b);
        fig[0].v[fig[0].n++] = tap_label(&b, "Tap to begin");
    }
    const SurveyQuestion *q0 = &s->questions[0];
    if (q0->kind == SURVEY_LIKERT) {
        for (int i = 0; i < reps; i++)
            fig[1].v[fig[1].n++] =
                tap_label(&b, survey_text(&q0->anchors[q0->scale - 1 - i % 2], 0));
        for (int i = 0; i < reps; i++)
            fig[2].v[fig[2].n++] = tap_label(&b, i % 2 ? "Back" : "Next");
    }
    int qs = first_of_kind(s, SURVEY_SINGLE);
    if (qs >= 0) {
        to_attract(&b);
        goto_question(&b, qs);
        for (int i = 0; i < reps; i++)
            fig[3].v[fig[3].n++] =
                tap_label(&b, survey_text(&s->questions[qs].options[i % 2].text, 0));
    }
    int qt = first_of_kind(s, SURVEY_TEXT);
    if (qt >= 0) {
        to_attract(&b);
        goto_question(&b, qt);
        int x, y;
        for (int i = 0; i < reps; i++) {
            /* On-screen keyboard key if there is one labelled "a", else a typed key. */
            if (find_label(&b, "a", &x, &y) == 0)
                fig[4].v[fig[4].n++] = tap_label(&b, "a");
            else
                fig[4].v[fig[4].n++] = type_text(&b, "a");
        }
    }
    to_attract(&b);
    goto_review(&b);
    for (int i = 0; i < reps; i++)
        fig[5].v[fig[5].n++] = tap_label(&b, i % 2 ? "Next" : "Back");
    if (kiosk_screen(b.k) != KS_REVIEW)
        tap_label(&b, "Next");
    int thanks_reps = reps < 20 ? reps : 20;
    for (int i = 0; i < thanks_reps; i++) {
        if (kiosk_screen(b.k) != KS_REVIEW) {
            to_attract(&b);
            goto_review(&b);
        }
        fig[6].v[fig[6].n++] = tap_label(&b, "Submit");
        if (kiosk_screen(b.k) != KS_THANKS)
            die("Submit did not show the thank-you screen");
    }
    /* The platform's own fixed cost: an empty frame through platform_draw (clear of the
     * target, compose to the window, present). */
    double *empty = calloc((size_t)reps, sizeof(double));
    UiFrame *ef = ui_frame_new(kfonts_measure(fonts));
    if (!ef)
        die("ui_frame_new failed");
    ui_frame_begin(ef, b.w, b.h);
    /* Drawn whole every time (the same empty frame again would redraw nothing). */
    platform_set_draw_opts(b.plat, PLATFORM_DRAW_OPAQUE_TEXT | PLATFORM_DRAW_SKIP_HIDDEN);
    for (int i = 0; i < reps; i++) {
        uint64_t t0 = bench_now_ns();
        platform_draw(b.plat, ef);
        empty[i] = (double)(bench_now_ns() - t0) / 1e6;
    }
    ui_frame_free(ef);
    bench_close(&b);

    double *base = calloc((size_t)reps, sizeof(double));
    if (sdl_bare_present(w, h, reps, base) != 0)
        die("bare SDL present failed");
    BenchStats sb = bench_stats(base, (size_t)reps);
    /* The dummy driver presents nothing: its baseline is the clear alone, and a frame's cost
     * is drawing only, judged by the 2 ms; a driver that shows the frame (x11 on Xvfb or a
     * desktop, kmsdrm on a panel) is judged by the ratio to a clear + present. */
    const char *drv = getenv("SDL_VIDEODRIVER");
    int presents = drv && strcmp(drv, "dummy") != 0 && strcmp(drv, "offscreen") != 0;
    char size[64];
    if (presents)
        snprintf(size, sizeof size, "%dx%d, %s present", w, h, drv);
    else
        snprintf(size, sizeof size, "%dx%d", w, h);
    double busiest = 0;
    for (int i = 0; i < NFIG; i++) {
        if (fig[i].n == 0)
            continue;
        BenchStats st = bench_stats(fig[i].v, (size_t)fig[i].n);
        char name[128], met[8] = "-", target[32] = "-";
        snprintf(name, sizeof name, "tap -> frame %s: %s", size, fig[i].name);
        if (presents) {
            snprintf(target, sizeof target, "<=3x base");
            snprintf(met, sizeof met, "%s", st.median <= 3 * sb.median ? "yes" : "NO");
        } else if (w == 800 && h == 480) {
            snprintf(target, sizeof target, "p99 <=2 ms");
            snprintf(met, sizeof met, "%s", st.p99 <= 2.0 ? "yes" : "NO");
        }
        bench_row("kiosk", name, "ms", &st, &sb, target, met);
        if (st.median > busiest)
            busiest = st.median;
        free(fig[i].v);
    }
    char name[160];
    snprintf(name, sizeof name, "  baseline: bare SDL clear + present %s%s", size,
             presents ? "" : " (presents nothing)");
    bench_row("kiosk", name, "ms", &sb, NULL, "-", "-");
    BenchStats se = bench_stats(empty, (size_t)reps);
    snprintf(name, sizeof name, "  reference: platform_draw of an empty frame %s", size);
    bench_row("kiosk", name, "ms", &se, &sb, "-", "-");
    free(empty);
    free(base);
    return busiest;
}

/* ---- idle: main.c's run_interactive, for `secs` seconds ---- */

static void bench_idle(const Survey *s, KFonts *fonts, int on_question, int secs)
{
    Bench b;
    bench_open(&b, s, fonts, 800, 480);
    if (on_question)
        goto_question(&b, 0);
    /* From here on the kiosk's clock is the real one, as in run_interactive. */
    struct rusage r0, r1;
    uint64_t w0 = platform_wakeups(b.plat);
    getrusage(RUSAGE_SELF, &r0);
    uint64_t start = platform_ticks(), t0 = bench_now_ns();
    uint64_t off = b.clock - start; /* keep the kiosk's clock monotonic */
    int need_draw = 1;
    for (;;) {
        uint64_t now = platform_ticks();
        if (now - start >= (uint64_t)secs * 1000)
            break;
        if (kiosk_tick(b.k, now + off))
            need_draw = 1;
        const UiFrame *f = kiosk_frame(b.k, b.w, b.h);
        if (need_draw) {
            platform_draw(b.plat, f);
            need_draw = 0;
        }
        int64_t t = kiosk_next_timer(b.k);
        if (kiosk_screen(b.k) == KS_ATTRACT && (t < 0 || t > 10000))
            t = 10000;
        int64_t left = (int64_t)secs * 1000 - (int64_t)(now - start);
        if (t < 0 || t > left)
            t = left;
        PlatformEvent ev;
        if (platform_wait(b.plat, (int)t, &ev))
            need_draw = 1;
        else if (kiosk_screen(b.k) == KS_ATTRACT)
            need_draw = 1; /* run_interactive re-reads the session and redraws */
    }
    double wall = (double)(bench_now_ns() - t0) / 1e9;
    getrusage(RUSAGE_SELF, &r1);
    uint64_t wakeups = platform_wakeups(b.plat) - w0;
    double cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
                 (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
                 (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
                 (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    double pct = 100.0 * cpu / wall;
    double csw = (double)(r1.ru_nvcsw - r0.ru_nvcsw) / wall;
    const char *where = on_question ? "question screen" : "attract screen";
    char name[96];
    snprintf(name, sizeof name, "idle CPU, %s (%d s)", where, secs);
    bench_row1("idle", name, "% core", pct, "<=0.5 %", pct <= 0.5 ? "yes" : "NO");
    snprintf(name, sizeof name, "idle wake-ups, %s (voluntary ctx sw/s)", where);
    bench_row1("idle", name, "1/s", csw, "<=10/s", csw <= 10 ? "yes" : "NO");
    snprintf(name, sizeof name, "  platform_wait returns/s, %s", where);
    bench_row1("idle", name, "1/s", (double)wakeups / wall, "-", "-");
    bench_close(&b);
}

/* ---- the real binary: cold start and peak RSS ---- */

static char g_exe[PATH_MAX];

/* Runs argv with SDL_VIDEODRIVER=dummy, stdout/stderr to /dev/null; seconds and peak RSS. */
static int run_process(char *const argv[], double *secs, double *rss_mib)
{
    fflush(stdout);
    uint64_t t0 = bench_now_ns();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0 && !getenv("DEBRIEF_BENCH_VERBOSE")) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *secs = (double)(bench_now_ns() - t0) / 1e9;
    *rss_mib = (double)ru.ru_maxrss / 1024.0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        die("cannot write a scratch file");
}

/* Sets up a kiosk data directory (store with an open session, recipient key). */
static void make_kiosk_dir(const char *dir, const Survey *s, char *pub_path, size_t cap)
{
    DbError err;
    char data[PATH_MAX + 16];
    snprintf(data, sizeof data, "%s/data", dir);
    mkdir(data, 0700);
    Store *st = NULL;
    int64_t sid;
    bench_check(store_open(data, &st, &err), &err, "store_open");
    bench_check(store_session_open(st, "Group 2", "2026-11-26", s->id, s->version, 0, &sid, &err),
                &err, "store_session_open");
    store_close(st);
    KeyPublic pub;
    KeySecret *sec = NULL;
    bench_check(keys_generate(&pub, &sec, &err), &err, "keys_generate");
    keys_secret_free(sec);
    snprintf(pub_path, cap, "%s/analyst.pub", dir);
    bench_check(keys_public_write(pub_path, &pub, &err), &err, "keys_public_write");
}

static int find_open(const StoreSession *ss, void *ctx)
{
    if (ss->open)
        *(int64_t *)ctx = ss->id;
    return 0;
}

/* Fills the open session of the store in data with n sealed records of the survey's size
 * (to a key of their own: the kiosk never opens them), laid out as the kiosk puts them. */
static void fill_store(const char *data, const Survey *s, long n)
{
    DbError err;
    Store *st = NULL;
    int64_t sid = 0;
    bench_check(store_open(data, &st, &err), &err, "store_open");
    bench_check(store_session_foreach(st, find_open, &sid, &err), &err, "store_session_foreach");
    store_close(st);
    if (sid == 0)
        die("no open session to fill");
    KeyPublic pub;
    KeySecret *sec = NULL;
    bench_check(keys_generate(&pub, &sec, &err), &err, "keys_generate");
    keys_secret_free(sec);
    Response *r = bench_response(s, 200);
    size_t cap = seal_record_size(s->record_size, 1);
    enum { POOL = 16 };
    uint8_t *pool = malloc(POOL * cap);
    if (!pool)
        die("out of memory");
    size_t len = 0;
    for (int i = 0; i < POOL; i++)
        len = bench_seal(s, r, &pub, 1, pool + (size_t)i * cap, cap);
    for (int i = 1; i < POOL; i++) /* back to back, as bench_store_fill wants them */
        memmove(pool + (size_t)i * len, pool + (size_t)i * cap, len);
    if (bench_store_fill(data, sid, pool, POOL, len, n) != 0)
        die("filling the store failed");
    free(pool);
    response_free(r);
}

/* ---- processes that say READY=1 (sd_notify) once their first frame is up ---- */

/* A datagram socket at path, standing in for systemd's notify socket. */
static int notify_open(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path)
        die("notify socket path too long");
    memcpy(sa.sun_path, path, strlen(path));
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("cannot bind the notify socket");
    return fd;
}

static pid_t spawn(char *const argv[], const char *notify_path)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        setenv("NOTIFY_SOCKET", notify_path, 1);
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0 && !getenv("DEBRIEF_BENCH_VERBOSE")) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Waits (up to timeout_ms) for a datagram containing READY=1; 0 if it came. */
static int wait_ready(int fd, int timeout_ms)
{
    uint64_t end = bench_now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        int64_t left = (int64_t)(end - bench_now_ns()) / 1000000;
        if (left <= 0)
            return -1;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        char buf[256];
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        if (strstr(buf, "READY=1"))
            return 0;
    }
}

static void stop(pid_t pid, struct rusage *ru)
{
    kill(pid, SIGTERM);
    int status;
    if (wait4(pid, &status, 0, ru) != pid)
        die("wait4 failed");
}

/* CPU ns and context switches of every thread of pid, from /proc. */
static void task_stats(pid_t pid, double *cpu_ns, long long *vol, long long *invol)
{
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    *cpu_ns = 0;
    *vol = *invol = 0;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p2[512], line[256];
        snprintf(p2, sizeof p2, "%s/%s/schedstat", path, e->d_name);
        FILE *f = fopen(p2, "r");
        unsigned long long ns = 0;
        if (f && fscanf(f, "%llu", &ns) == 1)
            *cpu_ns += (double)ns;
        if (f)
            fclose(f);
        snprintf(p2, sizeof p2, "%s/%s/status", path, e->d_name);
        f = fopen(p2, "r");
        while (f && fgets(line, sizeof line, f)) {
            if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0)
                *vol += strtoll(line + 24, NULL, 10);
            else if (strncmp(line, "nonvoluntary_ctxt_switches:", 27) == 0)
                *invol += strtoll(line + 27, NULL, 10);
        }
        if (f)
            fclose(f);
    }
    closedir(d);
}

static void bench_process(const Survey *s, const char *survey_path, int reps, int idle_s)
{
    char dir[PATH_MAX];
    if (bench_mkdtemp(NULL, dir, sizeof dir) != 0)
        exit(1);
    char pub[PATH_MAX + 32], data[PATH_MAX + 16], full[PATH_MAX + 32], sock[PATH_MAX + 32];
    make_kiosk_dir(dir, s, pub, sizeof pub);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(full, sizeof full, "%s/full.script", dir);
    snprintf(sock, sizeof sock, "%s/notify", dir);
    char src_script[PATH_MAX];
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(src_script, sizeof src_script, "%s/bench/kiosk_full.script",
             src && *src ? src : DEBRIEF_SOURCE_DIR);
    uint8_t *text = NULL;
    size_t len = 0;
    DbError err;
    bench_check(fs_read_file(src_script, 64 * 1024, 1, &text, &len, &err), &err,
                "reading the script");
    write_text(full, (const char *)text);
    free(text);
    int nfd = notify_open(sock);

    char cold_exe[PATH_MAX + 32];
    snprintf(cold_exe, sizeof cold_exe, "%s", g_exe);
    char *slash = strrchr(cold_exe, '/');
    snprintf(slash ? slash + 1 : cold_exe,
             sizeof cold_exe - (size_t)(slash ? slash + 1 - cold_exe : 0), "bench_sdl_cold");
    char kiosk[PATH_MAX + 64];
    snprintf(kiosk, sizeof kiosk, "%s", DEBRIEF_KIOSK_EXE);

    /* Cold start: fork -> READY=1, sent by the kiosk once its first screen is drawn and
     * presented (main.c, run_interactive) and by bench_sdl_cold after its one frame. */
    double *ours = calloc((size_t)reps, sizeof(double));
    double *base = calloc((size_t)reps, sizeof(double));
    char *argv_k[] = {kiosk, "--survey", (char *)survey_path, "--data", data, "--recipient",
                      pub,   "--size",   "800x480",           NULL};
    char *argv_b[] = {cold_exe, "800", "480", KIOSK_FONT_REGULAR, NULL};
    struct rusage ru;
    for (int i = -1; i < reps; i++) { /* -1 warms the page cache */
        uint64_t t0 = bench_now_ns();
        pid_t pid = spawn(argv_k, sock);
        if (wait_ready(nfd, 10000) != 0)
            die("debrief-kiosk sent no READY=1 within 10 s; rerun with DEBRIEF_BENCH_VERBOSE=1");
        double t = (double)(bench_now_ns() - t0) / 1e6;
        stop(pid, &ru);
        if (i >= 0)
            ours[i] = t;
        t0 = bench_now_ns();
        pid = spawn(argv_b, sock);
        if (wait_ready(nfd, 10000) != 0)
            die("bench_sdl_cold sent no READY=1");
        t = (double)(bench_now_ns() - t0) / 1e6;
        int status;
        waitpid(pid, &status, 0);
        if (i >= 0)
            base[i] = t;
    }
    BenchStats so = bench_stats(ours, (size_t)reps), sb = bench_stats(base, (size_t)reps);
    bench_row("kiosk", "cold start -> first frame (800x480, fork to READY=1)", "ms", &so, &sb,
              "<=3x base", so.median <= 3 * sb.median ? "yes" : "NO");
    bench_note("cold start: fork/exec to the READY=1 the kiosk sends once its first screen is "
               "presented (loads survey, keys, store, fonts, window); baseline bench_sdl_cold: "
               "bare SDL + SDL_ttf init, one text frame, READY=1");

    /* Idle, the real binary on its attract screen: CPU and context switches from /proc. */
    pid_t pid = spawn(argv_k, sock);
    if (wait_ready(nfd, 10000) != 0)
        die("debrief-kiosk sent no READY=1 within 10 s");
    struct timespec settle = {1, 0};
    nanosleep(&settle, NULL);
    double c0, c1;
    long long v0, v1, i0, i1;
    task_stats(pid, &c0, &v0, &i0);
    uint64_t t0 = bench_now_ns();
    struct timespec span = {idle_s, 0};
    nanosleep(&span, NULL);
    task_stats(pid, &c1, &v1, &i1);
    double wall = (double)(bench_now_ns() - t0) / 1e9;
    stop(pid, &ru);
    double pct = 100.0 * (c1 - c0) / 1e9 / wall;
    double wps = (double)(v1 - v0) / wall;
    char name[128];
    snprintf(name, sizeof name, "idle CPU, debrief-kiosk on the attract screen (%d s)", idle_s);
    bench_row1("idle", name, "% core", pct, "<=0.5 %", pct <= 0.5 ? "yes" : "NO");
    snprintf(name, sizeof name, "idle wake-ups, debrief-kiosk on the attract screen");
    bench_row1("idle", name, "1/s", wps, "<=10/s", wps <= 10 ? "yes" : "NO");
    bench_note("idle (real binary): /proc/PID/task/*/schedstat CPU time and voluntary context "
               "switches of all threads over %.1f s after READY=1 + 1 s; %.2f involuntary/s",
               wall, (double)(i1 - i0) / wall);
    bench_row1("rss", "peak RSS, debrief-kiosk 800x480 idle on the attract screen", "MiB",
               (double)ru.ru_maxrss / 1024.0, "<=40 MiB", ru.ru_maxrss <= 40 * 1024 ? "yes" : "NO");

    /* Peak RSS through the whole survey at 1280x800, with a real submit. */
    char *argv_rss[] = {kiosk, "--survey", (char *)survey_path, "--data",   data, "--recipient",
                        pub,   "--size",   "1280x800",          "--script", full, NULL};
    double secs, rss;
    if (run_process(argv_rss, &secs, &rss) != 0)
        die("debrief-kiosk (full survey at 1280x800) failed; rerun with DEBRIEF_BENCH_VERBOSE=1");
    bench_row1("rss", "peak RSS, debrief-kiosk 1280x800, whole survey + submit", "MiB", rss,
               "<=40 MiB", rss <= 40 ? "yes" : "NO");
    bench_note("kiosk whole-survey run at 1280x800 (real submit: seal + durable commit) took "
               "%.2f s",
               secs);

    /* The same with as many responses stored as a store keeps. */
    fill_store(data, s, (long)STORE_MAX_SLOTS);
    if (run_process(argv_rss, &secs, &rss) != 0)
        die("debrief-kiosk (full survey, full store) failed; rerun with DEBRIEF_BENCH_VERBOSE=1");
    snprintf(name, sizeof name,
             "peak RSS, debrief-kiosk 1280x800, whole survey + submit, %uk "
             "stored (the most a store keeps)",
             STORE_MAX_SLOTS / 1000);
    bench_row1("rss", name, "MiB", rss, "<=40 MiB", rss <= 40 ? "yes" : "NO");
    close(nfd);
    free(ours);
    free(base);
    bench_rmtree(dir);
}

int main(int argc, char **argv)
{
    BenchOpts opt;
    bench_parse_args(argc, argv, &opt,
                     "Kiosk: tap -> frame, cold start, idle CPU/wake-ups, peak RSS (headless).\n");
    if (secmem_init() != 0)
        return 1;
    snprintf(g_exe, sizeof g_exe, "%s", argv[0]);
    if (strchr(g_exe, '/') == NULL) {
        ssize_t n = readlink("/proc/self/exe", g_exe, sizeof g_exe - 1);
        g_exe[n > 0 ? n : 0] = '\0';
    }
    /* Headless by default; SDL_VIDEODRIVER=kmsdrm (on a Pi's console) measures a real panel. */
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    setenv("SDL_RENDER_DRIVER", "software", 0);
    Survey *s = bench_survey();
    DbError err;
    KFonts *fonts = NULL;
    bench_check(kfonts_open(KIOSK_FONT_REGULAR, KIOSK_FONT_BOLD, &fonts, &err), &err,
                "kfonts_open");
    const int reps = opt.quick ? 40 : 200;
    bench_taps(s, fonts, 800, 480, reps);
    bench_taps(s, fonts, 1920, 1080, reps);
    if (getenv("DEBRIEF_BENCH_TAPS_ONLY")) { /* tools/bench on Xvfb; profiling the frames */
        kfonts_close(fonts);
        survey_free(s);
        return 0;
    }
    bench_row1("rss", "peak RSS, bench_kiosk after the tap figures", "MiB", bench_peak_rss_mib(),
               "-", "-");
    int idle_s = opt.quick ? 5 : 30;
    /* The attract screen is measured on the real binary (bench_process); a question screen
     * needs a finger, so main.c's loop is replayed here on the real platform and kiosk. */
    bench_idle(s, fonts, 1, idle_s);
    kfonts_close(fonts);

    char survey_path[PATH_MAX];
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(survey_path, sizeof survey_path, "%s/assets/surveys/ccdg.json",
             src && *src ? src : DEBRIEF_SOURCE_DIR);
    bench_process(s, survey_path, opt.quick ? 5 : 15, idle_s);
    bench_note("kiosk: SDL_VIDEODRIVER=%s, SDL_RENDER_DRIVER=%s; the submit in the tap figures is "
               "a stub; tap frames drawn %s",
               getenv("SDL_VIDEODRIVER"), getenv("SDL_RENDER_DRIVER"),
               getenv("DEBRIEF_BENCH_FULL_REDRAW") ? "whole (DEBRIEF_BENCH_FULL_REDRAW)"
                                                   : "partially (PLATFORM_DRAW_PARTIAL)");
    survey_free(s);
    return 0;
}
