/* debrief export: writes the signed, shuffled batch of closed sessions' responses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "coord.h"
#include "store.h"

static void export_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief export --data DIR --out DIR [--k N] [--force] [--again N]\n\n"
            "Writes a batch file to the --out directory (e.g. a USB stick) holding every\n"
            "not yet exported response of the closed sessions, shuffled, numbered, chained\n"
            "to the previous batch and signed with this kiosk's identity; a very large export\n"
            "is split into several consecutive batches (at most 50,000 responses each). Each\n"
            "file is read back and verified before it is reported. Nothing is deleted:\n"
            "responses stay on the kiosk until the analyst's acknowledgement is applied\n"
            "(debrief ack).\n\n"
            "  --k N      hold back sessions with fewer than N responses (default %d), so a\n"
            "             small group's answers are not released on their own\n"
            "  --force    export such small sessions anyway\n"
            "  --again N  write batch N again (e.g. a lost stick): the identical bytes\n\n"
            "Note the printed batch number and fingerprint on paper with the stick.\n",
            COORD_DEFAULT_K);
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static void print_batch(const CoordBatchInfo *b, const char *fp)
{
    printf("wrote %s\n", b->path);
    printf("  batch %llu, kiosk %s, %lld responses%s\n", (unsigned long long)b->number, fp,
           (long long)b->n_records,
           b->resumed ? " (finishing an export that was interrupted)" : "");
    for (int i = 0; i < b->n_sessions; i++)
        printf("    %-24s %s  %lld\n", b->sessions[i].label, b->sessions[i].date,
               (long long)b->sessions[i].count);
    char h[BATCH_SHORT_HASH_SIZE], p[BATCH_SHORT_HASH_SIZE];
    batch_hash_short(b->hash, h);
    batch_hash_short(b->prev_hash, p);
    if (b->number == 1)
        printf("  hash %s, first batch of this kiosk\n", h);
    else
        printf("  hash %s, follows batch %llu (hash %s)\n", h, (unsigned long long)b->number - 1,
               p);
}

int cmd_export(int argc, char **argv)
{
    CoordExportOptions opt = {0};
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        if (cli_is_help(argv[i])) {
            export_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            opt.data_dir = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            opt.out_dir = argv[++i];
        } else if (strcmp(argv[i], "--k") == 0 && i + 1 < argc) {
            if (parse_u64(argv[++i], 1, 1000, &v) != 0)
                return cli_error(EXIT_USAGE, "--k must be a whole number from 1 to 1000");
            opt.k = (int)v;
        } else if (strcmp(argv[i], "--force") == 0) {
            opt.force = 1;
        } else if (strcmp(argv[i], "--again") == 0 && i + 1 < argc) {
            if (parse_u64(argv[++i], 1, INT64_MAX, &v) != 0)
                return cli_error(EXIT_USAGE, "--again needs a batch number (1, 2, ...)");
            opt.again = v;
        } else {
            fprintf(stderr, "debrief: error: unexpected argument '%s'\n\n", argv[i]);
            export_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!opt.data_dir || !opt.out_dir) {
        export_usage(stderr);
        return EXIT_USAGE;
    }
    CoordExportResult res;
    DbError err;
    if (coord_open_data_dir(opt.data_dir, 0, &opt.store, &err) != DB_OK)
        return cli_fail(&err);
    int rc = coord_export(&opt, &res, &err);
    store_close(opt.store);
    /* Whatever was completed before a failure is reported, so nothing written goes unnoted. */
    for (int i = 0; i < res.n_batches; i++)
        print_batch(&res.batches[i], res.kiosk_fp);
    if (rc != DB_OK) {
        coord_export_result_free(&res);
        return cli_fail(&err);
    }
    for (int i = 0; i < res.n_held; i++)
        printf("held back: \"%s\" (%s): %lld responses, fewer than k = %d; a group this small "
               "could be recognised from its answers. Use --force to export it anyway.\n",
               res.held[i].label, res.held[i].date, (long long)res.held[i].count, res.k);
    if (res.open_responses > 0)
        printf("not exported: %lld responses of the open session (close it first)\n",
               (long long)res.open_responses);
    if (res.n_batches == 0)
        printf("nothing to export; no file written\n");
    coord_export_result_free(&res);
    return EXIT_OK;
}
