//! A small HTTP server that receives callbacks, verifies them and feeds an [`EventProcessor`],
//! for applications that do not already run a web framework (cargo feature `listener`).
//!
//! Every path accepts `POST`:
//! - the Event Grid handshake (`SubscriptionValidationEvent`) is answered with
//!   `{"validationResponse": "<code>"}`; the CloudEvents `OPTIONS` handshake
//!   (`WebHook-Request-Origin`) is answered too;
//! - with a [`CallbackVerifier`], the service's `Authorization: Bearer` JWT is checked and a
//!   missing, forged or expired token gets **401**;
//! - Event Grid deliveries (`IncomingCall` and the handshake) never carry the service's JWT. A
//!   body that contains only those events is accepted when the callback URL's `secret` query
//!   parameter matches [`ListenerConfig::event_grid_secret`] (compared in constant time; the
//!   way Azure documents securing a webhook: register `https://…/eventgrid?secret=…` as the
//!   subscription's endpoint), or, with no secret configured, when
//!   [`ListenerConfig::allow_unauthenticated_event_grid`] is set (default false). Otherwise
//!   **401** — anyone could post a fake `IncomingCall`. Without a verifier and without a
//!   secret the listener authenticates nothing (local development, the emulator);
//! - a malformed body gets **400** with the parse error; anything else **200**.
//!
//! Hostile clients: a body over [`ListenerConfig::max_body_bytes`] (1 MiB) gets **413**, a body
//! that does not arrive within [`ListenerConfig::body_read_timeout`] gets **408** and the
//! connection is closed, and [`serve`] closes connections that send no request, or only part of
//! one's headers, or stay idle between requests (HTTP/1 keep-alive and HTTP/2 alike), for
//! [`ListenerConfig::header_read_timeout`]. At most [`ListenerConfig::max_connections`]
//! connections are served at once; further ones wait in the accept queue until one closes.
//! Every error answer has the service's `{"error":{"code","message"}}` body.
//!
//! ```no_run
//! use callsteer::events::listener::{self, ListenerConfig};
//! use callsteer::events::{CallbackVerifier, EventProcessor};
//! # async fn run() -> callsteer::Result<()> {
//! let verifier = CallbackVerifier::new("<immutable resource id>")?;
//! let config = ListenerConfig {
//!     // Register the Event Grid subscription as `https://app.example/eventgrid?secret=…`.
//!     event_grid_secret: Some(std::env::var("EVENT_GRID_SECRET").unwrap_or_default()),
//!     ..ListenerConfig::default()
//! };
//! let handle =
//!     listener::serve_with_config("0.0.0.0:8080", EventProcessor::new(), Some(verifier), config)
//!         .await?;
//! # handle.shutdown().await
//! # }
//! ```

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::sync::{oneshot, watch, Semaphore};
use tokio::task::{JoinHandle, JoinSet};

use super::model::CallAutomationEvent;
use super::processor::EventProcessor;
use super::verify::CallbackVerifier;
use crate::error::{Error, Result};

/// The query parameter of the callback URL that carries [`ListenerConfig::event_grid_secret`].
pub const EVENT_GRID_SECRET_PARAMETER: &str = "secret";

/// Options of the callback listener.
#[derive(Clone)]
pub struct ListenerConfig {
    /// With no [`event_grid_secret`](Self::event_grid_secret): accept bodies that contain only
    /// Event Grid events (`IncomingCall`, the subscription handshake), which never carry the
    /// service's JWT, without any authentication (default false: 401).
    pub allow_unauthenticated_event_grid: bool,
    /// Bodies that contain only Event Grid events are accepted when the request URL's
    /// `secret` query parameter ([`EVENT_GRID_SECRET_PARAMETER`]) equals this (compared in
    /// constant time); else 401. Never shown in `Debug`, logs or errors.
    pub event_grid_secret: Option<String>,
    /// [`serve`] serves at most this many connections at once (default 1,024); further ones
    /// wait in the operating system's accept queue until one closes.
    pub max_connections: usize,
    /// Largest accepted body (default 1 MiB, Event Grid's largest batch); larger gets 413.
    pub max_body_bytes: usize,
    /// A request body must arrive within this, or 408 and the connection is closed
    /// (default 30 s).
    pub body_read_timeout: Duration,
    /// [`serve`] closes a connection that sends no request, only part of a request's headers,
    /// or nothing after a response (idle HTTP/1 keep-alive, or an HTTP/2 connection with no
    /// open stream), for this long (default 30 s).
    pub header_read_timeout: Duration,
    /// On [`ListenerHandle::shutdown`], open connections get this long to finish their
    /// requests before they are closed (default 5 s); idle ones are closed at once.
    pub shutdown_grace: Duration,
}

