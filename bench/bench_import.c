/* bench_import: decrypting responses on the analyst's side, per record.
 *
 * Ours: seal_open (find the slot, crypto_box_seal_open of the content key, XChaCha20-Poly1305
 * of the padded plaintext, unpad) + response_decode + response_decoded_free.
 * Baseline, same run, same records: libsodium's crypto_box_seal_open of the record's sealed
 * content key alone (the asymmetric step every record needs; the bench reads the X25519
 * secret through crypto/keys_internal.h, which only a benchmark may).
 *
 * Like with like: a rate on one core is compared with the baseline on one core (interleaved
 * per record), a rate on N cores with the baseline on the same N cores (N threads, wall
 * clock, passes alternating with ours). Each pass opens every record of a pool of distinct
 * real records; the figures are records/s per pass (min/median/p99 over passes) and the
 * per-record time.
 *
 * Then the real analysis_import_file of an exported batch into a fresh database, on 1 thread
 * (against the one-core baseline) and on every core (against the N-core baseline), and, for
 * the breakdown, the part of it no thread count shortens: reading the file and verifying it
 * (hashed while it is read; the signature is checked before any record is opened).
 */
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "benchlib.h"
#include "coord.h"
#include "import_internal.h"
#include "store.h"
#include "keys.h"
#include "keys_internal.h"
#include "response.h"
#include "seal.h"
#include "secmem.h"

#define SLOT_OFFSET (10 + KEYS_RECIPIENT_ID_BYTES) /* header, then the key id of slot 0 */

/* Multi-core import: each thread opens and decodes a contiguous share of the records (or,
 * for the baseline, only crypto_box_seal_open's each record's sealed content key). */
typedef struct Share {
    const uint8_t *recs;
    size_t cap, rec_len, padded;
    int from, to;
    const KeySecret *sec;
    const uint8_t *box_pk, *box_sk; /* baseline: set */
    int failed;
} Share;

static void *open_share_base(Share *sh)
{
    for (int i = sh->from; i < sh->to; i++) {
        uint8_t key[32];
        if (crypto_box_seal_open(key, sh->recs + (size_t)i * sh->cap + SLOT_OFFSET,
                                 crypto_box_SEALBYTES + 32, sh->box_pk, sh->box_sk) != 0) {
            sh->failed = 1;
            break;
        }
        sodium_memzero(key, sizeof key);
    }
    return NULL;
}

static void *open_share(void *arg)
{
    Share *sh = arg;
    if (sh->box_sk)
        return open_share_base(sh);
    uint8_t *plain = secmem_alloc(sh->padded);
    DbError err;
    for (int i = sh->from; i < sh->to && plain; i++) {
        size_t plen = 0;
        DecodedResponse *d = NULL;
        if (seal_open(sh->recs + (size_t)i * sh->cap, sh->rec_len, sh->sec, plain, sh->padded,
                      &plen, &err) != DB_OK ||
            response_decode(plain, plen, &d, &err) != DB_OK) {
            sh->failed = 1;
            break;
        }
        response_decoded_free(d);
        secmem_wipe(plain, plen);
    }
    if (!plain)
        sh->failed = 1;
    secmem_free(plain);
    return NULL;
}

/* Wall-clock records/s opening all n records on t threads: ours, or the baseline when
 * box_sk is set. */
static double threaded_rate(const uint8_t *recs, size_t cap, size_t rec_len, size_t padded, int n,
                            const KeySecret *sec, const uint8_t *box_pk, const uint8_t *box_sk,
                            int t)
{
    enum { MAXT = 16 };
    pthread_t th[MAXT];
    Share sh[MAXT];
    if (t > MAXT)
        t = MAXT;
    uint64_t a = bench_now_ns();
    for (int i = 0; i < t; i++) {
        sh[i] = (Share){recs, cap,   rec_len, padded, n * i / t, n * (i + 1) / t,
                        sec,  box_pk, box_sk, 0};
        if (pthread_create(&th[i], NULL, open_share, &sh[i]) != 0) {
            fprintf(stderr, "bench: pthread_create failed\n");
            exit(1);
        }
    }
    for (int i = 0; i < t; i++) {
        pthread_join(th[i], NULL);
        if (sh[i].failed) {
            fprintf(stderr, "bench: a decrypting thread failed\n");
            exit(1);
        }
    }
    return (double)n / ((double)(bench_now_ns() - a) / 1e9);
}

