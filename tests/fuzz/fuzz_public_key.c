/* fuzz_public_key: keys_public_parse on arbitrary bytes (crypto/keys.h) — the analyst's
 * public key file as installed on a kiosk.
 *
 * A key that parses must format back to a line that parses to the same key, and its
 * fingerprint must be the one written in the line.
 */
#include <string.h>

#include "fuzz_support.h"
#include "keys.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

static int contains(const uint8_t *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    KeyPublic pub, again;
    DbError err;
    if (keys_public_parse("fuzz.pub", (const char *)data, size, &pub, &err) != DB_OK) {
        FUZZ_ASSERT(err.code == DB_EFORMAT);
        return 0;
    }
    char line[256];
    size_t n = keys_public_format(&pub, line, sizeof line);
    FUZZ_ASSERT(n > 0 && n < sizeof line && line[n - 1] == '\n');
    FUZZ_ASSERT(keys_public_parse("again.pub", line, n, &again, &err) == DB_OK);
    FUZZ_ASSERT(memcmp(&pub, &again, sizeof pub) == 0);
    char fp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&pub, fp);
    FUZZ_ASSERT(strlen(fp) == KEY_FINGERPRINT_SIZE - 1);
    FUZZ_ASSERT(contains(data, size, fp, KEY_FINGERPRINT_SIZE - 1));
    return 0;
}
