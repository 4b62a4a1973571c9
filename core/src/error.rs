//! One error type for the whole library; every binding maps [`ErrorKind`] to its own idiom.

use std::time::Duration;

/// The stable, field-less category of an [`Error`]; bindings switch on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    Auth,
    Service,
    Transport,
    Timeout,
    EventParse,
}

impl ErrorKind {
    /// A machine-readable name, identical in every language.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::Auth => "Auth",
            ErrorKind::Service => "Service",
            ErrorKind::Transport => "Transport",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::EventParse => "EventParse",
        }
    }
}

/// Everything that can go wrong in callsteer.
///
/// No variant ever holds a secret: access keys and tokens are dropped before an error is built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input refused locally, before any request was sent.
    ///
    /// `field` is the canonical name of the offending field: the service's wire name or the
    /// option's name (e.g. `sourceCallerIdNumber`, `targets[2]`), the same in every language.
    /// [`Error::field_in`] and [`Error::message_in`] render it the way the caller's language
    /// spells it; `Display` renders it for Rust.
    #[error("invalid argument `{}`: {message}", field_name(field, Language::Rust))]
    InvalidArgument { field: String, message: String },

    /// A credential could not be used (malformed key, token provider failure, bad callback token).
    #[error("authentication error: {message}")]
    Auth { message: String },

    /// The service answered with a non-success status.
    #[error("service error {status} {code}: {message}{}", request_id.as_deref().map(|r| format!(" (request id {r})")).unwrap_or_default())]
    Service {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },

    /// The request could not be delivered or the response could not be read.
    #[error("transport error: {message}")]
    Transport { message: String },

    /// An operation or wait did not finish in time.
    #[error("timed out: {message}")]
    Timeout { message: String },

    /// A callback body or event could not be parsed; `path` says where.
    #[error("event parse error at {path}: {message}")]
    EventParse { path: String, message: String },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Error::Auth { .. } => ErrorKind::Auth,
            Error::Service { .. } => ErrorKind::Service,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::EventParse { .. } => ErrorKind::EventParse,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn auth(message: impl Into<String>) -> Self {
        Error::Auth {
            message: message.into(),
        }
    }

    pub fn transport(message: impl Into<String>) -> Self {
        Error::Transport {
            message: message.into(),
        }
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Error::Timeout {
            message: message.into(),
        }
    }

    pub fn event_parse(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::EventParse {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The offending field of an `InvalidArgument`, as `language` names it (e.g.
    /// `invitation_timeout` in Python for the canonical `invitationTimeoutInSeconds`).
    ///
    /// ```
    /// use callsteer::{Error, Language};
    /// let e = Error::invalid("targets[2]", "must not be empty");
    /// assert_eq!(e.field_in(Language::Python).as_deref(), Some("target_participants[2]"));
    /// assert_eq!(e.field_in(Language::Node).as_deref(), Some("targetParticipants[2]"));
    /// ```
    pub fn field_in(&self, language: Language) -> Option<String> {
        match self {
            Error::InvalidArgument { field, .. } => Some(field_name(field, language)),
            _ => None,
        }
    }

    /// The error's text as `language` would show it: the same as `Display` but with the field
    /// of an `InvalidArgument` in that language's spelling.
    pub fn message_in(&self, language: Language) -> String {
        match self {
            Error::InvalidArgument { field, message } => format!(
                "invalid argument `{}`: {message}",
                field_name(field, language)
            ),
            other => other.to_string(),
        }
    }

    /// The HTTP status of a service error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Service { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A language callsteer is used from; field names in errors follow its spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Rust,
    Python,
    Node,
    Swift,
    Kotlin,
}

/// One row of [`FIELD_NAMES`]: a canonical field and its name in each language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldNames {
    pub canonical: &'static str,
    pub rust: &'static str,
    /// The official Python SDK's keyword (or positional parameter) name.
    pub python: &'static str,
    /// The official JS SDK's parameter or option name.
    pub node: &'static str,
    /// The uniffi parameter / record field name (Swift and Kotlin get the same camelCase).
    pub swift: &'static str,
    pub kotlin: &'static str,
}

impl FieldNames {
    pub fn get(&self, language: Language) -> &'static str {
        match language {
            Language::Rust => self.rust,
            Language::Python => self.python,
            Language::Node => self.node,
            Language::Swift => self.swift,
            Language::Kotlin => self.kotlin,
        }
    }
}

