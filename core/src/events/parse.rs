//! Parsing callback bodies into [`CallAutomationEvent`]s. Never panics on any input.
//!
//! Accepted shapes:
//! - a JSON array of CloudEvents 1.0 objects (what the service posts to the callback URL);
//! - a single CloudEvent object;
//! - an Event Grid schema array or object (`eventType`, `data`, `eventTime`, `topic`, `subject`),
//!   including the `Microsoft.EventGrid.SubscriptionValidationEvent` handshake.
//!
//! An object is read as Event Grid schema when it has `eventType` and no `type`.
//! The event type is the text after the last `.` of `type` / `eventType`, so
//! `Microsoft.Communication.CallConnected` is `CallConnected`. Unknown keys are ignored, unknown
//! types become [`CallAutomationEvent::Unknown`], and `null` counts as absent.
//!
//! **Every schema version.** Events carry their own `data.version`; the parser does not branch on
//! it. What older versions leave out is optional here (`version`, `sequenceNumber`,
//! `resultInformation`, `isOnHold`, an identifier's `kind`), what newer ones add is read when
//! present (`sipDetails`, `q850Details`), and the 2022 roster of bare identifiers (no
//! `{identifier, isMuted}` wrapper) reads as participants. Real payloads of each shape, recorded
//! by the official SDKs' test suites, are in `core/tests/event_samples/recorded/`.
//!
//! **A key given twice** in one object counts its last value, as `JSON.parse` (what the official
//! JS SDK reads events with) and Python's `json.loads` do; the fast path declines such a body and
//! the tree walk, whose `serde_json::Value` keeps the last value, reads it.
//!
//! **One bad event never hides its batch-mates.** [`parse_events`] reads every entry on its
//! own: an entry that does not read (a known type with malformed data, an entry without a
//! usable type) becomes a [`CallAutomationEvent::Unknown`] that carries its raw type, raw data
//! and the error (`parse_error`, whose `path` names its index, `[2].data…`), in its place in the
//! list. It is an error only when the body is not JSON, not an array or object of events, or
//! holds events none of which reads: then there is nothing to deliver, and the first entry's
//! error says why. [`parse_events_strict`] keeps the all-or-nothing contract: any bad entry fails
//! the whole body.
//!
//! **Two parsers, one behaviour.** [`parse_events`] first tries the fast path in `fast.rs`, which
//! reads the body straight into the typed events (no `Value` tree, no IndexMap, no error paths,
//! borrowed keys and identifier fields). It declines anything unusual or malformed, and the tree
//! walk below then parses the body again: so every error, with its path and message, still comes
//! from the tree walk, and the fast path only has to agree with it on what it accepts (a
//! differential test in `fast.rs` checks that on the samples, the fuzz corpus and mutations).
//! On a 1,000-event ParticipantsUpdated body this took the parser from ~40,000 to ~200,000–
//! 300,000 events/s on the 2-core bench machine; what remains is serde_json's string scanning
//! and the ~12 allocations per event that the owned `String` fields of the public types need.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::*;
use crate::error::{Error, Result};
use crate::identifier::{CommunicationIdentifier, CommunicationIdentifierModel};
use crate::models::{CallParticipant, ResultInformation};
use serde::Deserialize;

use crate::options::TeamsPhoneCallDetails;
use crate::wire::{SipDiagnosticInfo, TeamsPhoneCallDetailsModel};

/// Parses a callback (or Event Grid) body into events; lenient per entry.
///
/// An empty array gives an empty list. A malformed entry next to well-formed ones becomes a
/// [`CallAutomationEvent::Unknown`] with `parse_error` set (see the module docs); the body is an
/// [`Error::EventParse`] only when it is not JSON, not events, or when no entry reads — its
/// `path` says where (e.g. `[2].data.participants[0].identifier`). Use [`parse_events_strict`]
/// to refuse a body with any malformed entry.
///
/// ```
/// use callsteer::events::{parse_events, CallAutomationEvent};
/// let body = br#"[{"id":"1","source":"calling/callConnections/c1",
///   "type":"Microsoft.Communication.CallConnected","specversion":"1.0",
///   "data":{"callConnectionId":"c1","operationContext":"ctx"}}]"#;
/// let events = parse_events(body)?;
/// assert_eq!(events[0].event_type(), "CallConnected");
/// assert_eq!(events[0].call_connection_id(), Some("c1"));
/// assert!(matches!(&events[0], CallAutomationEvent::CallConnected(d) if d.operation_context.as_deref() == Some("ctx")));
/// assert!(parse_events(b"not json").is_err());
/// # Ok::<(), callsteer::Error>(())
/// ```
pub fn parse_events(body: &[u8]) -> Result<Vec<CallAutomationEvent>> {
    match super::fast::parse_events_fast(body) {
        Some(events) => Ok(events),
        None => parse_events_lenient(body),
    }
}

