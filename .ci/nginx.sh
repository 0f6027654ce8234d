#!/usr/bin/env bash
# The bridge behind real reverse proxies, with the README's snippets as they are (docker/nginx.conf and
# docker/Caddyfile): nginx (Debian's package) terminates TLS with a certificate made in this run and
# serves the bridge under /dropbox/ (X-Forwarded-Prefix), so the public SCIM base differs from the
# bridge's own /scim/v2; Caddy (Debian's package) serves it with its own internal CA. Through each, the
# external conformance suite runs (.ci/conformance.sh) and every Location and meta.location must name the
# public URL (.ci/public_urls.py).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v caddy >/dev/null || missing+=(caddy)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi
nginx -v
caddy version

cargo build --quiet
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
show_logs() { for f in "$tmp"/*.log; do echo "--- $f ---"; tail -n 30 "$f"; done; }

# The bridge: demo mode, trusting the proxies' forwarded headers, answering only for "localhost".
bport=$(free_port)
token="ci-proxy-$RANDOM$RANDOM"
SCIM_BRIDGE_LISTEN="127.0.0.1:$bport" SCIM_BRIDGE_TOKEN="$token" RUST_LOG=warn \
  SCIM_BRIDGE_HTTP__TRUST_FORWARDED_HEADERS=true SCIM_BRIDGE_HTTP__ALLOWED_HOSTS=localhost \
  ./target/debug/dropbox-scim-bridge serve --demo --data-dir "$tmp/demo" >"$tmp/bridge.log" 2>&1 &
pids+=($!)

# A CA and a certificate for localhost, made now.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=CI proxy CA" \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$tmp/server.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -days 1 \
  -extfile "$tmp/server.ext" -out "$tmp/server.pem" 2>/dev/null

# nginx: the README's location block, with only the upstream's port changed.
nport=$(free_port)
sed "s/127\.0\.0\.1:8080/127.0.0.1:$bport/" docker/nginx.conf >"$tmp/scim-location.conf"
grep -q "127.0.0.1:$bport" "$tmp/scim-location.conf" || { echo "docker/nginx.conf has no 127.0.0.1:8080 upstream"; exit 1; }
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events {}
http {
    access_log $tmp/nginx-access.log;
    client_body_temp_path $tmp/nginx-body;
    proxy_temp_path $tmp/nginx-proxy;
    server {
        listen 127.0.0.1:$nport ssl;
        server_name localhost;
        ssl_certificate $tmp/server.pem;
        ssl_certificate_key $tmp/server.key;
        include $tmp/scim-location.conf;
    }
}
EOF
nginx -t -q -e "$tmp/nginx-error.log" -c "$tmp/nginx.conf"
nginx -e "$tmp/nginx-error.log" -c "$tmp/nginx.conf" -g 'daemon off;' &
pids+=($!)

# Caddy: the README's Caddyfile, with global options that keep it off ports 80/443, the admin port and
# the system trust store (its internal CA signs the certificate for localhost).
cport=$(free_port)
hport=$(free_port)
{
  printf '{\n\tadmin off\n\thttp_port %s\n\thttps_port %s\n\tauto_https disable_redirects\n\tskip_install_trust\n}\n' "$hport" "$cport"
  cat docker/Caddyfile
} >"$tmp/Caddyfile"
mkdir -p "$tmp/caddy-home"
HOME="$tmp/caddy-home" XDG_DATA_HOME="$tmp/caddy-home/data" XDG_CONFIG_HOME="$tmp/caddy-home/config" \
  SCIM_SITE="localhost:$cport" SCIM_UPSTREAM="127.0.0.1:$bport" \
  caddy run --config "$tmp/Caddyfile" --adapter caddyfile >"$tmp/caddy.log" 2>&1 &
pids+=($!)
caddy_ca="$tmp/caddy-home/data/caddy/pki/authorities/local/root.crt"

wait_for() { # URL CA
  for _ in $(seq 1 100); do
    [ -f "$2" ] && curl -fsS --cacert "$2" "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  show_logs; echo "no answer from $1"; return 1
}

through() { # NAME PUBLIC_SCIM_BASE PROBE_URL CA
  echo "--- through $1: $2 ---"
  wait_for "$3" "$4"
  CONFORMANCE_URL="$2" CONFORMANCE_TOKEN="$token" SSL_CERT_FILE="$4" bash .ci/conformance.sh ||
    { show_logs; exit 1; }
  SSL_CERT_FILE="$4" python3 .ci/public_urls.py "$2" "$token" || { show_logs; exit 1; }
}

through nginx "https://localhost:$nport/dropbox/scim/v2" "https://localhost:$nport/dropbox/healthz" "$tmp/ca.pem"
through Caddy "https://localhost:$cport/scim/v2" "https://localhost:$cport/healthz" "$caddy_ca"
echo "reverse proxies: nginx and Caddy passed"
