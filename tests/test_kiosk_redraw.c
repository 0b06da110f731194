/* Kiosk drawing shortcuts: a frame drawn the quick way (opaque pre-blended text, nothing drawn
 * that a later opaque rectangle hides, only what changed since the last frame, fills written
 * by us) must be pixel for pixel the frame drawn whole and plainly (every command, every run
 * blended, every fill SDL's, every frame from a cleared panel).
 *
 * Two panels of the same size (SDL dummy driver, software renderer) draw the same frames side
 * by side: one with the shortcuts, never reset between frames, so any pixel a partial redraw
 * forgets stays wrong in every later comparison, and one with none. The frames come from the
 * real kiosk going through whole sessions (every screen type, typing, the keyboard screen,
 * idle, review, paging) at three sizes; after every step both panels are read and compared. */
#include <stdlib.h>
#include <string.h>

#include "kiosk_ui.h"
#include "platform.h"
#include "secmem.h"
#include "survey.h"
#include "testlib.h"

#define QUICK                                                                                      \
    (PLATFORM_DRAW_OPAQUE_TEXT | PLATFORM_DRAW_PARTIAL | PLATFORM_DRAW_SKIP_HIDDEN |               \
     PLATFORM_DRAW_PLAIN_STORES)

static KFonts *fonts;
static Survey *team, *longopt;
static uint64_t now_ms;

static int fake_submit(void *ctx, const Response *r, DbError *err)
{
    (void)ctx;
    (void)r;
    (void)err;
    return DB_OK;
}

typedef struct Pair {
    Platform *quick, *plain;
    Kiosk *k;
    int w, h;
    uint8_t *a, *b;
    int steps, partial_steps, bad_steps;
    int unchanged_steps; /* frames the same as the last: not drawn at all */
    long min_redrawn; /* the smallest partial redraw seen, in pixels */
} Pair;

static Platform *open_panel(int w, int h, int rotation, unsigned opts)
{
    PlatformConfig pc = {w, h, 0, rotation, 1, "test"};
    Platform *p = NULL;
    int status;
    DbError err;
    CHECK(platform_open(&pc, fonts, &p, &status, &err) == DB_OK);
    if (p)
        platform_set_draw_opts(p, opts);
    return p;
}

static int pair_open(Pair *pr, Survey *s, int w, int h, int rotation)
{
    memset(pr, 0, sizeof *pr);
    pr->quick = open_panel(w, h, rotation, QUICK);
    pr->plain = open_panel(w, h, rotation, 0);
    if (!pr->quick || !pr->plain)
        return -1;
    CHECK(platform_draw_opts(pr->quick) == (QUICK));
    CHECK(platform_draw_opts(pr->plain) == 0);
    platform_logical_size(pr->quick, &pr->w, &pr->h);
    pr->a = malloc((size_t)w * (size_t)h * 3);
    pr->b = malloc((size_t)w * (size_t)h * 3);
    KioskConfig c;
    kiosk_config_defaults(&c);
    DbError err;
    CHECK(kiosk_new(s, &c, 0, fake_submit, NULL, kfonts_measure(fonts), &pr->k, &err) == DB_OK);
    now_ms = 1000;
    if (pr->k)
        kiosk_tick(pr->k, now_ms);
    pr->min_redrawn = (long)w * h;
    return pr->a && pr->b && pr->k ? 0 : -1;
}

static void pair_close(Pair *pr)
{
    kiosk_free(pr->k);
    platform_close(pr->quick);
    platform_close(pr->plain);
    free(pr->a);
    free(pr->b);
}

