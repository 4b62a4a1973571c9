//! The event processor: routes parsed events to operation waiters, subscribers and handlers,
//! drops duplicate deliveries, keeps a short backlog and per-call participant rosters.
//!
//! All state lives behind one `std::sync::Mutex` that is never held across an `.await` nor while
//! user code (handlers) runs. Every collection is bounded (see [`EventProcessorConfig`]), so a
//! process that runs for weeks keeps a flat memory profile.

use std::collections::{HashMap, HashSet, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::model::CallAutomationEvent;
use super::parse::parse_events;
use crate::error::{Error, Result};
use crate::models::CallParticipant;

/// How many events a [`Subscription`] buffers before new events for it are dropped (with a
/// warning); read subscriptions promptly.
pub const SUBSCRIPTION_CAPACITY: usize = 1024;

/// Limits of an [`EventProcessor`].
#[derive(Debug, Clone)]
pub struct EventProcessorConfig {
    /// How long an event nobody waited for is kept for a later waiter (default 60 s).
    pub backlog_ttl: Duration,
    /// At most this many backlogged events; the oldest is evicted first (default 10 000).
    pub backlog_max_events: usize,
    /// How many recent event ids are remembered to drop duplicate deliveries (default 50 000).
    pub dedup_window: usize,
    /// At most this many per-call participant rosters; the oldest call is evicted first
    /// (default 10 000).
    pub roster_max_calls: usize,
}

impl Default for EventProcessorConfig {
    fn default() -> Self {
        EventProcessorConfig {
            backlog_ttl: Duration::from_secs(60),
            backlog_max_events: 10_000,
            dedup_window: 50_000,
            roster_max_calls: 10_000,
        }
    }
}

/// The kind of action whose outcome event a caller waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    CreateCall,
    AnswerCall,
    ConnectCall,
    TransferCall,
    AddParticipant,
    RemoveParticipant,
    CancelAddParticipant,
}

impl OperationKind {
    /// The (success, failure) event type names that settle this kind of operation.
    pub fn outcome_event_types(self) -> (&'static str, &'static str) {
        match self {
            OperationKind::CreateCall => ("CallConnected", "CreateCallFailed"),
            OperationKind::AnswerCall => ("CallConnected", "AnswerFailed"),
            OperationKind::ConnectCall => ("CallConnected", "ConnectFailed"),
            OperationKind::TransferCall => ("CallTransferAccepted", "CallTransferFailed"),
            OperationKind::AddParticipant => ("AddParticipantSucceeded", "AddParticipantFailed"),
            OperationKind::RemoveParticipant => {
                ("RemoveParticipantSucceeded", "RemoveParticipantFailed")
            }
            OperationKind::CancelAddParticipant => (
                "CancelAddParticipantSucceeded",
                "CancelAddParticipantFailed",
            ),
        }
    }
}

/// An action that was accepted by the service and whose result event is still to come.
#[derive(Debug, Clone)]
pub struct PendingOperation {
    pub kind: OperationKind,
    pub call_connection_id: String,
    /// When set, the outcome event must carry this operation context.
    pub operation_context: Option<String>,
    /// When set, a cancel-add outcome that carries an invitation id must carry this one.
    pub invitation_id: Option<String>,
    /// When set (and `operation_context` is not), an add/remove outcome that names a participant
    /// must name this one.
    pub participant_raw_id: Option<String>,
}

impl PendingOperation {
    /// An operation of `kind` on `call_connection_id`, with no further matching criteria.
    pub fn new(kind: OperationKind, call_connection_id: impl Into<String>) -> Self {
        PendingOperation {
            kind,
            call_connection_id: call_connection_id.into(),
            operation_context: None,
            invitation_id: None,
            participant_raw_id: None,
        }
    }

    /// Sets the operation context to match.
    pub fn with_operation_context(mut self, context: impl Into<String>) -> Self {
        self.operation_context = Some(context.into());
        self
    }

