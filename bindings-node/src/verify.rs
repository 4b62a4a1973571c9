//! `CallbackVerifier`: the core's [`callsteer::CallbackVerifier`] — a callback's
//! `Authorization: Bearer` JWT checked (RS256 signature against the JWKS, issuer, audience,
//! expiry) before its body is parsed into typed events. A refused token rejects with `AuthError`
//! saying why; a bad body with `EventParseError`. Also the hidden panic hooks of the tests.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::{guard, run};
use crate::events::{body_bytes, event_js, CallAutomationEvent};

/// Options of `new CallbackVerifier(audience, options)`.
#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct CallbackVerifierOptions {
    /// Expected `iss` (default: the Call Automation service,
    /// `https://acscallautomation.communication.azure.com`).
    pub issuer: Option<String>,
    /// Where the signing keys are fetched from (default: `{issuer}/calling/keys`).
    pub jwks_url: Option<String>,
}

/// Verifies callback requests and parses their bodies. Keys are fetched on first use and
/// cached: keep one verifier for the app's lifetime.
#[napi]
pub struct CallbackVerifier {
    inner: callsteer::CallbackVerifier,
}

#[napi]
impl CallbackVerifier {
    /// A verifier for callbacks addressed to `audience` (the resource's immutable id). An empty
    /// `audience` throws `InvalidArgumentError` (field `audience`).
    #[napi(constructor, catch_unwind)]
    pub fn new(audience: String, options: Option<CallbackVerifierOptions>) -> Result<Self> {
        let options = options.unwrap_or_default();
        let mut inner = callsteer::CallbackVerifier::new(audience).map_err(crate::errors::to_js)?;
        if let Some(issuer) = options.issuer {
            inner = inner.with_issuer(issuer);
        }
        if let Some(jwks_url) = options.jwks_url {
            inner = inner.with_jwks_url(jwks_url);
        }
        Ok(CallbackVerifier { inner })
    }

    #[napi(getter, catch_unwind)]
    pub fn audience(&self) -> String {
        self.inner.audience().to_string()
    }

    #[napi(getter, catch_unwind)]
    pub fn issuer(&self) -> String {
        self.inner.issuer().to_string()
    }

    #[napi(getter, catch_unwind)]
    pub fn jwks_url(&self) -> String {
        self.inner.jwks_url().to_string()
    }

    /// Verifies the request's `Authorization` header value (`"Bearer <JWT>"`; null or
    /// undefined when the request had none), then parses `body` (string or Buffer; the JS entry
    /// also accepts parsed JSON). Rejects with `AuthError` (token refused, with the reason) or
    /// `EventParseError`.
    #[napi(
        ts_args_type = "authorization: string | null | undefined, body: string | Buffer | object",
        ts_return_type = "Promise<CallAutomationEvent[]>"
    )]
    pub async fn verify_and_parse(
        &self,
        authorization: Option<String>,
        body: Either<String, Buffer>,
    ) -> napi::Result<Vec<CallAutomationEvent>> {
        let verifier = self.inner.clone();
        let body = body_bytes(body);
        let events = run(async move {
            verifier
                .verify_authorization_and_parse(authorization.as_deref(), &body)
                .await
        })
        .await?;
        Ok(events.iter().map(event_js).collect())
    }
}

/// Test hook (hidden, not part of the API): panics inside a synchronous Rust call, through the
/// guard every synchronous export uses; the JS entry must throw `InternalError`.
#[napi(js_name = "_panicForTest", skip_typescript)]
pub fn panic_for_test() -> napi::Result<()> {
    guard(|| -> napi::Result<()> { panic!("panic requested by _panicForTest") })
}

/// Test hook (hidden): panics inside a task on the runtime, as a core future would; the
/// Promise must reject with `InternalError`.
#[napi(js_name = "_panicInTaskForTest", skip_typescript)]
pub async fn panic_in_task_for_test() -> napi::Result<()> {
    run(async {
        if std::hint::black_box(true) {
            panic!("panic requested by _panicInTaskForTest");
        }
        Ok(())
    })
    .await
}

/// Test hook (hidden): panics in a synchronous export that has no `guard`, only napi's
/// `catch_unwind` (as every unguarded synchronous export has): the JS entry must throw
/// `InternalError` instead of Node aborting.
#[napi(js_name = "_panicUnguardedForTest", skip_typescript, catch_unwind)]
pub fn panic_unguarded_for_test() {
    panic!("panic requested by _panicUnguardedForTest");
}
