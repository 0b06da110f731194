/* Kiosk UI core: layout invariants at every supported size, rotation and touch mapping,
 * the on-screen keyboard and its UTF-8 editor, the idle state machine, submit rules,
 * script parsing, settings, PNG round trip. Uses the real fonts for measuring (no display). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "fsutil.h"
#include "keys.h"
#include "kiosk_args.h"
#include "kiosk_internal.h"
#include "fault_screen.h"
#include "kiosk_admin.h"
#include "kiosk_ui.h"
#include "osk.h"
#include "panel.h"
#include "platform.h"
#include "pin.h"
#include "pngfile.h"
#include "script.h"
#include "secmem.h"
#include "session_cases.h"
#include "session_fields.h"
#include "survey.h"
#include "testlib.h"
#include "utf8.h"

static KFonts *fonts;
static Survey *ccdg, *team, *longopt;

typedef struct FakeStore {
    int calls;
    int fail_with;
    char last_text[64]; /* never the real answers: only for checks */
} FakeStore;

/* The flow tests tap at once, as fast as code can: without the guard and double-tap times,
 * which test_finger_rules checks on their own. */
static void flow_config(KioskConfig *c)
{
    kiosk_config_defaults(c);
    c->tap_guard_ms = 0;
    c->double_tap_ms = 0;
}

static int fake_submit(void *ctx, const Response *r, DbError *err)
{
    FakeStore *fs = ctx;
    fs->calls++;
    (void)r;
    if (fs->fail_with)
        return dberr_set(err, fs->fail_with, "debrief.db: database or disk is full");
    return DB_OK;
}

static Kiosk *new_kiosk(Survey *s, FakeStore *fs)
{
    KioskConfig c;
    flow_config(&c);
    Kiosk *k = NULL;
    DbError err;
    CHECK(kiosk_new(s, &c, 0, fake_submit, fs, kfonts_measure(fonts), &k, &err) == DB_OK);
    kiosk_tick(k, 1000);
    return k;
}

static int W = 800, H = 480;

/* Taps the visible text like a script does; returns 0 if it was there. */
static int tap(Kiosk *k, const char *label)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    int i = ui_frame_find_label(f, label);
    if (i < 0) {
        fprintf(stderr, "  no label \"%s\" at %dx%d\n", label, W, H);
        return -1;
    }
    UiRect r = f->labels[i].r;
    kiosk_tap(k, r.x + r.w / 2, r.y + r.h / 2);
    return 0;
}

/* The same without complaining (for taps that must fail). */
static int tap_quiet(Kiosk *k, const char *label)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    int i = ui_frame_find_label(f, label);
    if (i < 0)
        return -1;
    UiRect r = f->labels[i].r;
    kiosk_tap(k, r.x + r.w / 2, r.y + r.h / 2);
    return 0;
}

static int visible(Kiosk *k, const char *text)
{
    return script_text_visible(kiosk_frame(k, W, H), text);
}

/* The layout rules: targets >= 48 px, inside the screen, not overlapping (except the
 * full-screen "tap anywhere" targets), labels inside the screen and not clipped. */
static int check_layout(Kiosk *k, const char *what)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    int bad = 0;
    UiRect screen = {0, 0, W, H};
    if (!kiosk_layout_fits(k)) {
        fprintf(stderr, "  %s at %dx%d: layout does not fit\n", what, W, H);
        bad++;
    }
    for (int i = 0; i < f->n_targets; i++) {
        UiRect a = f->targets[i].r;
        if (a.w < UI_MIN_TARGET || a.h < UI_MIN_TARGET || !ui_rect_inside(a, screen)) {
            fprintf(stderr, "  %s at %dx%d: target %d is %dx%d at %d,%d\n", what, W, H, i, a.w, a.h,
                    a.x, a.y);
            bad++;
        }
        if (a.w == W && a.x == 0 && a.y <= 0)
            continue; /* background target */
        for (int j = i + 1; j < f->n_targets; j++) {
            UiRect b = f->targets[j].r;
            if (b.w == W && b.x == 0 && b.y <= 0)
                continue;
            if (ui_rect_overlap(a, b)) {
                fprintf(stderr, "  %s at %dx%d: targets %d and %d overlap\n", what, W, H, i, j);
                bad++;
            }
        }
    }
    for (int i = 0; i < f->n_labels; i++) {
        const UiLabel *l = &f->labels[i];
        if (l->clipped || !ui_rect_inside(l->r, screen)) {
            fprintf(stderr, "  %s at %dx%d: label \"%.40s\" clipped or off screen\n", what, W, H,
                    ui_label_text(f, i));
            bad++;
        }
        if (l->broken) { /* a word broken inside it */
            fprintf(stderr, "  %s at %dx%d: label \"%.40s\" breaks inside a word\n", what, W, H,
                    ui_label_text(f, i));
            bad++;
        }
        if (l->target >= 0 && !ui_rect_inside(l->r, f->targets[l->target].r)) {
            fprintf(stderr, "  %s at %dx%d: label \"%.40s\" sticks out of its button\n", what, W, H,
                    ui_label_text(f, i));
            bad++;
        }
    }
    return bad;
}

static const int sizes[][2] = {{480, 320},   {800, 480}, {720, 1280}, {1024, 600}, {1280, 800},
                               {1920, 1080}, {480, 800}, {600, 1024}, {1080, 1920}};

/* Walks every screen type of both surveys at every size and checks the layout rules. */
static void test_layout_all_sizes(void)
{
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        W = sizes[si][0];
        H = sizes[si][1];
        int bad = 0;
        FakeStore fs = {0};
        Kiosk *k = new_kiosk(ccdg, &fs);
        bad += check_layout(k, "ccdg attract");
        CHECK(tap(k, "Deutsch") == 0);
        bad += check_layout(k, "ccdg attract (de)");
        CHECK(tap(k, "English") == 0);
        CHECK(tap(k, "Tap to begin") == 0);
        bad += check_layout(k, "ccdg likert");
        CHECK(tap(k, "Neither agree nor disagree") == 0);
        bad += check_layout(k, "ccdg likert selected");
        CHECK(tap(k, "Back") == 0);
        CHECK(visible(k, "Leave the survey?"));
        bad += check_layout(k, "leave the survey?");
        CHECK(tap(k, "Stay") == 0);
        kiosk_free(k);

        k = new_kiosk(team, &fs);
        CHECK(tap(k, "Fran\xC3\xA7"
                     "ais") == 0);
        CHECK(visible(k, "Touchez pour commencer")); /* the kiosk's own words follow */
        CHECK(tap(k, "Touchez pour commencer") == 0);
        CHECK(visible(k, "Question 1 sur 4"));
        bad += check_layout(k, "team likert (fr)");
        CHECK(tap(k, "Pas d'accord") == 0);
        CHECK(tap(k, "Suivant") == 0);
        bad += check_layout(k, "team text (fr)");
        CHECK(kiosk_screen(k) == KS_QUESTION);
        /* Open the keyboard when it is not inline. */
        if (!visible(k, "space")) {
            CHECK(tap(k, "Touchez ici pour \xC3\xA9"
                         "crire") == 0);
            CHECK(kiosk_screen(k) == KS_TYPING);
            bad += check_layout(k, "team typing (fr)");
        }
        CHECK(visible(k, "space"));
        CHECK(tap(k, "\xC3\xA0\xC3\xA9") == 0);
        bad += check_layout(k, "team keyboard accents");
        CHECK(tap(k, "?123") == 0);
        bad += check_layout(k, "team keyboard symbols");
        kiosk_text(k, "Plus de temps pour les cas difficiles, et moins de retards.");
        bad += check_layout(k, "team typing with text");
        if (kiosk_screen(k) == KS_TYPING)
            CHECK(tap(k, "OK") == 0);
        CHECK(tap(k, "Suivant") == 0);
        bad += check_layout(k, "team single (long option)");
        CHECK(!k->paging && !visible(k, "More options"));
        CHECK(tap(k, "Administratif") == 0);
        CHECK(tap(k, "Suivant") == 0);
        CHECK(tap(k, "Suivant") == 0); /* required multi: the gentle note */
        CHECK(visible(k, "Veuillez en choisir au moins une."));
        bad += check_layout(k, "team multi with note");
        CHECK(tap(k, "Deuil") == 0);
        CHECK(tap(k, "Limites") == 0);
        bad += check_layout(k, "team multi selected");
        CHECK(tap(k, "Suivant") == 0);
        CHECK(tap(k, "Suivant") == 0);
        CHECK(kiosk_screen(k) == KS_REVIEW);
        CHECK(visible(k, "V\xC3\xA9rifiez vos r\xC3\xA9ponses"));
        bad += check_layout(k, "team review");
        kiosk_tick(k, 1000 + 91 * 1000);
        CHECK(kiosk_idle_warning(k));
        CHECK(visible(k, "\xC3\x8Ates-vous toujours l\xC3\xA0 ?"));
        bad += check_layout(k, "idle warning");
        kiosk_tap(k, 1, 1);
        CHECK(tap(k, "Envoyer") == 0);
        CHECK(kiosk_screen(k) == KS_THANKS);
        CHECK(visible(k, "Merci !"));
        bad += check_layout(k, "thanks");
        kiosk_free(k);

        fs.fail_with = DB_ENOSPC;
        k = new_kiosk(team, &fs);
        CHECK(tap(k, "Tap to begin") == 0);
        CHECK(tap(k, "Agree") == 0);
        CHECK(tap(k, "Next") == 0);
        CHECK(tap(k, "Next") == 0);
        CHECK(tap(k, "Teamwork") == 0);
        CHECK(tap(k, "Next") == 0);
        CHECK(tap(k, "Next") == 0);
        CHECK(tap(k, "Submit") == 0);
        CHECK(kiosk_screen(k) == KS_FAILED);
        bad += check_layout(k, "save failed");
        kiosk_free(k);

        KioskConfig c;
        flow_config(&c);
        c.availability = KA_NO_SESSION;
        c.demo = 1;
        DbError err;
        CHECK(kiosk_new(ccdg, &c, 0, fake_submit, &fs, kfonts_measure(fonts), &k, &err) == DB_OK);
        bad += check_layout(k, "not collecting (demo banner)");
        CHECK(visible(k, "not collecting"));
        CHECK(visible(k, "DEMO MODE"));
        CHECK(!visible(k, "Tap to begin"));
        kiosk_free(k);
        CHECK(bad == 0);
    }
    W = 800;
    H = 480;
}

/* Every ccdg question at every size: long German texts must fit too. */
static void test_layout_every_question(void)
{
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        W = sizes[si][0];
        H = sizes[si][1];
        for (int lang = 0; lang < 2; lang++) {
            FakeStore fs = {0};
            Kiosk *k = new_kiosk(ccdg, &fs);
            if (lang)
                CHECK(tap(k, "Deutsch") == 0);
            CHECK(tap(k, lang ? "Tippen zum Starten" : "Tap to begin") == 0);
            int bad = 0, guard = 0;
            while (kiosk_screen(k) == KS_QUESTION && guard++ < 40) {
                char what[64];
                snprintf(what, sizeof what, "ccdg/%s q%d", lang ? "de" : "en",
                         kiosk_current_question(k));
                bad += check_layout(k, what);
                /* Answer with "prefer not" where offered so show-if questions stay hidden. */
                const UiFrame *f = kiosk_frame(k, W, H);
                (void)f;
                CHECK(!k->paging); /* the bundled survey never needs pages of options */
                kiosk_key(k, KK_ENTER);
            }
            CHECK(kiosk_screen(k) == KS_REVIEW);
            bad += check_layout(k, "ccdg review");
            /* Every review page. */
            for (int p = 0; p < 5 && visible(k, lang ? "Mehr" : "More"); p++) {
                tap(k, lang ? "Mehr" : "More");
                bad += check_layout(k, "ccdg review page");
            }
            CHECK(bad == 0);
            kiosk_free(k);
        }
    }
    W = 800;
    H = 480;
}

/* The first option on the page shown now (the layout is rebuilt first). */
static int opt_first(Kiosk *k)
{
    kiosk_frame(k, W, H);
    return k->opt_first;
}

/* ---- choice questions with more options than fit: pages of options ---- */

/* The index of the option whose full label is visible now, for each option (-1 if not). */
static int option_visible(Kiosk *k, const SurveyQuestion *q, int i)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    int li = ui_frame_find_label(f, q->options[i].text.s[0]);
    if (li < 0 || strcmp(ui_label_text(f, li), q->options[i].text.s[0]) != 0)
        return 0;
    int t = f->labels[li].target;
    return t >= 0 && f->targets[t].action == ACT_OPTION && f->targets[t].arg == i;
}

/* Whether option i is drawn selected (its row filled with the accent colour). */
static int option_drawn_selected(Kiosk *k, int i)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    for (int t = 0; t < f->n_targets; t++) {
        if (f->targets[t].action != ACT_OPTION || f->targets[t].arg != i)
            continue;
        UiRect r = f->targets[t].r;
        for (int c = 0; c < f->n_cmds; c++) {
            const UiCmd *cmd = &f->cmds[c];
            if (cmd->kind == UI_CMD_RECT && cmd->r.x == r.x && cmd->r.y == r.y && cmd->r.w == r.w &&
                cmd->r.h == r.h)
                return cmd->color.r == c_primary.r && cmd->color.g == c_primary.g &&
                       cmd->color.b == c_primary.b;
        }
    }
    return 0;
}

/* The visible options must be one contiguous run [*first, *first + *count) with the
 * indicator saying so ("options 5–8 of 16", "option 16 of 16"); returns problems found. */
static int check_page(Kiosk *k, const SurveyQuestion *q, int paged, int *first, int *count,
                      const char *what)
{
    int bad = 0, lo = -1, hi = -1, n = 0;
    for (int i = 0; i < q->n_options; i++)
        if (option_visible(k, q, i)) {
            if (lo < 0)
                lo = i;
            else if (i != hi + 1)
                bad++; /* a hole in the run */
            hi = i;
            n++;
        }
    *first = lo;
    *count = n;
    if (lo < 0) {
        fprintf(stderr, "  %s at %dx%d: no option visible\n", what, W, H);
        return bad + 1;
    }
    char ind[64];
    if (n == 1)
        snprintf(ind, sizeof ind, "option %d of %d", lo + 1, q->n_options);
    else
        snprintf(ind, sizeof ind, "options %d\xE2\x80\x93%d of %d", lo + 1, hi + 1, q->n_options);
    if (paged != visible(k, ind) || paged != visible(k, "More options") ||
        paged != visible(k, "Previous options")) {
        fprintf(stderr, "  %s at %dx%d: page indicator \"%s\" %s\n", what, W, H, ind,
                paged ? "missing" : "shown but not paged");
        bad++;
    }
    if (paged && (opt_first(k) != lo || k->opt_count != n))
        bad++;
    return bad;
}

typedef struct LongCase {
    int q;              /* question index in long_options.json */
    SurveyKind kind;    /* SURVEY_SINGLE / SURVEY_MULTI */
    int pages_at_least; /* at 480x320 and 800x480 */
} LongCase;

static const LongCase long_cases[] = {{0, SURVEY_SINGLE, 4}, {1, SURVEY_MULTI, 4}};

/* 16 options with long labels at every size: no clipping or overlap and targets >= 48 px on
 * every page; every option reachable by "More options" exactly once, in order; the indicator
 * right; selections made on different pages kept and drawn; "Previous options" back to the
 * first page; hidden options cannot be tapped by label (a script sees what a finger sees). */
static void test_long_options_paging(void)
{
    for (size_t ci = 0; ci < sizeof long_cases / sizeof long_cases[0]; ci++) {
        const LongCase *lc = &long_cases[ci];
        const SurveyQuestion *q = &longopt->questions[lc->q];
        CHECK(q->kind == lc->kind && q->n_options == SURVEY_MAX_OPTIONS);
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            W = sizes[si][0];
            H = sizes[si][1];
            char what[64];
            snprintf(what, sizeof what, "long options q%d", lc->q);
            FakeStore fs = {0};
            Kiosk *k = new_kiosk(longopt, &fs);
            CHECK(tap(k, "Tap to begin") == 0);
            if (lc->q == 1) { /* answer the single choice to get to the multi */
                CHECK(tap(k, "Prefer not to answer") == 0);
                CHECK(tap(k, "Next") == 0);
            }
            CHECK(kiosk_current_question(k) == lc->q);
            kiosk_frame(k, W, H);
            int paged = k->paging, bad = 0;
            if ((W == 480 && H == 320) || (W == 800 && H == 480))
                CHECK(paged && k->opt_pages >= lc->pages_at_least);
            int seen[SURVEY_MAX_OPTIONS] = {0}, next_expected = 0, pages = 0;
            uint32_t chosen = 0;
            int single_choice = -1;
            for (;;) {
                bad += check_layout(k, what);
                int first, count;
                bad += check_page(k, q, paged, &first, &count, what);
                if (first != next_expected)
                    bad++;
                for (int i = first; i >= 0 && i < first + count; i++)
                    seen[i]++;
                next_expected = first + count;
                pages++;
                /* Choose on this page: the first option (multi); the last one (single). */
                int pick = lc->kind == SURVEY_MULTI ? first : first + count - 1;
                if (first >= 0 && (lc->kind == SURVEY_MULTI || next_expected == q->n_options)) {
                    CHECK(tap(k, q->options[pick].text.s[0]) == 0);
                    if (lc->kind == SURVEY_MULTI)
                        chosen |= 1u << pick;
                    else
                        single_choice = pick;
                    CHECK(option_drawn_selected(k, pick));
                    if (!option_drawn_selected(k, pick))
                        fprintf(stderr, "  %s at %dx%d: option %d not drawn selected\n", what, W, H,
                                pick);
                    bad += check_layout(k, what); /* bold selected text still fits */
                }
                if (!paged || next_expected >= q->n_options || pages > SURVEY_MAX_OPTIONS)
                    break;
                /* Later options cannot be tapped by their label from here. */
                CHECK(tap_quiet(k, q->options[next_expected].text.s[0]) != 0);
                CHECK(tap(k, "More options") == 0);
            }
            CHECK(next_expected == q->n_options);
            for (int i = 0; i < q->n_options; i++)
                CHECK(seen[i] == 1);
            if (paged) {
                CHECK(pages == k->opt_pages);
                /* On the last page "More options" is disabled and does nothing. */
                int last_first = opt_first(k);
                CHECK(tap(k, "More options") == 0);
                CHECK(opt_first(k) == last_first);
                for (int p = 1; p < pages; p++)
                    CHECK(tap(k, "Previous options") == 0);
                int first, count;
                bad += check_page(k, q, 1, &first, &count, what);
                CHECK(first == 0);
                CHECK(tap(k, "Previous options") == 0); /* disabled on the first page */
                CHECK(opt_first(k) == 0);
            }
            /* Selections survived the paging, in the answer and on screen. */
            const Answer *a = &k->r->answers[lc->q];
            CHECK(a->state == ANSWER_GIVEN);
            if (lc->kind == SURVEY_MULTI) {
                CHECK(a->chosen == chosen);
                CHECK(option_drawn_selected(k, 0));
                CHECK(__builtin_popcount(chosen) == pages);
            } else {
                CHECK(a->value == single_choice && single_choice == q->n_options - 1);
            }
            /* The page stays while the note comes and goes: Next with nothing chosen on a
             * required multi shows the note; the options on screen do not move. */
            if (lc->kind == SURVEY_MULTI && paged) {
                CHECK(tap(k, q->options[0].text.s[0]) == 0); /* unchoose the first page's */
                for (int p = 1; p < pages; p++) {
                    CHECK(tap(k, "More options") == 0);
                    CHECK(tap(k, q->options[opt_first(k)].text.s[0]) == 0);
                }
                CHECK(k->r->answers[lc->q].state != ANSWER_GIVEN);
                int before = opt_first(k);
                CHECK(tap(k, "Next") == 0);
                CHECK(kiosk_current_question(k) == lc->q);
                CHECK(visible(k, "Please choose at least one to continue."));
                CHECK(opt_first(k) == before);
                bad += check_layout(k, "long options note");
            }
            CHECK(bad == 0);
            kiosk_free(k);
        }
    }
    W = 800;
    H = 480;
}

