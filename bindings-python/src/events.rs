//! Events: one Python class per core event type (all subclasses of `CallAutomationEvent`), the
//! event processor and `parse_events`. Parsing, matching and rosters are the core's.

use std::time::Duration;

use callsteer::events::{EventField, OperationOutcome, CALL_EVENTS};
use callsteer::{CallAutomationEvent, EventFilter, EventProcessor, ResultInformation};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{self, opt_any, py_bool, PyCallParticipant};
use crate::errors;
use crate::runtime::{run_async, run_sync};

/// `resultInformation`: `code`, `sub_code`, `message`.
#[pyclass(frozen, name = "ResultInformation", module = "callsteer")]
#[derive(Clone)]
pub struct PyResultInformation {
    inner: ResultInformation,
}

#[pymethods]
impl PyResultInformation {
    #[getter]
    fn code(&self) -> Option<i32> {
        self.inner.code
    }
    #[getter]
    fn sub_code(&self) -> Option<i32> {
        self.inner.sub_code
    }
    #[getter]
    fn message(&self) -> Option<String> {
        self.inner.message.clone()
    }
    /// The SIP response behind the result (api-version 2026-03-12).
    #[getter]
    fn sip_details(&self) -> Option<PySipDiagnosticInfo> {
        self.inner.sip_details.clone().map(PySipDiagnosticInfo)
    }
    /// The Q.850 cause behind the result (api-version 2026-03-12).
    #[getter]
    fn q850_details(&self) -> Option<PySipDiagnosticInfo> {
        self.inner.q850_details.clone().map(PySipDiagnosticInfo)
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyResultInformation>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "ResultInformation(code={:?}, sub_code={:?}, message={:?}, sip_details={}, q850_details={})",
            self.inner.code,
            self.inner.sub_code,
            self.inner.message,
            diagnostic_repr(&self.inner.sip_details),
            diagnostic_repr(&self.inner.q850_details),
        )
    }
}

fn diagnostic_repr(details: &Option<callsteer::SipDiagnosticInfo>) -> String {
    match details {
        Some(d) => PySipDiagnosticInfo(d.clone()).__repr__(),
        None => "None".to_string(),
    }
}

/// `sip_details` / `q850_details` of a result: a SIP response or Q.850 cause `code` and its
/// `message`.
#[pyclass(frozen, name = "SipDiagnosticInfo", module = "callsteer")]
#[derive(Clone)]
pub struct PySipDiagnosticInfo(callsteer::SipDiagnosticInfo);

#[pymethods]
impl PySipDiagnosticInfo {
    #[getter]
    fn code(&self) -> Option<i32> {
        self.0.code
    }
    #[getter]
    fn message(&self) -> Option<String> {
        self.0.message.clone()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PySipDiagnosticInfo>()
            .is_ok_and(|o| o.get().0 == self.0)
    }
    fn __repr__(&self) -> String {
        format!(
            "SipDiagnosticInfo(code={:?}, message={:?})",
            self.0.code, self.0.message
        )
    }
}

/// The base class of every event.
#[pyclass(frozen, subclass, name = "CallAutomationEvent", module = "callsteer")]
pub struct PyEvent {
    pub event: CallAutomationEvent,
}

