/* report: one self-contained HTML file (inline CSS and SVG, no scripts, no external
 * resources) with, per survey version, the tables an evaluation like the reference paper
 * publishes:
 *
 *   - responses per group;
 *   - Likert items: n (%) agreeing (top boxes) overall and per group with a two-sided Fisher
 *     exact p across the groups (2 x k, Freeman-Halton), like the paper's Table 2, and the
 *     item's n and number declined;
 *   - Likert items as 1..scale ratings: mean (SD) overall and per group with a Kruskal-Wallis
 *     p (Wilcoxon rank-sum when there are exactly two groups);
 *   - a diverging stacked bar chart per Likert item;
 *   - choice items as counts and a chart;
 *   - free-text answers, pooled over groups and shuffled.
 * With --by QID the groups are the answers to QID, and QID itself is not reported.
 *
 * Small groups (docs/ANALYSIS.md, "Small groups"): nothing the report or the sidecar prints
 * lets a reader work out the answers of a group with fewer than k answers to an item. Per
 * item, such groups are never shown alone: they are pooled, and when the pool has fewer than
 * k answers, the smallest other groups join it until it has k (or every group is in it).
 * Every published number of an item (overall column, the shown groups, the pool, the tests)
 * is then a function of the published columns' own distributions: the pool's members can be
 * split in many ways that all print the same report. An item with fewer than k answers in
 * all shows only its n. Each table says which groups were pooled and why.
 *
 * Structure: item_build works out an item's published columns (Item) from the responses;
 * the HTML and the sidecar are written from Items only, never from the responses, so a
 * number that is not in an Item cannot reach either.
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
#define MAX_VALUES SURVEY_MAX_OPTIONS /* Likert values or options per item */
_Static_assert(SURVEY_MAX_SCALE <= SURVEY_MAX_OPTIONS, "a column holds a Likert distribution");

