/* kiosk_layout: the participant's screens drawn into the frame (see kiosk_ui.h for the
 * flow, kiosk_internal.h for the shared state): attract, question (Likert, choices in
 * columns or pages, text with the keyboard), typing, review, messages, the idle warning and
 * the careful exits' questions; kiosk_frame, which builds the current one.
 *
 * Sizes come from kiosk_metrics. Each screen is built at full size first; if anything does
 * not fit (a label clipped, a list too long), it is rebuilt with smaller fonts, down to 60 %;
 * a choice question that still does not fit gets pages of options. Layout reads the state
 * and never changes what the participant answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "secmem.h"

static void banner(Kiosk *k)
{
    if (!k->cfg.demo)
        return;
    const Metrics *mt = &k->mt;
    const char *txt = k->cfg.banner ? k->cfg.banner : "DEMO MODE";
    int h = mt->lh_small + 4;
    ui_rect(k->f, (UiRect){0, 0, k->fw, h}, c_banner);
    ui_text_box(k->f, (UiRect){mt->m, 2, k->fw - 2 * mt->m, h - 4}, mt->small, UI_TEXT_BOLD, c_fg,
                UI_ALIGN_CENTER, 1, txt, -1);
    k->mt.top = h;
}


static void build_attract(Kiosk *k)
{
    const Survey *s = k->s;
    const Metrics *mt = &k->mt;
    UiFrame *f = k->f;
    int w = k->fw, h = k->fh, cw = w - 2 * mt->m;
    int y = mt->top + mt->m;
    int bottom = h - mt->m;

    /* Along the bottom: the languages, and "Larger text" and "High contrast" (in one row when
     * every button stays one and a half targets wide, else the choices in a row of their own).
     * Also when not collecting: the message in one's language, and the coordinator's screens
     * in the language chosen here. */
    {
        const UiWords *wd = kui_words(k);
        int nl = s->n_langs > 1 ? s->n_langs : 0, n = nl + 2;
        int one_row = (cw - (n - 1) * mt->gap) / n >= 3 * mt->target / 2;
        for (int row = 0; row < (one_row ? 1 : 2); row++) {
            int count = one_row ? n : row == 0 ? 2 : nl;
            if (count == 0)
                continue;
            int bw = (cw - (count - 1) * mt->gap) / count;
            if (bw > 8 * mt->target)
                bw = 8 * mt->target;
            int x = (w - (count * bw + (count - 1) * mt->gap)) / 2;
            bottom -= mt->target;
            for (int i = 0; i < count; i++) {
                /* in one row: languages first; in two: the choices at the very bottom */
                int lang_i = one_row ? i : row == 1 ? i : -1;
                int choice = one_row ? i - nl : row == 0 ? i : -1;
                UiRect r = {x, bottom, bw, mt->target};
                if (lang_i >= 0 && lang_i < nl)
                    kui_button(k, r, s->lang_names[lang_i], mt->body,
                               lang_i == k->lang ? B_SELECTED : B_NORMAL, ACT_LANG, lang_i);
                else if (choice == 0)
                    kui_button(k, r, wd->larger_text, mt->body, k->large ? B_SELECTED : B_NORMAL,
                               ACT_LARGER, 0);
                else if (choice == 1)
                    kui_button(k, r, wd->high_contrast, mt->body,
                               k->theme == &kiosk_theme_contrast ? B_SELECTED : B_NORMAL,
                               ACT_CONTRAST, 0);
                x += bw + mt->gap;
            }
            bottom -= mt->gap;
        }
    }

    const char *title = kui_tr(k, &s->title);
    int tsize = mt->big, th = kui_text_h(k, title, tsize, UI_TEXT_BOLD, cw);
    const char *intro = kui_tr(k, &s->intro);
    int ih = intro[0] ? kui_text_h(k, intro, mt->body, 0, cw) : 0;
    int bh = mt->target * 3 / 2;
    int total = th + (ih ? mt->gap + ih : 0) + 2 * mt->gap + bh;
    int avail = bottom - y;
    if (total > avail) { /* a short panel (big targets, text at its smallest): a plain button */
        total -= bh - mt->target;
        bh = mt->target;
    }
    if (total > avail) { /* ... and the title at the questions' size */
        total -= th;
        tsize = mt->title;
        th = kui_text_h(k, title, tsize, UI_TEXT_BOLD, cw);
        total += th;
    }
    kui_need(k, total <= avail);
    y += (avail - total) / 3 > 0 ? (avail - total) / 3 : 0;
    ui_text_box(f, (UiRect){mt->m, y, cw, th}, tsize, UI_TEXT_BOLD, c_fg, UI_ALIGN_CENTER, 0,
                title, -1);
    y += th + mt->gap;
    if (ih) {
        ui_text_box(f, (UiRect){mt->m, y, cw, ih}, mt->body, 0, c_muted, UI_ALIGN_CENTER, 0, intro,
                    -1);
        y += ih + mt->gap;
    }
    y += mt->gap;
    if (k->cfg.availability != KA_COLLECTING) {
        const UiWords *wd = kui_words(k);
        const char *msg = k->cfg.availability == KA_SESSION_FULL     ? wd->session_full
                          : k->cfg.availability == KA_NO_SPACE       ? wd->no_space
                          : k->cfg.availability == KA_OUT_OF_SERVICE ||
                                  k->cfg.availability == KA_KEYS_CHANGED
                              ? wd->out_of_service
                              : wd->not_collecting;
        int mh = kui_text_h(k, msg, mt->title, UI_TEXT_BOLD, cw);
        kui_need(k, y + mh <= h - mt->m);
        ui_text_box(f, (UiRect){mt->m, y, cw, mh}, mt->title, UI_TEXT_BOLD, c_note, UI_ALIGN_CENTER,
                    0, msg, -1);
        return;
    }
    int bw = kui_text_w(k, kui_words(k)->begin, mt->title, UI_TEXT_BOLD) + 4 * mt->target;
    if (bw > cw)
        bw = cw;
    /* The whole screen begins; the button shows where. (Added first: lowest in hit order.) */
    ui_target(f, (UiRect){0, 0, w, bottom}, ACT_BEGIN, 0, 1);
    /* The corner whose long press opens the coordinator's PIN pad: a tap there does nothing
     * (always, PIN or not, so that it never hints at anything). */
    ui_target(f, kiosk_admin_corner(k), ACT_NONE, 0, 1);
    kui_button(k, (UiRect){(w - bw) / 2, y, bw, bh}, kui_words(k)->begin, mt->title, B_PRIMARY,
               ACT_BEGIN, 0);
}

/* The number question q carries, and the total. The questions everyone is asked are numbered
 * 1..total in survey order; a question asked only after some answers (show_if) carries the
 * number of the question before it and a letter ("9a", "9b"). So no answer ever changes a
 * number or the total, and a question has the same number in every run (docs/KIOSK.md). */
static void question_number(const Survey *s, int q, int *num, int *letter, int *total)
{
    *num = *letter = *total = 0;
    for (int i = 0; i < s->n_questions; i++) {
        if (s->questions[i].show_if_question < 0) {
            ++*total;
            if (i <= q) {
                *num = *total;
                *letter = 0;
            }
        } else if (i <= q) {
            ++*letter;
        }
    }
}

