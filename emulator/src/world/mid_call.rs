//! Mid-call actions on an existing call connection.

use callsteer::events::RemoveParticipantSucceededEventData;
use callsteer::wire::{
    AddParticipantRequest, AddParticipantResponse, CallParticipantModel,
    CancelAddParticipantRequest, CancelAddParticipantResponse, GetParticipantsResponse,
    MuteParticipantsRequest, OperationContextResponse, RemoveParticipantRequest,
    TransferToParticipantRequest,
};
use callsteer::{CallAutomationEvent as E, CommunicationIdentifier};

use super::behavior::{self, ResultCode};
use super::model::{Call, CallState, InvitationKind, ServerCall};
use super::World;
use crate::api_error::{ApiError, ApiResult, Reply};
use crate::validation::{check_optional_uri, is_phone, parse_identifier, parse_phone};

/// The largest invitation timeout the service accepts (seconds).
const MAX_INVITATION_TIMEOUT_S: i32 = 180;

impl World {
    /// The call, if it exists and has not ended (an ended call is gone, as in the service).
    fn active_call(&self, call_id: &str) -> ApiResult<&Call> {
        self.calls
            .get(call_id)
            .filter(|c| c.is_active())
            .ok_or_else(|| {
                ApiError::not_found(format!("Call connection `{call_id}` was not found."))
            })
    }

    /// The call, which must be connected for the action.
    pub(super) fn connected_call(&self, call_id: &str, action: &str) -> ApiResult<&Call> {
        let call = self.active_call(call_id)?;
        if call.state != CallState::Connected {
            return Err(ApiError::conflict(format!(
                "{action} is not allowed while the call is `{}`.",
                call.state.as_str()
            )));
        }
        Ok(call)
    }

    pub fn get_call(&self, call_id: &str) -> ApiResult<Reply> {
        Ok(Reply::ok(200, &self.active_call(call_id)?.properties()))
    }

