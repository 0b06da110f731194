/* fuzz_secret_key: keys_secret_file_public and keys_secret_open on arbitrary bytes
 * (crypto/keys.h) — the analyst's passphrase-protected secret key file.
 *
 * The file names its own Argon2id cost; the parser refuses absurd values, but even the
 * allowed range (up to 1 GiB, 32 passes) is far too slow for fuzzing. So the passphrase is
 * tried (with the vector passphrase) only when the header asks for the minimum cost, as the
 * test vector does; every input still goes through the full structural parse.
 */
#include <string.h>

#include "fuzz_support.h"
#include "keys.h"
#include "../vectors/vectors.h"

#define SK_OFF_OPS 6 /* docs/FORMAT.md, "Secret key file" */
#define SK_OFF_MEM 14

static KeyKdfParams g_min;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    g_min = keys_kdf_fast_for_tests();
    return 0;
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    KeyPublic pub;
    DbError err;
    int rc = keys_secret_file_public("fuzz.key", data, size, &pub, &err);
    FUZZ_ASSERT(rc == DB_OK || rc == DB_EFORMAT);
    int cheap = size >= SK_OFF_MEM + 8 && be64(data + SK_OFF_OPS) == g_min.opslimit &&
                be64(data + SK_OFF_MEM) == g_min.memlimit;
    if (!cheap)
        return 0;
    KeySecret *sec = NULL;
    int orc = keys_secret_open("fuzz.key", data, size, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE),
                               &sec, &err);
    if (rc != DB_OK) {
        /* A file the structural parse refuses is refused the same way when opening. */
        FUZZ_ASSERT(orc == DB_EFORMAT && sec == NULL);
        return 0;
    }
    if (orc != DB_OK) {
        FUZZ_ASSERT(sec == NULL);
        FUZZ_ASSERT(orc == DB_EAUTH && strcmp(err.msg, DBERR_AUTH_MSG) == 0);
        return 0;
    }
    /* Opened: the public key stored in the clear must be the one the secrets give. */
    KeyPublic derived;
    keys_secret_public(sec, &derived);
    FUZZ_ASSERT(memcmp(&derived, &pub, sizeof pub) == 0);
    keys_secret_free(sec);
    return 0;
}
