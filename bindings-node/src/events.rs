//! Typed events (a discriminated union on `kind`), the event parser entry points and the event
//! processor handle. Parsing, matching and buffering are the core's; this file only converts.

use std::collections::HashMap;
use std::time::Duration;

use callsteer::events::EventMeta;
use callsteer::CallAutomationEvent as Core;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;

use crate::convert::{
    self, opt_identifier_js, result_information, CallParticipant, CommunicationIdentifier,
    ResultInformation, WaitOptions,
};
use crate::errors::{guard, invalid, run, IntoJs};

/// `customContext` of an incoming call.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct IncomingCallCustomContext {
    pub sip_headers: HashMap<String, String>,
    pub voip_headers: HashMap<String, String>,
    /// What the bot or IVR that handed the call on said about it (api-version 2026-03-12).
    pub teams_phone_call_details: Option<crate::convert::TeamsPhoneCallDetails>,
}

/// Why a known event could not be read: where in the body (`path`, e.g.
/// `[1].data.resultInformation.code`) and what was wrong there.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct EventParseFailure {
    pub path: String,
    pub message: String,
}

/// A core event field as its JS value (the event table's field types).
trait ToJs {
    type Js;
    fn to_js(&self) -> Self::Js;
}

impl ToJs for Option<String> {
    type Js = Option<String>;
    fn to_js(&self) -> Self::Js {
        self.clone()
    }
}
impl ToJs for i64 {
    type Js = i64;
    fn to_js(&self) -> Self::Js {
        *self
    }
}
impl ToJs for Option<callsteer::CommunicationIdentifier> {
    type Js = Option<CommunicationIdentifier>;
    fn to_js(&self) -> Self::Js {
        opt_identifier_js(self)
    }
}
impl ToJs for Vec<callsteer::CallParticipant> {
    type Js = Vec<CallParticipant>;
    fn to_js(&self) -> Self::Js {
        self.iter().map(convert::participant).collect()
    }
}

/// Expanded with core's event table: one variant per call-automation event (its field types
/// resolve to this binding's `CommunicationIdentifier` / `CallParticipant`), plus the events
/// that are not call events.
macro_rules! js_events {
    ($(
        $(#[$doc:meta])*
        $name:ident($data:ident) settles [$($op:ident : $outcome:ident),* $(,)?] {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty => $wire:literal ),* $(,)?
        }
    )*) => {
        /// One event posted by the service (or Event Grid): a discriminated union on `kind`, the
        /// short event type name as in `@azure/communication-call-automation`. `id` and `time`
        /// are the CloudEvent envelope's.
        // Plain values handed to JS by value; boxing variants would only add allocations.
        #[allow(clippy::large_enum_variant)]
        #[napi(discriminant = "kind")]
        #[derive(Clone, Debug)]
        pub enum CallAutomationEvent {
            $(
                $(#[$doc])*
                $name {
                    id: String,
                    time: Option<String>,
                    call_connection_id: String,
                    server_call_id: Option<String>,
                    correlation_id: Option<String>,
                    operation_context: Option<String>,
                    result_information: Option<ResultInformation>,
                    // Field docs stay in core: napi renders forwarded doc attributes verbatim.
                    $( $field: $ty, )*
                },
            )*
            /// An incoming call (Event Grid); answer, redirect or reject it with `incomingCallContext`.
            IncomingCall {
                id: String,
                time: Option<String>,
                to: Option<CommunicationIdentifier>,
                from: Option<CommunicationIdentifier>,
                server_call_id: Option<String>,
                caller_display_name: Option<String>,
                custom_context: Option<IncomingCallCustomContext>,
                incoming_call_context: Option<String>,
                on_behalf_of_callee: Option<CommunicationIdentifier>,
                correlation_id: Option<String>,
            },
            /// The Event Grid webhook handshake: answer `{ validationResponse: validationCode }`.
            SubscriptionValidationEvent {
                id: String,
                time: Option<String>,
                validation_code: String,
                validation_url: Option<String>,
            },
            /// An event type this version does not know, kept verbatim; or a known one whose data did not read (then `parseError` says why).
            Unknown {
                id: String,
                time: Option<String>,
                /// The short type name, e.g. `PlayCompleted`.
                event_type: String,
                /// The full type, e.g. `Microsoft.Communication.PlayCompleted`.
                cloud_event_type: String,
                /// The `data` object as JSON text.
                data_json: String,
                /// Set when this stands in for a malformed event: where and what.
                parse_error: Option<EventParseFailure>,
            },
        }

        /// A call-automation event of core's table as its JS variant; `None` for the others.
        fn call_event_js(event: &Core) -> Option<CallAutomationEvent> {
            Some(match event {
                $(
                    Core::$name(d) => CallAutomationEvent::$name {
                        id: d.meta.id.clone(),
                        time: d.meta.time.clone(),
                        call_connection_id: d.call_connection_id.clone(),
                        server_call_id: d.server_call_id.clone(),
                        correlation_id: d.correlation_id.clone(),
                        operation_context: d.operation_context.clone(),
                        result_information: result_information(&d.result_information),
                        $( $field: ToJs::to_js(&d.$field), )*
                    },
                )*
                _ => return None,
            })
        }
    };
}

callsteer::call_event_table!(js_events);

fn meta(m: &EventMeta) -> (String, Option<String>) {
    (m.id.clone(), m.time.clone())
}

/// Core event → JS event.
pub fn event_js(event: &Core) -> CallAutomationEvent {
    if let Some(js) = call_event_js(event) {
        return js;
    }
    match event {
        Core::IncomingCall(d) => {
            let (id, time) = meta(&d.meta);
            CallAutomationEvent::IncomingCall {
                id,
                time,
                to: opt_identifier_js(&d.to),
                from: opt_identifier_js(&d.from),
                server_call_id: d.server_call_id.clone(),
                caller_display_name: d.caller_display_name.clone(),
                custom_context: d
                    .custom_context
                    .as_ref()
                    .map(|c| IncomingCallCustomContext {
                        sip_headers: c.sip_headers.clone().into_iter().collect(),
                        voip_headers: c.voip_headers.clone().into_iter().collect(),
                        teams_phone_call_details: c
                            .teams_phone_call_details
                            .as_deref()
                            .map(crate::convert::teams_phone_call_details_js),
                    }),
                incoming_call_context: d.incoming_call_context.clone(),
                on_behalf_of_callee: opt_identifier_js(&d.on_behalf_of_callee),
                correlation_id: d.correlation_id.clone(),
            }
        }
        Core::SubscriptionValidation {
            meta: m,
            validation_code,
            validation_url,
        } => {
            let (id, time) = meta(m);
            CallAutomationEvent::SubscriptionValidationEvent {
                id,
                time,
                validation_code: validation_code.clone(),
                validation_url: validation_url.clone(),
            }
        }
        other => {
            let (id, time) = meta(other.meta());
            CallAutomationEvent::Unknown {
                id,
                time,
                event_type: other.event_type().to_string(),
                cloud_event_type: other.cloud_event_type(),
                data_json: other.data_json().to_string(),
                parse_error: other.parse_error().map(|f| EventParseFailure {
                    path: f.path.clone(),
                    message: f.message.clone(),
                }),
            }
        }
    }
}

pub fn body_bytes(body: Either<String, Buffer>) -> Vec<u8> {
    match body {
        Either::A(text) => text.into_bytes(),
        Either::B(buffer) => buffer.to_vec(),
    }
}

/// Parses a callback body (a CloudEvents array, one CloudEvent, or an Event Grid array) and
/// returns its first event, as `parseCallAutomationEvent` of the official SDK does.
#[napi(
    ts_args_type = "encodedEvents: string | Buffer | Record<string, unknown> | Record<string, unknown>[]"
)]
pub fn parse_call_automation_event(
    encoded_events: Either<String, Buffer>,
) -> napi::Result<CallAutomationEvent> {
    let bytes = body_bytes(encoded_events);
    guard(|| {
        let events = callsteer::parse_events(&bytes).js()?;
        match events.first() {
            Some(event) => Ok(event_js(event)),
            None => Err(crate::errors::to_js(callsteer::Error::event_parse(
                "$",
                "the body holds no event",
            ))),
        }
    })
}

