//! The event processor (waiters, backlog, duplicates, rosters, subscriptions, handlers, bounded
//! memory), the callback JWT verifier against a real JWKS endpoint, and the callback listener.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use callsteer::events::*;
use callsteer::{CallParticipant, CommunicationIdentifier, Error, ResultInformation};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Event builders

fn meta(id: &str) -> EventMeta {
    EventMeta {
        id: id.to_string(),
        source: Some("calling/callConnections/x".into()),
        ..Default::default()
    }
}

fn connected(id: &str, call: &str, ctx: Option<&str>) -> CallAutomationEvent {
    CallAutomationEvent::CallConnected(CallConnectedEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        operation_context: ctx.map(String::from),
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

fn added(id: &str, call: &str, ctx: Option<&str>, who: &str) -> CallAutomationEvent {
    CallAutomationEvent::AddParticipantSucceeded(AddParticipantSucceededEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        operation_context: ctx.map(String::from),
        participant: Some(CommunicationIdentifier::from_raw_id(who)),
        result_information: Some(ResultInformation {
            code: Some(200),
            sub_code: Some(0),
            message: None,
            ..Default::default()
        }),
        ..Default::default()
    })
}

fn add_failed(id: &str, call: &str, ctx: Option<&str>, who: &str) -> CallAutomationEvent {
    CallAutomationEvent::AddParticipantFailed(AddParticipantFailedEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        operation_context: ctx.map(String::from),
        participant: Some(CommunicationIdentifier::from_raw_id(who)),
        ..Default::default()
    })
}

