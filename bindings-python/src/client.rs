//! `CallAutomationClient` (sync) and `callsteer.aio.CallAutomationClient` (asyncio): argument
//! conversion into the core's option structs, then the core's action on the shared runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use callsteer::{
    AccessKeyCredential, AccessToken, AnswerCallOptions, CallAutomationClient,
    CallConnectionResult, CallInvite, CallRejectReason, ClientOptions, CommunicationIdentifier,
    ConnectCallOptions, CreateCallOptions, Credential, Error, RedirectCallOptions,
    RejectCallOptions, TokenCredential,
};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyType};

use crate::call_connection::{PyAsyncCallConnectionClient, PyCallConnectionClient};
use crate::convert::{self, Targets};
use crate::errors;
use crate::events::{PyEventProcessor, PyOperationOutcome};
use crate::runtime::{run_async, run_sync};

/// The scope of Communication Services bearer tokens.
const TOKEN_SCOPE: &str = "https://communication.azure.com//.default";

/// What a client pyclass holds; cheap to share.
pub struct ClientState {
    pub client: CallAutomationClient,
    /// The official SDK's `source` keyword: caller of create_call, `answered_by` of answer_call.
    pub source: Option<CommunicationIdentifier>,
}

/// A Python token credential (`get_token(*scopes)` → `.token`, `.expires_on`) for the core.
struct PyTokenCredential {
    credential: Arc<Py<PyAny>>,
}

impl TokenCredential for PyTokenCredential {
    fn get_token(
        &self,
    ) -> Pin<Box<dyn Future<Output = callsteer::Result<AccessToken>> + Send + '_>> {
        let credential = self.credential.clone();
        Box::pin(async move {
            // Calling Python needs the GIL: do it on a blocking thread, never a runtime worker.
            let fetched = tokio::task::spawn_blocking(move || {
                crate::runtime::with_python(move |py| -> Result<AccessToken, String> {
                    let token = credential
                        .bind(py)
                        .call_method1("get_token", (TOKEN_SCOPE,))
                        .map_err(|e| e.to_string())?;
                    if token.hasattr("__await__").unwrap_or(false) {
                        return Err("get_token returned an awaitable; pass a synchronous \
                                    credential (azure.identity, not azure.identity.aio)"
                            .to_string());
                    }
                    let value: String = token
                        .getattr("token")
                        .and_then(|t| t.extract())
                        .map_err(|_| "the token has no str `token`".to_string())?;
                    let expires_on: u64 = token
                        .getattr("expires_on")
                        .and_then(|t| t.extract())
                        .unwrap_or(0);
                    Ok(AccessToken {
                        token: value,
                        expires_on,
                    })
                })
                .unwrap_or_else(|| Err("the Python interpreter is shutting down".to_string()))
            })
            .await;
            match fetched {
                Ok(Ok(token)) => Ok(token),
                Ok(Err(message)) => Err(Error::auth(format!("token credential failed: {message}"))),
                Err(_) => Err(Error::auth("token credential failed: the call panicked")),
            }
        })
    }
}

