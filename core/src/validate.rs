//! Local validation: everything the service would refuse is refused here first, with the
//! canonical name of the offending field (see [`crate::error::FIELD_NAMES`]), so every language
//! reports the same error, in its own spelling, before any request.

use crate::error::{Error, Result};
use crate::identifier::{is_e164, CommunicationIdentifier};
use crate::options::{CustomCallingContext, TeamsPhoneCallDetails};
use crate::wire::{MediaStreamingOptions, TranscriptionOptions};

/// The service's limit on `invitationTimeoutInSeconds`.
pub const MAX_INVITATION_TIMEOUT_SECONDS: u32 = 180;
/// The service's limit on `operationContext`.
pub const MAX_OPERATION_CONTEXT_CHARS: usize = 5_000;
/// At most this many custom (`X-MS-Custom-` / `X-`) SIP headers.
pub const MAX_SIP_CUSTOM_HEADERS: usize = 5;
/// SIP header names, prefix included, are at most this long.
pub const MAX_SIP_KEY_CHARS: usize = 64;
/// SIP header values are at most this long.
pub const MAX_SIP_VALUE_CHARS: usize = 256;
/// At most this many VoIP headers.
pub const MAX_VOIP_HEADERS: usize = 1_000;
/// VoIP header names are at most this long.
pub const MAX_VOIP_KEY_CHARS: usize = 64;
/// VoIP header values are at most this long.
pub const MAX_VOIP_VALUE_CHARS: usize = 1_024;
/// `teamsPhoneCallDetails.callTopic`: "max 48 chars" (spec 2026-03-12).
pub const MAX_TEAMS_CALL_TOPIC_CHARS: usize = 48;
/// `additionalCallerInformation`: "max 10, any additional entries would be ignored".
pub const MAX_TEAMS_ADDITIONAL_CALLER_INFORMATION: usize = 10;
/// The api-version that brought `teamsPhoneCallDetails`.
pub const TEAMS_PHONE_CALL_DETAILS_SINCE: &str = "2026-03-12";

/// Refuses, before any request, an operation the client's api-version does not have: the
/// service would answer 400 / 404, or worse, ignore a field it does not know. Versions are
/// compared by their date (`2026-03-12`, `2025-08-15-preview`).
pub fn api_version_at_least(api_version: &str, since: &str, operation: &str) -> Result<()> {
    let date = |v: &str| v.get(..10).unwrap_or(v).to_string();
    if date(api_version) < date(since) {
        return Err(Error::invalid(
            "api_version",
            format!(
                "{operation} needs api-version {since} or later; this client uses {api_version}"
            ),
        ));
    }
    Ok(())
}

/// A target or participant: non-empty, well formed, E.164 for phone numbers.
pub fn identifier(field: &str, id: &CommunicationIdentifier) -> Result<()> {
    let empty = |what: &str| Err(Error::invalid(field, format!("{what} must not be empty")));
    match id {
        CommunicationIdentifier::CommunicationUser { id } => {
            if id.trim().is_empty() {
                return empty("the communication user id");
            }
            if id.chars().any(char::is_control) {
                return Err(Error::invalid(
                    field,
                    "the communication user id contains control characters",
                ));
            }
        }
        CommunicationIdentifier::PhoneNumber { phone_number, .. } => {
            if phone_number.is_empty() {
                return empty("the phone number");
            }
            if !is_e164(phone_number) {
                return Err(Error::invalid(
                    field,
                    format!("`{phone_number}` is not an E.164 phone number (`+` and 2 to 15 digits, e.g. +16041234567)"),
                ));
            }
        }
        CommunicationIdentifier::MicrosoftTeamsUser { user_id, .. } => {
            if user_id.trim().is_empty() {
                return empty("the Teams user id");
            }
        }
        CommunicationIdentifier::MicrosoftTeamsApp { app_id, .. } => {
            if app_id.trim().is_empty() {
                return empty("the Teams app id");
            }
        }
        CommunicationIdentifier::TeamsExtensionUser {
            user_id,
            tenant_id,
            resource_id,
            ..
        } => {
            for (what, value) in [
                ("user id", user_id),
                ("tenant id", tenant_id),
                ("resource id", resource_id),
            ] {
                if value.trim().is_empty() {
                    return empty(&format!("the Teams extension user's {what}"));
                }
                // `_` separates the three parts of the raw id: one inside a part would make
                // the raw id name a different user.
                if value.contains('_') || value.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        field,
                        format!("the Teams extension user's {what} `{value}` must not contain `_` or control characters"),
                    ));
                }
            }
        }
        CommunicationIdentifier::Unknown { id } => {
            if id.trim().is_empty() {
                return empty("the raw id");
            }
        }
    }
    Ok(())
}

