/* fuzz_batch: batch_parse on arbitrary bytes (crypto/batch.h) — the analysis side reading a
 * batch from the USB stick — and, for batches that parse, opening their records and decoding
 * the responses inside, as an import does.
 *
 * A fuzzer cannot forge the kiosk's Ed25519 signature, so the parse after the signature check
 * would only ever see the seeds. The target therefore parses each input twice: as it is, and
 * re-signed with the vector kiosk identity (fuzz_batch_resign: rebuilt with the builder from
 * the same header, sessions and records). The re-signed batch must parse.
 */
#include <string.h>

#include "batch.h"
#include "fuzz_support.h"
#include "response.h"
#include "seal.h"

#define MAX_OPENED 8 /* records opened per batch: enough to reach the decoder, keeps it fast */

static uint8_t g_plain[SEAL_MAX_PADDED];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    fuzz_analyst_secret();
    fuzz_kiosk_identity();
    return 0;
}

static void check_parsed(const Batch *b, const uint8_t *data, size_t size)
{
    FUZZ_ASSERT(b->number >= 1);
    FUZZ_ASSERT(b->n_sessions >= 1 && b->n_sessions <= BATCH_MAX_SESSIONS);
    FUZZ_ASSERT(b->n_records <= BATCH_MAX_RECORDS);
    uint8_t h[BATCH_HASH_BYTES];
    batch_hash(data, size, h);
    FUZZ_ASSERT(memcmp(h, b->hash, sizeof h) == 0);
    uint64_t total = 0;
    for (uint32_t i = 0; i < b->n_sessions; i++) {
        const BatchSession *s = &b->sessions[i];
        FUZZ_ASSERT(s->count >= 1);
        FUZZ_ASSERT(memchr(s->label, '\0', sizeof s->label) != NULL && s->label[0] != '\0');
        FUZZ_ASSERT(strlen(s->date) == 10);
        FUZZ_ASSERT(memchr(s->survey_id, '\0', sizeof s->survey_id) != NULL);
        total += s->count;
    }
    FUZZ_ASSERT(total == b->n_records);
    for (uint32_t i = 0; i < b->n_records; i++) {
        const BatchRecord *r = &b->records[i];
        FUZZ_ASSERT(r->session < b->n_sessions);
        FUZZ_ASSERT(r->len >= 1 && r->len <= SEAL_MAX_RECORD);
        FUZZ_ASSERT(r->data > data && r->data + r->len <= data + size - KEY_SIGNATURE_BYTES);
        if (i >= MAX_OPENED)
            continue;
        size_t plain_len = 0;
        DbError err;
        if (seal_open(r->data, r->len, fuzz_analyst_secret(), g_plain, sizeof g_plain,
                      &plain_len, &err) != DB_OK)
            continue;
        DecodedResponse *d = NULL;
        if (response_decode(g_plain, plain_len, &d, &err) == DB_OK)
            response_decoded_free(d);
    }
}

static int parse(const uint8_t *data, size_t size)
{
    Batch b;
    DbError err;
    int rc = batch_parse("fuzz.dbb", data, size, &b, &err);
    if (rc == DB_OK) {
        check_parsed(&b, data, size);
        batch_free(&b);
    } else {
        FUZZ_ASSERT(rc == DB_EFORMAT || rc == DB_EAUTH || rc == DB_ELIMIT);
        FUZZ_ASSERT(b.sessions == NULL && b.records == NULL);
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size);
    size_t len = 0;
    uint8_t *resigned = fuzz_batch_resign(data, size, &len);
    if (resigned) {
        /* What the builder makes, the parser accepts. */
        FUZZ_ASSERT(parse(resigned, len) == DB_OK);
        free(resigned);
    }
    return 0;
}
