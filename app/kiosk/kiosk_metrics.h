/* kiosk_metrics: the sizes a screen is laid out with (fonts, margins, gaps, the target
 * side), from the logical screen size, the font scale being tried and the panel's DPI.
 * Plain arithmetic over a UiMeasure: no state, no SDL.
 */
#ifndef DEBRIEF_KIOSK_METRICS_H
#define DEBRIEF_KIOSK_METRICS_H

#include "ui.h"

typedef struct Metrics {
    int s; /* scale in 1/1000 */
    int m, gap, pad, target;
    int body, small, title, big;
    int lh_body, lh_small, lh_title, lh_big;
    int top; /* first usable y (below the demo banner) */
} Metrics;

/* Sizes for a w x h logical screen at pct percent of the normal fonts: scaled against the 7"
 * panel (800 x 480, either orientation), targets at least UI_MIN_TARGET and, with dpi > 0,
 * at least 9 mm, and text at least 2.4 mm (body) and 2.0 mm (small) to the em. top is 0 (the
 * caller moves it below a banner). */
void kiosk_metrics_compute(Metrics *mt, const UiMeasure *m, int w, int h, int pct, int dpi);

#endif
