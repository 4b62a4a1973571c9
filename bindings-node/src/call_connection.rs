//! `CallConnection`: the mid-call actions on one call connection, and their results.

use napi_derive::napi;

use crate::cancel::{bounds_of, run_bounded, AbortSignal};
use crate::client::OperationOptions;
use crate::convert::{
    self, call_invite, custom_calling_context, identifier, opt_identifier,
    CallConnectionProperties, CallInvite, CallParticipant, CommunicationIdentifier,
    CustomCallingContextHeader, WaitOptions,
};
use crate::events::{wait_outcome, OperationOutcome};

/// A handle on one call connection; sends nothing until an action is called.
#[napi]
pub struct CallConnection {
    inner: callsteer::CallConnection,
}

impl From<callsteer::CallConnection> for CallConnection {
    fn from(inner: callsteer::CallConnection) -> Self {
        CallConnection { inner }
    }
}

/// Options of `transferCallToParticipant`.
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct TransferCallToParticipantOptions {
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    /// The participant moved away (group calls).
    pub transferee: Option<CommunicationIdentifier>,
    pub custom_calling_context: Option<Vec<CustomCallingContextHeader>>,
    /// `{ phoneNumber }` shown to a phone-number target.
    pub source_call_id_number: Option<CommunicationIdentifier>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `addParticipant`.
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct AddParticipantOptions {
    /// 1 to 180 seconds.
    pub invitation_timeout_in_seconds: Option<u32>,
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `removeParticipant` (named as in the official SDK).
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct RemoveParticipantsOption {
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `moveParticipants` (named as in the official SDK).
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct MoveParticipantsOptions {
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `muteParticipant` (named as in the official SDK).
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct MuteParticipantOption {
    pub operation_context: Option<String>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

/// Options of `cancelAddParticipantOperation`.
#[napi(object, object_to_js = false)]
#[derive(Clone, Debug)]
pub struct CancelAddParticipantOperationOptions {
    pub operation_context: Option<String>,
    pub operation_callback_url: Option<String>,
    /// Aborts the operation: it rejects with `AbortError` and the request in flight is
    /// cancelled (an already-aborted signal sends nothing).
    #[napi(ts_type = "AbortSignalLike")]
    pub abort_signal: Option<AbortSignal>,
    /// Bounds the whole operation, retries included, in milliseconds (`0`: unbounded); it then
    /// rejects with `TimeoutError` and the request in flight is cancelled.
    pub timeout: Option<f64>,
}

#[doc = "What `listParticipants` resolves with (every page already followed)."]
#[napi(object)]
#[derive(Clone, Debug)]
pub struct ListParticipantsResult {
    pub values: Vec<CallParticipant>,
}

#[doc = "What `muteParticipant` resolves with."]
#[napi(object)]
#[derive(Clone, Debug)]
pub struct MuteParticipantResult {
    pub operation_context: Option<String>,
}

macro_rules! result_class {
    ($(#[$doc:meta])* $name:ident($core:ty) { $( $(#[$fdoc:meta])* $getter:ident : $ty:ty => |$r:ident| $conv:expr ),* }) => {
        $(#[$doc])*
        #[napi]
        pub struct $name {
            inner: $core,
        }

        #[napi]
        impl $name {
            $(
                $(#[$fdoc])*
                #[napi(getter, catch_unwind)]
                // The official SDK's names (`fromCall` among them).
                #[allow(clippy::wrong_self_convention)]
                pub fn $getter(&self) -> $ty {
                    let $r = &self.inner;
                    $conv
                }
            )*

            /// Waits for this action's success or failure event fed to the client's event
            /// processor (default timeout 30 s).
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
    };
}

result_class!(
    #[doc = "What `addParticipant` resolves with."]
    AddParticipantResult(callsteer::AddParticipantResult) {
        invitation_id: Option<String> => |r| r.invitation_id.clone(),
        participant: Option<CallParticipant> => |r| r.participant.as_ref().map(convert::participant),
        operation_context: Option<String> => |r| r.operation_context.clone()
    }
);
result_class!(
    #[doc = "What `transferCallToParticipant` resolves with."]
    TransferCallResult(callsteer::TransferCallResult) {
        operation_context: Option<String> => |r| r.operation_context.clone()
    }
);
result_class!(
    #[doc = "What `removeParticipant` resolves with."]
    RemoveParticipantResult(callsteer::RemoveParticipantResult) {
        operation_context: Option<String> => |r| r.operation_context.clone()
    }
);
result_class!(
    #[doc = "What `moveParticipants` resolves with (api-version 2026-03-12)."]
    MoveParticipantsResult(callsteer::MoveParticipantsResult) {
        participants: Vec<CallParticipant> => |r| r.participants.iter().map(convert::participant).collect(),
        operation_context: Option<String> => |r| r.operation_context.clone(),
        from_call: Option<String> => |r| r.from_call.clone()
    }
);
result_class!(
    #[doc = "What `cancelAddParticipantOperation` resolves with."]
    CancelAddParticipantOperationResult(callsteer::CancelAddParticipantOperationResult) {
        invitation_id: Option<String> => |r| r.invitation_id.clone(),
        operation_context: Option<String> => |r| r.operation_context.clone()
    }
);

#[napi]
impl CallConnection {
    #[napi(getter, catch_unwind)]
    pub fn call_connection_id(&self) -> String {
        self.inner.call_connection_id().to_string()
    }

    /// The call's current properties.
    #[napi]
    pub async fn get_call_connection_properties(
        &self,
        options: Option<OperationOptions>,
    ) -> napi::Result<CallConnectionProperties> {
        let bounds = bounds_of!(options);
        let call = self.inner.clone();
        let p = run_bounded(bounds, async move { call.get_call_properties().await }).await?;
        Ok(convert::properties(&p))
    }

    /// `false`: the app leaves the call; `true`: the call ends for everyone.
    #[napi]
    pub async fn hang_up(
        &self,
        is_for_everyone: bool,
        options: Option<OperationOptions>,
    ) -> napi::Result<()> {
        let bounds = bounds_of!(options);
        let call = self.inner.clone();
        run_bounded(bounds, async move { call.hang_up(is_for_everyone).await }).await
    }

    /// One participant, by identifier.
    #[napi]
    pub async fn get_participant(
        &self,
        target_participant: CommunicationIdentifier,
        options: Option<OperationOptions>,
    ) -> napi::Result<CallParticipant> {
        let bounds = bounds_of!(options);
        let target = identifier("participantRawId", &target_participant)?;
        let call = self.inner.clone();
        let p = run_bounded(bounds, async move { call.get_participant(&target).await }).await?;
        Ok(convert::participant(&p))
    }

    /// Every participant (all pages).
    #[napi]
    pub async fn list_participants(
        &self,
        options: Option<OperationOptions>,
    ) -> napi::Result<ListParticipantsResult> {
        let bounds = bounds_of!(options);
        let call = self.inner.clone();
        let all = run_bounded(bounds, async move { call.list_participants().await }).await?;
        Ok(ListParticipantsResult {
            values: all.iter().map(convert::participant).collect(),
        })
    }

    /// Invites someone into the call.
    #[napi]
    pub async fn add_participant(
        &self,
        target_participant: CallInvite,
        options: Option<AddParticipantOptions>,
    ) -> napi::Result<AddParticipantResult> {
        let bounds = bounds_of!(options);
        let invite = call_invite("targetParticipant", &target_participant)?;
        let options = options
            .map(|o| callsteer::AddParticipantOptions {
                invitation_timeout_in_seconds: o.invitation_timeout_in_seconds,
                operation_context: o.operation_context,
                operation_callback_url: o.operation_callback_url,
                ..Default::default()
            })
            .unwrap_or_default();
        let call = self.inner.clone();
        let inner = run_bounded(bounds, async move {
            call.add_participant(invite, options).await
        })
        .await?;
        Ok(AddParticipantResult { inner })
    }

    /// Transfers the call (1:1) or the `transferee` (group) to `targetParticipant`.
    #[napi]
    pub async fn transfer_call_to_participant(
        &self,
        target_participant: CommunicationIdentifier,
        options: Option<TransferCallToParticipantOptions>,
    ) -> napi::Result<TransferCallResult> {
        let bounds = bounds_of!(options);
        let target = identifier("targetParticipant", &target_participant)?;
        let options = match options {
            None => callsteer::TransferCallToParticipantOptions::default(),
            Some(o) => callsteer::TransferCallToParticipantOptions {
                transferee: opt_identifier("transferee", &o.transferee)?,
                operation_context: o.operation_context,
                operation_callback_url: o.operation_callback_url,
                custom_calling_context: custom_calling_context(&o.custom_calling_context)?,
                source_caller_id_number: convert::caller_id(
                    "sourceCallerIdNumber",
                    &o.source_call_id_number,
                )?,
                ..Default::default()
            },
        };
        let call = self.inner.clone();
        let inner = run_bounded(bounds, async move {
            call.transfer_call_to_participant(&target, options).await
        })
        .await?;
        Ok(TransferCallResult { inner })
    }

    /// Removes a participant from the call.
    #[napi]
    pub async fn remove_participant(
        &self,
        participant: CommunicationIdentifier,
        options: Option<RemoveParticipantsOption>,
    ) -> napi::Result<RemoveParticipantResult> {
        let bounds = bounds_of!(options);
        let target = identifier("participantToRemove", &participant)?;
        let options = options
            .map(|o| callsteer::RemoveParticipantOptions {
                operation_context: o.operation_context,
                operation_callback_url: o.operation_callback_url,
                ..Default::default()
            })
            .unwrap_or_default();
        let call = self.inner.clone();
        let inner = run_bounded(bounds, async move {
            call.remove_participant(&target, options).await
        })
        .await?;
        Ok(RemoveParticipantResult { inner })
    }

    /// Moves `targetParticipants` of the call connection `fromCall` into this call
    /// (api-version 2026-03-12).
    #[napi]
    pub async fn move_participants(
        &self,
        target_participants: Vec<CommunicationIdentifier>,
        from_call: String,
        options: Option<MoveParticipantsOptions>,
    ) -> napi::Result<MoveParticipantsResult> {
        let bounds = bounds_of!(options);
        let targets = target_participants
            .iter()
            .map(|t| identifier("moveTargetParticipants", t))
            .collect::<napi::Result<Vec<_>>>()?;
        let options = options
            .map(|o| callsteer::MoveParticipantsOptions {
                operation_context: o.operation_context,
                operation_callback_url: o.operation_callback_url,
                ..Default::default()
            })
            .unwrap_or_default();
        let call = self.inner.clone();
        let inner = run_bounded(bounds, async move {
            call.move_participants(targets, &from_call, options).await
        })
        .await?;
        Ok(MoveParticipantsResult { inner })
    }

    /// Mutes a communication user.
    #[napi]
    pub async fn mute_participant(
        &self,
        participant: CommunicationIdentifier,
        options: Option<MuteParticipantOption>,
    ) -> napi::Result<MuteParticipantResult> {
        let bounds = bounds_of!(options);
        let target = identifier("targetParticipant", &participant)?;
        let options = callsteer::MuteParticipantOptions {
            operation_context: options.and_then(|o| o.operation_context),
            ..Default::default()
        };
        let call = self.inner.clone();
        let r = run_bounded(bounds, async move {
            call.mute_participant(&target, options).await
        })
        .await?;
        Ok(MuteParticipantResult {
            operation_context: r.operation_context,
        })
    }

    /// Cancels a pending invitation from `addParticipant`.
    #[napi]
    pub async fn cancel_add_participant_operation(
        &self,
        invitation_id: String,
        options: Option<CancelAddParticipantOperationOptions>,
    ) -> napi::Result<CancelAddParticipantOperationResult> {
        let bounds = bounds_of!(options);
        let options = options
            .map(|o| callsteer::CancelAddParticipantOperationOptions {
                operation_context: o.operation_context,
                operation_callback_url: o.operation_callback_url,
                ..Default::default()
            })
            .unwrap_or_default();
        let call = self.inner.clone();
        let inner = run_bounded(bounds, async move {
            call.cancel_add_participant_operation(&invitation_id, options)
                .await
        })
        .await?;
        Ok(CancelAddParticipantOperationResult { inner })
    }
}

#[allow(unused_imports)]
use opt_identifier as _;
