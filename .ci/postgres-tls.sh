#!/usr/bin/env bash
# Starts a second, TLS-only PostgreSQL on 127.0.0.1 (a free port from 5433) with a CA and server certificate
# made here by openssl, and writes its verify-full URL to target/ci-postgres-tls-url.
# Needs PostgreSQL's server binaries (initdb, pg_ctl) and openssl. As root it runs the server as `postgres`.
# `bash .ci/postgres-tls.sh stop` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
dir="$PWD/target/ci-postgres-tls"
url_file="$PWD/target/ci-postgres-tls-url"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] && command -v initdb >/dev/null; then bindir=$(dirname "$(command -v initdb)"); fi
[ -n "$bindir" ] || { echo "PostgreSQL server binaries (initdb) not found; run .ci/postgres.sh first" >&2; exit 1; }

# initdb and postgres refuse to run as root.
as_db() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then as_db "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
}
stop
if [ "${1:-}" = stop ]; then rm -rf "$dir" "$url_file"; echo "stopped"; exit 0; fi
rm -rf "$dir" "$url_file"
mkdir -p "$dir"

port=5433
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

# A private CA, and a server certificate for 127.0.0.1 and localhost signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=scim-bridge test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  > "$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
chmod 600 "$dir/server.key" "$dir/ca.key"
if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi

as_db "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
cat >> "$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
EOF
# TLS only: a plain TCP connection is rejected, so a passing test proves the session was encrypted.
cat > "$dir/data/pg_hba.conf" <<EOF
local   all all                trust
hostssl all all 127.0.0.1/32   trust
host    all all 127.0.0.1/32   reject
EOF
as_db "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null

echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=verify-full&sslrootcert=$dir/ca.crt" > "$url_file"
echo "PostgreSQL with TLS ready at $(cat "$url_file")"
