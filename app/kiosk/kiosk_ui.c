/* kiosk_ui: the participant's flow (see kiosk_ui.h): the state machine from the attract
 * screen to the thank-you, the answers, fingers and keys, time. What each screen looks like
 * is kiosk_layout.c's job, the words kiosk_words.c's, the sizes kiosk_metrics.c's; the
 * coordinator's screens are admin_ui.c's, which this file calls and which calls nothing
 * here (it asks to leave with adm_leave).
 */
#include "kiosk_ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "secmem.h"

static uint64_t view_key(const Kiosk *k);

void kiosk_config_defaults(KioskConfig *c)
{
    memset(c, 0, sizeof *c);
    c->idle_timeout_ms = 90 * 1000;
    c->idle_countdown_ms = 20 * 1000;
    c->thanks_ms = 8 * 1000;
    c->admin_timeout_ms = 120 * 1000;
    c->long_press_ms = 3000;
    c->pin_lock_after = 3;
    c->pin_lock_ms = 30 * 1000;
    c->tap_guard_ms = 300;
    c->double_tap_ms = 500;
}

int kiosk_new(const Survey *s, const KioskConfig *cfg, int lang, KioskSubmitFn submit,
              void *submit_ctx, UiMeasure m, Kiosk **out, DbError *err)
{
    *out = NULL;
    Kiosk *k = calloc(1, sizeof *k);
    if (!k)
        return dberr_set(err, DB_ENOMEM, "kiosk: out of memory");
    k->s = s;
    k->cfg = *cfg;
    k->submit = submit;
    k->submit_ctx = submit_ctx;
    k->lang = k->default_lang = lang >= 0 && lang < s->n_langs ? lang : 0;
    int max_text = 1;
    for (int i = 0; i < s->n_questions; i++)
        if (s->questions[i].kind == SURVEY_TEXT && s->questions[i].max_length > max_text)
            max_text = s->questions[i].max_length;
    k->f = ui_frame_new(m);
    if (!k->f || osk_edit_init(&k->edit, max_text) != 0 || kadm_init(k) != 0 ||
        response_new(s, k->lang, &k->r_mem, NULL) != DB_OK) {
        kiosk_free(k);
        return dberr_set(err, DB_ENOMEM, "kiosk: cannot allocate locked memory for answers");
    }
    k->theme = &kiosk_theme_normal;
    k->dirty = 1;
    k->view = view_key(k);
    *out = k;
    return DB_OK;
}

/* Wipes the participant's answers; the memory stays for the next participant. */
static void drop_response(Kiosk *k)
{
    response_clear(k->r_mem);
    k->r = NULL;
    k->epoch++; /* the backend forgets renderings that showed these answers (UI_TEXT_ANSWER) */
}

/* The admin screens asked to leave (Exit, Cancel, their timeout). */
static void admin_left(Kiosk *k)
{
    if (k->adm_leave) {
        k->adm_leave = 0;
        kiosk_reset(k);
    }
}

void kiosk_free(Kiosk *k)
{
    if (!k)
        return;
    response_free(k->r_mem); /* wipes */
    osk_edit_fini(&k->edit);
    kadm_fini(k);
    ui_frame_free(k->f);
    free(k);
}

/* Discards everything the participant entered and returns to the attract screen. */
void kiosk_reset(Kiosk *k)
{
    drop_response(k);
    osk_edit_clear(&k->edit);
    memset(&k->osk, 0, sizeof k->osk);
    k->osk.layout = kui_keyboard_layout(k);
    k->screen = KS_ATTRACT;
    k->lang = k->default_lang;
    k->theme = &kiosk_theme_normal; /* the next participant chooses afresh */
    k->large = 0;
    k->q = k->from_review = k->note = k->page = k->warn = k->dialog = 0;
    k->opt_page = 0;
    kadm_wipe(k);
    k->screen_since = k->now;
    k->dirty = 1;
}

KioskScreen kiosk_screen(const Kiosk *k)
{
    return k->screen;
}
int kiosk_idle_warning(const Kiosk *k)
{
    return k->warn;
}
int kiosk_current_question(const Kiosk *k)
{
    return k->screen == KS_ATTRACT ? -1 : k->q;
}
const char *kiosk_last_error(const Kiosk *k)
{
    return k->last_error;
}
int kiosk_submitted(const Kiosk *k)
{
    return k->submitted;
}
int kiosk_layout_fits(const Kiosk *k)
{
    return k->fits;
}

