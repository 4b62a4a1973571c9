//! Runs one shared scenario (tests/scenarios/*.json) through the Rust core against a real
//! emulator process. The format is documented in tests/scenarios/README.md.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use callsteer::*;
use reqwest::Method;
use serde_json::{json, Value};

use crate::emulator::EmulatorProcess;
use crate::receiver::Receiver;

/// How long one expected event may take.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Runner {
    pub emulator: EmulatorProcess,
    pub receiver: Receiver,
    pub client: CallAutomationClient,
    vars: HashMap<String, Value>,
}

fn id(raw: &str) -> CommunicationIdentifier {
    identifier_from_raw_id(raw)
}

fn s(args: &Value, key: &str) -> Option<String> {
    args.get(key).and_then(Value::as_str).map(str::to_string)
}

/// `fields` ⊆ `actual`: every key given is present with an equal value, recursively; arrays
/// compare element-wise.
pub fn subset(fields: &Value, actual: &Value) -> bool {
    match (fields, actual) {
        (Value::Object(f), Value::Object(a)) => f
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| subset(v, av))),
        (Value::Array(f), Value::Array(a)) => {
            f.len() == a.len() && f.iter().zip(a).all(|(fv, av)| subset(fv, av))
        }
        (f, a) => f == a,
    }
}

fn custom_context(args: &Value) -> CustomCallingContext {
    let mut ctx = CustomCallingContext::new();
    let Some(c) = args.get("customCallingContext") else {
        return ctx;
    };
    if let Some(voip) = c.get("voip").and_then(Value::as_object) {
        for (k, v) in voip {
            ctx.add_voip(k, v.as_str().unwrap_or_default());
        }
    }
    if let Some(uui) = c.get("sipUui").and_then(Value::as_str) {
        ctx.add_sip_uui(uui);
    }
    if let Some(x) = c.get("sipX").and_then(Value::as_object) {
        for (k, v) in x {
            ctx.add_sip_x(
                k,
                v.as_str().unwrap_or_default(),
                SipHeaderPrefix::default(),
            );
        }
    }
    ctx
}

fn error_json(e: &Error) -> Value {
    let mut v = json!({ "kind": e.kind().as_str(), "message": e.to_string() });
    match e {
        Error::InvalidArgument { field, .. } => v["field"] = json!(field),
        Error::Service { status, code, .. } => {
            v["status"] = json!(status);
            v["code"] = json!(code);
        }
        _ => {}
    }
    v
}

fn connection_json(r: &CallConnectionResult) -> Value {
    let p = &r.call_connection_properties;
    json!({
        "callConnectionId": p.call_connection_id,
        "serverCallId": p.server_call_id,
        "callConnectionState": p.call_connection_state.as_str(),
    })
}

impl Runner {
    /// Starts an emulator (manual clock if the scenario asks) and a receiver registered both as
    /// callback URL and Event Grid webhook.
    pub async fn start(scenario: &Value) -> Result<Runner, String> {
        let manual = scenario.get("clock").and_then(Value::as_str) == Some("manual");
        let extra: &[&str] = if manual { &["--clock", "manual"] } else { &[] };
        let emulator = EmulatorProcess::start(extra).await?;
        let receiver = Receiver::start().await.map_err(|e| e.to_string())?;
        let client = CallAutomationClient::from_connection_string(&emulator.connection_string)
            .map_err(|e| e.to_string())?;
        receiver.feed(client.event_processor().clone());
        emulator
            .admin(
                Method::POST,
                "/emulator/event-subscriptions",
                Some(json!({ "url": receiver.url("/eventgrid") })),
            )
            .await?;
        Ok(Runner {
            emulator,
            receiver,
            client,
            vars: HashMap::new(),
        })
    }

