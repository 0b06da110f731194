/* pngfile: screenshots as PNG files, through libpng (SDL2 has no PNG writer), and the reader the
 * tests compare them with.
 *
 * The writer makes 8-bit RGB, compressed (zlib level PNGFILE_ZLIB_LEVEL: a flat kiosk screen
 * shrinks 20-100x). The reader takes any PNG libpng reads (palette, grey, alpha, 16-bit are
 * converted) up to PNGFILE_MAX_SIDE pixels a side and returns 8-bit RGB. A screenshot may show a
 * participant's answers, so every buffer libpng and zlib allocate here is wiped when freed.
 */
#ifndef DEBRIEF_PNGFILE_H
#define DEBRIEF_PNGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "dberr.h"

#define PNGFILE_MAX_SIDE 8192
#define PNGFILE_ZLIB_LEVEL 3 /* of 0..9: most of level 9's size at a fraction of its time */

/* Encodes w x h RGB pixels (rows of 3*w bytes, `pitch` bytes apart) into a new malloc'd
 * buffer (*out; the caller frees it). */
int pngfile_encode_rgb(const uint8_t *rgb, int w, int h, size_t pitch, uint8_t **out,
                       size_t *out_len, DbError *err);

/* Encodes and writes atomically to path (fs_write_atomic, mode 0644). */
int pngfile_write_rgb(const char *path, const uint8_t *rgb, int w, int h, size_t pitch,
                      DbError *err);

/* Reads the PNG at path into a new malloc'd RGB buffer (*rgb, pitch 3*w; the caller frees
 * it). DB_EFORMAT, naming the file and libpng's reason, for anything that is not a PNG, is
 * damaged or has a side over PNGFILE_MAX_SIDE. */
int pngfile_read_rgb(const char *path, uint8_t **rgb, int *w, int *h, DbError *err);

#endif
