# Emulator web UI suite (sourced by scripts/test-all.sh): real headless Chromium (Debian's
# `chromium`, installed if missing) driven by playwright-core — see tests/ui/scripts/test.sh.
# Screenshots: out/ui/.

count_ui() { # sums node --test's TAP summary lines `# pass N` / `# fail N`
  local log=$1 p f
  read -r p f < <(awk '/^# pass [0-9]+$/{p+=$3} /^# fail [0-9]+$/{f+=$3} END{print p+0, f+0}' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite ui count_ui bash tests/ui/scripts/test.sh
