#!/bin/sh
# Crash test: the real kiosk binary, headless, is SIGKILLed at random points while scripted
# participants submit (with its cadence of writes, at 25 ms, so that kills land in cover
# writes too), hundreds of times, and restarted each time. After every kill:
#  - every response whose "Thank you" was shown is stored exactly once (the responses are
#    opened with the analyst's key and identified by their unique free text),
#  - nothing is stored twice, and at most one response per killed run is stored without its
#    thank-you having been seen (the one in flight when the kill came),
#  - PRAGMA integrity_check is ok, and the restarted kiosk takes submits again.
# "Thank you was shown" is detected by a marker: the script takes a screenshot named after
# the participant right after `expect "Thank you"` passed; the file exists only if the
# expectation held (the kiosk itself prints nothing per response).
# Then `debrief export` is killed at random points on copies of the collected data: the out
# directory holds either no batch or a batch that verifies, and the retried export exits 0
# and leaves a batch that verifies, holds every response, and is byte-identical to the
# killed run's batch if that one was complete.
# usage: test_crash.sh BUILD_DIR SOURCE_DIR [SECONDS] [MAX_KILLS]
set -u
command -v sqlite3 >/dev/null || { echo "SKIPPED: the sqlite3 command-line tool is missing (apt-get install sqlite3)"; exit 77; }
. "$(dirname "$0")/lib.sh"
rel_init crash "$1" "$2"
BUDGET=${3:-75}
MAXKILLS=${4:-300}
MINKILLS=20

PER_RUN=8 # participants per kiosk run

# script for run $1: PER_RUN participants with free text r<run>p<i>
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
expect "Please check your answers"
tap "Submit"
expect "Thank you"
screenshot mark-r$1p$i.png
idle 9
expect "Tap to begin"
EOS
    i=$((i + 1))
  done
}

"$TOOL" keygen "$T/keys" || { echo "rel_tool keygen failed"; exit 1; }
"$TOOL" session "$T/data" || { echo "rel_tool session failed"; exit 1; }
mkdir -p "$T/marks" "$T/scripts"
DB=$T/data/debrief.db

run_kiosk() { # RUN: starts the kiosk on run RUN's script in the background, pid in $pid
  make_script "$1" >"$T/scripts/r$1.script"
  "$KIOSK" --survey "$SURVEY" --data "$T/data" --recipient "$T/keys/analyst.pub" \
    --script "$T/scripts/r$1.script" --commit-interval 25 --screenshot-dir "$T/marks" \
    >"$T/out" 2>"$T/err" </dev/null &
  pid=$!
}

# Calibrate: one full run without a kill.
t0=$(now_ms)
run_kiosk 0
wait $pid
st=$?
full=$(($(now_ms) - t0))
[ "$st" -eq 0 ] && ok || { bad "an unkilled kiosk run exits 0 (got $st)"; cat "$T/err" >&2; }
[ "$full" -gt 0 ] || full=1
echo "one run of $PER_RUN participants takes ${full} ms"