/* The real import (analysis_import_file) of one batch of n records into a fresh analysis
 * database, reps times with n_threads = 1 (rates1) and with the default, one per core
 * (ratesn); records/s per run. */
static void real_import(const Survey *s, const KeySecret *sec, const uint8_t *recs, size_t cap,
                        size_t rec_len, int n_pool, long n, int reps, double *rates1,
                        double *ratesn, double *verify_ms, const char *scratch)
{
    DbError err;
    char dir[4096], data[4200], out[4200], dbp[4200], spath[4200];
    if (bench_mkdtemp(scratch, dir, sizeof dir) != 0)
        exit(1);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    mkdir(data, 0700);
    mkdir(out, 0700);
    Store *st = NULL;
    int64_t sid = 0;
    bench_check(store_open(data, &st, &err), &err, "store_open");
    bench_check(store_session_open(st, "Group 2", "2026-11-26", s->id, s->version, 0, &sid, &err),
                &err, "store_session_open");
    bench_check(store_session_close(st, &err), &err, "store_session_close");
    store_close(st);
    /* bench_store_fill wants the pool back to back. */
    uint8_t *pool = malloc((size_t)n_pool * rec_len);
    for (int i = 0; i < n_pool; i++)
        memcpy(pool + (size_t)i * rec_len, recs + (size_t)i * cap, rec_len);
    if (bench_store_fill(data, sid, pool, (size_t)n_pool, rec_len, n) != 0)
        exit(1);
    free(pool);
    CoordExportOptions eo = {.data_dir = data, .out_dir = out, .force = 1};
    CoordExportResult er;
    bench_check(store_open(data, &eo.store, &err), &err, "store_open");
    bench_check(coord_export(&eo, &er, &err), &err, "coord_export");
    store_close(eo.store);
    char batch[PATH_MAX];
    snprintf(batch, sizeof batch, "%s", er.batches[0].path);
    coord_export_result_free(&er);
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(spath, sizeof spath, "%s/assets/surveys/ccdg.json",
             src && *src ? src : DEBRIEF_SOURCE_DIR);
    AnalysisSurveyFile sf;
    bench_check(analysis_survey_file_load(spath, &sf, &err), &err, "analysis_survey_file_load");
    for (int r = 0; r < 2 * reps; r++) {
        /* Alternate 1 thread and all cores, so both meet the same machine. */
        AnalysisImportOptions io = {
            .trust_new_kiosk = 1, .n_threads = r % 2 ? 0 : 1, .surveys = &sf, .n_surveys = 1};
        snprintf(dbp, sizeof dbp, "%s/analysis-%d.db", dir, r);
        uint64_t a = bench_now_ns();
        Adb *db = NULL;
        AnalysisImportResult res;
        bench_check(adb_open(dbp, 1, &db, &err), &err, "adb_open");
        bench_check(analysis_import_file(db, sec, batch, &io, &res, &err), &err,
                    "analysis_import_file");
        adb_close(db);
        double rate = (double)n / ((double)(bench_now_ns() - a) / 1e9);
        if (r % 2)
            ratesn[r / 2] = rate;
        else
            rates1[r / 2] = rate;
        /* The serial part no thread count shortens: reading the file and checking its
         * signature (hashed while it is read), before any record may be opened. */
        uint8_t *bytes = NULL;
        size_t blen = 0;
        Batch bb;
        a = bench_now_ns();
        bench_check(analysis_batch_read(batch, &bytes, &blen, &bb, &err), &err,
                    "analysis_batch_read");
        verify_ms[r] = (double)(bench_now_ns() - a) / 1e6;
        batch_free(&bb);
        free(bytes);
    }
    analysis_survey_file_free(&sf);
    bench_rmtree(dir);
}

