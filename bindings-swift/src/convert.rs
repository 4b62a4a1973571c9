//! Plain data crossing the boundary: identifiers, locators, invitations, options, call
//! properties. Each type mirrors the core's and converts to / from it; nothing is validated
//! here (the core does that).

use std::collections::HashMap;

use callsteer as core;

/// The sovereign cloud of a Teams user or app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CommunicationCloud {
    Public,
    Dod,
    Gcch,
}

impl From<core::CommunicationCloud> for CommunicationCloud {
    fn from(c: core::CommunicationCloud) -> Self {
        match c {
            core::CommunicationCloud::Public => Self::Public,
            core::CommunicationCloud::Dod => Self::Dod,
            core::CommunicationCloud::Gcch => Self::Gcch,
        }
    }
}

impl From<CommunicationCloud> for core::CommunicationCloud {
    fn from(c: CommunicationCloud) -> Self {
        match c {
            CommunicationCloud::Public => Self::Public,
            CommunicationCloud::Dod => Self::Dod,
            CommunicationCloud::Gcch => Self::Gcch,
        }
    }
}

/// Who takes part in a call. Build one from a raw id with `identifierFromRawId`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CommunicationIdentifier {
    /// An Azure Communication Services user; `id` is the whole raw id (`8:acs:…`).
    CommunicationUser { id: String },
    /// An E.164 phone number (`+16041234567`); `raw_id` only when it differs from `4:` + number.
    PhoneNumber {
        phone_number: String,
        raw_id: Option<String>,
    },
    /// A Microsoft Teams user.
    MicrosoftTeamsUser {
        user_id: String,
        is_anonymous: bool,
        cloud: CommunicationCloud,
        raw_id: Option<String>,
    },
    /// A Teams app / resource account.
    MicrosoftTeamsApp {
        app_id: String,
        cloud: CommunicationCloud,
        raw_id: Option<String>,
    },
    /// A Teams Phone user extending their Teams Phone through a Communication Services resource
    /// (`8:acs:<resource>_<tenant>_<user>`).
    TeamsExtensionUser {
        user_id: String,
        tenant_id: String,
        resource_id: String,
        cloud: CommunicationCloud,
        raw_id: Option<String>,
    },
    /// Anything else, kept verbatim.
    Unknown { id: String },
}

impl From<core::CommunicationIdentifier> for CommunicationIdentifier {
    fn from(id: core::CommunicationIdentifier) -> Self {
        use core::CommunicationIdentifier as C;
        match id {
            C::CommunicationUser { id } => Self::CommunicationUser { id },
            C::PhoneNumber {
                phone_number,
                raw_id,
            } => Self::PhoneNumber {
                phone_number,
                raw_id,
            },
            C::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud,
                raw_id,
            } => Self::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud: cloud.into(),
                raw_id,
            },
            C::MicrosoftTeamsApp {
                app_id,
                cloud,
                raw_id,
            } => Self::MicrosoftTeamsApp {
                app_id,
                cloud: cloud.into(),
                raw_id,
            },
            C::TeamsExtensionUser {
                user_id,
                tenant_id,
                resource_id,
                cloud,
                raw_id,
            } => Self::TeamsExtensionUser {
                user_id,
                tenant_id,
                resource_id,
                cloud: cloud.into(),
                raw_id,
            },
            C::Unknown { id } => Self::Unknown { id },
        }
    }
}

impl From<CommunicationIdentifier> for core::CommunicationIdentifier {
    fn from(id: CommunicationIdentifier) -> Self {
        use CommunicationIdentifier as B;
        match id {
            B::CommunicationUser { id } => Self::CommunicationUser { id },
            B::PhoneNumber {
                phone_number,
                raw_id,
            } => Self::PhoneNumber {
                phone_number,
                raw_id,
            },
            B::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud,
                raw_id,
            } => Self::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud: cloud.into(),
                raw_id,
            },
            B::MicrosoftTeamsApp {
                app_id,
                cloud,
                raw_id,
            } => Self::MicrosoftTeamsApp {
                app_id,
                cloud: cloud.into(),
                raw_id,
            },
            B::TeamsExtensionUser {
                user_id,
                tenant_id,
                resource_id,
                cloud,
                raw_id,
            } => Self::TeamsExtensionUser {
                user_id,
                tenant_id,
                resource_id,
                cloud: cloud.into(),
                raw_id,
            },
            B::Unknown { id } => Self::Unknown { id },
        }
    }
}

