//! `CallAutomationClient` (sync) and `callsteer.aio.CallAutomationClient` (asyncio): argument
//! conversion into the core's option structs, then the core's action on the shared runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use callsteer::{
    AccessKeyCredential, AccessToken, AnswerCallOptions, CallAutomationClient,
    CallConnectionResult, CallInvite, CallRejectReason, ClientOptions, ConnectCallOptions,
    CreateCallOptions, Credential, Error, RedirectCallOptions, RejectCallOptions, TokenCredential,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString, PyType};

use crate::call_connection::{PyAsyncCallConnectionClient, PyCallConnectionClient};
use crate::convert::{self, Targets};
use crate::errors;
use crate::events::{PyEventProcessor, PyOperationOutcome};
use crate::runtime::{run_async, run_sync};

/// The scope of Communication Services bearer tokens.
const TOKEN_SCOPE: &str = "https://communication.azure.com//.default";

/// What a client pyclass holds; cheap to share.
pub struct ClientState {
    /// The official SDK's `source` keyword is the core's `ClientOptions::source`.
    pub client: CallAutomationClient,
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

/// The client keywords beyond `api_version` and `source`, as `**kwargs`, so that one parser
/// serves both constructors of both clients and every name is either used or refused.
type Kwargs<'a, 'py> = Option<&'a Bound<'py, PyDict>>;

/// azure-core keywords a caller of the official SDK may pass that callsteer cannot honour,
/// with what to do instead. Refused by name: accepting and ignoring them would silently
/// change behaviour (the official SDK forwards every keyword to its pipeline).
const UNSUPPORTED: &[(&str, &str)] = &[
    ("connection_timeout", "callsteer bounds each attempt as a whole: use attempt_timeout (seconds, connect to last byte)"),
    ("read_timeout", "callsteer bounds each attempt as a whole: use attempt_timeout (seconds, connect to last byte)"),
    ("retry_connect", "callsteer counts every kind of retry in retry_total"),
    ("retry_read", "callsteer counts every kind of retry in retry_total"),
    ("retry_status", "callsteer counts every kind of retry in retry_total"),
    ("retry_mode", "callsteer's backoff is always exponential (set retry_backoff_factor and retry_backoff_max)"),
    ("retry_on_status_codes", "callsteer retries 408, 429, 500, 502, 503 and 504"),
    ("retry_on_methods", "callsteer retries only requests that are safe to repeat"),
    ("retry_policy", "pass retry_total, retry_backoff_factor, retry_backoff_max and timeout instead"),
    ("user_agent_overwrite", "callsteer always sends callsteer/<version> followed by user_agent"),
    ("user_agent_use_env", "callsteer does not read AZURE_HTTP_USER_AGENT; pass user_agent"),
    ("user_agent_policy", "pass user_agent instead"),
    ("transport", "callsteer's HTTP transport is its Rust core and cannot be replaced"),
    ("policies", "callsteer has no azure-core pipeline to add policies to"),
    ("per_call_policies", "callsteer has no azure-core pipeline to add policies to"),
    ("per_retry_policies", "callsteer has no azure-core pipeline to add policies to"),
    ("headers", "callsteer sends no caller-chosen headers on every request"),
    ("headers_policy", "callsteer sends no caller-chosen headers on every request"),
    ("proxies", "callsteer takes no proxy configuration"),
    ("connection_verify", "TLS is always verified; add a CA with CALLSTEER_EXTRA_CA_PEM"),
    ("connection_cert", "callsteer does not send client certificates"),
    ("logging_enable", "callsteer logs through its CALLSTEER_LOG environment variable"),
    ("logging_policy", "callsteer logs through its CALLSTEER_LOG environment variable"),
    ("http_logging_policy", "callsteer logs through its CALLSTEER_LOG environment variable"),
    ("authentication_policy", "pass the credential instead"),
];

/// The keywords `options` takes (`api_version` and `source` are named parameters).
const KEYWORDS: &[&str] = &[
    "retry_total",
    "retry_backoff_factor",
    "retry_backoff_max",
    "timeout",
    "attempt_timeout",
    "user_agent",
    "generate_operation_context",
    "allow_insecure_connection",
    "event_bus_url",
];

/// A number of seconds given as an int or a float (a bool is neither, here).
fn kw_seconds(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let number = if value.is_instance_of::<PyBool>() {
        None
    } else {
        value.extract::<f64>().ok()
    };
    match number {
        Some(seconds) => convert::seconds(py, name, seconds),
        None => Err(errors::invalid(
            py,
            name,
            format!(
                "must be a number of seconds, got {}",
                convert::type_name(value)
            ),
        )),
    }
}

/// A keyword that must be a bool (an int is not one, here).
fn kw_bool(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    value.cast::<PyBool>().map(|b| b.is_true()).map_err(|_| {
        errors::invalid(
            py,
            name,
            format!("must be a bool, got {}", convert::type_name(value)),
        )
    })
}

/// A keyword that must be a str.
fn kw_str(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    let text = value.cast::<PyString>().map_err(|_| {
        errors::invalid(
            py,
            name,
            format!("must be a str, got {}", convert::type_name(value)),
        )
    })?;
    text.extract()
}

/// Builds the core's `ClientOptions` from `api_version` and the keywords (`None` = default).
fn options(
    py: Python<'_>,
    api_version: Option<String>,
    kwargs: Kwargs<'_, '_>,
) -> PyResult<ClientOptions> {
    let mut options = ClientOptions::default();
    if let Some(v) = api_version {
        options.api_version = v;
    }
    for (key, value) in kwargs.into_iter().flat_map(|k| k.iter()) {
        let name: String = key.extract()?;
        let unsupported = UNSUPPORTED.iter().find(|(n, _)| *n == name);
        // None asks for the default, as in azure-core.
        if value.is_none() && (unsupported.is_some() || KEYWORDS.contains(&name.as_str())) {
            continue;
        }
        if let Some((_, instead)) = unsupported {
            return Err(errors::invalid(
                py,
                &name,
                format!("`{name}` (an azure-core option) is not supported: {instead}"),
            ));
        }
        set_option(py, &mut options, &name, &value)?;
    }
    Ok(options)
}

fn set_option(
    py: Python<'_>,
    options: &mut ClientOptions,
    name: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    match name {
        "retry_total" => {
            let total = if value.is_instance_of::<PyBool>() {
                None
            } else {
                value.extract::<i64>().ok()
            };
            options.retry.max_retries =
                total.and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                    errors::invalid(
                        py,
                        name,
                        format!(
                            "must be an int from 0 to {}, got {}",
                            u32::MAX,
                            value.repr().map(|r| r.to_string()).unwrap_or_default()
                        ),
                    )
                })?;
        }
        "retry_backoff_factor" => options.retry.initial_delay = kw_seconds(py, name, value)?,
        "retry_backoff_max" => options.retry.max_delay = kw_seconds(py, name, value)?,
        "timeout" => options.retry.max_total = kw_seconds(py, name, value)?,
        "attempt_timeout" => {
            let timeout = kw_seconds(py, name, value)?;
            if timeout.is_zero() {
                return Err(errors::invalid(py, name, "must be more than 0 seconds"));
            }
            options.timeout = timeout;
        }
        "user_agent" => options.user_agent_suffix = Some(kw_str(py, name, value)?),
        "generate_operation_context" => {
            options.generate_operation_context = kw_bool(py, name, value)?
        }
        "allow_insecure_connection" => {
            options.allow_insecure_connection = kw_bool(py, name, value)?
        }
        "event_bus_url" => options.event_bus_url = Some(kw_str(py, name, value)?),
        _ => {
            return Err(PyTypeError::new_err(format!(
                "CallAutomationClient got an unexpected keyword argument '{name}' (it takes \
                 api_version, source, {})",
                KEYWORDS.join(", ")
            )))
        }
    }
    Ok(())
}

