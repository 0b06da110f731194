/* test_export: kiosk store -> signed batch -> verify -> acknowledgement -> purge, end to end
 * through app/coord: shuffling, chaining, identical re-export, k-threshold hold-back, an
 * interrupted export finished by the next one, forged/foreign/mismatching/replayed acks. */
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "coord.h"
#include "fsutil.h"
#include "keys.h"
#include "seal.h"
#include "secmem.h"
#include "recipients.h"
#include "store.h"
#include "testlib.h"

static char g_root[256], g_data[300], g_out[300];
static KeyPublic g_pub, g_mallory_pub;
static KeySecret *g_sec, *g_mallory;

static void rm_rf(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "command failed: %s\n", cmd);
}

static void setup(void)
{
    snprintf(g_root, sizeof g_root, "/tmp/debrief-test-export-%d", (int)getpid());
    snprintf(g_data, sizeof g_data, "%s/data", g_root);
    snprintf(g_out, sizeof g_out, "%s/usb", g_root);
    rm_rf(g_root);
    DbError err;
    if (fs_mkdir_p(g_data, 0700, &err) != DB_OK || fs_mkdir_p(g_out, 0755, &err) != DB_OK ||
        keys_generate(&g_pub, &g_sec, &err) != DB_OK ||
        keys_generate(&g_mallory_pub, &g_mallory, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        exit(1);
    }
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Pins keys on the kiosk in g_data, as its first start (or a confirmed change) does. */
static void pin_keys(const KeyPublic *keys, int n)
{
    Store *st = NULL;
    DbError err;
    RcptSet set;
    memset(&set, 0, sizeof set);
    set.n = n;
    for (int i = 0; i < n; i++)
        set.keys[i] = keys[i];
    CHECK(store_open(g_data, &st, &err) == DB_OK && rcpt_pin(st, &set, "test", &err) == DB_OK);
    store_close(st);
}

/* Opens a session, stores n sealed responses "LABEL #i", closes it. */
static void collect_session(const char *label, int n)
{
    Store *st = NULL;
    DbError err;
    int64_t id;
    CHECK(store_open(g_data, &st, &err) == DB_OK);
    CHECK(store_session_open(st, label, "2024-05-14", "ccdg", 1, 0, &id, &err) == DB_OK);
    for (int i = 0; i < n; i++) {
        char plain[96];
        int pl = snprintf(plain, sizeof plain, "%s #%d", label, i);
        uint8_t rec[1024];
        size_t rl;
        CHECK(seal_record((const uint8_t *)plain, (size_t)pl, 256, &g_pub, 1, rec, sizeof rec,
                          &rl, &err) == DB_OK);
        CHECK(store_response_put(st, id, rec, rl, &err) == DB_OK);
    }
    CHECK(store_session_close(st, &err) == DB_OK);
    store_close(st);
}

static int64_t count_responses(void)
{
    Store *st = NULL;
    DbError err;
    int64_t n = -1;
    if (store_open(g_data, &st, &err) == DB_OK)
        store_response_count(st, -1, &n, &err);
    store_close(st);
    return n;
}

/* coord_export through a store opened for the call, as `debrief export` does. */
static int export_with(CoordExportOptions *o, CoordExportResult *res, DbError *err)
{
    int rc = store_open(o->data_dir, &o->store, err);
    if (rc != DB_OK) {
        memset(res, 0, sizeof *res);
        return rc;
    }
    rc = coord_export(o, res, err);
    store_close(o->store);
    o->store = NULL;
    return rc;
}

/* coord_ack through a store opened for the call, as `debrief ack` does. */
static int ack_with(const KeyPublic *recips, int n, const char *path, CoordAckResult *r,
                    DbError *err)
{
    Store *st = NULL;
    int rc = store_open(g_data, &st, err);
    if (rc == DB_OK)
        rc = coord_ack(st, g_data, recips, n, path, r, err);
    store_close(st);
    return rc;
}

static int do_export(int k, int force, uint64_t again, CoordExportResult *res, DbError *err)
{
    CoordExportOptions o = {
        .data_dir = g_data, .out_dir = g_out, .k = k, .force = force, .again = again};
    return export_with(&o, res, err);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    uint8_t *d = NULL;
    DbError err;
    if (fs_read_file(path, BATCH_MAX_BYTES, 0, &d, len, &err) != DB_OK) {
        fprintf(stderr, "%s\n", err.msg);
        *len = 0;
    }
    return d;
}

static uint8_t g_hash1[32], g_hash2[32];

static void test_nothing_to_export(void)
{
    pin_keys(&g_pub, 1); /* what the kiosk's first start does */
    CoordExportResult r;
    DbError err;
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK);
    CHECK(r.n_batches == 0 && r.n_held == 0 && r.k == 5);
    CHECK(strlen(r.kiosk_fp) == 19);
    coord_export_result_free(&r);
    CHECK(count_files(g_out) == 0);
}

static void test_export_verify_reexport(void)
{
    collect_session("Group 1", 6);
    collect_session("Group 2", 5);
    CoordExportResult r;
    DbError err;
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK);
    CHECK(r.n_batches == 1 && r.n_held == 0);
    CoordBatchInfo *bi = &r.batches[0];
    CHECK(bi->number == 1 && bi->n_records == 11 && bi->n_sessions == 2 && !bi->resumed);
    CHECK(bi->sessions[0].count == 6 && bi->sessions[1].count == 5);
    CHECK_STR(bi->sessions[1].label, "Group 2");
    char name[128], want[512];
    coord_batch_file_name(r.kiosk_fp, 1, name, sizeof name);
    snprintf(want, sizeof want, "%s/%s", g_out, name);
    CHECK_STR(bi->path, want);
    CHECK(strncmp(name, "debrief-", 8) == 0 && strstr(name, "-batch-000001.dbb") != NULL);
    memcpy(g_hash1, bi->hash, 32);

    /* Verify without secrets, then open every record with the analyst key. */
    size_t len;
    uint8_t *data = read_all(bi->path, &len);
    Batch b;
    CHECK(data && batch_parse(name, data, len, &b, &err) == DB_OK);
    CHECK(b.number == 1 && b.n_records == 11 && memcmp(b.hash, g_hash1, 32) == 0);
    char fp[KEY_FINGERPRINT_SIZE];
    keys_fingerprint(b.kiosk_pk, 32, fp);
    CHECK_STR(fp, r.kiosk_fp);
    /* The batch names the pinned key the records are sealed to, in full. */
    CHECK(b.version == 2 && b.n_recipients == 1 && b.recipients[0].known &&
          memcmp(&b.recipients[0].key, &g_pub, sizeof g_pub) == 0);
    CHECK(batch_check_recipients(name, &b, &g_pub, 1, &err) == DB_OK);
    int opened = 0, seen[2][6] = {{0}}, in_session_order = 1;
    for (uint32_t i = 0; i < b.n_records; i++) {
        uint8_t plain[512];
        size_t pl;
        if (seal_open(b.records[i].data, b.records[i].len, g_sec, plain, sizeof plain, &pl,
                      &err) != DB_OK)
            continue;
        opened++;
        plain[pl] = '\0';
        int g = -1, k = -1;
        if (sscanf((char *)plain, "Group %d #%d", &g, &k) == 2 && g >= 1 && g <= 2 && k >= 0 &&
            k < 6) {
            seen[g - 1][k]++;
            if ((uint32_t)(g - 1) != b.records[i].session)
                in_session_order = 0; /* records are labelled with their own session */
        }
        if (i > 0 && b.records[i].session < b.records[i - 1].session)
            in_session_order = 2;
    }
    CHECK(opened == 11);
    CHECK(in_session_order != 0);
    int each_once = 1;
    for (int k = 0; k < 6; k++)
        each_once &= seen[0][k] == 1 && (k < 5 ? seen[1][k] == 1 : seen[1][k] == 0);
    CHECK(each_once);
    batch_free(&b);
    coord_export_result_free(&r);

    /* Nothing new: no file, and nothing was deleted at export. */
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK && r.n_batches == 0);
    coord_export_result_free(&r);
    CHECK(count_responses() == 11);

    /* Lost stick: --again 1 writes the identical bytes. */
    CHECK(unlink(want) == 0);
    CHECK(do_export(0, 0, 1, &r, &err) == DB_OK && r.n_batches == 1);
    size_t len2;
    uint8_t *again = read_all(want, &len2);
    CHECK(again && len2 == len && memcmp(again, data, len) == 0);
    coord_export_result_free(&r);
    CHECK(do_export(0, 0, 7, &r, &err) == DB_ENOENT);
    CHECK_STR(err.msg, "no batch 7 was exported by this kiosk");
    coord_export_result_free(&r);
    free(again);
    free(data);
}

static void test_k_threshold_and_force(void)
{
    collect_session("Small group", 3);
    CoordExportResult r;
    DbError err;
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK);
    CHECK(r.n_batches == 0 && r.n_held == 1);
    CHECK(r.n_held == 1 && r.held[0].count == 3);
    CHECK_STR(r.held[0].label, "Small group");
    coord_export_result_free(&r);
    CHECK(do_export(3, 0, 0, &r, &err) == DB_OK && r.n_batches == 1); /* k = 3 lets it out */
    coord_export_result_free(&r);
    /* ...that used batch 2; now a smaller one needs --force. */
    collect_session("Tiny group", 2);
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK && r.n_batches == 0 && r.n_held == 1);
    coord_export_result_free(&r);
    CHECK(do_export(0, 1, 0, &r, &err) == DB_OK && r.n_batches == 1 && r.n_held == 0);
    CHECK(r.batches[0].number == 3 && r.batches[0].n_records == 2);
    memcpy(g_hash2, r.batches[0].prev_hash, 32); /* batch 2's hash, via the chain link */
    coord_export_result_free(&r);

    /* The chain: batch 2 names batch 1, batch 3 names batch 2. */
    char name[128], path[512];
    CHECK(do_export(0, 0, 2, &r, &err) == DB_OK);
    CHECK(memcmp(r.batches[0].prev_hash, g_hash1, 32) == 0);
    CHECK(memcmp(r.batches[0].hash, g_hash2, 32) == 0);
    coord_batch_file_name(r.kiosk_fp, 2, name, sizeof name);
    coord_export_result_free(&r);
    snprintf(path, sizeof path, "%s/%s", g_out, name);
    size_t len;
    uint8_t *d = read_all(path, &len);
    Batch b;
    CHECK(d && batch_parse(name, d, len, &b, &err) == DB_OK && b.number == 2 &&
          memcmp(b.prev_hash, g_hash1, 32) == 0);
    batch_free(&b);
    free(d);
}

