//! Request validation as the service does it: body shape via core's wire structs (serde names
//! the missing field), then semantic checks that name the offending field.

use callsteer::identifier::is_e164;
use callsteer::wire::{CommunicationIdentifierModel, PhoneNumberIdentifierModel};
use callsteer::CommunicationIdentifier;
use serde::de::DeserializeOwned;

use crate::api_error::{ApiError, ApiResult};

/// Deserializes a request body; any failure is a 400 whose message carries serde's text
/// (e.g. "missing field `callbackUri`").
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad_request(
            "The request body is empty; a JSON object is required.",
        ));
    }
    json_object(body)
}

/// Deserializes a JSON object body. serde's derived structs also take a JSON array (fields by
/// position), which the service refuses: anything but an object is a 400.
pub fn json_object<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "Invalid request body: a JSON object is required.",
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))
}

/// Reads an identifier model (with or without `kind`/`rawId`) and checks it is one the
/// emulator can route: an ACS user, an E.164 phone number, or a Teams user/app.
pub fn parse_identifier(
    field: &str,
    model: &CommunicationIdentifierModel,
) -> ApiResult<CommunicationIdentifier> {
    let identifier = CommunicationIdentifier::from_model(model)
        .map_err(|e| ApiError::invalid_field(field, e))?;
    if let Some(raw) = &model.raw_id {
        if raw.is_empty() {
            return Err(ApiError::invalid_field(field, "rawId must not be empty"));
        }
    }
    match &identifier {
        CommunicationIdentifier::CommunicationUser { id } => {
            if id.trim().is_empty() {
                return Err(ApiError::invalid_field(
                    field,
                    "communicationUser.id must not be empty",
                ));
            }
        }
        CommunicationIdentifier::PhoneNumber { phone_number, .. } => {
            if !is_e164(phone_number) {
                return Err(ApiError::invalid_field(
                    field,
                    format!("phoneNumber.value `{phone_number}` is not an E.164 number"),
                ));
            }
        }
        CommunicationIdentifier::MicrosoftTeamsUser { user_id, .. } => {
            if user_id.trim().is_empty() {
                return Err(ApiError::invalid_field(
                    field,
                    "microsoftTeamsUser.userId must not be empty",
                ));
            }
        }
        CommunicationIdentifier::MicrosoftTeamsApp { app_id, .. } => {
            if app_id.trim().is_empty() {
                return Err(ApiError::invalid_field(
                    field,
                    "microsoftTeamsApp.appId must not be empty",
                ));
            }
        }
        CommunicationIdentifier::TeamsExtensionUser {
            user_id,
            tenant_id,
            resource_id,
            ..
        } => {
            if [user_id, tenant_id, resource_id]
                .iter()
                .any(|part| part.trim().is_empty())
            {
                return Err(ApiError::invalid_field(
                    field,
                    "teamsExtensionUser.userId, tenantId and resourceId must not be empty",
                ));
            }
        }
        CommunicationIdentifier::Unknown { id } => {
            return Err(ApiError::invalid_field(
                field,
                format!("identifier `{id}` is not a supported identifier"),
            ));
        }
    }
    Ok(identifier)
}

pub fn parse_phone(field: &str, model: &PhoneNumberIdentifierModel) -> ApiResult<String> {
    if !is_e164(&model.value) {
        return Err(ApiError::invalid_field(
            field,
            format!("`{}` is not an E.164 phone number", model.value),
        ));
    }
    Ok(model.value.clone())
}

/// `mediaStreamingOptions` / `transcriptionOptions`: the spec's discriminator (`websocket`, the
/// only transport it defines), its enums, and a `wss`/`ws` transport URL.
pub fn check_streaming(
    media: Option<&callsteer::wire::MediaStreamingOptions>,
    transcription: Option<&callsteer::wire::TranscriptionOptions>,
) -> ApiResult<()> {
    let transport = |field: &str, kind: &str, url: &Option<String>| -> ApiResult<()> {
        if kind != "websocket" {
            return Err(ApiError::invalid_field(
                &format!("{field}.transportType"),
                format!("`{kind}` is not a transport type (websocket)"),
            ));
        }
        match url.as_deref().map(url::Url::parse) {
            None => Ok(()),
            Some(Ok(u)) if matches!(u.scheme(), "ws" | "wss") => Ok(()),
            Some(_) => Err(ApiError::invalid_field(
                &format!("{field}.transportUrl"),
                "must be an absolute wss URL",
            )),
        }
    };
    if let Some(m) = media {
        transport("mediaStreamingOptions", &m.transport_type, &m.transport_url)?;
        if !matches!(m.audio_channel_type.as_str(), "mixed" | "unmixed") {
            return Err(ApiError::invalid_field(
                "mediaStreamingOptions.audioChannelType",
                format!("`{}` is not mixed or unmixed", m.audio_channel_type),
            ));
        }
    }
    if let Some(t) = transcription {
        transport("transcriptionOptions", &t.transport_type, &t.transport_url)?;
        if t.locale.trim().is_empty() {
            return Err(ApiError::invalid_field(
                "transcriptionOptions.locale",
                "must not be empty",
            ));
        }
    }
    Ok(())
}

/// Callback URIs must be absolute http(s) URLs (the real service insists on https; the
/// emulator also takes http for local apps).
pub fn check_uri(field: &str, uri: &str) -> ApiResult<()> {
    match url::Url::parse(uri) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err(ApiError::invalid_field(
            field,
            format!("`{uri}` is not an absolute http(s) URI"),
        )),
    }
}

pub fn check_optional_uri(field: &str, uri: &Option<String>) -> ApiResult<()> {
    match uri {
        Some(u) => check_uri(field, u),
        None => Ok(()),
    }
}

pub fn is_phone(identifier: &CommunicationIdentifier) -> bool {
    matches!(identifier, CommunicationIdentifier::PhoneNumber { .. })
}
