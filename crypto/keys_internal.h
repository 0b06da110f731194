/* keys_internal: what keys.c shares with seal.c (and only them). Not a public header.
 *
 * The analyst's secret key lives in one sodium_malloc region, made read-only once filled
 * (sodium_mprotect_readonly), so a stray write cannot change it and sodium_free wipes it.
 */
#ifndef DEBRIEF_KEYS_INTERNAL_H
#define DEBRIEF_KEYS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define KEYS_SECRET_SEALED_BYTES 64 /* x25519 secret key (32) || ed25519 seed (32) */
#define KEYS_RECIPIENT_ID_BYTES KEY_ID_BYTES

struct KeySecret {
    uint8_t secrets[KEYS_SECRET_SEALED_BYTES]; /* box_sk || sign_seed: what the file seals */
    uint8_t sign_sk[64];                       /* crypto_sign_SECRETKEYBYTES, from the seed */
    KeyPublic pub;                             /* both public halves, derived from secrets */
};

/* The X25519 secret key inside a KeySecret. */
static inline const uint8_t *keys_secret_box_sk(const KeySecret *sec)
{
    return sec->secrets;
}

/* The 8-byte recipient key id of an X25519 public key (docs/FORMAT.md, "Sealed response
 * record"): the first 8 bytes of BLAKE2b-256("debrief-recipient-id-v1" || pk). */
void keys_recipient_id(const uint8_t pk[KEY_PUBLIC_BYTES], uint8_t id[KEYS_RECIPIENT_ID_BYTES]);

#endif
