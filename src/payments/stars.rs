//! Telegram Stars (issue 15): a tier sold for Stars. The checkout opens our invoice at once
//! (Telegram is the provider), the pre-checkout answer checks it is still payable, and a
//! `successful_payment` is recorded as a payment of that invoice and granted through the one
//! grant path of the intake ([`super::intake::apply`]) — in one transaction, keyed by
//! Telegram's charge id, so a replayed update changes nothing.
//!
//! Money: the platform receives Stars, not crypto. The payment's USD value is
//! `stars × STARS_USD_RATE` (USD per Star net of Telegram's share), rounded down to the
//! micro-dollar, and its outcome is recorded in the host asset (a USD stablecoin), so the
//! valuation takes it 1:1 and never asks for a conversion; the fee split, accumulations,
//! instant payouts from the host wallet, statements and the audit then work as for any payment.

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;

use super::checkout::CheckoutError;
use super::checks::Settlement;
use super::intake::{IntakeOutcome, IntakeRules, apply};
use crate::domain::money::UsdMicros;
use crate::domain::states::InvoiceStatus;
use crate::domain::time::UnixMillis;
use crate::providers::nowpayments::NpPayment;
use crate::services::Ctx;
use crate::store::invoices::{Invoice, InvoiceKind, NewInvoice};
use crate::store::outbox::alert;
use crate::store::payments::{self as sql, NewPayment};
use crate::store::stars::{self as stars_sql, StarsClaim};
use crate::store::{Db, StoreError, StoreResult};

/// The currency code of Telegram Stars.
pub const XTR: &str = "XTR";

/// The USD value of `stars` at `rate` USD per Star, rounded down to the micro-dollar.
pub fn stars_value(stars: i64, rate: Decimal) -> Option<UsdMicros> {
    let usd = Decimal::from(stars).checked_mul(rate)?;
    UsdMicros::from_decimal_rounded(usd, RoundingStrategy::ToZero)
        .ok()
        .filter(|v| v.micros() > 0)
}

/// The invoice payload we give Telegram: our invoice id, nothing else.
pub fn payload(invoice_id: i64) -> String {
    invoice_id.to_string()
}

fn parse_payload(payload: &str) -> Option<i64> {
    payload
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0 && id.to_string() == payload)
}

/// Opens (or reuses) the Stars invoice of `user_id` for `tier_id`; with its Stars amount.
pub async fn checkout_stars(
    ctx: &Ctx,
    user_id: i64,
    tier_id: i64,
) -> Result<(Invoice, i64), CheckoutError> {
    let Some(rate) = ctx.config.rules.stars_usd_rate else {
        return Err(CheckoutError::NotOnSale);
    };
    let tier = ctx.db.tier(tier_id).await?.ok_or(CheckoutError::TierGone)?;
    let stars = ctx
        .db
        .tier_price_stars(tier.id)
        .await?
        .ok_or(CheckoutError::TierGone)?;
    let channel = ctx
        .db
        .channel(tier.channel_id)
        .await?
        .ok_or(CheckoutError::TierGone)?;
    if !channel.on_sale() {
        return Err(CheckoutError::NotOnSale);
    }
    let price = stars_value(stars, rate).ok_or(CheckoutError::TierGone)?;
    let now = ctx.clock.now();
    let new = NewInvoice {
        kind: InvoiceKind::Subscription,
        user_id,
        channel_id: channel.id,
        tier_id: Some(tier.id),
        parent_invoice_id: None,
        price,
        days: Some(tier.days),
        expires_at: now.saturating_add(ctx.config.rules.invoice_ttl),
    };
    match ctx.db.stars_checkout(&new, stars, now).await? {
        StarsClaim::Open(invoice) | StarsClaim::Created(invoice) => Ok((invoice, stars)),
        StarsClaim::Busy => Err(CheckoutError::Busy),
    }
}

/// Why a pre-checkout query is refused (each has its own text for the payer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not an invoice of ours, or not this user's, or not for this amount.
    Invalid,
    /// Expired, paid or replaced by a newer checkout.
    Expired,
    /// The channel stopped selling (or Stars were turned off).
    NotOnSale,
}

