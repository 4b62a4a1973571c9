//! Client options are checked when the client is built, naming the option.

use callsteer::*;

#[test]
fn a_user_agent_suffix_that_is_no_header_value_is_refused_naming_the_option() {
    for suffix in ["my-app/1.0\r\nx-injected: 1", "del\u{7f}", "tab\t", "café"] {
        let options = ClientOptions {
            user_agent_suffix: Some(suffix.to_string()),
            ..Default::default()
        };
        let err = CallAutomationClient::from_connection_string_with_options(
            "endpoint=https://example.communication.azure.com/;accesskey=a2V5LWZvci10ZXN0cw==",
            options,
        )
        .unwrap_err();
        match err {
            Error::InvalidArgument { field, .. } => assert_eq!(field, "user_agent_suffix"),
            other => panic!("{suffix:?}: expected InvalidArgument, got {other:?}"),
        }
    }
}

#[test]
fn a_printable_user_agent_suffix_is_accepted() {
    let options = ClientOptions {
        user_agent_suffix: Some("contoso-ivr/2.1 (build 7)".to_string()),
        ..Default::default()
    };
    CallAutomationClient::from_connection_string_with_options(
        "endpoint=https://example.communication.azure.com/;accesskey=a2V5LWZvci10ZXN0cw==",
        options,
    )
    .unwrap();
}
