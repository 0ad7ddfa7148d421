#!/bin/sh
# The image's ENTRYPOINT, with the contract of AWS's /lambda-entrypoint.sh: the handler is the one
# argument (from CMD). On Lambda, AWS_LAMBDA_RUNTIME_API is set and the runtime starts directly;
# anywhere else the built-in Runtime Interface Emulator serves the Runtime and Extensions APIs on
# :8080, so `docker run -p 9000:8080 <function image>` works locally.
#
# LAMBDA_RIE_OPTIONS (local runs only) adds command-line options for the emulator, e.g.
#   --runtime-interface-emulator-address 127.0.0.1:9100 --runtime-api-address 127.0.0.1:9101
# to run several containers side by side on the host network. It is split on spaces on purpose.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" >&2
  exit 142
fi
# aws-lambda-ric 4.x reads the handler only from _HANDLER; Lambda passes it for images as CMD.
export _HANDLER="$1"

RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  # shellcheck disable=SC2086 # word splitting of LAMBDA_RIE_OPTIONS is intended
  exec /usr/local/bin/aws-lambda-rie ${LAMBDA_RIE_OPTIONS:-} "$RUNTIME_ENTRYPOINT"
else
  exec "$RUNTIME_ENTRYPOINT"
fi