/// Decides the answer to a `pre_checkout_query`: ok only for an open, unexpired Stars invoice
/// of this user at exactly this amount in XTR, of a channel on sale.
pub async fn check_pre_checkout(
    ctx: &Ctx,
    from_user: i64,
    currency: &str,
    total_amount: i64,
    invoice_payload: &str,
) -> StoreResult<Result<i64, Refusal>> {
    let Some(id) = parse_payload(invoice_payload) else {
        return Ok(Err(Refusal::Invalid));
    };
    let Some(inv) = ctx.db.stars_invoice(id).await? else {
        return Ok(Err(Refusal::Invalid));
    };
    if currency != XTR || inv.stars != total_amount || inv.invoice.user_id != from_user {
        return Ok(Err(Refusal::Invalid));
    }
    if ctx.config.rules.stars_usd_rate.is_none() {
        return Ok(Err(Refusal::NotOnSale));
    }
    let now = ctx.clock.now();
    if inv.invoice.status != InvoiceStatus::Open || inv.invoice.expires_at <= now {
        return Ok(Err(Refusal::Expired));
    }
    let on_sale = ctx
        .db
        .channel(inv.invoice.channel_id)
        .await?
        .is_some_and(|c| c.on_sale());
    if !on_sale {
        return Ok(Err(Refusal::NotOnSale));
    }
    Ok(Ok(inv.invoice.id))
}

/// A `successful_payment` as the bot received it.
#[derive(Debug, Clone)]
pub struct StarsReceipt<'a> {
    pub user_id: i64,
    pub currency: &'a str,
    pub total_amount: i64,
    pub invoice_payload: &'a str,
    pub charge_id: &'a str,
}

/// What one `successful_payment` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StarsOutcome {
    /// This charge was recorded before: nothing changed.
    Duplicate,
    /// Recorded and granted.
    Granted { invoice_id: i64, payment_id: i64 },
    /// Recorded, but it grants nothing (no invoice of ours, or it disagrees): admins alerted.
    Orphan { payment_id: i64 },
}

