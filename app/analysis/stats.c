/* stats: Fisher exact (2 x k), Wilcoxon rank-sum, Kruskal-Wallis, mean and SD.
 *
 * Written to reproduce R's defaults (see stats.h). The exact tests enumerate; the
 * approximations use erfc from libm and our own regularized incomplete gamma function.
 * Nothing here allocates except the rank and exact-distribution scratch arrays.
 */
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* R compares probabilities with this relative tolerance so that tables whose probability
 * equals the observed one up to rounding are counted as "as extreme". */
#define FISHER_REL_TOL 1e-7

double stats_mean(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    return sum / (double)n;
}

double stats_sd(const double *x, size_t n)
{
    if (n < 2)
        return NAN;
    double mean = stats_mean(x, n), ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    return sqrt(ss / (double)(n - 1));
}

/* ---------------------------------------------------------------- Fisher exact, 2 x k */

typedef struct Fisher {
    int k;
    int col[STATS_MAX_GROUPS];        /* column totals of the non-empty columns */
    int suffix[STATS_MAX_GROUPS + 1]; /* suffix[j] = col[j] + ... + col[k - 1] */
    double *lfact;                    /* lfact[i] = log(i!) for i <= N */
    double log_denom;                 /* log C(N, r1) */
    double log_limit;                 /* log of the observed probability times (1 + tol) */
    double sum;                       /* probability of the tables at or below the limit */
    double tables;                    /* tables visited */
} Fisher;

static double lchoose(const Fisher *f, int n, int x)
{
    return f->lfact[n] - f->lfact[x] - f->lfact[n - x];
}

/* Visits every way to put rem row-1 observations into columns j..k-1. */
static void fisher_visit(Fisher *f, int j, int rem, double logp)
{
    if (j == f->k - 1) {
        double lp = logp + lchoose(f, f->col[j], rem) - f->log_denom;
        f->tables += 1;
        if (lp <= f->log_limit)
            f->sum += exp(lp);
        return;
    }
    int lo = rem - f->suffix[j + 1] > 0 ? rem - f->suffix[j + 1] : 0;
    int hi = f->col[j] < rem ? f->col[j] : rem;
    for (int x = lo; x <= hi && f->tables <= STATS_FISHER_MAX_TABLES; x++)
        fisher_visit(f, j + 1, rem - x, logp + lchoose(f, f->col[j], x));
}

int stats_fisher_2xk(const int *a, const int *b, int k, double *p, DbError *err)
{
    *p = NAN;
    if (k < 1 || k > STATS_MAX_GROUPS)
        return dberr_set(err, DB_EINVAL, "Fisher test: %d columns (must be 1..%d)", k,
                         STATS_MAX_GROUPS);
    Fisher f;
    memset(&f, 0, sizeof f);
    int r1 = 0, n = 0, obs[STATS_MAX_GROUPS];
    for (int j = 0; j < k; j++) {
        if (a[j] < 0 || b[j] < 0)
            return dberr_set(err, DB_EINVAL, "Fisher test: negative count in column %d", j + 1);
        if (a[j] + b[j] == 0)
            continue; /* an empty column changes nothing; R drops it too */
        if (a[j] > INT32_MAX / 4 - n || b[j] > INT32_MAX / 4 - n - a[j])
            return dberr_set(err, DB_ELIMIT, "Fisher test: counts too large");
        f.col[f.k] = a[j] + b[j];
        obs[f.k] = a[j];
        f.k++;
        r1 += a[j];
        n += a[j] + b[j];
    }
    if (f.k < 2 || r1 == 0 || r1 == n) {
        *p = 1.0; /* only one table has these margins */
        return DB_OK;
    }
    f.lfact = malloc(((size_t)n + 1) * sizeof *f.lfact);
    if (!f.lfact)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    f.lfact[0] = 0;
    for (int i = 1; i <= n; i++)
        f.lfact[i] = f.lfact[i - 1] + log((double)i);
    f.suffix[f.k] = 0;
    for (int j = f.k - 1; j >= 0; j--)
        f.suffix[j] = f.suffix[j + 1] + f.col[j];
    f.log_denom = lchoose(&f, n, r1);
    double log_obs = -f.log_denom;
    for (int j = 0; j < f.k; j++)
        log_obs += lchoose(&f, f.col[j], obs[j]);
    f.log_limit = log_obs + log1p(FISHER_REL_TOL);
    fisher_visit(&f, 0, r1, 0.0);
    free(f.lfact);
    if (f.tables > STATS_FISHER_MAX_TABLES)
        return dberr_set(err, DB_ELIMIT,
                         "Fisher test: more than %.0f tables with these margins; too large for "
                         "the exact test",
                         STATS_FISHER_MAX_TABLES);
    *p = f.sum > 1.0 ? 1.0 : f.sum;
    return DB_OK;
}

