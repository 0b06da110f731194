/* debrief report: the HTML report of an analysis database (app/analysis/report.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "commands.h"

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief report --db ANALYSIS.db --out report.html [--by session|QUESTION_ID]\n"
            "                      [--k 5] [--agree 4] [--survey ID[:VERSION]]\n"
            "                      [--numbers FILE.tsv]\n\n"
            "Writes one self-contained HTML file (no scripts, no external files) with, per\n"
            "survey version: responses per group; for each Likert item n (%%) agreeing overall\n"
            "and per group with a Fisher exact p, mean (SD) with a Kruskal-Wallis (or, for two\n"
            "groups, Wilcoxon) p, and a diverging bar chart; choice items as counts and a\n"
            "chart; free-text answers pooled and shuffled. No number lets a reader work out\n"
            "the answers of a group with fewer than --k answers (docs/ANALYSIS.md).\n\n"
            "  --by session|QID  groups: sessions (default) or the answers to a single-choice\n"
            "                    or Likert question (not reported itself; those who did not\n"
            "                    answer it are left out)\n"
            "  --k N             a group with fewer than N answers to an item is shown only\n"
            "                    pooled with others, never alone (5)\n"
            "  --agree N         agreeing = N or higher on a 5-point scale (4: top two boxes)\n"
            "  --survey ID[:V]   only this survey (all versions, or one)\n"
            "  --numbers FILE    also write the report's numbers as TSV, full precision (only\n"
            "                    what the report publishes)\n");
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int cmd_report(int argc, char **argv)
{
    AnalysisReportOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.k = 5;
    opt.agree = 4;
    const char *db_path = NULL, *survey = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            report_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db_path = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            opt.out_path = argv[++i];
        } else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc) {
            opt.by = argv[++i];
        } else if (strcmp(argv[i], "--survey") == 0 && i + 1 < argc) {
            survey = argv[++i];
        } else if (strcmp(argv[i], "--numbers") == 0 && i + 1 < argc) {
            opt.sidecar = argv[++i];
        } else if (strcmp(argv[i], "--k") == 0 && i + 1 < argc) {
            if (parse_int(argv[++i], 1, 1000, &opt.k) != 0)
                return cli_error(EXIT_USAGE, "--k wants a number from 1 to 1000");
        } else if (strcmp(argv[i], "--agree") == 0 && i + 1 < argc) {
            if (parse_int(argv[++i], 2, 5, &opt.agree) != 0)
                return cli_error(EXIT_USAGE, "--agree wants a number from 2 to 5");
        } else {
            fprintf(stderr, "debrief: error: unexpected argument '%s'\n\n", argv[i]);
            report_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!db_path || !opt.out_path) {
        report_usage(stderr);
        return EXIT_USAGE;
    }
    char sid[SURVEY_MAX_ID + 1] = "";
    uint32_t version = 0;
    if (survey) {
        const char *colon = strchr(survey, ':');
        size_t n = colon ? (size_t)(colon - survey) : strlen(survey);
        int v = 0;
        if (n == 0 || n >= sizeof sid || (colon && parse_int(colon + 1, 1, 2000000000, &v) != 0))
            return cli_error(EXIT_USAGE, "--survey wants ID or ID:VERSION, got '%s'", survey);
        memcpy(sid, survey, n);
        sid[n] = '\0';
        version = (uint32_t)v;
    }
    DbError err;
    Adb *db;
    if (adb_open(db_path, 0, &db, &err) != DB_OK)
        return cli_fail(&err);
    AdbData data;
    int rc = adb_load(db, survey ? sid : NULL, version, &data, &err);
    adb_close(db);
    if (rc != DB_OK)
        return cli_fail(&err);
    rc = analysis_report_write(&data, &opt, &err);
    int n = data.n_surveys;
    adb_data_free(&data);
    if (rc != DB_OK)
        return cli_fail(&err);
    printf("%s: report on %d survey version%s\n", opt.out_path, n, n == 1 ? "" : "s");
    return EXIT_OK;
}
