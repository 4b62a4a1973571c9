#!/usr/bin/env bash
# Builds the cdylib, generates the bindings and runs the Kotlin JUnit 5 suite (`mvn -q test`),
# loading libcallsteer_ffi.so through JNA from the cargo target dir.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
target=$(cd "$repo" && mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)
if ! command -v mvn >/dev/null && [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven default-jdk-headless >&2
fi
command -v mvn >/dev/null || { echo "mvn is missing (apt-get install maven)" >&2; exit 2; }
bash "$here/scripts/generate.sh"
# The core's tracing at its most verbose, into a file that HardeningTest checks for secrets.
export CALLSTEER_LOG="${CALLSTEER_LOG:-trace}"
export CALLSTEER_LOG_FILE="${CALLSTEER_LOG_FILE:-$target/callsteer-kotlin-test.log}"
rm -f "$CALLSTEER_LOG_FILE"
cd "$here/kotlin"
rm -rf target/surefire-reports
status=0
mvn -q -B -Dstyle.color=never test -Dcallsteer.lib.dir="$target/debug" "$@" || status=$?
# -q hides Surefire's summary: print the aggregate line from its reports, on a line of its own.
printf '\n'
awk -F'[:,]' '/^Tests run:/{r+=$2; f+=$4; e+=$6; s+=$8} END{printf "Tests run: %d, Failures: %d, Errors: %d, Skipped: %d\n", r, f, e, s}' \
  target/surefire-reports/*.txt 2>/dev/null || true
exit $status
