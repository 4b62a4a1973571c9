//! Error mapping: every core [`callsteer::Error`] becomes a rejected Promise (or a thrown error)
//! whose message is `callsteer:` + a JSON record of the error's kind and fields. The package's JS entry (`callsteer.js`) turns that record into an `Error` subclass
//! (`InvalidArgumentError`, `ServiceError`, …) with `name`, `code`, `field`, `statusCode`,
//! `errorCode` and `requestId`.

use serde_json::{json, Value};

// napi's `async fn` rejects only with `napi::Error<Status>`, so the kind travels in the
// record; the JS entry sets `code` from it.
pub type JsError = napi::Error;
pub type JsResult<T> = std::result::Result<T, JsError>;

/// Marks a message as a callsteer error record (the shim parses only those).
pub const RECORD_PREFIX: &str = "callsteer:";

fn record(kind: &str, fields: Value) -> JsError {
    let mut value = fields;
    value["kind"] = json!(kind);
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{RECORD_PREFIX}{value}"),
    )
}

/// Maps a core error to a JS error record. Field names are the official JS SDK's
/// (`invitationTimeoutInSeconds`, `callbackUrl`, `sourceCallIdNumber`, …), rendered by the
/// core's one table.
pub fn to_js(error: callsteer::Error) -> JsError {
    let message = error.message_in(callsteer::Language::Node);
    let kind = error.kind().as_str();
    let field = error.field_in(callsteer::Language::Node);
    match error {
        callsteer::Error::InvalidArgument { .. } => {
            record(kind, json!({ "message": message, "field": field }))
        }
        callsteer::Error::Service {
            status,
            code,
            request_id,
            retry_after,
            ..
        } => record(
            kind,
            json!({
                "message": message,
                "statusCode": status,
                "errorCode": code,
                "requestId": request_id,
                "retryAfterMs": retry_after.map(|d| d.as_millis() as u64),
            }),
        ),
        callsteer::Error::EventParse { path, .. } => {
            record(kind, json!({ "message": message, "path": path }))
        }
        _ => record(kind, json!({ "message": message })),
    }
}

/// An `InvalidArgument` error for an argument that could not be converted; `field` is the
/// canonical name, rendered in the JS spelling like the core's errors.
pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> JsError {
    to_js(callsteer::Error::invalid(field, message))
}

/// Converts a napi error (e.g. a failed JS value conversion) into a record of `kind`.
pub fn from_napi(error: napi::Error, field: &str) -> JsError {
    invalid(field, error.reason.clone())
}

/// Maps a `Result` of the core.
pub trait IntoJs<T> {
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for callsteer::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}

/// Runs `f`, turning a panic into an error instead of unwinding into Node.
pub fn guard<T>(f: impl FnOnce() -> JsResult<T>) -> JsResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(_) => Err(record(
            "Internal",
            json!({ "message": "internal error: callsteer panicked (please report this)" }),
        )),
    }
}

/// Runs a core future on napi's tokio runtime as its own task, so that a panic in it becomes a
/// rejected Promise instead of crossing the boundary.
pub async fn run<T: Send + 'static>(
    future: impl std::future::Future<Output = callsteer::Result<T>> + Send + 'static,
) -> JsResult<T> {
    match tokio::spawn(future).await {
        Ok(result) => result.js(),
        Err(e) => Err(record(
            "Internal",
            json!({ "message": format!("internal error: callsteer task failed: {e}") }),
        )),
    }
}
