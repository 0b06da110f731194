/* debrief csv: export an analysis database's responses as CSV with a codebook, SPSS syntax
 * and an R script (app/analysis/csv.c does the work). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "commands.h"

static void csv_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief csv --db ANALYSIS.db --out FILE.csv [--survey ID[:VERSION]]\n"
            "                   [--no-text | --text-only] [--bom] [--xlsx]\n\n"
            "Writes one row per response and one column per question (see docs/ANALYSIS.md),\n"
            "plus FILE.codebook.csv (every survey language), FILE.sps (SPSS syntax, reading\n"
            "FILE.spss.csv) and FILE.R (R script) that apply the labels. Missing answers are\n"
            "codes: -9 declined, -8 skipped, -7 not shown. Rows are sorted by session and\n"
            "content, never in import order. With several survey versions in the database,\n"
            "each gets its own file: FILE_ID_vVERSION.csv.\n\n"
            "  --survey ID[:VERSION]  only this survey (all its versions, or one)\n"
            "  --no-text              leave out free-text answers\n"
            "  --text-only            only the free-text answers, shuffled, one per row, with\n"
            "                         no column that links them to a person's other answers\n"
            "  --bom                  start the CSV with a UTF-8 byte order mark, so that\n"
            "                         Excel reads umlauts and accents right\n"
            "  --xlsx                 also write FILE.xlsx: sheets data, codebook and value\n"
            "                         labels (needs a build with libxlsxwriter)\n");
}

static int parse_survey(const char *arg, char *id, size_t cap, uint32_t *version)
{
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(id, arg, n);
    id[n] = '\0';
    *version = 0;
    if (colon) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(colon + 1, &end, 10);
        if (errno || *end || end == colon + 1 || v == 0 || v > UINT32_MAX)
            return -1;
        *version = (uint32_t)v;
    }
    return 0;
}

int cmd_csv(int argc, char **argv)
{
    const char *db_path = NULL, *out = NULL, *survey = NULL;
    int mode = ANALYSIS_CSV_ALL, n_modes = 0, bom = 0, xlsx = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            csv_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db_path = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--survey") == 0 && i + 1 < argc) {
            survey = argv[++i];
        } else if (strcmp(argv[i], "--no-text") == 0) {
            mode = ANALYSIS_CSV_NO_TEXT;
            n_modes++;
        } else if (strcmp(argv[i], "--bom") == 0) {
            bom = 1;
        } else if (strcmp(argv[i], "--xlsx") == 0) {
            xlsx = 1;
        } else if (strcmp(argv[i], "--text-only") == 0) {
            mode = ANALYSIS_CSV_TEXT_ONLY;
            n_modes++;
        } else {
            fprintf(stderr, "debrief: error: unexpected argument '%s'\n\n", argv[i]);
            csv_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!db_path || !out) {
        csv_usage(stderr);
        return EXIT_USAGE;
    }
    if (n_modes > 1)
        return cli_error(EXIT_USAGE, "--no-text and --text-only exclude each other");
    if (xlsx && mode == ANALYSIS_CSV_TEXT_ONLY)
        return cli_error(EXIT_USAGE, "--xlsx and --text-only exclude each other");
    if (xlsx && !analysis_xlsx_available())
        return cli_error(EXIT_FAIL,
                         "--xlsx: this debrief was built without libxlsxwriter (Debian package "
                         "libxlsxwriter-dev); rebuild with it, or use --bom for a CSV that "
                         "Excel reads as UTF-8");
    char sid[SURVEY_MAX_ID + 1];
    uint32_t version = 0;
    if (survey && parse_survey(survey, sid, sizeof sid, &version) != 0)
        return cli_error(EXIT_USAGE, "--survey wants ID or ID:VERSION, got '%s'", survey);

    DbError err;
    Adb *db;
    if (adb_open(db_path, 0, &db, &err) != DB_OK)
        return cli_fail(&err);
    AdbData data;
    int rc = adb_load(db, survey ? sid : NULL, version, &data, &err);
    adb_close(db);
    if (rc != DB_OK)
        return cli_fail(&err);
    int status = EXIT_OK;
    if (data.n_surveys == 0)
        status = cli_error(EXIT_FAIL, "%s: no responses%s%s", db_path, survey ? " for survey " : "",
                           survey ? survey : "");
    for (int i = 0; i < data.n_surveys && status == EXIT_OK; i++) {
        const AdbSurveyData *sd = &data.surveys[i];
        char path[4096];
        if (data.n_surveys == 1) {
            snprintf(path, sizeof path, "%s", out);
        } else {
            size_t n = strlen(out);
            if (n > 4 && strcmp(out + n - 4, ".csv") == 0)
                n -= 4;
            snprintf(path, sizeof path, "%.*s_%s_v%u.csv", (int)n, out, sd->survey->id,
                     sd->survey->version);
        }
        AnalysisCsvOptions opt = {path, mode, bom};
        int64_t rows;
        if (analysis_csv_write(sd, &opt, &rows, &err) != DB_OK) {
            status = cli_fail(&err);
            break;
        }
        printf("%s: survey %s version %u: %lld %s%s\n", path, sd->survey->id, sd->survey->version,
               (long long)rows, mode == ANALYSIS_CSV_TEXT_ONLY ? "text answers" : "responses",
               mode == ANALYSIS_CSV_TEXT_ONLY ? "" : " (+ .codebook.csv, .sps, .spss.csv, .R)");
        if (xlsx) {
            char xpath[4096];
            size_t n = strlen(path);
            if (n > 4 && strcmp(path + n - 4, ".csv") == 0)
                n -= 4;
            snprintf(xpath, sizeof xpath, "%.*s.xlsx", (int)n, path);
            if (analysis_xlsx_write(sd, xpath, mode, &rows, &err) != DB_OK) {
                status = cli_fail(&err);
                break;
            }
            printf("%s: survey %s version %u: %lld responses (sheets data, codebook, value "
                   "labels)\n",
                   xpath, sd->survey->id, sd->survey->version, (long long)rows);
        }
    }
    adb_data_free(&data);
    return status;
}
