//! The fast path of [`parse_events`](super::parse_events): reads the body straight into typed
//! events with hand-written serde visitors, without a `serde_json::Value` tree, without error
//! paths and with borrowed strings wherever the result does not keep them.
//!
//! It only has to be right when it succeeds: any input it does not accept (malformed, an unusual
//! shape such as a numeric `id`, a duplicate key, an identifier in sequence form) makes it return
//! `None`, and the caller parses the body again with the tree-walking parser in `parse.rs`, which
//! gives the precise error (or the event, when only the fast path was stricter). So for every
//! body it accepts it must give exactly what the tree walk gives:
//! - every field the tree walk type-checks is type-checked here at least as strictly;
//! - `null` counts as absent, unknown keys are skipped;
//! - skipped values go through `deserialize_any` (not `IgnoredAny`), so they count against
//!   serde_json's nesting limit exactly as they do when a `Value` is built;
//! - the body is checked to be UTF-8 once, up front, as a `Value` parse checks every string;
//! - `data` that arrives before `type` (Event Grid puts it first), unknown types, `IncomingCall`
//!   and the subscription handshake are read as a `Value` and handed to the tree walk's readers.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::model::*;
use super::parse::{is_known, read_known};
use crate::identifier::{CommunicationCloud, CommunicationIdentifier, IdentifierParts};
use crate::models::{CallParticipant, ResultInformation};
use crate::wire::SipDiagnosticInfo;

/// Parses `body`, or `None` when the tree-walking parser must decide.
pub(super) fn parse_events_fast(body: &[u8]) -> Option<Vec<CallAutomationEvent>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let events = (&mut de).deserialize_any(BodyVisitor).ok()?;
    de.end().ok()?;
    Some(events)
}

fn fail<E: de::Error>() -> E {
    E::custom("not on the fast path")
}

// ---------------------------------------------------------------------------------------------
// Building blocks.

/// A string that borrows from the body when it has no escapes.
struct Str<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Any JSON value, read and dropped. `deserialize_any` (unlike `IgnoredAny`) validates and
/// counts nesting exactly as building a `Value` does.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_none<E: de::Error>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok(Skip)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
                while map.next_key::<Skip>()?.is_some() {
                    map.next_value::<Skip>()?;
                }
                Ok(Skip)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Records that a key was read; a second occurrence leaves the decision to the tree walk
/// (where the last one wins).
fn once<E: de::Error>(seen: &mut u32, bit: u32) -> Result<(), E> {
    if *seen & bit != 0 {
        return Err(fail());
    }
    *seen |= bit;
    Ok(())
}

