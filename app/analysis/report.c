/* report: one self-contained HTML file (inline CSS and SVG, no scripts, no external
 * resources) with, per survey version, the tables an evaluation like the reference paper
 * publishes:
 *
 *   - responses per group;
 *   - Likert items: n (%) agreeing (top boxes) overall and per group with a two-sided Fisher
 *     exact p across the groups (2 x k, Freeman-Halton), like the paper's Table 2;
 *   - Likert items as 1..scale ratings: mean (SD) overall and per group with a Kruskal-Wallis
 *     p (Wilcoxon rank-sum when there are exactly two groups);
 *   - a diverging stacked bar chart per Likert item;
 *   - choice items as counts;
 *   - free-text answers, pooled over groups and shuffled.
 *
 * Small-group protection: a group with fewer than k answers to an item is not shown for that
 * item ("<k"). When exactly one group of an item is suppressed, the next smallest group is
 * suppressed too, because the overall column minus the others would reveal it. P-values are
 * computed on all answers (they reveal no cell). "Declined" and unanswered are left out of
 * every denominator.
 *
 * The optional sidecar is a TSV of the same numbers at full precision, for tests and for
 * checking against R.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "fsutil.h"
#include "sbuf.h"
#include "secmem.h"
#include "stats.h"

#define MAX_GROUPS STATS_MAX_GROUPS

typedef struct Groups {
    int n;
    char name[MAX_GROUPS][RESPONSE_MAX_LABEL + 16];  /* "label (date)": sidecar, chart */
    char label[MAX_GROUPS][RESPONSE_MAX_LABEL + 16]; /* table headers: label, then ... */
    char date[MAX_GROUPS][RESPONSE_DATE_LEN + 1];    /* ... the date on its own line */
    int *of;                                         /* group of each response, -1 if none */
    int n_ungrouped; /* responses without a group (by a question they did not answer) */
} Groups;

typedef struct Ctx {
    const AnalysisReportOptions *opt;
    Sbuf *html;
    Sbuf *side;
    const AdbSurveyData *sd;
    Groups g;
} Ctx;

/* ---------------------------------------------------------------- groups */

static int make_groups(const AdbSurveyData *sd, const char *by, Groups *g, DbError *err)
{
    memset(g->name, 0, sizeof g->name);
    memset(g->label, 0, sizeof g->label);
    memset(g->date, 0, sizeof g->date);
    g->n = 0;
    g->n_ungrouped = 0;
    g->of = calloc(sd->n_responses ? (size_t)sd->n_responses : 1, sizeof *g->of);
    if (!g->of)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    const Survey *s = sd->survey;
    int raw[MAX_GROUPS + 1];
    int n_raw;
    if (!by || strcmp(by, "session") == 0) {
        n_raw = sd->n_sessions;
        if (n_raw > MAX_GROUPS)
            return dberr_set(err, DB_ELIMIT, "more than %d sessions to compare", MAX_GROUPS);
        for (int i = 0; i < sd->n_responses; i++)
            g->of[i] = sd->responses[i].session;
    } else {
        int q = survey_find_question(s, by);
        if (q < 0)
            return dberr_set(err, DB_EINVAL, "--by %s: survey %s version %u has no such question",
                             by, s->id, s->version);
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind != SURVEY_SINGLE && sq->kind != SURVEY_LIKERT)
            return dberr_set(err, DB_EINVAL,
                             "--by %s: only a single-choice or Likert question can form groups",
                             by);
        n_raw = sq->kind == SURVEY_SINGLE ? sq->n_options : sq->scale;
        for (int i = 0; i < sd->n_responses; i++) {
            const AdbCell *c = &sd->responses[i].cells[q];
            if (c->state != ANSWER_GIVEN)
                g->of[i] = -1;
            else
                g->of[i] = sq->kind == SURVEY_SINGLE ? c->value : c->value - 1;
        }
    }
    /* Keep groups with at least one response, in their natural order. */
    int count[MAX_GROUPS] = {0};
    for (int i = 0; i < sd->n_responses; i++)
        if (g->of[i] >= 0)
            count[g->of[i]]++;
    for (int j = 0; j < n_raw; j++)
        raw[j] = count[j] > 0 ? g->n++ : -1;
    for (int i = 0; i < sd->n_responses; i++) {
        if (g->of[i] >= 0)
            g->of[i] = raw[g->of[i]];
        else
            g->n_ungrouped++;
    }
    for (int j = 0; j < n_raw; j++) {
        if (raw[j] < 0)
            continue;
        char *name = g->name[raw[j]];
        size_t cap = sizeof g->name[0];
        if (!by || strcmp(by, "session") == 0) {
            snprintf(name, cap, "%s (%s)", sd->sessions[j].label, sd->sessions[j].date);
            snprintf(g->label[raw[j]], sizeof g->label[0], "%s", sd->sessions[j].label);
            snprintf(g->date[raw[j]], sizeof g->date[0], "%s", sd->sessions[j].date);
        } else {
            const SurveyQuestion *sq = &s->questions[survey_find_question(s, by)];
            if (sq->kind == SURVEY_SINGLE)
                snprintf(name, cap, "%.60s", survey_text(&sq->options[j].text, 0));
            else
                snprintf(name, cap, "%d %.60s", j + 1, survey_text(&sq->anchors[j], 0));
            memcpy(g->label[raw[j]], name, sizeof g->label[0]);
        }
    }
    return DB_OK;
}