typedef struct Groups {
    int n;
    char name[MAX_GROUPS][RESPONSE_MAX_LABEL + 40];  /* "label (date)": sidecar, chart */
    char label[MAX_GROUPS][RESPONSE_MAX_LABEL + 40]; /* table headers: label, then ... */
    char date[MAX_GROUPS][RESPONSE_DATE_LEN + 1];    /* ... the date on its own line */
    int size[MAX_GROUPS];                            /* responses */
    int *of;        /* group of each response; -1: left out (no answer to --by QID) */
    int n_left_out; /* responses that did not answer --by QID */
    int by_q;       /* --by QID: its index, else -1 */
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
    memset(g, 0, sizeof *g);
    g->by_q = -1;
    g->of = calloc(sd->n_responses ? (size_t)sd->n_responses : 1, sizeof *g->of);
    if (!g->of)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    const Survey *s = sd->survey;
    int raw[MAX_GROUPS + 1];
    int n_raw;
    const SurveyQuestion *sq = NULL;
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
        sq = &s->questions[q];
        if (sq->kind != SURVEY_SINGLE && sq->kind != SURVEY_LIKERT)
            return dberr_set(err, DB_EINVAL,
                             "--by %s: only a single-choice or Likert question can form groups",
                             by);
        g->by_q = q;
        /* Responses that did not answer it are left out of the whole report (not only of
         * the groups: "All" minus the groups would be their answers). */
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
            g->n_left_out++;
    }
    for (int j = 0; j < n_raw; j++) {
        if (raw[j] < 0)
            continue;
        int gi = raw[j];
        char *name = g->name[gi];
        size_t cap = sizeof g->name[0];
        g->size[gi] = count[j];
        if (!sq) {
            snprintf(name, cap, "%s (%s)", sd->sessions[j].label, sd->sessions[j].date);
            snprintf(g->label[gi], sizeof g->label[0], "%s", sd->sessions[j].label);
            snprintf(g->date[gi], sizeof g->date[0], "%s", sd->sessions[j].date);
        } else {
            if (sq->kind == SURVEY_SINGLE)
                snprintf(name, cap, "%.60s", survey_text(&sq->options[j].text, 0));
            else
                snprintf(name, cap, "%d %.60s", j + 1, survey_text(&sq->anchors[j], 0));
            memcpy(g->label[gi], name, sizeof g->label[0]);
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

/* ---------------------------------------------------------------- items */

enum { ALONE = 0, POOL_SMALL = 1, POOL_ADDED = 2 };

/* One published column: a group, the pool, or all answers. */
typedef struct Col {
    int n;                /* answers */
    int dist[MAX_VALUES]; /* Likert: value v at v - 1; choice: option o (multi: chosen) */
    int agree;            /* Likert: values >= the threshold */
    double mean, sd;      /* Likert */
} Col;

/* What an item publishes. */
typedef struct Item {
    int q;
    int declined; /* "prefer not to answer", all groups */
    int too_few;  /* fewer than k answers in all: only n and declined are shown */
    int has_pool;
    char mark;                      /* the pool's footnote letter in its table */
    int pooled[MAX_GROUPS];         /* ALONE, POOL_SMALL or POOL_ADDED */
    Col all, pool, grp[MAX_GROUPS]; /* grp[g] is published only when pooled[g] == ALONE */
    /* tests across the published columns (the groups shown alone, and the pool) */
    double fisher_p, rank_stat, rank_p;
    int rank_df, fisher_err;
    const char *rank_name;
} Item;

/* Which groups an item pools, from each group's number of answers n[g]: every group with
 * 1..k-1 answers; then, while the pool has fewer than k, the smallest group not in it (the
 * first of equals), so that neither the pool nor "All" minus the shown groups is a group
 * under k. *too_few when fewer than k answered in all (nothing but n is then shown). */
static void pool_groups(const int *n, int n_groups, int k, int *pooled, int *has_pool, int *too_few)
{
    int total = 0, in_pool = 0;
    *has_pool = 0;
    for (int g = 0; g < n_groups; g++) {
        total += n[g];
        pooled[g] = n[g] > 0 && n[g] < k ? POOL_SMALL : ALONE;
        if (pooled[g]) {
            in_pool += n[g];
            *has_pool = 1;
        }
    }
    *too_few = total < k;
    while (*has_pool && in_pool < k) {
        int best = -1;
        for (int g = 0; g < n_groups; g++)
            if (!pooled[g] && n[g] > 0 && (best < 0 || n[g] < n[best]))
                best = g;
        if (best < 0)
            break; /* every group is in the pool: it is "All" */
        pooled[best] = POOL_ADDED;
        in_pool += n[best];
    }
}

/* Agreement threshold on a scale: --agree is given for 5 points; a 7-point scale keeps the
 * same number of top boxes. */
static int agree_threshold(const AnalysisReportOptions *opt, int scale)
{
    int a = opt->agree > 0 ? opt->agree : 4;
    return a + (scale - 5);
}

/* Mean and SD (n - 1) of a Likert column from its distribution (as R's mean and sd of the
 * values). */
static void col_moments(Col *c, int scale)
{
    c->mean = c->sd = NAN;
    if (c->n == 0)
        return;
    double sum = 0;
    for (int v = 0; v < scale; v++)
        sum += (double)(v + 1) * c->dist[v];
    c->mean = sum / c->n;
    if (c->n < 2)
        return;
    double ss = 0;
    for (int v = 0; v < scale; v++)
        ss += c->dist[v] * ((v + 1) - c->mean) * ((v + 1) - c->mean);
    c->sd = sqrt(ss / (c->n - 1));
}

static void col_add(Col *to, const Col *from, int n_values)
{
    to->n += from->n;
    to->agree += from->agree;
    for (int v = 0; v < n_values; v++)
        to->dist[v] += from->dist[v];
}

/* The published columns of an item, in table order: groups shown alone, then the pool. */
static int published(const Ctx *c, const Item *it, const Col **cols)
{
    int n = 0;
    for (int g = 0; g < c->g.n; g++)
        if (it->pooled[g] == ALONE && it->grp[g].n > 0)
            cols[n++] = &it->grp[g];
    if (it->has_pool && it->pool.n > 0)
        cols[n++] = &it->pool;
    return n;
}

/* Fisher (agreement) and a rank test across the published columns of a Likert item; every
 * input is a published distribution. */
static int likert_tests(const Ctx *c, Item *it, int scale, DbError *err)
{
    const Col *cols[MAX_GROUPS + 1];
    int k = it->too_few ? 0 : published(c, it, cols);
    it->fisher_p = it->rank_p = it->rank_stat = NAN;
    it->rank_name = "";
    if (k < 2)
        return DB_OK;
    int a[MAX_GROUPS + 1], b[MAX_GROUPS + 1];
    for (int j = 0; j < k; j++) {
        a[j] = cols[j]->agree;
        b[j] = cols[j]->n - cols[j]->agree;
    }
    DbError e2;
    if (stats_fisher_2xk(a, b, k, &it->fisher_p, &e2) != DB_OK) {
        it->fisher_err = 1;
        it->fisher_p = NAN;
    }
    size_t n = (size_t)it->all.n;
    double *x = malloc((n ? n : 1) * sizeof *x);
    int *grp = malloc((n ? n : 1) * sizeof *grp);
    if (!x || !grp) {
        free(x);
        free(grp);
        return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    size_t m = 0;
    for (int j = 0; j < k; j++)
        for (int v = 0; v < scale; v++)
            for (int r = 0; r < cols[j]->dist[v] && m < n; r++) {
                x[m] = v + 1;
                grp[m++] = j;
            }
    if (k == 2) {
        it->rank_name = "Wilcoxon rank-sum";
        int exact;
        size_t n0 = (size_t)cols[0]->n;
        stats_wilcoxon(x, n0, x + n0, m - n0, &it->rank_stat, &it->rank_p, &exact, &e2);
    } else {
        it->rank_name = "Kruskal-Wallis";
        stats_kruskal(x, grp, m, k, &it->rank_stat, &it->rank_df, &it->rank_p, &e2);
    }
    free(x);
    free(grp);
    return DB_OK;
}

/* Counts question q's answers per group, pools, and fills the published columns and tests. */
static int item_build(const Ctx *c, int q, Item *it, DbError *err)
{
    const AdbSurveyData *sd = c->sd;
    const SurveyQuestion *sq = &sd->survey->questions[q];
    memset(it, 0, sizeof *it);
    it->q = q;
    int thr = sq->kind == SURVEY_LIKERT ? agree_threshold(c->opt, sq->scale) : 0;
    int n_values = sq->kind == SURVEY_LIKERT ? sq->scale : sq->n_options;
    for (int i = 0; i < sd->n_responses; i++) {
        const AdbCell *cell = &sd->responses[i].cells[q];
        if (c->g.of[i] < 0)
            continue; /* left out of the report */
        it->declined += cell->state == ANSWER_DECLINED;
        if (cell->state != ANSWER_GIVEN)
            continue;
        Col *col = &it->grp[c->g.of[i]];
        col->n++;
        if (sq->kind == SURVEY_LIKERT) {
            col->dist[cell->value - 1]++;
            col->agree += cell->value >= thr;
        } else if (sq->kind == SURVEY_SINGLE) {
            col->dist[cell->value]++;
        } else {
            for (int o = 0; o < sq->n_options; o++)
                col->dist[o] += (int)((cell->chosen >> o) & 1u);
        }
    }
    int n[MAX_GROUPS];
    for (int g = 0; g < c->g.n; g++) {
        n[g] = it->grp[g].n;
        col_add(&it->all, &it->grp[g], n_values);
    }
    pool_groups(n, c->g.n, c->opt->k, it->pooled, &it->has_pool, &it->too_few);
    for (int g = 0; g < c->g.n; g++) {
        if (it->pooled[g])
            col_add(&it->pool, &it->grp[g], n_values);
    }
    if (sq->kind != SURVEY_LIKERT)
        return DB_OK;
    col_moments(&it->all, sq->scale);
    col_moments(&it->pool, sq->scale);
    for (int g = 0; g < c->g.n; g++)
        col_moments(&it->grp[g], sq->scale);
    return likert_tests(c, it, sq->scale, err);
}

static const char *const palette5[5] = {"#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"};
static const char *const palette7[7] = {"#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9",
                                        "#d1e5f0", "#67a9cf", "#2166ac"};

static const char *colour(int scale, int v)
{
    return scale == 7 ? palette7[v] : palette5[v < 5 ? v : 4];
}

/* Options of a choice chart: a qualitative palette (ColorBrewer Paired, then grey tones). */
static const char *const palette_options[SURVEY_MAX_OPTIONS] = {
    "#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#b2df8a",
    "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99", "#666666", "#999999", "#bbbbbb", "#dddddd"};

/* ---------------------------------------------------------------- table cells */

/* The pools of one table get letters a, b, ...: equal pools share one. */
typedef struct Marks {
    int n;
    int members[26][MAX_GROUPS]; /* pooled[] of each lettered pool */
    const Item *first[26];       /* an item with that pool (for the note) */
} Marks;

static void mark_items(const Ctx *c, Item *items, int n_items, Marks *m)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < n_items; i++) {
        Item *it = &items[i];
        if (!it->has_pool || it->too_few)
            continue;
        int j = 0;
        while (j < m->n && memcmp(m->members[j], it->pooled, (size_t)c->g.n * sizeof(int)) != 0)
            j++;
        if (j == m->n && m->n < 26) {
            memcpy(m->members[j], it->pooled, (size_t)c->g.n * sizeof(int));
            m->first[j] = it;
            m->n++;
        }
        it->mark = j < 26 ? (char)('a' + j) : '*';
    }
}

/* Under a table: what its marks mean. */
static void table_notes(const Ctx *c, const Marks *m, int any_too_few)
{
    Sbuf *b = c->html;
    int k = c->opt->k;
    if (any_too_few)
        sbuf_printf(b,
                    "<p class=\"note sup-note\">&lt;%d: fewer than %d answered the question in "
                    "all; its answers are not shown.</p>\n",
                    k, k);
    for (int j = 0; j < m->n; j++) {
        sbuf_printf(b, "<p class=\"note sup-note\"><sup>%c</sup> Pooled: ", 'a' + j);
        int first = 1;
        for (int pass = POOL_SMALL; pass <= POOL_ADDED; pass++) {
            int any = 0;
            for (int g = 0; g < c->g.n; g++) {
                if (m->members[j][g] != pass)
                    continue;
                if (!first)
                    sbuf_puts(b, any ? ", " : "; ");
                sbuf_html(b, c->g.name[g]);
                any = 1;
                first = 0;
            }
            if (any && pass == POOL_SMALL)
                sbuf_printf(b, " (fewer than %d answers: never shown alone)", k);
            else if (any)
                sbuf_printf(b, " (added so that the pool has at least %d answers)", k);
        }
        sbuf_puts(b, ". The tests compare the groups shown and the pool.</p>\n");
    }
}

static void cell_text(Sbuf *b, const char *cls, const char *text)
{
    sbuf_printf(b, "<td class=\"num%s%s\">%s</td>", cls[0] ? " " : "", cls, text);
}

/* A group's cell when it has no numbers of its own: no answers, pooled, or the item has too
 * few answers. 1 when it wrote the cell. */
static int cell_unpublished(Sbuf *b, const Item *it, int g)
{
    if (it->too_few || it->grp[g].n == 0) {
        cell_text(b, "", "–");
        return 1;
    }
    if (it->pooled[g]) {
        sbuf_printf(b, "<td class=\"num sup\">pooled<sup>%c</sup></td>", it->mark);
        return 1;
    }
    return 0;
}

static void cell_agree(Sbuf *b, const Col *col)
{
    if (col->n == 0)
        cell_text(b, "", "–");
    else
        sbuf_printf(b, "<td class=\"num\">%d/%d (%.0f)</td>", col->agree, col->n,
                    100.0 * col->agree / col->n);
}

static void cell_mean(Sbuf *b, const Col *col)
{
    if (col->n == 0)
        cell_text(b, "", "–");
    else if (isnan(col->sd))
        sbuf_printf(b, "<td class=\"num\">%.2f (–)</td>", col->mean);
    else
        sbuf_printf(b, "<td class=\"num\">%.2f (%.2f)</td>", col->mean, col->sd);
}

static void cell_pool(Sbuf *b, const Item *it, void (*cell)(Sbuf *, const Col *))
{
    if (!it->has_pool || it->too_few) {
        cell_text(b, "", "");
        return;
    }
    /* the pool's numbers with its letter inside the cell */
    Sbuf t = {0};
    cell(&t, &it->pool);
    char *s = sbuf_take(&t);
    char *end = s ? strstr(s, "</td>") : NULL;
    if (end) {
        sbuf_add(b, s, (size_t)(end - s));
        sbuf_printf(b, "<sup>%c</sup></td>", it->mark);
    }
    free(s);
}

static void group_header(const Ctx *c, const char *first, int with_counts, int with_pool,
                         const char *last)
{
    Sbuf *b = c->html;
    sbuf_puts(b, "<thead><tr><th>");
    sbuf_html(b, first);
    sbuf_puts(b, "</th>");
    if (with_counts)
        sbuf_puts(b, "<th>n</th><th>Declined</th>");
    sbuf_puts(b, "<th>All groups</th>");
    for (int g = 0; g < c->g.n; g++)
        group_th(b, &c->g, g);
    if (with_pool)
        sbuf_puts(b, "<th>Pooled</th>");
    sbuf_printf(b, "<th>%s</th></tr></thead>\n", last);
}

static void side_num(Sbuf *b, double v)
{
    if (isnan(v))
        sbuf_puts(b, "NA");
    else
        sbuf_printf(b, "%.10g", v);
}

/* A sidecar line per published column: likert|choice, QID, all|GROUP|pool, n, ... */
static void side_col(Sbuf *t, const char *kind, const char *qid, const char *which, const Col *col,
                     int n_values, int likert)
{
    sbuf_printf(t, "%s\t%s\t%s\t%d\t", kind, qid, which, col->n);
    if (likert) {
        sbuf_printf(t, "%d\t", col->agree);
        side_num(t, col->mean);
        sbuf_puts(t, "\t");
        side_num(t, col->sd);
        sbuf_puts(t, "\t");
    }
    for (int v = 0; v < n_values; v++)
        sbuf_printf(t, "%s%d", v ? "," : "", col->dist[v]);
    sbuf_puts(t, "\n");
}

/* Everything an item publishes, at full precision. */
static void side_item(const Ctx *c, const Item *it)
{
    Sbuf *t = c->side;
    if (!t)
        return;
    const SurveyQuestion *sq = &c->sd->survey->questions[it->q];
    int likert = sq->kind == SURVEY_LIKERT;
    int n_values = likert ? sq->scale : sq->n_options;
    const char *kind = likert ? "likert" : "choice";
    sbuf_printf(t, "item\t%s\t%d\t%d\t%d\n", sq->id, it->all.n, it->declined, it->too_few);
    if (it->too_few)
        return;
    side_col(t, kind, sq->id, "all", &it->all, n_values, likert);
    for (int g = 0; g < c->g.n; g++) {
        if (it->pooled[g] || it->grp[g].n == 0)
            continue;
        char which[16];
        snprintf(which, sizeof which, "%d", g + 1);
        side_col(t, kind, sq->id, which, &it->grp[g], n_values, likert);
    }
    if (it->has_pool) {
        side_col(t, kind, sq->id, "pool", &it->pool, n_values, likert);
        sbuf_printf(t, "pool\t%s\t", sq->id);
        int first = 1;
        for (int g = 0; g < c->g.n; g++) {
            if (!it->pooled[g])
                continue;
            sbuf_printf(t, "%s%d:%s", first ? "" : ",", g + 1,
                        it->pooled[g] == POOL_SMALL ? "small" : "added");
            first = 0;
        }
        sbuf_puts(t, "\n");
    }
    if (!likert)
        return;
    sbuf_printf(t, "fisher\t%s\t", sq->id);
    side_num(t, it->fisher_p);
    sbuf_printf(t, "\nrank\t%s\t%s\t", sq->id, it->rank_name);
    side_num(t, it->rank_stat);
    sbuf_printf(t, "\t%d\t", it->rank_df);
    side_num(t, it->rank_p);
    sbuf_puts(t, "\n");
}

/* ---------------------------------------------------------------- charts */

/* A row label left of the bars: at most 34 characters (cut with "…"), the full label as the
 * tooltip. */
static void svg_label(Sbuf *b, double x, int y, const char *label)
{
    size_t cut = 0, chars = 0;
    while (label[cut] && chars < 34)
        if (((unsigned char)label[++cut] & 0xc0) != 0x80)
            chars++;
    sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"lab\"><title>", x, y);
    sbuf_html(b, label);
    sbuf_puts(b, "</title>");
    if (label[cut]) {
        char short_label[RESPONSE_MAX_LABEL + 64];
        snprintf(short_label, sizeof short_label, "%.*s", (int)cut, label);
        sbuf_html(b, short_label);
        sbuf_puts(b, "…");
    } else {
        sbuf_html(b, label);
    }
    sbuf_puts(b, "</text>");
}

