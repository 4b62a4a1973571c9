//! Entry points for the cargo-fuzz targets in `core/fuzz` (not part of the emulator's API):
//! the HMAC check on its own, and whole requests through the HTTP stack of an in-process
//! emulator (routing, authentication, api-version, validation, execution).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use axum::Router;
use tower::ServiceExt;

use crate::auth::AuthCheck;
use crate::{ClockMode, EmulatorConfig, EmulatorHandle};

/// The access key of fuzzing emulators and of [`check_hmac`].
pub const KEY: &str = "ZnV6emluZy1rZXktZnV6emluZy1rZXk=";
/// The `Host` fuzzed requests are signed for.
pub const HOST: &str = "127.0.0.1:8080";

fn headers_of(headers: &[(&str, &[u8])]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) else {
            continue;
        };
        map.append(name, value);
    }
    map
}

/// Runs the emulator's HMAC check on one request. `Ok` = accepted. Inputs that are not a
/// valid HTTP method or URI are `Err` without a check.
pub fn check_hmac(
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> Result<(), String> {
    let method = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let uri: Uri = path_and_query
        .parse()
        .map_err(|e: axum::http::uri::InvalidUri| e.to_string())?;
    let credential = callsteer::AccessKeyCredential::new(KEY).map_err(|e| e.to_string())?;
    AuthCheck {
        credential: &credential,
        allow_bearer: false,
        max_skew: Duration::from_secs(15 * 60),
        now: SystemTime::now(),
    }
    .check(&method, &uri, &headers_of(headers), body)
    .map_err(|e| format!("{} {}: {}", e.status, e.code, e.message))
}

/// The headers core's client would send for this request (`x-ms-date`, `x-ms-content-sha256`,
/// `Authorization`), signed with [`KEY`] for [`HOST`].
pub fn sign(method: &str, path_and_query: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    let credential = match callsteer::AccessKeyCredential::new(KEY) {
        Ok(c) => c,
        Err(_) => return Vec::new(),
    };
    let date = callsteer::auth::http_date_now();
    let signed = credential.sign(method, path_and_query, HOST, &date, body);
    vec![
        ("x-ms-date", date),
        ("x-ms-content-sha256", signed.content_sha256),
        ("authorization", signed.authorization),
    ]
}

/// An in-process emulator (manual clock, answer delay 0, fixed key) whose router is driven
/// directly, without sockets.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    _handle: EmulatorHandle,
}

/// A response: status and body bytes.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Harness {
    pub fn new() -> Result<Harness, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let handle = runtime
            .block_on(crate::start(EmulatorConfig {
                access_key: Some(KEY.into()),
                clock: ClockMode::Manual,
                answer_delay_ms: 0,
                seed: Some(1),
                // Callbacks go nowhere fast.
                delivery_max_attempts: 1,
                ..Default::default()
            }))
            .map_err(|e| e.0)?;
        let router = crate::http::router(Arc::clone(&handle.app));
        Ok(Harness {
            runtime,
            router,
            _handle: handle,
        })
    }

    /// Sends one request through the emulator's router. With `sign`, it carries a valid HMAC
    /// signature (after `headers`, which can add more). `None` if method or URI are not valid
    /// HTTP.
    pub fn request(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
        sign: bool,
    ) -> Option<Answer> {
        let method_v = Method::from_bytes(method.as_bytes()).ok()?;
        let uri: Uri = path_and_query.parse().ok()?;
        if uri.path_and_query().is_none() || uri.scheme().is_some() {
            return None;
        }
        let mut request = Request::builder()
            .method(method_v)
            .uri(uri)
            .body(Body::from(body.to_vec()))
            .ok()?;
        let map = request.headers_mut();
        map.insert("host", HeaderValue::from_static(HOST));
        map.extend(headers_of(headers));
        if sign {
            for (name, value) in self::sign(method, path_and_query, body) {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    map.insert(name, value);
                }
            }
        }
        let router = self.router.clone();
        self.runtime.block_on(async move {
            let response = router.oneshot(request).await.ok()?;
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
                .await
                .ok()?;
            Some(Answer {
                status,
                body: body.to_vec(),
            })
        })
    }
}
