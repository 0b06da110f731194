/* import: verify, decrypt and import one batch file into the analysis database; write
 * acknowledgements. See analysis.h for the order of the checks.
 *
 * Everything is checked with the database untouched; only then does one transaction add the
 * kiosk (if new), the survey text (if new), the sessions, the batch and its responses.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "fsutil.h"
#include "response.h"
#include "seal.h"
#include "secmem.h"

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

void analysis_ack_file_name(const char *kiosk_fp, char *out, size_t cap)
{
    snprintf(out, cap, "debrief-%.9s-ack.dba", kiosk_fp);
}

static int read_batch(const char *path, uint8_t **data, size_t *len, Batch *b, DbError *err)
{
    int rc = fs_read_file(path, BATCH_MAX_BYTES, 1, data, len, err);
    if (rc != DB_OK)
        return rc;
    rc = batch_parse(path, *data, *len, b, err);
    if (rc != DB_OK) {
        free(*data);
        *data = NULL;
    }
    return rc;
}

int analysis_batch_peek(const char *path, uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES], uint64_t *number,
                        DbError *err)
{
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

static void free_decoded(DecodedResponse **d, uint32_t n)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < n; i++)
        response_decoded_free(d[i]);
    free(d);
}

int analysis_import_file(Adb *db, const KeySecret *sec, const char *path,
                         const AnalysisImportOptions *opt, AnalysisImportResult *res, DbError *err)
{
    memset(res, 0, sizeof *res);
    uint8_t *data = NULL;
    size_t len = 0;
    Batch b;
    int rc = read_batch(path, &data, &len, &b, err);
    if (rc != DB_OK)
        return rc;
    SurveyUse *uses = NULL;
    DecodedResponse **dec = NULL;
    uint32_t n_dec = 0;
    uint8_t *plain = NULL;
    uint32_t *seen = NULL;
    int in_tx = 0;

    memcpy(res->kiosk_pk, b.kiosk_pk, KEY_SIGN_PUBLIC_BYTES);
    keys_fingerprint(b.kiosk_pk, KEY_SIGN_PUBLIC_BYTES, res->kiosk_fp);
    res->number = b.number;
    res->n_records = b.n_records;
    res->n_sessions = b.n_sessions;

    /* kiosk identity */
    int64_t kiosk = 0;
    int trusted = 0;
    if ((rc = adb_kiosk_find(db, b.kiosk_pk, &kiosk, &trusted, err)) != DB_OK)
        goto done;
    if (kiosk == 0 && !opt->trust_new_kiosk) {
        rc = dberr_set(err, DB_ESTATE,
                       "%s: batch %llu comes from a kiosk not seen before, fingerprint %s; "
                       "compare it with the kiosk's admin screen, then import again with "
                       "--trust-new-kiosk",
                       path, (unsigned long long)b.number, res->kiosk_fp);
        goto done;
    }
    if (kiosk != 0 && !trusted) {
        rc = dberr_set(err, DB_ESTATE, "%s: kiosk %s is marked untrusted", path, res->kiosk_fp);
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

    /* surveys */
    uses = calloc(b.n_sessions, sizeof *uses);
    seen = calloc(b.n_sessions, sizeof *seen);
    dec = calloc(b.n_records ? b.n_records : 1, sizeof *dec);
    if (!uses || !seen || !dec) {
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < b.n_sessions; i++)
        if ((rc = resolve_survey(db, path, &b.sessions[i], opt, &uses[i], err)) != DB_OK)
            goto done;

    /* records */
    size_t cap = SEAL_MAX_PADDED;
    plain = secmem_alloc(cap);
    if (!plain) {
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < b.n_records; i++) {
        const BatchRecord *r = &b.records[i];
        size_t plain_len = 0;
        if (r->session >= b.n_sessions) {
            rc = dberr_set(err, DB_EFORMAT, "%s: record %u names session %u, but the batch has %u",
                           path, i, r->session, b.n_sessions);
            goto done;
        }
        rc = seal_open(r->data, r->len, sec, plain, cap, &plain_len, err);
        if (rc == DB_EAUTH) {
            rc = dberr_set(err, DB_EAUTH, "%s: record %u: %s", path, i, DBERR_AUTH_MSG);
            goto done;
        }
        if (rc != DB_OK) {
            dberr_prefix(err, "%s: record %u", path, i);
            goto done;
        }
        rc = response_decode(plain, plain_len, &dec[n_dec], err);
        secmem_wipe(plain, plain_len);
        if (rc != DB_OK) {
            dberr_prefix(err, "%s: record %u: response", path, i);
            goto done;
        }
        const DecodedResponse *d = dec[n_dec++];
        const BatchSession *s = &b.sessions[r->session];
        if (strcmp(d->session_label, s->label) != 0 || strcmp(d->session_date, s->date) != 0 ||
            strcmp(d->survey_id, s->survey_id) != 0 || d->survey_version != s->survey_version) {
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: record %u does not belong to the session the batch lists it "
                           "under (session %u)",
                           path, i, r->session);
            goto done;
        }
        if ((rc = response_decoded_check(d, uses[r->session].survey, err)) != DB_OK) {
            dberr_prefix(err, "%s: record %u", path, i);
            goto done;
        }
        seen[r->session]++;
    }
    for (uint32_t i = 0; i < b.n_sessions; i++) {
        if (seen[i] != b.sessions[i].count) {
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: session %u ('%s') lists %u responses but the batch holds %u", path,
                           i, b.sessions[i].label, b.sessions[i].count, seen[i]);
            goto done;
        }
    }

    /* everything checked: one transaction */
    if ((rc = adb_begin(db, err)) != DB_OK)
        goto done;
    in_tx = 1;
    if (kiosk == 0 && (rc = adb_kiosk_add(db, b.kiosk_pk, 1, &kiosk, err)) != DB_OK)
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
    if ((rc = adb_batch_add(db, kiosk, &b, &batch_id, err)) != DB_OK)
        goto done;
    int64_t *sids = calloc(b.n_sessions, sizeof *sids);
    if (!sids) {
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < b.n_sessions && rc == DB_OK; i++) {
        rc = adb_session_get_or_add(db, kiosk, &b.sessions[i], &sids[i], err);
        if (rc == DB_OK)
            rc = adb_batch_session_add(db, batch_id, sids[i], b.sessions[i].count, err);
    }
    for (uint32_t i = 0; i < b.n_records && rc == DB_OK; i++)
        rc = adb_response_add(db, sids[b.records[i].session], dec[i], err);
    free(sids);
    if (rc != DB_OK)
        goto done;
    rc = adb_commit(db, err);
    in_tx = 0;
    if (rc == DB_OK)
        res->outcome = ANALYSIS_IMPORTED;

