#!/usr/bin/env bash
# cosign, built from its Go module (github.com/sigstore/cosign/v2 at $COSIGN_VERSION) with the
# pinned Go toolchain, and the lab's signing key pair (FOR TESTS IN THE LAB ONLY: no password, kept
# in the lab's state, never in the repo). `make test-images` signs the images it pushes with it.
#   lab/cosign.sh up|status
#   lab/cosign.sh bin   prints the cosign executable's path
#   lab/cosign.sh key   prints the private key's path (the public key is next to it, .pub)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/cosign-build.log"
COSIGN="$LAB_CACHE/cosign/$COSIGN_VERSION/cosign"
KEY_DIR="$LAB_STATE/cosign"
KEY="$KEY_DIR/lab.key"

# About 10 min on a loaded 2-core machine the first time (modules included), once per version.
build() {
  [ -x "$COSIGN" ] && return 0
  local started=$SECONDS
  lab_go_build github.com/sigstore/cosign/v2 "$COSIGN_VERSION" ./cmd/cosign "$COSIGN" amd64 "$LOG" \
    "-X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION" ||
    lab_fail cosign "$LOG" "building cosign $COSIGN_VERSION failed"
  lab_time_log cosign-build $((SECONDS - started))
}

key_pair() {
  [ -s "$KEY" ] && [ -s "${KEY%.key}.pub" ] && return 0
  mkdir -p "$KEY_DIR"
  rm -f "$KEY" "${KEY%.key}.pub"
  (cd "$KEY_DIR" && COSIGN_PASSWORD='' "$COSIGN" generate-key-pair --output-key-prefix lab) >>"$LOG" 2>&1 ||
    lab_fail cosign "$LOG" "cosign generate-key-pair failed"
  chmod 0600 "$KEY"
}

works() {
  [ -x "$COSIGN" ] && "$COSIGN" version 2>/dev/null | grep -q "GitVersion: *$COSIGN_VERSION" && [ -s "$KEY" ]
}

up() {
  build
  key_pair
  works || lab_fail cosign "$LOG" "$COSIGN does not report version $COSIGN_VERSION"
  lab_say cosign "$COSIGN_VERSION" "$COSIGN, lab key $KEY"
}

status() {
  if works; then lab_say cosign "$COSIGN_VERSION" "$COSIGN, lab key $KEY"; else
    lab_say cosign "$COSIGN_VERSION" missing
    return 1
  fi
}

bin() { echo "$COSIGN"; }
key() { echo "$KEY"; }

lab_dispatch "up status bin key" "$@"
