//! `make soak`: 1,000 concurrent calls × 10 actions against an emulator injecting 30 % 503/429
//! (with Retry-After) and dropping 10 % of responses after executing; prints the figures and
//! exits non-zero if any action ran twice, any outcome was lost or any call hung.

#[tokio::main]
async fn main() {
    let calls = std::env::var("SOAK_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let config = callsteer_tests::soak::SoakConfig {
        calls,
        concurrency: calls,
        fault_statuses: vec![503, 429],
        fault_probability: 0.3,
        retry_after_seconds: 1,
        drop_response_probability: 0.1,
        seed: 7,
    };
    println!(
        "soak: {calls} calls × {} actions",
        callsteer_tests::soak::ACTIONS_PER_CALL
    );
    match callsteer_tests::soak::run(&config).await {
        Ok(report) => {
            println!("{report}");
            let clean = report.duplicated == 0
                && report.lost_actions == 0
                && report.outcomes_missing == 0
                && report.hung_calls == 0
                && report.failed_calls.is_empty();
            for failure in report.failed_calls.iter().take(10) {
                println!("failed: {failure}");
            }
            std::process::exit(if clean { 0 } else { 1 });
        }
        Err(e) => {
            eprintln!("soak could not run: {e}");
            std::process::exit(2);
        }
    }
}
