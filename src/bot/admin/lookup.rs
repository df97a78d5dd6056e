//! Lookup for operators: a user (id or @username), a channel, an invoice, a payment or a tx hash,
//! each with its whole history; a channel's card (pause/resume its sales) and a user's card
//! (resend an invite). The changes are confirmed first (see `confirm`).
//!
//! A query is parsed first ([`parse_query`], pure): `@name`, a number (tried as every kind of
//! id), a transaction hash, or a channel's deep-link code. Every match is shown as its own
//! message, lists cut to the newest [`crate::store::lookup::LIST_LIMIT`] rows, every stored text escaped, each
//! message kept under Telegram's 4096 characters.

use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html::escape;

use super::confirm::Plan;
use super::{button, is_admin, send};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::{AdminAction, AdminOp};
use crate::domain::deeplink::ChannelCode;
use crate::domain::job::Job;
use crate::domain::lang::Lang;
use crate::domain::money::UsdMicros;
use crate::domain::states::SubscriptionStatus;
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::admin_log::Actor;
use crate::store::channels::{Channel, PayoutStrategy};
use crate::store::invites::ResendOutcome;
use crate::store::jobs::NewJob;
use crate::store::lookup::{Cut, PaymentLine, PayoutLine};
use crate::store::users::UserRow;

/// Telegram's limit on a message, in characters.
const MAX_MESSAGE_CHARS: usize = 4096;
/// A resend confirmed again within this long sends nothing more.
const RESEND_WINDOW: Duration = Duration::from_secs(60);
/// At most this many matches are shown for one query.
const MAX_MATCHES: usize = 6;

/// What an operator looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupQuery {
    /// `@name`: a user's username (or a channel's code).
    Username(String),
    /// Digits, maybe with a leading `-`: any id. `id` is None when it does not fit an i64
    /// (a NOWPayments id is text and may still match).
    Number { text: String, id: Option<i64> },
    /// A transaction hash: `0x` and 64 hex digits, or the 64 digits alone.
    TxHash(String),
    /// A channel's deep-link code.
    Code(String),
}

/// Reads a query; None when it is none of the forms above (the usage text is shown).
pub fn parse_query(input: &str) -> Option<LookupQuery> {
    let q = input.trim();
    if q.is_empty() || q.len() > 100 {
        return None;
    }
    if let Some(name) = q.strip_prefix('@') {
        let ok = (1..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        return ok.then(|| LookupQuery::Username(name.to_owned()));
    }
    let digits = q.strip_prefix('-').unwrap_or(q);
    if !digits.is_empty() && digits.len() <= 40 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(LookupQuery::Number {
            text: q.to_owned(),
            id: q.parse().ok(),
        });
    }
    let hex = q
        .strip_prefix("0x")
        .or_else(|| q.strip_prefix("0X"))
        .unwrap_or(q);
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(LookupQuery::TxHash(format!(
            "0x{}",
            hex.to_ascii_lowercase()
        )));
    }
    ChannelCode::parse(q).map(|c| LookupQuery::Code(c.as_str().to_owned()))
}

/// One thing a query found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    User(i64),
    Channel(i64),
    Invoice(i64),
    Payment(i64),
}

/// `/lookup <query>` (operators only).
pub async fn command(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    query: &str,
) -> HandlerResult {
    let lang = user.lang();
    if !is_admin(ctx, user) {
        return send(bot, chat, t(lang, "unknown-command"), None).await;
    }
    let Some(q) = parse_query(query) else {
        return send(bot, chat, t(lang, "admin-lookup-help"), None).await;
    };
    if let LookupQuery::TxHash(hash) = &q {
        return tx_view(bot, ctx, chat, lang, hash).await;
    }
    let mut found = Vec::new();
    match &q {
        LookupQuery::Username(name) => {
            for id in ctx.db.lookup_users_by_username(name).await? {
                found.push(Match::User(id));
            }
            for id in ctx.db.lookup_channels(None, name).await? {
                found.push(Match::Channel(id));
            }
        }
        LookupQuery::Number { text, id } => {
            if let Some(id) = *id {
                if ctx.db.get_user(id).await?.is_some() {
                    found.push(Match::User(id));
                }
                if ctx.db.lookup_invoice(id).await?.is_some() {
                    found.push(Match::Invoice(id));
                }
            }
            for c in ctx.db.lookup_channels(*id, "").await? {
                found.push(Match::Channel(c));
            }
            for p in ctx.db.lookup_payments(*id, text).await? {
                found.push(Match::Payment(p));
            }
        }
        LookupQuery::Code(code) => {
            for id in ctx.db.lookup_channels(None, code).await? {
                found.push(Match::Channel(id));
            }
        }
        LookupQuery::TxHash(_) => {}
    }
    if found.is_empty() {
        let text = t_args(
            lang,
            "admin-lookup-none",
            &[("query", Arg::from(query.trim()))],
        );
        return send(bot, chat, text, None).await;
    }
    let extra = found.len().saturating_sub(MAX_MATCHES);
    for m in found.into_iter().take(MAX_MATCHES) {
        match m {
            Match::User(id) => user_view(bot, ctx, chat, lang, id, false).await?,
            Match::Channel(id) => channel_card(bot, ctx, chat, lang, id).await?,
            Match::Invoice(id) => invoice_view(bot, ctx, chat, lang, id).await?,
            Match::Payment(id) => payment_view(bot, ctx, chat, lang, id).await?,
        }
    }
    if extra > 0 {
        send(
            bot,
            chat,
            more(lang, i64::try_from(extra).unwrap_or(0)),
            None,
        )
        .await?;
    }
    Ok(())
}

