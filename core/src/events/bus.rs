//! The event bus (cargo feature `event-bus`): several app instances behind a load balancer
//! share their callback events through one Redis stream, so that an action's outcome reaches
//! the instance that waits for it, whichever instance the service posted it to.
//!
//! Every instance publishes each new event it receives itself ([`EventProcessor::process_events`],
//! [`EventProcessor::process_event`], the callback listener) and dispatches every event the
//! other instances published, as if it had received it too. Waiters, subscriptions, handlers,
//! participant rosters and duplicate detection therefore behave as in one process.
//!
//! - **Redis Streams**: one `XADD <key> MAXLEN ~ <max_len> * i <instance> e <event>` per event
//!   (pipelined), and one blocking `XREAD BLOCK … STREAMS <key> <last id>` loop per instance.
//!   A reconnecting instance resumes from the last id it saw, so nothing is lost across a
//!   disconnect shorter than the stream's length bound.
//! - **Off the request path**: publishing only puts the event into a bounded in-memory outbox
//!   ([`EventBusConfig::outbox_capacity`]); a background task writes it to Redis. A slow or
//!   unreachable Redis never delays the answer to the service.
//! - **Redis down**: events are still dispatched locally at once; the outbox keeps them and
//!   they are published once Redis is back. When the outbox is full, further events are not
//!   published and [`EventBusStats::outbox_overflow`] counts them (with a warning log).
//! - **Redis restarted without its data**: every instance re-publishes what it published during
//!   the last [`EventBusConfig::replay_window`], because entries not yet read by every instance
//!   were lost with the old server; the receivers drop what they already had by event id.
//! - **What it carries**: each event as the service posted it (the CloudEvents JSON: id, type,
//!   source, time, data) plus a random instance id. No access key, no connection string, no
//!   callback `Authorization` token, no HTTP header. Events are only published after the
//!   listener verified them (when it has a verifier), and instances trust the stream.
//!
//! ```no_run
//! # async fn demo() -> callsteer::Result<()> {
//! use callsteer::{CallAutomationClient, ClientOptions};
//! let options = ClientOptions {
//!     event_bus_url: Some("rediss://:password@cache.example:6380/0".into()),
//!     ..Default::default()
//! };
//! let client = CallAutomationClient::from_connection_string_with_options(
//!     "endpoint=https://acs.example/;accesskey=c2VjcmV0",
//!     options,
//! )?;
//! // Feed callbacks to client.event_processor() as usual; waits now see every instance's.
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::streams::StreamReadReply;
use redis::AsyncConnectionConfig;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::model::CallAutomationEvent;
use super::parse::parse_events;
use super::processor::EventProcessor;
use crate::error::{Error, Result};

/// Limits and names of an [`EventBus`].
#[derive(Debug, Clone)]
pub struct EventBusConfig {
    /// The Redis stream every instance of one application shares (default `callsteer:events`).
    pub stream_key: String,
    /// Approximate length bound of the stream (`MAXLEN ~`, default 100 000 entries): how far
    /// back a reconnecting instance can resume.
    pub max_len: usize,
    /// Events waiting to be published (default 10 000); beyond, events are counted in
    /// [`EventBusStats::outbox_overflow`] and not published.
    pub outbox_capacity: usize,
    /// At most this many events per pipelined write and per read (default 256).
    pub batch_size: usize,
    /// How long one `XREAD` blocks before it is reissued (default 1 s).
    pub read_block: Duration,
    /// Longest wait between reconnection attempts (default 1 s; starts at 20 ms, doubles).
    pub max_reconnect_delay: Duration,
    /// After Redis restarted without its data, the events published this recently are
    /// published again (default 30 s).
    pub replay_window: Duration,
}

impl Default for EventBusConfig {
    fn default() -> Self {
        EventBusConfig {
            stream_key: "callsteer:events".into(),
            max_len: 100_000,
            outbox_capacity: 10_000,
            batch_size: 256,
            read_block: Duration::from_secs(1),
            max_reconnect_delay: Duration::from_secs(1),
            replay_window: Duration::from_secs(30),
        }
    }
}