/* Draws the kiosk's frame on both panels and compares them. */
static void draw_and_compare(Pair *pr, const char *after)
{
    const UiFrame *f = kiosk_frame(pr->k, pr->w, pr->h);
    platform_draw(pr->quick, f);
    platform_draw(pr->plain, f);
    long redrawn = platform_last_redrawn(pr->quick);
    if (redrawn == 0)
        pr->unchanged_steps++;
    if (redrawn < (long)pr->w * pr->h) {
        pr->partial_steps++;
        if (redrawn < pr->min_redrawn)
            pr->min_redrawn = redrawn;
    }
    pr->steps++;
    int pw, ph;
    platform_physical_size(pr->quick, &pw, &ph);
    DbError err;
    CHECK(platform_read_rgb(pr->quick, pr->a, &err) == DB_OK);
    CHECK(platform_read_rgb(pr->plain, pr->b, &err) == DB_OK);
    long n = (long)pw * ph, diff = 0, first = -1;
    for (long i = 0; i < n; i++) {
        if (memcmp(pr->a + 3 * i, pr->b + 3 * i, 3) != 0) {
            if (first < 0)
                first = i;
            diff++;
        }
    }
    /* DEBRIEF_REDRAW_SHOTS=DIR: every frame of the quick panel as DIR/WxH-NNN.png, to look at. */
    const char *dir = getenv("DEBRIEF_REDRAW_SHOTS");
    if (dir || diff) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%dx%d-%03d.png", dir ? dir : "/tmp", pw, ph, pr->steps);
        CHECK(platform_screenshot(pr->quick, path, &err) == DB_OK);
        if (diff)
            fprintf(stderr, "  quick panel's frame: %s\n", path);
    }
    if (diff) {
        pr->bad_steps++;
        fprintf(stderr, "  %dx%d after %s: %ld pixels differ (first at %ld,%ld; redrawn %ld)\n", pw,
                ph, after, diff, first % pw, first / pw, redrawn);
    }
    CHECK(diff == 0);
}

static void step_tap(Pair *pr, const char *label)
{
    const UiFrame *f = kiosk_frame(pr->k, pr->w, pr->h);
    int i = ui_frame_find_label(f, label);
    CHECK(i >= 0);
    if (i < 0) {
        fprintf(stderr, "  no label \"%s\" at %dx%d\n", label, pr->w, pr->h);
        return;
    }
    UiRect r = f->labels[i].r;
    int x = r.x + r.w / 2, y = r.y + r.h / 2;
    /* A deliberate finger: after the guard time, down (drawn pressed), 80 ms, up. */
    now_ms += (uint64_t)kiosk_input_wait(pr->k, x, y);
    kiosk_tick(pr->k, now_ms);
    kiosk_press(pr->k, x, y);
    draw_and_compare(pr, label);
    now_ms += 80;
    kiosk_tick(pr->k, now_ms);
    kiosk_release(pr->k, x, y);
    draw_and_compare(pr, label);
}

static void step_text(Pair *pr, const char *utf8)
{
    kiosk_text(pr->k, utf8);
    draw_and_compare(pr, utf8);
}

static void step_key(Pair *pr, KioskKey key, const char *what)
{
    kiosk_key(pr->k, key);
    draw_and_compare(pr, what);
}

static void step_wait(Pair *pr, uint64_t ms, const char *what)
{
    now_ms += ms;
    kiosk_tick(pr->k, now_ms);
    draw_and_compare(pr, what);
}

/* tests/kiosk/screens.script's session, one character at a time where a participant types. */
static void team_session(Pair *pr)
{
    draw_and_compare(pr, "start");
    step_tap(pr, "Tap to begin");
    step_tap(pr, "Next"); /* "Please choose an answer" */
    step_tap(pr, "Disagree");
    step_tap(pr, "Agree");
    step_tap(pr, "Disagree");
    step_tap(pr, "Next");
    const char *typed = "Plus de caf\xC3\xA9, moins de retards ! \xC3\x89l\xC3\xA9onore";
    for (size_t i = 0, n = strlen(typed), k; i < n; i += k) {
        char one[8] = "";
        k = ui_utf8_len(typed + i, n - i);
        memcpy(one, typed + i, k);
        step_text(pr, one);
    }
    step_key(pr, KK_BACKSPACE, "backspace");
    step_key(pr, KK_LEFT, "left");
    step_key(pr, KK_HOME, "home");
    step_text(pr, "X");
    step_key(pr, KK_END, "end");
    step_tap(pr, "XPlus de caf"); /* the full keyboard screen */
    step_text(pr, "z");
    step_tap(pr, "a"); /* a key of the on-screen keyboard */
    step_key(pr, KK_BACKSPACE, "backspace");
    step_key(pr, KK_ESCAPE, "escape");
    step_tap(pr, "Next");
    step_tap(pr, "Administrative");
    step_tap(pr, "Next");
    step_tap(pr, "Next"); /* "Please choose" on the multiple choice */
    step_tap(pr, "Ethics");
    step_tap(pr, "Grief");
    step_tap(pr, "Ethics");
    step_tap(pr, "Next");
    step_tap(pr, "Next"); /* the review */
    step_tap(pr, "Back");
    step_tap(pr, "Next");
    step_wait(pr, 90000, "idle 90 s");
    step_tap(pr, "Continue");
    step_tap(pr, "Submit");
    step_wait(pr, 60000, "back to the attract screen");
    step_tap(pr, "Tap to begin");
    step_wait(pr, 600000, "walked away");
}

