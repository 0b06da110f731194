/* bench_sdl_cold: the cold-start baseline as a process of its own: bare SDL + SDL_ttf init,
 * one frame with one text line, then READY=1 to $NOTIFY_SOCKET (as debrief-kiosk tells
 * systemd once its first screen is up), then teardown (sdl_bare_cold).
 * Usage: bench_sdl_cold W H FONT */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdl_bare.h"

static void notify_ready(void)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    if (!path || path[0] != '/' || strlen(path) >= sizeof sa.sun_path)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    (void)sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof sa);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_sdl_cold W H FONT\n");
        return 2;
    }
    return sdl_bare_cold((int)strtol(argv[1], NULL, 10), (int)strtol(argv[2], NULL, 10), argv[3],
                         notify_ready) == 0
               ? 0
               : 1;
}
