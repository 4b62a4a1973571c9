//! `make soak`, two runs:
//! 1. faults: 1,000 concurrent calls × 10 actions against an emulator injecting 30 % 503/429
//!    (with Retry-After) and dropping 10 % of responses after executing;
//! 2. churn: `SOAK_CHURN_CALLS` (default 20,000) calls, 100 at a time, through an emulator that
//!    retains 500 ended calls, with the emulator's RSS sampled along the way (the curve must be
//!    flat after warm-up; it is printed, never asserted as a number).
//!
//! Prints the figures and exits non-zero if any action ran twice, any outcome was lost, any call
//! hung, the emulator held more than the retained calls or a delivery task outlived its call.

use callsteer_tests::soak::{run, SoakConfig, SoakReport, ACTIONS_PER_CALL};

const CHURN_RETENTION: usize = 500;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clean(report: &SoakReport) -> bool {
    for failure in report.failed_calls.iter().take(10) {
        println!("failed: {failure}");
    }
    report.duplicated == 0
        && report.lost_actions == 0
        && report.outcomes_missing == 0
        && report.hung_calls == 0
        && report.failed_calls.is_empty()
        && report.delivery_workers == 0
}

#[tokio::main]
async fn main() {
    let calls = env_usize("SOAK_CALLS", 1_000);
    let faults = SoakConfig {
        calls,
        concurrency: calls,
        fault_statuses: vec![503, 429],
        fault_probability: 0.3,
        retry_after_seconds: 1,
        drop_response_probability: 0.1,
        seed: 7,
        ended_call_retention: None,
        check_request_log: true,
        rss_samples: 10,
    };
    println!("soak 1/2 (faults): {calls} calls × {ACTIONS_PER_CALL} actions");
    let faults_ok = match run(&faults).await {
        Ok(report) => {
            println!("{report}");
            clean(&report)
        }
        Err(e) => {
            eprintln!("soak could not run: {e}");
            std::process::exit(2);
        }
    };

    let churn_calls = env_usize("SOAK_CHURN_CALLS", 20_000);
    let churn = SoakConfig {
        calls: churn_calls,
        concurrency: 100,
        fault_statuses: vec![503],
        fault_probability: 0.0,
        retry_after_seconds: 0,
        drop_response_probability: 0.0,
        seed: 8,
        ended_call_retention: Some(CHURN_RETENTION),
        // More requests than the emulator's request log keeps.
        check_request_log: false,
        rss_samples: 20,
    };
    println!(
        "\nsoak 2/2 (churn): {churn_calls} calls, 100 at a time, emulator retaining {CHURN_RETENTION} ended calls"
    );
    let churn_ok = match run(&churn).await {
        Ok(report) => {
            println!("{report}");
            let held_ok = report.calls_held <= CHURN_RETENTION;
            if !held_ok {
                println!(
                    "the emulator holds {} calls, more than the {CHURN_RETENTION} retained",
                    report.calls_held
                );
            }
            clean(&report) && held_ok
        }
        Err(e) => {
            eprintln!("churn soak could not run: {e}");
            std::process::exit(2);
        }
    };
    std::process::exit(if faults_ok && churn_ok { 0 } else { 1 });
}