#[uniffi::export]
impl CommunicationIdentifier {
    /// The raw id (`8:acs:…`, `4:+1…`, `8:orgid:…`, `28:orgid:…`).
    pub fn raw_id(&self) -> String {
        core::CommunicationIdentifier::from(self.clone()).raw_id()
    }

    /// The wire `kind` (`communicationUser`, `phoneNumber`, …).
    pub fn kind(&self) -> String {
        core::CommunicationIdentifier::from(self.clone())
            .kind()
            .to_string()
    }
}

/// The typed identifier of a raw id, with the official SDKs' rules.
#[uniffi::export]
pub fn identifier_from_raw_id(raw_id: String) -> CommunicationIdentifier {
    core::identifier_from_raw_id(&raw_id).into()
}

/// A phone-number identifier (`+16041234567`).
#[uniffi::export]
pub fn phone_number_identifier(phone_number: String) -> CommunicationIdentifier {
    core::CommunicationIdentifier::phone_number(phone_number).into()
}

/// A communication-user identifier (`8:acs:…`).
#[uniffi::export]
pub fn communication_user_identifier(id: String) -> CommunicationIdentifier {
    core::CommunicationIdentifier::communication_user(id).into()
}

pub(crate) fn ids_to_core(ids: Vec<CommunicationIdentifier>) -> Vec<core::CommunicationIdentifier> {
    ids.into_iter().map(Into::into).collect()
}

/// An ongoing call to connect to.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CallLocator {
    ServerCall { server_call_id: String },
    GroupCall { group_call_id: String },
    Room { room_id: String },
}

impl From<CallLocator> for core::CallLocator {
    fn from(l: CallLocator) -> Self {
        match l {
            CallLocator::ServerCall { server_call_id } => Self::ServerCall(server_call_id),
            CallLocator::GroupCall { group_call_id } => Self::GroupCall(group_call_id),
            CallLocator::Room { room_id } => Self::Room(room_id),
        }
    }
}

/// Which prefix `withSipX` puts before a custom SIP header name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SipHeaderPrefix {
    /// `X-MS-Custom-` (the default).
    XmsCustom,
    /// `X-`.
    X,
}

impl From<SipHeaderPrefix> for core::SipHeaderPrefix {
    fn from(p: SipHeaderPrefix) -> Self {
        match p {
            SipHeaderPrefix::XmsCustom => Self::XmsCustom,
            SipHeaderPrefix::X => Self::X,
        }
    }
}

/// Custom headers carried to the callee: VoIP headers for VoIP targets, SIP headers for PSTN.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct CustomCallingContext {
    #[uniffi(default)]
    pub voip_headers: HashMap<String, String>,
    #[uniffi(default)]
    pub sip_headers: HashMap<String, String>,
    /// What a Teams Phone agent sees about the call (api-version 2026-03-12).
    #[uniffi(default = None)]
    pub teams_phone_call_details: Option<TeamsPhoneCallDetails>,
}

impl From<CustomCallingContext> for core::CustomCallingContext {
    fn from(c: CustomCallingContext) -> Self {
        core::CustomCallingContext {
            voip_headers: c.voip_headers.into_iter().collect(),
            sip_headers: c.sip_headers.into_iter().collect(),
            teams_phone_call_details: c.teams_phone_call_details.map(Into::into),
        }
    }
}

impl From<core::CustomCallingContext> for CustomCallingContext {
    fn from(c: core::CustomCallingContext) -> Self {
        CustomCallingContext {
            voip_headers: c.voip_headers.into_iter().collect(),
            sip_headers: c.sip_headers.into_iter().collect(),
            teams_phone_call_details: c.teams_phone_call_details.map(Into::into),
        }
    }
}

