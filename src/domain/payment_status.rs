//! A NOWPayments payment status (reference/apis.md §A.4) and the forward-only order of
//! statuses. A domain type: IPNs and `GET /payment/{id}` parse into it, the intake's rules
//! rank it, and the `payment_progress` job carries it.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A payment status (apis.md §A.4). New statuses parse as [`PaymentStatus::Unknown`] so that a
/// status NOWPayments adds later never makes an IPN unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    Waiting,
    Confirming,
    Confirmed,
    Sending,
    PartiallyPaid,
    Finished,
    Failed,
    Refunded,
    Expired,
    /// Anything else, lowercased (e.g. the dashboard-only `cancelled`).
    Unknown(String),
}

impl PaymentStatus {
    /// Every documented status, in the order of [`PaymentStatus::rank`].
    pub const KNOWN: [PaymentStatus; 9] = [
        PaymentStatus::Waiting,
        PaymentStatus::Confirming,
        PaymentStatus::Confirmed,
        PaymentStatus::Sending,
        PaymentStatus::PartiallyPaid,
        PaymentStatus::Finished,
        PaymentStatus::Failed,
        PaymentStatus::Expired,
        PaymentStatus::Refunded,
    ];

    /// Parses a wire status; case and surrounding blanks are ignored. Never fails.
    pub fn parse(s: &str) -> Self {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "waiting" => Self::Waiting,
            "confirming" => Self::Confirming,
            "confirmed" => Self::Confirmed,
            "sending" => Self::Sending,
            "partially_paid" => Self::PartiallyPaid,
            "finished" => Self::Finished,
            "failed" => Self::Failed,
            "refunded" => Self::Refunded,
            "expired" => Self::Expired,
            _ => Self::Unknown(s),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Waiting => "waiting",
            Self::Confirming => "confirming",
            Self::Confirmed => "confirmed",
            Self::Sending => "sending",
            Self::PartiallyPaid => "partially_paid",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Expired => "expired",
            Self::Unknown(s) => s,
        }
    }

    /// Position for forward-only updates: a stored status is replaced only by one of a higher
    /// rank (and never once it [is final](Self::is_final)).
    ///
    /// `unknown (0) < waiting (1) < confirming (2) < confirmed (3) < sending (4)
    ///  < partially_paid (5) < finished = failed = expired (6) < refunded (7)`
    ///
    /// Why this order:
    /// - the progress statuses follow NOWPayments' documented path; steps can be skipped, and
    ///   IPNs arrive out of order, so an older step arriving late must rank lower;
    /// - `partially_paid` ranks below `finished` because `actually_paid` is cumulative: a buyer
    ///   who sends the rest before expiry turns the same payment `finished`, while `finished`
    ///   must never fall back to `partially_paid`;
    /// - `finished`, `failed` and `expired` are alternative ends of one payment, so they share a
    ///   rank: none of them may overwrite another;
    /// - `refunded` ranks last because it is the only status that can follow another end
    ///   (support refunds a `partially_paid` or `failed` deposit);
    /// - an unknown status ranks lowest: it may be recorded but never moves a payment.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Unknown(_) => 0,
            Self::Waiting => 1,
            Self::Confirming => 2,
            Self::Confirmed => 3,
            Self::Sending => 4,
            Self::PartiallyPaid => 5,
            Self::Finished | Self::Failed | Self::Expired => 6,
            Self::Refunded => 7,
        }
    }

    /// No further IPN is expected in the normal flow: `finished`, `failed`, `expired` and
    /// `refunded`. `partially_paid` is not final (see [`Self::rank`]).
    ///
    /// Caveat (apis.md §A.4): after `expired` NOWPayments sends no IPN, yet a late deposit can
    /// still turn the payment `finished`, visible only through `GET /payment/{id}`; a reconciler
    /// must keep polling expired payments rather than trust this flag alone.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Finished | Self::Failed | Self::Expired | Self::Refunded
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentStatus {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl Serialize for PaymentStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PaymentStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StatusVisitor;
        impl Visitor<'_> for StatusVisitor {
            type Value = PaymentStatus;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a payment status string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PaymentStatus, E> {
                Ok(PaymentStatus::parse(v))
            }
        }
        deserializer.deserialize_str(StatusVisitor)
    }
}