static void test_team_sessions(void)
{
    static const int sizes[][2] = {{800, 480}, {1920, 1080}, {480, 320}};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        Pair pr;
        if (pair_open(&pr, team, sizes[si][0], sizes[si][1], 0) == 0) {
            team_session(&pr);
            fprintf(stderr, "  %dx%d: %d frames, %d partial (smallest %.2f %% of the panel)\n",
                    pr.w, pr.h, pr.steps, pr.partial_steps,
                    100.0 * (double)pr.min_redrawn / ((double)pr.w * pr.h));
            CHECK(pr.bad_steps == 0);
            /* The shortcut was really taken: most taps redraw a small part. */
            CHECK(pr.partial_steps * 2 > pr.steps);
            CHECK(pr.min_redrawn * 50 < (long)pr.w * pr.h);
        }
        pair_close(&pr);
    }
}

/* Option pages: the same buttons with other labels, and paging arrows. */
static void test_paged_options(void)
{
    Pair pr;
    if (pair_open(&pr, longopt, 800, 480, 0) == 0) {
        draw_and_compare(&pr, "start");
        step_tap(&pr, "Tap to begin");
        step_tap(&pr, "Next");
        for (int i = 0; i < 7; i++)
            step_tap(&pr, "More options");
        step_tap(&pr, "Estates");
        step_tap(&pr, "Previous options");
        step_tap(&pr, "Next");
        step_tap(&pr, "Ethics");
        step_tap(&pr, "More options");
        step_tap(&pr, "Previous options");
        step_tap(&pr, "Ethics");
        CHECK(pr.bad_steps == 0);
        CHECK(pr.partial_steps > 0);
    }
    pair_close(&pr);
}

/* A rotated panel draws through a render target: no partial redraw there (a frame is drawn
 * whole, or not at all when it is the last one again), same pixels. */
static void test_rotated_draws_whole(void)
{
    Pair pr;
    if (pair_open(&pr, team, 800, 480, 90) == 0) {
        draw_and_compare(&pr, "start");
        step_tap(&pr, "Tap to begin");
        step_tap(&pr, "Disagree");
        step_tap(&pr, "Agree");
        step_tap(&pr, "Next");
        step_text(&pr, "abc");
        CHECK(pr.bad_steps == 0);
        CHECK(pr.partial_steps == pr.unchanged_steps);
    }
    pair_close(&pr);
}

/* The same frame drawn twice redraws nothing; turning the shortcut off (or on) draws whole. */
static void test_unchanged_frame(void)
{
    Pair pr;
    if (pair_open(&pr, team, 800, 480, 0) == 0) {
        const UiFrame *f = kiosk_frame(pr.k, pr.w, pr.h);
        platform_draw(pr.quick, f);
        CHECK(platform_last_redrawn(pr.quick) == 800L * 480);
        uint64_t renders = platform_text_renders(pr.quick);
        platform_draw(pr.quick, f);
        CHECK(platform_last_redrawn(pr.quick) == 0);
        CHECK(platform_text_renders(pr.quick) == renders);
        platform_set_draw_opts(pr.quick, QUICK);
        platform_draw(pr.quick, f);
        CHECK(platform_last_redrawn(pr.quick) == 800L * 480);
    }
    pair_close(&pr);
}

/* Whether the quick panel shows what other does (its buffers hold the pair's size or less). */
static int same_pixels(Pair *pr, Platform *other)
{
    int pw, ph;
    platform_physical_size(pr->quick, &pw, &ph);
    DbError err;
    return platform_read_rgb(pr->quick, pr->a, &err) == DB_OK &&
           platform_read_rgb(other, pr->b, &err) == DB_OK &&
           memcmp(pr->a, pr->b, (size_t)pw * (size_t)ph * 3) == 0;
}

/* A resized window gets a new surface, and the renderer drawing on it is made again: the
 * next frame is drawn whole at the new size, the same as on a panel opened at that size. */