void kiosk_set_admin(Kiosk *k, const KioskAdminOps *ops)
{
    if (ops)
        k->admin = *ops;
    k->has_admin = ops && ops->status;
    if (k->has_admin && k->admin.pin_fails_load)
        kadm_restore_pin_fails(k, k->admin.pin_fails_load(k->admin.ctx));
}


void kiosk_set_availability(Kiosk *k, KioskAvailability a)
{
    if (k->cfg.availability != a)
        k->dirty = 1;
    k->cfg.availability = a;
}

KioskAvailability kiosk_availability(const Kiosk *k)
{
    return k->cfg.availability;
}




/* ---- navigation ---- */

static int next_visible(const Kiosk *k, int q)
{
    for (int i = q + 1; i < k->s->n_questions; i++)
        if (response_visible(k->r, i))
            return i;
    return -1;
}

static int prev_visible(const Kiosk *k, int q)
{
    for (int i = q - 1; i >= 0; i--)
        if (response_visible(k->r, i))
            return i;
    return -1;
}

/* Moves the text being typed into the response (and out of the editor's buffer). */
static void commit_text(Kiosk *k)
{
    if (!k->r || k->screen == KS_ATTRACT || kui_cur_q(k)->kind != SURVEY_TEXT)
        return;
    Answer *a = &k->r->answers[k->q];
    if (k->edit.len > 0) {
        DbError err;
        if (response_set_text(k->r, k->q, k->edit.buf, &err) != DB_OK)
            response_unset(k->r, k->q); /* cannot happen: the editor enforces max_length */
    } else if (a->state == ANSWER_GIVEN) {
        response_unset(k->r, k->q);
    }
    osk_edit_clear(&k->edit);
}

static void go_question(Kiosk *k, int q)
{
    if (q != k->q || k->screen != KS_QUESTION)
        k->opt_page = 0; /* reloading the same question (the note) keeps its page */
    k->q = q;
    k->screen = KS_QUESTION;
    k->note = 0;
    osk_edit_clear(&k->edit);
    memset(&k->osk, 0, sizeof k->osk);
    k->osk.layout = kui_keyboard_layout(k);
    const SurveyQuestion *sq = kui_cur_q(k);
    if (sq->kind == SURVEY_TEXT) {
        k->edit.max_chars = sq->max_length;
        const Answer *a = &k->r->answers[q];
        if (a->state == ANSWER_GIVEN && a->text)
            osk_edit_set(&k->edit, a->text);
    }
}

void kui_preview_show(Kiosk *k, KioskScreen screen, int q, int page)
{
    if (!k->r) {
        k->r = k->r_mem;
        k->r->lang = k->lang;
    }
    if (screen == KS_QUESTION || screen == KS_TYPING) {
        go_question(k, q);
        k->screen = screen;
        k->opt_page = page;
    } else {
        k->screen = screen;
        k->page = page;
    }
    k->dirty = 1;
}

static void go_review(Kiosk *k)
{
    k->screen = KS_REVIEW;
    k->from_review = 0;
    k->note = 0;
    k->page = 0;
}

static void do_submit(Kiosk *k)
{
    if (k->submitting || !k->r)
        return;
    k->submitting = 1;
    DbError err;
    dberr_clear(&err);
    int rc = k->submit ? k->submit(k->submit_ctx, k->r, &err)
                       : dberr_set(&err, DB_ESTATE, "no store to submit to");
    /* Whatever happened, the answers leave memory now. */
    drop_response(k);
    osk_edit_clear(&k->edit);
    if (rc == DB_OK) {
        k->submitted++;
        k->last_error[0] = '\0';
        k->screen = KS_THANKS;
    } else {
        snprintf(k->last_error, sizeof k->last_error, "%s", err.msg);
        k->screen = KS_FAILED;
    }
    k->screen_since = k->now;
    k->submitting = 0;
}

static void do_next(Kiosk *k)
{
    commit_text(k);
    if (!response_question_ok(k->r, k->q)) {
        k->note = 1;
        go_question(k, k->q); /* reload the text (commit moved it out of the editor) */
        k->note = 1;
        return;
    }
    int n = next_visible(k, k->q);
    if (k->from_review || n < 0)
        go_review(k);
    else
        go_question(k, n);
}

