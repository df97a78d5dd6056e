//! NOWPayments' payment statuses as its documents list them (reference/apis.md §A.4), written
//! for the simulator rather than taken from the product's client.

use std::fmt;

/// The `payment_status` of a payment. The dashboard's manual `cancelled` is not here: the API
/// never sends it on its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// The initial status; no funds seen.
    Waiting,
    /// The deposit is on chain and gaining confirmations.
    Confirming,
    /// Enough confirmations.
    Confirmed,
    /// Funds are being forwarded to the merchant.
    Sending,
    /// The buyer sent less than `pay_amount`; the funds were forwarded anyway.
    PartiallyPaid,
    /// Complete.
    Finished,
    /// Usually a deposit below the pair minimum.
    Failed,
    /// Funds returned to the buyer (rare).
    Refunded,
    /// No deposit in time. No IPN follows, though a late deposit can still finish the payment.
    Expired,
}

impl PaymentStatus {
    /// Every documented status.
    pub const ALL: [PaymentStatus; 9] = [
        PaymentStatus::Waiting,
        PaymentStatus::Confirming,
        PaymentStatus::Confirmed,
        PaymentStatus::Sending,
        PaymentStatus::PartiallyPaid,
        PaymentStatus::Finished,
        PaymentStatus::Failed,
        PaymentStatus::Refunded,
        PaymentStatus::Expired,
    ];

    /// The wire name, as in `payment_status`.
    pub fn as_str(&self) -> &'static str {
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
        }
    }

    /// The status of a wire name; `None` for a name the documents do not list.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What is left of the typical path `waiting → confirming → confirmed → sending →
    /// finished` from this status. A payment that ended (`finished`, `failed`, `expired`,
    /// `refunded`) has nothing left; `partially_paid` can still finish.
    pub(crate) fn rest_of_path(&self) -> &'static [PaymentStatus] {
        use PaymentStatus::*;
        match self {
            Waiting => &[Confirming, Confirmed, Sending, Finished],
            Confirming => &[Confirmed, Sending, Finished],
            Confirmed => &[Sending, Finished],
            Sending | PartiallyPaid => &[Finished],
            Finished | Failed | Refunded | Expired => &[],
        }
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
