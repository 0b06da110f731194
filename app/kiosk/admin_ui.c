/* admin_ui: the coordinator's screens (see kiosk_ui.h, "the coordinator's admin screen").
 *
 * attract --(long press on the top-left corner, PIN set)--> PIN pad --(right PIN)--> admin:
 * the open session and its count, Open/Close session, Export, Apply acknowledgement, counts
 * of unexported and unacknowledged responses, free space, fingerprints; Exit. Every admin
 * screen returns to the attract screen after cfg.admin_timeout_ms without input, wiping the
 * typed PIN and the form.
 *
 * Plain C like the rest of the UI core: the store, export and acknowledgement are behind the
 * KioskAdminOps the app provides. The coordinator's words follow the language shown on the
 * attract screen (kiosk_words.c: English, German, French), and so do the messages the
 * operations write (they are given the words). The screens leave by setting adm_leave; they
 * never call the flow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "pin.h"
#include "secmem.h"

#define PIN_CAP (PIN_MAX_DIGITS + 1)
#define LABEL_MAX_CHARS SESSION_LABEL_MAX /* characters; label_done checks the bytes */
#define EXPECTED_MAX 999
#define DAYS_MAX 3660
#define LOCK_MAX_MS (60 * 60 * 1000)
#define DRIVE_POLL_MS 1000 /* the admin screen looks for a USB stick this often */

int kadm_screen(KioskScreen s)
{
    return s == KS_PIN || s == KS_ADMIN || s == KS_ADMIN_OPEN || s == KS_ADMIN_LABEL ||
           s == KS_ADMIN_CONFIRM || s == KS_ADMIN_RESULT;
}

int kadm_init(Kiosk *k)
{
    k->pin = secmem_alloc(PIN_CAP);
    if (!k->pin)
        return -1;
    return osk_edit_init(&k->label_edit, LABEL_MAX_CHARS);
}

void kadm_fini(Kiosk *k)
{
    secmem_free(k->pin);
    k->pin = NULL;
    osk_edit_fini(&k->label_edit);
}

static void pin_clear(Kiosk *k)
{
    if (k->pin)
        secmem_wipe(k->pin, PIN_CAP);
    k->pin_len = 0;
}

void kadm_wipe(Kiosk *k)
{
    pin_clear(k);
    k->pin_note = 0;
    k->pin_weak = 0;
    k->press_down = 0;
    k->confirm = 0;
    k->result_title[0] = k->result[0] = '\0';
    k->result_held = k->result_forced = 0;
    k->form_label[0] = '\0';
    k->form_preset = k->form_days = k->form_expected = k->form_part = 0;
    k->form_error[0] = '\0';
    osk_edit_clear(&k->label_edit);
    memset(&k->label_osk, 0, sizeof k->label_osk);
    k->label_osk.layout = kui_keyboard_layout(k);
    /* The status (fingerprints, counts) is not secret, but it is refreshed on every entry. */
}

int kiosk_pin_failures(const Kiosk *k)
{
    return k->pin_fails;
}

int64_t kiosk_pin_locked_ms(const Kiosk *k)
{
    return k->pin_locked_until > k->now ? (int64_t)(k->pin_locked_until - k->now) : 0;
}

static int pin_locked(const Kiosk *k)
{
    return kiosk_pin_locked_ms(k) > 0;
}

static int admin_possible(const Kiosk *k)
{
    return k->has_admin && k->cfg.pin_hash && k->cfg.pin_hash[0];
}

static void refresh(Kiosk *k)
{
    memset(&k->st, 0, sizeof k->st);
    k->st.free_bytes = k->st.drive_free = -1;
    if (k->admin.status)
        k->admin.status(k->admin.ctx, kui_admin_words(k), &k->st);
    /* What the coordinator just did shows at once; the app refines it (a full session, the
     * disk) when the attract screen returns. */
    if (k->st.n_unconfirmed > 0)
        k->cfg.availability = KA_KEYS_CHANGED;
    else if (!k->st.session_open)
        k->cfg.availability = KA_NO_SESSION;
    else if (k->cfg.availability == KA_NO_SESSION || k->cfg.availability == KA_KEYS_CHANGED)
        k->cfg.availability = KA_COLLECTING;
    k->drive_polled = k->now;
}

static void go(Kiosk *k, KioskScreen s)
{
    k->screen = s;
    k->screen_since = k->now;
    k->dirty = 1;
}

/* Back to the attract screen; a USB stick still in is released (Export keeps it in while it
 * offers "Export anyway"). */
static void leave_admin(Kiosk *k)
{
    if (k->screen != KS_PIN && k->admin.release_drive)
        k->admin.release_drive(k->admin.ctx);
    k->adm_leave = 1; /* the flow resets: back to the attract screen */
}

/* ---- dates: the coordinator confirms the date; the clock only proposes it ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* Days since 1970 of the date the form starts from: st.today (2000-01-01 if it is not a
 * date). */
static long form_base(const Kiosk *k)
{
    long y = 2000, m = 1, d = 1;
    const char *t = k->st.today;
    if (strlen(t) == 10 && t[4] == '-' && t[7] == '-') {
        y = strtol(t, NULL, 10);
        m = strtol(t + 5, NULL, 10);
        d = strtol(t + 8, NULL, 10);
        if (y < 1970 || y > 9000 || m < 1 || m > 12 || d < 1 || d > 31)
            y = 2000, m = 1, d = 1;
    }
    return days_from_civil(y, m, d);
}

static int days_in_month(long y, long m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return mdays[m - 1] + (m == 2 && leap);
}

/* Moves the form's date by step (-1 or +1) of its chosen part: a day, a month or a year (the
 * day kept, or the month's last if it has fewer), within DAYS_MAX of where it started. A
 * clock years off is put right in a few taps. */
static void form_step(Kiosk *k, int step)
{
    long base = form_base(k), y, m, d;
    civil_from_days(base + k->form_days, &y, &m, &d);
    if (k->form_part == 2) {
        y += step;
    } else if (k->form_part == 1) {
        m += step;
        if (m < 1)
            m = 12, y--;
        else if (m > 12)
            m = 1, y++;
    } else {
        d += step; /* days_from_civil takes day 0 and day 32 as the neighbours' */
    }
    if (k->form_part != 0 && d > days_in_month(y, m))
        d = days_in_month(y, m);
    long days = days_from_civil(y, m, d) - base;
    if (days >= -DAYS_MAX && days <= DAYS_MAX)
        k->form_days = (int)days;
}

/* The form's date: st.today moved by form_days, as "YYYY-MM-DD", and its parts as shown:
 * "Thu 26", "Nov", "2026". */
static void form_date(const Kiosk *k, char iso[SESSION_DATE_LEN + 1], char day[16],
                      const char **month, char year[8])
{
    long y, m, d;
    long z = form_base(k) + k->form_days;
    civil_from_days(z, &y, &m, &d);
    snprintf(iso, SESSION_DATE_LEN + 1, "%04u-%02u-%02u", (unsigned)(y % 10000), (unsigned)m % 13u,
             (unsigned)d % 32u);
    const AdminWords *aw = kui_admin_words(k);
    long w = z % 7;
    if (w < 0)
        w += 7;
    snprintf(day, 16, "%s %ld", aw->weekdays[w], d);
    *month = aw->months[m - 1];
    snprintf(year, 8, "%ld", y % 10000);
}