impl std::fmt::Debug for ListenerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerConfig")
            .field(
                "allow_unauthenticated_event_grid",
                &self.allow_unauthenticated_event_grid,
            )
            .field(
                "event_grid_secret",
                &self.event_grid_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("max_connections", &self.max_connections)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .finish()
    }
}

impl Default for ListenerConfig {
    fn default() -> Self {
        ListenerConfig {
            allow_unauthenticated_event_grid: false,
            event_grid_secret: None,
            max_connections: 1024,
            max_body_bytes: 1024 * 1024,
            body_read_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

struct ListenerState {
    processor: EventProcessor,
    verifier: Option<CallbackVerifier>,
    config: ListenerConfig,
}

/// An axum router that handles callbacks on every path (see the module docs).
pub fn router(processor: EventProcessor, verifier: Option<CallbackVerifier>) -> Router {
    router_with_config(processor, verifier, ListenerConfig::default())
}

/// [`router`] with explicit options.
pub fn router_with_config(
    processor: EventProcessor,
    verifier: Option<CallbackVerifier>,
    config: ListenerConfig,
) -> Router {
    let limit = config.max_body_bytes;
    let state = Arc::new(ListenerState {
        processor,
        verifier,
        config,
    });
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(limit.saturating_add(1)))
        .with_state(state)
}

fn is_event_grid_only(events: &[CallAutomationEvent]) -> bool {
    !events.is_empty()
        && events.iter().all(|e| {
            matches!(
                e,
                CallAutomationEvent::IncomingCall(_)
                    | CallAutomationEvent::SubscriptionValidation { .. }
            )
        })
}

/// Event Grid deliveries carry no service JWT: a configured secret must match; without one,
/// only an explicit opt-in (or a listener that authenticates nothing) lets them in.
fn check_event_grid(state: &ListenerState, query: Option<&str>) -> Result<()> {
    match &state.config.event_grid_secret {
        // An empty secret (possible through `router_with_config`) authenticates nobody.
        Some(secret) if secret.trim().is_empty() => Err(Error::auth(
            "Event Grid delivery refused: the listener's event_grid_secret is empty",
        )),
        Some(secret) => {
            let given = query.and_then(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .find(|(name, _)| name == EVENT_GRID_SECRET_PARAMETER)
                    .map(|(_, value)| value.into_owned())
            });
            match given {
                Some(given)
                    if crate::auth::constant_time_eq(given.as_bytes(), secret.as_bytes()) =>
                {
                    Ok(())
                }
                Some(_) => Err(Error::auth(
                    "Event Grid delivery refused: the callback URL's `secret` does not match",
                )),
                None => Err(Error::auth(
                    "Event Grid delivery refused: the callback URL has no `secret` query parameter",
                )),
            }
        }
        None if state.config.allow_unauthenticated_event_grid || state.verifier.is_none() => Ok(()),
        None => Err(Error::auth(
            "Event Grid delivery refused: it carries no service token; configure \
             ListenerConfig::event_grid_secret (and `?secret=` in the subscription's URL) or \
             set allow_unauthenticated_event_grid",
        )),
    }
}

fn error_response(status: StatusCode, error: &Error) -> Response {
    error_body(status, error.kind().as_str(), &error.to_string())
}

/// `{"error":{"code","message"}}`, as the service answers errors.
fn error_body(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (status, axum::Json(body)).into_response()
}

/// Reads the body within the size limit and the read timeout; a refusal closes an HTTP/1
/// connection (the unread rest of the body cannot be skipped).
async fn read_body(
    body: Body,
    version: Version,
    config: &ListenerConfig,
) -> Result<Bytes, Response> {
    let refuse = |status: StatusCode, code: &str, message: String| {
        let mut response = error_body(status, code, &message);
        if version <= Version::HTTP_11 {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    };
    let limit = config.max_body_bytes;
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let read = async {
        let mut body = body;
        let mut buffer = bytes::BytesMut::new();
        loop {
            let frame = std::future::poll_fn(|cx| {
                hyper::body::Body::poll_frame(std::pin::Pin::new(&mut body), cx)
            })
            .await;
            match frame {
                None => return Ok(buffer.freeze()),
                Some(Err(_)) => {
                    return Err(refuse(
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        "the request body could not be read".into(),
                    ))
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if buffer.len() + data.len() > limit {
                            return Err(too_large());
                        }
                        buffer.extend_from_slice(&data);
                    }
                }
            }
        }
    };
    match tokio::time::timeout(config.body_read_timeout, read).await {
        Ok(result) => result,
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeout",
            "the request body was not received in time".into(),
        )),
    }
}

