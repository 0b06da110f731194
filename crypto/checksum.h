/* checksum: BLAKE2b over one or two byte strings, for modules that must not include
 * <sodium.h> (the store checks its record slots with it). Not a MAC: it detects torn and
 * damaged writes, not forgeries. */
#ifndef DEBRIEF_CHECKSUM_H
#define DEBRIEF_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* out (out_len bytes, 16..64) = BLAKE2b of a ‖ b (b may be NULL with b_len 0). */
void checksum_blake2b(uint8_t *out, size_t out_len, const void *a, size_t a_len, const void *b,
                      size_t b_len);

#endif