#[pymethods]
impl PyEvent {
    /// Short type name, e.g. `CallConnected`.
    #[getter]
    fn event_type(&self) -> String {
        self.event.event_type().to_string()
    }
    /// Full wire type, e.g. `Microsoft.Communication.CallConnected`.
    #[getter]
    fn cloud_event_type(&self) -> String {
        self.event.cloud_event_type()
    }
    #[getter]
    fn id(&self) -> String {
        self.event.id().to_string()
    }
    #[getter]
    fn source(&self) -> Option<String> {
        self.event.meta().source.clone()
    }
    #[getter]
    fn subject(&self) -> Option<String> {
        self.event.meta().subject.clone()
    }
    #[getter]
    fn time(&self) -> Option<String> {
        self.event.meta().time.clone()
    }
    #[getter]
    fn call_connection_id(&self) -> Option<String> {
        self.event.call_connection_id().map(str::to_string)
    }
    #[getter]
    fn server_call_id(&self) -> Option<String> {
        self.event.server_call_id().map(str::to_string)
    }
    #[getter]
    fn correlation_id(&self) -> Option<String> {
        self.event.correlation_id().map(str::to_string)
    }
    #[getter]
    fn operation_context(&self) -> Option<String> {
        self.event.operation_context().map(str::to_string)
    }
    #[getter]
    fn result_information(&self) -> Option<PyResultInformation> {
        self.event
            .result_information()
            .map(|r| PyResultInformation { inner: r.clone() })
    }
    /// True for the `*Failed` events.
    #[getter]
    fn is_failure(&self) -> bool {
        self.event.is_failure()
    }
    /// The event's `data` object as on the wire (camelCase keys).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::json_to_py(py, &self.event.data_json())
    }
    /// This event as a CloudEvents 1.0 JSON object (a dict).
    fn to_cloud_event<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::json_to_py(py, &self.event.to_cloud_event_json())
    }

    // ---- type-specific fields (each subclass's stub declares the ones it has) ----

    /// The type-specific fields of the call-automation events (`participant`,
    /// `invitation_id`, `participants`, …), read from core's event table: an event's own field
    /// gives its value, a field some other event type has gives `None`, any other name raises
    /// `AttributeError` as usual.
    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.event.field(name) {
            Some(field) => field_to_py(py, field),
            None if is_event_field_name(name) => Ok(py.None().into_bound(py)),
            None => Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                "'{}' object has no attribute '{name}'",
                self.event.event_type()
            ))),
        }
    }

    #[getter]
    fn to<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.event {
            CallAutomationEvent::IncomingCall(d) => opt_any(py, d.to.as_ref()),
            _ => opt_any(py, None),
        }
    }
    /// The caller of an `IncomingCall` (`from` on the wire).
    #[getter]
    fn from_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.event {
            CallAutomationEvent::IncomingCall(d) => opt_any(py, d.from.as_ref()),
            _ => opt_any(py, None),
        }
    }
    #[getter]
    fn caller_display_name(&self) -> Option<String> {
        match &self.event {
            CallAutomationEvent::IncomingCall(d) => d.caller_display_name.clone(),
            _ => None,
        }
    }
    #[getter]
    fn incoming_call_context(&self) -> Option<String> {
        match &self.event {
            CallAutomationEvent::IncomingCall(d) => d.incoming_call_context.clone(),
            _ => None,
        }
    }
    #[getter]
    fn on_behalf_of_callee<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.event {
            CallAutomationEvent::IncomingCall(d) => opt_any(py, d.on_behalf_of_callee.as_ref()),
            _ => opt_any(py, None),
        }
    }
    /// `{"sip_headers": {...}, "voip_headers": {...}, "teams_phone_call_details": ...}` of an
    /// `IncomingCall`, or `None`.
    #[getter]
    fn custom_context<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let CallAutomationEvent::IncomingCall(d) = &self.event else {
            return Ok(None);
        };
        let Some(ctx) = &d.custom_context else {
            return Ok(None);
        };
        let out = PyDict::new(py);
        out.set_item("sip_headers", ctx.sip_headers.clone())?;
        out.set_item("voip_headers", ctx.voip_headers.clone())?;
        let details = match &ctx.teams_phone_call_details {
            Some(details) => Some(crate::convert::teams_phone_call_details_to_py(py, details)?),
            None => None,
        };
        out.set_item("teams_phone_call_details", details)?;
        Ok(Some(out))
    }
    /// For a malformed event (an `Unknown` standing in for a known type whose data did not
    /// read): `{"path": "[1].data.resultInformation.code", "message": "..."}`; else `None`.
    #[getter]
    fn parse_error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(failure) = self.event.parse_error() else {
            return Ok(None);
        };
        let out = PyDict::new(py);
        out.set_item("path", &failure.path)?;
        out.set_item("message", &failure.message)?;
        Ok(Some(out))
    }
    #[getter]
    fn validation_code(&self) -> Option<String> {
        match &self.event {
            CallAutomationEvent::SubscriptionValidation {
                validation_code, ..
            } => Some(validation_code.clone()),
            _ => None,
        }
    }
    #[getter]
    fn validation_url(&self) -> Option<String> {
        match &self.event {
            CallAutomationEvent::SubscriptionValidation { validation_url, .. } => {
                validation_url.clone()
            }
            _ => None,
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyEvent>()
            .is_ok_and(|o| o.get().event == self.event)
    }

    fn __repr__(&self) -> String {
        let mut parts = vec![format!("id={:?}", self.event.id())];
        if let Some(id) = self.event.call_connection_id() {
            parts.push(format!("call_connection_id={id:?}"));
        }
        if let Some(ctx) = self.event.operation_context() {
            parts.push(format!("operation_context={ctx:?}"));
        }
        if let Some(r) = self.event.result_information() {
            parts.push(format!("result_code={:?}", r.code));
        }
        let name = match &self.event {
            CallAutomationEvent::Unknown {
                event_type,
                parse_error,
                ..
            } => {
                parts.insert(0, format!("event_type={event_type:?}"));
                if let Some(failure) = parse_error {
                    parts.push(format!("parse_error={:?}", failure.to_string()));
                }
                "Unknown"
            }
            CallAutomationEvent::SubscriptionValidation { .. } => "SubscriptionValidation",
            other => other.event_type(),
        };
        format!("{name}({})", parts.join(", "))
    }
}