/* The rows of an item's chart: All, each group shown alone (or a line saying where it is),
 * the pool. fn draws one published column's bar at y. */
typedef void (*BarFn)(Sbuf *b, int y, const Col *col, const SurveyQuestion *sq);

static int chart_rows(const Ctx *c, const Item *it)
{
    if (it->too_few)
        return 1;
    int rows = 1 + (it->has_pool ? 1 : 0);
    for (int g = 0; g < c->g.n; g++)
        rows += it->grp[g].n > 0;
    return rows;
}

static void chart_body(const Ctx *c, const Item *it, const SurveyQuestion *sq, BarFn bar, int row_h)
{
    Sbuf *b = c->html;
    int y = 0;
    svg_label(b, 222, y + 14, "All groups");
    if (it->too_few) {
        sbuf_printf(b,
                    "<text x=\"530\" y=\"%d\" class=\"sup\">fewer than %d answers: not "
                    "shown</text>",
                    y + 14, c->opt->k);
        return;
    }
    bar(b, y, &it->all, sq);
    for (int g = 0; g < c->g.n; g++) {
        if (it->grp[g].n == 0)
            continue;
        y += row_h;
        svg_label(b, 222, y + 14, c->g.name[g]);
        if (it->pooled[g])
            sbuf_printf(b, "<text x=\"530\" y=\"%d\" class=\"sup\">in the pooled row (%c)</text>",
                        y + 14, it->mark);
        else
            bar(b, y, &it->grp[g], sq);
    }
    if (it->has_pool) {
        y += row_h;
        char name[64];
        snprintf(name, sizeof name, "Pooled (%c)", it->mark);
        svg_label(b, 222, y + 14, name);
        bar(b, y, &it->pool, sq);
    }
}

