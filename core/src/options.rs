//! Inputs of the actions: invitations, call locators, custom calling context and option bags.
//!
//! Names follow the official SDKs (`CallInvite`, `CreateCallOptions`, `AddParticipantOptions`, …).

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::identifier::CommunicationIdentifier;
use crate::wire::{
    CallIntelligenceOptions, CallLocatorModel, CallRejectReason, CustomCallingContextModel,
    MediaStreamingOptions, TeamsPhoneCallDetailsModel, TeamsPhoneCallerDetailsModel,
    TeamsPhoneSourceDetailsModel, TranscriptionOptions,
};

/// The `Repeatability-Request-ID` / `Repeatability-First-Sent` pair of one logical request.
///
/// The client makes a fresh pair per action and keeps it across retries; pass your own to stay
/// idempotent across a process restart (store it before you send).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeatability {
    /// A UUID (v4).
    pub request_id: String,
    /// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    pub first_sent: String,
}

impl Repeatability {
    /// A fresh id, first sent now.
    pub fn new() -> Self {
        Repeatability {
            request_id: uuid::Uuid::new_v4().to_string(),
            first_sent: crate::auth::http_date_now(),
        }
    }
}

impl Default for Repeatability {
    fn default() -> Self {
        Self::new()
    }
}

/// Which prefix `add_sip_x` puts before a custom SIP header name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SipHeaderPrefix {
    /// `X-MS-Custom-` (the default, as in the official SDKs).
    #[default]
    XmsCustom,
    /// `X-`.
    X,
}

impl SipHeaderPrefix {
    pub fn as_str(self) -> &'static str {
        match self {
            SipHeaderPrefix::XmsCustom => "X-MS-Custom-",
            SipHeaderPrefix::X => "X-",
        }
    }
}

/// Custom headers carried to the callee: VoIP headers for VoIP targets, SIP headers for PSTN,
/// and (api-version 2026-03-12) the call details a Teams Phone agent sees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomCallingContext {
    pub voip_headers: BTreeMap<String, String>,
    pub sip_headers: BTreeMap<String, String>,
    pub teams_phone_call_details: Option<TeamsPhoneCallDetails>,
}

/// What a Teams Phone agent's client shows about a call handed to them: who called, who passed
/// the call on, and a summary (api-version 2026-03-12; add participant and transfer only).
///
/// ```
/// use callsteer::{CommunicationIdentifier, CustomCallingContext, TeamsPhoneCallDetails,
///     TeamsPhoneCallerDetails};
/// let mut context = CustomCallingContext::new();
/// context.teams_phone_call_details = Some(TeamsPhoneCallDetails {
///     teams_phone_caller: Some(TeamsPhoneCallerDetails::new(
///         CommunicationIdentifier::phone_number("+16045550100"),
///         "Ada Lovelace",
///         "+16045550100",
///     )),
///     call_topic: Some("Billing question".into()),
///     ..Default::default()
/// });
/// assert!(!context.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamsPhoneCallDetails {
    /// The original caller (`teamsPhoneCallerDetails`).
    pub teams_phone_caller: Option<TeamsPhoneCallerDetails>,
    /// The bot or IVR passing the call on (`teamsPhoneSourceDetails`).
    pub teams_phone_source: Option<TeamsPhoneSourceDetails>,
    /// Identifies this call session in the IVR's own telemetry.
    pub session_id: Option<String>,
    pub intent: Option<String>,
    /// Shown in the Teams call notification; at most 48 characters.
    pub call_topic: Option<String>,
    /// A summary of the call so far, shown in a side panel.
    pub call_context: Option<String>,
    pub transcript_url: Option<String>,
    pub call_sentiment: Option<String>,
    pub suggested_actions: Option<String>,
}

/// The original caller of a call handed to a Teams Phone agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamsPhoneCallerDetails {
    pub caller: CommunicationIdentifier,
    pub name: String,
    pub phone_number: String,
    /// The caller's record id, e.g. in a CRM.
    pub record_id: Option<String>,
    pub screen_pop_url: Option<String>,
    pub is_authenticated: Option<bool>,
    /// Shown to the agent; at most 10 entries (the service would ignore the rest, so more are
    /// refused).
    pub additional_caller_information: BTreeMap<String, String>,
}

impl TeamsPhoneCallerDetails {
    pub fn new(
        caller: CommunicationIdentifier,
        name: impl Into<String>,
        phone_number: impl Into<String>,
    ) -> Self {
        TeamsPhoneCallerDetails {
            caller,
            name: name.into(),
            phone_number: phone_number.into(),
            record_id: None,
            screen_pop_url: None,
            is_authenticated: None,
            additional_caller_information: BTreeMap::new(),
        }
    }
}

