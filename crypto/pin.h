/* pin: the coordinator's PIN for the kiosk's admin screen, stored as an Argon2id hash.
 *
 * The hash is libsodium's self-describing string ("$argon2id$v=19$m=131072,t=2,p=1$salt$hash",
 * crypto_pwhash_argon2id_str), kept in DATA/admin-pin or as `pin_hash = ...` in the kiosk's
 * configuration file. The kiosk never stores the PIN itself.
 *
 * A new PIN is 6 to 12 ASCII digits and not one of the first a guesser tries (pin_check_new:
 * one digit repeated, a run with a fixed step such as 123456 or 135791, a group repeated such
 * as 123123, a mirror image such as 123321, a date such as 19850412, 12041985 or 120485).
 * PINs of 4 or 5 digits set by Debrief before 0.3 are still accepted when entered
 * (pin_verify), so that an upgrade does not lock the coordinator out; the admin screen and
 * --selftest say to replace them.
 *
 * The cost: 128 MiB and 2 passes (PIN_MEMLIMIT, PIN_OPSLIMIT), twice the memory of
 * libsodium's "interactive" level that Debrief used before 0.3 (a hash at another cost is
 * not pin_hash_current). The memory is allocated only while hashing (then unmapped).
 * docs/THREAT_MODEL.md gives what an offline search of a stolen hash costs. Rate limiting of
 * wrong PINs is the admin screen's job, not this module's.
 *
 * A hash string from a file is untrusted: before running Argon2, pin_verify checks that its
 * parameters stay within PIN_MEM_MAX / PIN_OPS_MAX so that a hostile configuration cannot
 * make the kiosk allocate gigabytes.
 */
#ifndef DEBRIEF_PIN_H
#define DEBRIEF_PIN_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"

#define PIN_MIN_DIGITS 6     /* a new PIN */
#define PIN_MIN_DIGITS_OLD 4 /* the shortest PIN still accepted when entered (set before 0.3) */
#define PIN_MAX_DIGITS 12
#define PIN_HASH_MAX 128                  /* crypto_pwhash_argon2id_STRBYTES, NUL included */
#define PIN_MEM_MAX ((uint64_t)128 << 20) /* largest memlimit a stored hash may ask for */
#define PIN_OPS_MAX 16
#define PIN_MEMLIMIT ((uint64_t)128 << 20) /* the cost of a new hash */
#define PIN_OPSLIMIT 2

/* DB_OK if pin (len bytes, not NUL-terminated necessarily) is 4..12 ASCII digits: what may
 * be entered (older PINs included), else DB_EINVAL "the PIN must be 4 to 12 digits". */
int pin_check_format(const char *pin, size_t len, DbError *err);

/* DB_OK if pin may be set as a new PIN: 6..12 digits and none of the trivial ones above.
 * DB_EINVAL with a message that says which rule it breaks (never the PIN itself). */
int pin_check_new(const char *pin, size_t len, DbError *err);

/* Hashes a new PIN (pin_check_new first) with Argon2id at PIN_OPSLIMIT / PIN_MEMLIMIT into
 * out (NUL-terminated). DB_ENOMEM if Argon2 cannot get its memory. */
int pin_hash(const char *pin, size_t len, char out[PIN_HASH_MAX], DbError *err);

/* Any 4..12 digits (pin_check_format only) at an explicit cost: for tests, which use the
 * minimum to stay fast and stand in for hashes older versions made. */
int pin_hash_params(const char *pin, size_t len, uint64_t opslimit, uint64_t memlimit,
                    char out[PIN_HASH_MAX], DbError *err);

/* 1 if hash (a usable hash string) was made at the current cost, i.e. by pin_hash of
 * Debrief 0.3 or later, which refuses short and trivial PINs; 0 otherwise (set by an older
 * version: possibly a 4-digit PIN, cheaper to search). */
int pin_hash_current(const char *hash);

/* Whether hash (NUL-terminated) is a usable Argon2id hash string within the limits above.
 * DB_OK, or DB_EFORMAT naming what is wrong (never showing the string). */
int pin_hash_check(const char *hash, DbError *err);

/* 0 if pin matches hash, -1 if it does not or the hash is not usable (checked as above). */
int pin_verify(const char *hash, const char *pin, size_t len);

#endif
