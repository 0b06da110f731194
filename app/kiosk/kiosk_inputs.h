/* kiosk_inputs: the files the kiosk trusts, read with care.
 *
 * Whoever can change a recipient key reads the answers sealed to it; whoever can change the
 * survey or the configuration changes what participants are asked and where answers go;
 * whoever can write the data directory can plant a coordinator PIN (admin-pin), a kiosk
 * identity or a database. So each of these is refused when anyone but root and the kiosk's
 * user (as root: the data directory's owner) could change or replace it: it, a link or a
 * directory on its path belongs to another user or can be written by group or others. The
 * message names what is unsafe, its owner, its mode and the fix (fs_check_file_private; the
 * data directory: coord_open_data_dir, which the coordinator's commands use too). The
 * configuration file is checked where it is read (kiosk_args.c, trusting root and the
 * kiosk's user only: the data directory it names cannot vouch for it),
 * admin-pin where it is loaded (kiosk_pin_load). Demo mode checks only its own scratch files
 * (the bundled survey may sit in a developer's group-writable checkout).
 */
#ifndef DEBRIEF_KIOSK_INPUTS_H
#define DEBRIEF_KIOSK_INPUTS_H

#include "dberr.h"
#include "keys.h"
#include "kiosk_args.h"

/* Locked memory the kiosk must be able to get: answers, the typed text, the on-screen
 * frames' text and the next record's content key live in secmem_alloc memory. Measured
 * (strace of mlock/munlock through a participant, the admin screen and an export): a peak of
 * 280 KiB with 4 KiB pages, about 600 KiB with the Pi 5 kernel's 16 KiB pages (every
 * allocation takes whole pages). */
#define KIOSK_LOCKED_BYTES (1024 * 1024)

/* 0 if KIOSK_LOCKED_BYTES can be locked now; -1 otherwise, with msg saying why and what to
 * do (RLIMIT_MEMLOCK, LimitMEMLOCK= in the unit). */
int kiosk_memlock_check(char *msg, size_t cap);

/* Reads args->recipients[0 .. args->n_recipients) into keys, refusing a key file others can
 * change. Messages name the file ("recipient key /etc/debrief/analyst.pub: ..."). */
int kiosk_load_recipients(const KioskArgs *args, KeyPublic keys[KIOSK_MAX_RECIPIENTS],
                          DbError *err);


#endif
