//! Argument conversion between the JS shapes of `@azure/communication-call-automation` (plain
//! identifier objects, `CallInvite`, option bags) and the core's types. Conversion only: every
//! rule about what is valid lives in the core, which checks the converted values.

use callsteer::identifier::{
    CommunicationIdentifierModel, CommunicationUserIdentifierModel,
    MicrosoftTeamsAppIdentifierModel, MicrosoftTeamsUserIdentifierModel,
    PhoneNumberIdentifierModel, TeamsExtensionUserIdentifierModel,
};
use callsteer::CommunicationCloud;
use std::collections::HashMap;

use napi_derive::napi;

use crate::errors::invalid;

/// A participant, as a plain object: `{ communicationUserId }`, `{ phoneNumber }`,
/// `{ microsoftTeamsUserId, isAnonymous?, cloud? }`, `{ teamsAppId, cloud? }`,
/// `{ userId, tenantId, resourceId, cloud? }` (a Teams Phone extension user) or
/// `{ kind, rawId }`. Identifiers returned by callsteer always carry `kind` and `rawId`.
#[napi(object)]
#[derive(Clone, Default, Debug)]
pub struct CommunicationIdentifier {
    /// `communicationUser` | `phoneNumber` | `microsoftTeamsUser` | `microsoftTeamsApp` |
    /// `teamsExtensionUser` | `unknown`.
    pub kind: Option<String>,
    /// The canonical string form (`8:acs:…`, `4:+1…`, `8:orgid:…`, `28:orgid:…`).
    pub raw_id: Option<String>,
    pub communication_user_id: Option<String>,
    /// E.164, e.g. `+16041234567`.
    pub phone_number: Option<String>,
    pub microsoft_teams_user_id: Option<String>,
    pub is_anonymous: Option<bool>,
    /// `public` | `dod` | `gcch`.
    pub cloud: Option<String>,
    pub teams_app_id: Option<String>,
    /// A Teams Phone extension user's Entra object id, with `tenantId` and `resourceId`.
    pub user_id: Option<String>,
    pub tenant_id: Option<String>,
    /// The Communication Services resource a Teams Phone extension user calls through.
    pub resource_id: Option<String>,
    /// The id of an `unknown` identifier.
    pub id: Option<String>,
}

/// The core's case-insensitive rule (`public`, `PUBLIC`, …), as in every language.
fn cloud(field: &str, value: &Option<String>) -> napi::Result<Option<CommunicationCloud>> {
    value
        .as_ref()
        .map(|c| {
            c.parse::<CommunicationCloud>().map_err(|_| {
                invalid(
                    format!("{field}.cloud"),
                    format!("`{c}` is not public, dod or gcch"),
                )
            })
        })
        .transpose()
}

/// JS identifier → core identifier, through the core's own wire-model reader.
pub fn identifier(
    field: &str,
    id: &CommunicationIdentifier,
) -> napi::Result<callsteer::CommunicationIdentifier> {
    let mut model = CommunicationIdentifierModel {
        raw_id: id.raw_id.clone(),
        ..Default::default()
    };
    if let Some(user) = &id.communication_user_id {
        model.communication_user = Some(CommunicationUserIdentifierModel { id: user.clone() });
    }
    if let Some(number) = &id.phone_number {
        model.phone_number = Some(PhoneNumberIdentifierModel::new(number.clone()));
    }
    if let Some(user) = &id.microsoft_teams_user_id {
        model.microsoft_teams_user = Some(MicrosoftTeamsUserIdentifierModel {
            user_id: user.clone(),
            is_anonymous: id.is_anonymous,
            cloud: cloud(field, &id.cloud)?,
        });
    }
    if let Some(app) = &id.teams_app_id {
        model.microsoft_teams_app = Some(MicrosoftTeamsAppIdentifierModel {
            app_id: app.clone(),
            cloud: cloud(field, &id.cloud)?,
        });
    }
    // As `isTeamsExtensionUserIdentifier` of @azure/communication-common: all three ids.
    if let (Some(user_id), Some(tenant_id), Some(resource_id)) =
        (&id.user_id, &id.tenant_id, &id.resource_id)
    {
        model.teams_extension_user = Some(TeamsExtensionUserIdentifierModel {
            user_id: user_id.clone(),
            tenant_id: tenant_id.clone(),
            resource_id: resource_id.clone(),
            cloud: cloud(field, &id.cloud)?,
        });
    }
    let nested = model.communication_user.is_some()
        || model.phone_number.is_some()
        || model.microsoft_teams_user.is_some()
        || model.microsoft_teams_app.is_some()
        || model.teams_extension_user.is_some();
    if nested {
        // The nested object tells the kind; an explicit `kind` must agree (checked by the core).
        model.kind = id.kind.clone();
    } else if model.raw_id.is_none() {
        // `{ kind: "unknown", id }` as the official SDK returns unknown identifiers.
        model.raw_id = id.id.clone();
        model.kind = id.kind.clone().filter(|_| model.raw_id.is_some());
    } else {
        model.kind = id.kind.clone().filter(|k| k == "unknown");
    }
    if !nested && model.raw_id.is_none() {
        return Err(invalid(
            field,
            "an identifier needs communicationUserId, phoneNumber, microsoftTeamsUserId, teamsAppId, userId + tenantId + resourceId, or rawId",
        ));
    }
    callsteer::CommunicationIdentifier::from_model(&model).map_err(|e| match e {
        callsteer::Error::InvalidArgument { field: f, message } => {
            invalid(f.replacen("identifier", field, 1), message)
        }
        other => crate::errors::to_js(other),
    })
}

