//! Scenes 2 and 3: subscribers pay (NOWPayments sends the signed IPNs) and join.

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail, ensure};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use telepay::store::channels::Channel;
use telepay_sim::nowpayments::{PayIn, PaymentStatus};
use telepay_sim::telegram::SimMessage;
use telepay_sim::world::decimal_to_units_floor;

use super::{
    ALPHA, ANA, BETA, Channels, GAMMA, KIM, LEE, MARCO, RAJ, SAM, ZOE, newest, np_invoice_of,
};
use crate::offline::demo::stage::{Stage, Want};
use crate::offline::demo::transcript::InvoiceLine;

/// What NOWPayments receives and settles for one payment.
pub(super) struct Pay<'a> {
    /// NOWPayments' ticker of the coin paid.
    coin: &'a str,
    amount: Decimal,
    /// What reaches the platform (its NOWPayments payout wallet is the host wallet on BSC).
    outcome_coin: &'a str,
    outcome: Decimal,
}

/// Opens the channel link, picks plan `tier` (0-based) and returns the invoice message and
/// NOWPayments' invoice id.
async fn open_invoice(
    st: &mut Stage,
    who: i64,
    c: &Channel,
    tier: usize,
) -> anyhow::Result<(SimMessage, u64)> {
    let card = st
        .say(who, &format!("/start c_{}", c.code), Want::Data("buy:"))
        .await?;
    let data = card
        .callback_data()
        .into_iter()
        .filter(|d| d.starts_with("buy:"))
        .nth(tier)
        .ok_or_else(|| anyhow!("{} has no plan {}", c.title, tier + 1))?;
    let inv = st
        .tap(who, &card, &data, Want::Url("/payment/?iid="))
        .await?;
    Ok((inv.clone(), np_invoice_of(&inv)?))
}

/// NOWPayments takes the payment, walks it to `finished` (signed IPNs to our webhook) and
/// settles the outcome into the platform's wallet on the chain.
pub(super) async fn pay(
    st: &mut Stage,
    who: i64,
    np_invoice: u64,
    p: &Pay<'_>,
) -> anyhow::Result<u64> {
    st.act(
        who,
        &format!(
            "paid {} {} on the payment page",
            p.amount,
            p.coin.to_uppercase()
        ),
    )?;
    let payment =
        st.w.np
            .pay(
                np_invoice,
                PayIn::exact(p.coin, p.amount).outcome(p.outcome_coin, p.outcome),
            )
            .map_err(|e| anyhow!("NOWPayments refused the payment: {e}"))?;
    st.w.np
        .advance_to_finished(payment)
        .map_err(|e| anyhow!("NOWPayments could not finish the payment: {e}"))?;
    settle_outcome(st, p.outcome_coin, p.outcome)?;
    Ok(payment)
}

fn settle_outcome(st: &Stage, coin: &str, amount: Decimal) -> anyhow::Result<()> {
    let units =
        decimal_to_units_floor(amount, 18).ok_or_else(|| anyhow!("bad outcome {amount}"))?;
    match coin {
        "usdtbsc" => {
            st.w.evm
                .credit_token(st.w.usdt, st.w.host_wallet, units)
                .map(|_| ())
                .map_err(|e| anyhow!("settling USDT into the host wallet: {e}"))
        }
        "bnbbsc" => {
            st.w.evm.credit_native(st.w.host_wallet, units);
            Ok(())
        }
        other => bail!("the demo settles only usdtbsc and bnbbsc outcomes, not {other}"),
    }
}

pub(super) fn usdt(amount: Decimal) -> Pay<'static> {
    Pay {
        coin: "usdtbsc",
        amount,
        outcome_coin: "usdtbsc",
        outcome: amount * dec!(0.995),
    }
}

