#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ one after the other (not run by CI; CI runs the bounded
# proptest equivalents in */tests/fuzz_equivalents.rs instead).
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  libFuzzer -max_total_time per target (default 180; use 600+ for a
#                       release-gate run)
#   TARGET              any of: list_decode error_decode struct_convert price_book (default all)
# Environment:
#   FUZZ_JOBS           cargo build jobs (default 2; the machine is shared)
#   FUZZ_SANITIZER      address (default) or none
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly compiler; with a stable toolchain
# the script sets RUSTC_BOOTSTRAP=1 so the nightly-only -Z flags cargo-fuzz passes are accepted.
# New inputs go to fuzz/work/<target>/ (git-ignored); the seed corpus fuzz/corpus/<target>/ is
# read, never written. Crashes land in fuzz/artifacts/<target>/ and stop the script (exit 1).
# A summary line per target (executions, corpus size, coverage) is printed at the end; copy the
# figures into docs/reliability.md.
set -euo pipefail

seconds="${1:-180}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(list_decode error_decode struct_convert price_book)
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"
export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS="${FUZZ_JOBS:-2}"
sanitizer="${FUZZ_SANITIZER:-address}"

cargo fuzz build --sanitizer "$sanitizer"

summary=()
for target in "${targets[@]}"; do
    mkdir -p "work/$target"
    log="work/$target.log"
    echo "== $target: ${seconds}s" >&2
    if ! cargo fuzz run --sanitizer "$sanitizer" "$target" \
        "work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -max_len=65536 \
        2>"$log"; then
        tail -n 40 "$log" >&2
        echo "FAILED: $target (see fuzz/$log and fuzz/artifacts/$target/)" >&2
        exit 1
    fi
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)"
    corpus="$(find "work/$target" -type f | wc -l)"
    summary+=("$target: ${seconds}s, ${execs:-?} executions, coverage ${cov:-?}, corpus $corpus, no crash")
done

printf '%s\n' "${summary[@]}"
