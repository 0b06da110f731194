/* testlib: the tiny harness every Debrief test program uses.
 *
 *     static void test_roundtrip(void) { CHECK(x == 1); CHECK_STR(msg, "expected"); }
 *     int main(void) { RUN(test_roundtrip); return test_report(); }
 *
 * Each CHECK counts as one assertion; failures print file:line and the expression.
 * test_report() prints "N passed, N failed" on its own line (ctest and CI read it) and
 * returns the process exit code.
 */
#ifndef DEBRIEF_TESTLIB_H
#define DEBRIEF_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int test_passed_, test_failed_;

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
        int before_ = test_failed_;                                                    \
        fn();                                                                          \
        fprintf(stderr, "%s %s\n", test_failed_ == before_ ? "ok  " : "FAIL", #fn);    \
    } while (0)

static inline int test_report(void)
{
    printf("%d passed, %d failed\n", test_passed_, test_failed_);
    return test_failed_ == 0 && test_passed_ > 0 ? 0 : 1;
}

#endif