/* The longest labels a survey may have (SURVEY_MAX_LABEL bytes, 16 options) still fit, page by
 * page, at every size: no clipping, targets >= 48 px, every option reachable once. */
static void test_max_label_length(void)
{
    char path[4096];
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/kiosk/max_labels.json", src ? src : "..");
    Survey *maxl = NULL;
    DbError err;
    CHECK(survey_load_file(path, &maxl, &err) == DB_OK);
    if (!maxl)
        return;
    CHECK(strlen(maxl->questions[0].options[15].text.s[0]) == SURVEY_MAX_LABEL);
    const SurveyQuestion *q = &maxl->questions[0];
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        W = sizes[si][0];
        H = sizes[si][1];
        FakeStore fs = {0};
        Kiosk *k = new_kiosk(maxl, &fs);
        CHECK(tap(k, "Tap to begin") == 0);
        kiosk_frame(k, W, H);
        int paged = k->paging, bad = 0, next_expected = 0, pages = 0;
        for (;;) {
            bad += check_layout(k, "max labels");
            int first, count;
            bad += check_page(k, q, paged, &first, &count, "max labels");
            if (first != next_expected || count < 1)
                bad++;
            next_expected = first + count;
            if (!paged || next_expected >= q->n_options || ++pages > SURVEY_MAX_OPTIONS)
                break;
            CHECK(tap(k, "More options") == 0);
        }
        CHECK(next_expected == q->n_options);
        if (bad)
            fprintf(stderr, "  max labels at %dx%d: %d layout problems\n", W, H, bad);
        CHECK(bad == 0);
        kiosk_free(k);
    }
    W = 800;
    H = 480;
    survey_free(maxl);
}

/* Going to another question and back starts at the first page; the review lists choices made
 * on any page. */
static void test_long_options_flow(void)
{
    W = 480;
    H = 320;
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(longopt, &fs);
    CHECK(tap(k, "Tap to begin") == 0);
    CHECK(visible(k, "options 1"));
    CHECK(tap(k, "More options") == 0);
    CHECK(opt_first(k) > 0);
    CHECK(tap(k, longopt->questions[0].options[opt_first(k)].text.s[0]) == 0);
    CHECK(tap(k, "Next") == 0);
    CHECK(kiosk_current_question(k) == 1);
    CHECK(opt_first(k) == 0);
    CHECK(tap(k, "Back") == 0);
    CHECK(kiosk_current_question(k) == 0 && opt_first(k) == 0);
    CHECK(tap(k, "Next") == 0);
    CHECK(tap(k, "More options") == 0);
    CHECK(tap(k, "More options") == 0);
    int pick = opt_first(k);
    CHECK(tap(k, longopt->questions[1].options[pick].text.s[0]) == 0);
    CHECK(tap(k, "Next") == 0);
    /* The 7-point Likert with long anchors fits without pages (a scale is never split). */
    CHECK(kiosk_current_question(k) == 2);
    CHECK(check_layout(k, "likert 7") == 0);
    CHECK(tap(k, "Sometimes") == 0);
    CHECK(tap(k, "Next") == 0);
    CHECK(kiosk_screen(k) == KS_REVIEW);
    CHECK(visible(k, "Ethics") == 0);
    CHECK(visible(k, longopt->questions[1].options[pick].text.s[0]));
    kiosk_free(k);
    W = 800;
    H = 480;
}

/* The 7-point Likert of the fixture (anchors up to ~50 characters) at every size. */
static void test_likert7_all_sizes(void)
{
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        W = sizes[si][0];
        H = sizes[si][1];
        FakeStore fs = {0};
        Kiosk *k = new_kiosk(longopt, &fs);
        CHECK(tap(k, "Tap to begin") == 0);
        CHECK(tap(k, "Prefer not to answer") == 0);
        CHECK(tap(k, "Next") == 0);
        CHECK(tap(k, "Ethics") == 0); /* the first option: on the first page everywhere */
        kiosk_key(k, KK_ENTER);
        CHECK(kiosk_current_question(k) == 2);
        int bad = check_layout(k, "likert 7");
        CHECK(tap(k, "Always") == 0);
        bad += check_layout(k, "likert 7 selected");
        CHECK(bad == 0);
        kiosk_free(k);
    }
    W = 800;
    H = 480;
}

/* ---- pixels: the screens rendered as the kiosk renders them, against reviewed goldens ----
 *
 * test_kiosk_session compares the bundled flow's screenshots taken through --script; here the
 * same renderer draws the frames in-process, so the paged screens (tests/kiosk/
 * long_options.script takes the same shots) and the bundled survey's choice screens are
 * checked without a whole session. The tolerance is test_kiosk_session's: 0.5 % of pixels
 * may differ by more than 40 in a channel. tools/regen-golden rewrites them. */

static long png_diff_ratio(const char *a, const char *b)
{
    uint8_t *pa = NULL, *pb = NULL;
    int wa, ha, wb, hb;
    if (pngfile_read_rgb(a, &pa, &wa, &ha, NULL) != DB_OK)
        return 10000;
    if (pngfile_read_rgb(b, &pb, &wb, &hb, NULL) != DB_OK) {
        free(pa);
        return 10000;
    }
    long bad = 0, n = (long)wa * ha;
    if (wa != wb || ha != hb)
        bad = n;
    for (long i = 0; bad < n && wa == wb && ha == hb && i < n; i++)
        for (int c = 0; c < 3; c++)
            if (abs(pa[3 * i + c] - pb[3 * i + c]) > 40) {
                bad++;
                break;
            }
    free(pa);
    free(pb);
    return n ? bad * 10000 / n : 10000;
}

/* Draws the kiosk's current frame and compares it with tests/kiosk/golden/NAME; a difference
 * or a missing golden fails and keeps the shot for tools/regen-golden. */
static void check_golden(Platform *p, Kiosk *k, const char *name)
{
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    char rel[300], golden[4200], shot[] = "/tmp/debrief-shot-XXXXXX";
    snprintf(rel, sizeof rel, "tests/kiosk/golden/%s", name);
    snprintf(golden, sizeof golden, "%s/%s", src ? src : "..", rel);
    int fd = mkstemp(shot);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    platform_draw(p, kiosk_frame(k, W, H));
    DbError err;
    CHECK(platform_screenshot(p, shot, &err) == DB_OK);
    long r = access(golden, R_OK) == 0 ? png_diff_ratio(shot, golden) : -1;
    CHECK(r >= 0 && r <= 50);
    if (r < 0)
        fprintf(stderr, "  the golden %s is missing\n", golden);
    else if (r > 50)
        fprintf(stderr, "  %s differs in %ld.%02ld %% of pixels\n", golden, r / 100, r % 100);
    if (r < 0 || r > 50)
        test_keep_actual(rel, shot, NULL, 0);
    unlink(shot);
}

static Platform *open_panel(int w, int h)
{
    PlatformConfig pc = {w, h, 0, 0, 1, "test"};
    Platform *p = NULL;
    int status;
    DbError err;
    CHECK(platform_open(&pc, fonts, &p, &status, &err) == DB_OK);
    return p;
}

static void test_goldens_in_process(void)
{
    /* The bundled flow's choice screens, as tests/kiosk/screens.script gets there (its
     * goldens at these sizes): unchanged by paging. */
    static const int gs[][2] = {{1920, 1080}, {800, 480}};
    for (size_t si = 0; si < sizeof gs / sizeof gs[0]; si++) {
        W = gs[si][0];
        H = gs[si][1];
        Platform *p = open_panel(W, H);
        if (!p)
            return;
        FakeStore fs = {0};
        Kiosk *k = new_kiosk(team, &fs);
        CHECK(tap(k, "Tap to begin") == 0);
        CHECK(tap(k, "Disagree") == 0);
        CHECK(tap(k, "Next") == 0);
        kiosk_text(k, "Plus de caf\xC3\xA9, moins de retards ! \xC3\x89l\xC3\xA9onore");
        CHECK(tap(k, "Next") == 0);
        CHECK(tap(k, "Administrative") == 0);
        if (W == 1920)
            check_golden(p, k, "1920x1080-single.png");
        CHECK(tap(k, "Next") == 0);
        CHECK(tap(k, "Ethics") == 0);
        CHECK(tap(k, "Grief") == 0);
        if (W == 800)
            check_golden(p, k, "800x480-multi.png");
        kiosk_free(k);
        platform_close(p);
    }

    /* The paged screens, as tests/kiosk/long_options.script takes them. */
    W = 800;
    H = 480;
    Platform *p = open_panel(W, H);
    if (!p)
        return;
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(longopt, &fs);
    CHECK(tap(k, "Tap to begin") == 0);
    CHECK(tap(k, "Next") == 0);
    check_golden(p, k, "800x480-paged-single-1.png");
    for (int i = 0; i < 7; i++)
        CHECK(tap(k, "More options") == 0);
    CHECK(tap(k, "Estates") == 0);
    check_golden(p, k, "800x480-paged-single-last.png");
    CHECK(tap(k, "Next") == 0);
    CHECK(tap(k, "Ethics") == 0);
    for (int i = 0; i < 7; i++)
        CHECK(tap(k, "More options") == 0);
    CHECK(tap(k, "Learning from complaints") == 0);
    check_golden(p, k, "800x480-paged-multi-last.png");
    CHECK(tap(k, "Previous options") == 0);
    check_golden(p, k, "800x480-paged-multi-back.png");
    kiosk_free(k);
    platform_close(p);
}

static void test_rotation_roundtrip(void)
{
    const int rots[] = {0, 90, 180, 270};
    int bad = 0;
    for (int r = 0; r < 4; r++) {
        int pw = 800, ph = 480, lw, lh;
        ui_logical_size(rots[r], pw, ph, &lw, &lh);
        CHECK((rots[r] % 180 == 0) ? (lw == 800 && lh == 480) : (lw == 480 && lh == 800));
        for (int y = 0; y < lh; y += 7) {
            for (int x = 0; x < lw; x += 5) {
                int px, py, x2, y2;
                ui_logical_to_phys(rots[r], pw, ph, x, y, &px, &py);
                if (px < 0 || py < 0 || px >= pw || py >= ph)
                    bad++;
                ui_phys_to_logical(rots[r], pw, ph, px, py, &x2, &y2);
                if (x2 != x || y2 != y)
                    bad++;
                /* Through normalised finger coordinates, as SDL delivers them. */
                float nx, ny;
                platform_logical_to_finger(rots[r], pw, ph, x, y, &nx, &ny);
                platform_finger_to_logical(rots[r], pw, ph, nx, ny, &x2, &y2);
                if (x2 != x || y2 != y)
                    bad++;
            }
        }
    }
    CHECK(bad == 0);
    /* The convention: at 90 degrees the logical top-left is drawn at the panel's top-right. */
    int px, py;
    ui_logical_to_phys(90, 800, 480, 0, 0, &px, &py);
    CHECK(px == 799 && py == 0);
    ui_logical_to_phys(270, 800, 480, 0, 0, &px, &py);
    CHECK(px == 0 && py == 479);
    ui_logical_to_phys(180, 800, 480, 0, 0, &px, &py);
    CHECK(px == 799 && py == 479);
}

static void test_editor_utf8(void)
{
    OskEdit e;
    CHECK(osk_edit_init(&e, 5) == 0);
    CHECK(osk_edit_insert(&e, "h\xC3\xA9") == 0); /* hé */
    CHECK(osk_edit_chars(&e) == 2 && e.len == 3 && e.caret == 3);
    osk_edit_left(&e);
    CHECK(e.caret == 1);                 /* before é, not inside it */
    osk_edit_insert(&e, "\xE2\x82\xAC"); /* € */
    CHECK_STR(e.buf, "h\xE2\x82\xAC\xC3\xA9");
    osk_edit_backspace(&e);
    CHECK_STR(e.buf, "h\xC3\xA9");
    CHECK(e.caret == 1);
    osk_edit_right(&e);
    CHECK(e.caret == 3);
    osk_edit_backspace(&e);
    CHECK_STR(e.buf, "h");
    /* Limit in characters, not bytes; control characters dropped. */
    CHECK(osk_edit_insert(&e, "\xC3\xBC\n\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC") == -1);
    CHECK(osk_edit_chars(&e) == 5);
    CHECK_STR(e.buf, "h\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC");
    osk_edit_home(&e);
    osk_edit_delete(&e);
    CHECK(osk_edit_chars(&e) == 4 && e.caret == 0);
    osk_edit_end(&e);
    CHECK(e.caret == e.len);
    osk_edit_clear(&e);
    CHECK(e.len == 0 && e.buf[0] == '\0');
    /* Invalid UTF-8 bytes never enter. */
    osk_edit_insert(&e, "a\xFF"
                        "b\xC3");
    CHECK_STR(e.buf, "ab");
    osk_edit_fini(&e);
}

/* Keys by label through the keyboard layout: shift is one-shot, accents page, backspace. */
static void test_keyboard_keys(void)
{
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(team, &fs);
    W = 1280;
    H = 800; /* inline keyboard */
    tap(k, "Tap to begin");
    tap(k, "Disagree");
    tap(k, "Next");
    CHECK(visible(k, "What was missing?"));
    CHECK(visible(k, "space"));
    CHECK(visible(k, "0/200"));
    tap(k, "\xE2\x87\xA7 Shift");
    CHECK(visible(k, "Q")); /* shifted labels */
    tap(k, "C");
    tap(k, "a");
    tap(k, "\xC3\xA0\xC3\xA9");
    tap(k, "\xC3\xA9");
    tap(k, "space");
    tap(k, "?123");
    tap(k, "4");
    tap(k, "2");
    tap(k, "\xE2\x86\x90"); /* caret left */
    tap(k, "\xE2\x8C\xAB"); /* backspace: removes the 4 */
    CHECK(visible(k, "Ca\xC3\xA9 2"));
    CHECK(visible(k, "5/200"));
    CHECK(visible(k, "Please don't name colleagues or patients."));
    kiosk_key(k, KK_END);
    kiosk_text(k, "!");
    CHECK(visible(k, "Ca\xC3\xA9 2!"));
    tap(k, "Next");
    CHECK(visible(k, "Your role"));
    tap(k, "Back");
    CHECK(visible(k, "Ca\xC3\xA9 2!")); /* the answer comes back for editing */
    kiosk_free(k);
    W = 800;
    H = 480;
}

/* The letters of the current keyboard page, row by row, "|" between rows. */
static void keyboard_rows(Kiosk *k, char *out, size_t cap)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    size_t n = 0;
    int last_y = -1;
    out[0] = '\0';
    for (int i = 0; i < f->n_labels && n + 8 < cap; i++) {
        int t = f->labels[i].target;
        if (t < 0 || f->targets[t].action != ACT_KEY)
            continue;
        if (last_y >= 0 && f->targets[t].r.y != last_y)
            n += (size_t)snprintf(out + n, cap - n, "|");
        last_y = f->targets[t].r.y;
        const char *l = ui_label_text(f, i);
        if (ui_utf8_len(l, strlen(l)) == strlen(l)) /* one character: a letter key */
            n += (size_t)snprintf(out + n, cap - n, "%s", l);
    }
}

/* The keyboard follows the participant's language (de: QWERTZ with ä ö ü ß on the letters
 * page, fr: AZERTY with é à), or what the survey names; keys stay >= 48 px at every size. */
