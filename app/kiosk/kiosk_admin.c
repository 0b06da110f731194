/* kiosk_admin: the admin screen's operations, the coordinator PIN, the drive (see
 * kiosk_admin.h). */
#include "kiosk_admin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "coord.h"
#include "fsutil.h"
#include "kiosk_inputs.h"
#include "recipients.h"
#include "sd_notify.h"
#include "secmem.h"

/* ---- the PIN ---- */

int kiosk_pin_load(const char *data_dir, const char *config_hash, char out[PIN_HASH_MAX],
                   const char **where, DbError *err)
{
    memset(out, 0, PIN_HASH_MAX);
    *where = "";
    if (config_hash && config_hash[0]) {
        *where = "the configuration";
        int rc = pin_hash_check(config_hash, err);
        if (rc != DB_OK)
            return dberr_prefix(err, "pin_hash in the configuration");
        snprintf(out, PIN_HASH_MAX, "%s", config_hash);
        return DB_OK;
    }
    char path[PATH_MAX];
    int rc = fs_join(path, sizeof path, data_dir, KIOSK_PIN_FILE, err);
    if (rc != DB_OK)
        return rc;
    uint8_t *data = NULL;
    size_t len = 0;
    DbError e2;
    if ((rc = fs_check_file_private(path, "coordinator PIN", data_dir, err)) != DB_OK)
        return rc;
    rc = fs_read_file(path, 1024, 0, &data, &len, &e2);
    if (rc == DB_ENOENT)
        return dberr_set(err, DB_ENOENT, "no coordinator PIN set");
    if (rc != DB_OK)
        return dberr_set(err, rc, "%s", e2.msg);
    *where = KIOSK_PIN_FILE;
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
        data[--len] = '\0';
    rc = pin_hash_check((const char *)data, err);
    if (rc == DB_OK)
        snprintf(out, PIN_HASH_MAX, "%s", (const char *)data);
    else
        dberr_prefix(err, "%s", path);
    free(data);
    return rc;
}

int kiosk_pin_store(const char *data_dir, const char *hash, DbError *err)
{
    char path[PATH_MAX], line[PIN_HASH_MAX + 1];
    int rc = fs_mkdir_p(data_dir, 0700, err);
    if (rc == DB_OK)
        rc = fs_check_dir_private(data_dir, "data directory", err);
    if (rc == DB_OK)
        rc = fs_join(path, sizeof path, data_dir, KIOSK_PIN_FILE, err);
    if (rc != DB_OK)
        return rc;
    int n = snprintf(line, sizeof line, "%s\n", hash);
    return fs_write_atomic(path, line, (size_t)n, 0600, err);
}

/* Reads one line (without the newline) into buf (cap bytes); echo off when fd is a terminal.
 * Returns its length (cap if it was longer than buf), or -1 at end of input. */
static long read_secret_line(int fd, FILE *prompt_to, const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    int tty = isatty(fd) && tcgetattr(fd, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    fputs(prompt, prompt_to);
    fflush(prompt_to);
    size_t n = 0;
    int any = 0, overflow = 0;
    char c = 0;
    while (read(fd, &c, 1) == 1) {
        any = 1;
        if (c == '\n')
            break;
        if (n + 1 < cap)
            buf[n++] = c;
        else
            overflow = 1;
    }
    buf[n] = '\0';
    secmem_wipe(&c, sizeof c);
    if (tty)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (!any)
        return -1;
    return overflow ? (long)cap : (long)n;
}

/* Reads a PIN into a (cap bytes): the first line of pin_file, or from the terminal with echo
 * off after prompt, and when again is given a second time into b. *la / *lb receive the
 * lengths (*lb = *la from a file). Returns 0, or -1 after saying why on stderr. */
static int read_pin(const char *pin_file, const char *prompt, const char *again, char *a,
                    char *b, size_t cap, long *la, long *lb)
{
    DbError err;
    if (pin_file && pin_file[0]) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (fs_read_file(pin_file, 256, 1, &data, &len, &err) != DB_OK) {
            fprintf(stderr, "debrief-kiosk: error: %s\n", err.msg);
            return -1;
        }
        size_t n = 0;
        while (n < len && data[n] != '\n' && data[n] != '\r' && n + 1 < cap)
            n++;
        memcpy(a, data, n);
        a[n] = '\0';
        *la = (long)n;
        secmem_wipe(data, len);
        free(data);
        if (b)
            memcpy(b, a, cap);
        *lb = *la;
        return 0;
    }
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    FILE *out = NULL;
    if (fd >= 0)
        out = fdopen(dup(fd), "w");
    if (fd < 0 || !out) {
        if (fd >= 0)
            close(fd);
        fprintf(stderr, "debrief-kiosk: error: no terminal to read the PIN from "
                        "(use --pin-file FILE)\n");
        return -1;
    }
    *la = read_secret_line(fd, out, prompt, a, cap);
    *lb = *la;
    if (again)
        *lb = *la < 0 ? -1 : read_secret_line(fd, out, again, b, cap);
    fclose(out);
    close(fd);
    if (*la < 0 || *lb < 0) {
        fprintf(stderr, "debrief-kiosk: error: no PIN entered; nothing changed\n");
        return -1;
    }
    return 0;
}

