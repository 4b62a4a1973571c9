//! Fault injection on /calling routes: error statuses (without executing), dropped responses
//! (after executing) and added latency, drawn from a seedable RNG for reproducible runs.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::api_error::{ApiError, ApiResult};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Status of injected errors (default 503).
    #[serde(default = "default_status")]
    pub status: u16,
    /// When set, each injected fault draws its status from this list instead (e.g. `[503, 429]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<u16>,
    /// Chance that a request is answered with `status` without executing.
    #[serde(default)]
    pub probability: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Chance that a request executes but its connection is closed without a response.
    #[serde(default)]
    pub drop_response_probability: f64,
    /// Delay added before every /calling request.
    #[serde(default)]
    pub latency_ms: u64,
}

fn default_status() -> u16 {
    503
}

impl FaultConfig {
    pub fn validate(&self) -> ApiResult<()> {
        if !(400..=599).contains(&self.status) {
            return Err(ApiError::invalid_field(
                "status",
                "must be an HTTP error status (400-599)",
            ));
        }
        if self.statuses.iter().any(|s| !(400..=599).contains(s)) {
            return Err(ApiError::invalid_field(
                "statuses",
                "must all be HTTP error statuses (400-599)",
            ));
        }
        for (field, p) in [
            ("probability", self.probability),
            ("dropResponseProbability", self.drop_response_probability),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(ApiError::invalid_field(field, "must be between 0 and 1"));
            }
        }
        Ok(())
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Default)]
pub struct FaultDecision {
    pub latency_ms: u64,
    pub inject: Option<ApiError>,
    pub drop_response: bool,
}

pub struct Faults {
    config: Option<FaultConfig>,
    rng: StdRng,
}

impl Faults {
    pub fn new(seed: Option<u64>) -> Self {
        Faults {
            config: None,
            rng: match seed {
                Some(seed) => StdRng::seed_from_u64(seed),
                None => StdRng::from_entropy(),
            },
        }
    }

    pub fn set(&mut self, config: Option<FaultConfig>) {
        self.config = config;
    }

    pub fn config(&self) -> Option<&FaultConfig> {
        self.config.as_ref()
    }

    pub fn decide(&mut self) -> FaultDecision {
        let Some(config) = &self.config else {
            return FaultDecision::default();
        };
        // Always draw both numbers so a seed gives the same sequence whatever the settings.
        let inject_roll: f64 = self.rng.gen();
        let drop_roll: f64 = self.rng.gen();
        let pick: usize = self.rng.gen();
        let inject = (inject_roll < config.probability).then(|| {
            let status = match config.statuses.len() {
                0 => config.status,
                n => config.statuses[pick % n],
            };
            let mut e = ApiError::new(
                status,
                status_code_name(status),
                format!(
                    "Injected fault: the emulator answered {status} without executing the request."
                ),
            );
            e.retry_after = config.retry_after_seconds;
            e
        });
        FaultDecision {
            latency_ms: config.latency_ms,
            drop_response: inject.is_none() && drop_roll < config.drop_response_probability,
            inject,
        }
    }
}

fn status_code_name(status: u16) -> &'static str {
    match status {
        408 => "RequestTimeout",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "InjectedFault",
    }
}
