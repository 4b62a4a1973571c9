//! `CallConnection`: the mid-call actions on one call connection.

use reqwest::Method;

use crate::client::{action_body, read_body, CallAutomationClient};
use crate::error::{Error, Result};
use crate::events::{OperationKind, OperationOutcome};
use crate::identifier::CommunicationIdentifier;
use crate::models::salvage;
use crate::models::{CallConnectionProperties, CallParticipant};
use crate::options::{
    AddParticipantOptions, CallInvite, CancelAddParticipantOperationOptions, HangUpOptions,
    MoveParticipantsOptions, MuteParticipantOptions, RemoveParticipantOptions,
    TransferCallToParticipantOptions,
};
use crate::outcome::{OutcomeWaiter, PendingOperation};
use crate::validate;
use crate::wire::{
    AddParticipantRequest, AddParticipantResponse, CancelAddParticipantRequest,
    CancelAddParticipantResponse, MoveParticipantsRequest, MoveParticipantsResponse,
    MuteParticipantsRequest, OperationContextResponse, PhoneNumberIdentifierModel,
    RemoveParticipantRequest, TransferToParticipantRequest,
};

/// Characters percent-encoded in a path segment: everything but RFC 3986 unreserved, as the
/// official SDKs do (`quote(value, safe='')` / `encodeURIComponent`).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(crate) fn encode_segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

/// A handle on one call connection; cheap to clone, sends nothing until an action is called.
///
/// ```no_run
/// # async fn demo() -> callsteer::Result<()> {
/// use std::time::Duration;
/// use callsteer::{CallAutomationClient, CallInvite, CommunicationIdentifier};
/// let client = CallAutomationClient::from_connection_string("endpoint=http://127.0.0.1:8787/;accesskey=c2VjcmV0")?;
/// let call = client.get_call_connection("call-1")?;
/// let added = call
///     .add_participant(CallInvite::new(CommunicationIdentifier::communication_user("8:acs:r_u2")), Default::default())
///     .await?;
/// let outcome = added.wait_for_event_processor(Duration::from_secs(60)).await?;
/// println!("added: {}", outcome.succeeded);
/// call.hang_up(true).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct CallConnection {
    client: CallAutomationClient,
    call_connection_id: String,
}

impl CallConnection {
    /// The processor this connection's results wait on (its client's): feed it the callback
    /// bodies when the connection was made on its own, without keeping the client.
    pub fn event_processor(&self) -> &crate::events::EventProcessor {
        self.client.event_processor()
    }
}

/// Result of `transfer_call_to_participant`.
#[derive(Debug, Clone)]
pub struct TransferCallResult {
    pub operation_context: Option<String>,
    waiter: OutcomeWaiter,
}

/// Result of `add_participant`.
#[derive(Debug, Clone)]
pub struct AddParticipantResult {
    pub participant: Option<CallParticipant>,
    pub invitation_id: Option<String>,
    pub operation_context: Option<String>,
    waiter: OutcomeWaiter,
}

/// Result of `remove_participant`.
#[derive(Debug, Clone)]
pub struct RemoveParticipantResult {
    pub operation_context: Option<String>,
    waiter: OutcomeWaiter,
}

/// Result of `cancel_add_participant_operation`.
#[derive(Debug, Clone)]
pub struct CancelAddParticipantOperationResult {
    pub invitation_id: Option<String>,
    pub operation_context: Option<String>,
    waiter: OutcomeWaiter,
}

/// Result of `move_participants`.
#[derive(Debug, Clone)]
pub struct MoveParticipantsResult {
    /// The destination call's participants as the service reported them.
    pub participants: Vec<CallParticipant>,
    pub operation_context: Option<String>,
    /// The call connection the participants are moved from.
    pub from_call: Option<String>,
    waiter: OutcomeWaiter,
}

/// One page of `list_participants_page`.
#[derive(Debug, Clone)]
pub struct ParticipantsPage {
    pub participants: Vec<CallParticipant>,
    /// Where the next page is (the continuation token), or `None` on the last page.
    pub next_link: Option<String>,
}

/// Result of `mute_participant` (synchronous: no outcome event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MuteParticipantResult {
    pub operation_context: Option<String>,
}

