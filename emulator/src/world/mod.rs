//! The simulated world: calls, participants, invitations, incoming calls, server calls and
//! rooms, with the timers that move them along and the events they produce.
//!
//! Everything lives behind one `std::sync::Mutex` (never held across an await): operations are
//! short, and one lock makes each action atomic with respect to timers and other requests.

pub mod behavior;
mod behavior_store;
mod directory;
mod invitations;
mod mid_call;
pub mod model;
mod moves;
mod pre_connection;
mod retention;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use serde_json::{json, Value};
use tokio::sync::Notify;

use callsteer::events::{CallEventCommon, EventMeta, ParticipantsUpdatedEventData};
use callsteer::CallAutomationEvent;

use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::delivery::{Channel, Delivery};
use behavior::{ResultCode, TargetBehavior};
use model::{Call, IncomingCall, Invitation, Room, ServerCall};

pub use behavior_store::BehaviorStore;

/// Something that happens later in simulation time.
#[derive(Debug, Clone)]
pub enum TimerAction {
    /// The invited target reacts (answers, or fails with the given result).
    ResolveInvitation {
        invitation_id: String,
        failure: Option<ResultCode>,
    },
    /// The invitation's timeout elapses.
    InvitationTimeout { invitation_id: String },
    /// An answered or connected call finishes connecting.
    Connect { call_id: String },
    /// Connect found nothing to connect to.
    ConnectFail { call_id: String },
    /// The oldest ended call may have outlived the retention age.
    ForgetEnded,
}

/// The Event Grid topic the emulator pretends to be.
pub const EVENT_GRID_TOPIC: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/callsteer-emulator/providers/Microsoft.Communication/communicationServices/callsteer-emulator";

pub struct World {
    pub(crate) config: Arc<EmulatorConfig>,
    pub(crate) clock: Arc<Clock>,
    pub(crate) delivery: Arc<Delivery>,
    timer_notify: Arc<Notify>,
    timers: BTreeMap<(u64, u64), TimerAction>,
    timer_seq: u64,
    pub(crate) calls: HashMap<String, Call>,
    /// Call connection ids in creation order, for stable admin listings.
    pub(crate) call_order: BTreeMap<u64, String>,
    /// Each call's key in `call_order`.
    pub(crate) call_seqs: HashMap<String, u64>,
    pub(crate) call_seq: u64,
    /// Ended calls, oldest end first, with when they ended (simulation ms): kept for the
    /// retention, then forgotten.
    pub(crate) ended: VecDeque<(String, u64)>,
    /// Incoming calls no longer ringing, oldest first (bounded like ended calls).
    pub(crate) settled_incoming: VecDeque<String>,
    /// Server calls the app left with others still talking, oldest first (bounded likewise).
    pub(crate) left_server_calls: VecDeque<String>,
    /// Calls forgotten since the repeatability cache last looked (it lives under its own lock,
    /// which is taken before the world's, so the world only leaves a note).
    pub(crate) forgotten: Arc<Mutex<Vec<String>>>,
    /// Whether a `ForgetEnded` timer is pending.
    forget_scheduled: bool,
    pub(crate) invitations: HashMap<String, Invitation>,
    pub(crate) incoming: HashMap<String, IncomingCall>,
    pub(crate) server_calls: HashMap<String, ServerCall>,
    pub(crate) rooms: HashMap<String, Room>,
    pub(crate) behaviors: BehaviorStore,
    pub(crate) resource_numbers: HashSet<String>,
    pub(crate) webhooks: Vec<String>,
}

impl World {
    pub fn new(
        config: Arc<EmulatorConfig>,
        clock: Arc<Clock>,
        delivery: Arc<Delivery>,
        timer_notify: Arc<Notify>,
        forgotten: Arc<Mutex<Vec<String>>>,
    ) -> Self {
        let resource_numbers = config.resource_phone_numbers.iter().cloned().collect();
        World {
            behaviors: BehaviorStore::new(config.answer_delay_ms),
            config,
            clock,
            delivery,
            timer_notify,
            timers: BTreeMap::new(),
            timer_seq: 0,
            calls: HashMap::new(),
            call_order: BTreeMap::new(),
            call_seqs: HashMap::new(),
            call_seq: 0,
            ended: VecDeque::new(),
            settled_incoming: VecDeque::new(),
            left_server_calls: VecDeque::new(),
            forgotten,
            forget_scheduled: false,
            invitations: HashMap::new(),
            incoming: HashMap::new(),
            server_calls: HashMap::new(),
            rooms: HashMap::new(),
            resource_numbers,
            webhooks: Vec::new(),
        }
    }

    // ---- timers ----

    /// Returns the timer's key, for [`World::unschedule`].
    pub(crate) fn schedule(&mut self, delay_ms: u64, action: TimerAction) -> (u64, u64) {
        self.timer_seq += 1;
        let due = self.clock.now_ms().saturating_add(delay_ms);
        let key = (due, self.timer_seq);
        self.timers.insert(key, action);
        self.timer_notify.notify_one();
        key
    }

    /// Drops a timer that can no longer matter (its invitation settled), so pending timers
    /// track live invitations instead of every invitation of the last timeout period.
    pub(crate) fn unschedule(&mut self, key: Option<(u64, u64)>) {
        if let Some(key) = key {
            self.timers.remove(&key);
        }
    }

