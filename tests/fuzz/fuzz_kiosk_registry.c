/* fuzz_kiosk_registry: analysis_kiosks_parse on arbitrary bytes (app/analysis/analysis.h) —
 * the analyst's list of trusted kiosks (--kiosks FILE).
 *
 * A registry that parses holds distinct fingerprints of the form XXXX-XXXX-XXXX-XXXX, each
 * found again by analysis_kiosks_find, with NUL-terminated labels.
 */
#include <string.h>

#include "analysis.h"
#include "fuzz_support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    AnalysisKioskRegistry reg;
    DbError err;
    int rc = analysis_kiosks_parse("fuzz.kiosks", (const char *)data, size, &reg, &err);
    if (rc != DB_OK) {
        FUZZ_ASSERT(rc == DB_EINVAL || rc == DB_ENOMEM);
        FUZZ_ASSERT(err.msg[0] != '\0');
        analysis_kiosks_free(&reg);
        return 0;
    }
    FUZZ_ASSERT(reg.n >= 0 && (reg.n == 0 || reg.kiosks != NULL));
    for (int i = 0; i < reg.n; i++) {
        const AnalysisKiosk *k = &reg.kiosks[i];
        FUZZ_ASSERT(strlen(k->fingerprint) == KEY_FINGERPRINT_SIZE - 1);
        FUZZ_ASSERT(memchr(k->label, '\0', sizeof k->label) != NULL);
        FUZZ_ASSERT(analysis_kiosks_find(&reg, k->fingerprint) == k);
    }
    analysis_kiosks_free(&reg);
    return 0;
}
