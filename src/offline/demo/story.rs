//! The demo's story, scene by scene. Every step goes through the bot as a person would
//! (typing, pressing buttons, sharing a channel, opening links) or through a simulated
//! provider as the world would (NOWPayments sending signed IPNs, ChangeNOW and the chain
//! settling); nothing is written to the database directly.

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail, ensure};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use telepay::domain::money::UsdMicros;
use telepay::store::channels::Channel;
use telepay_sim::nowpayments::{PayIn, PaymentStatus};
use telepay_sim::telegram::{AdminRights, NewChat, SimMessage};
use telepay_sim::world::decimal_to_units_floor;

use super::stage::{Stage, Want};
use super::transcript::{InvoiceLine, Role};

pub const OLGA: i64 = 1001;
pub const MARCO: i64 = 1002;
pub const SAM: i64 = 2001;
pub const ANA: i64 = 2002;
pub const LEE: i64 = 2003;
pub const KIM: i64 = 2004;
pub const RAJ: i64 = 2005;
pub const ZOE: i64 = 2006;
pub const ADA: i64 = 9001;

const ALPHA: i64 = -100_100_001;
const BETA: i64 = -100_100_002;
const GAMMA: i64 = -100_100_003;

/// The owners' wallets (checksummed example addresses).
const OLGA_BTC: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
const OLGA_EVM: &str = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
const MARCO_EVM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

const DAY: Duration = Duration::from_secs(86_400);
const HOUR: Duration = Duration::from_secs(3_600);

/// The three channels once registered.
pub struct Channels {
    pub alpha: Channel,
    pub beta: Channel,
    pub gamma: Channel,
}

/// The people of the story, as they first open the bot.
pub fn cast(st: &mut Stage) {
    st.add_person(OLGA, "Olga", Role::Owner, "en");
    st.add_person(MARCO, "Marco", Role::Owner, "en");
    st.add_person(SAM, "Sam", Role::Subscriber, "en");
    st.add_person(ANA, "Ana", Role::Subscriber, "es");
    st.add_person(LEE, "Lee", Role::Subscriber, "en");
    st.add_person(KIM, "Kim", Role::Subscriber, "ru");
    st.add_person(RAJ, "Raj", Role::Subscriber, "en");
    st.add_person(ZOE, "Zoe", Role::Subscriber, "en");
    st.add_person(ADA, "Ada", Role::Admin, "en");
    st.w.tg
        .add_chat(NewChat::channel(ALPHA, "Alpha Signals").owner(OLGA));
    st.w.tg
        .add_chat(NewChat::channel(BETA, "Beta Long Reads").owner(OLGA));
    st.w.tg
        .add_chat(NewChat::channel(GAMMA, "Gamma Research").owner(MARCO));
}

enum Strategy<'a> {
    Instant,
    Threshold(&'a str),
}

struct Registration<'a> {
    owner: i64,
    chat: i64,
    title: &'a str,
    /// (price, days) as typed.
    tiers: &'a [(&'a str, &'a str)],
    currency: &'a str,
    network: &'a str,
    address: &'a str,
    strategy: Strategy<'a>,
}

/// The owner's whole registration conversation.
async fn register(st: &mut Stage, r: Registration<'_>) -> anyhow::Result<Channel> {
    let o = r.owner;
    st.say(o, "/addchannel", Want::Text("Add a channel"))
        .await?;
    let n = st.count(o, Want::Text("Plan 1: send the price"));
    st.act(
        o,
        &format!("picked «{}» with the “choose a channel” button", r.title),
    )?;
    st.w.tg
        .share_chat(o, 1, r.chat, Some(AdminRights::full()))
        .map_err(|e| anyhow!("sharing {}: {e}", r.title))?;
    st.expect(o, Want::Text("Plan 1: send the price"), n)
        .await?;
    let mut last = None;
    for (i, (price, days)) in r.tiers.iter().enumerate() {
        let plan = i + 1;
        if i > 0 {
            let more = last
                .take()
                .ok_or_else(|| anyhow!("no 'another plan' question"))?;
            st.tap(
                o,
                &more,
                "o:more",
                Want::Text(&format!("Plan {plan}: send the price")),
            )
            .await?;
        }
        st.say(o, price, Want::Text(&format!("Plan {plan}: how many days")))
            .await?;
        last = Some(st.say(o, days, Want::Text("Add another plan")).await?);
    }
    let more = last.ok_or_else(|| anyhow!("no plans given"))?;
    st.tap(o, &more, "o:tdone", Want::Text("In which coin"))
        .await?;
    pick_currency(st, o, r.currency, r.network).await?;
    let how = st
        .say(o, r.address, Want::Text("How should you be paid"))
        .await?;
    let summary = match r.strategy {
        Strategy::Instant => {
            st.tap(o, &how, "o:instant", Want::Text("Check and confirm"))
                .await?
        }
        Strategy::Threshold(amount) => {
            st.tap(o, &how, "o:threshold", Want::Text("Send the threshold"))
                .await?;
            st.say(o, amount, Want::Text("Check and confirm")).await?
        }
    };
    st.tap(o, &summary, "o:ok", Want::Text("is registered and on sale"))
        .await?;
    let channel =
        st.w.ctx
            .db
            .channel_by_chat(r.chat)
            .await?
            .ok_or_else(|| anyhow!("{} is not registered after the owner confirmed", r.title))?;
    st.note(&format!(
        "{} registered {} (deep link start=c_{})",
        st.name(o),
        r.title,
        channel.code
    ));
    Ok(channel)
}

