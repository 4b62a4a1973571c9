# Sourced by scripts/test-all.sh: the Kotlin binding's JUnit 5 suite (bindings-swift/kotlin,
# Maven + JNA over the uniffi cdylib).

count_surefire() { # the last "Tests run: N, Failures: F, Errors: E, Skipped: S" line is the aggregate
  local log=$1 p f
  read -r p f < <(awk -F'[:,]' '/Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+/{sub(/.*Tests run:/, "Tests run:"); split($0, a, /[:,] */); r=a[2]; fl=a[4]; e=a[6]; s=a[8]} END{print r-fl-e-s, fl+e}' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite kotlin count_surefire bash bindings-swift/scripts/test-kotlin.sh
