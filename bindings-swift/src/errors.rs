//! The core's `Error`, as one uniffi error: a Swift `Error` enum, a Kotlin exception hierarchy.

use callsteer::{Error, Language};

/// Everything that can go wrong; the variants are the core's error kinds, plus `Cancelled`
/// for a wait cancelled through a `CancellationHandle`.
///
/// Kotlin renames the `message` fields `errorMessage` (a Kotlin exception's `message` is the
/// whole text); Swift keeps `message`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum CallAutomationError {
    /// Input refused locally before anything was sent; `field` names it as the Swift / Kotlin
    /// API does (`callbackUrl`, `invitationTimeoutInSeconds`, …), from the core's one table;
    /// uniffi gives both languages the same camelCase names.
    #[error("invalid argument `{field}`: {message}")]
    InvalidArgument { field: String, message: String },
    /// A credential could not be used.
    #[error("authentication error: {message}")]
    Auth { message: String },
    /// The service answered with a non-success status.
    #[error("service error {status} {code}: {message}")]
    Service {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
        retry_after_ms: Option<i64>,
    },
    /// The request could not be delivered or the answer not read.
    #[error("transport error: {message}")]
    Transport { message: String },
    /// An operation or wait did not finish in time.
    #[error("timed out: {message}")]
    Timeout { message: String },
    /// A callback body could not be parsed; `path` says where.
    #[error("event parse error at {path}: {message}")]
    EventParse { path: String, message: String },
    /// The wait was cancelled (Swift maps this to `CancellationError`).
    #[error("cancelled: {message}")]
    Cancelled { message: String },
}

impl From<Error> for CallAutomationError {
    fn from(e: Error) -> Self {
        // Swift and Kotlin share this one binary and uniffi names their parameters alike, so the
        // Swift column of the table serves both (the core keeps a Kotlin column equal to it).
        let field = e.field_in(Language::Swift);
        match e {
            Error::InvalidArgument { message, .. } => Self::InvalidArgument {
                field: field.unwrap_or_default(),
                message,
            },
            Error::Auth { message } => Self::Auth { message },
            Error::Service {
                status,
                code,
                message,
                request_id,
                retry_after,
            } => Self::Service {
                status,
                code,
                message,
                request_id,
                retry_after_ms: retry_after.map(|d| d.as_millis().min(i64::MAX as u128) as i64),
            },
            Error::Transport { message } => Self::Transport { message },
            Error::Timeout { message } => Self::Timeout { message },
            Error::EventParse { path, message } => Self::EventParse { path, message },
        }
    }
}
