//! callsteer-emulator: a local Azure Communication Services Call Automation service.
//!
//! Same paths, api-version handling, validation, status codes, error bodies, HMAC check and
//! event payloads as the real service (call steering subset), a simulated other side of every
//! call, JWT-signed callbacks, Event Grid `IncomingCall` delivery, repeatability, fault
//! injection and an admin API under `/emulator/`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), callsteer_emulator::StartError> {
//! let handle = callsteer_emulator::start(Default::default()).await?;
//! println!("{}", handle.connection_string());
//! handle.shutdown().await;
//! # Ok(()) }
//! ```

pub mod api_error;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod eventgrid;
pub mod faults;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod jwt;
pub mod live;
pub mod records;
pub mod repeatability;
pub mod server;
pub mod tls;
pub mod validation;
pub mod world;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use tokio::sync::{watch, Notify};

pub use config::{ClockMode, EmulatorConfig};

use app::{lock, App};
use clock::Clock;
use delivery::Delivery;
use faults::Faults;
use jwt::JwtSigner;
use world::World;

/// Why the emulator could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for StartError {}

/// A running emulator.
pub struct EmulatorHandle {
    app: Arc<App>,
    connection_string: String,
    tls_ca_pem: Option<PathBuf>,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("base_url", &self.app.base_url)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// `http(s)://127.0.0.1:PORT/` — the resource endpoint as a connection string carries it.
    pub fn endpoint(&self) -> String {
        format!("{}/", self.app.base_url)
    }

    /// `http(s)://127.0.0.1:PORT` (no trailing slash), for building admin URLs.
    pub fn base_url(&self) -> &str {
        &self.app.base_url
    }

    /// `endpoint=…/;accesskey=…`.
    pub fn connection_string(&self) -> &str {
        &self.connection_string
    }

    /// The CA certificate PEM when serving TLS.
    pub fn tls_ca_pem(&self) -> Option<&Path> {
        self.tls_ca_pem.as_deref()
    }

    /// The `aud` claim of callback tokens.
    pub fn resource_id(&self) -> &str {
        &self.app.config.resource_id
    }

    /// Stops accepting, lets open connections finish (bounded), stops deliveries and timers.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
    }
}

fn random_access_key() -> String {
    let bytes: [u8; 32] = rand::random();
    B64.encode(bytes)
}

/// Starts an emulator on `config.host:config.port` (0 = ephemeral) and returns once it accepts
/// connections.
pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle, StartError> {
    // reqwest is built without a default crypto provider; install ring (ignore "already set").
    let _ = rustls::crypto::ring::default_provider().install_default();

    let access_key = config.access_key.clone().unwrap_or_else(random_access_key);
    let credential = callsteer::AccessKeyCredential::new(&access_key)
        .map_err(|_| StartError("--access-key must be a non-empty base64 string".into()))?;

    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|e| {
            StartError(format!(
                "cannot listen on {}:{}: {e}",
                config.host, config.port
            ))
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError(format!("cannot read the listening address: {e}")))?;
    let scheme = if config.tls { "https" } else { "http" };
    // An unspecified bind address is reachable through loopback.
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    let base_url = format!("{scheme}://{host}:{}", addr.port());
    let connection_string = format!("endpoint={base_url}/;accesskey={access_key}");

    let tls = if config.tls {
        Some(tls::generate(config.tls_cert_out.as_deref()).map_err(StartError)?)
    } else {
        None
    };

    let issuer = config.issuer.clone();
    let audience = config.resource_id.clone();
    let jwt = tokio::task::spawn_blocking(move || JwtSigner::new(&issuer, &audience))
        .await
        .map_err(|e| StartError(format!("key generation task failed: {e}")))?
        .map_err(StartError)?;
    let jwt = Arc::new(jwt);

    let http = callsteer::transport::http_client_builder()
        .map_err(|e| StartError(format!("cannot build the HTTP client: {e}")))?
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| StartError(format!("cannot build the HTTP client: {e}")))?;

    let config = Arc::new(config);
    let clock = Arc::new(Clock::new(config.clock));
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let live = live::Live::new(shutdown_rx.clone());
    let delivery = Delivery::new(
        http.clone(),
        Arc::clone(&jwt),
        Arc::clone(&clock),
        config.delivery_max_attempts,
        config.delivery_backoff_ms,
        shutdown_rx.clone(),
        Arc::clone(&live),
    );
    let timer_notify = Arc::new(Notify::new());
    let forgotten_calls = Arc::new(Mutex::new(Vec::new()));
    let world = World::new(
        Arc::clone(&config),
        Arc::clone(&clock),
        Arc::clone(&delivery),
        Arc::clone(&timer_notify),
        Arc::clone(&forgotten_calls),
    );
    let app = Arc::new(App {
        config: Arc::clone(&config),
        clock: Arc::clone(&clock),
        credential,
        jwt,
        delivery,
        world: Mutex::new(world),
        repeatability: Mutex::new(Default::default()),
        forgotten_calls,
        faults: Mutex::new(Faults::new(config.seed)),
        requests: Mutex::new(Default::default()),
        timer_notify,
        live,
        http,
        base_url,
    });

    if !clock.is_manual() {
        tokio::spawn(server::run_timers(Arc::clone(&app), shutdown_rx.clone()));
    }
    for url in config.event_grid_webhooks.clone() {
        tokio::spawn(register_webhook_with_retries(
            Arc::clone(&app),
            url,
            shutdown_rx.clone(),
        ));
    }

    let router = http::router(Arc::clone(&app));
    let server = tokio::spawn(server::serve(
        listener,
        router,
        tls.as_ref().map(|t| t.acceptor.clone()),
        shutdown_rx,
        server::Limits::from_config(&config),
    ));
    tracing::info!(base_url = %app.base_url, resource_id = %config.resource_id, "callsteer emulator listening");
    Ok(EmulatorHandle {
        app,
        connection_string,
        tls_ca_pem: tls.map(|t| t.ca_pem_path),
        shutdown: shutdown_tx,
        server,
    })
}

/// `--event-grid-webhook`: the app may start after the emulator, so the handshake is retried
/// for a while; a webhook that never validates is refused (logged), never used.
async fn register_webhook_with_retries(
    app: Arc<App>,
    url: String,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut last_error = String::new();
    for _ in 0..60 {
        match eventgrid::validate_webhook(&app.http, &url).await {
            Ok(()) => {
                lock(&app.world).add_webhook(&url);
                tracing::info!(url = %url, "Event Grid webhook registered");
                return;
            }
            Err(reason) => last_error = reason,
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
    tracing::error!(url = %url, reason = %last_error, "Event Grid webhook refused: validation handshake failed");
}
