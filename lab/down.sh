#!/usr/bin/env bash
# Stop the lab's daemons, each by the pid its script recorded. Caches, registry data and BuildKit
# state stay, so the next `make lab` is quick.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/moto.sh" down
