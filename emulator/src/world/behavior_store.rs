//! Per-target behaviours set through the admin API.

use std::collections::HashMap;

use super::behavior::{Behavior, TargetBehavior};

#[derive(Debug, Clone)]
pub struct BehaviorStore {
    default_delay_ms: u64,
    by_raw_id: HashMap<String, TargetBehavior>,
}

impl BehaviorStore {
    pub fn new(default_delay_ms: u64) -> Self {
        BehaviorStore {
            default_delay_ms,
            by_raw_id: HashMap::new(),
        }
    }

    pub fn set(&mut self, raw_id: &str, behavior: TargetBehavior) {
        self.by_raw_id.insert(raw_id.to_string(), behavior);
    }

    /// The configured behaviour with the delay resolved (unknown targets answer).
    pub fn get(&self, raw_id: &str) -> TargetBehavior {
        let configured = self
            .by_raw_id
            .get(raw_id)
            .copied()
            .unwrap_or(TargetBehavior {
                behavior: Behavior::Answer,
                delay_ms: None,
            });
        TargetBehavior {
            behavior: configured.behavior,
            delay_ms: Some(configured.delay_ms.unwrap_or(self.default_delay_ms)),
        }
    }

    /// How long the app's own answer/connect takes to complete.
    pub fn default_delay_ms(&self) -> u64 {
        self.default_delay_ms
    }

    pub fn all(&self) -> &HashMap<String, TargetBehavior> {
        &self.by_raw_id
    }
}
