/* commands: the `debrief` CLI's subcommands and their shared helpers.
 *
 * Each subcommand is `int cmd_NAME(int argc, char **argv)` where argv[0] is the subcommand's
 * name; it returns the process exit code: 0 ok, 1 failure, 2 usage error. Every subcommand
 * answers --help (on stdout, exit 0). Errors go to stderr as "debrief: error: ...".
 * To add one: declare it here, add a row to the table in main.c, put it in its own cmd_*.c.
 */
#ifndef DEBRIEF_COMMANDS_H
#define DEBRIEF_COMMANDS_H

#include <stddef.h>

#include "dberr.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Prints "debrief: error: MSG" to stderr and returns EXIT_FAIL. */
int cli_fail(const DbError *err);
/* Prints "debrief: error: <formatted>" to stderr and returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether arg is -h or --help. */
int cli_is_help(const char *arg);

/* Reads a passphrase into buf (NUL-terminated; at most cap - 2 bytes): from path if non-NULL
 * (the bytes of the file's first line up to its LF or the end, one CR right before that
 * removed; a NUL or another CR in it is refused: docs/FORMAT.md, "Secret key file"), else
 * from the terminal with echo off (the line typed, without its end; prompt on stderr),
 * asking twice when confirm is set. The caller wipes buf. */
int cli_read_passphrase(const char *path, const char *prompt, int confirm, char *buf, size_t cap,
                        size_t *len, DbError *err);

int cmd_survey(int argc, char **argv);      /* survey check FILE / preview FILE --out DIR */
int cmd_keygen(int argc, char **argv);      /* keygen --out DIR */
int cmd_fingerprint(int argc, char **argv); /* fingerprint FILE */
int cmd_session(int argc, char **argv);     /* session open|close|list --data DIR */
int cmd_export(int argc, char **argv);      /* export --data DIR --out DIR */
int cmd_verify(int argc, char **argv);      /* verify BATCH... */
int cmd_ack(int argc, char **argv);         /* ack --data DIR --recipient PUB ACKFILE */
int cmd_import(int argc, char **argv);      /* import --key KEY --db DB BATCH... */
int cmd_status(int argc, char **argv);      /* status --db DB */
int cmd_csv(int argc, char **argv);         /* csv --db DB --out FILE.csv */
int cmd_report(int argc, char **argv);      /* report --db DB --out report.html */

#endif
