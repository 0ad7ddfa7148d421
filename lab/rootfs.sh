#!/usr/bin/env bash
# A Debian root filesystem tarball for the stand-in base images, built once per suite, arch, variant
# and revision with mmdebstrap (arm64 runs under qemu). Both are minbase with docs/man/locales pruned
# and apt lists removed, like debian:<suite>-slim, plus:
#   node  libatomic1 (node >= 26 links it; the official node slim images keep it)
#   scm   ca-certificates, git and netbase, like buildpack-deps:<suite>-scm (golang image)
# Reproducible: SOURCE_DATE_EPOCH (LAB_SOURCE_DATE_EPOCH) clamps every timestamp and makes mmdebstrap
# drop its logs, and the host's resolv.conf/hostname are not copied in, so the same Debian packages
# give the same tarball on any machine. New packages from Debian give a new tarball (docs/images.md).
#   lab/rootfs.sh amd64|arm64 node|scm    prints the cached tarball's path
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch="${1:?usage: rootfs.sh amd64|arm64 node|scm}"
variant="${2:?usage: rootfs.sh amd64|arm64 node|scm}"
case "$variant" in
node) include=(--include=libatomic1) ;;
scm) include=(--include=ca-certificates,git,netbase) ;;
*) lab_fail rootfs "" "unknown variant '$variant' (node or scm)" ;;
esac
log="$LAB_LOGS/rootfs-$DEBIAN_SUITE-$variant-$arch.log"
# Pruned like the official slim images: no docs (copyright files stay), man pages, info pages or
# translations. Pruned after installation: dpkg path-exclude options made dpkg fail to unpack here.
# shellcheck disable=SC2016 # $1 is the hook's argument, expanded by mmdebstrap's shell
prune='cd "$1" && find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete &&
  find usr/share/doc -mindepth 1 -type d -empty -delete &&
  rm -rf usr/share/man/* usr/share/info/* usr/share/groff/* usr/share/lintian/overrides/* &&
  find usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + &&
  rm -f etc/resolv.conf etc/hostname'
args=(--variant=minbase --format=tar "--architectures=$arch" --aptopt='Acquire::Languages "none"'
  "${include[@]}" "--customize-hook=$prune")
sources=(
  "deb $DEBIAN_MIRROR $DEBIAN_SUITE main"
  "deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main"
  "deb $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main"
)
key="$(printf '%s\n' "$ROOTFS_REVISION" "$LAB_SOURCE_DATE_EPOCH" "${args[@]}" "${sources[@]}" | sha256sum | cut -c1-16)"
out="$LAB_CACHE/rootfs/$DEBIAN_SUITE-$variant-$arch-r$ROOTFS_REVISION-$key.tar"

if [ ! -s "$out" ]; then
  lab_lock
  lab_apt_install mmdebstrap arch-test
  [ "$arch" = "$(dpkg --print-architecture)" ] || "$LAB_DIR/binfmt.sh" up >/dev/null
  mkdir -p "$(dirname "$out")"
  rm -f "$out.tmp"
  started=$SECONDS
  lab_with_progress rootfs "mmdebstrap $DEBIAN_SUITE $variant for $arch (log $log)" "$log" \
    env SOURCE_DATE_EPOCH="$LAB_SOURCE_DATE_EPOCH" mmdebstrap "${args[@]}" "$DEBIAN_SUITE" "$out.tmp" "${sources[@]}" ||
    lab_fail rootfs "$log" "mmdebstrap $DEBIAN_SUITE $variant ($arch) failed"
  mv "$out.tmp" "$out"
  lab_time_log "rootfs-$DEBIAN_SUITE-$variant-$arch" $((SECONDS - started))
fi
echo "$out"
