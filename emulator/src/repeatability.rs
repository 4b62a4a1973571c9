//! `Repeatability-Request-ID` / `Repeatability-First-Sent`: a repeated request id gets the
//! stored response of its first execution, and nothing runs again.

use std::collections::{HashMap, VecDeque};

use axum::http::HeaderMap;

use crate::api_error::{ApiError, ApiResult, Reply};

/// Bounded so a long soak run cannot grow memory without limit.
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct RepeatabilityCache {
    replies: HashMap<String, Reply>,
    order: VecDeque<String>,
}

impl RepeatabilityCache {
    pub fn get(&self, request_id: &str) -> Option<Reply> {
        self.replies.get(request_id).cloned()
    }

    pub fn insert(&mut self, request_id: String, reply: Reply) {
        if self.replies.insert(request_id.clone(), reply).is_none() {
            self.order.push_back(request_id);
        }
        while self.order.len() > CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.replies.remove(&old);
            }
        }
    }
}

/// Reads and checks the two headers: both or neither; a UUID and an RFC 1123 date.
pub fn request_id(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let text = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("\u{fffd}").trim().to_string())
    };
    let id = text("repeatability-request-id");
    let first_sent = text("repeatability-first-sent");
    match (id, first_sent) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::invalid_field(
            "Repeatability-First-Sent",
            "header is required when Repeatability-Request-ID is present",
        )),
        (None, Some(_)) => Err(ApiError::invalid_field(
            "Repeatability-Request-ID",
            "header is required when Repeatability-First-Sent is present",
        )),
        (Some(id), Some(first_sent)) => {
            let uuid = uuid::Uuid::parse_str(&id).map_err(|_| {
                ApiError::invalid_field("Repeatability-Request-ID", format!("`{id}` is not a UUID"))
            })?;
            httpdate::parse_http_date(&first_sent).map_err(|_| {
                ApiError::invalid_field(
                    "Repeatability-First-Sent",
                    format!("`{first_sent}` is not an RFC 1123 date"),
                )
            })?;
            Ok(Some(uuid.hyphenated().to_string()))
        }
    }
}