    /// Replaces `"$name"` strings by saved variables, recursively.
    fn resolve(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) if s.starts_with('$') => self
                .vars
                .get(&s[1..])
                .cloned()
                .ok_or_else(|| format!("variable {s} was never saved"))?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.resolve(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.resolve(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    fn callback_for(&self, args: &Value) -> Option<String> {
        (args.get("operationCallback") == Some(&Value::Bool(true)))
            .then(|| self.receiver.url("/op"))
    }

    fn call(&self, args: &Value) -> Result<CallConnection, Error> {
        self.client
            .get_call_connection(&s(args, "call").unwrap_or_default())
    }

    /// Performs one action; returns its result as JSON and the call connection it concerns.
    async fn act(&self, action: &str, args: &Value) -> Result<(Value, Option<String>), Error> {
        let callback = self.receiver.url("/events");
        let ctx = s(args, "operationContext");
        let call_id = s(args, "call");
        let target = || id(&s(args, "target").unwrap_or_default());
        Ok(match action {
            "createCall" => {
                let mut invite = CallInvite::new(target());
                invite.source_caller_id_number = s(args, "sourceCallerIdNumber");
                invite.source_display_name = s(args, "sourceDisplayName");
                invite.custom_calling_context = custom_context(args);
                let options = CreateCallOptions {
                    operation_context: ctx,
                    ..Default::default()
                };
                let r = self.client.create_call(invite, &callback, options).await?;
                let v = connection_json(&r);
                (v, Some(r.call_connection_properties.call_connection_id))
            }
            "createGroupCall" => {
                let targets = args["targets"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).map(id).collect())
                    .unwrap_or_default();
                let options = CreateCallOptions {
                    source_caller_id_number: s(args, "sourceCallerIdNumber"),
                    operation_context: ctx,
                    ..Default::default()
                };
                let r = self
                    .client
                    .create_group_call(targets, &callback, options)
                    .await?;
                (
                    connection_json(&r),
                    Some(r.call_connection_properties.call_connection_id),
                )
            }
            "connectCall" => {
                let locator = CallLocator::from_parts(
                    s(args, "serverCallId"),
                    s(args, "groupCallId"),
                    s(args, "roomId"),
                )?;
                let options = ConnectCallOptions {
                    operation_context: ctx,
                    ..Default::default()
                };
                let r = self
                    .client
                    .connect_call(locator, &callback, options)
                    .await?;
                (
                    connection_json(&r),
                    Some(r.call_connection_properties.call_connection_id),
                )
            }
            "answerCall" => {
                let options = AnswerCallOptions {
                    operation_context: ctx,
                    ..Default::default()
                };
                let r = self
                    .client
                    .answer_call(
                        &s(args, "incomingCallContext").unwrap_or_default(),
                        &callback,
                        options,
                    )
                    .await?;
                (
                    connection_json(&r),
                    Some(r.call_connection_properties.call_connection_id),
                )
            }
            "rejectCall" => {
                let reason = match s(args, "callRejectReason").as_deref() {
                    Some("busy") => Some(CallRejectReason::Busy),
                    Some("forbidden") => Some(CallRejectReason::Forbidden),
                    Some("none") => Some(CallRejectReason::None),
                    _ => None,
                };
                let options = RejectCallOptions {
                    call_reject_reason: reason,
                    ..Default::default()
                };
                self.client
                    .reject_call(&s(args, "incomingCallContext").unwrap_or_default(), options)
                    .await?;
                (Value::Null, None)
            }
            "redirectCall" => {
                let mut invite = CallInvite::new(target());
                invite.source_caller_id_number = s(args, "sourceCallerIdNumber");
                self.client
                    .redirect_call(
                        &s(args, "incomingCallContext").unwrap_or_default(),
                        invite,
                        Default::default(),
                    )
                    .await?;
                (Value::Null, None)
            }
            "transferCallToParticipant" => {
                let options = TransferCallToParticipantOptions {
                    transferee: s(args, "transferee").map(|t| id(&t)),
                    operation_context: ctx,
                    operation_callback_url: self.callback_for(args),
                    custom_calling_context: custom_context(args),
                    source_caller_id_number: s(args, "sourceCallerIdNumber"),
                    ..Default::default()
                };
                let r = self
                    .call(args)?
                    .transfer_call_to_participant(&target(), options)
                    .await?;
                (json!({ "operationContext": r.operation_context }), call_id)
            }
            "addParticipant" => {
                let mut invite = CallInvite::new(target());
                invite.source_caller_id_number = s(args, "sourceCallerIdNumber");
                invite.source_display_name = s(args, "sourceDisplayName");
                invite.custom_calling_context = custom_context(args);
                let options = AddParticipantOptions {
                    invitation_timeout_in_seconds: args
                        .get("invitationTimeoutInSeconds")
                        .and_then(Value::as_u64)
                        .map(|v| v as u32),
                    operation_context: ctx,
                    operation_callback_url: self.callback_for(args),
                    ..Default::default()
                };
                let r = self.call(args)?.add_participant(invite, options).await?;
                (
                    json!({ "invitationId": r.invitation_id, "operationContext": r.operation_context }),
                    call_id,
                )
            }
            "cancelAddParticipant" => {
                let options = CancelAddParticipantOperationOptions {
                    operation_context: ctx,
                    operation_callback_url: self.callback_for(args),
                    ..Default::default()
                };
                let r = self
                    .call(args)?
                    .cancel_add_participant_operation(
                        &s(args, "invitationId").unwrap_or_default(),
                        options,
                    )
                    .await?;
                (
                    json!({ "invitationId": r.invitation_id, "operationContext": r.operation_context }),
                    call_id,
                )
            }
            "removeParticipant" => {
                let options = RemoveParticipantOptions {
                    operation_context: ctx,
                    operation_callback_url: self.callback_for(args),
                    ..Default::default()
                };
                let r = self
                    .call(args)?
                    .remove_participant(&target(), options)
                    .await?;
                (json!({ "operationContext": r.operation_context }), call_id)
            }
            "moveParticipants" => {
                let targets = args["targets"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).map(id).collect())
                    .unwrap_or_default();
                let options = MoveParticipantsOptions {
                    operation_context: ctx,
                    operation_callback_url: self.callback_for(args),
                    ..Default::default()
                };
                let from_call = s(args, "fromCall").unwrap_or_default();
                let r = self
                    .call(args)?
                    .move_participants(targets, &from_call, options)
                    .await?;
                let participants: Vec<String> = r
                    .participants
                    .iter()
                    .map(|p| p.identifier.raw_id())
                    .collect();
                (
                    json!({
                        "operationContext": r.operation_context,
                        "fromCall": r.from_call,
                        "participants": participants,
                    }),
                    call_id,
                )
            }
            "muteParticipant" => {
                let options = MuteParticipantOptions {
                    operation_context: ctx,
                    ..Default::default()
                };
                let r = self
                    .call(args)?
                    .mute_participant(&target(), options)
                    .await?;
                (json!({ "operationContext": r.operation_context }), call_id)
            }
            "getCallProperties" => {
                let p = self.call(args)?.get_call_properties().await?;
                (
                    json!({
                        "callConnectionId": p.call_connection_id,
                        "serverCallId": p.server_call_id,
                        "callConnectionState": p.call_connection_state.as_str(),
                    }),
                    call_id,
                )
            }
            "listParticipants" => {
                let all = self.call(args)?.list_participants().await?;
                let ids: Vec<String> = all.iter().map(|p| p.identifier.raw_id()).collect();
                (json!({ "participants": ids }), call_id)
            }
            "hangUp" => {
                let everyone = args
                    .get("isForEveryone")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                self.call(args)?.hang_up(everyone).await?;
                (Value::Null, call_id)
            }
            other => {
                return Err(Error::invalid(
                    "action",
                    format!("unknown scenario action {other}"),
                ))
            }
        })
    }

