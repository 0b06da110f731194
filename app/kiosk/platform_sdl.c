/* platform_sdl: SDL2 + SDL2_ttf backend (see platform.h). The only file that includes SDL.
 *
 * Note on sleeping: SDL 2.26's SDL_WaitEventTimeout has no real wait on the KMSDRM and dummy
 * drivers; it polls every ~1 ms (~900 wakeups/s). On those drivers platform_wait instead
 * poll()s its own read-only handles on /dev/input/event* with the kiosk's next timer as the
 * timeout (capped at 1 s), then lets SDL read the devices. On X11/Wayland SDL's own wait is
 * real and is used as is.
 */
#include "platform.h"

#include <SDL.h>
#include <SDL_syswm.h>
#include <SDL_ttf.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <unistd.h>

#include "pngfile.h"
#include "secmem.h"

/* ---- fonts ---- */

#define KF_SLOTS 24

typedef struct FontSlot {
    int size, bold;
    TTF_Font *font;
    uint64_t used;
} FontSlot;

struct KFonts {
    char *path[2];
    FontSlot slot[KF_SLOTS];
    uint64_t clock;
    int ttf_inited;
};

static TTF_Font *kfonts_get(KFonts *fs, int size, int bold)
{
    FontSlot *victim = &fs->slot[0];
    fs->clock++;
    for (int i = 0; i < KF_SLOTS; i++) {
        FontSlot *s = &fs->slot[i];
        if (s->font && s->size == size && s->bold == bold) {
            s->used = fs->clock;
            return s->font;
        }
        if (!s->font || (victim->font && s->used < victim->used))
            victim = s;
    }
    if (victim->font)
        TTF_CloseFont(victim->font);
    victim->font = TTF_OpenFont(fs->path[bold ? 1 : 0], size);
    victim->size = size;
    victim->bold = bold;
    victim->used = fs->clock;
    return victim->font; /* non-NULL: the files were checked on open */
}

void kfonts_close(KFonts *fs)
{
    if (!fs)
        return;
    for (int i = 0; i < KF_SLOTS; i++)
        if (fs->slot[i].font)
            TTF_CloseFont(fs->slot[i].font);
    free(fs->path[0]);
    free(fs->path[1]);
    if (fs->ttf_inited)
        TTF_Quit();
    free(fs);
}

int kfonts_open(const char *regular, const char *bold, KFonts **out, DbError *err)
{
    *out = NULL;
    KFonts *fs = calloc(1, sizeof *fs);
    if (!fs)
        return dberr_set(err, DB_ENOMEM, "fonts: out of memory");
    if (TTF_Init() != 0) {
        free(fs);
        return dberr_set(err, DB_EIO, "SDL_ttf: %s", TTF_GetError());
    }
    fs->ttf_inited = 1;
    const char *paths[2] = {regular, bold};
    for (int i = 0; i < 2; i++) {
        TTF_Font *f = NULL;
        if (access(paths[i], R_OK) != 0 || !(f = TTF_OpenFont(paths[i], 16))) {
            kfonts_close(fs);
            return dberr_set(err, DB_ENOENT,
                             "%s: cannot open font file (install fonts-dejavu-core, or pass "
                             "--font FILE --font-bold FILE)",
                             paths[i]);
        }
        TTF_CloseFont(f);
        fs->path[i] = strdup(paths[i]);
        if (!fs->path[i]) {
            kfonts_close(fs);
            return dberr_set(err, DB_ENOMEM, "fonts: out of memory");
        }
    }
    *out = fs;
    return DB_OK;
}

int kfonts_has_glyph(KFonts *fs, uint32_t cp)
{
    return TTF_GlyphIsProvided32(kfonts_get(fs, 16, 0), cp) != 0;
}

static int measure_width(void *ctx, int size, int flags, const char *s, size_t len)
{
    KFonts *fs = ctx;
    if (len == 0)
        return 0;
    char stack[1024];
    char *tmp = len < sizeof stack ? stack : malloc(len + 1);
    if (!tmp)
        return (int)len * size; /* pessimistic: never clips because of a failed malloc */
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    int w = 0, h = 0;
    TTF_SizeUTF8(kfonts_get(fs, size, (flags & UI_TEXT_BOLD) != 0), tmp, &w, &h);
    secmem_wipe(tmp, len); /* it may be a participant's text */
    if (tmp != stack)
        free(tmp);
    return w;
}

static int measure_line_height(void *ctx, int size, int flags)
{
    return TTF_FontHeight(kfonts_get(ctx, size, (flags & UI_TEXT_BOLD) != 0));
}

UiMeasure kfonts_measure(KFonts *fs)
{
    return (UiMeasure){measure_width, measure_line_height, fs};
}

/* ---- sleeping: SDL 2.26 polls every ~1 ms on KMSDRM and dummy, so there the kiosk waits
 * on the input devices' fds itself (poll with the timer as timeout) and lets SDL read them. */

#define MAX_INPUT_FDS 16

typedef struct FdWait {
    int on;
    int n;
    int fd[MAX_INPUT_FDS];
} FdWait;

static void fdwait_open(FdWait *w)
{
    w->on = 1;
    w->n = 0;
    DIR *d = opendir("/dev/input");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && w->n < MAX_INPUT_FDS) {
        if (strncmp(e->d_name, "event", 5) != 0)
            continue;
        char path[300];
        snprintf(path, sizeof path, "/dev/input/%s", e->d_name);
        /* Our own read-only handle: evdev gives every open file its own copy of the events,
         * so reading ours does not take them from SDL. */
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0)
            w->fd[w->n++] = fd;
    }
    closedir(d);
}

static void fdwait_close(FdWait *w)
{
    for (int i = 0; i < w->n; i++)
        close(w->fd[i]);
    w->n = 0;
}

/* Sleeps until an input device has data or ms pass (a signal also wakes it). */
static void fdwait_sleep(FdWait *w, int ms)
{
    struct pollfd pf[MAX_INPUT_FDS];
    for (int i = 0; i < w->n; i++)
        pf[i] = (struct pollfd){w->fd[i], POLLIN, 0};
    int r = poll(pf, (nfds_t)w->n, ms);
    if (r <= 0)
        return;
    for (int i = 0; i < w->n; i++) {
        if (pf[i].revents & POLLIN) {
            char buf[1024];
            while (read(w->fd[i], buf, sizeof buf) > 0) {
            }
        }
    }
}

/* ---- the window ---- */

#define TEX_CACHE 768
#define PARTICIPANT (UI_TEXT_ANSWER | UI_TEXT_SECRET) /* cached for one participant only */

/* A cached text run. Either white with alpha, tinted and blended when drawn (bg == 0), or
 * opaque: already blended in colour fg over the plain background bg (bg = 1 << 32 | RGBA),
 * so that drawing it is a copy (see draw_text). */
typedef struct TexEntry {
    uint64_t hash;
    int size, flags;
    char *text;
    size_t len;
    uint32_t fg;
    uint64_t bg;
    SDL_Texture *tex;
    int w, h;
    uint64_t used;
} TexEntry;

#define DIRTY_MAX 16
#define RENDERER_NOTE_MAX 400

