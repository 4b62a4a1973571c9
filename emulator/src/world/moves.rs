//! `participants:moveHere` (api-version 2026-03-12): participants of another call connection of
//! the resource move into this one.

use callsteer::events::{MoveParticipantFailedEventData, MoveParticipantSucceededEventData};
use callsteer::wire::{MoveParticipantsRequest, MoveParticipantsResponse};
use callsteer::{CallAutomationEvent as E, CommunicationIdentifier};

use super::behavior::{self, ResultCode};
use super::model::CallState;
use super::World;
use crate::api_error::{ApiError, ApiResult, Reply};
use crate::validation::{check_optional_uri, parse_identifier};

impl World {
    /// Accepts the move (202 with this call's roster before it) and settles each participant:
    /// it leaves the source call (whose roster updates, and which ends when nobody is left) and
    /// joins this one with `MoveParticipantSucceeded`; a source call that is not an active call
    /// of the resource, or a participant not in it, gives `MoveParticipantFailed`. Every event
    /// goes to this (the destination) call's callback, or the operation's.
    pub fn move_participants(
        &mut self,
        call_id: &str,
        req: MoveParticipantsRequest,
    ) -> ApiResult<Reply> {
        let roster = self
            .connected_call(call_id, "MoveParticipants")?
            .participant_models();
        if req.target_participants.is_empty() {
            return Err(ApiError::invalid_field(
                "targetParticipants",
                "must name at least one participant",
            ));
        }
        let targets = req
            .target_participants
            .iter()
            .map(|m| parse_identifier("targetParticipants", m))
            .collect::<ApiResult<Vec<_>>>()?;
        if req.from_call.trim().is_empty() {
            return Err(ApiError::invalid_field("fromCall", "must not be empty"));
        }
        if req.from_call == call_id {
            return Err(ApiError::bad_request(
                "fromCall names this call: participants can only be moved from another call.",
            ));
        }
        check_optional_uri("operationCallbackUri", &req.operation_callback_uri)?;
        for target in &targets {
            self.move_one(call_id, target, &req);
        }
        Ok(Reply::ok(
            202,
            &MoveParticipantsResponse {
                participants: Some(roster),
                operation_context: req.operation_context,
                from_call: Some(req.from_call),
            },
        ))
    }

    fn move_one(
        &mut self,
        call_id: &str,
        target: &CommunicationIdentifier,
        req: &MoveParticipantsRequest,
    ) {
        let from = req.from_call.as_str();
        let source = self
            .calls
            .get(from)
            .filter(|c| c.is_active() && c.state == CallState::Connected);
        let failure = match source {
            None => Some(behavior::MOVE_SOURCE_NOT_FOUND),
            Some(c) if c.participant_index(&target.raw_id()).is_none() => {
                Some(behavior::MOVE_PARTICIPANT_NOT_FOUND)
            }
            Some(_) => None,
        };
        if let Some(code) = failure {
            self.emit_move(call_id, target, req, false, code);
            return;
        }
        let mut source_empty = false;
        if let Some(c) = self.calls.get_mut(from) {
            if let Some(index) = c.participant_index(&target.raw_id()) {
                c.participants.remove(index);
            }
            source_empty = c.participants.is_empty();
        }
        self.emit_participants_updated(from);
        if source_empty {
            self.disconnect(from, behavior::ALONE, None);
        }
        if let Some(c) = self.calls.get_mut(call_id) {
            c.add_participant(target);
        }
        self.emit_move(call_id, target, req, true, behavior::SUCCESS);
        self.emit_participants_updated(call_id);
    }

    fn emit_move(
        &mut self,
        call_id: &str,
        target: &CommunicationIdentifier,
        req: &MoveParticipantsRequest,
        succeeded: bool,
        code: ResultCode,
    ) {
        let participant = Some(target.clone());
        let from_call = Some(req.from_call.clone());
        let event = if succeeded {
            E::MoveParticipantSucceeded(MoveParticipantSucceededEventData {
                participant,
                from_call,
                ..Default::default()
            })
        } else {
            E::MoveParticipantFailed(MoveParticipantFailedEventData {
                participant,
                from_call,
                ..Default::default()
            })
        };
        self.emit(
            call_id,
            event,
            req.operation_callback_uri.as_deref(),
            req.operation_context.as_deref(),
            Some(code),
        );
    }
}
