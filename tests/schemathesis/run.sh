#!/usr/bin/env bash
# Spec-driven tests of the emulator with schemathesis, once per api-version: for each version,
# builds the merged spec of that version, starts a fresh emulator, runs a bounded schemathesis
# run (every request HMAC-signed and sent with that api-version by hooks.py) with the checks
# not_a_server_error, status_code_conformance and response_schema_conformance. Ends with one
# line summed over the versions: `schemathesis: N operations passed, M failed`.
#
#   ST_MAX_EXAMPLES=25 tests/schemathesis/run.sh      # examples per operation and phase
#   ST_MAX_TIME=170 tests/schemathesis/run.sh         # seconds of testing, split over versions
#   ST_VERSIONS="2026-03-12" tests/schemathesis/run.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
max_examples="${ST_MAX_EXAMPLES:-25}"
# The api-versions tested: 2025-05-15 (the previous default) and 2026-03-12 (the emulator's
# default, which adds participants:moveHere). Each is a folder of spec/callautomation/.
read -r -a versions <<<"${ST_VERSIONS:-2025-05-15 2026-03-12}"
[ "${#versions[@]}" -gt 0 ] || { echo "ST_VERSIONS is empty" >&2; exit 2; }
# The time budget is for the whole run; each version gets an equal share.
max_time_total="${ST_MAX_TIME:-170}"
max_time=$((max_time_total / ${#versions[@]}))
[ "$max_time" -ge 1 ] || max_time=1

venv="$here/.venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
fi

cargo build -q -p callsteer-emulator --bin callsteer-emulator
binary="${CALLSTEER_EMULATOR_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/callsteer-emulator}"
export CALLSTEER_ACCESS_KEY="c2NoZW1hdGhlc2lzLWtleQ=="

emulator=
stop_emulator() {
    if [ -n "$emulator" ]; then
        kill -TERM "$emulator" 2>/dev/null || true
        wait "$emulator" 2>/dev/null || true
        emulator=
    fi
}
trap stop_emulator EXIT

status=0
total_passed=0
total_failed=0
for version in "${versions[@]}"; do
    out="$here/build/$version"
    spec="$("$venv/bin/python" "$here/build_spec.py" "$version")"
    mkdir -p "$out"
    rm -f "$out/junit.xml" "$out/api-versions.json"

    "$binary" --port 0 --answer-delay-ms 0 --access-key "$CALLSTEER_ACCESS_KEY" \
        >"$out/emulator.stdout" 2>"$out/emulator.log" &
    emulator=$!
    for _ in $(seq 1 200); do
        grep -q '^CONNECTION_STRING=' "$out/emulator.stdout" 2>/dev/null && break
        sleep 0.05
    done
    base="$(sed -n 's#^CONNECTION_STRING=endpoint=\(http://[^/]*\)/;.*#\1#p' "$out/emulator.stdout")"
    [ -n "$base" ] || { echo "the emulator did not start" >&2; cat "$out/emulator.log" >&2; exit 1; }

    echo "=== api-version $version: $spec (max time ${max_time}s)"
    set +e
    (
        cd "$here"
        CALLSTEER_EMULATOR_URL="$base" CALLSTEER_API_VERSION="$version" \
            CALLSTEER_API_VERSIONS_SENT="$out/api-versions.json" \
            SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here" "$venv/bin/schemathesis" run "$spec" \
            --url "$base" \
            --checks not_a_server_error,status_code_conformance,response_schema_conformance \
            --phases examples,coverage,fuzzing \
            --max-examples "$max_examples" \
            --max-time "$max_time" \
            --workers 1 \
            --seed 1 \
            --no-color \
            --report junit --report-junit-path "$out/junit.xml"
    )
    [ $? -eq 0 ] || status=1
    set -e
    stop_emulator

    # "PASSED FAILED VERSIONS_OK" for this version; FAILED lines and problems go to stderr.
    counts="$("$venv/bin/python" - "$version" "$out/junit.xml" "$out/api-versions.json" <<'PY'
import json
import os
import sys
import xml.etree.ElementTree as ET

version, junit, sent_path = sys.argv[1:]
if not os.path.exists(junit):
    print(f"{version}: no JUnit report", file=sys.stderr)
    print("0 1 0")
    sys.exit()
passed = failed = 0
for case in ET.parse(junit).getroot().iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
        print(f"FAILED {version} {case.get('name')}", file=sys.stderr)
    elif case.find("skipped") is None:
        passed += 1
# Every /calling request must have carried exactly the api-version of the spec under test.
try:
    with open(sent_path) as f:
        sent = json.load(f)
except (OSError, ValueError):
    sent = {}
versions_ok = bool(sent.get(version)) and set(sent) == {version}
if versions_ok:
    print(f"{version}: {sent[version]} requests, all with api-version={version}", file=sys.stderr)
else:
    print(f"{version}: wrong api-versions sent (value: requests): {sent}", file=sys.stderr)
print(passed, failed, int(versions_ok))
PY
)"
    read -r p f versions_ok <<<"$counts"
    echo "  $version: $p operations passed, $f failed"
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    [ "$f" -eq 0 ] && [ "$versions_ok" -eq 1 ] || status=1
    if grep -q 'panicked' "$out/emulator.log"; then
        echo "the emulator panicked at api-version $version; see $out/emulator.log" >&2
        status=1
    fi
done
echo "schemathesis: $total_passed operations passed, $total_failed failed"
exit $status