    /// Sets the invitation id to match.
    pub fn with_invitation_id(mut self, invitation_id: impl Into<String>) -> Self {
        self.invitation_id = Some(invitation_id.into());
        self
    }

    /// Sets the participant raw id to match.
    pub fn with_participant_raw_id(mut self, raw_id: impl Into<String>) -> Self {
        self.participant_raw_id = Some(raw_id.into());
        self
    }

    /// `Some(true)` if `event` is this operation's success, `Some(false)` its failure, `None` if
    /// it does not belong to this operation.
    pub fn match_event(&self, event: &CallAutomationEvent) -> Option<bool> {
        let (success, failure) = self.kind.outcome_event_types();
        let event_type = event.event_type();
        let succeeded = if event_type == success {
            true
        } else if event_type == failure {
            false
        } else {
            return None;
        };
        if matches!(event, CallAutomationEvent::Unknown { .. }) {
            return None;
        }
        if event.call_connection_id() != Some(self.call_connection_id.as_str()) {
            return None;
        }
        if let Some(context) = &self.operation_context {
            if event.operation_context() != Some(context.as_str()) {
                return None;
            }
        }
        if let (Some(expected), Some(actual)) = (&self.invitation_id, event.invitation_id()) {
            if expected != actual {
                return None;
            }
        }
        if self.operation_context.is_none() {
            if let (Some(expected), Some(actual)) = (&self.participant_raw_id, event.participant())
            {
                if *expected != actual.raw_id() {
                    return None;
                }
            }
        }
        Some(succeeded)
    }
}

/// The event that settled a [`PendingOperation`].
#[derive(Debug, Clone)]
pub struct OperationOutcome {
    /// True for the success event, false for the `*Failed` event.
    pub succeeded: bool,
    pub event: CallAutomationEvent,
}

/// Which events a subscription or handler receives; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events of this call connection.
    pub call_connection_id: Option<String>,
    /// Only events of this type: the short name (e.g. `CallDisconnected`) or the full wire type
    /// (`Microsoft.Communication.CallDisconnected`).
    pub event_type: Option<String>,
}

impl EventFilter {
    /// Every event.
    pub fn all() -> Self {
        EventFilter::default()
    }

    /// Every event of one call connection.
    pub fn for_call(call_connection_id: impl Into<String>) -> Self {
        EventFilter {
            call_connection_id: Some(call_connection_id.into()),
            event_type: None,
        }
    }

    /// Every event of one type (short name, e.g. `ParticipantsUpdated`).
    pub fn of_type(event_type: impl Into<String>) -> Self {
        EventFilter {
            call_connection_id: None,
            event_type: Some(event_type.into()),
        }
    }

    /// Narrows this filter to one event type.
    pub fn and_type(mut self, event_type: impl Into<String>) -> Self {
        self.event_type = Some(event_type.into());
        self
    }

    /// True if `event` passes the filter.
    pub fn matches(&self, event: &CallAutomationEvent) -> bool {
        if let Some(call) = &self.call_connection_id {
            if event.call_connection_id() != Some(call.as_str()) {
                return false;
            }
        }
        if let Some(event_type) = &self.event_type {
            // The short name (`CallConnected`) or the full wire type both work.
            if event.event_type() != event_type && event.cloud_event_type() != *event_type {
                return false;
            }
        }
        true
    }
}

/// Identifies a handler registered with [`EventProcessor::on`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandlerId(u64);

/// Sizes of the processor's internal collections, for monitoring and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessorStats {
    pub backlog_len: usize,
    pub dedup_len: usize,
    pub rosters: usize,
    pub waiters: usize,
    pub subscribers: usize,
    pub handlers: usize,
}

type Handler = Arc<dyn Fn(&CallAutomationEvent) + Send + Sync>;
type Predicate = Box<dyn Fn(&CallAutomationEvent) -> bool + Send + Sync>;

enum Matcher {
    Operation(PendingOperation),
    Filter(Predicate),
}