/* Likert: disagreeing values left of the centre line, agreeing right, a neutral middle value
 * split across it. */
static void likert_bar(Sbuf *b, int y, const Col *col, const SurveyQuestion *sq)
{
    const double left = 230, half = 300, h = 20;
    int scale = sq->scale, n = col->n;
    if (n == 0) {
        sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"sup\">no answers</text>", left + half,
                    y + 14);
        return;
    }
    double mid = (scale % 2) ? col->dist[scale / 2] / 2.0 : 0;
    double below = mid;
    for (int v = 0; v < scale / 2; v++)
        below += col->dist[v];
    double x = left + half - half * below / n;
    for (int v = 0; v < scale; v++) {
        double w = half * col->dist[v] / n;
        if (w > 0)
            sbuf_printf(b,
                        "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\">"
                        "<title>%d: %d of %d</title></rect>",
                        x, y, w, h, colour(scale, v), v + 1, col->dist[v], n);
        x += w;
    }
    sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"n\">n=%d</text>", left + 2 * half + 6, y + 14,
                n);
}

/* Single choice: the column's answers as one 100 % bar, an option per colour. */
static void single_bar(Sbuf *b, int y, const Col *col, const SurveyQuestion *sq)
{
    const double left = 230, width = 600, h = 20;
    if (col->n == 0)
        return;
    double x = left;
    for (int o = 0; o < sq->n_options; o++) {
        double w = width * col->dist[o] / col->n;
        if (w > 0) {
            sbuf_printf(b,
                        "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\">"
                        "<title>",
                        x, y, w, h, palette_options[o]);
            sbuf_html(b, survey_text(&sq->options[o].text, 0));
            sbuf_printf(b, ": %d of %d</title></rect>", col->dist[o], col->n);
        }
        x += w;
    }
    sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"n\">n=%d</text>", left + width + 6, y + 14,
                col->n);
}