/* "Question 3 of 14" and a bar; returns the y below it. */
static int header(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    int w = k->fw, cw = w - 2 * mt->m, y = mt->top + mt->m / 2;
    int pos, letter, total;
    question_number(k->s, k->q, &pos, &letter, &total);
    char buf[64], suffix[4] = "";
    if (letter > 0 && letter <= 26)
        snprintf(suffix, sizeof suffix, "%c", 'a' + letter - 1);
    snprintf(buf, sizeof buf, "%s %d%s %s %d", kui_words(k)->question, pos, suffix, kui_words(k)->of,
             total);
    int lw = kui_text_w(k, buf, mt->small, 0);
    ui_text_box(k->f, (UiRect){mt->m, y, lw, mt->lh_small}, mt->small, 0, c_muted, UI_ALIGN_LEFT, 0,
                buf, -1);
    const SurveySection *sec = &k->s->sections[kui_cur_q(k)->section];
    const char *st = kui_tr(k, &sec->title);
    int sw = cw - lw - 2 * mt->gap;
    if (st[0] && sw > 4 * mt->small && kui_text_h(k, st, mt->small, 0, sw) <= mt->lh_small)
        ui_text_box(k->f, (UiRect){mt->m + lw + 2 * mt->gap, y, sw, mt->lh_small}, mt->small, 0,
                    c_muted, UI_ALIGN_RIGHT, 0, st, -1);
    y += mt->lh_small + 4;
    int bar = mt->s * 6 / 1000 < 4 ? 4 : mt->s * 6 / 1000;
    ui_rect(k->f, (UiRect){mt->m, y, cw, bar}, c_track);
    ui_rect(k->f, (UiRect){mt->m, y, total ? cw * pos / total : 0, bar}, c_primary);
    return y + bar + mt->gap;
}

/* The gentle note under a question that still needs an answer (written into buf). */
static const char *note_text(const Kiosk *k, char *buf, size_t cap)
{
    const SurveyQuestion *q = kui_cur_q(k);
    const UiWords *wd = kui_words(k);
    const char *first = q->kind == SURVEY_TEXT                           ? wd->note_write
                        : q->kind == SURVEY_MULTI && q->min_choices == 1 ? wd->note_one
                        : q->kind == SURVEY_MULTI && q->min_choices > 1  ? wd->note_more
                                                                         : wd->note_choose;
    if (!q->prefer_not)
        return first;
    const char *pn = kui_tr(k, &k->s->prefer_not_label);
    snprintf(buf, cap, "%s %s%s%s", first, wd->note_or_pre, pn[0] ? pn : "Prefer not to answer",
             wd->note_or_post);
    return buf;
}

/* Back / Prefer not / Next along the bottom; returns the y above it (incl. the note, or the
 * room for it with reserve_note: paged options keep their pages when the note appears). */
static int footer(Kiosk *k, int next_ok, int reserve_note)
{
    const Metrics *mt = &k->mt;
    const SurveyQuestion *q = kui_cur_q(k);
    int w = k->fw, cw = w - 2 * mt->m;
    int fy = k->fh - mt->m - mt->target;
    int bw = cw / 4 > 2 * mt->target ? cw / 4 : 2 * mt->target;
    if (q->prefer_not) {
        bw = (cw - 2 * mt->gap) / 3;
        const char *pn = kui_tr(k, &k->s->prefer_not_label);
        if (!pn[0])
            pn = "Prefer not to answer";
        int declined = k->r->answers[k->q].state == ANSWER_DECLINED;
        int pw = cw - 2 * bw - 2 * mt->gap;
        kui_button(k, (UiRect){mt->m + bw + mt->gap, fy, pw, mt->target}, pn, mt->small,
                   declined ? B_SELECTED : B_NORMAL, ACT_PREFER, 0);
    }
    kui_button(k, (UiRect){mt->m, fy, bw, mt->target}, kui_words(k)->back, mt->body, B_NORMAL, ACT_BACK,
               0);
    kui_button(k, (UiRect){w - mt->m - bw, fy, bw, mt->target}, kui_words(k)->next, mt->body,
               next_ok ? B_PRIMARY : B_DISABLED, ACT_NEXT, 0);
    int y = fy - mt->gap;
    if (k->note || reserve_note) {
        char nb[512];
        const char *nt = note_text(k, nb, sizeof nb);
        int nh = kui_text_h(k, nt, mt->body, UI_TEXT_BOLD, cw);
        y -= nh;
        if (k->note)
            ui_text_box(k->f, (UiRect){mt->m, y, cw, nh}, mt->body, UI_TEXT_BOLD, c_note,
                        UI_ALIGN_CENTER, 0, nt, -1);
        y -= mt->gap;
    }
    return y;
}

/* Whether a Likert anchor already starts with its number ("1 (low)", "2"), so the
 * button does not show the number twice. */
static int anchor_numbered(const char *anchor, int v)
{
    char num[16];
    int n = snprintf(num, sizeof num, "%d", v);
    return strncmp(anchor, num, (size_t)n) == 0 && (anchor[n] == '\0' || anchor[n] == ' ');
}