/// A caller id number: E.164.
pub fn caller_id(field: &str, number: &str) -> Result<()> {
    if !is_e164(number) {
        return Err(Error::invalid(
            field,
            format!("`{number}` is not an E.164 phone number (e.g. +16044561234)"),
        ));
    }
    Ok(())
}

/// PSTN targets need a caller id number.
pub fn caller_id_for_target(
    target: &CommunicationIdentifier,
    caller_id: Option<&str>,
) -> Result<()> {
    if matches!(target, CommunicationIdentifier::PhoneNumber { .. }) && caller_id.is_none() {
        return Err(Error::invalid(
            "sourceCallerIdNumber",
            "a phone-number target needs a source caller id number (an E.164 number of your resource)",
        ));
    }
    Ok(())
}

/// A callback URL: absolute http(s) with a host.
pub fn callback_url(field: &str, value: &str) -> Result<()> {
    let parsed = url::Url::parse(value)
        .map_err(|e| Error::invalid(field, format!("`{value}` is not an absolute URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::invalid(
            field,
            format!("`{value}` must be an absolute http or https URL"),
        ));
    }
    Ok(())
}

/// `mediaStreamingOptions`, `transcriptionOptions` and `cognitiveServicesEndpoint` of create,
/// answer and connect: the spec's enum values (case-insensitive, as the official SDKs' enums)
/// and absolute URLs (`ws`/`wss` for a transport, `https` for Cognitive Services).
pub fn media_options(
    media: Option<&MediaStreamingOptions>,
    transcription: Option<&TranscriptionOptions>,
    cognitive_services_endpoint: Option<&str>,
) -> Result<()> {
    fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<()> {
        if allowed.iter().any(|a| a.eq_ignore_ascii_case(value)) {
            return Ok(());
        }
        Err(Error::invalid(
            field,
            format!("`{value}` is not one of {}", allowed.join(", ")),
        ))
    }
    fn socket_url(field: &str, value: &str) -> Result<()> {
        match url::Url::parse(value) {
            Ok(u) if matches!(u.scheme(), "ws" | "wss") && u.host_str().is_some() => Ok(()),
            _ => Err(Error::invalid(
                field,
                format!("`{value}` is not an absolute ws:// or wss:// URL"),
            )),
        }
    }
    if let Some(m) = media {
        const AT: &str = "mediaStreamingOptions";
        one_of(
            &format!("{AT}.transportType"),
            &m.transport_type,
            &["websocket"],
        )?;
        one_of(
            &format!("{AT}.audioChannelType"),
            &m.audio_channel_type,
            &["mixed", "unmixed"],
        )?;
        if let Some(content) = &m.content_type {
            one_of(&format!("{AT}.contentType"), content, &["audio"])?;
        }
        if let Some(format) = &m.audio_format {
            one_of(
                &format!("{AT}.audioFormat"),
                format,
                &["pcm16KMono", "pcm24KMono"],
            )?;
        }
        if let Some(url) = &m.transport_url {
            socket_url(&format!("{AT}.transportUrl"), url)?;
        }
    }
    if let Some(t) = transcription {
        const AT: &str = "transcriptionOptions";
        one_of(
            &format!("{AT}.transportType"),
            &t.transport_type,
            &["websocket"],
        )?;
        non_empty(&format!("{AT}.locale"), &t.locale)?;
        if let Some(url) = &t.transport_url {
            socket_url(&format!("{AT}.transportUrl"), url)?;
        }
    }
    if let Some(endpoint) = cognitive_services_endpoint {
        match url::Url::parse(endpoint) {
            Ok(u) if u.scheme() == "https" && u.host_str().is_some() => {}
            _ => {
                return Err(Error::invalid(
                    "cognitiveServicesEndpoint",
                    format!("`{endpoint}` is not an absolute https URL"),
                ))
            }
        }
    }
    Ok(())
}

