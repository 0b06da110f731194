/* test_kiosk_selftest: the selftest's swap and volatile-data checks, on /proc and cgroup
 * files made here, and the volatile check on this machine's own mounts. */
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

/* A mountinfo line: ID 1, parent 0, the mount point and type given. */
#define MI(mp, type, src) "36 25 0:32 / " mp " rw,relatime shared:1 - " type " " src " rw\n"

static void test_volatile_check(void)
{
    char msg[1200];
    /* overlayroot with recurse=1: the data partition's fstab line became an overlay. */
    const char *overlay = make("mi-overlay", MI("/", "ext4", "/dev/mmcblk0p2")
                                             MI("/media/root-ro", "ext4", "/dev/mmcblk0p2")
                                             MI("/", "overlay", "overlayroot")
                                             MI("/var/lib/debrief", "overlay", "overlayroot"));
    CHECK(selftest_volatile_check(overlay, "/var/lib/debrief", msg, sizeof msg) == 1);
    CHECK(strstr(msg, "/var/lib/debrief is on overlay") != NULL);
    CHECK(strstr(msg, "lost at power-off") != NULL);
    /* recurse=0: the root is an overlay, the data partition is the real ext4 mounted on it. */
    const char *real = make("mi-real", MI("/", "overlay", "overlayroot")
                                       MI("/var/lib/debrief", "ext4", "/dev/mmcblk0p3"));
    CHECK(selftest_volatile_check(real, "/var/lib/debrief", msg, sizeof msg) == 0);
    CHECK_STR(msg, "ext4 on /var/lib/debrief");
    /* ... but a directory beside it is on the overlay. */
    CHECK(selftest_volatile_check(real, "/var/lib/debrief-old", msg, sizeof msg) == 1);
    CHECK(strstr(msg, "on overlay") != NULL);
    /* tmpfs, ramfs, zram, and a mount point with a space in its name. */
    const char *misc = make("mi-misc", MI("/", "ext4", "/dev/sda1") MI("/run", "tmpfs", "tmpfs")
                                       MI("/srv/r", "ramfs", "none")
                                       MI("/srv/z", "ext4", "/dev/zram1")
                                       MI("/srv/my\\040data", "tmpfs", "tmpfs"));
    CHECK(selftest_volatile_check(misc, "/run/debrief", msg, sizeof msg) == 1);
    CHECK(strstr(msg, "on tmpfs (memory, mounted at /run)") != NULL);
    CHECK(selftest_volatile_check(misc, "/srv/r/x", msg, sizeof msg) == 1);
    CHECK(strstr(msg, "on ramfs") != NULL);
    CHECK(selftest_volatile_check(misc, "/srv/z", msg, sizeof msg) == 1);
    CHECK(strstr(msg, "compressed RAM disk") != NULL);
    CHECK(selftest_volatile_check(misc, "/srv/my data/d", msg, sizeof msg) == 1);
    CHECK(selftest_volatile_check(misc, "/srv/runner", msg, sizeof msg) == 0);
    CHECK_STR(msg, "ext4 on /");
    CHECK(selftest_volatile_check(make("mi-empty", ""), "/x", msg, sizeof msg) == -1);
    CHECK(selftest_volatile_check("/nonexistent/mountinfo", "/x", msg, sizeof msg) == -1);
    /* This machine's own /dev/shm, where it is a tmpfs. */
    char shm[300];
    snprintf(shm, sizeof shm, "/dev/shm/debrief-test-selftest-%d", (int)getpid());
    if (mkdir(shm, 0700) == 0) {
        int r = selftest_volatile_check("/proc/self/mountinfo", shm, msg, sizeof msg);
        if (strstr(msg, "tmpfs"))
            CHECK(r == 1);
        rmdir(shm);
    }
}

int main(void)
{
    snprintf(g_tmp, sizeof g_tmp, "/tmp/debrief-test-selftest-%d", (int)getpid());
    mkdir(g_tmp, 0700);
    RUN(test_swap_check);
    RUN(test_volatile_check);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_tmp);
    return test_report();
}
