//! `/emulator/ui`: the embedded page, the per-call timeline snapshot and the live SSE feed.

mod common;

use std::time::{Duration, Instant};

use common::{ident, Emu, Receiver, KEY};
use serde_json::{json, Value};

/// (kind, name) of each timeline item, the way the page labels its arrows.
fn names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| {
            let name = match i["kind"].as_str().unwrap_or("") {
                "request" => i["operation"].as_str(),
                "event" => i["type"].as_str(),
                _ => i["change"].as_str(),
            };
            name.unwrap_or("?").to_string()
        })
        .collect()
}

async fn timeline(emu: &Emu, call: &str) -> Vec<Value> {
    let r = emu
        .admin("GET", &format!("/emulator/ui/calls/{call}/timeline"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

/// Waits until every callback event of the call has been delivered.
async fn settled(emu: &Emu, call: &str) -> Vec<Value> {
    for _ in 0..300 {
        let items = timeline(emu, call).await;
        if items
            .iter()
            .filter(|i| i["kind"] == "event")
            .all(|i| i["status"] == "delivered")
        {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("deliveries never settled");
}

#[tokio::test]
async fn page_and_assets_are_served_from_the_binary() {
    let emu = Emu::start().await;
    let page = emu.http.get(emu.url("/emulator/ui")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"src="/emulator/ui/app.js""#));
    assert!(html.contains(r#"href="/emulator/ui/app.css""#));

    for (path, kind) in [
        ("/emulator/ui/app.js", "text/javascript"),
        ("/emulator/ui/app.css", "text/css"),
    ] {
        let r = emu.http.get(emu.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(kind));
        let text = r.text().await.unwrap();
        // Nothing is fetched from elsewhere: the only absolute URL is the SVG namespace.
        let stripped = text.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !stripped.contains("http://") && !stripped.contains("https://"),
            "{path} refers to another origin"
        );
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[tokio::test]
async fn timeline_snapshot_orders_requests_events_and_participant_changes() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    emu.admin(
        "PUT",
        "/emulator/targets/8:acs:ui_decliner",
        Some(json!({"behavior": "decline"})),
    )
    .await;
    let call = emu.connected_call(&rx.url("/cb"), &["8:acs:ui_a"]).await;
    let add = |who: &str| json!({"participantToAdd": ident(who), "operationContext": format!("add-{who}")});
    let path = format!("/calling/callConnections/{call}/participants:add");
    assert_eq!(emu.post(&path, add("8:acs:ui_b")).await.status, 202);
    assert_eq!(emu.post(&path, add("8:acs:ui_decliner")).await.status, 202);

    let items = settled(&emu, &call).await;
    assert_eq!(
        names(&items),
        [
            "CreateCall",
            "invited",
            "answered",
            "CallConnected",
            "joined",
            "ParticipantsUpdated",
            "AddParticipant",
            "invited",
            "answered",
            "AddParticipantSucceeded",
            "joined",
            "ParticipantsUpdated",
            "AddParticipant",
            "invited",
            "failed",
            "AddParticipantFailed",
        ],
        "{items:#?}"
    );
    let orders: Vec<u64> = items.iter().map(|i| i["order"].as_u64().unwrap()).collect();
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "{orders:?}");

    let create = &items[0];
    assert_eq!(create["method"], "POST");
    assert_eq!(create["status"], 201);
    assert_eq!(create["requestBody"]["callbackUri"], rx.url("/cb"));
    assert_eq!(create["responseBody"]["callConnectionId"], call.as_str());
    let invited = &items[1];
    assert_eq!(invited["participant"], "8:acs:ui_a");
    assert_eq!(invited["detail"]["for"], "create");
    let connected = &items[3];
    assert_eq!(connected["status"], "delivered");
    assert_eq!(connected["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(
        connected["event"]["data"]["callConnectionId"],
        call.as_str()
    );
    let failed = items.last().unwrap();
    assert_eq!(failed["resultInformation"]["code"], 603);
    assert_eq!(items[14]["detail"]["resultInformation"]["code"], 603);

    // Nothing secret reaches the page: no header, no key, no signature.
    let text = serde_json::to_string(&items).unwrap();
    for secret in [KEY, "HMAC-SHA256", "Signature=", "authorization", "Bearer "] {
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} leaked"
        );
    }

    let missing = emu
        .admin("GET", "/emulator/ui/calls/nope/timeline", None)
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn bodies_are_capped_and_callless_requests_are_unassigned() {
    let emu = Emu::start().await;
    let huge = "x".repeat(40_000);
    let r = emu
        .post(
            "/calling/callConnections",
            json!({"targets": [], "callbackUri": "http://127.0.0.1:9/cb", "operationContext": huge}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let other = emu
        .admin("GET", "/emulator/ui/unassigned/timeline", None)
        .await;
    let items = other.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    let body = &items[0]["requestBody"];
    assert_eq!(body["truncated"], true);
    assert!(body["size"].as_u64().unwrap() > 40_000);
    assert!(body["text"].as_str().unwrap().len() <= 16 * 1024);
}

/// Reads SSE chunks until the text received so far contains `what`.
async fn read_until(response: &mut reqwest::Response, seen: &mut String, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen.contains(what) {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no `{what}` in the stream; got:\n{seen}"))
            .expect("stream readable")
            .expect("stream still open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn stream_publishes_items_as_they_happen_and_ends_on_shutdown() {
    let emu = Emu::start().await;
    let rx = Receiver::start().await;
    let mut stream = emu
        .http
        .get(emu.url("/emulator/ui/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "event: hello").await;

    let call = emu.connected_call(&rx.url("/cb"), &["8:acs:ui_live"]).await;
    read_until(&mut stream, &mut seen, r#""operation":"CreateCall""#).await;
    read_until(&mut stream, &mut seen, r#""change":"joined""#).await;
    // Each delivery attempt republishes the event with its new status.
    read_until(&mut stream, &mut seen, r#""status":"delivered""#).await;
    let items: Vec<Value> = seen
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str(d).ok())
        .filter(|v: &Value| v.get("kind").is_some())
        .collect();
    assert!(items
        .iter()
        .any(|i| i["type"] == "CallConnected" && i["callConnectionId"] == call.as_str()));
    assert!(!seen.contains(KEY));

    // An open stream must not hold the shutdown for the drain timeout.
    let started = Instant::now();
    emu.handle.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown took {:?}",
        started.elapsed()
    );
    let rest = tokio::time::timeout(Duration::from_secs(3), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(rest.is_ok(), "the stream did not end on shutdown");
}

/// The connection timeouts against slow clients must not cut a page's open stream.
#[tokio::test]
async fn stream_outlives_the_header_read_timeout() {
    let emu = Emu::with(callsteer_emulator::EmulatorConfig {
        header_read_timeout_ms: 200,
        ..common::manual_config()
    })
    .await;
    let rx = Receiver::start().await;
    let mut stream = emu
        .http
        .get(emu.url("/emulator/ui/stream"))
        .send()
        .await
        .unwrap();
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "event: hello").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    emu.connected_call(&rx.url("/cb"), &["8:acs:ui_patient"])
        .await;
    read_until(&mut stream, &mut seen, r#""operation":"CreateCall""#).await;
}
