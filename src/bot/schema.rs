//! The update routing tree. Every update kind the product needs is listed here, because
//! teloxide derives `allowed_updates` from this tree: without a branch for `chat_member`,
//! Telegram would never send those updates.

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{ChatJoinRequest, ChatMemberUpdated, PreCheckoutQuery};

use super::commands::Command;
use super::guard::guarded;
use super::{TgBot, language, members, owner, stars, start, subscriber};
use crate::services::Ctx;
use crate::store::users::UserRow;

async fn user_of_message(ctx: Ctx, msg: Message) -> Option<UserRow> {
    match msg.from.as_ref() {
        Some(u) => Some(start::seen(&ctx, u).await),
        None => None,
    }
}

async fn user_of_callback(ctx: Ctx, q: CallbackQuery) -> UserRow {
    start::seen(&ctx, &q.from).await
}

pub fn schema() -> UpdateHandler<anyhow::Error> {
    let commands = teloxide::filter_command::<Command, _>()
        .branch(dptree::case![Command::Start(payload)].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow, payload: String| async move {
                let reply = Some((msg.chat.id, user.lang()));
                guarded(
                    "start",
                    &ctx,
                    &bot,
                    reply,
                    start::start(bot.clone(), ctx.clone(), msg, user, payload),
                )
                .await
            },
        ))
        .branch(dptree::case![Command::Help].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                guarded(
                    "help",
                    &ctx,
                    &bot,
                    reply,
                    start::help(bot.clone(), ctx.clone(), msg, user),
                )
                .await
            },
        ))
        .branch(dptree::case![Command::Cancel].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                guarded(
                    "cancel",
                    &ctx,
                    &bot,
                    reply,
                    start::cancel(bot.clone(), ctx.clone(), msg, user),
                )
                .await
            },
        ))
        .branch(dptree::case![Command::Subscriptions].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut = subscriber::subscriptions(bot.clone(), ctx.clone(), msg, user);
                guarded("subscriptions", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::Access].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut = subscriber::access(bot.clone(), ctx.clone(), msg, user);
                guarded("access", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::Status].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut = subscriber::status(bot.clone(), ctx.clone(), msg, user);
                guarded("status", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::AddChannel].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut =
                    async { owner::register::start_add(&bot, &ctx, msg.chat.id, &user).await };
                guarded("addchannel", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::Channels].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut = async { owner::manage::list(&bot, &ctx, msg.chat.id, &user).await };
                guarded("channels", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::Balance].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut =
                    async { owner::balance::show(&bot, &ctx, msg.chat.id, &user, None).await };
                guarded("balance", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::Admin].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut = async { super::admin::menu(&bot, &ctx, msg.chat.id, &user).await };
                guarded("admin", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::Lookup(query)].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow, query: String| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut = async {
                    super::admin::lookup::command(&bot, &ctx, msg.chat.id, &user, &query).await
                };
                guarded("lookup", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::Assign(args)].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow, args: String| async move {
                let reply = Some((msg.chat.id, user.lang()));
                let fut = async {
                    super::admin::orphans::assign_command(&bot, &ctx, msg.chat.id, &user, &args)
                        .await
                };
                guarded("assign", &ctx, &bot, reply, fut).await
            },
        ))
        .branch(dptree::case![Command::Language].endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                guarded(
                    "language",
                    &ctx,
                    &bot,
                    reply,
                    language::choose(bot.clone(), msg, user),
                )
                .await
            },
        ));

    let private_messages = Update::filter_message()
        // Conversations happen only in private chats; channel and group messages are ignored.
        .filter(|msg: Message| msg.chat.is_private())
        .filter_map_async(user_of_message)
        // A Telegram Stars payment (issue 15): recorded and granted once per charge id.
        .branch(
            dptree::filter(|msg: Message| msg.successful_payment().is_some()).endpoint(
                |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                    let reply = Some((msg.chat.id, user.lang()));
                    let fut = stars::on_successful_payment(bot.clone(), ctx.clone(), msg, user);
                    guarded("successful_payment", &ctx, &bot, reply, fut).await
                },
            ),
        )
        .branch(commands)
        .branch(dptree::endpoint(
            |bot: TgBot, ctx: Ctx, msg: Message, user: UserRow| async move {
                let reply = Some((msg.chat.id, user.lang()));
                guarded(
                    "unknown",
                    &ctx,
                    &bot,
                    reply,
                    start::unknown(bot.clone(), ctx.clone(), msg, user),
                )
                .await
            },
        ));

    let callbacks = Update::filter_callback_query()
        .map_async(user_of_callback)
        .endpoint(
            |bot: TgBot, ctx: Ctx, q: CallbackQuery, user: UserRow| async move {
                let chat = q.message.as_ref().map(|m| m.chat().id);
                let reply = chat.map(|c| (c, user.lang()));
                guarded(
                    "callback",
                    &ctx,
                    &bot,
                    reply,
                    language::on_callback(bot.clone(), ctx.clone(), q, user),
                )
                .await
            },
        );

    dptree::entry()
        .branch(private_messages)
        .branch(callbacks)
        .branch(Update::filter_my_chat_member().endpoint(
            |bot: TgBot, ctx: Ctx, upd: ChatMemberUpdated| async move {
                guarded(
                    "my_chat_member",
                    &ctx,
                    &bot,
                    None,
                    members::my_chat_member(bot.clone(), ctx.clone(), upd),
                )
                .await
            },
        ))
        .branch(Update::filter_chat_member().endpoint(
            |bot: TgBot, ctx: Ctx, upd: ChatMemberUpdated| async move {
                guarded("chat_member", &ctx, &bot, None, members::chat_member(upd)).await
            },
        ))
        // Telegram Stars: must be answered within 10 s, so nothing else runs before it.
        .branch(Update::filter_pre_checkout_query().endpoint(
            |bot: TgBot, ctx: Ctx, q: PreCheckoutQuery| async move {
                guarded(
                    "pre_checkout_query",
                    &ctx,
                    &bot,
                    None,
                    stars::on_pre_checkout(bot.clone(), ctx.clone(), q),
                )
                .await
            },
        ))
        .branch(Update::filter_chat_join_request().endpoint(
            |bot: TgBot, ctx: Ctx, req: ChatJoinRequest| async move {
                guarded(
                    "join_request",
                    &ctx,
                    &bot,
                    None,
                    members::join_request(ctx.clone(), req),
                )
                .await
            },
        ))
}
