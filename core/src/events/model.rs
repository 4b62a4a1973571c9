//! Typed callback events.
//!
//! Every value here has public fields and (where sensible) `Default`, so applications can build
//! events in their own tests and feed them to an [`EventProcessor`](super::EventProcessor).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::parse::WireField;
use super::processor::OperationKind;
use crate::error::Result;
use crate::identifier::CommunicationIdentifier;
use crate::models::{CallParticipant, ResultInformation};

/// The prefix of every Call Automation event type on the wire.
pub const COMMUNICATION_TYPE_PREFIX: &str = "Microsoft.Communication.";
/// The Event Grid webhook handshake event type.
pub const SUBSCRIPTION_VALIDATION_TYPE: &str = "Microsoft.EventGrid.SubscriptionValidationEvent";

/// Why a known event type could not be read (see [`CallAutomationEvent::Unknown`]'s
/// `parse_error`): the same `path` and `message` as [`Error::EventParse`](crate::Error).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventParseFailure {
    /// Where in the body, e.g. `[2].data.resultInformation.code`.
    pub path: String,
    /// What was wrong there, e.g. `expected a 32-bit integer, found a string`.
    pub message: String,
}

impl std::fmt::Display for EventParseFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at {}: {}", self.path, self.message)
    }
}

/// The envelope of one delivered event (CloudEvents or Event Grid schema).
///
/// `id` is used to drop duplicate deliveries; Event Grid's `topic` is kept in `source`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventMeta {
    /// The CloudEvent / Event Grid event id (empty when the sender gave none).
    pub id: String,
    /// CloudEvents `source` (Event Grid: `topic`), e.g. `calling/callConnections/{id}`.
    pub source: Option<String>,
    /// CloudEvents / Event Grid `subject`.
    pub subject: Option<String>,
    /// CloudEvents `time` (Event Grid: `eventTime`), ISO-8601, kept verbatim.
    pub time: Option<String>,
}

macro_rules! call_event {
    (
        $(#[$doc:meta])*
        $name:ident {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty => $wire:literal ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            /// The delivery envelope (id, source, subject, time).
            pub meta: EventMeta,
            /// The call connection this event belongs to (`callConnectionId`).
            pub call_connection_id: String,
            /// `serverCallId`.
            pub server_call_id: Option<String>,
            /// `correlationId`.
            pub correlation_id: Option<String>,
            /// `operationContext`: the value the app passed with the request that caused this event.
            pub operation_context: Option<String>,
            /// `resultInformation {code, subCode, message}`.
            pub result_information: Option<ResultInformation>,
            $( $(#[$fdoc])* pub $field: $ty, )*
        }

        impl $name {
            pub(crate) fn read(meta: EventMeta, data: &Map<String, Value>, path: &str) -> Result<Self> {
                Ok(Self {
                    meta,
                    call_connection_id: <String as WireField>::read(data, "callConnectionId", path)?,
                    server_call_id: <Option<String> as WireField>::read(data, "serverCallId", path)?,
                    correlation_id: <Option<String> as WireField>::read(data, "correlationId", path)?,
                    operation_context: <Option<String> as WireField>::read(data, "operationContext", path)?,
                    result_information: <Option<ResultInformation> as WireField>::read(data, "resultInformation", path)?,
                    $( $field: <$ty as WireField>::read(data, $wire, path)?, )*
                })
            }

            pub(crate) fn write(&self) -> Map<String, Value> {
                let mut data = Map::new();
                self.call_connection_id.write(&mut data, "callConnectionId");
                self.server_call_id.write(&mut data, "serverCallId");
                self.correlation_id.write(&mut data, "correlationId");
                self.operation_context.write(&mut data, "operationContext");
                self.result_information.write(&mut data, "resultInformation");
                $( self.$field.write(&mut data, $wire); )*
                data
            }

            fn common(&self) -> Common<'_> {
                Common {
                    call_connection_id: &self.call_connection_id,
                    server_call_id: self.server_call_id.as_deref(),
                    correlation_id: self.correlation_id.as_deref(),
                    operation_context: self.operation_context.as_deref(),
                    result_information: self.result_information.as_ref(),
                }
            }
        }
    };
}

/// One `data` field of a call-automation event, borrowed (see
/// [`CallAutomationEvent::field`]): the value kinds the event table uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventField<'a> {
    /// A string field (`None` when absent).
    Text(Option<&'a str>),
    /// An integer field.
    Int(i64),
    /// An identifier field (`None` when absent).
    Identifier(Option<&'a CommunicationIdentifier>),
    /// A roster.
    Participants(&'a [CallParticipant]),
}

/// A field type the event table may use.
pub(crate) trait TableField {
    fn as_field(&self) -> EventField<'_>;
}

impl TableField for String {
    fn as_field(&self) -> EventField<'_> {
        EventField::Text(Some(self))
    }
}
impl TableField for Option<String> {
    fn as_field(&self) -> EventField<'_> {
        EventField::Text(self.as_deref())
    }
}
impl TableField for i64 {
    fn as_field(&self) -> EventField<'_> {
        EventField::Int(*self)
    }
}
impl TableField for Option<CommunicationIdentifier> {
    fn as_field(&self) -> EventField<'_> {
        EventField::Identifier(self.as_ref())
    }
}
impl TableField for Vec<CallParticipant> {
    fn as_field(&self) -> EventField<'_> {
        EventField::Participants(self)
    }
}

