#!/usr/bin/env bash
# make bench: builds everything the benchmarks need (Cargo profile bench-release: release with
# thin LTO) with the project's own tools
# (a venv in bench/.venv with pip, maturin, npm, napi), then runs bench/run.py, which writes
# bench/RESULTS.md and bench/results.png. Knobs: see bench/run.py (BENCH_ROUNDS, BENCH_SECONDS…).
# BENCH_SKIP_BUILD=1 reuses the previous build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
start=$(date +%s)
say() { echo "[bench $(date +%H:%M:%S)] $*"; }

venv="$root/bench/.venv"
py="$venv/bin/python"
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  say "venv + pinned Python packages"
  [ -x "$py" ] || "${PYTHON:-python3}" -m venv "$venv"
  "$py" -m pip install -q --disable-pip-version-check \
    "maturin==1.16.*" "azure-communication-callautomation==1.6.0" "azure-core==1.41.0" \
    "aiohttp==3.14.5" "requests==2.34.2" "matplotlib==3.11.2"

  say "cargo build --profile bench-release (emulator, bench driver)"
  cargo build --profile bench-release -q -p callsteer-emulator -p callsteer-bench

  say "maturin build --profile bench-release (Python wheel)"
  rm -f "$root"/target/wheels-bench/callsteer-*.whl
  (cd bindings-python && "$venv/bin/maturin" build --profile bench-release -q --interpreter "$py" -o "$root/target/wheels-bench")
  "$py" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$root"/target/wheels-bench/callsteer-*.whl

  say "npm + napi build --profile bench-release (Node addon)"
  (
    cd bindings-node
    if ! npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1; then
      # Same fallback as bindings-node/scripts/test.sh (unpublished optional @napi-rs/lzma packages).
      npm install --no-audit --no-fund --no-save --loglevel=error
    fi
    # Into target/bench-node, with the package's JS entry beside it, so that a debug build of
    # the addon in bindings-node (its tests) never replaces the one being measured.
    rm -rf "$root/target/bench-node"
    npx napi build --platform --profile bench-release -o "$root/target/bench-node" >/dev/null
    cp callsteer.js callsteer.mjs package.json "$root/target/bench-node/"
  )
  say "builds done in $(( $(date +%s) - start )) s"
fi

"$py" bench/run.py
say "make bench finished in $(( $(date +%s) - start )) s"