/// "… N more".
fn more(lang: Lang, n: i64) -> String {
    t_args(lang, "admin-lookup-more", &[("count", Arg::Int(n))])
}

/// A section: its title, then one line per row (or "none"), then "… N more" when cut.
fn section<T>(lang: Lang, title: &str, cut: &Cut<T>, line: impl Fn(&T) -> String) -> String {
    let mut out = vec![format!("\n<b>{}</b>", t(lang, title))];
    if cut.rows.is_empty() {
        out.push(t(lang, "admin-lookup-nothing"));
    }
    out.extend(cut.rows.iter().map(line));
    if cut.more() > 0 {
        out.push(more(lang, cut.more()));
    }
    out.join("\n")
}

/// Keeps whole lines (each closes its own tags) under Telegram's limit.
fn fit(text: String) -> String {
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return text;
    }
    let mut out = String::new();
    let mut used = 0;
    for line in text.lines() {
        let n = line.chars().count() + 1;
        if used + n > MAX_MESSAGE_CHARS - 2 {
            break;
        }
        out.push_str(line);
        out.push('\n');
        used += n;
    }
    out.push('…');
    out
}

fn opt(s: &Option<String>) -> String {
    escape(s.as_deref().unwrap_or("—"))
}

fn when(t: Option<UnixMillis>) -> String {
    t.map(|t| t.to_string()).unwrap_or_else(|| "—".into())
}

fn usd_opt(lang: Lang, v: Option<UsdMicros>) -> String {
    v.map(|v| v.localized(lang)).unwrap_or_else(|| "—".into())
}

fn payment_line(lang: Lang, p: &PaymentLine) -> String {
    let mut s = format!(
        "• {} <code>{}</code> NP <code>{}</code> <b>{}</b> {} {} → {} {}",
        p.created_at,
        p.id,
        escape(&p.np_payment_id),
        escape(p.status.as_str()),
        opt(&p.actually_paid),
        opt(&p.pay_currency),
        opt(&p.outcome_amount),
        opt(&p.outcome_currency),
    );
    if let Some(v) = p.value {
        s.push_str(&format!(" ({})", v.localized(lang)));
    }
    if let Some(r) = &p.held_reason {
        s.push_str(&format!(" ⚠️ held: {}", escape(r)));
    }
    if let Some(r) = &p.orphan_reason {
        s.push_str(&format!(" ⚠️ orphan: {}", escape(r)));
    }
    s
}

/// A payout as one line, with its transaction and the explorer link of the owner's network
/// (the same link the owner's statement shows).
async fn payout_line(ctx: &Ctx, lang: Lang, p: &PayoutLine) -> anyhow::Result<String> {
    let mut s = format!(
        "• {} #<code>{}</code> {} <b>{}</b> {} → {} {}/{} <code>{}</code>",
        p.created_at,
        p.id,
        escape(&p.kind),
        p.state,
        p.usd.localized(lang),
        opt(&p.amount_sent),
        escape(&p.dest_currency),
        escape(&p.dest_network),
        escape(&p.dest_address),
    );
    if let Some(h) = &p.tx_hash {
        s.push_str(&format!(
            "\n   tx <code>{}</code>{}",
            escape(h),
            explorer(ctx, &p.dest_network, h).await?
        ));
    }
    if let Some(e) = &p.error {
        let e: String = ctx.redact(e).chars().take(160).collect();
        s.push_str(&format!("\n   ⚠️ {}", escape(&e)));
    }
    Ok(s)
}

