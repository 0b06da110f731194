/* test_disclosure: the report gives away no small group's answers (issue 16, point 1).
 *
 * An attacker reads what a report publishes: its --numbers sidecar, which holds every number
 * the HTML prints at full precision (both are written from the same published columns;
 * report.c). For each item and each pool of groups it enumerates every way to split the
 * pool's answers among its members that agrees with every printed figure: the groups' sizes,
 * each member's number of answers (a member pooled for having fewer than k answers has 1 to
 * k - 1, one added to the pool has at least k), the other columns, and the p-values, which it
 * recomputes for each split. A group is pinned down when every split left gives it the same
 * answers. The test passes only if no pooled group is pinned down in any item.
 *
 * The attacker is checked against the report as it was before (every group a column of its
 * own in the tests, the small one hidden): there it pins down the small session's answers,
 * as the issue's reader did.
 *
 * The data are built in memory (AdbData), so this test needs no keys or batches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "fsutil.h"
#include "stats.h"
#include "testlib.h"

#define MAXG 16
#define MAXV 8

static Survey *g_survey;
static char g_dir[128];

/* One response of the mini survey: session, uncertainty, empathy (Likert, 0 none, -1
 * declined), role (option 1..2, 0 none, -1 declined), topics (bit mask, -1 declined). */
typedef struct Row {
    int session, unc, emp, role, topics;
} Row;

typedef struct Data {
    AdbData d;
    AdbSurveyData sd;
} Data;

static void build(Data *x, const char *const *sessions, int n_sessions, const Row *rows, int n)
{
    memset(x, 0, sizeof *x);
    AdbSurveyData *sd = &x->sd;
    sd->survey = g_survey;
    sd->n_sessions = n_sessions;
    sd->sessions = calloc((size_t)n_sessions, sizeof *sd->sessions);
    for (int i = 0; i < n_sessions; i++) {
        snprintf(sd->sessions[i].label, sizeof sd->sessions[i].label, "%s", sessions[i]);
        snprintf(sd->sessions[i].date, sizeof sd->sessions[i].date, "2024-05-%02d",
                 (10 + i) % 28 + 1);
    }
    int nq = g_survey->n_questions;
    sd->n_responses = n;
    sd->responses = calloc((size_t)n, sizeof *sd->responses);
    sd->cells = calloc((size_t)n * (size_t)nq, sizeof *sd->cells);
    int q_unc = survey_find_question(g_survey, "uncertainty");
    int q_emp = survey_find_question(g_survey, "empathy");
    int q_role = survey_find_question(g_survey, "role");
    int q_topics = survey_find_question(g_survey, "topics");
    for (int i = 0; i < n; i++) {
        AdbResponse *r = &sd->responses[i];
        r->session = rows[i].session;
        snprintf(r->lang, sizeof r->lang, "en");
        r->cells = &sd->cells[(size_t)i * (size_t)nq];
        int v[4] = {rows[i].unc, rows[i].emp, rows[i].role, rows[i].topics};
        int q[4] = {q_unc, q_emp, q_role, q_topics};
        for (int j = 0; j < 4; j++) {
            AdbCell *c = &r->cells[q[j]];
            if (v[j] < 0) {
                c->state = ANSWER_DECLINED;
            } else if (v[j] > 0) {
                c->state = ANSWER_GIVEN;
                if (j < 2)
                    c->value = v[j];
                else if (j == 2)
                    c->value = v[j] - 1;
                else
                    c->chosen = (uint32_t)v[j];
            }
        }
    }
    x->d.n_surveys = 1;
    x->d.surveys = sd;
}

static void unbuild(Data *x)
{
    free(x->sd.sessions);
    free(x->sd.responses);
    free(x->sd.cells);
}

static char *report(const Data *x, const char *by, int k, const char *name)
{
    char html[256], side[300];
    snprintf(html, sizeof html, "%s/%s.html", g_dir, name);
    snprintf(side, sizeof side, "%s/%s.tsv", g_dir, name);
    AnalysisReportOptions o;
    memset(&o, 0, sizeof o);
    o.out_path = html;
    o.by = by;
    o.k = k;
    o.agree = 4;
    o.sidecar = side;
    DbError err;
    CHECK(analysis_report_write(&x->d, &o, &err) == DB_OK);
    uint8_t *data = NULL;
    size_t len = 0;
    CHECK(fs_read_file(side, 1 << 24, 0, &data, &len, &err) == DB_OK);
    return (char *)data;
}

