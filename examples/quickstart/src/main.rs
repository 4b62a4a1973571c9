//! The service guide's story, end to end: create → connected → add → cancel → transfer → remove →
//! an incoming call answered, another rejected, another redirected → hang up for everyone.
//!
//! Run it with `make demo` (which starts the emulator), or point it at any Call Automation
//! endpoint: `CALLSTEER_CONNECTION_STRING=… CALLSTEER_RESOURCE_ID=… cargo run -p callsteer-quickstart`.
//! It prints a timeline: each action with the HTTP status the service answered, and each
//! callback event — verified against the service's signing keys — with its key fields.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callsteer::events::{listener, CallAutomationEvent, CallbackVerifier, EventFilter};
use callsteer::*;
use serde_json::{json, Value};
use tracing_subscriber::layer::SubscriberExt;

const WAIT: Duration = Duration::from_secs(15);
const ALICE: &str = "8:acs:quickstart_alice";
const CAROL: &str = "8:acs:quickstart_carol";
const DAVE: &str = "8:acs:quickstart_dave";
const ERIN: &str = "8:acs:quickstart_erin";
const BOB_PHONE: &str = "+16041234567";
const OUR_NUMBER: &str = "+16044561234";

/// Prints timeline lines with the time since the start.
#[derive(Clone)]
struct Timeline {
    start: Instant,
    out: Arc<Mutex<()>>,
}

impl Timeline {
    fn line(&self, arrow: &str, text: &str) {
        let _guard = self.out.lock().unwrap_or_else(|e| e.into_inner());
        println!(
            "{:>7.3}s  {arrow} {text}",
            self.start.elapsed().as_secs_f64()
        );
    }
}

/// Turns core's `callsteer::http` tracing events into timeline lines.
struct HttpLines(Timeline);

