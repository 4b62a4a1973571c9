//! Event Grid webhook registration: the subscription-validation handshake.

use std::time::Duration;

use serde_json::json;

use crate::clock::rfc3339;
use crate::delivery::error_chain;
use crate::world::EVENT_GRID_TOPIC;

/// Posts a `SubscriptionValidationEvent` and checks the endpoint echoes the code back as
/// `{"validationResponse": code}`. Returns a reason when the webhook must be refused.
pub async fn validate_webhook(client: &reqwest::Client, url: &str) -> Result<(), String> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => return Err(format!("`{url}` is not an absolute http(s) URL")),
    }
    let code = uuid::Uuid::new_v4().to_string().to_uppercase();
    let event = json!([{
        "id": uuid::Uuid::new_v4().to_string(),
        "topic": EVENT_GRID_TOPIC,
        "subject": "",
        "data": {
            "validationCode": code,
            "validationUrl": format!("https://emulator.invalid/validate?code={code}"),
        },
        "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
        "eventTime": rfc3339(std::time::SystemTime::now()),
        "metadataVersion": "1",
        "dataVersion": "2",
    }]);
    let response = client
        .post(url)
        .header("aeg-event-type", "SubscriptionValidation")
        .header("content-type", "application/json")
        .timeout(Duration::from_secs(10))
        .body(event.to_string())
        .send()
        .await
        .map_err(|e| {
            format!(
                "the validation request to {url} failed: {}",
                error_chain(&e)
            )
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!(
            "{url} answered the SubscriptionValidationEvent with HTTP {status}; it must answer 200 with {{\"validationResponse\": \"<validationCode>\"}}"
        ));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("reading the validation response failed: {e}"))?;
    let echoed = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("validationResponse")
                .and_then(|c| c.as_str())
                .map(str::to_string)
        });
    match echoed {
        Some(c) if c.eq_ignore_ascii_case(&code) => Ok(()),
        Some(c) => Err(format!(
            "{url} answered validationResponse `{c}`, but the validationCode sent was `{code}`"
        )),
        None => {
            Err(format!(
            "{url} did not answer with {{\"validationResponse\": \"<validationCode>\"}} (body: {})",
            String::from_utf8_lossy(&body).chars().take(200).collect::<String>()
        ))
        }
    }
}