/* ---------------------------------------------------------------- formatting */

/* p as journals print it (and the reference paper: ".03", "1.00"): two decimals without
 * the leading zero; three below .01; more when rounding would lift a p below .05 to ".05";
 * "<.001" below that. */
void analysis_format_p(double p, char *out, size_t cap)
{
    if (isnan(p)) {
        snprintf(out, cap, "–");
        return;
    }
    if (p < 0.001) {
        snprintf(out, cap, "<.001");
        return;
    }
    int decimals = p < 0.01 ? 3 : 2;
    char num[32];
    snprintf(num, sizeof num, "%.*f", decimals, p);
    while (p < 0.05 && decimals < 4 && strtod(num, NULL) >= 0.05)
        snprintf(num, sizeof num, "%.*f", ++decimals, p);
    snprintf(out, cap, "%s", num[0] == '1' ? "1.00" : num + 1); /* "0.03" -> ".03" */
}

/* The formatted p, HTML-escaped, with "*" for p < .05. */
static void fmt_p(Sbuf *b, double p)
{
    char t[32];
    analysis_format_p(p, t, sizeof t);
    sbuf_html(b, t);
    if (p < 0.05)
        sbuf_puts(b, "*");
}

/* A group's column header: its label, and a session's date on a line of its own. */
static void group_th(Sbuf *b, const Groups *g, int i)
{
    sbuf_puts(b, "<th>");
    sbuf_html(b, g->label[i]);
    if (g->date[i][0]) {
        sbuf_puts(b, "<br><span class=\"date\">");
        sbuf_html(b, g->date[i]);
        sbuf_puts(b, "</span>");
    }
    sbuf_puts(b, "</th>");
}

/* Under a table with suppressed cells: what "<k" and the dagger mean, right where they are. */
static void suppression_note(Sbuf *b, int primary, int secondary, int k)
{
    if (!primary && !secondary)
        return;
    sbuf_puts(b, "<p class=\"note sup-note\">");
    if (primary)
        sbuf_printf(b,
                    "&lt;%d: fewer than %d answers; not shown, to protect the few who "
                    "answered.",
                    k, k);
    if (secondary)
        sbuf_printf(b,
                    "%s&lt;%d†: enough answers, but hidden as well, since with "
                    "“All groups” it would reveal a hidden cell.",
                    primary ? " " : "", k);
    sbuf_puts(b, "</p>\n");
}

/* Which groups to show for an item, given each group's n: primary suppression below k, and
 * secondary suppression when exactly one group is hidden. */
static void suppress(const int *n, int n_groups, int k, int *hidden)
{
    int n_hidden = 0;
    for (int j = 0; j < n_groups; j++) {
        hidden[j] = n[j] > 0 && n[j] < k;
        n_hidden += hidden[j];
    }
    if (n_hidden == 1 && n_groups > 1) {
        int best = -1;
        for (int j = 0; j < n_groups; j++)
            if (!hidden[j] && n[j] > 0 && (best < 0 || n[j] < n[best]))
                best = j;
        if (best >= 0)
            hidden[best] = 2; /* secondary */
    }
}

/* Agreement threshold on a scale: --agree is given for 5 points; a 7-point scale keeps the
 * same number of top boxes. */
static int agree_threshold(const AnalysisReportOptions *opt, int scale)
{
    int a = opt->agree > 0 ? opt->agree : 4;
    return a + (scale - 5);
}

/* ---------------------------------------------------------------- Likert */

typedef struct ItemStats {
    int n[MAX_GROUPS], agree[MAX_GROUPS], hidden[MAX_GROUPS];
    int dist[MAX_GROUPS][SURVEY_MAX_SCALE];
    int all_n, all_agree, all_dist[SURVEY_MAX_SCALE];
    double mean[MAX_GROUPS], sd[MAX_GROUPS], all_mean, all_sd;
    double fisher_p, rank_p, rank_stat;
    int rank_df, rank_exact;
    const char *rank_name;
    int fisher_err;
} ItemStats;

