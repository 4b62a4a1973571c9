//! Request and response bodies exactly as the 2025-05-15 spec names them.
//!
//! Required fields are plain (so a body that lacks one fails to deserialize with serde's
//! "missing field `x`", which the emulator turns into a 400 naming it); optional fields are
//! skipped when absent so our requests equal the official SDKs' byte for byte in content.
//! Unknown fields are ignored everywhere.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::identifier::{
    CommunicationIdentifierModel, CommunicationUserIdentifierModel,
    MicrosoftTeamsAppIdentifierModel, MicrosoftTeamsUserIdentifierModel,
    PhoneNumberIdentifierModel,
};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallIntelligenceOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cognitive_services_endpoint: Option<String>,
}

/// `MediaStreamingOptions` (discriminated by `transportType`; only `websocket` exists).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaStreamingOptions {
    pub transport_type: String,
    pub audio_channel_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_media_streaming: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_bidirectional: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_dtmf_tones: Option<bool>,
}

/// `TranscriptionOptions` (discriminated by `transportType`; only `websocket` exists).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionOptions {
    pub transport_type: String,
    pub locale: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speech_model_endpoint_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_transcription: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_intermediate_results: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCallRequest {
    pub targets: Vec<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_caller_id_number: Option<PhoneNumberIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<CommunicationUserIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    pub callback_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_intelligence_options: Option<CallIntelligenceOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_streaming_options: Option<MediaStreamingOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcription_options: Option<TranscriptionOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams_app_source: Option<MicrosoftTeamsAppIdentifierModel>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerCallRequest {
    pub incoming_call_context: String,
    pub callback_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_intelligence_options: Option<CallIntelligenceOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<CommunicationUserIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_streaming_options: Option<MediaStreamingOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcription_options: Option<TranscriptionOptions>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectCallRequest {
    pub incoming_call_context: String,
    pub target: CommunicationIdentifierModel,
}

/// Why an incoming call is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CallRejectReason {
    #[default]
    None,
    Busy,
    Forbidden,
}

impl CallRejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CallRejectReason::None => "none",
            CallRejectReason::Busy => "busy",
            CallRejectReason::Forbidden => "forbidden",
        }
    }
}

/// Case-insensitive, like the official SDKs' enums (Python's `CaseInsensitiveEnumMeta`, .NET's
/// and Java's `ExpandableStringEnum` lookups): `busy`, `Busy` and `BUSY` are the same reason, in
/// every language. An unknown value is an `InvalidArgument` on `callRejectReason`.
///
/// ```
/// use callsteer::CallRejectReason;
/// assert_eq!("Busy".parse::<CallRejectReason>().unwrap(), CallRejectReason::Busy);
/// assert!("maybe".parse::<CallRejectReason>().is_err());
/// ```
impl std::str::FromStr for CallRejectReason {
    type Err = crate::Error;

    fn from_str(value: &str) -> crate::Result<Self> {
        [
            CallRejectReason::None,
            CallRejectReason::Busy,
            CallRejectReason::Forbidden,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(value.trim()))
        .ok_or_else(|| {
            crate::Error::invalid(
                "callRejectReason",
                format!("`{value}` is not none, busy or forbidden"),
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectCallRequest {
    pub incoming_call_context: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_reject_reason: Option<CallRejectReason>,
}

/// `CallLocator` on the wire: one id, matching `kind`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLocatorModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_call_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_call_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectRequest {
    pub call_locator: CallLocatorModel,
    pub callback_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_intelligence_options: Option<CallIntelligenceOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_streaming_options: Option<MediaStreamingOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcription_options: Option<TranscriptionOptions>,
}

/// `CustomCallingContext` on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomCallingContextModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voip_headers: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sip_headers: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams_phone_call_details: Option<TeamsPhoneCallDetailsModel>,
}

/// `TeamsPhoneCallDetails` (api-version 2026-03-12).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamsPhoneCallDetailsModel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams_phone_caller_details: Option<TeamsPhoneCallerDetailsModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams_phone_source_details: Option<TeamsPhoneSourceDetailsModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sentiment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_actions: Option<String>,
}

/// `TeamsPhoneCallerDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamsPhoneCallerDetailsModel {
    pub caller: CommunicationIdentifierModel,
    pub name: String,
    pub phone_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_pop_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_authenticated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_caller_information: Option<BTreeMap<String, String>>,
}

/// `TeamsPhoneSourceDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamsPhoneSourceDetailsModel {
    pub source: CommunicationIdentifierModel,
    pub language: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intended_targets: Option<BTreeMap<String, CommunicationIdentifierModel>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferToParticipantRequest {
    pub target_participant: CommunicationIdentifierModel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transferee: Option<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_callback_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_calling_context: Option<CustomCallingContextModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_caller_id_number: Option<PhoneNumberIdentifierModel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddParticipantRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_caller_id_number: Option<PhoneNumberIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_display_name: Option<String>,
    pub participant_to_add: CommunicationIdentifierModel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_timeout_in_seconds: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_callback_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_calling_context: Option<CustomCallingContextModel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveParticipantRequest {
    pub participant_to_remove: CommunicationIdentifierModel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_callback_uri: Option<String>,
}

/// `participants:moveHere` (api-version 2026-03-12), fields in the spec's (and the official
/// SDKs') order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveParticipantsRequest {
    pub target_participants: Vec<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_callback_uri: Option<String>,
    pub from_call: String,
}

/// The 202 body of `participants:moveHere`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveParticipantsResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<CallParticipantModel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_call: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MuteParticipantsRequest {
    pub target_participants: Vec<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelAddParticipantRequest {
    pub invitation_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_callback_uri: Option<String>,
}

// ---- responses ----

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaStreamingSubscription {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribed_content_types: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionSubscription {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribed_result_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `CallConnectionProperties`: no field is required by the spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallConnectionPropertiesModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_connection_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_call_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<CommunicationIdentifierModel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_connection_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_caller_id_number: Option<PhoneNumberIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<CommunicationUserIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_streaming_subscription: Option<MediaStreamingSubscription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcription_subscription: Option<TranscriptionSubscription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_for: Option<PhoneNumberIdentifierModel>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallParticipantModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<CommunicationIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_muted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_on_hold: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParticipantsResponse {
    pub value: Vec<CallParticipantModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddParticipantResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<CallParticipantModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_id: Option<String>,
}

/// The body of transfer, remove and mute responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationContextResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
}

pub type TransferCallResponse = OperationContextResponse;
pub type RemoveParticipantResponse = OperationContextResponse;
pub type MuteParticipantsResponse = OperationContextResponse;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelAddParticipantResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_context: Option<String>,
}

/// `CommunicationError`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommunicationError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<CommunicationError>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub innererror: Option<Box<CommunicationError>>,
}

/// `CommunicationErrorResponse`: the body of every non-2xx answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommunicationErrorResponse {
    pub error: CommunicationError,
}

/// `ResultInformation` in callback events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultInformation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The SIP response behind the result (api-version 2026-03-12 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_details: Option<SipDiagnosticInfo>,
    /// The Q.850 cause behind the result (api-version 2026-03-12 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q850_details: Option<SipDiagnosticInfo>,
}

/// `SipDiagnosticInfo`: a SIP response or Q.850 cause code with its message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipDiagnosticInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