int kiosk_set_pin_main(const char *data_dir, const char *pin_file, const char *config_hash,
                       const char *config_name)
{
    enum { CAP = 64 };
    char *a = secmem_alloc(CAP), *b = secmem_alloc(CAP);
    char hash[PIN_HASH_MAX];
    DbError err;
    int status = 1;
    if (!a || !b) {
        fprintf(stderr, "debrief-kiosk: error: out of memory\n");
        goto done;
    }
    long la, lb;
    if (read_pin(pin_file, "New coordinator PIN (6 to 12 digits): ", "The same PIN again: ", a,
                 b, CAP, &la, &lb) != 0)
        goto done;
    if (pin_check_new(a, (size_t)la, &err) != DB_OK) {
        fprintf(stderr, "debrief-kiosk: error: %s; nothing changed\n", err.msg);
        goto done;
    }
    if (la != lb || memcmp(a, b, (size_t)la) != 0) {
        fprintf(stderr, "debrief-kiosk: error: the two PINs differ; nothing changed\n");
        goto done;
    }
    if (pin_hash(a, (size_t)la, hash, &err) != DB_OK ||
        kiosk_pin_store(data_dir, hash, &err) != DB_OK) {
        fprintf(stderr, "debrief-kiosk: error: %s\n", err.msg);
        goto done;
    }
    fprintf(stderr, "debrief-kiosk: coordinator PIN set (%s/%s)\n", data_dir, KIOSK_PIN_FILE);
    if (config_hash && config_hash[0])
        fprintf(stderr,
                "debrief-kiosk: note: %s sets pin_hash, which takes precedence over %s; remove "
                "that line for the new PIN to count\n",
                config_name ? config_name : "the configuration", KIOSK_PIN_FILE);
    status = 0;
done:
    secmem_free(a);
    secmem_free(b);
    return status;
}

/* ---- the drive ---- */

static int is_mount_point(const char *dir)
{
    struct stat sd, sp;
    char parent[PATH_MAX];
    if (snprintf(parent, sizeof parent, "%s/..", dir) >= (int)sizeof parent)
        return 0;
    if (stat(dir, &sd) != 0 || stat(parent, &sp) != 0)
        return 0;
    return sd.st_dev != sp.st_dev || sd.st_ino == sp.st_ino;
}

static int read_only(const char *dir)
{
    struct statvfs sv;
    if (statvfs(dir, &sv) == 0 && (sv.f_flag & ST_RDONLY))
        return 1;
    return access(dir, W_OK) != 0;
}

/* need_write = 0 finds read-only drives too (acknowledgements are only read). */
static int find_drive(const AdminWords *aw, const char *configured, int need_write, char *out,
                      size_t cap, DbError *err)
{
    out[0] = '\0';
    if (configured && configured[0]) {
        struct stat sb;
        if (stat(configured, &sb) != 0 || !S_ISDIR(sb.st_mode))
            return dberr_set(err, DB_ENOENT, "%s%s%s", aw->no_drive_pre, configured,
                             aw->no_drive_post);
        if (need_write && read_only(configured))
            return dberr_set(err, DB_EIO, "%s%s%s", aw->drive_at, configured, aw->read_only);
        snprintf(out, cap, "%s", configured);
        return DB_OK;
    }
    const char *patterns[] = {KIOSK_DRIVE_DEFAULT, "/media/*/*", "/run/media/*/*"};
    char ro[PATH_MAX] = "";
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        glob_t g;
        memset(&g, 0, sizeof g);
        if (glob(patterns[i], GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) != 0) {
            globfree(&g);
            continue;
        }
        for (size_t j = 0; j < g.gl_pathc; j++) {
            const char *d = g.gl_pathv[j];
            struct stat sb;
            if (lstat(d, &sb) != 0 || !S_ISDIR(sb.st_mode) || !is_mount_point(d))
                continue;
            if (need_write && read_only(d)) {
                if (!ro[0])
                    snprintf(ro, sizeof ro, "%s", d);
                continue;
            }
            snprintf(out, cap, "%s", d);
            globfree(&g);
            return DB_OK;
        }
        globfree(&g);
    }
    if (ro[0])
        return dberr_set(err, DB_EIO, "%s%s%s", aw->drive_at, ro, aw->read_only);
    return dberr_set(err, DB_ENOENT, "%s" KIOSK_DRIVE_DEFAULT ", /media/*/*, /run/media/*/*%s",
                     aw->no_usb_pre, aw->no_usb_post);
}

