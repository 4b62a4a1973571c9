//! A small HTTP server that receives callbacks, verifies them and feeds an [`EventProcessor`],
//! for applications that do not already run a web framework (cargo feature `listener`).
//!
//! Every path accepts `POST`:
//! - the Event Grid handshake (`SubscriptionValidationEvent`) is answered with
//!   `{"validationResponse": "<code>"}`; the CloudEvents `OPTIONS` handshake
//!   (`WebHook-Request-Origin`) is answered too;
//! - with a [`CallbackVerifier`], the service's `Authorization: Bearer` JWT is checked and a
//!   missing, forged or expired token gets **401**;
//! - Event Grid deliveries (`IncomingCall` and the handshake) never carry the service's JWT:
//!   a body that contains only those events skips the JWT check when
//!   [`ListenerConfig::allow_event_grid_without_token`] is true (the default). Secure that
//!   route with Event Grid's own options (Entra auth, a secret in the URL) if it matters;
//! - a malformed body gets **400** with the parse error; anything else **200**.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::model::CallAutomationEvent;
use super::parse::parse_events;
use super::processor::EventProcessor;
use super::verify::CallbackVerifier;
use crate::error::{Error, Result};

/// Options of the callback listener.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// Accept bodies that contain only Event Grid events (`IncomingCall`, the subscription
    /// handshake) without the service's JWT (default true; they never carry it).
    pub allow_event_grid_without_token: bool,
    /// Largest accepted body (default 4 MiB).
    pub max_body_bytes: usize,
}

impl Default for ListenerConfig {
    fn default() -> Self {
        ListenerConfig {
            allow_event_grid_without_token: true,
            max_body_bytes: 4 * 1024 * 1024,
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
        .layer(DefaultBodyLimit::max(limit))
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

fn error_response(status: StatusCode, error: &Error) -> Response {
    let body = serde_json::json!({ "error": { "code": error.kind().as_str(), "message": error.to_string() } });
    (status, axum::Json(body)).into_response()
}

async fn handle(
    State(state): State<Arc<ListenerState>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST, OPTIONS")],
        )
            .into_response();
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());

    let events = match parse_events(&body) {
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
    if let Some(verifier) = &state.verifier {
        let skip = state.config.allow_event_grid_without_token && is_event_grid_only(&events);
        if !skip {
            if let Err(auth_error) = verifier.verify_authorization(authorization).await {
                tracing::warn!(error = %auth_error, "callback refused");
                return error_response(StatusCode::UNAUTHORIZED, &auth_error);
            }
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

    /// Stops accepting connections and waits for in-flight requests to finish.
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

/// [`serve`] with explicit options.
pub async fn serve_with_config(
    addr: impl tokio::net::ToSocketAddrs,
    processor: EventProcessor,
    verifier: Option<CallbackVerifier>,
    config: ListenerConfig,
) -> Result<ListenerHandle> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::transport(format!("could not bind callback listener: {e}")))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| Error::transport(format!("could not read listener address: {e}")))?;
    let app = router_with_config(processor, verifier, config);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "callback listener stopped with an error");
        }
    });
    Ok(ListenerHandle {
        local_addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}
