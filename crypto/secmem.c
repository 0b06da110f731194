/* secmem: locked, wiped memory and random numbers for modules that must not include
 * <sodium.h>: thin, checked wrappers over libsodium, and a check of the locked-memory limit. See
 * secmem.h. */
#include "secmem.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sodium.h>

int secmem_init(void)
{
    /* sodium_init returns 1 when already initialized: that is success too. */
    return sodium_init() < 0 ? -1 : 0;
}

void *secmem_alloc(size_t len)
{
    /* sodium_malloc fills new memory with 0xdb to catch use of uninitialized bytes; the
     * contract here is zeroed memory, which callers rely on for NUL-terminated text. */
    void *p = sodium_malloc(len);
    if (p)
        memset(p, 0, len);
    return p;
}

void secmem_free(void *p)
{
    /* sodium_free wipes the whole region, checks the canary and unmaps the guard pages. */
    if (p)
        sodium_free(p);
}

void secmem_wipe(void *p, size_t len)
{
    if (p && len > 0)
        sodium_memzero(p, len);
}

void secmem_random(void *buf, size_t len)
{
    if (len > 0)
        randombytes_buf(buf, len);
}

uint32_t secmem_random_below(uint32_t upper)
{
    assert(upper > 0);
    return randombytes_uniform(upper);
}

int secmem_can_lock(size_t len)
{
    void *p = NULL;
    if (len == 0)
        return 0;
    int pe = posix_memalign(&p, 4096, len);
    if (pe != 0) { /* it returns its error instead of setting errno */
        errno = pe;
        return -1;
    }
    memset(p, 0, len); /* mapped, so that mlock has pages to lock */
    /* The system call itself: AddressSanitizer's mlock() does nothing and says it worked. */
    long rc = syscall(SYS_mlock, p, len);
    int e = errno;
    if (rc == 0)
        syscall(SYS_munlock, p, len);
    free(p);
    errno = e;
    return rc == 0 ? 0 : -1;
}
