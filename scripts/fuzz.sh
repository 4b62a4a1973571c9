#!/usr/bin/env bash
# Runs every cargo-fuzz target of core/fuzz for a bounded time.
#
#   FUZZ_SECONDS=60 scripts/fuzz.sh            # all targets, 60 s each
#   FUZZ_SECONDS=30 scripts/fuzz.sh parse_events
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
if [ ${#targets[@]} -eq 0 ]; then
    targets=(parse_events identifiers)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz…" >&2
    cargo install cargo-fuzz --locked
fi

extra=()
if ! rustc --version | grep -q nightly && ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "no nightly toolchain: using RUSTC_BOOTSTRAP=1 and --sanitizer none" >&2
    export RUSTC_BOOTSTRAP=1
    extra+=(--sanitizer none)
    toolchain=()
elif rustc --version | grep -q nightly; then
    toolchain=()
else
    toolchain=(+nightly)
fi

cd "$here/core"
status=0
for target in "${targets[@]}"; do
    echo "== fuzzing $target for ${seconds}s" >&2
    mkdir -p "fuzz/corpus/$target"
    if ! cargo "${toolchain[@]}" fuzz run "${extra[@]}" "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1; then
        echo "!! $target found a failure; see core/fuzz/artifacts/$target/" >&2
        status=1
    fi
done
exit $status
