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
        "/calling/callConnections/call%2F1/participants/4%3A%2B16041234567?api-version=2026-03-12"
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

#[tokio::test]
async fn an_endless_response_body_is_cut_at_the_limit() {
    let (base, sent) = common::serve_endless_body().await;
    let client = CallAutomationClient::from_connection_string_with_options(
        &format!("endpoint={base}/;accesskey=c2VjcmV0"),
        fast_retry(2),
    )
    .unwrap();
    let err = client
        .get_call_connection("c")
        .unwrap()
        .get_call_properties()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(
        err.to_string().contains("larger than 4194304 bytes"),
        "{err}"
    );
    // Refused, not retried: the same answer would come back.
    let sent = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "the server got {sent} bytes out");
}

#[tokio::test]
async fn the_response_size_limit_is_configurable_and_checks_content_length() {
    let server = Recorder::start(service_like).await;
    let padded = format!(
        r#"{{"callConnectionId":"call-1","callConnectionState":"connected","pad":"{}"}}"#,
        "x".repeat(2000)
    );
    server.push(Reply::new(200, &padded));
    server.push(Reply::new(200, &padded));
    let small = ClientOptions {
        max_response_bytes: 1024,
        ..fast_retry(0)
    };
    let call = client(&server, small)
        .get_call_connection("call-1")
        .unwrap();
    let err = call.get_call_properties().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(err.to_string().contains("larger than 1024 bytes"), "{err}");
    // The same body within the (default) limit is read.
    let call = client(&server, fast_retry(0))
        .get_call_connection("call-1")
        .unwrap();
    let props = call.get_call_properties().await.unwrap();
    assert_eq!(props.call_connection_id, "call-1");
}

/// Counts `get_token` calls; every token lives `lifetime` seconds from when it is issued
/// (negative: already expired). Slow, so that concurrent requests overlap a refresh.
struct CountingToken {
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    lifetime: i64,
    fail_after: Option<usize>,
}

impl TokenCredential for CountingToken {
    fn get_token(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<AccessToken>> + Send + '_>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            if self.fail_after.is_some_and(|limit| n > limit) {
                return Err(Error::auth("token provider is down"));
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64;
            Ok(AccessToken {
                token: format!("tok-{n}"),
                expires_on: (now + self.lifetime).max(0) as u64,
            })
        })
    }
}

fn token_client(
    server: &Recorder,
    lifetime: i64,
    fail_after: Option<usize>,
) -> (
    CallAutomationClient,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let credential = CountingToken {
        calls: calls.clone(),
        lifetime,
        fail_after,
    };
    let client = CallAutomationClient::new(
        &server.endpoint(),
        Credential::Token(std::sync::Arc::new(credential)),
        fast_retry(0),
    )
    .unwrap();
    (client, calls)
}

#[tokio::test]
async fn a_token_is_fetched_once_per_lifetime_and_shared_by_concurrent_requests() {
    let server = Recorder::start(service_like).await;
    let (client, calls) = token_client(&server, 3600, None);
    let call = client.get_call_connection("c").unwrap();
    // Concurrent first requests share one refresh.
    let burst: Vec<_> = (0..20).map(|_| call.get_call_properties()).collect();
    for result in futures_join_all(burst).await {
        result.unwrap();
    }
    for _ in 0..30 {
        call.get_call_properties().await.unwrap();
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    let sent = server.take();
    assert_eq!(sent.len(), 50);
    assert!(sent
        .iter()
        .all(|r| r.header("authorization").as_deref() == Some("Bearer tok-1")));

    // A token that lives less than the 5-minute margin is still reused (half its life).
    let (client, calls) = token_client(&server, 120, None);
    let call = client.get_call_connection("c").unwrap();
    for _ in 0..10 {
        call.get_call_properties().await.unwrap();
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);

    // An expired token is never reused.
    let (client, calls) = token_client(&server, -10, None);
    let call = client.get_call_connection("c").unwrap();
    for _ in 0..3 {
        call.get_call_properties().await.unwrap();
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_failed_refresh_keeps_using_the_unexpired_token() {
    let server = Recorder::start(service_like).await;
    // 10 s of life: refreshed after about half of it; the provider fails from then on.
    let (client, calls) = token_client(&server, 10, Some(1));
    let call = client.get_call_connection("c").unwrap();
    call.get_call_properties().await.unwrap();
    tokio::time::sleep(Duration::from_millis(5500)).await;
    call.get_call_properties().await.unwrap();
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    let sent = server.take();
    assert_eq!(sent[1].header("authorization").unwrap(), "Bearer tok-1");

    // With no usable token, the provider's error is the request's error.
    let (client, _) = token_client(&server, 3600, Some(0));
    let err = client
        .get_call_connection("c")
        .unwrap()
        .get_call_properties()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth, "{err:?}");
}

/// Polls all futures concurrently on this task (no extra dependency for `join_all`).
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, slot) in futures.iter_mut().zip(results.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *slot = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|r| r.unwrap()).collect()
}