/// ` <a href="…">explorer</a>` for a transaction on `network`, or nothing when unknown.
async fn explorer(ctx: &Ctx, network: &str, hash: &str) -> anyhow::Result<String> {
    Ok(match ctx.db.network(network).await? {
        Some(n) => format!(" <a href=\"{}\">explorer</a>", escape(&n.tx_url(hash))),
        None => String::new(),
    })
}

fn user_name(u: &UserRow) -> String {
    let mut s = escape(&u.first_name);
    if let Some(name) = &u.username {
        s.push_str(&format!(" @{}", escape(name)));
    }
    s
}

pub async fn user_card(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang, id: i64) -> HandlerResult {
    user_view(bot, ctx, chat, lang, id, true).await
}

/// A user's history; `card` adds a resend button per active subscription.
async fn user_view(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    id: i64,
    card: bool,
) -> HandlerResult {
    let Some(u) = ctx.db.get_user(id).await? else {
        return send(bot, chat, t(lang, "admin-lookup-gone"), None).await;
    };
    let now = ctx.clock.now();
    let owned = ctx.db.lookup_owned_channels(id).await?;
    let subs = ctx.db.lookup_user_subscriptions(id).await?;
    let invoices = ctx.db.lookup_user_invoices(id).await?;
    let payments = ctx.db.lookup_user_payments(id).await?;
    let grants = ctx.db.lookup_user_grants(id).await?;
    let invites = ctx.db.lookup_user_invites(id).await?;
    let mut text = t_args(
        lang,
        "admin-lookup-user",
        &[
            ("id", Arg::Html(u.id.to_string())),
            ("name", Arg::Html(user_name(&u))),
            ("lang", Arg::from(u.lang().code())),
            (
                "owned",
                Arg::Int(i64::try_from(owned.len()).unwrap_or(i64::MAX)),
            ),
        ],
    );
    text.push_str(&section(lang, "admin-lookup-subscriptions", &subs, |s| {
        let grace = s.grace_until.map_or_else(String::new, |until| {
            format!(
                " ({})",
                t_args(
                    lang,
                    "admin-lookup-grace",
                    &[("until", Arg::Html(until.to_string()))]
                )
            )
        });
        format!(
            "• <code>{}</code> {} <b>{}</b> → {}{grace}",
            s.id,
            escape(&s.channel_title),
            s.status,
            s.expires_at
        )
    }));
    text.push_str(&section(lang, "admin-lookup-invoices", &invoices, |i| {
        format!(
            "• {} <code>{}</code> {} {} {} <b>{}</b>",
            i.created_at,
            i.id,
            escape(&i.kind),
            escape(&i.channel_title),
            i.price.localized(lang),
            i.status
        )
    }));
    text.push_str(&section(lang, "admin-lookup-payments", &payments, |p| {
        payment_line(lang, p)
    }));
    text.push_str(&section(lang, "admin-lookup-grants", &grants, |g| {
        format!(
            "• {} {} +{}d: {} → {}",
            g.created_at,
            escape(&g.channel_title),
            g.days,
            when(g.old_expires_at),
            g.new_expires_at
        )
    }));
    text.push_str(&section(lang, "admin-lookup-invites", &invites, |l| {
        format!(
            "• {} {} {}, used {}, revoked {}",
            l.created_at,
            escape(&l.channel_title),
            escape(&l.kind),
            when(l.used_at),
            when(l.revoked_at)
        )
    }));
    let mut rows: Vec<Vec<InlineKeyboardButton>> = owned
        .iter()
        .map(|(cid, title)| vec![button(format!("📣 {title}"), AdminAction::Channel(*cid))])
        .collect();
    if card {
        for s in subs
            .rows
            .iter()
            .filter(|s| s.status == SubscriptionStatus::Active && s.has_access(now))
        {
            rows.push(vec![button(
                t_args(
                    lang,
                    "admin-btn-resend-invite",
                    &[("channel", Arg::Html(s.channel_title.clone()))],
                ),
                AdminAction::Ask(AdminOp::ResendInvite(s.id)),
            )]);
        }
    } else {
        rows.push(vec![button(
            t(lang, "admin-btn-user-card"),
            AdminAction::User(u.id),
        )]);
    }
    send(bot, chat, fit(text), Some(InlineKeyboardMarkup::new(rows))).await
}

