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

/* ---- a small deflate: fixed Huffman codes, matches at distance 1 (runs of a byte) and 3
 * (runs of a pixel) only. Screens are mostly flat colour, so with the PNG "Up" filter this
 * shrinks a screenshot about 20-50x, and it stays simple enough to read at a glance. ---- */

static const uint16_t len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

typedef struct BitOut {
    uint8_t *p;
    uint32_t acc;
    int n;
} BitOut;

static void bits_put(BitOut *b, uint32_t v, int n) /* LSB first */
{
    for (int i = 0; i < n; i++) {
        b->acc |= ((v >> i) & 1u) << b->n;
        if (++b->n == 8) {
            *b->p++ = (uint8_t)b->acc;
            b->acc = 0;
            b->n = 0;
        }
    }
}

static void code_put(BitOut *b, uint32_t code, int n) /* Huffman codes go MSB first */
{
    for (int i = n - 1; i >= 0; i--)
        bits_put(b, (code >> i) & 1u, 1);
}

static void sym_put(BitOut *b, int sym)
{
    if (sym < 144)
        code_put(b, 0x30u + (uint32_t)sym, 8);
    else if (sym < 256)
        code_put(b, 0x190u + (uint32_t)(sym - 144), 9);
    else if (sym < 280)
        code_put(b, (uint32_t)(sym - 256), 7);
    else
        code_put(b, 0xC0u + (uint32_t)(sym - 280), 8);
}

static void match_put(BitOut *b, int len, int dist)
{
    int i = 28;
    while (len_base[i] > len)
        i--;
    sym_put(b, 257 + i);
    bits_put(b, (uint32_t)(len - len_base[i]), len_extra[i]);
    int d = 29;
    while (dist_base[d] > dist)
        d--;
    code_put(b, (uint32_t)d, 5);
    bits_put(b, (uint32_t)(dist - dist_base[d]), dist_extra[d]);
}

static size_t run_len(const uint8_t *d, size_t i, size_t n, size_t dist)
{
    size_t l = 0;
    while (i + l < n && l < 258 && d[i + l] == d[i + l - dist])
        l++;
    return l;
}

/* Deflates d (n bytes) as one fixed-Huffman block into out (capacity >= n * 9 / 8 + 16). */
static size_t deflate_fixed(const uint8_t *d, size_t n, uint8_t *out)
{
    BitOut b = {out, 0, 0};
    bits_put(&b, 1, 1); /* BFINAL */
    bits_put(&b, 1, 2); /* fixed Huffman */
    for (size_t i = 0; i < n;) {
        size_t l1 = i >= 1 ? run_len(d, i, n, 1) : 0, l3 = i >= 3 ? run_len(d, i, n, 3) : 0;
        if (l1 >= 3 || l3 >= 3) {
            size_t l = l1 >= l3 ? l1 : l3;
            match_put(&b, (int)l, l1 >= l3 ? 1 : 3);
            i += l;
        } else {
            sym_put(&b, d[i++]);
        }
    }
    sym_put(&b, 256);
    if (b.n)
        bits_put(&b, 0, 8 - b.n);
    return (size_t)(b.p - out);
}

int png_encode_rgb(const uint8_t *rgb, int w, int h, size_t pitch, uint8_t **out, size_t *out_len,
                   DbError *err)
{
    *out = NULL;
    if (w <= 0 || h <= 0 || w > PNG_MAX_SIDE || h > PNG_MAX_SIDE)
        return dberr_set(err, DB_EINVAL, "png: bad size %dx%d", w, h);
    size_t row = 1 + 3 * (size_t)w, raw = row * (size_t)h;
    size_t zcap = 2 + raw + raw / 8 + 64;
    uint8_t *filt = malloc(raw), *z = malloc(zcap);
    uint8_t *buf = malloc(8 + 25 + 12 + zcap + 12);
    if (!filt || !z || !buf) {
        free(filt);
        free(z);
        free(buf);
        return dberr_set(err, DB_ENOMEM, "png: out of memory");
    }
    /* Filter "Up" (2): each byte minus the one above it. */
    uint32_t a = 1, b2 = 0;
    for (int y = 0; y < h; y++) {
        uint8_t *f = filt + (size_t)y * row;
        const uint8_t *cur = rgb + (size_t)y * pitch,
                      *up = y ? rgb + (size_t)(y - 1) * pitch : NULL;
        f[0] = 2;
        for (size_t x = 0; x < row - 1; x++)
            f[1 + x] = (uint8_t)(cur[x] - (up ? up[x] : 0));
    }
    for (size_t i = 0; i < raw; i++) {
        a = (a + filt[i]) % 65521;
        b2 = (b2 + a) % 65521;
    }
    z[0] = 0x78;
    z[1] = 0x01;
    size_t zl = 2 + deflate_fixed(filt, raw, z + 2);
    put32(z + zl, b2 << 16 | a);
    zl += 4;
    free(filt);

    uint8_t *o = buf;
    memcpy(o, "\x89PNG\r\n\x1a\n", 8);
    o += 8;
    uint8_t ihdr[13];
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 2; /* RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    o = chunk(o, "IHDR", ihdr, 13);
    o = chunk(o, "IDAT", z, zl);
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

/* Inflates stored and fixed-Huffman blocks (what png_encode_rgb writes); -1 otherwise. */
typedef struct BitIn {
    const uint8_t *p, *end;
    uint32_t acc;
    int n;
} BitIn;

static int bit_get(BitIn *b)
{
    if (b->n == 0) {
        if (b->p >= b->end)
            return -1;
        b->acc = *b->p++;
        b->n = 8;
    }
    int v = (int)(b->acc & 1u);
    b->acc >>= 1;
    b->n--;
    return v;
}

static long bits_get(BitIn *b, int n)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        int bit = bit_get(b);
        if (bit < 0)
            return -1;
        v |= (long)bit << i;
    }
    return v;
}

