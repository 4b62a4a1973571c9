//! The event processor: routes parsed events to operation waiters, subscribers and handlers,
//! drops duplicate deliveries, keeps a backlog of unclaimed events and per-call participant
//! rosters.
//!
//! All state lives behind one `std::sync::Mutex` that is never held across an `.await` nor while
//! user code (handlers) runs. Every collection is bounded (see [`EventProcessorConfig`]), so a
//! process that runs for weeks keeps a flat memory profile.
//!
//! **What the backlog keeps.** An event nobody was waiting for is kept (for
//! [`EventProcessorConfig::backlog_ttl`]) so that a wait registered just after it arrived still
//! gets it — the outcome of an action often arrives before the action's HTTP response. Kept are
//! the events a wait can claim: the outcome events of every [`OperationKind`] (what
//! [`EventProcessor::wait_for_outcome`] waits for) and, for [`EventProcessor::wait_for_event`]
//! and [`EventProcessor::wait_for_filter`], every other event too — `CallDisconnected`,
//! `IncomingCall`, media and other unknown events, malformed ones — except that of the
//! `ParticipantsUpdated` events of a call only the newest unclaimed one is kept: a roster
//! supersedes the previous one (the current roster is tracked separately anyway, see
//! [`EventProcessor::call_participants`]). The backlog is bounded by count and by approximate
//! bytes; over either bound the oldest event that cannot settle an operation goes first, then the
//! oldest outcome event. Every eviction is counted in [`ProcessorStats`] and reported with a
//! rate-limited `warn`.
//!
//! **Indexed by call.** Waiters and backlog are kept per call connection id: an event looks only
//! at its own call's waiters and kept events (plus the waiters of predicate waits, which have no
//! call to index by), and a wait for one call looks only at that call's kept events. The cost per
//! event stays flat as the number of tracked calls grows (`bench/benches/processor.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::model::{CallAutomationEvent, CALL_EVENTS};
use super::parse::{parse_events, parse_events_strict};
use crate::error::{Error, Result};
use crate::models::CallParticipant;

/// How many events a [`Subscription`] buffers before new events for it are dropped (with a
/// warning); read subscriptions promptly.
pub const SUBSCRIPTION_CAPACITY: usize = 1024;

/// How often (at most) the processor logs that it evicted backlogged events.
const EVICTION_REPORT_INTERVAL: Duration = Duration::from_secs(10);

/// Limits of an [`EventProcessor`].
#[derive(Debug, Clone)]
pub struct EventProcessorConfig {
    /// How long an event nobody waited for is kept for a later waiter (default 60 s).
    pub backlog_ttl: Duration,
    /// At most this many backlogged events (default 50 000); see the module docs for which
    /// event goes first.
    pub backlog_max_events: usize,
    /// At most about this many bytes of backlogged events (default 32 MiB), by an estimate of
    /// each event's size. One event larger than this on its own is still kept until the next
    /// one arrives.
    pub backlog_max_bytes: usize,
    /// How many recent event ids are remembered to drop duplicate deliveries (default 50 000).
    pub dedup_window: usize,
    /// At most this many per-call participant rosters; the least recently updated call is
    /// evicted first (default 10 000).
    pub roster_max_calls: usize,
    /// How many disconnected calls are remembered, so that a late `ParticipantsUpdated` does
    /// not bring a dead call's roster back (default 10 000) …
    pub ended_calls_max: usize,
    /// … and for how long (default 10 minutes).
    pub ended_call_ttl: Duration,
    /// `false` (default): a malformed event in a body is delivered as an `Unknown` event that
    /// carries its parse error, and the valid events around it are dispatched. `true`: any
    /// malformed event fails the whole body and nothing in it is dispatched.
    pub strict_parsing: bool,
}

