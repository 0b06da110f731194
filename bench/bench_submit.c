/* bench_submit: what a participant waits for after tapping "Submit".
 *
 * Ours: response_encode + seal_envelope_use + store_response_put (the record and its index
 * page written in place into a random free slot, then fdatasync), exactly the kiosk's submit
 * path minus the session lookup and the wait for the kiosk's next commit tick (a privacy
 * delay of at most commit_interval, not a cost of the write). As in the
 * kiosk, the envelope (the content key sealed to the recipient) is made before the
 * participant taps Submit, while the kiosk waits for a finger; its cost is a row of its own.
 * Baseline, measured in the same run and interleaved with ours so both see the same disk:
 * one autocommit INSERT of the same sealed bytes into a plain rowid table of a bare sqlite
 * database with the same page size, WAL and synchronous=FULL.
 *
 * Both databases are pre-filled with the same number of rows (0, 10k, 100k) so that "flat in
 * the number stored" is measured, not assumed. The scratch directory is on the real disk
 * (default /var/tmp, or --dir / $DEBRIEF_BENCH_DIR); its filesystem is printed.
 */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchlib.h"
#include "keys.h"
#include "seal.h"
#include "secmem.h"
#include "store.h"

typedef struct Baseline {
    sqlite3 *db;
    sqlite3_stmt *ins;
} Baseline;

static void sql_or_die(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench: %s: %s\n", sql, msg ? msg : "?");
        exit(1);
    }
}

static int store_page_size(const char *dir)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%.4000s/%s", dir, STORE_DB_NAME);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ps = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        ps = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (ps <= 0) {
        fprintf(stderr, "bench: cannot read the store's page size\n");
        exit(1);
    }
    return ps;
}