/// Counters of an [`EventBus`], for monitoring and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventBusStats {
    /// Events written to the stream (replays included).
    pub published: u64,
    /// Events waiting in the outbox.
    pub outbox_len: usize,
    /// Events that were not published because the outbox was full.
    pub outbox_overflow: u64,
    /// Entries of other instances read from the stream.
    pub received: u64,
    /// Of those, the ones new to this processor (the rest were duplicates).
    pub dispatched: u64,
    /// Entries that could not be read as events (logged, skipped).
    pub malformed: u64,
    /// Connections (re-)established after a failure.
    pub reconnects: u64,
    /// Events published again after Redis restarted without its data.
    pub replayed: u64,
    /// True while the reading connection is up.
    pub connected: bool,
}

#[derive(Default)]
struct Counters {
    published: AtomicU64,
    queued: AtomicU64,
    overflow: AtomicU64,
    received: AtomicU64,
    dispatched: AtomicU64,
    malformed: AtomicU64,
    reconnects: AtomicU64,
    replayed: AtomicU64,
    connected: AtomicBool,
}

struct Outgoing {
    id_is_empty: bool,
    json: String,
}

/// Publishes this instance's events to a Redis stream and dispatches the other instances'.
///
/// Built by the client from [`ClientOptions::event_bus_url`](crate::ClientOptions); or by hand
/// with [`EventBus::start`] for a processor of your own. Dropping it stops both background
/// tasks (events still in the outbox are then not published).
pub struct EventBus {
    instance_id: String,
    counters: Arc<Counters>,
    stop: watch::Sender<bool>,
}

impl std::fmt::Debug for EventBus {
    // The URL may hold a password: never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("instance_id", &self.instance_id)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Drop for EventBus {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl EventBus {
    /// Connects `processor` to the stream at `url` (`redis://[user:password@]host[:port][/db]`,
    /// `rediss://…` for TLS). Returns at once: connecting happens in the background and is
    /// retried until it works; events from the moment of this call on are received.
    ///
    /// Runs on the current Tokio runtime, or on a small thread of its own outside one.
    /// Fails, naming `event_bus_url`, for a URL that is not a Redis URL (the URL itself is not
    /// repeated: it may hold a password), or if the processor already has a bus.
    pub fn start(url: &str, processor: EventProcessor, config: EventBusConfig) -> Result<Self> {
        let client = open(url)?;
        if config.stream_key.is_empty() {
            return Err(Error::invalid("stream_key", "must not be empty"));
        }
        let config = EventBusConfig {
            batch_size: config.batch_size.max(1),
            outbox_capacity: config.outbox_capacity.max(1),
            ..config
        };
        let instance_id = uuid::Uuid::new_v4().simple().to_string();
        let counters = Arc::new(Counters::default());
        let (tx, rx) = mpsc::channel::<Outgoing>(config.outbox_capacity);
        let installed = {
            let counters = Arc::clone(&counters);
            processor.set_publisher(Box::new(move |event: &CallAutomationEvent| {
                // The handshake is answered by whoever got it; nobody else needs it.
                if matches!(event, CallAutomationEvent::SubscriptionValidation { .. }) {
                    return;
                }
                let item = Outgoing {
                    id_is_empty: event.id().is_empty(),
                    json: event.to_cloud_event_json().to_string(),
                };
                match tx.try_send(item) {
                    Ok(()) => {
                        counters.queued.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        counters.overflow.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(
                            event_type = event.event_type(),
                            "event bus outbox full; event not published to other instances"
                        );
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {
                        counters.overflow.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!("event bus stopped; event not published");
                    }
                }
            }))
        };
        if !installed {
            return Err(Error::invalid(
                "event_bus_url",
                "this event processor is already connected to an event bus",
            ));
        }
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Task {
            client,
            config,
            instance_id: instance_id.clone(),
            counters: Arc::clone(&counters),
            started: Instant::now(),
            run_id: Mutex::new(None),
        });
        let publisher = publish_loop(Arc::clone(&shared), rx, stop_rx.clone());
        let consumer = consume_loop(shared, processor, stop_rx);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(publisher);
                handle.spawn(consumer);
            }
            Err(_) => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Error::transport(format!("event bus runtime: {e}")))?;
                std::thread::Builder::new()
                    .name("callsteer-event-bus".into())
                    .spawn(move || {
                        runtime.block_on(async move {
                            let publisher = tokio::spawn(publisher);
                            let _ = consumer.await;
                            let _ = publisher.await;
                        })
                    })
                    .map_err(|e| Error::transport(format!("event bus thread: {e}")))?;
            }
        }
        Ok(EventBus {
            instance_id,
            counters,
            stop,
        })
    }

    /// Stops both background tasks now (dropping the bus does the same): from then on
    /// events are neither published nor received. For a shutdown; idempotent.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// This instance's random id, as written with its events.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// Current counters.
    pub fn stats(&self) -> EventBusStats {
        let c = &self.counters;
        let queued = c.queued.load(Ordering::Relaxed);
        let published = c.published.load(Ordering::Relaxed);
        let replayed = c.replayed.load(Ordering::Relaxed);
        EventBusStats {
            published,
            outbox_len: queued.saturating_sub(published.saturating_sub(replayed)) as usize,
            outbox_overflow: c.overflow.load(Ordering::Relaxed),
            received: c.received.load(Ordering::Relaxed),
            dispatched: c.dispatched.load(Ordering::Relaxed),
            malformed: c.malformed.load(Ordering::Relaxed),
            reconnects: c.reconnects.load(Ordering::Relaxed),
            replayed,
            connected: c.connected.load(Ordering::Relaxed),
        }
    }
}