static void test_keyboard_layouts(void)
{
#define T5 "{\"de\": \"x\", \"fr\": \"x\", \"en\": \"x\", \"de-CH\": \"x\", \"nl\": \"x\"}"
    static const char *de_json =
        "{\"format\": 1, \"id\": \"kb\", \"version\": 1, \"languages\": ["
        "{\"code\": \"de\", \"name\": \"Deutsch\"}, {\"code\": \"fr\", \"name\": "
        "\"Fran\u00e7ais\"}, {\"code\": \"en\", \"name\": \"English\"}, "
        "{\"code\": \"de-CH\", \"name\": \"Schweiz\", \"keyboard\": \"qwertz\"}, "
        "{\"code\": \"nl\", \"name\": \"Nederlands\", \"keyboard\": \"azerty\"}],"
        "\"title\": " T5 ", \"intro\": " T5 ", \"thanks\": " T5 ", \"sections\": [{\"id\": "
        "\"s\", \"title\": " T5 ", \"questions\": [{\"id\": \"t\", \"type\": \"text\", "
        "\"max_length\": 50, \"text\": " T5 "}]}]}";
#undef T5
    Survey *sv = NULL;
    DbError err;
    CHECK(survey_load_buffer("kb.json", de_json, strlen(de_json), &sv, &err) == DB_OK);
    if (!sv) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    CHECK(sv->lang_keyboards[0] == SURVEY_KEYBOARD_DEFAULT);
    CHECK(sv->lang_keyboards[3] == SURVEY_KEYBOARD_QWERTZ);
    CHECK(sv->lang_keyboards[4] == SURVEY_KEYBOARD_AZERTY);
    static const struct {
        int lang;
        const char *rows;
    } want[] = {
        {0, "qwertzuiop|asdfghjkl\xC3\xB6|\xE2\x87\xA7yxcvbnm\xC3\xA4\xE2\x8C\xAB|"
            "\xC3\xBC\xC3\x9F,.\xE2\x86\x90\xE2\x86\x92"},
        {1, "azertyuiop|qsdfghjklm|\xE2\x87\xA7wxcvbn'\xC3\xA9\xE2\x8C\xAB|"
            "\xC3\xA0,.\xE2\x86\x90\xE2\x86\x92"},
        {2, "qwertyuiop|asdfghjkl'|zxcvbnm\xE2\x8C\xAB|,.\xE2\x86\x90\xE2\x86\x92"},
        {3, "qwertzuiop|asdfghjkl\xC3\xB6|\xE2\x87\xA7yxcvbnm\xC3\xA4\xE2\x8C\xAB|"
            "\xC3\xBC\xC3\x9F,.\xE2\x86\x90\xE2\x86\x92"},
        {4, "azertyuiop|qsdfghjklm|\xE2\x87\xA7wxcvbn'\xC3\xA9\xE2\x8C\xAB|"
            "\xC3\xA0,.\xE2\x86\x90\xE2\x86\x92"},
    };
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        W = sizes[si][0];
        H = sizes[si][1];
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
            FakeStore fs = {0};
            KioskConfig c;
            flow_config(&c);
            Kiosk *k = NULL;
            CHECK(kiosk_new(sv, &c, want[i].lang, fake_submit, &fs, kfonts_measure(fonts), &k,
                            &err) == DB_OK);
            kiosk_tick(k, 1000);
            kiosk_key(k, KK_ENTER); /* begin */
            if (!visible(k, "space")) { /* the field opens the full keyboard */
                const UiFrame *f = kiosk_frame(k, W, H);
                for (int t = 0; t < f->n_targets; t++)
                    if (f->targets[t].action == ACT_FIELD) {
                        UiRect r = f->targets[t].r;
                        kiosk_tap(k, r.x + r.w / 2, r.y + r.h / 2);
                        break;
                    }
            }
            CHECK(visible(k, "space"));
            char rows[256];
            keyboard_rows(k, rows, sizeof rows);
            CHECK_STR(rows, want[i].rows);
            CHECK(check_layout(k, "keyboard layout") == 0);
            if (want[i].lang == 0 && si == 1) { /* German letters straight from the page */
                tap(k, "\xC3\xBC");
                tap(k, "\xC3\x9F");
                tap(k, "\xC3\xB6");
                tap(k, "\xC3\xA4");
                CHECK(visible(k, "\xC3\xBC\xC3\x9F\xC3\xB6\xC3\xA4"));
            }
            kiosk_free(k);
        }
    }
    survey_free(sv);
    W = 800;
    H = 480;
}

static double luminance(UiColor c)
{
    double ch[3] = {c.r / 255.0, c.g / 255.0, c.b / 255.0};
    for (int i = 0; i < 3; i++)
        ch[i] = ch[i] <= 0.03928 ? ch[i] / 12.92 : pow((ch[i] + 0.055) / 1.055, 2.4);
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

static double contrast(UiColor a, UiColor b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* "Larger text" and "High contrast" on the attract screen: they change what the participant
 * sees, every pair of the contrast theme is 7:1 or better, and both are off again for the
 * next participant. */
static void test_larger_text_and_contrast(void)
{
    const KTheme *t = &kiosk_theme_contrast;
    UiColor pairs[][2] = {{t->fg, t->bg},          {t->fg, t->white},   {t->white, t->primary},
                          {t->muted, t->bg},       {t->note, t->white}, {t->note, t->bg},
                          {t->disabled_fg, t->disabled_bg}, {t->fg, t->pressed},
                          {t->white, t->primary_pressed}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        CHECK(contrast(pairs[i][0], pairs[i][1]) >= 7.0);
        if (contrast(pairs[i][0], pairs[i][1]) < 7.0)
            fprintf(stderr, "  contrast pair %zu: %.2f\n", i, contrast(pairs[i][0], pairs[i][1]));
    }
    const KTheme *n = &kiosk_theme_normal;
    CHECK(contrast(n->fg, n->bg) >= 4.5 && contrast(n->muted, n->bg) >= 4.5 &&
          contrast(n->white, n->primary) >= 4.5 && contrast(n->note, n->bg) >= 4.5);
    FakeStore fs = {0};
    W = 1280;
    H = 800;
    Kiosk *k = new_kiosk(team, &fs);
    CHECK(visible(k, "Larger text") && visible(k, "High contrast"));
    tap(k, "Tap to begin");
    int body = k->mt.body;
    kiosk_free(k);
    k = new_kiosk(team, &fs);
    tap(k, "Larger text");
    tap(k, "High contrast");
    CHECK(check_layout(k, "attract, larger, contrast") == 0);
    tap(k, "Tap to begin");
    CHECK(k->mt.body > body); /* larger (as much as still fits) */
    const UiFrame *f = kiosk_frame(k, W, H);
    CHECK(f->cmds[0].kind == UI_CMD_RECT && f->cmds[0].color.r == 0xFF && f->cmds[0].color.g == 0xFF);
    CHECK(check_layout(k, "likert, larger, contrast") == 0);
    tap(k, "Agree");
    tap(k, "Next");
    tap(k, "Next");
    tap(k, "Teamwork");
    tap(k, "Next");
    tap(k, "Next");
    tap(k, "Submit");
    CHECK(kiosk_screen(k) == KS_THANKS);
    kiosk_tick(k, 1000 + 60 * 1000);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    CHECK(!k->large && k->theme == &kiosk_theme_normal); /* the next participant chooses */
    kiosk_free(k);
    /* In German, and at every size, the attract screen with its four choices fits. */
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        W = sizes[si][0];
        H = sizes[si][1];
        k = new_kiosk(ccdg, &fs);
        tap(k, "Deutsch");
        CHECK(visible(k, "Gr\xC3\xB6\xC3\x9F" "ere Schrift") && visible(k, "Hoher Kontrast"));
        tap(k, "Hoher Kontrast");
        tap(k, "Gr\xC3\xB6\xC3\x9F" "ere Schrift");
        CHECK(check_layout(k, "attract (de), larger, contrast") == 0);
        tap(k, "Tippen zum Starten");
        CHECK(check_layout(k, "question (de), larger, contrast") == 0);
        kiosk_free(k);
    }
    W = 800;
    H = 480;
}

/* Sizes from the panel's density: on a 3.5" 480x320 panel (165 dpi) targets are 9 mm
 * (58 px), not 48 px (7.4 mm), and text is at least 2.4 mm; every screen of the bundled
 * survey still fits, in both languages; a 10" 1280x800 panel (150 dpi) likewise. */
static void test_physical_sizes(void)
{
    static const struct {
        int w, h, dpi;
    } panels[] = {{480, 320, 165}, {800, 480, 133}, {1280, 800, 150}, {720, 1280, 217},
                  {480, 800, 155}};
    for (size_t pi = 0; pi < sizeof panels / sizeof panels[0]; pi++) {
        W = panels[pi].w;
        H = panels[pi].h;
        int nine_mm = 9 * panels[pi].dpi * 10 / 254;
        for (int lang = 0; lang < 2; lang++) {
            FakeStore fs = {0};
            KioskConfig c;
            flow_config(&c);
            c.dpi = panels[pi].dpi;
            Kiosk *k = NULL;
            DbError err;
            CHECK(kiosk_new(ccdg, &c, lang, fake_submit, &fs, kfonts_measure(fonts), &k, &err) ==
                  DB_OK);
            kiosk_tick(k, 1000);
            int bad = check_layout(k, "attract at its density");
            kiosk_key(k, KK_ENTER);
            for (int guard = 0; kiosk_screen(k) == KS_QUESTION && guard < 30; guard++) {
                kiosk_frame(k, W, H);
                CHECK(k->mt.target >= nine_mm);
                CHECK(k->mt.body * 254 >= 24 * panels[pi].dpi - 254);
                char what[64];
                snprintf(what, sizeof what, "q%d (%d) at %d dpi", kiosk_current_question(k), lang,
                         panels[pi].dpi);
                bad += check_layout(k, what);
                CHECK(!k->relaxed); /* 9 mm held, not given up */
                const UiFrame *f = kiosk_frame(k, W, H);
                for (int t = 0; t < f->n_targets; t++)
                    if (f->targets[t].action != ACT_KEY && f->targets[t].action != ACT_NONE)
                        CHECK(f->targets[t].r.h >= nine_mm);
                kiosk_key(k, KK_ENTER);
            }
            CHECK(bad == 0);
            kiosk_free(k);
        }
    }
    W = 800;
    H = 480;
}

static int response_memory_wiped(const struct Kiosk *in);
static void screen_text(Kiosk *k, char *out, size_t cap);

static SurveyKind cur_kind(const Kiosk *k)
{
    return k->s->questions[k->q].kind;
}

/* Whether some visible text is exactly s, and how many are. */
static int label_count(Kiosk *k, const char *text)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    int n = 0;
    for (int i = 0; i < f->n_labels; i++)
        n += strcmp(ui_label_text(f, i), text) == 0;
    return n;
}
static int label_is(Kiosk *k, const char *text)
{
    return label_count(k, text) > 0;
}

/* Every word the survey gives is drawn, once: section intros on the first question of their
 * section, the help, one hint; review answers read as they should. */
static void test_words_shown(void)
{
    FakeStore fs = {0};
    for (int lang = 0; lang < 2; lang++) {
        Kiosk *k = new_kiosk(ccdg, &fs);
        if (lang)
            tap(k, "Deutsch");
        tap(k, lang ? "Tippen zum Starten" : "Tap to begin");
        const char *skills = lang ? "Wie sehr stimmen Sie den folgenden Aussagen zu?"
                                  : "How much do you agree with each statement?";
        CHECK(label_is(k, skills));
        kiosk_key(k, KK_ENTER);
        CHECK(!visible(k, skills)); /* once: the section's first question only */
        for (int i = 0; i < 4; i++)
            kiosk_key(k, KK_ENTER);
        CHECK(visible(k, lang ? "(1 = gering, 5 = hoch)" : "(1 = low, 5 = high)"));
        tap(k, "3");
        kiosk_key(k, KK_ENTER);
        tap(k, lang ? "5 (hoch)" : "5 (high)");
        for (int i = 0; i < 5; i++) /* 7, 8, 10, 12 (follow-ups hidden), 14 */
            kiosk_key(k, KK_ENTER);
        CHECK(visible(k, lang ? "Nur grobe Kategorien" : "Broad categories only"));
        while (kiosk_screen(k) == KS_QUESTION && cur_kind(k) != SURVEY_TEXT)
            kiosk_key(k, KK_ENTER);
        CHECK(visible(k, lang ? "Beide Fragen sind freiwillig." : "Both questions are optional."));
        /* The question's help, once; our own hint not beside it. */
        const char *help = lang ? "Bitte nennen Sie keine Namen von Kolleginnen und Kollegen oder "
                                  "von Patientinnen und Patienten."
                                : "Please do not name colleagues or patients.";
        CHECK(label_count(k, help) == 1);
        CHECK(!visible(k, lang ? "Bitte nennen Sie keine Kolleginnen" : "Please don't name"));
        if (kiosk_screen(k) == KS_QUESTION && !visible(k, "space")) {
            tap(k, lang ? "Hier tippen zum Schreiben" : "Tap here to type");
            CHECK(label_count(k, help) == 1); /* the typing screen shows it in the hint's place */
            kiosk_key(k, KK_ESCAPE);
        }
        kiosk_key(k, KK_ENTER);
        kiosk_key(k, KK_ENTER);
        CHECK(kiosk_screen(k) == KS_REVIEW);
        /* Review answers as they read: "3 of 5", "5 of 5 (high)", never "3 – 3". */
        int found3 = 0, found5 = 0;
        for (int p = 0; p < 5; p++) {
            found3 |= label_is(k, lang ? "3 von 5" : "3 of 5");
            found5 |= label_is(k, lang ? "5 von 5 (hoch)" : "5 of 5 (high)");
            CHECK(!visible(k, "3 \xE2\x80\x93 3") && !visible(k, "\xE2\x80\x93 5"));
            if (!label_is(k, lang ? "Mehr" : "More"))
                break;
            /* several pages: the page is said */
            char pg[32];
            snprintf(pg, sizeof pg, "%s %d %s", lang ? "Seite" : "page", p + 1,
                     lang ? "von" : "of");
            CHECK(visible(k, pg));
            if (!visible(k, pg)) {
                char all[4096];
                screen_text(k, all, sizeof all);
                fprintf(stderr, "  review p%d: %s\n", p, all);
            }
            char last[40];
            snprintf(last, sizeof last, "%s %d %s %d", lang ? "Seite" : "page", p + 1,
                     lang ? "von" : "of", p + 1);
            if (visible(k, last))
                break; /* the last page: "More" is greyed */
            tap(k, lang ? "Mehr" : "More");
        }
        CHECK(found3 && found5);
        kiosk_free(k);
    }
    /* A text question without help: our hint, once; the limit is seen before it bites. */
    Kiosk *k = new_kiosk(team, &fs);
    tap(k, "Tap to begin");
    tap(k, "Disagree");
    tap(k, "Next");
    CHECK(label_count(k, "Please don't name colleagues or patients.") == 1);
    char text[256];
    memset(text, 'a', 179);
    text[179] = '\0';
    kiosk_text(k, text);
    CHECK(visible(k, "179/200") && !visible(k, "limit"));
    kiosk_text(k, "a");
    CHECK(visible(k, "180/200")); /* nine tenths: drawn in the note colour, bold */
    const UiFrame *f = kiosk_frame(k, W, H);
    int bold_note = 0;
    for (int i = 0; i < f->n_cmds; i++)
        if (f->cmds[i].kind == UI_CMD_TEXT && strcmp(ui_cmd_text(f, &f->cmds[i]), "180/200") == 0)
            bold_note = (f->cmds[i].flags & UI_TEXT_BOLD) && f->cmds[i].color.r == c_note.r;
    CHECK(bold_note);
    kiosk_text(k, "bbbbbbbbbbbbbbbbbbbbbbbbb");
    CHECK(visible(k, "200/200"));
    CHECK(visible(k, "The limit of 200 characters is reached."));
    CHECK(check_layout(k, "text at its limit") == 0);
    kiosk_free(k);
}

static void test_required_and_prefer_not(void)
{
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(team, &fs);
    tap(k, "Tap to begin");
    CHECK(visible(k, "Question 1 of 4")); /* why_not hidden until useful <= 3 */
    tap(k, "Next");
    CHECK(kiosk_current_question(k) == 0);
    CHECK(visible(k, "Please choose an answer to continue."));
    tap(k, "Strongly disagree");
    CHECK(!visible(k, "Please choose an answer"));
    CHECK(visible(k, "Question 1 of 4")); /* the count does not move under the finger */
    tap(k, "Next");
    CHECK(kiosk_current_question(k) == 1);
    CHECK(visible(k, "Question 1a of 4")); /* the follow-up carries its question's number */
    tap(k, "Next"); /* required text, empty */
    CHECK(kiosk_current_question(k) == 1);
    CHECK(visible(k, "Prefer not to answer\xE2\x80\x9D"));
    tap(k, "Prefer not to answer");
    tap(k, "Next");
    CHECK(kiosk_current_question(k) == 2);
    tap(k, "Back");
    tap(k, "Back");
    tap(k, "Agree"); /* hides why_not again */
    tap(k, "Next");
    CHECK(kiosk_current_question(k) == 2);
    CHECK(visible(k, "Question 2 of 4"));
    tap(k, "Back");
    tap(k, "Back"); /* Back from the first question asks once before clearing */
    CHECK(kiosk_screen(k) == KS_QUESTION);
    CHECK(visible(k, "Leave the survey?"));
    CHECK(check_layout(k, "leave?") == 0);
    tap(k, "Stay");
    CHECK(kiosk_screen(k) == KS_QUESTION && kiosk_current_question(k) == 0);
    CHECK(k->r->answers[0].state == ANSWER_GIVEN);
    tap(k, "Back");
    tap(k, "Leave");
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    CHECK(response_memory_wiped(k));
    CHECK(fs.calls == 0);
    /* With nothing answered there is nothing to lose: Back leaves at once. */
    tap(k, "Tap to begin");
    tap(k, "Back");
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    kiosk_free(k);
}

/* An empty response is submitted only after one question; the count is the same in every
 * run and never moves (ccdg: 17 questions everyone is asked, three follow-ups). */
static void test_empty_submit_and_count(void)
{
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(ccdg, &fs);
    tap(k, "Tap to begin");
    char seen[64][32];
    int n = 0;
    while (kiosk_screen(k) == KS_QUESTION && n < 64) {
        const UiFrame *f = kiosk_frame(k, W, H);
        seen[n][0] = '\0';
        for (int i = 0; i < f->n_labels; i++)
            if (strncmp(ui_label_text(f, i), "Question ", 9) == 0)
                snprintf(seen[n], sizeof seen[n], "%s", ui_label_text(f, i));
        CHECK(strstr(seen[n], " of 17") != NULL);
        n++;
        kiosk_key(k, KK_ENTER);
    }
    CHECK(n == 17);
    CHECK_STR(seen[16], "Question 17 of 17");
    CHECK(kiosk_screen(k) == KS_REVIEW);
    tap(k, "Submit");
    CHECK(visible(k, "Nothing answered yet"));
    CHECK(check_layout(k, "empty?") == 0);
    CHECK(fs.calls == 0);
    tap(k, "Go back");
    CHECK(kiosk_screen(k) == KS_REVIEW && fs.calls == 0);
    tap(k, "Submit");
    tap(k, "Submit anyway");
    CHECK(fs.calls == 1 && kiosk_screen(k) == KS_THANKS);
    kiosk_free(k);
    /* The follow-ups carry their question's number; choosing an answer that shows one
     * changes neither the number on screen nor the total. */
    k = new_kiosk(ccdg, &fs);
    tap(k, "Tap to begin");
    for (int i = 0; i < 8; i++)
        kiosk_key(k, KK_ENTER);
    CHECK(visible(k, "Question 9 of 17"));
    tap(k, "Mild challenge");
    CHECK(visible(k, "Question 9 of 17"));
    tap(k, "Next");
    CHECK(visible(k, "Question 9a of 17"));
    tap(k, "Next");
    CHECK(visible(k, "Question 10 of 17"));
    kiosk_free(k);
}

/* From the first question with its answer chosen to the review screen. */
static void complete_team_after_first(Kiosk *k)
{
    tap(k, "Next");
    tap(k, "Clinical");
    tap(k, "Next");
    tap(k, "Ethics");
    tap(k, "Next");
    tap(k, "Next");
}

static void complete_team(Kiosk *k)
{
    tap(k, "Tap to begin");
    tap(k, "Agree");
    complete_team_after_first(k);
}

/* No participant holds the response, and its memory (kept for the next one) is back to
 * nothing: every answer unset, every text buffer zero. */