/* ------------------------------------------------------------ what the sidecar publishes */

typedef struct Pub {
    int n, agree;
    int dist[MAXV];
} Pub;

typedef struct PubItem {
    char qid[40];
    int kind; /* 1 Likert, 2 choice */
    int n_values;
    Pub all, pool, grp[MAXG];
    int shown[MAXG];  /* has a column of its own */
    int member[MAXG]; /* 0, 1 small, 2 added */
    int has_pool;
    double fisher, rank;
    int have_tests;
} PubItem;

typedef struct Pubs {
    int n_groups, size[MAXG];
    int n_items;
    PubItem items[8];
} Pubs;

static void parse_dist(const char *s, Pub *p, int *n_values)
{
    int v = 0;
    while (*s && v < MAXV) {
        p->dist[v++] = (int)strtol(s, (char **)&s, 10);
        if (*s == ',')
            s++;
        else
            break;
    }
    *n_values = v;
}

static PubItem *item_for(Pubs *p, const char *qid)
{
    for (int i = 0; i < p->n_items; i++)
        if (strcmp(p->items[i].qid, qid) == 0)
            return &p->items[i];
    PubItem *it = &p->items[p->n_items++];
    memset(it, 0, sizeof *it);
    snprintf(it->qid, sizeof it->qid, "%s", qid);
    it->fisher = it->rank = NAN;
    return it;
}

static void parse(const char *side, Pubs *p)
{
    memset(p, 0, sizeof *p);
    char line[1024];
    for (const char *s = side; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        snprintf(line, sizeof line, "%.*s", (int)len, s);
        s = nl ? nl + 1 : NULL;
        char *f[12];
        int nf = 0;
        for (char *t = line; nf < 12;) {
            f[nf++] = t;
            char *tab = strchr(t, '\t');
            if (!tab)
                break;
            *tab = '\0';
            t = tab + 1;
        }
        if (strcmp(f[0], "group") == 0 && nf == 4) {
            int g = atoi(f[1]) - 1;
            if (g >= 0 && g < MAXG) {
                p->size[g] = atoi(f[3]);
                if (g + 1 > p->n_groups)
                    p->n_groups = g + 1;
            }
        } else if ((strcmp(f[0], "likert") == 0 && nf == 8) ||
                   (strcmp(f[0], "choice") == 0 && nf == 5)) {
            PubItem *it = item_for(p, f[1]);
            it->kind = f[0][0] == 'l' ? 1 : 2;
            Pub *col = strcmp(f[2], "all") == 0    ? &it->all
                       : strcmp(f[2], "pool") == 0 ? &it->pool
                                                   : &it->grp[atoi(f[2]) - 1];
            if (col != &it->all && col != &it->pool)
                it->shown[atoi(f[2]) - 1] = 1;
            if (col == &it->pool)
                it->has_pool = 1;
            col->n = atoi(f[3]);
            if (it->kind == 1)
                col->agree = atoi(f[4]);
            parse_dist(f[nf - 1], col, &it->n_values);
        } else if (strcmp(f[0], "pool") == 0 && nf == 3) {
            PubItem *it = item_for(p, f[1]);
            for (char *t = f[2]; *t;) {
                int g = (int)strtol(t, &t, 10) - 1;
                int kind = strncmp(t, ":small", 6) == 0 ? 1 : 2;
                if (g >= 0 && g < MAXG)
                    it->member[g] = kind;
                t = strchr(t, ',');
                if (!t)
                    break;
                t++;
            }
        } else if (strcmp(f[0], "fisher") == 0 && nf == 3) {
            PubItem *it = item_for(p, f[1]);
            it->fisher = strcmp(f[2], "NA") == 0 ? NAN : strtod(f[2], NULL);
            it->have_tests = 1;
        } else if (strcmp(f[0], "rank") == 0 && nf == 6) {
            item_for(p, f[1])->rank = strcmp(f[5], "NA") == 0 ? NAN : strtod(f[5], NULL);
        }
    }
}

