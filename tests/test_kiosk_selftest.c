/* test_kiosk_selftest: the selftest's swap check, on /proc and cgroup files made here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selftest.h"
#include "testlib.h"

static char g_tmp[128];

static const char *make(const char *name, const char *text)
{
    static char path[4][300];
    static int n;
    char *p = path[n++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", g_tmp, name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return p;
}

static const char *no_swap =
    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
static const char *some_swap =
    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    "/var/swap                               file\t\t102396\t\t0\t\t-2\n";

static void test_swap_check(void)
{
    char msg[600];
    char root[200], svc[300];
    snprintf(root, sizeof root, "%s/cg", g_tmp);
    snprintf(svc, sizeof svc, "%s/system.slice", root);
    mkdir(root, 0700);
    mkdir(svc, 0700);
    snprintf(svc, sizeof svc, "%s/system.slice/debrief-kiosk.service", root);
    mkdir(svc, 0700);
    const char *v2 = make("cgroup-v2", "0::/system.slice/debrief-kiosk.service\n");

    /* No swap: fine whatever the cgroup. */
    CHECK(selftest_swap_check(make("swaps0", no_swap), v2, root, msg, sizeof msg) == 0);
    CHECK_STR(msg, "no swap space is active");

    /* Swap, and the unit's MemorySwapMax=0 took effect. */
    const char *swaps = make("swaps1", some_swap);
    char max[400];
    snprintf(max, sizeof max, "%s/memory.swap.max", svc);
    FILE *f = fopen(max, "w");
    fputs("0\n", f);
    fclose(f);
    CHECK(selftest_swap_check(swaps, v2, root, msg, sizeof msg) == 0);
    CHECK_STR(msg, "99 MiB of swap is active, but this service may not use it "
                   "(memory.swap.max = 0)");

    /* Swap, and the service may use it (no limit; or cgroup v1 without the file). */
    f = fopen(max, "w");
    fputs("max\n", f);
    fclose(f);
    CHECK(selftest_swap_check(swaps, v2, root, msg, sizeof msg) == 1);
    CHECK(strstr(msg, "99 MiB of swap is active and the kiosk may be swapped out") == msg);
    /* A slice above the service that forbids swap forbids it for the service too. */
    char slice_max[400];
    snprintf(slice_max, sizeof slice_max, "%s/system.slice/memory.swap.max", root);
    f = fopen(slice_max, "w");
    fputs("0\n", f);
    fclose(f);
    CHECK(selftest_swap_check(swaps, v2, root, msg, sizeof msg) == 0);
    unlink(slice_max);
    const char *v1 = make("cgroup-v1", "4:memory:/user.slice\n1:cpu:/\n");
    CHECK(selftest_swap_check(swaps, v1, root, msg, sizeof msg) == 1);
    /* A path that climbs out of the cgroup tree is not followed. */
    const char *climb = make("cgroup-climb", "0::/../../etc\n");
    CHECK(selftest_swap_check(swaps, climb, root, msg, sizeof msg) == 1);
    /* Unreadable files: no swap known, nothing to warn about. */
    CHECK(selftest_swap_check("/nonexistent/swaps", v2, root, msg, sizeof msg) == 0);
}

int main(void)
{
    snprintf(g_tmp, sizeof g_tmp, "/tmp/debrief-test-selftest-%d", (int)getpid());
    mkdir(g_tmp, 0700);
    RUN(test_swap_check);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_tmp);
    return test_report();
}
