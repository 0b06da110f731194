/* sd_notify: systemd notify datagrams (see sd_notify.h). */
#include "sd_notify.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void sd_notify_send(const char *msg)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof sa.sun_path)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t n = strlen(path);
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@')
        sa.sun_path[0] = '\0'; /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    (void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
    close(fd);
}

/* $WATCHDOG_USEC if it is a plain number, else NULL. */
static const char *watchdog_usec(void)
{
    const char *us = getenv("WATCHDOG_USEC");
    if (!us || !us[0] || strlen(us) > 20 || strspn(us, "0123456789") != strlen(us))
        return NULL;
    return us;
}

void sd_notify_watchdog_extend(unsigned seconds)
{
    if (!watchdog_usec())
        return;
    char msg[64];
    snprintf(msg, sizeof msg, "WATCHDOG=1\nWATCHDOG_USEC=%llu",
             (unsigned long long)seconds * 1000000ULL);
    sd_notify_send(msg);
}

void sd_notify_watchdog_restore(void)
{
    const char *us = watchdog_usec();
    if (!us)
        return;
    char msg[64];
    snprintf(msg, sizeof msg, "WATCHDOG_USEC=%s\nWATCHDOG=1", us);
    sd_notify_send(msg);
}