/// The six subscribers buy: different coins, an underpayment and top-up, a duplicate IPN and
/// a donation.
pub async fn subscribers_pay(
    st: &mut Stage,
    ch: &Channels,
    invoices: &mut Vec<InvoiceLine>,
) -> anyhow::Result<()> {
    st.scene("Six subscribers open deep links and pay");

    // Sam pays Alpha's first plan in BTC.
    let (_, inv) = open_invoice(st, SAM, &ch.alpha, 0).await?;
    let n = st.count(SAM, Want::Url("t.me/+"));
    pay(
        st,
        SAM,
        inv,
        &Pay {
            coin: "btc",
            amount: dec!(0.0001665),
            outcome_coin: "usdtbsc",
            outcome: dec!(9.94),
        },
    )
    .await?;
    st.expect(SAM, Want::Url("t.me/+"), n)
        .await
        .context("Sam waiting for his access")?;
    invoices.push(line(
        "Sam",
        &ch.alpha,
        "$9.99",
        "0.0001665 BTC",
        "paid, access granted",
    ));

    // Ana (Spanish) pays Alpha in USDT but sends $8 of $9.99, then pays the difference.
    let (_, inv) = open_invoice(st, ANA, &ch.alpha, 0).await?;
    st.act(ANA, "paid 5 USDT (BSC) on the payment page — $4.99 short")?;
    let mut short = PayIn::exact("usdtbsc", dec!(9.99)).outcome("usdtbsc", dec!(4.98));
    short.actually_paid = dec!(5);
    let payment =
        st.w.np
            .pay(inv, short)
            .map_err(|e| anyhow!("NOWPayments: {e}"))?;
    st.w.np
        .set_status(payment, PaymentStatus::PartiallyPaid)
        .map_err(|e| anyhow!("NOWPayments: {e}"))?;
    settle_outcome(st, "usdtbsc", dec!(4.98))?;
    // The first invoice's message loses its pay button; the offer brings a new invoice.
    let topup =
        st.w.tg
            .wait_until(Duration::from_secs(30), |tg| {
                tg.messages_in(ANA)
                    .iter()
                    .filter(|m| m.from_bot)
                    .filter_map(|m| np_invoice_of(m).ok())
                    .find(|id| *id != inv)
            })
            .await
            .map_err(|_| anyhow!("Ana got no top-up offer within 30 s"))?;
    st.sync(ANA)?;
    let n = st.count(ANA, Want::Url("t.me/+"));
    pay(st, ANA, topup, &usdt(dec!(4.99))).await?;
    st.expect(ANA, Want::Url("t.me/+"), n)
        .await
        .context("Ana waiting for her access after the top-up")?;
    invoices.push(line(
        "Ana",
        &ch.alpha,
        "$9.99",
        "5 USDT + 4.99 USDT top-up",
        "underpaid, topped up, access granted",
    ));

    // Lee pays Gamma in USDT; NOWPayments sends the final IPN twice.
    let (_, inv) = open_invoice(st, LEE, &ch.gamma, 0).await?;
    let n = st.count(LEE, Want::Url("t.me/+"));
    let payment = pay(st, LEE, inv, &usdt(dec!(15))).await?;
    st.expect(LEE, Want::Url("t.me/+"), n)
        .await
        .context("Lee waiting for his access")?;
    st.w.np
        .resend_ipn(payment)
        .map_err(|e| anyhow!("NOWPayments: {e}"))?;
    st.settle().await?;
    let grants = st.count(LEE, Want::Url("t.me/+"));
    ensure!(
        grants == n + 1,
        "the duplicate IPN changed something: Lee got {} access messages",
        grants - n
    );
    st.note("NOWPayments delivered Lee's final IPN twice; the second changed nothing");
    invoices.push(line(
        "Lee",
        &ch.gamma,
        "$15.00",
        "15 USDT (BSC)",
        "paid; duplicate IPN ignored",
    ));

    // Kim (Russian) gives Gamma a donation in BNB.
    st.say(
        KIM,
        &format!("/start c_{}_d", ch.gamma.code),
        Want::Text("$"),
    )
    .await?;
    let inv_msg = st.say(KIM, "7.25", Want::Url("/payment/?iid=")).await?;
    let inv = np_invoice_of(&inv_msg)?;
    let n = st.count(MARCO, Want::Text("New donation"));
    pay(
        st,
        KIM,
        inv,
        &Pay {
            coin: "ltc",
            amount: dec!(0.0906),
            outcome_coin: "usdtbsc",
            outcome: dec!(7.2),
        },
    )
    .await?;
    st.expect(MARCO, Want::Text("New donation"), n)
        .await
        .context("Marco waiting for the donation notice")?;
    invoices.push(line(
        "Kim",
        &ch.gamma,
        "$7.25",
        "0.0906 LTC",
        "donation (no access)",
    ));

    // Raj pays Beta in BNB: not a stable coin, so it is converted to USDT before the batch.
    let (_, inv) = open_invoice(st, RAJ, &ch.beta, 0).await?;
    let n = st.count(RAJ, Want::Url("t.me/+"));
    pay(
        st,
        RAJ,
        inv,
        &Pay {
            coin: "bnbbsc",
            amount: dec!(0.0505),
            outcome_coin: "bnbbsc",
            outcome: dec!(0.05),
        },
    )
    .await?;
    st.expect(RAJ, Want::Url("t.me/+"), n)
        .await
        .context("Raj waiting for his access")?;
    invoices.push(line(
        "Raj",
        &ch.beta,
        "$30.00",
        "0.0505 BNB",
        "paid, access granted",
    ));

    // Zoe pays Beta in USDT.
    let (_, inv) = open_invoice(st, ZOE, &ch.beta, 0).await?;
    let n = st.count(ZOE, Want::Url("t.me/+"));
    pay(st, ZOE, inv, &usdt(dec!(30))).await?;
    st.expect(ZOE, Want::Url("t.me/+"), n)
        .await
        .context("Zoe waiting for her access")?;
    invoices.push(line(
        "Zoe",
        &ch.beta,
        "$30.00",
        "30 USDT (BSC)",
        "paid, access granted",
    ));
    st.settle().await
}

