#!/usr/bin/env bash
# Runs scim2-tester (through scim2-cli, both from PyPI; written by others) against the bridge. Any check
# that does not succeed fails CI. By default it starts the bridge in demo mode on a free loopback port;
# with CONFORMANCE_URL (a SCIM base URL) and CONFORMANCE_TOKEN it tests a bridge that is already running,
# e.g. behind a proxy (.ci/nginx.sh); SSL_CERT_FILE then names the CA that signed the proxy's certificate.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/ci-venv
if [ ! -x "$venv/bin/scim2" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "scim2-cli==0.6.0"
fi
data=$(mktemp -d)
log="$data/bridge.log"
pid=""
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$data"' EXIT
if [ -n "${CONFORMANCE_URL:-}" ]; then
  url=$CONFORMANCE_URL
  token=${CONFORMANCE_TOKEN:?CONFORMANCE_TOKEN goes with CONFORMANCE_URL}
  echo "bridge log: that of the bridge behind $url" >"$log"
else
  cargo build --quiet
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  token="ci-conformance-$RANDOM$RANDOM"
  # Space limits on, so that the suite exercises the bridge's Dropbox User extension as well (it fills
  # spaceLimitGb with any 31-bit integer, hence the bound at Dropbox's own UInt32 maximum).
  SCIM_BRIDGE_SPACE_LIMITS__ENABLED=true SCIM_BRIDGE_SPACE_LIMITS__MAX_GB=4294967295 \
  SCIM_BRIDGE_LISTEN="127.0.0.1:$port" SCIM_BRIDGE_TOKEN="$token" RUST_LOG=warn \
    ./target/debug/dropbox-scim-bridge serve --demo --data-dir "$data" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  url="http://127.0.0.1:$port/scim/v2"
fi
out="$data/conformance.txt"
set +e
SCIM_CLI_HEADERS="Authorization: Bearer $token" \
  "$venv/bin/scim2" --url "$url" test >"$out" 2>&1
rc=$?
set -e
cat "$out"
ok=$(grep -c '^SUCCESS' "$out" || true)
bad=$(grep -Ec '^(ERROR|CRITICAL|WARNING)' "$out" || true)
echo "conformance against $url"
echo "conformance: $ok passed, $bad failed"
if [ "$bad" -ne 0 ] || [ "$ok" -eq 0 ] || [ "$rc" -ne 0 ]; then
  echo "--- bridge log ---"; tail -n 50 "$log"
  exit 1
fi