macro_rules! fields {
    ($(($c:literal, $r:literal, $p:literal, $n:literal, $s:literal)),* $(,)?) => {
        &[$(FieldNames { canonical: $c, rust: $r, python: $p, node: $n, swift: $s, kotlin: $s }),*]
    };
}

/// Every field an `InvalidArgument` can name, canonical first, then its name in Rust, Python,
/// Node and Swift/Kotlin (uniffi generates the same camelCase names for both). The one place
/// where a binding's spelling of a field is decided; `core/tests/client_rules.rs` checks that
/// every field the core and the bindings raise is here.
pub const FIELD_NAMES: &[FieldNames] = fields![
    // (canonical, Rust, Python, Node, Swift/Kotlin)
    // create_call's invitation target (sent as `targets[0]`).
    (
        "callInvite.target",
        "invite.target",
        "target_participant",
        "targetParticipant",
        "callInvite.target"
    ),
    (
        "targets",
        "targets",
        "target_participants",
        "targetParticipants",
        "targets"
    ),
    // transfer_call_to_participant's target.
    (
        "targetParticipant",
        "target",
        "target_participant",
        "targetParticipant",
        "targetParticipant"
    ),
    // mute_participant's participant (sent as `targetParticipants[0]`).
    (
        "targetParticipants",
        "participant",
        "target_participant",
        "participant",
        "targetParticipant"
    ),
    (
        "participantToAdd",
        "invite.target",
        "target_participant",
        "targetParticipant",
        "participantToAdd.target"
    ),
    (
        "participantToRemove",
        "participant",
        "target_participant",
        "participant",
        "participantToRemove"
    ),
    // move_participants' participants and the call they come from.
    (
        "moveTargetParticipants",
        "targets",
        "target_participants",
        "targetParticipants",
        "targetParticipants"
    ),
    (
        "fromCall",
        "from_call_id",
        "from_call_id",
        "fromCall",
        "fromCall"
    ),
    (
        "participantRawId",
        "participant",
        "target_participant",
        "targetParticipant",
        "participant"
    ),
    (
        "target",
        "target",
        "target_participant",
        "targetParticipant",
        "target"
    ),
    (
        "transferee",
        "transferee",
        "transferee",
        "transferee",
        "transferee"
    ),
    (
        "sourceCallerIdNumber",
        "source_caller_id_number",
        "source_caller_id_number",
        "sourceCallIdNumber",
        "sourceCallerIdNumber"
    ),
    (
        "sourceDisplayName",
        "source_display_name",
        "source_display_name",
        "sourceDisplayName",
        "sourceDisplayName"
    ),
    ("source", "source", "source", "sourceIdentity", "source"),
    (
        "teamsAppSource",
        "teams_app_source",
        "teams_app_source",
        "teamsAppSource",
        "teamsAppSource"
    ),
    (
        "answeredBy",
        "answered_by",
        "source",
        "answeredBy",
        "answeredBy"
    ),
    (
        "callbackUri",
        "callback_url",
        "callback_url",
        "callbackUrl",
        "callbackUrl"
    ),
    (
        "operationCallbackUri",
        "operation_callback_url",
        "operation_callback_url",
        "operationCallbackUrl",
        "operationCallbackUrl"
    ),
    (
        "operationContext",
        "operation_context",
        "operation_context",
        "operationContext",
        "operationContext"
    ),
    (
        "invitationTimeoutInSeconds",
        "invitation_timeout_in_seconds",
        "invitation_timeout",
        "invitationTimeoutInSeconds",
        "invitationTimeoutInSeconds"
    ),
    (
        "customCallingContext",
        "custom_calling_context",
        "custom_calling_context",
        "customCallingContext",
        "customCallingContext"
    ),
    (
        "customCallingContext.sipHeaders",
        "custom_calling_context.sip_headers",
        "sip_headers",
        "customCallingContext",
        "customCallingContext.sipHeaders"
    ),
    (
        "customCallingContext.voipHeaders",
        "custom_calling_context.voip_headers",
        "voip_headers",
        "customCallingContext",
        "customCallingContext.voipHeaders"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails",
        "custom_calling_context.teams_phone_call_details",
        "teams_phone_call_details",
        "TeamsPhoneCallDetails",
        "customCallingContext.teamsPhoneCallDetails"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.callTopic",
        "custom_calling_context.teams_phone_call_details.call_topic",
        "teams_phone_call_details.call_topic",
        "TeamsPhoneCallDetails.callTopic",
        "customCallingContext.teamsPhoneCallDetails.callTopic"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCallerDetails.caller",
        "custom_calling_context.teams_phone_call_details.teams_phone_caller.caller",
        "teams_phone_call_details.teams_phone_caller.caller",
        "TeamsPhoneCallDetails.teamsPhoneCallerDetails.caller",
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCaller.caller"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCallerDetails.name",
        "custom_calling_context.teams_phone_call_details.teams_phone_caller.name",
        "teams_phone_call_details.teams_phone_caller.name",
        "TeamsPhoneCallDetails.teamsPhoneCallerDetails.name",
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCaller.name"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCallerDetails.phoneNumber",
        "custom_calling_context.teams_phone_call_details.teams_phone_caller.phone_number",
        "teams_phone_call_details.teams_phone_caller.phone_number",
        "TeamsPhoneCallDetails.teamsPhoneCallerDetails.phoneNumber",
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCaller.phoneNumber"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCallerDetails.additionalCallerInformation",
        "custom_calling_context.teams_phone_call_details.teams_phone_caller.additional_caller_information",
        "teams_phone_call_details.teams_phone_caller.additional_caller_information",
        "TeamsPhoneCallDetails.teamsPhoneCallerDetails.additionalCallerInformation",
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneCaller.additionalCallerInformation"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSourceDetails.source",
        "custom_calling_context.teams_phone_call_details.teams_phone_source.source",
        "teams_phone_call_details.teams_phone_source.source",
        "TeamsPhoneCallDetails.teamsPhoneSourceDetails.source",
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSource.source"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSourceDetails.language",
        "custom_calling_context.teams_phone_call_details.teams_phone_source.language",
        "teams_phone_call_details.teams_phone_source.language",
        "TeamsPhoneCallDetails.teamsPhoneSourceDetails.language",
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSource.language"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSourceDetails.status",
        "custom_calling_context.teams_phone_call_details.teams_phone_source.status",
        "teams_phone_call_details.teams_phone_source.status",
        "TeamsPhoneCallDetails.teamsPhoneSourceDetails.status",
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSource.status"
    ),
    (
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSourceDetails.intendedTargets",
        "custom_calling_context.teams_phone_call_details.teams_phone_source.intended_targets",
        "teams_phone_call_details.teams_phone_source.intended_targets",
        "TeamsPhoneCallDetails.teamsPhoneSourceDetails.intendedTargets",
        "customCallingContext.teamsPhoneCallDetails.teamsPhoneSource.intendedTargets"
    ),
    (
        "cognitiveServicesEndpoint",
        "cognitive_services_endpoint",
        "cognitive_services_endpoint",
        "callIntelligenceOptions.cognitiveServicesEndpoint",
        "cognitiveServicesEndpoint"
    ),
    (
        "mediaStreamingOptions",
        "media_streaming",
        "media_streaming",
        "mediaStreamingOptions",
        "mediaStreaming"
    ),
    (
        "transcriptionOptions",
        "transcription",
        "transcription",
        "transcriptionOptions",
        "transcription"
    ),
    (
        "mediaStreamingOptions.transportType",
        "media_streaming.transport_type",
        "media_streaming.transport_type",
        "mediaStreamingOptions.transportType",
        "mediaStreaming.transportType"
    ),
    (
        "mediaStreamingOptions.audioChannelType",
        "media_streaming.audio_channel_type",
        "media_streaming.audio_channel_type",
        "mediaStreamingOptions.audioChannelType",
        "mediaStreaming.audioChannelType"
    ),
    (
        "mediaStreamingOptions.contentType",
        "media_streaming.content_type",
        "media_streaming.content_type",
        "mediaStreamingOptions.contentType",
        "mediaStreaming.contentType"
    ),
    (
        "mediaStreamingOptions.audioFormat",
        "media_streaming.audio_format",
        "media_streaming.audio_format",
        "mediaStreamingOptions.audioFormat",
        "mediaStreaming.audioFormat"
    ),
    (
        "mediaStreamingOptions.transportUrl",
        "media_streaming.transport_url",
        "media_streaming.transport_url",
        "mediaStreamingOptions.transportUrl",
        "mediaStreaming.transportUrl"
    ),
    (
        "transcriptionOptions.transportType",
        "transcription.transport_type",
        "transcription.transport_type",
        "transcriptionOptions.transportType",
        "transcription.transportType"
    ),
    (
        "transcriptionOptions.locale",
        "transcription.locale",
        "transcription.locale",
        "transcriptionOptions.locale",
        "transcription.locale"
    ),
    (
        "transcriptionOptions.transportUrl",
        "transcription.transport_url",
        "transcription.transport_url",
        "transcriptionOptions.transportUrl",
        "transcription.transportUrl"
    ),
    (
        "incomingCallContext",
        "incoming_call_context",
        "incoming_call_context",
        "incomingCallContext",
        "incomingCallContext"
    ),
    (
        "invitationId",
        "invitation_id",
        "invitation_id",
        "invitationId",
        "invitationId"
    ),
    (
        "callLocator",
        "call_locator",
        "call_locator",
        "callLocator",
        "callLocator"
    ),
    (
        "callRejectReason",
        "call_reject_reason",
        "call_reject_reason",
        "callRejectReason",
        "callRejectReason"
    ),
    (
        "callConnectionId",
        "call_connection_id",
        "call_connection_id",
        "callConnectionId",
        "callConnectionId"
    ),
    ("endpoint", "endpoint", "endpoint", "endpoint", "endpoint"),
    (
        "connection_string",
        "connection_string",
        "conn_str",
        "connectionString",
        "connectionString"
    ),
    (
        "accesskey",
        "access_key",
        "credential",
        "credential",
        "accessKey"
    ),
    (
        "api_version",
        "api_version",
        "api_version",
        "apiVersion",
        "apiVersion"
    ),
    (
        "credential",
        "credential",
        "credential",
        "credential",
        "credential"
    ),
    ("cloud", "cloud", "cloud", "cloud", "cloud"),
    (
        "identifier",
        "identifier",
        "identifier",
        "identifier",
        "identifier"
    ),
    ("body", "body", "body", "body", "body"),
    ("header", "header", "header", "header", "header"),
    ("options", "options", "options", "options", "options"),
    ("timeout", "timeout", "timeout", "timeout", "timeout"),
    ("audience", "audience", "audience", "audience", "audience"),
    ("handler", "handler", "handler", "handler", "handler"),
    // Python: waiting on properties that did not come from an action.
    ("result", "result", "result", "result", "result"),
    // Client options (Node's user agent text is `userAgentOptions.userAgentPrefix`).
    (
        "user_agent_suffix",
        "user_agent_suffix",
        "user_agent",
        "userAgentOptions.userAgentPrefix",
        "userAgentSuffix"
    ),
    (
        "event_bus_url",
        "event_bus_url",
        "event_bus_url",
        "eventBusUrl",
        "eventBusUrl"
    ),
    (
        "stream_key",
        "stream_key",
        "stream_key",
        "streamKey",
        "streamKey"
    ),
    // Callback listener options.
    (
        "max_connections",
        "max_connections",
        "max_connections",
        "maxConnections",
        "maxConnections"
    ),
    (
        "event_grid_secret",
        "event_grid_secret",
        "event_grid_secret",
        "eventGridSecret",
        "eventGridSecret"
    ),
    // Node's per-operation cancellation (no other language has an abort signal).
    (
        "abortSignal",
        "abort_signal",
        "abort_signal",
        "abortSignal",
        "abortSignal"
    ),
];

