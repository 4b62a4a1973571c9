//! `CallConnectionClient` (sync) and its asyncio twin, and the mid-call result classes.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use callsteer::events::OperationOutcome;
use callsteer::{
    AddParticipantOptions, AddParticipantResult, CallConnection, CallInvite,
    CancelAddParticipantOperationOptions, CancelAddParticipantOperationResult,
    MoveParticipantsOptions, MoveParticipantsResult, MuteParticipantOptions,
    RemoveParticipantOptions, RemoveParticipantResult, TransferCallResult,
    TransferCallToParticipantOptions,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use crate::client::{ClientState, PyCallConnectionProperties};
use crate::convert::{self, PyCallParticipant};
use crate::events::{PyEventProcessor, PyOperationOutcome};
use crate::runtime::{run_async, run_sync};

type Fut<T> = Pin<Box<dyn Future<Output = callsteer::Result<T>> + Send>>;

/// Runs a result's outcome wait in the result's mode (sync value or asyncio awaitable).
fn wait<'py, F>(
    py: Python<'py>,
    is_async: bool,
    timeout: f64,
    wait: impl FnOnce(Duration) -> F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = callsteer::Result<OperationOutcome>> + Send + 'static,
{
    let make = || -> PyResult<F> { Ok(wait(convert::seconds(py, "timeout", timeout)?)) };
    if is_async {
        run_async(py, make, PyOperationOutcome::new)
    } else {
        run_sync(py, make, |o| {
            Ok(Bound::new(py, PyOperationOutcome::new(o))?.into_any())
        })
    }
}

fn opt_repr(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{s:?}"),
        None => "None".to_string(),
    }
}

/// `TransferCallResult`: `operation_context`, `wait_for_event_processor`.
#[pyclass(frozen, name = "TransferCallResult", module = "callsteer")]
pub struct PyTransferCallResult {
    inner: TransferCallResult,
    is_async: bool,
}

#[pymethods]
impl PyTransferCallResult {
    #[getter]
    fn operation_context(&self) -> Option<String> {
        self.inner.operation_context.clone()
    }
    /// Waits for `CallTransferAccepted` / `CallTransferFailed`.
    #[pyo3(signature = (timeout = 30.0))]
    fn wait_for_event_processor<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        wait(py, self.is_async, timeout, move |t| async move {
            inner.wait_for_event_processor(t).await
        })
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| o.get().inner.operation_context == self.inner.operation_context)
    }
    fn __repr__(&self) -> String {
        format!(
            "TransferCallResult(operation_context={})",
            opt_repr(&self.inner.operation_context)
        )
    }
}

/// `AddParticipantResult`: `invitation_id`, `participant`, `operation_context`.
#[pyclass(frozen, name = "AddParticipantResult", module = "callsteer")]
pub struct PyAddParticipantResult {
    inner: AddParticipantResult,
    is_async: bool,
}

#[pymethods]
impl PyAddParticipantResult {
    #[getter]
    fn invitation_id(&self) -> Option<String> {
        self.inner.invitation_id.clone()
    }
    #[getter]
    fn participant(&self) -> Option<PyCallParticipant> {
        self.inner
            .participant
            .clone()
            .map(|inner| PyCallParticipant { inner })
    }
    #[getter]
    fn operation_context(&self) -> Option<String> {
        self.inner.operation_context.clone()
    }
    /// Waits for `AddParticipantSucceeded` / `AddParticipantFailed`.
    #[pyo3(signature = (timeout = 30.0))]
    fn wait_for_event_processor<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        wait(py, self.is_async, timeout, move |t| async move {
            inner.wait_for_event_processor(t).await
        })
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| {
            let o = &o.get().inner;
            o.invitation_id == self.inner.invitation_id
                && o.operation_context == self.inner.operation_context
                && o.participant == self.inner.participant
        })
    }
    fn __repr__(&self) -> String {
        format!(
            "AddParticipantResult(invitation_id={}, participant={}, operation_context={})",
            opt_repr(&self.inner.invitation_id),
            opt_repr(
                &self
                    .inner
                    .participant
                    .as_ref()
                    .map(|p| p.identifier.raw_id())
            ),
            opt_repr(&self.inner.operation_context)
        )
    }
}

