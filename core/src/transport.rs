//! HTTP transport: signing, repeatability headers, retries with backoff, timeouts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::auth::{http_date_now, Credential, TokenCache};
use crate::error::{Error, Result};
use crate::options::Repeatability;
use crate::wire::CommunicationErrorResponse;

/// The api-version sent unless the client is told otherwise.
pub const DEFAULT_API_VERSION: &str = "2026-03-12";

/// The largest service response read by default (4 MiB; the largest real one, a participant
/// page, is a few hundred KiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// How failed requests are retried.
#[derive(Debug, Clone)]
pub struct RetryOptions {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delay before the first retry; doubles each time, with ±20 % jitter.
    pub initial_delay: Duration,
    /// No single wait is longer than this (a longer `Retry-After` is capped to it).
    pub max_delay: Duration,
    /// No retry starts after this much time since the first attempt.
    pub max_total: Duration,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max_retries: 3,
            initial_delay: Duration::from_millis(800),
            max_delay: Duration::from_secs(60),
            max_total: Duration::from_secs(120),
        }
    }
}

/// Client-wide settings.
#[derive(Clone)]
pub struct ClientOptions {
    pub api_version: String,
    pub retry: RetryOptions,
    /// Per attempt, connect to last byte.
    pub timeout: Duration,
    /// Appended to `callsteer/<version>` in the user agent.
    pub user_agent_suffix: Option<String>,
    /// Give add / remove / transfer / cancel a unique operation context (`callsteer-<uuid>`)
    /// when the caller gave none. Off by default, as the official SDKs send none: outcomes are
    /// then paired by call connection, participant, transfer target and invitation id, which
    /// leaves two overlaps ambiguous — two transfers in flight on one call (`CallTransferFailed`
    /// names no target) and two adds or removes of the same participant on one call. Turn it on
    /// (or pass an `operation_context`) when an app starts such overlaps.
    pub generate_operation_context: bool,
    /// Send a bearer token (a `Credential::Token`) over plain `http://` to a host that is not
    /// loopback. Off by default: such a token would cross the network readable by anyone on the
    /// path. Loopback `http://` (the local emulator) and access keys, which only sign requests,
    /// need no permission.
    pub allow_insecure_connection: bool,
    /// The largest response body read (default [`DEFAULT_MAX_RESPONSE_BYTES`]). A larger one
    /// fails the request with a `Transport` error after at most this many bytes were read,
    /// so a misbehaving endpoint cannot exhaust memory.
    pub max_response_bytes: usize,
    /// The communication user this client acts as (the official SDKs' client-level `source` /
    /// `sourceIdentity`): the `source` of `create_call` and the `answeredBy` of `answer_call`
    /// unless the action's own options name one. Validated when used.
    pub source: Option<crate::identifier::CommunicationIdentifier>,
    /// Share callback events with the other instances of this app through Redis Streams
    /// (`redis://[user:password@]host:port/db`, `rediss://` for TLS; cargo feature
    /// `event-bus`): a wait then sees an outcome whichever instance received it. See
    /// [`events::bus`](crate::events) and the README's "Scale-out" section. Never logged.
    pub event_bus_url: Option<String>,
}

impl std::fmt::Debug for ClientOptions {
    // event_bus_url may carry a Redis password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_version", &self.api_version)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field(
                "generate_operation_context",
                &self.generate_operation_context,
            )
            .field("allow_insecure_connection", &self.allow_insecure_connection)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("source", &self.source)
            .field(
                "event_bus_url",
                &self.event_bus_url.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            api_version: DEFAULT_API_VERSION.to_string(),
            retry: RetryOptions::default(),
            timeout: Duration::from_secs(30),
            user_agent_suffix: None,
            generate_operation_context: false,
            allow_insecure_connection: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            source: None,
            event_bus_url: None,
        }
    }
}

/// A response with a success status.
#[derive(Debug)]
pub(crate) struct Response {
    pub body: bytes::Bytes,
}

pub(crate) struct Transport {
    http: reqwest::Client,
    endpoint: url::Url,
    credential: Credential,
    /// For `Credential::Token`: one token per lifetime, shared by all requests of this client.
    tokens: Option<TokenCache>,
    options: ClientOptions,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint.as_str())
            .field("credential", &self.credential)
            .field("options", &self.options)
            .finish()
    }
}

