/* debrief ack: applies the analyst's signed acknowledgement: deletes the responses of the
 * batches it confirms, and nothing else. It trusts the analyst keys pinned in the data
 * directory's store, and each only for batches sealed to it (coord_ack), never a key because
 * it is named here: --recipient only narrows those keys, so that existing scripts and the
 * written procedures that pass the analyst's key keep working and a wrong key is named in the
 * error. */
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
            "usage: debrief ack --data DIR [--recipient PUB...] ACKFILE\n\n"
            "Applies an acknowledgement made by the analysis side after importing batches:\n"
            "the responses of every acknowledged batch are deleted from the kiosk (secure\n"
            "delete, write-ahead log truncated). The acknowledgement must be signed by an\n"
            "analyst key pinned on the kiosk, now or before a change of keys (the kiosk pins\n"
            "the keys it is configured with at its first start), be for this kiosk, and name\n"
            "only batches this kiosk exported, with the same contents, whose records are all\n"
            "sealed to the key that signed it (a key acknowledges only what it could import).\n"
            "Otherwise nothing at all is deleted, not even the batches that passed. Applying\n"
            "the same acknowledgement twice is harmless.\n\n"
            "  --recipient PUB  accept only a signature by this key, which must have been\n"
            "                   pinned on the kiosk (a key never pinned is refused: no key\n"
            "                   named here is trusted for being named)\n");
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
    if (!data || !ack) {
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
    int rc = coord_open_data_dir(data, 0, &st, &err);
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