/// What a Teams Phone agent's client shows about a call handed to them; `call_topic` is at
/// most 48 characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct TeamsPhoneCallDetails {
    #[uniffi(default = None)]
    pub teams_phone_caller: Option<TeamsPhoneCallerDetails>,
    #[uniffi(default = None)]
    pub teams_phone_source: Option<TeamsPhoneSourceDetails>,
    #[uniffi(default = None)]
    pub session_id: Option<String>,
    #[uniffi(default = None)]
    pub intent: Option<String>,
    #[uniffi(default = None)]
    pub call_topic: Option<String>,
    #[uniffi(default = None)]
    pub call_context: Option<String>,
    #[uniffi(default = None)]
    pub transcript_url: Option<String>,
    #[uniffi(default = None)]
    pub call_sentiment: Option<String>,
    #[uniffi(default = None)]
    pub suggested_actions: Option<String>,
}

/// The original caller; `additional_caller_information` takes at most 10 entries.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TeamsPhoneCallerDetails {
    pub caller: CommunicationIdentifier,
    pub name: String,
    pub phone_number: String,
    #[uniffi(default = None)]
    pub record_id: Option<String>,
    #[uniffi(default = None)]
    pub screen_pop_url: Option<String>,
    #[uniffi(default = None)]
    pub is_authenticated: Option<bool>,
    #[uniffi(default)]
    pub additional_caller_information: HashMap<String, String>,
}

/// The bot or IVR passing the call on, with the targets it meant.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TeamsPhoneSourceDetails {
    pub source: CommunicationIdentifier,
    pub language: String,
    pub status: String,
    #[uniffi(default)]
    pub intended_targets: HashMap<String, CommunicationIdentifier>,
}

impl From<TeamsPhoneCallDetails> for core::TeamsPhoneCallDetails {
    fn from(d: TeamsPhoneCallDetails) -> Self {
        core::TeamsPhoneCallDetails {
            teams_phone_caller: d.teams_phone_caller.map(|c| core::TeamsPhoneCallerDetails {
                caller: c.caller.into(),
                name: c.name,
                phone_number: c.phone_number,
                record_id: c.record_id,
                screen_pop_url: c.screen_pop_url,
                is_authenticated: c.is_authenticated,
                additional_caller_information: c
                    .additional_caller_information
                    .into_iter()
                    .collect(),
            }),
            teams_phone_source: d.teams_phone_source.map(|s| core::TeamsPhoneSourceDetails {
                source: s.source.into(),
                language: s.language,
                status: s.status,
                intended_targets: s
                    .intended_targets
                    .into_iter()
                    .map(|(k, v)| (k, v.into()))
                    .collect(),
            }),
            session_id: d.session_id,
            intent: d.intent,
            call_topic: d.call_topic,
            call_context: d.call_context,
            transcript_url: d.transcript_url,
            call_sentiment: d.call_sentiment,
            suggested_actions: d.suggested_actions,
        }
    }
}

impl From<core::TeamsPhoneCallDetails> for TeamsPhoneCallDetails {
    fn from(d: core::TeamsPhoneCallDetails) -> Self {
        TeamsPhoneCallDetails {
            teams_phone_caller: d.teams_phone_caller.map(|c| TeamsPhoneCallerDetails {
                caller: c.caller.into(),
                name: c.name,
                phone_number: c.phone_number,
                record_id: c.record_id,
                screen_pop_url: c.screen_pop_url,
                is_authenticated: c.is_authenticated,
                additional_caller_information: c
                    .additional_caller_information
                    .into_iter()
                    .collect(),
            }),
            teams_phone_source: d.teams_phone_source.map(|s| TeamsPhoneSourceDetails {
                source: s.source.into(),
                language: s.language,
                status: s.status,
                intended_targets: s
                    .intended_targets
                    .into_iter()
                    .map(|(k, v)| (k, v.into()))
                    .collect(),
            }),
            session_id: d.session_id,
            intent: d.intent,
            call_topic: d.call_topic,
            call_context: d.call_context,
            transcript_url: d.transcript_url,
            call_sentiment: d.call_sentiment,
            suggested_actions: d.suggested_actions,
        }
    }
}