pub fn identifiers(
    field: &str,
    ids: &[CommunicationIdentifier],
) -> napi::Result<Vec<callsteer::CommunicationIdentifier>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| identifier(&format!("{field}[{i}]"), id))
        .collect()
}

pub fn opt_identifier(
    field: &str,
    id: &Option<CommunicationIdentifier>,
) -> napi::Result<Option<callsteer::CommunicationIdentifier>> {
    id.as_ref().map(|id| identifier(field, id)).transpose()
}

/// Core identifier → JS identifier (with `kind` and `rawId`, like the service's own models).
pub fn identifier_js(id: &callsteer::CommunicationIdentifier) -> CommunicationIdentifier {
    let mut out = CommunicationIdentifier {
        kind: Some(id.kind().to_string()),
        raw_id: Some(id.raw_id()),
        ..Default::default()
    };
    match id {
        callsteer::CommunicationIdentifier::CommunicationUser { id } => {
            out.communication_user_id = Some(id.clone())
        }
        callsteer::CommunicationIdentifier::PhoneNumber { phone_number, .. } => {
            out.phone_number = Some(phone_number.clone())
        }
        callsteer::CommunicationIdentifier::MicrosoftTeamsUser {
            user_id,
            is_anonymous,
            cloud,
            ..
        } => {
            out.microsoft_teams_user_id = Some(user_id.clone());
            out.is_anonymous = Some(*is_anonymous);
            out.cloud = Some(cloud.as_str().to_string());
        }
        callsteer::CommunicationIdentifier::MicrosoftTeamsApp { app_id, cloud, .. } => {
            out.teams_app_id = Some(app_id.clone());
            out.cloud = Some(cloud.as_str().to_string());
        }
        callsteer::CommunicationIdentifier::TeamsExtensionUser {
            user_id,
            tenant_id,
            resource_id,
            cloud,
            ..
        } => {
            out.user_id = Some(user_id.clone());
            out.tenant_id = Some(tenant_id.clone());
            out.resource_id = Some(resource_id.clone());
            out.cloud = Some(cloud.as_str().to_string());
        }
        callsteer::CommunicationIdentifier::Unknown { id } => out.id = Some(id.clone()),
    }
    out
}

pub fn opt_identifier_js(
    id: &Option<callsteer::CommunicationIdentifier>,
) -> Option<CommunicationIdentifier> {
    id.as_ref().map(identifier_js)
}

/// Parses a raw id (`8:acs:…`, `4:+1…`, …) into an identifier object, as
/// `createIdentifierFromRawId` of `@azure/communication-common` does.
#[napi(catch_unwind)]
pub fn create_identifier_from_raw_id(raw_id: String) -> CommunicationIdentifier {
    identifier_js(&callsteer::identifier_from_raw_id(&raw_id))
}

/// One custom calling context entry: a header `{ kind: "voip" | "sipuui" | "sipx", key, value }`
/// or the Teams Phone call details `{ kind: "TeamsPhoneCallDetails", teamsPhoneCallerDetails?,
/// teamsPhoneSourceDetails?, sessionId?, intent?, callTopic?, … }` (api-version 2026-03-12).
#[napi(object)]
#[derive(Clone, Debug)]
pub struct CustomCallingContextHeader {
    /// `voip` | `sipuui` | `sipx` | `TeamsPhoneCallDetails`.
    pub kind: String,
    /// Header name (ignored for `sipuui`, which is always `User-To-User`).
    pub key: Option<String>,
    /// The header's value (required for the header kinds).
    pub value: Option<String>,
    /// For `sipx`: `X-MS-Custom-` (default) or `X-`.
    pub sip_header_prefix: Option<String>,
    pub teams_phone_caller_details: Option<TeamsPhoneCallerDetails>,
    pub teams_phone_source_details: Option<TeamsPhoneSourceDetails>,
    pub session_id: Option<String>,
    pub intent: Option<String>,
    /// Shown in the Teams call notification; at most 48 characters.
    pub call_topic: Option<String>,
    pub call_context: Option<String>,
    pub transcript_url: Option<String>,
    pub call_sentiment: Option<String>,
    pub suggested_actions: Option<String>,
}

