/* slots: sealed records in place, in fixed slots of a preallocated file. See slots.h for
 * the contract and docs/FORMAT.md ("Record slot file") for the bytes. */
#define _GNU_SOURCE /* F_OFD_SETLKW */
#include "slots.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checksum.h"
#include "fsutil.h"
#include "secmem.h"

#define HEADER_BYTES SLOTS_PAGE
#define ENTRY_BYTES 64u
#define MAGIC "DBSF"
#define VERSION 1
#define PUT_TRIES 8

struct Slots {
    int fd;
    char path[PATH_MAX];
    uint32_t kib;
    size_t slot_bytes;
    uint64_t chunk_bytes;
    uint32_t n;          /* slots in whole chunks */
    SlotEntry *e;        /* n of them */
    uint32_t *free_list; /* the free slots, in no order */
    uint32_t *free_pos;  /* free_pos[slot]: its place in free_list, or UINT32_MAX */
    uint32_t n_free;
    uint8_t *buf; /* one slot, for writes */
};

/* --- bytes --- */

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Entry: state (1 = a record) | 3 zero | len u32 | session i64 | key 16 | record sum 16 |
 * entry sum 16 (BLAKE2b-128 of the 48 bytes before it). All zero: free. */
static void entry_encode(const SlotEntry *e, uint8_t out[ENTRY_BYTES])
{
    memset(out, 0, ENTRY_BYTES);
    if (e->session_id <= 0)
        return;
    out[0] = 1;
    put_u32(out + 4, e->len);
    put_u32(out + 8, (uint32_t)((uint64_t)e->session_id >> 32));
    put_u32(out + 12, (uint32_t)e->session_id);
    memcpy(out + 16, e->key, SLOTS_KEY_BYTES);
    memcpy(out + 32, e->sum, SLOTS_SUM_BYTES);
    checksum_blake2b(out + 48, 16, out, 48, NULL, 0);
}

/* Anything but a whole, checked entry of a plausible record reads as free. */
static void entry_decode(const uint8_t in[ENTRY_BYTES], size_t slot_bytes, SlotEntry *e)
{
    memset(e, 0, sizeof *e);
    if (in[0] != 1)
        return;
    uint8_t sum[16];
    checksum_blake2b(sum, sizeof sum, in, 48, NULL, 0);
    int64_t session = (int64_t)((uint64_t)get_u32(in + 8) << 32 | get_u32(in + 12));
    uint32_t len = get_u32(in + 4);
    if (memcmp(sum, in + 48, 16) != 0 || session <= 0 || len == 0 || len > slot_bytes)
        return;
    e->session_id = session;
    e->len = len;
    memcpy(e->key, in + 16, SLOTS_KEY_BYTES);
    memcpy(e->sum, in + 32, SLOTS_SUM_BYTES);
}

/* --- positions, locks, I/O --- */

static uint64_t page_offset(const Slots *s, uint32_t slot)
{
    return HEADER_BYTES + (uint64_t)(slot / SLOTS_PER_CHUNK) * s->chunk_bytes;
}

static uint64_t slot_offset(const Slots *s, uint32_t slot)
{
    return page_offset(s, slot) + SLOTS_PAGE + (uint64_t)(slot % SLOTS_PER_CHUNK) * s->slot_bytes;
}

static int io_error(const Slots *s, const char *what, DbError *err)
{
    int e = errno;
    return dberr_set(err, e == ENOSPC || e == EDQUOT ? DB_ENOSPC : DB_EIO, "%s: %s: %s", s->path,
                     what, strerror(e));
}

/* An open-file-description lock: closing another descriptor of the file never drops it. */
static int lock_range(const Slots *s, short type, uint64_t start, uint64_t len, DbError *err)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)start;
    fl.l_len = (off_t)len;
    while (fcntl(s->fd, F_OFD_SETLKW, &fl) != 0) {
        if (errno != EINTR)
            return io_error(s, "locking", err);
    }
    return DB_OK;
}

static void unlock_range(const Slots *s, uint64_t start, uint64_t len)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_UNLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)start;
    fl.l_len = (off_t)len;
    (void)fcntl(s->fd, F_OFD_SETLK, &fl);
}

/* Both write locks a change of one slot takes: its index page, then its bytes. */
static int lock_slot(const Slots *s, uint32_t slot, DbError *err)
{
    int rc = lock_range(s, F_WRLCK, page_offset(s, slot), SLOTS_PAGE, err);
    if (rc != DB_OK)
        return rc;
    if ((rc = lock_range(s, F_WRLCK, slot_offset(s, slot), s->slot_bytes, err)) != DB_OK)
        unlock_range(s, page_offset(s, slot), SLOTS_PAGE);
    return rc;
}

