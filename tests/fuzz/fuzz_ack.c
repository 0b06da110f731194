/* fuzz_ack: ack_parse on arbitrary bytes (crypto/batch.h) — the kiosk reading an
 * acknowledgement from the USB stick before it purges anything.
 *
 * As in fuzz_batch, each input is parsed as it is and re-signed with the vector analyst key
 * (fuzz_ack_resign: rebuilt with ack_build from the same kiosk key and entries), so the code
 * after the signature check is fuzzed too. The re-signed acknowledgement must parse, and one
 * that parses lists distinct increasing batch numbers.
 */
#include <string.h>

#include "batch.h"
#include "fuzz_support.h"

#define OFF_ANALYST (4 + 1 + KEY_SIGN_PUBLIC_BYTES)
#define HEADER_BYTES (OFF_ANALYST + KEY_SIGN_PUBLIC_BYTES + 4)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    fuzz_analyst_secret();
    return 0;
}

static int parse(const uint8_t *data, size_t size)
{
    const uint8_t *analyst = fuzz_analyst_public()->sign_pk;
    Ack a;
    DbError err;
    int rc = ack_parse("fuzz.dba", data, size, analyst, &a, &err);
    if (rc != DB_OK) {
        FUZZ_ASSERT(rc == DB_EFORMAT || rc == DB_EAUTH);
        FUZZ_ASSERT(a.entries == NULL);
        return rc;
    }
    FUZZ_ASSERT(a.n_entries >= 1 && a.n_entries <= ACK_MAX_ENTRIES);
    FUZZ_ASSERT(size == HEADER_BYTES + (size_t)a.n_entries * (8 + BATCH_HASH_BYTES) +
                            KEY_SIGNATURE_BYTES);
    FUZZ_ASSERT(memcmp(a.analyst_pk, analyst, KEY_SIGN_PUBLIC_BYTES) == 0);
    FUZZ_ASSERT(memcmp(a.kiosk_pk, data + 5, KEY_SIGN_PUBLIC_BYTES) == 0);
    for (uint32_t i = 0; i < a.n_entries; i++) {
        FUZZ_ASSERT(a.entries[i].number >= 1 && a.entries[i].number <= INT64_MAX);
        if (i > 0)
            FUZZ_ASSERT(a.entries[i].number > a.entries[i - 1].number);
    }
    ack_free(&a);
    return DB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size);
    size_t len = 0;
    uint8_t *resigned = fuzz_ack_resign(data, size, &len);
    if (resigned) {
        /* What ack_build makes, ack_parse accepts. */
        FUZZ_ASSERT(parse(resigned, len) == DB_OK);
        free(resigned);
    }
    return 0;
}
