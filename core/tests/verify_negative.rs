//! The callback JWT verifier against hostile tokens, with an in-process JWKS server that counts
//! fetches. The tokens are made the way the emulator's `POST /emulator/test-tokens` makes them
//! (core cannot depend on the emulator): valid, forged signature, expired, wrong audience,
//! wrong issuer, `alg: none`, HS256 keyed with the public key's SPKI PEM, unknown kid.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use callsteer::events::CallbackVerifier;
use callsteer::Error;
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

const AUD: &str = "9b1c3c42-5f0e-4a6d-8c1e-0c5e1a7d2f10";
const KID: &str = "emulator-key";

/// Two RSA keys shared by every test in this file (generation is the slow part).
fn keys() -> &'static (RsaPrivateKey, RsaPrivateKey) {
    static KEYS: OnceLock<(RsaPrivateKey, RsaPrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rand::thread_rng();
        (
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
        )
    })
}

fn jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
        "n": B64URL.encode(key.n().to_bytes_be()),
        "e": B64URL.encode(key.e().to_bytes_be()),
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn claims(iss: &str, aud: &str) -> Value {
    json!({"iss": iss, "aud": aud, "iat": now(), "nbf": now(), "exp": now() + 300, "jti": "j"})
}

fn input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    )
}

fn rs256(key: &RsaPrivateKey, kid: &str, claims: &Value) -> String {
    let input = input(&json!({"alg": "RS256", "typ": "JWT", "kid": kid}), claims);
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes());
    format!("{input}.{}", B64URL.encode(signature.to_bytes()))
}

/// The token set of `POST /emulator/test-tokens`, for issuer `iss`.
struct Tokens {
    valid: String,
    forged_signature: String,
    expired: String,
    wrong_audience: String,
    wrong_issuer: String,
    alg_none: String,
    hs256_public_key: String,
    unknown_kid: String,
}

fn tokens(iss: &str) -> Tokens {
    let (key, foreign) = keys();
    let valid = rs256(key, KID, &claims(iss, AUD));
    let forged_signature = {
        let (head, sig) = valid.rsplit_once('.').unwrap();
        let mut bytes = B64URL.decode(sig).unwrap();
        for b in bytes.iter_mut().skip(8).take(8) {
            *b ^= 0x5a;
        }
        format!("{head}.{}", B64URL.encode(bytes))
    };
    let mut old = claims(iss, AUD);
    old["iat"] = json!(now() - 7200);
    old["nbf"] = json!(now() - 7200);
    old["exp"] = json!(now() - 3600);
    let pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let hs_input = input(
        &json!({"alg": "HS256", "typ": "JWT", "kid": KID}),
        &claims(iss, AUD),
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(pem.as_bytes()).unwrap();
    mac.update(hs_input.as_bytes());
    Tokens {
        forged_signature,
        expired: rs256(key, KID, &old),
        wrong_audience: rs256(
            key,
            KID,
            &claims(iss, "00000000-0000-0000-0000-000000000000"),
        ),
        wrong_issuer: rs256(key, KID, &claims("https://issuer.attacker.invalid", AUD)),
        alg_none: format!(
            "{}.",
            input(
                &json!({"alg": "none", "typ": "JWT", "kid": KID}),
                &claims(iss, AUD)
            )
        ),
        hs256_public_key: format!("{hs_input}.{}", B64URL.encode(mac.finalize().into_bytes())),
        unknown_kid: rs256(foreign, "unknown-kid", &claims(iss, AUD)),
        valid,
    }
}

async fn serve_jwks() -> common::JwksServer {
    common::serve_jwks(vec![jwk(&keys().0, KID)]).await
}

/// Refused with an `Auth` error whose message says `why` and never echoes the token.
async fn refused(verifier: &CallbackVerifier, name: &str, token: &str, why: &str) {
    match verifier.verify_token(token).await {
        Err(Error::Auth { message }) => {
            assert!(
                message.to_lowercase().contains(why),
                "{name}: message `{message}` does not say `{why}`"
            );
            assert!(!message.contains(token), "{name}: token echoed");
        }
        other => panic!("{name}: expected an Auth error, got {other:?}"),
    }
    // The same through the Authorization header path.
    let result = verifier
        .verify_authorization(Some(&format!("Bearer {token}")))
        .await;
    assert!(
        matches!(result, Err(Error::Auth { .. })),
        "{name}: {result:?}"
    );
}

#[tokio::test]
async fn every_bad_token_is_refused_with_its_reason() {
    let server = serve_jwks().await;
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    let t = tokens(&server.issuer);
    verifier.verify_token(&t.valid).await.expect("valid token");
    verifier
        .verify_authorization(Some(&format!("Bearer {}", t.valid)))
        .await
        .expect("valid header");
    for (name, token, why) in [
        ("forgedSignature", &t.forged_signature, "signature"),
        ("expired", &t.expired, "expired"),
        ("wrongAudience", &t.wrong_audience, "audience"),
        ("wrongIssuer", &t.wrong_issuer, "issuer"),
        ("algNone", &t.alg_none, "algorithm"),
        ("hs256PublicKey", &t.hs256_public_key, "algorithm"),
        ("unknownKid", &t.unknown_kid, "unknown"),
    ] {
        refused(&verifier, name, token, why).await;
    }
    // A valid signature by another key under the published kid is a signature failure.
    let impostor = rs256(&keys().1, KID, &claims(&server.issuer, AUD));
    refused(&verifier, "impostor", &impostor, "signature").await;
    // alg spelled differently, or none in other casings.
    for alg in [
        "none", "None", "NONE", "rs256", "RS256 ", "PS256", "RS512", "HS256",
    ] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": KID});
        let inp = input(&header, &claims(&server.issuer, AUD));
        let token = format!("{inp}.{}", t.valid.rsplit('.').next().unwrap());
        refused(&verifier, alg, &token, "algorithm").await;
        refused(&verifier, alg, &format!("{inp}."), "algorithm").await;
    }
    // The valid token is still accepted afterwards (nothing poisoned the cache).
    verifier.verify_token(&t.valid).await.expect("still valid");
}

