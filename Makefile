# callsteer: two commands matter — `make demo` and `make test`.
SHELL := /bin/bash
export CARGO_TERM_COLOR ?= never

.PHONY: demo test test-rust lint fuzz fmt emulator soak bench bench-bus

## Runs the quick start against the built-in emulator and prints the call's timeline.
demo:
	@bash scripts/demo.sh

## Every test of every language, then one summary line: `N passed, N failed`.
test:
	@bash scripts/test-all.sh

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

## Bounded fuzzing of the event parser and the id / connection-string parsers.
fuzz:
	@bash scripts/fuzz.sh

emulator:
	cargo run -p callsteer-emulator --

## Soak (not part of `make test`): 1,000 concurrent calls × 10 actions with injected faults, then
## a churn of 20,000 calls (SOAK_CHURN_CALLS) through an emulator retaining 500 ended calls,
## printing the emulator's RSS curve.
soak:
	cargo build --profile bench-release -p callsteer-emulator -p callsteer-tests --bin callsteer-emulator --bin soak
	CALLSTEER_EMULATOR_BIN=target/bench-release/callsteer-emulator target/bench-release/soak

## Benchmarks: callsteer vs a floor client and the official SDKs against one emulator; writes
## bench/RESULTS.md and bench/results.png (not part of `make test`; never asserts a time).
bench:
	@bash bench/run.sh

## The event bus's cost through a real redis-server (bench/RESULTS-bus.md, folded into RESULTS.md).
bench-bus:
	@bash bench/bus.sh
