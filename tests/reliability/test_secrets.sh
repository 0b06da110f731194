#!/bin/sh
# Secrets hygiene around the real binaries. Participants type unique canary strings on the
# kiosk (headless); the coordinator exports; the analyst imports with a passphrase. Then the
# canaries and the passphrase must appear in none of: the kiosk data directory, $TMPDIR (a
# private one for the run), files created in /tmp and /dev/shm during the run, the captured
# stdout/stderr of every program, and core files. (The analysis database holds the answers
# in the clear by design and is not scanned.)
# With --nodump: while a scripted kiosk waits with a canary typed, checks that the process
# made itself undumpable and set RLIMIT_CORE to 0 although it was started with core dumps
# allowed (registered separately as test_rel_nodump).
# usage: test_secrets.sh BUILD_DIR SOURCE_DIR [--nodump]
set -u
. "$(dirname "$0")/lib.sh"
rel_init secrets "$1" "$2"
MODE=${3:-}
hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

C1="canaryA$(hex 8)"
C2="canaryB$(hex 8)"
C3="canaryC$(hex 8)"
PASS="pass-$(hex 12)"
mkdir -p "$T/in" "$T/logs" "$T/tmpdir" "$T/usb" "$T/adb"
export TMPDIR=$T/tmpdir
touch "$T/start"
sleep 1 # -newer has one-second resolution on some file systems

participant() { # TEXT [WAIT_MS]
  cat <<EOS
tap "Tap to begin"
tap "Agree"
tap "Next"
tap "Next"
tap "Teamwork"
tap "Next"
type "$1"
EOS
  [ -n "${2:-}" ] && echo "wait $2"
  cat <<EOS
tap "Next"
expect "Please check your answers"
tap "Submit"
expect "Thank you"
idle 9
EOS
}

if [ "$MODE" = "--nodump" ]; then
  # /proc shows whether the kiosk is dumpable: the files under /proc/PID belong to root
  # instead of the process's user when it is not. As root (whose files they are either way)
  # the kiosk runs as nobody, on copies of itself and its inputs that nobody can read (the
  # checkout may be in a home directory nobody cannot enter); otherwise as this user.
  "$TOOL" session "$T/data" >/dev/null || exit 1
  "$TOOL" keygen "$T/keys" || exit 1
  cp "$KIOSK" "$SURVEY" "$T/in/"
  # The screenshot, taken once the canary is typed, says the kiosk is up and holding it.
  {
    echo 'expect "Tap to begin"'
    participant "$C1" | sed '/^type /q'
    printf 'screenshot %s/logs/typed.png\nwait 120000\n' "$T"
  } >"$T/in/wait.script"
  chmod 755 "$T"
  chmod -R a+rX "$T/in" "$T/keys"
  as=""
  if [ "$(id -u)" -eq 0 ]; then
    chown -R 65534:65534 "$T/data" "$T/logs"
    as="setpriv --reuid=65534 --regid=65534 --clear-groups"
  fi
  (
    ulimit -c unlimited 2>/dev/null || ulimit -c 100000
    exec $as "$T/in/debrief-kiosk" --survey "$T/in/team.json" --data "$T/data" \
      --recipient "$T/keys/analyst.pub" --script "$T/in/wait.script" \
      >"$T/logs/out" 2>"$T/logs/err" </dev/null
  ) &
  pid=$!
  # Wait for the screenshot (or for the kiosk to end early: a failure shown below).
  n=0
  while [ ! -s "$T/logs/typed.png" ] && kill -0 $pid 2>/dev/null && [ $n -lt 600 ]; do
    sleep 0.1
    n=$((n + 1))
  done
  if [ -s "$T/logs/typed.png" ]; then ok; else
    bad "the kiosk did not reach the typed canary (see its stderr below)"
    cat "$T/logs/err" >&2
  fi
  core=$(awk '/^Max core file size/ {print $5 " " $6}' "/proc/$pid/limits" 2>/dev/null)
  owner=$(stat -c %u "/proc/$pid/status" 2>/dev/null)
  user=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  kill -KILL $pid 2>/dev/null # (its script would wait two minutes more)
  wait $pid 2>/dev/null
  echo "kiosk (uid $user) RLIMIT_CORE (soft hard): $core; /proc/PID/status owner uid $owner (0 = not dumpable)"
  [ "$core" = "0 0" ] && ok || bad "the kiosk leaves core dumps on (RLIMIT_CORE $core)"
  [ "$owner" = "0" ] && ok || bad "the kiosk is dumpable (PR_SET_DUMPABLE not cleared)"
  [ "$(id -u)" -ne 0 ] || [ "$user" = "65534" ] && ok || bad "the kiosk did not run as nobody (uid $user)"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi

