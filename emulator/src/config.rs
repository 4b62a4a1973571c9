//! Everything the emulator can be told at start (CLI flags map 1:1 onto these fields).

use std::path::PathBuf;

/// The audience (`aud`) of callback JWTs when no `--resource-id` is given: a fixed GUID so that
/// test apps can hard-code it, printed at start.
pub const DEFAULT_RESOURCE_ID: &str = "9b1c3c42-5f0e-4a6d-8c1e-0c5e1a7d2f10";
/// The real service's callback token issuer; apps validating tokens expect this value.
pub const DEFAULT_ISSUER: &str = "https://acscallautomation.communication.azure.com";

/// How time moves for simulated delays (answer delays, invitation timeouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// Timers fire on their own, in real time.
    #[default]
    Real,
    /// Timers fire only when `POST /emulator/clock/advance` moves virtual time past them.
    Manual,
}

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub host: String,
    /// 0 = pick an ephemeral port.
    pub port: u16,
    /// Base64 access key; `None` = generate a random one (printed in the connection string).
    pub access_key: Option<String>,
    /// How long a target with the default behaviour takes to answer (ms).
    pub answer_delay_ms: u64,
    /// Event Grid webhooks registered at start (after the validation handshake).
    pub event_grid_webhooks: Vec<String>,
    /// The `aud` claim of callback tokens.
    pub resource_id: String,
    /// The `iss` claim of callback tokens.
    pub issuer: String,
    pub clock: ClockMode,
    /// Seed of the RNG behind fault injection; `None` = random.
    pub seed: Option<u64>,
    pub tls: bool,
    /// Where the TLS CA certificate PEM is written (`None` = temp dir).
    pub tls_cert_out: Option<PathBuf>,
    /// Accept `Authorization: Bearer <anything>` as well as HMAC.
    pub allow_bearer: bool,
    /// Page size of list participants.
    pub page_size: usize,
    /// Phone numbers "of this resource": a redirect to one raises a new IncomingCall.
    pub resource_phone_numbers: Vec<String>,
    /// Delivery attempts per callback event before it is marked failed.
    pub delivery_max_attempts: u32,
    /// First retry delay of callback delivery (doubles each attempt).
    pub delivery_backoff_ms: u64,
    /// Invitation timeout when a request gives none (seconds).
    pub default_invitation_timeout_s: u64,
    /// Accepted clock skew of `x-ms-date` (seconds).
    pub max_date_skew_s: u64,
    /// Largest request body; larger ones get 413 (default 1 MiB).
    pub max_body_bytes: usize,
    /// A connection must finish the TLS handshake and send its first request, and each later
    /// request's headers, within this (ms); an idle keep-alive connection is closed after it
    /// (default 30 s).
    pub header_read_timeout_ms: u64,
    /// Each request body must arrive within this (ms), or 408 and the connection is closed
    /// (default 30 s).
    pub body_read_timeout_ms: u64,
    /// How many ended calls are remembered (admin API, UI, event log, repeatability replies);
    /// beyond it the oldest is forgotten everywhere (default 1,000).
    pub ended_call_retention: usize,
    /// An ended call is forgotten this long after it ended, whatever the count (seconds,
    /// simulation time; 0 = no age limit; default 1 hour).
    pub ended_call_max_age_s: u64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            host: "127.0.0.1".into(),
            port: 0,
            access_key: None,
            answer_delay_ms: 20,
            event_grid_webhooks: Vec::new(),
            resource_id: DEFAULT_RESOURCE_ID.into(),
            issuer: DEFAULT_ISSUER.into(),
            clock: ClockMode::Real,
            seed: None,
            tls: false,
            tls_cert_out: None,
            allow_bearer: false,
            page_size: 100,
            resource_phone_numbers: Vec::new(),
            delivery_max_attempts: 5,
            delivery_backoff_ms: 200,
            default_invitation_timeout_s: 60,
            max_date_skew_s: 15 * 60,
            max_body_bytes: 1024 * 1024,
            header_read_timeout_ms: 30_000,
            body_read_timeout_ms: 30_000,
            ended_call_retention: 1_000,
            ended_call_max_age_s: 3_600,
        }
    }
}
