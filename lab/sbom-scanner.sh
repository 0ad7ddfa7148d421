#!/usr/bin/env bash
# The SBOM scanner image BuildKit runs for `--attest type=sbom` (FOR THE LAB ONLY: a stand-in for
# docker/buildkit-syft-scanner, whose module the Go module proxy does not serve here). Our own small
# program (lab/sbom-scanner/main.go) around the syft library at $SYFT_VERSION, built with the pinned
# Go toolchain, in a FROM-scratch image pushed under the name BuildKit pulls by default:
#   127.0.0.1:5000/docker/buildkit-syft-scanner:stable-1   (docker.io is mirrored by the registry)
# BuildKit runs the scanner on the build platform (the lab's builder is linux/amd64), so the image
# is linux/amd64 only. Rebuilt only when main.go or the syft pin changes, or the registry lost it.
#   lab/sbom-scanner.sh up|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/sbom-scanner.log"
SRC="$LAB_DIR/sbom-scanner/main.go"
REPO=docker/buildkit-syft-scanner
TAG=stable-1
KEY="$({ echo "$SYFT_VERSION $GO_VERSION"; cat "$SRC"; } | sha256sum | cut -c1-16)"
DIR="$LAB_CACHE/sbom-scanner/$SYFT_VERSION-$KEY"
BIN="$DIR/sbom-scanner"
STATE="$LAB_STATE/sbom-scanner.digest"

# The program's module is made here, not kept in the repo: it requires only syft at the pin, so the
# versions of everything else follow from syft's go.mod (and are checked against the checksum DB).
build_in() {
  local goroot="$1" work="$2"
  (
    export GOROOT="$goroot" PATH="$goroot/bin:$PATH" GOPATH="$LAB_CACHE/go/path" \
      GOMODCACHE="$LAB_CACHE/go/mod" GOCACHE="$LAB_CACHE/go/build-cache" \
      GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0 GOOS=linux GOARCH=amd64
    cd "$work" &&
      go mod init lambda-nodejs-lab/sbom-scanner &&
      go get "github.com/anchore/syft@$SYFT_VERSION" &&
      go mod tidy &&
      go build -trimpath -ldflags='-s -w' -o "$BIN.tmp" .
  )
}

build() {
  [ -x "$BIN" ] && return 0
  local goroot work started=$SECONDS
  goroot="$("$LAB_DIR/go-toolchain.sh" amd64)" || lab_fail sbom-scanner "" "no Go toolchain"
  mkdir -p "$DIR"
  work="$(mktemp -d "$DIR/build.XXXXXX")"
  cp "$SRC" "$work/main.go"
  lab_with_progress sbom-scanner "building the scanner with syft $SYFT_VERSION (log $LOG)" "$LOG" \
    build_in "$goroot" "$work" || {
    rm -rf "$work" "$BIN.tmp"
    lab_fail sbom-scanner "$LOG" "building the scanner with syft $SYFT_VERSION failed"
  }
  mv "$BIN.tmp" "$BIN"
  rm -rf "$work"
  lab_time_log sbom-scanner-build $((SECONDS - started))
}

# Digest the registry serves for the scanner's tag, or nothing.
served_digest() {
  curl -fsI --max-time 5 -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REGISTRY_ADDR/v2/$REPO/manifests/$TAG" 2>/dev/null |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

pushed() {
  local key digest
  [ -f "$STATE" ] && read -r key digest <"$STATE" && [ "$key" = "$KEY" ] && [ "$(served_digest)" = "$digest" ]
}

push() {
  local ctx="$DIR/context" digest
  rm -rf "$ctx" && mkdir -p "$ctx"
  ln "$BIN" "$ctx/sbom-scanner"
  printf 'FROM scratch\nCOPY sbom-scanner /bin/sbom-scanner\nENTRYPOINT ["/bin/sbom-scanner"]\n' >"$ctx/Dockerfile"
  docker buildx build --builder lab --platform linux/amd64 --provenance=false --sbom=false \
    --label "org.opencontainers.image.description=Lab stand-in SBOM scanner (syft $SYFT_VERSION)" \
    -t "$REGISTRY_ADDR/$REPO:$TAG" --push --metadata-file "$ctx.meta.json" "$ctx" >>"$LOG" 2>&1 ||
    lab_fail sbom-scanner "$LOG" "pushing $REPO:$TAG failed"
  digest="$(sed -n 's/^ *"containerimage.digest": *"\(sha256:[0-9a-f]*\)".*/\1/p' "$ctx.meta.json" | head -n 1)"
  [ -n "$digest" ] || lab_fail sbom-scanner "$LOG" "no digest in $ctx.meta.json after pushing $REPO:$TAG"
  echo "$KEY $digest" >"$STATE"
  rm -rf "$ctx" "$ctx.meta.json"
}

up() {
  local state="present in"
  if ! pushed; then
    build
    push
    state="built and pushed to"
  fi
  lab_say sbom-scanner "syft $SYFT_VERSION" "$state $REGISTRY_ADDR/$REPO:$TAG"
}

status() {
  if pushed; then lab_say sbom-scanner "syft $SYFT_VERSION" "present in $REGISTRY_ADDR/$REPO:$TAG"; else
    lab_say sbom-scanner "syft $SYFT_VERSION" missing
    return 1
  fi
}

lab_dispatch "up status" "$@"
