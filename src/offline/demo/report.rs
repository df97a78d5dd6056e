//! The end of the demo: `telepay audit` run as its own process on the demo's database, the
//! payouts with explorer links, the balance per owner, one line per person, and the printed
//! transcript.

use anyhow::{anyhow, bail};
use telepay::domain::money::UsdMicros;
use telepay::domain::states::PayoutState;

use super::stage::Stage;
use super::story::Channels;
use super::transcript::{BalanceRow, InvoiceLine, PayoutLine, Role, Side, Transcript};
use crate::offline::world::World;

/// Runs this binary's `audit` command on the demo's database, as an operator would.
pub async fn run_audit_command(w: &World) -> anyhow::Result<String> {
    let exe = std::env::current_exe()?;
    let out = tokio::process::Command::new(exe)
        .arg("audit")
        .env("DATABASE_URL", &w.database_url)
        .env("LOG_FORMAT", "pretty")
        .env("RUST_LOG", "warn")
        .output()
        .await?;
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() {
        bail!(
            "`telepay audit` exited with {}:\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(stdout)
}

fn usd(m: UsdMicros) -> String {
    m.to_string()
}

fn kind_label(kind: &str, via_exchange: bool) -> String {
    match (kind, via_exchange) {
        ("batch", _) => "threshold batch".into(),
        ("instant", true) => "instant, swapped by ChangeNOW".into(),
        ("instant", false) => "instant, direct from the host wallet".into(),
        (other, _) => other.to_owned(),
    }
}

/// Gathers the tables from the database and builds the transcript.
pub async fn finish(
    st: &mut Stage,
    ch: &Channels,
    invoices: Vec<InvoiceLine>,
    audit: String,
) -> anyhow::Result<Transcript> {
    let db = st.w.ctx.db.clone();
    let now = st.w.now();
    let owner_name = |id: i64, st: &Stage| st.name(id);
    let mut payouts = Vec::new();
    for c in [&ch.alpha, &ch.beta, &ch.gamma] {
        let mut lines = db.payout_history(c.id, 100).await?;
        lines.reverse();
        for p in lines {
            let network = db.network(&p.dest_network).await?;
            let explorer_url = match (&p.tx_hash, &network) {
                (Some(h), Some(n)) => Some(n.tx_url(h)),
                _ => None,
            };
            let amount = p.amount_sent.clone().map_or_else(
                || format!("{} in USD", usd(p.usd)),
                |a| format!("{a} {} ({})", p.dest_currency, p.dest_network),
            );
            payouts.push(PayoutLine {
                owner: owner_name(c.owner_id, st),
                channel: c.title.clone(),
                kind: kind_label(&p.kind, p.source_currency != p.dest_currency),
                amount,
                state: if p.state == PayoutState::Sent {
                    "sent".into()
                } else {
                    format!("{:?}", p.state).to_lowercase()
                },
                tx_hash: p.tx_hash.clone(),
                explorer_url,
            });
        }
    }
    if payouts.iter().any(|p| p.tx_hash.is_none()) {
        bail!("a payout ended without a transaction hash");
    }

    let mut balances = Vec::new();
    for owner in st.ids_with_role(Role::Owner) {
        let (mut revenue, mut fees, mut paid, mut pending) = (0i64, 0i64, 0i64, 0i64);
        let mut count = 0;
        for c in db.channels_of_owner(owner).await? {
            let f = db.channel_figures(c.id, now).await?;
            revenue += f.revenue.micros();
            fees += f.fees.micros();
            paid += f.paid_out.micros();
            pending += f.pending.micros();
            count += 1;
        }
        let owed = revenue - fees;
        balances.push(BalanceRow {
            owner: st.name(owner),
            owed: usd(UsdMicros::from_micros(owed)),
            paid: usd(UsdMicros::from_micros(paid)),
            pending: usd(UsdMicros::from_micros(pending)),
            fees: usd(UsdMicros::from_micros(fees)),
        });
        let sent = payouts.iter().filter(|p| p.owner == st.name(owner)).count();
        st.set_summary(
            owner,
            format!(
                "{count} channel(s); earned {} after fees, {} paid out in {sent} payout(s), {} pending",
                usd(UsdMicros::from_micros(owed)),
                usd(UsdMicros::from_micros(paid)),
                usd(UsdMicros::from_micros(pending))
            ),
        )?;
    }

    for who in st.ids_with_role(Role::Subscriber) {
        let mut parts = Vec::new();
        for c in [&ch.alpha, &ch.beta, &ch.gamma] {
            if let Some(sub) = db.subscription_of(who, c.id).await? {
                if sub.is_active(now) {
                    parts.push(format!("member of {} until {}", c.title, sub.expires_at));
                } else {
                    parts.push(format!("{} ended on {}", c.title, sub.expires_at));
                }
            }
        }
        let name = st.name(who);
        for i in invoices
            .iter()
            .filter(|i| i.subscriber == name && i.outcome.contains("donation"))
        {
            parts.push(format!("donated {} to {}", i.price, i.channel));
        }
        if parts.is_empty() {
            return Err(anyhow!("{name} ended the story with nothing"));
        }
        st.set_summary(who, parts.join("; "))?;
    }
    for who in st.ids_with_role(Role::Admin) {
        st.set_summary(
            who,
            "read the last 30 days' figures and ran the money audit: clean".into(),
        )?;
    }

    Ok(Transcript {
        title: "TelePay demo".into(),
        bot_username: st.w.ctx.bot_username.clone(),
        people: st.people(),
        invoices,
        payouts,
        timeline: st.timeline.clone(),
        balances,
        audit,
    })
}

/// The first line of a bot message (the rest is in demo.html).
fn short(text: &str, max: usize) -> String {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let more = text.lines().filter(|l| !l.trim().is_empty()).count() > 1;
    let mut s: String = first.chars().take(max).collect();
    if first.chars().count() > max || more {
        s.push_str(" …");
    }
    s
}

/// The transcript on the terminal: by person, then the tables.
pub fn print(t: &Transcript) {
    println!("\n══ Transcript by person ══");
    for p in &t.people {
        println!(
            "\n── {} ({}, Telegram id {}) ──",
            p.name,
            p.role.label(),
            p.telegram_id
        );
        for e in &p.chat {
            match e.side {
                Side::Person if e.action => println!("  {:>6} · {}", p.name, e.text),
                Side::Person => println!("  {:>6} › {}", p.name, e.text),
                Side::Bot => {
                    let mark = if e.edited { " (edited)" } else { "" };
                    println!("     bot ‹ {}{mark}", short(&e.text, 110));
                    let buttons: Vec<String> = e
                        .buttons
                        .iter()
                        .flatten()
                        .map(|b| format!("[{}]", b.text))
                        .collect();
                    if !buttons.is_empty() {
                        println!("           {}", short(&buttons.join(" "), 110));
                    }
                }
            }
        }
    }
    println!("\n══ Invoices ══");
    for i in &t.invoices {
        println!(
            "  {:<5} {:<16} {:>7}  {:<28} {}",
            i.subscriber, i.channel, i.price, i.paid_with, i.outcome
        );
    }
    println!("\n══ Payouts ══");
    for p in &t.payouts {
        println!(
            "  {:<6} {:<16} {:<38} {:<26} {}",
            p.owner, p.channel, p.kind, p.amount, p.state
        );
        if let Some(url) = &p.explorer_url {
            println!("         {url}");
        }
    }
    println!("\n══ Balance per owner (USD) ══");
    println!(
        "  {:<8} {:>10} {:>10} {:>10} {:>10}",
        "owner", "owed", "paid", "pending", "fees"
    );
    for b in &t.balances {
        println!(
            "  {:<8} {:>10} {:>10} {:>10} {:>10}",
            b.owner, b.owed, b.paid, b.pending, b.fees
        );
    }
    println!("\n══ telepay audit ══\n  {}", t.audit);
    println!("\n══ Everyone at the end ══");
    for p in &t.people {
        println!("  {:<6} ({}): {}", p.name, p.role.label(), p.summary);
    }
}
