//! Typed values the service returns: call connection properties and participants.
//!
//! Reading them never fails: once the service has answered 2xx the action happened, and an
//! identifier or field this version cannot read must not turn it into an error (a caller would
//! retry it with a new repeatability id and, for `create_call`, place a second call). What cannot
//! be read is kept as an [`CommunicationIdentifier::Unknown`] carrying the raw id, or dropped
//! with a warning in the log; see [`salvage`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::identifier::{CommunicationIdentifier, CommunicationIdentifierModel};
use crate::wire::{
    AddParticipantResponse, CallConnectionPropertiesModel, CallParticipantModel,
    GetParticipantsResponse,
};

pub use crate::wire::{MediaStreamingSubscription, ResultInformation, TranscriptionSubscription};

/// The state of a call connection as the service reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallConnectionState {
    Unknown,
    Connecting,
    Connected,
    Transferring,
    TransferAccepted,
    Disconnecting,
    Disconnected,
    /// A state this version does not know yet, kept verbatim.
    Other(String),
}

impl CallConnectionState {
    pub fn parse(value: &str) -> Self {
        match value {
            "unknown" => Self::Unknown,
            "connecting" => Self::Connecting,
            "connected" => Self::Connected,
            "transferring" => Self::Transferring,
            "transferAccepted" => Self::TransferAccepted,
            "disconnecting" => Self::Disconnecting,
            "disconnected" => Self::Disconnected,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Unknown => "unknown",
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Transferring => "transferring",
            Self::TransferAccepted => "transferAccepted",
            Self::Disconnecting => "disconnecting",
            Self::Disconnected => "disconnected",
            Self::Other(other) => other,
        }
    }
}

/// One participant of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallParticipant {
    pub identifier: CommunicationIdentifier,
    pub is_muted: bool,
    pub is_on_hold: bool,
}

impl CallParticipant {
    /// Reads the wire model; a participant without an identifier becomes `Unknown("")`, one with
    /// an identifier this version cannot read an `Unknown` carrying its raw id.
    pub fn from_model(model: &CallParticipantModel) -> Self {
        let identifier = match &model.identifier {
            Some(id) => CommunicationIdentifier::from_model_lenient(id),
            None => CommunicationIdentifier::unknown(""),
        };
        CallParticipant {
            identifier,
            is_muted: model.is_muted.unwrap_or(false),
            is_on_hold: model.is_on_hold.unwrap_or(false),
        }
    }

    /// The wire model as the service emits it (with `kind`).
    pub fn to_model(&self) -> CallParticipantModel {
        CallParticipantModel {
            identifier: Some(self.identifier.to_model_with_kind()),
            is_muted: Some(self.is_muted),
            is_on_hold: Some(self.is_on_hold),
        }
    }
}

/// What the service says about a call connection (create, answer, connect, get).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallConnectionProperties {
    pub call_connection_id: String,
    pub server_call_id: Option<String>,
    pub targets: Vec<CommunicationIdentifier>,
    pub call_connection_state: CallConnectionState,
    pub callback_url: Option<String>,
    pub source_caller_id_number: Option<CommunicationIdentifier>,
    pub source_display_name: Option<String>,
    pub source: Option<CommunicationIdentifier>,
    pub correlation_id: Option<String>,
    pub answered_by: Option<CommunicationIdentifier>,
    pub answered_for: Option<CommunicationIdentifier>,
    /// The call's media streaming, when it was asked for (`mediaStreamingOptions`).
    pub media_streaming_subscription: Option<MediaStreamingSubscription>,
    /// The call's transcription, when it was asked for (`transcriptionOptions`).
    pub transcription_subscription: Option<TranscriptionSubscription>,
}

impl CallConnectionProperties {
    /// Reads the wire model; identifiers this version cannot read become `Unknown` with their
    /// raw id.
    pub fn from_model(model: &CallConnectionPropertiesModel) -> Self {
        let targets = model
            .targets
            .iter()
            .flatten()
            .map(CommunicationIdentifier::from_model_lenient)
            .collect();
        CallConnectionProperties {
            call_connection_id: model.call_connection_id.clone().unwrap_or_default(),
            server_call_id: model.server_call_id.clone(),
            targets,
            call_connection_state: model
                .call_connection_state
                .as_deref()
                .map(CallConnectionState::parse)
                .unwrap_or(CallConnectionState::Unknown),
            callback_url: model.callback_uri.clone(),
            source_caller_id_number: model
                .source_caller_id_number
                .as_ref()
                .map(|p| CommunicationIdentifier::phone_number(p.value.clone())),
            source_display_name: model.source_display_name.clone(),
            source: model
                .source
                .as_ref()
                .map(CommunicationIdentifier::from_model_lenient),
            correlation_id: model.correlation_id.clone(),
            answered_by: model
                .answered_by
                .as_ref()
                .map(|u| CommunicationIdentifier::from_raw_id(&u.id)),
            answered_for: model
                .answered_for
                .as_ref()
                .map(|p| CommunicationIdentifier::phone_number(p.value.clone())),
            media_streaming_subscription: model.media_streaming_subscription.clone(),
            transcription_subscription: model.transcription_subscription.clone(),
        }
    }
}

