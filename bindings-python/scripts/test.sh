#!/usr/bin/env bash
# Builds and tests the Python package from scratch: a virtualenv in bindings-python/.venv, the
# tools (maturin, pytest, pytest-asyncio, mypy, ruff, the official SDK for comparison), the abi3
# wheel (debug), the emulator, then pytest. Exit code = pytest's (exit 5, no tests, fails too).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$here"

python="${PYTHON:-python3}"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
py="$venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check \
  "maturin==1.16.*" "pytest==9.2.*" "pytest-asyncio==1.5.*" mypy ruff \
  "azure-communication-callautomation==1.6.0" "aiohttp>=3.9,<4"

echo "--- building the emulator"
(cd "$repo" && cargo build -q -p callsteer-emulator)

echo "--- building the wheel"
wheels="$repo/target/wheels-python"
rm -f "$wheels"/callsteer-*.whl
"$venv/bin/maturin" build --interpreter "$py" -o "$wheels"
"$py" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheels"/callsteer-*.whl

echo "--- lint"
"$venv/bin/ruff" check python tests
"$venv/bin/ruff" format --check python tests

echo "--- pytest"
cd "$here"
set +e
"$py" -m pytest -q -p no:cacheprovider tests "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing"
  exit 1
fi
exit "$status"