/* ---- actions ---- */

static void open_pin_pad(Kiosk *k)
{
    pin_clear(k);
    k->pin_note = 0;
    k->last_input = k->now;
    go(k, KS_PIN);
}

/* Locks the pad for as long as the count of wrong PINs calls for: cfg.pin_lock_ms at
 * cfg.pin_lock_after, doubling with each one more, at most LOCK_MAX_MS. */
static void lock_for_fails(Kiosk *k)
{
    if (k->pin_fails < k->cfg.pin_lock_after)
        return;
    uint64_t ms = (uint64_t)k->cfg.pin_lock_ms;
    for (int i = k->cfg.pin_lock_after; i < k->pin_fails && ms < LOCK_MAX_MS; i++)
        ms *= 2;
    if (ms > LOCK_MAX_MS)
        ms = LOCK_MAX_MS;
    k->pin_locked_until = k->now + ms;
}

static void save_pin_fails(Kiosk *k)
{
    if (k->admin.pin_fails_save)
        k->admin.pin_fails_save(k->admin.ctx, k->pin_fails);
}

void kadm_restore_pin_fails(Kiosk *k, int fails)
{
    if (fails < 0) /* the count could not be read: as if the lockout had just begun */
        fails = k->cfg.pin_lock_after;
    if (fails == 0)
        return;
    k->pin_fails = fails > 1000 ? 1000 : fails;
    lock_for_fails(k);
    /* Before the first tick, now is not a time yet (0): lock again from the first one. */
    k->pin_relock = !k->ticked;
}

static void pin_check(Kiosk *k)
{
    if (pin_locked(k))
        return;
    if (k->pin_len < PIN_MIN_DIGITS_OLD) {
        k->pin_note = 2;
        return;
    }
    int ok = pin_verify(k->cfg.pin_hash, k->pin, (size_t)k->pin_len) == 0;
    k->pin_weak = ok && pin_check_new(k->pin, (size_t)k->pin_len, NULL) != DB_OK;
    pin_clear(k);
    if (ok) {
        int had_fails = k->pin_fails > 0;
        k->pin_fails = 0;
        k->pin_locked_until = 0;
        k->pin_note = 0;
        if (had_fails)
            save_pin_fails(k);
        refresh(k);
        go(k, KS_ADMIN);
        return;
    }
    k->pin_fails++;
    k->pin_note = 1;
    /* Saved before the lockout starts, so pulling the plug now does not lift it. */
    save_pin_fails(k);
    lock_for_fails(k);
}

static void set_result(Kiosk *k, const char *title, const char *msg)
{
    snprintf(k->result_title, sizeof k->result_title, "%s", title);
    snprintf(k->result, sizeof k->result, "%s", msg);
}

static void do_export(Kiosk *k, int force)
{
    char msg[sizeof k->result];
    int held = 0;
    msg[0] = '\0';
    k->admin.export_batch(k->admin.ctx, kui_admin_words(k), force, msg, sizeof msg, &held);
    set_result(k, force ? kui_admin_words(k)->res_export_forced : kui_admin_words(k)->export_,
               msg);
    k->result_held = held;
    k->result_forced = force;
    refresh(k);
    go(k, KS_ADMIN_RESULT);
}

static void do_keys(Kiosk *k)
{
    char msg[sizeof k->result];
    msg[0] = '\0';
    if (k->admin.confirm_keys)
        k->admin.confirm_keys(k->admin.ctx, kui_admin_words(k), msg, sizeof msg);
    set_result(k, kui_admin_words(k)->res_keys, msg);
    k->result_held = 0;
    refresh(k);
    go(k, KS_ADMIN_RESULT);
}

static void do_close(Kiosk *k)
{
    const AdminWords *aw = kui_admin_words(k);
    DbError err;
    dberr_clear(&err);
    char msg[512];
    refresh(k);
    if (!k->st.session_open) {
        set_result(k, aw->close_session, aw->no_session);
    } else if (k->admin.close_session(k->admin.ctx, &err) == DB_OK) {
        snprintf(msg, sizeof msg, "%s\xE2\x80\x9C%s\xE2\x80\x9D (%s)%s%lld %s%s", aw->closed_pre,
                 k->st.label, k->st.date, aw->closed_with, k->st.responses,
                 kiosk_admin_one(aw, k->st.responses) ? aw->response : aw->responses,
                 aw->closed_rest);
        set_result(k, aw->res_closed, msg);
    } else {
        snprintf(msg, sizeof msg, "%s%.400s", aw->not_closed, err.msg);
        set_result(k, aw->close_session, msg);
    }
    k->result_held = 0;
    refresh(k);
    go(k, KS_ADMIN_RESULT);
}

static void do_open(Kiosk *k)
{
    if (!k->form_label[0]) {
        snprintf(k->form_error, sizeof k->form_error, "%s", kui_admin_words(k)->choose_label);
        return;
    }
    char iso[SESSION_DATE_LEN + 1], day[16], year[8];
    const char *month;
    form_date(k, iso, day, &month, year);
    DbError err;
    dberr_clear(&err);
    if (k->admin.open_session(k->admin.ctx, k->form_label, iso, k->form_expected, &err) != DB_OK) {
        /* On a page of its own: nothing on the form fixes it (a session already open, no room
         * left), and a long reason does not fit under the form on a small panel. */
        char msg[sizeof k->result];
        snprintf(msg, sizeof msg, "%s%.400s", kui_admin_words(k)->not_opened, err.msg);
        set_result(k, kui_admin_words(k)->open_title, msg);
        k->result_held = 0; /* nothing changed: Back refreshes the status */
        go(k, KS_ADMIN_RESULT);
        return;
    }
    k->form_error[0] = '\0';
    refresh(k);
    go(k, KS_ADMIN);
}

static void label_done(Kiosk *k)
{
    /* Trim spaces at both ends; an empty label keeps the previous choice, and one the store
     * would refuse (session_fields.h: more than 64 bytes) is not taken and says why. */
    const char *s = k->label_edit.buf;
    size_t len = k->label_edit.len;
    while (len && *s == ' ')
        s++, len--;
    while (len && s[len - 1] == ' ')
        len--;
    DbError err;
    if (len > 0 && session_label_check(s, len, &err) != DB_OK) { /* e.g. > 64 bytes */
        snprintf(k->form_error, sizeof k->form_error, "%s%.400s",
                 kui_admin_words(k)->label_not_taken, err.msg);
    } else if (len > 0) {
        memcpy(k->form_label, s, len);
        k->form_label[len] = '\0';
        k->form_preset = 0;
        k->form_error[0] = '\0';
    }
    osk_edit_clear(&k->label_edit);
    go(k, KS_ADMIN_OPEN);
}

