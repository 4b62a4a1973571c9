//! The shared filter vector (tests/vectors/event-filters.json), also read by the Python and
//! Node tests: which event type strings, call ids and operation contexts a wait accepts. Checked
//! on `EventFilter::matches` and through a processor's wait on a kept event.

use std::time::Duration;

use callsteer::events::*;
use serde_json::Value;

fn vector() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/event-filters.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn filter_of(case: &Value) -> EventFilter {
    let field = |key: &str| case["filter"][key].as_str().map(str::to_string);
    EventFilter {
        call_connection_id: field("call_connection_id"),
        event_type: field("event_type"),
        operation_context: field("operation_context"),
    }
}

#[tokio::test]
async fn every_case_of_the_shared_filter_vector() {
    let vector = vector();
    let cases = vector["cases"].as_array().unwrap();
    assert!(cases.len() > 100);
    let processor = EventProcessor::new();
    for case in cases {
        let event_json = &vector["events"][case["event"].as_str().unwrap()];
        let body = serde_json::to_vec(&Value::Array(vec![event_json.clone()])).unwrap();
        let event = parse_events(&body).unwrap().remove(0);
        assert!(event.parse_error().is_none(), "{event:?}");
        let expected = case["matches"].as_bool().unwrap();
        let filter = filter_of(case);
        assert_eq!(filter.matches(&event), expected, "{case}");

        // The same through a wait on the kept event (what every binding's filter wait does).
        // Fresh ids: the vector posts the same events many times.
        let mut event = event;
        event.meta_mut().id = format!("{}-{}", event.id(), processor.stats().dedup_len);
        assert!(processor.process_event(event));
        let got = processor.wait_for_filter(filter, Duration::ZERO).await;
        assert_eq!(got.is_ok(), expected, "{case}");
        while processor
            .wait_for_filter(EventFilter::all(), Duration::ZERO)
            .await
            .is_ok()
        {}
    }
}
