/* seal: fixed-size sealed response records.
 *
 * A record carries one response's canonical plaintext (see response.h), padded to a fixed
 * size (sodium_pad) so the length of free text does not leak, and encrypted so that only
 * the holders of the recipients' secret keys can open it:
 *
 *   a fresh random content key K encrypts the padded plaintext with
 *   XChaCha20-Poly1305 (crypto_aead_xchacha20poly1305_ietf), the record header as
 *   associated data; K is sealed to each recipient with crypto_box_seal.
 *
 * Byte layout: docs/FORMAT.md, "Sealed response record". Records of the same padded
 * size and recipient count are all exactly the same length.
 *
 * Plaintext buffers made here are in locked memory and wiped before return; callers wipe
 * their own plaintext (secmem_wipe) once sealed.
 */
#ifndef DEBRIEF_SEAL_H
#define DEBRIEF_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"
#include "keys.h"

#define SEAL_MAX_RECIPIENTS 4
#define SEAL_MIN_PADDED 256            /* smallest padded plaintext size */
#define SEAL_MAX_PADDED (64 * 1024)    /* largest padded plaintext size */
#define SEAL_MAX_RECORD (SEAL_MAX_PADDED + 1024)

/* Total record length for a padded plaintext size and recipient count. */
size_t seal_record_size(size_t padded_size, int n_recipients);

/* Pads plain (plain_len < padded_size) to padded_size and seals it to the n recipients
 * into out (capacity out_cap >= seal_record_size(...)). padded_size must be a multiple of
 * 16 within [SEAL_MIN_PADDED, SEAL_MAX_PADDED]. DB_ELIMIT if plain does not fit. */
int seal_record(const uint8_t *plain, size_t plain_len, size_t padded_size,
                const KeyPublic *recipients, int n_recipients, uint8_t *out, size_t out_cap,
                size_t *out_len, DbError *err);

/* Opens a record with sec, unpads, and writes the plaintext to plain (capacity cap; a
 * buffer of padded size is always enough, see seal_record_padded_size). DB_EFORMAT for a
 * record whose structure is wrong, DB_EAUTH (one message) when sec is not a recipient or
 * any byte was altered. The caller wipes plain when done. */
int seal_open(const uint8_t *rec, size_t rec_len, const KeySecret *sec, uint8_t *plain,
              size_t cap, size_t *plain_len, DbError *err);

/* Reads the padded size from a record's header without opening it (0 if malformed). */
size_t seal_record_padded_size(const uint8_t *rec, size_t rec_len);

#endif