/* ------------------------------------------------------------ the tests, recomputed */

/* Fisher on agreement and KW (or Wilcoxon for two) across columns given as distributions
 * over values 1..nv (agree: values >= 4 on a 5-point scale). */
static void tests(const Pub *const *cols, int k, int nv, double *fisher, double *rank)
{
    *fisher = *rank = NAN;
    int a[MAXG + 1], b[MAXG + 1], m = 0, used = 0;
    double x[512];
    int g[512];
    const Pub *c2[MAXG + 1];
    for (int j = 0; j < k; j++)
        if (cols[j]->n > 0)
            c2[used++] = cols[j];
    if (used < 2)
        return;
    for (int j = 0; j < used; j++) {
        int agree = 0;
        for (int v = 3; v < nv; v++)
            agree += c2[j]->dist[v];
        a[j] = agree;
        b[j] = c2[j]->n - agree;
        for (int v = 0; v < nv; v++)
            for (int r = 0; r < c2[j]->dist[v] && m < 512; r++) {
                x[m] = v + 1;
                g[m++] = j;
            }
    }
    DbError err;
    stats_fisher_2xk(a, b, used, fisher, &err);
    double stat;
    int df, exact;
    if (used == 2)
        stats_wilcoxon(x, (size_t)c2[0]->n, x + c2[0]->n, (size_t)(m - c2[0]->n), &stat, rank,
                       &exact, &err);
    else
        stats_kruskal(x, g, (size_t)m, used, &stat, &df, rank, &err);
}

static int same_p(double a, double b)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * (fabs(b) + 1e-12);
}

static int same_printed(double a, double b)
{
    char ta[32], tb[32];
    analysis_format_p(a, ta, sizeof ta);
    analysis_format_p(b, tb, sizeof tb);
    return strcmp(ta, tb) == 0;
}

/* ------------------------------------------------------------ the attacker */

typedef struct Attack {
    const Pubs *p;
    const PubItem *it;
    int k;
    int members[MAXG], n_members;
    Pub split[MAXG];
    /* printed p-values the splits must reproduce, and how they were computed */
    int old_way; /* 1: every group its own column (the report before), else as published */
    double want_fisher, want_rank;
    /* per member: the distinct distributions seen among consistent splits (up to 2) */
    int n_seen[MAXG];
    Pub seen[MAXG][2];
    long consistent;
} Attack;

static int n_range_ok(const Attack *a, int m, int n)
{
    int g = a->members[m], size = a->p->size[g];
    if (n > size)
        return 0;
    return a->it->member[g] == 1 ? n >= 1 && n < a->k : n >= a->k;
}

static void record(Attack *a)
{
    int nv = a->it->n_values;
    if (a->it->kind == 1) {
        const Pub *cols[MAXG + 1];
        int k = 0;
        double f, r;
        if (a->old_way) {
            /* each group its own column, in group order */
            for (int g = 0; g < a->p->n_groups; g++) {
                if (a->it->shown[g])
                    cols[k++] = &a->it->grp[g];
                for (int m = 0; m < a->n_members; m++)
                    if (a->members[m] == g)
                        cols[k++] = &a->split[m];
            }
            tests(cols, k, nv, &f, &r);
            if (!same_printed(f, a->want_fisher) || !same_printed(r, a->want_rank))
                return;
        } else {
            for (int g = 0; g < a->p->n_groups; g++)
                if (a->it->shown[g])
                    cols[k++] = &a->it->grp[g];
            cols[k++] = &a->it->pool;
            tests(cols, k, nv, &f, &r);
            if (!same_p(f, a->want_fisher) || !same_p(r, a->want_rank))
                return;
        }
    }
    a->consistent++;
    for (int m = 0; m < a->n_members; m++) {
        int known = 0;
        for (int s = 0; s < a->n_seen[m]; s++)
            known |= memcmp(&a->seen[m][s], &a->split[m], sizeof(Pub)) == 0;
        if (!known && a->n_seen[m] < 2)
            a->seen[m][a->n_seen[m]++] = a->split[m];
    }
}

