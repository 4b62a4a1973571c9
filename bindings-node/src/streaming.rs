//! `mediaStreamingOptions` / `transcriptionOptions` of create, answer and connect, and the
//! subscriptions a call reports, in the official package's shapes. Conversion only: the core
//! checks the values.

use napi_derive::napi;

/// Streams the call's audio to a WebSocket.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct MediaStreamingOptions {
    /// `websocket`.
    pub transport_type: String,
    /// `mixed` | `unmixed`.
    pub audio_channel_type: String,
    /// `wss://…`.
    pub transport_url: Option<String>,
    /// `audio`.
    pub content_type: Option<String>,
    pub start_media_streaming: Option<bool>,
    pub enable_bidirectional: Option<bool>,
    /// `pcm16KMono` | `pcm24KMono`.
    pub audio_format: Option<String>,
    pub enable_dtmf_tones: Option<bool>,
}

impl From<MediaStreamingOptions> for callsteer::MediaStreamingOptions {
    fn from(o: MediaStreamingOptions) -> Self {
        callsteer::MediaStreamingOptions {
            transport_type: o.transport_type,
            audio_channel_type: o.audio_channel_type,
            transport_url: o.transport_url,
            content_type: o.content_type,
            start_media_streaming: o.start_media_streaming,
            enable_bidirectional: o.enable_bidirectional,
            audio_format: o.audio_format,
            enable_dtmf_tones: o.enable_dtmf_tones,
        }
    }
}

/// Live transcription to a WebSocket.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct TranscriptionOptions {
    /// e.g. `en-US`.
    pub locale: String,
    /// `websocket`.
    pub transport_type: String,
    /// `wss://…`.
    pub transport_url: Option<String>,
    pub speech_model_endpoint_id: Option<String>,
    pub start_transcription: Option<bool>,
    pub enable_intermediate_results: Option<bool>,
}

impl From<TranscriptionOptions> for callsteer::TranscriptionOptions {
    fn from(o: TranscriptionOptions) -> Self {
        callsteer::TranscriptionOptions {
            transport_type: o.transport_type,
            locale: o.locale,
            transport_url: o.transport_url,
            speech_model_endpoint_id: o.speech_model_endpoint_id,
            start_transcription: o.start_transcription,
            enable_intermediate_results: o.enable_intermediate_results,
        }
    }
}

/// A call's media streaming: `state` is `disabled` | `inactive` | `active`.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct MediaStreamingSubscription {
    pub id: Option<String>,
    pub state: Option<String>,
    pub subscribed_content_types: Option<Vec<String>>,
}

/// A call's transcription: `state` is `disabled` | `inactive` | `active`.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct TranscriptionSubscription {
    pub id: Option<String>,
    pub state: Option<String>,
    pub subscribed_result_types: Option<Vec<String>>,
    pub locale: Option<String>,
}

pub fn media_subscription(
    s: &Option<callsteer::MediaStreamingSubscription>,
) -> Option<MediaStreamingSubscription> {
    s.as_ref().map(|s| MediaStreamingSubscription {
        id: s.id.clone(),
        state: s.state.clone(),
        subscribed_content_types: s.subscribed_content_types.clone(),
    })
}

pub fn transcription_subscription(
    s: &Option<callsteer::TranscriptionSubscription>,
) -> Option<TranscriptionSubscription> {
    s.as_ref().map(|s| TranscriptionSubscription {
        id: s.id.clone(),
        state: s.state.clone(),
        subscribed_result_types: s.subscribed_result_types.clone(),
        locale: s.locale.clone(),
    })
}