static int likert_stats(Ctx *c, int q, ItemStats *st, DbError *err)
{
    const AdbSurveyData *sd = c->sd;
    const SurveyQuestion *sq = &sd->survey->questions[q];
    memset(st, 0, sizeof *st);
    int thr = agree_threshold(c->opt, sq->scale);
    size_t nr = (size_t)sd->n_responses;
    double *all = malloc((nr ? nr : 1) * sizeof *all), *x = malloc((nr ? nr : 1) * sizeof *x);
    int *grp = malloc((nr ? nr : 1) * sizeof *grp);
    if (!all || !x || !grp) {
        free(all);
        free(x);
        free(grp);
        return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    size_t n_all = 0, n_grouped = 0;
    for (int i = 0; i < sd->n_responses; i++) {
        const AdbCell *cell = &sd->responses[i].cells[q];
        if (cell->state != ANSWER_GIVEN)
            continue;
        int v = cell->value, g = c->g.of[i];
        all[n_all++] = v;
        st->all_n++;
        st->all_agree += v >= thr;
        st->all_dist[v - 1]++;
        if (g < 0)
            continue;
        st->n[g]++;
        st->agree[g] += v >= thr;
        st->dist[g][v - 1]++;
        x[n_grouped] = v;
        grp[n_grouped++] = g;
    }
    st->all_mean = stats_mean(all, n_all);
    st->all_sd = stats_sd(all, n_all);
    for (int g = 0; g < c->g.n; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n_grouped; i++)
            if (grp[i] == g)
                all[m++] = x[i];
        st->mean[g] = stats_mean(all, m);
        st->sd[g] = stats_sd(all, m);
    }
    int b[MAX_GROUPS], non_empty = 0;
    for (int g = 0; g < c->g.n; g++) {
        b[g] = st->n[g] - st->agree[g];
        non_empty += st->n[g] > 0;
    }
    DbError e2;
    st->fisher_p = NAN;
    if (c->g.n >= 2 && stats_fisher_2xk(st->agree, b, c->g.n, &st->fisher_p, &e2) != DB_OK)
        st->fisher_err = 1;
    if (non_empty < 2)
        st->fisher_p = NAN;
    st->rank_p = NAN;
    st->rank_name = "";
    if (non_empty == 2) {
        /* Wilcoxon: the first non-empty group against the second. */
        int g1 = -1, g2 = -1;
        for (int g = 0; g < c->g.n; g++)
            if (st->n[g] > 0) {
                if (g1 < 0)
                    g1 = g;
                else
                    g2 = g;
            }
        size_t m1 = 0, m2 = 0;
        double *y = all; /* reuse: x-values of g1 first, then g2 */
        for (size_t i = 0; i < n_grouped; i++)
            if (grp[i] == g1)
                y[m1++] = x[i];
        for (size_t i = 0; i < n_grouped; i++)
            if (grp[i] == g2)
                y[m1 + m2++] = x[i];
        st->rank_name = "Wilcoxon rank-sum";
        stats_wilcoxon(y, m1, y + m1, m2, &st->rank_stat, &st->rank_p, &st->rank_exact, &e2);
    } else if (non_empty > 2) {
        st->rank_name = "Kruskal-Wallis";
        stats_kruskal(x, grp, n_grouped, c->g.n, &st->rank_stat, &st->rank_df, &st->rank_p, &e2);
    }
    suppress(st->n, c->g.n, c->opt->k, st->hidden);
    free(all);
    free(x);
    free(grp);
    return DB_OK;
}

static const char *const palette5[5] = {"#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"};
static const char *const palette7[7] = {"#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9",
                                        "#d1e5f0", "#67a9cf", "#2166ac"};

static const char *colour(int scale, int v)
{
    return scale == 7 ? palette7[v] : palette5[v < 5 ? v : 4];
}

/* One bar: disagreeing values left of the centre line, agreeing right, a neutral middle
 * value split across it. */
static void svg_bar(Sbuf *b, int y, const char *label, const int *dist, int n, int scale,
                    int hidden, int k)
{
    const double left = 230, half = 300, h = 20;
    /* at most 34 characters fit left of the bars; the full label is the tooltip */
    size_t cut = 0, chars = 0;
    while (label[cut] && chars < 34)
        if (((unsigned char)label[++cut] & 0xc0) != 0x80)
            chars++;
    sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"lab\"><title>", left - 8, y + 14);
    sbuf_html(b, label);
    sbuf_puts(b, "</title>");
    if (label[cut]) {
        char short_label[RESPONSE_MAX_LABEL + 16];
        snprintf(short_label, sizeof short_label, "%.*s", (int)cut, label);
        sbuf_html(b, short_label);
        sbuf_puts(b, "…");
    } else {
        sbuf_html(b, label);
    }
    sbuf_printf(b, "</text>");
    if (n == 0) {
        sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"sup\">no answers</text>", left + half,
                    y + 14);
        return;
    }
    if (hidden == 2) {
        sbuf_printf(b,
                    "<text x=\"%.0f\" y=\"%d\" class=\"sup\">not shown (†: it would reveal a "
                    "group with fewer than %d answers)</text>",
                    left + half, y + 14, k);
        return;
    }
    if (hidden) {
        sbuf_printf(b,
                    "<text x=\"%.0f\" y=\"%d\" class=\"sup\">not shown (fewer than %d "
                    "answers)</text>",
                    left + half, y + 14, k);
        return;
    }
    double mid = (scale % 2) ? dist[scale / 2] / 2.0 : 0;
    double below = mid;
    for (int v = 0; v < scale / 2; v++)
        below += dist[v];
    double x = left + half - half * below / n;
    for (int v = 0; v < scale; v++) {
        double w = half * dist[v] / n;
        if (w > 0)
            sbuf_printf(b,
                        "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\">"
                        "<title>%d: %d of %d</title></rect>",
                        x, y, w, h, colour(scale, v), v + 1, dist[v], n);
        x += w;
    }
    sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"n\">n=%d</text>", left + 2 * half + 6, y + 14,
                n);
}