/* Multiple choice: per option, the share of the column's respondents who chose it. */
static void multi_bar(Sbuf *b, int y, const Col *col, const SurveyQuestion *sq)
{
    const double left = 230, width = 600, h = 14;
    if (col->n == 0)
        return;
    for (int o = 0; o < sq->n_options; o++) {
        double w = width * col->dist[o] / col->n;
        int yy = y + o * 16;
        sbuf_printf(b,
                    "<rect x=\"%.0f\" y=\"%d\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\">"
                    "<title>",
                    left, yy, w > 0 ? w : 0.5, h, palette_options[o]);
        sbuf_html(b, survey_text(&sq->options[o].text, 0));
        sbuf_printf(b, ": %d of %d</title></rect>", col->dist[o], col->n);
        sbuf_printf(b, "<text x=\"%.2f\" y=\"%d\" class=\"n\">%.0f%%</text>", left + w + 4, yy + 11,
                    100.0 * col->dist[o] / col->n);
    }
}

/* A legend entry: "v anchor", or just the anchor when it starts with v ("1 (low)"). */
static int legend_numbered(const SurveyQuestion *sq, int v)
{
    char num[16];
    snprintf(num, sizeof num, "%d", v + 1);
    return strncmp(survey_text(&sq->anchors[v], 0), num, strlen(num)) == 0;
}

static const char *legend_text(const SurveyQuestion *sq, int v)
{
    return survey_text(sq->kind == SURVEY_LIKERT ? &sq->anchors[v] : &sq->options[v].text, 0);
}

static double legend_width(const SurveyQuestion *sq, int v)
{
    size_t chars = response_utf8_chars(legend_text(sq, v));
    int prefix = sq->kind == SURVEY_LIKERT && !legend_numbered(sq, v) ? 2 : 0;
    return 16 + 6.8 * (double)(chars + (size_t)prefix) + 14;
}