impl Default for EventProcessorConfig {
    fn default() -> Self {
        EventProcessorConfig {
            backlog_ttl: Duration::from_secs(60),
            backlog_max_events: 50_000,
            backlog_max_bytes: 32 * 1024 * 1024,
            dedup_window: 50_000,
            roster_max_calls: 10_000,
            ended_calls_max: 10_000,
            ended_call_ttl: Duration::from_secs(600),
            strict_parsing: false,
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
    MoveParticipants,
}

impl OperationKind {
    /// Every kind, in declaration order.
    pub const ALL: [OperationKind; 8] = [
        OperationKind::CreateCall,
        OperationKind::AnswerCall,
        OperationKind::ConnectCall,
        OperationKind::TransferCall,
        OperationKind::AddParticipant,
        OperationKind::RemoveParticipant,
        OperationKind::CancelAddParticipant,
        OperationKind::MoveParticipants,
    ];

    /// True if events of `event_type` (short name) settle some kind of operation.
    pub fn is_outcome_event_type(event_type: &str) -> bool {
        CALL_EVENTS
            .iter()
            .any(|spec| spec.name == event_type && !spec.settles.is_empty())
    }

    /// The (success, failure) event type names that settle this kind of operation, from the
    /// event table.
    pub fn outcome_event_types(self) -> (&'static str, &'static str) {
        let settling = |as_success: bool| {
            CALL_EVENTS
                .iter()
                .find(|spec| spec.settles.contains(&(self, as_success)))
                .map_or("", |spec| spec.name)
        };
        (settling(true), settling(false))
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
    /// When set, an add / remove outcome that names a participant, or a `CallTransferAccepted`
    /// that names its transfer target, must name this one.
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
        let succeeded = event
            .settles()
            .iter()
            .find(|(kind, _)| *kind == self.kind)
            .map(|(_, succeeded)| *succeeded)?;
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
        let named = match event {
            CallAutomationEvent::CallTransferAccepted(d) => d.transfer_target.as_ref(),
            other => other.participant(),
        };
        if let (Some(expected), Some(actual)) = (&self.participant_raw_id, named) {
            if *expected != actual.raw_id() {
                return None;
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

/// Which events a wait, subscription or handler receives; `None` fields match everything.
///
/// ```
/// use callsteer::events::{parse_events, EventFilter};
/// let event = &parse_events(br#"{"id":"1","type":"Microsoft.Communication.CallDisconnected",
///     "data":{"callConnectionId":"c1","operationContext":"bye"}}"#)?[0];
/// assert!(EventFilter::for_call("c1").and_type("CallDisconnected").matches(event));
/// assert!(EventFilter::of_type("Microsoft.Communication.CallDisconnected").matches(event));
/// assert!(!EventFilter::for_call("c2").matches(event));
/// assert!(!EventFilter::all().with_operation_context("hello").matches(event));
/// # Ok::<(), callsteer::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events of this call connection.
    pub call_connection_id: Option<String>,
    /// Only events of this type: the short name (e.g. `CallDisconnected`) or the full wire type
    /// (`Microsoft.Communication.CallDisconnected`); see [`CallAutomationEvent::is_type`].
    pub event_type: Option<String>,
    /// Only events that echo this operation context.
    pub operation_context: Option<String>,
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
            ..Default::default()
        }
    }

    /// Every event of one type (short name, e.g. `ParticipantsUpdated`, or full wire type).
    pub fn of_type(event_type: impl Into<String>) -> Self {
        EventFilter {
            event_type: Some(event_type.into()),
            ..Default::default()
        }
    }

    /// Narrows this filter to one event type.
    pub fn and_type(mut self, event_type: impl Into<String>) -> Self {
        self.event_type = Some(event_type.into());
        self
    }

    /// Narrows this filter to events that echo `operation_context`.
    pub fn with_operation_context(mut self, operation_context: impl Into<String>) -> Self {
        self.operation_context = Some(operation_context.into());
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
            if !event.is_type(event_type) {
                return false;
            }
        }
        if let Some(context) = &self.operation_context {
            if event.operation_context() != Some(context.as_str()) {
                return false;
            }
        }
        true
    }
}

/// Identifies a handler registered with [`EventProcessor::on`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandlerId(u64);

/// Sizes of the processor's internal collections and counts of what it dropped, for
/// monitoring and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessorStats {
    /// Events kept for a later wait.
    pub backlog_len: usize,
    /// Their approximate size in bytes.
    pub backlog_bytes: usize,
    /// Kept events evicted (since the processor was made) because the backlog was over its
    /// count or byte bound.
    pub backlog_evicted: u64,
    /// Kept events that nobody claimed within `backlog_ttl`.
    pub backlog_expired: u64,
    /// Kept `ParticipantsUpdated` events replaced by a newer one of the same call.
    pub backlog_superseded: u64,
    /// Malformed events dispatched as `Unknown` with a parse error.
    pub malformed_events: u64,
    pub dedup_len: usize,
    pub rosters: usize,
    /// Disconnected calls remembered (see [`EventProcessorConfig::ended_calls_max`]).
    pub ended_calls: usize,
    pub waiters: usize,
    pub subscribers: usize,
    pub handlers: usize,
}

type Handler = Arc<dyn Fn(&CallAutomationEvent) + Send + Sync>;
type Predicate = Box<dyn Fn(&CallAutomationEvent) -> bool + Send + Sync>;

enum Matcher {
    Operation(PendingOperation),
    Filter(EventFilter),
    Predicate(Predicate),
}

impl Matcher {
    fn matches(&self, event: &CallAutomationEvent) -> bool {
        match self {
            Matcher::Operation(op) => op.match_event(event).is_some(),
            Matcher::Filter(filter) => filter.matches(event),
            // A panicking user predicate counts as "no match".
            Matcher::Predicate(predicate) => {
                catch_unwind(AssertUnwindSafe(|| predicate(event))).unwrap_or(false)
            }
        }
    }