struct Platform {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *target; /* the logical frame, rotated when presented (NULL if direct) */
    int pw, ph, lw, lh;  /* physical (renderer output) and logical sizes */
    int rotation;
    /* Frames are drawn straight onto the window: at rotation 0 with the software renderer,
     * whose window surface keeps the frame after a present (so a screenshot still reads it).
     * Copying a target texture to the window cost a quarter of a tap's frame there. The
     * renderer is then one made for the window's surface (SDL_CreateSoftwareRenderer), so
     * that the surface is ours to write too (fill_direct), and a frame is presented with
     * SDL_UpdateWindowSurface. */
    int direct;
    SDL_Surface *surf; /* the window surface drawn on (direct), else NULL */
    KFonts *fonts;
    char driver[32];
    char renderer[32];
    char renderer_note[RENDERER_NOTE_MAX]; /* why renderers tried before this one failed */
    int dpi;
    int soft;             /* the software renderer: text is pre-blended (opaque) */
    Uint32 target_format; /* pixel format of what is drawn on (window surface or target) */
    unsigned opts;        /* PLATFORM_DRAW_* */
    TexEntry cache[TEX_CACHE];
    int n_cache;
    uint64_t frame, renders, wakeups;
    uint32_t epoch; /* the last frame's UiFrame.epoch: UI_TEXT_ANSWER entries belong to it */
    FdWait fdw;
    /* The last frame drawn (for PLATFORM_DRAW_PARTIAL): its commands, and its text arena in
     * locked memory, wiped and overwritten by every draw (it holds answers, as the frame's
     * own arena does). prev_valid = 0 forces the next draw to be a full one. */
    UiCmd *prev_cmds;
    char *prev_arena;
    size_t prev_used;
    int prev_n, prev_w, prev_h, prev_valid;
    UiRect dirty[DIRTY_MAX];
    int n_dirty;
    int occ[UI_MAX_CMDS]; /* the frame's opaque rectangles (see find_occluders) */
    int n_occ;
    long redrawn; /* pixels redrawn by the last platform_draw */
    int finger_down; /* the finger followed (the first down) is down */
    SDL_FingerID finger_id;
    SDL_TouchID touch_id;
};

uint64_t platform_ticks(void)
{
    return SDL_GetTicks64();
}

const char *platform_driver(const Platform *p)
{
    return p->driver;
}
int platform_on_kmsdrm(const Platform *p)
{
    return strcmp(p->driver, "KMSDRM") == 0; /* SDL_GetCurrentVideoDriver's spelling */
}
const char *platform_renderer(const Platform *p)
{
    return p->renderer;
}
const char *platform_renderer_note(const Platform *p)
{
    return p->renderer_note;
}
int platform_dpi(const Platform *p)
{
    return p->dpi;
}
uint64_t platform_wakeups(const Platform *p)
{
    return p->wakeups;
}
int platform_text_cache_size(const Platform *p)
{
    return p->n_cache;
}
int platform_text_cache_answers(const Platform *p)
{
    int n = 0;
    for (int i = 0; i < p->n_cache; i++)
        n += (p->cache[i].flags & PARTICIPANT) != 0;
    return n;
}
uint64_t platform_text_renders(const Platform *p)
{
    return p->renders;
}

void platform_logical_size(const Platform *p, int *w, int *h)
{
    *w = p->lw;
    *h = p->lh;
}

void platform_physical_size(const Platform *p, int *w, int *h)
{
    *w = p->pw;
    *h = p->ph;
}

static void cache_clear(Platform *p);

/* (Re)makes the software renderer on the window's surface (direct drawing); a size change
 * gives the window a new surface. Textures belong to a renderer: the cache goes with it. */
static int make_surface_renderer(Platform *p, DbError *err)
{
    cache_clear(p);
    if (p->ren)
        SDL_DestroyRenderer(p->ren);
    p->ren = NULL;
    p->surf = SDL_GetWindowSurface(p->win);
    if (p->surf)
        p->ren = SDL_CreateSoftwareRenderer(p->surf);
    if (!p->ren) {
        p->surf = NULL;
        return dberr_set(err, DB_EIO, "SDL cannot draw on the window's surface: %s",
                         SDL_GetError());
    }
    return DB_OK;
}

/* (Re)creates the logical render target after a size change. */
static int make_target(Platform *p, DbError *err)
{
    if (p->direct) {
        int rc = make_surface_renderer(p, err);
        if (rc != DB_OK)
            return rc;
    }
    if (SDL_GetRendererOutputSize(p->ren, &p->pw, &p->ph) != 0 || p->pw <= 0 || p->ph <= 0)
        return dberr_set(err, DB_EIO, "SDL: cannot get the output size: %s", SDL_GetError());
    ui_logical_size(p->rotation, p->pw, p->ph, &p->lw, &p->lh);
    p->prev_valid = 0; /* a new surface or target: draw everything */
    if (p->target)
        SDL_DestroyTexture(p->target);
    p->target = NULL;
    p->target_format = SDL_PIXELFORMAT_ARGB8888;
    if (p->direct) {
        p->target_format = p->surf->format->format;
        return DB_OK;
    }
    p->target =
        SDL_CreateTexture(p->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, p->lw, p->lh);
    if (!p->target)
        return dberr_set(err, DB_EIO, "SDL: cannot create a %dx%d render target: %s", p->lw, p->lh,
                         SDL_GetError());
    return DB_OK;
}

static void entry_free(TexEntry *e);

static void cache_clear(Platform *p)
{
    for (int i = 0; i < p->n_cache; i++)
        entry_free(&p->cache[i]);
    p->n_cache = 0;
}

/* A new participant (UiFrame.epoch moved on): the renderings of the last one's words and
 * of the choices they made go, wiped. */
static void cache_drop_answers(Platform *p)
{
    for (int i = 0; i < p->n_cache;) {
        if (p->cache[i].flags & PARTICIPANT) {
            entry_free(&p->cache[i]);
            p->cache[i] = p->cache[--p->n_cache];
        } else {
            i++;
        }
    }
}

/* Closes the window with its renderer, render target and the textures made for it. */
static void close_window(Platform *p)
{
    cache_clear(p);
    if (p->target)
        SDL_DestroyTexture(p->target);
    if (p->ren)
        SDL_DestroyRenderer(p->ren);
    if (p->win)
        SDL_DestroyWindow(p->win);
    p->target = NULL;
    p->ren = NULL;
    p->win = NULL;
    p->surf = NULL;
}

