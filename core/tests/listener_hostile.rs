//! The callback listener against hostile clients: oversized and malformed bodies, other
//! methods, stalled clients over raw TCP, garbage; and `ListenerHandle::shutdown` with idle
//! keep-alive and stalled connections open. Timeouts are configured short; the only time bound
//! asserted is a generous "eventually".
#![cfg(feature = "listener")]

use std::time::Duration;

use callsteer::events::listener::{self, ListenerConfig, ListenerHandle};
use callsteer::events::EventProcessor;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const EVENTUALLY: Duration = Duration::from_secs(30);
const VALIDATION: &str = r#"[{"id":"1","topic":"t","subject":"","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","eventTime":"2025-01-01T00:00:00Z","data":{"validationCode":"abc"},"dataVersion":"2","metadataVersion":"1"}]"#;

fn short() -> ListenerConfig {
    ListenerConfig {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        shutdown_grace: Duration::from_millis(300),
        ..ListenerConfig::default()
    }
}

async fn start(config: ListenerConfig) -> (ListenerHandle, EventProcessor) {
    let processor = EventProcessor::new();
    let handle = listener::serve_with_config("127.0.0.1:0", processor.clone(), None, config)
        .await
        .unwrap();
    (handle, processor)
}

fn http() -> reqwest::Client {
    callsteer::transport::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
}

fn url(handle: &ListenerHandle) -> String {
    format!("http://{}/api/callbacks", handle.local_addr())
}

