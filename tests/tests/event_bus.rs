//! Scale-out through the event bus (issue 20), with real parts only: a real `redis-server`, a
//! real emulator process, and three app instances (each a `CallAutomationClient` with its own
//! verifying callback listener) behind a small round-robin proxy that stands in for the load
//! balancer. Every action is waited for by the instance that issued it, so most outcomes arrive
//! at another instance. Counts are asserted, never times.
//!
//! `redis-server` must be installed (scripts/test-suites/25-redis.sh does it); with
//! `CALLSTEER_REDIS_URL` set, the main run uses that server, the failure runs start their own.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use callsteer::events::{listener, CallbackVerifier, EventFilter, OperationOutcome};
use callsteer::*;
use callsteer_tests::emulator::EmulatorProcess;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const RESOURCE_ID: &str = "7b3e1c52-4d0a-4a51-9c2e-1f6a0b9d2e20";
const ACTIONS_PER_CALL: usize = 10;

// The runs are heavy (100 concurrent calls); one at a time on a small machine.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// ----- redis-server ---------------------------------------------------------------------------

struct Redis {
    child: Option<tokio::process::Child>,
    port: u16,
    url: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

impl Redis {
    /// The server of CALLSTEER_REDIS_URL, else one of our own.
    async fn shared() -> Redis {
        match std::env::var("CALLSTEER_REDIS_URL") {
            Ok(url) if !url.is_empty() => Redis {
                child: None,
                port: 0,
                url,
            },
            _ => Redis::own().await,
        }
    }

    /// A `redis-server` of our own on a free loopback port, without persistence.
    async fn own() -> Redis {
        let port = free_port();
        let mut redis = Redis {
            child: None,
            port,
            url: format!("redis://127.0.0.1:{port}/0"),
        };
        redis.spawn().await;
        redis
    }

    async fn spawn(&mut self) {
        let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = tokio::process::Command::new(&binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} (install it: scripts/test-suites/25-redis.sh): {e}")
            });
        self.child = Some(child);
        for _ in 0..200 {
            if ping(self.port).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server on port {} did not answer PING", self.port);
    }

    /// SIGKILL: the server and its (unpersisted) stream are gone at once.
    async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }
}

async fn ping(port: u16) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    if stream.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    stream.read_exact(&mut buf).await.is_ok() && &buf == b"+PONG\r\n"
}

// ----- the load balancer ----------------------------------------------------------------------

struct ProxyState {
    backends: Mutex<Vec<SocketAddr>>,
    next: AtomicUsize,
    http: reqwest::Client,
    /// Every `duplicate_every`-th body is also posted to the next backend, as a service retry
    /// after a lost 200 would: the same event ids then arrive at two instances.
    duplicate_every: usize,
    deliveries: Mutex<HashMap<SocketAddr, usize>>,
    posted: AtomicUsize,
    duplicated: AtomicUsize,
}

struct Proxy {
    addr: SocketAddr,
    state: Arc<ProxyState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn post(
    state: &ProxyState,
    to: SocketAddr,
    headers: &HeaderMap,
    body: &Bytes,
) -> Option<Response> {
    let mut request = state
        .http
        .post(format!("http://{to}/events"))
        .body(body.clone());
    for name in ["authorization", "content-type"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value.clone());
        }
    }
    let response = request.send().await.ok()?;
    let status = StatusCode::from_u16(response.status().as_u16()).ok()?;
    let bytes = response.bytes().await.ok()?;
    *state.deliveries.lock().unwrap().entry(to).or_default() += 1;
    Some((status, bytes).into_response())
}

async fn forward(
    State(state): State<Arc<ProxyState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let backends = state.backends.lock().unwrap().clone();
    let n = state.posted.fetch_add(1, Ordering::Relaxed);
    // Round robin; a backend that does not answer (a dead instance) is skipped.
    for _ in 0..backends.len() {
        let i = state.next.fetch_add(1, Ordering::Relaxed) % backends.len();
        if let Some(response) = post(&state, backends[i], &headers, &body).await {
            if state.duplicate_every > 0 && n % state.duplicate_every == 0 {
                let other = backends[(i + 1) % backends.len()];
                if post(&state, other, &headers, &body).await.is_some() {
                    state.duplicated.fetch_add(1, Ordering::Relaxed);
                }
            }
            return response;
        }
    }
    StatusCode::BAD_GATEWAY.into_response()
}

