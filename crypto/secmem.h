/* secmem: memory for plaintext answers and secrets.
 *
 * A thin wrapper over libsodium's guarded allocations so that modules which must not
 * include <sodium.h> (survey, kiosk) can still keep plaintext in locked memory that
 * is wiped when freed. Call secmem_init() once in main() before anything else.
 */
#ifndef DEBRIEF_SECMEM_H
#define DEBRIEF_SECMEM_H

#include <stddef.h>
#include <stdint.h>

/* Initializes libsodium. Returns 0 on success, -1 if the library cannot be used. */
int secmem_init(void);

/* Allocates len bytes of locked, zeroed memory (sodium_malloc + zero fill); NULL on failure.
 * Free with secmem_free, which wipes it. */
void *secmem_alloc(size_t len);

/* Wipes and frees memory from secmem_alloc. NULL is a no-op. */
void secmem_free(void *p);

/* Whether len more bytes can be locked in memory now (a scratch region is locked and
 * unlocked): 0, or -1 with errno (ENOMEM or EPERM: RLIMIT_MEMLOCK is too small). Needed
 * because secmem_alloc succeeds either way: when the limit is reached its memory is simply
 * not locked, and could be swapped out. */
int secmem_can_lock(size_t len);

/* Wipes len bytes at p (sodium_memzero): use for stack buffers that held plaintext. */
void secmem_wipe(void *p, size_t len);

/* Fills buf with len cryptographically secure random bytes (randombytes_buf). */
void secmem_random(void *buf, size_t len);

/* A uniformly random integer in [0, upper) (randombytes_uniform); upper > 0. */
uint32_t secmem_random_below(uint32_t upper);

#endif
