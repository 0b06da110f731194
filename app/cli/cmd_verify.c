/* debrief verify: checks batch files without any secret: structure, limits, the kiosk's
 * signature, and, across the files given, the chain (no fork, no broken link). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "commands.h"
#include "fsutil.h"
#include "keys.h"

static void verify_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief verify BATCH...\n\n"
            "Checks each batch file's structure and its kiosk signature (no secret key\n"
            "needed) and prints the kiosk fingerprint, batch number, responses per session\n"
            "and the link to the previous batch. With several files of one kiosk it also\n"
            "checks that consecutive batches chain and that no number appears twice with\n"
            "different contents. The first problem is reported and the exit status is 1.\n");
}

static void short_hex(const uint8_t *h, char out[17])
{
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

typedef struct Seen {
    const char *path;
    uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES];
    uint64_t number;
    uint8_t hash[BATCH_HASH_BYTES], prev_hash[BATCH_HASH_BYTES];
} Seen;

static int verify_one(const char *path, Seen *seen)
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
    char fp[KEY_FINGERPRINT_SIZE], h[17], p[17];
    keys_fingerprint(b.kiosk_pk, sizeof b.kiosk_pk, fp);
    short_hex(b.hash, h);
    short_hex(b.prev_hash, p);
    printf("%s: ok\n", path);
    printf("  kiosk %s, batch %llu, %u responses in %u sessions\n", fp,
           (unsigned long long)b.number, b.n_records, b.n_sessions);
    for (uint32_t i = 0; i < b.n_sessions; i++)
        printf("    %-24s %s  survey %s v%u  %u\n", b.sessions[i].label, b.sessions[i].date,
               b.sessions[i].survey_id, b.sessions[i].survey_version, b.sessions[i].count);
    if (b.number == 1)
        printf("  hash %s, first batch of this kiosk\n", h);
    else
        printf("  hash %s, follows batch %llu (hash %s)\n", h, (unsigned long long)b.number - 1,
               p);
    seen->path = path;
    memcpy(seen->kiosk_pk, b.kiosk_pk, sizeof seen->kiosk_pk);
    seen->number = b.number;
    memcpy(seen->hash, b.hash, sizeof seen->hash);
    memcpy(seen->prev_hash, b.prev_hash, sizeof seen->prev_hash);
    batch_free(&b);
    free(data);
    return EXIT_OK;
}

/* Checks the files against each other: same kiosk and number must be the same batch;
 * batch N + 1 must name batch N's hash. */
static int check_chain(const Seen *s, int n)
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i == j || memcmp(s[i].kiosk_pk, s[j].kiosk_pk, KEY_SIGN_PUBLIC_BYTES) != 0)
                continue;
            if (s[i].number == s[j].number && i < j &&
                memcmp(s[i].hash, s[j].hash, BATCH_HASH_BYTES) != 0)
                return cli_error(EXIT_FAIL,
                                 "%s and %s are two different batches numbered %llu from the "
                                 "same kiosk (a fork: one of them is not genuine, or the "
                                 "kiosk's data was restored from a backup)",
                                 s[i].path, s[j].path, (unsigned long long)s[i].number);
            if (s[j].number == s[i].number + 1 &&
                memcmp(s[j].prev_hash, s[i].hash, BATCH_HASH_BYTES) != 0)
                return cli_error(EXIT_FAIL,
                                 "%s: batch %llu does not follow %s (batch %llu): the chain is "
                                 "broken",
                                 s[j].path, (unsigned long long)s[j].number, s[i].path,
                                 (unsigned long long)s[i].number);
        }
    }
    return EXIT_OK;
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
    Seen *seen = calloc((size_t)argc, sizeof *seen);
    if (!seen)
        return cli_error(EXIT_FAIL, "out of memory");
    int status = EXIT_OK;
    for (int i = 1; i < argc && status == EXIT_OK; i++)
        status = verify_one(argv[i], &seen[i - 1]);
    if (status == EXIT_OK)
        status = check_chain(seen, argc - 1);
    free(seen);
    return status;
}
