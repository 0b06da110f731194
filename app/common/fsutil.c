/* fsutil: see fsutil.h. */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
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

/* --- what only trusted users can change --- */

/* Who may own what the kiosk trusts: root, this user and, when this user is root, the owner
 * of the data directory (the service's user: IT staff run --selftest and the coordinator's
 * commands as root on its files). */
typedef struct Trusted {
    uid_t uid[2];
    int n;
} Trusted;

static void trusted_init(Trusted *t, const char *data_dir)
{
    struct stat sb;
    t->n = 0;
    t->uid[t->n++] = 0;
    if (geteuid() != 0)
        t->uid[t->n++] = geteuid();
    else if (data_dir && data_dir[0] && stat(data_dir, &sb) == 0 && S_ISDIR(sb.st_mode))
        t->uid[t->n++] = sb.st_uid;
}

static int is_trusted(const Trusted *t, uid_t uid)
{
    for (int i = 0; i < t->n; i++)
        if (t->uid[i] == uid)
            return 1;
    return 0;
}

/* The user's name ("uid N" when it has none), for messages. */
static void user_name(uid_t uid, char *out, size_t cap)
{
    struct passwd pw, *found = NULL;
    char buf[2048];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found)
        snprintf(out, cap, "%s", found->pw_name);
    else
        snprintf(out, cap, "uid %u", (unsigned)uid);
}

/* What an unsafe thing on the path is, for the message: the file (or data directory) itself
 * as the caller named it, the file a link led to, a directory or a link on the way. */
enum { ON_SELF, ON_TARGET, ON_DIR, ON_LINK };
static const char *const on_kind[] = {"", "its target", "directory", "link"};

/* Others can write the thing at path (stat sb): they could change or replace the input. */
static int too_open(const char *what, const char *shown, int on, const char *path,
                    const struct stat *sb, DbError *err)
{
    char owner[64];
    user_name(sb->st_uid, owner, sizeof owner);
    unsigned mode = (unsigned)(sb->st_mode & 07777);
    if (on == ON_SELF)
        return dberr_set(err, DB_EINVAL,
                         "%s %s: mode %04o (owner %s) lets other users change it; fix with: "
                         "chmod go-w %s",
                         what, shown, mode, owner, path);
    return dberr_set(err, DB_EINVAL,
                     "%s %s: %s %s (mode %04o, owner %s) lets other users %s it; fix with: "
                     "chmod go-w %s",
                     what, shown, on_kind[on], path, mode, owner,
                     on == ON_TARGET ? "change" : "replace", path);
}

/* The thing at path belongs to a user who is not trusted. The data directory itself is
 * fixed by running as its owner or by giving it to this user; anything else by root. */
static int wrong_owner(const char *what, const char *shown, int on, int data_dir,
                       const char *path, const struct stat *sb, DbError *err)
{
    char owner[64], me[64], subject[PATH_MAX + 32] = "";
    user_name(sb->st_uid, owner, sizeof owner);
    user_name(geteuid(), me, sizeof me);
    unsigned mode = (unsigned)(sb->st_mode & 07777);
    if (on != ON_SELF)
        snprintf(subject, sizeof subject, "%s %s is ", on_kind[on], path);
    if (data_dir && (on == ON_SELF || on == ON_TARGET))
        return dberr_set(err, DB_EINVAL,
                         "%s %s: %sowned by %s (mode %04o), not by this user (%s) or root; run "
                         "as %s, or fix with: chown %s %s",
                         what, shown, subject, owner, mode, me, owner, me, path);
    if (on == ON_LINK)
        return dberr_set(err, DB_EINVAL,
                         "%s %s: %sowned by %s, who could replace it; fix with: chown -h root %s",
                         what, shown, subject, owner, path);
    return dberr_set(err, DB_EINVAL,
                     "%s %s: %sowned by %s (mode %04o), who could %s it; fix with: chown root %s",
                     what, shown, subject, owner, mode, on == ON_DIR ? "replace" : "change",
                     path);
}

#define FS_MAX_LINKS 40 /* the kernel's limit too */

/* Walks path from / the way the kernel resolves it, one name at a time, following every
 * symbolic link, and checks each directory, link and the final file or directory (the
 * rule in fsutil.h). data_dir says path is the data directory itself, for the message. */
