//! The official SDKs' captured requests (spec/captures) are the ground truth for
//! signing and for request bodies: our signer must reproduce their headers byte for byte, and our
//! client must send the same JSON for the same action.

mod common;

use std::io::Write;

use callsteer::auth::AccessKeyCredential;
use callsteer::*;
use common::{service_like, Recorder};
use serde_json::Value;

/// Reads a file of the repository's vendored `spec/` (see spec/README.md for each file's origin).
fn reference(path: &str) -> Value {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");
    let text = std::fs::read_to_string(format!("{dir}/{path}"))
        .unwrap_or_else(|e| panic!("cannot read {dir}/{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// `json.dumps` with its default separators (", " and ": "): how the Python SDK serialises.
struct PythonFormatter;
impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

fn python_bytes(body: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    serde::Serialize::serialize(body, &mut ser).unwrap();
    out
}

fn check_signatures(file: &str, raw_body: fn(&Value) -> Vec<u8>) -> usize {
    let capture = reference(&format!("captures/{file}"));
    let key = AccessKeyCredential::new("c2VjcmV0").unwrap();
    let mut checked = 0;
    for request in capture["requests"].as_array().unwrap() {
        // Header names differ in case between the two captures.
        let headers: serde_json::Map<String, Value> = request["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        let body = match &request["body"] {
            Value::Null => Vec::new(),
            body => raw_body(body),
        };
        let signed = key.sign(
            request["method"].as_str().unwrap(),
            request["path"].as_str().unwrap(),
            headers["host"].as_str().unwrap(),
            headers["x-ms-date"].as_str().unwrap(),
            &body,
        );
        let what = format!("{} {}", request["method"], request["path"]);
        assert_eq!(
            signed.content_sha256,
            headers["x-ms-content-sha256"].as_str().unwrap(),
            "{what}"
        );
        assert_eq!(
            signed.authorization,
            headers["authorization"].as_str().unwrap(),
            "{what}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn python_sdk_capture_signatures_match_byte_for_byte() {
    assert_eq!(
        check_signatures("official-python-sdk-1.6.0-requests.json", python_bytes),
        17
    );
}

#[test]
fn js_sdk_capture_signatures_match_byte_for_byte() {
    let compact = |v: &Value| serde_json::to_vec(v).unwrap();
    assert_eq!(
        check_signatures("official-js-sdk-1.6.0-requests.json", compact),
        15
    );
}

/// Plays every captured step with our client and returns what the server received; with
/// `newer`, also the steps the 2026-03-12 captures add (move, Teams).
async fn play_capture_steps(options: ClientOptions) -> Vec<common::Recorded> {
    play_steps(options, false).await
}

async fn play_steps(options: ClientOptions, newer: bool) -> Vec<common::Recorded> {
    let server = Recorder::start(service_like).await;
    let client = CallAutomationClient::from_connection_string_with_options(
        &server.connection_string(),
        options,
    )
    .unwrap();
    let events = "https://app.example/events";
    let phone = CommunicationIdentifier::phone_number("+16041234567");
    let user2 = CommunicationIdentifier::communication_user("8:acs:user2");

    client
        .create_call(
            CallInvite::phone("+16041234567", "+16044561234"),
            events,
            CreateCallOptions {
                operation_context: Some("ctx1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    client
        .create_group_call(
            vec![user2.clone(), phone.clone()],
            events,
            CreateCallOptions {
                source_caller_id_number: Some("+16044561234".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    client
        .connect_call(
            CallLocator::ServerCall("srv-9".into()),
            events,
            Default::default(),
        )
        .await
        .unwrap();
    client
        .connect_call(
            CallLocator::Room("room-9".into()),
            events,
            Default::default(),
        )
        .await
        .unwrap();
    client
        .answer_call(
            "ctx-token",
            events,
            AnswerCallOptions {
                operation_context: Some("ans".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    client
        .redirect_call("ctx-token", phone.clone(), Default::default())
        .await
        .unwrap();
    client
        .reject_call(
            "ctx-token",
            RejectCallOptions {
                call_reject_reason: Some(CallRejectReason::Busy),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    let call = client.get_call_connection("call-1").unwrap();
    let mut voip = CustomCallingContext::new();
    voip.add_voip("customVoipHeader1", "v1");
    call.transfer_call_to_participant(
        &user2,
        TransferCallToParticipantOptions {
            operation_context: Some("tr".into()),
            operation_callback_url: Some("https://app.example/op".into()),
            custom_calling_context: voip,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut sip = CustomCallingContext::new();
    sip.add_sip_x("headerName", "headerValue", SipHeaderPrefix::default())
        .add_sip_uui("uui");
    call.transfer_call_to_participant(
        &phone,
        TransferCallToParticipantOptions {
            transferee: Some(CommunicationIdentifier::phone_number("+16045550000")),
            custom_calling_context: sip,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut pstn = CallInvite::phone("+16041234567", "+16044561234");
    pstn.custom_calling_context
        .add_sip_x("headerName", "headerValue", SipHeaderPrefix::XmsCustom);
    call.add_participant(
        pstn,
        AddParticipantOptions {
            invitation_timeout_in_seconds: Some(60),
            operation_context: Some("add-ctx".into()),
            operation_callback_url: Some("https://app.example/op".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut user_invite = CallInvite::new(user2.clone());
    user_invite
        .custom_calling_context
        .add_voip("myHeader", "myValue");
    call.add_participant(user_invite, Default::default())
        .await
        .unwrap();
    call.cancel_add_participant_operation(
        "inv-1",
        CancelAddParticipantOperationOptions {
            operation_context: Some("cancel".into()),
            operation_callback_url: Some("https://app.example/op".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    call.remove_participant(
        &user2,
        RemoveParticipantOptions {
            operation_context: Some("rm".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    call.mute_participant(
        &user2,
        MuteParticipantOptions {
            operation_context: Some("mute".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    call.get_call_properties().await.unwrap();
    call.hang_up(false).await.unwrap();
    call.hang_up(true).await.unwrap();
    if newer {
        play_2026_steps(&client, &call, events).await;
    }
    server.take()
}

/// Steps 18-22 of the 2026-03-12 captures (spec/captures/capture_python.py).
async fn play_2026_steps(client: &CallAutomationClient, call: &CallConnection, events: &str) {
    let user2 = CommunicationIdentifier::communication_user("8:acs:user2");
    call.move_participants(
        vec![user2.clone()],
        "call-2",
        MoveParticipantsOptions {
            operation_context: Some("move-ctx".into()),
            operation_callback_url: Some("https://app.example/op".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    call.add_participant(
        CommunicationIdentifier::teams_extension_user("u", "t", "r").into(),
        AddParticipantOptions {
            operation_context: Some("ext".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut caller = TeamsPhoneCallerDetails::new(
        CommunicationIdentifier::phone_number("+16045550100"),
        "Ada",
        "+16045550100",
    );
    caller.record_id = Some("rec-1".into());
    caller.is_authenticated = Some(true);
    caller
        .additional_caller_information
        .insert("tier".into(), "gold".into());
    let mut source = TeamsPhoneSourceDetails::new(
        CommunicationIdentifier::teams_app("app-1"),
        "en-US",
        "active",
    );
    source
        .intended_targets
        .insert("agent".into(), CommunicationIdentifier::teams_user("u2"));
    let details = TeamsPhoneCallDetails {
        teams_phone_caller: Some(caller),
        teams_phone_source: Some(source),
        session_id: Some("s-1".into()),
        intent: Some("billing".into()),
        call_topic: Some("Billing question".into()),
        call_context: Some("asked about invoice".into()),
        transcript_url: Some("https://app.example/t/1".into()),
        call_sentiment: Some("neutral".into()),
        suggested_actions: Some("refund".into()),
    };
    let mut context = CustomCallingContext::new();
    context.add_voip("k", "v");
    context.teams_phone_call_details = Some(details);
    let mut invite = CallInvite::new(CommunicationIdentifier::teams_user("u1"));
    invite.custom_calling_context = context.clone();
    call.add_participant(invite, Default::default())
        .await
        .unwrap();
    call.transfer_call_to_participant(
        &CommunicationIdentifier::teams_user("u1"),
        TransferCallToParticipantOptions {
            operation_context: Some("tr-teams".into()),
            custom_calling_context: context,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    client
        .create_call(
            CallInvite::new(user2),
            events,
            CreateCallOptions {
                teams_app_source: Some(CommunicationIdentifier::teams_app("app-1")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

/// The Python SDK spells the cloud enum `PUBLIC`; the spec (and the service, and the JS SDK)
/// say `public`.
fn lower_clouds(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(s) if key == "cloud" => *s = s.to_ascii_lowercase(),
                    other => lower_clouds(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(lower_clouds),
        _ => {}
    }
}

/// The JS SDK adds what the service does not need: `kind` on identifiers, `isAnonymous: false`
/// on phone numbers, empty header maps, and an operation context of its own making.
fn strip_js_extras(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("rawId") {
                map.remove("kind");
            }
            // A phone number model (`{value, isAnonymous}`), nested or as a caller id.
            if map.contains_key("value") && map.get("isAnonymous") == Some(&Value::Bool(false)) {
                map.remove("isAnonymous");
            }
            for key in ["voipHeaders", "sipHeaders"] {
                if map
                    .get(key)
                    .is_some_and(|h| h.as_object().is_some_and(|h| h.is_empty()))
                {
                    map.remove(key);
                }
            }
            map.values_mut().for_each(strip_js_extras);
            if map
                .get("customCallingContext")
                .is_some_and(|c| c.as_object().is_some_and(|c| c.is_empty()))
            {
                map.remove("customCallingContext");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_js_extras),
        _ => {}
    }
}

#[tokio::test]
async fn every_request_equals_the_python_sdk_capture_at_2026_03_12() {
    let capture = reference("captures/official-python-sdk-1.6.0-requests-2026-03-12.json");
    let expected = capture["requests"].as_array().unwrap();
    let sent = play_steps(Default::default(), true).await;
    assert_eq!(sent.len(), expected.len());
    assert_eq!(expected.len(), 22);
    for (ours, theirs) in sent.iter().zip(expected) {
        let what = format!("{} {}", theirs["method"], theirs["path"]);
        assert_eq!(ours.method, theirs["method"].as_str().unwrap(), "{what}");
        assert_eq!(
            ours.path_and_query,
            theirs["path"].as_str().unwrap(),
            "{what}"
        );
        let our_body = if ours.body.is_empty() {
            Value::Null
        } else {
            ours.json()
        };
        let mut their_body = theirs["body"].clone();
        lower_clouds(&mut their_body);
        assert_eq!(our_body, their_body, "{what}");
        let theirs_rep = theirs["headers"].get("Repeatability-Request-ID").is_some();
        assert_eq!(
            ours.header("repeatability-request-id").is_some(),
            theirs_rep,
            "{what}"
        );
    }
}

#[tokio::test]
async fn every_request_equals_the_js_sdk_capture_at_2026_03_12_but_for_its_extras() {
    let capture = reference("captures/official-js-sdk-1.6.0-requests-2026-03-12.json");
    let expected = capture["requests"].as_array().unwrap();
    let sent = play_steps(Default::default(), true).await;
    assert_eq!(sent.len(), expected.len());
    for (ours, theirs) in sent.iter().zip(expected) {
        let what = format!("{} {}", theirs["method"], theirs["path"]);
        assert_eq!(ours.method, theirs["method"].as_str().unwrap(), "{what}");
        assert_eq!(
            ours.path_and_query,
            theirs["path"].as_str().unwrap(),
            "{what}"
        );
        let our_body = if ours.body.is_empty() {
            Value::Null
        } else {
            ours.json()
        };
        let mut their_body = theirs["body"].clone();
        strip_js_extras(&mut their_body);
        if let (Some(theirs_ctx), None) = (
            their_body.get("operationContext").and_then(Value::as_str),
            our_body.get("operationContext"),
        ) {
            // JS makes up a UUID context where the app gave none; callsteer does not (ClientOptions::generate_operation_context).
            assert!(
                uuid::Uuid::parse_str(theirs_ctx).is_ok(),
                "{what}: {theirs_ctx}"
            );
            their_body
                .as_object_mut()
                .unwrap()
                .remove("operationContext");
        }
        assert_eq!(our_body, their_body, "{what}");
    }
}

#[tokio::test]
async fn every_steering_request_equals_the_python_sdk_capture() {
    let capture = reference("captures/official-python-sdk-1.6.0-requests.json");
    let expected = capture["requests"].as_array().unwrap();
    // The capture was taken at 2025-05-15 (the file's note); everything else is the default.
    let sent = play_capture_steps(ClientOptions {
        api_version: "2025-05-15".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(sent.len(), expected.len());
    for (ours, theirs) in sent.iter().zip(expected) {
        let what = format!("{} {}", theirs["method"], theirs["path"]);
        assert_eq!(ours.method, theirs["method"].as_str().unwrap(), "{what}");
        assert_eq!(
            ours.path_and_query,
            theirs["path"].as_str().unwrap(),
            "{what}"
        );
        let our_body = if ours.body.is_empty() {
            Value::Null
        } else {
            ours.json()
        };
        assert_eq!(our_body, theirs["body"], "{what}");
        // Repeatability headers exactly where the official SDK sends them.
        let theirs_rep = theirs["headers"].get("Repeatability-Request-ID").is_some();
        assert_eq!(
            ours.header("repeatability-request-id").is_some(),
            theirs_rep,
            "{what}"
        );
        assert_eq!(
            ours.header("repeatability-first-sent").is_some(),
            theirs_rep,
            "{what}"
        );
        if let Some(id) = ours.header("repeatability-request-id") {
            let parsed = uuid::Uuid::parse_str(&id).unwrap();
            assert_eq!(parsed.get_version_num(), 4, "{what}");
            httpdate::parse_http_date(&ours.header("repeatability-first-sent").unwrap()).unwrap();
        }
        // And what we sent verifies as the service checks it.
        let key = AccessKeyCredential::new("c2VjcmV0").unwrap();
        assert!(
            key.verify(
                &ours.method,
                &ours.path_and_query,
                &ours.header("host").unwrap(),
                &ours.header("x-ms-date").unwrap(),
                &ours.body,
                &ours.header("authorization").unwrap(),
            ),
            "{what}"
        );
        assert_eq!(
            ours.header("x-ms-content-sha256").unwrap(),
            auth::content_hash(&ours.body)
        );
        assert!(ours.header("user-agent").unwrap().starts_with("callsteer/"));
    }
}

#[tokio::test]
async fn generated_operation_contexts_only_add_that_field() {
    let capture = reference("captures/official-python-sdk-1.6.0-requests.json");
    let expected = capture["requests"].as_array().unwrap();
    let sent = play_capture_steps(ClientOptions {
        api_version: "2025-05-15".into(),
        generate_operation_context: true,
        ..Default::default()
    })
    .await;
    let mut generated = 0;
    for (ours, theirs) in sent.iter().zip(expected) {
        if ours.body.is_empty() {
            continue;
        }
        let mut ours = ours.json();
        let theirs = &theirs["body"];
        if theirs.get("operationContext").is_none() {
            if let Some(ctx) = ours.as_object_mut().unwrap().remove("operationContext") {
                assert!(ctx.as_str().unwrap().starts_with("callsteer-"));
                generated += 1;
            }
        }
        assert_eq!(&ours, theirs);
    }
    // transfer (group), add (user): the two captured actions with events and no context.
    assert_eq!(generated, 2);
}

#[test]
fn spec_examples_round_trip_through_typed_models() {
    use callsteer::wire::*;
    fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value, what: &str) {
        let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(&back, v, "{what}");
    }
    let dir = "callautomation/2025-05-15/examples";
    let ex = |name: &str| reference(&format!("{dir}/{name}.json"));
    let create = ex("CreateCall");
    round_trip::<CreateCallRequest>(&create["parameters"]["createCallRequest"], "CreateCall req");
    round_trip::<CallConnectionPropertiesModel>(
        &create["responses"]["201"]["body"],
        "CreateCall resp",
    );
    let answer = ex("AnswerCall");
    round_trip::<AnswerCallRequest>(&answer["parameters"]["answerCallRequest"], "AnswerCall req");
    round_trip::<CallConnectionPropertiesModel>(
        &answer["responses"]["200"]["body"],
        "AnswerCall resp",
    );
    let connect = ex("Connect");
    round_trip::<ConnectRequest>(&connect["parameters"]["connectRequest"], "Connect req");
    round_trip::<CallConnectionPropertiesModel>(
        &connect["responses"]["200"]["body"],
        "Connect resp",
    );
    round_trip::<RedirectCallRequest>(
        &ex("RedirectCall")["parameters"]["redirectCallRequest"],
        "Redirect",
    );
    round_trip::<RejectCallRequest>(
        &ex("RejectCall")["parameters"]["rejectCallRequest"],
        "Reject",
    );
    round_trip::<CallConnectionPropertiesModel>(
        &ex("CallConnection_GetCall")["responses"]["200"]["body"],
        "GetCall",
    );
    let transfer = ex("CallConnection_TransferToParticipant");
    round_trip::<TransferToParticipantRequest>(
        &transfer["parameters"]["transferToParticipantRequest"],
        "Transfer req",
    );
    round_trip::<TransferCallResponse>(&transfer["responses"]["202"]["body"], "Transfer resp");
    let add = ex("CallConnection_AddParticipant");
    round_trip::<AddParticipantRequest>(&add["parameters"]["addParticipantRequest"], "Add req");
    round_trip::<AddParticipantResponse>(&add["responses"]["202"]["body"], "Add resp");
    let remove = ex("CallConnection_RemoveParticipant");
    round_trip::<RemoveParticipantRequest>(
        &remove["parameters"]["removeParticipantRequest"],
        "Remove req",
    );
    round_trip::<RemoveParticipantResponse>(&remove["responses"]["202"]["body"], "Remove resp");
    let mute = ex("CallConnection_Mute");
    round_trip::<MuteParticipantsRequest>(
        &mute["parameters"]["muteParticipantsRequest"],
        "Mute req",
    );
    round_trip::<MuteParticipantsResponse>(&mute["responses"]["200"]["body"], "Mute resp");
    let cancel = ex("CallConnection_CancelAddParticipant");
    round_trip::<CancelAddParticipantRequest>(
        &cancel["parameters"]["cancelAddParticipantRequest"],
        "Cancel req",
    );
    round_trip::<CancelAddParticipantResponse>(&cancel["responses"]["202"]["body"], "Cancel resp");
    round_trip::<GetParticipantsResponse>(
        &ex("CallConnection_GetParticipants")["responses"]["200"]["body"],
        "GetParticipants",
    );
    round_trip::<CallParticipantModel>(
        &ex("CallConnection_GetParticipant")["responses"]["200"]["body"],
        "GetParticipant",
    );
}

#[tokio::test]
async fn teams_identities_and_details_go_out_in_the_spec_shape() {
    let server = Recorder::start(service_like).await;
    let client = CallAutomationClient::from_connection_string(&server.connection_string()).unwrap();
    let call = client.get_call_connection("call-1").unwrap();
    let extension = CommunicationIdentifier::teams_extension_user("u", "t", "r");
    call.add_participant(extension.into(), Default::default())
        .await
        .unwrap();
    let mut invite = CallInvite::new(CommunicationIdentifier::teams_user("u1"));
    let mut caller = TeamsPhoneCallerDetails::new(
        CommunicationIdentifier::phone_number("+16045550100"),
        "Ada",
        "+16045550100",
    );
    caller.is_authenticated = Some(true);
    let mut source = TeamsPhoneSourceDetails::new(
        CommunicationIdentifier::teams_app("app-1"),
        "en-US",
        "active",
    );
    source
        .intended_targets
        .insert("agent".into(), CommunicationIdentifier::teams_user("u2"));
    invite.custom_calling_context.teams_phone_call_details = Some(TeamsPhoneCallDetails {
        teams_phone_caller: Some(caller),
        teams_phone_source: Some(source),
        call_topic: Some("Billing question".into()),
        ..Default::default()
    });
    call.add_participant(invite, Default::default())
        .await
        .unwrap();
    let sent = server.take();
    assert_eq!(
        sent[0].json()["participantToAdd"],
        serde_json::json!({"rawId": "8:acs:r_t_u", "teamsExtensionUser":
            {"userId": "u", "tenantId": "t", "resourceId": "r", "cloud": "public"}})
    );
    assert_eq!(
        sent[1].json()["customCallingContext"],
        serde_json::json!({"teamsPhoneCallDetails": {
            "teamsPhoneCallerDetails": {
                "caller": {"rawId": "4:+16045550100", "phoneNumber": {"value": "+16045550100"}},
                "name": "Ada", "phoneNumber": "+16045550100", "isAuthenticated": true},
            "teamsPhoneSourceDetails": {
                "source": {"rawId": "28:orgid:app-1", "microsoftTeamsApp": {"appId": "app-1", "cloud": "public"}},
                "language": "en-US", "status": "active",
                "intendedTargets": {"agent": {"rawId": "8:orgid:u2", "microsoftTeamsUser":
                    {"userId": "u2", "isAnonymous": false, "cloud": "public"}}}},
            "callTopic": "Billing question"}})
    );
}
