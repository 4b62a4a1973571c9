//! Real payloads recorded by the official SDKs' test suites (event_samples/recorded/SOURCE.md):
//! every schema version the service has sent — 2022 events without `version` or
//! `sequenceNumber`, 2024-04-15 ones without `resultInformation` or `isOnHold`, phone numbers
//! without `kind`, a duplicated key — reads into typed events, by both parsers.

use callsteer::events::*;

fn recorded() -> Vec<(String, Vec<u8>)> {
    let dir = format!(
        "{}/tests/event_samples/recorded",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_recorded_payload_reads_into_typed_events() {
    let files = recorded();
    assert!(files.len() >= 25, "{} recorded payloads", files.len());
    let mut events = 0;
    for (name, body) in &files {
        let parsed = parse_events_strict(body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!parsed.is_empty(), "{name}");
        for event in &parsed {
            assert!(
                !matches!(event, CallAutomationEvent::Unknown { .. }),
                "{name}: {} read as Unknown: {event:?}",
                event.event_type()
            );
            // The file's name says which type it holds.
            assert!(
                name.contains(event.event_type()),
                "{name}: {}",
                event.event_type()
            );
            events += 1;
        }
        // The lenient parser (fast path first) agrees with the strict one.
        let lenient = parse_events(body).unwrap();
        assert_eq!(format!("{lenient:?}"), format!("{parsed:?}"), "{name}");
    }
    assert!(events >= files.len());
}

/// The policy for a key given twice in one object: the last one counts, as in JavaScript's
/// `JSON.parse` (what the official JS SDK reads events with) and Python's `json.loads`.
#[test]
fn a_duplicated_key_counts_its_last_value() {
    let (name, body) = recorded()
        .into_iter()
        .find(|(_, body)| {
            let text = String::from_utf8_lossy(body);
            text.matches("\"sequenceNumber\"").count() > 1
        })
        .expect("the recorded payload with a duplicated sequenceNumber");
    let text = String::from_utf8_lossy(&body).into_owned();
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let last = value[0]["data"]["sequenceNumber"].as_i64();
    let event = &parse_events(&body).unwrap()[0];
    let CallAutomationEvent::ParticipantsUpdated(d) = event else {
        panic!("{name}: {event:?}");
    };
    assert_eq!(Some(d.sequence_number), last, "{name}: {text}");
}

#[test]
fn a_2022_roster_of_bare_identifiers_keeps_who_is_in_the_call() {
    let (_, body) = recorded()
        .into_iter()
        .find(|(name, _)| name.contains("bareIdentifiers"))
        .expect("the 2022 ParticipantsUpdated");
    for events in [
        parse_events(&body).unwrap(),
        parse_events_strict(&body).unwrap(),
    ] {
        let CallAutomationEvent::ParticipantsUpdated(d) = &events[0] else {
            panic!("{:?}", events[0]);
        };
        assert_eq!(d.participants.len(), 2);
        for p in &d.participants {
            assert_eq!(p.identifier.kind(), "communicationUser", "{p:?}");
            assert_eq!(p.identifier.raw_id(), "Sanitized");
        }
    }
}
