/* rel_tool: small helper for the reliability scripts in tests/reliability/.
 *
 *   rel_tool keygen DIR          DIR/analyst.pub and DIR/analyst.key (passphrase REL_PASS,
 *                                test-speed Argon2 so that dumps are fast)
 *   rel_tool session DATA        creates DATA with an open session for tests/kiosk/team.json
 *   rel_tool dump DATA KEYFILE   opens and decodes every stored record with the secret key and
 *                                prints the free text of question "comment", one line each;
 *                                exit 3 if any record does not open or decode
 *   rel_tool count DATA          prints the number of stored responses
 *   rel_tool fill DATA PUB SURVEY N   stores N sealed responses "fill-1".. in the open session
 *   rel_tool cut SHADOW OUT SEED  what a disk may come back with after a power cut, from what
 *                                powerloss_shim.so recorded in SHADOW, written into OUT (which
 *                                must exist and be empty): each file's synced content, then a
 *                                random subset of its unsynced writes in random order, each
 *                                torn at random 512-byte sectors; names whose directory entry
 *                                was not synced dropped at random. Prints what it did.
 *
 * It uses the project's own modules, so it checks exactly what the analyst would later read.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "keys.h"
#include "response.h"
#include "seal.h"
#include "secmem.h"
#include "store.h"
#include "survey.h"

#define REL_PASS "reliability-passphrase"

static int die(const char *what, const DbError *err)
{
    fprintf(stderr, "rel_tool: %s: %s\n", what, err ? err->msg : "failed");
    return 1;
}

static int cmd_keygen(const char *dir)
{
    DbError err;
    KeyPublic pub;
    KeySecret *sec = NULL;
    char path[4096];
    if (fs_mkdir_p(dir, 0700, &err) != DB_OK || keys_generate(&pub, &sec, &err) != DB_OK)
        return die("keygen", &err);
    snprintf(path, sizeof path, "%s/analyst.key", dir);
    int rc =
        keys_secret_write(path, sec, REL_PASS, strlen(REL_PASS), keys_kdf_fast_for_tests(), &err);
    keys_secret_free(sec);
    snprintf(path, sizeof path, "%s/analyst.pub", dir);
    if (rc != DB_OK || keys_public_write(path, &pub, &err) != DB_OK)
        return die("keygen", &err);
    return 0;
}

static int cmd_session(const char *data)
{
    DbError err;
    Store *st = NULL;
    int64_t id;
    if (fs_mkdir_p(data, 0700, &err) != DB_OK || store_open(data, &st, &err) != DB_OK)
        return die("session", &err);
    int rc = store_session_open(st, "Reliability", "2026-11-26", "team", 3, 0, &id, &err);
    store_close(st);
    return rc == DB_OK ? 0 : die("session", &err);
}

typedef struct Dump {
    KeySecret *sec;
    int bad;
} Dump;

static int dump_one(const uint8_t *rec, size_t len, void *ctx)
{
    Dump *d = ctx;
    uint8_t *plain = secmem_alloc(SEAL_MAX_PADDED);
    size_t plen = 0;
    DbError err;
    DecodedResponse *r = NULL;
    if (!plain || seal_open(rec, len, d->sec, plain, SEAL_MAX_PADDED, &plen, &err) != DB_OK ||
        response_decode(plain, plen, &r, &err) != DB_OK) {
        fprintf(stderr, "rel_tool: a stored record does not open: %s\n", plain ? err.msg : "oom");
        d->bad++;
    } else {
        const char *text = "(none)";
        for (int i = 0; i < r->n_answers; i++)
            if (strcmp(r->answers[i].question_id, "comment") == 0 && r->answers[i].text)
                text = r->answers[i].text;
        printf("%s\n", text);
        response_decoded_free(r);
    }
    secmem_free(plain);
    return 0;
}

typedef struct Ids {
    int64_t *id; /* malloc'd */
    int n, cap, oom;
} Ids;

static int collect_id(const StoreSession *s, void *ctx)
{
    Ids *ids = ctx;
    if (ids->n == ids->cap) {
        int cap = ids->cap ? 2 * ids->cap : 64;
        int64_t *more = realloc(ids->id, (size_t)cap * sizeof *more);
        if (!more) {
            ids->oom = 1;
            return 1;
        }
        ids->id = more;
        ids->cap = cap;
    }
    ids->id[ids->n++] = s->id;
    return 0;
}