/// Lenient readers of 2xx bodies: they keep every field that can be read and drop, with a
/// warning, only the ones that cannot.
pub(crate) mod salvage {
    use super::*;

    /// A 2xx body: empty, JSON, or not JSON at all.
    pub(crate) enum Body {
        Empty,
        Json(Value),
        Unreadable(String),
    }

    pub(crate) fn body(bytes: &[u8]) -> Body {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Body::Empty;
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => Body::Json(value),
            Err(e) => Body::Unreadable(e.to_string()),
        }
    }

    /// `T` from `value`, field by field: a field that does not fit `T` is dropped (and logged),
    /// the others kept. A value that is not an object gives `T::default()`.
    pub(crate) fn lenient<T: DeserializeOwned + Serialize + Default>(
        value: &Value,
        what: &str,
    ) -> T {
        if let Ok(whole) = T::deserialize(value) {
            return whole;
        }
        let Value::Object(fields) = value else {
            tracing::warn!("the service's {what} is not a JSON object; ignored");
            return T::default();
        };
        let mut kept = match serde_json::to_value(T::default()) {
            Ok(Value::Object(base)) => base,
            _ => Map::new(),
        };
        for (key, field) in fields {
            let mut trial = kept.clone();
            trial.insert(key.clone(), field.clone());
            if T::deserialize(&Value::Object(trial.clone())).is_ok() {
                kept = trial;
            } else {
                tracing::warn!(field = %key, "unreadable field in the service's {what}; ignored");
            }
        }
        serde_json::from_value(Value::Object(kept)).unwrap_or_default()
    }

    fn map_key(value: &Value, key: &str, f: impl Fn(&Value) -> Value) -> Value {
        let mut value = value.clone();
        if let Some(v) = value.get_mut(key).filter(|v| !v.is_null()) {
            *v = f(v);
        }
        value
    }

    /// Each object of an array through `f`; what is not an object (a number, a string) cannot
    /// be an identifier or a participant and is dropped with a warning.
    fn map_items(value: &Value, f: impl Fn(&Value) -> Value) -> Value {
        match value {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .filter(|item| {
                        let keep = item.is_object();
                        if !keep {
                            tracing::warn!(%item, "list item from the service is not an object; ignored");
                        }
                        keep
                    })
                    .map(f)
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn identifier_value(value: &Value) -> Value {
        serde_json::to_value(lenient::<CommunicationIdentifierModel>(value, "identifier"))
            .unwrap_or(Value::Null)
    }

    pub(crate) fn properties(value: &Value) -> CallConnectionPropertiesModel {
        // The usual case: everything reads, no copy.
        if let Ok(model) = CallConnectionPropertiesModel::deserialize(value) {
            return model;
        }
        let value = map_key(value, "targets", |t| map_items(t, identifier_value));
        let value = map_key(&value, "source", identifier_value);
        lenient(&value, "call connection properties")
    }

    fn participant_value(value: &Value) -> Value {
        serde_json::to_value(participant(value)).unwrap_or(Value::Null)
    }

    pub(crate) fn participant(value: &Value) -> CallParticipantModel {
        if let Ok(model) = CallParticipantModel::deserialize(value) {
            return model;
        }
        let value = map_key(value, "identifier", identifier_value);
        lenient(&value, "participant")
    }

    pub(crate) fn participants_page(value: &Value) -> GetParticipantsResponse {
        if let Ok(page) = GetParticipantsResponse::deserialize(value) {
            return page;
        }
        let value = map_key(value, "value", |v| map_items(v, participant_value));
        lenient(&value, "participant list")
    }

    pub(crate) fn add_participant(value: &Value) -> AddParticipantResponse {
        if let Ok(answer) = AddParticipantResponse::deserialize(value) {
            return answer;
        }
        let value = map_key(value, "participant", participant_value);
        lenient(&value, "add participant answer")
    }

    /// The string field `key` of a body that is not valid JSON (e.g. cut short): the first
    /// `"key": "…"` pair, read as a JSON string; `None` if absent or empty.
    pub(crate) fn string_field_in(bytes: &[u8], key: &str) -> Option<String> {
        let quoted = format!("\"{key}\"");
        let quoted = quoted.as_bytes();
        let at = bytes.windows(quoted.len()).position(|w| w == quoted)?;
        let rest = &bytes[at + quoted.len()..];
        let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
        let rest = rest.strip_prefix(b":")?;
        let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<String>();
        stream.next()?.ok().filter(|id| !id.is_empty())
    }
}