static int sym_get(BitIn *b)
{
    int code = 0;
    for (int i = 0; i < 7; i++) {
        int bit = bit_get(b);
        if (bit < 0)
            return -1;
        code = code << 1 | bit;
    }
    if (code <= 0x17)
        return 256 + code;
    int bit = bit_get(b);
    if (bit < 0)
        return -1;
    code = code << 1 | bit;
    if (code >= 0x30 && code <= 0xBF)
        return code - 0x30;
    if (code >= 0xC0 && code <= 0xC7)
        return 280 + code - 0xC0;
    bit = bit_get(b);
    if (bit < 0)
        return -1;
    code = code << 1 | bit;
    return code >= 0x190 && code <= 0x1FF ? 144 + code - 0x190 : -1;
}

static int inflate_fixed(const uint8_t *z, size_t zl, uint8_t *out, size_t cap, size_t *got)
{
    BitIn b = {z, z + zl, 0, 0};
    size_t o = 0;
    int last = 0;
    while (!last) {
        last = bit_get(&b);
        long type = bits_get(&b, 2);
        if (last < 0 || type < 0)
            return -1;
        if (type == 0) {
            b.n = 0; /* stored: byte aligned */
            if (b.end - b.p < 4)
                return -1;
            size_t n = (size_t)b.p[0] | (size_t)b.p[1] << 8;
            b.p += 4;
            if (n > (size_t)(b.end - b.p) || n > cap - o)
                return -1;
            memcpy(out + o, b.p, n);
            b.p += n;
            o += n;
            continue;
        }
        if (type != 1)
            return -1;
        for (;;) {
            int sym = sym_get(&b);
            if (sym < 0 || sym > 285)
                return -1;
            if (sym < 256) {
                if (o >= cap)
                    return -1;
                out[o++] = (uint8_t)sym;
                continue;
            }
            if (sym == 256)
                break;
            long len = bits_get(&b, len_extra[sym - 257]);
            int dc = 0;
            for (int i = 0; i < 5; i++) {
                int bit = bit_get(&b);
                if (bit < 0)
                    return -1;
                dc = dc << 1 | bit;
            }
            if (len < 0 || dc > 29)
                return -1;
            len += len_base[sym - 257];
            long dist = bits_get(&b, dist_extra[dc]);
            if (dist < 0)
                return -1;
            dist += dist_base[dc];
            if ((size_t)dist > o || (size_t)len > cap - o)
                return -1;
            for (long i = 0; i < len; i++, o++)
                out[o] = out[o - (size_t)dist];
        }
    }
    *got = o;
    return 0;
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
    const uint8_t *z = d + off + 8;
    size_t row = 1 + 3 * (size_t)iw, raw = row * (size_t)ih, got = 0;
    uint8_t *pix = malloc(3 * (size_t)iw * (size_t)ih);
    if (!pix) {
        rc = dberr_set(err, DB_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    uint8_t *raw_buf = malloc(raw);
    int bad = !raw_buf || zl < 6 || inflate_fixed(z + 2, zl - 6, raw_buf, raw, &got) != 0;
    /* Undo the filters this writer uses: None (0) and Up (2). */
    for (size_t y = 0; !bad && y < (size_t)ih; y++) {
        const uint8_t *r = raw_buf + y * row;
        uint8_t *o = pix + y * 3 * (size_t)iw, *up = y ? o - 3 * (size_t)iw : NULL;
        if (r[0] != 0 && r[0] != 2) {
            bad = 1;
            break;
        }
        for (size_t x = 0; x < row - 1; x++)
            o[x] = (uint8_t)(r[1 + x] + (r[0] == 2 && up ? up[x] : 0));
    }
    free(raw_buf);
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