fn tls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A `reqwest` client builder with callsteer's TLS setup: rustls on the ring provider, the
/// system's roots plus `CALLSTEER_EXTRA_CA_PEM`, HTTP/2 by ALPN. Everything in the workspace that
/// speaks HTTP builds its client here, so no part depends on a process-wide default provider.
pub fn http_client_builder() -> Result<reqwest::ClientBuilder> {
    let tls = rustls::ClientConfig::builder_with_provider(tls_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::transport(format!("TLS setup failed: {e}")))?;
    let mut tls = tls
        .with_root_certificates(load_root_store())
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(reqwest::Client::builder().tls_backend_preconfigured(tls))
}

impl Transport {
    pub(crate) fn new(
        endpoint: url::Url,
        credential: Credential,
        options: ClientOptions,
    ) -> Result<Self> {
        let mut agent = format!("callsteer/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &options.user_agent_suffix {
            // Refused here, naming the option, rather than as reqwest's opaque builder error
            // (line breaks) or sent as bytes no user agent parser expects (non-ASCII).
            if !suffix.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return Err(Error::invalid(
                    "user_agent_suffix",
                    "must be printable ASCII (no line breaks or control characters)",
                ));
            }
            agent.push(' ');
            agent.push_str(suffix);
        }
        let http = http_client_builder()?
            .user_agent(agent)
            .timeout(options.timeout)
            .build()
            .map_err(|e| Error::transport(format!("HTTP client setup failed: {e}")))?;
        let tokens = match &credential {
            Credential::Token(provider) => Some(TokenCache::new(Arc::clone(provider))),
            Credential::AccessKey(_) => None,
        };
        Ok(Transport {
            http,
            endpoint,
            credential,
            tokens,
            options,
        })
    }

    pub(crate) fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// Builds the URL of `path` (already percent-encoded, starting with `/`) with api-version.
    fn url(&self, path: &str) -> Result<url::Url> {
        let mut url = self
            .endpoint
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::invalid("endpoint", format!("cannot build request URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("api-version", &self.options.api_version);
        Ok(url)
    }

    /// Sends one logical request, retrying as configured. `repeatability` is sent unchanged on
    /// every attempt, so the service executes the action at most once.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        repeatability: Option<&Repeatability>,
    ) -> Result<Response> {
        let url = self.url(path)?;
        self.send_url(method, url, body, repeatability).await
    }

    /// Like `send`, for an absolute `nextLink` the service returned; it must point at our
    /// endpoint's host so that a signed request never leaves for another host.
    pub(crate) async fn send_next_link(&self, next_link: &str) -> Result<Response> {
        let url = self
            .endpoint
            .join(next_link)
            .map_err(|e| Error::transport(format!("the service sent an invalid nextLink: {e}")))?;
        if url.host_str() != self.endpoint.host_str()
            || url.port_or_known_default() != self.endpoint.port_or_known_default()
            || url.scheme() != self.endpoint.scheme()
        {
            return Err(Error::transport(
                "the service sent a nextLink to another host; refusing to send credentials there",
            ));
        }
        self.send_url(Method::GET, url, None, None).await
    }

    async fn send_url(
        &self,
        method: Method,
        url: url::Url,
        body: Option<Vec<u8>>,
        repeatability: Option<&Repeatability>,
    ) -> Result<Response> {
        let idempotent =
            repeatability.is_some() || method == Method::GET || method == Method::DELETE;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let retry = &self.options.retry;
        let mut attempt: u32 = 0;
        loop {
            let outcome = self
                .attempt(
                    &method,
                    &url,
                    body.as_deref(),
                    repeatability,
                    &client_request_id,
                )
                .await;
            let (error, retry_after) = match outcome {
                Ok(response) => return Ok(response),
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Retryable { error, retry_after }) => (error, retry_after),
                Err(Attempt::Unsent(error)) => (error, None),
                Err(Attempt::MaybeSent(error)) if idempotent => (error, None),
                Err(Attempt::MaybeSent(error)) => return Err(error),
            };
            if attempt >= retry.max_retries {
                return Err(error);
            }
            let delay = backoff(retry, attempt, retry_after);
            if started.elapsed() + delay > retry.max_total {
                return Err(error);
            }
            tracing::debug!(attempt, ?delay, error = %error, "retrying {method} {}", url.path());
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &url::Url,
        body: Option<&[u8]>,
        repeatability: Option<&Repeatability>,
        client_request_id: &str,
    ) -> Result<Response, Attempt> {
        let body = body.unwrap_or_default();
        let mut headers = HeaderMap::new();
        let header = |v: &str| {
            HeaderValue::from_str(v).map_err(|_| {
                Attempt::Final(Error::invalid(
                    "header",
                    "a header value has invalid characters",
                ))
            })
        };
        headers.insert("accept", HeaderValue::from_static("application/json"));
        headers.insert(
            "x-ms-return-client-request-id",
            HeaderValue::from_static("true"),
        );
        headers.insert("x-ms-client-request-id", header(client_request_id)?);
        if !body.is_empty() {
            headers.insert("content-type", HeaderValue::from_static("application/json"));
        }
        if let Some(rep) = repeatability {
            headers.insert("repeatability-request-id", header(&rep.request_id)?);
            headers.insert("repeatability-first-sent", header(&rep.first_sent)?);
        }
        match &self.credential {
            Credential::AccessKey(key) => {
                let date = http_date_now();
                let host = match (url.host_str(), url.port()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_string(),
                    (None, _) => {
                        return Err(Attempt::Final(Error::invalid("endpoint", "has no host")))
                    }
                };
                let path_and_query = match url.query() {
                    Some(q) if !q.is_empty() => format!("{}?{}", url.path(), q),
                    _ => url.path().to_string(),
                };
                let signed = key.sign(method.as_str(), &path_and_query, &host, &date, body);
                headers.insert("x-ms-date", header(&date)?);
                headers.insert("x-ms-content-sha256", header(&signed.content_sha256)?);
                let mut auth = header(&signed.authorization)?;
                auth.set_sensitive(true);
                headers.insert("authorization", auth);
            }
            Credential::Token(provider) => {
                let token = match &self.tokens {
                    Some(cache) => cache.get().await,
                    None => provider.get_token().await,
                }
                .map_err(Attempt::Final)?;
                let mut auth =
                    HeaderValue::from_str(&format!("Bearer {}", token.token)).map_err(|_| {
                        Attempt::Final(Error::auth("the access token has invalid characters"))
                    })?;
                auth.set_sensitive(true);
                headers.insert("authorization", auth);
            }
        }
        let request = self
            .http
            .request(method.clone(), url.clone())
            .headers(headers)
            .body(body.to_vec());
        let sent_at = Instant::now();
        let response = request.send().await.map_err(classify_send_error)?;
        let status = response.status();
        // One structured line per exchange: apps (and the demo) render their own timeline from it.
        tracing::info!(
            target: "callsteer::http",
            method = %method,
            path = %url.path(),
            status = status.as_u16(),
            elapsed_ms = sent_at.elapsed().as_millis() as u64,
            "response"
        );
        let response_headers = response.headers().clone();
        let limit = self.options.max_response_bytes;
        let bytes = read_limited(response, limit).await.map_err(|e| match e {
            LimitedReadError::TooLarge { limit } => Attempt::Final(Error::transport(format!(
                "the service's response to {method} {} (HTTP {}) is larger than {limit} \
                     bytes (ClientOptions::max_response_bytes); refused",
                url.path(),
                status.as_u16()
            ))),
            LimitedReadError::Read(e) => classify_send_error(e),
        })?;
        if status.is_success() {
            return Ok(Response { body: bytes });
        }
        let error = service_error(status, &response_headers, &bytes);
        if is_retryable_status(status) {
            let retry_after = retry_after(&response_headers);
            Err(Attempt::Retryable { error, retry_after })
        } else {
            Err(Attempt::Final(error))
        }
    }
}