fn assert_error_format(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert!(
        body["error"]["code"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut all = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(EVENTUALLY, read)
        .await
        .expect("the listener closes the connection");
    String::from_utf8_lossy(&all).into_owned()
}

fn parse_raw(text: &str) -> (u16, Value) {
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn bodies_over_one_mebibyte_get_413() {
    let (handle, _) = start(ListenerConfig::default()).await;
    let client = http();
    let r = client
        .post(url(&handle))
        .body(vec![b' '; 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert_error_format(status, &r.json().await.unwrap(), 413);
    // Chunked, no Content-Length.
    let mut s = TcpStream::connect(handle.local_addr()).await.unwrap();
    s.write_all(b"POST /cb HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..17 {
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(&chunk);
        frame.extend_from_slice(b"\r\n");
        if s.write_all(&frame).await.is_err() {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let (status, body) = parse_raw(&read_until_closed(&mut s).await);
    assert_error_format(status, &body, 413);
    // Up to the limit the body is parsed (whitespace: 400, not 413).
    let r = client
        .post(url(&handle))
        .body(vec![b' '; 1024 * 1024])
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert_error_format(status, &r.json().await.unwrap(), 400);
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn malformed_bodies_get_400_and_other_methods_405_in_the_error_format() {
    let (handle, processor) = start(ListenerConfig::default()).await;
    let client = http();
    for body in [
        &b"{"[..],
        b"",
        b"null",
        b"\xff\xfe",
        b"[{\"type\":\"CallConnected\",\"data\":{\"callConnectionId\":5}}]",
        b"{\"a\":1}{\"b\":2}",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ] {
        let r = client.post(url(&handle)).body(body.to_vec()).send().await.unwrap();
        let status = r.status().as_u16();
        assert_error_format(status, &r.json().await.unwrap(), 400);
    }
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let r = client
            .request(method.parse().unwrap(), url(&handle))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert_eq!(r.headers()["allow"], "POST, OPTIONS");
        assert_error_format(status, &r.json().await.unwrap(), 405);
    }
    // Still serving: the Event Grid handshake works.
    let r = client
        .post(url(&handle))
        .body(VALIDATION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(processor.stats().backlog_len, 1);
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn stalled_clients_are_closed() {
    let (handle, _) = start(short()).await;
    // Half the headers.
    let mut s = TcpStream::connect(handle.local_addr()).await.unwrap();
    s.write_all(b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Le")
        .await
        .unwrap();
    read_until_closed(&mut s).await;
    // Nothing at all.
    let mut s = TcpStream::connect(handle.local_addr()).await.unwrap();
    read_until_closed(&mut s).await;
    // Part of an HTTP/2 preface.
    let mut s = TcpStream::connect(handle.local_addr()).await.unwrap();
    s.write_all(b"PRI * HT").await.unwrap();
    read_until_closed(&mut s).await;
    // Half the body: 408 in the error format, then closed.
    let mut s = TcpStream::connect(handle.local_addr()).await.unwrap();
    s.write_all(b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[{\"id\":")
        .await
        .unwrap();
    let (status, body) = parse_raw(&read_until_closed(&mut s).await);
    assert_error_format(status, &body, 408);
    // Idle keep-alive after a response.
    let mut s = TcpStream::connect(handle.local_addr()).await.unwrap();
    let request = format!(
        "POST /cb HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{VALIDATION}",
        VALIDATION.len()
    );
    s.write_all(request.as_bytes()).await.unwrap();
    let text = read_until_closed(&mut s).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn garbage_is_never_a_server_error() {
    let (handle, _) = start(short()).await;
    let junk: Vec<&[u8]> = vec![
        b"\x00\x01\x02\x03\r\n\r\n",
        b"POST / HTTP/9.9\r\n\r\n",
        b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"POST /cb HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00garbage",
    ];
    for bytes in junk {
        let mut s = TcpStream::connect(handle.local_addr()).await.unwrap();
        let _ = s.write_all(bytes).await;
        let text = read_until_closed(&mut s).await;
        if let Some(status) = text.split(' ').nth(1).and_then(|c| c.parse::<u16>().ok()) {
            assert!(status < 500, "{text}");
        }
    }
    let r = http()
        .post(url(&handle))
        .body(VALIDATION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_does_not_wait_for_idle_keep_alive_connections() {
    // Default timeouts (30 s header timeout): the idle connection must not hold shutdown up.
    let (handle, _) = start(ListenerConfig::default()).await;
    let addr = handle.local_addr();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /cb HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{VALIDATION}",
        VALIDATION.len()
    );
    idle.write_all(request.as_bytes()).await.unwrap();
    let mut buf = [0u8; 1024];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // A pooled client connection too.
    let client = http();
    let r = client
        .post(format!("http://{addr}/cb"))
        .body(VALIDATION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    tokio::time::timeout(EVENTUALLY, handle.shutdown())
        .await
        .expect("shutdown finishes")
        .unwrap();
    read_until_closed(&mut idle).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn shutdown_closes_stalled_requests_after_the_grace_period() {
    let (handle, _) = start(ListenerConfig {
        // Long read timeouts: only the grace period can end the stalled request.
        header_read_timeout: Duration::from_secs(600),
        body_read_timeout: Duration::from_secs(600),
        shutdown_grace: Duration::from_millis(200),
        ..ListenerConfig::default()
    })
    .await;
    let mut stalled = TcpStream::connect(handle.local_addr()).await.unwrap();
    stalled
        .write_all(b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[")
        .await
        .unwrap();
    let mut half_headers = TcpStream::connect(handle.local_addr()).await.unwrap();
    half_headers
        .write_all(b"POST /cb HTTP/1.1\r\nHo")
        .await
        .unwrap();
    // Let the listener pick both up.
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(EVENTUALLY, handle.shutdown())
        .await
        .expect("shutdown finishes")
        .unwrap();
    read_until_closed(&mut stalled).await;
    read_until_closed(&mut half_headers).await;
}

#[tokio::test]
async fn dropping_the_handle_stops_the_listener() {
    let (handle, _) = start(short()).await;
    let addr = handle.local_addr();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    drop(handle);
    read_until_closed(&mut idle).await;
}

const AUD: &str = "9b1c3c42-5f0e-4a6d-8c1e-0c5e1a7d2f10";
const SECRET: &str = "s3cr&t value";
const SECRET_QUERY: &str = "secret=s3cr%26t%20value";

fn incoming_call() -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/event_samples/IncomingCall_eventgrid.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A verifier that knows no key: every service JWT is refused, so only the Event Grid rules
/// can let a body in.
fn verifier() -> callsteer::events::CallbackVerifier {
    callsteer::events::CallbackVerifier::new(AUD)
        .unwrap()
        .with_static_jwks(r#"{"keys":[]}"#)
        .unwrap()
}

async fn start_verified(config: ListenerConfig) -> (ListenerHandle, EventProcessor) {
    let processor = EventProcessor::new();
    let handle =
        listener::serve_with_config("127.0.0.1:0", processor.clone(), Some(verifier()), config)
            .await
            .unwrap();
    (handle, processor)
}

async fn post(handle: &ListenerHandle, query: &str, body: Vec<u8>) -> (u16, String) {
    let r = http()
        .post(format!("{}{query}", url(handle)))
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn event_grid_deliveries_need_the_url_secret_or_an_explicit_opt_in() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // Current-thread test runtime: the listener's tasks log through this subscriber too.
    let _guard = tracing::subscriber::set_default(subscriber);

    // Default: refused, with or without a secret-looking parameter.
    let (handle, processor) = start_verified(ListenerConfig::default()).await;
    for body in [VALIDATION.as_bytes().to_vec(), incoming_call()] {
        for query in ["", "?secret=guess"] {
            let (status, text) = post(&handle, query, body.clone()).await;
            let body: Value = serde_json::from_str(&text).unwrap();
            assert_error_format(status, &body, 401);
        }
    }
    assert_eq!(
        processor.stats().backlog_len,
        0,
        "nothing reached the processor"
    );
    handle.shutdown().await.unwrap();

    // A configured secret: only a matching `secret` parameter lets Event Grid bodies in.
    let config = ListenerConfig {
        event_grid_secret: Some(SECRET.into()),
        ..ListenerConfig::default()
    };
    assert!(!format!("{config:?}").contains("s3cr"), "{config:?}");
    let (handle, processor) = start_verified(config).await;
    for query in [
        "",
        "?secret=",
        "?secret=s3cr",
        "?Secret=s3cr%26t%20value",
        "?other=1",
    ] {
        let (status, text) = post(&handle, query, incoming_call()).await;
        assert_eq!(status, 401, "{query}: {text}");
        assert!(!text.contains("s3cr"), "{text}");
    }
    let (status, text) = post(&handle, &format!("?{SECRET_QUERY}"), VALIDATION.into()).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("validationResponse"), "{text}");
    let (status, _) = post(&handle, &format!("?a=1&{SECRET_QUERY}"), incoming_call()).await;
    assert_eq!(status, 200);
    assert_eq!(processor.stats().backlog_len, 2);
    // The secret never stands in for the service's JWT: a body with a call-automation event
    // still needs the token.
    let mixed = {
        let read = |name: &str| -> Value {
            let path = format!("{}/tests/event_samples/{name}", env!("CARGO_MANIFEST_DIR"));
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
        };
        let incoming = read("IncomingCall_eventgrid.json");
        let connected = read("CallConnected.json")[0].clone();
        serde_json::to_vec(&serde_json::json!([incoming, connected])).unwrap()
    };
    assert_eq!(callsteer::events::parse_events(&mixed).unwrap().len(), 2);
    let (status, _) = post(&handle, &format!("?{SECRET_QUERY}"), mixed).await;
    assert_eq!(status, 401);
    assert_eq!(processor.stats().backlog_len, 2);
    handle.shutdown().await.unwrap();

    // The explicit opt-in.
    let (handle, processor) = start_verified(ListenerConfig {
        allow_unauthenticated_event_grid: true,
        ..ListenerConfig::default()
    })
    .await;
    let (status, _) = post(&handle, "", incoming_call()).await;
    assert_eq!(status, 200);
    assert_eq!(processor.stats().backlog_len, 1);
    handle.shutdown().await.unwrap();

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("Event Grid delivery refused"), "{logs}");
    assert!(!logs.contains("s3cr"), "{logs}");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let (handle, _) = start(ListenerConfig {
        max_connections: 2,
        // Long timeouts: only closing a connection may free a slot.
        header_read_timeout: Duration::from_secs(600),
        body_read_timeout: Duration::from_secs(600),
        ..ListenerConfig::default()
    })
    .await;
    let addr = handle.local_addr();
    let first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    // The kernel completes the third handshake, but the listener does not take it up.
    let mut third = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /cb HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{VALIDATION}",
        VALIDATION.len()
    );
    third.write_all(request.as_bytes()).await.unwrap();
    let mut byte = [0u8; 1];
    let waited = tokio::time::timeout(Duration::from_millis(500), third.read(&mut byte)).await;
    assert!(
        waited.is_err(),
        "the third connection was served: {waited:?}"
    );
    // One closes: the waiting one is served.
    drop(first);
    let text = read_until_closed(&mut third).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn idle_http2_connections_are_closed_after_the_idle_timeout() {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let (handle, processor) = start(short()).await;
    let stream = TcpStream::connect(handle.local_addr()).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    let connection = tokio::spawn(connection);
    for _ in 0..2 {
        let request = hyper::Request::post(format!("http://{}/cb", handle.local_addr()))
            .body(VALIDATION.to_string())
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.version(), hyper::Version::HTTP_2);
    }
    assert_eq!(
        processor.stats().backlog_len,
        1,
        "one event, delivered twice"
    );
    // Nothing more is sent: the listener ends the connection (GOAWAY, then close).
    tokio::time::timeout(EVENTUALLY, connection)
        .await
        .expect("the idle HTTP/2 connection is closed")
        .unwrap()
        .unwrap();
    assert!(sender.is_closed());
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_zero_connection_cap_or_an_empty_secret_is_refused_naming_the_field() {
    for (config, field) in [
        (
            ListenerConfig {
                max_connections: 0,
                ..ListenerConfig::default()
            },
            "max_connections",
        ),
        (
            ListenerConfig {
                event_grid_secret: Some(" ".into()),
                ..ListenerConfig::default()
            },
            "event_grid_secret",
        ),
    ] {
        let result =
            listener::serve_with_config("127.0.0.1:0", EventProcessor::new(), None, config).await;
        match result {
            Err(callsteer::Error::InvalidArgument { field: named, .. }) => assert_eq!(named, field),
            other => panic!("{field}: expected InvalidArgument, got {other:?}"),
        }
    }
    // A huge cap is fine (no panic in the semaphore).
    let (handle, _) = start(ListenerConfig {
        max_connections: usize::MAX,
        ..ListenerConfig::default()
    })
    .await;
    let r = http()
        .post(url(&handle))
        .body(VALIDATION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    handle.shutdown().await.unwrap();
}
