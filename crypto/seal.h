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

/* The part of a record that does not depend on the answers, made ahead of time: the header, a
 * fresh content key K sealed to each recipient (crypto_box_seal: an X25519 key exchange per
 * recipient, most of the cost of sealing) and a random nonce. The kiosk makes the next one
 * while it waits for a finger, so a submit only pads and encrypts. An envelope seals exactly
 * one record: seal_envelope_use wipes K whatever the outcome, and a second use is DB_ESTATE.
 * K is in locked memory until then. */
typedef struct SealEnvelope SealEnvelope;

/* Makes an envelope for records of padded_size (see seal_record) to the n recipients.
 * DB_EINVAL for a bad size or count, or a degenerate (low-order) recipient key. */
int seal_envelope_new(size_t padded_size, const KeyPublic *recipients, int n_recipients,
                      SealEnvelope **out, DbError *err);

/* Pads plain and seals it with the envelope into out, as seal_record does; then the
 * envelope is spent (free it). */
int seal_envelope_use(SealEnvelope *env, const uint8_t *plain, size_t plain_len, uint8_t *out,
                      size_t out_cap, size_t *out_len, DbError *err);

/* Wipes and frees; NULL is a no-op. */
void seal_envelope_free(SealEnvelope *env);

/* Opens a record with sec, unpads, and writes the plaintext to plain (capacity cap; a
 * buffer of padded size is always enough, see seal_record_padded_size). DB_EFORMAT for a
 * record whose structure is wrong, DB_EAUTH (one message) when sec is not a recipient or
 * any byte was altered. The caller wipes plain when done. */
int seal_open(const uint8_t *rec, size_t rec_len, const KeySecret *sec, uint8_t *plain,
              size_t cap, size_t *plain_len, DbError *err);

/* Reads the padded size from a record's header without opening it (0 if malformed). */
size_t seal_record_padded_size(const uint8_t *rec, size_t rec_len);

/* A record's identity, for noticing one record imported twice (docs/FORMAT.md, "Record id"):
 * BLAKE2b-256("debrief-record-id-v1" || the bytes before the ciphertext: header, slots and
 * nonce). Those bytes fix the only ciphertext that authenticates with them, so two records
 * that both open have the same id exactly when they are the same bytes; no key is needed.
 * DB_EFORMAT (seal_open's messages) for a record whose structure is wrong. */
#define SEAL_RECORD_ID_BYTES 32
int seal_record_id(const uint8_t *rec, size_t rec_len, uint8_t id[SEAL_RECORD_ID_BYTES],
                   DbError *err);

/* The key ids (keys_public_id) of the recipients a record is sealed to, from its slots,
 * without opening it: *n of them (1..SEAL_MAX_RECIPIENTS) into ids. -1 if rec is not a
 * well-formed sealed record (seal_open's structural checks: magic, version, count, padded
 * size, exact length). The ids are not authenticated here: a changed id makes seal_open fail. */
int seal_record_key_ids(const uint8_t *rec, size_t rec_len,
                        uint8_t ids[SEAL_MAX_RECIPIENTS][KEY_ID_BYTES], int *n);

#endif