fn roster(id: &str, call: &str, seq: i64, who: &[&str]) -> CallAutomationEvent {
    CallAutomationEvent::ParticipantsUpdated(ParticipantsUpdatedEventData {
        meta: meta(id),
        call_connection_id: call.into(),
        sequence_number: seq,
        participants: who
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

fn add_op(call: &str) -> PendingOperation {
    PendingOperation::new(OperationKind::AddParticipant, call)
}

const SHORT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// Waiters and backlog

#[tokio::test]
async fn overlapping_waiters_each_get_their_own_outcome() {
    let p = EventProcessor::new();
    let wa = {
        let p = p.clone();
        tokio::spawn(async move {
            p.wait_for_outcome(&add_op("c1").with_operation_context("a"), SHORT)
                .await
        })
    };
    let wb = {
        let p = p.clone();
        tokio::spawn(async move {
            p.wait_for_outcome(&add_op("c1").with_operation_context("b"), SHORT)
                .await
        })
    };
    // By participant only (no operation context).
    let wc = {
        let p = p.clone();
        tokio::spawn(async move {
            p.wait_for_outcome(&add_op("c1").with_participant_raw_id("4:+15550003"), SHORT)
                .await
        })
    };
    while p.stats().waiters < 3 {
        tokio::task::yield_now().await;
    }
    // Another call's event and an unrelated type match nobody.
    assert!(p.process_event(added("x0", "c2", Some("a"), "4:+15550001")));
    assert!(p.process_event(connected("x1", "c1", Some("a"))));
    assert!(p.process_event(add_failed("e3", "c1", None, "4:+15550003")));
    assert!(p.process_event(added("e2", "c1", Some("b"), "4:+15550002")));
    assert!(p.process_event(added("e1", "c1", Some("a"), "4:+15550001")));

    let a = wa.await.unwrap().unwrap();
    let b = wb.await.unwrap().unwrap();
    let c = wc.await.unwrap().unwrap();
    assert!(a.succeeded && a.event.id() == "e1");
    assert!(b.succeeded && b.event.id() == "e2");
    assert!(!c.succeeded && c.event.id() == "e3");
    assert_eq!(p.stats().waiters, 0);
    // The unmatched ones stay in the backlog.
    assert_eq!(p.stats().backlog_len, 2);
}

#[tokio::test]
async fn outcome_arriving_before_the_wait_is_delivered_once() {
    let p = EventProcessor::new();
    p.process_event(connected("e1", "c1", Some("ctx")));
    p.process_event(connected("e2", "c1", Some("ctx")));
    let op = PendingOperation::new(OperationKind::CreateCall, "c1").with_operation_context("ctx");
    let first = p.wait_for_outcome(&op, SHORT).await.unwrap();
    assert!(first.succeeded);
    assert_eq!(first.event.id(), "e1", "oldest first");
    // Only the taken event left the backlog.
    assert_eq!(p.stats().backlog_len, 1);
    let second = p.wait_for_outcome(&op, SHORT).await.unwrap();
    assert_eq!(second.event.id(), "e2");
    assert_eq!(p.stats().backlog_len, 0);
}

#[tokio::test]
async fn outcome_kinds_map_to_their_events() {
    let p = EventProcessor::new();
    let cases: Vec<(OperationKind, CallAutomationEvent, bool)> = vec![
        (
            OperationKind::CreateCall,
            CallAutomationEvent::CreateCallFailed(CreateCallFailedEventData {
                call_connection_id: "k".into(),
                ..Default::default()
            }),
            false,
        ),
        (
            OperationKind::AnswerCall,
            CallAutomationEvent::AnswerFailed(AnswerFailedEventData {
                call_connection_id: "k".into(),
                ..Default::default()
            }),
            false,
        ),
        (
            OperationKind::ConnectCall,
            CallAutomationEvent::ConnectFailed(ConnectFailedEventData {
                call_connection_id: "k".into(),
                ..Default::default()
            }),
            false,
        ),
        (
            OperationKind::TransferCall,
            CallAutomationEvent::CallTransferAccepted(CallTransferAcceptedEventData {
                call_connection_id: "k".into(),
                ..Default::default()
            }),
            true,
        ),
        (
            OperationKind::TransferCall,
            CallAutomationEvent::CallTransferFailed(CallTransferFailedEventData {
                call_connection_id: "k".into(),
                ..Default::default()
            }),
            false,
        ),
        (
            OperationKind::RemoveParticipant,
            CallAutomationEvent::RemoveParticipantSucceeded(RemoveParticipantSucceededEventData {
                call_connection_id: "k".into(),
                ..Default::default()
            }),
            true,
        ),
        (
            OperationKind::RemoveParticipant,
            CallAutomationEvent::RemoveParticipantFailed(RemoveParticipantFailedEventData {
                call_connection_id: "k".into(),
                ..Default::default()
            }),
            false,
        ),
        (
            OperationKind::CancelAddParticipant,
            CallAutomationEvent::CancelAddParticipantSucceeded(
                CancelAddParticipantSucceededEventData {
                    call_connection_id: "k".into(),
                    invitation_id: Some("inv-1".into()),
                    ..Default::default()
                },
            ),
            true,
        ),
    ];
    for (kind, event, succeeded) in cases {
        let name = event.event_type().to_string();
        p.process_event(event);
        let mut op = PendingOperation::new(kind, "k");
        if kind == OperationKind::CancelAddParticipant {
            // A different invitation id does not match.
            let wrong = op.clone().with_invitation_id("inv-2");
            assert!(matches!(
                p.wait_for_outcome(&wrong, Duration::from_millis(10)).await,
                Err(Error::Timeout { .. })
            ));
            op = op.with_invitation_id("inv-1");
        }
        let outcome = p.wait_for_outcome(&op, SHORT).await.unwrap();
        assert_eq!(outcome.succeeded, succeeded, "{name}");
        assert_eq!(outcome.event.event_type(), name);
    }
    // CallConnected does not settle a transfer; CallDisconnected settles nothing.
    p.process_event(connected("z1", "k", None));
    p.process_event(disconnected("z2", "k"));
    let transfer = PendingOperation::new(OperationKind::TransferCall, "k");
    assert!(p
        .wait_for_outcome(&transfer, Duration::from_millis(10))
        .await
        .is_err());
}

#[tokio::test(start_paused = true)]
async fn timeout_is_error_timeout_and_leaves_no_waiter() {
    let p = EventProcessor::new();
    let op = PendingOperation::new(OperationKind::CreateCall, "nobody");
    let err = p
        .wait_for_outcome(&op, Duration::from_secs(30))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert_eq!(err.kind(), callsteer::ErrorKind::Timeout);
    assert_eq!(p.stats().waiters, 0);
    let err = p
        .wait_for_event(
            |e| e.event_type() == "CallConnected",
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }));
    assert_eq!(p.stats().waiters, 0);
}

#[tokio::test]
async fn cancelled_waiter_is_removed() {
    let p = EventProcessor::new();
    let task = {
        let p = p.clone();
        tokio::spawn(async move {
            p.wait_for_outcome(&add_op("c1"), Duration::from_secs(3600))
                .await
        })
    };
    while p.stats().waiters < 1 {
        tokio::task::yield_now().await;
    }
    task.abort();
    let _ = task.await;
    assert_eq!(p.stats().waiters, 0);
    // select!-style cancellation too.
    tokio::select! {
        _ = p.wait_for_event(|_| false, Duration::from_secs(3600)) => unreachable!(),
        _ = tokio::task::yield_now() => {}
    }
    assert_eq!(p.stats().waiters, 0);
    // The event now goes to the backlog, not to a dead waiter.
    p.process_event(added("e1", "c1", None, "4:+1"));
    assert_eq!(p.stats().backlog_len, 1);
}

#[tokio::test(start_paused = true)]
async fn backlog_is_bounded_by_ttl_and_count() {
    let p = EventProcessor::with_config(EventProcessorConfig {
        backlog_ttl: Duration::from_secs(60),
        backlog_max_events: 3,
        ..Default::default()
    });
    p.process_event(connected("old", "c1", None));
    tokio::time::advance(Duration::from_secs(61)).await;
    let op = PendingOperation::new(OperationKind::CreateCall, "c1");
    assert!(p
        .wait_for_outcome(&op, Duration::from_millis(1))
        .await
        .is_err());
    assert_eq!(p.stats().backlog_len, 0, "expired");

    for i in 0..5 {
        p.process_event(connected(&format!("n{i}"), &format!("call{i}"), None));
    }
    assert_eq!(p.stats().backlog_len, 3);
    // The two oldest were evicted.
    let op0 = PendingOperation::new(OperationKind::CreateCall, "call0");
    assert!(p
        .wait_for_outcome(&op0, Duration::from_millis(1))
        .await
        .is_err());
    let op4 = PendingOperation::new(OperationKind::CreateCall, "call4");
    assert_eq!(
        p.wait_for_outcome(&op4, Duration::from_millis(1))
            .await
            .unwrap()
            .event
            .id(),
        "n4"
    );
}

#[tokio::test]
async fn wait_for_event_with_a_filter() {
    let p = EventProcessor::new();
    let waiter = {
        let p = p.clone();
        tokio::spawn(async move {
            p.wait_for_event(
                |e| e.event_type() == "CallDisconnected" && e.call_connection_id() == Some("c9"),
                SHORT,
            )
            .await
        })
    };
    while p.stats().waiters < 1 {
        tokio::task::yield_now().await;
    }
    p.process_event(disconnected("d1", "c8"));
    p.process_event(disconnected("d2", "c9"));
    assert_eq!(waiter.await.unwrap().unwrap().id(), "d2");
}

// ---------------------------------------------------------------------------------------------
// Duplicates, rosters, subscriptions, handlers

#[tokio::test]
async fn duplicate_deliveries_are_dropped() {
    let p = EventProcessor::new();
    let body = to_cloud_events_body(&[connected("e1", "c1", None), connected("e2", "c1", None)]);
    assert_eq!(p.process_events(body.as_bytes()).unwrap().len(), 2);
    assert!(p.process_events(body.as_bytes()).unwrap().is_empty());
    assert!(!p.process_event(connected("e1", "c1", None)));
    let mixed = to_cloud_events_body(&[connected("e2", "c1", None), connected("e3", "c1", None)]);
    let new = p.process_events(mixed.as_bytes()).unwrap();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].id(), "e3");
    // Events without an id are never considered duplicates.
    assert!(p.process_event(connected("", "c1", None)));
    assert!(p.process_event(connected("", "c1", None)));
    assert_eq!(p.stats().dedup_len, 3);
    // A malformed body dispatches nothing.
    assert!(p.process_events(b"[{\"type\":1}]").is_err());
}

