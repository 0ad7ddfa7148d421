#!/usr/bin/env bash
# BuildKit: buildkitd (built from its Go module at the pinned version, run natively as root with
# Debian's runc) on a unix socket, and buildx (same way) as the docker CLI plugin, with a builder
# named `lab` (remote driver) created, selected and bootstrapped.
#   lab/buildkit.sh up|down|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/buildkitd.log"
BUILD_LOG="$LAB_LOGS/buildkit-build.log"
SOCK=/run/buildkit/buildkitd.sock
ROOT="$LAB_STATE/buildkit"
CONFIG="$LAB_STATE/buildkitd.toml"
BUILDKITD="$LAB_CACHE/buildkit/$BUILDKIT_VERSION/buildkitd"
BUILDX="$LAB_CACHE/buildx/$BUILDX_VERSION/docker-buildx"
PLUGIN="$HOME/.docker/cli-plugins/docker-buildx"
BUILDER=lab

# Build the two binaries once per pinned version (about 1 and 2 min on 2 cores).
build() {
  local started
  if [ ! -x "$BUILDKITD" ]; then
    started=$SECONDS
    lab_go_build github.com/moby/buildkit "$BUILDKIT_VERSION" ./cmd/buildkitd "$BUILDKITD" amd64 "$BUILD_LOG" \
      "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" ||
      lab_fail buildkit "$BUILD_LOG" "building buildkitd $BUILDKIT_VERSION failed"
    lab_time_log "buildkitd-build" $((SECONDS - started))
  fi
  if [ ! -x "$BUILDX" ]; then
    started=$SECONDS
    lab_go_build github.com/docker/buildx "$BUILDX_VERSION" ./cmd/buildx "$BUILDX" amd64 "$BUILD_LOG" \
      "-X github.com/docker/buildx/version.Version=$BUILDX_VERSION" ||
      lab_fail buildx "$BUILD_LOG" "building buildx $BUILDX_VERSION failed"
    lab_time_log "buildx-build" $((SECONDS - started))
  fi
  if ! cmp -s "$BUILDX" "$PLUGIN"; then
    mkdir -p "$(dirname "$PLUGIN")"
    cp "$BUILDX" "$PLUGIN.tmp" && mv "$PLUGIN.tmp" "$PLUGIN"
  fi
}

# buildkitd answers on its socket (gRPC): ask it for its workers through buildx's remote driver.
daemon_answers() {
  [ -S "$SOCK" ] && timeout 10 docker buildx inspect "$BUILDER" 2>/dev/null | grep -q '^Status: *running'
}

ensure_builder() {
  if ! docker buildx inspect "$BUILDER" >/dev/null 2>&1; then
    docker buildx create --name "$BUILDER" --driver remote "unix://$SOCK" >>"$LOG" 2>&1 ||
      lab_fail buildx "$LOG" "docker buildx create --name $BUILDER failed"
  fi
  docker buildx use --global "$BUILDER" >>"$LOG" 2>&1 || lab_fail buildx "$LOG" "docker buildx use $BUILDER failed"
}

platforms() {
  docker buildx inspect "$BUILDER" 2>/dev/null | sed -n 's/^Platforms: *//p' | head -n 1
}

up() {
  lab_apt_install runc
  build
  local state=running
  ensure_builder
  # The daemon reads its config from the state dir (a clone may move); a changed config restarts it.
  if ! cmp -s "$LAB_DIR/buildkitd.toml" "$CONFIG"; then
    lab_stop_daemon buildkitd buildkitd 30 || true
    cp "$LAB_DIR/buildkitd.toml" "$CONFIG.tmp" && mv "$CONFIG.tmp" "$CONFIG"
  fi
  if ! lab_daemon_pid buildkitd buildkitd >/dev/null && daemon_answers; then
    state="running (started outside the lab)"
  elif ! lab_daemon_pid buildkitd buildkitd >/dev/null; then
    # A socket left by a killed buildkitd would make the new one fail to listen.
    rm -f "$SOCK"
    mkdir -p "$ROOT" "$(dirname "$SOCK")"
    lab_start_daemon buildkitd "$LOG" "$BUILDKITD" --config "$CONFIG" --root "$ROOT" --addr "unix://$SOCK"
    lab_wait_for 60 test -S "$SOCK" || lab_fail buildkit "$LOG" "buildkitd did not create $SOCK within 60 s"
    state=started
  fi
  lab_wait_for 60 daemon_answers ||
    lab_fail buildkit "$LOG" "builder $BUILDER does not answer on $SOCK (docker buildx inspect $BUILDER)"
  local plats
  plats="$(platforms)"
  case "$plats" in
  *linux/amd64*linux/arm64* | *linux/arm64*linux/amd64*) ;;
  *) lab_fail buildkit "$LOG" "builder $BUILDER offers '$plats', not linux/amd64 and linux/arm64" ;;
  esac
  lab_say buildkitd "$BUILDKIT_VERSION" "$state on unix://$SOCK"
  lab_say buildx "$BUILDX_VERSION" "builder $BUILDER selected ($plats)"
}

down() {
  if lab_stop_daemon buildkitd buildkitd; then lab_say buildkitd "$BUILDKIT_VERSION" stopped; else
    lab_say buildkitd "$BUILDKIT_VERSION" "not running"
  fi
}

status() {
  if daemon_answers; then lab_say buildkitd "$BUILDKIT_VERSION" "running ($(platforms))"; else
    lab_say buildkitd "$BUILDKIT_VERSION" down
    return 1
  fi
}

lab_dispatch "up down status" "$@"
