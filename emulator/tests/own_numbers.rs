//! A call placed (created, added, transferred, redirected) to one of the resource's own phone
//! numbers rings the app: an IncomingCall goes to its Event Grid subscription, as in the
//! service, and what the app does with it decides the outcome of the action that placed it.

mod common;

use common::{ident, Emu, Receiver};
use serde_json::json;

const OWN: &str = "+16044561234";
const CALLER_ID: &str = "+18005550100";

async fn subscribed() -> (Emu, Receiver) {
    let emu = Emu::with(callsteer_emulator::EmulatorConfig {
        resource_phone_numbers: vec![OWN.into()],
        ..common::manual_config()
    })
    .await;
    let app = Receiver::start().await;
    let r = emu
        .admin(
            "POST",
            "/emulator/event-subscriptions",
            Some(json!({"url": app.url("/eventgrid")})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (emu, app)
}

#[tokio::test]
async fn create_call_to_an_own_number_rings_the_app() {
    let (emu, app) = subscribed().await;
    let r = emu
        .post(
            "/calling/callConnections",
            json!({"targets": [ident(&format!("4:{OWN}"))], "callbackUri": app.url("/out"), "sourceCallerIdNumber": {"value": CALLER_ID}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let outbound = r.body["callConnectionId"].as_str().unwrap().to_string();
    let incoming = app.wait_for("IncomingCall").await;
    assert_eq!(incoming.path, "/eventgrid");
    assert_eq!(incoming.event["data"]["to"]["rawId"], format!("4:{OWN}"));
    assert_eq!(
        incoming.event["data"]["from"]["rawId"],
        format!("4:{CALLER_ID}")
    );
    // Nobody answers for the app: the outbound call is still ringing.
    assert!(!app.kinds().contains(&"CallConnected".to_string()));

    let context = incoming.event["data"]["incomingCallContext"]
        .as_str()
        .unwrap()
        .to_string();
    let r = emu
        .post(
            "/calling/callConnections:answer",
            json!({"incomingCallContext": context, "callbackUri": app.url("/in")}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let inbound = r.body["callConnectionId"].as_str().unwrap().to_string();
    let first = app.wait_for_nth("CallConnected", 1).await;
    let second = app.wait_for_nth("CallConnected", 2).await;
    let mut connected: Vec<(String, String)> = [first, second]
        .iter()
        .map(|e| {
            (
                e.path.clone(),
                e.event["data"]["callConnectionId"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    connected.sort();
    assert_eq!(
        connected,
        vec![("/in".to_string(), inbound), ("/out".to_string(), outbound)]
    );
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn add_and_transfer_to_an_own_number_ring_the_app() {
    let (emu, app) = subscribed().await;
    let call = emu.connected_call(&app.url("/cb"), &["8:acs:r_a"]).await;
    app.wait_for("CallConnected").await;

    // Add: the app rejects the call it rang itself with → AddParticipantFailed.
    let r = emu
        .post(
            &format!("/calling/callConnections/{call}/participants:add"),
            json!({"participantToAdd": ident(&format!("4:{OWN}")), "sourceCallerIdNumber": {"value": CALLER_ID}, "operationContext": "add-own"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let incoming = app.wait_for_nth("IncomingCall", 1).await;
    assert_eq!(incoming.event["data"]["to"]["rawId"], format!("4:{OWN}"));
    assert_eq!(
        incoming.event["data"]["from"]["rawId"],
        format!("4:{CALLER_ID}")
    );
    let r = emu
        .post(
            "/calling/callConnections:reject",
            json!({"incomingCallContext": incoming.event["data"]["incomingCallContext"], "callRejectReason": "busy"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let failed = app.wait_for("AddParticipantFailed").await;
    assert_eq!(failed.event["data"]["operationContext"], "add-own");
    assert_eq!(failed.event["data"]["resultInformation"]["code"], 486);

    // Transfer: the app answers → the transfer is accepted.
    let r = emu
        .post(
            &format!("/calling/callConnections/{call}:transferToParticipant"),
            json!({"targetParticipant": ident(&format!("4:{OWN}")), "sourceCallerIdNumber": {"value": CALLER_ID}, "operationContext": "xfer-own"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let incoming = app.wait_for_nth("IncomingCall", 2).await;
    assert_eq!(incoming.event["data"]["to"]["rawId"], format!("4:{OWN}"));
    assert_eq!(incoming.event["data"]["from"]["rawId"], "8:acs:r_a");
    let r = emu
        .post(
            "/calling/callConnections:answer",
            json!({"incomingCallContext": incoming.event["data"]["incomingCallContext"], "callbackUri": app.url("/in")}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let accepted = app.wait_for("CallTransferAccepted").await;
    assert_eq!(accepted.event["data"]["operationContext"], "xfer-own");
    emu.handle.shutdown().await;
}

/// Unanswered, the app's own call times out like any callee, and stops ringing.
#[tokio::test]
async fn an_unanswered_call_to_an_own_number_times_out() {
    let (emu, app) = subscribed().await;
    let call = emu.connected_call(&app.url("/cb"), &["8:acs:r_a"]).await;
    app.wait_for("CallConnected").await;
    let r = emu
        .post(
            &format!("/calling/callConnections/{call}/participants:add"),
            json!({"participantToAdd": ident(&format!("4:{OWN}")), "sourceCallerIdNumber": {"value": CALLER_ID}, "invitationTimeoutInSeconds": 10}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let incoming = app.wait_for("IncomingCall").await;
    emu.advance(10_000).await;
    let failed = app.wait_for("AddParticipantFailed").await;
    assert_eq!(failed.event["data"]["resultInformation"]["code"], 408);
    let r = emu
        .post(
            "/calling/callConnections:answer",
            json!({"incomingCallContext": incoming.event["data"]["incomingCallContext"], "callbackUri": app.url("/in")}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    emu.handle.shutdown().await;
}
