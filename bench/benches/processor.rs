//! The event processor under load: per-event processing cost at 100, 1,000, 10,000 and 100,000
//! tracked calls. `cargo bench -p callsteer-bench --bench processor` prints one row per size;
//! it asserts nothing (a benchmark, not a test).
//!
//! Every tracked call has what a live call has in the processor: a roster, a kept (unclaimed)
//! event in the backlog, and a pending waiter (an operation whose outcome has not come). Then,
//! for calls picked at random, the timed loop feeds
//! - a `ParticipantsUpdated` (roster update; supersedes the call's kept roster),
//! - an `AddParticipantSucceeded` nobody waits for yet (kept), and claims it with a
//!   `wait_for_outcome` (taken from the backlog),
//! - a `CallConnected` that settles nothing and is kept, claimed by a `wait_for_filter`.
//!
//! With waiters and backlog indexed by call, each of those touches only its own call, so the
//! per-event cost stays flat as the number of calls grows; the table shows it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use callsteer::events::*;
use callsteer::{CallParticipant, CommunicationIdentifier};

const TIMED_EVENTS: usize = 60_000;

fn meta(id: String) -> EventMeta {
    EventMeta {
        id,
        source: Some("calling/callConnections/x".into()),
        time: Some("2026-01-01T00:00:00.000Z".into()),
        ..Default::default()
    }
}

fn call_id(n: usize) -> String {
    format!("{n:08}-1111-4222-8333-444444444444")
}

fn roster(id: String, call: &str, seq: i64) -> CallAutomationEvent {
    CallAutomationEvent::ParticipantsUpdated(ParticipantsUpdatedEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        sequence_number: seq,
        participants: ["8:acs:app", "4:+16041234567", "8:acs:user"]
            .iter()
            .map(|raw| CallParticipant {
                identifier: CommunicationIdentifier::from_raw_id(raw),
                is_muted: false,
                is_on_hold: false,
            })
            .collect(),
        ..Default::default()
    })
}

fn added(id: String, call: &str) -> CallAutomationEvent {
    CallAutomationEvent::AddParticipantSucceeded(AddParticipantSucceededEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        operation_context: Some("add".into()),
        participant: Some(CommunicationIdentifier::from_raw_id("4:+16041234567")),
        ..Default::default()
    })
}

fn connected(id: String, call: &str) -> CallAutomationEvent {
    CallAutomationEvent::CallConnected(CallConnectedEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        ..Default::default()
    })
}

/// A cheap deterministic generator (no dependency, same picks every run).
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

struct Row {
    calls: usize,
    process_ns: f64,
    claim_outcome_ns: f64,
    claim_filter_ns: f64,
    backlog: usize,
    waiters: usize,
}

fn measure(runtime: &tokio::runtime::Runtime, calls: usize) -> Row {
    let processor = EventProcessor::with_config(EventProcessorConfig {
        // Room for everything: this measures lookups, not eviction.
        backlog_max_events: 1_000_000,
        backlog_max_bytes: 4 << 30,
        roster_max_calls: 1_000_000,
        ..Default::default()
    });
    let ids: Vec<String> = (0..calls).map(call_id).collect();
    for (n, call) in ids.iter().enumerate() {
        processor.process_event(roster(format!("r0-{n}"), call, 0));
        processor.process_event(CallAutomationEvent::CallDisconnected(
            CallDisconnectedEventData {
                meta: meta(format!("kept-{n}")),
                // A kept event of a neighbouring id, so every call has backlog next to it.
                call_connection_id: format!("{call}-other"),
                ..Default::default()
            },
        ));
    }
    // One pending operation per call that never settles during the run.
    let waiters: Vec<_> = ids
        .iter()
        .map(|call| {
            let p = processor.clone();
            let op = PendingOperation::new(OperationKind::TransferCall, call.clone());
            runtime.spawn(async move { p.wait_for_outcome(&op, Duration::from_secs(3600)).await })
        })
        .collect();
    while processor.stats().waiters < calls {
        std::thread::sleep(Duration::from_millis(5));
    }

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let picks: Vec<usize> = (0..TIMED_EVENTS / 3).map(|_| rng.below(calls)).collect();
    let events: Vec<[CallAutomationEvent; 3]> = picks
        .iter()
        .enumerate()
        .map(|(k, &n)| {
            let call = &ids[n];
            [
                roster(format!("r-{k}"), call, k as i64 + 1),
                added(format!("a-{k}"), call),
                connected(format!("c-{k}"), call),
            ]
        })
        .collect();

    let (mut process, mut claim_outcome, mut claim_filter) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for (batch, &n) in events.into_iter().zip(&picks) {
        let call = &ids[n];
        let started = Instant::now();
        for event in batch {
            black_box(processor.process_event(event));
        }
        process += started.elapsed();

        let op = PendingOperation::new(OperationKind::AddParticipant, call.clone())
            .with_operation_context("add");
        let started = Instant::now();
        let outcome = runtime.block_on(processor.wait_for_outcome(&op, Duration::ZERO));
        claim_outcome += started.elapsed();
        assert!(outcome.is_ok(), "the kept outcome is found");

        let filter = EventFilter::for_call(call.clone()).and_type("CallConnected");
        let started = Instant::now();
        let event = runtime.block_on(processor.wait_for_filter(filter, Duration::ZERO));
        claim_filter += started.elapsed();
        assert!(event.is_ok(), "the kept event is found");
    }
    let stats = processor.stats();
    for waiter in waiters {
        waiter.abort();
    }
    let rounds = picks.len() as f64;
    Row {
        calls,
        process_ns: process.as_nanos() as f64 / (rounds * 3.0),
        claim_outcome_ns: claim_outcome.as_nanos() as f64 / rounds,
        claim_filter_ns: claim_filter.as_nanos() as f64 / rounds,
        backlog: stats.backlog_len,
        waiters: stats.waiters,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter is not supported (one table).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let sizes = [100, 1_000, 10_000, 100_000];
    // A warm-up at the smallest size, not reported.
    measure(&runtime, sizes[0]);
    println!("event processor: per-event cost by tracked calls ({TIMED_EVENTS} timed events each)");
    println!(
        "{:>8}  {:>14}  {:>18}  {:>17}  {:>8}  {:>8}",
        "calls", "process ns/ev", "claim outcome ns", "claim filter ns", "backlog", "waiters"
    );
    let rows: Vec<Row> = sizes.iter().map(|&n| measure(&runtime, n)).collect();
    for r in &rows {
        println!(
            "{:>8}  {:>14.0}  {:>18.0}  {:>17.0}  {:>8}  {:>8}",
            r.calls, r.process_ns, r.claim_outcome_ns, r.claim_filter_ns, r.backlog, r.waiters
        );
    }
    let first = rows[0].process_ns;
    let last = rows[rows.len() - 1].process_ns;
    println!(
        "process cost at {} calls / at {} calls: {:.2}x",
        rows[rows.len() - 1].calls,
        rows[0].calls,
        last / first
    );
}
