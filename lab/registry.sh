#!/usr/bin/env bash
# The local registry on 127.0.0.1:5000 (Debian's docker-registry), run detached; data is kept in
# /var/lib/lambda-nodejs-lab/registry so pushed images survive restarts and fresh clones.
#   lab/registry.sh up|down|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/registry.log"
DATA="$LAB_STATE/registry"
CONFIG="$LAB_STATE/registry-config.yml"
URL="http://$REGISTRY_ADDR"

healthy() {
  curl -fs --max-time 2 "$URL/v2/" >/dev/null
}

version() {
  dpkg-query -W -f='${Version}' docker-registry 2>/dev/null || echo unknown
}

up() {
  lab_apt_install docker-registry curl
  mkdir -p "$DATA"
  # The daemon reads its config from the state dir (a clone may move); a changed config restarts it.
  # @DATA@ and @ADDR@ (REGISTRY_ADDR) are filled in here.
  sed -e "s|@DATA@|$DATA|" -e "s|@ADDR@|$REGISTRY_ADDR|" "$LAB_DIR/registry-config.yml" >"$CONFIG.tmp"
  if cmp -s "$CONFIG.tmp" "$CONFIG"; then rm -f "$CONFIG.tmp"; else
    lab_stop_daemon registry docker-registry || true
    mv "$CONFIG.tmp" "$CONFIG"
  fi
  if lab_daemon_pid registry docker-registry >/dev/null && healthy; then
    lab_say registry "$(version)" "running on $REGISTRY_ADDR"
    return 0
  fi
  lab_stop_daemon registry docker-registry || true
  if lab_http_answers "$URL/v2/"; then
    lab_fail registry "$LOG" "something else already answers on $URL (not started by lab/registry.sh; a packaged docker-registry service? stop and disable it)"
  fi
  lab_start_daemon registry "$LOG" /usr/bin/docker-registry serve "$CONFIG"
  lab_wait_for 30 healthy || lab_fail registry "$LOG" "docker-registry did not answer on $URL within 30 s"
  lab_say registry "$(version)" "started on $REGISTRY_ADDR"
}

down() {
  if lab_stop_daemon registry docker-registry; then lab_say registry "$(version)" stopped; else
    lab_say registry "$(version)" "not running"
  fi
}

status() {
  if healthy; then lab_say registry "$(version)" "running on $REGISTRY_ADDR"; else
    lab_say registry "$(version)" down
    return 1
  fi
}

lab_dispatch "up down status" "$@"