/* Likert: a row of buttons (landscape) or a column (portrait). */
static void build_likert(Kiosk *k, UiRect a)
{
    const Metrics *mt = &k->mt;
    const SurveyQuestion *q = kui_cur_q(k);
    const Answer *ans = &k->r->answers[k->q];
    int n = q->scale;
    int horizontal = k->fw > k->fh;
    if (!horizontal) {
        int rh = (a.h - (n - 1) * mt->gap) / n;
        int need_h = 0;
        for (int v = 1; v <= n; v++) {
            int th = kui_text_h(k, kui_tr(k, &q->anchors[v - 1]), mt->body, 0,
                                a.w - mt->target - 3 * mt->pad);
            if (th + 2 * mt->pad > need_h)
                need_h = th + 2 * mt->pad;
        }
        if (need_h < mt->target)
            need_h = mt->target;
        if (rh > 2 * mt->target)
            rh = 2 * mt->target;
        if (rh < need_h)
            horizontal = 1; /* does not fit as a column: try a row */
        else {
            int y = a.y;
            for (int v = 1; v <= n; v++) {
                UiRect r = {a.x, y, a.w, rh};
                int sel = ans->state == ANSWER_GIVEN && ans->value == v;
                ButtonStyle st = sel ? B_SELECTED : B_NORMAL;
                ui_rect(k->f, r, kui_fill(k, r, sel));
                ui_frame_border(k->f, r, sel ? 3 : 2, sel ? c_fg : c_border);
                int t = ui_target(k->f, r, ACT_LIKERT, v, 1);
                char num[16];
                snprintf(num, sizeof num, "%d", v);
                UiColor fg = st == B_SELECTED ? c_white : c_fg;
                int ans_fl = sel ? UI_TEXT_ANSWER : 0;
                if (!anchor_numbered(kui_tr(k, &q->anchors[v - 1]), v))
                    ui_text_box(k->f, (UiRect){r.x + mt->pad, r.y, mt->target - mt->pad, r.h},
                                mt->title, UI_TEXT_BOLD | ans_fl, fg, UI_ALIGN_CENTER, 1, num, t);
                ui_text_box(k->f,
                            (UiRect){r.x + mt->target + mt->pad, r.y + 2,
                                     r.w - mt->target - 3 * mt->pad, r.h - 4},
                            mt->body, sel ? UI_TEXT_BOLD | ans_fl : 0, fg, UI_ALIGN_LEFT, 1,
                            kui_tr(k, &q->anchors[v - 1]), t);
                y += rh + mt->gap;
            }
            return;
        }
    }
    int gap = mt->gap / 2 > 4 ? mt->gap / 2 : 4;
    int bw = (a.w - (n - 1) * gap) / n;
    kui_need(k, bw >= mt->target);
    int lab_h = 0;
    for (int v = 1; v <= n; v++) {
        int th =
            kui_text_h(k, kui_tr(k, &q->anchors[v - 1]), mt->small, UI_TEXT_BOLD, bw - 2 * mt->pad);
        if (th > lab_h)
            lab_h = th;
    }
    int bh = mt->lh_title + lab_h + 3 * mt->pad;
    if (bh < mt->target * 2)
        bh = mt->target * 2;
    if (bh > a.h)
        bh = a.h;
    kui_need(k, mt->lh_title + lab_h + 2 * mt->pad <= bh);
    int y = a.y + (a.h - bh) / 3;
    for (int v = 1; v <= n; v++) {
        UiRect r = {a.x + (v - 1) * (bw + gap), y, bw, bh};
        int sel = ans->state == ANSWER_GIVEN && ans->value == v;
        UiColor fg = sel ? c_white : c_fg;
        ui_rect(k->f, r, kui_fill(k, r, sel));
        ui_frame_border(k->f, r, sel ? 3 : 2, sel ? c_fg : c_border);
        int t = ui_target(k->f, r, ACT_LIKERT, v, 1);
        char num[16];
        snprintf(num, sizeof num, "%d", v);
        int ans_fl = sel ? UI_TEXT_ANSWER : 0;
        if (!anchor_numbered(kui_tr(k, &q->anchors[v - 1]), v))
            ui_text_box(k->f,
                        (UiRect){r.x + mt->pad, r.y + mt->pad, r.w - 2 * mt->pad, mt->lh_title},
                        mt->title, UI_TEXT_BOLD | ans_fl, fg, UI_ALIGN_CENTER, 0, num, t);
        int ly = r.y + mt->pad + mt->lh_title + mt->pad;
        /* The selected anchor in bold, unless that would break its words (narrow buttons:
         * the colour already says it is selected). */
        const char *an = kui_tr(k, &q->anchors[v - 1]);
        int aw = r.w - 2 * mt->pad, as = mt->small;
        while (as > mt->small * 8 / 10 && !kui_words_fit(k, an, as, 0, aw))
            as--; /* a long word shrinks a little before it is hyphenated */
        int fl = sel && kui_words_fit(k, an, as, UI_TEXT_BOLD, aw) ? UI_TEXT_BOLD : 0;
        ui_text_box(k->f, (UiRect){r.x + mt->pad, ly, aw, r.y + r.h - ly - mt->pad}, as,
                    fl | ans_fl, fg, UI_ALIGN_CENTER, 1, an, t);
        /* A scale is never split: an anchor word longer than its button even so is
         * hyphenated, and that is kept (the one hyphenation a layout accepts). */
        if (k->f->n_labels > 0)
            k->f->labels[k->f->n_labels - 1].broken = 0;
    }
}

/* The height of option i's row in a column cw wide. */
static int option_row_h(Kiosk *k, int i, int cw)
{
    const Metrics *mt = &k->mt;
    int th = kui_text_h(k, kui_tr(k, &kui_cur_q(k)->options[i].text), mt->body, 0,
                        cw - mt->lh_body - 4 * mt->pad) +
             2 * mt->pad;
    return th > mt->target ? th : mt->target;
}

/* Options first .. first + n - 1 fill cols columns top to bottom, then left to right; a row
 * is as high as its highest option. The total height, or with draw, also drawn from a.y. */
static int options_layout(Kiosk *k, UiRect a, int first, int n, int cols, int cw, int draw)
{
    const Metrics *mt = &k->mt;
    const SurveyQuestion *q = kui_cur_q(k);
    const Answer *ans = &k->r->answers[k->q];
    int rows = (n + cols - 1) / cols, y = a.y, box = mt->lh_body;
    for (int r = 0; r < rows; r++) {
        int rh = mt->target;
        for (int c = 0; c < cols; c++)
            if (c * rows + r < n) {
                int th = option_row_h(k, first + c * rows + r, cw);
                if (th > rh)
                    rh = th;
            }
        if (r)
            y += mt->gap / 2;
        for (int c = 0; draw && c < cols; c++) {
            int i = first + c * rows + r;
            if (c * rows + r >= n)
                continue;
            int sel = ans->state == ANSWER_GIVEN &&
                      (q->kind == SURVEY_MULTI ? (ans->chosen >> i) & 1 : ans->value == i);
            UiRect rr = {a.x + c * (cw + mt->gap), y, cw, rh};
            UiColor fg = sel ? c_white : c_fg;
            ui_rect(k->f, rr, kui_fill(k, rr, sel));
            ui_frame_border(k->f, rr, sel ? 3 : 2, sel ? c_fg : c_border);
            int t = ui_target(k->f, rr, ACT_OPTION, i, 1);
            /* The indicator: a check box for multiple choice, a radio dot (a glyph: the
             * renderer has no circles) for single choice. */
            UiRect bx = {rr.x + mt->pad, rr.y + (rh - box) / 2, box, box};
            if (q->kind == SURVEY_MULTI) {
                ui_rect(k->f, bx, c_white);
                ui_frame_border(k->f, bx, 2, c_fg);
                if (sel) {
                    int in = box / 5;
                    ui_rect(k->f, (UiRect){bx.x + in, bx.y + in, box - 2 * in, box - 2 * in}, c_fg);
                }
            } else {
                const char *dot = sel ? "\xE2\x97\x89" : "\xE2\x97\x8B"; /* ◉ ○ */
                int dw = kui_text_w(k, dot, mt->title, 0);
                ui_text_run(k->f, bx.x + (box - dw) / 2,
                            rr.y + (rh - mt->lh_title) / 2 - mt->lh_title / 12, mt->title,
                            sel ? UI_TEXT_ANSWER : 0, fg, dot, strlen(dot));
            }
            /* A chosen option in bold where that fits in the row (the row is measured in
             * the regular weight, so choosing never changes the layout or its pages). */
            const char *ot = kui_tr(k, &q->options[i].text);
            UiRect lb = {bx.x + box + 2 * mt->pad, rr.y + 2, rr.w - box - 4 * mt->pad, rr.h - 4};
            int fl =
                sel && kui_text_h(k, ot, mt->body, UI_TEXT_BOLD, lb.w) <= lb.h ? UI_TEXT_BOLD : 0;
            ui_text_box(k->f, lb, mt->body, fl | (sel ? UI_TEXT_ANSWER : 0), fg, UI_ALIGN_LEFT, 1,
                        ot, t);
        }
        y += rh;
    }
    return y - a.y;
}