fn ctx_to_core(c: Option<CustomCallingContext>) -> core::CustomCallingContext {
    c.map(Into::into).unwrap_or_default()
}

#[uniffi::export]
impl CustomCallingContext {
    /// A copy with a VoIP header added.
    pub fn with_voip(&self, key: String, value: String) -> CustomCallingContext {
        let mut ctx = core::CustomCallingContext::from(self.clone());
        ctx.add_voip(key, value);
        ctx.into()
    }

    /// A copy with the SIP `User-To-User` header set.
    pub fn with_sip_uui(&self, value: String) -> CustomCallingContext {
        let mut ctx = core::CustomCallingContext::from(self.clone());
        ctx.add_sip_uui(value);
        ctx.into()
    }

    /// A copy with a custom SIP header added; `key` gets `prefix` unless it already has it.
    /// (default `X-MS-Custom-`).
    #[uniffi::method(default(prefix = None))]
    pub fn with_sip_x(
        &self,
        key: String,
        value: String,
        prefix: Option<SipHeaderPrefix>,
    ) -> CustomCallingContext {
        let mut ctx = core::CustomCallingContext::from(self.clone());
        let prefix = prefix.map(Into::into).unwrap_or_default();
        ctx.add_sip_x(key, value, prefix);
        ctx.into()
    }
}

/// Whom to call or add, with the caller id a PSTN target sees.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CallInvite {
    pub target: CommunicationIdentifier,
    /// E.164 number shown to a PSTN target; required when `target` is a phone number.
    #[uniffi(default = None)]
    pub source_caller_id_number: Option<String>,
    #[uniffi(default = None)]
    pub source_display_name: Option<String>,
    #[uniffi(default = None)]
    pub custom_calling_context: Option<CustomCallingContext>,
}

impl From<CallInvite> for core::CallInvite {
    fn from(i: CallInvite) -> Self {
        core::CallInvite {
            target: i.target.into(),
            source_caller_id_number: i.source_caller_id_number,
            source_display_name: i.source_display_name,
            custom_calling_context: ctx_to_core(i.custom_calling_context),
        }
    }
}

/// The `Repeatability-Request-ID` / `Repeatability-First-Sent` pair of one logical request.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Repeatability {
    pub request_id: String,
    /// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    pub first_sent: String,
}

fn rep(r: Option<Repeatability>) -> Option<core::Repeatability> {
    r.map(|r| core::Repeatability {
        request_id: r.request_id,
        first_sent: r.first_sent,
    })
}

/// `MediaStreamingOptions` (transport `websocket`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MediaStreamingOptions {
    pub transport_type: String,
    pub audio_channel_type: String,
    #[uniffi(default = None)]
    pub transport_url: Option<String>,
    #[uniffi(default = None)]
    pub content_type: Option<String>,
    #[uniffi(default = None)]
    pub start_media_streaming: Option<bool>,
    #[uniffi(default = None)]
    pub enable_bidirectional: Option<bool>,
    #[uniffi(default = None)]
    pub audio_format: Option<String>,
    #[uniffi(default = None)]
    pub enable_dtmf_tones: Option<bool>,
}

fn media(m: Option<MediaStreamingOptions>) -> Option<core::wire::MediaStreamingOptions> {
    m.map(|m| core::wire::MediaStreamingOptions {
        transport_type: m.transport_type,
        audio_channel_type: m.audio_channel_type,
        transport_url: m.transport_url,
        content_type: m.content_type,
        start_media_streaming: m.start_media_streaming,
        enable_bidirectional: m.enable_bidirectional,
        audio_format: m.audio_format,
        enable_dtmf_tones: m.enable_dtmf_tones,
    })
}