fn state_text(lang: Lang, c: &Channel) -> String {
    let mut states = Vec::new();
    if c.deleted {
        states.push(t(lang, "admin-lookup-state-deleted"));
    }
    if c.rights_lost {
        states.push(t(lang, "admin-lookup-state-rights-lost"));
    }
    if c.admin_paused {
        states.push(t(lang, "admin-lookup-state-admin-paused"));
    }
    if c.sales_paused {
        states.push(t(lang, "admin-lookup-state-owner-paused"));
    }
    if states.is_empty() {
        states.push(t(lang, "admin-lookup-state-on-sale"));
    }
    states.join(", ")
}

pub async fn channel_card(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    id: i64,
) -> HandlerResult {
    let Some(c) = ctx.db.channel(id).await? else {
        return send(bot, chat, t(lang, "admin-lookup-gone"), None).await;
    };
    let now = ctx.clock.now();
    let owner = ctx.db.get_user(c.owner_id).await?;
    let tiers = ctx.db.tiers(c.id).await?;
    let plans = tiers
        .iter()
        .map(|t| format!("{} / {}d", t.price.localized(lang), t.days))
        .collect::<Vec<_>>()
        .join(", ");
    let strategy = match c.payout.strategy {
        PayoutStrategy::Instant => "instant".to_owned(),
        PayoutStrategy::Threshold(th) => format!("threshold {}", th.localized(lang)),
    };
    let active = ctx.db.lookup_active_subscribers(c.id, now).await?;
    let payments = ctx.db.lookup_channel_payments(c.id).await?;
    let balance = ctx.db.lookup_channel_balance(c.id).await?;
    let payouts = ctx.db.lookup_channel_payouts(c.id).await?;
    let mut text = t_args(
        lang,
        "admin-lookup-channel",
        &[
            ("id", Arg::Html(c.id.to_string())),
            ("title", Arg::from(c.title.as_str())),
            (
                "owner",
                Arg::Html(format!(
                    "<code>{}</code> {}",
                    c.owner_id,
                    owner.as_ref().map(user_name).unwrap_or_default()
                )),
            ),
            ("code", Arg::from(c.code.as_str())),
            ("chat", Arg::Html(c.chat_id.to_string())),
            ("mode", Arg::from(c.access_mode.as_str())),
            ("plans", Arg::Html(plans)),
            (
                "payout",
                Arg::Html(format!(
                    "{}/{} <code>{}</code>{}",
                    escape(&c.payout.currency),
                    escape(&c.payout.network),
                    escape(&c.payout.address),
                    c.payout
                        .extra_id
                        .as_deref()
                        .map(|e| format!(" ({})", escape(e)))
                        .unwrap_or_default()
                )),
            ),
            ("strategy", Arg::Html(strategy)),
            ("state", Arg::Html(state_text(lang, &c))),
            ("active", Arg::Int(active)),
        ],
    );
    text.push_str(&section(lang, "admin-lookup-payments", &payments, |p| {
        payment_line(lang, p)
    }));
    let balance = Cut {
        total: i64::try_from(balance.len()).unwrap_or(i64::MAX),
        rows: balance,
    };
    text.push_str(&section(lang, "admin-lookup-balance", &balance, |b| {
        format!("• {}: {} ({})", b.state, b.owner.localized(lang), b.count)
    }));
    let mut lines = Vec::new();
    for p in &payouts.rows {
        lines.push(payout_line(ctx, lang, p).await?);
    }
    let payouts = Cut {
        rows: lines,
        total: payouts.total,
    };
    text.push_str(&section(lang, "admin-lookup-payouts", &payouts, |l| {
        l.clone()
    }));
    let switch = if c.admin_paused {
        button(
            t(lang, "admin-btn-resume-channel"),
            AdminAction::Ask(AdminOp::ResumeChannel(c.id)),
        )
    } else {
        button(
            t(lang, "admin-btn-pause-channel"),
            AdminAction::Ask(AdminOp::PauseChannel(c.id)),
        )
    };
    let mut rows = vec![vec![switch]];
    if ctx
        .db
        .last_broadcast_within_day(c.id, ctx.clock.now())
        .await?
        .is_some()
    {
        rows.push(vec![button(
            t(lang, "bc-admin-btn-lift"),
            AdminAction::Ask(AdminOp::LiftBroadcastLimit(c.id)),
        )]);
    }
    rows.push(vec![button(
        t(lang, "admin-btn-owner"),
        AdminAction::User(c.owner_id),
    )]);
    let markup = InlineKeyboardMarkup::new(rows);
    send(bot, chat, fit(text), Some(markup)).await
}