/// A visitor over a JSON object only.
macro_rules! object_visitor {
    ($name:ident -> $out:ty, |$map:ident| $body:block) => {
        struct $name;
        impl<'de> Visitor<'de> for $name {
            type Value = $out;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut $map: A) -> Result<$out, A::Error> {
                $body
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Body and envelope.

struct BodyVisitor;

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = Vec<CallAutomationEvent>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array or object of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut events = Vec::new();
        while let Some(Event(event)) = seq.next_element()? {
            events.push(event);
        }
        Ok(events)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(vec![EventVisitor.visit_map(map)?])
    }
}

struct Event(CallAutomationEvent);

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor).map(Event)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = CallAutomationEvent;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = 0u32;
        let mut cloud_type: Option<Str<'de>> = None;
        let mut grid_type: Option<Str<'de>> = None;
        let mut id: Option<String> = None;
        let (mut source, mut topic, mut subject, mut time, mut event_time) =
            (None, None, None, None, None);
        // `data` read straight into its event, or (type not known yet, or not read here) a tree.
        let mut typed: Option<CallAutomationEvent> = None;
        let mut tree: Option<Value> = None;
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            match &*key {
                "type" => {
                    once(&mut seen, 1)?;
                    let t: Str<'de> = map.next_value()?;
                    if t.0.is_empty() {
                        return Err(fail());
                    }
                    cloud_type = Some(t);
                }
                "eventType" => {
                    once(&mut seen, 2)?;
                    grid_type = Some(map.next_value()?);
                }
                "id" => {
                    once(&mut seen, 4)?;
                    id = map.next_value()?;
                }
                "source" => {
                    once(&mut seen, 8)?;
                    source = map.next_value::<Option<String>>()?;
                }
                "topic" => {
                    once(&mut seen, 16)?;
                    topic = map.next_value::<Option<String>>()?;
                }
                "subject" => {
                    once(&mut seen, 32)?;
                    subject = map.next_value::<Option<String>>()?;
                }
                "time" => {
                    once(&mut seen, 64)?;
                    time = map.next_value::<Option<String>>()?;
                }
                "eventTime" => {
                    once(&mut seen, 128)?;
                    event_time = map.next_value::<Option<String>>()?;
                }
                "data" => {
                    once(&mut seen, 256)?;
                    // `type` seen first: CloudEvents, and the type is final (a second `type`
                    // would fail above).
                    let kind = cloud_type.as_ref().and_then(|t| Kind::of(short_type(&t.0)));
                    match kind {
                        Some(kind) => typed = Some(map.next_value_seed(DataSeed(kind))?),
                        None => tree = Some(map.next_value()?),
                    }
                }
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        let event_grid = cloud_type.is_none() && grid_type.is_some();
        let (full_type, source, time) = if event_grid {
            (grid_type, topic, event_time)
        } else {
            (cloud_type, source, time)
        };
        let full_type = full_type.ok_or_else(fail)?.0;
        if full_type.is_empty() {
            return Err(fail());
        }
        let meta = EventMeta {
            id: id.unwrap_or_default(),
            source,
            subject,
            time,
        };
        let short = short_type(&full_type);
        if let Some(mut event) = typed {
            *event.meta_mut() = meta;
            return Ok(event);
        }
        match tree {
            Some(Value::Object(object)) if is_known(short) => {
                read_known(short, meta, &object, "data").map_err(|_| fail())
            }
            _ if is_known(short) => Err(fail()),
            // Absent data is `null`, as in the tree walk.
            data => Ok(CallAutomationEvent::Unknown {
                meta,
                event_type: short.to_string(),
                cloud_event_type: full_type.into_owned(),
                data: data.unwrap_or(Value::Null),
                parse_error: None,
            }),
        }
    }
}

/// The text after the last `.`, as in the tree walk.
fn short_type(full: &str) -> &str {
    full.rsplit('.').next().unwrap_or(full)
}

// ---------------------------------------------------------------------------------------------
// Call-automation `data`.

/// A field type of the event table, as read on the fast path: `Wire` is what is deserialized
/// (its `Option` absorbs `null`), `from_wire` what absence means — both as in the tree walk.
trait FastField<'de>: Sized {
    type Wire: Deserialize<'de>;
    fn from_wire(wire: Option<Self::Wire>) -> Self;
}

impl<'de> FastField<'de> for Option<String> {
    type Wire = String;
    fn from_wire(wire: Option<String>) -> Self {
        wire
    }
}

impl<'de> FastField<'de> for i64 {
    type Wire = i64;
    fn from_wire(wire: Option<i64>) -> Self {
        wire.unwrap_or(0)
    }
}

impl<'de> FastField<'de> for Option<CommunicationIdentifier> {
    type Wire = Ident;
    fn from_wire(wire: Option<Ident>) -> Self {
        wire.map(|i| i.0)
    }
}

impl<'de> FastField<'de> for Vec<CallParticipant> {
    type Wire = Participants;
    fn from_wire(wire: Option<Participants>) -> Self {
        wire.map(|p| p.0).unwrap_or_default()
    }
}

/// The fields every call-automation event has.
#[derive(Default)]
struct CommonFields {
    seen: u32,
    call_connection_id: Option<String>,
    server_call_id: Option<String>,
    correlation_id: Option<String>,
    operation_context: Option<String>,
    result_information: Option<ResultInformation>,
}

