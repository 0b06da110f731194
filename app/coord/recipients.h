/* recipients: the analyst keys a kiosk is pinned to, kept in its store (kiosk_meta).
 *
 * Whoever holds a recipient's secret key reads every answer sealed to it, so the set must not
 * change unnoticed. The first kiosk start on a store pins the keys it is configured with
 * (trust on first use, with the fingerprints on the admin screen and in --selftest for the
 * coordinator to compare with the analyst's). Later starts compare the configured keys with
 * the pinned ones; a different set does not collect until the coordinator confirms it (admin
 * screen, behind the PIN) or IT runs `debrief-kiosk --pin-recipients` (asks for the PIN).
 * Acknowledgements are verified with the keys ever pinned here, never with a key named on a
 * command line, and purge only batches sealed to the key that signed them (coord_ack). For
 * that a key id and a signing key each name one key over the kiosk's life: a key pair is
 * never split (rcpt_split_pair).
 *
 * Kept in kiosk_meta:
 *   "recipients"       the pinned set: n x 64 bytes (X25519 pk || Ed25519 pk), n = 1..4,
 *                      sorted by bytes;
 *   "recipients_known" every key ever pinned here, oldest first (up to RCPT_KNOWN_MAX): a
 *                      batch names each record's recipient with its full key from this list,
 *                      also for responses sealed before a change;
 *   "recipients_log"   one text line per pinning ("YYYY-MM-DD: how: FP, FP (was: FP)"), the
 *                      newest last, at most RCPT_LOG_MAX bytes (the oldest lines drop out).
 * A change writes them in that order, so an interrupted change is at worst logged and not in
 * force (the kiosk then still refuses to collect), never in force and not logged.
 */
#ifndef DEBRIEF_RECIPIENTS_H
#define DEBRIEF_RECIPIENTS_H

#include <stddef.h>

#include "dberr.h"
#include "keys.h"
#include "seal.h"
#include "store.h"

#define RCPT_MAX SEAL_MAX_RECIPIENTS
#define RCPT_KNOWN_MAX 64 /* BATCH_MAX_RECIPIENTS: what one batch can name */
#define RCPT_LOG_MAX 2048

/* A set of analyst keys, in no particular order (compare with rcpt_same). */
typedef struct RcptSet {
    int n;
    KeyPublic keys[RCPT_MAX];
} RcptSet;

/* The pinned set; *found = 0 when nothing is pinned yet (no kiosk started on this store since
 * pinning existed). DB_EFORMAT if the stored value is damaged. */
int rcpt_pinned(Store *st, RcptSet *out, int *found, DbError *err);

/* Whether a and b hold the same keys (both halves), in any order. */
int rcpt_same(const RcptSet *a, const RcptSet *b);

/* 1 when a and b are different keys that share their key id (keys_public_id of the X25519
 * half) or their signing key: half of one pair put together with half of another. Pinned
 * next to a, such a b could sign for records sealed to a (the records name a's key id only). */
int rcpt_split_pair(const KeyPublic *a, const KeyPublic *b);

/* Pins set (1..RCPT_MAX keys, no repeats), replacing whatever was pinned, and logs it with
 * how ("first start", "confirmed on the admin screen", ...) and today's date. Nothing is
 * written when set is already the pinned one. DB_EINVAL for an empty or oversized set, or a
 * key that is a split pair (rcpt_split_pair) with another of set or with a key pinned
 * earlier; DB_ELIMIT when the kiosk has had RCPT_KNOWN_MAX different keys. The pinned set,
 * the known keys and the log change in one transaction: all of them or, on any error, none. */
int rcpt_pin(Store *st, const RcptSet *set, const char *how, DbError *err);

/* How the configured keys stand against the store (rcpt_check). */
typedef enum RcptState {
    RCPT_SAME,       /* the pinned set */
    RCPT_PINNED_NOW, /* nothing was pinned: now they are (the first start) */
    RCPT_CHANGED     /* another set is pinned: do not collect until it is confirmed */
} RcptState;

/* The kiosk's check at start and whenever another process changed the store: compares cfg
 * with the pinned set, pinning cfg ("first start") when nothing is pinned. *pinned receives
 * the set pinned now. */
int rcpt_check(Store *st, const RcptSet *cfg, RcptState *state, RcptSet *pinned,
               DbError *err);

/* Every key ever pinned on this store (for the batch header), oldest first. */
int rcpt_known(Store *st, KeyPublic out[RCPT_KNOWN_MAX], int *n, DbError *err);

/* The log (NUL-terminated, "" if empty) into buf (at least RCPT_LOG_MAX + 1 bytes). */
int rcpt_log(Store *st, char *buf, size_t cap, DbError *err);

/* "FP, FP" for a set, in its order (cap >= RCPT_MAX * 21). */
void rcpt_describe(const RcptSet *s, char *buf, size_t cap);

#endif