pub fn operation_context(value: Option<&str>) -> Result<()> {
    if let Some(value) = value {
        let chars = value.chars().count();
        if chars > MAX_OPERATION_CONTEXT_CHARS {
            return Err(Error::invalid(
                "operationContext",
                format!("is {chars} characters long; the service allows at most {MAX_OPERATION_CONTEXT_CHARS}"),
            ));
        }
    }
    Ok(())
}

pub fn invitation_timeout(value: Option<u32>) -> Result<()> {
    match value {
        Some(0) => Err(Error::invalid(
            "invitationTimeoutInSeconds",
            "must be at least 1 second",
        )),
        Some(v) if v > MAX_INVITATION_TIMEOUT_SECONDS => Err(Error::invalid(
            "invitationTimeoutInSeconds",
            format!("is {v}; the service allows at most {MAX_INVITATION_TIMEOUT_SECONDS} seconds"),
        )),
        _ => Ok(()),
    }
}

pub fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

/// RFC 3261 `token` characters: what a header name may contain.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c)
}

fn header_value(field: &str, key: &str, value: &str, max: usize) -> Result<()> {
    let chars = value.chars().count();
    if chars > max {
        return Err(Error::invalid(
            field,
            format!("the value of `{key}` is {chars} characters long; at most {max} are allowed"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Error::invalid(
            field,
            format!("the value of `{key}` contains control characters"),
        ));
    }
    Ok(())
}

fn header_name(field: &str, key: &str, max: usize) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid(field, "a header name must not be empty"));
    }
    if key.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("the header name `{key}` is longer than {max} characters"),
        ));
    }
    if let Some(bad) = key.chars().find(|c| !is_token_char(*c)) {
        return Err(Error::invalid(
            field,
            format!("the header name `{key}` contains `{bad}`; allowed are letters, digits and -.!%*_+`'~"),
        ));
    }
    Ok(())
}

/// The service's limits on custom calling context.
pub fn custom_calling_context(ctx: &CustomCallingContext, api_version: &str) -> Result<()> {
    if let Some(details) = &ctx.teams_phone_call_details {
        api_version_at_least(
            api_version,
            TEAMS_PHONE_CALL_DETAILS_SINCE,
            "customCallingContext.teamsPhoneCallDetails",
        )
        .map_err(|_| {
            Error::invalid(
                "customCallingContext.teamsPhoneCallDetails",
                format!("needs api-version {TEAMS_PHONE_CALL_DETAILS_SINCE} or later; this client uses {api_version}"),
            )
        })?;
        teams_phone_call_details(details)?;
    }
    const SIP: &str = "customCallingContext.sipHeaders";
    const VOIP: &str = "customCallingContext.voipHeaders";
    let mut custom = 0;
    for (key, value) in &ctx.sip_headers {
        header_name(SIP, key, MAX_SIP_KEY_CHARS)?;
        if key != "User-To-User" {
            if !(key.starts_with("X-MS-Custom-") || key.starts_with("X-")) {
                return Err(Error::invalid(
                    SIP,
                    format!("`{key}` is not allowed: SIP headers are `User-To-User` or start with `X-MS-Custom-` or `X-` (use add_sip_x)"),
                ));
            }
            let bare = key
                .strip_prefix("X-MS-Custom-")
                .or_else(|| key.strip_prefix("X-"))
                .unwrap_or_default();
            if bare.is_empty() {
                return Err(Error::invalid(
                    SIP,
                    format!("`{key}` has a prefix but no name"),
                ));
            }
            custom += 1;
        }
        header_value(SIP, key, value, MAX_SIP_VALUE_CHARS)?;
    }
    if custom > MAX_SIP_CUSTOM_HEADERS {
        return Err(Error::invalid(
            SIP,
            format!("{custom} custom SIP headers given; the service allows at most {MAX_SIP_CUSTOM_HEADERS}"),
        ));
    }
    if ctx.voip_headers.len() > MAX_VOIP_HEADERS {
        return Err(Error::invalid(
            VOIP,
            format!(
                "{} VoIP headers given; the service allows at most {MAX_VOIP_HEADERS}",
                ctx.voip_headers.len()
            ),
        ));
    }
    for (key, value) in &ctx.voip_headers {
        header_name(VOIP, key, MAX_VOIP_KEY_CHARS)?;
        header_value(VOIP, key, value, MAX_VOIP_VALUE_CHARS)?;
    }
    Ok(())
}