/* Whether the participant has answered or declined anything (or is typing). */
static int anything_given(const Kiosk *k)
{
    if (k->edit.len > 0)
        return 1;
    for (int i = 0; i < k->s->n_questions; i++)
        if (k->r->answers[i].state != ANSWER_NONE)
            return 1;
    return 0;
}

static void do_back(Kiosk *k)
{
    commit_text(k);
    if (k->from_review) {
        go_review(k);
        return;
    }
    int p = prev_visible(k, k->q);
    if (p >= 0)
        go_question(k, p);
    else if (anything_given(k))
        k->dialog = DLG_LEAVE; /* asks once: leaving clears the answers */
    else
        kiosk_reset(k); /* nothing to lose: back to the start */
}

static void do_action(Kiosk *k, const UiTarget *t)
{
    DbError err;
    switch (t->action) {
    case ACT_BEGIN:
        if (k->cfg.availability != KA_COLLECTING || k->r)
            return;
        k->r = k->r_mem; /* clear: made so, and wiped by drop_response after each use */
        k->r->lang = k->lang;
        k->from_review = 0;
        {
            int q = response_visible(k->r, 0) ? 0 : next_visible(k, 0);
            if (q < 0)
                go_review(k);
            else
                go_question(k, q);
        }
        break;
    case ACT_LANG:
        k->lang = t->arg;
        break;
    case ACT_LARGER:
        k->large = !k->large;
        break;
    case ACT_CONTRAST:
        k->theme = k->theme == &kiosk_theme_contrast ? &kiosk_theme_normal : &kiosk_theme_contrast;
        break;
    case ACT_LIKERT:
        response_set_likert(k->r, k->q, t->arg, &err);
        k->note = 0;
        break;
    case ACT_OPTION:
        if (kui_cur_q(k)->kind == SURVEY_MULTI)
            response_toggle_multi(k->r, k->q, t->arg, &err);
        else
            response_set_single(k->r, k->q, t->arg, &err);
        k->note = 0;
        break;
    case ACT_PREFER:
        if (k->r->answers[k->q].state == ANSWER_DECLINED) {
            response_unset(k->r, k->q);
        } else {
            osk_edit_clear(&k->edit);
            response_decline(k->r, k->q, &err);
        }
        k->note = 0;
        break;
    case ACT_NEXT:
        do_next(k);
        break;
    case ACT_BACK:
        if (k->screen == KS_REVIEW) {
            int last = prev_visible(k, k->s->n_questions);
            if (last >= 0)
                go_question(k, last);
        } else {
            do_back(k);
        }
        break;
    case ACT_KEY:
        if (osk_press(&k->osk, &k->edit, t->arg) && k->r->answers[k->q].state == ANSWER_DECLINED)
            response_unset(k->r, k->q);
        k->note = 0;
        break;
    case ACT_FIELD:
        k->screen = KS_TYPING;
        break;
    case ACT_DONE:
        k->screen = KS_QUESTION;
        break;
    case ACT_EDIT: {
        int q = t->arg;
        go_question(k, q);
        k->from_review = 1;
        break;
    }
    case ACT_SUBMIT: {
        int inc = response_first_incomplete(k->r);
        if (inc >= 0) {
            go_question(k, inc);
            k->from_review = 1;
            k->note = 1;
        } else if (!anything_given(k)) {
            k->dialog = DLG_EMPTY; /* asks once: an empty response is rarely meant */
        } else {
            do_submit(k);
        }
        break;
    }
    case ACT_DLG_STAY:
        k->dialog = 0;
        break;
    case ACT_DLG_GO: {
        int d = k->dialog;
        k->dialog = 0;
        if (d == DLG_LEAVE)
            kiosk_reset(k);
        else if (d == DLG_EMPTY)
            do_submit(k);
        break;
    }
    case ACT_PAGE:
        k->page += t->arg;
        if (k->page < 0)
            k->page = 0;
        break;
    case ACT_OPT_PAGE:
        if (!t->enabled)
            return; /* no earlier / later options */
        k->opt_page += t->arg;
        if (k->opt_page >= k->opt_pages)
            k->opt_page = k->opt_pages - 1;
        if (k->opt_page < 0)
            k->opt_page = 0;
        break;
    case ACT_OK:
        kiosk_reset(k);
        break;
    default:
        break;
    }
}

