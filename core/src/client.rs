//! `CallAutomationClient`: the pre-connection actions (create, connect, answer, redirect, reject).

use std::sync::Arc;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::auth::{parse_endpoint, AccessKeyCredential, ConnectionString, Credential};
use crate::call_connection::{encode_segment, CallConnection};
use crate::error::{Error, Result};
use crate::events::{EventProcessor, OperationKind};
use crate::identifier::CommunicationIdentifier;
use crate::models::salvage::{self, Body};
use crate::models::CallConnectionProperties;
use crate::options::{
    intelligence, AnswerCallOptions, CallInvite, CallLocator, ConnectCallOptions,
    CreateCallOptions, RedirectCallOptions, RejectCallOptions, Repeatability,
};
use crate::outcome::{OutcomeWaiter, PendingOperation};
use crate::transport::{ClientOptions, Transport};
use crate::validate;
use crate::wire::{
    AnswerCallRequest, CallConnectionPropertiesModel, CommunicationUserIdentifierModel,
    ConnectRequest, CreateCallRequest, PhoneNumberIdentifierModel, RedirectCallRequest,
    RejectCallRequest,
};

/// The entry point: places, connects, answers, redirects and rejects calls.
///
/// Cheap to clone; clones share one HTTP connection pool and one event processor.
///
/// ```no_run
/// # async fn demo() -> callsteer::Result<()> {
/// use std::time::Duration;
/// use callsteer::{CallAutomationClient, CallInvite};
/// let client = CallAutomationClient::from_connection_string(
///     "endpoint=http://127.0.0.1:8787/;accesskey=c2VjcmV0",
/// )?;
/// let created = client
///     .create_call(CallInvite::phone("+16041234567", "+16044561234"), "https://app.example/events", Default::default())
///     .await?;
/// // Feed callbacks to client.event_processor().process_events(body) in your web handler.
/// let outcome = created.wait_for_event_processor(Duration::from_secs(30)).await?;
/// assert!(outcome.succeeded);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct CallAutomationClient {
    pub(crate) inner: Arc<ClientInner>,
}

#[derive(Debug)]
pub(crate) struct ClientInner {
    pub(crate) transport: Transport,
    pub(crate) processor: EventProcessor,
    #[cfg(feature = "event-bus")]
    pub(crate) event_bus: Option<crate::events::bus::EventBus>,
}

/// What `create_call`, `create_group_call`, `answer_call` and `connect_call` return.
#[derive(Debug, Clone)]
pub struct CallConnectionResult {
    pub call_connection_properties: CallConnectionProperties,
    pub call_connection: CallConnection,
    pub(crate) waiter: OutcomeWaiter,
}

pub type CreateCallResult = CallConnectionResult;
pub type AnswerCallResult = CallConnectionResult;
pub type ConnectCallResult = CallConnectionResult;

impl CallConnectionResult {
    /// Waits for `CallConnected` or the action's failure event (`CreateCallFailed`,
    /// `AnswerFailed`, `ConnectFailed`), as fed to the client's event processor.
    pub async fn wait_for_event_processor(
        &self,
        timeout: std::time::Duration,
    ) -> Result<crate::events::OperationOutcome> {
        self.waiter.wait(timeout).await
    }

    /// What the waiter matches on.
    pub fn pending_operation(&self) -> &PendingOperation {
        self.waiter.pending()
    }
}

impl CallAutomationClient {
    /// From `endpoint=https://…/;accesskey=…` with default options.
    pub fn from_connection_string(connection_string: &str) -> Result<Self> {
        Self::from_connection_string_with_options(connection_string, ClientOptions::default())
    }

    pub fn from_connection_string_with_options(
        connection_string: &str,
        options: ClientOptions,
    ) -> Result<Self> {
        let parsed = ConnectionString::parse(connection_string)?;
        Self::build(
            parsed.endpoint,
            Credential::AccessKey(parsed.credential),
            options,
        )
    }

