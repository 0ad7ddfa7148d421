#!/usr/bin/env bash
# What `make scale` needs besides the npm dependencies: matplotlib (pinned, from PyPI) in a venv of its
# own for the plot. Idempotent: builds the venv once per pin; prints the venv's python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
requirements="$here/requirements.txt"
venv="${SCALE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/lambda-nodejs-scale/venv-$(sha256sum "$requirements" | cut -c1-12)}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
  echo "scale: installing the plot's Python packages into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
fi
echo "$venv/bin/python"
