//! Outgoing events: one ordered queue per call connection (and per Event Grid webhook), with
//! JWT-signed POSTs, bounded retries with exponential backoff, and a log of every attempt that
//! the admin API exposes.
//!
//! A call's queue (and the task draining it) lives as long as the call: it is closed when the
//! call ends and its task exits once the last event is delivered; the call's log goes when the
//! world forgets the call. The Event Grid log keeps the latest [`EVENTGRID_KEPT`] events.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// A queued delivery. It carries its event, so that a call forgotten before its last events
/// went out still has them delivered (only their attempts are no longer recorded).
struct Pending {
    log_key: String,
    seq: u64,
    url: String,
    channel: Channel,
    event: serde_json::Value,
    event_type: String,
}

/// IncomingCall events kept in the `eventgrid` log (they belong to no call, so nothing else
/// ends them).
pub const EVENTGRID_KEPT: usize = 10_000;

struct Inner {
    /// Per log key (call connection id, or `eventgrid`): its events in production order
    /// (increasing `seq`).
    log: HashMap<String, VecDeque<EventRecord>>,
    /// Open queues; a worker task drains each and ends when its sender is dropped.
    queues: HashMap<String, mpsc::UnboundedSender<Pending>>,
    /// Queues of ended calls: a late event gets a worker of its own that ends once it is
    /// delivered, so no task waits on a dead call.
    closed: HashSet<String>,
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
    /// Worker tasks alive right now.
    workers: Arc<AtomicUsize>,
}

/// Counts one running worker task for as long as it lives.
struct WorkerGuard(Arc<AtomicUsize>);

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
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
                closed: HashSet::new(),
                seq: 0,
            }),
            shutdown,
            live,
            workers: Arc::new(AtomicUsize::new(0)),
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
        let message = Pending {
            log_key: log_key.to_string(),
            seq: record.seq,
            url: record.url.clone(),
            channel,
            event: record.event.clone(),
            event_type: record.event_type.clone(),
        };
        let records = inner.log.entry(log_key.to_string()).or_default();
        records.push_back(record);
        if log_key == "eventgrid" {
            while records.len() > EVENTGRID_KEPT {
                records.pop_front();
            }
        }
        if inner.closed.contains(queue_key) {
            let (tx, rx) = mpsc::unbounded_channel();
            let _ = tx.send(message);
            self.spawn_worker(rx);
            return;
        }
        let sender = match inner.queues.get(queue_key) {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (tx, rx) = mpsc::unbounded_channel();
                inner.queues.insert(queue_key.to_string(), tx.clone());
                self.spawn_worker(rx);
                tx
            }
        };
        let _ = sender.send(message);
    }

    fn spawn_worker(self: &Arc<Self>, rx: mpsc::UnboundedReceiver<Pending>) {
        self.workers.fetch_add(1, Ordering::Relaxed);
        let guard = WorkerGuard(Arc::clone(&self.workers));
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let _guard = guard;
            me.worker(rx).await
        });
    }

    /// The queue's owner ended: its worker finishes what is queued, then exits.
    pub fn close(&self, queue_key: &str) {
        let mut inner = self.lock();
        inner.queues.remove(queue_key);
        inner.closed.insert(queue_key.to_string());
    }

    /// Drops everything kept for a log/queue key (a forgotten call). An event still waiting
    /// to be delivered is still delivered.
    pub fn forget(&self, key: &str) {
        let mut inner = self.lock();
        inner.log.remove(key);
        inner.queues.remove(key);
        inner.closed.remove(key);
    }

    /// `(worker tasks alive, open queues, logs kept)`.
    pub fn stats(&self) -> (usize, usize, usize) {
        let inner = self.lock();
        (
            self.workers.load(Ordering::Relaxed),
            inner.queues.len(),
            inner.log.len(),
        )
    }

    pub fn events_for(&self, log_key: &str) -> Vec<EventRecord> {
        self.lock()
            .log
            .get(log_key)
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }

    async fn worker(self: Arc<Self>, mut rx: mpsc::UnboundedReceiver<Pending>) {
        let mut shutdown = self.shutdown.clone();
        loop {
            let next = tokio::select! {
                next = rx.recv() => next,
                _ = shutdown.changed() => None,
            };
            let Some(pending) = next else { return };
            if !self.deliver(pending).await {
                return;
            }
        }
    }

    /// Delivers one event with retries; returns false when shutting down.
    async fn deliver(&self, pending: Pending) -> bool {
        let Pending {
            log_key,
            seq,
            url,
            channel,
            event,
            event_type,
        } = pending;
        let log_key = log_key.as_str();
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
                if let Some(record) = inner
                    .log
                    .get_mut(log_key)
                    .and_then(|l| record_at_mut(l, seq))
                {
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

fn record_at_mut(log: &mut VecDeque<EventRecord>, seq: u64) -> Option<&mut EventRecord> {
    log.binary_search_by_key(&seq, |r| r.seq)
        .ok()
        .and_then(|i| log.get_mut(i))
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
