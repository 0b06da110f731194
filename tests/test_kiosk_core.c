/* The kiosk's UI core without SDL: built and run in every configuration, the CLI-only one
 * included (no SDL, no fonts), against a fake text measurer whose widths are simple
 * arithmetic. What it checks does not depend on a font: the flow (the count, follow-ups,
 * careful exits, submit once), fingers (double taps, slides, the guard), the keyboard
 * layouts, the words drawn, and the layout rules at nine sizes for every screen of the
 * bundled survey in both languages. test_kiosk_ui checks the same core with the real fonts.
 */
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "kiosk_ui.h"
#include "script.h"
#include "secmem.h"
#include "survey.h"
#include "testlib.h"

/* Every character is 55 % of the size wide (bold 60 %), a space 30 %; lines 120 %. */
static int fake_width(void *ctx, int size, int flags, const char *s, size_t len)
{
    (void)ctx;
    int w = 0;
    for (size_t i = 0; i < len; i += ui_utf8_len(s + i, len - i))
        w += s[i] == ' ' ? size * 30 / 100 : size * ((flags & UI_TEXT_BOLD) ? 60 : 55) / 100;
    return w;
}

static int fake_line_height(void *ctx, int size, int flags)
{
    (void)ctx;
    (void)flags;
    return size * 12 / 10 + 1;
}

static const UiMeasure fake = {fake_width, fake_line_height, NULL};
static Survey *ccdg, *team;
static int W = 800, H = 480, submits;
static uint64_t clk;

static int count_submit(void *ctx, const Response *r, DbError *err)
{
    (void)ctx;
    (void)r;
    (void)err;
    submits++;
    return DB_OK;
}

static Kiosk *kiosk(Survey *s, int lang)
{
    KioskConfig c;
    kiosk_config_defaults(&c);
    Kiosk *k = NULL;
    DbError err;
    CHECK(kiosk_new(s, &c, lang, count_submit, NULL, fake, &k, &err) == DB_OK);
    clk = 1000;
    kiosk_tick(k, clk);
    kiosk_frame(k, W, H);
    return k;
}

static void later(Kiosk *k, uint64_t ms)
{
    clk += ms;
    kiosk_tick(k, clk);
}

static int find(Kiosk *k, const char *text, int *x, int *y)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    int li = ui_frame_find_label(f, text);
    if (li < 0 || f->labels[li].target < 0) {
        fprintf(stderr, "  no target \"%s\" at %dx%d\n", text, W, H);
        return -1;
    }
    UiRect r = f->targets[f->labels[li].target].r;
    *x = r.x + r.w / 2;
    *y = r.y + r.h / 2;
    return 0;
}

/* A person's tap: when the kiosk takes it, down, 60 ms, up; the frame shown after each. */
static int tap(Kiosk *k, const char *text)
{
    int x, y;
    if (find(k, text, &x, &y))
        return -1;
    later(k, (uint64_t)kiosk_input_wait(k, x, y) + 400);
    kiosk_press(k, x, y);
    kiosk_frame(k, W, H);
    later(k, 60);
    kiosk_release(k, x, y);
    kiosk_frame(k, W, H);
    kiosk_frame_shown(k, clk);
    return 0;
}

static void double_tap(Kiosk *k, const char *text, int gap)
{
    int x, y;
    if (find(k, text, &x, &y))
        return;
    later(k, (uint64_t)kiosk_input_wait(k, x, y) + 400);
    for (int i = 0; i < 2; i++) {
        kiosk_press(k, x, y);
        later(k, 12);
        kiosk_release(k, x, y);
        kiosk_frame(k, W, H);
        kiosk_frame_shown(k, clk);
        if (!i)
            later(k, (uint64_t)gap);
    }
}

static int visible(Kiosk *k, const char *text)
{
    return script_text_visible(kiosk_frame(k, W, H), text);
}

/* Targets >= UI_MIN_TARGET and on screen, not overlapping (but the full-screen ones), labels
 * on screen, not clipped, inside their button; the layout fits. */
