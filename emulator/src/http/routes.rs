//! Parses `/calling/callConnections…` paths, whose segments carry `:verb` suffixes and raw ids.

use axum::http::Method;
use percent_encoding::percent_decode_str;

use crate::api_error::{ApiError, ApiResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    CreateCall,
    AnswerCall,
    RedirectCall,
    RejectCall,
    Connect,
    GetCall(String),
    HangUp(String),
    Terminate(String),
    Transfer(String),
    ListParticipants(String),
    GetParticipant(String, String),
    AddParticipant(String),
    RemoveParticipant(String),
    Mute(String),
    CancelAddParticipant(String),
    MoveParticipants(String),
}

impl Route {
    pub fn name(&self) -> &'static str {
        match self {
            Route::CreateCall => "CreateCall",
            Route::AnswerCall => "AnswerCall",
            Route::RedirectCall => "RedirectCall",
            Route::RejectCall => "RejectCall",
            Route::Connect => "Connect",
            Route::GetCall(_) => "GetCall",
            Route::HangUp(_) => "HangupCall",
            Route::Terminate(_) => "TerminateCall",
            Route::Transfer(_) => "TransferToParticipant",
            Route::ListParticipants(_) => "GetParticipants",
            Route::GetParticipant(..) => "GetParticipant",
            Route::AddParticipant(_) => "AddParticipant",
            Route::RemoveParticipant(_) => "RemoveParticipant",
            Route::Mute(_) => "Mute",
            Route::CancelAddParticipant(_) => "CancelAddParticipant",
            Route::MoveParticipants(_) => "MoveParticipants",
        }
    }

    /// Whether the spec lets this operation carry repeatability headers.
    pub fn repeatable(&self) -> bool {
        !matches!(
            self,
            Route::GetCall(_)
                | Route::HangUp(_)
                | Route::ListParticipants(_)
                | Route::GetParticipant(..)
        )
    }

    pub fn call_connection_id(&self) -> Option<&str> {
        match self {
            Route::GetCall(id)
            | Route::HangUp(id)
            | Route::Terminate(id)
            | Route::Transfer(id)
            | Route::ListParticipants(id)
            | Route::GetParticipant(id, _)
            | Route::AddParticipant(id)
            | Route::RemoveParticipant(id)
            | Route::Mute(id)
            | Route::CancelAddParticipant(id)
            | Route::MoveParticipants(id) => Some(id),
            _ => None,
        }
    }
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

fn not_found(path: &str) -> ApiError {
    ApiError::new(
        404,
        "NotFound",
        format!("No Call Automation resource at `{path}`."),
    )
}

fn method_not_allowed(method: &Method, path: &str) -> ApiError {
    ApiError::new(
        405,
        "MethodNotAllowed",
        format!("{method} is not supported on `{path}`."),
    )
}

pub fn parse(method: &Method, path: &str) -> ApiResult<Route> {
    let rest = path
        .strip_prefix("/calling/callConnections")
        .ok_or_else(|| not_found(path))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let expect = |m: Method, route: Route| {
        if *method == m {
            Ok(route)
        } else {
            Err(method_not_allowed(method, path))
        }
    };
    match rest {
        "" => return expect(Method::POST, Route::CreateCall),
        ":answer" => return expect(Method::POST, Route::AnswerCall),
        ":redirect" => return expect(Method::POST, Route::RedirectCall),
        ":reject" => return expect(Method::POST, Route::RejectCall),
        ":connect" => return expect(Method::POST, Route::Connect),
        _ => {}
    }
    let rest = rest.strip_prefix('/').ok_or_else(|| not_found(path))?;
    if let Some((id, tail)) = rest.split_once('/') {
        let id = decode(id);
        if id.is_empty() {
            return Err(not_found(path));
        }
        return match tail {
            "participants" => expect(Method::GET, Route::ListParticipants(id)),
            "participants:add" => expect(Method::POST, Route::AddParticipant(id)),
            "participants:remove" => expect(Method::POST, Route::RemoveParticipant(id)),
            "participants:mute" => expect(Method::POST, Route::Mute(id)),
            "participants:moveHere" => expect(Method::POST, Route::MoveParticipants(id)),
            "participants:cancelAddParticipant" => {
                expect(Method::POST, Route::CancelAddParticipant(id))
            }
            _ => match tail.strip_prefix("participants/") {
                Some(raw) if !raw.is_empty() && !raw.contains('/') => {
                    expect(Method::GET, Route::GetParticipant(id, decode(raw)))
                }
                _ => Err(not_found(path)),
            },
        };
    }
    let decoded = decode(rest);
    match decoded.split_once(':') {
        Some((id, "terminate")) if !id.is_empty() => {
            expect(Method::POST, Route::Terminate(id.to_string()))
        }
        Some((id, "transferToParticipant")) if !id.is_empty() => {
            expect(Method::POST, Route::Transfer(id.to_string()))
        }
        Some(_) => Err(not_found(path)),
        None if decoded.is_empty() => Err(not_found(path)),
        None => match *method {
            Method::GET => Ok(Route::GetCall(decoded)),
            Method::DELETE => Ok(Route::HangUp(decoded)),
            _ => Err(method_not_allowed(method, path)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_shape() {
        let p = |m: Method, path: &str| parse(&m, path);
        assert_eq!(
            p(Method::POST, "/calling/callConnections").ok(),
            Some(Route::CreateCall)
        );
        assert_eq!(
            p(Method::POST, "/calling/callConnections:connect").ok(),
            Some(Route::Connect)
        );
        assert_eq!(
            p(Method::GET, "/calling/callConnections/c1").ok(),
            Some(Route::GetCall("c1".into()))
        );
        assert_eq!(
            p(Method::DELETE, "/calling/callConnections/c1").ok(),
            Some(Route::HangUp("c1".into()))
        );
        assert_eq!(
            p(Method::POST, "/calling/callConnections/c1:terminate").ok(),
            Some(Route::Terminate("c1".into()))
        );
        assert_eq!(
            p(
                Method::GET,
                "/calling/callConnections/c1/participants/4:%2B16041234567"
            )
            .ok(),
            Some(Route::GetParticipant("c1".into(), "4:+16041234567".into()))
        );
        assert_eq!(
            p(
                Method::GET,
                "/calling/callConnections/c1/participants/8%3Aacs%3Ax_y"
            )
            .ok(),
            Some(Route::GetParticipant("c1".into(), "8:acs:x_y".into()))
        );
        assert_eq!(
            p(Method::POST, "/calling/callConnections/c1/participants:add").ok(),
            Some(Route::AddParticipant("c1".into()))
        );
        assert_eq!(
            p(Method::GET, "/calling/callConnections:answer")
                .err()
                .map(|e| e.status),
            Some(405)
        );
        assert_eq!(
            p(Method::GET, "/calling/nothing").err().map(|e| e.status),
            Some(404)
        );
        assert_eq!(
            p(Method::POST, "/calling/callConnections/c1:bogus")
                .err()
                .map(|e| e.status),
            Some(404)
        );
    }
}
