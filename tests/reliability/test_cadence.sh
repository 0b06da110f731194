#!/bin/sh
# What the kiosk writes, seen from the system calls (strace), while a session is open:
#  - every write goes to the record file, at a steady cadence: each tick is one slot write, one
#    index page write and one fdatasync, the same whether it carries a response or random
#    bytes; a response waits for the next tick. Nothing is written to debrief.db or its WAL
#    while participants answer and submit (nothing about a submission is in the database).
#  - the kiosk process opens debrief.db, -wal and -shm once each, through SQLite, for its whole
#    life, its admin screen's export included (a second open and close of the database file
#    drops SQLite's locks: docs/THREAT_MODEL.md, "Processes that share the data directory").
# usage: test_cadence.sh BUILD_DIR SOURCE_DIR
set -u
command -v strace >/dev/null || { echo "SKIPPED: strace is missing (tools/install-deps --test installs it)"; exit 77; }
# The kiosk makes itself non-dumpable first thing, after which only root (CAP_SYS_PTRACE) can
# read the paths it opens and the files behind its descriptors (strace shows bare pointers).
[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root to trace the non-dumpable kiosk"; exit 77; }
. "$(dirname "$0")/lib.sh"
rel_init cadence "$1" "$2"

"$TOOL" keygen "$T/keys" >/dev/null && "$TOOL" session "$T/data" || { echo "set-up failed"; exit 1; }
printf '246813\n' >"$T/pin"
"$KIOSK" --set-pin --data "$T/data" --pin-file "$T/pin" 2>/dev/null || { echo "set-pin failed"; exit 1; }
mkdir -p "$T/usb"
participant() {
  cat <<EOS
tap "Tap to begin"
tap "Agree"
tap "Next"
tap "Next"
tap "Teamwork"
tap "Next"
type "$1"
tap "Next"
tap "Submit"
expect "Thank you"
idle 9
EOS
}
{
  echo 'expect "Tap to begin"'
  echo 'wait 1000'
  participant c-1
  echo 'wait 700'
  participant c-2
  participant c-3
  echo 'wait 1000'
  # the admin screen's export, then more participants
  echo 'longpress 10 10'
  echo 'type "246813"'
  echo 'tap "OK"'
  echo 'expect "Not yet exported"'
  echo 'tap "Export"'
  echo 'tap "Back"'
  echo 'tap "Exit"'
  participant c-4
  echo 'wait 500'
} >"$T/run.script"

INTERVAL=200
# (LeakSanitizer cannot run under ptrace: the sanitizer build checks leaks elsewhere)
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" strace -f -tt -y -e trace=openat,pwrite64,write,fdatasync,fsync -o "$T/trace" \
  "$KIOSK" --survey "$SURVEY" --data "$T/data" --recipient "$T/keys/analyst.pub" \
  --script "$T/run.script" --commit-interval $INTERVAL --export-dir "$T/usb" \
  >"$T/out" 2>"$T/err" </dev/null
st=$?
[ $st -eq 0 ] && ok || { bad "the kiosk script exits $st"; cat "$T/err" >&2; }
[ "$("$TOOL" count "$T/data")" = 4 ] && ok || bad "expected 4 stored responses"

# The database files: opened once each, by SQLite (the trace shows every openat).
for f in debrief.db debrief.db-wal debrief.db-shm; do
  n=$(grep -c "openat(.*/data/$f\", " "$T/trace")
  [ "$n" -eq 1 ] && ok || bad "$f was opened $n times by the kiosk (want 1)"
done
# Writes to the database: none between the first and the last tick (the export's
# bookkeeping excepted: it happens between the third and the fourth participant).
grep -E 'pwrite64\([0-9]+</[^>]*/records-[0-9]+k\.dat>' "$T/trace" >"$T/slot-writes"
grep -E 'fdatasync\([0-9]+</[^>]*/records-[0-9]+k\.dat>' "$T/trace" >"$T/syncs"
ticks=$(wc -l <"$T/syncs")
[ "$ticks" -ge 10 ] && ok || bad "only $ticks ticks wrote to the record file"
# Every tick: one slot-sized write, one 4096-byte index page write, one sync: the writes
# between two syncs, as "bytes bytes", must be the same for every tick.
grep -E '(pwrite64|fdatasync)\([0-9]+</[^>]*/records-[0-9]+k\.dat>' "$T/trace" |
  awk '/fdatasync/ { print w; w = ""; next } { n = $NF; w = w " " n }' | sort | uniq -c >"$T/shapes"
shapes=$(wc -l <"$T/shapes")
slot=$(awk '{ print $2; exit }' "$T/shapes")
[ "$shapes" -eq 1 ] && [ "$(awk '{ print NF }' "$T/shapes")" -eq 3 ] && ok ||
  { bad "ticks are not all alike (count, then the bytes of each write):"; cat "$T/shapes" >&2; }
# The database files are not written while ticks run, except around the export.
first=$(head -n 1 "$T/syncs" | cut -d' ' -f2)
last=$(tail -n 1 "$T/syncs" | cut -d' ' -f2)
db_writes=$(grep -E '(pwrite64|write)\([0-9]+</[^>]*/debrief\.db(-wal)?>' "$T/trace" |
  awk -v a="$first" -v b="$last" '$2 > a && $2 < b' | wc -l)
echo "cadence: $ticks ticks of ${slot}-byte slot + 4096-byte page + fdatasync, every $INTERVAL ms;" \
  "$db_writes database writes during them (the admin screen's)"
# The admin screen saves its count of wrong PINs when the right one is typed: a handful of
# writes; a submission writing to the database would add some for each of 4.
[ "$db_writes" -le 12 ] && ok || bad "$db_writes writes to the database while the session ran"
# Tick spacing: the median gap between syncs is the interval (the machine may be busy, so
# only the median is judged, loosely).
awk '{ split($2, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]; if (NR > 1) print int((s - p) * 1000); p = s }' \
  "$T/syncs" | sort -n >"$T/gaps"
median=$(awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }' "$T/gaps")
[ "$median" -ge $((INTERVAL * 3 / 4)) ] && [ "$median" -le $((INTERVAL * 2)) ] && ok ||
  bad "the median gap between ticks is $median ms (interval $INTERVAL ms)"

rel_finish
