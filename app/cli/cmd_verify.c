/* debrief verify: checks batch files without any secret: each file's structure, limits and
 * kiosk signature, and, across the files given, what import would refuse or skip: two
 * different batches with one number (FORK), a batch that does not follow the one before it
 * (SPLICE), a number missing between the first and the last batch of a kiosk (GAP), and a
 * sealed record that appears twice, in any files of any kiosks (REPLAY). The same batch given
 * twice is noted (import takes it once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "commands.h"
#include "fsutil.h"
#include "keys.h"
#include "seal.h"

static void verify_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief verify BATCH...\n\n"
            "Checks each batch file's structure and its kiosk signature (no secret key\n"
            "needed) and prints the kiosk fingerprint, batch number, responses per session,\n"
            "the analyst keys the responses are sealed to (fingerprints: compare them with\n"
            "the analyst's) and the link to the previous batch. Across the files given it\n"
            "reports, as import would: a FORK (two different batches with one number), a\n"
            "SPLICE (a batch that does not follow the batch before it), a GAP (a number\n"
            "missing between a kiosk's first and last batch given) and a REPLAY (a sealed\n"
            "record found twice, in any batches of any kiosks). Every problem gets a line;\n"
            "the exit status is 1 if there was any.\n");
}

/* Who can read the batch: the keys its records are sealed to (compare the fingerprints with
 * the analyst's). */
static void print_recipients(const Batch *b)
{
    if (b->n_recipients == 0) {
        printf("  sealed to no key: no record is a sealed response record\n");
        return;
    }
    printf("  sealed to %u key%s (whoever holds %s can read these responses):\n",
           b->n_recipients, b->n_recipients == 1 ? "" : "s", b->n_recipients == 1 ? "it" : "them");
    for (uint32_t i = 0; i < b->n_recipients; i++) {
        const BatchRecipient *r = &b->recipients[i];
        char id[KEY_ID_HEX_SIZE];
        keys_id_hex(r->id, id);
        if (r->known) {
            char fp[KEY_FINGERPRINT_SIZE];
            keys_public_fingerprint(&r->key, fp);
            printf("    %s  key id %s\n", fp, id);
        } else {
            printf("    key id %s (%s)\n", id,
                   b->version < 2 ? "a version 1 batch gives no fingerprints"
                                  : "the kiosk did not know this key: sealed before it pinned "
                                    "its analyst keys");
        }
    }
}

typedef struct Seen {
    const char *path;
    int ok;
    uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES];
    char fp[KEY_FINGERPRINT_SIZE];
    uint64_t number;
    uint8_t hash[BATCH_HASH_BYTES], prev_hash[BATCH_HASH_BYTES];
} Seen;

typedef struct RecordId {
    uint8_t id[SEAL_RECORD_ID_BYTES];
    int file;     /* index into the Seen array */
    uint32_t rec; /* index in its batch */
} RecordId;

typedef struct Ids {
    RecordId *v;
    size_t n, cap;
} Ids;

