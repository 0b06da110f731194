/* forensic: the attacker of tests/reliability/test_forensic.sh, who holds a raw image of the
 * kiosk's data partition and the analyst's secret key.
 *
 *   forensic scan IMAGE KEYFILE   every sealed record anywhere in the image (any byte offset:
 *                                 files, free blocks, the journal) that the key opens:
 *                                 "OFFSET TEXT" per copy, TEXT the answer to "comment"
 *   forensic inode IMAGE OFFSET   the ext4 inode at byte OFFSET: "SIZE MTIME_NS CTIME_NS"
 *   forensic commit IMAGE OFFSET  the jbd2 commit block at byte OFFSET: "SECONDS NANOSECONDS"
 *   forensic tau                  Kendall's tau-b of the "X Y" pairs on standard input
 *
 * The key's passphrase is rel_tool's (tests only). Byte layouts: ext4's inode (i_size_lo at 4,
 * i_ctime 12, i_mtime 16, i_size_high 108, i_ctime_extra 132, i_mtime_extra 136) and jbd2's
 * commit block (magic C03B3998, type 2, h_commit_sec at 48, h_commit_nsec at 56), both as in
 * the Linux kernel's documentation.
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "response.h"
#include "seal.h"
#include "secmem.h"

#define REL_PASS "reliability-passphrase"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static const uint8_t *map_image(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        perror(path);
        exit(2);
    }
    void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    *len = (size_t)sb.st_size;
    return p;
}

static int scan(const char *image, const char *keyfile)
{
    DbError err;
    KeySecret *sec = NULL;
    if (keys_secret_read(keyfile, REL_PASS, strlen(REL_PASS), &sec, &err) != DB_OK) {
        fprintf(stderr, "forensic: %s\n", err.msg);
        return 2;
    }
    size_t len;
    const uint8_t *img = map_image(image, &len);
    uint8_t *plain = secmem_alloc(SEAL_MAX_PADDED);
    size_t found = 0;
    for (const uint8_t *p = img; (p = memmem(p, len - (size_t)(p - img), "DBRS\x01", 5));
         p++) {
        size_t off = (size_t)(p - img);
        if (off + 10 > len)
            break;
        int n = p[5];
        uint32_t padded = be32(p + 6);
        if (n < 1 || n > SEAL_MAX_RECIPIENTS || padded % 16 || padded < 256 ||
            padded > SEAL_MAX_PADDED)
            continue;
        size_t rlen = seal_record_size(padded, n);
        size_t plen = 0;
        DecodedResponse *r = NULL;
        if (off + rlen > len ||
            seal_open(p, rlen, sec, plain, SEAL_MAX_PADDED, &plen, &err) != DB_OK ||
            response_decode(plain, plen, &r, &err) != DB_OK)
            continue;
        const char *text = "(none)";
        for (int i = 0; i < r->n_answers; i++)
            if (strcmp(r->answers[i].question_id, "comment") == 0 && r->answers[i].text)
                text = r->answers[i].text;
        printf("%zu %s\n", off, text);
        response_decoded_free(r);
        found++;
    }
    secmem_free(plain);
    keys_secret_free(sec);
    fprintf(stderr, "forensic: %zu records open with the key in %zu bytes\n", found, len);
    return 0;
}

static int inode(const char *image, long long off)
{
    size_t len;
    const uint8_t *img = map_image(image, &len);
    if (off < 0 || (size_t)off + 160 > len)
        return 2;
    const uint8_t *i = img + off;
    unsigned long long size = le32(i + 4) | (unsigned long long)le32(i + 108) << 32;
    /* The *_extra words hold the nanoseconds shifted left by 2 (and epoch bits). */
    unsigned long long mtime = le32(i + 16) * 1000000000ULL + (le32(i + 136) >> 2);
    unsigned long long ctime = le32(i + 12) * 1000000000ULL + (le32(i + 132) >> 2);
    printf("%llu %llu %llu\n", size, mtime, ctime);
    return 0;
}

static int commit(const char *image, long long off)
{
    size_t len;
    const uint8_t *img = map_image(image, &len);
    if (off < 0 || (size_t)off + 64 > len)
        return 2;
    const uint8_t *c = img + off;
    if (be32(c) != 0xC03B3998u || be32(c + 4) != 2)
        return 1;
    unsigned long long sec = (unsigned long long)be32(c + 48) << 32 | be32(c + 52);
    printf("%llu %u\n", sec, be32(c + 56));
    return 0;
}

static int tau(void)
{
    double x[4096], y[4096];
    int n = 0;
    while (n < 4096 && scanf("%lf %lf", &x[n], &y[n]) == 2)
        n++;
    long conc = 0, disc = 0, tx = 0, ty = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double a = x[i] - x[j], b = y[i] - y[j];
            if (a == 0 && b == 0)
                continue;
            if (a == 0)
                tx++;
            else if (b == 0)
                ty++;
            else if ((a > 0) == (b > 0))
                conc++;
            else
                disc++;
        }
    double d = ((double)(conc + disc + tx) * (double)(conc + disc + ty));
    printf("%.4f\n", d > 0 ? (double)(conc - disc) / __builtin_sqrt(d) : 0.0);
    return 0;
}

static long long number(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return *s && !*end ? v : -1;
}

int main(int argc, char **argv)
{
    if (secmem_init() != 0)
        return 2;
    if (argc == 4 && strcmp(argv[1], "scan") == 0)
        return scan(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "inode") == 0)
        return inode(argv[2], number(argv[3]));
    if (argc == 4 && strcmp(argv[1], "commit") == 0)
        return commit(argv[2], number(argv[3]));
    if (argc == 2 && strcmp(argv[1], "tau") == 0)
        return tau();
    fprintf(stderr, "usage: forensic scan IMAGE KEYFILE | inode IMAGE OFFSET | "
                    "commit IMAGE OFFSET | tau\n");
    return 2;
}
