//! Transport behaviour against a real local HTTP server: retries, repeatability, timeouts,
//! error mapping, paging, and that no secret leaks.

mod common;

use std::time::{Duration, Instant};

use callsteer::*;
use common::{service_like, Recorder, Reply};

fn fast_retry(max_retries: u32) -> ClientOptions {
    ClientOptions {
        retry: RetryOptions {
            max_retries,
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(5),
            max_total: Duration::from_secs(30),
        },
        ..Default::default()
    }
}

fn client(server: &Recorder, options: ClientOptions) -> CallAutomationClient {
    CallAutomationClient::from_connection_string_with_options(&server.connection_string(), options)
        .unwrap()
}

fn user(id: &str) -> CommunicationIdentifier {
    CommunicationIdentifier::communication_user(id)
}

const BUSY: &str = r#"{"error":{"code":"ServiceUnavailable","message":"try again"}}"#;

#[tokio::test]
async fn retry_on_503_then_success_reuses_the_repeatability_id() {
    let server = Recorder::start(service_like).await;
    server.push(Reply::new(503, BUSY));
    server.push(Reply::new(503, BUSY));
    let call = client(&server, fast_retry(3))
        .get_call_connection("call-1")
        .unwrap();
    let result = call
        .add_participant(CallInvite::new(user("8:acs:a")), Default::default())
        .await
        .unwrap();
    assert_eq!(result.invitation_id.as_deref(), Some("inv-1"));
    let sent = server.take();
    assert_eq!(sent.len(), 3);
    let ids: Vec<_> = sent
        .iter()
        .map(|r| r.header("repeatability-request-id").unwrap())
        .collect();
    let firsts: Vec<_> = sent
        .iter()
        .map(|r| r.header("repeatability-first-sent").unwrap())
        .collect();
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
    assert!(firsts.iter().all(|d| d == &firsts[0]), "{firsts:?}");
    assert!(sent.iter().all(|r| r.body == sent[0].body));
}

#[tokio::test]
async fn caller_supplied_repeatability_is_sent_verbatim() {
    let server = Recorder::start(service_like).await;
    let call = client(&server, fast_retry(0))
        .get_call_connection("call-1")
        .unwrap();
    let rep = Repeatability {
        request_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
        first_sent: "Sun, 06 Nov 1994 08:49:37 GMT".into(),
    };
    let options = RemoveParticipantOptions {
        repeatability: Some(rep.clone()),
        ..Default::default()
    };
    call.remove_participant(&user("8:acs:a"), options)
        .await
        .unwrap();
    let sent = server.take();
    assert_eq!(
        sent[0].header("repeatability-request-id").unwrap(),
        rep.request_id
    );
    assert_eq!(
        sent[0].header("repeatability-first-sent").unwrap(),
        rep.first_sent
    );
}

#[tokio::test]
async fn each_action_gets_its_own_repeatability_id() {
    let server = Recorder::start(service_like).await;
    let call = client(&server, fast_retry(0))
        .get_call_connection("call-1")
        .unwrap();
    call.remove_participant(&user("8:acs:a"), Default::default())
        .await
        .unwrap();
    call.remove_participant(&user("8:acs:a"), Default::default())
        .await
        .unwrap();
    let sent = server.take();
    assert_ne!(
        sent[0].header("repeatability-request-id"),
        sent[1].header("repeatability-request-id")
    );
}

