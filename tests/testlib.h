/* testlib: the tiny harness every Debrief test program uses.
 *
 *     static void test_roundtrip(void) { CHECK(x == 1); CHECK_STR(msg, "expected"); }
 *     int main(void) { RUN(test_roundtrip); return test_report(); }
 *
 * Each CHECK counts as one assertion; failures print file:line and the expression.
 * A test that cannot run here (it needs root, a tool) calls TEST_SKIP("why") and returns.
 * test_report() prints "N passed, N failed" (", N skipped" after it when something was
 * skipped) on its own line (ctest and CI read it) and returns the process exit code: 1 if a
 * check failed or none ran, else TEST_SKIP_CODE if anything was skipped, else 0. ctest
 * reports TEST_SKIP_CODE as a skip (SKIP_RETURN_CODE, set for every test in
 * tests/CMakeLists.txt), never as a pass, and CI fails on a skip (tools/skip-guard).
 *
 * Golden files (expected output kept in the source tree) are never written by a test. A check
 * that finds a golden different or missing fails and keeps what it got with
 * test_keep_actual; tools/regen-golden (never part of the suite) copies those over the
 * goldens for a person to review.
 */
#ifndef DEBRIEF_TESTLIB_H
#define DEBRIEF_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The exit status of a test program that skipped something (ctest SKIP_RETURN_CODE). */
#define TEST_SKIP_CODE 77

static int test_passed_, test_failed_, test_skipped_;

/* Records that the calling test could not run here, and says why on stderr. */
#define TEST_SKIP(why)                                                                 \
    do {                                                                               \
        test_skipped_++;                                                               \
        fprintf(stderr, "%s:%d: SKIPPED: %s\n", __FILE__, __LINE__, (why));            \
    } while (0)

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            test_passed_++;                                                            \
        } else {                                                                       \
            test_failed_++;                                                            \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                              \
    } while (0)

#define CHECK_STR(actual, expected)                                                    \
    do {                                                                               \
        const char *a_ = (actual), *e_ = (expected);                                   \
        if (a_ && e_ && strcmp(a_, e_) == 0) {                                         \
            test_passed_++;                                                            \
        } else {                                                                       \
            test_failed_++;                                                            \
            fprintf(stderr, "%s:%d: FAILED: %s\n  got:      \"%s\"\n  expected: \"%s\"\n", \
                    __FILE__, __LINE__, #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)"); \
        }                                                                              \
    } while (0)

#define RUN(fn)                                                                        \
    do {                                                                               \
        int failed_before_ = test_failed_, skipped_before_ = test_skipped_;           \
        fn();                                                                          \
        fprintf(stderr, "%s %s\n",                                                     \
                test_failed_ != failed_before_     ? "FAIL"                            \
                : test_skipped_ != skipped_before_ ? "SKIP"                            \
                                                   : "ok  ",                           \
                #fn);                                                                  \
    } while (0)

static inline int test_report(void)
{
    if (test_skipped_)
        printf("%d passed, %d failed, %d skipped\n", test_passed_, test_failed_, test_skipped_);
    else
        printf("%d passed, %d failed\n", test_passed_, test_failed_);
    if (test_failed_ > 0 || (test_passed_ == 0 && test_skipped_ == 0))
        return 1;
    return test_skipped_ ? TEST_SKIP_CODE : 0;
}

/* Runs child(i, ctx) for i = 0 and 1 in two forked processes released together at one gate
 * (a pipe), so that what they do overlaps as two commands started at once would; a child's
 * return value is its exit status. code[i]: each child's exit status (128 if it did not
 * exit). */
static inline void test_run_two_at_once(int (*child)(int i, void *ctx), void *ctx, int code[2])
{
    int gate[2];
    pid_t pid[2] = {-1, -1};
    if (pipe(gate) != 0) {
        code[0] = code[1] = 128;
        return;
    }
    for (int i = 0; i < 2; i++) {
        fflush(NULL);
        if ((pid[i] = fork()) == 0) {
            char c;
            close(gate[1]);
            _exit(read(gate[0], &c, 1) == 1 ? child(i, ctx) : 9);
        }
    }
    close(gate[0]);
    if (write(gate[1], "go", 2) != 2)
        fprintf(stderr, "  the gate did not open\n");
    close(gate[1]);
    for (int i = 0; i < 2; i++) {
        int status = 0;
        code[i] = pid[i] > 0 && waitpid(pid[i], &status, 0) == pid[i] && WIFEXITED(status)
                      ? WEXITSTATUS(status)
                      : 128;
    }
}

/* Keeps the file produced (a copy of produced_path, or len bytes at data when produced_path
 * is NULL) at $DEBRIEF_BUILD_DIR/tests/actual/REL, where REL is the golden's path in the
 * source tree ("tests/kiosk/golden/800x480-attract.png"). Says where on stderr. */
static inline void test_keep_actual(const char *rel, const char *produced_path, const void *data,
                                    size_t len)
{
    const char *build = getenv("DEBRIEF_BUILD_DIR");
    char out[4096];
    int n = snprintf(out, sizeof out, "%s/tests/actual/%s", build ? build : ".", rel);
    if (n < 0 || (size_t)n >= sizeof out)
        return;
    for (char *p = strchr(out + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        mkdir(out, 0755);
        *p = '/';
    }
    FILE *in = produced_path ? fopen(produced_path, "rb") : NULL;
    FILE *f = fopen(out, "wb");
    int ok = f != NULL && (produced_path == NULL || in != NULL);
    if (ok && in) {
        char buf[65536];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, in)) > 0)
            ok = ok && fwrite(buf, 1, got, f) == got;
    } else if (ok && len) {
        ok = fwrite(data, 1, len, f) == len;
    }
    if (in)
        fclose(in);
    if (f && fclose(f) != 0)
        ok = 0;
    fprintf(stderr, ok ? "  kept what the test got in %s (tools/regen-golden)\n"
                       : "  could not keep what the test got in %s\n",
            out);
}

#endif