static void test_resized_window(void)
{
    Pair pr;
    if (pair_open(&pr, team, 800, 480, 0) == 0) {
        step_tap(&pr, "Tap to begin");
        step_tap(&pr, "Agree");
        platform_resize_window(pr.quick, 640, 400);
        PlatformEvent ev;
        int exposed = 0;
        for (int i = 0; i < 64 && platform_wait(pr.quick, 0, &ev); i++)
            exposed |= ev.type == PE_EXPOSE;
        CHECK(exposed);
        int w, h;
        platform_logical_size(pr.quick, &w, &h);
        CHECK(w == 640 && h == 400);
        Platform *fresh = open_panel(640, 400, 0, 0);
        if (fresh && w == 640 && h == 400) {
            const UiFrame *f = kiosk_frame(pr.k, 640, 400);
            platform_draw(pr.quick, f);
            CHECK(platform_last_redrawn(pr.quick) == 640L * 400);
            platform_draw(fresh, f);
            CHECK(same_pixels(&pr, fresh));
            /* and partial redraws go on from there */
            f = kiosk_frame(pr.k, 640, 400);
            int li = ui_frame_find_label(f, "Disagree");
            CHECK(li >= 0);
            if (li >= 0) {
                UiRect r = f->labels[li].r;
                kiosk_tap(pr.k, r.x + r.w / 2, r.y + r.h / 2);
                f = kiosk_frame(pr.k, 640, 400);
                platform_draw(pr.quick, f);
                CHECK(platform_last_redrawn(pr.quick) < 640L * 400);
                platform_draw(fresh, f);
                CHECK(same_pixels(&pr, fresh));
            }
        }
        platform_close(fresh);
    }
    pair_close(&pr);
}

/* ---- remembered widths (ui.c): fewer shapings, same widths, participants' words forgotten ---- */

static long real_calls;
static UiMeasure real_m;

static int counting_width(void *ctx, int size, int flags, const char *s, size_t len)
{
    real_calls++;
    return real_m.width(ctx, size, flags, s, len);
}

