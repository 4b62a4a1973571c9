# Sourced by scripts/test-all.sh: the scale-out tests (tests/tests/event_bus.rs) — three app
# instances sharing events through Redis Streams. Installs redis-server (Debian) if missing,
# runs its own on a free loopback port without persistence, and stops it at the end; the
# failure tests (Redis restarted, stalled) start further servers of their own.

redis_suite() (
  set -euo pipefail
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "installing redis-server"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  dir=$(mktemp -d)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --dir "$dir" >"$dir/redis.log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  cargo build -p callsteer-emulator
  CALLSTEER_REDIS_URL="redis://127.0.0.1:$port/0" \
    cargo test -p callsteer-tests --features event-bus --test event_bus -- "$@"
)

run_suite redis count_cargo redis_suite
