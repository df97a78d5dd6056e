//! The outbox of owner notices: a [`Notice`] is queued as a durable `notify_owner` job in the
//! same transaction as the change it reports, so it is never lost when the process dies and
//! never sent for a change that was rolled back. Rendering and sending live in `notify`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::domain::job_kinds;
use crate::domain::time::UnixMillis;
use crate::store::jobs::{NewJob, enqueue_job};
use crate::store::{Db, StoreError, StoreResult};

/// How long a notice keeps being retried before it is given up (and shown to admins).
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

/// What an owner is told. Amounts of crypto travel as the exact decimal text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// A subscriber paid (the owner can switch these off).
    NewPayment { usd_micros: i64, days: u32 },
    /// A donation arrived (switchable like payments).
    Donation { usd_micros: i64 },
    /// The pending balance reached the threshold; a payout is on its way.
    ThresholdCrossed {
        pending_usd_micros: i64,
        threshold_usd_micros: i64,
    },
    /// A payout left the host wallet or the exchange.
    PayoutSent {
        amount: String,
        currency: String,
        network: String,
        tx_hash: String,
    },
    /// A payout failed; `retrying` says whether we try again by ourselves.
    PayoutFailed { usd_micros: i64, retrying: bool },
    /// An instant payout below the exchange minimum waits in the balance instead.
    PayoutDeferred {
        owner_usd_micros: i64,
        minimum_usd_micros: Option<i64>,
    },
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

/// The payload of a `notify_owner` job.
#[derive(Debug, Serialize, Deserialize)]
pub struct NoticeJob {
    pub channel_id: i64,
    pub notice: Notice,
}

/// Queues `notice` for the owner of `channel_id` in the caller's transaction. `key` makes it
/// happen once: the same key twice is one message.
pub async fn enqueue(
    conn: &mut AnyConnection,
    channel_id: i64,
    notice: Notice,
    key: &str,
    now: UnixMillis,
) -> StoreResult<()> {
    let payload = serde_json::to_value(NoticeJob { channel_id, notice })
        .map_err(|e| StoreError::Corrupt(format!("notice: {e}")))?;
    enqueue_job(
        conn,
        &NewJob {
            kind: job_kinds::NOTIFY_OWNER.to_owned(),
            unique_key: Some(format!("notify:{key}")),
            payload,
            run_at: now,
            give_up_at: now.saturating_add(GIVE_UP_AFTER),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Queues a notice outside any other change (its own short transaction).
pub async fn enqueue_now(
    db: &Db,
    channel_id: i64,
    notice: Notice,
    key: &str,
    now: UnixMillis,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    enqueue(&mut tx, channel_id, notice, key, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips() {
        let n = Notice::PayoutSent {
            amount: "0.000000000000000001".into(),
            currency: "ETH".into(),
            network: "ETH".into(),
            tx_hash: "0xabc".into(),
        };
        let v = serde_json::to_value(NoticeJob {
            channel_id: 7,
            notice: n.clone(),
        })
        .unwrap();
        let back: NoticeJob = serde_json::from_value(v).unwrap();
        assert_eq!(back.notice, n);
        assert_eq!(back.channel_id, 7);
    }
}
