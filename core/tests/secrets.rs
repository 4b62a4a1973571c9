//! The access key never shows: not in `Debug` of the credential, connection string, client or
//! call connection; not in error messages (a malformed connection string that contains the key
//! included); not in logs captured at TRACE while doing real requests against the emulator
//! binary, failed authentication included. Neither does the request signature.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use callsteer::auth::{AccessKeyCredential, ConnectionString, Credential};
use callsteer::{CallAutomationClient, CallInvite, ClientOptions};

/// base64 of "super-secret-key-material-0123456789": decoded bytes are printable too, so a
/// leak of the raw key shows as text.
const KEY: &str = "c3VwZXItc2VjcmV0LWtleS1tYXRlcmlhbC0wMTIzNDU2Nzg5";
const KEY_TEXT: &str = "super-secret-key-material";
/// Another valid key (for failed authentication).
const WRONG_KEY: &str = "d3Jvbmctc2VjcmV0LWtleS1tYXRlcmlhbC05ODc2NTQzMjEw";
const WRONG_KEY_TEXT: &str = "wrong-secret-key-material";

fn assert_clean(what: &str, text: &str) {
    for secret in [KEY, KEY_TEXT, WRONG_KEY, WRONG_KEY_TEXT] {
        assert!(!text.contains(secret), "{what} leaks `{secret}`: {text}");
    }
    // A prefix of the key long enough to matter (e.g. a truncated echo).
    for secret in [&KEY[..12], &WRONG_KEY[..12]] {
        assert!(!text.contains(secret), "{what} leaks part of a key: {text}");
    }
    assert!(
        !text.contains("Signature="),
        "{what} leaks a signature: {text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Captured logs: one global subscriber at TRACE writing into a buffer (log records too).

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("the only subscriber of this test binary");
        captured
    })
}

// ---------------------------------------------------------------------------------------------
// The emulator binary.

struct Emulator {
    child: Child,
    endpoint: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn emulator_binary() -> PathBuf {
    if let Ok(path) = std::env::var("CALLSTEER_EMULATOR_BIN") {
        return PathBuf::from(path);
    }
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let binary = target.join("debug").join("callsteer-emulator");
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "-p",
                "callsteer-emulator",
                "--bin",
                "callsteer-emulator",
            ])
            .current_dir(&root)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the emulator failed");
    }
    binary
}

fn start_emulator() -> Emulator {
    let mut child = Command::new(emulator_binary())
        .args(["--port", "0", "--answer-delay-ms", "5", "--access-key", KEY])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let connection_string = line.trim().strip_prefix("CONNECTION_STRING=").unwrap();
    let endpoint = connection_string
        .strip_prefix("endpoint=")
        .and_then(|s| s.split(';').next())
        .unwrap()
        .to_string();
    Emulator { child, endpoint }
}

// ---------------------------------------------------------------------------------------------

#[test]
fn debug_output_never_shows_the_key() {
    let credential = AccessKeyCredential::new(KEY).unwrap();
    assert_clean(
        "AccessKeyCredential",
        &format!("{credential:?} {credential:#?}"),
    );
    let credential: Credential = credential.into();
    assert_clean("Credential", &format!("{credential:?}"));
    let cs =
        ConnectionString::parse(&format!("endpoint=https://x.example/;accesskey={KEY}")).unwrap();
    assert_clean("ConnectionString", &format!("{cs:?} {cs:#?}"));
    let client = CallAutomationClient::from_connection_string(&format!(
        "endpoint=https://x.example/;accesskey={KEY}"
    ))
    .unwrap();
    assert_clean("CallAutomationClient", &format!("{client:?} {client:#?}"));
    let call = client.get_call_connection("c1").unwrap();
    assert_clean("CallConnection", &format!("{call:?} {call:#?}"));
    let client =
        CallAutomationClient::with_access_key("https://x.example/", KEY, ClientOptions::default())
            .unwrap();
    assert_clean("CallAutomationClient", &format!("{client:#?}"));
}