/* Every split of rest[] among members m.. (the last takes what is left). */
static void enumerate(Attack *a, int m, const int *rest)
{
    int nv = a->it->n_values;
    Pub *s = &a->split[m];
    memset(s, 0, sizeof *s);
    if (m == a->n_members - 1) {
        for (int v = 0; v < nv; v++) {
            s->dist[v] = rest[v];
            s->n += rest[v];
        }
        if (n_range_ok(a, m, s->n))
            record(a);
        return;
    }
    int c[MAXV] = {0};
    for (;;) {
        s->n = 0;
        int left[MAXV];
        for (int v = 0; v < nv; v++) {
            s->dist[v] = c[v];
            s->n += c[v];
            left[v] = rest[v] - c[v];
        }
        if (n_range_ok(a, m, s->n))
            enumerate(a, m + 1, left);
        int v = 0;
        while (v < nv && ++c[v] > rest[v])
            c[v++] = 0;
        if (v == nv)
            break;
    }
}

/* For every pool of every single-answer item (Likert, single choice): how many distinct
 * answers each member could have. Returns the number of (item, member) pairs pinned down. */
static int attack(const Pubs *p, int k, int old_way, const double *old_fisher,
                  const double *old_rank, int verbose)
{
    int pinned = 0;
    for (int i = 0; i < p->n_items; i++) {
        const PubItem *it = &p->items[i];
        if (!it->has_pool || (it->kind == 2 && strcmp(it->qid, "topics") == 0))
            continue;
        Attack a;
        memset(&a, 0, sizeof a);
        a.p = p;
        a.it = it;
        a.k = k;
        a.old_way = old_way;
        a.want_fisher = old_way ? old_fisher[i] : it->fisher;
        a.want_rank = old_way ? old_rank[i] : it->rank;
        for (int g = 0; g < p->n_groups; g++)
            if (it->member[g])
                a.members[a.n_members++] = g;
        enumerate(&a, 0, it->pool.dist);
        CHECK(a.consistent > 0); /* the true split is always among them */
        for (int m = 0; m < a.n_members; m++) {
            if (a.n_seen[m] == 1) {
                pinned++;
                if (verbose)
                    fprintf(stderr, "  %s: group %d pinned down (%ld splits fit)\n", it->qid,
                            a.members[m] + 1, a.consistent);
            }
        }
    }
    return pinned;
}

/* Multiple choice: per option, the member's count can be anything from what the others
 * cannot hold to what it can hold; pinned when that is one number for every option. */
static int attack_multi(const Pubs *p, int k)
{
    int pinned = 0;
    for (int i = 0; i < p->n_items; i++) {
        const PubItem *it = &p->items[i];
        if (!it->has_pool || strcmp(it->qid, "topics") != 0)
            continue;
        for (int g = 0; g < p->n_groups; g++) {
            if (!it->member[g])
                continue;
            int others_max = 0, n_max = it->member[g] == 1 ? k - 1 : p->size[g];
            if (n_max > it->pool.n)
                n_max = it->pool.n;
            for (int h = 0; h < p->n_groups; h++)
                if (h != g && it->member[h])
                    others_max += p->size[h];
            int fixed = 1;
            for (int o = 0; o < it->n_values; o++) {
                int lo = it->pool.dist[o] - others_max, hi = it->pool.dist[o];
                if (lo < 0)
                    lo = 0;
                if (hi > n_max)
                    hi = n_max;
                fixed &= lo == hi;
            }
            pinned += fixed;
        }
    }
    return pinned;
}

/* ------------------------------------------------------------ scenarios */

static const char *const three[] = {"Monday group", "Tuesday group", "Forced small"};