kills=0
completed=0
resumes=0
prev_extra=0
dump_fail=0
integ_fail=0
missing_fail=0
dup_fail=0
extra_fail=0
start=$(now_ms)
run=1
last_killed=0
# At least MINKILLS kills however slow the machine (under qemu a run takes 3-10 s; at most
# 200 runs), then more while the time budget lasts.
while { [ $kills -lt $MINKILLS ] && [ $run -le 200 ]; } ||
  { [ $(($(now_ms) - start)) -lt $((BUDGET * 1000)) ] && [ $kills -lt "$MAXKILLS" ]; }; do
  marks_before=$(ls "$T/marks" | wc -l)
  run_kiosk $run
  # kill anywhere from start-up to just after the last participant
  delay=$(($(rnd) % (full * 11 / 10 + 1)))
  sleep "$(secs $delay)"
  kill -KILL $pid 2>/dev/null
  { wait $pid; } 2>/dev/null
  st=$?
  marks_after=$(ls "$T/marks" | wc -l)
  if [ "$st" -eq 137 ]; then
    kills=$((kills + 1))
  elif [ "$st" -eq 0 ]; then
    completed=$((completed + 1))
  else
    bad "run $run: kiosk exited $st (not killed, not ok)"
    cat "$T/err" >&2
  fi
  [ "$last_killed" -eq 1 ] && [ "$marks_after" -gt "$marks_before" ] && resumes=$((resumes + 1))
  [ "$st" -eq 137 ] && last_killed=1 || last_killed=0

  # what the analyst would read: every record opens and decodes
  if ! "$TOOL" dump "$T/data" "$T/keys/analyst.key" >"$T/dump" 2>"$T/dump.err"; then
    dump_fail=$((dump_fail + 1))
    bad "run $run: stored records do not all open: $(cat "$T/dump.err")"
  fi
  ic=$(sqlite3 "$DB" "PRAGMA integrity_check" 2>&1)
  [ "$ic" = "ok" ] || { integ_fail=$((integ_fail + 1)); bad "run $run: integrity_check: $ic"; }
  sort "$T/dump" >"$T/dump.sorted"
  ls "$T/marks" | sed -n 's/^mark-\(.*\)\.png$/\1/p' | sort >"$T/marked"
  dups=$(uniq -d "$T/dump.sorted" | wc -l)
  [ "$dups" -eq 0 ] || { dup_fail=$((dup_fail + 1)); bad "run $run: $dups responses stored twice"; }
  missing=$(comm -23 "$T/marked" "$T/dump.sorted" | wc -l)
  if [ "$missing" -ne 0 ]; then
    missing_fail=$((missing_fail + 1))
    bad "run $run: $missing thanked responses missing: $(comm -23 "$T/marked" "$T/dump.sorted" | head -n 3 | tr '\n' ' ')"
  fi
  extra=$(comm -13 "$T/marked" "$T/dump.sorted" | wc -l)
  # a stored response without its thank-you can only be the one in flight at the kill; a
  # later run's thank-you never makes an earlier unthanked response disappear either
  if [ $((extra - prev_extra)) -gt 1 ] || [ "$extra" -lt "$prev_extra" ]; then
    extra_fail=$((extra_fail + 1))
    bad "run $run: stored-but-not-thanked went from $prev_extra to $extra"
  fi
  prev_extra=$extra
  run=$((run + 1))
done

# after all the kills, a clean run still stores and thanks everyone
run_kiosk final
wait $pid
st=$?
[ "$st" -eq 0 ] && ok || { bad "the kiosk works after the kills (exit $st)"; cat "$T/err" >&2; }
"$TOOL" dump "$T/data" "$T/keys/analyst.key" | grep -c '^rfinalp' >"$T/n" 2>/dev/null
[ "$(cat "$T/n")" -eq $PER_RUN ] && ok || bad "the final run stored $(cat "$T/n") of $PER_RUN"

stored=$("$TOOL" count "$T/data")
thanked=$(ls "$T/marks" | wc -l)
echo "kiosk: $((run - 1)) runs, $kills killed, $completed finished before the kill, $resumes resumed" \
  "after a kill and reached a thank-you; $thanked thank-yous, $stored stored," \
  "$prev_extra stored without a seen thank-you (in flight at a kill)"
echo "kiosk failures: $dump_fail unreadable, $integ_fail integrity, $missing_fail missing," \
  "$dup_fail duplicated, $extra_fail unexplained extras"
[ $kills -ge $MINKILLS ] && ok || bad "only $kills kills happened"
[ $((dump_fail + integ_fail + missing_fail + dup_fail + extra_fail)) -eq 0 ] && ok