fn credential(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Credential> {
    let key = |text: String| -> PyResult<Credential> {
        AccessKeyCredential::new(&text)
            .map(Credential::AccessKey)
            .map_err(|e| errors::to_py(py, e))
    };
    if let Ok(text) = value.cast::<PyString>() {
        return key(text.extract::<String>()?);
    }
    if value.hasattr("get_token")? {
        return Ok(Credential::Token(Arc::new(PyTokenCredential {
            credential: Arc::new(value.clone().unbind()),
        })));
    }
    if let Ok(text) = value.getattr("key").and_then(|k| k.extract::<String>()) {
        return key(text);
    }
    Err(errors::invalid(
        py,
        "credential",
        format!(
            "expected an AzureKeyCredential, a key str or a token credential, got {}",
            convert::type_name(value)
        ),
    ))
}

fn options(api_version: Option<String>, event_bus_url: Option<String>) -> ClientOptions {
    let mut options = ClientOptions::default();
    if let Some(v) = api_version {
        options.api_version = v;
    }
    options.event_bus_url = event_bus_url;
    options
}

impl ClientState {
    pub fn new(
        py: Python<'_>,
        endpoint: &str,
        credential_value: &Bound<'_, PyAny>,
        options: ClientOptions,
        source: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Arc<Self>> {
        errors::guard(py, || {
            // The official SDK prefixes a bare host with https://.
            let endpoint = if endpoint.to_ascii_lowercase().starts_with("http") {
                endpoint.to_string()
            } else {
                format!("https://{endpoint}")
            };
            let cred = credential(py, credential_value)?;
            let source = convert::opt_identifier(py, "source", source)?;
            let client = CallAutomationClient::new(&endpoint, cred, options)
                .map_err(|e| errors::to_py(py, e))?;
            Ok(Arc::new(ClientState { client, source }))
        })
    }

    pub fn from_connection_string(
        py: Python<'_>,
        conn_str: &str,
        options: ClientOptions,
        source: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Arc<Self>> {
        errors::guard(py, || {
            let source = convert::opt_identifier(py, "source", source)?;
            let client =
                CallAutomationClient::from_connection_string_with_options(conn_str, options)
                    .map_err(|e| errors::to_py(py, e))?;
            Ok(Arc::new(ClientState { client, source }))
        })
    }

    fn api_version(&self) -> String {
        self.client.options().api_version.clone()
    }
}

type ConnFuture = Pin<Box<dyn Future<Output = callsteer::Result<CallConnectionResult>> + Send>>;

#[allow(clippy::too_many_arguments)]
fn prep_create_call(
    py: Python<'_>,
    state: &Arc<ClientState>,
    target_participant: &Bound<'_, PyAny>,
    callback_url: String,
    source_caller_id_number: Option<&Bound<'_, PyAny>>,
    source_display_name: Option<String>,
    operation_context: Option<String>,
    cognitive_services_endpoint: Option<String>,
    teams_app_source: Option<&Bound<'_, PyAny>>,
    group: bool,
) -> PyResult<ConnFuture> {
    let caller = convert::phone_number(py, "sourceCallerIdNumber", source_caller_id_number)?;
    let teams_app_source = convert::opt_identifier(py, "teamsAppSource", teams_app_source)?;
    let targets = if group {
        Targets::Many(convert::identifier_list(py, "targets", target_participant)?)
    } else {
        convert::targets(py, target_participant)?
    };
    let client = state.client.clone();
    let mut options = CreateCallOptions {
        source_caller_id_number: caller,
        source_display_name,
        source: state.source.clone(),
        teams_app_source,
        operation_context,
        cognitive_services_endpoint,
        ..Default::default()
    };
    Ok(match targets {
        Targets::One {
            target,
            source_caller_id_number,
            source_display_name,
        } => {
            // The official SDK: keyword arguments win over the CallInvite's.
            options.source_caller_id_number =
                options.source_caller_id_number.or(source_caller_id_number);
            options.source_display_name = options.source_display_name.or(source_display_name);
            Box::pin(async move {
                client
                    .create_call(CallInvite::new(target), &callback_url, options)
                    .await
            })
        }
        Targets::Many(targets) => Box::pin(async move {
            client
                .create_group_call(targets, &callback_url, options)
                .await
        }),
    })
}

#[allow(clippy::too_many_arguments)]
fn prep_connect_call(
    py: Python<'_>,
    state: &Arc<ClientState>,
    callback_url: String,
    call_locator: Option<&Bound<'_, PyAny>>,
    server_call_id: Option<String>,
    group_call_id: Option<String>,
    room_id: Option<String>,
    operation_context: Option<String>,
    cognitive_services_endpoint: Option<String>,
) -> PyResult<ConnFuture> {
    let locator = convert::call_locator(py, call_locator, server_call_id, group_call_id, room_id)?;
    let client = state.client.clone();
    let options = ConnectCallOptions {
        operation_context,
        cognitive_services_endpoint,
        ..Default::default()
    };
    Ok(Box::pin(async move {
        client.connect_call(locator?, &callback_url, options).await
    }))
}

fn prep_answer_call(
    state: &Arc<ClientState>,
    incoming_call_context: String,
    callback_url: String,
    operation_context: Option<String>,
    cognitive_services_endpoint: Option<String>,
) -> ConnFuture {
    let client = state.client.clone();
    let options = AnswerCallOptions {
        operation_context,
        cognitive_services_endpoint,
        answered_by: state.source.clone(),
        ..Default::default()
    };
    Box::pin(async move {
        client
            .answer_call(&incoming_call_context, &callback_url, options)
            .await
    })
}

type UnitFuture = Pin<Box<dyn Future<Output = callsteer::Result<()>> + Send>>;

fn prep_redirect_call(
    py: Python<'_>,
    state: &Arc<ClientState>,
    incoming_call_context: String,
    target_participant: &Bound<'_, PyAny>,
) -> PyResult<UnitFuture> {
    let invite = match convert::call_invite(py, "target", target_participant)? {
        Some((target, caller, name)) => CallInvite {
            source_caller_id_number: caller,
            source_display_name: name,
            ..CallInvite::new(target)
        },
        None => CallInvite::new(convert::identifier(py, "target", target_participant)?),
    };
    let client = state.client.clone();
    Ok(Box::pin(async move {
        client
            .redirect_call(
                &incoming_call_context,
                invite,
                RedirectCallOptions::default(),
            )
            .await
    }))
}

fn reject_reason(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<CallRejectReason>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    // A str or the str enum `CallRejectReason`; its value is the wire value.
    let text: String = match value.getattr("value") {
        Ok(v) if !value.is_instance_of::<PyString>() || v.is_instance_of::<PyString>() => {
            v.extract().or_else(|_| value.extract())
        }
        _ => value.extract(),
    }
    .map_err(|_| errors::invalid(py, "callRejectReason", "must be none, busy or forbidden"))?;
    match text.to_ascii_lowercase().as_str() {
        "none" => Ok(Some(CallRejectReason::None)),
        "busy" => Ok(Some(CallRejectReason::Busy)),
        "forbidden" => Ok(Some(CallRejectReason::Forbidden)),
        _ => Err(errors::invalid(
            py,
            "callRejectReason",
            format!("`{text}` is not none, busy or forbidden"),
        )),
    }
}

fn prep_reject_call(
    py: Python<'_>,
    state: &Arc<ClientState>,
    incoming_call_context: String,
    call_reject_reason: Option<&Bound<'_, PyAny>>,
) -> PyResult<UnitFuture> {
    let options = RejectCallOptions {
        call_reject_reason: reject_reason(py, call_reject_reason)?,
        ..Default::default()
    };
    let client = state.client.clone();
    Ok(Box::pin(async move {
        client.reject_call(&incoming_call_context, options).await
    }))
}

// ---------------------------------------------------------------------------------------------
// Results.

/// `CallConnectionProperties`, as `create_call` / `answer_call` / `connect_call` /
/// `get_call_properties` return it; those from an action also `wait_for_event_processor`.
#[pyclass(frozen, name = "CallConnectionProperties", module = "callsteer")]
pub struct PyCallConnectionProperties {
    pub props: callsteer::CallConnectionProperties,
    pub result: Option<CallConnectionResult>,
    pub is_async: bool,
}

impl PyCallConnectionProperties {
    pub fn from_result(result: CallConnectionResult, is_async: bool) -> Self {
        PyCallConnectionProperties {
            props: result.call_connection_properties.clone(),
            result: Some(result),
            is_async,
        }
    }
}

#[pymethods]
impl PyCallConnectionProperties {
    #[getter]
    fn call_connection_id(&self) -> String {
        self.props.call_connection_id.clone()
    }
    #[getter]
    fn server_call_id(&self) -> Option<String> {
        self.props.server_call_id.clone()
    }
    #[getter]
    fn targets<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.props
            .targets
            .iter()
            .map(|t| convert::identifier_to_py(py, t))
            .collect()
    }
    #[getter]
    fn call_connection_state<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        convert::state_enum(py, self.props.call_connection_state.as_str())
    }
    #[getter]
    fn callback_url(&self) -> Option<String> {
        self.props.callback_url.clone()
    }
    #[getter]
    fn source_caller_id_number<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::opt_any(py, self.props.source_caller_id_number.as_ref())
    }
    #[getter]
    fn source_display_name(&self) -> Option<String> {
        self.props.source_display_name.clone()
    }
    #[getter]
    fn source<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::opt_any(py, self.props.source.as_ref())
    }
    #[getter]
    fn correlation_id(&self) -> Option<String> {
        self.props.correlation_id.clone()
    }
    #[getter]
    fn answered_by<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::opt_any(py, self.props.answered_by.as_ref())
    }
    #[getter]
    fn answered_for<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::opt_any(py, self.props.answered_for.as_ref())
    }
    #[getter]
    fn media_streaming_subscription(&self) -> Option<bool> {
        None
    }
    #[getter]
    fn transcription_subscription(&self) -> Option<bool> {
        None
    }

    /// Waits for `CallConnected` or the action's failure event (needs the callbacks fed to
    /// `client.event_processor`). Raises `OperationTimeoutError` after `timeout` seconds.
    #[pyo3(signature = (timeout = 30.0))]
    fn wait_for_event_processor<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let result = self.result.clone();
        let make = move || -> PyResult<_> {
            let timeout = convert::seconds(py, "timeout", timeout)?;
            let Some(result) = result else {
                return Err(errors::invalid(
                    py,
                    "result",
                    "these properties come from get_call_properties: there is no action to wait for",
                ));
            };
            Ok(async move { result.wait_for_event_processor(timeout).await })
        };
        if self.is_async {
            run_async(py, make, PyOperationOutcome::new)
        } else {
            run_sync(py, make, |o| {
                Ok(Bound::new(py, PyOperationOutcome::new(o))?.into_any())
            })
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyCallConnectionProperties>()
            .is_ok_and(|o| o.get().props == self.props)
    }

    fn __repr__(&self) -> String {
        format!(
            "CallConnectionProperties(call_connection_id={:?}, server_call_id={:?}, call_connection_state={:?}, correlation_id={:?})",
            self.props.call_connection_id,
            self.props.server_call_id,
            self.props.call_connection_state.as_str(),
            self.props.correlation_id
        )
    }
}

