/* debrief keygen / fingerprint: the analyst's key pair and fingerprints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "fsutil.h"
#include "keys.h"
#include "secmem.h"

static void keygen_usage(FILE *out)
{
    fprintf(out,
            "usage: debrief keygen --out DIR [--name NAME] [--passphrase-file FILE]\n\n"
            "Makes the analyst's key pair:\n"
            "  DIR/NAME.pub  public key: install it on every kiosk (/etc/debrief/)\n"
            "  DIR/NAME.key  secret key, encrypted under a passphrase (Argon2id): keep it\n"
            "                on the analysis machine and back it up; without it and its\n"
            "                passphrase the responses can never be read.\n"
            "NAME defaults to 'analyst'. The passphrase is asked on the terminal (twice)\n"
            "unless --passphrase-file gives a file whose first line is the passphrase.\n"
            "Existing key files are never overwritten.\n");
}

int cmd_keygen(int argc, char **argv)
{
    const char *out_dir = NULL, *name = "analyst", *pass_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            keygen_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out_dir = argv[++i];
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
            pass_file = argv[++i];
        } else {
            fprintf(stderr, "debrief: error: unexpected argument '%s'\n\n", argv[i]);
            keygen_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!out_dir) {
        keygen_usage(stderr);
        return EXIT_USAGE;
    }
    if (name[0] == '\0' || strchr(name, '/'))
        return cli_error(EXIT_USAGE, "--name must be a plain file name");

    DbError err;
    char pub_path[4096], key_path[4096], file[256];
    snprintf(file, sizeof file, "%s.pub", name);
    if (fs_join(pub_path, sizeof pub_path, out_dir, file, &err) != DB_OK)
        return cli_fail(&err);
    snprintf(file, sizeof file, "%s.key", name);
    if (fs_join(key_path, sizeof key_path, out_dir, file, &err) != DB_OK)
        return cli_fail(&err);
    if (access(pub_path, F_OK) == 0 || access(key_path, F_OK) == 0)
        return cli_error(EXIT_FAIL, "%s or %s already exists; refusing to overwrite a key",
                         pub_path, key_path);
    if (fs_mkdir_p(out_dir, 0700, &err) != DB_OK)
        return cli_fail(&err);

    char *pass = secmem_alloc(1024);
    if (!pass)
        return cli_error(EXIT_FAIL, "out of memory");
    size_t pass_len;
    int status = EXIT_OK;
    KeySecret *sec = NULL;
    KeyPublic pub;
    if (cli_read_passphrase(pass_file, "Passphrase for the new secret key: ", 1, pass, 1024,
                            &pass_len, &err) != DB_OK ||
        keys_generate(&pub, &sec, &err) != DB_OK ||
        keys_secret_write(key_path, sec, pass, pass_len, keys_kdf_default(), &err) != DB_OK) {
        status = cli_fail(&err);
        goto done;
    }
    if (keys_public_write(pub_path, &pub, &err) != DB_OK) {
        unlink(key_path); /* never leave a secret key whose public half is missing */
        status = cli_fail(&err);
        goto done;
    }
    char fp[KEY_FINGERPRINT_SIZE];
    keys_public_fingerprint(&pub, fp);
    printf("public key:  %s  (install on kiosks)\n"
           "secret key:  %s  (keep safe; back it up with its passphrase)\n"
           "fingerprint: %s\n",
           pub_path, key_path, fp);
done:
    keys_secret_free(sec);
    secmem_free(pass);
    return status;
}

static void fingerprint_usage(FILE *out)
{
    fprintf(out, "usage: debrief fingerprint FILE...\n\n"
                 "Prints the fingerprint of an analyst public key (.pub), secret key (.key,\n"
                 "no passphrase needed) or kiosk identity file, to compare with the kiosk's\n"
                 "admin screen.\n");
}

/* Recognises the kind of key file by its contents and prints its fingerprint. */
static int print_fingerprint(const char *path, DbError *err)
{
    uint8_t *data;
    size_t len;
    int rc = fs_read_file(path, 64 * 1024, 1, &data, &len, err);
    if (rc != DB_OK)
        return rc;
    char fp[KEY_FINGERPRINT_SIZE];
    KeyPublic pub;
    if (len >= 4 && memcmp(data, "DBRK", 4) == 0) {
        rc = keys_secret_file_public(path, data, len, &pub, err);
        if (rc == DB_OK) {
            keys_public_fingerprint(&pub, fp);
            printf("%s  %s  (analyst secret key)\n", fp, path);
        }
    } else if (len >= 4 && memcmp(data, "DBRI", 4) == 0) {
        KeyIdentity *id = NULL;
        int created = 0;
        free(data);
        data = NULL;
        rc = keys_identity_load_or_create(path, &id, &created, err);
        if (rc == DB_OK) {
            uint8_t pk[KEY_SIGN_PUBLIC_BYTES];
            keys_identity_public(id, pk);
            keys_fingerprint(pk, sizeof pk, fp);
            printf("%s  %s  (kiosk identity)\n", fp, path);
        }
        keys_identity_free(id);
    } else {
        rc = keys_public_parse(path, (const char *)data, len, &pub, err);
        if (rc == DB_OK) {
            keys_public_fingerprint(&pub, fp);
            printf("%s  %s  (analyst public key)\n", fp, path);
        }
    }
    free(data);
    return rc;
}

int cmd_fingerprint(int argc, char **argv)
{
    if (argc < 2) {
        fingerprint_usage(stderr);
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fingerprint_usage(stdout);
            return EXIT_OK;
        }
    }
    int status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        DbError err;
        if (print_fingerprint(argv[i], &err) != DB_OK)
            status = cli_fail(&err);
    }
    return status;
}