void platform_close(Platform *p)
{
    if (!p)
        return;
    close_window(p);
    fdwait_close(&p->fdw);
    if (p->prev_arena)
        secmem_free(p->prev_arena); /* wipes */
    free(p->prev_cmds);
    free(p);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

/* ---- choosing a renderer ----
 *
 * SDL's first choice is not always one that can draw here: on KMSDRM without libgl1, SDL
 * 2.26 creates its desktop OpenGL renderer, which then cannot make the render target the
 * kiosk draws into ("Render targets not supported by OpenGL"). So each candidate must open
 * the window, the renderer and the target; the first that does is kept, and why the ones
 * before it failed is kept for the log (platform_renderer_note). On KMSDRM the OpenGL ES 2
 * renderer goes first: it is what the Pi's GPU driver (and Mesa's kms_swrast) are made for,
 * and it saves starting a desktop GL context that may fail. SDL_RENDER_DRIVER, if set, is
 * SDL's first choice and is tried first. */

/* SDL's index of the renderer called name, or -1 (SDL's own choice) for NULL or unknown. */
static int renderer_index(const char *name)
{
    for (int i = 0; name && i < SDL_GetNumRenderDrivers(); i++) {
        SDL_RendererInfo info;
        if (SDL_GetRenderDriverInfo(i, &info) == 0 && strcmp(info.name, name) == 0)
            return i;
    }
    return -1;
}

static void note_add(Platform *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note_add(Platform *p, const char *fmt, ...)
{
    size_t n = strlen(p->renderer_note);
    if (n + 3 >= sizeof p->renderer_note)
        return;
    if (n)
        n += (size_t)snprintf(p->renderer_note + n, sizeof p->renderer_note - n, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->renderer_note + n, sizeof p->renderer_note - n, fmt, ap);
    va_end(ap);
}

/* Opens the window with renderer `name` (NULL: SDL's choice) and makes the render target.
 * On failure everything it opened is closed again and err says why. */
static int try_renderer(Platform *p, const PlatformConfig *cfg, const char *name, DbError *err)
{
    int w = cfg->w > 0 ? cfg->w : 800, h = cfg->h > 0 ? cfg->h : 480;
    Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
    if (cfg->fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    p->win = SDL_CreateWindow(cfg->title ? cfg->title : "Debrief", SDL_WINDOWPOS_CENTERED,
                              SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (!p->win)
        return dberr_set(err, DB_EIO, "SDL cannot open a %dx%d window on the %s driver: %s", w, h,
                         p->driver, SDL_GetError());
    int index = renderer_index(name);
    if (name && index < 0) {
        close_window(p);
        return dberr_set(err, DB_EIO, "SDL has no %s renderer", name);
    }
    p->ren = SDL_CreateRenderer(p->win, index,
                                name && strcmp(name, "software") == 0 ? SDL_RENDERER_SOFTWARE
                                                                      : SDL_RENDERER_TARGETTEXTURE);
    SDL_RendererInfo info;
    if (!p->ren || SDL_GetRendererInfo(p->ren, &info) != 0) {
        dberr_set(err, DB_EIO, "SDL cannot create the %s renderer: %s", name ? name : "default",
                  SDL_GetError());
        close_window(p);
        return DB_EIO;
    }
    snprintf(p->renderer, sizeof p->renderer, "%s", info.name);
    p->soft = (info.flags & SDL_RENDERER_SOFTWARE) != 0;
    p->direct = p->rotation == 0 && p->soft;
    int rc = make_target(p, err);
    if (rc != DB_OK) {
        dberr_prefix(err, "%s renderer", p->renderer);
        close_window(p);
    }
    return rc;
}

static int open_renderer(Platform *p, const PlatformConfig *cfg, DbError *err)
{
    const char *asked = SDL_getenv("SDL_RENDER_DRIVER");
    int kms = platform_on_kmsdrm(p) && !(asked && asked[0]);
    const char *order[] = {kms ? "opengles2" : NULL, kms ? NULL : "opengles2", "software"};
    DbError e;
    dberr_clear(&e);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (try_renderer(p, cfg, order[i], &e) == DB_OK)
            return DB_OK;
        note_add(p, "%s", e.msg);
    }
    return dberr_set(err, DB_EIO, "SDL cannot draw on this display: %s", p->renderer_note);
}

int platform_open(const PlatformConfig *cfg, KFonts *fonts, Platform **out, int *status,
                  DbError *err)
{
    *out = NULL;
    *status = PLATFORM_OK;
    /* Under KMSDRM SDL does not turn touches into mouse events, elsewhere it does: take
     * fingers as fingers and mice as mice everywhere so nothing is counted twice. */
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "0");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        return dberr_set(err, DB_EIO, "SDL cannot open a display: %s", SDL_GetError());
    Platform *p = calloc(1, sizeof *p);
    if (!p) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return dberr_set(err, DB_ENOMEM, "platform: out of memory");
    }
    p->fonts = fonts;
    p->rotation = cfg->rotation;
    const char *drv = SDL_GetCurrentVideoDriver();
    snprintf(p->driver, sizeof p->driver, "%s", drv ? drv : "?");
    const char *asked = SDL_getenv("SDL_VIDEODRIVER");
    int headless = strcmp(p->driver, "dummy") == 0 || strcmp(p->driver, "offscreen") == 0;
    if (headless && !cfg->allow_headless && !(asked && SDL_strcasecmp(asked, p->driver) == 0))
        *status = PLATFORM_NO_DISPLAY;

    float ddpi = 0;
    if (SDL_GetDisplayDPI(0, &ddpi, NULL, NULL) == 0 && ddpi >= 50 && ddpi <= 800)
        p->dpi = (int)(ddpi + 0.5f);

    int rc = open_renderer(p, cfg, err);
    if (rc != DB_OK) {
        platform_close(p);
        return rc;
    }
    p->opts = PLATFORM_DRAW_OPAQUE_TEXT | PLATFORM_DRAW_SKIP_HIDDEN | PLATFORM_DRAW_PARTIAL |
              PLATFORM_DRAW_PLAIN_STORES;
    if (platform_on_kmsdrm(p) || strcmp(p->driver, "dummy") == 0 ||
        strcmp(p->driver, "offscreen") == 0)
        fdwait_open(&p->fdw);
    SDL_ShowCursor(cfg->fullscreen ? SDL_DISABLE : SDL_ENABLE);
    SDL_StartTextInput();
    *out = p;
    return DB_OK;
}

/* ---- input ---- */

void platform_finger_to_logical(int rotation, int phys_w, int phys_h, float nx, float ny, int *lx,
                                int *ly)
{
    int px = (int)(nx * (float)phys_w), py = (int)(ny * (float)phys_h);
    px = px < 0 ? 0 : px >= phys_w ? phys_w - 1 : px;
    py = py < 0 ? 0 : py >= phys_h ? phys_h - 1 : py;
    ui_phys_to_logical(rotation, phys_w, phys_h, px, py, lx, ly);
}

void platform_logical_to_finger(int rotation, int phys_w, int phys_h, int lx, int ly, float *nx,
                                float *ny)
{
    int px, py;
    ui_logical_to_phys(rotation, phys_w, phys_h, lx, ly, &px, &py);
    *nx = ((float)px + 0.5f) / (float)phys_w;
    *ny = ((float)py + 0.5f) / (float)phys_h;
}

static KioskKey map_key(SDL_Keycode k)
{
    switch (k) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        return KK_ENTER;
    case SDLK_BACKSPACE:
        return KK_BACKSPACE;
    case SDLK_DELETE:
        return KK_DELETE;
    case SDLK_LEFT:
        return KK_LEFT;
    case SDLK_RIGHT:
        return KK_RIGHT;
    case SDLK_HOME:
        return KK_HOME;
    case SDLK_END:
        return KK_END;
    case SDLK_ESCAPE:
        return KK_ESCAPE;
    case SDLK_TAB:
        return KK_TAB;
    default:
        return 0;
    }
}