/// Pages through the currency picker until `currency`/`network` is shown, then presses it.
async fn pick_currency(
    st: &mut Stage,
    o: i64,
    currency: &str,
    network: &str,
) -> anyhow::Result<()> {
    let want = format!("o:cur:{currency}:{network}");
    let mut page = newest(st, o, Want::Text("In which coin"))?;
    for _ in 0..20 {
        if page.callback_data().contains(&want) {
            st.tap(o, &page, &want, Want::Text("wallet address"))
                .await?;
            return Ok(());
        }
        let next = page
            .buttons()
            .into_iter()
            .find(|b| b.0 == "▶" && b.1.as_deref().is_some_and(|d| d.starts_with("o:curp:")))
            .and_then(|b| b.1)
            .ok_or_else(|| anyhow!("{currency} on {network} is not in the currency picker"))?;
        let before = page.callback_data();
        let id = page.message_id;
        st.press(o, &page, &next)?;
        // The picker is edited in place (or sent anew): wait for a page with other buttons.
        page =
            st.w.tg
                .wait_until(Duration::from_secs(30), |tg| {
                    tg.messages_in(o).into_iter().rev().find(|m| {
                        m.from_bot
                            && m.message_id >= id
                            && m.callback_data().iter().any(|d| d.starts_with("o:cur"))
                            && m.callback_data() != before
                    })
                })
                .await
                .map_err(|_| anyhow!("the currency picker did not turn the page"))?;
        st.sync(o)?;
    }
    bail!("{currency} on {network} not found after 20 pages")
}

/// The newest bot message to `id` matching `want`.
fn newest(st: &Stage, id: i64, want: Want<'_>) -> anyhow::Result<SimMessage> {
    st.w.tg
        .messages_in(id)
        .into_iter()
        .rev()
        .find(|m| {
            m.from_bot
                && match want {
                    Want::Text(t) => m.text.as_deref().is_some_and(|x| x.contains(t)),
                    Want::Url(u) => m
                        .buttons()
                        .iter()
                        .any(|b| b.2.as_deref().is_some_and(|x| x.contains(u))),
                    Want::Data(d) => m.callback_data().iter().any(|x| x.starts_with(d)),
                }
        })
        .ok_or_else(|| anyhow!("{} has no {want} from the bot", st.name(id)))
}

pub async fn owners_register(st: &mut Stage) -> anyhow::Result<Channels> {
    st.scene("Two owners register three channels");
    let alpha = register(
        st,
        Registration {
            owner: OLGA,
            chat: ALPHA,
            title: "Alpha Signals",
            tiers: &[("9.99", "30"), ("24.99", "90")],
            currency: "BTC",
            network: "BTC",
            address: OLGA_BTC,
            strategy: Strategy::Instant,
        },
    )
    .await
    .context("Olga registering Alpha Signals (instant, paid in BTC)")?;
    let beta = register(
        st,
        Registration {
            owner: OLGA,
            chat: BETA,
            title: "Beta Long Reads",
            tiers: &[("30", "30")],
            currency: "USDT",
            network: "BSC",
            address: OLGA_EVM,
            strategy: Strategy::Threshold("50"),
        },
    )
    .await
    .context("Olga registering Beta Long Reads (threshold $50 in USDT)")?;
    let gamma = register(
        st,
        Registration {
            owner: MARCO,
            chat: GAMMA,
            title: "Gamma Research",
            tiers: &[("15", "7")],
            currency: "USDT",
            network: "BSC",
            address: MARCO_EVM,
            strategy: Strategy::Instant,
        },
    )
    .await
    .context("Marco registering Gamma Research (instant, USDT on BSC: the host asset)")?;
    // Marco wants personal one-time links instead of join requests.
    let list = st
        .say(MARCO, "/channels", Want::Text("Your channels"))
        .await?;
    let card = st
        .tap(
            MARCO,
            &list,
            &format!("o:ch:{}", gamma.id),
            Want::Data(&format!("o:mode:{}", gamma.id)),
        )
        .await?;
    st.tap(
        MARCO,
        &card,
        &format!("o:mode:{}", gamma.id),
        Want::Text("one-time invite link"),
    )
    .await?;
    let gamma =
        st.w.ctx
            .db
            .channel(gamma.id)
            .await?
            .ok_or_else(|| anyhow!("Gamma Research disappeared"))?;
    ensure!(
        gamma.access_mode == telepay::store::channels::AccessMode::OneTimeLink,
        "Gamma Research did not switch to one-time links"
    );
    st.note("Marco switched Gamma Research to one-time invite links");
    Ok(Channels { alpha, beta, gamma })
}

/// What NOWPayments receives and settles for one payment.
struct Pay<'a> {
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

fn np_invoice_of(m: &SimMessage) -> anyhow::Result<u64> {
    m.buttons()
        .into_iter()
        .filter_map(|b| b.2)
        .find_map(|u| u.split("iid=").nth(1).and_then(|s| s.parse().ok()))
        .ok_or_else(|| anyhow!("the invoice message has no payment link"))
}

/// NOWPayments takes the payment, walks it to `finished` (signed IPNs to our webhook) and
/// settles the outcome into the platform's wallet on the chain.
async fn pay(st: &mut Stage, who: i64, np_invoice: u64, p: &Pay<'_>) -> anyhow::Result<u64> {
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

fn usdt(amount: Decimal) -> Pay<'static> {
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
    let n = st.count(RAJ, Want::Url("t.me/+")) + st.count(RAJ, Want::Text("extended"));
    pay(st, RAJ, np_invoice_of(&inv_msg)?, &usdt(dec!(30))).await?;
    st.settle().await?;
    let _ = n;
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

/// The operator looks at the platform.
pub async fn admin(st: &mut Stage) -> anyhow::Result<()> {
    st.scene("The operator checks the platform");
    let menu = st.say(ADA, "/admin", Want::Text("Operator menu")).await?;
    st.tap(ADA, &menu, "a:audit", Want::Text("money audit"))
        .await?;
    Ok(())
}
