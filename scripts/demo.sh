#!/usr/bin/env bash
# make demo: build and start the emulator, play the quick start against it, stop the emulator.
# KEEP=1 keeps the emulator running afterwards (until Ctrl-C) and prints the address of its web
# UI, where the calls just made are drawn as sequence diagrams.
set -euo pipefail
cd "$(dirname "$0")/.."
RESOURCE_ID=${RESOURCE_ID:-7e1c1d0a-5d1b-4c83-9f41-2b7c0a9e6d11}
echo "building the emulator and the quick start (first build takes a few minutes)…"
cargo build -q -p callsteer-emulator -p callsteer-quickstart
workdir=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT INT TERM
mkfifo "$workdir/out"
target/debug/callsteer-emulator --port "${PORT:-0}" --resource-id "$RESOURCE_ID" \
  --resource-phone-number +16044561234 --answer-delay-ms 30 \
  >"$workdir/out" 2>"$workdir/emulator.log" &
emulator_pid=$!
exec 3<"$workdir/out"
IFS= read -r -t 30 first <&3 || { echo "the emulator did not start:"; cat "$workdir/emulator.log"; exit 1; }
# Keep draining its stdout in the background.
cat <&3 >/dev/null &
connection_string=${first#CONNECTION_STRING=}
endpoint=$(sed -E 's/.*endpoint=([^;]*);.*/\1/' <<<"$connection_string")
echo "emulator running at $endpoint"
echo
CALLSTEER_CONNECTION_STRING="$connection_string" CALLSTEER_RESOURCE_ID="$RESOURCE_ID" \
  target/debug/callsteer-quickstart
if [ "${KEEP:-0}" = "1" ]; then
  echo
  echo "emulator still running at $endpoint — Ctrl-C to stop"
  echo "watch the story you just ran, as sequence diagrams: ${endpoint}emulator/ui"
  # Ctrl-C interrupts this wait (a background job ignores SIGINT itself); the trap stops it.
  wait "$emulator_pid" || true
fi
