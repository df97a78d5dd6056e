//! Registering a channel (SPEC §2.2–2.6) and changing a channel's payout settings: one
//! conversation whose state lives in the database. Nothing is written before "Confirm".

use teloxide::prelude::*;
use teloxide::types::{
    ButtonRequest, ChatAdministratorRights, ChatMemberKind, InlineKeyboardMarkup, KeyboardButton,
    KeyboardButtonRequestChat, KeyboardMarkup, KeyboardRemove, MessageId, ParseMode, RequestId,
};

use super::draft::{self, Draft, DraftStrategy, Invalid, Step, Target};
use super::{REQUEST_CHANNEL, button, owned, say, say_with, tiers_text};
use crate::bot::amount::{self, AmountUse};
use crate::bot::dialogue::{Conversation, current, enter};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::address::AddressError;
use crate::domain::callbacks::OwnerAction;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::StoreError;
use crate::store::channels::{AccessMode, NewChannel};
use crate::store::users::UserRow;

/// Currencies per page of the picker.
const PAGE: usize = 12;

/// The rights the bot needs in a channel it sells (invite and remove members, post the offer).
fn bot_rights() -> ChatAdministratorRights {
    ChatAdministratorRights {
        is_anonymous: false,
        can_manage_chat: false,
        can_delete_messages: false,
        can_manage_video_chats: false,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: false,
        can_invite_users: true,
        can_post_messages: Some(true),
        can_edit_messages: None,
        can_pin_messages: None,
        can_post_stories: None,
        can_edit_stories: None,
        can_delete_stories: None,
        can_manage_topics: None,
    }
}

/// "Add a channel": the `request_chat` button (with the fallbacks explained).
pub async fn start_add(bot: &TgBot, ctx: &Ctx, chat: ChatId, user: &UserRow) -> HandlerResult {
    let lang = user.lang();
    if limit_reached(ctx, user).await? {
        return say(bot, chat, limit_text(ctx, lang)).await;
    }
    enter(
        &ctx.db,
        chat.0,
        &Conversation::AwaitChannel,
        ctx.clock.now(),
    )
    .await?;
    let request = KeyboardButtonRequestChat::new(RequestId(REQUEST_CHANNEL), true)
        .user_administrator_rights(bot_rights())
        .bot_administrator_rights(bot_rights());
    let keyboard = KeyboardMarkup::new(vec![vec![
        KeyboardButton::new(t(lang, "own-add-button")).request(ButtonRequest::RequestChat(request)),
    ]])
    .resize_keyboard()
    .one_time_keyboard();
    let text = t_args(
        lang,
        "own-add-intro",
        &[("bot", Arg::from(ctx.bot_username.as_str()))],
    );
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard)
        .await?;
    Ok(())
}

async fn limit_reached(ctx: &Ctx, user: &UserRow) -> anyhow::Result<bool> {
    let n = ctx.db.channels_of_owner(user.id).await?.len();
    Ok(u32::try_from(n).unwrap_or(u32::MAX) >= ctx.config.rules.max_channels_per_owner)
}

fn limit_text(ctx: &Ctx, lang: Lang) -> String {
    t_args(
        lang,
        "own-verify-limit",
        &[(
            "max",
            Arg::Int(i64::from(ctx.config.rules.max_channels_per_owner)),
        )],
    )
}

/// Why a channel cannot be registered by this user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotChannel,
    BotNotAdmin,
    BotRights,
    UserNotAdmin,
    Taken,
    AlreadyYours,
    Limit,
}

impl Refusal {
    fn key(self) -> &'static str {
        match self {
            Refusal::NotChannel => "own-verify-not-channel",
            Refusal::BotNotAdmin => "own-verify-bot-not-admin",
            Refusal::BotRights => "own-verify-bot-rights",
            Refusal::UserNotAdmin => "own-verify-user-not-admin",
            Refusal::Taken => "own-verify-taken",
            Refusal::AlreadyYours => "own-verify-already-yours",
            Refusal::Limit => "own-verify-limit",
        }
    }
}

