//! Verifying the service's callback JWT (`Authorization: Bearer …`) before trusting a body.
//!
//! The service signs every callback with RS256; keys are published as a JWKS at
//! `{issuer}/calling/keys`. Checks: header `alg` = RS256 and a `kid`; the signature against the
//! key with that `kid`; `iss` = the issuer; `aud` = the resource's immutable id (string or
//! array); `exp` in the future and `nbf` (if present) in the past, both with a small leeway.
//!
//! Errors are [`Error::Auth`] and never contain the token. The JWKS document is read with a size
//! limit ([`DEFAULT_MAX_JWKS_BYTES`], see [`CallbackVerifier::with_max_jwks_bytes`]), so a
//! misbehaving key endpoint cannot make the verifier buffer without bound.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde_json::Value;
use tokio::time::Instant;

use super::model::CallAutomationEvent;
use super::parse::parse_events;
use crate::error::{Error, Result};

/// The issuer of Call Automation callback tokens.
pub const DEFAULT_ISSUER: &str = "https://acscallautomation.communication.azure.com";

/// The largest JWKS document read by default (1 MiB; the service's is about 2 KiB).
pub const DEFAULT_MAX_JWKS_BYTES: usize = 1024 * 1024;

/// base64url, with or without padding.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Clone)]
struct RsaKey {
    n: Vec<u8>,
    e: Vec<u8>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, RsaKey>,
    /// The last fetch that did not produce the `kid` asked for (not found, or failed): unknown
    /// `kid`s may trigger a fetch only `min_refresh_interval` after it. The initial load and
    /// refreshes that found a rotated key do not count, so the first unknown `kid` after a load
    /// is refreshed at once.
    last_miss: Option<Instant>,
}

/// Verifies callback requests and parses their bodies.
///
/// Cheap to clone; clones share the key cache. Keys are fetched from `jwks_url` on first use and
/// again when a token names an unknown `kid` (key rotation). A fetch that does not produce the
/// asked-for `kid` (or fails) blocks further unknown-`kid` fetches for `min_refresh_interval`,
/// so forged `kid`s cost at most one fetch per interval.
#[derive(Clone)]
pub struct CallbackVerifier {
    issuer: String,
    jwks_url: String,
    audience: String,
    leeway: Duration,
    min_refresh_interval: Duration,
    max_jwks_bytes: usize,
    static_keys: bool,
    http: Option<reqwest::Client>,
    cache: Arc<Mutex<KeyCache>>,
    refresh: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for CallbackVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackVerifier")
            .field("issuer", &self.issuer)
            .field("jwks_url", &self.jwks_url)
            .field("audience", &self.audience)
            .field("static_keys", &self.static_keys)
            .finish()
    }
}

impl CallbackVerifier {
    /// A verifier for the real service: issuer [`DEFAULT_ISSUER`], keys from
    /// `{issuer}/calling/keys`, audience = the ACS resource's immutable id.
    ///
    /// An empty (or blank) audience is refused with [`Error::InvalidArgument`] naming
    /// `audience`: it usually means an unset configuration value, and a verifier without an
    /// audience would not tie tokens to this resource.
    ///
    /// ```
    /// use callsteer::events::CallbackVerifier;
    /// let verifier = CallbackVerifier::new("9b1c3c42-5f0e-4a6d-8c1e-0c5e1a7d2f10")?;
    /// assert!(CallbackVerifier::new("  ").is_err());
    /// # Ok::<(), callsteer::Error>(())
    /// ```
    pub fn new(audience: impl Into<String>) -> Result<Self> {
        let audience = audience.into();
        if audience.trim().is_empty() {
            return Err(Error::invalid(
                "audience",
                "must not be empty: pass the Communication Services resource's immutable id",
            ));
        }
        Ok(CallbackVerifier {
            issuer: DEFAULT_ISSUER.to_string(),
            jwks_url: default_jwks_url(DEFAULT_ISSUER),
            audience,
            leeway: Duration::from_secs(60),
            min_refresh_interval: Duration::from_secs(30),
            max_jwks_bytes: DEFAULT_MAX_JWKS_BYTES,
            static_keys: false,
            http: None,
            cache: Arc::default(),
            refresh: Arc::default(),
        })
    }