#[tokio::test]
async fn missing_or_malformed_authorization_is_refused() {
    let server = serve_jwks().await;
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    match verifier.verify_authorization(None).await {
        Err(Error::Auth { message }) => assert!(message.contains("missing"), "{message}"),
        other => panic!("expected Auth, got {other:?}"),
    }
    let headers = reqwest::header::HeaderMap::new();
    assert!(matches!(
        verifier.verify_and_parse(&headers, b"[]").await,
        Err(Error::Auth { .. })
    ));
    let t = tokens(&server.issuer);
    for value in [
        "".to_string(),
        "Bearer".to_string(),
        "Bearer ".to_string(),
        format!("Basic {}", t.valid),
        format!("Token {}", t.valid),
        t.valid.clone(),
    ] {
        let result = verifier.verify_authorization(Some(&value)).await;
        assert!(
            matches!(result, Err(Error::Auth { .. })),
            "`{value}`: {result:?}"
        );
    }
    // No key was needed to refuse any of these.
    assert_eq!(server.fetch_count(), 0);
}

#[tokio::test]
async fn unknown_kid_costs_exactly_one_refresh_then_is_refused() {
    let server = serve_jwks().await;
    // Default refresh rate limit: the refresh for the first unknown kid after a load is allowed.
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    let t = tokens(&server.issuer);
    verifier.verify_token(&t.valid).await.unwrap();
    assert_eq!(server.fetch_count(), 1, "initial load");
    refused(&verifier, "unknownKid", &t.unknown_kid, "unknown").await;
    assert_eq!(
        server.fetch_count(),
        2,
        "exactly one refresh for the unknown kid"
    );
    // A burst of unknown kids within the refresh interval costs nothing more.
    for _ in 0..5 {
        refused(&verifier, "unknownKid again", &t.unknown_kid, "unknown").await;
    }
    assert_eq!(server.fetch_count(), 2, "refreshes are rate-limited");
    verifier.verify_token(&t.valid).await.unwrap();
    assert_eq!(server.fetch_count(), 2);

    // Clones share the cache and the rate limit.
    let clone = verifier.clone();
    refused(&clone, "clone", &t.unknown_kid, "unknown").await;
    assert_eq!(server.fetch_count(), 2);
}

#[tokio::test]
async fn unknown_kid_first_is_one_fetch_and_a_rotation_is_picked_up() {
    let server = serve_jwks().await;
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    let t = tokens(&server.issuer);
    // The first token names an unknown kid: the initial load is its one fetch.
    refused(&verifier, "unknownKid", &t.unknown_kid, "unknown").await;
    refused(&verifier, "unknownKid", &t.unknown_kid, "unknown").await;
    assert_eq!(server.fetch_count(), 1);
    // Known kids keep working from the cache.
    verifier.verify_token(&t.valid).await.unwrap();
    assert_eq!(server.fetch_count(), 1);

    // A fresh verifier, loaded, then the service rotates its key: the new kid is fetched once.
    let fresh = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    fresh.verify_token(&t.valid).await.unwrap();
    server.jwks.lock().unwrap()["keys"] =
        json!([jwk(&keys().0, KID), jwk(&keys().1, "unknown-kid")]);
    fresh
        .verify_token(&t.unknown_kid)
        .await
        .expect("rotated key");
    assert_eq!(server.fetch_count(), 3);
}

