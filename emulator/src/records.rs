//! A log of every /calling request: what it was, what happened, how long it took — so tests
//! and the soak run can check that each action executed exactly once.

use std::collections::VecDeque;

use serde::Serialize;

const CAPACITY: usize = 100_000;

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
}

#[derive(Default)]
pub struct RequestLog {
    seq: u64,
    records: VecDeque<RequestRecord>,
}

impl RequestLog {
    pub fn push(&mut self, mut record: RequestRecord) {
        self.seq += 1;
        record.seq = self.seq;
        self.records.push_back(record);
        while self.records.len() > CAPACITY {
            self.records.pop_front();
        }
    }

    pub fn all(&self) -> Vec<RequestRecord> {
        self.records.iter().cloned().collect()
    }
}