static int cmd_dump(const char *data, const char *keyfile)
{
    DbError err;
    Dump d = {NULL, 0};
    Store *st = NULL;
    if (keys_secret_read(keyfile, REL_PASS, strlen(REL_PASS), &d.sec, &err) != DB_OK)
        return die("dump: key", &err);
    int rc = store_open(data, &st, &err);
    Ids ids = {NULL, 0, 0, 0};
    if (rc == DB_OK)
        rc = store_session_foreach(st, collect_id, &ids, &err);
    if (rc == DB_OK && ids.oom)
        rc = dberr_set(&err, DB_ENOMEM, "out of memory listing the sessions");
    for (int i = 0; rc == DB_OK && i < ids.n; i++)
        rc = store_response_foreach(st, ids.id[i], dump_one, &d, &err);
    free(ids.id);
    store_close(st);
    keys_secret_free(d.sec);
    if (rc != DB_OK)
        return die("dump", &err);
    return d.bad ? 3 : 0;
}

static int cmd_count(const char *data)
{
    DbError err;
    Store *st = NULL;
    int64_t n = -1;
    int rc = store_open(data, &st, &err);
    if (rc == DB_OK)
        rc = store_response_count(st, -1, &n, &err);
    store_close(st);
    if (rc != DB_OK)
        return die("count", &err);
    printf("%lld\n", (long long)n);
    return 0;
}

static int cmd_fill(const char *data, const char *pubfile, const char *survey_path, long n)
{
    DbError err;
    KeyPublic pub;
    Survey *sv = NULL;
    Store *st = NULL;
    Response *r = NULL;
    StoreSession cur;
    int found = 0;
    int rc = keys_public_read(pubfile, &pub, &err);
    if (rc == DB_OK)
        rc = survey_load_file(survey_path, &sv, &err);
    if (rc == DB_OK)
        rc = store_open(data, &st, &err);
    if (rc == DB_OK)
        rc = store_session_current(st, &cur, &found, &err);
    if (rc == DB_OK && !found)
        rc = dberr_set(&err, DB_ESTATE, "no open session");
    if (rc == DB_OK)
        rc = response_new(sv, 0, &r, &err);
    size_t psize = sv ? sv->record_size : 0;
    uint8_t *plain = psize ? secmem_alloc(psize) : NULL;
    uint8_t rec[SEAL_MAX_RECORD];
    int q_comment = sv ? survey_find_question(sv, "comment") : -1;
    for (long i = 1; rc == DB_OK && i <= n; i++) {
        char text[32];
        size_t plen = 0, rlen = 0;
        snprintf(text, sizeof text, "fill-%ld", i);
        ResponseContext ctx = {cur.label, cur.date};
        rc = response_set_text(r, q_comment, text, &err);
        if (rc == DB_OK)
            rc = response_encode(r, &ctx, plain, psize, &plen, &err);
        if (rc == DB_OK)
            rc = seal_record(plain, plen, psize, &pub, 1, rec, sizeof rec, &rlen, &err);
        if (rc == DB_OK)
            rc = store_response_put(st, cur.id, rec, rlen, &err);
    }
    secmem_free(plain);
    response_free(r);
    store_close(st);
    survey_free(sv);
    return rc == DB_OK ? 0 : die("fill", &err);
}

/* --- rel_tool cut --- */

static unsigned long long g_rng;

static unsigned next_rand(void) /* xorshift64*: reproducible from the seed */
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return (unsigned)((g_rng * 2685821657736338717ULL) >> 33);
}

typedef struct Pending {
    unsigned long long off;
    unsigned len; /* 0xffffffff: truncate to off */
    const uint8_t *data;
} Pending;

static int copy_file(const char *from, const char *to)
{
    uint8_t *data = NULL;
    size_t len = 0;
    if (fs_read_file(from, 1u << 30, 0, &data, &len, NULL) != DB_OK)
        return -1;
    int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = fd >= 0 && write(fd, data, len) == (ssize_t)len ? 0 : -1;
    if (fd >= 0)
        close(fd);
    free(data);
    return rc;
}

