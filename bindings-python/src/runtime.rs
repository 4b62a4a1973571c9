//! The one tokio runtime of this extension module, shared by the sync and the asyncio API.
//!
//! Sync methods release the GIL and `block_on` a task spawned on it; async methods hand the same
//! kind of task to `pyo3_async_runtimes::tokio::future_into_py`, which `init_with_runtime` points
//! at this runtime. A panic inside a task surfaces as `CallAutomationError`.
//!
//! `fork()`: a child process inherits the runtime's state but none of its worker threads. Using
//! callsteer in a child forked after the runtime started would hang, so it raises
//! `CallAutomationError` instead; create clients in the child only when the parent never used
//! callsteer (or use the `spawn`/`forkserver` multiprocessing start methods).

use std::future::Future;
use std::sync::OnceLock;

use pyo3::prelude::*;
use tokio::runtime::Runtime;

use crate::errors;

struct Shared {
    runtime: Runtime,
    pid: u32,
}

static RUNTIME: OnceLock<Option<Shared>> = OnceLock::new();

fn build() -> Option<Shared> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("callsteer")
        .enable_all()
        .build()
        .ok()?;
    Some(Shared {
        runtime,
        pid: std::process::id(),
    })
}

/// The runtime, started on first use; an error in a forked child or if it cannot start.
pub fn runtime(py: Python<'_>) -> PyResult<&'static Runtime> {
    let shared = RUNTIME.get_or_init(build).as_ref().ok_or_else(|| {
        errors::to_py(
            py,
            callsteer::Error::transport("could not start the tokio runtime"),
        )
    })?;
    if shared.pid != std::process::id() {
        return Err(errors::to_py(
            py,
            callsteer::Error::transport(
                "callsteer was used before this process was forked; its runtime's threads do not \
                 exist in the child. Use callsteer only after fork() (or the 'spawn' start method)",
            ),
        ));
    }
    // Ignored when already set: the asyncio bridge then uses this same runtime.
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(&shared.runtime);
    Ok(&shared.runtime)
}

/// Runs `make` (conversions, with the GIL), then its future on the runtime with the GIL
/// released, then `finish` (building Python values, with the GIL).
pub fn run_sync<F, T, R>(
    py: Python<'_>,
    make: impl FnOnce() -> PyResult<F>,
    finish: impl FnOnce(T) -> PyResult<R>,
) -> PyResult<R>
where
    F: Future<Output = callsteer::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    errors::guard(py, || {
        let runtime = runtime(py)?;
        let future = make()?;
        let joined = py.detach(|| runtime.block_on(runtime.spawn(future)));
        match joined {
            Ok(Ok(value)) => finish(value),
            Ok(Err(e)) => Err(errors::to_py(py, e)),
            Err(e) => Err(errors::join_error(py, e)),
        }
    })
}

/// Runs `make` (conversions, with the GIL) and returns an asyncio awaitable of its future's
/// result, mapped by `finish` on the runtime (no GIL needed: `R` becomes a Python object when
/// the awaitable completes).
pub fn run_async<'py, F, T, R>(
    py: Python<'py>,
    make: impl FnOnce() -> PyResult<F>,
    finish: impl FnOnce(T) -> R + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = callsteer::Result<T>> + Send + 'static,
    T: Send + 'static,
    R: for<'a> IntoPyObject<'a> + Send + 'static,
{
    errors::guard(py, || {
        let runtime = runtime(py)?;
        let future = make()?;
        let handle = runtime.spawn(future);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            match handle.await {
                Ok(Ok(value)) => Ok(finish(value)),
                Ok(Err(e)) => Err(Python::attach(|py| errors::to_py(py, e))),
                Err(e) => Err(Python::attach(|py| errors::join_error(py, e))),
            }
        })
    })
}
