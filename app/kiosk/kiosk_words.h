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

/* The words for a language code ("de", "de-CH", "fr"): by its first two letters; English
 * for any other (or NULL). Never NULL. */
const UiWords *kiosk_words_for(const char *lang_code);

#endif
