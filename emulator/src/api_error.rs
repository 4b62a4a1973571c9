//! `CommunicationErrorResponse` answers and the stored form of every /calling reply.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use callsteer::wire::{CommunicationError, CommunicationErrorResponse};

/// A reply to a /calling request, in a form that can be cached for repeatability replays.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<serde_json::Value>,
    pub retry_after: Option<u64>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            body: Some(body),
            retry_after: None,
        }
    }

    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            body: None,
            retry_after: None,
        }
    }

    pub fn ok<T: serde::Serialize>(status: u16, body: &T) -> Self {
        match serde_json::to_value(body) {
            Ok(v) => Reply::json(status, v),
            Err(e) => ApiError::internal(format!("cannot serialize response: {e}")).into(),
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = match self.body {
            Some(body) => (status, axum::Json(body)).into_response(),
            None => status.into_response(),
        };
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert("retry-after", v);
            }
        }
        response
    }
}

/// An error answer: HTTP status + `{"error":{"code","message"}}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }
    /// A field-specific validation error; the message starts with the field's wire name.
    pub fn invalid_field(field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(400, "BadRequest", format!("{field}: {message}"))
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "Unauthorized", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFound", message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "Conflict", message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerError", message)
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        let body = CommunicationErrorResponse {
            error: CommunicationError {
                code: e.code,
                message: e.message,
                ..Default::default()
            },
        };
        Reply {
            status: e.status,
            body: serde_json::to_value(body).ok(),
            retry_after: e.retry_after,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Reply::from(self).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
