//! Error mapping: every `callsteer::Error` becomes an instance of the exception classes defined
//! in `callsteer/_errors.py` (so that they can inherit from both `CallAutomationError` and
//! `ValueError` / `TimeoutError`), and every Rust panic becomes a `CallAutomationError`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use callsteer::{Error, Language};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Looks up an exception class of `callsteer._errors`.
fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("callsteer._errors")?.getattr(name)
}

fn build(py: Python<'_>, name: &str, message: String, attrs: &[(&str, Py<PyAny>)]) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        for (key, value) in attrs {
            kwargs.set_item(*key, value.bind(py))?;
        }
        let instance = class(py, name)?.call((message.clone(),), Some(&kwargs))?;
        Ok(PyErr::from_value(instance))
    })();
    made.unwrap_or_else(|e| {
        // The Python half of the package is missing or broken: still raise something readable.
        PyRuntimeError::new_err(format!("{message} (and callsteer._errors failed: {e})"))
    })
}

fn obj<'py, T: IntoPyObject<'py>>(py: Python<'py>, value: T) -> Py<PyAny> {
    use pyo3::IntoPyObjectExt;
    value.into_py_any(py).unwrap_or_else(|_| py.None())
}

/// Maps a core error to its Python exception (needs the GIL). Field names are the official
/// Python SDK's (`invitation_timeout`, `sip_headers`, …), rendered by the core's one table.
pub fn to_py(py: Python<'_>, error: Error) -> PyErr {
    let message = error.message_in(Language::Python);
    let kind = obj(py, error.kind().as_str());
    let field = error.field_in(Language::Python);
    match error {
        Error::InvalidArgument { .. } => build(
            py,
            "InvalidArgumentError",
            message,
            &[
                ("kind", kind),
                ("field", obj(py, field.unwrap_or_default())),
            ],
        ),
        Error::Auth { .. } => build(py, "AuthenticationError", message, &[("kind", kind)]),
        Error::Service {
            status,
            code,
            message: service_message,
            request_id,
            retry_after,
        } => {
            // A 401 from the service is an authentication failure as well as a service error.
            let name = if status == 401 {
                "ServiceAuthenticationError"
            } else {
                "ServiceError"
            };
            build(
                py,
                name,
                message,
                &[
                    ("kind", kind),
                    ("status_code", obj(py, status)),
                    ("error_code", obj(py, code)),
                    ("service_message", obj(py, service_message)),
                    ("request_id", obj(py, request_id)),
                    ("retry_after", obj(py, retry_after.map(|d| d.as_secs_f64()))),
                ],
            )
        }
        Error::Transport { .. } => build(py, "TransportError", message, &[("kind", kind)]),
        Error::Timeout { .. } => build(py, "OperationTimeoutError", message, &[("kind", kind)]),
        Error::EventParse { path, .. } => build(
            py,
            "EventParseError",
            message,
            &[("kind", kind), ("path", obj(py, path))],
        ),
    }
}

/// `InvalidArgumentError` raised by the binding itself (a Python value of the wrong shape);
/// `field` is the canonical name, rendered in Python's spelling like the core's errors.
pub fn invalid(py: Python<'_>, field: &str, message: impl Into<String>) -> PyErr {
    to_py(py, Error::invalid(field, message))
}

/// A Rust panic (a bug) as a `CallAutomationError`, never a `PanicException`.
pub fn internal(py: Python<'_>, what: &str) -> PyErr {
    build(
        py,
        "CallAutomationError",
        format!("internal error in callsteer ({what}); please report it"),
        &[("kind", obj(py, "Internal"))],
    )
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Runs `f` (argument conversion and result building) and turns a panic into a
/// `CallAutomationError`.
pub fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(internal(py, &panic_text(payload.as_ref()))),
    }
}

pub(crate) fn join_error(py: Python<'_>, e: tokio::task::JoinError) -> PyErr {
    if e.is_panic() {
        internal(py, &panic_text(e.into_panic().as_ref()))
    } else {
        internal(py, "the operation was cancelled")
    }
}