int kui_input_seen(Kiosk *k)
{
    k->last_input = k->now;
    if (k->warn) {
        k->warn = 0; /* any key answers "Are you still there?" */
        k->dirty = 1;
        return 1;
    }
    return 0;
}

/* ---- fingers ----
 *
 * A target acts when the finger that went down on it is lifted on it (kiosk_press, then
 * kiosk_release); it is drawn pressed while the finger stays on it. After the screen changes
 * (another screen, question, page, the note, the idle warning) a finger that was down is
 * ignored until it lifts, and a press is ignored for cfg.tap_guard_ms from the moment the new
 * screen is shown: the second tap of a double tap meant for the old screen lands on nothing.
 * A press within cfg.double_tap_ms of the last tap and at the same place (one target's side)
 * is the second half of a double tap and is ignored too, except on keys, which people do
 * tap twice ("ll"). */

/* What the participant sees, as far as a finger is concerned: changes of any of it move
 * targets under the finger. (Not the availability: a tap on "not collecting" does nothing
 * anyway, and the corner's long press must work while a shell opens and closes sessions.) */
static uint64_t view_key(const Kiosk *k)
{
    uint64_t v = (uint64_t)k->screen;
    v = v * 257 + (uint64_t)(k->screen == KS_ATTRACT ? 0 : k->q + 1);
    v = v * 257 + (uint64_t)k->page;
    v = v * 257 + (uint64_t)k->opt_page;
    v = v * 3 + (uint64_t)(k->warn != 0);
    v = v * 3 + (uint64_t)(k->note != 0);
    v = v * 7 + (uint64_t)k->confirm;
    v = v * 3 + (uint64_t)k->dialog;
    v = v * 4 + (uint64_t)(k->large * 2 + (k->theme == &kiosk_theme_contrast));
    return v;
}

/* Called after anything that may have changed the screen. */
static void note_view(Kiosk *k)
{
    uint64_t v = view_key(k);
    if (v == k->view)
        return;
    k->view = v;
    k->changed = 1;
    k->guard_from = k->now;
    k->view_unshown = 1;
    if (k->finger)
        k->finger_ignored = 1; /* it went down on what is not there any more */
    k->press_on = 0;
}

void kiosk_frame_shown(Kiosk *k, uint64_t now_ms)
{
    if (k->view_unshown && now_ms > k->guard_from)
        k->guard_from = now_ms;
    k->view_unshown = 0;
}

/* Targets tapped twice on purpose: keys (letters, PIN digits) and steppers. */
static int repeatable(int action)
{
    return action == ACT_KEY || action == ACT_ADM_KEY || action == ACT_PIN_DIGIT ||
           action == ACT_PIN_BACK || action == ACT_ADM_DAY || action == ACT_ADM_EXPECTED;
}

static void ensure_frame(Kiosk *k)
{
    if (k->dirty || !k->fw)
        kiosk_frame(k, k->fw ? k->fw : 800, k->fh ? k->fh : 480);
}

static int near_last_tap(const Kiosk *k, int x, int y)
{
    int r = k->mt.target ? k->mt.target : UI_MIN_TARGET;
    return abs(x - k->last_tap_x) <= r && abs(y - k->last_tap_y) <= r;
}

int64_t kiosk_input_wait(const Kiosk *k, int x, int y)
{
    int64_t wait = 0;
    uint64_t g = k->guard_from + (uint64_t)k->cfg.tap_guard_ms;
    if (k->changed && g > k->now) /* no guard before the first change: nothing came before */
        wait = (int64_t)(g - k->now);
    int i = k->f && k->fw ? ui_frame_hit(k->f, x, y) : -1;
    if (k->tapped && near_last_tap(k, x, y) && !(i >= 0 && repeatable(k->f->targets[i].action))) {
        uint64_t d = k->last_tap_at + (uint64_t)k->cfg.double_tap_ms;
        if (d > k->now && (int64_t)(d - k->now) > wait)
            wait = (int64_t)(d - k->now);
    }
    return wait;
}