/// Parses a callback body all-or-nothing: any malformed entry fails the whole body with
/// [`Error::EventParse`] naming its index (`[2].data…`). What [`parse_events`] did before it
/// became lenient, and what an [`EventProcessor`](super::EventProcessor) with
/// `strict_parsing` uses.
///
/// ```
/// use callsteer::events::{parse_events, parse_events_strict};
/// let body = br#"[{"id":"1","type":"Microsoft.Communication.CallConnected",
///     "data":{"callConnectionId":"c1"}},
///   {"id":"2","type":"Microsoft.Communication.CallConnected",
///     "data":{"callConnectionId":"c2","resultInformation":{"code":"200"}}}]"#;
/// assert!(parse_events_strict(body).is_err());
/// let events = parse_events(body)?;
/// assert_eq!(events.len(), 2);
/// let failure = events[1].parse_error().unwrap();
/// assert_eq!(failure.path, "[1].data.resultInformation.code");
/// # Ok::<(), callsteer::Error>(())
/// ```
pub fn parse_events_strict(body: &[u8]) -> Result<Vec<CallAutomationEvent>> {
    match super::fast::parse_events_fast(body) {
        Some(events) => Ok(events),
        None => parse_events_tree(body),
    }
}

/// The tree walk, one entry at a time: a bad entry becomes an `Unknown` carrying its error.
fn parse_events_lenient(body: &[u8]) -> Result<Vec<CallAutomationEvent>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Error::event_parse("$", format!("body is not valid JSON: {e}")))?;
    let entries: Vec<(&Value, String)> = match &value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| (item, format!("[{index}]")))
            .collect(),
        Value::Object(_) => vec![(&value, String::new())],
        other => {
            return Err(Error::event_parse(
                "$",
                format!(
                    "expected a JSON array or object of events, found {}",
                    type_name(other)
                ),
            ))
        }
    };
    let mut events = Vec::with_capacity(entries.len());
    let mut first_error = None;
    let mut any_read = false;
    for (item, path) in entries {
        match parse_event_value(item, &path) {
            Ok(event) => {
                any_read = true;
                events.push(event);
            }
            Err(error) => {
                events.push(malformed_entry(item, &error));
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        Some(error) if !any_read => Err(error),
        _ => Ok(events),
    }
}

/// The `Unknown` stand-in for an entry that did not read: whatever of its envelope is readable,
/// its raw type and data, and the error.
fn malformed_entry(item: &Value, error: &Error) -> CallAutomationEvent {
    let (path, message) = match error {
        Error::EventParse { path, message } => (path.clone(), message.clone()),
        other => (String::from("$"), other.to_string()),
    };
    let parse_error = Some(EventParseFailure { path, message });
    let Value::Object(object) = item else {
        return CallAutomationEvent::Unknown {
            meta: EventMeta::default(),
            event_type: String::new(),
            cloud_event_type: String::new(),
            data: item.clone(),
            parse_error,
        };
    };
    let event_grid = !object.contains_key("type") && object.contains_key("eventType");
    let (type_key, time_key, source_key) = if event_grid {
        ("eventType", "eventTime", "topic")
    } else {
        ("type", "time", "source")
    };
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
    let id = match object.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let meta = EventMeta {
        id,
        source: text(source_key),
        subject: text("subject"),
        time: text(time_key),
    };
    match text(type_key).filter(|t| !t.is_empty()) {
        Some(full_type) => CallAutomationEvent::Unknown {
            meta,
            event_type: full_type.rsplit('.').next().unwrap_or_default().to_string(),
            cloud_event_type: full_type,
            data: object.get("data").cloned().unwrap_or(Value::Null),
            parse_error,
        },
        // Without a type there is no telling which part is the data: keep the whole entry.
        None => CallAutomationEvent::Unknown {
            meta,
            event_type: String::new(),
            cloud_event_type: String::new(),
            data: item.clone(),
            parse_error,
        },
    }
}

/// The reference parser: a `Value` tree, walked with a path for every error. Used for every body
/// the fast path in `fast.rs` declines (all malformed ones, so errors always come from here).
pub(super) fn parse_events_tree(body: &[u8]) -> Result<Vec<CallAutomationEvent>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Error::event_parse("$", format!("body is not valid JSON: {e}")))?;
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| parse_event_value(item, &format!("[{index}]")))
            .collect(),
        Value::Object(_) => Ok(vec![parse_event_value(&value, "")?]),
        other => Err(Error::event_parse(
            "$",
            format!(
                "expected a JSON array or object of events, found {}",
                type_name(&other)
            ),
        )),
    }
}

