#!/usr/bin/env bash
# Spec-driven tests of the emulator with schemathesis: builds the emulator and the merged spec,
# starts a fresh emulator, runs a bounded schemathesis run (every request HMAC-signed by
# hooks.py) with the checks not_a_server_error, status_code_conformance and
# response_schema_conformance, and ends with `schemathesis: N operations passed, M failed`.
#
#   ST_MAX_EXAMPLES=25 tests/schemathesis/run.sh      # examples per operation and phase
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
max_examples="${ST_MAX_EXAMPLES:-25}"

venv="$here/.venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
fi

spec="$("$venv/bin/python" "$here/build_spec.py")"

cargo build -q -p callsteer-emulator --bin callsteer-emulator
binary="${CALLSTEER_EMULATOR_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/callsteer-emulator}"
export CALLSTEER_ACCESS_KEY="c2NoZW1hdGhlc2lzLWtleQ=="
out="$here/build"
mkdir -p "$out"
"$binary" --port 0 --answer-delay-ms 0 --access-key "$CALLSTEER_ACCESS_KEY" \
    >"$out/emulator.stdout" 2>"$out/emulator.log" &
emulator=$!
trap 'kill -TERM "$emulator" 2>/dev/null; wait "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
    grep -q '^CONNECTION_STRING=' "$out/emulator.stdout" 2>/dev/null && break
    sleep 0.05
done
base="$(sed -n 's#^CONNECTION_STRING=endpoint=\(http://[^/]*\)/;.*#\1#p' "$out/emulator.stdout")"
[ -n "$base" ] || { echo "the emulator did not start" >&2; cat "$out/emulator.log" >&2; exit 1; }
export CALLSTEER_EMULATOR_URL="$base"

rm -f "$out/junit.xml"
cd "$here"
set +e
SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here" "$venv/bin/schemathesis" run "$spec" \
    --url "$base" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$max_examples" \
    --max-time "${ST_MAX_TIME:-150}" \
    --workers 1 \
    --seed 1 \
    --no-color \
    --report junit --report-junit-path "$out/junit.xml"
status=$?
set -e
"$venv/bin/python" - "$out/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET

cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
passed = failed = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
        print(f"FAILED {case.get('name')}")
    elif case.find("skipped") is None:
        passed += 1
print(f"schemathesis: {passed} operations passed, {failed} failed")
PY
if grep -q 'panicked' "$out/emulator.log"; then
    echo "the emulator panicked; see $out/emulator.log" >&2
    status=1
fi
exit $status