/// `RemoveParticipantResult`: `operation_context`.
#[pyclass(frozen, name = "RemoveParticipantResult", module = "callsteer")]
pub struct PyRemoveParticipantResult {
    inner: RemoveParticipantResult,
    is_async: bool,
}

#[pymethods]
impl PyRemoveParticipantResult {
    #[getter]
    fn operation_context(&self) -> Option<String> {
        self.inner.operation_context.clone()
    }
    /// Waits for `RemoveParticipantSucceeded` / `RemoveParticipantFailed`.
    #[pyo3(signature = (timeout = 30.0))]
    fn wait_for_event_processor<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        wait(py, self.is_async, timeout, move |t| async move {
            inner.wait_for_event_processor(t).await
        })
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| o.get().inner.operation_context == self.inner.operation_context)
    }
    fn __repr__(&self) -> String {
        format!(
            "RemoveParticipantResult(operation_context={})",
            opt_repr(&self.inner.operation_context)
        )
    }
}

/// `CancelAddParticipantOperationResult`: `invitation_id`, `operation_context`.
#[pyclass(
    frozen,
    name = "CancelAddParticipantOperationResult",
    module = "callsteer"
)]
pub struct PyCancelAddParticipantOperationResult {
    inner: CancelAddParticipantOperationResult,
    is_async: bool,
}

#[pymethods]
impl PyCancelAddParticipantOperationResult {
    #[getter]
    fn invitation_id(&self) -> Option<String> {
        self.inner.invitation_id.clone()
    }
    #[getter]
    fn operation_context(&self) -> Option<String> {
        self.inner.operation_context.clone()
    }
    /// Waits for the cancellation's success or failure event.
    #[pyo3(signature = (timeout = 30.0))]
    fn wait_for_event_processor<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        wait(py, self.is_async, timeout, move |t| async move {
            inner.wait_for_event_processor(t).await
        })
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| {
            let o = &o.get().inner;
            o.invitation_id == self.inner.invitation_id
                && o.operation_context == self.inner.operation_context
        })
    }
    fn __repr__(&self) -> String {
        format!(
            "CancelAddParticipantOperationResult(invitation_id={}, operation_context={})",
            opt_repr(&self.inner.invitation_id),
            opt_repr(&self.inner.operation_context)
        )
    }
}

/// `MoveParticipantsResult`: `participants` (this call's, as the service answered),
/// `operation_context`, `from_call`.
#[pyclass(frozen, name = "MoveParticipantsResult", module = "callsteer")]
pub struct PyMoveParticipantsResult {
    inner: MoveParticipantsResult,
    is_async: bool,
}

#[pymethods]
impl PyMoveParticipantsResult {
    #[getter]
    fn participants(&self) -> Vec<PyCallParticipant> {
        convert::participants(self.inner.participants.clone())
    }
    #[getter]
    fn operation_context(&self) -> Option<String> {
        self.inner.operation_context.clone()
    }
    #[getter(from_call)]
    fn source_call(&self) -> Option<String> {
        self.inner.from_call.clone()
    }
    /// Waits for `MoveParticipantSucceeded` / `MoveParticipantFailed`.
    #[pyo3(signature = (timeout = 30.0))]
    fn wait_for_event_processor<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        wait(py, self.is_async, timeout, move |t| async move {
            inner.wait_for_event_processor(t).await
        })
    }
    fn __repr__(&self) -> String {
        format!(
            "MoveParticipantsResult(participants=[{}], operation_context={}, from_call={})",
            self.inner
                .participants
                .iter()
                .map(|p| format!("{:?}", p.identifier.raw_id()))
                .collect::<Vec<_>>()
                .join(", "),
            opt_repr(&self.inner.operation_context),
            opt_repr(&self.inner.from_call)
        )
    }
}

