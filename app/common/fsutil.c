/* fsutil: see fsutil.h. */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int io_code(int e)
{
    return (e == ENOSPC || e == EDQUOT) ? DB_ENOSPC : (e == ENOENT ? DB_ENOENT : DB_EIO);
}

int fs_read_file(const char *path, size_t max_bytes, int follow_symlinks, uint8_t **data,
                 size_t *len, DbError *err)
{
    return fs_read_file_watch(path, max_bytes, follow_symlinks, NULL, NULL, data, len, err);
}

/* Tells the watcher (if any) that the buffer is about to move or be freed. */
static void unwatch(FsReadWatchFn watch, void *ctx)
{
    if (watch)
        watch(ctx, NULL, 0);
}

int fs_read_file_watch(const char *path, size_t max_bytes, int follow_symlinks,
                       FsReadWatchFn watch, void *ctx, uint8_t **data, size_t *len,
                       DbError *err)
{
    *data = NULL;
    *len = 0;
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow_symlinks ? 0 : O_NOFOLLOW);
    int fd = open(path, flags);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP)
            return dberr_set(err, DB_EIO, "%s: is a symbolic link; refusing to follow it", path);
        return dberr_set(err, io_code(e), "%s: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return dberr_set(err, DB_EIO, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return dberr_set(err, DB_EIO, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        close(fd);
        return dberr_set(err, DB_ELIMIT, "%s: file is %lld bytes, more than the limit of %zu",
                         path, (long long)st.st_size, max_bytes);
    }
    /* Read up to max_bytes + 1 so a file that grows while we read is still caught. */
    size_t cap = (size_t)st.st_size + 1;
    uint8_t *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return dberr_set(err, DB_ENOMEM, "%s: out of memory", path);
    }
    size_t got = 0;
    for (;;) {
        if (got == cap) {
            unwatch(watch, ctx);
            if (cap > max_bytes) {
                free(buf);
                close(fd);
                return dberr_set(err, DB_ELIMIT, "%s: file is larger than the limit of %zu bytes",
                                 path, max_bytes);
            }
            size_t ncap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            uint8_t *nbuf = realloc(buf, ncap + 1);
            if (!nbuf) {
                free(buf);
                close(fd);
                return dberr_set(err, DB_ENOMEM, "%s: out of memory", path);
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t want = cap - got;
        if (watch && want > FS_READ_PIECE)
            want = FS_READ_PIECE;
        ssize_t n = read(fd, buf + got, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            unwatch(watch, ctx);
            free(buf);
            close(fd);
            return dberr_set(err, DB_EIO, "%s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (watch)
            watch(ctx, buf, got);
    }
    close(fd);
    if (got > max_bytes) {
        unwatch(watch, ctx);
        free(buf);
        return dberr_set(err, DB_ELIMIT, "%s: file is larger than the limit of %zu bytes", path,
                         max_bytes);
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return DB_OK;
}

static int fsync_dir_of(const char *path, DbError *err)
{
    char copy[4096];
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy)
        return dberr_set(err, DB_ELIMIT, "%s: path too long", path);
    const char *dir = dirname(copy);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return dberr_set(err, DB_EIO, "%s: %s", dir, strerror(errno));
    int rc = fsync(dfd);
    int e = errno;
    close(dfd);
    /* Some file systems (e.g. vfat on USB sticks) refuse fsync on a directory: not fatal. */
    if (rc != 0 && e != EINVAL && e != EROFS)
        return dberr_set(err, io_code(e), "%s: fsync: %s", dir, strerror(e));
    return DB_OK;
}

void fs_atomic_abort(FsAtomic *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    if (a->tmp[0])
        unlink(a->tmp);
    a->tmp[0] = '\0';
}

/* Fails the write: the temporary file goes; returns rc. */
static int atomic_fail(FsAtomic *a, int rc)
{
    fs_atomic_abort(a);
    return rc;
}

int fs_atomic_open(const char *path, mode_t mode, FsAtomic *a, DbError *err)
{
    a->fd = -1;
    a->tmp[0] = '\0';
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path ||
        snprintf(a->tmp, sizeof a->tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof a->tmp) {
        a->tmp[0] = '\0';
        return dberr_set(err, DB_ELIMIT, "%s: path too long", path);
    }
    a->fd = mkstemp(a->tmp);
    if (a->fd < 0) {
        int e = errno;
        a->tmp[0] = '\0';
        return dberr_set(err, io_code(e), "%s: cannot create temporary file: %s", path,
                         strerror(e));
    }
    if (fchmod(a->fd, mode) != 0) {
        int e = errno;
        return atomic_fail(a, dberr_set(err, DB_EIO, "%s: chmod: %s", a->tmp, strerror(e)));
    }
    return DB_OK;
}

int fs_atomic_write(FsAtomic *a, const void *data, size_t len, DbError *err)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(a->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            return atomic_fail(a, dberr_set(err, io_code(e), "%s: write: %s", a->path,
                                            strerror(e)));
        }
        p += n;
        len -= (size_t)n;
    }
    return DB_OK;
}

int fs_atomic_sync(FsAtomic *a, DbError *err)
{
    if (fsync(a->fd) != 0) {
        int e = errno;
        return atomic_fail(a, dberr_set(err, io_code(e), "%s: fsync: %s", a->path, strerror(e)));
    }
    int rc = close(a->fd);
    int e = errno;
    a->fd = -1;
    if (rc != 0)
        return atomic_fail(a, dberr_set(err, io_code(e), "%s: close: %s", a->path, strerror(e)));
    return DB_OK;
}

int fs_atomic_commit(FsAtomic *a, DbError *err)
{
    if (rename(a->tmp, a->path) != 0) {
        int e = errno;
        return atomic_fail(a, dberr_set(err, io_code(e), "%s: rename: %s", a->path, strerror(e)));
    }
    a->tmp[0] = '\0';
    return fsync_dir_of(a->path, err);
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, DbError *err)
{
    FsAtomic a;
    int rc = fs_atomic_open(path, mode, &a, err);
    if (rc == DB_OK)
        rc = fs_atomic_write(&a, data, len, err);
    if (rc == DB_OK)
        rc = fs_atomic_sync(&a, err);
    if (rc == DB_OK)
        rc = fs_atomic_commit(&a, err);
    return rc;
}

int fs_mkdir_p(const char *dir, mode_t mode, DbError *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return dberr_set(err, DB_ELIMIT, "%s: path too long", dir);
    for (char *p = buf + 1;; p++) {
        int end = (*p == '\0');
        if (*p == '/' || end) {
            char saved = *p;
            *p = '\0';
            if (mkdir(buf, mode) != 0 && errno != EEXIST)
                return dberr_set(err, io_code(errno), "%s: cannot create directory: %s", buf,
                                 strerror(errno));
            *p = saved;
        }
        if (end)
            break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dberr_set(err, DB_EIO, "%s: not a directory", dir);
    return DB_OK;
}

int fs_join(char *out, size_t cap, const char *dir, const char *name, DbError *err)
{
    size_t dl = strlen(dir);
    const char *sep = (dl > 0 && dir[dl - 1] == '/') ? "" : "/";
    if (snprintf(out, cap, "%s%s%s", dir, sep, name) >= (int)cap)
        return dberr_set(err, DB_ELIMIT, "%s/%s: path too long", dir, name);
    return DB_OK;
}

long long fs_free_bytes(const char *path)
{
    struct statvfs vfs;
    if (statvfs(path, &vfs) != 0)
        return -1;
    return (long long)vfs.f_bavail * (long long)vfs.f_frsize;
}

/* One file or directory: not writable by group or others (a sticky directory excepted when
 * sticky_ok). shown is the path the user gave, for the message; dir_of says that path is the
 * directory holding it. Who owns it is not checked: the data directory belongs to the
 * service's user, and root may run --selftest or a command on it. */
static int check_private(const char *path, const char *shown, int dir_of, int sticky_ok,
                         const char *what, DbError *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return DB_OK; /* missing: the reader says so */
    unsigned mode = (unsigned)(sb.st_mode & 07777);
    if (!(sb.st_mode & (S_IWGRP | S_IWOTH)) || (sticky_ok && (sb.st_mode & S_ISVTX)))
        return DB_OK;
    if (dir_of)
        return dberr_set(err, DB_EINVAL,
                         "%s %s: its directory %s (mode %04o) lets other users replace it; fix "
                         "with: chmod go-w %s",
                         what, shown, path, mode, path);
    return dberr_set(err, DB_EINVAL,
                     "%s %s: mode %04o lets other users change it; fix with: chmod go-w %s", what,
                     shown, mode, path);
}

/* The directory holding path ("." for a bare name) into out. */
static void dir_of(const char *path, char *out, size_t cap)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    snprintf(out, cap, "%s", dirname(buf));
}

int fs_check_file_private(const char *path, const char *what, DbError *err)
{
    char real[PATH_MAX], d1[4096], d2[4096];
    if (!realpath(path, real))
        return DB_OK;
    dir_of(path, d1, sizeof d1);
    dir_of(real, d2, sizeof d2);
    int rc = check_private(real, path, 0, 0, what, err);
    if (rc == DB_OK)
        rc = check_private(d1, path, 1, 1, what, err);
    if (rc == DB_OK && strcmp(d1, d2) != 0)
        rc = check_private(d2, path, 1, 1, what, err);
    return rc;
}

int fs_check_dir_private(const char *path, const char *what, DbError *err)
{
    char real[PATH_MAX], parent[4096];
    if (!realpath(path, real))
        return DB_OK;
    dir_of(real, parent, sizeof parent);
    int rc = check_private(real, path, 0, 0, what, err);
    if (rc == DB_OK)
        rc = check_private(parent, path, 1, 1, what, err);
    return rc;
}
