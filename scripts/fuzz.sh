#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ one after the other, each as ONE libFuzzer process (one
# core), so the other core of a shared machine stays free. Not run by CI; CI runs the bounded
# proptest equivalents in */tests/fuzz_equivalents.rs and
# examples/tests/reliability_fuzz_equivalents.rs instead.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  libFuzzer -max_total_time per target (default 180; 600 is the
#                       release-gate figure of docs/reliability.md)
#   TARGET              any of: list_decode error_decode struct_convert price_book
#                       secret_parse options_parse (default all six)
# Environment:
#   FUZZ_JOBS           cargo build jobs (default 2; the machine is shared)
#   FUZZ_SANITIZER      address (default) or none
#   FUZZ_LOG_DIR        where the per-target logs go (default fuzz/work/)
#   FUZZ_NICE           nice level of the fuzzing process (default 0)
#
# Needs cargo-fuzz 0.13 (`cargo install cargo-fuzz`) and a nightly compiler; with a stable
# toolchain the script sets RUSTC_BOOTSTRAP=1 so the nightly-only -Z flags cargo-fuzz passes are
# accepted.
#
# All targets are built once (`cargo fuzz build`), then the binaries are copied to
# fuzz/work/bin/ and run from there: a later source change or rebuild (other people edit the
# crates while a long run is under way) cannot swap the code under test between targets, and no
# rebuild happens between targets. New inputs go to fuzz/work/<target>/ (git-ignored); the seed
# corpus fuzz/corpus/<target>/ is read, never written. Crashes land in fuzz/artifacts/<target>/
# and stop the script (exit 1). A summary line per target (executions, corpus size, coverage,
# peak RSS) is printed at the end; copy the figures into docs/reliability.md.
set -euo pipefail

seconds="${1:-180}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(list_decode error_decode struct_convert price_book secret_parse options_parse)
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"
export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS="${FUZZ_JOBS:-2}"
sanitizer="${FUZZ_SANITIZER:-address}"
log_dir="${FUZZ_LOG_DIR:-$root/fuzz/work}"
nice_level="${FUZZ_NICE:-0}"
mkdir -p "$log_dir" work/bin

for target in "${targets[@]}"; do
    cargo fuzz build --sanitizer "$sanitizer" "$target"
    cp "target/x86_64-unknown-linux-gnu/release/$target" "work/bin/$target"
done
echo "built at commit $(git -C "$root" rev-parse --short HEAD)" \
    "(working tree: $(git -C "$root" status --short -- nutanix-prism cloudforet-client collector-core examples/src | wc -l) changed files)" >&2

summary=()
for target in "${targets[@]}"; do
    mkdir -p "work/$target" "artifacts/$target"
    log="$log_dir/$target.log"
    echo "== $target: ${seconds}s, log $log" >&2
    # One process, no -jobs/-workers: libFuzzer then runs on exactly one core.
    if ! nice -n "$nice_level" "work/bin/$target" \
        -artifact_prefix="$root/fuzz/artifacts/$target/" \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -max_len=65536 \
        "work/$target" "corpus/$target" \
        2>"$log"; then
        tail -n 40 "$log" >&2
        echo "FAILED: $target (see $log and fuzz/artifacts/$target/)" >&2
        exit 1
    fi
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    rss="$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)"
    ft="$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)"
    corpus="$(find "work/$target" -type f | wc -l)"
    line="$target: ${seconds}s, ${execs:-?} executions, coverage ${cov:-?} edges (${ft:-?} features), corpus $corpus, peak RSS ${rss:-?} MB, no crash"
    echo "$line" >&2
    summary+=("$line")
done

printf '%s\n' "${summary[@]}"