/* A legend entry: "v anchor", or just the anchor when it starts with v ("1 (low)"). */
static int legend_numbered(const SurveyQuestion *sq, int v)
{
    char num[16];
    snprintf(num, sizeof num, "%d", v + 1);
    return strncmp(survey_text(&sq->anchors[v], 0), num, strlen(num)) == 0;
}

static double legend_width(const SurveyQuestion *sq, int v)
{
    size_t chars = response_utf8_chars(survey_text(&sq->anchors[v], 0));
    return 16 + 6.8 * (double)(chars + (legend_numbered(sq, v) ? 0 : 2)) + 14;
}

#define LEGEND_X 120
#define LEGEND_RIGHT 900

static void likert_chart(Ctx *c, const SurveyQuestion *sq, const ItemStats *st)
{
    int legend_lines = 1;
    double lx = LEGEND_X;
    for (int v = 0; v < sq->scale; v++) {
        double w = legend_width(sq, v);
        if (lx + w > LEGEND_RIGHT && lx > LEGEND_X) {
            lx = LEGEND_X;
            legend_lines++;
        }
        lx += w;
    }
    Sbuf *b = c->html;
    int rows = 1 + c->g.n, height = 26 * rows + 48 + 18 * legend_lines;
    sbuf_printf(b,
                "<svg class=\"chart\" width=\"900\" height=\"%d\" viewBox=\"0 0 900 %d\" "
                "role=\"img\" aria-label=\"distribution of answers\">",
                height, height);
    /* a scale: share of the group's answers left (disagreeing) and right (agreeing) */
    static const char *const ticks[5] = {"100%", "50%", "0", "50%", "100%"};
    for (int t = 0; t < 5; t++) {
        double x = 230 + 150.0 * t;
        if (t != 2)
            sbuf_printf(b, "<line x1=\"%.0f\" y1=\"0\" x2=\"%.0f\" y2=\"%d\" class=\"grid\"/>", x,
                        x, 26 * rows - 4);
        sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"tick\">%s</text>", x, 26 * rows + 8,
                    ticks[t]);
    }
    sbuf_printf(b, "<line x1=\"530\" y1=\"0\" x2=\"530\" y2=\"%d\" class=\"axis\"/>", 26 * rows);
    svg_bar(b, 0, "All groups", st->all_dist, st->all_n, sq->scale,
            st->all_n > 0 && st->all_n < c->opt->k, c->opt->k);
    for (int g = 0; g < c->g.n; g++)
        svg_bar(b, 26 * (g + 1), c->g.name[g], st->dist[g], st->n[g], sq->scale, st->hidden[g],
                c->opt->k);
    /* legend: one entry per value, "v anchor" (just the anchor when it starts with v),
     * wrapped onto a second line when it would not fit the chart's width */
    double x = LEGEND_X;
    int y = 26 * rows + 30;
    for (int v = 0; v < sq->scale; v++) {
        const char *anchor = survey_text(&sq->anchors[v], 0);
        int numbered = legend_numbered(sq, v);
        double w = legend_width(sq, v);
        if (x + w > LEGEND_RIGHT && x > LEGEND_X) {
            x = LEGEND_X;
            y += 18;
        }
        sbuf_printf(b, "<rect x=\"%.0f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y,
                    colour(sq->scale, v));
        sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"leg\">", x + 16, y + 10);
        if (!numbered)
            sbuf_printf(b, "%d ", v + 1);
        sbuf_html(b, anchor);
        sbuf_puts(b, "</text>");
        x += w;
    }
    sbuf_puts(b, "</svg>\n");
}

static void cell_agree(Sbuf *b, int n, int agree, int hidden, int k)
{
    if (n == 0)
        sbuf_puts(b, "<td class=\"num\">–</td>");
    else if (hidden)
        sbuf_printf(b, "<td class=\"num sup\">&lt;%d%s</td>", k, hidden == 2 ? "†" : "");
    else
        sbuf_printf(b, "<td class=\"num\">%d (%.0f)</td>", agree, 100.0 * agree / n);
}

