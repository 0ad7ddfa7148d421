#!/usr/bin/env bash
# moto: a real AWS-API server (SSM Parameter Store, Secrets Manager) on 127.0.0.1:5055.
#   lab/moto.sh up      install (pinned, own venv) if needed, start detached, wait until healthy
#   lab/moto.sh down    stop the server this script started (by pid)
#   lab/moto.sh reset   drop every parameter/secret: POST /moto-api/reset
#   lab/moto.sh status  print one line; exit 0 only if the server answers
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VENV="$LAB_STATE/moto-venv"
LOG="$LAB_LOGS/moto.log"
URL="http://$MOTO_HOST:$MOTO_PORT"
CONSTRAINTS="$LAB_DIR/moto-constraints.txt"

healthy() {
  curl -fs --max-time 2 "$URL/moto-api/data.json" >/dev/null
}

# The venv is keyed by the pinned version, extras and the constraints file: any change rebuilds it.
install_key() {
  printf '%s %s %s' "$MOTO_VERSION" "$MOTO_EXTRAS" "$(sha256sum "$CONSTRAINTS" | cut -d' ' -f1)"
}

venv_install() {
  /usr/bin/python3 -m venv "$VENV" &&
    "$VENV/bin/pip" install --quiet -c "$CONSTRAINTS" "moto[$MOTO_EXTRAS]==$MOTO_VERSION"
}

install() {
  if [ -x "$VENV/bin/moto_server" ] && [ "$(cat "$VENV/.lab-key" 2>/dev/null)" = "$(install_key)" ]; then
    return 0
  fi
  local started=$SECONDS
  lab_apt_install python3-venv curl
  rm -rf "$VENV"
  lab_with_progress moto "pip install moto[$MOTO_EXTRAS]==$MOTO_VERSION into $VENV" "$LOG" venv_install ||
    lab_fail moto "$LOG" "pip install moto[$MOTO_EXTRAS]==$MOTO_VERSION failed"
  install_key >"$VENV/.lab-key"
  lab_time_log moto-install $((SECONDS - started))
}

up() {
  install
  if lab_daemon_pid moto moto_server >/dev/null && healthy; then
    lab_say moto "$MOTO_VERSION" "running on $URL"
    return 0
  fi
  # A stale server of ours that stopped answering is restarted; a foreign process on the port is an error.
  lab_stop_daemon moto moto_server || true
  if lab_http_answers "$URL/moto-api/data.json"; then
    lab_fail moto "$LOG" "something else already answers on $URL (not started by lab/moto.sh)"
  fi
  lab_start_daemon moto "$LOG" "$VENV/bin/moto_server" -H "$MOTO_HOST" -p "$MOTO_PORT"
  lab_wait_for 60 healthy || lab_fail moto "$LOG" "moto_server did not answer on $URL within 60 s"
  lab_say moto "$MOTO_VERSION" "started on $URL"
}

down() {
  if lab_stop_daemon moto moto_server; then
    lab_say moto "$MOTO_VERSION" stopped
  else
    lab_say moto "$MOTO_VERSION" "not running"
  fi
}

reset() {
  curl -fsS --max-time 5 -X POST "$URL/moto-api/reset" >/dev/null ||
    lab_fail moto "$LOG" "POST $URL/moto-api/reset failed (is it up? lab/moto.sh up)"
  lab_say moto "$MOTO_VERSION" reset
}

status() {
  if healthy; then
    lab_say moto "$MOTO_VERSION" "running on $URL"
  else
    lab_say moto "$MOTO_VERSION" "down"
    return 1
  fi
}

lab_dispatch "up down reset status" "$@"
