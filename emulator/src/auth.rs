//! Request authentication: HMAC-SHA256 exactly as the service checks it (signature computed by
//! core's `AccessKeyCredential::verify`), or a bearer token when `--allow-bearer` is on.
//! Error messages never echo the signature, the key or the token.

use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, Method, Uri};
use callsteer::auth::content_hash;
use callsteer::AccessKeyCredential;

use crate::api_error::{ApiError, ApiResult};

pub struct AuthCheck<'a> {
    pub credential: &'a AccessKeyCredential,
    pub allow_bearer: bool,
    pub max_skew: Duration,
    pub now: SystemTime,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> ApiResult<Option<&'h str>> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| ApiError::unauthorized(format!("The {name} header is not valid text."))),
    }
}

impl AuthCheck<'_> {
    pub fn check(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> ApiResult<()> {
        let authorization = header(headers, "authorization")?
            .ok_or_else(|| ApiError::unauthorized("The Authorization header is missing."))?;
        if let Some(token) = authorization.strip_prefix("Bearer ") {
            if !self.allow_bearer {
                return Err(ApiError::unauthorized(
                    "Bearer tokens are not accepted by this emulator; sign requests with the access key (HMAC-SHA256) or start it with --allow-bearer.",
                ));
            }
            if token.trim().is_empty() {
                return Err(ApiError::unauthorized("The bearer token is empty."));
            }
            return Ok(());
        }
        if !authorization.starts_with("HMAC-SHA256 ") {
            return Err(ApiError::unauthorized(
                "Unsupported Authorization scheme; expected `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…`.",
            ));
        }
        let date = header(headers, "x-ms-date")?
            .ok_or_else(|| ApiError::unauthorized("The x-ms-date header is missing."))?;
        let signed_at = httpdate::parse_http_date(date).map_err(|_| {
            ApiError::unauthorized(format!(
                "x-ms-date `{date}` is not an RFC 1123 date (e.g. `Mon, 02 Jun 2025 12:00:00 GMT`)."
            ))
        })?;
        let skew = match self.now.duration_since(signed_at) {
            Ok(d) => d,
            Err(e) => e.duration(),
        };
        if skew > self.max_skew {
            return Err(ApiError::unauthorized(format!(
                "x-ms-date `{date}` is {}s away from the emulator's clock ({}); at most {}s is allowed.",
                skew.as_secs(),
                httpdate::fmt_http_date(self.now),
                self.max_skew.as_secs()
            )));
        }
        let claimed_hash = header(headers, "x-ms-content-sha256")?
            .ok_or_else(|| ApiError::unauthorized("The x-ms-content-sha256 header is missing."))?;
        if claimed_hash != content_hash(body) {
            return Err(ApiError::unauthorized(
                "x-ms-content-sha256 does not match the SHA-256 of the received body.",
            ));
        }
        let host = header(headers, "host")?
            .map(str::to_string)
            .or_else(|| uri.authority().map(|a| a.to_string()))
            .ok_or_else(|| ApiError::unauthorized("The Host header is missing."))?;
        let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let verify = |pq: &str| {
            self.credential
                .verify(method.as_str(), pq, &host, date, body, authorization)
        };
        // Some clients sign the percent-decoded path (Python's `decode_url`); accept both.
        let decoded = percent_encoding::percent_decode_str(path_and_query).decode_utf8_lossy();
        if verify(path_and_query) || verify(&decoded) {
            Ok(())
        } else {
            Err(ApiError::unauthorized(
                "The HMAC signature does not match: sign `METHOD\\npath?query\\nx-ms-date;host;x-ms-content-sha256` with this emulator's access key (see the connection string it printed).",
            ))
        }
    }
}
