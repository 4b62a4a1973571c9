//! How long the world remembers what is over: ended calls (with their invitations, event log,
//! delivery queue, UI timeline and repeatability replies), settled incoming calls and server
//! calls the app left. Each is kept for the configured retention (a count and an age), then
//! forgotten everywhere, so a week-long run holds a bounded amount of memory.

use super::model::IncomingState;
use super::{TimerAction, World};
use crate::app::lock;

impl World {
    /// A call just ended (its last event is queued): its delivery queue closes once that event
    /// is delivered, and it is remembered for the retention.
    pub(crate) fn call_ended(&mut self, call_id: &str) {
        self.delivery.close(call_id);
        self.ended
            .push_back((call_id.to_string(), self.clock.now_ms()));
        self.prune_retained();
    }

    /// One pending timer at a time, due when the oldest ended call reaches the retention age
    /// (a timer per ended call would itself grow with the churn).
    fn schedule_forget(&mut self) {
        let max_age_ms = self.config.ended_call_max_age_s.saturating_mul(1000);
        if self.forget_scheduled || max_age_ms == 0 {
            return;
        }
        let Some(&(_, ended_at)) = self.ended.front() else {
            return;
        };
        let due_in = ended_at
            .saturating_add(max_age_ms)
            .saturating_sub(self.clock.now_ms());
        self.forget_scheduled = true;
        self.schedule(due_in, TimerAction::ForgetEnded);
    }

    pub(crate) fn forget_timer_fired(&mut self) {
        self.forget_scheduled = false;
        self.prune_retained();
    }

    /// An incoming call stopped ringing (answered, rejected, redirected).
    pub(crate) fn settle_incoming(&mut self, context: &str, state: IncomingState) {
        if let Some(incoming) = self.incoming.get_mut(context) {
            if incoming.state == IncomingState::Ringing {
                self.settled_incoming.push_back(context.to_string());
                incoming.state = state;
            }
        }
        self.prune_retained();
    }

    /// Forgets whatever is beyond the retention count or older than the retention age.
    pub(crate) fn prune_retained(&mut self) {
        let keep = self.config.ended_call_retention;
        let max_age_ms = self.config.ended_call_max_age_s.saturating_mul(1000);
        let now = self.clock.now_ms();
        while let Some((call_id, ended_at)) = self.ended.front().cloned() {
            let too_many = self.ended.len() > keep;
            let too_old = max_age_ms > 0 && now.saturating_sub(ended_at) >= max_age_ms;
            if !(too_many || too_old) {
                break;
            }
            self.ended.pop_front();
            self.forget_call(&call_id);
        }
        self.schedule_forget();
        while self.settled_incoming.len() > keep {
            if let Some(context) = self.settled_incoming.pop_front() {
                self.incoming.remove(&context);
            }
        }
        while self.left_server_calls.len() > keep {
            if let Some(id) = self.left_server_calls.pop_front() {
                let still_in_use = self
                    .server_calls
                    .get(&id)
                    .is_some_and(|s| s.group_call_id.is_some());
                if !still_in_use {
                    self.server_calls.remove(&id);
                }
            }
        }
    }

    fn forget_call(&mut self, call_id: &str) {
        let Some(call) = self.calls.remove(call_id) else {
            return;
        };
        if let Some(seq) = self.call_seqs.remove(call_id) {
            self.call_order.remove(&seq);
        }
        for id in &call.invitation_ids {
            self.invitations.remove(id);
        }
        self.delivery.forget(call_id);
        self.delivery.live().forget(call_id);
        lock(&self.forgotten).push(call_id.to_string());
    }

    /// Ended calls currently remembered.
    pub fn ended_calls_retained(&self) -> usize {
        self.ended.len()
    }

    /// Counts of everything the world holds, for `/emulator/stats` and the soak run.
    pub fn stats(&self) -> serde_json::Value {
        serde_json::json!({
            "calls": self.calls.len(),
            "activeCalls": self.calls.values().filter(|c| c.is_active()).count(),
            "endedCallsRetained": self.ended.len(),
            "invitations": self.invitations.len(),
            "incomingCalls": self.incoming.len(),
            "serverCalls": self.server_calls.len(),
            "pendingTimers": self.pending_timers(),
        })
    }
}