#define LEGEND_X 120
#define LEGEND_RIGHT 900

static int legend_lines(const SurveyQuestion *sq, int n_values)
{
    int lines = 1;
    double lx = LEGEND_X;
    for (int v = 0; v < n_values; v++) {
        double w = legend_width(sq, v);
        if (lx + w > LEGEND_RIGHT && lx > LEGEND_X) {
            lx = LEGEND_X;
            lines++;
        }
        lx += w;
    }
    return lines;
}

/* One entry per value (Likert: "v anchor"; choice: the option), wrapped onto further lines
 * when it would not fit the chart's width. */
static void legend(Sbuf *b, const SurveyQuestion *sq, int n_values, int y)
{
    double x = LEGEND_X;
    for (int v = 0; v < n_values; v++) {
        double w = legend_width(sq, v);
        if (x + w > LEGEND_RIGHT && x > LEGEND_X) {
            x = LEGEND_X;
            y += 18;
        }
        sbuf_printf(b, "<rect x=\"%.0f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y,
                    sq->kind == SURVEY_LIKERT ? colour(sq->scale, v) : palette_options[v]);
        sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"leg\">", x + 16, y + 10);
        if (sq->kind == SURVEY_LIKERT && !legend_numbered(sq, v))
            sbuf_printf(b, "%d ", v + 1);
        sbuf_html(b, legend_text(sq, v));
        sbuf_puts(b, "</text>");
        x += w;
    }
}

static void item_chart(const Ctx *c, const Item *it)
{
    const SurveyQuestion *sq = &c->sd->survey->questions[it->q];
    Sbuf *b = c->html;
    int rows = chart_rows(c, it);
    int row_h = sq->kind == SURVEY_MULTI ? 16 * sq->n_options + 10 : 26;
    int n_values = sq->kind == SURVEY_LIKERT ? sq->scale : sq->n_options;
    int lines = legend_lines(sq, n_values);
    int height = row_h * rows + 48 + 18 * lines;
    sbuf_printf(b,
                "<svg class=\"chart\" width=\"900\" height=\"%d\" viewBox=\"0 0 900 %d\" "
                "role=\"img\" aria-label=\"distribution of answers\">",
                height, height);
    if (sq->kind == SURVEY_LIKERT) {
        /* a scale: share of the group's answers left (disagreeing) and right (agreeing) */
        static const char *const ticks[5] = {"100%", "50%", "0", "50%", "100%"};
        for (int t = 0; t < 5; t++) {
            double x = 230 + 150.0 * t;
            if (t != 2)
                sbuf_printf(b, "<line x1=\"%.0f\" y1=\"0\" x2=\"%.0f\" y2=\"%d\" class=\"grid\"/>",
                            x, x, row_h * rows - 4);
            sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"tick\">%s</text>", x,
                        row_h * rows + 8, ticks[t]);
        }
        sbuf_printf(b, "<line x1=\"530\" y1=\"0\" x2=\"530\" y2=\"%d\" class=\"axis\"/>",
                    row_h * rows);
        chart_body(c, it, sq, likert_bar, row_h);
    } else {
        static const char *const ticks[5] = {"0", "25%", "50%", "75%", "100%"};
        for (int t = 0; t < 5; t++) {
            double x = 230 + 150.0 * t;
            sbuf_printf(b, "<line x1=\"%.0f\" y1=\"0\" x2=\"%.0f\" y2=\"%d\" class=\"grid\"/>", x,
                        x, row_h * rows - 4);
            sbuf_printf(b, "<text x=\"%.0f\" y=\"%d\" class=\"tick\">%s</text>", x,
                        row_h * rows + 8, ticks[t]);
        }
        chart_body(c, it, sq, sq->kind == SURVEY_SINGLE ? single_bar : multi_bar, row_h);
    }
    legend(b, sq, n_values, row_h * rows + 30);
    sbuf_puts(b, "</svg>\n");
}

/* ---------------------------------------------------------------- sections */

/* Whether question q is reported: its kind, and not the question that forms the groups. */
static int reported(const Ctx *c, int q, SurveyKind kind)
{
    return c->sd->survey->questions[q].kind == kind && q != c->g.by_q;
}

