//! One bad event never loses its batch-mates: a body with malformed known events still
//! delivers every valid event in it to waiters, subscribers, handlers and the listener's
//! processor; the bad ones arrive as `Unknown` events carrying their parse error, are counted
//! and logged. Strict mode keeps the all-or-nothing behaviour.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callsteer::events::*;
use callsteer::Error;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);

/// Valid CallConnected (c1), a CallConnected whose `resultInformation.code` is text (c2), a
/// valid AddParticipantSucceeded (c1), a ParticipantsUpdated whose participants is an object
/// (c1), an entry with no type at all, and a valid CallDisconnected (c3).
fn mixed_body() -> String {
    json!([
        {"id": "ok-1", "type": "Microsoft.Communication.CallConnected",
         "source": "calling/callConnections/c1",
         "data": {"callConnectionId": "c1", "operationContext": "create"}},
        {"id": "bad-code", "type": "Microsoft.Communication.CallConnected",
         "data": {"callConnectionId": "c2", "resultInformation": {"code": "200"}}},
        {"id": "ok-2", "type": "Microsoft.Communication.AddParticipantSucceeded",
         "data": {"callConnectionId": "c1", "operationContext": "add",
                  "participant": {"rawId": "4:+15550001", "phoneNumber": {"value": "+15550001"}}}},
        {"id": "bad-roster", "type": "Microsoft.Communication.ParticipantsUpdated",
         "data": {"callConnectionId": "c1", "participants": {"not": "an array"}}},
        {"id": "no-type", "data": {"callConnectionId": "c1"}},
        {"id": "ok-3", "type": "Microsoft.Communication.CallDisconnected",
         "data": {"callConnectionId": "c3"}}
    ])
    .to_string()
}

fn ids(events: &[CallAutomationEvent]) -> Vec<&str> {
    events.iter().map(|e| e.id()).collect()
}

