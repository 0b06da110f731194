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

/* Around one piece of work that may outlast the watchdog interval (an export of many
 * responses, a compaction on a slow SD card), which would otherwise get the kiosk killed and
 * restarted halfway: the first raises systemd's watchdog timeout to seconds (and pings), the
 * second sets it back to $WATCHDOG_USEC (and pings). Nothing happens when $WATCHDOG_USEC is
 * unset. (WATCHDOG_USEC= at runtime: systemd 236 and later.) */
void sd_notify_watchdog_extend(unsigned seconds);
void sd_notify_watchdog_restore(void);

#endif