// ---------------------------------------------------------------------------------------------
// The listener.

/// A running callback listener (core feature `listener`): verifies (optionally) and feeds
/// every callback to the client's event processor. Stopped by `close()` or on garbage
/// collection.
#[pyclass(frozen, name = "CallbackListener", module = "callsteer")]
pub struct PyCallbackListener {
    handle: std::sync::Mutex<Option<callsteer::events::listener::ListenerHandle>>,
    addr: std::net::SocketAddr,
}

#[pymethods]
impl PyCallbackListener {
    #[getter]
    fn host(&self) -> String {
        self.addr.ip().to_string()
    }
    #[getter]
    fn port(&self) -> u16 {
        self.addr.port()
    }
    /// `http://host:port` (append your callback path).
    #[getter]
    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Stops the listener and waits for in-flight requests.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let handle = self
            .handle
            .lock()
            .map_err(|_| errors::internal(py, "listener lock poisoned"))?
            .take();
        let Some(handle) = handle else { return Ok(()) };
        run_sync(py, || Ok(handle.shutdown()), |()| Ok(()))
    }
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    fn __exit__(
        &self,
        py: Python<'_>,
        _t: Option<&Bound<'_, PyAny>>,
        _v: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }
    fn __repr__(&self) -> String {
        format!(
            "CallbackListener(url={:?})",
            format!("http://{}", self.addr)
        )
    }
}