static void unlock_slot(const Slots *s, uint32_t slot)
{
    unlock_range(s, slot_offset(s, slot), s->slot_bytes);
    unlock_range(s, page_offset(s, slot), SLOTS_PAGE);
}

static int pread_all(const Slots *s, void *buf, size_t len, uint64_t off, DbError *err)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(s->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return io_error(s, "read", err);
        if (n == 0)
            return dberr_set(err, DB_EIO, "%s: the file is shorter than its index says", s->path);
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return DB_OK;
}

static int pwrite_all(const Slots *s, const void *buf, size_t len, uint64_t off, DbError *err)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(s->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return io_error(s, "write", err);
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return DB_OK;
}

static int sync_data(const Slots *s, DbError *err)
{
    while (fdatasync(s->fd) != 0) {
        if (errno != EINTR)
            return io_error(s, "sync", err);
    }
    return DB_OK;
}

/* --- the in-memory view --- */

static void mark_free(Slots *s, uint32_t slot)
{
    memset(&s->e[slot], 0, sizeof s->e[slot]);
    if (s->free_pos[slot] != UINT32_MAX)
        return;
    s->free_pos[slot] = s->n_free;
    s->free_list[s->n_free++] = slot;
}

static void mark_taken(Slots *s, uint32_t slot, const SlotEntry *e)
{
    s->e[slot] = *e;
    uint32_t pos = s->free_pos[slot];
    if (pos == UINT32_MAX)
        return;
    uint32_t last = s->free_list[--s->n_free];
    s->free_list[pos] = last;
    s->free_pos[last] = pos;
    s->free_pos[slot] = UINT32_MAX;
}

/* Makes room in memory for n slots (entries start free). */
static int view_resize(Slots *s, uint32_t n, DbError *err)
{
    if (n <= s->n)
        return DB_OK;
    SlotEntry *e = realloc(s->e, (size_t)n * sizeof *e);
    if (e)
        s->e = e;
    uint32_t *fl = e ? realloc(s->free_list, (size_t)n * sizeof *fl) : NULL;
    if (fl)
        s->free_list = fl;
    uint32_t *fp = fl ? realloc(s->free_pos, (size_t)n * sizeof *fp) : NULL;
    if (!fp)
        return dberr_set(err, DB_ENOMEM, "%s: out of memory for the index", s->path);
    s->free_pos = fp;
    for (uint32_t i = s->n; i < n; i++) {
        s->free_pos[i] = UINT32_MAX;
        mark_free(s, i);
    }
    s->n = n;
    return DB_OK;
}

/* Reads chunk c's index page into the view. */
static int load_page(Slots *s, uint32_t c, DbError *err)
{
    uint8_t page[SLOTS_PAGE];
    uint64_t off = HEADER_BYTES + (uint64_t)c * s->chunk_bytes;
    int rc = lock_range(s, F_RDLCK, off, SLOTS_PAGE, err);
    if (rc != DB_OK)
        return rc;
    rc = pread_all(s, page, sizeof page, off, err);
    unlock_range(s, off, SLOTS_PAGE);
    for (uint32_t j = 0; rc == DB_OK && j < SLOTS_PER_CHUNK; j++) {
        SlotEntry e;
        entry_decode(page + j * ENTRY_BYTES, s->slot_bytes, &e);
        uint32_t slot = c * SLOTS_PER_CHUNK + j;
        if (e.session_id > 0)
            mark_taken(s, slot, &e);
        else
            mark_free(s, slot);
    }
    return rc;
}

int slots_reload(Slots *s, DbError *err)
{
    struct stat sb;
    if (fstat(s->fd, &sb) != 0)
        return io_error(s, "stat", err);
    uint64_t size = (uint64_t)sb.st_size;
    /* A chunk cut short by a crash while growing is not used: the next growth rewrites it. */
    uint32_t chunks = size > HEADER_BYTES ? (uint32_t)((size - HEADER_BYTES) / s->chunk_bytes) : 0;
    int rc = view_resize(s, chunks * SLOTS_PER_CHUNK, err);
    for (uint32_t c = 0; rc == DB_OK && c < chunks; c++)
        rc = load_page(s, c, err);
    return rc;
}

/* --- opening and growing --- */

uint32_t slots_kib_for(size_t len)
{
    return (uint32_t)((len + SLOTS_PAGE - 1) / SLOTS_PAGE * (SLOTS_PAGE / 1024));
}

