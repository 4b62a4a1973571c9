//! RS256 tokens on callback requests, and the JWKS / OpenID documents that let apps verify them.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Tokens are valid this long, as the service's are.
pub const TOKEN_LIFETIME_S: u64 = 300;

/// One RSA-2048 key per process: generating it costs up to a second in debug builds, and many
/// in-process emulators (tests) can share it without weakening anything that matters locally.
static PROCESS_KEY: OnceLock<Option<RsaPrivateKey>> = OnceLock::new();

/// A second RSA key, never published in the JWKS: signs the `unknownKid` test token.
static FOREIGN_KEY: OnceLock<Option<RsaPrivateKey>> = OnceLock::new();

pub struct JwtSigner {
    key: SigningKey<Sha256>,
    public: RsaPublicKey,
    n: String,
    e: String,
    kid: String,
    issuer: String,
    audience: String,
    /// The last callback token and the second it was signed in: an RS256 signature costs
    /// milliseconds, so deliveries within the same second share one token (it is valid for
    /// `TOKEN_LIFETIME_S` anyway) instead of capping the emulator at a few hundred per second.
    recent: std::sync::Mutex<Option<(u64, String)>>,
}

impl std::fmt::Debug for JwtSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSigner").field("kid", &self.kid).finish()
    }
}

impl JwtSigner {
    pub fn new(issuer: &str, audience: &str) -> Result<Self, String> {
        let private = PROCESS_KEY
            .get_or_init(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).ok())
            .clone()
            .ok_or("RSA key generation failed")?;
        let n_bytes = private.n().to_bytes_be();
        let n = B64URL.encode(&n_bytes);
        let e = B64URL.encode(private.e().to_bytes_be());
        // A stable key id derived from the modulus, like a thumbprint.
        let kid = B64URL.encode(&Sha256::digest(&n_bytes)[..16]);
        Ok(JwtSigner {
            public: private.to_public_key(),
            key: SigningKey::<Sha256>::new(private),
            n,
            e,
            kid,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            recent: std::sync::Mutex::new(None),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The `iss` claim of callback tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `aud` claim of callback tokens.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The token for a callback request at `now_unix`: signed afresh once per second, shared by
    /// every delivery within that second.
    pub fn token(&self, now_unix: u64) -> String {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, token)) = recent.as_ref() {
            if *at == now_unix {
                return token.clone();
            }
        }
        let header = self.header();
        let claims = claims(&self.issuer, &self.audience, now_unix);
        let token = sign_rs256(&self.key, &header, &claims);
        *recent = Some((now_unix, token.clone()));
        token
    }

    fn header(&self) -> Value {
        json!({"alg": "RS256", "typ": "JWT", "kid": self.kid})
    }

    /// Tokens for testing callback verifiers (`POST /emulator/test-tokens`): one valid token and
    /// one per way a token can be bad. The emulator never accepts any of them anywhere.
    ///
    /// `hs256PublicKey` is HMAC-SHA256 keyed with the public key as SPKI PEM text
    /// (`-----BEGIN PUBLIC KEY-----`, LF line endings, trailing newline): the classic
    /// algorithm-confusion attack on verifiers that feed "the key" to whatever `alg` says.
    pub fn test_tokens(&self, now_unix: u64, audience: &str) -> Result<Value, String> {
        let good = claims(&self.issuer, audience, now_unix);
        let valid = sign_rs256(&self.key, &self.header(), &good);

        let forged = {
            let (input, signature) = valid.rsplit_once('.').ok_or("token has no signature")?;
            let mut bytes = B64URL.decode(signature).map_err(|e| e.to_string())?;
            for b in bytes.iter_mut().skip(8).take(8) {
                *b ^= 0x5a;
            }
            format!("{input}.{}", B64URL.encode(bytes))
        };

        let past = now_unix.saturating_sub(2 * 3600);
        let mut expired_claims = claims(&self.issuer, audience, past);
        expired_claims["exp"] = json!(now_unix.saturating_sub(3600));
        let expired = sign_rs256(&self.key, &self.header(), &expired_claims);

        let wrong_audience_value = if audience == WRONG_AUDIENCE {
            "00000000-0000-0000-0000-000000000001"
        } else {
            WRONG_AUDIENCE
        };
        let wrong_audience = sign_rs256(
            &self.key,
            &self.header(),
            &claims(&self.issuer, wrong_audience_value, now_unix),
        );
        let wrong_issuer = sign_rs256(
            &self.key,
            &self.header(),
            &claims("https://issuer.attacker.invalid", audience, now_unix),
        );

        let alg_none = format!(
            "{}.{}.",
            B64URL.encode(json!({"alg": "none", "typ": "JWT", "kid": self.kid}).to_string()),
            B64URL.encode(good.to_string())
        );

        let pem = self.public_key_pem()?;
        let hs_input = format!(
            "{}.{}",
            B64URL.encode(json!({"alg": "HS256", "typ": "JWT", "kid": self.kid}).to_string()),
            B64URL.encode(good.to_string())
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(pem.as_bytes())
            .map_err(|e| format!("cannot key HMAC: {e}"))?;
        mac.update(hs_input.as_bytes());
        let hs256 = format!("{hs_input}.{}", B64URL.encode(mac.finalize().into_bytes()));

        let foreign = FOREIGN_KEY
            .get_or_init(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).ok())
            .clone()
            .ok_or("RSA key generation failed")?;
        let foreign_kid = format!(
            "unknown-{}",
            B64URL.encode(&Sha256::digest(foreign.n().to_bytes_be())[..16])
        );
        let unknown_kid = sign_rs256(
            &SigningKey::<Sha256>::new(foreign),
            &json!({"alg": "RS256", "typ": "JWT", "kid": foreign_kid}),
            &good,
        );

        Ok(json!({
            "valid": valid,
            "forgedSignature": forged,
            "expired": expired,
            "wrongAudience": wrong_audience,
            "wrongIssuer": wrong_issuer,
            "algNone": alg_none,
            "hs256PublicKey": hs256,
            "unknownKid": unknown_kid,
        }))
    }

    /// The public key as SPKI PEM (the HMAC secret of the `hs256PublicKey` test token).
    pub fn public_key_pem(&self) -> Result<String, String> {
        self.public
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| format!("cannot encode the public key: {e}"))
    }

    pub fn jwks(&self) -> serde_json::Value {
        json!({"keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": self.n, "e": self.e
        }]})
    }

    pub fn openid_configuration(&self, base_url: &str) -> serde_json::Value {
        json!({
            "issuer": self.issuer,
            "jwks_uri": format!("{base_url}/calling/keys"),
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
        })
    }
}

/// The `aud` of the `wrongAudience` test token (unless that is the requested audience).
const WRONG_AUDIENCE: &str = "00000000-0000-0000-0000-000000000000";

fn claims(issuer: &str, audience: &str, now_unix: u64) -> Value {
    json!({
        "iss": issuer,
        "aud": audience,
        "iat": now_unix,
        "nbf": now_unix,
        "exp": now_unix + TOKEN_LIFETIME_S,
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn sign_rs256(key: &SigningKey<Sha256>, header: &Value, claims: &Value) -> String {
    let signing_input = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    );
    let signature = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", B64URL.encode(signature.to_bytes()))
}
