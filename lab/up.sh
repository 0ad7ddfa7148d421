#!/usr/bin/env bash
# Bring the lab up, one component after another; each prints one line (version, state) and fails
# loudly naming itself and its log. Idempotent: a warm run only checks.
#   lab/up.sh                  every component (make lab, make test)
#   LAB_PROFILE=demo lab/up.sh only what make demo needs (lab/README.md, "Profiles")
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
lab_lock
if [ "$LAB_PROFILE" = demo ]; then
  # The demo builds one image for this machine's architecture and runs it: no arm64 emulation, no
  # RIE binaries on the host (the image builds its own), no SBOM scanner (the demo's build leaves
  # the SBOM out when it is missing), no cosign (nothing is signed), no SAM.
  lab_apt_install curl unzip python3-venv docker.io runc docker-registry mmdebstrap arch-test
  "$here/moto.sh" up
  "$here/docker.sh" up
  "$here/registry.sh" up
  # On a fresh machine the stand-ins' root filesystems (downloads, dpkg) are made while BuildKit
  # compiles (CPU); base-images.sh up then finds them cached.
  "$here/base-images.sh" rootfs &
  rootfs=$!
  "$here/buildkit.sh" up
  wait "$rootfs" || exit 1
  "$here/base-images.sh" up
  exit 0
fi
# Every Debian package the lab uses, in one apt transaction on a fresh machine (each script also
# checks its own, so it can run alone).
lab_apt_install curl unzip binutils python3-venv docker.io runc docker-registry qemu-user-static \
  binfmt-support mmdebstrap arch-test
"$here/moto.sh" up
"$here/docker.sh" up
"$here/registry.sh" up
"$here/binfmt.sh" up
"$here/buildkit.sh" up
"$here/rie.sh" up
"$here/base-images.sh" up
"$here/sbom-scanner.sh" up
"$here/cosign.sh" up
# SAM CLI and its engine (make test-sam); LAB_SAM=0 leaves them out.
[ "${LAB_SAM:-1}" = 0 ] || "$here/sam.sh" up