/* ---------------------------------------------------------------- ranks */

typedef struct Ranked {
    double value;
    size_t index;
} Ranked;

static int ranked_cmp(const void *pa, const void *pb)
{
    const Ranked *a = pa, *b = pb;
    if (a->value < b->value)
        return -1;
    if (a->value > b->value)
        return 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Average ranks (1-based) of x into rank; *tie_sum = sum over tie groups of t^3 - t.
 * Returns -1 on allocation failure. */
static int rank_average(const double *x, size_t n, double *rank, double *tie_sum)
{
    Ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < n; i++) {
        r[i].value = x[i];
        r[i].index = i;
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    *tie_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && r[j].value == r[i].value)
            j++;
        double avg = ((double)(i + 1) + (double)j) / 2.0; /* ranks i+1..j */
        for (size_t t = i; t < j; t++)
            rank[r[t].index] = avg;
        double t = (double)(j - i);
        *tie_sum += t * t * t - t;
        i = j;
    }
    free(r);
    return 0;
}

/* ---------------------------------------------------------------- Wilcoxon rank-sum */

/* P(W <= q) under the null for sample sizes m, n without ties (R's pwilcox), by counting
 * the m-subsets of ranks 1..m+n by their sum. NAN on allocation failure. */
static double wilcox_cdf(double q, size_t m, size_t n)
{
    size_t big = m + n, max_sum = m * big;
    double *dp = calloc((m + 1) * (max_sum + 1), sizeof *dp);
    if (!dp)
        return NAN;
#define DP(j, s) dp[(j) * (max_sum + 1) + (s)]
    DP(0, 0) = 1;
    for (size_t i = 1; i <= big; i++) {
        size_t jmax = i < m ? i : m;
        for (size_t j = jmax; j >= 1; j--) {
            for (size_t s = max_sum; s >= i; s--)
                DP(j, s) += DP(j - 1, s - i);
        }
    }
    double total = 0, below = 0, offset = (double)(m * (m + 1) / 2);
    for (size_t s = 0; s <= max_sum; s++) {
        total += DP(m, s);
        if ((double)s - offset <= q + 1e-9)
            below += DP(m, s);
    }
#undef DP
    free(dp);
    return below / total;
}

