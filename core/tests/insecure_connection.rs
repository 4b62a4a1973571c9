//! `ClientOptions::allow_insecure_connection`: a bearer token never goes over plain http to a
//! host that is not loopback unless the caller allows it; access keys (which only sign) and
//! loopback endpoints (the local emulator) need no permission.

use std::sync::Arc;

use callsteer::{
    AccessToken, CallAutomationClient, ClientOptions, Credential, ErrorKind, Result,
    TokenCredential,
};

struct StaticToken;
impl TokenCredential for StaticToken {
    fn get_token(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<AccessToken>> + Send + '_>> {
        Box::pin(async {
            Ok(AccessToken {
                token: "tok".into(),
                expires_on: u64::MAX,
            })
        })
    }
}

fn token_client(endpoint: &str, allow: bool) -> Result<CallAutomationClient> {
    CallAutomationClient::new(
        endpoint,
        Credential::Token(Arc::new(StaticToken)),
        ClientOptions {
            allow_insecure_connection: allow,
            ..Default::default()
        },
    )
}

#[test]
fn a_token_over_plain_http_to_a_remote_host_is_refused_unless_allowed() {
    for endpoint in [
        "http://contoso.communication.azure.com/",
        "http://10.0.0.7:8080/",
    ] {
        let error = token_client(endpoint, false).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{endpoint}");
        assert!(
            matches!(&error, callsteer::Error::InvalidArgument { field, .. } if field == "endpoint"),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("allow_insecure_connection"),
            "{error}"
        );
        token_client(endpoint, true).expect("allowed explicitly");
    }
}

#[test]
fn https_loopback_and_access_keys_need_no_permission() {
    for endpoint in [
        "https://contoso.communication.azure.com/",
        "http://127.0.0.1:8787/",
        "http://127.0.0.2/",
        "http://localhost:8787/",
        "http://[::1]:8787/",
    ] {
        token_client(endpoint, false).unwrap_or_else(|e| panic!("{endpoint}: {e}"));
    }
    CallAutomationClient::with_access_key(
        "http://contoso.communication.azure.com/",
        "c2VjcmV0",
        ClientOptions::default(),
    )
    .expect("an access key only signs the request");
}
