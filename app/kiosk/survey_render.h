/* survey_render: every screen of a survey laid out, checked and (optionally) drawn, at
 * every reference size in every language: what `debrief survey check` (layout) and
 * `debrief survey preview` run, through `debrief-kiosk --render-survey`.
 *
 * Screens: the attract screen; every question (follow-ups too, whatever the answers), each
 * page of its options if they are paged, its full keyboard if a text question has one; the
 * review with every question answered at its longest (longest option, every option of a
 * multiple choice, text up to max_length), each of its pages; the thank-you. Each is
 * checked with ui_frame_check and kiosk_layout_fits. Sizes: SURVEY_RENDER_SIZES.
 *
 * Needs the kiosk's fonts (and, to draw, SDL's dummy driver): the CLI-only build has
 * neither, so `debrief` runs debrief-kiosk for it.
 */
#ifndef DEBRIEF_SURVEY_RENDER_H
#define DEBRIEF_SURVEY_RENDER_H

#include <stdio.h>

#include "dberr.h"
#include "platform.h"
#include "survey.h"

#define SURVEY_RENDER_SIZES 9

/* Checks every screen; prints one line per problem to out ("layout: sections[1].questions[0]
 * (relevance), de, 480x320: text does not fit: ...") and a summary. With out_dir, also draws
 * each screen to out_dir/LANG-WxH-NN-NAME.png and writes out_dir/index.html, a contact sheet
 * of them all. *problems receives the count. DB_OK unless something could not be done (a
 * file not written: err says which); problems are not errors. */
int survey_render(const Survey *s, KFonts *fonts, const char *out_dir, FILE *out, int *problems,
                  DbError *err);

#endif
