/* keys: the analyst's key pair and the kiosk's Ed25519 identity.
 *
 * The analyst's key has two halves generated together: an X25519 key (responses are
 * sealed to it) and an Ed25519 key (it signs acknowledgements that let a kiosk purge
 * imported responses). Both public halves travel together in the public key file.
 *
 * Byte formats are specified in docs/FORMAT.md ("Public key file", "Secret key file",
 * "Kiosk identity file").
 *
 * - Public key file: one line of text holding both public halves and the fingerprint.
 *   Installed on kiosks; responses are sealed to it, acknowledgements verified with it.
 * - Secret key file: both secret halves encrypted under a passphrase with Argon2id
 *   (crypto_pwhash) and XSalsa20-Poly1305 (crypto_secretbox); the KDF parameters are stored
 *   in the file. Never leaves the analyst's machine.
 * - Identity file: the kiosk's Ed25519 seed, created on first start, mode 0600.
 *
 * A fingerprint is 80 bits of BLAKE2b over a domain tag and the public key, written as
 * four groups of four Crockford base-32 characters ("K7QF-2M9D-XR4A-PL3Z") so that people
 * can read it aloud and compare it with the kiosk's admin screen.
 *
 * Every failure to open a secret key (wrong passphrase, altered file) gives DB_EAUTH with
 * DBERR_AUTH_MSG: one message, no oracle. Structural problems found before any secret is
 * used (bad magic, wrong length, unsupported version) give DB_EFORMAT naming the problem.
 */
#ifndef DEBRIEF_KEYS_H
#define DEBRIEF_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"

#define KEY_PUBLIC_BYTES 32          /* crypto_box_PUBLICKEYBYTES */
#define KEY_SIGN_PUBLIC_BYTES 32     /* crypto_sign_PUBLICKEYBYTES */
#define KEY_SIGNATURE_BYTES 64       /* crypto_sign_BYTES */
#define KEY_FINGERPRINT_SIZE 20      /* "XXXX-XXXX-XXXX-XXXX" + NUL */
#define KEY_PASSPHRASE_MIN 8         /* bytes; keygen refuses shorter passphrases */
#define KEY_ID_BYTES 8               /* a recipient key id, as sealed records name recipients */

/* The analyst's public key: a recipient of sealed responses and the verifier of its
 * acknowledgements. Plain data, copy freely. */
typedef struct KeyPublic {
    uint8_t pk[KEY_PUBLIC_BYTES];           /* X25519 */
    uint8_t sign_pk[KEY_SIGN_PUBLIC_BYTES]; /* Ed25519 */
} KeyPublic;

/* The analyst's secret key (X25519 + Ed25519) held in locked memory. Opaque; free with
 * keys_secret_free. */
typedef struct KeySecret KeySecret;

/* The kiosk's Ed25519 signing identity held in locked memory. Free with keys_identity_free. */
typedef struct KeyIdentity KeyIdentity;

/* Argon2id cost, stored in the secret key file. */
typedef struct KeyKdfParams {
    uint64_t opslimit;
    uint64_t memlimit; /* bytes */
} KeyKdfParams;

/* crypto_pwhash_OPSLIMIT_MODERATE / MEMLIMIT_MODERATE: the default for real keys. */
KeyKdfParams keys_kdf_default(void);
/* crypto_pwhash_OPSLIMIT_MIN / MEMLIMIT_MIN: for tests only. */
KeyKdfParams keys_kdf_fast_for_tests(void);
/* crypto_pwhash_OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE (64 MiB): for throwaway keys such
 * as the kiosk demo's, where 256 MiB would be too much for a small device. */
KeyKdfParams keys_kdf_interactive(void);

/* --- fingerprints --- */

/* Writes the fingerprint of public key bytes into out. The analyst's fingerprint is taken
 * over pk || sign_pk (keys_public_fingerprint), a kiosk's over its Ed25519 key. */
void keys_fingerprint(const uint8_t *pk, size_t len, char out[KEY_FINGERPRINT_SIZE]);
void keys_public_fingerprint(const KeyPublic *pub, char out[KEY_FINGERPRINT_SIZE]);

/* The key id by which sealed records and batches name a recipient (docs/FORMAT.md, "Sealed
 * response record"): the first 8 bytes of BLAKE2b-256("debrief-recipient-id-v1" || pub->pk). */
void keys_public_id(const KeyPublic *pub, uint8_t id[KEY_ID_BYTES]);

