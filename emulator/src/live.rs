//! The live feed behind `/emulator/ui`: every request, callback event (and each of its delivery
//! attempts) and participant change is published here as one JSON "timeline item", so the page
//! can draw a call's sequence diagram as it happens.
//!
//! Items carry an `order` taken from one counter shared by the request log and the delivery
//! queue. A request takes its order when it *arrives*, so an event that its execution produced
//! sorts after it even though the request is logged only once it has finished.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::sync::{broadcast, watch};

use crate::delivery::EventRecord;
use crate::records::RequestRecord;

/// A page that falls this far behind gets a `lagged` notice and reloads its snapshot.
const CHANNEL_CAPACITY: usize = 1024;
/// Participant changes kept per call; older ones are dropped (long-running emulators).
const CHANGES_PER_CALL: usize = 2_000;
/// Calls whose participant changes are kept; the oldest call's are dropped first.
const CALLS_KEPT: usize = 5_000;
/// Request and response bodies are kept up to this size for the page; longer ones are cut.
pub const BODY_CAP: usize = 16 * 1024;

#[derive(Default)]
struct Changes {
    per_call: HashMap<String, Vec<Value>>,
    call_order: std::collections::VecDeque<String>,
    /// The last participant list seen per call (raw id, muted), to turn ParticipantsUpdated
    /// into joined / left / muted changes.
    last_seen: HashMap<String, Vec<(String, bool)>>,
}

pub struct Live {
    tx: broadcast::Sender<Arc<Value>>,
    order: AtomicU64,
    changes: Mutex<Changes>,
    shutdown: watch::Receiver<bool>,
}

impl Live {
    pub fn new(shutdown: watch::Receiver<bool>) -> Arc<Self> {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        Arc::new(Live {
            tx,
            order: AtomicU64::new(0),
            changes: Mutex::new(Changes::default()),
            shutdown,
        })
    }

    /// The next position in the emulator-wide timeline.
    pub fn next_order(&self) -> u64 {
        self.order.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Value>> {
        self.tx.subscribe()
    }

    /// Lets the SSE streams end when the emulator shuts down (otherwise they would hold the
    /// graceful shutdown for its whole drain timeout).
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.clone()
    }

    fn publish(&self, item: Value) {
        // No subscriber (no page open) is the normal case.
        let _ = self.tx.send(Arc::new(item));
    }

