/* fuzz_support: shared set-up for the fuzz targets. See fuzz_support.h. */
#include "fuzz_support.h"

#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "fsutil.h"
#include "secmem.h"
#include "../vectors/vectors.h"

#ifndef DEBRIEF_FUZZ_SOURCE_DIR
#define DEBRIEF_FUZZ_SOURCE_DIR ".."
#endif

static KeySecret *g_analyst;
static KeyPublic g_analyst_pub;
static KeyIdentity *g_kiosk;
static char g_private_dir[256];
static pid_t g_private_owner;

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "fuzz set-up: %s: %s\n", what, msg);
    exit(1);
}

void fuzz_init(void)
{
    if (secmem_init() != 0)
        die("libsodium", "cannot be initialized");
}

const char *fuzz_source_dir(void)
{
    const char *s = getenv("DEBRIEF_SOURCE_DIR");
    return s && *s ? s : DEBRIEF_FUZZ_SOURCE_DIR;
}

uint8_t *fuzz_read_source_file(const char *rel, size_t *len)
{
    char path[4096];
    DbError err;
    if (fs_join(path, sizeof path, fuzz_source_dir(), rel, &err) != DB_OK)
        die(rel, err.msg);
    uint8_t *d = NULL;
    if (fs_read_file(path, 4u << 20, 1, &d, len, &err) != DB_OK)
        die(rel, err.msg);
    return d;
}

const KeySecret *fuzz_analyst_secret(void)
{
    if (!g_analyst) {
        size_t len;
        uint8_t *d = fuzz_read_source_file("tests/vectors/" VEC_ANALYST_KEY, &len);
        DbError err;
        if (keys_secret_open(VEC_ANALYST_KEY, d, len, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE),
                             &g_analyst, &err) != DB_OK)
            die(VEC_ANALYST_KEY, err.msg);
        free(d);
        keys_secret_public(g_analyst, &g_analyst_pub);
    }
    return g_analyst;
}

const KeyPublic *fuzz_analyst_public(void)
{
    fuzz_analyst_secret();
    return &g_analyst_pub;
}

static void private_dir_remove(void)
{
    if (!g_private_dir[0] || getpid() != g_private_owner)
        return; /* a forked child (replay driver) must not remove its parent's directory */
    DIR *d = opendir(g_private_dir);
    if (d) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", g_private_dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(g_private_dir);
}

const char *fuzz_private_dir(void)
{
    if (!g_private_dir[0]) {
        /* Memory-backed if possible: the identity and import targets write files (and fsync)
         * on every input. */
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp)
            tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(g_private_dir, sizeof g_private_dir, "%s/debrief-fuzz-XXXXXX", tmp);
        if (!mkdtemp(g_private_dir))
            die(g_private_dir, "cannot create a private directory");
        g_private_owner = getpid();
        atexit(private_dir_remove);
    }
    return g_private_dir;
}

const KeyIdentity *fuzz_kiosk_identity(void)
{
    if (!g_kiosk) {
        /* git does not keep mode 0600, which the identity loader insists on: copy it. */
        size_t len;
        uint8_t *d = fuzz_read_source_file("tests/vectors/" VEC_KIOSK_ID, &len);
        char path[512];
        DbError err;
        int created = 0;
        snprintf(path, sizeof path, "%s/vector-kiosk.id", fuzz_private_dir());
        if (fs_write_atomic(path, d, len, 0600, &err) != DB_OK ||
            keys_identity_load_or_create(path, &g_kiosk, &created, &err) != DB_OK)
            die(VEC_KIOSK_ID, err.msg);
        free(d);
        if (created)
            die(VEC_KIOSK_ID, "was created instead of loaded");
    }
    return g_kiosk;
}

/* --- re-signing (the layouts of docs/FORMAT.md, read leniently) --- */

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

uint8_t *fuzz_batch_resign(const uint8_t *data, size_t len, size_t *out_len)
{
    enum { HEADER = 4 + 1 + KEY_SIGN_PUBLIC_BYTES + 8 + BATCH_HASH_BYTES };
    if (len < HEADER + 2 || memcmp(data, "DBRB", 4) != 0)
        return NULL;
    uint64_t number = be(data + 37, 8);
    BatchBuilder *b = NULL;
    DbError err;
    if (batch_builder_new(number, data + 45, &b, &err) != DB_OK)
        return NULL;
    uint8_t *out = NULL;
    size_t off = HEADER;
    uint32_t n_sessions = (uint32_t)be(data + off, 2);
    off += 2;
    for (uint32_t i = 0; i < n_sessions; i++) {
        BatchSession s;
        memset(&s, 0, sizeof s);
        if (off >= len || data[off] >= sizeof s.label || len - off < 1u + data[off] + 10 + 1)
            goto done;
        size_t label_len = data[off];
        memcpy(s.label, data + off + 1, label_len);
        off += 1 + label_len;
        memcpy(s.date, data + off, 10);
        off += 10;
        if (data[off] >= sizeof s.survey_id || len - off < 1u + data[off] + 8)
            goto done;
        size_t id_len = data[off];
        memcpy(s.survey_id, data + off + 1, id_len);
        off += 1 + id_len;
        s.survey_version = (uint32_t)be(data + off, 4);
        off += 8; /* the count is what the records make it */
        uint32_t index;
        /* A NUL inside a field would silently shorten it: not the same batch. */
        if (strlen(s.label) != label_len || strlen(s.survey_id) != id_len ||
            batch_builder_add_session(b, &s, &index, &err) != DB_OK)
            goto done;
    }
    if (len - off < 4)
        goto done;
    uint32_t n_records = (uint32_t)be(data + off, 4);
    off += 4;
    for (uint32_t i = 0; i < n_records; i++) {
        if (len - off < 6)
            goto done;
        uint32_t session = (uint32_t)be(data + off, 2);
        uint64_t rlen = be(data + off + 2, 4);
        off += 6;
        if (len - off < rlen ||
            batch_builder_add_record(b, session, data + off, (size_t)rlen, &err) != DB_OK)
            goto done;
        off += (size_t)rlen;
    }
    uint8_t hash[BATCH_HASH_BYTES];
    if (batch_builder_finish(b, fuzz_kiosk_identity(), &out, out_len, hash, &err) != DB_OK)
        out = NULL;
done:
    batch_builder_free(b);
    return out;
}

uint8_t *fuzz_ack_resign(const uint8_t *data, size_t len, size_t *out_len)
{
    enum { HEADER = 4 + 1 + 2 * KEY_SIGN_PUBLIC_BYTES + 4, ENTRY = 8 + BATCH_HASH_BYTES };
    if (len < HEADER || memcmp(data, "DBRA", 4) != 0)
        return NULL;
    uint64_t n = be(data + HEADER - 4, 4);
    if (n == 0 || n > ACK_MAX_ENTRIES || (len - HEADER) / ENTRY < n)
        return NULL;
    AckEntry *e = malloc((size_t)n * sizeof *e);
    if (!e)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        e[i].number = be(data + HEADER + i * ENTRY, 8);
        memcpy(e[i].hash, data + HEADER + i * ENTRY + 8, BATCH_HASH_BYTES);
    }
    uint8_t *out = NULL;
    DbError err;
    if (ack_build(data + 5, e, (uint32_t)n, fuzz_analyst_secret(), &out, out_len, &err) != DB_OK)
        out = NULL;
    free(e);
    return out;
}
