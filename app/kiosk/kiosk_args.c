/* kiosk_args: command line and configuration file (see kiosk_args.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "kiosk_args.h"

void kiosk_args_usage(FILE *out)
{
    fprintf(
        out,
        "usage: debrief-kiosk --survey FILE --data DIR --recipient PUBKEY [--recipient PUBKEY2]\n"
        "                     [--size WxH] [--fullscreen] [--rotate 0|90|180|270] [--lang CODE]\n"
        "                     [--idle-timeout SEC] [--script FILE] [--screenshot-dir DIR]\n"
        "                     [--font FILE] [--font-bold FILE] [--config FILE] [--selftest]\n"
        "                     [--export-dir DIR] [--min-responses K] [--commit-interval MS]\n"
        "                     [--help]\n"
        "       debrief-kiosk --set-pin (--data DIR | --config FILE) [--pin-file FILE]\n"
        "       debrief-kiosk --pin-recipients --config FILE [--pin-file FILE]\n"
        "       debrief-kiosk --render-survey FILE [--out DIR]\n\n"
        "The participant's touchscreen: shows the survey, seals each response to the\n"
        "recipients' public keys and stores it durably in DIR/debrief.db.\n\n"
        "  --survey FILE        survey definition (JSON, see docs/SURVEY_FORMAT.md)\n"
        "  --data DIR           data directory holding the response store\n"
        "  --recipient PUBKEY   analyst public key file (up to 4; e.g. primary and escrow)\n"
        "  --size WxH           window size in pixels (default 800x480)\n"
        "  --fullscreen         fill the screen (the console kiosk)\n"
        "  --rotate DEG         rotate the picture and touch input clockwise (KMSDRM cannot)\n"
        "  --lang CODE          starting language (participants can switch)\n"
        "  --idle-timeout SEC   ask \"Are you still there?\" after SEC idle seconds (default 90)\n"
        "  --script FILE        replay scripted taps and keys (tests, demos; docs/KIOSK.md)\n"
        "  --screenshot-dir DIR where a script's relative screenshot names go (default: the\n"
        "                       script's directory)\n"
        "  --font FILE, --font-bold FILE  TrueType fonts (default DejaVu Sans)\n"
        "  --config FILE        read these settings from a file (key = value)\n"
        "  --selftest           check the settings (survey, keys, data directory, fonts) and\n"
        "                       exit: 0 if the kiosk could start, 1 with the reason if not\n"
        "  --export-dir DIR     where the admin screen's Export writes (default: a mounted\n"
        "                       drive at /media/debrief, /media/*/* or /run/media/*/*)\n"
        "  --min-responses K    sessions with fewer responses are held back at export (5)\n"
        "  --commit-interval MS while a session is open, write at this steady cadence: a\n"
        "                       response waits for the next tick, other ticks write random\n"
        "                       bytes alike (default 2000, or 0 with --script; 0 writes\n"
        "                       at once and hides nothing: for tests and demos)\n"
        "  --set-pin            read a new coordinator PIN (6 to 12 digits, not a date, run,\n"
        "                       repeat or keypad line) twice from the terminal and store its\n"
        "                       hash in DIR/admin-pin; the admin screen opens with a\n"
        "                       3-second press on the top-left corner\n"
        "  --pin-recipients     pin the configured analyst keys in place of the ones pinned\n"
        "                       at the first start (shows both, asks for the coordinator PIN)\n"
        "  --pin-file FILE      with --set-pin or --pin-recipients: read the PIN from FILE\n"
        "  --render-survey FILE lay out every screen of the survey at every reference size\n"
        "                       and language and report what does not fit (exit 1 if\n"
        "                       anything); what `debrief survey check` runs\n"
        "  --out DIR            with --render-survey: also draw every screen as a PNG in DIR,\n"
        "                       with DIR/index.html showing them all (`debrief survey preview`)\n\n"
        "With no survey, data or recipient, runs a demo: the bundled survey, a demo key pair\n"
        "and a scratch data directory. With no display, runs the demo headless.\n");
}

int kiosk_args_demo(const KioskArgs *a)
{
    return !a->survey[0] && !a->data[0] && a->n_recipients == 0;
}

static int set_path(char *dst, const char *v, const char *where, const char *key, DbError *err)
{
    if (!v[0] || strlen(v) >= KIOSK_PATH_MAX)
        return dberr_set(err, DB_EINVAL, "%s: %s needs a path", where, key);
    snprintf(dst, KIOSK_PATH_MAX, "%s", v);
    return DB_OK;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

static int parse_size(const char *v, int *w, int *h)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%s", v);
    char *x = strchr(buf, 'x');
    if (!x)
        return -1;
    *x = '\0';
    long lw, lh;
    if (parse_int(buf, 100, 8192, &lw) || parse_int(x + 1, 100, 8192, &lh))
        return -1;
    *w = (int)lw;
    *h = (int)lh;
    return 0;
}

/* One setting from either source; where is "--size" or "kiosk.conf:3: size". */
static int apply(KioskArgs *a, const char *key, const char *v, const char *where, int *rcpt_reset,
                 DbError *err)
{
    long n;
    if (strcmp(key, "survey") == 0)
        return set_path(a->survey, v, where, key, err);
    if (strcmp(key, "data") == 0)
        return set_path(a->data, v, where, key, err);
    if (strcmp(key, "recipient") == 0) {
        if (rcpt_reset && *rcpt_reset) { /* the command line replaces the file's list */
            a->n_recipients = 0;
            *rcpt_reset = 0;
        }
        if (a->n_recipients >= KIOSK_MAX_RECIPIENTS)
            return dberr_set(err, DB_EINVAL, "%s: at most %d recipients", where,
                             KIOSK_MAX_RECIPIENTS);
        return set_path(a->recipients[a->n_recipients++], v, where, key, err);
    }
    if (strcmp(key, "size") == 0) {
        if (parse_size(v, &a->w, &a->h))
            return dberr_set(err, DB_EINVAL, "%s: size must be WxH, e.g. 800x480", where);
        return DB_OK;
    }
    if (strcmp(key, "fullscreen") == 0) {
        if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
            a->fullscreen = 1;
        else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
            a->fullscreen = 0;
        else
            return dberr_set(err, DB_EINVAL, "%s: fullscreen must be yes or no", where);
        return DB_OK;
    }
    if (strcmp(key, "rotate") == 0) {
        if (parse_int(v, 0, 270, &n) || n % 90)
            return dberr_set(err, DB_EINVAL, "%s: rotate must be 0, 90, 180 or 270", where);
        a->rotation = (int)n;
        return DB_OK;
    }
    if (strcmp(key, "lang") == 0) {
        if (!v[0] || strlen(v) >= sizeof a->lang)
            return dberr_set(err, DB_EINVAL, "%s: lang needs a language code", where);
        snprintf(a->lang, sizeof a->lang, "%s", v);
        return DB_OK;
    }
    if (strcmp(key, "idle_timeout") == 0 || strcmp(key, "idle-timeout") == 0) {
        if (parse_int(v, 10, 3600, &n))
            return dberr_set(err, DB_EINVAL, "%s: idle timeout must be 10..3600 seconds", where);
        a->idle_timeout_s = (int)n;
        return DB_OK;
    }
    if (strcmp(key, "script") == 0)
        return set_path(a->script, v, where, key, err);
    if (strcmp(key, "screenshot-dir") == 0 || strcmp(key, "screenshot_dir") == 0)
        return set_path(a->shots, v, where, key, err);
    if (strcmp(key, "font") == 0)
        return set_path(a->font, v, where, key, err);
    if (strcmp(key, "pin_hash") == 0) {
        DbError e2;
        if (pin_hash_check(v, &e2) != DB_OK)
            return dberr_set(err, DB_EINVAL, "%s: %s", where, e2.msg);
        snprintf(a->pin_hash, sizeof a->pin_hash, "%s", v);
        return DB_OK;
    }
    if (strcmp(key, "export_dir") == 0 || strcmp(key, "export-dir") == 0)
        return set_path(a->export_dir, v, where, key, err);
    if (strcmp(key, "min_responses") == 0 || strcmp(key, "min-responses") == 0) {
        if (parse_int(v, 1, 1000, &n))
            return dberr_set(err, DB_EINVAL, "%s: min_responses must be 1..1000", where);
        a->min_responses = (int)n;
        return DB_OK;
    }
    if (strcmp(key, "commit_interval") == 0 || strcmp(key, "commit-interval") == 0) {
        if (parse_int(v, 0, 10000, &n))
            return dberr_set(err, DB_EINVAL, "%s: commit_interval must be 0..10000 ms", where);
        a->commit_interval_ms = (int)n;
        return DB_OK;
    }
    if (strcmp(key, "panel_mm") == 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%s", v);
        char *x = strchr(buf, 'x');
        long pw, ph;
        if (x)
            *x = '\0';
        if (!x || parse_int(buf, 20, 3000, &pw) || parse_int(x + 1, 20, 3000, &ph))
            return dberr_set(err, DB_EINVAL,
                             "%s: panel_mm must be WxH in millimetres (20..3000), e.g. 155x87",
                             where);
        a->panel_w_mm = (int)pw;
        a->panel_h_mm = (int)ph;
        return DB_OK;
    }
    if (strcmp(key, "tap_guard_ms") == 0 || strcmp(key, "double_tap_ms") == 0) {
        if (parse_int(v, 0, 2000, &n))
            return dberr_set(err, DB_EINVAL, "%s: %s must be 0..2000 milliseconds", where, key);
        *(key[0] == 't' ? &a->tap_guard_ms : &a->double_tap_ms) = (int)n;
        return DB_OK;
    }
    if (strcmp(key, "pin-file") == 0)
        return set_path(a->pin_file, v, where, key, err);
    if (strcmp(key, "render-survey") == 0)
        return set_path(a->render_survey, v, where, key, err);
    if (strcmp(key, "out") == 0)
        return set_path(a->out_dir, v, where, key, err);
    if (strcmp(key, "font_bold") == 0 || strcmp(key, "font-bold") == 0)
        return set_path(a->font_bold, v, where, key, err);
    return dberr_set(err, DB_EINVAL, "%s: unknown setting \"%.40s\"", where, key);
}

