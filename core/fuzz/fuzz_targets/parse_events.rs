//! `parse_events` must never panic, and whatever it accepts must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(events) = callsteer::events::parse_events(data) {
        let body = callsteer::events::to_cloud_events_body(&events);
        let again = callsteer::events::parse_events(body.as_bytes())
            .expect("a serialized event list must parse again");
        assert_eq!(events, again, "round trip changed the events");
    }
});