static int layout_bad(Kiosk *k, const char *what)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    UiRect screen = {0, 0, W, H};
    int bad = !kiosk_layout_fits(k);
    if (bad)
        fprintf(stderr, "  %s at %dx%d: does not fit\n", what, W, H);
    for (int i = 0; i < f->n_targets; i++) {
        UiRect a = f->targets[i].r;
        if (a.w < UI_MIN_TARGET || a.h < UI_MIN_TARGET || !ui_rect_inside(a, screen)) {
            fprintf(stderr, "  %s at %dx%d: target %d is %dx%d\n", what, W, H, i, a.w, a.h);
            bad++;
        }
        for (int j = i + 1; j < f->n_targets; j++) {
            UiRect b = f->targets[j].r;
            if ((a.w == W && a.x == 0 && a.y == 0) || (b.w == W && b.x == 0 && b.y == 0))
                continue;
            if (ui_rect_overlap(a, b)) {
                fprintf(stderr, "  %s at %dx%d: targets %d and %d overlap\n", what, W, H, i, j);
                bad++;
            }
        }
    }
    for (int i = 0; i < f->n_labels; i++) {
        const UiLabel *l = &f->labels[i];
        if (l->clipped || l->broken || !ui_rect_inside(l->r, screen) ||
            (l->target >= 0 && !ui_rect_inside(l->r, f->targets[l->target].r))) {
            fprintf(stderr, "  %s at %dx%d: label \"%.40s\" clipped or outside\n", what, W, H,
                    ui_label_text(f, i));
            bad++;
        }
    }
    return bad;
}

static const int sizes[][2] = {{480, 320},   {800, 480}, {720, 1280}, {1024, 600}, {1280, 800},
                               {1920, 1080}, {480, 800}, {600, 1024}, {1080, 1920}};

static void test_every_screen_fits(void)
{
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        W = sizes[si][0];
        H = sizes[si][1];
        for (int lang = 0; lang < 2; lang++) {
            Kiosk *k = kiosk(ccdg, lang);
            int bad = layout_bad(k, "attract");
            tap(k, lang ? "Tippen zum Starten" : "Tap to begin");
            for (int guard = 0; kiosk_screen(k) == KS_QUESTION && guard < 30; guard++) {
                bad += layout_bad(k, "question");
                kiosk_key(k, KK_ENTER);
                later(k, 500);
            }
            CHECK(kiosk_screen(k) == KS_REVIEW);
            bad += layout_bad(k, "review");
            tap(k, lang ? "Absenden" : "Submit");
            bad += layout_bad(k, "empty submit?");
            CHECK(bad == 0);
            kiosk_free(k);
        }
    }
    W = 800;
    H = 480;
}

static void test_flow_and_fingers(void)
{
    submits = 0;
    Kiosk *k = kiosk(team, 0);
    /* a double tap on "Tap to begin" answers nothing */
    double_tap(k, "Tap to begin", 150);
    CHECK(kiosk_current_question(k) == 0 && k->r->answers[0].state == ANSWER_NONE);
    CHECK(visible(k, "Question 1 of 4"));
    tap(k, "Disagree");
    CHECK(visible(k, "Question 1 of 4")); /* the count does not move */
    /* a double tap on Next does not skip the follow-up */
    double_tap(k, "Next", 300);
    CHECK(kiosk_current_question(k) == 1 && visible(k, "Question 1a of 4"));
    /* a slide from Back to Next does nothing */
    int bx, by, nx, ny;
    find(k, "Back", &bx, &by);
    find(k, "Next", &nx, &ny);
    later(k, 500);
    kiosk_press(k, bx, by);
    kiosk_move(k, nx, ny);
    kiosk_release(k, nx, ny);
    CHECK(kiosk_current_question(k) == 1);
    /* Back to question 1, then Back asks once */
    tap(k, "Back");
    tap(k, "Back");
    CHECK(visible(k, "Leave the survey?"));
    double_tap(k, "Stay", 100);
    CHECK(kiosk_screen(k) == KS_QUESTION && !visible(k, "Leave the survey?"));
    CHECK(k->r->answers[0].value == 2);
    kiosk_free(k);
    CHECK(submits == 0);
}

