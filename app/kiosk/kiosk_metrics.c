/* kiosk_metrics: sizes from the screen (see kiosk_metrics.h). */
#include "kiosk_metrics.h"

void kiosk_metrics_compute(Metrics *mt, const UiMeasure *m, int w, int h, int pct, int dpi)
{
    /* Scale against the 7" panel (800 x 480) in either orientation. */
    int lng = w > h ? w : h, sht = w > h ? h : w;
    int s = lng * 1000 / 800;
    if (sht * 1000 / 480 < s)
        s = sht * 1000 / 480;
    if (s < 600)
        s = 600;
    if (s > 1800)
        s = 1800;
    mt->s = s;
    int fs = s * pct / 100;
    mt->body = 20 * fs / 1000;
    if (mt->body < 12)
        mt->body = 12;
    mt->small = mt->body * 4 / 5;
    if (mt->small < 11)
        mt->small = 11;
    /* With the panel's density known, text never goes under a size read at arm's length
     * (body 2.4 mm, small 2.0 mm to the em), however small the screen in pixels: a 3.5"
     * 480x320 panel (165 dpi) gets 15 px body text, not 12 (1.3 mm letters). */
    if (dpi > 0) {
        int min_body = 24 * dpi / 254, min_small = 20 * dpi / 254;
        if (mt->body < min_body)
            mt->body = min_body;
        if (mt->small < min_small)
            mt->small = min_small;
    }
    mt->title = mt->body * 13 / 10;
    mt->big = mt->body * 2;
    mt->m = 16 * s / 1000;
    if (mt->m < 8)
        mt->m = 8;
    mt->gap = 10 * s / 1000;
    if (mt->gap < 6)
        mt->gap = 6;
    mt->pad = 8 * s / 1000;
    if (mt->pad < 4)
        mt->pad = 4;
    mt->target = 56 * s / 1000;
    if (dpi > 0 && mt->target < 9 * dpi * 10 / 254)
        mt->target = 9 * dpi * 10 / 254;
    if (mt->target < UI_MIN_TARGET)
        mt->target = UI_MIN_TARGET;
    mt->lh_body = m->line_height(m->ctx, mt->body, 0);
    mt->lh_small = m->line_height(m->ctx, mt->small, 0);
    mt->lh_title = m->line_height(m->ctx, mt->title, UI_TEXT_BOLD);
    mt->lh_big = m->line_height(m->ctx, mt->big, UI_TEXT_BOLD);
    mt->top = 0;
}
