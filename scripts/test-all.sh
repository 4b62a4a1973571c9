#!/usr/bin/env bash
# Runs every test suite of every language and ends with one line: `N passed, N failed`.
# Each suite's own output is kept in out/test-logs/ and echoed; the summary counts its tests.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p out/test-logs
passed=0
failed=0
broken=()

count_cargo() { # sums cargo's "test result:" lines
  local log=$1 p f
  read -r p f < <(awk '/^test result: /{for(i=1;i<=NF;i++){if($(i+1) ~ /^passed;/)p+=$i; if($(i+1) ~ /^failed;/)f+=$i}} END{print p+0, f+0}' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite() { # name, counter, command...
  local name=$1 counter=$2
  shift 2
  local log="out/test-logs/$name.log"
  echo "=== $name: $*"
  if "$@" 2>&1 | tee "$log"; then :; else
    broken+=("$name")
  fi
  "$counter" "$log"
}

no_count() { :; }

run_suite lint no_count bash -c 'cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings'
run_suite rust count_cargo cargo test --workspace --no-fail-fast

for extra in scripts/test-suites/*.sh; do
  [ -e "$extra" ] || continue
  # shellcheck source=/dev/null
  source "$extra"
done

if [ ${#broken[@]} -gt 0 ]; then
  echo "suites with failures or errors: ${broken[*]}"
  # A suite that broke before reporting its tests still counts as a failure.
  [ "$failed" -eq 0 ] && failed=${#broken[@]}
fi
echo "$passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ] && [ "$failed" -eq 0 ]
