//! callsteer: Azure Communication Services Call Automation call steering, implemented once.
//!
//! [`CallAutomationClient`] places, connects, answers, redirects and rejects calls;
//! [`CallConnection`] transfers, adds, cancels, removes and mutes participants and hangs up.
//! Every input is validated locally first ([`Error::InvalidArgument`] names the field), every
//! request is HMAC-signed and retried safely (repeatability headers), and every action that the
//! service answers with an event can wait for it through the client's [`EventProcessor`].
//!
//! ```no_run
//! # async fn demo() -> callsteer::Result<()> {
//! use callsteer::{CallAutomationClient, CallInvite, CommunicationIdentifier};
//! let client = CallAutomationClient::from_connection_string(
//!     "endpoint=http://127.0.0.1:8787/;accesskey=c2VjcmV0",
//! )?;
//! let invite = CallInvite::new(CommunicationIdentifier::communication_user("8:acs:res_user"));
//! let created = client.create_call(invite, "https://app.example/events", Default::default()).await?;
//! println!("{}", created.call_connection_properties.call_connection_id);
//! # Ok(()) }
//! ```

pub mod auth;
mod call_connection;
mod client;
pub mod error;
pub mod events;
pub mod identifier;
#[cfg(feature = "env-logging")]
pub mod logging;
pub mod models;
pub mod options;
mod outcome;
pub mod transport;
pub mod validate;
pub mod wire;

pub use auth::{AccessKeyCredential, AccessToken, ConnectionString, Credential, TokenCredential};
pub use call_connection::{
    AddParticipantResult, CallConnection, CancelAddParticipantOperationResult,
    MoveParticipantsResult, MuteParticipantResult, ParticipantsPage, RemoveParticipantResult,
    TransferCallResult,
};
pub use client::{
    AnswerCallResult, CallAutomationClient, CallConnectionResult, ConnectCallResult,
    CreateCallResult,
};
pub use error::{Error, ErrorKind, Language, Result};
pub use events::{
    parse_events, CallAutomationEvent, CallbackVerifier, EventFilter, EventProcessor,
    EventProcessorConfig, OperationKind, OperationOutcome, PendingOperation, Subscription,
};
pub use identifier::{identifier_from_raw_id, CommunicationCloud, CommunicationIdentifier};
pub use models::{
    CallConnectionProperties, CallConnectionState, CallParticipant, ResultInformation,
};
pub use options::{
    AddParticipantOptions, AnswerCallOptions, CallInvite, CallLocator,
    CancelAddParticipantOperationOptions, ConnectCallOptions, CreateCallOptions,
    CreateGroupCallOptions, CustomCallingContext, HangUpOptions, MoveParticipantsOptions,
    MuteParticipantOptions, RedirectCallOptions, RejectCallOptions, RemoveParticipantOptions,
    Repeatability, SipHeaderPrefix, TeamsPhoneCallDetails, TeamsPhoneCallerDetails,
    TeamsPhoneSourceDetails, TransferCallToParticipantOptions,
};
pub use outcome::OutcomeWaiter;
pub use transport::{ClientOptions, RetryOptions, DEFAULT_API_VERSION};
pub use wire::CallRejectReason;
pub use wire::{
    MediaStreamingOptions, MediaStreamingSubscription, SipDiagnosticInfo, TranscriptionOptions,
    TranscriptionSubscription,
};

/// The README's Rust examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
