/* sd_notify: the systemd notify protocol without libsystemd.
 *
 * One datagram ("READY=1", "WATCHDOG=1", "STATUS=...") to the AF_UNIX socket named in
 * $NOTIFY_SOCKET (a path, or '@' for the abstract namespace). Does nothing when the variable
 * is unset, so the kiosk behaves the same outside systemd. Kept apart from main.c because
 * <sys/socket.h> defines names (SO_TYPE ...) that clash with the script ops.
 */
#ifndef DEBRIEF_SD_NOTIFY_H
#define DEBRIEF_SD_NOTIFY_H

void sd_notify_send(const char *msg);

#endif
