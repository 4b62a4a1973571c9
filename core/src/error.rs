//! One error type for the whole library; every binding maps [`ErrorKind`] to its own idiom.

use std::time::Duration;

/// The stable, field-less category of an [`Error`]; bindings switch on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    Auth,
    Service,
    Transport,
    Timeout,
    EventParse,
}

impl ErrorKind {
    /// A machine-readable name, identical in every language.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::Auth => "Auth",
            ErrorKind::Service => "Service",
            ErrorKind::Transport => "Transport",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::EventParse => "EventParse",
        }
    }
}

/// Everything that can go wrong in callsteer.
///
/// No variant ever holds a secret: access keys and tokens are dropped before an error is built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input refused locally, before any request was sent. `field` names the offending field
    /// with the service's wire name or the option's name (e.g. `sourceCallerIdNumber`).
    #[error("invalid argument `{field}`: {message}")]
    InvalidArgument { field: String, message: String },

    /// A credential could not be used (malformed key, token provider failure, bad callback token).
    #[error("authentication error: {message}")]
    Auth { message: String },

    /// The service answered with a non-success status.
    #[error("service error {status} {code}: {message}{}", request_id.as_deref().map(|r| format!(" (request id {r})")).unwrap_or_default())]
    Service {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },

    /// The request could not be delivered or the response could not be read.
    #[error("transport error: {message}")]
    Transport { message: String },

    /// An operation or wait did not finish in time.
    #[error("timed out: {message}")]
    Timeout { message: String },

    /// A callback body or event could not be parsed; `path` says where.
    #[error("event parse error at {path}: {message}")]
    EventParse { path: String, message: String },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Error::Auth { .. } => ErrorKind::Auth,
            Error::Service { .. } => ErrorKind::Service,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::EventParse { .. } => ErrorKind::EventParse,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn auth(message: impl Into<String>) -> Self {
        Error::Auth {
            message: message.into(),
        }
    }

    pub fn transport(message: impl Into<String>) -> Self {
        Error::Transport {
            message: message.into(),
        }
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Error::Timeout {
            message: message.into(),
        }
    }

    pub fn event_parse(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::EventParse {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The HTTP status of a service error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Service { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