int main(int argc, char **argv)
{
    BenchOpts opt;
    bench_parse_args(argc, argv, &opt,
                     "Import decrypt rate (seal_open + response_decode) vs raw "
                     "crypto_box_seal_open on the same records.\n");
    if (secmem_init() != 0)
        return 1;
    DbError err;
    const int n_rec = opt.quick ? 300 : 1000;
    const int passes = opt.quick ? 5 : 15;

    Survey *s = bench_survey();
    Response *r = bench_response(s, 200);
    KeyPublic pub;
    KeySecret *sec = NULL;
    bench_check(keys_generate(&pub, &sec, &err), &err, "keys_generate");
    size_t cap = seal_record_size(s->record_size, 1);
    uint8_t *recs = malloc((size_t)n_rec * cap);
    size_t rec_len = 0;
    for (int i = 0; i < n_rec; i++)
        rec_len = bench_seal(s, r, &pub, 1, recs + (size_t)i * cap, cap);
    uint8_t *plain = secmem_alloc(s->record_size);
    const uint8_t *box_sk = keys_secret_box_sk(sec);

    double *rate_ours = malloc(sizeof(double) * (size_t)passes);
    double *rate_base = malloc(sizeof(double) * (size_t)passes);
    double *t_ours = malloc(sizeof(double) * (size_t)passes * (size_t)n_rec);
    double *t_base = malloc(sizeof(double) * (size_t)passes * (size_t)n_rec);
    double *t_aead = malloc(sizeof(double) * (size_t)passes * (size_t)n_rec);
    double *t_open = malloc(sizeof(double) * (size_t)passes * (size_t)n_rec);
    double *t_decode = malloc(sizeof(double) * (size_t)passes * (size_t)n_rec);
    size_t nt = 0;
    double mean_ours = 0, mean_base = 0;
    for (int p = -1; p < passes; p++) { /* pass -1 warms up */
        uint64_t sum_ours = 0, sum_base = 0;
        for (int i = 0; i < n_rec; i++) {
            const uint8_t *rec = recs + (size_t)i * cap;
            uint64_t a = bench_now_ns();
            uint8_t key[32];
            if (crypto_box_seal_open(key, rec + SLOT_OFFSET, crypto_box_SEALBYTES + 32, pub.pk,
                                     box_sk) != 0) {
                fprintf(stderr, "bench: baseline crypto_box_seal_open failed\n");
                return 1;
            }
            uint64_t a2 = bench_now_ns();
            /* The symmetric part alone, for the breakdown (not in either figure). */
            unsigned long long dlen = 0;
            const size_t hdr = 10 + 88 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
            if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &dlen, NULL, rec + hdr,
                                                           rec_len - hdr, rec, hdr, rec + 10 + 88,
                                                           key) != 0) {
                fprintf(stderr, "bench: baseline AEAD open failed\n");
                return 1;
            }
            sodium_memzero(key, sizeof key);
            sodium_memzero(plain, (size_t)dlen);
            uint64_t b = bench_now_ns();
            size_t plen = 0;
            DecodedResponse *d = NULL;
            bench_check(seal_open(rec, rec_len, sec, plain, s->record_size, &plen, &err), &err,
                        "seal_open");
            uint64_t b2 = bench_now_ns();
            bench_check(response_decode(plain, plen, &d, &err), &err, "response_decode");
            response_decoded_free(d);
            secmem_wipe(plain, plen);
            uint64_t c = bench_now_ns();
            sum_base += a2 - a;
            sum_ours += c - b;
            if (p >= 0) {
                t_base[nt] = (double)(a2 - a) / 1e3;
                t_aead[nt] = (double)(b - a2) / 1e3;
                t_open[nt] = (double)(b2 - b) / 1e3;
                t_decode[nt] = (double)(c - b2) / 1e3;
                t_ours[nt] = (double)(c - b) / 1e3;
                nt++;
            }
        }
        if (p >= 0) {
            /* Rate from the pass's median per-record time: robust against the preemption a
             * shared machine adds to a few records (the mean-based rate is in the note). */
            double *po = t_ours + nt - (size_t)n_rec, *pb = t_base + nt - (size_t)n_rec;
            double mo = bench_stats(po, (size_t)n_rec).median;
            double mb = bench_stats(pb, (size_t)n_rec).median;
            rate_ours[p] = 1e6 / mo;
            rate_base[p] = 1e6 / mb;
            mean_ours += (double)n_rec / ((double)sum_ours / 1e9) / passes;
            mean_base += (double)n_rec / ((double)sum_base / 1e9) / passes;
        }
    }
    BenchStats so = bench_stats(rate_ours, (size_t)passes);
    BenchStats sb = bench_stats(rate_base, (size_t)passes);
    char fig[96];
    snprintf(fig, sizeof fig, "import decrypt rate, 1 core (%d x %d records)", passes, n_rec);
    bench_row("import", fig, "rec/s", &so, &sb, ">=0.80 of base",
              so.median >= 0.8 * sb.median ? "yes" : "NO");
    /* The same records on every core, wall clock, against the baseline on the same cores
     * (passes alternate, so both meet the same machine). */
    int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        ncpu = 1;
    double *rate_mt = malloc(sizeof(double) * (size_t)passes);
    double *rate_mtb = malloc(sizeof(double) * (size_t)passes);
    for (int p = 0; p < passes; p++) {
        rate_mtb[p] = threaded_rate(recs, cap, rec_len, s->record_size, n_rec, sec, pub.pk,
                                    box_sk, ncpu);
        rate_mt[p] =
            threaded_rate(recs, cap, rec_len, s->record_size, n_rec, sec, NULL, NULL, ncpu);
    }
    BenchStats smt = bench_stats(rate_mt, (size_t)passes);
    BenchStats smb = bench_stats(rate_mtb, (size_t)passes);
    snprintf(fig, sizeof fig, "import decrypt rate, %d threads (wall clock)", ncpu);
    bench_row("import", fig, "rec/s", &smt, &smb, ">=0.80 of base",
              smt.median >= 0.8 * smb.median ? "yes" : "NO");
    free(rate_mt);
    free(rate_mtb);

    /* The real import, end to end: parse + verify the batch, open, decode, check, insert. */
    long n_import = opt.quick ? 2000 : 10000;
    int import_reps = opt.quick ? 2 : 3;
    double rates1[8], ratesn[8], verify_ms[16];
    /* Every record of the batch distinct: import refuses a sealed record seen twice (a
     * replay), so a batch that repeated a pool of records would not import. */
    uint8_t *all = malloc((size_t)n_import * cap);
    if (!all)
        return 1;
    for (long i = 0; i < n_import; i++)
        bench_seal(s, r, &pub, 1, all + (size_t)i * cap, cap);
    real_import(s, sec, all, cap, rec_len, (int)n_import, n_import, import_reps, rates1, ratesn,
                verify_ms, opt.dir);
    free(all);
    BenchStats si = bench_stats(rates1, (size_t)import_reps);
    snprintf(fig, sizeof fig, "import %ldk-record batch, real (analysis_import_file), 1 thread",
             n_import / 1000);
    bench_row("import", fig, "rec/s", &si, &sb, ">=0.80 of base",
              si.median >= 0.8 * sb.median ? "yes" : "NO");
    si = bench_stats(ratesn, (size_t)import_reps);
    snprintf(fig, sizeof fig, "import %ldk-record batch, real, default threads (%d cores)",
             n_import / 1000, ncpu);
    bench_row("import", fig, "rec/s", &si, &smb, ">=0.80 of base",
              si.median >= 0.8 * smb.median ? "yes" : "NO");
    BenchStats sv = bench_stats(verify_ms, (size_t)(2 * import_reps));
    snprintf(fig, sizeof fig, "  of which read + verify (serial, before opening), %ldk",
             n_import / 1000);
    bench_row("import", fig, "ms", &sv, NULL, "-", "-");
    BenchStats lo = bench_stats(t_ours, nt);
    BenchStats lb = bench_stats(t_base, nt);
    bench_row("import", "  per record: seal_open + response_decode", "us", &lo, &lb, "-", "-");
    BenchStats lopen = bench_stats(t_open, nt), ldec = bench_stats(t_decode, nt);
    BenchStats laead = bench_stats(t_aead, nt);
    bench_row("import", "    of which seal_open", "us", &lopen, &lb, "-", "-");
    bench_row("import", "    of which response_decode + free", "us", &ldec, NULL, "-", "-");
    bench_row("import", "    XChaCha20-Poly1305 open alone (libsodium)", "us", &laead, NULL, "-",
              "-");
    bench_note("import: one-core rates per pass = 1 / median per-record time (min = slowest "
               "pass), against crypto_box_seal_open on one core; %d-thread and default-thread "
               "rows against crypto_box_seal_open on the same %d threads (wall clock); one-core "
               "wall-clock rates incl. preemption: %.0f vs %.0f rec/s (%.2f); record %zu bytes "
               "(padded %zu, 1 recipient)",
               ncpu, ncpu, mean_ours, mean_base, mean_ours / mean_base, rec_len, s->record_size);
    bench_row1("rss", "peak RSS, bench_import", "MiB", bench_peak_rss_mib(), "-", "-");

    free(rate_ours);
    free(rate_base);
    free(t_ours);
    free(t_base);
    free(t_aead);
    free(t_open);
    free(t_decode);
    free(recs);
    secmem_free(plain);
    keys_secret_free(sec);
    response_free(r);
    survey_free(s);
    return 0;
}
