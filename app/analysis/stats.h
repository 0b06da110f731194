/* stats: the statistics the analysis report publishes, in plain C with no dependencies.
 *
 * Every test is written to give the same p-value as R's default call on the same data, so
 * an analyst can check any number in the report with R:
 *
 *   stats_fisher_2xk  fisher.test(rbind(a, b))        exact, two-sided. For a 2 x 2 table this
 *                     is the usual hypergeometric test; for 2 x k it is the Freeman-Halton
 *                     extension. Both: the sum of the probabilities of every table with the
 *                     observed margins whose probability is <= the observed table's times
 *                     (1 + 1e-7) (R's relative tolerance against rounding).
 *   stats_wilcoxon    wilcox.test(x, y)  (correct = TRUE, exact = NULL). Without ties and with
 *                     both groups smaller than 50: the exact distribution of W. Otherwise the
 *                     normal approximation with the tie-corrected variance and a continuity
 *                     correction of 0.5 towards the mean.
 *   stats_kruskal     kruskal.test(x, g)  H with the tie correction, p from the chi-square
 *                     distribution with k - 1 degrees of freedom.
 *
 * Groups without observations are dropped, as R does (empty columns, empty groups).
 * A p-value is NAN when R would give NaN or refuse (e.g. every value equal, fewer than two
 * non-empty groups); the report prints that as "–".
 */
#ifndef DEBRIEF_STATS_H
#define DEBRIEF_STATS_H

#include <stddef.h>

#include "dberr.h"

#define STATS_MAX_GROUPS 256
/* Tables enumerated by the exact test before it gives up with DB_ELIMIT (about a second). */
#define STATS_FISHER_MAX_TABLES 50000000.0

/* Arithmetic mean; NAN when n == 0. */
double stats_mean(const double *x, size_t n);

/* Sample standard deviation (denominator n - 1, as R's sd); NAN when n < 2. */
double stats_sd(const double *x, size_t n);

/* Two-sided Fisher exact test of a 2 x k table: a[j] and b[j] are the two rows' counts in
 * column j. DB_EINVAL for k outside 1..STATS_MAX_GROUPS or a negative count; DB_ELIMIT when
 * the table has more than STATS_FISHER_MAX_TABLES tables with its margins. A table with an
 * empty row or fewer than two non-empty columns has p = 1. */
int stats_fisher_2xk(const int *a, const int *b, int k, double *p, DbError *err);

/* Wilcoxon rank-sum (Mann-Whitney) test of x against y, two-sided. *w is R's W statistic
 * (rank sum of x minus nx(nx+1)/2); *exact says which p was used (1 exact, 0 normal).
 * DB_EINVAL when a group is empty. p is NAN when every value is equal. */
int stats_wilcoxon(const double *x, size_t nx, const double *y, size_t ny, double *w, double *p,
                   int *exact, DbError *err);

/* Kruskal-Wallis test: value x[i] belongs to group g[i] in 0..k-1. *h is the tie-corrected
 * statistic, *df the degrees of freedom (non-empty groups - 1). DB_EINVAL for a group index
 * out of range, or fewer than two non-empty groups. p is NAN when every value is equal. */
int stats_kruskal(const double *x, const int *g, size_t n, int k, double *h, int *df, double *p,
                  DbError *err);

/* P(X > x) for X ~ chi-square(df); df > 0. */
double stats_chisq_upper(double x, double df);

/* The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a), a > 0. */
double stats_gamma_q(double a, double x);

/* P(Z > z) for a standard normal Z. */
double stats_normal_upper(double z);

#endif
