//! The callback JWT verifier with a static JWKS: never panics, and never accepts a token other
//! than a seed signed by the emulator's key (only those signatures can verify; their signing
//! inputs are fixed, only the encoding of the signature may vary).
//!
//! Input byte 0: 0 = bare token, 1 = `Authorization` header value, 2 = a JWKS document for
//! `with_static_jwks`; the rest is the text.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use callsteer::events::CallbackVerifier;
use libfuzzer_sys::fuzz_target;

/// The emulator's JWKS when the seeds were made (`POST /emulator/test-tokens`).
const JWKS: &str = include_str!("verify_token_jwks.json");
/// `header.payload` of the seeds signed with the JWKS's key (valid, expired — accepted here
/// thanks to the leeway —, wrong audience, wrong issuer), one per line.
const SIGNED_INPUTS: &str = include_str!("verify_token_valid_input.txt");
const ISSUER: &str = "https://acscallautomation.communication.azure.com";
const AUDIENCE: &str = "9b1c3c42-5f0e-4a6d-8c1e-0c5e1a7d2f10";

fn setup() -> &'static (tokio::runtime::Runtime, CallbackVerifier) {
    static SETUP: OnceLock<(tokio::runtime::Runtime, CallbackVerifier)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let verifier = CallbackVerifier::new(AUDIENCE)
            .expect("a non-empty audience")
            .with_issuer(ISSUER)
            // The seed token stays within its validity, so the accepting path stays reachable.
            .with_leeway(Duration::from_secs(100 * 365 * 24 * 3600))
            .with_static_jwks(JWKS)
            .expect("static JWKS");
        (runtime, verifier)
    })
}

fn signed_seed(input: &str) -> bool {
    SIGNED_INPUTS.lines().any(|line| line == input)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (runtime, verifier) = setup();
    match mode % 3 {
        0 => {
            if runtime.block_on(verifier.verify_token(text)).is_ok() {
                let input = text.rsplit_once('.').map(|(i, _)| i).unwrap_or("");
                assert!(signed_seed(input), "accepted a forged token");
            }
        }
        1 => {
            if runtime
                .block_on(verifier.verify_authorization(Some(text)))
                .is_ok()
            {
                let token = text
                    .trim()
                    .split_once(' ')
                    .map(|(_, t)| t.trim())
                    .unwrap_or("");
                let input = token.rsplit_once('.').map(|(i, _)| i).unwrap_or("");
                assert!(signed_seed(input), "accepted a forged header");
            }
        }
        _ => {
            let _ = CallbackVerifier::new(AUDIENCE)
                .expect("a non-empty audience")
                .with_static_jwks(text);
        }
    }
});
