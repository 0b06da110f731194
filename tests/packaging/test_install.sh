#!/bin/sh
# Installs this machine's debrief-cli and debrief-kiosk packages from OUT_DIR with apt, as IT
# staff would, and checks what the maintainer scripts made: the system user and its groups,
# the data directory, the settings copied from their templates, the installed unit
# (systemd-analyze verify), then runs "debrief-kiosk --selftest" headless as the kiosk's user
# against the installed kiosk.conf. Then: a local edit to kiosk.conf survives a reinstall and
# a non-interactive upgrade to a version whose template changed (no dpkg prompt: the package
# stays "ii"); remove keeps the configuration and the data, purge removes the configuration
# and still keeps the data. Refuses to run where a Debrief kiosk is (or was) installed: it
# would purge it. Leaves the machine as it found it (except the debrief user, if it was there
# before). Needs root.
# usage: test_install.sh OUT_DIR SOURCE_DIR
set -u
OUT=$(cd "$1" && pwd)
SRC=$2
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }
has_text() { grep -qF -- "$2" "$1"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "test_install: needs root (it installs the packages): skipped"
  echo "0 passed, 0 failed, 1 skipped"
  exit 77 # a skip, not a pass (ctest's SKIP_RETURN_CODE; tools/ci-deploy counts it as failed)
fi
# Never on a real installation: this test purges the packages at the end.
for p in debrief-kiosk debrief-cli; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
  case "$st" in
    "" | un*) ;;
    *) echo "test_install: $p is installed here ($st): refusing to install over it and purge" \
         "it (run this on a scratch machine, as CI does)" >&2
       exit 1 ;;
  esac
done
if [ -e /etc/debrief/kiosk.conf ]; then
  echo "test_install: /etc/debrief/kiosk.conf exists (a kiosk's settings): refusing to run here" >&2
  exit 1
fi
version=$(sed -n 's/^project(debrief VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
arch=$(dpkg --print-architecture)
cli=$OUT/debrief-cli_${version}_$arch.deb
kiosk=$OUT/debrief-kiosk_${version}_$arch.deb
for f in "$cli" "$kiosk"; do
  [ -f "$f" ] || { echo "test_install: no $f (run tools/package first)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/debrief-install-XXXXXX)
chmod 0755 "$T" # the debrief user reads the test key from here
user_before=0
getent passwd debrief >/dev/null && user_before=1
data_before=0
[ -e /var/lib/debrief ] && data_before=1
cleanup() {
  # dpkg, not apt: apt refuses to name a package that is no longer installed.
  dpkg --purge debrief-kiosk debrief-cli >/dev/null 2>&1
  [ $data_before -eq 1 ] || rm -rf /var/lib/debrief
  [ $user_before -eq 1 ] || { deluser --system debrief >/dev/null 2>&1; delgroup --system debrief >/dev/null 2>&1; }
  rm -rf "$T"
}
trap cleanup EXIT
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Use-Pty=0 "$@" >"$T/apt.log" 2>&1; }

# --- install (reinstall if present, so that the maintainer scripts run every time)
if apt_get install --reinstall --no-install-recommends "$cli" "$kiosk"; then ok; else
  bad "apt-get install of the packages"; cat "$T/apt.log" >&2
  echo "$passed passed, $failed failed"; exit 1
fi
for p in debrief-cli debrief-kiosk; do
  [ "$(dpkg-query -W -f='${Status} ${Version}' $p 2>/dev/null)" = "install ok installed $version" ] && ok ||
    bad "$p is not installed at $version"
done

# --- the user, its groups, the data directory
ent=$(getent passwd debrief)
if [ -n "$ent" ]; then
  ok
  uid=$(echo "$ent" | cut -d: -f3)
  [ "$uid" -lt 1000 ] && ok || bad "debrief is not a system user (uid $uid)"
  echo "$ent" | cut -d: -f6 | grep -qx /var/lib/debrief && ok || bad "debrief's home is not /var/lib/debrief"
  echo "$ent" | cut -d: -f7 | grep -q 'nologin\|false' && ok || bad "debrief can log in: $(echo "$ent" | cut -d: -f7)"
  groups=" $(id -nG debrief) "
  for g in video render input; do
    if getent group $g >/dev/null; then
      case "$groups" in *" $g "*) ok ;; *) bad "debrief is not in group $g ($groups)" ;; esac
    else
      echo "  note: no group '$g' on this machine (Raspberry Pi OS has it)"
    fi
  done
