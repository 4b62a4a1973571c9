# Sourced by scripts/test-all.sh: spec-driven tests of the emulator (tests/schemathesis): a
# bounded schemathesis run per api-version (2025-05-15, 2026-03-12), each against a fresh
# emulator, every request HMAC-signed; one summary line summed over the versions.

count_schemathesis() { # reads `schemathesis: N operations passed, M failed`
  local log=$1 line p f
  line=$(grep -E '^schemathesis: [0-9]+ operations passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  if [ -z "$line" ]; then
    failed=$((failed + 1))
    return
  fi
  p=$(grep -oE '[0-9]+ operations passed' <<<"$line" | grep -oE '^[0-9]+')
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '^[0-9]+')
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite schemathesis count_schemathesis bash tests/schemathesis/run.sh
