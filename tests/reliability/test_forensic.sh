#!/bin/sh
# The raw card, attacked by someone who also holds the analyst's secret key (a curious analyst
# handed a returned kiosk, or a key that leaked later): can they tell which record was
# submitted when, or in which order? Issue 15; docs/THREAT_MODEL.md, "The raw card".
#
# A real ext4 file system (4 KiB blocks, the default data=ordered journal) in a loop device
# stands in for the card's data partition. The kiosk runs a scripted session of N
# participants at known, irregular times (its default cadence of writes, at a shorter
# interval). The image is attacked while the session is open, after it is closed, and after
# an acknowledgement, by tests/reliability/forensic.c and debugfs:
#  - every sealed record anywhere in the image (files, free blocks, the journal, any byte
#    offset) is opened with the key: each record is found exactly once, in the live record
#    file, and nowhere else (no copy in the journal or in freed blocks to date it);
#  - the records' positions tell nothing of the order (Kendall's tau between position and
#    submission order within 4 standard deviations of 0);
#  - every copy of the record file's inode the journal kept carries a time on the kiosk's
#    tick grid (writes happen at every tick whether or not anyone submitted), and the
#    database files were not written while participants answered;
#  - after the acknowledgement, no record opens anywhere in the image.
# Needs root for the loop device; otherwise it says SKIPPED and exits 77 (ctest: skipped).
# usage: test_forensic.sh BUILD_DIR SOURCE_DIR [N]
set -u
N=${3:-24}
INTERVAL=400
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIPPED: needs root to mount a file system image on a loop device"
  exit 77
fi
for t in mkfs.ext4 debugfs mount fsfreeze; do
  command -v $t >/dev/null || { echo "$t is missing (e2fsprogs, util-linux)"; exit 1; }
done
. "$(dirname "$0")/lib.sh"
rel_init forensic "$1" "$2"
FORENSIC=$BUILD/tests/forensic
MNT=$T/mnt
cleanup() {
  mountpoint -q "$MNT" 2>/dev/null && { fsfreeze -u "$MNT" 2>/dev/null; umount "$MNT"; }
  rel_cleanup
}
trap cleanup EXIT
now_ns() { date +%s%N; }

IMG=$T/card.img
truncate -s 160M "$IMG"
mkfs.ext4 -q -F -b 4096 "$IMG" || { echo "mkfs.ext4 failed"; exit 1; }
mkdir -p "$MNT"
if ! mount -o loop "$IMG" "$MNT" 2>"$T/mount.err"; then
  echo "SKIPPED: cannot mount a loop device here: $(cat "$T/mount.err")"
  exit 77
fi
D=$MNT/data
"$TOOL" keygen "$T/keys" >/dev/null || { echo "keygen failed"; exit 1; }
KEY=$T/keys/analyst.key
PUB=$T/keys/analyst.pub
mkdir -p "$T/marks" "$T/sync" "$T/usb" "$T/acks"
kiosk() { # SCRIPT: the kiosk on the card's data directory
  "$KIOSK" --survey "$SURVEY" --data "$D" --recipient "$PUB" --script "$1" \
    --screenshot-dir "$T/marks" --commit-interval $INTERVAL >>"$T/kout" 2>>"$T/kerr" </dev/null
}

# Set-up as on a kiosk: the kiosk starts (and records its survey and record size), the
# coordinator opens a session (which reserves its slots).
echo 'expect "not collecting"' >"$T/first.script"
kiosk "$T/first.script" || { echo "the first kiosk run failed"; cat "$T/kerr"; exit 1; }
"$DEBRIEF" session open --data "$D" --label "Group F" --date 2026-12-07 >/dev/null ||
  { echo "session open failed"; exit 1; }

# N participants at irregular times (0.2 .. 2.2 s apart).
{
  echo 'expect "Tap to begin"'
  i=1
  while [ $i -le "$N" ]; do
    cat <<EOS
wait $((200 + $(rnd) % 2000))
tap "Tap to begin"
tap "Agree"
tap "Next"
tap "Next"
tap "Teamwork"
tap "Next"
type "f$i"
tap "Next"
tap "Submit"
expect "Thank you"
screenshot mark-f$i.png
idle 9
EOS
    i=$((i + 1))
  done
  echo 'screenshot all-done.png'
  echo 'waitfile "sync/snapped"'
  echo 'wait 1000'
} >"$T/session.script"
start_ns=$(now_ns)
kiosk "$T/session.script" &
kpid=$!
n=0
while [ ! -e "$T/marks/all-done.png" ] && kill -0 $kpid 2>/dev/null && [ $n -lt 3000 ]; do
  sleep 0.05
  n=$((n + 1))
done
end_ns=$(now_ns)
# A snapshot of the card while the session is still open (frozen, as if pulled out).
sync
fsfreeze -f "$MNT" && cp "$IMG" "$T/open.img"
fsfreeze -u "$MNT"
touch "$T/sync/snapped"
wait $kpid || { bad "the kiosk run failed"; cat "$T/kerr" >&2; }
[ "$(ls "$T/marks" | grep -c '^mark-f')" -eq "$N" ] && ok || bad "not all $N participants were thanked"
"$DEBRIEF" session close --data "$D" >/dev/null || bad "session close"
umount "$MNT"
cp "$IMG" "$T/closed.img"

kibs=$(ls "$T" >/dev/null; debugfs -R "ls -l /data" "$T/closed.img" 2>/dev/null |
  sed -n 's/.*records-\([0-9]*\)k\.dat.*/\1/p' | head -n 1)
