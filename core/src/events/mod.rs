//! Callback events (in progress).