static int verify_one(const char *path, Seen *seen, int file, Ids *ids)
{
    uint8_t *data = NULL;
    size_t len = 0;
    DbError err;
    if (fs_read_file(path, BATCH_MAX_BYTES, 0, &data, &len, &err) != DB_OK)
        return cli_fail(&err);
    Batch b;
    if (batch_parse(path, data, len, &b, &err) != DB_OK) {
        free(data);
        return cli_fail(&err);
    }
    int status = EXIT_OK;
    if (ids->n + b.n_records > ids->cap) {
        size_t cap = ids->cap ? ids->cap : 1024;
        while (cap < ids->n + b.n_records)
            cap *= 2;
        RecordId *v = realloc(ids->v, cap * sizeof *v);
        if (!v)
            status = cli_error(EXIT_FAIL, "out of memory");
        else
            ids->v = v, ids->cap = cap;
    }
    for (uint32_t i = 0; status == EXIT_OK && i < b.n_records; i++) {
        RecordId *r = &ids->v[ids->n];
        if (seal_record_id(b.records[i].data, b.records[i].len, r->id, &err) != DB_OK) {
            dberr_prefix(&err, "%s: record %u", path, i);
            status = cli_fail(&err);
            break;
        }
        r->file = file;
        r->rec = i;
        ids->n++;
    }
    if (status == EXIT_OK) {
        char h[BATCH_SHORT_HASH_SIZE], p[BATCH_SHORT_HASH_SIZE];
        keys_fingerprint(b.kiosk_pk, sizeof b.kiosk_pk, seen->fp);
        batch_hash_short(b.hash, h);
        batch_hash_short(b.prev_hash, p);
        printf("%s: ok\n", path);
        printf("  kiosk %s, batch %llu, %u responses in %u sessions\n", seen->fp,
               (unsigned long long)b.number, b.n_records, b.n_sessions);
        for (uint32_t i = 0; i < b.n_sessions; i++)
            printf("    %-24s %s  survey %s v%u  %u\n", b.sessions[i].label, b.sessions[i].date,
                   b.sessions[i].survey_id, b.sessions[i].survey_version, b.sessions[i].count);
        print_recipients(&b);
        if (b.number == 1)
            printf("  hash %s, first batch of this kiosk\n", h);
        else
            printf("  hash %s, follows batch %llu (hash %s)\n", h, (unsigned long long)b.number - 1,
                   p);
        seen->ok = 1;
        memcpy(seen->kiosk_pk, b.kiosk_pk, sizeof seen->kiosk_pk);
        seen->number = b.number;
        memcpy(seen->hash, b.hash, sizeof seen->hash);
        memcpy(seen->prev_hash, b.prev_hash, sizeof seen->prev_hash);
    }
    seen->path = path;
    batch_free(&b);
    free(data);
    return status;
}

static int seen_cmp(const void *pa, const void *pb)
{
    const Seen *a = pa, *b = pb;
    if (a->ok != b->ok)
        return a->ok ? -1 : 1;
    int c = memcmp(a->kiosk_pk, b->kiosk_pk, KEY_SIGN_PUBLIC_BYTES);
    if (c)
        return c;
    return a->number < b->number ? -1 : a->number > b->number;
}

/* Forks, splices and gaps, per kiosk, over the files sorted by kiosk and number. */
static int check_chain(Seen *s, int n)
{
    int status = EXIT_OK;
    for (int i = 0; i < n && s[i].ok; i++) {
        int first = i == 0 || memcmp(s[i].kiosk_pk, s[i - 1].kiosk_pk, KEY_SIGN_PUBLIC_BYTES);
        if (first) {
            if (s[i].number > 1)
                printf("kiosk %s: the first batch given is %llu; batches before it are not "
                       "among the files (import checks them against the database)\n",
                       s[i].fp, (unsigned long long)s[i].number);
            continue;
        }
        const Seen *a = &s[i - 1], *b = &s[i];
        if (a->number == b->number) {
            if (memcmp(a->hash, b->hash, BATCH_HASH_BYTES) == 0)
                printf("%s: the same batch as %s (batch %llu of kiosk %s given twice; import "
                       "takes it once)\n",
                       b->path, a->path, (unsigned long long)b->number, b->fp);
            else
                status = cli_error(EXIT_FAIL,
                                   "FORK: %s and %s are two different batches numbered %llu of "
                                   "kiosk %s (one of them is not genuine, or the kiosk's data was "
                                   "restored from a backup); import refuses the second",
                                   a->path, b->path, (unsigned long long)b->number, b->fp);
        } else if (b->number == a->number + 1) {
            if (memcmp(b->prev_hash, a->hash, BATCH_HASH_BYTES) != 0)
                status = cli_error(EXIT_FAIL,
                                   "SPLICE: %s (batch %llu of kiosk %s) does not follow %s "
                                   "(batch %llu): its previous-batch hash differs",
                                   b->path, (unsigned long long)b->number, b->fp, a->path,
                                   (unsigned long long)a->number);
        } else if (a->number + 2 == b->number) {
            status = cli_error(EXIT_FAIL,
                               "GAP: batch %llu of kiosk %s is missing between %s and %s; "
                               "import refuses %s without it (or with --accept-gap)",
                               (unsigned long long)a->number + 1, b->fp, a->path, b->path, b->path);
        } else {
            status = cli_error(EXIT_FAIL,
                               "GAP: batches %llu-%llu of kiosk %s are missing between %s and "
                               "%s; import refuses %s without them (or with --accept-gap)",
                               (unsigned long long)a->number + 1, (unsigned long long)b->number - 1,
                               b->fp, a->path, b->path, b->path);
        }
    }
    return status;
}

