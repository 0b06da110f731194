/* debrief session open / close / list: the coordinator's sessions, from a shell. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "coord.h"
#include "fsutil.h"
#include "store.h"
#include "survey.h"

static void session_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief session open --data DIR --label LABEL --date YYYY-MM-DD\n"
            "                            [--survey FILE] [--expected N]\n"
            "       debrief session close --data DIR\n"
            "       debrief session list --data DIR\n\n"
            "Opens a session (a group on a date), closes it, or lists sessions (responses\n"
            "held on the kiosk, not yet exported, exported and awaiting the analyst's\n"
            "acknowledgement) and the exported batches (acknowledged ones are deleted from\n"
            "the kiosk). Responses belong to the open session; only one is open at a\n"
            "time, and only closed sessions are exported. The date is entered by the\n"
            "coordinator (the kiosk's clock is not trusted). --expected caps the number of\n"
            "responses at the expected attendance. DIR is the kiosk's data directory\n"
            "(created, mode 0700, if missing).\n\n"
            "A session collects answers to the survey the kiosk runs (the kiosk records it\n"
            "in DIR when it starts); without --survey the session is opened for that survey,\n"
            "and a --survey FILE that is another survey or version is refused. Before the\n"
            "kiosk first ran, --survey FILE is needed.\n");
}

/* Parses a decimal integer in [lo, hi]; -1 if it is not one. */
static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The survey a session opens for: the kiosk's (recorded in the store when it last started),
 * and survey_path, when given, must be that survey. */
static int pick_survey(Store *st, const char *data, const char *survey_path,
                       char id[SESSION_ID_MAX + 1], uint32_t *version, DbError *err)
{
    int found = 0;
    int rc = store_kiosk_survey_get(st, id, version, NULL, &found, err);
    if (rc != DB_OK)
        return rc;
    if (!survey_path) {
        if (!found)
            return dberr_set(err, DB_ENOENT,
                             "%s: no kiosk has run on this data directory yet, so its survey is "
                             "not known: give --survey FILE (the kiosk's survey)",
                             data);
        return DB_OK;
    }
    Survey *survey = NULL;
    if ((rc = survey_load_file(survey_path, &survey, err)) != DB_OK)
        return rc;
    if (found && (strcmp(id, survey->id) != 0 || *version != survey->version))
        rc = dberr_set(err, DB_ESTATE,
                       "%s is survey %s v%u, but the kiosk on %s runs survey %s v%u: its "
                       "answers could not be imported with this session. Leave out --survey to "
                       "open the session for the kiosk's survey (nothing was changed)",
                       survey_path, survey->id, survey->version, data, id, *version);
    snprintf(id, SESSION_ID_MAX + 1, "%s", survey->id);
    *version = survey->version;
    survey_free(survey);
    return rc;
}

static int session_open(const char *data, const char *label, const char *date,
                        const char *survey_path, int expected)
{
    DbError err;
    Store *st = NULL;
    int64_t id = 0;
    char survey_id[SESSION_ID_MAX + 1];
    uint32_t version = 0;
    int rc = coord_open_data_dir(data, 1, &st, &err);
    if (rc == DB_OK)
        rc = pick_survey(st, data, survey_path, survey_id, &version, &err);
    if (rc == DB_OK)
        rc = store_session_open(st, label, date, survey_id, version, expected, &id, &err);
    if (rc == DB_OK) {
        printf("session %lld open: \"%s\" %s, survey %s version %u", (long long)id, label, date,
               survey_id, version);
        if (expected > 0)
            printf(", expected attendance %d", expected);
        printf("\n");
    }
    store_close(st);
    return rc == DB_OK ? EXIT_OK : cli_fail(&err);
}

static int session_close(const char *data)
{
    DbError err;
    Store *st = NULL;
    StoreSession s;
    int found = 0;
    int rc = coord_open_data_dir(data, 0, &st, &err);
    if (rc == DB_OK)
        rc = store_session_current(st, &s, &found, &err);
    if (rc == DB_OK)
        rc = store_session_close(st, &err);
    if (rc == DB_OK) {
        printf("session %lld closed: \"%s\" %s, %lld responses\n", (long long)s.id, s.label,
               s.date, (long long)s.responses);
        DbError cerr;
        if (store_compact(st, &cerr) != DB_OK)
            fprintf(stderr,
                    "debrief: warning: the session is closed, but the database was not "
                    "compacted (its file may still follow the order of submission; the next "
                    "close or acknowledgement tries again): %s\n",
                    cerr.msg);
    }
    store_close(st);
    return rc == DB_OK ? EXIT_OK : cli_fail(&err);
}

typedef struct ListCtx {
    Store *st;
    int n;
    int rc;
    DbError *err;
} ListCtx;

/* One line per session: responses held on the kiosk now, of them not yet exported, and
 * exported in a batch the analyst has not acknowledged yet. Acknowledged responses are
 * deleted, so they are counted per batch below, not here. */