#[tokio::test]
async fn out_of_order_participants_updated_keeps_the_newer_roster() {
    let p = EventProcessor::new();
    assert_eq!(p.call_participants("c1"), None);
    p.process_event(roster("r5", "c1", 5, &["8:acs:a", "8:acs:b", "4:+1555"]));
    p.process_event(roster("r3", "c1", 3, &["8:acs:a"]));
    let now = p.call_participants("c1").unwrap();
    assert_eq!(now.len(), 3);
    p.process_event(roster("r6", "c1", 6, &["8:acs:a", "8:acs:b"]));
    assert_eq!(p.call_participants("c1").unwrap().len(), 2);
    p.process_event(roster("q1", "c2", 1, &["8:acs:z"]));
    p.process_event(disconnected("d1", "c1"));
    assert_eq!(p.call_participants("c1"), None);
    assert_eq!(p.call_participants("c2").unwrap().len(), 1);
    assert_eq!(p.stats().rosters, 1);
}

#[tokio::test]
async fn subscriptions_per_call_and_per_type() {
    let p = EventProcessor::new();
    let mut per_call = p.subscribe(EventFilter::for_call("c1"));
    let mut per_type = p.subscribe(EventFilter::of_type("CallDisconnected"));
    let mut both = p.subscribe(EventFilter::for_call("c2").and_type("CallConnected"));
    assert_eq!(p.stats().subscribers, 3);
    p.process_event(connected("e1", "c1", None));
    p.process_event(connected("e2", "c2", None));
    p.process_event(disconnected("e3", "c1"));
    p.process_event(disconnected("e4", "c2"));

    assert_eq!(per_call.next().await.unwrap().id(), "e1");
    assert_eq!(per_call.next().await.unwrap().id(), "e3");
    assert!(per_call.try_next().is_none());
    assert_eq!(per_type.try_next().unwrap().id(), "e3");
    assert_eq!(per_type.try_next().unwrap().id(), "e4");
    assert!(per_type.try_next().is_none());
    assert_eq!(both.try_next().unwrap().id(), "e2");
    assert!(both.try_next().is_none());

    // A subscriber sees events even when a waiter takes them.
    let op = PendingOperation::new(OperationKind::CreateCall, "c1");
    p.process_event(connected("e5", "c1", None));
    assert!(p.wait_for_outcome(&op, SHORT).await.is_ok());
    assert_eq!(per_call.try_next().unwrap().id(), "e5");

    drop(per_call);
    drop(per_type);
    assert_eq!(p.stats().subscribers, 1);
    drop(both);
    assert_eq!(p.stats().subscribers, 0);
}