/// Parses one event from an already-decoded JSON value (CloudEvents or Event Grid schema).
pub fn parse_event(value: &Value) -> Result<CallAutomationEvent> {
    parse_event_value(value, "")
}

fn parse_event_value(value: &Value, path: &str) -> Result<CallAutomationEvent> {
    let Value::Object(object) = value else {
        return Err(Error::event_parse(
            display_path(path),
            format!("expected an event object, found {}", type_name(value)),
        ));
    };
    let event_grid = !object.contains_key("type") && object.contains_key("eventType");
    let (type_key, time_key, source_key) = if event_grid {
        ("eventType", "eventTime", "topic")
    } else {
        ("type", "time", "source")
    };
    let full_type = match object.get(type_key) {
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        Some(Value::String(_)) => {
            return Err(Error::event_parse(
                join(path, type_key),
                "event type is empty",
            ))
        }
        Some(other) => {
            return Err(Error::event_parse(
                join(path, type_key),
                format!("expected a string, found {}", type_name(other)),
            ))
        }
        None => {
            return Err(Error::event_parse(
                display_path(path),
                "event has no `type` (CloudEvents) or `eventType` (Event Grid)",
            ))
        }
    };
    let id = match object.get("id") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        // Some senders use numeric ids; keep them as text.
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            return Err(Error::event_parse(
                join(path, "id"),
                format!("expected a string, found {}", type_name(other)),
            ))
        }
    };
    let meta = EventMeta {
        id,
        source: WireField::read(object, source_key, path)?,
        subject: WireField::read(object, "subject", path)?,
        time: WireField::read(object, time_key, path)?,
    };
    let short_type = full_type
        .rsplit('.')
        .next()
        .unwrap_or(full_type.as_str())
        .to_string();
    let data_path = join(path, "data");
    let data_value = object.get("data").unwrap_or(&Value::Null);

    if is_known(&short_type) {
        let data = match data_value {
            Value::Object(map) => map,
            Value::Null => {
                return Err(Error::event_parse(
                    data_path,
                    format!("`{short_type}` event has no data object"),
                ))
            }
            other => {
                return Err(Error::event_parse(
                    data_path,
                    format!("expected an object, found {}", type_name(other)),
                ))
            }
        };
        return read_known(&short_type, meta, data, &data_path);
    }
    Ok(CallAutomationEvent::Unknown {
        meta,
        event_type: short_type,
        cloud_event_type: full_type,
        data: data_value.clone(),
        parse_error: None,
    })
}

pub(super) fn is_known(short_type: &str) -> bool {
    CallAutomationEvent::is_call_event_type(short_type)
        || short_type == "IncomingCall"
        || short_type == "SubscriptionValidationEvent"
}

