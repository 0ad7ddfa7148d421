#!/usr/bin/env bash
# arm64 emulation: Debian's qemu-user-static registered with binfmt_misc (flags F: the interpreter
# is opened at registration, so it works inside containers and BuildKit RUN steps).
#   lab/binfmt.sh up|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/binfmt.log"
ENTRY=/proc/sys/fs/binfmt_misc/qemu-aarch64

version() {
  dpkg-query -W -f='${Version}' qemu-user-static 2>/dev/null || echo unknown
}

registered() {
  [ -f "$ENTRY" ] && grep -qx enabled "$ENTRY" && grep -q '^flags:.*F' "$ENTRY"
}

up() {
  if registered; then
    lab_say binfmt "qemu $(version)" "arm64 registered"
    return 0
  fi
  lab_apt_install qemu-user-static binfmt-support
  if [ ! -f /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc >>"$LOG" 2>&1 ||
      lab_fail binfmt "$LOG" "cannot mount binfmt_misc on /proc/sys/fs/binfmt_misc"
  fi
  update-binfmts --enable qemu-aarch64 >>"$LOG" 2>&1 || lab_fail binfmt "$LOG" "update-binfmts --enable qemu-aarch64 failed"
  registered || lab_fail binfmt "$LOG" "qemu-aarch64 is not enabled with flag F in $ENTRY"
  lab_say binfmt "qemu $(version)" "arm64 registered now"
}

status() {
  if registered; then lab_say binfmt "qemu $(version)" "arm64 registered"; else
    lab_say binfmt "qemu $(version)" "arm64 not registered"
    return 1
  fi
}

lab_dispatch "up status" "$@"