    /// Sets the expected issuer (e.g. the emulator's URL); the JWKS URL becomes
    /// `{issuer}/calling/keys` unless [`with_jwks_url`](Self::with_jwks_url) is called after.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self.jwks_url = default_jwks_url(&self.issuer);
        self
    }

    /// Sets where the signing keys are fetched from.
    pub fn with_jwks_url(mut self, jwks_url: impl Into<String>) -> Self {
        self.jwks_url = jwks_url.into();
        self
    }

    /// Uses this HTTP client to fetch keys (default: `transport::http_client_builder()`, rustls
    /// with the system roots plus `CALLSTEER_EXTRA_CA_PEM`).
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Clock-skew tolerance for `exp` and `nbf` (default 60 s).
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Minimum time between two key refreshes triggered by unknown `kid`s (default 30 s).
    pub fn with_min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// The largest JWKS document accepted (default [`DEFAULT_MAX_JWKS_BYTES`]); a larger one is
    /// refused with an [`Error::Auth`] after reading at most this many bytes.
    pub fn with_max_jwks_bytes(mut self, max_bytes: usize) -> Self {
        self.max_jwks_bytes = max_bytes;
        self
    }

    /// Uses these keys (a JWKS document, `{"keys":[…]}`) and never fetches any.
    pub fn with_static_jwks(mut self, jwks_json: &str) -> Result<Self> {
        let keys = parse_jwks(jwks_json.as_bytes())?;
        self.static_keys = true;
        self.cache = Arc::new(Mutex::new(KeyCache {
            keys,
            last_miss: None,
        }));
        Ok(self)
    }

    /// The expected issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The expected audience.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Where keys are fetched from.
    pub fn jwks_url(&self) -> &str {
        &self.jwks_url
    }

    /// Verifies the request's `Authorization: Bearer` token, then parses the body.
    pub async fn verify_and_parse(
        &self,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> Result<Vec<CallAutomationEvent>> {
        let authorization = match headers.get(reqwest::header::AUTHORIZATION) {
            Some(value) => Some(
                value
                    .to_str()
                    .map_err(|_| Error::auth("Authorization header is not valid text"))?,
            ),
            None => None,
        };
        self.verify_authorization_and_parse(authorization, body)
            .await
    }

    /// Verifies an `Authorization` header value (`None` = header missing), then parses the
    /// body: what every callback handler does, for frameworks that hand over header strings.
    pub async fn verify_authorization_and_parse(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<Vec<CallAutomationEvent>> {
        self.verify_authorization(authorization).await?;
        parse_events(body)
    }

    /// Verifies an `Authorization` header value (`Bearer <JWT>`); `None` = header missing.
    pub async fn verify_authorization(&self, authorization: Option<&str>) -> Result<()> {
        let value = authorization.ok_or_else(|| Error::auth("missing Authorization header"))?;
        let value = value.trim();
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(Error::auth("Authorization header is not a Bearer token")),
        };
        self.verify_token(token).await
    }

    /// Verifies a bare JWT.
    pub async fn verify_token(&self, token: &str) -> Result<()> {
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::auth("token is not a JWS compact serialization"));
        };
        let header = decode_json(header_b64, "header")?;
        match header.get("alg").and_then(Value::as_str) {
            Some("RS256") => {}
            Some(_) => return Err(Error::auth("token algorithm is not RS256")),
            None => return Err(Error::auth("token header has no alg")),
        }
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::auth("token header has no kid"))?;
        let signature = B64URL
            .decode(signature_b64)
            .map_err(|_| Error::auth("token signature is not base64url"))?;

        let key = self.key_for(kid).await?;
        let signed = token
            .get(..header_b64.len() + 1 + payload_b64.len())
            .ok_or_else(|| Error::auth("token is not a JWS compact serialization"))?
            .as_bytes();
        ring::signature::RsaPublicKeyComponents {
            n: key.n.as_slice(),
            e: key.e.as_slice(),
        }
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            signed,
            &signature,
        )
        .map_err(|_| Error::auth("token signature is invalid"))?;

        let claims = decode_json(payload_b64, "payload")?;
        self.check_claims(&claims)
    }

    fn check_claims(&self, claims: &Value) -> Result<()> {
        match claims.get("iss").and_then(Value::as_str) {
            Some(iss) if iss.trim_end_matches('/') == self.issuer.trim_end_matches('/') => {}
            Some(_) => return Err(Error::auth("token issuer is not the expected issuer")),
            None => return Err(Error::auth("token has no iss claim")),
        }
        let audience_ok = match claims.get("aud") {
            Some(Value::String(aud)) => *aud == self.audience,
            Some(Value::Array(auds)) => auds
                .iter()
                .any(|a| a.as_str() == Some(self.audience.as_str())),
            _ => return Err(Error::auth("token has no aud claim")),
        };
        if !audience_ok {
            return Err(Error::auth("token audience is not the expected audience"));
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let leeway = self.leeway.as_secs_f64();
        let exp = claims
            .get("exp")
            .and_then(Value::as_f64)
            .ok_or_else(|| Error::auth("token has no numeric exp claim"))?;
        if exp + leeway <= now {
            return Err(Error::auth("token has expired"));
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = nbf
                .as_f64()
                .ok_or_else(|| Error::auth("token nbf claim is not numeric"))?;
            if nbf - leeway > now {
                return Err(Error::auth("token is not valid yet (nbf)"));
            }
        }
        Ok(())
    }

    async fn key_for(&self, kid: &str) -> Result<RsaKey> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        if self.static_keys {
            return Err(Error::auth("token signing key (kid) is unknown"));
        }
        // One refresh at a time; re-check after waiting for a concurrent refresh.
        let _refreshing = self.refresh.lock().await;
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let may_fetch = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .last_miss
                .map_or(true, |at| at.elapsed() >= self.min_refresh_interval)
        };
        if !may_fetch {
            return Err(Error::auth(
                "token signing key (kid) is unknown (key refresh rate-limited)",
            ));
        }
        let fetched = self.fetch_keys().await;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let keys = match fetched {
            Ok(keys) => keys,
            Err(e) => {
                cache.last_miss = Some(Instant::now());
                return Err(e);
            }
        };
        cache.keys = keys;
        match cache.keys.get(kid).cloned() {
            Some(key) => Ok(key),
            None => {
                cache.last_miss = Some(Instant::now());
                Err(Error::auth("token signing key (kid) is unknown"))
            }
        }
    }

    fn cached(&self, kid: &str) -> Option<RsaKey> {
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys
            .get(kid)
            .cloned()
    }

    async fn fetch_keys(&self) -> Result<HashMap<String, RsaKey>> {
        let client = match &self.http {
            Some(client) => client.clone(),
            None => default_http_client()?,
        };
        let response = client
            .get(&self.jwks_url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| Error::auth(format!("could not fetch signing keys: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::auth(format!(
                "could not fetch signing keys: HTTP {status}"
            )));
        }
        let body = crate::transport::read_limited(response, self.max_jwks_bytes)
            .await
            .map_err(|e| match e {
                crate::transport::LimitedReadError::TooLarge { limit } => Error::auth(format!(
                    "the signing keys document is larger than {limit} bytes; refused"
                )),
                crate::transport::LimitedReadError::Read(e) => {
                    Error::auth(format!("could not read signing keys: {}", e.without_url()))
                }
            })?;
        parse_jwks(&body)
    }
}

