/* powerloss_shim: an LD_PRELOAD library that models what survives a power cut.
 *
 * Every successful fsync()/fdatasync() of a regular file inside $PL_DIR copies the whole file,
 * as it is at that moment, to $PL_SHADOW (via a temp file and rename, so a kill in the middle
 * leaves the previous copy). The shadow directory therefore holds each file as of its last
 * completed sync: exactly the state a disk that drops every unsynced write would come back
 * with. After killing the process, the test replaces $PL_DIR with the shadow copy and checks
 * that everything the program claimed to have made durable is there.
 *
 * Simplifications (stated in docs/THREAT_MODEL.md): directory entries count as durable with the
 * first sync of the file (no separate directory fsync model); unlink and rename are not undone;
 * SQLite's shared-memory index (*-shm) is never copied, as it is rebuilt after a crash; writes
 * are dropped all-or-nothing per file since its last sync (no torn sectors).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void snapshot(int fd)
{
    const char *dir = getenv("PL_DIR");
    const char *shadow = getenv("PL_SHADOW");
    if (!dir || !shadow)
        return;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return;
    path[n] = '\0';
    size_t dl = strlen(dir);
    if (strncmp(path, dir, dl) != 0 || path[dl] != '/' || strchr(path + dl + 1, '/'))
        return;
    const char *name = path + dl + 1;
    size_t nl = strlen(name);
    if (nl >= 4 && strcmp(name + nl - 4, "-shm") == 0)
        return;
    char tmp[PATH_MAX + 16], dst[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s/%s.pltmp", shadow, name);
    snprintf(dst, sizeof dst, "%s/%s", shadow, name);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int okay = in >= 0 && out >= 0;
    char buf[65536];
    while (okay) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r == 0)
            break;
        if (r < 0 || write(out, buf, (size_t)r) != r)
            okay = 0;
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (okay)
        rename(tmp, dst);
    else
        unlink(tmp);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "fsync");
    int rc = real(fd);
    if (rc == 0) {
        int e = errno;
        snapshot(fd);
        errno = e;
    }
    return rc;
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
    int rc = real(fd);
    if (rc == 0) {
        int e = errno;
        snapshot(fd);
        errno = e;
    }
    return rc;
}
