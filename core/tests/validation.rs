//! One test per local validation rule: each is refused with `InvalidArgument` naming the field,
//! and nothing reaches the server.

mod common;

use callsteer::*;
use common::{service_like, Recorder};

struct Fixture {
    server: Recorder,
    client: CallAutomationClient,
    call: CallConnection,
}

async fn fixture() -> Fixture {
    let server = Recorder::start(service_like).await;
    let client = CallAutomationClient::from_connection_string(&server.connection_string()).unwrap();
    let call = client.get_call_connection("call-1").unwrap();
    Fixture {
        server,
        client,
        call,
    }
}

const CB: &str = "https://app.example/events";

fn user(id: &str) -> CommunicationIdentifier {
    CommunicationIdentifier::communication_user(id)
}

#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(result: Result<T>, field: &str, f: &Fixture) {
    match result {
        Err(Error::InvalidArgument {
            field: got,
            message,
        }) => {
            assert_eq!(got, field, "message: {message}");
            assert!(!message.is_empty());
        }
        other => panic!("expected InvalidArgument({field}), got {other:?}"),
    }
    assert!(
        f.server.take().is_empty(),
        "no request may be sent for invalid input"
    );
}

#[tokio::test]
async fn phone_target_without_caller_id_on_create() {
    let f = fixture().await;
    let r = f
        .client
        .create_call(
            CallInvite::new(CommunicationIdentifier::phone_number("+16041234567")),
            CB,
            Default::default(),
        )
        .await;
    assert_invalid(r, "sourceCallerIdNumber", &f);
    let group = f
        .client
        .create_group_call(
            vec![
                user("8:acs:a"),
                CommunicationIdentifier::phone_number("+16041234567"),
            ],
            CB,
            Default::default(),
        )
        .await;
    assert_invalid(group, "sourceCallerIdNumber", &f);
}

#[tokio::test]
async fn phone_target_without_caller_id_on_add() {
    let f = fixture().await;
    let r = f
        .call
        .add_participant(
            CallInvite::new(CommunicationIdentifier::phone_number("+16041234567")),
            Default::default(),
        )
        .await;
    assert_invalid(r, "sourceCallerIdNumber", &f);
}

#[tokio::test]
async fn empty_identifier() {
    let f = fixture().await;
    assert_invalid(
        f.client
            .create_call(CallInvite::new(user("")), CB, Default::default())
            .await,
        "callInvite.target",
        &f,
    );
    assert_invalid(
        f.call
            .remove_participant(&user("  "), Default::default())
            .await,
        "participantToRemove",
        &f,
    );
    assert_invalid(
        f.call
            .transfer_call_to_participant(&CommunicationIdentifier::unknown(""), Default::default())
            .await,
        "targetParticipant",
        &f,
    );
    assert_invalid(f.client.get_call_connection(""), "callConnectionId", &f);
}

#[tokio::test]
async fn malformed_identifier() {
    let f = fixture().await;
    assert_invalid(
        f.call
            .add_participant(CallInvite::new(user("8:acs:a\nb")), Default::default())
            .await,
        "participantToAdd",
        &f,
    );
    assert_invalid(
        f.call
            .get_participant(&CommunicationIdentifier::teams_user(""))
            .await,
        "participantRawId",
        &f,
    );
}

#[tokio::test]
async fn non_e164_numbers() {
    let f = fixture().await;
    assert_invalid(
        f.client
            .create_call(
                CallInvite::phone("6041234567", "+16044561234"),
                CB,
                Default::default(),
            )
            .await,
        "callInvite.target",
        &f,
    );
    assert_invalid(
        f.client
            .create_call(
                CallInvite::phone("+16041234567", "16044561234"),
                CB,
                Default::default(),
            )
            .await,
        "sourceCallerIdNumber",
        &f,
    );
    assert_invalid(
        f.call
            .add_participant(
                CallInvite::phone("+1 604 123", "+16044561234"),
                Default::default(),
            )
            .await,
        "participantToAdd",
        &f,
    );
    let transfer = TransferCallToParticipantOptions {
        source_caller_id_number: Some("abc".into()),
        ..Default::default()
    };
    assert_invalid(
        f.call
            .transfer_call_to_participant(&user("8:acs:a"), transfer)
            .await,
        "sourceCallerIdNumber",
        &f,
    );
}

