//! ChangeNOW's v2 names, written from its API documents (reference/apis.md §B.2, §B.4), not
//! from the product's client: an asset is a lowercase ticker plus a network, and an exchange
//! has one of the documented statuses.

use std::fmt;

/// A v2 currency: lowercase ticker plus network (§B.2), e.g. `usdt`/`bsc` for USDT-BEP20 or
/// `btc`/`btc` for a native coin.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Asset {
    pub ticker: String,
    pub network: String,
}

impl Asset {
    /// ChangeNOW's names are lowercase; blanks around them mean nothing.
    pub fn new(ticker: &str, network: &str) -> Self {
        Self {
            ticker: ticker.trim().to_ascii_lowercase(),
            network: network.trim().to_ascii_lowercase(),
        }
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ticker, self.network)
    }
}

/// The status of an exchange in `GET /v2/exchange/by-id` (§B.4). A fresh exchange has no
/// status field in the create answer and counts as `new`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExchangeState {
    /// Created, no deposit yet.
    New,
    /// Waiting for the deposit.
    Waiting,
    /// Deposit seen, waiting for confirmations.
    Confirming,
    /// Confirmed, swapping.
    Exchanging,
    /// Paying out to the payout address.
    Sending,
    /// Payout sent; `payoutHash` and `amountTo` are set.
    Finished,
    /// Most often a deposit below the minimum.
    Failed,
    /// Funds returned to the refund address.
    Refunded,
    /// AML/KYC hold.
    Verifying,
    /// Not in the v2 table, but v1 and fixed-rate documents name it for an exchange that got
    /// no deposit in time; the simulator uses it for that.
    Expired,
    /// Any other text a test forces onto an exchange (`force_status`), to see how a client
    /// copes with a status it does not know.
    Other(String),
}

impl ExchangeState {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::New => "new",
            Self::Waiting => "waiting",
            Self::Confirming => "confirming",
            Self::Exchanging => "exchanging",
            Self::Sending => "sending",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Verifying => "verifying",
            Self::Expired => "expired",
            Self::Other(s) => s,
        }
    }

    /// The state for a wire name; unknown names are kept as they were given.
    pub fn from_name(name: &str) -> Self {
        match name {
            "new" => Self::New,
            "waiting" => Self::Waiting,
            "confirming" => Self::Confirming,
            "exchanging" => Self::Exchanging,
            "sending" => Self::Sending,
            "finished" => Self::Finished,
            "failed" => Self::Failed,
            "refunded" => Self::Refunded,
            "verifying" => Self::Verifying,
            "expired" => Self::Expired,
            other => Self::Other(other.to_owned()),
        }
    }

    /// No deposit seen yet: `new` or `waiting`.
    pub fn is_awaiting_deposit(&self) -> bool {
        matches!(self, Self::New | Self::Waiting)
    }
}

impl fmt::Display for ExchangeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