/* The issue's round trip: sessions of 10, 11 and 3 (the last exported with --force). */
static const Row g_issue[] = {
    {0, 5, 4, 1, 1},  {0, 4, 4, 1, 3}, {0, 4, 5, 2, 0}, {0, 5, 3, 1, 4}, {0, 4, -1, -1, 2},
    {0, 3, 4, 1, 2},  {0, 2, 4, 2, 1}, {0, 1, 2, 1, 6}, {0, 3, 5, 1, 0}, {0, 4, 4, 2, 1},
    {1, 4, 3, 1, 1},  {1, 5, 4, 1, 1}, {1, 4, 2, 2, 2}, {1, 4, 5, 1, 0}, {1, 2, 4, 1, 4},
    {1, 3, 3, -1, 0}, {1, 5, 5, 1, 1}, {1, 4, 4, 2, 2}, {1, 5, 4, 1, 5}, {1, 3, 5, 1, 1},
    {1, 4, 4, 1, 3},  {2, 1, 2, 2, 4}, {2, 2, 5, 1, 1}, {2, 5, 3, 2, 2},
};

static void test_issue_scenario(void)
{
    Data x;
    build(&x, three, 3, g_issue, (int)(sizeof g_issue / sizeof g_issue[0]));
    char *side = report(&x, "session", 5, "issue");
    CHECK(side != NULL);
    Pubs p;
    parse(side ? side : "", &p);
    CHECK(p.n_groups == 3 && p.size[2] == 3);
    /* the small session never has a column of its own, and is in every item's pool */
    CHECK(p.n_items == 4);
    for (int i = 0; i < p.n_items; i++) {
        CHECK(!p.items[i].shown[2]);
        CHECK(p.items[i].member[2] == 1);
    }
    /* what the attacker gets from it: no small group's answers */
    CHECK(attack(&p, 5, 0, NULL, NULL, 1) == 0);
    CHECK(attack_multi(&p, 5) == 0);

    /* The same attacker against the report as it was: the small session and the next
     * smallest hidden, "All" and every other group printed, p-values with every group as a
     * column of its own, rounded as printed. It pins the small session's answers down. */
    Pubs old = p;
    double of[8], orank[8];
    for (int i = 0; i < old.n_items; i++) {
        PubItem *it = &old.items[i];
        if (it->kind != 1)
            continue;
        /* the true columns, from the data */
        Pub cols[3];
        memset(cols, 0, sizeof cols);
        int q = survey_find_question(g_survey, it->qid);
        for (int r = 0; r < x.sd.n_responses; r++) {
            const AdbCell *c = &x.sd.responses[r].cells[q];
            if (c->state != ANSWER_GIVEN)
                continue;
            Pub *col = &cols[x.sd.responses[r].session];
            col->n++;
            col->dist[c->value - 1]++;
        }
        const Pub *cp[3] = {&cols[0], &cols[1], &cols[2]};
        tests(cp, 3, 5, &of[i], &orank[i]);
        /* hidden: the small group and the smallest other (the old secondary suppression) */
        int second = cols[0].n <= cols[1].n ? 0 : 1;
        memset(it->member, 0, sizeof it->member);
        memset(it->shown, 0, sizeof it->shown);
        it->member[2] = 1;
        it->member[second] = 2;
        it->shown[1 - second] = 1;
        it->grp[1 - second] = cols[1 - second];
        it->has_pool = 1;
        for (int v = 0; v < 5; v++)
            it->pool.dist[v] = cols[2].dist[v] + cols[second].dist[v];
        it->pool.n = cols[2].n + cols[second].n;
    }
    int pinned = attack(&old, 5, 1, of, orank, 1);
    fprintf(stderr, "  the old report: %d group-items pinned down\n", pinned);
    CHECK(pinned >= 1);
    free(side);

    /* The HTML: the small session's column says "pooled" in every table, its chart rows carry
     * no bar, and the note says what was pooled and why. */
    char path[256];
    snprintf(path, sizeof path, "%s/issue.html", g_dir);
    uint8_t *html = NULL;
    size_t len;
    DbError err;
    CHECK(fs_read_file(path, 1 << 24, 0, &html, &len, &err) == DB_OK);
    const char *h = (const char *)html;
    CHECK(h && strstr(h, "<td class=\"num sup\">pooled<sup>a</sup></td>") != NULL);
    CHECK(h && strstr(h, "in the pooled row (a)") != NULL);
    CHECK(h &&
          strstr(h, "Forced small (2024-05-13) (fewer than 5 answers: never shown alone)") != NULL);
    CHECK(h && strstr(h, "(added so that the pool has at least 5 answers)") != NULL);
    CHECK(h && strstr(h, "&lt;5†") == NULL);
    free(html);
    unbuild(&x);
}

