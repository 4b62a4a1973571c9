//! `callsteer-bench`: the Rust side of `make bench`. Every subcommand runs one measurement
//! round and prints one JSON object on stdout; bench/run.py interleaves rounds and aggregates
//! them.
//!
//! ```text
//! callsteer-bench actions  --contender floor|rust --op sequence|get --inflight N --seconds S
//!                          --conn CONNECTION_STRING --callback URL
//! callsteer-bench events   --body FILE --stream FILE --seconds S
//! callsteer-bench waiter   --count N
//! callsteer-bench memory   --file FILE (one body per tracked call)
//! callsteer-bench sink                      (prints SINK_URL=…, counts POSTs until killed)
//! callsteer-bench capacity --conn CS --emulator-pid PID --calls N --seconds S
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod floor;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!(
            "usage: callsteer-bench actions|events|waiter|memory|sink|capacity [--flag value]…"
        );
        std::process::exit(2);
    };
    let flags = parse_flags(args);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("callsteer-bench: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(async move {
        match command.as_str() {
            "actions" => actions(&flags).await,
            "events" => events(&flags),
            "waiter" => waiter(&flags).await,
            "memory" => memory(&flags),
            "sink" => sink().await,
            "capacity" => capacity(&flags).await,
            other => Err(format!("unknown command {other}").into()),
        }
    });
    match result {
        Ok(value) => println!("{value}"),
        Err(e) => {
            eprintln!(
                "callsteer-bench {}: {e}",
                std::env::args().nth(1).unwrap_or_default()
            );
            std::process::exit(1);
        }
    }
}

fn parse_flags(args: impl Iterator<Item = String>) -> HashMap<String, String> {
    let mut flags = HashMap::new();
    let mut key: Option<String> = None;
    for arg in args {
        if let Some(name) = arg.strip_prefix("--") {
            if let Some(previous) = key.replace(name.to_string()) {
                flags.insert(previous, "true".to_string());
            }
        } else if let Some(name) = key.take() {
            flags.insert(name, arg);
        }
    }
    if let Some(name) = key {
        flags.insert(name, "true".to_string());
    }
    flags
}

fn flag<'a>(flags: &'a HashMap<String, String>, name: &str) -> Result<&'a str, BoxError> {
    flags
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| format!("--{name} is required").into())
}

fn flag_num<T: std::str::FromStr>(
    flags: &HashMap<String, String>,
    name: &str,
    default: T,
) -> Result<T, BoxError> {
    match flags.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| format!("--{name}: not a number: {v}").into()),
    }
}

/// p50 / p99 in milliseconds of latencies in microseconds.
fn percentiles(mut latencies_us: Vec<f64>) -> (f64, f64) {
    if latencies_us.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    latencies_us.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        let index = ((latencies_us.len() as f64 - 1.0) * q).round() as usize;
        latencies_us[index.min(latencies_us.len() - 1)] / 1000.0
    };
    (at(0.50), at(0.99))
}

// ---------------------------------------------------------------------------------------------
// actions

/// One client under test: runs one operation (a whole sequence, or one GET) and returns.
#[derive(Clone)]
enum Contender {
    Floor(Arc<floor::FloorClient>),
    Rust(callsteer::CallAutomationClient),
}

const TARGET: &str = "8:acs:bench_target";
const ADDED: &str = "8:acs:bench_added";

impl Contender {
    async fn sequence(&self, callback: &str) -> Result<(), BoxError> {
        match self {
            Contender::Floor(client) => client.sequence(TARGET, ADDED, callback).await,
            Contender::Rust(client) => {
                use callsteer::{CallInvite, CommunicationIdentifier};
                let created = client
                    .create_call(
                        CallInvite::new(CommunicationIdentifier::communication_user(TARGET)),
                        callback,
                        Default::default(),
                    )
                    .await?;
                let call = client
                    .get_call_connection(&created.call_connection_properties.call_connection_id)?;
                let added = CommunicationIdentifier::communication_user(ADDED);
                call.add_participant(CallInvite::new(added.clone()), Default::default())
                    .await?;
                call.remove_participant(&added, Default::default()).await?;
                call.hang_up(false).await?;
                Ok(())
            }
        }
    }

    async fn get(&self, call_connection_id: &str) -> Result<(), BoxError> {
        match self {
            Contender::Floor(client) => client.get_call(call_connection_id).await,
            Contender::Rust(client) => {
                client
                    .get_call_connection(call_connection_id)?
                    .get_call_properties()
                    .await?;
                Ok(())
            }
        }
    }