/// The fields every call-automation event carries, for [`CallAutomationEvent::set_common`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallEventCommon {
    /// `callConnectionId`.
    pub call_connection_id: String,
    /// `serverCallId`.
    pub server_call_id: Option<String>,
    /// `correlationId`.
    pub correlation_id: Option<String>,
    /// `operationContext`.
    pub operation_context: Option<String>,
    /// `resultInformation`.
    pub result_information: Option<ResultInformation>,
}

/// One row of the event table as data (for generators and parity checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallEventSpec {
    /// The short wire type and variant name, e.g. `AddParticipantFailed`.
    pub name: &'static str,
    /// The core data struct, e.g. `AddParticipantFailedEventData`.
    pub data_struct: &'static str,
    /// The operations this event settles, and whether as their success.
    pub settles: &'static [(OperationKind, bool)],
    /// The event's own `data` fields (after the common ones).
    pub fields: &'static [CallEventFieldSpec],
}

/// One field of a [`CallEventSpec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallEventFieldSpec {
    /// The Rust / Python field name, e.g. `transfer_target`.
    pub name: &'static str,
    /// The wire key, e.g. `transferTarget`.
    pub wire: &'static str,
    /// The field's Rust type as written in the table, e.g. `Option<CommunicationIdentifier>`.
    pub rust_type: &'static str,
}

macro_rules! settled_as {
    (success) => {
        true
    };
    (failure) => {
        false
    };
}