async fn invoice_view(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang, id: i64) -> HandlerResult {
    let Some(i) = ctx.db.lookup_invoice(id).await? else {
        return send(bot, chat, t(lang, "admin-lookup-gone"), None).await;
    };
    let payments = ctx.db.lookup_invoice_payments(id).await?;
    let mut text = t_args(
        lang,
        "admin-lookup-invoice",
        &[
            ("id", Arg::Html(i.id.to_string())),
            ("kind", Arg::from(i.kind.as_str())),
            ("user", Arg::Html(i.user_id.to_string())),
            ("channel", Arg::from(i.channel_title.as_str())),
            (
                "days",
                Arg::from(
                    i.days
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "—".into())
                        .as_str(),
                ),
            ),
            ("price", Arg::Html(i.price.localized(lang))),
            ("status", Arg::from(i.status.as_str())),
            ("np", Arg::from(i.np_invoice_id.as_deref().unwrap_or("—"))),
            ("created", Arg::Html(i.created_at.to_string())),
        ],
    );
    let mut lines = Vec::new();
    for p in &payments.rows {
        let mut l = payment_line(lang, p);
        for e in ctx.db.lookup_payment_events(&p.np_payment_id).await? {
            l.push_str(&event_line(lang, &e));
        }
        lines.push(l);
    }
    let cut = Cut {
        rows: lines,
        total: payments.total,
    };
    text.push_str(&section(lang, "admin-lookup-payments", &cut, |l| l.clone()));
    let markup = InlineKeyboardMarkup::new(vec![vec![
        button(t(lang, "admin-btn-user-card"), AdminAction::User(i.user_id)),
        button(
            format!("📣 {}", i.channel_title),
            AdminAction::Channel(i.channel_id),
        ),
    ]]);
    send(bot, chat, fit(text), Some(markup)).await
}

fn event_line(lang: Lang, e: &crate::store::lookup::EventLine) -> String {
    let applied = t(
        lang,
        if e.applied {
            "admin-lookup-applied"
        } else {
            "admin-lookup-not-applied"
        },
    );
    format!(
        "\n   ↳ {} {} ({applied})",
        e.received_at,
        escape(e.status.as_str())
    )
}

async fn payment_view(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang, id: i64) -> HandlerResult {
    let Some(p) = ctx.db.lookup_payment(id).await? else {
        return send(bot, chat, t(lang, "admin-lookup-gone"), None).await;
    };
    let mut text = t_args(
        lang,
        "admin-lookup-payment",
        &[
            ("id", Arg::Html(p.id.to_string())),
            ("np", Arg::from(p.np_payment_id.as_str())),
            (
                "invoice",
                Arg::Html(
                    p.invoice_id
                        .map(|i| format!("<code>{i}</code>"))
                        .unwrap_or_else(|| "—".into()),
                ),
            ),
            ("status", Arg::from(p.status.as_str())),
            (
                "paid",
                Arg::Html(format!(
                    "{} / {} {}",
                    opt(&p.actually_paid),
                    opt(&p.pay_amount),
                    opt(&p.pay_currency)
                )),
            ),
            (
                "outcome",
                Arg::Html(format!(
                    "{} {}",
                    opt(&p.outcome_amount),
                    opt(&p.outcome_currency)
                )),
            ),
            ("value", Arg::Html(usd_opt(lang, p.value))),
            ("fee", Arg::Html(usd_opt(lang, p.fee))),
            ("owner", Arg::Html(usd_opt(lang, p.owner))),
            ("created", Arg::Html(p.created_at.to_string())),
        ],
    );
    let mut extra = Vec::new();
    for (key, reason) in [
        ("admin-lookup-held", &p.held_reason),
        ("admin-lookup-orphan", &p.orphan_reason),
    ] {
        if let Some(r) = reason {
            extra.push(t_args(lang, key, &[("reason", Arg::from(r.as_str()))]));
        }
    }
    if let Some(review) = &p.review {
        extra.push(t_args(
            lang,
            "admin-lookup-review",
            &[
                ("review", Arg::from(review.as_str())),
                (
                    "reason",
                    Arg::from(p.review_reason.as_deref().unwrap_or("—")),
                ),
            ],
        ));
    }
    if let Some(r) = p.refunded_at {
        extra.push(format!("↩️ refunded {r}"));
    }
    if !extra.is_empty() {
        text.push('\n');
        text.push_str(&extra.join("\n"));
    }
    let events = ctx.db.lookup_payment_events(&p.np_payment_id).await?;
    text.push_str(&format!("\n\n<b>{}</b>", t(lang, "admin-lookup-events")));
    if events.is_empty() {
        text.push('\n');
        text.push_str(&t(lang, "admin-lookup-nothing"));
    }
    for e in &events {
        text.push_str(&event_line(lang, e));
    }
    text.push_str(&format!("\n\n<b>{}</b>\n", t(lang, "admin-lookup-money")));
    let mut money = Vec::new();
    if let Some(g) = ctx.db.lookup_payment_grant(p.id).await? {
        money.push(format!(
            "• grant: {} +{}d, {} → {}",
            escape(&g.channel_title),
            g.days,
            when(g.old_expires_at),
            g.new_expires_at
        ));
    }
    let acc = ctx.db.lookup_payment_accumulation(p.id).await?;
    if let Some(a) = &acc {
        money.push(format!(
            "• accumulation <code>{}</code> <b>{}</b> {} ({} {}, {})",
            a.id,
            a.state,
            a.owner.localized(lang),
            escape(&a.crypto_amount),
            escape(&a.crypto_currency),
            escape(&a.reason)
        ));
    }
    let payout = match ctx.db.lookup_payment_payout(p.id).await? {
        Some(po) => Some(po),
        None => match acc.and_then(|a| a.payout_id) {
            Some(pid) => ctx.db.lookup_payout(pid).await?,
            None => None,
        },
    };
    if let Some(po) = &payout {
        money.push(payout_line(ctx, lang, po).await?);
    }
    if money.is_empty() {
        money.push(t(lang, "admin-lookup-nothing"));
    }
    text.push_str(&money.join("\n"));
    let mut row = Vec::new();
    if let Some(inv) = p.invoice_id
        && let Some(i) = ctx.db.lookup_invoice(inv).await?
    {
        row.push(button(
            t(lang, "admin-btn-user-card"),
            AdminAction::User(i.user_id),
        ));
        row.push(button(
            format!("📣 {}", i.channel_title),
            AdminAction::Channel(i.channel_id),
        ));
    }
    let mut rows = vec![row];
    if let Some(refund) = super::stars::refund_row(ctx, lang, p.id).await? {
        rows.push(refund);
    }
    send(bot, chat, fit(text), Some(InlineKeyboardMarkup::new(rows))).await
}