static void test_keyboards(void)
{
    /* French: AZERTY on the letters page; the kiosk's own words in French. */
    Kiosk *k = kiosk(team, 1);
    tap(k, "Touchez pour commencer");
    tap(k, "Pas d'accord");
    tap(k, "Suivant");
    if (!visible(k, "space"))
        tap(k, "Touchez ici pour \xC3\xA9"
               "crire");
    const UiFrame *f = kiosk_frame(k, W, H);
    int a = ui_frame_find_label(f, "a"), z = ui_frame_find_label(f, "z");
    CHECK(a >= 0 && z >= 0 && f->labels[a].r.x < f->labels[z].r.x &&
          f->labels[a].r.y == f->labels[z].r.y); /* a z e r t y */
    CHECK(ui_frame_find_label(f, "\xC3\xA9") >= 0);
    tap(k, "\xC3\xA9");
    tap(k, "t");
    tap(k, "\xC3\xA9");
    CHECK(visible(k, "\xC3\xA9t\xC3\xA9"));
    kiosk_free(k);
}

/* The runs ui_text_box draws for s in a box w wide, "|" between them; *broken its label's. */
static void wrapped(const char *s, int w, int flags, char *out, size_t cap, int *broken)
{
    UiFrame *f = ui_frame_new(fake);
    ui_frame_begin(f, 800, 480);
    ui_text_box(f, (UiRect){0, 0, w, 400}, 20, flags, (UiColor){0, 0, 0, 255}, UI_ALIGN_LEFT, 0,
                s, -1);
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < f->n_cmds; i++)
        if (f->cmds[i].kind == UI_CMD_TEXT)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "|" : "",
                                  ui_cmd_text(f, &f->cmds[i]));
    *broken = f->labels[0].broken;
    ui_frame_free(f);
}

/* Words that fit: a word too long for its box breaks with a hyphen, never leaving one letter
 * alone; lines break after a hyphen already there (fingerprints between their groups); the
 * participant's own text is cut as typed. (20 px: 11 px a character, 6 a space.) */
static void test_wrapping(void)
{
    char out[256];
    int broken;
    wrapped("Fallbesprechungsgruppe", 150, 0, out, sizeof out, &broken);
    CHECK_STR(out, "Fallbesprech-|ungsgruppe");
    CHECK(broken == 1);
    wrapped("Absenden", 84, 0, out, sizeof out, &broken);
    CHECK_STR(out, "Absend-|en");
    wrapped("Absenden", 88, 0, out, sizeof out, &broken);
    CHECK_STR(out, "Absenden"); /* it fits: whole */
    wrapped("K7QF-2M9D-XR4A-PL3Z", 115, 0, out, sizeof out, &broken);
    CHECK_STR(out, "K7QF-2M9D-|XR4A-PL3Z");
    CHECK(broken == 0);
    wrapped("7 or more half-day sessions", 120, 0, out, sizeof out, &broken);
    CHECK_STR(out, "7 or more|half-day|sessions");
    CHECK(broken == 0);
    wrapped("Fallbesprechungsgruppe", 150, UI_TEXT_SECRET, out, sizeof out, &broken);
    CHECK(strchr(out, '-') == NULL && broken == 0);
}

int main(void)
{
    DbError err;
    if (secmem_init() != 0)
        return 1;
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/assets/surveys/ccdg.json", src ? src : "..");
    snprintf(p2, sizeof p2, "%s/tests/kiosk/team.json", src ? src : "..");
    if (survey_load_file(p1, &ccdg, &err) != DB_OK || survey_load_file(p2, &team, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    RUN(test_wrapping);
    RUN(test_flow_and_fingers);
    RUN(test_keyboards);
    RUN(test_every_screen_fits);
    survey_free(ccdg);
    survey_free(team);
    return test_report();
}