macro_rules! define_call_events {
    ($(
        $(#[$doc:meta])*
        $name:ident($data:ident) settles [$($op:ident : $outcome:ident),* $(,)?] {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty => $wire:literal ),* $(,)?
        }
    )*) => {
        $(
            call_event!(
                $(#[$doc])*
                $data { $( $(#[$fdoc])* $field: $ty => $wire ),* }
            );
        )*

        /// One event posted by the service (or by Event Grid) to the application.
        ///
        /// A type this version does not know becomes [`CallAutomationEvent::Unknown`], so a new
        /// service event never breaks an application.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum CallAutomationEvent {
            $( $(#[$doc])* $name($data), )*
            /// `Microsoft.Communication.IncomingCall` from Event Grid.
            IncomingCall(IncomingCallEventData),
            /// The Event Grid webhook handshake (`Microsoft.EventGrid.SubscriptionValidationEvent`):
            /// answer `{"validationResponse": validation_code}`.
            SubscriptionValidation {
                meta: EventMeta,
                validation_code: String,
                validation_url: Option<String>,
            },
            /// Any other event type, with its data kept verbatim; also a known event that could
            /// not be read (then `parse_error` says why), so one bad event never hides the rest of
            /// its body.
            Unknown {
                meta: EventMeta,
                /// The short type name (text after the last `.`), e.g. `PlayCompleted`; empty
                /// when the entry had no readable type.
                event_type: String,
                /// The full type as received, e.g. `Microsoft.Communication.PlayCompleted`.
                cloud_event_type: String,
                /// The `data` object as received (`null` when absent). For an entry that is not
                /// an event object with a type at all, the whole entry.
                data: Value,
                /// `Some` when this entry was malformed: a known type whose data did not read, or
                /// an entry without a usable type. `None` for a well-formed event of an unknown
                /// type.
                parse_error: Option<EventParseFailure>,
            },
        }

        /// Every call-automation event (IncomingCall and the Event Grid handshake are not
        /// call events), in the table's order.
        pub const CALL_EVENTS: &[CallEventSpec] = &[
            $(
                CallEventSpec {
                    name: stringify!($name),
                    data_struct: stringify!($data),
                    settles: &[$( (OperationKind::$op, settled_as!($outcome)) ),*],
                    fields: &[$(
                        CallEventFieldSpec {
                            name: stringify!($field),
                            wire: $wire,
                            rust_type: stringify!($ty),
                        }
                    ),*],
                },
            )*
        ];

        impl CallAutomationEvent {
            fn call_event_name(&self) -> Option<&'static str> {
                match self {
                    $( CallAutomationEvent::$name(_) => Some(stringify!($name)), )*
                    _ => None,
                }
            }

            /// The delivery envelope.
            pub fn meta(&self) -> &EventMeta {
                match self {
                    $( CallAutomationEvent::$name(d) => &d.meta, )*
                    CallAutomationEvent::IncomingCall(d) => &d.meta,
                    CallAutomationEvent::SubscriptionValidation { meta, .. }
                    | CallAutomationEvent::Unknown { meta, .. } => meta,
                }
            }

            /// Mutable access to the envelope (e.g. to give a hand-built event an id).
            pub fn meta_mut(&mut self) -> &mut EventMeta {
                match self {
                    $( CallAutomationEvent::$name(d) => &mut d.meta, )*
                    CallAutomationEvent::IncomingCall(d) => &mut d.meta,
                    CallAutomationEvent::SubscriptionValidation { meta, .. }
                    | CallAutomationEvent::Unknown { meta, .. } => meta,
                }
            }

            fn common(&self) -> Option<Common<'_>> {
                match self {
                    $( CallAutomationEvent::$name(d) => Some(d.common()), )*
                    _ => None,
                }
            }

            fn call_data_json(&self) -> Option<Map<String, Value>> {
                match self {
                    $( CallAutomationEvent::$name(d) => Some(d.write()), )*
                    _ => None,
                }
            }

            /// The operations this event settles, each with `true` when as its success (from the
            /// event table); empty for every other event.
            pub fn settles(&self) -> &'static [(OperationKind, bool)] {
                match self {
                    $( CallAutomationEvent::$name(_) => &[$( (OperationKind::$op, settled_as!($outcome)) ),*], )*
                    _ => &[],
                }
            }

            /// Calls `visit` with the name and value of each of this event's own `data` fields
            /// (those after the common ones), in table order; nothing for IncomingCall, the
            /// handshake and unknown events.
            pub fn for_each_field(&self, visit: &mut dyn FnMut(&'static str, EventField<'_>)) {
                match self {
                    $(
                        #[allow(unused_variables)]
                        CallAutomationEvent::$name(d) => {
                            $( visit(stringify!($field), TableField::as_field(&d.$field)); )*
                        }
                    )*
                    _ => {}
                }
            }

            /// This event's own `data` field named `name` (the Rust name, e.g.
            /// `transfer_target`), or `None` when its type has no such field.
            ///
            /// ```
            /// use callsteer::events::{parse_events, EventField};
            /// let body = br#"[{"id":"1","type":"Microsoft.Communication.CancelAddParticipantSucceeded",
            ///   "data":{"callConnectionId":"c1","invitationId":"inv-1"}}]"#;
            /// let event = &parse_events(body)?[0];
            /// assert_eq!(event.field("invitation_id"), Some(EventField::Text(Some("inv-1"))));
            /// assert_eq!(event.field("participant"), None);
            /// # Ok::<(), callsteer::Error>(())
            /// ```
            pub fn field(&self, name: &str) -> Option<EventField<'_>> {
                match self {
                    $(
                        #[allow(unused_variables)]
                        CallAutomationEvent::$name(d) => {
                            $( if name == stringify!($field) {
                                return Some(TableField::as_field(&d.$field));
                            } )*
                            None
                        }
                    )*
                    _ => None,
                }
            }

            /// Sets the fields every call event carries (what an emitter, such as the emulator,
            /// fills from the call); `false`, and nothing set, for the events that are not call
            /// events.
            pub fn set_common(&mut self, common: CallEventCommon) -> bool {
                match self {
                    $(
                        CallAutomationEvent::$name(d) => {
                            d.call_connection_id = common.call_connection_id;
                            d.server_call_id = common.server_call_id;
                            d.correlation_id = common.correlation_id;
                            d.operation_context = common.operation_context;
                            d.result_information = common.result_information;
                            true
                        }
                    )*
                    _ => false,
                }
            }

            /// True if `short_type` is a call-automation event of the table.
            pub(crate) fn is_call_event_type(short_type: &str) -> bool {
                matches!(short_type, $( stringify!($name) )|*)
            }

            /// Reads a call-automation event of the table; any other type gives `meta` back.
            pub(crate) fn read_call_event(
                short_type: &str,
                meta: EventMeta,
                data: &Map<String, Value>,
                path: &str,
            ) -> std::result::Result<Result<Self>, EventMeta> {
                Ok(match short_type {
                    $( stringify!($name) => $data::read(meta, data, path).map(CallAutomationEvent::$name), )*
                    _ => return Err(meta),
                })
            }
        }
    };
}

crate::call_event_table!(define_call_events);

/// `customContext` of an incoming call: SIP headers (custom keys carry the `X-MS-Custom-`
/// prefix, UUI appears as `userToUser`) and VoIP headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncomingCallCustomContext {
    /// `sipHeaders`.
    pub sip_headers: BTreeMap<String, String>,
    /// `voipHeaders`.
    pub voip_headers: BTreeMap<String, String>,
    /// `teamsPhoneCallDetails`: what the bot or IVR that handed the call on said about it
    /// (boxed: rarely present, and it would triple the size of every event).
    pub teams_phone_call_details: Option<Box<crate::options::TeamsPhoneCallDetails>>,
}