/// The entity (bot, IVR) that created the call details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamsPhoneSourceDetails {
    pub source: CommunicationIdentifier,
    /// ISO 639 language of the source, e.g. `en-US`.
    pub language: String,
    pub status: String,
    pub intended_targets: BTreeMap<String, CommunicationIdentifier>,
}

impl TeamsPhoneSourceDetails {
    pub fn new(
        source: CommunicationIdentifier,
        language: impl Into<String>,
        status: impl Into<String>,
    ) -> Self {
        TeamsPhoneSourceDetails {
            source,
            language: language.into(),
            status: status.into(),
            intended_targets: BTreeMap::new(),
        }
    }
}

impl TeamsPhoneCallDetails {
    pub fn to_model(&self) -> TeamsPhoneCallDetailsModel {
        TeamsPhoneCallDetailsModel {
            teams_phone_caller_details: self.teams_phone_caller.as_ref().map(|c| {
                TeamsPhoneCallerDetailsModel {
                    caller: c.caller.to_model(),
                    name: c.name.clone(),
                    phone_number: c.phone_number.clone(),
                    record_id: c.record_id.clone(),
                    screen_pop_url: c.screen_pop_url.clone(),
                    is_authenticated: c.is_authenticated,
                    additional_caller_information: (!c.additional_caller_information.is_empty())
                        .then(|| c.additional_caller_information.clone()),
                }
            }),
            teams_phone_source_details: self.teams_phone_source.as_ref().map(|s| {
                TeamsPhoneSourceDetailsModel {
                    source: s.source.to_model(),
                    language: s.language.clone(),
                    status: s.status.clone(),
                    intended_targets: (!s.intended_targets.is_empty()).then(|| {
                        s.intended_targets
                            .iter()
                            .map(|(k, v)| (k.clone(), v.to_model()))
                            .collect()
                    }),
                }
            }),
            session_id: self.session_id.clone(),
            intent: self.intent.clone(),
            call_topic: self.call_topic.clone(),
            call_context: self.call_context.clone(),
            transcript_url: self.transcript_url.clone(),
            call_sentiment: self.call_sentiment.clone(),
            suggested_actions: self.suggested_actions.clone(),
        }
    }

    /// From the wire, as the service sends it (identifiers read leniently: a malformed one is
    /// kept as unknown rather than losing the details).
    pub fn from_model(model: &TeamsPhoneCallDetailsModel) -> Self {
        let id = CommunicationIdentifier::from_model_lenient;
        TeamsPhoneCallDetails {
            teams_phone_caller: model.teams_phone_caller_details.as_ref().map(|c| {
                TeamsPhoneCallerDetails {
                    caller: id(&c.caller),
                    name: c.name.clone(),
                    phone_number: c.phone_number.clone(),
                    record_id: c.record_id.clone(),
                    screen_pop_url: c.screen_pop_url.clone(),
                    is_authenticated: c.is_authenticated,
                    additional_caller_information: c
                        .additional_caller_information
                        .clone()
                        .unwrap_or_default(),
                }
            }),
            teams_phone_source: model.teams_phone_source_details.as_ref().map(|s| {
                TeamsPhoneSourceDetails {
                    source: id(&s.source),
                    language: s.language.clone(),
                    status: s.status.clone(),
                    intended_targets: s
                        .intended_targets
                        .iter()
                        .flatten()
                        .map(|(k, v)| (k.clone(), id(v)))
                        .collect(),
                }
            }),
            session_id: model.session_id.clone(),
            intent: model.intent.clone(),
            call_topic: model.call_topic.clone(),
            call_context: model.call_context.clone(),
            transcript_url: model.transcript_url.clone(),
            call_sentiment: model.call_sentiment.clone(),
            suggested_actions: model.suggested_actions.clone(),
        }
    }
}

impl CustomCallingContext {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a VoIP header (any allowed name).
    pub fn add_voip(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.voip_headers.insert(key.into(), value.into());
        self
    }

    /// Sets the SIP `User-To-User` header.
    pub fn add_sip_uui(&mut self, value: impl Into<String>) -> &mut Self {
        self.sip_headers
            .insert("User-To-User".to_string(), value.into());
        self
    }

