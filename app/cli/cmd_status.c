/* debrief status: what an analysis database holds: kiosks, batches, gaps, chain links,
 * responses per survey version and session. Reads only. */
#include <stdio.h>
#include <string.h>

#include "adb.h"
#include "commands.h"

static void status_usage(FILE *out)
{
    fprintf(out, "usage: debrief status --db ANALYSIS.db\n\n"
                 "Lists the kiosks (fingerprint, label from the --kiosks registry, trusted),\n"
                 "their imported batches, missing batch numbers (gaps), whether each batch\n"
                 "links to the one before it (a fork or splice is refused at import, so a\n"
                 "broken link means the database was edited), replayed records an import\n"
                 "skipped (--skip-replays), the analyst keys each batch was sealed to, and\n"
                 "the responses per survey version and session.\n");
}

/* Whom the kiosk's batches were sealed to: one line per run of batches sealed to the same
 * keys, so that a change of analyst keys stands out. */
static void print_recipients(const AdbStatusKiosk *k)
{
    for (uint32_t i = 0; i < k->n_batches;) {
        uint32_t j = i;
        while (j + 1 < k->n_batches && strcmp(k->recipients[j + 1], k->recipients[i]) == 0)
            j++;
        printf("    sealed to: %s (batch%s %llu",
               k->recipients[i][0] ? k->recipients[i] : "not recorded", j > i ? "es" : "",
               (unsigned long long)k->batches[i].number);
        if (j > i)
            printf("-%llu", (unsigned long long)k->batches[j].number);
        printf(")\n");
        i = j + 1;
    }
}

static void print_kiosk(const AdbStatusKiosk *k)
{
    int64_t total = 0;
    for (uint32_t i = 0; i < k->n_batches; i++)
        total += k->records[i];
    printf("  %s  %s%s%s%s  %u batch%s, %lld responses\n", k->fingerprint, k->label[0] ? "\"" : "",
           k->label, k->label[0] ? "\"  " : "",
           k->trusted ? "trusted" : "NOT trusted (batches refused)", k->n_batches,
           k->n_batches == 1 ? "" : "es", (long long)total);
    printf("    batches:");
    for (uint32_t i = 0; i < k->n_batches; i++) {
        uint32_t j = i;
        while (j + 1 < k->n_batches && k->batches[j + 1].number == k->batches[j].number + 1)
            j++;
        if (j == i)
            printf(" %llu", (unsigned long long)k->batches[i].number);
        else
            printf(" %llu-%llu", (unsigned long long)k->batches[i].number,
                   (unsigned long long)k->batches[j].number);
        i = j;
    }
    printf("\n    gaps:");
    int gaps = 0;
    uint64_t expect = 1;
    for (uint32_t i = 0; i < k->n_batches; i++) {
        uint64_t n = k->batches[i].number;
        if (n > expect) {
            if (n - 1 == expect)
                printf(" %llu", (unsigned long long)expect);
            else
                printf(" %llu-%llu", (unsigned long long)expect, (unsigned long long)(n - 1));
            gaps++;
        }
        expect = n + 1;
    }
    printf("%s\n",
           gaps ? " (missing: import them, or ask the coordinator to export again)" : " none");
    int broken = 0;
    for (uint32_t i = 1; i < k->n_batches; i++) {
        if (k->batches[i].number == k->batches[i - 1].number + 1 &&
            memcmp(k->prev[i], k->batches[i - 1].hash, BATCH_HASH_BYTES) != 0) {
            printf("    chain: BROKEN between batch %llu and %llu\n",
                   (unsigned long long)k->batches[i - 1].number,
                   (unsigned long long)k->batches[i].number);
            broken++;
        }
    }
    if (!broken)
        printf("    chain: every consecutive pair links; forks: none\n");
    print_recipients(k);
    for (uint32_t i = 0; i < k->n_batches; i++)
        if (k->replays[i])
            printf("    replays: batch %llu repeated %lld record%s imported before (skipped)\n",
                   (unsigned long long)k->batches[i].number, (long long)k->replays[i],
                   k->replays[i] == 1 ? "" : "s");
}

int cmd_status(int argc, char **argv)
{
    const char *db_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            status_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db_path = argv[++i];
        } else {
            fprintf(stderr, "debrief: error: unexpected argument '%s'\n\n", argv[i]);
            status_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!db_path) {
        status_usage(stderr);
        return EXIT_USAGE;
    }
    DbError err;
    Adb *db;
    if (adb_open(db_path, 0, &db, &err) != DB_OK)
        return cli_fail(&err);
    AdbStatus st;
    if (adb_status(db, &st, &err) != DB_OK) {
        adb_close(db);
        return cli_fail(&err);
    }
    printf("database: %s\nkiosks: %d\n", db_path, st.n_kiosks);
    for (int i = 0; i < st.n_kiosks; i++)
        print_kiosk(&st.kiosks[i]);
    printf("responses per survey and session:\n");
    int64_t total = 0;
    for (int i = 0; i < st.n_sessions; i++) {
        const AdbStatusSession *s = &st.sessions[i];
        printf("  %s v%u  %s  %-24s %6lld\n", s->survey_id, s->survey_version, s->date, s->label,
               (long long)s->responses);
        total += s->responses;
    }
    printf("total: %lld responses in %d session%s\n", (long long)total, st.n_sessions,
           st.n_sessions == 1 ? "" : "s");
    adb_status_free(&st);
    adb_close(db);
    return EXIT_OK;
}
