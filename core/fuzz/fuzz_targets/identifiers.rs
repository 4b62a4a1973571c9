//! Raw-id parsing and connection-string parsing must never panic; raw ids must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let id = callsteer::CommunicationIdentifier::from_raw_id(text);
    let _ = id.kind();
    let model = id.to_model_with_kind();
    let _ = callsteer::CommunicationIdentifier::from_model(&model);
    let _ = callsteer::auth::ConnectionString::parse(text);
});