    async fn admin_action(&self, action: &str, args: &Value) -> Result<Value, String> {
        match action {
            "emulator.setTarget" => {
                let raw = s(args, "rawId").unwrap_or_default();
                let body = json!({ "behavior": args["behavior"], "delayMs": args.get("delayMs").cloned().unwrap_or(json!(0)) });
                self.set_target(&raw, body).await
            }
            "emulator.incomingCall" => {
                self.emulator
                    .admin(
                        Method::POST,
                        "/emulator/incoming-calls",
                        Some(json!({ "from": args["from"], "to": args["to"] })),
                    )
                    .await
            }
            "emulator.createCall" => {
                self.emulator
                    .admin(
                        Method::POST,
                        "/emulator/calls",
                        Some(json!({ "participants": args["participants"] })),
                    )
                    .await
            }
            "emulator.createRoom" => {
                self.emulator
                    .admin(
                        Method::POST,
                        "/emulator/rooms",
                        Some(json!({ "participants": args["participants"] })),
                    )
                    .await
            }
            "emulator.advanceClock" => {
                self.emulator
                    .admin(
                        Method::POST,
                        "/emulator/clock/advance",
                        Some(json!({ "ms": args["ms"] })),
                    )
                    .await
            }
            other => Err(format!("unknown emulator action {other}")),
        }
    }