static void test_interrupted_export_resumes(void)
{
    /* A directory squatting on the batch's file name makes the write fail after the batch
     * was recorded: the state a crash or a full/read-only stick leaves. */
    CoordExportResult r;
    DbError err;
    KeyIdentity *id = NULL;
    char fp[KEY_FINGERPRINT_SIZE], name[128], path[512];
    CHECK(coord_identity(g_data, &id, fp, &err) == DB_OK);
    keys_identity_free(id);
    coord_batch_file_name(fp, 4, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", g_out, name);
    collect_session("Group 5", 5);
    CHECK(mkdir(path, 0755) == 0);
    CHECK(do_export(0, 0, 0, &r, &err) == DB_EIO);
    CHECK(strstr(err.msg, "batch 4 was not written (export again to write the same batch)") ==
          err.msg);
    coord_export_result_free(&r);
    Store *st = NULL;
    StoreBatch sb;
    CHECK(store_open(g_data, &st, &err) == DB_OK && store_batch_get(st, 4, &sb, &err) == DB_OK);
    CHECK(!sb.written && sb.records == 5);
    store_close(st);

    /* The next export finishes batch 4 first, with the recorded bytes, then goes on. */
    CHECK(rmdir(path) == 0);
    collect_session("Group 6", 5);
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK && r.n_batches == 2);
    CHECK(r.batches[0].number == 4 && r.batches[0].resumed && r.batches[0].n_records == 5);
    CHECK(memcmp(r.batches[0].hash, sb.hash, 32) == 0);
    CHECK(r.batches[1].number == 5 && !r.batches[1].resumed);
    CHECK(memcmp(r.batches[1].prev_hash, sb.hash, 32) == 0);
    coord_export_result_free(&r);
    size_t len;
    uint8_t *d = read_all(path, &len);
    uint8_t h[32];
    batch_hash(d, len, h);
    CHECK(d && memcmp(h, sb.hash, 32) == 0);
    free(d);
}

static void test_refuses_to_overwrite_different_file(void)
{
    /* A restored backup would number a new batch like an old one: never clobber a file. */
    KeyIdentity *id = NULL;
    DbError err;
    char fp[KEY_FINGERPRINT_SIZE], name[128], path[512];
    CHECK(coord_identity(g_data, &id, fp, &err) == DB_OK);
    keys_identity_free(id);
    coord_batch_file_name(fp, 6, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", g_out, name);
    CHECK(fs_write_atomic(path, "older batch 6", 13, 0644, &err) == DB_OK);
    collect_session("Group 7", 5);
    CoordExportResult r;
    CHECK(do_export(0, 0, 0, &r, &err) == DB_EEXIST && r.n_batches == 0);
    char want[900];
    snprintf(want, sizeof want,
             "batch 6 was not written (export again to write the same batch): %s: a different "
             "file with this name is already there; not overwriting it (was this kiosk's data "
             "restored from a backup?)",
             path);
    CHECK_STR(err.msg, want);
    coord_export_result_free(&r);
    size_t len;
    uint8_t *d = read_all(path, &len);
    CHECK(d && len == 13 && memcmp(d, "older batch 6", 13) == 0);
    free(d);
    CHECK(unlink(path) == 0);
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK && r.n_batches == 1 && r.batches[0].resumed);
    coord_export_result_free(&r);
}

static int write_ack(const char *name, const uint8_t *kiosk_pk, const AckEntry *e, uint32_t n,
                     const KeySecret *signer, char *path, size_t cap)
{
    uint8_t *data = NULL;
    size_t len = 0;
    DbError err;
    snprintf(path, cap, "%s/%s", g_root, name);
    int rc = ack_build(kiosk_pk, e, n, signer, &data, &len, &err);
    if (rc == DB_OK)
        rc = fs_write_atomic(path, data, len, 0644, &err);
    free(data);
    return rc;
}

static void test_acknowledgements(void)
{
    KeyIdentity *id = NULL;
    DbError err;
    char fp[KEY_FINGERPRINT_SIZE];
    CHECK(coord_identity(g_data, &id, fp, &err) == DB_OK);
    uint8_t pk[32];
    keys_identity_public(id, pk);
    keys_identity_free(id);
    int64_t before = count_responses();
    CHECK(before == 11 + 3 + 2 + 5 + 5 + 5);

    AckEntry e1 = {.number = 1};
    memcpy(e1.hash, g_hash1, 32);
    AckEntry e2 = {.number = 2};
    memcpy(e2.hash, g_hash2, 32);
    char path[512];
    CoordAckResult r;

    /* Forged: signed by someone else. */
    CHECK(write_ack("forged.dba", pk, &e1, 1, g_mallory, path, sizeof path) == DB_OK);
    CHECK(ack_with(NULL, 0, path, &r, &err) == DB_EAUTH);
    char want[700];
    snprintf(want, sizeof want, "%s: %s", path, DBERR_AUTH_MSG);
    CHECK_STR(err.msg, want);
    CHECK(ack_with(&g_pub, 1, path, &r, &err) == DB_EAUTH);
    CHECK_STR(err.msg, want);
    /* ... and its signer's key offered as the one to verify with: never pinned, refused. */
    char mfp[KEY_FINGERPRINT_SIZE], pfp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&g_mallory_pub, mfp);
    keys_public_fingerprint(&g_pub, pfp);
    CHECK(ack_with(&g_mallory_pub, 1, path, &r, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "analyst key %s was never pinned on this kiosk (pinned now: %s); an "
             "acknowledgement is verified only with keys pinned here; nothing was deleted",
             mfp, pfp);
    CHECK_STR(err.msg, want);
    KeyPublic both_keys[2] = {g_pub, g_mallory_pub};
    CHECK(ack_with(both_keys, 2, path, &r, &err) == DB_ESTATE);
    CHECK(count_responses() == before);

    /* Mismatching hash, and an unknown batch next to a good one: all or nothing. */
    AckEntry bad = e2;
    bad.hash[0] ^= 1;
    CHECK(write_ack("mismatch.dba", pk, &bad, 1, g_sec, path, sizeof path) == DB_OK);
    CHECK(ack_with(NULL, 0, path, &r, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "%s: batch 2 in the acknowledgement is not the batch this kiosk exported "
             "(different hash); nothing was deleted",
             path);
    CHECK_STR(err.msg, want);
    AckEntry mixed[2] = {e1, {.number = 99}};
    CHECK(write_ack("mixed.dba", pk, mixed, 2, g_sec, path, sizeof path) == DB_OK);
    CHECK(ack_with(&g_pub, 1, path, &r, &err) == DB_ESTATE);
    CHECK(strstr(err.msg, "acknowledges batch 99, which this kiosk never exported") != NULL);
    CHECK(count_responses() == before);

    /* Another kiosk's acknowledgement. */
    uint8_t other[32];
    memcpy(other, pk, 32);
    other[0] ^= 0x55;
    CHECK(write_ack("foreign.dba", other, &e1, 1, g_sec, path, sizeof path) == DB_OK);
    CHECK(ack_with(&g_pub, 1, path, &r, &err) == DB_ESTATE);
    CHECK(strstr(err.msg, "not this kiosk") != NULL);
    CHECK(count_responses() == before);

    /* Truncated. */
    CHECK(write_ack("good1.dba", pk, &e1, 1, g_sec, path, sizeof path) == DB_OK);
    size_t len;
    uint8_t *d = read_all(path, &len);
    char tpath[512];
    snprintf(tpath, sizeof tpath, "%s/truncated.dba", g_root);
    CHECK(fs_write_atomic(tpath, d, len - 1, 0644, &err) == DB_OK);
    free(d);
    CHECK(ack_with(&g_pub, 1, tpath, &r, &err) == DB_EFORMAT);
    CHECK(count_responses() == before);

    /* The real one: exactly batch 1's 11 responses go. */
    CHECK(ack_with(&g_pub, 1, path, &r, &err) == DB_OK);
    CHECK(r.n_entries == 1 && r.n_purged == 1 && r.n_already == 0 && r.deleted == 11);
    CHECK_STR(r.warning, ""); /* compacted too */
    CHECK(count_responses() == before - 11);
    char afp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&g_pub, afp);
    CHECK_STR(r.analyst_fp, afp);

    /* Replay: harmless. */
    CHECK(ack_with(&g_pub, 1, path, &r, &err) == DB_OK);
    CHECK(r.n_purged == 0 && r.n_already == 1 && r.deleted == 0);
    CHECK(count_responses() == before - 11);

    /* An acknowledged batch cannot be written again. */
    CoordExportResult x;
    CHECK(do_export(0, 0, 1, &x, &err) == DB_ESTATE);
    CHECK_STR(err.msg, "batch 1 was acknowledged and its responses deleted; it cannot be "
                       "written again");
    coord_export_result_free(&x);

    /* Issue 15: a second pinned key may not acknowledge batch 2, whose records are sealed to
     * g_pub only (it cannot have imported them); nothing of the file applies. */
    AckEntry both[2] = {e1, e2};
    CHECK(write_ack("mallory12.dba", pk, both, 2, g_mallory, path, sizeof path) == DB_OK);
    KeyPublic recips[2] = {g_mallory_pub, g_pub};
    pin_keys(recips, 2);
    CHECK(ack_with(NULL, 0, path, &r, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "%s: batch 2: its records are sealed to %s, not to the key that signed this "
             "acknowledgement (%s), which cannot have imported them; nothing was deleted",
             path, pfp, mfp);
    CHECK_STR(err.msg, want);
    CHECK(ack_with(&g_mallory_pub, 1, path, &r, &err) == DB_ESTATE);
    CHECK_STR(err.msg, want);
    CHECK(count_responses() == before - 11);
    /* The key they are sealed to, one of the two pinned: batch 2 (3 responses) goes. */
    CHECK(write_ack("good12.dba", pk, both, 2, g_sec, path, sizeof path) == DB_OK);
    CHECK(ack_with(NULL, 0, path, &r, &err) == DB_OK);
    CHECK(r.n_purged == 1 && r.n_already == 1 && r.deleted == 3);
    CHECK_STR(r.analyst_fp, pfp);
    CHECK(count_responses() == before - 14);
    pin_keys(&g_pub, 1);
}

static void test_replaced_identity_refused(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/identity.key", g_data);
    char keep[512];
    snprintf(keep, sizeof keep, "%s/identity.keep", g_root);
    CHECK(rename(path, keep) == 0);
    collect_session("Group 8", 5);
    CoordExportResult r;
    DbError err;
    CHECK(do_export(0, 0, 0, &r, &err) == DB_ESTATE);
    CHECK(strstr(err.msg, "restore the original identity file") != NULL);
    coord_export_result_free(&r);
    CHECK(rename(keep, path) == 0);
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK && r.n_batches == 1);
    coord_export_result_free(&r);
}