#[tokio::test]
async fn handlers_on_and_off() {
    let p = EventProcessor::new();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let id = p.on(
        EventFilter::for_call("c1").and_type("CallDisconnected"),
        move |e| {
            assert_eq!(e.event_type(), "CallDisconnected");
            seen.fetch_add(1, Ordering::SeqCst);
        },
    );
    // A handler may call back into the processor without deadlocking; a panicking one is isolated.
    let inner = p.clone();
    let reentrant = p.on(EventFilter::all(), move |_| {
        let _ = inner.stats();
    });
    let panicking = p.on(EventFilter::of_type("CallConnected"), |_| {
        panic!("user bug")
    });
    p.process_event(connected("e1", "c1", None));
    p.process_event(disconnected("e2", "c1"));
    p.process_event(disconnected("e3", "c2"));
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(p.off(id));
    assert!(!p.off(id));
    p.process_event(disconnected("e4", "c1"));
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(p.off(reentrant) && p.off(panicking));
    assert_eq!(p.stats().handlers, 0);
}

/// ≥100 000 events across 10 000 calls, with waiters and subscribers coming and going: every
/// internal collection stays within its configured bound (counts, never wall-clock).
#[tokio::test]
async fn memory_levels_off() {
    let config = EventProcessorConfig {
        backlog_ttl: Duration::from_secs(3600),
        backlog_max_events: 500,
        dedup_window: 20_000,
        roster_max_calls: 1_000,
        ..Default::default()
    };
    let p = EventProcessor::with_config(config.clone());
    let mut processed = 0usize;
    let mut max = ProcessorStats::default();
    let mut track = |p: &EventProcessor| {
        let s = p.stats();
        max.backlog_len = max.backlog_len.max(s.backlog_len);
        max.dedup_len = max.dedup_len.max(s.dedup_len);
        max.rosters = max.rosters.max(s.rosters);
        max.waiters = max.waiters.max(s.waiters);
        max.subscribers = max.subscribers.max(s.subscribers);
        assert!(s.backlog_len <= config.backlog_max_events, "{s:?}");
        assert!(s.dedup_len <= config.dedup_window, "{s:?}");
        assert!(s.rosters <= config.roster_max_calls, "{s:?}");
        assert!(s.waiters <= 1, "{s:?}");
        assert!(s.subscribers <= 1, "{s:?}");
    };
    for call in 0..10_000 {
        let c = format!("call-{call}");
        // A subscriber for this call that nobody reads much, dropped at the end of the call.
        let mut sub = p.subscribe(EventFilter::for_call(c.clone()));
        let batch = vec![
            connected(&format!("{c}-connected"), &c, Some("create")),
            roster(&format!("{c}-r1"), &c, 1, &["8:acs:bot"]),
            added(&format!("{c}-add"), &c, Some("add"), "4:+15550001"),
            roster(&format!("{c}-r2"), &c, 2, &["8:acs:bot", "4:+15550001"]),
            roster(&format!("{c}-r0"), &c, 0, &[]),
            added(&format!("{c}-add2"), &c, None, "4:+15550002"),
            roster(
                &format!("{c}-r3"),
                &c,
                3,
                &["8:acs:bot", "4:+15550001", "4:+15550002"],
            ),
            add_failed(&format!("{c}-addf"), &c, None, "4:+15550003"),
            CallAutomationEvent::Unknown {
                meta: meta(&format!("{c}-play")),
                event_type: "PlayCompleted".into(),
                cloud_event_type: "Microsoft.Communication.PlayCompleted".into(),
                data: json!({ "callConnectionId": c }),
                parse_error: None,
            },
        ];
        let body = to_cloud_events_body(&batch);
        processed += p.process_events(body.as_bytes()).unwrap().len();
        // One waiter per call takes its outcome.
        let op = PendingOperation::new(OperationKind::AddParticipant, c.clone())
            .with_operation_context("add");
        assert!(p.wait_for_outcome(&op, SHORT).await.unwrap().succeeded);
        if call % 10 == 0 {
            // Redelivery of the whole batch is dropped.
            assert!(p.process_events(body.as_bytes()).unwrap().is_empty());
            processed += batch.len();
            // A waiter that times out is removed (no leak).
            let _ = p
                .wait_for_outcome(
                    &PendingOperation::new(OperationKind::TransferCall, c.clone()),
                    Duration::from_millis(0),
                )
                .await;
        }
        assert_eq!(sub.try_next().unwrap().id(), format!("{c}-connected"));
        drop(sub);
        // Half of the calls end (their roster goes away); the rest stay "open".
        if call % 2 == 0 {
            processed += p
                .process_events(
                    to_cloud_events_body(&[disconnected(&format!("{c}-bye"), &c)]).as_bytes(),
                )
                .unwrap()
                .len();
        }
        if call % 100 == 0 {
            track(&p);
        }
    }
    track(&p);
    assert!(processed >= 100_000, "{processed}");
    let end = p.stats();
    assert_eq!(end.waiters, 0);
    assert_eq!(end.subscribers, 0);
    // The bounds were actually reached, so the eviction paths ran.
    assert_eq!(max.backlog_len, config.backlog_max_events);
    assert_eq!(max.dedup_len, config.dedup_window);
    assert_eq!(max.rosters, config.roster_max_calls);
}