async fn tx_view(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang, hash: &str) -> HandlerResult {
    let txs = ctx.db.lookup_wallet_txs_by_hash(hash).await?;
    let payouts = ctx.db.lookup_payouts_by_hash(hash).await?;
    if txs.is_empty() && payouts.is_empty() {
        let text = t_args(lang, "admin-lookup-none", &[("query", Arg::from(hash))]);
        return send(bot, chat, text, None).await;
    }
    let host_network = &ctx.config.providers.host_asset.1;
    let mut parts = Vec::new();
    let mut shown = Vec::new();
    for w in &txs {
        let mut s = t_args(
            lang,
            "admin-lookup-tx",
            &[
                ("hash", Arg::from(w.tx_hash.as_str())),
                ("state", Arg::from(w.state.as_str())),
                ("nonce", Arg::Html(w.nonce.to_string())),
                ("amount", Arg::from(w.amount.as_str())),
                ("asset", Arg::from(w.asset.as_str())),
                ("to", Arg::from(w.to_address.as_str())),
                ("chain", Arg::Html(w.chain_id.to_string())),
                ("created", Arg::Html(w.created_at.to_string())),
            ],
        );
        s.push_str(&explorer(ctx, host_network, &w.tx_hash).await?);
        if let Some(pid) = w.payout_id
            && let Some(po) = ctx.db.lookup_payout(pid).await?
        {
            s.push_str(&format!("\n{}\n", t(lang, "admin-lookup-for-payout")));
            s.push_str(&payout_line(ctx, lang, &po).await?);
            shown.push(po.id);
        }
        if let Some(cid) = w.conversion_id
            && let Some(cv) = ctx.db.lookup_conversion(cid).await?
        {
            s.push_str(&format!("\n{}\n", t(lang, "admin-lookup-for-conversion")));
            s.push_str(&format!(
                "• #<code>{}</code> <b>{}</b> {} {} ({}) {}{}",
                cv.id,
                cv.state,
                escape(&cv.from_amount),
                escape(&cv.from_currency),
                cv.usd.localized(lang),
                opt(&cv.exchange_id),
                cv.error
                    .as_deref()
                    .map(|e| format!(" ⚠️ {}", escape(&ctx.redact(e))))
                    .unwrap_or_default()
            ));
        }
        parts.push(s);
    }
    for po in payouts.iter().filter(|p| !shown.contains(&p.id)) {
        parts.push(format!(
            "{}\n{}",
            t(lang, "admin-lookup-payout-tx"),
            payout_line(ctx, lang, po).await?
        ));
    }
    let channels: Vec<i64> = payouts.iter().map(|p| p.channel_id).collect();
    let rows = channels
        .first()
        .map(|c| {
            vec![vec![button(
                t(lang, "admin-btn-channel"),
                AdminAction::Channel(*c),
            )]]
        })
        .unwrap_or_default();
    send(
        bot,
        chat,
        fit(parts.join("\n\n")),
        Some(InlineKeyboardMarkup::new(rows)),
    )
    .await
}

