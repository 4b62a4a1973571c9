//! The event parser: every event type, every envelope shape, malformed bodies with their error
//! paths, round-trips, and a deterministic mutation run that must never panic.

use callsteer::events::*;
use callsteer::{CallParticipant, CommunicationIdentifier, Error, ResultInformation};
use serde_json::{json, Value};

const CALL: &str = "401f3500-08a0-4e9e-b844-61a65c845a0b";

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/event_samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn all_sample_names() -> Vec<String> {
    let dir = format!("{}/tests/event_samples", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

fn one(name: &str) -> CallAutomationEvent {
    let mut events = parse_events(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(events.len(), 1, "{name}");
    events.remove(0)
}

/// The error of a body both parsers refuse (a body with nothing readable in it is an error in
/// lenient mode too), checking that they agree on it.
fn parse_err(body: &str) -> (String, String) {
    let strict = match parse_events_strict(body.as_bytes()) {
        Err(Error::EventParse { path, message }) => (path, message),
        other => panic!("expected EventParse error for {body}, got {other:?}"),
    };
    match parse_events(body.as_bytes()) {
        Err(Error::EventParse { path, message }) => assert_eq!((path, message), strict),
        other => panic!("expected the lenient parser to refuse {body} too, got {other:?}"),
    }
    strict
}

const CALL_EVENTS: &[&str] = &[
    "CallConnected",
    "CallDisconnected",
    "ParticipantsUpdated",
    "CreateCallFailed",
    "AnswerFailed",
    "ConnectFailed",
    "AddParticipantSucceeded",
    "AddParticipantFailed",
    "RemoveParticipantSucceeded",
    "RemoveParticipantFailed",
    "CancelAddParticipantSucceeded",
    "CancelAddParticipantFailed",
    "CallTransferAccepted",
    "CallTransferFailed",
];

#[test]
fn every_call_event_type_parses_with_common_fields() {
    for name in CALL_EVENTS {
        let event = one(&format!("{name}.json"));
        assert_eq!(event.event_type(), *name);
        assert_eq!(
            event.cloud_event_type(),
            format!("Microsoft.Communication.{name}")
        );
        assert_eq!(event.call_connection_id(), Some(CALL), "{name}");
        assert!(event.server_call_id().is_some(), "{name}");
        assert_eq!(
            event.correlation_id(),
            Some("d4f4c1be-59d8-4850-b9bf-ee564c15839d")
        );
        assert!(!event.id().is_empty());
        assert!(event.meta().time.is_some());
        assert!(event
            .meta()
            .source
            .as_deref()
            .unwrap()
            .starts_with("calling/callConnections/"));
        assert!(event.result_information().is_some(), "{name}");
        assert_eq!(event.is_failure(), name.ends_with("Failed"), "{name}");
        assert!(
            !matches!(event, CallAutomationEvent::Unknown { .. }),
            "{name}"
        );
    }
}

#[test]
fn per_event_fields() {
    match one("CallConnected.json") {
        CallAutomationEvent::CallConnected(d) => {
            assert_eq!(d.operation_context.as_deref(), Some("create-1"));
            assert_eq!(
                d.result_information,
                Some(ResultInformation {
                    code: Some(200),
                    sub_code: Some(0),
                    message: Some("Call connected.".into()),
                    ..Default::default()
                })
            );
        }
        other => panic!("{other:?}"),
    }
    match one("CallDisconnected.json") {
        CallAutomationEvent::CallDisconnected(d) => {
            assert_eq!(d.operation_context, None);
            assert!(d.meta.source.unwrap().ends_with("/CallDisconnected"));
        }
        other => panic!("{other:?}"),
    }
    match one("ParticipantsUpdated.json") {
        CallAutomationEvent::ParticipantsUpdated(d) => {
            assert_eq!(d.sequence_number, 4);
            assert_eq!(d.participants.len(), 3);
            assert_eq!(
                d.participants[1],
                CallParticipant {
                    identifier: CommunicationIdentifier::phone_number("+16041234567"),
                    is_muted: true,
                    is_on_hold: false
                }
            );
            assert!(matches!(
                d.participants[2].identifier,
                CommunicationIdentifier::MicrosoftTeamsUser { .. }
            ));
            assert!(d.participants[2].is_on_hold);
        }
        other => panic!("{other:?}"),
    }
    let add = one("AddParticipantSucceeded.json");
    assert_eq!(add.participant().unwrap().raw_id(), "4:+16041234567");
    assert_eq!(add.operation_context(), Some("add-1"));
    let failed = one("AddParticipantFailed.json");
    assert!(matches!(
        failed.participant(),
        Some(CommunicationIdentifier::CommunicationUser { .. })
    ));
    assert_eq!(failed.result_information().unwrap().sub_code, Some(8530));
    assert!(one("RemoveParticipantSucceeded.json")
        .participant()
        .is_some());
    assert!(one("RemoveParticipantFailed.json").participant().is_some());
    for name in [
        "CancelAddParticipantSucceeded",
        "CancelAddParticipantFailed",
    ] {
        assert_eq!(
            one(&format!("{name}.json")).invitation_id(),
            Some("b880bd5a-1916-470a-b43d-aabf3caff91c")
        );
    }
    match one("CallTransferAccepted.json") {
        CallAutomationEvent::CallTransferAccepted(d) => {
            assert_eq!(
                d.transfer_target,
                Some(CommunicationIdentifier::phone_number("+14255550123"))
            );
            assert!(matches!(
                d.transferee,
                Some(CommunicationIdentifier::CommunicationUser { .. })
            ));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn incoming_call_cloud_events_and_event_grid_schemas() {
    for name in [
        "IncomingCall_cloudevent.json",
        "IncomingCall_eventgrid.json",
    ] {
        let event = one(name);
        let CallAutomationEvent::IncomingCall(d) = &event else {
            panic!("{name}: {event:?}")
        };
        assert_eq!(event.event_type(), "IncomingCall");
        assert_eq!(event.id(), "e80026e7-e298-46ba-bc42-dab0eda92581");
        assert_eq!(d.meta.time.as_deref(), Some("2023-04-04T17:18:42.5542219Z"));
        assert!(d
            .meta
            .source
            .as_deref()
            .unwrap()
            .starts_with("/subscriptions/"));
        assert_eq!(d.to.as_ref().unwrap().raw_id(), "{recipient-id}");
        assert_eq!(d.from.as_ref().unwrap().raw_id(), "{caller-id}");
        assert_eq!(d.server_call_id.as_deref(), Some("{server-call-id}"));
        assert_eq!(d.caller_display_name.as_deref(), Some("VOIP Caller"));
        assert_eq!(
            d.incoming_call_context.as_deref(),
            Some("{incoming-call-contextValue}")
        );
        assert_eq!(d.correlation_id.as_deref(), Some("correlationId"));
        let ctx = d.custom_context.as_ref().unwrap();
        assert_eq!(
            ctx.sip_headers.get("userToUser").map(String::as_str),
            Some("616d617a6f6e5f6368696;encoding=hex")
        );
        assert_eq!(
            ctx.voip_headers.get("customHeader").map(String::as_str),
            Some("customValue")
        );
        assert_eq!(event.call_connection_id(), None);
    }
    let CallAutomationEvent::IncomingCall(eg) = one("IncomingCall_eventgrid.json") else {
        unreachable!()
    };
    assert_eq!(eg.on_behalf_of_callee.unwrap().raw_id(), "{caller-id}");

    // Event Grid posts arrays.
    let object: Value = serde_json::from_slice(&sample("IncomingCall_eventgrid.json")).unwrap();
    let body = serde_json::to_vec(&json!([object.clone(), object])).unwrap();
    let events = parse_events(&body).unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.event_type() == "IncomingCall"));
}

#[test]
fn subscription_validation_handshake() {
    let event = one("subscription_validation.json");
    match &event {
        CallAutomationEvent::SubscriptionValidation {
            validation_code,
            validation_url,
            meta,
        } => {
            assert_eq!(validation_code, "512d38b6-c7b8-40c8-89fe-f46f9e9622b6");
            assert!(validation_url.as_deref().unwrap().starts_with("https://"));
            assert_eq!(meta.time.as_deref(), Some("2018-01-25T22:12:19.4556811Z"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(event.event_type(), "SubscriptionValidationEvent");
}

#[test]
fn envelope_shapes() {
    // Array with several events, including an unknown type kept verbatim.
    let events = parse_events(&sample("multi_with_unknown.json")).unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].event_type(), "AddParticipantSucceeded");
    assert_eq!(events[1].event_type(), "ParticipantsUpdated");
    match &events[2] {
        CallAutomationEvent::Unknown {
            event_type,
            cloud_event_type,
            data,
            ..
        } => {
            assert_eq!(event_type, "PlayCompleted");
            assert_eq!(cloud_event_type, "Microsoft.Communication.PlayCompleted");
            assert_eq!(data["operationContext"], "play-1");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(events[2].call_connection_id(), Some(CALL));
    assert_eq!(events[2].operation_context(), Some("play-1"));

    // Single CloudEvent object.
    let array: Value = serde_json::from_slice(&sample("CallConnected.json")).unwrap();
    let single = serde_json::to_vec(&array[0]).unwrap();
    let events = parse_events(&single).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type(), "CallConnected");

    // Empty array.
    assert!(parse_events(b"[]").unwrap().is_empty());
    assert!(parse_events(b"  [ ]\n").unwrap().is_empty());

    // Type without namespace, Event Grid form of a call event, nulls as absent.
    let events = parse_events(
        br#"[{"id":"a","type":"CallConnected","data":{"callConnectionId":"c","operationContext":null}},
             {"id":"b","eventType":"Microsoft.Communication.CallDisconnected","eventTime":"t","topic":"x","data":{"callConnectionId":"c"}}]"#,
    )
    .unwrap();
    assert_eq!(events[0].event_type(), "CallConnected");
    assert_eq!(events[0].operation_context(), None);
    assert_eq!(events[1].event_type(), "CallDisconnected");
    assert_eq!(events[1].meta().time.as_deref(), Some("t"));
    assert_eq!(events[1].meta().source.as_deref(), Some("x"));

    // Unknown keys at every level are ignored.
    let events = parse_events(
        br#"{"id":"a","type":"Microsoft.Communication.RemoveParticipantSucceeded","extra":{"x":1},
             "data":{"callConnectionId":"c","whatever":[1,2],"participant":{"rawId":"4:+16041234567","phoneNumber":{"value":"+16041234567","future":true}}}}"#,
    )
    .unwrap();
    assert_eq!(events[0].participant().unwrap().raw_id(), "4:+16041234567");
}

#[test]
fn round_trip_through_cloud_event_json() {
    for name in all_sample_names() {
        let events = parse_events(&sample(&name)).unwrap();
        let body = to_cloud_events_body(&events);
        let again = parse_events(body.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(events, again, "{name}");
        // camelCase data and identifiers with kind + rawId on the wire.
        for event in &events {
            let json = event.to_cloud_event_json();
            assert_eq!(json["specversion"], "1.0");
            if let Some(id) = json["data"].get("participant") {
                assert!(
                    id.get("kind").is_some() && id.get("rawId").is_some(),
                    "{name}"
                );
            }
        }
    }
    // Hand-built events (user tests) round-trip too.
    let built = vec![
        CallAutomationEvent::ParticipantsUpdated(ParticipantsUpdatedEventData {
            meta: EventMeta {
                id: "e1".into(),
                ..Default::default()
            },
            call_connection_id: "c1".into(),
            sequence_number: 7,
            participants: vec![CallParticipant {
                identifier: CommunicationIdentifier::communication_user("8:acs:r_u"),
                is_muted: false,
                is_on_hold: true,
            }],
            ..Default::default()
        }),
        CallAutomationEvent::CancelAddParticipantFailed(CancelAddParticipantFailedEventData {
            call_connection_id: "c1".into(),
            invitation_id: Some("inv".into()),
            result_information: Some(ResultInformation {
                code: Some(400),
                sub_code: None,
                message: None,
                ..Default::default()
            }),
            ..Default::default()
        }),
        CallAutomationEvent::SubscriptionValidation {
            meta: EventMeta::default(),
            validation_code: "code".into(),
            validation_url: None,
        },
        CallAutomationEvent::Unknown {
            meta: EventMeta::default(),
            event_type: "HoldFailed".into(),
            cloud_event_type: "Microsoft.Communication.HoldFailed".into(),
            data: json!({"callConnectionId":"c1"}),
            parse_error: None,
        },
        CallAutomationEvent::IncomingCall(IncomingCallEventData {
            from: Some(CommunicationIdentifier::phone_number("+16041234567")),
            incoming_call_context: Some("ctx".into()),
            ..Default::default()
        }),
    ];
    let json = to_cloud_events_body(&built);
    assert!(json.contains(r#""sequenceNumber":7"#));
    assert!(json.contains(r#""isOnHold":true"#));
    assert!(json.contains(r#""invitationId":"inv""#));
    assert_eq!(parse_events(json.as_bytes()).unwrap(), built);
}

#[test]
fn malformed_bodies_name_the_place() {
    let cases: &[(&str, &str, &str)] = &[
        ("not json", "$", "not valid JSON"),
        ("", "$", "not valid JSON"),
        ("42", "$", "array or object"),
        ("\"CallConnected\"", "$", "array or object"),
        ("[1]", "[0]", "event object"),
        ("[{}]", "[0]", "no `type`"),
        (r#"{"data":{}}"#, "$", "no `type`"),
        (r#"[{"type":5}]"#, "[0].type", "expected a string"),
        (r#"[{"type":""}]"#, "[0].type", "empty"),
        (
            r#"[{"type":"Microsoft.Communication.CallConnected"}]"#,
            "[0].data",
            "no data",
        ),
        (
            r#"[{"type":"Microsoft.Communication.CallConnected","data":[]}]"#,
            "[0].data",
            "object",
        ),
        (
            r#"[{"type":"CallConnected","data":{"callConnectionId":7}}]"#,
            "[0].data.callConnectionId",
            "string",
        ),
        (
            r#"[{"type":"CallConnected","id":{},"data":{}}]"#,
            "[0].id",
            "string",
        ),
        (
            r#"[{"type":"CallConnected","data":{"resultInformation":{"code":"200"}}}]"#,
            "[0].data.resultInformation.code",
            "integer",
        ),
        (
            r#"[{"type":"CallConnected","data":{"resultInformation":{"code":99999999999}}}]"#,
            "[0].data.resultInformation.code",
            "32-bit",
        ),
        (
            r#"[{"type":"CallConnected","data":{"resultInformation":[]}}]"#,
            "[0].data.resultInformation",
            "object",
        ),
        (
            r#"[{"type":"ParticipantsUpdated","data":{"sequenceNumber":"4"}}]"#,
            "[0].data.sequenceNumber",
            "integer",
        ),
        (
            r#"[{"type":"ParticipantsUpdated","data":{"sequenceNumber":1.5}}]"#,
            "[0].data.sequenceNumber",
            "integer",
        ),
        (
            r#"[{"type":"ParticipantsUpdated","data":{"participants":{}}}]"#,
            "[0].data.participants",
            "array",
        ),
        (
            r#"[{"type":"ParticipantsUpdated","data":{"participants":[3]}}]"#,
            "[0].data.participants[0]",
            "participant object",
        ),
        (
            r#"[{"type":"ParticipantsUpdated","data":{"participants":[{"isMuted":"yes"}]}}]"#,
            "[0].data.participants[0].isMuted",
            "boolean",
        ),
        (
            r#"[{"type":"ParticipantsUpdated","data":{"participants":[{"identifier":"8:acs:x"}]}}]"#,
            "[0].data.participants[0].identifier",
            "identifier object",
        ),
        (
            r#"[{"type":"ParticipantsUpdated","data":{"participants":[{"identifier":{"communicationUser":{"id":"8:acs:x"},"phoneNumber":{"value":"+1"}}}]}}]"#,
            "[0].data.participants[0].identifier",
            "only one of",
        ),
        (
            r#"[{"type":"AddParticipantFailed","data":{"participant":{}}}]"#,
            "[0].data.participant",
            "rawId",
        ),
        (
            r#"[{"type":"AddParticipantFailed","data":{"participant":{"kind":"phoneNumber","communicationUser":{"id":"x"}}}}]"#,
            "[0].data.participant",
            "phoneNumber",
        ),
        (
            r#"[{"type":"AddParticipantFailed","data":{"participant":{"rawId":5}}}]"#,
            "[0].data.participant",
            "invalid identifier",
        ),
        (
            r#"[{"type":"CallTransferAccepted","data":{"transferee":{"phoneNumber":{"value":1}}}}]"#,
            "[0].data.transferee",
            "invalid identifier",
        ),
        (
            r#"[{"type":"CancelAddParticipantSucceeded","data":{"invitationId":false}}]"#,
            "[0].data.invitationId",
            "string",
        ),
        (
            r#"[{"type":"IncomingCall","data":{"customContext":{"sipHeaders":{"X-MS-Custom-a":1}}}}]"#,
            "[0].data.customContext.sipHeaders.X-MS-Custom-a",
            "string",
        ),
        (
            r#"[{"eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{}}]"#,
            "[0].data.validationCode",
            "missing",
        ),
        (
            r#"{"type":"CallConnected","data":{"operationContext":1}}"#,
            "data.operationContext",
            "string",
        ),
    ];
    for (body, path, fragment) in cases {
        let (got_path, message) = parse_err(body);
        assert_eq!(&got_path, path, "body {body}: {message}");
        assert!(
            message.contains(fragment),
            "body {body}: message `{message}` lacks `{fragment}`"
        );
    }
    // Strict: one bad event in an array fails the whole body, naming its index.
    let mixed = r#"[{"type":"CallConnected","data":{}},{"type":"CallConnected","data":{}},
            {"type":"ParticipantsUpdated","data":{"participants":[{"identifier":{"communicationUser":{"id":"a"},"microsoftTeamsApp":{"appId":"b"}}}]}}]"#;
    match parse_events_strict(mixed.as_bytes()) {
        Err(Error::EventParse { path, .. }) => {
            assert_eq!(path, "[2].data.participants[0].identifier")
        }
        other => panic!("{other:?}"),
    }
    // Lenient: the same error rides on an `Unknown` in the bad event's place.
    let events = parse_events(mixed.as_bytes()).unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[2].parse_error().map(|e| e.path.as_str()),
        Some("[2].data.participants[0].identifier")
    );
    // The Display form carries the path too.
    let err = parse_events(b"[{}]").unwrap_err();
    assert!(err.to_string().contains("[0]"), "{err}");
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_events(deep.as_bytes()).is_err());
    let deep_data = format!(
        r#"[{{"type":"X","data":{}1{}}}]"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(parse_events(deep_data.as_bytes()).is_err());
}

/// A tiny deterministic PRNG (xorshift64*) so the mutation run is reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn swap_types(value: &mut Value, rng: &mut Rng) {
    match value {
        Value::Object(map) => {
            for (_, v) in map.iter_mut() {
                if rng.below(6) == 0 {
                    *v = match rng.below(7) {
                        0 => Value::Null,
                        1 => json!(true),
                        2 => json!(-1),
                        3 => json!("s"),
                        4 => json!([]),
                        5 => json!({}),
                        _ => json!(1e300),
                    };
                } else {
                    swap_types(v, rng);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| swap_types(v, rng)),
        _ => {}
    }
}

#[test]
fn mutated_samples_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0usize;
    let mut oks = 0usize;
    for name in all_sample_names() {
        let original = sample(&name);
        // Truncations at many points.
        for cut in (0..original.len()).step_by(7) {
            let _ = parse_events(&original[..cut]);
            runs += 1;
        }
        // Random byte flips / insertions / deletions.
        for _ in 0..150 {
            let mut bytes = original.clone();
            for _ in 0..=rng.below(4) {
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => bytes[at] = rng.next() as u8,
                    1 => bytes.insert(at, b"{}[]\",:0\\"[rng.below(9)]),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            if parse_events(&bytes).is_ok() {
                oks += 1;
            }
            runs += 1;
        }
        // Structural type swaps.
        let value: Value = serde_json::from_slice(&original).unwrap();
        for _ in 0..60 {
            let mut mutated = value.clone();
            swap_types(&mut mutated, &mut rng);
            let _ = parse_events(&serde_json::to_vec(&mutated).unwrap());
            runs += 1;
        }
    }
    assert!(runs > 3_000, "{runs}");
    assert!(oks > 0, "some mutations (e.g. inside strings) stay valid");
}

#[test]
fn sip_and_q850_details_and_teams_extension_users_are_typed() {
    let body = json!([{
        "id": "e1", "source": format!("calling/callConnections/{CALL}"),
        "type": "Microsoft.Communication.AddParticipantFailed", "specversion": "1.0",
        "data": {
            "callConnectionId": CALL,
            "participant": {"rawId": "8:acs:r_t_u", "kind": "teamsExtensionUser",
                "teamsExtensionUser": {"userId": "u", "tenantId": "t", "resourceId": "r", "cloud": "public"}},
            "resultInformation": {"code": 486, "subCode": 0, "message": "busy",
                "sipDetails": {"code": 486, "message": "Busy Here"},
                "q850Details": {"code": 17, "message": "User busy"}}
        }
    }]);
    let bytes = serde_json::to_vec(&body).unwrap();
    for events in [
        parse_events(&bytes).unwrap(),
        parse_events_strict(&bytes).unwrap(),
    ] {
        let CallAutomationEvent::AddParticipantFailed(d) = &events[0] else {
            panic!("{:?}", events[0]);
        };
        let info = d.result_information.as_ref().unwrap();
        assert_eq!(info.sip_details.as_ref().unwrap().code, Some(486));
        assert_eq!(
            info.q850_details.as_ref().unwrap().message.as_deref(),
            Some("User busy")
        );
        assert_eq!(
            d.participant,
            Some(CommunicationIdentifier::teams_extension_user("u", "t", "r"))
        );
        // The typed event writes back the same data.
        assert_eq!(
            events[0].to_cloud_event_json()["data"]["resultInformation"],
            body[0]["data"]["resultInformation"]
        );
    }
    // A sipDetails of the wrong type names its path.
    let mut bad = body.clone();
    bad[0]["data"]["resultInformation"]["sipDetails"]["code"] = json!("486");
    let err = parse_events_strict(&serde_json::to_vec(&bad).unwrap()).unwrap_err();
    assert!(
        err.to_string()
            .contains("resultInformation.sipDetails.code"),
        "{err}"
    );
}

#[test]
fn incoming_call_carries_teams_phone_call_details() {
    let body = json!({
        "id": "ic1", "topic": "/subscriptions/x", "subject": "/caller/4:+16045550100/recipient/8:orgid:u1",
        "eventType": "Microsoft.Communication.IncomingCall", "dataVersion": "1.0", "metadataVersion": "1",
        "eventTime": "2026-12-03T10:00:00Z",
        "data": {
            "to": {"kind": "microsoftTeamsUser", "rawId": "8:orgid:u1", "microsoftTeamsUser": {"userId": "u1", "isAnonymous": false, "cloud": "public"}},
            "from": {"kind": "phoneNumber", "rawId": "4:+16045550100", "phoneNumber": {"value": "+16045550100"}},
            "incomingCallContext": "ctx", "correlationId": "c",
            "onBehalfOfCallee": {"kind": "microsoftTeamsApp", "rawId": "28:orgid:app-1", "microsoftTeamsApp": {"appId": "app-1", "cloud": "public"}},
            "customContext": {"sipHeaders": {}, "voipHeaders": {"k": "v"}, "teamsPhoneCallDetails": {
                "teamsPhoneCallerDetails": {"caller": {"rawId": "4:+16045550100", "phoneNumber": {"value": "+16045550100"}},
                    "name": "Ada", "phoneNumber": "+16045550100", "additionalCallerInformation": {"tier": "gold"}},
                "teamsPhoneSourceDetails": {"source": {"rawId": "28:orgid:app-1"}, "language": "en-US", "status": "active",
                    "intendedTargets": {"agent": {"rawId": "8:orgid:u2"}}},
                "callTopic": "Billing question"}}
        }
    });
    let events = parse_events(&serde_json::to_vec(&body).unwrap()).unwrap();
    let CallAutomationEvent::IncomingCall(d) = &events[0] else {
        panic!("{:?}", events[0]);
    };
    assert_eq!(
        d.on_behalf_of_callee,
        Some(CommunicationIdentifier::teams_app("app-1"))
    );
    let details = d
        .custom_context
        .as_ref()
        .unwrap()
        .teams_phone_call_details
        .as_ref()
        .unwrap();
    assert_eq!(details.call_topic.as_deref(), Some("Billing question"));
    let caller = details.teams_phone_caller.as_ref().unwrap();
    assert_eq!(
        caller.caller,
        CommunicationIdentifier::phone_number("+16045550100")
    );
    assert_eq!(caller.additional_caller_information["tier"], "gold");
    let source = details.teams_phone_source.as_ref().unwrap();
    assert_eq!(
        source.intended_targets["agent"],
        CommunicationIdentifier::teams_user("u2")
    );
    // A details object of the wrong shape is an error that names where.
    let mut bad = body.clone();
    bad["data"]["customContext"]["teamsPhoneCallDetails"]["teamsPhoneCallerDetails"]["name"] =
        json!(7);
    let err = parse_events_strict(&serde_json::to_vec(&bad).unwrap()).unwrap_err();
    assert!(
        err.to_string()
            .contains("customContext.teamsPhoneCallDetails"),
        "{err}"
    );
}
