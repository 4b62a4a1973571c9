#!/usr/bin/env bash
# The event bus's cost (issue 20), written to bench/RESULTS-bus.md, which `make bench` folds into
# bench/RESULTS.md: callback → waiter woken on another instance through Redis vs in-process
# (p50/p99) and events/s between three instances. Installs redis-server if missing (Debian).
# Not part of `make bench` itself (its own optimised build with the event-bus feature).
#   bash bench/bus.sh [N]       # N waits per path (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null; then
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi
n="${1:-10000}"
cargo build -q --profile bench-release -p callsteer-bench --features event-bus --bin bus
out=$(target/bench-release/bus "$n")
printf '%s\n' "$out"
{
  echo "## 5. Event bus (Redis Streams, three instances in one process)"
  echo
  echo "Measured by \`bash bench/bus.sh $n\` at commit $(git rev-parse --short HEAD) on $(nproc) cores, $(date -u +%Y-%m-%d):"
  echo
  echo '```'
  printf '%s\n' "$out"
  echo '```'
} > bench/RESULTS-bus.md
echo "wrote bench/RESULTS-bus.md"