// ---------------------------------------------------------------------------------------------
// JWT verification against a real JWKS endpoint

mod jwt {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use rsa::pkcs1v15::SigningKey;
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    use rsa::RsaPrivateKey;
    use sha2::Sha256;

    pub struct Key {
        pub kid: String,
        private: RsaPrivateKey,
    }

    impl Key {
        pub fn generate(kid: &str) -> Key {
            let mut rng = rand::thread_rng();
            Key {
                kid: kid.into(),
                private: RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            }
        }

        pub fn jwk(&self) -> Value {
            let public = self.private.to_public_key();
            json!({
                "kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
            })
        }

        pub fn sign(&self, header: &Value, claims: &Value) -> String {
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let signer = SigningKey::<Sha256>::new(self.private.clone());
            let signature = signer.sign(input.as_bytes()).to_bytes();
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
        }

        pub fn token(&self, claims: &Value) -> String {
            self.sign(&json!({"alg":"RS256","kid":self.kid,"typ":"JWT"}), claims)
        }
    }

    pub fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    pub fn claims(iss: &str, aud: &str) -> Value {
        json!({"iss": iss, "aud": aud, "iat": now(), "nbf": now(), "exp": now() + 300})
    }
}

const AUD: &str = "6b7d2c4e-1111-4a4a-9f9f-0123456789ab";