int kiosk_admin_find_drive(const AdminWords *aw, const char *configured, char *out, size_t cap,
                           DbError *err)
{
    return find_drive(aw ? aw : kiosk_admin_words_for(NULL), configured, 1, out, cap, err);
}

/* The device mounted at dir, from /proc/self/mountinfo ("" if none). */
static void mount_source(const char *dir, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
        char mp[PATH_MAX], fstype[64], src[PATH_MAX];
        const char *sep = strstr(line, " - ");
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, dir) == 0 && sep &&
            sscanf(sep + 3, "%63s %4095s", fstype, src) == 2)
            snprintf(out, cap, "%s", src); /* the last mount there is the one seen */
    }
    fclose(f);
}

/* The label udev gave the device (/dev/disk/by-label, "\x20" escapes decoded), or "". */
static void device_label(const char *dev, char *out, size_t cap)
{
    out[0] = '\0';
    char real_dev[PATH_MAX];
    DIR *d = opendir("/dev/disk/by-label");
    if (!d || !realpath(dev, real_dev)) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        char link[PATH_MAX], target[PATH_MAX];
        if (e->d_name[0] == '.' ||
            snprintf(link, sizeof link, "/dev/disk/by-label/%s", e->d_name) >= (int)sizeof link ||
            !realpath(link, target) || strcmp(target, real_dev) != 0)
            continue;
        size_t n = 0;
        for (const char *c = e->d_name; *c && n + 1 < cap; c++) {
            unsigned v;
            if (c[0] == '\\' && c[1] == 'x' && sscanf(c + 2, "%2x", &v) == 1) {
                out[n++] = (char)v;
                c += 3;
            } else {
                out[n++] = *c;
            }
        }
        out[n] = '\0';
        break;
    }
    closedir(d);
}

void kiosk_admin_drive(const AdminWords *aw, const char *configured, int *present, char *name,
                       size_t cap, long long *free_bytes)
{
    char dir[PATH_MAX];
    DbError err;
    *present = find_drive(aw, configured, 0, dir, sizeof dir, &err) == DB_OK;
    name[0] = '\0';
    *free_bytes = -1;
    if (!*present)
        return;
    *free_bytes = fs_free_bytes(dir);
    if (configured && configured[0]) { /* its name only: the full path rarely fits */
        const char *slash = strrchr(dir, '/');
        snprintf(name, cap, "%s%s", aw->folder, slash && slash[1] ? slash + 1 : dir);
        return;
    }
    char src[PATH_MAX];
    mount_source(dir, src, sizeof src);
    if (src[0] == '/')
        device_label(src, name, cap);
    if (!name[0])
        snprintf(name, cap, "%s (%s)", aw->cap_stick, src[0] ? src : dir);
}

int kiosk_admin_release_drive(const AdminWords *aw, const char *dir, const char *request,
                              int timeout_ms, char *msg, size_t cap)
{
    if (!aw)
        aw = kiosk_admin_words_for(NULL);
    if (strcmp(dir, KIOSK_DRIVE_DEFAULT) != 0 || !is_mount_point(dir)) {
        snprintf(msg, cap, "%s%s%s", aw->unmount_pre, dir, aw->unmount_post);
        return 0;
    }
    int fd = open(request, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(msg, cap, "%s%s: %s%s%s%s", aw->stick_not_released_pre, request,
                 strerror(errno), aw->stick_not_released_mid, dir, aw->ask_it_post);
        return 0;
    }
    close(fd);
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        if (!is_mount_point(dir)) {
            snprintf(msg, cap, "%s", aw->stick_released);
            fprintf(stderr, "debrief-kiosk: the USB stick at %s is released: it can be removed\n",
                    dir);
            return 1;
        }
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    snprintf(msg, cap, "%s%s%s", aw->stick_in_use, dir, aw->ask_it_post);
    fprintf(stderr, "debrief-kiosk: the USB stick at %s was not released within %d s\n", dir,
            timeout_ms / 1000);
    return 0;
}

/* After an export or acknowledgement: a USB stick the package mounted is unmounted (the
 * coordinator is told when it can be removed); a configured directory is left alone. */
static void release_after(const KioskAdmin *a, const AdminWords *aw, const char *drive,
                          char *msg, size_t cap)
{
    if (a->export_dir && a->export_dir[0])
        return;
    char note[512];
    sd_notify_watchdog_extend(60);
    kiosk_admin_release_drive(aw, drive, KIOSK_DRIVE_EJECT, 15000, note, sizeof note);
    sd_notify_watchdog_restore();
    size_t n = strlen(msg);
    snprintf(msg + n, cap - n, "%s%s", n && msg[n - 1] != '\n' ? "\n" : "", note);
}

static void op_release_drive(void *ctx)
{
    KioskAdmin *a = ctx;
    char msg[512];
    if (!(a->export_dir && a->export_dir[0]) && is_mount_point(KIOSK_DRIVE_DEFAULT))
        kiosk_admin_release_drive(NULL, KIOSK_DRIVE_DEFAULT, KIOSK_DRIVE_EJECT, 15000, msg,
                                  sizeof msg); /* msg: nobody is looking any more */
}