void kadm_action(Kiosk *k, const UiTarget *t)
{
    switch (t->action) {
    case ACT_PIN_DIGIT:
        if (!pin_locked(k) && k->pin_len < PIN_MAX_DIGITS)
            k->pin[k->pin_len++] = (char)('0' + t->arg);
        k->pin_note = 0;
        break;
    case ACT_PIN_BACK:
        if (k->pin_len > 0)
            k->pin[--k->pin_len] = '\0';
        k->pin_note = 0;
        break;
    case ACT_PIN_OK:
        pin_check(k);
        break;
    case ACT_PIN_CANCEL:
        k->adm_leave = 1; /* the flow resets: back to the attract screen */
        break;
    case ACT_ADM_EXIT:
        leave_admin(k);
        break;
    case ACT_ADM_OPEN:
        refresh(k);
        if (k->st.session_open)
            break; /* the button said Close: the status changed behind our back */
        k->form_label[0] = '\0';
        k->form_preset = k->form_days = k->form_expected = k->form_part = 0;
        k->form_error[0] = '\0';
        go(k, KS_ADMIN_OPEN);
        break;
    case ACT_ADM_CLOSE:
        k->confirm = ACT_ADM_CLOSE;
        go(k, KS_ADMIN_CONFIRM);
        break;
    case ACT_ADM_FORCE:
    case ACT_ADM_CONSOLE:
    case ACT_ADM_KEYS:
        k->confirm = t->action;
        go(k, KS_ADMIN_CONFIRM);
        break;
    case ACT_ADM_CONFIRM:
        if (k->confirm == ACT_ADM_CLOSE)
            do_close(k);
        else if (k->confirm == ACT_ADM_FORCE)
            do_export(k, 1);
        else if (k->confirm == ACT_ADM_CONSOLE && k->admin.console)
            k->admin.console(k->admin.ctx);
        else if (k->confirm == ACT_ADM_KEYS)
            do_keys(k);
        k->confirm = 0;
        break;
    case ACT_ADM_EXPORT:
        do_export(k, 0);
        break;
    case ACT_ADM_ACK: {
        char msg[sizeof k->result];
        msg[0] = '\0';
        k->admin.apply_ack(k->admin.ctx, kui_admin_words(k), msg, sizeof msg);
        set_result(k, kui_admin_words(k)->res_ack, msg);
        k->result_held = 0;
        refresh(k);
        go(k, KS_ADMIN_RESULT);
        break;
    }
    case ACT_ADM_PRESET:
        k->form_preset = t->arg;
        snprintf(k->form_label, sizeof k->form_label, "Group %d", t->arg);
        k->form_error[0] = '\0';
        break;
    case ACT_ADM_OTHER:
        osk_edit_set(&k->label_edit, k->form_preset ? "" : k->form_label);
        memset(&k->label_osk, 0, sizeof k->label_osk);
    k->label_osk.layout = kui_keyboard_layout(k);
        k->label_osk.shift = k->label_edit.len == 0;
        go(k, KS_ADMIN_LABEL);
        break;
    case ACT_ADM_KEY:
        osk_press(&k->label_osk, &k->label_edit, t->arg);
        break;
    case ACT_ADM_LABEL_DONE:
        label_done(k);
        break;
    case ACT_ADM_DAY:
        form_step(k, t->arg);
        break;
    case ACT_ADM_DATE_PART:
        k->form_part = t->arg;
        break;
    case ACT_ADM_EXPECTED:
        if (k->form_expected + t->arg >= 0 && k->form_expected + t->arg <= EXPECTED_MAX)
            k->form_expected += t->arg;
        break;
    case ACT_ADM_START:
        do_open(k);
        break;
    case ACT_ADM_BACK:
        if (k->screen == KS_ADMIN_LABEL) {
            osk_edit_clear(&k->label_edit);
            go(k, KS_ADMIN_OPEN);
        } else {
            k->confirm = 0;
            refresh(k);
            go(k, KS_ADMIN);
        }
        break;
    default:
        break;
    }
    k->dirty = 1;
}

int kadm_key(Kiosk *k, KioskKey key)
{
    UiTarget t = {{0, 0, 0, 0}, 0, 0, 1};
    switch (k->screen) {
    case KS_PIN:
        t.action = key == KK_BACKSPACE ? ACT_PIN_BACK
                   : key == KK_ENTER   ? ACT_PIN_OK
                   : key == KK_ESCAPE  ? ACT_PIN_CANCEL
                                       : 0;
        break;
    case KS_ADMIN_LABEL:
        switch (key) {
        case KK_BACKSPACE:
            osk_edit_backspace(&k->label_edit);
            break;
        case KK_DELETE:
            osk_edit_delete(&k->label_edit);
            break;
        case KK_LEFT:
            osk_edit_left(&k->label_edit);
            break;
        case KK_RIGHT:
            osk_edit_right(&k->label_edit);
            break;
        case KK_HOME:
            osk_edit_home(&k->label_edit);
            break;
        case KK_END:
            osk_edit_end(&k->label_edit);
            break;
        case KK_ENTER:
            t.action = ACT_ADM_LABEL_DONE;
            break;
        case KK_ESCAPE:
            t.action = ACT_ADM_BACK;
            break;
        default:
            return 0;
        }
        if (!t.action) {
            k->dirty = 1;
            return 1;
        }
        break;
    case KS_ADMIN:
        t.action = key == KK_ESCAPE ? ACT_ADM_EXIT : 0;
        break;
    default:
        t.action = key == KK_ESCAPE ? ACT_ADM_BACK : 0;
        break;
    }
    if (!t.action)
        return 0;
    kadm_action(k, &t);
    return 1;
}

int kadm_text(Kiosk *k, const char *utf8)
{
    if (k->screen == KS_PIN) {
        int any = 0;
        for (const char *p = utf8; *p; p++) {
            if (*p >= '0' && *p <= '9') {
                UiTarget t = {{0, 0, 0, 0}, ACT_PIN_DIGIT, *p - '0', 1};
                kadm_action(k, &t);
                any = 1;
            }
        }
        return any;
    }
    if (k->screen == KS_ADMIN_LABEL) {
        osk_edit_insert(&k->label_edit, utf8);
        k->dirty = 1;
        return 1;
    }
    return 0;
}

/* ---- time ---- */

static int lock_seconds_left(const Kiosk *k)
{
    int64_t ms = kiosk_pin_locked_ms(k);
    return ms > 0 ? (int)((ms + 999) / 1000) : 0;
}

int kadm_tick(Kiosk *k)
{
    if (k->pin_relock) {
        k->pin_relock = 0;
        lock_for_fails(k);
    }
    if (k->press_down && k->screen == KS_ATTRACT &&
        k->now - k->press_since >= (uint64_t)k->cfg.long_press_ms) {
        k->press_down = 0;
        if (!admin_possible(k))
            return 0; /* no PIN: nothing happens, nothing hints */
        open_pin_pad(k); /* the finger still down is ignored until it lifts */
        return 1;
    }
    if (!kadm_screen(k->screen))
        return 0;
    if (k->now - k->last_input >= (uint64_t)k->cfg.admin_timeout_ms) {
        leave_admin(k);
        return 1;
    }
    if (k->screen == KS_ADMIN && k->admin.drive_status &&
        k->now - k->drive_polled >= DRIVE_POLL_MS) {
        KioskAdminStatus was = k->st;
        k->drive_polled = k->now;
        k->admin.drive_status(k->admin.ctx, kui_admin_words(k), &k->st);
        if (was.drive != k->st.drive || strcmp(was.drive_name, k->st.drive_name) != 0 ||
            was.drive_free / 1000000 != k->st.drive_free / 1000000) {
            k->dirty = 1;
            return 1;
        }
    }
    if (k->screen == KS_PIN && k->pin_locked_until) {
        /* The countdown: a redraw every second, and one when the lock ends. */
        if (!pin_locked(k)) {
            k->pin_locked_until = 0;
            k->pin_note = 0;
            k->dirty = 1;
            return 1;
        }
        int secs = lock_seconds_left(k);
        if (secs != k->pin_shown_secs) {
            k->pin_shown_secs = secs;
            k->dirty = 1;
            return 1;
        }
    }
    return 0;
}