impl ClientState {
    pub fn new(
        py: Python<'_>,
        endpoint: &str,
        credential_value: &Bound<'_, PyAny>,
        api_version: Option<String>,
        source: Option<&Bound<'_, PyAny>>,
        kwargs: Kwargs<'_, '_>,
    ) -> PyResult<Arc<Self>> {
        errors::guard(py, || {
            // A bare host gets `https://` in the core's parse_endpoint, as in every language.
            let mut options = options(py, api_version, kwargs)?;
            let cred = credential(py, credential_value)?;
            options.source = convert::opt_identifier(py, "source", source)?;
            let client = CallAutomationClient::new(endpoint, cred, options)
                .map_err(|e| errors::to_py(py, e))?;
            Ok(Arc::new(ClientState { client }))
        })
    }

    pub fn from_connection_string(
        py: Python<'_>,
        conn_str: &str,
        api_version: Option<String>,
        source: Option<&Bound<'_, PyAny>>,
        kwargs: Kwargs<'_, '_>,
    ) -> PyResult<Arc<Self>> {
        errors::guard(py, || {
            let mut options = options(py, api_version, kwargs)?;
            options.source = convert::opt_identifier(py, "source", source)?;
            let client =
                CallAutomationClient::from_connection_string_with_options(conn_str, options)
                    .map_err(|e| errors::to_py(py, e))?;
            Ok(Arc::new(ClientState { client }))
        })
    }

