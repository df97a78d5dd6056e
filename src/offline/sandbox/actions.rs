//! What a person can do on the page. Every action is checked first (a bad one changes nothing
//! and is answered 400), then done in the simulators, then the sandbox waits for the bot and runs
//! the due timers and jobs so the result is on the page when the answer comes back.

use std::time::Duration;

use rust_decimal::Decimal;
use serde::Deserialize;
use telepay_sim::nowpayments::{PayIn, PaymentStatus};
use telepay_sim::telegram::{AdminRights, PayOutcome};

use super::super::world::World;
use super::cast::Cast;
use super::quiet::let_the_bot_work;
use super::timeline;

#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// The person writes to the bot.
    Send { person: i64, text: String },
    /// The person presses an inline button (in their chat with the bot, or in a channel post).
    Press {
        person: i64,
        #[serde(default)]
        chat: Option<i64>,
        message_id: i32,
        data: String,
    },
    /// The person picks one of their channels for a `request_chat` button.
    Share {
        person: i64,
        request_id: i32,
        chat_id: i64,
    },
    /// The person opens a t.me link: the bot's deep link, or an invite link.
    Open { person: i64, url: String },
    /// The buyer pays an invoice on the NOWPayments page (the simulator sends the IPNs).
    Pay {
        invoice_id: u64,
        #[serde(default)]
        coin: Option<String>,
        #[serde(default)]
        amount: Option<String>,
    },
    /// The person pays the Telegram Stars invoice the bot sent them as `message_id` (Telegram
    /// asks the bot with a pre-checkout query, then sends it the successful payment).
    PayStars { person: i64, message_id: i32 },
    /// The clock moves.
    Advance { by: Step },
}

/// How far the clock moves.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Hour,
    Day,
    /// To the next thing that will happen (see `timeline`).
    Next,
}

/// Why an action was not done.
#[derive(Debug)]
pub enum ActError {
    /// The request is wrong; nothing changed.
    Bad(String),
    /// It was right but the world failed.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for ActError {
    fn from(e: anyhow::Error) -> Self {
        Self::Failed(e)
    }
}

fn bad(msg: impl Into<String>) -> ActError {
    ActError::Bad(msg.into())
}

/// What to tell the page after an action.
pub type Done = Result<String, ActError>;

pub async fn perform(world: &World, cast: &Cast, action: Action) -> Done {
    let note = match action {
        Action::Send { person, text } => {
            known(cast, person)?;
            let text = text.trim();
            if text.is_empty() || text.chars().count() > 4096 {
                return Err(bad("the text must have 1 to 4096 characters"));
            }
            world.tg.send_text(person, text).map_err(sim)?;
            "sent".to_owned()
        }
        Action::Press {
            person,
            chat,
            message_id,
            data,
        } => {
            known(cast, person)?;
            let chat = chat.unwrap_or(person);
            if chat != person && cast.chat(chat).is_none() {
                return Err(bad(format!("unknown chat {chat}")));
            }
            world
                .tg
                .press_button_in(person, chat, message_id, &data)
                .map_err(sim)?;
            "pressed".to_owned()
        }
        Action::Share {
            person,
            request_id,
            chat_id,
        } => share(world, cast, person, request_id, chat_id)?,
        Action::Open { person, url } => open(world, cast, person, &url)?,
        Action::Pay {
            invoice_id,
            coin,
            amount,
        } => pay(world, invoice_id, coin.as_deref(), amount.as_deref())?,
        Action::PayStars { person, message_id } => {
            known(cast, person)?;
            pay_stars(world, person, message_id).await?
        }
        Action::Advance { by } => {
            let note = match by {
                Step::Hour => {
                    timeline::advance(world, Duration::from_secs(3600)).await?;
                    "one hour later".to_owned()
                }
                Step::Day => {
                    timeline::advance(world, Duration::from_secs(86_400)).await?;
                    "one day later".to_owned()
                }
                Step::Next => timeline::advance_to_next(world).await?,
            };
            let_the_bot_work(world).await?;
            return Ok(note);
        }
    };
    let_the_bot_work(world).await?;
    Ok(note)
}

fn known(cast: &Cast, person: i64) -> Result<(), ActError> {
    cast.person(person)
        .map(|_| ())
        .ok_or_else(|| bad(format!("no person with id {person}")))
}

fn sim(e: impl std::fmt::Display) -> ActError {
    bad(e.to_string())
}