#[tokio::test]
async fn invitation_timeout_above_180() {
    let f = fixture().await;
    let options = AddParticipantOptions {
        invitation_timeout_in_seconds: Some(181),
        ..Default::default()
    };
    assert_invalid(
        f.call
            .add_participant(CallInvite::new(user("8:acs:a")), options)
            .await,
        "invitationTimeoutInSeconds",
        &f,
    );
    let zero = AddParticipantOptions {
        invitation_timeout_in_seconds: Some(0),
        ..Default::default()
    };
    assert_invalid(
        f.call
            .add_participant(CallInvite::new(user("8:acs:a")), zero)
            .await,
        "invitationTimeoutInSeconds",
        &f,
    );
}

#[tokio::test]
async fn operation_context_over_5000_characters() {
    let f = fixture().await;
    let long = "é".repeat(5001);
    let options = CreateCallOptions {
        operation_context: Some(long.clone()),
        ..Default::default()
    };
    assert_invalid(
        f.client
            .create_call(CallInvite::new(user("8:acs:a")), CB, options)
            .await,
        "operationContext",
        &f,
    );
    let rm = RemoveParticipantOptions {
        operation_context: Some(long),
        ..Default::default()
    };
    assert_invalid(
        f.call.remove_participant(&user("8:acs:a"), rm).await,
        "operationContext",
        &f,
    );
    // Exactly 5,000 is allowed.
    let ok = RemoveParticipantOptions {
        operation_context: Some("x".repeat(5000)),
        ..Default::default()
    };
    f.call
        .remove_participant(&user("8:acs:a"), ok)
        .await
        .unwrap();
}

#[tokio::test]
async fn connect_with_no_locator_or_two() {
    let f = fixture().await;
    assert_invalid(CallLocator::from_parts(None, None, None), "callLocator", &f);
    assert_invalid(
        CallLocator::from_parts(Some("s".into()), Some("g".into()), None),
        "callLocator",
        &f,
    );
    assert_invalid(
        f.client
            .connect_call(CallLocator::Room(String::new()), CB, Default::default())
            .await,
        "callLocator",
        &f,
    );
}

#[tokio::test]
async fn empty_group() {
    let f = fixture().await;
    assert_invalid(
        f.client
            .create_group_call(vec![], CB, Default::default())
            .await,
        "targets",
        &f,
    );
}

#[tokio::test]
async fn callback_urls_must_be_absolute_http() {
    let f = fixture().await;
    for bad in ["/events", "ftp://app.example/e", "not a url", ""] {
        assert_invalid(
            f.client
                .create_call(CallInvite::new(user("8:acs:a")), bad, Default::default())
                .await,
            "callbackUri",
            &f,
        );
        assert_invalid(
            f.client.answer_call("ctx", bad, Default::default()).await,
            "callbackUri",
            &f,
        );
        let rm = RemoveParticipantOptions {
            operation_callback_url: Some(bad.into()),
            ..Default::default()
        };
        assert_invalid(
            f.call.remove_participant(&user("8:acs:a"), rm).await,
            "operationCallbackUri",
            &f,
        );
        let cancel = CancelAddParticipantOperationOptions {
            operation_callback_url: Some(bad.into()),
            ..Default::default()
        };
        assert_invalid(
            f.call.cancel_add_participant_operation("inv", cancel).await,
            "operationCallbackUri",
            &f,
        );
    }
}

fn transfer_with(ctx: CustomCallingContext) -> TransferCallToParticipantOptions {
    TransferCallToParticipantOptions {
        custom_calling_context: ctx,
        ..Default::default()
    }
}

#[tokio::test]
async fn at_most_five_custom_sip_headers() {
    let f = fixture().await;
    let mut ctx = CustomCallingContext::new();
    for i in 0..6 {
        ctx.add_sip_x(format!("h{i}"), "v", SipHeaderPrefix::XmsCustom);
    }
    ctx.add_sip_uui("uui");
    assert_invalid(
        f.call
            .transfer_call_to_participant(&user("8:acs:a"), transfer_with(ctx))
            .await,
        "customCallingContext.sipHeaders",
        &f,
    );
    let mut five = CustomCallingContext::new();
    for i in 0..5 {
        five.add_sip_x(format!("h{i}"), "v", SipHeaderPrefix::X);
    }
    five.add_sip_uui("uui");
    f.call
        .transfer_call_to_participant(&user("8:acs:a"), transfer_with(five))
        .await
        .unwrap();
}