impl Matcher {
    fn matches(&self, event: &CallAutomationEvent) -> bool {
        match self {
            Matcher::Operation(op) => op.match_event(event).is_some(),
            // A panicking user filter counts as "no match".
            Matcher::Filter(filter) => {
                catch_unwind(AssertUnwindSafe(|| filter(event))).unwrap_or(false)
            }
        }
    }
}

struct Waiter {
    matcher: Matcher,
    tx: oneshot::Sender<CallAutomationEvent>,
}

struct BacklogEntry {
    at: Instant,
    event: CallAutomationEvent,
}

struct Roster {
    sequence_number: i64,
    participants: Vec<CallParticipant>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    backlog: VecDeque<BacklogEntry>,
    dedup_set: HashSet<Arc<str>>,
    dedup_order: VecDeque<Arc<str>>,
    rosters: HashMap<String, Roster>,
    roster_order: VecDeque<String>,
    // BTreeMap-like ordering by id = registration order (ids only increase).
    waiters: std::collections::BTreeMap<u64, Waiter>,
    subscribers: HashMap<u64, (EventFilter, mpsc::Sender<CallAutomationEvent>)>,
    handlers: HashMap<u64, (EventFilter, Handler)>,
}

/// Receives every new event this process received itself (the event bus's outbox).
pub(crate) type Publisher = Box<dyn Fn(&CallAutomationEvent) + Send + Sync>;

struct Inner {
    config: EventProcessorConfig,
    state: Mutex<State>,
    // Event-bus hook: set at most once, by `events::bus`.
    publisher: OnceLock<Publisher>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a panic elsewhere; the state itself stays consistent
        // because no user code runs under the lock.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Routes callback events to whoever waits for them.
///
/// Cheap to clone (an `Arc` inside); share one per application.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> callsteer::Result<()> {
/// use std::time::Duration;
/// use callsteer::events::{EventProcessor, OperationKind, PendingOperation};
///
/// let processor = EventProcessor::new();
/// // The callback handler feeds every body it receives:
/// processor.process_events(br#"[{"id":"e1","type":"Microsoft.Communication.CallConnected",
///     "source":"calling/callConnections/c1","data":{"callConnectionId":"c1"}}]"#)?;
/// // The code that created the call waits for its outcome (the event may already be there):
/// let op = PendingOperation::new(OperationKind::CreateCall, "c1");
/// let outcome = processor.wait_for_outcome(&op, Duration::from_secs(30)).await?;
/// assert!(outcome.succeeded);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct EventProcessor {
    inner: Arc<Inner>,
}

impl Default for EventProcessor {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for EventProcessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventProcessor")
            .field("config", &self.inner.config)
            .field("stats", &self.stats())
            .finish()
    }
}

impl EventProcessor {
    /// A processor with the default limits.
    pub fn new() -> Self {
        Self::with_config(EventProcessorConfig::default())
    }

    /// A processor with the given limits.
    pub fn with_config(config: EventProcessorConfig) -> Self {
        EventProcessor {
            inner: Arc::new(Inner {
                config,
                state: Mutex::new(State::default()),
                publisher: OnceLock::new(),
            }),
        }
    }

    /// The limits this processor was built with.
    pub fn config(&self) -> &EventProcessorConfig {
        &self.inner.config
    }

    /// Parses a callback body and dispatches every event; returns the events that were new
    /// (duplicates of already-seen ids are dropped). A malformed body dispatches nothing.
    pub fn process_events(&self, body: &[u8]) -> Result<Vec<CallAutomationEvent>> {
        let events = parse_events(body)?;
        Ok(events
            .into_iter()
            .filter(|event| self.process_event(event.clone()))
            .collect())
    }

