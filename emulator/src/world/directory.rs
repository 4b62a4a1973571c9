//! Admin-created things the app can connect to: group calls and rooms; resource phone numbers;
//! Event Grid webhooks; and the state snapshot the admin API shows.

use callsteer::CommunicationIdentifier;
use serde_json::{json, Value};

use super::model::{Room, ServerCall};
use super::World;
use crate::api_error::{ApiError, ApiResult};

fn check_raw_ids(raw_ids: &[String]) -> ApiResult<()> {
    for (i, raw) in raw_ids.iter().enumerate() {
        if matches!(
            CommunicationIdentifier::from_raw_id(raw),
            CommunicationIdentifier::Unknown { .. }
        ) {
            return Err(ApiError::invalid_field(
                &format!("participants[{i}]"),
                format!("`{raw}` is not a recognised raw id"),
            ));
        }
    }
    Ok(())
}

impl World {
    /// A group call already in progress among `participants`.
    pub fn create_server_call(&mut self, participants: Vec<String>) -> ApiResult<ServerCall> {
        check_raw_ids(&participants)?;
        let server_call = ServerCall {
            server_call_id: World::new_server_call_id(),
            group_call_id: Some(uuid::Uuid::new_v4().to_string()),
            room_id: None,
            participants,
        };
        self.server_calls
            .insert(server_call.server_call_id.clone(), server_call.clone());
        Ok(server_call)
    }

    pub fn create_room(&mut self, participants: Vec<String>) -> ApiResult<Room> {
        check_raw_ids(&participants)?;
        // Room ids are 17-digit numbers in the real service.
        let room_id = format!("99{:015}", rand::random::<u64>() % 1_000_000_000_000_000);
        let room = Room {
            room_id: room_id.clone(),
            participants,
            server_call_id: None,
        };
        self.rooms.insert(room_id, room.clone());
        Ok(room)
    }

    pub fn add_resource_number(&mut self, number: &str) {
        self.resource_numbers.insert(number.to_string());
    }

    pub fn add_webhook(&mut self, url: &str) {
        if !self.webhooks.iter().any(|w| w == url) {
            self.webhooks.push(url.to_string());
        }
    }

    pub fn webhooks(&self) -> &[String] {
        &self.webhooks
    }

    /// Every call connection, oldest first, for the admin API and the UI.
    pub fn snapshot_calls(&self) -> Value {
        let calls: Vec<Value> = self
            .call_order
            .values()
            .filter_map(|id| self.calls.get(id))
            .map(|c| {
                json!({
                    "callConnectionId": c.id,
                    "serverCallId": c.server_call_id,
                    "correlationId": c.correlation_id,
                    "origin": c.origin,
                    "state": c.state.as_str(),
                    "callbackUri": c.callback_uri,
                    "createdAt": c.created_at,
                    "targets": c.targets.iter().map(|t| t.raw_id()).collect::<Vec<_>>(),
                    "participants": c.participant_models(),
                    "sequenceNumber": c.sequence_number,
                })
            })
            .collect();
        json!({"value": calls})
    }

    pub fn snapshot_directory(&self) -> Value {
        json!({
            "serverCalls": self.server_calls.values().collect::<Vec<_>>(),
            "rooms": self.rooms.values().collect::<Vec<_>>(),
            "resourcePhoneNumbers": self.resource_numbers.iter().collect::<Vec<_>>(),
            "webhooks": self.webhooks,
            "targets": self.behaviors.all(),
            "pendingTimers": self.pending_timers(),
        })
    }

    pub fn has_call(&self, call_id: &str) -> bool {
        self.calls.contains_key(call_id)
    }
}
