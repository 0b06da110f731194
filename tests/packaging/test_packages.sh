#!/bin/sh
# Inspects the Debian packages that tools/package wrote (dpkg-deb -c/-I/-x), for every
# architecture found in OUT_DIR: names and versions, files and their modes, conffiles,
# dependencies (each library the programs need must come from a package in Depends),
# maintainer scripts, the systemd unit (systemd-analyze verify and security), and the
# default kiosk.conf, which the packaged kiosk itself must accept. Changes nothing on the
# machine. usage: test_packages.sh OUT_DIR SOURCE_DIR
set -u
OUT=$1
SRC=$2
T=$(mktemp -d /tmp/debrief-pkg-XXXXXX)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }
check() { # DESCRIPTION COMMAND...: must succeed
  what=$1; shift
  if "$@" >"$T/out" 2>&1; then ok; else bad "$what"; sed 's/^/  | /' "$T/out" >&2; fi
}
has_line() { grep -qxF -- "$2" "$1"; }   # FILE LINE
has_text() { grep -qF -- "$2" "$1"; }    # FILE TEXT

version=$(sed -n 's/^project(debrief VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$version" ] || { echo "cannot read the version from CMakeLists.txt" >&2; exit 1; }

# The Debian package that ships SONAME for ARCH on this machine (multiarch), or "".
owner_of() { # SONAME ARCH
  dpkg -S "*/$1" 2>/dev/null | sed -n "s/^\([^:,]*\):$2: .*/\1/p" | head -n 1
}
# Depends as a list of package names, one a line.
dep_names() { dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/^ *//; s/[ (].*//'; }
machine_of() { case $1 in amd64) echo 'X86-64' ;; arm64) echo 'AArch64' ;; *) echo "?" ;; esac; }

# NEEDED libraries of BINARY all come from packages in DEB's Depends (or debrief-cli's).
check_needed() { # DEB BINARY ARCH
  dep_names "$1" >"$T/deps"
  readelf -d "$2" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$T/needed"
  [ -s "$T/needed" ] || { bad "$(basename "$2"): no NEEDED entries read"; return; }
  while read -r so; do
    pkg=$(owner_of "$so" "$3")
    if [ -z "$pkg" ]; then
      echo "  note: $so for $3 is not installed here: its package is not checked" >&2
      continue
    fi
    if has_line "$T/deps" "$pkg"; then ok; else bad "$(basename "$2") needs $so from $pkg, which Depends does not name"; fi
  done <"$T/needed"
}

# Debian's hardening (tools/buildflags): PIE, RELRO, BIND_NOW, stack protector, FORTIFY.
check_hardening() { # BINARY NAME
  readelf -h "$1" | grep -q 'Type:.*DYN' && ok || bad "$2: not PIE"
  readelf -lW "$1" | grep -q GNU_RELRO && ok || bad "$2: no RELRO"
  readelf -dW "$1" | grep -Eq 'BIND_NOW|FLAGS_1.*NOW' && ok || bad "$2: not linked with BIND_NOW"
  readelf --dyn-syms -W "$1" >"$T/syms"
  grep -q ' __stack_chk_fail' "$T/syms" && ok || bad "$2: no stack protector"
  grep -Eq ' __[a-z]+_chk(@|$)' "$T/syms" && ok || bad "$2: not built with _FORTIFY_SOURCE"
}

