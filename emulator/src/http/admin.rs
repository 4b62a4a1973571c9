//! The admin API under /emulator/: drives simulations and shows state. No HMAC (local use).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::api_error::{ApiError, ApiResult};
use crate::app::{lock, App};
use crate::eventgrid::validate_webhook;
use crate::faults::FaultConfig;
use crate::world::behavior::TargetBehavior;

type AppState = State<Arc<App>>;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/emulator/health", get(health))
        .route("/emulator/state", get(state))
        .route("/emulator/stats", get(stats))
        .route("/emulator/targets", get(list_targets))
        .route("/emulator/targets/{raw_id}", put(put_target))
        .route("/emulator/incoming-calls", post(incoming_call))
        .route(
            "/emulator/event-subscriptions",
            post(add_subscription).get(list_subscriptions),
        )
        .route("/emulator/eventgrid/events", get(eventgrid_events))
        .route("/emulator/calls", post(create_server_call).get(list_calls))
        .route("/emulator/calls/{id}/events", get(call_events))
        .route("/emulator/calls/{id}/requests", get(call_requests))
        .route("/emulator/rooms", post(create_room))
        .route("/emulator/phone-numbers", post(add_phone_number))
        .route("/emulator/requests", get(requests))
        .route(
            "/emulator/faults",
            put(put_faults).delete(delete_faults).get(get_faults),
        )
        .route("/emulator/clock", get(get_clock))
        .route("/emulator/clock/advance", post(advance_clock))
        .route("/emulator/test-tokens", post(test_tokens))
}

fn body<T: DeserializeOwned>(bytes: &Bytes) -> ApiResult<T> {
    crate::validation::json_object(bytes)
}

