/* pngfile: PNG through libpng (see pngfile.h).
 *
 * libpng reports errors by longjmp to the setjmp in the function that called it; the
 * message goes to the caller's DbError. Everything reachable after setjmp that the code
 * changes is volatile or set before it. */
#include "pngfile.h"

#include <png.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "secmem.h"

#define PNGFILE_MAX_FILE_BYTES ((size_t)256 << 20)

/* ---- allocation that wipes: each block remembers its size ---- */

typedef struct Block {
    size_t size;
    max_align_t align_[]; /* the caller's bytes start here, suitably aligned */
} Block;

static png_voidp wiping_malloc(png_structp png, png_alloc_size_t size)
{
    (void)png;
    Block *b = malloc(sizeof(Block) + size);
    if (!b)
        return NULL;
    b->size = size;
    return b->align_;
}

static void wiping_free(png_structp png, png_voidp p)
{
    (void)png;
    if (!p)
        return;
    Block *b = (Block *)((char *)p - offsetof(Block, align_));
    secmem_wipe(p, b->size);
    free(b);
}

/* ---- errors ---- */

typedef struct PngJob {
    jmp_buf jump;
    char msg[200];
    const char *name; /* for messages */
    /* writing: the encoded bytes so far; reading: the file and where we are in it */
    uint8_t *buf;
    size_t len, cap, pos;
    int oom;
} PngJob;

static void on_error(png_structp png, png_const_charp msg)
{
    PngJob *job = png_get_error_ptr(png);
    snprintf(job->msg, sizeof job->msg, "%s", msg);
    longjmp(job->jump, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png, (void)msg; /* e.g. a benign unknown chunk: not worth a line on stderr */
}

/* ---- writing ---- */

static void write_bytes(png_structp png, png_bytep data, size_t n)
{
    PngJob *job = png_get_io_ptr(png);
    if (n > job->cap - job->len) {
        size_t cap = job->cap ? job->cap : 65536;
        while (n > cap - job->len)
            cap *= 2;
        uint8_t *grown = malloc(cap);
        if (!grown) {
            job->oom = 1;
            png_error(png, "out of memory");
        }
        if (job->len)
            memcpy(grown, job->buf, job->len);
        if (job->buf)
            secmem_wipe(job->buf, job->cap);
        free(job->buf);
        job->buf = grown;
        job->cap = cap;
    }
    memcpy(job->buf + job->len, data, n);
    job->len += n;
}

static void flush_bytes(png_structp png)
{
    (void)png;
}

int pngfile_encode_rgb(const uint8_t *rgb, int w, int h, size_t pitch, uint8_t **out,
                       size_t *out_len, DbError *err)
{
    *out = NULL;
    *out_len = 0;
    if (w < 1 || h < 1 || w > PNGFILE_MAX_SIDE || h > PNGFILE_MAX_SIDE || pitch < (size_t)w * 3)
        return dberr_set(err, DB_EINVAL, "png: bad image size %dx%d", w, h);
    PngJob job = {.name = "png"};
    png_structp png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, &job, on_error, on_warning,
                                                NULL, wiping_malloc, wiping_free);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return dberr_set(err, DB_ENOMEM, "png: out of memory");
    }
    if (setjmp(job.jump)) {
        png_destroy_write_struct(&png, &info);
        if (job.buf)
            secmem_wipe(job.buf, job.cap);
        free(job.buf);
        return dberr_set(err, job.oom ? DB_ENOMEM : DB_EIO, "png: %s", job.msg);
    }
    png_set_write_fn(png, &job, write_bytes, flush_bytes);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, PNGFILE_ZLIB_LEVEL);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, rgb + (size_t)y * pitch);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *out = job.buf;
    *out_len = job.len;
    return DB_OK;
}

int pngfile_write_rgb(const char *path, const uint8_t *rgb, int w, int h, size_t pitch,
                      DbError *err)
{
    uint8_t *data;
    size_t len;
    int rc = pngfile_encode_rgb(rgb, w, h, pitch, &data, &len, err);
    if (rc != DB_OK)
        return dberr_prefix(err, "%s", path);
    rc = fs_write_atomic(path, data, len, 0644, err);
    secmem_wipe(data, len);
    free(data);
    return rc;
}

/* ---- reading ---- */

static void read_bytes(png_structp png, png_bytep data, size_t n)
{
    PngJob *job = png_get_io_ptr(png);
    if (n > job->len - job->pos)
        png_error(png, "the file ends early");
    memcpy(data, job->buf + job->pos, n);
    job->pos += n;
}

int pngfile_read_rgb(const char *path, uint8_t **rgb, int *w, int *h, DbError *err)
{
    *rgb = NULL;
    *w = *h = 0;
    PngJob job = {.name = path};
    int rc = fs_read_file(path, PNGFILE_MAX_FILE_BYTES, 1, &job.buf, &job.len, err);
    if (rc != DB_OK)
        return rc;
    if (job.len < 8 || png_sig_cmp(job.buf, 0, 8) != 0) {
        free(job.buf);
        return dberr_set(err, DB_EFORMAT, "%s: not a PNG file", path);
    }
    png_structp png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &job, on_error, on_warning,
                                               NULL, wiping_malloc, wiping_free);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *volatile px = NULL;
    png_bytep *volatile rows = NULL;
    volatile int code = DB_EFORMAT;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        free(job.buf);
        return dberr_set(err, DB_ENOMEM, "%s: out of memory", path);
    }
    if (setjmp(job.jump)) {
        png_destroy_read_struct(&png, &info, NULL);
        free(job.buf);
        free(rows);
        if (px)
            free(px);
        return dberr_set(err, code, "%s: %s", path, job.msg);
    }
    png_set_read_fn(png, &job, read_bytes);
    png_set_user_limits(png, PNGFILE_MAX_SIDE, PNGFILE_MAX_SIDE);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    png_set_expand(png);      /* palette, grey below 8 bits, tRNS -> 8-bit channels */
    png_set_strip_16(png);    /* 16-bit channels -> 8 */
    png_set_strip_alpha(png); /* RGBA -> RGB */
    png_set_gray_to_rgb(png); /* grey -> RGB */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 3) {
        snprintf(job.msg, sizeof job.msg, "cannot be read as 8-bit RGB");
        longjmp(job.jump, 1);
    }
    px = malloc((size_t)width * height * 3);
    rows = malloc(height * sizeof *rows);
    if (!px || !rows) {
        code = DB_ENOMEM;
        snprintf(job.msg, sizeof job.msg, "out of memory");
        longjmp(job.jump, 1);
    }
    for (png_uint_32 y = 0; y < height; y++)
        rows[y] = px + (size_t)y * width * 3;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    free(job.buf);
    *rgb = px;
    *w = (int)width;
    *h = (int)height;
    return DB_OK;
}
