//! Node.js binding of callsteer: the `@azure/communication-call-automation` API (names, argument
//! order, option bags) on the Rust core. Thin by design: argument conversion (`convert`,
//! `events`), error mapping (`errors`) and async bridging (every network call is an `async fn`
//! on napi's tokio runtime; callback bodies are parsed on the libuv pool). Everything else —
//! validation, requests, event parsing and matching — is the core's.

#![deny(clippy::all)]
// napi registers exported functions only outside `cfg(test)`.
#![cfg_attr(test, allow(dead_code))]

mod call_connection;
mod cancel;
mod client;
mod convert;
mod errors;
mod events;
mod known;
mod streaming;
mod verify;

/// `CALLSTEER_LOG` (see `logging`) is read once, when Node loads the addon.
#[cfg(not(test))]
#[napi_derive::module_init]
fn init() {
    callsteer::logging::init_from_env();
}