fn respond(result: ApiResult<serde_json::Value>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn state(State(app): AppState) -> Json<serde_json::Value> {
    Json(lock(&app.world).snapshot_directory())
}

/// How much the emulator holds: calls, retained ended calls, delivery tasks and logs, UI
/// timelines, repeatability replies, request log — for tests and the soak's memory curve.
async fn stats(State(app): AppState) -> Json<serde_json::Value> {
    let mut value = lock(&app.world).stats();
    let forgotten = std::mem::take(&mut *lock(&app.forgotten_calls));
    let repeatability = {
        let mut cache = lock(&app.repeatability);
        cache.forget_calls(forgotten, app.clock.now_ms());
        cache.len()
    };
    let (workers, queues, logs) = app.delivery.stats();
    if let Some(map) = value.as_object_mut() {
        map.insert("deliveryWorkers".into(), json!(workers));
        map.insert("deliveryQueues".into(), json!(queues));
        map.insert("eventLogs".into(), json!(logs));
        map.insert("uiTimelines".into(), json!(app.live.calls_kept()));
        map.insert("repeatabilityReplies".into(), json!(repeatability));
        map.insert("requestLog".into(), json!(lock(&app.requests).len()));
    }
    Json(value)
}

async fn list_targets(State(app): AppState) -> Json<serde_json::Value> {
    Json(json!(lock(&app.world).behaviors.all()))
}

async fn put_target(State(app): AppState, Path(raw_id): Path<String>, bytes: Bytes) -> Response {
    respond((|| {
        let behavior: TargetBehavior = body(&bytes)?;
        if raw_id.trim().is_empty() {
            return Err(ApiError::invalid_field("rawId", "must not be empty"));
        }
        lock(&app.world).behaviors.set(&raw_id, behavior);
        Ok(json!({"rawId": raw_id, "behavior": behavior}))
    })())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IncomingCallBody {
    from: String,
    to: String,
    #[serde(default)]
    caller_display_name: Option<String>,
    #[serde(default)]
    custom_context: Option<serde_json::Value>,
}

async fn incoming_call(State(app): AppState, bytes: Bytes) -> Response {
    respond((|| {
        let req: IncomingCallBody = body(&bytes)?;
        let incoming = app.with_world(|w| {
            w.offer_incoming_call(
                &req.from,
                &req.to,
                req.caller_display_name,
                req.custom_context,
            )
        })?;
        Ok(json!({
            "incomingCallContext": incoming.context,
            "serverCallId": incoming.server_call_id,
            "correlationId": incoming.correlation_id,
        }))
    })())
}

#[derive(Deserialize)]
struct SubscriptionBody {
    url: String,
}

async fn add_subscription(State(app): AppState, bytes: Bytes) -> Response {
    let req: SubscriptionBody = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    match validate_webhook(&app.http, &req.url).await {
        Ok(()) => {
            lock(&app.world).add_webhook(&req.url);
            tracing::info!(url = %req.url, "Event Grid webhook registered");
            Json(json!({"url": req.url, "validated": true})).into_response()
        }
        Err(reason) => ApiError::new(
            400,
            "WebhookValidationFailed",
            format!("Webhook validation handshake failed: {reason}"),
        )
        .into_response(),
    }
}

async fn list_subscriptions(State(app): AppState) -> Json<serde_json::Value> {
    Json(json!({"value": lock(&app.world).webhooks()}))
}

async fn eventgrid_events(State(app): AppState) -> Json<serde_json::Value> {
    Json(json!({"value": app.delivery.events_for("eventgrid")}))
}

#[derive(Deserialize)]
struct ParticipantsBody {
    #[serde(default)]
    participants: Vec<String>,
}

async fn create_server_call(State(app): AppState, bytes: Bytes) -> Response {
    respond((|| {
        let req: ParticipantsBody = body(&bytes)?;
        let call = lock(&app.world).create_server_call(req.participants)?;
        Ok(json!({"serverCallId": call.server_call_id, "groupCallId": call.group_call_id}))
    })())
}

async fn list_calls(State(app): AppState) -> Json<serde_json::Value> {
    Json(lock(&app.world).snapshot_calls())
}

async fn call_events(State(app): AppState, Path(id): Path<String>) -> Response {
    if !lock(&app.world).has_call(&id) {
        return ApiError::not_found(format!("Call connection `{id}` was not found."))
            .into_response();
    }
    Json(json!({"value": app.delivery.events_for(&id)})).into_response()
}

async fn call_requests(State(app): AppState, Path(id): Path<String>) -> Json<serde_json::Value> {
    let records: Vec<_> = lock(&app.requests)
        .all()
        .into_iter()
        .filter(|r| r.call_connection_id.as_deref() == Some(id.as_str()))
        .collect();
    Json(json!({"value": records}))
}

async fn create_room(State(app): AppState, bytes: Bytes) -> Response {
    respond((|| {
        let req: ParticipantsBody = body(&bytes)?;
        let room = lock(&app.world).create_room(req.participants)?;
        Ok(json!({"roomId": room.room_id}))
    })())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneNumberBody {
    phone_number: String,
}

async fn add_phone_number(State(app): AppState, bytes: Bytes) -> Response {
    respond((|| {
        let req: PhoneNumberBody = body(&bytes)?;
        if !callsteer::identifier::is_e164(&req.phone_number) {
            return Err(ApiError::invalid_field(
                "phoneNumber",
                "must be an E.164 number",
            ));
        }
        lock(&app.world).add_resource_number(&req.phone_number);
        Ok(json!({"phoneNumber": req.phone_number}))
    })())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestsQuery {
    call_connection_id: Option<String>,
}

async fn requests(State(app): AppState, Query(q): Query<RequestsQuery>) -> Json<serde_json::Value> {
    let records: Vec<_> = lock(&app.requests)
        .all()
        .into_iter()
        .filter(|r| match &q.call_connection_id {
            Some(id) => r.call_connection_id.as_deref() == Some(id.as_str()),
            None => true,
        })
        .collect();
    Json(json!({"value": records}))
}

async fn put_faults(State(app): AppState, bytes: Bytes) -> Response {
    respond((|| {
        let config: FaultConfig = body(&bytes)?;
        config.validate()?;
        lock(&app.faults).set(Some(config.clone()));
        Ok(json!(config))
    })())
}

async fn delete_faults(State(app): AppState) -> Response {
    lock(&app.faults).set(None);
    axum::http::StatusCode::NO_CONTENT.into_response()
}

async fn get_faults(State(app): AppState) -> Json<serde_json::Value> {
    Json(json!(lock(&app.faults).config()))
}

fn clock_json(app: &App) -> serde_json::Value {
    json!({
        "mode": if app.clock.is_manual() { "manual" } else { "real" },
        "nowMs": app.clock.now_ms(),
        "nextTimerMs": lock(&app.world).next_due(),
    })
}

async fn get_clock(State(app): AppState) -> Json<serde_json::Value> {
    Json(clock_json(&app))
}

#[derive(Deserialize)]
struct AdvanceBody {
    ms: u64,
}

async fn advance_clock(State(app): AppState, bytes: Bytes) -> Response {
    let req: AdvanceBody = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if !app.clock.is_manual() {
        return ApiError::conflict(
            "The clock is real; start the emulator with --clock manual to advance it.",
        )
        .into_response();
    }
    // Step through each due timer so timers scheduled by earlier ones still fire in order.
    let target = app.clock.now_ms().saturating_add(req.ms);
    loop {
        let mut world = lock(&app.world);
        match world.next_due() {
            Some(due) if due <= target => {
                let now = app.clock.now_ms();
                if due > now {
                    app.clock.advance(due - now);
                }
                world.run_due();
            }
            _ => {
                let now = app.clock.now_ms();
                if target > now {
                    app.clock.advance(target - now);
                }
                world.run_due();
                break;
            }
        }
    }
    Json(clock_json(&app)).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TestTokensBody {
    #[serde(default)]
    audience: Option<String>,
}

/// Good and bad callback tokens for testing verifiers; never accepted by the emulator itself.
async fn test_tokens(State(app): AppState, bytes: Bytes) -> Response {
    let req: TestTokensBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        TestTokensBody::default()
    } else {
        match body(&bytes) {
            Ok(r) => r,
            Err(e) => return e.into_response(),
        }
    };
    let audience = req
        .audience
        .unwrap_or_else(|| app.jwt.audience().to_string());
    let now = app.clock.unix_now();
    let jwt = Arc::clone(&app.jwt);
    let aud = audience.clone();
    // The first call generates the foreign RSA key (slow in debug builds).
    let tokens = tokio::task::spawn_blocking(move || jwt.test_tokens(now, &aud)).await;
    match tokens {
        Ok(Ok(tokens)) => Json(json!({
            "issuer": app.jwt.issuer(),
            "audience": audience,
            "jwksUrl": format!("{}/calling/keys", app.base_url),
            "tokens": tokens,
        }))
        .into_response(),
        Ok(Err(e)) => ApiError::internal(e).into_response(),
        Err(e) => ApiError::internal(format!("token task failed: {e}")).into_response(),
    }
}
