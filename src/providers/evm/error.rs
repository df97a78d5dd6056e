//! Why an EVM node call failed, classified for the payout jobs: retryable or not, and the
//! node's transaction-pool verdicts recognisable whatever client the node runs.

use std::time::Duration;

/// Why a call failed. The message of a node's error object is kept verbatim (it names
/// addresses and numbers, never the endpoint).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    #[error("invalid EVM RPC configuration: {0}")]
    Config(&'static str),
    #[error("EVM RPC {method}: transport error: {detail}")]
    Transport {
        method: &'static str,
        detail: String,
    },
    #[error("EVM RPC {method}: no answer within {timeout:?}")]
    Timeout {
        method: &'static str,
        timeout: Duration,
    },
    #[error("EVM RPC {method}: HTTP {status}{}", fmt_opt_message(message.as_deref()))]
    Http {
        method: &'static str,
        status: u16,
        /// The JSON-RPC error message when the body carried one.
        message: Option<String>,
    },
    #[error("EVM RPC {method}: error {code}: {message}")]
    Rpc {
        method: &'static str,
        code: i64,
        message: String,
    },
    #[error("EVM RPC {method}: unreadable answer: {detail}")]
    Decode {
        method: &'static str,
        detail: String,
    },
}

fn fmt_opt_message(message: Option<&str>) -> String {
    message.map(|m| format!(": {m}")).unwrap_or_default()
}

impl RpcError {
    /// The node's own error message, if it sent one.
    pub fn node_message(&self) -> Option<&str> {
        match self {
            Self::Rpc { message, .. } => Some(message),
            Self::Http { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Rpc { code, .. } => Some(*code),
            _ => None,
        }
    }

    fn message_has(&self, needles: &[&str]) -> bool {
        self.node_message().is_some_and(|m| {
            let m = m.to_ascii_lowercase();
            needles.iter().any(|n| m.contains(n))
        })
    }

    /// The transaction's nonce is already used on chain (geth `nonce too low`, Nethermind
    /// `OldNonce`). Not retryable as is: the nonce may have been consumed by this very
    /// transaction, so look its hash up first.
    pub fn is_nonce_too_low(&self) -> bool {
        self.message_has(&["nonce too low", "nonce is too low", "oldnonce"])
    }

    /// The node already has this exact transaction (geth `already known`, older
    /// `known transaction: …`, Nethermind `AlreadyKnown`). A send that ends here succeeded.
    pub fn is_already_known(&self) -> bool {
        self.message_has(&["already known", "alreadyknown", "already imported"])
            || self
                .node_message()
                .is_some_and(|m| m.to_ascii_lowercase().starts_with("known transaction"))
    }

    /// A different transaction with the same nonce is pending and this one does not pay
    /// enough more to replace it.
    pub fn is_replacement_underpriced(&self) -> bool {
        self.message_has(&[
            "replacement transaction underpriced",
            "replacement underpriced",
        ])
    }

    /// The sender cannot pay `gas_limit × max_fee + value`. Terminal until funds arrive.
    pub fn is_insufficient_funds(&self) -> bool {
        self.message_has(&["insufficient funds", "insufficientfunds"])
    }

    /// The fee cap is under the node's minimum or the block base fee.
    pub fn is_fee_too_low(&self) -> bool {
        !self.is_replacement_underpriced()
            && self.message_has(&[
                "transaction underpriced",
                "less than block base fee",
                "feecap too low",
                "fee cap less than",
            ])
    }

    /// The call or estimate would revert.
    pub fn is_execution_reverted(&self) -> bool {
        self.code() == Some(3) || self.message_has(&["execution reverted"])
    }

    /// One of the transaction-pool verdicts above, which a plain retry cannot change.
    pub fn is_tx_rejection(&self) -> bool {
        self.is_nonce_too_low()
            || self.is_already_known()
            || self.is_replacement_underpriced()
            || self.is_insufficient_funds()
            || self.is_fee_too_low()
            || self.is_execution_reverted()
    }

    /// Worth trying again later unchanged: transport failures, timeouts, HTTP 5xx, 429 and
    /// 408, and node errors that mean "busy" (rate limits, `header not found`, internal
    /// errors). Transaction-pool verdicts, bad requests and unreadable answers are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            Self::Rpc { code, .. } => {
                if self.is_tx_rejection() {
                    return false;
                }
                matches!(*code, -32005 | -32603 | 429)
                    || self.message_has(&[
                        "rate limit",
                        "too many requests",
                        "timeout",
                        "timed out",
                        "header not found",
                        "try again",
                        "temporarily",
                        "busy",
                    ])
            }
            Self::Config(_) | Self::Decode { .. } => false,
        }
    }
}

impl RpcError {
    /// Our reading of an error of alloy's provider for `method`: the node's error object, an
    /// HTTP status (with the JSON-RPC message its body may carry), no answer, or an answer we
    /// could not read.
    pub(super) fn from_alloy(
        method: &'static str,
        timeout: Duration,
        err: alloy_transport::TransportError,
    ) -> Self {
        use alloy_json_rpc::RpcError as E;
        use alloy_transport::TransportErrorKind as K;
        match err {
            E::ErrorResp(payload) => Self::Rpc {
                method,
                code: payload.code,
                message: payload.message.into_owned(),
            },
            E::Transport(K::HttpError(http)) => Self::Http {
                method,
                status: http.status,
                message: serde_json::from_str::<serde_json::Value>(&http.body)
                    .ok()
                    .and_then(|v| v.get("error")?.get("message")?.as_str().map(str::to_owned)),
            },
            E::Transport(K::Custom(inner)) => {
                match inner.downcast_ref::<super::transport::NoAnswer>() {
                    Some(n) if n.timeout => Self::Timeout { method, timeout },
                    Some(n) => Self::Transport {
                        method,
                        detail: n.detail.clone(),
                    },
                    None => Self::Transport {
                        method,
                        detail: inner.to_string(),
                    },
                }
            }
            E::Transport(other) => Self::Transport {
                method,
                detail: other.to_string(),
            },
            E::DeserError { err, .. } => Self::Decode {
                method,
                detail: err.to_string(),
            },
            E::NullResp => Self::Decode {
                method,
                detail: "a null result".to_owned(),
            },
            other => Self::Decode {
                method,
                detail: other.to_string(),
            },
        }
    }
}
