/* benchlib: timing, statistics, output and fixtures shared by the benchmarks (benchlib.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "benchlib.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "seal.h"
#include "secmem.h"
#include "store.h"

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

BenchStats bench_stats(double *v, size_t n)
{
    BenchStats s = {0};
    if (n == 0)
        return s;
    qsort(v, n, sizeof *v, cmp_double);
    s.n = n;
    s.min = v[0];
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    /* Nearest rank: the smallest sample with at least 99 % of the samples at or below it. */
    size_t rank = (size_t)ceil(0.99 * (double)n);
    s.p99 = v[rank > 0 ? rank - 1 : 0];
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    s.mean = sum / (double)n;
    return s;
}

/* Three significant digits, without exponent notation for the ranges we print. */
static void fmt_num(char *out, size_t cap, double v)
{
    double a = fabs(v);
    if (a >= 1000 || a == 0)
        snprintf(out, cap, "%.0f", v);
    else if (a >= 100)
        snprintf(out, cap, "%.1f", v);
    else if (a >= 10)
        snprintf(out, cap, "%.2f", v);
    else if (a >= 1)
        snprintf(out, cap, "%.3f", v);
    else
        snprintf(out, cap, "%.4f", v);
}

void bench_row(const char *group, const char *figure, const char *unit, const BenchStats *s,
               const BenchStats *base, const char *target, const char *met)
{
    char mn[32], md[32], p99[32], bm[32] = "-", ratio[32] = "-";
    fmt_num(mn, sizeof mn, s->min);
    fmt_num(md, sizeof md, s->median);
    fmt_num(p99, sizeof p99, s->p99);
    if (base) {
        fmt_num(bm, sizeof bm, base->median);
        if (base->median > 0)
            snprintf(ratio, sizeof ratio, "%.2f", s->median / base->median);
    }
    printf("R\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", group, figure, unit, mn, md, p99, bm,
           ratio, target ? target : "-", met ? met : "-");
    fflush(stdout);
}

void bench_row1(const char *group, const char *figure, const char *unit, double value,
                const char *target, const char *met)
{
    BenchStats s = {value, value, value, value, 1};
    bench_row(group, figure, unit, &s, NULL, target, met);
}

void bench_note(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    printf("N\t%s\n", buf);
    fflush(stdout);
}

double bench_peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

double bench_children_peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

int bench_mkdtemp(const char *base, char *out, size_t cap)
{
    if (!base)
        base = getenv("DEBRIEF_BENCH_DIR");
    if (!base || !*base)
        base = "/var/tmp";
    int n = snprintf(out, cap, "%s/debrief-bench-XXXXXX", base);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "bench: scratch path too long\n");
        return -1;
    }
    if (!mkdtemp(out)) {
        fprintf(stderr, "bench: %s: cannot create a scratch directory: %s\n", out, strerror(errno));
        return -1;
    }
    return 0;
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

void bench_rmtree(const char *dir)
{
    if (dir && *dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void bench_fs_type(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "?");
    char real[PATH_MAX];
    if (!realpath(path, real))
        return;
    FILE *f = fopen("/proc/self/mounts", "r");
    if (!f)
        return;
    char line[4096];
    size_t best = 0;
    while (fgets(line, sizeof line, f)) {
        char dev[1024], mnt[1024], type[64];
        if (sscanf(line, "%1023s %1023s %63s", dev, mnt, type) != 3)
            continue;
        size_t len = strlen(mnt);
        int match = strcmp(mnt, "/") == 0 ||
                    (strncmp(real, mnt, len) == 0 && (real[len] == '/' || real[len] == '\0'));
        if (match && len >= best) {
            best = len;
            snprintf(out, cap, "%s on %s", type, dev);
        }
    }
    fclose(f);
}

void bench_check(int rc, const DbError *err, const char *what)
{
    if (rc == DB_OK)
        return;
    fprintf(stderr, "bench: %s failed: %s\n", what, err ? err->msg : "?");
    exit(1);
}

Survey *bench_survey(void)
{
    char path[PATH_MAX];
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/assets/surveys/ccdg.json",
             src && *src ? src : DEBRIEF_SOURCE_DIR);
    Survey *s = NULL;
    DbError err;
    bench_check(survey_load_file(path, &s, &err), &err, "loading the bundled survey");
    return s;
}