static int response_memory_wiped(const struct Kiosk *in)
{
    if (in->r != NULL)
        return 0;
    const Survey *s = in->s;
    for (int q = 0; q < s->n_questions; q++) {
        const Answer *a = &in->r_mem->answers[q];
        if (a->state != ANSWER_NONE || a->value || a->chosen)
            return 0;
        for (int i = 0; a->text && i < 4 * s->questions[q].max_length + 1; i++)
            if (a->text[i])
                return 0;
    }
    return 1;
}

static void test_submit_once_and_wipe(void)
{
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(team, &fs);
    CHECK(response_memory_wiped(k));
    complete_team(k);
    CHECK(kiosk_screen(k) == KS_REVIEW);
    CHECK(!response_memory_wiped(k)); /* answering */
    CHECK(label_is(k, "Agree")); /* as it reads, not "4 – Agree" */
    /* Two taps on Submit: the second lands on the thank-you screen. */
    const UiFrame *f = kiosk_frame(k, W, H);
    int i = ui_frame_find_label(f, "Submit");
    CHECK(i >= 0);
    UiRect r = f->labels[i].r;
    kiosk_tap(k, r.x + 1, r.y + 1);
    kiosk_tap(k, r.x + 1, r.y + 1);
    CHECK(fs.calls == 1);
    CHECK(kiosk_screen(k) == KS_THANKS);
    CHECK(visible(k, "Thank you!"));
    CHECK(kiosk_submitted(k) == 1);
    CHECK(response_memory_wiped(k));
    CHECK(kiosk_next_timer(k) == 8000);
    kiosk_tick(k, 1000 + 8000);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    /* The next participant starts from nothing. */
    tap(k, "Tap to begin");
    CHECK(visible(k, "Question 1 of 4"));
    tap(k, "Next");
    CHECK(visible(k, "Please choose"));
    kiosk_free(k);
}

/* Typed text lives in the kept response memory only while the participant answers. */
static void test_typed_text_wiped(void)
{
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(team, &fs);
    struct Kiosk *in = k;
    tap(k, "Tap to begin");
    tap(k, "Disagree");
    tap(k, "Next");
    CHECK(visible(k, "What was missing?"));
    int q = in->q;
    kiosk_text(k, "zq-canary-17");
    kiosk_key(k, KK_ESCAPE);
    tap(k, "Next"); /* leaving the question commits the text to the answer */
    CHECK(visible(k, "Your role"));
    CHECK(in->r && strstr(in->r_mem->answers[q].text, "zq-canary-17") != NULL);
    tap(k, "Back"); /* the text again, with its counter "12/200" */
    CHECK(visible(k, "12/200"));
    /* Walk away: the idle countdown runs out. */
    kiosk_tick(k, 10000000);
    kiosk_tick(k, 10000000 + 20000);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    CHECK(response_memory_wiped(k));
    /* Nor do the layout's remembered widths keep the words or how many there were. */
    kiosk_frame(k, W, H);
    kiosk_frame(k, W + 1, H); /* another build, another sweep of the memo */
    CHECK(!ui_frame_memo_holds(in->f, "zq-canary"));
    CHECK(!ui_frame_memo_holds(in->f, "12/200"));
    kiosk_free(k);
}

/* The renderer caches public text, but not beyond a participant the renderings whose style
 * says what they chose (a selected option in bold on the selected colour), nor their words. */
static void test_answer_styles_not_kept(void)
{
    Platform *p = open_panel(W, H);
    if (!p)
        return;
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(team, &fs);
    tap(k, "Tap to begin");
    platform_draw(p, kiosk_frame(k, W, H));
    CHECK(platform_text_cache_answers(p) == 0); /* nothing chosen yet */
    tap(k, "Strongly agree");
    platform_draw(p, kiosk_frame(k, W, H));
    int chosen = platform_text_cache_answers(p);
    CHECK(chosen > 0);
    tap(k, "Agree"); /* the same participant: kept while they answer */
    platform_draw(p, kiosk_frame(k, W, H));
    CHECK(platform_text_cache_answers(p) > chosen);
    tap(k, "Disagree");
    tap(k, "Next");
    CHECK(visible(k, "What was missing?"));
    platform_draw(p, kiosk_frame(k, W, H));
    chosen = platform_text_cache_answers(p);
    kiosk_text(k, "zq typed words");
    platform_draw(p, kiosk_frame(k, W, H));
    CHECK(platform_text_cache_answers(p) > chosen); /* their words, piece by piece */
    kiosk_key(k, KK_ESCAPE);
    complete_team_after_first(k);
    CHECK(kiosk_screen(k) == KS_REVIEW);
    platform_draw(p, kiosk_frame(k, W, H));
    tap(k, "Submit");
    CHECK(kiosk_screen(k) == KS_THANKS);
    platform_draw(p, kiosk_frame(k, W, H));
    CHECK(platform_text_cache_answers(p) == 0);
    CHECK(platform_text_cache_size(p) > 0); /* the rest stays cached */
    kiosk_free(k);
    platform_close(p);
}

static void test_submit_failure(void)
{
    FakeStore fs = {0, DB_ENOSPC, ""};
    Kiosk *k = new_kiosk(team, &fs);
    complete_team(k);
    tap(k, "Submit");
    CHECK(kiosk_screen(k) == KS_FAILED);
    CHECK(visible(k, "could not be saved"));
    CHECK_STR(kiosk_last_error(k), "debrief.db: database or disk is full");
    CHECK(response_memory_wiped(k)); /* not kept for a retry: the participant is told */
    tap(k, "OK");
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    kiosk_free(k);
}

static void test_idle(void)
{
    FakeStore fs = {0};
    Kiosk *k = new_kiosk(team, &fs);
    CHECK(kiosk_next_timer(k) == -1); /* attract: nothing pending, sleep */
    kiosk_tick(k, 500000);
    CHECK(!kiosk_idle_warning(k));
    tap(k, "Tap to begin");
    tap(k, "Agree");
    CHECK(kiosk_next_timer(k) == 90000);
    kiosk_tick(k, 500000 + 89999);
    CHECK(!kiosk_idle_warning(k));
    kiosk_tick(k, 500000 + 90000);
    CHECK(kiosk_idle_warning(k));
    CHECK(visible(k, "Are you still there?"));
    CHECK(visible(k, "cleared in 20 seconds"));
    CHECK(!visible(k, "Next")); /* covered: not readable or tappable */
    kiosk_tick(k, 500000 + 90000 + 1500);
    CHECK(visible(k, "cleared in 19 seconds"));
    CHECK(kiosk_next_timer(k) == 500);
    tap(k, "Continue");
    CHECK(!kiosk_idle_warning(k));
    CHECK(kiosk_screen(k) == KS_QUESTION);
    CHECK(visible(k, "Agree"));
    /* Let it run out this time. */
    kiosk_tick(k, 700000);
    CHECK(kiosk_idle_warning(k));
    kiosk_tick(k, 700000 + 20000);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    CHECK(!kiosk_idle_warning(k));
    CHECK(response_memory_wiped(k));
    CHECK(fs.calls == 0);
    tap(k, "Tap to begin");
    CHECK(visible(k, "Question 1 of 4")); /* the answer is gone */
    kiosk_free(k);
}

