/* fault_screen: the "out of service" screen of a kiosk that cannot start (fault_screen.h). */
#include "fault_screen.h"

#include <stdio.h>

static const UiColor bg = {0xF4, 0xF4, 0xEF, 0xFF}, fg = {0x15, 0x15, 0x15, 0xFF},
                     note = {0x8A, 0x3B, 0x00, 0xFF}, muted = {0x4A, 0x4A, 0x4A, 0xFF};

void fault_screen_build(UiFrame *f, int w, int h, const char *reason, int retry_s)
{
    ui_frame_begin(f, w, h);
    ui_rect(f, (UiRect){0, 0, w, h}, bg);
    int unit = (w < h ? w : h) / 20; /* 24 px at 800x480 */
    if (unit < 12)
        unit = 12;
    int m = unit, cw = w - 2 * m, y = 2 * m;
    const char *title = "Out of service \xE2\x80\x94 Au\xC3\x9F"
                        "er Betrieb \xE2\x80\x94 Hors service";
    char retry[160];
    snprintf(retry, sizeof retry,
             "This kiosk could not start; it tries again every %d s. For IT staff: "
             "journalctl -u debrief-kiosk, and debrief-kiosk --config /etc/debrief/kiosk.conf "
             "--selftest",
             retry_s);
    int th = 0;
    ui_wrap_measure(&f->measure, title, unit * 3 / 2, UI_TEXT_BOLD, cw, &th);
    ui_text_box(f, (UiRect){m, y, cw, th}, unit * 3 / 2, UI_TEXT_BOLD, fg, UI_ALIGN_CENTER, 0,
                title, -1);
    y += th + unit;
    /* The reason as large as fits in what is left above the retry line. */
    int rh = 0, size = unit;
    ui_wrap_measure(&f->measure, retry, unit * 2 / 3, 0, cw, &rh);
    int room = h - y - rh - 2 * m;
    int mh = 0;
    for (; size > unit / 2; size--) {
        ui_wrap_measure(&f->measure, reason, size, UI_TEXT_BOLD, cw, &mh);
        if (mh <= room)
            break;
    }
    ui_text_box(f, (UiRect){m, y, cw, mh < room ? mh : room}, size, UI_TEXT_BOLD, note,
                UI_ALIGN_LEFT, 0, reason, -1);
    ui_text_box(f, (UiRect){m, h - m - rh, cw, rh}, unit * 2 / 3, 0, muted, UI_ALIGN_LEFT, 0, retry,
                -1);
}
