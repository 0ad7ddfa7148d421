#!/usr/bin/env bash
# Docker Engine (Debian's docker.io), run detached without systemd. Containers use `--network host`:
# the engine runs with no bridge and no iptables rules (this VM has neither to spare).
#   lab/docker.sh up|down|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/dockerd.log"
SOCK=/var/run/docker.sock
DATA_ROOT=/var/lib/docker

healthy() {
  curl -fs --max-time 2 --unix-socket "$SOCK" http://docker/_ping >/dev/null
}

engine_version() {
  dpkg-query -W -f='${Version}' docker.io 2>/dev/null || echo unknown
}

# overlay2 where the kernel and the data root's filesystem allow an overlay mount; vfs otherwise
# (slow and big, but works everywhere). Decided once per data root: switching drivers hides images.
storage_driver() {
  local choice="$LAB_STATE/docker-storage-driver" probe
  if [ ! -s "$choice" ]; then
    mkdir -p "$DATA_ROOT"
    probe="$(mktemp -d "$DATA_ROOT/.overlay-probe.XXXXXX")"
    mkdir -p "$probe/lower" "$probe/upper" "$probe/work" "$probe/merged"
    if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
      umount "$probe/merged"
      echo overlay2 >"$choice"
    else
      echo vfs >"$choice"
    fi
    rm -rf "$probe"
  fi
  cat "$choice"
}

up() {
  lab_apt_install docker.io runc curl
  if healthy; then
    if lab_daemon_pid dockerd dockerd >/dev/null; then
      lab_say docker "$(engine_version)" "running ($(cat "$LAB_STATE/docker-storage-driver"))"
    else
      lab_say docker "$(engine_version)" "running (started outside the lab)"
    fi
    return 0
  fi
  lab_stop_daemon dockerd dockerd 40 || true
  local driver
  driver="$(storage_driver)"
  # A dockerd killed with the machine's processes leaves its pid file; dockerd refuses to start
  # while it names a live process, so drop it only when that process is gone.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  lab_start_daemon dockerd "$LOG" /usr/sbin/dockerd --host "unix://$SOCK" --data-root "$DATA_ROOT" \
    --storage-driver "$driver" --iptables=false --ip-masq=false --bridge=none
  lab_wait_for 90 healthy || lab_fail docker "$LOG" "dockerd did not answer on $SOCK within 90 s"
  lab_say docker "$(engine_version)" "started ($driver)"
}

down() {
  if lab_stop_daemon dockerd dockerd 40; then
    lab_say docker "$(engine_version)" stopped
  else
    lab_say docker "$(engine_version)" "not running (or not started by the lab)"
  fi
}

status() {
  if healthy; then lab_say docker "$(engine_version)" running; else
    lab_say docker "$(engine_version)" down
    return 1
  fi
}

lab_dispatch "up down status" "$@"
