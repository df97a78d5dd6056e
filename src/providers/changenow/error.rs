//! Why a ChangeNOW call failed, and how an answer that is not 2xx is read.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::providers::http::{ApiCore, Failure, snippet};
use crate::providers::json_number::{numbers_as_strings, parse_amount_text, short};

/// Why a ChangeNOW call failed. Neither `Display` nor `Debug` ever contains the API key: it is
/// scrubbed from any text ChangeNOW echoes back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CnError {
    /// No answer within the client's timeout. For a POST the exchange may or may not exist.
    #[error("ChangeNOW did not answer in time")]
    Timeout,
    /// The connection could not be made: the request never reached ChangeNOW.
    #[error("could not connect to ChangeNOW: {0}")]
    Connect(String),
    /// The connection broke while the request was in flight.
    #[error("network error talking to ChangeNOW: {0}")]
    Network(String),
    /// A non-2xx answer; `code` and `message` come from ChangeNOW's
    /// `{"error":"<code>","message":"<text>"}` body (§B.5), or `message` is a short excerpt of
    /// whatever else came back.
    #[error("ChangeNOW answered HTTP {status} ({}): {message}", code.as_deref().unwrap_or("no code"))]
    Api {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// A 2xx answer we could not read.
    #[error("unreadable ChangeNOW answer: {0}")]
    Decode(String),
    /// Refused before sending: the request itself is wrong.
    #[error("invalid ChangeNOW request: {0}")]
    InvalidRequest(String),
    /// The client could not be built (URL, key, TLS).
    #[error("ChangeNOW client configuration: {0}")]
    Config(String),
}

impl CnError {
    /// Whether the same call may succeed later: timeouts, connection and network errors, 429
    /// and 5xx. Every other 4xx, unreadable answers and invalid requests are terminal and must
    /// not be retried (lessons 41, 57).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Connect(_) | Self::Network(_) => true,
            Self::Api { status, .. } => *status >= 500 || *status == 429,
            Self::Decode(_) | Self::InvalidRequest(_) | Self::Config(_) => false,
        }
    }

    /// For `create_exchange`: whether ChangeNOW may have created the exchange although we got
    /// no usable answer (timeout, broken connection, 5xx). Re-creating then risks a second
    /// exchange, and sending to both a double payout: reconcile or alert instead.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Timeout | Self::Network(_) => true,
            Self::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The HTTP status of an API answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// ChangeNOW's machine code (`out_of_range`, `not_valid_address`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// ChangeNOW's human text of an API answer.
    pub fn api_message(&self) -> Option<&str> {
        match self {
            Self::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The amount is outside the pair's range (`out_of_range`).
    pub fn is_out_of_range(&self) -> bool {
        self.code() == Some("out_of_range")
    }

    /// The payout address was refused (`not_valid_address`). The refund address has its own
    /// code, see [`Self::is_not_valid_refund_address`].
    pub fn is_not_valid_address(&self) -> bool {
        self.code() == Some("not_valid_address")
    }

    pub fn is_not_valid_refund_address(&self) -> bool {
        self.code() == Some("not_valid_refund_address")
    }

    /// 401 (no key) or 403 `invalid_api_key`.
    pub fn is_auth_error(&self) -> bool {
        self.status() == Some(401) || self.code() == Some("invalid_api_key")
    }

    /// The minimum in an `out_of_range` message: "Amount is less then minimal: 0.0223925 XMR"
    /// (sic) gives 0.0223925.
    pub fn minimal_amount(&self) -> Option<Decimal> {
        if !self.is_out_of_range() {
            return None;
        }
        let message = self.api_message()?;
        let (_, rest) = message.split_once("minimal:")?;
        let number = rest.split_whitespace().next()?;
        parse_amount_text(number).ok()
    }
}

/// Longest error message kept from a response body.
pub(super) const SNIPPET_CHARS: usize = 200;

impl CnError {
    /// Gives a failed attempt its ChangeNOW meaning.
    pub(super) fn from_failure(core: &ApiCore, failure: Failure) -> Self {
        match failure {
            Failure::Transport {
                connect: true,
                detail,
                ..
            } => Self::Connect(detail),
            Failure::Transport { timeout: true, .. } => Self::Timeout,
            Failure::Transport {
                builder: true,
                detail,
                ..
            } => Self::InvalidRequest(detail),
            Failure::Transport { detail, .. } => Self::Network(detail),
            Failure::Status { status, body } => Self::classify(core, status, &body),
        }
    }

    /// Maps a non-2xx answer: `{"error":"<code>","message":"<text>"}` (§B.5), or a short
    /// excerpt of any other body.
    pub(super) fn classify(core: &ApiCore, status: u16, body: &[u8]) -> Self {
        let json = serde_json::from_slice::<Value>(&numbers_as_strings(body))
            .ok()
            .filter(Value::is_object);
        let (code, message) = match json {
            Some(v) => {
                let code = match v.get("error") {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                    _ => None,
                };
                let message = match v.get("message") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                (code, snippet(&message, SNIPPET_CHARS))
            }
            None => (None, snippet(&String::from_utf8_lossy(body), SNIPPET_CHARS)),
        };
        Self::Api {
            status,
            code: code.map(|c| core.redact(&short(&c, 64))),
            message: core.redact(&message),
        }
    }
}