static void cell_mean(Sbuf *b, int n, double mean, double sd, int hidden, int k)
{
    if (n == 0)
        sbuf_puts(b, "<td class=\"num\">–</td>");
    else if (hidden)
        sbuf_printf(b, "<td class=\"num sup\">&lt;%d%s</td>", k, hidden == 2 ? "†" : "");
    else if (isnan(sd))
        sbuf_printf(b, "<td class=\"num\">%.2f (–)</td>", mean);
    else
        sbuf_printf(b, "<td class=\"num\">%.2f (%.2f)</td>", mean, sd);
}

static void group_header(Ctx *c, const char *first, const char *last)
{
    Sbuf *b = c->html;
    sbuf_puts(b, "<thead><tr><th>");
    sbuf_html(b, first);
    sbuf_puts(b, "</th><th>All groups</th>");
    for (int g = 0; g < c->g.n; g++)
        group_th(b, &c->g, g);
    sbuf_printf(b, "<th>%s</th></tr></thead>\n", last);
}

static void side_num(Sbuf *b, double v)
{
    if (isnan(v))
        sbuf_puts(b, "NA");
    else
        sbuf_printf(b, "%.10g", v);
}

static int likert_section(Ctx *c, DbError *err)
{
    const Survey *s = c->sd->survey;
    int n_likert = 0;
    for (int q = 0; q < s->n_questions; q++)
        n_likert += s->questions[q].kind == SURVEY_LIKERT;
    if (n_likert == 0)
        return DB_OK;
    ItemStats *st = calloc((size_t)s->n_questions, sizeof *st);
    if (!st)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    int rc = DB_OK;
    for (int q = 0; q < s->n_questions && rc == DB_OK; q++)
        if (s->questions[q].kind == SURVEY_LIKERT)
            rc = likert_stats(c, q, &st[q], err);
    if (rc != DB_OK) {
        free(st);
        return rc;
    }
    Sbuf *b = c->html;
    int agree5 = c->opt->agree > 0 ? c->opt->agree : 4;
    sbuf_printf(b,
                "<h3>Agreement</h3>\n<table class=\"t\"><caption>No. (%%) agreeing (%d or "
                "higher on a 5-point scale; top boxes) and Fisher exact p across groups"
                "</caption>\n",
                agree5);
    group_header(c, "Question", "p");
    sbuf_puts(b, "<tbody>\n");
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind != SURVEY_LIKERT)
            continue;
        sbuf_puts(b, "<tr><td>");
        sbuf_html(b, survey_text(&sq->text, 0));
        sbuf_puts(b, "</td>");
        cell_agree(b, st[q].all_n, st[q].all_agree, st[q].all_n < c->opt->k, c->opt->k);
        for (int g = 0; g < c->g.n; g++)
            cell_agree(b, st[q].n[g], st[q].agree[g], st[q].hidden[g], c->opt->k);
        sbuf_puts(b, "<td class=\"num\">");
        if (st[q].fisher_err)
            sbuf_puts(b, "too large");
        else
            fmt_p(b, st[q].fisher_p);
        sbuf_puts(b, "</td></tr>\n");
    }
    sbuf_puts(b, "</tbody></table>\n");
    int prim = 0, sec = 0;
    for (int q = 0; q < s->n_questions; q++) {
        if (s->questions[q].kind != SURVEY_LIKERT)
            continue;
        prim |= st[q].all_n > 0 && st[q].all_n < c->opt->k;
        for (int g = 0; g < c->g.n; g++) {
            prim |= st[q].hidden[g] == 1;
            sec |= st[q].hidden[g] == 2;
        }
    }
    suppression_note(b, prim, sec, c->opt->k);

    sbuf_puts(b, "<h3>Ratings</h3>\n<table class=\"t\"><caption>Mean (SD) of the ratings "
                 "(1 = lowest) and a rank test across groups</caption>\n");
    group_header(c, "Question", "p (test)");
    sbuf_puts(b, "<tbody>\n");
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind != SURVEY_LIKERT)
            continue;
        sbuf_puts(b, "<tr><td>");
        sbuf_html(b, survey_text(&sq->text, 0));
        sbuf_puts(b, "</td>");
        cell_mean(b, st[q].all_n, st[q].all_mean, st[q].all_sd, st[q].all_n < c->opt->k, c->opt->k);
        for (int g = 0; g < c->g.n; g++)
            cell_mean(b, st[q].n[g], st[q].mean[g], st[q].sd[g], st[q].hidden[g], c->opt->k);
        sbuf_puts(b, "<td class=\"num\">");
        fmt_p(b, st[q].rank_p);
        if (st[q].rank_name[0])
            sbuf_printf(b, " <span class=\"test\">%s</span>",
                        strcmp(st[q].rank_name, "Kruskal-Wallis") == 0 ? "KW" : "W");
        sbuf_puts(b, "</td></tr>\n");
    }
    sbuf_puts(b, "</tbody></table>\n");
    suppression_note(b, prim, sec, c->opt->k);
    sbuf_puts(b, "<h3>Distributions</h3>\n");
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind != SURVEY_LIKERT)
            continue;
        sbuf_puts(b, "<figure><figcaption>");
        sbuf_html(b, survey_text(&sq->text, 0));
        sbuf_printf(b, " <span class=\"qid\">%s</span></figcaption>\n", sq->id);
        likert_chart(c, sq, &st[q]);
        sbuf_puts(b, "</figure>\n");
    }

    if (c->side) {
        Sbuf *t = c->side;
        for (int q = 0; q < s->n_questions; q++) {
            const SurveyQuestion *sq = &s->questions[q];
            if (sq->kind != SURVEY_LIKERT)
                continue;
            sbuf_printf(t, "likert\t%s\tall\t%d\t%d\t", sq->id, st[q].all_n, st[q].all_agree);
            side_num(t, st[q].all_mean);
            sbuf_puts(t, "\t");
            side_num(t, st[q].all_sd);
            sbuf_puts(t, "\t0\n");
            for (int g = 0; g < c->g.n; g++) {
                sbuf_printf(t, "likert\t%s\t%d\t%d\t%d\t", sq->id, g + 1, st[q].n[g],
                            st[q].agree[g]);
                side_num(t, st[q].mean[g]);
                sbuf_puts(t, "\t");
                side_num(t, st[q].sd[g]);
                sbuf_printf(t, "\t%d\n", st[q].hidden[g]);
            }
            sbuf_printf(t, "fisher\t%s\t", sq->id);
            side_num(t, st[q].fisher_p);
            sbuf_printf(t, "\nrank\t%s\t%s\t", sq->id, st[q].rank_name);
            side_num(t, st[q].rank_stat);
            sbuf_printf(t, "\t%d\t", st[q].rank_df);
            side_num(t, st[q].rank_p);
            sbuf_puts(t, "\n");
        }
    }
    free(st);
    return DB_OK;
}

