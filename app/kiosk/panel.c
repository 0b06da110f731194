/* panel: the panel's size from the DRM connector (see panel.h). */
#include "panel.h"

#include <fcntl.h>
#include <libdrm/drm.h>
#include <libdrm/drm_mode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int panel_dpi(int px, int mm)
{
    return px > 0 && mm > 0 ? (int)(((long)px * 254 + (long)mm * 5) / ((long)mm * 10)) : 0;
}

/* The connector ids of the card open on fd (malloc'd, *n of them), or NULL. */
static uint32_t *connectors(int fd, uint32_t *n)
{
    struct drm_mode_card_res res;
    memset(&res, 0, sizeof res);
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) != 0 || res.count_connectors == 0 ||
        res.count_connectors > 64)
        return NULL;
    uint32_t *ids = calloc(res.count_connectors, sizeof *ids);
    if (!ids)
        return NULL;
    uint32_t want = res.count_connectors;
    memset(&res, 0, sizeof res);
    res.connector_id_ptr = (uint64_t)(uintptr_t)ids;
    res.count_connectors = want;
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) != 0 || res.count_connectors > want) {
        free(ids);
        return NULL;
    }
    *n = res.count_connectors;
    return ids;
}

int panel_size_mm(int *w_mm, int *h_mm, char *where, size_t cap)
{
    *w_mm = *h_mm = 0;
    for (int card = 0; card < 8; card++) {
        char dev[32];
        snprintf(dev, sizeof dev, "/dev/dri/card%d", card);
        int fd = open(dev, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        uint32_t n = 0, *ids = connectors(fd, &n);
        for (uint32_t i = 0; ids && i < n; i++) {
            struct drm_mode_get_connector c;
            memset(&c, 0, sizeof c);
            c.connector_id = ids[i];
            /* With no arrays to fill, the kernel only says counts, state and size. */
            if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c) != 0)
                continue;
            if (c.connection == 1 /* connected */ && c.mm_width > 0 && c.mm_height > 0) {
                *w_mm = (int)c.mm_width;
                *h_mm = (int)c.mm_height;
                snprintf(where, cap, "%s connector %u", dev, ids[i]);
                free(ids);
                close(fd);
                return 0;
            }
        }
        free(ids);
        close(fd);
    }
    return -1;
}
