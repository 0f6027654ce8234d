#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz + libFuzzer, no sanitizer, stable toolchain): runs every target in
# fuzz/ for FUZZ_SECONDS (default 20), two at a time, from its seed corpus (fuzz/corpus/<target>/); any crash fails CI
# and leaves the input in fuzz/artifacts/<target>/. New corpus entries go to target/fuzz-corpus/.
# Prints executions per second per target at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-20}"
# A fixed seed makes CI reproducible (the same mutations in the same order, so a run that passed passes
# again on the same code); set FUZZ_SEED=0 for a random seed when fuzzing by hand.
seed="${FUZZ_SEED:-1}"
targets=(filter patch_path patch_apply scim_body config)
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
cd fuzz
# -s none: no sanitizer, so no nightly-only -Zsanitizer flag; Rust's own checks (overflow, bounds,
# debug assertions in --release via cargo-fuzz's default) still turn bugs into crashes.
# `fuzz.sh build` only builds (.ci/run does it beside other steps); FUZZ_PREBUILT=1 then skips the build.
if [ "${FUZZ_PREBUILT:-}" != 1 ]; then
  cargo fuzz build -s none --release
fi
if [ "${1:-}" = build ]; then
  exit 0
fi
run_target() { # TARGET: fuzzes it; its log is target/fuzz-TARGET.log
  local t=$1 scratch="../target/fuzz-corpus/$1"
  mkdir -p "$scratch"
  cargo fuzz run -s none --release "$t" "$scratch" "corpus/$t" -- \
    -seed="$seed" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"../target/fuzz-$t.log" 2>&1
}
# libFuzzer runs on one core: two targets at a time use the machine's two.
failed=()
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  batch=("${targets[@]:i:2}")
  pids=()
  for t in "${batch[@]}"; do
    echo "--- fuzz $t for ${seconds}s"
    run_target "$t" &
    pids+=($!)
  done
  for j in "${!batch[@]}"; do
    wait "${pids[$j]}" || failed+=("${batch[$j]}")
  done
done
for t in "${failed[@]}"; do
  tail -n 60 "../target/fuzz-$t.log"
  echo "fuzz target $t found a crash; the input is in fuzz/artifacts/$t/" >&2
done
[ ${#failed[@]} -eq 0 ] || exit 1
summary=""
for t in "${targets[@]}"; do
  log="../target/fuzz-$t.log"
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  rate=$(grep -Eo 'exec/s: *[0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+$' || echo '?')
  summary+=$(printf '%-12s %10s runs %8s exec/s\n' "$t" "$runs" "$rate")$'\n'
done
echo
echo "fuzzing: 0 crashes in ${seconds}s per target"
printf '%s' "$summary"
