//! Bot API methods: name normalisation, dispatch and flood control.

mod access;
mod bot;
mod chats;
mod compose;
mod invites;
mod members;
pub(crate) mod messaging;
mod payments;

use std::sync::Arc;

pub(crate) use bot::remember_allowed;

use tokio::time::Instant;

use super::params::{MethodError, MethodResult, Params};
use super::state::State;
use super::{Shared, SimConfig, delivery};

/// Every method the simulator implements, in Telegram's lowerCamel spelling.
const METHODS: &[&str] = &[
    "getMe",
    "logOut",
    "close",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "sendDocument",
    "sendPhoto",
    "sendChatAction",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "createChatInviteLink",
    "editChatInviteLink",
    "revokeChatInviteLink",
    "exportChatInviteLink",
    "banChatMember",
    "unbanChatMember",
    "approveChatJoinRequest",
    "declineChatJoinRequest",
    "getChat",
    "getChatMember",
    "getChatAdministrators",
    "getChatMemberCount",
    "leaveChat",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendInvoice",
    "createInvoiceLink",
    "answerPreCheckoutQuery",
    "refundStarPayment",
];

/// Methods that post a message and count against flood limits.
const SENDS: &[&str] = &["sendMessage", "sendDocument", "sendPhoto", "sendInvoice"];

/// Maps `SendMessage` / `sendmessage` / `sendMessage` to `sendMessage`.
pub(crate) fn normalize(name: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(name))
}

/// Runs one method against the shared state.
pub(crate) async fn call(
    shared: &Arc<Shared>,
    method: &'static str,
    params: &Params,
) -> MethodResult {
    if method == "getUpdates" {
        return delivery::get_updates(shared, params).await;
    }
    let mut state = shared.state();
    if SENDS.contains(&method) {
        return flood_controlled(&mut state, &shared.config, method, params);
    }
    call_sync(&mut state, &shared.config, method, params)
}

/// Refuses with 429 when a window is full; counts only sends that went out.
fn flood_controlled(st: &mut State, cfg: &SimConfig, method: &str, p: &Params) -> MethodResult {
    let now = Instant::now();
    let chat_id = p.chat_ref("chat_id").and_then(|c| st.resolve(&c)).ok();
    if let Some(chat_id) = chat_id {
        st.limiter
            .check(&cfg.limits, chat_id, now)
            .map_err(MethodError::too_many)?;
    }
    let result = call_sync(st, cfg, method, p);
    if let (Ok(_), Some(chat_id)) = (&result, chat_id) {
        st.limiter.record(chat_id, now);
    }
    result
}

fn call_sync(st: &mut State, cfg: &SimConfig, method: &str, p: &Params) -> MethodResult {
    match method {
        "getMe" => Ok(super::objects::me(st)),
        "logOut" | "close" => Ok(true.into()),
        "setWebhook" => bot::set_webhook(st, cfg, p),
        "deleteWebhook" => bot::delete_webhook(st, p),
        "getWebhookInfo" => Ok(bot::webhook_info(st)),
        "setMyCommands" => bot::set_my_commands(st, p),
        "getMyCommands" => bot::get_my_commands(st, p),
        "deleteMyCommands" => bot::delete_my_commands(st, p),
        "sendMessage" => messaging::send_message(st, cfg, p),
        "sendDocument" => messaging::send_document(st, cfg, p),
        "sendPhoto" => messaging::send_photo(st, cfg, p),
        "sendChatAction" => messaging::send_chat_action(st, p),
        "editMessageText" => messaging::edit_text(st, cfg, p),
        "editMessageCaption" => messaging::edit_caption(st, cfg, p),
        "editMessageReplyMarkup" => messaging::edit_reply_markup(st, p),
        "deleteMessage" => messaging::delete_message(st, p),
        "answerCallbackQuery" => messaging::answer_callback_query(st, cfg, p),
        "createChatInviteLink" => invites::create(st, p),
        "editChatInviteLink" => invites::edit(st, p),
        "revokeChatInviteLink" => invites::revoke(st, p),
        "exportChatInviteLink" => invites::export(st, p),
        "banChatMember" => members::ban(st, p),
        "unbanChatMember" => members::unban(st, p),
        "approveChatJoinRequest" => members::approve(st, p),
        "declineChatJoinRequest" => members::decline(st, p),
        "getChat" => chats::get_chat(st, p),
        "getChatMember" => chats::get_chat_member(st, p),
        "getChatAdministrators" => chats::get_chat_administrators(st, p),
        "getChatMemberCount" => chats::get_chat_member_count(st, p),
        "leaveChat" => chats::leave_chat(st, p),
        "sendInvoice" => payments::send_invoice(st, cfg, p),
        "createInvoiceLink" => payments::create_invoice_link(st, p),
        "answerPreCheckoutQuery" => payments::answer_pre_checkout_query(st, p),
        "refundStarPayment" => payments::refund_star_payment(st, p),
        _ => Err(MethodError::new(404, "Not Found")),
    }
}