fn line(who: &str, c: &Channel, price: &str, paid_with: &str, outcome: &str) -> InvoiceLine {
    InvoiceLine {
        subscriber: who.to_owned(),
        channel: c.title.clone(),
        price: price.to_owned(),
        paid_with: paid_with.to_owned(),
        outcome: outcome.to_owned(),
    }
}

/// Subscribers use their links: a join request approved by the bot, a one-time link.
pub async fn subscribers_join(st: &mut Stage, ch: &Channels) -> anyhow::Result<()> {
    st.scene("Subscribers join their channels");
    for (who, chat, how) in [
        (SAM, ALPHA, "sent a join request"),
        (ANA, ALPHA, "sent a join request"),
        (LEE, GAMMA, "joined with the one-time link"),
        (RAJ, BETA, "sent a join request"),
        (ZOE, BETA, "sent a join request"),
    ] {
        let link = newest(st, who, Want::Url("t.me/+"))?
            .buttons()
            .into_iter()
            .filter_map(|b| b.2)
            .find(|u| u.contains("t.me/+"))
            .ok_or_else(|| anyhow!("no invite link"))?;
        st.act(who, &format!("opened the invite link and {how}"))?;
        st.w.tg
            .user_opens_invite_link(who, &link)
            .map_err(|e| anyhow!("{} could not use the link: {e}", st.name(who)))?;
        st.w.tg
            .wait_for(Duration::from_secs(30), |tg| {
                tg.member_status(chat, who).is_present()
            })
            .await
            .map_err(|_| {
                anyhow!(
                    "{} is not in the channel 30 s after using the link",
                    st.name(who)
                )
            })?;
        let title = [&ch.alpha, &ch.beta, &ch.gamma]
            .into_iter()
            .find(|c| c.chat_id == chat)
            .map_or("?", |c| c.title.as_str());
        st.note(&format!("{} is now a member of {title}", st.name(who)));
    }
    Ok(())
}
