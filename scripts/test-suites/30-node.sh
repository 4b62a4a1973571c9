# Node binding suite (sourced by scripts/test-all.sh): npm ci, napi build, emulator, tsc and
# `node --test` — see bindings-node/scripts/test.sh.

count_node() { # sums node --test's TAP summary lines `# pass N` / `# fail N`
  local log=$1 p f
  read -r p f < <(awk '/^# pass [0-9]+$/{p+=$3} /^# fail [0-9]+$/{f+=$3} END{print p+0, f+0}' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite node count_node bash bindings-node/scripts/test.sh
