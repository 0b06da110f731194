/* png: minimal uncompressed PNG writer and matching reader (see png.h). */
#include "png.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

uint32_t png_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Appends a chunk: length, type, data, CRC over type+data. */
static uint8_t *chunk(uint8_t *o, const char *type, const uint8_t *data, size_t len)
{
    put32(o, (uint32_t)len);
    memcpy(o + 4, type, 4);
    if (len)
        memcpy(o + 8, data, len);
    put32(o + 8 + len, png_crc32(o + 4, len + 4));
    return o + 12 + len;
}

int png_encode_rgb(const uint8_t *rgb, int w, int h, size_t pitch, uint8_t **out,
                   size_t *out_len, DbError *err)
{
    *out = NULL;
    if (w <= 0 || h <= 0 || w > PNG_MAX_SIDE || h > PNG_MAX_SIDE)
        return dberr_set(err, DB_EINVAL, "png: bad size %dx%d", w, h);
    size_t row = 1 + 3 * (size_t)w, raw = row * (size_t)h;
    size_t blocks = (raw + 65534) / 65535;
    size_t zlen = 2 + raw + 5 * blocks + 4;
    size_t total = 8 + (12 + 13) + (12 + zlen) + 12;
    uint8_t *buf = malloc(total), *z = malloc(zlen);
    if (!buf || !z) {
        free(buf);
        free(z);
        return dberr_set(err, DB_ENOMEM, "png: out of memory");
    }
    /* zlib stream of stored blocks; the filter byte 0 starts each row. */
    uint8_t *zp = z;
    *zp++ = 0x78;
    *zp++ = 0x01;
    uint32_t a = 1, b = 0;
    size_t done = 0;
    int y = 0;
    size_t in_row = 0; /* bytes of the current row already emitted */
    while (done < raw) {
        size_t n = raw - done > 65535 ? 65535 : raw - done;
        *zp++ = done + n == raw ? 1 : 0;
        zp[0] = (uint8_t)n;
        zp[1] = (uint8_t)(n >> 8);
        zp[2] = (uint8_t)~n;
        zp[3] = (uint8_t)(~n >> 8);
        zp += 4;
        for (size_t i = 0; i < n; i++) {
            uint8_t v = in_row == 0 ? 0 : rgb[(size_t)y * pitch + in_row - 1];
            *zp++ = v;
            a = (a + v) % 65521;
            b = (b + a) % 65521;
            if (++in_row == row) {
                in_row = 0;
                y++;
            }
        }
        done += n;
    }
    put32(zp, b << 16 | a);
    zp += 4;

    uint8_t *o = buf;
    memcpy(o, "\x89PNG\r\n\x1a\n", 8);
    o += 8;
    uint8_t ihdr[13];
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    o = chunk(o, "IHDR", ihdr, 13);
    o = chunk(o, "IDAT", z, (size_t)(zp - z));
    o = chunk(o, "IEND", NULL, 0);
    free(z);
    *out = buf;
    *out_len = (size_t)(o - buf);
    return DB_OK;
}

int png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, size_t pitch, DbError *err)
{
    uint8_t *png;
    size_t len;
    int rc = png_encode_rgb(rgb, w, h, pitch, &png, &len, err);
    if (rc != DB_OK)
        return rc;
    rc = fs_write_atomic(path, png, len, 0644, err);
    free(png);
    return rc;
}

int png_read_rgb(const char *path, uint8_t **rgb, int *w, int *h, DbError *err)
{
    uint8_t *d;
    size_t len;
    *rgb = NULL;
    int rc = fs_read_file(path, 3u * PNG_MAX_SIDE * 1024 + 1024 * 1024, 1, &d, &len, err);
    if (rc != DB_OK)
        return rc;
    rc = dberr_set(err, DB_EFORMAT, "%s: not a PNG written by debrief-kiosk", path);
    if (len < 8 + 25 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(d + 12, "IHDR", 4) != 0)
        goto done;
    int iw = (int)get32(d + 16), ih = (int)get32(d + 20);
    if (iw <= 0 || ih <= 0 || iw > PNG_MAX_SIDE || ih > PNG_MAX_SIDE || d[24] != 8 || d[25] != 2)
        goto done;
    size_t off = 8 + 25;
    if (len < off + 8 || memcmp(d + off + 4, "IDAT", 4) != 0)
        goto done;
    size_t zl = get32(d + off);
    if (zl > len - off - 12)
        goto done;
    const uint8_t *z = d + off + 8, *zend = z + zl;
    size_t row = 1 + 3 * (size_t)iw, raw = row * (size_t)ih, got = 0;
    uint8_t *pix = malloc(3 * (size_t)iw * (size_t)ih);
    if (!pix) {
        rc = dberr_set(err, DB_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    z += 2;
    int last = 0, bad = 0;
    while (!last && !bad && z + 5 <= zend) {
        last = z[0] & 1;
        if ((z[0] >> 1) != 0)
            break; /* not a stored block */
        size_t n = (size_t)z[1] | (size_t)z[2] << 8;
        z += 5;
        if (n > (size_t)(zend - z) || got + n > raw)
            break;
        for (size_t i = 0; i < n && !bad; i++, got++) {
            size_t r = got / row, c = got % row;
            if (c == 0)
                bad = z[i] != 0; /* filters other than None: not ours */
            else
                pix[r * 3 * (size_t)iw + c - 1] = z[i];
        }
        z += n;
    }
    if (bad || got != raw) {
        free(pix);
        goto done;
    }
    *rgb = pix;
    *w = iw;
    *h = ih;
    rc = DB_OK;
    dberr_clear(err);
done:
    free(d);
    return rc;
}
