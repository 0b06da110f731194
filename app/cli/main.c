/* debrief: the coordinator's and analyst's command-line tool.
 *
 * Dispatches to one subcommand per concern; see commands.h. Builds without SDL so the
 * analyst's laptop needs no graphics stack.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "commands.h"
#include "secmem.h"

typedef struct Command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static const Command commands[] = {
    {"survey", cmd_survey, "check a survey definition file and its screens; preview them"},
    {"keygen", cmd_keygen, "make the analyst's key pair (public key for kiosks, secret key)"},
    {"fingerprint", cmd_fingerprint, "print the fingerprint of a key or identity file"},
    {"session", cmd_session, "open, close or list the kiosk's sessions"},
    {"export", cmd_export, "write the signed batch of closed sessions' responses"},
    {"verify", cmd_verify, "check batch files' structure, signature and chain (no secrets)"},
    {"ack", cmd_ack, "apply an acknowledgement: delete the batches the analyst imported"},
    {"import", cmd_import, "verify, decrypt and import batches into the analysis database"},
    {"status", cmd_status, "list an analysis database's kiosks, batches, gaps and sessions"},
    {"csv", cmd_csv, "export responses as CSV with a codebook, SPSS syntax and an R script"},
    {"report", cmd_report, "write the HTML report: agreement tables, p-values, charts"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: debrief COMMAND [ARGS...]\n\n"
                 "Debrief: offline, encrypted survey kiosk: coordinator and analyst tool.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'debrief COMMAND --help' for a command's options.\n");
}

/* The CLI holds the analyst's secret key and decrypted answers (import, csv, report): no core
 * file may ever hold them. */
static void no_core_dumps(void)
{
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fprintf(stderr, "debrief: warning: cannot disable core dumps: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
    no_core_dumps();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("debrief %s\n", DEBRIEF_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            if (secmem_init() != 0)
                return cli_error(EXIT_FAIL, "cannot initialise libsodium");
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "debrief: error: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
