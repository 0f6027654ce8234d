#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 and writes a usable URL to target/ci-postgres-url.
# Order: already running -> start the installed cluster -> install from Debian's packages and start it.
set -euo pipefail
mkdir -p target
url_trust="postgres://postgres@127.0.0.1:5432/postgres"
url_pw="postgres://postgres:postgres@127.0.0.1:5432/postgres"

ready() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

start_cluster() {
  local ver
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$ver" ] || return 1
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do ready && return 0; sleep 1; done
  return 1
}

if ! ready; then
  echo "PostgreSQL is not answering; trying to start an installed cluster"
  if ! start_cluster; then
    echo "installing PostgreSQL from Debian's packages"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
    start_cluster
  fi
fi

# Prefer trust auth (as on the dev machines); otherwise give the postgres role a known password.
if psql "$url_trust" -Atqc 'select 1' >/dev/null 2>&1; then
  echo "$url_trust" > target/ci-postgres-url
else
  as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  psql "$url_pw" -Atqc 'select 1' >/dev/null
  echo "$url_pw" > target/ci-postgres-url
fi
echo "PostgreSQL ready at $(sed 's/:postgres@/:***@/' target/ci-postgres-url)"
