//! Ended calls are kept for a bounded retention (count and age), then forgotten everywhere;
//! each call's delivery task ends with the call. A week-long run must not grow.

mod common;

use common::{Emu, Receiver};
use serde_json::{json, Value};

fn path(call: &str, tail: &str) -> String {
    format!("/calling/callConnections/{call}{tail}?api-version=2025-05-15")
}

async fn stats(emu: &Emu) -> Value {
    let r = emu.admin("GET", "/emulator/stats", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Delivery is asynchronous HTTP: waits (bounded by attempts, never asserting a duration)
/// until every worker task has exited.
async fn workers_drained(emu: &Emu) -> Value {
    for _ in 0..500 {
        let s = stats(emu).await;
        if s["deliveryWorkers"] == 0 {
            return s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("delivery workers still running: {}", stats(emu).await);
}

async fn listed_calls(emu: &Emu) -> Vec<String> {
    emu.admin("GET", "/emulator/calls", None).await.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["callConnectionId"].as_str().unwrap().to_string())
        .collect()
}

/// Creates a call with a repeatability id, waits until it is connected, hangs up.
async fn call_and_hang_up(emu: &Emu, rx: &Receiver, n: usize) -> String {
    let body =
        json!({"targets": [common::ident("8:acs:r_retained")], "callbackUri": rx.url("/cb")})
            .to_string();
    let r = emu
        .raw(
            "POST",
            "/calling/callConnections?api-version=2025-05-15",
            body.as_bytes(),
            &[
                ("repeatability-request-id", uuid_for(n)),
                ("repeatability-first-sent", callsteer::auth::http_date_now()),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let call = r.body["callConnectionId"].as_str().unwrap().to_string();
    rx.wait_for_nth("CallConnected", n).await;
    let r = emu.call("DELETE", &path(&call, ""), None).await;
    assert_eq!(r.status, 204, "{}", r.body);
    rx.wait_for_nth("CallDisconnected", n).await;
    call
}

fn uuid_for(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

#[tokio::test]
async fn ended_calls_beyond_the_retention_are_forgotten_everywhere() {
    let emu = Emu::with(callsteer_emulator::EmulatorConfig {
        ended_call_retention: 3,
        ended_call_max_age_s: 0,
        ..common::manual_config()
    })
    .await;
    let rx = Receiver::start().await;
    let mut calls = Vec::new();
    for n in 1..=8 {
        calls.push(call_and_hang_up(&emu, &rx, n).await);
    }
    let s = workers_drained(&emu).await;

    // The admin API lists only the three most recent ended calls; the older ones are gone.
    assert_eq!(listed_calls(&emu).await, calls[5..].to_vec());
    for old in &calls[..5] {
        let r = emu
            .admin("GET", &format!("/emulator/calls/{old}/events"), None)
            .await;
        assert_eq!(r.status, 404, "{old}: {}", r.body);
        let r = emu
            .admin("GET", &format!("/emulator/ui/calls/{old}/timeline"), None)
            .await;
        assert_eq!(r.status, 404, "{old}: {}", r.body);
    }
    let r = emu
        .admin("GET", &format!("/emulator/calls/{}/events", calls[7]), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body["value"].as_array().unwrap().is_empty());

    // Nothing else holds the forgotten calls, and no delivery task or queue is left.
    assert_eq!(s["calls"], 3, "{s}");
    assert_eq!(s["endedCallsRetained"], 3, "{s}");
    assert_eq!(s["invitations"], 3, "{s}");
    assert_eq!(s["eventLogs"], 3, "{s}");
    assert_eq!(s["deliveryWorkers"], 0, "{s}");
    assert_eq!(s["deliveryQueues"], 0, "{s}");
    assert!(s["uiTimelines"].as_u64().unwrap() <= 3, "{s}");
    // Replies of forgotten calls still replay for a while (see below).
    assert_eq!(s["repeatabilityReplies"], 8, "{s}");
    // Settled invitations leave no timeout timer behind (each would hold memory for a minute).
    assert_eq!(s["pendingTimers"], 0, "{s}");

    // A client retrying the request that ended a forgotten call (its response lost) still
    // gets the stored reply; once the grace period is over, a repeat runs again.
    let repeat_first_create = || async {
        let body =
            json!({"targets": [common::ident("8:acs:r_retained")], "callbackUri": rx.url("/cb")})
                .to_string();
        emu.raw(
            "POST",
            "/calling/callConnections?api-version=2025-05-15",
            body.as_bytes(),
            &[
                ("repeatability-request-id", uuid_for(1)),
                ("repeatability-first-sent", callsteer::auth::http_date_now()),
            ],
            None,
        )
        .await
    };
    let r = repeat_first_create().await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["callConnectionId"], calls[0].as_str());
    emu.advance(callsteer_emulator::repeatability::FORGOTTEN_GRACE_MS)
        .await;
    let s = stats(&emu).await;
    assert_eq!(s["repeatabilityReplies"], 3, "{s}");
    let r = repeat_first_create().await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_ne!(r.body["callConnectionId"], calls[0].as_str());
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn ended_calls_older_than_the_retention_age_are_forgotten() {
    let emu = Emu::with(callsteer_emulator::EmulatorConfig {
        ended_call_retention: 100,
        ended_call_max_age_s: 60,
        ..common::manual_config()
    })
    .await;
    let rx = Receiver::start().await;
    let first = call_and_hang_up(&emu, &rx, 1).await;
    emu.advance(30_000).await;
    let second = call_and_hang_up(&emu, &rx, 2).await;
    assert_eq!(
        listed_calls(&emu).await,
        vec![first.clone(), second.clone()]
    );
    // 60 s after the first ended, only the second is left; 30 s later, neither.
    emu.advance(30_000).await;
    assert_eq!(listed_calls(&emu).await, vec![second]);
    emu.advance(30_000).await;
    assert!(listed_calls(&emu).await.is_empty());
    let s = workers_drained(&emu).await;
    assert_eq!(s["calls"], 0, "{s}");
    assert_eq!(s["eventLogs"], 0, "{s}");
    emu.handle.shutdown().await;
}

/// A live call keeps one delivery task; it ends with the call, whichever way the call ends.
#[tokio::test]
async fn each_delivery_task_ends_with_its_call() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let a = emu.connected_call(&rx.url("/cb"), &["8:acs:r_a"]).await;
    let b = emu.connected_call(&rx.url("/cb"), &["8:acs:r_b"]).await;
    rx.wait_for_nth("ParticipantsUpdated", 2).await;
    let s = stats(&emu).await;
    assert_eq!(s["deliveryQueues"], 2, "{s}");
    assert_eq!(s["deliveryWorkers"], 2, "{s}");
    let r = emu.call("DELETE", &path(&a, ""), None).await;
    assert_eq!(r.status, 204);
    rx.wait_for("CallDisconnected").await;
    let r = emu
        .post(
            &format!("/calling/callConnections/{b}:terminate"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    rx.wait_for_nth("CallDisconnected", 2).await;
    let s = workers_drained(&emu).await;
    assert_eq!(s["deliveryQueues"], 0, "{s}");
    // Ended calls are still retained (the default keeps 1,000 for an hour).
    assert_eq!(s["endedCallsRetained"], 2, "{s}");
    emu.handle.shutdown().await;
}

/// Forgetting a call never loses what it still had to deliver: with no retention at all, the
/// call is forgotten the moment it ends, and its CallDisconnected still arrives.
#[tokio::test]
async fn a_call_forgotten_at_once_still_delivers_its_last_events() {
    let emu = Emu::with(callsteer_emulator::EmulatorConfig {
        ended_call_retention: 0,
        ..common::manual_config()
    })
    .await;
    let rx = Receiver::start().await;
    let call = emu.connected_call(&rx.url("/cb"), &["8:acs:r_a"]).await;
    rx.wait_for("ParticipantsUpdated").await;
    let r = emu.call("DELETE", &path(&call, ""), None).await;
    assert_eq!(r.status, 204);
    let disconnected = rx.wait_for("CallDisconnected").await;
    assert_eq!(
        disconnected.event["data"]["callConnectionId"],
        call.as_str()
    );
    assert!(listed_calls(&emu).await.is_empty());
    let s = workers_drained(&emu).await;
    assert_eq!(s["calls"], 0, "{s}");
    emu.handle.shutdown().await;
}
