//! Shared state of one running emulator.

use std::sync::{Arc, Mutex, MutexGuard};

use callsteer::AccessKeyCredential;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::delivery::Delivery;
use crate::faults::Faults;
use crate::jwt::JwtSigner;
use crate::live::Live;
use crate::records::RequestLog;
use crate::repeatability::RepeatabilityCache;
use crate::world::World;

pub struct App {
    pub config: Arc<EmulatorConfig>,
    pub clock: Arc<Clock>,
    pub credential: AccessKeyCredential,
    pub jwt: Arc<JwtSigner>,
    pub delivery: Arc<Delivery>,
    pub world: Mutex<World>,
    pub repeatability: Mutex<RepeatabilityCache>,
    /// Calls the world forgot whose repeatability replies are still to be dropped (a leaf
    /// lock: never held while taking another).
    pub forgotten_calls: Arc<Mutex<Vec<String>>>,
    pub faults: Mutex<Faults>,
    pub requests: Mutex<RequestLog>,
    pub timer_notify: Arc<Notify>,
    /// The feed of `/emulator/ui`.
    pub live: Arc<Live>,
    /// For the Event Grid validation handshake.
    pub http: reqwest::Client,
    /// `http(s)://host:port` without a trailing slash.
    pub base_url: String,
}

/// Locks a mutex, recovering from poisoning (a panic elsewhere must not wedge the emulator).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl App {
    /// Runs `f` on the world, then fires whatever became due (0-delay reactions).
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let mut world = lock(&self.world);
        let result = f(&mut world);
        world.run_due();
        result
    }
}