static int list_one(const StoreSession *s, void *ctx)
{
    ListCtx *c = ctx;
    int64_t unexported = 0;
    if ((c->rc = store_count_unexported(c->st, s->id, &unexported, c->err)) != DB_OK)
        return 1;
    if (c->n++ == 0)
        printf("%4s  %-6s  %-10s  %-24s  %-16s  %9s  %10s  %15s\n", "id", "state", "date", "label",
               "survey", "held", "unexported", "awaiting ack");
    char survey[48];
    snprintf(survey, sizeof survey, "%s v%u", s->survey_id, s->survey_version);
    char count[32];
    if (s->expected > 0)
        snprintf(count, sizeof count, "%lld/%d", (long long)s->responses, s->expected);
    else
        snprintf(count, sizeof count, "%lld", (long long)s->responses);
    printf("%4lld  %-6s  %-10s  %-24s  %-16s  %9s  %10lld  %15lld\n", (long long)s->id,
           s->open ? "open" : "closed", s->date, s->label, survey, count, (long long)unexported,
           (long long)(s->responses - unexported));
    return 0;
}

typedef struct BatchList {
    int n;
    int64_t acked_responses;
} BatchList;

/* One line per exported batch: what it held and where it stands. */
static int list_batch(const StoreBatch *b, void *ctx)
{
    BatchList *l = ctx;
    if (l->n++ == 0)
        printf("batches:\n");
    printf("  batch %llu: %lld response%s, ", (unsigned long long)b->number,
           (long long)b->records, b->records == 1 ? "" : "s");
    if (b->acknowledged) {
        printf("acknowledged by the analyst (deleted from this kiosk)\n");
        l->acked_responses += b->records;
    } else if (b->written) {
        printf("exported, awaiting acknowledgement (%lld held)\n", (long long)b->held);
    } else {
        printf("export not finished (the next export writes it again)\n");
    }
    return 0;
}

static int session_list(const char *data)
{
    DbError err;
    Store *st = NULL;
    int rc = coord_open_data_dir(data, 0, &st, &err);
    ListCtx c = {st, 0, DB_OK, &err};
    if (rc == DB_OK)
        rc = store_session_foreach(st, list_one, &c, &err);
    if (rc == DB_OK)
        rc = c.rc;
    if (rc == DB_OK && c.n == 0)
        printf("no sessions yet\n");
    BatchList bl = {0, 0};
    if (rc == DB_OK)
        rc = store_batch_foreach(st, list_batch, &bl, &err);
    int64_t unexported = 0, unacked = 0;
    if (rc == DB_OK)
        rc = store_count_unexported(st, -1, &unexported, &err);
    if (rc == DB_OK)
        rc = store_count_unacknowledged(st, &unacked, &err);
    if (rc == DB_OK)
        printf("not yet exported: %lld responses; exported, awaiting acknowledgement: %lld; "
               "acknowledged and deleted: %lld\n",
               (long long)unexported, (long long)unacked, (long long)bl.acked_responses);
    store_close(st);
    return rc == DB_OK ? EXIT_OK : cli_fail(&err);
}

int cmd_session(int argc, char **argv)
{
    if (argc < 2) {
        session_usage(stderr);
        return EXIT_USAGE;
    }
    if (cli_is_help(argv[1])) {
        session_usage(stdout);
        return EXIT_OK;
    }
    const char *verb = argv[1];
    const char *data = NULL, *label = NULL, *date = NULL, *survey = NULL;
    long expected = 0;
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            session_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc) {
            label = argv[++i];
        } else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc) {
            date = argv[++i];
        } else if (strcmp(argv[i], "--survey") == 0 && i + 1 < argc) {
            survey = argv[++i];
        } else if (strcmp(argv[i], "--expected") == 0 && i + 1 < argc) {
            if (parse_int(argv[++i], 0, STORE_MAX_EXPECTED, &expected) != 0)
                return cli_error(EXIT_USAGE, "--expected must be a whole number from 0 to %d",
                                 STORE_MAX_EXPECTED);
        } else {
            fprintf(stderr, "debrief: error: unexpected argument '%s'\n\n", argv[i]);
            session_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!data)
        return cli_error(EXIT_USAGE, "session %s needs --data DIR", verb);
    if (strcmp(verb, "open") == 0) {
        if (!label || !date)
            return cli_error(EXIT_USAGE, "session open needs --label LABEL --date YYYY-MM-DD");
        return session_open(data, label, date, survey, (int)expected);
    }
    if (label || date || survey || expected)
        return cli_error(EXIT_USAGE, "session %s takes only --data DIR", verb);
    if (strcmp(verb, "close") == 0)
        return session_close(data);
    if (strcmp(verb, "list") == 0)
        return session_list(data);
    fprintf(stderr, "debrief: error: unknown session command '%s'\n\n", verb);
    session_usage(stderr);
    return EXIT_USAGE;
}