done:
    if (in_tx)
        adb_rollback(db);
    if (rc != DB_OK && rc != DB_EAUTH && err && strncmp(err->msg, path, strlen(path)) != 0)
        dberr_prefix(err, "%s", path);
    secmem_free(plain);
    free_decoded(dec, n_dec);
    if (uses)
        for (uint32_t i = 0; i < b.n_sessions; i++)
            survey_free(uses[i].owned);
    free(uses);
    free(seen);
    batch_free(&b);
    free(data);
    return rc;
}

int analysis_ack_write(Adb *db, const KeySecret *sec, const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES],
                       const char *path, uint32_t *n_entries, DbError *err)
{
    *n_entries = 0;
    int64_t kiosk;
    int trusted;
    int rc = adb_kiosk_find(db, kiosk_pk, &kiosk, &trusted, err);
    if (rc != DB_OK)
        return rc;
    if (kiosk == 0)
        return dberr_set(err, DB_ENOENT, "no batches of this kiosk were imported");
    AckEntry *entries;
    uint32_t n;
    if ((rc = adb_batch_list(db, kiosk, &entries, &n, err)) != DB_OK)
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
    if (count == 0)
        rc = dberr_set(err, DB_ENOENT, "no batches of this kiosk were imported");
    else
        rc = ack_build(kiosk_pk, first, count, sec, &out, &out_len, err);
    free(entries);
    if (rc == DB_OK)
        rc = fs_write_atomic(path, out, out_len, 0644, err);
    free(out);
    if (rc == DB_OK)
        *n_entries = count;
    return rc;
}
