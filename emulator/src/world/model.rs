//! The simulated world's records: call connections, participants, invitations, incoming calls,
//! server calls and rooms.

use callsteer::wire::{
    CallConnectionPropertiesModel, CallParticipantModel, CommunicationUserIdentifierModel,
    MediaStreamingOptions, MediaStreamingSubscription, PhoneNumberIdentifierModel,
    TranscriptionOptions, TranscriptionSubscription,
};
use callsteer::{CallParticipant, CommunicationIdentifier};
use serde::Serialize;

use super::behavior::ResultCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CallState {
    Connecting,
    Connected,
    Transferring,
    TransferAccepted,
    Disconnecting,
    Disconnected,
}

impl CallState {
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Connecting => "connecting",
            CallState::Connected => "connected",
            CallState::Transferring => "transferring",
            CallState::TransferAccepted => "transferAccepted",
            CallState::Disconnecting => "disconnecting",
            CallState::Disconnected => "disconnected",
        }
    }
}

/// How the app's leg came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CallOrigin {
    Created,
    Answered,
    Connected,
}

/// One call connection: the app's leg in a server call.
#[derive(Debug, Clone)]
pub struct Call {
    pub id: String,
    pub server_call_id: String,
    pub correlation_id: String,
    pub origin: CallOrigin,
    pub state: CallState,
    pub callback_uri: String,
    pub operation_context: Option<String>,
    pub targets: Vec<CommunicationIdentifier>,
    pub source: Option<CommunicationIdentifier>,
    pub source_caller_id_number: Option<String>,
    pub source_display_name: Option<String>,
    pub answered_by: Option<String>,
    pub answered_for: Option<String>,
    /// What `mediaStreamingOptions` / `transcriptionOptions` of create, answer or connect set up.
    pub media_streaming: Option<MediaStreamingSubscription>,
    pub transcription: Option<TranscriptionSubscription>,
    /// Everyone in the call except the app itself.
    pub participants: Vec<CallParticipant>,
    pub sequence_number: i32,
    pub created_at: String,
    /// Every invitation this call made, so that ending or forgetting the call touches only
    /// its own (a week-long run makes millions).
    pub invitation_ids: Vec<String>,
}

impl Call {
    /// Checks the streaming options of create, answer or connect and sets up the subscriptions
    /// the service reports for them: `active` when the options start it at once, else
    /// `inactive` until a start request.
    pub fn subscribe(
        &mut self,
        media: Option<&MediaStreamingOptions>,
        transcription: Option<&TranscriptionOptions>,
    ) -> crate::api_error::ApiResult<()> {
        crate::validation::check_streaming(media, transcription)?;
        let state = |start: Option<bool>| {
            if start == Some(true) {
                "active"
            } else {
                "inactive"
            }
        };
        self.media_streaming = media.map(|m| MediaStreamingSubscription {
            id: Some(uuid::Uuid::new_v4().to_string()),
            state: Some(state(m.start_media_streaming).into()),
            subscribed_content_types: Some(vec![m
                .content_type
                .clone()
                .unwrap_or_else(|| "audio".into())]),
        });
        self.transcription = transcription.map(|t| {
            let mut types = vec!["final".to_string()];
            if t.enable_intermediate_results == Some(true) {
                types.push("intermediate".into());
            }
            TranscriptionSubscription {
                id: Some(uuid::Uuid::new_v4().to_string()),
                state: Some(state(t.start_transcription).into()),
                subscribed_result_types: Some(types),
                locale: Some(t.locale.clone()),
            }
        });
        Ok(())
    }

    pub fn is_active(&self) -> bool {
        self.state != CallState::Disconnected
    }

    pub fn participant_index(&self, raw_id: &str) -> Option<usize> {
        self.participants
            .iter()
            .position(|p| p.identifier.raw_id() == raw_id)
    }

    pub fn add_participant(&mut self, identifier: &CommunicationIdentifier) {
        if self.participant_index(&identifier.raw_id()).is_none() {
            self.participants.push(CallParticipant {
                identifier: identifier.clone(),
                is_muted: false,
                is_on_hold: false,
            });
        }
    }

    pub fn participant_models(&self) -> Vec<CallParticipantModel> {
        self.participants.iter().map(|p| p.to_model()).collect()
    }

    pub fn properties(&self) -> CallConnectionPropertiesModel {
        CallConnectionPropertiesModel {
            call_connection_id: Some(self.id.clone()),
            server_call_id: Some(self.server_call_id.clone()),
            targets: Some(
                self.targets
                    .iter()
                    .map(CommunicationIdentifier::to_model_with_kind)
                    .collect(),
            ),
            call_connection_state: Some(self.state.as_str().into()),
            callback_uri: Some(self.callback_uri.clone()),
            source_caller_id_number: self
                .source_caller_id_number
                .as_ref()
                .map(|n| PhoneNumberIdentifierModel::new(n.clone())),
            source_display_name: self.source_display_name.clone(),
            source: self
                .source
                .as_ref()
                .map(CommunicationIdentifier::to_model_with_kind),
            correlation_id: Some(self.correlation_id.clone()),
            answered_by: self
                .answered_by
                .as_ref()
                .map(|id| CommunicationUserIdentifierModel { id: id.clone() }),
            answered_for: self
                .answered_for
                .as_ref()
                .map(|n| PhoneNumberIdentifierModel::new(n.clone())),
            media_streaming_subscription: self.media_streaming.clone(),
            transcription_subscription: self.transcription.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationKind {
    /// A target of CreateCall.
    Create,
    /// AddParticipant.
    Add,
    /// TransferToParticipant; `transferee` is who gets moved (None = the 1:1 remote party).
    Transfer {
        transferee: Option<CommunicationIdentifier>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Answered,
    Failed(ResultCode),
    Canceled,
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: String,
    pub call_id: String,
    pub target: CommunicationIdentifier,
    pub kind: InvitationKind,
    pub operation_context: Option<String>,
    pub operation_callback_uri: Option<String>,
    pub state: InvitationState,
    /// The pending reaction and timeout timers, dropped once the invitation settles.
    pub timers: Vec<(u64, u64)>,
    /// The target is one of the resource's own numbers: the incoming call (context) that
    /// rings the app instead of a simulated callee.
    pub rings: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum IncomingState {
    Ringing,
    Answered,
    Rejected,
    Redirected,
}

/// An inbound call offered to the app through Event Grid.
#[derive(Debug, Clone)]
pub struct IncomingCall {
    pub context: String,
    pub server_call_id: String,
    pub correlation_id: String,
    pub from: CommunicationIdentifier,
    pub to: CommunicationIdentifier,
    pub caller_display_name: Option<String>,
    pub custom_context: Option<serde_json::Value>,
    pub state: IncomingState,
    /// The invitation (create, add, transfer) that placed this call to one of the resource's
    /// own numbers: answering, rejecting or letting it time out settles that invitation.
    pub invitation_id: Option<String>,
}

/// A call that exists in the world independently of the app (admin-created group calls, calls
/// the app left with others still talking); the target of Connect.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerCall {
    pub server_call_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_call_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    pub participants: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    pub room_id: String,
    pub participants: Vec<String>,
    /// The server call of the room's ongoing call, once someone connects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_call_id: Option<String>,
}
