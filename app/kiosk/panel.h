/* panel: the physical size of the panel the console kiosk shows on, for sizes in millimetres
 * (targets of 9 mm, text read at arm's length on a 3.5" panel as on a 10" one).
 *
 * SDL 2.26 reports no DPI on KMSDRM (SDL_GetDisplayDPI fails there), but the DRM connector
 * says what the panel's driver or its EDID knows: mm_width x mm_height. This asks the kernel
 * directly (read-only, /dev/dri/card0..7, the first connected connector with a size), with
 * the kernel's own structures: no library. The configuration's panel_mm overrides it.
 */
#ifndef DEBRIEF_PANEL_H
#define DEBRIEF_PANEL_H

#include <stddef.h>

/* The first connected DRM connector's size in mm. 0 on success (*w_mm, *h_mm > 0, where
 * names the device and connector, e.g. "/dev/dri/card1 connector 32"); -1 if none says. */
int panel_size_mm(int *w_mm, int *h_mm, char *where, size_t cap);

/* Dots per inch of a panel px pixels wide over mm millimetres (rounded), or 0. */
int panel_dpi(int px, int mm);

#endif
