# Sourced by scripts/test-all.sh: the Swift binding's XCTest suite (bindings-swift/swift), run
# natively or inside the cached Debian trixie Swift root (built on first use; needs root).

count_xctest() { # the last "Executed N tests, with M failures" line is XCTest's aggregate
  local log=$1 p f
  read -r p f < <(awk '/Executed [0-9]+ tests?, with [0-9]+ failures?/{for(i=1;i<=NF;i++){if($i=="Executed")n=$(i+1); if($i=="with")m=$(i+1)}} END{print n-m, m+0}' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite swift count_xctest bash bindings-swift/scripts/test-swift.sh
