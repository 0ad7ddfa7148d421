# Shared helpers for the lab scripts (sourced, not run): paths, pins, logging, daemons by pid.
# shellcheck shell=bash

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$LAB_DIR/versions.env"

# Machine state lives outside the repo so a fresh clone (CI) reuses what an earlier run built.
# LAB_STATE_DIR / LAB_CACHE_DIR override them (e.g. to time a cold build beside a running lab).
LAB_STATE="${LAB_STATE_DIR:-/var/lib/lambda-nodejs-lab}"
LAB_CACHE="${LAB_CACHE_DIR:-/var/cache/lambda-nodejs-lab}"
LAB_LOGS="$LAB_STATE/logs"
LAB_PIDS="$LAB_STATE/run"
mkdir -p "$LAB_STATE" "$LAB_CACHE" "$LAB_LOGS" "$LAB_PIDS"

# What the lab brings up. `full` (make lab, make test): every component, stand-ins for both
# architectures and every Node major. `demo` (make demo): only what the demo's one build and run
# need: this machine's architecture, the build's Node major, no arm64 emulation, RIE binaries, SBOM
# scanner, cosign or SAM (lab/README.md, "Profiles").
LAB_PROFILE="${LAB_PROFILE:-full}"
case "$LAB_PROFILE" in
full | demo) ;;
*)
  echo "lab: LAB_PROFILE=$LAB_PROFILE is not a profile (full or demo)" >&2
  exit 2
  ;;
esac

# One line per component: "lab  <component>  <version>  <state>".
lab_say() {
  printf 'lab  %-12s %-34s %s\n' "$1" "$2" "$3"
}

# Fail loudly: name the component and the log to read, then exit non-zero.
lab_fail() {
  local component="$1" log="$2" message="$3"
  printf 'lab  %-12s FAILED: %s\n' "$component" "$message" >&2
  if [ -n "$log" ] && [ -s "$log" ]; then
    printf 'lab  %-12s read %s (last lines below)\n' "$component" "$log" >&2
    tail -n 20 "$log" | sed 's/^/    | /' >&2
  elif [ -n "$log" ]; then
    printf 'lab  %-12s read %s (empty so far)\n' "$component" "$log" >&2
  fi
  exit 1
}

# Run a long step (a first-time download or build) with its output appended to a log (`-`: left
# alone), printing a line on stderr every LAB_PROGRESS_SECONDS (default 20) while it runs, so that a
# first run is never silent for long:   lab_with_progress <component> <what it does> <log> <command...>
# The ticker stops with the step, and also if this shell exits inside it (lab_fail).
lab_with_progress() {
  local component="$1" what="$2" log="$3" every="${LAB_PROGRESS_SECONDS:-20}" parent=$$ ticker status=0
  local started=$SECONDS
  shift 3
  (
    started=$SECONDS
    while sleep "$every" </dev/null >/dev/null 2>&1 && kill -0 "$parent" 2>/dev/null; do
      printf 'lab  %-12s ... %s (%s s so far)\n' "$component" "$what" "$((SECONDS - started))" >&2
    done
  ) </dev/null >/dev/null 9>&- &
  ticker=$!
  if [ "$log" = - ]; then "$@" || status=$?; else "$@" >>"$log" 2>&1 || status=$?; fi
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  # A step long enough to have ticked says when it ends, so the next step's first tick is not the
  # next line after up to twice the interval.
  if [ "$status" -eq 0 ] && [ $((SECONDS - started)) -ge "$every" ]; then
    printf 'lab  %-12s ... %s: done in %s s\n' "$component" "$what" "$((SECONDS - started))" >&2
  fi
  return "$status"
}

# Pid of a daemon we started, if it is still that daemon. A pid file can outlive its process (the
# machine or CI killed everything) and the pid can be reused, so the process's command line must
# still contain the expected executable.
lab_daemon_pid() {
  local name="$1" expected="$2" pidfile="$LAB_PIDS/$1.pid" pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$expected"; then
    echo "$pid"
    return 0
  fi
  rm -f "$pidfile"
  return 1
}

# Start a daemon detached from make and this shell (own session, stdin closed, output to its log),
# and record its pid. setsid in a non-interactive shell's background job execs without forking, so
# $! is the daemon's own pid.
lab_start_daemon() {
  local name="$1" log="$2"
  shift 2
  printf '\n=== %s starting %s\n' "$(date -u +%FT%TZ)" "$*" >>"$log"
  # 9>&-: the daemon must not inherit (and so hold forever) the lab lock's descriptor.
  setsid nohup "$@" >>"$log" 2>&1 </dev/null 9>&- &
  echo "$!" >"$LAB_PIDS/$name.pid"
}

