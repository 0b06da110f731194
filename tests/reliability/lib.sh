# The set-up every reliability test shares. Sourced right after `set -u`:
#   . "$(dirname "$0")/lib.sh"
#   rel_init NAME "$1" "$2"
# rel_init sets BUILD and SRC (absolute), KIOSK, DEBRIEF, TOOL (the built programs), SURVEY
# (the test survey), T (a fresh private directory, /tmp/debrief-NAME-XXXXXX, removed at exit
# unless KEEP is set: a test with more to undo sets its own EXIT trap and calls rel_cleanup),
# SDL's dummy video driver, and the counters that ok, bad and rel_finish keep.

rel_init() { # NAME BUILD_DIR SOURCE_DIR
  BUILD=$(cd "$2" && pwd)
  SRC=$(cd "$3" && pwd)
  KIOSK=$BUILD/app/kiosk/debrief-kiosk
  DEBRIEF=$BUILD/app/cli/debrief
  TOOL=$BUILD/tests/rel_tool
  SURVEY=$SRC/tests/kiosk/team.json
  T=$(mktemp -d "/tmp/debrief-$1-XXXXXX")
  trap rel_cleanup EXIT
  export SDL_VIDEODRIVER=dummy
  passed=0
  failed=0
}

rel_cleanup() {
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }

# The summary line, and the exit status: 0 when nothing failed.
rel_finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

rnd() { od -An -N4 -tu4 /dev/urandom | tr -d ' \n'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# 0.xxx seconds for a number of milliseconds
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
