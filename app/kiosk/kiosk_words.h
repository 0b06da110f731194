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
 * was opened. Counts are written as pieces around the number (no format strings here). The
 * messages of an export or acknowledgement come from the app and stay in English. */
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
} AdminWords;

/* The words for a language code ("de", "de-CH", "fr"): by its first two letters; English
 * for any other (or NULL). Never NULL. */
const UiWords *kiosk_words_for(const char *lang_code);
const AdminWords *kiosk_admin_words_for(const char *lang_code);

#endif