    /// The only call whose events this matcher can accept, if there is one.
    fn call(&self) -> Option<&str> {
        match self {
            Matcher::Operation(op) => Some(op.call_connection_id.as_str()),
            Matcher::Filter(filter) => filter.call_connection_id.as_deref(),
            Matcher::Predicate(_) => None,
        }
    }
}

struct Waiter {
    matcher: Matcher,
    tx: oneshot::Sender<CallAutomationEvent>,
}

/// Waiters in registration order (ids only increase), indexed by the call they wait on.
#[derive(Default)]
struct Waiters {
    by_call: HashMap<Arc<str>, BTreeMap<u64, Waiter>>,
    /// Waits that can match any call (predicates, filters without a call).
    any_call: BTreeMap<u64, Waiter>,
    call_of: HashMap<u64, Option<Arc<str>>>,
}

impl Waiters {
    fn len(&self) -> usize {
        self.call_of.len()
    }

    fn insert(&mut self, id: u64, waiter: Waiter) {
        let call: Option<Arc<str>> = waiter.matcher.call().map(Arc::from);
        match &call {
            Some(call) => {
                self.by_call
                    .entry(call.clone())
                    .or_default()
                    .insert(id, waiter);
            }
            None => {
                self.any_call.insert(id, waiter);
            }
        }
        self.call_of.insert(id, call);
    }

    fn remove(&mut self, id: u64) -> Option<Waiter> {
        let call = self.call_of.remove(&id)?;
        match call {
            None => self.any_call.remove(&id),
            Some(call) => {
                let waiters = self.by_call.get_mut(&call)?;
                let waiter = waiters.remove(&id);
                if waiters.is_empty() {
                    self.by_call.remove(&call);
                }
                waiter
            }
        }
    }