/// The canonical field `canonical` as `language` names it.
///
/// An index or path suffix is kept: `targets[2]` becomes `target_participants[2]` in Python,
/// `identifier.rawId` keeps `.rawId`. A field missing from the table is returned unchanged
/// (the table test keeps that from happening for every field callsteer raises).
pub fn field_name(canonical: &str, language: Language) -> String {
    if let Some(row) = FIELD_NAMES.iter().find(|r| r.canonical == canonical) {
        return row.get(language).to_string();
    }
    // The longest known prefix that ends at a `[` or `.` boundary.
    let mut best: Option<(&FieldNames, usize)> = None;
    for row in FIELD_NAMES {
        let n = row.canonical.len();
        if canonical.len() > n
            && canonical.starts_with(row.canonical)
            && matches!(canonical.as_bytes()[n], b'[' | b'.')
            && best.map_or(true, |(_, m)| n > m)
        {
            best = Some((row, n));
        }
    }
    match best {
        Some((row, n)) => format!("{}{}", row.get(language), &canonical[n..]),
        None => canonical.to_string(),
    }
}

/// True when `canonical` (or its base before an index / path suffix) is in [`FIELD_NAMES`].
pub fn is_known_field(canonical: &str) -> bool {
    FIELD_NAMES.iter().any(|r| {
        canonical == r.canonical
            || (canonical.starts_with(r.canonical)
                && matches!(
                    canonical.as_bytes().get(r.canonical.len()),
                    Some(b'[' | b'.')
                ))
    })
}
