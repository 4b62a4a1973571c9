//! Whole /calling requests through an in-process emulator (routing, HMAC, api-version, body
//! validation, execution): a client's mistake is never a 5xx, and every error answer has the
//! service's `{"error":{"code","message"}}` body.
//!
//! Input: byte 0 picks an operation (method + path, with the id of a live call); the rest is the
//! body. From byte 0 = 0xF0 on, the input is `METHOD\nPATH\nBODY` instead.
#![no_main]

use std::sync::OnceLock;

use callsteer_emulator::fuzzing::{Answer, Harness};
use libfuzzer_sys::fuzz_target;

const V: &str = "api-version=2025-05-15";

struct World {
    harness: Harness,
    call: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let harness = Harness::new().expect("emulator starts");
        let body = br#"{"targets":[{"rawId":"8:acs:fuzz-target"}],"callbackUri":"http://127.0.0.1:9/cb","sourceCallerIdNumber":{"value":"+18005550100"}}"#;
        let answer = harness
            .request("POST", &format!("/calling/callConnections?{V}"), &[], body, true)
            .expect("valid request");
        assert_eq!(answer.status, 201, "{}", String::from_utf8_lossy(&answer.body));
        let created: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        let call = created["callConnectionId"].as_str().unwrap().to_string();
        World { harness, call }
    })
}

fn check(method: &str, path: &str, answer: &Answer) {
    let text = String::from_utf8_lossy(&answer.body);
    assert!(
        answer.status < 500,
        "{method} {path}: server error {} {text}",
        answer.status
    );
    if answer.status >= 400 {
        let body: serde_json::Value = serde_json::from_slice(&answer.body)
            .unwrap_or_else(|_| panic!("{method} {path}: error without JSON body: {text}"));
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{method} {path}: not the error format: {text}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let w = world();
    let c = &w.call;
    if selector >= 0xF0 {
        let mut parts = rest.splitn(3, |b| *b == b'\n');
        let (Some(method), Some(path), body) = (parts.next(), parts.next(), parts.next()) else {
            return;
        };
        let (Ok(method), Ok(path)) = (std::str::from_utf8(method), std::str::from_utf8(path))
        else {
            return;
        };
        if let Some(answer) =
            w.harness
                .request(method, path, &[], body.unwrap_or(b""), selector & 1 == 0)
        {
            check(method, path, &answer);
        }
        return;
    }
    let ops: [(&str, String); 14] = [
        ("POST", "/calling/callConnections".into()),
        ("POST", "/calling/callConnections:answer".into()),
        ("POST", "/calling/callConnections:redirect".into()),
        ("POST", "/calling/callConnections:reject".into()),
        ("POST", "/calling/callConnections:connect".into()),
        ("GET", format!("/calling/callConnections/{c}")),
        (
            "POST",
            format!("/calling/callConnections/{c}:transferToParticipant"),
        ),
        ("GET", format!("/calling/callConnections/{c}/participants")),
        (
            "POST",
            format!("/calling/callConnections/{c}/participants:add"),
        ),
        (
            "POST",
            format!("/calling/callConnections/{c}/participants:remove"),
        ),
        (
            "POST",
            format!("/calling/callConnections/{c}/participants:mute"),
        ),
        (
            "POST",
            format!("/calling/callConnections/{c}/participants:cancelAddParticipant"),
        ),
        (
            "GET",
            format!("/calling/callConnections/{c}/participants/8%3Aacs%3Afuzz-target"),
        ),
        ("POST", format!("/calling/callConnections/{c}:terminate")),
    ];
    // Hang-up (DELETE) and terminate would end the one live call: terminate only when asked
    // with an invalid body (selector's high bit), so mid-call operations stay reachable.
    let (method, path) = &ops[selector as usize % ops.len()];
    if path.ends_with(":terminate") && serde_json::from_slice::<serde_json::Value>(rest).is_ok() {
        return;
    }
    let path = format!("{path}?{V}");
    if let Some(answer) = w.harness.request(method, &path, &[], rest, true) {
        check(method, &path, &answer);
    }
});
