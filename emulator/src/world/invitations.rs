//! Invitations (create-call targets, added participants, transfer targets) and how they end:
//! answered, failed per the target's behaviour, timed out, or canceled.

use callsteer::events::{
    AddParticipantFailedEventData, AddParticipantSucceededEventData, CallTransferAcceptedEventData,
    CancelAddParticipantFailedEventData, CancelAddParticipantSucceededEventData,
};
use callsteer::{CallAutomationEvent as E, CommunicationIdentifier};
use serde_json::json;

use super::behavior::{self, ResultCode};
use super::model::{
    CallState, IncomingCall, IncomingState, Invitation, InvitationKind, InvitationState,
};
use super::{TimerAction, World};

impl World {
    /// Whether a phone number belongs to this resource (`--resource-phone-number`, admin).
    pub(crate) fn is_own_number(&self, target: &CommunicationIdentifier) -> bool {
        matches!(target, CommunicationIdentifier::PhoneNumber { phone_number, .. }
            if self.resource_numbers.contains(phone_number))
    }

    /// Creates a pending invitation and schedules the target's reaction and the timeout. A
    /// target that is one of the resource's own numbers rings the app instead, as in the
    /// service: an IncomingCall (from `caller`) goes to the Event Grid subscription, and what
    /// the app does with it settles the invitation.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start_invitation(
        &mut self,
        call_id: &str,
        target: CommunicationIdentifier,
        kind: InvitationKind,
        operation_context: Option<String>,
        operation_callback_uri: Option<String>,
        timeout_s: u64,
        caller: Option<CommunicationIdentifier>,
    ) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let behavior = self.target_behavior(&target.raw_id());
        let rings_app = self.is_own_number(&target);
        let purpose = match &kind {
            InvitationKind::Create => "create",
            InvitationKind::Add => "add",
            InvitationKind::Transfer { .. } => "transfer",
        };
        self.delivery.live().participant_change(
            call_id,
            &target.raw_id(),
            "invited",
            json!({"invitationId": id, "for": purpose, "behavior": if rings_app { json!("ringsApp") } else { json!(behavior.behavior) }}),
        );
        let rings = rings_app.then(|| {
            let incoming = self.own_number_incoming_call(call_id, &target, caller, &id);
            let context = incoming.context.clone();
            self.incoming.insert(context.clone(), incoming.clone());
            self.emit_incoming_call(&incoming);
            context
        });
        if let Some(call) = self.calls.get_mut(call_id) {
            call.invitation_ids.push(id.clone());
        }
        self.invitations.insert(
            id.clone(),
            Invitation {
                id: id.clone(),
                call_id: call_id.to_string(),
                target,
                kind,
                operation_context,
                operation_callback_uri,
                state: InvitationState::Pending,
                timers: Vec::new(),
                rings,
            },
        );
        let mut timers = Vec::new();
        if behavior.behavior != behavior::Behavior::NoAnswer && !rings_app {
            timers.push(self.schedule(
                behavior.delay_ms.unwrap_or(0),
                TimerAction::ResolveInvitation {
                    invitation_id: id.clone(),
                    failure: behavior.behavior.failure(),
                },
            ));
        }
        timers.push(self.schedule(
            timeout_s.saturating_mul(1000),
            TimerAction::InvitationTimeout {
                invitation_id: id.clone(),
            },
        ));
        if let Some(invitation) = self.invitations.get_mut(&id) {
            invitation.timers = timers;
        }
        // A 0-delay reaction fires in the same `run_due`, after this returns.
        id
    }

    /// The inbound side of a call to one of the resource's own numbers: a new server call, from
    /// the caller (the caller id number, else the call's source, else its first participant).
    fn own_number_incoming_call(
        &self,
        call_id: &str,
        to: &CommunicationIdentifier,
        caller: Option<CommunicationIdentifier>,
        invitation_id: &str,
    ) -> IncomingCall {
        let call = self.calls.get(call_id);
        let from = caller
            .or_else(|| call.and_then(|c| c.source.clone()))
            .or_else(|| {
                call.and_then(|c| c.participants.first())
                    .map(|p| p.identifier.clone())
            })
            .unwrap_or_else(|| to.clone());
        IncomingCall {
            context: World::new_incoming_call_context(),
            server_call_id: World::new_server_call_id(),
            correlation_id: call
                .map(|c| c.correlation_id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            from,
            to: to.clone(),
            caller_display_name: call.and_then(|c| c.source_display_name.clone()),
            custom_context: None,
            state: IncomingState::Ringing,
            invitation_id: Some(invitation_id.to_string()),
        }
    }

    /// An invitation settled: its other timer will find nothing to do, so drop it now; a call
    /// it placed to the app's own number stops ringing (timed out, canceled, call ended).
    fn invitation_settled(&mut self, invitation_id: &str) {
        let (timers, rings) = self
            .invitations
            .get_mut(invitation_id)
            .map(|i| (std::mem::take(&mut i.timers), i.rings.clone()))
            .unwrap_or_default();
        for key in timers {
            self.unschedule(Some(key));
        }
        if let Some(context) = rings {
            self.settle_incoming(&context, IncomingState::Rejected);
        }
    }

    pub(crate) fn resolve_invitation_timeout(&mut self, invitation_id: &str) {
        self.resolve_invitation(invitation_id, Some(behavior::TIMED_OUT));
    }

    /// Ends a pending invitation: `failure = None` means the target answered.
    pub(crate) fn resolve_invitation(&mut self, invitation_id: &str, failure: Option<ResultCode>) {
        let Some(invitation) = self.invitations.get_mut(invitation_id) else {
            return;
        };
        if invitation.state != InvitationState::Pending {
            return;
        }
        invitation.state = match failure {
            None => InvitationState::Answered,
            Some(code) => InvitationState::Failed(code),
        };
        let invitation = invitation.clone();
        self.invitation_settled(invitation_id);
        let (change, result) = match failure {
            None => ("answered", json!(null)),
            Some(code) => ("failed", code.to_json()),
        };
        self.delivery.live().participant_change(
            &invitation.call_id,
            &invitation.target.raw_id(),
            change,
            json!({"invitationId": invitation.id, "resultInformation": result}),
        );
        let call_active = self
            .calls
            .get(&invitation.call_id)
            .is_some_and(|c| c.is_active());
        if !call_active {
            return;
        }
        match invitation.kind.clone() {
            InvitationKind::Create => self.resolve_create_target(&invitation, failure),
            InvitationKind::Add => self.resolve_add(&invitation, failure),
            InvitationKind::Transfer { transferee } => {
                self.resolve_transfer(&invitation, transferee, failure)
            }
        }
    }

    fn resolve_create_target(&mut self, invitation: &Invitation, failure: Option<ResultCode>) {
        let call_id = invitation.call_id.clone();
        let Some(call) = self.calls.get_mut(&call_id) else {
            return;
        };
        match failure {
            None => {
                call.add_participant(&invitation.target);
                let was_connecting = call.state == CallState::Connecting;
                if was_connecting {
                    call.state = CallState::Connected;
                }
                let ctx = call.operation_context.clone();
                if was_connecting {
                    self.emit(
                        &call_id,
                        E::CallConnected(Default::default()),
                        None,
                        ctx.as_deref(),
                        Some(behavior::CALL_CONNECTED),
                    );
                }
                self.emit_participants_updated(&call_id);
            }
            Some(code) => {
                if call.state != CallState::Connecting {
                    return;
                }
                let others_pending = call.invitation_ids.iter().any(|id| {
                    self.invitations.get(id).is_some_and(|i| {
                        i.kind == InvitationKind::Create && i.state == InvitationState::Pending
                    })
                });
                if others_pending {
                    return;
                }
                let ctx = call.operation_context.clone();
                self.emit(
                    &call_id,
                    E::CreateCallFailed(Default::default()),
                    None,
                    ctx.as_deref(),
                    Some(code),
                );
                self.disconnect(&call_id, code, ctx.as_deref());
            }
        }
    }

    fn resolve_add(&mut self, invitation: &Invitation, failure: Option<ResultCode>) {
        let call_id = invitation.call_id.clone();
        let participant = Some(invitation.target.clone());
        match failure {
            None => {
                if let Some(call) = self.calls.get_mut(&call_id) {
                    call.add_participant(&invitation.target);
                }
                self.emit(
                    &call_id,
                    E::AddParticipantSucceeded(AddParticipantSucceededEventData {
                        participant,
                        ..Default::default()
                    }),
                    invitation.operation_callback_uri.as_deref(),
                    invitation.operation_context.as_deref(),
                    Some(behavior::SUCCESS),
                );
                self.emit_participants_updated(&call_id);
            }
            Some(code) => self.emit(
                &call_id,
                E::AddParticipantFailed(AddParticipantFailedEventData {
                    participant,
                    ..Default::default()
                }),
                invitation.operation_callback_uri.as_deref(),
                invitation.operation_context.as_deref(),
                Some(code),
            ),
        }
    }

    fn resolve_transfer(
        &mut self,
        invitation: &Invitation,
        transferee: Option<CommunicationIdentifier>,
        failure: Option<ResultCode>,
    ) {
        let call_id = invitation.call_id.clone();
        let Some(call) = self.calls.get_mut(&call_id) else {
            return;
        };
        let url = invitation.operation_callback_uri.as_deref();
        let ctx = invitation.operation_context.as_deref();
        if let Some(code) = failure {
            call.state = CallState::Connected;
            self.emit(
                &call_id,
                E::CallTransferFailed(Default::default()),
                url,
                ctx,
                Some(code),
            );
            return;
        }
        // The party being moved: the named transferee, else the 1:1 call's remote party.
        let moved = transferee
            .clone()
            .or_else(|| call.participants.first().map(|p| p.identifier.clone()));
        let accepted = E::CallTransferAccepted(CallTransferAcceptedEventData {
            transfer_target: Some(invitation.target.clone()),
            transferee: moved.clone(),
            ..Default::default()
        });
        let group_transfer = transferee.is_some() && call.participants.len() > 1;
        if group_transfer {
            // The transferee's seat goes to the target; the app stays in the call.
            if let Some(index) = moved
                .as_ref()
                .and_then(|m| call.participant_index(&m.raw_id()))
            {
                call.participants.remove(index);
            }
            call.add_participant(&invitation.target);
            call.state = CallState::Connected;
            self.emit(&call_id, accepted, url, ctx, Some(behavior::SUCCESS));
            self.emit_participants_updated(&call_id);
        } else {
            call.state = CallState::TransferAccepted;
            self.emit(&call_id, accepted, url, ctx, Some(behavior::SUCCESS));
            // The remote party now talks to the target; the app's leg ends.
            self.disconnect(&call_id, behavior::TRANSFERRED, None);
        }
    }

    /// CancelAddParticipant: success if the invitation is still ringing, else failure.
    pub(crate) fn cancel_invitation(
        &mut self,
        call_id: &str,
        invitation_id: &str,
        operation_context: Option<&str>,
        operation_callback_uri: Option<&str>,
    ) {
        let pending = self.invitations.get(invitation_id).filter(|i| {
            i.call_id == call_id
                && i.kind == InvitationKind::Add
                && i.state == InvitationState::Pending
        });
        let Some(invitation) = pending.cloned() else {
            self.emit(
                call_id,
                E::CancelAddParticipantFailed(CancelAddParticipantFailedEventData {
                    invitation_id: Some(invitation_id.to_string()),
                    ..Default::default()
                }),
                operation_callback_uri,
                operation_context,
                Some(behavior::CANCEL_TOO_LATE),
            );
            return;
        };
        if let Some(i) = self.invitations.get_mut(invitation_id) {
            i.state = InvitationState::Canceled;
        }
        self.invitation_settled(invitation_id);
        self.delivery.live().participant_change(
            call_id,
            &invitation.target.raw_id(),
            "canceled",
            json!({"invitationId": invitation_id}),
        );
        self.emit(
            call_id,
            E::CancelAddParticipantSucceeded(CancelAddParticipantSucceededEventData {
                invitation_id: Some(invitation_id.to_string()),
                ..Default::default()
            }),
            operation_callback_uri,
            operation_context,
            Some(behavior::SUCCESS),
        );
        self.emit(
            call_id,
            E::AddParticipantFailed(AddParticipantFailedEventData {
                participant: Some(invitation.target.clone()),
                ..Default::default()
            }),
            invitation.operation_callback_uri.as_deref(),
            invitation.operation_context.as_deref(),
            Some(behavior::CANCELED),
        );
    }

    /// Cancels every pending invitation of a call (the call ended).
    pub(crate) fn drop_invitations(&mut self, call_id: &str) {
        let Some(call) = self.calls.get(call_id) else {
            return;
        };
        let mut settled = Vec::new();
        for id in &call.invitation_ids {
            if let Some(invitation) = self.invitations.get_mut(id) {
                if invitation.state == InvitationState::Pending {
                    invitation.state = InvitationState::Canceled;
                    settled.push(id.clone());
                }
            }
        }
        for id in settled {
            self.invitation_settled(&id);
        }
    }
}
