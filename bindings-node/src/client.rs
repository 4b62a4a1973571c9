//! `CallAutomationClient`: construction (connection string, key or token credential) and the
//! pre-connection actions.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

use crate::call_connection::CallConnection;
use crate::cancel::{bounds_of, run_bounded, AbortSignal};
use crate::convert::{
    self, call_invite, call_locator as call_locator_of, cognitive, identifier_js, identifiers,
    opt_identifier, CallConnectionProperties, CallIntelligenceOptions, CallInvite, CallLocator,
    CommunicationIdentifier, WaitOptions,
};
use crate::errors::{from_napi, guard, invalid, IntoJs};
use crate::events::{wait_outcome, EventProcessor, OperationOutcome};
use crate::streaming::{MediaStreamingOptions, TranscriptionOptions};

/// `retryOptions` of the client.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct RetryOptions {
    /// Retries after the first attempt (default 3).
    pub max_retries: Option<u32>,
    /// First delay (default 800 ms), doubled each time with jitter.
    pub retry_delay_in_ms: Option<u32>,
    /// Longest single delay (default 60 000 ms).
    pub max_retry_delay_in_ms: Option<u32>,
}

/// `userAgentOptions` of the client.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct UserAgentOptions {
    pub user_agent_prefix: Option<String>,
}

/// Options of `new CallAutomationClient(…)`.
#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct CallAutomationClientOptions {
    /// The communication user that places calls (`createCall`'s `source`).
    pub source_identity: Option<CommunicationIdentifier>,
    /// The service api-version (default `2026-03-12`, as the official SDK 1.6).
    pub api_version: Option<String>,
    /// Per-attempt timeout in milliseconds (default 30 000).
    pub timeout_in_ms: Option<u32>,
    pub retry_options: Option<RetryOptions>,
    pub user_agent_options: Option<UserAgentOptions>,
    /// Give add / remove / transfer / cancel a unique operation context when none is given
    /// (default false: like the official SDK, none is sent; outcomes pair by participant,
    /// transfer target and invitation id). Turn it on when overlapping transfers, or adds of one
    /// participant, run on one call.
    pub generate_operation_context: Option<bool>,
    /// Send a `TokenCredential`'s bearer token over plain `http://` to a host that is not
    /// loopback (default false: the constructor refuses such an endpoint). Access keys, which
    /// only sign requests, and loopback endpoints (the local emulator) need no permission.
    pub allow_insecure_connection: Option<bool>,
    /// Share callback events with the app's other instances through Redis Streams
    /// (`redis://[user:password@]host:port/db`, `rediss://` for TLS), so that a wait sees an
    /// outcome whichever instance the service posted it to. See the README, "Scale-out".
    pub event_bus_url: Option<String>,
}

fn client_options(options: &CallAutomationClientOptions) -> callsteer::ClientOptions {
    let mut out = callsteer::ClientOptions::default();
    if let Some(v) = &options.api_version {
        out.api_version = v.clone();
    }
    if let Some(ms) = options.timeout_in_ms {
        out.timeout = Duration::from_millis(ms as u64);
    }
    if let Some(r) = &options.retry_options {
        if let Some(n) = r.max_retries {
            out.retry.max_retries = n;
        }
        if let Some(ms) = r.retry_delay_in_ms {
            out.retry.initial_delay = Duration::from_millis(ms as u64);
        }
        if let Some(ms) = r.max_retry_delay_in_ms {
            out.retry.max_delay = Duration::from_millis(ms as u64);
        }
    }
    out.user_agent_suffix = options
        .user_agent_options
        .as_ref()
        .and_then(|u| u.user_agent_prefix.clone());
    if let Some(g) = options.generate_operation_context {
        out.generate_operation_context = g;
    }
    if let Some(a) = options.allow_insecure_connection {
        out.allow_insecure_connection = a;
    }
    out.event_bus_url = options.event_bus_url.clone();
    out
}

/// What a JS `TokenCredential.getToken` resolves with.
#[napi(object)]
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub token: String,
    /// Milliseconds since the Unix epoch.
    pub expires_on_timestamp: f64,
}

type GetToken =
    ThreadsafeFunction<Vec<String>, Promise<Option<AccessToken>>, Vec<String>, Status, false, true>;

/// Bridges a JS `TokenCredential` (`{ getToken(scopes) }`) to the core's token hook.
struct JsTokenCredential {
    get_token: Arc<GetToken>,
}

const SCOPE: &str = "https://communication.azure.com//.default";

