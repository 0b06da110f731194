/* make_seeds: writes the generated seeds of tests/fuzz/corpus/ — valid response encodings,
 * sealed records, a batch and an acknowledgement made with the vector keys — so that the
 * fuzzers start from inputs that pass every check, including the signatures.
 *
 *     cmake --build build --target fuzz_make_seeds && build/tests/fuzz_make_seeds tests/fuzz/corpus
 *
 * Sealing is random, so each run writes different (equally valid) bytes; the files are
 * committed once. Seeds copied from tests/vectors/ and hand-made invalid ones are not touched.
 */
#include <string.h>

#include "batch.h"
#include "fsutil.h"
#include "fuzz_support.h"
#include "response.h"
#include "seal.h"
#include "survey.h"

static const char *g_out;

static void die(const char *what, const DbError *err)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, err->msg);
    exit(1);
}

static void put(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    DbError err;
    snprintf(path, sizeof path, "%s/%s", g_out, dir);
    if (fs_mkdir_p(path, 0755, &err) != DB_OK)
        die(path, &err);
    snprintf(path, sizeof path, "%s/%s/%s", g_out, dir, name);
    if (fs_write_atomic(path, data, len, 0644, &err) != DB_OK)
        die(path, &err);
    printf("%s (%zu bytes)\n", path, len);
}

static Survey *load(const char *rel)
{
    size_t len;
    uint8_t *d = fuzz_read_source_file(rel, &len);
    Survey *s = NULL;
    DbError err;
    if (survey_load_buffer(rel, (const char *)d, len, &s, &err) != DB_OK)
        die(rel, &err);
    free(d);
    return s;
}

enum { FILL_FIRST, FILL_LAST, FILL_DECLINE };

/* Answers every visible question: the first or last choice and a short text, or declines
 * where the question offers it. */
static Response *answer(const Survey *s, int lang, int how)
{
    Response *r;
    DbError err;
    if (response_new(s, lang, &r, &err) != DB_OK)
        die("response_new", &err);
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (!response_visible(r, q))
            continue;
        if (how == FILL_DECLINE && sq->prefer_not) {
            response_decline(r, q, &err);
            continue;
        }
        int last = how != FILL_FIRST;
        switch (sq->kind) {
        case SURVEY_LIKERT:
            response_set_likert(r, q, last ? sq->scale : 1, &err);
            break;
        case SURVEY_SINGLE:
            response_set_single(r, q, last ? sq->n_options - 1 : 0, &err);
            break;
        case SURVEY_MULTI:
            for (int o = 0; o < sq->n_options && o < sq->max_choices; o++)
                response_toggle_multi(r, q, last ? sq->n_options - 1 - o : o, &err);
            break;
        case SURVEY_TEXT:
            response_set_text(r, q, last ? "Caf\xC3\xA9 \xF0\x9F\x98\x80\nok" : "ok", &err);
            break;
        }
    }
    return r;
}

