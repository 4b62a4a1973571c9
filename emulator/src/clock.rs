//! The emulator's notion of "now" for simulated delays.
//!
//! Simulation timers (answer delays, invitation timeouts) run on a monotonic millisecond
//! counter: real elapsed time, or a virtual counter moved only by `advance` so that tests can
//! step through timeouts deterministically without sleeping. Wall-clock values that other
//! parties check (event `time`, JWT `iat`/`exp`, the `x-ms-date` window) always use the system
//! clock, so a client's signed dates and an app's token validation keep working in manual mode.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use crate::config::ClockMode;

#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    started: Instant,
    virtual_ms: AtomicU64,
}

impl Clock {
    pub fn new(mode: ClockMode) -> Self {
        Clock {
            mode,
            started: Instant::now(),
            virtual_ms: AtomicU64::new(0),
        }
    }

    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    pub fn is_manual(&self) -> bool {
        self.mode == ClockMode::Manual
    }

    /// Milliseconds of simulation time since start.
    pub fn now_ms(&self) -> u64 {
        match self.mode {
            ClockMode::Real => self.started.elapsed().as_millis() as u64,
            ClockMode::Manual => self.virtual_ms.load(Ordering::SeqCst),
        }
    }

    /// Moves virtual time forward (no effect on a real clock, which moves by itself).
    pub fn advance(&self, ms: u64) -> u64 {
        if self.is_manual() {
            self.virtual_ms
                .fetch_add(ms, Ordering::SeqCst)
                .saturating_add(ms)
        } else {
            self.now_ms()
        }
    }

    pub fn wall_now(&self) -> SystemTime {
        SystemTime::now()
    }

    /// RFC 3339 timestamp with milliseconds, as the service writes event times.
    pub fn rfc3339_now(&self) -> String {
        rfc3339(self.wall_now())
    }

    pub fn unix_now(&self) -> u64 {
        self.wall_now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// `YYYY-MM-DDThh:mm:ss.sssZ` (UTC). The format is parsed at run time because the workspace's
/// `time` has no `macros` feature; a parse failure (impossible for this constant) degrades to
/// the epoch rather than panicking.
pub fn rfc3339(t: SystemTime) -> String {
    let fallback = || "1970-01-01T00:00:00.000Z".to_string();
    let Ok(format) = time::format_description::parse_borrowed::<2>(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z",
    ) else {
        return fallback();
    };
    time::OffsetDateTime::from(t)
        .format(&format)
        .unwrap_or_else(|_| fallback())
}
