//! `callsteer-emulator`: runs the emulator until SIGINT/SIGTERM.
//!
//! stdout line 1: `CONNECTION_STRING=endpoint=…/;accesskey=…` (flushed at once so harnesses can
//! read it); line 2 with --tls: `TLS_CA_PEM=path`. Logs go to stderr.

use std::io::Write as _;
use std::path::PathBuf;

use callsteer_emulator::{ClockMode, EmulatorConfig};
use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ClockArg {
    Real,
    Manual,
}

#[derive(Debug, Parser)]
#[command(
    name = "callsteer-emulator",
    about = "Local Azure Communication Services Call Automation emulator",
    version
)]
struct Args {
    /// Port to listen on (0 = ephemeral).
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Base64 access key (default: a random key, printed in the connection string).
    #[arg(long)]
    access_key: Option<String>,
    /// How long targets take to answer by default (ms).
    #[arg(long, default_value_t = 20)]
    answer_delay_ms: u64,
    /// Event Grid webhook for IncomingCall (repeatable); validated with the handshake first.
    #[arg(long = "event-grid-webhook")]
    event_grid_webhooks: Vec<String>,
    /// `aud` of callback tokens (the resource's immutable id).
    #[arg(long, default_value = callsteer_emulator::config::DEFAULT_RESOURCE_ID)]
    resource_id: String,
    /// `iss` of callback tokens.
    #[arg(long, default_value = callsteer_emulator::config::DEFAULT_ISSUER)]
    issuer: String,
    #[arg(long, value_enum, default_value = "real")]
    clock: ClockArg,
    /// Seed of the fault-injection RNG.
    #[arg(long)]
    seed: Option<u64>,
    /// Serve HTTPS with a generated certificate.
    #[arg(long)]
    tls: bool,
    /// Where to write the CA PEM with --tls (default: temp dir).
    #[arg(long)]
    tls_cert_out: Option<PathBuf>,
    /// Accept `Authorization: Bearer <anything>`.
    #[arg(long)]
    allow_bearer: bool,
    /// List participants page size.
    #[arg(long, default_value_t = 100)]
    page_size: usize,
    /// Phone numbers owned by this resource (repeatable).
    #[arg(long = "resource-phone-number")]
    resource_phone_numbers: Vec<String>,
    /// Delivery attempts per callback event.
    #[arg(long, default_value_t = 5)]
    delivery_attempts: u32,
    /// Largest request body in bytes (larger: 413).
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// Close connections that do not send a request's headers (or, idle, a next request)
    /// within this many ms.
    #[arg(long, default_value_t = 30_000)]
    header_read_timeout_ms: u64,
    /// Answer 408 and close when a request body does not arrive within this many ms.
    #[arg(long, default_value_t = 30_000)]
    body_read_timeout_ms: u64,
    /// Ended calls remembered (admin API, UI, events, repeatability replies); older ones are
    /// forgotten.
    #[arg(long, default_value_t = 1_000)]
    ended_call_retention: usize,
    /// Forget an ended call this many seconds after it ended (0 = only the count limits).
    #[arg(long, default_value_t = 3_600)]
    ended_call_max_age_s: u64,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("callsteer-emulator: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> std::process::ExitCode {
    // Handlers first: a signal that arrives once the connection string is printed (harnesses
    // stop the emulator as soon as they are done with it) must shut down cleanly, not kill.
    let signalled = match shutdown_signal() {
        Ok(signalled) => signalled,
        Err(e) => {
            eprintln!("callsteer-emulator: cannot install signal handlers: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let config = EmulatorConfig {
        host: args.host,
        port: args.port,
        access_key: args.access_key,
        answer_delay_ms: args.answer_delay_ms,
        event_grid_webhooks: args.event_grid_webhooks,
        resource_id: args.resource_id,
        issuer: args.issuer,
        clock: match args.clock {
            ClockArg::Real => ClockMode::Real,
            ClockArg::Manual => ClockMode::Manual,
        },
        seed: args.seed,
        tls: args.tls,
        tls_cert_out: args.tls_cert_out,
        allow_bearer: args.allow_bearer,
        page_size: args.page_size,
        resource_phone_numbers: args.resource_phone_numbers,
        delivery_max_attempts: args.delivery_attempts,
        max_body_bytes: args.max_body_bytes,
        header_read_timeout_ms: args.header_read_timeout_ms,
        body_read_timeout_ms: args.body_read_timeout_ms,
        ended_call_retention: args.ended_call_retention,
        ended_call_max_age_s: args.ended_call_max_age_s,
        ..Default::default()
    };
    let handle = match callsteer_emulator::start(config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("callsteer-emulator: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "CONNECTION_STRING={}", handle.connection_string());
        if let Some(pem) = handle.tls_ca_pem() {
            let _ = writeln!(out, "TLS_CA_PEM={}", pem.display());
        }
        let _ = writeln!(out, "RESOURCE_ID={}", handle.resource_id());
        let _ = out.flush();
    }
    signalled.await;
    tracing::info!("shutting down");
    handle.shutdown().await;
    std::process::ExitCode::SUCCESS
}

/// Installs the SIGINT/SIGTERM handlers now and returns a future that completes on either.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
