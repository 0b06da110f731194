/* png: a minimal PNG encoder (8-bit RGB) for screenshots.
 *
 * SDL2 has no PNG writer. The image is filtered ("Up") and deflated with fixed Huffman codes
 * and byte/pixel runs only (png.c), with Adler-32 and CRC-32. Also a reader for the files this
 * writer produces (for golden comparisons in tests); it refuses anything else.
 */
#ifndef DEBRIEF_PNG_H
#define DEBRIEF_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"

#define PNG_MAX_SIDE 8192

/* Encodes w x h RGB pixels (rows of 3*w bytes, `pitch` bytes apart) into a new malloc'd
 * buffer. */
int png_encode_rgb(const uint8_t *rgb, int w, int h, size_t pitch, uint8_t **out, size_t *out_len,
                   DbError *err);

/* Encodes and writes atomically to path. */
int png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, size_t pitch, DbError *err);

/* Reads a PNG written by png_write_rgb into a new malloc'd RGB buffer (pitch 3*w). */
int png_read_rgb(const char *path, uint8_t **rgb, int *w, int *h, DbError *err);

uint32_t png_crc32(const uint8_t *p, size_t n);

#endif
