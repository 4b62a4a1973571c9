//! The one table of call-automation events.
//!
//! Every event the service posts to a call's callback URL is one row here: its name (the short
//! wire type, the enum variant and every binding's class name), its data struct, which
//! operations it settles (success or failure), and its own `data` fields with their wire keys
//! (the common ones — `callConnectionId`, `serverCallId`, `correlationId`, `operationContext`,
//! `resultInformation` — every row has). From it come, in core: the data structs, the
//! [`CallAutomationEvent`](super::CallAutomationEvent) variants, the name tables, both parsers'
//! dispatch (the borrowing fast path and the tree walk that gives precise errors), the outcome
//! pairing and [`CALL_EVENTS`](super::CALL_EVENTS) (the table as data, for generators); in each
//! binding, its event classes and conversions. Adding an event is adding a row.
//!
//! A declarative macro rather than a build-script generator: the rows stay Rust (types are
//! checked where they are written, docs travel with them), nothing is generated into core's
//! sources, and a binding expands the same rows in its own scope — its field types resolve to
//! its own `CommunicationIdentifier` / `CallParticipant`, which is what napi-rs and uniffi need
//! to see to type their surfaces.
//!
//! Row syntax, as each callback macro receives it:
//! `Name(NameEventData) settles [Operation: success|failure, …] { field: Type => "wireKey", … }`.
//! Field types are drawn from `String`, `Option<String>`, `i64`, `Option<CommunicationIdentifier>`
//! and `Vec<CallParticipant>`, which every binding can convert.

/// Expands `$callback! { rows }` with every call-automation event row (see the module docs of
/// `callsteer::events::table` for the row syntax). Bindings use it to derive their event types.
#[doc(hidden)]
#[macro_export]
macro_rules! call_event_table {
    ($callback:ident) => {
        $callback! {
            /// `CallConnected`: create, answer or connect succeeded.
            CallConnected(CallConnectedEventData)
                settles [CreateCall: success, AnswerCall: success, ConnectCall: success] {}
            /// `CallDisconnected`: the call ended or the app left it.
            CallDisconnected(CallDisconnectedEventData) settles [] {}
            /// `ParticipantsUpdated`: the full roster after a change (join, leave, mute, hold).
            ParticipantsUpdated(ParticipantsUpdatedEventData) settles [] {
                /// `sequenceNumber`: a later roster has a greater number (0 when absent).
                sequence_number: i64 => "sequenceNumber",
                /// `participants`.
                participants: Vec<CallParticipant> => "participants",
            }
            /// The outgoing call of `create_call` did not connect.
            CreateCallFailed(CreateCallFailedEventData) settles [CreateCall: failure] {}
            /// `answer_call` did not connect.
            AnswerFailed(AnswerFailedEventData) settles [AnswerCall: failure] {}
            /// `connect_call` did not connect.
            ConnectFailed(ConnectFailedEventData) settles [ConnectCall: failure] {}
            /// The invited participant joined.
            AddParticipantSucceeded(AddParticipantSucceededEventData)
                settles [AddParticipant: success] {
                /// `participant`: who was added.
                participant: Option<CommunicationIdentifier> => "participant",
            }
            /// The invitation of `add_participant` failed (declined, busy, timed out, cancelled).
            AddParticipantFailed(AddParticipantFailedEventData)
                settles [AddParticipant: failure] {
                /// `participant`: who could not be added.
                participant: Option<CommunicationIdentifier> => "participant",
            }
            /// The participant left the call.
            RemoveParticipantSucceeded(RemoveParticipantSucceededEventData)
                settles [RemoveParticipant: success] {
                /// `participant`: who was removed.
                participant: Option<CommunicationIdentifier> => "participant",
            }
            /// The participant could not be removed.
            RemoveParticipantFailed(RemoveParticipantFailedEventData)
                settles [RemoveParticipant: failure] {
                /// `participant`: who could not be removed.
                participant: Option<CommunicationIdentifier> => "participant",
            }
            /// The pending invitation was cancelled.
            CancelAddParticipantSucceeded(CancelAddParticipantSucceededEventData)
                settles [CancelAddParticipant: success] {
                /// `invitationId` of the cancelled invitation.
                invitation_id: Option<String> => "invitationId",
            }
            /// The invitation could not be cancelled (it had already completed).
            CancelAddParticipantFailed(CancelAddParticipantFailedEventData)
                settles [CancelAddParticipant: failure] {
                /// `invitationId` of the invitation that could not be cancelled.
                invitation_id: Option<String> => "invitationId",
            }
            /// The transfer target took the call.
            CallTransferAccepted(CallTransferAcceptedEventData)
                settles [TransferCall: success] {
                /// `transferTarget`: who the call was transferred to.
                transfer_target: Option<CommunicationIdentifier> => "transferTarget",
                /// `transferee`: the participant that was moved away.
                transferee: Option<CommunicationIdentifier> => "transferee",
            }
            /// The transfer did not happen.
            CallTransferFailed(CallTransferFailedEventData) settles [TransferCall: failure] {}
            /// `MoveParticipantSucceeded` (api-version 2026-03-12): one participant of a
            /// `move_participants` joined this call.
            MoveParticipantSucceeded(MoveParticipantSucceededEventData)
                settles [MoveParticipants: success] {
                /// `participant`: who was moved here.
                participant: Option<CommunicationIdentifier> => "participant",
                /// `fromCall`: the call connection the participant was moved from.
                from_call: Option<String> => "fromCall",
            }
            /// `MoveParticipantFailed` (api-version 2026-03-12).
            MoveParticipantFailed(MoveParticipantFailedEventData)
                settles [MoveParticipants: failure] {
                /// `participant`: who could not be moved.
                participant: Option<CommunicationIdentifier> => "participant",
                /// `fromCall`: the call connection the participant was to be moved from.
                from_call: Option<String> => "fromCall",
            }
        }
    };
}