impl CommonFields {
    /// Reads the value of `key` if it is a common field, else skips it.
    fn read_value<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "callConnectionId" => {
                once(&mut self.seen, 1)?;
                self.call_connection_id = map.next_value()?;
            }
            "serverCallId" => {
                once(&mut self.seen, 2)?;
                self.server_call_id = map.next_value()?;
            }
            "correlationId" => {
                once(&mut self.seen, 4)?;
                self.correlation_id = map.next_value()?;
            }
            "operationContext" => {
                once(&mut self.seen, 8)?;
                self.operation_context = map.next_value()?;
            }
            "resultInformation" => {
                once(&mut self.seen, 16)?;
                self.result_information = map.next_value::<Option<Info>>()?.map(|i| i.0);
            }
            _ => {
                map.next_value::<Skip>()?;
            }
        }
        Ok(())
    }
}

macro_rules! define_fast_events {
    ($(
        $(#[$doc:meta])*
        $name:ident($data:ident) settles [$($op:ident : $outcome:ident),* $(,)?] {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty => $wire:literal ),* $(,)?
        }
    )*) => {
        /// The call-automation event types read directly (IncomingCall and the Event Grid
        /// handshake go through the tree walk).
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum Kind {
            $( $name, )*
        }

        impl Kind {
            fn of(short: &str) -> Option<Kind> {
                Some(match short {
                    $( stringify!($name) => Kind::$name, )*
                    _ => return None,
                })
            }
        }

        /// Reads one `data` object of `kind`: the common fields and the type's own, each at most
        /// once; every other key is skipped.
        fn read_data<'de, A: MapAccess<'de>>(kind: Kind, mut map: A) -> Result<CallAutomationEvent, A::Error> {
            Ok(match kind {
                $(
                    Kind::$name => {
                        let mut common = CommonFields::default();
                        $( let mut $field: Option<Option<<$ty as FastField<'de>>::Wire>> = None; )*
                        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                            $(
                                if key == $wire {
                                    if $field.is_some() {
                                        return Err(fail());
                                    }
                                    $field = Some(map.next_value()?);
                                    continue;
                                }
                            )*
                            common.read_value(&key, &mut map)?;
                        }
                        CallAutomationEvent::$name($data {
                            meta: EventMeta::default(),
                            call_connection_id: common.call_connection_id.unwrap_or_default(),
                            server_call_id: common.server_call_id,
                            correlation_id: common.correlation_id,
                            operation_context: common.operation_context,
                            result_information: common.result_information,
                            $( $field: <$ty as FastField<'de>>::from_wire($field.flatten()), )*
                        })
                    }
                )*
            })
        }
    };
}

crate::call_event_table!(define_fast_events);

struct DataSeed(Kind);

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = CallAutomationEvent;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DataSeed {
    type Value = CallAutomationEvent;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a data object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        read_data(self.0, map)
    }
}

/// `resultInformation {code, subCode, message}`.
struct Info(ResultInformation);

impl<'de> Deserialize<'de> for Info {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object_visitor!(V -> Info, |map| {
            let mut seen = 0u32;
            let mut info = ResultInformation::default();
            while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                match &*key {
                    "code" => {
                        once(&mut seen, 1)?;
                        info.code = map.next_value()?;
                    }
                    "subCode" => {
                        once(&mut seen, 2)?;
                        info.sub_code = map.next_value()?;
                    }
                    "message" => {
                        once(&mut seen, 4)?;
                        info.message = map.next_value()?;
                    }
                    "sipDetails" => {
                        once(&mut seen, 8)?;
                        info.sip_details = map.next_value::<Option<Diagnostic>>()?.map(|d| d.0);
                    }
                    "q850Details" => {
                        once(&mut seen, 16)?;
                        info.q850_details = map.next_value::<Option<Diagnostic>>()?.map(|d| d.0);
                    }
                    _ => {
                        map.next_value::<Skip>()?;
                    }
                }
            }
            Ok(Info(info))
        });
        deserializer.deserialize_map(V)
    }
}

/// `sipDetails` / `q850Details {code, message}`.
struct Diagnostic(SipDiagnosticInfo);

impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object_visitor!(V -> Diagnostic, |map| {
            let mut seen = 0u32;
            let mut details = SipDiagnosticInfo::default();
            while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                match &*key {
                    "code" => {
                        once(&mut seen, 1)?;
                        details.code = map.next_value()?;
                    }
                    "message" => {
                        once(&mut seen, 2)?;
                        details.message = map.next_value()?;
                    }
                    _ => {
                        map.next_value::<Skip>()?;
                    }
                }
            }
            Ok(Diagnostic(details))
        });
        deserializer.deserialize_map(V)
    }
}

struct Participants(Vec<CallParticipant>);

impl<'de> Deserialize<'de> for Participants {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Participants;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of participants")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Participants, A::Error> {
                let mut out = Vec::with_capacity(4);
                while let Some(Participant(p)) = seq.next_element()? {
                    out.push(p);
                }
                Ok(Participants(out))
            }
        }
        deserializer.deserialize_seq(V)
    }
}

struct Participant(CallParticipant);

impl<'de> Deserialize<'de> for Participant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object_visitor!(V -> Participant, |map| {
            let mut seen = 0u32;
            let mut identifier = None;
            let mut is_muted = None;
            let mut is_on_hold = None;
            while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                match &*key {
                    "identifier" => {
                        once(&mut seen, 1)?;
                        identifier = map.next_value::<Option<Ident>>()?.map(|i| i.0);
                    }
                    "isMuted" => {
                        once(&mut seen, 2)?;
                        is_muted = map.next_value::<Option<bool>>()?;
                    }
                    "isOnHold" => {
                        once(&mut seen, 4)?;
                        is_on_hold = map.next_value::<Option<bool>>()?;
                    }
                    // A 2022-schema participant is a bare identifier: the tree walk reads it.
                    "rawId" | "kind" => return Err(fail()),
                    _ => {
                        map.next_value::<Skip>()?;
                    }
                }
            }
            Ok(Participant(CallParticipant {
                identifier: identifier.unwrap_or_else(|| CommunicationIdentifier::unknown("")),
                is_muted: is_muted.unwrap_or(false),
                is_on_hold: is_on_hold.unwrap_or(false),
            }))
        });
        deserializer.deserialize_map(V)
    }
}

// ---------------------------------------------------------------------------------------------
// Identifiers: the fields of `CommunicationIdentifierModel`, borrowed, then
// `CommunicationIdentifier::from_parts` (what `from_model` runs).

struct Ident(CommunicationIdentifier);

impl<'de> Deserialize<'de> for Ident {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object_visitor!(V -> Ident, |map| {
            let mut seen = 0u32;
            let mut kind: Option<Str<'de>> = None;
            let mut raw_id: Option<Str<'de>> = None;
            let mut user: Option<Str<'de>> = None;
            let mut phone: Option<Str<'de>> = None;
            let mut teams_user: Option<TeamsUser<'de>> = None;
            let mut teams_app: Option<TeamsApp<'de>> = None;
            let mut extension: Option<TeamsExtension<'de>> = None;
            while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                match &*key {
                    "kind" => {
                        once(&mut seen, 1)?;
                        kind = map.next_value()?;
                    }
                    "rawId" => {
                        once(&mut seen, 2)?;
                        raw_id = map.next_value()?;
                    }
                    "communicationUser" => {
                        once(&mut seen, 4)?;
                        user = map.next_value::<Option<User<'de>>>()?.map(|u| u.0);
                    }
                    "phoneNumber" => {
                        once(&mut seen, 8)?;
                        phone = map.next_value::<Option<Phone<'de>>>()?.map(|p| p.0);
                    }
                    "microsoftTeamsUser" => {
                        once(&mut seen, 16)?;
                        teams_user = map.next_value()?;
                    }
                    "microsoftTeamsApp" => {
                        once(&mut seen, 32)?;
                        teams_app = map.next_value()?;
                    }
                    "teamsExtensionUser" => {
                        once(&mut seen, 64)?;
                        extension = map.next_value()?;
                    }
                    _ => {
                        map.next_value::<Skip>()?;
                    }
                }
            }
            let parts = IdentifierParts {
                kind: kind.as_ref().map(|s| &*s.0),
                raw_id: raw_id.as_ref().map(|s| &*s.0),
                communication_user: user.as_ref().map(|s| &*s.0),
                phone_number: phone.as_ref().map(|s| &*s.0),
                microsoft_teams_user: teams_user
                    .as_ref()
                    .map(|u| (&*u.user_id.0, u.is_anonymous, u.cloud)),
                microsoft_teams_app: teams_app.as_ref().map(|a| (&*a.app_id.0, a.cloud)),
                teams_extension_user: extension.as_ref().map(|u| {
                    (&*u.user_id.0, &*u.tenant_id.0, &*u.resource_id.0, u.cloud)
                }),
            };
            CommunicationIdentifier::from_parts(&parts)
                .map(Ident)
                .map_err(|_| fail())
        });
        deserializer.deserialize_map(V)
    }
}

