//! Scene 1: the owners register their channels through the bot's conversation.

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail, ensure};
use telepay::store::channels::Channel;
use telepay_sim::telegram::AdminRights;

use super::{ALPHA, BETA, Channels, GAMMA, MARCO, MARCO_EVM, OLGA, OLGA_BTC, OLGA_EVM, newest};
use crate::offline::demo::stage::{Stage, Want};

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