    /// From an endpoint and a credential (an access key or a bearer-token provider).
    pub fn new(
        endpoint: &str,
        credential: impl Into<Credential>,
        options: ClientOptions,
    ) -> Result<Self> {
        Self::build(parse_endpoint(endpoint)?, credential.into(), options)
    }

    /// From an endpoint and a base64 access key.
    pub fn with_access_key(
        endpoint: &str,
        access_key: &str,
        options: ClientOptions,
    ) -> Result<Self> {
        Self::new(endpoint, AccessKeyCredential::new(access_key)?, options)
    }

    fn build(endpoint: url::Url, credential: Credential, options: ClientOptions) -> Result<Self> {
        validate::non_empty("api_version", &options.api_version)?;
        if matches!(credential, Credential::Token(_))
            && endpoint.scheme() != "https"
            && !options.allow_insecure_connection
            && !is_loopback(&endpoint)
        {
            return Err(Error::invalid(
                "endpoint",
                "a bearer token is sent only over https (or to a loopback host): use an \
                 https endpoint, or allow_insecure_connection to send it over plain http",
            ));
        }
        #[cfg(not(feature = "event-bus"))]
        if options.event_bus_url.is_some() {
            return Err(Error::invalid(
                "event_bus_url",
                "this build of callsteer has no event bus (cargo feature `event-bus`)",
            ));
        }
        #[cfg(feature = "event-bus")]
        let event_bus_url = options.event_bus_url.clone();
        // The transport first: a client refused for its options starts no bus task.
        let transport = Transport::new(endpoint, credential, options)?;
        let processor = EventProcessor::new();
        #[cfg(feature = "event-bus")]
        let event_bus = match &event_bus_url {
            Some(url) => Some(crate::events::bus::EventBus::start(
                url,
                processor.clone(),
                Default::default(),
            )?),
            None => None,
        };
        Ok(CallAutomationClient {
            inner: Arc::new(ClientInner {
                transport,
                processor,
                #[cfg(feature = "event-bus")]
                event_bus,
            }),
        })
    }

    /// The event bus this client's processor shares events through (`event_bus_url`).
    #[cfg(feature = "event-bus")]
    pub fn event_bus(&self) -> Option<&crate::events::bus::EventBus> {
        self.inner.event_bus.as_ref()
    }

    /// The event processor that this client's results wait on: feed it every callback body.
    pub fn event_processor(&self) -> &EventProcessor {
        &self.inner.processor
    }

    pub fn options(&self) -> &ClientOptions {
        self.inner.transport.options()
    }

    /// A handle on an existing call connection (no request is sent).
    pub fn get_call_connection(&self, call_connection_id: &str) -> Result<CallConnection> {
        validate::non_empty("callConnectionId", call_connection_id)?;
        Ok(CallConnection::new(
            self.clone(),
            call_connection_id.to_string(),
        ))
    }

    /// Places a 1:1 call.
    ///
    /// The invitation's custom calling context is refused (`InvalidArgument`): the service's
    /// create request has no such field, so it could only be dropped. Add the callee with
    /// [`CallConnection::add_participant`] to send SIP or VoIP headers.
    pub async fn create_call(
        &self,
        invite: CallInvite,
        callback_url: &str,
        options: CreateCallOptions,
    ) -> Result<CreateCallResult> {
        validate::identifier("callInvite.target", &invite.target)?;
        validate::no_custom_calling_context(
            &invite.custom_calling_context,
            "create_call cannot send custom calling context: the service's create request has \
             no such field (send headers with add_participant instead)",
        )?;
        let options = CreateCallOptions {
            source_caller_id_number: options
                .source_caller_id_number
                .or(invite.source_caller_id_number),
            source_display_name: options.source_display_name.or(invite.source_display_name),
            ..options
        };
        self.create(vec![invite.target], callback_url, options)
            .await
    }

