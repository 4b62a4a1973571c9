//! The REST surface: auth, api-version, validation, repeatability, faults, paging, captures.

mod common;

use common::{ident, Emu, Receiver};
use serde_json::{json, Value};

#[tokio::test]
async fn hmac_failures_are_401() {
    let emu = Emu::start().await;
    let pq = "/calling/callConnections?api-version=2025-05-15";
    let body = br#"{"targets":[],"callbackUri":"http://x/"}"#;

    // Signature made with another key.
    let other = callsteer::AccessKeyCredential::new("b3RoZXI=").unwrap();
    let date = callsteer::auth::http_date_now();
    let signed = other.sign("POST", pq, &emu.host, &date, body);
    let r = emu
        .http
        .post(emu.url(pq))
        .header("x-ms-date", &date)
        .header("x-ms-content-sha256", &signed.content_sha256)
        .header("authorization", &signed.authorization)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("signature"),
        "{v}"
    );

    // Stale date (signed correctly, 20 minutes old).
    let stale = httpdate::fmt_http_date(
        std::time::SystemTime::now() - std::time::Duration::from_secs(1200),
    );
    let r = emu.raw("POST", pq, body, &[], Some(stale)).await;
    assert_eq!(r.status, 401);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("x-ms-date"),
        "{}",
        r.body
    );

    // Content hash that does not match the body actually sent.
    let signed = emu.key.sign("POST", pq, &emu.host, &date, b"{}");
    let r = emu
        .http
        .post(emu.url(pq))
        .header("x-ms-date", &date)
        .header("x-ms-content-sha256", &signed.content_sha256)
        .header("authorization", &signed.authorization)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("x-ms-content-sha256"),
        "{v}"
    );

    // No auth at all, and bearer when not allowed.
    let r = emu
        .http
        .post(emu.url(pq))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = emu
        .http
        .post(emu.url(pq))
        .bearer_auth("t")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn bearer_accepted_when_allowed() {
    let emu = Emu::with(callsteer_emulator::EmulatorConfig {
        allow_bearer: true,
        ..common::manual_config()
    })
    .await;
    let r = emu
        .http
        .get(emu.url("/calling/callConnections/nope?api-version=2025-05-15"))
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    emu.handle.shutdown().await;
}