fn field_to_py<'py>(py: Python<'py>, field: EventField<'_>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match field {
        EventField::Text(text) => text.into_pyobject(py)?.into_any(),
        EventField::Int(n) => n.into_pyobject(py)?.into_any(),
        EventField::Identifier(id) => opt_any(py, id)?,
        EventField::Participants(list) => convert::participants(list.to_vec())
            .into_pyobject(py)?
            .into_any(),
    })
}

fn is_event_field_name(name: &str) -> bool {
    CALL_EVENTS
        .iter()
        .any(|spec| spec.fields.iter().any(|f| f.name == name))
}

/// Expanded with core's event table: one Python class per call-automation event, named as the
/// event (the module keeps the class names apart from core's types).
macro_rules! py_event_classes {
    ($(
        $(#[$doc:meta])*
        $name:ident($data:ident) settles [$($op:ident : $outcome:ident),* $(,)?] {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty => $wire:literal ),* $(,)?
        }
    )*) => {
        mod classes {
            use pyo3::prelude::*;
            $(
                $(#[$doc])*
                #[pyclass(frozen, extends = super::PyEvent, module = "callsteer")]
                pub struct $name;
            )*
        }

        fn add_call_event_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_class::<classes::$name>()?; )*
            Ok(())
        }

        /// The names of the call-automation event classes, in table order.
        const CALL_EVENT_CLASS_NAMES: &[&str] = &[$( stringify!($name) ),*];

        fn new_call_event<'py>(
            py: Python<'py>,
            event: CallAutomationEvent,
        ) -> PyResult<std::result::Result<Bound<'py, PyAny>, CallAutomationEvent>> {
            Ok(Ok(match &event {
                $( CallAutomationEvent::$name(_) => with_class(py, event, classes::$name)?, )*
                _ => return Ok(Err(event)),
            }))
        }
    };
}

callsteer::call_event_table!(py_event_classes);

