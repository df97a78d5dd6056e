//! demo.html: the demo's transcript as one self-contained page that opens offline from
//! `file://` (inline CSS and a few lines of inline JS, nothing fetched). Every person's chat is
//! drawn as Telegram-like bubbles with the bot's inline buttons under its messages, then the
//! invoices, the payouts (linked to an explorer), each owner's balance and a timeline of scenes.
//!
//! The markup is built with `maud`, which escapes every value spliced into text or attributes.
//! Hooks for tests (and for a person's own scripts): `.chat[data-person]` per person,
//! `.bubble[data-side="bot"|"person"]`, `.inline-button`, `a.explorer`, and the sections
//! `#invoices`, `#payouts`, `#balances`, `#timeline`.

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::transcript::{
    BalanceRow, Button, ChatEntry, InvoiceLine, PayoutLine, Person, Side, TimelineEntry, Transcript,
};

/// The whole page as one HTML document.
pub fn render(t: &Transcript) -> String {
    page(t).into_string()
}

fn page(t: &Transcript) -> Markup {
    let clean = t
        .audit
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("clean");
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t.title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.top {
                    h1 { (t.title) }
                    div.sub {
                        span.bot-name { "@" (t.bot_username) }
                        span.counts {
                            (count(t.people.len(), "person", "people")) " · "
                            (count(t.invoices.len(), "invoice", "invoices")) " · "
                            (count(t.payouts.len(), "payout", "payouts"))
                        }
                    }
                    div #audit .audit .clean[clean] .dirty[!clean] { "Audit: " (t.audit) }
                    nav {
                        a href="#chats" { "Chats" }
                        a href="#invoices" { "Invoices" }
                        a href="#payouts" { "Payouts" }
                        a href="#balances" { "Balances" }
                        a href="#timeline" { "Timeline" }
                    }
                }
                main {
                    section #chats {
                        @if t.people.is_empty() {
                            p.empty { "No chats." }
                        } @else {
                            div.filter {
                                span { "Show: " }
                                button type="button" .chip .on data-filter-all="" { "everyone" }
                                @for p in &t.people {
                                    button type="button" .chip data-filter=(p.name) { (p.name) }
                                }
                            }
                            div.chats {
                                @for p in &t.people { (chat(p)) }
                            }
                        }
                    }
                    (invoices(&t.invoices))
                    (payouts(&t.payouts))
                    (balances(&t.balances))
                    (timeline(&t.timeline))
                }
                footer { "Played offline against simulators; every time shown is simulated (UTC)." }
                script { (PreEscaped(JS)) }
            }
        }
    }
}

fn chat(p: &Person) -> Markup {
    // A day separator above the first message of each simulated day, as Telegram shows.
    let mut last_day: Option<String> = None;
    let entries: Vec<(Option<String>, &ChatEntry)> = p
        .chat
        .iter()
        .map(|e| {
            let day = day_of(e.at_ms);
            let separator = (last_day.as_ref() != Some(&day)).then(|| day.clone());
            last_day = Some(day);
            (separator, e)
        })
        .collect();
    html! {
        section.chat data-person=(p.name) data-role=(p.role.label()) data-telegram-id=(p.telegram_id) {
            header.chat-head {
                span.avatar .(p.role.label()) { (initial(&p.name)) }
                div {
                    h2 { (p.name) }
                    div.who { (p.role.label()) " · Telegram id " (p.telegram_id) }
                }
            }
            div.messages {
                @if p.chat.is_empty() {
                    p.empty { "No messages." }
                }
                @for (separator, e) in &entries {
                    @if let Some(day) = separator {
                        div.day { span { (day) } }
                    }
                    (entry(e))
                }
            }
            @if !p.summary.is_empty() {
                div.summary { (p.summary) }
            }
        }
    }
}

fn entry(e: &ChatEntry) -> Markup {
    let side = match e.side {
        Side::Bot => "bot",
        Side::Person => "person",
    };
    html! {
        div.row .(side) {
            div.bubble .action[e.action] .edited[e.edited] data-side=(side) {
                div.text { (e.text) }
                div.meta {
                    @if e.edited { span.edited-mark { "edited" } " " }
                    time datetime=(iso(e.at_ms)) title=(full_time(e.at_ms)) { (clock(e.at_ms)) }
                }
            }
            @if !e.buttons.is_empty() {
                div.keyboard {
                    @for row in &e.buttons {
                        div.kb-row {
                            @for b in row { (button(b)) }
                        }
                    }
                }
            }
        }
    }
}