/* ---------------------------------------------------------------- choice items */

static void choice_section(Ctx *c)
{
    const AdbSurveyData *sd = c->sd;
    const Survey *s = sd->survey;
    Sbuf *b = c->html;
    int any = 0;
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind != SURVEY_SINGLE && sq->kind != SURVEY_MULTI)
            continue;
        if (!any)
            sbuf_puts(b, "<h3>Choice questions</h3>\n");
        any = 1;
        int n[MAX_GROUPS] = {0}, hidden[MAX_GROUPS], all_n = 0, declined = 0;
        int cnt[MAX_GROUPS][SURVEY_MAX_OPTIONS], all_cnt[SURVEY_MAX_OPTIONS] = {0};
        memset(cnt, 0, sizeof cnt);
        for (int i = 0; i < sd->n_responses; i++) {
            const AdbCell *cell = &sd->responses[i].cells[q];
            declined += cell->state == ANSWER_DECLINED;
            if (cell->state != ANSWER_GIVEN)
                continue;
            int g = c->g.of[i];
            all_n++;
            if (g >= 0)
                n[g]++;
            for (int o = 0; o < sq->n_options; o++) {
                int chosen =
                    sq->kind == SURVEY_SINGLE ? cell->value == o : (int)((cell->chosen >> o) & 1u);
                all_cnt[o] += chosen;
                if (g >= 0)
                    cnt[g][o] += chosen;
            }
        }
        suppress(n, c->g.n, c->opt->k, hidden);
        sbuf_puts(b, "<table class=\"t\"><caption>");
        sbuf_html(b, survey_text(&sq->text, 0));
        sbuf_printf(b,
                    " <span class=\"qid\">%s</span> — No. (%%) of those answering%s; "
                    "%d declined</caption>\n",
                    sq->id, sq->kind == SURVEY_MULTI ? " (several answers possible)" : "",
                    declined);
        group_header(c, "Answer", "");
        sbuf_puts(b, "<tbody>\n");
        for (int o = 0; o < sq->n_options; o++) {
            sbuf_puts(b, "<tr><td>");
            sbuf_html(b, survey_text(&sq->options[o].text, 0));
            sbuf_puts(b, "</td>");
            cell_agree(b, all_n, all_cnt[o], all_n < c->opt->k, c->opt->k);
            for (int g = 0; g < c->g.n; g++)
                cell_agree(b, n[g], cnt[g][o], hidden[g], c->opt->k);
            sbuf_puts(b, "<td></td></tr>\n");
            if (c->side)
                sbuf_printf(c->side, "choice\t%s\t%s\t%d\t%d\n", sq->id, sq->options[o].id,
                            all_cnt[o], all_n);
        }
        sbuf_puts(b, "<tr class=\"n\"><td>n answering</td>");
        sbuf_printf(b, "<td class=\"num\">%d</td>", all_n);
        for (int g = 0; g < c->g.n; g++) {
            if (hidden[g])
                sbuf_printf(b, "<td class=\"num sup\">&lt;%d%s</td>", c->opt->k,
                            hidden[g] == 2 ? "†" : "");
            else
                sbuf_printf(b, "<td class=\"num\">%d</td>", n[g]);
        }
        sbuf_puts(b, "<td></td></tr>\n</tbody></table>\n");
        int prim = all_n > 0 && all_n < c->opt->k, sec = 0;
        for (int g = 0; g < c->g.n; g++) {
            prim |= hidden[g] == 1;
            sec |= hidden[g] == 2;
        }
        suppression_note(b, prim, sec, c->opt->k);
    }
}