/* Found by tests/reliability/test_concurrent.sh: an export killed after its file was in
 * place but before the store marked it written; the analyst imported that complete file and
 * the kiosk applied the acknowledgement. The batch is done, and must not block every later
 * export as "interrupted". */
static void test_acknowledged_while_pending(void)
{
    collect_session("Group 9", 5);
    CoordExportResult r;
    DbError err;
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK && r.n_batches == 1);
    if (r.n_batches != 1) {
        coord_export_result_free(&r);
        return;
    }
    AckEntry e = {.number = r.batches[0].number};
    memcpy(e.hash, r.batches[0].hash, 32);
    coord_export_result_free(&r);
    Store *st = NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE batches SET written = 0 WHERE number = %llu",
             (unsigned long long)e.number);
    CHECK(store_open(g_data, &st, &err) == DB_OK && store_test_exec(st, sql, &err) == DB_OK);
    store_close(st);

    KeyIdentity *id = NULL;
    uint8_t pk[32];
    CHECK(coord_identity(g_data, &id, NULL, &err) == DB_OK);
    keys_identity_public(id, pk);
    keys_identity_free(id);
    char path[512];
    CoordAckResult a;
    CHECK(write_ack("pending.dba", pk, &e, 1, g_sec, path, sizeof path) == DB_OK);
    CHECK(ack_with(&g_pub, 1, path, &a, &err) == DB_OK && a.n_purged == 1 && a.deleted == 5);

    collect_session("Group 10", 5);
    int rc = do_export(0, 0, 0, &r, &err);
    if (rc != DB_OK)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK(rc == DB_OK && r.n_batches == 1 && r.batches[0].number == e.number + 1 &&
          r.batches[0].n_records == 5 && !r.batches[0].resumed);
    coord_export_result_free(&r);
}

static void test_missing_out_dir(void)
{
    CoordExportOptions o = {.data_dir = g_data, .out_dir = "/nonexistent/usb"};
    CoordExportResult r;
    DbError err;
    CHECK(export_with(&o, &r, &err) == DB_ENOENT);
    CHECK_STR(err.msg, "/nonexistent/usb: export directory does not exist (is the drive "
                       "mounted?)");
    coord_export_result_free(&r);
}