/* "Console": the main loop sees SIGTERM as SDL's quit event and returns; main exits with
 * KIOSK_EXIT_CONSOLE, which the unit does not restart (it starts the console login). */
static void op_console(void *ctx)
{
    KioskAdmin *a = ctx;
    op_release_drive(ctx);
    a->console = 1;
    fprintf(stderr, "debrief-kiosk: the coordinator stopped the kiosk for IT staff (console)\n");
    raise(SIGTERM);
}

static void op_drive_status(void *ctx, const AdminWords *aw, KioskAdminStatus *st)
{
    KioskAdmin *a = ctx;
    kiosk_admin_drive(aw, a->export_dir, &st->drive, st->drive_name, sizeof st->drive_name,
                      &st->drive_free);
}

/* ---- the operations ---- */

/* DB_EIO "the store is not open" in aw's words (NULL: English) when the kiosk could not open
 * it (the reason is on the status screen and in the journal). */
static int need_store(const KioskAdmin *a, const AdminWords *aw, DbError *err)
{
    if (a->store)
        return DB_OK;
    if (!aw)
        aw = kiosk_admin_words_for(NULL);
    return dberr_set(err, DB_EIO, "%s%s", aw->db_closed,
                     a->out_of_service && a->out_of_service[0] ? a->out_of_service
                                                               : aw->see_journal);
}

static int latest_date(const StoreSession *s, void *ctx)
{
    char *latest = ctx;
    if (strcmp(s->date, latest) > 0)
        snprintf(latest, SESSION_DATE_LEN + 1, "%s", s->date);
    return 0;
}

void kiosk_admin_propose_date(const char *clock_date, const char *latest_session,
                              char out[SESSION_DATE_LEN + 1],
                              char doubtful[SESSION_DATE_LEN + 1])
{
    /* ISO dates compare as strings. */
    const char *floor = strcmp(latest_session, DEBRIEF_RELEASE_DATE) > 0 ? latest_session
                                                                         : DEBRIEF_RELEASE_DATE;
    int wrong = strcmp(clock_date, floor) < 0;
    snprintf(out, SESSION_DATE_LEN + 1, "%s", wrong ? floor : clock_date);
    snprintf(doubtful, SESSION_DATE_LEN + 1, "%s", wrong ? clock_date : "");
}

/* The clock's date, or, when that is earlier than a session already held or than this
 * version of Debrief (a Pi has no real-time clock), the latest of those. */
static void propose_date(Store *store, time_t now, char out[SESSION_DATE_LEN + 1],
                         char doubtful[SESSION_DATE_LEN + 1])
{
    char clock[SESSION_DATE_LEN + 1], latest[SESSION_DATE_LEN + 1] = "";
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(clock, sizeof clock, "%Y-%m-%d", &tm);
    if (store)
        (void)store_session_foreach(store, latest_date, latest, NULL);
    kiosk_admin_propose_date(clock, latest, out, doubtful);
}

/* ---- the analyst keys ---- */

static RcptSet configured(const KioskAdmin *a)
{
    RcptSet s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < a->n_rcpt && i < RCPT_MAX; i++)
        s.keys[s.n++] = a->rcpt[i];
    return s;
}