int64_t kadm_next_timer(const Kiosk *k)
{
    if (k->press_down && k->screen == KS_ATTRACT) {
        uint64_t el = k->now - k->press_since;
        return el >= (uint64_t)k->cfg.long_press_ms
                   ? 0
                   : (int64_t)((uint64_t)k->cfg.long_press_ms - el);
    }
    if (!kadm_screen(k->screen))
        return -1;
    uint64_t el = k->now - k->last_input;
    int64_t t = el >= (uint64_t)k->cfg.admin_timeout_ms
                    ? 0
                    : (int64_t)((uint64_t)k->cfg.admin_timeout_ms - el);
    if (k->screen == KS_ADMIN && k->admin.drive_status) {
        uint64_t since = k->now - k->drive_polled;
        int64_t poll = since >= DRIVE_POLL_MS ? 0 : (int64_t)(DRIVE_POLL_MS - since);
        if (poll < t)
            t = poll;
    }
    if (k->screen == KS_PIN && k->pin_locked_until) {
        int64_t left = kiosk_pin_locked_ms(k);
        int64_t to_sec = left % 1000 ? left % 1000 : (left ? 1000 : 0);
        if (to_sec < t)
            t = to_sec;
    }
    return t;
}

/* ---- layout ---- */

/* Wrapped text in the content width at y; returns the y below it. */
static int para(Kiosk *k, int x, int y, int w, const char *s, int size, int flags, UiColor c,
                int align)
{
    int h = kui_text_h(k, s, size, flags, w);
    ui_text_box(k->f, (UiRect){x, y, w, h}, size, flags, c, align, 0, s, -1);
    return y + h;
}

/* The title at the top left and, optionally, a button at the top right; returns the y below. */
static int title_bar(Kiosk *k, const char *title, const char *button, int action)
{
    const Metrics *mt = &k->mt;
    int w = k->fw, cw = w - 2 * mt->m, y = mt->top + mt->m / 2;
    int bw = 0;
    if (button) {
        bw = kui_text_w(k, button, mt->body, UI_TEXT_BOLD) + 4 * mt->pad;
        if (bw < 2 * mt->target)
            bw = 2 * mt->target;
        kui_button(k, (UiRect){w - mt->m - bw, y, bw, mt->target}, button, mt->body, B_NORMAL,
                   action, 0);
    }
    int tw = cw - (bw ? bw + mt->gap : 0);
    int th = kui_text_h(k, title, mt->title, UI_TEXT_BOLD, tw);
    int bar = button && mt->target > th ? mt->target : th;
    ui_text_box(k->f, (UiRect){mt->m, y + (bar - th) / 2, tw, th}, mt->title, UI_TEXT_BOLD, c_fg,
                UI_ALIGN_LEFT, 0, title, -1);
    return y + bar + mt->gap;
}

/* A row of n equal buttons across [x, x + w) at y. */
static void button_row(Kiosk *k, int x, int y, int w, int h, int n, const char *const *labels,
                       const ButtonStyle *styles, const int *actions, const int *args, int size)
{
    int gap = k->mt.gap;
    for (int i = 0; i < n; i++) {
        int x0 = x + (w + gap) * i / n, x1 = x + (w + gap) * (i + 1) / n - gap;
        kui_button(k, (UiRect){x0, y, x1 - x0, h}, labels[i], size, styles[i], actions[i],
                   args ? args[i] : 0);
    }
}

