//! Why a NOWPayments call failed, and how an answer that is not 2xx is read.

use serde_json::Value;

use crate::providers::http::{ApiCore, Failure, snippet};

/// Why a NOWPayments call failed. Messages never contain the API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NpError {
    /// 403 `INVALID_API_KEY`: missing, wrong, or a sandbox key on production (or the reverse).
    #[error("NOWPayments refused the API key (INVALID_API_KEY)")]
    InvalidApiKey,
    /// 429 (or an HTML 403) from the edge, with no Retry-After.
    #[error("NOWPayments rate limit hit")]
    RateLimited,
    /// Any other non-2xx answer; `message` is NOWPayments' text or a short snippet of an
    /// HTML page.
    #[error("NOWPayments answered HTTP {status} ({}): {message}", code.as_deref().unwrap_or("no code"))]
    Api {
        status: u16,
        code: Option<String>,
        message: String,
    },
    #[error("NOWPayments did not answer in time")]
    Timeout,
    #[error("network error talking to NOWPayments: {0}")]
    Network(String),
    /// A 2xx answer we could not read.
    #[error("unreadable NOWPayments answer: {0}")]
    Decode(String),
    /// Refused before sending: the request itself is wrong (never retried).
    #[error("invalid NOWPayments request: {0}")]
    InvalidRequest(String),
}

impl NpError {
    /// Whether trying again later may succeed: rate limits, 5xx, timeouts and network errors.
    /// 4xx answers (wrong key, validation, minimum amount) will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited | Self::Timeout | Self::Network(_) => true,
            Self::Api { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            Self::InvalidApiKey | Self::Decode(_) | Self::InvalidRequest(_) => false,
        }
    }

    /// Whether the client itself backs off and retries this answer (429 and 5xx only: a
    /// timeout already cost the whole time budget and is left to the caller's job retry).
    pub(super) fn backs_off(&self) -> bool {
        match self {
            Self::RateLimited => true,
            Self::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// Longest error message kept from a response body.
pub(super) const SNIPPET_CHARS: usize = 160;

impl NpError {
    /// Gives a failed attempt its NOWPayments meaning.
    pub(super) fn from_failure(core: &ApiCore, failure: Failure) -> Self {
        match failure {
            Failure::Transport { timeout: true, .. } => Self::Timeout,
            // The chain says why (refused, reset, DNS); the URL is left out and the key
            // scrubbed.
            Failure::Transport { detail, .. } => Self::Network(detail),
            Failure::Status { status, body } => Self::classify(core, status, &body),
        }
    }

    /// Maps a non-2xx answer. JSON bodies follow `{"status":false,"statusCode","code",
    /// "message"}`; the edge's rate-limit pages are HTML.
    pub(super) fn classify(core: &ApiCore, status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let json = serde_json::from_slice::<Value>(body)
            .ok()
            .filter(Value::is_object);
        let Some(json) = json else {
            return match status {
                // The edge answers a rate-limit breach with an HTML 429, sometimes a 403; a
                // wrong key is always the JSON error.
                429 | 403 => Self::RateLimited,
                _ => Self::Api {
                    status,
                    code: None,
                    message: core.redact(&snippet(&text, SNIPPET_CHARS)),
                },
            };
        };
        let code = json.get("code").and_then(Value::as_str).map(str::to_owned);
        if code.as_deref() == Some("INVALID_API_KEY") {
            return Self::InvalidApiKey;
        }
        if status == 429 {
            return Self::RateLimited;
        }
        let message = match json.get("message").or_else(|| json.get("error")) {
            Some(Value::String(s)) => s.clone(),
            // Validation errors sometimes come as a list of messages.
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("; "),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        Self::Api {
            status,
            code: code.map(|c| core.redact(&c)),
            message: core.redact(&snippet(&message, SNIPPET_CHARS)),
        }
    }
}
