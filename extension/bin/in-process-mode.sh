# The one rule for PARAMETERS_SECRETS_EXTENSION_IN_PROCESS, sourced (`.`, POSIX sh, no fork) by the
# runtime's bootstrap (/var/runtime/bootstrap: load the in-process bundle or not) and by the launcher
# (/opt/extensions/parameters-secrets-extension: start the separate server or only wait for SHUTDOWN),
# so the two always agree. Installed as /opt/parameters-secrets-extension/in-process-mode.sh.
#
# The value is read as extension/src/config.ts reads it (readInProcess; an integration test holds the
# two to the same answers): surrounding blanks ignored, `true` or `false` in any case; unset or blank
# is the default, false (the separate process, as AWS's extension). Anything else is the default too,
# and `parameters_secrets_in_process warn` says so on stderr, naming the variable, in the extension's
# log format. The separate extension warns about it itself (config.ts), so the bootstrap asks for the
# warning only when there is no separate extension to start.
#
# Sets parameters_secrets_in_process to true or false.
parameters_secrets_in_process() {
  parameters_secrets_in_process=false
  _psim_raw=${PARAMETERS_SECRETS_EXTENSION_IN_PROCESS:-}
  _psim_raw=${_psim_raw#"${_psim_raw%%[![:space:]]*}"}
  _psim_raw=${_psim_raw%"${_psim_raw##*[![:space:]]}"}
  case "$_psim_raw" in
  [Tt][Rr][Uu][Ee]) parameters_secrets_in_process=true ;;
  '' | [Ff][Aa][Ll][Ss][Ee]) ;;
  *)
    if [ "${1:-}" = warn ]; then
      # The value is a switch, not a secret; clipped as the extension clips bad values in its warnings.
      [ "${#_psim_raw}" -le 64 ] || _psim_raw="$(printf '%.64s' "$_psim_raw")…"
      echo "[Parameters and Secrets Lambda Extension] $(date -u '+%Y/%m/%d %H:%M:%S') WARN" \
        "PARAMETERS_SECRETS_EXTENSION_IN_PROCESS is \"$_psim_raw\", not true or false. Using false (a process of its own)." >&2
    fi
    ;;
  esac
  unset _psim_raw
}