#[tokio::test]
async fn sip_key_at_most_64_characters_with_prefix() {
    let f = fixture().await;
    let mut ctx = CustomCallingContext::new();
    // "X-MS-Custom-" is 12 characters: 53 more make 65.
    ctx.add_sip_x("k".repeat(53), "v", SipHeaderPrefix::XmsCustom);
    assert_invalid(
        f.call
            .transfer_call_to_participant(&user("8:acs:a"), transfer_with(ctx))
            .await,
        "customCallingContext.sipHeaders",
        &f,
    );
    let mut ok = CustomCallingContext::new();
    ok.add_sip_x("k".repeat(52), "v", SipHeaderPrefix::XmsCustom);
    f.call
        .transfer_call_to_participant(&user("8:acs:a"), transfer_with(ok))
        .await
        .unwrap();
}

#[tokio::test]
async fn sip_value_at_most_256_characters() {
    let f = fixture().await;
    let mut ctx = CustomCallingContext::new();
    ctx.add_sip_uui("u".repeat(257));
    assert_invalid(
        f.call
            .transfer_call_to_participant(&user("8:acs:a"), transfer_with(ctx))
            .await,
        "customCallingContext.sipHeaders",
        &f,
    );
}

#[tokio::test]
async fn at_most_1000_voip_headers() {
    let f = fixture().await;
    let mut invite = CallInvite::new(user("8:acs:a"));
    for i in 0..1001 {
        invite.custom_calling_context.add_voip(format!("h{i}"), "v");
    }
    assert_invalid(
        f.call.add_participant(invite, Default::default()).await,
        "customCallingContext.voipHeaders",
        &f,
    );
}

#[tokio::test]
async fn header_names_from_the_allowed_set() {
    let f = fixture().await;
    let mut voip = CustomCallingContext::new();
    voip.add_voip("bad header", "v");
    assert_invalid(
        f.call
            .transfer_call_to_participant(&user("8:acs:a"), transfer_with(voip))
            .await,
        "customCallingContext.voipHeaders",
        &f,
    );
    let mut sip = CustomCallingContext::new();
    sip.sip_headers.insert("Contact".into(), "v".into());
    assert_invalid(
        f.call
            .transfer_call_to_participant(&user("8:acs:a"), transfer_with(sip))
            .await,
        "customCallingContext.sipHeaders",
        &f,
    );
    let mut injected = CustomCallingContext::new();
    injected.add_voip("ok", "line\r\nInjected: 1");
    assert_invalid(
        f.call
            .transfer_call_to_participant(&user("8:acs:a"), transfer_with(injected))
            .await,
        "customCallingContext.voipHeaders",
        &f,
    );
}

#[tokio::test]
async fn mute_only_communication_users() {
    let f = fixture().await;
    let r = f
        .call
        .mute_participant(
            &CommunicationIdentifier::phone_number("+16041234567"),
            Default::default(),
        )
        .await;
    assert_invalid(r, "targetParticipants", &f);
}

#[tokio::test]
async fn empty_contexts_and_invitation_ids() {
    let f = fixture().await;
    assert_invalid(
        f.client.answer_call("", CB, Default::default()).await,
        "incomingCallContext",
        &f,
    );
    assert_invalid(
        f.client.reject_call(" ", Default::default()).await,
        "incomingCallContext",
        &f,
    );
    assert_invalid(
        f.client
            .redirect_call("", user("8:acs:a"), Default::default())
            .await,
        "incomingCallContext",
        &f,
    );
    assert_invalid(
        f.call
            .cancel_add_participant_operation("", Default::default())
            .await,
        "invitationId",
        &f,
    );
}

#[tokio::test]
async fn bad_connection_strings_and_endpoints() {
    let f = fixture().await;
    assert_invalid(
        CallAutomationClient::from_connection_string("endpoint=https://x/"),
        "connection_string",
        &f,
    );
    assert_invalid(
        CallAutomationClient::with_access_key("not a url", "c2VjcmV0", Default::default()),
        "endpoint",
        &f,
    );
    assert_invalid(
        CallAutomationClient::with_access_key("https://x/", "%%%", Default::default()),
        "accesskey",
        &f,
    );
}