int kiosk_press(Kiosk *k, int x, int y)
{
    ensure_frame(k);
    int was_on = k->press_on;
    k->finger = 1;
    k->finger_ignored = 0;
    k->press_on = 0;
    k->press_down = 0;
    k->fx = x;
    k->fy = y;
    k->last_input = k->now; /* a finger on the screen is someone there */
    if (kiosk_input_wait(k, x, y) > 0) {
        k->finger_ignored = 1;
        return was_on;
    }
    /* The corner whose long press opens the PIN pad (also when not collecting, when the
     * attract screen has no targets) shows nothing, so that it hints at nothing. */
    if (k->screen == KS_ATTRACT && !k->warn && ui_rect_contains(kiosk_admin_corner(k), x, y)) {
        k->press_down = 1;
        k->press_since = k->now;
    }
    int i = ui_frame_hit(k->f, x, y);
    if (i < 0)
        return was_on;
    const UiTarget *t = &k->f->targets[i];
    k->press_action = t->action;
    k->press_arg = t->arg;
    k->press_rect = t->r;
    /* The "tap anywhere" backgrounds have no look of their own either. */
    k->press_on = t->action != ACT_NONE && !k->warn;
    if (k->press_on || was_on)
        k->look_dirty = 1; /* the same layout, another look: targets stay where they are */
    return k->press_on || was_on;
}

int kiosk_move(Kiosk *k, int x, int y)
{
    if (!k->finger)
        return 0;
    int before = k->press_on && ui_rect_contains(k->press_rect, k->fx, k->fy);
    k->fx = x;
    k->fy = y;
    int after = k->press_on && ui_rect_contains(k->press_rect, x, y);
    if (before != after)
        k->look_dirty = 1;
    return before != after;
}

int kiosk_release(Kiosk *k, int x, int y)
{
    ensure_frame(k);
    int was_down = k->finger, ignored = k->finger_ignored, was_on = k->press_on;
    int action = k->press_action, arg = k->press_arg;
    k->finger = k->finger_ignored = k->press_on = k->press_down = 0;
    k->press_action = 0;
    k->fx = x;
    k->fy = y;
    if (was_on)
        k->look_dirty = 1;
    if (!was_down || ignored || !action)
        return was_on;
    int i = ui_frame_hit(k->f, x, y);
    if (i < 0 || k->f->targets[i].action != action || k->f->targets[i].arg != arg)
        return was_on; /* lifted somewhere else: a slide, not a tap */
    UiTarget t = k->f->targets[i];
    k->last_input = k->now;
    if (!repeatable(t.action)) {
        k->tapped = 1;
        k->last_tap_at = k->now;
        k->last_tap_x = x;
        k->last_tap_y = y;
    }
    if (t.action == ACT_CONTINUE && k->warn) {
        k->warn = 0; /* "Are you still there?" answered */
    } else if (t.action >= ACT_PIN_DIGIT) {
        kadm_action(k, &t);
        admin_left(k);
    } else {
        do_action(k, &t);
    }
    k->dirty = 1;
    note_view(k);
    return 1;
}

int kiosk_tap(Kiosk *k, int x, int y)
{
    int a = kiosk_press(k, x, y);
    int b = kiosk_release(k, x, y);
    return a || b;
}

static int typing_here(const Kiosk *k)
{
    return k->r &&
           (k->screen == KS_TYPING || (k->screen == KS_QUESTION && kui_cur_q(k)->kind == SURVEY_TEXT));
}

static int key_in(Kiosk *k, KioskKey key)
{
    int changed = kui_input_seen(k);
    if (changed)
        return 1;
    if (k->dialog) { /* Escape stays; the question is answered with a finger */
        if (key != KK_ESCAPE)
            return 0;
        k->dialog = 0;
        k->dirty = 1;
        return 1;
    }
    if (kadm_screen(k->screen)) {
        int r = kadm_key(k, key);
        admin_left(k);
        return r;
    }
    if (typing_here(k)) {
        switch (key) {
        case KK_BACKSPACE:
            osk_edit_backspace(&k->edit);
            break;
        case KK_DELETE:
            osk_edit_delete(&k->edit);
            break;
        case KK_LEFT:
            osk_edit_left(&k->edit);
            break;
        case KK_RIGHT:
            osk_edit_right(&k->edit);
            break;
        case KK_HOME:
            osk_edit_home(&k->edit);
            break;
        case KK_END:
            osk_edit_end(&k->edit);
            break;
        case KK_ESCAPE:
            if (k->screen == KS_TYPING)
                k->screen = KS_QUESTION;
            break;
        case KK_ENTER:
            if (k->screen == KS_TYPING)
                k->screen = KS_QUESTION;
            else
                do_next(k);
            break;
        default:
            return 0;
        }
        k->dirty = 1;
        return 1;
    }
    if (key == KK_ENTER) {
        if (k->screen == KS_ATTRACT) {
            UiTarget t = {{0, 0, 0, 0}, ACT_BEGIN, 0, 1};
            do_action(k, &t);
        } else if (k->screen == KS_QUESTION) {
            do_next(k);
        } else {
            return 0;
        }
        k->dirty = 1;
        return 1;
    }
    if (key == KK_ESCAPE && k->screen == KS_QUESTION) {
        do_back(k);
        k->dirty = 1;
        return 1;
    }
    return 0;
}