    /// The oldest live waiter that accepts `event`: among its call's waiters and the any-call
    /// ones. Waiters whose receiver is gone are removed on the way.
    fn take_match(&mut self, event: &CallAutomationEvent) -> Option<Waiter> {
        let mut dead = Vec::new();
        let first = |waiters: &BTreeMap<u64, Waiter>, dead: &mut Vec<u64>| {
            for (id, waiter) in waiters {
                if waiter.tx.is_closed() {
                    dead.push(*id);
                } else if waiter.matcher.matches(event) {
                    return Some(*id);
                }
            }
            None
        };
        let of_call = event
            .call_connection_id()
            .and_then(|call| self.by_call.get(call))
            .and_then(|waiters| first(waiters, &mut dead));
        let of_any = first(&self.any_call, &mut dead);
        for id in dead {
            self.remove(id);
        }
        let id = match (of_call, of_any) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        self.remove(id)
    }
}

struct Kept {
    at: Instant,
    size: usize,
    call: Option<Arc<str>>,
    event: CallAutomationEvent,
}

/// Unclaimed events, oldest first, indexed by call; see the module docs for what is kept.
#[derive(Default)]
struct Backlog {
    next_seq: u64,
    /// By arrival (sequence number): the global age order, for expiry and any-call waits.
    entries: BTreeMap<u64, Kept>,
    by_call: HashMap<Arc<str>, BTreeSet<u64>>,
    /// The kept events that cannot settle an operation: evicted before outcome events.
    evict_first: BTreeSet<u64>,
    /// The one kept `ParticipantsUpdated` of each call.
    roster_of: HashMap<Arc<str>, u64>,
    bytes: usize,
}

impl Backlog {
    fn remove(&mut self, seq: u64) -> Option<CallAutomationEvent> {
        let kept = self.entries.remove(&seq)?;
        self.bytes -= kept.size;
        self.evict_first.remove(&seq);
        if let Some(call) = &kept.call {
            if let Some(seqs) = self.by_call.get_mut(call) {
                seqs.remove(&seq);
                if seqs.is_empty() {
                    self.by_call.remove(call);
                }
            }
            if matches!(kept.event, CallAutomationEvent::ParticipantsUpdated(_))
                && self.roster_of.get(call) == Some(&seq)
            {
                self.roster_of.remove(call);
            }
        }
        Some(kept.event)
    }

    /// The sequence number of the oldest kept event that `matcher` accepts.
    fn find(&self, matcher: &Matcher) -> Option<u64> {
        match matcher.call() {
            Some(call) => self.by_call.get(call)?.iter().copied().find(|seq| {
                self.entries
                    .get(seq)
                    .is_some_and(|k| matcher.matches(&k.event))
            }),
            None => self
                .entries
                .iter()
                .find(|(_, kept)| matcher.matches(&kept.event))
                .map(|(seq, _)| *seq),
        }
    }

    fn find_by_id(&self, id: &str, call: Option<&str>) -> Option<u64> {
        let is = |seq: &u64| self.entries.get(seq).is_some_and(|k| k.event.id() == id);
        match call {
            Some(call) => self.by_call.get(call)?.iter().copied().find(is),
            None => self.entries.keys().copied().find(is),
        }
    }
}

struct Roster {
    sequence_number: i64,
    participants: Vec<CallParticipant>,
    touched: u64,
}

/// Per-call rosters, evicted least-recently-updated first.
#[derive(Default)]
struct Rosters {
    next_touch: u64,
    by_call: HashMap<Arc<str>, Roster>,
    by_touch: BTreeMap<u64, Arc<str>>,
}

#[derive(Default)]
struct Counters {
    evicted: u64,
    expired: u64,
    superseded: u64,
    malformed: u64,
    /// Evictions not yet reported in a log line, and when the last line was written.
    unreported_evictions: u64,
    last_eviction_report: Option<Instant>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    backlog: Backlog,
    dedup_set: HashSet<Arc<str>>,
    dedup_order: VecDeque<Arc<str>>,
    rosters: Rosters,
    ended_calls: HashMap<Arc<str>, Instant>,
    ended_order: VecDeque<(Arc<str>, Instant)>,
    waiters: Waiters,
    subscribers: HashMap<u64, (EventFilter, mpsc::Sender<CallAutomationEvent>)>,
    handlers: HashMap<u64, (EventFilter, Handler)>,
    counters: Counters,
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

    /// Parses a callback body the way this processor dispatches it: [`parse_events`] (a
    /// malformed event becomes an `Unknown` with its parse error, an error only when nothing in
    /// the body reads), or [`parse_events_strict`] with
    /// [`strict_parsing`](EventProcessorConfig::strict_parsing).
    pub fn parse(&self, body: &[u8]) -> Result<Vec<CallAutomationEvent>> {
        if self.inner.config.strict_parsing {
            parse_events_strict(body)
        } else {
            parse_events(body)
        }
    }

