//! What an owner is told, as it waits in the outbox (a `notify_owner` job, see
//! [`super::job::Job::NotifyOwner`]). Rendering and sending live in `notify`.

use serde::{Deserialize, Serialize};

use super::money::UsdMicros;

/// What an owner is told. Amounts of crypto travel as the exact decimal text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// A subscriber paid (the owner can switch these off).
    NewPayment { usd_micros: UsdMicros, days: u32 },
    /// A subscriber started a free trial of `days` days (switchable like payments).
    TrialStarted { days: u32 },
    /// A donation arrived (switchable like payments).
    Donation { usd_micros: UsdMicros },
    /// The pending balance reached the threshold; a payout is on its way.
    ThresholdCrossed {
        pending_usd_micros: UsdMicros,
        threshold_usd_micros: UsdMicros,
    },
    /// A payout left the host wallet or the exchange.
    PayoutSent {
        amount: String,
        currency: String,
        network: String,
        tx_hash: String,
    },
    /// A payout failed; `retrying` says whether we try again by ourselves.
    PayoutFailed {
        usd_micros: UsdMicros,
        retrying: bool,
    },
    /// An instant payout below the exchange minimum waits in the balance instead.
    PayoutDeferred {
        owner_usd_micros: UsdMicros,
        minimum_usd_micros: Option<UsdMicros>,
    },
    /// An operator cancelled a payout before anything was sent: its money is back in the
    /// owner's balance and goes out with the next payout.
    PayoutCancelled { usd_micros: UsdMicros },
    /// The bot lost the rights it needs in the channel; sales are paused.
    RightsLost,
    /// The rights are back; sales resume.
    RightsRestored,
    /// The payout wallet was changed.
    WalletChanged {
        currency: String,
        network: String,
        address: String,
    },
}
