/* debrief import: verify, decrypt and import batch files into the analysis database, then
 * write signed acknowledgements for the kiosks. The checks live in app/analysis (import.c);
 * this file parses arguments, orders the batches and reports one line per file. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "commands.h"
#include "fsutil.h"
#include "keys.h"
#include "secmem.h"

#define MAX_SURVEYS 64
#define PASS_CAP 1024

static void import_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief import --key SECRET.key --db ANALYSIS.db [--passphrase-file FILE]\n"
            "                      [--survey FILE]... [--kiosks FILE | --trust-new-kiosk]\n"
            "                      [--accept-gap] [--skip-replays] [--ack-out FILE|DIR]\n"
            "                      [--expect-recipient PUB]... [--threads N] BATCH...\n"
            "       debrief import --db ANALYSIS.db --untrust-kiosk|--trust-kiosk FINGERPRINT\n\n"
            "Verifies, decrypts and imports kiosk batch files into the analysis database\n"
            "(created if missing). Each batch is checked completely first (signature, kiosk,\n"
            "chain, every record opens with the key and fits its survey) and then imported\n"
            "in one transaction, or not at all.\n\n"
            "  --key FILE          the analyst's secret key; the passphrase is asked on the\n"
            "                      terminal unless --passphrase-file gives it (first line)\n"
            "  --db FILE           the analysis database\n"
            "  --survey FILE       survey definition(s) the batches use (needed the first time\n"
            "                      a survey id + version is seen; stored in the database)\n"
            "  --kiosks FILE       the trusted-kiosk registry: one line per kiosk, its\n"
            "                      fingerprint and a label (# starts a comment line); batches\n"
            "                      of first-seen kiosks not listed there are refused\n"
            "  --trust-new-kiosk   accept batches from any kiosk not seen before (compare the\n"
            "                      fingerprint printed with the kiosk's admin screen first)\n"
            "  --accept-gap        import a batch although the one before it is missing\n"
            "  --expect-recipient PUB  another analyst key the records may be sealed to\n"
            "                      (repeatable); a batch whose records are sealed to any key\n"
            "                      but --key's and these is refused: that key's holder could\n"
            "                      read them too\n"
            "  --skip-replays      import a batch without its records that were imported\n"
            "                      before (a REPLAY); without it such a batch is refused\n"
            "  --ack-out FILE|DIR  where to write the acknowledgement (default: next to the\n"
            "                      database, debrief-XXXX-XXXX-ack-NNNNNN-DBNAME.dba per\n"
            "                      kiosk: NNNNNN its latest batch, DBNAME the database's)\n"
            "  --threads N|auto    open the records on N threads (1 to %d; auto: one per\n"
            "                      core); default auto\n"
            "  --untrust-kiosk FP  stop trusting a kiosk: its later batches are refused (the\n"
            "                      ones imported stay); --trust-kiosk FP undoes it\n\n"
            "Importing a batch again is a no-op. A batch with the number of an imported one\n"
            "but other contents is a FORK and is refused; a missing previous batch is a GAP;\n"
            "a sealed record imported before, from any batch or kiosk, is a REPLAY.\n"
            "A full disk stops the run; the database keeps every batch imported before.\n"
            "Exit status: 0 all batches imported (or already imported), 1 any failed.\n",
            ANALYSIS_MAX_THREADS);
}

typedef struct Item {
    const char *path;
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
    uint64_t number;
    int ok;      /* peek succeeded */
    int outcome; /* ANALYSIS_IMPORTED / ANALYSIS_ALREADY after the import */
} Item;