/// `MuteParticipantResult`: `operation_context` (no outcome event).
#[pyclass(frozen, name = "MuteParticipantResult", module = "callsteer")]
pub struct PyMuteParticipantResult {
    operation_context: Option<String>,
}

#[pymethods]
impl PyMuteParticipantResult {
    #[getter]
    fn operation_context(&self) -> Option<String> {
        self.operation_context.clone()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| o.get().operation_context == self.operation_context)
    }
    fn __repr__(&self) -> String {
        format!(
            "MuteParticipantResult(operation_context={})",
            opt_repr(&self.operation_context)
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Argument preparation shared by both classes.

#[allow(clippy::too_many_arguments)]
fn prep_transfer(
    py: Python<'_>,
    conn: &CallConnection,
    target_participant: &Bound<'_, PyAny>,
    transferee: Option<&Bound<'_, PyAny>>,
    operation_context: Option<String>,
    operation_callback_url: Option<String>,
    sip_headers: Option<&Bound<'_, PyAny>>,
    voip_headers: Option<&Bound<'_, PyAny>>,
    source_caller_id_number: Option<&Bound<'_, PyAny>>,
    teams_phone_call_details: Option<&Bound<'_, PyAny>>,
) -> PyResult<Fut<TransferCallResult>> {
    let mut custom_calling_context =
        convert::custom_calling_context(py, sip_headers, voip_headers)?;
    custom_calling_context.teams_phone_call_details =
        convert::teams_phone_call_details(py, teams_phone_call_details)?;
    let target = convert::identifier(py, "targetParticipant", target_participant)?;
    let options = TransferCallToParticipantOptions {
        transferee: convert::opt_identifier(py, "transferee", transferee)?,
        operation_context,
        operation_callback_url,
        custom_calling_context,
        source_caller_id_number: convert::phone_number(
            py,
            "sourceCallerIdNumber",
            source_caller_id_number,
        )?,
        ..Default::default()
    };
    let conn = conn.clone();
    Ok(Box::pin(async move {
        conn.transfer_call_to_participant(&target, options).await
    }))
}

#[allow(clippy::too_many_arguments)]
fn prep_add(
    py: Python<'_>,
    conn: &CallConnection,
    target_participant: &Bound<'_, PyAny>,
    invitation_timeout: Option<u32>,
    operation_context: Option<String>,
    operation_callback_url: Option<String>,
    sip_headers: Option<&Bound<'_, PyAny>>,
    voip_headers: Option<&Bound<'_, PyAny>>,
    source_caller_id_number: Option<&Bound<'_, PyAny>>,
    source_display_name: Option<String>,
    teams_phone_call_details: Option<&Bound<'_, PyAny>>,
) -> PyResult<Fut<AddParticipantResult>> {
    let caller = convert::phone_number(py, "sourceCallerIdNumber", source_caller_id_number)?;
    // A CallInvite (the older form) is unwrapped; keyword arguments win, as in the official SDK.
    let mut invite = match convert::call_invite(py, "participantToAdd", target_participant)? {
        Some((target, invite_caller, invite_name)) => CallInvite {
            source_caller_id_number: invite_caller,
            source_display_name: invite_name,
            ..CallInvite::new(target)
        },
        None => CallInvite::new(convert::identifier(
            py,
            "participantToAdd",
            target_participant,
        )?),
    };
    invite.source_caller_id_number = caller.or(invite.source_caller_id_number);
    invite.source_display_name = source_display_name.or(invite.source_display_name);
    // Keyword headers win; without them, a CallInvite's own headers are sent, not dropped.
    let keywords = convert::custom_calling_context(py, sip_headers, voip_headers)?;
    invite.custom_calling_context = if keywords.is_empty() {
        convert::invite_context(py, target_participant)?
    } else {
        keywords
    };
    invite.custom_calling_context.teams_phone_call_details =
        convert::teams_phone_call_details(py, teams_phone_call_details)?;
    let options = AddParticipantOptions {
        invitation_timeout_in_seconds: invitation_timeout,
        operation_context,
        operation_callback_url,
        ..Default::default()
    };
    let conn = conn.clone();
    Ok(Box::pin(async move {
        conn.add_participant(invite, options).await
    }))
}

fn prep_cancel(
    conn: &CallConnection,
    invitation_id: String,
    operation_context: Option<String>,
    operation_callback_url: Option<String>,
) -> Fut<CancelAddParticipantOperationResult> {
    let options = CancelAddParticipantOperationOptions {
        operation_context,
        operation_callback_url,
        ..Default::default()
    };
    let conn = conn.clone();
    Box::pin(async move {
        conn.cancel_add_participant_operation(&invitation_id, options)
            .await
    })
}

fn prep_remove(
    py: Python<'_>,
    conn: &CallConnection,
    target_participant: &Bound<'_, PyAny>,
    operation_context: Option<String>,
    operation_callback_url: Option<String>,
) -> PyResult<Fut<RemoveParticipantResult>> {
    let target = convert::identifier(py, "participantToRemove", target_participant)?;
    let options = RemoveParticipantOptions {
        operation_context,
        operation_callback_url,
        ..Default::default()
    };
    let conn = conn.clone();
    Ok(Box::pin(async move {
        conn.remove_participant(&target, options).await
    }))
}

fn prep_move(
    py: Python<'_>,
    conn: &CallConnection,
    target_participants: &Bound<'_, PyAny>,
    from_call_id: String,
    operation_context: Option<String>,
    operation_callback_url: Option<String>,
) -> PyResult<Fut<MoveParticipantsResult>> {
    let field = "moveTargetParticipants";
    if target_participants.is_instance_of::<pyo3::types::PyString>() {
        return Err(crate::errors::invalid(
            py,
            field,
            "expected a list of identifiers, found a string",
        ));
    }
    let targets = target_participants
        .try_iter()
        .map_err(|_| crate::errors::invalid(py, field, "expected a list of identifiers"))?
        .map(|item| convert::identifier(py, field, &item?))
        .collect::<PyResult<Vec<_>>>()?;
    let options = MoveParticipantsOptions {
        operation_context,
        operation_callback_url,
        ..Default::default()
    };
    let conn = conn.clone();
    Ok(Box::pin(async move {
        conn.move_participants(targets, &from_call_id, options)
            .await
    }))
}

fn prep_mute(
    py: Python<'_>,
    conn: &CallConnection,
    target_participant: &Bound<'_, PyAny>,
    operation_context: Option<String>,
) -> PyResult<Fut<Option<String>>> {
    let target = convert::identifier(py, "targetParticipant", target_participant)?;
    let options = MuteParticipantOptions {
        operation_context,
        ..Default::default()
    };
    let conn = conn.clone();
    Ok(Box::pin(async move {
        Ok(conn
            .mute_participant(&target, options)
            .await?
            .operation_context)
    }))
}

fn prep_get_participant(
    py: Python<'_>,
    conn: &CallConnection,
    target_participant: &Bound<'_, PyAny>,
) -> PyResult<Fut<callsteer::CallParticipant>> {
    let target = convert::identifier(py, "participantRawId", target_participant)?;
    let conn = conn.clone();
    Ok(Box::pin(async move { conn.get_participant(&target).await }))
}

fn props(p: callsteer::CallConnectionProperties, is_async: bool) -> PyCallConnectionProperties {
    PyCallConnectionProperties {
        props: p,
        result: None,
        is_async,
    }
}

macro_rules! connection_class {
    ($ty:ident, $name:literal, $module:literal, $is_async:expr, $ret:ty, $run:ident, $lt:lifetime,
     |$py:ident, $v:ident| { props: $props:expr, participant: $part:expr,
       transfer: $transfer:expr, add: $add:expr, cancel: $cancel:expr, remove: $remove:expr,
       moved: $moved:expr,
       mute: $mute:expr, unit: $unit:expr, page: $page:expr }, { $($extra:tt)* }) => {
        #[pyclass(frozen, name = $name, module = $module)]
        pub struct $ty {
            inner: CallConnection,
        }

        impl $ty {
            pub fn new(inner: CallConnection) -> Self {
                $ty { inner }
            }
        }

        #[pymethods]
        impl $ty {
            /// A client for one call connection, as the official SDK builds it directly: the
            /// same `credential` and keywords as `CallAutomationClient`. Results wait on
            /// `event_processor`, which the app feeds.
            #[new]
            #[pyo3(signature = (endpoint, credential, call_connection_id, *, api_version = None, **kwargs))]
            fn new_direct(
                py: Python<'_>,
                endpoint: &str,
                credential: &Bound<'_, PyAny>,
                call_connection_id: &str,
                api_version: Option<String>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Self> {
                let state = ClientState::new(py, endpoint, credential, api_version, None, kwargs)?;
                state.connection(py, call_connection_id).map(Self::new)
            }

            /// `endpoint=https://…/;accesskey=…` and the call connection's id.
            #[classmethod]
            #[pyo3(signature = (conn_str, call_connection_id, *, api_version = None, **kwargs))]
            fn from_connection_string(
                _cls: &Bound<'_, PyType>,
                py: Python<'_>,
                conn_str: &str,
                call_connection_id: &str,
                api_version: Option<String>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Self> {
                let state =
                    ClientState::from_connection_string(py, conn_str, api_version, None, kwargs)?;
                state.connection(py, call_connection_id).map(Self::new)
            }

            /// The processor this connection's results wait on: the client's, or for a
            /// connection built on its own, its own (feed it the callback bodies).
            #[getter]
            fn event_processor(&self) -> PyEventProcessor {
                PyEventProcessor {
                    inner: self.inner.event_processor().clone(),
                    is_async: $is_async,
                }
            }

            #[getter]
            fn call_connection_id(&self) -> String {
                self.inner.call_connection_id().to_string()
            }

            /// The call's current properties.
            fn get_call_properties<$lt>(&self, $py: Python<$lt>) -> PyResult<$ret> {
                let conn = self.inner.clone();
                $run($py, || Ok(async move { conn.get_call_properties().await }), |$v: callsteer::CallConnectionProperties| $props)
            }

            /// Every participant of the call: a pager shaped like azure-core's (`ItemPaged` /
            /// `AsyncItemPaged`): iterate it for participants, or `by_page(continuation_token)`
            /// for pages; each page fetches one `nextLink` of the service.
            fn list_participants<$lt>(slf: &Bound<$lt, Self>) -> PyResult<Bound<$lt, PyAny>> {
                let pager = if $is_async { "AsyncItemPaged" } else { "ItemPaged" };
                slf.py()
                    .import("callsteer._paging")?
                    .getattr(pager)?
                    .call1((slf.getattr("_list_participants_page")?,))
            }

            /// One page for the pager: `(participants, continuation token of the next page)`.
            #[pyo3(signature = (continuation_token = None))]
            fn _list_participants_page<$lt>(&self, $py: Python<$lt>, continuation_token: Option<String>) -> PyResult<$ret> {
                let conn = self.inner.clone();
                $run(
                    $py,
                    || Ok(async move { conn.list_participants_page(continuation_token.as_deref()).await }),
                    |$v: callsteer::ParticipantsPage| $page,
                )
            }

            /// One participant, by identifier.
            fn get_participant<$lt>(&self, $py: Python<$lt>, target_participant: &Bound<$lt, PyAny>) -> PyResult<$ret> {
                $run($py, || prep_get_participant($py, &self.inner, target_participant), |$v: callsteer::CallParticipant| $part)
            }

            /// Transfers the call (1:1) or the `transferee` (group call) to `target_participant`.
            #[pyo3(signature = (target_participant, *, transferee = None, operation_context = None, operation_callback_url = None, sip_headers = None, voip_headers = None, source_caller_id_number = None, teams_phone_call_details = None))]
            #[allow(clippy::too_many_arguments)]
            fn transfer_call_to_participant<$lt>(
                &self,
                $py: Python<$lt>,
                target_participant: &Bound<$lt, PyAny>,
                transferee: Option<&Bound<$lt, PyAny>>,
                operation_context: Option<String>,
                operation_callback_url: Option<String>,
                sip_headers: Option<&Bound<$lt, PyAny>>,
                voip_headers: Option<&Bound<$lt, PyAny>>,
                source_caller_id_number: Option<&Bound<$lt, PyAny>>,
                teams_phone_call_details: Option<&Bound<$lt, PyAny>>,
            ) -> PyResult<$ret> {
                $run(
                    $py,
                    || prep_transfer($py, &self.inner, target_participant, transferee, operation_context, operation_callback_url, sip_headers, voip_headers, source_caller_id_number, teams_phone_call_details),
                    |$v: TransferCallResult| $transfer,
                )
            }

            /// Invites a participant (an identifier, or a `CallInvite`).
            #[pyo3(signature = (target_participant, *, invitation_timeout = None, operation_context = None, operation_callback_url = None, sip_headers = None, voip_headers = None, source_caller_id_number = None, source_display_name = None, teams_phone_call_details = None))]
            #[allow(clippy::too_many_arguments)]
            fn add_participant<$lt>(
                &self,
                $py: Python<$lt>,
                target_participant: &Bound<$lt, PyAny>,
                invitation_timeout: Option<u32>,
                operation_context: Option<String>,
                operation_callback_url: Option<String>,
                sip_headers: Option<&Bound<$lt, PyAny>>,
                voip_headers: Option<&Bound<$lt, PyAny>>,
                source_caller_id_number: Option<&Bound<$lt, PyAny>>,
                source_display_name: Option<String>,
                teams_phone_call_details: Option<&Bound<$lt, PyAny>>,
            ) -> PyResult<$ret> {
                $run(
                    $py,
                    || prep_add($py, &self.inner, target_participant, invitation_timeout, operation_context, operation_callback_url, sip_headers, voip_headers, source_caller_id_number, source_display_name, teams_phone_call_details),
                    |$v: AddParticipantResult| $add,
                )
            }

            /// Cancels a pending `add_participant` invitation.
            #[pyo3(signature = (invitation_id, *, operation_context = None, operation_callback_url = None))]
            fn cancel_add_participant_operation<$lt>(
                &self,
                $py: Python<$lt>,
                invitation_id: String,
                operation_context: Option<String>,
                operation_callback_url: Option<String>,
            ) -> PyResult<$ret> {
                $run(
                    $py,
                    || Ok(prep_cancel(&self.inner, invitation_id, operation_context, operation_callback_url)),
                    |$v: CancelAddParticipantOperationResult| $cancel,
                )
            }

            /// Removes a participant from the call.
            #[pyo3(signature = (target_participant, *, operation_context = None, operation_callback_url = None))]
            fn remove_participant<$lt>(
                &self,
                $py: Python<$lt>,
                target_participant: &Bound<$lt, PyAny>,
                operation_context: Option<String>,
                operation_callback_url: Option<String>,
            ) -> PyResult<$ret> {
                $run(
                    $py,
                    || prep_remove($py, &self.inner, target_participant, operation_context, operation_callback_url),
                    |$v: RemoveParticipantResult| $remove,
                )
            }

            /// Moves `target_participants` of the call `from_call_id` into this call
            /// (api-version 2026-03-12).
            #[pyo3(signature = (target_participants, from_call_id, *, operation_context = None, operation_callback_url = None))]
            fn move_participants<$lt>(
                &self,
                $py: Python<$lt>,
                target_participants: &Bound<$lt, PyAny>,
                from_call_id: String,
                operation_context: Option<String>,
                operation_callback_url: Option<String>,
            ) -> PyResult<$ret> {
                $run(
                    $py,
                    || prep_move($py, &self.inner, target_participants, from_call_id, operation_context, operation_callback_url),
                    |$v: MoveParticipantsResult| $moved,
                )
            }

            /// Mutes a communication user.
            #[pyo3(signature = (target_participant, *, operation_context = None))]
            fn mute_participant<$lt>(
                &self,
                $py: Python<$lt>,
                target_participant: &Bound<$lt, PyAny>,
                operation_context: Option<String>,
            ) -> PyResult<$ret> {
                $run(
                    $py,
                    || prep_mute($py, &self.inner, target_participant, operation_context),
                    |$v: Option<String>| $mute,
                )
            }

            /// `False`: the app leaves the call; `True`: the call ends for everyone.
            fn hang_up<$lt>(&self, $py: Python<$lt>, is_for_everyone: bool) -> PyResult<$ret> {
                let conn = self.inner.clone();
                $run($py, || Ok(async move { conn.hang_up(is_for_everyone).await }), |$v: ()| $unit)
            }

            /// Nothing to release of its own (the client's connection pool is shared), as in the
            /// official SDK's `close`; present so that code written for it runs unchanged.
            fn close<$lt>(&self, $py: Python<$lt>) -> PyResult<$ret> {
                $run($py, || Ok(async { Ok(()) }), |$v: ()| $unit)
            }

            fn __repr__(&self) -> String {
                format!("{}(call_connection_id={:?})", $name, self.inner.call_connection_id())
            }

            $($extra)*
        }
    };
}

fn sync_obj<'py, T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
    py: Python<'py>,
    v: T,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(py, v)?.into_any())
}

connection_class!(
    PyCallConnectionClient, "CallConnectionClient", "callsteer", false, Bound<'py, PyAny>, run_sync, 'py,
    |py, v| {
        props: sync_obj(py, props(v, false)),
        participant: sync_obj(py, PyCallParticipant { inner: v }),
        transfer: sync_obj(py, PyTransferCallResult { inner: v, is_async: false }),
        add: sync_obj(py, PyAddParticipantResult { inner: v, is_async: false }),
        cancel: sync_obj(py, PyCancelAddParticipantOperationResult { inner: v, is_async: false }),
        remove: sync_obj(py, PyRemoveParticipantResult { inner: v, is_async: false }),
        moved: sync_obj(py, PyMoveParticipantsResult { inner: v, is_async: false }),
        mute: sync_obj(py, PyMuteParticipantResult { operation_context: v }),
        unit: { let () = v; Ok(py.None().into_bound(py)) },
        page: Ok((convert::participants(v.participants), v.next_link).into_pyobject(py)?.into_any())
    },
    {
        fn __enter__(slf: Py<Self>) -> Py<Self> {
            slf
        }

        fn __exit__(
            &self,
            _t: Option<&Bound<'_, PyAny>>,
            _v: Option<&Bound<'_, PyAny>>,
            _tb: Option<&Bound<'_, PyAny>>,
        ) -> bool {
            false
        }
    }
);

connection_class!(
    PyAsyncCallConnectionClient, "AsyncCallConnectionClient", "callsteer.aio", true, Bound<'py, PyAny>, run_async, 'py,
    |py, v| {
        props: props(v, true),
        participant: PyCallParticipant { inner: v },
        transfer: PyTransferCallResult { inner: v, is_async: true },
        add: PyAddParticipantResult { inner: v, is_async: true },
        cancel: PyCancelAddParticipantOperationResult { inner: v, is_async: true },
        remove: PyRemoveParticipantResult { inner: v, is_async: true },
        moved: PyMoveParticipantsResult { inner: v, is_async: true },
        mute: PyMuteParticipantResult { operation_context: v },
        unit: v,
        page: (convert::participants(v.participants), v.next_link)
    },
    {
        fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
            let py = slf.py();
            let this = slf.unbind();
            run_async(py, || Ok(async { Ok(()) }), move |()| this)
        }

        fn __aexit__<'py>(
            &self,
            py: Python<'py>,
            _t: Option<&Bound<'py, PyAny>>,
            _v: Option<&Bound<'py, PyAny>>,
            _tb: Option<&Bound<'py, PyAny>>,
        ) -> PyResult<Bound<'py, PyAny>> {
            run_async(py, || Ok(async { Ok(()) }), |()| false)
        }
    }
);