    /// Dispatches one event: to subscribers and handlers, then to the oldest waiter it
    /// satisfies, else into the backlog. Returns false (and does nothing) for a duplicate id.
    /// Events with an empty id are never treated as duplicates.
    pub fn process_event(&self, event: CallAutomationEvent) -> bool {
        // Event-bus hook: an event received here (not one that came over the bus) is handed to
        // the publisher once it proved new, after the local dispatch.
        let Some(publish) = self.inner.publisher.get() else {
            return self.dispatch(event);
        };
        let copy = event.clone();
        let new = self.dispatch(event);
        if new {
            publish(&copy);
        }
        new
    }

    /// Event-bus hook: dispatches an event another instance received, without publishing it
    /// again. Same duplicate rule as [`process_event`](Self::process_event).
    #[cfg_attr(not(feature = "event-bus"), allow(dead_code))]
    pub(crate) fn process_remote_event(&self, event: CallAutomationEvent) -> bool {
        self.dispatch(event)
    }

    /// Event-bus hook: installs the publisher; false if one is already installed.
    #[cfg_attr(not(feature = "event-bus"), allow(dead_code))]
    pub(crate) fn set_publisher(&self, publisher: Publisher) -> bool {
        self.inner.publisher.set(publisher).is_ok()
    }

    fn dispatch(&self, event: CallAutomationEvent) -> bool {
        let handlers: Vec<Handler>;
        {
            let mut state = self.inner.lock();
            let config = &self.inner.config;
            if !remember_id(&mut state, config, event.id()) {
                tracing::debug!(id = event.id(), "duplicate event delivery dropped");
                return false;
            }
            update_roster(&mut state, config, &event);
            let now = Instant::now();
            expire_backlog(&mut state, config, now);

            // Subscribers (drop closed ones; drop the event for a full one).
            state.subscribers.retain(|_, (filter, tx)| {
                if !filter.matches(&event) {
                    return !tx.is_closed();
                }
                match tx.try_send(event.clone()) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        tracing::warn!(
                            event_type = event.event_type(),
                            "subscription buffer full; event dropped for this subscriber"
                        );
                        true
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                }
            });
            handlers = state
                .handlers
                .values()
                .filter(|(filter, _)| filter.matches(&event))
                .map(|(_, handler)| handler.clone())
                .collect();

            // The oldest matching live waiter takes the event; otherwise keep it.
            let mut pending = Some(event.clone());
            let mut dead = Vec::new();
            let mut taken_by = None;
            for (id, waiter) in state.waiters.iter_mut() {
                if waiter.tx.is_closed() {
                    dead.push(*id);
                    continue;
                }
                if waiter.matcher.matches(&event) {
                    taken_by = Some(*id);
                    break;
                }
            }
            for id in dead {
                state.waiters.remove(&id);
            }
            if let Some(id) = taken_by {
                if let Some(waiter) = state.waiters.remove(&id) {
                    if let Some(ev) = pending.take() {
                        // If the receiver vanished in between, keep the event in the backlog.
                        pending = waiter.tx.send(ev).err();
                    }
                }
            }
            if let Some(ev) = pending {
                push_backlog(&mut state, config, now, ev);
            }
        }
        for handler in handlers {
            if catch_unwind(AssertUnwindSafe(|| handler(&event))).is_err() {
                tracing::error!(
                    event_type = event.event_type(),
                    "event handler panicked; ignored"
                );
            }
        }
        true
    }

    /// Waits for the success or failure event of `op` (see [`PendingOperation::match_event`]).
    /// An event that arrived before this call is taken from the backlog.
    /// Returns [`Error::Timeout`] after `timeout`.
    pub async fn wait_for_outcome(
        &self,
        op: &PendingOperation,
        timeout: Duration,
    ) -> Result<OperationOutcome> {
        let event = self
            .wait(Matcher::Operation(op.clone()), timeout, || {
                format!(
                    "no {:?} outcome event for call connection {} within {:?}",
                    op.kind, op.call_connection_id, timeout
                )
            })
            .await?;
        let succeeded = op.match_event(&event).unwrap_or(false);
        Ok(OperationOutcome { succeeded, event })
    }

    /// Waits for the first event that passes `filter` (checking the backlog first, oldest
    /// first). The event is taken: no other waiter receives it.
    ///
    /// `filter` runs while the processor's internal lock is held: keep it a cheap predicate and
    /// do not call back into the processor from it (a panic in it counts as "no match").
    pub async fn wait_for_event<F>(
        &self,
        filter: F,
        timeout: Duration,
    ) -> Result<CallAutomationEvent>
    where
        F: Fn(&CallAutomationEvent) -> bool + Send + Sync + 'static,
    {
        self.wait(Matcher::Filter(Box::new(filter)), timeout, || {
            format!("no matching event within {timeout:?}")
        })
        .await
    }

    async fn wait(
        &self,
        matcher: Matcher,
        timeout: Duration,
        describe: impl FnOnce() -> String,
    ) -> Result<CallAutomationEvent> {
        let (rx, id) = {
            let mut state = self.inner.lock();
            let now = Instant::now();
            expire_backlog(&mut state, &self.inner.config, now);
            if let Some(pos) = state.backlog.iter().position(|e| matcher.matches(&e.event)) {
                if let Some(entry) = state.backlog.remove(pos) {
                    return Ok(entry.event);
                }
            }
            let (tx, rx) = oneshot::channel();
            state.next_id += 1;
            let id = state.next_id;
            state.waiters.insert(id, Waiter { matcher, tx });
            (rx, id)
        };
        let mut guard = WaiterGuard {
            inner: Arc::downgrade(&self.inner),
            id,
            rx: Some(rx),
        };
        let Some(rx) = guard.rx.as_mut() else {
            return Err(Error::timeout(describe()));
        };
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(event)) => {
                guard.rx = None;
                Ok(event)
            }
            // The sender is only dropped when the waiter is removed without an event.
            Ok(Err(_)) | Err(_) => Err(Error::timeout(describe())),
        }
    }

    /// A stream of the events that pass `filter`, from now on. Dropping the subscription
    /// unsubscribes. Buffers up to [`SUBSCRIPTION_CAPACITY`] events.
    pub fn subscribe(&self, filter: EventFilter) -> Subscription {
        let (tx, rx) = mpsc::channel(SUBSCRIPTION_CAPACITY);
        let mut state = self.inner.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.subscribers.insert(id, (filter, tx));
        Subscription {
            inner: Arc::downgrade(&self.inner),
            id,
            rx,
        }
    }

    /// Calls `handler` for every event that passes `filter` until [`off`](Self::off). The
    /// handler runs on the thread that processes the event, outside any lock; it may call back
    /// into the processor. A panic in a handler is caught and logged.
    pub fn on<F>(&self, filter: EventFilter, handler: F) -> HandlerId
    where
        F: Fn(&CallAutomationEvent) + Send + Sync + 'static,
    {
        let mut state = self.inner.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.handlers.insert(id, (filter, Arc::new(handler)));
        HandlerId(id)
    }

    /// Removes a handler; false if it was not registered.
    pub fn off(&self, id: HandlerId) -> bool {
        self.inner.lock().handlers.remove(&id.0).is_some()
    }

    /// The latest roster of a call from `ParticipantsUpdated` events (highest sequence number),
    /// or `None` if none was seen or the call disconnected.
    pub fn call_participants(&self, call_connection_id: &str) -> Option<Vec<CallParticipant>> {
        self.inner
            .lock()
            .rosters
            .get(call_connection_id)
            .map(|r| r.participants.clone())
    }

    /// Current sizes of the internal collections.
    pub fn stats(&self) -> ProcessorStats {
        let state = self.inner.lock();
        ProcessorStats {
            backlog_len: state.backlog.len(),
            dedup_len: state.dedup_set.len(),
            rosters: state.rosters.len(),
            waiters: state.waiters.len(),
            subscribers: state.subscribers.len(),
            handlers: state.handlers.len(),
        }
    }
}

