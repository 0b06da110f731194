/* fault_screen: what a kiosk that cannot start shows instead of a blank screen.
 *
 * Under systemd a kiosk whose settings are wrong (a bad line in its configuration file, a
 * survey that does not load, a missing or bad analyst key) used to exit and be restarted every
 * few seconds with nothing on screen.
 * It now shows this screen: "Out of service" for whoever walks by, and the exact reason for IT
 * staff, and tries again while it shows it (main.c). Plain C over the draw list (ui.h): no SDL.
 */
#ifndef DEBRIEF_FAULT_SCREEN_H
#define DEBRIEF_FAULT_SCREEN_H

#include "ui.h"

/* Lays out the screen for a w x h logical display into f (begun here): a title, the reason
 * (borrowed; wrapped, shrunk to fit), and a line saying that the kiosk keeps trying every
 * retry_s seconds and where the log is. */
void fault_screen_build(UiFrame *f, int w, int h, const char *reason, int retry_s);

#endif
