#!/usr/bin/env bash
# Bring the whole lab up, one component after another; each prints one line (version, state) and
# fails loudly naming itself and its log. Idempotent: a warm run only checks.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
lab_lock
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
# SAM CLI and its engine (make test-sam); LAB_SAM=0 leaves them out (make demo does not need them).
[ "${LAB_SAM:-1}" = 0 ] || "$here/sam.sh" up
