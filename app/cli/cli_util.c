/* cli_util: helpers shared by the subcommands (errors, passphrases). */
#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"
#include "fsutil.h"
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
        uint8_t *data;
        size_t n;
        int rc = fs_read_file(path, 4096, 1, &data, &n, err);
        if (rc != DB_OK)
            return rc;
        size_t line = strcspn((const char *)data, "\r\n");
        if (line >= cap) {
            secmem_wipe(data, n);
            free(data);
            return dberr_set(err, DB_ELIMIT, "%s: passphrase longer than %zu bytes", path, cap - 1);
        }
        memcpy(buf, data, line);
        buf[line] = '\0';
        *len = line;
        secmem_wipe(data, n);
        free(data);
        return DB_OK;
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