/// Removes a waiter when its future is dropped (timeout, cancellation or completion); an event
/// that was delivered to it but not consumed goes back to the backlog.
struct WaiterGuard {
    inner: Weak<Inner>,
    id: u64,
    rx: Option<oneshot::Receiver<CallAutomationEvent>>,
}

impl Drop for WaiterGuard {
    fn drop(&mut self) {
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        let mut state = inner.lock();
        state.waiters.remove(&self.id);
        if let Some(mut rx) = self.rx.take() {
            if let Ok(event) = rx.try_recv() {
                let now = Instant::now();
                push_backlog(&mut state, &inner.config, now, event);
            }
        }
    }
}

/// A stream of events from [`EventProcessor::subscribe`]; unsubscribes on drop.
pub struct Subscription {
    inner: Weak<Inner>,
    id: u64,
    rx: mpsc::Receiver<CallAutomationEvent>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}

impl Subscription {
    /// The next event; `None` once the processor is gone.
    pub async fn next(&mut self) -> Option<CallAutomationEvent> {
        self.rx.recv().await
    }

    /// The next buffered event, without waiting.
    pub fn try_next(&mut self) -> Option<CallAutomationEvent> {
        self.rx.try_recv().ok()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.upgrade() {
            inner.lock().subscribers.remove(&self.id);
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// Records `id`; false if it was already seen. Empty ids are never duplicates.
fn remember_id(state: &mut State, config: &EventProcessorConfig, id: &str) -> bool {
    if id.is_empty() || config.dedup_window == 0 {
        return true;
    }
    if state.dedup_set.contains(id) {
        return false;
    }
    let key: Arc<str> = Arc::from(id);
    state.dedup_set.insert(key.clone());
    state.dedup_order.push_back(key);
    while state.dedup_order.len() > config.dedup_window {
        if let Some(old) = state.dedup_order.pop_front() {
            state.dedup_set.remove(&old);
        }
    }
    true
}

fn update_roster(state: &mut State, config: &EventProcessorConfig, event: &CallAutomationEvent) {
    match event {
        CallAutomationEvent::ParticipantsUpdated(data) => {
            if config.roster_max_calls == 0 {
                return;
            }
            let call = &data.call_connection_id;
            if let Some(roster) = state.rosters.get_mut(call) {
                if data.sequence_number > roster.sequence_number {
                    roster.sequence_number = data.sequence_number;
                    roster.participants = data.participants.clone();
                }
                return;
            }
            state.rosters.insert(
                call.clone(),
                Roster {
                    sequence_number: data.sequence_number,
                    participants: data.participants.clone(),
                },
            );
            state.roster_order.push_back(call.clone());
            while state.rosters.len() > config.roster_max_calls {
                match state.roster_order.pop_front() {
                    Some(old) => {
                        state.rosters.remove(&old);
                    }
                    None => break,
                }
            }
            // Disconnected calls leave stale ids in the order queue; compact it now and then.
            if state.roster_order.len() > config.roster_max_calls.saturating_mul(2) {
                let rosters = &state.rosters;
                state.roster_order.retain(|id| rosters.contains_key(id));
            }
        }
        CallAutomationEvent::CallDisconnected(data) => {
            state.rosters.remove(&data.call_connection_id);
        }
        _ => {}
    }
}

fn expire_backlog(state: &mut State, config: &EventProcessorConfig, now: Instant) {
    while let Some(front) = state.backlog.front() {
        if now.saturating_duration_since(front.at) >= config.backlog_ttl {
            state.backlog.pop_front();
        } else {
            break;
        }
    }
}

fn push_backlog(
    state: &mut State,
    config: &EventProcessorConfig,
    now: Instant,
    event: CallAutomationEvent,
) {
    if config.backlog_max_events == 0 || config.backlog_ttl.is_zero() {
        return;
    }
    state.backlog.push_back(BacklogEntry { at: now, event });
    while state.backlog.len() > config.backlog_max_events {
        state.backlog.pop_front();
    }
}
