#!/usr/bin/env bash
# A Debian root filesystem tarball like debian:<suite>-slim (minbase, docs/man/locales excluded,
# apt lists removed), built once per arch and revision with mmdebstrap (arm64 runs under qemu).
#   lab/rootfs.sh amd64|arm64    prints the cached tarball's path
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch="${1:?usage: rootfs.sh amd64|arm64}"
log="$LAB_LOGS/rootfs-$arch.log"
# Pruned like the official slim images: no docs (copyright files stay), man pages, info pages or
# translations. Pruned after installation: dpkg path-exclude options made dpkg fail to unpack here.
# shellcheck disable=SC2016 # $1 is the hook's argument, expanded by mmdebstrap's shell
prune='cd "$1" && find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete &&
  find usr/share/doc -mindepth 1 -type d -empty -delete &&
  rm -rf usr/share/man/* usr/share/info/* usr/share/groff/* usr/share/lintian/overrides/* &&
  find usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +'
args=(--variant=minbase --format=tar "--architectures=$arch" --aptopt='Acquire::Languages "none"' "--customize-hook=$prune")
sources=(
  "deb $DEBIAN_MIRROR $DEBIAN_SUITE main"
  "deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main"
  "deb $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main"
)
key="$(printf '%s\n' "$ROOTFS_REVISION" "${args[@]}" "${sources[@]}" | sha256sum | cut -c1-16)"
out="$LAB_CACHE/rootfs/$DEBIAN_SUITE-$arch-r$ROOTFS_REVISION-$key.tar"

if [ ! -s "$out" ]; then
  lab_lock
  lab_apt_install mmdebstrap arch-test
  [ "$arch" = "$(dpkg --print-architecture)" ] || "$LAB_DIR/binfmt.sh" up >/dev/null
  mkdir -p "$(dirname "$out")"
  rm -f "$out.tmp"
  started=$SECONDS
  mmdebstrap "${args[@]}" "$DEBIAN_SUITE" "$out.tmp" "${sources[@]}" >>"$log" 2>&1 ||
    lab_fail rootfs "$log" "mmdebstrap $DEBIAN_SUITE ($arch) failed"
  mv "$out.tmp" "$out"
  lab_time_log "rootfs-$arch" $((SECONDS - started))
fi
echo "$out"