/// Records a Stars payment and grants it, in one transaction. `rate` is USD per Star;
/// `host_currency` the host asset's currency (the outcome of a Stars payment).
pub async fn record_successful_payment(
    db: &Db,
    receipt: &StarsReceipt<'_>,
    rate: Decimal,
    host_currency: &str,
    rules: &IntakeRules,
    now: UnixMillis,
) -> StoreResult<StarsOutcome> {
    let np_id = format!("stars:{}", receipt.charge_id);
    let value = stars_value(receipt.total_amount, rate).ok_or_else(|| {
        StoreError::Corrupt(format!("{} Stars have no value", receipt.total_amount))
    })?;
    let usd = value.to_decimal().normalize().to_string();
    let stars = receipt.total_amount.to_string();
    let outcome_currency = host_currency.to_ascii_lowercase();

    let mut tx = db.begin_write().await?;
    let invoice = match parse_payload(receipt.invoice_payload) {
        Some(id) => db_stars_invoice_in(&mut tx, id).await?,
        None => None,
    };
    let orphan_reason = match &invoice {
        None => Some("Stars payment for no Stars invoice of ours"),
        Some((inv, inv_stars)) => {
            if receipt.currency != XTR
                || *inv_stars != receipt.total_amount
                || inv.user_id != receipt.user_id
            {
                Some("Stars payment disagrees with its invoice")
            } else {
                None
            }
        }
    };
    let invoice_id = invoice
        .as_ref()
        .filter(|_| orphan_reason.is_none())
        .map(|(i, _)| i.id);
    let inserted = sql::insert_payment(
        &mut tx,
        &NewPayment {
            np_payment_id: &np_id,
            invoice_id,
            order_id: Some(receipt.invoice_payload),
            parent_np_payment_id: None,
            orphan_reason,
            status: "finished",
            pay_currency: Some("xtr"),
            pay_amount: Some(stars.clone()),
            actually_paid: Some(stars.clone()),
            price_currency: Some("usd"),
            price_amount: invoice
                .as_ref()
                .map(|(i, _)| i.price.to_decimal().normalize().to_string()),
            outcome_currency: Some(&outcome_currency),
            outcome_amount: Some(usd.clone()),
            held_reason: None,
        },
        now,
    )
    .await?;
    if !inserted {
        // A replayed or re-delivered successful_payment: this charge is already ours.
        tx.commit().await?;
        return Ok(StarsOutcome::Duplicate);
    }
    let row = sql::lock_payment(&mut tx, db.backend(), &np_id).await?;
    stars_sql::mark_stars(
        &mut tx,
        row.id,
        receipt.total_amount,
        receipt.charge_id,
        receipt.user_id,
    )
    .await?;
    let Some((invoice, _)) = invoice.filter(|_| orphan_reason.is_none()) else {
        alert(
            &mut tx,
            "orphan_payment",
            &np_id,
            orphan_reason.unwrap_or("orphan Stars payment"),
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(StarsOutcome::Orphan { payment_id: row.id });
    };
    // The same facts an IPN would carry, so the one grant path applies unchanged.
    let p = NpPayment::from_value(&json!({
        "payment_id": np_id,
        "payment_status": "finished",
        "order_id": receipt.invoice_payload,
        "pay_currency": "xtr",
        "pay_amount": stars,
        "actually_paid": stars,
        "price_currency": "usd",
        "price_amount": invoice.price.to_decimal().normalize().to_string(),
        "outcome_currency": outcome_currency,
        "outcome_amount": usd,
    }))
    .map_err(|e| StoreError::Corrupt(format!("Stars payment: {e}")))?;
    let outcome = apply(
        &mut tx,
        db.backend(),
        &p,
        &invoice,
        row.id,
        row.granted,
        Settlement::Grant,
        rules,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(match outcome {
        IntakeOutcome::Granted {
            invoice_id,
            payment_id,
        } => StarsOutcome::Granted {
            invoice_id,
            payment_id,
        },
        _ => StarsOutcome::Duplicate,
    })
}

/// What recording a Stars refund did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundOutcome {
    /// Refunded now: the days taken back (`revoked`), and where the owner's share was.
    Refunded {
        revoked: bool,
        share: stars_sql::ShareState,
    },
    /// It was refunded before: nothing changed.
    AlreadyRefunded,
    /// No Stars payment has this id.
    NotFound,
}

/// Records the refund of Stars payment `payment_id` (Telegram has already given the Stars
/// back), in one transaction: the grant revoked and the owner's share that is not paid out
/// taken back (both by the same `revoke_grant` NOWPayments refunds use), the payment and its
/// invoice marked refunded, an alert when the share was already paid out, and the operator's
/// one admin log row.
pub async fn record_refund(
    db: &Db,
    payment_id: i64,
    admin: i64,
    now: UnixMillis,
) -> StoreResult<RefundOutcome> {
    use crate::domain::states::AdminLogAction;
    use crate::store::admin_log::{self, Actor};

    let mut tx = db.begin_write().await?;
    let Some(p) = stars_sql::lock_stars_payment(&mut tx, db.backend(), payment_id).await? else {
        tx.commit().await?;
        return Ok(RefundOutcome::NotFound);
    };
    if p.refunded {
        tx.commit().await?;
        return Ok(RefundOutcome::AlreadyRefunded);
    }
    let share = stars_sql::share_state(&mut tx, p.id).await?;
    let revoked = sql::revoke_grant(&mut tx, p.id, now).await?;
    stars_sql::set_refunded_status(&mut tx, p.id, now).await?;
    if let Some(invoice_id) = p.invoice_id {
        sql::set_invoice_status(&mut tx, invoice_id, InvoiceStatus::Refunded, now).await?;
    }
    let np_id = format!("stars:{}", p.charge_id);
    if let stars_sql::ShareState::PaidOut { usd_micros } = share {
        alert(
            &mut tx,
            "refunded_payment",
            &np_id,
            &format!(
                "Stars payment {} was refunded, but the owner's share {} is already in a conversion or payout and was not taken back",
                p.id,
                UsdMicros::from_micros(usd_micros)
            ),
            now,
        )
        .await?;
    }
    let before = format!("{}, {} Stars", p.status, p.stars);
    let share_text = match share {
        stars_sql::ShareState::NotValued => "share not valued".to_owned(),
        stars_sql::ShareState::Unpaid { usd_micros } => {
            format!("share taken back {}", UsdMicros::from_micros(usd_micros))
        }
        stars_sql::ShareState::PaidOut { usd_micros } => {
            format!(
                "share already paid out {}",
                UsdMicros::from_micros(usd_micros)
            )
        }
    };
    let access = if revoked {
        "access revoked"
    } else {
        "no access to revoke"
    };
    let after = format!("refunded, {access}, {share_text}");
    admin_log::record(
        &mut tx,
        Actor::Admin(admin),
        AdminLogAction::RefundStars,
        &format!("payment:{}", p.id),
        Some(&before),
        Some(&after),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(RefundOutcome::Refunded { revoked, share })
}

async fn db_stars_invoice_in(
    tx: &mut super::intake::Tx,
    id: i64,
) -> StoreResult<Option<(Invoice, i64)>> {
    let Some(invoice) = sql::invoice_in(tx, id).await? else {
        return Ok(None);
    };
    let stars = stars_sql::invoice_stars_in(tx, id).await?;
    Ok(stars.map(|s| (invoice, s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn stars_are_valued_at_the_rate_rounded_down() {
        assert_eq!(
            stars_value(250, dec!(0.013)),
            Some(UsdMicros::from_micros(3_250_000))
        );
        assert_eq!(
            stars_value(7, dec!(0.0133337)),
            Some(UsdMicros::from_micros(93_335))
        );
        assert_eq!(stars_value(1, dec!(0.0000001)), None);
    }

    #[test]
    fn the_payload_is_our_invoice_id_only() {
        assert_eq!(parse_payload(&payload(42)), Some(42));
        for bad in ["", "0", "-1", "042", "42 ", "x42"] {
            assert_eq!(parse_payload(bad), None, "{bad:?}");
        }
    }
}
