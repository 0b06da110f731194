#!/bin/sh
# Power-loss simulation: like test_crash.sh, the kiosk is SIGKILLed at random points while
# scripted participants submit (with its cadence of writes, at 30 ms), and then the data
# directory is replaced by what a disk may come back with: every file as of its last
# completed fsync/fdatasync, plus any subset of the writes made since, in any order, each torn
# at any 512-byte sector, and without the names whose directory entry was not synced
# (powerloss_shim.so records, `rel_tool cut` builds). Checks after each cut: every response
# whose "Thank you" was shown survives exactly once, nothing is duplicated, PRAGMA
# integrity_check is ok, and the kiosk starts and takes submits again.
# usage: test_powerloss.sh BUILD_DIR SOURCE_DIR [SECONDS] [MAX_CUTS]
set -u
command -v sqlite3 >/dev/null || { echo "SKIPPED: the sqlite3 command-line tool is missing (apt-get install sqlite3)"; exit 77; }
. "$(dirname "$0")/lib.sh"
rel_init powerloss "$1" "$2"
BUDGET=${3:-35}
MAXCUTS=${4:-150}
MINCUTS=20
SHIM=$BUILD/tests/libpowerloss_shim.so
# the shim is not instrumented; in the sanitizer build ASan need not come first
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
PER_RUN=6

make_script() {
  echo 'expect "Tap to begin"'
  i=1
  while [ $i -le $PER_RUN ]; do
    cat <<EOS
tap "Tap to begin"
tap "Agree"
tap "Next"
tap "Next"
tap "Teamwork"
tap "Next"
type "r$1p$i"
tap "Next"
tap "Submit"
expect "Thank you"
screenshot mark-r$1p$i.png
idle 9
EOS
    i=$((i + 1))
  done
}

"$TOOL" keygen "$T/keys" || exit 1
"$TOOL" session "$T/data" || exit 1
mkdir -p "$T/marks" "$T/scripts"
DATA=$(cd "$T/data" && pwd -P)
SHADOW=$T/shadow

run_kiosk() { # RUN [KILL_AT_SYNC]
  make_script "$1" >"$T/scripts/r$1.script"
  PL_KILL_AT_SYNC=${2:-0} PL_COUNT_SYNCS=$T/syncs \
    PL_DIR=$DATA PL_SHADOW=$SHADOW LD_PRELOAD=$SHIM "$KIOSK" --survey "$SURVEY" --data "$DATA" \
    --recipient "$T/keys/analyst.pub" --script "$T/scripts/r$1.script" --commit-interval 30 \
    --screenshot-dir "$T/marks" >"$T/out" 2>"$T/err" </dev/null &
  pid=$!
}
durable_now() { # the current data directory counts as on disk (it was written by the checks)
  rm -rf "$SHADOW"
  cp -a "$DATA" "$SHADOW"
  rm -f "$SHADOW"/*-shm
}
cut_seed=1
power_cut() {
  find "$DATA" -mindepth 1 -delete
  "$TOOL" cut "$SHADOW" "$DATA" $cut_seed >>"$T/cuts" || bad "rel_tool cut failed"
  cut_seed=$((cut_seed + 1))
}

durable_now
t0=$(now_ms)
: >"$T/syncs"
run_kiosk 0
wait $pid
st=$?
full=$(($(now_ms) - t0))
[ "$st" -eq 0 ] && ok || { bad "a kiosk run with the shim exits 0 (got $st)"; cat "$T/err" >&2; }
# the shim really saw the syncs: the shadow WAL holds the committed responses
power_cut
n=$("$TOOL" count "$DATA")
[ "$n" -eq $PER_RUN ] && ok || bad "after a clean run and a power cut, $n of $PER_RUN stored"
per_run_syncs=$(wc -c <"$T/syncs")
echo "one run of $PER_RUN participants takes ${full} ms and $per_run_syncs syncs"

cuts=0
fails=0
lost_unthanked=0
start=$(now_ms)
run=1
# At least MINCUTS cuts however slow the machine (under qemu a run takes seconds), then more
# while the time budget lasts.
while [ $cuts -lt $MINCUTS ] ||
  { [ $(($(now_ms) - start)) -lt $((BUDGET * 1000)) ] && [ $cuts -lt "$MAXCUTS" ]; }; do
  durable_now
  if [ $((run % 2)) -eq 0 ]; then # the power goes at a random moment
    run_kiosk $run
    sleep "$(secs $(($(rnd) % (full + 1))))"
    kill -KILL $pid 2>/dev/null
  else # or just before a sync: writes made, not yet durable
    run_kiosk $run $(($(rnd) % (per_run_syncs + 1) + 1))
  fi
  { wait $pid; } 2>/dev/null
  power_cut
  cuts=$((cuts + 1))
  if ! "$TOOL" dump "$DATA" "$T/keys/analyst.key" >"$T/dump" 2>"$T/dump.err"; then
    fails=$((fails + 1))
    bad "cut $run: the store does not open or a record does not: $(cat "$T/dump.err")"
  fi
  ic=$(sqlite3 "$DATA/debrief.db" "PRAGMA integrity_check" 2>&1)
  [ "$ic" = ok ] || { fails=$((fails + 1)); bad "cut $run: integrity_check: $ic"; }
  sort "$T/dump" >"$T/dump.sorted"
  ls "$T/marks" | sed -n 's/^mark-\(.*\)\.png$/\1/p' | sort >"$T/marked"
  [ -z "$(uniq -d "$T/dump.sorted")" ] || { fails=$((fails + 1)); bad "cut $run: duplicates"; }
  missing=$(comm -23 "$T/marked" "$T/dump.sorted")
  if [ -n "$missing" ]; then
    fails=$((fails + 1))
    bad "cut $run: thanked responses lost by the power cut: $(echo "$missing" | head -n 3 | tr '\n' ' ')"
  fi
  run=$((run + 1))
done

durable_now
run_kiosk final
wait $pid
st=$?
power_cut
[ "$st" -eq 0 ] && ok || { bad "the kiosk works after the cuts (exit $st)"; cat "$T/err" >&2; }
n=$("$TOOL" dump "$DATA" "$T/keys/analyst.key" | grep -c '^rfinalp')
[ "$n" -eq $PER_RUN ] && ok || bad "the final run kept $n of $PER_RUN after its power cut"

echo "power loss: $cuts cuts, $(ls "$T/marks" | wc -l) thank-yous, $("$TOOL" count "$DATA") stored," \
  "$fails failures; $(tr -d '(' <"$T/cuts" | awk '{ a += $5; t += $9; d += $12 } END { print a " unsynced writes applied, " t " of them torn, " d " names dropped" }')"
[ $cuts -ge $MINCUTS ] && ok || bad "only $cuts cuts happened"
[ $fails -eq 0 ] && ok
rel_finish