int kiosk_pin_recipients_main(const KioskArgs *args)
{
    enum { CAP = 64 };
    KeyPublic keys[KIOSK_MAX_RECIPIENTS];
    DbError err;
    Store *st = NULL;
    char *pin = NULL, hash[PIN_HASH_MAX];
    const char *where = NULL;
    int status = 1;
    if (kiosk_load_recipients(args, keys, &err) != DB_OK ||
        coord_open_data_dir(args->data, 1, &st, &err) != DB_OK) {
        fprintf(stderr, "debrief-kiosk: error: %s\n", err.msg);
        goto done;
    }
    KioskAdmin a = {.store = st, .data_dir = args->data, .rcpt = keys,
                    .n_rcpt = args->n_recipients, .export_dir = "", .out_of_service = ""};
    RcptSet cfg = configured(&a), pinned;
    int found = 0;
    if (rcpt_pinned(st, &pinned, &found, &err) != DB_OK) {
        fprintf(stderr, "debrief-kiosk: error: %s\n", err.msg);
        goto done;
    }
    char now[RCPT_MAX * 21], was[RCPT_MAX * 21];
    rcpt_describe(&cfg, now, sizeof now);
    if (found && rcpt_same(&pinned, &cfg)) {
        fprintf(stderr, "debrief-kiosk: the configured analyst keys are already pinned: %s\n",
                now);
        status = 0;
        goto done;
    }
    if (kiosk_pin_load(args->data, args->pin_hash, hash, &where, &err) != DB_OK) {
        fprintf(stderr,
                "debrief-kiosk: error: %s: the analyst keys change only with the coordinator "
                "PIN (set one with --set-pin); nothing changed\n",
                err.msg);
        goto done;
    }
    if (found)
        rcpt_describe(&pinned, was, sizeof was);
    fprintf(stderr,
            "debrief-kiosk: pinned analyst keys:     %s\n"
            "debrief-kiosk: configured analyst keys: %s\n"
            "debrief-kiosk: whoever holds one of these keys can read every answer: compare "
            "each fingerprint with the analyst's before you go on\n",
            found ? was : "none", now);
    long len = 0, unused = 0;
    if (!(pin = secmem_alloc(CAP)) ||
        read_pin(args->pin_file, "Coordinator PIN: ", NULL, pin, NULL, CAP, &len, &unused) != 0)
        goto done;
    if (pin_verify(hash, pin, (size_t)len) != 0) {
        fprintf(stderr, "debrief-kiosk: error: wrong coordinator PIN; nothing changed\n");
        goto done;
    }
    if (rcpt_pin(st, &cfg, "pinned by IT with --pin-recipients", &err) != DB_OK) {
        fprintf(stderr, "debrief-kiosk: error: %s; nothing changed\n", err.msg);
        goto done;
    }
    fprintf(stderr,
            "debrief-kiosk: analyst keys pinned: %s (logged; the admin screen shows the "
            "change; a running kiosk collects with them within a second)\n",
            now);
    status = 0;
done:
    secmem_free(pin);
    store_close(st);
    return status;
}

int kiosk_keys_check(KioskAdmin *a, DbError *why)
{
    if (!a->store || a->n_rcpt == 0)
        return DB_OK;
    RcptSet cfg = configured(a), pinned;
    RcptState state;
    int rc = rcpt_check(a->store, &cfg, &state, &pinned, why);
    if (rc != DB_OK)
        return dberr_prefix(why, "the pinned analyst keys cannot be read");
    char now[RCPT_MAX * 21], was[RCPT_MAX * 21];
    rcpt_describe(&cfg, now, sizeof now);
    if (state == RCPT_PINNED_NOW)
        fprintf(stderr,
                "debrief-kiosk: analyst keys pinned at the first start: %s (compare these "
                "fingerprints with the analyst's)\n",
                now);
    if (state != RCPT_CHANGED)
        return DB_OK;
    rcpt_describe(&pinned, was, sizeof was);
    return dberr_set(why, DB_ESTATE,
                     "the configured analyst keys (%s) are not the ones pinned on this kiosk "
                     "(%s); whoever holds a key reads every answer sealed to it. Compare the "
                     "fingerprints with the analyst's, then confirm them on the admin screen or "
                     "with debrief-kiosk --pin-recipients",
                     now, was);
}

/* The pinned keys on the status, and the configured ones when they differ. */
static void keys_status(KioskAdmin *a, const AdminWords *aw, KioskAdminStatus *st)
{
    RcptSet pinned, cfg = configured(a);
    int found = 0;
    DbError err;
    if (rcpt_pinned(a->store, &pinned, &found, &err) != DB_OK) {
        snprintf(st->problem, sizeof st->problem, "%s", err.msg);
        return;
    }
    if (!found)
        pinned = cfg;
    st->n_recipients = pinned.n < KIOSK_MAX_RCPT_FP ? pinned.n : KIOSK_MAX_RCPT_FP;
    for (int i = 0; i < st->n_recipients; i++)
        keys_public_fingerprint(&pinned.keys[i], st->recipient_fp[i]);
    if (found && !rcpt_same(&pinned, &cfg)) {
        st->n_unconfirmed = cfg.n < KIOSK_MAX_RCPT_FP ? cfg.n : KIOSK_MAX_RCPT_FP;
        for (int i = 0; i < st->n_unconfirmed; i++)
            keys_public_fingerprint(&cfg.keys[i], st->unconfirmed_fp[i]);
    }
    char log[RCPT_LOG_MAX + 1];
    if (rcpt_log(a->store, log, sizeof log, &err) == DB_OK && log[0]) {
        size_t n = strlen(log);
        if (log[n - 1] == '\n')
            log[--n] = '\0';
        const char *last = strrchr(log, '\n');
        snprintf(st->keys_change, sizeof st->keys_change, "%s %.300s", aw->res_keys,
                 last ? last + 1 : log);
    }
}

