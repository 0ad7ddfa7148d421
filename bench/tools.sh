#!/usr/bin/env bash
# What `make bench` needs besides the repository's npm dependencies and the lab: wrk (Debian's) as
# the HTTP load generator, and taskset (util-linux) to pin it and the servers to different cores.
# Idempotent: installs only what is missing; waits for a dpkg lock another apt run holds.
set -euo pipefail
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "bench: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=600 update >/dev/null
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