fn start_listener(
    py: Python<'_>,
    state: &Arc<ClientState>,
    host: String,
    port: u16,
    audience: Option<String>,
    issuer: Option<String>,
    jwks_url: Option<String>,
) -> PyResult<PyCallbackListener> {
    let processor = state.client.event_processor().clone();
    let verifier = audience.map(|audience| crate::verify::build(audience, issuer, jwks_url));
    run_sync(
        py,
        || {
            Ok(async move {
                callsteer::events::listener::serve((host.as_str(), port), processor, verifier).await
            })
        },
        |handle| {
            let addr = handle.local_addr();
            Ok(PyCallbackListener {
                handle: std::sync::Mutex::new(Some(handle)),
                addr,
            })
        },
    )
}

// ---------------------------------------------------------------------------------------------
// The two client classes. Their methods only pick the sync or async runner.

macro_rules! client_common {
    ($ty:ident, $conn:ident, $is_async:expr) => {
        #[pymethods]
        impl $ty {
            #[new]
            #[pyo3(signature = (endpoint, credential, *, api_version = None, source = None, event_bus_url = None))]
            fn new(
                py: Python<'_>,
                endpoint: &str,
                credential: &Bound<'_, PyAny>,
                api_version: Option<String>,
                source: Option<&Bound<'_, PyAny>>,
                event_bus_url: Option<String>,
            ) -> PyResult<Self> {
                let options = options(api_version, event_bus_url);
                Ok($ty {
                    state: ClientState::new(py, endpoint, credential, options, source)?,
                })
            }

            /// `endpoint=https://…/;accesskey=…`.
            #[classmethod]
            #[pyo3(signature = (conn_str, *, api_version = None, source = None, event_bus_url = None))]
            fn from_connection_string(
                _cls: &Bound<'_, PyType>,
                py: Python<'_>,
                conn_str: &str,
                api_version: Option<String>,
                source: Option<&Bound<'_, PyAny>>,
                event_bus_url: Option<String>,
            ) -> PyResult<Self> {
                let options = options(api_version, event_bus_url);
                Ok($ty {
                    state: ClientState::from_connection_string(py, conn_str, options, source)?,
                })
            }

            /// A client for one call connection (no request is sent).
            fn get_call_connection(
                &self,
                py: Python<'_>,
                call_connection_id: &str,
            ) -> PyResult<$conn> {
                errors::guard(py, || {
                    let connection = self
                        .state
                        .client
                        .get_call_connection(call_connection_id)
                        .map_err(|e| errors::to_py(py, e))?;
                    Ok($conn::new(connection))
                })
            }

            /// The processor that results wait on: feed it every callback body.
            #[getter]
            fn event_processor(&self) -> PyEventProcessor {
                PyEventProcessor {
                    inner: self.state.client.event_processor().clone(),
                    is_async: $is_async,
                }
            }

            /// Starts a callback HTTP listener on `host:port` (0 = any free port) that feeds
            /// `event_processor`; with `audience`, the service's JWT is verified (as by
            /// `CallbackVerifier(audience, issuer=…, jwks_url=…)`).
            #[pyo3(signature = (host = "127.0.0.1".to_string(), port = 0, *, audience = None, issuer = None, jwks_url = None))]
            fn start_callback_listener(
                &self,
                py: Python<'_>,
                host: String,
                port: u16,
                audience: Option<String>,
                issuer: Option<String>,
                jwks_url: Option<String>,
            ) -> PyResult<PyCallbackListener> {
                if audience.is_none() && (issuer.is_some() || jwks_url.is_some()) {
                    return Err(errors::invalid(
                        py,
                        "audience",
                        "issuer and jwks_url need an audience to verify callbacks against",
                    ));
                }
                start_listener(py, &self.state, host, port, audience, issuer, jwks_url)
            }

            /// The api-version this client sends.
            #[getter]
            fn api_version(&self) -> String {
                self.state.api_version()
            }

            fn __repr__(&self) -> String {
                format!(
                    "{}(api_version={:?})",
                    stringify!($ty).trim_start_matches("Py"),
                    self.state.api_version()
                )
            }
        }
    };
}