/* Appends chunks of random bytes (index pages all zero: every slot free) until the file has
 * at least want slots, and syncs it. The header page's lock makes two growing processes
 * take turns; the end is read again under it. */
static int grow_to(Slots *s, uint32_t want, DbError *err)
{
    int rc = lock_range(s, F_WRLCK, 0, HEADER_BYTES, err);
    if (rc != DB_OK)
        return rc;
    rc = slots_reload(s, err);
    uint64_t end = HEADER_BYTES + (uint64_t)(s->n / SLOTS_PER_CHUNK) * s->chunk_bytes;
    struct stat sb;
    if (rc == DB_OK && s->n < want && fstat(s->fd, &sb) == 0 && (uint64_t)sb.st_size != end &&
        ftruncate(s->fd, (off_t)end) != 0)
        rc = io_error(s, "cutting a half-grown chunk", err);
    uint8_t zero[SLOTS_PAGE];
    memset(zero, 0, sizeof zero);
    int grew = 0;
    /* Its own buffer: s->buf may hold the record that is waiting for a slot. */
    uint8_t *fill = rc == DB_OK && s->n < want ? malloc(s->slot_bytes) : NULL;
    if (rc == DB_OK && s->n < want && !fill)
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
    while (rc == DB_OK && s->n + (uint32_t)grew * SLOTS_PER_CHUNK < want) {
        rc = pwrite_all(s, zero, sizeof zero, end, err);
        end += SLOTS_PAGE;
        for (uint32_t j = 0; rc == DB_OK && j < SLOTS_PER_CHUNK; j++) {
            secmem_random(fill, s->slot_bytes);
            rc = pwrite_all(s, fill, s->slot_bytes, end, err);
            end += s->slot_bytes;
        }
        grew++;
    }
    free(fill);
    if (rc == DB_OK && grew && fsync(s->fd) != 0)
        rc = io_error(s, "sync", err);
    if (rc == DB_OK && grew)
        rc = view_resize(s, s->n + (uint32_t)grew * SLOTS_PER_CHUNK, err);
    unlock_range(s, 0, HEADER_BYTES);
    return rc;
}

int slots_reserve(Slots *s, uint32_t min_free, DbError *err)
{
    if (s->n_free >= min_free)
        return DB_OK;
    uint32_t chunks = (min_free - s->n_free + SLOTS_PER_CHUNK - 1) / SLOTS_PER_CHUNK;
    return grow_to(s, s->n + chunks * SLOTS_PER_CHUNK, err);
}

/* Creates the file under a temporary name (header and one chunk, synced), then links it
 * into place unless another process was quicker, and syncs the directory. */
static int create_file(const char *dir, const char *path, uint32_t kib, DbError *err)
{
    char tmp[PATH_MAX + 16];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return dberr_set(err, DB_ELIMIT, "%s: path too long", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return dberr_set(err, errno == ENOSPC ? DB_ENOSPC : DB_EIO,
                         "%s: cannot create the record file: %s", path, strerror(errno));
    Slots s;
    memset(&s, 0, sizeof s);
    s.fd = fd;
    snprintf(s.path, sizeof s.path, "%s", path);
    s.kib = kib;
    s.slot_bytes = (size_t)kib * 1024;
    s.chunk_bytes = SLOTS_PAGE + (uint64_t)SLOTS_PER_CHUNK * s.slot_bytes;
    uint8_t header[HEADER_BYTES];
    memset(header, 0, sizeof header);
    memcpy(header, MAGIC, 4);
    header[4] = VERSION;
    put_u32(header + 8, kib);
    int rc = pwrite_all(&s, header, sizeof header, 0, err);
    if (rc == DB_OK)
        rc = grow_to(&s, SLOTS_PER_CHUNK, err);
    free(s.e);
    free(s.free_list);
    free(s.free_pos);
    close(fd);
    if (rc == DB_OK && link(tmp, path) != 0 && errno != EEXIST)
        rc = dberr_set(err, errno == ENOSPC ? DB_ENOSPC : DB_EIO, "%s: %s", path, strerror(errno));
    unlink(tmp);
    if (rc == DB_OK) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) != 0)
            rc = dberr_set(err, DB_EIO, "%s: sync: %s", dir, strerror(errno));
        if (dfd >= 0)
            close(dfd);
    }
    return rc;
}

