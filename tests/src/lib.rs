//! Test support shared by the Rust integration tests: a real emulator process, a callback
//! receiver that records every delivery, and the runner of the shared JSON scenarios.

pub mod emulator;
pub mod receiver;
pub mod scenario;
pub mod soak;