fn teams_details() -> TeamsPhoneCallDetails {
    let mut caller = TeamsPhoneCallerDetails::new(
        CommunicationIdentifier::phone_number("+16045550100"),
        "Ada",
        "+16045550100",
    );
    caller
        .additional_caller_information
        .insert("tier".into(), "gold".into());
    TeamsPhoneCallDetails {
        teams_phone_caller: Some(caller),
        teams_phone_source: Some(TeamsPhoneSourceDetails::new(
            CommunicationIdentifier::teams_app("app-1"),
            "en-US",
            "active",
        )),
        call_topic: Some("Billing question".into()),
        ..Default::default()
    }
}

fn with_teams(details: TeamsPhoneCallDetails) -> TransferCallToParticipantOptions {
    let mut ctx = CustomCallingContext::new();
    ctx.teams_phone_call_details = Some(details);
    transfer_with(ctx)
}

#[tokio::test]
async fn teams_phone_call_details_follow_the_spec_limits() {
    let f = fixture().await;
    let agent = CommunicationIdentifier::teams_user("agent");
    let mut long_topic = teams_details();
    long_topic.call_topic = Some("x".repeat(49));
    assert_invalid(
        f.call
            .transfer_call_to_participant(&agent, with_teams(long_topic))
            .await,
        "customCallingContext.teamsPhoneCallDetails.callTopic",
        &f,
    );
    let mut eleven = teams_details();
    let caller = eleven.teams_phone_caller.as_mut().unwrap();
    for i in 0..11 {
        caller
            .additional_caller_information
            .insert(format!("k{i}"), "v".into());
    }
    assert_invalid(
        f.call
            .transfer_call_to_participant(&agent, with_teams(eleven))
            .await,
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCallerDetails.additionalCallerInformation",
        &f,
    );
    let mut nameless = teams_details();
    nameless.teams_phone_caller.as_mut().unwrap().name = " ".into();
    assert_invalid(
        f.call
            .transfer_call_to_participant(&agent, with_teams(nameless))
            .await,
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCallerDetails.name",
        &f,
    );
    let mut bad_source = teams_details();
    bad_source.teams_phone_source.as_mut().unwrap().source =
        CommunicationIdentifier::phone_number("604");
    assert_invalid(
        f.call
            .transfer_call_to_participant(&agent, with_teams(bad_source))
            .await,
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSourceDetails.source",
        &f,
    );
    let mut no_language = teams_details();
    no_language.teams_phone_source.as_mut().unwrap().language = String::new();
    assert_invalid(
        f.call
            .transfer_call_to_participant(&agent, with_teams(no_language))
            .await,
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSourceDetails.language",
        &f,
    );
    // 48 characters and 10 entries are within the limits.
    let mut at_limits = teams_details();
    at_limits.call_topic = Some("é".repeat(48));
    let caller = at_limits.teams_phone_caller.as_mut().unwrap();
    for i in 0..9 {
        caller
            .additional_caller_information
            .insert(format!("k{i}"), "v".into());
    }
    f.call
        .transfer_call_to_participant(&agent, with_teams(at_limits))
        .await
        .unwrap();
}

#[tokio::test]
async fn teams_phone_call_details_are_refused_before_2026_03_12_and_on_create() {
    let f = fixture().await;
    let old = CallAutomationClient::from_connection_string_with_options(
        &f.server.connection_string(),
        ClientOptions {
            api_version: "2025-05-15".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let mut invite = CallInvite::new(CommunicationIdentifier::teams_user("agent"));
    invite.custom_calling_context.teams_phone_call_details = Some(teams_details());
    assert_invalid(
        old.get_call_connection("call-1")
            .unwrap()
            .add_participant(invite.clone(), Default::default())
            .await,
        "customCallingContext.teamsPhoneCallDetails",
        &f,
    );
    // create_call has no field for custom calling context: refused, not dropped.
    assert_invalid(
        f.client.create_call(invite, CB, Default::default()).await,
        "customCallingContext.teamsPhoneCallDetails",
        &f,
    );
}

#[tokio::test]
async fn teams_extension_user_ids_must_not_hide_separators() {
    let f = fixture().await;
    let tricky = CommunicationIdentifier::TeamsExtensionUser {
        user_id: "u_x".into(),
        tenant_id: "t".into(),
        resource_id: "r".into(),
        cloud: CommunicationCloud::Public,
        raw_id: None,
    };
    assert_invalid(
        f.call
            .add_participant(tricky.into(), Default::default())
            .await,
        "participantToAdd",
        &f,
    );
}
