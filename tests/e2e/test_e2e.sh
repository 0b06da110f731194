#!/bin/sh
# End to end, as the real users would run it: the analyst makes keys; the coordinator opens a
# session; participants tap through the bundled survey on the kiosk (headless, scripted taps);
# the coordinator closes the session and exports a batch; the analyst verifies, imports and
# exports CSV; the kiosk applies the acknowledgement. Checks the answers arrive intact, nothing
# readable is left on the kiosk, and the acknowledgement purges exactly what was imported.
# usage: test_e2e.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$1
SRC=$2
DEBRIEF=$BUILD/app/cli/debrief
KIOSK=$BUILD/app/kiosk/debrief-kiosk
SURVEY=$SRC/assets/surveys/ccdg.json
T=$(mktemp -d /tmp/debrief-e2e-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export SDL_VIDEODRIVER=dummy
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }
run() { # DESCRIPTION COMMAND...: must exit 0
  what=$1; shift
  if "$@" >"$T/out" 2>"$T/err" </dev/null; then ok; else bad "$what (exit $?)"; cat "$T/out" "$T/err" >&2; fi
}

# One participant: skills answer $1 for every skill item, gender $2, free text $3.
participant() {
  cat <<EOS
expect "Tap to begin"
tap "Tap to begin"
tap "$1"
tap "Next"
tap "$1"
tap "Next"
tap "$1"
tap "Next"
tap "$1"
tap "Next"
tap "$1"
tap "Next"
tap "4"
tap "Next"
tap "5 (high)"
tap "Next"
tap "3"
tap "Next"
tap "Moderate challenge"
tap "Next"
tap "Yes"
tap "Next"
tap "Not a challenge"
tap "Next"
tap "Not a challenge"
tap "Next"
tap "$2"
tap "Next"
tap "Physician"
tap "Next"
tap "More than 10 years"
tap "Next"
tap "6 or fewer half-day sessions a week"
tap "Next"
type "$3"
tap "Next"
tap "Next"
expect "Please check your answers"
tap "Submit"
expect "Thank you"
idle 10
EOS
}

CANARY="canary-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
printf 'correct horse battery staple\n' >"$T/pass"
run "keygen" "$DEBRIEF" keygen --out "$T/keys" --passphrase-file "$T/pass"
run "session open" "$DEBRIEF" session open --data "$T/kiosk" --label "Group 1" --date 2026-11-20 \
  --survey "$SURVEY"

{
  participant "Agree" "Female" "Time to think together."
  participant "Strongly agree" "Male" "$CANARY"
  participant "Agree" "Female" "Small group."
  participant "Disagree" "Female" "More closure please."
  participant "Strongly agree" "Male" "Nothing."
} >"$T/session.script"
echo 'expect "Tap to begin"' >>"$T/session.script"
run "kiosk session" "$KIOSK" --survey "$SURVEY" --data "$T/kiosk" --recipient "$T/keys/analyst.pub" \
  --script "$T/session.script"

# Nothing a participant typed is readable on the kiosk: not in the database, its WAL, or anywhere.
if grep -rqaF "$CANARY" "$T/kiosk"; then bad "free text found in plaintext in the kiosk data dir"; else ok; fi
if grep -rqaF "Time to think together" "$T/kiosk"; then bad "free text in kiosk data dir"; else ok; fi

run "session close" "$DEBRIEF" session close --data "$T/kiosk"
mkdir -p "$T/usb"
run "export" "$DEBRIEF" export --data "$T/kiosk" --out "$T/usb"
batch=$(ls "$T"/usb/*.dbb 2>/dev/null | head -n 1)
[ -n "$batch" ] && ok || bad "export wrote no batch file"
run "session list after export" "$DEBRIEF" session list --data "$T/kiosk"
grep -Eq "ccdg v1 +5 +0 +5$" "$T/out" && ok || { bad "5 held, 0 unexported, 5 awaiting ack"; cat "$T/out" >&2; }
grep -q "batch 1: 5 responses, exported, awaiting acknowledgement (5 held)" "$T/out" && ok ||
  bad "the batch awaits acknowledgement"
run "verify" "$DEBRIEF" verify "$batch"
grep -q "5 responses\|responses: 5" "$T/out" && ok || { bad "verify reports 5 responses"; cat "$T/out" >&2; }

run "import" "$DEBRIEF" import --key "$T/keys/analyst.key" --passphrase-file "$T/pass" \
  --db "$T/analysis.db" --survey "$SURVEY" --trust-new-kiosk --ack-out "$T/ack.dba" "$batch"
run "import again is a no-op" "$DEBRIEF" import --key "$T/keys/analyst.key" \
  --passphrase-file "$T/pass" --db "$T/analysis.db" --ack-out "$T/ack2.dba" "$batch"
grep -qi "already imported" "$T/out" "$T/err" && ok || bad "second import says already imported"

run "csv" "$DEBRIEF" csv --db "$T/analysis.db" --out "$T/out.csv"
rows=$(($(wc -l <"$T/out.csv") - 1))
[ "$rows" -eq 5 ] && ok || bad "csv has $rows rows, expected 5"
head -n 1 "$T/out.csv" | grep -q "skill_reflection" && ok || bad "csv header names the questions"
[ "$(grep -c "$CANARY" "$T/out.csv")" -eq 1 ] && ok || bad "the canary text arrives exactly once"
[ "$(grep -c "Group 1" "$T/out.csv")" -eq 5 ] && ok || bad "every row carries the session label"
# Gender (coded 1 = female, 2 = male in the codebook): 3 female, whatever the row order.
col=$(head -n 1 "$T/out.csv" | tr ',' '\n' | grep -n '^"\{0,1\}gender"\{0,1\}$' | cut -d: -f1)
if [ -n "$col" ]; then
  female=$(tail -n +2 "$T/out.csv" | cut -d, -f"$col" | grep -cx 1)
  [ "$female" -eq 3 ] && ok || bad "3 female respondents in the csv, got $female"
else
  bad "no gender column"
fi

# The acknowledgement purges the exported responses on the kiosk, and nothing else.
run "ack" "$DEBRIEF" ack --data "$T/kiosk" --recipient "$T/keys/analyst.pub" "$T/ack.dba"
run "session list" "$DEBRIEF" session list --data "$T/kiosk"
cp "$T/out" "$T/list"
grep -q "Group 1" "$T/list" && ok || bad "session still listed after ack"
grep -q "exported, awaiting acknowledgement: 0" "$T/list" && ok || bad "nothing awaits acknowledgement"
grep -Eq "ccdg v1 +0 +0" "$T/list" && ok || { bad "the session's responses are purged"; cat "$T/list" >&2; }
grep -q "batch 1: 5 responses, acknowledged by the analyst (deleted from this kiosk)" "$T/list" &&
  ok || bad "session list says what was acknowledged"
grep -q "acknowledged and deleted: 5" "$T/list" && ok || bad "session list counts the acknowledged"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
