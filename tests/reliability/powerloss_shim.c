/* powerloss_shim: an LD_PRELOAD library that records what a power cut may leave behind.
 *
 * For the regular files directly inside $PL_DIR (SQLite's *-shm excepted: it is rebuilt after
 * a crash), it keeps in $PL_SHADOW:
 *  - NAME: the file as of its last completed fsync()/fdatasync() (copied whole at the sync,
 *    through a temp file and a rename, so a kill in the middle leaves the previous copy);
 *  - NAME.pl-pending: every write (and truncation) to it since that sync, in order:
 *    u64 offset, u32 length, the bytes (length 0xffffffff: a truncation to offset);
 *  - .pl-dirlog: the names created, linked or renamed into $PL_DIR since the directory itself
 *    was last fsync'd: their directory entries may not be on disk yet.
 * tests/reliability/rel_tool's `cut` builds what a disk may come back with from that: each
 * file's synced content, then any subset of its unsynced writes, in any order, each torn at any
 * 512-byte sector; and each name of .pl-dirlog possibly gone. A program that counts a thing as
 * saved only after the syncs that make it so loses nothing thanked under this model.
 *
 * To cut the power where it matters, $PL_KILL_AT_SYNC=N makes the process SIGKILL itself just
 * before its N-th fsync/fdatasync call (when writes are made but not yet durable), and
 * $PL_COUNT_SYNCS=FILE appends a byte to FILE at every sync call (how many a run makes).
 *
 * Simplifications (docs/THREAT_MODEL.md): an unlink is undone (the name comes back with its
 * last synced content) rather than sometimes kept; a file's synced content is what it was at
 * its last sync, not an older state; writes through mmap are not seen (SQLite does not use
 * them for the database with its default settings).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static __thread int in_shim; /* our own I/O is not recorded */