static int item_cmp(const void *pa, const void *pb)
{
    const Item *a = pa, *b = pb;
    int c = memcmp(a->pk, b->pk, KEY_SIGN_PUBLIC_BYTES);
    if (c != 0)
        return c;
    if (a->number != b->number)
        return a->number < b->number ? -1 : 1;
    return strcmp(a->path, b->path);
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* --untrust-kiosk / --trust-kiosk: one flag in the database, no key needed. */
static int set_trust(const char *db_path, const char *fp_arg, int trusted)
{
    char fp[KEY_FINGERPRINT_SIZE];
    size_t n = strlen(fp_arg);
    if (n != KEY_FINGERPRINT_SIZE - 1)
        return cli_error(EXIT_USAGE, "'%s' is not a kiosk fingerprint (XXXX-XXXX-XXXX-XXXX)",
                         fp_arg);
    for (size_t i = 0; i <= n; i++)
        fp[i] = fp_arg[i] >= 'a' && fp_arg[i] <= 'z' ? (char)(fp_arg[i] - 'a' + 'A') : fp_arg[i];
    DbError err;
    Adb *db;
    if (adb_open(db_path, 0, &db, &err) != DB_OK)
        return cli_fail(&err);
    int found = 0;
    int rc = adb_kiosk_set_trusted(db, fp, trusted, &found, &err);
    adb_close(db);
    if (rc != DB_OK)
        return cli_fail(&err);
    if (!found)
        return cli_error(EXIT_FAIL, "%s: no kiosk %s in this database (see debrief status)",
                         db_path, fp);
    printf("kiosk %s is now %s\n", fp,
           trusted ? "trusted again" : "untrusted: its batches will be refused");
    return EXIT_OK;
}

int cmd_import(int argc, char **argv)
{
    const char *key_path = NULL, *pass_file = NULL, *db_path = NULL, *ack_out = NULL;
    const char *kiosks_path = NULL, *trust_fp = NULL;
    int trust_to = 0;
    const char *survey_paths[MAX_SURVEYS], *expected_paths[SEAL_MAX_RECIPIENTS];
    int n_survey_paths = 0, n_expected = 0;
    KeyPublic expected[SEAL_MAX_RECIPIENTS];
    AnalysisImportOptions opt;
    memset(&opt, 0, sizeof opt);
    /* One thread per core unless asked: on two cores a 10k batch imports in 0.40 s instead
     * of 0.61 (docs/ANALYSIS.md, "Import throughput"). */
    opt.n_threads = 0;
    Item *items = calloc((size_t)argc, sizeof *items);
    int n_items = 0;
    if (!items)
        return cli_error(EXIT_FAIL, "out of memory");
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            import_usage(stdout);
            free(items);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            key_path = argv[++i];
        } else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
            pass_file = argv[++i];
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db_path = argv[++i];
        } else if (strcmp(argv[i], "--survey") == 0 && i + 1 < argc) {
            if (n_survey_paths == MAX_SURVEYS) {
                free(items);
                return cli_error(EXIT_USAGE, "at most %d --survey files", MAX_SURVEYS);
            }
            survey_paths[n_survey_paths++] = argv[++i];
        } else if (strcmp(argv[i], "--ack-out") == 0 && i + 1 < argc) {
            ack_out = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (strcmp(argv[i], "auto") == 0) {
                opt.n_threads = 0; /* one per core */
            } else if (*end || end == argv[i] || t < 1 || t > ANALYSIS_MAX_THREADS) {
                free(items);
                return cli_error(EXIT_USAGE, "--threads wants auto or a number from 1 to %d",
                                 ANALYSIS_MAX_THREADS);
            } else {
                opt.n_threads = (int)t;
            }
        } else if (strcmp(argv[i], "--kiosks") == 0 && i + 1 < argc) {
            kiosks_path = argv[++i];
        } else if ((strcmp(argv[i], "--untrust-kiosk") == 0 ||
                    strcmp(argv[i], "--trust-kiosk") == 0) &&
                   i + 1 < argc && !trust_fp) {
            trust_to = argv[i][2] == 't';
            trust_fp = argv[++i];
        } else if (strcmp(argv[i], "--trust-new-kiosk") == 0) {
            opt.trust_new_kiosk = 1;
        } else if (strcmp(argv[i], "--accept-gap") == 0) {
            opt.accept_gap = 1;
        } else if (strcmp(argv[i], "--skip-replays") == 0) {
            opt.skip_replays = 1;
        } else if (strcmp(argv[i], "--expect-recipient") == 0 && i + 1 < argc) {
            if (n_expected == SEAL_MAX_RECIPIENTS) {
                free(items);
                return cli_error(EXIT_USAGE, "at most %d --expect-recipient keys",
                                 SEAL_MAX_RECIPIENTS);
            }
            expected_paths[n_expected++] = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "debrief: error: unexpected argument '%s'\n\n", argv[i]);
            import_usage(stderr);
            free(items);
            return EXIT_USAGE;
        } else {
            items[n_items++].path = argv[i];
        }
    }
    if (trust_fp) {
        free(items);
        if (!db_path || key_path || n_items > 0) {
            import_usage(stderr);
            return EXIT_USAGE;
        }
        return set_trust(db_path, trust_fp, trust_to);
    }
    if (!key_path || !db_path || n_items == 0) {
        import_usage(stderr);
        free(items);
        return EXIT_USAGE;
    }
    if (kiosks_path && opt.trust_new_kiosk) {
        free(items);
        return cli_error(EXIT_USAGE, "--kiosks and --trust-new-kiosk exclude each other");
    }

    DbError err;
    int status = EXIT_OK;
    AnalysisSurveyFile surveys[MAX_SURVEYS];
    int n_surveys = 0;
    KeySecret *sec = NULL;
    Adb *db = NULL;
    char *pass = NULL;
    AnalysisKioskRegistry registry;
    memset(&registry, 0, sizeof registry);
    int db_existed = 0, n_done = 0, disk_full = 0;
    if (kiosks_path) {
        if (analysis_kiosks_load(kiosks_path, &registry, &err) != DB_OK) {
            status = cli_fail(&err);
            goto done;
        }
        opt.kiosks = &registry;
    }
    for (int i = 0; i < n_survey_paths; i++) {
        if (analysis_survey_file_load(survey_paths[i], &surveys[n_surveys], &err) != DB_OK) {
            status = cli_fail(&err);
            goto done;
        }
        n_surveys++;
    }
    opt.surveys = surveys;
    opt.n_surveys = n_surveys;
    for (int i = 0; i < n_expected; i++) {
        if (keys_public_read(expected_paths[i], &expected[i], &err) != DB_OK) {
            status = cli_fail(&err);
            goto done;
        }
    }
    opt.also_expected = expected;
    opt.n_also_expected = n_expected;

    pass = secmem_alloc(PASS_CAP);
    if (!pass) {
        status = cli_error(EXIT_FAIL, "out of memory");
        goto done;
    }
    size_t pass_len;
    if (cli_read_passphrase(pass_file, "Passphrase for the secret key: ", 0, pass, PASS_CAP,
                            &pass_len, &err) != DB_OK) {
        status = cli_fail(&err);
        goto done;
    }
    if (keys_secret_read(key_path, pass, pass_len, &sec, &err) != DB_OK) {
        if (err.code == DB_EAUTH)
            dberr_prefix(&err, "%s", key_path);
        status = cli_fail(&err);
        goto done;
    }
    secmem_free(pass);
    pass = NULL;

    /* Order the run by kiosk and number, so that 3 2 1 imports as 1 2 3. */
    int n_ok = 0;
    for (int i = 0; i < n_items; i++) {
        if (analysis_batch_peek(items[i].path, items[i].pk, &items[i].number, &err) == DB_OK) {
            items[i].ok = 1;
            n_ok++;
        } else {
            status = cli_fail(&err);
        }
    }
    if (n_ok == 0)
        goto done;
    qsort(items, (size_t)n_items, sizeof *items, item_cmp);
    db_existed = access(db_path, F_OK) == 0;
    if (adb_open(db_path, 1, &db, &err) != DB_OK) {
        status = cli_fail(&err);
        if (!db_existed)
            unlink(db_path); /* e.g. the disk filled while creating the schema */
        goto done;
    }
    for (int i = 0; i < n_items; i++) {
        if (!items[i].ok)
            continue;
        AnalysisImportResult res;
        if (analysis_import_file(db, sec, items[i].path, &opt, &res, &err) != DB_OK) {
            if (err.code == DB_ENOSPC) {
                /* Every later batch would fail the same way: stop with one message, and
                 * write no acknowledgement (a run after freeing space writes them). */
                status = cli_error(
                    EXIT_FAIL, "%s; stopped: free some space and run the import again", err.msg);
                disk_full = 1;
                break;
            }
            status = cli_fail(&err);
            continue;
        }
        items[i].outcome = res.outcome;
        n_done++;
        if (res.new_kiosk)
            printf("%s: new kiosk %s%s%s%s trusted\n", items[i].path, res.kiosk_fp,
                   res.kiosk_label[0] ? " (" : "", res.kiosk_label, res.kiosk_label[0] ? ")" : "");
        if (res.outcome == ANALYSIS_ALREADY)
            printf("%s: batch %llu of kiosk %s was already imported; nothing changed\n",
                   items[i].path, (unsigned long long)res.number, res.kiosk_fp);
        else
            printf("%s: imported batch %llu of kiosk %s: %u responses in %u session%s%s; "
                   "sealed to %s\n",
                   items[i].path, (unsigned long long)res.number, res.kiosk_fp,
                   res.n_records - res.n_replays, res.n_sessions, res.n_sessions == 1 ? "" : "s",
                   res.gap_accepted ? " (accepted after a gap)" : "", res.recipients);
        if (res.n_replays)
            fprintf(stderr,
                    "debrief: warning: %s: REPLAY: %u record%s of batch %llu of kiosk %s had "
                    "been imported before and %s skipped (--skip-replays)\n",
                    items[i].path, res.n_replays, res.n_replays == 1 ? "" : "s",
                    (unsigned long long)res.number, res.kiosk_fp,
                    res.n_replays == 1 ? "was" : "were");
    }

    if (disk_full)
        goto done;
    /* Acknowledgements: one per kiosk with at least one batch in the database. */
    int n_kiosks = 0;
    for (int i = 0; i < n_items; i++)
        if (items[i].outcome && (i == 0 || !items[i - 1].outcome ||
                                 memcmp(items[i].pk, items[i - 1].pk, KEY_SIGN_PUBLIC_BYTES) != 0))
            n_kiosks++;
    if (ack_out && n_kiosks > 1 && !is_dir(ack_out)) {
        status = cli_error(EXIT_FAIL,
                           "batches of %d kiosks were imported; --ack-out must name a directory",
                           n_kiosks);
        goto done;
    }
    const uint8_t *last_pk = NULL;
    for (int i = 0; i < n_items; i++) {
        if (!items[i].outcome ||
            (last_pk && memcmp(last_pk, items[i].pk, KEY_SIGN_PUBLIC_BYTES) == 0))
            continue;
        last_pk = items[i].pk;
        char fp[KEY_FINGERPRINT_SIZE], path[4096];
        keys_fingerprint(items[i].pk, KEY_SIGN_PUBLIC_BYTES, fp);
        int in_dir = !ack_out || is_dir(ack_out);
        char dir_buf[4096];
        snprintf(dir_buf, sizeof dir_buf, "%s", db_path);
        const char *target = ack_out ? ack_out : dirname(dir_buf);
        uint32_t n_entries;
        if (analysis_ack_write(db, sec, items[i].pk, target, in_dir, path, sizeof path,
                               &n_entries, &err) != DB_OK) {
            dberr_prefix(&err, "acknowledgement for kiosk %s", fp);
            status = cli_fail(&err);
            continue;
        }
        printf("acknowledgement for kiosk %s (%u batch%s): %s\n", fp, n_entries,
               n_entries == 1 ? "" : "es", path);
    }

done:
    adb_close(db);
    /* A database this run created and filled with nothing is not left behind. */
    if (db && !db_existed && n_done == 0)
        unlink(db_path);
    analysis_kiosks_free(&registry);
    keys_secret_free(sec);
    secmem_free(pass);
    for (int i = 0; i < n_surveys; i++)
        analysis_survey_file_free(&surveys[i]);
    free(items);
    return status;
}