/* Applies a random subset of a file's unsynced writes, in random order, each torn. */
static int apply_pending(const char *log, const char *file, int *applied, int *torn)
{
    uint8_t *data = NULL;
    size_t len = 0;
    if (fs_read_file(log, 1u << 30, 0, &data, &len, NULL) != DB_OK)
        return -1;
    size_t n = 0, cap = 64;
    Pending *p = malloc(cap * sizeof *p);
    for (size_t at = 0; p && at + 12 <= len;) {
        unsigned long long off = 0;
        unsigned l = 0;
        for (int i = 0; i < 8; i++)
            off = off << 8 | data[at + (size_t)i];
        for (int i = 0; i < 4; i++)
            l = l << 8 | data[at + 8 + (size_t)i];
        size_t body = l == 0xffffffffu ? 0 : l;
        if (at + 12 + body > len)
            break; /* the record being written when the process died */
        if (n == cap) {
            Pending *more = realloc(p, 2 * cap * sizeof *p);
            if (!more)
                break;
            p = more;
            cap *= 2;
        }
        p[n++] = (Pending){off, l, data + at + 12};
        at += 12 + body;
    }
    for (size_t i = n; i > 1; i--) { /* any order */
        size_t j = next_rand() % i;
        Pending t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
    }
    int fd = open(file, O_RDWR | O_CREAT, 0600);
    for (size_t i = 0; fd >= 0 && i < n; i++) {
        if (next_rand() % 2)
            continue; /* this write never reached the disk */
        (*applied)++;
        if (p[i].len == 0xffffffffu) {
            if (ftruncate(fd, (off_t)p[i].off) != 0)
                return -1;
            continue;
        }
        int whole = next_rand() % 2;
        if (!whole)
            (*torn)++;
        for (unsigned s = 0; s < p[i].len; s += 512) { /* sector by sector */
            unsigned k = p[i].len - s < 512 ? p[i].len - s : 512;
            if ((whole || next_rand() % 2) &&
                pwrite(fd, p[i].data + s, k, (off_t)(p[i].off + s)) != (ssize_t)k)
                return -1;
        }
    }
    if (fd >= 0)
        close(fd);
    free(p);
    free(data);
    return fd >= 0 ? 0 : -1;
}

static int cmd_cut(const char *shadow, const char *out, const char *seed)
{
    g_rng = strtoull(seed, NULL, 10) * 2654435761ULL + 88172645463325252ULL;
    DIR *d = opendir(shadow);
    if (!d)
        return die("cut", NULL);
    int files = 0, applied = 0, torn = 0, dropped = 0;
    struct dirent *e;
    char from[4096], to[4096];
    while ((e = readdir(d))) { /* the synced contents */
        const char *nm = e->d_name;
        size_t l = strlen(nm);
        if (nm[0] == '.' || (l > 11 && !strcmp(nm + l - 11, ".pl-pending")) ||
            (l > 6 && !strcmp(nm + l - 6, ".pltmp")))
            continue;
        snprintf(from, sizeof from, "%s/%s", shadow, nm);
        snprintf(to, sizeof to, "%s/%s", out, nm);
        if (copy_file(from, to) != 0)
            return die("cut: copying", NULL);
        files++;
    }
    rewinddir(d);
    while ((e = readdir(d))) { /* then what was never synced */
        size_t l = strlen(e->d_name);
        if (l <= 11 || strcmp(e->d_name + l - 11, ".pl-pending") != 0)
            continue;
        snprintf(from, sizeof from, "%s/%s", shadow, e->d_name);
        snprintf(to, sizeof to, "%s/%.*s", out, (int)(l - 11), e->d_name);
        if (apply_pending(from, to, &applied, &torn) != 0)
            return die("cut: applying writes", NULL);
    }
    closedir(d);
    snprintf(from, sizeof from, "%s/.pl-dirlog", shadow);
    FILE *f = fopen(from, "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f)) { /* entries the directory was not synced for */
        line[strcspn(line, "\n")] = '\0';
        snprintf(to, sizeof to, "%s/%s", out, line);
        if (line[0] && next_rand() % 2 && unlink(to) == 0)
            dropped++;
    }
    if (f)
        fclose(f);
    printf("cut: %d synced files, %d unsynced writes applied (%d torn), %d names dropped\n",
           files, applied, torn, dropped);
    return 0;
}

int main(int argc, char **argv)
{
    if (secmem_init() != 0)
        return 1;
    if (argc == 3 && strcmp(argv[1], "keygen") == 0)
        return cmd_keygen(argv[2]);
    if (argc == 3 && strcmp(argv[1], "session") == 0)
        return cmd_session(argv[2]);
    if (argc == 4 && strcmp(argv[1], "dump") == 0)
        return cmd_dump(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "count") == 0)
        return cmd_count(argv[2]);
    if (argc == 6 && strcmp(argv[1], "fill") == 0)
        return cmd_fill(argv[2], argv[3], argv[4], strtol(argv[5], NULL, 10));
    if (argc == 5 && strcmp(argv[1], "cut") == 0)
        return cmd_cut(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: rel_tool keygen DIR | session DATA | dump DATA KEYFILE | count DATA | "
                    "fill DATA PUB SURVEY N | cut SHADOW OUT SEED\n");
    return 2;
}