/* Groups of 9, 6 and 9 at k = 7: the issue's "<5† for a group of 6" is now the group of 6
 * pooled (it is under k) with a group of 9 added; no group that is not under k is ever
 * marked as one that is. */
static void test_k7(void)
{
    static const char *const names[] = {"A", "B", "C"};
    Row rows[24];
    static const int unc[24] = {5, 4, 4, 5, 4, 3, 2, 1, 3, 4, 5, 4,
                                4, 2, 3, 5, 5, 4, 4, 5, 4, 5, 5, 4};
    for (int i = 0; i < 24; i++)
        rows[i] = (Row){i < 9 ? 0 : i < 15 ? 1 : 2, unc[i], 1 + (i * 7) % 5, 1 + i % 2, 1 + i % 7};
    Data x;
    build(&x, names, 3, rows, 24);
    char *side = report(&x, "session", 7, "k7");
    Pubs p;
    parse(side ? side : "", &p);
    for (int i = 0; i < p.n_items; i++) {
        CHECK(p.items[i].member[1] == 1); /* B, 6 answers: small */
        CHECK(p.items[i].member[0] == 2); /* A, 9: added (the first of the two smallest) */
        CHECK(p.items[i].shown[2] && !p.items[i].shown[0] && !p.items[i].shown[1]);
    }
    CHECK(attack(&p, 7, 0, NULL, NULL, 1) == 0);
    CHECK(attack_multi(&p, 7) == 0);
    free(side);
    unbuild(&x);
}

/* Two small sessions whose pool reaches k on its own: no other group is touched. */
static void test_two_small(void)
{
    static const char *const names[] = {"Big", "Tiny", "Small", "Mid"};
    Row rows[25];
    static const int sess[25] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1,
                                 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
    for (int i = 0; i < 25; i++)
        rows[i] = (Row){sess[i], 1 + (i * 3) % 5, 1 + (i * 2) % 5, 1 + (i / 3) % 2, 1 + i % 7};
    Data x;
    build(&x, names, 4, rows, 25);
    char *side = report(&x, "session", 5, "two-small");
    Pubs p;
    parse(side ? side : "", &p);
    for (int i = 0; i < p.n_items; i++) {
        CHECK(p.items[i].member[1] == 1 && p.items[i].member[2] == 1);
        CHECK(p.items[i].shown[0] && p.items[i].shown[3]);
    }
    CHECK(attack(&p, 5, 0, NULL, NULL, 1) == 0);
    CHECK(attack_multi(&p, 5) == 0);
    free(side);
    unbuild(&x);
}

/* Grouped by an answer (--by role): that question is not reported, and those who did not
 * answer it are left out of every number (they are no hidden remainder of "All"). */
static void test_by_question(void)
{
    Data x;
    build(&x, three, 3, g_issue, (int)(sizeof g_issue / sizeof g_issue[0]));
    char *side = report(&x, "role", 5, "by-role");
    CHECK(side && strstr(side, "\nitem\trole\t") == NULL);
    CHECK(side && strstr(side, "\nitem\tuncertainty\t22\t0\t0\n") != NULL); /* 24 - 2 no role */
    Pubs p;
    parse(side ? side : "", &p);
    CHECK(attack(&p, 5, 0, NULL, NULL, 1) == 0);
    free(side);
    unbuild(&x);
}

int main(void)
{
    DbError err;
    snprintf(g_dir, sizeof g_dir, "/tmp/debrief-test-disclosure-%d", (int)getpid());
    if (fs_mkdir_p(g_dir, 0700, &err) != DB_OK ||
        survey_load_file("analysis/mini.json", &g_survey, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    RUN(test_issue_scenario);
    RUN(test_k7);
    RUN(test_two_small);
    RUN(test_by_question);
    survey_free(g_survey);
    if (test_failed_ == 0) {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", g_dir);
    } else {
        fprintf(stderr, "files kept in %s\n", g_dir);
    }
    return test_report();
}
