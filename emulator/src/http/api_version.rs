//! The `api-version` query parameter: required, and one the service actually shipped.

use crate::api_error::{ApiError, ApiResult};

/// Every Call Automation data-plane version published in `Azure/azure-rest-api-specs`
/// (`specification/communication/data-plane/CallAutomation/{stable,preview}/<version>/`), GA
/// first, then previews. Nothing else: a date that was never released is refused like the
/// service refuses it, so an app pinned to a typo'd version fails here and not in production.
pub const SUPPORTED: &[&str] = &[
    // stable/
    "2023-03-06",
    "2023-10-15",
    "2024-04-15",
    "2024-09-15",
    "2025-05-15",
    "2025-06-15",
    // The official SDKs 1.6.0 default.
    "2026-03-12",
    // preview/
    "2022-04-07-preview",
    "2023-01-15-preview",
    "2023-06-15-preview",
    "2023-10-03-preview",
    "2024-01-22-preview",
    "2024-06-15-preview",
    "2024-09-01-preview",
    "2024-11-15-preview",
    "2025-03-30-preview",
    "2025-08-15-preview",
];

pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `path` is the request path, named in the message as the service names the URI.
pub fn check(path: &str, query: Option<&str>) -> ApiResult<String> {
    match query_param(query, "api-version") {
        None => Err(ApiError::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )),
        Some(v) if SUPPORTED.contains(&v.as_str()) => Ok(v),
        // The service's code and wording; the list is the emulator's addition.
        Some(v) => Err(ApiError::new(
            400,
            "UnsupportedApiVersion",
            format!(
                "The HTTP resource that matches the request URI '{path}' does not support the API version '{v}'. Supported api-versions: {}.",
                SUPPORTED.join(", ")
            ),
        )),
    }
}

/// Operations that only some of the shipped versions have, with the first version that has
/// each (the spec folders: `participants:moveHere` appears in stable/2026-03-12).
const INTRODUCED: &[(&str, &str)] = &[("MoveParticipants", "2026-03-12")];

/// Refuses an operation the request's api-version does not have, as the service does: the
/// route exists only from the version that introduced it.
pub fn check_operation(operation: &str, path: &str, api_version: &str) -> ApiResult<()> {
    let Some((_, since)) = INTRODUCED.iter().find(|(name, _)| *name == operation) else {
        return Ok(());
    };
    let date = |v: &str| v.get(..10).unwrap_or(v).to_string();
    if date(api_version) >= date(since) {
        return Ok(());
    }
    let supporting: Vec<&str> = SUPPORTED
        .iter()
        .copied()
        .filter(|v| date(v) >= date(since))
        .collect();
    Err(ApiError::new(
        400,
        "UnsupportedApiVersion",
        format!(
            "The HTTP resource that matches the request URI '{path}' does not support the API version '{api_version}'. Supported api-versions: {}.",
            supporting.join(", ")
        ),
    ))
}