    /// Ends the app's leg: state disconnected, pending invitations dropped, CallDisconnected.
    pub(crate) fn disconnect(&mut self, call_id: &str, code: ResultCode, ctx: Option<&str>) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        if call.state == CallState::Disconnected {
            return;
        }
        call.state = CallState::Disconnected;
        self.drop_invitations(call_id);
        self.emit(
            call_id,
            E::CallDisconnected(Default::default()),
            None,
            ctx,
            Some(code),
        );
        self.call_ended(call_id);
    }

    /// DELETE: the app leaves; the call goes on for the others when two or more remain.
    pub fn hang_up(&mut self, call_id: &str) -> ApiResult<Reply> {
        let call = self.active_call(call_id)?.clone();
        if call.participants.len() >= 2 {
            if !self.server_calls.contains_key(&call.server_call_id) {
                self.left_server_calls
                    .push_back(call.server_call_id.clone());
            }
            let entry = self
                .server_calls
                .entry(call.server_call_id.clone())
                .or_insert_with(|| ServerCall {
                    server_call_id: call.server_call_id.clone(),
                    group_call_id: None,
                    room_id: None,
                    participants: Vec::new(),
                });
            entry.participants = call
                .participants
                .iter()
                .map(|p| p.identifier.raw_id())
                .collect();
        } else {
            self.end_server_call(&call.server_call_id);
        }
        self.disconnect(call_id, behavior::HANGUP, None);
        Ok(Reply::empty(204))
    }

    /// POST :terminate: the call ends for everyone, including other apps' connections.
    pub fn terminate(&mut self, call_id: &str) -> ApiResult<Reply> {
        let server_call_id = self.active_call(call_id)?.server_call_id.clone();
        let affected: Vec<String> = self
            .call_order
            .values()
            .filter(|id| {
                self.calls
                    .get(*id)
                    .is_some_and(|c| c.is_active() && c.server_call_id == server_call_id)
            })
            .cloned()
            .collect();
        for id in affected {
            self.disconnect(&id, behavior::TERMINATED, None);
        }
        self.end_server_call(&server_call_id);
        Ok(Reply::empty(204))
    }

    fn end_server_call(&mut self, server_call_id: &str) {
        let is_group_or_room = self
            .server_calls
            .get(server_call_id)
            .is_some_and(|s| s.group_call_id.is_some());
        if !is_group_or_room {
            self.server_calls.remove(server_call_id);
        }
        for room in self.rooms.values_mut() {
            if room.server_call_id.as_deref() == Some(server_call_id) {
                room.server_call_id = None;
            }
        }
    }

    pub fn transfer(
        &mut self,
        call_id: &str,
        req: TransferToParticipantRequest,
    ) -> ApiResult<Reply> {
        let call = self.connected_call(call_id, "Transfer")?.clone();
        let target = parse_identifier("targetParticipant", &req.target_participant)?;
        check_optional_uri("operationCallbackUri", &req.operation_callback_uri)?;
        if let Some(p) = &req.source_caller_id_number {
            parse_phone("sourceCallerIdNumber", p)?;
        }
        let transferee = req
            .transferee
            .as_ref()
            .map(|t| parse_identifier("transferee", t))
            .transpose()?;
        match &transferee {
            Some(t) if call.participant_index(&t.raw_id()).is_none() => {
                return Err(ApiError::invalid_field(
                    "transferee",
                    format!("`{}` is not a participant of this call", t.raw_id()),
                ));
            }
            None if call.participants.len() > 1 => {
                return Err(ApiError::invalid_field(
                    "transferee",
                    "is required to transfer a call with more than one other participant",
                ));
            }
            None if call.participants.is_empty() => {
                return Err(ApiError::bad_request(
                    "There is no participant to transfer.",
                ));
            }
            _ => {}
        }
        if let Some(c) = self.calls.get_mut(call_id) {
            c.state = CallState::Transferring;
        }
        // Whoever is moved calls the target.
        let caller = transferee
            .clone()
            .or_else(|| call.participants.first().map(|p| p.identifier.clone()));
        let timeout = self.config.default_invitation_timeout_s;
        self.start_invitation(
            call_id,
            target,
            InvitationKind::Transfer { transferee },
            req.operation_context.clone(),
            req.operation_callback_uri.clone(),
            timeout,
            caller,
        );
        Ok(Reply::ok(
            202,
            &OperationContextResponse {
                operation_context: req.operation_context,
            },
        ))
    }

    pub fn list_participants(
        &self,
        call_id: &str,
        continuation: Option<&str>,
        next_link_base: &str,
    ) -> ApiResult<Reply> {
        let call = self.active_call(call_id)?;
        let start = match continuation {
            None => 0,
            Some(token) => token.parse::<usize>().map_err(|_| {
                ApiError::invalid_field("continuationToken", "is not a valid continuation token")
            })?,
        };
        let page_size = self.config.page_size.max(1);
        let all = call.participant_models();
        let page: Vec<CallParticipantModel> =
            all.iter().skip(start).take(page_size).cloned().collect();
        let end = start.saturating_add(page.len());
        let next_link =
            (end < all.len()).then(|| format!("{next_link_base}&continuationToken={end}"));
        Ok(Reply::ok(
            200,
            &GetParticipantsResponse {
                value: page,
                next_link,
            },
        ))
    }

    pub fn get_participant(&self, call_id: &str, raw_id: &str) -> ApiResult<Reply> {
        let call = self.active_call(call_id)?;
        // Accept the `4:1604…` form older SDKs produce as well as `4:+1604…`.
        let canonical = CommunicationIdentifier::from_raw_id(raw_id);
        let participant = call
            .participants
            .iter()
            .find(|p| p.identifier.raw_id() == raw_id || p.identifier == canonical)
            .ok_or_else(|| {
                ApiError::not_found(format!("Participant `{raw_id}` was not found in the call."))
            })?;
        Ok(Reply::ok(200, &participant.to_model()))
    }

    pub fn add_participant(
        &mut self,
        call_id: &str,
        req: AddParticipantRequest,
    ) -> ApiResult<Reply> {
        let call = self.connected_call(call_id, "AddParticipant")?.clone();
        let target = parse_identifier("participantToAdd", &req.participant_to_add)?;
        check_optional_uri("operationCallbackUri", &req.operation_callback_uri)?;
        let caller_id = req
            .source_caller_id_number
            .as_ref()
            .map(|p| parse_phone("sourceCallerIdNumber", p))
            .transpose()?
            .or(call.source_caller_id_number.clone());
        if is_phone(&target) && caller_id.is_none() {
            return Err(ApiError::invalid_field(
                "sourceCallerIdNumber",
                "is required to add a phone number",
            ));
        }
        let timeout_s = match req.invitation_timeout_in_seconds {
            Some(t) if !(0..=MAX_INVITATION_TIMEOUT_S).contains(&t) => {
                return Err(ApiError::invalid_field(
                    "invitationTimeoutInSeconds",
                    format!(
                        "{t} is out of range; it must be between 0 and {MAX_INVITATION_TIMEOUT_S}"
                    ),
                ));
            }
            Some(t) if t > 0 => t as u64,
            _ => self.config.default_invitation_timeout_s,
        };
        if call.participant_index(&target.raw_id()).is_some() {
            return Err(ApiError::invalid_field(
                "participantToAdd",
                format!("`{}` is already in the call", target.raw_id()),
            ));
        }
        let participant = CallParticipantModel {
            identifier: Some(target.to_model_with_kind()),
            is_muted: Some(false),
            is_on_hold: Some(false),
        };
        let caller = caller_id
            .map(CommunicationIdentifier::phone_number)
            .or_else(|| call.source.clone());
        let invitation_id = self.start_invitation(
            call_id,
            target,
            InvitationKind::Add,
            req.operation_context.clone(),
            req.operation_callback_uri.clone(),
            timeout_s,
            caller,
        );
        Ok(Reply::ok(
            202,
            &AddParticipantResponse {
                participant: Some(participant),
                operation_context: req.operation_context,
                invitation_id: Some(invitation_id),
            },
        ))
    }

    pub fn remove_participant(
        &mut self,
        call_id: &str,
        req: RemoveParticipantRequest,
    ) -> ApiResult<Reply> {
        let call = self.connected_call(call_id, "RemoveParticipant")?;
        let target = parse_identifier("participantToRemove", &req.participant_to_remove)?;
        check_optional_uri("operationCallbackUri", &req.operation_callback_uri)?;
        let index = call.participant_index(&target.raw_id()).ok_or_else(|| {
            ApiError::not_found(format!(
                "Participant `{}` was not found in the call.",
                target.raw_id()
            ))
        })?;
        let mut now_empty = false;
        if let Some(c) = self.calls.get_mut(call_id) {
            c.participants.remove(index);
            now_empty = c.participants.is_empty();
        }
        self.emit(
            call_id,
            E::RemoveParticipantSucceeded(RemoveParticipantSucceededEventData {
                participant: Some(target.clone()),
                ..Default::default()
            }),
            req.operation_callback_uri.as_deref(),
            req.operation_context.as_deref(),
            Some(behavior::SUCCESS),
        );
        self.emit_participants_updated(call_id);
        if now_empty {
            // Nobody left to talk to: the service ends the call.
            self.disconnect(call_id, behavior::ALONE, None);
        }
        Ok(Reply::ok(
            202,
            &OperationContextResponse {
                operation_context: req.operation_context,
            },
        ))
    }

    pub fn mute(&mut self, call_id: &str, req: MuteParticipantsRequest) -> ApiResult<Reply> {
        let call = self.connected_call(call_id, "Mute")?;
        if req.target_participants.is_empty() {
            return Err(ApiError::invalid_field(
                "targetParticipants",
                "at least one participant is required",
            ));
        }
        let mut indexes = Vec::new();
        for (i, model) in req.target_participants.iter().enumerate() {
            let field = format!("targetParticipants[{i}]");
            let target = parse_identifier(&field, model)?;
            if !matches!(target, CommunicationIdentifier::CommunicationUser { .. }) {
                return Err(ApiError::invalid_field(
                    &field,
                    "only Communication Services users can be muted",
                ));
            }
            let index = call.participant_index(&target.raw_id()).ok_or_else(|| {
                ApiError::not_found(format!(
                    "Participant `{}` was not found in the call.",
                    target.raw_id()
                ))
            })?;
            indexes.push(index);
        }
        if let Some(c) = self.calls.get_mut(call_id) {
            for index in indexes {
                if let Some(p) = c.participants.get_mut(index) {
                    p.is_muted = true;
                }
            }
        }
        self.emit_participants_updated(call_id);
        Ok(Reply::ok(
            200,
            &OperationContextResponse {
                operation_context: req.operation_context,
            },
        ))
    }

    pub fn cancel_add_participant(
        &mut self,
        call_id: &str,
        req: CancelAddParticipantRequest,
    ) -> ApiResult<Reply> {
        self.connected_call(call_id, "CancelAddParticipant")?;
        if req.invitation_id.trim().is_empty() {
            return Err(ApiError::invalid_field("invitationId", "must not be empty"));
        }
        check_optional_uri("operationCallbackUri", &req.operation_callback_uri)?;
        self.cancel_invitation(
            call_id,
            &req.invitation_id,
            req.operation_context.as_deref(),
            req.operation_callback_uri.as_deref(),
        );
        Ok(Reply::ok(
            202,
            &CancelAddParticipantResponse {
                invitation_id: Some(req.invitation_id),
                operation_context: req.operation_context,
            },
        ))
    }
}