/* "◂ Previous options" / "More options ▸": the arrow is drawn beside the label, not in it,
 * so that a script taps "Previous options" as a person reads it. Disabled on the first /
 * last page (still there, so the row never moves). */
static void page_button(Kiosk *k, UiRect r, const char *label, int arrow_left, int enabled, int arg)
{
    const Metrics *mt = &k->mt;
    UiFrame *f = k->f;
    UiColor fg = enabled ? c_fg : c_disabled_fg;
    ui_rect(f, r, !enabled ? c_disabled_bg : kui_fill(k, r, 0));
    ui_frame_border(f, r, 2, c_border);
    int t = ui_target(f, r, ACT_OPT_PAGE, arg, enabled);
    const char *arrow = arrow_left ? "\xE2\x97\x82" : "\xE2\x96\xB8"; /* ◂ ▸ */
    int aw = kui_text_w(k, arrow, mt->body, UI_TEXT_BOLD), sp = mt->pad;
    int lw = kui_text_w(k, label, mt->body, 0), inner = r.w - 2 * mt->pad;
    int lh = kui_text_h(k, label, mt->body, 0, inner - aw - sp);
    if (aw + sp + lw <= inner) /* one line: arrow and label centred together */
        inner = aw + sp + lw;
    else
        lw = inner - aw - sp;
    int x = r.x + (r.w - inner) / 2, ay = r.y + (r.h - mt->lh_body) / 2;
    int lx = arrow_left ? x + aw + sp : x;
    ui_text_run(f, arrow_left ? x : x + inner - aw, ay, mt->body, UI_TEXT_BOLD, fg, arrow,
                strlen(arrow));
    ui_text_box(f,
                (UiRect){lx, r.y + (r.h - lh) / 2 > r.y + 2 ? r.y + (r.h - lh) / 2 : r.y + 2, lw,
                         lh < r.h - 4 ? lh : r.h - 4},
                mt->body, 0, fg, aw + sp + lw <= inner ? UI_ALIGN_LEFT : UI_ALIGN_CENTER, 0, label,
                t);
}

/* Single and multiple choice: a list of option rows with a check box, in columns if needed;
 * when kiosk_frame asks for pages (k->paging), as many options per page as fit in one or
 * two columns, with "◂ Previous options", "options 1–6 of 16" and "More options ▸" in a row
 * at the bottom of the area (the same place on every page). */
static void build_choice(Kiosk *k, UiRect a)
{
    const Metrics *mt = &k->mt;
    int n = kui_cur_q(k)->n_options;
    k->opt_pages = 1;
    k->opt_first = 0;
    k->opt_count = n;
    if (!k->paging) {
        for (int cols = 1;; cols++) {
            int cw = (a.w - (cols - 1) * mt->gap) / cols;
            int total = options_layout(k, a, 0, n, cols, cw, 0);
            if (total <= a.h || cols == 3 || cw / 2 < 3 * mt->target) {
                kui_need(k, total <= a.h);
                options_layout(k, a, 0, n, cols, cw, 1);
                return;
            }
        }
    }
    UiRect oa = {a.x, a.y, a.w, a.h - mt->target - mt->gap};
    kui_need(k, oa.h >= mt->target);
    /* Pages filled greedily; two columns when they are wide enough and need fewer pages. */
    int best_cols = 0, best_np = 0, best_ok = 0, best_start[SURVEY_MAX_OPTIONS + 1];
    for (int cols = 1; cols <= 2; cols++) {
        int cw = (a.w - (cols - 1) * mt->gap) / cols;
        if (cols > 1 && cw < 4 * mt->target)
            break;
        int start[SURVEY_MAX_OPTIONS + 1], np = 0, ok = 1;
        for (int first = 0; first < n;) {
            int cnt = 1;
            while (first + cnt < n && options_layout(k, oa, first, cnt + 1, cols, cw, 0) <= oa.h)
                cnt++;
            if (options_layout(k, oa, first, cnt, cols, cw, 0) > oa.h)
                ok = 0; /* one option alone is too high: smaller fonts are tried next */
            start[np++] = first;
            first += cnt;
        }
        start[np] = n;
        if (!best_cols || ok > best_ok || (ok == best_ok && np < best_np)) {
            best_cols = cols;
            best_np = np;
            best_ok = ok;
            memcpy(best_start, start, sizeof start);
        }
    }
    kui_need(k, best_ok);
    if (k->opt_page >= best_np)
        k->opt_page = best_np - 1;
    int p = k->opt_page, cw = (a.w - (best_cols - 1) * mt->gap) / best_cols;
    k->opt_pages = best_np;
    k->opt_first = best_start[p];
    k->opt_count = best_start[p + 1] - best_start[p];
    options_layout(k, oa, k->opt_first, k->opt_count, best_cols, cw, 1);

    char ind[96];
    if (k->opt_count == 1)
        snprintf(ind, sizeof ind, "%s %d %s %d", kui_words(k)->option_word, k->opt_first + 1,
                 kui_words(k)->of, n);
    else
        snprintf(ind, sizeof ind, "%s %d\xE2\x80\x93%d %s %d", kui_words(k)->options_word,
                 k->opt_first + 1, k->opt_first + k->opt_count, kui_words(k)->of, n);
    int ny = a.y + a.h - mt->target;
    /* The widest the indicator gets ("options 16–16 of 16"): the buttons never move. */
    char widest[96];
    snprintf(widest, sizeof widest, "%s %d\xE2\x80\x93%d %s %d", kui_words(k)->options_word, n, n,
             kui_words(k)->of, n);
    int iw = kui_text_w(k, widest, mt->body, 0), iw1 = kui_text_w(k, ind, mt->body, 0);
    if (iw1 > iw)
        iw = iw1;
    int bw = (a.w - iw - 2 * mt->gap) / 2;
    if (bw > 5 * mt->target)
        bw = 5 * mt->target;
    kui_need(k, bw >= 2 * mt->target);
    page_button(k, (UiRect){a.x, ny, bw, mt->target}, kui_words(k)->prev_options, 1, p > 0, -1);
    page_button(k, (UiRect){a.x + a.w - bw, ny, bw, mt->target}, kui_words(k)->more_options, 0,
                p + 1 < best_np, 1);
    ui_text_box(k->f, (UiRect){a.x + bw + mt->gap, ny, a.w - 2 * bw - 2 * mt->gap, mt->target},
                mt->body, 0, c_muted, UI_ALIGN_CENTER, 1, ind, -1);
}

