//! `Repeatability-Request-ID` / `Repeatability-First-Sent`: a repeated request id gets the
//! stored response of its first execution, and nothing runs again.

use std::collections::{HashMap, VecDeque};

use axum::http::HeaderMap;

use crate::api_error::{ApiError, ApiResult, Reply};

/// Bounded so a long soak run cannot grow memory without limit.
const CAPACITY: usize = 100_000;
/// How long the replies of a forgotten call still replay (simulation ms): a client retrying
/// the request that ended the call (its response was lost) must get that reply, not a 404.
pub const FORGOTTEN_GRACE_MS: u64 = 5 * 60 * 1000;

#[derive(Default)]
pub struct RepeatabilityCache {
    /// Reply, the generation it was stored under, and the call it belongs to.
    replies: HashMap<String, (u64, Reply, Option<String>)>,
    /// Insertion order; an entry whose generation no longer matches was forgotten earlier.
    order: VecDeque<(String, u64)>,
    /// Request ids per call, so a forgotten call's replies go with it.
    by_call: HashMap<String, Vec<String>>,
    /// Replies of forgotten calls with when their call was forgotten, oldest first; each goes
    /// [`FORGOTTEN_GRACE_MS`] later.
    expiring: VecDeque<(String, u64, u64)>,
    generation: u64,
}

impl RepeatabilityCache {
    pub fn get(&self, request_id: &str) -> Option<Reply> {
        self.replies.get(request_id).map(|(_, r, _)| r.clone())
    }

    /// Stores a reply; `call_id` is the call it acted on or created, if any.
    pub fn insert(&mut self, request_id: String, reply: Reply, call_id: Option<String>) {
        self.generation += 1;
        if let Some(call) = &call_id {
            self.by_call
                .entry(call.clone())
                .or_default()
                .push(request_id.clone());
        }
        let previous = self
            .replies
            .insert(request_id.clone(), (self.generation, reply, call_id));
        if let Some((_, _, Some(call))) = previous {
            self.unlink(&call, &request_id);
        }
        self.order.push_back((request_id, self.generation));
        while self.order.len() > CAPACITY {
            if let Some((old, generation)) = self.order.pop_front() {
                if self
                    .replies
                    .get(&old)
                    .is_some_and(|(g, _, _)| *g == generation)
                {
                    if let Some((_, _, Some(call))) = self.replies.remove(&old) {
                        self.unlink(&call, &old);
                    }
                }
            }
        }
    }

    fn unlink(&mut self, call_id: &str, request_id: &str) {
        if let Some(ids) = self.by_call.get_mut(call_id) {
            ids.retain(|id| id != request_id);
            if ids.is_empty() {
                self.by_call.remove(call_id);
            }
        }
    }

    /// Schedules the replies of calls the world forgot for removal after the grace period, and
    /// removes those whose grace is over: a repeat after that runs against a call that no longer
    /// exists.
    pub fn forget_calls(&mut self, call_ids: impl IntoIterator<Item = String>, now_ms: u64) {
        for call in call_ids {
            for id in self.by_call.remove(&call).unwrap_or_default() {
                if let Some((generation, _, _)) = self.replies.get(&id) {
                    self.expiring.push_back((id, *generation, now_ms));
                }
            }
        }
        while let Some((id, generation, forgotten_at)) = self.expiring.front().cloned() {
            if now_ms.saturating_sub(forgotten_at) < FORGOTTEN_GRACE_MS {
                break;
            }
            self.expiring.pop_front();
            if self
                .replies
                .get(&id)
                .is_some_and(|(g, _, _)| *g == generation)
            {
                self.replies.remove(&id);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.replies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.replies.is_empty()
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