/* Reads batch number n of the kiosk fp from g_out and parses it; NULL data if it fails. */
static uint8_t *parse_batch_file(const char *fp, uint64_t n, Batch *b, size_t *len)
{
    char name[128], path[512];
    DbError err;
    coord_batch_file_name(fp, n, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", g_out, name);
    uint8_t *d = read_all(path, len);
    if (d && batch_parse(name, d, *len, b, &err) != DB_OK) {
        fprintf(stderr, "%s\n", err.msg);
        free(d);
        d = NULL;
    }
    return d;
}

/* A large export is split into consecutive batches under the per-batch limits (small ones
 * here); each is numbered, chained, signed and verifies, lists only its own sessions, and
 * every response is in exactly one. A failure in the middle reports what was completed. */
static void test_split_export(void)
{
    rm_rf(g_data);
    rm_rf(g_out);
    DbError err;
    CHECK(fs_mkdir_p(g_data, 0700, &err) == DB_OK && fs_mkdir_p(g_out, 0755, &err) == DB_OK);
    collect_session("Group 1", 6);
    collect_session("Group 2", 5);
    CoordExportOptions o = {.data_dir = g_data, .out_dir = g_out, .max_batch_records = 4};
    CoordExportResult r;
    CHECK(export_with(&o, &r, &err) == DB_OK);
    CHECK(r.n_batches == 3);
    int64_t per_session[2] = {0, 0}, total = 0;
    uint8_t prev[32] = {0};
    for (int i = 0; i < r.n_batches && r.n_batches == 3; i++) {
        const CoordBatchInfo *bi = &r.batches[i];
        CHECK(bi->number == (uint64_t)i + 1 && bi->n_records == (i < 2 ? 4 : 3));
        CHECK(memcmp(bi->prev_hash, prev, 32) == 0);
        memcpy(prev, bi->hash, 32);
        Batch b;
        size_t len;
        uint8_t *d = parse_batch_file(r.kiosk_fp, bi->number, &b, &len);
        CHECK(d != NULL);
        if (!d)
            continue;
        CHECK(memcmp(b.hash, bi->hash, 32) == 0 && b.n_records == bi->n_records);
        CHECK((int)b.n_sessions == bi->n_sessions && b.n_sessions >= 1 && b.n_sessions <= 2);
        for (uint32_t s = 0; s < b.n_sessions; s++) {
            CHECK(b.sessions[s].count >= 1 && (int64_t)b.sessions[s].count == bi->sessions[s].count);
            int g = b.sessions[s].label[6] - '1';
            if (g == 0 || g == 1)
                per_session[g] += b.sessions[s].count;
        }
        for (uint32_t k = 0; k < b.n_records; k++) {
            uint8_t plain[512];
            size_t pl;
            if (seal_open(b.records[k].data, b.records[k].len, g_sec, plain, sizeof plain, &pl,
                          &err) == DB_OK) {
                plain[pl] = '\0';
                /* each record sits under its own session */
                CHECK(strncmp((char *)plain, b.sessions[b.records[k].session].label, 7) == 0);
                total++;
            }
        }
        batch_free(&b);
        free(d);
    }
    CHECK(per_session[0] == 6 && per_session[1] == 5 && total == 11);
    coord_export_result_free(&r);
    CHECK(count_files(g_out) == 3);

    /* The middle batch written again: identical bytes. */
    Batch b2;
    size_t len2, len3;
    char fp[KEY_FINGERPRINT_SIZE];
    KeyIdentity *id = NULL;
    CHECK(coord_identity(g_data, &id, fp, &err) == DB_OK);
    keys_identity_free(id);
    uint8_t *d2 = parse_batch_file(fp, 2, &b2, &len2);
    CHECK(d2 != NULL);
    if (d2)
        batch_free(&b2);
    char name[128], path[512];
    coord_batch_file_name(fp, 2, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", g_out, name);
    CHECK(unlink(path) == 0);
    o.again = 2;
    CHECK(export_with(&o, &r, &err) == DB_OK && r.n_batches == 1 && r.batches[0].number == 2);
    coord_export_result_free(&r);
    o.again = 0;
    uint8_t *d3 = read_all(path, &len3);
    CHECK(d2 && d3 && len2 == len3 && memcmp(d2, d3, len2) == 0);
    free(d2);
    free(d3);

    /* A byte limit: two records per batch; a failure at the second batch reports the first,
     * leaves the second pending, and the next export finishes it and goes on. */
    collect_session("Group 3", 5);
    o.max_batch_records = 0;
    o.max_batch_bytes = 2 * (len2 / 4) + 1; /* batch 2 held 4 records of equal size */
    coord_batch_file_name(fp, 5, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", g_out, name);
    CHECK(mkdir(path, 0755) == 0);
    CHECK(export_with(&o, &r, &err) == DB_EIO);
    CHECK(strstr(err.msg, "batch 5 was not written") == err.msg);
    CHECK(r.n_batches == 1 && r.batches[0].number == 4 && r.batches[0].n_records == 2);
    coord_export_result_free(&r);
    CHECK(rmdir(path) == 0);
    CHECK(export_with(&o, &r, &err) == DB_OK && r.n_batches == 2);
    CHECK(r.batches[0].number == 5 && r.batches[0].resumed && r.batches[0].n_records == 2);
    CHECK(r.batches[1].number == 6 && r.batches[1].n_records == 1);
    coord_export_result_free(&r);
    Store *st = NULL;
    int64_t left = -1;
    CHECK(store_open(g_data, &st, &err) == DB_OK);
    CHECK(store_count_unexported(st, -1, &left, &err) == DB_OK && left == 0);
    store_close(st);
}

/* Which responses share a batch owes nothing to the order they were submitted in: with
 * room for half of them per batch, the first batch holds about half of the first half
 * submitted. (Collected in slot order, it held all of them: a file that grows while people
 * answer puts later submissions in later slots.) A record larger than the byte limit gets a
 * batch of its own. */
static void test_batches_mix_submission_order(void)
{
    rm_rf(g_data);
    rm_rf(g_out);
    DbError err;
    CHECK(fs_mkdir_p(g_data, 0700, &err) == DB_OK && fs_mkdir_p(g_out, 0755, &err) == DB_OK);
    enum { N = 320 };
    collect_session("Group 1", N); /* "Group 1 #i", i in submission order */
    CoordExportOptions o = {.data_dir = g_data, .out_dir = g_out, .max_batch_records = N / 2};
    CoordExportResult r;
    CHECK(export_with(&o, &r, &err) == DB_OK && r.n_batches == 2);
    Batch b;
    size_t len;
    uint8_t *d = r.n_batches == 2 ? parse_batch_file(r.kiosk_fp, 1, &b, &len) : NULL;
    int early = 0, opened = 0;
    for (uint32_t k = 0; d && k < b.n_records; k++) {
        uint8_t plain[512];
        size_t pl;
        if (seal_open(b.records[k].data, b.records[k].len, g_sec, plain, sizeof plain, &pl, &err) !=
            DB_OK)
            continue;
        plain[pl] = '\0';
        const char *hash = strchr((char *)plain, '#');
        opened++;
        early += hash && atoi(hash + 1) < N / 2;
    }
    if (d)
        batch_free(&b);
    free(d);
    coord_export_result_free(&r);
    /* hypergeometric: mean 80, SD 4.5; 40..120 is 9 SD either way */
    CHECK(opened == N / 2);
    if (early < 40 || early > 120)
        fprintf(stderr, "  the first batch holds %d of the first %d submitted\n", early, N / 2);
    CHECK(early >= 40 && early <= 120);

    /* A record larger than the byte limit: a batch of its own. */
    collect_session("Group 2", 3);
    o.max_batch_records = 0;
    o.max_batch_bytes = 10;
    o.force = 1; /* 3 responses: fewer than k */
    CHECK(export_with(&o, &r, &err) == DB_OK && r.n_batches == 3);
    for (int i = 0; i < r.n_batches; i++)
        CHECK(r.batches[i].n_records == 1);
    coord_export_result_free(&r);
}

/* More sessions than a batch can name: an export takes the first BATCH_MAX_SESSIONS, and the
 * next export the rest; every response in exactly one batch. */
static void test_more_sessions_than_a_batch_names(void)
{
    rm_rf(g_data);
    rm_rf(g_out);
    DbError err;
    CHECK(fs_mkdir_p(g_data, 0700, &err) == DB_OK && fs_mkdir_p(g_out, 0755, &err) == DB_OK);
    Store *st = NULL;
    CHECK(store_open(g_data, &st, &err) == DB_OK);
    if (!st)
        return;
    uint8_t rec[1024];
    size_t rl;
    CHECK(seal_record((const uint8_t *)"x", 1, 256, &g_pub, 1, rec, sizeof rec, &rl, &err) ==
          DB_OK);
    enum { N = BATCH_MAX_SESSIONS + 6 };
    for (int i = 0; i < N; i++) {
        char label[32];
        int64_t id;
        snprintf(label, sizeof label, "S%d", i);
        CHECK(store_session_open(st, label, "2024-05-14", "ccdg", 1, 0, &id, &err) == DB_OK);
        CHECK(store_response_put(st, id, rec, rl, &err) == DB_OK);
        CHECK(store_session_close(st, &err) == DB_OK);
    }
    CoordExportOptions o = {
        .store = st, .data_dir = g_data, .out_dir = g_out, .force = 1, .max_batch_records = 500};
    CoordExportResult r;
    int64_t left = -1, total = 0;
    CHECK(coord_export(&o, &r, &err) == DB_OK && r.n_batches == 3);
    for (int i = 0; i < r.n_batches; i++)
        total += r.batches[i].n_records;
    CHECK(total == BATCH_MAX_SESSIONS);
    coord_export_result_free(&r);
    CHECK(store_count_unexported(st, -1, &left, &err) == DB_OK && left == 6);
    CHECK(coord_export(&o, &r, &err) == DB_OK && r.n_batches == 1 && r.batches[0].n_records == 6);
    coord_export_result_free(&r);
    CHECK(store_count_unexported(st, -1, &left, &err) == DB_OK && left == 0);
    store_close(st);
}

/* One of two exports at once: exit 0 wrote batches, 1 found nothing left, 2 turned away
 * because the other runs, 3 another error (printed). */
static int export_one_of_two(int i, void *ctx)
{
    (void)i, (void)ctx;
    CoordExportOptions o = {.data_dir = g_data, .out_dir = g_out, .max_batch_records = 2};
    CoordExportResult r;
    DbError e;
    int rc = export_with(&o, &r, &e);
    int n = r.n_batches;
    coord_export_result_free(&r);
    if (rc == DB_OK)
        return n > 0 ? 0 : 1;
    if (strstr(e.msg, "another export is running"))
        return 2;
    fprintf(stderr, "  export at once with another: %s\n", e.msg);
    return 3;
}

/* Two exports of one kiosk at once (the admin screen and a shell, or two shells) take turns:
 * while one runs, another is refused with a message that says so and writes nothing, rather
 * than taking the running export's batch for an interrupted one and failing on the next. */
static void test_exports_take_turns(void)
{
    rm_rf(g_data);
    rm_rf(g_out);
    DbError err;
    CHECK(fs_mkdir_p(g_data, 0700, &err) == DB_OK && fs_mkdir_p(g_out, 0755, &err) == DB_OK);
    collect_session("Group 1", 9);
    /* Another process's export holds the kiosk (its lock, on the data directory). */
    int other = open(g_data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(other >= 0 && flock(other, LOCK_EX | LOCK_NB) == 0);
    CoordExportOptions o = {.data_dir = g_data, .out_dir = g_out, .max_batch_records = 4};
    CoordExportResult r;
    CHECK(export_with(&o, &r, &err) == DB_ESTATE);
    CHECK_STR(err.msg, "another export is running on this kiosk (the admin screen or another "
                       "shell); export again once it has finished (nothing was written)");
    CHECK(r.n_batches == 0);
    coord_export_result_free(&r);
    CHECK(count_files(g_out) == 0);
    close(other);
    CHECK(export_with(&o, &r, &err) == DB_OK && r.n_batches == 3);
    coord_export_result_free(&r);

    /* Real processes started at once: every response in exactly one batch, each batch
     * written once, and no export fails but with that message. */
    for (int round = 0; round < 8; round++) {
        char label[32];
        snprintf(label, sizeof label, "Turn %d", round);
        collect_session(label, 9);
        int code[2];
        test_run_two_at_once(export_one_of_two, NULL, code);
        /* one wrote the batches; the other was turned away or found nothing left */
        CHECK((code[0] == 0 && (code[1] == 1 || code[1] == 2)) ||
              (code[1] == 0 && (code[0] == 1 || code[0] == 2)));
        Store *st = NULL;
        int64_t left = -1;
        CHECK(store_open(g_data, &st, &err) == DB_OK);
        CHECK(store_count_unexported(st, -1, &left, &err) == DB_OK && left == 0);
        store_close(st);
    }
    /* 3 + 8 x 5 batches, each file once: 43 */
    CHECK(count_files(g_out) == 43);
}

/* Kills an export at arbitrary moments (SIGKILL after 0..~6 ms), then lets the next export
 * finish. Afterwards every batch file verifies, the chain has no gap or fork, every
 * response is in exactly one batch, and each file is the batch the store recorded. */
static void test_killed_exports_recover(void)
{
    rm_rf(g_data);
    rm_rf(g_out);
    DbError err;
    CHECK(fs_mkdir_p(g_data, 0700, &err) == DB_OK && fs_mkdir_p(g_out, 0755, &err) == DB_OK);
    int total = 0, killed = 0;
    for (int round = 0; round < 24; round++) {
        char label[32];
        snprintf(label, sizeof label, "Round %d", round);
        collect_session(label, 5);
        total += 5;
        pid_t pid = fork();
        if (pid == 0) {
            CoordExportResult r;
            DbError e;
            int rc = do_export(0, 0, 0, &r, &e);
            coord_export_result_free(&r);
            _exit(rc == DB_OK ? 0 : 1);
        }
        usleep((useconds_t)(round * 250));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        killed += WIFSIGNALED(status);
        if (round % 3 == 2) { /* sometimes the next export comes only after more sessions */
            CoordExportResult r;
            int rc = do_export(0, 0, 0, &r, &err);
            if (rc != DB_OK)
                fprintf(stderr, "  round %d: %s\n", round, err.msg);
            CHECK(rc == DB_OK);
            coord_export_result_free(&r);
        }
    }
    CoordExportResult r;
    CHECK(do_export(0, 0, 0, &r, &err) == DB_OK);
    coord_export_result_free(&r);
    fprintf(stderr, "     (%d of 24 exports killed)\n", killed);
    CHECK(killed > 0);

    Store *st = NULL;
    CHECK(store_open(g_data, &st, &err) == DB_OK);
    StoreBatch last;
    int found = 0;
    CHECK(store_batch_last(st, &last, &found, &err) == DB_OK && found);
    int64_t n_unexported = -1;
    CHECK(store_count_unexported(st, -1, &n_unexported, &err) == DB_OK && n_unexported == 0);
    KeyIdentity *id = NULL;
    char fp[KEY_FINGERPRINT_SIZE];
    CHECK(coord_identity(g_data, &id, fp, &err) == DB_OK);
    keys_identity_free(id);
    uint8_t prev[32] = {0};
    int64_t records = 0;
    int chain_ok = 1;
    for (uint64_t n = 1; found && n <= last.number; n++) {
        char name[128], path[512];
        coord_batch_file_name(fp, n, name, sizeof name);
        snprintf(path, sizeof path, "%s/%s", g_out, name);
        size_t len;
        uint8_t *d = read_all(path, &len);
        Batch b;
        StoreBatch sb;
        if (!d || batch_parse(name, d, len, &b, &err) != DB_OK) {
            chain_ok = 0;
            free(d);
            continue;
        }
        chain_ok &= b.number == n && memcmp(b.prev_hash, prev, 32) == 0;
        chain_ok &= store_batch_get(st, n, &sb, &err) == DB_OK && sb.written &&
                    memcmp(sb.hash, b.hash, 32) == 0;
        memcpy(prev, b.hash, 32);
        records += b.n_records;
        batch_free(&b);
        free(d);
    }
    CHECK(chain_ok);
    CHECK(records == total);
    store_close(st);
    CHECK(count_files(g_out) == (int)last.number); /* no temp files left behind */
}

/* --- the CLI, end to end --- */

static char g_cli[600];

/* Runs the debrief binary with a shell command line; stdout and stderr go to files under
 * g_root. Returns the exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s/out.txt' 2>'%s/err.txt'", g_cli, args, g_root,
             g_root);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char g_text[8192];

static const char *output(const char *which)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.txt", g_root, which);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(g_text, 1, sizeof g_text - 1, f) : 0;
    g_text[n] = '\0';
    if (f)
        fclose(f);
    return g_text;
}

static void test_cli(void)
{
    const char *build = getenv("DEBRIEF_BUILD_DIR");
    if (!build) {
        TEST_SKIP("DEBRIEF_BUILD_DIR is not set (ctest sets it): the CLI checks need it");
        return;
    }
    snprintf(g_cli, sizeof g_cli, "%s/app/cli/debrief", build);
    /* A fresh kiosk. */
    rm_rf(g_data);
    rm_rf(g_out);
    DbError err;
    CHECK(fs_mkdir_p(g_data, 0700, &err) == DB_OK && fs_mkdir_p(g_out, 0755, &err) == DB_OK);
    collect_session("Group A", 6);
    collect_session("Group B", 2);
    /* No kiosk ran on this data directory: no key is pinned, no acknowledgement is trusted. */
    char line_[1200], pub[512], mpub[512], ack[512], forged[512];
    snprintf(pub, sizeof pub, "%s/analyst.pub", g_root);
    snprintf(mpub, sizeof mpub, "%s/mallory.pub", g_root);
    CHECK(keys_public_write(pub, &g_pub, &err) == DB_OK);
    CHECK(keys_public_write(mpub, &g_mallory_pub, &err) == DB_OK);
    CHECK(run("ack --data '%s' --recipient '%s' '%s/none.dba'", g_data, pub, g_root) == 1);
    snprintf(line_, sizeof line_,
             "debrief: error: %s: no analyst keys are pinned on this kiosk yet; start the kiosk "
             "once with its configuration (it pins the keys it is configured with), then apply "
             "the acknowledgement; nothing was deleted\n",
             g_data);
    CHECK_STR(output("err"), line_);
    pin_keys(&g_pub, 1); /* the kiosk's first start */
    KeyIdentity *id = NULL;
    char fp[KEY_FINGERPRINT_SIZE], name[128], batch[512], line[1200];
    CHECK(coord_identity(g_data, &id, fp, &err) == DB_OK);
    uint8_t pk[32];
    keys_identity_public(id, pk);
    keys_identity_free(id);
    coord_batch_file_name(fp, 1, name, sizeof name);
    snprintf(batch, sizeof batch, "%s/%s", g_out, name);

    CHECK(run("export --help") == 0 && strstr(output("out"), "usage: debrief export") != NULL);
    CHECK(run("export --data '%s'", g_data) == 2);
    CHECK(run("export --data '%s' --out '%s' --k zero", g_data, g_out) == 2);
    CHECK_STR(output("err"), "debrief: error: --k must be a whole number from 1 to 1000\n");

    CHECK(run("export --data '%s' --out '%s'", g_data, g_out) == 0);
    const char *out = output("out");
    snprintf(line, sizeof line, "wrote %s\n  batch 1, kiosk %s, 6 responses\n", batch, fp);
    CHECK(strstr(out, line) == out);
    CHECK(strstr(out, "held back: \"Group B\" (2024-05-14): 2 responses, fewer than k = 5") !=
          NULL);

    CHECK(run("verify '%s'", batch) == 0);
    out = output("out");
    snprintf(line, sizeof line, "%s: ok\n  kiosk %s, batch 1, 6 responses in 1 sessions\n",
             batch, fp);
    CHECK(strstr(out, line) == out);
    CHECK(strstr(out, "first batch of this kiosk") != NULL);
    char pfp[KEY_FINGERPRINT_SIZE], pid[2 * KEY_ID_BYTES + 1];
    keys_public_fingerprint(&g_pub, pfp);
    uint8_t pid8[KEY_ID_BYTES];
    keys_public_id(&g_pub, pid8);
    for (int i = 0; i < KEY_ID_BYTES; i++)
        snprintf(pid + 2 * i, 3, "%02x", pid8[i]);
    snprintf(line, sizeof line,
             "  sealed to 1 key (whoever holds it can read these responses):\n    %s  key id "
             "%s\n",
             pfp, pid);
    CHECK(strstr(out, line) != NULL);
    CHECK(run("verify") == 2);
    CHECK(run("verify --help") == 0);

    /* Tampered copy: one clear message, exit 1. */
    size_t len;
    uint8_t *d = read_all(batch, &len);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/tampered.dbb", g_root);
    d[len - 100] ^= 1;
    CHECK(fs_write_atomic(bad, d, len, 0644, &err) == DB_OK);
    free(d);
    CHECK(run("verify '%s' '%s'", batch, bad) == 1);
    snprintf(line, sizeof line,
             "debrief: error: %s: signature does not verify: the batch was altered or is not "
             "from this kiosk\n",
             bad);
    CHECK_STR(output("err"), line);

    /* The forced second batch chains to the first; verify checks the pair. */
    CHECK(run("export --data '%s' --out '%s' --force", g_data, g_out) == 0);
    char batch2[512];
    coord_batch_file_name(fp, 2, name, sizeof name);
    snprintf(batch2, sizeof batch2, "%s/%s", g_out, name);
    CHECK(run("verify '%s' '%s'", batch2, batch) == 0);
    CHECK(strstr(output("out"), "follows batch 1") != NULL);

    /* Acknowledgement: forged refused, genuine deletes exactly batch 1. */
    d = read_all(batch, &len);
    AckEntry e = {.number = 1};
    batch_hash(d, len, e.hash);
    free(d);
    CHECK(write_ack("cli-forged.dba", pk, &e, 1, g_mallory, forged, sizeof forged) == DB_OK);
    CHECK(write_ack("cli-ack.dba", pk, &e, 1, g_sec, ack, sizeof ack) == DB_OK);
    /* Issue 15: a self-made key named on the command line, and an acknowledgement it
     * signed, delete nothing. */
    CHECK(run("ack --data '%s' --recipient '%s' '%s'", g_data, mpub, forged) == 1);
    char mfp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&g_mallory_pub, mfp);
    snprintf(line, sizeof line,
             "debrief: error: analyst key %s was never pinned on this kiosk (pinned now: %s); "
             "an acknowledgement is verified only with keys pinned here; nothing was deleted\n",
             mfp, pfp);
    CHECK_STR(output("err"), line);
    CHECK(count_responses() == 8);
    CHECK(run("ack --data '%s' '%s'", g_data, forged) == 1);
    snprintf(line, sizeof line, "debrief: error: %s: %s\n", forged, DBERR_AUTH_MSG);
    CHECK_STR(output("err"), line);
    CHECK(run("ack --data '%s' --recipient '%s' '%s'", g_data, pub, forged) == 1);
    CHECK_STR(output("err"), line);
    CHECK(count_responses() == 8);
    CHECK(run("ack --data '%s' '%s'", g_data, ack) == 0); /* the pinned keys */
    CHECK(strstr(output("out"), "deleted 6 responses of 1 batches\n") != NULL);
    CHECK(count_responses() == 2);
    CHECK(run("ack --data '%s' --recipient '%s' '%s'", g_data, pub, ack) == 0);
    CHECK(strstr(output("out"), "deleted 0 responses of 0 batches; 1 batches were already "
                                "deleted by an earlier acknowledgement\n") != NULL);

    /* Sessions from the shell. */
    char survey[1100];
    const char *src = getenv("DEBRIEF_SOURCE_DIR");
    snprintf(survey, sizeof survey, "%s/assets/surveys/ccdg.json", src ? src : "..");
    CHECK(run("session open --data '%s' --label 'Group C' --date 2024-06-01 --survey '%s' "
              "--expected 9",
              g_data, survey) == 0);
    CHECK(strstr(output("out"), "open: \"Group C\" 2024-06-01, survey ccdg") != NULL);
    CHECK(run("session open --data '%s' --label 'Group D' --date 2024-06-01 --survey '%s'",
              g_data, survey) == 1);
    CHECK_STR(output("err"), "debrief: error: a session is already open; close it first\n");
    CHECK(run("session open --data '%s' --label 'Group D'", g_data) == 2);
    CHECK(run("session list --data '%s'", g_data) == 0);
    out = output("out");
    CHECK(strstr(out, "Group C") != NULL && strstr(out, "0/9") != NULL);
    CHECK(strstr(out, "not yet exported: 0 responses; exported, awaiting acknowledgement: 2") !=
          NULL);
    CHECK(run("session close --data '%s'", g_data) == 0);
    CHECK(run("session close --data '%s'", g_data) == 1);
    CHECK_STR(output("err"), "debrief: error: no session is open\n");
    CHECK(run("session frobnicate --data '%s'", g_data) == 2);

    /* A session collects for the kiosk's survey (issue 18): before a kiosk ran, --survey is
     * needed; after, it is the default and another survey is refused. */
    CHECK(run("session open --data '%s' --label 'Group E' --date 2024-06-01", g_data) == 1);
    CHECK(strstr(output("err"), "no kiosk has run on this data directory yet") != NULL);
    Store *st = NULL;
    CHECK(store_open(g_data, &st, &err) == DB_OK &&
          store_kiosk_survey_set(st, "ccdg", 1, 5400, &err) == DB_OK);
    store_close(st);
    CHECK(run("session open --data '%s' --label 'Group E' --date 2024-06-01", g_data) == 0);
    CHECK(strstr(output("out"), "open: \"Group E\" 2024-06-01, survey ccdg version 1") != NULL);
    CHECK(run("session close --data '%s'", g_data) == 0);
    char team[1100];
    snprintf(team, sizeof team, "%s/tests/kiosk/team.json", src ? src : "..");
    CHECK(run("session open --data '%s' --label 'Group F' --date 2024-06-01 --survey '%s'", g_data,
              team) == 1);
    CHECK(strstr(output("err"), "team.json is survey team v3, but the kiosk on ") != NULL);
    CHECK(strstr(output("err"), " runs survey ccdg v1: its answers could not be imported") !=
          NULL);
    CHECK(run("session list --data '%s'", g_data) == 0);
    CHECK(strstr(output("out"), "Group F") == NULL);

    /* Issue 15 through `debrief ack`: whoever holds the PIN pins a key of their own (admin
     * screen, --pin-recipients) and acknowledges batch 2 with it. Batch 2 is sealed to the
     * analyst's key only: refused, nothing deleted, whether or not the key is named. The
     * analyst's own acknowledgement, by a key no longer pinned, still applies. */
    pin_keys(&g_mallory_pub, 1);
    d = read_all(batch2, &len);
    AckEntry e2 = {.number = 2};
    batch_hash(d, len, e2.hash);
    free(d);
    char mack[512], aack[512];
    CHECK(write_ack("cli-mallory2.dba", pk, &e2, 1, g_mallory, mack, sizeof mack) == DB_OK);
    CHECK(write_ack("cli-ack2.dba", pk, &e2, 1, g_sec, aack, sizeof aack) == DB_OK);
    CHECK(count_responses() == 2);
    CHECK(run("ack --data '%s' '%s'", g_data, mack) == 1);
    snprintf(line, sizeof line,
             "debrief: error: %s: batch 2: its records are sealed to %s, not to the key that "
             "signed this acknowledgement (%s), which cannot have imported them; nothing was "
             "deleted\n",
             mack, pfp, mfp);
    CHECK_STR(output("err"), line);
    CHECK_STR(output("out"), "");
    CHECK(run("ack --data '%s' --recipient '%s' '%s'", g_data, mpub, mack) == 1);
    CHECK_STR(output("err"), line);
    CHECK(count_responses() == 2);
    CHECK(run("ack --data '%s' --recipient '%s' '%s'", g_data, pub, aack) == 0);
    snprintf(line, sizeof line,
             "acknowledgement by analyst %s for kiosk %s: 1 batches\n"
             "deleted 2 responses of 1 batches\n",
             pfp, fp);
    CHECK_STR(output("out"), line);
    CHECK(count_responses() == 0);
}

/* The pinned analyst keys in kiosk_meta (recipients.h). */
static void test_pinned_recipients(void)
{
    char dir[400];
    snprintf(dir, sizeof dir, "%s/pins", g_root);
    DbError err;
    Store *st = NULL;
    CHECK(fs_mkdir_p(dir, 0700, &err) == DB_OK && store_open(dir, &st, &err) == DB_OK);
    if (!st)
        return;
    RcptSet a = {1, {g_pub}}, am = {2, {g_pub, g_mallory_pub}}, ma = {2, {g_mallory_pub, g_pub}};
    RcptSet got;
    RcptState state;
    int found = 1;
    char log[RCPT_LOG_MAX + 1], afp[KEY_FINGERPRINT_SIZE], mfp[KEY_FINGERPRINT_SIZE], want[300];
    keys_public_fingerprint(&g_pub, afp);
    keys_public_fingerprint(&g_mallory_pub, mfp);
    CHECK(rcpt_pinned(st, &got, &found, &err) == DB_OK && !found);
    CHECK(rcpt_log(st, log, sizeof log, &err) == DB_OK && log[0] == '\0');

    /* Responses sealed before any key was pinned (a store from before 0.3), to Mallory. */
    int64_t sid;
    CHECK(store_session_open(st, "Old", "2024-01-02", "ccdg", 1, 0, &sid, &err) == DB_OK);
    uint8_t rec[1024];
    size_t rl;
    CHECK(seal_record((const uint8_t *)"x", 1, 256, &g_mallory_pub, 1, rec, sizeof rec, &rl,
                      &err) == DB_OK);
    CHECK(store_response_put(st, sid, rec, rl, &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);

    /* The first start pins; the same keys again are the same set. */
    CHECK(rcpt_check(st, &a, &state, &got, &err) == DB_OK && state == RCPT_PINNED_NOW);
    CHECK(rcpt_same(&got, &a));
    CHECK(rcpt_check(st, &a, &state, &got, &err) == DB_OK && state == RCPT_SAME);
    CHECK(rcpt_log(st, log, sizeof log, &err) == DB_OK);
    char date[11];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    snprintf(want, sizeof want, "%s: pinned at the first start: %s\n", date, afp);
    CHECK_STR(log, want);
    /* Another set is noticed, not taken. */
    CHECK(rcpt_check(st, &am, &state, &got, &err) == DB_OK && state == RCPT_CHANGED);
    CHECK(rcpt_same(&got, &a));
    CHECK(rcpt_same(&am, &ma) && !rcpt_same(&a, &am));
    RcptSet twin = a;
    twin.keys[0].sign_pk[3] ^= 1; /* the same X25519 key with another signing key */
    CHECK(rcpt_check(st, &twin, &state, &got, &err) == DB_OK && state == RCPT_CHANGED);
    /* Confirmed: in force, logged with what it replaced; its keys are known for batches. */
    CHECK(rcpt_pin(st, &ma, "confirmed on the admin screen", &err) == DB_OK);
    CHECK(rcpt_check(st, &am, &state, &got, &err) == DB_OK && state == RCPT_SAME);
    CHECK(rcpt_log(st, log, sizeof log, &err) == DB_OK);
    snprintf(want, sizeof want, "%s: confirmed on the admin screen: %s, %s (was: %s)\n", date,
             mfp, afp, afp);
    CHECK(strstr(log, want) != NULL && strlen(strstr(log, want)) == strlen(want));
    CHECK(rcpt_pin(st, &am, "again", &err) == DB_OK); /* the same set: nothing to log */
    CHECK(rcpt_log(st, log, sizeof log, &err) == DB_OK && strstr(log, "again") == NULL);
    KeyPublic known[RCPT_KNOWN_MAX];
    int n_known = 0;
    CHECK(rcpt_known(st, known, &n_known, &err) == DB_OK && n_known == 2);
    CHECK(memcmp(&known[0], &g_pub, sizeof g_pub) == 0 &&
          memcmp(&known[1], &g_mallory_pub, sizeof g_mallory_pub) == 0);
    CHECK(rcpt_pin(st, &a, "by IT", &err) == DB_OK);
    CHECK(rcpt_known(st, known, &n_known, &err) == DB_OK && n_known == 2);
    /* Refused sets. */
    RcptSet none = {0, {{{0}, {0}}}}, dup = {2, {g_pub, g_pub}};
    CHECK(rcpt_pin(st, &none, "x", &err) == DB_EINVAL);
    CHECK(rcpt_pin(st, &dup, "x", &err) == DB_EINVAL);
    CHECK_STR(err.msg, "the same analyst key is given twice");

    /* A batch names the records' keys from every key ever pinned: Mallory in full although
     * she is no longer pinned; a key never pinned only by its id. */
    CoordExportOptions o = {.store = st, .data_dir = dir, .out_dir = g_out, .force = 1};
    CoordExportResult r;
    CHECK(coord_export(&o, &r, &err) == DB_OK && r.n_batches == 1);
    size_t len = 0;
    uint8_t *d = r.n_batches == 1 ? read_all(r.batches[0].path, &len) : NULL;
    Batch b;
    CHECK(d && batch_parse("p.dbb", d, len, &b, &err) == DB_OK);
    CHECK(b.n_recipients == 1 && b.recipients[0].known &&
          memcmp(&b.recipients[0].key, &g_mallory_pub, sizeof g_mallory_pub) == 0);
    batch_free(&b);
    free(d);
    if (r.n_batches == 1)
        unlink(r.batches[0].path);
    coord_export_result_free(&r);
    KeyPublic stranger;
    KeySecret *ssec = NULL;
    CHECK(keys_generate(&stranger, &ssec, &err) == DB_OK);
    keys_secret_free(ssec);
    CHECK(store_session_open(st, "New", "2024-01-03", "ccdg", 1, 0, &sid, &err) == DB_OK);
    CHECK(seal_record((const uint8_t *)"y", 1, 256, &stranger, 1, rec, sizeof rec, &rl, &err) ==
          DB_OK);
    CHECK(store_response_put(st, sid, rec, rl, &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    CHECK(coord_export(&o, &r, &err) == DB_OK && r.n_batches == 1);
    d = r.n_batches == 1 ? read_all(r.batches[0].path, &len) : NULL;
    CHECK(d && batch_parse("p.dbb", d, len, &b, &err) == DB_OK);
    uint8_t sid8[KEY_ID_BYTES];
    keys_public_id(&stranger, sid8);
    CHECK(b.n_recipients == 1 && !b.recipients[0].known &&
          memcmp(b.recipients[0].id, sid8, KEY_ID_BYTES) == 0);
    batch_free(&b);
    free(d);
    if (r.n_batches == 1)
        unlink(r.batches[0].path);
    coord_export_result_free(&r);

    /* The log keeps its newest lines within RCPT_LOG_MAX. */
    for (int i = 0; i < 40; i++)
        CHECK(rcpt_pin(st, i % 2 ? &a : &am, i == 39 ? "the last one" : "round", &err) == DB_OK);
    CHECK(rcpt_log(st, log, sizeof log, &err) == DB_OK);
    CHECK(strlen(log) <= RCPT_LOG_MAX && strstr(log, "first start") == NULL);
    CHECK(strstr(log, "the last one") != NULL && log[strlen(log) - 1] == '\n');
    /* At most RCPT_KNOWN_MAX different keys over the kiosk's life. */
    int rc = DB_OK, pins = 0;
    while (rc == DB_OK && pins < 40) {
        RcptSet fresh = {RCPT_MAX, {{{0}, {0}}}};
        for (int i = 0; i < RCPT_MAX; i++) {
            KeySecret *k = NULL;
            CHECK(keys_generate(&fresh.keys[i], &k, &err) == DB_OK);
            keys_secret_free(k);
        }
        rc = rcpt_pin(st, &fresh, "many", &err);
        pins++;
    }
    CHECK(rc == DB_ELIMIT && pins == (RCPT_KNOWN_MAX - 2) / RCPT_MAX + 1);
    CHECK(rcpt_known(st, known, &n_known, &err) == DB_OK && n_known <= RCPT_KNOWN_MAX);
    /* A damaged value is an error, not an empty set. */
    CHECK(store_meta_set(st, "recipients", (const uint8_t *)"0123456789", 10, &err) == DB_OK);
    CHECK(rcpt_pinned(st, &got, &found, &err) == DB_EFORMAT);
    CHECK_STR(err.msg, "kiosk_meta recipients: 10 bytes, not a list of keys (damaged)");
    CHECK(rcpt_check(st, &a, &state, &got, &err) == DB_EFORMAT);
    store_close(st);
}

/* A store in a new data directory g_root/name; db: the path of its database. */
static Store *fresh_store(const char *name, char *db, size_t cap)
{
    char dir[400];
    snprintf(dir, sizeof dir, "%s/%s", g_root, name);
    snprintf(db, cap, "%s/debrief.db", dir);
    rm_rf(dir);
    DbError err;
    Store *st = NULL;
    CHECK(fs_mkdir_p(dir, 0700, &err) == DB_OK && store_open(dir, &st, &err) == DB_OK);
    return st;
}

/* Pinning is all or nothing: when writing the pinned set fails (here a trigger refuses it,
 * as a full disk or an I/O error would), neither the known keys nor the log tell of a change
 * that did not happen. */
static void test_pin_all_or_nothing(void)
{
    char db[440];
    Store *st = fresh_store("pins-atomic", db, sizeof db);
    if (!st)
        return;
    DbError err;
    RcptSet a = {1, {g_pub}}, am = {2, {g_pub, g_mallory_pub}}, got;
    int found = 0, n_known = 0;
    KeyPublic known[RCPT_KNOWN_MAX];
    char before[RCPT_LOG_MAX + 1], after[RCPT_LOG_MAX + 1];
    CHECK(rcpt_pin(st, &a, "pinned at the first start", &err) == DB_OK);
    CHECK(rcpt_log(st, before, sizeof before, &err) == DB_OK);

    sqlite3 *other = NULL;
    CHECK(sqlite3_open(db, &other) == SQLITE_OK);
    CHECK(sqlite3_exec(other,
                       "CREATE TRIGGER refuse_pin BEFORE INSERT ON kiosk_meta "
                       "WHEN NEW.key = 'recipients' BEGIN SELECT RAISE(ABORT, 'refused'); END",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(rcpt_pin(st, &am, "confirmed on the admin screen", &err) != DB_OK);
    CHECK(strstr(err.msg, "refused") != NULL);
    CHECK(rcpt_pinned(st, &got, &found, &err) == DB_OK && found && rcpt_same(&got, &a));
    CHECK(rcpt_known(st, known, &n_known, &err) == DB_OK && n_known == 1);
    CHECK(rcpt_log(st, after, sizeof after, &err) == DB_OK);
    CHECK_STR(after, before);

    /* Nothing was left half done: once writing works again, the change goes through whole. */
    CHECK(sqlite3_exec(other, "DROP TRIGGER refuse_pin", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(other);
    CHECK(rcpt_pin(st, &am, "confirmed on the admin screen", &err) == DB_OK);
    CHECK(rcpt_pinned(st, &got, &found, &err) == DB_OK && found && rcpt_same(&got, &am));
    CHECK(rcpt_known(st, known, &n_known, &err) == DB_OK && n_known == 2);
    CHECK(rcpt_log(st, after, sizeof after, &err) == DB_OK);
    CHECK(strstr(after, "confirmed on the admin screen") != NULL);
    store_close(st);
}

/* The kiosk's first start pins its configured keys only if, looked at inside its write
 * transaction, nothing is pinned yet: keys that `--pin-recipients` pinned a moment after the
 * kiosk first looked (here another connection holds the write lock, then writes M's key as
 * the pinned set) are compared with, not overwritten. */
static void test_first_pin_races_pin_recipients(void)
{
    char db[440];
    Store *st = fresh_store("pins-race", db, sizeof db);
    if (!st)
        return;
    DbError err;
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        sqlite3 *h = NULL;
        sqlite3_stmt *ins = NULL;
        uint8_t m[KEY_PUBLIC_BYTES + KEY_SIGN_PUBLIC_BYTES];
        memcpy(m, g_mallory_pub.pk, KEY_PUBLIC_BYTES);
        memcpy(m + KEY_PUBLIC_BYTES, g_mallory_pub.sign_pk, KEY_SIGN_PUBLIC_BYTES);
        int ok = sqlite3_open(db, &h) == SQLITE_OK &&
                 sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
                 write(ready[1], "x", 1) == 1;
        usleep(300 * 1000); /* the kiosk has looked, and waits for the lock */
        ok = ok &&
             sqlite3_prepare_v2(h,
                                "INSERT OR REPLACE INTO kiosk_meta(key, value) VALUES "
                                "('recipients', ?)",
                                -1, &ins, NULL) == SQLITE_OK &&
             sqlite3_bind_blob(ins, 1, m, sizeof m, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_step(ins) == SQLITE_DONE;
        sqlite3_finalize(ins);
        ok = ok && sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_close(h);
        _exit(ok ? 0 : 1);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    RcptSet a = {1, {g_pub}}, got;
    RcptState state;
    CHECK(rcpt_check(st, &a, &state, &got, &err) == DB_OK);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(state == RCPT_CHANGED);
    CHECK(got.n == 1 && memcmp(&got.keys[0], &g_mallory_pub, sizeof g_mallory_pub) == 0);
    int found = 0;
    CHECK(rcpt_pinned(st, &got, &found, &err) == DB_OK && found && got.n == 1 &&
          memcmp(&got.keys[0], &g_mallory_pub, sizeof g_mallory_pub) == 0);
    close(ready[0]);
    close(ready[1]);
    store_close(st);
}

/* A kiosk pinned to A exports a batch sealed to A; the keys are then changed to M (with the
 * PIN: the admin screen or --pin-recipients). Returns the batch's entry for an
 * acknowledgement and the kiosk's public key; dir holds the kiosk. */
static void exported_then_rekeyed(const char *dir, AckEntry *e, uint8_t kiosk_pk[32])
{
    DbError err;
    Store *st = NULL;
    rm_rf(dir);
    CHECK(fs_mkdir_p(dir, 0700, &err) == DB_OK && store_open(dir, &st, &err) == DB_OK);
    if (!st)
        return;
    RcptSet a = {1, {g_pub}}, m = {1, {g_mallory_pub}};
    CHECK(rcpt_pin(st, &a, "pinned at the first start", &err) == DB_OK);
    int64_t sid;
    CHECK(store_session_open(st, "Group R", "2024-05-14", "ccdg", 1, 0, &sid, &err) == DB_OK);
    for (int i = 0; i < 2; i++) {
        uint8_t rec[1024];
        size_t rl;
        CHECK(seal_record((const uint8_t *)"answer", 6, 256, &g_pub, 1, rec, sizeof rec, &rl,
                          &err) == DB_OK);
        CHECK(store_response_put(st, sid, rec, rl, &err) == DB_OK);
    }
    CHECK(store_session_close(st, &err) == DB_OK);
    CoordExportOptions o = {.store = st, .data_dir = dir, .out_dir = g_out, .force = 1};
    CoordExportResult r;
    CHECK(coord_export(&o, &r, &err) == DB_OK && r.n_batches == 1);
    memset(e, 0, sizeof *e);
    if (r.n_batches == 1) {
        e->number = r.batches[0].number;
        memcpy(e->hash, r.batches[0].hash, BATCH_HASH_BYTES);
        unlink(r.batches[0].path);
    }
    coord_export_result_free(&r);
    CHECK(rcpt_pin(st, &m, "confirmed by the coordinator on the admin screen", &err) == DB_OK);
    store_close(st);
    KeyIdentity *id = NULL;
    CHECK(coord_identity(dir, &id, NULL, &err) == DB_OK);
    if (id)
        keys_identity_public(id, kiosk_pk);
    keys_identity_free(id);
}

static int ack_in(const char *dir, const char *path, CoordAckResult *r, DbError *err)
{
    Store *st = NULL;
    int rc = store_open(dir, &st, err);
    if (rc == DB_OK)
        rc = coord_ack(st, dir, NULL, 0, path, r, err);
    store_close(st);
    return rc;
}

static int64_t responses_in(const char *dir)
{
    Store *st = NULL;
    DbError err;
    int64_t n = -1;
    if (store_open(dir, &st, &err) == DB_OK)
        store_response_count(st, -1, &n, &err);
    store_close(st);
    return n;
}

/* Review of issue 15: an acknowledgement is checked against the keys pinned *now*, not the
 * keys the acknowledged batch was sealed to. So a key pinned after the export -- by whoever
 * holds the PIN (the coordinator) -- signs an acknowledgement of a batch it cannot read, and
 * the kiosk deletes responses the analyst never imported. Expected: refused, nothing deleted
 * (only a key the batch's records are sealed to may acknowledge it). */
static void test_ack_by_key_pinned_after_export(void)
{
    char dir[400], path[512];
    snprintf(dir, sizeof dir, "%s/rekeyed-m", g_root);
    AckEntry e;
    uint8_t kpk[32] = {0};
    exported_then_rekeyed(dir, &e, kpk);
    CHECK(responses_in(dir) == 2);
    CHECK(write_ack("rekeyed-m.dba", kpk, &e, 1, g_mallory, path, sizeof path) == DB_OK);
    CoordAckResult r;
    DbError err;
    int rc = ack_in(dir, path, &r, &err);
    CHECK(rc == DB_ESTATE);
    char afp[KEY_FINGERPRINT_SIZE], mfp[KEY_FINGERPRINT_SIZE], want[700];
    keys_public_fingerprint(&g_pub, afp);
    keys_public_fingerprint(&g_mallory_pub, mfp);
    snprintf(want, sizeof want,
             "%s: batch %llu: its records are sealed to %s, not to the key that signed this "
             "acknowledgement (%s), which cannot have imported them; nothing was deleted",
             path, (unsigned long long)e.number, afp, mfp);
    CHECK_STR(err.msg, want);
    CHECK(responses_in(dir) == 2);
}

/* The other side of the same rule: after the change, the analyst who holds the key the batch
 * was sealed to imported it and acknowledges it; the kiosk refuses ("authentication failed",
 * or "not pinned" with --recipient), so those responses can never be purged. Expected: the
 * acknowledgement by the key the batch is sealed to deletes them. */
static void test_ack_by_batch_key_after_rekey(void)
{
    char dir[400], path[512];
    snprintf(dir, sizeof dir, "%s/rekeyed-a", g_root);
    AckEntry e;
    uint8_t kpk[32] = {0};
    exported_then_rekeyed(dir, &e, kpk);
    CHECK(write_ack("rekeyed-a.dba", kpk, &e, 1, g_sec, path, sizeof path) == DB_OK);
    CoordAckResult r;
    DbError err;
    int rc = ack_in(dir, path, &r, &err);
    if (rc != DB_OK)
        fprintf(stderr, "  (refused: %s)\n", err.msg);
    CHECK(rc == DB_OK);
    CHECK(responses_in(dir) == 0);
}

/* Seals n records to keys[0..nk) into a new closed session of the kiosk in dir and exports
 * them as one batch, whose entry for an acknowledgement goes to *e. */
static void batch_sealed_to(const char *dir, const KeyPublic *keys, int nk, int n, AckEntry *e)
{
    DbError err;
    Store *st = NULL;
    int64_t sid;
    memset(e, 0, sizeof *e);
    CHECK(store_open(dir, &st, &err) == DB_OK);
    if (!st)
        return;
    CHECK(store_session_open(st, "Group S", "2024-05-14", "ccdg", 1, 0, &sid, &err) == DB_OK);
    for (int i = 0; i < n; i++) {
        uint8_t rec[1024];
        size_t rl;
        CHECK(seal_record((const uint8_t *)"answer", 6, 256, i < 2 ? keys : keys + 1,
                          i < 2 ? nk : nk - 1, rec, sizeof rec, &rl, &err) == DB_OK);
        CHECK(store_response_put(st, sid, rec, rl, &err) == DB_OK);
    }
    CHECK(store_session_close(st, &err) == DB_OK);
    CoordExportOptions o = {.store = st, .data_dir = dir, .out_dir = g_out, .force = 1};
    CoordExportResult r;
    CHECK(coord_export(&o, &r, &err) == DB_OK && r.n_batches == 1);
    if (r.n_batches == 1) {
        e->number = r.batches[0].number;
        memcpy(e->hash, r.batches[0].hash, BATCH_HASH_BYTES);
        unlink(r.batches[0].path);
    }
    coord_export_result_free(&r);
    store_close(st);
}

static int first_key(const uint8_t key[STORE_KEY_BYTES], int64_t session_id, size_t len, void *ctx)
{
    (void)session_id, (void)len;
    memcpy(ctx, key, STORE_KEY_BYTES);
    return 1;
}

/* Issue 15: an entry deletes a batch's records only if every one of them is sealed to the key
 * that signed the acknowledgement; one entry that fails keeps the whole file from applying. */
static void test_ack_signer_holds_every_record(void)
{
    char dir[400], path[512], want[900];
    snprintf(dir, sizeof dir, "%s/signer", g_root);
    rm_rf(dir);
    DbError err;
    Store *st = NULL;
    CHECK(fs_mkdir_p(dir, 0700, &err) == DB_OK && store_open(dir, &st, &err) == DB_OK);
    RcptSet both = {2, {g_mallory_pub, g_pub}};
    CHECK(st && rcpt_pin(st, &both, "pinned at the first start", &err) == DB_OK);
    store_close(st);
    /* Records 0 and 1 of a batch are sealed to both keys, later ones to g_pub only. */
    AckEntry e1, e2, e3;
    batch_sealed_to(dir, both.keys, 2, 2, &e1);
    batch_sealed_to(dir, both.keys, 2, 3, &e2);
    batch_sealed_to(dir, both.keys, 2, 2, &e3);
    KeyIdentity *id = NULL;
    uint8_t kpk[32] = {0};
    CHECK(coord_identity(dir, &id, NULL, &err) == DB_OK);
    if (id)
        keys_identity_public(id, kpk);
    keys_identity_free(id);
    CHECK(responses_in(dir) == 7);
    char afp[KEY_FINGERPRINT_SIZE], mfp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&g_pub, afp);
    keys_public_fingerprint(&g_mallory_pub, mfp);
    CoordAckResult r;

    /* Batch 2 holds one record Mallory cannot open: her entry for it fails, and her good
     * entries for batches 1 and 3 in the same file are not applied either. */
    AckEntry m123[3] = {e1, e2, e3};
    CHECK(write_ack("m123.dba", kpk, m123, 3, g_mallory, path, sizeof path) == DB_OK);
    CHECK(ack_in(dir, path, &r, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "%s: batch 2: 1 of its 3 records is sealed to %s, not to the key that signed this "
             "acknowledgement (%s), which cannot have imported them; nothing was deleted",
             path, afp, mfp);
    CHECK_STR(err.msg, want);
    CHECK(responses_in(dir) == 7);
    /* Batches 1 and 3 alone: every record is sealed to her too. */
    AckEntry m13[2] = {e1, e3};
    CHECK(write_ack("m13.dba", kpk, m13, 2, g_mallory, path, sizeof path) == DB_OK);
    CHECK(ack_in(dir, path, &r, &err) == DB_OK && r.n_purged == 2 && r.deleted == 4);
    CHECK_STR(r.analyst_fp, mfp);
    CHECK(responses_in(dir) == 3);
    /* Batch 2 by the key all its records are sealed to. */
    CHECK(write_ack("a2.dba", kpk, &e2, 1, g_sec, path, sizeof path) == DB_OK);
    CHECK(ack_in(dir, path, &r, &err) == DB_OK && r.n_purged == 1 && r.deleted == 3);
    CHECK_STR(r.analyst_fp, afp);
    CHECK(responses_in(dir) == 0);

    /* A held response that is not a sealed record (a slot changed under a valid checksum
     * since the export checked it, here made as the store's bookkeeping would) says nothing
     * about its keys: the analyst imported the batch as exported (its hash is acknowledged),
     * and a damaged slot must not block this and every later acknowledgement, which lists
     * the batch again, for good. */
    CHECK(store_open(dir, &st, &err) == DB_OK);
    if (!st)
        return;
    int64_t sid;
    uint8_t junk[600];
    memset(junk, 0xa5, sizeof junk);
    CHECK(store_session_open(st, "Group J", "2024-05-15", "ccdg", 1, 0, &sid, &err) == DB_OK);
    CHECK(store_response_put(st, sid, junk, sizeof junk, &err) == DB_OK);
    CHECK(store_session_close(st, &err) == DB_OK);
    uint8_t key[STORE_KEY_BYTES];
    CHECK(store_unexported_keys_foreach(st, sid, first_key, key, &err) == DB_OK);
    StoreBatch b = {.number = 4, .records = 1};
    memcpy(b.prev_hash, e3.hash, BATCH_HASH_BYTES);
    memset(b.hash, 0x44, BATCH_HASH_BYTES);
    CHECK(store_batch_add(st, &b, (const uint8_t(*)[STORE_KEY_BYTES])key, 1, &err) == DB_OK);
    store_close(st);
    AckEntry e4 = {.number = 4};
    memcpy(e4.hash, b.hash, BATCH_HASH_BYTES);
    CHECK(write_ack("a4.dba", kpk, &e4, 1, g_sec, path, sizeof path) == DB_OK);
    CHECK(ack_in(dir, path, &r, &err) == DB_OK && r.n_purged == 1 && r.deleted == 1);
    CHECK(responses_in(dir) == 0);
}

/* A key pair is never split: records name only the X25519 half (by its key id), so a key
 * pinned with g_pub's X25519 half and Mallory's signing key would acknowledge what is sealed
 * to g_pub. rcpt_pin refuses it; one pinned before it did deletes nothing. */
static void test_split_key_pair(void)
{
    char dir[400], path[512], want[900];
    snprintf(dir, sizeof dir, "%s/split", g_root);
    AckEntry e;
    uint8_t kpk[32] = {0};
    exported_then_rekeyed(dir, &e, kpk); /* batch 1 sealed to g_pub; pinned now: Mallory */
    KeyPublic hybrid = g_pub, other = g_mallory_pub;
    memcpy(hybrid.sign_pk, g_mallory_pub.sign_pk, sizeof hybrid.sign_pk);
    memcpy(other.sign_pk, g_pub.sign_pk, sizeof other.sign_pk);
    char afp[KEY_FINGERPRINT_SIZE], hfp[KEY_FINGERPRINT_SIZE], ofp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&g_pub, afp);
    keys_public_fingerprint(&hybrid, hfp);
    keys_public_fingerprint(&other, ofp);
    DbError err;
    Store *st = NULL;
    CHECK(store_open(dir, &st, &err) == DB_OK);
    if (!st)
        return;
    RcptSet h = {1, {hybrid}}, o = {1, {other}}, pair = {2, {hybrid, g_mallory_pub}};
    CHECK(rcpt_pin(st, &h, "x", &err) == DB_EINVAL);
    snprintf(want, sizeof want,
             "analyst key %s shares its encryption or its signing key with key %s (pinned on "
             "this kiosk before), but not both: half of one key pair with half of another is "
             "refused (it could acknowledge answers sealed to the other); nothing was pinned",
             hfp, afp);
    CHECK_STR(err.msg, want);
    CHECK(rcpt_pin(st, &o, "x", &err) == DB_EINVAL); /* g_pub's signing key, another X25519 */
    CHECK(strstr(err.msg, "with key") != NULL && strstr(err.msg, afp) != NULL);
    CHECK(rcpt_pin(st, &pair, "x", &err) == DB_EINVAL);
    KeyPublic known[RCPT_KNOWN_MAX];
    int n_known = 0;
    CHECK(rcpt_known(st, known, &n_known, &err) == DB_OK && n_known == 2);
    /* A store where such a key got pinned anyway (before the check existed): g_pub, then the
     * hybrid; an acknowledgement signed with Mallory's signing key verifies as the hybrid's. */
    uint8_t raw[2 * 64];
    memcpy(raw, g_pub.pk, 32);
    memcpy(raw + 32, g_pub.sign_pk, 32);
    memcpy(raw + 64, hybrid.pk, 32);
    memcpy(raw + 96, hybrid.sign_pk, 32);
    CHECK(store_meta_set(st, "recipients_known", raw, sizeof raw, &err) == DB_OK);
    store_close(st);
    CHECK(write_ack("split.dba", kpk, &e, 1, g_mallory, path, sizeof path) == DB_OK);
    CoordAckResult r;
    CHECK(ack_in(dir, path, &r, &err) == DB_ESTATE);
    snprintf(want, sizeof want,
             "%s: analyst key %s shares half of its key pair with another key pinned on this "
             "kiosk; nothing was deleted",
             path, hfp);
    CHECK_STR(err.msg, want);
    CHECK(responses_in(dir) == 2);

    /* Within one set, on a fresh kiosk. */
    char fresh[400];
    snprintf(fresh, sizeof fresh, "%s/split-fresh", g_root);
    rm_rf(fresh);
    CHECK(fs_mkdir_p(fresh, 0700, &err) == DB_OK && store_open(fresh, &st, &err) == DB_OK);
    RcptSet in_one = {2, {g_pub, other}};
    CHECK(st && rcpt_pin(st, &in_one, "pinned at the first start", &err) == DB_EINVAL);
    snprintf(want, sizeof want, "with key %s (given with it), but not both", afp);
    CHECK(strstr(err.msg, want) != NULL);
    CHECK(st && rcpt_known(st, known, &n_known, &err) == DB_OK && n_known == 0);
    store_close(st);
}

int main(void)
{
    if (secmem_init() != 0)
        return 1;
    setup();
    RUN(test_nothing_to_export);
    RUN(test_export_verify_reexport);
    RUN(test_k_threshold_and_force);
    RUN(test_interrupted_export_resumes);
    RUN(test_refuses_to_overwrite_different_file);
    RUN(test_acknowledgements);
    RUN(test_replaced_identity_refused);
    RUN(test_acknowledged_while_pending);
    RUN(test_missing_out_dir);
    RUN(test_cli);
    RUN(test_split_export);
    RUN(test_exports_take_turns);
    RUN(test_batches_mix_submission_order);
    RUN(test_more_sessions_than_a_batch_names);
    RUN(test_killed_exports_recover);
    RUN(test_pinned_recipients);
    RUN(test_pin_all_or_nothing);
    RUN(test_first_pin_races_pin_recipients);
    RUN(test_ack_by_key_pinned_after_export);
    RUN(test_ack_by_batch_key_after_rekey);
    RUN(test_ack_signer_holds_every_record);
    RUN(test_split_key_pair);
    keys_secret_free(g_sec);
    keys_secret_free(g_mallory);
    rm_rf(g_root);
    return test_report();
}
