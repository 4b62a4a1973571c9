//! The /calling REST API: faults → routing → authentication → api-version → repeatability →
//! validation and execution, with every request recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::api_version;
use super::routes::{self, Route};
use super::DropConnection;
use crate::api_error::{ApiError, ApiResult, Reply};
use crate::app::{lock, App};
use crate::auth::AuthCheck;
use crate::records::{Outcome, RequestRecord};
use crate::repeatability;
use crate::validation::parse_body;

/// Bodies above this are refused (the service's limit is far lower for these operations).
const MAX_BODY: usize = 4 * 1024 * 1024;

pub async fn handle(State(app): State<Arc<App>>, request: Request<Body>) -> Response {
    let started = Instant::now();
    let mut order = app.live.next_order();
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let uri = parts.uri.clone();
    let path = uri.path().to_string();

    if method == Method::GET && path == "/calling/keys" {
        return axum::Json(app.jwt.jwks()).into_response();
    }
    if method == Method::GET && path == "/calling/.well-known/acsopenidconfiguration" {
        return axum::Json(app.jwt.openid_configuration(&app.base_url)).into_response();
    }
    if !path.starts_with("/calling/") {
        return ApiError::not_found(format!("No resource at `{path}`.")).into_response();
    }

    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                413,
                "RequestEntityTooLarge",
                "The request body is too large or could not be read.",
            )
            .into_response()
        }
    };

    let route = routes::parse(&method, &path);
    let operation = route
        .as_ref()
        .map(|r| r.name())
        .unwrap_or("Unknown")
        .to_string();
    let call_connection_id = route
        .as_ref()
        .ok()
        .and_then(|r| r.call_connection_id())
        .map(str::to_string);

    let decision = lock(&app.faults).decide();
    if decision.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.latency_ms)).await;
    }

    let mut repeat_id = None;
    let (reply, outcome) = if let Some(fault) = decision.inject {
        (Reply::from(fault), Outcome::FaultInjected)
    } else {
        match prepare(&app, &method, &uri, &parts.headers, &body, route) {
            Err(e) => (Reply::from(e), Outcome::Rejected),
            Ok((route, api_version, request_id)) => {
                // Re-number under the world lock: an app that reacts to an event at once
                // must not sort before what the world produced together with that event.
                order = {
                    let _world = lock(&app.world);
                    app.live.next_order()
                };
                repeat_id = request_id.clone();
                execute(
                    &app,
                    &route,
                    &api_version,
                    &uri,
                    &parts.headers,
                    &body,
                    request_id,
                )
            }
        }
    };

    let drop_response = decision.drop_response && outcome == Outcome::Executed;
    let latency_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        target: "callsteer_emulator::request",
        method = %method, path = %path, operation = %operation, status = reply.status,
        latency_ms, outcome = ?outcome, dropped = drop_response, "request"
    );
    // Create / answer / connect learn their call connection id from the reply.
    let call_connection_id = call_connection_id.or_else(|| {
        reply
            .body
            .as_ref()
            .and_then(|b| b.get("callConnectionId"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    });
    let record = lock(&app.requests).push(RequestRecord {
        seq: 0,
        time: app.clock.rfc3339_now(),
        method: method.to_string(),
        path: uri.path_and_query().map(|p| p.to_string()).unwrap_or(path),
        operation,
        call_connection_id,
        status: reply.status,
        latency_ms,
        repeatability_request_id: repeat_id,
        outcome,
        response_dropped: drop_response,
        order,
        request_body: crate::live::capture_body(&body),
        response_body: reply.body.as_ref().map(crate::live::capture_value),
    });
    app.live.request(&record);
    let mut response = reply.into_response();
    if drop_response {
        response.extensions_mut().insert(DropConnection);
    }
    response
}

/// Everything that can refuse a request before it runs.
fn prepare(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    route: ApiResult<Route>,
) -> ApiResult<(Route, String, Option<String>)> {
    let route = route?;
    AuthCheck {
        credential: &app.credential,
        allow_bearer: app.config.allow_bearer,
        max_skew: Duration::from_secs(app.config.max_date_skew_s),
        now: app.clock.wall_now(),
    }
    .check(method, uri, headers, body)?;
    let api_version = api_version::check(uri.path(), uri.query())?;
    api_version::check_operation(route.name(), uri.path(), &api_version)?;
    let request_id = if route.repeatable() {
        repeatability::request_id(headers)?
    } else {
        None
    };
    Ok((route, api_version, request_id))
}

/// Runs the action, or replays the stored reply of a repeated request id. The repeatability
/// cache stays locked while the action runs so that two concurrent repeats execute once.
fn execute(
    app: &App,
    route: &Route,
    api_version: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    request_id: Option<String>,
) -> (Reply, Outcome) {
    let Some(request_id) = request_id else {
        return (
            run(app, route, api_version, uri, headers, body),
            Outcome::Executed,
        );
    };
    let mut cache = lock(&app.repeatability);
    let forgotten = std::mem::take(&mut *lock(&app.forgotten_calls));
    cache.forget_calls(forgotten, app.clock.now_ms());
    if let Some(stored) = cache.get(&request_id) {
        return (stored, Outcome::Replayed);
    }
    let reply = run(app, route, api_version, uri, headers, body);
    let call_id = route.call_connection_id().map(str::to_string).or_else(|| {
        reply
            .body
            .as_ref()
            .and_then(|b| b.get("callConnectionId"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    });
    cache.insert(request_id, reply.clone(), call_id);
    (reply, Outcome::Executed)
}

fn run(
    app: &App,
    route: &Route,
    api_version: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let result = (|| -> ApiResult<Reply> {
        match route {
            Route::CreateCall => {
                let req = parse_body(body)?;
                app.with_world(|w| w.create_call(req))
            }
            Route::AnswerCall => {
                let req = parse_body(body)?;
                app.with_world(|w| w.answer_call(req))
            }
            Route::RedirectCall => {
                let req = parse_body(body)?;
                app.with_world(|w| w.redirect_call(req))
            }
            Route::RejectCall => {
                let req = parse_body(body)?;
                app.with_world(|w| w.reject_call(req))
            }
            Route::Connect => {
                let req = parse_body(body)?;
                app.with_world(|w| w.connect_call(req))
            }
            Route::GetCall(id) => app.with_world(|w| w.get_call(id)),
            Route::HangUp(id) => app.with_world(|w| w.hang_up(id)),
            Route::Terminate(id) => app.with_world(|w| w.terminate(id)),
            Route::Transfer(id) => {
                let req = parse_body(body)?;
                app.with_world(|w| w.transfer(id, req))
            }
            Route::ListParticipants(id) => {
                let continuation = api_version::query_param(uri.query(), "continuationToken");
                let host = headers
                    .get("host")
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        app.base_url
                            .split("://")
                            .nth(1)
                            .unwrap_or_default()
                            .to_string()
                    });
                let scheme = if app.config.tls { "https" } else { "http" };
                let base = format!(
                    "{scheme}://{host}/calling/callConnections/{id}/participants?api-version={api_version}"
                );
                app.with_world(|w| w.list_participants(id, continuation.as_deref(), &base))
            }
            Route::GetParticipant(id, raw) => app.with_world(|w| w.get_participant(id, raw)),
            Route::AddParticipant(id) => {
                let req = parse_body(body)?;
                app.with_world(|w| w.add_participant(id, req))
            }
            Route::RemoveParticipant(id) => {
                let req = parse_body(body)?;
                app.with_world(|w| w.remove_participant(id, req))
            }
            Route::Mute(id) => {
                let req = parse_body(body)?;
                app.with_world(|w| w.mute(id, req))
            }
            Route::CancelAddParticipant(id) => {
                let req = parse_body(body)?;
                app.with_world(|w| w.cancel_add_participant(id, req))
            }
            Route::MoveParticipants(id) => {
                let req = parse_body(body)?;
                app.with_world(|w| w.move_participants(id, req))
            }
        }
    })();
    result.unwrap_or_else(Reply::from)
}
