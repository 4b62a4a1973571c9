//! The emulator's HMAC check and header parsing: never panics; accepts only a request whose
//! `Authorization` is the signature of exactly that request; accepts every request signed as
//! core's client signs it.
//!
//! Input: `METHOD\nPATH?QUERY\nAUTHORIZATION\nX-MS-DATE\nX-MS-CONTENT-SHA256\nBODY`.
#![no_main]

use callsteer_emulator::fuzzing::{check_hmac, sign, HOST, KEY};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(6, |b| *b == b'\n');
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let authorization = parts.next().unwrap_or_default();
    let date = parts.next().unwrap_or_default();
    let hash = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let (Ok(method), Ok(path)) = (std::str::from_utf8(method), std::str::from_utf8(path)) else {
        return;
    };

    let headers: [(&str, &[u8]); 4] = [
        ("authorization", authorization),
        ("x-ms-date", date),
        ("x-ms-content-sha256", hash),
        ("host", HOST.as_bytes()),
    ];
    if check_hmac(method, path, &headers, body).is_ok() {
        // Only the real signature of this request (or of its percent-decoded path) passes.
        let credential = callsteer::AccessKeyCredential::new(KEY).unwrap();
        let date = std::str::from_utf8(date).unwrap();
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let authorization = std::str::from_utf8(authorization).unwrap();
        let ok = [path, decoded.as_ref()]
            .iter()
            .any(|p| credential.sign(method, p, HOST, date, body).authorization == authorization);
        assert!(ok, "accepted a signature that is not the request's");
    }

    // Round trip: signed like the client signs, it is accepted (when the request is valid HTTP
    // and the path is kept as sent).
    let Ok(uri) = path.parse::<axum_http::Uri>() else {
        return;
    };
    if uri.path_and_query().map(|p| p.as_str()) != Some(path)
        || uri.scheme().is_some()
        || axum_http::Method::from_bytes(method.as_bytes()).is_err()
    {
        return;
    }
    let signed = sign(method, path, body);
    let headers: Vec<(&str, &[u8])> = signed
        .iter()
        .map(|(n, v)| (*n, v.as_bytes()))
        .chain([("host", HOST.as_bytes())])
        .collect();
    if let Err(e) = check_hmac(method, path, &headers, body) {
        panic!("a correctly signed {method} {path} was refused: {e}");
    }
});