else
  bad "postinst made no user debrief"
fi
[ "$(stat -c '%U:%G %a' /var/lib/debrief 2>/dev/null)" = "debrief:debrief 700" ] && ok ||
  bad "/var/lib/debrief is $(stat -c '%U:%G %a' /var/lib/debrief 2>&1), not debrief:debrief 700"

# --- the settings (copied from the templates, not conffiles), files, the unit
[ -z "$(dpkg-query -W -f='${Conffiles}' debrief-kiosk)" ] && ok || bad "debrief-kiosk has conffiles"
cmp -s /etc/debrief/kiosk.conf "$SRC/packaging/etc/kiosk.conf" && ok || bad "/etc/debrief/kiosk.conf differs from the package's"
cmp -s /etc/debrief/environment "$SRC/packaging/etc/environment" && ok || bad "/etc/debrief/environment differs from the package's"
[ -x /usr/bin/debrief-kiosk ] && [ -x /usr/bin/debrief ] && ok || bad "programs not in /usr/bin"
unit=/usr/lib/systemd/system/debrief-kiosk.service
[ -f "$unit" ] && ok || bad "no $unit"
if systemd-analyze verify "$unit" >"$T/verify" 2>&1 && [ ! -s "$T/verify" ]; then ok; else
  bad "systemd-analyze verify of the installed unit"; cat "$T/verify" >&2
fi
[ -e /etc/systemd/system/multi-user.target.wants/debrief-kiosk.service ] &&
  bad "the package enabled the service (it must wait for the analyst's key)" || ok
/usr/bin/debrief survey check /usr/share/debrief/surveys/ccdg.json >/dev/null 2>"$T/err" && ok ||
  { bad "installed CLI: survey check of the installed survey"; cat "$T/err" >&2; }

# --- debrief-kiosk --selftest, headless, as the service's user, with the installed kiosk.conf
if /usr/bin/debrief-kiosk --help 2>&1 | grep -q -- '--selftest'; then
  printf 'install test passphrase\n' >"$T/pass"
  /usr/bin/debrief keygen --out "$T" --passphrase-file "$T/pass" >/dev/null 2>"$T/err" && ok ||
    { bad "installed CLI: keygen"; cat "$T/err" >&2; }
  chmod 0644 "$T/analyst.pub"
  fp=$(/usr/bin/debrief fingerprint "$T/analyst.pub" | cut -d' ' -f1)
  selftest() { # USER ARGS...: output in $T/st, status in $st
    u=$1; shift
    runuser -u "$u" -- env SDL_VIDEODRIVER=dummy /usr/bin/debrief-kiosk \
      --config /etc/debrief/kiosk.conf "$@" --selftest >"$T/st" 2>&1 </dev/null
    st=$?
  }
  selftest debrief --recipient "$T/analyst.pub"
  if [ $st -eq 0 ]; then ok; else bad "selftest as debrief: exit $st"; cat "$T/st" >&2; fi
  has_text "$T/st" "$fp" && ok || { bad "selftest does not show the key's fingerprint $fp"; cat "$T/st" >&2; }
  has_text "$T/st" /usr/share/debrief/surveys/ccdg.json && ok || bad "selftest does not name the installed survey"
  has_text "$T/st" /var/lib/debrief && ok || bad "selftest does not name the data directory"
  # The default configuration before the analyst's key is installed: a clear failure.
  if [ ! -e /etc/debrief/analyst.pub ]; then
    selftest debrief
    if [ $st -ne 0 ] && has_text "$T/st" /etc/debrief/analyst.pub; then ok; else
      bad "selftest without /etc/debrief/analyst.pub: exit $st, must fail naming it"; cat "$T/st" >&2
    fi
  fi
  # Another user cannot use the data directory (mode 0700): the selftest must say so.
  selftest nobody --recipient "$T/analyst.pub"
  if [ $st -ne 0 ] && has_text "$T/st" /var/lib/debrief; then ok; else
    bad "selftest as nobody (data directory not writable): exit $st, must fail naming it"; cat "$T/st" >&2
  fi