    fn api_version(&self) -> String {
        self.client.options().api_version.clone()
    }

    /// The connection client of `call_connection_id` on this client (no request is sent).
    pub fn connection(
        &self,
        py: Python<'_>,
        call_connection_id: &str,
    ) -> PyResult<callsteer::CallConnection> {
        self.client
            .get_call_connection(call_connection_id)
            .map_err(|e| errors::to_py(py, e))
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
    media_streaming: Option<&Bound<'_, PyAny>>,
    transcription: Option<&Bound<'_, PyAny>>,
    teams_app_source: Option<&Bound<'_, PyAny>>,
    group: bool,
) -> PyResult<ConnFuture> {
    let caller = convert::phone_number(py, "sourceCallerIdNumber", source_caller_id_number)?;
    let teams_app_source = convert::opt_identifier(py, "teamsAppSource", teams_app_source)?;
    let context = convert::invite_context(py, target_participant)?;
    let targets = if group {
        Targets::Many(convert::identifier_list(py, "targets", target_participant)?)
    } else {
        convert::targets(py, target_participant)?
    };
    let client = state.client.clone();
    let mut options = CreateCallOptions {
        source_caller_id_number: caller,
        source_display_name,
        teams_app_source,
        operation_context,
        cognitive_services_endpoint,
        media_streaming: convert::media_streaming(py, media_streaming)?,
        transcription: convert::transcription(py, transcription)?,
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
            let invite = CallInvite {
                custom_calling_context: context,
                ..CallInvite::new(target)
            };
            Box::pin(async move { client.create_call(invite, &callback_url, options).await })
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
    media_streaming: Option<&Bound<'_, PyAny>>,
    transcription: Option<&Bound<'_, PyAny>>,
) -> PyResult<ConnFuture> {
    let locator = convert::call_locator(py, call_locator, server_call_id, group_call_id, room_id)?;
    let client = state.client.clone();
    let options = ConnectCallOptions {
        operation_context,
        cognitive_services_endpoint,
        media_streaming: convert::media_streaming(py, media_streaming)?,
        transcription: convert::transcription(py, transcription)?,
        ..Default::default()
    };
    Ok(Box::pin(async move {
        client.connect_call(locator?, &callback_url, options).await
    }))
}

#[allow(clippy::too_many_arguments)]
fn prep_answer_call(
    py: Python<'_>,
    state: &Arc<ClientState>,
    incoming_call_context: String,
    callback_url: String,
    operation_context: Option<String>,
    cognitive_services_endpoint: Option<String>,
    media_streaming: Option<&Bound<'_, PyAny>>,
    transcription: Option<&Bound<'_, PyAny>>,
) -> PyResult<ConnFuture> {
    let client = state.client.clone();
    let options = AnswerCallOptions {
        operation_context,
        cognitive_services_endpoint,
        media_streaming: convert::media_streaming(py, media_streaming)?,
        transcription: convert::transcription(py, transcription)?,
        ..Default::default()
    };
    Ok(Box::pin(async move {
        client
            .answer_call(&incoming_call_context, &callback_url, options)
            .await
    }))
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
            custom_calling_context: convert::invite_context(py, target_participant)?,
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
    // A str or the str enum `CallRejectReason`; its value is the wire value, read by the
    // core's (case-insensitive) rule.
    let text: String = match value.getattr("value") {
        Ok(v) if !value.is_instance_of::<PyString>() || v.is_instance_of::<PyString>() => {
            v.extract().or_else(|_| value.extract())
        }
        _ => value.extract(),
    }
    .map_err(|_| errors::invalid(py, "callRejectReason", "must be none, busy or forbidden"))?;
    text.parse::<CallRejectReason>()
        .map(Some)
        .map_err(|e| errors::to_py(py, e))
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
    /// The call's media streaming (`id`, `state`, `subscribed_content_types`), when
    /// `media_streaming` options set it up.
    #[getter]
    fn media_streaming_subscription<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(m) = &self.props.media_streaming_subscription else {
            return Ok(None);
        };
        let kw = PyDict::new(py);
        kw.set_item("id", &m.id)?;
        kw.set_item("state", &m.state)?;
        kw.set_item("subscribed_content_types", &m.subscribed_content_types)?;
        convert::model_instance(py, "MediaStreamingSubscription", &kw).map(Some)
    }
    /// The call's transcription (`id`, `state`, `subscribed_result_types`, `locale`), when
    /// `transcription` options set it up.
    #[getter]
    fn transcription_subscription<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(t) = &self.props.transcription_subscription else {
            return Ok(None);
        };
        let kw = PyDict::new(py);
        kw.set_item("id", &t.id)?;
        kw.set_item("state", &t.state)?;
        kw.set_item("subscribed_result_types", &t.subscribed_result_types)?;
        kw.set_item("locale", &t.locale)?;
        convert::model_instance(py, "TranscriptionSubscription", &kw).map(Some)
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

impl PyCallbackListener {
    /// The handle, once: whichever of `close`, `aclose` or the context managers runs first
    /// stops the listener; the others find nothing to do.
    fn take(
        &self,
        py: Python<'_>,
    ) -> PyResult<Option<callsteer::events::listener::ListenerHandle>> {
        Ok(self
            .handle
            .lock()
            .map_err(|_| errors::internal(py, "listener lock poisoned"))?
            .take())
    }
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
        let Some(handle) = self.take(py)? else {
            return Ok(());
        };
        run_sync(py, || Ok(handle.shutdown()), |()| Ok(()))
    }
    /// `await listener.aclose()`: `close()` without blocking the event loop.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let handle = self.take(py)?;
        run_async(
            py,
            || {
                Ok(async move {
                    match handle {
                        Some(handle) => handle.shutdown().await,
                        None => Ok(()),
                    }
                })
            },
            |()| (),
        )
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
    /// `async with client.start_callback_listener(...) as listener:` closes with `aclose()`.
    fn __aenter__<'py>(slf: Py<Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run_async(py, || Ok(async { Ok(()) }), move |()| slf)
    }
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _t: Option<&Bound<'py, PyAny>>,
        _v: Option<&Bound<'py, PyAny>>,
        _tb: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let handle = self.take(py)?;
        run_async(
            py,
            || {
                Ok(async move {
                    match handle {
                        Some(handle) => handle.shutdown().await,
                        None => Ok(()),
                    }
                })
            },
            |()| false,
        )
    }
    fn __repr__(&self) -> String {
        format!(
            "CallbackListener(url={:?})",
            format!("http://{}", self.addr)
        )
    }
}

