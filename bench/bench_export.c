/* bench_export: `debrief export` (coord_export) of 1k / 10k / 50k stored responses and of
 * STORE_MAX_SLOTS (65,536), the most a store keeps.
 *
 * For each size a template data directory is made once (store, one closed session, the
 * kiosk identity, N real sealed records cycled from a pool), then each repetition copies it,
 * runs coord_export in a forked child (so its peak RSS is its own, from wait4) and times it.
 * The figure is the whole export: gather + shuffle + build + sign + record in the store +
 * write atomically + read back and verify + mark written.
 *
 * Baseline, same run, same bytes: a bare sqlite SELECT of every record written to one file
 * and fsync'd: the I/O floor of an export. Growth: the per-record time at 50k over that at
 * 10k (1.0 = linear).
 *
 * Peak RSS of each export (target: at most 32 MiB whatever the size: the batch is streamed to
 * the drive and read back in pieces, and an export collects the keys of one batch at a time;
 * what still grows is the store's index of its slots, about 130 bytes a response, which every
 * process that opens the store holds). A store keeps room for at most STORE_MAX_SLOTS
 * responses, so the export of that many is the largest there can be: its row is the bound.
 *
 * Also, at 1k and 10k: store_compact (VACUUM + WAL truncation), which closing a session and
 * applying an acknowledgement run: what the coordinator waits for on "Close session". No
 * baseline: it is there for the record's order on disk, not for speed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>

#include "benchlib.h"
#include "coord.h"
#include "keys.h"
#include "seal.h"
#include "secmem.h"
#include "store.h"

#define MAX_REPS 16

/* Runs fn in a forked child: its duration (s), its peak RSS (MiB) and, if it failed, its
 * message (msg, capacity cap). Returns 0 if it succeeded, 1 if it failed, -1 if it died. */
typedef int (*ChildFn)(const char *data_dir, const char *out_dir, char *msg, size_t cap);

typedef struct ChildReport {
    double secs;
    int ok;
    char msg[DBERR_MSG_MAX];
} ChildReport;

static int run_child(ChildFn fn, const char *data_dir, const char *out_dir, double *secs,
                     double *rss_mib, char *msg, size_t cap)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(p[0]);
        ChildReport rep;
        memset(&rep, 0, sizeof rep);
        uint64_t t0 = bench_now_ns();
        rep.ok = fn(data_dir, out_dir, rep.msg, sizeof rep.msg) == 0;
        rep.secs = (double)(bench_now_ns() - t0) / 1e9;
        if (write(p[1], &rep, sizeof rep) != (ssize_t)sizeof rep)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    ChildReport rep;
    ssize_t n = read(p[0], &rep, sizeof rep);
    close(p[0]);
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        n != (ssize_t)sizeof rep) {
        fprintf(stderr, "bench: child died\n");
        return -1;
    }
    *secs = rep.secs;
    *rss_mib = (double)ru.ru_maxrss / 1024.0;
    if (msg)
        snprintf(msg, cap, "%s", rep.msg);
    return rep.ok ? 0 : 1;
}

static int do_export(const char *data_dir, const char *out_dir, char *msg, size_t cap)
{
    CoordExportOptions o = {.data_dir = data_dir, .out_dir = out_dir, .force = 1};
    CoordExportResult res;
    DbError err;
    int rc = store_open(data_dir, &o.store, &err);
    if (rc == DB_OK)
        rc = coord_export(&o, &res, &err);
    else
        memset(&res, 0, sizeof res);
    store_close(o.store);
    if (rc != DB_OK)
        snprintf(msg, cap, "%s", err.msg);
    else if (res.n_batches < 1)
        rc = DB_ESTATE, snprintf(msg, cap, "coord_export wrote no batch");
    coord_export_result_free(&res);
    return rc == DB_OK ? 0 : -1;
}

static int do_compact(const char *data_dir, const char *out_dir, char *msg, size_t cap)
{
    (void)out_dir;
    Store *st = NULL;
    DbError err;
    int rc = store_open(data_dir, &st, &err);
    if (rc == DB_OK)
        rc = store_compact(st, &err);
    if (rc != DB_OK)
        snprintf(msg, cap, "%s", err.msg);
    store_close(st);
    return rc == DB_OK ? 0 : -1;
}