fn button(b: &Button) -> Markup {
    match b.url.as_deref() {
        Some(url) => match link_target(url) {
            Some(href) => html! {
                a.inline-button .url href=(href) title=(href) target="_blank" rel="noopener noreferrer" {
                    (b.text) span.arrow { "↗" }
                }
            },
            // A target a browser should not follow from this page (javascript:, data:, …):
            // shown, never linked.
            None => html! { span.inline-button .url .dead title=(url) { (b.text) } },
        },
        None => html! { span.inline-button { (b.text) } },
    }
}

fn invoices(rows: &[InvoiceLine]) -> Markup {
    html! {
        section #invoices .card {
            h2 { "Invoices" }
            table {
                thead { tr { th { "Subscriber" } th { "Channel" } th { "Price" } th { "Paid with" } th { "Outcome" } } }
                tbody {
                    @for r in rows {
                        tr {
                            td { (r.subscriber) } td { (r.channel) } td.num { (r.price) }
                            td.num { (r.paid_with) } td { (r.outcome) }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="5" { "No invoices." } } }
                }
            }
        }
    }
}

fn payouts(rows: &[PayoutLine]) -> Markup {
    html! {
        section #payouts .card {
            h2 { "Payouts" }
            table {
                thead { tr { th { "Owner" } th { "Channel" } th { "Kind" } th { "Amount" } th { "State" } th { "Transaction" } } }
                tbody {
                    @for r in rows {
                        tr {
                            td { (r.owner) } td { (r.channel) } td { (r.kind) } td.num { (r.amount) }
                            td { (r.state) } td.tx { (tx_cell(r)) }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="6" { "No payouts." } } }
                }
            }
        }
    }
}

fn tx_cell(r: &PayoutLine) -> Markup {
    let href = r.explorer_url.as_deref().and_then(link_target);
    match (r.tx_hash.as_deref(), href) {
        (Some(hash), Some(href)) => html! {
            a.explorer href=(href) title=(hash) target="_blank" rel="noopener noreferrer" { code { (short_hash(hash)) } }
        },
        (Some(hash), None) => html! { code title=(hash) { (short_hash(hash)) } },
        (None, Some(href)) => html! {
            a.explorer href=(href) target="_blank" rel="noopener noreferrer" { "explorer" }
        },
        (None, None) => html! { span.none { "—" } },
    }
}

fn balances(rows: &[BalanceRow]) -> Markup {
    html! {
        section #balances .card {
            h2 { "Balance per owner (USD)" }
            table {
                thead { tr { th { "Owner" } th { "Owed" } th { "Paid" } th { "Pending" } th { "Fees" } } }
                tbody {
                    @for r in rows {
                        tr {
                            td { (r.owner) } td.num { (r.owed) } td.num { (r.paid) }
                            td.num { (r.pending) } td.num { (r.fees) }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="5" { "No owners." } } }
                }
            }
        }
    }
}

fn timeline(rows: &[TimelineEntry]) -> Markup {
    let start = rows.iter().map(|r| r.at_ms).min();
    html! {
        section #timeline .card {
            h2 { "Timeline" }
            ol.timeline {
                @for r in rows {
                    li data-scene=(r.scene) {
                        time datetime=(iso(r.at_ms)) { (full_time(r.at_ms)) }
                        span.offset { (offset(r.at_ms - start.unwrap_or(r.at_ms))) }
                        span.scene { (r.scene) }
                        span.what { (r.text) }
                    }
                }
                @if rows.is_empty() { li.empty { "Nothing happened." } }
            }
        }
    }
}