fn bearer(token: &str) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    headers
}

fn assert_auth_error(result: callsteer::Result<Vec<CallAutomationEvent>>, token: &str, why: &str) {
    match result {
        Err(Error::Auth { message }) => {
            assert!(
                !token.is_empty() && !message.contains(token),
                "{why}: token leaked"
            );
            let sig = token.rsplit('.').next().unwrap_or("");
            assert!(
                sig.is_empty() || !message.contains(sig),
                "{why}: signature leaked"
            );
        }
        other => panic!("{why}: expected Auth error, got {other:?}"),
    }
}

#[tokio::test]
async fn verify_accepts_the_right_key_and_rejects_everything_else() {
    let good = jwt::Key::generate("key-1");
    let other = jwt::Key::generate("key-1"); // same kid, different key = forged
    let server = common::serve_jwks(vec![good.jwk()]).await;
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    assert_eq!(
        verifier.jwks_url(),
        format!("{}/calling/keys", server.issuer)
    );
    let body = to_cloud_events_body(&[connected("e1", "c1", None)]);
    let iss = server.issuer.as_str();

    let token = good.token(&jwt::claims(iss, AUD));
    let events = verifier
        .verify_and_parse(&bearer(&token), body.as_bytes())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    // `aud` as an array is accepted too.
    let mut claims = jwt::claims(iss, "someone-else");
    claims["aud"] = json!(["someone-else", AUD]);
    assert!(verifier
        .verify_and_parse(&bearer(&good.token(&claims)), body.as_bytes())
        .await
        .is_ok());

    let forged = other.token(&jwt::claims(iss, AUD));
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&forged), body.as_bytes())
            .await,
        &forged,
        "other key",
    );
    let t = good.token(&jwt::claims(iss, "wrong-audience"));
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&t), body.as_bytes())
            .await,
        &t,
        "wrong aud",
    );
    let t = good.token(&jwt::claims("https://evil.example", AUD));
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&t), body.as_bytes())
            .await,
        &t,
        "wrong iss",
    );
    let mut expired = jwt::claims(iss, AUD);
    expired["exp"] = json!(jwt::now() - 3600);
    let t = good.token(&expired);
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&t), body.as_bytes())
            .await,
        &t,
        "expired",
    );
    let mut early = jwt::claims(iss, AUD);
    early["nbf"] = json!(jwt::now() + 3600);
    let t = good.token(&early);
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&t), body.as_bytes())
            .await,
        &t,
        "nbf",
    );
    let mut no_exp = jwt::claims(iss, AUD);
    no_exp.as_object_mut().unwrap().remove("exp");
    let t = good.token(&no_exp);
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&t), body.as_bytes())
            .await,
        &t,
        "no exp",
    );
    let t = good.sign(
        &json!({"alg":"HS256","kid":"key-1"}),
        &jwt::claims(iss, AUD),
    );
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&t), body.as_bytes())
            .await,
        &t,
        "alg",
    );
    let t = good.sign(&json!({"alg":"RS256"}), &jwt::claims(iss, AUD));
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&t), body.as_bytes())
            .await,
        &t,
        "no kid",
    );
    // Tampered payload with the original signature.
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            jwt::claims(iss, "x").to_string()
        ),
        parts[2]
    );
    assert_auth_error(
        verifier
            .verify_and_parse(&bearer(&tampered), body.as_bytes())
            .await,
        &tampered,
        "tampered",
    );
    for junk in ["", "abc", "a.b", "a.b.c.d", "!!.!!.!!"] {
        assert_auth_error(
            verifier
                .verify_and_parse(&bearer(junk), body.as_bytes())
                .await,
            "never-matches-any-message-xyz",
            junk,
        );
    }
    // Missing header / other scheme.
    let none = reqwest::header::HeaderMap::new();
    assert!(matches!(
        verifier.verify_and_parse(&none, body.as_bytes()).await,
        Err(Error::Auth { .. })
    ));
    let mut basic = reqwest::header::HeaderMap::new();
    basic.insert(
        reqwest::header::AUTHORIZATION,
        "Basic dXNlcjpwYXNz".parse().unwrap(),
    );
    assert!(matches!(
        verifier.verify_and_parse(&basic, body.as_bytes()).await,
        Err(Error::Auth { .. })
    ));
    // A good token with a malformed body is a parse error.
    assert!(matches!(
        verifier.verify_and_parse(&bearer(&token), b"[{}]").await,
        Err(Error::EventParse { .. })
    ));
    // The JWKS was fetched once, then served from the cache (forged/unknown-kid paths were
    // rate-limited).
    assert_eq!(server.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn unknown_kid_refreshes_the_keys_once_over_http() {
    let first = jwt::Key::generate("k1");
    let rotated = jwt::Key::generate("k2");
    let server = common::serve_jwks(vec![first.jwk()]).await;
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone())
        .with_min_refresh_interval(Duration::ZERO);
    let iss = server.issuer.clone();
    let body = b"[]";
    verifier
        .verify_and_parse(&bearer(&first.token(&jwt::claims(&iss, AUD))), body)
        .await
        .unwrap();
    assert_eq!(server.fetches.load(Ordering::SeqCst), 1);

    // Unknown kid, not published: one refresh, still rejected.
    let t = rotated.token(&jwt::claims(&iss, AUD));
    assert_auth_error(
        verifier.verify_and_parse(&bearer(&t), body).await,
        &t,
        "unknown kid",
    );
    assert_eq!(server.fetches.load(Ordering::SeqCst), 2);

    // The service rotates its keys: the unknown kid triggers a refresh and is then accepted.
    server.jwks.lock().unwrap()["keys"] = json!([first.jwk(), rotated.jwk()]);
    verifier.verify_and_parse(&bearer(&t), body).await.unwrap();
    assert_eq!(server.fetches.load(Ordering::SeqCst), 3);
    // Cached from now on.
    verifier.verify_and_parse(&bearer(&t), body).await.unwrap();
    verifier
        .verify_and_parse(&bearer(&first.token(&jwt::claims(&iss, AUD))), body)
        .await
        .unwrap();
    assert_eq!(server.fetches.load(Ordering::SeqCst), 3);

    // With the default rate limit, a burst of unknown kids costs at most one fetch.
    let limited = CallbackVerifier::new(AUD).unwrap().with_issuer(iss.clone());
    let stranger = jwt::Key::generate("k3");
    for _ in 0..5 {
        let t = stranger.token(&jwt::claims(&iss, AUD));
        assert!(limited.verify_and_parse(&bearer(&t), body).await.is_err());
    }
    assert_eq!(server.fetches.load(Ordering::SeqCst), 4);

    // Unreachable JWKS endpoint is an Auth error, not a panic.
    let offline = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer("http://127.0.0.1:9");
    assert!(matches!(
        offline
            .verify_and_parse(
                &bearer(&first.token(&jwt::claims("http://127.0.0.1:9", AUD))),
                body
            )
            .await,
        Err(Error::Auth { .. })
    ));
}

