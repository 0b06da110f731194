/* fuzz_import: analysis_import_file end to end (app/analysis/analysis.h) — a batch from the
 * USB stick imported into a fresh analysis database: parse, chain, open every record, decode,
 * check against the survey, store.
 *
 * As in fuzz_batch, inputs that have the shape of a batch are re-signed with the vector kiosk
 * key (fuzz_batch_resign) so the import gets past the signature. The kiosk is trusted on first sight, gaps are accepted,
 * and the bundled survey and the good fixtures are supplied. An import that succeeds must say
 * how many records it stored, and importing the same file again must be a no-op
 * (ANALYSIS_ALREADY); a failed import must leave the database empty of batches.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "fuzz_support.h"

static const char *const SURVEY_FILES[] = {
    "assets/surveys/ccdg.json",
    "tests/data/surveys/good/one_language.json",
    "tests/data/surveys/good/two_languages.json",
};
#define N_SURVEYS (int)(sizeof SURVEY_FILES / sizeof SURVEY_FILES[0])
static AnalysisSurveyFile g_surveys[N_SURVEYS];
static char g_batch[512], g_db[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    fuzz_analyst_secret();
    fuzz_kiosk_identity();
    snprintf(g_batch, sizeof g_batch, "%s/in.dbb", fuzz_private_dir());
    snprintf(g_db, sizeof g_db, "%s/analysis.db", fuzz_private_dir());
    for (int i = 0; i < N_SURVEYS; i++) {
        char path[4096];
        DbError err;
        snprintf(path, sizeof path, "%s/%s", fuzz_source_dir(), SURVEY_FILES[i]);
        if (analysis_survey_file_load(path, &g_surveys[i], &err) != DB_OK) {
            fprintf(stderr, "fuzz set-up: %s\n", err.msg);
            exit(1);
        }
    }
    return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_ASSERT(fd >= 0);
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        FUZZ_ASSERT(n > 0);
        off += (size_t)n;
    }
    FUZZ_ASSERT(close(fd) == 0);
}

static void remove_db(void)
{
    static const char *const suffix[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", g_db, suffix[i]);
        unlink(p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len = 0;
    uint8_t *copy = fuzz_batch_resign(data, size, &len);
    if (!copy) {
        len = size;
        copy = malloc(size ? size : 1);
        FUZZ_ASSERT(copy != NULL);
        if (size)
            memcpy(copy, data, size);
    }
    write_file(g_batch, copy, len);

    remove_db();
    Adb *db = NULL;
    DbError err;
    FUZZ_ASSERT(adb_open(g_db, 1, &db, &err) == DB_OK);
    AnalysisImportOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.trust_new_kiosk = 1;
    opt.n_threads = 1;
    opt.accept_gap = 1;
    opt.surveys = g_surveys;
    opt.n_surveys = N_SURVEYS;
    AnalysisImportResult res;
    int rc = analysis_import_file(db, fuzz_analyst_secret(), g_batch, &opt, &res, &err);
    AckEntry *entries = NULL;
    if (rc != DB_OK) {
        FUZZ_ASSERT(rc != DB_ENOSPC && rc != DB_EIO);
        FUZZ_ASSERT(err.msg[0] != '\0');
        /* Nothing of a refused batch is kept. */
        uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
        keys_identity_public(fuzz_kiosk_identity(), pk);
        int64_t kiosk = 0;
        int trusted = 0;
        uint32_t n = 0;
        FUZZ_ASSERT(adb_kiosk_find(db, pk, &kiosk, &trusted, &err) == DB_OK);
        if (kiosk != 0) {
            KeyPublic analyst;
            uint8_t importer[KEY_ID_BYTES];
            keys_secret_public(fuzz_analyst_secret(), &analyst);
            keys_public_id(&analyst, importer);
            FUZZ_ASSERT(adb_batch_list(db, kiosk, importer, &entries, &n, &err) == DB_OK);
            FUZZ_ASSERT(n == 0);
        }
    } else {
        FUZZ_ASSERT(res.outcome == ANALYSIS_IMPORTED);
        FUZZ_ASSERT(memcmp(res.kiosk_pk, copy + 5, KEY_SIGN_PUBLIC_BYTES) == 0);
        AnalysisImportResult again;
        rc = analysis_import_file(db, fuzz_analyst_secret(), g_batch, &opt, &again, &err);
        FUZZ_ASSERT(rc == DB_OK && again.outcome == ANALYSIS_ALREADY);
        FUZZ_ASSERT(again.number == res.number);
    }
    free(entries);
    adb_close(db);
    remove_db();
    free(copy);
    return 0;
}
