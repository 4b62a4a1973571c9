#!/usr/bin/env bash
# Builds the cdylib (debug, unstripped) and generates the Swift and Kotlin sources from it in
# library mode, into the SwiftPM package and the Maven project (build outputs, not committed).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
cd "$repo"
target=${CARGO_TARGET_DIR:-$repo/target}
cargo build -q -p callsteer-uniffi -p uniffi-bindgen -p callsteer-emulator
lib="$target/debug/libcallsteer_ffi.so"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$target/debug/uniffi-bindgen" generate --library "$lib" --language swift --language kotlin \
  --no-format --out-dir "$out" >/dev/null
swift="$here/swift/Sources"
mkdir -p "$swift/CallSteer" "$swift/CallSteerFFIC/include"
cp "$out/CallSteer.swift" "$swift/CallSteer/CallSteer.generated.swift"
cp "$out/CallSteerFFIC.h" "$swift/CallSteerFFIC/include/CallSteerFFIC.h"
# SwiftPM wants the module map named module.modulemap, next to the header.
cp "$out/CallSteerFFIC.modulemap" "$swift/CallSteerFFIC/include/module.modulemap"
# A C target needs one source file.
[ -f "$swift/CallSteerFFIC/CallSteerFFIC.c" ] || echo '/* The Rust library provides the symbols. */' > "$swift/CallSteerFFIC/CallSteerFFIC.c"
kotlin="$here/kotlin/target/generated-sources/uniffi"
mkdir -p "$kotlin"
rm -rf "$kotlin/dev"
cp -r "$out/dev" "$kotlin/"
echo "generated bindings from $lib" >&2
python3 "$here/scripts/readme-snippets.py"