    async fn set_target(&self, raw: &str, body: Value) -> Result<Value, String> {
        let encoded: String = raw
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.emulator
            .admin(
                Method::PUT,
                &format!("/emulator/targets/{encoded}"),
                Some(body),
            )
            .await
    }

    /// Runs every step; the error names the step and what differed.
    pub async fn run(&mut self, scenario: &Value) -> Result<(), String> {
        if let Some(targets) = scenario.get("targets").and_then(Value::as_object) {
            for (raw, body) in targets {
                self.set_target(raw, body.clone()).await?;
            }
        }
        let steps = scenario["steps"]
            .as_array()
            .ok_or("scenario has no steps")?;
        for (i, step) in steps.iter().enumerate() {
            let action = step["action"].as_str().unwrap_or_default();
            let at = format!("step {i} ({action})");
            let args = self.resolve(step.get("args").unwrap_or(&Value::Null))?;
            let mark = self.receiver.len();
            let (result, call) = if action.starts_with("emulator.") {
                (
                    self.admin_action(action, &args)
                        .await
                        .map_err(|e| format!("{at}: {e}"))?,
                    None,
                )
            } else {
                match (self.act(action, &args).await, step.get("expectError")) {
                    (Ok(r), None) => r,
                    (Ok(r), Some(want)) => {
                        return Err(format!("{at}: expected error {want}, got {r:?}"))
                    }
                    (Err(e), Some(want)) => {
                        let got = error_json(&e);
                        // Rust reports the canonical field; `fieldIn` is for the bindings.
                        let mut want = want.clone();
                        if let Some(w) = want.as_object_mut() {
                            w.remove("fieldIn");
                        }
                        let want = &want;
                        if !subset(want, &got) {
                            return Err(format!("{at}: expected error {want}, got {got}"));
                        }
                        continue;
                    }
                    (Err(e), None) => return Err(format!("{at}: {e}")),
                }
            };
            if let Some(save) = step.get("save").and_then(Value::as_object) {
                for (var, field) in save {
                    let value = result
                        .get(field.as_str().unwrap_or_default())
                        .cloned()
                        .unwrap_or(Value::Null);
                    if value.is_null() {
                        return Err(format!("{at}: result has no {field} to save: {result}"));
                    }
                    self.vars.insert(var.clone(), value);
                }
            }
            if let Some(expect) = step.get("expect") {
                let expect = self.resolve(expect)?;
                if !subset(&expect, &result) {
                    return Err(format!("{at}: expected result {expect}, got {result}"));
                }
            }
            let mut from = mark;
            for expected in step
                .get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let expected = self.resolve(expected)?;
                let event_type = expected["type"].as_str().unwrap_or_default().to_string();
                let call_id = match expected.get("call") {
                    Some(c) => c.as_str().map(str::to_string),
                    None => call.clone(),
                };
                let fields = expected.get("fields").cloned().unwrap_or(json!({}));
                let want_path = match expected.get("at").and_then(Value::as_str) {
                    Some("op") => Some("/op"),
                    _ => None,
                };
                let found = self
                    .receiver
                    .wait_for(from, EVENT_TIMEOUT, |d| {
                        d.event_type == event_type
                            && (event_type == "IncomingCall"
                                || call_id.is_none()
                                || d.call_connection_id == call_id)
                            && want_path.is_none_or(|p| d.path == p)
                            && subset(&fields, &d.data)
                    })
                    .await;
                match found {
                    Some(index) => from = index + 1,
                    None => {
                        let seen: Vec<String> = self
                            .receiver
                            .log()
                            .iter()
                            .skip(mark)
                            .map(|d| format!("{}@{} {}", d.event_type, d.path, d.data))
                            .collect();
                        return Err(format!(
                            "{at}: no {event_type} matching {fields} (call {call_id:?}) after the step, in order; seen: {seen:#?}"
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Every scenario file, sorted by name.
pub fn scenario_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Loads and runs one scenario file against a fresh emulator.
pub async fn run_file(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let scenario: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut runner = Runner::start(&scenario).await?;
    let outcome = runner.run(&scenario).await;
    runner.emulator.stop().await;
    outcome
}
