//! The `Known*` string-enum objects the official package exports at runtime
//! (`KnownCallRejectReason.Busy === "busy"`), for the values call steering takes. Each maps onto
//! the core's own value, so a member the core does not know cannot be added here; the values
//! themselves are checked against the official package in `__test__/known.test.mjs`.

use napi_derive::napi;

/// Why `rejectCall` turns a call down.
#[napi(string_enum)]
pub enum KnownCallRejectReason {
    #[napi(value = "none")]
    None,
    #[napi(value = "busy")]
    Busy,
    #[napi(value = "forbidden")]
    Forbidden,
}

impl From<KnownCallRejectReason> for callsteer::CallRejectReason {
    fn from(reason: KnownCallRejectReason) -> Self {
        match reason {
            KnownCallRejectReason::None => callsteer::CallRejectReason::None,
            KnownCallRejectReason::Busy => callsteer::CallRejectReason::Busy,
            KnownCallRejectReason::Forbidden => callsteer::CallRejectReason::Forbidden,
        }
    }
}

/// `mediaStreamingOptions.audioChannelType`.
#[napi(string_enum)]
pub enum KnownMediaStreamingAudioChannelType {
    #[napi(value = "mixed")]
    Mixed,
    #[napi(value = "unmixed")]
    Unmixed,
}

/// `mediaStreamingOptions.contentType`.
#[napi(string_enum)]
pub enum KnownMediaStreamingContentType {
    #[napi(value = "audio")]
    Audio,
}

/// `transportType` of media streaming and transcription.
#[napi(string_enum)]
pub enum KnownStreamingTransportType {
    #[napi(value = "websocket")]
    Websocket,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reject_reasons_are_the_cores() {
        for (known, value) in [
            (KnownCallRejectReason::None, "none"),
            (KnownCallRejectReason::Busy, "busy"),
            (KnownCallRejectReason::Forbidden, "forbidden"),
        ] {
            assert_eq!(callsteer::CallRejectReason::from(known).as_str(), value);
        }
    }
}