n_arch=0
for arch in amd64 arm64; do
  cli=$OUT/debrief-cli_${version}_$arch.deb
  kiosk=$OUT/debrief-kiosk_${version}_$arch.deb
  [ -f "$cli" ] || continue
  n_arch=$((n_arch + 1))
  echo "== $arch"
  machine=$(machine_of "$arch")

  # --- debrief-cli: just the program, no SDL
  check "cli: dpkg-deb -I" dpkg-deb -I "$cli"
  [ "$(dpkg-deb -f "$cli" Package)" = debrief-cli ] && ok || bad "cli: Package"
  [ "$(dpkg-deb -f "$cli" Version)" = "$version" ] && ok || bad "cli: Version"
  [ "$(dpkg-deb -f "$cli" Architecture)" = "$arch" ] && ok || bad "cli: Architecture is $(dpkg-deb -f "$cli" Architecture)"
  dpkg-deb -c "$cli" | awk '{print $1, $2, $6}' >"$T/cli.list"
  has_line "$T/cli.list" "-rwxr-xr-x root/root ./usr/bin/debrief" && ok || { bad "cli: /usr/bin/debrief 0755 root"; cat "$T/cli.list" >&2; }
  # The program, and what every Debian package has: changelog, copyright (lintian overrides).
  awk '$1 !~ /^d/ {print $3}' "$T/cli.list" | sort >"$T/cli.files"
  printf '%s\n' ./usr/bin/debrief ./usr/share/doc/debrief-cli/changelog.gz \
    ./usr/share/doc/debrief-cli/copyright ./usr/share/lintian/overrides/debrief-cli |
    sort | cmp -s - "$T/cli.files" && ok || { bad "cli: only the program and its docs"; cat "$T/cli.files" >&2; }
  dep_names "$cli" >"$T/cli.deps"
  for d in libc6 libsodium23 libsqlite3-0 libjansson4; do
    has_line "$T/cli.deps" "$d" && ok || bad "cli: Depends lacks $d"
  done
  grep -q 'sdl' "$T/cli.deps" && bad "cli: Depends names SDL (analysts' machines have no display)" || ok
  mkdir -p "$T/$arch/cli"
  dpkg-deb -x "$cli" "$T/$arch/cli"
  bin=$T/$arch/cli/usr/bin/debrief
  readelf -h "$bin" | grep -q "Machine:.*$machine" && ok || bad "cli: /usr/bin/debrief is not $machine code"
  readelf -S "$bin" | grep -q '\.symtab' && bad "cli: /usr/bin/debrief is not stripped" || ok
  readelf -d "$bin" | grep -q 'R.*PATH' && bad "cli: /usr/bin/debrief has an RPATH/RUNPATH" || ok
  check_needed "$cli" "$bin" "$arch"
  check_hardening "$bin" "cli: /usr/bin/debrief ($arch)"
  zcat "$T/$arch/cli/usr/share/doc/debrief-cli/changelog.gz" | head -n 1 | grep -q "^debrief ($version) " &&
    ok || bad "cli: the changelog's first entry is not version $version"

  [ -f "$kiosk" ] || { echo "  note: no $(basename "$kiosk") (CLI-only build)"; continue; }
  # --- debrief-kiosk
  check "kiosk: dpkg-deb -I" dpkg-deb -I "$kiosk"
  [ "$(dpkg-deb -f "$kiosk" Package)" = debrief-kiosk ] && ok || bad "kiosk: Package"
  [ "$(dpkg-deb -f "$kiosk" Version)" = "$version" ] && ok || bad "kiosk: Version"
  [ "$(dpkg-deb -f "$kiosk" Architecture)" = "$arch" ] && ok || bad "kiosk: Architecture"
  dpkg-deb -c "$kiosk" | awk '{print $1, $2, $6}' >"$T/kiosk.list"
  for f in "-rwxr-xr-x root/root ./usr/bin/debrief-kiosk" \
           "-rw-r--r-- root/root ./usr/lib/systemd/system/debrief-kiosk.service" \
           "-rw-r--r-- root/root ./usr/share/debrief/kiosk.conf" \
           "-rw-r--r-- root/root ./usr/share/debrief/environment" \
           "-rw-r--r-- root/root ./usr/share/debrief/surveys/ccdg.json" \
           "-rw-r--r-- root/root ./usr/share/doc/debrief-kiosk/DEPLOY.md" \
           "-rw-r--r-- root/root ./usr/lib/udev/rules.d/80-debrief-usb.rules" \
           "-rw-r--r-- root/root ./usr/lib/systemd/system/debrief-usb-mount@.service" \
           "-rw-r--r-- root/root ./usr/lib/systemd/system/debrief-usb-eject.path" \
           "-rw-r--r-- root/root ./usr/lib/systemd/system/debrief-usb-eject.service" \
           "-rwxr-xr-x root/root ./usr/lib/debrief/usb-mount" \
           "-rw-r--r-- root/root ./usr/share/doc/debrief-kiosk/changelog.gz" \
           "-rw-r--r-- root/root ./usr/share/doc/debrief-kiosk/copyright" \
           "-rw-r--r-- root/root ./usr/share/lintian/overrides/debrief-kiosk"; do
    has_line "$T/kiosk.list" "$f" && ok || bad "kiosk: missing or wrong mode: $f"
  done
  grep -q ' \./var/' "$T/kiosk.list" && bad "kiosk: ships files in /var (the data directory is made by postinst)" || ok
  # The two packages must not both own a file (dpkg would refuse to install the second).
  awk '$1 !~ /^d/ {print $3}' "$T/cli.list" | sort >"$T/a"
  awk '$1 !~ /^d/ {print $3}' "$T/kiosk.list" | sort >"$T/b"
  [ -z "$(comm -12 "$T/a" "$T/b")" ] && ok || bad "kiosk and cli both ship: $(comm -12 "$T/a" "$T/b")"

  # Control files: conffiles and maintainer scripts.
  mkdir -p "$T/$arch/ctl"
  dpkg-deb -e "$kiosk" "$T/$arch/ctl"
  ctl=$T/$arch/ctl
  # No conffiles, nothing in /etc: postinst copies the settings' templates there once (a
  # conffile the site edited stops a non-interactive upgrade at dpkg's prompt).
  [ ! -e "$ctl/conffiles" ] && ok || { bad "kiosk: has conffiles"; cat "$ctl/conffiles" >&2; }
  grep -q ' \./etc/.*[^/]$' "$T/kiosk.list" && bad "kiosk: ships files in /etc" || ok
  has_text "$ctl/postinst" 'install -D -m 0644 "/usr/share/debrief/$f" "/etc/debrief/$f"' && ok ||
    bad "postinst: does not copy the settings' templates"
  for s in postinst prerm postrm; do
    [ -x "$ctl/$s" ] && ok || bad "kiosk: no executable $s"
    check "kiosk: $s is valid sh" sh -n "$ctl/$s"
    cmp -s "$ctl/$s" "$SRC/packaging/debian/$s" && ok || bad "kiosk: $s differs from packaging/debian/$s"
  done
  has_text "$ctl/postinst" "adduser --system --group" && ok || bad "postinst: no system user"
  has_text "$ctl/postinst" "for g in video render input" && ok || bad "postinst: groups video render input"
  has_text "$ctl/postinst" "install -d -m 0700 -o debrief -g debrief /var/lib/debrief" && ok || bad "postinst: data directory 0700"
  grep -q 'rm .*/var/lib/debrief' "$ctl/postrm" && bad "postrm removes the data directory" || ok

  dep_names "$kiosk" >"$T/kiosk.deps"
  for d in debrief-cli libc6 libsodium23 libsqlite3-0 libjansson4 libsdl2-2.0-0 libsdl2-ttf-2.0-0 libpng16-16 libudev1 libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri fonts-dejavu-core adduser; do
    has_line "$T/kiosk.deps" "$d" && ok || bad "kiosk: Depends lacks $d"
  done
  dpkg-deb -f "$kiosk" Depends | grep -qF "debrief-cli (= $version)" && ok || bad "kiosk: Depends on debrief-cli (= $version)"
  mkdir -p "$T/$arch/kiosk"
  dpkg-deb -x "$kiosk" "$T/$arch/kiosk"
  kbin=$T/$arch/kiosk/usr/bin/debrief-kiosk
  readelf -h "$kbin" | grep -q "Machine:.*$machine" && ok || bad "kiosk: not $machine code"
  readelf -S "$kbin" | grep -q '\.symtab' && bad "kiosk: /usr/bin/debrief-kiosk is not stripped" || ok
  check_needed "$kiosk" "$kbin" "$arch"
  check_hardening "$kbin" "kiosk: /usr/bin/debrief-kiosk ($arch)"
  # The default fonts come from fonts-dejavu-core (checked where that package is installed).
  if dpkg -L fonts-dejavu-core >"$T/fonts" 2>/dev/null; then
    for f in DejaVuSans.ttf DejaVuSans-Bold.ttf; do
      grep -q "/$f\$" "$T/fonts" && ok || bad "fonts-dejavu-core has no $f"
    done
  fi

  # The packaged files are the sources' (no stale copies).
  cmp -s "$T/$arch/kiosk/usr/share/debrief/kiosk.conf" "$SRC/packaging/etc/kiosk.conf" && ok || bad "kiosk.conf differs"
  cmp -s "$T/$arch/kiosk/usr/lib/systemd/system/debrief-kiosk.service" \
    "$SRC/packaging/systemd/debrief-kiosk.service" && ok || bad "unit differs"
  cmp -s "$T/$arch/kiosk/usr/share/debrief/surveys/ccdg.json" "$SRC/assets/surveys/ccdg.json" && ok || bad "survey differs"

  # The default kiosk.conf names the installed survey, the data directory and the key, and
  # the kiosk's own parser accepts it (arm64: run under qemu when it is here).
  conf=$T/$arch/kiosk/usr/share/debrief/kiosk.conf
  has_line "$conf" "survey = /usr/share/debrief/surveys/ccdg.json" && ok || bad "kiosk.conf: survey"
  has_line "$conf" "recipient = /etc/debrief/analyst.pub" && ok || bad "kiosk.conf: recipient"
  has_line "$conf" "data = /var/lib/debrief" && ok || bad "kiosk.conf: data"
  run="" can=1
  if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    # Only arm64 is cross-built; its program runs under qemu with the multiarch libraries.
    run=$(command -v qemu-aarch64-static) || can=0
    [ -e /usr/lib/aarch64-linux-gnu/libSDL2_ttf-2.0.so.0 ] || can=0
  fi
  if [ $can -eq 1 ]; then
    check "kiosk accepts the default kiosk.conf" $run "$kbin" --config "$conf" --help
    printf 'survey = /x\nfullscren = yes\n' >"$T/bad.conf"
    $run "$kbin" --config "$T/bad.conf" --help >/dev/null 2>"$T/err"
    [ $? -eq 2 ] && has_text "$T/err" 'bad.conf:2: unknown setting "fullscren"' && ok ||
      { bad "kiosk: a misspelt setting is refused, naming file and line"; cat "$T/err" >&2; }
  else
    echo "  note: cannot run the $arch kiosk here: kiosk.conf parse not checked" >&2
  fi

  # The unit: the settings the deployment relies on, then systemd's own checks.
  unit=$T/$arch/kiosk/usr/lib/systemd/system/debrief-kiosk.service
  for l in Type=notify WatchdogSec=30 Restart=always User=debrief \
           "SupplementaryGroups=video render input" Environment=SDL_VIDEODRIVER=kmsdrm \
           NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes LimitCORE=0 MemorySwapMax=0 \
           LimitMEMLOCK=4M \
           StateDirectory=debrief StateDirectoryMode=0700 \
           "ExecStart=/usr/bin/debrief-kiosk --config /etc/debrief/kiosk.conf" \
           WantedBy=multi-user.target; do
    has_line "$unit" "$l" && ok || bad "unit: no line '$l'"
  done
  if command -v systemd-analyze >/dev/null; then
    # ExecStart must exist for verify: check the unit against the extracted package tree.
    sed "s|^ExecStart=/usr/bin/debrief-kiosk|ExecStart=$kbin|" "$unit" >"$T/debrief-kiosk.service"
    check "systemd-analyze verify ($arch)" systemd-analyze verify "$T/debrief-kiosk.service"
    [ -s "$T/out" ] && { bad "systemd-analyze verify printed warnings"; cat "$T/out" >&2; } || ok
    # Exposure 0 (locked down) .. 10 (unprotected); 1.4 when written. Keep it under 2.5.
    check "systemd-analyze security: exposure <= 2.5" \
      systemd-analyze security --offline=yes --threshold=25 "$T/debrief-kiosk.service"
  else
    bad "systemd-analyze is missing (apt-get install systemd)"
  fi
done
[ $n_arch -gt 0 ] || bad "no debrief-cli_${version}_*.deb in $OUT (run tools/package first)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