static int likert_section(Ctx *c, DbError *err)
{
    const Survey *s = c->sd->survey;
    int n_items = 0;
    for (int q = 0; q < s->n_questions; q++)
        n_items += reported(c, q, SURVEY_LIKERT);
    if (n_items == 0)
        return DB_OK;
    Item *items = calloc((size_t)n_items, sizeof *items);
    if (!items)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    int rc = DB_OK, n = 0, any_pool = 0, any_too_few = 0;
    for (int q = 0; q < s->n_questions && rc == DB_OK; q++) {
        if (!reported(c, q, SURVEY_LIKERT))
            continue;
        rc = item_build(c, q, &items[n], err);
        any_pool |= items[n].has_pool && !items[n].too_few;
        any_too_few |= items[n].too_few;
        n++;
    }
    if (rc != DB_OK) {
        free(items);
        return rc;
    }
    Marks marks;
    mark_items(c, items, n, &marks);
    Sbuf *b = c->html;
    int agree5 = c->opt->agree > 0 ? c->opt->agree : 4;
    char few[32];
    snprintf(few, sizeof few, "&lt;%d", c->opt->k);
    sbuf_printf(b,
                "<h3>Agreement</h3>\n<table class=\"t\"><caption>No. agreeing / n answering "
                "(%%) (%d or higher on a 5-point scale; top boxes) and Fisher exact p across "
                "groups</caption>\n",
                agree5);
    group_header(c, "Question", 1, any_pool, "p");
    sbuf_puts(b, "<tbody>\n");
    for (int i = 0; i < n; i++) {
        const Item *it = &items[i];
        const SurveyQuestion *sq = &s->questions[it->q];
        sbuf_puts(b, "<tr><td>");
        sbuf_html(b, survey_text(&sq->text, 0));
        sbuf_printf(b, "</td><td class=\"num\">%d</td><td class=\"num\">%d</td>", it->all.n,
                    it->declined);
        if (it->too_few)
            cell_text(b, "sup", few);
        else
            cell_agree(b, &it->all);
        for (int g = 0; g < c->g.n; g++)
            if (!cell_unpublished(b, it, g))
                cell_agree(b, &it->grp[g]);
        if (any_pool)
            cell_pool(b, it, cell_agree);
        sbuf_puts(b, "<td class=\"num\">");
        if (it->fisher_err)
            sbuf_puts(b, "too large");
        else
            fmt_p(b, it->fisher_p);
        sbuf_puts(b, "</td></tr>\n");
    }
    sbuf_puts(b, "</tbody></table>\n");
    table_notes(c, &marks, any_too_few);

    sbuf_puts(b, "<h3>Ratings</h3>\n<table class=\"t\"><caption>Mean (SD) of the ratings "
                 "(1 = lowest) and a rank test across groups</caption>\n");
    group_header(c, "Question", 0, any_pool, "p (test)");
    sbuf_puts(b, "<tbody>\n");
    for (int i = 0; i < n; i++) {
        const Item *it = &items[i];
        sbuf_puts(b, "<tr><td>");
        sbuf_html(b, survey_text(&s->questions[it->q].text, 0));
        sbuf_puts(b, "</td>");
        if (it->too_few)
            cell_text(b, "sup", few);
        else
            cell_mean(b, &it->all);
        for (int g = 0; g < c->g.n; g++)
            if (!cell_unpublished(b, it, g))
                cell_mean(b, &it->grp[g]);
        if (any_pool)
            cell_pool(b, it, cell_mean);
        sbuf_puts(b, "<td class=\"num\">");
        fmt_p(b, it->rank_p);
        if (it->rank_name[0])
            sbuf_printf(b, " <span class=\"test\">%s</span>",
                        strcmp(it->rank_name, "Kruskal-Wallis") == 0 ? "KW" : "W");
        sbuf_puts(b, "</td></tr>\n");
    }
    sbuf_puts(b, "</tbody></table>\n");
    table_notes(c, &marks, any_too_few);
    sbuf_puts(b, "<h3>Distributions</h3>\n");
    for (int i = 0; i < n; i++) {
        const SurveyQuestion *sq = &s->questions[items[i].q];
        sbuf_puts(b, "<figure><figcaption>");
        sbuf_html(b, survey_text(&sq->text, 0));
        sbuf_printf(b, " <span class=\"qid\">%s</span></figcaption>\n", sq->id);
        item_chart(c, &items[i]);
        sbuf_puts(b, "</figure>\n");
        side_item(c, &items[i]);
    }
    free(items);
    return DB_OK;
}

