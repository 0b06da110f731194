/* make_vectors: generates the known-answer files in tests/vectors/.
 *
 * Sealing, key generation and salts are random, so the vectors are generated once, committed,
 * and the tests check the deterministic side against them: opening, parsing, fingerprints and
 * (deterministic) Ed25519 signatures. Re-running this replaces every file with new random
 * ones; the crypto tests then still pass, but docs/FORMAT.md quotes the committed bytes and
 * the batch vectors are signed with kiosk.id and analyst.key, so regenerate only together
 * with those. It refuses to overwrite existing vectors without --force.
 *
 *     cmake --build build --target make_vectors && build/tests/make_vectors DIR [--force]
 *
 * The batch vectors (batch-2.dbb, ack-1.dba) are deterministic given these files: test_batch
 * rebuilds them and, when they differ, keeps what it built for tools/regen-golden.
 *
 * Prints a summary (hex of the small files) for docs/FORMAT.md on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "keys.h"
#include "seal.h"
#include "secmem.h"
#include "vectors.h"

static void die(const DbError *err)
{
    fprintf(stderr, "make_vectors: %s\n", err->msg);
    exit(1);
}

static void hex(const char *label, const uint8_t *p, size_t n)
{
    printf("%s (%zu bytes):\n", label, n);
    for (size_t i = 0; i < n; i++)
        printf("%02x%s", p[i], (i % 32 == 31 || i + 1 == n) ? "\n" : "");
}

static void path_of(char *out, size_t cap, const char *dir, const char *name)
{
    DbError err;
    if (fs_join(out, cap, dir, name, &err) != DB_OK)
        die(&err);
}

/* --passphrase-vector: analyst.key's secret sealed again under VEC_UTF8_PASSPHRASE (a new
 * random salt and nonce; the other vectors are left as they are). */
static int passphrase_vector(const char *dir)
{
    DbError err;
    char path[4096];
    path_of(path, sizeof path, dir, VEC_ANALYST_KEY);
    KeySecret *sec;
    if (keys_secret_read(path, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), &sec, &err) != DB_OK)
        die(&err);
    uint8_t *key_file;
    size_t key_len;
    if (keys_secret_seal(sec, VEC_UTF8_PASSPHRASE, strlen(VEC_UTF8_PASSPHRASE),
                         keys_kdf_fast_for_tests(), &key_file, &key_len, &err) != DB_OK)
        die(&err);
    path_of(path, sizeof path, dir, VEC_UTF8_KEY);
    if (fs_write_atomic(path, key_file, key_len, 0644, &err) != DB_OK)
        die(&err);
    hex(VEC_UTF8_KEY, key_file, key_len);
    hex("its passphrase", (const uint8_t *)VEC_UTF8_PASSPHRASE, strlen(VEC_UTF8_PASSPHRASE));
    keys_secret_free(sec);
    free(key_file);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[2], "--passphrase-vector") == 0)
        return secmem_init() != 0 ? 1 : passphrase_vector(argv[1]);
    int force = argc == 3 && strcmp(argv[2], "--force") == 0;
    if (argc != 2 && !force) {
        fprintf(stderr, "usage: make_vectors DIR [--force | --passphrase-vector]\n");
        return 2;
    }
    const char *dir = argv[1];
    if (secmem_init() != 0)
        return 1;
    DbError err;
    char path[4096];
    path_of(path, sizeof path, dir, VEC_ANALYST_KEY);
    if (!force && access(path, F_OK) == 0) {
        fprintf(stderr,
                "make_vectors: %s exists; the committed vectors are quoted in "
                "docs/FORMAT.md and sign the batch vectors. Use --force to replace them.\n",
                path);
        return 1;
    }

    /* The analyst key pair, its files and a signature (then run --passphrase-vector). */
    KeyPublic pub;
    KeySecret *sec;
    if (keys_generate(&pub, &sec, &err) != DB_OK)
        die(&err);
    uint8_t *key_file;
    size_t key_len;
    if (keys_secret_seal(sec, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), keys_kdf_fast_for_tests(),
                         &key_file, &key_len, &err) != DB_OK)
        die(&err);
    path_of(path, sizeof path, dir, VEC_ANALYST_KEY);
    if (fs_write_atomic(path, key_file, key_len, 0644, &err) != DB_OK)
        die(&err);
    path_of(path, sizeof path, dir, VEC_ANALYST_PUB);
    if (keys_public_write(path, &pub, &err) != DB_OK)
        die(&err);
    char fp[KEY_FINGERPRINT_SIZE], fp_line[KEY_FINGERPRINT_SIZE + 1];
    keys_public_fingerprint(&pub, fp);
    printf("analyst fingerprint: %s\n", fp);
    snprintf(fp_line, sizeof fp_line, "%s\n", fp);
    path_of(path, sizeof path, dir, VEC_ANALYST_FP);
    if (fs_write_atomic(path, fp_line, strlen(fp_line), 0644, &err) != DB_OK)
        die(&err);
    uint8_t sig[KEY_SIGNATURE_BYTES];
    keys_secret_sign(sec, (const uint8_t *)VEC_ANALYST_MSG, strlen(VEC_ANALYST_MSG), sig);
    path_of(path, sizeof path, dir, VEC_ANALYST_SIG);
    if (fs_write_atomic(path, sig, sizeof sig, 0644, &err) != DB_OK)
        die(&err);
    hex("analyst.key", key_file, key_len);
    hex("analyst.sig", sig, sizeof sig);
    char line[256];
    keys_public_format(&pub, line, sizeof line);
    printf("analyst.pub:\n%s", line);

    /* A sealed record of a known plaintext to that key. */
    uint8_t rec[SEAL_MAX_RECORD];
    size_t rec_len;
    if (seal_record((const uint8_t *)VEC_PLAINTEXT, strlen(VEC_PLAINTEXT), VEC_PADDED, &pub, 1, rec,
                    sizeof rec, &rec_len, &err) != DB_OK)
        die(&err);
    path_of(path, sizeof path, dir, VEC_RECORD);
    if (fs_write_atomic(path, rec, rec_len, 0644, &err) != DB_OK)
        die(&err);
    hex("record-1.bin", rec, rec_len);

    /* The kiosk identity and a signature. */
    path_of(path, sizeof path, dir, VEC_KIOSK_ID);
    unlink(path);
    KeyIdentity *id;
    int created;
    if (keys_identity_load_or_create(path, &id, &created, &err) != DB_OK)
        die(&err);
    uint8_t kpk[KEY_SIGN_PUBLIC_BYTES];
    keys_identity_public(id, kpk);
    keys_fingerprint(kpk, sizeof kpk, fp);
    printf("kiosk fingerprint: %s\n", fp);
    hex("kiosk public key", kpk, sizeof kpk);
    keys_identity_sign(id, (const uint8_t *)VEC_KIOSK_MSG, strlen(VEC_KIOSK_MSG), sig);
    path_of(path, sizeof path, dir, VEC_KIOSK_SIG);
    if (fs_write_atomic(path, sig, sizeof sig, 0644, &err) != DB_OK)
        die(&err);
    hex("kiosk.sig", sig, sizeof sig);

    keys_identity_free(id);
    keys_secret_free(sec);
    free(key_file);
    return 0;
}
