#!/usr/bin/env bash
# The deployment files, proved without Docker or a cluster: the Dockerfile's build stage mirrored
# (.ci/docker.sh: release build, stripped, non-root, healthcheck), the Kubernetes manifests against the API
# schemas (.ci/kubernetes.sh), and the README's nginx and Caddy snippets in front of the bridge with TLS
# made in the run, the conformance suite and a public-URL check through each (.ci/nginx.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# CI_DOCKER_DONE=1: .ci/run already ran .ci/docker.sh (beside the conformance suites) and checked it.
scripts=(docker kubernetes nginx)
if [ "${CI_DOCKER_DONE:-}" = 1 ]; then scripts=(kubernetes nginx); fi
for script in "${scripts[@]}"; do
  printf '\n--- .ci/%s.sh ---\n' "$script"
  bash ".ci/$script.sh"
done
