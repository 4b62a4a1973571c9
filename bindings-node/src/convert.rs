//! Argument conversion between the JS shapes of `@azure/communication-call-automation` (plain
//! identifier objects, `CallInvite`, option bags) and the core's types. Conversion only: every
//! rule about what is valid lives in the core, which checks the converted values.

use callsteer::identifier::{
    CommunicationIdentifierModel, CommunicationUserIdentifierModel,
    MicrosoftTeamsAppIdentifierModel, MicrosoftTeamsUserIdentifierModel,
    PhoneNumberIdentifierModel,
};
use callsteer::CommunicationCloud;
use napi_derive::napi;

use crate::errors::invalid;

/// A participant, as a plain object: `{ communicationUserId }`, `{ phoneNumber }`,
/// `{ microsoftTeamsUserId, isAnonymous?, cloud? }`, `{ teamsAppId, cloud? }` or
/// `{ kind, rawId }`. Identifiers returned by callsteer always carry `kind` and `rawId`.
#[napi(object)]
#[derive(Clone, Default, Debug)]
pub struct CommunicationIdentifier {
    /// `communicationUser` | `phoneNumber` | `microsoftTeamsUser` | `microsoftTeamsApp` | `unknown`.
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
    let nested = model.communication_user.is_some()
        || model.phone_number.is_some()
        || model.microsoft_teams_user.is_some()
        || model.microsoft_teams_app.is_some();
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
            "an identifier needs communicationUserId, phoneNumber, microsoftTeamsUserId, teamsAppId or rawId",
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

/// One custom calling context header: `{ kind: "voip" | "sipuui" | "sipx", key, value }`.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct CustomCallingContextHeader {
    /// `voip` | `sipuui` | `sipx`.
    pub kind: String,
    /// Header name (ignored for `sipuui`, which is always `User-To-User`).
    pub key: Option<String>,
    pub value: String,
    /// For `sipx`: `X-MS-Custom-` (default) or `X-`.
    pub sip_header_prefix: Option<String>,
}

pub fn custom_calling_context(
    headers: &Option<Vec<CustomCallingContextHeader>>,
) -> napi::Result<callsteer::CustomCallingContext> {
    let mut ctx = callsteer::CustomCallingContext::new();
    for (i, h) in headers.iter().flatten().enumerate() {
        let key = h.key.clone().unwrap_or_default();
        match h.kind.as_str() {
            "voip" => {
                ctx.add_voip(key, h.value.clone());
            }
            "sipuui" => {
                ctx.add_sip_uui(h.value.clone());
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
                ctx.add_sip_x(key, h.value.clone(), prefix);
            }
            other => {
                return Err(invalid(
                    format!("customCallingContext[{i}].kind"),
                    format!("`{other}` is not voip, sipuui or sipx"),
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
}

pub fn result_information(
    info: &Option<callsteer::ResultInformation>,
) -> Option<ResultInformation> {
    info.as_ref().map(|r| ResultInformation {
        code: r.code,
        sub_code: r.sub_code,
        message: r.message.clone(),
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
    }
}