/// The call details a Teams Phone agent sees, as `IncomingCall.customContext` carries them.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct TeamsPhoneCallDetails {
    /// Always `TeamsPhoneCallDetails`, so the object can go back into a `customCallingContext`.
    pub kind: String,
    pub teams_phone_caller_details: Option<TeamsPhoneCallerDetails>,
    pub teams_phone_source_details: Option<TeamsPhoneSourceDetails>,
    pub session_id: Option<String>,
    pub intent: Option<String>,
    pub call_topic: Option<String>,
    pub call_context: Option<String>,
    pub transcript_url: Option<String>,
    pub call_sentiment: Option<String>,
    pub suggested_actions: Option<String>,
}

/// The original caller of a call handed to a Teams Phone agent.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct TeamsPhoneCallerDetails {
    pub caller: CommunicationIdentifier,
    pub name: String,
    pub phone_number: String,
    pub record_id: Option<String>,
    pub screen_pop_url: Option<String>,
    pub is_authenticated: Option<bool>,
    /// At most 10 entries.
    pub additional_caller_information: Option<HashMap<String, String>>,
}

/// The bot or IVR that passes the call on, with the targets it meant.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct TeamsPhoneSourceDetails {
    pub source: CommunicationIdentifier,
    /// ISO 639, e.g. `en-US`.
    pub language: String,
    pub status: String,
    pub intended_targets: Option<HashMap<String, CommunicationIdentifier>>,
}

fn teams_phone_call_details(
    field: &str,
    h: &CustomCallingContextHeader,
) -> napi::Result<callsteer::TeamsPhoneCallDetails> {
    let caller = match &h.teams_phone_caller_details {
        None => None,
        Some(c) => Some(callsteer::TeamsPhoneCallerDetails {
            caller: identifier(
                &format!("{field}.teamsPhoneCallerDetails.caller"),
                &c.caller,
            )?,
            name: c.name.clone(),
            phone_number: c.phone_number.clone(),
            record_id: c.record_id.clone(),
            screen_pop_url: c.screen_pop_url.clone(),
            is_authenticated: c.is_authenticated,
            additional_caller_information: c
                .additional_caller_information
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
        }),
    };
    let source = match &h.teams_phone_source_details {
        None => None,
        Some(s) => {
            let mut intended_targets = std::collections::BTreeMap::new();
            for (key, target) in s.intended_targets.iter().flatten() {
                let at = format!("{field}.teamsPhoneSourceDetails.intendedTargets[{key}]");
                intended_targets.insert(key.clone(), identifier(&at, target)?);
            }
            Some(callsteer::TeamsPhoneSourceDetails {
                source: identifier(
                    &format!("{field}.teamsPhoneSourceDetails.source"),
                    &s.source,
                )?,
                language: s.language.clone(),
                status: s.status.clone(),
                intended_targets,
            })
        }
    };
    Ok(callsteer::TeamsPhoneCallDetails {
        teams_phone_caller: caller,
        teams_phone_source: source,
        session_id: h.session_id.clone(),
        intent: h.intent.clone(),
        call_topic: h.call_topic.clone(),
        call_context: h.call_context.clone(),
        transcript_url: h.transcript_url.clone(),
        call_sentiment: h.call_sentiment.clone(),
        suggested_actions: h.suggested_actions.clone(),
    })
}

