//! Starts the real emulator binary, as every language's harness does.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The resource phone number every harness gives the emulator, so that a redirect to it
/// raises a new IncomingCall (see tests/scenarios/README.md).
pub const RESOURCE_PHONE_NUMBER: &str = "+16044561234";

/// A running emulator process; killed when dropped.
pub struct EmulatorProcess {
    child: Child,
    pub connection_string: String,
    pub base_url: String,
}

/// Where `cargo build -p callsteer-emulator` puts the binary (override: CALLSTEER_EMULATOR_BIN).
pub fn emulator_binary() -> PathBuf {
    if let Ok(path) = std::env::var("CALLSTEER_EMULATOR_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target.join("debug").join("callsteer-emulator")
}

impl EmulatorProcess {
    /// Starts `callsteer-emulator --port 0` with `extra` arguments and reads its connection string.
    pub async fn start(extra: &[&str]) -> Result<Self, String> {
        let binary = emulator_binary();
        if !binary.exists() {
            return Err(format!(
                "{} is missing: run `cargo build -p callsteer-emulator` first",
                binary.display()
            ));
        }
        let mut command = Command::new(&binary);
        command.args(["--port", "0"]);
        if !extra.contains(&"--answer-delay-ms") {
            command.args(["--answer-delay-ms", "5"]);
        }
        let mut child = command
            .args(["--resource-phone-number", RESOURCE_PHONE_NUMBER])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .map_err(|_| "the emulator printed nothing for 20 s".to_string())?
            .map_err(|e| e.to_string())?
            .ok_or("the emulator exited before printing its connection string")?;
        let connection_string = first
            .strip_prefix("CONNECTION_STRING=")
            .ok_or_else(|| format!("unexpected first line: {first}"))?
            .to_string();
        // Keep draining stdout so the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let base_url = connection_string
            .split(';')
            .find_map(|p| p.strip_prefix("endpoint="))
            .ok_or("no endpoint in the connection string")?
            .trim_end_matches('/')
            .to_string();
        Ok(EmulatorProcess {
            child,
            connection_string,
            base_url,
        })
    }

    /// Calls the admin API and returns its JSON answer.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value, String> {
        let client = callsteer::transport::http_client_builder()
            .and_then(|b| {
                b.build()
                    .map_err(|e| callsteer::Error::transport(e.to_string()))
            })
            .map_err(|e| e.to_string())?;
        let mut request = client.request(method.clone(), format!("{}{}", self.base_url, path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{method} {path} answered {status}: {text}"));
        }
        if text.trim().is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| format!("{method} {path}: {e}: {text}"))
    }

    /// The process id, for memory readings.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stops the process (also done on drop).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