static void baseline_open(Baseline *b, const char *dir, int page_size, const uint8_t *rec,
                          size_t len, long prefill)
{
    char path[PATH_MAX + 32], sql[128];
    snprintf(path, sizeof path, "%.4000s/baseline.db", dir);
    if (sqlite3_open(path, &b->db) != SQLITE_OK) {
        fprintf(stderr, "bench: cannot open %s\n", path);
        exit(1);
    }
    snprintf(sql, sizeof sql, "PRAGMA page_size = %d", page_size);
    sql_or_die(b->db, sql);
    sql_or_die(b->db, "CREATE TABLE plain(id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    if (sqlite3_prepare_v2(b->db, "INSERT INTO plain(data) VALUES (?)", -1, &b->ins, NULL) !=
        SQLITE_OK) {
        fprintf(stderr, "bench: baseline prepare: %s\n", sqlite3_errmsg(b->db));
        exit(1);
    }
    /* Pre-fill like the store: one transaction, no fsync per page. */
    sql_or_die(b->db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN");
    for (long i = 0; i < prefill; i++) {
        sqlite3_bind_blob(b->ins, 1, rec, (int)len, SQLITE_STATIC);
        if (sqlite3_step(b->ins) != SQLITE_DONE) {
            fprintf(stderr, "bench: baseline fill: %s\n", sqlite3_errmsg(b->db));
            exit(1);
        }
        sqlite3_reset(b->ins);
    }
    sql_or_die(b->db, "COMMIT; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
}

static void baseline_insert(Baseline *b, const uint8_t *rec, size_t len)
{
    sqlite3_bind_blob(b->ins, 1, rec, (int)len, SQLITE_STATIC);
    if (sqlite3_step(b->ins) != SQLITE_DONE) {
        fprintf(stderr, "bench: baseline insert: %s\n", sqlite3_errmsg(b->db));
        exit(1);
    }
    sqlite3_reset(b->ins);
}

static void baseline_close(Baseline *b)
{
    sqlite3_finalize(b->ins);
    sqlite3_close(b->db);
}

/* Bytes this process has passed to write()/pwrite() so far (/proc/self/io "wchar"). */
static long long read_wchar(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    long long v = -1;
    char line[128];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "wchar:", 6) == 0)
            v = strtoll(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

int main(int argc, char **argv)
{
    BenchOpts opt;
    bench_parse_args(argc, argv, &opt,
                     "Submit latency (encode + seal + durable put) vs a bare "
                     "sqlite durable insert, with 0/10k/100k stored.\n");
    if (secmem_init() != 0)
        return 1;
    DbError err;
    const long levels[] = {0, 10000, 100000};
    const int reps = opt.quick ? 60 : 300;
    const int warm = 10;

    Survey *s = bench_survey();
    Response *r = bench_response(s, 200);
    KeyPublic pub;
    KeySecret *sec = NULL;
    bench_check(keys_generate(&pub, &sec, &err), &err, "keys_generate");
    size_t cap = seal_record_size(s->record_size, 1);
    uint8_t *rec = malloc(cap);
    uint8_t *plain = secmem_alloc(s->record_size);
    size_t rec_len = bench_seal(s, r, &pub, 1, rec, cap);

    /* A pool of real sealed records for the pre-fill. */
    enum { POOL = 64 };
    uint8_t *pool = malloc(POOL * rec_len);
    for (int i = 0; i < POOL; i++)
        bench_seal(s, r, &pub, 1, pool + (size_t)i * rec_len, rec_len);

    enum { NL = 3 };
    typedef struct Level {
        char dir[PATH_MAX];
        Store *st;
        int64_t sid;
        Baseline b;
        double *ours, *base, *seal_only, *put_only, *envelope;
        long long wchar_ours, wchar_base;
        double fill_s;
    } Level;
    Level lv[NL];
    ResponseContext ctx = {"Group 2", "2026-11-26"};
    char fs[256] = "?";
    int page_size = 0;

    for (int li = 0; li < NL; li++) {
        Level *L = &lv[li];
        memset(L, 0, sizeof *L);
        if (bench_mkdtemp(opt.dir, L->dir, sizeof L->dir) != 0)
            return 1;
        bench_fs_type(L->dir, fs, sizeof fs);
        bench_check(store_open(L->dir, &L->st, &err), &err, "store_open");
        bench_check(
            store_session_open(L->st, "Group 2", "2026-11-26", s->id, s->version, 0, &L->sid, &err),
            &err, "store_session_open");
        store_close(L->st);
        uint64_t t0 = bench_now_ns();
        if (levels[li] > 0 &&
            bench_store_fill(L->dir, L->sid, pool, POOL, rec_len, levels[li]) != 0)
            return 1;
        page_size = store_page_size(L->dir);
        baseline_open(&L->b, L->dir, page_size, rec, rec_len, levels[li]);
        L->fill_s = (double)(bench_now_ns() - t0) / 1e9;
        bench_check(store_open(L->dir, &L->st, &err), &err, "store_open");
        /* As a kiosk does when a session opens: free slots for every submit to come. */
        bench_check(store_reserve(L->st, rec_len, (uint32_t)(warm + reps + 64), &err), &err,
                    "store_reserve");
        L->ours = malloc(sizeof(double) * (size_t)reps);
        L->base = malloc(sizeof(double) * (size_t)reps);
        L->seal_only = malloc(sizeof(double) * (size_t)reps);
        L->put_only = malloc(sizeof(double) * (size_t)reps);
        L->envelope = malloc(sizeof(double) * (size_t)reps);
    }

    /* Round robin over the levels (and alternating ours/baseline first), so that every
     * figure meets the same disk: a shared virtual disk's fsync changes from ~0.3 ms to
     * ~4 ms with the neighbours' I/O, and would otherwise decide the comparison. */
    for (int i = 0; i < warm + reps; i++) {
        for (int k = 0; k < NL; k++) {
            Level *L = &lv[(i + k) % NL];
            double tb = 0;
            long long w0, w1;
            if (i % 2) {
                w0 = read_wchar();
                uint64_t x = bench_now_ns();
                baseline_insert(&L->b, rec, rec_len);
                tb = (double)(bench_now_ns() - x) / 1e6;
                L->wchar_base += read_wchar() - w0;
            }
            uint64_t e0 = bench_now_ns();
            SealEnvelope *env = NULL;
            bench_check(seal_envelope_new(s->record_size, &pub, 1, &env, &err), &err,
                        "seal_envelope_new");
            uint64_t e1 = bench_now_ns();
            w0 = read_wchar();
            uint64_t a = bench_now_ns();
            size_t plen = 0, rlen = 0;
            bench_check(response_encode(r, &ctx, plain, s->record_size, &plen, &err), &err,
                        "response_encode");
            bench_check(seal_envelope_use(env, plain, plen, rec, cap, &rlen, &err), &err,
                        "seal_envelope_use");
            seal_envelope_free(env);
            secmem_wipe(plain, s->record_size);
            uint64_t sealed = bench_now_ns();
            bench_check(store_response_put(L->st, L->sid, rec, rlen, &err), &err,
                        "store_response_put");
            uint64_t c = bench_now_ns();
            w1 = read_wchar();
            L->wchar_ours += w1 - w0;
            if (i % 2 == 0) {
                uint64_t x = bench_now_ns();
                baseline_insert(&L->b, rec, rlen);
                tb = (double)(bench_now_ns() - x) / 1e6;
                L->wchar_base += read_wchar() - w1;
            }
            if (i >= warm) {
                L->ours[i - warm] = (double)(c - a) / 1e6;
                L->seal_only[i - warm] = (double)(sealed - a) / 1e3;
                L->envelope[i - warm] = (double)(e1 - e0) / 1e3;
                L->put_only[i - warm] = (double)(c - sealed) / 1e6;
                L->base[i - warm] = tb;
            }
        }
    }

    double median_at[NL] = {0}, ratio_at[NL] = {0};
    for (int li = 0; li < NL; li++) {
        Level *L = &lv[li];
        store_close(L->st);
        baseline_close(&L->b);
        BenchStats so = bench_stats(L->ours, (size_t)reps);
        BenchStats sb = bench_stats(L->base, (size_t)reps);
        BenchStats ss = bench_stats(L->seal_only, (size_t)reps);
        BenchStats sp = bench_stats(L->put_only, (size_t)reps);
        median_at[li] = so.median;
        ratio_at[li] = so.median / sb.median;
        char fig[128], met[8];
        snprintf(fig, sizeof fig, "submit, %ldk stored (p99 %.2f ms vs %.2f)", levels[li] / 1000,
                 so.p99, sb.p99);
        snprintf(met, sizeof met, "%s", so.median <= 1.3 * sb.median ? "yes" : "NO");
        bench_row("submit", fig, "ms", &so, &sb, "<=1.3x base", met);
        snprintf(fig, sizeof fig, "  of which store_response_put, %ldk stored", levels[li] / 1000);
        bench_row("submit", fig, "ms", &sp, &sb, "-", "-");
        if (li == 0) {
            BenchStats se = bench_stats(L->envelope, (size_t)reps);
            bench_row("submit", "  of which encode + encrypt into the envelope", "us", &ss, NULL,
                      "-", "-");
            bench_row("submit", "envelope, made ahead while idle (not in the figures above)",
                      "us", &se, NULL, "-", "-");
        }
        long long n = warm + reps;
        double bytes_ratio = (double)L->wchar_ours / (double)(L->wchar_base ? L->wchar_base : 1);
        snprintf(fig, sizeof fig, "bytes written per submit, %ldk stored (%lld vs %lld)",
                 levels[li] / 1000, L->wchar_ours / n, L->wchar_base / n);
        bench_row1("submit", fig, "x", bytes_ratio, "<=1.5x base", bytes_ratio <= 1.5 ? "yes" : "NO");
        bench_note("submit at %ld stored: pre-fill %.1f s (not measured); bytes written per "
                   "submit, the baseline's checkpoints included: %lld (store) vs %lld (baseline)",
                   levels[li], L->fill_s, L->wchar_ours / n, L->wchar_base / n);
        bench_rmtree(L->dir);
        free(L->ours);
        free(L->base);
        free(L->seal_only);
        free(L->put_only);
        free(L->envelope);
    }
    char met[8];
    double growth = median_at[NL - 1] / median_at[0];
    snprintf(met, sizeof met, "%s", growth <= 1.5 ? "yes" : "NO");
    bench_row1("submit", "submit median, 100k / 0 stored", "x", growth, "flat (<=1.5x)", met);
    bench_note("submit: %d samples per level after %d warm-up, levels and ours/baseline "
               "interleaved; ratio to baseline %.2f / %.2f / %.2f at 0 / 10k / 100k",
               reps, warm, ratio_at[0], ratio_at[1], ratio_at[2]);
    bench_note("submit: data directory on %s (%s), page size %d, record %zu bytes (padded %zu, 1 "
               "recipient)",
               opt.dir ? opt.dir
                       : (getenv("DEBRIEF_BENCH_DIR") ? getenv("DEBRIEF_BENCH_DIR") : "/var/tmp"),
               fs, page_size, rec_len, s->record_size);
    bench_row1("rss", "peak RSS, bench_submit (incl. 100k pre-fill)", "MiB", bench_peak_rss_mib(),
               "-", "-");

    free(pool);
    free(rec);
    secmem_free(plain);
    keys_secret_free(sec);
    response_free(r);
    survey_free(s);
    return 0;
}
