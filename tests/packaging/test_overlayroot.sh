#!/bin/sh
# Checks DEPLOY.md's read-only root against Debian's own overlayroot package: its initramfs
# script's overlayrootify_fstab (what it makes of /etc/fstab at boot) is run on the fstab line
# DEPLOY.md gives for the data partition, with recurse=1 (overlayroot's default, which
# raspi-config's "overlayroot=tmpfs" gets) and recurse=0 (what DEPLOY.md sets); and DEPLOY.md's
# sed command is run on the cmdline.txt raspi-config writes. Downloads the overlayroot package
# (apt-get download, into a scratch directory); changes nothing on the machine.
# usage: test_overlayroot.sh SOURCE_DIR
set -u
SRC=$1
T=$(mktemp -d /tmp/debrief-overlayroot-XXXXXX)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }

(cd "$T" && apt-get download overlayroot >"$T/apt.log" 2>&1) ||
  { cat "$T/apt.log" >&2; echo "test_overlayroot: cannot download Debian's overlayroot package" >&2; exit 1; }
dpkg-deb -x "$T"/overlayroot_*.deb "$T/pkg"
script=$T/pkg/usr/share/initramfs-tools/scripts/init-bottom/overlayroot
# The functions overlayrootify_fstab uses, as the package has them.
for f in clean_path get_workdir overlayrootify_fstab; do
  sed -n "/^$f() {/,/^}/p" "$script"
done >"$T/functions.sh"
grep -q '^overlayrootify_fstab() {' "$T/functions.sh" || { bad "no overlayrootify_fstab in $script"; exit 1; }

# The data partition's fstab line, from DEPLOY.md.
line=$(grep '^LABEL=debrief-data ' "$SRC/docs/DEPLOY.md")
[ -n "$line" ] && ok || { bad "DEPLOY.md has no LABEL=debrief-data fstab line"; exit 1; }
printf '/dev/mmcblk0p2 / ext4 defaults,noatime 0 1\n%s\n' "$line" >"$T/fstab"
fstab_for() { # RECURSE: overlayroot's fstab for it, on stdout
  sh -c ". '$T/functions.sh'; MYTAG=overlayroot; needs_workdir() { return 0; };
         overlayrootify_fstab '$T/fstab' /media/root-ro /media/root-rw / $1 0 overlay"
}
fstab_for 1 >"$T/r1"
# recurse=1: the partition is mounted read-only aside and /var/lib/debrief is an overlay whose
# writes go to /media/root-rw, the tmpfs: what the kiosk's selftest now fails.
grep -q ' /var/lib/debrief overlay .*upperdir=/media/root-rw/' "$T/r1" &&
  grep -q '^LABEL=debrief-data /media/root-ro/var/lib/debrief ext4 ro,' "$T/r1" && ok ||
  { bad "recurse=1: the data partition was expected to become a RAM overlay"; cat "$T/r1" >&2; }
fstab_for 0 >"$T/r0"
grep -qxF "$(echo "$line" | tr -s ' ')" "$T/r0" && ok ||
  { bad "recurse=0: the data partition's line must stay as it is"; cat "$T/r0" >&2; }
grep -q ' /var/lib/debrief overlay ' "$T/r0" && { bad "recurse=0: the data partition became an overlay"; cat "$T/r0" >&2; } || ok

# DEPLOY.md's sed on the cmdline.txt that raspi-config's enable_overlayfs writes.
cmd=$(grep "^sudo sed -i 's/overlayroot=tmpfs" "$SRC/docs/DEPLOY.md" | sed 's/^sudo //; s| /boot/firmware/cmdline.txt$||')
[ -n "$cmd" ] && ok || { bad "DEPLOY.md has no sed for cmdline.txt"; exit 1; }
check_sed() { # BEFORE AFTER
  printf '%s\n' "$1" >"$T/cmdline.txt"
  sh -c "$cmd '$T/cmdline.txt'"
  [ "$(cat "$T/cmdline.txt")" = "$2" ] && ok || bad "sed on '$1' gave '$(cat "$T/cmdline.txt")', not '$2'"
}
check_sed "overlayroot=tmpfs console=serial0,115200 root=PARTUUID=1-02 rootwait" \
          "overlayroot=tmpfs:recurse=0 console=serial0,115200 root=PARTUUID=1-02 rootwait"
check_sed "console=tty1 root=PARTUUID=1-02 overlayroot=tmpfs" \
          "console=tty1 root=PARTUUID=1-02 overlayroot=tmpfs:recurse=0"
check_sed "overlayroot=tmpfs:recurse=0 console=tty1" "overlayroot=tmpfs:recurse=0 console=tty1"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