/* ---------------------------------------------------------------- free text */

static int text_section(Ctx *c, DbError *err)
{
    const AdbSurveyData *sd = c->sd;
    const Survey *s = sd->survey;
    Sbuf *b = c->html;
    const char **list = calloc(sd->n_responses ? (size_t)sd->n_responses : 1, sizeof *list);
    if (!list)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    int any = 0;
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind != SURVEY_TEXT)
            continue;
        if (!any)
            sbuf_puts(b, "<h3>Free-text answers</h3>\n<p class=\"note\">Pooled over all groups "
                         "and shuffled: the order says nothing about who wrote what.</p>\n");
        any = 1;
        size_t n = 0;
        for (int i = 0; i < sd->n_responses; i++) {
            const AdbCell *cell = &sd->responses[i].cells[q];
            if (cell->state == ANSWER_GIVEN && cell->text && cell->text[0])
                list[n++] = cell->text;
        }
        for (size_t i = n; i > 1; i--) {
            size_t j = secmem_random_below((uint32_t)i);
            const char *t = list[i - 1];
            list[i - 1] = list[j];
            list[j] = t;
        }
        sbuf_puts(b, "<h4>");
        sbuf_html(b, survey_text(&sq->text, 0));
        sbuf_printf(b, " <span class=\"qid\">%s</span> (%zu)</h4>\n", sq->id, n);
        if (n == 0) {
            sbuf_puts(b, "<p class=\"note\">No answers.</p>\n");
            continue;
        }
        sbuf_puts(b, "<ul class=\"texts\">\n");
        for (size_t i = 0; i < n; i++) {
            sbuf_puts(b, "<li>");
            sbuf_html(b, list[i]);
            sbuf_puts(b, "</li>\n");
        }
        sbuf_puts(b, "</ul>\n");
        if (c->side)
            sbuf_printf(c->side, "text\t%s\t%zu\n", sq->id, n);
    }
    free(list);
    return DB_OK;
}

/* ---------------------------------------------------------------- page */

static const char *const css =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222;line-height:1.4}"
    "h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #2166ac}"
    "h3{margin-top:1.8rem}table.t{border-collapse:collapse;margin:.6rem 0 1.2rem;"
    "font-size:.92rem}table.t caption{text-align:left;font-weight:600;padding:.3rem 0}"
    "table.t th,table.t td{border-bottom:1px solid #ccc;padding:.3rem .6rem;vertical-align:top}"
    "table.t th{background:#f2f5f9;text-align:left}td.num{text-align:right;"
    "white-space:nowrap;font-variant-numeric:tabular-nums}td.sup{color:#888}"
    "tr.n td{color:#555;font-style:italic}.qid{color:#777;font-size:.8em;font-family:monospace}"
    ".test{color:#777;font-size:.8em}.note{color:#555;font-size:.9rem}"
    "figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}"
    "svg.chart text{font-size:12px;font-family:inherit}svg.chart .lab{text-anchor:end}"
    "svg.chart .sup{fill:#777;text-anchor:middle;paint-order:stroke;stroke:#fff;"
    "stroke-width:5px}svg.chart .n{fill:#555}"
    "svg.chart .axis{stroke:#444;stroke-width:1}svg.chart .tick{fill:#666;text-anchor:middle;"
    "font-size:11px}svg.chart .grid{stroke:#ddd;stroke-width:1}th .date{font-weight:400;"
    "color:#555;white-space:nowrap}.sup-note{margin-top:-.8rem}ul.texts li{margin:.25rem 0;"
    "white-space:pre-wrap}";