/// Parses a callback body into all of its events.
#[napi(
    ts_args_type = "encodedEvents: string | Buffer | Record<string, unknown> | Record<string, unknown>[]"
)]
pub fn parse_call_automation_events(
    encoded_events: Either<String, Buffer>,
) -> napi::Result<Vec<CallAutomationEvent>> {
    let bytes = body_bytes(encoded_events);
    guard(|| {
        Ok(callsteer::parse_events(&bytes)
            .js()?
            .iter()
            .map(event_js)
            .collect())
    })
}

/// Which events a wait or handler receives; absent fields match everything.
#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub call_connection_id: Option<String>,
    /// The event type: the short name (`CallDisconnected`, as in `kind`) or the full wire type
    /// (`Microsoft.Communication.CallDisconnected`).
    pub kind: Option<String>,
    /// Only events that echo this operation context.
    pub operation_context: Option<String>,
}

fn core_filter(filter: Option<EventFilter>) -> callsteer::EventFilter {
    let filter = filter.unwrap_or_default();
    callsteer::EventFilter {
        call_connection_id: filter.call_connection_id,
        event_type: filter.kind,
        operation_context: filter.operation_context,
    }
}

/// The success or failure event that settled an action.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct OperationOutcome {
    /// True for the success event, false for the `*Failed` event.
    pub succeeded: bool,
    pub event: CallAutomationEvent,
}

pub fn outcome(o: &callsteer::OperationOutcome) -> OperationOutcome {
    OperationOutcome {
        succeeded: o.succeeded,
        event: event_js(&o.event),
    }
}

/// Waits for an action's outcome event, with a default timeout of 30 s.
pub async fn wait_outcome(
    waiter: impl std::future::Future<Output = callsteer::Result<callsteer::OperationOutcome>>
        + Send
        + 'static,
) -> napi::Result<OperationOutcome> {
    run(waiter).await.map(|o| outcome(&o))
}