    /// Places a group call to several targets at once.
    pub async fn create_group_call(
        &self,
        targets: Vec<CommunicationIdentifier>,
        callback_url: &str,
        options: CreateCallOptions,
    ) -> Result<CreateCallResult> {
        if targets.is_empty() {
            return Err(Error::invalid(
                "targets",
                "a group call needs at least one target",
            ));
        }
        for (i, target) in targets.iter().enumerate() {
            validate::identifier(&format!("targets[{i}]"), target)?;
        }
        self.create(targets, callback_url, options).await
    }

    async fn create(
        &self,
        targets: Vec<CommunicationIdentifier>,
        callback_url: &str,
        options: CreateCallOptions,
    ) -> Result<CreateCallResult> {
        validate::callback_url("callbackUri", callback_url)?;
        validate::operation_context(options.operation_context.as_deref())?;
        validate::media_options(
            options.media_streaming.as_ref(),
            options.transcription.as_ref(),
            options.cognitive_services_endpoint.as_deref(),
        )?;
        if let Some(number) = &options.source_caller_id_number {
            validate::caller_id("sourceCallerIdNumber", number)?;
        }
        for target in &targets {
            validate::caller_id_for_target(target, options.source_caller_id_number.as_deref())?;
        }
        let source = match options.source.as_ref().or(self.options().source.as_ref()) {
            Some(CommunicationIdentifier::CommunicationUser { id }) => {
                validate::non_empty("source", id)?;
                Some(CommunicationUserIdentifierModel { id: id.clone() })
            }
            Some(_) => return Err(Error::invalid("source", "must be a communication user")),
            None => None,
        };
        let teams_app_source = match &options.teams_app_source {
            Some(id @ CommunicationIdentifier::MicrosoftTeamsApp { .. }) => {
                validate::identifier("teamsAppSource", id)?;
                // `cloud` defaults to public on the service; both official SDKs send `{appId}`
                // alone, so a public app goes out byte for byte as theirs does.
                id.to_model().microsoft_teams_app.map(|mut app| {
                    if app.cloud == Some(crate::CommunicationCloud::Public) {
                        app.cloud = None;
                    }
                    app
                })
            }
            Some(_) => {
                return Err(Error::invalid(
                    "teamsAppSource",
                    "must be a Microsoft Teams app",
                ))
            }
            None => None,
        };
        let request = CreateCallRequest {
            targets: targets
                .iter()
                .map(CommunicationIdentifier::to_model)
                .collect(),
            source_caller_id_number: options
                .source_caller_id_number
                .clone()
                .map(PhoneNumberIdentifierModel::new),
            source_display_name: options.source_display_name.clone(),
            source,
            operation_context: options.operation_context.clone(),
            callback_uri: callback_url.to_string(),
            call_intelligence_options: intelligence(&options.cognitive_services_endpoint),
            media_streaming_options: options.media_streaming.clone(),
            transcription_options: options.transcription.clone(),
            teams_app_source,
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let body = self
            .post_body("/calling/callConnections", &request, Some(&repeatability))
            .await?;
        self.connection_result(
            &body,
            OperationKind::CreateCall,
            options.operation_context,
            &repeatability,
        )
    }

    /// Connects to an ongoing call: a server call, a group call or a room.
    pub async fn connect_call(
        &self,
        call_locator: CallLocator,
        callback_url: &str,
        options: ConnectCallOptions,
    ) -> Result<ConnectCallResult> {
        validate::non_empty("callLocator", call_locator.id())?;
        validate::callback_url("callbackUri", callback_url)?;
        validate::operation_context(options.operation_context.as_deref())?;
        validate::media_options(
            options.media_streaming.as_ref(),
            options.transcription.as_ref(),
            options.cognitive_services_endpoint.as_deref(),
        )?;
        let request = ConnectRequest {
            call_locator: call_locator.to_model(),
            callback_uri: callback_url.to_string(),
            operation_context: options.operation_context.clone(),
            call_intelligence_options: intelligence(&options.cognitive_services_endpoint),
            media_streaming_options: options.media_streaming.clone(),
            transcription_options: options.transcription.clone(),
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let body = self
            .post_body(
                "/calling/callConnections:connect",
                &request,
                Some(&repeatability),
            )
            .await?;
        self.connection_result(
            &body,
            OperationKind::ConnectCall,
            options.operation_context,
            &repeatability,
        )
    }

    /// Answers an incoming call (context from the `IncomingCall` event).
    pub async fn answer_call(
        &self,
        incoming_call_context: &str,
        callback_url: &str,
        options: AnswerCallOptions,
    ) -> Result<AnswerCallResult> {
        validate::non_empty("incomingCallContext", incoming_call_context)?;
        validate::callback_url("callbackUri", callback_url)?;
        validate::operation_context(options.operation_context.as_deref())?;
        validate::media_options(
            options.media_streaming.as_ref(),
            options.transcription.as_ref(),
            options.cognitive_services_endpoint.as_deref(),
        )?;
        // The client's own `source` answers unless the options name someone; an error names
        // whichever of the two was used.
        let (field, answerer) = match &options.answered_by {
            Some(given) => ("answeredBy", Some(given)),
            None => ("source", self.options().source.as_ref()),
        };
        let answered_by = match answerer {
            Some(CommunicationIdentifier::CommunicationUser { id }) => {
                validate::non_empty(field, id)?;
                Some(CommunicationUserIdentifierModel { id: id.clone() })
            }
            Some(_) => return Err(Error::invalid(field, "must be a communication user")),
            None => None,
        };
        let request = AnswerCallRequest {
            incoming_call_context: incoming_call_context.to_string(),
            callback_uri: callback_url.to_string(),
            operation_context: options.operation_context.clone(),
            call_intelligence_options: intelligence(&options.cognitive_services_endpoint),
            answered_by,
            media_streaming_options: options.media_streaming.clone(),
            transcription_options: options.transcription.clone(),
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let body = self
            .post_body(
                "/calling/callConnections:answer",
                &request,
                Some(&repeatability),
            )
            .await?;
        self.connection_result(
            &body,
            OperationKind::AnswerCall,
            options.operation_context,
            &repeatability,
        )
    }

    /// Sends an incoming call elsewhere without answering it. No event follows.
    ///
    /// Only the invitation's target is sent: the service's redirect request has nothing else,
    /// so a caller id number, display name or custom calling context is refused
    /// (`InvalidArgument`) rather than dropped.
    pub async fn redirect_call(
        &self,
        incoming_call_context: &str,
        target: impl Into<CallInvite>,
        options: RedirectCallOptions,
    ) -> Result<()> {
        let invite = target.into();
        validate::non_empty("incomingCallContext", incoming_call_context)?;
        validate::identifier("target", &invite.target)?;
        const NOT_SENT: &str = "redirect_call sends only the target: the service's redirect \
                                request has no such field, so it would be dropped";
        if invite.source_caller_id_number.is_some() {
            return Err(Error::invalid("sourceCallerIdNumber", NOT_SENT));
        }
        if invite.source_display_name.is_some() {
            return Err(Error::invalid("sourceDisplayName", NOT_SENT));
        }
        validate::no_custom_calling_context(&invite.custom_calling_context, NOT_SENT)?;
        let request = RedirectCallRequest {
            incoming_call_context: incoming_call_context.to_string(),
            target: invite.target.to_model(),
        };
        let repeatability = options.repeatability.unwrap_or_default();
        self.post_no_content(
            "/calling/callConnections:redirect",
            &request,
            Some(&repeatability),
        )
        .await
    }

    /// Declines an incoming call. No event follows.
    pub async fn reject_call(
        &self,
        incoming_call_context: &str,
        options: RejectCallOptions,
    ) -> Result<()> {
        validate::non_empty("incomingCallContext", incoming_call_context)?;
        let request = RejectCallRequest {
            incoming_call_context: incoming_call_context.to_string(),
            call_reject_reason: options.call_reject_reason,
        };
        let repeatability = options.repeatability.unwrap_or_default();
        self.post_no_content(
            "/calling/callConnections:reject",
            &request,
            Some(&repeatability),
        )
        .await
    }

    /// The result of an accepted create / answer / connect. Whatever in the body cannot be read
    /// is left out (with a warning); only a body without a call connection id is an error, as
    /// there is then no call to hand back.
    fn connection_result(
        &self,
        body: &[u8],
        kind: OperationKind,
        operation_context: Option<String>,
        repeatability: &Repeatability,
    ) -> Result<CallConnectionResult> {
        let model = action_body(
            body,
            "call connection properties",
            salvage::properties,
            |bytes| CallConnectionPropertiesModel {
                call_connection_id: salvage::string_field_in(bytes, "callConnectionId"),
                ..Default::default()
            },
        );
        let properties = CallConnectionProperties::from_model(&model);
        if properties.call_connection_id.is_empty() {
            return Err(Error::transport(format!(
                "the service accepted the request but its answer has no callConnectionId; the \
                 action may have taken place: repeat it with the same repeatability id ({}) to \
                 get its result without doing it twice",
                repeatability.request_id
            )));
        }
        let call_connection =
            CallConnection::new(self.clone(), properties.call_connection_id.clone());
        let waiter = OutcomeWaiter::new(
            self.inner.processor.clone(),
            PendingOperation {
                kind,
                call_connection_id: properties.call_connection_id.clone(),
                operation_context,
                invitation_id: None,
                participant_raw_id: None,
            },
        );
        Ok(CallConnectionResult {
            call_connection_properties: properties,
            call_connection,
            waiter,
        })
    }

    // ---- request helpers shared with CallConnection ----

    /// Sends a POST and returns the body of its 2xx answer.
    pub(crate) async fn post_body<B: Serialize>(
        &self,
        path: &str,
        body: &B,
        repeatability: Option<&Repeatability>,
    ) -> Result<bytes::Bytes> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("body", format!("cannot serialize the request: {e}")))?;
        let response = self
            .inner
            .transport
            .send(Method::POST, path, Some(bytes), repeatability)
            .await?;
        Ok(response.body)
    }

    pub(crate) async fn post_no_content<B: Serialize>(
        &self,
        path: &str,
        body: &B,
        repeatability: Option<&Repeatability>,
    ) -> Result<()> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("body", format!("cannot serialize the request: {e}")))?;
        self.inner
            .transport
            .send(Method::POST, path, Some(bytes), repeatability)
            .await?;
        Ok(())
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(crate) fn call_path(call_connection_id: &str) -> String {
        format!(
            "/calling/callConnections/{}",
            encode_segment(call_connection_id)
        )
    }
}

