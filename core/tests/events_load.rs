//! The event processor under load and at its bounds: 10,000 concurrent calls whose outcomes
//! arrive before their waiters, what the backlog keeps and evicts (counted, logged once per
//! interval), rosters that stay dead after CallDisconnected and are evicted least recently
//! updated first. Counts only, never wall-clock time (speed: bench/benches/processor.rs).

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callsteer::events::*;
use callsteer::{CallParticipant, CommunicationIdentifier};

const WAIT: Duration = Duration::from_secs(30);

fn meta(id: &str) -> EventMeta {
    EventMeta {
        id: id.to_string(),
        ..Default::default()
    }
}

fn connected(id: &str, call: &str) -> CallAutomationEvent {
    CallAutomationEvent::CallConnected(CallConnectedEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        ..Default::default()
    })
}

fn disconnected(id: &str, call: &str) -> CallAutomationEvent {
    CallAutomationEvent::CallDisconnected(CallDisconnectedEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        ..Default::default()
    })
}

fn roster(id: &str, call: &str, seq: i64, people: usize) -> CallAutomationEvent {
    CallAutomationEvent::ParticipantsUpdated(ParticipantsUpdatedEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        sequence_number: seq,
        participants: (0..people)
            .map(|n| CallParticipant {
                identifier: CommunicationIdentifier::from_raw_id(&format!("4:+1555{n:07}")),
                is_muted: false,
                is_on_hold: false,
            })
            .collect(),
        ..Default::default()
    })
}