static SDL_Keycode unmap_key(KioskKey k)
{
    switch (k) {
    case KK_ENTER:
        return SDLK_RETURN;
    case KK_BACKSPACE:
        return SDLK_BACKSPACE;
    case KK_DELETE:
        return SDLK_DELETE;
    case KK_LEFT:
        return SDLK_LEFT;
    case KK_RIGHT:
        return SDLK_RIGHT;
    case KK_HOME:
        return SDLK_HOME;
    case KK_END:
        return SDLK_END;
    case KK_ESCAPE:
        return SDLK_ESCAPE;
    case KK_TAB:
        return SDLK_TAB;
    }
    return SDLK_UNKNOWN;
}

/* Translates one SDL event; 1 if it means something to the kiosk. */
static int translate(Platform *p, const SDL_Event *e, PlatformEvent *ev)
{
    memset(ev, 0, sizeof *ev);
    switch (e->type) {
    case SDL_QUIT:
        ev->type = PE_QUIT;
        return 1;
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_FINGERUP: {
        /* One finger at a time: the first down is followed until it is lifted. */
        int down = e->type == SDL_FINGERDOWN, up = e->type == SDL_FINGERUP;
        if (down && p->finger_down)
            return 0;
        if (!down && (!p->finger_down || e->tfinger.fingerId != p->finger_id ||
                      e->tfinger.touchId != p->touch_id))
            return 0;
        p->finger_down = !up;
        p->finger_id = e->tfinger.fingerId;
        p->touch_id = e->tfinger.touchId;
        platform_finger_to_logical(p->rotation, p->pw, p->ph, e->tfinger.x, e->tfinger.y, &ev->x,
                                   &ev->y);
        ev->type = down ? PE_PRESS : up ? PE_RELEASE : PE_MOVE;
        return 1;
    }
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEMOTION: {
        int motion = e->type == SDL_MOUSEMOTION;
        if (motion ? e->motion.which == SDL_TOUCH_MOUSEID || !(e->motion.state & SDL_BUTTON_LMASK)
                   : e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
            return 0;
        int ww, wh;
        SDL_GetWindowSize(p->win, &ww, &wh);
        if (ww <= 0 || wh <= 0)
            return 0;
        int mx = motion ? e->motion.x : e->button.x, my = motion ? e->motion.y : e->button.y;
        platform_finger_to_logical(p->rotation, p->pw, p->ph, ((float)mx + 0.5f) / (float)ww,
                                   ((float)my + 0.5f) / (float)wh, &ev->x, &ev->y);
        ev->type = motion                              ? PE_MOVE
                   : e->type == SDL_MOUSEBUTTONDOWN ? PE_PRESS
                                                    : PE_RELEASE;
        return 1;
    }
    case SDL_TEXTINPUT:
        ev->type = PE_TEXT;
        snprintf(ev->text, sizeof ev->text, "%s", e->text.text);
        return 1;
    case SDL_KEYDOWN:
        ev->key = map_key(e->key.keysym.sym);
        if (!ev->key)
            return 0;
        ev->type = PE_KEY;
        return 1;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            make_target(p, NULL);
            ev->type = PE_EXPOSE;
            return 1;
        }
        if (e->window.event == SDL_WINDOWEVENT_EXPOSED ||
            e->window.event == SDL_WINDOWEVENT_SHOWN) {
            p->prev_valid = 0; /* whatever happened to the window: redraw all of it */
            ev->type = PE_EXPOSE;
            return 1;
        }
        return 0;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        cache_clear(p);
        make_target(p, NULL);
        ev->type = PE_EXPOSE;
        return 1;
    default:
        return 0;
    }
}

int platform_wait(Platform *p, int timeout_ms, PlatformEvent *ev)
{
    uint64_t start = SDL_GetTicks64();
    for (;;) {
        SDL_Event e;
        int left = timeout_ms;
        if (timeout_ms >= 0) {
            uint64_t el = SDL_GetTicks64() - start;
            left = el >= (uint64_t)timeout_ms ? 0 : timeout_ms - (int)el;
        }
        int got;
        if (p->fdw.on) {
            got = SDL_PollEvent(&e);
            if (!got && left != 0) {
                /* Nothing queued: sleep on the devices (at most 1 s at a time, so that
                 * a device SDL opened later is still noticed within a second). */
                fdwait_sleep(&p->fdw, left < 0 || left > 1000 ? 1000 : left);
                p->wakeups++;
                continue;
            }
        } else {
            got = left < 0    ? SDL_WaitEvent(&e)
                  : left == 0 ? SDL_PollEvent(&e)
                              : SDL_WaitEventTimeout(&e, left);
            p->wakeups++;
        }
        if (!got)
            return 0;
        if (translate(p, &e, ev))
            return 1;
    }
}

static void inject_finger(Platform *p, int lx, int ly, Uint32 type)
{
    /* tools/emulated-pi replays a script's taps on a real touch screen from this trace. */
    if (type != SDL_FINGERMOTION && SDL_getenv("DEBRIEF_TRACE_INPUT"))
        fprintf(stderr, "debrief-kiosk: input: %s %d %d\n",
                type == SDL_FINGERDOWN ? "down" : "up", lx, ly);
    float nx, ny;
    platform_logical_to_finger(p->rotation, p->pw, p->ph, lx, ly, &nx, &ny);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    int down = type != SDL_FINGERUP;
    e.tfinger.type = type;
    e.tfinger.timestamp = SDL_GetTicks();
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = 1;
    e.tfinger.x = nx;
    e.tfinger.y = ny;
    e.tfinger.pressure = down ? 1.0f : 0.0f;
    SDL_PushEvent(&e);
}

void platform_inject_down(Platform *p, int lx, int ly)
{
    inject_finger(p, lx, ly, SDL_FINGERDOWN);
}

void platform_inject_move(Platform *p, int lx, int ly)
{
    inject_finger(p, lx, ly, SDL_FINGERMOTION);
}

void platform_inject_up(Platform *p, int lx, int ly)
{
    inject_finger(p, lx, ly, SDL_FINGERUP);
}

void platform_inject_tap(Platform *p, int lx, int ly)
{
    inject_finger(p, lx, ly, SDL_FINGERDOWN);
    inject_finger(p, lx, ly, SDL_FINGERUP);
}

void platform_sync_input(Platform *p)
{
    /* On X11 a round trip to the server: input it generated before (for another client,
     * xdotool) is queued to us ahead of the reply. XSync comes from libX11, which SDL is
     * linked with (looked up, so that no X library is needed where there is no X). */
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (SDL_GetWindowWMInfo(p->win, &info) && info.subsystem == SDL_SYSWM_X11) {
        int (*xsync)(void *, int);
        *(void **)&xsync = dlsym(RTLD_DEFAULT, "XSync");
        if (xsync)
            xsync(info.info.x11.display, 0);
    }
    SDL_PumpEvents();
}

