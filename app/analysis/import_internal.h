/* import_internal: what tests may observe inside import.c. Not for the CLI or other modules.
 *
 * analysis_records_opened: how many records analysis_import_file has handed to seal_open in
 * this process so far (every thread counted). Tests take it before and after an import to
 * check, e.g., that a batch whose signature does not verify gets no record decrypted.
 *
 * analysis_test_fail_worker_buffers: while non-zero, the pool's extra threads cannot get
 * their locked buffer, as when locked memory runs out (RLIMIT_MEMLOCK).
 */
#ifndef DEBRIEF_IMPORT_INTERNAL_H
#define DEBRIEF_IMPORT_INTERNAL_H

unsigned long analysis_records_opened(void);
void analysis_test_fail_worker_buffers(int fail);

#endif
