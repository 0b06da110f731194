/* debrief ack: applies the analyst's signed acknowledgement: deletes the responses of the
 * batches it confirms, and nothing else. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "coord.h"
#include "store.h"
#include "keys.h"
#include "seal.h"

static void ack_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief ack --data DIR --recipient PUB [--recipient PUB...] ACKFILE\n\n"
            "Applies an acknowledgement made by the analysis side after importing batches:\n"
            "the responses of every acknowledged batch are deleted from the kiosk (secure\n"
            "delete, write-ahead log truncated). PUB is an analyst public key installed on\n"
            "the kiosk; the acknowledgement must be signed by one of them, be for this kiosk,\n"
            "and name only batches this kiosk exported, with the same contents. Otherwise\n"
            "nothing at all is deleted. Applying the same acknowledgement twice is harmless.\n");
}

int cmd_ack(int argc, char **argv)
{
    const char *data = NULL, *ack = NULL;
    const char *pub_paths[SEAL_MAX_RECIPIENTS];
    int n_pub = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            ack_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(argv[i], "--recipient") == 0 && i + 1 < argc) {
            if (n_pub == SEAL_MAX_RECIPIENTS)
                return cli_error(EXIT_USAGE, "at most %d --recipient keys", SEAL_MAX_RECIPIENTS);
            pub_paths[n_pub++] = argv[++i];
        } else if (argv[i][0] != '-' && !ack) {
            ack = argv[i];
        } else {
            fprintf(stderr, "debrief: error: unexpected argument '%s'\n\n", argv[i]);
            ack_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!data || !ack || n_pub == 0) {
        ack_usage(stderr);
        return EXIT_USAGE;
    }
    KeyPublic pubs[SEAL_MAX_RECIPIENTS];
    DbError err;
    for (int i = 0; i < n_pub; i++)
        if (keys_public_read(pub_paths[i], &pubs[i], &err) != DB_OK)
            return cli_fail(&err);
    CoordAckResult res;
    Store *st = NULL;
    int rc = store_open(data, &st, &err);
    if (rc == DB_OK)
        rc = coord_ack(st, data, pubs, n_pub, ack, &res, &err);
    store_close(st);
    if (rc != DB_OK)
        return cli_fail(&err);
    printf("acknowledgement by analyst %s for kiosk %s: %d batches\n", res.analyst_fp,
           res.kiosk_fp, res.n_entries);
    printf("deleted %lld responses of %d batches", (long long)res.deleted, res.n_purged);
    if (res.n_already > 0)
        printf("; %d batches were already deleted by an earlier acknowledgement",
               res.n_already);
    printf("\n");
    if (res.warning[0])
        fprintf(stderr, "debrief: warning: %s\n", res.warning);
    return EXIT_OK;
}
