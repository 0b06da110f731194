/* selftest: `debrief-kiosk --selftest`, the IT staff's pass/fail checklist.
 *
 * Runs every check on its own, so one problem does not hide the next: the survey, each
 * recipient key, the data directory (store opens, a file can be written, free space), the
 * fonts, the display (which video driver SDL gives us), and the coordinator PIN. Prints one
 * line per check to out ("ok", "WARN" or "FAIL", what was checked, what was found) and each
 * failure also to stderr as "debrief-kiosk: error: ...". Changes nothing it finds, except
 * that it creates the data directory if it is missing, as the kiosk itself would.
 */
#ifndef DEBRIEF_SELFTEST_H
#define DEBRIEF_SELFTEST_H

#include <stdio.h>

#include "kiosk_args.h"

/* Below this much free space in the data directory the selftest warns. */
#define SELFTEST_LOW_SPACE_BYTES (64LL * 1024 * 1024)

/* Returns 0 if no check failed (warnings allowed), 1 otherwise. */
int kiosk_selftest(const KioskArgs *args, FILE *out);

#endif