static void build_pin(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    int w = k->fw, h = k->fh, top = mt->top + mt->m;
    int landscape = w * 10 >= h * 12;
    /* Keypad area and info area. */
    UiRect pad, info;
    if (landscape) {
        int iw = (w - 2 * mt->m - mt->gap) * 45 / 100;
        info = (UiRect){mt->m, top, iw, h - top - mt->m};
        pad = (UiRect){mt->m + iw + mt->gap, top, w - 2 * mt->m - iw - mt->gap, h - top - mt->m};
        int maxw = 3 * 2 * mt->target + 2 * mt->gap; /* keys no wider than 2 targets */
        if (pad.w > maxw) {
            pad.x += (pad.w - maxw) / 2;
            pad.w = maxw;
        }
    } else {
        int cw = w - 2 * mt->m;
        int info_h = mt->lh_title + mt->gap + mt->lh_big + mt->gap + 2 * mt->lh_body + mt->gap;
        info = (UiRect){mt->m, top, cw, info_h};
        int py = top + info_h, ph = h - mt->m - mt->target - mt->gap - py;
        int rowh = (ph - 3 * mt->gap) / 4;
        if (rowh > 2 * mt->target)
            rowh = 2 * mt->target;
        ph = 4 * rowh + 3 * mt->gap;
        int pw = cw;
        if (pw > 3 * 3 * mt->target)
            pw = 3 * 3 * mt->target;
        pad = (UiRect){(w - pw) / 2, py, pw, ph};
    }
    int locked = pin_locked(k);
    /* Keys: 1 2 3 / 4 5 6 / 7 8 9 / delete 0 OK */
    int rowh = (pad.h - 3 * mt->gap) / 4;
    if (rowh > 2 * mt->target)
        rowh = 2 * mt->target;
    kui_need(k, rowh >= mt->target);
    for (int r = 0; r < 4; r++) {
        int y = pad.y + r * (rowh + mt->gap);
        for (int c = 0; c < 3; c++) {
            int x0 = pad.x + (pad.w + mt->gap) * c / 3,
                x1 = pad.x + (pad.w + mt->gap) * (c + 1) / 3 - mt->gap;
            UiRect rr = {x0, y, x1 - x0, rowh};
            char lab[8];
            int action = ACT_PIN_DIGIT, arg = 0;
            ButtonStyle st = locked ? B_DISABLED : B_NORMAL;
            if (r < 3) {
                arg = r * 3 + c + 1;
                snprintf(lab, sizeof lab, "%d", arg);
            } else if (c == 0) {
                snprintf(lab, sizeof lab, "\xE2\x8C\xAB"); /* ⌫ */
                action = ACT_PIN_BACK;
            } else if (c == 1) {
                snprintf(lab, sizeof lab, "0");
            } else {
                snprintf(lab, sizeof lab, "%s", kui_admin_words(k)->ok);
                action = ACT_PIN_OK;
                st = locked || k->pin_len == 0 ? B_DISABLED : B_PRIMARY;
            }
            kui_button(k, rr, lab, mt->title, st, action, arg);
        }
    }
    /* Info: title, dots, note; Cancel. */
    int y = info.y;
    const AdminWords *aw = kui_admin_words(k);
    y = para(k, info.x, y, info.w, aw->pin_title, mt->title, UI_TEXT_BOLD, c_fg,
             landscape ? UI_ALIGN_LEFT : UI_ALIGN_CENTER) +
        mt->gap;
    char dots[PIN_MAX_DIGITS * 4 + 1];
    size_t n = 0;
    for (int i = 0; i < k->pin_len; i++)
        n += (size_t)snprintf(dots + n, sizeof dots - n, "%s", "\xE2\x97\x8F"); /* ● */
    dots[n] = '\0';
    if (k->pin_len) {
        int ds = mt->big; /* twelve dots stay on one line */
        while (ds > mt->body && !kui_words_fit(k, dots, ds, 0, info.w))
            ds--;
        y = para(k, info.x, y, info.w, dots, ds, 0, c_primary,
                 landscape ? UI_ALIGN_LEFT : UI_ALIGN_CENTER);
    } else {
        int hh = kui_text_h(k, aw->enter_pin, mt->body, 0, info.w);
        int dy = (mt->lh_big - hh) / 2 > 0 ? (mt->lh_big - hh) / 2 : 0;
        para(k, info.x, y + dy, info.w, aw->enter_pin, mt->body, 0, c_muted,
             landscape ? UI_ALIGN_LEFT : UI_ALIGN_CENTER);
        y += mt->lh_big > hh ? mt->lh_big : hh;
    }
    y += mt->gap;
    char note[160];
    note[0] = '\0';
    if (locked) {
        snprintf(note, sizeof note, "%s%d%s", aw->locked_pre, lock_seconds_left(k),
                 aw->locked_post);
    } else if (k->pin_note == 1) {
        int left = k->cfg.pin_lock_after - k->pin_fails;
        if (left > 0)
            snprintf(note, sizeof note, "%s%d%s", aw->tries_pre, left,
                     left == 1 ? aw->tries_one : aw->tries_many);
        else
            snprintf(note, sizeof note, "%s", aw->wrong_pin);
    } else if (k->pin_note == 2) {
        snprintf(note, sizeof note, "%s%d%s", aw->digits_pre, PIN_MIN_DIGITS_OLD, aw->digits_post);
    }
    if (note[0])
        y = para(k, info.x, y, info.w, note, mt->body, UI_TEXT_BOLD, c_note,
                 landscape ? UI_ALIGN_LEFT : UI_ALIGN_CENTER);
    int bw = 3 * mt->target;
    if (bw > info.w)
        bw = info.w;
    int by = h - mt->m - mt->target;
    UiRect cr = landscape ? (UiRect){info.x, by, bw, mt->target}
                          : (UiRect){(w - bw) / 2, by, bw, mt->target};
    kui_need(k, y <= (landscape ? by : pad.y) && (landscape || pad.y + pad.h <= by));
    kui_button(k, cr, aw->cancel, mt->body, B_NORMAL, ACT_PIN_CANCEL, 0);
}

static void human_bytes(long long b, const char *unknown, char *out, size_t cap)
{
    if (b < 0)
        snprintf(out, cap, "%s", unknown);
    else if (b >= 10LL << 30)
        snprintf(out, cap, "%lld GB", b / 1000000000LL);
    else if (b >= 1LL << 30)
        snprintf(out, cap, "%.1f GB", (double)b / 1e9);
    else if (b >= 1LL << 20)
        snprintf(out, cap, "%lld MB", b / 1000000LL);
    else
        snprintf(out, cap, "%lld kB", b / 1000LL);
}

/* Rows of "caption  value" with the captions in one column; returns the y below. */
typedef struct KvRow {
    const char *caption;
    char value[320];
    int flags;
    UiColor color;
} KvRow;

static int kv_table(Kiosk *k, int y, const KvRow *rows, int n)
{
    const Metrics *mt = &k->mt;
    int cw = k->fw - 2 * mt->m, capw = 0;
    for (int i = 0; i < n; i++) {
        int tw = kui_text_w(k, rows[i].caption, mt->body, 0);
        if (tw > capw)
            capw = tw;
    }
    capw += 2 * mt->gap;
    if (capw > cw * 45 / 100)
        capw = cw * 45 / 100;
    for (int i = 0; i < n; i++) {
        int ch = kui_text_h(k, rows[i].caption, mt->body, 0, capw - mt->gap);
        int vh = kui_text_h(k, rows[i].value, mt->body, rows[i].flags, cw - capw);
        ui_text_box(k->f, (UiRect){mt->m, y, capw - mt->gap, ch}, mt->body, 0, c_muted,
                    UI_ALIGN_LEFT, 0, rows[i].caption, -1);
        ui_text_box(k->f, (UiRect){mt->m + capw, y, cw - capw, vh}, mt->body, rows[i].flags,
                    rows[i].color, UI_ALIGN_LEFT, 0, rows[i].value, -1);
        y += (ch > vh ? ch : vh) + mt->gap / 2;
    }
    return y;
}

