//! Callback events: typed events, a parser that never panics, the event processor that pairs
//! action results with their outcome events, callback JWT verification and (feature
//! `listener`) a small callback HTTP server.
//!
//! - [`parse_events`] turns a callback or Event Grid body into [`CallAutomationEvent`]s.
//! - [`EventProcessor`] routes them to waiters ([`EventProcessor::wait_for_outcome`]),
//!   subscriptions and handlers, dropping duplicate deliveries.
//! - [`CallbackVerifier`] checks the service's `Authorization: Bearer` JWT first.
//! - `listener::serve` runs all of that behind an HTTP endpoint.
//! - (feature `event-bus`) `bus::EventBus` shares events between app instances through Redis.

#[cfg(feature = "event-bus")]
pub mod bus;
mod fast;
mod model;
mod parse;
mod processor;
mod table;
mod verify;

#[cfg(feature = "listener")]
pub mod listener;

// Glob: the event data structs come from the event table, so a new row needs no edit here.
pub use model::*;
pub use parse::{parse_event, parse_events, parse_events_strict};
pub use processor::{
    EventFilter, EventProcessor, EventProcessorConfig, HandlerId, OperationKind, OperationOutcome,
    PendingOperation, ProcessorStats, Subscription, SUBSCRIPTION_CAPACITY,
};
pub use verify::{verify_and_parse, CallbackVerifier, DEFAULT_ISSUER};
