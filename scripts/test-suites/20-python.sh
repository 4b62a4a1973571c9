# Sourced by scripts/test-all.sh: the Python package (bindings-python), built and tested with
# pytest against real emulator processes.

count_pytest() { # reads pytest's closing summary, e.g. `=== 42 passed, 1 failed, 2 errors in 3.2s ===`
  local log=$1 line p f e
  line=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error|errors|skipped)' "$log" | tail -n 1 || true)
  p=$(sed -nE 's/.*[^0-9]?([0-9]+) passed.*/\1/p' <<<"$line" | head -n 1)
  f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p; s/^(=+ )?([0-9]+) failed.*/\2/p' <<<"$line" | head -n 1)
  e=$(sed -nE 's/.* ([0-9]+) errors?.*/\1/p; s/^(=+ )?([0-9]+) errors?.*/\2/p' <<<"$line" | head -n 1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
}

run_suite python count_pytest bash bindings-python/scripts/test.sh
