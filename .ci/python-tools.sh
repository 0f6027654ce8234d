#!/usr/bin/env bash
# Installs the Python tools the CI suites use, each in its own virtual environment under target/ (the
# same places and versions the suites' own scripts install to when run alone): scim2-cli (conformance),
# schemathesis (API fuzzing) and kubernetes-validate (manifests). Run in the background by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
install() { # VENV PROGRAM REQUIREMENT
  if [ ! -x "$1/bin/$2" ]; then
    python3 -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check "$3"
  fi
}
install target/ci-venv scim2 "scim2-cli==$(sed -n 's/.*"scim2-cli==\([0-9.]*\)".*/\1/p' .ci/conformance.sh)" &
install target/schemathesis-venv st "schemathesis==$(sed -n 's/^version=\([0-9.]*\)$/\1/p' .ci/schemathesis.sh)" &
install target/ci-kube-venv kubernetes-validate \
  "kubernetes-validate==$(sed -n 's/.*"kubernetes-validate==\([0-9.]*\)".*/\1/p' .ci/kubernetes.sh)" &
status=0
for job in $(jobs -p); do wait "$job" || status=1; done
exit $status