/* The text field with the caret, showing the lines around the caret. */
static void text_field(Kiosk *k, UiRect r, int action)
{
    const Metrics *mt = &k->mt;
    UiFrame *f = k->f;
    ui_rect(f, r, action == ACT_FIELD && kui_pressed(k, r) ? c_pressed : c_field);
    ui_frame_border(f, r, 2, c_primary);
    int t = ui_target(f, r, action, 0, 1);
    UiRect in = {r.x + mt->pad, r.y + mt->pad / 2, r.w - 2 * mt->pad, r.h - mt->pad};
    const OskEdit *e = &k->edit;
    if (e->len == 0) {
        const char *ph = action == ACT_FIELD ? kui_words(k)->tap_to_type : kui_words(k)->type_here;
        ui_text_box(f, (UiRect){in.x + 4, in.y, in.w - 4, mt->lh_body}, mt->body, 0, c_muted,
                    UI_ALIGN_LEFT, 0, ph, t);
        ui_rect(f, (UiRect){in.x, in.y + 2, 2, mt->lh_body - 4}, c_fg);
        return;
    }
    enum { MAXL = 512 };
    size_t starts[MAXL], lens[MAXL];
    int nl = ui_wrap_lines(&f->m, e->buf, e->len, mt->body, UI_TEXT_SECRET, in.w - 4, starts, lens,
                           MAXL);
    if (nl > MAXL)
        nl = MAXL;
    int cl = nl - 1; /* the caret's line */
    for (int i = 0; i < nl; i++) {
        if (e->caret <= starts[i] + lens[i] || (i + 1 < nl && e->caret < starts[i + 1])) {
            cl = i;
            break;
        }
    }
    int vis = in.h / mt->lh_body;
    if (vis < 1)
        vis = 1;
    int first = cl - vis + 1 > 0 ? cl - vis + 1 : 0;
    if (first + vis > nl && nl > vis)
        first = nl - vis;
    for (int i = first; i < nl && i < first + vis; i++) {
        int y = in.y + (i - first) * mt->lh_body;
        ui_text_run(f, in.x + 4, y, mt->body, UI_TEXT_SECRET, c_fg, e->buf + starts[i], lens[i]);
        if (i == cl) {
            size_t upto = e->caret > starts[i] + lens[i] ? lens[i] : e->caret - starts[i];
            int cx =
                in.x + 4 +
                (upto ? f->m.width(f->m.ctx, mt->body, UI_TEXT_SECRET, e->buf + starts[i], upto)
                      : 0);
            ui_rect(f, (UiRect){cx - 1, y + 2, 2, mt->lh_body - 4}, c_fg);
        }
    }
    ui_label_add(f, in, e->buf, e->len, t, 0);
}

/* The words beside the counter: at the limit, that it is reached; else the gentle hint, once:
 * the question's own help where the question screen does not already show it (the typing
 * screen), our "please don't name..." where the question has no help. buf holds it. */
static const char *counter_hint(const Kiosk *k, char *buf, size_t cap)
{
    const SurveyQuestion *q = kui_cur_q(k);
    if (osk_edit_chars(&k->edit) >= q->max_length) {
        snprintf(buf, cap, "%s%d%s", kui_words(k)->limit_pre, q->max_length, kui_words(k)->limit_post);
        return buf;
    }
    const char *help = kui_tr(k, &q->help);
    if (!help[0])
        return kui_words(k)->hint;
    return k->screen == KS_TYPING ? help : "";
}

/* The width of the counter "420/500" at its widest, so the hint never moves. */
static int counter_w(const Kiosk *k)
{
    char cnt[32];
    int m = kui_cur_q(k)->max_length;
    snprintf(cnt, sizeof cnt, "%d/%d", m, m);
    return kui_text_w(k, cnt, k->mt.small, UI_TEXT_BOLD);
}

/* The height counter_line takes in width w. */
static int counter_h(const Kiosk *k, int w)
{
    char buf[160];
    const char *hint = counter_hint(k, buf, sizeof buf);
    int hh = hint[0] ? kui_text_h(k, hint, k->mt.small, 0, w - counter_w(k) - k->mt.gap) : 0;
    return hh > k->mt.lh_small ? hh : k->mt.lh_small;
}

/* Counter "42/500" at the right and the hint at the left; returns its height. The counter
 * turns to the note colour, in bold, from nine tenths of the limit on, so the limit is seen
 * before it stops the typing; at the limit the hint says so. */
static int counter_line(Kiosk *k, int x, int y, int w)
{
    const Metrics *mt = &k->mt;
    char cnt[32], buf[160];
    int n = osk_edit_chars(&k->edit), max = kui_cur_q(k)->max_length;
    int near = n * 10 >= max * 9;
    /* The count says how much the participant wrote: theirs, as their words are. */
    snprintf(cnt, sizeof cnt, "%d/%d", n, max);
    int cwid = counter_w(k);
    ui_text_box(k->f, (UiRect){x + w - cwid, y, cwid, mt->lh_small}, mt->small,
                UI_TEXT_SECRET | (near ? UI_TEXT_BOLD : 0), near ? c_note : c_muted,
                UI_ALIGN_RIGHT, 0, cnt, -1);
    const char *hint = counter_hint(k, buf, sizeof buf);
    int hw = w - cwid - mt->gap;
    int hh = hint[0] ? kui_text_h(k, hint, mt->small, 0, hw) : 0;
    if (hint[0])
        ui_text_box(k->f, (UiRect){x, y, hw, hh}, mt->small, n >= max ? UI_TEXT_BOLD : 0, c_note,
                    UI_ALIGN_LEFT, 0, hint, -1);
    return hh > mt->lh_small ? hh : mt->lh_small;
}

/* Key rows: a target high at small sizes, a bit less than a button on big screens. */
static int kb_height(const Kiosk *k)
{
    int row = k->mt.target * 4 / 5;
    if (row < UI_MIN_TARGET)
        row = UI_MIN_TARGET;
    return OSK_ROWS * row;
}

static UiRect kb_rect(const Kiosk *k, int bottom)
{
    int w = k->fw, kw = w;
    int maxw = 80 * k->mt.s / 1000 * 10;
    if (w - 2 * k->mt.m >= 10 * UI_MIN_TARGET)
        kw = w - 2 * k->mt.m;
    if (kw > maxw && maxw >= 10 * UI_MIN_TARGET)
        kw = maxw;
    int h = kb_height(k);
    return (UiRect){(w - kw) / 2, bottom - h, kw, h};
}

static void build_text(Kiosk *k, UiRect a)
{
    const Metrics *mt = &k->mt;
    int field_h = 2 * mt->lh_body + mt->pad;
    if (field_h < mt->target)
        field_h = mt->target;
    int line_h = counter_h(k, a.w) + mt->lh_small;
    int kbh = kb_height(k);
    int inline_kb = a.h >= field_h + mt->pad + line_h + mt->gap + kbh;
    if (inline_kb) { /* grow the field into the free space, up to 6 lines */
        int room = a.h - (mt->pad + line_h + mt->gap + kbh);
        int six = 6 * mt->lh_body + mt->pad;
        field_h = room > six ? six : room;
        if (field_h < mt->target)
            field_h = mt->target;
    }
    k->kb_inline = inline_kb;
    if (!inline_kb) {
        field_h = a.h - line_h - mt->gap;
        if (field_h > 4 * mt->lh_body + mt->pad)
            field_h = 4 * mt->lh_body + mt->pad;
        kui_need(k, field_h >= mt->target);
        if (field_h < mt->target)
            field_h = mt->target;
    }
    text_field(k, (UiRect){a.x, a.y, a.w, field_h}, inline_kb ? ACT_NONE : ACT_FIELD);
    counter_line(k, a.x, a.y + field_h + mt->pad, a.w);
    if (inline_kb) {
        UiRect kr = kb_rect(k, a.y + a.h);
        k->osk.contrast = k->theme == &kiosk_theme_contrast;
    osk_layout(k->f, kr, &k->osk, ACT_KEY, mt->body, kui_pressed_at(k), NULL);
    }
}