/// `IncomingCall` (delivered by Event Grid, not by the call-automation callback).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncomingCallEventData {
    /// The delivery envelope.
    pub meta: EventMeta,
    /// `to`: the callee.
    pub to: Option<CommunicationIdentifier>,
    /// `from`: the caller.
    pub from: Option<CommunicationIdentifier>,
    /// `serverCallId`.
    pub server_call_id: Option<String>,
    /// `callerDisplayName`.
    pub caller_display_name: Option<String>,
    /// `customContext`.
    pub custom_context: Option<IncomingCallCustomContext>,
    /// `incomingCallContext`: opaque; pass it verbatim to answer, redirect or reject.
    pub incoming_call_context: Option<String>,
    /// `onBehalfOfCallee`.
    pub on_behalf_of_callee: Option<CommunicationIdentifier>,
    /// `correlationId`.
    pub correlation_id: Option<String>,
}

impl IncomingCallEventData {
    pub(crate) fn read(meta: EventMeta, data: &Map<String, Value>, path: &str) -> Result<Self> {
        Ok(Self {
            meta,
            to: WireField::read(data, "to", path)?,
            from: WireField::read(data, "from", path)?,
            server_call_id: WireField::read(data, "serverCallId", path)?,
            caller_display_name: WireField::read(data, "callerDisplayName", path)?,
            custom_context: WireField::read(data, "customContext", path)?,
            incoming_call_context: WireField::read(data, "incomingCallContext", path)?,
            on_behalf_of_callee: WireField::read(data, "onBehalfOfCallee", path)?,
            correlation_id: WireField::read(data, "correlationId", path)?,
        })
    }

