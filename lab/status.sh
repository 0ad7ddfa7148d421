#!/usr/bin/env bash
# One line per component, without changing anything; exits non-zero if any component is not up.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
failed=0
for component in moto docker registry binfmt buildkit rie base-images sbom-scanner cosign sam; do
  "$here/$component.sh" status || failed=1
done
exit "$failed"
