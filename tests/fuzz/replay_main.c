/* replay_main: runs a fuzz target over its corpus without libFuzzer, so that every seed and
 * every input that ever crashed is replayed in the normal and sanitizer test runs.
 *
 *     fuzz_replay_NAME DIR_OR_FILE...
 *
 * Each regular file of each directory (sorted by name; names starting with '.' or ending in
 * ".note" skipped) is fed to LLVMFuzzerTestOneInput in a child process of its own, so one
 * crash does not hide the others and each is named; a child that dies by a signal, exits
 * non-zero (a sanitizer report, a leak) or runs longer than 30 s counts as failed. A
 * directory that does not exist is skipped (crashes/NAME exists only once something was
 * found). Prints "N passed, N failed" like every Debrief test; exit 1 if any failed or
 * nothing was replayed.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "fuzz_support.h"

#define REPLAY_MAX_INPUT (4u << 20)
#define REPLAY_TIMEOUT_S 30

static int n_passed, n_failed;

static int skip_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || (n >= 5 && strcmp(name + n - 5, ".note") == 0);
}

static void replay_file(const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    DbError err;
    if (fs_read_file(path, REPLAY_MAX_INPUT, 0, &data, &len, &err) != DB_OK) {
        fprintf(stderr, "FAIL %s: cannot read: %s\n", path, err.msg);
        n_failed++;
        return;
    }
    /* An exact-size copy, so that sanitizers see a read one byte past the input. */
    uint8_t *input = malloc(len ? len : 1);
    if (!input) {
        fprintf(stderr, "FAIL %s: out of memory\n", path);
        free(data);
        n_failed++;
        return;
    }
    if (len)
        memcpy(input, data, len);
    free(data);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "FAIL %s: fork: %s\n", path, strerror(errno));
        free(input);
        n_failed++;
        return;
    }
    if (pid == 0) {
        alarm(REPLAY_TIMEOUT_S);
        LLVMFuzzerTestOneInput(input, len);
        free(input);
        exit(0); /* exit, not _exit: LeakSanitizer checks at exit */
    }
    free(input);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        n_passed++;
        return;
    }
    n_failed++;
    if (WIFSIGNALED(status))
        fprintf(stderr, "FAIL %s: killed by signal %d%s\n", path, WTERMSIG(status),
                WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
    else
        fprintf(stderr, "FAIL %s: exit status %d\n", path, WEXITSTATUS(status));
}

static void replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return; /* e.g. no crashes/NAME yet */
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "FAIL %s: cannot list: %s\n", path, strerror(errno));
        n_failed++;
        return;
    }
    for (int i = 0; i < n; i++) {
        char file[4096];
        if (!skip_name(names[i]->d_name) &&
            snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name) < (int)sizeof file &&
            stat(file, &st) == 0 && S_ISREG(st.st_mode))
            replay_file(file);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++)
        replay_path(argv[i]);
    printf("%d passed, %d failed\n", n_passed, n_failed);
    return n_failed == 0 && n_passed > 0 ? 0 : 1;
}