# ---- export killed at random points ----
"$DEBRIEF" session close --data "$T/data" >/dev/null || bad "session close"
rm -f "$T/data/debrief.db-shm" "$T/data/debrief.db-wal"
cp -a "$T/data" "$T/template"
mkdir -p "$T/ex"
rm -rf "$T/ex/data" "$T/ex/usb"
cp -a "$T/template" "$T/ex/data"
mkdir -p "$T/ex/usb"
t0=$(now_ms)
"$DEBRIEF" export --data "$T/ex/data" --out "$T/ex/usb" >/dev/null 2>&1 || bad "reference export"
xfull=$(($(now_ms) - t0))
echo "one export of $stored responses takes ${xfull} ms"
xkills=0
xcomplete=0
xidentical=0
xfail=0
j=0
# 40 runs, and more (up to 160) until 10 of them were killed mid-export: on a busy machine the
# reference export may have taken much longer than the later ones, so that most runs finish
# before their kill and the check below would fail for want of kills, not of correctness.
while [ $j -lt 40 ] || { [ $xkills -lt 10 ] && [ $j -lt 160 ]; }; do
  j=$((j + 1))
  rm -rf "$T/ex/data" "$T/ex/usb"
  cp -a "$T/template" "$T/ex/data"
  mkdir -p "$T/ex/usb"
  "$DEBRIEF" export --data "$T/ex/data" --out "$T/ex/usb" >"$T/ex/out" 2>"$T/ex/err" &
  pid=$!
  sleep "$(secs $(($(rnd) % (xfull * 12 / 10 + 1))))"
  kill -KILL $pid 2>/dev/null
  { wait $pid; } 2>/dev/null
  [ $? -eq 137 ] && xkills=$((xkills + 1))
  before=""
  for f in "$T"/ex/usb/*.dbb; do
    [ -e "$f" ] || continue
    if "$DEBRIEF" verify "$f" >/dev/null 2>&1; then
      before=$(sha256sum <"$f")
      xcomplete=$((xcomplete + 1))
    else
      xfail=$((xfail + 1))
      bad "export $j: a batch file left by the killed export does not verify"
      "$DEBRIEF" verify "$f" >&2
    fi
  done
  if ! "$DEBRIEF" export --data "$T/ex/data" --out "$T/ex/usb" >"$T/ex/out" 2>"$T/ex/err"; then
    xfail=$((xfail + 1))
    bad "export $j: the retried export fails"
    cat "$T/ex/out" "$T/ex/err" >&2
    continue
  fi
  n=$(ls "$T"/ex/usb/*.dbb 2>/dev/null | wc -l)
  f=$(ls "$T"/ex/usb/*.dbb 2>/dev/null | head -n 1)
  if [ "$n" -ne 1 ] || ! "$DEBRIEF" verify "$f" >"$T/ex/v" 2>&1; then
    xfail=$((xfail + 1))
    bad "export $j: after the retry there is not exactly one verifying batch ($n files)"
    continue
  fi
  if ! grep -q "batch 1, $stored responses" "$T/ex/v"; then
    xfail=$((xfail + 1))
    bad "export $j: the batch does not hold all $stored responses"
    cat "$T/ex/v" >&2
  fi
  if ls "$T/ex/usb" | grep -q 'tmp'; then
    xfail=$((xfail + 1))
    bad "export $j: temp files left after the retry: $(ls "$T/ex/usb" | tr '\n' ' ')"
  fi
  if [ -n "$before" ]; then
    if [ "$(sha256sum <"$f")" = "$before" ]; then
      xidentical=$((xidentical + 1))
    else
      xfail=$((xfail + 1))
      bad "export $j: the retry changed a complete batch file"
    fi
  fi
  # the data dir is intact after it all
  [ "$(sqlite3 "$T/ex/data/debrief.db" "PRAGMA integrity_check" 2>&1)" = ok ] ||
    { xfail=$((xfail + 1)); bad "export $j: integrity_check of the data dir"; }
done
echo "export: $j runs, $xkills killed, $xcomplete left a complete batch (all identical on" \
  "retry: $xidentical), $xfail failures"
[ $xkills -ge 10 ] && ok || bad "only $xkills exports were killed"
[ $xfail -eq 0 ] && ok

rel_finish