/// `communicationUser {id}`.
struct User<'de>(Str<'de>);

impl<'de> Deserialize<'de> for User<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = User<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<User<'de>, A::Error> {
                let mut id: Option<Str<'de>> = None;
                while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                    match &*key {
                        "id" if id.is_none() => id = Some(map.next_value()?),
                        "id" => return Err(fail()),
                        _ => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                id.map(User).ok_or_else(fail)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// `phoneNumber {value, isAnonymous, assertedId}`; the last two are only checked.
struct Phone<'de>(Str<'de>);

impl<'de> Deserialize<'de> for Phone<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Phone<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Phone<'de>, A::Error> {
                let mut seen = 0u32;
                let mut value: Option<Str<'de>> = None;
                while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                    match &*key {
                        "value" => {
                            once(&mut seen, 1)?;
                            value = Some(map.next_value()?);
                        }
                        "isAnonymous" => {
                            once(&mut seen, 2)?;
                            map.next_value::<Option<bool>>()?;
                        }
                        "assertedId" => {
                            once(&mut seen, 4)?;
                            map.next_value::<Option<Str<'de>>>()?;
                        }
                        _ => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                value.map(Phone).ok_or_else(fail)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// `cloud`: the string form of the enum, in any case.
fn cloud<E: de::Error>(value: Option<Str<'_>>) -> Result<Option<CommunicationCloud>, E> {
    Ok(match value.as_ref().map(|s| &*s.0) {
        None => None,
        Some("public") => Some(CommunicationCloud::Public),
        Some("dod") => Some(CommunicationCloud::Dod),
        Some("gcch") => Some(CommunicationCloud::Gcch),
        // Any other case (`PUBLIC`, as the official Python SDK sends it), as the tree walk reads it.
        Some(other) => Some(other.parse().map_err(|_| fail())?),
    })
}

/// `microsoftTeamsUser {userId, isAnonymous, cloud}`.
struct TeamsUser<'de> {
    user_id: Str<'de>,
    is_anonymous: Option<bool>,
    cloud: Option<CommunicationCloud>,
}

impl<'de> Deserialize<'de> for TeamsUser<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TeamsUser<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TeamsUser<'de>, A::Error> {
                let mut seen = 0u32;
                let mut user_id: Option<Str<'de>> = None;
                let mut is_anonymous = None;
                let mut cloud_name: Option<Str<'de>> = None;
                while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                    match &*key {
                        "userId" => {
                            once(&mut seen, 1)?;
                            user_id = Some(map.next_value()?);
                        }
                        "isAnonymous" => {
                            once(&mut seen, 2)?;
                            is_anonymous = map.next_value::<Option<bool>>()?;
                        }
                        "cloud" => {
                            once(&mut seen, 4)?;
                            cloud_name = map.next_value()?;
                        }
                        _ => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                Ok(TeamsUser {
                    user_id: user_id.ok_or_else(fail)?,
                    is_anonymous,
                    cloud: cloud(cloud_name)?,
                })
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// `microsoftTeamsApp {appId, cloud}`.
struct TeamsApp<'de> {
    app_id: Str<'de>,
    cloud: Option<CommunicationCloud>,
}