static int next_ok_now(Kiosk *k)
{
    /* The editor's text counts as the answer being given. */
    if (kui_cur_q(k)->kind == SURVEY_TEXT && k->edit.len > 0)
        return 1;
    return response_question_ok(k->r, k->q);
}

/* Whether no earlier question of the current one's section is shown to this participant. */
static int first_shown_of_section(const Kiosk *k)
{
    const SurveySection *sec = &k->s->sections[kui_cur_q(k)->section];
    for (int i = sec->first_question; i < k->q; i++)
        if (response_visible(k->r, i))
            return 0;
    return 1;
}

static void build_question(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    const SurveyQuestion *q = kui_cur_q(k);
    int w = k->fw, cw = w - 2 * mt->m;
    int y = header(k);
    int bottom = footer(k, next_ok_now(k), k->paging);
    /* The section's intro, on the first of its questions the participant is shown. */
    const SurveySection *sec = &k->s->sections[q->section];
    const char *si = kui_tr(k, &sec->intro);
    if (si[0] && first_shown_of_section(k)) {
        int ih = kui_text_h(k, si, mt->small, 0, cw);
        ui_text_box(k->f, (UiRect){mt->m, y, cw, ih}, mt->small, 0, c_muted, UI_ALIGN_LEFT, 0, si,
                    -1);
        y += ih + mt->pad;
    }
    const char *qt = kui_tr(k, &q->text);
    int qh = kui_text_h(k, qt, mt->title, UI_TEXT_BOLD, cw);
    ui_text_box(k->f, (UiRect){mt->m, y, cw, qh}, mt->title, UI_TEXT_BOLD, c_fg, UI_ALIGN_LEFT, 0,
                qt, -1);
    y += qh + mt->pad;
    const char *help = kui_tr(k, &q->help);
    if (help[0]) {
        int hh = kui_text_h(k, help, mt->small, 0, cw);
        ui_text_box(k->f, (UiRect){mt->m, y, cw, hh}, mt->small, 0, c_muted, UI_ALIGN_LEFT, 0, help,
                    -1);
        y += hh;
    }
    y += mt->gap;
    UiRect a = {mt->m, y, cw, bottom - y};
    kui_need(k, a.h >= mt->target);
    if (a.h < mt->target)
        a.h = mt->target;
    switch (q->kind) {
    case SURVEY_LIKERT:
        build_likert(k, a);
        break;
    case SURVEY_SINGLE:
    case SURVEY_MULTI:
        build_choice(k, a);
        break;
    case SURVEY_TEXT:
        build_text(k, a);
        break;
    }
}

/* The full keyboard for a text question on small screens. */
static void build_typing(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    const SurveyQuestion *q = kui_cur_q(k);
    int w = k->fw, cw = w - 2 * mt->m;
    /* Keyboard cells tile the bottom; the field grows into what the question leaves. */
    UiRect kr = kb_rect(k, k->fh);
    int top = mt->top + mt->pad;
    const char *qt = kui_tr(k, &q->text);
    int qsize = mt->body, qh = kui_text_h(k, qt, qsize, UI_TEXT_BOLD, cw);
    int ch = counter_h(k, cw);
    int fixed = mt->pad + ch + mt->pad / 2 + mt->pad / 2;
    if (top + qh + fixed + mt->target > kr.y) {
        qsize = mt->small;
        qh = kui_text_h(k, qt, qsize, UI_TEXT_BOLD, cw);
    }
    int fh = kr.y - (top + qh + fixed);
    if (fh > 4 * mt->lh_body + mt->pad)
        fh = 4 * mt->lh_body + mt->pad;
    kui_need(k, fh >= mt->target);
    if (fh < mt->target)
        fh = mt->target;
    int fy = kr.y - mt->pad / 2 - fh;
    int dw = 2 * mt->target;
    kui_button(k, (UiRect){w - mt->m - dw, fy + fh - mt->target, dw, mt->target}, kui_words(k)->done,
               mt->body, B_PRIMARY, ACT_DONE, 0);
    text_field(k, (UiRect){mt->m, fy, cw - dw - mt->gap, fh}, ACT_NONE);
    int ly = fy - mt->pad / 2 - ch;
    counter_line(k, mt->m, ly, cw);
    kui_need(k, top + qh <= ly);
    ui_text_box(k->f, (UiRect){mt->m, top, cw, qh}, qsize, UI_TEXT_BOLD, c_fg, UI_ALIGN_LEFT, 0, qt,
                -1);
    k->osk.contrast = k->theme == &kiosk_theme_contrast;
    osk_layout(k->f, kr, &k->osk, ACT_KEY, mt->body, kui_pressed_at(k), NULL);
}

/* A participant-readable summary of one answer (written into buf). */
static const char *answer_summary(const Kiosk *k, int qi, char *buf, size_t cap)
{
    const SurveyQuestion *q = &k->s->questions[qi];
    const Answer *a = &k->r->answers[qi];
    if (a->state == ANSWER_DECLINED) {
        const char *pn = kui_tr(k, &k->s->prefer_not_label);
        return pn[0] ? pn : "Prefer not to answer";
    }
    if (a->state != ANSWER_GIVEN)
        return kui_words(k)->not_answered;
    size_t n = 0;
    buf[0] = '\0';
    switch (q->kind) {
    case SURVEY_LIKERT: {
        /* As it reads: "Agree"; a numbered scale says where on it: "3 of 5", "5 of 5 (high)". */
        const char *an = kui_tr(k, &q->anchors[a->value - 1]);
        if (anchor_numbered(an, a->value)) {
            const char *rest = an + strcspn(an, " ");
            snprintf(buf, cap, "%d %s %d%s", a->value, kui_words(k)->of, q->scale, rest);
        } else {
            snprintf(buf, cap, "%s", an);
        }
        break;
    }
    case SURVEY_SINGLE:
        snprintf(buf, cap, "%s", kui_tr(k, &q->options[a->value].text));
        break;
    case SURVEY_MULTI:
        for (int i = 0; i < q->n_options; i++) {
            if (!((a->chosen >> i) & 1))
                continue;
            int wr = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", kui_tr(k, &q->options[i].text));
            if (wr < 0 || (size_t)wr >= cap - n)
                break;
            n += (size_t)wr;
        }
        break;
    case SURVEY_TEXT:
        snprintf(buf, cap, "%s", a->text ? a->text : "");
        break;
    }
    /* At most ~120 characters (a long text, many long options), cut at a character boundary
     * with an ellipsis, so that a row always fits a page of the review. */
    size_t len = strlen(buf), cut = 0;
    int chars = 0;
    while (cut < len && chars < 120) {
        cut += ui_utf8_len(buf + cut, len - cut);
        chars++;
    }
    if (cut < len && cut + 4 <= cap) {
        secmem_wipe(buf + cut, len - cut);
        memcpy(buf + cut, "\xE2\x80\xA6", 4);
    }
    return buf;
}