/// The spec's limits on Teams Phone call details, each error naming the field it is about.
fn teams_phone_call_details(details: &TeamsPhoneCallDetails) -> Result<()> {
    const BASE: &str = "customCallingContext.teamsPhoneCallDetails";
    let required = |field: &str, value: &str| {
        if value.trim().is_empty() {
            return Err(Error::invalid(format!("{BASE}.{field}"), "is required"));
        }
        Ok(())
    };
    if let Some(topic) = &details.call_topic {
        let chars = topic.chars().count();
        if chars > MAX_TEAMS_CALL_TOPIC_CHARS {
            return Err(Error::invalid(
                format!("{BASE}.callTopic"),
                format!("is {chars} characters; the service allows at most {MAX_TEAMS_CALL_TOPIC_CHARS}"),
            ));
        }
    }
    if let Some(caller) = &details.teams_phone_caller {
        identifier(
            &format!("{BASE}.teamsPhoneCallerDetails.caller"),
            &caller.caller,
        )?;
        required("teamsPhoneCallerDetails.name", &caller.name)?;
        required("teamsPhoneCallerDetails.phoneNumber", &caller.phone_number)?;
        let extra = caller.additional_caller_information.len();
        if extra > MAX_TEAMS_ADDITIONAL_CALLER_INFORMATION {
            return Err(Error::invalid(
                format!("{BASE}.teamsPhoneCallerDetails.additionalCallerInformation"),
                format!("{extra} entries given; the service takes at most {MAX_TEAMS_ADDITIONAL_CALLER_INFORMATION} and ignores the rest"),
            ));
        }
    }
    if let Some(source) = &details.teams_phone_source {
        identifier(
            &format!("{BASE}.teamsPhoneSourceDetails.source"),
            &source.source,
        )?;
        required("teamsPhoneSourceDetails.language", &source.language)?;
        required("teamsPhoneSourceDetails.status", &source.status)?;
        for (key, target) in &source.intended_targets {
            identifier(
                &format!("{BASE}.teamsPhoneSourceDetails.intendedTargets[{key}]"),
                target,
            )?;
        }
    }
    Ok(())
}

/// Refuses custom calling context where the service's request has no field for it, naming the
/// header kind that was given (SIP first).
pub fn no_custom_calling_context(ctx: &CustomCallingContext, why: &str) -> Result<()> {
    if ctx.teams_phone_call_details.is_some() {
        return Err(Error::invalid(
            "customCallingContext.teamsPhoneCallDetails",
            why,
        ));
    }
    if !ctx.sip_headers.is_empty() {
        return Err(Error::invalid("customCallingContext.sipHeaders", why));
    }
    if !ctx.voip_headers.is_empty() {
        return Err(Error::invalid("customCallingContext.voipHeaders", why));
    }
    Ok(())
}

/// Only communication users can be muted.
pub fn mute_target(target: &CommunicationIdentifier) -> Result<()> {
    if !matches!(target, CommunicationIdentifier::CommunicationUser { .. }) {
        return Err(Error::invalid(
            "targetParticipants",
            format!(
                "only communication users can be muted; `{}` is a {}",
                target.raw_id(),
                target.kind()
            ),
        ));
    }
    Ok(())
}
