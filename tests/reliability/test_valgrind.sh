#!/bin/sh
# Valgrind memcheck of the real binaries on a short path: the kiosk (headless script, one
# participant, typing and submitting), debrief export, and debrief import with the analyst's
# key (test-speed Argon2). Any memcheck error or definitely-lost block fails the test.
# usage: test_valgrind.sh BUILD_DIR SOURCE_DIR
set -u
command -v valgrind >/dev/null || { echo "SKIPPED: valgrind is not installed (apt-get install valgrind)"; exit 77; }
. "$(dirname "$0")/lib.sh"
rel_init valgrind "$1" "$2"
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
  --show-leak-kinds=definite --num-callers=30"
vg() { # NAME COMMAND...
  name=$1
  shift
  $VG --log-file="$T/$name.vg" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
  st=$?
  if [ "$st" -eq 0 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "FAILED: valgrind $name (exit $st)" >&2
    cat "$T/$name.vg" "$T/$name.err" >&2
  fi
}
"$TOOL" keygen "$T/keys" && "$TOOL" session "$T/data" || exit 1
printf 'reliability-passphrase\n' >"$T/pass"
cat >"$T/s.script" <<'EOS'
expect "Tap to begin"
tap "Tap to begin"
tap "Agree"
tap "Next"
tap "Next"
tap "Teamwork"
tap "Next"
type "Caf\u00e9 valgrind"
key backspace
tap "Next"
expect "Please check your answers"
tap "Submit"
expect "Thank you"
idle 9
expect "Tap to begin"
EOS
sed -i 's/\\u00e9/é/' "$T/s.script"
vg kiosk "$KIOSK" --survey "$SURVEY" --data "$T/data" --recipient "$T/keys/analyst.pub" \
  --script "$T/s.script"
"$DEBRIEF" session close --data "$T/data" >/dev/null
mkdir -p "$T/usb"
vg export "$DEBRIEF" export --data "$T/data" --out "$T/usb" --force
vg import "$DEBRIEF" import --key "$T/keys/analyst.key" --passphrase-file "$T/pass" \
  --db "$T/a.db" --survey "$SURVEY" --trust-new-kiosk --ack-out "$T/ack.dba" "$T"/usb/*.dbb
grep -q "1 response" "$T/import.out" && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAILED: the import did not import the response" >&2; cat "$T/import.out" >&2; }
rel_finish