    /// Parses a callback body (see [`parse`](Self::parse)) and dispatches every event; returns
    /// the events that were new (duplicates of already-seen ids are dropped). A malformed event
    /// is dispatched as an `Unknown` carrying its parse error, counted in
    /// [`ProcessorStats::malformed_events`] and logged; the events around it are dispatched as
    /// usual. A body that does not parse (see [`parse`](Self::parse)) dispatches nothing.
    pub fn process_events(&self, body: &[u8]) -> Result<Vec<CallAutomationEvent>> {
        let events = self.parse(body)?;
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
            let state = &mut *state;
            let config = &self.inner.config;
            if !remember_id(state, config, event.id()) {
                tracing::debug!(id = event.id(), "duplicate event delivery dropped");
                return false;
            }
            if let Some(failure) = event.parse_error() {
                state.counters.malformed += 1;
                tracing::warn!(
                    id = event.id(),
                    event_type = event.cloud_event_type(),
                    path = failure.path.as_str(),
                    error = failure.message.as_str(),
                    "malformed event delivered as Unknown"
                );
            }
            let now = Instant::now();
            update_roster(state, config, &event, now);
            expire_backlog(state, config, now);

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
            if let Some(waiter) = state.waiters.take_match(&event) {
                if let Some(ev) = pending.take() {
                    // If the receiver vanished in between, keep the event in the backlog.
                    pending = waiter.tx.send(ev).err();
                }
            }
            if let Some(ev) = pending {
                push_backlog(state, config, now, ev);
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
    /// do not call back into the processor from it (a panic in it counts as "no match"). A
    /// predicate cannot be indexed by call: every event is offered to it, and it scans the whole
    /// backlog once; prefer [`wait_for_filter`](Self::wait_for_filter) with a call id.
    pub async fn wait_for_event<F>(
        &self,
        filter: F,
        timeout: Duration,
    ) -> Result<CallAutomationEvent>
    where
        F: Fn(&CallAutomationEvent) -> bool + Send + Sync + 'static,
    {
        self.wait(Matcher::Predicate(Box::new(filter)), timeout, || {
            format!("no matching event within {timeout:?}")
        })
        .await
    }

    /// Waits for the first event that passes `filter`, as [`wait_for_event`](Self::wait_for_event)
    /// does (backlog first; the event is taken), indexed by the filter's call id when it has one.
    /// The wait every binding's filter form uses.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> callsteer::Result<()> {
    /// use std::time::Duration;
    /// use callsteer::events::{EventFilter, EventProcessor};
    /// let processor = EventProcessor::new();
    /// processor.process_events(br#"[{"id":"e1","type":"Microsoft.Communication.CallDisconnected",
    ///     "data":{"callConnectionId":"c1"}}]"#)?;
    /// let filter = EventFilter::for_call("c1").and_type("Microsoft.Communication.CallDisconnected");
    /// let event = processor.wait_for_filter(filter, Duration::from_secs(5)).await?;
    /// assert_eq!(event.id(), "e1");
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_filter(
        &self,
        filter: EventFilter,
        timeout: Duration,
    ) -> Result<CallAutomationEvent> {
        let describe = format!("no event matching {filter:?} within {timeout:?}");
        self.wait(Matcher::Filter(filter), timeout, move || describe)
            .await
    }

    /// The kept (unclaimed) events that pass `filter`, oldest first, without taking them. With
    /// [`take_kept_event`](Self::take_kept_event), what a binding whose predicate cannot run
    /// under the processor's lock (a JavaScript function) uses to check the backlog.
    pub fn kept_events(&self, filter: &EventFilter) -> Vec<CallAutomationEvent> {
        let state = self.inner.lock();
        let matcher = Matcher::Filter(filter.clone());
        let events = |seqs: &mut dyn Iterator<Item = u64>| -> Vec<CallAutomationEvent> {
            seqs.filter_map(|seq| state.backlog.entries.get(&seq))
                .filter(|kept| matcher.matches(&kept.event))
                .map(|kept| kept.event.clone())
                .collect()
        };
        match filter.call_connection_id.as_deref() {
            Some(call) => match state.backlog.by_call.get(call) {
                Some(seqs) => events(&mut seqs.iter().copied()),
                None => Vec::new(),
            },
            None => events(&mut state.backlog.entries.keys().copied()),
        }
    }

    /// Takes the oldest kept event with this id (and, when given, of this call) out of the
    /// backlog; `None` if it is not (or no longer) there. Events with an empty id cannot be
    /// taken by id.
    pub fn take_kept_event(
        &self,
        event_id: &str,
        call_connection_id: Option<&str>,
    ) -> Option<CallAutomationEvent> {
        if event_id.is_empty() {
            return None;
        }
        let mut state = self.inner.lock();
        let seq = state.backlog.find_by_id(event_id, call_connection_id)?;
        state.backlog.remove(seq)
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
            if let Some(seq) = state.backlog.find(&matcher) {
                if let Some(event) = state.backlog.remove(seq) {
                    return Ok(event);
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
    /// or `None` if none was seen, the call disconnected, or its roster was evicted.
    pub fn call_participants(&self, call_connection_id: &str) -> Option<Vec<CallParticipant>> {
        self.inner
            .lock()
            .rosters
            .by_call
            .get(call_connection_id)
            .map(|r| r.participants.clone())
    }

    /// Current sizes of the internal collections and counts of dropped events.
    pub fn stats(&self) -> ProcessorStats {
        let state = self.inner.lock();
        ProcessorStats {
            backlog_len: state.backlog.entries.len(),
            backlog_bytes: state.backlog.bytes,
            backlog_evicted: state.counters.evicted,
            backlog_expired: state.counters.expired,
            backlog_superseded: state.counters.superseded,
            malformed_events: state.counters.malformed,
            dedup_len: state.dedup_set.len(),
            rosters: state.rosters.by_call.len(),
            ended_calls: state.ended_calls.len(),
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
        state.waiters.remove(self.id);
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

fn update_roster(
    state: &mut State,
    config: &EventProcessorConfig,
    event: &CallAutomationEvent,
    now: Instant,
) {
    forget_ended_calls(state, config, now);
    match event {
        CallAutomationEvent::ParticipantsUpdated(data) => {
            if config.roster_max_calls == 0 {
                return;
            }
            let call = data.call_connection_id.as_str();
            // A late roster of a call that already ended must not bring it back.
            if state.ended_calls.contains_key(call) {
                return;
            }
            let rosters = &mut state.rosters;
            rosters.next_touch += 1;
            let touch = rosters.next_touch;
            if let Some(roster) = rosters.by_call.get_mut(call) {
                if data.sequence_number > roster.sequence_number {
                    roster.sequence_number = data.sequence_number;
                    roster.participants = data.participants.clone();
                    rosters.by_touch.remove(&roster.touched);
                    roster.touched = touch;
                    if let Some((key, _)) = rosters.by_call.get_key_value(call) {
                        let key = key.clone();
                        rosters.by_touch.insert(touch, key);
                    }
                }
                return;
            }
            let key: Arc<str> = Arc::from(call);
            rosters.by_call.insert(
                key.clone(),
                Roster {
                    sequence_number: data.sequence_number,
                    participants: data.participants.clone(),
                    touched: touch,
                },
            );
            rosters.by_touch.insert(touch, key);
            while rosters.by_call.len() > config.roster_max_calls {
                let Some((_, oldest)) = rosters.by_touch.pop_first() else {
                    break;
                };
                rosters.by_call.remove(&oldest);
            }
        }
        CallAutomationEvent::CallDisconnected(data) => {
            let call = data.call_connection_id.as_str();
            if let Some(roster) = state.rosters.by_call.remove(call) {
                state.rosters.by_touch.remove(&roster.touched);
            }
            if config.ended_calls_max == 0 || config.ended_call_ttl.is_zero() {
                return;
            }
            let key: Arc<str> = Arc::from(call);
            if state.ended_calls.insert(key.clone(), now).is_none() {
                state.ended_order.push_back((key, now));
            }
            while state.ended_calls.len() > config.ended_calls_max {
                let Some((old, _)) = state.ended_order.pop_front() else {
                    break;
                };
                state.ended_calls.remove(&old);
            }
        }
        _ => {}
    }
}

fn forget_ended_calls(state: &mut State, config: &EventProcessorConfig, now: Instant) {
    while let Some((call, at)) = state.ended_order.front() {
        if now.saturating_duration_since(*at) < config.ended_call_ttl {
            break;
        }
        state.ended_calls.remove(call);
        state.ended_order.pop_front();
    }
}

fn expire_backlog(state: &mut State, config: &EventProcessorConfig, now: Instant) {
    while let Some((&seq, front)) = state.backlog.entries.first_key_value() {
        if now.saturating_duration_since(front.at) < config.backlog_ttl {
            break;
        }
        state.backlog.remove(seq);
        state.counters.expired += 1;
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
    let backlog = &mut state.backlog;
    let call: Option<Arc<str>> = event.call_connection_id().map(Arc::from);
    // Only the newest unclaimed roster of a call is worth keeping.
    if let (CallAutomationEvent::ParticipantsUpdated(new), Some(call)) = (&event, &call) {
        if let Some(&old_seq) = backlog.roster_of.get(call) {
            let older_is_newer = match backlog.entries.get(&old_seq).map(|k| &k.event) {
                Some(CallAutomationEvent::ParticipantsUpdated(old)) => {
                    old.sequence_number > new.sequence_number
                }
                _ => false,
            };
            state.counters.superseded += 1;
            if older_is_newer {
                return;
            }
            backlog.remove(old_seq);
        }
    }
    backlog.next_seq += 1;
    let seq = backlog.next_seq;
    let size = event.approx_size();
    if let Some(call) = &call {
        backlog.by_call.entry(call.clone()).or_default().insert(seq);
        if matches!(event, CallAutomationEvent::ParticipantsUpdated(_)) {
            backlog.roster_of.insert(call.clone(), seq);
        }
    }
    // `settles()` is a match on the variant; no name lookup on this per-event path.
    if event.settles().is_empty() || event.parse_error().is_some() {
        backlog.evict_first.insert(seq);
    }
    backlog.bytes += size;
    backlog.entries.insert(
        seq,
        Kept {
            at: now,
            size,
            call,
            event,
        },
    );
    let mut evicted = 0u64;
    while backlog.entries.len() > config.backlog_max_events
        || (backlog.bytes > config.backlog_max_bytes && backlog.entries.len() > 1)
    {
        let victim = match backlog.evict_first.first() {
            Some(&seq) => seq,
            None => match backlog.entries.first_key_value() {
                Some((&seq, _)) => seq,
                None => break,
            },
        };
        backlog.remove(victim);
        evicted += 1;
    }
    if evicted > 0 {
        report_evictions(state, config, now, evicted);
    }
}

/// Counts evictions and logs them at most every [`EVICTION_REPORT_INTERVAL`], summarised.
fn report_evictions(state: &mut State, config: &EventProcessorConfig, now: Instant, evicted: u64) {
    let counters = &mut state.counters;
    counters.evicted += evicted;
    counters.unreported_evictions += evicted;
    let due = match counters.last_eviction_report {
        None => true,
        Some(at) => now.saturating_duration_since(at) >= EVICTION_REPORT_INTERVAL,
    };
    if due {
        tracing::warn!(
            evicted = counters.unreported_evictions,
            evicted_total = counters.evicted,
            backlog_len = state.backlog.entries.len(),
            backlog_bytes = state.backlog.bytes,
            max_events = config.backlog_max_events,
            max_bytes = config.backlog_max_bytes,
            "event backlog over its bound: unclaimed events evicted (oldest non-outcome events first)"
        );
        counters.unreported_evictions = 0;
        counters.last_eviction_report = Some(now);
    }
}