/// The synchronous client.
#[pyclass(frozen, name = "CallAutomationClient", module = "callsteer")]
pub struct PyCallAutomationClient {
    state: Arc<ClientState>,
}

/// The asyncio client (`callsteer.aio.CallAutomationClient`).
#[pyclass(frozen, name = "AsyncCallAutomationClient", module = "callsteer.aio")]
pub struct PyAsyncCallAutomationClient {
    state: Arc<ClientState>,
}

client_common!(PyCallAutomationClient, PyCallConnectionClient, false);
client_common!(
    PyAsyncCallAutomationClient,
    PyAsyncCallConnectionClient,
    true
);

fn props_sync(
    py: Python<'_>,
) -> impl FnOnce(CallConnectionResult) -> PyResult<PyCallConnectionProperties> + '_ {
    let _ = py;
    |r| Ok(PyCallConnectionProperties::from_result(r, false))
}

fn props_async(r: CallConnectionResult) -> PyCallConnectionProperties {
    PyCallConnectionProperties::from_result(r, true)
}

#[pymethods]
impl PyCallAutomationClient {
    /// Places a call: to one target (an identifier or a `CallInvite`), or to a list of targets
    /// (a group call), as the official SDK does.
    #[pyo3(signature = (target_participant, callback_url, *, source_caller_id_number = None, source_display_name = None, operation_context = None, cognitive_services_endpoint = None, teams_app_source = None))]
    #[allow(clippy::too_many_arguments)]
    fn create_call(
        &self,
        py: Python<'_>,
        target_participant: &Bound<'_, PyAny>,
        callback_url: String,
        source_caller_id_number: Option<&Bound<'_, PyAny>>,
        source_display_name: Option<String>,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
        teams_app_source: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCallConnectionProperties> {
        run_sync(
            py,
            || {
                prep_create_call(
                    py,
                    &self.state,
                    target_participant,
                    callback_url,
                    source_caller_id_number,
                    source_display_name,
                    operation_context,
                    cognitive_services_endpoint,
                    teams_app_source,
                    false,
                )
            },
            props_sync(py),
        )
    }

    /// Places a group call to several targets at once.
    #[pyo3(signature = (target_participants, callback_url, *, source_caller_id_number = None, source_display_name = None, operation_context = None, cognitive_services_endpoint = None, teams_app_source = None))]
    #[allow(clippy::too_many_arguments)]
    fn create_group_call(
        &self,
        py: Python<'_>,
        target_participants: &Bound<'_, PyAny>,
        callback_url: String,
        source_caller_id_number: Option<&Bound<'_, PyAny>>,
        source_display_name: Option<String>,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
        teams_app_source: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCallConnectionProperties> {
        run_sync(
            py,
            || {
                prep_create_call(
                    py,
                    &self.state,
                    target_participants,
                    callback_url,
                    source_caller_id_number,
                    source_display_name,
                    operation_context,
                    cognitive_services_endpoint,
                    teams_app_source,
                    true,
                )
            },
            props_sync(py),
        )
    }

    /// Connects to an ongoing call: exactly one of `server_call_id`, `group_call_id`,
    /// `room_id` or `call_locator`.
    #[pyo3(signature = (callback_url, *, server_call_id = None, group_call_id = None, room_id = None, call_locator = None, operation_context = None, cognitive_services_endpoint = None))]
    #[allow(clippy::too_many_arguments)]
    fn connect_call(
        &self,
        py: Python<'_>,
        callback_url: String,
        server_call_id: Option<String>,
        group_call_id: Option<String>,
        room_id: Option<String>,
        call_locator: Option<&Bound<'_, PyAny>>,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
    ) -> PyResult<PyCallConnectionProperties> {
        run_sync(
            py,
            || {
                prep_connect_call(
                    py,
                    &self.state,
                    callback_url,
                    call_locator,
                    server_call_id,
                    group_call_id,
                    room_id,
                    operation_context,
                    cognitive_services_endpoint,
                )
            },
            props_sync(py),
        )
    }

    /// Answers an incoming call (`incoming_call_context` from the `IncomingCall` event).
    #[pyo3(signature = (incoming_call_context, callback_url, *, operation_context = None, cognitive_services_endpoint = None))]
    fn answer_call(
        &self,
        py: Python<'_>,
        incoming_call_context: String,
        callback_url: String,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
    ) -> PyResult<PyCallConnectionProperties> {
        run_sync(
            py,
            || {
                Ok(prep_answer_call(
                    &self.state,
                    incoming_call_context,
                    callback_url,
                    operation_context,
                    cognitive_services_endpoint,
                ))
            },
            props_sync(py),
        )
    }

    /// Sends an incoming call to another target without answering it.
    fn redirect_call(
        &self,
        py: Python<'_>,
        incoming_call_context: String,
        target_participant: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        run_sync(
            py,
            || prep_redirect_call(py, &self.state, incoming_call_context, target_participant),
            Ok,
        )
    }

    /// Declines an incoming call (`call_reject_reason`: none, busy or forbidden).
    #[pyo3(signature = (incoming_call_context, *, call_reject_reason = None))]
    fn reject_call(
        &self,
        py: Python<'_>,
        incoming_call_context: String,
        call_reject_reason: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        run_sync(
            py,
            || prep_reject_call(py, &self.state, incoming_call_context, call_reject_reason),
            Ok,
        )
    }

    fn close(&self) {}

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

#[pymethods]
impl PyAsyncCallAutomationClient {
    #[pyo3(signature = (target_participant, callback_url, *, source_caller_id_number = None, source_display_name = None, operation_context = None, cognitive_services_endpoint = None, teams_app_source = None))]
    #[allow(clippy::too_many_arguments)]
    fn create_call<'py>(
        &self,
        py: Python<'py>,
        target_participant: &Bound<'py, PyAny>,
        callback_url: String,
        source_caller_id_number: Option<&Bound<'py, PyAny>>,
        source_display_name: Option<String>,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
        teams_app_source: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run_async(
            py,
            || {
                prep_create_call(
                    py,
                    &self.state,
                    target_participant,
                    callback_url,
                    source_caller_id_number,
                    source_display_name,
                    operation_context,
                    cognitive_services_endpoint,
                    teams_app_source,
                    false,
                )
            },
            props_async,
        )
    }

    #[pyo3(signature = (target_participants, callback_url, *, source_caller_id_number = None, source_display_name = None, operation_context = None, cognitive_services_endpoint = None, teams_app_source = None))]
    #[allow(clippy::too_many_arguments)]
    fn create_group_call<'py>(
        &self,
        py: Python<'py>,
        target_participants: &Bound<'py, PyAny>,
        callback_url: String,
        source_caller_id_number: Option<&Bound<'py, PyAny>>,
        source_display_name: Option<String>,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
        teams_app_source: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run_async(
            py,
            || {
                prep_create_call(
                    py,
                    &self.state,
                    target_participants,
                    callback_url,
                    source_caller_id_number,
                    source_display_name,
                    operation_context,
                    cognitive_services_endpoint,
                    teams_app_source,
                    true,
                )
            },
            props_async,
        )
    }

    #[pyo3(signature = (callback_url, *, server_call_id = None, group_call_id = None, room_id = None, call_locator = None, operation_context = None, cognitive_services_endpoint = None))]
    #[allow(clippy::too_many_arguments)]
    fn connect_call<'py>(
        &self,
        py: Python<'py>,
        callback_url: String,
        server_call_id: Option<String>,
        group_call_id: Option<String>,
        room_id: Option<String>,
        call_locator: Option<&Bound<'py, PyAny>>,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run_async(
            py,
            || {
                prep_connect_call(
                    py,
                    &self.state,
                    callback_url,
                    call_locator,
                    server_call_id,
                    group_call_id,
                    room_id,
                    operation_context,
                    cognitive_services_endpoint,
                )
            },
            props_async,
        )
    }

    #[pyo3(signature = (incoming_call_context, callback_url, *, operation_context = None, cognitive_services_endpoint = None))]
    fn answer_call<'py>(
        &self,
        py: Python<'py>,
        incoming_call_context: String,
        callback_url: String,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run_async(
            py,
            || {
                Ok(prep_answer_call(
                    &self.state,
                    incoming_call_context,
                    callback_url,
                    operation_context,
                    cognitive_services_endpoint,
                ))
            },
            props_async,
        )
    }

    fn redirect_call<'py>(
        &self,
        py: Python<'py>,
        incoming_call_context: String,
        target_participant: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run_async(
            py,
            || prep_redirect_call(py, &self.state, incoming_call_context, target_participant),
            |()| (),
        )
    }

    #[pyo3(signature = (incoming_call_context, *, call_reject_reason = None))]
    fn reject_call<'py>(
        &self,
        py: Python<'py>,
        incoming_call_context: String,
        call_reject_reason: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run_async(
            py,
            || prep_reject_call(py, &self.state, incoming_call_context, call_reject_reason),
            |()| (),
        )
    }

    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run_async(py, || Ok(async { Ok(()) }), |()| ())
    }

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