static int choice_section(Ctx *c, DbError *err)
{
    const Survey *s = c->sd->survey;
    Sbuf *b = c->html;
    int any = 0;
    Item *it = malloc(sizeof *it);
    if (!it)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    char few[32];
    snprintf(few, sizeof few, "&lt;%d", c->opt->k);
    for (int q = 0; q < s->n_questions; q++) {
        if (!reported(c, q, SURVEY_SINGLE) && !reported(c, q, SURVEY_MULTI))
            continue;
        const SurveyQuestion *sq = &s->questions[q];
        if (!any)
            sbuf_puts(b, "<h3>Choice questions</h3>\n");
        any = 1;
        int rc = item_build(c, q, it, err);
        if (rc != DB_OK) {
            free(it);
            return rc;
        }
        Marks marks;
        mark_items(c, it, 1, &marks);
        int with_pool = it->has_pool && !it->too_few;
        sbuf_puts(b, "<table class=\"t\"><caption>");
        sbuf_html(b, survey_text(&sq->text, 0));
        sbuf_printf(b,
                    " <span class=\"qid\">%s</span> — No. (%%) of those answering%s; "
                    "%d answered, %d declined</caption>\n",
                    sq->id, sq->kind == SURVEY_MULTI ? " (several answers possible)" : "",
                    it->all.n, it->declined);
        group_header(c, "Answer", 0, with_pool, "");
        sbuf_puts(b, "<tbody>\n");
        for (int o = 0; o < sq->n_options; o++) {
            sbuf_puts(b, "<tr><td>");
            sbuf_html(b, survey_text(&sq->options[o].text, 0));
            sbuf_puts(b, "</td>");
            if (it->too_few)
                cell_text(b, "sup", few);
            else
                sbuf_printf(b, "<td class=\"num\">%d (%.0f)</td>", it->all.dist[o],
                            100.0 * it->all.dist[o] / it->all.n);
            for (int g = 0; g < c->g.n; g++)
                if (!cell_unpublished(b, it, g))
                    sbuf_printf(b, "<td class=\"num\">%d (%.0f)</td>", it->grp[g].dist[o],
                                100.0 * it->grp[g].dist[o] / it->grp[g].n);
            if (with_pool)
                sbuf_printf(b, "<td class=\"num\">%d (%.0f)<sup>%c</sup></td>", it->pool.dist[o],
                            100.0 * it->pool.dist[o] / it->pool.n, it->mark);
            sbuf_puts(b, "<td></td></tr>\n");
        }
        sbuf_puts(b, "<tr class=\"n\"><td>n answering</td>");
        sbuf_printf(b, "<td class=\"num\">%d</td>", it->all.n);
        for (int g = 0; g < c->g.n; g++)
            if (!cell_unpublished(b, it, g))
                sbuf_printf(b, "<td class=\"num\">%d</td>", it->grp[g].n);
        if (with_pool)
            sbuf_printf(b, "<td class=\"num\">%d<sup>%c</sup></td>", it->pool.n, it->mark);
        sbuf_puts(b, "<td></td></tr>\n</tbody></table>\n");
        table_notes(c, &marks, it->too_few);
        sbuf_puts(b, "<figure>");
        item_chart(c, it);
        sbuf_puts(b, "</figure>\n");
        side_item(c, it);
    }
    free(it);
    return DB_OK;
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
        c->g.of = NULL;
        return rc;
    }
    sbuf_puts(b, "<h2>");
    sbuf_html(b, survey_text(&s->title, 0));
    sbuf_printf(b, " <span class=\"qid\">%s v%u</span></h2>\n", s->id, s->version);
    sbuf_puts(b, "<table class=\"t\"><caption>Responses per group</caption><thead><tr>"
                 "<th>Group</th><th>Responses</th></tr></thead><tbody>\n");
    int small = 0;
    for (int g = 0; g < c->g.n; g++) {
        int is_small = c->g.size[g] < c->opt->k;
        small |= is_small;
        sbuf_puts(b, "<tr><td>");
        sbuf_html(b, c->g.name[g]);
        sbuf_printf(b, "</td><td class=\"num\">%d%s</td></tr>\n", c->g.size[g],
                    is_small ? "<sup>†</sup>" : "");
        if (c->side)
            sbuf_printf(c->side, "group\t%d\t%s\t%d\n", g + 1, c->g.name[g], c->g.size[g]);
    }
    if (c->g.n_left_out)
        sbuf_printf(b,
                    "<tr><td>(no answer to %s: left out of this report)</td><td "
                    "class=\"num\">%d</td></tr>\n",
                    c->opt->by, c->g.n_left_out);
    sbuf_printf(b, "<tr class=\"n\"><td>All</td><td class=\"num\">%d</td></tr></tbody></table>\n",
                sd->n_responses);
    if (small)
        sbuf_printf(b,
                    "<p class=\"note sup-note\"><sup>†</sup> fewer than %d responses: the "
                    "group's answers are shown only pooled with other groups.</p>\n",
                    c->opt->k);
    if (c->side)
        sbuf_printf(c->side, "survey\t%s\t%u\t%d\n", s->id, s->version, sd->n_responses);
    rc = likert_section(c, err);
    if (rc == DB_OK)
        rc = choice_section(c, err);
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
    Ctx *c = calloc(1, sizeof *c); /* Groups is large */
    if (!c)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    c->opt = &opt;
    c->html = &html;
    c->side = opt.sidecar ? &side : NULL;
    sbuf_puts(&html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>Debrief report</title>\n<style>");
    sbuf_puts(&html, css);
    sbuf_puts(&html, "</style>\n</head>\n<body>\n<h1>Debrief survey report</h1>\n");
    sbuf_printf(&html,
                "<p class=\"note\">Groups: %s. Agreeing: %d or higher on a 5-point scale (the "
                "same number of top boxes on a 7-point scale). A group with fewer than %d "
                "answers to a question is never shown alone: it is pooled with other groups "
                "(the smallest, when the pool would still have fewer than %d), and the tests "
                "compare the groups shown and the pool, so that no number in this report "
                "reveals a small group's answers. p-values: Fisher exact (two-sided, "
                "Freeman–Halton for more than two groups), Kruskal–Wallis (KW) or Wilcoxon "
                "rank-sum (W, for two groups), as R's fisher.test, kruskal.test and wilcox.test "
                "compute them; * p &lt; .05; – no test (one group, or all answers equal). Declined "
                "and unanswered questions are left out of every percentage and test.</p>\n",
                opt.by && strcmp(opt.by, "session") != 0 ? "the answers to one question (below)"
                                                         : "sessions",
                opt.agree, opt.k, opt.k);
    if (opt.by && strcmp(opt.by, "session") != 0) {
        /* name the question in the note */
        sbuf_puts(&html, "<p class=\"note\">Grouped by question <span class=\"qid\">");
        sbuf_html(&html, opt.by);
        sbuf_puts(&html, "</span>, which is therefore not reported itself.</p>\n");
    }
    int rc = DB_OK;
    for (int i = 0; i < data->n_surveys && rc == DB_OK; i++) {
        c->sd = &data->surveys[i];
        rc = survey_part(c, err);
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
    free(c);
    return rc;
}
