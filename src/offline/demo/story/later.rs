//! Scenes 4 to 6: payouts, time passing (price rise, reminders, expiry, renewal), the operator.

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail, ensure};
use rust_decimal_macros::dec;
use telepay::domain::money::UsdMicros;
use telepay::store::channels::Channel;

use super::subscribers::{pay, usdt};
use super::{ADA, Channels, DAY, GAMMA, HOUR, LEE, MARCO, OLGA, RAJ, np_invoice_of};
use crate::offline::demo::stage::{Stage, Want};

/// Runs jobs and timers, moving the clock 20 minutes at a time, until `c` has at least
/// `at_least` payouts and every one of them is final.
async fn drive(st: &mut Stage, what: &str, c: &Channel, at_least: usize) -> anyhow::Result<()> {
    for _ in 0..40 {
        st.settle().await?;
        if all_sent(st, c, at_least).await? {
            return Ok(());
        }
        st.w.advance(Duration::from_secs(20 * 60)).await?;
    }
    bail!("{what} did not happen within 13 simulated hours")
}

/// Every payout of `c` is final, at least `at_least` exist, and nothing is left pending.
async fn all_sent(st: &Stage, c: &Channel, at_least: usize) -> anyhow::Result<bool> {
    let lines = st.w.ctx.db.payout_history(c.id, 100).await?;
    let figures = st.w.ctx.db.channel_figures(c.id, st.w.now()).await?;
    Ok(lines.len() >= at_least
        && lines.iter().all(|p| p.state.is_final())
        && figures.pending == UsdMicros::ZERO
        && figures.unvalued == 0)
}

/// Instant payouts (via ChangeNOW to BTC, and directly in USDT), the conversion of Raj's BNB
/// and the threshold batch.
pub async fn payouts(st: &mut Stage, ch: &Channels) -> anyhow::Result<()> {
    st.scene("Payouts: instant via exchange, instant direct, conversion and threshold batch");
    let (alpha, gamma, beta) = (ch.alpha.clone(), ch.gamma.clone(), ch.beta.clone());
    drive(st, "Alpha's instant payouts in BTC", &alpha, 2).await?;
    st.note("Alpha Signals: each payment was swapped to BTC by ChangeNOW and sent to Olga");
    drive(st, "Gamma's direct USDT payouts", &gamma, 2).await?;
    st.note("Gamma Research: each payment was sent to Marco in USDT from the host wallet");
    drive(st, "Beta's conversion and threshold batch", &beta, 1).await?;
    st.note("Beta Long Reads: Raj's BNB was converted to USDT; with Zoe's USDT the $50 threshold was crossed and paid in one batch");
    // Each payout sent is told to its owner; the DMs go out as jobs too (a retried one waits
    // for the clock to move).
    let mut told = Vec::new();
    for _ in 0..10 {
        st.settle().await?;
        told.clear();
        for (who, channels) in [(OLGA, vec![&alpha, &beta]), (MARCO, vec![&gamma])] {
            let mut sent = 0;
            for c in channels {
                sent +=
                    st.w.ctx
                        .db
                        .payout_history(c.id, 100)
                        .await?
                        .iter()
                        .filter(|p| p.tx_hash.is_some())
                        .count();
            }
            told.push((who, sent, st.count(who, Want::Text("Payout sent"))));
        }
        if told.iter().all(|(_, sent, dms)| dms == sent) {
            return Ok(());
        }
        st.w.advance(Duration::from_secs(60)).await?;
    }
    bail!("owners were not told of every payout (owner, sent, told): {told:?}")
}

