//! `participants:moveHere` (api-version 2026-03-12): the destination call's callback gets
//! `MoveParticipantSucceeded` / `MoveParticipantFailed`; the source call loses the participant;
//! an earlier api-version has no such route.

mod common;

use common::{ident, Emu, Receiver};
use serde_json::json;

const V: &str = "api-version=2026-03-12";

fn move_path(call: &str, version: &str) -> String {
    format!("/calling/callConnections/{call}/participants:moveHere?{version}")
}

#[tokio::test]
async fn a_participant_moves_from_one_call_to_another() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let ivr = emu
        .connected_call(&rx.url("/ivr"), &["4:+16045550111"])
        .await;
    let agent = emu
        .connected_call(&rx.url("/agent"), &["8:acs:r_agent"])
        .await;
    let r = emu
        .call(
            "POST",
            &move_path(&agent, V),
            Some(json!({
                "targetParticipants": [ident("4:+16045550111")],
                "fromCall": ivr,
                "operationContext": "to-agent",
            })),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["fromCall"], ivr.as_str());
    assert_eq!(r.body["operationContext"], "to-agent");
    assert_eq!(
        r.body["participants"][0]["identifier"]["rawId"],
        "8:acs:r_agent"
    );

    let moved = rx.wait_for("MoveParticipantSucceeded").await;
    assert_eq!(moved.path, "/agent");
    let data = &moved.event["data"];
    assert_eq!(data["callConnectionId"], agent.as_str());
    assert_eq!(data["fromCall"], ivr.as_str());
    assert_eq!(data["participant"]["rawId"], "4:+16045550111");
    assert_eq!(data["operationContext"], "to-agent");
    assert_eq!(data["resultInformation"]["code"], 200);

    // The agent call now has both; the IVR call lost its only participant and ended.
    let got = emu
        .call(
            "GET",
            &format!("/calling/callConnections/{agent}/participants?{V}"),
            None,
        )
        .await;
    let ids: Vec<_> = got.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["identifier"]["rawId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["8:acs:r_agent", "4:+16045550111"]);
    let ended = rx.wait_for("CallDisconnected").await;
    assert_eq!(ended.path, "/ivr");
    assert_eq!(ended.event["data"]["callConnectionId"], ivr.as_str());
}

#[tokio::test]
async fn a_missing_source_call_or_participant_fails_the_move_with_an_event() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let source = emu.connected_call(&rx.url("/src"), &["8:acs:r_a"]).await;
    let dest = emu.connected_call(&rx.url("/dst"), &["8:acs:r_b"]).await;
    let r = emu
        .call(
            "POST",
            &move_path(&dest, V),
            Some(json!({"targetParticipants": [ident("8:acs:r_nobody")], "fromCall": source})),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let failed = rx.wait_for("MoveParticipantFailed").await;
    assert_eq!(failed.path, "/dst");
    assert_eq!(
        failed.event["data"]["participant"]["rawId"],
        "8:acs:r_nobody"
    );
    assert_eq!(failed.event["data"]["resultInformation"]["code"], 404);

    let r = emu
        .call(
            "POST",
            &move_path(&dest, V),
            Some(json!({"targetParticipants": [ident("8:acs:r_a")], "fromCall": "no-such-call"})),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let failed = rx.wait_for_nth("MoveParticipantFailed", 2).await;
    assert_eq!(failed.event["data"]["fromCall"], "no-such-call");
    assert_eq!(failed.event["data"]["resultInformation"]["subCode"], 8522);
}

#[tokio::test]
async fn bad_move_requests_are_refused_before_anything_moves() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let call = emu.connected_call(&rx.url("/cb"), &["8:acs:r_a"]).await;
    for (body, field) in [
        (
            json!({"targetParticipants": [], "fromCall": "x"}),
            "targetParticipants",
        ),
        (
            json!({"targetParticipants": [ident("8:acs:r_a")], "fromCall": ""}),
            "fromCall",
        ),
        (
            json!({"targetParticipants": [ident("8:acs:r_a")], "fromCall": call}),
            "fromCall",
        ),
    ] {
        let r = emu.call("POST", &move_path(&call, V), Some(body)).await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(r.body.to_string().contains(field), "{}", r.body);
    }
}

#[tokio::test]
async fn api_versions_before_2026_03_12_have_no_move() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let call = emu.connected_call(&rx.url("/cb"), &["8:acs:r_a"]).await;
    let r = emu
        .call(
            "POST",
            &move_path(&call, "api-version=2025-05-15"),
            Some(json!({"targetParticipants": [ident("8:acs:r_a")], "fromCall": "x"})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "UnsupportedApiVersion");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'2025-05-15'") && message.contains("2026-03-12"),
        "{message}"
    );
}