fn share(world: &World, cast: &Cast, person: i64, request_id: i32, chat_id: i64) -> Done {
    known(cast, person)?;
    let keyboard = super::chat::current_keyboard(&world.tg.messages_in(person)).unwrap_or_default();
    let button = keyboard
        .iter()
        .flatten()
        .filter_map(|b| b.request_chat.as_ref())
        .find(|r| r.request_id == request_id)
        .ok_or_else(|| bad(format!("no chat request {request_id} on the keyboard")))?;
    if !cast.chats_of(person).iter().any(|c| c.id == chat_id) {
        return Err(bad(format!("chat {chat_id} is not one of this person's")));
    }
    // Telegram makes the bot an administrator when the button asks for that and it is not one.
    let already = world
        .tg
        .member_status(chat_id, world.tg.bot_id())
        .is_admin();
    let rights = (button.bot_admin && !already).then(AdminRights::full);
    world
        .tg
        .share_chat(person, request_id, chat_id, rights)
        .map_err(sim)?;
    Ok("shared".to_owned())
}

fn open(world: &World, cast: &Cast, person: i64, url: &str) -> Done {
    known(cast, person)?;
    let url = url.trim();
    let bot = world.tg.bot_username().to_ascii_lowercase();
    let rest = url
        .strip_prefix("https://t.me/")
        .or_else(|| url.strip_prefix("http://t.me/"))
        .or_else(|| url.strip_prefix("t.me/"))
        .ok_or_else(|| bad("only t.me links can be opened here"))?;
    if rest.starts_with('+') || rest.starts_with("joinchat/") {
        let link = format!("https://t.me/{rest}");
        world
            .tg
            .user_opens_invite_link(person, &link)
            .map_err(sim)?;
        return Ok("opened the invite link".to_owned());
    }
    let (name, query) = rest.split_once('?').unwrap_or((rest, ""));
    if name.trim_end_matches('/').to_ascii_lowercase() != bot {
        return Err(bad(format!("not a link to the bot @{bot}")));
    }
    let start = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("start="))
        .unwrap_or("");
    let valid = start.len() <= 64
        && start
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(bad(
            "the start parameter may hold up to 64 letters, digits, _ and -",
        ));
    }
    let text = if start.is_empty() {
        "/start".to_owned()
    } else {
        format!("/start {start}")
    };
    world.tg.send_text(person, &text).map_err(sim)?;
    Ok(format!("opened the bot with {text}"))
}

async fn pay_stars(world: &World, person: i64, message_id: i32) -> Done {
    let stars = world
        .tg
        .message(person, message_id)
        .filter(|m| m.from_bot && !m.deleted)
        .and_then(|m| m.invoice)
        .and_then(|i| i.get("total_amount").and_then(serde_json::Value::as_i64))
        .ok_or_else(|| bad(format!("message {message_id} is not a Stars invoice")))?;
    match world
        .tg
        .pay_invoice(person, message_id)
        .await
        .map_err(sim)?
    {
        PayOutcome::Paid { .. } => Ok(format!("paid ⭐ {stars}")),
        PayOutcome::Refused { error_message } => {
            Ok(format!("Telegram shows the bot's refusal: {error_message}"))
        }
        PayOutcome::NoAnswer => Ok("the bot did not answer the pre-checkout query in time; \
             nothing was charged"
            .to_owned()),
    }
}

/// Stablecoins are worth their face value in USD, so the exact price is the default amount.
fn is_stable(coin: &str) -> bool {
    coin.starts_with("usdt") || coin.starts_with("usdc")
}

fn pay(world: &World, invoice_id: u64, coin: Option<&str>, amount: Option<&str>) -> Done {
    let invoice = world
        .np
        .invoice(invoice_id)
        .ok_or_else(|| bad(format!("no invoice {invoice_id} at NOWPayments")))?;
    let coin = coin.map_or("usdttrc20", str::trim).to_ascii_lowercase();
    if !(2..=20).contains(&coin.len()) || !coin.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad("the coin is a ticker of 2 to 20 letters and digits"));
    }
    let paid = match amount.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => a
            .parse::<Decimal>()
            .map_err(|_| bad(format!("{a:?} is not an amount")))?,
        None if is_stable(&coin) => invoice.price_amount,
        None => return Err(bad(format!("say how much {coin} is paid"))),
    };
    if paid <= Decimal::ZERO || paid > Decimal::from(1_000_000) {
        return Err(bad("the amount must be above 0 and at most 1000000"));
    }
    // What NOWPayments asks for: the price for a stablecoin; for another coin we know no rate,
    // so what the buyer sends is what was asked.
    let asked = if is_stable(&coin) {
        invoice.price_amount
    } else {
        paid
    };
    let payment = world
        .np
        .pay(
            invoice_id,
            PayIn::exact(&coin, asked).paid(paid).outcome(&coin, paid),
        )
        .map_err(sim)?;
    let result = if paid < asked {
        world
            .np
            .set_status(payment, PaymentStatus::Confirming)
            .and_then(|()| world.np.set_status(payment, PaymentStatus::PartiallyPaid))
    } else {
        world.np.advance_to_finished(payment)
    };
    result.map_err(|e| ActError::Failed(anyhow::anyhow!("{e}")))?;
    Ok(format!("paid {paid} {coin}"))
}
