//! `CallbackVerifier`: the core's [`callsteer::CallbackVerifier`] — a callback's
//! `Authorization: Bearer` JWT checked (RS256 signature against the JWKS, issuer, audience,
//! expiry) before its body is parsed into typed events. A refused token throws
//! `CallAutomationError.Auth` saying why; a bad body `CallAutomationError.EventParse`.
//! Also the hidden panic hooks of the Swift and Kotlin tests.

use std::sync::Arc;

use crate::events::CallAutomationEvent;
use crate::{run, CallAutomationError};

/// Verifies callback requests and parses their bodies. Keys are fetched on first use and
/// cached: keep one verifier for the app's lifetime.
#[derive(uniffi::Object)]
pub struct CallbackVerifier {
    pub(crate) inner: callsteer::CallbackVerifier,
}

#[uniffi::export]
impl CallbackVerifier {
    /// A verifier for callbacks addressed to `audience` (the resource's immutable id), signed
    /// by `issuer` (default: the Call Automation service) with keys from `jwks_url` (default:
    /// `{issuer}/calling/keys`).
    /// An empty `audience` throws `InvalidArgument` (field `audience`).
    #[uniffi::constructor(default(issuer = None, jwks_url = None))]
    pub fn new(
        audience: String,
        issuer: Option<String>,
        jwks_url: Option<String>,
    ) -> Result<Arc<Self>, CallAutomationError> {
        let mut inner = callsteer::CallbackVerifier::new(audience)?;
        if let Some(issuer) = issuer {
            inner = inner.with_issuer(issuer);
        }
        if let Some(jwks_url) = jwks_url {
            inner = inner.with_jwks_url(jwks_url);
        }
        Ok(Arc::new(CallbackVerifier { inner }))
    }

    pub fn audience(&self) -> String {
        self.inner.audience().to_string()
    }

    pub fn issuer(&self) -> String {
        self.inner.issuer().to_string()
    }

    pub fn jwks_url(&self) -> String {
        self.inner.jwks_url().to_string()
    }

    /// Verifies the request's `Authorization` header value (`"Bearer <JWT>"`; nil/null when the
    /// request had none), then parses `body`. Throws `Auth` (token refused, with the reason) or
    /// `EventParse`.
    pub async fn verify_and_parse(
        &self,
        authorization: Option<String>,
        body: String,
    ) -> Result<Vec<CallAutomationEvent>, CallAutomationError> {
        let verifier = self.inner.clone();
        run(async move {
            Ok(verifier
                .verify_authorization_and_parse(authorization.as_deref(), body.as_bytes())
                .await?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }
}

/// Test hook (hidden, not part of the API): panics inside a synchronous Rust call. uniffi
/// catches the unwind: Swift throws `UniffiInternalError.rustPanic`, Kotlin `InternalException`.
/// (Declared throwing: Swift calls non-throwing functions with `try!`, so a panic in one of
/// those would end the process.)
#[uniffi::export]
pub fn debug_panic_for_test() -> Result<(), CallAutomationError> {
    if std::hint::black_box(true) {
        panic!("panic requested by debugPanicForTest");
    }
    Ok(())
}

/// Test hook (hidden): the same panic inside a task on the library's runtime, re-raised to the
/// foreign future (see `run`).
#[uniffi::export]
pub async fn debug_panic_in_task_for_test() -> Result<(), CallAutomationError> {
    run(async {
        if std::hint::black_box(true) {
            panic!("panic requested by debugPanicInTaskForTest");
        }
        Ok(())
    })
    .await
}
