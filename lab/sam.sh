#!/usr/bin/env bash
# AWS SAM CLI and the Docker engine it runs functions on.
#   lab/sam.sh up      install SAM CLI (pinned, own venv), start its engine, wait until healthy
#   lab/sam.sh down    stop the engine this script started (by pid); the bridge and the venv stay
#   lab/sam.sh env     print the variables a shell needs to use them (DOCKER_HOST, SAM, bridge address)
#   lab/sam.sh status  print one line; exit 0 only if SAM CLI is installed and its engine answers
#
# Why a second engine: `sam local invoke` runs its containers in Docker's default (bridge) network
# mode and connects to a published 127.0.0.1 port; it has no option for the host network, and the
# lab's engine has no bridge (--bridge=none). This engine has its own socket, data root, exec root
# and bridge. Nothing on the bridge leaves the machine: the bridge's subnet is a private range, the
# engine writes no iptables rules and masquerades nothing, and forwarding of packets that arrive
# from the bridge is switched off, so containers reach only this machine's own addresses (the
# bridge's gateway address, where a test binds moto) and are reached only through published ports
# on 127.0.0.1. It pulls from the lab's registry on 127.0.0.1:5000 directly (its own network
# namespace is the host's).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# SAM CLI from PyPI ($SAM_CLI_VERSION in versions.env; its wheel carries its own copy of the RIE).
VENV="$LAB_STATE/sam-venv"
LOG="$LAB_LOGS/sam-dockerd.log"
INSTALL_LOG="$LAB_LOGS/sam-install.log"
SOCK="$LAB_PIDS/sam-docker.sock"
DATA_ROOT="$LAB_STATE/sam-docker"
EXEC_ROOT="$LAB_PIDS/sam-docker-exec"
PIDFILE="$LAB_PIDS/sam-dockerd.daemon.pid"
BRIDGE=labsam0
# A /24 of the private 10/8 range that nothing else on these machines uses (eth0, the VM's own
# network, is 192.0.2.0/24); the engine's address pool for further networks is the next /24.
BRIDGE_ADDR=10.213.73.1/24
ADDRESS_POOL=10.213.74.0/24

healthy() {
  curl -fs --max-time 2 --unix-socket "$SOCK" http://docker/_ping >/dev/null
}

install_key() {
  printf 'aws-sam-cli==%s python=%s' "$SAM_CLI_VERSION" "$(/usr/bin/python3 -c 'import sys; print(sys.version.split()[0])')"
}

install() {
  if [ -x "$VENV/bin/sam" ] && [ "$(cat "$VENV/.lab-key" 2>/dev/null)" = "$(install_key)" ]; then
    return 0
  fi
  local started=$SECONDS
  # pip is quiet and this takes minutes the first time: say so, so the step is never silent.
  lab_say sam "$(version_line)" "installing from PyPI into $VENV (first time only, a few minutes)"
  rm -rf "$VENV"
  {
    /usr/bin/python3 -m venv "$VENV" &&
      "$VENV/bin/pip" install --quiet "aws-sam-cli==$SAM_CLI_VERSION"
  } >>"$INSTALL_LOG" 2>&1 || lab_fail sam "$INSTALL_LOG" "pip install aws-sam-cli==$SAM_CLI_VERSION failed"
  install_key >"$VENV/.lab-key"
  lab_time_log sam-install $((SECONDS - started))
}

# The bridge with its gateway address, kept to this machine: no forwarding of what arrives on it,
# no IPv6 on it. Idempotent; the kernel state stays until the machine restarts.
bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge || lab_fail sam "" "cannot create bridge $BRIDGE (ip link add)"
  fi
  if ! ip -4 addr show dev "$BRIDGE" | grep -qF "inet $BRIDGE_ADDR "; then
    ip addr add "$BRIDGE_ADDR" dev "$BRIDGE"
  fi
  sysctl -qw "net.ipv4.conf.$BRIDGE.forwarding=0"
  sysctl -qw "net.ipv6.conf.$BRIDGE.disable_ipv6=1" 2>/dev/null || true
  ip link set "$BRIDGE" up
}

version_line() {
  printf 'aws-sam-cli %s' "$SAM_CLI_VERSION"
}

up() {
  lab_apt_install python3-venv docker.io curl iproute2 procps
  install
  bridge
  if lab_daemon_pid sam-dockerd "$SOCK" >/dev/null && healthy; then
    lab_say sam "$(version_line)" "running (engine $SOCK, bridge $BRIDGE $BRIDGE_ADDR)"
    return 0
  fi
  lab_stop_daemon sam-dockerd "$SOCK" 40 || true
  if [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    rm -f "$PIDFILE"
  fi
  mkdir -p "$DATA_ROOT" "$EXEC_ROOT"
  local driver
  driver="$(cat "$LAB_STATE/docker-storage-driver" 2>/dev/null || echo vfs)"
  lab_start_daemon sam-dockerd "$LOG" /usr/sbin/dockerd --host "unix://$SOCK" --data-root "$DATA_ROOT" \
    --exec-root "$EXEC_ROOT" --pidfile "$PIDFILE" --storage-driver "$driver" --bridge "$BRIDGE" \
    --default-address-pool "base=$ADDRESS_POOL,size=24" \
    --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false
  lab_wait_for 90 healthy || lab_fail sam "$LOG" "the SAM engine did not answer on $SOCK within 90 s"
  lab_say sam "$(version_line)" "started (engine $SOCK, bridge $BRIDGE $BRIDGE_ADDR)"
}

down() {
  if lab_stop_daemon sam-dockerd "$SOCK" 40; then
    lab_say sam "$(version_line)" "engine stopped"
  else
    lab_say sam "$(version_line)" "engine not running"
  fi
}

env() {
  printf 'DOCKER_HOST=unix://%s\nSAM_CLI=%s\nSAM_BRIDGE_ADDRESS=%s\n' "$SOCK" "$VENV/bin/sam" "${BRIDGE_ADDR%/*}"
}

status() {
  if [ ! -x "$VENV/bin/sam" ]; then
    lab_say sam "$(version_line)" "not installed"
    return 1
  fi
  if healthy; then
    lab_say sam "$(version_line)" "running (engine $SOCK, bridge $BRIDGE $BRIDGE_ADDR)"
  else
    lab_say sam "$(version_line)" "engine down"
    return 1
  fi
}

lab_dispatch "up down env status" "$@"