#[tokio::test]
async fn static_jwks_works_offline() {
    let key = jwt::Key::generate("offline");
    let jwks = json!({"keys": [key.jwk(), {"kty":"EC","kid":"ec"}, {"kty":"RSA","kid":"bad","n":"!!","e":"AQAB"}]});
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer("https://issuer.example")
        .with_jwks_url("http://127.0.0.1:9/never")
        .with_static_jwks(&jwks.to_string())
        .unwrap();
    let t = key.token(&jwt::claims("https://issuer.example", AUD));
    verifier.verify_and_parse(&bearer(&t), b"[]").await.unwrap();
    let other = jwt::Key::generate("nope").token(&jwt::claims("https://issuer.example", AUD));
    assert!(verifier
        .verify_and_parse(&bearer(&other), b"[]")
        .await
        .is_err());
    assert!(CallbackVerifier::new(AUD)
        .unwrap()
        .with_static_jwks("not json")
        .is_err());
    // Debug never shows key material.
    assert!(!format!("{verifier:?}").contains(&key.jwk()["n"].as_str().unwrap()[..20]));
}

// ---------------------------------------------------------------------------------------------
// The callback listener over real HTTP

#[cfg(feature = "listener")]
#[tokio::test]
async fn listener_handshake_auth_and_delivery() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key = jwt::Key::generate("listener-key");
    let forger = jwt::Key::generate("listener-key");
    let server = common::serve_jwks(vec![key.jwk()]).await;
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    let processor = EventProcessor::new();
    let mut incoming = processor.subscribe(EventFilter::of_type("IncomingCall"));
    // Event Grid deliveries carry no JWT: the secret in the URL authenticates them.
    let config = listener::ListenerConfig {
        event_grid_secret: Some("eg-secret".into()),
        ..Default::default()
    };
    let handle =
        listener::serve_with_config("127.0.0.1:0", processor.clone(), Some(verifier), config)
            .await
            .unwrap();
    let url = format!(
        "http://{}/api/callbacks?secret=eg-secret",
        handle.local_addr()
    );
    let http = reqwest::Client::new();

    // Event Grid handshake: answered without a token.
    let validation = std::fs::read(format!(
        "{}/tests/event_samples/subscription_validation.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let response = http.post(&url).body(validation).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"})
    );

    // IncomingCall from Event Grid: no service JWT, accepted, reaches the processor.
    let incoming_body = std::fs::read(format!(
        "{}/tests/event_samples/IncomingCall_eventgrid.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let response = http.post(&url).body(incoming_body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(incoming.next().await.unwrap().event_type(), "IncomingCall");

    // Call-automation events: forged or missing token → 401, nothing dispatched.
    let body = to_cloud_events_body(&[connected("L1", "lc", Some("ctx"))]);
    let forged = forger.token(&jwt::claims(&server.issuer, AUD));
    let response = http
        .post(&url)
        .bearer_auth(&forged)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(!response.text().await.unwrap().contains(&forged));
    let response = http.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        processor.stats().backlog_len,
        2,
        "only the handshake and the IncomingCall so far"
    );

    // Good token → 200, and the outcome reaches a waiter.
    let good = key.token(&jwt::claims(&server.issuer, AUD));
    let response = http
        .post(&url)
        .bearer_auth(&good)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let op = PendingOperation::new(OperationKind::CreateCall, "lc").with_operation_context("ctx");
    let outcome = processor.wait_for_outcome(&op, SHORT).await.unwrap();
    assert!(outcome.succeeded);

    // Malformed body: 400 with the parse error (when authenticated), 401 otherwise.
    let response = http
        .post(&url)
        .bearer_auth(&good)
        .body(r#"[{"type":"CallConnected","data":{"callConnectionId":5}}]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("[0].data.callConnectionId"));
    let response = http.post(&url).body("garbage").send().await.unwrap();
    assert_eq!(response.status(), 401);

    // CloudEvents OPTIONS handshake.
    let response = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("WebHook-Request-Origin", "eventgrid.azure.net")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["webhook-allowed-origin"],
        "eventgrid.azure.net"
    );
    assert_eq!(http.get(&url).send().await.unwrap().status(), 405);

    handle.shutdown().await.unwrap();
    assert!(http.post(&url).body("[]").send().await.is_err());
}

#[cfg(feature = "listener")]
#[tokio::test]
async fn listener_without_verifier_accepts_everything_well_formed() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let processor = EventProcessor::new();
    let handle = listener::serve("127.0.0.1:0", processor.clone(), None)
        .await
        .unwrap();
    let url = format!("http://{}/", handle.local_addr());
    let http = reqwest::Client::new();
    let body = to_cloud_events_body(&[disconnected("n1", "c1")]);
    assert_eq!(
        http.post(&url).body(body).send().await.unwrap().status(),
        200
    );
    assert_eq!(processor.stats().backlog_len, 1);
    assert_eq!(
        http.post(&url).body("{").send().await.unwrap().status(),
        400
    );
    handle.shutdown().await.unwrap();
}

#[test]
fn filters_accept_short_and_full_type_names() {
    let event = disconnected("f1", "c1");
    assert!(EventFilter::of_type("CallDisconnected").matches(&event));
    assert!(EventFilter::of_type("Microsoft.Communication.CallDisconnected").matches(&event));
    assert!(!EventFilter::of_type("CallConnected").matches(&event));
    assert!(EventFilter::for_call("c1").matches(&event));
    assert!(!EventFilter::for_call("c2").matches(&event));
    assert!(EventFilter::all().matches(&event));
}
