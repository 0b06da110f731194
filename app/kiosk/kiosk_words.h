/* kiosk_words: the kiosk's own words (buttons, notes, the attract screen's messages, the
 * careful exits' questions) in the languages surveys are likely to come in: English,
 * German, French. A survey in any other language gets English words around its own texts
 * (the survey's texts are always its own); the "prefer not to answer" label comes from the
 * survey. Plain data: no layout, no state.
 */
#ifndef DEBRIEF_KIOSK_WORDS_H
#define DEBRIEF_KIOSK_WORDS_H

typedef struct UiWords {
    const char *code;
    const char *begin, *not_collecting, *session_full, *no_space, *out_of_service, *question, *of,
        *back, *next, *tap_to_type, *type_here, *hint, *done, *review_title, *not_answered, *edit,
        *earlier, *more, *submit, *thanks, *saved, *failed_title, *failed_body, *ok, *still_there,
        *cleared_pre, *cleared_post, *cleared_post_one, *cont, *note_choose, *note_one, *note_more,
        *note_write, *note_or_pre, *note_or_post;
    /* paged options: the buttons (without their arrows) and the words of "options 1–6 of 16"
     * and "option 7 of 16" (with `of`) */
    const char *more_options, *prev_options, *options_word, *option_word;
    /* the careful exits */
    const char *leave_title, *leave_body, *stay, *leave, *empty_title, *empty_body, *go_back,
        *submit_anyway;
    /* "page 1 of 2" on the review; the text limit reached (before and after the number) */
    const char *page_word, *limit_pre, *limit_post;
    /* the attract screen's choices */
    const char *larger_text, *high_contrast;
} UiWords;

/* The coordinator's screens, in the language shown on the attract screen when the PIN pad
 * was opened, and the results of the operations behind them (kiosk_admin.c). Counts are
 * written as pieces around the number (no format strings here); a name, path or count goes
 * between a _pre and a _post piece. Details from lower layers (a file system's error, a
 * refused acknowledgement's reason) stay English behind these words. */
typedef struct AdminWords {
    const char *code;
    const char *coordinator, *exit, *cap_session, *cap_unexported, *cap_unacked, *cap_free,
        *cap_kiosk, *cap_key, *cap_keys, *response, *responses, *so_far, *of, *none_open,
        *still_held, *unknown, *none, *open_session, *close_session, *export_, *apply_ack;
    const char *pin_title, *enter_pin, *locked_pre, *locked_post, *wrong_pin, *tries_pre,
        *tries_one, *tries_many, *digits_pre, *digits_post, *cancel, *done, *back, *ok;
    const char *open_title, *other, *date, *expected, *minus_day, *plus_day, *no_limit,
        *person, *people, *check_date, *choose_label, *not_opened;
    const char *label_title, *type_label, *close_q, *has, *close_rest, *export_q, *export_body,
        *export_anyway, *res_export_forced, *res_closed, *no_session, *closed_pre,
        *closed_with, *closed_rest, *not_closed, *res_ack;
    const char *weekdays[7]; /* from Thursday (1 Jan 1970) */
    const char *months[12];
    /* the USB stick row: its caption, "free" after its free space, no stick plugged in */
    const char *cap_stick, *free_, *no_stick;
    /* the date's month and year steps; a clock that cannot be right: before and after the
     * clock's date */
    const char *minus_month, *plus_month, *minus_year, *plus_year, *clock_pre, *clock_post;
    /* the analyst keys (a changed set to confirm) and a weak PIN */
    const char *cap_configured, *not_confirmed, *confirm_keys, *keys_q, *keys_now, *keys_was,
        *keys_rest, *use_keys, *res_keys, *weak_pin;
    /* status: the kiosk out of service, a configured export folder, a label not taken */
    const char *out_of_service, *folder, *label_not_taken;
    /* the store not open: before the reason, or in place of one */
    const char *db_closed, *see_journal, *nothing_exported, *nothing_deleted;
    /* the drive: none at the configured directory; "The drive at X is read-only / is full";
     * no USB stick found (before the places looked at); a drive that cannot be read */
    const char *no_drive_pre, *no_drive_post, *drive_at, *read_only, *is_full, *no_usb_pre,
        *no_usb_post, *unreadable_pre, *unreadable_post;
    /* an export: "Wrote FILE to DRIVE", its batch line, held back sessions, the open one */
    const char *wrote_pre, *wrote_mid, *resumed, *batch, *hash, *kiosk, *write_down, *held_pre,
        *held_label_post, *held_has, *held_fewer, *held_rest, *held_more_pre, *held_more_one,
        *held_more_many, *open_pre, *open_one, *open_many, *nothing_to_export,
        *nothing_else_to_export, *export_failed, *not_reported;
    /* an acknowledgement: FILE, pre, N response(s), mid, M batch(es), signed, FINGERPRINT, ")" */
    const char *no_ack_pre, *no_ack_post, *del_pre, *del_mid, *batch_one, *batch_many,
        *del_signed, *done_one, *done_many, *already_applied, *not_applied, *skipped_one,
        *skipped_many, *more_one, *more_many, *at_most_post, *total_pre, *total_post, *warning;
    /* the USB stick released, or why not (before and after the mount point) */
    const char *stick_released, *stick_in_use, *stick_not_released_pre,
        *stick_not_released_mid, *ask_it_post, *unmount_pre, *unmount_post;
    /* the analyst keys: not changed (before the reason); changed (after keys_now FPS) */
    const char *keys_not_changed, *keys_logged;
    int zero_is_one; /* 0 takes the singular, as 1 does (French: "0 reponse") */
} AdminWords;

/* The words for a language code ("de", "de-CH", "fr"): by its first two letters; English
 * for any other (or NULL). Never NULL. */
const UiWords *kiosk_words_for(const char *lang_code);
const AdminWords *kiosk_admin_words_for(const char *lang_code);
/* Whether a count of n takes the singular in aw's language (1; in French also 0). */
int kiosk_admin_one(const AdminWords *aw, long long n);
/* The tables, for tests that check every word: *n receives how many there are. */
const AdminWords *kiosk_admin_words_all(int *n);

#endif
