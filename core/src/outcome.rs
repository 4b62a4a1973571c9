//! Pairs an action's result with the event processor that will see its outcome event.

use std::time::Duration;

use crate::error::Result;
pub use crate::events::{EventProcessor, OperationOutcome, PendingOperation};

/// Held by every result whose action the service answers with an event.
#[derive(Clone)]
pub struct OutcomeWaiter {
    processor: EventProcessor,
    pending: PendingOperation,
}

impl std::fmt::Debug for OutcomeWaiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutcomeWaiter")
            .field("pending", &self.pending)
            .finish()
    }
}

impl OutcomeWaiter {
    pub(crate) fn new(processor: EventProcessor, pending: PendingOperation) -> Self {
        OutcomeWaiter { processor, pending }
    }

    pub fn pending(&self) -> &PendingOperation {
        &self.pending
    }

    /// The success or failure event of the action, or `Error::Timeout`.
    pub async fn wait(&self, timeout: Duration) -> Result<OperationOutcome> {
        self.processor
            .wait_for_outcome(&self.pending, timeout)
            .await
    }
}