/// Olga raises Beta's price; Raj is reminded and renews at the price he bought; Lee's week of
/// Gamma ends and he is removed.
pub async fn time_passes(st: &mut Stage, ch: &Channels) -> anyhow::Result<()> {
    st.scene("Time passes: a price rise, reminders, a renewal at the locked price, an expiry");
    let list = st
        .say(OLGA, "/channels", Want::Text("Your channels"))
        .await?;
    let card = st
        .tap(
            OLGA,
            &list,
            &format!("o:ch:{}", ch.beta.id),
            Want::Text("Payment notifications"),
        )
        .await?;
    st.tap(
        OLGA,
        &card,
        &format!("o:tiers:{}", ch.beta.id),
        Want::Text("Send the new plans"),
    )
    .await?;
    st.say(OLGA, "35 30", Want::Text("Plans saved")).await?;
    st.note("Olga raised Beta Long Reads from $30 to $35 for new subscribers");

    let n = st.count(LEE, Want::Text("ends on"));
    st.pass(DAY * 4 + HOUR * 2, "4 days").await?;
    st.expect(LEE, Want::Text("ends on"), n)
        .await
        .context("Lee waiting for the reminder")?;
    st.note("Lee was reminded that Gamma Research ends in three days");
    st.pass(DAY * 3 + HOUR, "3 more days").await?;
    st.w.tg
        .wait_for(Duration::from_secs(30), |tg| {
            !tg.member_status(GAMMA, LEE).is_present()
        })
        .await
        .map_err(|_| anyhow!("Lee is still in Gamma Research after his week ended"))?;
    st.expect(LEE, Want::Text("has ended"), 0).await?;
    st.note("Lee's week ended: he was told and removed from Gamma Research");

    let n = st.count(RAJ, Want::Text("ends on"));
    st.pass(DAY * 20, "20 more days").await?;
    let reminder = st
        .expect(RAJ, Want::Text("ends on"), n)
        .await
        .context("Raj waiting for his reminder")?;
    let renew = reminder
        .callback_data()
        .into_iter()
        .find(|d| d.starts_with("buy:"))
        .ok_or_else(|| anyhow!("Raj's reminder has no renew button"))?;
    let inv_msg = st
        .tap(RAJ, &reminder, &renew, Want::Url("/payment/?iid="))
        .await?;
    let latest = st.w.ctx.db.recent_invoices(RAJ, 1).await?;
    let price = latest
        .first()
        .map(|i| i.price)
        .ok_or_else(|| anyhow!("no renewal invoice"))?;
    ensure!(
        price == UsdMicros::from_cents(3000),
        "Raj's renewal costs {price}, not the $30.00 he bought at"
    );
    let n = st.count(RAJ, Want::Text("Payment received"));
    pay(st, RAJ, np_invoice_of(&inv_msg)?, &usdt(dec!(30))).await?;
    st.expect(RAJ, Want::Text("Payment received"), n)
        .await
        .context("Raj waiting for his renewal to be confirmed")?;
    st.settle().await?;
    let sub =
        st.w.ctx
            .db
            .subscription_of(RAJ, ch.beta.id)
            .await?
            .ok_or_else(|| anyhow!("Raj has no subscription"))?;
    let left = sub.expires_at.since(st.w.now());
    ensure!(
        left > DAY * 30,
        "Raj's renewal did not add 30 days on top ({left:?} left)"
    );
    st.note(
        "Raj renewed Beta Long Reads at $30, the price he bought at, and kept his remaining days",
    );
    Ok(())
}

/// The operator looks at the platform: the last 30 days' figures, then the money audit.
pub async fn admin(st: &mut Stage) -> anyhow::Result<()> {
    st.scene("The operator checks the platform");
    let menu = st.say(ADA, "/admin", Want::Text("Operator menu")).await?;
    let stats = st
        .tap(ADA, &menu, "a:stats:30d", Want::Text("The last 30 days"))
        .await?;
    let text = stats.text.unwrap_or_default();
    ensure!(
        text.contains("Revenue: $") && text.contains("Subscriptions: "),
        "the operator's figures are incomplete: {text}"
    );
    st.note("Ada read the last 30 days: revenue, fees, payments by status, subscriptions, pending payouts");
    st.tap(ADA, &menu, "a:audit", Want::Text("money audit"))
        .await?;
    st.note("Ada ran the money audit from the bot");
    Ok(())
}