static int op_confirm_keys(void *ctx, const AdminWords *aw, char *msg, size_t cap)
{
    KioskAdmin *a = ctx;
    DbError err;
    RcptSet cfg = configured(a);
    char now[RCPT_MAX * 21];
    rcpt_describe(&cfg, now, sizeof now);
    int rc = need_store(a, aw, &err);
    if (rc == DB_OK)
        rc = rcpt_pin(a->store, &cfg, "confirmed by the coordinator on the admin screen", &err);
    if (rc != DB_OK) {
        snprintf(msg, cap, "%s%s", aw->keys_not_changed, err.msg);
        fprintf(stderr, "debrief-kiosk: the analyst keys were not changed: %s\n", err.msg);
        return rc;
    }
    snprintf(msg, cap, "%s%s%s", aw->keys_now, now, aw->keys_logged);
    fprintf(stderr, "debrief-kiosk: analyst keys confirmed by the coordinator on the admin "
                    "screen: %s\n",
            now);
    return DB_OK;
}

static void op_status(void *ctx, const AdminWords *aw, KioskAdminStatus *st)
{
    KioskAdmin *a = ctx;
    DbError err;
    StoreSession cur;
    int found = 0;
    int64_t n = 0;
    st->free_bytes = fs_free_bytes(a->data_dir);
    if (a->out_of_service && a->out_of_service[0])
        snprintf(st->problem, sizeof st->problem, "%s%s", aw->out_of_service, a->out_of_service);
    if (!a->store)
        return;
    if (store_session_current(a->store, &cur, &found, &err) != DB_OK) {
        snprintf(st->problem, sizeof st->problem, "%s", err.msg);
    } else if (found) {
        st->session_open = 1;
        snprintf(st->label, sizeof st->label, "%s", cur.label);
        snprintf(st->date, sizeof st->date, "%s", cur.date);
        st->expected = cur.expected;
        st->responses = cur.responses;
    }
    if (store_count_unexported(a->store, -1, &n, &err) == DB_OK)
        st->unexported = n;
    else
        snprintf(st->problem, sizeof st->problem, "%s", err.msg);
    if (store_count_unacknowledged(a->store, &n, &err) == DB_OK)
        st->unacknowledged = n;
    else
        snprintf(st->problem, sizeof st->problem, "%s", err.msg);
    propose_date(a->store, time(NULL), st->today, st->clock_date);
    KeyIdentity *id = NULL;
    if (coord_identity(a->data_dir, &id, st->kiosk_fp, &err) != DB_OK)
        snprintf(st->problem, sizeof st->problem, "%s", err.msg);
    keys_identity_free(id);
    keys_status(a, aw, st);
    op_drive_status(ctx, aw, st);
}

static int op_open(void *ctx, const char *label, const char *date, int expected, DbError *err)
{
    KioskAdmin *a = ctx;
    int64_t id;
    int rc = need_store(a, NULL, err);
    if (rc != DB_OK)
        return rc;
    rc = store_session_open(a->store, label, date, a->survey->id, a->survey->version, expected, &id,
                            err);
    if (rc == DB_OK)
        fprintf(stderr, "debrief-kiosk: coordinator opened session \"%s\" %s\n", label, date);
    else
        fprintf(stderr, "debrief-kiosk: the coordinator's session was not opened: %s\n", err->msg);
    return rc;
}

/* The longest a coordinator's operation may take before systemd's watchdog restarts the
 * kiosk: an export of 100,000 responses to a slow USB stick, not a hung loop. */
#define LONG_OP_SECONDS 1800

static int op_close(void *ctx, DbError *err)
{
    KioskAdmin *a = ctx;
    int rc = need_store(a, NULL, err);
    if (rc == DB_OK)
        rc = store_session_close(a->store, err);
    if (rc != DB_OK)
        return rc;
    fprintf(stderr, "debrief-kiosk: coordinator closed the session\n");
    /* The session is closed whatever happens here; a failed compaction is retried at the
     * next close or acknowledgement. */
    DbError cerr;
    sd_notify_watchdog_extend(LONG_OP_SECONDS);
    if (store_compact(a->store, &cerr) != DB_OK)
        fprintf(stderr, "debrief-kiosk: warning: the session is closed, but the database was "
                        "not compacted (its file may still follow the order of submission): "
                        "%s\n",
                cerr.msg);
    sd_notify_watchdog_restore();
    return DB_OK;
}

/* Appends printf-style text to msg (cap bytes), truncating quietly. */
__attribute__((format(printf, 3, 4))) static void add(char *msg, size_t cap, const char *fmt, ...)
{
    size_t n = strnlen(msg, cap);
    if (n + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, cap - n, fmt, ap);
    va_end(ap);
}