"$TOOL" keygen "$T/keys" || exit 1
printf '%s\n' "$PASS" >"$T/in/pass"
# a real key (the CLI's own keygen with the passphrase) for the import
"$DEBRIEF" keygen --out "$T/akeys" --passphrase-file "$T/in/pass" >"$T/logs/keygen.out" \
  2>"$T/logs/keygen.err" || bad "keygen"
"$DEBRIEF" session open --data "$T/data" --label "Group 1" --date 2026-11-20 --survey "$SURVEY" \
  >"$T/logs/open.out" 2>"$T/logs/open.err" || bad "session open"
{
  echo 'expect "Tap to begin"'
  participant "$C1"
  participant "$C2" 1000
  participant "$C3"
  echo 'expect "Tap to begin"'
} >"$T/in/session.script"
"$KIOSK" --survey "$SURVEY" --data "$T/data" --recipient "$T/akeys/analyst.pub" \
  --script "$T/in/session.script" >"$T/logs/kiosk.out" 2>"$T/logs/kiosk.err" </dev/null &&
  ok || { bad "kiosk session"; cat "$T/logs/kiosk.err" >&2; }
"$DEBRIEF" session close --data "$T/data" >"$T/logs/close.out" 2>"$T/logs/close.err"
"$DEBRIEF" export --data "$T/data" --out "$T/usb" --force >"$T/logs/export.out" \
  2>"$T/logs/export.err" || bad "export"
"$DEBRIEF" import --key "$T/akeys/analyst.key" --passphrase-file "$T/in/pass" --db "$T/adb/a.db" \
  --survey "$SURVEY" --trust-new-kiosk --ack-out "$T/usb/ack.dba" "$T"/usb/*.dbb \
  >"$T/logs/import.out" 2>"$T/logs/import.err" || { bad "import"; cat "$T/logs/import.err" >&2; }
# a wrong passphrase must not be echoed either
printf 'wrong-%s\n' "$PASS" >"$T/in/wrong"
"$DEBRIEF" import --key "$T/akeys/analyst.key" --passphrase-file "$T/in/wrong" --db "$T/adb/b.db" \
  --survey "$SURVEY" --trust-new-kiosk "$T"/usb/*.dbb >"$T/logs/wrong.out" 2>"$T/logs/wrong.err" &&
  bad "import with a wrong passphrase succeeded"
# the import did get the answers (so the scans below look for strings that exist)
"$DEBRIEF" csv --db "$T/adb/a.db" --out "$T/adb/out.csv" >/dev/null 2>&1
[ "$(grep -c "canary[ABC]" "$T/adb/out.csv" 2>/dev/null)" -eq 3 ] && ok ||
  bad "the three canaries arrive in the analyst's CSV"

# where to look: everything but the inputs we wrote ourselves and the analysis side
find "$T" -path "$T/in" -prune -o -path "$T/adb" -prune -o -type f -print >"$T/files"
find /tmp /dev/shm -xdev -newer "$T/start" -type f ! -path "$T/*" 2>/dev/null >>"$T/files"
n_files=$(wc -l <"$T/files")
leaks=0
for s in "$C1" "$C2" "$C3" "$PASS"; do
  hits=$(tr '\n' '\0' <"$T/files" | xargs -0 -r grep -laF -- "$s" 2>/dev/null)
  if [ -n "$hits" ]; then
    leaks=$((leaks + 1))
    bad "a secret was found in: $(echo "$hits" | tr '\n' ' ')"
  fi
done
[ $leaks -eq 0 ] && ok
echo "scanned $n_files files (data dir, TMPDIR, new files in /tmp and /dev/shm, logs) for 3 canaries and the passphrase"
[ -z "$(ls -A "$T/tmpdir")" ] && ok || bad "files left in TMPDIR: $(ls -A "$T/tmpdir")"
cores=$(find "$T" /tmp -maxdepth 2 -newer "$T/start" -name 'core*' -type f 2>/dev/null)
[ -z "$cores" ] && ok || bad "core files: $cores"
grep -q "canary" "$T/logs/kiosk.err" && bad "kiosk log mentions a canary" || ok
rel_finish
