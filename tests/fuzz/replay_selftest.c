/* replay_selftest: a stand-in fuzz target that crashes on purpose, so that ctest proves the
 * replay driver notices: input starting with "CRASH" aborts, anything else passes. The test
 * fuzz_replay_selftest expects "1 passed, 1 failed" for tests/fuzz/selftest/. */
#include <string.h>

#include "fuzz_support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 5 && memcmp(data, "CRASH", 5) == 0)
        abort();
    return 0;
}