REC=/data/records-${kibs}k.dat
[ -n "$kibs" ] && ok || { bad "no record file on the card"; exit 1; }

# The attack on one image. LABEL for messages; EXPECT the number of records it should find.
attack() {
  img=$1
  label=$2
  want=$3
  "$FORENSIC" scan "$img" "$KEY" >"$T/$label.found" 2>/dev/null
  copies=$(wc -l <"$T/$label.found")
  distinct=$(cut -d' ' -f2 "$T/$label.found" | sort -u | wc -l)
  [ "$copies" -eq "$want" ] && [ "$distinct" -eq "$want" ] && ok ||
    bad "$label: $copies copies of $distinct records open with the key; want $want, once each"
  [ "$want" -gt 0 ] || return
  # Where each copy lies: which file owns its block (icheck), or none (free), or the journal.
  blocks=$(awk '{ printf "%d ", $1 / 4096 }' "$T/$label.found")
  debugfs -R "icheck $blocks" "$img" 2>/dev/null | awk 'NR > 1 { print $2 }' | sort -u >"$T/$label.owners"
  rec_ino=$(debugfs -R "stat $REC" "$img" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p')
  [ "$(cat "$T/$label.owners")" = "$rec_ino" ] && ok ||
    bad "$label: copies outside the live record file (inode $rec_ino): owners $(tr '\n' ' ' <"$T/$label.owners")"
  # Order: position in the image against the order of submission.
  sed -n 's/^\([0-9]*\) f\([0-9]*\)$/\2 \1/p' "$T/$label.found" >"$T/$label.pairs"
  tau=$("$FORENSIC" tau <"$T/$label.pairs")
  bound=$(awk -v n="$want" 'BEGIN { printf "%.3f", 4 * sqrt(2 * (2 * n + 5) / (9 * n * (n - 1))) }')
  awk -v t="$tau" -v b="$bound" 'BEGIN { exit !(t < b && -t < b) }' && ok ||
    bad "$label: the records' positions follow the order of submission (tau $tau, bound $bound)"
  # Times: every copy of the record file's inode in the journal, old transactions included.
  loc=$(debugfs -R "imap $REC" "$img" 2>/dev/null | sed -n 's/.*located at block \([0-9]*\), offset 0x\([0-9a-f]*\).*/\1 \2/p')
  iblock=${loc% *}
  ioff=$(printf '%d' "0x${loc#* }")
  debugfs -R "logdump -O -a" "$img" 2>/dev/null |
    sed -n "s/^  FS block $iblock logged at journal block \([0-9]*\) .*/\1/p" | sort -un >"$T/$label.jblocks"
  : >"$T/$label.mtimes"
  while read -r j; do
    p=$(debugfs -R "bmap <8> $j" "$img" 2>/dev/null)
    "$FORENSIC" inode "$img" $((p * 4096 + ioff)) | cut -d' ' -f2 >>"$T/$label.mtimes"
  done <"$T/$label.jblocks"
  # Within the session (the kiosk running, its first second excepted), each logged time lies on
  # the grid of ticks: t = t0 + k * INTERVAL, give or take a quarter interval.
  awk -v a="$((start_ns + 1000000000))" -v b="$end_ns" '$1 >= a && $1 <= b' "$T/$label.mtimes" |
    sort -un >"$T/$label.window"
  logged=$(wc -l <"$T/$label.window")
  off_grid=$(awk -v i="$((INTERVAL * 1000000))" 'NR == 1 { t0 = $1; next }
    { r = ($1 - t0) % i; if (r > i / 2) r = i - r; if (r > i / 4) n++ } END { print n + 0 }' \
    "$T/$label.window")
  echo "$label: $copies records found, all in the record file (inode $rec_ino); tau $tau" \
    "(bound $bound); $(wc -l <"$T/$label.jblocks") journal copies of its inode, $logged with" \
    "times during the session, $off_grid off the ${INTERVAL} ms grid"
  [ "$off_grid" -eq 0 ] && ok || bad "$label: $off_grid logged times are off the tick grid"
}

attack "$T/open.img" open "$N"
attack "$T/closed.img" closed "$N"
# The database files were not written while participants answered.
for f in debrief.db debrief.db-wal; do
  m=$(debugfs -R "stat /data/$f" "$T/open.img" 2>/dev/null | sed -n 's/^ *mtime: 0x\([0-9a-f]*\):\([0-9a-f]*\).*/\1 \2/p')
  [ -z "$m" ] && continue
  mt=$(( $(printf '%d' "0x${m% *}") * 1000000000 + ($(printf '%d' "0x${m#* }") >> 2) ))
  [ "$mt" -le $((start_ns + 1000000000)) ] && ok ||
    bad "$f was written while participants answered (mtime $mt, session from $start_ns)"
done

# Export, import on the analysis side, acknowledge: then no record is left on the card.
mount -o loop "$IMG" "$MNT" || { bad "remount"; exit 1; }
"$DEBRIEF" export --data "$D" --out "$T/usb" --force >/dev/null &&
  "$DEBRIEF" import --key "$KEY" --passphrase-file /dev/stdin --db "$T/analysis.db" \
    --survey "$SURVEY" --trust-new-kiosk --ack-out "$T/acks" "$T"/usb/*.dbb >/dev/null <<EOF &&
reliability-passphrase
EOF
  "$DEBRIEF" ack --data "$D" --recipient "$PUB" "$T"/acks/*.dba >/dev/null && ok ||
  bad "export, import and acknowledgement"
umount "$MNT"
attack "$IMG" acknowledged 0

rel_finish
