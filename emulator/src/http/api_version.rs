//! The `api-version` query parameter: required, and one of the GA versions.

use crate::api_error::{ApiError, ApiResult};

/// Call Automation GA versions the emulator answers (plus a few later dates that the real
/// service may ship; answering them is harmless and keeps newer SDKs working).
pub const SUPPORTED: &[&str] = &[
    "2023-03-06",
    "2023-06-15",
    "2023-10-15",
    "2024-04-15",
    "2024-09-15",
    "2025-05-15",
    "2025-06-15",
    "2025-09-15",
    "2025-11-15",
    "2026-01-15",
    "2026-03-12",
];

pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub fn check(query: Option<&str>) -> ApiResult<String> {
    match query_param(query, "api-version") {
        None => Err(ApiError::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )),
        Some(v) if SUPPORTED.contains(&v.as_str()) => Ok(v),
        Some(v) => Err(ApiError::new(
            400,
            "UnsupportedApiVersion",
            format!(
                "The api-version `{v}` is not supported. Supported api-versions: {}.",
                SUPPORTED.join(", ")
            ),
        )),
    }
}