int stats_wilcoxon(const double *x, size_t nx, const double *y, size_t ny, double *w, double *p,
                   int *exact, DbError *err)
{
    *w = NAN;
    *p = NAN;
    *exact = 0;
    if (nx == 0 || ny == 0)
        return dberr_set(err, DB_EINVAL, "Wilcoxon test: a group has no observations");
    size_t n = nx + ny;
    double *all = malloc(n * sizeof *all), *rank = malloc(n * sizeof *rank), tie_sum;
    if (!all || !rank ||
        (memcpy(all, x, nx * sizeof *x), memcpy(all + nx, y, ny * sizeof *y),
         rank_average(all, n, rank, &tie_sum) != 0)) {
        free(all);
        free(rank);
        return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    double sum_x = 0;
    for (size_t i = 0; i < nx; i++)
        sum_x += rank[i];
    free(all);
    free(rank);
    double dnx = (double)nx, dny = (double)ny, dn = (double)n;
    double stat = sum_x - dnx * (dnx + 1) / 2;
    *w = stat;
    if (nx < 50 && ny < 50 && tie_sum == 0) {
        double one;
        if (stat > dnx * dny / 2)
            one = 1.0 - wilcox_cdf(stat - 1, nx, ny);
        else
            one = wilcox_cdf(stat, nx, ny);
        if (isnan(one))
            return dberr_set(err, DB_ENOMEM, "out of memory");
        *p = 2 * one < 1.0 ? 2 * one : 1.0;
        *exact = 1;
        return DB_OK;
    }
    double z = stat - dnx * dny / 2;
    double sigma = sqrt((dnx * dny / 12) * ((dn + 1) - tie_sum / (dn * (dn - 1))));
    if (!(sigma > 0))
        return DB_OK; /* every value equal: R gives NaN */
    double corr = z > 0 ? 0.5 : z < 0 ? -0.5 : 0.0;
    z = (z - corr) / sigma;
    double upper = stats_normal_upper(z), lower = stats_normal_upper(-z);
    double two = 2 * (upper < lower ? upper : lower);
    *p = two < 1.0 ? two : 1.0;
    return DB_OK;
}

/* ---------------------------------------------------------------- Kruskal-Wallis */

int stats_kruskal(const double *x, const int *g, size_t n, int k, double *h, int *df, double *p,
                  DbError *err)
{
    *h = NAN;
    *df = 0;
    *p = NAN;
    if (k < 1 || k > STATS_MAX_GROUPS)
        return dberr_set(err, DB_EINVAL, "Kruskal-Wallis test: %d groups (must be 1..%d)", k,
                         STATS_MAX_GROUPS);
    double rsum[STATS_MAX_GROUPS] = {0};
    size_t cnt[STATS_MAX_GROUPS] = {0};
    for (size_t i = 0; i < n; i++) {
        if (g[i] < 0 || g[i] >= k)
            return dberr_set(err, DB_EINVAL, "Kruskal-Wallis test: group %d out of range", g[i]);
        cnt[g[i]]++;
    }
    int groups = 0;
    for (int j = 0; j < k; j++)
        groups += cnt[j] > 0;
    if (groups < 2)
        return dberr_set(err, DB_EINVAL,
                         "Kruskal-Wallis test: all observations are in the same group");
    double *rank = malloc(n * sizeof *rank), tie_sum;
    if (!rank || rank_average(x, n, rank, &tie_sum) != 0) {
        free(rank);
        return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        rsum[g[i]] += rank[i];
    free(rank);
    double dn = (double)n, s = 0;
    for (int j = 0; j < k; j++)
        if (cnt[j])
            s += rsum[j] * rsum[j] / (double)cnt[j];
    *df = groups - 1;
    double denom = 1 - tie_sum / (dn * dn * dn - dn);
    if (!(denom > 0))
        return DB_OK; /* every value equal: R gives NaN */
    *h = (12 * s / (dn * (dn + 1)) - 3 * (dn + 1)) / denom;
    *p = stats_chisq_upper(*h, *df);
    return DB_OK;
}

/* ---------------------------------------------------------------- distributions */

double stats_normal_upper(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

/* Q(a, x) by the continued fraction for Gamma(a, x) (converges fast for x >= a + 1),
 * P(a, x) by its power series otherwise; Q = 1 - P. */
double stats_gamma_q(double a, double x)
{
    if (!(a > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 1.0;
    if (isinf(x))
        return 0.0;
    const double eps = 1e-16, tiny = 1e-300;
    double log_front = -x + a * log(x) - lgamma(a);
    if (x < a + 1) {
        double term = 1.0 / a, sum = term;
        for (int i = 1; i < 100000; i++) {
            term *= x / (a + i);
            sum += term;
            if (fabs(term) < fabs(sum) * eps)
                break;
        }
        double pval = sum * exp(log_front);
        return pval >= 1.0 ? 0.0 : 1.0 - pval;
    }
    /* Modified Lentz evaluation of the continued fraction
     * Gamma(a, x) = e^-x x^a (1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...))). */
    double b = x + 1 - a, c = 1.0 / tiny, d = 1.0 / b, frac = d;
    for (int i = 1; i < 100000; i++) {
        double an = -(double)i * ((double)i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double delta = d * c;
        frac *= delta;
        if (fabs(delta - 1.0) < eps)
            break;
    }
    return exp(log_front) * frac;
}

double stats_chisq_upper(double x, double df)
{
    if (!(df > 0) || isnan(x))
        return NAN;
    return stats_gamma_q(df / 2, x / 2);
}
