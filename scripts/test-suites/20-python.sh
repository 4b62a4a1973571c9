# Sourced by scripts/test-all.sh: the Python package (bindings-python), built and tested with
# pytest against real emulator processes.

count_pytest() { # reads pytest's closing summary, e.g. `=== 42 passed, 1 failed, 2 errors in 3.2s ===`
  local log=$1 line p f e
  line=$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected)' "$log" | tail -n 1 || true)
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || true)
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || true)
  e=$(grep -oE '[0-9]+ errors?' <<<"$line" | grep -oE '[0-9]+' || true)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
}

run_suite python count_pytest bash bindings-python/scripts/test.sh
