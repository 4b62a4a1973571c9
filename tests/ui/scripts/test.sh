#!/usr/bin/env bash
# End-to-end test of the emulator's web UI (/emulator/ui) in headless Chromium, on a fresh machine:
# installs Debian's chromium when missing, npm ci (playwright-core, pinned), builds the emulator
# and the quick start, runs `node --test`. Screenshots land in out/ui/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(cd ../.. && pwd)

if [ ! -x /usr/bin/chromium ]; then
  echo "--- installing Debian's chromium (apt-get)"
  if [ "$(id -u)" != "0" ]; then
    echo "ui: /usr/bin/chromium is missing and installing it needs root:" >&2
    echo "ui:   sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
/usr/bin/chromium --version || true

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "ui: node and npm are required (Node >= 18)" >&2
  exit 1
fi

echo "--- npm ci"
if ! npm ci --no-audit --no-fund --loglevel=error; then
  echo "ui: npm ci refused the lock file; installing from it with npm install" >&2
  npm install --no-audit --no-fund --no-save --loglevel=error
fi

echo "--- cargo build -p callsteer-emulator -p callsteer-quickstart"
(cd "$root" && cargo build -p callsteer-emulator -p callsteer-quickstart)

echo "--- node --test"
mkdir -p "$root/out/ui"
node --test --test-reporter=tap ui.test.mjs
