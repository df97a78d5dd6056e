//! Opening an invoice for a tier: our row first, then NOWPayments, never inside a transaction.
//! An open, unexpired invoice of the same user and tier is reused; the database keeps one
//! checkout per user and tier at a time, across replicas.

use crate::providers::nowpayments::{CreateInvoice, NpError};
use crate::services::Ctx;
use crate::store::StoreError;
use std::time::Duration;

use crate::store::invoices::{CheckoutClaim, Invoice, InvoiceKind, NewInvoice};

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("the channel is not on sale")]
    NotOnSale,
    #[error("the tier no longer exists")]
    TierGone,
    /// Another checkout of the same user and tier did not finish in time.
    #[error("another checkout of this plan is still running")]
    Busy,
    #[error("NOWPayments: {0}")]
    Provider(NpError),
    /// The promo code cannot be used; nothing was written.
    #[error("promo code refused: {0:?}")]
    Promo(crate::domain::promo::PromoRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How long a checkout waits for a concurrent one of the same user and tier (NOWPayments
/// answers well within it, or the other checkout fails and frees the slot).
const CHECKOUT_WAIT: Duration = Duration::from_secs(30);
/// How often the waiting checkout looks again.
const CHECKOUT_POLL: Duration = Duration::from_millis(100);
/// A row still `creating` after this long was left by a process that died while asking
/// NOWPayments (a request gives up well before); it is cancelled so it blocks nobody.
const STALE_CREATING: Duration = Duration::from_secs(120);
/// [`STALE_CREATING`] in milliseconds, for callers that release lapsed promo-code uses.
pub const STALE_CREATING_MS: i64 = 120_000;

/// Returns the invoice to pay and whether it was created just now.
pub async fn checkout(
    ctx: &Ctx,
    user_id: i64,
    tier_id: i64,
) -> Result<(Invoice, bool), CheckoutError> {
    checkout_with_promo(ctx, user_id, tier_id, None).await
}

/// [`checkout`] at the price after the promo code `promo_id` (issue 15): the invoice is made
/// at the discounted price (never below MIN_PRICE_USD, unless the plan costs less) and records
/// the code; the code's use is reserved in the same transaction that claims the checkout slot.
/// An open invoice of the plan made without this code, and not being paid, is replaced.
pub async fn checkout_with_promo(
    ctx: &Ctx,
    user_id: i64,
    tier_id: i64,
    promo_id: Option<i64>,
) -> Result<(Invoice, bool), CheckoutError> {
    let tier = ctx.db.tier(tier_id).await?.ok_or(CheckoutError::TierGone)?;
    let channel = ctx
        .db
        .channel(tier.channel_id)
        .await?
        .ok_or(CheckoutError::TierGone)?;
    if !channel.on_sale() {
        return Err(CheckoutError::NotOnSale);
    }
    // Price lock: a subscriber renews at the price and length they first bought.
    let (price, days) = match ctx.db.subscription_of(user_id, channel.id).await? {
        Some(s) if s.tier_id == Some(tier.id) => (s.locked_price, s.locked_days),
        _ => (tier.price, tier.days),
    };
    let price = match promo_id {
        None => price,
        Some(id) => {
            use crate::domain::promo::PromoRefusal;
            let promo = ctx
                .db
                .promo(id)
                .await?
                .filter(|p| p.channel_id == channel.id)
                .ok_or(CheckoutError::Promo(PromoRefusal::Unknown))?;
            // "Used up" is decided in the claim's transaction, after lapsed uses are released.
            if let Some(r) = promo.refusal(ctx.clock.now())
                && r != PromoRefusal::UsedUp
            {
                return Err(CheckoutError::Promo(r));
            }
            if !promo.fits(tier.id) {
                return Err(CheckoutError::Promo(PromoRefusal::WrongTier));
            }
            promo.discount.apply(price, ctx.config.rules.min_price)
        }
    };
    // One checkout per user and tier at a time, kept by the database (two presses may reach
    // two replicas at once): the second one waits, outside any transaction, for the first to
    // open its invoice and shows that one; if the first failed, it takes the slot itself.
    let deadline = tokio::time::Instant::now() + CHECKOUT_WAIT;
    loop {
        let now = ctx.clock.now();
        let new = NewInvoice {
            kind: InvoiceKind::Subscription,
            user_id,
            channel_id: channel.id,
            tier_id: Some(tier.id),
            parent_invoice_id: None,
            price,
            days: Some(days),
            expires_at: now.saturating_add(ctx.config.rules.invoice_ttl),
        };
        let stale_before = now.saturating_sub(STALE_CREATING);
        match ctx
            .db
            .claim_checkout_with_promo(&new, promo_id, now, stale_before)
            .await?
        {
            CheckoutClaim::Open(open) => return Ok((open, false)),
            CheckoutClaim::PromoRefused(r) => return Err(CheckoutError::Promo(r)),
            CheckoutClaim::Created(invoice) => {
                let description = format!("{}, {days} days", channel.title);
                return open_at_provider(ctx, invoice, description).await;
            }
            CheckoutClaim::Busy => {
                if tokio::time::Instant::now() >= deadline {
                    return Err(CheckoutError::Busy);
                }
                tokio::time::sleep(CHECKOUT_POLL).await;
            }
        }
    }
}

/// A donation of `amount` to a channel: its own invoice kind, no subscription, no invite.
pub async fn checkout_donation(
    ctx: &Ctx,
    user_id: i64,
    channel_id: i64,
    amount: crate::domain::money::UsdMicros,
) -> Result<Invoice, CheckoutError> {
    let now = ctx.clock.now();
    let channel = ctx
        .db
        .channel(channel_id)
        .await?
        .ok_or(CheckoutError::NotOnSale)?;
    if !channel.on_sale() {
        return Err(CheckoutError::NotOnSale);
    }
    let invoice = ctx
        .db
        .create_invoice(
            &NewInvoice {
                kind: InvoiceKind::Donation,
                user_id,
                channel_id,
                tier_id: None,
                parent_invoice_id: None,
                price: amount,
                days: None,
                expires_at: now.saturating_add(ctx.config.rules.invoice_ttl),
            },
            now,
        )
        .await?;
    let description = format!("Donation to {}", channel.title);
    open_at_provider(ctx, invoice, description)
        .await
        .map(|(i, _)| i)
}

/// Asks NOWPayments for the invoice page of our `invoice` row (outside any transaction); on
/// failure the row is cancelled so it is never reused.
async fn open_at_provider(
    ctx: &Ctx,
    invoice: Invoice,
    description: String,
) -> Result<(Invoice, bool), CheckoutError> {
    let base = &ctx.config.public_base_url;
    let join = |path: &str| {
        base.join(path)
            .map_err(|e| CheckoutError::Store(StoreError::Corrupt(format!("URL: {e}"))))
    };
    let request = CreateInvoice {
        price_amount: invoice.price.to_decimal().round_dp(2).normalize(),
        price_currency: "usd".into(),
        order_id: invoice.id.to_string(),
        order_description: description,
        ipn_callback_url: join("webhooks/nowpayments")?,
        success_url: join(&format!("pay/{}", invoice.id))?,
        cancel_url: None,
    };
    match ctx.nowpayments.create_invoice(&request).await {
        Ok(np) => {
            ctx.db
                .open_invoice(invoice.id, &np.id, &np.invoice_url, ctx.clock.now())
                .await?;
            let opened = ctx
                .db
                .invoice(invoice.id)
                .await?
                .ok_or(CheckoutError::TierGone)?;
            Ok((opened, true))
        }
        Err(e) => {
            ctx.db.cancel_invoice(invoice.id, ctx.clock.now()).await?;
            Err(CheckoutError::Provider(e))
        }
    }
}
