# The one rule for PARAMETERS_SECRETS_EXTENSION_IN_PROCESS, sourced (`.`, POSIX sh, no fork) by the
# runtime's bootstrap (/var/runtime/bootstrap: load the in-process bundle or not) and by the launcher
# (/opt/extensions/parameters-secrets-extension: start the separate server or only wait for SHUTDOWN),
# so the two always agree. Installed as /opt/parameters-secrets-extension/in-process-mode.sh.
#
# The value is read as the extension reads every boolean variable (extension/src/wire/go-values.ts,
# parseBoolean): surrounding blanks ignored, case ignored, true/t/1 or false/f/0; unset or blank is
# the default, false (the separate process, as AWS's extension). Anything else is the default too, and
# `parameters_secrets_in_process warn` says so on stderr, naming the variable, in the extension's log
# format (only the bootstrap asks for the warning, so it is printed once per sandbox).
#
# Sets parameters_secrets_in_process to true or false.
parameters_secrets_in_process() {
  parameters_secrets_in_process=false
  _psim_raw=${PARAMETERS_SECRETS_EXTENSION_IN_PROCESS:-}
  _psim_raw=${_psim_raw#"${_psim_raw%%[![:space:]]*}"}
  _psim_raw=${_psim_raw%"${_psim_raw##*[![:space:]]}"}
  case "$_psim_raw" in
  [Tt][Rr][Uu][Ee] | [Tt] | 1) parameters_secrets_in_process=true ;;
  '' | [Ff][Aa][Ll][Ss][Ee] | [Ff] | 0) ;;
  *)
    if [ "${1:-}" = warn ]; then
      # The value is a switch, not a secret; clipped as the extension clips bad values in its warnings.
      [ "${#_psim_raw}" -le 64 ] || _psim_raw="$(printf '%.64s' "$_psim_raw")…"
      echo "[Parameters and Secrets Lambda Extension] $(date -u '+%Y/%m/%d %H:%M:%S') WARN" \
        "PARAMETERS_SECRETS_EXTENSION_IN_PROCESS is \"$_psim_raw\", not TRUE or FALSE. Using FALSE (the separate process)." >&2
    fi
    ;;
  esac
  unset _psim_raw
}