impl<'de> Deserialize<'de> for TeamsApp<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TeamsApp<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TeamsApp<'de>, A::Error> {
                let mut seen = 0u32;
                let mut app_id: Option<Str<'de>> = None;
                let mut cloud_name: Option<Str<'de>> = None;
                while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                    match &*key {
                        "appId" => {
                            once(&mut seen, 1)?;
                            app_id = Some(map.next_value()?);
                        }
                        "cloud" => {
                            once(&mut seen, 2)?;
                            cloud_name = map.next_value()?;
                        }
                        _ => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                Ok(TeamsApp {
                    app_id: app_id.ok_or_else(fail)?,
                    cloud: cloud(cloud_name)?,
                })
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// `teamsExtensionUser {userId, tenantId, resourceId, cloud}`.
struct TeamsExtension<'de> {
    user_id: Str<'de>,
    tenant_id: Str<'de>,
    resource_id: Str<'de>,
    cloud: Option<CommunicationCloud>,
}

impl<'de> Deserialize<'de> for TeamsExtension<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object_visitor!(V -> TeamsExtension<'de>, |map| {
            let mut seen = 0u32;
            let mut ids: [Option<Str<'de>>; 3] = [None, None, None];
            let mut cloud_name: Option<Str<'de>> = None;
            while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                let slot = match &*key {
                    "userId" => 0,
                    "tenantId" => 1,
                    "resourceId" => 2,
                    "cloud" => {
                        once(&mut seen, 8)?;
                        cloud_name = map.next_value()?;
                        continue;
                    }
                    _ => {
                        map.next_value::<Skip>()?;
                        continue;
                    }
                };
                once(&mut seen, 1 << slot)?;
                ids[slot] = Some(map.next_value()?);
            }
            let [user_id, tenant_id, resource_id] = ids;
            Ok(TeamsExtension {
                user_id: user_id.ok_or_else(fail)?,
                tenant_id: tenant_id.ok_or_else(fail)?,
                resource_id: resource_id.ok_or_else(fail)?,
                cloud: cloud(cloud_name)?,
            })
        });
        deserializer.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    //! The fast path against the tree walk: whatever the fast path accepts, the tree walk must
    //! accept with the same result (compared by `Debug`, since identifiers compare by raw id).

    use serde_json::json;

    use super::super::parse::parse_events_tree;
    use super::*;

    /// Checks one body; true when the fast path took it.
    fn check(body: &[u8]) -> bool {
        let Some(fast) = parse_events_fast(body) else {
            return false;
        };
        let tree = parse_events_tree(body).unwrap_or_else(|e| {
            panic!(
                "fast path accepted what the tree walk refuses ({e}): {}",
                String::from_utf8_lossy(body)
            )
        });
        assert_eq!(
            format!("{fast:?}"),
            format!("{tree:?}"),
            "{}",
            String::from_utf8_lossy(body)
        );
        true
    }

    fn samples() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for dir in [
            "tests/event_samples",
            "fuzz/corpus/parse_events",
            "tests/event_samples/recorded",
        ] {
            let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut paths: Vec<_> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
                .collect();
            paths.sort();
            for path in paths {
                out.push(std::fs::read(path).unwrap());
            }
        }
        assert!(out.len() >= 18, "{}", out.len());
        out
    }

    #[test]
    fn every_sample_takes_the_fast_path_with_the_same_result() {
        let mut fast = 0;
        for (i, body) in samples().iter().enumerate().take(18) {
            assert!(check(body), "sample {i} left the fast path");
            fast += 1;
        }
        assert_eq!(fast, 18);
    }

    #[test]
    fn edge_cases_agree_with_the_tree_walk() {
        let pu = |data: &str| {
            format!(
                r#"[{{"id":"1","type":"Microsoft.Communication.ParticipantsUpdated","data":{data}}}]"#
            )
        };
        let ident = |identifier: &str| {
            pu(&format!(
                r#"{{"callConnectionId":"c","participants":[{{"identifier":{identifier}}}]}}"#
            ))
        };
        let deep = format!("{}1{}", "[".repeat(130), "]".repeat(130));
        let bodies: Vec<String> = vec![
            pu("{}"),
            pu("null"),
            pu("[]"),
            pu(r#"{"sequenceNumber":-0}"#),
            pu(r#"{"sequenceNumber":3.0}"#),
            pu(r#"{"sequenceNumber":9223372036854775808}"#),
            pu(r#"{"sequenceNumber":null,"participants":null}"#),
            pu(r#"{"callConnectionId":"a","callConnectionId":"b"}"#),
            pu(r#"{"callConnectionId":null,"resultInformation":null}"#),
            pu(r#"{"resultInformation":{"code":2147483648}}"#),
            pu(r#"{"resultInformation":{"code":-5,"subCode":1e2}}"#),
            pu(r#"{"resultInformation":[200,0,"m"]}"#),
            pu(r#"{"resultInformation":{"code":487,"sipDetails":{"code":487,"message":"Request Terminated"},"q850Details":{"code":16}}}"#),
            pu(r#"{"resultInformation":{"sipDetails":{"code":"487"}}}"#),
            pu(r#"{"resultInformation":{"q850Details":[16]}}"#),
            pu(r#"{"participants":[null]}"#),
            pu(r#"{"participants":[{}]}"#),
            pu(r#"{"participants":[{"isMuted":1}]}"#),
            pu(r#"{"participants":[{"identifier":null,"isMuted":null}]}"#),
            pu(r#"{"participant":5,"invitationId":7}"#),
            pu(&format!(r#"{{"extra":{deep}}}"#)),
            pu(r#"{"extra":"\ud800"}"#),
            pu(r#"{"extra":"\u00e9\n","c\u0061llConnectionId":"\u0063"}"#),
            ident(r#"{"rawId":"8:acs:x"}"#),
            ident(r#"{"rawId":"4:16041234567"}"#),
            ident(r#"{"kind":"phoneNumber","rawId":"4:+1604","phoneNumber":{"value":"+1604"}}"#),
            ident(r#"{"kind":"phoneNumber","rawId":"4:1604","phoneNumber":{"value":"+1604"}}"#),
            ident(r#"{"phoneNumber":{"value":"+1","isAnonymous":"x"}}"#),
            ident(r#"{"phoneNumber":{"value":"+1","assertedId":5}}"#),
            ident(r#"{"communicationUser":["8:acs:x"]}"#),
            ident(r#"{"communicationUser":{"id":"a","id":"b"}}"#),
            ident(r#"{"communicationUser":{}}"#),
            ident(r#"{"kind":"communicationUser","phoneNumber":{"value":"+1"}}"#),
            ident(r#"{"kind":"somethingNew","rawId":"99:x"}"#),
            ident(r#"{"kind":"somethingNew"}"#),
            ident(r#"{"kind":null,"rawId":null,"communicationUser":null}"#),
            ident(r#"{}"#),
            ident(r#""8:acs:x""#),
            ident(r#"{"microsoftTeamsUser":{"userId":"u","isAnonymous":true,"cloud":"dod"}}"#),
            ident(r#"{"microsoftTeamsUser":{"userId":"u","cloud":"mars"}}"#),
            ident(r#"{"microsoftTeamsUser":{"userId":"u","cloud":{"dod":null}}}"#),
            ident(r#"{"rawId":"8:other:u","microsoftTeamsUser":{"userId":"u"}}"#),
            ident(r#"{"microsoftTeamsApp":{"appId":"a","cloud":"gcch"},"rawId":"28:gcch-global:a"}"#),
            r#"[{"type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c"},"type":"X"}]"#.into(),
            r#"[{"data":{"callConnectionId":"c"},"type":"Microsoft.Communication.CallConnected"}]"#.into(),
            r#"[{"type":"Microsoft.Communication.CallConnected","eventType":5,"topic":[],"data":{}}]"#.into(),
            r#"[{"eventType":"Microsoft.Communication.CallConnected","topic":"t","eventTime":"e","time":"x","data":{}}]"#.into(),
            r#"[{"eventType":"Microsoft.Communication.CallConnected","type":null,"data":{}}]"#.into(),
            r#"[{"eventType":null,"data":{}}]"#.into(),
            r#"[{"type":"","data":{}}]"#.into(),
            r#"[{"type":"Microsoft.Communication.","data":{}}]"#.into(),
            r#"[{"type":"PlayCompleted","id":12,"data":{"a":[1,{"b":null}]}}]"#.into(),
            r#"[{"type":"PlayCompleted","id":null,"source":null}]"#.into(),
            r#"[{"type":"PlayCompleted","data":{"k":1,"k":2}}]"#.into(),
            r#"[{"type":"X","data":1e400}]"#.into(),
            r#"[{"type":"Microsoft.Communication.CallConnected","data":{}}] x"#.into(),
            r#"  {"type":"Microsoft.Communication.CallConnected","data":{}}  "#.into(),
            r#"[{"type":"Microsoft.Communication.CallConnected","data":{}},]"#.into(),
            r#"[{"type":"Microsoft.Communication.CallConnected","data":{}}, 5]"#.into(),
            r#"[{"type":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{"validationCode":"v"}}]"#.into(),
            r#"[{"type":"Microsoft.Communication.IncomingCall","data":{"to":{"rawId":"4:+1"}}}]"#.into(),
            r#"[{"type":"Microsoft.Communication.CallTransferAccepted","data":{"transferee":{"rawId":"8:acs:t"},"transferTarget":null}}]"#.into(),
            r#"[{"type":"Microsoft.Communication.CancelAddParticipantFailed","data":{"invitationId":"i","participants":7}}]"#.into(),
            r#"[{"type":"Microsoft.Communication.AddParticipantFailed","data":{"participant":{"rawId":"4:+1"},"sequenceNumber":"x"}}]"#.into(),
            "[]".into(),
            "{}".into(),
            "null".into(),
            "5".into(),
        ];
        let mut fast = 0;
        for body in &bodies {
            fast += usize::from(check(body.as_bytes()));
        }
        assert!(fast > 20, "{fast}");
        // Invalid UTF-8 inside an ignored string.
        let mut bytes = pu(r#"{"extra":"ab"}"#).into_bytes();
        let at = bytes.iter().position(|b| *b == b'a').unwrap();
        bytes[at] = 0xff;
        assert!(!check(&bytes));
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn mutate(value: &mut Value, rng: &mut Rng) {
        match value {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    match rng.below(12) {
                        0 => {
                            map.shift_remove(&key);
                        }
                        1 => {
                            let v = [
                                Value::Null,
                                json!(true),
                                json!(-1),
                                json!(7),
                                json!("s"),
                                json!([]),
                                json!({}),
                                json!(2.5),
                            ][rng.below(8)]
                            .clone();
                            map.insert(key, v);
                        }
                        2 => {
                            // Move the key to the end (changes `type`/`data` order).
                            if let Some(v) = map.shift_remove(&key) {
                                map.insert(key, v);
                            }
                        }
                        _ => {
                            if let Some(v) = map.get_mut(&key) {
                                mutate(v, rng);
                            }
                        }
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| mutate(v, rng)),
            _ => {}
        }
    }

    #[test]
    fn mutated_samples_agree_with_the_tree_walk() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let (mut runs, mut fast) = (0, 0);
        for original in samples() {
            for cut in (0..original.len()).step_by(11) {
                check(&original[..cut]);
            }
            for _ in 0..100 {
                if original.is_empty() {
                    break;
                }
                let mut bytes = original.clone();
                for _ in 0..=rng.below(3) {
                    if bytes.is_empty() {
                        break;
                    }
                    let at = rng.below(bytes.len());
                    match rng.below(3) {
                        0 => bytes[at] = rng.next() as u8,
                        1 => bytes.insert(at, b"{}[]\",:0\\n"[rng.below(10)]),
                        _ => {
                            bytes.remove(at);
                        }
                    }
                }
                fast += usize::from(check(&bytes));
                runs += 1;
            }
            let Ok(value) = serde_json::from_slice::<Value>(&original) else {
                continue;
            };
            for _ in 0..150 {
                let mut mutated = value.clone();
                mutate(&mut mutated, &mut rng);
                fast += usize::from(check(&serde_json::to_vec(&mutated).unwrap()));
                runs += 1;
            }
        }
        assert!(
            runs > 3_000 && fast > 500,
            "{runs} runs, {fast} on the fast path"
        );
    }
}