async fn handle(State(state): State<Arc<ListenerState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method;
    let headers = parts.headers;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if method == Method::OPTIONS {
        // CloudEvents webhook abuse protection (Event Grid CloudEvents-schema subscriptions).
        let mut response = StatusCode::OK.into_response();
        if let Some(origin) = headers.get("webhook-request-origin") {
            response
                .headers_mut()
                .insert("webhook-allowed-origin", origin.clone());
            response
                .headers_mut()
                .insert("webhook-allowed-rate", HeaderValue::from_static("*"));
        }
        return response;
    }
    if method != Method::POST {
        let mut response = error_body(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &format!("{method} is not supported; callbacks are POSTed"),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
        return response;
    }
    if declared.is_some_and(|n| n > state.config.max_body_bytes as u64) {
        let mut response = error_body(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            &format!(
                "the request body is larger than {} bytes",
                state.config.max_body_bytes
            ),
        );
        if parts.version <= Version::HTTP_11 {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        return response;
    }
    let body = match read_body(body, parts.version, &state.config).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());

    // Lenient unless the processor is strict: a malformed event is delivered as an `Unknown`
    // next to the valid ones and the body is answered 200, so the service does not redeliver
    // the valid ones forever; only a body with nothing readable in it is a 400.
    let events = match state.processor.parse(&body) {
        Ok(events) => events,
        Err(parse_error) => {
            if let Some(verifier) = &state.verifier {
                if let Err(auth_error) = verifier.verify_authorization(authorization).await {
                    return error_response(StatusCode::UNAUTHORIZED, &auth_error);
                }
            }
            return error_response(StatusCode::BAD_REQUEST, &parse_error);
        }
    };
    if is_event_grid_only(&events) {
        if let Err(auth_error) = check_event_grid(&state, parts.uri.query()) {
            tracing::warn!(error = %auth_error, "Event Grid delivery refused");
            return error_response(StatusCode::UNAUTHORIZED, &auth_error);
        }
    } else if let Some(verifier) = &state.verifier {
        if let Err(auth_error) = verifier.verify_authorization(authorization).await {
            tracing::warn!(error = %auth_error, "callback refused");
            return error_response(StatusCode::UNAUTHORIZED, &auth_error);
        }
    }
    let validation = events.iter().find_map(|e| match e {
        CallAutomationEvent::SubscriptionValidation {
            validation_code, ..
        } => Some(validation_code.clone()),
        _ => None,
    });
    for event in events {
        state.processor.process_event(event);
    }
    match validation {
        Some(code) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "validationResponse": code })),
        )
            .into_response(),
        None => StatusCode::OK.into_response(),
    }
}