#[test]
fn parse_events_keeps_every_valid_event_and_surfaces_the_bad_ones() {
    let events = parse_events(mixed_body().as_bytes()).unwrap();
    assert_eq!(
        ids(&events),
        ["ok-1", "bad-code", "ok-2", "bad-roster", "no-type", "ok-3"]
    );
    assert!(matches!(events[0], CallAutomationEvent::CallConnected(_)));
    assert!(matches!(
        events[2],
        CallAutomationEvent::AddParticipantSucceeded(_)
    ));
    assert!(matches!(
        events[5],
        CallAutomationEvent::CallDisconnected(_)
    ));

    let CallAutomationEvent::Unknown {
        event_type,
        cloud_event_type,
        data,
        parse_error,
        ..
    } = &events[1]
    else {
        panic!("{:?}", events[1]);
    };
    assert_eq!(event_type, "CallConnected");
    assert_eq!(cloud_event_type, "Microsoft.Communication.CallConnected");
    assert_eq!(
        data,
        &json!({"callConnectionId": "c2", "resultInformation": {"code": "200"}})
    );
    let failure = parse_error.as_ref().unwrap();
    assert_eq!(failure.path, "[1].data.resultInformation.code");
    assert!(failure.message.contains("integer"), "{failure}");
    // The raw data still answers the common accessors.
    assert_eq!(events[1].call_connection_id(), Some("c2"));

    let failure = events[3].parse_error().unwrap();
    assert_eq!(failure.path, "[3].data.participants");
    assert!(failure.message.contains("array"), "{failure}");
    assert_eq!(events[3].event_type(), "ParticipantsUpdated");

    // An entry without a type keeps the whole entry as its data.
    let failure = events[4].parse_error().unwrap();
    assert_eq!(failure.path, "[4]");
    assert_eq!(events[4].event_type(), "");
    assert_eq!(
        events[4].data_json(),
        json!({"id": "no-type", "data": {"callConnectionId": "c1"}})
    );

    // Well-formed events carry no error; an unknown type is not an error either.
    assert!(events[0].parse_error().is_none());
    let play =
        parse_events(br#"[{"id":"p","type":"Microsoft.Communication.PlayCompleted"}]"#).unwrap();
    assert!(play[0].parse_error().is_none());
}

#[test]
fn strict_parse_and_bodies_with_nothing_readable_are_errors() {
    match parse_events_strict(mixed_body().as_bytes()) {
        Err(Error::EventParse { path, .. }) => assert_eq!(path, "[1].data.resultInformation.code"),
        other => panic!("{other:?}"),
    }
    for body in [
        "not json",
        "42",
        r#"[{"type":"CallConnected","data":{"resultInformation":{"code":"x"}}},{}]"#,
    ] {
        assert!(
            matches!(parse_events(body.as_bytes()), Err(Error::EventParse { .. })),
            "{body}"
        );
    }
    // Nothing readable: the first entry's error says why.
    match parse_events(br#"[{"type":"CallConnected","data":[]},{}]"#) {
        Err(Error::EventParse { path, .. }) => assert_eq!(path, "[0].data"),
        other => panic!("{other:?}"),
    }
    assert!(parse_events(b"[]").unwrap().is_empty());
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

#[tokio::test]
async fn the_processor_delivers_the_valid_events_to_waiters_subscribers_and_handlers() {
    let p = EventProcessor::new();
    // A waiter registered before the body arrives…
    let early = {
        let p = p.clone();
        tokio::spawn(async move {
            let op = PendingOperation::new(OperationKind::AddParticipant, "c1")
                .with_operation_context("add");
            p.wait_for_outcome(&op, WAIT).await
        })
    };
    while p.stats().waiters == 0 {
        tokio::task::yield_now().await;
    }
    let mut all = p.subscribe(EventFilter::all());
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen_by_handler = seen.clone();
    p.on(EventFilter::all(), move |e| {
        seen_by_handler.lock().unwrap().push(e.id().to_string())
    });

    let (dispatched, logs) = capture_logs(|| p.process_events(mixed_body().as_bytes()));
    let dispatched = dispatched.unwrap();
    assert_eq!(
        ids(&dispatched),
        ["ok-1", "bad-code", "ok-2", "bad-roster", "no-type", "ok-3"]
    );

    assert!(early.await.unwrap().unwrap().succeeded, "waiter got ok-2");
    // … and one registered after it (the outcome was kept).
    let late = p
        .wait_for_outcome(
            &PendingOperation::new(OperationKind::CreateCall, "c1"),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(late.event.id(), "ok-1");
    let mut streamed = Vec::new();
    while let Some(e) = all.try_next() {
        streamed.push(e.id().to_string());
    }
    let expected = ["ok-1", "bad-code", "ok-2", "bad-roster", "no-type", "ok-3"];
    assert_eq!(streamed, expected);
    assert_eq!(*seen.lock().unwrap(), expected);

    // Surfaced: counted, and a warning with the event id and the error.
    assert_eq!(p.stats().malformed_events, 3);
    for needle in [
        "bad-code",
        "[1].data.resultInformation.code",
        "bad-roster",
        "[3].data.participants",
        "no-type",
    ] {
        assert!(logs.contains(needle), "`{needle}` not logged:\n{logs}");
    }
    assert!(logs.contains("WARN"), "{logs}");
    // A malformed CallConnected does not settle the operation of its call.
    assert!(p
        .wait_for_outcome(
            &PendingOperation::new(OperationKind::CreateCall, "c2"),
            Duration::from_millis(1)
        )
        .await
        .is_err());
}

#[tokio::test]
async fn strict_processing_dispatches_nothing_of_a_body_with_a_bad_event() {
    let p = EventProcessor::with_config(EventProcessorConfig {
        strict_parsing: true,
        ..Default::default()
    });
    let mut all = p.subscribe(EventFilter::all());
    match p.process_events(mixed_body().as_bytes()) {
        Err(Error::EventParse { path, .. }) => assert_eq!(path, "[1].data.resultInformation.code"),
        other => panic!("{other:?}"),
    }
    assert!(all.try_next().is_none());
    let stats = p.stats();
    assert_eq!((stats.backlog_len, stats.malformed_events), (0, 0));
    assert!(!EventProcessorConfig::default().strict_parsing);
}

#[cfg(feature = "listener")]
#[tokio::test]
async fn the_listener_answers_200_when_it_delivered_the_valid_events() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let processor = EventProcessor::new();
    let handle = listener::serve("127.0.0.1:0", processor.clone(), None)
        .await
        .unwrap();
    let url = format!("http://{}/api/callbacks", handle.local_addr());
    let http = reqwest::Client::new();
    let response = http.post(&url).body(mixed_body()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let stats = processor.stats();
    assert_eq!(stats.malformed_events, 3);
    let disconnected = processor
        .wait_for_filter(EventFilter::for_call("c3"), WAIT)
        .await
        .unwrap();
    assert_eq!(disconnected.id(), "ok-3");

    // Nothing readable stays a 400, and nothing is dispatched.
    let before = processor.stats().backlog_len;
    let all_bad = r#"[{"id":"x","type":"Microsoft.Communication.CallConnected","data":[]}]"#;
    let response = http.post(&url).body(all_bad).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(processor.stats().backlog_len, before);
    handle.shutdown().await.unwrap();

    // A strict processor's listener refuses the mixed body as a whole.
    let strict = EventProcessor::with_config(EventProcessorConfig {
        strict_parsing: true,
        ..Default::default()
    });
    let handle = listener::serve("127.0.0.1:0", strict.clone(), None)
        .await
        .unwrap();
    let url = format!("http://{}/", handle.local_addr());
    let response = http.post(&url).body(mixed_body()).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(strict.stats().backlog_len, 0);
    handle.shutdown().await.unwrap();
}