/// Parses an event bus URL without ever echoing it.
fn open(url: &str) -> Result<redis::Client> {
    let scheme = url.split("://").next().unwrap_or_default();
    if !matches!(scheme, "redis" | "rediss" | "redis+unix" | "unix") || !url.contains("://") {
        return Err(Error::invalid(
            "event_bus_url",
            "must be a redis://, rediss:// or unix:// URL",
        ));
    }
    redis::Client::open(url).map_err(|e| {
        Error::invalid(
            "event_bus_url",
            format!("is not a valid Redis URL ({:?})", e.kind()),
        )
    })
}

struct Task {
    client: redis::Client,
    config: EventBusConfig,
    instance_id: String,
    counters: Arc<Counters>,
    started: Instant,
    // The server's run_id at the last connection: a new one means it restarted.
    run_id: Mutex<Option<String>>,
}

impl Task {
    async fn connect(
        &self,
        response_timeout: Duration,
    ) -> redis::RedisResult<MultiplexedConnection> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(response_timeout));
        self.client
            .get_multiplexed_async_connection_with_config(&config)
            .await
    }

    /// True if the server restarted since the previous call (not on the first).
    async fn server_restarted(&self, conn: &mut MultiplexedConnection) -> redis::RedisResult<bool> {
        let info: String = redis::cmd("INFO").arg("server").query_async(conn).await?;
        let run_id = info
            .lines()
            .find_map(|l| l.strip_prefix("run_id:"))
            .map(|s| s.trim().to_string());
        let mut known = self.run_id.lock().unwrap_or_else(|p| p.into_inner());
        let restarted = matches!((&*known, &run_id), (Some(a), Some(b)) if a != b);
        if run_id.is_some() {
            *known = run_id;
        }
        Ok(restarted)
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Sleeps `delay` unless told to stop; true if told to stop.
async fn pause(stop: &mut watch::Receiver<bool>, delay: Duration) -> bool {
    tokio::select! {
        _ = stopped(stop) => true,
        _ = tokio::time::sleep(delay) => false,
    }
}

fn next_delay(delay: Duration, max: Duration) -> Duration {
    (delay * 2).min(max.max(Duration::from_millis(20)))
}

const FIRST_DELAY: Duration = Duration::from_millis(20);

async fn publish_loop(
    task: Arc<Task>,
    mut rx: mpsc::Receiver<Outgoing>,
    mut stop: watch::Receiver<bool>,
) {
    let config = &task.config;
    let counters = &task.counters;
    let mut conn: Option<MultiplexedConnection> = None;
    let mut batch: VecDeque<Outgoing> = VecDeque::new();
    // What was published recently (id-bearing events only), for a replay after a restart.
    let mut recent: VecDeque<(Instant, String)> = VecDeque::new();
    let mut delay = FIRST_DELAY;
    let mut failed = false;
    loop {
        if batch.is_empty() {
            let idle = tokio::select! {
                _ = stopped(&mut stop) => return,
                item = rx.recv() => match item {
                    Some(item) => {
                        batch.push_back(item);
                        false
                    }
                    None => return,
                },
                _ = tokio::time::sleep(config.read_block) => true,
            };
            // Idle: look at the server anyway, so that a restart is noticed (and the recent
            // events replayed) without waiting for the next event.
            if idle {
                match conn.take() {
                    Some(mut c) => match task.server_restarted(&mut c).await {
                        Ok(false) => {
                            conn = Some(c);
                            continue;
                        }
                        Ok(true) => {
                            replay(&recent, config, counters, &mut batch);
                            conn = Some(c);
                        }
                        Err(_) => failed = true,
                    },
                    None if recent.is_empty() => continue,
                    None => {}
                }
            }
        }
        while batch.len() < config.batch_size {
            match rx.try_recv() {
                Ok(item) => batch.push_back(item),
                Err(_) => break,
            }
        }
        let mut c = match conn.take() {
            Some(c) => c,
            None => match task.connect(Duration::from_secs(10)).await {
                Ok(mut c) => {
                    if failed {
                        counters.reconnects.fetch_add(1, Ordering::Relaxed);
                    }
                    match task.server_restarted(&mut c).await {
                        Ok(true) => replay(&recent, config, counters, &mut batch),
                        Ok(false) => {}
                        Err(e) => {
                            tracing::debug!(error = %e, "event bus: INFO failed");
                        }
                    }
                    c
                }
                Err(e) => {
                    failed = true;
                    tracing::warn!(error = %e, "event bus: cannot connect to Redis; retrying");
                    if pause(&mut stop, delay).await {
                        return;
                    }
                    delay = next_delay(delay, config.max_reconnect_delay);
                    continue;
                }
            },
        };
        if batch.is_empty() {
            conn = Some(c);
            continue;
        }
        let chunk = batch.len().min(config.batch_size.max(1) * 4);
        let mut pipe = redis::pipe();
        for item in batch.iter().take(chunk) {
            pipe.cmd("XADD")
                .arg(&config.stream_key)
                .arg("MAXLEN")
                .arg("~")
                .arg(config.max_len)
                .arg("*")
                .arg("i")
                .arg(&task.instance_id)
                .arg("e")
                .arg(&item.json)
                .ignore();
        }
        let sent = tokio::select! {
            _ = stopped(&mut stop) => return,
            sent = pipe.query_async::<()>(&mut c) => sent,
        };
        match sent {
            Ok(()) => {
                let now = Instant::now();
                for item in batch.drain(..chunk) {
                    if !item.id_is_empty {
                        recent.push_back((now, item.json));
                    }
                }
                counters
                    .published
                    .fetch_add(chunk as u64, Ordering::Relaxed);
                while recent.len() > config.outbox_capacity
                    || recent
                        .front()
                        .is_some_and(|(at, _)| now.duration_since(*at) > config.replay_window)
                {
                    recent.pop_front();
                }
                conn = Some(c);
                delay = FIRST_DELAY;
                failed = false;
            }
            Err(e) => {
                // Whether the server applied it is unknown: sending again may duplicate
                // entries, which receivers drop by event id.
                failed = true;
                tracing::warn!(error = %e, "event bus: publishing failed; retrying");
                if pause(&mut stop, delay).await {
                    return;
                }
                delay = next_delay(delay, config.max_reconnect_delay);
            }
        }
    }
}

/// Puts the events published within the replay window back in front of the batch.
fn replay(
    recent: &VecDeque<(Instant, String)>,
    config: &EventBusConfig,
    counters: &Counters,
    batch: &mut VecDeque<Outgoing>,
) {
    let now = Instant::now();
    let replay: Vec<&String> = recent
        .iter()
        .filter(|(at, _)| now.saturating_duration_since(*at) <= config.replay_window)
        .map(|(_, json)| json)
        .collect();
    tracing::warn!(
        events = replay.len(),
        "Redis restarted without its data; publishing recent events again"
    );
    for json in replay.into_iter().rev() {
        counters.replayed.fetch_add(1, Ordering::Relaxed);
        batch.push_front(Outgoing {
            id_is_empty: false,
            json: json.clone(),
        });
    }
}

/// The stream id of the moment this bus was started, in the server's clock: `TIME` now minus
/// the time elapsed since, so client and server clocks need not agree.
async fn start_id(task: &Task, conn: &mut MultiplexedConnection) -> redis::RedisResult<String> {
    let (secs, micros): (u64, u64) = redis::cmd("TIME").query_async(conn).await?;
    let now_ms = secs * 1000 + micros / 1000;
    let elapsed = task.started.elapsed().as_millis() as u64;
    Ok(format!("{}-0", now_ms.saturating_sub(elapsed + 1)))
}

fn parse_id(id: &str) -> (u64, u64) {
    let mut parts = id.splitn(2, '-');
    let ms = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let seq = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (ms, seq)
}

async fn consume_loop(task: Arc<Task>, processor: EventProcessor, mut stop: watch::Receiver<bool>) {
    let config = &task.config;
    let counters = &task.counters;
    let block_ms = config.read_block.as_millis().max(1) as u64;
    let mut last_id: Option<String> = None;
    let mut delay = FIRST_DELAY;
    let mut failed = false;
    let mut known_run_id: Option<String> = None;
    loop {
        let connected = tokio::select! {
            _ = stopped(&mut stop) => return,
            c = task.connect(config.read_block + Duration::from_secs(10)) => c,
        };
        let mut conn = match connected {
            Ok(c) => c,
            Err(e) => {
                failed = true;
                tracing::debug!(error = %e, "event bus reader: cannot connect; retrying");
                if pause(&mut stop, delay).await {
                    return;
                }
                delay = next_delay(delay, config.max_reconnect_delay);
                continue;
            }
        };
        let position = async {
            let info: String = redis::cmd("INFO")
                .arg("server")
                .query_async(&mut conn)
                .await?;
            let run_id = info
                .lines()
                .find_map(|l| l.strip_prefix("run_id:"))
                .map(|s| s.trim().to_string());
            let id = match last_id.clone() {
                None => start_id(&task, &mut conn).await?,
                Some(id) => {
                    // A server that lost its data (or another server) may have a stream that
                    // ends before our position; read it from its start then.
                    let restarted =
                        matches!((&known_run_id, &run_id), (Some(a), Some(b)) if a != b);
                    if restarted {
                        let tail: Vec<(String, Vec<(String, String)>)> = redis::cmd("XREVRANGE")
                            .arg(&config.stream_key)
                            .arg("+")
                            .arg("-")
                            .arg("COUNT")
                            .arg(1)
                            .query_async(&mut conn)
                            .await?;
                        match tail.first() {
                            Some((top, _)) if parse_id(top) >= parse_id(&id) => id,
                            _ => "0-0".to_string(),
                        }
                    } else {
                        id
                    }
                }
            };
            redis::RedisResult::Ok((id, run_id))
        };
        let (mut position, run_id) = match position.await {
            Ok(p) => p,
            Err(e) => {
                failed = true;
                tracing::debug!(error = %e, "event bus reader: setup failed; retrying");
                if pause(&mut stop, delay).await {
                    return;
                }
                delay = next_delay(delay, config.max_reconnect_delay);
                continue;
            }
        };
        if run_id.is_some() {
            known_run_id = run_id;
        }
        if failed {
            counters.reconnects.fetch_add(1, Ordering::Relaxed);
        }
        delay = FIRST_DELAY;
        counters.connected.store(true, Ordering::Relaxed);
        loop {
            let mut xread = redis::cmd("XREAD");
            xread
                .arg("COUNT")
                .arg(config.batch_size)
                .arg("BLOCK")
                .arg(block_ms)
                .arg("STREAMS")
                .arg(&config.stream_key)
                .arg(&position);
            let read = xread.query_async::<Option<StreamReadReply>>(&mut conn);
            let reply = tokio::select! {
                _ = stopped(&mut stop) => {
                    counters.connected.store(false, Ordering::Relaxed);
                    return;
                }
                reply = read => reply,
            };
            let reply = match reply {
                Ok(reply) => reply,
                Err(e) => {
                    tracing::warn!(error = %e, "event bus reader: Redis connection lost; reconnecting");
                    break;
                }
            };
            for key in reply.map(|r| r.keys).unwrap_or_default() {
                for entry in key.ids {
                    position = entry.id.clone();
                    let from: Option<String> = entry.get("i");
                    if from.as_deref() == Some(task.instance_id.as_str()) {
                        continue;
                    }
                    counters.received.fetch_add(1, Ordering::Relaxed);
                    let body: Option<Vec<u8>> = entry.get("e");
                    let events = body.as_deref().map(parse_events);
                    match events {
                        Some(Ok(events)) => {
                            for event in events {
                                if processor.process_remote_event(event) {
                                    counters.dispatched.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        }
                        _ => {
                            counters.malformed.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(entry = %entry.id, "event bus: unreadable entry skipped");
                        }
                    }
                }
            }
        }
        counters.connected.store(false, Ordering::Relaxed);
        failed = true;
        last_id = Some(position);
        if pause(&mut stop, delay).await {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_name_the_field_and_hide_the_url() {
        for url in ["http://h:1", "", "redis//nope", "rediss://:sekrit@[::1"] {
            let err = open(url).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("event_bus_url"), "{url}: {err}");
            assert!(!err.contains("sekrit"), "{err}");
        }
        assert!(open("redis://127.0.0.1:6379/0").is_ok());
        assert!(open("rediss://user:pw@cache.example:6380").is_ok());
    }

    #[test]
    fn the_url_never_shows_in_debug_and_a_bad_one_fails_the_client() {
        let options = crate::ClientOptions {
            event_bus_url: Some("rediss://:sekrit@cache.example:6380/0".into()),
            ..Default::default()
        };
        let shown = format!("{options:?}");
        assert!(
            !shown.contains("sekrit") && shown.contains("<redacted>"),
            "{shown}"
        );
        let bad = crate::ClientOptions {
            event_bus_url: Some("http://:sekrit@cache.example".into()),
            ..Default::default()
        };
        let err = crate::CallAutomationClient::from_connection_string_with_options(
            "endpoint=http://127.0.0.1:1/;accesskey=c2VjcmV0",
            bad,
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("event_bus_url") && !err.contains("sekrit"),
            "{err}"
        );
    }

    #[test]
    fn only_new_local_events_are_published_and_bus_events_never_again() {
        let processor = EventProcessor::new();
        let published = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&published);
        assert!(
            processor.set_publisher(Box::new(move |e: &CallAutomationEvent| {
                sink.lock().unwrap().push(e.id().to_string());
            }))
        );
        assert!(!processor.set_publisher(Box::new(|_: &CallAutomationEvent| {})));
        let body = |id: &str| {
            format!(
                r#"[{{"id":"{id}","type":"Microsoft.Communication.CallConnected","source":"calling/callConnections/c","data":{{"callConnectionId":"c"}}}}]"#
            )
        };
        processor.process_events(body("a").as_bytes()).unwrap();
        processor.process_events(body("a").as_bytes()).unwrap();
        for event in parse_events(body("b").as_bytes()).unwrap() {
            assert!(processor.process_remote_event(event));
        }
        processor.process_events(body("b").as_bytes()).unwrap();
        assert_eq!(*published.lock().unwrap(), vec!["a".to_string()]);
    }

    #[test]
    fn starts_outside_a_tokio_runtime_as_the_bindings_do() {
        // Nothing listens on port 1: the bus keeps retrying in its own thread, without error.
        let processor = EventProcessor::new();
        let bus = EventBus::start(
            "redis://127.0.0.1:1/0",
            processor.clone(),
            Default::default(),
        )
        .expect("started on its own thread");
        assert!(!bus.stats().connected);
        let body = br#"[{"id":"x","type":"Microsoft.Communication.CallConnected","source":"calling/callConnections/c","data":{"callConnectionId":"c"}}]"#;
        assert_eq!(processor.process_events(body).unwrap().len(), 1);
        assert_eq!(bus.stats().outbox_overflow, 0);
    }

    #[test]
    fn stream_ids_order_numerically() {
        assert!(parse_id("10-0") > parse_id("9-5"));
        assert!(parse_id("10-10") > parse_id("10-9"));
    }
}
