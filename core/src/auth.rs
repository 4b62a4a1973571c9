//! Credentials and HMAC-SHA256 request signing, exactly as the service checks it (WIRE.md §6).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The value of `x-ms-content-sha256` for an empty body.
pub const EMPTY_CONTENT_HASH: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

/// An access key of a Communication Services resource. Its bytes never appear in `Debug`.
#[derive(Clone)]
pub struct AccessKeyCredential {
    key: Arc<[u8]>,
}

impl fmt::Debug for AccessKeyCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKeyCredential(<redacted>)")
    }
}

impl AccessKeyCredential {
    /// Takes the base64 access key as shown in the portal.
    pub fn new(base64_key: &str) -> Result<Self> {
        let key = B64
            .decode(base64_key.trim())
            .map_err(|_| Error::invalid("accesskey", "the access key is not valid base64"))?;
        if key.is_empty() {
            return Err(Error::invalid("accesskey", "the access key is empty"));
        }
        Ok(AccessKeyCredential { key: key.into() })
    }

    /// Signs one request; see [`sign_request`].
    pub fn sign(
        &self,
        method: &str,
        path_and_query: &str,
        host: &str,
        date: &str,
        body: &[u8],
    ) -> SignedHeaders {
        sign_request(&self.key, method, path_and_query, host, date, body)
    }

    /// Server side: checks an `Authorization` header against the request, in constant time.
    pub fn verify(
        &self,
        method: &str,
        path_and_query: &str,
        host: &str,
        date: &str,
        body: &[u8],
        authorization: &str,
    ) -> bool {
        let expected = self.sign(method, path_and_query, host, date, body);
        constant_time_eq(expected.authorization.as_bytes(), authorization.as_bytes())
    }
}

/// Compares without an early exit, so timing does not reveal how much of a forged signature
/// was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // `black_box` keeps the optimizer from turning the fold back into an early-exit compare.
    std::hint::black_box(
        a.iter()
            .zip(b)
            .fold(0u8, |acc, (x, y)| acc | std::hint::black_box(x ^ y)),
    ) == 0
}

/// The headers an HMAC-signed request carries besides `x-ms-date` and `Host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub content_sha256: String,
    pub authorization: String,
}

/// Base64 of the SHA-256 of `body`: the `x-ms-content-sha256` header.
pub fn content_hash(body: &[u8]) -> String {
    B64.encode(Sha256::digest(body))
}

/// HMAC-SHA256 signing: `verb\npathAndQuery\ndate;host;contentHash`, keyed by the decoded key.
pub fn sign_request(
    key: &[u8],
    method: &str,
    path_and_query: &str,
    host: &str,
    date: &str,
    body: &[u8],
) -> SignedHeaders {
    let content_sha256 = content_hash(body);
    let string_to_sign = format!(
        "{}\n{}\n{};{};{}",
        method.to_ascii_uppercase(),
        path_and_query,
        date,
        host,
        content_sha256
    );
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    let signature = B64.encode(mac.finalize().into_bytes());
    SignedHeaders {
        content_sha256,
        authorization: format!(
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
        ),
    }
}

/// Today's date in the IMF-fixdate form `x-ms-date` needs.
pub fn http_date_now() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}

/// A bearer token with its expiry (seconds since the Unix epoch).
#[derive(Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_on: u64,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// A source of Entra ID bearer tokens (scope `https://communication.azure.com//.default`).
pub trait TokenCredential: Send + Sync {
    fn get_token(&self) -> Pin<Box<dyn Future<Output = Result<AccessToken>> + Send + '_>>;
}

/// Refresh a token this long before its `expires_on` (what the Azure SDKs do).
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// A token and when to ask for the next one.
#[derive(Clone)]
struct CachedToken {
    token: AccessToken,
    refresh_at: SystemTime,
}

