//! The event processor and the callback listener against a real emulator process: outcomes are
//! paired with their actions, overlapping actions are told apart, early outcomes are kept, a
//! wait that cannot succeed times out, and forged callbacks are refused.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use callsteer::events::{listener, CallAutomationEvent, CallbackVerifier};
use callsteer::*;
use callsteer_tests::emulator::EmulatorProcess;
use reqwest::Method;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);
const RESOURCE_ID: &str = "0c2d0f51-7a59-4f0f-8a57-4c1d34a2e001";

struct Setup {
    emulator: EmulatorProcess,
    client: CallAutomationClient,
    listener: listener::ListenerHandle,
}

impl Setup {
    async fn start(extra: &[&str]) -> Setup {
        let mut args = vec!["--resource-id", RESOURCE_ID];
        args.extend_from_slice(extra);
        let emulator = EmulatorProcess::start(&args).await.unwrap();
        let client =
            CallAutomationClient::from_connection_string(&emulator.connection_string).unwrap();
        let verifier = CallbackVerifier::new(RESOURCE_ID)
            .unwrap()
            .with_jwks_url(format!("{}/calling/keys", emulator.base_url));
        let listener = listener::serve(
            "127.0.0.1:0",
            client.event_processor().clone(),
            Some(verifier),
        )
        .await
        .unwrap();
        Setup {
            emulator,
            client,
            listener,
        }
    }

    fn callback(&self) -> String {
        format!("http://{}/events", self.listener.local_addr())
    }

    async fn target(&self, raw: &str, behavior: &str) {
        let path = format!(
            "/emulator/targets/{}",
            raw.replace(':', "%3A").replace('+', "%2B")
        );
        self.emulator
            .admin(Method::PUT, &path, Some(json!({ "behavior": behavior })))
            .await
            .unwrap();
    }

    async fn connected_call(&self) -> CallConnection {
        self.connected_call_to("8:acs:r_alice").await
    }

    async fn connected_call_to(&self, raw_id: &str) -> CallConnection {
        let created = self
            .client
            .create_call(
                CallInvite::new(CommunicationIdentifier::communication_user(raw_id)),
                &self.callback(),
                Default::default(),
            )
            .await
            .unwrap();
        let outcome = created.wait_for_event_processor(WAIT).await.unwrap();
        assert!(outcome.succeeded);
        created.call_connection
    }
}

#[tokio::test]
async fn create_waits_for_call_connected() {
    let s = Setup::start(&[]).await;
    let created = s
        .client
        .create_call(
            CallInvite::phone("+16041234567", "+16044561234"),
            &s.callback(),
            Default::default(),
        )
        .await
        .unwrap();
    let outcome = created.wait_for_event_processor(WAIT).await.unwrap();
    assert!(outcome.succeeded);
    assert!(
        matches!(outcome.event, CallAutomationEvent::CallConnected(_)),
        "{:?}",
        outcome.event
    );
    assert_eq!(
        outcome.event.call_connection_id(),
        Some(
            created
                .call_connection_properties
                .call_connection_id
                .as_str()
        )
    );
}

#[tokio::test]
async fn a_declined_add_gives_add_participant_failed_with_result_information() {
    let s = Setup::start(&[]).await;
    s.target("8:acs:r_bob", "decline").await;
    let call = s.connected_call().await;
    let added = call
        .add_participant(
            CallInvite::new(CommunicationIdentifier::communication_user("8:acs:r_bob")),
            Default::default(),
        )
        .await
        .unwrap();
    let outcome = added.wait_for_event_processor(WAIT).await.unwrap();
    assert!(!outcome.succeeded);
    assert_eq!(outcome.event.event_type(), "AddParticipantFailed");
    let info = outcome
        .event
        .result_information()
        .expect("result information");
    assert_eq!(info.code, Some(603));
    assert!(info.sub_code.is_some() && info.message.is_some());
    assert_eq!(
        outcome.event.participant().map(|p| p.raw_id()).as_deref(),
        Some("8:acs:r_bob")
    );
}

#[tokio::test]
async fn two_overlapping_adds_on_one_call_each_get_their_own_outcome() {
    let s = Setup::start(&[]).await;
    s.target("8:acs:r_declines", "decline").await;
    let call = s.connected_call().await;
    // No operation context given and none generated (the official SDKs' wire default): the two
    // add outcomes (same call, same type family) are told apart by the participant they name.
    let first = call
        .add_participant(
            CallInvite::new(CommunicationIdentifier::communication_user(
                "8:acs:r_answers",
            )),
            Default::default(),
        )
        .await
        .unwrap();
    let second = call
        .add_participant(
            CallInvite::new(CommunicationIdentifier::communication_user(
                "8:acs:r_declines",
            )),
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(first.operation_context, None);
    assert_eq!(second.operation_context, None);
    // Wait in the opposite order of sending.
    let two = second.wait_for_event_processor(WAIT).await.unwrap();
    let one = first.wait_for_event_processor(WAIT).await.unwrap();
    assert!(one.succeeded, "{:?}", one.event);
    assert!(!two.succeeded, "{:?}", two.event);
    assert_eq!(one.event.participant().unwrap().raw_id(), "8:acs:r_answers");
    assert_eq!(
        two.event.participant().unwrap().raw_id(),
        "8:acs:r_declines"
    );
}

#[tokio::test]
async fn an_outcome_that_arrived_before_the_wait_is_still_delivered() {
    let s = Setup::start(&[]).await;
    let call = s.connected_call().await;
    // A handler sees events without taking them, so we can tell when the outcome is in.
    let arrived = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = arrived.clone();
    s.client.event_processor().on(
        events::EventFilter::of_type("RemoveParticipantSucceeded"),
        move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        },
    );
    let removed = call
        .remove_participant(
            &CommunicationIdentifier::communication_user("8:acs:r_alice"),
            Default::default(),
        )
        .await
        .unwrap();
    let context = removed.operation_context.clone();
    for _ in 0..500 {
        if arrived.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        arrived.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the removal's event never arrived"
    );
    let outcome = removed.wait_for_event_processor(WAIT).await.unwrap();
    assert!(outcome.succeeded);
    assert_eq!(outcome.event.operation_context(), context.as_deref());
}