/// Core details → the JS object (`kind: "TeamsPhoneCallDetails"`).
pub fn teams_phone_call_details_js(d: &callsteer::TeamsPhoneCallDetails) -> TeamsPhoneCallDetails {
    TeamsPhoneCallDetails {
        kind: "TeamsPhoneCallDetails".to_string(),
        teams_phone_caller_details: d.teams_phone_caller.as_ref().map(|c| {
            TeamsPhoneCallerDetails {
                caller: identifier_js(&c.caller),
                name: c.name.clone(),
                phone_number: c.phone_number.clone(),
                record_id: c.record_id.clone(),
                screen_pop_url: c.screen_pop_url.clone(),
                is_authenticated: c.is_authenticated,
                additional_caller_information: (!c.additional_caller_information.is_empty()).then(
                    || {
                        c.additional_caller_information
                            .clone()
                            .into_iter()
                            .collect()
                    },
                ),
            }
        }),
        teams_phone_source_details: d.teams_phone_source.as_ref().map(|s| {
            TeamsPhoneSourceDetails {
                source: identifier_js(&s.source),
                language: s.language.clone(),
                status: s.status.clone(),
                intended_targets: (!s.intended_targets.is_empty()).then(|| {
                    s.intended_targets
                        .iter()
                        .map(|(k, v)| (k.clone(), identifier_js(v)))
                        .collect()
                }),
            }
        }),
        session_id: d.session_id.clone(),
        intent: d.intent.clone(),
        call_topic: d.call_topic.clone(),
        call_context: d.call_context.clone(),
        transcript_url: d.transcript_url.clone(),
        call_sentiment: d.call_sentiment.clone(),
        suggested_actions: d.suggested_actions.clone(),
    }
}

pub fn custom_calling_context(
    headers: &Option<Vec<CustomCallingContextHeader>>,
) -> napi::Result<callsteer::CustomCallingContext> {
    let mut ctx = callsteer::CustomCallingContext::new();
    for (i, h) in headers.iter().flatten().enumerate() {
        let key = h.key.clone().unwrap_or_default();
        if h.kind == "TeamsPhoneCallDetails" {
            // As the official SDK: the last such entry wins.
            ctx.teams_phone_call_details = Some(teams_phone_call_details(
                &format!("customCallingContext[{i}]"),
                h,
            )?);
            continue;
        }
        let value = h.value.clone().ok_or_else(|| {
            invalid(
                format!("customCallingContext[{i}].value"),
                format!("a `{}` header needs a value", h.kind),
            )
        })?;
        match h.kind.as_str() {
            "voip" => {
                ctx.add_voip(key, value);
            }
            "sipuui" => {
                ctx.add_sip_uui(value);
            }
            "sipx" => {
                let prefix = match h.sip_header_prefix.as_deref() {
                    None | Some("X-MS-Custom-") => callsteer::SipHeaderPrefix::XmsCustom,
                    Some("X-") => callsteer::SipHeaderPrefix::X,
                    Some(other) => {
                        return Err(invalid(
                            format!("customCallingContext[{i}].sipHeaderPrefix"),
                            format!("`{other}` is not `X-MS-Custom-` or `X-`"),
                        ))
                    }
                };
                ctx.add_sip_x(key, value, prefix);
            }
            other => {
                return Err(invalid(
                    format!("customCallingContext[{i}].kind"),
                    format!("`{other}` is not voip, sipuui, sipx or TeamsPhoneCallDetails"),
                ))
            }
        }
    }
    Ok(ctx)
}

/// Whom to call or add: `{ targetParticipant, sourceCallIdNumber?, sourceDisplayName?,
/// customCallingContext? }`.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct CallInvite {
    pub target_participant: Option<CommunicationIdentifier>,
    /// The caller id a phone-number target sees: `{ phoneNumber: "+1…" }`.
    pub source_call_id_number: Option<CommunicationIdentifier>,
    pub source_display_name: Option<String>,
    pub custom_calling_context: Option<Vec<CustomCallingContextHeader>>,
}

/// The E.164 number of a `{ phoneNumber }` caller id.
pub fn caller_id(
    field: &str,
    id: &Option<CommunicationIdentifier>,
) -> napi::Result<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) => match identifier(field, id)? {
            callsteer::CommunicationIdentifier::PhoneNumber { phone_number, .. } => {
                Ok(Some(phone_number))
            }
            _ => Err(invalid(
                field,
                "must be a phone number identifier `{ phoneNumber }`",
            )),
        },
    }
}

pub fn call_invite(field: &str, invite: &CallInvite) -> napi::Result<callsteer::CallInvite> {
    let target = match &invite.target_participant {
        Some(t) => identifier("targetParticipant", t)?,
        None => return Err(invalid(format!("{field}.targetParticipant"), "is required")),
    };
    let mut out = callsteer::CallInvite::new(target);
    out.source_caller_id_number = caller_id("sourceCallerIdNumber", &invite.source_call_id_number)?;
    out.source_display_name = invite.source_display_name.clone();
    out.custom_calling_context = custom_calling_context(&invite.custom_calling_context)?;
    Ok(out)
}

/// `{ kind: "serverCallLocator" | "groupCallLocator" | "roomCallLocator", id }`.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct CallLocator {
    pub id: String,
    /// `serverCallLocator` | `groupCallLocator` | `roomCallLocator`.
    pub kind: String,
}

