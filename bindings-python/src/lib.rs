//! `callsteer._native`: the pyo3 extension module behind the Python package `callsteer`.
//!
//! Thin over the core: argument conversion (`convert`), error mapping (`errors`), async
//! bridging (`runtime`). Every action, model, validation and event parser is the core's.

mod call_connection;
mod client;
mod convert;
mod errors;
mod events;
mod runtime;
mod verify;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_API_VERSION", callsteer::DEFAULT_API_VERSION)?;

    m.add_class::<client::PyCallAutomationClient>()?;
    m.add_class::<client::PyAsyncCallAutomationClient>()?;
    m.add_class::<client::PyCallConnectionProperties>()?;
    m.add_class::<client::PyCallbackListener>()?;
    m.add_class::<call_connection::PyCallConnectionClient>()?;
    m.add_class::<call_connection::PyAsyncCallConnectionClient>()?;
    m.add_class::<call_connection::PyTransferCallResult>()?;
    m.add_class::<call_connection::PyAddParticipantResult>()?;
    m.add_class::<call_connection::PyRemoveParticipantResult>()?;
    m.add_class::<call_connection::PyCancelAddParticipantOperationResult>()?;
    m.add_class::<call_connection::PyMuteParticipantResult>()?;
    m.add_class::<call_connection::PyMoveParticipantsResult>()?;

    m.add_class::<convert::PyCommunicationUserIdentifier>()?;
    m.add_class::<convert::PyPhoneNumberIdentifier>()?;
    m.add_class::<convert::PyMicrosoftTeamsUserIdentifier>()?;
    m.add_class::<convert::PyMicrosoftTeamsAppIdentifier>()?;
    m.add_class::<convert::PyTeamsExtensionUserIdentifier>()?;
    m.add_class::<convert::PyUnknownIdentifier>()?;
    m.add_class::<convert::PyCallParticipant>()?;
    m.add_function(wrap_pyfunction!(convert::py_identifier_from_raw_id, m)?)?;

    m.add_class::<events::PyResultInformation>()?;
    m.add_class::<events::PySipDiagnosticInfo>()?;
    m.add_class::<events::PyOperationOutcome>()?;
    m.add_class::<events::PyEventProcessor>()?;
    events::add_event_classes(m)?;
    m.add_function(wrap_pyfunction!(events::parse_events, m)?)?;

    m.add_class::<verify::PyCallbackVerifier>()?;
    m.add_class::<verify::PyAsyncCallbackVerifier>()?;
    m.add_function(wrap_pyfunction!(verify::panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(verify::panic_in_task_for_test, m)?)?;
    callsteer::logging::init_from_env();
    runtime::register_shutdown(m)?;
    // Last, as every `add` above appends to it: `__all__` is what the package star-imports,
    // the event classes of core's table (the stub declares the same list).
    events::set_module_all(m)?;
    Ok(())
}