/* A review row's height, and the heights of its question (*qh) and answer (*ah). */
static int review_row_h(Kiosk *k, int qi, int tw, char *buf, size_t cap, int *qh, int *ah)
{
    const Metrics *mt = &k->mt;
    *qh = kui_text_h(k, kui_tr(k, &k->s->questions[qi].text), mt->small, 0, tw);
    *ah =
        kui_text_h(k, answer_summary(k, qi, buf, cap), mt->body, UI_TEXT_BOLD | UI_TEXT_SECRET, tw);
    secmem_wipe(buf, cap);
    int h = *qh + *ah + 2 * mt->pad;
    return h < mt->target ? mt->target : h;
}

static void build_review(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    UiFrame *f = k->f;
    int w = k->fw, cw = w - 2 * mt->m;
    int y = mt->top + mt->m;
    const char *title = kui_words(k)->review_title;
    int th = kui_text_h(k, title, mt->title, UI_TEXT_BOLD, cw);
    ui_text_box(f, (UiRect){mt->m, y, cw, th}, mt->title, UI_TEXT_BOLD, c_fg, UI_ALIGN_LEFT, 0,
                title, -1);
    y += th + mt->gap;
    int fy = k->fh - mt->m - mt->target;
    int list_bottom = fy - mt->gap;
    int ew = kui_text_w(k, kui_words(k)->edit, mt->body, 0) + 2 * mt->pad;
    if (ew < mt->target * 3 / 2)
        ew = mt->target * 3 / 2;
    int tw = cw - ew - 3 * mt->pad;
    enum { CAP = 1024 };
    char *buf = secmem_alloc(CAP);
    if (!buf) {
        k->fits = 0;
        return;
    }
    /* Pages: greedy fill of the visible questions (heights kept for drawing the page). */
    int page = 0, start = -1, end = -1, yy = y, page_count = 1;
    int row_h[SURVEY_MAX_QUESTIONS], q_h[SURVEY_MAX_QUESTIONS], a_h[SURVEY_MAX_QUESTIONS];
    for (int i = 0; i < k->s->n_questions; i++) {
        if (!response_visible(k->r, i))
            continue;
        int rh = row_h[i] = review_row_h(k, i, tw, buf, CAP, &q_h[i], &a_h[i]);
        if (yy + rh > list_bottom && yy > y) {
            page++;
            page_count++;
            yy = y;
        }
        if (page == k->page) {
            if (start < 0)
                start = i;
            end = i;
        }
        yy += rh + mt->gap / 2;
    }
    if (k->page >= page_count)
        k->page = page_count - 1;
    if (start < 0) { /* page clamped: rebuild on the next frame */
        k->dirty = 1;
        start = end = 0;
    }
    for (int i = start; i <= end; i++) {
        if (!response_visible(k->r, i))
            continue;
        int rh = row_h[i];
        kui_need(k, y + rh <= list_bottom);
        UiRect rr = {mt->m, y, cw, rh};
        ui_rect(f, rr, kui_fill(k, rr, 0));
        ui_frame_border(f, rr, 1, c_border);
        int t = ui_target(f, rr, ACT_EDIT, i, 1);
        const char *qt = kui_tr(k, &k->s->questions[i].text);
        int qh = q_h[i], ah = a_h[i];
        ui_text_box(f, (UiRect){rr.x + mt->pad, y + mt->pad, tw, qh}, mt->small, 0, c_muted,
                    UI_ALIGN_LEFT, 0, qt, t);
        const char *as = answer_summary(k, i, buf, CAP);
        ui_text_box(f, (UiRect){rr.x + mt->pad, y + mt->pad + qh, tw, ah}, mt->body,
                    UI_TEXT_BOLD | UI_TEXT_SECRET, c_fg, UI_ALIGN_LEFT, 0, as, t);
        secmem_wipe(buf, CAP);
        UiRect er = {rr.x + rr.w - ew - mt->pad, y + (rh - mt->lh_body) / 2, ew, mt->lh_body};
        ui_text_box(f, er, mt->body, 0, c_primary, UI_ALIGN_CENTER, 0, kui_words(k)->edit, t);
        y += rh + mt->gap / 2;
    }
    secmem_free(buf);
    int bw = (cw - 3 * mt->gap) / 4;
    if (page_count > 1) {
        /* "page 1 of 2", in the title's line at the right */
        char pg[64];
        snprintf(pg, sizeof pg, "%s %d %s %d", kui_words(k)->page_word, k->page + 1, kui_words(k)->of,
                 page_count);
        int pw = kui_text_w(k, pg, mt->small, 0);
        ui_text_box(f, (UiRect){mt->m + cw - pw, mt->top + mt->m, pw, mt->lh_small}, mt->small, 0,
                    c_muted, UI_ALIGN_RIGHT, 0, pg, -1);
        kui_button(k, (UiRect){mt->m + bw + mt->gap, fy, bw, mt->target}, kui_words(k)->earlier,
                   mt->body, k->page > 0 ? B_NORMAL : B_DISABLED, ACT_PAGE, -1);
        kui_button(k, (UiRect){mt->m + 2 * (bw + mt->gap), fy, bw, mt->target}, kui_words(k)->more,
                   mt->body, k->page + 1 < page_count ? B_NORMAL : B_DISABLED, ACT_PAGE, 1);
    }
    kui_button(k, (UiRect){mt->m, fy, bw, mt->target}, kui_words(k)->back, mt->body, B_NORMAL, ACT_BACK,
               0);
    kui_button(k, (UiRect){w - mt->m - bw, fy, bw, mt->target}, kui_words(k)->submit, mt->body,
               B_PRIMARY, ACT_SUBMIT, 0);
}

static void build_message(Kiosk *k, const char *title, const char *body, const char *ok)
{
    const Metrics *mt = &k->mt;
    int w = k->fw, cw = w - 2 * mt->m;
    int th = kui_text_h(k, title, mt->big, UI_TEXT_BOLD, cw);
    int bh = body ? kui_text_h(k, body, mt->body, 0, cw) : 0;
    int total = th + mt->gap + bh + (ok ? 2 * mt->gap + mt->target : 0);
    int y = mt->top + (k->fh - mt->top - total) / 2;
    kui_need(k, total <= k->fh - mt->top - 2 * mt->m);
    if (y < mt->top + mt->m)
        y = mt->top + mt->m;
    ui_text_box(k->f, (UiRect){mt->m, y, cw, th}, mt->big, UI_TEXT_BOLD, c_fg, UI_ALIGN_CENTER, 0,
                title, -1);
    y += th + mt->gap;
    if (body) {
        ui_text_box(k->f, (UiRect){mt->m, y, cw, bh}, mt->body, 0, c_muted, UI_ALIGN_CENTER, 0,
                    body, -1);
        y += bh + 2 * mt->gap;
    }
    if (ok) {
        int bw = 3 * mt->target;
        kui_button(k, (UiRect){(w - bw) / 2, y, bw, mt->target}, ok, mt->body, B_PRIMARY, ACT_OK,
                   0);
    }
}

