//! `CallConnection` and the results of its actions.

use std::sync::Arc;

use callsteer as core;

use crate::convert::*;
use crate::errors::CallAutomationError;
use crate::events::OperationOutcome;
use crate::{cancellable, millis, run, CancellationHandle};

/// A handle on one call connection; sends nothing until an action is called.
#[derive(uniffi::Object)]
pub struct CallConnection {
    inner: core::CallConnection,
}

impl CallConnection {
    pub(crate) fn new(inner: core::CallConnection) -> Self {
        CallConnection { inner }
    }
}

#[uniffi::export]
impl CallConnection {
    pub fn call_connection_id(&self) -> String {
        self.inner.call_connection_id().to_string()
    }

    /// The call's current properties.
    pub async fn get_call_properties(
        &self,
    ) -> Result<CallConnectionProperties, CallAutomationError> {
        let call = self.inner.clone();
        run(async move { Ok(call.get_call_properties().await?.into()) }).await
    }

    /// Every participant (all pages).
    pub async fn list_participants(&self) -> Result<Vec<CallParticipant>, CallAutomationError> {
        let call = self.inner.clone();
        run(async move {
            Ok(call
                .list_participants()
                .await?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    /// One participant.
    pub async fn get_participant(
        &self,
        participant: CommunicationIdentifier,
    ) -> Result<CallParticipant, CallAutomationError> {
        let call = self.inner.clone();
        run(async move { Ok(call.get_participant(&participant.into()).await?.into()) }).await
    }

    /// Transfers the call (1:1) or `options.transferee` (group) to `target_participant`.
    #[uniffi::method(default(options = None))]
    pub async fn transfer_call_to_participant(
        &self,
        target_participant: CommunicationIdentifier,
        options: Option<TransferCallToParticipantOptions>,
    ) -> Result<Arc<TransferCallResult>, CallAutomationError> {
        let call = self.inner.clone();
        run(async move {
            let inner = call
                .transfer_call_to_participant(
                    &target_participant.into(),
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(Arc::new(TransferCallResult { inner }))
        })
        .await
    }

    /// Invites someone into the call.
    #[uniffi::method(default(options = None))]
    pub async fn add_participant(
        &self,
        participant_to_add: CallInvite,
        options: Option<AddParticipantOptions>,
    ) -> Result<Arc<AddParticipantResult>, CallAutomationError> {
        let call = self.inner.clone();
        run(async move {
            let inner = call
                .add_participant(
                    participant_to_add.into(),
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(Arc::new(AddParticipantResult { inner }))
        })
        .await
    }

    /// Cancels a pending invitation from `addParticipant`.
    #[uniffi::method(default(options = None))]
    pub async fn cancel_add_participant_operation(
        &self,
        invitation_id: String,
        options: Option<CancelAddParticipantOperationOptions>,
    ) -> Result<Arc<CancelAddParticipantOperationResult>, CallAutomationError> {
        let call = self.inner.clone();
        run(async move {
            let inner = call
                .cancel_add_participant_operation(
                    &invitation_id,
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(Arc::new(CancelAddParticipantOperationResult { inner }))
        })
        .await
    }

    /// Removes a participant from the call.
    #[uniffi::method(default(options = None))]
    pub async fn remove_participant(
        &self,
        participant_to_remove: CommunicationIdentifier,
        options: Option<RemoveParticipantOptions>,
    ) -> Result<Arc<RemoveParticipantResult>, CallAutomationError> {
        let call = self.inner.clone();
        run(async move {
            let inner = call
                .remove_participant(
                    &participant_to_remove.into(),
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(Arc::new(RemoveParticipantResult { inner }))
        })
        .await
    }

    /// Moves `target_participants` of the call connection `from_call` into this call
    /// (api-version 2026-03-12).
    #[uniffi::method(default(options = None))]
    pub async fn move_participants(
        &self,
        target_participants: Vec<CommunicationIdentifier>,
        from_call: String,
        options: Option<MoveParticipantsOptions>,
    ) -> Result<Arc<MoveParticipantsResult>, CallAutomationError> {
        let call = self.inner.clone();
        run(async move {
            let targets = target_participants.into_iter().map(Into::into).collect();
            let inner = call
                .move_participants(targets, &from_call, options.unwrap_or_default().into())
                .await?;
            Ok(Arc::new(MoveParticipantsResult { inner }))
        })
        .await
    }

    /// Mutes a participant (no outcome event follows).
    #[uniffi::method(default(options = None))]
    pub async fn mute_participant(
        &self,
        target_participant: CommunicationIdentifier,
        options: Option<MuteParticipantOptions>,
    ) -> Result<MuteParticipantResult, CallAutomationError> {
        let call = self.inner.clone();
        run(async move {
            let r = call
                .mute_participant(
                    &target_participant.into(),
                    options.unwrap_or_default().into(),
                )
                .await?;
            Ok(MuteParticipantResult {
                operation_context: r.operation_context,
            })
        })
        .await
    }

    /// `false`: the app leaves (the call goes on if two or more others remain);
    /// `true`: the call ends for everyone.
    #[uniffi::method(default(options = None))]
    pub async fn hang_up(
        &self,
        is_for_everyone: bool,
        options: Option<HangUpOptions>,
    ) -> Result<(), CallAutomationError> {
        let call = self.inner.clone();
        run(async move {
            Ok(call
                .hang_up_with_options(is_for_everyone, options.unwrap_or_default().into())
                .await?)
        })
        .await
    }
}

macro_rules! waitable {
    ($($name:ident => $core:ty),*) => {$(
        #[derive(uniffi::Object)]
        pub struct $name {
            inner: $core,
        }

        #[uniffi::export]
        impl $name {
            pub fn operation_context(&self) -> Option<String> {
                self.inner.operation_context.clone()
            }

            /// Waits for this action's success or failure event (matched by call connection id,
            /// operation context and, for add / cancel, participant or invitation id).
            /// `Timeout` after `timeout_ms`; `Cancelled` when `cancel` fires.
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
    )*};
}

waitable!(
    TransferCallResult => core::TransferCallResult,
    AddParticipantResult => core::AddParticipantResult,
    RemoveParticipantResult => core::RemoveParticipantResult,
    CancelAddParticipantOperationResult => core::CancelAddParticipantOperationResult,
    MoveParticipantsResult => core::MoveParticipantsResult
);

#[uniffi::export]
impl MoveParticipantsResult {
    /// This call's participants as the service answered.
    pub fn participants(&self) -> Vec<CallParticipant> {
        self.inner
            .participants
            .iter()
            .cloned()
            .map(Into::into)
            .collect()
    }

    /// The call connection the participants are moved from (the official SDKs' name).
    #[allow(clippy::wrong_self_convention)]
    pub fn from_call(&self) -> Option<String> {
        self.inner.from_call.clone()
    }
}

#[uniffi::export]
impl AddParticipantResult {
    pub fn participant(&self) -> Option<CallParticipant> {
        self.inner.participant.clone().map(Into::into)
    }

    pub fn invitation_id(&self) -> Option<String> {
        self.inner.invitation_id.clone()
    }
}

#[uniffi::export]
impl CancelAddParticipantOperationResult {
    pub fn invitation_id(&self) -> Option<String> {
        self.inner.invitation_id.clone()
    }
}