#define REAL(name, ret, ...)                                                                  \
    static ret (*real_##name)(__VA_ARGS__);                                                    \
    if (!real_##name)                                                                          \
        *(void **)&real_##name = dlsym(RTLD_NEXT, #name)

/* The name inside $PL_DIR that fd refers to (NULL if it is elsewhere, or a -shm file); the
 * directory itself gives "." */
static const char *tracked_name(int fd, char *buf, size_t cap)
{
    const char *dir = getenv("PL_DIR");
    if (!dir || !getenv("PL_SHADOW"))
        return NULL;
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, cap - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    size_t dl = strlen(dir);
    if (strcmp(buf, dir) == 0)
        return ".";
    if (strncmp(buf, dir, dl) != 0 || buf[dl] != '/' || strchr(buf + dl + 1, '/'))
        return NULL;
    const char *name = buf + dl + 1;
    size_t nl = strlen(name);
    if (nl >= 4 && strcmp(name + nl - 4, "-shm") == 0)
        return NULL;
    return name;
}

/* The name inside $PL_DIR that a path given to open/link/rename names, or NULL. */
static const char *path_name(const char *path, char *buf, size_t cap)
{
    const char *dir = getenv("PL_DIR");
    if (!dir || !getenv("PL_SHADOW") || !path)
        return NULL;
    char real_dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    char parent[PATH_MAX];
    if (slash) {
        snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
    } else {
        snprintf(parent, sizeof parent, ".");
    }
    if (!realpath(parent[0] ? parent : "/", real_dir) || strcmp(real_dir, dir) != 0)
        return NULL;
    snprintf(buf, cap, "%s", slash ? slash + 1 : path);
    return buf;
}

static void append(const char *file, const void *a, size_t an, const void *b, size_t bn)
{
    REAL(open, int, const char *, int, ...);
    REAL(write, ssize_t, int, const void *, size_t);
    int fd = real_open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    if (real_write(fd, a, an) != (ssize_t)an || (bn && real_write(fd, b, bn) != (ssize_t)bn))
        fprintf(stderr, "powerloss_shim: cannot record to %s\n", file);
    close(fd);
}

static void record_write(int fd, uint64_t off, const void *data, uint32_t len)
{
    char buf[PATH_MAX], log[PATH_MAX + 64];
    const char *name = tracked_name(fd, buf, sizeof buf);
    if (!name || !strcmp(name, "."))
        return;
    snprintf(log, sizeof log, "%s/%s.pl-pending", getenv("PL_SHADOW"), name);
    uint8_t head[12];
    for (int i = 0; i < 8; i++)
        head[i] = (uint8_t)(off >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        head[8 + i] = (uint8_t)(len >> (24 - 8 * i));
    append(log, head, sizeof head, data, len == 0xffffffffu ? 0 : len);
}

static void record_name(const char *name)
{
    char log[PATH_MAX + 32];
    snprintf(log, sizeof log, "%s/.pl-dirlog", getenv("PL_SHADOW"));
    append(log, name, strlen(name), "\n", 1);
}

/* A completed sync of fd: its content is durable (a file), or its entries are (the dir). */
static void synced(int fd)
{
    char buf[PATH_MAX];
    const char *name = tracked_name(fd, buf, sizeof buf);
    if (!name)
        return;
    const char *shadow = getenv("PL_SHADOW");
    char tmp[PATH_MAX + 32], dst[PATH_MAX + 32], log[PATH_MAX + 32];
    if (!strcmp(name, ".")) {
        snprintf(log, sizeof log, "%s/.pl-dirlog", shadow);
        unlink(log);
        return;
    }
    snprintf(tmp, sizeof tmp, "%s/%s.pltmp", shadow, name);
    snprintf(dst, sizeof dst, "%s/%s", shadow, name);
    snprintf(log, sizeof log, "%s/%s.pl-pending", shadow, name);
    REAL(open, int, const char *, int, ...);
    REAL(read, ssize_t, int, void *, size_t);
    REAL(write, ssize_t, int, const void *, size_t);
    int in = real_open(buf, O_RDONLY | O_CLOEXEC);
    int out = real_open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int okay = in >= 0 && out >= 0;
    char copy[65536];
    while (okay) {
        ssize_t r = real_read(in, copy, sizeof copy);
        if (r == 0)
            break;
        if (r < 0 || real_write(out, copy, (size_t)r) != r)
            okay = 0;
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (okay) {
        rename(tmp, dst);
        unlink(log);
    } else {
        unlink(tmp);
    }
}

/* Counts sync calls ($PL_COUNT_SYNCS) and cuts the power before the chosen one. */
static void before_sync(void)
{
    static long calls;
    calls++;
    const char *count = getenv("PL_COUNT_SYNCS");
    if (count && !in_shim) {
        in_shim = 1;
        append(count, ".", 1, NULL, 0);
        in_shim = 0;
    }
    const char *at = getenv("PL_KILL_AT_SYNC");
    if (at && strtol(at, NULL, 10) == calls)
        kill(getpid(), SIGKILL);
}

#define SYNC_WRAPPER(fn)                                                                     \
    int fn(int fd)                                                                          \
    {                                                                                       \
        REAL(fn, int, int);                                                                 \
        before_sync();                                                                      \
        int rc = real_##fn(fd);                                                             \
        if (rc == 0 && !in_shim) {                                                          \
            int e = errno;                                                                  \
            in_shim = 1;                                                                    \
            synced(fd);                                                                     \
            in_shim = 0;                                                                    \
            errno = e;                                                                      \
        }                                                                                   \
        return rc;                                                                          \
    }
SYNC_WRAPPER(fsync)
SYNC_WRAPPER(fdatasync)

static void after_write(int fd, uint64_t off, const void *data, ssize_t n)
{
    if (n <= 0 || in_shim)
        return;
    int e = errno;
    in_shim = 1;
    record_write(fd, off, data, (uint32_t)n);
    in_shim = 0;
    errno = e;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite, ssize_t, int, const void *, size_t, off_t);
    ssize_t r = real_pwrite(fd, buf, n, off);
    after_write(fd, (uint64_t)off, buf, r);
    return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite64, ssize_t, int, const void *, size_t, off_t);
    ssize_t r = real_pwrite64(fd, buf, n, off);
    after_write(fd, (uint64_t)off, buf, r);
    return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write, ssize_t, int, const void *, size_t);
    off_t off = in_shim ? 0 : lseek(fd, 0, SEEK_CUR);
    ssize_t r = real_write(fd, buf, n);
    if (off >= 0)
        after_write(fd, (uint64_t)off, buf, r);
    return r;
}

int ftruncate(int fd, off_t len)
{
    REAL(ftruncate, int, int, off_t);
    int rc = real_ftruncate(fd, len);
    if (rc == 0 && !in_shim) {
        int e = errno;
        in_shim = 1;
        record_write(fd, (uint64_t)len, NULL, 0xffffffffu);
        in_shim = 0;
        errno = e;
    }
    return rc;
}

/* Names that appear in $PL_DIR: their entries need a sync of the directory. */
static void new_name(const char *path)
{
    char buf[PATH_MAX];
    const char *name;
    if (in_shim || !(name = path_name(path, buf, sizeof buf)))
        return;
    int e = errno;
    in_shim = 1;
    record_name(name);
    in_shim = 0;
    errno = e;
}

static int open_common(int dirfd, const char *path, int flags, mode_t mode, int at)
{
    int existed = (flags & O_CREAT) && access(path, F_OK) == 0;
    int fd;
    if (at) {
        REAL(openat, int, int, const char *, int, ...);
        fd = real_openat(dirfd, path, flags, mode);
    } else {
        REAL(open, int, const char *, int, ...);
        fd = real_open(path, flags, mode);
    }
    if (fd >= 0 && (flags & O_CREAT) && !existed && (at == 0 || path[0] == '/'))
        new_name(path);
    return fd;
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return open_common(AT_FDCWD, path, flags, mode, 0);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return open_common(AT_FDCWD, path, flags, mode, 0);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return open_common(dirfd, path, flags, mode, 1);
}

int link(const char *from, const char *to)
{
    REAL(link, int, const char *, const char *);
    int rc = real_link(from, to);
    if (rc == 0)
        new_name(to);
    return rc;
}

int rename(const char *from, const char *to)
{
    REAL(rename, int, const char *, const char *);
    int rc = real_rename(from, to);
    if (rc == 0)
        new_name(to);
    return rc;
}

int mkstemp(char *tmpl)
{
    REAL(mkstemp, int, char *);
    int fd = real_mkstemp(tmpl);
    if (fd >= 0)
        new_name(tmpl);
    return fd;
}
