//! `/emulator/ui`: a self-contained page (embedded in the binary, nothing fetched from elsewhere)
//! that lists calls and draws the selected call's sequence diagram live, plus the two endpoints
//! it feeds on: a JSON timeline snapshot per call and a server-sent event stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::stream::{self, Stream};
use futures_util::StreamExt as _;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use crate::api_error::ApiError;
use crate::app::{lock, App};
use crate::live::{event_item, request_item};

const INDEX_HTML: &str = include_str!("../../ui/index.html");
const APP_JS: &str = include_str!("../../ui/app.js");
const APP_CSS: &str = include_str!("../../ui/app.css");

/// The page may talk to this emulator only: no CDN, no other origin, no inline code.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/emulator/ui", get(index))
        .route("/emulator/ui/", get(index))
        .route("/emulator/ui/app.js", get(app_js))
        .route("/emulator/ui/app.css", get(app_css))
        .route("/emulator/ui/stream", get(stream_items))
        .route("/emulator/ui/calls/{id}/timeline", get(call_timeline))
        .route("/emulator/ui/unassigned/timeline", get(unassigned_timeline))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn app_css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

fn sorted(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by_key(|i| i.get("order").and_then(Value::as_u64).unwrap_or(0));
    items
}

/// Everything that happened in one call connection so far, in timeline order: its requests,
/// its callback events (with delivery attempts), its participant changes, and the
/// IncomingCall that started it when it was answered.
async fn call_timeline(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(server_call_id) = lock(&app.world)
        .calls
        .get(&id)
        .map(|c| c.server_call_id.clone())
    else {
        return ApiError::not_found(format!("Call connection `{id}` was not found."))
            .into_response();
    };
    let mut items: Vec<Value> = lock(&app.requests)
        .all()
        .iter()
        .filter(|r| r.call_connection_id.as_deref() == Some(id.as_str()))
        .map(request_item)
        .collect();
    items.extend(
        app.delivery
            .events_for(&id)
            .iter()
            .map(|r| event_item(&id, r)),
    );
    items.extend(
        app.delivery
            .events_for("eventgrid")
            .iter()
            .filter(|r| r.event["data"]["serverCallId"].as_str() == Some(server_call_id.as_str()))
            .map(|r| event_item("eventgrid", r)),
    );
    items.extend(app.live.participant_changes(&id));
    Json(json!({
        "callConnectionId": id,
        "serverCallId": server_call_id,
        "items": sorted(items),
    }))
    .into_response()
}

/// Traffic that belongs to no call connection: IncomingCall deliveries, reject and redirect,
/// and requests refused before a call existed.
async fn unassigned_timeline(State(app): State<Arc<App>>) -> Json<Value> {
    let mut items: Vec<Value> = lock(&app.requests)
        .all()
        .iter()
        .filter(|r| r.call_connection_id.is_none())
        .map(request_item)
        .collect();
    items.extend(
        app.delivery
            .events_for("eventgrid")
            .iter()
            .map(|r| event_item("eventgrid", r)),
    );
    Json(json!({"items": sorted(items)}))
}

/// Every timeline item as it happens (`event: item`). A page that fell behind gets
/// `event: lagged` and reloads its snapshot. The stream ends when the emulator shuts down.
async fn stream_items(
    State(app): State<Arc<App>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = app.live.subscribe();
    let shutdown = app.live.shutdown_signal();
    let hello = stream::once(async { Ok(Event::default().event("hello").data("{}")) });
    let items = stream::unfold((rx, shutdown), |(mut rx, mut shutdown)| async move {
        if *shutdown.borrow() {
            return None;
        }
        let event = tokio::select! {
            received = rx.recv() => match received {
                Ok(item) => Event::default().event("item").data(item.to_string()),
                Err(RecvError::Lagged(n)) => Event::default().event("lagged").data(n.to_string()),
                Err(RecvError::Closed) => return None,
            },
            _ = shutdown.changed() => return None,
        };
        Some((Ok(event), (rx, shutdown)))
    });
    Sse::new(hello.chain(items)).keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
}