/// Asks a [`TokenCredential`] for a token once per lifetime instead of once per request.
///
/// A token is reused until 5 minutes before its `expires_on` (for a token that lives less than
/// 10 minutes: until half its remaining lifetime). Concurrent requests that find no usable
/// token share one refresh. If a refresh fails while the old token has not expired yet, the
/// old token is used (and the next request tries again), so a provider hiccup near the end of
/// a token's life does not fail requests.
#[derive(Clone)]
pub(crate) struct TokenCache {
    provider: Arc<dyn TokenCredential>,
    current: Arc<std::sync::RwLock<Option<CachedToken>>>,
    refreshing: Arc<tokio::sync::Mutex<()>>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenCache(<redacted>)")
    }
}

impl TokenCache {
    pub(crate) fn new(provider: Arc<dyn TokenCredential>) -> Self {
        TokenCache {
            provider,
            current: Arc::default(),
            refreshing: Arc::default(),
        }
    }

    fn fresh(&self, now: SystemTime) -> Option<AccessToken> {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        current
            .as_ref()
            .filter(|cached| now < cached.refresh_at)
            .map(|cached| cached.token.clone())
    }

    /// A token for the next request: the cached one while it is fresh, else a new one.
    pub(crate) async fn get(&self) -> Result<AccessToken> {
        if let Some(token) = self.fresh(SystemTime::now()) {
            return Ok(token);
        }
        let _refreshing = self.refreshing.lock().await;
        // Another request may have refreshed while this one waited.
        let now = SystemTime::now();
        if let Some(token) = self.fresh(now) {
            return Ok(token);
        }
        match self.provider.get_token().await {
            Ok(token) => {
                let cached = CachedToken {
                    refresh_at: refresh_at(&token, now),
                    token: token.clone(),
                };
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(cached);
                Ok(token)
            }
            Err(error) => {
                let current = self.current.read().unwrap_or_else(|p| p.into_inner());
                match current.as_ref() {
                    Some(old) if now < expires_at(&old.token) => {
                        tracing::warn!(error = %error, "token refresh failed; using the current token until it expires");
                        Ok(old.token.clone())
                    }
                    _ => Err(error),
                }
            }
        }
    }
}

fn expires_at(token: &AccessToken) -> SystemTime {
    // Clamped (to the year 4147) so that "never expires" (`u64::MAX`) fits every platform's
    // `SystemTime`.
    let seconds = token.expires_on.min(1 << 36);
    UNIX_EPOCH
        .checked_add(Duration::from_secs(seconds))
        .unwrap_or(UNIX_EPOCH)
}

/// 5 minutes before expiry, or half the remaining lifetime for short-lived tokens (so those
/// are not fetched for every request either).
fn refresh_at(token: &AccessToken, now: SystemTime) -> SystemTime {
    let expires = expires_at(token);
    let remaining = expires.duration_since(now).unwrap_or(Duration::ZERO);
    let margin = REFRESH_BEFORE_EXPIRY.min(remaining / 2);
    expires.checked_sub(margin).unwrap_or(now)
}

/// How requests are authenticated.
#[derive(Clone)]
pub enum Credential {
    AccessKey(AccessKeyCredential),
    Token(Arc<dyn TokenCredential>),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::AccessKey(key) => key.fmt(f),
            Credential::Token(_) => f.write_str("TokenCredential(<redacted>)"),
        }
    }
}

impl From<AccessKeyCredential> for Credential {
    fn from(key: AccessKeyCredential) -> Self {
        Credential::AccessKey(key)
    }
}

/// A parsed `endpoint=…;accesskey=…` connection string.
#[derive(Clone)]
pub struct ConnectionString {
    pub endpoint: url::Url,
    pub credential: AccessKeyCredential,
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("endpoint", &self.endpoint.as_str())
            .field("credential", &self.credential)
            .finish()
    }
}

impl ConnectionString {
    /// Parses `endpoint=https://x.communication.azure.com/;accesskey=BASE64`. Keys are
    /// case-insensitive and split at the first `=`, so base64 padding survives.
    pub fn parse(connection_string: &str) -> Result<Self> {
        let mut endpoint = None;
        let mut key = None;
        for part in connection_string.split(';') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let Some((name, value)) = part.split_once('=') else {
                return Err(Error::invalid(
                    "connection_string",
                    "expected `endpoint=…;accesskey=…` (a part has no `=`)",
                ));
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "endpoint" => endpoint = Some(value.trim().to_string()),
                "accesskey" => key = Some(value.trim().to_string()),
                _ => {}
            }
        }
        let endpoint = endpoint
            .ok_or_else(|| Error::invalid("connection_string", "has no `endpoint=` part"))?;
        let key =
            key.ok_or_else(|| Error::invalid("connection_string", "has no `accesskey=` part"))?;
        Ok(ConnectionString {
            endpoint: parse_endpoint(&endpoint)?,
            credential: AccessKeyCredential::new(&key)?,
        })
    }
}

