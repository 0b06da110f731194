/* benchlib: what every Debrief benchmark program shares.
 *
 * Timing (monotonic nanoseconds), order statistics over repeated runs (min / median / p99),
 * peak RSS, scratch directories on the real disk, and one output format: each figure is one
 * tab-separated line starting with "R", which tools/bench turns into a table:
 *
 *     R <group> <figure> <unit> <min> <median> <p99> <baseline median> <ratio> <target> <met>
 *
 * "-" marks an empty field. The ratio is ours / baseline of the medians (both measured in the
 * same run). Lines starting with "N" are notes printed under the table. Benchmarks never
 * decide pass/fail of anything; "met" only compares the figure with its target (docs/PERFORMANCE.md, "Targets").
 *
 * Also: a realistic answered Response of the bundled survey, and a direct-sqlite pre-fill of
 * a store (bench code may use sqlite; it is the fast way to have 100k responses stored).
 */
#ifndef DEBRIEF_BENCHLIB_H
#define DEBRIEF_BENCHLIB_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"
#include "keys.h"
#include "response.h"
#include "survey.h"

/* Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);

/* Order statistics of n samples (sorted in place). */
typedef struct BenchStats {
    double min, median, p99, mean;
    size_t n;
} BenchStats;
BenchStats bench_stats(double *samples, size_t n);

/* One table row. base may be NULL (no baseline); target/met may be NULL ("-"). values are
 * printed as given (the caller scales to unit). */
void bench_row(const char *group, const char *figure, const char *unit, const BenchStats *s,
               const BenchStats *base, const char *target, const char *met);
/* A single-valued figure (e.g. peak RSS): printed as min = median = p99. */
void bench_row1(const char *group, const char *figure, const char *unit, double value,
                const char *target, const char *met);
/* A note line under the table. */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Peak resident set of this process so far, in MiB (getrusage ru_maxrss). */
double bench_peak_rss_mib(void);
/* Peak RSS of waited-for children (RUSAGE_CHILDREN: the largest of them), MiB. */
double bench_children_peak_rss_mib(void);

/* Creates a fresh scratch directory under base (or $DEBRIEF_BENCH_DIR, else /var/tmp) and
 * writes its path to out. Returns 0 or -1 (message on stderr). */
int bench_mkdtemp(const char *base, char *out, size_t cap);
/* Removes a directory tree made by bench_mkdtemp (best effort). */
void bench_rmtree(const char *dir);
/* The filesystem type of path, e.g. "ext4" or "tmpfs" (from /proc/self/mounts). */
void bench_fs_type(const char *path, char *out, size_t cap);

/* Dies with a message if rc != DB_OK: benchmarks have no error recovery. */
void bench_check(int rc, const DbError *err, const char *what);

/* Loads the bundled survey (DEBRIEF_SOURCE_DIR/assets/surveys/ccdg.json). */
Survey *bench_survey(void);
/* A complete response: every visible question answered, free texts of text_chars characters
 * (mixed ASCII and umlauts). */
Response *bench_response(const Survey *s, int text_chars);

/* Encodes r and seals it to the recipients; out must hold seal_record_size(...). */
size_t bench_seal(const Survey *s, const Response *r, const KeyPublic *rcpt, int n_rcpt,
                  uint8_t *out, size_t cap);

/* Adds n responses to session_id of the store in dir (DIR/debrief.db, created and closed by
 * the caller), cycling through the n_pool records of pool (each rec_len bytes), as
 * store_response_put places them (store_test_fill: the layout of a real store) but with one
 * sync at the end. Returns 0 or -1. */
int bench_store_fill(const char *dir, int64_t session_id, const uint8_t *pool, size_t n_pool,
                     size_t rec_len, long n);

/* Copies a file (for templates). Returns 0 or -1. */
int bench_copy_file(const char *from, const char *to);

/* Common command line: --quick, --dir DIR. Returns 0 or exits with usage. */
typedef struct BenchOpts {
    int quick;
    const char *dir;
} BenchOpts;
void bench_parse_args(int argc, char **argv, BenchOpts *o, const char *usage);

#endif