static void build_admin(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    const KioskAdminStatus *st = &k->st;
    int cw = k->fw - 2 * mt->m;
    const AdminWords *aw = kui_admin_words(k);
    int y = title_bar(k, aw->coordinator, aw->exit, ACT_ADM_EXIT);
    if (k->admin.console) { /* left of Exit, as title_bar places it (IT staff: English) */
        int ew = kui_text_w(k, aw->exit, mt->body, UI_TEXT_BOLD) + 4 * mt->pad;
        int cw2 = kui_text_w(k, "Console", mt->body, UI_TEXT_BOLD) + 4 * mt->pad;
        ew = ew < 2 * mt->target ? 2 * mt->target : ew;
        cw2 = cw2 < 2 * mt->target ? 2 * mt->target : cw2;
        kui_button(k, (UiRect){k->fw - mt->m - ew - mt->gap - cw2, mt->top + mt->m / 2, cw2,
                               mt->target},
                   "Console", mt->body, B_NORMAL, ACT_ADM_CONSOLE, 0);
    }
    KvRow rows[8];
    int n = 0;
    memset(rows, 0, sizeof rows);
    rows[n].caption = aw->cap_session;
    rows[n].flags = UI_TEXT_BOLD;
    if (st->session_open) {
        char cnt[96];
        if (st->expected > 0)
            snprintf(cnt, sizeof cnt, "%lld %s %d %s", st->responses, aw->of, st->expected,
                     aw->responses);
        else
            snprintf(cnt, sizeof cnt, "%lld %s %s", st->responses,
                     kiosk_admin_one(aw, st->responses) ? aw->response : aw->responses,
                     aw->so_far);
        snprintf(rows[n].value, sizeof rows[n].value, "%s \xC2\xB7 %s \xC2\xB7 %s", st->label,
                 st->date, cnt);
        rows[n++].color = c_fg;
    } else {
        snprintf(rows[n].value, sizeof rows[n].value, "%s", aw->none_open);
        rows[n++].color = c_note;
    }
    rows[n].caption = aw->cap_unexported;
    snprintf(rows[n].value, sizeof rows[n].value, "%lld %s", st->unexported,
             kiosk_admin_one(aw, st->unexported) ? aw->response : aw->responses);
    rows[n++].color = c_fg;
    rows[n].caption = aw->cap_unacked;
    snprintf(rows[n].value, sizeof rows[n].value, "%lld %s %s", st->unacknowledged,
             kiosk_admin_one(aw, st->unacknowledged) ? aw->response : aw->responses,
             aw->still_held);
    rows[n++].color = c_fg;
    rows[n].caption = aw->cap_free;
    human_bytes(st->free_bytes, aw->unknown, rows[n].value, sizeof rows[n].value);
    rows[n++].color = c_fg;
    rows[n].caption = aw->cap_stick;
    if (st->drive) {
        char fr[32];
        human_bytes(st->drive_free, aw->unknown, fr, sizeof fr);
        snprintf(rows[n].value, sizeof rows[n].value, "%s \xC2\xB7 %s %s", st->drive_name, fr,
                 aw->free_);
        rows[n++].color = c_fg;
    } else {
        snprintf(rows[n].value, sizeof rows[n].value, "%s", aw->no_stick);
        rows[n++].color = c_muted;
    }
    rows[n].caption = aw->cap_kiosk;
    snprintf(rows[n].value, sizeof rows[n].value, "%s", st->kiosk_fp[0] ? st->kiosk_fp : aw->unknown);
    rows[n++].color = c_fg;
    rows[n].caption = st->n_recipients == 1 ? aw->cap_key : aw->cap_keys;
    size_t len = 0;
    for (int i = 0; i < st->n_recipients && i < KIOSK_MAX_RCPT_FP; i++)
        len += (size_t)snprintf(rows[n].value + len, sizeof rows[n].value - len, "%s%s",
                                i ? ", " : "", st->recipient_fp[i]);
    if (st->n_recipients == 0)
        snprintf(rows[n].value, sizeof rows[n].value, "%s", aw->none);
    rows[n++].color = c_fg;
    if (st->n_unconfirmed > 0) { /* the configured keys differ: not collecting */
        rows[n].caption = aw->cap_configured;
        len = 0;
        for (int i = 0; i < st->n_unconfirmed && i < KIOSK_MAX_RCPT_FP; i++)
            len += (size_t)snprintf(rows[n].value + len, sizeof rows[n].value - len, "%s%s",
                                    i ? ", " : "", st->unconfirmed_fp[i]);
        snprintf(rows[n].value + len, sizeof rows[n].value - len, "%s", aw->not_confirmed);
        rows[n].flags = UI_TEXT_BOLD;
        rows[n++].color = c_note;
    }
    y = kv_table(k, y, rows, n);
    if (st->problem[0])
        y = para(k, mt->m, y, cw, st->problem, mt->small, UI_TEXT_BOLD, c_note, UI_ALIGN_LEFT);
    if (st->keys_change[0] && st->n_unconfirmed == 0)
        y = para(k, mt->m, y, cw, st->keys_change, mt->small, 0, c_muted, UI_ALIGN_LEFT);
    if (k->pin_weak)
        y = para(k, mt->m, y, cw, aw->weak_pin, mt->small, UI_TEXT_BOLD, c_note, UI_ALIGN_LEFT);
    int keys = st->n_unconfirmed > 0 && k->admin.confirm_keys;
    const char *labels[3] = {keys                ? aw->confirm_keys
                             : st->session_open ? aw->close_session
                                                : aw->open_session,
                             aw->export_, aw->apply_ack};
    ButtonStyle styles[3] = {keys ? B_PRIMARY : B_NORMAL, keys ? B_NORMAL : B_PRIMARY, B_NORMAL};
    int actions[3] = {keys ? ACT_ADM_KEYS : st->session_open ? ACT_ADM_CLOSE : ACT_ADM_OPEN,
                      ACT_ADM_EXPORT, ACT_ADM_ACK};
    /* One row when every label's longest word fits its third; else a column (portrait). */
    int third = (cw - 2 * mt->gap) / 3 - 2 * mt->pad - 4;
    int row = kui_words_fit(k, labels[2], mt->body, 0, third) &&
              kui_words_fit(k, labels[1], mt->body, UI_TEXT_BOLD, third) &&
              kui_text_w(k, labels[0], mt->body, 0) <= 2 * third;
    int by = k->fh - mt->m - mt->target;
    if (row) {
        kui_need(k, y + mt->gap <= by);
        button_row(k, mt->m, by, cw, mt->target, 3, labels, styles, actions, NULL, mt->body);
        return;
    }
    int bw = cw > 8 * mt->target ? 8 * mt->target : cw;
    by = k->fh - mt->m - 3 * mt->target - 2 * mt->gap;
    kui_need(k, y + mt->gap <= by);
    for (int i = 0; i < 3; i++)
        kui_button(k, (UiRect){(k->fw - bw) / 2, by + i * (mt->target + mt->gap), bw, mt->target},
                   labels[i], mt->body, styles[i], actions[i], 0);
}

/* s cut (at a character boundary, with an ellipsis) to fit w pixels on one line. */
static const char *fit_line(const Kiosk *k, const char *s, int size, int flags, int w, char *buf,
                            size_t cap)
{
    if (kui_text_w(k, s, size, flags) <= w)
        return s;
    size_t len = strlen(s), cut = 0;
    for (;;) {
        size_t next = cut + ui_utf8_len(s + cut, len - cut);
        if (next >= len || next + 4 > cap)
            break;
        memcpy(buf, s, next);
        memcpy(buf + next, "\xE2\x80\xA6", 4);
        if (kui_text_w(k, buf, size, flags) > w)
            break;
        cut = next;
    }
    memcpy(buf, s, cut);
    memcpy(buf + cut, "\xE2\x80\xA6", 4);
    return buf;
}

