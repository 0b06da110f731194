/* survey_render: every screen of a survey, checked and drawn (see survey_render.h). */
#include "survey_render.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "kiosk_internal.h"

/* The reference sizes, landscape and portrait: the 3.5" and 7" panels, Touch Display 2, the
 * common HDMI screens (the layout tests use the same nine). */
static const int render_sizes[SURVEY_RENDER_SIZES][2] = {
    {480, 320}, {800, 480}, {1024, 600}, {1280, 800}, {1920, 1080},
    {480, 800}, {600, 1024}, {720, 1280}, {1080, 1920}};

typedef struct Render {
    const Survey *s;
    const char *out_dir;
    FILE *out, *html;
    Platform *plat;
    int w, h, lang, shot, problems, screens;
    DbError *err;
    int failed; /* a file could not be written */
} Render;

static int no_submit(void *ctx, const Response *r, DbError *err)
{
    (void)ctx;
    (void)r;
    return dberr_set(err, DB_ESTATE, "preview: nothing is submitted");
}

/* Checks the screen shown now; draws it when drawing. where names it for people. */
static void screen(Render *R, Kiosk *k, const char *where, const char *name)
{
    const UiFrame *f = kiosk_frame(k, R->w, R->h);
    char msg[256];
    int n = ui_frame_check(f, msg, sizeof msg);
    if (!n && !kiosk_layout_fits(k)) {
        n = 1;
        snprintf(msg, sizeof msg, "does not fit even with the smallest readable fonts");
    }
    R->screens++;
    if (n) {
        R->problems++;
        fprintf(R->out, "layout: %s, %s, %dx%d: %s%s\n", where, R->s->lang_codes[R->lang], R->w,
                R->h, msg, n > 1 ? " (and more)" : "");
    }
    if (!R->plat || R->failed)
        return;
    char file[128], path[4200];
    snprintf(file, sizeof file, "%s-%dx%d-%03d-%s.png", R->s->lang_codes[R->lang], R->w, R->h,
             ++R->shot, name);
    snprintf(path, sizeof path, "%s/%s", R->out_dir, file);
    platform_draw(R->plat, f);
    if (platform_screenshot(R->plat, path, R->err) != DB_OK) {
        R->failed = 1;
        return;
    }
    fprintf(R->html, "<figure%s><img src=\"%s\" loading=\"lazy\"><figcaption>%s%s</figcaption>"
                     "</figure>\n",
            n ? " class=\"bad\"" : "", file, where, n ? " &#9888;" : "");
}

/* "sections[1].questions[0] (relevance)" */
static void question_where(const Survey *s, int q, char *buf, size_t cap)
{
    const SurveyQuestion *sq = &s->questions[q];
    const SurveySection *sec = &s->sections[sq->section];
    snprintf(buf, cap, "sections[%d].questions[%d] (%s)", sq->section, q - sec->first_question,
             sq->id);
}

/* Every question answered at its longest, for the review. */
static void answer_all(const Survey *s, Response *r)
{
    static const char words[] = "Wortlaut Lorem ipsum dolor sit amet ";
    char *text = malloc(SURVEY_MAX_FREE_TEXT * 4 + 1);
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        DbError e;
        switch (sq->kind) {
        case SURVEY_LIKERT: {
            int best = 1;
            for (int v = 1; v <= sq->scale; v++)
                if (strlen(survey_text(&sq->anchors[v - 1], r->lang)) >
                    strlen(survey_text(&sq->anchors[best - 1], r->lang)))
                    best = v;
            response_set_likert(r, q, best, &e);
            break;
        }
        case SURVEY_SINGLE: {
            int best = 0;
            for (int i = 1; i < sq->n_options; i++)
                if (strlen(survey_text(&sq->options[i].text, r->lang)) >
                    strlen(survey_text(&sq->options[best].text, r->lang)))
                    best = i;
            response_set_single(r, q, best, &e);
            break;
        }
        case SURVEY_MULTI: {
            int max = sq->max_choices > 0 ? sq->max_choices : sq->n_options;
            for (int i = 0; i < sq->n_options && i < max; i++)
                response_toggle_multi(r, q, i, &e);
            break;
        }
        case SURVEY_TEXT:
            if (text) {
                int i = 0;
                for (; i < sq->max_length; i++)
                    text[i] = words[i % (sizeof words - 1)];
                text[i] = '\0';
                response_set_text(r, q, text, &e);
            }
            break;
        }
    }
    free(text);
}