    /// Adds a custom SIP header; `key` gets `prefix` (default `X-MS-Custom-`) unless it already
    /// carries it.
    pub fn add_sip_x(
        &mut self,
        key: impl Into<String>,
        value: impl Into<String>,
        prefix: SipHeaderPrefix,
    ) -> &mut Self {
        let key = key.into();
        let full = if key.starts_with(prefix.as_str()) {
            key
        } else {
            format!("{}{}", prefix.as_str(), key)
        };
        self.sip_headers.insert(full, value.into());
        self
    }

    pub fn is_empty(&self) -> bool {
        self.voip_headers.is_empty()
            && self.sip_headers.is_empty()
            && self.teams_phone_call_details.is_none()
    }

    pub(crate) fn to_model(&self) -> Option<CustomCallingContextModel> {
        if self.is_empty() {
            return None;
        }
        Some(CustomCallingContextModel {
            voip_headers: (!self.voip_headers.is_empty()).then(|| self.voip_headers.clone()),
            sip_headers: (!self.sip_headers.is_empty()).then(|| self.sip_headers.clone()),
            teams_phone_call_details: self
                .teams_phone_call_details
                .as_ref()
                .map(TeamsPhoneCallDetails::to_model),
        })
    }
}

/// Whom to call or add, with the caller id a PSTN target sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInvite {
    pub target: CommunicationIdentifier,
    /// E.164 number shown to a PSTN target; required when `target` is a phone number.
    pub source_caller_id_number: Option<String>,
    pub source_display_name: Option<String>,
    pub custom_calling_context: CustomCallingContext,
}

impl CallInvite {
    pub fn new(target: CommunicationIdentifier) -> Self {
        CallInvite {
            target,
            source_caller_id_number: None,
            source_display_name: None,
            custom_calling_context: CustomCallingContext::default(),
        }
    }

    /// A PSTN invitation: `target` is called from `source_caller_id_number`.
    pub fn phone(target: impl Into<String>, source_caller_id_number: impl Into<String>) -> Self {
        CallInvite {
            source_caller_id_number: Some(source_caller_id_number.into()),
            ..Self::new(CommunicationIdentifier::phone_number(target))
        }
    }

    pub fn with_source_display_name(mut self, name: impl Into<String>) -> Self {
        self.source_display_name = Some(name.into());
        self
    }
}

impl From<CommunicationIdentifier> for CallInvite {
    fn from(target: CommunicationIdentifier) -> Self {
        CallInvite::new(target)
    }
}

/// An ongoing call to connect to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallLocator {
    ServerCall(String),
    GroupCall(String),
    Room(String),
}

impl CallLocator {
    /// Builds a locator from the keyword form the Python SDK uses: exactly one id must be given.
    pub fn from_parts(
        server_call_id: Option<String>,
        group_call_id: Option<String>,
        room_id: Option<String>,
    ) -> Result<Self> {
        let given: Vec<CallLocator> = [
            server_call_id.map(CallLocator::ServerCall),
            group_call_id.map(CallLocator::GroupCall),
            room_id.map(CallLocator::Room),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut given = given.into_iter();
        match (given.next(), given.next()) {
            (Some(locator), None) => Ok(locator),
            (None, _) => Err(Error::invalid(
                "callLocator",
                "give exactly one of server call id, group call id or room id (none was given)",
            )),
            (Some(_), Some(_)) => Err(Error::invalid(
                "callLocator",
                "give exactly one of server call id, group call id or room id (more than one was given)",
            )),
        }
    }

    pub fn id(&self) -> &str {
        match self {
            CallLocator::ServerCall(id) | CallLocator::GroupCall(id) | CallLocator::Room(id) => id,
        }
    }

    /// The wire `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            CallLocator::ServerCall(_) => "serverCallLocator",
            CallLocator::GroupCall(_) => "groupCallLocator",
            CallLocator::Room(_) => "roomCallLocator",
        }
    }

    pub fn to_model(&self) -> CallLocatorModel {
        let mut model = CallLocatorModel {
            kind: Some(self.kind().to_string()),
            ..Default::default()
        };
        match self {
            CallLocator::ServerCall(id) => model.server_call_id = Some(id.clone()),
            CallLocator::GroupCall(id) => model.group_call_id = Some(id.clone()),
            CallLocator::Room(id) => model.room_id = Some(id.clone()),
        }
        model
    }
}