static int check_path(const char *path, const char *what, int data_dir, const Trusted *t,
                      DbError *err)
{
    char todo[2 * PATH_MAX], next[2 * PATH_MAX], done[PATH_MAX], name[NAME_MAX + 1];
    char cand[PATH_MAX + NAME_MAX + 2];
    if (path[0] == '/') {
        snprintf(todo, sizeof todo, "%s", path);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd))
            return dberr_set(err, DB_EIO, "%s %s: cannot tell where it is: %s", what, path,
                             strerror(errno));
        if (snprintf(todo, sizeof todo, "%s/%s", cwd, path) >= (int)sizeof todo)
            return dberr_set(err, DB_ELIMIT, "%s %s: path too long", what, path);
    }
    done[0] = '\0'; /* resolved so far, without links: "" is / */
    struct stat dsb, sb;
    if (lstat("/", &dsb) != 0)
        return DB_OK;
    if (!is_trusted(t, dsb.st_uid))
        return wrong_owner(what, path, ON_DIR, data_dir, "/", &dsb, err);
    int links = 0;
    const char *p = todo;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, "/");
        if (n > NAME_MAX)
            return DB_OK; /* the reader says so */
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        if (strcmp(name, ".") == 0)
            continue;
        if (strcmp(name, "..") == 0) { /* done has no links: its parent is lexical */
            char *slash = strrchr(done, '/');
            if (slash)
                *slash = '\0';
            if (lstat(done[0] ? done : "/", &dsb) != 0)
                return DB_OK;
            continue;
        }
        snprintf(cand, sizeof cand, "%s/%s", done, name);
        if (lstat(cand, &sb) != 0)
            return DB_OK; /* missing or out of reach: the reader says so */
        int last = p[strspn(p, "/")] == '\0';
        int on = S_ISLNK(sb.st_mode) ? ON_LINK : !last ? ON_DIR : links ? ON_TARGET : ON_SELF;
        const char *at = on == ON_SELF ? path : cand;
        if (!is_trusted(t, sb.st_uid))
            return wrong_owner(what, path, on, data_dir, at, &sb, err);
        /* Others who can write its directory can replace it, unless the directory is sticky
         * (like /tmp): then only its owner, trusted, can. */
        if ((dsb.st_mode & (S_IWGRP | S_IWOTH)) && !(dsb.st_mode & S_ISVTX))
            return too_open(what, path, ON_DIR, done[0] ? done : "/", &dsb, err);
        if (S_ISLNK(sb.st_mode)) {
            char target[PATH_MAX];
            if (++links > FS_MAX_LINKS)
                return dberr_set(err, DB_EINVAL, "%s %s: too many levels of symbolic links",
                                 what, path);
            ssize_t len = readlink(cand, target, sizeof target - 1);
            if (len < 0)
                return DB_OK;
            target[len] = '\0';
            if (snprintf(next, sizeof next, "%s/%s", target, p) >= (int)sizeof next ||
                strlen(next) >= sizeof todo)
                return dberr_set(err, DB_ELIMIT, "%s %s: path too long", what, path);
            memcpy(todo, next, strlen(next) + 1);
            p = todo;
            if (target[0] == '/') {
                done[0] = '\0';
                if (lstat("/", &dsb) != 0)
                    return DB_OK;
            }
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            if (!last)
                return DB_OK; /* not a directory: the reader says so */
            if (sb.st_mode & (S_IWGRP | S_IWOTH))
                return too_open(what, path, on, at, &sb, err);
            return DB_OK;
        }
        if (strlen(cand) >= sizeof done)
            return dberr_set(err, DB_ELIMIT, "%s %s: path too long", what, path);
        memcpy(done, cand, strlen(cand) + 1);
        dsb = sb;
    }
    /* Ended on a directory (the data directory): not writable by others, sticky or not. */
    if (dsb.st_mode & (S_IWGRP | S_IWOTH))
        return too_open(what, path, links ? ON_TARGET : ON_SELF,
                        links ? (done[0] ? done : "/") : path, &dsb, err);
    return DB_OK;
}

int fs_check_file_private(const char *path, const char *what, const char *data_dir,
                          DbError *err)
{
    Trusted t;
    trusted_init(&t, data_dir);
    return check_path(path, what, 0, &t, err);
}

int fs_check_dir_private(const char *path, const char *what, DbError *err)
{
    Trusted t;
    trusted_init(&t, path);
    return check_path(path, what, 1, &t, err);
}
