//! How simulated targets react to an invitation, and the result codes each outcome reports.
//!
//! Codes are SIP-like (`code`) plus an ACS-style `subCode`; the table is documented in
//! emulator/README.md. Sub-codes are the emulator's choice where the real service's exact value
//! is not published.

use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Behavior {
    #[default]
    Answer,
    Decline,
    Busy,
    NoAnswer,
    Unreachable,
    /// Picked up by voicemail: looks like an answer to Call Automation.
    Voicemail,
}

/// A target's configured reaction; `delay_ms = None` uses `--answer-delay-ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TargetBehavior {
    pub behavior: Behavior,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

/// `resultInformation` of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultCode {
    pub code: i32,
    pub sub_code: i32,
    pub message: &'static str,
}

impl ResultCode {
    /// As core's `resultInformation`.
    pub fn info(self) -> callsteer::ResultInformation {
        callsteer::ResultInformation {
            code: Some(self.code),
            sub_code: Some(self.sub_code),
            message: Some(self.message.to_string()),
            sip_details: None,
            q850_details: None,
        }
    }

    pub fn to_json(self) -> serde_json::Value {
        json!({"code": self.code, "subCode": self.sub_code, "message": self.message})
    }
}

pub const SUCCESS: ResultCode = ResultCode {
    code: 200,
    sub_code: 0,
    message: "Action completed successfully.",
};
pub const CALL_CONNECTED: ResultCode = ResultCode {
    code: 200,
    sub_code: 0,
    message: "Call connected.",
};
pub const HANGUP: ResultCode = ResultCode {
    code: 200,
    sub_code: 7000,
    message: "The conversation has ended. DiagCode: 0#7000.@",
};
pub const TERMINATED: ResultCode = ResultCode {
    code: 200,
    sub_code: 7001,
    message: "The call was terminated for everyone by Call Automation.",
};
pub const TRANSFERRED: ResultCode = ResultCode {
    code: 200,
    sub_code: 7015,
    message: "The call was transferred to another endpoint.",
};
pub const ALONE: ResultCode = ResultCode {
    code: 200,
    sub_code: 7003,
    message: "The call ended because all other participants left.",
};
pub const DECLINED: ResultCode = ResultCode {
    code: 603,
    sub_code: 560603,
    message: "Call declined by the remote party.",
};
pub const BUSY: ResultCode = ResultCode {
    code: 486,
    sub_code: 560486,
    message: "The callee is busy.",
};
pub const UNREACHABLE: ResultCode = ResultCode {
    code: 480,
    sub_code: 560480,
    message: "The callee is temporarily unavailable or unreachable.",
};
pub const TIMED_OUT: ResultCode = ResultCode {
    code: 408,
    sub_code: 10004,
    message: "Call invitation timed out.",
};
pub const CANCELED: ResultCode = ResultCode {
    code: 487,
    sub_code: 5300,
    message: "The call invitation was canceled by the application.",
};
pub const CANCEL_TOO_LATE: ResultCode = ResultCode {
    code: 400,
    sub_code: 8523,
    message: "Cannot cancel: the invitation has already completed.",
};
pub const CALL_NOT_FOUND: ResultCode = ResultCode {
    code: 404,
    sub_code: 8522,
    message: "Call not found for the given call locator.",
};
/// MoveParticipantFailed when the source call is not an active call of this resource (the
/// emulator's choice of code: the spec names none).
pub const MOVE_SOURCE_NOT_FOUND: ResultCode = ResultCode {
    code: 404,
    sub_code: 8522,
    message: "The call to move the participant from was not found.",
};
/// MoveParticipantFailed when the participant is not in the source call (the emulator's choice).
pub const MOVE_PARTICIPANT_NOT_FOUND: ResultCode = ResultCode {
    code: 404,
    sub_code: 8525,
    message: "The participant was not found in the call to move it from.",
};
pub const CALL_ENDED: ResultCode = ResultCode {
    code: 410,
    sub_code: 8519,
    message: "The call ended before the operation completed.",
};

impl Behavior {
    /// The failure an invitation to such a target reports, or `None` when it answers (or never
    /// reacts, for `noAnswer`, whose failure comes from the invitation timeout).
    pub fn failure(self) -> Option<ResultCode> {
        match self {
            Behavior::Answer | Behavior::Voicemail | Behavior::NoAnswer => None,
            Behavior::Decline => Some(DECLINED),
            Behavior::Busy => Some(BUSY),
            Behavior::Unreachable => Some(UNREACHABLE),
        }
    }
}