/// Parses and normalises a resource endpoint: absolute http(s), no query, path ending in `/`.
pub fn parse_endpoint(endpoint: &str) -> Result<url::Url> {
    // A bare host (`res.communication.azure.com`) means https, as in the official SDKs; in every
    // language, not only the one whose SDK did it (tests/vectors/client_rules.json).
    let endpoint = endpoint.trim();
    let prefixed;
    let endpoint = if endpoint.contains("://") {
        endpoint
    } else {
        prefixed = format!("https://{endpoint}");
        &prefixed
    };
    let mut url = url::Url::parse(endpoint)
        .map_err(|e| Error::invalid("endpoint", format!("not an absolute URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::invalid(
            "endpoint",
            "must be an absolute http(s) URL with a host",
        ));
    }
    // A resource endpoint never carries credentials; if it did, they would show wherever the
    // endpoint does (Debug, logs, errors).
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            "endpoint",
            "must not contain user info (`user:password@`)",
        ));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_from_wire_md() {
        let key =
            AccessKeyCredential::new("ZW11bGF0b3ItdGVzdC1zZWNyZXQta2V5LTAxMjM0NTY3ODk=").unwrap();
        let body = br#"{"targets":[{"rawId":"8:acs:00000000-0000-0000-0000-000000000001_00000000-0000-0000-0000-000000000002","communicationUser":{"id":"8:acs:00000000-0000-0000-0000-000000000001_00000000-0000-0000-0000-000000000002"}}],"callbackUri":"https://app.example.com/callback"}"#;
        let signed = key.sign(
            "POST",
            "/calling/callConnections?api-version=2025-05-15",
            "contoso.communications.azure.com",
            "Mon, 02 Jun 2025 12:00:00 GMT",
            body,
        );
        assert_eq!(
            signed.content_sha256,
            "gQvlcmfbhqIr3sztMC39zvEsGTTIUrjVwR5yVHaJKVQ="
        );
        assert_eq!(signed.authorization, "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=uNfQJknmsC6pN1ytnU/30B/t6GucBO412nafn/Laqvk=");
        let get = key.sign(
            "GET",
            "/calling/callConnections/abc123/participants?api-version=2025-05-15",
            "contoso.communications.azure.com",
            "Mon, 02 Jun 2025 12:00:00 GMT",
            b"",
        );
        assert_eq!(get.content_sha256, EMPTY_CONTENT_HASH);
        assert!(get
            .authorization
            .ends_with("Signature=RtLJPCUUKxis/NXEbjaD/OMD/Tv6QtyfaYOhF8mjlfI="));
    }

    #[test]
    fn connection_string_keeps_padding_and_hides_key() {
        let cs = ConnectionString::parse(
            "Endpoint=https://contoso.communication.azure.com;AccessKey=c2VjcmV0cw==",
        )
        .unwrap();
        assert_eq!(
            cs.endpoint.as_str(),
            "https://contoso.communication.azure.com/"
        );
        let debug = format!("{cs:?}");
        assert!(!debug.contains("c2VjcmV0cw"), "{debug}");
        assert!(debug.contains("redacted"));
    }

    #[test]
    fn connection_string_errors_name_the_part() {
        for bad in [
            "endpoint=https://x/",
            "accesskey=c2VjcmV0",
            "nonsense",
            "endpoint=ftp://x/;accesskey=c2VjcmV0",
            "endpoint=https://x/;accesskey=!!!",
        ] {
            let err = ConnectionString::parse(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument, "{bad}");
            assert!(
                !err.to_string().contains("!!!"),
                "error must not echo the key"
            );
        }
    }
}