    pub(crate) fn write(&self) -> Map<String, Value> {
        let mut data = Map::new();
        self.to.write(&mut data, "to");
        self.from.write(&mut data, "from");
        self.server_call_id.write(&mut data, "serverCallId");
        self.caller_display_name
            .write(&mut data, "callerDisplayName");
        self.custom_context.write(&mut data, "customContext");
        self.incoming_call_context
            .write(&mut data, "incomingCallContext");
        self.on_behalf_of_callee
            .write(&mut data, "onBehalfOfCallee");
        self.correlation_id.write(&mut data, "correlationId");
        data
    }
}

struct Common<'a> {
    call_connection_id: &'a str,
    server_call_id: Option<&'a str>,
    correlation_id: Option<&'a str>,
    operation_context: Option<&'a str>,
    result_information: Option<&'a ResultInformation>,
}

impl CallAutomationEvent {
    /// The short event type name, e.g. `CallConnected`, `IncomingCall`,
    /// `SubscriptionValidationEvent`, or an unknown type's name.
    pub fn event_type(&self) -> &str {
        match self {
            CallAutomationEvent::IncomingCall(_) => "IncomingCall",
            CallAutomationEvent::SubscriptionValidation { .. } => "SubscriptionValidationEvent",
            CallAutomationEvent::Unknown { event_type, .. } => event_type,
            other => other.call_event_name().unwrap_or_default(),
        }
    }

    /// The full wire type, e.g. `Microsoft.Communication.CallConnected`.
    pub fn cloud_event_type(&self) -> String {
        match self {
            CallAutomationEvent::SubscriptionValidation { .. } => {
                SUBSCRIPTION_VALIDATION_TYPE.to_string()
            }
            CallAutomationEvent::Unknown {
                cloud_event_type, ..
            } => cloud_event_type.clone(),
            other => format!("{COMMUNICATION_TYPE_PREFIX}{}", other.event_type()),
        }
    }

    /// True if `type_name` names this event's type: its short name (`CallConnected`) or its
    /// full wire type (`Microsoft.Communication.CallConnected`). The one rule every filter and
    /// every binding's wait uses. Exact (case-sensitive), as CloudEvents types are.
    ///
    /// ```
    /// use callsteer::events::parse_events;
    /// let body = br#"[{"id":"1","type":"Microsoft.Communication.CallConnected",
    ///   "data":{"callConnectionId":"c1"}}]"#;
    /// let event = &parse_events(body)?[0];
    /// assert!(event.is_type("CallConnected"));
    /// assert!(event.is_type("Microsoft.Communication.CallConnected"));
    /// assert!(!event.is_type("callconnected") && !event.is_type("Connected"));
    /// # Ok::<(), callsteer::Error>(())
    /// ```
    pub fn is_type(&self, type_name: &str) -> bool {
        if type_name.is_empty() {
            return false;
        }
        if self.event_type() == type_name {
            return true;
        }
        match self {
            CallAutomationEvent::Unknown {
                cloud_event_type, ..
            } => cloud_event_type == type_name,
            CallAutomationEvent::SubscriptionValidation { .. } => {
                type_name == SUBSCRIPTION_VALIDATION_TYPE
            }
            other => type_name
                .strip_prefix(COMMUNICATION_TYPE_PREFIX)
                .is_some_and(|short| short == other.event_type()),
        }
    }

