//! Test helpers: an in-process emulator, an HMAC-signing request helper (core's signer, not the
//! client), and a callback/webhook receiver on 127.0.0.1:0.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use callsteer::AccessKeyCredential;
use callsteer_emulator::{start, ClockMode, EmulatorConfig, EmulatorHandle};
use serde_json::{json, Value};

pub const KEY: &str = "c2VjcmV0";

pub struct Emu {
    pub handle: EmulatorHandle,
    pub http: reqwest::Client,
    pub key: AccessKeyCredential,
    pub host: String,
}

pub fn manual_config() -> EmulatorConfig {
    EmulatorConfig {
        access_key: Some(KEY.into()),
        clock: ClockMode::Manual,
        answer_delay_ms: 0,
        seed: Some(7),
        delivery_backoff_ms: 20,
        ..Default::default()
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Emu {
    pub async fn start() -> Emu {
        Self::with(manual_config()).await
    }

    pub async fn with(config: EmulatorConfig) -> Emu {
        let handle = start(config).await.expect("emulator starts");
        let host = handle.base_url().trim_start_matches("http://").to_string();
        Emu {
            handle,
            http: reqwest::Client::new(),
            key: AccessKeyCredential::new(KEY).unwrap(),
            host,
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.handle.base_url(), path_and_query)
    }

    /// A request signed like the SDKs sign it; `tamper` edits headers afterwards.
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        extra: &[(&str, String)],
        date: Option<String>,
    ) -> Resp {
        let date = date.unwrap_or_else(callsteer::auth::http_date_now);
        let signed = self
            .key
            .sign(method, path_and_query, &self.host, &date, body);
        let mut request = self
            .http
            .request(method.parse().unwrap(), self.url(path_and_query))
            .header("x-ms-date", &date)
            .header("x-ms-content-sha256", &signed.content_sha256)
            .header("authorization", &signed.authorization)
            .header("content-type", "application/json")
            .body(body.to_vec());
        for (k, v) in extra {
            request = request.header(*k, v);
        }
        let response = request.send().await.expect("request sent");
        to_resp(response).await
    }

    pub async fn call(&self, method: &str, path_and_query: &str, body: Option<Value>) -> Resp {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.raw(method, path_and_query, body.as_bytes(), &[], None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(
            "POST",
            &format!("{path}?api-version=2025-05-15"),
            Some(body),
        )
        .await
    }

    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let mut request = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(b) = body {
            request = request.json(&b);
        }
        to_resp(request.send().await.expect("admin request")).await
    }

    pub async fn advance(&self, ms: u64) {
        let r = self
            .admin("POST", "/emulator/clock/advance", Some(json!({"ms": ms})))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    /// Creates a call to `targets` (raw ids) and returns its id (connected at once: delay 0).
    pub async fn connected_call(&self, callback: &str, targets: &[&str]) -> String {
        let targets: Vec<Value> = targets.iter().map(|t| ident(t)).collect();
        let r = self
            .post(
                "/calling/callConnections",
                json!({"targets": targets, "callbackUri": callback, "sourceCallerIdNumber": {"value": "+18005550100"}}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["callConnectionId"].as_str().unwrap().to_string()
    }

    pub async fn requests(&self) -> Vec<Value> {
        self.admin("GET", "/emulator/requests", None).await.body["value"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

async fn to_resp(response: reqwest::Response) -> Resp {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
    }
}

/// Identifier model as the Python SDK sends it (no `kind`).
pub fn ident(raw: &str) -> Value {
    if let Some(number) = raw.strip_prefix("4:") {
        json!({"rawId": raw, "phoneNumber": {"value": number}})
    } else {
        json!({"rawId": raw, "communicationUser": {"id": raw}})
    }
}

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub event: Value,
}

impl Received {
    pub fn kind(&self) -> &str {
        self.event["type"]
            .as_str()
            .or_else(|| self.event["eventType"].as_str())
            .unwrap_or("")
            .rsplit('.')
            .next()
            .unwrap_or("")
    }
}

/// An app endpoint: records every event it receives; answers Event Grid validation (except on
/// paths starting with /refuse).
#[derive(Clone)]
pub struct Receiver {
    pub base: String,
    events: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let events: Arc<Mutex<Vec<Received>>> = Arc::default();
        let store = events.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                if headers.get("aeg-event-type").and_then(|v| v.to_str().ok())
                    == Some("SubscriptionValidation")
                {
                    if uri.path().starts_with("/refuse") {
                        return (StatusCode::FORBIDDEN, "no").into_response();
                    }
                    let code = value[0]["data"]["validationCode"].clone();
                    return axum::Json(json!({"validationResponse": code})).into_response();
                }
                if uri.path().starts_with("/fail") {
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
                let authorization = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                for event in value.as_array().cloned().unwrap_or_default() {
                    store.lock().unwrap().push(Received {
                        path: uri.path().to_string(),
                        authorization: authorization.clone(),
                        event,
                    });
                }
                StatusCode::OK.into_response()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { base, events }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn all(&self) -> Vec<Received> {
        self.events.lock().unwrap().clone()
    }

    pub fn kinds(&self) -> Vec<String> {
        self.all().iter().map(|r| r.kind().to_string()).collect()
    }

    /// Waits (bounded) until an event of this kind arrived; deliveries are asynchronous HTTP.
    pub async fn wait_for(&self, kind: &str) -> Received {
        self.wait_for_nth(kind, 1).await
    }

    pub async fn wait_for_nth(&self, kind: &str, n: usize) -> Received {
        for _ in 0..500 {
            let matching: Vec<Received> = self
                .all()
                .into_iter()
                .filter(|r| r.kind() == kind)
                .collect();
            if matching.len() >= n {
                return matching[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no {kind} (#{n}) arrived; got {:?}", self.kinds());
    }
}
