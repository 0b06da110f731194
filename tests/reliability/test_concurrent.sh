#!/bin/sh
# Processes together: the real kiosk and the coordinator's `debrief` commands on one data
# directory at the same time, as docs/DEPLOY.md allows.
#
# 1. The sequence that lost a thanked answer in 0.1 (main at ad3ca7f): the kiosk exports from
#    its admin screen, a shell lists the sessions, the next participant is thanked. The
#    kiosk's export used to open and close debrief.db outside SQLite, dropping the kiosk's
#    own locks, so the shell's command took itself for the last connection and deleted the
#    live WAL: the answer went into a deleted file. Checked: no database file is held
#    "(deleted)", another process sees the response, and it survives a SIGKILL.
# 2. "Thank you" is never a lie: the kiosk's WAL is deleted under it (as that bug did); the
#    next participant is told the answers could not be saved, and the kiosk goes out of
#    service with the reason in its log.
# 3. Torture: ROUNDS rounds; in each the kiosk runs scripted participants (sometimes after an
#    export, or closing and opening a session, on its admin screen) while this shell runs every command that touches the
#    data directory (session open/close/list, export + import + ack, the kiosk's selftest),
#    and SIGKILLs either side at random. After each round: every thanked response is stored
#    (in the kiosk, or imported on the analysis side after an acknowledgement deleted it)
#    and exactly once, integrity_check is ok, no database file was ever held "(deleted)".
# usage: test_concurrent.sh BUILD_DIR SOURCE_DIR [ROUNDS]
set -u
command -v sqlite3 >/dev/null || { echo "SKIPPED: the sqlite3 command-line tool is missing (apt-get install sqlite3)"; exit 77; }
. "$(dirname "$0")/lib.sh"
rel_init concurrent "$1" "$2"
ROUNDS=${3:-500}
wait_for() { # FILE [TENTHS]: waits until FILE exists (or the kiosk, $kpid, is gone)
  n=0
  while [ ! -e "$1" ] && [ $n -lt "${2:-300}" ]; do
    kill -0 "$kpid" 2>/dev/null || { [ -e "$1" ]; return; }
    sleep 0.02
    n=$((n + 1))
  done
  [ -e "$1" ]
}
deleted_db_files() { # PID: the kiosk's open database files that were unlinked
  ls -l "/proc/$1/fd" 2>/dev/null | grep 'debrief\.db.*(deleted)'
}

"$TOOL" keygen "$T/keys" >/dev/null || { echo "rel_tool keygen failed"; exit 1; }
PUB=$T/keys/analyst.pub
KEY=$T/keys/analyst.key
printf 'reliability-passphrase\n' >"$T/pass"
printf '246813\n' >"$T/pin"

participant() { # ID: one team.json participant, thanked, with a marker screenshot named ID
  cat <<EOS
tap "Tap to begin"
tap "Agree"
tap "Next"
tap "Next"
tap "Teamwork"
tap "Next"
type "$1"
tap "Next"
expect "Please check your answers"
tap "Submit"
screenshot last.png
expect "Thank you"
screenshot mark-$1.png
idle 9
EOS
}
# (No `expect "Tap to begin"` after the thank-you: the shell may have closed the session.)
admin_export() { # through the admin screen: Export (whatever it finds), Back, Exit
  cat <<EOS
longpress 10 10
expect "Coordinator PIN"
type "246813"
tap "OK"
expect "Not yet exported"
tap "Export"
tap "Back"
tap "Exit"
EOS
}
admin_cycle() { # through the admin screen: close the open session, open a new one
  cat <<EOS
longpress 10 10
expect "Coordinator PIN"
type "246813"
tap "OK"
expect "Not yet exported"
tap "Close session"
expect "Close the session?"
tap "Close session"
tap "Back"
tap "Open session"
tap "Group 1"
tap "Open session"
tap "Exit"
EOS
}
new_data() { # DIR: a data directory with a PIN and an open session
  "$TOOL" session "$1" && "$KIOSK" --set-pin --data "$1" --pin-file "$T/pin" 2>/dev/null
}
start_kiosk() { # DATA SCRIPT: the kiosk in the background, pid in $kpid
  "$KIOSK" --survey "$SURVEY" --data "$1" --recipient "$PUB" --script "$2" \
    --screenshot-dir "$T/marks" --export-dir "$T/usb" >"$T/kout" 2>"$T/kerr" </dev/null &
  kpid=$!
}
mkdir -p "$T/marks" "$T/usb" "$T/sync"