static int survey_part(Ctx *c, DbError *err)
{
    const AdbSurveyData *sd = c->sd;
    const Survey *s = sd->survey;
    Sbuf *b = c->html;
    int rc = make_groups(sd, c->opt->by, &c->g, err);
    if (rc != DB_OK) {
        free(c->g.of);
        return rc;
    }
    sbuf_puts(b, "<h2>");
    sbuf_html(b, survey_text(&s->title, 0));
    sbuf_printf(b, " <span class=\"qid\">%s v%u</span></h2>\n", s->id, s->version);
    sbuf_puts(b, "<table class=\"t\"><caption>Responses per group</caption><thead><tr>"
                 "<th>Group</th><th>Responses</th></tr></thead><tbody>\n");
    int count[MAX_GROUPS] = {0}, hidden[MAX_GROUPS];
    for (int i = 0; i < sd->n_responses; i++)
        if (c->g.of[i] >= 0)
            count[c->g.of[i]]++;
    suppress(count, c->g.n, c->opt->k, hidden);
    int prim = 0, sec = 0;
    for (int g = 0; g < c->g.n; g++) {
        prim |= hidden[g] == 1;
        sec |= hidden[g] == 2;
        sbuf_puts(b, "<tr><td>");
        sbuf_html(b, c->g.name[g]);
        if (hidden[g])
            sbuf_printf(b, "</td><td class=\"num sup\">&lt;%d%s</td></tr>\n", c->opt->k,
                        hidden[g] == 2 ? "†" : "");
        else
            sbuf_printf(b, "</td><td class=\"num\">%d</td></tr>\n", count[g]);
        if (c->side)
            sbuf_printf(c->side, "group\t%d\t%s\t%d\t%d\n", g + 1, c->g.name[g], count[g],
                        hidden[g]);
    }
    if (c->g.n_ungrouped)
        sbuf_printf(b, "<tr><td>(no answer to %s)</td><td class=\"num\">%d</td></tr>\n", c->opt->by,
                    c->g.n_ungrouped);
    sbuf_printf(b, "<tr class=\"n\"><td>All</td><td class=\"num\">%d</td></tr></tbody></table>\n",
                sd->n_responses);
    suppression_note(b, prim, sec, c->opt->k);
    if (c->side)
        sbuf_printf(c->side, "survey\t%s\t%u\t%d\n", s->id, s->version, sd->n_responses);
    rc = likert_section(c, err);
    if (rc == DB_OK)
        choice_section(c);
    if (rc == DB_OK)
        rc = text_section(c, err);
    free(c->g.of);
    c->g.of = NULL;
    return rc;
}

int analysis_report_write(const AdbData *data, const AnalysisReportOptions *opt_in, DbError *err)
{
    AnalysisReportOptions opt = *opt_in;
    if (opt.k <= 0)
        opt.k = 5;
    if (opt.agree <= 0)
        opt.agree = 4;
    if (opt.agree < 2 || opt.agree > 5)
        return dberr_set(err, DB_EINVAL, "--agree must be 2..5 (on a 5-point scale)");
    Sbuf html = {0}, side = {0};
    Ctx c;
    memset(&c, 0, sizeof c);
    c.opt = &opt;
    c.html = &html;
    c.side = opt.sidecar ? &side : NULL;
    sbuf_puts(&html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>Debrief report</title>\n<style>");
    sbuf_puts(&html, css);
    sbuf_puts(&html, "</style>\n</head>\n<body>\n<h1>Debrief survey report</h1>\n");
    sbuf_printf(&html,
                "<p class=\"note\">Groups: %s. Agreeing: %d or higher on a 5-point scale (the "
                "same number of top boxes on a 7-point scale). Cells with fewer than %d answers "
                "are suppressed (&lt;%d); † marks a cell suppressed only so that the others "
                "cannot reveal it. p-values use every answer: Fisher exact (two-sided, "
                "Freeman–Halton for more than two groups), Kruskal–Wallis (KW) or Wilcoxon "
                "rank-sum (W, for two groups), as R's fisher.test, kruskal.test and wilcox.test "
                "compute them; * p &lt; .05; – no test (one group, or all answers equal). Declined "
                "and unanswered questions are left out "
                "of every count.</p>\n",
                opt.by && strcmp(opt.by, "session") != 0 ? "the answers to one question (below)"
                                                         : "sessions",
                opt.agree, opt.k, opt.k);
    if (opt.by && strcmp(opt.by, "session") != 0) {
        /* name the question in the note */
        sbuf_puts(&html, "<p class=\"note\">Grouped by question <span class=\"qid\">");
        sbuf_html(&html, opt.by);
        sbuf_puts(&html, "</span>.</p>\n");
    }
    int rc = DB_OK;
    for (int i = 0; i < data->n_surveys && rc == DB_OK; i++) {
        c.sd = &data->surveys[i];
        rc = survey_part(&c, err);
    }
    if (data->n_surveys == 0)
        sbuf_puts(&html, "<p>No responses.</p>\n");
    sbuf_puts(&html, "</body>\n</html>\n");
    if (rc == DB_OK && (html.failed || side.failed))
        rc = dberr_set(err, DB_ENOMEM, "out of memory while building the report");
    if (rc == DB_OK)
        rc = fs_write_atomic(opt.out_path, html.data, html.len, 0600, err);
    if (rc == DB_OK && opt.sidecar)
        rc = fs_write_atomic(opt.sidecar, side.data ? side.data : "", side.len, 0600, err);
    sbuf_free(&html);
    sbuf_free(&side);
    return rc;
}