int kiosk_args_apply_config(KioskArgs *a, const char *name, const char *text, size_t len,
                            DbError *err)
{
    const char *p = text, *end = text + len;
    int line = 0;
    while (p < end) {
        line++;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        char buf[KIOSK_PATH_MAX + 64];
        size_t n = (size_t)(eol - p);
        if (n >= sizeof buf)
            return dberr_set(err, DB_EINVAL, "%s:%d: line too long", name, line);
        memcpy(buf, p, n);
        buf[n] = '\0';
        p = eol < end ? eol + 1 : end;
        char *s = buf;
        while (*s == ' ' || *s == '\t')
            s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            *--e = '\0';
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq)
            return dberr_set(err, DB_EINVAL, "%s:%d: expected \"key = value\"", name, line);
        char *k = s, *ke = eq;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
            ke--;
        *ke = '\0';
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        char where[300];
        snprintf(where, sizeof where, "%s:%d", name, line);
        int rc = apply(a, k, v, where, NULL, err);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

/* Options that take a value, and their setting names. */
static const struct {
    const char *opt, *key;
} valued[] = {
    {"--survey", "survey"},
    {"--data", "data"},
    {"--recipient", "recipient"},
    {"--size", "size"},
    {"--rotate", "rotate"},
    {"--lang", "lang"},
    {"--idle-timeout", "idle_timeout"},
    {"--script", "script"},
    {"--font", "font"},
    {"--font-bold", "font_bold"},
    {"--screenshot-dir", "screenshot_dir"},
    {"--export-dir", "export_dir"},
    {"--min-responses", "min_responses"},
    {"--commit-interval", "commit_interval"},
    {"--pin-file", "pin-file"},
    {"--render-survey", "render-survey"},
    {"--out", "out"},
};

/* Reads and applies the --config file a->config; on failure err names the file (and line). */
static int apply_config_file(KioskArgs *a, DbError *err)
{
    uint8_t *data;
    size_t len;
    /* Root and this user only: the file's own data = cannot vouch for it. */
    int rc = fs_check_file_private(a->config, "configuration", NULL, err);
    if (rc == DB_OK)
        rc = fs_read_file(a->config, KIOSK_CONFIG_MAX_BYTES, 1, &data, &len, err);
    if (rc != DB_OK)
        return DB_EINVAL;
    rc = kiosk_args_apply_config(a, a->config, (const char *)data, len, err);
    free(data);
    return rc;
}

int kiosk_args_parse(int argc, char **argv, KioskArgs *a, DbError *err)
{
    memset(a, 0, sizeof *a);
    a->commit_interval_ms = -1;
    a->tap_guard_ms = a->double_tap_ms = -1;
    /* The configuration file first, so that the command line wins. A fault in the file is
     * kept while the command line is read (its own errors come first: they are the typist's). */
    DbError cfg_err = {DB_OK, ""};
    int cfg_failed = 0; /* a->config_failed only once the command line proved fine */
    for (int i = 1; i < argc && !cfg_failed; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc)
                return dberr_set(err, DB_EINVAL, "--config needs a file");
            if (set_path(a->config, argv[i + 1], "--config", "config", err) != DB_OK)
                return DB_EINVAL;
            if (apply_config_file(a, &cfg_err) != DB_OK)
                cfg_failed = 1;
            i++;
        }
    }
    int rcpt_reset = a->n_recipients > 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            a->help = 1;
            continue;
        }
        if (strcmp(o, "--selftest") == 0) {
            a->selftest = 1;
            continue;
        }
        if (strcmp(o, "--set-pin") == 0) {
            a->set_pin = 1;
            continue;
        }
        if (strcmp(o, "--pin-recipients") == 0) {
            a->pin_recipients = 1;
            continue;
        }
        if (strcmp(o, "--fullscreen") == 0) {
            a->fullscreen = 1;
            continue;
        }
        if (strcmp(o, "--config") == 0) {
            i++;
            continue;
        }
        size_t j = 0;
        for (; j < sizeof valued / sizeof valued[0]; j++)
            if (strcmp(o, valued[j].opt) == 0)
                break;
        if (j == sizeof valued / sizeof valued[0])
            return dberr_set(err, DB_EINVAL, "unknown option '%.60s'", o);
        if (i + 1 >= argc)
            return dberr_set(err, DB_EINVAL, "%s needs a value", o);
        int rc = apply(a, valued[j].key, argv[++i], o, &rcpt_reset, err);
        if (rc != DB_OK)
            return rc;
    }
    if (cfg_failed) {
        a->config_failed = 1;
        *err = cfg_err;
        return DB_EINVAL;
    }
    if (a->commit_interval_ms < 0) /* scripts (tests, the demo) write at once by default */
        a->commit_interval_ms = a->script[0] ? 0 : KIOSK_COMMIT_INTERVAL_DEFAULT_MS;
    if (a->set_pin) {
        if (!a->data[0])
            return dberr_set(err, DB_EINVAL,
                             "--set-pin needs the data directory (--data DIR, or --config FILE "
                             "with data = DIR)");
        return DB_OK;
    }
    if (a->pin_recipients) {
        if (!a->data[0] || !a->n_recipients)
            return dberr_set(err, DB_EINVAL,
                             "--pin-recipients needs the data directory and the analyst keys "
                             "(--config FILE, or --data DIR and --recipient PUBKEY)");
        return DB_OK;
    }
    if (a->pin_file[0])
        return dberr_set(err, DB_EINVAL, "--pin-file goes with --set-pin or --pin-recipients");
    if (a->out_dir[0] && !a->render_survey[0])
        return dberr_set(err, DB_EINVAL, "--out goes with --render-survey");
    if (a->render_survey[0])
        return DB_OK;
    if (!a->help && !kiosk_args_demo(a) && (!a->survey[0] || !a->data[0] || !a->n_recipients)) {
        if (a->config[0]) { /* most likely a line missing from the file */
            a->config_failed = 1;
            return dberr_set(err, DB_EINVAL,
                             "%s: survey, data and recipient go together (a line is missing, "
                             "or give them on the command line)",
                             a->config);
        }
        return dberr_set(err, DB_EINVAL,
                         "--survey, --data and --recipient go together (or give none of them "
                         "for the demo)");
    }
    return DB_OK;
}
