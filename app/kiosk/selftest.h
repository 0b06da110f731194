/* selftest: `debrief-kiosk --selftest`, the IT staff's pass/fail checklist.
 *
 * Runs every check on its own, so one problem does not hide the next: the survey, each
 * recipient key, the data directory (store opens, a file can be written, free space, and it
 * is not on a file system that forgets everything at power-off), the analyst keys against
 * those pinned on the kiosk, the fonts, the display (which video driver SDL gives us), the
 * coordinator PIN (a hash set before 0.3 is a warning), whether answers can be kept in locked
 * memory (kiosk_memlock_check), and whether the process could be swapped out (typed answers
 * pass through SDL's buffers). Files others can write are failures (kiosk_inputs.h). Prints one
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

/* The swap check, on files given by path so tests can feed their own: proc_swaps is a
 * /proc/swaps, proc_cgroup a /proc/self/cgroup, cgroup_root where the cgroup v2 tree is
 * mounted (/sys/fs/cgroup). Returns 0 if this process cannot be swapped out (no swap
 * active, or its cgroup's memory.swap.max is 0: MemorySwapMax=0 in the unit), 1 if it can;
 * msg (cap bytes) says which. */
int selftest_swap_check(const char *proc_swaps, const char *proc_cgroup,
                        const char *cgroup_root, char *msg, size_t cap);

/* Whether directory dir is on a volatile file system, by the mount that holds it in
 * mountinfo (a /proc/self/mountinfo): tmpfs or ramfs, an overlay (overlayroot's read-only
 * root keeps its writes in RAM), or a zram device. Returns 1 if it is, with msg (cap bytes)
 * naming the file-system type and the mount point; 0 otherwise (msg names them too), and
 * -1 if mountinfo cannot be read or has no mount for dir. */
int selftest_volatile_check(const char *mountinfo, const char *dir, char *msg, size_t cap);

#endif