macro_rules! impl_wait {
    ($($ty:ty),*) => {$(
        impl $ty {
            /// Waits for this action's success or failure event, matched by call connection id,
            /// operation context and (for add / cancel) participant or invitation id.
            pub async fn wait_for_event_processor(
                &self,
                timeout: std::time::Duration,
            ) -> Result<OperationOutcome> {
                self.waiter.wait(timeout).await
            }

            /// What the waiter matches on.
            pub fn pending_operation(&self) -> &PendingOperation {
                self.waiter.pending()
            }
        }
    )*};
}
impl_wait!(
    TransferCallResult,
    AddParticipantResult,
    RemoveParticipantResult,
    CancelAddParticipantOperationResult,
    MoveParticipantsResult
);

impl CallConnection {
    pub(crate) fn new(client: CallAutomationClient, call_connection_id: String) -> Self {
        CallConnection {
            client,
            call_connection_id,
        }
    }

    pub fn call_connection_id(&self) -> &str {
        &self.call_connection_id
    }

    fn path(&self, suffix: &str) -> String {
        format!(
            "{}{}",
            CallAutomationClient::call_path(&self.call_connection_id),
            suffix
        )
    }

    /// An operation context for an action whose events must be told apart from overlapping
    /// ones: the caller's, or a generated one when the client is configured to.
    fn context_for(&self, given: Option<String>) -> Result<Option<String>> {
        validate::operation_context(given.as_deref())?;
        Ok(match given {
            Some(ctx) => Some(ctx),
            None if self.client.options().generate_operation_context => {
                Some(format!("callsteer-{}", uuid::Uuid::new_v4()))
            }
            None => None,
        })
    }

    fn waiter(
        &self,
        kind: OperationKind,
        operation_context: Option<String>,
        invitation_id: Option<String>,
        participant: Option<&CommunicationIdentifier>,
    ) -> OutcomeWaiter {
        OutcomeWaiter::new(
            self.client.event_processor().clone(),
            PendingOperation {
                kind,
                call_connection_id: self.call_connection_id.clone(),
                operation_context,
                invitation_id,
                participant_raw_id: participant.map(CommunicationIdentifier::raw_id),
            },
        )
    }

    /// The call's current properties.
    pub async fn get_call_properties(&self) -> Result<CallConnectionProperties> {
        let response = self
            .client
            .transport()
            .send(Method::GET, &self.path(""), None, None)
            .await?;
        let model = read_body(&response.body, salvage::properties)?;
        Ok(CallConnectionProperties::from_model(&model))
    }

    /// Every participant, following `nextLink` pages.
    pub async fn list_participants(&self) -> Result<Vec<CallParticipant>> {
        let mut participants = Vec::new();
        let mut continuation: Option<String> = None;
        // A misbehaving service could loop nextLinks forever; no real call has this many pages.
        for _ in 0..10_000 {
            let page = self.list_participants_page(continuation.as_deref()).await?;
            participants.extend(page.participants);
            match page.next_link {
                Some(link) => continuation = Some(link),
                None => return Ok(participants),
            }
        }
        Err(Error::transport(
            "the service sent more than 10,000 pages of participants",
        ))
    }

    /// One page of participants: the first page for `continuation_token = None`, else the page
    /// that an earlier page's `next_link` names (the official SDKs' pagers call this a
    /// continuation token). A `next_link` that points at another host than the client's
    /// endpoint is refused before any credential is sent.
    ///
    /// ```no_run
    /// # async fn demo(call: callsteer::CallConnection) -> callsteer::Result<()> {
    /// let mut token = None;
    /// loop {
    ///     let page = call.list_participants_page(token.as_deref()).await?;
    ///     println!("{} participants", page.participants.len());
    ///     match page.next_link {
    ///         Some(next) => token = Some(next),
    ///         None => break,
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_participants_page(
        &self,
        continuation_token: Option<&str>,
    ) -> Result<ParticipantsPage> {
        let transport = self.client.transport();
        let response = match continuation_token.filter(|t| !t.is_empty()) {
            Some(link) => transport.send_next_link(link).await?,
            None => {
                transport
                    .send(Method::GET, &self.path("/participants"), None, None)
                    .await?
            }
        };
        let page = read_body(&response.body, salvage::participants_page)?;
        let participants = page.value.iter().map(CallParticipant::from_model).collect();
        Ok(ParticipantsPage {
            participants,
            next_link: page.next_link.filter(|l| !l.is_empty()),
        })
    }

