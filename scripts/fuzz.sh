#!/usr/bin/env bash
# Runs every cargo-fuzz target of core/fuzz for a bounded time and prints, per target, how many
# inputs ran and whether it crashed.
#
#   FUZZ_SECONDS=60 scripts/fuzz.sh            # all targets, 60 s each (default 60)
#   FUZZ_SECONDS=30 scripts/fuzz.sh parse_events verify_token
#   FUZZ_STABLE=1 scripts/fuzz.sh                # stable rustc even when nightly is installed
#
# Targets: parse_events, identifiers (core parsers); emulator_requests (whole /calling requests
# through an in-process emulator: no 5xx, error format), emulator_hmac (the emulator's HMAC
# check and header parsing), verify_token (the callback JWT verifier with a static JWKS).
#
# cargo-fuzz wants nightly. On a stable-only machine the script sets RUSTC_BOOTSTRAP=1 (lets
# stable rustc accept the -Z flags cargo-fuzz passes) and uses `--sanitizer none` (no ASan on
# stable; libFuzzer's coverage guidance still works, and Rust code is memory-safe anyway).
# New inputs found are added to core/fuzz/corpus/<target>/ ; crashes land in
# core/fuzz/artifacts/<target>/ and make the script exit non-zero.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz…" >&2
    cargo install cargo-fuzz --locked
fi

extra=()
if [ "${FUZZ_STABLE:-0}" = 1 ] || { ! rustc --version | grep -q nightly && ! rustup run nightly rustc --version >/dev/null 2>&1; }; then
    echo "stable toolchain (FUZZ_STABLE=1 or no nightly): using RUSTC_BOOTSTRAP=1 and --sanitizer none" >&2
    export RUSTC_BOOTSTRAP=1
    extra+=(--sanitizer none)
    toolchain=()
elif rustc --version | grep -q nightly; then
    toolchain=()
else
    toolchain=(+nightly)
fi

cd "$here/core"
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list)
fi
# The fuzz crate has its own lock file: start from the workspace's, so the same versions build.
if [ ! -f fuzz/Cargo.lock ]; then
    cp "$here/Cargo.lock" fuzz/Cargo.lock
fi

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
status=0
summary=()
for target in "${targets[@]}"; do
    echo "== fuzzing $target for ${seconds}s" >&2
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    before=$(find "fuzz/artifacts/$target" -type f | wc -l)
    result=ok
    if ! cargo "${toolchain[@]}" fuzz run "${extra[@]}" "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        2> >(tee "$logs/$target.log" >&2); then
        echo "!! $target found a failure; see core/fuzz/artifacts/$target/" >&2
        result=FAILED
        status=1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$target.log" | tail -1 | grep -o '[0-9]*$' || true)
    after=$(find "fuzz/artifacts/$target" -type f | wc -l)
    summary+=("$(printf '%-18s runs=%-10s crashes=%-3s %s' "$target" "${runs:-?}" "$((after - before))" "$result")")
done
echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $status
