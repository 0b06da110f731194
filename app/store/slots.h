/* slots: sealed records kept in place, in fixed slots of a preallocated file, so that the
 * card keeps neither the order nor the time of submissions (docs/THREAT_MODEL.md, "The raw
 * card"). Internal to the store (store.c); the byte layout is in docs/FORMAT.md, "Record
 * slot file".
 *
 * DIR/records-NNk.dat holds slots of NN KiB. After a 4 KiB header the file is a run of
 * chunks; a chunk is one 4 KiB index page (64 entries of 64 bytes) and the 64 slots it
 * describes. A slot is a record followed by random bytes, or, when free, random bytes only;
 * an index entry says whose record a slot holds (session, random key, length, checksum) or
 * is all zero. Nothing else is stored: no order, no time.
 *
 * Writing a record overwrites a uniformly random free slot and its index page in place and
 * syncs the data (fdatasync): no file grows, no block is allocated, nothing is appended, and
 * the freed copy of an earlier state does not exist because there was none. A cover write
 * (slots_cover) does exactly the same writes with random bytes into a free slot, so that a
 * kiosk writing at a steady cadence looks the same whether or not anyone submitted. Freeing
 * a slot (after an acknowledgement) overwrites its record with random bytes in place.
 *
 * The file grows only by whole chunks of random bytes (slots_reserve), which a kiosk does
 * when a session opens, not while participants answer.
 *
 * Several processes may use the file at once (the kiosk, `debrief`): every read-modify-write
 * of an index page and every slot write or read holds an open-file-description lock (OFD,
 * Linux) on its byte range, exclusive to write and shared to read, so closing any other
 * descriptor never drops it. Each process's view of the index is loaded at open and by
 * slots_reload; only the kiosk fills slots, others only free them or grow the file, so a
 * stale view can only think a slot is taken that is free.
 *
 * Crash model: a write that was not synced may be lost, reordered with others, or torn at
 * any sector. A record counts only once its slot and index entry were synced; an index
 * entry that is torn fails its checksum (free), and a slot torn under a valid entry fails
 * the record checksum, which slots_verify and slots_read check.
 */
#ifndef DEBRIEF_SLOTS_H
#define DEBRIEF_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"

#define SLOTS_KEY_BYTES 16
#define SLOTS_SUM_BYTES 16
#define SLOTS_PAGE 4096u
#define SLOTS_PER_CHUNK 64u   /* index entries in one page */
#define SLOTS_MAX_SLOT_KIB 80 /* SEAL_MAX_RECORD (65 KiB) rounds up to 68 */

typedef struct Slots Slots;

/* One slot's index entry as the process sees it. session_id 0: free. */
typedef struct SlotEntry {
    int64_t session_id;
    uint8_t key[SLOTS_KEY_BYTES];
    uint32_t len;
    uint8_t sum[SLOTS_SUM_BYTES]; /* BLAKE2b-128 of the record */
} SlotEntry;

/* The slot size (KiB) for records of len bytes: the smallest whole number of 4 KiB blocks. */
uint32_t slots_kib_for(size_t len);

/* Opens DIR/records-<kib>k.dat and loads its index. With create, a missing file is made
 * (header and one chunk of random bytes, synced, renamed into place, directory synced);
 * without, DB_ENOENT. */
int slots_open(const char *dir, uint32_t kib, int create, Slots **out, DbError *err);
void slots_close(Slots *s); /* NULL is a no-op */

uint32_t slots_kib(const Slots *s);
uint32_t slots_count(const Slots *s);
uint32_t slots_free_count(const Slots *s);
const SlotEntry *slots_entry(const Slots *s, uint32_t slot);

/* Reloads the index from the file (what other processes changed: slots freed, chunks
 * added). */
int slots_reload(Slots *s, DbError *err);

/* Grows the file by whole chunks of random bytes until at least min_free slots are free,
 * and syncs it. */
int slots_reserve(Slots *s, uint32_t min_free, DbError *err);

/* Writes rec (len bytes, at most the slot size) for session_id under key into a random
 * free slot, and its index entry; returns once both are synced. Grows the file by a chunk
 * when no slot is free. *slot (may be NULL) receives the slot number. */
int slots_put(Slots *s, int64_t session_id, const uint8_t key[SLOTS_KEY_BYTES], const uint8_t *rec,
              size_t len, uint32_t *slot, DbError *err);
/* slots_put without the sync, for filling many slots at once (tests, benchmarks): the
 * caller calls slots_sync after the last. */
int slots_put_unsynced(Slots *s, int64_t session_id, const uint8_t key[SLOTS_KEY_BYTES],
                       const uint8_t *rec, size_t len, uint32_t *slot, DbError *err);

/* The same writes as slots_put, of random bytes into a random free slot (its index page
 * rewritten unchanged), synced. Does nothing when no slot is free. */
int slots_cover(Slots *s, DbError *err);

/* Reads slot's record into buf (capacity at least its entry's len) and checks it against
 * the entry's checksum: DB_EFORMAT if they differ (a write torn by a power cut). DB_ENOENT
 * if the slot is free. */
int slots_read(Slots *s, uint32_t slot, uint8_t *buf, size_t cap, DbError *err);

/* Checks slot's record against its checksum without keeping it: DB_OK or DB_EFORMAT. */
int slots_verify(Slots *s, uint32_t slot, DbError *err);

/* Overwrites slot with random bytes and clears its index entry, in place; synced only by
 * slots_sync. Freeing a free slot is a no-op. */
int slots_release(Slots *s, uint32_t slot, DbError *err);
int slots_sync(Slots *s, DbError *err);

#endif
