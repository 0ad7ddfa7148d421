#!/usr/bin/env bash
# One line per component, without changing anything; exits non-zero if any component is not up.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
failed=0
components="moto docker registry binfmt buildkit rie base-images sbom-scanner cosign sam"
# LAB_PROFILE=demo: only the components make demo brings up.
[ "$LAB_PROFILE" = full ] || components="moto docker registry buildkit base-images"
for component in $components; do
  "$here/$component.sh" status || failed=1
done
exit "$failed"
