//! The event bus's cost (issue 20): callback arrival → waiter woken on another instance through
//! Redis, against the same on one instance (in-process), and the events/s one Redis carries
//! between three instances. Starts its own `redis-server` (no persistence) on a free port.
//!
//! `cargo run --profile bench-release -p callsteer-bench --features event-bus --bin bus [-- N]`
//! Prints numbers; asserts none.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use callsteer::events::bus::{EventBus, EventBusConfig};
use callsteer::events::{listener, EventFilter, EventProcessor, OperationKind, PendingOperation};

struct RedisServer(std::process::Child);

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> (RedisServer, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let child = std::process::Command::new(&binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    (RedisServer(child), format!("redis://127.0.0.1:{port}/0"))
}

fn event(id: &str, call: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "type": "Microsoft.Communication.CallConnected",
        "source": format!("calling/callConnections/{call}"),
        "data": { "callConnectionId": call, "serverCallId": "s", "correlationId": "c" },
    })
}

struct Node {
    processor: EventProcessor,
    bus: EventBus,
    url: String,
    _listener: listener::ListenerHandle,
}

async fn node(redis: &str) -> Node {
    let processor = EventProcessor::with_config(callsteer::events::EventProcessorConfig {
        backlog_max_events: 1_000_000,
        dedup_window: 1_000_000,
        ..Default::default()
    });
    let config = EventBusConfig {
        outbox_capacity: 1_000_000,
        ..Default::default()
    };
    let bus = EventBus::start(redis, processor.clone(), config).expect("bus");
    let listener = listener::serve("127.0.0.1:0", processor.clone(), None)
        .await
        .expect("listener");
    while !bus.stats().connected {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Node {
        url: format!("http://{}/events", listener.local_addr()),
        processor,
        bus,
        _listener: listener,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Waiter on `waiter`, callback posted to `receiver`; time from sending the callback to the
/// waiter holding its outcome.
async fn latency(
    http: &reqwest::Client,
    waiter: &EventProcessor,
    receiver: &str,
    label: &str,
    n: usize,
) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let call = format!("{label}{i}");
        let op = PendingOperation::new(OperationKind::CreateCall, call.as_str());
        let processor = waiter.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (armed_tx, armed_rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let wait = processor.wait_for_outcome(&op, Duration::from_secs(30));
            let _ = armed_tx.send(());
            let outcome = wait.await;
            let _ = tx.send((Instant::now(), outcome.is_ok()));
        });
        let _ = armed_rx.await;
        tokio::task::yield_now().await;
        let body = serde_json::Value::Array(vec![event(&format!("{call}-e"), &call)]).to_string();
        let sent = Instant::now();
        let response = http.post(receiver).body(body).send().await.expect("post");
        assert!(response.status().is_success());
        let (woken, ok) = rx.await.expect("waiter");
        assert!(ok, "a waiter timed out");
        samples.push(woken.saturating_duration_since(sent));
    }
    samples.sort();
    samples
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let (_redis, url) = start_redis();
    let http = callsteer::transport::http_client_builder()
        .expect("http")
        .build()
        .expect("http");
    let nodes = [node(&url).await, node(&url).await, node(&url).await];

    // Warm-up: connections, JIT-free but caches and pools.
    let _ = latency(&http, &nodes[0].processor, &nodes[1].url, "warm", 100).await;
    let local = latency(&http, &nodes[0].processor, &nodes[0].url, "local", n).await;
    let remote = latency(&http, &nodes[0].processor, &nodes[1].url, "remote", n).await;
    println!("callback arrival -> waiter woken ({n} events, one at a time)");
    for (name, s) in [
        ("in-process (same instance)", &local),
        ("other instance via Redis", &remote),
    ] {
        println!(
            "  {name:<28} p50 {:>8.1?}  p99 {:>8.1?}",
            percentile(s, 0.50),
            percentile(s, 0.99)
        );
    }

    // Throughput: bodies of 10 events posted round-robin to three instances; done when every
    // instance has dispatched every event (two thirds of them through Redis).
    let total = n * 10;
    let batch = 10;
    let counters: Vec<Arc<AtomicUsize>> = nodes
        .iter()
        .map(|node| {
            let c = Arc::new(AtomicUsize::new(0));
            let counted = Arc::clone(&c);
            node.processor
                .on(EventFilter::of_type("CallConnected"), move |e| {
                    if e.id().starts_with("tp") {
                        counted.fetch_add(1, Ordering::Relaxed);
                    }
                });
            c
        })
        .collect();
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let urls: Arc<Vec<String>> = Arc::new(nodes.iter().map(|n| n.url.clone()).collect());
    let mut posters = Vec::new();
    for _ in 0..32 {
        let (http, next, urls) = (http.clone(), Arc::clone(&next), Arc::clone(&urls));
        posters.push(tokio::spawn(async move {
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b * batch >= total {
                    return;
                }
                let events: Vec<_> = (0..batch)
                    .map(|k| {
                        event(
                            &format!("tp{}", b * batch + k),
                            &format!("tpcall{}", b * batch + k),
                        )
                    })
                    .collect();
                let body = serde_json::Value::Array(events).to_string();
                let _ = http.post(&urls[b % urls.len()]).body(body).send().await;
            }
        }));
    }
    for p in posters {
        let _ = p.await;
    }
    while counters.iter().any(|c| c.load(Ordering::Relaxed) < total) {
        tokio::time::sleep(Duration::from_millis(2)).await;
        if started.elapsed() > Duration::from_secs(300) {
            break;
        }
    }
    let elapsed = started.elapsed();
    let seen: Vec<usize> = counters.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    println!(
        "three instances: {total} events posted in bodies of {batch}; every instance dispatched {seen:?} in {elapsed:.2?}: {:.0} events/s (each written to Redis once, read by two instances)",
        total as f64 / elapsed.as_secs_f64(),
    );
    for (i, node) in nodes.iter().enumerate() {
        println!("  instance {i}: {:?}", node.bus.stats());
    }
}
