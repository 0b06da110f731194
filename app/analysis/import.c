/* import: verify, decrypt and import one batch file into the analysis database; write
 * acknowledgements. See analysis.h for the order of the checks.
 *
 * The signature, the kiosk, the chain and the surveys are checked with the database untouched;
 * then one transaction adds the kiosk (if new), the survey text (if new), the sessions, the
 * batch and its responses, each record opened and checked on the pool while the ones before
 * it are stored; any failure rolls the whole transaction back.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "fsutil.h"
#include "import_internal.h"
#include "response.h"
#include "seal.h"
#include "secmem.h"
#include "utf8.h"

int analysis_survey_file_load(const char *path, AnalysisSurveyFile *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    uint8_t *data;
    size_t len;
    int rc = fs_read_file(path, SURVEY_MAX_FILE_BYTES, 1, &data, &len, err);
    if (rc != DB_OK)
        return rc;
    rc = survey_load_buffer(path, (const char *)data, len, &out->survey, err);
    if (rc != DB_OK) {
        free(data);
        return rc;
    }
    out->json = (char *)data;
    out->len = len;
    return DB_OK;
}

void analysis_survey_file_free(AnalysisSurveyFile *f)
{
    if (!f)
        return;
    survey_free(f->survey);
    free(f->json);
    memset(f, 0, sizeof *f);
}

/* --- the kiosk registry --- */

static int is_crockford(char c)
{
    return (c >= '0' && c <= '9') ||
           (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
}

int analysis_kiosks_parse(const char *path, const char *text, size_t len,
                          AnalysisKioskRegistry *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", path);
    int rc = DB_OK;
    size_t line_no = 0;
    for (size_t pos = 0; pos < len && rc == DB_OK;) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        line_no++;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        size_t i = 0;
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == n || line[i] == '#')
            continue;
        /* fingerprint: XXXX-XXXX-XXXX-XXXX, upper-cased */
        AnalysisKiosk k;
        memset(&k, 0, sizeof k);
        size_t f = 0;
        while (i < n && line[i] != ' ' && line[i] != '\t') {
            char c = line[i++];
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            if (f + 1 < sizeof k.fingerprint)
                k.fingerprint[f] = c;
            f++;
        }
        int fp_ok = f == KEY_FINGERPRINT_SIZE - 1;
        for (size_t j = 0; fp_ok && j < f; j++)
            fp_ok = j % 5 == 4 ? k.fingerprint[j] == '-' : is_crockford(k.fingerprint[j]);
        if (!fp_ok) {
            rc = dberr_set(err, DB_EINVAL,
                           "%s:%zu: expected a kiosk fingerprint like ABCD-EFGH-JKMN-PQRS (as the "
                           "kiosk's admin screen shows it) at the start of the line",
                           path, line_no);
            break;
        }
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        size_t end = n;
        while (end > i && (line[end - 1] == ' ' || line[end - 1] == '\t'))
            end--;
        if (end - i > ADB_KIOSK_LABEL_MAX) {
            rc = dberr_set(err, DB_EINVAL, "%s:%zu: the label is longer than %d bytes", path,
                           line_no, ADB_KIOSK_LABEL_MAX);
            break;
        }
        /* strict UTF-8, no C0/C1 controls or DEL: the same checker as every other text */
        if (utf8_check(line + i, end - i, false, NULL) != UTF8_OK) {
            rc = dberr_set(err, DB_EINVAL,
                           "%s:%zu: the label is not UTF-8 text (or has control characters)", path,
                           line_no);
            break;
        }
        memcpy(k.label, line + i, end - i);
        if (analysis_kiosks_find(out, k.fingerprint)) {
            rc = dberr_set(err, DB_EINVAL, "%s:%zu: kiosk %s is listed twice", path, line_no,
                           k.fingerprint);
            break;
        }
        AnalysisKiosk *p = realloc(out->kiosks, ((size_t)out->n + 1) * sizeof *p);
        if (!p) {
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
            break;
        }
        out->kiosks = p;
        out->kiosks[out->n++] = k;
    }
    if (rc != DB_OK)
        analysis_kiosks_free(out);
    return rc;
}

int analysis_kiosks_load(const char *path, AnalysisKioskRegistry *out, DbError *err)
{
    memset(out, 0, sizeof *out);
    uint8_t *data;
    size_t len;
    int rc = fs_read_file(path, ANALYSIS_KIOSKS_MAX_BYTES, 1, &data, &len, err);
    if (rc != DB_OK)
        return rc;
    rc = analysis_kiosks_parse(path, (const char *)data, len, out, err);
    free(data);
    return rc;
}

void analysis_kiosks_free(AnalysisKioskRegistry *r)
{
    if (!r)
        return;
    free(r->kiosks);
    memset(r, 0, sizeof *r);
}

const AnalysisKiosk *analysis_kiosks_find(const AnalysisKioskRegistry *r, const char *fp)
{
    for (int i = 0; r && i < r->n; i++)
        if (strcmp(r->kiosks[i].fingerprint, fp) == 0)
            return &r->kiosks[i];
    return NULL;
}

void analysis_ack_file_name(const char *kiosk_fp, uint64_t last_batch, const char *db_path,
                            char *out, size_t cap)
{
    const char *base = strrchr(db_path, '/');
    base = base ? base + 1 : db_path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    char stem[49];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof stem; i++) {
        char c = base[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        stem[k++] = ok ? c : '_';
    }
    stem[k] = '\0';
    snprintf(out, cap, "debrief-%.9s-ack-%06llu-%s.dba", kiosk_fp, (unsigned long long)last_batch,
             k ? stem : "db");
}