static int op_export(void *ctx, const AdminWords *aw, int force, char *msg, size_t cap,
                     int *held)
{
    KioskAdmin *a = ctx;
    DbError err;
    char drive[PATH_MAX];
    msg[0] = '\0';
    *held = 0;
    if (need_store(a, aw, &err) != DB_OK ||
        find_drive(aw, a->export_dir, 1, drive, sizeof drive, &err) != DB_OK) {
        add(msg, cap, "%s\n%s", err.msg, aw->nothing_exported);
        return err.code;
    }
    CoordExportOptions opt = {
        .store = a->store, .data_dir = a->data_dir, .out_dir = drive, .k = a->k, .force = force};
    CoordExportResult res;
    sd_notify_watchdog_extend(LONG_OP_SECONDS);
    int rc = coord_export(&opt, &res, &err);
    sd_notify_watchdog_restore();
    if (rc != DB_OK) {
        if (rc == DB_ENOSPC)
            add(msg, cap, "%s%s%s\n", aw->drive_at, drive, aw->is_full);
        add(msg, cap, "%s%s\n%s", aw->export_failed, err.msg, aw->not_reported);
        fprintf(stderr, "debrief-kiosk: export failed: %s\n", err.msg);
        coord_export_result_free(&res);
        release_after(a, aw, drive, msg, cap);
        return rc;
    }
    for (int i = 0; i < res.n_batches; i++) {
        const CoordBatchInfo *b = &res.batches[i];
        const char *base = strrchr(b->path, '/');
        char h[BATCH_SHORT_HASH_SIZE];
        batch_hash_short(b->hash, h);
        add(msg, cap,
            "%s%s%s%s%s\n%s%llu \xC2\xB7 %lld %s \xC2\xB7 %s%s \xC2\xB7 %s%s\n", aw->wrote_pre,
            base ? base + 1 : b->path, aw->wrote_mid, drive, b->resumed ? aw->resumed : "",
            aw->batch, (unsigned long long)b->number, (long long)b->n_records,
            kiosk_admin_one(aw, b->n_records) ? aw->response : aw->responses, aw->hash, h,
            aw->kiosk, res.kiosk_fp);
        fprintf(stderr, "debrief-kiosk: exported batch %llu (%lld responses) to %s\n",
                (unsigned long long)b->number, (long long)b->n_records, b->path);
    }
    if (res.n_batches > 0)
        add(msg, cap, "%s\n", aw->write_down);
    for (int i = 0; i < res.n_held && i < 6; i++)
        add(msg, cap, "%s%s%s%s%s%lld %s%s%d%s\n", aw->held_pre, res.held[i].label,
            aw->held_label_post, res.held[i].date, aw->held_has, (long long)res.held[i].count,
            kiosk_admin_one(aw, res.held[i].count) ? aw->response : aw->responses,
            aw->held_fewer, res.k, aw->held_rest);
    if (res.n_held > 6)
        add(msg, cap, "%s%d%s\n", aw->held_more_pre, res.n_held - 6,
            kiosk_admin_one(aw, res.n_held - 6) ? aw->held_more_one : aw->held_more_many);
    if (res.open_responses > 0)
        add(msg, cap, "%s%lld%s\n", aw->open_pre, (long long)res.open_responses,
            kiosk_admin_one(aw, res.open_responses) ? aw->open_one : aw->open_many);
    if (res.n_batches == 0)
        add(msg, cap, "%s\n", res.n_held > 0 ? aw->nothing_else_to_export : aw->nothing_to_export);
    *held = res.n_held;
    coord_export_result_free(&res);
    size_t n = strlen(msg);
    if (n && msg[n - 1] == '\n')
        msg[n - 1] = '\0';
    if (!*held || force) /* else "Export anyway" is offered: the stick stays */
        release_after(a, aw, drive, msg, cap);
    return DB_OK;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int op_ack(void *ctx, const AdminWords *aw, char *msg, size_t cap)
{
    KioskAdmin *a = ctx;
    DbError err;
    char drive[PATH_MAX];
    msg[0] = '\0';
    if (need_store(a, aw, &err) != DB_OK) {
        add(msg, cap, "%s\n%s", err.msg, aw->nothing_deleted);
        return err.code;
    }
    if (find_drive(aw, a->export_dir, 0, drive, sizeof drive, &err) != DB_OK) {
        add(msg, cap, "%s", err.msg);
        return err.code;
    }
    DIR *d = opendir(drive);
    if (!d) {
        add(msg, cap, "%s%s%s%s", aw->unreadable_pre, drive, aw->unreadable_post,
            strerror(errno));
        return DB_EIO;
    }
    char *names[KIOSK_ACK_MAX_FILES];
    int n = 0, skipped = 0, more = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".dba") != 0 || e->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        struct stat sb;
        if (fs_join(path, sizeof path, drive, e->d_name, NULL) != DB_OK || lstat(path, &sb) != 0 ||
            !S_ISREG(sb.st_mode)) {
            skipped++; /* symlinks, directories, devices: not read */
            continue;
        }
        if (n == KIOSK_ACK_MAX_FILES) {
            more++;
            continue;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    if (n == 0)
        add(msg, cap, "%s%s%s", aw->no_ack_pre, drive, aw->no_ack_post);
    int64_t total = 0;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX];
        CoordAckResult res;
        sd_notify_watchdog_extend(LONG_OP_SECONDS); /* the purge compacts the store */
        int applied =
            fs_join(path, sizeof path, drive, names[i], &err) == DB_OK &&
            coord_ack(a->store, a->data_dir, NULL, 0, path, &res, &err) == DB_OK;
        sd_notify_watchdog_restore();
        if (applied) {
            total += res.deleted;
            if (res.n_purged > 0)
                add(msg, cap, "%s%s%lld %s%s%d %s%s%s)", names[i], aw->del_pre,
                    (long long)res.deleted,
                    kiosk_admin_one(aw, res.deleted) ? aw->response : aw->responses, aw->del_mid,
                    res.n_purged, kiosk_admin_one(aw, res.n_purged) ? aw->batch_one
                                                                   : aw->batch_many,
                    aw->del_signed, res.analyst_fp);
            else
                add(msg, cap, "%s%s", names[i], aw->already_applied);
            if (res.n_already > 0 && res.n_purged > 0)
                add(msg, cap, " (%d%s", res.n_already,
                    kiosk_admin_one(aw, res.n_already) ? aw->done_one : aw->done_many);
            add(msg, cap, "\n");
            fprintf(stderr, "debrief-kiosk: acknowledgement %s applied: %lld responses deleted\n",
                    path, (long long)res.deleted);
            if (res.warning[0]) {
                add(msg, cap, "%s%s\n", aw->warning, res.warning);
                fprintf(stderr, "debrief-kiosk: warning: %s\n", res.warning);
            }
        } else {
            failed++;
            /* The message names the file by its full path: the name is already there. */
            const char *why = err.msg;
            size_t pl = strlen(path);
            if (strncmp(why, path, pl) == 0 && why[pl] == ':' && why[pl + 1] == ' ')
                why += pl + 2;
            add(msg, cap, "%s%s%s\n", names[i], aw->not_applied, why);
            fprintf(stderr, "debrief-kiosk: acknowledgement %s refused: %s\n", path, err.msg);
        }
        free(names[i]);
    }
    if (skipped)
        add(msg, cap, "%d%s\n", skipped,
            kiosk_admin_one(aw, skipped) ? aw->skipped_one : aw->skipped_many);
    if (more)
        add(msg, cap, "%d%s%d%s\n", more, kiosk_admin_one(aw, more) ? aw->more_one : aw->more_many,
            KIOSK_ACK_MAX_FILES, aw->at_most_post);
    if (n > 0)
        add(msg, cap, "%s%lld %s%s", aw->total_pre, (long long)total,
            kiosk_admin_one(aw, total) ? aw->response : aw->responses, aw->total_post);
    release_after(a, aw, drive, msg, cap);
    return failed ? DB_EAUTH : DB_OK;
}

