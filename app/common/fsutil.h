/* fsutil: small, careful file helpers shared by every module.
 *
 * Reads are bounded (a hostile or mistaken file cannot exhaust memory) and refuse
 * anything that is not a regular file. Writes are atomic: a temp file in the same
 * directory, fsync, rename over the target, fsync the directory, so that a crash
 * leaves either the old file or the complete new one, never a half-written one.
 */
#ifndef DEBRIEF_FSUTIL_H
#define DEBRIEF_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dberr.h"

/* Reads the whole regular file at path into a new malloc'd buffer (NUL-terminated,
 * the NUL not counted in *len). Fails with DB_ELIMIT if it is larger than max_bytes,
 * DB_ENOENT if missing, DB_EIO if unreadable or not a regular file (symlinks to
 * regular files are followed only when follow_symlinks is non-zero).
 * On success the caller frees *data; on failure *data is NULL. */
int fs_read_file(const char *path, size_t max_bytes, int follow_symlinks, uint8_t **data,
                 size_t *len, DbError *err);

/* Called by fs_read_file_watch as the file arrives: buf holds the got bytes read so far (the
 * same buffer the call returns, which keeps growing). Before that buffer is moved or freed
 * (a file that grew while being read, an error) it is called with buf NULL and got 0: by the
 * time it returns, the callee must no longer read the old buffer (e.g. wait for the thread
 * that reads it). */
typedef void (*FsReadWatchFn)(void *ctx, const uint8_t *buf, size_t got);

/* fs_read_file, with the same checks, limits and results, reading in pieces of at most
 * FS_READ_PIECE bytes and calling watch after each, so that another thread can work on the
 * start of the file (e.g. hash it) while the rest is read. */
#define FS_READ_PIECE (256u * 1024)
int fs_read_file_watch(const char *path, size_t max_bytes, int follow_symlinks,
                       FsReadWatchFn watch, void *ctx, uint8_t **data, size_t *len,
                       DbError *err);

/* Atomically replaces (or creates) path with len bytes of data, with the given mode
 * (e.g. 0600). On failure the previous file, if any, is untouched and no temp file
 * remains. DB_ENOSPC when the disk (or the quota) is full, DB_ENOENT when the directory is
 * missing, DB_EIO otherwise. It is fs_atomic_open, fs_atomic_write, fs_atomic_sync and
 * fs_atomic_commit in a row. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, DbError *err);

/* The same atomic write in steps, for a file written in pieces (a batch, streamed in bounded
 * memory) or placed only after a look at what is there (fs_atomic_abort instead of commit).
 * The temporary file is "PATH.tmp-XXXXXX" in path's directory; the error policy is
 * fs_write_atomic's. Every step but fs_atomic_abort returns a DB_* code; after a failed step
 * the temporary file is gone and only fs_atomic_abort (a no-op then) may follow. */
typedef struct FsAtomic {
    int fd;          /* -1 once synced and closed */
    char path[4096]; /* the target */
    char tmp[4096];  /* the temporary file ("" once renamed or removed) */
} FsAtomic;
int fs_atomic_open(const char *path, mode_t mode, FsAtomic *a, DbError *err);
int fs_atomic_write(FsAtomic *a, const void *data, size_t len, DbError *err);
/* fsync and close: the temporary file is complete and durable (not yet at path). */
int fs_atomic_sync(FsAtomic *a, DbError *err);
/* Renames the synced temporary file over path and fsyncs the directory. */
int fs_atomic_commit(FsAtomic *a, DbError *err);
/* Closes and removes the temporary file, if any. */
void fs_atomic_abort(FsAtomic *a);

/* Creates dir (and missing parents) with mode, succeeding if it already exists as a directory. */
int fs_mkdir_p(const char *dir, mode_t mode, DbError *err);

/* Joins dir and name with one '/' into out; DB_ELIMIT if it does not fit. */
int fs_join(char *out, size_t cap, const char *dir, const char *name, DbError *err);

/* Free bytes available to this user on the file system holding path, or -1. */
long long fs_free_bytes(const char *path);

/* Whether only trusted users can change or replace what the kiosk trusts (the rule of
 * OpenSSH's StrictModes). what names the thing in the message ("recipient key", "survey").
 *
 * The path is walked from / as the kernel resolves it, following every symbolic link (and
 * the links within a link's target). Each directory on the way, each link and the file
 * itself must belong to a trusted user, and none may be writable by group or others, except
 * a directory with the sticky bit (/tmp): there only an entry's owner, trusted, can replace
 * it. Trusted: root and this user; when this user is root, also the owner of data_dir (the
 * service's user: IT staff run --selftest and the coordinator's commands as root on its
 * files). DB_EINVAL names the thing that is unsafe, its owner and mode, and the fix:
 *   "recipient key /etc/debrief/analyst.pub: mode 0666 (owner root) lets other users change
 *    it; fix with: chmod go-w /etc/debrief/analyst.pub"
 *   "survey /srv/s/survey.json: directory /srv (mode 0777, owner root) lets other users
 *    replace it; fix with: chmod go-w /srv"
 *   "configuration /home/pi/kiosk.conf: owned by pi (mode 0644), who could change it; fix
 *    with: chown root /home/pi/kiosk.conf"
 * DB_ELIMIT for a path too long to check. A path that does not exist or cannot be reached
 * is DB_OK: whoever reads it says so.
 *
 * fs_check_file_private: for a file the kiosk reads; data_dir is the data directory it is
 * used with, or NULL (the configuration, which names the data directory itself).
 * fs_check_dir_private: for a directory the kiosk writes (its data directory, which is
 * data_dir): the same, and the directory itself must not be writable by group or others,
 * sticky or not. One owned by another user, when this user is not root, is refused with
 * "run as OWNER, or fix with: chown ME DIR". */
int fs_check_file_private(const char *path, const char *what, const char *data_dir,
                          DbError *err);
int fs_check_dir_private(const char *path, const char *what, DbError *err);

#endif
