//! The small fault soak that runs in `make test`: it asserts counts, never times. It runs more
//! calls than the emulator's ended-call retention, so the emulator must forget the oldest and
//! end every call's delivery task.

use callsteer_tests::soak::{run, SoakConfig, ACTIONS_PER_CALL};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_survived_nothing_duplicated_nothing_lost() {
    let config = SoakConfig {
        calls: 30,
        concurrency: 30,
        fault_statuses: vec![503, 429],
        fault_probability: 0.3,
        retry_after_seconds: 0,
        drop_response_probability: 0.1,
        seed: 11,
        ended_call_retention: Some(10),
        check_request_log: true,
        rss_samples: 10,
    };
    let report = run(&config).await.expect("soak ran");
    println!("{report}");
    assert!(report.failed_calls.is_empty(), "{:#?}", report.failed_calls);
    assert_eq!(report.actions_sent, config.calls * ACTIONS_PER_CALL);
    assert_eq!(
        report.executed_once, report.actions_sent,
        "every action executed exactly once"
    );
    assert_eq!(report.duplicated, 0);
    assert_eq!(report.lost_actions, 0);
    // 9 outcomes per call: create, add, cancel, the cancelled add, add, remove, transfer,
    // remove, and the terminate's CallDisconnected.
    assert_eq!(report.outcomes_paired, config.calls * 9);
    assert_eq!(report.outcomes_missing, 0);
    assert_eq!(report.hung_calls, 0);
    // Only the retained ended calls are left, and no delivery task outlived its call.
    assert_eq!(report.calls_held, 10, "{report}");
    assert_eq!(report.delivery_workers, 0, "{report}");
    assert_eq!(report.emulator_stats["deliveryQueues"], 0, "{report}");
    assert_eq!(report.emulator_stats["eventLogs"], 10, "{report}");
    // The faults really happened.
    assert!(
        report.fault_injected > 0 && report.responses_dropped > 0,
        "{report}"
    );
}
