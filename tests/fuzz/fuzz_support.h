/* fuzz_support: what the fuzz targets share — the test vector keys, a private temp directory,
 * and an assertion that crashes (so libFuzzer and the replay driver both see a failure).
 *
 * Every fuzz_<name>.c defines LLVMFuzzerInitialize (calling fuzz_init first) and
 * LLVMFuzzerTestOneInput. The same object files link either with libFuzzer (clang,
 * -DDEBRIEF_FUZZ=ON) or with replay_main.c, which feeds a corpus directory to the target.
 *
 * The keys come from tests/vectors/ (docs/FORMAT.md, "Test vectors"); the source directory is
 * $DEBRIEF_SOURCE_DIR, or the one the build was configured from.
 */
#ifndef DEBRIEF_FUZZ_SUPPORT_H
#define DEBRIEF_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "keys.h"

/* The libFuzzer entry points. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test does not hold: report and abort, so it counts as a
 * crash. Used only for properties the module's contract promises. */
#define FUZZ_ASSERT(cond)                                                                  \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: fuzz invariant violated: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* secmem_init, or exit. Call first in LLVMFuzzerInitialize. */
void fuzz_init(void);

/* The repository root (for tests/vectors, assets/surveys, tests/data). */
const char *fuzz_source_dir(void);

/* Reads source-dir-relative rel into a malloc'd buffer (NUL-terminated, not counted), or
 * exits: a fuzz target without its fixed inputs cannot run. */
uint8_t *fuzz_read_source_file(const char *rel, size_t *len);

/* The vector analyst key pair (tests/vectors/analyst.key, opened once). */
const KeySecret *fuzz_analyst_secret(void);
const KeyPublic *fuzz_analyst_public(void);

/* The vector kiosk identity (tests/vectors/kiosk.id, loaded once from a 0600 copy). */
const KeyIdentity *fuzz_kiosk_identity(void);

/* Re-signs batch bytes with the vector kiosk identity, so that fuzzing reaches the code after
 * the signature check. The batch is rebuilt with batch_builder from a lenient reading of the
 * layout (docs/FORMAT.md, "Batch file"), so the signature is whatever batch.c makes: the same
 * header, sessions and records in the same order, the vector kiosk's key, session counts as
 * the records give them. NULL (nothing to re-sign) if the bytes do not have that shape or the
 * builder refuses them; else a malloc'd file (*out_len bytes) that batch_parse must accept. */
uint8_t *fuzz_batch_resign(const uint8_t *data, size_t len, size_t *out_len);

/* The same for an acknowledgement, rebuilt with ack_build and the vector analyst key. */
uint8_t *fuzz_ack_resign(const uint8_t *data, size_t len, size_t *out_len);

/* A directory only this process uses (mode 0700; in $TMPDIR, else /dev/shm, else /tmp),
 * created on first use and removed at exit by the process that created it. */
const char *fuzz_private_dir(void);

#endif
