/* dberr: error codes and a caller-owned error buffer.
 *
 * Every Debrief function that can fail returns one of the DB_* codes (DB_OK is 0)
 * and, when given a non-NULL DbError, fills it with a one-line message the caller
 * can show as is. Messages name the file, line, field or byte offset at fault and
 * never contain answers, keys or passphrases.
 *
 *     DbError err;
 *     if (survey_load_file(path, &survey, &err) != DB_OK)
 *         fprintf(stderr, "debrief: error: %s\n", err.msg);
 */
#ifndef DEBRIEF_DBERR_H
#define DEBRIEF_DBERR_H

enum {
    DB_OK = 0,
    DB_EINVAL,  /* bad argument or malformed input (survey, script, config) */
    DB_EFORMAT, /* a file or record is not in the expected byte format */
    DB_EAUTH,   /* authentication failed: wrong key/passphrase or tampered data (one message) */
    DB_EIO,     /* the operating system or sqlite refused a read or write */
    DB_ENOSPC,  /* no space left on the device */
    DB_ENOMEM,  /* allocation failed */
    DB_ELIMIT,  /* input exceeds a hard limit */
    DB_ENOENT,  /* a named thing does not exist */
    DB_EEXIST,  /* a thing that must not exist yet does */
    DB_ESTATE   /* the operation is not allowed in the current state */
};

#define DBERR_MSG_MAX 512

typedef struct DbError {
    int code;
    char msg[DBERR_MSG_MAX];
} DbError;

/* Clears err (code DB_OK, empty message). err may be NULL. */
void dberr_clear(DbError *err);

/* Sets err to code and a printf-style message, and returns code, so that
 * `return dberr_set(err, DB_EIO, "%s: %s", path, strerror(errno));` reads well.
 * err may be NULL. The message is truncated to DBERR_MSG_MAX - 1 bytes. */
int dberr_set(DbError *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with a printf-style context, keeping the code:
 * "open failed" -> "config.json: open failed". Returns err->code (DB_OK if err is NULL). */
int dberr_prefix(DbError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one message for every authentication failure, so errors give no oracle. */
#define DBERR_AUTH_MSG "authentication failed: wrong key or passphrase, or the data was altered"

#endif