pub(super) fn read_known(
    short_type: &str,
    meta: EventMeta,
    data: &Map<String, Value>,
    path: &str,
) -> Result<CallAutomationEvent> {
    use CallAutomationEvent as E;
    if short_type == "IncomingCall" {
        return Ok(E::IncomingCall(IncomingCallEventData::read(
            meta, data, path,
        )?));
    }
    let meta = match E::read_call_event(short_type, meta, data, path) {
        Ok(event) => return event,
        Err(meta) => meta,
    };
    // Only the Event Grid handshake is left among the known types.
    let validation_code = match data.get("validationCode") {
        Some(Value::String(code)) => code.clone(),
        Some(other) if !other.is_null() => {
            return Err(Error::event_parse(
                join(path, "validationCode"),
                format!("expected a string, found {}", type_name(other)),
            ))
        }
        _ => return Err(Error::event_parse(join(path, "validationCode"), "missing")),
    };
    Ok(E::SubscriptionValidation {
        meta,
        validation_code,
        validation_url: WireField::read(data, "validationUrl", path)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Field codec shared by the event structs.

/// A value that can be read from / written to a `data` object under a wire key.
pub(crate) trait WireField: Sized {
    /// Reads `object[key]`; absent and `null` give the type's "absent" value.
    fn read(object: &Map<String, Value>, key: &str, path: &str) -> Result<Self>;
    /// Writes under `key`; absent values are not written.
    fn write(&self, object: &mut Map<String, Value>, key: &str);
}

fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

fn wrong_type(path: &str, key: &str, expected: &str, found: &Value) -> Error {
    Error::event_parse(
        join(path, key),
        format!("expected {expected}, found {}", type_name(found)),
    )
}

impl WireField for String {
    fn read(object: &Map<String, Value>, key: &str, path: &str) -> Result<Self> {
        Ok(<Option<String>>::read(object, key, path)?.unwrap_or_default())
    }
    fn write(&self, object: &mut Map<String, Value>, key: &str) {
        object.insert(key.to_string(), Value::String(self.clone()));
    }
}

impl WireField for Option<String> {
    fn read(object: &Map<String, Value>, key: &str, path: &str) -> Result<Self> {
        match present(object, key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(wrong_type(path, key, "a string", other)),
        }
    }
    fn write(&self, object: &mut Map<String, Value>, key: &str) {
        if let Some(value) = self {
            object.insert(key.to_string(), Value::String(value.clone()));
        }
    }
}

impl WireField for i64 {
    fn read(object: &Map<String, Value>, key: &str, path: &str) -> Result<Self> {
        match present(object, key) {
            None => Ok(0),
            Some(value) => value
                .as_i64()
                .ok_or_else(|| wrong_type(path, key, "an integer", value)),
        }
    }
    fn write(&self, object: &mut Map<String, Value>, key: &str) {
        object.insert(key.to_string(), Value::from(*self));
    }
}

fn read_i32(object: &Map<String, Value>, key: &str, path: &str) -> Result<Option<i32>> {
    match present(object, key) {
        None => Ok(None),
        Some(value) => value
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| wrong_type(path, key, "a 32-bit integer", value)),
    }
}

fn read_bool(object: &Map<String, Value>, key: &str, path: &str) -> Result<Option<bool>> {
    match present(object, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(path, key, "a boolean", other)),
    }
}

fn read_object<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>> {
    match present(object, key) {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(wrong_type(path, key, "an object", other)),
    }
}

impl WireField for Option<ResultInformation> {
    fn read(object: &Map<String, Value>, key: &str, path: &str) -> Result<Self> {
        let Some(info) = read_object(object, key, path)? else {
            return Ok(None);
        };
        let here = join(path, key);
        let diagnostic = |key: &str| -> Result<Option<SipDiagnosticInfo>> {
            let Some(details) = read_object(info, key, &here)? else {
                return Ok(None);
            };
            let at = join(&here, key);
            Ok(Some(SipDiagnosticInfo {
                code: read_i32(details, "code", &at)?,
                message: WireField::read(details, "message", &at)?,
            }))
        };
        Ok(Some(ResultInformation {
            code: read_i32(info, "code", &here)?,
            sub_code: read_i32(info, "subCode", &here)?,
            message: WireField::read(info, "message", &here)?,
            sip_details: diagnostic("sipDetails")?,
            q850_details: diagnostic("q850Details")?,
        }))
    }
    fn write(&self, object: &mut Map<String, Value>, key: &str) {
        if let Some(info) = self {
            let mut map = Map::new();
            if let Some(code) = info.code {
                map.insert("code".into(), Value::from(code));
            }
            if let Some(sub_code) = info.sub_code {
                map.insert("subCode".into(), Value::from(sub_code));
            }
            info.message.write(&mut map, "message");
            for (key, details) in [
                ("sipDetails", &info.sip_details),
                ("q850Details", &info.q850_details),
            ] {
                if let Some(details) = details {
                    let mut inner = Map::new();
                    if let Some(code) = details.code {
                        inner.insert("code".into(), Value::from(code));
                    }
                    details.message.write(&mut inner, "message");
                    map.insert(key.into(), Value::Object(inner));
                }
            }
            object.insert(key.to_string(), Value::Object(map));
        }
    }
}

/// Reads an identifier model at `path` (the identifier's own path).
fn read_identifier(value: &Value, path: &str) -> Result<CommunicationIdentifier> {
    if !value.is_object() {
        return Err(Error::event_parse(
            path,
            format!("expected an identifier object, found {}", type_name(value)),
        ));
    }
    let model: CommunicationIdentifierModel = serde_json::from_value(value.clone())
        .map_err(|e| Error::event_parse(path, format!("invalid identifier: {e}")))?;
    CommunicationIdentifier::from_model(&model).map_err(|e| {
        let message = match e {
            Error::InvalidArgument { message, .. } => message,
            other => other.to_string(),
        };
        Error::event_parse(path, format!("invalid identifier: {message}"))
    })
}

fn identifier_json(identifier: &CommunicationIdentifier) -> Value {
    serde_json::to_value(identifier.to_model_with_kind()).unwrap_or(Value::Null)
}

impl WireField for Option<CommunicationIdentifier> {
    fn read(object: &Map<String, Value>, key: &str, path: &str) -> Result<Self> {
        match present(object, key) {
            None => Ok(None),
            Some(value) => read_identifier(value, &join(path, key)).map(Some),
        }
    }
    fn write(&self, object: &mut Map<String, Value>, key: &str) {
        if let Some(identifier) = self {
            object.insert(key.to_string(), identifier_json(identifier));
        }
    }
}

impl WireField for Vec<CallParticipant> {
    fn read(object: &Map<String, Value>, key: &str, path: &str) -> Result<Self> {
        let items = match present(object, key) {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(wrong_type(path, key, "an array", other)),
        };
        let here = join(path, key);
        let mut participants = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{here}[{index}]");
            let Value::Object(map) = item else {
                return Err(Error::event_parse(
                    item_path,
                    format!("expected a participant object, found {}", type_name(item)),
                ));
            };
            // Events of the 2022 schema list bare identifiers (`{rawId, kind, …}`) where later
            // ones have `{identifier, isMuted, isOnHold}`.
            let bare = present(map, "identifier").is_none()
                && (present(map, "rawId").is_some() || present(map, "kind").is_some());
            let identifier = if bare {
                read_identifier(item, &item_path)?
            } else {
                <Option<CommunicationIdentifier>>::read(map, "identifier", &item_path)?
                    .unwrap_or_else(|| CommunicationIdentifier::unknown(""))
            };
            participants.push(CallParticipant {
                identifier,
                is_muted: read_bool(map, "isMuted", &item_path)?.unwrap_or(false),
                is_on_hold: read_bool(map, "isOnHold", &item_path)?.unwrap_or(false),
            });
        }
        Ok(participants)
    }
    fn write(&self, object: &mut Map<String, Value>, key: &str) {
        let items = self
            .iter()
            .map(|p| {
                let mut map = Map::new();
                map.insert("identifier".into(), identifier_json(&p.identifier));
                map.insert("isMuted".into(), Value::Bool(p.is_muted));
                map.insert("isOnHold".into(), Value::Bool(p.is_on_hold));
                Value::Object(map)
            })
            .collect();
        object.insert(key.to_string(), Value::Array(items));
    }
}