    /// Fires every timer that is due, in due order (ties in scheduling order). Timers that
    /// firing schedules are fired too when already due.
    pub fn run_due(&mut self) {
        loop {
            let now = self.clock.now_ms();
            let Some((&key, _)) = self.timers.iter().next() else {
                return;
            };
            if key.0 > now {
                return;
            }
            if let Some(action) = self.timers.remove(&key) {
                self.fire(action);
            }
        }
    }

    /// When the earliest pending timer is due (simulation ms).
    pub fn next_due(&self) -> Option<u64> {
        self.timers.keys().next().map(|k| k.0)
    }

    pub fn pending_timers(&self) -> usize {
        self.timers.len()
    }

    fn fire(&mut self, action: TimerAction) {
        match action {
            TimerAction::ResolveInvitation {
                invitation_id,
                failure,
            } => self.resolve_invitation(&invitation_id, failure),
            TimerAction::InvitationTimeout { invitation_id } => {
                self.resolve_invitation_timeout(&invitation_id)
            }
            TimerAction::Connect { call_id } => self.finish_connect(&call_id),
            TimerAction::ConnectFail { call_id } => self.fail_connect(&call_id),
            TimerAction::ForgetEnded => self.forget_timer_fired(),
        }
    }

    // ---- ids ----

    pub(crate) fn new_server_call_id() -> String {
        // Real server call ids are base64url of a conversation URL; mimic the shape.
        B64URL.encode(format!(
            "https://emulator.callsteer.local/conv/{}?i=1&e=0",
            uuid::Uuid::new_v4()
        ))
    }

    pub(crate) fn new_incoming_call_context() -> String {
        let bytes: [u8; 32] = rand::random();
        format!("emu1.{}", B64URL.encode(bytes))
    }

    pub(crate) fn target_behavior(&self, raw_id: &str) -> TargetBehavior {
        self.behaviors.get(raw_id)
    }

    // ---- events ----

    /// Sends a callback event for a call, built from core's typed event: the common fields are
    /// filled from the call; it goes to `operation_callback_uri` when given, else the call's
    /// callback URI. (Typed on purpose: the shape of what the emulator emits is core's model,
    /// and the official SDKs' parsers and the recorded real payloads check that model.)
    pub(crate) fn emit(
        &mut self,
        call_id: &str,
        mut event: CallAutomationEvent,
        operation_callback_uri: Option<&str>,
        operation_context: Option<&str>,
        result: Option<ResultCode>,
    ) {
        let Some(call) = self.calls.get(call_id) else {
            return;
        };
        event.set_common(CallEventCommon {
            call_connection_id: call.id.clone(),
            server_call_id: Some(call.server_call_id.clone()),
            correlation_id: Some(call.correlation_id.clone()),
            operation_context: operation_context.map(str::to_string),
            result_information: result.map(ResultCode::info),
        });
        let source = format!("calling/callConnections/{}", call.id);
        *event.meta_mut() = EventMeta {
            id: uuid::Uuid::new_v4().to_string(),
            source: Some(source.clone()),
            subject: Some(source),
            time: Some(self.clock.rfc3339_now()),
        };
        let url = operation_callback_uri
            .unwrap_or(&call.callback_uri)
            .to_string();
        let call_id = call.id.clone();
        self.delivery.enqueue(
            &call_id,
            &call_id,
            Channel::Callback,
            &url,
            event.to_cloud_event_json(),
        );
    }

    /// ParticipantsUpdated with the next sequence number of the call.
    pub(crate) fn emit_participants_updated(&mut self, call_id: &str) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        call.sequence_number += 1;
        let seen = call
            .participants
            .iter()
            .map(|p| (p.identifier.raw_id(), p.is_muted))
            .collect();
        self.delivery.live().participants_now(call_id, seen);
        let updated = CallAutomationEvent::ParticipantsUpdated(ParticipantsUpdatedEventData {
            sequence_number: i64::from(call.sequence_number),
            participants: call.participants.clone(),
            ..Default::default()
        });
        self.emit(call_id, updated, None, None, Some(behavior::SUCCESS));
    }

    /// Delivers an IncomingCall, Event Grid schema, to every registered webhook.
    pub(crate) fn emit_incoming_call(&mut self, incoming: &IncomingCall) {
        let mut data = json!({
            "to": incoming.to.to_model_with_kind(),
            "from": incoming.from.to_model_with_kind(),
            "serverCallId": incoming.server_call_id,
            "callerDisplayName": incoming.caller_display_name.clone().unwrap_or_default(),
            "incomingCallContext": incoming.context,
            "correlationId": incoming.correlation_id,
        });
        if let (Some(custom), Value::Object(map)) = (&incoming.custom_context, &mut data) {
            map.insert("customContext".into(), custom.clone());
        }
        for url in self.webhooks.clone() {
            let event = json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "topic": EVENT_GRID_TOPIC,
                "subject": format!("/caller/{}/recipient/{}", incoming.from.raw_id(), incoming.to.raw_id()),
                "data": data.clone(),
                "eventType": "Microsoft.Communication.IncomingCall",
                "dataVersion": "1.0",
                "metadataVersion": "1",
                "eventTime": self.clock.rfc3339_now(),
            });
            self.delivery.enqueue(
                "eventgrid",
                &format!("eventgrid:{url}"),
                Channel::EventGrid,
                &url,
                event,
            );
        }
    }
}
