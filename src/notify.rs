//! Every direct message to a channel owner (SPEC §2.9) goes through here: producers enqueue a
//! [`Notice`] into the outbox ([`crate::store::outbox`]) as a durable job in the same
//! transaction as the change it reports, and the [`NotifyOwner`] job renders it in the owner's
//! language and sends it, honouring the owner's switches. A notice is therefore never lost when
//! the process dies, and never sent for a change that was rolled back.

use futures::FutureExt;
use futures::future::BoxFuture;
use teloxide::prelude::*;
use teloxide::types::{ChatId, ParseMode};

use crate::access::telegram_errors::{TgFailure, classify, job_error};
use crate::domain::job::Job;
use crate::domain::lang::Lang;
use crate::domain::money::UsdMicros;
use crate::i18n::{Arg, t_args};
use crate::jobs::{JobError, JobHandler, decode};
use crate::services::Ctx;
use crate::store::Db;
use crate::store::channels::Channel;
use crate::store::jobs::ClaimedJob;
use crate::store::outbox::Notice;

/// Notices the owner may switch off with the channel's notification switch.
fn optional(notice: &Notice) -> bool {
    matches!(
        notice,
        Notice::NewPayment { .. } | Notice::Donation { .. } | Notice::TrialStarted { .. }
    )
}

fn usd(lang: Lang, amount: UsdMicros) -> Arg {
    Arg::Html(amount.localized(lang))
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
        Notice::TrialStarted { days } => t_args(
            lang,
            "owner-trial-started",
            &[title(), ("days", Arg::Int(i64::from(*days)))],
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
        Notice::PayoutCancelled { usd_micros } => t_args(
            lang,
            "owner-payout-cancelled",
            &[title(), ("amount", usd(lang, *usd_micros))],
        ),
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
            let Job::NotifyOwner { channel_id, notice } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            let Some(channel) = ctx
                .db
                .channel(channel_id)
                .await
                .map_err(JobError::retryable)?
            else {
                return Err(JobError::terminal(anyhow::anyhow!(
                    "notice for unknown channel {}",
                    channel_id
                )));
            };
            if optional(&notice) && !channel.notify_payments {
                return Ok(());
            }
            let lang = ctx.db.user_lang(channel.owner_id).await;
            let text = render(&ctx.db, lang, &channel, &notice).await;
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
                            user_id = channel.owner_id,
                            channel_id = channel.id,
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
    fn only_payment_notices_are_optional() {
        assert!(optional(&Notice::NewPayment {
            usd_micros: UsdMicros::from_micros(1),
            days: 1
        }));
        assert!(optional(&Notice::Donation {
            usd_micros: UsdMicros::from_micros(1)
        }));
        assert!(!optional(&Notice::RightsLost));
        assert!(!optional(&Notice::PayoutFailed {
            usd_micros: UsdMicros::from_micros(1),
            retrying: true
        }));
    }
}
