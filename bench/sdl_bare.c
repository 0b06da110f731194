/* sdl_bare: bare SDL baselines (see sdl_bare.h). */
#include "sdl_bare.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>

#include "benchlib.h"

static int open_window(int w, int h, SDL_Window **win, SDL_Renderer **ren)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "bench: SDL_Init: %s\n", SDL_GetError());
        return -1;
    }
    *win = SDL_CreateWindow("bench", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, w, h, 0);
    *ren = *win ? SDL_CreateRenderer(*win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    if (!*ren) {
        fprintf(stderr, "bench: SDL window/renderer: %s\n", SDL_GetError());
        return -1;
    }
    return 0;
}

int sdl_bare_present(int w, int h, int n, double *samples_ms)
{
    SDL_Window *win = NULL;
    SDL_Renderer *ren = NULL;
    if (open_window(w, h, &win, &ren) != 0)
        return -1;
    for (int i = -5; i < n; i++) {
        uint64_t a = bench_now_ns();
        SDL_SetRenderDrawColor(ren, 0, 0, 0, 255);
        SDL_RenderClear(ren);
        SDL_RenderPresent(ren);
        if (i >= 0)
            samples_ms[i] = (double)(bench_now_ns() - a) / 1e6;
    }
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return 0;
}

int sdl_bare_cold(int w, int h, const char *font_path, void (*after_present)(void))
{
    SDL_Window *win = NULL;
    SDL_Renderer *ren = NULL;
    if (open_window(w, h, &win, &ren) != 0 || TTF_Init() != 0)
        return -1;
    TTF_Font *font = TTF_OpenFont(font_path, 32);
    if (!font) {
        fprintf(stderr, "bench: TTF_OpenFont: %s\n", TTF_GetError());
        return -1;
    }
    SDL_Color white = {255, 255, 255, 255};
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, "Tap to begin", white);
    SDL_Texture *t = s ? SDL_CreateTextureFromSurface(ren, s) : NULL;
    if (!t)
        return -1;
    SDL_SetRenderDrawColor(ren, 0, 0, 0, 255);
    SDL_RenderClear(ren);
    SDL_Rect dst = {w / 2 - s->w / 2, h / 2 - s->h / 2, s->w, s->h};
    SDL_RenderCopy(ren, t, NULL, &dst);
    SDL_RenderPresent(ren);
    if (after_present)
        after_present();
    SDL_DestroyTexture(t);
    SDL_FreeSurface(s);
    TTF_CloseFont(font);
    TTF_Quit();
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return 0;
}