impl callsteer::TokenCredential for JsTokenCredential {
    fn get_token(
        &self,
    ) -> Pin<Box<dyn Future<Output = callsteer::Result<callsteer::AccessToken>> + Send + '_>> {
        let get_token = self.get_token.clone();
        Box::pin(async move {
            let promise = get_token
                .call_async_catch(vec![SCOPE.to_string()])
                .await
                .map_err(|e| callsteer::Error::auth(format!("getToken failed: {}", e.reason)))?;
            let token = promise
                .await
                .map_err(|e| callsteer::Error::auth(format!("getToken failed: {}", e.reason)))?
                .ok_or_else(|| callsteer::Error::auth("getToken returned no token"))?;
            Ok(callsteer::AccessToken {
                token: token.token,
                expires_on: (token.expires_on_timestamp / 1000.0).max(0.0) as u64,
            })
        })
    }
}

/// The entry point: places, connects, answers, redirects and rejects calls.
#[napi]
pub struct CallAutomationClient {
    inner: callsteer::CallAutomationClient,
    source: Option<callsteer::CommunicationIdentifier>,
}

/// What `createCall`, `createGroupCall`, `answerCall` and `connectCall` resolve with.
#[napi]
pub struct CallResult {
    inner: callsteer::CallConnectionResult,
}

#[napi]
impl CallResult {
    #[napi(getter, catch_unwind)]
    pub fn call_connection_properties(&self) -> CallConnectionProperties {
        convert::properties(&self.inner.call_connection_properties)
    }

    #[napi(getter, catch_unwind)]
    pub fn call_connection(&self) -> CallConnection {
        CallConnection::from(self.inner.call_connection.clone())
    }

    /// Waits for `CallConnected` or the failure event (`CreateCallFailed`, `AnswerFailed`,
    /// `ConnectFailed`) fed to the client's event processor (default timeout 30 s).
    #[napi]
    pub async fn wait_for_event_processor(
        &self,
        options: Option<WaitOptions>,
    ) -> napi::Result<OperationOutcome> {
        let result = self.inner.clone();
        let timeout = convert::timeout(&options);
        wait_outcome(async move { result.wait_for_event_processor(timeout).await }).await
    }
}

