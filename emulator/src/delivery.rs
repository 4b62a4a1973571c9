//! Outgoing events: one ordered queue per call connection (and per Event Grid webhook), with
//! JWT-signed POSTs, bounded retries with exponential backoff, and a log of every attempt that
//! the admin API exposes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::clock::{rfc3339, Clock};
use crate::jwt::JwtSigner;
use crate::live::Live;

/// How a queued body is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Channel {
    /// Call Automation callback: CloudEvents array, `Authorization: Bearer <JWT>`.
    Callback,
    /// Event Grid webhook: Event Grid schema array, `aeg-event-type: Notification`.
    EventGrid,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    /// Order of production across the whole emulator.
    pub seq: u64,
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub url: String,
    pub channel: Channel,
    pub produced_at: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: Vec<Attempt>,
    /// The event itself (one element of the posted array).
    pub event: serde_json::Value,
    /// Position in the live timeline, for `/emulator/ui`.
    #[serde(skip)]
    pub order: u64,
}

struct Inner {
    /// Per queue key (call connection id, or `eventgrid`): every event in production order.
    log: HashMap<String, Vec<EventRecord>>,
    queues: HashMap<String, mpsc::UnboundedSender<(String, usize)>>,
    seq: u64,
}

pub struct Delivery {
    client: reqwest::Client,
    jwt: Arc<JwtSigner>,
    clock: Arc<Clock>,
    max_attempts: u32,
    backoff_ms: u64,
    inner: Mutex<Inner>,
    shutdown: watch::Receiver<bool>,
    live: Arc<Live>,
}

impl Delivery {
    pub fn new(
        client: reqwest::Client,
        jwt: Arc<JwtSigner>,
        clock: Arc<Clock>,
        max_attempts: u32,
        backoff_ms: u64,
        shutdown: watch::Receiver<bool>,
        live: Arc<Live>,
    ) -> Arc<Self> {
        Arc::new(Delivery {
            client,
            jwt,
            clock,
            max_attempts: max_attempts.max(1),
            backoff_ms,
            inner: Mutex::new(Inner {
                log: HashMap::new(),
                queues: HashMap::new(),
                seq: 0,
            }),
            shutdown,
            live,
        })
    }

    /// The UI feed, for the world's participant changes.
    pub fn live(&self) -> &Live {
        &self.live
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means another thread panicked mid-update; the log is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records an event under `log_key` and queues its delivery on `queue_key` (events on one
    /// queue are delivered strictly in order). Must be called inside the tokio runtime.
    pub fn enqueue(
        self: &Arc<Self>,
        log_key: &str,
        queue_key: &str,
        channel: Channel,
        url: &str,
        event: serde_json::Value,
    ) {
        let mut inner = self.lock();
        inner.seq += 1;
        let record = EventRecord {
            seq: inner.seq,
            id: event
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            event_type: event
                .get("type")
                .or_else(|| event.get("eventType"))
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            url: url.to_string(),
            channel,
            produced_at: self.clock.rfc3339_now(),
            status: "pending".into(),
            attempts: Vec::new(),
            event,
            order: self.live.next_order(),
        };
        self.live.event(log_key, &record);
        let records = inner.log.entry(log_key.to_string()).or_default();
        records.push(record);
        let index = records.len() - 1;
        let sender = match inner.queues.get(queue_key) {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (tx, rx) = mpsc::unbounded_channel();
                inner.queues.insert(queue_key.to_string(), tx.clone());
                let me = Arc::clone(self);
                tokio::spawn(async move { me.worker(rx).await });
                tx
            }
        };
        let _ = sender.send((log_key.to_string(), index));
    }

    pub fn events_for(&self, log_key: &str) -> Vec<EventRecord> {
        self.lock().log.get(log_key).cloned().unwrap_or_default()
    }

    async fn worker(self: Arc<Self>, mut rx: mpsc::UnboundedReceiver<(String, usize)>) {
        let mut shutdown = self.shutdown.clone();
        loop {
            let next = tokio::select! {
                next = rx.recv() => next,
                _ = shutdown.changed() => None,
            };
            let Some((log_key, index)) = next else { return };
            if !self.deliver(&log_key, index).await {
                return;
            }
        }
    }

    /// Delivers one event with retries; returns false when shutting down.
    async fn deliver(&self, log_key: &str, index: usize) -> bool {
        let Some((url, channel, event, event_type)) = self.lock().log.get(log_key).and_then(|l| {
            l.get(index).map(|r| {
                (
                    r.url.clone(),
                    r.channel,
                    r.event.clone(),
                    r.event_type.clone(),
                )
            })
        }) else {
            return true;
        };
        let body = serde_json::Value::Array(vec![event]).to_string();
        let mut shutdown = self.shutdown.clone();
        for attempt in 1..=self.max_attempts {
            let started = Instant::now();
            let mut request = self
                .client
                .post(&url)
                .header("content-type", "application/json")
                .body(body.clone());
            request = match channel {
                Channel::Callback => request.header(
                    "authorization",
                    format!("Bearer {}", self.jwt.token(self.clock.unix_now())),
                ),
                Channel::EventGrid => request.header("aeg-event-type", "Notification"),
            };
            let outcome = request.send().await;
            let latency_ms = started.elapsed().as_millis() as u64;
            let (status, error) = match &outcome {
                Ok(r) => (Some(r.status().as_u16()), None),
                Err(e) => (None, Some(error_chain(e))),
            };
            let ok = status.is_some_and(|s| (200..300).contains(&s));
            tracing::info!(
                target: "callsteer_emulator::delivery",
                event_type = %event_type, url = %url, attempt, status = ?status,
                error = ?error, latency_ms, "event delivery"
            );
            {
                let mut inner = self.lock();
                if let Some(record) = inner.log.get_mut(log_key).and_then(|l| l.get_mut(index)) {
                    record.attempts.push(Attempt {
                        at: rfc3339(self.clock.wall_now()),
                        status,
                        error,
                        latency_ms,
                    });
                    if ok {
                        record.status = "delivered".into();
                    } else if attempt == self.max_attempts {
                        record.status = "failed".into();
                    }
                    self.live.event(log_key, record);
                }
            }
            if ok {
                return true;
            }
            if attempt < self.max_attempts {
                let backoff = self.backoff_ms.saturating_mul(1 << (attempt - 1).min(16));
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(backoff)) => {}
                    _ = shutdown.changed() => return false,
                }
            }
        }
        true
    }
}

/// The error with its sources, so "connection refused" is visible in the log.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