static void build_open(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    int w = k->fw, cw = w - 2 * mt->m;
    const AdminWords *aw = kui_admin_words(k);
    int y = title_bar(k, aw->open_title, NULL, 0);
    /* Label: presets and "Other..." */
    const int n = 7;
    int minw = kui_text_w(k, "Group 6", mt->body, UI_TEXT_BOLD) + 3 * mt->pad;
    if (minw < mt->target)
        minw = mt->target;
    int cols = n;
    while (cols > 1 && cols * minw + (cols - 1) * mt->gap > cw)
        cols--;
    int rows = (n + cols - 1) / cols;
    cols = (n + rows - 1) / rows; /* balance the rows: 4 + 3 rather than 6 + 1 */
    for (int i = 0; i < n; i++) {
        int r = i / cols, c = i % cols;
        int in_row = r == rows - 1 ? n - r * cols : cols;
        int x0 = mt->m + (cw + mt->gap) * c / in_row,
            x1 = mt->m + (cw + mt->gap) * (c + 1) / in_row - mt->gap;
        UiRect rr = {x0, y + r * (mt->target + mt->gap), x1 - x0, mt->target};
        if (i < 6) {
            char lab[16];
            snprintf(lab, sizeof lab, "Group %d", i + 1);
            kui_button(k, rr, lab, mt->body, k->form_preset == i + 1 ? B_SELECTED : B_NORMAL,
                       ACT_ADM_PRESET, i + 1);
        } else {
            int typed = k->form_preset == 0 && k->form_label[0];
            char cut[sizeof k->form_label + 4];
            const char *lab = typed ? fit_line(k, k->form_label, mt->body, UI_TEXT_BOLD,
                                               rr.w - 2 * mt->pad - 4, cut, sizeof cut)
                                    : aw->other;
            kui_button(k, rr, lab, mt->body, typed ? B_SELECTED : B_NORMAL, ACT_ADM_OTHER, 0);
        }
    }
    y += rows * (mt->target + mt->gap);
    /* Date and expected attendance: [-] value [+] rows with a caption on the left. The date
     * is three buttons (day, month, year): the one chosen is what -/+ change. */
    char iso[SESSION_DATE_LEN + 1], day[16], year[8], exp[40];
    const char *month;
    form_date(k, iso, day, &month, year);
    if (k->form_expected > 0)
        snprintf(exp, sizeof exp, "%d %s", k->form_expected,
                 k->form_expected == 1 ? aw->person : aw->people);
    else
        snprintf(exp, sizeof exp, "%s", aw->no_limit);
    const char *minus[3] = {aw->minus_day, aw->minus_month, aw->minus_year},
               *plus[3] = {aw->plus_day, aw->plus_month, aw->plus_year};
    struct {
        const char *caption, *value, *minus, *plus;
        int action;
    } rows2[2] = {{aw->date, NULL, minus[k->form_part], plus[k->form_part], ACT_ADM_DAY},
                  {aw->expected, exp, "-1", "+1", ACT_ADM_EXPECTED}};
    int capw = kui_text_w(k, aw->expected, mt->body, UI_TEXT_BOLD);
    if (kui_text_w(k, aw->date, mt->body, UI_TEXT_BOLD) > capw)
        capw = kui_text_w(k, aw->date, mt->body, UI_TEXT_BOLD);
    capw += mt->gap;
    int pmw = 0; /* the widest of the steps, so that the buttons stay put */
    for (int i = 0; i < 3; i++)
        if (kui_text_w(k, plus[i], mt->body, 0) > pmw)
            pmw = kui_text_w(k, plus[i], mt->body, 0);
    pmw += 3 * mt->pad;
    if (pmw < mt->target * 3 / 2)
        pmw = mt->target * 3 / 2;
    for (int i = 0; i < 2; i++) {
        ui_text_box(k->f, (UiRect){mt->m, y, capw, mt->target}, mt->body, UI_TEXT_BOLD, c_fg,
                    UI_ALIGN_LEFT, 1, rows2[i].caption, -1);
        int x = mt->m + capw;
        int vw = cw - capw - 2 * pmw - 2 * mt->gap;
        if (!rows2[i].value && vw < 3 * mt->target + 2 * mt->gap) {
            /* Narrow (portrait): the date's parts on the caption's row, -/+ under them. */
            const char *parts[3] = {day, month, year};
            int pw = (cw - capw - 2 * mt->gap) / 3;
            kui_need(k, pw >= mt->target);
            for (int p = 0; p < 3; p++)
                kui_button(k, (UiRect){x + p * (pw + mt->gap), y, pw, mt->target}, parts[p],
                           mt->body, p == k->form_part ? B_SELECTED : B_NORMAL,
                           ACT_ADM_DATE_PART, p);
            y += mt->target + mt->gap;
            int sw = (cw - capw - mt->gap) / 2;
            kui_button(k, (UiRect){x, y, sw, mt->target}, rows2[i].minus, mt->body, B_NORMAL,
                       rows2[i].action, -1);
            kui_button(k, (UiRect){x + sw + mt->gap, y, sw, mt->target}, rows2[i].plus, mt->body,
                       B_NORMAL, rows2[i].action, 1);
            y += mt->target + mt->gap;
            continue;
        }
        kui_need(k, vw >= mt->target);
        kui_button(k, (UiRect){x, y, pmw, mt->target}, rows2[i].minus, mt->body, B_NORMAL,
                   rows2[i].action, -1);
        int vx = x + pmw + mt->gap;
        if (rows2[i].value) {
            int vs = kui_text_w(k, rows2[i].value, mt->title, UI_TEXT_BOLD) <= vw ? mt->title
                                                                                   : mt->body;
            ui_text_box(k->f, (UiRect){vx, y, vw, mt->target}, vs, UI_TEXT_BOLD, c_fg,
                        UI_ALIGN_CENTER, 1, rows2[i].value, -1);
        } else {
            const char *parts[3] = {day, month, year};
            int pw = (vw - 2 * mt->gap) / 3;
            for (int p = 0; p < 3; p++)
                kui_button(k, (UiRect){vx + p * (pw + mt->gap), y, pw, mt->target}, parts[p],
                           mt->body, p == k->form_part ? B_SELECTED : B_NORMAL,
                           ACT_ADM_DATE_PART, p);
        }
        kui_button(k, (UiRect){vx + vw + mt->gap, y, pmw, mt->target}, rows2[i].plus, mt->body,
                   B_NORMAL, rows2[i].action, 1);
        y += mt->target + mt->gap;
    }
    int by = k->fh - mt->m - mt->target;
    char clock[320];
    snprintf(clock, sizeof clock, "%s%s%s", aw->clock_pre, k->st.clock_date, aw->clock_post);
    const char *hint = k->form_error[0]     ? k->form_error
                       : k->st.clock_date[0] ? clock
                                             : aw->check_date;
    int hh = kui_text_h(k, hint, mt->small, 0, cw);
    kui_need(k, y + hh <= by);
    int warn = k->form_error[0] || k->st.clock_date[0];
    para(k, mt->m, y, cw, hint, mt->small, warn ? UI_TEXT_BOLD : 0, warn ? c_note : c_muted,
         UI_ALIGN_LEFT);
    const char *labels[2] = {aw->cancel, aw->open_session};
    ButtonStyle styles[2] = {B_NORMAL, k->form_label[0] ? B_PRIMARY : B_DISABLED};
    int actions[2] = {ACT_ADM_BACK, ACT_ADM_START};
    button_row(k, mt->m, by, cw, mt->target, 2, labels, styles, actions, NULL, mt->body);
}