/// Why [`read_limited`] gave up.
#[derive(Debug)]
pub(crate) enum LimitedReadError {
    /// The body (declared or received) is larger than `limit`.
    TooLarge { limit: usize },
    /// The connection failed while reading.
    Read(reqwest::Error),
}

/// Reads a response body chunk by chunk, giving up as soon as it would exceed `limit`, so
/// that no more than `limit` bytes are ever buffered (an endless body ends at the limit too).
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> std::result::Result<bytes::Bytes, LimitedReadError> {
    if response
        .content_length()
        .is_some_and(|declared| declared > limit as u64)
    {
        return Err(LimitedReadError::TooLarge { limit });
    }
    let mut buffer = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(LimitedReadError::Read)? {
        if buffer.len().saturating_add(chunk.len()) > limit {
            return Err(LimitedReadError::TooLarge { limit });
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

enum Attempt {
    /// Do not retry.
    Final(Error),
    /// The service asked for a retry.
    Retryable {
        error: Error,
        retry_after: Option<Duration>,
    },
    /// The request never left (connect failure): always safe to retry.
    Unsent(Error),
    /// The request may have been executed (timeout, connection dropped mid-response).
    MaybeSent(Error),
}

fn classify_send_error(e: reqwest::Error) -> Attempt {
    let (is_timeout, is_connect) = (e.is_timeout(), e.is_connect());
    let detail = {
        let mut source = std::error::Error::source(&e);
        let mut parts = Vec::new();
        while let Some(s) = source {
            parts.push(s.to_string());
            source = s.source();
        }
        parts.join(": ")
    };
    // reqwest errors never carry our headers, but can carry the URL: drop it.
    let message = e.without_url().to_string();
    let message = if detail.is_empty() || message.contains(&detail) {
        message
    } else {
        format!("{message}: {detail}")
    };
    if is_timeout {
        Attempt::MaybeSent(Error::timeout(format!("request timed out ({message})")))
    } else if is_connect {
        Attempt::Unsent(Error::transport(message))
    } else {
        Attempt::MaybeSent(Error::transport(message))
    }
}

fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

fn backoff(retry: &RetryOptions, attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(after) = retry_after {
        return after.min(retry.max_delay);
    }
    let base = retry
        .initial_delay
        .saturating_mul(2u32.saturating_pow(attempt.min(16)));
    let jitter: f64 = rand::thread_rng().gen_range(0.8..1.2);
    base.mul_f64(jitter).min(retry.max_delay)
}

/// `Retry-After` (seconds or HTTP date), or the millisecond variants Azure services send.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(Duration::from_millis(ms));
        }
    }
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

fn service_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    let request_id = [
        "x-ms-request-id",
        "x-ms-client-request-id",
        "x-microsoft-skype-chain-id",
    ]
    .iter()
    .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
    .map(str::to_string);
    let (code, message) = match serde_json::from_slice::<CommunicationErrorResponse>(body) {
        Ok(parsed) => (parsed.error.code, parsed.error.message),
        Err(_) => (
            status
                .canonical_reason()
                .unwrap_or("UnknownError")
                .replace(' ', ""),
            String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned(),
        ),
    };
    Error::Service {
        status: status.as_u16(),
        code,
        message,
        request_id,
        retry_after: retry_after(headers),
    }
}