/// Parses and dispatches a callback body on a worker thread.
pub struct ProcessTask {
    processor: callsteer::EventProcessor,
    body: Vec<u8>,
}

impl Task for ProcessTask {
    type Output = Vec<CallAutomationEvent>;
    type JsValue = Vec<CallAutomationEvent>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let processor = &self.processor;
        let body = &self.body;
        guard(|| {
            Ok(processor
                .process_events(body)
                .js()?
                .iter()
                .map(event_js)
                .collect())
        })
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// Routes callback events to the waiters of action results, to `waitForEvent` and to `on`
/// handlers. Get it from `client.getEventProcessor()` and feed it every callback body.
#[napi]
pub struct EventProcessor {
    pub(crate) inner: callsteer::EventProcessor,
}

#[napi]
impl EventProcessor {
    /// Parses a callback body (string or Buffer; the JS entry also accepts parsed JSON) off the
    /// main thread, dispatches its events and resolves with the new ones (duplicate deliveries
    /// are dropped).
    #[napi(
        catch_unwind,
        ts_args_type = "body: string | Buffer | object",
        ts_return_type = "Promise<CallAutomationEvent[]>"
    )]
    pub fn process_events(&self, body: Either<String, Buffer>) -> AsyncTask<ProcessTask> {
        AsyncTask::new(ProcessTask {
            processor: self.inner.clone(),
            body: body_bytes(body),
        })
    }

    /// Waits for the first event that passes `filter` (a filter object, or in the JS entry a
    /// predicate function), checking the events that arrived before the call first; the event
    /// is taken (no other wait receives it).
    #[napi(
        ts_args_type = "filter?: EventFilter | ((event: CallAutomationEvent) => boolean), options?: WaitOptions"
    )]
    pub async fn wait_for_event(
        &self,
        filter: Option<EventFilter>,
        options: Option<WaitOptions>,
    ) -> napi::Result<CallAutomationEvent> {
        let processor = self.inner.clone();
        let filter = core_filter(filter);
        let timeout: Duration = convert::timeout(&options);
        let event = run(async move { processor.wait_for_filter(filter, timeout).await }).await?;
        Ok(event_js(&event))
    }

    /// The events kept for a later wait that pass `filter`, oldest first, without taking them
    /// (what the predicate form of `waitForEvent` checks first).
    #[napi(catch_unwind)]
    pub fn kept_events(&self, filter: Option<EventFilter>) -> Vec<CallAutomationEvent> {
        self.inner
            .kept_events(&core_filter(filter))
            .iter()
            .map(event_js)
            .collect()
    }

    /// Takes a kept event out by its id (and call connection id, when given): a later wait
    /// will not receive it. Null if it is not (or no longer) kept.
    #[napi(catch_unwind)]
    pub fn take_kept_event(
        &self,
        id: String,
        call_connection_id: Option<String>,
    ) -> Option<CallAutomationEvent> {
        self.inner
            .take_kept_event(&id, call_connection_id.as_deref())
            .as_ref()
            .map(event_js)
    }

    /// Calls `handler` for every event of `kind` (every event when null), optionally of one call
    /// connection; returns an id for `off`. Handlers run on the main thread after dispatch.
    #[napi(
        catch_unwind,
        ts_args_type = "kind: string | null | undefined, handler: (event: CallAutomationEvent) => void, filter?: EventFilter"
    )]
    pub fn on(
        &self,
        kind: Option<String>,
        handler: Function<CallAutomationEvent, ()>,
        filter: Option<EventFilter>,
    ) -> napi::Result<u32> {
        let tsfn = handler
            .build_threadsafe_function::<CallAutomationEvent>()
            .callee_handled::<false>()
            .weak::<true>()
            .build()
            .map_err(|e| invalid("handler", e.reason))?;
        let mut filter = core_filter(filter);
        if kind.is_some() {
            filter.event_type = kind;
        }
        let id = self.inner.on(filter, move |event| {
            tsfn.call(event_js(event), ThreadsafeFunctionCallMode::NonBlocking);
        });
        let next = NEXT_HANDLER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        handlers().insert(next, (self.inner.clone(), id));
        Ok(next)
    }

    /// Removes a handler registered with `on`; false if it was not registered.
    #[napi(catch_unwind)]
    pub fn off(&self, id: u32) -> bool {
        match handlers().remove(&id) {
            Some((processor, handler)) => processor.off(handler),
            None => false,
        }
    }

    /// The latest roster of a call from `ParticipantsUpdated` events, or null.
    #[napi(catch_unwind)]
    pub fn call_participants(&self, call_connection_id: String) -> Option<Vec<CallParticipant>> {
        self.inner
            .call_participants(&call_connection_id)
            .map(|all| all.iter().map(convert::participant).collect())
    }
}

type Handlers = HashMap<u32, (callsteer::EventProcessor, callsteer::events::HandlerId)>;

static HANDLERS: std::sync::LazyLock<std::sync::Mutex<Handlers>> =
    std::sync::LazyLock::new(Default::default);
static NEXT_HANDLER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

fn handlers() -> std::sync::MutexGuard<'static, Handlers> {
    HANDLERS.lock().unwrap_or_else(|p| p.into_inner())
}
