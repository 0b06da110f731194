#!/bin/sh
# End-to-end tests of the `debrief` command line: usage, exit codes, survey check, keys.
# usage: test_cli.sh PATH/TO/debrief SOURCE_DIR
set -u
DEBRIEF=$1
SRC=$2
T=$(mktemp -d /tmp/debrief-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, stdout to $T/out, stderr to $T/err.
expect_exit() {
  want=$1; what=$2; shift 3
  "$@" >"$T/out" 2>"$T/err" </dev/null
  got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; cat "$T/err" >&2; fi
}
expect_in() { # FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(basename "$1"):"; cat "$1" >&2; fi
}

# --- usage and help
expect_exit 2 "no arguments" -- "$DEBRIEF"
expect_in "$T/err" "usage: debrief COMMAND" "usage on stderr"
expect_exit 0 "--help" -- "$DEBRIEF" --help
expect_in "$T/out" "keygen" "help lists keygen"
expect_exit 2 "unknown command" -- "$DEBRIEF" frobnicate
expect_in "$T/err" "debrief: error: unknown command 'frobnicate'" "unknown command message"
for c in survey keygen fingerprint; do
  expect_exit 0 "$c --help" -- "$DEBRIEF" $c --help
  expect_in "$T/out" "usage: debrief $c" "$c help text"
done

# --- survey check
expect_exit 0 "bundled survey is valid" -- "$DEBRIEF" survey check "$SRC/assets/surveys/ccdg.json"
expect_in "$T/out" "ccdg" "summary names the survey"
printf '{"id": "x",\n  "version": }\n' >"$T/syntax.json"
expect_exit 1 "syntax error" -- "$DEBRIEF" survey check "$T/syntax.json"
expect_in "$T/err" "debrief: error: $T/syntax.json:2:" "syntax error names file and line"
expect_exit 1 "missing survey file" -- "$DEBRIEF" survey check "$T/nope.json"
expect_in "$T/err" "$T/nope.json: No such file or directory" "missing file message"
expect_exit 2 "survey without subcommand" -- "$DEBRIEF" survey
# The layout of every screen, by the kiosk's renderer when it is built (the CLI-only build
# has none: check says so and validates only; preview fails).
KIOSK_BIN=$(dirname "$DEBRIEF")/../kiosk/debrief-kiosk
expect_exit 0 "bundled survey and its screens" -- "$DEBRIEF" survey check "$SRC/assets/surveys/ccdg.json"
if [ -x "$KIOSK_BIN" ]; then
  expect_in "$T/out" "layout: 482 screens at 9 sizes in 2 languages: 0 problems" "bundled survey fits"
  expect_exit 1 "a 1,000-byte question does not fit" -- "$DEBRIEF" survey check "$SRC/tests/kiosk/long_texts.json"
  expect_in "$T/out" "layout: sections[0].questions[1] (too_long), en, 480x320:" "names question and size"
  expect_in "$T/err" "debrief: error: $SRC/tests/kiosk/long_texts.json: the layout check failed" "check fails"
  # index.html is written through fs_write_atomic (a fresh temporary file, synced): a link
  # left where a fixed temporary name would be is not written through, nor moved into place.
  mkdir -p "$T/preview"
  printf 'keep\n' >"$T/victim"
  ln -s "$T/victim" "$T/preview/index.html.tmp"
  expect_exit 0 "preview" -- "$DEBRIEF" survey preview "$SRC/tests/kiosk/team.json" --out "$T/preview"
  [ -f "$T/preview/index.html" ] && [ ! -L "$T/preview/index.html" ] && ok ||
    bad "preview wrote index.html as a file of its own"
  [ "$(cat "$T/victim")" = keep ] && ok || bad "preview wrote through a link in its directory"
  [ -f "$T/preview/fr-480x320-001-attract.png" ] && ok || bad "preview drew the French attract screen"
  n=$(grep -c '<img ' "$T/preview/index.html")
  [ "$n" -gt 100 ] && ok || bad "contact sheet shows every screen ($n)"
else
  expect_in "$T/err" "layout not checked: debrief-kiosk" "CLI-only build says the layout is not checked"
  expect_exit 1 "preview needs the kiosk" -- "$DEBRIEF" survey preview "$SRC/tests/kiosk/team.json" --out "$T/preview"
  expect_in "$T/err" "survey preview needs debrief-kiosk" "preview says why"
fi
expect_exit 2 "preview without --out" -- "$DEBRIEF" survey preview "$SRC/tests/kiosk/team.json"

# --- keygen and fingerprint
printf 'correct horse battery staple\n' >"$T/pass"
expect_exit 0 "keygen" -- "$DEBRIEF" keygen --out "$T/keys" --passphrase-file "$T/pass"
expect_in "$T/out" "fingerprint:" "keygen prints the fingerprint"
fp=$(sed -n 's/^fingerprint: //p' "$T/out")
[ -f "$T/keys/analyst.pub" ] && ok || bad "public key written"
mode=$(stat -c %a "$T/keys/analyst.key" 2>/dev/null)
[ "$mode" = 600 ] && ok || bad "secret key mode is $mode, expected 600"
if grep -qF "correct horse" "$T/keys/analyst.key"; then bad "passphrase in key file"; else ok; fi
expect_exit 1 "keygen refuses to overwrite" -- "$DEBRIEF" keygen --out "$T/keys" --passphrase-file "$T/pass"
expect_in "$T/err" "refusing to overwrite a key" "overwrite message"
expect_exit 0 "fingerprint of public key" -- "$DEBRIEF" fingerprint "$T/keys/analyst.pub"
expect_in "$T/out" "$fp" "public fingerprint matches keygen"
expect_exit 0 "fingerprint of secret key" -- "$DEBRIEF" fingerprint "$T/keys/analyst.key"
expect_in "$T/out" "$fp" "secret key fingerprint matches keygen (no passphrase needed)"
# The passphrase may come through a pipe.
printf 'correct horse battery staple\n' | "$DEBRIEF" keygen --out "$T/piped" --passphrase-file /dev/stdin \
  >"$T/out" 2>"$T/err" && ok || { bad "keygen with --passphrase-file /dev/stdin"; cat "$T/err" >&2; }
[ -f "$T/piped/analyst.key" ] && ok || bad "piped keygen wrote the secret key"
printf '' >"$T/empty"
expect_exit 1 "empty passphrase file" -- "$DEBRIEF" keygen --out "$T/k3" --passphrase-file "$T/empty"
expect_in "$T/err" "$T/empty: empty; expected the passphrase on its first line" "empty passphrase file message"
printf 'short\n' >"$T/short"
expect_exit 1 "short passphrase refused" -- "$DEBRIEF" keygen --out "$T/k2" --passphrase-file "$T/short"
[ -e "$T/k2/analyst.key" ] && bad "no key left after refusal" || ok
echo "not a key" >"$T/junk.pub"
expect_exit 1 "fingerprint of junk" -- "$DEBRIEF" fingerprint "$T/junk.pub"
expect_in "$T/err" "debrief: error: $T/junk.pub:" "junk key message names the file"
expect_exit 2 "keygen without --out" -- "$DEBRIEF" keygen

# --- the passphrase bytes (docs/FORMAT.md, "Secret key file"): the first line of the file as
# it is, one CR before its end removed; the key vectors open only with exactly their bytes.
# import reads the key before the batches: a batch that is not there then says the key opened.
V="$SRC/tests/vectors"
opens() { # DESCRIPTION KEY FILE-BYTES (printf format)
  printf "$3" >"$T/pp"
  expect_exit 1 "$1" -- "$DEBRIEF" import --key "$2" --passphrase-file "$T/pp" --db "$T/pp.db" "$T/nothere.dbb"
  expect_in "$T/err" "nothere.dbb" "$1: the key opened"
}
refused() { # DESCRIPTION KEY FILE-BYTES MESSAGE
  printf "$3" >"$T/pp"
  expect_exit 1 "$1" -- "$DEBRIEF" import --key "$2" --passphrase-file "$T/pp" --db "$T/pp.db" "$T/nothere.dbb"
  expect_in "$T/err" "$4" "$1: message"
}
opens "LF line end" "$V/analyst.key" 'correct horse battery staple\n'
opens "CRLF line end (a file edited on Windows)" "$V/analyst.key" 'correct horse battery staple\r\n'
opens "no line end" "$V/analyst.key" 'correct horse battery staple'
opens "only the first line counts" "$V/analyst.key" 'correct horse battery staple\nsecond line\n'
refused "a leading space is part of it" "$V/analyst.key" ' correct horse battery staple\n' "authentication failed"
refused "a trailing tab is part of it" "$V/analyst.key" 'correct horse battery staple\t\n' "authentication failed"
refused "a CR inside the line" "$V/analyst.key" 'correct horse\rbattery staple\n' "holds a carriage return (CR) before its end"
refused "a NUL inside the line" "$V/analyst.key" 'correct horse\000battery staple\n' "holds a NUL byte"
opens "UTF-8 as typed (NFC)" "$V/analyst-utf8.key" 'K\303\244sekuchen f\303\274r alle, Gr\303\274\303\237e \n'
refused "the same letters decomposed (NFD)" "$V/analyst-utf8.key" 'Ka\314\210sekuchen fu\314\210r alle, Gru\314\210\303\237e \n' "authentication failed"
[ -e "$T/pp.db" ] && bad "a failed import left a database" || ok

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
