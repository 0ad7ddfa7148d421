#!/usr/bin/env bash
# The pinned Go toolchain for linux/<arch>, from the Go module proxy, unpacked once into the cache.
#   lab/go-toolchain.sh [amd64|arm64]   prints its GOROOT (default: this machine's arch)
# The machine's own Go (if any) is never used, so every machine builds with the same compiler.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch="${1:-$(dpkg --print-architecture)}"
case "$arch" in
amd64) sum="$GO_TOOLCHAIN_SHA256_AMD64" ;;
arm64) sum="$GO_TOOLCHAIN_SHA256_ARM64" ;;
*) lab_fail go "" "unsupported arch '$arch' (amd64 or arm64)" ;;
esac
module="golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-$arch"
root="$LAB_CACHE/go/$GO_VERSION/linux-$arch"
zip="$LAB_CACHE/go/dl/go$GO_VERSION.linux-$arch.zip"
log="$LAB_LOGS/go-toolchain.log"
proxy="${GOPROXY:-https://proxy.golang.org}"
proxy="${proxy%%[,|]*}"
case "$proxy" in http*) ;; *) proxy=https://proxy.golang.org ;; esac

if [ ! -x "$root/bin/go" ]; then
  lab_apt_install unzip curl
  mkdir -p "$(dirname "$zip")"
  if [ ! -f "$zip" ] || ! echo "$sum  $zip" | sha256sum -c --status; then
    curl -fsS --retry 3 -o "$zip.part" "$proxy/golang.org/toolchain/@v/v0.0.1-go$GO_VERSION.linux-$arch.zip" 2>>"$log" ||
      lab_fail go "$log" "download of $module from $proxy failed"
    echo "$sum  $zip.part" | sha256sum -c --status || lab_fail go "$log" "$module: SHA-256 differs from lab/versions.env"
    mv "$zip.part" "$zip"
  fi
  tmp="$(mktemp -d "$LAB_CACHE/go/unpack.XXXXXX")"
  unzip -q "$zip" -d "$tmp" >>"$log" 2>&1 || lab_fail go "$log" "unzip $zip failed"
  # The module zip drops the executable bits; restore them on the tools.
  chmod -R a+x "$tmp/$module/bin" "$tmp/$module/pkg/tool"
  rm -rf "$root"
  mkdir -p "$(dirname "$root")"
  mv "$tmp/$module" "$root"
  rm -rf "$tmp"
fi
echo "$root"
