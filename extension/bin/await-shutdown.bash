#!/bin/bash
# In-process mode's external extension (PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=true, docs/extension.md):
# the cache runs inside the runtime's node, so nothing is left to serve here, but the launcher's file
# in /opt/extensions is still run by Lambda, which counts an extension that exits before SHUTDOWN as a
# crash. This registers with the Extensions API for SHUTDOWN only (allowed in classic and Managed
# Instances mode, never delays an invoke), waits in GET /event/next until SHUTDOWN, and exits 0.
# A registered extension is also what makes Lambda send the runtime SIGTERM at shutdown.
#
# bash, not node: what this costs is paid before the runtime starts (Lambda starts the runtime only
# once every extension registered) and for the sandbox's life, and bash with its /dev/tcp needs no
# other program (measured in docs/benchmarks.md). Installed as
# /opt/parameters-secrets-extension/await-shutdown.bash; the launcher execs it with the extension's
# name (its own file name, which Lambda requires as Lambda-Extension-Name).
#
# Every read is bounded: the status line of /register and every header and body line within
# READ_TIMEOUT_S, at most MAX_HEADER_LINES headers and MAX_BODY_BYTES of body; only the status line
# of /event/next waits without limit (that is the wait for SHUTDOWN; a closed connection ends it).
# Failures: a failed registration cannot be reported (no identifier yet), so it is an ERROR line and
# exit 1 (Lambda fails the init, as for the separate extension); a failed /event/next is reported to
# /extension/exit/error (Extension.EventNextFailed), then ERROR line and exit 1.
set -u
export LC_ALL=C TZ=UTC0

readonly READ_TIMEOUT_S=5
readonly MAX_HEADER_LINES=100
readonly MAX_BODY_BYTES=65536
# Events other than SHUTDOWN are not subscribed to; a misbehaving API that sends some anyway is
# answered by asking again, this many times at most.
readonly MAX_OTHER_EVENTS=1000
readonly PREFIX='[Parameters and Secrets Lambda Extension]'
readonly EXTENSIONS_API=/2020-01-01/extension

name=${1:-parameters-secrets-extension}

