/* import_internal: what tests may observe inside import.c. Not for the CLI or other modules.
 *
 * analysis_records_opened: how many records analysis_import_file has handed to seal_open in
 * this process so far (every thread counted). Tests take it before and after an import to
 * check, e.g., that a batch whose signature does not verify gets no record decrypted.
 *
 * analysis_test_fail_worker_buffers: while non-zero, the pool's extra threads cannot get
 * their locked buffer, as when locked memory runs out (RLIMIT_MEMLOCK).
 *
 * analysis_batch_read: how analysis_import_file reads and verifies a batch (hashing while it
 * reads): the bytes (*data, malloc'd) and the parsed, verified batch, as fs_read_file +
 * batch_parse would give them. For tests and bench_import (the import's serial part).
 */
#ifndef DEBRIEF_IMPORT_INTERNAL_H
#define DEBRIEF_IMPORT_INTERNAL_H

unsigned long analysis_records_opened(void);
void analysis_test_fail_worker_buffers(int fail);

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "dberr.h"

int analysis_batch_read(const char *path, uint8_t **data, size_t *len, Batch *b, DbError *err);

#endif