/// What a lookup action would do now (the first press; changes nothing).
pub async fn describe(ctx: &Ctx, lang: Lang, op: AdminOp) -> anyhow::Result<Plan> {
    match op {
        AdminOp::LiftBroadcastLimit(id) => {
            let Some(c) = ctx.db.channel(id).await? else {
                return Ok(Plan::Refused(t(lang, "admin-lookup-gone")));
            };
            let channel = ("channel", Arg::from(c.title.as_str()));
            Ok(
                match ctx
                    .db
                    .last_broadcast_within_day(id, ctx.clock.now())
                    .await?
                {
                    None => Plan::Refused(t_args(lang, "bc-admin-not-limited", &[channel])),
                    Some(last) => Plan::Ready(t_args(
                        lang,
                        "bc-admin-ask-lift",
                        &[channel, ("last", Arg::Html(last.to_string()))],
                    )),
                },
            )
        }
        AdminOp::PauseChannel(id) | AdminOp::ResumeChannel(id) => {
            let pause = matches!(op, AdminOp::PauseChannel(_));
            let Some(c) = ctx.db.channel(id).await? else {
                return Ok(Plan::Refused(t(lang, "admin-lookup-gone")));
            };
            let channel = ("channel", Arg::from(c.title.as_str()));
            if c.admin_paused == pause {
                let key = if pause {
                    "admin-channel-already-paused"
                } else {
                    "admin-channel-not-paused"
                };
                return Ok(Plan::Refused(t_args(lang, key, &[channel])));
            }
            let key = if pause {
                "admin-ask-pause-channel"
            } else {
                "admin-ask-resume-channel"
            };
            Ok(Plan::Ready(t_args(lang, key, &[channel])))
        }
        AdminOp::ResendInvite(sub_id) => {
            let now = ctx.clock.now();
            let Some(s) = ctx.db.lookup_subscription(sub_id).await? else {
                return Ok(Plan::Refused(t(lang, "admin-lookup-gone")));
            };
            let channel = ctx.db.channel(s.channel_id).await?;
            let usable = channel
                .as_ref()
                .is_some_and(|c| !c.rights_lost && !c.deleted);
            if s.status != SubscriptionStatus::Active || !s.has_access(now) || !usable {
                return Ok(Plan::Refused(t_args(
                    lang,
                    "admin-invite-not-possible",
                    &[("channel", Arg::from(s.channel_title.as_str()))],
                )));
            }
            let user = ctx.db.get_user(s.user_id).await?;
            let links = ctx.db.live_invite_count(sub_id).await?;
            let mode = channel
                .map(|c| c.access_mode.as_str().to_owned())
                .unwrap_or_default();
            Ok(Plan::Ready(t_args(
                lang,
                "admin-ask-resend-invite",
                &[
                    (
                        "user",
                        Arg::Html(format!(
                            "<code>{}</code> {}",
                            s.user_id,
                            user.as_ref().map(user_name).unwrap_or_default()
                        )),
                    ),
                    ("channel", Arg::from(s.channel_title.as_str())),
                    ("mode", Arg::from(mode.as_str())),
                    ("links", Arg::Int(links)),
                    ("expires", Arg::Html(s.expires_at.to_string())),
                ],
            )))
        }
        _ => Ok(Plan::Refused(t(lang, "callback-expired"))),
    }
}