/// A running listener. Dropping it also stops the server (gracefully, in the background).
#[derive(Debug)]
pub struct ListenerHandle {
    local_addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ListenerHandle {
    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections, closes idle ones, and waits for in-flight requests to
    /// finish — at most [`ListenerConfig::shutdown_grace`], then the rest are closed.
    pub async fn shutdown(mut self) -> Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .map_err(|e| Error::transport(format!("listener task failed: {e}")))?;
        }
        Ok(())
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `addr` (port 0 picks a free port) and serves [`router`] until shut down.
pub async fn serve(
    addr: impl tokio::net::ToSocketAddrs,
    processor: EventProcessor,
    verifier: Option<CallbackVerifier>,
) -> Result<ListenerHandle> {
    serve_with_config(addr, processor, verifier, ListenerConfig::default()).await
}

/// [`serve`] with explicit options. A `max_connections` of 0 or an empty `event_grid_secret`
/// is refused with [`Error::InvalidArgument`] naming the field, before anything is bound.
pub async fn serve_with_config(
    addr: impl tokio::net::ToSocketAddrs,
    processor: EventProcessor,
    verifier: Option<CallbackVerifier>,
    config: ListenerConfig,
) -> Result<ListenerHandle> {
    if config.max_connections == 0 {
        return Err(Error::invalid(
            "max_connections",
            "must be at least 1 (a listener that serves no connection would hang every caller)",
        ));
    }
    if config
        .event_grid_secret
        .as_deref()
        .is_some_and(|secret| secret.trim().is_empty())
    {
        return Err(Error::invalid(
            "event_grid_secret",
            "must not be empty (an empty `?secret=` would authenticate anyone)",
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::transport(format!("could not bind callback listener: {e}")))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| Error::transport(format!("could not read listener address: {e}")))?;
    let timeouts = Timeouts {
        header_read: config.header_read_timeout.max(Duration::from_millis(1)),
        shutdown_grace: config.shutdown_grace,
        max_connections: config.max_connections,
    };
    let app = router_with_config(processor, verifier, config);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(accept_loop(listener, app, rx, timeouts));
    Ok(ListenerHandle {
        local_addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}

#[derive(Debug, Clone, Copy)]
struct Timeouts {
    header_read: Duration,
    shutdown_grace: Duration,
    max_connections: usize,
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: Router,
    mut stop: oneshot::Receiver<()>,
    timeouts: Timeouts,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);
    builder.http2().timer(TokioTimer::new());
    let (closing_tx, closing) = watch::channel(false);
    let mut connections = JoinSet::new();
    // One permit per open connection: at the cap, the loop stops accepting, so further
    // clients wait in the kernel's accept queue instead of costing a task and buffers each.
    let permits = Arc::new(Semaphore::new(
        timeouts.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(error = %e, "callback listener accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let connection = serve_connection(
            builder.clone(),
            stream,
            app.clone(),
            closing.clone(),
            timeouts.header_read,
        );
        connections.spawn(async move {
            connection.await;
            drop(permit);
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = closing_tx.send(true);
    let drained = tokio::time::timeout(timeouts.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::debug!("callback listener: closing connections still open after the grace period");
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

/// When a connection last did something, and how many of its requests are in flight.
struct Activity {
    in_flight: std::sync::atomic::AtomicUsize,
    last: std::sync::Mutex<tokio::time::Instant>,
    served: AtomicBool,
}

impl Activity {
    fn touch(&self) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = tokio::time::Instant::now();
    }
}

/// Counts a request as in flight until its response future is done or dropped.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Resolves once the connection has had no request in flight for `idle`. hyper's header
/// timer covers HTTP/1 only once it knows the protocol, and HTTP/2 has no idle timeout at
/// all (its keep-alive pings only detect dead peers), so this one covers every connection:
/// before the first request, between HTTP/1 requests, and an HTTP/2 connection with no
/// open stream.
async fn idle_for(activity: &Activity, idle: Duration) {
    loop {
        let last = *activity.last.lock().unwrap_or_else(|p| p.into_inner());
        tokio::time::sleep_until(last + idle).await;
        let last = *activity.last.lock().unwrap_or_else(|p| p.into_inner());
        if activity.in_flight.load(Ordering::SeqCst) == 0 && last.elapsed() >= idle {
            return;
        }
        if activity.in_flight.load(Ordering::SeqCst) > 0 {
            // A request in flight: it is bounded by the body timeout; look again later.
            tokio::time::sleep(idle).await;
        }
    }
}

async fn serve_connection(
    builder: Builder<TokioExecutor>,
    stream: tokio::net::TcpStream,
    app: Router,
    mut closing: watch::Receiver<bool>,
    idle: Duration,
) {
    let activity = Arc::new(Activity {
        in_flight: std::sync::atomic::AtomicUsize::new(0),
        last: std::sync::Mutex::new(tokio::time::Instant::now()),
        served: AtomicBool::new(false),
    });
    let router = TowerToHyperService::new(app);
    let service = {
        let activity = Arc::clone(&activity);
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            activity.served.store(true, Ordering::SeqCst);
            activity.in_flight.fetch_add(1, Ordering::SeqCst);
            activity.touch();
            let in_flight = InFlight(Arc::clone(&activity));
            let response = hyper::service::Service::call(&router, request);
            async move {
                let response = response.await;
                drop(in_flight);
                response
            }
        })
    };
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "callback connection ended with an error");
            }
            return;
        }
        _ = closing.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
            return;
        }
        _ = idle_for(&activity, idle) => {}
    }
    if !activity.served.load(Ordering::SeqCst) {
        // No request yet (nothing sent, or half an HTTP/2 preface): nothing to finish.
        tracing::debug!("callback connection sent no request in time; closed");
        return;
    }
    // Idle after serving: HTTP/2 gets a GOAWAY, HTTP/1 is closed; bounded in case the peer
    // starts a request and stalls.
    tracing::debug!("idle callback connection closed");
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(idle, connection).await;
}