static void test_script_parse(void)
{
    const char *ok = "# comment\n\ntap \"Next\"\ntap 10 20\ntype \"a \\\"q\\\" b\"\nkey enter\n"
                     "wait 5\nidle 95\nexpect \"Thank\"\nabsent \"x\"\nscreenshot a.png\r\n";
    Script *s;
    DbError err;
    CHECK(script_parse("t.script", ok, strlen(ok), &s, &err) == DB_OK);
    CHECK(s->n == 9);
    CHECK(s->steps[0].op == SO_TAP_LABEL && strcmp(s->steps[0].str, "Next") == 0);
    CHECK(s->steps[0].line == 3);
    CHECK(s->steps[1].op == SO_TAP_XY && s->steps[1].x == 10 && s->steps[1].y == 20);
    CHECK_STR(s->steps[2].str, "a \"q\" b");
    CHECK(s->steps[3].key == KK_ENTER);
    CHECK(s->steps[4].ms == 5 && s->steps[5].ms == 95000);
    CHECK_STR(s->steps[8].str, "a.png");
    script_free(s);
    const char *presses = "press 10 20 3500\nlongpress 5 6\nlongpress \"Tap to begin\"\n";
    CHECK(script_parse("t.script", presses, strlen(presses), &s, &err) == DB_OK);
    CHECK(s->n == 3);
    CHECK(s->steps[0].op == SO_PRESS && s->steps[0].x == 10 && s->steps[0].y == 20 &&
          s->steps[0].ms == 3500 && !s->steps[0].str);
    CHECK(s->steps[1].op == SO_PRESS && s->steps[1].x == 5 && s->steps[1].y == 6 &&
          s->steps[1].ms == SCRIPT_LONG_PRESS_MS);
    CHECK(s->steps[2].op == SO_PRESS && s->steps[2].ms == SCRIPT_LONG_PRESS_MS);
    CHECK_STR(s->steps[2].str, "Tap to begin");
    script_free(s);
    const char *fingers = "down 10 20\nmove \"Back\"\nhold 150\nup\ndoubletap \"Next\" 80\n"
                          "doubletap 400 288 300\nmove 3 4\n";
    CHECK(script_parse("t.script", fingers, strlen(fingers), &s, &err) == DB_OK);
    CHECK(s->n == 7);
    CHECK(s->steps[0].op == SO_DOWN && s->steps[0].x == 10 && s->steps[0].y == 20 &&
          !s->steps[0].str);
    CHECK(s->steps[1].op == SO_MOVE);
    CHECK_STR(s->steps[1].str, "Back");
    CHECK(s->steps[2].op == SO_HOLD && s->steps[2].ms == 150);
    CHECK(s->steps[3].op == SO_UP);
    CHECK(s->steps[4].op == SO_DOUBLETAP && s->steps[4].ms == 80);
    CHECK_STR(s->steps[4].str, "Next");
    CHECK(s->steps[5].op == SO_DOUBLETAP && s->steps[5].x == 400 && s->steps[5].y == 288 &&
          s->steps[5].ms == 300);
    CHECK(s->steps[6].op == SO_MOVE && s->steps[6].x == 3 && s->steps[6].y == 4);
    script_free(s);
    const char *waits = "waitfile \"go\"\nwaitfile \"/tmp/x y\" 7\n";
    CHECK(script_parse("t.script", waits, strlen(waits), &s, &err) == DB_OK);
    CHECK(s->n == 2);
    CHECK(s->steps[0].op == SO_WAITFILE && s->steps[0].ms == SCRIPT_WAITFILE_DEFAULT_S * 1000L);
    CHECK_STR(s->steps[0].str, "go");
    CHECK(s->steps[1].op == SO_WAITFILE && s->steps[1].ms == 7000);
    CHECK_STR(s->steps[1].str, "/tmp/x y");
    script_free(s);
    const struct {
        const char *text, *msg;
    } bad[] = {
        {"tap\n", "demo.script:1: tap needs \"label\" or X Y"},
        {"\n\ntap \"Next\n", "demo.script:3: tap needs one \"quoted string\""},
        {"key shift\n", "demo.script:1: unknown key \"shift\" (enter, backspace, delete, left, "
                        "right, home, end, escape, tab)"},
        {"wait soon\n", "demo.script:1: wait needs a number of milliseconds (0..600000)"},
        {"jump 3\n", "demo.script:1: unknown action \"jump\" (tap, press, longpress, doubletap, "
                     "down, move, up, hold, type, key, wait, idle, expect, absent, screenshot, "
                     "waitfile)"},
        {"down\n", "demo.script:1: down needs \"label\" or X Y (non-negative integers)"},
        {"move 1\n", "demo.script:1: move needs \"label\" or X Y (non-negative integers)"},
        {"down \"Next\" 4\n", "demo.script:1: down needs \"label\" or X Y (non-negative "
                              "integers)"},
        {"doubletap 5 6\n", "demo.script:1: doubletap needs \"label\" or X Y, then MS "
                            "(non-negative integers)"},
        {"doubletap \"Next\"\n", "demo.script:1: doubletap needs \"label\" or X Y, then MS "
                                 "(non-negative integers)"},
        {"up 3 4\n", "demo.script:1: up takes nothing (the finger is lifted where it is)"},
        {"hold\n", "demo.script:1: hold needs a number of milliseconds (0..600000)"},
        {"hold -5\n", "demo.script:1: hold needs a number of milliseconds (0..600000)"},
        {"waitfile go\n", "demo.script:1: waitfile needs one \"quoted string\""},
        {"waitfile \"go\" 0\n", "demo.script:1: waitfile needs \"path\" and at most a number of "
                               "seconds (1..3600)"},
        {"waitfile \"go\" 5 6\n", "demo.script:1: waitfile needs \"path\" and at most a number "
                                 "of seconds (1..3600)"},
        {"press 10 20\n", "demo.script:1: press needs X Y MS (non-negative integers, MS up to "
                          "600000)"},
        {"press 10 20 5 6\n", "demo.script:1: press needs X Y MS (non-negative integers, MS up to "
                              "600000)"},
        {"longpress\n", "demo.script:1: longpress needs \"label\" or X Y"},
        {"longpress 1 x\n", "demo.script:1: longpress needs \"label\" or X Y"},
        {"longpress \"Next\" 3\n", "demo.script:1: longpress needs one \"quoted string\""},
        {"tap -1 5\n", "demo.script:1: tap X Y needs two non-negative integers"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(script_parse("demo.script", bad[i].text, strlen(bad[i].text), &s, &err) == DB_EINVAL);
        CHECK(s == NULL);
        CHECK_STR(err.msg, bad[i].msg);
    }
}

static void test_label_matching(void)
{
    UiFrame *f = ui_frame_new(kfonts_measure(fonts));
    ui_frame_begin(f, 800, 480);
    int t1 = ui_target(f, (UiRect){0, 0, 100, 50}, 1, 0, 1);
    int t2 = ui_target(f, (UiRect){0, 60, 100, 50}, 1, 1, 1);
    ui_text_box(f, (UiRect){0, 0, 100, 50}, 16, 0, (UiColor){0, 0, 0, 255}, 0, 1, "Strongly agree",
                t1);
    ui_text_box(f, (UiRect){0, 60, 100, 50}, 16, 0, (UiColor){0, 0, 0, 255}, 0, 1,
                "Strongly disagree", t2);
    ui_text_box(f, (UiRect){0, 120, 100, 50}, 16, 0, (UiColor){0, 0, 0, 255}, 0, 1, "Agree", -1);
    CHECK(ui_frame_find_label(f, "Agree") == 2);      /* exact beats prefix */
    CHECK(ui_frame_find_label(f, "Strongly") == -2);  /* ambiguous prefix */
    CHECK(ui_frame_find_label(f, "Strongly d") == 1); /* unique prefix */
    CHECK(ui_frame_find_label(f, "Nope") == -1);
    CHECK(f->labels[0].r.w <= 100); /* wrapped into its box */
    CHECK(ui_frame_hit(f, 5, 65) == t2);
    CHECK(ui_frame_hit(f, 5, 55) == -1);
    ui_frame_free(f);
}

static void test_args(void)
{
    KioskArgs a;
    DbError err;
    char *argv1[] = {"k",     "--survey",       "s.json", "--data", "d",        "--recipient",
                     "a.pub", "--recipient",    "b.pub",  "--size", "720x1280", "--rotate",
                     "90",    "--idle-timeout", "30",     "--lang", "de",       "--fullscreen"};
    CHECK(kiosk_args_parse(18, argv1, &a, &err) == DB_OK);
    CHECK(a.n_recipients == 2 && a.w == 720 && a.h == 1280 && a.rotation == 90);
    CHECK(a.idle_timeout_s == 30 && a.fullscreen && strcmp(a.lang, "de") == 0);
    CHECK(!kiosk_args_demo(&a));
    /* The cadence of writes: on by default, off for scripts unless asked for. */
    CHECK(a.commit_interval_ms == KIOSK_COMMIT_INTERVAL_DEFAULT_MS);
    char *argv_s[] = {"k", "--script", "x.script"};
    CHECK(kiosk_args_parse(3, argv_s, &a, &err) == DB_OK && a.commit_interval_ms == 0);
    char *argv_c[] = {"k", "--script", "x.script", "--commit-interval", "1500"};
    CHECK(kiosk_args_parse(5, argv_c, &a, &err) == DB_OK && a.commit_interval_ms == 1500);
    char *argv_b[] = {"k", "--commit-interval", "20000"};
    CHECK(kiosk_args_parse(3, argv_b, &a, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "--commit-interval: commit_interval must be 0..10000 ms");
    char *argv2[] = {"k"};
    CHECK(kiosk_args_parse(1, argv2, &a, &err) == DB_OK && kiosk_args_demo(&a));
    char *argv3[] = {"k", "--rotate", "45"};
    CHECK(kiosk_args_parse(3, argv3, &a, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "--rotate: rotate must be 0, 90, 180 or 270");
    /* A configuration file that cannot be read is a config fault (the service shows it on
     * the out-of-service screen) unless the command line has its own mistake, which is the
     * typist's: that one is reported, and it is no config fault. */
    char *argv_cf[] = {"k", "--config", "/nonexistent/kiosk.conf"};
    CHECK(kiosk_args_parse(3, argv_cf, &a, &err) == DB_EINVAL && a.config_failed);
    char *argv_cfo[] = {"k", "--config", "/nonexistent/kiosk.conf", "--bogus"};
    CHECK(kiosk_args_parse(4, argv_cfo, &a, &err) == DB_EINVAL && !a.config_failed);
    CHECK_STR(err.msg, "unknown option '--bogus'");
    char *argv4[] = {"k", "--survey", "s.json"};
    CHECK(kiosk_args_parse(3, argv4, &a, &err) == DB_EINVAL);
    const char *conf = "# kiosk\nsurvey = /etc/debrief/s.json\ndata=/var/lib/debrief\n"
                       "recipient = /etc/debrief/a.pub\nfullscreen = yes\nsize = 800x480\n";
    memset(&a, 0, sizeof a);
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", conf, strlen(conf), &err) == DB_OK);
    CHECK(a.fullscreen && a.w == 800 && a.n_recipients == 1);
    CHECK_STR(a.data, "/var/lib/debrief");
    const char *bad = "survey = x\nbrightness = 3\n";
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", bad, strlen(bad), &err) == DB_EINVAL);
    CHECK_STR(err.msg, "kiosk.conf:2: unknown setting \"brightness\"");
    /* The finger timings. */
    char *argv_bare[] = {"k"};
    CHECK(kiosk_args_parse(1, argv_bare, &a, &err) == DB_OK);
    CHECK(a.tap_guard_ms == -1 && a.double_tap_ms == -1); /* the kiosk's defaults */
    const char *fingers = "tap_guard_ms = 450\ndouble_tap_ms = 0\n";
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", fingers, strlen(fingers), &err) == DB_OK);
    CHECK(a.tap_guard_ms == 450 && a.double_tap_ms == 0);
    const char *panel = "panel_mm = 73x49\n";
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", panel, strlen(panel), &err) == DB_OK);
    CHECK(a.panel_w_mm == 73 && a.panel_h_mm == 49);
    const char *badpanel = "panel_mm = 7\n";
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", badpanel, strlen(badpanel), &err) ==
          DB_EINVAL);
    CHECK_STR(err.msg, "kiosk.conf:1: panel_mm must be WxH in millimetres (20..3000), e.g. 155x87");
    CHECK(panel_dpi(480, 73) == 167 && panel_dpi(800, 154) == 132 && panel_dpi(0, 10) == 0);
    const char *slow = "tap_guard_ms = 2500\n";
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", slow, strlen(slow), &err) == DB_EINVAL);
    CHECK_STR(err.msg, "kiosk.conf:1: tap_guard_ms must be 0..2000 milliseconds");
    KioskConfig dc;
    kiosk_config_defaults(&dc);
    CHECK(dc.tap_guard_ms == 300 && dc.double_tap_ms == 500);
    /* The admin settings. */
    const char *adm = "pin_hash = $argon2id$v=19$m=65536,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$"
                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nexport_dir = /mnt/usb\n"
                      "min_responses = 7\n";
    memset(&a, 0, sizeof a);
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", adm, strlen(adm), &err) == DB_OK);
    CHECK(strncmp(a.pin_hash, "$argon2id$v=19$m=65536,", 23) == 0);
    CHECK_STR(a.export_dir, "/mnt/usb");
    CHECK(a.min_responses == 7);
    const char *huge =
        "\npin_hash = $argon2id$v=19$m=4194304,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA\n";
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", huge, strlen(huge), &err) == DB_EINVAL);
    CHECK_STR(err.msg, "kiosk.conf:2: PIN hash: cost out of range (at most 128 MiB and 16 "
                       "passes, one lane)");
    const char *notahash = "pin_hash = 1234\n";
    CHECK(kiosk_args_apply_config(&a, "kiosk.conf", notahash, strlen(notahash), &err) == DB_EINVAL);
    CHECK_STR(err.msg, "kiosk.conf:1: PIN hash: not an Argon2id hash string (expected "
                       "$argon2id$v=19$m=...)");
    char *argv5[] = {"k", "--set-pin", "--data", "d", "--pin-file", "p"};
    CHECK(kiosk_args_parse(6, argv5, &a, &err) == DB_OK && a.set_pin);
    CHECK_STR(a.pin_file, "p");
    char *argv6[] = {"k", "--set-pin"};
    CHECK(kiosk_args_parse(2, argv6, &a, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "--set-pin needs the data directory (--data DIR, or --config FILE with "
                       "data = DIR)");
    char *argv7[] = {"k", "--pin-file", "p"};
    CHECK(kiosk_args_parse(3, argv7, &a, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "--pin-file goes with --set-pin or --pin-recipients");
    char *argv8[] = {"k", "--pin-recipients", "--data", "d"};
    CHECK(kiosk_args_parse(4, argv8, &a, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "--pin-recipients needs the data directory and the analyst keys "
                       "(--config FILE, or --data DIR and --recipient PUBKEY)");
    char *argv9[] = {"k", "--pin-recipients", "--data", "d", "--recipient", "r", "--pin-file",
                     "p"};
    CHECK(kiosk_args_parse(8, argv9, &a, &err) == DB_OK && a.pin_recipients);
}

/* ---- the coordinator's admin screen ---- */

static KeyKdfParams fast;

static void test_pin_hash(void)
{
    char h[PIN_HASH_MAX];
    DbError err;
    CHECK(pin_hash_params("4711", 4, fast.opslimit, fast.memlimit, h, &err) == DB_OK);
    CHECK(strncmp(h, "$argon2id$v=19$m=8,t=1,p=1$", 27) == 0);
    CHECK(pin_hash_check(h, &err) == DB_OK);
    CHECK(pin_verify(h, "4711", 4) == 0);
    CHECK(pin_verify(h, "4712", 4) == -1);
    CHECK(pin_verify(h, "47110", 5) == -1);
    CHECK(pin_verify(h, "4711", 3) == -1); /* "471" */
    char h2[PIN_HASH_MAX];
    CHECK(pin_hash_params("4711", 4, fast.opslimit, fast.memlimit, h2, &err) == DB_OK);
    CHECK(strcmp(h, h2) != 0); /* a fresh salt every time */
    const char *badpins[] = {"123", "1234567890123", "12a4", "12 34", ""};
    for (size_t i = 0; i < sizeof badpins / sizeof badpins[0]; i++) {
        CHECK(pin_hash_params(badpins[i], strlen(badpins[i]), fast.opslimit, fast.memlimit, h2,
                              &err) == DB_EINVAL);
        CHECK_STR(err.msg, "the PIN must be 4 to 12 digits");
    }
    CHECK(pin_check_format("123456789012", 12, &err) == DB_OK);
    /* Tampered or hostile hash strings: refused before Argon2 runs. */
    char t[PIN_HASH_MAX];
    snprintf(t, sizeof t, "%s", h);
    t[strlen(t) - 2] ^= 1;
    CHECK(pin_verify(t, "4711", 4) == -1);
    CHECK(pin_hash_check("$argon2i$v=19$m=8,t=1,p=1$AAAA$AAAA", &err) == DB_EFORMAT);
    CHECK(pin_hash_check("$argon2id$v=16$m=8,t=1,p=1$AAAA$AAAA", &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "PIN hash: unsupported Argon2 version 16");
    CHECK(pin_hash_check("$argon2id$v=19$m=8,t=1,p=4$AAAA$AAAA", &err) == DB_EFORMAT);
    CHECK(pin_hash_check("$argon2id$v=19$m=8,t=99,p=1$AAAA$AAAA", &err) == DB_EFORMAT);
    CHECK(pin_hash_check("$argon2id$v=19$m=8,t=1,p=1$AAAA", &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "PIN hash: salt or hash missing");
    CHECK(pin_hash_check("$argon2id$v=19$m=8,t=1,p=1$AA%A$AAAA", &err) == DB_EFORMAT);
    CHECK(pin_verify("$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "4711", 4) == -1);
    /* The real cost: Argon2id, 128 MiB, 2 passes; a hash of the old cost is not current. */
    CHECK(pin_hash("20261126", 8, h, &err) == DB_EINVAL); /* a date */
    CHECK(pin_hash("40271869", 8, h, &err) == DB_OK);
    CHECK(strncmp(h, "$argon2id$v=19$m=131072,t=2,p=1$", 32) == 0);
    CHECK(pin_verify(h, "40271869", 8) == 0);
    CHECK(pin_hash_current(h) && !pin_hash_current(h2));
    CHECK(!pin_hash_current("$argon2id$v=19$m=65536,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$"
                            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    /* A PIN set before 0.3 (4 digits, the old cost) is still accepted when entered. */
    CHECK(pin_hash_params("4711", 4, 2, (uint64_t)64 << 20, h, &err) == DB_OK);
    CHECK(pin_verify(h, "4711", 4) == 0 && !pin_hash_current(h));
}

/* Issue 15: a new PIN has 6 to 12 digits and none of the first ones a guesser tries. */
static void test_pin_policy(void)
{
    DbError err;
    const char *fine[] = {"246813", "204816", "9173524", "40271869", "731946285012", "103958"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        int rc = pin_check_new(fine[i], strlen(fine[i]), &err);
        if (rc != DB_OK)
            fprintf(stderr, "  %s: %s\n", fine[i], err.msg);
        CHECK(rc == DB_OK);
    }
    struct {
        const char *pin, *why;
    } bad[] = {
        {"0000", "a new PIN must be 6 to 12 digits"},
        {"1234", "a new PIN must be 6 to 12 digits"},
        {"97531", "a new PIN must be 6 to 12 digits"},
        {"1234567890123", "a new PIN must be 6 to 12 digits"},
        {"12345a", "a new PIN must be 6 to 12 digits"},
        {"000000", "one digit repeated or a run"},
        {"999999999999", "one digit repeated or a run"},
        {"123456", "one digit repeated or a run"},
        {"654321", "one digit repeated or a run"},
        {"890123", "one digit repeated or a run"}, /* wrapping round */
        {"135791", "one digit repeated or a run"},
        {"97531975", "one digit repeated or a run"},
        {"123123", "a group of digits repeated"},
        {"871871", "a group of digits repeated"},
        {"121212", "a group of digits repeated"},
        {"12341234", "a group of digits repeated"},
        {"123321", "a mirror image"},
        {"1234554321", "a mirror image"},
        {"19850412", "a date"},                     /* YYYYMMDD */
        {"12041985", "a date"},                     /* DDMMYYYY */
        {"04121985", "a date"},                     /* MMDDYYYY */
        {"120485", "a date"},                       /* DDMMYY */
        {"041285", "a date"},                       /* MMDDYY (and DDMMYY) */
        {"850412", "a date"},                       /* YYMMDD */
        {"290204", "a date"},                       /* 29 February, a two-digit year */
        {"198504", "a date"},                       /* YYYYMM */
        {"041985", "a date"},                       /* MMYYYY */
        {"20000229", "a date"},                     /* a leap day */
        {"147258", "straight lines on the keypad"}, /* two columns */
        {"789456", "straight lines on the keypad"}, /* two rows */
        {"159357", "straight lines on the keypad"}, /* the diagonals */
        {"963741", "straight lines on the keypad"}, /* backwards */
        {"258085", "straight lines on the keypad"}, /* down to 0 and up */
        {"147369852", "straight lines on the keypad"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = pin_check_new(bad[i].pin, strlen(bad[i].pin), &err);
        CHECK(rc == DB_EINVAL);
        if (rc != DB_EINVAL || !strstr(err.msg, bad[i].why))
            fprintf(stderr, "  %s: %s\n", bad[i].pin, rc == DB_OK ? "accepted" : err.msg);
        CHECK(rc == DB_EINVAL && strstr(err.msg, bad[i].why) != NULL);
    }
    /* The message names the rule, never the PIN: the same for every PIN it refuses. */
    char first[DBERR_MSG_MAX];
    CHECK(pin_check_new("871871", 6, &err) == DB_EINVAL);
    snprintf(first, sizeof first, "%s", err.msg);
    CHECK(pin_check_new("454454", 6, &err) == DB_EINVAL);
    CHECK_STR(err.msg, first);
    CHECK(strstr(first, "871871") == NULL);
    CHECK(pin_check_new("19000229", 8, &err) == DB_OK); /* 1900 had no 29 February */
    CHECK(pin_check_new("31041985", 8, &err) == DB_OK); /* nor April a 31st */
    CHECK(pin_check_new("147250", 6, &err) == DB_OK);   /* one line of the keypad is no pattern */
    CHECK(pin_check_new("123456", 6, &err) == DB_EINVAL);
    CHECK_STR(err.msg, "that PIN is too easy to guess: it is one digit repeated or a run (like "
                       "111111, 123456 or 135791); choose 6 to 12 digits without a pattern");
    char h[PIN_HASH_MAX];
    CHECK(pin_hash("123456", 6, h, &err) == DB_EINVAL && h[0] == '\0');
}

typedef struct FakeAdmin {
    KioskAdminStatus st;
    int opened, closed, exports, forced, acks, keys_confirmed;
    char label[SESSION_LABEL_MAX + 1], date[SESSION_DATE_LEN + 1];
    int expected;
    int held; /* sessions the fake export holds back */
    int pin_fails, pin_saves; /* what a store would keep across restarts */
    const char *open_refused; /* set: opening a session fails with this message */
} FakeAdmin;

static int fa_pin_load(void *ctx)
{
    return ((FakeAdmin *)ctx)->pin_fails;
}
static void fa_pin_save(void *ctx, int fails)
{
    FakeAdmin *fa = ctx;
    fa->pin_fails = fails;
    fa->pin_saves++;
}

static void fa_status(void *ctx, const AdminWords *aw, KioskAdminStatus *st)
{
    (void)aw;
    *st = ((FakeAdmin *)ctx)->st;
}
static int fa_open(void *ctx, const char *label, const char *date, int expected, DbError *err)
{
    FakeAdmin *fa = ctx;
    if (fa->open_refused)
        return dberr_set(err, DB_ELIMIT, "%s", fa->open_refused);
    fa->opened++;
    snprintf(fa->label, sizeof fa->label, "%s", label);
    snprintf(fa->date, sizeof fa->date, "%s", date);
    fa->expected = expected;
    fa->st.session_open = 1;
    snprintf(fa->st.label, sizeof fa->st.label, "%s", label);
    snprintf(fa->st.date, sizeof fa->st.date, "%s", date);
    fa->st.expected = expected;
    return DB_OK;
}
static int fa_close(void *ctx, DbError *err)
{
    FakeAdmin *fa = ctx;
    (void)err;
    fa->closed++;
    fa->st.session_open = 0;
    return DB_OK;
}
static int fa_export(void *ctx, const AdminWords *aw, int force, char *msg, size_t cap,
                     int *held)
{
    (void)aw;
    FakeAdmin *fa = ctx;
    fa->exports++;
    fa->forced += force;
    *held = force ? 0 : fa->held;
    snprintf(msg, cap, "%s",
             *held ? "Held back: \u201cGroup 4\u201d has 3 responses, fewer than 5."
                   : "Wrote debrief-XXXX-XXXX-batch-000001.dbb");
    return DB_OK;
}
static int fa_ack(void *ctx, const AdminWords *aw, char *msg, size_t cap)
{
    (void)aw;
    ((FakeAdmin *)ctx)->acks++;
    snprintf(msg, cap, "ack-1.dba: deleted 5 responses of 1 batch");
    return DB_OK;
}

static int fa_confirm_keys(void *ctx, const AdminWords *aw, char *msg, size_t cap)
{
    (void)aw;
    FakeAdmin *fa = ctx;
    fa->keys_confirmed++;
    for (int i = 0; i < fa->st.n_unconfirmed; i++)
        snprintf(fa->st.recipient_fp[i], KIOSK_FP_SIZE, "%s", fa->st.unconfirmed_fp[i]);
    fa->st.n_recipients = fa->st.n_unconfirmed;
    fa->st.n_unconfirmed = 0;
    snprintf(msg, cap, "Answers are sealed to %s from now on.", fa->st.recipient_fp[0]);
    return DB_OK;
}

static void fake_admin_init(FakeAdmin *fa)
{
    memset(fa, 0, sizeof *fa);
    fa->st.free_bytes = 12345678901LL;
    snprintf(fa->st.today, sizeof fa->st.today, "2026-12-30");
    snprintf(fa->st.kiosk_fp, sizeof fa->st.kiosk_fp, "K7QF-2M9D-XR4A-PL3Z");
    fa->st.n_recipients = 2;
    snprintf(fa->st.recipient_fp[0], KIOSK_FP_SIZE, "AAAA-BBBB-CCCC-DDDD");
    snprintf(fa->st.recipient_fp[1], KIOSK_FP_SIZE, "EEEE-FFFF-GGGG-HHHH");
    fa->st.unexported = 12;
    fa->st.unacknowledged = 30;
    snprintf(fa->st.keys_change, sizeof fa->st.keys_change,
             "Analyst keys 2026-12-01: pinned at the first start: AAAA-BBBB-CCCC-DDDD, "
             "EEEE-FFFF-GGGG-HHHH");
}

static char pin_1234[PIN_HASH_MAX];

/* A kiosk with the team survey, a PIN ("1234" unless no_pin) and the fake operations. */
static Kiosk *admin_kiosk(FakeAdmin *fa, FakeStore *fs, int no_pin)
{
    KioskConfig c;
    flow_config(&c);
    c.pin_hash = no_pin ? NULL : pin_1234;
    Kiosk *k = NULL;
    DbError err;
    CHECK(kiosk_new(team, &c, 0, fake_submit, fs, kfonts_measure(fonts), &k, &err) == DB_OK);
    KioskAdminOps ops = {fa,   fa_status, fa_open, fa_close, fa_export,      fa_ack, NULL,
                         NULL, NULL,      NULL,    NULL,     fa_confirm_keys};
    kiosk_set_admin(k, &ops);
    kiosk_tick(k, 1000);
    kiosk_frame(k, W, H);
    return k;
}

static uint64_t now_ms = 1000;

static void advance(Kiosk *k, uint64_t ms)
{
    now_ms += ms;
    kiosk_tick(k, now_ms);
}

/* Holds a finger at (x, y) for ms, then lifts it. */
static void hold(Kiosk *k, int x, int y, uint64_t ms)
{
    kiosk_press(k, x, y);
    advance(k, ms);
    kiosk_release(k, x, y);
}

/* Opens the admin screen from the attract screen: the 3-second hold, PIN 1234 typed. */
static void enter_admin(Kiosk *k)
{
    hold(k, 10, 10, 3000);
    kiosk_text(k, "1234");
    kiosk_key(k, KK_ENTER);
}

static void enter_pin(Kiosk *k, const char *digits)
{
    for (const char *p = digits; *p; p++) {
        char lab[2] = {*p, 0};
        tap(k, lab);
    }
    tap(k, "OK");
}

/* A restart (power cut, crash, systemd) must not lift a lockout: the count of wrong PINs is
 * saved before the lock starts and restored, locking again from the moment of the restart. */
/* The kiosk as it starts (PIN 1234, the fake operations): its clock runs from now, then the
 * admin operations (and the saved count of wrong PINs) are set. */
static Kiosk *started_kiosk(FakeStore *fs, const KioskAdminOps *ops, uint64_t now)
{
    KioskConfig c;
    flow_config(&c);
    c.pin_hash = pin_1234;
    Kiosk *k = NULL;
    DbError err;
    CHECK(kiosk_new(team, &c, 0, fake_submit, fs, kfonts_measure(fonts), &k, &err) == DB_OK);
    now_ms = now;
    kiosk_tick(k, now_ms);
    kiosk_set_admin(k, ops);
    return k;
}

static void test_pin_lockout_survives_restart(void)
{
    FakeAdmin fa;
    FakeStore fs = {0};
    fake_admin_init(&fa);
    KioskAdminOps ops = {&fa,   fa_status, fa_open,     fa_close,    fa_export, fa_ack,
                         fa_pin_load, fa_pin_save, NULL, NULL, NULL, NULL};
    Kiosk *k = started_kiosk(&fs, &ops, 1000);
    CHECK(kiosk_pin_failures(k) == 0 && kiosk_pin_locked_ms(k) == 0);
    kiosk_frame(k, W, H);
    hold(k, 10, 10, 3000);
    enter_pin(k, "0000");
    CHECK(fa.pin_fails == 1 && fa.pin_saves == 1);
    enter_pin(k, "1111");
    enter_pin(k, "2222");
    CHECK(fa.pin_fails == 3 && kiosk_pin_locked_ms(k) == 30000);
    kiosk_free(k);

    /* "Restart" 5 s later, mid-lockout: locked again, for the full 30 s from now. */
    k = started_kiosk(&fs, &ops, 5000);
    CHECK(kiosk_pin_failures(k) == 3 && kiosk_pin_locked_ms(k) == 30000);
    kiosk_frame(k, W, H);
    hold(k, 10, 10, 3000);
    CHECK(kiosk_screen(k) == KS_PIN);
    CHECK(visible(k, "Too many wrong PINs."));
    enter_pin(k, "1234"); /* not taken while locked */
    CHECK(kiosk_screen(k) == KS_PIN);
    advance(k, 27000);
    enter_pin(k, "3333"); /* the fourth: 60 s, saved */
    CHECK(fa.pin_fails == 4 && kiosk_pin_locked_ms(k) == 60000);
    kiosk_free(k);

    k = started_kiosk(&fs, &ops, 100000);
    CHECK(kiosk_pin_locked_ms(k) == 60000);
    kiosk_frame(k, W, H);
    advance(k, 60000);
    hold(k, 10, 10, 3000);
    int saves = fa.pin_saves;
    enter_pin(k, "1234"); /* the right one: the count goes back to 0, saved */
    CHECK(kiosk_screen(k) == KS_ADMIN);
    CHECK(fa.pin_fails == 0 && fa.pin_saves == saves + 1);
    kiosk_free(k);

    /* The kiosk itself restores the count before its first tick (its clock is not running
     * yet): the lock runs from the first tick's time, not from 0. */
    fa.pin_fails = 3;
    KioskConfig c;
    flow_config(&c);
    c.pin_hash = pin_1234;
    DbError err;
    CHECK(kiosk_new(team, &c, 0, fake_submit, &fs, kfonts_measure(fonts), &k, &err) == DB_OK);
    kiosk_set_admin(k, &ops);
    kiosk_tick(k, 500000);
    CHECK(kiosk_pin_failures(k) == 3 && kiosk_pin_locked_ms(k) == 30000);
    kiosk_free(k);
    /* A count that cannot be read locks as a first lockout does. */
    fa.pin_fails = -1;
    k = started_kiosk(&fs, &ops, 1000);
    CHECK(kiosk_pin_failures(k) == 3 && kiosk_pin_locked_ms(k) == 30000);
    kiosk_free(k);

    /* Without the optional operations nothing is kept (and nothing breaks). */
    FakeAdmin fb;
    fake_admin_init(&fb);
    fb.pin_fails = 7;
    Kiosk *k2 = admin_kiosk(&fb, &fs, 0);
    CHECK(kiosk_pin_failures(k2) == 0 && kiosk_pin_locked_ms(k2) == 0);
    kiosk_free(k2);
}

/* Every visible label, joined: what a participant could see. */
static void screen_text(Kiosk *k, char *out, size_t cap)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < f->n_labels && n + 1 < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s|", ui_label_text(f, i));
}

static void test_admin_gesture(void)
{
    FakeAdmin fa;
    FakeStore fs = {0};
    fake_admin_init(&fa);
    now_ms = 1000;
    Kiosk *k = admin_kiosk(&fa, &fs, 0);
    UiRect c = kiosk_admin_corner(k);
    CHECK(c.x == 0 && c.y == 0 && c.w >= UI_MIN_TARGET && c.w <= W / 6);
    char before[4096], after[4096];
    screen_text(k, before, sizeof before);
    /* An ordinary tap in the corner does nothing: no survey begins, no PIN pad. */
    kiosk_press(k, 10, 10);
    CHECK(kiosk_release(k, 10, 10) == 1);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    /* Held for just under the time: nothing either. */
    hold(k, 10, 10, 2999);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    screen_text(k, after, sizeof after);
    CHECK_STR(after, before); /* and nothing on screen hints at it */
    /* Held elsewhere for long: an ordinary tap there (the survey begins). */
    const UiFrame *f = kiosk_frame(k, W, H);
    int li = ui_frame_find_label(f, "Tap to begin");
    CHECK(li >= 0);
    hold(k, f->labels[li].r.x + 5, f->labels[li].r.y + 5, 5000);
    CHECK(kiosk_screen(k) == KS_QUESTION);
    tap(k, "Back");
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    /* The long press: the PIN pad opens while the finger is still down, and lifting the
     * finger does not type anything. */
    kiosk_press(k, 10, 10);
    CHECK(kiosk_next_timer(k) == 3000);
    advance(k, 3000);
    CHECK(kiosk_screen(k) == KS_PIN);
    CHECK(visible(k, "Coordinator PIN"));
    CHECK(visible(k, "Enter the PIN"));
    kiosk_release(k, 10, 10);
    CHECK(visible(k, "Enter the PIN"));
    Kiosk *ki = k;
    CHECK(((struct Kiosk *)ki)->pin_len == 0);
    CHECK(check_layout(k, "PIN pad") == 0);
    /* Cancel goes back. */
    tap(k, "Cancel");
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    /* Not collecting: the attract screen has no targets, the corner still works. */
    kiosk_set_availability(k, KA_NO_SESSION);
    hold(k, 5, 5, 3000);
    CHECK(kiosk_screen(k) == KS_PIN);
    kiosk_free(k);

    /* No PIN set: the long press does nothing and the screen is the same. */
    fake_admin_init(&fa);
    k = admin_kiosk(&fa, &fs, 1);
    screen_text(k, before, sizeof before);
    hold(k, 10, 10, 10000);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    screen_text(k, after, sizeof after);
    CHECK_STR(after, before);
    kiosk_free(k);
}

static void test_pin_rate_limit(void)
{
    FakeAdmin fa;
    FakeStore fs = {0};
    fake_admin_init(&fa);
    now_ms = 1000;
    Kiosk *k = admin_kiosk(&fa, &fs, 0);
    struct Kiosk *in = k;
    hold(k, 10, 10, 3000);
    CHECK(kiosk_screen(k) == KS_PIN);
    tap(k, "1");
    tap(k, "2");
    CHECK(in->pin_len == 2 && memcmp(in->pin, "12", 2) == 0);
    CHECK(visible(k, "\xE2\x97\x8F\xE2\x97\x8F")); /* two dots, no digits */
    CHECK(!visible(k, "12"));
    tap(k, "OK");
    CHECK(visible(k, "The PIN has at least 4 digits."));
    CHECK(kiosk_pin_failures(k) == 0);
    tap(k, "\xE2\x8C\xAB"); /* backspace */
    CHECK(in->pin_len == 1);
    kiosk_text(k, "9x9"); /* a physical keyboard: digits only */
    CHECK(in->pin_len == 3 && memcmp(in->pin, "199", 3) == 0);
    kiosk_key(k, KK_BACKSPACE);
    kiosk_key(k, KK_BACKSPACE);
    kiosk_key(k, KK_BACKSPACE);
    CHECK(in->pin_len == 0);
    /* Wrong three times: locked for 30 s. */
    enter_pin(k, "0000");
    CHECK(kiosk_pin_failures(k) == 1 && kiosk_pin_locked_ms(k) == 0);
    CHECK(visible(k, "Wrong PIN. 2 more tries before a pause."));
    CHECK(in->pin_len == 0 && in->pin[0] == 0 && in->pin[3] == 0); /* wiped */
    enter_pin(k, "1235");
    enter_pin(k, "4321");
    CHECK(kiosk_pin_failures(k) == 3);
    CHECK(kiosk_pin_locked_ms(k) == 30000);
    CHECK(visible(k, "Too many wrong PINs. Try again in 30 s."));
    CHECK(kiosk_next_timer(k) == 1000);
    /* While locked, even the right PIN is not taken. */
    enter_pin(k, "1234");
    CHECK(kiosk_screen(k) == KS_PIN && in->pin_len == 0);
    advance(k, 10500);
    CHECK(visible(k, "Try again in 20 s."));
    CHECK(kiosk_next_timer(k) == 500);
    advance(k, 19500);
    CHECK(kiosk_pin_locked_ms(k) == 0);
    CHECK(!visible(k, "Try again"));
    /* One more wrong: 60 s (doubling). */
    enter_pin(k, "9999");
    CHECK(kiosk_pin_failures(k) == 4 && kiosk_pin_locked_ms(k) == 60000);
    CHECK(visible(k, "Try again in 60 s."));
    advance(k, 60000);
    /* Leaving the pad does not reset the lockout count. */
    tap(k, "Cancel");
    hold(k, 10, 10, 3000);
    enter_pin(k, "8888");
    CHECK(kiosk_pin_failures(k) == 5 && kiosk_pin_locked_ms(k) == 120000);
    advance(k, 60000);
    tap(k, "Cancel"); /* the admin timeout is longer than the lock: input keeps it open */
    hold(k, 10, 10, 3000);
    advance(k, 60000);
    CHECK(kiosk_screen(k) == KS_PIN);
    CHECK(kiosk_pin_locked_ms(k) == 0);
    /* The right PIN opens the admin screen and resets the count. */
    enter_pin(k, "1234");
    CHECK(kiosk_screen(k) == KS_ADMIN);
    CHECK(kiosk_pin_failures(k) == 0);
    CHECK(in->pin_len == 0 && in->pin[0] == 0);
    kiosk_free(k);
}

/* The admin screen (PIN 1234) of a fresh kiosk with the fake operations, the clock's date
 * today, on the open-session form with the preset "Group 2" chosen. */
static Kiosk *open_form(FakeAdmin *fa, FakeStore *fs, const char *today)
{
    fake_admin_init(fa);
    snprintf(fa->st.today, sizeof fa->st.today, "%s", today);
    now_ms = 1000;
    Kiosk *k = admin_kiosk(fa, fs, 0);
    enter_admin(k);
    tap(k, "Open session");
    tap(k, "Group 2");
    return k;
}

/* The label keyboard answers session_cases.h's labels as every other entry point does
 * (test_session_fields): a session is opened with the label as typed exactly when the rule
 * (session_fields.h) accepts it. The keyboard never takes in a control character or broken
 * UTF-8 (it drops them as they are typed; SDL never sends them) and stops at 64 characters,
 * so such a label can only become another, shorter one; a label the rule refuses once typed
 * (33 accented letters: 66 bytes) is not taken, says why, and the previous choice stays.
 * The date is the clock's, moved by days: across 28 February it lands on real days. */
static void test_session_label_cases(void)
{
    for (size_t i = 0; i < SESSION_N_CASES; i++) {
        const SessionCase *c = &session_cases[i];
        if (c->field != SC_LABEL)
            continue;
        FakeAdmin fa;
        FakeStore fs = {0};
        Kiosk *k = open_form(&fa, &fs, "2026-12-30");
        tap(k, "Other\xE2\x80\xA6");
        kiosk_text(k, c->value);
        kiosk_key(k, KK_ENTER);
        CHECK(kiosk_screen(k) == KS_ADMIN_OPEN);
        size_t n = strlen(c->value), chars = 0;
        int typeable = n > 0 && utf8_check(c->value, n, false, &chars) == UTF8_OK && chars <= 64;
        if (typeable && !c->ok) /* (an empty label keeps the previous choice, quietly) */
            CHECK(visible(k, "Label not taken"));
        tap(k, "Open session");
        int as_typed = fa.opened == 1 && strcmp(fa.label, c->value) == 0;
        CHECK(as_typed == c->ok);
        if (as_typed != c->ok)
            fprintf(stderr, "  label case %zu: the kiosk %s it\n", i,
                    as_typed ? "took" : "did not take");
        CHECK(fa.opened == 1 && session_label_check(fa.label, strlen(fa.label), NULL) == DB_OK);
        kiosk_free(k);
    }
    static const char *const days[][2] = {
        {"2024-02-28", "2024-02-29"}, {"2100-02-28", "2100-03-01"}, {"2000-02-28", "2000-02-29"}};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        FakeAdmin fa;
        FakeStore fs = {0};
        Kiosk *k = open_form(&fa, &fs, days[i][0]);
        tap(k, "+1 day");
        tap(k, "Open session");
        CHECK(fa.opened == 1);
        CHECK_STR(fa.date, days[i][1]);
        kiosk_free(k);
    }
}

/* A Pi has no real-time clock: its clock may say 1970. The date a session starts from is then
 * the latest session's (or this version's), the form says why, and the month and year steps
 * reach any date in a few taps (issue 18). */
static void test_admin_date_without_clock(void)
{
    char out[SESSION_DATE_LEN + 1], doubt[SESSION_DATE_LEN + 1];
    kiosk_admin_propose_date("1970-01-02", "", out, doubt);
    CHECK(strcmp(out, "2026-01-01") >= 0 && strcmp(out, "2100-01-01") < 0);
    CHECK_STR(doubt, "1970-01-02");
    kiosk_admin_propose_date("1970-01-02", "2031-05-17", out, doubt);
    CHECK_STR(out, "2031-05-17");
    CHECK_STR(doubt, "1970-01-02");
    kiosk_admin_propose_date("2032-03-04", "2031-05-17", out, doubt);
    CHECK_STR(out, "2032-03-04");
    CHECK_STR(doubt, "");

    FakeAdmin fa;
    FakeStore fs = {0};
    Kiosk *k = open_form(&fa, &fs, "2031-05-17");
    snprintf(fa.st.clock_date, sizeof fa.st.clock_date, "1970-01-02");
    tap(k, "Cancel"); /* the status is read again on the way in */
    tap(k, "Open session");
    tap(k, "Group 2");
    CHECK(visible(k, "The clock says 1970-01-02: check the date."));
    CHECK(check_layout(k, "date form, wrong clock") == 0);
    /* 2031-05-17 to 2029-12-31: two years back, seven months on, fourteen days on. */
    tap(k, "2031");
    tap(k, "-1 year");
    tap(k, "-1 year");
    tap(k, "May");
    for (int i = 0; i < 7; i++)
        tap(k, "+1 month");
    CHECK(visible(k, "Dec") && visible(k, "2029"));
    tap(k, "Mon 17");
    for (int i = 0; i < 14; i++)
        tap(k, "+1 day");
    tap(k, "Open session");
    CHECK(fa.opened == 1);
    CHECK_STR(fa.date, "2029-12-31");
    kiosk_free(k);
    /* A month step keeps the day, or the month's last: 31 Jan + 1 month is 28 Feb (2030). */
    k = open_form(&fa, &fs, "2030-01-31");
    tap(k, "Jan");
    tap(k, "+1 month");
    tap(k, "Open session");
    CHECK_STR(fa.date, "2030-02-28");
    kiosk_free(k);
}

static void test_admin_screens(void)
{
    FakeAdmin fa;
    FakeStore fs = {0};
    fake_admin_init(&fa);
    now_ms = 1000;
    Kiosk *k = admin_kiosk(&fa, &fs, 0);
    enter_admin(k);
    CHECK(kiosk_screen(k) == KS_ADMIN);
    CHECK(visible(k, "none open: the kiosk is not collecting"));
    CHECK(visible(k, "12 responses"));
    CHECK(visible(k, "30 responses (exported, still held)"));
    CHECK(visible(k, "12 GB"));
    CHECK(visible(k, "K7QF-2M9D-XR4A-PL3Z"));
    CHECK(visible(k, "AAAA-BBBB-CCCC-DDDD, EEEE-FFFF-GGGG-HHHH"));
    CHECK(visible(k, "Analyst keys 2026-12-01: pinned at the first start"));
    CHECK(visible(k, "Open session"));
    /* PIN 1234 is from before 0.3: accepted, and the coordinator is told to replace it. */
    CHECK(visible(k, "Weak PIN: have a new one set (debrief-kiosk --set-pin)."));
    /* Open a session: a preset, the date two days on (over the year's end), 3 expected. */
    tap(k, "Open session");
    CHECK(kiosk_screen(k) == KS_ADMIN_OPEN);
    CHECK(visible(k, "Wed 30") && visible(k, "Dec") && visible(k, "2026"));
    tap(k, "Open session"); /* no label yet */
    CHECK(fa.opened == 0);
    CHECK(visible(k, "Choose a label first."));
    tap(k, "Group 2");
    tap(k, "+1 day");
    tap(k, "+1 day");
    CHECK(visible(k, "Fri 1") && visible(k, "Jan") && visible(k, "2027"));
    tap(k, "-1");
    CHECK(visible(k, "no limit"));
    tap(k, "+1");
    tap(k, "+1");
    tap(k, "+1");
    CHECK(visible(k, "3 people"));
    tap(k, "Open session");
    CHECK(fa.opened == 1);
    CHECK_STR(fa.label, "Group 2");
    CHECK_STR(fa.date, "2027-01-01");
    CHECK(fa.expected == 3);
    CHECK(kiosk_screen(k) == KS_ADMIN);
    CHECK(visible(k, "Group 2 \xC2\xB7 2027-01-01 \xC2\xB7 0 of 3 responses"));
    /* Close it (behind a confirmation). */
    tap(k, "Close session");
    CHECK(kiosk_screen(k) == KS_ADMIN_CONFIRM);
    CHECK(check_layout(k, "confirm close") == 0);
    tap(k, "Cancel");
    CHECK(kiosk_screen(k) == KS_ADMIN && fa.closed == 0);
    tap(k, "Close session");
    tap(k, "Close session");
    CHECK(fa.closed == 1);
    CHECK(visible(k, "Session closed"));
    tap(k, "Back");
    /* A typed label. */
    tap(k, "Open session");
    tap(k, "Other\xE2\x80\xA6");
    CHECK(kiosk_screen(k) == KS_ADMIN_LABEL);
    CHECK(check_layout(k, "label keyboard") == 0);
    tap(k, "E"); /* the keyboard starts shifted */
    kiosk_text(k, "vening ");
    kiosk_key(k, KK_ENTER);
    CHECK(kiosk_screen(k) == KS_ADMIN_OPEN);
    CHECK(visible(k, "Evening"));
    tap(k, "-1 day");
    tap(k, "Open session");
    CHECK_STR(fa.label, "Evening");
    CHECK_STR(fa.date, "2026-12-29");
    CHECK(fa.expected == 0);
    /* Export: sessions held back, then forced behind a confirmation. */
    fa.held = 1;
    tap(k, "Export");
    CHECK(kiosk_screen(k) == KS_ADMIN_RESULT);
    CHECK(visible(k, "Held back"));
    CHECK(check_layout(k, "export result") == 0);
    tap(k, "Export anyway\xE2\x80\xA6");
    CHECK(kiosk_screen(k) == KS_ADMIN_CONFIRM);
    CHECK(visible(k, "could be recognised"));
    tap(k, "Export anyway");
    CHECK(fa.exports == 2 && fa.forced == 1);
    CHECK(visible(k, "Wrote debrief-XXXX-XXXX-batch-000001.dbb"));
    CHECK(!visible(k, "Export anyway"));
    tap(k, "Back");
    tap(k, "Apply acknowledgement");
    CHECK(fa.acks == 1 && visible(k, "deleted 5 responses"));
    tap(k, "Back");
    tap(k, "Exit");
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    kiosk_free(k);
}

/* A session that cannot be opened says why in full, at every size: the store's longest
 * refusal (its most responses) once overlapped the buttons of the form at 480x320. */
static void test_admin_open_refused(void)
{
    int w0 = W, h0 = H;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        W = sizes[si][0];
        H = sizes[si][1];
        FakeAdmin fa;
        FakeStore fs = {0};
        fake_admin_init(&fa);
        fa.open_refused = "no room for the session's responses: this kiosk stores 65536 "
                          "responses and keeps room for at most 65536: export them and have the "
                          "analyst's acknowledgement applied, which frees their room";
        now_ms = 1000;
        Kiosk *k = admin_kiosk(&fa, &fs, 0);
        enter_admin(k);
        tap(k, "Open session");
        tap(k, "Group 2");
        tap(k, "Open session");
        CHECK(fa.opened == 0);
        CHECK(visible(k, "Not opened: no room for the session"));
        CHECK(check_layout(k, "session not opened") == 0);
        tap(k, "Back");
        CHECK(kiosk_screen(k) == KS_ADMIN);
        kiosk_free(k);
    }
    W = w0;
    H = h0;
}

/* Issue 15: configured analyst keys that are not the pinned ones: out of service, shown with
 * both sets of fingerprints, and confirmed behind a confirmation. */
static void test_admin_keys_changed(void)
{
    FakeAdmin fa;
    FakeStore fs = {0};
    fake_admin_init(&fa);
    fa.st.n_unconfirmed = 1;
    snprintf(fa.st.unconfirmed_fp[0], KIOSK_FP_SIZE, "ZZZZ-YYYY-XXXX-WWWW");
    now_ms = 1000;
    Kiosk *k = admin_kiosk(&fa, &fs, 0);
    kiosk_set_availability(k, KA_KEYS_CHANGED);
    kiosk_frame(k, W, H);
    CHECK(visible(k, "out of service") || visible(k, "Out of service"));
    CHECK(!visible(k, "Tap to begin"));
    hold(k, 10, 10, 3000);
    enter_pin(k, "1234");
    CHECK(kiosk_screen(k) == KS_ADMIN);
    CHECK(visible(k, "AAAA-BBBB-CCCC-DDDD, EEEE-FFFF-GGGG-HHHH"));
    CHECK(visible(k, "ZZZZ-YYYY-XXXX-WWWW (not confirmed: not collecting)"));
    CHECK(!visible(k, "Open session"));
    CHECK(kiosk_availability(k) == KA_KEYS_CHANGED);
    tap(k, "Confirm keys\xE2\x80\xA6");
    CHECK(kiosk_screen(k) == KS_ADMIN_CONFIRM);
    CHECK(visible(k, "ZZZZ-YYYY-XXXX-WWWW (until now: AAAA-BBBB-CCCC-DDDD, EEEE-FFFF-GGGG-HHHH)"));
    CHECK(check_layout(k, "confirm keys") == 0);
    tap(k, "Cancel");
    CHECK(kiosk_screen(k) == KS_ADMIN && fa.keys_confirmed == 0);
    tap(k, "Confirm keys\xE2\x80\xA6");
    tap(k, "Use these keys");
    CHECK(fa.keys_confirmed == 1);
    CHECK(kiosk_screen(k) == KS_ADMIN_RESULT);
    CHECK(visible(k, "Answers are sealed to ZZZZ-YYYY-XXXX-WWWW from now on."));
    tap(k, "Back");
    CHECK(visible(k, "Open session") && !visible(k, "not confirmed"));
    CHECK(kiosk_availability(k) == KA_NO_SESSION);
    kiosk_free(k);
}

static void test_admin_timeout(void)
{
    FakeAdmin fa;
    FakeStore fs = {0};
    fake_admin_init(&fa);
    now_ms = 1000;
    Kiosk *k = admin_kiosk(&fa, &fs, 0);
    /* The PIN pad times out too, and the digits typed are wiped. */
    hold(k, 10, 10, 3000);
    kiosk_text(k, "12");
    CHECK(kiosk_next_timer(k) == 120000);
    advance(k, 119999);
    CHECK(kiosk_screen(k) == KS_PIN);
    advance(k, 1);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    CHECK(((struct Kiosk *)k)->pin_len == 0);
    /* The admin screen: any input restarts the 2 minutes. */
    enter_admin(k);
    tap(k, "Open session");
    tap(k, "Group 1");
    advance(k, 100000);
    tap(k, "+1");
    advance(k, 100000);
    CHECK(kiosk_screen(k) == KS_ADMIN_OPEN);
    advance(k, 20000);
    CHECK(kiosk_screen(k) == KS_ATTRACT);
    CHECK(fa.opened == 0);
    CHECK(kiosk_next_timer(k) == -1);
    kiosk_free(k);
}

/* Every admin screen at every size: targets >= 48 px, nothing clipped or overlapping. */
/* ---- fingers: what real, impatient, imprecise input does (kiosk defaults) ---- */

static uint64_t fclock;

static Kiosk *finger_kiosk(Survey *s, FakeStore *fs)
{
    KioskConfig c;
    kiosk_config_defaults(&c);
    Kiosk *k = NULL;
    DbError err;
    CHECK(kiosk_new(s, &c, 0, fake_submit, fs, kfonts_measure(fonts), &k, &err) == DB_OK);
    fclock = 100000;
    kiosk_tick(k, fclock);
    kiosk_frame(k, W, H);
    return k;
}

static void fwait(Kiosk *k, uint64_t ms)
{
    fclock += ms;
    kiosk_tick(k, fclock);
}

/* The centre of the target labelled text (fails the test if there is none). */
static int centre(Kiosk *k, const char *text, int *x, int *y)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    int li = ui_frame_find_label(f, text);
    CHECK(li >= 0 && f->labels[li].target >= 0);
    if (li < 0 || f->labels[li].target < 0) {
        fprintf(stderr, "  no target \"%s\" at %dx%d\n", text, W, H);
        *x = *y = 0;
        return -1;
    }
    UiRect r = f->targets[f->labels[li].target].r;
    *x = r.x + r.w / 2;
    *y = r.y + r.h / 2;
    return 0;
}

/* A person's tap: after the kiosk takes input there, down for 60 ms, up, drawn between. */
static void ftap(Kiosk *k, const char *text)
{
    int x, y;
    if (centre(k, text, &x, &y))
        return;
    fwait(k, (uint64_t)kiosk_input_wait(k, x, y) + 700);
    kiosk_press(k, x, y);
    kiosk_frame(k, W, H);
    fwait(k, 60);
    kiosk_release(k, x, y);
    kiosk_frame(k, W, H);
    kiosk_frame_shown(k, fclock);
}

/* Two taps at (x, y), the second gap ms after the first was lifted (as xdotool click
 * --repeat 2 --delay gap); the screen is drawn after each event, as the app does. */
static void double_tap_at(Kiosk *k, int x, int y, int gap)
{
    kiosk_press(k, x, y);
    kiosk_frame(k, W, H);
    fwait(k, 12);
    kiosk_release(k, x, y);
    kiosk_frame(k, W, H);
    kiosk_frame_shown(k, fclock);
    fwait(k, (uint64_t)gap);
    kiosk_press(k, x, y);
    kiosk_frame(k, W, H);
    fwait(k, 12);
    kiosk_release(k, x, y);
    kiosk_frame(k, W, H);
    kiosk_frame_shown(k, fclock);
}

/* Whether the frame paints rect r with colour c (the pressed look). */
static int painted(Kiosk *k, UiRect r, UiColor c)
{
    const UiFrame *f = kiosk_frame(k, W, H);
    for (int i = 0; i < f->n_cmds; i++) {
        const UiCmd *cmd = &f->cmds[i];
        if (cmd->kind == UI_CMD_RECT && cmd->r.x == r.x && cmd->r.y == r.y && cmd->r.w == r.w &&
            cmd->r.h == r.h && cmd->color.r == c.r && cmd->color.g == c.g && cmd->color.b == c.b)
            return 1;
    }
    return 0;
}

static void test_finger_rules(void)
{
    static const int gaps[] = {50, 80, 150, 300, 400};
    FakeStore fs = {0};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        /* A double tap on "Tap to begin": the second tap does not answer question 1. */
        Kiosk *k = finger_kiosk(ccdg, &fs);
        int x, y;
        centre(k, "Tap to begin", &x, &y);
        double_tap_at(k, x, y, gaps[g]);
        CHECK(kiosk_screen(k) == KS_QUESTION && kiosk_current_question(k) == 0);
        CHECK(k->r->answers[0].state == ANSWER_NONE);
        /* A double tap on "Next": question 2 is not skipped. */
        ftap(k, "Agree");
        centre(k, "Next", &x, &y);
        fwait(k, 700);
        double_tap_at(k, x, y, gaps[g]);
        CHECK(kiosk_current_question(k) == 1);
        /* On "Back" likewise; Back on question 1 asks, and a double tap does not answer. */
        centre(k, "Back", &x, &y);
        fwait(k, 700);
        double_tap_at(k, x, y, gaps[g]);
        CHECK(kiosk_current_question(k) == 0 && kiosk_screen(k) == KS_QUESTION);
        CHECK(k->r->answers[0].state == ANSWER_GIVEN && k->r->answers[0].value == 4);
        /* On a choice: chosen once, not toggled back (multi) or elsewhere. */
        kiosk_free(k);
        k = finger_kiosk(team, &fs);
        ftap(k, "Tap to begin");
        ftap(k, "Agree");
        ftap(k, "Next");
        ftap(k, "Next");
        CHECK(kiosk_current_question(k) == 3);
        centre(k, "Ethics", &x, &y);
        fwait(k, 700);
        double_tap_at(k, x, y, gaps[g]);
        CHECK((k->r->answers[3].chosen & 1) == 1);
        /* On "Submit": one submit, and the thank-you screen is not tapped through. */
        ftap(k, "Next");
        ftap(k, "Next");
        CHECK(kiosk_screen(k) == KS_REVIEW);
        int before = fs.calls;
        centre(k, "Submit", &x, &y);
        fwait(k, 700);
        double_tap_at(k, x, y, gaps[g]);
        CHECK(fs.calls == before + 1);
        CHECK(kiosk_screen(k) == KS_THANKS);
        kiosk_free(k);
    }

    /* Keys are tapped twice on purpose: "ll" at 150 ms types two letters. */
    Kiosk *k = finger_kiosk(team, &fs);
    ftap(k, "Tap to begin");
    ftap(k, "Disagree");
    ftap(k, "Next");
    int x, y;
    if (!visible(k, "space"))
        ftap(k, "Tap here to type");
    centre(k, "l", &x, &y);
    fwait(k, 700);
    double_tap_at(k, x, y, 150);
    CHECK(visible(k, "ll"));
    CHECK(visible(k, "2/200"));
    kiosk_free(k);

    /* The pressed look follows the finger; a slide from one button to another acts on
     * neither; 20 px off centre still acts. */
    k = finger_kiosk(team, &fs);
    ftap(k, "Tap to begin");
    int ax, ay, dx, dy;
    centre(k, "Agree", &ax, &ay);
    centre(k, "Disagree", &dx, &dy);
    const UiFrame *f = kiosk_frame(k, W, H);
    UiRect ar = f->targets[ui_frame_hit(f, ax, ay)].r;
    fwait(k, 700);
    CHECK(!painted(k, ar, c_pressed));
    CHECK(kiosk_press(k, ax, ay) == 1);
    CHECK(painted(k, ar, c_pressed));
    fwait(k, 100);
    CHECK(kiosk_move(k, ax + 3, ay + 2) == 0); /* still on it */
    CHECK(kiosk_move(k, dx, dy) == 1);
    CHECK(!painted(k, ar, c_pressed));
    fwait(k, 100);
    kiosk_release(k, dx, dy);
    CHECK(k->r->answers[0].state == ANSWER_NONE);
    CHECK(kiosk_current_question(k) == 0);
    /* Held and lifted 20 px off its centre, still on it: taken. */
    fwait(k, 700);
    kiosk_press(k, ax, ay + 20 < ar.y + ar.h ? ay + 20 : ay);
    fwait(k, 80);
    kiosk_release(k, ax + 20 < ar.x + ar.w ? ax + 20 : ax, ay);
    CHECK(k->r->answers[0].state == ANSWER_GIVEN && k->r->answers[0].value == 4);
    /* A drag across every button of the footer acts on none. */
    int bx, by, nx, ny;
    centre(k, "Back", &bx, &by);
    centre(k, "Next", &nx, &ny);
    fwait(k, 700);
    kiosk_press(k, bx, by);
    for (int i = 1; i <= 10; i++) {
        fwait(k, 16);
        kiosk_move(k, bx + (nx - bx) * i / 10, by);
    }
    kiosk_release(k, nx, ny);
    CHECK(kiosk_screen(k) == KS_QUESTION && kiosk_current_question(k) == 0);
    /* A finger down when the screen changes under it (the idle warning) is ignored until
     * it lifts: its lift does not answer the warning, nor anything under it. */
    fwait(k, 700);
    kiosk_press(k, 5, H - 5);
    k->last_input = fclock - 95000; /* as if the finger had rested there unnoticed */
    fwait(k, 10);
    CHECK(kiosk_idle_warning(k));
    kiosk_release(k, 5, H - 5);
    CHECK(kiosk_idle_warning(k));
    ftap(k, "Continue");
    CHECK(!kiosk_idle_warning(k));
    /* After the guard time, the same place is tapped on purpose. */
    centre(k, "Next", &x, &y);
    CHECK(kiosk_input_wait(k, x, y) > 0);
    fwait(k, (uint64_t)kiosk_input_wait(k, x, y));
    CHECK(kiosk_input_wait(k, x, y) == 0);
    kiosk_tap(k, x, y);
    CHECK(kiosk_current_question(k) == 2); /* "Agree" hides the follow-up */
    /* The guard counts from when the new screen is shown: a slow panel took 500 ms. */
    fwait(k, 700);
    centre(k, "Back", &x, &y);
    kiosk_tap(k, x, y);
    CHECK(kiosk_current_question(k) == 0);
    fwait(k, 500);
    kiosk_frame_shown(k, fclock);
    int ox, oy;
    centre(k, "Strongly agree", &ox, &oy);
    fwait(k, 100);
    kiosk_tap(k, ox, oy);
    CHECK(k->r->answers[0].value == 4); /* not 5: that tap came 100 ms after the screen */
    kiosk_free(k);
}

static void test_admin_double_taps(void)
{
    FakeAdmin fa;
    FakeStore fs = {0};
    fake_admin_init(&fa);
    fa.held = 1;
    KioskConfig c;
    kiosk_config_defaults(&c);
    c.pin_hash = pin_1234;
    Kiosk *k = NULL;
    DbError err;
    CHECK(kiosk_new(team, &c, 0, fake_submit, &fs, kfonts_measure(fonts), &k, &err) == DB_OK);
    KioskAdminOps ops = {&fa,         fa_status,   fa_open, fa_close, fa_export, fa_ack,
                         fa_pin_load, fa_pin_save, NULL,    NULL,     NULL, NULL};
    kiosk_set_admin(k, &ops);
    fclock = 100000;
    kiosk_tick(k, fclock);
    kiosk_frame(k, W, H);
    kiosk_press(k, 10, 10);
    fwait(k, 3000);
    CHECK(kiosk_screen(k) == KS_PIN);
    kiosk_release(k, 10, 10);
    ftap(k, "1");
    ftap(k, "2");
    ftap(k, "3");
    ftap(k, "4");
    ftap(k, "OK");
    CHECK(kiosk_screen(k) == KS_ADMIN);
    ftap(k, "Export");
    CHECK(kiosk_screen(k) == KS_ADMIN_RESULT && fa.exports == 1);
    static const int gaps[] = {50, 150, 300, 400};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        int x, y;
        centre(k, "Export anyway", &x, &y);
        fwait(k, 700);
        double_tap_at(k, x, y, gaps[g]);
        CHECK(kiosk_screen(k) == KS_ADMIN_CONFIRM); /* asked, not confirmed */
        CHECK(fa.forced == 0);
        ftap(k, "Cancel");
        CHECK(kiosk_screen(k) == KS_ADMIN);
        ftap(k, "Export");
    }
    /* PIN digits are keys: a double tap types two. */
    kiosk_free(k);
}

/* Every word of the coordinator's screens and of the operations' results, in every language:
 * there, not empty, valid UTF-8 without control characters (but for the line breaks), and
 * translated: a German or French table that repeats the English one was left untranslated.
 * The struct holds only words up to zero_is_one. */
static void test_admin_words_table(void)
{
    int n = 0;
    const AdminWords *all = kiosk_admin_words_all(&n);
    CHECK(n == 3);
    _Static_assert(offsetof(AdminWords, zero_is_one) % sizeof(const char *) == 0,
                   "AdminWords: words first");
    size_t nw = offsetof(AdminWords, zero_is_one) / sizeof(const char *);
    const char *const *en = (const char *const *)(const void *)&all[0];
    for (int l = 0; l < n; l++) {
        const char *const *w = (const char *const *)(const void *)&all[l];
        size_t same = 0;
        for (size_t i = 0; i < nw; i++) {
            int ok = w[i] && w[i][0] && utf8_check(w[i], strlen(w[i]), true, NULL) == UTF8_OK;
            CHECK(ok);
            if (!ok)
                fprintf(stderr, "  %s: word %zu is %s\n", all[l].code, i,
                        w[i] ? "empty or not UTF-8" : "missing");
            else if (l > 0 && strcmp(w[i], en[i]) == 0)
                same++;
        }
        CHECK(l == 0 || same < nw / 8); /* "OK", ").", "Export" may be the same */
        if (l > 0 && same >= nw / 8)
            fprintf(stderr, "  %s: %zu of %zu words are the English ones\n", all[l].code, same,
                    nw);
    }
    CHECK(kiosk_admin_words_for("de-CH") == &all[1] && kiosk_admin_words_for("xx") == &all[0]);
    /* One and many: French counts 0 as one ("0 r\xC3\xA9ponse"), English and German do not. */
    CHECK(kiosk_admin_one(&all[0], 1) && !kiosk_admin_one(&all[0], 0) &&
          !kiosk_admin_one(&all[0], 2));
    CHECK(!kiosk_admin_one(kiosk_admin_words_for("de"), 0));
    CHECK(kiosk_admin_one(kiosk_admin_words_for("fr"), 0) &&
          kiosk_admin_one(kiosk_admin_words_for("fr"), 1) &&
          !kiosk_admin_one(kiosk_admin_words_for("fr"), 2));
}

/* The coordinator's screens in the language shown on the attract screen (German with the
 * bundled survey, French with team.json), laid out at every size. */
static void test_admin_languages(void)
{
    static const struct {
        Survey **s;
        const char *lang, *pin_title, *coord, *open, *group, *open_title, *close_q, *back;
    } cases[] = {
        {&ccdg, "Deutsch", "PIN der Koordination", "Koordination", "Sitzung \xC3\xB6" "ffnen",
         "Group 6", "Datum", "Sitzung schlie\xC3\x9F" "en?", "Zur\xC3\xBC" "ck"},
        {&team, "Fran\xC3\xA7" "ais", "PIN de coordination", "Coordination",
         "Ouvrir une s\xC3\xA9" "ance", "Group 6", "Attendus", "Fermer la s\xC3\xA9" "ance ?",
         "Retour"},
    };
    int w0 = W, h0 = H;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            W = sizes[i][0];
            H = sizes[i][1];
            FakeAdmin fa;
            FakeStore fs = {0};
            fake_admin_init(&fa);
            KioskConfig kc;
            flow_config(&kc);
            kc.pin_hash = pin_1234;
            Kiosk *k = NULL;
            DbError err;
            CHECK(kiosk_new(*cases[c].s, &kc, 0, fake_submit, &fs, kfonts_measure(fonts), &k,
                            &err) == DB_OK);
            KioskAdminOps ops = {&fa,  fa_status, fa_open, fa_close, fa_export, fa_ack,
                                 NULL, NULL,      NULL,    NULL,     NULL,      NULL};
            kiosk_set_admin(k, &ops);
            now_ms = 1000;
            kiosk_tick(k, now_ms);
            tap(k, cases[c].lang);
            hold(k, 10, 10, 3000);
            CHECK(visible(k, cases[c].pin_title));
            CHECK(check_layout(k, "PIN pad") == 0);
            enter_pin(k, "1234");
            CHECK(kiosk_screen(k) == KS_ADMIN);
            CHECK(visible(k, cases[c].coord));
            CHECK(check_layout(k, "admin") == 0);
            tap(k, cases[c].open);
            CHECK(visible(k, cases[c].open_title));
            CHECK(check_layout(k, "open session") == 0);
            tap(k, cases[c].group);
            tap(k, cases[c].open);
            CHECK(fa.opened == 1);
            const AdminWords *aw = kui_admin_words(k);
            tap(k, aw->close_session);
            CHECK(visible(k, cases[c].close_q));
            CHECK(check_layout(k, "confirm") == 0);
            tap(k, aw->close_session);
            CHECK(check_layout(k, "closed") == 0);
            tap(k, cases[c].back);
            fa.held = 1;
            tap(k, aw->export_);
            CHECK(check_layout(k, "export result") == 0);
            kiosk_free(k);
        }
    }
    W = w0;
    H = h0;
}

static void test_admin_layout(void)
{
    int w0 = W, h0 = H;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        W = sizes[i][0];
        H = sizes[i][1];
        FakeAdmin fa;
        FakeStore fs = {0};
        fake_admin_init(&fa);
        now_ms = 1000;
        Kiosk *k = admin_kiosk(&fa, &fs, 0);
        hold(k, 10, 10, 3000);
        kiosk_text(k, "123456789012");
        CHECK(check_layout(k, "PIN pad, 12 digits") == 0);
        kiosk_key(k, KK_ESCAPE);
        hold(k, 10, 10, 3000);
        enter_pin(k, "0000");
        enter_pin(k, "0000");
        enter_pin(k, "0000");
        CHECK(check_layout(k, "PIN pad, locked") == 0);
        advance(k, 30000);
        enter_pin(k, "1234");
        CHECK(kiosk_screen(k) == KS_ADMIN);
        CHECK(check_layout(k, "admin, no session") == 0);
        tap(k, "Open session");
        CHECK(check_layout(k, "open session") == 0);
        tap(k, "Group 6");
        tap(k, "Open session");
        CHECK(check_layout(k, "admin, session") == 0);
        tap(k, "Close session");
        CHECK(check_layout(k, "confirm") == 0);
        tap(k, "Close session");
        CHECK(check_layout(k, "closed") == 0);
        tap(k, "Back");
        tap(k, "Open session");
        tap(k, "Other\xE2\x80\xA6");
        kiosk_text(k, "A rather long session label for the evening group");
        CHECK(check_layout(k, "label") == 0);
        kiosk_key(k, KK_ENTER);
        CHECK(check_layout(k, "open session, typed label") == 0);
        kiosk_key(k, KK_ESCAPE);
        fa.held = 1;
        tap(k, "Export");
        CHECK(check_layout(k, "export result") == 0);
        tap(k, "Back");
        tap(k, "Exit");
        /* The analyst keys changed: the admin screen with both sets, and the confirmation. */
        fa.st.n_unconfirmed = 4;
        for (int j = 0; j < 4; j++)
            snprintf(fa.st.unconfirmed_fp[j], KIOSK_FP_SIZE, "ZZZZ-YYYY-XXXX-WWW%d", j);
        hold(k, 10, 10, 3000);
        enter_pin(k, "1234");
        CHECK(kiosk_screen(k) == KS_ADMIN);
        CHECK(check_layout(k, "admin, keys changed") == 0);
        tap(k, "Confirm keys\xE2\x80\xA6");
        CHECK(kiosk_screen(k) == KS_ADMIN_CONFIRM);
        CHECK(check_layout(k, "confirm keys") == 0);
        kiosk_free(k);
    }
    W = w0;
    H = h0;
}

/* Screenshots through libpng: round trips (noise, which does not compress, and a flat screen,
 * which must: at least 20x), and the reader refuses what is not a whole PNG. */
static void test_png_roundtrip(void)
{
    int w = 37, h = 2300;
    uint8_t *px = malloc((size_t)w * h * 3);
    for (int i = 0; i < w * h * 3; i++)
        px[i] = (uint8_t)(i * 31 + 7 + (i / 97) * (i % 13));
    char path[] = "/tmp/debrief-png-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    DbError err;
    CHECK(pngfile_write_rgb(path, px, w, h, (size_t)w * 3, &err) == DB_OK);
    uint8_t *back;
    int bw, bh;
    CHECK(pngfile_read_rgb(path, &back, &bw, &bh, &err) == DB_OK);
    CHECK(bw == w && bh == h && memcmp(back, px, (size_t)w * h * 3) == 0);
    free(back);
    /* A flat screen with a few bars compresses well. */
    memset(px, 0xF4, (size_t)w * h * 3);
    for (int y = 100; y < 200; y++)
        memset(px + (size_t)y * w * 3 + 9, 0x1F, 30);
    uint8_t *enc;
    size_t elen;
    CHECK(pngfile_encode_rgb(px, w, h, (size_t)w * 3, &enc, &elen, &err) == DB_OK);
    CHECK(elen < (size_t)w * h * 3 / 20);
    CHECK(pngfile_write_rgb(path, px, w, h, (size_t)w * 3, &err) == DB_OK);
    CHECK(pngfile_read_rgb(path, &back, &bw, &bh, &err) == DB_OK);
    CHECK(bw == w && bh == h && memcmp(back, px, (size_t)w * h * 3) == 0);
    free(back);
    /* Not a PNG; a PNG cut short; a damaged one: refused, naming the file. */
    CHECK(fs_write_atomic(path, "GIF89a not a png", 16, 0600, &err) == DB_OK);
    CHECK(pngfile_read_rgb(path, &back, &bw, &bh, &err) == DB_EFORMAT && back == NULL);
    CHECK(strstr(err.msg, "not a PNG file") != NULL && strstr(err.msg, path) != NULL);
    CHECK(fs_write_atomic(path, enc, elen / 2, 0600, &err) == DB_OK);
    CHECK(pngfile_read_rgb(path, &back, &bw, &bh, &err) == DB_EFORMAT && back == NULL);
    enc[elen / 2] ^= 0x55;
    CHECK(fs_write_atomic(path, enc, elen, 0600, &err) == DB_OK);
    CHECK(pngfile_read_rgb(path, &back, &bw, &bh, &err) == DB_EFORMAT && back == NULL);
    free(enc);
    CHECK(pngfile_encode_rgb(px, 0, h, 0, &enc, &elen, &err) == DB_EINVAL && enc == NULL);
    free(px);
    unlink(path);
}

static void test_glyph_coverage(void)
{
    /* Every key label and accent the keyboard offers is in the font. */
    const uint32_t cps[] = {0x21E7, 0x232B, 0x2190, 0x2192, 0x20AC, 0xE9,   0xDF,
                            0x153,  0x2013, 0x201C, 0x201D, 0x2026, 0xC7,   0xF1,
                            0x25C9, 0x25CB, 0xAB,   0xBB,   0x201E, 0x25C2, 0x25B8};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++)
        CHECK(kfonts_has_glyph(fonts, cps[i]));
}

/* The renderer rotates the same way as the touch mapping: a mark at the logical top-left is
 * drawn where ui_logical_to_phys says. Text is rendered once and then comes from the cache;
 * the participant's own text (UI_TEXT_SECRET) only while the participant is there. */
static void test_platform_render(void)
{
    const int rots[] = {0, 90, 180, 270};
    for (int ri = 0; ri < 4; ri++) {
        PlatformConfig pc = {320, 200, 0, rots[ri], 1, "test"};
        Platform *p = NULL;
        int status;
        DbError err;
        CHECK(platform_open(&pc, fonts, &p, &status, &err) == DB_OK);
        if (!p)
            return;
        int lw, lh, pw, ph;
        platform_logical_size(p, &lw, &lh);
        platform_physical_size(p, &pw, &ph);
        CHECK(pw == 320 && ph == 200);
        CHECK(rots[ri] % 180 ? (lw == 200 && lh == 320) : (lw == 320 && lh == 200));
        UiFrame *f = ui_frame_new(kfonts_measure(fonts));
        ui_frame_begin(f, lw, lh);
        ui_rect(f, (UiRect){0, 0, lw, lh}, (UiColor){0, 0, 0, 255});
        ui_rect(f, (UiRect){0, 0, 10, 10}, (UiColor){255, 0, 0, 255});
        ui_text_run(f, 20, 20, 16, 0, (UiColor){255, 255, 255, 255}, "cached", 6);
        ui_text_run(f, 20, 50, 16, UI_TEXT_SECRET, (UiColor){255, 255, 255, 255}, "secret", 6);
        /* Drawn whole (no partial redraw), the same frame twice: nothing is rendered again.
         * The secret run stays cached while the participant (UiFrame.epoch) does. */
        unsigned opts = platform_draw_opts(p);
        CHECK(opts & PLATFORM_DRAW_PARTIAL); /* the default */
        platform_set_draw_opts(p, opts & ~(unsigned)PLATFORM_DRAW_PARTIAL);
        platform_draw(p, f);
        uint64_t r1 = platform_text_renders(p);
        platform_draw(p, f);
        uint64_t r2 = platform_text_renders(p);
        CHECK(r1 == 2 && r2 == 2);
        CHECK(platform_text_cache_answers(p) == 1);
        /* With partial redraw, an unchanged frame redraws nothing after the first, which is
         * drawn whole, at every rotation (the panel still shows it). */
        platform_set_draw_opts(p, opts);
        platform_draw(p, f);
        CHECK(platform_last_redrawn(p) == (long)lw * lh);
        platform_draw(p, f);
        CHECK(platform_last_redrawn(p) == 0);
        CHECK(platform_text_cache_size(p) == 2);
        char path[] = "/tmp/debrief-render-XXXXXX";
        int fd = mkstemp(path);
        close(fd);
        CHECK(platform_screenshot(p, path, &err) == DB_OK);
        uint8_t *px;
        int w, h;
        CHECK(pngfile_read_rgb(path, &px, &w, &h, &err) == DB_OK);
        if (px && w == pw && h == ph) {
            int x, y;
            ui_logical_to_phys(rots[ri], pw, ph, 2, 2, &x, &y);
            const uint8_t *c = px + ((size_t)y * w + x) * 3;
            CHECK(c[0] > 200 && c[1] < 50 && c[2] < 50);
            ui_logical_to_phys(rots[ri], pw, ph, lw - 3, lh - 3, &x, &y);
            c = px + ((size_t)y * w + x) * 3;
            CHECK(c[0] < 50);
        }
        free(px);
        unlink(path);
        /* The next participant: the secret run's texture is gone (wiped), the other stays. */
        f->epoch++;
        ui_frame_begin(f, lw, lh);
        ui_text_run(f, 20, 20, 16, 0, (UiColor){255, 255, 255, 255}, "cached", 6);
        platform_draw(p, f);
        CHECK(platform_text_cache_answers(p) == 0);
        CHECK(platform_text_cache_size(p) == 1);
        CHECK(platform_text_renders(p) == r2);
        ui_frame_free(f);
        platform_close(p);
    }
}

/* However much a participant types, the cache keeps a bounded number of their pieces. */
static void test_secret_pieces_bounded(void)
{
    Platform *p = open_panel(W, H);
    if (!p)
        return;
    UiFrame *f = ui_frame_new(kfonts_measure(fonts));
    for (int i = 0; f && i < 400; i += 20) { /* 20 runs of 2 pieces a frame */
        ui_frame_begin(f, W, H);
        for (int j = 0; j < 20; j++) {
            char run[32];
            int v = i + j; /* letters: digits would end a piece */
            char a = (char)('a' + v % 26), b = (char)('a' + v / 26 % 26);
            int n = snprintf(run, sizeof run, "w%c%c x%c%c", a, b, a, b);
            ui_text_run(f, 10, 10 + 20 * j, 16, UI_TEXT_SECRET, (UiColor){0, 0, 0, 255}, run,
                        (size_t)n);
        }
        platform_draw(p, f);
    }
    CHECK(platform_text_cache_answers(p) == PLATFORM_SECRET_PIECES);
    ui_frame_free(f);
    platform_close(p);
}

static void test_missing_font(void)
{
    KFonts *f2 = NULL;
    DbError err;
    CHECK(kfonts_open("/nonexistent/Font.ttf", KIOSK_FONT_BOLD, &f2, &err) == DB_ENOENT);
    CHECK(f2 == NULL);
    CHECK_STR(err.msg, "/nonexistent/Font.ttf: cannot open font file (install fonts-dejavu-core, "
                       "or pass --font FILE --font-bold FILE)");
}

/* The screen of a kiosk that cannot start: the reason fits, whole, at every size. */
static void test_fault_screen(void)
{
    const char *reason = "/etc/debrief/survey.json:12:7: option \"clinical\" of question "
                         "\"role\" has no text in language \"de\" (every language needs every "
                         "text); /etc/debrief/analyst.pub: No such file or directory";
    UiFrame *f = ui_frame_new(kfonts_measure(fonts));
    for (size_t i = 0; f && i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        fault_screen_build(f, w, h, reason, 5);
        int seen = 0, bad = f->overflow;
        for (int l = 0; l < f->n_labels; l++) {
            bad |= f->labels[l].clipped || !ui_rect_inside(f->labels[l].r, (UiRect){0, 0, w, h});
            seen |= strstr(ui_label_text(f, l), "analyst.pub") != NULL;
        }
        CHECK(!bad && seen);
        if (bad || !seen)
            fprintf(stderr, "  %dx%d: the fault screen does not fit\n", w, h);
    }
    ui_frame_free(f);
}

int main(void)
{
    DbError err;
    if (secmem_init() != 0)
        return 1;
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    char p1[4096], p2[4096], p3[4096];
    snprintf(p1, sizeof p1, "%s/assets/surveys/ccdg.json", src ? src : "..");
    snprintf(p2, sizeof p2, "%s/tests/kiosk/team.json", src ? src : "..");
    snprintf(p3, sizeof p3, "%s/tests/kiosk/long_options.json", src ? src : "..");
    if (kfonts_open(KIOSK_FONT_REGULAR, KIOSK_FONT_BOLD, &fonts, &err) != DB_OK ||
        survey_load_file(p1, &ccdg, &err) != DB_OK || survey_load_file(p2, &team, &err) != DB_OK ||
        survey_load_file(p3, &longopt, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    RUN(test_rotation_roundtrip);
    RUN(test_editor_utf8);
    RUN(test_label_matching);
    RUN(test_script_parse);
    RUN(test_args);
    RUN(test_png_roundtrip);
    RUN(test_glyph_coverage);
    RUN(test_missing_font);
    RUN(test_platform_render);
    RUN(test_secret_pieces_bounded);
    RUN(test_required_and_prefer_not);
    RUN(test_empty_submit_and_count);
    RUN(test_words_shown);
    RUN(test_larger_text_and_contrast);
    RUN(test_physical_sizes);
    RUN(test_keyboard_keys);
    RUN(test_keyboard_layouts);
    RUN(test_submit_once_and_wipe);
    RUN(test_typed_text_wiped);
    RUN(test_answer_styles_not_kept);
    RUN(test_submit_failure);
    RUN(test_idle);
    RUN(test_layout_all_sizes);
    RUN(test_layout_every_question);
    RUN(test_long_options_paging);
    RUN(test_long_options_flow);
    RUN(test_max_label_length);
    RUN(test_likert7_all_sizes);
    RUN(test_goldens_in_process);
    fast = keys_kdf_fast_for_tests();
    if (pin_hash_params("1234", 4, fast.opslimit, fast.memlimit, pin_1234, &err) != DB_OK)
        return 1;
    RUN(test_pin_hash);
    RUN(test_pin_policy);
    RUN(test_admin_gesture);
    RUN(test_pin_rate_limit);
    RUN(test_pin_lockout_survives_restart);
    RUN(test_admin_screens);
    RUN(test_admin_open_refused);
    RUN(test_admin_date_without_clock);
    RUN(test_session_label_cases);
    RUN(test_admin_keys_changed);
    RUN(test_admin_timeout);
    RUN(test_admin_layout);
    RUN(test_fault_screen);
    RUN(test_admin_languages);
    RUN(test_admin_words_table);
    RUN(test_finger_rules);
    RUN(test_admin_double_taps);
    survey_free(ccdg);
    survey_free(team);
    survey_free(longopt);
    kfonts_close(fonts);
    return test_report();
}
