/* How the admin screen finds the USB drive to export to (kiosk_admin_find_drive): only a
 * mounted file system counts, never a plain directory (which would put the batch on the SD
 * card); read-only drives are named; a configured directory wins. Runs in a private mount
 * namespace with tmpfs mounts standing in for USB sticks, so it needs root (CI is root);
 * elsewhere it is reported to ctest as skipped. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiosk_admin.h"
#include "testlib.h"

static char drive[4096];
static DbError err;

static int find(void)
{
    return kiosk_admin_find_drive(NULL, NULL, drive, sizeof drive, &err);
}

static int mount_tmpfs(const char *dir, unsigned long flags)
{
    mkdir(dir, 0755);
    return mount("none", dir, "tmpfs", flags, "size=1m");
}

static void test_search(void)
{
    /* Nothing plugged in: a fresh, empty /media (and /run/media, where a desktop mounts). */
    CHECK(mount_tmpfs("/media", 0) == 0);
    struct stat st;
    if (stat("/run/media", &st) == 0)
        CHECK(mount_tmpfs("/run/media", 0) == 0);
    CHECK(find() == DB_ENOENT);
    CHECK(strstr(err.msg, "No USB drive found") != NULL);

    /* /media/debrief as a plain directory is not a drive: the batch would land on the SD card. */
    CHECK(mkdir("/media/debrief", 0755) == 0);
    CHECK(find() == DB_ENOENT);

    /* A stick auto-mounted for a user (/media/USER/LABEL) is found. */
    CHECK(mkdir("/media/pi", 0755) == 0);
    CHECK(mount_tmpfs("/media/pi/STICK", 0) == 0);
    CHECK(find() == DB_OK);
    CHECK_STR(drive, "/media/pi/STICK");

    /* The kiosk's own mount point comes first. */
    CHECK(mount_tmpfs("/media/debrief", 0) == 0);
    CHECK(find() == DB_OK);
    CHECK_STR(drive, "/media/debrief");

    /* A read-only drive is skipped for a writable one, and named when it is the only one. */
    CHECK(mount("none", "/media/debrief", NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
    CHECK(find() == DB_OK);
    CHECK_STR(drive, "/media/pi/STICK");
    CHECK(umount("/media/pi/STICK") == 0);
    CHECK(find() == DB_EIO);
    CHECK(strstr(err.msg, "/media/debrief is read-only") != NULL);

    /* A configured directory is used as given, and reported when missing. */
    CHECK(kiosk_admin_find_drive(NULL, "/media/pi", drive, sizeof drive, &err) == DB_OK);
    CHECK_STR(drive, "/media/pi");
    CHECK(kiosk_admin_find_drive(NULL, "/media/nope", drive, sizeof drive, &err) == DB_ENOENT);
    CHECK(strstr(err.msg, "No drive at /media/nope") != NULL);
}

int main(void)
{
    if (getuid() != 0) {
        TEST_SKIP("needs root (tmpfs mounts in a private mount namespace)");
        return test_report();
    }
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        char why[160];
        snprintf(why, sizeof why, "no private mount namespace here: %s", strerror(errno));
        TEST_SKIP(why);
        return test_report();
    }
    RUN(test_search);
    return test_report();
}