pub fn call_locator(locator: &CallLocator) -> napi::Result<callsteer::CallLocator> {
    let id = locator.id.clone();
    match locator.kind.as_str() {
        "serverCallLocator" => Ok(callsteer::CallLocator::ServerCall(id)),
        "groupCallLocator" => Ok(callsteer::CallLocator::GroupCall(id)),
        "roomCallLocator" => Ok(callsteer::CallLocator::Room(id)),
        other => Err(invalid(
            "callLocator.kind",
            format!("`{other}` is not serverCallLocator, groupCallLocator or roomCallLocator"),
        )),
    }
}

/// `{ cognitiveServicesEndpoint }`.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct CallIntelligenceOptions {
    pub cognitive_services_endpoint: Option<String>,
}

pub fn cognitive(options: &Option<CallIntelligenceOptions>) -> Option<String> {
    options
        .as_ref()
        .and_then(|o| o.cognitive_services_endpoint.clone())
}

/// `{ timeoutMs }` for the waits of the event processor.
#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct WaitOptions {
    /// Milliseconds (default 30 000).
    pub timeout_ms: Option<u32>,
}

pub fn timeout(options: &Option<WaitOptions>) -> std::time::Duration {
    std::time::Duration::from_millis(
        options
            .as_ref()
            .and_then(|o| o.timeout_ms)
            .unwrap_or(30_000) as u64,
    )
}

/// `resultInformation` of an event.
#[napi(object)]
#[derive(Clone, Debug)]
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
#[napi(object)]
#[derive(Clone, Debug)]
pub struct SipDiagnosticInfo {
    pub code: Option<i32>,
    pub message: Option<String>,
}

pub fn result_information(
    info: &Option<callsteer::ResultInformation>,
) -> Option<ResultInformation> {
    let details = |d: &Option<callsteer::SipDiagnosticInfo>| {
        d.as_ref().map(|d| SipDiagnosticInfo {
            code: d.code,
            message: d.message.clone(),
        })
    };
    info.as_ref().map(|r| ResultInformation {
        code: r.code,
        sub_code: r.sub_code,
        message: r.message.clone(),
        sip_details: details(&r.sip_details),
        q850_details: details(&r.q850_details),
    })
}

/// One participant of a call.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct CallParticipant {
    pub identifier: CommunicationIdentifier,
    pub is_muted: bool,
    pub is_on_hold: bool,
}

pub fn participant(p: &callsteer::CallParticipant) -> CallParticipant {
    CallParticipant {
        identifier: identifier_js(&p.identifier),
        is_muted: p.is_muted,
        is_on_hold: p.is_on_hold,
    }
}

/// What the service says about a call connection.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct CallConnectionProperties {
    pub call_connection_id: String,
    pub server_call_id: Option<String>,
    pub target_participants: Vec<CommunicationIdentifier>,
    /// `unknown` | `connecting` | `connected` | `transferring` | `transferAccepted` |
    /// `disconnecting` | `disconnected` (or a newer state, verbatim).
    pub call_connection_state: String,
    pub callback_url: Option<String>,
    pub source_caller_id_number: Option<CommunicationIdentifier>,
    pub source_display_name: Option<String>,
    pub source: Option<CommunicationIdentifier>,
    pub correlation_id: Option<String>,
    /// The communication user that answered (spelled as in the official SDK).
    pub answeredby: Option<CommunicationIdentifier>,
    pub answered_for: Option<CommunicationIdentifier>,
    pub media_streaming_subscription: Option<crate::streaming::MediaStreamingSubscription>,
    pub transcription_subscription: Option<crate::streaming::TranscriptionSubscription>,
}

pub fn properties(p: &callsteer::CallConnectionProperties) -> CallConnectionProperties {
    CallConnectionProperties {
        call_connection_id: p.call_connection_id.clone(),
        server_call_id: p.server_call_id.clone(),
        target_participants: p.targets.iter().map(identifier_js).collect(),
        call_connection_state: p.call_connection_state.as_str().to_string(),
        callback_url: p.callback_url.clone(),
        source_caller_id_number: opt_identifier_js(&p.source_caller_id_number),
        source_display_name: p.source_display_name.clone(),
        source: opt_identifier_js(&p.source),
        correlation_id: p.correlation_id.clone(),
        answeredby: opt_identifier_js(&p.answered_by),
        answered_for: opt_identifier_js(&p.answered_for),
        media_streaming_subscription: crate::streaming::media_subscription(
            &p.media_streaming_subscription,
        ),
        transcription_subscription: crate::streaming::transcription_subscription(
            &p.transcription_subscription,
        ),
    }
}