/// Options of `create_call` and `create_group_call`.
#[derive(Debug, Clone, Default)]
pub struct CreateCallOptions {
    /// Overrides the invitation's caller id; required for a group with a phone number.
    pub source_caller_id_number: Option<String>,
    pub source_display_name: Option<String>,
    /// The communication user placing the call.
    pub source: Option<CommunicationIdentifier>,
    /// Call as a Teams resource account.
    pub teams_app_source: Option<CommunicationIdentifier>,
    pub operation_context: Option<String>,
    pub cognitive_services_endpoint: Option<String>,
    pub media_streaming: Option<MediaStreamingOptions>,
    pub transcription: Option<TranscriptionOptions>,
    pub repeatability: Option<Repeatability>,
}

pub type CreateGroupCallOptions = CreateCallOptions;

/// Options of `answer_call`.
#[derive(Debug, Clone, Default)]
pub struct AnswerCallOptions {
    pub operation_context: Option<String>,
    pub cognitive_services_endpoint: Option<String>,
    /// The communication user answering on the app's behalf.
    pub answered_by: Option<CommunicationIdentifier>,
    pub media_streaming: Option<MediaStreamingOptions>,
    pub transcription: Option<TranscriptionOptions>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `connect_call`.
#[derive(Debug, Clone, Default)]
pub struct ConnectCallOptions {
    pub operation_context: Option<String>,
    pub cognitive_services_endpoint: Option<String>,
    pub media_streaming: Option<MediaStreamingOptions>,
    pub transcription: Option<TranscriptionOptions>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `redirect_call`.
#[derive(Debug, Clone, Default)]
pub struct RedirectCallOptions {
    pub repeatability: Option<Repeatability>,
}

/// Options of `reject_call`.
#[derive(Debug, Clone, Default)]
pub struct RejectCallOptions {
    /// `None` sends no reason; the service then uses `none`.
    pub call_reject_reason: Option<CallRejectReason>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `transfer_call_to_participant`.
#[derive(Debug, Clone, Default)]
pub struct TransferCallToParticipantOptions {
    /// The participant moved away (group calls); `None` transfers the other party of a 1:1 call.
    pub transferee: Option<CommunicationIdentifier>,
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    pub custom_calling_context: CustomCallingContext,
    pub source_caller_id_number: Option<String>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `add_participant`.
#[derive(Debug, Clone, Default)]
pub struct AddParticipantOptions {
    /// 1 to 180 seconds.
    pub invitation_timeout_in_seconds: Option<u32>,
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `remove_participant`.
#[derive(Debug, Clone, Default)]
pub struct RemoveParticipantOptions {
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `move_participants`.
#[derive(Debug, Clone, Default)]
pub struct MoveParticipantsOptions {
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `mute_participant`.
#[derive(Debug, Clone, Default)]
pub struct MuteParticipantOptions {
    pub operation_context: Option<String>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `cancel_add_participant_operation`.
#[derive(Debug, Clone, Default)]
pub struct CancelAddParticipantOperationOptions {
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    pub repeatability: Option<Repeatability>,
}

/// Options of `hang_up` beyond `is_for_everyone`.
#[derive(Debug, Clone, Default)]
pub struct HangUpOptions {
    /// Used for the terminate request (`is_for_everyone = true`), which is repeatable.
    pub repeatability: Option<Repeatability>,
}

pub(crate) fn intelligence(endpoint: &Option<String>) -> Option<CallIntelligenceOptions> {
    endpoint.as_ref().map(|e| CallIntelligenceOptions {
        cognitive_services_endpoint: Some(e.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sip_x_prefixes() {
        let mut ctx = CustomCallingContext::new();
        ctx.add_sip_x("headerName", "v", SipHeaderPrefix::default())
            .add_sip_x("Other", "w", SipHeaderPrefix::X)
            .add_sip_x("X-MS-Custom-already", "z", SipHeaderPrefix::XmsCustom)
            .add_sip_uui("uui");
        let keys: Vec<_> = ctx.sip_headers.keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "User-To-User",
                "X-MS-Custom-already",
                "X-MS-Custom-headerName",
                "X-Other"
            ]
        );
    }

    #[test]
    fn locator_from_parts_needs_exactly_one() {
        assert_eq!(
            CallLocator::from_parts(Some("s".into()), None, None).unwrap(),
            CallLocator::ServerCall("s".into())
        );
        let none = CallLocator::from_parts(None, None, None).unwrap_err();
        assert!(none.to_string().contains("call_locator"), "{none}");
        let two = CallLocator::from_parts(Some("s".into()), None, Some("r".into())).unwrap_err();
        assert!(two.to_string().contains("more than one"));
    }
}