static size_t encode(const Response *r, const char *label, uint8_t *out, size_t cap)
{
    ResponseContext ctx = {label, "2024-02-29"};
    size_t len;
    DbError err;
    if (response_encode(r, &ctx, out, cap, &len, &err) != DB_OK)
        die("response_encode", &err);
    return len;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds CORPUS_DIR\n");
        return 2;
    }
    g_out = argv[1];
    fuzz_init();
    DbError err;
    static const char *const surveys[][2] = {
        {"ccdg", "assets/surveys/ccdg.json"},
        {"one", "tests/data/surveys/good/one_language.json"},
        {"two", "tests/data/surveys/good/two_languages.json"},
    };
    static uint8_t enc[SEAL_MAX_PADDED];
    static uint8_t rec[3][SEAL_MAX_RECORD];
    size_t rec_len[3] = {0};
    char name[128];

    /* Responses: each survey answered three ways; one record per survey for the batch. */
    for (size_t i = 0; i < sizeof surveys / sizeof surveys[0]; i++) {
        Survey *s = load(surveys[i][1]);
        for (int how = FILL_FIRST; how <= FILL_DECLINE; how++) {
            Response *r = answer(s, how == FILL_LAST ? s->n_langs - 1 : 0, how);
            size_t len = encode(r, how == FILL_DECLINE ? "Gruppe \xC3\xBC" : "Group 1", enc,
                                sizeof enc);
            snprintf(name, sizeof name, "gen-%s-%d.bin", surveys[i][0], how);
            put("response", name, enc, len);
            if (how == FILL_LAST) {
                /* Small padded sizes keep the seeds small; the kiosk uses s->record_size. */
                size_t padded = (len + 1 + 255) / 256 * 256;
                KeyPublic to[2] = {*fuzz_analyst_public(), *fuzz_analyst_public()};
                to[0].pk[0] ^= 0x55; /* another recipient first: the key id search matters */
                int n = i == 1 ? 2 : 1;
                if (seal_record(enc, len, padded, n == 2 ? to : to + 1, n, rec[i], sizeof rec[i],
                                &rec_len[i], &err) != DB_OK)
                    die("seal_record", &err);
                snprintf(name, sizeof name, "gen-%s-%d-recipient.bin", surveys[i][0], n);
                put("seal", name, rec[i], rec_len[i]);
            }
            response_free(r);
        }
        survey_free(s);
    }

    /* A batch 1 that imports (fuzz_import): one session per survey, each with two responses
     * collected in it, so label, date, survey and version match the records. */
    BatchBuilder *ib;
    if (batch_builder_new(1, (const uint8_t[BATCH_HASH_BYTES]){0}, &ib, &err) != DB_OK)
        die("batch", &err);
    for (size_t i = 0; i < sizeof surveys / sizeof surveys[0]; i++) {
        Survey *s = load(surveys[i][1]);
        BatchSession bs = {"Group 1", "2024-02-29", "", s->version, 0};
        snprintf(bs.survey_id, sizeof bs.survey_id, "%s", s->id);
        uint32_t si;
        if (batch_builder_add_session(ib, &bs, &si, &err) != DB_OK)
            die("batch session", &err);
        for (int how = FILL_FIRST; how <= FILL_LAST; how++) {
            Response *r = answer(s, 0, how);
            size_t len = encode(r, "Group 1", enc, sizeof enc);
            size_t padded = (len + 1 + 255) / 256 * 256, n;
            static uint8_t one[SEAL_MAX_RECORD];
            if (seal_record(enc, len, padded, fuzz_analyst_public(), 1, one, sizeof one, &n,
                            &err) != DB_OK ||
                batch_builder_add_record(ib, si, one, n, &err) != DB_OK)
                die("import batch record", &err);
            response_free(r);
        }
        survey_free(s);
    }
    uint8_t *ibytes;
    size_t ilen;
    uint8_t ihash[BATCH_HASH_BYTES];
    if (batch_builder_finish(ib, fuzz_kiosk_identity(), &ibytes, &ilen, ihash, &err) != DB_OK)
        die("import batch", &err);
    batch_builder_free(ib);
    put("batch", "gen-import-1.dbb", ibytes, ilen);
    put("import", "gen-import-1.dbb", ibytes, ilen);
    free(ibytes);

    /* A second batch after the vector batch-1.dbb: two sessions, three records. */
    size_t b1_len;
    uint8_t *b1 = fuzz_read_source_file("tests/vectors/batch-1.dbb", &b1_len);
    uint8_t prev[BATCH_HASH_BYTES], hash[BATCH_HASH_BYTES];
    batch_hash(b1, b1_len, prev);
    free(b1);
    BatchBuilder *bb;
    BatchSession s1 = {"Group 1", "2024-02-29", "ccdg", 1, 0};
    BatchSession s2 = {"Gruppe \xC3\xBC", "2024-03-01", "one", 1, 0};
    uint32_t i1, i2;
    uint8_t *batch;
    size_t batch_len;
    if (batch_builder_new(2, prev, &bb, &err) != DB_OK ||
        batch_builder_add_session(bb, &s1, &i1, &err) != DB_OK ||
        batch_builder_add_session(bb, &s2, &i2, &err) != DB_OK ||
        batch_builder_add_record(bb, i2, rec[1], rec_len[1], &err) != DB_OK ||
        batch_builder_add_record(bb, i1, rec[0], rec_len[0], &err) != DB_OK ||
        batch_builder_add_record(bb, i2, rec[2], rec_len[2], &err) != DB_OK ||
        batch_builder_finish(bb, fuzz_kiosk_identity(), &batch, &batch_len, hash, &err) != DB_OK)
        die("batch", &err);
    batch_builder_free(bb);
    put("batch", "gen-batch-2.dbb", batch, batch_len);
    free(batch);

    /* An acknowledgement of batches 1, 2 and 5. */
    AckEntry entries[3] = {{1, {0}}, {2, {0}}, {5, {0}}};
    memcpy(entries[0].hash, prev, sizeof prev);
    memcpy(entries[1].hash, hash, sizeof hash);
    memset(entries[2].hash, 0xa5, sizeof entries[2].hash);
    uint8_t kpk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(fuzz_kiosk_identity(), kpk);
    uint8_t *ack;
    size_t ack_len;
    if (ack_build(kpk, entries, 3, fuzz_analyst_secret(), &ack, &ack_len, &err) != DB_OK)
        die("ack", &err);
    put("ack", "gen-ack-3.dba", ack, ack_len);
    free(ack);
    return 0;
}
