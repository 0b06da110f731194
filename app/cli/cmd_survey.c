/* debrief survey check FILE...: validate survey definitions and summarise them. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "survey.h"

static void survey_usage(FILE *out)
{
    fprintf(out, "usage: debrief survey check FILE...\n\n"
                 "Validates survey definition files (docs/SURVEY_FORMAT.md) and prints a\n"
                 "one-screen summary of each. Every error names the file and the line and\n"
                 "column (JSON syntax) or the JSON path (schema).\n\n"
                 "exit status: 0 all files valid, 1 a file is invalid, 2 usage error\n");
}

int cmd_survey(int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1])) {
        survey_usage(stdout);
        return EXIT_OK;
    }
    if (argc < 3 || strcmp(argv[1], "check") != 0) {
        survey_usage(stderr);
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            survey_usage(stdout);
            return EXIT_OK;
        }
        Survey *s = NULL;
        DbError err;
        if (survey_load_file(argv[i], &s, &err) != DB_OK) {
            status = cli_fail(&err);
            continue;
        }
        survey_print_summary(s, argv[i], stdout);
        survey_free(s);
    }
    return status;
}
