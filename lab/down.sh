#!/usr/bin/env bash
# Stop the lab's daemons, each by the pid its script recorded. Caches, registry data and BuildKit
# state stay, so the next `make lab` is quick. (binfmt registrations are kernel state and stay.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
lab_lock
"$here/sam.sh" down
"$here/buildkit.sh" down
"$here/registry.sh" down
"$here/docker.sh" down
"$here/moto.sh" down