    /// An event of a type this version does not know, e.g. for an application's own tests.
    pub fn unknown(meta: EventMeta, cloud_event_type: impl Into<String>, data: Value) -> Self {
        let cloud_event_type = cloud_event_type.into();
        let event_type = cloud_event_type
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_string();
        CallAutomationEvent::Unknown {
            meta,
            event_type,
            cloud_event_type,
            data,
            parse_error: None,
        }
    }

    /// Why this entry of its body could not be read, for a malformed event (see
    /// [`CallAutomationEvent::Unknown`]); `None` for every well-formed event.
    pub fn parse_error(&self) -> Option<&EventParseFailure> {
        match self {
            CallAutomationEvent::Unknown { parse_error, .. } => parse_error.as_ref(),
            _ => None,
        }
    }

    /// The CloudEvent / Event Grid id of this delivery.
    pub fn id(&self) -> &str {
        &self.meta().id
    }

    fn unknown_str(&self, key: &str) -> Option<&str> {
        match self {
            CallAutomationEvent::Unknown { data, .. } => data.get(key).and_then(Value::as_str),
            _ => None,
        }
    }

    /// The call connection id; for an unknown event type, its `data.callConnectionId` if it is a
    /// string. `None` for IncomingCall and the Event Grid handshake.
    pub fn call_connection_id(&self) -> Option<&str> {
        match self.common() {
            Some(c) => Some(c.call_connection_id),
            None => self.unknown_str("callConnectionId"),
        }
    }

    /// `serverCallId` (also for IncomingCall).
    pub fn server_call_id(&self) -> Option<&str> {
        match self {
            CallAutomationEvent::IncomingCall(d) => d.server_call_id.as_deref(),
            _ => match self.common() {
                Some(c) => c.server_call_id,
                None => self.unknown_str("serverCallId"),
            },
        }
    }

    /// `correlationId` (also for IncomingCall).
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            CallAutomationEvent::IncomingCall(d) => d.correlation_id.as_deref(),
            _ => match self.common() {
                Some(c) => c.correlation_id,
                None => self.unknown_str("correlationId"),
            },
        }
    }

    /// `operationContext`, echoed from the request that caused this event.
    pub fn operation_context(&self) -> Option<&str> {
        match self.common() {
            Some(c) => c.operation_context,
            None => self.unknown_str("operationContext"),
        }
    }

    /// `resultInformation` of a call-automation event.
    pub fn result_information(&self) -> Option<&ResultInformation> {
        self.common().and_then(|c| c.result_information)
    }

    /// The `participant` of an event that names one (add, remove).
    pub fn participant(&self) -> Option<&CommunicationIdentifier> {
        match self.field("participant")? {
            EventField::Identifier(id) => id,
            _ => None,
        }
    }

    /// The `invitationId` of an event that carries one (cancel-add).
    pub fn invitation_id(&self) -> Option<&str> {
        match self.field("invitation_id")? {
            EventField::Text(text) => text,
            _ => None,
        }
    }

    /// True for the events that report a failed operation (`*Failed`): every event the table
    /// lists as some operation's failure, and an unknown type whose name ends in `Failed`.
    pub fn is_failure(&self) -> bool {
        self.settles().iter().any(|(_, succeeded)| !succeeded)
            || matches!(self, CallAutomationEvent::Unknown { event_type, .. } if event_type.ends_with("Failed"))
    }

    /// The `data` object as it appears on the wire (camelCase, identifiers with `kind`+`rawId`).
    pub fn data_json(&self) -> Value {
        match self {
            CallAutomationEvent::IncomingCall(d) => Value::Object(d.write()),
            CallAutomationEvent::SubscriptionValidation {
                validation_code,
                validation_url,
                ..
            } => {
                let mut data = Map::new();
                validation_code.write(&mut data, "validationCode");
                validation_url.write(&mut data, "validationUrl");
                Value::Object(data)
            }
            CallAutomationEvent::Unknown { data, .. } => data.clone(),
            other => other.call_data_json().map_or(Value::Null, Value::Object),
        }
    }

    /// This event as a CloudEvents 1.0 JSON object, as the service posts it.
    /// [`parse_events`](super::parse_events) of the result gives back an equal event.
    pub fn to_cloud_event_json(&self) -> Value {
        let meta = self.meta();
        let mut object = Map::new();
        object.insert("id".into(), Value::String(meta.id.clone()));
        meta.source.write(&mut object, "source");
        object.insert("type".into(), Value::String(self.cloud_event_type()));
        let data = self.data_json();
        if !data.is_null() {
            object.insert("data".into(), data);
        }
        meta.time.write(&mut object, "time");
        object.insert("specversion".into(), Value::String("1.0".into()));
        object.insert(
            "datacontenttype".into(),
            Value::String("application/json".into()),
        );
        meta.subject.write(&mut object, "subject");
        Value::Object(object)
    }
}