# ---- 1. the sequence of the lost answer ----
D=$T/seq
new_data "$D" || { echo "set-up failed"; exit 1; }
{
  echo 'expect "Tap to begin"'
  admin_export
  echo 'expect "Tap to begin"'
  echo 'screenshot exported.png'
  echo 'waitfile "sync/listed"'
  participant seq-1
  echo 'waitfile "sync/checked"'
} >"$T/seq.script"
start_kiosk "$D" "$T/seq.script"
if wait_for "$T/marks/exported.png"; then
  "$DEBRIEF" session list --data "$D" >/dev/null || bad "sequence: session list"
  touch "$T/sync/listed"
  if wait_for "$T/marks/mark-seq-1.png"; then
    gone=$(deleted_db_files $kpid)
    [ -z "$gone" ] && ok || bad "sequence: the kiosk holds deleted database files: $gone"
    [ "$("$TOOL" count "$D")" = 1 ] && ok || bad "sequence: another process does not see the thanked response"
    kill -KILL $kpid
    wait $kpid 2>/dev/null
    [ "$("$TOOL" count "$D")" = 1 ] && ok || bad "sequence: the thanked response is gone after a SIGKILL"
    [ "$(sqlite3 "$D/debrief.db" 'PRAGMA integrity_check')" = ok ] && ok || bad "sequence: integrity_check"
  else
    bad "sequence: the participant was not thanked"
    cat "$T/kerr" >&2
  fi
else
  bad "sequence: the admin export did not finish"
  cat "$T/kerr" >&2
fi
kill -KILL $kpid 2>/dev/null
wait $kpid 2>/dev/null

# ---- 2. the WAL deleted under the kiosk: no thank-you, out of service ----
D=$T/gone
new_data "$D" || { echo "set-up failed"; exit 1; }
rm -rf "$T/sync" && mkdir -p "$T/sync"
{
  echo 'expect "Tap to begin"'
  participant gone-1
  echo 'waitfile "sync/deleted"'
  participant gone-2 | sed '/^expect "Thank you"$/,$d'
  echo 'expect "could not be saved"'
  echo 'tap "OK"'
  echo 'expect "Out of service"'
  echo 'absent "Tap to begin"'
} >"$T/gone.script"
start_kiosk "$D" "$T/gone.script"
if wait_for "$T/marks/mark-gone-1.png"; then
  rm -f "$D/debrief.db-wal" "$D/debrief.db-shm"
  touch "$T/sync/deleted"
fi
wait $kpid
st=$?
[ "$st" -eq 0 ] && ok || { bad "deleted WAL: the kiosk script exits $st"; cat "$T/kerr" >&2; }
grep -q 'could not be stored: .*debrief\.db-wal: the file was deleted or replaced' "$T/kerr" && ok ||
  { bad "deleted WAL: the log does not say why"; cat "$T/kerr" >&2; }
grep -q '^debrief-kiosk: out of service: ' "$T/kerr" && ok || bad "deleted WAL: not out of service"
[ ! -e "$T/marks/mark-gone-2.png" ] && ok || bad "deleted WAL: a participant was thanked"

# ---- 3. a session opened or closed from a shell shows on the running kiosk within 2 s ----
# (interactive, on a real X display: Xvfb). The kiosk looks once a second on its attract
# screen; the data version tells it cheaply whether another process committed.
if command -v Xvfb >/dev/null; then
  D=$T/watch
  mkdir -p "$D"
  disp=:$((50 + $(rnd) % 400))
  Xvfb $disp -screen 0 800x480x24 -nolisten tcp >/dev/null 2>&1 &
  xpid=$!
  n=0 # up once its socket is there (the kiosk fails loudly if the display is not up)
  while [ ! -S "/tmp/.X11-unix/X${disp#:}" ] && kill -0 $xpid 2>/dev/null && [ $n -lt 500 ]; do
    sleep 0.02
    n=$((n + 1))
  done
  DISPLAY=$disp SDL_VIDEODRIVER=x11 "$KIOSK" --survey "$SURVEY" --data "$D" --recipient "$PUB" \
    --size 800x480 >"$T/kout" 2>"$T/kerr" </dev/null &
  kpid=$!
  seen_within() { # PATTERN: the kiosk logs PATTERN once more within 2 s; $took: ms it took
    before=$(grep -c "$1" "$T/kerr")
    t1=$(now_ms)
    while [ "$(grep -c "$1" "$T/kerr")" -le "$before" ]; do
      [ $(($(now_ms) - t1)) -lt 4000 ] && kill -0 $kpid 2>/dev/null || break
      sleep 0.02
    done
    took=$(($(now_ms) - t1))
    [ "$(grep -c "$1" "$T/kerr")" -gt "$before" ] && [ $took -le 2000 ]
  }
  n=0
  while ! grep -q 'not collecting: no session is open' "$T/kerr" && [ $n -lt 250 ]; do sleep 0.02; n=$((n + 1)); done
  t_start=$(now_ms)
  "$DEBRIEF" session open --data "$D" --label "Watch" --date 2026-12-07 --survey "$SURVEY" >/dev/null
  seen_within 'collecting: session 1 is open' && ok ||
    { bad "a session opened from a shell did not show within 2 s (${took} ms)"; cat "$T/kerr" >&2; }
  open_ms=$took
  "$DEBRIEF" session close --data "$D" >/dev/null
  seen_within 'not collecting: no session is open' && ok ||
    { bad "a session closed from a shell did not show within 2 s (${took} ms)"; cat "$T/kerr" >&2; }
  sleep 2 # idle on the attract screen, then count its wake-ups
  kill -TERM $kpid
  wait $kpid
  kill $xpid 2>/dev/null
  wait $xpid 2>/dev/null
  line=$(grep 'exiting after' "$T/kerr")
  wakeups=$(echo "$line" | sed -n 's/.* \([0-9]*\) wakeups$/\1/p')
  secs=$((($(now_ms) - t_start) / 1000 + 1))
  echo "shell changes: open seen after ${open_ms} ms, close after ${took} ms; $line"
  [ -n "$wakeups" ] && [ "$wakeups" -le $((secs * 3)) ] && ok ||
    bad "the once-a-second look woke the kiosk more often than it should: $line"
