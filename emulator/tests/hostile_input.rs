//! Hostile HTTP input: oversized and malformed bodies, unknown paths and methods, stalled
//! clients (raw TCP), garbage on the wire — answered in the service's error format, never with
//! a 5xx, never a crash. Plus SIGTERM / SIGINT shut the binary down cleanly.

mod common;

use std::time::Duration;

use common::{manual_config, Emu};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous bound for "eventually": only guards against a hang, never measures speed.
const EVENTUALLY: Duration = Duration::from_secs(30);
const API: &str = "api-version=2025-05-15";

async fn emu_with_short_timeouts() -> Emu {
    Emu::with(callsteer_emulator::EmulatorConfig {
        header_read_timeout_ms: 300,
        body_read_timeout_ms: 300,
        ..manual_config()
    })
    .await
}

fn assert_error_format(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert!(
        body["error"]["code"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "no error.code: {body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no error.message: {body}"
    );
}

async fn connect(emu: &Emu) -> TcpStream {
    TcpStream::connect(&emu.host).await.unwrap()
}

/// Reads until the server closes the connection; returns what it sent.
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
        .expect("the server closes the connection");
    String::from_utf8_lossy(&all).into_owned()
}

/// Status code and JSON body of a raw HTTP/1.1 response text.
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
async fn bodies_over_one_mebibyte_get_413_in_the_error_format() {
    let emu = Emu::start().await;
    let big = vec![b' '; 1024 * 1024 + 1];
    // Signed /calling request with a declared length.
    let r = emu
        .raw(
            "POST",
            &format!("/calling/callConnections?{API}"),
            &big,
            &[],
            None,
        )
        .await;
    assert_error_format(r.status, &r.body, 413);
    // Admin routes too.
    let r = emu
        .http
        .put(emu.url("/emulator/targets/8:acs:x"))
        .body(big.clone())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_error_format(status, &body, 413);
    // Chunked, no Content-Length: refused once the limit is crossed.
    let mut s = connect(&emu).await;
    let head = format!(
        "POST /emulator/incoming-calls HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n",
        emu.host
    );
    s.write_all(head.as_bytes()).await.unwrap();
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
    // Exactly the limit is not refused for its size (it is whitespace, so 400).
    let r = emu
        .raw(
            "POST",
            &format!("/calling/callConnections?{API}"),
            &big[1..],
            &[],
            None,
        )
        .await;
    assert_error_format(r.status, &r.body, 400);
}