/// Checks with Telegram that `chat_id` is a channel where the bot can invite and restrict
/// members and the user is its creator or an administrator, and with the database that
/// nobody registered it. The channel's title when everything holds.
pub async fn verify(
    bot: &TgBot,
    ctx: &Ctx,
    user: &UserRow,
    chat_id: i64,
) -> anyhow::Result<Result<String, Refusal>> {
    if let Some(existing) = ctx.db.channel_by_chat(chat_id).await? {
        return Ok(Err(if existing.owner_id == user.id {
            Refusal::AlreadyYours
        } else {
            Refusal::Taken
        }));
    }
    if limit_reached(ctx, user).await? {
        return Ok(Err(Refusal::Limit));
    }
    let Ok(info) = bot.get_chat(ChatId(chat_id)).await else {
        return Ok(Err(Refusal::BotNotAdmin));
    };
    if !info.is_channel() {
        return Ok(Err(Refusal::NotChannel));
    }
    let title = info.title().unwrap_or_default().to_owned();
    let Ok(me) = bot.get_chat_member(ChatId(chat_id), ctx.bot_id).await else {
        return Ok(Err(Refusal::BotNotAdmin));
    };
    match &me.kind {
        ChatMemberKind::Administrator(a) if a.can_invite_users && a.can_restrict_members => {}
        ChatMemberKind::Administrator(_) => return Ok(Err(Refusal::BotRights)),
        _ => return Ok(Err(Refusal::BotNotAdmin)),
    }
    let uid = teloxide::types::UserId(u64::try_from(user.id).unwrap_or_default());
    let Ok(them) = bot.get_chat_member(ChatId(chat_id), uid).await else {
        return Ok(Err(Refusal::UserNotAdmin));
    };
    if !(them.is_owner() || them.is_administrator()) {
        return Ok(Err(Refusal::UserNotAdmin));
    }
    Ok(Ok(title))
}

/// The owner picked (shared, forwarded from, or confirmed) a channel.
pub async fn channel_chosen(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    chat_id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let title = match verify(bot, ctx, user, chat_id).await? {
        Ok(title) => title,
        Err(Refusal::Limit) => return say(bot, chat, limit_text(ctx, lang)).await,
        Err(r) => {
            // The conversation stays open: the owner can fix the rights and pick again.
            return say(bot, chat, t(lang, r.key())).await;
        }
    };
    let draft = Draft::new_channel(chat_id, title.clone());
    enter(
        &ctx.db,
        chat.0,
        &Conversation::Owner(Box::new(draft)),
        ctx.clock.now(),
    )
    .await?;
    let text = t_args(
        lang,
        "own-channel-found",
        &[("channel", Arg::from(title.as_str()))],
    );
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(KeyboardRemove::new())
        .await?;
    ask_price(bot, ctx, chat, lang, 1).await
}

/// "Edit payout settings" of a channel: the same questions from the currency on.
pub async fn start_payout_edit(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    if owned(bot, ctx, chat, user, channel_id).await?.is_none() {
        return Ok(());
    }
    let draft = Draft::payout(channel_id);
    save(ctx, chat, &draft).await?;
    ask_currency(bot, ctx, chat, user.lang(), 0, None).await
}

async fn save(ctx: &Ctx, chat: ChatId, draft: &Draft) -> anyhow::Result<()> {
    enter(
        &ctx.db,
        chat.0,
        &Conversation::Owner(Box::new(draft.clone())),
        ctx.clock.now(),
    )
    .await?;
    Ok(())
}

async fn ask_price(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang, n: usize) -> HandlerResult {
    let r = &ctx.config.rules;
    let text = t_args(
        lang,
        "own-ask-price",
        &[
            ("n", Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))),
            ("min", Arg::Html(r.min_price.localized(lang))),
            ("max", Arg::Html(r.max_price.localized(lang))),
        ],
    );
    say(bot, chat, format!("{text}\n{}", amount::forms(lang))).await
}

