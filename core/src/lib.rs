//! callsteer: Azure Communication Services Call Automation call steering, implemented once.
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
pub mod error;
pub mod events;
pub mod identifier;
pub mod models;
pub mod wire;

pub use auth::{AccessKeyCredential, AccessToken, ConnectionString, Credential, TokenCredential};
pub use error::{Error, ErrorKind, Result};
pub use identifier::{identifier_from_raw_id, CommunicationCloud, CommunicationIdentifier};
pub use models::{CallConnectionProperties, CallConnectionState, CallParticipant, ResultInformation};
