/* idle-bench: the naive way to wait for a finger with SDL, as the baseline of the kiosk's
 * idle figures (tools/emulated-pi, docs/PERFORMANCE.md): a full-screen window, one frame
 * drawn, then SDL_WaitEvent until SDL_QUIT (SIGTERM). On KMSDRM SDL 2.26 has no real wait and
 * polls about every millisecond; the kiosk waits on the input devices itself.
 *
 *     idle-bench          (SDL_VIDEODRIVER=kmsdrm, as the kiosk's service runs)
 *
 * Prints "idle-bench: ready (driver, renderer)" once the frame is up, and the number of
 * events it woke up for at exit.
 */
#include <SDL.h>
#include <stdio.h>

int main(void)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "idle-bench: SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    SDL_Window *win = SDL_CreateWindow("idle-bench", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                       800, 480, SDL_WINDOW_SHOWN | SDL_WINDOW_FULLSCREEN_DESKTOP);
    SDL_Renderer *ren = win ? SDL_CreateRenderer(win, -1, 0) : NULL;
    SDL_RendererInfo info;
    if (!ren || SDL_GetRendererInfo(ren, &info) != 0) {
        fprintf(stderr, "idle-bench: no window or renderer: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawColor(ren, 40, 40, 40, 255);
    SDL_RenderClear(ren);
    SDL_RenderPresent(ren);
    fprintf(stderr, "idle-bench: ready (%s, %s)\n", SDL_GetCurrentVideoDriver(), info.name);
    unsigned long events = 0;
    SDL_Event e;
    while (SDL_WaitEvent(&e)) {
        events++;
        if (e.type == SDL_QUIT)
            break;
    }
    fprintf(stderr, "idle-bench: %lu events\n", events);
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return 0;
}