    /// One participant, by identifier.
    pub async fn get_participant(
        &self,
        participant: &CommunicationIdentifier,
    ) -> Result<CallParticipant> {
        validate::identifier("participantRawId", participant)?;
        let path = self.path(&format!(
            "/participants/{}",
            encode_segment(&participant.raw_id())
        ));
        let response = self
            .client
            .transport()
            .send(Method::GET, &path, None, None)
            .await?;
        let model = read_body(&response.body, salvage::participant)?;
        Ok(CallParticipant::from_model(&model))
    }

    /// Transfers the call (1:1) or the `transferee` (group) to `target`.
    pub async fn transfer_call_to_participant(
        &self,
        target: &CommunicationIdentifier,
        options: TransferCallToParticipantOptions,
    ) -> Result<TransferCallResult> {
        validate::identifier("targetParticipant", target)?;
        if let Some(transferee) = &options.transferee {
            validate::identifier("transferee", transferee)?;
        }
        if let Some(url) = &options.operation_callback_url {
            validate::callback_url("operationCallbackUri", url)?;
        }
        if let Some(number) = &options.source_caller_id_number {
            validate::caller_id("sourceCallerIdNumber", number)?;
        }
        validate::custom_calling_context(
            &options.custom_calling_context,
            &self.client.options().api_version,
        )?;
        let operation_context = self.context_for(options.operation_context)?;
        let request = TransferToParticipantRequest {
            target_participant: target.to_model(),
            transferee: options
                .transferee
                .as_ref()
                .map(CommunicationIdentifier::to_model),
            operation_context: operation_context.clone(),
            operation_callback_uri: options.operation_callback_url,
            custom_calling_context: options.custom_calling_context.to_model(),
            source_caller_id_number: options
                .source_caller_id_number
                .map(PhoneNumberIdentifierModel::new),
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let response = operation_context_body(
            &self
                .client
                .post_body(
                    &self.path(":transferToParticipant"),
                    &request,
                    Some(&repeatability),
                )
                .await?,
        );
        let operation_context = response.operation_context.or(operation_context);
        Ok(TransferCallResult {
            waiter: self.waiter(
                OperationKind::TransferCall,
                operation_context.clone(),
                None,
                Some(target),
            ),
            operation_context,
        })
    }

    /// Invites someone into the call.
    pub async fn add_participant(
        &self,
        invite: CallInvite,
        options: AddParticipantOptions,
    ) -> Result<AddParticipantResult> {
        validate::identifier("participantToAdd", &invite.target)?;
        if let Some(number) = &invite.source_caller_id_number {
            validate::caller_id("sourceCallerIdNumber", number)?;
        }
        validate::caller_id_for_target(&invite.target, invite.source_caller_id_number.as_deref())?;
        validate::invitation_timeout(options.invitation_timeout_in_seconds)?;
        if let Some(url) = &options.operation_callback_url {
            validate::callback_url("operationCallbackUri", url)?;
        }
        validate::custom_calling_context(
            &invite.custom_calling_context,
            &self.client.options().api_version,
        )?;
        let operation_context = self.context_for(options.operation_context)?;
        let request = AddParticipantRequest {
            source_caller_id_number: invite
                .source_caller_id_number
                .clone()
                .map(PhoneNumberIdentifierModel::new),
            source_display_name: invite.source_display_name.clone(),
            participant_to_add: invite.target.to_model(),
            invitation_timeout_in_seconds: options.invitation_timeout_in_seconds.map(|s| s as i32),
            operation_context: operation_context.clone(),
            operation_callback_uri: options.operation_callback_url,
            custom_calling_context: invite.custom_calling_context.to_model(),
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let body = self
            .client
            .post_body(
                &self.path("/participants:add"),
                &request,
                Some(&repeatability),
            )
            .await?;
        let response = action_body(
            &body,
            "add participant answer",
            salvage::add_participant,
            |bytes| AddParticipantResponse {
                participant: None,
                operation_context: salvage::string_field_in(bytes, "operationContext"),
                invitation_id: salvage::string_field_in(bytes, "invitationId"),
            },
        );
        let participant = response
            .participant
            .as_ref()
            .map(CallParticipant::from_model);
        let operation_context = response.operation_context.or(operation_context);
        Ok(AddParticipantResult {
            waiter: self.waiter(
                OperationKind::AddParticipant,
                operation_context.clone(),
                response.invitation_id.clone(),
                Some(&invite.target),
            ),
            participant,
            invitation_id: response.invitation_id,
            operation_context,
        })
    }

    /// Cancels a pending invitation from `add_participant`.
    pub async fn cancel_add_participant_operation(
        &self,
        invitation_id: &str,
        options: CancelAddParticipantOperationOptions,
    ) -> Result<CancelAddParticipantOperationResult> {
        validate::non_empty("invitationId", invitation_id)?;
        if let Some(url) = &options.operation_callback_url {
            validate::callback_url("operationCallbackUri", url)?;
        }
        let operation_context = self.context_for(options.operation_context)?;
        let request = CancelAddParticipantRequest {
            invitation_id: invitation_id.to_string(),
            operation_context: operation_context.clone(),
            operation_callback_uri: options.operation_callback_url,
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let body = self
            .client
            .post_body(
                &self.path("/participants:cancelAddParticipant"),
                &request,
                Some(&repeatability),
            )
            .await?;
        let response = action_body(
            &body,
            "cancel add participant answer",
            |v| {
                salvage::lenient::<CancelAddParticipantResponse>(v, "cancel add participant answer")
            },
            |bytes| CancelAddParticipantResponse {
                invitation_id: salvage::string_field_in(bytes, "invitationId"),
                operation_context: salvage::string_field_in(bytes, "operationContext"),
            },
        );
        let operation_context = response.operation_context.or(operation_context);
        let invitation_id = response
            .invitation_id
            .or_else(|| Some(invitation_id.to_string()));
        Ok(CancelAddParticipantOperationResult {
            waiter: self.waiter(
                OperationKind::CancelAddParticipant,
                operation_context.clone(),
                invitation_id.clone(),
                None,
            ),
            invitation_id,
            operation_context,
        })
    }

    /// Removes a participant from the call.
    pub async fn remove_participant(
        &self,
        participant: &CommunicationIdentifier,
        options: RemoveParticipantOptions,
    ) -> Result<RemoveParticipantResult> {
        validate::identifier("participantToRemove", participant)?;
        if let Some(url) = &options.operation_callback_url {
            validate::callback_url("operationCallbackUri", url)?;
        }
        let operation_context = self.context_for(options.operation_context)?;
        let request = RemoveParticipantRequest {
            participant_to_remove: participant.to_model(),
            operation_context: operation_context.clone(),
            operation_callback_uri: options.operation_callback_url,
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let response = operation_context_body(
            &self
                .client
                .post_body(
                    &self.path("/participants:remove"),
                    &request,
                    Some(&repeatability),
                )
                .await?,
        );
        let operation_context = response.operation_context.or(operation_context);
        Ok(RemoveParticipantResult {
            waiter: self.waiter(
                OperationKind::RemoveParticipant,
                operation_context.clone(),
                None,
                Some(participant),
            ),
            operation_context,
        })
    }

    /// Moves participants of another call connection (`from_call_id`, of the same resource)
    /// into this call (api-version 2026-03-12 and later). Each moved participant gives a
    /// `MoveParticipantSucceeded` or `MoveParticipantFailed` on this call; the result's wait
    /// settles on the first (on the named participant's, when exactly one is moved).
    ///
    /// ```no_run
    /// # async fn demo() -> callsteer::Result<()> {
    /// use std::time::Duration;
    /// use callsteer::{CallAutomationClient, CommunicationIdentifier};
    /// let client = CallAutomationClient::from_connection_string("endpoint=http://127.0.0.1:8787/;accesskey=c2VjcmV0")?;
    /// let agent_call = client.get_call_connection("agent-call")?;
    /// let caller = CommunicationIdentifier::phone_number("+16041234567");
    /// let moved = agent_call
    ///     .move_participants(vec![caller], "ivr-call", Default::default())
    ///     .await?;
    /// assert!(moved.wait_for_event_processor(Duration::from_secs(30)).await?.succeeded);
    /// # Ok(()) }
    /// ```
    pub async fn move_participants(
        &self,
        targets: Vec<CommunicationIdentifier>,
        from_call_id: &str,
        options: MoveParticipantsOptions,
    ) -> Result<MoveParticipantsResult> {
        validate::api_version_at_least(
            &self.client.options().api_version,
            MOVE_PARTICIPANTS_SINCE,
            "move_participants",
        )?;
        if targets.is_empty() {
            return Err(Error::invalid(
                "moveTargetParticipants",
                "name at least one participant to move",
            ));
        }
        for target in &targets {
            validate::identifier("moveTargetParticipants", target)?;
        }
        validate::non_empty("fromCall", from_call_id)?;
        if let Some(url) = &options.operation_callback_url {
            validate::callback_url("operationCallbackUri", url)?;
        }
        let operation_context = self.context_for(options.operation_context)?;
        let request = MoveParticipantsRequest {
            target_participants: targets
                .iter()
                .map(CommunicationIdentifier::to_model)
                .collect(),
            operation_context: operation_context.clone(),
            operation_callback_uri: options.operation_callback_url,
            from_call: from_call_id.to_string(),
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let body = self
            .client
            .post_body(
                &self.path("/participants:moveHere"),
                &request,
                Some(&repeatability),
            )
            .await?;
        let response = action_body(
            &body,
            "move participants answer",
            |v| salvage::lenient::<MoveParticipantsResponse>(v, "move participants answer"),
            |bytes| MoveParticipantsResponse {
                participants: None,
                operation_context: salvage::string_field_in(bytes, "operationContext"),
                from_call: salvage::string_field_in(bytes, "fromCall"),
            },
        );
        let participants = response
            .participants
            .iter()
            .flatten()
            .map(CallParticipant::from_model)
            .collect();
        let operation_context = response.operation_context.or(operation_context);
        let only = match targets.as_slice() {
            [one] => Some(one),
            _ => None,
        };
        Ok(MoveParticipantsResult {
            waiter: self.waiter(
                OperationKind::MoveParticipants,
                operation_context.clone(),
                None,
                only,
            ),
            participants,
            operation_context,
            from_call: response
                .from_call
                .or_else(|| Some(from_call_id.to_string())),
        })
    }

    /// Mutes a communication user (synchronous; a `ParticipantsUpdated` event follows).
    pub async fn mute_participant(
        &self,
        participant: &CommunicationIdentifier,
        options: MuteParticipantOptions,
    ) -> Result<MuteParticipantResult> {
        validate::identifier("targetParticipants", participant)?;
        validate::mute_target(participant)?;
        validate::operation_context(options.operation_context.as_deref())?;
        let request = MuteParticipantsRequest {
            target_participants: vec![participant.to_model()],
            operation_context: options.operation_context.clone(),
        };
        let repeatability = options.repeatability.unwrap_or_default();
        let response = operation_context_body(
            &self
                .client
                .post_body(
                    &self.path("/participants:mute"),
                    &request,
                    Some(&repeatability),
                )
                .await?,
        );
        Ok(MuteParticipantResult {
            operation_context: response.operation_context.or(options.operation_context),
        })
    }

    /// `false`: the app leaves (the call goes on if two or more others remain);
    /// `true`: the call ends for everyone.
    pub async fn hang_up(&self, is_for_everyone: bool) -> Result<()> {
        self.hang_up_with_options(is_for_everyone, HangUpOptions::default())
            .await
    }

    pub async fn hang_up_with_options(
        &self,
        is_for_everyone: bool,
        options: HangUpOptions,
    ) -> Result<()> {
        let transport = self.client.transport();
        if is_for_everyone {
            let repeatability = options.repeatability.unwrap_or_default();
            transport
                .send(
                    Method::POST,
                    &self.path(":terminate"),
                    None,
                    Some(&repeatability),
                )
                .await?;
        } else {
            transport
                .send(Method::DELETE, &self.path(""), None, None)
                .await?;
        }
        Ok(())
    }
}

/// The `{ operationContext }` answer of transfer, remove and mute, read without ever failing.
fn operation_context_body(body: &[u8]) -> OperationContextResponse {
    action_body(
        body,
        "operation answer",
        |v| salvage::lenient::<OperationContextResponse>(v, "operation answer"),
        |bytes| OperationContextResponse {
            operation_context: salvage::string_field_in(bytes, "operationContext"),
        },
    )
}

/// The first api-version with `participants:moveHere`.
const MOVE_PARTICIPANTS_SINCE: &str = "2026-03-12";
