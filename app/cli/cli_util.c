/* cli_util: helpers shared by the subcommands (errors, passphrases). */
#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"
#include "secmem.h"

int cli_fail(const DbError *err)
{
    fprintf(stderr, "debrief: error: %s\n", err->msg);
    return EXIT_FAIL;
}

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("debrief: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* Reads one line from the terminal with echo off. */
static int read_tty_line(const char *prompt, char *buf, size_t cap, size_t *len, DbError *err)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return dberr_set(err, DB_EINVAL,
                         "no terminal to ask for a passphrase; use --passphrase-file FILE");
    int fd = fileno(tty);
    struct termios old, quiet;
    int have_termios = tcgetattr(fd, &old) == 0;
    if (have_termios) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    fputs(prompt, stderr);
    fflush(stderr);
    int rc = DB_OK;
    if (!fgets(buf, (int)cap, tty)) {
        rc = dberr_set(err, DB_EINVAL, "no passphrase given");
        buf[0] = '\0';
    }
    if (have_termios)
        tcsetattr(fd, TCSAFLUSH, &old);
    fclose(tty);
    *len = strcspn(buf, "\r\n");
    buf[*len] = '\0';
    return rc;
}

int cli_read_passphrase(const char *path, const char *prompt, int confirm, char *buf, size_t cap,
                        size_t *len, DbError *err)
{
    *len = 0;
    buf[0] = '\0';
    if (path) {
        /* A pipe is fine here (--passphrase-file /dev/stdin, or <(pass show ...)): read the
         * first line, bounded, rather than requiring a regular file. The passphrase is its
         * bytes up to the first LF (or the end), less one CR right before it (a file saved
         * with Windows line ends gives the same key); nothing else is changed. A NUL or
         * another CR would silently shorten or change it: refused (docs/FORMAT.md). */
        FILE *f = fopen(path, "r");
        if (!f)
            return dberr_set(err, errno == ENOENT ? DB_ENOENT : DB_EIO, "%s: %s", path,
                             strerror(errno));
        int rc = DB_OK, c = EOF, any = 0;
        size_t n = 0;
        while ((c = fgetc(f)) != EOF && c != '\n') {
            any = 1;
            if (n + 1 >= cap) {
                rc = dberr_set(err, DB_ELIMIT, "%s: passphrase longer than %zu bytes", path,
                               cap - 2);
                break;
            }
            buf[n++] = (char)c;
        }
        any |= c == '\n';
        fclose(f);
        if (rc == DB_OK && !any)
            rc = dberr_set(err, DB_EINVAL, "%s: empty; expected the passphrase on its first line",
                           path);
        if (rc == DB_OK && n > 0 && buf[n - 1] == '\r')
            n--;
        if (rc == DB_OK && memchr(buf, '\r', n))
            rc = dberr_set(err, DB_EINVAL,
                           "%s: the first line holds a carriage return (CR) before its end; a "
                           "passphrase is the line's bytes as they are, so write it without one",
                           path);
        if (rc == DB_OK && memchr(buf, '\0', n))
            rc = dberr_set(err, DB_EINVAL, "%s: the first line holds a NUL byte", path);
        *len = n;
        buf[n] = '\0';
        if (rc != DB_OK) {
            secmem_wipe(buf, cap);
            *len = 0;
        }
        return rc;
    }
    int rc = read_tty_line(prompt, buf, cap, len, err);
    if (rc != DB_OK || !confirm)
        return rc;
    char again[1024];
    size_t again_len;
    rc = read_tty_line("Repeat passphrase: ", again, sizeof again, &again_len, err);
    if (rc == DB_OK && (again_len != *len || memcmp(again, buf, *len) != 0))
        rc = dberr_set(err, DB_EINVAL, "the passphrases do not match");
    secmem_wipe(again, sizeof again);
    if (rc != DB_OK) {
        secmem_wipe(buf, cap);
        *len = 0;
    }
    return rc;
}
