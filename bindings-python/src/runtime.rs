//! The one tokio runtime of this extension module, shared by the sync and the asyncio API.
//!
//! Sync methods release the GIL and `block_on` a task spawned on it, waking every 50 ms to run
//! Python's signal handlers so that Ctrl-C cancels the task; async methods spawn the same
//! kind of task and return an asyncio future that a blocking thread completes through the loop's
//! `call_soon_threadsafe`. A panic inside a task surfaces as `CallAutomationError`. Runtime
//! threads take the GIL only through [`with_python`], which stops at interpreter shutdown.
//!
//! `fork()`: a child process inherits the runtime's state but none of its worker threads. Using
//! callsteer in a child forked after the runtime started would hang, so it raises
//! `CallAutomationError` instead; create clients in the child only when the parent never used
//! callsteer (or use the `spawn`/`forkserver` multiprocessing start methods).

use std::future::Future;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyCFunction;
use pyo3::IntoPyObjectExt;
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
    Ok(&shared.runtime)
}

/// How often a sync call wakes up to let Python run its signal handlers (Ctrl-C).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

/// Runs `make` (conversions, with the GIL), then its future on the runtime with the GIL
/// released, then `finish` (building Python values, with the GIL).
///
/// Python runs signal handlers only in the main thread and only when it holds the GIL, so a
/// `block_on` with the GIL released would make Ctrl-C wait for the whole future (a 30 s event
/// wait, a request in its retries). The wait therefore wakes every
/// [`SIGNAL_CHECK_INTERVAL`] to run them; when one raises (`KeyboardInterrupt` by default),
/// the task is aborted, which drops a request in flight, and the exception propagates.
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
        let mut handle = runtime.spawn(future);
        let joined = loop {
            let waited = py.detach(|| {
                // The timer must be created inside the runtime: it needs its time driver.
                runtime.block_on(async {
                    tokio::time::timeout(SIGNAL_CHECK_INTERVAL, &mut handle).await
                })
            });
            match waited {
                Ok(joined) => break joined,
                Err(_elapsed) => {
                    if let Err(raised) = py.check_signals() {
                        handle.abort();
                        return Err(raised);
                    }
                }
            }
        };
        match joined {
            Ok(Ok(value)) => finish(value),
            Ok(Err(e)) => Err(errors::to_py(py, e)),
            Err(e) => Err(errors::join_error(py, e)),
        }
    })
}

/// Runs `make` (conversions, with the GIL) and returns an asyncio future of its future's
/// result, mapped by `finish` on the runtime (no GIL needed: `R` becomes a Python object when
/// the future completes).
///
/// The bridge is ours rather than pyo3-async-runtimes' `future_into_py` because completing the
/// asyncio future needs the GIL on a runtime thread, and that must go through [`with_python`]
/// (never after interpreter shutdown has begun). Cancelling the asyncio future (asyncio.run
/// does that to its leftover tasks) aborts the runtime task.
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
        // Raises RuntimeError outside a running event loop, like any asyncio API would.
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let future = make()?;
        let py_future = event_loop.call_method0("create_future")?;
        let handle = runtime.spawn(async move { future.await.map(finish) });
        let abort = handle.abort_handle();
        let on_done = PyCFunction::new_closure(py, None, None, move |_, _| abort.abort())?;
        py_future.call_method1("add_done_callback", (on_done,))?;
        let target = (event_loop.unbind(), py_future.clone().unbind());
        runtime.spawn(async move {
            let joined = handle.await;
            // Python work happens on a blocking thread, never on a runtime worker.
            tokio::task::spawn_blocking(move || {
                with_python(move |py| complete(py, target, joined));
            });
        });
        Ok(py_future)
    })
}

/// Sets the asyncio future's result or exception from the loop's thread (it is not
/// thread-safe). Nothing to do when it was cancelled or its loop is closed: nobody awaits it.
fn complete<R>(
    py: Python<'_>,
    (event_loop, py_future): (Py<PyAny>, Py<PyAny>),
    joined: Result<callsteer::Result<R>, tokio::task::JoinError>,
) where
    R: for<'a> IntoPyObject<'a>,
{
    let py_future = py_future.into_bound(py);
    let (method, value) = match joined {
        Ok(Ok(value)) => match value.into_py_any(py) {
            Ok(value) => ("set_result", value),
            Err(e) => ("set_exception", e.into_value(py).into_any()),
        },
        Ok(Err(e)) => (
            "set_exception",
            errors::to_py(py, e).into_value(py).into_any(),
        ),
        Err(e) if e.is_cancelled() => return,
        Err(e) => (
            "set_exception",
            errors::join_error(py, e).into_value(py).into_any(),
        ),
    };
    let set = PyCFunction::new_closure(py, None, None, move |args, _| -> PyResult<()> {
        let future = args.get_item(0)?;
        if !future.call_method0("done")?.is_truthy()? {
            future.call_method1(method, (args.get_item(1)?,))?;
        }
        Ok(())
    });
    let scheduled = set.and_then(|set| {
        event_loop
            .bind(py)
            .call_method1("call_soon_threadsafe", (set, py_future, value))
    });
    // Fails only when the loop is closed (asyncio.run returned): nothing can await the future.
    drop(scheduled);
}

// ---------------------------------------------------------------------------------------------
// Interpreter shutdown.
//
// The runtime's threads outlive the interpreter (the runtime is a never-dropped static). A
// thread that takes the GIL once finalization has begun is ended by CPython inside
// `PyGILState_Ensure` (pthread_exit); unwinding through pyo3's guard then aborts the process
// ("PyGILState_Release: thread state … must be current") or crashes it. So every GIL
// acquisition from a runtime thread goes through `with_python`, and an `atexit` hook (atexit
// runs before finalization starts) closes that gate and waits, with the GIL released, for the
// threads already inside to finish. After that, runtime threads never touch Python again;
// what they would have dropped is leaked instead.

struct Gate {
    closed: bool,
    inside: usize,
}

static GATE: Mutex<Gate> = Mutex::new(Gate {
    closed: false,
    inside: 0,
});
static GATE_LEFT: Condvar = Condvar::new();

/// How long the exit hook waits for runtime threads that are running Python code.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

fn gate() -> MutexGuard<'static, Gate> {
    GATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` with the GIL on a thread that is not a Python thread, unless interpreter shutdown
/// has begun: then `f` (and everything it owns, Python objects included) is leaked, not run.
pub fn with_python<R>(f: impl FnOnce(Python<'_>) -> R) -> Option<R> {
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            gate().inside -= 1;
            GATE_LEFT.notify_all();
        }
    }
    {
        let mut gate = gate();
        if gate.closed {
            drop(gate);
            std::mem::forget(f);
            return None;
        }
        gate.inside += 1;
    }
    let _leave = Leave;
    Some(Python::attach(f))
}

/// Registered with `atexit` when the module is imported.
#[pyfunction]
#[pyo3(name = "_shutdown")]
pub fn shutdown(py: Python<'_>) {
    py.detach(|| {
        let mut gate = gate();
        gate.closed = true;
        let deadline = Instant::now() + SHUTDOWN_WAIT;
        while gate.inside > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            gate = GATE_LEFT
                .wait_timeout(gate, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    });
}

/// Registers [`shutdown`] with `atexit`.
pub fn register_shutdown(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(shutdown, m)?;
    m.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}
