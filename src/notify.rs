//! Every direct message to a channel owner (SPEC §2.9) goes through here: producers enqueue a
//! [`Notice`] as a durable job in the same transaction as the change it reports, and the
//! [`NotifyOwner`] job renders it in the owner's language and sends it, honouring the owner's
//! switches. A notice is therefore never lost when the process dies, and never sent for a
//! change that was rolled back.

use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use teloxide::prelude::*;
use teloxide::types::{ChatId, ParseMode};

use crate::access::telegram_errors::{TgFailure, classify, job_error};
use crate::domain::job_kinds;
use crate::domain::lang::Lang;
use crate::domain::money::UsdMicros;
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t_args};
use crate::jobs::{JobError, JobHandler};
use crate::services::Ctx;
use crate::store::channels::Channel;
use crate::store::jobs::{ClaimedJob, NewJob, enqueue_job};
use crate::store::{Db, StoreResult};

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

impl Notice {
    /// Notices the owner may switch off with the channel's notification switch.
    fn optional(&self) -> bool {
        matches!(self, Notice::NewPayment { .. } | Notice::Donation { .. })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    channel_id: i64,
    notice: Notice,
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
    let payload = serde_json::to_value(Payload { channel_id, notice })
        .map_err(|e| crate::store::StoreError::Corrupt(format!("notice: {e}")))?;
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

fn usd(lang: Lang, micros: i64) -> Arg {
    Arg::Html(UsdMicros::from_micros(micros).localized(lang))
}

/// The text of a notice for this channel, in `lang`.
pub async fn render(db: &Db, lang: Lang, channel: &Channel, notice: &Notice) -> String {
    let title = || ("channel", Arg::from(channel.title.as_str()));
    match notice {
        Notice::NewPayment { usd_micros, days } => t_args(
            lang,
            "owner-new-payment",
            &[
                title(),
                ("price", usd(lang, *usd_micros)),
                ("days", Arg::Html(days.to_string())),
            ],
        ),
        Notice::Donation { usd_micros } => t_args(
            lang,
            "owner-donation",
            &[title(), ("price", usd(lang, *usd_micros))],
        ),
        Notice::ThresholdCrossed {
            pending_usd_micros,
            threshold_usd_micros,
        } => t_args(
            lang,
            "owner-threshold-crossed",
            &[
                title(),
                ("pending", usd(lang, *pending_usd_micros)),
                ("threshold", usd(lang, *threshold_usd_micros)),
            ],
        ),
        Notice::PayoutSent {
            amount,
            currency,
            network,
            tx_hash,
        } => {
            let link = match db.network(network).await {
                Ok(Some(n)) => n.tx_url(tx_hash),
                _ => String::new(),
            };
            t_args(
                lang,
                "owner-payout-sent",
                &[
                    title(),
                    ("amount", Arg::from(amount.as_str())),
                    ("currency", Arg::from(currency.as_str())),
                    ("network", Arg::from(network.as_str())),
                    ("tx", Arg::from(tx_hash.as_str())),
                    ("link", Arg::from(link.as_str())),
                ],
            )
        }
        Notice::PayoutFailed {
            usd_micros,
            retrying,
        } => {
            let key = if *retrying {
                "owner-payout-failed-retrying"
            } else {
                "owner-payout-failed-review"
            };
            t_args(lang, key, &[title(), ("amount", usd(lang, *usd_micros))])
        }
        Notice::PayoutDeferred {
            owner_usd_micros,
            minimum_usd_micros,
        } => match minimum_usd_micros {
            Some(min) => t_args(
                lang,
                "owner-payout-deferred-min",
                &[
                    title(),
                    ("amount", usd(lang, *owner_usd_micros)),
                    ("minimum", usd(lang, *min)),
                ],
            ),
            None => t_args(
                lang,
                "owner-payout-deferred",
                &[title(), ("amount", usd(lang, *owner_usd_micros))],
            ),
        },
        Notice::RightsLost => t_args(lang, "owner-rights-lost", &[title()]),
        Notice::RightsRestored => t_args(lang, "owner-rights-restored", &[title()]),
        Notice::WalletChanged {
            currency,
            network,
            address,
        } => t_args(
            lang,
            "owner-wallet-changed",
            &[
                title(),
                ("currency", Arg::from(currency.as_str())),
                ("network", Arg::from(network.as_str())),
                ("address", Arg::from(address.as_str())),
            ],
        ),
    }
}

/// Sends queued notices.
pub struct NotifyOwner(pub Ctx);

impl JobHandler for NotifyOwner {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let p: Payload = serde_json::from_value(job.payload.clone())
                .map_err(|e| JobError::terminal(anyhow::anyhow!("bad payload: {e}")))?;
            let Some(channel) = ctx
                .db
                .channel(p.channel_id)
                .await
                .map_err(JobError::retryable)?
            else {
                return Err(JobError::terminal(anyhow::anyhow!(
                    "notice for unknown channel {}",
                    p.channel_id
                )));
            };
            if p.notice.optional() && !channel.notify_payments {
                return Ok(());
            }
            let lang = ctx.db.user_lang(channel.owner_id).await;
            let text = render(&ctx.db, lang, &channel, &p.notice).await;
            match ctx
                .bot
                .send_message(ChatId(channel.owner_id), text)
                .parse_mode(ParseMode::Html)
                .await
            {
                Ok(_) => Ok(()),
                Err(e) => match classify(&e) {
                    TgFailure::Transient => Err(job_error(e, "sendMessage (owner notice)")),
                    TgFailure::UserUnreachable => {
                        tracing::info!(
                            owner = channel.owner_id,
                            "owner unreachable; notice dropped"
                        );
                        Ok(())
                    }
                    _ => Err(job_error(e, "sendMessage (owner notice)")),
                },
            }
        }
        .boxed()
    }
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
        let v = serde_json::to_value(Payload {
            channel_id: 7,
            notice: n.clone(),
        })
        .unwrap();
        let back: Payload = serde_json::from_value(v).unwrap();
        assert_eq!(back.notice, n);
        assert_eq!(back.channel_id, 7);
    }

    #[test]
    fn only_payment_notices_are_optional() {
        assert!(
            Notice::NewPayment {
                usd_micros: 1,
                days: 1
            }
            .optional()
        );
        assert!(Notice::Donation { usd_micros: 1 }.optional());
        assert!(!Notice::RightsLost.optional());
        assert!(
            !Notice::PayoutFailed {
                usd_micros: 1,
                retrying: true
            }
            .optional()
        );
    }
}
