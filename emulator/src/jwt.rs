//! RS256 tokens on callback requests, and the JWKS / OpenID documents that let apps verify them.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Tokens are valid this long, as the service's are.
pub const TOKEN_LIFETIME_S: u64 = 300;

/// One RSA-2048 key per process: generating it costs up to a second in debug builds, and many
/// in-process emulators (tests) can share it without weakening anything that matters locally.
static PROCESS_KEY: OnceLock<Option<RsaPrivateKey>> = OnceLock::new();

pub struct JwtSigner {
    key: SigningKey<Sha256>,
    n: String,
    e: String,
    kid: String,
    issuer: String,
    audience: String,
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
            key: SigningKey::<Sha256>::new(private),
            n,
            e,
            kid,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A fresh token for one callback request.
    pub fn token(&self, now_unix: u64) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let claims = json!({
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now_unix,
            "nbf": now_unix,
            "exp": now_unix + TOKEN_LIFETIME_S,
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let signing_input = format!(
            "{}.{}",
            B64URL.encode(header.to_string()),
            B64URL.encode(claims.to_string())
        );
        let signature = self.key.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", B64URL.encode(signature.to_bytes()))
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