#[tokio::test]
async fn a_wait_that_cannot_succeed_times_out() {
    let s = Setup::start(&["--clock", "manual"]).await;
    s.target("8:acs:r_silent", "noAnswer").await;
    let created = s
        .client
        .create_call(
            CallInvite::new(CommunicationIdentifier::communication_user(
                "8:acs:r_silent",
            )),
            &s.callback(),
            Default::default(),
        )
        .await
        .unwrap();
    // Time never advances on the emulator, so no outcome can come.
    let err = created
        .wait_for_event_processor(Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

fn forged_token(audience: &str) -> String {
    let mut rng = rand::thread_rng();
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": "forged-kid" });
    let claims = json!({ "iss": "https://acscallautomation.communication.azure.com", "aud": audience,
                         "iat": now, "nbf": now, "exp": now + 300 });
    let signing_input = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    );
    use rsa::signature::{SignatureEncoding, Signer};
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key);
    let signature = signer.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", B64URL.encode(signature.to_bytes()))
}

#[tokio::test]
async fn the_listener_accepts_the_emulators_jwt_and_refuses_a_forged_one() {
    let s = Setup::start(&[]).await;
    // Accepted: the emulator's own deliveries reach the processor (connected_call waits on them).
    let call = s.connected_call().await;
    let body = json!([{
        "id": "forged-1", "source": format!("calling/callConnections/{}", call.call_connection_id()),
        "type": "Microsoft.Communication.CallDisconnected", "specversion": "1.0",
        "data": { "callConnectionId": call.call_connection_id() }
    }])
    .to_string();
    let http = transport::http_client_builder().unwrap().build().unwrap();
    let url = s.callback();
    let forged = http
        .post(&url)
        .header(
            "authorization",
            format!("Bearer {}", forged_token(RESOURCE_ID)),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    let missing = http.post(&url).body(body).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    // Neither forged event reached the processor.
    let disconnected = s
        .client
        .event_processor()
        .wait_for_event(|e| e.id() == "forged-1", Duration::from_millis(200))
        .await;
    assert!(disconnected.is_err());
}

#[tokio::test]
async fn a_move_settles_on_move_participant_succeeded_of_the_destination_call() {
    let s = Setup::start(&[]).await;
    let ivr = s.connected_call_to("8:acs:r_caller").await;
    let agent = s.connected_call_to("8:acs:r_agent").await;
    let moved = agent
        .move_participants(
            vec![CommunicationIdentifier::communication_user(
                "8:acs:r_caller",
            )],
            ivr.call_connection_id(),
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(moved.from_call.as_deref(), Some(ivr.call_connection_id()));
    assert_eq!(moved.operation_context, None);
    assert_eq!(moved.participants[0].identifier.raw_id(), "8:acs:r_agent");
    let outcome = moved.wait_for_event_processor(WAIT).await.unwrap();
    assert!(outcome.succeeded, "{:?}", outcome.event);
    assert_eq!(outcome.event.event_type(), "MoveParticipantSucceeded");
    assert_eq!(
        outcome.event.call_connection_id(),
        Some(agent.call_connection_id())
    );
    assert_eq!(
        outcome.event.field("from_call"),
        Some(events::EventField::Text(Some(ivr.call_connection_id())))
    );
    let roster: Vec<_> = agent
        .list_participants()
        .await
        .unwrap()
        .iter()
        .map(|p| p.identifier.raw_id())
        .collect();
    assert_eq!(roster, ["8:acs:r_agent", "8:acs:r_caller"]);
}

#[tokio::test]
async fn a_move_of_someone_not_in_the_source_call_settles_as_failed() {
    let s = Setup::start(&[]).await;
    let ivr = s.connected_call_to("8:acs:r_caller").await;
    let agent = s.connected_call_to("8:acs:r_agent").await;
    let moved = agent
        .move_participants(
            vec![CommunicationIdentifier::communication_user(
                "8:acs:r_stranger",
            )],
            ivr.call_connection_id(),
            Default::default(),
        )
        .await
        .unwrap();
    let outcome = moved.wait_for_event_processor(WAIT).await.unwrap();
    assert!(!outcome.succeeded);
    assert_eq!(outcome.event.event_type(), "MoveParticipantFailed");
    assert_eq!(
        outcome.event.participant().map(|p| p.raw_id()).as_deref(),
        Some("8:acs:r_stranger")
    );
}

#[tokio::test]
async fn move_is_refused_locally_at_an_api_version_without_it() {
    let s = Setup::start(&[]).await;
    let old = CallAutomationClient::from_connection_string_with_options(
        &s.emulator.connection_string,
        ClientOptions {
            api_version: "2025-05-15".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let err = old
        .get_call_connection("any")
        .unwrap()
        .move_participants(
            vec![CommunicationIdentifier::communication_user("8:acs:r_a")],
            "other",
            Default::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("2026-03-12"), "{err}");
    let err = s
        .client
        .get_call_connection("any")
        .unwrap()
        .move_participants(vec![], "other", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}
