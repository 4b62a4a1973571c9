//! CreateCall, AnswerCall, RejectCall, RedirectCall and Connect, plus the admin side of
//! incoming calls.

use callsteer::wire::{
    AnswerCallRequest, ConnectRequest, CreateCallRequest, RedirectCallRequest, RejectCallRequest,
};
use callsteer::{CallAutomationEvent as E, CallParticipant, CommunicationIdentifier};

use super::behavior;
use super::model::{Call, CallOrigin, CallState, IncomingCall, IncomingState, InvitationKind};
use super::{TimerAction, World};
use crate::api_error::{ApiError, ApiResult, Reply};
use crate::validation::{check_uri, is_phone, parse_identifier, parse_phone};

impl World {
    fn new_call(
        &self,
        server_call_id: String,
        correlation_id: String,
        origin: CallOrigin,
        callback_uri: String,
    ) -> Call {
        Call {
            id: uuid::Uuid::new_v4().to_string(),
            server_call_id,
            correlation_id,
            origin,
            state: CallState::Connecting,
            callback_uri,
            operation_context: None,
            targets: Vec::new(),
            source: None,
            source_caller_id_number: None,
            source_display_name: None,
            answered_by: None,
            answered_for: None,
            media_streaming: None,
            transcription: None,
            participants: Vec::new(),
            sequence_number: 0,
            created_at: self.clock.rfc3339_now(),
            invitation_ids: Vec::new(),
        }
    }

    fn insert_call(&mut self, call: Call) -> String {
        let id = call.id.clone();
        self.call_seq += 1;
        self.call_order.insert(self.call_seq, id.clone());
        self.call_seqs.insert(id.clone(), self.call_seq);
        self.calls.insert(id.clone(), call);
        id
    }

