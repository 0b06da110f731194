/* pin: the coordinator's PIN for the kiosk's admin screen, stored as an Argon2id hash.
 *
 * The hash is libsodium's self-describing string ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash",
 * crypto_pwhash_argon2id_str), kept in DATA/admin-pin or as `pin_hash = ...` in the kiosk's
 * configuration file. The kiosk never stores the PIN itself.
 *
 * A PIN is 4 to 12 ASCII digits. Interactive-level cost (OPSLIMIT_INTERACTIVE = 2 passes,
 * MEMLIMIT_INTERACTIVE = 64 MiB): one check takes a fraction of a second on a Raspberry Pi
 * and the 64 MiB are allocated only while hashing (then unmapped). Rate limiting of wrong
 * PINs is the admin screen's job, not this module's.
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

#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 12
#define PIN_HASH_MAX 128                  /* crypto_pwhash_argon2id_STRBYTES, NUL included */
#define PIN_MEM_MAX ((uint64_t)128 << 20) /* largest memlimit a stored hash may ask for */
#define PIN_OPS_MAX 16

/* DB_OK if pin (len bytes, not NUL-terminated necessarily) is 4..12 ASCII digits, else
 * DB_EINVAL "the PIN must be 4 to 12 digits". */
int pin_check_format(const char *pin, size_t len, DbError *err);

/* Hashes a PIN with interactive-level Argon2id into out (NUL-terminated). The PIN's format
 * is checked first. DB_ENOMEM if Argon2 cannot get its memory. */
int pin_hash(const char *pin, size_t len, char out[PIN_HASH_MAX], DbError *err);

/* The same with explicit cost (tests use the minimum to stay fast). */
int pin_hash_params(const char *pin, size_t len, uint64_t opslimit, uint64_t memlimit,
                    char out[PIN_HASH_MAX], DbError *err);

/* Whether hash (NUL-terminated) is a usable Argon2id hash string within the limits above.
 * DB_OK, or DB_EFORMAT naming what is wrong (never showing the string). */
int pin_hash_check(const char *hash, DbError *err);

/* 0 if pin matches hash, -1 if it does not or the hash is not usable (checked as above). */
int pin_verify(const char *hash, const char *pin, size_t len);

#endif