int kiosk_key(Kiosk *k, KioskKey key)
{
    int r = key_in(k, key);
    note_view(k);
    return r;
}

static int text_in(Kiosk *k, const char *utf8)
{
    int changed = kui_input_seen(k);
    if (k->dialog)
        return changed;
    if (!changed && kadm_screen(k->screen))
        return kadm_text(k, utf8);
    if (changed || !typing_here(k))
        return changed;
    osk_edit_insert(&k->edit, utf8);
    if (k->r->answers[k->q].state == ANSWER_DECLINED)
        response_unset(k->r, k->q);
    k->note = 0;
    k->dirty = 1;
    return 1;
}

int kiosk_text(Kiosk *k, const char *utf8)
{
    int r = text_in(k, utf8);
    note_view(k);
    return r;
}

/* ---- time ---- */

static int active_screen(const Kiosk *k)
{
    return k->screen == KS_QUESTION || k->screen == KS_TYPING || k->screen == KS_REVIEW;
}


static int tick(Kiosk *k, uint64_t now_ms)
{
    if (now_ms < k->now)
        now_ms = k->now;
    int before = k->warn ? kui_countdown_left(k) : -1;
    k->now = now_ms;
    k->ticked = 1;
    if (kadm_tick(k)) {
        admin_left(k);
        return 1;
    }
    if (k->warn) {
        if (now_ms - k->warn_since >= (uint64_t)k->cfg.idle_countdown_ms) {
            kiosk_reset(k);
            return 1;
        }
        if (kui_countdown_left(k) != before) {
            k->dirty = 1;
            return 1;
        }
        return 0;
    }
    if (active_screen(k) && now_ms - k->last_input >= (uint64_t)k->cfg.idle_timeout_ms) {
        commit_text(k);
        if (k->screen != KS_REVIEW)
            go_question(k, k->q); /* keeps the text visible under the warning */
        k->warn = 1;
        k->warn_since = now_ms;
        k->dirty = 1;
        return 1;
    }
    if ((k->screen == KS_THANKS || k->screen == KS_FAILED) &&
        now_ms - k->screen_since >= (uint64_t)k->cfg.thanks_ms * (k->screen == KS_FAILED ? 2 : 1)) {
        kiosk_reset(k);
        return 1;
    }
    return 0;
}

int kiosk_tick(Kiosk *k, uint64_t now_ms)
{
    int r = tick(k, now_ms);
    note_view(k);
    return r;
}

int64_t kiosk_next_timer(const Kiosk *k)
{
    int64_t adm = kadm_next_timer(k);
    if (adm >= 0)
        return adm;
    if (k->warn) {
        uint64_t el = k->now - k->warn_since;
        if (el >= (uint64_t)k->cfg.idle_countdown_ms)
            return 0;
        uint64_t left = (uint64_t)k->cfg.idle_countdown_ms - el;
        uint64_t to_sec = left % 1000;
        return (int64_t)(to_sec ? to_sec : 1000);
    }
    if (active_screen(k)) {
        uint64_t el = k->now - k->last_input;
        return el >= (uint64_t)k->cfg.idle_timeout_ms
                   ? 0
                   : (int64_t)((uint64_t)k->cfg.idle_timeout_ms - el);
    }
    if (k->screen == KS_THANKS || k->screen == KS_FAILED) {
        uint64_t lim = (uint64_t)k->cfg.thanks_ms * (k->screen == KS_FAILED ? 2 : 1);
        uint64_t el = k->now - k->screen_since;
        return el >= lim ? 0 : (int64_t)(lim - el);
    }
    return -1;
}







