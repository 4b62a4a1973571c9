//! `OperationOptions.abortSignal` and `OperationOptions.timeout`: every action runs as its own
//! tokio task, and an abort or the operation's deadline aborts that task, which drops the core's
//! request future (and with it the HTTP request, its retries and their back-off sleeps).
//!
//! A JS `AbortSignal` cannot be read off the main thread, so the package's JS entry links the
//! caller's signal to a hidden `_Cancellation` (it adds the `abort` listener, removes it when the
//! operation settles, and rejects at once, sending nothing, when the signal is already aborted);
//! the option bag then carries that `_Cancellation` in `abortSignal`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::json;
use tokio::sync::Notify;

use crate::errors::{invalid, IntoJs, JsResult, RECORD_PREFIX};

#[derive(Debug, Default)]
struct State {
    cancelled: AtomicBool,
    notify: Notify,
}

/// Not part of the API: what the JS entry puts in `abortSignal` in place of the caller's signal.
#[napi(js_name = "_Cancellation")]
pub struct Cancellation {
    state: Arc<State>,
}

#[napi]
impl Cancellation {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Cancellation {
            state: Arc::default(),
        }
    }

    /// Aborts the operation this was given to (once; later calls do nothing).
    #[napi]
    pub fn cancel(&self) {
        self.state.cancelled.store(true, Ordering::SeqCst);
        self.state.notify.notify_waiters();
    }
}

/// The `abortSignal` of an option bag, as the Rust side sees it.
#[derive(Clone, Debug)]
pub struct AbortSignal(Arc<State>);

impl AbortSignal {
    async fn aborted(&self) {
        loop {
            // Registered before the check so that a `cancel` in between is not missed.
            let notified = self.0.notify.notified();
            if self.0.cancelled.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

impl TypeName for AbortSignal {
    fn type_name() -> &'static str {
        "AbortSignal"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for AbortSignal {}

impl FromNapiValue for AbortSignal {
    unsafe fn from_napi_value(
        env: napi::sys::napi_env,
        value: napi::sys::napi_value,
    ) -> Result<Self> {
        // Anything but the JS entry's `_Cancellation` (a caller's object the entry did not
        // recognise as an AbortSignal) is refused, naming the option.
        match unsafe { <&Cancellation>::from_napi_value(env, value) } {
            Ok(c) => Ok(AbortSignal(c.state.clone())),
            Err(_) => Err(invalid(
                "abortSignal",
                "must be an AbortSignal (with `aborted` and `addEventListener`)",
            )),
        }
    }
}

/// The shared part of every option bag (the official SDK's `OperationOptions`).
pub struct Bounds {
    signal: Option<AbortSignal>,
    timeout: Option<Duration>,
}

impl Bounds {
    /// From an option bag's `abortSignal` and `timeout` (milliseconds; `0` or absent: no
    /// bound beyond the client's per-attempt timeout and retries, as in `@azure/core-client`).
    pub fn new(signal: Option<AbortSignal>, timeout_ms: Option<f64>) -> JsResult<Bounds> {
        let timeout = match timeout_ms {
            None => None,
            Some(ms) if !ms.is_finite() || ms < 0.0 => {
                return Err(invalid(
                    "timeout",
                    format!("must be a non-negative number of milliseconds (got {ms})"),
                ))
            }
            Some(0.0) => None,
            Some(ms) => Some(Duration::from_secs_f64(ms / 1000.0)),
        };
        Ok(Bounds { signal, timeout })
    }

    pub fn none() -> Bounds {
        Bounds {
            signal: None,
            timeout: None,
        }
    }
}

fn record(kind: &str, message: String) -> napi::Error {
    napi::Error::new(
        napi::Status::GenericFailure,
        format!(
            "{RECORD_PREFIX}{}",
            json!({ "kind": kind, "message": message })
        ),
    )
}

/// What the JS entry turns into an `AbortError` (a Node-only outcome, not a core error kind).
fn aborted() -> napi::Error {
    record("Abort", "The operation was aborted.".into())
}

/// Runs a core future as its own task, bounded by `bounds`: an abort or the deadline aborts the
/// task (dropping the request in flight) and rejects with `AbortError` / `TimeoutError`. A
/// panic in the task becomes an `InternalError`.
pub async fn run_bounded<T: Send + 'static>(
    bounds: Bounds,
    future: impl std::future::Future<Output = callsteer::Result<T>> + Send + 'static,
) -> JsResult<T> {
    if let Some(signal) = &bounds.signal {
        if signal.0.cancelled.load(Ordering::SeqCst) {
            return Err(aborted());
        }
    }
    let mut task = tokio::spawn(future);
    let abort = async {
        match &bounds.signal {
            Some(signal) => signal.aborted().await,
            None => std::future::pending().await,
        }
    };
    let deadline = async {
        match bounds.timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        joined = &mut task => match joined {
            Ok(result) => result.js(),
            Err(e) => Err(record(
                "Internal",
                format!("internal error: callsteer task failed: {e}"),
            )),
        },
        _ = abort => {
            task.abort();
            Err(aborted())
        }
        _ = deadline => {
            task.abort();
            let ms = bounds.timeout.map(|t| t.as_millis()).unwrap_or_default();
            Err(crate::errors::to_js(callsteer::Error::timeout(format!(
                "the operation did not finish within its timeout of {ms} ms"
            ))))
        }
    }
}

/// The [`Bounds`] of an `Option<…Options>` whose struct has `abort_signal` and `timeout`.
macro_rules! bounds_of {
    ($options:expr) => {
        match &$options {
            Some(o) => $crate::cancel::Bounds::new(o.abort_signal.clone(), o.timeout)?,
            None => $crate::cancel::Bounds::none(),
        }
    };
}
pub(crate) use bounds_of;
