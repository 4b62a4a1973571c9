//! Fault soak: many concurrent calls, each driven through ten actions by the Rust core, against
//! an emulator that fails a share of requests (status + Retry-After, without executing) and
//! drops a share of responses after executing. Afterwards the emulator's own request record
//! must show every action executed exactly once, every outcome must have been paired with its
//! action by the event processor, and no call may be left hanging.
//!
//! Run with many more calls than the emulator's ended-call retention (a churn run), it also
//! shows that the emulator's memory stays flat: its RSS is sampled along the way, and afterwards
//! it must hold only the retained calls and no delivery task.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use callsteer::events::{listener, CallbackVerifier};
use callsteer::*;
use reqwest::Method;
use serde_json::{json, Value};

use crate::emulator::EmulatorProcess;

/// Actions each call goes through (create, add, add, cancel, add, remove, transfer, remove,
/// mute, terminate).
pub const ACTIONS_PER_CALL: usize = 10;
const RESOURCE_ID: &str = "5d0c7a3e-2b1f-4f4e-9a61-8f2d7c3b9e10";

#[derive(Debug, Clone)]
pub struct SoakConfig {
    pub calls: usize,
    /// How many calls run at once.
    pub concurrency: usize,
    /// Each injected fault's status is drawn from these.
    pub fault_statuses: Vec<u16>,
    pub fault_probability: f64,
    pub retry_after_seconds: u64,
    pub drop_response_probability: f64,
    pub seed: u64,
    /// `--ended-call-retention` of the emulator (`None`: its default).
    pub ended_call_retention: Option<usize>,
    /// Check every action ran exactly once from the emulator's request log. The log keeps the
    /// latest 100,000 requests, so a churn run past that cannot be checked this way.
    pub check_request_log: bool,
    /// How many times the RSS of both processes is sampled during the run.
    pub rss_samples: usize,
}

#[derive(Debug, Default)]
pub struct SoakReport {
    pub calls: usize,
    pub actions_sent: usize,
    /// `Executed` records in the emulator's log per repeatability id, summed over ids seen once.
    pub executed_once: usize,
    /// Repeatability ids the emulator executed more than once (must be 0).
    pub duplicated: usize,
    /// Actions whose id the emulator never executed (must be 0).
    pub lost_actions: usize,
    pub replayed: usize,
    pub fault_injected: usize,
    pub responses_dropped: usize,
    /// Outcomes paired with their actions through the event processor.
    pub outcomes_paired: usize,
    /// Outcomes that never came or did not match (must be 0).
    pub outcomes_missing: usize,
    /// Calls the emulator still holds as not disconnected (must be 0).
    pub hung_calls: usize,
    pub failed_calls: Vec<String>,
    /// Calls finished when each RSS sample was taken.
    pub sampled_at: Vec<usize>,
    pub client_rss_kib: Vec<u64>,
    pub emulator_rss_kib: Vec<u64>,
    /// `GET /emulator/stats` once every delivery has finished.
    pub emulator_stats: Value,
    /// Call connections the emulator still holds at the end (live or retained).
    pub calls_held: usize,
    /// Delivery tasks still alive at the end (must be 0: each ends with its call).
    pub delivery_workers: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for SoakReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "calls                 {}", self.calls)?;
        writeln!(f, "actions sent          {}", self.actions_sent)?;
        writeln!(f, "executed exactly once {}", self.executed_once)?;
        writeln!(f, "executed twice+       {}", self.duplicated)?;
        writeln!(f, "never executed        {}", self.lost_actions)?;
        writeln!(f, "replayed (repeats)    {}", self.replayed)?;
        writeln!(f, "faults injected       {}", self.fault_injected)?;
        writeln!(f, "responses dropped     {}", self.responses_dropped)?;
        writeln!(f, "outcomes paired       {}", self.outcomes_paired)?;
        writeln!(f, "outcomes missing      {}", self.outcomes_missing)?;
        writeln!(f, "hung calls            {}", self.hung_calls)?;
        writeln!(f, "failed calls          {}", self.failed_calls.len())?;
        writeln!(f, "calls held at the end {}", self.calls_held)?;
        writeln!(f, "delivery tasks left   {}", self.delivery_workers)?;
        writeln!(f, "emulator stats        {}", self.emulator_stats)?;
        writeln!(f, "RSS KiB (calls done: emulator / client)")?;
        for ((done, emulator), client) in self
            .sampled_at
            .iter()
            .zip(&self.emulator_rss_kib)
            .zip(&self.client_rss_kib)
        {
            writeln!(f, "  {done:>8}: {emulator:>8} / {client:>8}")?;
        }
        if let Some(growth) = second_half_growth(&self.emulator_rss_kib) {
            writeln!(
                f,
                "emulator RSS, second half of the run: {growth:+.1} % (flat after warm-up ≈ 0)"
            )?;
        }
        write!(f, "elapsed               {:.1?}", self.elapsed)
    }
}