/// Reads the 2xx body of an action, which is never an error: the service did what was asked,
/// and reporting a failure would invite a retry that does it again. An empty body (any 2xx may
/// come without one) gives the default, JSON is read field by field (`read`), and a body that
/// is not JSON is searched for what `unreadable` can find in it.
pub(crate) fn action_body<T: Default>(
    body: &[u8],
    what: &str,
    read: impl Fn(&Value) -> T,
    unreadable: impl Fn(&[u8]) -> T,
) -> T {
    match salvage::body(body) {
        Body::Empty => T::default(),
        Body::Json(value) => read(&value),
        Body::Unreadable(error) => {
            tracing::warn!(%error, "the service's {what} is not valid JSON; using what can be read");
            unreadable(body)
        }
    }
}

/// Reads the 2xx body of a read (GET) field by field; a body that is not JSON at all is a
/// transport error, as a read can be repeated without effect.
pub(crate) fn read_body<T: Default>(body: &[u8], read: impl Fn(&Value) -> T) -> Result<T> {
    match salvage::body(body) {
        Body::Empty => Ok(T::default()),
        Body::Json(value) => Ok(read(&value)),
        Body::Unreadable(error) => Err(Error::transport(format!(
            "the service's answer could not be read: {error}"
        ))),
    }
}

/// `localhost` or a loopback address: plain http there never leaves the machine.
fn is_loopback(endpoint: &url::Url) -> bool {
    match endpoint.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