static int id_cmp(const void *pa, const void *pb)
{
    const RecordId *a = pa, *b = pb;
    int c = memcmp(a->id, b->id, SEAL_RECORD_ID_BYTES);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return a->rec < b->rec ? -1 : a->rec > b->rec;
}

/* A sealed record in two places (two files, or twice in one). The same batch given twice
 * is not a replay: only the first file of each batch counts. */
static int check_replays(const Seen *s, const int *dup_of, Ids *ids)
{
    int status = EXIT_OK;
    size_t k = 0;
    for (size_t i = 0; i < ids->n; i++)
        if (dup_of[ids->v[i].file] < 0)
            ids->v[k++] = ids->v[i];
    if (k > 1) /* ids->v is NULL when no file held a record */
        qsort(ids->v, k, sizeof *ids->v, id_cmp);
    for (size_t i = 1; i < k; i++) {
        const RecordId *a = &ids->v[i - 1], *b = &ids->v[i];
        if (memcmp(a->id, b->id, SEAL_RECORD_ID_BYTES) != 0)
            continue;
        size_t j = i - 1; /* the first of the run */
        while (j > 0 && memcmp(ids->v[j - 1].id, b->id, SEAL_RECORD_ID_BYTES) == 0)
            j--;
        const Seen *fa = &s[ids->v[j].file], *fb = &s[b->file];
        status = cli_error(EXIT_FAIL,
                           "REPLAY: record %u of %s (batch %llu of kiosk %s) repeats record %u "
                           "of %s (batch %llu of kiosk %s): a kiosk never exports a response "
                           "twice; import refuses the later batch (or skips the record with "
                           "--skip-replays)",
                           b->rec, fb->path, (unsigned long long)fb->number, fb->fp, ids->v[j].rec,
                           fa->path, (unsigned long long)fa->number, fa->fp);
    }
    return status;
}

int cmd_verify(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            verify_usage(stdout);
            return EXIT_OK;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "debrief: error: unexpected option '%s'\n\n", argv[i]);
            verify_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (argc < 2) {
        verify_usage(stderr);
        return EXIT_USAGE;
    }
    int n = argc - 1;
    Seen *seen = calloc((size_t)n, sizeof *seen);
    int *dup_of = malloc((size_t)n * sizeof *dup_of);
    Ids ids = {0};
    if (!seen || !dup_of) {
        free(seen);
        free(dup_of);
        return cli_error(EXIT_FAIL, "out of memory");
    }
    int status = EXIT_OK;
    for (int i = 0; i < n; i++)
        if (verify_one(argv[i + 1], &seen[i], i, &ids) != EXIT_OK)
            status = EXIT_FAIL;
    /* The same batch in two files: its records are checked once. */
    for (int i = 0; i < n; i++) {
        dup_of[i] = -1;
        for (int j = 0; j < i && dup_of[i] < 0; j++)
            if (seen[i].ok && seen[j].ok &&
                memcmp(seen[i].hash, seen[j].hash, BATCH_HASH_BYTES) == 0)
                dup_of[i] = j;
    }
    if (check_replays(seen, dup_of, &ids) != EXIT_OK)
        status = EXIT_FAIL;
    qsort(seen, (size_t)n, sizeof *seen, seen_cmp);
    if (check_chain(seen, n) != EXIT_OK)
        status = EXIT_FAIL;
    free(ids.v);
    free(dup_of);
    free(seen);
    return status;
}