/// Does a lookup action for operator `admin`, re-checked inside its transaction.
pub async fn execute(ctx: &Ctx, admin: i64, lang: Lang, op: AdminOp) -> anyhow::Result<String> {
    let now = ctx.clock.now();
    match op {
        AdminOp::LiftBroadcastLimit(id) => {
            let Some(c) = ctx.db.channel(id).await? else {
                return Ok(t(lang, "admin-lookup-gone"));
            };
            let changed = ctx
                .db
                .lift_broadcast_limit(id, Actor::Admin(admin), now)
                .await?;
            tracing::warn!(
                user_id = admin,
                channel_id = id,
                changed,
                "broadcast limit lifted by an operator"
            );
            let key = if changed {
                "bc-admin-lifted"
            } else {
                "bc-admin-not-limited"
            };
            Ok(t_args(
                lang,
                key,
                &[("channel", Arg::from(c.title.as_str()))],
            ))
        }
        AdminOp::PauseChannel(id) | AdminOp::ResumeChannel(id) => {
            let pause = matches!(op, AdminOp::PauseChannel(_));
            let Some(c) = ctx.db.channel(id).await? else {
                return Ok(t(lang, "admin-lookup-gone"));
            };
            let changed = ctx
                .db
                .set_admin_paused(id, pause, Actor::Admin(admin), now)
                .await?;
            tracing::warn!(
                user_id = admin,
                channel_id = id,
                pause,
                changed,
                "channel sales set by an operator"
            );
            let key = match (changed, pause) {
                (true, true) => "admin-channel-paused-now",
                (true, false) => "admin-channel-resumed-now",
                (false, true) => "admin-channel-already-paused",
                (false, false) => "admin-channel-not-paused",
            };
            Ok(t_args(
                lang,
                key,
                &[("channel", Arg::from(c.title.as_str()))],
            ))
        }
        AdminOp::ResendInvite(sub_id) => {
            let Some(s) = ctx.db.lookup_subscription(sub_id).await? else {
                return Ok(t(lang, "admin-lookup-gone"));
            };
            let channel = ("channel", Arg::from(s.channel_title.as_str()));
            let job = NewJob {
                job: Job::ResendInvite {
                    subscription_id: sub_id,
                },
                // A new key each time (a repeat within the window is stopped by the store).
                unique_key: Some(format!("resend:{sub_id}:{}", now.as_millis())),
                run_at: now,
                give_up_at: now.saturating_add(ctx.config.jobs.give_up_after),
            };
            let outcome = ctx
                .db
                .resend_invite(
                    sub_id,
                    &job,
                    Actor::Admin(admin),
                    now.saturating_sub(RESEND_WINDOW),
                    now,
                )
                .await?;
            tracing::warn!(
                user_id = admin,
                subscription_id = sub_id,
                ?outcome,
                "invite resend by an operator"
            );
            let key = match outcome {
                ResendOutcome::Queued => {
                    ctx.jobs_wake.notify_one();
                    "admin-invite-resent"
                }
                ResendOutcome::AlreadyResent => "admin-invite-recently",
                ResendOutcome::NotPossible => "admin-invite-not-possible",
            };
            Ok(t_args(lang, key, &[channel]))
        }
        _ => Ok(t(lang, "callback-expired")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn queries_are_read_by_their_form() {
        assert_eq!(
            parse_query(" @Sam_1 "),
            Some(LookupQuery::Username("Sam_1".into()))
        );
        assert_eq!(
            parse_query("123"),
            Some(LookupQuery::Number {
                text: "123".into(),
                id: Some(123)
            })
        );
        assert_eq!(
            parse_query("-100777000"),
            Some(LookupQuery::Number {
                text: "-100777000".into(),
                id: Some(-100_777_000)
            })
        );
        let big = "99999999999999999999";
        assert_eq!(
            parse_query(big),
            Some(LookupQuery::Number {
                text: big.into(),
                id: None
            })
        );
        let hash = format!("0x{}", "Ab".repeat(32));
        assert_eq!(
            parse_query(&hash),
            Some(LookupQuery::TxHash(format!("0x{}", "ab".repeat(32))))
        );
        assert_eq!(
            parse_query(&"cd".repeat(32)),
            Some(LookupQuery::TxHash(format!("0x{}", "cd".repeat(32))))
        );
        assert_eq!(
            parse_query("aB3dE5gH7k"),
            Some(LookupQuery::Code("aB3dE5gH7k".into()))
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for q in [
            "",
            "   ",
            "@",
            "@bad-name",
            "-",
            "0x12",
            "abc",
            "drop table users;",
            "<b>x</b>",
            "12 34",
            "--5",
        ] {
            assert_eq!(parse_query(q), None, "{q:?}");
        }
    }

    #[test]
    fn a_long_text_is_cut_on_a_line_under_the_limit() {
        let text = (0..1000)
            .map(|i| format!("<b>line {i}</b>"))
            .collect::<Vec<_>>()
            .join("\n");
        let out = fit(text);
        assert!(out.chars().count() <= MAX_MESSAGE_CHARS);
        assert!(out.ends_with("</b>\n…"), "{}", &out[out.len() - 20..]);
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC*") {
            let _ = parse_query(&s);
        }

        #[test]
        fn parsing_never_panics_on_near_misses(s in "[-@0xX0-9a-fA-F_ ]{0,80}") {
            let _ = parse_query(&s);
        }
    }
}
