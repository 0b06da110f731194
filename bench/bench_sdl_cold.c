/* bench_sdl_cold: the cold-start baseline as a process of its own: bare SDL + SDL_ttf init,
 * one frame with one text line, teardown (sdl_bare_cold). Usage: bench_sdl_cold W H FONT */
#include <stdio.h>
#include <stdlib.h>

#include "sdl_bare.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_sdl_cold W H FONT\n");
        return 2;
    }
    return sdl_bare_cold((int)strtol(argv[1], NULL, 10), (int)strtol(argv[2], NULL, 10), argv[3]) ==
                   0
               ? 0
               : 1;
}