#[pyclass(frozen, extends = PyEvent, name = "IncomingCall", module = "callsteer")]
pub struct PyIncomingCall;
#[pyclass(frozen, extends = PyEvent, name = "SubscriptionValidation", module = "callsteer")]
pub struct PySubscriptionValidation;
#[pyclass(frozen, extends = PyEvent, name = "Unknown", module = "callsteer")]
pub struct PyUnknown;

/// Registers every event class on the module, and `EVENT_CLASSES` (the tuple of them all, which
/// the package exports).
pub fn add_event_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEvent>()?;
    add_call_event_classes(m)?;
    m.add_class::<PyIncomingCall>()?;
    m.add_class::<PySubscriptionValidation>()?;
    m.add_class::<PyUnknown>()?;
    let names = CALL_EVENT_CLASS_NAMES.iter().copied().chain([
        "IncomingCall",
        "SubscriptionValidation",
        "Unknown",
    ]);
    let classes = names
        .map(|name| m.getattr(name))
        .collect::<PyResult<Vec<_>>>()?;
    m.add("EVENT_CLASSES", pyo3::types::PyTuple::new(m.py(), classes)?)?;
    // Each table event's own fields as (name, core type), for the stub generator
    // (scripts/gen_event_stubs.py) and its check.
    let fields = PyDict::new(m.py());
    for spec in CALL_EVENTS {
        let pairs: Vec<(&str, &str)> = spec.fields.iter().map(|f| (f.name, f.rust_type)).collect();
        fields.set_item(spec.name, pyo3::types::PyTuple::new(m.py(), pairs)?)?;
    }
    m.add("EVENT_FIELDS", fields)?;
    Ok(())
}

/// Sets the module's `__all__` to the names of its event classes.
pub fn set_module_all(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.setattr("__all__", PyList::new(m.py(), event_class_names())?)
}

fn event_class_names() -> impl Iterator<Item = &'static str> {
    CALL_EVENT_CLASS_NAMES.iter().copied().chain([
        "IncomingCall",
        "SubscriptionValidation",
        "Unknown",
    ])
}

/// The Python object of one core event, as an instance of its own class.
pub fn event_to_py<'py>(
    py: Python<'py>,
    event: CallAutomationEvent,
) -> PyResult<Bound<'py, PyAny>> {
    use CallAutomationEvent as E;
    let event = match new_call_event(py, event)? {
        Ok(made) => return Ok(made),
        Err(other) => other,
    };
    match &event {
        E::IncomingCall(_) => with_class(py, event, PyIncomingCall),
        E::SubscriptionValidation { .. } => with_class(py, event, PySubscriptionValidation),
        _ => with_class(py, event, PyUnknown),
    }
}

/// `event` as an instance of the event subclass `sub`.
fn with_class<'py, S>(
    py: Python<'py>,
    event: CallAutomationEvent,
    sub: S,
) -> PyResult<Bound<'py, PyAny>>
where
    S: pyo3::PyClass<BaseType = PyEvent>,
{
    Ok(Bound::new(
        py,
        PyClassInitializer::from(PyEvent { event }).add_subclass(sub),
    )?
    .into_any())
}

/// An event travelling back from the runtime; becomes its Python class on arrival.
pub struct EventOut(pub CallAutomationEvent);

impl<'py> IntoPyObject<'py> for EventOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        event_to_py(py, self.0)
    }
}

fn events_list<'py>(
    py: Python<'py>,
    events: Vec<CallAutomationEvent>,
) -> PyResult<Bound<'py, PyList>> {
    let items = events
        .into_iter()
        .map(|e| event_to_py(py, e))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// `parse_events(body)`: a CloudEvents array, a single CloudEvent or an Event Grid array →
/// a list of events. A malformed event next to valid ones becomes an `Unknown` with
/// `parse_error` set; raises `EventParseError` when nothing in the body reads. Never panics.
#[pyfunction]
pub fn parse_events<'py>(
    py: Python<'py>,
    body: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    errors::guard(py, || {
        let bytes = convert::body(py, body)?;
        let events = callsteer::parse_events(&bytes).map_err(|e| errors::to_py(py, e))?;
        events_list(py, events)
    })
}

