//! Simulated call flows and the events they produce at the app's callback.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use common::{ident, Emu, Receiver};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{json, Value};
use sha2::Sha256;

fn path(call: &str, tail: &str) -> String {
    format!("/calling/callConnections/{call}{tail}")
}

#[tokio::test]
async fn create_call_connects_with_signed_callbacks() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let r = emu
        .post(
            "/calling/callConnections",
            json!({"targets": [ident("8:acs:r_a")], "callbackUri": rx.url("/cb"), "operationContext": "ctx1"}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["callConnectionState"], "connecting");
    let call = r.body["callConnectionId"].as_str().unwrap().to_string();
    let connected = rx.wait_for("CallConnected").await;
    assert_eq!(connected.event["data"]["callConnectionId"], call.as_str());
    assert_eq!(connected.event["data"]["operationContext"], "ctx1");
    assert_eq!(
        connected.event["source"],
        format!("calling/callConnections/{call}")
    );
    assert_eq!(connected.event["specversion"], "1.0");
    let updated = rx.wait_for("ParticipantsUpdated").await;
    assert_eq!(updated.event["data"]["sequenceNumber"], 1);
    let p = &updated.event["data"]["participants"][0]["identifier"];
    assert_eq!(p["kind"], "communicationUser");
    assert_eq!(p["rawId"], "8:acs:r_a");
    assert_eq!(p["communicationUser"]["id"], "8:acs:r_a");
    let got = emu
        .call(
            "GET",
            &format!("{}?api-version=2025-05-15", path(&call, "")),
            None,
        )
        .await;
    assert_eq!(got.body["callConnectionState"], "connected");

    // The callback JWT verifies against the JWKS the emulator publishes.
    let token = connected.authorization.unwrap();
    let token = token.strip_prefix("Bearer ").unwrap();
    let jwks = emu.admin("GET", "/calling/keys", None).await.body;
    let openid = emu
        .admin("GET", "/calling/.well-known/acsopenidconfiguration", None)
        .await
        .body;
    assert_eq!(
        openid["jwks_uri"],
        format!("{}/calling/keys", emu.handle.base_url())
    );
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&B64URL.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&B64URL.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap();
    let n = BigUint::from_bytes_be(&B64URL.decode(key["n"].as_str().unwrap()).unwrap());
    let e = BigUint::from_bytes_be(&B64URL.decode(key["e"].as_str().unwrap()).unwrap());
    let verifier = VerifyingKey::<Sha256>::new(RsaPublicKey::new(n, e).unwrap());
    let signature = Signature::try_from(B64URL.decode(parts[2]).unwrap().as_slice()).unwrap();
    verifier
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("JWT signature verifies");
    assert_eq!(
        claims["iss"],
        "https://acscallautomation.communication.azure.com"
    );
    assert_eq!(claims["aud"], emu.handle.resource_id());
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        300
    );

    // The admin event log shows delivery status.
    let log = emu
        .admin("GET", &format!("/emulator/calls/{call}/events"), None)
        .await
        .body;
    let first = &log["value"][0];
    assert_eq!(first["type"], "Microsoft.Communication.CallConnected");
    assert_eq!(first["status"], "delivered");
    assert_eq!(first["attempts"].as_array().unwrap().len(), 1);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn failed_create_and_delivery_retries() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    emu.admin(
        "PUT",
        "/emulator/targets/8:acs:busy",
        Some(json!({"behavior": "busy"})),
    )
    .await;
    let r = emu
        .post(
            "/calling/callConnections",
            json!({"targets": [ident("8:acs:busy")], "callbackUri": rx.url("/cb")}),
        )
        .await;
    assert_eq!(r.status, 201);
    let failed = rx.wait_for("CreateCallFailed").await;
    assert_eq!(failed.event["data"]["resultInformation"]["code"], 486);
    rx.wait_for("CallDisconnected").await;

    // An endpoint that keeps failing gets bounded, recorded retries.
    let call = emu.connected_call(&rx.url("/fail"), &["8:acs:r_a"]).await;
    let mut log = Value::Null;
    for _ in 0..300 {
        log = emu
            .admin("GET", &format!("/emulator/calls/{call}/events"), None)
            .await
            .body;
        if log["value"][0]["status"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(log["value"][0]["status"], "failed", "{log}");
    assert_eq!(log["value"][0]["attempts"].as_array().unwrap().len(), 5);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn add_participant_outcomes() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let call = emu.connected_call(&rx.url("/cb"), &["8:acs:r_a"]).await;
    emu.admin(
        "PUT",
        "/emulator/targets/8:acs:decliner",
        Some(json!({"behavior": "decline"})),
    )
    .await;
    emu.admin(
        "PUT",
        "/emulator/targets/4:+16045550999",
        Some(json!({"behavior": "noAnswer"})),
    )
    .await;

    // Decline → AddParticipantFailed at the operation callback URL.
    let r = emu
        .post(
            &path(&call, "/participants:add"),
            json!({"participantToAdd": ident("8:acs:decliner"), "operationContext": "add1", "operationCallbackUri": rx.url("/op")}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(r.body["invitationId"].is_string());
    assert_eq!(
        r.body["participant"]["identifier"]["rawId"],
        "8:acs:decliner"
    );
    let failed = rx.wait_for("AddParticipantFailed").await;
    assert_eq!(failed.path, "/op");
    assert_eq!(failed.event["data"]["operationContext"], "add1");
    assert_eq!(failed.event["data"]["resultInformation"]["code"], 603);
    assert_eq!(
        failed.event["data"]["participant"]["kind"],
        "communicationUser"
    );

    // Answer → AddParticipantSucceeded + ParticipantsUpdated (sequence increases).
    let r = emu
        .post(
            &path(&call, "/participants:add"),
            json!({"participantToAdd": ident("8:acs:r_b")}),
        )
        .await;
    assert_eq!(r.status, 202);
    let ok = rx.wait_for("AddParticipantSucceeded").await;
    assert_eq!(ok.path, "/cb");
    let update = rx.wait_for_nth("ParticipantsUpdated", 2).await;
    assert_eq!(update.event["data"]["sequenceNumber"], 2);
    assert_eq!(
        update.event["data"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // noAnswer + manual clock → timeout failure after invitationTimeoutInSeconds.
    let r = emu
        .post(
            &path(&call, "/participants:add"),
            json!({"participantToAdd": ident("4:+16045550999"), "invitationTimeoutInSeconds": 30, "operationContext": "slow"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    emu.advance(29_000).await;
    assert_eq!(
        rx.kinds()
            .iter()
            .filter(|k| *k == "AddParticipantFailed")
            .count(),
        1
    );
    emu.advance(1_000).await;
    let timeout = rx.wait_for_nth("AddParticipantFailed", 2).await;
    assert_eq!(timeout.event["data"]["operationContext"], "slow");
    assert_eq!(timeout.event["data"]["resultInformation"]["code"], 408);
    assert_eq!(timeout.event["data"]["resultInformation"]["subCode"], 10004);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn cancel_add_participant_pending_and_finished() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let call = emu.connected_call(&rx.url("/cb"), &["8:acs:r_a"]).await;
    emu.admin(
        "PUT",
        "/emulator/targets/8:acs:slow",
        Some(json!({"behavior": "answer", "delayMs": 10000})),
    )
    .await;
    let r = emu
        .post(
            &path(&call, "/participants:add"),
            json!({"participantToAdd": ident("8:acs:slow"), "operationContext": "add"}),
        )
        .await;
    let invitation = r.body["invitationId"].as_str().unwrap().to_string();
    let r = emu
        .post(
            &path(&call, "/participants:cancelAddParticipant"),
            json!({"invitationId": invitation, "operationContext": "cancel"}),
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body["invitationId"], invitation.as_str());
    let ok = rx.wait_for("CancelAddParticipantSucceeded").await;
    assert_eq!(ok.event["data"]["invitationId"], invitation.as_str());
    let failed = rx.wait_for("AddParticipantFailed").await;
    assert_eq!(failed.event["data"]["resultInformation"]["code"], 487);
    assert_eq!(failed.event["data"]["operationContext"], "add");
    // The canceled invitation never answers, even when its time comes.
    emu.advance(20_000).await;
    // Cancel again: it already finished.
    emu.post(
        &path(&call, "/participants:cancelAddParticipant"),
        json!({"invitationId": invitation}),
    )
    .await;
    let late = rx.wait_for("CancelAddParticipantFailed").await;
    assert_eq!(late.event["data"]["invitationId"], invitation.as_str());
    assert!(!rx.kinds().contains(&"AddParticipantSucceeded".to_string()));
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn transfer_remove_mute() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    // 1:1 transfer: accepted, then this leg is disconnected.
    let call = emu
        .connected_call(&rx.url("/cb"), &["4:+16045550000"])
        .await;
    let r = emu
        .post(
            &path(&call, ":transferToParticipant"),
            json!({"targetParticipant": ident("8:acs:agent"), "operationContext": "tr"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["operationContext"], "tr");
    let accepted = rx.wait_for("CallTransferAccepted").await;
    assert_eq!(
        accepted.event["data"]["transferTarget"]["rawId"],
        "8:acs:agent"
    );
    assert_eq!(
        accepted.event["data"]["transferee"]["rawId"],
        "4:+16045550000"
    );
    rx.wait_for("CallDisconnected").await;
    let r = emu
        .call(
            "GET",
            &format!("{}?api-version=2025-05-15", path(&call, "")),
            None,
        )
        .await;
    assert_eq!(r.status, 404);

    // Group call: transfer with transferee, remove, mute.
    let rx2 = Receiver::start().await;
    let group = emu
        .connected_call(
            &rx2.url("/cb"),
            &["8:acs:g_1", "8:acs:g_2", "4:+16045550002"],
        )
        .await;
    let r = emu
        .post(
            &path(&group, ":transferToParticipant"),
            json!({"targetParticipant": ident("8:acs:agent")}),
        )
        .await;
    assert_eq!(
        r.status, 400,
        "transferee required in a group call: {}",
        r.body
    );
    let r = emu
        .post(
            &path(&group, ":transferToParticipant"),
            json!({"targetParticipant": ident("8:acs:agent"), "transferee": ident("8:acs:g_1")}),
        )
        .await;
    assert_eq!(r.status, 202);
    rx2.wait_for("CallTransferAccepted").await;
    let r = emu
        .post(
            &path(&group, "/participants:remove"),
            json!({"participantToRemove": ident("8:acs:g_2"), "operationContext": "rm"}),
        )
        .await;
    assert_eq!(r.status, 202);
    let removed = rx2.wait_for("RemoveParticipantSucceeded").await;
    assert_eq!(removed.event["data"]["participant"]["rawId"], "8:acs:g_2");
    let r = emu
        .post(
            &path(&group, "/participants:remove"),
            json!({"participantToRemove": ident("8:acs:g_2")}),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = emu
        .post(
            &path(&group, "/participants:mute"),
            json!({"targetParticipants": [ident("4:+16045550002")]}),
        )
        .await;
    assert_eq!(r.status, 400, "phones cannot be muted: {}", r.body);
    let r = emu
        .post(
            &path(&group, "/participants:mute"),
            json!({"targetParticipants": [ident("8:acs:agent")], "operationContext": "m"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["operationContext"], "m");
    let mut muted = false;
    for _ in 0..200 {
        muted = rx2.all().iter().any(|e| {
            e.kind() == "ParticipantsUpdated"
                && e.event["data"]["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["identifier"]["rawId"] == "8:acs:agent" && p["isMuted"] == true)
        });
        if muted {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(muted, "{:?}", rx2.kinds());
    let r = emu
        .call(
            "GET",
            &format!(
                "{}?api-version=2025-05-15",
                path(&group, "/participants/8:acs:agent")
            ),
            None,
        )
        .await;
    assert_eq!(r.body["isMuted"], true);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn hang_up_versus_terminate() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    // Hang up with two others: the app leaves, the call goes on and can be connected to again.
    let call = emu
        .connected_call(&rx.url("/cb"), &["8:acs:h_1", "8:acs:h_2"])
        .await;
    let server_call_id = emu
        .call(
            "GET",
            &format!("{}?api-version=2025-05-15", path(&call, "")),
            None,
        )
        .await
        .body["serverCallId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = emu
        .call(
            "DELETE",
            &format!("{}?api-version=2025-05-15", path(&call, "")),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    rx.wait_for("CallDisconnected").await;
    let rx2 = Receiver::start().await;
    let r = emu
        .post("/calling/callConnections:connect", json!({"callLocator": {"serverCallId": server_call_id, "kind": "serverCallLocator"}, "callbackUri": rx2.url("/cb")}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let again = r.body["callConnectionId"].as_str().unwrap().to_string();
    rx2.wait_for("CallConnected").await;
    let update = rx2.wait_for("ParticipantsUpdated").await;
    assert_eq!(
        update.event["data"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Terminate: ends for everyone.
    let r = emu
        .call(
            "POST",
            &format!("{}?api-version=2025-05-15", path(&again, ":terminate")),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let gone = rx2.wait_for("CallDisconnected").await;
    assert_eq!(gone.event["data"]["resultInformation"]["code"], 200);
    let r = emu
        .post("/calling/callConnections:connect", json!({"callLocator": {"serverCallId": server_call_id}, "callbackUri": rx2.url("/cb2")}))
        .await;
    assert_eq!(r.status, 200);
    rx2.wait_for("ConnectFailed").await;
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn incoming_calls_answer_reject_redirect() {
    let emu = Emu::start().await;
    let app = Receiver::start().await;
    let r = emu
        .admin(
            "POST",
            "/emulator/event-subscriptions",
            Some(json!({"url": app.url("/eventgrid")})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let r = emu
        .admin("POST", "/emulator/incoming-calls", Some(json!({"from": "4:+16045550100", "to": "8:acs:bot", "customContext": {"voipHeaders": {"k": "v"}}})))
        .await;
    let context = r.body["incomingCallContext"].as_str().unwrap().to_string();
    let incoming = app.wait_for("IncomingCall").await;
    assert_eq!(incoming.path, "/eventgrid");
    assert_eq!(
        incoming.event["eventType"],
        "Microsoft.Communication.IncomingCall"
    );
    assert_eq!(
        incoming.event["subject"],
        "/caller/4:+16045550100/recipient/8:acs:bot"
    );
    assert_eq!(incoming.event["dataVersion"], "1.0");
    assert_eq!(
        incoming.event["data"]["incomingCallContext"],
        context.as_str()
    );
    assert_eq!(incoming.event["data"]["from"]["kind"], "phoneNumber");
    assert_eq!(
        incoming.event["data"]["customContext"]["voipHeaders"]["k"],
        "v"
    );

    let r = emu
        .post("/calling/callConnections:answer", json!({"incomingCallContext": context, "callbackUri": app.url("/cb"), "operationContext": "ans"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["serverCallId"], r.body["serverCallId"]);
    let connected = app.wait_for("CallConnected").await;
    assert_eq!(connected.event["data"]["operationContext"], "ans");
    let r = emu
        .post(
            "/calling/callConnections:answer",
            json!({"incomingCallContext": context, "callbackUri": app.url("/cb")}),
        )
        .await;
    assert_eq!(r.status, 404, "used context: {}", r.body);
    let r = emu
        .post(
            "/calling/callConnections:answer",
            json!({"incomingCallContext": "bogus", "callbackUri": app.url("/cb")}),
        )
        .await;
    assert_eq!(r.status, 400);

    // Reject.
    let r = emu
        .admin(
            "POST",
            "/emulator/incoming-calls",
            Some(json!({"from": "8:acs:caller", "to": "8:acs:bot"})),
        )
        .await;
    let context = r.body["incomingCallContext"].as_str().unwrap().to_string();
    let r = emu
        .post(
            "/calling/callConnections:reject",
            json!({"incomingCallContext": context, "callRejectReason": "busy"}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = emu
        .post(
            "/calling/callConnections:reject",
            json!({"incomingCallContext": context}),
        )
        .await;
    assert_eq!(r.status, 404);

    // Redirect to a user of this resource → a new IncomingCall for that user.
    let r = emu
        .admin(
            "POST",
            "/emulator/incoming-calls",
            Some(json!({"from": "8:acs:caller", "to": "8:acs:bot"})),
        )
        .await;
    let context = r.body["incomingCallContext"].as_str().unwrap().to_string();
    let r = emu
        .post(
            "/calling/callConnections:redirect",
            json!({"incomingCallContext": context, "target": ident("8:acs:agent")}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let redirected = app.wait_for_nth("IncomingCall", 4).await;
    assert_eq!(redirected.event["data"]["to"]["rawId"], "8:acs:agent");
    assert_ne!(
        redirected.event["data"]["incomingCallContext"],
        context.as_str()
    );
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn connect_to_group_call_room_and_unknown() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let group = emu
        .admin(
            "POST",
            "/emulator/calls",
            Some(json!({"participants": ["8:acs:x_1", "4:+16045550003"]})),
        )
        .await
        .body;
    let room = emu
        .admin(
            "POST",
            "/emulator/rooms",
            Some(json!({"participants": ["8:acs:x_2"]})),
        )
        .await
        .body;
    let cases = [
        (
            json!({"groupCallId": group["groupCallId"], "kind": "groupCallLocator"}),
            2,
        ),
        (json!({"serverCallId": group["serverCallId"]}), 2),
        (
            json!({"roomId": room["roomId"], "kind": "roomCallLocator"}),
            1,
        ),
    ];
    for (i, (locator, participants)) in cases.into_iter().enumerate() {
        let cb = rx.url(&format!("/c{i}"));
        let r = emu
            .post(
                "/calling/callConnections:connect",
                json!({"callLocator": locator, "callbackUri": cb}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["callConnectionState"], "connecting");
        let id = r.body["callConnectionId"].as_str().unwrap().to_string();
        let mut found = false;
        for _ in 0..300 {
            found = rx.all().iter().any(|e| {
                e.kind() == "ParticipantsUpdated"
                    && e.event["data"]["callConnectionId"] == id.as_str()
                    && e.event["data"]["participants"].as_array().unwrap().len() == participants
            });
            if found {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(found, "case {i}: {:?}", rx.kinds());
    }
    let r = emu
        .post(
            "/calling/callConnections:connect",
            json!({"callLocator": {"roomId": "nope"}, "callbackUri": rx.url("/x")}),
        )
        .await;
    assert_eq!(r.status, 200);
    let failed = rx.wait_for("ConnectFailed").await;
    assert_eq!(failed.event["data"]["resultInformation"]["code"], 404);
    let r = emu
        .post("/calling/callConnections:connect", json!({"callLocator": {"roomId": "a", "serverCallId": "b"}, "callbackUri": rx.url("/x")}))
        .await;
    assert_eq!(r.status, 400);
    let r = emu
        .post("/calling/callConnections:connect", json!({"callLocator": {"roomId": "a", "kind": "groupCallLocator"}, "callbackUri": rx.url("/x")}))
        .await;
    assert_eq!(r.status, 400);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn real_clock_answer_delay_and_tls() {
    let dir = std::env::temp_dir().join(format!("callsteer-emu-test-{}.pem", std::process::id()));
    let handle = callsteer_emulator::start(callsteer_emulator::EmulatorConfig {
        tls: true,
        tls_cert_out: Some(dir.clone()),
        answer_delay_ms: 30,
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(handle
        .connection_string()
        .starts_with("endpoint=https://127.0.0.1:"));
    let pem = std::fs::read(handle.tls_ca_pem().unwrap()).unwrap();
    let cert = reqwest::Certificate::from_pem_bundle(&pem).unwrap();
    let mut builder = reqwest::Client::builder();
    for c in cert {
        builder = builder.add_root_certificate(c);
    }
    let client = builder.build().unwrap();
    let r = client
        .get(format!("{}/emulator/health", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "ok");
    handle.shutdown().await;
    let _ = std::fs::remove_file(dir);
}
