//! Typed values the service returns: call connection properties and participants.

use crate::error::Result;
use crate::identifier::CommunicationIdentifier;
use crate::wire::{CallConnectionPropertiesModel, CallParticipantModel};

pub use crate::wire::ResultInformation;

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
    /// Reads the wire model; a participant without an identifier becomes `Unknown("")`.
    pub fn from_model(model: &CallParticipantModel) -> Result<Self> {
        let identifier = match &model.identifier {
            Some(id) => CommunicationIdentifier::from_model(id)?,
            None => CommunicationIdentifier::unknown(""),
        };
        Ok(CallParticipant {
            identifier,
            is_muted: model.is_muted.unwrap_or(false),
            is_on_hold: model.is_on_hold.unwrap_or(false),
        })
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
}

impl CallConnectionProperties {
    pub fn from_model(model: &CallConnectionPropertiesModel) -> Result<Self> {
        let targets = model
            .targets
            .iter()
            .flatten()
            .map(CommunicationIdentifier::from_model)
            .collect::<Result<Vec<_>>>()?;
        Ok(CallConnectionProperties {
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
                .map(CommunicationIdentifier::from_model)
                .transpose()?,
            correlation_id: model.correlation_id.clone(),
            answered_by: model
                .answered_by
                .as_ref()
                .map(|u| CommunicationIdentifier::from_raw_id(&u.id)),
            answered_for: model
                .answered_for
                .as_ref()
                .map(|p| CommunicationIdentifier::phone_number(p.value.clone())),
        })
    }
}
