//! The page's picture of the world: each person's chat with the bot as Telegram would show it,
//! the channels, the clock, the invoices at NOWPayments and what the product's database says
//! about subscriptions and payouts.

use alloy_primitives::Address;
use serde::Serialize;
use telepay_sim::world::units_to_decimal;

use super::super::world::World;
use super::cast::{Cast, Chat, Person};
use super::chat::{KeyButton, Message, current_keyboard, history};
use super::ledger::Ledger;
use super::timeline::{self, NextEvent};

#[derive(Debug, Serialize)]
pub struct PersonView {
    #[serde(flatten)]
    pub person: Person,
    pub messages: Vec<Message>,
    /// The reply keyboard on screen, if any.
    pub keyboard: Option<Vec<Vec<KeyButton>>>,
    /// The chats this person owns (to pick from for a `request_chat` button).
    pub chats: Vec<i64>,
    /// Where this person is a member, with their status.
    pub memberships: Vec<(i64, &'static str)>,
}

#[derive(Debug, Serialize)]
pub struct ChannelView {
    #[serde(flatten)]
    pub chat: Chat,
    pub posts: Vec<Message>,
    pub links: Vec<LinkView>,
}

#[derive(Debug, Serialize)]
pub struct LinkView {
    pub link: String,
    pub name: Option<String>,
    pub join_request: bool,
    pub revoked: bool,
    pub joined: Vec<i64>,
}

#[derive(Debug, Serialize)]
pub struct PaymentView {
    pub id: u64,
    pub status: &'static str,
    pub coin: String,
    pub paid: String,
}

#[derive(Debug, Serialize)]
pub struct InvoiceView {
    pub id: u64,
    pub url: String,
    pub price: String,
    pub currency: String,
    pub description: Option<String>,
    /// Who it is for and its status, from the product's database.
    pub user_id: Option<i64>,
    pub status: Option<String>,
    pub payments: Vec<PaymentView>,
}

#[derive(Debug, Serialize)]
pub struct Clock {
    pub now_ms: i64,
    pub now: String,
    pub next: Option<NextEvent>,
}

/// USDT on the simulated chain: the platform's wallet and the owners' payout addresses.
#[derive(Debug, Serialize)]
pub struct Balance {
    pub address: String,
    pub usdt: String,
    pub host: bool,
}

#[derive(Debug, Serialize)]
pub struct State {
    pub bot: String,
    pub clock: Clock,
    pub people: Vec<PersonView>,
    pub channels: Vec<ChannelView>,
    pub invoices: Vec<InvoiceView>,
    pub balances: Vec<Balance>,
    pub ledger: Ledger,
}

pub async fn state(world: &World, cast: &Cast) -> anyhow::Result<State> {
    let ledger = Ledger::read(&world.ctx.db).await?;
    let now = world.now();
    let clock = Clock {
        now_ms: now.as_millis(),
        now: now
            .to_datetime()
            .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
        next: timeline::next_event(world, &ledger).await?,
    };
    let people = cast
        .people
        .iter()
        .map(|p| {
            let live = world.tg.messages_in(p.id);
            PersonView {
                person: p.clone(),
                keyboard: current_keyboard(&live),
                messages: history(&world.tg, p.id),
                chats: cast.chats_of(p.id).iter().map(|c| c.id).collect(),
                memberships: cast
                    .chats
                    .iter()
                    .map(|c| (c.id, world.tg.member_status(c.id, p.id)))
                    .filter(|(_, s)| s.is_present())
                    .map(|(id, s)| (id, s.as_str()))
                    .collect(),
            }
        })
        .collect();
    let channels = cast
        .chats
        .iter()
        .map(|c| ChannelView {
            chat: c.clone(),
            posts: history(&world.tg, c.id),
            links: world
                .tg
                .invite_links(c.id)
                .into_iter()
                .map(|l| LinkView {
                    link: l.link,
                    name: l.name,
                    join_request: l.creates_join_request,
                    revoked: l.is_revoked,
                    joined: l.joined,
                })
                .collect(),
        })
        .collect();
    let payments = world.np.payments();
    let invoices = world
        .np
        .invoices()
        .into_iter()
        .map(|i| {
            let ours = ledger
                .invoices
                .iter()
                .find(|r| r.np_invoice_id.as_deref() == Some(i.id.to_string().as_str()));
            InvoiceView {
                id: i.id,
                url: i.invoice_url,
                price: i.price_amount.to_string(),
                currency: i.price_currency,
                description: i.order_description,
                user_id: ours.map(|r| r.user_id),
                status: ours.map(|r| r.status.clone()),
                payments: payments
                    .iter()
                    .filter(|p| p.invoice_id == i.id)
                    .map(|p| PaymentView {
                        id: p.id,
                        status: p.status.as_str(),
                        coin: p.pay_in.pay_currency.clone(),
                        paid: p.pay_in.actually_paid.to_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(State {
        balances: balances(world, &ledger),
        bot: world.tg.bot_username().to_owned(),
        clock,
        people,
        channels,
        invoices,
        ledger,
    })
}

fn balances(world: &World, ledger: &Ledger) -> Vec<Balance> {
    let mut addresses = vec![world.host_wallet];
    for p in &ledger.payouts {
        if let Ok(a) = p.dest_address.parse::<Address>()
            && !addresses.contains(&a)
        {
            addresses.push(a);
        }
    }
    addresses
        .into_iter()
        .map(|a| Balance {
            address: a.to_string(),
            usdt: units_to_decimal(world.evm.token_balance(world.usdt, a), 18)
                .map_or_else(|| "?".to_owned(), |d| d.to_string()),
            host: a == world.host_wallet,
        })
        .collect()
}