# Stop a daemon we started: SIGTERM, wait (default 15 s), then SIGKILL. Only ever by its recorded pid.
lab_stop_daemon() {
  local name="$1" expected="$2" seconds="${3:-15}" pid
  if ! pid="$(lab_daemon_pid "$name" "$expected")"; then
    return 1
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((seconds * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$LAB_PIDS/$name.pid"
  return 0
}

# True when anything at all answers HTTP at the URL (any status), i.e. the port is taken.
lab_http_answers() {
  curl -s -o /dev/null --max-time 2 "$1"
}

# Poll a check command until it succeeds, for at most $1 seconds.
lab_wait_for() {
  local seconds="$1" deadline
  shift
  deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

lab_apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# apt-get install the packages that are missing. apt-get update first unless it ran in the last day
# (a stamp file), so a warm lab never touches the network and a fresh machine gets current lists;
# wait for another apt (e.g. a second session installing something) instead of failing.
lab_apt_install() {
  local missing=() pkg log="$LAB_LOGS/apt.log" stamp="$LAB_STATE/apt-updated.stamp"
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    lab_with_progress apt "apt-get update" "$log" lab_apt_get update || lab_fail apt "$log" "apt-get update failed"
    touch "$stamp"
  fi
  lab_with_progress apt "apt-get install ${missing[*]}" "$log" lab_apt_get install -y --no-install-recommends "${missing[@]}" ||
    lab_fail apt "$log" "apt-get install ${missing[*]} failed"
}

# Record how long a first-time step took, so the README's figures come from real runs.
lab_time_log() {
  printf '%s %s %ss\n' "$(date -u +%FT%TZ)" "$1" "$2" >>"$LAB_LOGS/timings.log"
}

# Build <module>@<version>'s package <pkg> (e.g. ./cmd/buildkitd) with the pinned toolchain into
# <out> (a file path), for linux/<arch>; an optional 7th argument adds -ldflags (e.g. -X version).
# `go install pkg@version` refuses modules whose go.mod has replace/exclude directives (buildkit, buildx), so the module's source is downloaded through the
# proxy and built as the main module, honouring its go.mod (and vendor/ if it has one).
# Static (CGO off); module and build caches stay in the lab cache, so rebuilds are quick.
lab_go_build() {
  local module="$1" version="$2" pkg="$3" out="$4" arch="$5" log="$6" ldflags="-s -w ${7:-}" goroot src
  goroot="$("$LAB_DIR/go-toolchain.sh")" || return 1
  src="$(mktemp -d "$LAB_CACHE/go/src.XXXXXX")"
  lab_with_progress "${pkg##*/}" "building $module $version for linux/$arch (log $log)" "$log" \
    lab_go_build_in "$goroot" "$src" "$module" "$version" "$pkg" "$out" "$arch" "$ldflags" || {
    rm -rf "$src" "$out.tmp"
    return 1
  }
  mv "$out.tmp" "$out"
  rm -rf "$src"
}

# lab_go_build's download and build, in a subshell with the lab's Go environment.
lab_go_build_in() {
  local goroot="$1" src="$2" module="$3" version="$4" pkg="$5" out="$6" arch="$7" ldflags="$8"
  (
    export GOROOT="$goroot" PATH="$goroot/bin:$PATH" GOPATH="$LAB_CACHE/go/path" \
      GOMODCACHE="$LAB_CACHE/go/mod" GOCACHE="$LAB_CACHE/go/build-cache" \
      GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0 GOOS=linux GOARCH="$arch"
    unset GOBIN
    dir="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$dir" ] || {
      echo "go mod download $module@$version gave no source directory" >&2
      exit 1
    }
    cp -a "$dir/." "$src/" && chmod -R u+w "$src"
    cd "$src" && go build -trimpath -ldflags="$ldflags" -o "$out.tmp" "$pkg"
  )
}

# One lab change at a time: several sessions may run `make lab` (or `make test`) at once, and two
# starts of the same daemon would race for its port and pid file. The first script takes the lock;
# the scripts it runs inherit it (LAB_LOCKED) instead of waiting for themselves.
lab_lock() {
  [ -n "${LAB_LOCKED:-}" ] && return 0
  exec 9>"$LAB_STATE/lab.lock"
  if ! flock -w 1800 9; then
    echo "lab: another lab script has held $LAB_STATE/lab.lock for 30 min; giving up" >&2
    exit 1
  fi
  export LAB_LOCKED=1
}

# The command line of every component script: `lab/<component>.sh <command> [args]`, where <command>
# is one of the functions it names (called with the args). Commands that change the lab (up, down) take the lab lock; status
# and reset answer at once.
lab_dispatch() {
  local commands=$1 command=${2:-}
  case " $commands " in
  *" $command "*) ;;
  *)
    echo "usage: $0 ${commands// /|}" >&2
    exit 2
    ;;
  esac
  case "$command" in up | down) lab_lock ;; esac
  shift 2
  "$command" "$@"
}
