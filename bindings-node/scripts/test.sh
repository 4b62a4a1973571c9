#!/usr/bin/env bash
# Builds the Node addon and runs its tests on a fresh machine:
# npm ci, napi build (debug), the emulator, the generated-typings check, tsc, node --test.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(cd .. && pwd)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "bindings-node: node and npm are required (Node >= 18)" >&2
  exit 1
fi

echo "--- npm ci"
# @napi-rs/cli pulls @napi-rs/lzma, whose optional per-platform packages are not all published
# for its version: npm then leaves them out of the lock file and `npm ci` refuses it. The
# versions that matter are pinned in package-lock.json either way.
if ! npm ci --no-audit --no-fund --loglevel=error; then
  echo "bindings-node: npm ci refused the lock file; installing from it with npm install" >&2
  npm install --no-audit --no-fund --no-save --loglevel=error
fi

echo "--- napi build --platform (debug)"
npx napi build --platform

echo "--- generated index.d.ts / index.js match the committed ones"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1 \
  && git -C "$root" ls-files --error-unmatch bindings-node/index.d.ts >/dev/null 2>&1; then
  if ! git -C "$root" diff --exit-code -- bindings-node/index.d.ts bindings-node/index.js; then
    echo "bindings-node: the generated typings differ from the committed ones: commit them" >&2
    exit 1
  fi
fi

echo "--- cargo build -p callsteer-emulator"
(cd "$root" && cargo build -p callsteer-emulator)

echo "--- tsc --noEmit over __test__/typed-usage.ts"
npx tsc -p __test__/tsconfig.json

echo "--- node --test"
node --test --test-reporter=tap __test__/*.test.mjs __test__/*.test.cjs