/// The listener's options beyond host and port, as `start_callback_listener` takes them.
struct ListenerArgs {
    audience: Option<String>,
    issuer: Option<String>,
    jwks_url: Option<String>,
    allow_unauthenticated_event_grid: bool,
    event_grid_secret: Option<String>,
    max_connections: Option<usize>,
}

fn start_listener(
    py: Python<'_>,
    state: &Arc<ClientState>,
    host: String,
    port: u16,
    args: ListenerArgs,
) -> PyResult<PyCallbackListener> {
    let processor = state.client.event_processor().clone();
    let verifier = match args.audience {
        Some(audience) => Some(
            crate::verify::build(audience, args.issuer, args.jwks_url)
                .map_err(|e| errors::to_py(py, e))?,
        ),
        None => None,
    };
    let mut config = callsteer::events::listener::ListenerConfig {
        allow_unauthenticated_event_grid: args.allow_unauthenticated_event_grid,
        event_grid_secret: args.event_grid_secret,
        ..Default::default()
    };
    if let Some(max) = args.max_connections {
        config.max_connections = max;
    }
    run_sync(
        py,
        || {
            Ok(async move {
                callsteer::events::listener::serve_with_config(
                    (host.as_str(), port),
                    processor,
                    verifier,
                    config,
                )
                .await
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
            /// Keywords beyond `api_version` and `source`: `retry_total`,
            /// `retry_backoff_factor`, `retry_backoff_max`, `timeout` (azure-core's names),
            /// `attempt_timeout`, `user_agent`, `generate_operation_context`; any other is
            /// refused.
            #[new]
            #[pyo3(signature = (endpoint, credential, *, api_version = None, source = None, **kwargs))]
            fn new(
                py: Python<'_>,
                endpoint: &str,
                credential: &Bound<'_, PyAny>,
                api_version: Option<String>,
                source: Option<&Bound<'_, PyAny>>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Self> {
                Ok($ty {
                    state: ClientState::new(
                        py,
                        endpoint,
                        credential,
                        api_version,
                        source,
                        kwargs,
                    )?,
                })
            }

            /// `endpoint=https://…/;accesskey=…`; the same keywords as the constructor.
            #[classmethod]
            #[pyo3(signature = (conn_str, *, api_version = None, source = None, **kwargs))]
            fn from_connection_string(
                _cls: &Bound<'_, PyType>,
                py: Python<'_>,
                conn_str: &str,
                api_version: Option<String>,
                source: Option<&Bound<'_, PyAny>>,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Self> {
                Ok($ty {
                    state: ClientState::from_connection_string(
                        py,
                        conn_str,
                        api_version,
                        source,
                        kwargs,
                    )?,
                })
            }

            /// A client for one call connection (no request is sent).
            fn get_call_connection(
                &self,
                py: Python<'_>,
                call_connection_id: &str,
            ) -> PyResult<$conn> {
                errors::guard(py, || {
                    self.state.connection(py, call_connection_id).map($conn::new)
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
            /// `CallbackVerifier(audience, issuer=…, jwks_url=…)`). Event Grid deliveries
            /// (`IncomingCall`) carry no such JWT: with `audience`, they are accepted only
            /// when the URL's `?secret=` equals `event_grid_secret`, or with
            /// `allow_unauthenticated_event_grid=True`. At most `max_connections` (default
            /// 1024) connections are served at once.
            #[pyo3(signature = (host = "127.0.0.1".to_string(), port = 0, *, audience = None, issuer = None, jwks_url = None, allow_unauthenticated_event_grid = false, event_grid_secret = None, max_connections = None))]
            #[allow(clippy::too_many_arguments)]
            fn start_callback_listener(
                &self,
                py: Python<'_>,
                host: String,
                port: u16,
                audience: Option<String>,
                issuer: Option<String>,
                jwks_url: Option<String>,
                allow_unauthenticated_event_grid: bool,
                event_grid_secret: Option<String>,
                max_connections: Option<usize>,
            ) -> PyResult<PyCallbackListener> {
                if audience.is_none() && (issuer.is_some() || jwks_url.is_some()) {
                    return Err(errors::invalid(
                        py,
                        "audience",
                        "issuer and jwks_url need an audience to verify callbacks against",
                    ));
                }
                let args = ListenerArgs {
                    audience,
                    issuer,
                    jwks_url,
                    allow_unauthenticated_event_grid,
                    event_grid_secret,
                    max_connections,
                };
                start_listener(py, &self.state, host, port, args)
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
    #[pyo3(signature = (target_participant, callback_url, *, source_caller_id_number = None, source_display_name = None, operation_context = None, cognitive_services_endpoint = None, media_streaming = None, transcription = None, teams_app_source = None))]
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
        media_streaming: Option<&Bound<'_, PyAny>>,
        transcription: Option<&Bound<'_, PyAny>>,
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
                    media_streaming,
                    transcription,
                    teams_app_source,
                    false,
                )
            },
            props_sync(py),
        )
    }

    /// Places a group call to several targets at once.
    #[pyo3(signature = (target_participants, callback_url, *, source_caller_id_number = None, source_display_name = None, operation_context = None, cognitive_services_endpoint = None, media_streaming = None, transcription = None, teams_app_source = None))]
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
        media_streaming: Option<&Bound<'_, PyAny>>,
        transcription: Option<&Bound<'_, PyAny>>,
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
                    media_streaming,
                    transcription,
                    teams_app_source,
                    true,
                )
            },
            props_sync(py),
        )
    }

    /// Connects to an ongoing call: exactly one of `server_call_id`, `group_call_id`,
    /// `room_id` or `call_locator`.
    #[pyo3(signature = (callback_url, *, server_call_id = None, group_call_id = None, room_id = None, call_locator = None, operation_context = None, cognitive_services_endpoint = None, media_streaming = None, transcription = None))]
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
        media_streaming: Option<&Bound<'_, PyAny>>,
        transcription: Option<&Bound<'_, PyAny>>,
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
                    media_streaming,
                    transcription,
                )
            },
            props_sync(py),
        )
    }

    /// Answers an incoming call (`incoming_call_context` from the `IncomingCall` event).
    #[pyo3(signature = (incoming_call_context, callback_url, *, operation_context = None, cognitive_services_endpoint = None, media_streaming = None, transcription = None))]
    #[allow(clippy::too_many_arguments)]
    fn answer_call(
        &self,
        py: Python<'_>,
        incoming_call_context: String,
        callback_url: String,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
        media_streaming: Option<&Bound<'_, PyAny>>,
        transcription: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCallConnectionProperties> {
        run_sync(
            py,
            || {
                prep_answer_call(
                    py,
                    &self.state,
                    incoming_call_context,
                    callback_url,
                    operation_context,
                    cognitive_services_endpoint,
                    media_streaming,
                    transcription,
                )
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
    #[pyo3(signature = (target_participant, callback_url, *, source_caller_id_number = None, source_display_name = None, operation_context = None, cognitive_services_endpoint = None, media_streaming = None, transcription = None, teams_app_source = None))]
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
        media_streaming: Option<&Bound<'_, PyAny>>,
        transcription: Option<&Bound<'_, PyAny>>,
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
                    media_streaming,
                    transcription,
                    teams_app_source,
                    false,
                )
            },
            props_async,
        )
    }

    #[pyo3(signature = (target_participants, callback_url, *, source_caller_id_number = None, source_display_name = None, operation_context = None, cognitive_services_endpoint = None, media_streaming = None, transcription = None, teams_app_source = None))]
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
        media_streaming: Option<&Bound<'_, PyAny>>,
        transcription: Option<&Bound<'_, PyAny>>,
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
                    media_streaming,
                    transcription,
                    teams_app_source,
                    true,
                )
            },
            props_async,
        )
    }

    #[pyo3(signature = (callback_url, *, server_call_id = None, group_call_id = None, room_id = None, call_locator = None, operation_context = None, cognitive_services_endpoint = None, media_streaming = None, transcription = None))]
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
        media_streaming: Option<&Bound<'_, PyAny>>,
        transcription: Option<&Bound<'_, PyAny>>,
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
                    media_streaming,
                    transcription,
                )
            },
            props_async,
        )
    }

    #[pyo3(signature = (incoming_call_context, callback_url, *, operation_context = None, cognitive_services_endpoint = None, media_streaming = None, transcription = None))]
    #[allow(clippy::too_many_arguments)]
    fn answer_call<'py>(
        &self,
        py: Python<'py>,
        incoming_call_context: String,
        callback_url: String,
        operation_context: Option<String>,
        cognitive_services_endpoint: Option<String>,
        media_streaming: Option<&Bound<'_, PyAny>>,
        transcription: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run_async(
            py,
            || {
                prep_answer_call(
                    py,
                    &self.state,
                    incoming_call_context,
                    callback_url,
                    operation_context,
                    cognitive_services_endpoint,
                    media_streaming,
                    transcription,
                )
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