Response *bench_response(const Survey *s, int text_chars)
{
    Response *r = NULL;
    DbError err;
    bench_check(response_new(s, 0, &r, &err), &err, "response_new");
    for (int q = 0; q < s->n_questions; q++) {
        if (!response_visible(r, q))
            continue;
        const SurveyQuestion *sq = &s->questions[q];
        int rc = DB_OK;
        switch (sq->kind) {
        case SURVEY_LIKERT:
            rc = response_set_likert(r, q, (q % sq->scale) + 1, &err);
            break;
        case SURVEY_SINGLE:
            rc = response_set_single(r, q, q % sq->n_options, &err);
            break;
        case SURVEY_MULTI:
            for (int i = 0; i < sq->n_options && rc == DB_OK; i++)
                if (i < (sq->max_choices > 0 ? sq->max_choices : 1) && i % 2 == 0)
                    rc = response_toggle_multi(r, q, i, &err);
            break;
        case SURVEY_TEXT: {
            int chars = text_chars < sq->max_length ? text_chars : sq->max_length;
            char *t = secmem_alloc((size_t)chars * 2 + 1);
            size_t n = 0;
            for (int i = 0; i < chars; i++) {
                if (i % 10 == 9) { /* "ü": two bytes */
                    t[n++] = (char)0xC3;
                    t[n++] = (char)0xBC;
                } else {
                    t[n++] = (char)("abcdefgh "[i % 9]);
                }
            }
            t[n] = '\0';
            rc = response_set_text(r, q, t, &err);
            secmem_free(t);
            break;
        }
        }
        bench_check(rc, &err, "answering a question");
    }
    if (response_first_incomplete(r) != -1) {
        fprintf(stderr, "bench: the generated response is incomplete at question %d\n",
                response_first_incomplete(r));
        exit(1);
    }
    return r;
}

size_t bench_seal(const Survey *s, const Response *r, const KeyPublic *rcpt, int n_rcpt,
                  uint8_t *out, size_t cap)
{
    DbError err;
    uint8_t *plain = secmem_alloc(s->record_size);
    size_t plen = 0, rlen = 0;
    ResponseContext ctx = {"Group 2", "2026-11-26"};
    bench_check(response_encode(r, &ctx, plain, s->record_size, &plen, &err), &err,
                "response_encode");
    bench_check(seal_record(plain, plen, s->record_size, rcpt, n_rcpt, out, cap, &rlen, &err), &err,
                "seal_record");
    secmem_free(plain);
    return rlen;
}

int bench_store_fill(const char *dir, int64_t session_id, const uint8_t *pool, size_t n_pool,
                     size_t rec_len, long n)
{
    /* A bulk load, not what we measure: records into random slots as the kiosk puts them,
     * with one sync at the end. */
    Store *st = NULL;
    DbError err;
    int rc = store_open(dir, &st, &err);
    if (rc == DB_OK)
        rc = store_test_fill(st, session_id, pool, n_pool, rec_len, n, &err);
    store_close(st);
    if (rc != DB_OK)
        fprintf(stderr, "bench: filling %s: %s\n", dir, err.msg);
    return rc == DB_OK ? 0 : -1;
}

int bench_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    static char buf[1 << 20];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w <= 0) {
                rc = -1;
                break;
            }
            off += w;
        }
        if (rc)
            break;
    }
    if (n < 0)
        rc = -1;
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

void bench_parse_args(int argc, char **argv, BenchOpts *o, const char *usage)
{
    o->quick = 0;
    o->dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            o->quick = 1;
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            o->dir = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--quick] [--dir DIR]\n%s", argv[0], usage);
            exit(strcmp(argv[i], "--help") == 0 ? 0 : 2);
        }
    }
}
