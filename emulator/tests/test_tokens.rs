//! `POST /emulator/test-tokens`: one valid callback token and one per way a token can be bad,
//! checked against core's `CallbackVerifier` pointed at the emulator's JWKS.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use callsteer::CallbackVerifier;
use common::Emu;
use serde_json::{json, Value};

fn part(token: &str, i: usize) -> Value {
    let p = token.split('.').nth(i).unwrap();
    serde_json::from_slice(&B64URL.decode(p).unwrap()).unwrap()
}

#[tokio::test]
async fn test_tokens_have_the_documented_shape_and_verify_as_named() {
    let emu = Emu::start().await;
    let r = emu.admin("POST", "/emulator/test-tokens", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.body;
    assert_eq!(body["audience"], emu.handle.resource_id());
    assert_eq!(body["issuer"], callsteer_emulator::config::DEFAULT_ISSUER);
    let jwks_url = body["jwksUrl"].as_str().unwrap();
    assert_eq!(jwks_url, format!("{}/calling/keys", emu.handle.base_url()));
    let tokens = body["tokens"].as_object().unwrap();
    let names = [
        "valid",
        "forgedSignature",
        "expired",
        "wrongAudience",
        "wrongIssuer",
        "algNone",
        "hs256PublicKey",
        "unknownKid",
    ];
    assert_eq!(tokens.len(), names.len());
    for name in names {
        let t = tokens[name].as_str().unwrap();
        assert_eq!(t.split('.').count(), 3, "{name} is compact");
    }
    let t = |n: &str| tokens[n].as_str().unwrap().to_string();
    assert_eq!(part(&t("algNone"), 0)["alg"], "none");
    assert!(t("algNone").ends_with('.'));
    assert_eq!(part(&t("hs256PublicKey"), 0)["alg"], "HS256");
    assert_ne!(
        part(&t("unknownKid"), 0)["kid"],
        part(&t("valid"), 0)["kid"]
    );
    assert!(
        part(&t("expired"), 1)["exp"].as_u64().unwrap() + 600
            < part(&t("valid"), 1)["iat"].as_u64().unwrap()
    );

    let verifier = CallbackVerifier::new(emu.handle.resource_id())
        .unwrap()
        .with_issuer(body["issuer"].as_str().unwrap())
        .with_jwks_url(jwks_url);
    verifier
        .verify_token(&t("valid"))
        .await
        .expect("valid token verifies");
    for (name, why) in [
        ("forgedSignature", "signature"),
        ("expired", "expired"),
        ("wrongAudience", "audience"),
        ("wrongIssuer", "issuer"),
        ("algNone", "algorithm"),
        ("hs256PublicKey", "algorithm"),
        ("unknownKid", "unknown"),
    ] {
        let err = verifier.verify_token(&t(name)).await.expect_err(name);
        assert!(err.to_string().contains(why), "{name}: {err}");
    }
}

#[tokio::test]
async fn test_tokens_take_an_audience_and_refuse_bad_bodies() {
    let emu = Emu::start().await;
    let r = emu
        .admin(
            "POST",
            "/emulator/test-tokens",
            Some(json!({"audience": "my-app"})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["audience"], "my-app");
    assert_eq!(
        part(r.body["tokens"]["valid"].as_str().unwrap(), 1)["aud"],
        "my-app"
    );
    let r = emu
        .admin(
            "POST",
            "/emulator/test-tokens",
            Some(json!({"audience": 5})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body["error"]["code"].is_string());
}

#[tokio::test]
async fn test_tokens_are_never_accepted_by_the_emulator() {
    let emu = Emu::start().await;
    let r = emu.admin("POST", "/emulator/test-tokens", None).await;
    let valid = r.body["tokens"]["valid"].as_str().unwrap().to_string();
    let resp = emu
        .http
        .get(emu.url("/calling/callConnections/x?api-version=2025-05-15"))
        .bearer_auth(valid)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
}