#[test]
fn errors_never_echo_the_key() {
    let bad = [
        // Not base64 (one character off).
        format!("endpoint=https://x.example/;accesskey={KEY}!"),
        format!("endpoint=https://x.example/;accesskey=!{KEY}"),
        // No endpoint / bad endpoint, key present.
        format!("accesskey={KEY}"),
        format!("endpoint=;accesskey={KEY}"),
        format!("endpoint=not a url;accesskey={KEY}"),
        format!("endpoint=ftp://x.example/;accesskey={KEY}"),
        format!("endpoint=https://x.example:{KEY}/;accesskey={KEY}"),
        // The key in the endpoint's user info.
        format!("endpoint=https://{KEY}@x.example/;accesskey={KEY}"),
        format!("endpoint=https://user:{KEY}@x.example/;accesskey={KEY}"),
        // A part without `=`, the key as that part, wrong separators.
        format!("endpoint=https://x.example/;{KEY}"),
        format!("endpoint=https://x.example/;accesskey={KEY};{KEY}"),
        format!("endpoint=https://x.example/,accesskey={KEY}"),
        format!("endpoint=https://x.example/ accesskey {KEY}"),
        KEY.to_string(),
        format!("accesskey={KEY};endpoint"),
    ];
    for connection_string in &bad {
        match CallAutomationClient::from_connection_string(connection_string) {
            Ok(client) => {
                // Accepted (e.g. `,` is part of a valid URL path): then `Debug` must still be
                // clean, so the key cannot ride along in the endpoint.
                panic!("accepted a malformed connection string: {client:?}");
            }
            Err(e) => {
                assert_clean("error Display", &e.to_string());
                assert_clean("error Debug", &format!("{e:?}"));
            }
        }
        if let Err(e) = ConnectionString::parse(connection_string) {
            assert_clean("ConnectionString error", &format!("{e} {e:?}"));
        }
    }
    for key in [format!("{KEY}!"), format!(" {KEY}%"), format!("{KEY}\u{0}")] {
        let e = AccessKeyCredential::new(&key).unwrap_err();
        assert_clean("AccessKeyCredential error", &format!("{e} {e:?}"));
        let e = CallAutomationClient::with_access_key(
            "https://x.example/",
            &key,
            ClientOptions::default(),
        )
        .unwrap_err();
        assert_clean("with_access_key error", &format!("{e} {e:?}"));
    }
    let e = CallAutomationClient::with_access_key(
        &format!("https://{KEY}@x.example/"),
        KEY,
        ClientOptions::default(),
    )
    .unwrap_err();
    assert_clean("endpoint with user info", &format!("{e} {e:?}"));
}

#[test]
fn trace_logs_of_real_requests_never_show_the_key() {
    let logs = logs();
    let emulator = start_emulator();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let options = ClientOptions::default();
        let client =
            CallAutomationClient::with_access_key(&emulator.endpoint, KEY, options.clone())
                .unwrap();
        let created = client
            .create_call(
                CallInvite::phone("+16041234567", "+16044561234"),
                "http://127.0.0.1:9/callbacks",
                Default::default(),
            )
            .await
            .expect("create call");
        assert_clean("create result", &format!("{created:?}"));
        let call = created.call_connection.clone();
        let _ = call.get_call_properties().await.expect("get call");
        let _ = call.list_participants().await;
        let missing = client.get_call_connection("no-such-call").unwrap();
        let e = missing.get_call_properties().await.unwrap_err();
        assert_clean("404 error", &format!("{e} {e:?}"));
        let _ = call.hang_up(true).await;

        // Failed authentication: a wrong key is refused; neither key shows anywhere.
        let wrong =
            CallAutomationClient::with_access_key(&emulator.endpoint, WRONG_KEY, options).unwrap();
        let e = wrong
            .create_call(
                CallInvite::phone("+16041234567", "+16044561234"),
                "http://127.0.0.1:9/callbacks",
                Default::default(),
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("401"), "{e}");
        assert_clean("401 error", &format!("{e} {e:?}"));
        let e = wrong
            .get_call_connection("x")
            .unwrap()
            .get_call_properties()
            .await
            .unwrap_err();
        assert_clean("401 error", &format!("{e} {e:?}"));
    });
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(!text.is_empty(), "something was logged at TRACE");
    assert_clean("TRACE logs", &text);
}