fn read_string_map(
    object: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<BTreeMap<String, String>> {
    let Some(map) = read_object(object, key, path)? else {
        return Ok(BTreeMap::new());
    };
    let here = join(path, key);
    let mut out = BTreeMap::new();
    for (name, value) in map {
        match value {
            Value::String(s) => {
                out.insert(name.clone(), s.clone());
            }
            other => return Err(wrong_type(&here, name, "a string", other)),
        }
    }
    Ok(out)
}

fn string_map_json(map: &BTreeMap<String, String>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

impl WireField for Option<IncomingCallCustomContext> {
    fn read(object: &Map<String, Value>, key: &str, path: &str) -> Result<Self> {
        let Some(context) = read_object(object, key, path)? else {
            return Ok(None);
        };
        let here = join(path, key);
        let teams_phone_call_details = match context.get("teamsPhoneCallDetails") {
            None | Some(Value::Null) => None,
            Some(details) => {
                let model: TeamsPhoneCallDetailsModel =
                    TeamsPhoneCallDetailsModel::deserialize(details).map_err(|e| {
                        Error::event_parse(join(&here, "teamsPhoneCallDetails"), e.to_string())
                    })?;
                Some(Box::new(TeamsPhoneCallDetails::from_model(&model)))
            }
        };
        Ok(Some(IncomingCallCustomContext {
            sip_headers: read_string_map(context, "sipHeaders", &here)?,
            voip_headers: read_string_map(context, "voipHeaders", &here)?,
            teams_phone_call_details,
        }))
    }
    fn write(&self, object: &mut Map<String, Value>, key: &str) {
        if let Some(context) = self {
            let mut map = Map::new();
            map.insert("sipHeaders".into(), string_map_json(&context.sip_headers));
            map.insert("voipHeaders".into(), string_map_json(&context.voip_headers));
            if let Some(details) = &context.teams_phone_call_details {
                map.insert(
                    "teamsPhoneCallDetails".into(),
                    serde_json::to_value(details.to_model()).unwrap_or(Value::Null),
                );
            }
            object.insert(key.to_string(), Value::Object(map));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Paths.

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "$".to_string()
    } else {
        path.to_string()
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
