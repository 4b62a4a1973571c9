//! `CallAutomationClient` and the result of create / answer / connect.

use std::sync::Arc;

use callsteer as core;

use crate::call_connection::CallConnection;
use crate::convert::*;
use crate::errors::CallAutomationError;
use crate::events::{EventProcessor, OperationOutcome};
use crate::{cancellable, millis, run, CancellationHandle};

/// Places, connects, answers, redirects and rejects calls.
#[derive(uniffi::Object)]
pub struct CallAutomationClient {
    inner: core::CallAutomationClient,
}

#[uniffi::export]
impl CallAutomationClient {
    /// From `endpoint=https://…/;accesskey=…`.
    #[uniffi::constructor(default(options = None))]
    pub fn new(
        connection_string: String,
        options: Option<ClientOptions>,
    ) -> Result<Arc<Self>, CallAutomationError> {
        let inner = core::CallAutomationClient::from_connection_string_with_options(
            &connection_string,
            options.unwrap_or_default().into(),
        )?;
        Ok(Arc::new(CallAutomationClient { inner }))
    }

    /// From an endpoint and a base64 access key.
    #[uniffi::constructor(default(options = None))]
    pub fn with_access_key(
        endpoint: String,
        access_key: String,
        options: Option<ClientOptions>,
    ) -> Result<Arc<Self>, CallAutomationError> {
        let inner = core::CallAutomationClient::with_access_key(
            &endpoint,
            &access_key,
            options.unwrap_or_default().into(),
        )?;
        Ok(Arc::new(CallAutomationClient { inner }))
    }

    /// The processor every result of this client waits on: feed it every callback body.
    pub fn event_processor(&self) -> Arc<EventProcessor> {
        Arc::new(EventProcessor {
            inner: self.inner.event_processor().clone(),
        })
    }

    /// A handle on an existing call connection (nothing is sent).
    pub fn get_call_connection(
        &self,
        call_connection_id: String,
    ) -> Result<Arc<CallConnection>, CallAutomationError> {
        Ok(Arc::new(CallConnection::new(
            self.inner.get_call_connection(&call_connection_id)?,
        )))
    }

    /// Places a 1:1 call.
    #[uniffi::method(default(options = None))]
    pub async fn create_call(
        &self,
        call_invite: CallInvite,
        callback_url: String,
        options: Option<CreateCallOptions>,
    ) -> Result<Arc<CallConnectionResult>, CallAutomationError> {
        let client = self.inner.clone();
        run(async move {
            let r = client
                .create_call(
                    call_invite.into(),
                    &callback_url,
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(CallConnectionResult::new(r))
        })
        .await
    }

    /// Places a group call to several targets at once.
    #[uniffi::method(default(options = None))]
    pub async fn create_group_call(
        &self,
        targets: Vec<CommunicationIdentifier>,
        callback_url: String,
        options: Option<CreateCallOptions>,
    ) -> Result<Arc<CallConnectionResult>, CallAutomationError> {
        let client = self.inner.clone();
        run(async move {
            let r = client
                .create_group_call(
                    ids_to_core(targets),
                    &callback_url,
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(CallConnectionResult::new(r))
        })
        .await
    }

    /// Connects to an ongoing call: a server call, a group call or a room.
    #[uniffi::method(default(options = None))]
    pub async fn connect_call(
        &self,
        call_locator: CallLocator,
        callback_url: String,
        options: Option<ConnectCallOptions>,
    ) -> Result<Arc<CallConnectionResult>, CallAutomationError> {
        let client = self.inner.clone();
        run(async move {
            let r = client
                .connect_call(
                    call_locator.into(),
                    &callback_url,
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(CallConnectionResult::new(r))
        })
        .await
    }

    /// Answers an incoming call (`incomingCallContext` from the `IncomingCall` event).
    #[uniffi::method(default(options = None))]
    pub async fn answer_call(
        &self,
        incoming_call_context: String,
        callback_url: String,
        options: Option<AnswerCallOptions>,
    ) -> Result<Arc<CallConnectionResult>, CallAutomationError> {
        let client = self.inner.clone();
        run(async move {
            let r = client
                .answer_call(
                    &incoming_call_context,
                    &callback_url,
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(CallConnectionResult::new(r))
        })
        .await
    }

    /// Sends an incoming call elsewhere without answering it. No event follows.
    #[uniffi::method(default(options = None))]
    pub async fn redirect_call(
        &self,
        incoming_call_context: String,
        target: CallInvite,
        options: Option<RedirectCallOptions>,
    ) -> Result<(), CallAutomationError> {
        let client = self.inner.clone();
        run(async move {
            Ok(client
                .redirect_call(
                    &incoming_call_context,
                    core::CallInvite::from(target),
                    options.unwrap_or_default().into(),
                )
                .await?)
        })
        .await
    }

    /// Declines an incoming call. No event follows.
    #[uniffi::method(default(options = None))]
    pub async fn reject_call(
        &self,
        incoming_call_context: String,
        options: Option<RejectCallOptions>,
    ) -> Result<(), CallAutomationError> {
        let client = self.inner.clone();
        run(async move {
            Ok(client
                .reject_call(&incoming_call_context, options.unwrap_or_default().into())
                .await?)
        })
        .await
    }
}

/// What `createCall`, `createGroupCall`, `answerCall` and `connectCall` return.
#[derive(uniffi::Object)]
pub struct CallConnectionResult {
    inner: core::CallConnectionResult,
}

impl CallConnectionResult {
    fn new(inner: core::CallConnectionResult) -> Arc<Self> {
        Arc::new(CallConnectionResult { inner })
    }
}

#[uniffi::export]
impl CallConnectionResult {
    pub fn call_connection_properties(&self) -> CallConnectionProperties {
        self.inner.call_connection_properties.clone().into()
    }

    pub fn call_connection(&self) -> Arc<CallConnection> {
        Arc::new(CallConnection::new(self.inner.call_connection.clone()))
    }

    /// Waits for `CallConnected` or the action's failure event, as fed to the client's event
    /// processor. `Timeout` after `timeout_ms`; `Cancelled` when `cancel` fires.
    #[uniffi::method(default(cancel = None))]
    pub async fn wait_for_event_processor(
        &self,
        timeout_ms: i64,
        cancel: Option<Arc<CancellationHandle>>,
    ) -> Result<OperationOutcome, CallAutomationError> {
        let result = self.inner.clone();
        run(async move {
            cancellable(cancel, async move {
                Ok(result
                    .wait_for_event_processor(millis(timeout_ms))
                    .await?
                    .into())
            })
            .await
        })
        .await
    }
}