/* The count of wrong PINs lives in the store (kiosk_meta "pin_fails", 4 bytes big-endian),
 * so a restart does not lift a lockout. */
static int op_pin_fails_load(void *ctx)
{
    KioskAdmin *a = ctx;
    uint8_t v[4];
    size_t len = 0;
    int found = 0;
    DbError err;
    if (!a->store)
        return 0; /* nowhere to keep it: the lockout runs in memory until the store opens */
    if (store_meta_get(a->store, "pin_fails", v, sizeof v, &len, &found, &err) != DB_OK) {
        fprintf(stderr, "debrief-kiosk: warning: cannot read the count of wrong PINs (the PIN "
                        "pad starts locked): %s\n",
                err.msg);
        return -1;
    }
    if (!found)
        return 0;
    if (len != 4) {
        fprintf(stderr, "debrief-kiosk: warning: the stored count of wrong PINs is damaged "
                        "(the PIN pad starts locked)\n");
        return -1;
    }
    uint32_t n = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
    return n > 1000 ? 1000 : (int)n;
}

static void op_pin_fails_save(void *ctx, int fails)
{
    KioskAdmin *a = ctx;
    uint32_t n = fails < 0 ? 0 : (uint32_t)fails;
    uint8_t v[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    DbError err;
    if (!a->store)
        ;
    else if (store_meta_set(a->store, "pin_fails", v, sizeof v, &err) != DB_OK)
        fprintf(stderr, "debrief-kiosk: warning: cannot save the count of wrong PINs: %s\n",
                err.msg);
    if (fails > 0)
        fprintf(stderr, "debrief-kiosk: wrong coordinator PIN (%d since the last right one)\n",
                fails);
}

void kiosk_admin_ops(KioskAdmin *a, KioskAdminOps *ops)
{
    memset(ops, 0, sizeof *ops);
    ops->ctx = a;
    ops->status = op_status;
    ops->open_session = op_open;
    ops->close_session = op_close;
    ops->export_batch = op_export;
    ops->apply_ack = op_ack;
    ops->drive_status = op_drive_status;
    ops->release_drive = op_release_drive;
    ops->console = op_console;
    ops->pin_fails_load = op_pin_fails_load;
    ops->pin_fails_save = op_pin_fails_save;
    ops->confirm_keys = op_confirm_keys;
}
