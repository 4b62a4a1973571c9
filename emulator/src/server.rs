//! The accept loop: plain HTTP or TLS, HTTP/1.1 and HTTP/2, graceful shutdown, and the
//! dropped-response fault (the service future fails, so hyper closes the connection without
//! writing a response and the client sees a connection error).
//!
//! Hostile clients: a connection must finish the TLS handshake, send its first request and
//! each later request's headers (an idle keep-alive connection too) within the header read
//! timeout, and each request body within the
//! body read timeout, or it is closed; bodies over the size limit get 413 before routing; every
//! 4xx/5xx without a JSON body gets the service's `{"error":{"code","message"}}` body.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::BytesMut;
use futures_util::StreamExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::api_error::ApiError;
use crate::config::EmulatorConfig;
use crate::http::DropConnection;

#[derive(Debug)]
struct ResponseDropped;

impl std::fmt::Display for ResponseDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response dropped by fault injection")
    }
}
impl std::error::Error for ResponseDropped {}

/// How long open connections get to finish after shutdown is requested.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// What a client may send, and how slowly.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
}

impl Limits {
    pub fn from_config(config: &EmulatorConfig) -> Self {
        Limits {
            max_body_bytes: config.max_body_bytes,
            header_read_timeout: Duration::from_millis(config.header_read_timeout_ms.max(1)),
            body_read_timeout: Duration::from_millis(config.body_read_timeout_ms.max(1)),
        }
    }
}

pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
    limits: Limits,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let (stream, _peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let builder = builder.clone();
        let tls = tls.clone();
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let deadline = limits.header_read_timeout;
            match tls {
                Some(acceptor) => {
                    match tokio::time::timeout(deadline, acceptor.accept(stream)).await {
                        Ok(Ok(tls_stream)) => {
                            serve_connection(
                                builder,
                                TokioIo::new(tls_stream),
                                router,
                                shutdown,
                                limits,
                            )
                            .await
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                }
                None => {
                    serve_connection(builder, TokioIo::new(stream), router, shutdown, limits).await
                }
            }
        });
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    connections.abort_all();
}

async fn serve_connection<I>(
    builder: Builder<TokioExecutor>,
    io: TokioIo<I>,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
    limits: Limits,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // hyper's header timer starts only once it knows the protocol: until the first request
    // arrives (a client that sends nothing, or half an HTTP/2 preface), this one applies.
    let started = Arc::new(AtomicBool::new(false));
    let first_request = {
        let started = Arc::clone(&started);
        async move {
            tokio::time::sleep(limits.header_read_timeout).await;
            if started.load(Ordering::SeqCst) {
                std::future::pending::<()>().await;
            }
        }
    };
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let router = router.clone();
        started.store(true, Ordering::SeqCst);
        async move {
            let request = match buffer_body(request, limits).await {
                Ok(request) => request,
                Err(refusal) => return Ok(refusal),
            };
            let response = match router.oneshot(request).await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            if response.extensions().get::<DropConnection>().is_some() {
                Err(ResponseDropped)
            } else {
                Ok(with_error_body(response).await)
            }
        }
    });
    let connection = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
        _ = first_request => tracing::debug!("no request within the header read timeout; closed"),
    }
}

/// Reads the whole request body within the size limit and the body read timeout. Refusals are
/// answered at once (413 / 408 / 400) and close an HTTP/1 connection, whose unread rest of the
/// body cannot be skipped.
async fn buffer_body(
    request: hyper::Request<Incoming>,
    limits: Limits,
) -> Result<hyper::Request<Body>, Response> {
    let (parts, body) = request.into_parts();
    let version = parts.version;
    let refuse = |error: ApiError| {
        let mut response = error.into_response();
        if version <= Version::HTTP_11 {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    };
    let too_large = || {
        refuse(ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!(
                "The request body is larger than {} bytes.",
                limits.max_body_bytes
            ),
        ))
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return Err(too_large());
    }
    let read = async {
        let mut stream = Body::new(body).into_data_stream();
        let mut buffer = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                refuse(ApiError::bad_request("The request body could not be read."))
            })?;
            if buffer.len() + chunk.len() > limits.max_body_bytes {
                return Err(too_large());
            }
            buffer.extend_from_slice(&chunk);
        }
        Ok(buffer.freeze())
    };
    match tokio::time::timeout(limits.body_read_timeout, read).await {
        Ok(Ok(bytes)) => Ok(hyper::Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(response)) => Err(response),
        Err(_) => Err(refuse(ApiError::new(
            408,
            "RequestTimeout",
            "The request body was not received in time.",
        ))),
    }
}

/// Gives a 4xx/5xx answer without a JSON body (axum's own 404/405/extractor rejections) the
/// service's error body, keeping its text as the message.
async fn with_error_body(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = match status {
        StatusCode::NOT_FOUND => "NotFound".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed".to_string(),
        StatusCode::BAD_REQUEST => "BadRequest".to_string(),
        _ => reason.replace([' ', '-'], ""),
    };
    let message = if text.is_empty() {
        format!("{reason}.")
    } else {
        text
    };
    let fresh = ApiError::new(status.as_u16(), &code, message).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let (fresh_parts, fresh_body) = fresh.into_parts();
    for (name, value) in &fresh_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, fresh_body)
}

/// Real-clock timer loop: sleeps until the next timer is due (or a new one is scheduled).
pub async fn run_timers(app: Arc<crate::app::App>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let next = {
            let mut world = crate::app::lock(&app.world);
            world.run_due();
            world.next_due()
        };
        let wait = next.map(|due| Duration::from_millis(due.saturating_sub(app.clock.now_ms())));
        tokio::select! {
            _ = app.timer_notify.notified() => {}
            _ = async {
                match wait {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending::<()>().await,
                }
            } => {}
            _ = shutdown.changed() => return,
        }
    }
}
