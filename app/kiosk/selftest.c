/* selftest: see selftest.h. */
#include "selftest.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coord.h"
#include "fsutil.h"
#include "keys.h"
#include "kiosk_admin.h"
#include "kiosk_inputs.h"
#include "recipients.h"
#include "platform.h"
#include "store.h"
#include "survey.h"

typedef struct Checklist {
    FILE *out;
    int failed, warned;
} Checklist;

/* One line of the checklist; verdict is "ok", "WARN" or "FAIL". */
static void report(Checklist *c, const char *verdict, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(Checklist *c, const char *verdict, const char *what, const char *fmt, ...)
{
    char line[DBERR_MSG_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(c->out, "%-4s  %-10s %s\n", verdict, what, line);
    if (strcmp(verdict, "FAIL") == 0) {
        c->failed++;
        fprintf(stderr, "debrief-kiosk: error: %s: %s\n", what, line);
    } else if (strcmp(verdict, "WARN") == 0) {
        c->warned++;
    }
}

static void check_survey(Checklist *c, const KioskArgs *a)
{
    Survey *s = NULL;
    DbError err;
    if (fs_check_file_private(a->survey, "survey", a->data, &err) != DB_OK ||
        survey_load_file(a->survey, &s, &err) != DB_OK) {
        report(c, "FAIL", "survey", "%s", err.msg);
        return;
    }
    report(c, "ok", "survey", "%s (\"%s\" version %u, %d questions, %d language%s)", a->survey,
           s->id, (unsigned)s->version, s->n_questions, s->n_langs, s->n_langs == 1 ? "" : "s");
    survey_free(s);
}

static void check_recipients(Checklist *c, const KioskArgs *a)
{
    if (a->n_recipients == 0)
        report(c, "FAIL", "recipient", "no analyst public key configured (recipient = FILE)");
    for (int i = 0; i < a->n_recipients; i++) {
        KeyPublic pub;
        DbError err;
        if (fs_check_file_private(a->recipients[i], "recipient key", a->data, &err) != DB_OK ||
            keys_public_read(a->recipients[i], &pub, &err) != DB_OK) {
            report(c, "FAIL", "recipient", "%s", err.msg);
            continue;
        }
        char fp[KEY_FINGERPRINT_SIZE];
        keys_public_fingerprint(&pub, fp);
        report(c, "ok", "recipient", "%s  fingerprint %s (compare with the analyst's)",
               a->recipients[i], fp);
    }
}

/* The configured analyst keys against those pinned in the store (changes nothing: the
 * kiosk pins at its first start). */
static void check_pinned_keys(Checklist *c, const KioskArgs *a, Store *st)
{
    KeyPublic keys[KIOSK_MAX_RECIPIENTS];
    RcptSet cfg = {0, {{{0}, {0}}}}, pinned;
    DbError err;
    int found = 0;
    if (a->n_recipients == 0 || kiosk_load_recipients(a, keys, &err) != DB_OK)
        return; /* the recipient lines said why */
    for (int i = 0; i < a->n_recipients && i < RCPT_MAX; i++)
        cfg.keys[cfg.n++] = keys[i];
    char now[RCPT_MAX * 21], was[RCPT_MAX * 21];
    rcpt_describe(&cfg, now, sizeof now);
    if (rcpt_pinned(st, &pinned, &found, &err) != DB_OK)
        report(c, "FAIL", "keys", "%s", err.msg);
    else if (!found)
        report(c, "ok", "keys", "none pinned yet: the kiosk pins %s at its first start", now);
    else if (rcpt_same(&pinned, &cfg))
        report(c, "ok", "keys", "the configured analyst keys are the ones pinned on this kiosk");
    else {
        rcpt_describe(&pinned, was, sizeof was);
        report(c, "FAIL", "keys",
               "the configured analyst keys (%s) are not the ones pinned on this kiosk (%s): it "
               "will not collect until the coordinator confirms them (admin screen) or IT runs "
               "debrief-kiosk --pin-recipients",
               now, was);
    }
}

/* The store opens (schema migrated), a file can be created next to it, and there is room. */
static void check_data(Checklist *c, const KioskArgs *a)
{
    DbError err;
    Store *st = NULL;
    if (coord_open_data_dir(a->data, 1, &st, &err) != DB_OK) {
        report(c, "FAIL", "data", "%s", err.msg);
        return;
    }
    check_pinned_keys(c, a, st);
    char probe[KIOSK_PATH_MAX + 32];
    int writable = fs_join(probe, sizeof probe, a->data, ".selftest-probe", &err) == DB_OK &&
                   fs_write_atomic(probe, "", 0, 0600, &err) == DB_OK;
    if (writable)
        unlink(probe);
    StoreSession cur;
    int found = 0;
    int session_ok = store_session_current(st, &cur, &found, &err) == DB_OK;
    store_close(st);
    if (!writable || !session_ok) {
        report(c, "FAIL", "data", "%s", err.msg);
        return;
    }
    long long free_bytes = fs_free_bytes(a->data);
    /* A session opened for another survey collects nothing (the kiosk refuses to store
     * records its session's survey does not fit: they could not be imported). */
    Survey *sv = NULL;
    if (found && survey_load_file(a->survey, &sv, NULL) == DB_OK &&
        (strcmp(sv->id, cur.survey_id) != 0 || sv->version != cur.survey_version))
        report(c, "FAIL", "session",
               "the open session \"%s\" is for survey %s v%u, but the kiosk runs %s v%u: it "
               "collects nothing; close it and open one for this survey",
               cur.label, cur.survey_id, cur.survey_version, sv->id, sv->version);
    survey_free(sv);
    char session[160];
    if (found)
        snprintf(session, sizeof session, "session \"%s\" %s open, %lld responses", cur.label,
                 cur.date, (long long)cur.responses);
    else
        snprintf(session, sizeof session, "no session open: the kiosk says it is not collecting");
    char fs[PATH_MAX + 600];
    int vol = selftest_volatile_check("/proc/self/mountinfo", a->data, fs, sizeof fs);
    if (vol == 1) {
        report(c, "FAIL", "data", "%s", fs);
        return;
    }
    report(c, "ok", "data", "%s (%s, writable, %lld MB free; %s)", a->data,
           vol == 0 ? fs : "file system unknown", free_bytes / 1000000, session);
    if (free_bytes >= 0 && free_bytes < SELFTEST_LOW_SPACE_BYTES)
        report(c, "WARN", "space", "only %lld MB free in %s: export and apply acknowledgements",
               free_bytes / 1000000, a->data);
}

/* mountinfo's escapes (\040 for a space, \011, \012, \134) decoded in place. */
static void unescape(char *s)
{
    char *o = s;
    for (char *i = s; *i; i++) {
        if (i[0] == '\\' && i[1] >= '0' && i[1] <= '3' && i[2] >= '0' && i[2] <= '7' &&
            i[3] >= '0' && i[3] <= '7') {
            *o++ = (char)((i[1] - '0') * 64 + (i[2] - '0') * 8 + (i[3] - '0'));
            i += 3;
        } else {
            *o++ = *i;
        }
    }
    *o = '\0';
}

/* Whether mount point mp holds path (a prefix ending at a path component). */
static int holds(const char *mp, const char *path)
{
    size_t n = strlen(mp);
    if (strcmp(mp, "/") == 0)
        return path[0] == '/';
    return strncmp(mp, path, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int selftest_volatile_check(const char *mountinfo, const char *dir, char *msg, size_t cap)
{
    char real[PATH_MAX];
    if (!realpath(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    FILE *f = fopen(mountinfo, "r");
    if (!f) {
        snprintf(msg, cap, "cannot read %s", mountinfo);
        return -1;
    }
    char line[4096], best_mp[PATH_MAX] = "", best_type[64] = "", best_src[PATH_MAX] = "";
    size_t best = 0;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
        char mp[PATH_MAX], type[64], src[PATH_MAX];
        const char *sep = strstr(line, " - ");
        if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
            sscanf(sep + 3, "%63s %4095s", type, src) != 2)
            continue;
        unescape(mp);
        unescape(src);
        /* The longest mount point that holds dir; of equal ones the last (mounted on top). */
        if (holds(mp, real) && strlen(mp) >= best) {
            best = strlen(mp);
            found = 1;
            snprintf(best_mp, sizeof best_mp, "%s", mp);
            snprintf(best_type, sizeof best_type, "%s", type);
            snprintf(best_src, sizeof best_src, "%s", src);
        }
    }
    fclose(f);
    if (!found) {
        snprintf(msg, cap, "no mount holds %s in %s", real, mountinfo);
        return -1;
    }
    const char *why = NULL;
    if (strcmp(best_type, "tmpfs") == 0 || strcmp(best_type, "ramfs") == 0)
        why = "memory";
    else if (strcmp(best_type, "overlay") == 0)
        why = "an overlay, whose writes a read-only root keeps in memory";
    else if (strncmp(best_src, "/dev/zram", 9) == 0)
        why = "a compressed RAM disk";
    if (why) {
        snprintf(msg, cap,
                 "%s is on %s (%s, mounted at %s): every response would be lost at power-off. "
                 "Keep the data directory on a real partition (DEPLOY.md, \"Read-only root\")",
                 real, best_type, why, best_mp);
        return 1;
    }
    snprintf(msg, cap, "%s on %s", best_type, best_mp);
    return 0;
}

static void check_fonts_and_display(Checklist *c, const KioskArgs *a)
{
    const char *regular = a->font[0] ? a->font : KIOSK_FONT_REGULAR;
    const char *bold = a->font_bold[0] ? a->font_bold : KIOSK_FONT_BOLD;
    KFonts *fonts = NULL;
    DbError err;
    if (kfonts_open(regular, bold, &fonts, &err) != DB_OK) {
        report(c, "FAIL", "fonts", "%s", err.msg);
        report(c, "FAIL", "display", "not checked: it needs the fonts");
        return;
    }
    report(c, "ok", "fonts", "%s, %s", regular, bold);
    PlatformConfig pc = {a->w, a->h, a->fullscreen, a->rotation, 0, "Debrief selftest"};
    Platform *plat = NULL;
    int pstatus = PLATFORM_OK;
    if (platform_open(&pc, fonts, &plat, &pstatus, &err) != DB_OK) {
        report(c, "FAIL", "display", "%s", err.msg);
    } else if (pstatus == PLATFORM_NO_DISPLAY) {
        report(c, "FAIL", "display",
               "no screen: SDL picked the '%s' driver (on the console set "
               "SDL_VIDEODRIVER=kmsdrm and run as a member of video, render and input)",
               platform_driver(plat));
    } else {
        int w, h;
        platform_physical_size(plat, &w, &h);
        const char *driver = platform_driver(plat);
        int headless = strcmp(driver, "dummy") == 0 || strcmp(driver, "offscreen") == 0;
        const char *note = platform_renderer_note(plat);
        report(c, "ok", "display", "video driver '%s', renderer '%s', %dx%d%s%s%s", driver,
               platform_renderer(plat), w, h,
               headless ? " (headless, as SDL_VIDEODRIVER asked)" : "",
               note[0] ? "; not used: " : "", note);
    }
    platform_close(plat);
    kfonts_close(fonts);
}

static void check_pin(Checklist *c, const KioskArgs *a)
{
    char hash[PIN_HASH_MAX];
    const char *where = NULL;
    DbError err;
    int rc = kiosk_pin_load(a->data, a->pin_hash, hash, &where, &err);
    if (rc == DB_OK && !pin_hash_current(hash))
        report(c, "WARN", "admin",
               "coordinator PIN set (%s) by Debrief before 0.3, which allowed 4-digit PINs and "
               "hashed them with half the memory: set a new one (debrief-kiosk --set-pin)",
               where);
    else if (rc == DB_OK)
        report(c, "ok", "admin", "coordinator PIN set (%s)", where);
    else if (rc == DB_ENOENT)
        report(c, "WARN", "admin",
               "no coordinator PIN set: the admin screen cannot be opened "
               "(debrief-kiosk --set-pin)");
    else
        report(c, "WARN", "admin", "the coordinator PIN is unusable: %s", err.msg);
}

/* Active swap space in kB from a /proc/swaps (0 if none or unreadable). */
static long long swap_kb(const char *proc_swaps)
{
    FILE *f = fopen(proc_swaps, "r");
    if (!f)
        return 0;
    char line[512];
    long long total = 0;
    /* The first line names the columns: its "Size" does not scan as a number. */
    while (fgets(line, sizeof line, f)) {
        char name[256], type[32];
        long long size = 0;
        if (sscanf(line, "%255s %31s %lld", name, type, &size) == 3 && size > 0)
            total += size;
    }
    fclose(f);
    return total;
}

/* Whether this process's cgroup v2, or one above it, forbids swap (memory.swap.max "0"). */
static int cgroup_swap_off(const char *proc_cgroup, const char *cgroup_root)
{
    FILE *f = fopen(proc_cgroup, "r");
    if (!f)
        return 0;
    char line[1024], path[1024] = "";
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "0::", 3) == 0) { /* the unified (v2) hierarchy */
            snprintf(path, sizeof path, "%s", line + 3);
            path[strcspn(path, "\n")] = '\0';
        }
    fclose(f);
    if (!path[0] || strstr(path, ".."))
        return 0;
    for (;;) {
        char file[2200];
        snprintf(file, sizeof file, "%s%s/memory.swap.max", cgroup_root, path);
        f = fopen(file, "r");
        if (f) {
            char value[32] = "";
            int off = fgets(value, sizeof value, f) && strcmp(value, "0\n") == 0;
            fclose(f);
            if (off)
                return 1;
        }
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            return 0; /* the root cgroup has no memory.swap.max */
        *slash = '\0';
    }
}

int selftest_swap_check(const char *proc_swaps, const char *proc_cgroup,
                        const char *cgroup_root, char *msg, size_t cap)
{
    long long kb = swap_kb(proc_swaps);
    if (kb == 0) {
        snprintf(msg, cap, "no swap space is active");
        return 0;
    }
    if (cgroup_swap_off(proc_cgroup, cgroup_root)) {
        snprintf(msg, cap, "%lld MiB of swap is active, but this service may not use it "
                           "(memory.swap.max = 0)",
                 kb / 1024);
        return 0;
    }
    snprintf(msg, cap, "%lld MiB of swap is active and the kiosk may be swapped out: typed "
                       "answers pass through SDL's buffers. Run it as the debrief-kiosk "
                       "service (MemorySwapMax=0, needs cgroup v2) or turn swap off (DEPLOY.md)",
             kb / 1024);
    return 1;
}

static void check_memlock(Checklist *c)
{
    char msg[DBERR_MSG_MAX];
    int bad = kiosk_memlock_check(msg, sizeof msg) != 0;
    report(c, bad ? "FAIL" : "ok", "memory", "%s", msg);
}

static void check_swap(Checklist *c)
{
    char msg[600];
    int warn = selftest_swap_check("/proc/swaps", "/proc/self/cgroup", "/sys/fs/cgroup", msg,
                                   sizeof msg);
    report(c, warn ? "WARN" : "ok", "swap", "%s", msg);
}

int kiosk_selftest(const KioskArgs *args, FILE *out)
{
    Checklist c = {out, 0, 0};
    check_survey(&c, args);
    check_recipients(&c, args);
    check_data(&c, args);
    check_fonts_and_display(&c, args);
    check_pin(&c, args);
    check_memlock(&c);
    check_swap(&c);
    if (c.failed)
        fprintf(out, "selftest: FAILED (%d problem%s, %d warning%s)\n", c.failed,
                c.failed == 1 ? "" : "s", c.warned, c.warned == 1 ? "" : "s");
    else
        fprintf(out, "selftest: ok (%d warning%s)\n", c.warned, c.warned == 1 ? "" : "s");
    return c.failed ? 1 : 0;
}
