//! The floor: a minimal reqwest loop sending the same HMAC-signed requests as callsteer, with no
//! SDK in between (no validation, no models, no retries) — the fastest this machine and the
//! emulator allow.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::BoxError;

const API_VERSION: &str = "2025-05-15";

pub struct FloorClient {
    http: reqwest::Client,
    base: String,
    host: String,
    key: Vec<u8>,
}

fn user_model(raw_id: &str) -> String {
    format!(r#"{{"rawId":"{raw_id}","communicationUser":{{"id":"{raw_id}"}}}}"#)
}

impl FloorClient {
    /// From `endpoint=http://host:port/;accesskey=KEY`.
    pub fn new(connection_string: &str) -> Result<Self, BoxError> {
        let mut endpoint = None;
        let mut key = None;
        for part in connection_string.split(';') {
            if let Some(v) = part.strip_prefix("endpoint=") {
                endpoint = Some(v.trim_end_matches('/').to_string());
            } else if let Some(v) = part.strip_prefix("accesskey=") {
                key = Some(B64.decode(v)?);
            }
        }
        let base = endpoint.ok_or("no endpoint in the connection string")?;
        let host = base
            .split("://")
            .nth(1)
            .ok_or("endpoint without a scheme")?
            .to_string();
        Ok(FloorClient {
            http: callsteer::transport::http_client_builder()?.build()?,
            base,
            host,
            key: key.ok_or("no accesskey in the connection string")?,
        })
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
        repeatable: bool,
    ) -> Result<bytes_body::Body, BoxError> {
        let path_and_query = format!("{path}?api-version={API_VERSION}");
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let body = body.unwrap_or_default();
        let content_hash = B64.encode(Sha256::digest(body.as_bytes()));
        let to_sign = format!(
            "{}\n{}\n{};{};{}",
            method.as_str(),
            path_and_query,
            date,
            self.host,
            content_hash
        );
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)?;
        mac.update(to_sign.as_bytes());
        let signature = B64.encode(mac.finalize().into_bytes());
        let mut request = self
            .http
            .request(method, format!("{}{}", self.base, path_and_query))
            .header("x-ms-date", &date)
            .header("x-ms-content-sha256", content_hash)
            .header(
                "authorization",
                format!(
                    "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
                ),
            );
        if repeatable {
            request = request
                .header("repeatability-request-id", uuid::Uuid::new_v4().to_string())
                .header("repeatability-first-sent", &date);
        }
        if !body.is_empty() {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            return Err(
                format!("{status} from {path}: {}", String::from_utf8_lossy(&bytes)).into(),
            );
        }
        Ok(bytes_body::Body(bytes.to_vec()))
    }

    pub async fn create_call(&self, target: &str, callback: &str) -> Result<String, BoxError> {
        let body = format!(
            r#"{{"targets":[{}],"callbackUri":"{callback}"}}"#,
            user_model(target)
        );
        let response = self
            .send(
                reqwest::Method::POST,
                "/calling/callConnections",
                Some(body),
                true,
            )
            .await?;
        // The only field the floor reads; a substring search, not a JSON parse.
        response
            .field("callConnectionId")
            .ok_or_else(|| "no callConnectionId in the response".into())
    }

    pub async fn get_call(&self, id: &str) -> Result<(), BoxError> {
        self.send(
            reqwest::Method::GET,
            &format!("/calling/callConnections/{id}"),
            None,
            false,
        )
        .await?;
        Ok(())
    }

    pub async fn sequence(
        &self,
        target: &str,
        added: &str,
        callback: &str,
    ) -> Result<(), BoxError> {
        let id = self.create_call(target, callback).await?;
        let context = uuid::Uuid::new_v4();
        self.send(
            reqwest::Method::POST,
            &format!("/calling/callConnections/{id}/participants:add"),
            Some(format!(
                r#"{{"participantToAdd":{},"operationContext":"{context}"}}"#,
                user_model(added)
            )),
            true,
        )
        .await?;
        let context = uuid::Uuid::new_v4();
        self.send(
            reqwest::Method::POST,
            &format!("/calling/callConnections/{id}/participants:remove"),
            Some(format!(
                r#"{{"participantToRemove":{},"operationContext":"{context}"}}"#,
                user_model(added)
            )),
            true,
        )
        .await?;
        self.send(
            reqwest::Method::DELETE,
            &format!("/calling/callConnections/{id}"),
            None,
            false,
        )
        .await?;
        Ok(())
    }
}

mod bytes_body {
    pub struct Body(pub Vec<u8>);

    impl Body {
        /// The string value of `"name":"…"` in a JSON body.
        pub fn field(&self, name: &str) -> Option<String> {
            let text = std::str::from_utf8(&self.0).ok()?;
            let key = format!("\"{name}\":\"");
            let start = text.find(&key)? + key.len();
            let end = text[start..].find('"')? + start;
            Some(text[start..end].to_string())
        }
    }
}