impl CallAutomationEvent {
    /// Roughly how many bytes this event holds (inline plus heap), for the processor's backlog
    /// budget. An estimate: strings by length, identifiers and participants at a flat rate.
    pub(crate) fn approx_size(&self) -> usize {
        const IDENTIFIER: usize = 128;
        fn text(s: Option<&str>) -> usize {
            s.map_or(0, str::len)
        }
        let meta = self.meta();
        let mut size = std::mem::size_of::<CallAutomationEvent>()
            + meta.id.len()
            + text(meta.source.as_deref())
            + text(meta.subject.as_deref())
            + text(meta.time.as_deref());
        if let Some(c) = self.common() {
            size += c.call_connection_id.len()
                + text(c.server_call_id)
                + text(c.correlation_id)
                + text(c.operation_context)
                + c.result_information
                    .map_or(0, |r| 16 + text(r.message.as_deref()));
        }
        size += match self {
            CallAutomationEvent::IncomingCall(d) => {
                4 * IDENTIFIER
                    + text(d.server_call_id.as_deref())
                    + text(d.caller_display_name.as_deref())
                    + text(d.incoming_call_context.as_deref())
                    + text(d.correlation_id.as_deref())
                    + d.custom_context.as_ref().map_or(0, |c| {
                        c.sip_headers
                            .iter()
                            .chain(c.voip_headers.iter())
                            .map(|(k, v)| k.len() + v.len() + 48)
                            .sum()
                    })
            }
            CallAutomationEvent::SubscriptionValidation {
                validation_code,
                validation_url,
                ..
            } => validation_code.len() + text(validation_url.as_deref()),
            CallAutomationEvent::Unknown {
                event_type,
                cloud_event_type,
                data,
                parse_error,
                ..
            } => {
                event_type.len()
                    + cloud_event_type.len()
                    + json_size(data)
                    + parse_error
                        .as_ref()
                        .map_or(0, |e| e.path.len() + e.message.len())
            }
            _ => {
                let mut fields = 0;
                self.for_each_field(&mut |_, field| {
                    fields += match field {
                        EventField::Text(t) => text(t),
                        EventField::Int(_) => 0,
                        EventField::Identifier(_) => IDENTIFIER,
                        EventField::Participants(p) => {
                            p.len() * (std::mem::size_of::<CallParticipant>() + IDENTIFIER)
                        }
                    }
                });
                fields
            }
        };
        size
    }
}

fn json_size(value: &Value) -> usize {
    const NODE: usize = std::mem::size_of::<Value>();
    match value {
        Value::String(s) => NODE + s.len(),
        Value::Array(items) => NODE + items.iter().map(json_size).sum::<usize>(),
        Value::Object(map) => {
            NODE + map
                .iter()
                .map(|(k, v)| k.len() + 16 + json_size(v))
                .sum::<usize>()
        }
        _ => NODE,
    }
}

/// A callback body: the JSON array of CloudEvents the service would post for `events`.
pub fn to_cloud_events_body(events: &[CallAutomationEvent]) -> String {
    Value::Array(
        events
            .iter()
            .map(CallAutomationEvent::to_cloud_event_json)
            .collect(),
    )
    .to_string()
}