    /// Whether a page is listening: items are only built for one (a soak run has none).
    fn watched(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    pub fn request(&self, record: &RequestRecord) {
        if self.watched() {
            self.publish(request_item(record));
        }
    }

    pub fn event(&self, log_key: &str, record: &EventRecord) {
        if self.watched() {
            self.publish(event_item(log_key, record));
        }
    }

    /// A change in who is (or is being invited) in a call.
    pub fn participant_change(&self, call_id: &str, raw_id: &str, change: &str, detail: Value) {
        let order = self.next_order();
        let item = json!({
            "kind": "participant",
            "key": format!("p{order}"),
            "order": order,
            "callConnectionId": call_id,
            "participant": raw_id,
            "change": change,
            "detail": detail,
            "time": crate::clock::rfc3339(std::time::SystemTime::now()),
        });
        {
            let mut changes = self.lock();
            if !changes.per_call.contains_key(call_id) {
                changes.call_order.push_back(call_id.to_string());
                if changes.call_order.len() > CALLS_KEPT {
                    if let Some(oldest) = changes.call_order.pop_front() {
                        changes.per_call.remove(&oldest);
                        changes.last_seen.remove(&oldest);
                    }
                }
            }
            let list = changes.per_call.entry(call_id.to_string()).or_default();
            list.push(item.clone());
            if list.len() > CHANGES_PER_CALL {
                list.remove(0);
            }
        }
        self.publish(item);
    }

    /// Compares a call's new participant list with the last one and records who joined, left,
    /// or was muted or unmuted.
    pub fn participants_now(&self, call_id: &str, now: Vec<(String, bool)>) {
        let before = self
            .lock()
            .last_seen
            .insert(call_id.to_string(), now.clone())
            .unwrap_or_default();
        for (raw_id, muted) in &now {
            match before.iter().find(|(id, _)| id == raw_id) {
                None => self.participant_change(call_id, raw_id, "joined", json!({})),
                Some((_, was_muted)) if was_muted != muted => self.participant_change(
                    call_id,
                    raw_id,
                    if *muted { "muted" } else { "unmuted" },
                    json!({}),
                ),
                Some(_) => {}
            }
        }
        for (raw_id, _) in &before {
            if !now.iter().any(|(id, _)| id == raw_id) {
                self.participant_change(call_id, raw_id, "left", json!({}));
            }
        }
    }

    /// Drops a forgotten call's timeline.
    pub fn forget(&self, call_id: &str) {
        let mut changes = self.lock();
        changes.last_seen.remove(call_id);
        if changes.per_call.remove(call_id).is_some() {
            if let Some(i) = changes.call_order.iter().position(|id| id == call_id) {
                changes.call_order.remove(i);
            }
        }
    }

    /// Calls whose timeline is kept.
    pub fn calls_kept(&self) -> usize {
        let changes = self.lock();
        changes.per_call.len().max(changes.last_seen.len())
    }

    pub fn participant_changes(&self, call_id: &str) -> Vec<Value> {
        self.lock()
            .per_call
            .get(call_id)
            .cloned()
            .unwrap_or_default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Changes> {
        self.changes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A request as the page shows it. Headers are never part of it: the Authorization header
/// (HMAC signature or bearer token) must not leave the emulator.
pub fn request_item(r: &RequestRecord) -> Value {
    json!({
        "kind": "request",
        "key": format!("r{}", r.seq),
        "order": r.order,
        "time": r.time,
        "callConnectionId": r.call_connection_id,
        "method": r.method,
        "path": r.path,
        "operation": r.operation,
        "status": r.status,
        "latencyMs": r.latency_ms,
        "outcome": r.outcome,
        "responseDropped": r.response_dropped,
        "repeatabilityRequestId": r.repeatability_request_id,
        "requestBody": r.request_body,
        "responseBody": r.response_body,
    })
}

pub fn event_item(log_key: &str, r: &EventRecord) -> Value {
    let data = r.event.get("data");
    let call_id = data
        .and_then(|d| d.get("callConnectionId"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| (log_key != "eventgrid").then(|| log_key.to_string()));
    json!({
        "kind": "event",
        "key": format!("e{}", r.seq),
        "order": r.order,
        "time": r.produced_at,
        "callConnectionId": call_id,
        "serverCallId": data.and_then(|d| d.get("serverCallId")),
        "type": r.event_type.strip_prefix("Microsoft.Communication.").unwrap_or(&r.event_type),
        "channel": r.channel,
        "url": r.url,
        "status": r.status,
        "attempts": r.attempts,
        "resultInformation": data.and_then(|d| d.get("resultInformation")),
        "event": r.event,
    })
}

/// A body as JSON when it parses, else as (lossy) text; cut at [`BODY_CAP`] bytes.
pub fn capture_body(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    if bytes.len() > BODY_CAP {
        let cut = String::from_utf8_lossy(&bytes[..BODY_CAP]);
        return Some(json!({
            "truncated": true,
            "size": bytes.len(),
            "text": cut,
        }));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => Some(v),
        Err(_) => Some(Value::String(String::from_utf8_lossy(bytes).into_owned())),
    }
}

/// A reply body for the page, cut like [`capture_body`] when its JSON is too long.
pub fn capture_value(value: &Value) -> Value {
    let text = value.to_string();
    if text.len() > BODY_CAP {
        capture_body(text.as_bytes()).unwrap_or(Value::Null)
    } else {
        value.clone()
    }
}