#[derive(Default)]
struct Fields(Vec<(String, String)>);
impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for HttpLines {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "callsteer::http" {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let get = |name: &str| {
            fields
                .0
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        self.0.line(
            "→",
            &format!(
                "{} {}  {}  ({} ms)",
                get("method"),
                get("path"),
                get("status"),
                get("elapsed_ms")
            ),
        );
    }
}

fn describe(event: &CallAutomationEvent) -> String {
    let mut parts = vec![event.event_type().to_string()];
    if let Some(id) = event.call_connection_id() {
        parts.push(format!("call={}", &id[..id.len().min(8)]));
    }
    if let Some(ctx) = event.operation_context() {
        parts.push(format!("context={ctx}"));
    }
    if let Some(info) = event.result_information() {
        if let Some(code) = info.code {
            parts.push(format!(
                "result={code}/{}",
                info.sub_code.unwrap_or_default()
            ));
        }
    }
    if let Some(p) = event.participant() {
        parts.push(format!("participant={}", p.raw_id()));
    }
    if let Some(inv) = event.invitation_id() {
        parts.push(format!("invitation={}", &inv[..inv.len().min(8)]));
    }
    match event {
        CallAutomationEvent::ParticipantsUpdated(d) => {
            let who: Vec<String> = d
                .participants
                .iter()
                .map(|p| {
                    let muted = if p.is_muted { " (muted)" } else { "" };
                    format!("{}{muted}", p.identifier.raw_id())
                })
                .collect();
            parts.push(format!("#{} [{}]", d.sequence_number, who.join(", ")));
        }
        CallAutomationEvent::CallTransferAccepted(d) => {
            if let Some(t) = &d.transferee {
                parts.push(format!("transferee={}", t.raw_id()));
            }
            if let Some(t) = &d.transfer_target {
                parts.push(format!("target={}", t.raw_id()));
            }
        }
        CallAutomationEvent::IncomingCall(d) => {
            if let Some(f) = &d.from {
                parts.push(format!("from={}", f.raw_id()));
            }
            if let Some(t) = &d.to {
                parts.push(format!("to={}", t.raw_id()));
            }
        }
        _ => {}
    }
    parts.join("  ")
}

struct Admin {
    http: reqwest::Client,
    base: String,
}

impl Admin {
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Result<Value> {
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .map_err(|e| Error::transport(e.to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| Error::transport(e.to_string()))?;
        if !status.is_success() {
            return Err(Error::transport(format!("admin {path}: {status} {text}")));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn incoming_call(&self, from: &str, to: &str) -> Result<String> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/emulator/incoming-calls",
                json!({"from": from, "to": to}),
            )
            .await?;
        v["incomingCallContext"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::transport("no incomingCallContext"))
    }
}

fn expect_success(outcome: &events::OperationOutcome, what: &str) -> Result<()> {
    if outcome.succeeded {
        Ok(())
    } else {
        Err(Error::transport(format!(
            "{what} failed: {}",
            describe(&outcome.event)
        )))
    }
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("quickstart failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let connection_string = std::env::var("CALLSTEER_CONNECTION_STRING").map_err(|_| {
        Error::invalid(
            "CALLSTEER_CONNECTION_STRING",
            "set it to the emulator's connection string (make demo does)",
        )
    })?;
    let resource_id = std::env::var("CALLSTEER_RESOURCE_ID")
        .map_err(|_| Error::invalid("CALLSTEER_RESOURCE_ID", "set it to the resource's id"))?;
    let timeline = Timeline {
        start: Instant::now(),
        out: Arc::new(Mutex::new(())),
    };
    let subscriber = tracing_subscriber::registry().with(HttpLines(timeline.clone()));
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|e| Error::transport(e.to_string()))?;

    let client = CallAutomationClient::from_connection_string(&connection_string)?;
    let base = ConnectionString::parse(&connection_string)?
        .endpoint
        .as_str()
        .trim_end_matches('/')
        .to_string();

    // The app's callback endpoint: verifies each callback's JWT against the service's keys.
    let verifier =
        CallbackVerifier::new(resource_id)?.with_jwks_url(format!("{base}/calling/keys"));
    // Event Grid (IncomingCall) carries no service JWT: a secret in its subscription's URL
    // authenticates it instead.
    let event_grid_secret = {
        use std::hash::{BuildHasher, Hasher};
        // std's per-process random hash keys: unguessable enough for a demo's secret.
        let word = || {
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        };
        format!("{:016x}{:016x}", word(), word())
    };
    let callbacks = listener::serve_with_config(
        "127.0.0.1:0",
        client.event_processor().clone(),
        Some(verifier),
        listener::ListenerConfig {
            event_grid_secret: Some(event_grid_secret.clone()),
            ..Default::default()
        },
    )
    .await?;
    let callback_url = format!("http://{}/events", callbacks.local_addr());
    println!("callsteer quickstart — callbacks at {callback_url}\n");
    let printer = timeline.clone();
    client
        .event_processor()
        .on(EventFilter::default(), move |event| {
            printer.line("←", &describe(event))
        });

    let admin = Admin {
        http: transport::http_client_builder()?
            .build()
            .map_err(|e| Error::transport(e.to_string()))?,
        base,
    };
    admin
        .call(
            reqwest::Method::POST,
            "/emulator/event-subscriptions",
            json!({"url": format!(
                "http://{}/eventgrid?secret={event_grid_secret}",
                callbacks.local_addr()
            )}),
        )
        .await?;
    admin
        .call(
            reqwest::Method::PUT,
            &format!("/emulator/targets/{}", CAROL.replace(':', "%3A")),
            json!({"behavior": "noAnswer"}),
        )
        .await?;
    timeline.line("•", "create a call to Alice");
    let created = client
        .create_call(
            CallInvite::new(CommunicationIdentifier::communication_user(ALICE)),
            &callback_url,
            CreateCallOptions {
                operation_context: Some("quickstart".into()),
                ..Default::default()
            },
        )
        .await?;
    expect_success(
        &created.wait_for_event_processor(WAIT).await?,
        "create call",
    )?;
    let call = created.call_connection;

    timeline.line("•", "add Bob by phone, with our number as caller id");
    let added = call
        .add_participant(
            CallInvite::phone(BOB_PHONE, OUR_NUMBER),
            AddParticipantOptions {
                operation_context: Some("add-bob".into()),
                ..Default::default()
            },
        )
        .await?;
    expect_success(&added.wait_for_event_processor(WAIT).await?, "add Bob")?;

    timeline.line("•", "invite Carol, who doesn't pick up, then cancel");
    let pending = call
        .add_participant(
            CallInvite::new(CommunicationIdentifier::communication_user(CAROL)),
            AddParticipantOptions {
                invitation_timeout_in_seconds: Some(60),
                operation_context: Some("add-carol".into()),
                ..Default::default()
            },
        )
        .await?;
    let invitation = pending
        .invitation_id
        .clone()
        .ok_or_else(|| Error::transport("no invitation id"))?;
    let cancelled = call
        .cancel_add_participant_operation(&invitation, Default::default())
        .await?;
    expect_success(
        &cancelled.wait_for_event_processor(WAIT).await?,
        "cancel Carol",
    )?;
    let carol = pending.wait_for_event_processor(WAIT).await?;
    assert!(!carol.succeeded, "a cancelled invitation reports failure");

    timeline.line("•", "transfer Bob to Dave");
    let mut headers = CustomCallingContext::new();
    headers.add_sip_x("reason", "escalation", SipHeaderPrefix::default());
    let transferred = call
        .transfer_call_to_participant(
            &CommunicationIdentifier::communication_user(DAVE),
            TransferCallToParticipantOptions {
                transferee: Some(CommunicationIdentifier::phone_number(BOB_PHONE)),
                custom_calling_context: headers,
                ..Default::default()
            },
        )
        .await?;
    expect_success(
        &transferred.wait_for_event_processor(WAIT).await?,
        "transfer",
    )?;

    timeline.line("•", "remove Dave");
    let removed = call
        .remove_participant(
            &CommunicationIdentifier::communication_user(DAVE),
            Default::default(),
        )
        .await?;
    expect_success(&removed.wait_for_event_processor(WAIT).await?, "remove")?;

    let incoming = |to: String| {
        let processor = client.event_processor().clone();
        async move {
            processor
                .wait_for_event(
                    move |e| match e {
                        CallAutomationEvent::IncomingCall(d) => {
                            d.to.as_ref().is_some_and(|t| t.raw_id() == to)
                        }
                        _ => false,
                    },
                    WAIT,
                )
                .await
        }
    };

    timeline.line("•", "an incoming call to our number: answer it");
    let our_number = format!("4:{OUR_NUMBER}");
    let context = admin.incoming_call("4:+16045550100", &our_number).await?;
    incoming(our_number.clone()).await?;
    let answered = client
        .answer_call(&context, &callback_url, Default::default())
        .await?;
    expect_success(&answered.wait_for_event_processor(WAIT).await?, "answer")?;

    timeline.line("•", "another incoming call: reject it as busy");
    let context = admin.incoming_call("4:+16045550101", &our_number).await?;
    client
        .reject_call(
            &context,
            RejectCallOptions {
                call_reject_reason: Some(CallRejectReason::Busy),
                ..Default::default()
            },
        )
        .await?;

    timeline.line("•", "a third one: redirect it to Erin");
    let context = admin.incoming_call("4:+16045550102", &our_number).await?;
    client
        .redirect_call(
            &context,
            CommunicationIdentifier::communication_user(ERIN),
            Default::default(),
        )
        .await?;
    incoming(ERIN.to_string()).await?;

    timeline.line("•", "hang up both calls for everyone");
    for connection in [&call, &answered.call_connection] {
        let id = connection.call_connection_id().to_string();
        let processor = client.event_processor().clone();
        let disconnected = tokio::spawn(async move {
            processor
                .wait_for_event(
                    move |e| {
                        e.event_type() == "CallDisconnected"
                            && e.call_connection_id() == Some(id.as_str())
                    },
                    WAIT,
                )
                .await
        });
        connection.hang_up(true).await?;
        disconnected
            .await
            .map_err(|e| Error::transport(e.to_string()))??;
    }
    // Let the last events' lines print before the summary.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stats = client.event_processor().stats();
    println!(
        "\ndone in {:.2}s — every action paired with its outcome event; processor backlog {} events",
        timeline.start.elapsed().as_secs_f64(),
        stats.backlog_len
    );
    callbacks.shutdown().await?;
    Ok(())
}
