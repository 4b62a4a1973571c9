//! A real local HTTP server that records what it receives and answers with a scripted status.
//! It stands in for the service only where a test needs to see exact bytes or force a status;
//! behaviour tests run against the emulator.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

#[derive(Clone)]
pub struct Recorder {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    queue: Arc<Mutex<VecDeque<Reply>>>,
}

impl Recorder {
    /// Starts a server on 127.0.0.1:0; scripted replies (`push`) are used first, then `fallback`.
    pub async fn start(fallback: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Recorder {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let queue: Arc<Mutex<VecDeque<Reply>>> = Arc::new(Mutex::new(VecDeque::new()));
        let fallback: Arc<Responder> = Arc::new(fallback);
        let (req2, queue2) = (requests.clone(), queue.clone());
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let (requests, queue, fallback) = (req2.clone(), queue2.clone(), fallback.clone());
                async move {
                    let recorded = Recorded {
                        method: method.to_string(),
                        path_and_query: uri
                            .path_and_query()
                            .map(|p| p.as_str().to_string())
                            .unwrap_or_default(),
                        headers,
                        body: body.to_vec(),
                    };
                    let reply = queue
                        .lock()
                        .unwrap()
                        .pop_front()
                        .unwrap_or_else(|| fallback(&recorded));
                    requests.lock().unwrap().push(recorded);
                    if !reply.delay.is_zero() {
                        tokio::time::sleep(reply.delay).await;
                    }
                    let mut response: Response =
                        (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
                    for (k, v) in reply.headers {
                        response.headers_mut().insert(
                            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                            v.parse().unwrap(),
                        );
                    }
                    if !response.headers().contains_key("content-type") {
                        response
                            .headers_mut()
                            .insert("content-type", "application/json".parse().unwrap());
                    }
                    response
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Recorder {
            addr,
            requests,
            queue,
        }
    }

    pub fn push(&self, reply: Reply) {
        self.queue.lock().unwrap().push_back(reply);
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn connection_string(&self) -> String {
        format!("endpoint={};accesskey=c2VjcmV0", self.endpoint())
    }

    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.requests.lock().unwrap())
    }
}

/// What the service answers to each call-steering path, with its documented success status.
pub fn service_like(r: &Recorded) -> Reply {
    let path = r
        .path_and_query
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let props = r#"{"callConnectionId":"call-1","serverCallId":"srv-1","callConnectionState":"connecting","callbackUri":"https://app.example/events"}"#;
    let echo_ctx = || {
        let ctx = r
            .json()
            .get("operationContext")
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        serde_json::json!({ "operationContext": ctx }).to_string()
    };
    match (r.method.as_str(), path.as_str()) {
        ("POST", "/calling/callConnections") => Reply::new(201, props),
        ("POST", "/calling/callConnections:answer")
        | ("POST", "/calling/callConnections:connect") => Reply::new(200, props),
        ("POST", p)
            if p.ends_with(":redirect") || p.ends_with(":reject") || p.ends_with(":terminate") =>
        {
            Reply::new(204, "")
        }
        ("DELETE", _) => Reply::new(204, ""),
        ("POST", p) if p.ends_with("/participants:add") => {
            let ctx = r
                .json()
                .get("operationContext")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            let participant = r
                .json()
                .get("participantToAdd")
                .cloned()
                .unwrap_or_default();
            Reply::new(
                202,
                &serde_json::json!({"invitationId":"inv-1","operationContext":ctx,
                    "participant":{"identifier":participant,"isMuted":false}})
                .to_string(),
            )
        }
        ("POST", p) if p.ends_with(":cancelAddParticipant") => {
            let ctx = r
                .json()
                .get("operationContext")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            Reply::new(
                202,
                &serde_json::json!({"invitationId":"inv-1","operationContext":ctx}).to_string(),
            )
        }
        ("POST", p) if p.ends_with(":mute") => Reply::new(200, &echo_ctx()),
        ("POST", _) => Reply::new(202, &echo_ctx()),
        ("GET", p) if p.ends_with("/participants") => Reply::new(200, r#"{"value":[]}"#),
        ("GET", p) if p.contains("/participants/") => Reply::new(
            200,
            r#"{"identifier":{"kind":"communicationUser","rawId":"8:acs:user2","communicationUser":{"id":"8:acs:user2"}},"isMuted":false}"#,
        ),
        ("GET", _) => Reply::new(200, props),
        _ => Reply::new(
            404,
            r#"{"error":{"code":"NotFound","message":"no such path"}}"#,
        ),
    }
}

/// Serves `/calling/keys` from a JWKS the test can change, counting fetches: what the callback
/// verifier talks to.
pub struct JwksServer {
    pub issuer: String,
    pub jwks: Arc<Mutex<serde_json::Value>>,
    pub fetches: Arc<std::sync::atomic::AtomicUsize>,
}

impl JwksServer {
    pub fn fetch_count(&self) -> usize {
        self.fetches.load(std::sync::atomic::Ordering::SeqCst)
    }
}

pub async fn serve_jwks(keys: Vec<serde_json::Value>) -> JwksServer {
    let jwks = Arc::new(Mutex::new(serde_json::json!({ "keys": keys })));
    let fetches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (j, f) = (jwks.clone(), fetches.clone());
    let app = axum::Router::new().route(
        "/calling/keys",
        axum::routing::get(move || {
            let (j, f) = (j.clone(), f.clone());
            async move {
                f.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let body = j.lock().unwrap().clone();
                axum::Json(body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    JwksServer {
        issuer: format!("http://{addr}"),
        jwks,
        fetches,
    }
}

/// A raw HTTP/1.1 server whose every answer is `200` with a chunked body that never ends (it
/// stops when the client goes away): what a client's response size limit must survive.
/// Returns its base URL and the number of body bytes it managed to send so far.
pub async fn serve_endless_body() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                frame.extend_from_slice(&chunk);
                frame.extend_from_slice(b"\r\n");
                while stream.write_all(&frame).await.is_ok() {
                    counter.fetch_add(chunk.len(), std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    (format!("http://{addr}"), sent)
}
