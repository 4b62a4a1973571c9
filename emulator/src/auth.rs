//! Request authentication: HMAC-SHA256 exactly as the service checks it (signature computed by
//! core's `AccessKeyCredential::verify`), or a bearer token when `--allow-bearer` is on.
//! Error messages never echo the signature, the key or the token.

use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, Method, Uri};
use callsteer::auth::content_hash;
use callsteer::AccessKeyCredential;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::api_error::{ApiError, ApiResult};

/// What `encodeURIComponent` / Python's `quote(safe="")` leave alone in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The spellings of one request path that the service treats as the same resource, and so
/// accepts a signature over: as received, percent-decoded, and with every segment
/// percent-encoded. Clients sign one and send another (the official Python aio client signs
/// `…/participants/8%3Aacs%3A…` while its HTTP stack sends `8:acs:…`; others sign the decoded
/// path). The query is kept as received.
fn equivalent_paths(path_and_query: &str) -> impl Iterator<Item = String> + '_ {
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let with_query = move |p: String| match query {
        Some(q) => format!("{p}?{q}"),
        None => p,
    };
    let decoded = percent_decode_str(path).decode_utf8_lossy().into_owned();
    let encoded = path
        .split('/')
        .map(|segment| {
            let segment = percent_decode_str(segment).decode_utf8_lossy();
            utf8_percent_encode(&segment, SEGMENT).to_string()
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut forms = vec![path.to_string()];
    for form in [decoded, encoded] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms.into_iter().map(with_query)
}

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
        if equivalent_paths(path_and_query).any(|pq| verify(&pq)) {
            Ok(())
        } else {
            Err(ApiError::unauthorized(
                "The HMAC signature does not match: sign `METHOD\\npath?query\\nx-ms-date;host;x-ms-content-sha256` with this emulator's access key (see the connection string it printed).",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::equivalent_paths;

    #[test]
    fn a_participant_path_has_its_encoded_and_decoded_spellings() {
        let forms: Vec<String> =
            equivalent_paths("/calling/callConnections/c1/participants/8:acs:x_y?api-version=v")
                .collect();
        assert!(forms.contains(
            &"/calling/callConnections/c1/participants/8%3Aacs%3Ax_y?api-version=v".to_string()
        ));
        let forms: Vec<String> =
            equivalent_paths("/calling/callConnections/c1/participants/4%3A%2B1604?api-version=v")
                .collect();
        assert!(forms.contains(
            &"/calling/callConnections/c1/participants/4:+1604?api-version=v".to_string()
        ));
    }
}