/* --- reading and verifying a batch ---
 *
 * The signature covers the BLAKE2b-512 of the whole file (but its last 64 bytes), and no
 * record may be opened before it verified, so reading and hashing are the part of an import
 * no thread count shortens. They overlap: the calling thread reads the file in pieces
 * (fs_read_file_watch, with all of fs_read_file's checks) while a hasher thread hashes what
 * has arrived, up to 64 bytes short of it (those may be the signature). The hasher reads the
 * import's own copy of the bytes, the very buffer the records are then parsed from and
 * opened in, so what verified is what is used. */

#define HASH_PIECE (1024u * 1024)

typedef struct Hasher {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    BatchDigest *dg;
    /* under mu: */
    const uint8_t *buf; /* NULL while the reader moves or frees it */
    size_t avail;       /* bytes of buf read so far */
    size_t hashed;      /* bytes of buf hashed so far */
    size_t end;         /* once done: the length of the signed part */
    int busy;           /* the hasher is reading buf (without mu) */
    int done, quit;
} Hasher;

static void *hasher_main(void *arg)
{
    Hasher *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->quit) {
        size_t limit = h->done                            ? h->end
                       : h->avail > KEY_SIGNATURE_BYTES ? h->avail - KEY_SIGNATURE_BYTES
                                                        : 0;
        if (h->buf && h->hashed < limit) {
            size_t n = limit - h->hashed < HASH_PIECE ? limit - h->hashed : HASH_PIECE;
            const uint8_t *p = h->buf + h->hashed;
            h->busy = 1;
            pthread_mutex_unlock(&h->mu);
            batch_digest_update(h->dg, p, n);
            pthread_mutex_lock(&h->mu);
            h->hashed += n;
            h->busy = 0;
            pthread_cond_broadcast(&h->cv);
            continue;
        }
        if (h->done)
            break;
        pthread_cond_wait(&h->cv, &h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* fs_read_file_watch's callback, on the reading thread. */
static void hasher_watch(void *ctx, const uint8_t *buf, size_t got)
{
    Hasher *h = ctx;
    pthread_mutex_lock(&h->mu);
    h->buf = buf;
    h->avail = got;
    if (buf)
        pthread_cond_broadcast(&h->cv);
    else
        while (h->busy) /* the buffer moves or goes: wait until the hasher is off it */
            pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

/* Reads the batch at path and parses and verifies it (batch_parse's checks and messages),
 * hashing while reading; *data (malloc'd) holds the bytes b points into. */
static int read_batch(const char *path, uint8_t **data, size_t *len, Batch *b, DbError *err)
{
    Hasher h;
    memset(&h, 0, sizeof h);
    pthread_t th;
    int have_mu = 0, have_cv = 0, have_th = 0;
    if ((h.dg = batch_digest_new()) != NULL && (have_mu = pthread_mutex_init(&h.mu, NULL) == 0) &&
        (have_cv = pthread_cond_init(&h.cv, NULL) == 0))
        have_th = pthread_create(&th, NULL, hasher_main, &h) == 0;
    int rc;
    if (!have_th) { /* no thread: read, then hash */
        rc = fs_read_file(path, BATCH_MAX_BYTES, 1, data, len, err);
        if (rc == DB_OK)
            rc = batch_parse(path, *data, *len, b, err);
    } else {
        rc = fs_read_file_watch(path, BATCH_MAX_BYTES, 1, hasher_watch, &h, data, len, err);
        pthread_mutex_lock(&h.mu);
        if (rc == DB_OK) {
            h.buf = *data;
            h.avail = *len;
            h.end = *len > KEY_SIGNATURE_BYTES ? *len - KEY_SIGNATURE_BYTES : 0;
            h.done = 1;
        } else {
            h.quit = 1; /* the buffer is gone (hasher_watch saw NULL) */
        }
        pthread_cond_broadcast(&h.cv);
        pthread_mutex_unlock(&h.mu);
        pthread_join(th, NULL);
        if (rc == DB_OK) {
            uint8_t digest[BATCH_DIGEST_BYTES];
            batch_digest_final(h.dg, digest);
            rc = batch_parse_digested(path, *data, *len, digest, b, err);
        }
    }
    if (have_cv)
        pthread_cond_destroy(&h.cv);
    if (have_mu)
        pthread_mutex_destroy(&h.mu);
    batch_digest_free(h.dg);
    if (rc != DB_OK) {
        free(*data);
        *data = NULL;
    }
    return rc;
}

int analysis_batch_read(const char *path, uint8_t **data, size_t *len, Batch *b, DbError *err)
{
    return read_batch(path, data, len, b, err);
}

/* The fixed start of a batch file (docs/FORMAT.md, "Batch file"): magic, version, the kiosk's
 * key and the batch number. */
#define PEEK_BYTES 45

int analysis_batch_peek(const char *path, uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES], uint64_t *number,
                        DbError *err)
{
    /* Ordering a run needs only the header; reading, hashing and verifying the whole file
     * here would double the cost of an import (analysis_import_file checks it all). A file
     * whose header is not a batch header gets the full parser's message. */
    uint8_t h[PEEK_BYTES];
    /* O_NONBLOCK: a FIFO named *.dbb on a drive must not hang the import. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd >= 0) {
        struct stat sb;
        ssize_t got = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= BATCH_MAX_BYTES
                          ? read(fd, h, sizeof h)
                          : -1;
        close(fd);
        uint64_t n = 0;
        for (int i = 0; got == (ssize_t)sizeof h && i < 8; i++)
            n = (n << 8) | h[37 + i];
        if (got == (ssize_t)sizeof h && memcmp(h, "DBRB", 4) == 0 && h[4] == 1 && n >= 1 &&
            n <= INT64_MAX) {
            memcpy(kiosk_pk, h + 5, KEY_SIGN_PUBLIC_BYTES);
            *number = n;
            return DB_OK;
        }
    }
    uint8_t *data;
    size_t len;
    Batch b;
    int rc = read_batch(path, &data, &len, &b, err);
    if (rc != DB_OK)
        return rc;
    memcpy(kiosk_pk, b.kiosk_pk, KEY_SIGN_PUBLIC_BYTES);
    *number = b.number;
    batch_free(&b);
    free(data);
    return DB_OK;
}

/* The survey for a session: one given with --survey, else the stored one. */
typedef struct SurveyUse {
    char id[SURVEY_MAX_ID + 1];
    uint32_t version;
    const Survey *survey; /* borrowed from opt->surveys or owned (loaded) */
    Survey *owned;
    const AnalysisSurveyFile *add; /* to be stored in the transaction, or NULL */
} SurveyUse;

static int resolve_survey(Adb *db, const char *path, const BatchSession *s,
                          const AnalysisImportOptions *opt, SurveyUse *use, DbError *err)
{
    memset(use, 0, sizeof *use);
    snprintf(use->id, sizeof use->id, "%s", s->survey_id);
    use->version = s->survey_version;
    char *stored;
    size_t stored_len;
    int rc = adb_survey_get(db, s->survey_id, s->survey_version, &stored, &stored_len, err);
    if (rc != DB_OK)
        return rc;
    const AnalysisSurveyFile *given = NULL;
    for (int i = 0; i < opt->n_surveys; i++) {
        const Survey *sv = opt->surveys[i].survey;
        if (strcmp(sv->id, s->survey_id) == 0 && sv->version == s->survey_version) {
            given = &opt->surveys[i];
            break;
        }
    }
    if (stored) {
        if (given && (given->len != stored_len || memcmp(given->json, stored, stored_len) != 0)) {
            free(stored);
            return dberr_set(err, DB_ESTATE,
                             "%s: survey %s version %u given in %s differs from the one already "
                             "in the database; a changed survey needs a new version number",
                             path, s->survey_id, s->survey_version, given->path);
        }
        char name[96];
        snprintf(name, sizeof name, "%s (v%u, stored)", s->survey_id, s->survey_version);
        rc = survey_load_buffer(name, stored, stored_len, &use->owned, err);
        free(stored);
        use->survey = use->owned;
        return rc;
    }
    if (!given)
        return dberr_set(err, DB_ENOENT,
                         "%s: session '%s' uses survey %s version %u, which this database does "
                         "not know yet; give its file with --survey FILE",
                         path, s->label, s->survey_id, s->survey_version);
    use->survey = given->survey;
    use->add = given;
    return DB_OK;
}

/* --- opening the records in parallel, storing them in order ---
 *
 * Decrypting is the dominant cost of an import (an X25519 seal_open per record), so once the
 * batch verified and every check before step 7 passed, the records are opened, decoded and
 * checked (session, survey) by a small fixed pool of threads while the calling thread stores
 * them, in index order, inside the import's transaction.
 *
 * The pool: workers claim chunks of RECORD_CHUNK records in order (under the job's mutex),
 * open them into their own locked buffer of the batch's largest padded record size (wiped
 * after each record) and leave the decoded response in dec[i]. The calling thread is one of
 * the workers: when the next chunk to store is not ready yet, it opens a chunk itself. It
 * stores a chunk at a time (adb_responses_add: one statement for the chunk's responses, one
 * for their answers; 32 per statement cost 6 us each instead of 8.7 one by one). No chunk is
 * claimed more than RECORD_WINDOW records ahead of the one being stored, so only a window of
 * decoded responses (~11 KB each) exists at a time; each is wiped and freed once stored.
 *
 * Errors are deterministic: a worker stops at its chunk's first bad record and lowers
 * first_bad; no chunk is claimed beyond first_bad, and the records are stored in index order,
 * so the first bad record by index is the one reported, whatever the timing, and the
 * transaction is rolled back. seal_open is thread-safe (libsodium); the KeySecret, the batch
 * and the surveys are only read. */

#define RECORD_CHUNK 32
#define RECORD_WINDOW 1024
_Static_assert(RECORD_CHUNK <= ADB_RESPONSES_MAX, "a chunk is stored with one statement");

/* Records handed to seal_open, for tests (import_internal.h). */
static atomic_ulong g_records_opened;

unsigned long analysis_records_opened(void)
{
    return atomic_load(&g_records_opened);
}

static atomic_int g_fail_worker_buffers;

void analysis_test_fail_worker_buffers(int fail)
{
    atomic_store(&g_fail_worker_buffers, fail);
}

typedef struct RecordJob {
    const Batch *b;
    const KeySecret *sec;
    const char *path;
    const SurveyUse *uses;
    const uint8_t *keep; /* per record: import it (NULL: all); a skipped replay is not opened */
    size_t padded; /* largest padded size of the batch's records */
    DecodedResponse **dec;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* under mu: */
    uint32_t next;      /* next chunk start to claim */
    uint32_t stored;    /* records stored so far (the window's start) */
    uint8_t *ready;     /* per chunk: opened (or failed) */
    uint32_t first_bad; /* lowest failing record index (n_records: none) */
    int bad_rc;
    DbError bad_err;
    int stop;
} RecordJob;

/* Opens, decodes and checks record i into job->dec[i]; plain has job->padded bytes. */
static int open_one(RecordJob *job, uint32_t i, uint8_t *plain, DbError *err)
{
    const Batch *b = job->b;
    const BatchRecord *r = &b->records[i];
    const char *path = job->path;
    if (r->session >= b->n_sessions)
        return dberr_set(err, DB_EFORMAT, "%s: record %u names session %u, but the batch has %u",
                         path, i, r->session, b->n_sessions);
    size_t plain_len = 0;
    atomic_fetch_add_explicit(&g_records_opened, 1, memory_order_relaxed);
    int rc = seal_open(r->data, r->len, job->sec, plain, job->padded, &plain_len, err);
    if (rc == DB_EAUTH)
        return dberr_set(err, DB_EAUTH, "%s: record %u: %s", path, i, DBERR_AUTH_MSG);
    if (rc != DB_OK) {
        dberr_prefix(err, "%s: record %u", path, i);
        return rc;
    }
    rc = response_decode(plain, plain_len, &job->dec[i], err);
    secmem_wipe(plain, job->padded);
    if (rc != DB_OK) {
        dberr_prefix(err, "%s: record %u: response", path, i);
        return rc;
    }
    const DecodedResponse *d = job->dec[i];
    const BatchSession *s = &b->sessions[r->session];
    if (strcmp(d->session_label, s->label) != 0 || strcmp(d->session_date, s->date) != 0 ||
        strcmp(d->survey_id, s->survey_id) != 0 || d->survey_version != s->survey_version)
        return dberr_set(err, DB_EFORMAT,
                         "%s: record %u does not belong to the session the batch lists it "
                         "under (session %u)",
                         path, i, r->session);
    if ((rc = response_decoded_check(d, job->uses[r->session].survey, err)) != DB_OK) {
        dberr_prefix(err, "%s: record %u", path, i);
        return rc;
    }
    return DB_OK;
}

/* Whether a chunk may be claimed now (under mu). */
static int can_claim(const RecordJob *job)
{
    return !job->stop && job->next < job->b->n_records && job->next <= job->first_bad &&
           job->next < job->stored + RECORD_WINDOW;
}

/* Opens the chunk starting at from (claimed under mu; called without it). */
static void open_chunk(RecordJob *job, uint32_t from, uint8_t *plain)
{
    uint32_t n = job->b->n_records;
    uint32_t to = n - from < RECORD_CHUNK ? n : from + RECORD_CHUNK;
    DbError e;
    int rc = DB_OK;
    uint32_t i = from;
    for (; i < to; i++)
        if ((!job->keep || job->keep[i]) && (rc = open_one(job, i, plain, &e)) != DB_OK)
            break;
    pthread_mutex_lock(&job->mu);
    if (rc != DB_OK && i < job->first_bad) {
        job->first_bad = i;
        job->bad_rc = rc;
        job->bad_err = e;
    }
    job->ready[from / RECORD_CHUNK] = 1;
    pthread_cond_broadcast(&job->cv);
    pthread_mutex_unlock(&job->mu);
}

static void *record_worker(void *arg)
{
    RecordJob *job = arg;
    /* Without its buffer a worker takes no work: the others (the calling thread at least,
     * whose buffer is checked before the pool starts) do it all. */
    uint8_t *plain = atomic_load(&g_fail_worker_buffers) ? NULL : secmem_alloc(job->padded);
    if (!plain)
        return NULL;
    pthread_mutex_lock(&job->mu);
    for (;;) {
        while (!job->stop && !can_claim(job) && job->next < job->b->n_records &&
               job->next <= job->first_bad)
            pthread_cond_wait(&job->cv, &job->mu); /* the window is full */
        if (!can_claim(job))
            break;
        uint32_t from = job->next;
        job->next += RECORD_CHUNK;
        pthread_mutex_unlock(&job->mu);
        open_chunk(job, from, plain);
        pthread_mutex_lock(&job->mu);
    }
    pthread_mutex_unlock(&job->mu);
    secmem_free(plain);
    return NULL;
}

static int thread_count(int wanted, uint32_t n_records)
{
    long t = wanted;
    if (t <= 0) {
        t = sysconf(_SC_NPROCESSORS_ONLN);
        if (t < 1)
            t = 1;
    }
    if (t > ANALYSIS_MAX_THREADS)
        t = ANALYSIS_MAX_THREADS;
    uint32_t chunks = (n_records + RECORD_CHUNK - 1) / RECORD_CHUNK;
    if ((uint32_t)t > chunks)
        t = chunks ? (long)chunks : 1;
    return (int)t;
}

/* Opens every record of b on n_threads threads and stores each, in index order, into
 * session_ids[its session] (inside the caller's transaction). Fails with the first bad
 * record's message, or the database's. */
static int store_records(Adb *db, const Batch *b, const KeySecret *sec, const char *path,
                         const SurveyUse *uses, const int64_t *session_ids, const uint8_t *keep,
                         int n_threads, DbError *err)
{
    uint32_t n = b->n_records;
    if (n == 0)
        return DB_OK;
    RecordJob job;
    memset(&job, 0, sizeof job);
    job.b = b;
    job.sec = sec;
    job.path = path;
    job.uses = uses;
    job.keep = keep;
    job.first_bad = n;
    job.padded = SEAL_MIN_PADDED;
    for (uint32_t i = 0; i < n; i++) {
        size_t p = seal_record_padded_size(b->records[i].data, b->records[i].len);
        if (p > job.padded && p <= SEAL_MAX_PADDED)
            job.padded = p;
    }
    job.dec = calloc(n, sizeof *job.dec);
    job.ready = calloc((n + RECORD_CHUNK - 1) / RECORD_CHUNK, 1);
    int64_t *ids = malloc(n * sizeof *ids);
    uint8_t *plain = secmem_alloc(job.padded);
    int rc = DB_OK, have_mu = 0;
    if (!job.dec || !job.ready || !ids || !plain ||
        !(have_mu = pthread_mutex_init(&job.mu, NULL) == 0) ||
        pthread_cond_init(&job.cv, NULL) != 0) {
        if (have_mu)
            pthread_mutex_destroy(&job.mu);
        free(job.dec);
        free(job.ready);
        free(ids);
        secmem_free(plain);
        return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    adb_response_ids(ids, n);
    pthread_t th[ANALYSIS_MAX_THREADS];
    int started = 0, t = thread_count(n_threads, n);
    while (started < t - 1 && pthread_create(&th[started], NULL, record_worker, &job) == 0)
        started++; /* fewer threads: the others take the work */

    /* chunk by chunk: the records before the first bad one, then its error */
    for (uint32_t i = 0; i < n && rc == DB_OK;) {
        pthread_mutex_lock(&job.mu);
        job.stored = i;
        pthread_cond_broadcast(&job.cv); /* the window moved */
        /* wait for record i's chunk, opening chunks here meanwhile */
        while (!job.ready[i / RECORD_CHUNK]) {
            if (can_claim(&job)) {
                uint32_t from = job.next;
                job.next += RECORD_CHUNK;
                pthread_mutex_unlock(&job.mu);
                open_chunk(&job, from, plain);
                pthread_mutex_lock(&job.mu);
            } else {
                pthread_cond_wait(&job.cv, &job.mu);
            }
        }
        uint32_t end = n - i < RECORD_CHUNK ? n : i + RECORD_CHUNK;
        int bad_here = job.first_bad < end;
        if (bad_here) {
            end = job.first_bad;
            rc = job.bad_rc;
            if (err)
                *err = job.bad_err;
        }
        pthread_mutex_unlock(&job.mu);
        int64_t sess[RECORD_CHUNK], rids[RECORD_CHUNK];
        DecodedResponse *decs[RECORD_CHUNK];
        int k = 0;
        for (uint32_t j = i; j < end; j++) {
            if (keep && !keep[j])
                continue; /* a skipped replay */
            sess[k] = session_ids[b->records[j].session];
            rids[k] = ids[j];
            decs[k++] = job.dec[j];
        }
        if (k > 0) {
            DbError store_err;
            int src = adb_responses_add(db, sess, rids, decs, k, &store_err);
            if (src != DB_OK) { /* a database error comes before a later bad record */
                rc = src;
                if (err)
                    *err = store_err;
            }
        }
        for (uint32_t j = i; j < end; j++) {
            response_decoded_free(job.dec[j]);
            job.dec[j] = NULL;
        }
        i = end;
    }

    pthread_mutex_lock(&job.mu);
    job.stop = 1;
    pthread_cond_broadcast(&job.cv);
    pthread_mutex_unlock(&job.mu);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    for (uint32_t i = 0; i < n; i++)
        response_decoded_free(job.dec[i]); /* opened ahead of a failure */
    pthread_cond_destroy(&job.cv);
    pthread_mutex_destroy(&job.mu);
    free(job.dec);
    free(job.ready);
    free(ids);
    secmem_free(plain);
    return rc;
}

/* Sorts order[0..n) by ids[order[i]] (a merge sort: qsort has no context argument). */
static void sort_by_id(uint32_t *order, uint32_t n, const uint8_t (*ids)[SEAL_RECORD_ID_BYTES])
{
    if (n < 2)
        return;
    uint32_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) { /* fall back to an insertion sort */
        for (uint32_t i = 1; i < n; i++)
            for (uint32_t j = i; j > 0 && memcmp(ids[order[j - 1]], ids[order[j]],
                                                 SEAL_RECORD_ID_BYTES) > 0; j--) {
                uint32_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        return;
    }
    for (uint32_t w = 1; w < n; w *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * w) {
            uint32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            uint32_t a = lo, c = mid, k = lo;
            while (a < mid && c < hi)
                tmp[k++] = memcmp(ids[order[a]], ids[order[c]], SEAL_RECORD_ID_BYTES) <= 0
                               ? order[a++]
                               : order[c++];
            while (a < mid)
                tmp[k++] = order[a++];
            while (c < hi)
                tmp[k++] = order[c++];
        }
        memcpy(order, tmp, n * sizeof *tmp);
    }
    free(tmp);
}

/* The records' ids (docs/FORMAT.md, "Record id") and what import does with them. */
typedef struct RecordIds {
    uint8_t (*id)[SEAL_RECORD_ID_BYTES]; /* per record */
    uint32_t *order;                     /* the records sorted by id */
    uint8_t *keep;                       /* per record: 0 = a replay, not imported */
    uint32_t *dup_of;                    /* per record: the earlier copy in the batch, or n */
    uint32_t n;
} RecordIds;

static void record_ids_free(RecordIds *r)
{
    free(r->id);
    free(r->order);
    free(r->keep);
    free(r->dup_of);
    memset(r, 0, sizeof *r);
}

/* Computes every record's id and marks the later copies of a record repeated inside the
 * batch (sorted by id, equal ids are neighbours; the earliest record of each run is the
 * original). The database is not read here: adb_records_add finds the records imported
 * before, in the same pass that stores the new ids. */
static int record_ids_make(const char *path, const Batch *b, RecordIds *r, DbError *err)
{
    memset(r, 0, sizeof *r);
    uint32_t n = b->n_records;
    r->n = n;
    r->id = malloc((n ? n : 1) * sizeof *r->id);
    r->order = malloc((n ? n : 1) * sizeof *r->order);
    r->keep = malloc(n ? n : 1);
    r->dup_of = malloc((n ? n : 1) * sizeof *r->dup_of);
    if (!r->id || !r->order || !r->keep || !r->dup_of)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        r->keep[i] = 1;
        r->order[i] = i;
        r->dup_of[i] = n;
        int rc = seal_record_id(b->records[i].data, b->records[i].len, r->id[i], err);
        if (rc != DB_OK) {
            dberr_prefix(err, "%s: record %u", path, i);
            return rc;
        }
    }
    sort_by_id(r->order, n, (const uint8_t(*)[SEAL_RECORD_ID_BYTES])r->id);
    uint32_t first = n ? r->order[0] : 0; /* the earliest record of the current run */
    for (uint32_t j = 1; j < n; j++) {
        uint32_t c = r->order[j];
        if (memcmp(r->id[r->order[j - 1]], r->id[c], SEAL_RECORD_ID_BYTES) != 0) {
            first = c;
            continue;
        }
        uint32_t orig = first < c ? first : c, later = first < c ? c : first;
        r->keep[later] = 0;
        r->dup_of[later] = orig;
        first = orig;
    }
    return DB_OK;
}

/* The REPLAY error for the first replayed record (by index): a copy inside the batch, or a
 * record imported before (its batch looked up in the database). */
static int replay_error(Adb *db, const char *path, const Batch *b, const RecordIds *r,
                        uint32_t n_replays, DbError *err)
{
    uint32_t i = 0;
    while (i < r->n && r->keep[i])
        i++;
    char where[160];
    if (r->dup_of[i] < r->n) {
        snprintf(where, sizeof where, "repeats record %u of the same batch", r->dup_of[i]);
    } else {
        int64_t batch = 0;
        uint64_t number = 0;
        char fp[KEY_FINGERPRINT_SIZE];
        int rc = adb_records_find(db, (const uint8_t(*)[SEAL_RECORD_ID_BYTES])&r->id[i], 1, &batch,
                                  err);
        if (rc == DB_OK)
            rc = adb_batch_describe(db, batch, &number, fp, err);
        if (rc != DB_OK)
            return rc;
        snprintf(where, sizeof where, "was already imported from batch %llu of kiosk %s",
                 (unsigned long long)number, fp);
    }
    char more[64] = "";
    if (n_replays > 1)
        snprintf(more, sizeof more, " (and %u more of its records)", n_replays - 1);
    char fp[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(b->kiosk_pk, KEY_SIGN_PUBLIC_BYTES, fp);
    return dberr_set(err, DB_ESTATE,
                     "%s: REPLAY: record %u of batch %llu of kiosk %s %s%s; nothing imported (a "
                     "kiosk never exports a response twice: sealed records were copied into "
                     "this batch; --skip-replays imports it without them)",
                     path, i, (unsigned long long)b->number, fp, where, more);
}

/* Step 4b: the batch names the keys its records are sealed to (signed); each must be the
 * importing key's public half or one of opt->also_expected. */
static int check_recipients(const char *path, const Batch *b, const KeySecret *sec,
                            const AnalysisImportOptions *opt, DbError *err)
{
    KeyPublic expected[1 + SEAL_MAX_RECIPIENTS];
    int n = 0;
    keys_secret_public(sec, &expected[n++]);
    uint8_t own[KEY_ID_BYTES];
    keys_public_id(&expected[0], own);
    int for_us = b->n_recipients == 0;
    for (uint32_t i = 0; i < b->n_recipients && !for_us; i++)
        for_us = memcmp(b->recipients[i].id, own, KEY_ID_BYTES) == 0;
    if (!for_us) {
        /* Not one record would open: the wrong key file, most likely. */
        char to[ADB_RECIPIENTS_SIZE], fp[KEY_FINGERPRINT_SIZE];
        batch_recipients_describe(b, to, sizeof to);
        keys_public_fingerprint(&expected[0], fp);
        return dberr_set(err, DB_ESTATE,
                         "%s: its responses are sealed to %s, not to the key given with --key "
                         "(%s); nothing imported (import it with the key it was sealed to)",
                         path, to, fp);
    }
    for (int i = 0; i < opt->n_also_expected && n < 1 + SEAL_MAX_RECIPIENTS; i++)
        expected[n++] = opt->also_expected[i];
    int rc = batch_check_recipients(path, b, expected, n, err);
    if (rc == DB_OK)
        return rc;
    char why[DBERR_MSG_MAX];
    memcpy(why, err->msg, sizeof why);
    return dberr_set(err, rc,
                     "%s; nothing imported (import with --expect-recipient PUB for each key "
                     "that is meant to read them)",
                     why);
}

int analysis_import_file(Adb *db, const KeySecret *sec, const char *path,
                         const AnalysisImportOptions *opt, AnalysisImportResult *res, DbError *err)
{
    memset(res, 0, sizeof *res);
    uint8_t *data = NULL;
    size_t len = 0;
    Batch b;
    /* Structure, limits and the kiosk's signature, before anything else: no record of a batch
     * is decrypted, and nothing of it used, unless it verified (docs/THREAT_MODEL.md). */
    int rc = read_batch(path, &data, &len, &b, err);
    if (rc != DB_OK)
        return rc;
    SurveyUse *uses = NULL;
    uint32_t *seen = NULL;
    int64_t *sids = NULL;
    RecordIds ids;
    memset(&ids, 0, sizeof ids);
    int in_tx = 0;

    memcpy(res->kiosk_pk, b.kiosk_pk, KEY_SIGN_PUBLIC_BYTES);
    keys_fingerprint(b.kiosk_pk, KEY_SIGN_PUBLIC_BYTES, res->kiosk_fp);
    res->number = b.number;
    res->n_records = b.n_records;
    res->n_sessions = b.n_sessions;
    batch_recipients_describe(&b, res->recipients, sizeof res->recipients);

    /* From here on, one write transaction (BEGIN IMMEDIATE): what is checked against the
     * database (kiosk, replay, fork, chain) is still true when the batch is stored, even with
     * another import into the same database at the same moment (it waits for this one). The
     * records are opened, checked and stored in it (store_records); the first bad one rolls
     * it all back. Until the commit nothing reaches the database file (adb.c: cache_spill
     * off). */
    if ((rc = adb_begin_import(db, err)) != DB_OK)
        goto done;
    in_tx = 1;

    /* kiosk identity */
    int64_t kiosk = 0;
    int trusted = 0;
    const AnalysisKiosk *listed = analysis_kiosks_find(opt->kiosks, res->kiosk_fp);
    if (listed)
        snprintf(res->kiosk_label, sizeof res->kiosk_label, "%s", listed->label);
    if ((rc = adb_kiosk_find(db, b.kiosk_pk, &kiosk, &trusted, err)) != DB_OK)
        goto done;
    if (kiosk == 0 && !listed && !opt->trust_new_kiosk) {
        if (opt->kiosks)
            rc = dberr_set(err, DB_ESTATE,
                           "%s: batch %llu comes from kiosk %s, which is not in the kiosk "
                           "registry %s; compare the fingerprint with the kiosk's admin screen, "
                           "then add it to the registry",
                           path, (unsigned long long)b.number, res->kiosk_fp, opt->kiosks->path);
        else
            rc = dberr_set(err, DB_ESTATE,
                           "%s: batch %llu comes from a kiosk not seen before, fingerprint %s; "
                           "compare it with the kiosk's admin screen, then import again with "
                           "--trust-new-kiosk (or list it in a --kiosks file)",
                           path, (unsigned long long)b.number, res->kiosk_fp);
        goto done;
    }
    if (kiosk != 0 && !trusted) {
        rc = dberr_set(err, DB_ESTATE,
                       "%s: kiosk %s is marked untrusted in this database; nothing imported "
                       "(debrief import --db DB --trust-kiosk %s trusts it again)",
                       path, res->kiosk_fp, res->kiosk_fp);
        goto done;
    }
    res->new_kiosk = kiosk == 0;

    /* replay / fork */
    int found = 0;
    uint8_t hash[BATCH_HASH_BYTES], prev[BATCH_HASH_BYTES];
    if (kiosk != 0) {
        if ((rc = adb_batch_find(db, kiosk, b.number, &found, hash, NULL, err)) != DB_OK)
            goto done;
        if (found && memcmp(hash, b.hash, BATCH_HASH_BYTES) == 0) {
            res->outcome = ANALYSIS_ALREADY;
            goto done;
        }
        if (found) {
            rc = dberr_set(err, DB_ESTATE,
                           "%s: FORK: batch %llu of kiosk %s was already imported with different "
                           "contents; nothing imported (two different batches carry the same "
                           "number: find out which one the kiosk really exported)",
                           path, (unsigned long long)b.number, res->kiosk_fp);
            goto done;
        }
    }

    /* recipients: nobody else may read what this database will hold */
    if ((rc = check_recipients(path, &b, sec, opt, err)) != DB_OK)
        goto done;

    /* chain */
    static const uint8_t zero[BATCH_HASH_BYTES];
    if (b.number == 1) {
        if (memcmp(b.prev_hash, zero, BATCH_HASH_BYTES) != 0) {
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: batch 1 must not name a previous batch; the chain is broken", path);
            goto done;
        }
    } else {
        found = 0;
        if (kiosk != 0 &&
            (rc = adb_batch_find(db, kiosk, b.number - 1, &found, hash, NULL, err)) != DB_OK)
            goto done;
        if (found && memcmp(hash, b.prev_hash, BATCH_HASH_BYTES) != 0) {
            rc = dberr_set(err, DB_ESTATE,
                           "%s: SPLICE: batch %llu of kiosk %s does not follow the imported "
                           "batch %llu (its previous-batch hash differs); nothing imported",
                           path, (unsigned long long)b.number, res->kiosk_fp,
                           (unsigned long long)(b.number - 1));
            goto done;
        }
        if (!found && !opt->accept_gap) {
            rc = dberr_set(err, DB_ESTATE,
                           "%s: GAP: batch %llu of kiosk %s has not been imported yet; import it "
                           "first (or use --accept-gap if it is lost for good)",
                           path, (unsigned long long)(b.number - 1), res->kiosk_fp);
            goto done;
        }
        res->gap_accepted = !found;
    }
    found = 0;
    if (kiosk != 0 &&
        (rc = adb_batch_find(db, kiosk, b.number + 1, &found, NULL, prev, err)) != DB_OK)
        goto done;
    if (found && memcmp(prev, b.hash, BATCH_HASH_BYTES) != 0) {
        rc = dberr_set(err, DB_ESTATE,
                       "%s: SPLICE: the imported batch %llu of kiosk %s names a different batch "
                       "%llu before it; nothing imported",
                       path, (unsigned long long)(b.number + 1), res->kiosk_fp,
                       (unsigned long long)b.number);
        goto done;
    }

    /* the records' ids (replays inside the batch; the database is asked in the transaction) */
    if ((rc = record_ids_make(path, &b, &ids, err)) != DB_OK)
        goto done;

    /* surveys */
    uses = calloc(b.n_sessions, sizeof *uses);
    seen = calloc(b.n_sessions, sizeof *seen);
    if (!uses || !seen) {
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < b.n_sessions; i++)
        if ((rc = resolve_survey(db, path, &b.sessions[i], opt, &uses[i], err)) != DB_OK)
            goto done;

    /* Everything but the records checked: now the writes. */
    if (kiosk == 0 && (rc = adb_kiosk_add(db, b.kiosk_pk, 1, &kiosk, err)) != DB_OK)
        goto done;
    if (listed && (rc = adb_kiosk_set_label(db, kiosk, listed->label, err)) != DB_OK)
        goto done;
    for (uint32_t i = 0; i < b.n_sessions; i++) {
        if (!uses[i].add)
            continue;
        char *again;
        size_t again_len;
        /* two sessions of the same new survey: add it once */
        if ((rc = adb_survey_get(db, uses[i].id, uses[i].version, &again, &again_len, err)) !=
            DB_OK)
            goto done;
        if (again) {
            free(again);
            continue;
        }
        if ((rc = adb_survey_add(db, uses[i].id, uses[i].version, uses[i].add->json,
                                 uses[i].add->len, err)) != DB_OK)
            goto done;
    }
    int64_t batch_id;
    uint8_t importer_id[KEY_ID_BYTES];
    keys_secret_id(sec, importer_id);
    if ((rc = adb_batch_add(db, kiosk, &b, importer_id, &batch_id, err)) != DB_OK)
        goto done;
    sids = calloc(b.n_sessions, sizeof *sids);
    if (!sids) {
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < b.n_sessions && rc == DB_OK; i++) {
        rc = adb_session_get_or_add(db, kiosk, &b.sessions[i], &sids[i], err);
        if (rc == DB_OK)
            rc = adb_batch_session_add(db, batch_id, sids[i], b.sessions[i].count, err);
    }
    if (rc != DB_OK)
        goto done;
    /* Replays: a record stored before (any batch of any kiosk) or repeated in this batch. The
     * ids go in, in sorted order, before any record is opened. */
    uint32_t n_seen = 0;
    if ((rc = adb_records_add(db, batch_id, (const uint8_t(*)[SEAL_RECORD_ID_BYTES])ids.id,
                              ids.order, ids.keep, ids.n, &n_seen, err)) != DB_OK)
        goto done;
    for (uint32_t i = 0; i < ids.n; i++)
        res->n_replays += !ids.keep[i];
    if (res->n_replays && !opt->skip_replays) {
        rc = replay_error(db, path, &b, &ids, res->n_replays, err);
        if (rc == DB_OK)
            rc = DB_ESTATE;
        res->n_replays = 0;
        goto done;
    }
    if ((rc = store_records(db, &b, sec, path, uses, sids, res->n_replays ? ids.keep : NULL,
                            opt->n_threads, err)) != DB_OK ||
        (res->n_replays &&
         (rc = adb_batch_set_replays(db, batch_id, res->n_replays, err)) != DB_OK))
        goto done;
    for (uint32_t i = 0; i < b.n_records; i++)
        seen[b.records[i].session]++;
    for (uint32_t i = 0; i < b.n_sessions; i++) {
        if (seen[i] != b.sessions[i].count) {
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: session %u ('%s') lists %u responses but the batch holds %u", path,
                           i, b.sessions[i].label, b.sessions[i].count, seen[i]);
            goto done;
        }
    }
    rc = adb_commit(db, err);
    in_tx = 0;
    if (rc == DB_OK)
        res->outcome = ANALYSIS_IMPORTED;

done:
    if (in_tx)
        adb_rollback(db);
    if (rc != DB_OK && rc != DB_EAUTH && err && strncmp(err->msg, path, strlen(path)) != 0)
        dberr_prefix(err, "%s", path);
    free(sids);
    record_ids_free(&ids);
    if (uses)
        for (uint32_t i = 0; i < b.n_sessions; i++)
            survey_free(uses[i].owned);
    free(uses);
    free(seen);
    batch_free(&b);
    free(data);
    return rc;
}

/* Writes the acknowledgement into dir under name, never replacing other contents (see
 * analysis_ack_write). */
static int write_in_dir(const char *dir, const char *name, const uint8_t *data, size_t len,
                        char *written, size_t cap, DbError *err)
{
    size_t stem = strlen(name) - 4; /* without ".dba" */
    for (int n = 1; n < 1000; n++) {
        char file[256];
        if (n == 1)
            snprintf(file, sizeof file, "%s", name);
        else
            snprintf(file, sizeof file, "%.*s-%d.dba", (int)stem, name, n);
        int rc = fs_join(written, cap, dir, file, err);
        if (rc != DB_OK)
            return rc;
        struct stat sb;
        if (lstat(written, &sb) != 0)
            return fs_write_atomic(written, data, len, 0644, err);
        uint8_t *old = NULL;
        size_t old_len = 0;
        DbError ignore;
        if (S_ISREG(sb.st_mode) && fs_read_file(written, len + 1, 0, &old, &old_len, &ignore) == DB_OK) {
            int same = old_len == len && memcmp(old, data, len) == 0;
            free(old);
            if (same)
                return DB_OK; /* the very same acknowledgement is there already */
        }
    }
    return dberr_set(err, DB_EEXIST, "%s: too many acknowledgement files named %s-*", dir, name);
}

int analysis_ack_write(Adb *db, const KeySecret *sec, const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES],
                       const char *path, int in_dir, char *written, size_t cap,
                       uint32_t *n_entries, DbError *err)
{
    *n_entries = 0;
    int64_t kiosk;
    int trusted;
    int rc = adb_kiosk_find(db, kiosk_pk, &kiosk, &trusted, err);
    if (rc != DB_OK)
        return rc;
    if (kiosk == 0)
        return dberr_set(err, DB_ENOENT, "no batches of this kiosk were imported");
    char fp[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(kiosk_pk, KEY_SIGN_PUBLIC_BYTES, fp);
    /* A kiosk deletes what an acknowledgement lists: only a trusted kiosk's imports count. */
    if (!trusted)
        return dberr_set(err, DB_ESTATE,
                         "kiosk %s is marked untrusted in this database; no acknowledgement "
                         "written",
                         fp);
    /* Only the batches this key imported: the kiosk deletes a batch for a key only when its
     * records are sealed to that key (after a change of analyst keys, each key acknowledges
     * its own). */
    uint8_t own_id[KEY_ID_BYTES];
    keys_secret_id(sec, own_id);
    AckEntry *entries;
    uint32_t n;
    if ((rc = adb_batch_list(db, kiosk, own_id, &entries, &n, err)) != DB_OK)
        return rc;
    /* An acknowledgement lists at most ACK_MAX_ENTRIES: the most recent ones (older batches
     * were acknowledged by earlier files). */
    const AckEntry *first = entries;
    uint32_t count = n;
    if (count > ACK_MAX_ENTRIES) {
        first = entries + (count - ACK_MAX_ENTRIES);
        count = ACK_MAX_ENTRIES;
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    uint64_t last = count ? first[count - 1].number : 0;
    if (count == 0)
        rc = dberr_set(err, DB_ENOENT, "no batches of this kiosk were imported with this key");
    else
        rc = ack_build(kiosk_pk, first, count, sec, &out, &out_len, err);
    free(entries);
    if (rc == DB_OK && in_dir) {
        char name[128];
        analysis_ack_file_name(fp, last, adb_path(db), name, sizeof name);
        rc = write_in_dir(path, name, out, out_len, written, cap, err);
    } else if (rc == DB_OK) {
        rc = fs_write_atomic(path, out, out_len, 0644, err);
        if (rc == DB_OK && written != path)
            snprintf(written, cap, "%s", path);
    }
    free(out);
    if (rc == DB_OK)
        *n_entries = count;
    return rc;
}