#[tokio::test]
async fn honours_retry_after_on_429() {
    let server = Recorder::start(service_like).await;
    server.push(Reply::new(429, BUSY).header("Retry-After", "1"));
    let call = client(&server, fast_retry(2))
        .get_call_connection("call-1")
        .unwrap();
    let started = Instant::now();
    call.get_call_properties().await.unwrap();
    // A lower bound only: the client must have waited at least what the service asked.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.take().len(), 2);
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let server = Recorder::start(service_like).await;
    server.push(
        Reply::new(
            400,
            r#"{"error":{"code":"BadRequest","message":"participantToAdd is invalid"}}"#,
        )
        .header("x-ms-request-id", "req-42"),
    );
    let call = client(&server, fast_retry(3))
        .get_call_connection("call-1")
        .unwrap();
    let err = call
        .add_participant(CallInvite::new(user("8:acs:a")), Default::default())
        .await
        .unwrap_err();
    match &err {
        Error::Service {
            status,
            code,
            message,
            request_id,
            ..
        } => {
            assert_eq!(*status, 400);
            assert_eq!(code, "BadRequest");
            assert_eq!(message, "participantToAdd is invalid");
            assert_eq!(request_id.as_deref(), Some("req-42"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(server.take().len(), 1);
}

#[tokio::test]
async fn every_retryable_status_is_retried_and_exhaustion_returns_the_last_error() {
    for status in [408u16, 429, 500, 502, 503, 504] {
        let server = Recorder::start(move |_| Reply::new(status, BUSY)).await;
        let call = client(&server, fast_retry(2))
            .get_call_connection("call-1")
            .unwrap();
        let err = call.get_call_properties().await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.take().len(), 3, "status {status}");
    }
}

#[tokio::test]
async fn retries_stop_at_the_total_time_budget() {
    let server = Recorder::start(|_| Reply::new(503, BUSY).header("Retry-After", "5")).await;
    let mut options = fast_retry(10);
    options.retry.max_total = Duration::from_secs(2);
    let call = client(&server, options)
        .get_call_connection("call-1")
        .unwrap();
    let err = call.get_call_properties().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    // The first wait (5 s) would exceed the 2 s budget, so there is no second attempt.
    assert_eq!(server.take().len(), 1);
}

#[tokio::test]
async fn a_timeout_surfaces_as_timeout() {
    let server = Recorder::start(|r| service_like(r).delayed(Duration::from_secs(3))).await;
    let mut options = fast_retry(0);
    options.timeout = Duration::from_millis(200);
    let call = client(&server, options)
        .get_call_connection("call-1")
        .unwrap();
    let err = call.get_call_properties().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = CallAutomationClient::from_connection_string_with_options(
        &format!("endpoint=http://127.0.0.1:{port}/;accesskey=c2VjcmV0"),
        fast_retry(1),
    )
    .unwrap();
    let err = client
        .get_call_connection("x")
        .unwrap()
        .get_call_properties()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
}

#[tokio::test]
async fn any_2xx_is_success_and_an_empty_body_is_fine() {
    let server = Recorder::start(|_| Reply::new(200, "")).await;
    let call = client(&server, fast_retry(0))
        .get_call_connection("call-1")
        .unwrap();
    let r = call
        .remove_participant(
            &user("8:acs:a"),
            RemoveParticipantOptions {
                operation_context: Some("rm".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.operation_context.as_deref(), Some("rm"));
    call.hang_up(false).await.unwrap();
}

#[tokio::test]
async fn list_participants_follows_next_link() {
    let server = Recorder::start(service_like).await;
    let page = |ids: &[&str], next: Option<String>| {
        let value: Vec<_> = ids
            .iter()
            .map(|id| {
                serde_json::json!({
            "identifier": {"kind":"communicationUser","rawId":id,"communicationUser":{"id":id}},
            "isMuted": false})
            })
            .collect();
        let mut body = serde_json::json!({ "value": value });
        if let Some(next) = next {
            body["nextLink"] = next.into();
        }
        Reply::new(200, &body.to_string())
    };
    let base = format!("http://{}", server.addr);
    server.push(page(
        &["8:acs:a", "8:acs:b"],
        Some(format!(
            "{base}/calling/callConnections/call-1/participants?api-version=2025-05-15&skip=2"
        )),
    ));
    server.push(page(&["8:acs:c"], None));
    let call = client(&server, fast_retry(0))
        .get_call_connection("call-1")
        .unwrap();
    let all = call.list_participants().await.unwrap();
    let ids: Vec<_> = all.iter().map(|p| p.identifier.raw_id()).collect();
    assert_eq!(ids, ["8:acs:a", "8:acs:b", "8:acs:c"]);
    let sent = server.take();
    assert_eq!(
        sent[1].path_and_query,
        "/calling/callConnections/call-1/participants?api-version=2025-05-15&skip=2"
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let server = Recorder::start(service_like).await;
    server.push(Reply::new(
        200,
        r#"{"value":[],"nextLink":"https://evil.example/steal"}"#,
    ));
    let call = client(&server, fast_retry(0))
        .get_call_connection("call-1")
        .unwrap();
    let err = call.list_participants().await.unwrap_err();
    assert!(err.to_string().contains("another host"), "{err}");
    assert_eq!(server.take().len(), 1);
}

/// Page by page, as the Python and JS pagers drive it: each page's `next_link` is the
/// continuation token of the next call, and a token given back later resumes there.
#[tokio::test]
async fn participants_come_page_by_page_with_continuation_tokens() {
    let server = Recorder::start(service_like).await;
    let base = format!("http://{}", server.addr);
    let next =
        format!("{base}/calling/callConnections/call-1/participants?api-version=2025-05-15&skip=1");
    let user = |id: &str| serde_json::json!({"identifier": {"kind":"communicationUser","rawId":id,"communicationUser":{"id":id}}, "isMuted": false});
    server.push(Reply::new(
        200,
        &serde_json::json!({"value": [user("8:acs:a")], "nextLink": next}).to_string(),
    ));
    server.push(Reply::new(
        200,
        &serde_json::json!({"value": [user("8:acs:b")], "nextLink": ""}).to_string(),
    ));
    let call = client(&server, fast_retry(0))
        .get_call_connection("call-1")
        .unwrap();
    let first = call.list_participants_page(None).await.unwrap();
    assert_eq!(first.participants[0].identifier.raw_id(), "8:acs:a");
    assert_eq!(first.next_link.as_deref(), Some(next.as_str()));
    let second = call
        .list_participants_page(first.next_link.as_deref())
        .await
        .unwrap();
    assert_eq!(second.participants[0].identifier.raw_id(), "8:acs:b");
    // An empty nextLink means the last page, as no nextLink does.
    assert_eq!(second.next_link, None);
    let sent = server.take();
    assert_eq!(
        sent[1].path_and_query,
        "/calling/callConnections/call-1/participants?api-version=2025-05-15&skip=1"
    );
    // A continuation token naming another host is refused without a request.
    let err = call
        .list_participants_page(Some(
            "https://evil.example/calling/callConnections/call-1/participants",
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another host"), "{err}");
    assert!(server.take().is_empty());
}

#[tokio::test]
async fn participant_raw_ids_are_percent_encoded_in_the_path() {
    let server = Recorder::start(service_like).await;
    let call = client(&server, fast_retry(0))
        .get_call_connection("call/1")
        .unwrap();
    call.get_participant(&CommunicationIdentifier::phone_number("+16041234567"))
        .await
        .unwrap();
    let sent = server.take();
    assert_eq!(
        sent[0].path_and_query,
        "/calling/callConnections/call%2F1/participants/4%3A%2B16041234567?api-version=2025-05-15"
    );
}

#[tokio::test]
async fn api_version_is_settable() {
    let server = Recorder::start(service_like).await;
    let options = ClientOptions {
        api_version: "2026-03-12".into(),
        ..fast_retry(0)
    };
    client(&server, options)
        .get_call_connection("c")
        .unwrap()
        .get_call_properties()
        .await
        .unwrap();
    assert!(server.take()[0]
        .path_and_query
        .ends_with("?api-version=2026-03-12"));
}

struct StaticToken;
impl TokenCredential for StaticToken {
    fn get_token(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<AccessToken>> + Send + '_>> {
        Box::pin(async {
            Ok(AccessToken {
                token: "tok-123".into(),
                expires_on: u64::MAX,
            })
        })
    }
}

#[tokio::test]
async fn bearer_token_credential_is_used() {
    let server = Recorder::start(service_like).await;
    let client = CallAutomationClient::new(
        &server.endpoint(),
        Credential::Token(std::sync::Arc::new(StaticToken)),
        fast_retry(0),
    )
    .unwrap();
    client
        .get_call_connection("c")
        .unwrap()
        .get_call_properties()
        .await
        .unwrap();
    let sent = server.take();
    assert_eq!(sent[0].header("authorization").unwrap(), "Bearer tok-123");
    assert!(sent[0].header("x-ms-date").is_none());
    assert!(!format!("{client:?}").contains("tok-123"));
}

#[tokio::test]
async fn no_secret_in_debug_display_or_errors() {
    let key = "c3VwZXItc2VjcmV0LWtleQ=="; // "super-secret-key"
    let server = Recorder::start(|_| {
        Reply::new(
            401,
            r#"{"error":{"code":"Unauthorized","message":"Denied"}}"#,
        )
    })
    .await;
    let cs = format!("endpoint={};accesskey={key}", server.endpoint());
    let client =
        CallAutomationClient::from_connection_string_with_options(&cs, fast_retry(0)).unwrap();
    let call = client.get_call_connection("c").unwrap();
    let err = call.get_call_properties().await.unwrap_err();
    let sent = server.take();
    let signature = sent[0].header("authorization").unwrap();
    for text in [
        format!("{client:?}"),
        format!("{call:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{:?}", ConnectionString::parse(&cs).unwrap()),
        format!("{:?}", AccessKeyCredential::new(key).unwrap()),
    ] {
        assert!(!text.contains(key), "{text}");
        assert!(!text.contains("super-secret-key"), "{text}");
        assert!(!text.contains(&signature), "{text}");
    }
    let bad = CallAutomationClient::from_connection_string(&format!(
        "endpoint=https://x/;accesskey={key}!!"
    ))
    .unwrap_err();
    assert!(!bad.to_string().contains(key));
}
