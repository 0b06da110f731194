/* debrief survey check FILE... / debrief survey preview FILE --out DIR.
 *
 * check validates survey definitions with the kiosk's own loader and summarises them, then
 * lays out every screen at every reference size and language with the kiosk's renderer and
 * reports what does not fit. preview draws those screens as PNGs with one HTML contact sheet.
 * The renderer needs SDL and the fonts, which this command never links (the CLI-only build
 * has neither): both run `debrief-kiosk --render-survey`, found next to this program (as
 * installed, or in the build tree) or on PATH. Without it, check says that the layout was
 * not checked and preview fails.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "survey.h"

static void survey_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief survey check FILE...\n"
            "       debrief survey preview FILE --out DIR\n\n"
            "check validates survey definition files (docs/SURVEY_FORMAT.md), prints a\n"
            "one-screen summary of each, then lays out every screen of the survey at every\n"
            "reference size (480x320 to 1920x1080, landscape and portrait) in every language,\n"
            "as the kiosk shows it, and names each question, language and size where text\n"
            "does not fit, a word has to be broken, a button is off screen or smaller than\n"
            "48 px. Every error names the file and the line and column (JSON syntax) or the\n"
            "JSON path (schema).\n\n"
            "preview draws every one of those screens as a PNG in DIR and writes\n"
            "DIR/index.html, a contact sheet of them all.\n\n"
            "The screens are laid out by debrief-kiosk (the kiosk package), found next to\n"
            "this program or on PATH; without it, check validates only and says so, and\n"
            "preview fails.\n\n"
            "exit status: 0 all files valid (and fit), 1 a file is invalid or does not fit,\n"
            "2 usage error\n");
}

/* The kiosk binary beside this one (installed: /usr/bin; the build tree: app/kiosk), or
 * "debrief-kiosk" to be looked up on PATH. */
static void kiosk_path(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"/debrief-kiosk", "/../kiosk/debrief-kiosk"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                snprintf(out, cap, "%s%s", exe, rel[i]);
                if (access(out, X_OK) == 0)
                    return;
            }
        }
    }
    snprintf(out, cap, "debrief-kiosk");
}

/* Runs debrief-kiosk --render-survey file [--out dir]. Returns its exit status, or 127 if
 * it could not be started (not installed). */
static int render(const char *file, const char *out_dir)
{
    char kiosk[PATH_MAX + 32];
    kiosk_path(kiosk, sizeof kiosk);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 127;
    if (pid == 0) {
        char *argv[] = {kiosk, "--render-survey", (char *)file, out_dir ? "--out" : NULL,
                        (char *)out_dir, NULL};
        execvp(kiosk, argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int survey_check(int argc, char **argv)
{
    int status = EXIT_OK;
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            survey_usage(stdout);
            return EXIT_OK;
        }
    }
    for (int i = 2; i < argc; i++) {
        Survey *s = NULL;
        DbError err;
        if (survey_load_file(argv[i], &s, &err) != DB_OK) {
            status = cli_fail(&err);
            continue;
        }
        survey_print_summary(s, argv[i], stdout);
        survey_free(s);
        int rc = render(argv[i], NULL);
        if (rc == 127)
            fprintf(stderr,
                    "debrief: note: %s: layout not checked: debrief-kiosk (the kiosk's renderer) "
                    "is not installed; this build cannot draw screens\n",
                    argv[i]);
        else if (rc == 1)
            status = cli_error(EXIT_FAIL, "%s: the layout check failed (see above)", argv[i]);
        else if (rc != 0)
            status = cli_error(EXIT_FAIL, "%s: the layout check failed (exit status %d)", argv[i],
                               rc);
    }
    return status;
}

static int survey_preview(int argc, char **argv)
{
    const char *file = NULL, *out = NULL;
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            survey_usage(stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else
            return cli_error(EXIT_USAGE, "survey preview: unexpected '%s' (see --help)", argv[i]);
    }
    if (!file || !out)
        return cli_error(EXIT_USAGE, "survey preview needs FILE and --out DIR (see --help)");
    Survey *s = NULL;
    DbError err;
    if (survey_load_file(file, &s, &err) != DB_OK)
        return cli_fail(&err);
    survey_free(s);
    int rc = render(file, out);
    if (rc == 127)
        return cli_error(EXIT_FAIL,
                         "survey preview needs debrief-kiosk (the kiosk's renderer), which is "
                         "not installed: this build cannot draw screens");
    if (rc == 1)
        return cli_error(EXIT_FAIL, "%s: the preview failed or some screens do not fit (see above)",
                         file);
    if (rc != 0)
        return cli_error(EXIT_FAIL, "%s: the preview failed (exit status %d)", file, rc);
    return EXIT_OK;
}

int cmd_survey(int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1])) {
        survey_usage(stdout);
        return EXIT_OK;
    }
    if (argc >= 3 && strcmp(argv[1], "check") == 0)
        return survey_check(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "preview") == 0)
        return survey_preview(argc, argv);
    survey_usage(stderr);
    return EXIT_USAGE;
}
