//! The app side of callbacks: an HTTP server that answers the Event Grid handshake, records every
//! delivery with the path it came to, and feeds the client's event processor.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use callsteer::events::EventProcessor;
use serde_json::Value;
use tokio::sync::Notify;

/// One event as it arrived: the path it was posted to and its raw JSON.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub path: String,
    /// Short type name, e.g. `CallConnected`.
    pub event_type: String,
    pub call_connection_id: Option<String>,
    pub data: Value,
}

#[derive(Clone, Default)]
struct Shared {
    log: Arc<Mutex<Vec<Delivered>>>,
    notify: Arc<Notify>,
    processor: Arc<Mutex<Option<EventProcessor>>>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn short_type(t: &str) -> String {
    t.rsplit('.').next().unwrap_or(t).to_string()
}

async fn receive(State(shared): State<Shared>, uri: Uri, body: Bytes) -> impl IntoResponse {
    let Ok(json) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, String::from("not JSON"));
    };
    let events = match json {
        Value::Array(items) => items,
        other => vec![other],
    };
    for event in &events {
        let event_type = event
            .get("type")
            .or_else(|| event.get("eventType"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if event_type == "Microsoft.EventGrid.SubscriptionValidationEvent" {
            let code = event["data"]["validationCode"].clone();
            return (
                StatusCode::OK,
                serde_json::json!({ "validationResponse": code }).to_string(),
            );
        }
    }
    // The processor sees the same bytes an app would give it.
    let processor = shared.processor.lock().unwrap().clone();
    if let Some(processor) = processor {
        if let Err(e) = processor.process_events(&body) {
            return (StatusCode::BAD_REQUEST, e.to_string());
        }
    }
    {
        let mut log = shared.log.lock().unwrap();
        for event in events {
            let data = event.get("data").cloned().unwrap_or(Value::Null);
            log.push(Delivered {
                path: uri.path().to_string(),
                event_type: short_type(
                    event
                        .get("type")
                        .or_else(|| event.get("eventType"))
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                ),
                call_connection_id: data
                    .get("callConnectionId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                data,
            });
        }
    }
    shared.notify.notify_waiters();
    (StatusCode::OK, String::new())
}

impl Receiver {
    pub async fn start() -> std::io::Result<Self> {
        let shared = Shared::default();
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Receiver { addr, shared, task })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Events from now on also go to `processor`.
    pub fn feed(&self, processor: EventProcessor) {
        *self.shared.processor.lock().unwrap() = Some(processor);
    }

    pub fn len(&self) -> usize {
        self.shared.log.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn log(&self) -> Vec<Delivered> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Waits until an event at index ≥ `from` satisfies `matches`; returns its index.
    pub async fn wait_for(
        &self,
        from: usize,
        timeout: Duration,
        matches: impl Fn(&Delivered) -> bool,
    ) -> Option<usize> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a delivery between check and wait is not missed.
            notified.as_mut().enable();
            {
                let log = self.shared.log.lock().unwrap();
                if let Some(i) = log.iter().skip(from).position(&matches) {
                    return Some(from + i);
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }
}