static void build_label(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    int w = k->fw, h = k->fh, cw = w - 2 * mt->m;
    int row = mt->target * 4 / 5 < UI_MIN_TARGET ? UI_MIN_TARGET : mt->target * 4 / 5;
    int kw = w - 2 * mt->m >= 10 * UI_MIN_TARGET ? w - 2 * mt->m : w;
    int maxw = 80 * mt->s / 1000 * 10;
    if (kw > maxw && maxw >= 10 * UI_MIN_TARGET)
        kw = maxw;
    UiRect kr = {(w - kw) / 2, h - OSK_ROWS * row, kw, OSK_ROWS * row};
    const AdminWords *aw = kui_admin_words(k);
    int y = title_bar(k, aw->label_title, NULL, 0);
    /* Field, then Cancel and Done at its right. */
    int bw = kui_text_w(k, aw->cancel, mt->body, UI_TEXT_BOLD) + 4 * mt->pad;
    if (bw < 2 * mt->target)
        bw = 2 * mt->target;
    int fw = cw - 2 * (bw + mt->gap);
    int narrow = fw < 4 * mt->target;
    if (narrow)
        fw = cw;
    UiRect fr = {mt->m, y, fw, mt->target};
    ui_rect(k->f, fr, c_field);
    ui_frame_border(k->f, fr, 2, c_primary);
    int t = ui_target(k->f, fr, ACT_NONE, 0, 1);
    const OskEdit *e = &k->label_edit;
    int in_w = fr.w - 2 * mt->pad;
    int ty = fr.y + (fr.h - mt->lh_body) / 2;
    if (e->len == 0) {
        ui_text_box(k->f, (UiRect){fr.x + mt->pad, ty, in_w, mt->lh_body}, mt->body, 0, c_muted,
                    UI_ALIGN_LEFT, 0, aw->type_label, t);
        ui_rect(k->f, (UiRect){fr.x + mt->pad, ty + 2, 2, mt->lh_body - 4}, c_fg);
    } else {
        /* One line; when it is wider than the field, show its end. */
        size_t start = 0;
        while (start < e->len &&
               k->f->m.width(k->f->m.ctx, mt->body, 0, e->buf + start, e->len - start) > in_w)
            start += ui_utf8_len(e->buf + start, e->len - start);
        ui_text_run(k->f, fr.x + mt->pad, ty, mt->body, 0, c_fg, e->buf + start, e->len - start);
        size_t upto = e->caret > start ? e->caret - start : 0;
        int cx = fr.x + mt->pad +
                 (upto ? k->f->m.width(k->f->m.ctx, mt->body, 0, e->buf + start, upto) : 0);
        ui_rect(k->f, (UiRect){cx - 1, ty + 2, 2, mt->lh_body - 4}, c_fg);
        ui_label_add(k->f, fr, e->buf, e->len, t, 0);
    }
    int by = narrow ? y + mt->target + mt->gap : y;
    int bx = narrow ? mt->m + cw - 2 * bw - mt->gap : mt->m + fw + mt->gap;
    kui_button(k, (UiRect){bx, by, bw, mt->target}, aw->cancel, mt->body, B_NORMAL, ACT_ADM_BACK,
               0);
    kui_button(k, (UiRect){bx + bw + mt->gap, by, bw, mt->target}, aw->done, mt->body, B_PRIMARY,
               ACT_ADM_LABEL_DONE, 0);
    kui_need(k, by + mt->target <= kr.y);
    osk_layout(k->f, kr, &k->label_osk, ACT_ADM_KEY, mt->body, kui_pressed_at(k), NULL);
}

static void build_confirm(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    int w = k->fw, cw = w - 2 * mt->m;
    char msg[1024];
    const char *title, *yes;
    const AdminWords *aw = kui_admin_words(k);
    if (k->confirm == ACT_ADM_CLOSE) {
        title = aw->close_q;
        snprintf(msg, sizeof msg, "\xE2\x80\x9C%s\xE2\x80\x9D (%s) %s %lld %s.%s", k->st.label,
                 k->st.date, aw->has, k->st.responses,
                 kiosk_admin_one(aw, k->st.responses) ? aw->response : aw->responses,
                 aw->close_rest);
        yes = aw->close_session;
    } else if (k->confirm == ACT_ADM_CONSOLE) { /* for IT staff: English */
        title = "Stop the kiosk for IT staff?";
        snprintf(msg, sizeof msg,
                 "The kiosk stops and the console login appears on this screen. Nobody can "
                 "answer the survey until it is started again (sudo systemctl start "
                 "debrief-kiosk, or a restart of the Pi). Stored responses stay.");
        yes = "Stop the kiosk";
    } else if (k->confirm == ACT_ADM_KEYS) {
        title = aw->keys_q;
        char now[KIOSK_MAX_RCPT_FP * (KIOSK_FP_SIZE + 2)], was[sizeof now];
        size_t a = 0, b = 0;
        now[0] = was[0] = '\0';
        for (int i = 0; i < k->st.n_unconfirmed && i < KIOSK_MAX_RCPT_FP; i++)
            a += (size_t)snprintf(now + a, sizeof now - a, "%s%s", i ? ", " : "",
                                  k->st.unconfirmed_fp[i]);
        for (int i = 0; i < k->st.n_recipients && i < KIOSK_MAX_RCPT_FP; i++)
            b += (size_t)snprintf(was + b, sizeof was - b, "%s%s", i ? ", " : "",
                                  k->st.recipient_fp[i]);
        snprintf(msg, sizeof msg, "%s%s%s%s%s", aw->keys_now, now, aw->keys_was, was,
                 aw->keys_rest);
        yes = aw->use_keys;
    } else {
        title = aw->export_q;
        snprintf(msg, sizeof msg, "%s", aw->export_body);
        yes = aw->export_anyway;
    }
    int y = mt->top + mt->m;
    y = para(k, mt->m, y, cw, title, mt->title, UI_TEXT_BOLD, c_fg, UI_ALIGN_LEFT) + mt->gap;
    y = para(k, mt->m, y, cw, msg, mt->body, 0, c_fg, UI_ALIGN_LEFT);
    int by = k->fh - mt->m - mt->target;
    kui_need(k, y + mt->gap <= by);
    const char *labels[2] = {aw->cancel, yes};
    ButtonStyle styles[2] = {B_NORMAL, B_PRIMARY};
    int actions[2] = {ACT_ADM_BACK, ACT_ADM_CONFIRM};
    button_row(k, mt->m, by, cw, mt->target, 2, labels, styles, actions, NULL, mt->body);
}

static void build_result(Kiosk *k)
{
    const Metrics *mt = &k->mt;
    int w = k->fw, cw = w - 2 * mt->m;
    int y = title_bar(k, k->result_title, NULL, 0);
    y = para(k, mt->m, y, cw, k->result, mt->small, 0, c_fg, UI_ALIGN_LEFT);
    int by = k->fh - mt->m - mt->target;
    kui_need(k, y + mt->gap <= by);
    int force = k->result_held > 0 && !k->result_forced;
    char anyway[96];
    snprintf(anyway, sizeof anyway, "%s\xE2\x80\xA6", kui_admin_words(k)->export_anyway);
    const char *labels[2] = {kui_admin_words(k)->back, anyway};
    ButtonStyle styles[2] = {B_PRIMARY, B_NORMAL};
    int actions[2] = {ACT_ADM_BACK, ACT_ADM_FORCE};
    button_row(k, mt->m, by, force ? cw : cw / 2, mt->target, force ? 2 : 1, labels, styles,
               actions, NULL, mt->body);
}

void kadm_build(Kiosk *k)
{
    switch (k->screen) {
    case KS_PIN:
        build_pin(k);
        break;
    case KS_ADMIN:
        build_admin(k);
        break;
    case KS_ADMIN_OPEN:
        build_open(k);
        break;
    case KS_ADMIN_LABEL:
        build_label(k);
        break;
    case KS_ADMIN_CONFIRM:
        build_confirm(k);
        break;
    case KS_ADMIN_RESULT:
        build_result(k);
        break;
    default:
        break;
    }
}