async fn ask_currency(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    page: u8,
    edit: Option<MessageId>,
) -> HandlerResult {
    let all = ctx.db.payout_currencies().await?;
    let pages = all.len().div_ceil(PAGE).max(1);
    let page = usize::from(page).min(pages - 1);
    let mut rows: Vec<Vec<_>> = all
        .iter()
        .skip(page * PAGE)
        .take(PAGE)
        .collect::<Vec<_>>()
        .chunks(3)
        .map(|row| {
            row.iter()
                .map(|c| {
                    button(
                        format!("{} · {}", c.currency, c.network),
                        OwnerAction::Currency(c.currency.clone(), c.network.clone()),
                    )
                })
                .collect()
        })
        .collect();
    let mut nav = Vec::new();
    if page > 0 {
        nav.push(button(
            "◀".into(),
            OwnerAction::CurrencyPage(u8::try_from(page - 1).unwrap_or(0)),
        ));
    }
    if page + 1 < pages {
        nav.push(button(
            "▶".into(),
            OwnerAction::CurrencyPage(u8::try_from(page + 1).unwrap_or(0)),
        ));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    let markup = InlineKeyboardMarkup::new(rows);
    let text = t_args(
        lang,
        "own-ask-currency",
        &[
            ("page", Arg::Int(i64::try_from(page + 1).unwrap_or(1))),
            ("pages", Arg::Int(i64::try_from(pages).unwrap_or(1))),
        ],
    );
    match edit {
        Some(id) => {
            bot.edit_message_text(chat, id, text)
                .parse_mode(ParseMode::Html)
                .reply_markup(markup)
                .await?;
            Ok(())
        }
        None => say_with(bot, chat, text, markup).await,
    }
}

async fn ask_strategy(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang) -> HandlerResult {
    let fee = ctx
        .config
        .rules
        .platform_fee_percent
        .normalize()
        .to_string();
    let text = t_args(
        lang,
        "own-ask-strategy",
        &[
            ("fee", Arg::Html(fee)),
            (
                "min",
                Arg::Html(ctx.config.rules.min_threshold.localized(lang)),
            ),
        ],
    );
    let markup = InlineKeyboardMarkup::new(vec![vec![
        button(t(lang, "own-btn-instant"), OwnerAction::Instant),
        button(t(lang, "own-btn-threshold"), OwnerAction::Threshold),
    ]]);
    say_with(bot, chat, text, markup).await
}

async fn summary(bot: &TgBot, chat: ChatId, lang: Lang, d: &Draft) -> HandlerResult {
    let Some(p) = d.payout_settings() else {
        return Ok(());
    };
    let extra = p.extra_id.clone().unwrap_or_else(|| "—".into());
    let payout_args = |title: &str| -> Vec<(&'static str, Arg)> {
        vec![
            ("channel", Arg::from(title)),
            ("currency", Arg::from(p.currency.as_str())),
            ("network", Arg::from(p.network.as_str())),
            ("address", Arg::from(p.address.as_str())),
            ("extra", Arg::from(extra.as_str())),
            (
                "strategy",
                Arg::Html(super::manage::strategy_text(lang, p.strategy)),
            ),
        ]
    };
    let text = match &d.target {
        Target::NewChannel { title, .. } => {
            let mut args = payout_args(title);
            args.push(("tiers", Arg::Html(tiers_text(lang, &d.tiers))));
            t_args(lang, "own-summary", &args)
        }
        Target::Payout { .. } => t_args(lang, "own-summary-payout", &payout_args("")),
    };
    let markup = InlineKeyboardMarkup::new(vec![vec![
        button(t(lang, "own-btn-confirm"), OwnerAction::Confirm),
        button(t(lang, "own-btn-abort"), OwnerAction::Abort),
    ]]);
    say_with(bot, chat, text, markup).await
}

/// After the strategy: the summary.
async fn to_confirm(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    mut d: Draft,
) -> HandlerResult {
    d.step = Step::Confirm;
    save(ctx, chat, &d).await?;
    summary(bot, chat, lang, &d).await
}

/// Text answers, by step.
pub async fn on_text(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    user: &UserRow,
    mut d: Draft,
    text: &str,
) -> HandlerResult {
    let chat = msg.chat.id;
    let lang = user.lang();
    let rules = &ctx.config.rules;
    match d.step {
        Step::Price => match draft::parse_price(text, rules) {
            Ok(p) => {
                d.price = Some(p.micros());
                d.step = Step::Days;
                save(ctx, chat, &d).await?;
                let n = i64::try_from(d.tiers.len() + 1).unwrap_or(1);
                // The price as understood, before the next question.
                let text = t_args(
                    lang,
                    "own-ask-days",
                    &[("n", Arg::Int(n)), ("price", Arg::Html(p.localized(lang)))],
                );
                say(bot, chat, text).await
            }
            Err(e) => say(bot, chat, amount::refusal(lang, e, AmountUse::Price, rules)).await,
        },
        Step::Days => match (draft::parse_days(text), d.price) {
            (Ok(days), Some(price)) => {
                d.tiers.push((price, days));
                d.price = None;
                let max = usize::try_from(rules.max_tiers).unwrap_or(usize::MAX);
                if d.tiers.len() >= max {
                    d.step = Step::Currency;
                    save(ctx, chat, &d).await?;
                    let done = t_args(
                        lang,
                        "own-tiers-done",
                        &[("tiers", Arg::Html(tiers_text(lang, &d.tiers)))],
                    );
                    say(bot, chat, done).await?;
                    return ask_currency(bot, ctx, chat, lang, 0, None).await;
                }
                d.step = Step::MoreTiers;
                save(ctx, chat, &d).await?;
                let text = t_args(
                    lang,
                    "own-more-tiers",
                    &[("tiers", Arg::Html(tiers_text(lang, &d.tiers)))],
                );
                let markup = InlineKeyboardMarkup::new(vec![vec![
                    button(t(lang, "own-btn-add-tier"), OwnerAction::AddTier),
                    button(t(lang, "own-btn-tiers-done"), OwnerAction::TiersDone),
                ]]);
                say_with(bot, chat, text, markup).await
            }
            _ => say(bot, chat, t(lang, "own-bad-days")).await,
        },
        Step::Address => on_address(bot, ctx, msg, lang, d, text).await,
        Step::ExtraId => {
            let format = network_format(ctx, &d).await?;
            match draft::check_extra_id(&format, text) {
                Ok(extra) => {
                    d.extra_id = Some(extra);
                    d.step = Step::Strategy;
                    save(ctx, chat, &d).await?;
                    ask_strategy(bot, ctx, chat, lang).await
                }
                Err(_) => say(bot, chat, t(lang, "own-bad-extra")).await,
            }
        }
        Step::Threshold => match draft::parse_threshold(text, rules) {
            Ok(th) => {
                d.strategy = Some(DraftStrategy::Threshold {
                    usd_micros: th.micros(),
                });
                to_confirm(bot, ctx, chat, lang, d).await
            }
            Err(e) => {
                let text = amount::refusal(lang, e, AmountUse::Threshold, rules);
                say(bot, chat, text).await
            }
        },
        Step::MoreTiers | Step::Currency | Step::Strategy | Step::Confirm => {
            say(bot, chat, t(lang, "own-use-buttons")).await
        }
    }
}

async fn network_format(ctx: &Ctx, d: &Draft) -> anyhow::Result<String> {
    let code = d.network.clone().unwrap_or_default();
    Ok(ctx
        .db
        .network(&code)
        .await?
        .map(|n| n.address_format)
        .unwrap_or_default())
}

async fn on_address(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    lang: Lang,
    mut d: Draft,
    text: &str,
) -> HandlerResult {
    let chat = msg.chat.id;
    let network = ctx
        .db
        .network(d.network.as_deref().unwrap_or_default())
        .await?;
    let Some(network) = network else {
        return say(bot, chat, t(lang, "own-use-buttons")).await;
    };
    match draft::check_address(&network.address_format, text) {
        Ok(address) => {
            d.address = Some(address);
            if network.extra_id_name.is_some() {
                d.step = Step::ExtraId;
                save(ctx, chat, &d).await?;
                let name = network.extra_id_name.clone().unwrap_or_default();
                let text = t_args(lang, "own-ask-extra", &[("name", Arg::from(name.as_str()))]);
                let markup = InlineKeyboardMarkup::new(vec![vec![button(
                    t(lang, "own-btn-skip-extra"),
                    OwnerAction::SkipExtraId,
                )]]);
                return say_with(bot, chat, text, markup).await;
            }
            d.step = Step::Strategy;
            save(ctx, chat, &d).await?;
            ask_strategy(bot, ctx, chat, lang).await
        }
        Err(Invalid::Address(AddressError::LooksLikeSecret)) => {
            // Never stored, never logged; and taken out of the chat history where we can.
            if let Err(e) = bot.delete_message(chat, msg.id).await {
                tracing::warn!(error = %ctx.redact(&e.to_string()), "could not delete a pasted secret");
            }
            tracing::warn!(
                user_id = chat.0,
                "a wallet answer looked like a secret; refused"
            );
            say(bot, chat, t(lang, "own-address-secret")).await
        }
        Err(Invalid::Address(AddressError::WrongNetwork { detected })) => {
            let text = t_args(
                lang,
                "own-address-wrong-network",
                &[
                    ("detected", Arg::from(detected.label())),
                    ("network", Arg::from(network.name.as_str())),
                ],
            );
            say(bot, chat, text).await
        }
        Err(Invalid::Address(AddressError::BadChecksum)) => {
            let text = t_args(
                lang,
                "own-address-bad-checksum",
                &[("network", Arg::from(network.name.as_str()))],
            );
            say(bot, chat, text).await
        }
        Err(_) => {
            let text = t_args(
                lang,
                "own-address-bad-format",
                &[("network", Arg::from(network.name.as_str()))],
            );
            say(bot, chat, text).await
        }
    }
}

/// Buttons inside the conversation. A button from an old message, or one that does not fit
/// the current step, changes nothing.
pub async fn on_step_button(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    action: OwnerAction,
) -> HandlerResult {
    use OwnerAction as A;
    let lang = user.lang();
    let Some(Conversation::Owner(d)) = current(&ctx.db, chat.0).await? else {
        return say(bot, chat, t(lang, "callback-expired")).await;
    };
    let mut d = *d;
    let max = usize::try_from(ctx.config.rules.max_tiers).unwrap_or(usize::MAX);
    match (action, d.step) {
        (A::Abort, _) => {
            ctx.db.remove_dialogue(chat.0).await?;
            say(bot, chat, t(lang, "own-aborted")).await
        }
        (A::AddTier, Step::MoreTiers) if d.tiers.len() < max => {
            d.step = Step::Price;
            save(ctx, chat, &d).await?;
            ask_price(bot, ctx, chat, lang, d.tiers.len() + 1).await
        }
        (A::AddTier, Step::MoreTiers) => {
            let text = t_args(
                lang,
                "own-too-many-tiers",
                &[("max", Arg::Int(i64::from(ctx.config.rules.max_tiers)))],
            );
            say(bot, chat, text).await
        }
        (A::TiersDone, Step::MoreTiers) if !d.tiers.is_empty() => {
            d.step = Step::Currency;
            save(ctx, chat, &d).await?;
            ask_currency(bot, ctx, chat, lang, 0, None).await
        }
        (A::CurrencyPage(p), Step::Currency) => ask_currency(bot, ctx, chat, lang, p, None).await,
        (A::Currency(c, n), Step::Currency) => {
            let Some(pair) = ctx.db.payout_currency(&c, &n).await? else {
                return say(bot, chat, t(lang, "callback-expired")).await;
            };
            let network = ctx.db.network(&pair.network).await?;
            let name = network
                .map(|n| n.name)
                .unwrap_or_else(|| pair.network.clone());
            d.currency = Some(pair.currency.clone());
            d.network = Some(pair.network.clone());
            d.step = Step::Address;
            save(ctx, chat, &d).await?;
            let text = t_args(
                lang,
                "own-ask-address",
                &[
                    ("currency", Arg::from(pair.display_name.as_str())),
                    ("network", Arg::from(name.as_str())),
                ],
            );
            say(bot, chat, text).await
        }
        (A::SkipExtraId, Step::ExtraId) => {
            d.extra_id = None;
            d.step = Step::Strategy;
            save(ctx, chat, &d).await?;
            ask_strategy(bot, ctx, chat, lang).await
        }
        (A::Instant, Step::Strategy) => {
            d.strategy = Some(DraftStrategy::Instant);
            to_confirm(bot, ctx, chat, lang, d).await
        }
        (A::Threshold, Step::Strategy) => {
            d.step = Step::Threshold;
            save(ctx, chat, &d).await?;
            let text = t_args(
                lang,
                "own-ask-threshold",
                &[(
                    "min",
                    Arg::Html(ctx.config.rules.min_threshold.localized(lang)),
                )],
            );
            say(bot, chat, format!("{text}\n{}", amount::forms(lang))).await
        }
        (A::Confirm, Step::Confirm) => confirm(bot, ctx, chat, user, d).await,
        _ => say(bot, chat, t(lang, "callback-expired")).await,
    }
}

async fn confirm(bot: &TgBot, ctx: &Ctx, chat: ChatId, user: &UserRow, d: Draft) -> HandlerResult {
    let lang = user.lang();
    let Some(payout) = d.payout_settings() else {
        return say(bot, chat, t(lang, "callback-expired")).await;
    };
    let now = ctx.clock.now();
    match &d.target {
        Target::Payout { channel_id } => {
            let changed = ctx
                .db
                .owner_set_payout(user.id, *channel_id, &payout, now)
                .await?;
            ctx.db.remove_dialogue(chat.0).await?;
            ctx.jobs_wake.notify_one();
            let key = if changed {
                "own-payout-saved"
            } else {
                "own-not-found"
            };
            say(bot, chat, t(lang, key)).await
        }
        Target::NewChannel { chat_id, title } => {
            // The rights may have changed while the owner was typing: check once more.
            if let Err(r) = verify(bot, ctx, user, *chat_id).await? {
                return say(bot, chat, t(lang, r.key())).await;
            }
            let new = NewChannel {
                owner_id: user.id,
                chat_id: *chat_id,
                title: title.clone(),
                description: String::new(),
                access_mode: AccessMode::JoinRequest,
                payout,
                tiers: d.new_tiers(),
            };
            let channel = match ctx.db.create_channel(&new, now).await {
                Ok(c) => c,
                Err(StoreError::Conflict(_)) => {
                    ctx.db.remove_dialogue(chat.0).await?;
                    return say(bot, chat, t(lang, Refusal::Taken.key())).await;
                }
                Err(e) => return Err(e.into()),
            };
            ctx.db.remove_dialogue(chat.0).await?;
            tracing::info!(
                channel_id = channel.id,
                owner = user.id,
                "channel registered"
            );
            let links = super::manage::links_text(ctx, lang, &channel).await?;
            let text = t_args(
                lang,
                "own-registered",
                &[
                    ("channel", Arg::from(channel.title.as_str())),
                    ("links", Arg::Html(links)),
                ],
            );
            let markup = InlineKeyboardMarkup::new(vec![
                vec![button(
                    t(lang, "own-btn-post"),
                    OwnerAction::PostOffer(channel.id),
                )],
                vec![button(
                    t(lang, "own-btn-open"),
                    OwnerAction::Open(channel.id),
                )],
            ]);
            say_with(bot, chat, text, markup).await
        }
    }
}
