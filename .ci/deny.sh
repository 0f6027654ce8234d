#!/usr/bin/env bash
# Supply chain: licences, banned crates and crate sources of the dependency tree (deny.toml), with
# cargo-deny (installed on first use; a few minutes).
#
# The RustSec advisory database cannot be fetched in this CI (no network to github.com), so the
# advisory check is not run here. Where the network allows, run:
#     cargo deny check advisories
# (it clones https://github.com/rustsec/advisory-db into ~/.cargo/advisory-dbs; add `--disable-fetch`
# to reuse a copy already there). Run it before every release and when Cargo.lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-deny >/dev/null 2>&1; then
  cargo install cargo-deny --locked
fi
# cargo deny reads the metadata of every crate in Cargo.lock, for every platform (wasm-bindgen,
# android_system_properties...), which a build on this machine never downloads: fetch them first from
# crates.io, which CI reaches.
cargo fetch --locked --quiet
cargo deny --offline check --hide-inclusion-graph licenses bans sources