#[tokio::test]
async fn static_jwks_refuses_the_same_tokens_without_fetching() {
    let jwks = json!({"keys": [jwk(&keys().0, KID)]}).to_string();
    let issuer = "https://acscallautomation.communication.azure.com";
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_jwks_url("http://127.0.0.1:9/never")
        .with_static_jwks(&jwks)
        .unwrap();
    let t = tokens(issuer);
    verifier.verify_token(&t.valid).await.unwrap();
    for (name, token, why) in [
        ("forgedSignature", &t.forged_signature, "signature"),
        ("expired", &t.expired, "expired"),
        ("wrongAudience", &t.wrong_audience, "audience"),
        ("wrongIssuer", &t.wrong_issuer, "issuer"),
        ("algNone", &t.alg_none, "algorithm"),
        ("hs256PublicKey", &t.hs256_public_key, "algorithm"),
        ("unknownKid", &t.unknown_kid, "unknown"),
    ] {
        refused(&verifier, name, token, why).await;
    }
}

#[tokio::test]
async fn oversized_and_garbage_tokens_are_refused_without_fetching() {
    let server = serve_jwks().await;
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    let big = "A".repeat(1 << 20);
    for token in [
        format!("{big}.{big}.{big}"),
        "..".to_string(),
        "a..b".to_string(),
        format!("{}.e30.", B64URL.encode("[]")),
        format!("{}.e30.", B64URL.encode("null")),
        format!("{}.e30.", B64URL.encode(r#"{"alg":5}"#)),
        format!("{}.e30.", B64URL.encode(r#"{"alg":"RS256"}"#)),
        format!("{}.e30.", B64URL.encode(r#"{"alg":"RS256","kid":7}"#)),
        "\u{0}.\u{0}.\u{0}".to_string(),
    ] {
        let result = verifier.verify_token(&token).await;
        assert!(matches!(result, Err(Error::Auth { .. })), "{result:?}");
    }
    assert_eq!(server.fetch_count(), 0);
}

#[test]
fn the_default_http_client_uses_the_shared_builder() {
    // Keys are fetched with `transport::http_client_builder()`; an HTTPS JWKS URL with an
    // unknown CA fails as an Auth error (not a panic, not a provider-missing error).
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let verifier = CallbackVerifier::new(AUD)
            .unwrap()
            .with_issuer("https://127.0.0.1:9")
            .with_min_refresh_interval(Duration::ZERO);
        let t = tokens("https://127.0.0.1:9");
        let result = verifier.verify_token(&t.valid).await;
        match result {
            Err(Error::Auth { message }) => {
                assert!(
                    message.contains("could not fetch signing keys"),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn an_empty_audience_is_refused_at_construction() {
    for audience in ["", "   ", "\t\n"] {
        match CallbackVerifier::new(audience) {
            Err(Error::InvalidArgument { field, message }) => {
                assert_eq!(field, "audience");
                assert!(message.contains("empty"), "{message}");
            }
            other => panic!("`{audience:?}`: expected InvalidArgument, got {other:?}"),
        }
    }
    // The free function builds a verifier too: same refusal, before any key is fetched.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(callsteer::events::verify_and_parse(
        &reqwest::header::HeaderMap::new(),
        b"[]",
        "",
    ));
    assert!(
        matches!(&result, Err(Error::InvalidArgument { field, .. }) if field == "audience"),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_oversized_jwks_document_is_refused_and_the_limit_is_configurable() {
    let server = serve_jwks().await;
    // The real key plus 2 MiB of a key type the verifier skips.
    server.jwks.lock().unwrap()["keys"] = json!([
        jwk(&keys().0, KID),
        {"kty": "oct", "kid": "padding", "k": "A".repeat(2 << 20)},
    ]);
    let t = tokens(&server.issuer);
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone());
    match verifier.verify_token(&t.valid).await {
        Err(Error::Auth { message }) => {
            assert!(message.contains("larger than 1048576 bytes"), "{message}")
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    let roomy = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(server.issuer.clone())
        .with_max_jwks_bytes(4 << 20);
    roomy.verify_token(&t.valid).await.expect("within 4 MiB");
}

#[tokio::test]
async fn an_endless_jwks_document_is_cut_at_the_limit() {
    let (base, sent) = common::serve_endless_body().await;
    let verifier = CallbackVerifier::new(AUD)
        .unwrap()
        .with_issuer(base.clone());
    let t = tokens(&base);
    match verifier.verify_token(&t.valid).await {
        Err(Error::Auth { message }) => {
            assert!(message.contains("larger than 1048576 bytes"), "{message}")
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    let sent = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 64 << 20, "the server got {sent} bytes out");
}