void platform_inject_text(Platform *p, const char *utf8)
{
    (void)p;
    size_t n = strlen(utf8), i = 0;
    while (i < n) {
        /* SDL_TEXTINPUT carries at most 31 bytes; split at character boundaries. */
        size_t take = 0;
        while (i + take < n) {
            size_t k = ui_utf8_len(utf8 + i + take, n - i - take);
            if (take + k > SDL_TEXTINPUTEVENT_TEXT_SIZE - 1)
                break;
            take += k;
        }
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.text.type = SDL_TEXTINPUT;
        e.text.timestamp = SDL_GetTicks();
        memcpy(e.text.text, utf8 + i, take);
        SDL_PushEvent(&e);
        secmem_wipe(&e, sizeof e);
        i += take;
    }
}

void platform_resize_window(Platform *p, int w, int h)
{
    SDL_SetWindowSize(p->win, w, h);
}

void platform_inject_key(Platform *p, KioskKey key)
{
    (void)p;
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.key.type = SDL_KEYDOWN;
    e.key.timestamp = SDL_GetTicks();
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = unmap_key(key);
    SDL_PushEvent(&e);
}

/* ---- drawing ----
 *
 * With the software renderer every pixel is the CPU's work, and a tap's frame used to be
 * mostly text blending: SDL's tint-and-blend blitter ran over every text run of every frame
 * (~3.5 ns a pixel, 75 times a fill's cost). Two things make a frame cheap there:
 * - opaque text: a run whose box lies on one opaque rectangle is blended once, by SDL's own
 *   blitter, in its colour onto that background colour and cached so; drawing it is then a
 *   copy. Same blitter, same inputs: the same pixels as blending it every frame.
 * - partial redraw (PLATFORM_DRAW_PARTIAL; only when drawing straight onto the window,
 *   whose surface keeps the last frame): only the boxes of commands that appeared or went
 *   away since the last frame are redrawn, under a clip rectangle (see frame_diff).
 * Everything else (an accelerated renderer, a rotated panel) draws the whole frame. */

#define BG_SCAN 256     /* commands looked at below a text run for its background */
#define MATCH_AHEAD 128 /* commands of the last frame looked at for a match */

static uint64_t text_hash(const char *s, size_t len, int size, int flags, uint32_t fg, uint64_t bg)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    h = (h ^ (uint64_t)size) * 1099511628211ull;
    h = (h ^ (uint64_t)flags) * 1099511628211ull;
    h = (h ^ (uint64_t)fg) * 1099511628211ull;
    return (h ^ bg) * 1099511628211ull;
}