/// Options of `createCall` and `createGroupCall`.
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct CreateCallOptions {
    /// Caller id for phone-number targets: `{ phoneNumber: "+1…" }`.
    pub source_call_id_number: Option<CommunicationIdentifier>,
    pub source_display_name: Option<String>,
    pub operation_context: Option<String>,
    pub call_intelligence_options: Option<CallIntelligenceOptions>,
    pub media_streaming_options: Option<MediaStreamingOptions>,
    pub transcription_options: Option<TranscriptionOptions>,
    /// Call as a Teams resource account: `{ teamsAppId }`.
    pub teams_app_source: Option<CommunicationIdentifier>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `answerCall`.
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct AnswerCallOptions {
    pub operation_context: Option<String>,
    pub call_intelligence_options: Option<CallIntelligenceOptions>,
    pub media_streaming_options: Option<MediaStreamingOptions>,
    pub transcription_options: Option<TranscriptionOptions>,
    /// The communication user answering on the app's behalf.
    pub answered_by: Option<CommunicationIdentifier>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `connectCall`.
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct ConnectCallOptions {
    pub operation_context: Option<String>,
    pub call_intelligence_options: Option<CallIntelligenceOptions>,
    pub media_streaming_options: Option<MediaStreamingOptions>,
    pub transcription_options: Option<TranscriptionOptions>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `redirectCall`, `getCallConnectionProperties`, `hangUp` and the other actions
/// that take no option of their own (the official SDK's `OperationOptions`).
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug, Default)]
pub struct OperationOptions {
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `rejectCall`.
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct RejectCallOptions {
    /// `none` | `busy` | `forbidden`.
    pub call_reject_reason: Option<String>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// The client's `sourceIdentity` is the core's `ClientOptions::source`, which the core sends as
/// `source` of create and `answeredBy` of answer.
fn create_options(
    options: Option<CreateCallOptions>,
) -> napi::Result<callsteer::CreateCallOptions> {
    let Some(o) = options else {
        return Ok(callsteer::CreateCallOptions::default());
    };
    Ok(callsteer::CreateCallOptions {
        source_caller_id_number: convert::caller_id(
            "sourceCallerIdNumber",
            &o.source_call_id_number,
        )?,
        source_display_name: o.source_display_name,
        teams_app_source: opt_identifier("teamsAppSource", &o.teams_app_source)?,
        operation_context: o.operation_context,
        cognitive_services_endpoint: cognitive(&o.call_intelligence_options),
        media_streaming: o.media_streaming_options.map(Into::into),
        transcription: o.transcription_options.map(Into::into),
        ..Default::default()
    })
}

fn callback(url: Option<String>) -> String {
    url.unwrap_or_default()
}

#[napi]
impl CallAutomationClient {
    /// `new CallAutomationClient(connectionString, options?)` or
    /// `new CallAutomationClient(endpoint, credential, options?)` where `credential` is
    /// `{ key }` (an `AzureKeyCredential`) or a `TokenCredential` (`{ getToken(scopes) }`).
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "connectionStringOrEndpoint: string, credentialOrOptions?: KeyCredential | TokenCredential | CallAutomationClientOptions, options?: CallAutomationClientOptions"
    )]
    pub fn new(
        env: Env,
        connection_string_or_endpoint: String,
        credential_or_options: Option<Object>,
        options: Option<CallAutomationClientOptions>,
    ) -> Result<Self> {
        enum Cred {
            None,
            Key(String),
            Token(GetToken),
        }
        let mut cred = Cred::None;
        let mut opts = options.unwrap_or_default();
        if let Some(obj) = credential_or_options {
            let get_token: Option<Unknown> = obj
                .get_named_property("getToken")
                .map_err(|e| from_napi(e, "credential"))?;
            let key: Option<Unknown> = obj
                .get_named_property("key")
                .map_err(|e| from_napi(e, "credential"))?;
            if let Some(f) = get_token.filter(|v| v.get_type().ok() == Some(ValueType::Function)) {
                // Bind `this` so that class-based credentials keep working.
                let f: Function<Unknown, Unknown> =
                    unsafe { f.cast() }.map_err(|e| from_napi(e, "credential"))?;
                let bind: Function<Object, Function<Vec<String>, Promise<Option<AccessToken>>>> = f
                    .get_named_property("bind")
                    .map_err(|e| from_napi(e, "credential"))?;
                let bound = bind
                    .apply(f, obj)
                    .map_err(|e| from_napi(e, "credential.getToken"))?;
                let tsfn = bound
                    .build_threadsafe_function::<Vec<String>>()
                    .callee_handled::<false>()
                    .weak::<true>()
                    .build()
                    .map_err(|e| from_napi(e, "credential.getToken"))?;
                cred = Cred::Token(tsfn);
            } else if let Some(k) = key.filter(|v| v.get_type().ok() != Some(ValueType::Undefined))
            {
                let k: String = unsafe { k.cast() }
                    .map_err(|_| invalid("credential.key", "must be a string"))?;
                cred = Cred::Key(k);
            } else {
                opts =
                    unsafe { CallAutomationClientOptions::from_napi_value(env.raw(), obj.raw()) }
                        .map_err(|e| from_napi(e, "options"))?;
            }
        }
        guard(|| {
            let mut options = client_options(&opts);
            let source = opt_identifier("sourceIdentity", &opts.source_identity)?;
            options.source = source.clone();
            let endpoint = &connection_string_or_endpoint;
            let inner = match cred {
                Cred::None => callsteer::CallAutomationClient::from_connection_string_with_options(
                    endpoint, options,
                ),
                Cred::Key(key) => {
                    callsteer::CallAutomationClient::with_access_key(endpoint, &key, options)
                }
                Cred::Token(tsfn) => callsteer::CallAutomationClient::new(
                    endpoint,
                    callsteer::Credential::Token(Arc::new(JsTokenCredential {
                        get_token: Arc::new(tsfn),
                    })),
                    options,
                ),
            }
            .js()?;
            Ok(CallAutomationClient { inner, source })
        })
    }

    /// A handle on an existing call connection (no request is sent).
    #[napi(catch_unwind)]
    pub fn get_call_connection(&self, call_connection_id: String) -> napi::Result<CallConnection> {
        guard(|| {
            Ok(CallConnection::from(
                self.inner.get_call_connection(&call_connection_id).js()?,
            ))
        })
    }

    /// The event processor that results wait on: feed it every callback body.
    #[napi(catch_unwind)]
    pub fn get_event_processor(&self) -> EventProcessor {
        EventProcessor {
            inner: self.inner.event_processor().clone(),
        }
    }

    /// The `sourceIdentity` given at construction.
    #[napi(catch_unwind)]
    pub fn get_source_identity(&self) -> Option<CommunicationIdentifier> {
        self.source.as_ref().map(identifier_js)
    }

    /// Places a 1:1 call.
    #[napi]
    pub async fn create_call(
        &self,
        target_participant: CallInvite,
        callback_url: Option<String>,
        options: Option<CreateCallOptions>,
    ) -> napi::Result<CallResult> {
        let bounds = bounds_of!(options);
        let invite = call_invite("targetParticipant", &target_participant)?;
        let options = create_options(options)?;
        let client = self.inner.clone();
        let url = callback(callback_url);
        let inner = run_bounded(bounds, async move {
            client.create_call(invite, &url, options).await
        })
        .await?;
        Ok(CallResult { inner })
    }

    /// Places a group call to several targets at once.
    #[napi]
    pub async fn create_group_call(
        &self,
        target_participants: Vec<CommunicationIdentifier>,
        callback_url: Option<String>,
        options: Option<CreateCallOptions>,
    ) -> napi::Result<CallResult> {
        let bounds = bounds_of!(options);
        let targets = identifiers("targets", &target_participants)?;
        let options = create_options(options)?;
        let client = self.inner.clone();
        let url = callback(callback_url);
        let inner = run_bounded(bounds, async move {
            client.create_group_call(targets, &url, options).await
        })
        .await?;
        Ok(CallResult { inner })
    }

    /// Answers an incoming call (context from the `IncomingCall` event).
    #[napi]
    pub async fn answer_call(
        &self,
        incoming_call_context: String,
        callback_url: Option<String>,
        options: Option<AnswerCallOptions>,
    ) -> napi::Result<CallResult> {
        let bounds = bounds_of!(options);
        let options = match options {
            None => callsteer::AnswerCallOptions::default(),
            Some(o) => callsteer::AnswerCallOptions {
                operation_context: o.operation_context,
                cognitive_services_endpoint: cognitive(&o.call_intelligence_options),
                media_streaming: o.media_streaming_options.map(Into::into),
                transcription: o.transcription_options.map(Into::into),
                answered_by: opt_identifier("answeredBy", &o.answered_by)?,
                ..Default::default()
            },
        };
        let client = self.inner.clone();
        let url = callback(callback_url);
        let inner = run_bounded(bounds, async move {
            client
                .answer_call(&incoming_call_context, &url, options)
                .await
        })
        .await?;
        Ok(CallResult { inner })
    }

    /// Sends an incoming call elsewhere without answering it. No event follows.
    #[napi]
    pub async fn redirect_call(
        &self,
        incoming_call_context: String,
        target_participant: CallInvite,
        options: Option<OperationOptions>,
    ) -> napi::Result<()> {
        let bounds = bounds_of!(options);
        let invite = call_invite("targetParticipant", &target_participant)?;
        let client = self.inner.clone();
        run_bounded(bounds, async move {
            client
                .redirect_call(&incoming_call_context, invite, Default::default())
                .await
        })
        .await
    }

    /// Declines an incoming call (`callRejectReason`: none | busy | forbidden). No event follows.
    #[napi]
    pub async fn reject_call(
        &self,
        incoming_call_context: String,
        options: Option<RejectCallOptions>,
    ) -> napi::Result<()> {
        let bounds = bounds_of!(options);
        let reason = match options.and_then(|o| o.call_reject_reason) {
            None => None,
            // The core's case-insensitive rule, as in every language.
            Some(r) => Some(r.parse::<callsteer::CallRejectReason>().js()?),
        };
        let client = self.inner.clone();
        run_bounded(bounds, async move {
            client
                .reject_call(
                    &incoming_call_context,
                    callsteer::RejectCallOptions {
                        call_reject_reason: reason,
                        ..Default::default()
                    },
                )
                .await
        })
        .await
    }

    /// Connects to an ongoing call: `{ kind: "serverCallLocator" | "groupCallLocator" |
    /// "roomCallLocator", id }`.
    #[napi]
    pub async fn connect_call(
        &self,
        call_locator: CallLocator,
        callback_url: Option<String>,
        options: Option<ConnectCallOptions>,
    ) -> napi::Result<CallResult> {
        let bounds = bounds_of!(options);
        let locator = call_locator_of(&call_locator)?;
        let options = match options {
            None => callsteer::ConnectCallOptions::default(),
            Some(o) => callsteer::ConnectCallOptions {
                operation_context: o.operation_context,
                cognitive_services_endpoint: cognitive(&o.call_intelligence_options),
                media_streaming: o.media_streaming_options.map(Into::into),
                transcription: o.transcription_options.map(Into::into),
                ..Default::default()
            },
        };
        let client = self.inner.clone();
        let url = callback(callback_url);
        let inner = run_bounded(bounds, async move {
            client.connect_call(locator, &url, options).await
        })
        .await?;
        Ok(CallResult { inner })
    }
}
