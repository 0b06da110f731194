/* checksum: BLAKE2b through libsodium (see checksum.h). */
#include "checksum.h"

#include <assert.h>
#include <sodium.h>

void checksum_blake2b(uint8_t *out, size_t out_len, const void *a, size_t a_len, const void *b,
                      size_t b_len)
{
    assert(out_len >= crypto_generichash_BYTES_MIN && out_len <= crypto_generichash_BYTES_MAX);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, out_len);
    crypto_generichash_update(&st, a, a_len);
    if (b_len)
        crypto_generichash_update(&st, b, b_len);
    crypto_generichash_final(&st, out, out_len);
}
