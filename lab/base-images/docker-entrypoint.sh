#!/bin/sh
# Same behaviour as the official node image's entrypoint: run the command with node if the first
# argument is an option or not a command on PATH, else run it as given.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
