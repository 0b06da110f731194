/* fuzz_identity: keys_identity_load_or_create on arbitrary file contents (crypto/keys.h) —
 * the kiosk's Ed25519 identity file.
 *
 * The loader reads a path, so each input is written (mode 0600) to a file in a private
 * directory first. The file always exists, so the loader must never create a new identity;
 * one that loads must sign verifiably.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_support.h"
#include "keys.h"

static char g_path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    snprintf(g_path, sizeof g_path, "%s/kiosk.id", fuzz_private_dir());
    return 0;
}

static void write_input(const uint8_t *data, size_t size)
{
    int fd = open(g_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_ASSERT(fd >= 0);
    FUZZ_ASSERT(fchmod(fd, 0600) == 0);
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        FUZZ_ASSERT(n > 0);
        off += (size_t)n;
    }
    FUZZ_ASSERT(close(fd) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_input(data, size);
    KeyIdentity *id = NULL;
    int created = 1;
    DbError err;
    int rc = keys_identity_load_or_create(g_path, &id, &created, &err);
    FUZZ_ASSERT(created == 0);
    if (rc != DB_OK) {
        FUZZ_ASSERT(id == NULL && rc == DB_EFORMAT);
        return 0;
    }
    static const uint8_t msg[] = "fuzz";
    uint8_t pk[KEY_SIGN_PUBLIC_BYTES], sig[KEY_SIGNATURE_BYTES];
    keys_identity_public(id, pk);
    keys_identity_sign(id, msg, sizeof msg, sig);
    FUZZ_ASSERT(keys_signature_verify(pk, msg, sizeof msg, sig) == 0);
    keys_identity_free(id);
    return 0;
}
