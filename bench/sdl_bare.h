/* sdl_bare: the bare-SDL baselines for the kiosk benchmarks (the only bench code that
 * includes SDL; the product's SDL code stays in app/kiosk/platform_sdl.c).
 *
 * - sdl_bare_present: an empty clear + present of a w x h window with the software
 *   renderer, n times; samples in ms.
 * - sdl_bare_cold: SDL video + SDL_ttf init, a w x h window and software renderer, one text
 *   line rendered with the font, one present (then after_present, if not NULL), then
 *   teardown: what any SDL kiosk must do before its first frame. Used by bench_sdl_cold,
 *   which bench_kiosk times as a process up to its READY=1 notification.
 */
#ifndef DEBRIEF_SDL_BARE_H
#define DEBRIEF_SDL_BARE_H

int sdl_bare_present(int w, int h, int n, double *samples_ms);
int sdl_bare_cold(int w, int h, const char *font_path, void (*after_present)(void));

#endif
