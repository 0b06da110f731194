/* pi-touch: a touch screen for the emulated Pi (tools/emulated-pi), made with uinput.
 *
 * QEMU 7.2 has no virtio multi-touch device, and SDL 2.26 reads a virtio tablet's raw
 * values as pixels; a uinput device with the multi-touch axes and INPUT_PROP_DIRECT is
 * classified by udev as a touch screen, and SDL's evdev code turns it into real
 * SDL_FINGERDOWN/UP events, as a Pi's touch display does.
 *
 *     pi-touch FIFO      makes FIFO and the device, then reads commands from FIFO, one a line:
 *         down X Y       a finger goes down at screen pixel (X, Y)
 *         up             and is lifted
 *         tap X Y        down, 60 ms, up
 *
 * The axes span the screen's pixels (PI_TOUCH_W x PI_TOUCH_H, 800x480 by default).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fd = -1;

static void emit(int type, int code, int value)
{
    struct input_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (unsigned short)type;
    ev.code = (unsigned short)code;
    ev.value = value;
    if (write(fd, &ev, sizeof ev) != (ssize_t)sizeof ev)
        fprintf(stderr, "pi-touch: write: %s\n", strerror(errno));
}

static void abs_axis(int code, int max)
{
    struct uinput_abs_setup a;
    memset(&a, 0, sizeof a);
    a.code = (unsigned short)code;
    a.absinfo.minimum = 0;
    a.absinfo.maximum = max;
    if (ioctl(fd, UI_ABS_SETUP, &a) != 0) {
        fprintf(stderr, "pi-touch: UI_ABS_SETUP: %s\n", strerror(errno));
        exit(1);
    }
}

static int tracking = 0;

static void down(int x, int y)
{
    emit(EV_ABS, ABS_MT_SLOT, 0);
    emit(EV_ABS, ABS_MT_TRACKING_ID, ++tracking);
    emit(EV_ABS, ABS_MT_POSITION_X, x);
    emit(EV_ABS, ABS_MT_POSITION_Y, y);
    emit(EV_KEY, BTN_TOUCH, 1);
    emit(EV_ABS, ABS_X, x);
    emit(EV_ABS, ABS_Y, y);
    emit(EV_SYN, SYN_REPORT, 0);
}

static void up(void)
{
    emit(EV_ABS, ABS_MT_SLOT, 0);
    emit(EV_ABS, ABS_MT_TRACKING_ID, -1);
    emit(EV_KEY, BTN_TOUCH, 0);
    emit(EV_SYN, SYN_REPORT, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pi-touch FIFO\n");
        return 2;
    }
    const char *wv = getenv("PI_TOUCH_W"), *hv = getenv("PI_TOUCH_H");
    int w = wv ? atoi(wv) : 800, h = hv ? atoi(hv) : 480;
    fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "pi-touch: /dev/uinput: %s\n", strerror(errno));
        return 1;
    }
    ioctl(fd, UI_SET_EVBIT, EV_KEY);
    ioctl(fd, UI_SET_KEYBIT, BTN_TOUCH);
    ioctl(fd, UI_SET_EVBIT, EV_ABS);
    ioctl(fd, UI_SET_PROPBIT, INPUT_PROP_DIRECT);
    int axes[] = {ABS_X, ABS_Y, ABS_MT_SLOT, ABS_MT_TRACKING_ID, ABS_MT_POSITION_X,
                  ABS_MT_POSITION_Y};
    for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++)
        ioctl(fd, UI_SET_ABSBIT, axes[i]);
    abs_axis(ABS_X, w - 1);
    abs_axis(ABS_Y, h - 1);
    abs_axis(ABS_MT_POSITION_X, w - 1);
    abs_axis(ABS_MT_POSITION_Y, h - 1);
    abs_axis(ABS_MT_SLOT, 0);
    abs_axis(ABS_MT_TRACKING_ID, 65535);
    struct uinput_setup us;
    memset(&us, 0, sizeof us);
    us.id.bustype = BUS_VIRTUAL;
    us.id.vendor = 0x1d6b;
    us.id.product = 0x0104;
    snprintf(us.name, UINPUT_MAX_NAME_SIZE, "emulated-pi touch screen");
    if (ioctl(fd, UI_DEV_SETUP, &us) != 0 || ioctl(fd, UI_DEV_CREATE) != 0) {
        fprintf(stderr, "pi-touch: cannot create the device: %s\n", strerror(errno));
        return 1;
    }
    unlink(argv[1]);
    if (mkfifo(argv[1], 0600) != 0) {
        fprintf(stderr, "pi-touch: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    fprintf(stderr, "pi-touch: %dx%d touch screen ready, commands on %s\n", w, h, argv[1]);
    for (;;) {
        FILE *in = fopen(argv[1], "r"); /* blocks until a writer opens it */
        if (!in) {
            fprintf(stderr, "pi-touch: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        char line[128];
        while (fgets(line, sizeof line, in)) {
            int x, y;
            if (sscanf(line, "down %d %d", &x, &y) == 2) {
                down(x, y);
            } else if (strncmp(line, "up", 2) == 0) {
                up();
            } else if (sscanf(line, "tap %d %d", &x, &y) == 2) {
                down(x, y);
                nanosleep(&(struct timespec){0, 60 * 1000 * 1000}, NULL);
                up();
            } else {
                fprintf(stderr, "pi-touch: unknown command: %s", line);
            }
        }
        fclose(in);
    }
}
