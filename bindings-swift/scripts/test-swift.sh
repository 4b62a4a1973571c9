#!/usr/bin/env bash
# Builds the cdylib, generates the bindings and runs the Swift package's XCTest suite
# (`swift test --disable-swift-testing`): natively when a `swift` is on PATH, else inside the
# cached Debian trixie root from swift-root.sh (root privileges needed), with the repository
# (and the cargo target dir, if elsewhere) bind-mounted at the same paths.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
target=$(cd "$repo" && mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)

toolchain=$(bash "$here/scripts/swift-root.sh")
bash "$here/scripts/generate.sh"

export CALLSTEER_LIB_DIR="$target/debug"
export CALLSTEER_EMULATOR_BIN="$target/debug/callsteer-emulator"
# The core's tracing at its most verbose, into a file that HardeningTests checks for secrets.
export CALLSTEER_LOG="${CALLSTEER_LOG:-trace}"
export CALLSTEER_LOG_FILE="${CALLSTEER_LOG_FILE:-$target/callsteer-swift-test.log}"
rm -f "$CALLSTEER_LOG_FILE"

if [ "$toolchain" = native ]; then
  cd "$here/swift"
  exec swift test --disable-swift-testing "$@"
fi

ROOT=${toolchain#root=}
# One chroot session at a time: the mounts are shared.
exec 9>"$ROOT.lock"
flock 9
mounts=()
bind() { # source, path inside the root
  mkdir -p "$ROOT$2"
  mount --bind "$1" "$ROOT$2"
  mounts=("$ROOT$2" "${mounts[@]}")
}
cleanup() {
  for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
bind /proc /proc
bind /dev /dev
bind "$repo" "$repo"
case "$target/" in
  "$repo"/*) ;;
  *) bind "$target" "$target" ;;
esac
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

quoted=""
[ $# -gt 0 ] && quoted=$(printf ' %q' "$@")
chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
  CALLSTEER_TRACE="${CALLSTEER_TRACE:-}" CALLSTEER_LOG="$CALLSTEER_LOG" CALLSTEER_LOG_FILE="$CALLSTEER_LOG_FILE" \
  CALLSTEER_LIB_DIR="$CALLSTEER_LIB_DIR" CALLSTEER_EMULATOR_BIN="$CALLSTEER_EMULATOR_BIN" \
  LD_LIBRARY_PATH="$CALLSTEER_LIB_DIR" \
  /bin/bash -c "cd $(printf '%q' "$here/swift") && swift test --disable-swift-testing$quoted"
