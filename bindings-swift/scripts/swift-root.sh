#!/usr/bin/env bash
# Provides a Swift toolchain for the tests.
#
# Prints one line, `native` or `root=DIR`:
# - `native`: a `swift` on PATH is used directly (a developer's Mac or Linux box);
# - `root=DIR`: a Debian trixie root with `swiftlang` 6.0.3, `ca-certificates` and the C headers,
#   built once with debootstrap and cached in DIR (default /var/cache/callsteer/swift-trixie;
#   override with CALLSTEER_SWIFT_ROOT), reused when present. Needs root privileges (debootstrap,
#   chroot, mount); says so and exits 2 when they are missing.
# Everything else goes to stderr. CALLSTEER_SWIFT=root forces the trixie root even when a native
# swift exists.
set -euo pipefail

ROOT=${CALLSTEER_SWIFT_ROOT:-/var/cache/callsteer/swift-trixie}
STAMP="$ROOT/.callsteer-swift-ready"

log() { echo "swift-root: $*" >&2; }

if [ "${CALLSTEER_SWIFT:-}" != "root" ] && command -v swift >/dev/null 2>&1; then
  log "using the native $(command -v swift)"
  echo native
  exit 0
fi

if [ -f "$STAMP" ]; then
  log "reusing the Swift root in $ROOT"
  echo "root=$ROOT"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "no swift on PATH, and building the Debian trixie Swift root in $ROOT needs root"
  log "privileges (debootstrap, chroot, mount). Run as root, or install Swift 6 and put it on PATH."
  exit 2
fi

start=$(date +%s)
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi

# The Debian mirror the host's apt uses (deb822 or one-line sources), else deb.debian.org.
MIRROR=${CALLSTEER_DEBIAN_MIRROR:-}
if [ -z "$MIRROR" ]; then
  MIRROR=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)
fi
if [ -z "$MIRROR" ]; then
  MIRROR=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n1 || true)
fi
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# A half-built root from an interrupted run is started over.
if [ -d "$ROOT" ]; then
  for m in proc dev/pts dev sys; do
    mountpoint -q "$ROOT/$m" 2>/dev/null && umount -l "$ROOT/$m" || true
  done
  rm -rf "$ROOT"
fi
mkdir -p "$(dirname "$ROOT")"
TMP="$ROOT.tmp.$$"
rm -rf "$TMP"
log "debootstrap trixie from $MIRROR into $ROOT (first run only; a few minutes)"
debootstrap --variant=minbase trixie "$TMP" "$MIRROR" >&2

cleanup() { mountpoint -q "$TMP/proc" && umount -l "$TMP/proc" || true; }
trap cleanup EXIT
mount --bind /proc "$TMP/proc"
cp /etc/resolv.conf "$TMP/etc/resolv.conf" 2>/dev/null || true
chroot "$TMP" apt-get update -qq >&2
log "installing swiftlang, libc6-dev, libstdc++-14-dev, ca-certificates in the root"
chroot "$TMP" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  swiftlang libc6-dev libstdc++-14-dev ca-certificates >&2
chroot "$TMP" apt-get clean >&2
# swift finds its libraries through /proc/self/exe: check it while /proc is mounted.
chroot "$TMP" swift --version >&2
umount -l "$TMP/proc"
trap - EXIT
mv "$TMP" "$ROOT"
touch "$STAMP"
log "Swift root ready in $(( $(date +%s) - start )) s"
echo "root=$ROOT"
