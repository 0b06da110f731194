/* kiosk_admin: what stands behind the coordinator's admin screen in debrief-kiosk.
 *
 * The UI core (admin_ui.c) draws the screens and calls KioskAdminOps; this module implements
 * them over the store (sessions, counts), app/coord (export, acknowledgement, the kiosk's
 * identity) and the file system (the removable drive, free space). It also keeps the
 * coordinator's PIN hash: DATA/admin-pin (mode 0600) or `pin_hash = ...` in the config.
 *
 * The analyst keys: the configured ones (a->rcpt) must be the ones pinned in the store
 * (app/coord/recipients.h). kiosk_keys_check pins them at the first start and says when they
 * differ; the admin screen's confirm_keys or `debrief-kiosk --pin-recipients` (which asks for
 * the PIN) pins them after the coordinator compared the fingerprints.
 *
 * The drive: a configured export directory (config `export_dir`) is used as is; otherwise
 * the first writable mount point among /media/debrief, /media/X/Y and /run/media/X/Y (what
 * udisks and most automounters create). A directory that is not a mount point is not a
 * drive: without this check an empty /media/debrief would quietly receive the batch on the
 * kiosk's own SD card.
 *
 * USB sticks: the debrief-kiosk package's udev rule has a vfat or exfat stick mounted at
 * /media/debrief for the kiosk's user only (packaging/udev, debrief-usb-mount@.service), and
 * unmounts it when the kiosk creates KIOSK_DRIVE_EJECT (debrief-usb-eject.path): the kiosk
 * itself never mounts anything and runs without privileges. Export and acknowledgement
 * release the stick when they are done and tell the coordinator when it can be removed.
 */
#ifndef DEBRIEF_KIOSK_ADMIN_H
#define DEBRIEF_KIOSK_ADMIN_H

#include <stddef.h>

#include "dberr.h"
#include "keys.h"
#include "kiosk_args.h"
#include "kiosk_ui.h"
#include "pin.h"
#include "store.h"
#include "survey.h"

#define KIOSK_PIN_FILE "admin-pin" /* DATA/admin-pin */
#define KIOSK_DRIVE_DEFAULT "/media/debrief"
#define KIOSK_ACK_MAX_FILES 64 /* acknowledgement files applied from one drive at once */
/* The kiosk's exit status after the admin screen's "Console": debrief-kiosk.service does not
 * restart it (RestartPreventExitStatus=) and starts the console login on tty1 instead. */
#define KIOSK_EXIT_CONSOLE 75
/* The request to unmount the stick at KIOSK_DRIVE_DEFAULT (RuntimeDirectory=debrief). */
#define KIOSK_DRIVE_EJECT "/run/debrief/usb-eject"

typedef struct KioskAdmin {
    Store *store;          /* borrowed: the kiosk's one open store; NULL while it cannot be
                              opened (the operations then say so) */
    const Survey *survey;  /* borrowed: sessions are opened for this survey */
    const char *data_dir;  /* borrowed */
    const KeyPublic *rcpt; /* borrowed: the analyst keys (recipients, ack verifiers) */
    int n_rcpt;
    const char *export_dir; /* configured drive directory, or "" to look for one */
    int k;                  /* min_responses (0: COORD_DEFAULT_K) */
    const char *out_of_service; /* borrowed: why the kiosk is out of service, "" if it is not */
    int console;            /* set when the coordinator stopped the kiosk for IT staff */
} KioskAdmin;

/* Fills ops with the operations over a (which must outlive the kiosk). */
void kiosk_admin_ops(KioskAdmin *a, KioskAdminOps *ops);

/* The messages below are in aw's words (kiosk_admin_words_for; NULL: English). */

/* Finds where Export writes: configured (may be NULL or "") or a mounted removable drive.
 * Fills out with the directory. DB_ENOENT "no USB drive found ..." or DB_EIO "... is
 * read-only" with a message the coordinator can act on. */
int kiosk_admin_find_drive(const AdminWords *aw, const char *configured, char *out, size_t cap,
                           DbError *err);

/* Whether there is a drive to export to now (configured, or a mounted stick, writable or
 * not), what to call it (the stick's file-system label, else "USB stick (DEVICE)"; "folder
 * NAME" for a configured directory) and its free bytes (-1 if unknown). aw: not NULL. */
void kiosk_admin_drive(const AdminWords *aw, const char *configured, int *present, char *name,
                       size_t cap, long long *free_bytes);

/* Releases the USB stick at dir: only the one at KIOSK_DRIVE_DEFAULT, by creating the file
 * request and waiting up to timeout_ms for it to be unmounted. Returns 1 when it can be
 * removed; msg (cap bytes) says so, or what to do instead. */
int kiosk_admin_release_drive(const AdminWords *aw, const char *dir, const char *request,
                              int timeout_ms, char *msg, size_t cap);

/* The date a new session starts from on the admin screen: clock_date ("YYYY-MM-DD"), unless
 * it is earlier than latest_session (the latest session's date, or "") or than this version
 * of Debrief (DEBRIEF_RELEASE_DATE): a Pi without a real-time clock may say 1970. Then the
 * later of those is proposed and doubtful receives clock_date (else ""). */
void kiosk_admin_propose_date(const char *clock_date, const char *latest_session,
                              char out[SESSION_DATE_LEN + 1],
                              char doubtful[SESSION_DATE_LEN + 1]);

/* Loads the PIN hash: config_hash when non-empty (*where = "the configuration"), else
 * DATA/admin-pin. DB_ENOENT if neither is set; DB_EFORMAT if the stored hash is unusable. */
int kiosk_pin_load(const char *data_dir, const char *config_hash, char out[PIN_HASH_MAX],
                   const char **where, DbError *err);

/* Writes hash to DATA/admin-pin (mode 0600, atomically). */
int kiosk_pin_store(const char *data_dir, const char *hash, DbError *err);

/* `debrief-kiosk --set-pin`: reads the new PIN twice from the terminal with echo off (or
 * once from pin_file), checks it (pin_check_new), hashes it (pin_hash) and stores it.
 * Messages go to stderr; returns the exit status (0, 1, or 2 for usage). */
int kiosk_set_pin_main(const char *data_dir, const char *pin_file, const char *config_hash,
                       const char *config_name);

/* Whether the kiosk may collect with its configured analyst keys (a->rcpt): DB_OK when they
 * are the pinned ones, or when nothing was pinned (they are pinned now, "first start", and
 * that is logged on stderr); DB_ESTATE with the coordinator's reason when another set is
 * pinned; the store's error when the pinned set cannot be read. DB_OK without a store. */
int kiosk_keys_check(KioskAdmin *a, DbError *why);

/* `debrief-kiosk --pin-recipients`: shows the pinned and the configured analyst keys, asks
 * for the coordinator PIN (terminal, echo off; or the first line of pin_file) and pins the
 * configured keys. Refused without a PIN set, with a wrong PIN, or for keys a key file that
 * others can write. Messages on stderr; returns the exit status (0, 1). */
int kiosk_pin_recipients_main(const KioskArgs *args);

#endif