/// 10,000 calls: each call's roster and CallConnected arrive first, then 10,000 concurrent
/// waiters register, one per call. `roster_bound` calls lets the backlog's count bound sit at
/// exactly the number of outcomes, so the rosters must be evicted before any outcome is.
async fn ten_thousand_calls(config: EventProcessorConfig) -> (usize, usize, ProcessorStats) {
    const CALLS: usize = 10_000;
    let p = EventProcessor::with_config(config);
    for call in 0..CALLS {
        let c = format!("call-{call}");
        p.process_event(roster(&format!("{c}-r"), &c, 1, 3));
        p.process_event(connected(&format!("{c}-connected"), &c));
    }
    let waits: Vec<_> = (0..CALLS)
        .map(|call| {
            let p = p.clone();
            tokio::spawn(async move {
                let op = PendingOperation::new(OperationKind::CreateCall, format!("call-{call}"));
                p.wait_for_outcome(&op, WAIT).await
            })
        })
        .collect();
    let (mut succeeded, mut timeouts) = (0, 0);
    for wait in waits {
        match wait.await.unwrap() {
            Ok(outcome) if outcome.succeeded => succeeded += 1,
            Ok(_) => {}
            Err(_) => timeouts += 1,
        }
    }
    (succeeded, timeouts, p.stats())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_calls_with_outcomes_before_their_waiters() {
    let (succeeded, timeouts, stats) = ten_thousand_calls(EventProcessorConfig::default()).await;
    assert_eq!((succeeded, timeouts), (10_000, 0));
    assert_eq!(stats.waiters, 0);
    assert_eq!(stats.backlog_evicted, 0);
    // The rosters nobody claimed are still kept, one per call; the outcomes were taken.
    assert_eq!(stats.backlog_len, 10_000);
    assert_eq!(stats.rosters, 10_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_outlive_rosters_when_the_backlog_is_full() {
    let config = EventProcessorConfig {
        backlog_max_events: 10_000,
        ..Default::default()
    };
    let (succeeded, timeouts, stats) = ten_thousand_calls(config).await;
    assert_eq!((succeeded, timeouts), (10_000, 0));
    // 20,000 events for 10,000 places: every roster went, no outcome did.
    assert_eq!(stats.backlog_evicted, 10_000);
    assert_eq!(stats.backlog_len, 0);
}

/// Captures what `tracing` writes while `f` runs.
fn capture_logs<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    (out, text)
}

#[test]
fn the_backlog_is_bounded_by_bytes_and_its_evictions_are_counted_and_logged() {
    let config = EventProcessorConfig {
        backlog_max_bytes: 256 * 1024,
        ..Default::default()
    };
    let p = EventProcessor::with_config(config.clone());
    let (_, logs) = capture_logs(|| {
        // 1,000 calls with a 100-person roster each: ~15 KB per kept roster.
        for call in 0..1_000 {
            p.process_event(roster(&format!("r{call}"), &format!("c{call}"), 1, 100));
        }
    });
    let stats = p.stats();
    assert!(stats.backlog_bytes <= config.backlog_max_bytes, "{stats:?}");
    assert!(
        stats.backlog_len > 0 && stats.backlog_len < 1_000,
        "{stats:?}"
    );
    assert_eq!(stats.backlog_evicted as usize + stats.backlog_len, 1_000);
    // Many evictions, one summarised warning within the report interval.
    let lines: Vec<_> = logs.lines().filter(|l| l.contains("evicted")).collect();
    assert_eq!(lines.len(), 1, "{logs}");
    assert!(lines[0].contains("WARN"), "{logs}");
    // The rosters themselves are all tracked (their own bound is by calls).
    assert_eq!(stats.rosters, 1_000);
}

#[tokio::test]
async fn only_the_newest_unclaimed_roster_of_a_call_is_kept() {
    let p = EventProcessor::new();
    p.process_event(roster("r1", "c1", 1, 1));
    p.process_event(roster("r3", "c1", 3, 3));
    // An older one arriving late does not replace the newer one.
    p.process_event(roster("r2", "c1", 2, 2));
    p.process_event(roster("x1", "c2", 1, 1));
    let stats = p.stats();
    assert_eq!(stats.backlog_len, 2);
    assert_eq!(stats.backlog_superseded, 2);
    let filter = EventFilter::for_call("c1").and_type("ParticipantsUpdated");
    let got = p.wait_for_filter(filter, WAIT).await.unwrap();
    assert_eq!(got.id(), "r3");
    assert_eq!(p.call_participants("c1").unwrap().len(), 3);
}

#[test]
fn a_late_roster_does_not_bring_a_dead_call_back() {
    let p = EventProcessor::new();
    p.process_event(roster("r1", "c1", 1, 2));
    assert!(p.call_participants("c1").is_some());
    p.process_event(disconnected("bye", "c1"));
    assert!(p.call_participants("c1").is_none());
    // Redelivered or reordered after the disconnect.
    p.process_event(roster("r2", "c1", 2, 2));
    assert!(p.call_participants("c1").is_none());
    let stats = p.stats();
    assert_eq!((stats.rosters, stats.ended_calls), (0, 1));
}

#[tokio::test(start_paused = true)]
async fn ended_calls_are_remembered_for_a_bounded_count_and_time() {
    let p = EventProcessor::with_config(EventProcessorConfig {
        ended_calls_max: 3,
        ended_call_ttl: Duration::from_secs(60),
        ..Default::default()
    });
    for call in 0..5 {
        p.process_event(disconnected(&format!("bye{call}"), &format!("c{call}")));
    }
    assert_eq!(p.stats().ended_calls, 3);
    tokio::time::advance(Duration::from_secs(61)).await;
    p.process_event(connected("any", "other"));
    assert_eq!(p.stats().ended_calls, 0);
}

#[test]
fn rosters_are_evicted_least_recently_updated_first() {
    let p = EventProcessor::with_config(EventProcessorConfig {
        roster_max_calls: 2,
        ..Default::default()
    });
    p.process_event(roster("a1", "a", 1, 1));
    p.process_event(roster("b1", "b", 1, 1));
    // `a` changes again: `b` is now the one least recently updated.
    p.process_event(roster("a2", "a", 2, 2));
    p.process_event(roster("c1", "c", 1, 1));
    assert!(p.call_participants("b").is_none(), "b was evicted");
    assert_eq!(p.call_participants("a").unwrap().len(), 2);
    assert!(p.call_participants("c").is_some());
    assert_eq!(p.stats().rosters, 2);
}

#[tokio::test]
async fn a_wait_for_one_call_sees_its_own_kept_events_in_order() {
    let p = EventProcessor::new();
    for call in ["c1", "c2"] {
        for n in 0..3 {
            let mut event = disconnected(&format!("{call}-{n}"), call);
            if let CallAutomationEvent::CallDisconnected(d) = &mut event {
                d.operation_context = Some(format!("n{n}"));
            }
            p.process_event(event);
        }
    }
    let got = p
        .wait_for_filter(EventFilter::for_call("c2"), WAIT)
        .await
        .unwrap();
    assert_eq!(got.id(), "c2-0");
    let got = p
        .wait_for_filter(
            EventFilter::for_call("c2").with_operation_context("n2"),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(got.id(), "c2-2");
    // A predicate (unindexed) sees the oldest of all.
    let got = p.wait_for_event(|_| true, WAIT).await.unwrap();
    assert_eq!(got.id(), "c1-0");
    // Kept events can be listed and taken by id (what a JS predicate wait does).
    let kept = p.kept_events(&EventFilter::for_call("c1"));
    assert_eq!(
        kept.iter().map(|e| e.id()).collect::<Vec<_>>(),
        ["c1-1", "c1-2"]
    );
    assert_eq!(p.take_kept_event("c1-2", None).unwrap().id(), "c1-2");
    assert!(p.take_kept_event("c1-2", None).is_none(), "taken once");
    assert!(
        p.take_kept_event("c2-1", Some("c1")).is_none(),
        "other call"
    );
    assert_eq!(p.stats().backlog_len, 2);
}

#[tokio::test]
async fn the_oldest_waiter_wins_across_call_and_predicate_waits() {
    let p = EventProcessor::new();
    let predicate = {
        let p = p.clone();
        tokio::spawn(async move {
            p.wait_for_event(|e| e.is_type("CallDisconnected"), WAIT)
                .await
        })
    };
    while p.stats().waiters < 1 {
        tokio::task::yield_now().await;
    }
    let by_call = {
        let p = p.clone();
        tokio::spawn(async move { p.wait_for_filter(EventFilter::for_call("c1"), WAIT).await })
    };
    while p.stats().waiters < 2 {
        tokio::task::yield_now().await;
    }
    p.process_event(disconnected("first", "c1"));
    p.process_event(disconnected("second", "c1"));
    assert_eq!(predicate.await.unwrap().unwrap().id(), "first");
    assert_eq!(by_call.await.unwrap().unwrap().id(), "second");
}
