/* fuzz_seal: seal_open and seal_record_id on arbitrary bytes with the vector analyst key
 * (crypto/seal.h) — the analysis side opening records from a batch and telling them apart.
 *
 * Arbitrary bytes can only reach the structural checks and the authentication failure (a
 * fuzzer cannot forge XChaCha20-Poly1305), so the target also seals the input itself as
 * plaintext and opens it again: that reaches the unpadding with every trailing byte pattern.
 * Whatever opens must open the same way into a buffer of exactly the plaintext's size (the
 * locked-memory path), and fail with DB_ELIMIT into one byte less.
 */
#include <string.h>

#include "fuzz_support.h"
#include "seal.h"

static uint8_t g_plain[SEAL_MAX_PADDED];
static uint8_t g_record[SEAL_MAX_RECORD];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    fuzz_analyst_secret();
    return 0;
}

/* Opens rec; on success checks the smaller-buffer paths give the same plaintext. */
static int open_and_check(const uint8_t *rec, size_t len, size_t *plain_len)
{
    const KeySecret *sec = fuzz_analyst_secret();
    DbError err;
    int rc = seal_open(rec, len, sec, g_plain, sizeof g_plain, plain_len, &err);
    /* The record id (replay detection) needs only the structure seal_open checks first. */
    uint8_t id[SEAL_RECORD_ID_BYTES];
    int id_rc = seal_record_id(rec, len, id, &err);
    FUZZ_ASSERT(id_rc == DB_OK || id_rc == DB_EFORMAT);
    FUZZ_ASSERT(id_rc != DB_EFORMAT || rc == DB_EFORMAT);
    FUZZ_ASSERT(rc != DB_OK || id_rc == DB_OK);
    if (rc != DB_OK) {
        FUZZ_ASSERT(*plain_len == 0);
        FUZZ_ASSERT(rc == DB_EFORMAT || rc == DB_EAUTH);
        if (rc == DB_EAUTH)
            FUZZ_ASSERT(strcmp(err.msg, DBERR_AUTH_MSG) == 0);
        return rc;
    }
    size_t padded = seal_record_padded_size(rec, len);
    FUZZ_ASSERT(padded >= SEAL_MIN_PADDED && *plain_len < padded);
    uint8_t *exact = malloc(*plain_len ? *plain_len : 1);
    FUZZ_ASSERT(exact != NULL);
    size_t n2 = 0;
    FUZZ_ASSERT(seal_open(rec, len, sec, exact, *plain_len, &n2, &err) == DB_OK);
    FUZZ_ASSERT(n2 == *plain_len && memcmp(exact, g_plain, n2) == 0);
    if (*plain_len > 0) {
        FUZZ_ASSERT(seal_open(rec, len, sec, exact, *plain_len - 1, &n2, &err) == DB_ELIMIT);
        FUZZ_ASSERT(n2 == 0);
    }
    free(exact);
    return DB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t plain_len = 0;
    open_and_check(data, size, &plain_len);

    /* Round trip: the input as plaintext, in the smallest padded size that holds it. */
    if (size >= SEAL_MAX_PADDED)
        return 0;
    size_t padded = (size + 1 + 15) / 16 * 16;
    if (padded < SEAL_MIN_PADDED)
        padded = SEAL_MIN_PADDED;
    size_t rec_len = 0;
    DbError err;
    int rc = seal_record(data, size, padded, fuzz_analyst_public(), 1, g_record, sizeof g_record,
                         &rec_len, &err);
    FUZZ_ASSERT(rc == DB_OK);
    FUZZ_ASSERT(rec_len == seal_record_size(padded, 1));
    FUZZ_ASSERT(open_and_check(g_record, rec_len, &plain_len) == DB_OK);
    FUZZ_ASSERT(plain_len == size && (size == 0 || memcmp(g_plain, data, size) == 0));
    return 0;
}