/// `TranscriptionOptions` (transport `websocket`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TranscriptionOptions {
    pub transport_type: String,
    pub locale: String,
    #[uniffi(default = None)]
    pub transport_url: Option<String>,
    #[uniffi(default = None)]
    pub speech_model_endpoint_id: Option<String>,
    #[uniffi(default = None)]
    pub start_transcription: Option<bool>,
    #[uniffi(default = None)]
    pub enable_intermediate_results: Option<bool>,
}

fn transcription(t: Option<TranscriptionOptions>) -> Option<core::wire::TranscriptionOptions> {
    t.map(|t| core::wire::TranscriptionOptions {
        transport_type: t.transport_type,
        locale: t.locale,
        transport_url: t.transport_url,
        speech_model_endpoint_id: t.speech_model_endpoint_id,
        start_transcription: t.start_transcription,
        enable_intermediate_results: t.enable_intermediate_results,
    })
}

/// Options of `createCall` and `createGroupCall`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct CreateCallOptions {
    /// Overrides the invitation's caller id; required for a group with a phone number.
    #[uniffi(default = None)]
    pub source_caller_id_number: Option<String>,
    #[uniffi(default = None)]
    pub source_display_name: Option<String>,
    /// The communication user placing the call.
    #[uniffi(default = None)]
    pub source: Option<CommunicationIdentifier>,
    /// Call as a Teams resource account.
    #[uniffi(default = None)]
    pub teams_app_source: Option<CommunicationIdentifier>,
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub cognitive_services_endpoint: Option<String>,
    #[uniffi(default = None)]
    pub media_streaming: Option<MediaStreamingOptions>,
    #[uniffi(default = None)]
    pub transcription: Option<TranscriptionOptions>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<CreateCallOptions> for core::CreateCallOptions {
    fn from(o: CreateCallOptions) -> Self {
        core::CreateCallOptions {
            source_caller_id_number: o.source_caller_id_number,
            source_display_name: o.source_display_name,
            source: o.source.map(Into::into),
            teams_app_source: o.teams_app_source.map(Into::into),
            operation_context: o.operation_context,
            cognitive_services_endpoint: o.cognitive_services_endpoint,
            media_streaming: media(o.media_streaming),
            transcription: transcription(o.transcription),
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `answerCall`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct AnswerCallOptions {
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub cognitive_services_endpoint: Option<String>,
    /// The communication user answering on the app's behalf.
    #[uniffi(default = None)]
    pub answered_by: Option<CommunicationIdentifier>,
    #[uniffi(default = None)]
    pub media_streaming: Option<MediaStreamingOptions>,
    #[uniffi(default = None)]
    pub transcription: Option<TranscriptionOptions>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<AnswerCallOptions> for core::AnswerCallOptions {
    fn from(o: AnswerCallOptions) -> Self {
        core::AnswerCallOptions {
            operation_context: o.operation_context,
            cognitive_services_endpoint: o.cognitive_services_endpoint,
            answered_by: o.answered_by.map(Into::into),
            media_streaming: media(o.media_streaming),
            transcription: transcription(o.transcription),
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `connectCall`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ConnectCallOptions {
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub cognitive_services_endpoint: Option<String>,
    #[uniffi(default = None)]
    pub media_streaming: Option<MediaStreamingOptions>,
    #[uniffi(default = None)]
    pub transcription: Option<TranscriptionOptions>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<ConnectCallOptions> for core::ConnectCallOptions {
    fn from(o: ConnectCallOptions) -> Self {
        core::ConnectCallOptions {
            operation_context: o.operation_context,
            cognitive_services_endpoint: o.cognitive_services_endpoint,
            media_streaming: media(o.media_streaming),
            transcription: transcription(o.transcription),
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `redirectCall`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct RedirectCallOptions {
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<RedirectCallOptions> for core::RedirectCallOptions {
    fn from(o: RedirectCallOptions) -> Self {
        core::RedirectCallOptions {
            repeatability: rep(o.repeatability),
        }
    }
}

/// Why an incoming call is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CallRejectReason {
    None,
    Busy,
    Forbidden,
}

/// Options of `rejectCall`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct RejectCallOptions {
    /// `nil` / `null` sends no reason; the service then uses `none`.
    #[uniffi(default = None)]
    pub call_reject_reason: Option<CallRejectReason>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<RejectCallOptions> for core::RejectCallOptions {
    fn from(o: RejectCallOptions) -> Self {
        core::RejectCallOptions {
            call_reject_reason: o.call_reject_reason.map(|r| match r {
                CallRejectReason::None => core::CallRejectReason::None,
                CallRejectReason::Busy => core::CallRejectReason::Busy,
                CallRejectReason::Forbidden => core::CallRejectReason::Forbidden,
            }),
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `transferCallToParticipant`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct TransferCallToParticipantOptions {
    /// The participant moved away (group calls); unset transfers the other party of a 1:1 call.
    #[uniffi(default = None)]
    pub transferee: Option<CommunicationIdentifier>,
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub operation_callback_url: Option<String>,
    #[uniffi(default = None)]
    pub custom_calling_context: Option<CustomCallingContext>,
    #[uniffi(default = None)]
    pub source_caller_id_number: Option<String>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<TransferCallToParticipantOptions> for core::TransferCallToParticipantOptions {
    fn from(o: TransferCallToParticipantOptions) -> Self {
        core::TransferCallToParticipantOptions {
            transferee: o.transferee.map(Into::into),
            operation_context: o.operation_context,
            operation_callback_url: o.operation_callback_url,
            custom_calling_context: ctx_to_core(o.custom_calling_context),
            source_caller_id_number: o.source_caller_id_number,
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `addParticipant`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct AddParticipantOptions {
    /// 1 to 180 seconds.
    #[uniffi(default = None)]
    pub invitation_timeout_in_seconds: Option<u32>,
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub operation_callback_url: Option<String>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<AddParticipantOptions> for core::AddParticipantOptions {
    fn from(o: AddParticipantOptions) -> Self {
        core::AddParticipantOptions {
            invitation_timeout_in_seconds: o.invitation_timeout_in_seconds,
            operation_context: o.operation_context,
            operation_callback_url: o.operation_callback_url,
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `removeParticipant`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct RemoveParticipantOptions {
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub operation_callback_url: Option<String>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<RemoveParticipantOptions> for core::RemoveParticipantOptions {
    fn from(o: RemoveParticipantOptions) -> Self {
        core::RemoveParticipantOptions {
            operation_context: o.operation_context,
            operation_callback_url: o.operation_callback_url,
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `moveParticipants`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct MoveParticipantsOptions {
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub operation_callback_url: Option<String>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<MoveParticipantsOptions> for core::MoveParticipantsOptions {
    fn from(o: MoveParticipantsOptions) -> Self {
        core::MoveParticipantsOptions {
            operation_context: o.operation_context,
            operation_callback_url: o.operation_callback_url,
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `cancelAddParticipantOperation`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct CancelAddParticipantOperationOptions {
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub operation_callback_url: Option<String>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<CancelAddParticipantOperationOptions> for core::CancelAddParticipantOperationOptions {
    fn from(o: CancelAddParticipantOperationOptions) -> Self {
        core::CancelAddParticipantOperationOptions {
            operation_context: o.operation_context,
            operation_callback_url: o.operation_callback_url,
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `muteParticipant`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct MuteParticipantOptions {
    #[uniffi(default = None)]
    pub operation_context: Option<String>,
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<MuteParticipantOptions> for core::MuteParticipantOptions {
    fn from(o: MuteParticipantOptions) -> Self {
        core::MuteParticipantOptions {
            operation_context: o.operation_context,
            repeatability: rep(o.repeatability),
        }
    }
}

/// Options of `hangUp` beyond `isForEveryone`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct HangUpOptions {
    /// Used for the terminate request (`isForEveryone = true`), which is repeatable.
    #[uniffi(default = None)]
    pub repeatability: Option<Repeatability>,
}

impl From<HangUpOptions> for core::HangUpOptions {
    fn from(o: HangUpOptions) -> Self {
        core::HangUpOptions {
            repeatability: rep(o.repeatability),
        }
    }
}

/// Client-wide settings; unset fields keep the core's defaults.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ClientOptions {
    /// Default `2026-03-12` (as the official SDKs 1.6).
    #[uniffi(default = None)]
    pub api_version: Option<String>,
    /// Per attempt, connect to last byte (default 30 000 ms).
    #[uniffi(default = None)]
    pub timeout_ms: Option<i64>,
    /// Retries after the first attempt (default 3; 0 disables retrying).
    #[uniffi(default = None)]
    pub max_retries: Option<u32>,
    /// Appended to `callsteer/<version>` in the user agent.
    #[uniffi(default = None)]
    pub user_agent_suffix: Option<String>,
    /// Give add / remove / transfer / cancel a unique operation context when none is given
    /// (default false, as the official SDKs send none; turn it on when overlapping transfers or
    /// adds of one participant run on one call).
    #[uniffi(default = None)]
    pub generate_operation_context: Option<bool>,
    /// The communication user this client acts as: `source` of `createCall` and `answeredBy`
    /// of `answerCall` unless their options name one (the official SDKs' client `source`).
    #[uniffi(default = None)]
    pub source: Option<CommunicationIdentifier>,
    /// Share callback events with the app's other instances through Redis Streams
    /// (`redis://…`, `rediss://…` for TLS); see the README, "Scale-out".
    #[uniffi(default = None)]
    pub event_bus_url: Option<String>,
}

impl From<ClientOptions> for core::ClientOptions {
    fn from(o: ClientOptions) -> Self {
        let mut options = core::ClientOptions::default();
        if let Some(v) = o.api_version {
            options.api_version = v;
        }
        if let Some(ms) = o.timeout_ms {
            options.timeout = crate::millis(ms);
        }
        if let Some(n) = o.max_retries {
            options.retry.max_retries = n;
        }
        options.user_agent_suffix = o.user_agent_suffix;
        if let Some(g) = o.generate_operation_context {
            options.generate_operation_context = g;
        }
        options.source = o.source.map(Into::into);
        options.event_bus_url = o.event_bus_url;
        options
    }
}

/// `resultInformation {code, subCode, message}` of an event.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ResultInformation {
    pub code: Option<i32>,
    pub sub_code: Option<i32>,
    pub message: Option<String>,
    /// The SIP response behind the result (api-version 2026-03-12).
    pub sip_details: Option<SipDiagnosticInfo>,
    /// The Q.850 cause behind the result (api-version 2026-03-12).
    pub q850_details: Option<SipDiagnosticInfo>,
}

/// A SIP response or Q.850 cause code with its message.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SipDiagnosticInfo {
    pub code: Option<i32>,
    pub message: Option<String>,
}

impl From<core::ResultInformation> for ResultInformation {
    fn from(r: core::ResultInformation) -> Self {
        let details = |d: Option<core::SipDiagnosticInfo>| {
            d.map(|d| SipDiagnosticInfo {
                code: d.code,
                message: d.message,
            })
        };
        ResultInformation {
            code: r.code,
            sub_code: r.sub_code,
            message: r.message,
            sip_details: details(r.sip_details),
            q850_details: details(r.q850_details),
        }
    }
}

impl From<ResultInformation> for core::ResultInformation {
    fn from(r: ResultInformation) -> Self {
        let details = |d: Option<SipDiagnosticInfo>| {
            d.map(|d| core::SipDiagnosticInfo {
                code: d.code,
                message: d.message,
            })
        };
        core::ResultInformation {
            code: r.code,
            sub_code: r.sub_code,
            message: r.message,
            sip_details: details(r.sip_details),
            q850_details: details(r.q850_details),
        }
    }
}

/// One participant of a call.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CallParticipant {
    pub identifier: CommunicationIdentifier,
    pub is_muted: bool,
    pub is_on_hold: bool,
}

impl From<core::CallParticipant> for CallParticipant {
    fn from(p: core::CallParticipant) -> Self {
        CallParticipant {
            identifier: p.identifier.into(),
            is_muted: p.is_muted,
            is_on_hold: p.is_on_hold,
        }
    }
}

impl From<CallParticipant> for core::CallParticipant {
    fn from(p: CallParticipant) -> Self {
        core::CallParticipant {
            identifier: p.identifier.into(),
            is_muted: p.is_muted,
            is_on_hold: p.is_on_hold,
        }
    }
}

/// The state of a call connection.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CallConnectionState {
    Unknown,
    Connecting,
    Connected,
    Transferring,
    TransferAccepted,
    Disconnecting,
    Disconnected,
    /// A state this version does not know yet, kept verbatim.
    Other {
        value: String,
    },
}

impl From<core::CallConnectionState> for CallConnectionState {
    fn from(s: core::CallConnectionState) -> Self {
        use core::CallConnectionState as C;
        match s {
            C::Unknown => Self::Unknown,
            C::Connecting => Self::Connecting,
            C::Connected => Self::Connected,
            C::Transferring => Self::Transferring,
            C::TransferAccepted => Self::TransferAccepted,
            C::Disconnecting => Self::Disconnecting,
            C::Disconnected => Self::Disconnected,
            C::Other(value) => Self::Other { value },
        }
    }
}

/// The state's wire name (`connecting`, `connected`, `transferAccepted`, …).
#[uniffi::export]
pub fn call_connection_state_name(state: CallConnectionState) -> String {
    use core::CallConnectionState as C;
    let core_state = match state {
        CallConnectionState::Unknown => C::Unknown,
        CallConnectionState::Connecting => C::Connecting,
        CallConnectionState::Connected => C::Connected,
        CallConnectionState::Transferring => C::Transferring,
        CallConnectionState::TransferAccepted => C::TransferAccepted,
        CallConnectionState::Disconnecting => C::Disconnecting,
        CallConnectionState::Disconnected => C::Disconnected,
        CallConnectionState::Other { value } => C::Other(value),
    };
    core_state.as_str().to_string()
}

/// What the service says about a call connection.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    /// The call's media streaming, when `mediaStreaming` options set it up.
    pub media_streaming_subscription: Option<MediaStreamingSubscription>,
    /// The call's transcription, when `transcription` options set it up.
    pub transcription_subscription: Option<TranscriptionSubscription>,
}

/// A call's media streaming: `state` is `disabled`, `inactive` or `active`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MediaStreamingSubscription {
    pub id: Option<String>,
    pub state: Option<String>,
    pub subscribed_content_types: Option<Vec<String>>,
}

/// A call's transcription: `state` is `disabled`, `inactive` or `active`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TranscriptionSubscription {
    pub id: Option<String>,
    pub state: Option<String>,
    pub subscribed_result_types: Option<Vec<String>>,
    pub locale: Option<String>,
}

impl From<core::CallConnectionProperties> for CallConnectionProperties {
    fn from(p: core::CallConnectionProperties) -> Self {
        CallConnectionProperties {
            call_connection_id: p.call_connection_id,
            server_call_id: p.server_call_id,
            targets: p.targets.into_iter().map(Into::into).collect(),
            call_connection_state: p.call_connection_state.into(),
            callback_url: p.callback_url,
            source_caller_id_number: p.source_caller_id_number.map(Into::into),
            source_display_name: p.source_display_name,
            source: p.source.map(Into::into),
            correlation_id: p.correlation_id,
            answered_by: p.answered_by.map(Into::into),
            answered_for: p.answered_for.map(Into::into),
            media_streaming_subscription: p.media_streaming_subscription.map(|s| {
                MediaStreamingSubscription {
                    id: s.id,
                    state: s.state,
                    subscribed_content_types: s.subscribed_content_types,
                }
            }),
            transcription_subscription: p.transcription_subscription.map(|s| {
                TranscriptionSubscription {
                    id: s.id,
                    state: s.state,
                    subscribed_result_types: s.subscribed_result_types,
                    locale: s.locale,
                }
            }),
        }
    }
}

/// Result of `muteParticipant` (no outcome event follows).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MuteParticipantResult {
    pub operation_context: Option<String>,
}