fn load_root_store() -> rustls::RootCertStore {
    // Client construction must not fail on a machine without system roots (TOOLCHAIN.md #1):
    // plain-http emulator use needs none, and https then fails with a clear TLS error.
    let mut roots = rustls::RootCertStore::empty();
    let paths = [
        std::env::var("SSL_CERT_FILE").ok(),
        Some("/etc/ssl/certs/ca-certificates.crt".to_string()),
        Some("/etc/pki/tls/certs/ca-bundle.crt".to_string()),
        Some("/etc/ssl/cert.pem".to_string()),
    ];
    for path in paths.into_iter().flatten() {
        if let Ok(pem) = std::fs::read(&path) {
            add_pem_certs(&mut roots, &pem);
        }
    }
    if let Ok(extra) = std::env::var("CALLSTEER_EXTRA_CA_PEM") {
        if let Ok(pem) = std::fs::read(extra) {
            add_pem_certs(&mut roots, &pem);
        }
    }
    roots
}

fn add_pem_certs(roots: &mut rustls::RootCertStore, pem: &[u8]) {
    use rustls::pki_types::pem::PemObject;
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pem).flatten() {
        let _ = roots.add(cert);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        let mut past = HeaderMap::new();
        past.insert(
            "retry-after",
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(retry_after(&past), Some(Duration::ZERO));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let retry = RetryOptions {
            max_retries: 10,
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_total: Duration::from_secs(10),
        };
        let first = backoff(&retry, 0, None);
        assert!(first >= Duration::from_millis(80) && first <= Duration::from_millis(120));
        assert_eq!(backoff(&retry, 10, None), Duration::from_secs(1));
        assert_eq!(
            backoff(&retry, 0, Some(Duration::from_secs(30))),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn service_error_reads_body_and_request_id() {
        let mut h = HeaderMap::new();
        h.insert("x-ms-client-request-id", HeaderValue::from_static("rid-1"));
        let e = service_error(
            StatusCode::NOT_FOUND,
            &h,
            br#"{"error":{"code":"8522","message":"Call not found"}}"#,
        );
        match e {
            Error::Service {
                status,
                code,
                message,
                request_id,
                ..
            } => {
                assert_eq!(
                    (status, code.as_str(), message.as_str()),
                    (404, "8522", "Call not found")
                );
                assert_eq!(request_id.as_deref(), Some("rid-1"));
            }
            other => panic!("{other:?}"),
        }
        let plain = service_error(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"<html>");
        assert_eq!(plain.status(), Some(502));
    }
}
