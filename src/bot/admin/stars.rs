//! Operators refund a Telegram Stars payment (issue 15): shown on the payment's lookup view,
//! described first (changes nothing), then done on confirmation: `refundStarPayment` gives the
//! Stars back, and one transaction revokes the days it bought, takes back the owner's share
//! that is not paid out yet (an alert when it already was) and writes one admin log row.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, TelegramTransactionId, UserId};
use teloxide::{ApiError, RequestError};

use super::button;
use super::confirm::Plan;
use crate::domain::callbacks::{AdminAction, AdminOp};
use crate::domain::lang::Lang;
use crate::domain::money::UsdMicros;
use crate::i18n::{Arg, t, t_args};
use crate::payments::stars::{RefundOutcome, record_refund};
use crate::services::Ctx;
use crate::store::stars::{ShareState, StarsPayment};

/// The "⭐ Refund Stars" row of a Stars payment's lookup view, while it can be refunded.
pub async fn refund_row(
    ctx: &Ctx,
    lang: Lang,
    payment_id: i64,
) -> anyhow::Result<Option<Vec<InlineKeyboardButton>>> {
    Ok(ctx
        .db
        .stars_payment(payment_id)
        .await?
        .filter(|p| !p.refunded)
        .map(|p| {
            vec![button(
                t_args(
                    lang,
                    "admin-stars-refund-button",
                    &[("stars", Arg::Int(p.stars))],
                ),
                AdminAction::Ask(AdminOp::RefundStars(p.id)),
            )]
        }))
}

fn share_text(lang: Lang, p: &StarsPayment) -> String {
    match p.owner_usd_micros {
        Some(owner) => t_args(
            lang,
            "admin-stars-share",
            &[(
                "owner",
                Arg::Html(UsdMicros::from_micros(owner).to_string()),
            )],
        ),
        None => t(lang, "admin-stars-share-none"),
    }
}

/// What a refund will do; changes nothing.
pub async fn describe(ctx: &Ctx, lang: Lang, op: AdminOp) -> anyhow::Result<Plan> {
    let AdminOp::RefundStars(id) = op else {
        return Ok(Plan::Refused(t(lang, "callback-expired")));
    };
    let Some(p) = ctx.db.stars_payment(id).await? else {
        return Ok(Plan::Refused(t(lang, "admin-stars-not-stars")));
    };
    if p.refunded {
        return Ok(Plan::Refused(t_args(
            lang,
            "admin-stars-already",
            &[("id", Arg::Int(p.id))],
        )));
    }
    Ok(Plan::Ready(t_args(
        lang,
        "admin-stars-ask-refund",
        &[
            ("id", Arg::Int(p.id)),
            ("stars", Arg::Int(p.stars)),
            ("user", Arg::Int(p.user_id)),
            ("share", Arg::Html(share_text(lang, &p))),
        ],
    )))
}

/// Refunds at Telegram, then records it (re-checked inside the transaction).
pub async fn execute(ctx: &Ctx, admin: i64, lang: Lang, op: AdminOp) -> anyhow::Result<String> {
    let AdminOp::RefundStars(id) = op else {
        return Ok(t(lang, "callback-expired"));
    };
    let Some(p) = ctx.db.stars_payment(id).await? else {
        return Ok(t(lang, "admin-stars-not-stars"));
    };
    if p.refunded {
        return Ok(t_args(
            lang,
            "admin-stars-already",
            &[("id", Arg::Int(p.id))],
        ));
    }
    let user = UserId(u64::try_from(p.user_id)?);
    let refund = ctx
        .bot
        .refund_star_payment(user, TelegramTransactionId(p.charge_id.clone()))
        .await;
    match refund {
        Ok(_) => {}
        // Refunded at Telegram already (another operator's press a moment ago, or a retry
        // after a lost answer): record it here too; the transaction decides whether it is new.
        Err(RequestError::Api(ApiError::Unknown(ref d)))
            if d.contains("CHARGE_ALREADY_REFUNDED") => {}
        Err(e) => {
            let error = ctx.redact(&e.to_string());
            tracing::warn!(user_id = admin, payment_id = id, %error, "refundStarPayment failed");
            return Ok(t_args(
                lang,
                "admin-stars-refund-failed",
                &[("error", Arg::Text(error))],
            ));
        }
    }
    let outcome = record_refund(&ctx.db, id, admin, ctx.clock.now()).await?;
    tracing::warn!(
        user_id = admin,
        payment_id = id,
        ?outcome,
        "Stars payment refunded by an operator"
    );
    Ok(match outcome {
        RefundOutcome::NotFound => t(lang, "admin-stars-not-stars"),
        RefundOutcome::AlreadyRefunded => {
            t_args(lang, "admin-stars-already", &[("id", Arg::Int(id))])
        }
        RefundOutcome::Refunded { share, .. } => {
            let share = match share {
                ShareState::NotValued => t(lang, "admin-stars-share-none"),
                ShareState::Unpaid { usd_micros } => t_args(
                    lang,
                    "admin-stars-taken-back",
                    &[(
                        "owner",
                        Arg::Html(UsdMicros::from_micros(usd_micros).to_string()),
                    )],
                ),
                ShareState::PaidOut { usd_micros } => t_args(
                    lang,
                    "admin-stars-paid-out",
                    &[(
                        "owner",
                        Arg::Html(UsdMicros::from_micros(usd_micros).to_string()),
                    )],
                ),
            };
            t_args(
                lang,
                "admin-stars-refunded",
                &[
                    ("id", Arg::Int(id)),
                    ("stars", Arg::Int(p.stars)),
                    ("share", Arg::Html(share)),
                ],
            )
        }
    })
}