/// Verifies a callback with a fresh default verifier for `expected_audience` and parses it.
///
/// Fetches the service's keys on every call; long-running apps should keep one
/// [`CallbackVerifier`] instead.
pub async fn verify_and_parse(
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
    expected_audience: &str,
) -> Result<Vec<CallAutomationEvent>> {
    CallbackVerifier::new(expected_audience)?
        .verify_and_parse(headers, body)
        .await
}

fn default_jwks_url(issuer: &str) -> String {
    format!("{}/calling/keys", issuer.trim_end_matches('/'))
}

fn decode_json(part: &str, what: &str) -> Result<Value> {
    let bytes = B64URL
        .decode(part)
        .map_err(|_| Error::auth(format!("token {what} is not base64url")))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|_| Error::auth(format!("token {what} is not JSON")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(Error::auth(format!("token {what} is not a JSON object")))
    }
}

/// Reads the RSA signing keys of a JWKS document; other keys are skipped.
fn parse_jwks(body: &[u8]) -> Result<HashMap<String, RsaKey>> {
    let document: Value =
        serde_json::from_slice(body).map_err(|_| Error::auth("signing keys are not JSON"))?;
    let keys = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::auth("signing keys document has no keys array"))?;
    let mut out = HashMap::new();
    for key in keys {
        let field = |name: &str| key.get(name).and_then(Value::as_str);
        if field("kty") != Some("RSA") {
            continue;
        }
        if field("use").is_some_and(|u| u != "sig") {
            continue;
        }
        if field("alg").is_some_and(|a| a != "RS256") {
            continue;
        }
        let (Some(kid), Some(n), Some(e)) = (field("kid"), field("n"), field("e")) else {
            continue;
        };
        let (Ok(n), Ok(e)) = (B64URL.decode(n), B64URL.decode(e)) else {
            continue;
        };
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        if n.is_empty() || e.is_empty() {
            continue;
        }
        out.insert(kid.to_string(), RsaKey { n, e });
    }
    Ok(out)
}

fn strip_leading_zeros(bytes: Vec<u8>) -> Vec<u8> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(first..).map(<[u8]>::to_vec).unwrap_or_default()
}

/// The workspace's shared client setup (rustls on ring, system roots + `CALLSTEER_EXTRA_CA_PEM`).
fn default_http_client() -> Result<reqwest::Client> {
    crate::transport::http_client_builder()?
        .build()
        .map_err(|e| Error::transport(format!("HTTP client setup failed: {e}")))
}