else
  bad "the installed debrief-kiosk has no --selftest option"
fi

# --- a local edit of the settings survives reinstalling the package
echo "# local edit by test_install" >>/etc/debrief/kiosk.conf
apt_get install --reinstall "$kiosk" || { bad "reinstall"; cat "$T/apt.log" >&2; }
tail -n 1 /etc/debrief/kiosk.conf | grep -qx "# local edit by test_install" && ok ||
  bad "the local edit of kiosk.conf was lost on reinstall"

# --- ... and a non-interactive upgrade to a version whose kiosk.conf changed a comment: no
# dpkg prompt (with a conffile it stopped there and left the package "iU").
mkdir "$T/new"
dpkg-deb -R "$kiosk" "$T/new"
sed -i "s/^Version: .*/Version: $version+upgrade/" "$T/new/DEBIAN/control"
sed -i '1s/.*/# kiosk.conf, as a later version words it/' "$T/new/usr/share/debrief/kiosk.conf"
dpkg-deb -b "$T/new" "$T/kiosk-upgrade.deb" >/dev/null
sed -i '1s/.*/# kiosk.conf, as this site words it/' /etc/debrief/kiosk.conf
if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 "$T/kiosk-upgrade.deb" \
     </dev/null >"$T/apt.log" 2>&1; then ok; else bad "non-interactive upgrade"; cat "$T/apt.log" >&2; fi
[ "$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' debrief-kiosk)" = "ii $version+upgrade" ] && ok ||
  bad "after the upgrade debrief-kiosk is $(dpkg-query -W -f='${db:Status-Abbrev}${Version}' debrief-kiosk), not 'ii $version+upgrade'"
head -n 1 /etc/debrief/kiosk.conf | grep -qx "# kiosk.conf, as this site words it" && ok ||
  bad "the upgrade changed the site's kiosk.conf"

# --- remove keeps configuration and data; purge removes the configuration, keeps the data
touch /var/lib/debrief/keep-me
apt_get remove debrief-kiosk || { bad "apt-get remove"; cat "$T/apt.log" >&2; }
[ ! -e /usr/bin/debrief-kiosk ] && [ ! -e "$unit" ] && ok || bad "remove left the program or the unit"
[ -f /etc/debrief/kiosk.conf ] && ok || bad "remove deleted the configuration"
[ -e /usr/bin/debrief ] && ok || bad "removing the kiosk removed the CLI"
apt_get purge debrief-kiosk || { bad "apt-get purge"; cat "$T/apt.log" >&2; }
[ ! -e /etc/debrief/kiosk.conf ] && [ ! -e /etc/debrief/environment ] && ok || bad "purge left kiosk.conf or environment"
[ -e /var/lib/debrief/keep-me ] && ok || bad "purge deleted the data directory (responses may not be exported yet)"
rm -f /var/lib/debrief/keep-me
apt_get purge debrief-cli || { bad "apt-get purge debrief-cli"; cat "$T/apt.log" >&2; }
[ ! -e /usr/bin/debrief ] && ! dpkg-query -W debrief-cli >/dev/null 2>&1 && ok || bad "debrief-cli still installed after purge"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