else
  bad "Xvfb is missing (tools/install-deps --test installs it)"
fi

# ---- 4. torture ----
D=$T/data
A=$T/analysis.db
new_data "$D" || { echo "set-up failed"; exit 1; }
rm -rf "$T/sync" "$T/marks" && mkdir -p "$T/sync" "$T/marks" "$T/acks"
kills_kiosk=0
kills_cli=0
rounds_ok=0
ended_early=0
held_deleted=0
ops=0
opened=0
run_cli() { # CMD...: runs a command; sometimes SIGKILLs it part way (then returns 137)
  ops=$((ops + 1))
  if [ $(($(rnd) % 8)) -eq 0 ]; then
    "$@" >"$T/cout" 2>"$T/cerr" </dev/null &
    cpid=$!
    sleep "0.00$(($(rnd) % 10))"
    kill -KILL $cpid 2>/dev/null && kills_cli=$((kills_cli + 1))
    wait $cpid 2>/dev/null
    return
  fi
  "$@" >"$T/cout" 2>"$T/cerr" </dev/null
}
cli_op() { # one random coordinator operation on the data directory
  case $(($(rnd) % 6)) in
  0 | 2)
    run_cli "$DEBRIEF" session list --data "$D"
    st=$?
    [ $st -eq 0 ] || [ $st -eq 137 ] || bad "session list exits $st: $(cat "$T/cerr")"
    ;;
  1) run_cli "$KIOSK" --selftest --survey "$SURVEY" --data "$D" --recipient "$PUB" ;;
  3)
    # close, export everything, import on the analysis side, acknowledge, open again
    run_cli "$DEBRIEF" session close --data "$D"
    run_cli "$DEBRIEF" export --data "$D" --out "$T/usb" --force
    set -- "$T"/usb/*.dbb
    if [ -e "$1" ] && run_cli "$DEBRIEF" import --key "$KEY" --passphrase-file "$T/pass" \
      --db "$A" --survey "$SURVEY" --trust-new-kiosk --ack-out "$T/acks" --threads 1 "$@"; then
      # once acknowledged, a batch's responses live on the analysis side only
      for a in "$T"/acks/*.dba; do
        [ -e "$a" ] && run_cli "$DEBRIEF" ack --data "$D" --recipient "$PUB" "$a" && rm -f "$@"
      done
    fi
    run_cli "$DEBRIEF" session open --data "$D" --label "Group $r" --date 2026-12-07 \
      --survey "$SURVEY" && opened=$((opened + 1))
    ;;
  *) run_cli "$DEBRIEF" session open --data "$D" --label "Group $r" --date 2026-12-07 \
    --survey "$SURVEY" && opened=$((opened + 1)) ;;
  esac
}
# What a kiosk run may end with besides success: a participant who found no session open,
# or whose session the shell closed before they submitted; an admin screen with no session
# to close, or one already open again by the shell (then "Open session" became "Close
# session" under the finger, and the form with "Group 1" never came).
explained_exit() {
  ! grep -q 'out of service' "$T/kerr" && {
    grep -q 'no visible target labelled "\(Tap to begin\|Close session\|Open session\|Group 1\)"' "$T/kerr" ||
      grep -q 'expected "Close the session?"' "$T/kerr" ||
      grep -q 'session was not opened: a session is already open' "$T/kerr" ||
      grep -q 'could not be stored: .*\(is closed\|no session is open\)' "$T/kerr"
  }
}

t0=$(now_ms)
r=1
while [ $r -le "$ROUNDS" ]; do
  {
    case $(($(rnd) % 8)) in
    0 | 1) admin_export ;;
    2) admin_cycle ;;
    esac
    i=1
    n=$(($(rnd) % 3 + 1))
    while [ $i -le $n ]; do
      participant "r${r}p$i"
      i=$((i + 1))
    done
    echo "waitfile \"sync/end-$r\""
  } >"$T/round.script"
  start_kiosk "$D" "$T/round.script"
  kill_after=$(($(rnd) % 10)) # kill the kiosk after this many operations (>= 6: never)
  k=0
  while kill -0 $kpid 2>/dev/null && [ ! -e "$T/marks/mark-r${r}p$n.png" ]; do
    cli_op
    gone=$(deleted_db_files $kpid)
    [ -z "$gone" ] || { held_deleted=$((held_deleted + 1)); bad "round $r: the kiosk holds deleted database files: $gone"; }
    k=$((k + 1))
    if [ $k -eq "$kill_after" ] && [ "$kill_after" -lt 6 ]; then
      kill -KILL $kpid 2>/dev/null
      break
    fi
  done
  gone=$(deleted_db_files $kpid)
  [ -z "$gone" ] || { held_deleted=$((held_deleted + 1)); bad "round $r: the kiosk holds deleted database files: $gone"; }
  touch "$T/sync/end-$r"
  wait $kpid 2>/dev/null
  st=$?
  if [ $st -eq 137 ]; then
    kills_kiosk=$((kills_kiosk + 1))
  elif [ $st -eq 0 ]; then
    rounds_ok=$((rounds_ok + 1))
  elif [ $st -eq 1 ] && explained_exit; then
    ended_early=$((ended_early + 1))
  else
    bad "round $r: kiosk exited $st"
    cat "$T/kerr" >&2
    cp "$T/marks/last.png" "$T/failed-round-$r.png" 2>/dev/null # with KEEP=1: what it showed
  fi
  # every thanked response is stored (here or, acknowledged, on the analysis side) once
  ic=$(sqlite3 "$D/debrief.db" "PRAGMA integrity_check" 2>&1)
  [ "$ic" = ok ] || bad "round $r: integrity_check: $ic"
  "$TOOL" dump "$D" "$KEY" >"$T/stored" 2>"$T/dump.err" || bad "round $r: stored records do not open: $(cat "$T/dump.err")"
  : >"$T/imported"
  rm -rf "$T/csv" && mkdir -p "$T/csv"
  if [ -e "$A" ] && "$DEBRIEF" csv --db "$A" --out "$T/csv/all.csv" --text-only >/dev/null 2>"$T/csv.err"; then
    cat "$T"/csv/*.csv | grep -o 'r[0-9]*p[0-9]' | sort >"$T/imported"
  elif [ -e "$A" ] && ! grep -q ': no responses$' "$T/csv.err"; then
    # (an analysis database with no responses yet: an import killed before its commit)
    bad "round $r: csv: $(cat "$T/csv.err")"
  fi
  dups=$(sort "$T/stored" | uniq -d; uniq -d "$T/imported")
  [ -z "$dups" ] || bad "round $r: stored twice: $(echo $dups)"
  ls "$T/marks" | sed -n 's/^mark-\(r[0-9]*p[0-9]\)\.png$/\1/p' | sort >"$T/thanked"
  sort -u "$T/stored" "$T/imported" >"$T/have"
  missing=$(comm -23 "$T/thanked" "$T/have")
  [ -z "$missing" ] || bad "round $r: thanked responses missing: $(echo $missing | head -c 200)"
  r=$((r + 1))
done
rm -rf "$T/csv"
elapsed=$(($(now_ms) - t0))
thanked=$(wc -l <"$T/thanked")
extra=$(comm -13 "$T/thanked" "$T/have" | wc -l)
echo "torture: $ROUNDS rounds in $((elapsed / 1000)) s: $rounds_ok ran to the end, $ended_early" \
  "ended early (no session open at that moment), $kills_kiosk kiosks and $kills_cli commands" \
  "SIGKILLed; $ops commands, $opened sessions opened; $thanked thank-yous," \
  "$(wc -l <"$T/stored") stored on the kiosk, $(wc -l <"$T/imported") imported," \
  "$extra stored without a seen thank-you (in flight at a kill)"
[ "$extra" -le "$kills_kiosk" ] && ok || bad "$extra unthanked responses stored, more than the $kills_kiosk kills explain"
[ "$kills_kiosk" -ge $((ROUNDS / 20)) ] && ok || bad "only $kills_kiosk kiosk kills"
[ "$thanked" -ge $((ROUNDS / 2)) ] && ok || bad "only $thanked participants were thanked in $ROUNDS rounds"
[ "$held_deleted" -eq 0 ] && ok

rel_finish