static void render_lang(Render *R, KFonts *fonts)
{
    KioskConfig c;
    kiosk_config_defaults(&c);
    Kiosk *k = NULL;
    if (kiosk_new(R->s, &c, R->lang, no_submit, NULL, kfonts_measure(fonts), &k, R->err) != DB_OK) {
        R->failed = 1;
        return;
    }
    kiosk_tick(k, 1000);
    char where[160];
    screen(R, k, "attract screen", "attract");
    for (int q = 0; q < R->s->n_questions; q++) {
        question_where(R->s, q, where, sizeof where);
        kui_preview_show(k, KS_QUESTION, q, 0);
        screen(R, k, where, R->s->questions[q].id);
        for (int p = 1; p < k->opt_pages && p < SURVEY_MAX_OPTIONS; p++) {
            char w2[200];
            snprintf(w2, sizeof w2, "%s, options page %d", where, p + 1);
            kui_preview_show(k, KS_QUESTION, q, p);
            screen(R, k, w2, R->s->questions[q].id);
        }
        if (R->s->questions[q].kind == SURVEY_TEXT && !k->kb_inline) {
            char w2[200];
            snprintf(w2, sizeof w2, "%s, full keyboard", where);
            kui_preview_show(k, KS_TYPING, q, 0);
            screen(R, k, w2, R->s->questions[q].id);
        }
    }
    answer_all(R->s, k->r);
    for (int p = 0; p < SURVEY_MAX_QUESTIONS; p++) {
        kui_preview_show(k, KS_REVIEW, 0, p);
        kiosk_frame(k, R->w, R->h);
        if (k->page != p)
            break; /* past the last page */
        snprintf(where, sizeof where, "review, page %d", p + 1);
        screen(R, k, where, "review");
    }
    kui_preview_show(k, KS_THANKS, 0, 0);
    screen(R, k, "thank-you screen", "thanks");
    kiosk_free(k);
}

int survey_render(const Survey *s, KFonts *fonts, const char *out_dir, FILE *out, int *problems,
                  DbError *err)
{
    Render R;
    memset(&R, 0, sizeof R);
    R.s = s;
    R.out_dir = out_dir;
    R.out = out;
    R.err = err;
    *problems = 0;
    /* The contact sheet grows in memory (a few hundred bytes a screen) and is written at the
     * end through fs_write_atomic, like every file outside the databases. */
    char *html = NULL;
    size_t html_len = 0;
    if (out_dir) {
        int rc = fs_mkdir_p(out_dir, 0755, err);
        if (rc != DB_OK)
            return rc;
        R.html = open_memstream(&html, &html_len);
        if (!R.html)
            return dberr_set(err, DB_ENOMEM, "%s/index.html: out of memory", out_dir);
        fprintf(R.html,
                "<!doctype html>\n<meta charset=\"utf-8\">\n<title>%s %u: every screen</title>\n"
                "<style>body{font-family:sans-serif;background:#eee}figure{display:inline-block;"
                "margin:6px;vertical-align:top}img{max-width:320px;max-height:320px;border:1px "
                "solid #888}figcaption{font-size:12px;max-width:320px}.bad img{border:3px solid "
                "#c00}</style>\n<h1>%s, version %u</h1>\n",
                s->id, (unsigned)s->version, s->id, (unsigned)s->version);
    }
    for (int si = 0; si < SURVEY_RENDER_SIZES && !R.failed; si++) {
        R.w = render_sizes[si][0];
        R.h = render_sizes[si][1];
        if (out_dir) {
            PlatformConfig pc = {R.w, R.h, 0, 0, 1, "preview"};
            int status;
            if (platform_open(&pc, fonts, &R.plat, &status, err) != DB_OK) {
                R.failed = 1;
                break;
            }
        }
        for (R.lang = 0; R.lang < s->n_langs && !R.failed; R.lang++) {
            if (R.html)
                fprintf(R.html, "<h2>%s, %dx%d</h2>\n", s->lang_names[R.lang], R.w, R.h);
            R.shot = 0;
            render_lang(&R, fonts);
        }
        platform_close(R.plat);
        R.plat = NULL;
    }
    *problems = R.problems;
    if (R.html) {
        char final[4200];
        snprintf(final, sizeof final, "%s/index.html", out_dir);
        if (fclose(R.html) != 0 && !R.failed) {
            R.failed = 1;
            dberr_set(err, DB_ENOMEM, "%s: out of memory", final);
        }
        if (!R.failed && fs_write_atomic(final, html, html_len, 0644, err) != DB_OK)
            R.failed = 1;
        free(html);
    }
    if (R.failed)
        return err->code ? err->code : DB_EIO;
    fprintf(out, "layout: %d screens at %d sizes in %d language%s: %d problem%s\n", R.screens,
            SURVEY_RENDER_SIZES, s->n_langs, s->n_langs == 1 ? "" : "s", R.problems,
            R.problems == 1 ? "" : "s");
    return DB_OK;
}