/* A key id in lower-case hex, as messages, `debrief verify` and `debrief status` show it. */
#define KEY_ID_HEX_SIZE (2 * KEY_ID_BYTES + 1)
void keys_id_hex(const uint8_t id[KEY_ID_BYTES], char out[KEY_ID_HEX_SIZE]);

/* 0 if both halves of pub are usable (the X25519 key not a low-order point, the Ed25519 key
 * a point of the main subgroup), -1 otherwise: what keys_public_parse checks of the key
 * itself, for keys that arrive in other files (batches). */
int keys_public_check(const KeyPublic *pub);

/* --- the analyst's key pair --- */

/* Generates a new key pair. *sec is owned by the caller (keys_secret_free). */
int keys_generate(KeyPublic *pub, KeySecret **sec, DbError *err);

/* The public half of a secret key. */
void keys_secret_public(const KeySecret *sec, KeyPublic *pub);

/* The key id (keys_public_id) of a secret key's public half: which records it opens. */
void keys_secret_id(const KeySecret *sec, uint8_t id[KEY_ID_BYTES]);

/* Detached Ed25519 signature by the analyst's key (for acknowledgements). */
void keys_secret_sign(const KeySecret *sec, const uint8_t *msg, size_t len,
                      uint8_t sig[KEY_SIGNATURE_BYTES]);

/* Wipes and frees. NULL is a no-op. */
void keys_secret_free(KeySecret *sec);

/* Formats the public key file's single line (with trailing '\n') into out;
 * returns the length, or 0 if cap is too small. */
size_t keys_public_format(const KeyPublic *pub, char *out, size_t cap);

/* Parses a public key file's contents. name is used in error messages (a path). */
int keys_public_parse(const char *name, const char *text, size_t len, KeyPublic *pub,
                      DbError *err);

/* Reads / atomically writes (mode 0644) a public key file. */
int keys_public_read(const char *path, KeyPublic *pub, DbError *err);
int keys_public_write(const char *path, const KeyPublic *pub, DbError *err);

/* Encrypts the key pair under passphrase into a newly malloc'd buffer (*out, *out_len;
 * caller frees). Refuses passphrases shorter than KEY_PASSPHRASE_MIN bytes (DB_EINVAL). */
int keys_secret_seal(const KeySecret *sec, const char *passphrase, size_t pass_len,
                     KeyKdfParams kdf, uint8_t **out, size_t *out_len, DbError *err);

/* Opens a secret key file's bytes. DB_EFORMAT for a file that is not a Debrief secret key
 * (message says what is wrong), DB_EAUTH for a wrong passphrase or altered contents. */
int keys_secret_open(const char *name, const uint8_t *data, size_t len, const char *passphrase,
                     size_t pass_len, KeySecret **sec, DbError *err);

/* Reads the public key stored in the clear in a secret key file (no passphrase needed),
 * for `debrief fingerprint`. */
int keys_secret_file_public(const char *name, const uint8_t *data, size_t len, KeyPublic *pub,
                            DbError *err);

/* Reads / atomically writes (mode 0600) a secret key file. */
int keys_secret_read(const char *path, const char *passphrase, size_t pass_len, KeySecret **sec,
                     DbError *err);
int keys_secret_write(const char *path, const KeySecret *sec, const char *passphrase,
                      size_t pass_len, KeyKdfParams kdf, DbError *err);

/* --- the kiosk identity (Ed25519) --- */

/* Loads the identity seed at path, or creates it (mode 0600, atomically) if the file does
 * not exist; *created tells which. A file with the wrong size, magic or permissions wider
 * than 0600 is an error (never silently replaced: the identity anchors the batch chain). */
int keys_identity_load_or_create(const char *path, KeyIdentity **id, int *created, DbError *err);

/* Wipes and frees. NULL is a no-op. */
void keys_identity_free(KeyIdentity *id);

/* The identity's Ed25519 public key. */
void keys_identity_public(const KeyIdentity *id, uint8_t pk[KEY_SIGN_PUBLIC_BYTES]);

/* Detached Ed25519 signature over msg. */
void keys_identity_sign(const KeyIdentity *id, const uint8_t *msg, size_t len,
                        uint8_t sig[KEY_SIGNATURE_BYTES]);

/* 0 if sig is a valid signature of msg by pk, -1 otherwise. */
int keys_signature_verify(const uint8_t pk[KEY_SIGN_PUBLIC_BYTES], const uint8_t *msg, size_t len,
                          const uint8_t sig[KEY_SIGNATURE_BYTES]);

#endif