/// Only versions the service shipped: dates that look plausible but were never released are
/// refused with the service's code, every published GA and preview version is answered.
#[tokio::test]
async fn api_version_only_published_versions_are_answered() {
    let emu = Emu::start().await;
    for v in [
        "2025-11-15",
        "2025-09-15",
        "2026-01-15",
        "2023-06-15",
        "2026-03-12-preview",
        "2025-05-15 ",
    ] {
        let r = emu
            .call(
                "GET",
                &format!(
                    "/calling/callConnections/x?api-version={}",
                    v.replace(' ', "%20")
                ),
                None,
            )
            .await;
        assert_eq!(r.status, 400, "{v}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "UnsupportedApiVersion", "{v}");
        assert!(
            r.body["error"]["message"].as_str().unwrap().contains(v),
            "{v}: {}",
            r.body
        );
    }
    for v in [
        "2023-03-06",
        "2023-10-15",
        "2024-04-15",
        "2024-09-15",
        "2025-05-15",
        "2025-06-15",
        "2026-03-12",
        "2022-04-07-preview",
        "2023-01-15-preview",
        "2023-06-15-preview",
        "2023-10-03-preview",
        "2024-01-22-preview",
        "2024-06-15-preview",
        "2024-09-01-preview",
        "2024-11-15-preview",
        "2025-03-30-preview",
        "2025-08-15-preview",
    ] {
        let r = emu
            .call(
                "GET",
                &format!("/calling/callConnections/x?api-version={v}"),
                None,
            )
            .await;
        // Past the api-version stage: the unknown call is what is refused.
        assert_eq!(r.status, 404, "{v}: {}", r.body);
    }
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn api_version_missing_or_unknown_is_400_naming_it() {
    let emu = Emu::start().await;
    let r = emu.call("GET", "/calling/callConnections/x", None).await;
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("api-version"),
        "{}",
        r.body
    );
    let r = emu
        .call(
            "GET",
            "/calling/callConnections/x?api-version=1999-01-01",
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1999-01-01"),
        "{}",
        r.body
    );
    for v in [
        "2023-03-06",
        "2023-10-15",
        "2024-09-15",
        "2025-05-15",
        "2026-03-12",
    ] {
        let r = emu
            .call(
                "GET",
                &format!("/calling/callConnections/x?api-version={v}"),
                None,
            )
            .await;
        assert_eq!(r.status, 404, "{v}: {}", r.body);
    }
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn missing_required_fields_are_400_naming_them() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let call = emu.connected_call(&rx.url("/cb"), &["8:acs:r_a"]).await;
    let cases = [
        (
            "/calling/callConnections".to_string(),
            json!({"targets": [ident("8:acs:r_b")]}),
            "callbackUri",
        ),
        (
            "/calling/callConnections".to_string(),
            json!({"callbackUri": "http://x/"}),
            "targets",
        ),
        (
            "/calling/callConnections:answer".to_string(),
            json!({"callbackUri": "http://x/"}),
            "incomingCallContext",
        ),
        (
            "/calling/callConnections:connect".to_string(),
            json!({"callbackUri": "http://x/"}),
            "callLocator",
        ),
        (
            format!("/calling/callConnections/{call}/participants:add"),
            json!({}),
            "participantToAdd",
        ),
        (
            format!("/calling/callConnections/{call}:transferToParticipant"),
            json!({}),
            "targetParticipant",
        ),
        (
            format!("/calling/callConnections/{call}/participants:remove"),
            json!({}),
            "participantToRemove",
        ),
        (
            format!("/calling/callConnections/{call}/participants:cancelAddParticipant"),
            json!({}),
            "invitationId",
        ),
    ];
    for (path, body, field) in cases {
        let r = emu.post(&path, body).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "BadRequest");
        assert!(
            r.body["error"]["message"].as_str().unwrap().contains(field),
            "{path}: {}",
            r.body
        );
    }
    // Semantic checks.
    let r = emu
        .post(
            "/calling/callConnections",
            json!({"targets": [], "callbackUri": "http://x/"}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = emu
        .post(
            "/calling/callConnections",
            json!({"targets": [ident("4:+16041234567")], "callbackUri": "http://x/"}),
        )
        .await;
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sourceCallerIdNumber"),
        "{}",
        r.body
    );
    let r = emu
        .post("/calling/callConnections", json!({"targets": [{"rawId": "8:acs:a", "communicationUser": {"id": "8:acs:a"}, "phoneNumber": {"value": "+1604"}}], "callbackUri": "http://x/"}))
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = emu
        .post(
            &format!("/calling/callConnections/{call}/participants:add"),
            json!({"participantToAdd": ident("8:acs:r_c"), "invitationTimeoutInSeconds": 181}),
        )
        .await;
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invitationTimeoutInSeconds"),
        "{}",
        r.body
    );
    let r = emu
        .post("/calling/callConnections", json!("not an object"))
        .await;
    assert_eq!(r.status, 400);
    let r = emu
        .raw(
            "POST",
            "/calling/callConnections?api-version=2025-05-15",
            b"{not json",
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    let r = emu
        .call(
            "GET",
            "/calling/callConnections/unknown?api-version=2025-05-15",
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let r = emu
        .call(
            "GET",
            &format!(
                "/calling/callConnections/{call}/participants/8:acs:nobody?api-version=2025-05-15"
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn repeated_request_id_executes_once() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let body = json!({"targets": [ident("8:acs:r_a")], "callbackUri": rx.url("/cb")}).to_string();
    let headers = [
        (
            "Repeatability-Request-ID",
            "6a1f2c59-4b36-4ab9-9a3e-0f2f0f6f3d11".to_string(),
        ),
        ("Repeatability-First-Sent", callsteer::auth::http_date_now()),
    ];
    let pq = "/calling/callConnections?api-version=2025-05-15";
    let first = emu.raw("POST", pq, body.as_bytes(), &headers, None).await;
    let second = emu.raw("POST", pq, body.as_bytes(), &headers, None).await;
    assert_eq!(first.status, 201);
    assert_eq!(second.status, 201);
    assert_eq!(first.body, second.body);
    let calls = emu.admin("GET", "/emulator/calls", None).await.body;
    assert_eq!(calls["value"].as_array().unwrap().len(), 1);
    let outcomes: Vec<Value> = emu
        .requests()
        .await
        .iter()
        .map(|r| r["outcome"].clone())
        .collect();
    assert_eq!(outcomes, vec![json!("executed"), json!("replayed")]);

    // Only one of the two headers, or a bad UUID → 400.
    let r = emu
        .raw("POST", pq, body.as_bytes(), &headers[..1], None)
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Repeatability-First-Sent"));
    let bad = [
        ("Repeatability-Request-ID", "nope".to_string()),
        headers[1].clone(),
    ];
    let r = emu.raw("POST", pq, body.as_bytes(), &bad, None).await;
    assert_eq!(r.status, 400);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn fault_injection_returns_status_and_retry_after_without_executing() {
    let emu = Emu::start().await;
    let r = emu
        .admin(
            "PUT",
            "/emulator/faults",
            Some(json!({"status": 503, "probability": 1.0, "retryAfterSeconds": 2})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = emu
        .post(
            "/calling/callConnections",
            json!({"targets": [ident("8:acs:r_a")], "callbackUri": "http://127.0.0.1:9/"}),
        )
        .await;
    assert_eq!(r.status, 503);
    assert_eq!(r.headers.get("retry-after").unwrap(), "2");
    assert_eq!(r.body["error"]["code"], "ServiceUnavailable");
    let calls = emu.admin("GET", "/emulator/calls", None).await.body;
    assert_eq!(
        calls["value"].as_array().unwrap().len(),
        0,
        "nothing executed"
    );

    // Dropped response: the action runs, the client sees a connection error.
    emu.admin(
        "PUT",
        "/emulator/faults",
        Some(json!({"dropResponseProbability": 1.0})),
    )
    .await;
    let body =
        json!({"targets": [ident("8:acs:r_a")], "callbackUri": "http://127.0.0.1:9/"}).to_string();
    let date = callsteer::auth::http_date_now();
    let pq = "/calling/callConnections?api-version=2025-05-15";
    let signed = emu.key.sign("POST", pq, &emu.host, &date, body.as_bytes());
    let result = emu
        .http
        .post(emu.url(pq))
        .header("x-ms-date", &date)
        .header("x-ms-content-sha256", &signed.content_sha256)
        .header("authorization", &signed.authorization)
        .body(body)
        .send()
        .await;
    assert!(
        result.is_err(),
        "expected a connection error, got {result:?}"
    );
    let r = emu.admin("DELETE", "/emulator/faults", None).await;
    assert_eq!(r.status, 204);
    let calls = emu.admin("GET", "/emulator/calls", None).await.body;
    assert_eq!(calls["value"].as_array().unwrap().len(), 1, "executed once");
    let records = emu.requests().await;
    assert_eq!(records.last().unwrap()["responseDropped"], true);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn list_participants_pages_with_next_link() {
    let emu = Emu::with(callsteer_emulator::EmulatorConfig {
        page_size: 2,
        ..common::manual_config()
    })
    .await;
    let rx = Receiver::start().await;
    let call = emu
        .connected_call(
            &rx.url("/cb"),
            &[
                "8:acs:r_1",
                "8:acs:r_2",
                "8:acs:r_3",
                "4:+16045550001",
                "8:acs:r_5",
            ],
        )
        .await;
    let mut pq = format!("/calling/callConnections/{call}/participants?api-version=2025-05-15");
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = emu.call("GET", &pq, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        for p in r.body["value"].as_array().unwrap() {
            assert!(p["identifier"]["kind"].is_string());
            seen.push(p["identifier"]["rawId"].as_str().unwrap().to_string());
        }
        match r.body["nextLink"].as_str() {
            Some(link) => {
                assert!(link.starts_with("http://"), "absolute: {link}");
                pq = link.trim_start_matches(emu.handle.base_url()).to_string();
            }
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "8:acs:r_1",
            "8:acs:r_2",
            "8:acs:r_3",
            "4:+16045550001",
            "8:acs:r_5"
        ]
    );
    // GetParticipant with an encoded and an unencoded phone raw id.
    for raw in ["4:%2B16045550001", "4:+16045550001"] {
        let r = emu
            .call(
                "GET",
                &format!(
                    "/calling/callConnections/{call}/participants/{raw}?api-version=2025-05-15"
                ),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{raw}: {}", r.body);
        assert_eq!(r.body["identifier"]["phoneNumber"]["value"], "+16045550001");
    }
    emu.handle.shutdown().await;
}

/// Replays the official SDKs' captured requests (re-signed for this emulator, ids substituted
/// for ones that exist) and expects the status the spec gives each operation.
#[tokio::test]
async fn official_sdk_captures_are_accepted() {
    for file in [
        "official-python-sdk-1.6.0-requests.json",
        "official-js-sdk-1.6.0-requests.json",
    ] {
        let path = format!("{}/../spec/captures/{file}", env!("CARGO_MANIFEST_DIR"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            panic!("capture {path} not readable");
        };
        let capture: Value = serde_json::from_str(&text).unwrap();
        let emu = Emu::start().await;
        let rx = Receiver::start().await;
        for request in capture["requests"].as_array().unwrap() {
            let method = request["method"].as_str().unwrap();
            let path = request["path"].as_str().unwrap();
            let mut body = if request["body"].is_null() {
                String::new()
            } else {
                request["body"].to_string()
            };
            // Fresh world state for each request so that each one is valid on its own.
            let single = body.contains("transferToParticipant")
                || (path.contains(":transferToParticipant") && !body.contains("transferee"))
                || (path.contains("participants:add") && body.contains("8:acs:user2"));
            let targets: &[&str] = if single {
                &["4:+16045550000"]
            } else {
                &["4:+16045550000", "8:acs:user2"]
            };
            let call = emu.connected_call(&rx.url("/cb"), targets).await;
            let incoming = emu
                .admin(
                    "POST",
                    "/emulator/incoming-calls",
                    Some(json!({"from": "4:+16045550000", "to": "8:acs:user9"})),
                )
                .await
                .body;
            let server = emu
                .admin(
                    "POST",
                    "/emulator/calls",
                    Some(json!({"participants": ["8:acs:user3"]})),
                )
                .await
                .body;
            let room = emu
                .admin(
                    "POST",
                    "/emulator/rooms",
                    Some(json!({"participants": ["8:acs:user4"]})),
                )
                .await
                .body;
            body = body
                .replace(
                    "ctx-token",
                    incoming["incomingCallContext"].as_str().unwrap(),
                )
                .replace("srv-9", server["serverCallId"].as_str().unwrap())
                .replace("room-9", room["roomId"].as_str().unwrap());
            let pq = path.replace("call-1", &call);
            let headers: Vec<(&str, String)> =
                ["Repeatability-Request-ID", "Repeatability-First-Sent"]
                    .iter()
                    .filter_map(|h| request["headers"][*h].as_str().map(|v| (*h, v.to_string())))
                    .collect();
            let r = emu.raw(method, &pq, body.as_bytes(), &headers, None).await;
            let expected = match (method, path) {
                ("GET", _) => 200,
                ("DELETE", _) => 204,
                (_, p)
                    if p.contains(":terminate")
                        || p.contains(":redirect")
                        || p.contains(":reject") =>
                {
                    204
                }
                (_, p) if p.starts_with("/calling/callConnections?") => 201,
                (_, p)
                    if p.contains(":answer") || p.contains(":connect") || p.contains(":mute") =>
                {
                    200
                }
                _ => 202,
            };
            assert_eq!(r.status, expected, "{file} {method} {path}: {}", r.body);
        }
        emu.handle.shutdown().await;
    }
}

#[tokio::test]
async fn webhook_failing_validation_is_refused() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let r = emu
        .admin(
            "POST",
            "/emulator/event-subscriptions",
            Some(json!({"url": rx.url("/refuse")})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("validation"),
        "{}",
        r.body
    );
    let r = emu
        .admin(
            "POST",
            "/emulator/event-subscriptions",
            Some(json!({"url": rx.url("/eg")})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    emu.handle.shutdown().await;
}

/// Signs `signed` and sends `sent` (same method, host, date and body).
async fn signed_as(emu: &Emu, signed: &str, sent: &str) -> u16 {
    let date = callsteer::auth::http_date_now();
    let signature = emu.key.sign("GET", signed, &emu.host, &date, b"");
    emu.http
        .get(emu.url(sent))
        .header("x-ms-date", &date)
        .header("x-ms-content-sha256", &signature.content_sha256)
        .header("authorization", &signature.authorization)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The service accepts a signature over any spelling of the same path: the official Python aio
/// client signs `…/participants/8%3Aacs%3A…` and its HTTP stack sends `8:acs:…`; other clients
/// do the reverse.
#[tokio::test]
async fn hmac_accepts_equivalent_encodings_of_the_path() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let call = emu
        .connected_call(&rx.url("/cb"), &["8:acs:r_a", "4:+16045550123"])
        .await;
    let base = format!("/calling/callConnections/{call}/participants");
    let q = "?api-version=2026-03-12";
    let encoded = format!("{base}/8%3Aacs%3Ar_a{q}");
    let plain = format!("{base}/8:acs:r_a{q}");
    assert_eq!(signed_as(&emu, &encoded, &plain).await, 200);
    assert_eq!(signed_as(&emu, &plain, &encoded).await, 200);
    assert_eq!(signed_as(&emu, &encoded, &encoded).await, 200);
    assert_eq!(signed_as(&emu, &plain, &plain).await, 200);
    let phone_encoded = format!("{base}/4%3A%2B16045550123{q}");
    let phone_plain = format!("{base}/4:+16045550123{q}");
    assert_eq!(signed_as(&emu, &phone_encoded, &phone_plain).await, 200);
    assert_eq!(signed_as(&emu, &phone_plain, &phone_encoded).await, 200);
    // Another participant, query or call is still a different request.
    let other = format!("{base}/8%3Aacs%3Ar_b{q}");
    assert_eq!(signed_as(&emu, &other, &plain).await, 401);
    let other_query = format!("{base}/8%3Aacs%3Ar_a?api-version=2025-05-15");
    assert_eq!(signed_as(&emu, &other_query, &plain).await, 401);
    emu.handle.shutdown().await;
}