    async fn create_for_get(&self, callback: &str) -> Result<String, BoxError> {
        match self {
            Contender::Floor(client) => client.create_call(TARGET, callback).await,
            Contender::Rust(client) => {
                use callsteer::{CallInvite, CommunicationIdentifier};
                let created = client
                    .create_call(
                        CallInvite::new(CommunicationIdentifier::communication_user(TARGET)),
                        callback,
                        Default::default(),
                    )
                    .await?;
                Ok(created.call_connection_properties.call_connection_id)
            }
        }
    }
}

async fn actions(flags: &HashMap<String, String>) -> Result<Value, BoxError> {
    let conn = flag(flags, "conn")?;
    let callback = flag(flags, "callback")?.to_string();
    let contender_name = flag(flags, "contender")?;
    let op = flag(flags, "op")?.to_string();
    let inflight: usize = flag_num(flags, "inflight", 1)?;
    let seconds: f64 = flag_num(flags, "seconds", 2.0)?;
    let warmup: f64 = flag_num(flags, "warmup", 0.3)?;
    let contender = match contender_name {
        "floor" => Contender::Floor(Arc::new(floor::FloorClient::new(conn)?)),
        "rust" => Contender::Rust(callsteer::CallAutomationClient::from_connection_string(
            conn,
        )?),
        other => return Err(format!("unknown contender {other}").into()),
    };
    let call_id = if op == "get" {
        contender.create_for_get(&callback).await?
    } else {
        String::new()
    };
    let run_once = |contender: Contender, callback: String, call_id: String, op: String| async move {
        if op == "get" {
            contender.get(&call_id).await
        } else {
            contender.sequence(&callback).await
        }
    };
    // Warm-up (connections, caches), untimed.
    let warm_until = Instant::now() + Duration::from_secs_f64(warmup);
    let mut tasks = Vec::new();
    for _ in 0..inflight {
        let (contender, callback, call_id, op) = (
            contender.clone(),
            callback.clone(),
            call_id.clone(),
            op.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while Instant::now() < warm_until {
                run_once(
                    contender.clone(),
                    callback.clone(),
                    call_id.clone(),
                    op.clone(),
                )
                .await?;
            }
            Ok::<(), BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    // Timed: `inflight` workers loop until the deadline; each records its latencies.
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..inflight {
        let (contender, callback, call_id, op) = (
            contender.clone(),
            callback.clone(),
            call_id.clone(),
            op.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                run_once(
                    contender.clone(),
                    callback.clone(),
                    call_id.clone(),
                    op.clone(),
                )
                .await?;
                latencies.push(t.elapsed().as_secs_f64() * 1e6);
            }
            Ok::<Vec<f64>, BoxError>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ops = latencies.len();
    let (p50, p99) = percentiles(latencies);
    Ok(json!({
        "contender": contender_name, "op": op, "inflight": inflight,
        "ops": ops, "seconds": elapsed, "ops_per_s": ops as f64 / elapsed,
        "p50_ms": p50, "p99_ms": p99,
    }))
}

// ---------------------------------------------------------------------------------------------
// events

fn events(flags: &HashMap<String, String>) -> Result<Value, BoxError> {
    let body = std::fs::read(flag(flags, "body")?)?;
    let stream_text = std::fs::read_to_string(flag(flags, "stream")?)?;
    let stream: Vec<&[u8]> = stream_text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::as_bytes)
        .collect();
    let seconds: f64 = flag_num(flags, "seconds", 1.0)?;

    let per_body = callsteer::parse_events(&body)?.len();
    let body_rate = rate(seconds, || {
        let events = callsteer::parse_events(&body).map_err(|e| e.to_string())?;
        // Touch what an app reads, as every other contender does.
        let mut n = 0;
        for event in &events {
            n += touch(event);
        }
        std::hint::black_box(n);
        Ok(events.len())
    })?;
    let stream_rate = rate(seconds, || {
        let mut count = 0;
        for one in &stream {
            let events = callsteer::parse_events(one).map_err(|e| e.to_string())?;
            for event in &events {
                std::hint::black_box(touch(event));
            }
            count += events.len();
        }
        Ok(count)
    })?;
    Ok(json!({
        "events_per_body": per_body,
        "body_events_per_s": body_rate,
        "stream_events_per_s": stream_rate,
    }))
}

/// Reads the fields an application typically reads (type, call id, context, participants).
fn touch(event: &callsteer::CallAutomationEvent) -> usize {
    let mut n = event.event_type().len();
    n += event.call_connection_id().map_or(0, str::len);
    n += event.operation_context().map_or(0, str::len);
    if let callsteer::CallAutomationEvent::ParticipantsUpdated(data) = event {
        for participant in &data.participants {
            n += participant.identifier.raw_id().len();
        }
    }
    n
}

/// Runs `f` repeatedly for about `seconds`; returns items per second.
fn rate(seconds: f64, mut f: impl FnMut() -> Result<usize, String>) -> Result<f64, BoxError> {
    // Warm-up.
    let warm = Instant::now();
    while warm.elapsed().as_secs_f64() < seconds / 5.0 {
        f()?;
    }
    let started = Instant::now();
    let mut items = 0usize;
    while started.elapsed().as_secs_f64() < seconds {
        items += f()?;
    }
    Ok(items as f64 / started.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------------------------------------
// waiter: callback POST → waiter woken, through the listener and the event processor

async fn waiter(flags: &HashMap<String, String>) -> Result<Value, BoxError> {
    let count: usize = flag_num(flags, "count", 2000)?;
    let processor = callsteer::EventProcessor::new();
    let listener =
        callsteer::events::listener::serve("127.0.0.1:0", processor.clone(), None).await?;
    let url = format!("http://{}/events", listener.local_addr());
    let http = callsteer::transport::http_client_builder()?.build()?;
    let mut latencies = Vec::with_capacity(count);
    for i in 0..count + 100 {
        let call_id = format!("bench-call-{i}");
        let body = json!([{
            "id": format!("evt-{i}"),
            "source": format!("calling/callConnections/{call_id}"),
            "type": "Microsoft.Communication.AddParticipantSucceeded",
            "specversion": "1.0",
            "time": "2026-01-01T00:00:00Z",
            "data": {
                "callConnectionId": call_id, "serverCallId": "server", "correlationId": "corr",
                "operationContext": "ctx",
                "participant": {"kind": "communicationUser", "rawId": ADDED,
                                 "communicationUser": {"id": ADDED}},
                "resultInformation": {"code": 200, "subCode": 0, "message": "ok"}
            }
        }])
        .to_string();
        let op = callsteer::PendingOperation::new(
            callsteer::OperationKind::AddParticipant,
            call_id.clone(),
        )
        .with_operation_context("ctx");
        let woken = Arc::new(AtomicU64::new(0));
        let waiter = {
            let processor = processor.clone();
            let woken = woken.clone();
            let base = Instant::now();
            let handle = tokio::spawn(async move {
                let outcome = processor
                    .wait_for_outcome(&op, Duration::from_secs(10))
                    .await;
                woken.store(base.elapsed().as_nanos() as u64, Ordering::SeqCst);
                outcome.map(|_| ())
            });
            (handle, base)
        };
        // Let the waiter register before the callback arrives.
        tokio::task::yield_now().await;
        while processor.stats().waiters == 0 {
            tokio::task::yield_now().await;
        }
        let sent = waiter.1.elapsed();
        let response = http.post(&url).body(body).send().await?;
        if !response.status().is_success() {
            return Err(format!("listener answered {}", response.status()).into());
        }
        waiter.0.await??;
        let woken_at = Duration::from_nanos(woken.load(Ordering::SeqCst));
        if i >= 100 {
            latencies.push((woken_at.saturating_sub(sent)).as_secs_f64() * 1e6);
        }
    }
    listener.shutdown().await?;
    let (p50, p99) = percentiles(latencies);
    Ok(json!({"count": count, "p50_ms": p50, "p99_ms": p99}))
}

// ---------------------------------------------------------------------------------------------
// memory: resident memory of a process whose processor tracks N calls

pub fn rss_bytes(pid: Option<u32>) -> Result<u64, BoxError> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_string(),
    };
    let status = std::fs::read_to_string(path)?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS in /proc status")?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .ok_or("bad VmRSS line")?
        .parse()?;
    Ok(kib * 1024)
}

fn memory(flags: &HashMap<String, String>) -> Result<Value, BoxError> {
    // One line per call: its CallConnected + ParticipantsUpdated body (bench/run.py writes it).
    let text = std::fs::read_to_string(flag(flags, "file")?)?;
    let bodies: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let calls = bodies.len();
    let processor = callsteer::EventProcessor::new();
    let before = rss_bytes(None)?;
    for body in &bodies {
        processor.process_events(body.as_bytes())?;
    }
    let after = rss_bytes(None)?;
    let stats = processor.stats();
    drop(bodies);
    Ok(json!({
        "calls": calls, "rss_before": before, "rss_after": after,
        "bytes_per_call": (after.saturating_sub(before)) as f64 / calls as f64,
        "rosters": stats.rosters, "backlog": stats.backlog_len, "dedup": stats.dedup_len,
    }))
}

// ---------------------------------------------------------------------------------------------
// sink: a callback receiver that answers 200 to everything

async fn start_sink() -> Result<(String, Arc<AtomicU64>), BoxError> {
    let counter = Arc::new(AtomicU64::new(0));
    let count = counter.clone();
    let read = counter.clone();
    let app = axum::Router::new()
        .route(
            "/count",
            axum::routing::get(move || {
                let read = read.clone();
                async move { read.load(Ordering::Relaxed).to_string() }
            }),
        )
        .fallback(move || {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::OK
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}/events"), counter))
}

async fn sink() -> Result<Value, BoxError> {
    let (url, counter) = start_sink().await?;
    println!("SINK_URL={url}");
    use std::io::Write;
    std::io::stdout().flush()?;
    // Runs until stdin closes (the orchestrator exits) or the process is killed.
    tokio::task::spawn_blocking(|| {
        let mut buf = String::new();
        while std::io::stdin()
            .read_line(&mut buf)
            .map(|n| n > 0)
            .unwrap_or(false)
        {
            buf.clear();
        }
    })
    .await?;
    Ok(json!({"received": counter.load(Ordering::Relaxed)}))
}

// ---------------------------------------------------------------------------------------------
// capacity: what one emulator process sustains

async fn capacity(flags: &HashMap<String, String>) -> Result<Value, BoxError> {
    let conn = flag(flags, "conn")?;
    let pid: u32 = flag_num(flags, "emulator-pid", 0)?;
    let calls: usize = flag_num(flags, "calls", 5000)?;
    let seconds: f64 = flag_num(flags, "seconds", 3.0)?;
    let client = Arc::new(floor::FloorClient::new(conn)?);
    let (sink_url, received) = start_sink().await?;

    // 1. Hold `calls` live calls (created 64 at a time); memory per live call from RSS.
    let rss_before = rss_bytes(Some(pid))?;
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (client, next, sink_url) = (client.clone(), next.clone(), sink_url.clone());
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            while (next.fetch_add(1, Ordering::Relaxed) as usize) < calls {
                ids.push(client.create_call(TARGET, &sink_url).await?);
            }
            Ok::<Vec<String>, BoxError>(ids)
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.extend(task.await??);
    }
    let create_seconds = started.elapsed().as_secs_f64();
    // Each call produces CallConnected + ParticipantsUpdated: wait for all deliveries.
    let expected = 2 * calls as u64;
    let deadline = Instant::now() + Duration::from_secs(120);
    while received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let delivered = received.load(Ordering::Relaxed);
    let delivery_seconds = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_held = rss_bytes(Some(pid))?;
    // Every held call still answers.
    let mut live = 0;
    for id in ids.iter().step_by((calls / 100).max(1)) {
        if client.get_call(id).await.is_ok() {
            live += 1;
        }
    }

    // 2. Actions per second sustained: 64 in flight, GET call properties on the held calls.
    let ids = Arc::new(ids);
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..64usize {
        let (client, ids, done) = (client.clone(), ids.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = worker;
            while Instant::now() < deadline {
                client.get_call(&ids[i % ids.len()]).await?;
                done.fetch_add(1, Ordering::Relaxed);
                i += 64;
            }
            Ok::<(), BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let actions_per_s = done.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64();

    Ok(json!({
        "calls_held": calls,
        "sampled_live": live,
        "creates_per_s": calls as f64 / create_seconds,
        "deliveries": delivered,
        "deliveries_per_s": delivered as f64 / delivery_seconds,
        "rss_before": rss_before, "rss_held": rss_held,
        "bytes_per_live_call": rss_held.saturating_sub(rss_before) as f64 / calls as f64,
        "actions_per_s": actions_per_s,
    }))
}