/// `url` if a click on it from this page is harmless: a web page or a Telegram link.
fn link_target(url: &str) -> Option<&str> {
    let lower = url.trim_start().to_ascii_lowercase();
    ["https://", "http://", "tg://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then_some(url)
}

/// `0x12345678…9abcdef0`: enough to tell transactions apart; the full hash is in the title.
fn short_hash(hash: &str) -> String {
    let chars: Vec<char> = hash.chars().collect();
    if chars.len() <= 20 {
        return hash.to_owned();
    }
    let head: String = chars[..10].iter().collect();
    let tail: String = chars[chars.len() - 8..].iter().collect();
    format!("{head}…{tail}")
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".to_owned())
}

fn at(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

fn clock(ms: i64) -> String {
    at(ms).map_or_else(|| ms.to_string(), |t| t.format("%H:%M:%S").to_string())
}

fn day_of(ms: i64) -> String {
    at(ms).map_or_else(String::new, |t| t.format("%B %-d, %Y").to_string())
}

fn full_time(ms: i64) -> String {
    at(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

fn iso(ms: i64) -> String {
    at(ms).map_or_else(String::new, |t| t.to_rfc3339())
}

/// `+0s`, `+2m 05s`, `+3h 00m`, `+30d 4h`.
fn offset(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        format!("+{d}d {h}h")
    } else if h > 0 {
        format!("+{h}h {m:02}m")
    } else if m > 0 {
        format!("+{m}m {sec:02}s")
    } else {
        format!("+{sec}s")
    }
}

const CSS: &str = r#"
:root { --bg:#f1f3f6; --chat:#cfdfe9; --bot:#ffffff; --me:#3b8ee8; --ink:#17212b; --muted:#6d7f8f;
  --btn:rgba(39,71,99,.38); --card:#ffffff; --line:#e3e8ee; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  background:var(--bg); color:var(--ink); }
header.top { background:#2b5278; color:#fff; padding:18px 24px 10px; }
header.top h1 { margin:0 0 4px; font-size:22px; }
.sub { display:flex; gap:16px; opacity:.9; }
.bot-name { font-weight:600; }
.audit { margin:10px 0 6px; padding:6px 10px; border-radius:8px; display:inline-block; font-weight:600; }
.audit.clean { background:#d9f7dc; color:#13511d; }
.audit.dirty { background:#ffe0de; color:#8a1410; }
nav { margin-top:6px; display:flex; gap:14px; }
nav a { color:#cfe6ff; text-decoration:none; }
nav a:hover { text-decoration:underline; }
main { padding:16px 24px 32px; }
.filter { margin-bottom:12px; display:flex; flex-wrap:wrap; gap:6px; align-items:center; color:var(--muted); }
.chip { border:1px solid #b7c6d3; background:#fff; border-radius:14px; padding:3px 10px; cursor:pointer; font:inherit; }
.chip.on { background:#2b5278; color:#fff; border-color:#2b5278; }
.chats { display:grid; grid-template-columns:repeat(auto-fill,minmax(360px,1fr)); gap:16px; align-items:start; }
.chat { background:var(--chat); border-radius:14px; overflow:hidden; box-shadow:0 1px 3px rgba(0,0,0,.12); }
.chat[hidden] { display:none; }
.chat-head { display:flex; gap:10px; align-items:center; background:#fff; padding:10px 14px; border-bottom:1px solid var(--line); }
.chat-head h2 { margin:0; font-size:16px; }
.who { color:var(--muted); font-size:12px; }
.avatar { width:38px; height:38px; border-radius:50%; display:flex; align-items:center; justify-content:center;
  color:#fff; font-weight:700; background:#7a8ea3; flex:none; }
.avatar.owner { background:#e17b3b; } .avatar.subscriber { background:#4f9de0; } .avatar.admin { background:#8e63c9; }
.messages { padding:10px 12px 14px; max-height:760px; overflow-y:auto; display:flex; flex-direction:column; gap:6px; }
.day { text-align:center; margin:6px 0; }
.day span { background:rgba(40,70,100,.35); color:#fff; border-radius:10px; padding:2px 10px; font-size:12px; }
.row { display:flex; flex-direction:column; max-width:85%; }
.row.bot { align-self:flex-start; }
.row.person { align-self:flex-end; align-items:flex-end; }
.bubble { padding:6px 10px 4px; border-radius:12px; box-shadow:0 1px 1px rgba(0,0,0,.12); }
.row.bot .bubble { background:var(--bot); border-bottom-left-radius:4px; }
.row.person .bubble { background:var(--me); color:#fff; border-bottom-right-radius:4px; }
.row.person .bubble.action { background:rgba(255,255,255,.55); color:#2b5278; font-style:italic; box-shadow:none;
  border:1px dashed #8aa7c0; }
.text { white-space:pre-wrap; overflow-wrap:anywhere; }
.meta { text-align:right; font-size:11px; color:var(--muted); margin-top:2px; }
.row.person .bubble:not(.action) .meta { color:#d8e9ff; }
.edited-mark { font-style:italic; }
.keyboard { display:flex; flex-direction:column; gap:4px; margin-top:4px; width:100%; min-width:220px; }
.kb-row { display:flex; gap:4px; }
.inline-button { flex:1; text-align:center; background:var(--btn); color:#fff; border-radius:8px; padding:6px 8px;
  font-weight:500; text-decoration:none; font-size:13px; }
a.inline-button:hover { background:rgba(39,71,99,.55); }
.inline-button .arrow { font-size:10px; margin-left:4px; vertical-align:top; }
.inline-button.dead { opacity:.6; }
.summary { background:#fff; border-top:1px solid var(--line); padding:8px 14px; color:var(--muted); font-size:13px; }
.card { background:var(--card); border-radius:12px; padding:12px 16px; margin-top:20px; box-shadow:0 1px 3px rgba(0,0,0,.08); }
.card h2 { margin:4px 0 10px; font-size:17px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
td.num { font-variant-numeric:tabular-nums; white-space:nowrap; }
td.tx code, .tx code { font-size:12px; }
a.explorer { color:#2b6cb0; }
.empty { color:var(--muted); font-style:italic; }
ol.timeline { list-style:none; margin:0; padding:0 0 0 8px; border-left:3px solid #b9cde0; }
ol.timeline li { position:relative; padding:6px 0 6px 16px; display:flex; gap:10px; flex-wrap:wrap; align-items:baseline; }
ol.timeline li::before { content:""; position:absolute; left:-8px; top:12px; width:11px; height:11px; border-radius:50%;
  background:#3b8ee8; border:2px solid #fff; }
ol.timeline time { color:var(--muted); font-size:12px; font-variant-numeric:tabular-nums; }
.offset { color:#2b5278; font-size:12px; font-weight:600; min-width:64px; }
.scene { background:#e7eef6; border-radius:6px; padding:1px 8px; font-weight:600; }
footer { color:var(--muted); font-size:12px; padding:0 24px 24px; }
"#;

/// The person filter: shows one chat or all of them. Data attributes are compared, never used
/// to build a selector, so no name can change what the script does.
const JS: &str = r#"
(function () {
  var chips = Array.prototype.slice.call(document.querySelectorAll('.filter .chip'));
  var chats = Array.prototype.slice.call(document.querySelectorAll('.chat[data-person]'));
  chips.forEach(function (chip) {
    chip.addEventListener('click', function () {
      var who = chip.hasAttribute('data-filter-all') ? null : chip.getAttribute('data-filter');
      chats.forEach(function (c) { c.hidden = who !== null && c.getAttribute('data-person') !== who; });
      chips.forEach(function (o) { o.classList.toggle('on', o === chip); });
    });
  });
})();
"#;

#[cfg(test)]
#[path = "../../../tests/it/support/chromium.rs"]
mod chromium;

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use scraper::{Html, Selector};

    use super::super::transcript::Role;
    use super::*;

    const NASTY: &str = r#"<script>alert("pwned")</script> & 'quotes' "too""#;

    fn at(minute: i64) -> i64 {
        // 2026-01-05 12:00:00 UTC
        1_767_614_400_000 + minute * 60_000
    }

    fn said(side: Side, minute: i64, text: &str) -> ChatEntry {
        ChatEntry {
            at_ms: at(minute),
            side,
            text: text.into(),
            buttons: vec![],
            edited: false,
            action: false,
        }
    }

    fn sample() -> Transcript {
        let mut menu = said(Side::Bot, 1, "Welcome! What would you like to do?");
        menu.buttons = vec![
            vec![
                Button {
                    text: "Register a channel".into(),
                    url: None,
                },
                Button {
                    text: "My channels".into(),
                    url: None,
                },
            ],
            vec![Button {
                text: "Share my link".into(),
                url: Some("https://t.me/telepay_demo_bot?start=ch_1".into()),
            }],
        ];
        let mut pressed = said(Side::Person, 2, "pressed “Register a channel”");
        pressed.action = true;
        let mut edited = said(Side::Bot, 2, "Channel “Alpha” registered.");
        edited.edited = true;
        let mut pay = said(Side::Bot, 60 * 24 + 5, "Pay $9.99 for 30 days");
        pay.buttons = vec![vec![
            Button {
                text: "Pay".into(),
                url: Some("https://nowpayments.example/invoice/42".into()),
            },
            Button {
                text: "Evil".into(),
                url: Some("javascript:alert(1)".into()),
            },
        ]];
        Transcript {
            title: "TelePay demo".into(),
            bot_username: "telepay_demo_bot".into(),
            people: vec![
                Person {
                    telegram_id: 1001,
                    name: "Olga".into(),
                    role: Role::Owner,
                    chat: vec![said(Side::Person, 0, "/start"), menu, pressed, edited],
                    summary: "registered Alpha, paid out twice".into(),
                },
                Person {
                    telegram_id: 2002,
                    name: r#"Sam "the <b>bold</b>" & co"#.into(),
                    role: Role::Subscriber,
                    chat: vec![said(Side::Person, 60 * 24, NASTY), pay],
                    summary: String::new(),
                },
            ],
            invoices: vec![InvoiceLine {
                subscriber: "Sam".into(),
                channel: "Alpha".into(),
                price: "$9.99".into(),
                paid_with: "0.00025 BTC".into(),
                outcome: "paid".into(),
            }],
            payouts: vec![
                PayoutLine {
                    owner: "Olga".into(),
                    channel: "Alpha".into(),
                    kind: "instant via exchange".into(),
                    amount: "9.41 USDT (BSC)".into(),
                    state: "sent".into(),
                    tx_hash: Some(
                        "0x8f3a2b1c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8".into(),
                    ),
                    explorer_url: Some("https://bscscan.com/tx/0x8f3a".into()),
                },
                PayoutLine {
                    owner: "Olga".into(),
                    channel: "Alpha".into(),
                    kind: "threshold batch".into(),
                    amount: "1.00 USDT (BSC)".into(),
                    state: "pending".into(),
                    tx_hash: None,
                    explorer_url: None,
                },
            ],
            timeline: vec![
                TimelineEntry {
                    at_ms: at(0),
                    scene: "owner registers".into(),
                    text: "Olga adds the bot to Alpha".into(),
                },
                TimelineEntry {
                    at_ms: at(60 * 24 + 5),
                    scene: "subscriber pays".into(),
                    text: NASTY.into(),
                },
            ],
            balances: vec![BalanceRow {
                owner: "Olga".into(),
                owed: "0.00".into(),
                paid: "9.41".into(),
                pending: "1.00".into(),
                fees: "0.58".into(),
            }],
            audit: "clean: 1 invoice, 2 payouts, books balance".into(),
        }
    }

    fn names(t: &Transcript) -> Vec<&str> {
        t.people.iter().map(|p| p.name.as_str()).collect()
    }

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    fn chat_of<'a>(doc: &'a Html, name: &str) -> scraper::ElementRef<'a> {
        doc.select(&sel(".chat[data-person]"))
            .find(|c| c.attr("data-person") == Some(name))
            .unwrap_or_else(|| panic!("no chat for {name}"))
    }

    #[test]
    fn every_persons_chat_is_present_with_bubbles_in_order() {
        let t = sample();
        let out = render(&t);
        chromium::assert_demo_page(&out, &names(&t));

        let doc = Html::parse_document(&out);
        for p in &t.people {
            let chat = chat_of(&doc, &p.name);
            let texts: Vec<String> = chat
                .select(&sel(".bubble .text"))
                .map(|b| b.text().collect())
                .collect();
            let expected: Vec<&str> = p.chat.iter().map(|e| e.text.as_str()).collect();
            assert_eq!(texts, expected, "{}", p.name);
            assert_eq!(
                chat.attr("data-telegram-id"),
                Some(&*p.telegram_id.to_string())
            );
        }
        let olga = chat_of(&doc, "Olga");
        assert_eq!(olga.select(&sel(".bubble[data-side=bot]")).count(), 2);
        assert_eq!(olga.select(&sel(".bubble[data-side=person]")).count(), 2);
        assert_eq!(olga.select(&sel(".bubble.action")).count(), 1);
        assert_eq!(olga.select(&sel(".bubble.edited .edited-mark")).count(), 1);
        assert_eq!(olga.select(&sel(".keyboard .kb-row")).count(), 2);
        assert_eq!(olga.select(&sel(".inline-button")).count(), 3);
        // Sam's chat spans a second day: a day separator shows where it starts.
        let sam = chat_of(&doc, &t.people[1].name);
        let days: Vec<String> = sam
            .select(&sel(".day"))
            .map(|d| d.text().collect())
            .collect();
        assert_eq!(days, ["January 6, 2026"]);
        let times: Vec<String> = sam
            .select(&sel(".bubble time"))
            .map(|d| d.text().collect())
            .collect();
        assert_eq!(times, ["12:00:00", "12:05:00"]);

        assert!(out.contains("clean: 1 invoice, 2 payouts, books balance"));
        assert!(out.contains("2 people · 1 invoice · 2 payouts"));
        let tables = |id: &str| doc.select(&sel(&format!("#{id} tbody tr"))).count();
        assert_eq!(
            (tables("invoices"), tables("payouts"), tables("balances")),
            (1, 2, 1)
        );
        assert_eq!(doc.select(&sel("#timeline li")).count(), 2);
        let tx: Vec<_> = doc.select(&sel("#payouts a.explorer")).collect();
        assert_eq!(tx.len(), 1);
        assert_eq!(tx[0].attr("href"), Some("https://bscscan.com/tx/0x8f3a"));
        assert_eq!(tx[0].text().collect::<String>(), "0x8f3a2b1c…c5d6e7f8");
    }

    #[test]
    fn text_with_markup_ampersands_and_quotes_is_escaped() {
        let t = sample();
        let out = render(&t);
        assert!(!out.contains("<script>alert"), "raw script tag in the page");
        assert!(!out.contains("<b>bold</b>"), "raw markup from a name");
        assert!(
            out.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; 'quotes'")
        );
        // The only script is the page's own filter.
        let doc = Html::parse_document(&out);
        assert_eq!(doc.select(&sel("script")).count(), 1);
        assert_eq!(doc.select(&sel("b")).count(), 0);
        // What a person reads is exactly what was said, in a bubble and in the timeline.
        let sam_name = &t.people[1].name;
        let sam = chat_of(&doc, sam_name);
        let first: String = sam
            .select(&sel(".bubble .text"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert_eq!(first, NASTY);
        let h2: String = sam.select(&sel("h2")).next().unwrap().text().collect();
        assert_eq!(&h2, sam_name);
        let what: Vec<String> = doc
            .select(&sel("#timeline .what"))
            .map(|w| w.text().collect())
            .collect();
        assert_eq!(what[1], NASTY);
    }

    #[test]
    fn url_buttons_become_links_and_others_do_not() {
        let out = render(&sample());
        let doc = Html::parse_document(&out);
        let links: Vec<(String, String)> = doc
            .select(&sel("a.inline-button"))
            .map(|a| {
                (
                    a.text().collect(),
                    a.attr("href").unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            links,
            [
                (
                    "Share my link↗".to_owned(),
                    "https://t.me/telepay_demo_bot?start=ch_1".to_owned()
                ),
                (
                    "Pay↗".to_owned(),
                    "https://nowpayments.example/invoice/42".to_owned()
                ),
            ]
        );
        let plain: Vec<String> = doc
            .select(&sel("span.inline-button"))
            .map(|s| s.text().collect())
            .collect();
        assert_eq!(plain, ["Register a channel", "My channels", "Evil"]);
        assert!(!out.contains("href=\"javascript:"), "a javascript: link");
    }

    #[test]
    fn an_empty_transcript_still_renders() {
        let t = Transcript {
            title: String::new(),
            bot_username: String::new(),
            people: vec![],
            invoices: vec![],
            payouts: vec![],
            timeline: vec![],
            balances: vec![],
            audit: String::new(),
        };
        let out = render(&t);
        assert!(out.starts_with("<!DOCTYPE html>"));
        let doc = Html::parse_document(&out);
        for id in ["chats", "invoices", "payouts", "balances", "timeline"] {
            assert_eq!(doc.select(&sel(&format!("#{id}"))).count(), 1, "{id}");
        }
        assert_eq!(doc.select(&sel(".bubble")).count(), 0);
        assert!(out.contains("No chats."));
        assert!(out.contains("No payouts."));
        // Nothing to wait for, nothing fetched: no external reference anywhere.
        assert!(!out.contains("src="));
        assert!(!out.contains("<link"));
    }

    #[test]
    fn the_page_needs_nothing_from_outside() {
        let out = render(&sample());
        let doc = Html::parse_document(&out);
        assert_eq!(doc.select(&sel("[src], link, iframe, img")).count(), 0);
        assert!(!out.contains("@import"));
        assert!(!out.contains("url("));
    }

    #[test]
    fn small_helpers() {
        assert_eq!(short_hash("0xabc"), "0xabc");
        assert_eq!(offset(0), "+0s");
        assert_eq!(offset(125_000), "+2m 05s");
        assert_eq!(offset(3 * 3_600_000), "+3h 00m");
        assert_eq!(offset(30 * 86_400_000 + 4 * 3_600_000), "+30d 4h");
        assert_eq!(initial("  ölga"), "Ö");
        assert_eq!(initial("--"), "?");
        assert_eq!(
            link_target("tg://resolve?domain=x"),
            Some("tg://resolve?domain=x")
        );
        assert_eq!(link_target(" JavaScript:alert(1)"), None);
        assert_eq!(link_target("data:text/html,hi"), None);
    }

    fn panics(f: impl FnOnce()) -> bool {
        catch_unwind(AssertUnwindSafe(f)).is_err()
    }

    #[test]
    fn the_page_check_fails_on_a_page_that_lacks_something() {
        let t = sample();
        let names = names(&t);
        // A person nobody rendered.
        let out = render(&t);
        assert!(panics(|| chromium::assert_demo_page(
            &out,
            &["Olga", "Nobody"]
        )));
        // A chat where the person never said anything.
        let mut mute = t.clone();
        mute.people[0].chat.retain(|e| e.side == Side::Bot);
        assert!(panics(|| chromium::assert_demo_page(
            &render(&mute),
            &names
        )));
        // A chat where the bot never answered.
        let mut silent = t.clone();
        silent.people[1].chat.retain(|e| e.side == Side::Person);
        assert!(panics(|| chromium::assert_demo_page(
            &render(&silent),
            &names
        )));
        // No payout with an explorer link.
        let mut unlinked = t.clone();
        for p in &mut unlinked.payouts {
            p.explorer_url = None;
        }
        assert!(panics(|| chromium::assert_demo_page(
            &render(&unlinked),
            &names
        )));
        // A page without the sections.
        assert!(panics(|| chromium::assert_demo_page(
            "<html><body></body></html>",
            &[]
        )));
    }

    /// The page as a real browser sees it: headless Chromium loads the file from disk and the
    /// DOM it dumps holds every chat; a screenshot is taken into a temporary directory (set
    /// DEMO_SCREENSHOT=/some/file.png to keep a copy out of the repository).
    #[test]
    fn chromium_loads_the_page_and_sees_every_chat() {
        let t = sample();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("demo.html");
        std::fs::write(&file, render(&t)).unwrap();

        let Some(dom) = chromium::dump_dom(&file) else {
            return;
        };
        chromium::assert_demo_page(&dom, &names(&t));
        let doc = Html::parse_document(&dom);
        let sam = chat_of(&doc, &t.people[1].name);
        let first: String = sam
            .select(&sel(".bubble .text"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert_eq!(first, NASTY, "the browser read the text as text");
        assert_eq!(
            doc.select(&sel("script")).count(),
            1,
            "the browser found a script in the data"
        );

        let png = dir.path().join("demo.png");
        if chromium::screenshot(&file, &png).is_some() {
            let bytes = std::fs::read(&png).unwrap();
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
            assert!(
                bytes.len() > 10_000,
                "a blank screenshot? {} bytes",
                bytes.len()
            );
            if let Some(keep) = std::env::var_os("DEMO_SCREENSHOT") {
                std::fs::copy(&png, &keep).unwrap();
                eprintln!(
                    "screenshot kept at {}",
                    std::path::Path::new(&keep).display()
                );
            }
        }
    }
}
