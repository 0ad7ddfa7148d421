#!/usr/bin/env bash
# Runs a command and, while it runs, prints "... <label> (<n> s so far)" on stderr every 20 s
# (PROGRESS_SECONDS), so a long first-time step (npm ci from an empty cache) is never silent.
# Exits with the command's status.   scripts/with-progress.sh <label> <command...>
set -euo pipefail
label=${1:?usage: with-progress.sh <label> <command...>}
shift
every=${PROGRESS_SECONDS:-20}
"$@" &
pid=$!
started=$SECONDS
next=$every
while kill -0 "$pid" 2>/dev/null; do
  sleep 1
  if [ $((SECONDS - started)) -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
    echo "... $label ($((SECONDS - started)) s so far)" >&2
    next=$((next + every))
  fi
done
wait "$pid"