impl Proxy {
    async fn start(backends: Vec<SocketAddr>, duplicate_every: usize) -> Proxy {
        let http = callsteer::transport::http_client_builder()
            .unwrap()
            .build()
            .unwrap();
        let state = Arc::new(ProxyState {
            backends: Mutex::new(backends),
            next: AtomicUsize::new(0),
            http,
            duplicate_every,
            deliveries: Mutex::new(HashMap::new()),
            posted: AtomicUsize::new(0),
            duplicated: AtomicUsize::new(0),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Proxy { addr, state, task }
    }

    fn url(&self) -> String {
        format!("http://{}/events", self.addr)
    }

    fn delivered(&self) -> usize {
        self.state.deliveries.lock().unwrap().values().sum()
    }
}

// ----- app instances ---------------------------------------------------------------------------

struct Instance {
    client: CallAutomationClient,
    listener: Option<listener::ListenerHandle>,
    addr: SocketAddr,
    /// How often each event id was dispatched to this instance's handlers.
    seen: Arc<Mutex<HashMap<String, usize>>>,
}

impl Instance {
    async fn start(emulator: &EmulatorProcess, bus: Option<&str>) -> Instance {
        let options = ClientOptions {
            event_bus_url: bus.map(str::to_string),
            ..Default::default()
        };
        let client = CallAutomationClient::from_connection_string_with_options(
            &emulator.connection_string,
            options,
        )
        .unwrap();
        let verifier = CallbackVerifier::new(RESOURCE_ID)
            .expect("a resource id is a valid audience")
            .with_jwks_url(format!("{}/calling/keys", emulator.base_url));
        let listener = listener::serve(
            "127.0.0.1:0",
            client.event_processor().clone(),
            Some(verifier),
        )
        .await
        .unwrap();
        let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let record = Arc::clone(&seen);
        client
            .event_processor()
            .on(EventFilter::all(), move |event| {
                *record
                    .lock()
                    .unwrap()
                    .entry(event.id().to_string())
                    .or_default() += 1;
            });
        Instance {
            addr: listener.local_addr(),
            client,
            listener: Some(listener),
            seen,
        }
    }

    /// A crash, as far as the others can tell: no more callbacks, no more bus traffic. (The
    /// requests it is in the middle of are finished first; a real crash resets them and the
    /// service delivers them again elsewhere.)
    async fn kill(&mut self) {
        if let Some(listener) = self.listener.take() {
            let _ = listener.shutdown().await;
        }
        if let Some(bus) = self.client.event_bus() {
            settle_until(|| bus.stats().outbox_len == 0).await;
            bus.stop();
        }
    }

    fn ids(&self) -> BTreeSet<String> {
        self.seen.lock().unwrap().keys().cloned().collect()
    }

    fn duplicate_dispatches(&self) -> usize {
        self.seen.lock().unwrap().values().map(|n| n - 1).sum()
    }

    fn roster(&self, call: &str) -> Option<Vec<String>> {
        self.client
            .event_processor()
            .call_participants(call)
            .map(|ps| {
                let mut ids: Vec<String> = ps.iter().map(|p| p.identifier.raw_id()).collect();
                ids.sort();
                ids
            })
    }
}

// ----- the workload ----------------------------------------------------------------------------

fn user(name: &str) -> CommunicationIdentifier {
    CommunicationIdentifier::communication_user(format!("8:acs:bus_{name}"))
}

#[derive(Default)]
struct Tally {
    sent: AtomicUsize,
    ok: AtomicUsize,
    lost: AtomicUsize,
    /// Waits of a killed instance that ended in a Timeout error.
    timed_out_cleanly: AtomicUsize,
    errors: Mutex<Vec<String>>,
}

impl Tally {
    fn record(&self, what: String, outcome: Result<OperationOutcome>) -> bool {
        match outcome {
            Ok(o) if o.succeeded => {
                self.ok.fetch_add(1, Ordering::Relaxed);
                true
            }
            Ok(o) => self.fail(format!("{what}: unexpected {}", o.event.event_type())),
            Err(e) => self.fail(format!("{what}: {e}")),
        }
    }

    fn fail(&self, message: String) -> bool {
        self.lost.fetch_add(1, Ordering::Relaxed);
        let mut errors = self.errors.lock().unwrap();
        if errors.len() < 5 {
            errors.push(message);
        }
        false
    }
}

/// How a call picks the instance that issues (and waits for) its k-th action.
#[derive(Clone, Copy)]
enum Issuer {
    /// Each action by the next instance: (call + k) mod 3.
    Rotate,
    /// All of a call's actions by instance call mod 3 (so that a killed instance's calls stop).
    Pinned,
}

/// Ten actions on one call, each waited for by the instance that issued it: create, five adds,
/// four removes. Returns the call connection id once all ten succeeded.
async fn drive_call(
    clients: Arc<Vec<CallAutomationClient>>,
    killed: Arc<Vec<AtomicBool>>,
    callback: String,
    n: usize,
    issuer: Issuer,
    wait: Duration,
    tally: Arc<Tally>,
) -> Option<String> {
    let pick = |k: usize| match issuer {
        Issuer::Rotate => (n + k) % clients.len(),
        Issuer::Pinned => n % clients.len(),
    };
    // A killed instance issues nothing more; a wait of its that fails must fail as a timeout.
    let settle = |i: usize, what: String, outcome: Result<OperationOutcome>| {
        if killed[i].load(Ordering::SeqCst) {
            if let Err(e) = &outcome {
                if e.kind() == ErrorKind::Timeout {
                    tally.timed_out_cleanly.fetch_add(1, Ordering::Relaxed);
                    return false;
                }
            }
        }
        tally.record(what, outcome)
    };
    let i = pick(0);
    if killed[i].load(Ordering::SeqCst) {
        return None;
    }
    tally.sent.fetch_add(1, Ordering::Relaxed);
    let created = match clients[i]
        .create_call(
            CallInvite::new(user(&format!("a{n}"))),
            &callback,
            Default::default(),
        )
        .await
    {
        Ok(created) => created,
        Err(e) => {
            tally.fail(format!("call {n} create: {e}"));
            return None;
        }
    };
    let id = created
        .call_connection_properties
        .call_connection_id
        .clone();
    if !settle(
        i,
        format!("call {n} create"),
        created.wait_for_event_processor(wait).await,
    ) {
        return None;
    }
    for k in 1..ACTIONS_PER_CALL {
        let i = pick(k);
        if killed[i].load(Ordering::SeqCst) {
            return None;
        }
        let call = clients[i].get_call_connection(&id).ok()?;
        tally.sent.fetch_add(1, Ordering::Relaxed);
        let what = format!("call {n} action {k}");
        let outcome = if k <= 5 {
            match call
                .add_participant(
                    CallInvite::new(user(&format!("p{k}_{n}"))),
                    Default::default(),
                )
                .await
            {
                Ok(added) => added.wait_for_event_processor(wait).await,
                Err(e) => Err(e),
            }
        } else {
            match call
                .remove_participant(&user(&format!("p{}_{n}", k - 5)), Default::default())
                .await
            {
                Ok(removed) => removed.wait_for_event_processor(wait).await,
                Err(e) => Err(e),
            }
        };
        if !settle(i, what, outcome) {
            return None;
        }
    }
    Some(id)
}

struct Run {
    calls: Vec<Option<String>>,
    tally: Arc<Tally>,
}

fn spawn_calls(
    instances: &[Instance],
    killed: &Arc<Vec<AtomicBool>>,
    proxy: &Proxy,
    calls: usize,
    issuer: Issuer,
    wait: Duration,
    tally: &Arc<Tally>,
) -> Vec<tokio::task::JoinHandle<Option<String>>> {
    let clients: Arc<Vec<CallAutomationClient>> =
        Arc::new(instances.iter().map(|i| i.client.clone()).collect());
    (0..calls)
        .map(|n| {
            tokio::spawn(drive_call(
                Arc::clone(&clients),
                Arc::clone(killed),
                proxy.url(),
                n,
                issuer,
                wait,
                Arc::clone(tally),
            ))
        })
        .collect()
}

async fn join(handles: Vec<tokio::task::JoinHandle<Option<String>>>, tally: Arc<Tally>) -> Run {
    let mut calls = Vec::new();
    for handle in handles {
        calls.push(handle.await.unwrap_or(None));
    }
    Run { calls, tally }
}

fn no_kills(n: usize) -> Arc<Vec<AtomicBool>> {
    Arc::new((0..n).map(|_| AtomicBool::new(false)).collect())
}

/// Polls until `done` holds (the bus is asynchronous: other instances see an event a moment
/// later); gives up after a generous bound, after which the caller's count assertions fail.
async fn settle_until(mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Calls whose latest roster differs between the given instances (or is missing, or does not
/// show the last add and the removes).
async fn roster_mismatches(instances: &[&Instance], calls: &[String]) -> Vec<String> {
    let mismatched = |call: &String| {
        let rosters: Vec<Option<Vec<String>>> = instances.iter().map(|i| i.roster(call)).collect();
        let first = &rosters[0];
        let expected_shape = first.as_ref().is_some_and(|r| {
            r.iter().any(|id| id.starts_with("8:acs:bus_p5_"))
                && !r.iter().any(|id| id.starts_with("8:acs:bus_p1_"))
        });
        !expected_shape || rosters.iter().any(|r| r != first)
    };
    let mut last = Vec::new();
    settle_until(|| {
        last = calls.iter().filter(|c| mismatched(c)).cloned().collect();
        last.is_empty()
    })
    .await;
    last
}

/// Waits until every instance has dispatched the same set of event ids; returns the ids some
/// instance lacks (with the instances that lack them).
async fn missing_ids(instances: &[&Instance]) -> Vec<(String, Vec<usize>)> {
    let gaps = || {
        let sets: Vec<BTreeSet<String>> = instances.iter().map(|i| i.ids()).collect();
        let union: BTreeSet<&String> = sets.iter().flatten().collect();
        union
            .into_iter()
            .filter_map(|id| {
                let lacking: Vec<usize> =
                    (0..sets.len()).filter(|&n| !sets[n].contains(id)).collect();
                (!lacking.is_empty()).then(|| (id.clone(), lacking))
            })
            .collect::<Vec<_>>()
    };
    // The verdict is the snapshot that settled: the emulator may still be sending (a late
    // roster update), and an event just received is on the other instances a moment later.
    let mut last = gaps();
    settle_until(|| {
        last = gaps();
        last.is_empty()
    })
    .await;
    last
}

fn bus_stats(instances: &[&Instance]) -> Vec<callsteer::events::bus::EventBusStats> {
    instances
        .iter()
        .filter_map(|i| i.client.event_bus().map(|b| b.stats()))
        .collect()
}

async fn three_instances(emulator: &EmulatorProcess, bus: Option<&str>) -> Vec<Instance> {
    let mut instances = Vec::new();
    for _ in 0..3 {
        instances.push(Instance::start(emulator, bus).await);
    }
    instances
}

async fn emulator() -> EmulatorProcess {
    EmulatorProcess::start(&["--resource-id", RESOURCE_ID])
        .await
        .expect("emulator")
}

// ----- the tests ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_actions_over_three_instances_lose_nothing_and_dispatch_once() {
    let _serial = SERIAL.lock().await;
    let redis = Redis::shared().await;
    let emulator = emulator().await;
    let instances = three_instances(&emulator, Some(&redis.url)).await;
    let proxy = Proxy::start(instances.iter().map(|i| i.addr).collect(), 7).await;
    let tally = Arc::new(Tally::default());
    let handles = spawn_calls(
        &instances,
        &no_kills(3),
        &proxy,
        100,
        Issuer::Rotate,
        Duration::from_secs(60),
        &tally,
    );
    let run = join(handles, tally).await;
    let errors = run.tally.errors.lock().unwrap().clone();
    assert_eq!(run.tally.sent.load(Ordering::Relaxed), 1000, "{errors:?}");
    assert_eq!(
        run.tally.lost.load(Ordering::Relaxed),
        0,
        "lost outcomes: {errors:?}"
    );
    assert_eq!(run.tally.ok.load(Ordering::Relaxed), 1000);
    let calls: Vec<String> = run.calls.into_iter().flatten().collect();
    assert_eq!(calls.len(), 100);

    // Every instance got callbacks directly, and some arrived twice (at two instances).
    let deliveries = proxy.state.deliveries.lock().unwrap().clone();
    for instance in &instances {
        assert!(
            deliveries.get(&instance.addr).copied().unwrap_or(0) > 0,
            "{deliveries:?}"
        );
    }
    assert!(proxy.state.duplicated.load(Ordering::Relaxed) > 0);

    let all: Vec<&Instance> = instances.iter().collect();
    assert_eq!(roster_mismatches(&all, &calls).await, Vec::<String>::new());
    assert_eq!(
        missing_ids(&all).await,
        vec![],
        "an instance missed events: {:?}",
        bus_stats(&all)
    );
    for (n, instance) in instances.iter().enumerate() {
        assert_eq!(
            instance.duplicate_dispatches(),
            0,
            "instance {n} dispatched an event twice"
        );
        let stats = instance.client.event_bus().unwrap().stats();
        assert_eq!(stats.outbox_overflow, 0);
        assert_eq!(stats.malformed, 0);
        assert!(stats.received > 0 && stats.dispatched > 0, "{stats:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_bus_waits_on_the_issuing_instance_fail() {
    let _serial = SERIAL.lock().await;
    let emulator = emulator().await;
    let instances = three_instances(&emulator, None).await;
    let proxy = Proxy::start(instances.iter().map(|i| i.addr).collect(), 0).await;
    let tally = Arc::new(Tally::default());
    // Only the first action per call matters here; a lost create ends its call.
    let handles = spawn_calls(
        &instances,
        &no_kills(3),
        &proxy,
        12,
        Issuer::Rotate,
        Duration::from_secs(3),
        &tally,
    );
    let run = join(handles, tally).await;
    let lost = run.tally.lost.load(Ordering::Relaxed);
    // Round robin over three instances: about two creates in three arrive elsewhere.
    assert!(lost >= 4, "only {lost} of 12 creates lost without the bus");
    let errors = run.tally.errors.lock().unwrap().clone();
    assert!(
        errors
            .iter()
            .all(|e| e.contains("Timeout") || e.contains("within")),
        "{errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_mid_run_loses_nothing() {
    let _serial = SERIAL.lock().await;
    let mut redis = Redis::own().await;
    let emulator = emulator().await;
    let instances = three_instances(&emulator, Some(&redis.url)).await;
    let proxy = Proxy::start(instances.iter().map(|i| i.addr).collect(), 0).await;
    let tally = Arc::new(Tally::default());
    let handles = spawn_calls(
        &instances,
        &no_kills(3),
        &proxy,
        30,
        Issuer::Rotate,
        Duration::from_secs(120),
        &tally,
    );
    settle_until(|| tally.ok.load(Ordering::Relaxed) >= 60).await;
    redis.kill().await;
    let delivered_at_kill = proxy.delivered();
    // Callbacks keep arriving while Redis is away; they are dispatched locally and queued.
    settle_until(|| proxy.delivered() >= delivered_at_kill + 10).await;
    let delivered_while_down = proxy.delivered() - delivered_at_kill;
    redis.spawn().await;
    let run = join(handles, Arc::clone(&tally)).await;

    let errors = run.tally.errors.lock().unwrap().clone();
    assert!(
        delivered_while_down >= 10,
        "{delivered_while_down} callbacks while Redis was down"
    );
    assert_eq!(
        run.tally.lost.load(Ordering::Relaxed),
        0,
        "lost outcomes: {errors:?}"
    );
    assert_eq!(run.tally.ok.load(Ordering::Relaxed), 300);
    let calls: Vec<String> = run.calls.into_iter().flatten().collect();
    assert_eq!(calls.len(), 30);
    let all: Vec<&Instance> = instances.iter().collect();
    assert_eq!(roster_mismatches(&all, &calls).await, Vec::<String>::new());
    assert_eq!(
        missing_ids(&all).await,
        vec![],
        "an instance missed events: {:?}",
        bus_stats(&all)
    );
    for (n, instance) in instances.iter().enumerate() {
        assert_eq!(
            instance.duplicate_dispatches(),
            0,
            "instance {n} dispatched an event twice"
        );
        let stats = instance.client.event_bus().unwrap().stats();
        assert!(stats.reconnects >= 1, "instance {n}: {stats:?}");
        assert_eq!(stats.outbox_overflow, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_mid_run_leaves_the_others_unaffected() {
    let _serial = SERIAL.lock().await;
    let redis = Redis::own().await;
    let emulator = emulator().await;
    let mut instances = three_instances(&emulator, Some(&redis.url)).await;
    let proxy = Proxy::start(instances.iter().map(|i| i.addr).collect(), 0).await;
    let tally = Arc::new(Tally::default());
    let killed = no_kills(3);
    let handles = spawn_calls(
        &instances,
        &killed,
        &proxy,
        30,
        Issuer::Pinned,
        Duration::from_secs(20),
        &tally,
    );
    settle_until(|| tally.ok.load(Ordering::Relaxed) >= 40).await;
    killed[2].store(true, Ordering::SeqCst);
    instances[2].kill().await;
    let run = join(handles, Arc::clone(&tally)).await;

    let errors = run.tally.errors.lock().unwrap().clone();
    assert_eq!(
        run.tally.lost.load(Ordering::Relaxed),
        0,
        "lost outcomes: {errors:?}"
    );
    // Calls n ≡ 0, 1 (mod 3) belong to the survivors: all twenty complete.
    let survivors_calls: Vec<String> = run
        .calls
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 3 != 2)
        .filter_map(|(_, c)| c.clone())
        .collect();
    assert_eq!(survivors_calls.len(), 20, "{errors:?}");
    // The killed instance's calls stopped part-way (at most the ones that were done).
    let killed_completed = run
        .calls
        .iter()
        .enumerate()
        .filter(|(n, c)| n % 3 == 2 && c.is_some())
        .count();
    assert!(
        killed_completed < 10,
        "the kill came after the killed instance's work was done"
    );
    // Its waits that were pending at the kill ended as timeouts (none hung, none panicked).
    assert!(run.tally.timed_out_cleanly.load(Ordering::Relaxed) > 0);
    let survivors = [&instances[0], &instances[1]];
    assert_eq!(
        roster_mismatches(&survivors, &survivors_calls).await,
        Vec::<String>::new()
    );
    assert_eq!(
        missing_ids(&survivors).await,
        vec![],
        "{:?}",
        bus_stats(&survivors)
    );
    for instance in survivors {
        assert_eq!(instance.duplicate_dispatches(), 0);
    }
}

fn signal(redis: &Redis, sig: &str) {
    let pid = redis
        .child
        .as_ref()
        .and_then(|c| c.id())
        .expect("our redis-server");
    let status = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn connected_body(n: usize) -> String {
    format!(
        r#"[{{"id":"stall-{n}","type":"Microsoft.Communication.CallConnected","source":"calling/callConnections/stall{n}","data":{{"callConnectionId":"stall{n}"}}}}]"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_redis_never_holds_up_the_callback_answer_and_overflow_is_counted() {
    use callsteer::events::bus::{EventBus, EventBusConfig};
    use callsteer::events::{EventProcessor, OperationKind, PendingOperation};
    let _serial = SERIAL.lock().await;
    let redis = Redis::own().await;
    let sender = EventProcessor::new();
    let small = EventBusConfig {
        outbox_capacity: 10,
        batch_size: 4,
        ..Default::default()
    };
    let sender_bus = EventBus::start(&redis.url, sender.clone(), small).unwrap();
    let receiver = EventProcessor::new();
    let receiver_bus = EventBus::start(&redis.url, receiver.clone(), Default::default()).unwrap();
    settle_until(|| sender_bus.stats().connected && receiver_bus.stats().connected).await;
    assert!(sender_bus.stats().connected && receiver_bus.stats().connected);
    let listener = listener::serve("127.0.0.1:0", sender.clone(), None)
        .await
        .unwrap();
    let http = callsteer::transport::http_client_builder()
        .unwrap()
        .build()
        .unwrap();
    let url = format!("http://{}/events", listener.local_addr());

    // Redis stops answering (SIGSTOP): a consumer as slow as can be.
    signal(&redis, "-STOP");
    const EVENTS: usize = 50;
    let mut answered = 0;
    // A guard against a hang only (a blocked responder would never answer), not a speed test.
    let posted = tokio::time::timeout(Duration::from_secs(120), async {
        for n in 0..EVENTS {
            let response = http
                .post(&url)
                .body(connected_body(n))
                .send()
                .await
                .unwrap();
            if response.status() == 200 {
                answered += 1;
            }
        }
    })
    .await;
    let stalled = sender_bus.stats();
    signal(&redis, "-CONT");
    assert!(posted.is_ok(), "the callback responder waited for Redis");
    assert_eq!(answered, EVENTS);
    // Dispatched locally at once, Redis or not.
    for n in 0..EVENTS {
        let op = PendingOperation::new(OperationKind::CreateCall, format!("stall{n}"));
        assert!(sender
            .wait_for_outcome(&op, Duration::from_secs(5))
            .await
            .is_ok());
    }
    // More than the outbox holds: the rest is counted, never silently dropped.
    assert!(stalled.outbox_overflow > 0, "{stalled:?}");

    settle_until(|| sender_bus.stats().outbox_len == 0).await;
    let overflow = sender_bus.stats().outbox_overflow as usize;
    let expected = EVENTS - overflow;
    settle_until(|| receiver_bus.stats().dispatched as usize >= expected).await;
    let after = sender_bus.stats();
    assert_eq!(after.outbox_len, 0, "{after:?}");
    assert!(after.published as usize >= expected, "{after:?}");
    assert_eq!(receiver_bus.stats().dispatched as usize, expected);
    assert_eq!(receiver.stats().backlog_len, expected);
}