static uint32_t color_key(UiColor c)
{
    return (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
}

static void wipe_surface(SDL_Surface *s)
{
    secmem_wipe(s->pixels, (size_t)s->pitch * (size_t)s->h);
}

/* Renders text white, its coverage in alpha. */
static SDL_Surface *render_mask(Platform *p, const char *s, int size, int flags)
{
    TTF_Font *font = kfonts_get(p->fonts, size, (flags & UI_TEXT_BOLD) != 0);
    SDL_Surface *surf = TTF_RenderUTF8_Blended(font, s, (SDL_Color){255, 255, 255, 255});
    if (surf)
        p->renders++;
    return surf;
}

/* Makes the texture of a rendered run: white, to be tinted and blended when drawn (bg NULL),
 * or opaque: blended once in colour fg over bg, in the pixel format drawn on, to be copied.
 * The blend is SDL_BlitSurface with the colour mod, alpha mod and blend mode that the software
 * renderer sets on a texture's surface when it draws it tinted, so the blitter and its
 * arithmetic are the ones a blended draw would use. A secret run's texture is streaming, so
 * that drop_texture_wiped can wipe its pixels. */
static SDL_Texture *make_texture(Platform *p, SDL_Surface *mask, UiColor fg, const UiColor *bg,
                                 int secret)
{
    SDL_Surface *src = mask;
    if (bg) {
        src = SDL_CreateRGBSurfaceWithFormat(0, mask->w, mask->h, 32, p->target_format);
        if (!src)
            return NULL;
        SDL_FillRect(src, NULL, SDL_MapRGBA(src->format, bg->r, bg->g, bg->b, bg->a));
        SDL_SetSurfaceColorMod(mask, fg.r, fg.g, fg.b);
        SDL_SetSurfaceAlphaMod(mask, fg.a);
        SDL_SetSurfaceBlendMode(mask, SDL_BLENDMODE_BLEND);
        SDL_BlitSurface(mask, NULL, src, NULL);
    }
    SDL_Texture *t = SDL_CreateTexture(
        p->ren, src->format->format,
        secret || bg ? SDL_TEXTUREACCESS_STREAMING : SDL_TEXTUREACCESS_STATIC, src->w, src->h);
    if (t) {
        SDL_UpdateTexture(t, NULL, src->pixels, src->pitch);
        SDL_SetTextureBlendMode(t, bg ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    }
    if (src != mask) {
        if (secret)
            wipe_surface(src);
        SDL_FreeSurface(src);
    }
    return t;
}

/* Renders text s into a texture as make_texture makes it (w, h: its size); secret: the
 * texture can be wiped (drop_texture_wiped) and the intermediate pixels are wiped here. */
static SDL_Texture *render_texture(Platform *p, const char *s, int size, int flags, UiColor fg,
                                   const UiColor *bg, int secret, int *w, int *h)
{
    SDL_Surface *mask = render_mask(p, s, size, flags);
    if (!mask)
        return NULL;
    SDL_Texture *t = make_texture(p, mask, fg, bg, secret);
    *w = mask->w;
    *h = mask->h;
    if (secret)
        wipe_surface(mask);
    SDL_FreeSurface(mask);
    return t;
}

/* Destroys a secret run's texture after wiping its pixels (locking flushes the queued draw
 * that uses it first). */
static void drop_texture_wiped(SDL_Texture *t)
{
    void *px;
    int pitch, h;
    if (SDL_QueryTexture(t, NULL, NULL, NULL, &h) == 0 &&
        SDL_LockTexture(t, NULL, &px, &pitch) == 0) {
        secmem_wipe(px, (size_t)pitch * (size_t)h);
        SDL_UnlockTexture(t);
    }
    SDL_DestroyTexture(t);
}

/* Frees a cache entry's texture and text; a participant's (answer-styled or secret) is
 * wiped first. */
static void entry_free(TexEntry *e)
{
    if (e->flags & PARTICIPANT) {
        drop_texture_wiped(e->tex);
        secmem_wipe(e->text, e->len);
    } else {
        SDL_DestroyTexture(e->tex);
    }
    free(e->text);
}

/* The least recently used entry whose flags include mask (0: any entry); NULL if none. */
static TexEntry *cache_lru(Platform *p, int mask)
{
    TexEntry *e = NULL;
    for (int i = 0; i < p->n_cache; i++)
        if ((p->cache[i].flags & mask) == mask && (!e || p->cache[i].used < e->used))
            e = &p->cache[i];
    return e;
}

static TexEntry *cache_get(Platform *p, const char *s, size_t len, int size, int flags, UiColor fg,
                           const UiColor *bg)
{
    uint32_t fk = bg ? color_key(fg) : 0;
    uint64_t bk = bg ? 1ull << 32 | color_key(*bg) : 0;
    uint64_t h = text_hash(s, len, size, flags, fk, bk);
    for (int i = 0; i < p->n_cache; i++) {
        TexEntry *e = &p->cache[i];
        if (e->hash == h && e->size == size && e->flags == flags && e->len == len && e->fg == fk &&
            e->bg == bk && memcmp(e->text, s, len) == 0) {
            e->used = p->frame;
            return e;
        }
    }
    TexEntry *e;
    int secrets = 0;
    for (int i = 0; (flags & UI_TEXT_SECRET) && i < p->n_cache; i++)
        secrets += (p->cache[i].flags & UI_TEXT_SECRET) != 0;
    if (secrets >= PLATFORM_SECRET_PIECES) { /* a participant's pieces: the oldest goes */
        e = cache_lru(p, UI_TEXT_SECRET);
        entry_free(e);
    } else if (p->n_cache < TEX_CACHE) {
        e = &p->cache[p->n_cache++];
    } else { /* evict the least recently used */
        e = cache_lru(p, 0);
        entry_free(e);
    }
    memset(e, 0, sizeof *e);
    e->text = malloc(len + 1);
    if (e->text) {
        memcpy(e->text, s, len);
        e->text[len] = '\0';
        e->tex = render_texture(p, e->text, size, flags, fg, bg, (flags & PARTICIPANT) != 0, &e->w,
                                &e->h);
    }
    if (!e->text || !e->tex) {
        free(e->text);
        *e = p->cache[--p->n_cache];
        return NULL;
    }
    e->hash = h;
    e->size = size;
    e->flags = flags;
    e->len = len;
    e->fg = fk;
    e->bg = bk;
    e->used = p->frame;
    return e;
}

/* An opaque fill on the window's surface (4 bytes a pixel) with ordinary stores. SDL_FillRect
 * writes with non-temporal stores, which send the lines to memory, and most filled pixels
 * are written again at once by the text copies drawn on them: that made the fills of a
 * screen change cost twice what the stores do. r lies inside the surface and the clip. */
static void fill_direct(Platform *p, UiRect r, UiColor c)
{
    SDL_RenderFlush(p->ren); /* what was drawn before comes first */
    SDL_Surface *ws = p->surf;
    uint32_t px = SDL_MapRGBA(ws->format, c.r, c.g, c.b, c.a);
    for (int y = r.y; y < r.y + r.h; y++) {
        uint32_t *row = (uint32_t *)((uint8_t *)ws->pixels + (size_t)y * (size_t)ws->pitch) + r.x;
#if WCHAR_MAX == 0xFFFFFFFFu || WCHAR_MAX == 0x7FFFFFFF
        /* glibc's wmemset stores 32 or 64 bytes at a time: half the time of a plain loop */
        wmemset((wchar_t *)row, (wchar_t)px, (size_t)r.w);
#else
        for (int x = 0; x < r.w; x++)
            row[x] = px;
#endif
    }
}

/* r cut to clip (clip NULL: r); 0 if nothing is left. */
static int rect_clip(UiRect *r, const UiRect *clip)
{
    if (clip) {
        int x0 = r->x > clip->x ? r->x : clip->x, y0 = r->y > clip->y ? r->y : clip->y;
        int x1 = r->x + r->w < clip->x + clip->w ? r->x + r->w : clip->x + clip->w;
        int y1 = r->y + r->h < clip->y + clip->h ? r->y + r->h : clip->y + clip->h;
        *r = (UiRect){x0, y0, x1 - x0, y1 - y0};
    }
    return r->w > 0 && r->h > 0;
}

static void fill(Platform *p, UiRect r, UiColor c)
{
    UiRect panel = {0, 0, p->lw, p->lh};
    if (p->surf && (p->opts & PLATFORM_DRAW_PLAIN_STORES) && c.a == 255 &&
        p->surf->format->BytesPerPixel == 4) {
        if (rect_clip(&r, &panel))
            fill_direct(p, r, c);
        return;
    }
    SDL_SetRenderDrawBlendMode(p->ren, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(p->ren, c.r, c.g, c.b, c.a);
    SDL_Rect sr = {r.x, r.y, r.w, r.h};
    SDL_RenderFillRect(p->ren, &sr);
}

/* Whether drawing c changes any pixel of box. */
static int cmd_touches(const UiCmd *c, UiRect box)
{
    if (!ui_rect_overlap(c->r, box))
        return 0;
    if (c->kind != UI_CMD_FRAME)
        return 1;
    int t = c->thickness;
    UiRect inner = {c->r.x + t, c->r.y + t, c->r.w - 2 * t, c->r.h - 2 * t};
    return !ui_rect_inside(box, inner);
}

/* The one colour under text run i when it is drawn, if there is one: the run's box lies in an
 * opaque rectangle drawn earlier, and nothing drawn since touches the box. */
static int text_bg(const UiFrame *f, int i, UiColor *bg)
{
    UiRect box = f->cmds[i].r;
    for (int j = i - 1; j >= 0; j--) {
        if (i - j > BG_SCAN)
            return 0;
        const UiCmd *c = &f->cmds[j];
        if (!cmd_touches(c, box))
            continue;
        if (c->kind == UI_CMD_RECT && c->color.a == 255 && ui_rect_inside(box, c->r)) {
            *bg = c->color;
            return 1;
        }
        return 0;
    }
    *bg = (UiColor){0, 0, 0, 255}; /* the cleared panel */
    return 1;
}

static void draw_text(Platform *p, const UiFrame *f, int i)
{
    const UiCmd *c = &f->cmds[i];
    const char *s = ui_cmd_text(f, c);
    UiColor bgc;
    int opaque = p->soft && (p->opts & PLATFORM_DRAW_OPAQUE_TEXT) && text_bg(f, i, &bgc);
    const UiColor *bg = opaque ? &bgc : NULL;
    /* A participant's words go piece by piece (ui_piece_len), as ui.c measured them: a
     * keystroke renders the one piece it changed. */
    int x = c->r.x, right = c->r.x + c->r.w;
    for (size_t at = 0, n; at < c->len && x < right; at += n) {
        n = c->flags & UI_TEXT_SECRET ? ui_piece_len(s + at, c->len - at) : c->len;
        TexEntry *e = cache_get(p, s + at, n, c->size, c->flags, c->color, bg);
        if (!e)
            return;
        if (!opaque) {
            SDL_SetTextureColorMod(e->tex, c->color.r, c->color.g, c->color.b);
            SDL_SetTextureAlphaMod(e->tex, c->color.a);
        }
        /* Never outside the run's box (SDL_ttf renders exactly the measured size), so that
         * the box is all a partial redraw needs to know about the run. */
        SDL_Rect src = {0, 0, e->w < right - x ? e->w : right - x, e->h < c->r.h ? e->h : c->r.h};
        SDL_Rect dst = {x, c->r.y, src.w, src.h};
        SDL_RenderCopy(p->ren, e->tex, &src, &dst);
        x += e->w;
    }
}

/* ---- overdraw: a pixel that a later opaque rectangle paints ends up that rectangle's colour
 * (and whatever is drawn after it) whatever was drawn there before, so earlier commands skip
 * it: a fill is cut into the pieces no later opaque rectangle covers, a text run or frame
 * wholly under one is not drawn. Fills were most of a frame's cost once text was copied. */

#define OCC_PIECES 32

/* a minus b, appended to out (at most 4 pieces); returns the new count, or -1 if full. */
static int rect_subtract(UiRect a, UiRect b, UiRect *out, int n)
{
    if (!ui_rect_overlap(a, b)) {
        if (n == OCC_PIECES)
            return -1;
        out[n++] = a;
        return n;
    }
    int ay1 = a.y + a.h, by1 = b.y + b.h, ax1 = a.x + a.w, bx1 = b.x + b.w;
    int my0 = a.y > b.y ? a.y : b.y, my1 = ay1 < by1 ? ay1 : by1;
    UiRect parts[4] = {{a.x, a.y, a.w, b.y - a.y},
                       {a.x, by1, a.w, ay1 - by1},
                       {a.x, my0, b.x - a.x, my1 - my0},
                       {bx1, my0, ax1 - bx1, my1 - my0}};
    for (int i = 0; i < 4; i++) {
        if (parts[i].w <= 0 || parts[i].h <= 0)
            continue;
        if (n == OCC_PIECES)
            return -1;
        out[n++] = parts[i];
    }
    return n;
}

/* The indices of the frame's opaque rectangles, in order (p->occ, p->n_occ). */
static void find_occluders(Platform *p, const UiFrame *f)
{
    p->n_occ = 0;
    for (int i = 0; i < f->n_cmds; i++)
        if (f->cmds[i].kind == UI_CMD_RECT && f->cmds[i].color.a == 255)
            p->occ[p->n_occ++] = i;
}

/* Whether a later opaque rectangle covers all of r. */
static int occluded(const Platform *p, const UiFrame *f, int i, UiRect r)
{
    for (int k = p->n_occ - 1; k >= 0 && p->occ[k] > i; k--)
        if (ui_rect_inside(r, f->cmds[p->occ[k]].r))
            return 1;
    return 0;
}

/* Fills what of r (command i's) inside clip (NULL: all of it) no later opaque rectangle
 * covers. Cutting to the clip here, not only in SDL, keeps a partial redraw from queueing
 * fills that SDL would clip to nothing. */
static void fill_visible(Platform *p, const UiFrame *f, int i, UiRect r, UiColor c,
                         const UiRect *clip)
{
    if (!rect_clip(&r, clip))
        return;
    UiRect a[OCC_PIECES], b[OCC_PIECES], *cur = a, *next = b;
    int n = 1;
    a[0] = r;
    int k = 0;
    while (k < p->n_occ && p->occ[k] <= i)
        k++;
    for (; k < p->n_occ && n > 0; k++) {
        UiRect o = f->cmds[p->occ[k]].r;
        if (!ui_rect_overlap(o, r))
            continue;
        int m = 0;
        for (int j = 0; j < n && m >= 0; j++)
            m = rect_subtract(cur[j], o, next, m);
        if (m < 0) { /* too many pieces: fill it all */
            fill(p, r, c);
            return;
        }
        UiRect *t = cur;
        cur = next;
        next = t;
        n = m;
    }
    for (int j = 0; j < n; j++)
        fill(p, cur[j], c);
}

/* Draws the frame's commands, or only those touching *only (drawn under a clip). */
static void draw_cmds(Platform *p, const UiFrame *f, const UiRect *only)
{
    for (int i = 0; i < f->n_cmds; i++) {
        const UiCmd *c = &f->cmds[i];
        if (only && !cmd_touches(c, *only))
            continue;
        switch (c->kind) {
        case UI_CMD_RECT:
            fill_visible(p, f, i, c->r, c->color, only);
            break;
        case UI_CMD_FRAME: {
            int t = c->thickness;
            UiRect r = c->r;
            if (occluded(p, f, i, r))
                break;
            fill_visible(p, f, i, (UiRect){r.x, r.y, r.w, t}, c->color, only);
            fill_visible(p, f, i, (UiRect){r.x, r.y + r.h - t, r.w, t}, c->color, only);
            fill_visible(p, f, i, (UiRect){r.x, r.y + t, t, r.h - 2 * t}, c->color, only);
            fill_visible(p, f, i, (UiRect){r.x + r.w - t, r.y + t, t, r.h - 2 * t}, c->color, only);
            break;
        }
        case UI_CMD_TEXT:
            if (!occluded(p, f, i, c->r))
                draw_text(p, f, i);
            break;
        }
    }
}

static int same_cmd(const UiCmd *a, const char *arena_a, const UiCmd *b, const char *arena_b)
{
    if (a->kind != b->kind || a->r.x != b->r.x || a->r.y != b->r.y || a->r.w != b->r.w ||
        a->r.h != b->r.h || color_key(a->color) != color_key(b->color))
        return 0;
    if (a->kind == UI_CMD_FRAME)
        return a->thickness == b->thickness;
    if (a->kind == UI_CMD_TEXT)
        return a->size == b->size && a->flags == b->flags && a->len == b->len &&
               memcmp(arena_a + a->text, arena_b + b->text, a->len) == 0;
    return 1;
}

static UiRect rect_union(UiRect a, UiRect b)
{
    int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
    int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    return (UiRect){x0, y0, x1 - x0, y1 - y0};
}

/* Adds a box to the dirty list (clipped to the panel; overlapping boxes merged). */
static void dirty_add(Platform *p, UiRect r)
{
    UiRect panel = {0, 0, p->lw, p->lh};
    if (!rect_clip(&r, &panel))
        return;
    for (int i = 0; i < p->n_dirty;) {
        if (ui_rect_overlap(p->dirty[i], r)) {
            r = rect_union(r, p->dirty[i]);
            p->dirty[i] = p->dirty[--p->n_dirty];
            i = 0;
        } else {
            i++;
        }
    }
    if (p->n_dirty == DIRTY_MAX) {
        for (int i = 0; i < p->n_dirty; i++)
            r = rect_union(r, p->dirty[i]);
        p->n_dirty = 0;
    }
    p->dirty[p->n_dirty++] = r;
}

/* What changed since the last frame: the boxes of the commands that are not in both frames.
 * Commands are matched in order (each to an identical one further on in the last frame
 * than the previous match). That is exact: at a pixel outside those boxes, every command
 * that touches it, in either frame, has its twin in the other frame, and the twins come in
 * the same order, so the same commands paint the pixel in the same order and it keeps its
 * colour. (A text run's pixels do not depend on what else is in the frame: an opaque run
 * holds exactly what blending it onto its background gives.) */
static void frame_diff(Platform *p, const UiFrame *f)
{
    p->n_dirty = 0;
    int j = 0;
    for (int i = 0; i < f->n_cmds; i++) {
        const UiCmd *c = &f->cmds[i];
        int end = p->prev_n - j > MATCH_AHEAD ? j + MATCH_AHEAD : p->prev_n, k = j;
        while (k < end && !same_cmd(c, f->arena, &p->prev_cmds[k], p->prev_arena))
            k++;
        if (k == end) {
            dirty_add(p, c->r); /* new */
            continue;
        }
        for (; j < k; j++)
            dirty_add(p, p->prev_cmds[j].r); /* gone */
        j = k + 1;
    }
    for (; j < p->prev_n; j++)
        dirty_add(p, p->prev_cmds[j].r);
}

/* Whether f is the last frame drawn, command for command (PLATFORM_DRAW_PARTIAL). */
static int same_frame(const Platform *p, const UiFrame *f)
{
    if (!(p->opts & PLATFORM_DRAW_PARTIAL) || !p->prev_valid || p->prev_w != f->w ||
        p->prev_h != f->h || p->prev_n != f->n_cmds)
        return 0;
    for (int i = 0; i < f->n_cmds; i++)
        if (!same_cmd(&f->cmds[i], f->arena, &p->prev_cmds[i], p->prev_arena))
            return 0;
    return 1;
}

/* Forgets the last frame (wiping its text). */
static void forget_frame(Platform *p)
{
    if (p->prev_arena)
        secmem_wipe(p->prev_arena, p->prev_used);
    p->prev_used = 0;
    p->prev_n = 0;
    p->prev_valid = 0;
}

/* Keeps a copy of the frame just drawn, for the next one's diff. */
static void remember_frame(Platform *p, const UiFrame *f)
{
    forget_frame(p);
    if (!(p->opts & PLATFORM_DRAW_PARTIAL))
        return;
    if (!p->prev_cmds)
        p->prev_cmds = malloc(sizeof(UiCmd) * UI_MAX_CMDS);
    if (!p->prev_arena)
        p->prev_arena = secmem_alloc(UI_TEXT_ARENA);
    if (!p->prev_cmds || !p->prev_arena || f->n_cmds > UI_MAX_CMDS || f->arena_used > UI_TEXT_ARENA)
        return;
    memcpy(p->prev_arena, f->arena, f->arena_used);
    p->prev_used = f->arena_used;
    memcpy(p->prev_cmds, f->cmds, sizeof(UiCmd) * (size_t)f->n_cmds);
    p->prev_n = f->n_cmds;
    p->prev_w = f->w;
    p->prev_h = f->h;
    p->prev_valid = 1;
}

void platform_set_draw_opts(Platform *p, unsigned opts)
{
    p->opts = opts;
    forget_frame(p);
}

unsigned platform_draw_opts(const Platform *p)
{
    return p->opts;
}

long platform_last_redrawn(const Platform *p)
{
    return p->redrawn;
}

/* Copies the logical frame onto the panel, rotated. */
static void compose(Platform *p)
{
    SDL_SetRenderTarget(p->ren, NULL);
    SDL_SetRenderDrawColor(p->ren, 0, 0, 0, 255);
    SDL_RenderClear(p->ren);
    SDL_Rect dst = {(p->pw - p->lw) / 2, (p->ph - p->lh) / 2, p->lw, p->lh};
    if (p->rotation == 0)
        SDL_RenderCopy(p->ren, p->target, NULL, &dst);
    else
        SDL_RenderCopyEx(p->ren, p->target, NULL, &dst, (double)p->rotation, NULL, SDL_FLIP_NONE);
}

void platform_draw(Platform *p, const UiFrame *f)
{
    p->frame++;
    if (f->epoch != p->epoch) {
        cache_drop_answers(p);
        p->epoch = f->epoch;
    }
    if (same_frame(p, f)) { /* the panel shows it already */
        p->redrawn = 0;
        return;
    }
    SDL_SetRenderTarget(p->ren, p->direct ? NULL : p->target);
    long panel = (long)p->lw * p->lh, area = 0;
    int partial = (p->opts & PLATFORM_DRAW_PARTIAL) && p->direct && p->prev_valid &&
                  p->prev_w == f->w && p->prev_h == f->h;
    if (partial) {
        frame_diff(p, f);
        for (int d = 0; d < p->n_dirty; d++)
            area += (long)p->dirty[d].w * p->dirty[d].h;
        partial = area * 4 <= panel * 3; /* else one plain pass is cheaper */
    }
    p->n_occ = 0;
    if (p->opts & PLATFORM_DRAW_SKIP_HIDDEN)
        find_occluders(p, f);
    /* A first command that paints the whole panel makes clearing it useless. */
    const UiCmd *c0 = f->n_cmds > 0 ? &f->cmds[0] : NULL;
    int covered = (p->opts & PLATFORM_DRAW_SKIP_HIDDEN) && c0 && c0->kind == UI_CMD_RECT &&
                  c0->color.a == 255 && ui_rect_inside((UiRect){0, 0, p->lw, p->lh}, c0->r);
    if (!partial) {
        p->redrawn = panel;
        if (!covered) {
            SDL_SetRenderDrawColor(p->ren, 0, 0, 0, 255);
            SDL_RenderClear(p->ren);
        }
        draw_cmds(p, f, NULL);
    } else {
        p->redrawn = area;
        for (int d = 0; d < p->n_dirty; d++) {
            UiRect r = p->dirty[d];
            SDL_Rect clip = {r.x, r.y, r.w, r.h};
            SDL_RenderSetClipRect(p->ren, &clip);
            if (!covered)
                fill(p, r, (UiColor){0, 0, 0, 255});
            draw_cmds(p, f, &r);
        }
        SDL_RenderSetClipRect(p->ren, NULL);
    }
    if (!p->direct)
        compose(p);
    SDL_RenderPresent(p->ren);  /* a surface's renderer only runs what it has queued */
    if (p->direct && partial) { /* hand the display only what changed */
        SDL_Rect rects[DIRTY_MAX];
        for (int d = 0; d < p->n_dirty; d++)
            rects[d] = (SDL_Rect){p->dirty[d].x, p->dirty[d].y, p->dirty[d].w, p->dirty[d].h};
        SDL_UpdateWindowSurfaceRects(p->win, rects, p->n_dirty);
    } else if (p->direct) {
        SDL_UpdateWindowSurface(p->win);
    }
    remember_frame(p, f);
}

int platform_read_rgb(Platform *p, uint8_t *rgb, DbError *err)
{
    if (!p->direct)
        compose(p); /* direct: the window already holds the last frame */
    if (SDL_RenderReadPixels(p->ren, NULL, SDL_PIXELFORMAT_RGB24, rgb, 3 * p->pw) != 0)
        return dberr_set(err, DB_EIO, "screenshot: cannot read pixels: %s", SDL_GetError());
    return DB_OK;
}

int platform_screenshot(Platform *p, const char *png_path, DbError *err)
{
    size_t pitch = 3 * (size_t)p->pw;
    uint8_t *px = malloc(pitch * (size_t)p->ph);
    if (!px)
        return dberr_set(err, DB_ENOMEM, "screenshot: out of memory");
    int rc = platform_read_rgb(p, px, err);
    if (rc == DB_OK)
        rc = pngfile_write_rgb(png_path, px, p->pw, p->ph, pitch, err);
    /* The picture may show answers. */
    secmem_wipe(px, pitch * (size_t)p->ph);
    free(px);
    return rc;
}