#[tokio::test]
async fn malformed_json_gets_400_in_the_error_format() {
    let emu = Emu::start().await;
    for (i, body) in [
        &b"{"[..],
        b"{\"targets\":",
        b"[]",
        b"null",
        b"\xff\xfe\x00",
        b"{\"targets\": [{\"rawId\": 5}], \"callbackUri\": 7}",
        b"{\"a\":1}{\"b\":2}",
    ]
    .into_iter()
    .enumerate()
    {
        let r = emu
            .raw(
                "POST",
                &format!("/calling/callConnections?{API}"),
                body,
                &[],
                None,
            )
            .await;
        assert_error_format(r.status, &r.body, 400);
        let r = emu
            .raw(
                "POST",
                &format!("/calling/callConnections/c1/participants:add?{API}"),
                body,
                &[],
                None,
            )
            .await;
        assert!(r.status == 400 || r.status == 404, "{}", r.body);
        assert_error_format(r.status, &r.body, r.status);
        if i == 5 {
            // Valid JSON: admin bodies with all-optional fields accept it.
            continue;
        }
        for path in [
            "/emulator/incoming-calls",
            "/emulator/faults",
            "/emulator/test-tokens",
            "/emulator/clock/advance",
            "/emulator/calls",
        ] {
            let method = if path == "/emulator/faults" {
                "PUT"
            } else {
                "POST"
            };
            let r = emu
                .http
                .request(method.parse().unwrap(), emu.url(path))
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let json: Value = r.json().await.unwrap_or(Value::Null);
            assert!(status < 500, "{path}: {status} {json}");
            assert_error_format(status, &json, status);
        }
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_error_format() {
    let emu = Emu::start().await;
    for (method, path) in [
        ("GET", "/"),
        ("GET", "/nope"),
        ("POST", "/emulator/nope"),
        ("GET", "/emulator/calls/nope/events"),
        ("GET", "/calling"),
        ("GET", "/calling/nope"),
        ("DELETE", "/emulator/health"),
        ("POST", "/emulator/health"),
        ("PATCH", "/emulator/faults"),
        ("GET", "/%2e%2e/%2e%2e/etc/passwd"),
    ] {
        let r = emu
            .http
            .request(method.parse().unwrap(), emu.url(path))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!((400..500).contains(&status), "{method} {path}: {status}");
        assert_error_format(status, &body, status);
    }
    // Unknown /calling paths and methods, properly signed.
    for (method, path) in [
        ("GET", "/calling/callConnections/c1/nope"),
        ("POST", "/calling/callConnections/c1:nope"),
        ("PUT", "/calling/callConnections/c1"),
        ("GET", "/calling/callConnections:answer"),
    ] {
        let r = emu
            .raw(method, &format!("{path}?{API}"), b"", &[], None)
            .await;
        assert!(
            r.status == 404 || r.status == 405,
            "{method} {path}: {}",
            r.status
        );
        assert_error_format(r.status, &r.body, r.status);
    }
}

#[tokio::test]
async fn hostile_headers_are_client_errors() {
    let emu = Emu::start().await;
    let url = emu.url(&format!("/calling/callConnections?{API}"));
    let cases: Vec<Vec<(&str, Vec<u8>)>> = vec![
        vec![("authorization", b"HMAC-SHA256 \xff\xfe".to_vec())],
        vec![(
            "authorization",
            b"HMAC-SHA256 SignedHeaders=x&Signature=".to_vec(),
        )],
        vec![("authorization", vec![b'A'; 16 * 1024])],
        vec![
            (
                "authorization",
                b"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA"
                    .to_vec(),
            ),
            ("x-ms-date", b"not a date".to_vec()),
        ],
        vec![
            (
                "authorization",
                b"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA"
                    .to_vec(),
            ),
            ("x-ms-date", b"Mon, 02 Jun 1900 12:00:00 GMT".to_vec()),
        ],
        vec![("authorization", b"Bearer ".to_vec())],
        vec![("x-ms-date", b"\xff".to_vec())],
    ];
    for headers in cases {
        let mut request = emu.http.post(&url).body("{}");
        for (name, value) in &headers {
            request = request.header(
                *name,
                reqwest::header::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_error_format(status, &body, 401);
    }
    // A signature of the right length that is wrong in its last byte is refused.
    let date = callsteer::auth::http_date_now();
    let signed = emu.key.sign(
        "POST",
        &format!("/calling/callConnections?{API}"),
        &emu.host,
        &date,
        b"{}",
    );
    let mut forged = signed.authorization.clone().into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let r = emu
        .http
        .post(&url)
        .header("x-ms-date", &date)
        .header("x-ms-content-sha256", &signed.content_sha256)
        .header("authorization", String::from_utf8(forged).unwrap())
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn half_sent_headers_are_closed_after_the_header_timeout() {
    let emu = emu_with_short_timeouts().await;
    let mut s = connect(&emu).await;
    s.write_all(b"POST /calling/callConnections HTTP/1.1\r\nHost: x\r\nContent-Le")
        .await
        .unwrap();
    read_until_closed(&mut s).await;
    // Connected, nothing sent.
    let mut s = connect(&emu).await;
    read_until_closed(&mut s).await;
    // One byte of what could be an HTTP/2 preface.
    let mut s = connect(&emu).await;
    s.write_all(b"PR").await.unwrap();
    read_until_closed(&mut s).await;
    // The emulator still serves.
    let r = emu.admin("GET", "/emulator/health", None).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn half_sent_body_gets_408_and_is_closed() {
    let emu = emu_with_short_timeouts().await;
    let mut s = connect(&emu).await;
    let head = format!(
        "POST /emulator/incoming-calls HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"from\":",
        emu.host
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let (status, body) = parse_raw(&read_until_closed(&mut s).await);
    assert_error_format(status, &body, 408);
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let emu = emu_with_short_timeouts().await;
    let mut s = connect(&emu).await;
    let request = format!(
        "GET /emulator/health HTTP/1.1\r\nHost: {}\r\n\r\n",
        emu.host
    );
    s.write_all(request.as_bytes()).await.unwrap();
    let text = read_until_closed(&mut s).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[tokio::test]
async fn garbage_on_the_wire_never_takes_the_emulator_down() {
    let emu = Emu::start().await;
    let junk: Vec<&[u8]> = vec![
        b"\x00\x01\x02\x03\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /emulator/health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"GET /emulator/health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"POST /emulator/calls HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00garbage",
    ];
    for bytes in junk {
        let mut s = connect(&emu).await;
        let _ = s.write_all(bytes).await;
        let _ = s.shutdown().await;
        let text = read_until_closed(&mut s).await;
        if let Some(status) = text.split(' ').nth(1).and_then(|c| c.parse::<u16>().ok()) {
            assert!(status < 500, "{text}");
        }
    }
    // Many headers / a huge header line: refused by hyper (431 or close), not a crash.
    let mut s = connect(&emu).await;
    let mut request = b"GET /emulator/health HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..2000 {
        request.extend_from_slice(format!("x-h{i}: {}\r\n", "v".repeat(100)).as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    let _ = s.write_all(&request).await;
    let text = read_until_closed(&mut s).await;
    if let Some(status) = text.split(' ').nth(1).and_then(|c| c.parse::<u16>().ok()) {
        assert!((400..500).contains(&status), "{text}");
    }
    let r = emu.admin("GET", "/emulator/health", None).await;
    assert_eq!(r.status, 200);
    let r = emu
        .admin(
            "POST",
            "/emulator/test-tokens",
            Some(json!({"audience": "x"})),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[cfg(unix)]
mod signals {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// Starts the binary, waits for its connection string, opens an idle keep-alive
    /// connection, sends `signal`, and expects exit status 0 within a generous bound.
    fn exits_cleanly_on(signal: &str) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_callsteer-emulator"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let endpoint = line
            .trim()
            .strip_prefix("CONNECTION_STRING=endpoint=http://")
            .and_then(|s| s.split_once('/'))
            .map(|(host, _)| host.to_string())
            .expect("connection string");
        // An idle keep-alive connection must not hold the shutdown up.
        use std::io::{Read, Write};
        let mut idle = std::net::TcpStream::connect(&endpoint).unwrap();
        write!(
            idle,
            "GET /emulator/health HTTP/1.1\r\nHost: {endpoint}\r\n\r\n"
        )
        .unwrap();
        let mut buf = [0u8; 512];
        let _ = idle.read(&mut buf).unwrap();

        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "{signal}: exit status {status}");
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{signal}: the emulator did not exit");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(idle);
    }

    #[test]
    fn sigterm_shuts_down_cleanly() {
        exits_cleanly_on("TERM");
    }

    #[test]
    fn sigint_shuts_down_cleanly() {
        exits_cleanly_on("INT");
    }
}