/// What `wait_for_event_processor` returns: `succeeded` and the `event` that settled it.
#[pyclass(frozen, name = "OperationOutcome", module = "callsteer")]
pub struct PyOperationOutcome {
    inner: OperationOutcome,
}

impl PyOperationOutcome {
    pub fn new(inner: OperationOutcome) -> Self {
        PyOperationOutcome { inner }
    }
}

#[pymethods]
impl PyOperationOutcome {
    #[getter]
    fn succeeded(&self) -> bool {
        self.inner.succeeded
    }
    /// The success or `*Failed` event.
    #[getter]
    fn event<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        event_to_py(py, self.inner.event.clone())
    }
    fn __bool__(&self) -> bool {
        self.inner.succeeded
    }
    fn __repr__(&self) -> String {
        format!(
            "OperationOutcome(succeeded={}, event_type={:?})",
            py_bool(self.inner.succeeded),
            self.inner.event.event_type()
        )
    }
}

/// The client's event processor: feed it callback bodies; results and `wait_for_event` wait on it.
#[pyclass(frozen, name = "EventProcessor", module = "callsteer")]
pub struct PyEventProcessor {
    pub inner: EventProcessor,
    pub is_async: bool,
}

#[pymethods]
impl PyEventProcessor {
    /// Parses a callback body and dispatches its events to waiters; returns the new events
    /// (duplicate deliveries are dropped). A malformed event is dispatched as an `Unknown` with
    /// `parse_error` next to the valid ones; raises `EventParseError` when nothing in the body
    /// reads.
    fn process_events<'py>(
        &self,
        py: Python<'py>,
        body: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        errors::guard(py, || {
            let bytes = convert::body(py, body)?;
            // Dispatch may wake tokio waiters; it never blocks on Python.
            let events = self
                .inner
                .process_events(&bytes)
                .map_err(|e| errors::to_py(py, e))?;
            events_list(py, events)
        })
    }

    /// Waits for the first event (already received or still to come) of `event_type` (short
    /// name or full wire type) and/or `call_connection_id` and/or `operation_context`; the
    /// event is taken. Raises `OperationTimeoutError` after `timeout` seconds.
    #[pyo3(signature = (event_type = None, *, call_connection_id = None, operation_context = None, timeout = 30.0))]
    fn wait_for_event<'py>(
        &self,
        py: Python<'py>,
        event_type: Option<String>,
        call_connection_id: Option<String>,
        operation_context: Option<String>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let processor = self.inner.clone();
        let make = move || -> PyResult<_> {
            let timeout = convert::seconds(py, "timeout", timeout)?;
            Ok(wait_future(
                processor,
                event_type,
                call_connection_id,
                operation_context,
                timeout,
            ))
        };
        if self.is_async {
            run_async(py, make, EventOut)
        } else {
            run_sync(py, make, |event| event_to_py(py, event))
        }
    }

    /// The latest roster of a call from `ParticipantsUpdated` events, or `None`.
    fn call_participants(&self, call_connection_id: &str) -> Option<Vec<PyCallParticipant>> {
        self.inner
            .call_participants(call_connection_id)
            .map(convert::participants)
    }

    fn __repr__(&self) -> String {
        let stats = self.inner.stats();
        format!(
            "EventProcessor(backlog={}, waiters={})",
            stats.backlog_len, stats.waiters
        )
    }
}

async fn wait_future(
    processor: EventProcessor,
    event_type: Option<String>,
    call_connection_id: Option<String>,
    operation_context: Option<String>,
    timeout: Duration,
) -> callsteer::Result<CallAutomationEvent> {
    // The core's filter: the same type-name rule as every other language.
    let filter = EventFilter {
        call_connection_id,
        event_type,
        operation_context,
    };
    processor.wait_for_filter(filter, timeout).await
}
