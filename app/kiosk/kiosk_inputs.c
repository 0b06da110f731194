/* kiosk_inputs: see kiosk_inputs.h. */
#include "kiosk_inputs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "secmem.h"

int kiosk_load_recipients(const KioskArgs *args, KeyPublic keys[KIOSK_MAX_RECIPIENTS],
                          DbError *err)
{
    for (int i = 0; i < args->n_recipients && i < KIOSK_MAX_RECIPIENTS; i++) {
        int rc = fs_check_file_private(args->recipients[i], "recipient key", args->data,
                                       err);
        if (rc == DB_OK && (rc = keys_public_read(args->recipients[i], &keys[i], err)) != DB_OK)
            dberr_prefix(err, "recipient key");
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

int kiosk_memlock_check(char *msg, size_t cap)
{
    if (secmem_can_lock(KIOSK_LOCKED_BYTES) == 0) {
        snprintf(msg, cap, "answers can be kept in locked memory (%d KiB)",
                 KIOSK_LOCKED_BYTES / 1024);
        return 0;
    }
    int e = errno;
    struct rlimit rl;
    char limit[48] = "unknown";
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        snprintf(limit, sizeof limit, "%llu KiB", (unsigned long long)rl.rlim_cur / 1024);
    snprintf(msg, cap,
             "answers cannot be kept in locked memory (%s; RLIMIT_MEMLOCK is %s, the kiosk "
             "needs %d KiB): they could be swapped out to disk. Raise the limit: "
             "LimitMEMLOCK=4M in the systemd unit (the packaged unit sets it), or ulimit -l",
             strerror(e), limit, KIOSK_LOCKED_BYTES / 1024);
    return -1;
}