/* A box over the whole screen (which it covers: nothing under it can be read or tapped) with
 * a title, a body and a row for buttons; returns the box, *y the top of the button row and
 * *iw the inner width. */
static UiRect overlay_box(Kiosk *k, const char *title, const char *body, int *y, int *iw)
{
    const Metrics *mt = &k->mt;
    UiFrame *f = k->f;
    f->n_targets = 0;
    f->n_labels = 0;
    ui_rect(f, (UiRect){0, 0, k->fw, k->fh}, c_overlay);
    int dw = k->fw - 2 * mt->m;
    if (dw > 24 * mt->body)
        dw = 24 * mt->body;
    *iw = dw - 2 * mt->m;
    int th = kui_text_h(k, title, mt->title, UI_TEXT_BOLD, *iw);
    int bh = kui_text_h(k, body, mt->body, 0, *iw);
    int dh = mt->m + th + mt->gap + bh + 2 * mt->gap + mt->target + mt->m;
    kui_need(k, dh <= k->fh);
    UiRect d = {(k->fw - dw) / 2, (k->fh - dh) / 2, dw, dh};
    ui_rect(f, d, c_white);
    ui_frame_border(f, d, 3, c_primary);
    *y = d.y + mt->m;
    ui_text_box(f, (UiRect){d.x + mt->m, *y, *iw, th}, mt->title, UI_TEXT_BOLD, c_fg,
                UI_ALIGN_CENTER, 0, title, -1);
    *y += th + mt->gap;
    ui_text_box(f, (UiRect){d.x + mt->m, *y, *iw, bh}, mt->body, 0, c_fg, UI_ALIGN_CENTER, 0, body,
                -1);
    *y += bh + 2 * mt->gap;
    return d;
}

/* "Are you still there?": whoever walks up to an abandoned kiosk must not read the previous
 * participant's answers while the countdown runs; a tap anywhere answers it. */
static void build_warning(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    char body[160];
    int left = kui_countdown_left(k), y, iw;
    snprintf(body, sizeof body, "%s%d%s", kui_words(k)->cleared_pre, left,
             left == 1 ? kui_words(k)->cleared_post_one : kui_words(k)->cleared_post);
    UiRect d = overlay_box(k, kui_words(k)->still_there, body, &y, &iw);
    ui_target(k->f, (UiRect){0, 0, k->fw, k->fh}, ACT_CONTINUE, 0, 1);
    int bw = 4 * mt->target > iw ? iw : 4 * mt->target;
    kui_button(k, (UiRect){d.x + (d.w - bw) / 2, y, bw, mt->target}, kui_words(k)->cont,
               mt->title, B_PRIMARY, ACT_CONTINUE, 0);
}

/* A careful exit's question, over the screen. */
static void build_dialog(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    const UiWords *wd = kui_words(k);
    int leave = k->dialog == DLG_LEAVE, y, iw;
    UiRect d = overlay_box(k, leave ? wd->leave_title : wd->empty_title,
                           leave ? wd->leave_body : wd->empty_body, &y, &iw);
    /* Staying is the safe choice and the prominent one; going ahead sits on the other side. */
    int bw = (iw - mt->gap) / 2;
    kui_button(k, (UiRect){d.x + mt->m, y, bw, mt->target}, leave ? wd->stay : wd->go_back,
               mt->body, B_PRIMARY, ACT_DLG_STAY, 0);
    kui_button(k, (UiRect){d.x + mt->m + bw + mt->gap, y, bw, mt->target},
               leave ? wd->leave : wd->submit_anyway, mt->body, B_NORMAL, ACT_DLG_GO, 0);
}

static void build(Kiosk *k, int pct)
{
    UiFrame *f = k->f;
    ui_frame_begin(f, k->fw, k->fh);
    kiosk_metrics_compute(&k->mt, &k->f->m, k->fw, k->fh, pct, k->relaxed ? 0 : k->cfg.dpi);
    k->fits = 1;
    k->opt_pages = 1;
    k->opt_first = k->opt_count = 0;
    ui_rect(f, (UiRect){0, 0, k->fw, k->fh}, c_bg);
    banner(k);
    switch (k->screen) {
    case KS_ATTRACT:
        build_attract(k);
        break;
    case KS_QUESTION:
        build_question(k);
        break;
    case KS_TYPING:
        build_typing(k);
        break;
    case KS_REVIEW:
        build_review(k);
        break;
    case KS_THANKS: {
        const char *t = kui_tr(k, &k->s->thanks);
        /* The survey's thanks usually says the answers were saved; ours only if it has none. */
        build_message(k, t[0] ? t : kui_words(k)->thanks, t[0] ? NULL : kui_words(k)->saved, NULL);
        break;
    }
    case KS_FAILED:
        build_message(k, kui_words(k)->failed_title, kui_words(k)->failed_body, kui_words(k)->ok);
        break;
    default:
        kadm_build(k);
        break;
    }
    if (k->dialog && !k->warn)
        build_dialog(k);
    if (k->warn)
        build_warning(k);
    /* A word broken inside reads badly: smaller fonts are tried first (a hyphenated word is
     * kept only where even 60 % cannot hold it). */
    for (int i = 0; i < f->n_labels; i++)
        if (f->labels[i].clipped || f->labels[i].broken)
            k->fits = 0;
    if (f->overflow)
        k->fits = 0;
}

const UiFrame *kiosk_frame(Kiosk *k, int w, int h)
{
    k->f->epoch = k->epoch;
    if (!k->dirty && !k->look_dirty && w == k->fw && h == k->fh)
        return k->f;
    k->fw = w;
    k->fh = h;
    k->dirty = k->look_dirty = 0;
    /* Targets of 9 mm where they fit; on a panel too small for them (a 3.5" one with the
     * demo banner), the 48 px minimum rather than a screen that does not work. */
    for (k->relaxed = 0; k->relaxed < (k->cfg.dpi > 0 ? 2 : 1); k->relaxed++) {
        k->paging = 0;
        for (int pct = k->large ? 130 : 100; pct >= KIOSK_MIN_PCT; pct -= 10) {
            build(k, pct);
            if (k->fits)
                return k->f;
        }
        /* Still too much at the smallest readable size: a choice question's options go on
         * pages (at the largest size that then fits), never clipped out of reach. */
        if (k->screen == KS_QUESTION && k->r &&
            (kui_cur_q(k)->kind == SURVEY_SINGLE || kui_cur_q(k)->kind == SURVEY_MULTI)) {
            k->paging = 1;
            for (int pct = k->large ? 130 : 100; pct >= KIOSK_MIN_PCT; pct -= 10) {
                build(k, pct);
                if (k->fits)
                    return k->f;
            }
        }
    }
    return k->f;
}