/// How much the last sample exceeds the one taken halfway through, in percent.
pub fn second_half_growth(samples: &[u64]) -> Option<f64> {
    let mid = *samples.get(samples.len() / 2)?;
    let last = *samples.last()?;
    (samples.len() >= 4 && mid > 0).then(|| (last as f64 - mid as f64) * 100.0 / mid as f64)
}

/// Resident memory of a process, from /proc (Linux); 0 where unavailable.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn user(name: &str) -> CommunicationIdentifier {
    CommunicationIdentifier::communication_user(format!("8:acs:soak_{name}"))
}

struct Counters {
    sent: AtomicUsize,
    paired: AtomicUsize,
    missing: AtomicUsize,
}

async fn expect(
    outcome: Result<events::OperationOutcome>,
    succeeded: bool,
    counters: &Counters,
    what: &str,
) -> std::result::Result<(), String> {
    match outcome {
        Ok(o) if o.succeeded == succeeded => {
            counters.paired.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Ok(o) => {
            counters.missing.fetch_add(1, Ordering::Relaxed);
            Err(format!(
                "{what}: unexpected outcome {:?}",
                o.event.event_type()
            ))
        }
        Err(e) => {
            counters.missing.fetch_add(1, Ordering::Relaxed);
            Err(format!("{what}: {e}"))
        }
    }
}

/// One call's ten actions. Every action's outcome is awaited through the processor.
async fn drive_call(
    client: CallAutomationClient,
    callback: String,
    n: usize,
    counters: Arc<Counters>,
) -> std::result::Result<(), String> {
    let wait = Duration::from_secs(120);
    let e = |what: &str, err: Error| format!("call {n} {what}: {err}");
    let sent = || counters.sent.fetch_add(1, Ordering::Relaxed);

    sent();
    let created = client
        .create_call(
            CallInvite::new(user(&format!("a{n}"))),
            &callback,
            Default::default(),
        )
        .await
        .map_err(|err| e("create", err))?;
    expect(
        created.wait_for_event_processor(wait).await,
        true,
        &counters,
        "create",
    )
    .await?;
    let call = created.call_connection;

    sent();
    let add_b = call
        .add_participant(CallInvite::new(user(&format!("b{n}"))), Default::default())
        .await
        .map_err(|err| e("add b", err))?;
    expect(
        add_b.wait_for_event_processor(wait).await,
        true,
        &counters,
        "add b",
    )
    .await?;

    sent();
    let add_c = call
        .add_participant(
            CallInvite::new(user("silent")),
            AddParticipantOptions {
                invitation_timeout_in_seconds: Some(180),
                ..Default::default()
            },
        )
        .await
        .map_err(|err| e("add c", err))?;
    sent();
    let cancel = call
        .cancel_add_participant_operation(
            add_c.invitation_id.as_deref().unwrap_or_default(),
            Default::default(),
        )
        .await
        .map_err(|err| e("cancel", err))?;
    expect(
        cancel.wait_for_event_processor(wait).await,
        true,
        &counters,
        "cancel",
    )
    .await?;
    expect(
        add_c.wait_for_event_processor(wait).await,
        false,
        &counters,
        "cancelled add",
    )
    .await?;

    sent();
    let add_e = call
        .add_participant(CallInvite::new(user(&format!("e{n}"))), Default::default())
        .await
        .map_err(|err| e("add e", err))?;
    expect(
        add_e.wait_for_event_processor(wait).await,
        true,
        &counters,
        "add e",
    )
    .await?;
    sent();
    let rm_e = call
        .remove_participant(&user(&format!("e{n}")), Default::default())
        .await
        .map_err(|err| e("remove e", err))?;
    expect(
        rm_e.wait_for_event_processor(wait).await,
        true,
        &counters,
        "remove e",
    )
    .await?;

    sent();
    let transfer = call
        .transfer_call_to_participant(
            &user(&format!("d{n}")),
            TransferCallToParticipantOptions {
                transferee: Some(user(&format!("b{n}"))),
                ..Default::default()
            },
        )
        .await
        .map_err(|err| e("transfer", err))?;
    expect(
        transfer.wait_for_event_processor(wait).await,
        true,
        &counters,
        "transfer",
    )
    .await?;
    sent();
    let rm_d = call
        .remove_participant(&user(&format!("d{n}")), Default::default())
        .await
        .map_err(|err| e("remove d", err))?;
    expect(
        rm_d.wait_for_event_processor(wait).await,
        true,
        &counters,
        "remove d",
    )
    .await?;

    sent();
    call.mute_participant(&user(&format!("a{n}")), Default::default())
        .await
        .map_err(|err| e("mute", err))?;

    let id = call.call_connection_id().to_string();
    let processor = client.event_processor().clone();
    let disconnected = tokio::spawn(async move {
        processor
            .wait_for_event(
                move |ev| {
                    ev.event_type() == "CallDisconnected" && ev.call_connection_id() == Some(&id)
                },
                wait,
            )
            .await
    });
    sent();
    call.hang_up(true)
        .await
        .map_err(|err| e("terminate", err))?;
    match disconnected.await {
        Ok(Ok(_)) => {
            counters.paired.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        other => {
            counters.missing.fetch_add(1, Ordering::Relaxed);
            Err(format!("call {n}: no CallDisconnected: {other:?}"))
        }
    }
}

/// Runs the soak and reads the emulator's record. Assertions are the caller's.
pub async fn run(config: &SoakConfig) -> std::result::Result<SoakReport, String> {
    let started = Instant::now();
    let seed = config.seed.to_string();
    let retention = config.ended_call_retention.map(|r| r.to_string());
    let mut args = vec![
        "--resource-id",
        RESOURCE_ID,
        "--answer-delay-ms",
        "2",
        "--seed",
        &seed,
    ];
    if let Some(retention) = &retention {
        args.extend(["--ended-call-retention", retention.as_str()]);
    }
    let emulator = EmulatorProcess::start(&args).await?;
    // Generous retries: with 30 % faults and 10 % drops a request fails ~37 % of the time, so
    // 25 retries leave a chance of ~1e-11 per action of running out.
    let options = ClientOptions {
        retry: RetryOptions {
            max_retries: 25,
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(2),
            max_total: Duration::from_secs(300),
        },
        timeout: Duration::from_secs(30),
        ..Default::default()
    };
    let client = CallAutomationClient::from_connection_string_with_options(
        &emulator.connection_string,
        options,
    )
    .map_err(|e| e.to_string())?;
    let verifier = CallbackVerifier::new(RESOURCE_ID)
        .map_err(|e| e.to_string())?
        .with_jwks_url(format!("{}/calling/keys", emulator.base_url));
    let callbacks = listener::serve(
        "127.0.0.1:0",
        client.event_processor().clone(),
        Some(verifier),
    )
    .await
    .map_err(|e| e.to_string())?;
    let callback = format!("http://{}/events", callbacks.local_addr());
    emulator
        .admin(
            Method::PUT,
            "/emulator/targets/8%3Aacs%3Asoak_silent",
            Some(json!({ "behavior": "noAnswer" })),
        )
        .await?;
    emulator
        .admin(
            Method::PUT,
            "/emulator/faults",
            Some(json!({
                "statuses": config.fault_statuses,
                "probability": config.fault_probability,
                "retryAfterSeconds": config.retry_after_seconds,
                "dropResponseProbability": config.drop_response_probability,
            })),
        )
        .await?;

    let counters = Arc::new(Counters {
        sent: AtomicUsize::new(0),
        paired: AtomicUsize::new(0),
        missing: AtomicUsize::new(0),
    });
    let mut report = SoakReport {
        calls: config.calls,
        ..Default::default()
    };
    let semaphore = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let sample_every = (config.calls / config.rss_samples.max(1)).max(1);
    let mut done = 0;
    // Samples are taken as calls finish — also while later ones are still being started, so
    // that a run longer than its concurrency shows its curve, not only its end.
    let mut finished = |joined: std::result::Result<std::result::Result<(), String>, _>,
                        report: &mut SoakReport| {
        done += 1;
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => report.failed_calls.push(e),
            Err(e) => report.failed_calls.push(format!("{e}")),
        }
        if done % sample_every == 0 {
            report.sampled_at.push(done);
            report.client_rss_kib.push(rss_kib(std::process::id()));
            report
                .emulator_rss_kib
                .push(emulator.pid().map(rss_kib).unwrap_or(0));
        }
    };
    for n in 0..config.calls {
        let permit = semaphore
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        while let Some(joined) = tasks.try_join_next() {
            finished(joined, &mut report);
        }
        let (client, callback, counters) = (client.clone(), callback.clone(), counters.clone());
        tasks.spawn(async move {
            let result = drive_call(client, callback, n, counters).await;
            drop(permit);
            result
        });
    }
    while let Some(joined) = tasks.join_next().await {
        finished(joined, &mut report);
    }
    emulator
        .admin(Method::DELETE, "/emulator/faults", None)
        .await?;

    // Every call has ended: once their last events are delivered, no delivery task may be left.
    // Polled (bounded), never timed.
    for _ in 0..600 {
        report.emulator_stats = emulator.admin(Method::GET, "/emulator/stats", None).await?;
        if report.emulator_stats["deliveryWorkers"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let count = |key: &str| report.emulator_stats[key].as_u64().unwrap_or(u64::MAX) as usize;
    report.delivery_workers = count("deliveryWorkers");
    report.calls_held = count("calls");

    // The emulator's own record of what ran.
    let log = if config.check_request_log {
        emulator
            .admin(Method::GET, "/emulator/requests", None)
            .await?
    } else {
        Value::Null
    };
    let mut executed: HashMap<String, usize> = HashMap::new();
    let mut ids_sent = 0;
    for record in log["value"].as_array().into_iter().flatten() {
        let outcome = record["outcome"].as_str().unwrap_or_default();
        if record["responseDropped"] == Value::Bool(true) {
            report.responses_dropped += 1;
        }
        match outcome {
            "replayed" => report.replayed += 1,
            "faultInjected" => report.fault_injected += 1,
            _ => {}
        }
        if let Some(id) = record["repeatabilityRequestId"].as_str() {
            let entry = executed.entry(id.to_string()).or_default();
            if outcome == "executed" {
                *entry += 1;
            }
        }
    }
    for count in executed.values() {
        ids_sent += 1;
        match count {
            1 => report.executed_once += 1,
            0 => report.lost_actions += 1,
            _ => report.duplicated += 1,
        }
    }
    report.actions_sent = counters.sent.load(Ordering::Relaxed);
    // An action the client sent whose id never reached the emulator is lost too.
    if config.check_request_log {
        report.lost_actions += report.actions_sent.saturating_sub(ids_sent);
    }
    report.outcomes_paired = counters.paired.load(Ordering::Relaxed);
    report.outcomes_missing = counters.missing.load(Ordering::Relaxed);
    let calls = emulator.admin(Method::GET, "/emulator/calls", None).await?;
    report.hung_calls = calls["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["state"].as_str() != Some("disconnected"))
        .count();
    report.elapsed = started.elapsed();
    let _ = callbacks.shutdown().await;
    emulator.stop().await;
    Ok(report)
}
