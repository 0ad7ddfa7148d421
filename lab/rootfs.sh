#!/usr/bin/env bash
# A Debian root filesystem tarball like debian:<suite>-slim (minbase, docs/man/locales excluded,
# apt lists removed), built once per arch and revision with mmdebstrap (arm64 runs under qemu).
#   lab/rootfs.sh amd64|arm64    prints the cached tarball's path
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch="${1:?usage: rootfs.sh amd64|arm64}"
log="$LAB_LOGS/rootfs-$arch.log"
# The same path excludes as the official slim images (debuerreotype's slimify), so apt installs in
# later RUN steps stay slim too (mmdebstrap keeps them in /etc/dpkg/dpkg.cfg.d).
excludes=(
  /usr/share/doc/* /usr/share/groff/* /usr/share/info/* /usr/share/linda/*
  /usr/share/lintian/overrides/* /usr/share/locale/* /usr/share/man/*
)
args=(--variant=minbase "--architectures=$arch" --aptopt='Acquire::Languages "none"')
for pattern in "${excludes[@]}"; do args+=("--dpkgopt=path-exclude=$pattern"); done
args+=(--dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-include=/usr/share/locale/locale.alias')
sources=(
  "deb $DEBIAN_MIRROR $DEBIAN_SUITE main"
  "deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main"
  "deb $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main"
)
key="$(printf '%s\n' "$ROOTFS_REVISION" "${args[@]}" "${sources[@]}" | sha256sum | cut -c1-16)"
out="$LAB_CACHE/rootfs/$DEBIAN_SUITE-$arch-r$ROOTFS_REVISION-$key.tar"

if [ ! -s "$out" ]; then
  lab_apt_install mmdebstrap
  [ "$arch" = "$(dpkg --print-architecture)" ] || "$LAB_DIR/binfmt.sh" up >/dev/null
  mkdir -p "$(dirname "$out")"
  started=$SECONDS
  mmdebstrap "${args[@]}" "$DEBIAN_SUITE" "$out.tmp" "${sources[@]}" >>"$log" 2>&1 ||
    lab_fail rootfs "$log" "mmdebstrap $DEBIAN_SUITE ($arch) failed"
  mv "$out.tmp" "$out"
  lab_time_log "rootfs-$arch" $((SECONDS - started))
fi
echo "$out"
