#!/usr/bin/env bash
# Docker cannot run in CI, so this proves docker/Dockerfile's build stage another way: it copies the build
# context as .dockerignore filters it, runs the stage's COPY and RUN lines in order (WORKDIR /src is the
# staging folder), then checks what the runtime stage takes from it: a stripped binary that links only
# what distroless/cc has, that serves as the image's non-root user, and whose `healthcheck` subcommand
# (the image's HEALTHCHECK) exits 0 while it serves and 1 once it is gone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/ci-docker
rm -rf "$work"
mkdir -p "$work/context" "$work/src"

# The build context: every file .dockerignore does not exclude, matched as Docker does (from the
# context's root, `*` within one path segment, `**/` any folders, a matched folder excludes its content).
python3 - "$root" "$work/context" <<'EOF'
import os, re, shutil, sys
root, dest = sys.argv[1], sys.argv[2]
def regex(p):
    p = p.strip().strip('/')
    out, i = '', 0
    while i < len(p):
        if p.startswith('**/', i): out += '(?:.*/)?'; i += 3
        elif p.startswith('**', i): out += '.*'; i += 2
        elif p[i] == '*': out += '[^/]*'; i += 1
        elif p[i] == '?': out += '[^/]'; i += 1
        else: out += re.escape(p[i]); i += 1
    return re.compile(out + '$')
rules = [regex(l) for l in open(os.path.join(root, '.dockerignore')) if l.strip() and not l.startswith('#')]
def excluded(rel):
    parts = rel.split('/')
    return any(r.match('/'.join(parts[:n])) for r in rules for n in range(1, len(parts) + 1))
for must in ['target/debug/x', 'data/demo/bridge.sqlite', '.git/HEAD', 'bridge.sqlite-wal',
             'tests/bridge.sqlite', 'docker/secrets/app_secret']:
    assert excluded(must), f'.dockerignore lets {must} into the build context'
for must in ['Cargo.toml', 'Cargo.lock', 'build.rs', 'src/main.rs', 'migrations']:
    assert not excluded(must), f'.dockerignore drops {must}'
count = 0
for dirpath, dirs, files in os.walk(root):
    rel_dir = os.path.relpath(dirpath, root)
    rel_dir = '' if rel_dir == '.' else rel_dir + '/'
    dirs[:] = [d for d in dirs if not excluded(rel_dir + d)]
    for f in files:
        if not excluded(rel_dir + f):
            os.makedirs(os.path.join(dest, rel_dir), exist_ok=True)
            shutil.copy2(os.path.join(dirpath, f), os.path.join(dest, rel_dir, f))
            count += 1
print(f'build context: {count} files')
EOF

# The build stage, line by line (continuation lines joined).
stage=$(awk '/^FROM .* AS build$/{on=1; next} /^FROM /{on=0} on' docker/Dockerfile |
  sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep -v '^\s*\(#\|$\)')
while IFS= read -r line; do
  instr=${line%% *}
  args=${line#* }
  case "$instr" in
    WORKDIR) [ "$args" = /src ] || { echo "docker.sh knows only WORKDIR /src, not $args"; exit 1; } ;;
    COPY)
      read -ra parts <<<"$args"
      dest=${parts[-1]}
      unset 'parts[-1]'
      for p in "${parts[@]}"; do
        if [ "$p" = . ]; then cp -a "$work/context/." "$work/src/$dest"; else cp -a "$work/context/$p" "$work/src/$dest"; fi
      done ;;
    RUN)
      echo "+ RUN $args"
      (cd "$work/src" && sh -c "$args" </dev/null) ;;
    *) echo "docker.sh cannot mirror '$instr' in the build stage"; exit 1 ;;
  esac
done <<<"$stage"

bin=$work/src/out/dropbox-scim-bridge
[ -d "$work/src/out/data" ] || { echo "the build stage made no out/data for the runtime stage"; exit 1; }
if readelf -S "$bin" | grep -Eq '\.symtab|\.debug_'; then
  echo "the release binary is not stripped"; exit 1
fi
echo "stripped: $(du -h "$bin" | cut -f1)"
# Only libraries that gcr.io/distroless/cc-debian12 ships (glibc, libgcc).
if ldd "$bin" | grep -Ev 'linux-vdso|ld-linux|lib(c|m|gcc_s|pthread|dl|rt)\.so' | grep -q .; then
  ldd "$bin"; echo "the binary needs a library distroless/cc does not have"; exit 1
fi

# As the image runs it: uid/gid 65532, in a home whose data/ it owns, SCIM_BRIDGE_LISTEN set.
home=$(mktemp -d)
pid=""
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$home"' EXIT
cp "$bin" "$home/dropbox-scim-bridge"
mkdir "$home/data"
chown -R 65532:65532 "$home"
chmod 755 "$home"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# exec: the server's pid is $!, so that kill reaches the bridge itself.
as_nonroot() {
  cd "$home" && exec env -i SCIM_BRIDGE_LISTEN="127.0.0.1:$port" SCIM_BRIDGE_TOKEN=ci-docker RUST_LOG=warn \
    setpriv --reuid=65532 --regid=65532 --clear-groups ./dropbox-scim-bridge "$@"
}
(as_nonroot serve --demo --data-dir data/demo) >"$home/serve.log" 2>&1 &
pid=$!
up=0
for _ in $(seq 1 100); do
  if (as_nonroot healthcheck) >/dev/null 2>&1; then up=1; break; fi
  sleep 0.2
done
[ "$up" = 1 ] || { cat "$home/serve.log"; echo "healthcheck never passed"; exit 1; }
(as_nonroot healthcheck --ready)
owner=$(stat -c %u "$home/data/demo/bridge.sqlite")
[ "$owner" = 65532 ] || { echo "the store belongs to uid $owner, not 65532"; exit 1; }
kill "$pid"
wait "$pid" 2>/dev/null || true
if (as_nonroot healthcheck) 2>/dev/null; then
  echo "healthcheck passed with no server"; exit 1
fi
echo "docker build stage mirrored in ${SECONDS}s: stripped non-root binary, healthcheck 0 while serving and 1 after"