int slots_open(const char *dir, uint32_t kib, int create, Slots **out, DbError *err)
{
    *out = NULL;
    if (kib == 0 || kib % 4 != 0 || kib > SLOTS_MAX_SLOT_KIB)
        return dberr_set(err, DB_EINVAL, "slot size %u KiB is not 4..%u KiB in 4 KiB steps", kib,
                         SLOTS_MAX_SLOT_KIB);
    Slots *s = calloc(1, sizeof *s);
    if (!s)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    s->fd = -1;
    s->kib = kib;
    s->slot_bytes = (size_t)kib * 1024;
    s->chunk_bytes = SLOTS_PAGE + (uint64_t)SLOTS_PER_CHUNK * s->slot_bytes;
    char name[32];
    snprintf(name, sizeof name, "records-%uk.dat", kib);
    int rc = fs_join(s->path, sizeof s->path, dir, name, err);
    if (rc == DB_OK && !(s->buf = malloc(s->slot_bytes)))
        rc = dberr_set(err, DB_ENOMEM, "out of memory");
    if (rc == DB_OK) {
        s->fd = open(s->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (s->fd < 0 && errno == ENOENT && create &&
            (rc = create_file(dir, s->path, kib, err)) == DB_OK)
            s->fd = open(s->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (rc == DB_OK && s->fd < 0)
            rc = dberr_set(err, errno == ENOENT ? DB_ENOENT : DB_EIO, "%s: %s", s->path,
                           strerror(errno));
    }
    uint8_t header[16];
    struct stat sb;
    if (rc == DB_OK && (fstat(s->fd, &sb) != 0 || !S_ISREG(sb.st_mode)))
        rc = dberr_set(err, DB_EIO, "%s: not a regular file", s->path);
    if (rc == DB_OK && (sb.st_mode & 0777) != 0600 && fchmod(s->fd, 0600) != 0)
        rc = io_error(s, "restricting its permissions to 0600", err);
    if (rc == DB_OK && (rc = pread_all(s, header, sizeof header, 0, err)) == DB_OK &&
        (memcmp(header, MAGIC, 4) != 0 || header[4] != VERSION || get_u32(header + 8) != kib))
        rc = dberr_set(err, DB_EFORMAT, "%s: not a Debrief record file of %u KiB slots", s->path,
                       kib);
    if (rc == DB_OK)
        rc = slots_reload(s, err);
    if (rc != DB_OK) {
        slots_close(s);
        return rc;
    }
    *out = s;
    return DB_OK;
}

void slots_close(Slots *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->e);
    free(s->free_list);
    free(s->free_pos);
    free(s->buf);
    free(s);
}

uint32_t slots_kib(const Slots *s)
{
    return s->kib;
}

uint32_t slots_count(const Slots *s)
{
    return s->n;
}

uint32_t slots_free_count(const Slots *s)
{
    return s->n_free;
}

const SlotEntry *slots_entry(const Slots *s, uint32_t slot)
{
    return slot < s->n ? &s->e[slot] : NULL;
}

/* --- writing --- */

/* Overwrites a random free slot with s->buf and writes its index page with entry e (NULL:
 * the page as it is), synced, under both locks. The slot must be free on disk too: a view
 * that lags behind another process is corrected and another slot tried. *slot receives the
 * slot written. */
static int write_free_slot(Slots *s, const SlotEntry *e, int sync, uint32_t *slot, DbError *err)
{
    for (int attempt = 0; attempt < PUT_TRIES; attempt++) {
        if (s->n_free == 0) {
            int rc = grow_to(s, s->n + SLOTS_PER_CHUNK, err);
            if (rc != DB_OK)
                return rc;
        }
        uint32_t pick = s->free_list[secmem_random_below(s->n_free)];
        uint64_t poff = page_offset(s, pick), soff = slot_offset(s, pick);
        uint8_t page[SLOTS_PAGE];
        int rc = lock_slot(s, pick, err);
        if (rc != DB_OK)
            return rc;
        uint8_t *ent = page + (pick % SLOTS_PER_CHUNK) * ENTRY_BYTES;
        SlotEntry on_disk;
        rc = pread_all(s, page, sizeof page, poff, err);
        if (rc == DB_OK)
            entry_decode(ent, s->slot_bytes, &on_disk);
        int taken = rc == DB_OK && on_disk.session_id > 0;
        if (rc == DB_OK && !taken) {
            if (e)
                entry_encode(e, ent);
            rc = pwrite_all(s, s->buf, s->slot_bytes, soff, err);
            if (rc == DB_OK)
                rc = pwrite_all(s, page, sizeof page, poff, err);
            if (rc == DB_OK && sync)
                rc = sync_data(s, err);
        }
        unlock_slot(s, pick);
        if (rc != DB_OK)
            return rc;
        if (taken) {
            mark_taken(s, pick, &on_disk);
            continue;
        }
        if (e)
            mark_taken(s, pick, e);
        if (slot)
            *slot = pick;
        return DB_OK;
    }
    return dberr_set(err, DB_ESTATE,
                     "%s: no free slot found: the index changed under this "
                     "process (is a second kiosk running on this data?)",
                     s->path);
}

static int put(Slots *s, int64_t session_id, const uint8_t key[SLOTS_KEY_BYTES], const uint8_t *rec,
               size_t len, int sync, uint32_t *slot, DbError *err)
{
    if (session_id <= 0 || len == 0 || len > s->slot_bytes)
        return dberr_set(err, DB_EINVAL, "%s: a record of %zu bytes does not fit a %u KiB slot",
                         s->path, len, s->kib);
    SlotEntry e;
    memset(&e, 0, sizeof e);
    e.session_id = session_id;
    memcpy(e.key, key, SLOTS_KEY_BYTES);
    e.len = (uint32_t)len;
    checksum_blake2b(e.sum, SLOTS_SUM_BYTES, rec, len, NULL, 0);
    memcpy(s->buf, rec, len);
    secmem_random(s->buf + len, s->slot_bytes - len);
    return write_free_slot(s, &e, sync, slot, err);
}

int slots_put(Slots *s, int64_t session_id, const uint8_t key[SLOTS_KEY_BYTES], const uint8_t *rec,
              size_t len, uint32_t *slot, DbError *err)
{
    return put(s, session_id, key, rec, len, 1, slot, err);
}

int slots_put_unsynced(Slots *s, int64_t session_id, const uint8_t key[SLOTS_KEY_BYTES],
                       const uint8_t *rec, size_t len, uint32_t *slot, DbError *err)
{
    return put(s, session_id, key, rec, len, 0, slot, err);
}

int slots_cover(Slots *s, DbError *err)
{
    if (s->n_free == 0)
        return DB_OK;
    secmem_random(s->buf, s->slot_bytes);
    return write_free_slot(s, NULL, 1, NULL, err);
}

/* --- reading and freeing --- */

int slots_read(Slots *s, uint32_t slot, uint8_t *buf, size_t cap, DbError *err)
{
    if (slot >= s->n || s->e[slot].session_id <= 0)
        return dberr_set(err, DB_ENOENT, "%s: slot %u holds no record", s->path, slot);
    const SlotEntry *e = &s->e[slot];
    if (cap < e->len)
        return dberr_set(err, DB_ELIMIT, "%s: slot %u: record larger than the buffer", s->path,
                         slot);
    uint64_t off = slot_offset(s, slot);
    int rc = lock_range(s, F_RDLCK, off, s->slot_bytes, err);
    if (rc != DB_OK)
        return rc;
    rc = pread_all(s, buf, e->len, off, err);
    unlock_range(s, off, s->slot_bytes);
    uint8_t sum[SLOTS_SUM_BYTES];
    if (rc == DB_OK) {
        checksum_blake2b(sum, sizeof sum, buf, e->len, NULL, 0);
        if (memcmp(sum, e->sum, sizeof sum) != 0)
            rc = dberr_set(err, DB_EFORMAT,
                           "%s: slot %u: the record does not match its checksum (its write was "
                           "cut short, e.g. by a power cut before it was confirmed)",
                           s->path, slot);
    }
    return rc;
}

int slots_verify(Slots *s, uint32_t slot, DbError *err)
{
    uint8_t *buf = slot < s->n ? malloc(s->slot_bytes) : NULL;
    if (slot < s->n && !buf)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    int rc = slots_read(s, slot, buf, s->slot_bytes, err);
    free(buf);
    return rc;
}

int slots_release(Slots *s, uint32_t slot, DbError *err)
{
    if (slot >= s->n)
        return dberr_set(err, DB_EINVAL, "%s: no slot %u", s->path, slot);
    uint64_t poff = page_offset(s, slot), soff = slot_offset(s, slot);
    uint8_t page[SLOTS_PAGE];
    int rc = lock_slot(s, slot, err);
    if (rc != DB_OK)
        return rc;
    secmem_random(s->buf, s->slot_bytes);
    rc = pwrite_all(s, s->buf, s->slot_bytes, soff, err);
    if (rc == DB_OK)
        rc = pread_all(s, page, sizeof page, poff, err);
    if (rc == DB_OK) {
        memset(page + (slot % SLOTS_PER_CHUNK) * ENTRY_BYTES, 0, ENTRY_BYTES);
        rc = pwrite_all(s, page, sizeof page, poff, err);
    }
    unlock_slot(s, slot);
    if (rc == DB_OK)
        mark_free(s, slot);
    return rc;
}

int slots_sync(Slots *s, DbError *err)
{
    return sync_data(s, err);
}
