//! `CallbackVerifier` (sync) and `callsteer.aio.CallbackVerifier` (asyncio): the core's
//! [`callsteer::CallbackVerifier`] — the callback's `Authorization: Bearer` JWT checked (RS256
//! signature against the JWKS, issuer, audience, expiry) before its body is parsed into typed
//! events. A refused token raises `AuthenticationError` saying why; a bad body
//! `EventParseError`. Also the hidden panic hooks of the test suite.

use callsteer::CallbackVerifier;
use pyo3::prelude::*;

use crate::convert;
use crate::errors;
use crate::events::{event_to_py, EventOut};
use crate::runtime::{run_async, run_sync};

/// The core's verifier for `audience`, with the issuer and JWKS URL when given (the JWKS URL
/// defaults to `{issuer}/calling/keys`). Used by the verifier classes and the listener.
/// An empty audience is refused (`InvalidArgument` naming `audience`).
pub fn build(
    audience: String,
    issuer: Option<String>,
    jwks_url: Option<String>,
) -> callsteer::Result<CallbackVerifier> {
    let mut verifier = CallbackVerifier::new(audience)?;
    if let Some(issuer) = issuer {
        verifier = verifier.with_issuer(issuer);
    }
    if let Some(jwks_url) = jwks_url {
        verifier = verifier.with_jwks_url(jwks_url);
    }
    Ok(verifier)
}

/// The future of one verification: the header (`None` = missing) checked, then the body parsed.
fn verify_and_parse(
    verifier: &CallbackVerifier,
    authorization: Option<String>,
    body: Vec<u8>,
) -> impl std::future::Future<Output = callsteer::Result<Vec<callsteer::CallAutomationEvent>>>
       + Send
       + 'static {
    let verifier = verifier.clone();
    async move {
        verifier
            .verify_authorization_and_parse(authorization.as_deref(), &body)
            .await
    }
}

fn repr(name: &str, verifier: &CallbackVerifier) -> String {
    format!(
        "{name}(audience={:?}, issuer={:?}, jwks_url={:?})",
        verifier.audience(),
        verifier.issuer(),
        verifier.jwks_url()
    )
}

macro_rules! verifier_class {
    ($ty:ident, $name:literal, $module:literal) => {
        #[pyclass(frozen, name = $name, module = $module)]
        pub struct $ty {
            inner: CallbackVerifier,
        }

        #[pymethods]
        impl $ty {
            /// A verifier for callbacks addressed to `audience` (the resource's immutable id),
            /// signed by `issuer` (default: the Call Automation service) with keys from
            /// `jwks_url` (default: `{issuer}/calling/keys`). Keys are fetched on first use and
            /// cached; keep one verifier for the app's lifetime. An empty `audience` raises
            /// `InvalidArgumentError` (field `audience`).
            #[new]
            #[pyo3(signature = (audience, *, issuer = None, jwks_url = None))]
            fn new(
                py: Python<'_>,
                audience: String,
                issuer: Option<String>,
                jwks_url: Option<String>,
            ) -> PyResult<Self> {
                let inner = build(audience, issuer, jwks_url).map_err(|e| errors::to_py(py, e))?;
                Ok($ty { inner })
            }
            #[getter]
            fn audience(&self) -> &str {
                self.inner.audience()
            }
            #[getter]
            fn issuer(&self) -> &str {
                self.inner.issuer()
            }
            #[getter]
            fn jwks_url(&self) -> &str {
                self.inner.jwks_url()
            }
            fn __repr__(&self) -> String {
                repr($name, &self.inner)
            }
        }
    };
}

verifier_class!(PyCallbackVerifier, "CallbackVerifier", "callsteer");
verifier_class!(
    PyAsyncCallbackVerifier,
    "AsyncCallbackVerifier",
    "callsteer.aio"
);

#[pymethods]
impl PyCallbackVerifier {
    /// Verifies the callback's `Authorization` header value (`"Bearer <JWT>"`; `None` when the
    /// request had none) and parses `body` into its events. Raises `AuthenticationError`
    /// (token refused, with the reason) or `EventParseError`.
    #[pyo3(signature = (authorization, body))]
    fn verify_and_parse<'py>(
        &self,
        py: Python<'py>,
        authorization: Option<String>,
        body: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        run_sync(
            py,
            || {
                let body = convert::body(py, body)?;
                Ok(verify_and_parse(&self.inner, authorization, body))
            },
            |events| events.into_iter().map(|e| event_to_py(py, e)).collect(),
        )
    }
}

#[pymethods]
impl PyAsyncCallbackVerifier {
    /// `await verifier.verify_and_parse(authorization, body)`: as the sync verifier's.
    #[pyo3(signature = (authorization, body))]
    fn verify_and_parse<'py>(
        &self,
        py: Python<'py>,
        authorization: Option<String>,
        body: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run_async(
            py,
            || {
                let body = convert::body(py, body)?;
                Ok(verify_and_parse(&self.inner, authorization, body))
            },
            |events| events.into_iter().map(EventOut).collect::<Vec<_>>(),
        )
    }
}

/// Test hook (hidden, not part of the API): panics inside a Rust call made through the same
/// guard as every exported function, so the suite can check that a panic surfaces as
/// `CallAutomationError` (kind `Internal`), never as pyo3's `PanicException`.
#[pyfunction]
#[pyo3(name = "_panic_for_test")]
pub fn panic_for_test(py: Python<'_>) -> PyResult<()> {
    errors::guard(py, || -> PyResult<()> {
        panic!("panic requested by _panic_for_test")
    })
}

/// Test hook (hidden): the same panic inside a task on the runtime, through the sync
/// (`is_async=False`) or the asyncio runner.
#[pyfunction]
#[pyo3(name = "_panic_in_task_for_test", signature = (is_async = false))]
pub fn panic_in_task_for_test(py: Python<'_>, is_async: bool) -> PyResult<Py<PyAny>> {
    let make = || {
        Ok(async {
            if std::hint::black_box(true) {
                panic!("panic requested by _panic_in_task_for_test");
            }
            Ok(())
        })
    };
    if is_async {
        Ok(run_async(py, make, |()| ())?.unbind())
    } else {
        run_sync(py, make, |()| Ok(py.None()))
    }
}
