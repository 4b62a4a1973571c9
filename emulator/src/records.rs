//! A log of every /calling request: what it was, what happened, how long it took — so tests
//! and the soak run can check that each action executed exactly once.

use std::collections::VecDeque;

use serde::Serialize;

const CAPACITY: usize = 100_000;
/// Only the latest requests keep their bodies (for `/emulator/ui`), so that memory stays
/// bounded however many requests a long run makes.
const BODIES_KEPT: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The action ran (its reply may still be a validation error).
    Executed,
    /// A stored reply was returned for a repeated Repeatability-Request-ID.
    Replayed,
    /// Refused before running: authentication, api-version, repeatability headers, routing.
    Rejected,
    /// Fault injection answered without executing.
    FaultInjected,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub seq: u64,
    pub time: String,
    pub method: String,
    pub path: String,
    pub operation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_connection_id: Option<String>,
    pub status: u16,
    pub latency_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeatability_request_id: Option<String>,
    pub outcome: Outcome,
    /// The action ran but the connection was closed without sending the reply.
    pub response_dropped: bool,
    /// Position in the live timeline (taken when the request arrived), for `/emulator/ui`.
    #[serde(skip)]
    pub order: u64,
    /// Bodies for `/emulator/ui`, capped by `live::capture_body`; never any header.
    #[serde(skip)]
    pub request_body: Option<serde_json::Value>,
    #[serde(skip)]
    pub response_body: Option<serde_json::Value>,
}

#[derive(Default)]
pub struct RequestLog {
    seq: u64,
    records: VecDeque<RequestRecord>,
}

impl RequestLog {
    /// Stores the record with its sequence number, and returns that stored copy.
    pub fn push(&mut self, mut record: RequestRecord) -> RequestRecord {
        self.seq += 1;
        record.seq = self.seq;
        self.records.push_back(record.clone());
        while self.records.len() > CAPACITY {
            self.records.pop_front();
        }
        if let Some(old) = self
            .records
            .len()
            .checked_sub(BODIES_KEPT + 1)
            .and_then(|i| self.records.get_mut(i))
        {
            old.request_body = None;
            old.response_body = None;
        }
        record
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn all(&self) -> Vec<RequestRecord> {
        self.records.iter().cloned().collect()
    }
}