/* The I/O floor: read the record file(s) whole, write them to one file, fsync. */
static int do_baseline(const char *data_dir, const char *out_dir, char *msg, size_t cap)
{
    (void)msg;
    (void)cap;
    char out[PATH_MAX + 32], path[PATH_MAX + 64];
    snprintf(out, sizeof out, "%s/baseline.bin", out_dir);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    DIR *d = opendir(data_dir);
    struct dirent *e;
    static char buf[1 << 20];
    int rc = fd >= 0 && d ? 0 : -1;
    while (rc == 0 && (e = readdir(d))) {
        if (strncmp(e->d_name, "records-", 8) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", data_dir, e->d_name);
        int in = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;
        while (in >= 0 && (n = read(in, buf, sizeof buf)) > 0)
            if (write(fd, buf, (size_t)n) != n)
                rc = -1;
        if (in < 0)
            rc = -1;
        else
            close(in);
    }
    if (d)
        closedir(d);
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    if (fd >= 0)
        close(fd);
    return rc;
}

static void join(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* Makes a template data directory at dir with n responses in one closed session. */
static void make_template(const char *dir, const Survey *s, const uint8_t *pool, size_t n_pool,
                          size_t rec_len, long n)
{
    DbError err;
    mkdir(dir, 0700);
    Store *st = NULL;
    int64_t sid = 0;
    bench_check(store_open(dir, &st, &err), &err, "store_open");
    bench_check(store_session_open(st, "Group 2", "2026-11-26", s->id, s->version, 0, &sid, &err),
                &err, "store_session_open");
    bench_check(store_session_close(st, &err), &err, "store_session_close");
    store_close(st);
    KeyIdentity *kid = NULL;
    bench_check(coord_identity(dir, &kid, NULL, &err), &err, "coord_identity");
    keys_identity_free(kid);
    if (bench_store_fill(dir, sid, pool, n_pool, rec_len, n) != 0)
        exit(1);
}

/* Copies a template data directory: the database, the identity and the record files. */
static void copy_data(const char *from, const char *to)
{
    char a[PATH_MAX + 64], b[PATH_MAX + 64];
    mkdir(to, 0700);
    DIR *d = opendir(from);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        join(a, sizeof a, from, e->d_name);
        join(b, sizeof b, to, e->d_name);
        if (bench_copy_file(a, b) != 0) {
            fprintf(stderr, "bench: copying %s failed\n", a);
            exit(1);
        }
    }
    if (d)
        closedir(d);
}

int main(int argc, char **argv)
{
    BenchOpts opt;
    bench_parse_args(
        argc, argv, &opt,
        "Export (coord_export) of 1k/10k/50k responses and of as many as a store keeps\n"
        "(STORE_MAX_SLOTS: the bound of its peak RSS).\n"
        "DEBRIEF_BENCH_ONLY=N runs only size N; with DEBRIEF_BENCH_KEEP=1 it only makes\n"
        "that data directory and prints its path (to profile `debrief export`).\n");
    if (secmem_init() != 0)
        return 1;
    DbError err;
    enum { NSIZES = 4 };
    const long sizes[NSIZES] = {1000, 10000, 50000, STORE_MAX_SLOTS};
    const int reps_for[NSIZES] = {opt.quick ? 3 : 9, opt.quick ? 3 : 5, opt.quick ? 1 : 3, 1};
    const char *only = getenv("DEBRIEF_BENCH_ONLY");

    Survey *s = bench_survey();
    Response *r = bench_response(s, 200);
    KeyPublic pub;
    KeySecret *sec = NULL;
    bench_check(keys_generate(&pub, &sec, &err), &err, "keys_generate");
    size_t cap = seal_record_size(s->record_size, 1);
    enum { POOL = 64 };
    uint8_t *pool = malloc(POOL * cap);
    size_t rec_len = 0;
    for (int i = 0; i < POOL; i++)
        rec_len = bench_seal(s, r, &pub, 1, pool + (size_t)i * cap, cap);
    /* bench_store_fill wants records back to back. */
    for (int i = 1; i < POOL; i++)
        memmove(pool + (size_t)i * rec_len, pool + (size_t)i * cap, rec_len);

    char root[PATH_MAX];
    if (bench_mkdtemp(opt.dir, root, sizeof root) != 0)
        return 1;
    char fs[256];
    bench_fs_type(root, fs, sizeof fs);
    double per_rec_us[NSIZES] = {0};
    double peak_rss[NSIZES] = {0};

    for (size_t si = 0; si < NSIZES; si++) {
        long n = sizes[si];
        if (only && strtol(only, NULL, 10) != n)
            continue;
        int reps = reps_for[si];
        char tmpl[PATH_MAX + 16], run[PATH_MAX + 16], out[PATH_MAX + 16];
        join(tmpl, sizeof tmpl, root, "template");
        join(run, sizeof run, root, "run");
        join(out, sizeof out, root, "out");
        make_template(tmpl, s, pool, POOL, rec_len, n);
        if (getenv("DEBRIEF_BENCH_KEEP")) { /* for profiling: keep the data, run nothing */
            printf("kept %s\n", tmpl);
            return 0;
        }

        double t_ours[MAX_REPS], t_base[MAX_REPS], t_compact[MAX_REPS];
        int n_compact = 0;
        double rss = 0;
        char fail[DBERR_MSG_MAX] = "";
        int done = 0;
        for (int i = 0; i < reps && !fail[0]; i++) {
            copy_data(tmpl, run);
            mkdir(out, 0700);
            double secs, mib;
            /* Alternate which goes first so neither always meets a cold page cache. */
            for (int k = 0; k < 2; k++) {
                int ours = (k == 0) == (i % 2 == 0);
                int rc = ours ? run_child(do_export, run, out, &secs, &mib, fail, sizeof fail)
                              : run_child(do_baseline, tmpl, out, &secs, &mib, NULL, 0);
                if (rc < 0)
                    return 1;
                if (ours) {
                    t_ours[i] = secs;
                    rss = mib > rss ? mib : rss;
                    if (rc != 0)
                        break;
                } else {
                    t_base[i] = secs;
                }
            }
            if (!fail[0])
                done++;
            bench_rmtree(run);
            bench_rmtree(out);
            if (n <= 10000 && !fail[0]) {
                copy_data(tmpl, run);
                if (run_child(do_compact, run, out, &secs, &mib, fail, sizeof fail) < 0)
                    return 1;
                if (!fail[0])
                    t_compact[n_compact++] = secs;
                bench_rmtree(run);
            }
        }
        bench_rmtree(tmpl);
        peak_rss[si] = rss;
        char fig[96], target[32] = "-", met[8] = "-";
        if (fail[0]) {
            snprintf(fig, sizeof fig, "export %ldk responses: FAILED (see note)", n / 1000);
            bench_row1("export", fig, "s", t_ours[done], "completes", "NO");
            bench_note("export of %ld responses failed after %.1f s: %s", n, t_ours[done], fail);
            continue;
        }
        BenchStats so = bench_stats(t_ours, (size_t)done);
        BenchStats sb = bench_stats(t_base, (size_t)done);
        snprintf(fig, sizeof fig, "export %ldk responses (%d run%s)", n / 1000, done,
                 done == 1 ? "" : "s");
        if (n == 10000) {
            snprintf(target, sizeof target, "<=1 s");
            snprintf(met, sizeof met, "%s", so.median <= 1.0 ? "yes" : "NO");
        }
        bench_row("export", fig, "s", &so, &sb, target, met);
        per_rec_us[si] = so.median / (double)n * 1e6;
        if (n_compact > 0) {
            BenchStats sc = bench_stats(t_compact, (size_t)n_compact);
            snprintf(fig, sizeof fig, "session close: compact the store, %ldk stored", n / 1000);
            bench_row("export", fig, "s", &sc, NULL, "-", "-");
        }
    }
    if (per_rec_us[1] > 0 && per_rec_us[2] > 0) {
        double growth = per_rec_us[2] / per_rec_us[1];
        bench_row1("export", "export per-record time, 50k / 10k", "x", growth, "linear (~1.0)",
                   growth <= 1.3 ? "yes" : "NO");
    }
    bench_note("export per record: %.1f us at 1k, %.1f us at 10k, %.1f us at 50k, %.1f us at "
               "%ldk (0 = not measured); record %zu bytes; baseline = the record files read "
               "whole + written to one file + fsync",
               per_rec_us[0], per_rec_us[1], per_rec_us[2], per_rec_us[3], sizes[3] / 1000,
               rec_len);
    bench_note("export: scratch on %s (%s); each export runs in its own process", root, fs);
    for (size_t si = 0; si < NSIZES; si++) {
        if (peak_rss[si] <= 0)
            continue;
        char fig[96];
        snprintf(fig, sizeof fig, "peak RSS, export of %ldk%s", sizes[si] / 1000,
                 sizes[si] == STORE_MAX_SLOTS ? " (the most a store keeps)" : "");
        /* bounded whatever the batch size (PERFORMANCE.md "Targets"; a Pi Zero 2 W: 512 MiB) */
        bench_row1("rss", fig, "MiB", peak_rss[si], "<=32 MiB", peak_rss[si] <= 32 ? "yes" : "NO");
    }
    bench_rmtree(root);
    free(pool);
    keys_secret_free(sec);
    response_free(r);
    survey_free(s);
    return 0;
}
