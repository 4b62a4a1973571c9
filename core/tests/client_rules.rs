//! The client's rules that every language shares: nothing the caller gives is dropped, a 2xx
//! is never an error, field names per language, and the shared vectors in tests/vectors/.

mod common;

use callsteer::error::{field_name, is_known_field, FIELD_NAMES};
use callsteer::*;
use common::{service_like, Recorder, Reply};
use serde_json::Value;

const CB: &str = "https://app.example/events";

async fn server_and_client(options: ClientOptions) -> (Recorder, CallAutomationClient) {
    let server = Recorder::start(service_like).await;
    let client = CallAutomationClient::from_connection_string_with_options(
        &server.connection_string(),
        options,
    )
    .unwrap();
    (server, client)
}

fn user(id: &str) -> CommunicationIdentifier {
    CommunicationIdentifier::communication_user(id)
}

#[track_caller]
fn invalid_field<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::InvalidArgument { field, .. }) => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/client_rules.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// ---- nothing silently dropped ----

#[tokio::test]
async fn create_call_refuses_custom_calling_context() {
    let (server, client) = server_and_client(Default::default()).await;
    let mut sip = CallInvite::phone("+16041234567", "+16044561234");
    sip.custom_calling_context.add_sip_uui("uui");
    let field = invalid_field(client.create_call(sip, CB, Default::default()).await);
    assert_eq!(field, "customCallingContext.sipHeaders");
    let mut voip = CallInvite::new(user("8:acs:r_u"));
    voip.custom_calling_context.add_voip("k", "v");
    let field = invalid_field(client.create_call(voip, CB, Default::default()).await);
    assert_eq!(field, "customCallingContext.voipHeaders");
    assert!(server.take().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn redirect_refuses_what_it_cannot_send() {
    let (server, client) = server_and_client(Default::default()).await;
    let phone = CallInvite::phone("+16041234567", "+16044561234");
    assert_eq!(
        invalid_field(client.redirect_call("ctx", phone, Default::default()).await),
        "sourceCallerIdNumber"
    );
    let named = CallInvite::new(user("8:acs:r_u")).with_source_display_name("Desk");
    assert_eq!(
        invalid_field(client.redirect_call("ctx", named, Default::default()).await),
        "sourceDisplayName"
    );
    let mut ctx = CallInvite::new(user("8:acs:r_u"));
    ctx.custom_calling_context.add_voip("k", "v");
    assert_eq!(
        invalid_field(client.redirect_call("ctx", ctx, Default::default()).await),
        "customCallingContext.voipHeaders"
    );
    assert!(server.take().is_empty(), "nothing may be sent");
    // A bare target still goes through.
    client
        .redirect_call("ctx", user("8:acs:r_u"), Default::default())
        .await
        .unwrap();
    assert_eq!(server.take().len(), 1);
}

// ---- a 2xx is never an error ----

/// Bodies a 2xx create / answer / connect may come with that this version cannot fully read;
/// each still has a call connection id, so each must give a result with that id.
const ODD_PROPERTIES: &[&str] = &[
    // A target with two nested objects, a source whose kind contradicts its object.
    r#"{"callConnectionId":"c-1","targets":[{"communicationUser":{"id":"8:acs:x"},"phoneNumber":{"value":"+16041234567"},"rawId":"8:acs:x"},{"rawId":"4:+16041234567"}],"source":{"kind":"phoneNumber","rawId":"8:acs:src","communicationUser":{"id":"8:acs:src"}}}"#,
    // A field of the wrong type, an identifier of the wrong type.
    r#"{"callConnectionId":"c-1","callConnectionState":5,"targets":[42,{"rawId":"8:acs:ok"}],"answeredBy":{"id":7}}"#,
    // A kind without its object and without a raw id.
    r#"{"callConnectionId":"c-1","targets":[{"kind":"microsoftTeamsUser"}]}"#,
    // Not JSON at all: cut short after the id.
    r#"{"callConnectionId" : "c-1","serverCallId":"srv","targets":[{"rawId":"#,
    // Not an object.
    r#"["c-1"]"#,
];

#[tokio::test]
async fn accepted_create_answer_connect_with_odd_bodies_are_results() {
    let (server, client) = server_and_client(Default::default()).await;
    for (i, body) in ODD_PROPERTIES.iter().enumerate() {
        let expect_id = if body.starts_with('[') {
            None
        } else {
            Some("c-1")
        };
        server.push(Reply::new(201, body));
        let created = client
            .create_call(CallInvite::new(user("8:acs:r_u")), CB, Default::default())
            .await;
        server.push(Reply::new(200, body));
        let answered = client.answer_call("ctx", CB, Default::default()).await;
        server.push(Reply::new(200, body));
        let connected = client
            .connect_call(CallLocator::ServerCall("s".into()), CB, Default::default())
            .await;
        for (what, result) in [
            ("create", created),
            ("answer", answered),
            ("connect", connected),
        ] {
            match expect_id {
                Some(id) => {
                    let result = result.unwrap_or_else(|e| panic!("{what} body {i}: {e}"));
                    assert_eq!(result.call_connection_properties.call_connection_id, id);
                    assert_eq!(result.call_connection.call_connection_id(), id);
                }
                // No id: no call to hand back. The error says how to recover without a duplicate.
                None => {
                    let error = result.unwrap_err();
                    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
                    assert!(
                        error.to_string().contains("same repeatability id"),
                        "{error}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn odd_identifiers_become_unknown_with_their_raw_id() {
    let (server, client) = server_and_client(Default::default()).await;
    server.push(Reply::new(201, ODD_PROPERTIES[0]));
    let created = client
        .create_call(CallInvite::new(user("8:acs:r_u")), CB, Default::default())
        .await
        .unwrap();
    let props = created.call_connection_properties;
    assert_eq!(
        props.targets,
        vec![
            CommunicationIdentifier::unknown("8:acs:x"),
            CommunicationIdentifier::phone_number("+16041234567"),
        ]
    );
    assert!(matches!(
        props.targets[0],
        CommunicationIdentifier::Unknown { .. }
    ));
    assert_eq!(
        props.source,
        Some(CommunicationIdentifier::unknown("8:acs:src"))
    );

    server.push(Reply::new(201, ODD_PROPERTIES[1]));
    let created = client
        .create_call(CallInvite::new(user("8:acs:r_u")), CB, Default::default())
        .await
        .unwrap();
    let props = created.call_connection_properties;
    // The unreadable target is dropped, the readable one kept; the bad state is left unknown.
    assert_eq!(props.targets, vec![user("8:acs:ok")]);
    assert_eq!(props.call_connection_state, CallConnectionState::Unknown);
    assert_eq!(props.answered_by, None);
}

#[tokio::test]
async fn accepted_mid_call_actions_with_odd_bodies_are_results() {
    let (server, client) = server_and_client(ClientOptions {
        generate_operation_context: false,
        ..Default::default()
    })
    .await;
    let call = client.get_call_connection("c-1").unwrap();

    server.push(Reply::new(
        202,
        r#"{"invitationId":"inv-7","participant":{"identifier":{"kind":"phoneNumber","rawId":"4:odd"},"isMuted":"no"}}"#,
    ));
    let added = call
        .add_participant(CallInvite::new(user("8:acs:r_u")), Default::default())
        .await
        .unwrap();
    assert_eq!(added.invitation_id.as_deref(), Some("inv-7"));
    let participant = added.participant.unwrap();
    assert_eq!(
        participant.identifier,
        CommunicationIdentifier::unknown("4:odd")
    );

    server.push(Reply::new(
        202,
        r#"{"invitationId":"inv-8","operationContext":"ctx-8","partic"#,
    ));
    let added = call
        .add_participant(CallInvite::new(user("8:acs:r_u")), Default::default())
        .await
        .unwrap();
    assert_eq!(added.invitation_id.as_deref(), Some("inv-8"));
    assert_eq!(added.operation_context.as_deref(), Some("ctx-8"));

    for body in [
        r#"{"operationContext":5}"#,
        "<html>gateway</html>",
        r#"{"operationContext":"x"#,
    ] {
        server.push(Reply::new(202, body));
        call.transfer_call_to_participant(&user("8:acs:r_v"), Default::default())
            .await
            .unwrap_or_else(|e| panic!("transfer with {body}: {e}"));
        server.push(Reply::new(202, body));
        call.remove_participant(&user("8:acs:r_v"), Default::default())
            .await
            .unwrap_or_else(|e| panic!("remove with {body}: {e}"));
        server.push(Reply::new(200, body));
        call.mute_participant(&user("8:acs:r_v"), Default::default())
            .await
            .unwrap_or_else(|e| panic!("mute with {body}: {e}"));
        server.push(Reply::new(202, body));
        let cancelled = call
            .cancel_add_participant_operation("inv-1", Default::default())
            .await
            .unwrap_or_else(|e| panic!("cancel with {body}: {e}"));
        assert_eq!(cancelled.invitation_id.as_deref(), Some("inv-1"));
    }
}

#[tokio::test]
async fn participant_reads_keep_every_readable_participant() {
    let (server, client) = server_and_client(Default::default()).await;
    let call = client.get_call_connection("c-1").unwrap();
    server.push(Reply::new(
        200,
        r#"{"value":[
            {"identifier":{"rawId":"8:acs:a","communicationUser":{"id":"8:acs:a"}},"isMuted":true},
            {"identifier":{"kind":"communicationUser","rawId":"8:acs:b"}},
            {"identifier":{"rawId":"8:acs:c"},"isOnHold":"sometimes"},
            "not a participant",
            {"identifier":{"rawId":"8:acs:d","phoneNumber":{"value":"+1"},"communicationUser":{"id":"8:acs:d"}}}
        ]}"#,
    ));
    let participants = call.list_participants().await.unwrap();
    let ids: Vec<String> = participants.iter().map(|p| p.identifier.raw_id()).collect();
    assert_eq!(ids, ["8:acs:a", "8:acs:b", "8:acs:c", "8:acs:d"]);
    assert!(participants[0].is_muted);
    assert!(matches!(
        participants[1].identifier,
        CommunicationIdentifier::Unknown { .. }
    ));

    server.push(Reply::new(
        200,
        r#"{"identifier":{"kind":"phoneNumber","rawId":"4:+1604"},"isMuted":false}"#,
    ));
    let one = call.get_participant(&user("8:acs:a")).await.unwrap();
    assert_eq!(one.identifier, CommunicationIdentifier::unknown("4:+1604"));

    // A read can be repeated without effect: a body that is not JSON stays an error.
    server.push(Reply::new(200, "<html>"));
    assert_eq!(
        call.list_participants().await.unwrap_err().kind(),
        ErrorKind::Transport
    );
}

// ---- the client-level source ----

#[tokio::test]
async fn client_source_is_create_source_and_answer_answered_by() {
    let (server, client) = server_and_client(ClientOptions {
        source: Some(user("8:acs:r_bot")),
        ..Default::default()
    })
    .await;
    client
        .create_call(CallInvite::new(user("8:acs:r_u")), CB, Default::default())
        .await
        .unwrap();
    client
        .answer_call("ctx", CB, Default::default())
        .await
        .unwrap();
    // The action's own option wins.
    client
        .answer_call(
            "ctx",
            CB,
            AnswerCallOptions {
                answered_by: Some(user("8:acs:r_other")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let sent = server.take();
    assert_eq!(sent[0].json()["source"]["id"], "8:acs:r_bot");
    assert_eq!(sent[1].json()["answeredBy"]["id"], "8:acs:r_bot");
    assert_eq!(sent[2].json()["answeredBy"]["id"], "8:acs:r_other");

    let (_server, client) = server_and_client(ClientOptions {
        source: Some(CommunicationIdentifier::phone_number("+16041234567")),
        ..Default::default()
    })
    .await;
    assert_eq!(
        invalid_field(
            client
                .create_call(CallInvite::new(user("8:acs:r_u")), CB, Default::default())
                .await
        ),
        "source"
    );
    assert_eq!(
        invalid_field(client.answer_call("ctx", CB, Default::default()).await),
        "source"
    );
}

// ---- shared vectors ----

#[test]
fn endpoint_vectors() {
    for case in vectors()["endpoints"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let parsed = auth::parse_endpoint(input);
        match (case.get("url"), parsed) {
            (Some(url), Ok(got)) => assert_eq!(got.as_str(), url.as_str().unwrap(), "{input:?}"),
            (None, Err(Error::InvalidArgument { field, .. })) => {
                assert_eq!(field, case["error"].as_str().unwrap(), "{input:?}")
            }
            (_, other) => panic!("{input:?}: {other:?}"),
        }
    }
}

#[test]
fn enum_vectors_are_case_insensitive() {
    let v = vectors();
    for case in v["call_reject_reasons"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        match (case.get("value"), input.parse::<CallRejectReason>()) {
            (Some(value), Ok(got)) => assert_eq!(got.as_str(), value.as_str().unwrap()),
            (None, Err(e)) => assert_eq!(e.field_in(Language::Rust).unwrap(), "call_reject_reason"),
            (_, other) => panic!("{input:?}: {other:?}"),
        }
    }
    for case in v["clouds"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        match (case.get("value"), input.parse::<CommunicationCloud>()) {
            (Some(value), Ok(got)) => assert_eq!(got.as_str(), value.as_str().unwrap()),
            (None, Err(Error::InvalidArgument { field, .. })) => assert_eq!(field, "cloud"),
            (_, other) => panic!("{input:?}: {other:?}"),
        }
    }
}

#[test]
fn field_name_vectors() {
    for case in vectors()["field_names"].as_array().unwrap() {
        let canonical = case["canonical"].as_str().unwrap();
        for (key, language) in [
            ("rust", Language::Rust),
            ("python", Language::Python),
            ("node", Language::Node),
            ("swift", Language::Swift),
            ("kotlin", Language::Kotlin),
        ] {
            assert_eq!(
                field_name(canonical, language),
                case[key].as_str().unwrap(),
                "{canonical} in {key}"
            );
        }
    }
}

// ---- every field has a name in every language ----

#[tokio::test]
async fn errors_render_the_field_in_the_callers_language() {
    let (_server, client) = server_and_client(Default::default()).await;
    let call = client.get_call_connection("c-1").unwrap();
    let error = call
        .add_participant(
            CallInvite::new(user("8:acs:r_u")),
            AddParticipantOptions {
                invitation_timeout_in_seconds: Some(181),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.field_in(Language::Python).unwrap(),
        "invitation_timeout"
    );
    assert_eq!(
        error.field_in(Language::Node).unwrap(),
        "invitationTimeoutInSeconds"
    );
    let python = error.message_in(Language::Python);
    assert!(
        python.starts_with("invalid argument `invitation_timeout`: "),
        "{python}"
    );
    assert!(!python.contains("invitationTimeoutInSeconds"), "{python}");
    assert!(
        error
            .to_string()
            .contains("`invitation_timeout_in_seconds`"),
        "{error}"
    );
}

/// Every canonical field name that the core and the bindings pass to an `InvalidArgument`, as
/// written in their sources: a literal first argument of `Error::invalid(…)`, a `validate::`
/// call or a binding's `invalid(…)` helper.
fn raised_fields() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let dirs = [
        "core/src",
        "core/src/events",
        "bindings-python/src",
        "bindings-node/src",
        "bindings-swift/src",
    ];
    let call = regex_lite();
    let mut out = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for field in call(&text) {
                out.push((path.display().to_string(), field));
            }
        }
    }
    out
}

/// The literal first (or, after `py,`, second) argument of each invalid-argument call: a tiny
/// matcher, to keep the test free of a regex dependency.
fn regex_lite() -> impl Fn(&str) -> Vec<String> {
    |text: &str| {
        const CALLS: &[&str] = &[
            "Error::invalid(",
            "errors::invalid(",
            " invalid(",
            "(invalid(",
            "validate::identifier(",
            "validate::caller_id(",
            "validate::callback_url(",
            "validate::non_empty(",
            "from_napi(",
        ];
        let mut found = Vec::new();
        for call in CALLS {
            let mut rest = text;
            while let Some(at) = rest.find(call) {
                rest = &rest[at + call.len()..];
                let mut args = rest.trim_start();
                if let Some(after) = args.strip_prefix("py,") {
                    args = after.trim_start();
                }
                if call.starts_with("from_napi") {
                    // from_napi(error, "field")
                    match args.find(',') {
                        Some(comma) => args = args[comma + 1..].trim_start(),
                        None => continue,
                    }
                }
                let args = args.strip_prefix('&').unwrap_or(args);
                let args = args.strip_prefix("format!(").unwrap_or(args);
                if let Some(lit) = args.strip_prefix('"') {
                    if let Some(end) = lit.find('"') {
                        let field = &lit[..end];
                        // `{i}` placeholders are index suffixes; `{field}` a caller-given field.
                        let field = field.split('{').next().unwrap_or_default();
                        let field = field.trim_end_matches(['[', '.']);
                        if !field.is_empty() && !field.contains(' ') {
                            found.push(field.to_string());
                        }
                    }
                }
            }
        }
        found
    }
}

#[test]
fn every_raised_field_has_a_name_in_every_language() {
    let raised = raised_fields();
    assert!(
        raised.len() > 40,
        "the source scan found too little: {raised:?}"
    );
    let missing: Vec<_> = raised
        .iter()
        .filter(|(_, field)| !is_known_field(field))
        .collect();
    assert!(
        missing.is_empty(),
        "fields without a row in FIELD_NAMES: {missing:#?}"
    );
    for row in FIELD_NAMES {
        for language in [
            Language::Rust,
            Language::Python,
            Language::Node,
            Language::Swift,
            Language::Kotlin,
        ] {
            assert!(
                !row.get(language).is_empty(),
                "{} in {language:?}",
                row.canonical
            );
        }
    }
    let mut canonicals: Vec<_> = FIELD_NAMES.iter().map(|r| r.canonical).collect();
    canonicals.sort();
    canonicals.dedup();
    assert_eq!(
        canonicals.len(),
        FIELD_NAMES.len(),
        "a canonical field is listed twice"
    );
}
