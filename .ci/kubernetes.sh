#!/usr/bin/env bash
# Validates docker/kubernetes/*.yaml against the Kubernetes API schemas (kubernetes-validate from PyPI,
# which ships the schemas: no cluster, no network beyond the install), strictly (an unknown field fails),
# for the oldest and the newest Kubernetes release we claim. How the probes, ports and grace period fit
# the binary is checked by tests/api/deploy/manifests.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/ci-kube-venv
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==1.37.0"
fi
for version in 1.29.0 1.37.0; do
  "$venv/bin/kubernetes-validate" --strict -k "$version" docker/kubernetes/*.yaml
done