static void test_memo_widths(void)
{
    real_m = kfonts_measure(fonts);
    UiMeasure counting = real_m;
    counting.width = counting_width;
    UiFrame *f = ui_frame_new(counting);
    CHECK(f != NULL);
    if (!f)
        return;
    const char *q = "How well did the team communicate during the week of the incident?";
    const UiColor ink = {0, 0, 0, 255};
    /* The same widths as measuring directly, for every prefix. */
    ui_frame_begin(f, 800, 480);
    int same = 1;
    for (size_t n = 1; n <= strlen(q); n++)
        if (f->m.width(f->m.ctx, 24, 0, q, n) != real_m.width(real_m.ctx, 24, 0, q, n))
            same = 0;
    CHECK(same);
    /* Text drawn openly: laid out again in the next frame without shaping anything. */
    ui_frame_begin(f, 800, 480);
    ui_text_box(f, (UiRect){10, 10, 300, 200}, 24, UI_TEXT_BOLD, ink, UI_ALIGN_LEFT, 0, q, -1);
    long first = real_calls;
    ui_frame_begin(f, 800, 480);
    int height;
    ui_wrap_measure(&f->m, q, 24, UI_TEXT_BOLD, 300, &height); /* as kui_text_h does */
    ui_text_box(f, (UiRect){10, 10, 300, 200}, 24, UI_TEXT_BOLD, ink, UI_ALIGN_LEFT, 0, q, -1);
    CHECK(real_calls == first);
    CHECK(ui_frame_memo_holds(f, "How well did"));

    /* A participant's words: measured (by the editor's wrap, the review's height) and drawn
     * SECRET; remembered while the participant is there (UiFrame.epoch), and wiped from the
     * memo by the first ui_frame_begin of the next. */
    char words[] = "Plus de caf\xC3\xA9, moins de retards ! Zyxwv";
    ui_frame_begin(f, 800, 480);
    size_t starts[8], lens[8];
    ui_wrap_lines(&f->m, words, strlen(words), 24, 0, 200, starts, lens, 8);
    ui_wrap_measure(&f->m, words, 24, UI_TEXT_BOLD, 300, &height);
    ui_text_box(f, (UiRect){10, 10, 300, 200}, 24, UI_TEXT_BOLD | UI_TEXT_SECRET, ink,
                UI_ALIGN_LEFT, 0, words, -1);
    ui_text_run(f, 10, 300, 24, UI_TEXT_SECRET, ink, words, 9);
    CHECK(ui_frame_memo_holds(f, "Zyxwv"));
    ui_frame_begin(f, 800, 480); /* the same participant: nothing shaped again */
    long kept = real_calls;
    ui_wrap_measure(&f->m, words, 24, UI_TEXT_BOLD, 300, &height);
    ui_text_box(f, (UiRect){10, 10, 300, 200}, 24, UI_TEXT_BOLD | UI_TEXT_SECRET, ink,
                UI_ALIGN_LEFT, 0, words, -1);
    CHECK(real_calls == kept);
    CHECK(ui_frame_memo_holds(f, "Zyxwv"));
    f->epoch++;
    ui_frame_begin(f, 800, 480);
    CHECK(!ui_frame_memo_holds(f, "Zyxwv"));
    CHECK(!ui_frame_memo_holds(f, "moins de"));
    CHECK(!ui_frame_memo_holds(f, "Plus de"));
    CHECK(ui_frame_memo_holds(f, "How well did")); /* open text stays */
    long before = real_calls;
    ui_wrap_measure(&f->m, words, 24, UI_TEXT_BOLD, 300, &height);
    CHECK(real_calls > before); /* forgotten: shaped again */

    /* Open text that a participant also typed stays open; typed text that is not drawn
     * openly does not become so by being measured inside an open box's call. */
    ui_frame_begin(f, 800, 480);
    ui_text_box(f, (UiRect){10, 10, 300, 200}, 24, 0, ink, UI_ALIGN_LEFT, 0, "Next", -1);
    f->m.width(f->m.ctx, 24, 0, words, 5);
    f->epoch++;
    ui_frame_begin(f, 800, 480);
    CHECK(!ui_frame_memo_holds(f, "Plus "));

    /* SECRET text is measured as the backend draws it: piece by piece. */
    int sum = 0;
    for (size_t i = 0, n; i < strlen(words); i += n) {
        n = ui_piece_len(words + i, strlen(words) - i);
        sum += real_m.width(real_m.ctx, 24, UI_TEXT_SECRET, words + i, n);
    }
    CHECK(f->m.width(f->m.ctx, 24, UI_TEXT_SECRET, words, strlen(words)) == sum);
    ui_frame_free(f);
}

/* Pieces end after a space or a digit, or at 12 bytes of whole characters. */
static void test_pieces(void)
{
    const char *s = "ab 12/500 Zusammenarbeit f\xC3\xA4hig";
    const char *want[] = {"ab ",          "1",   "2",           "/5", "0", "0", " ",
                          "Zusammenarbe", "it ", "f\xC3\xA4hig"};
    size_t at = 0, len = strlen(s);
    int i = 0, ok = 1;
    while (at < len && i < 10) {
        size_t n = ui_piece_len(s + at, len - at);
        if (n != strlen(want[i]) || memcmp(s + at, want[i], n) != 0)
            ok = 0;
        at += n;
        i++;
    }
    CHECK(ok && i == 10 && at == len);
    /* a character is never cut: 11 ASCII bytes and an a-umlaut would make 13, so 11 it is */
    CHECK(ui_piece_len("abcdefghijk\xC3\xA4x", 14) == 11);
    CHECK(ui_piece_len("\xC3\xA4", 2) == 2);
    CHECK(ui_piece_len("7", 1) == 1);
}

int main(void)
{
    DbError err;
    if (secmem_init() != 0)
        return 1;
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/tests/kiosk/team.json", src ? src : "..");
    snprintf(p2, sizeof p2, "%s/tests/kiosk/long_options.json", src ? src : "..");
    if (kfonts_open(KIOSK_FONT_REGULAR, KIOSK_FONT_BOLD, &fonts, &err) != DB_OK ||
        survey_load_file(p1, &team, &err) != DB_OK ||
        survey_load_file(p2, &longopt, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    RUN(test_pieces);
    RUN(test_memo_widths);
    RUN(test_unchanged_frame);
    RUN(test_team_sessions);
    RUN(test_paged_options);
    RUN(test_rotated_draws_whole);
    RUN(test_resized_window);
    survey_free(team);
    survey_free(longopt);
    kfonts_close(fonts);
    return test_report();
}