# The extension's log levels; PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL is read as the extension reads it
# (blanks and case ignored, INFO when unset or unknown: the extension warns about a bad value itself).
declare -A RANK=([DEBUG]=0 [INFO]=1 [WARN]=2 [ERROR]=3 [NONE]=4)
threshold=${PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL:-}
threshold=${threshold//[[:space:]]/}
threshold=${threshold:-INFO}
threshold=${RANK[${threshold^^}]:-1}

log() { # LEVEL message...: the extension's log format, on fd 1 like its other lines
  local level=$1
  shift
  ((RANK[$level] >= threshold && threshold < RANK[NONE])) || return 0
  printf '%s %(%Y/%m/%d %H:%M:%S)T %s %s\n' "$PREFIX" -1 "$level" "$*"
}

api=${AWS_LAMBDA_RUNTIME_API:-}
if [[ -z $api ]]; then
  log INFO "In-process mode outside Lambda (AWS_LAMBDA_RUNTIME_API is not set): nothing to run here."
  exit 0
fi
host=${api%:*}
port=${api##*:}
host=${host#[}
host=${host%]}

# One HTTP/1.1 request on a connection of its own (Connection: close).
#   request METHOD PATH BODY WAIT_FOR_STATUS [HEADER...]
# WAIT_FOR_STATUS: seconds to wait for the status line, empty for no limit.
# Sets status (3 digits), answered_identifier (its Lambda-Extension-Identifier header) and body; returns 1 when
# the connection fails, closes before a status line, or the status line does not arrive in time.
request() {
  local method=$1 path=$2 payload=$3 wait=$4 fd line lines=0 length=
  shift 4
  status='' answered_identifier='' body=''
  exec {fd}<>"/dev/tcp/$host/$port" 2>/dev/null || return 1
  local message="$method $path HTTP/1.1"$'\r\n'"Host: $api"$'\r\n'"Connection: close"$'\r\n'
  local header
  for header in "$@"; do message+="$header"$'\r\n'; done
  message+="Content-Length: ${#payload}"$'\r\n\r\n'"$payload"
  if ! printf '%s' "$message" >&"$fd" 2>/dev/null; then
    exec {fd}<&-
    return 1
  fi
  if ! IFS= read -r ${wait:+-t "$wait"} -u "$fd" line || [[ ! $line =~ ^HTTP/1\.[01]\ ([0-9]{3}) ]]; then
    exec {fd}<&-
    return 1
  fi
  status=${BASH_REMATCH[1]}
  while ((lines++ < MAX_HEADER_LINES)) && IFS= read -r -t "$READ_TIMEOUT_S" -u "$fd" line; do
    line=${line%$'\r'}
    [[ -z $line ]] && break
    local field=${line%%:*} value=${line#*:}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    case "${field,,}" in
    lambda-extension-identifier) answered_identifier=$value ;;
    content-length) [[ $value =~ ^[0-9]{1,9}$ ]] && length=$value ;;
    esac
  done
  # The body: Content-Length bytes when given (bounded), else up to the end of the connection; a
  # partial read on timeout keeps what arrived.
  local want=$MAX_BODY_BYTES
  [[ -n $length ]] && ((length < MAX_BODY_BYTES)) && want=$length
  ((want > 0)) && IFS= read -r -N "$want" -t "$READ_TIMEOUT_S" -u "$fd" body
  exec {fd}<&-
  return 0
}

if ! request POST "$EXTENSIONS_API/register" '{"events":["SHUTDOWN"]}' "$READ_TIMEOUT_S" \
  "Lambda-Extension-Name: $name" 'Content-Type: application/json'; then
  log ERROR "Extensions API register failed: no answer from $api within ${READ_TIMEOUT_S} s."
  exit 1
fi
if [[ $status != 200 ]]; then
  log ERROR "Extensions API register failed: HTTP $status."
  exit 1
fi
identifier=$answered_identifier
# It goes into a header of every later request: nothing but an identifier's characters.
if [[ ! $identifier =~ ^[A-Za-z0-9._-]{1,128}$ ]]; then
  log ERROR 'Extensions API register failed: HTTP 200 without a valid Lambda-Extension-Identifier header.'
  exit 1
fi
log DEBUG 'Registered for SHUTDOWN (in-process mode: the runtime serves the cache).'

fail_next() { # message: report to /extension/exit/error (bounded), log, exit 1
  local message=$1
  request POST "$EXTENSIONS_API/exit/error" \
    "{\"errorMessage\":\"$message\",\"errorType\":\"Extension.EventNextFailed\"}" "$READ_TIMEOUT_S" \
    "Lambda-Extension-Identifier: $identifier" 'Lambda-Extension-Function-Error-Type: Extension.EventNextFailed' \
    'Content-Type: application/json' || true
  log ERROR "Extensions API event/next failed: $message"
  exit 1
}

for ((other = 0; other <= MAX_OTHER_EVENTS; other++)); do
  request GET "$EXTENSIONS_API/event/next" '' '' "Lambda-Extension-Identifier: $identifier" ||
    fail_next 'the connection closed without an answer'
  [[ $status == 200 ]] || fail_next "HTTP $status"
  if [[ $body =~ \"eventType\"[[:space:]]*:[[:space:]]*\"SHUTDOWN\" ]]; then
    reason=unknown
    [[ $body =~ \"shutdownReason\"[[:space:]]*:[[:space:]]*\"([A-Za-z_]{1,32})\" ]] && reason=${BASH_REMATCH[1]}
    log INFO "Shutting down (SHUTDOWN event, reason $reason; in-process mode)."
    exit 0
  fi
done
fail_next "more than $MAX_OTHER_EVENTS events other than SHUTDOWN"
