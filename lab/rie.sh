#!/usr/bin/env bash
# The Lambda Runtime Interface Emulator for linux/amd64 and linux/arm64, built from its Go module
# (pure Go, cross-compiled, CGO off) once per pinned version, into
#   /var/cache/lambda-nodejs-lab/rie/<version>/<arch>/aws-lambda-rie
# Tests and benchmarks mount these; the images build their own RIE inside their image build.
#   lab/rie.sh up|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/rie-build.log"
MODULE=github.com/aws/aws-lambda-runtime-interface-emulator
DIR="$LAB_CACHE/rie/$RIE_VERSION"

# The ELF machine each binary must have (readelf -h), so a wrong-arch binary is never handed out.
elf_machine() {
  case "$1" in
  amd64) echo 'Advanced Micro Devices X86-64' ;;
  arm64) echo AArch64 ;;
  esac
}

ok() {
  local arch="$1" bin="$DIR/$1/aws-lambda-rie"
  [ -x "$bin" ] && readelf -h "$bin" 2>/dev/null | grep -q "Machine: *$(elf_machine "$arch")"
}

up() {
  local arch started
  lab_apt_install binutils
  for arch in amd64 arm64; do
    ok "$arch" && continue
    started=$SECONDS
    lab_go_build "$MODULE" "$RIE_VERSION" ./cmd/aws-lambda-rie "$DIR/$arch/aws-lambda-rie" "$arch" "$LOG" ||
      lab_fail rie "$LOG" "building aws-lambda-rie $RIE_VERSION for $arch failed"
    ok "$arch" || lab_fail rie "$LOG" "$DIR/$arch/aws-lambda-rie is not a linux/$arch executable"
    lab_time_log "rie-build-$arch" $((SECONDS - started))
  done
  lab_say rie "$RIE_VERSION" "amd64+arm64 in $DIR"
}

status() {
  if ok amd64 && ok arm64; then lab_say rie "$RIE_VERSION" "amd64+arm64 in $DIR"; else
    lab_say rie "$RIE_VERSION" missing
    return 1
  fi
}

lab_dispatch "up status" "$@"