    pub fn create_call(&mut self, req: CreateCallRequest) -> ApiResult<Reply> {
        check_uri("callbackUri", &req.callback_uri)?;
        if req.targets.is_empty() {
            return Err(ApiError::invalid_field(
                "targets",
                "at least one target is required",
            ));
        }
        let targets = req
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| parse_identifier(&format!("targets[{i}]"), t))
            .collect::<ApiResult<Vec<_>>>()?;
        let caller_id = req
            .source_caller_id_number
            .as_ref()
            .map(|p| parse_phone("sourceCallerIdNumber", p))
            .transpose()?;
        if caller_id.is_none() && targets.iter().any(is_phone) {
            return Err(ApiError::invalid_field(
                "sourceCallerIdNumber",
                "is required when a target is a phone number",
            ));
        }
        if let Some(source) = &req.source {
            if source.id.trim().is_empty() {
                return Err(ApiError::invalid_field("source.id", "must not be empty"));
            }
        }
        let mut call = self.new_call(
            World::new_server_call_id(),
            uuid::Uuid::new_v4().to_string(),
            CallOrigin::Created,
            req.callback_uri.clone(),
        );
        call.operation_context = req.operation_context.clone();
        call.targets = targets.clone();
        call.source = req
            .source
            .as_ref()
            .map(|s| CommunicationIdentifier::communication_user(s.id.clone()));
        call.source_caller_id_number = caller_id;
        call.source_display_name = req.source_display_name.clone();
        call.subscribe(
            req.media_streaming_options.as_ref(),
            req.transcription_options.as_ref(),
        )?;
        let caller = call
            .source_caller_id_number
            .clone()
            .map(CommunicationIdentifier::phone_number)
            .or_else(|| call.source.clone());
        let reply = Reply::ok(201, &call.properties());
        let call_id = self.insert_call(call);
        let timeout = self.config.default_invitation_timeout_s;
        for target in targets {
            self.start_invitation(
                &call_id,
                target,
                InvitationKind::Create,
                None,
                None,
                timeout,
                caller.clone(),
            );
        }
        Ok(reply)
    }

    /// Looks up a ringing incoming call by its context.
    fn ringing(&self, context: &str) -> ApiResult<IncomingCall> {
        let incoming = self.incoming.get(context).ok_or_else(|| {
            ApiError::invalid_field(
                "incomingCallContext",
                "is not a valid incoming call context",
            )
        })?;
        if incoming.state != IncomingState::Ringing {
            return Err(ApiError::not_found(
                "The incoming call was already answered, rejected or redirected.",
            ));
        }
        Ok(incoming.clone())
    }

    pub fn answer_call(&mut self, req: AnswerCallRequest) -> ApiResult<Reply> {
        check_uri("callbackUri", &req.callback_uri)?;
        let incoming = self.ringing(&req.incoming_call_context)?;
        if let Some(by) = &req.answered_by {
            if by.id.trim().is_empty() {
                return Err(ApiError::invalid_field(
                    "answeredBy.id",
                    "must not be empty",
                ));
            }
        }
        let mut call = self.new_call(
            incoming.server_call_id.clone(),
            incoming.correlation_id.clone(),
            CallOrigin::Answered,
            req.callback_uri.clone(),
        );
        call.operation_context = req.operation_context.clone();
        call.targets = vec![incoming.to.clone()];
        call.source = Some(incoming.from.clone());
        call.answered_by = req.answered_by.as_ref().map(|b| b.id.clone());
        if let CommunicationIdentifier::PhoneNumber { phone_number, .. } = &incoming.to {
            call.answered_for = Some(phone_number.clone());
        }
        call.add_participant(&incoming.from);
        call.subscribe(
            req.media_streaming_options.as_ref(),
            req.transcription_options.as_ref(),
        )?;
        let reply = Reply::ok(200, &call.properties());
        let call_id = self.insert_call(call);
        self.settle_incoming(&req.incoming_call_context, IncomingState::Answered);
        if let Some(invitation_id) = &incoming.invitation_id {
            // The app answered a call it placed to its own number: that callee answered.
            self.resolve_invitation(invitation_id, None);
        }
        let delay = self.behaviors.default_delay_ms();
        self.schedule(delay, TimerAction::Connect { call_id });
        Ok(reply)
    }

    pub fn reject_call(&mut self, req: RejectCallRequest) -> ApiResult<Reply> {
        let incoming = self.ringing(&req.incoming_call_context)?;
        self.settle_incoming(&req.incoming_call_context, IncomingState::Rejected);
        if let Some(invitation_id) = &incoming.invitation_id {
            let code = if req.call_reject_reason == Some(callsteer::wire::CallRejectReason::Busy) {
                behavior::BUSY
            } else {
                behavior::DECLINED
            };
            self.resolve_invitation(invitation_id, Some(code));
        }
        Ok(Reply::empty(204))
    }

    pub fn redirect_call(&mut self, req: RedirectCallRequest) -> ApiResult<Reply> {
        let incoming = self.ringing(&req.incoming_call_context)?;
        let target = parse_identifier("target", &req.target)?;
        self.settle_incoming(&req.incoming_call_context, IncomingState::Redirected);
        // A redirect to someone this resource serves rings the app again (a new IncomingCall);
        // anything else leaves the emulated world.
        let reaches_resource = match &target {
            CommunicationIdentifier::CommunicationUser { .. } => true,
            other => self.is_own_number(other),
        };
        if reaches_resource {
            let redirected = IncomingCall {
                context: World::new_incoming_call_context(),
                to: target,
                state: IncomingState::Ringing,
                invitation_id: None,
                ..incoming
            };
            self.incoming
                .insert(redirected.context.clone(), redirected.clone());
            self.emit_incoming_call(&redirected);
        }
        Ok(Reply::empty(204))
    }

    pub fn connect_call(&mut self, req: ConnectRequest) -> ApiResult<Reply> {
        check_uri("callbackUri", &req.callback_uri)?;
        let locator = &req.call_locator;
        let ids = [
            ("groupCallId", "groupCallLocator", &locator.group_call_id),
            ("serverCallId", "serverCallLocator", &locator.server_call_id),
            ("roomId", "roomCallLocator", &locator.room_id),
        ];
        let set: Vec<_> = ids.iter().filter(|(_, _, v)| v.is_some()).collect();
        let [(field, kind, Some(id))] = set.as_slice() else {
            return Err(ApiError::invalid_field(
                "callLocator",
                "exactly one of groupCallId, serverCallId or roomId must be set",
            ));
        };
        if id.trim().is_empty() {
            return Err(ApiError::invalid_field(
                &format!("callLocator.{field}"),
                "must not be empty",
            ));
        }
        if let Some(given) = &locator.kind {
            if given != kind {
                return Err(ApiError::invalid_field(
                    "callLocator.kind",
                    format!("`{given}` does not match the id given ({field} needs `{kind}`)"),
                ));
            }
        }
        let found: Option<(String, Vec<String>)> = match *field {
            "serverCallId" => self
                .server_calls
                .get(id.as_str())
                .map(|s| (s.server_call_id.clone(), s.participants.clone()))
                .or_else(|| {
                    self.calls
                        .values()
                        .find(|c| c.is_active() && c.server_call_id == **id)
                        .map(|c| {
                            (
                                c.server_call_id.clone(),
                                c.participants
                                    .iter()
                                    .map(|p| p.identifier.raw_id())
                                    .collect(),
                            )
                        })
                }),
            "groupCallId" => self
                .server_calls
                .values()
                .find(|s| s.group_call_id.as_deref() == Some(id.as_str()))
                .map(|s| (s.server_call_id.clone(), s.participants.clone())),
            _ => match self.rooms.get_mut(id.as_str()) {
                Some(room) => {
                    let server_call_id = room
                        .server_call_id
                        .get_or_insert_with(World::new_server_call_id)
                        .clone();
                    Some((server_call_id, room.participants.clone()))
                }
                None => None,
            },
        };
        let delay = self.behaviors.default_delay_ms();
        let (server_call_id, participants, connectable) = match found {
            Some((server_call_id, participants)) => (server_call_id, participants, true),
            None => (
                locator
                    .server_call_id
                    .clone()
                    .unwrap_or_else(World::new_server_call_id),
                Vec::new(),
                false,
            ),
        };
        let mut call = self.new_call(
            server_call_id,
            uuid::Uuid::new_v4().to_string(),
            CallOrigin::Connected,
            req.callback_uri.clone(),
        );
        call.operation_context = req.operation_context.clone();
        call.participants = participants
            .iter()
            .map(|raw| CallParticipant {
                identifier: CommunicationIdentifier::from_raw_id(raw),
                is_muted: false,
                is_on_hold: false,
            })
            .collect();
        call.subscribe(
            req.media_streaming_options.as_ref(),
            req.transcription_options.as_ref(),
        )?;
        let reply = Reply::ok(200, &call.properties());
        let call_id = self.insert_call(call);
        let action = if connectable {
            TimerAction::Connect { call_id }
        } else {
            TimerAction::ConnectFail { call_id }
        };
        self.schedule(delay, action);
        Ok(reply)
    }

    /// An answered or connected call is now up.
    pub(crate) fn finish_connect(&mut self, call_id: &str) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        if call.state != CallState::Connecting {
            return;
        }
        call.state = CallState::Connected;
        let ctx = call.operation_context.clone();
        self.emit(
            call_id,
            E::CallConnected(Default::default()),
            None,
            ctx.as_deref(),
            Some(behavior::CALL_CONNECTED),
        );
        self.emit_participants_updated(call_id);
    }

    pub(crate) fn fail_connect(&mut self, call_id: &str) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        if call.state != CallState::Connecting {
            return;
        }
        call.state = CallState::Disconnected;
        let ctx = call.operation_context.clone();
        self.emit(
            call_id,
            E::ConnectFailed(Default::default()),
            None,
            ctx.as_deref(),
            Some(behavior::CALL_NOT_FOUND),
        );
        self.call_ended(call_id);
    }

    /// Admin: offers an inbound call to the app's Event Grid webhooks.
    pub fn offer_incoming_call(
        &mut self,
        from: &str,
        to: &str,
        caller_display_name: Option<String>,
        custom_context: Option<serde_json::Value>,
    ) -> ApiResult<IncomingCall> {
        let parse = |field: &str, raw: &str| {
            let id = CommunicationIdentifier::from_raw_id(raw);
            if matches!(id, CommunicationIdentifier::Unknown { .. }) || raw.trim().is_empty() {
                Err(ApiError::invalid_field(
                    field,
                    format!("`{raw}` is not a recognised raw id"),
                ))
            } else {
                Ok(id)
            }
        };
        let incoming = IncomingCall {
            context: World::new_incoming_call_context(),
            server_call_id: World::new_server_call_id(),
            correlation_id: uuid::Uuid::new_v4().to_string(),
            from: parse("from", from)?,
            to: parse("to", to)?,
            caller_display_name,
            custom_context,
            state: IncomingState::Ringing,
            invitation_id: None,
        };
        self.incoming
            .insert(incoming.context.clone(), incoming.clone());
        self.emit_incoming_call(&incoming);
        Ok(incoming)
    }
}
