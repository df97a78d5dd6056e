//! Telegram Stars payments: sendInvoice, createInvoiceLink, answerPreCheckoutQuery and
//! refundStarPayment, as the Bot API documents them for the `XTR` currency: no payment
//! provider (`provider_token` empty), exactly one price, amounts in whole Stars.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::super::SimConfig;
use super::super::params::{MethodError, MethodResult, Params};
use super::super::payments::{InvoiceTerms, PreCheckoutAnswer};
use super::super::state::State;
use super::compose;
use super::messaging;

/// Reads and checks the invoice fields shared by `sendInvoice` and `createInvoiceLink`.
fn terms(p: &Params) -> Result<InvoiceTerms, MethodError> {
    let title = p.str_opt("title").unwrap_or_default();
    if title.is_empty() || title.chars().count() > 32 {
        return Err(MethodError::bad("TITLE_INVALID"));
    }
    let description = p.str_opt("description").unwrap_or_default();
    if description.is_empty() || description.chars().count() > 255 {
        return Err(MethodError::bad("DESCRIPTION_INVALID"));
    }
    let payload = p.str_opt("payload").unwrap_or_default();
    if payload.is_empty() || payload.len() > 128 {
        return Err(MethodError::bad("INVOICE_PAYLOAD_INVALID"));
    }
    let currency = p.str_opt("currency").unwrap_or_default();
    if currency != "XTR" {
        // Only Telegram Stars are simulated; other currencies need a payment provider.
        return Err(MethodError::bad("CURRENCY_INVALID"));
    }
    if p.str_opt("provider_token").is_some_and(|t| !t.is_empty()) {
        return Err(MethodError::bad("PAYMENT_PROVIDER_INVALID"));
    }
    let prices = p
        .json_opt("prices")?
        .ok_or_else(|| MethodError::bad("field \"prices\" must be an Array"))?;
    let Value::Array(prices) = prices else {
        return Err(MethodError::bad("field \"prices\" must be an Array"));
    };
    // "Must contain exactly one item for payments in Telegram Stars."
    let [price] = prices.as_slice() else {
        return Err(MethodError::bad("CURRENCY_TOTAL_AMOUNT_INVALID"));
    };
    let label = price.get("label").and_then(Value::as_str).unwrap_or("");
    let amount = price.get("amount").and_then(Value::as_i64);
    if label.is_empty() {
        return Err(MethodError::bad("can't parse prices JSON object"));
    }
    let Some(total_amount) = amount.filter(|a| (1..=100_000).contains(a)) else {
        return Err(MethodError::bad("CURRENCY_TOTAL_AMOUNT_INVALID"));
    };
    Ok(InvoiceTerms {
        title,
        description,
        payload,
        total_amount,
    })
}

fn invoice_object(t: &InvoiceTerms, start_parameter: Option<String>) -> Value {
    json!({
        "title": t.title,
        "description": t.description,
        "start_parameter": start_parameter.unwrap_or_default(),
        "currency": "XTR",
        "total_amount": t.total_amount,
    })
}

pub(super) fn send_invoice(st: &mut State, _cfg: &SimConfig, p: &Params) -> MethodResult {
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    let kind = compose::check_can_send(st, chat_id)?;
    let terms = terms(p)?;
    let markup = p.json_opt("reply_markup")?;
    compose::check_markup(markup.as_ref(), kind)?;
    // "If not empty, the first button must be a Pay button."
    if let Some(markup) = &markup {
        let first = markup
            .pointer("/inline_keyboard/0/0/pay")
            .and_then(Value::as_bool);
        if first != Some(true) {
            return Err(MethodError::bad("REPLY_MARKUP_BUY_EMPTY"));
        }
    }
    let mut message = st.blank_message(chat_id);
    message.from_bot = true;
    message.invoice = Some(invoice_object(&terms, p.str_opt("start_parameter")));
    message.reply_markup = markup;
    let stored = messaging::store_message(st, message);
    if let Some(id) = stored.get("message_id").and_then(Value::as_i64) {
        let id = i32::try_from(id).unwrap_or_default();
        st.invoices.insert((chat_id, id), terms);
    }
    Ok(stored)
}

pub(super) fn create_invoice_link(st: &mut State, p: &Params) -> MethodResult {
    let terms = terms(p)?;
    let slug = format!("sim{:08x}", st.next_counter().wrapping_mul(2_654_435_761));
    let link = format!("https://t.me/$${slug}");
    st.invoice_links.insert(link.clone(), terms);
    Ok(Value::String(link))
}

pub(super) fn answer_pre_checkout_query(st: &mut State, p: &Params) -> MethodResult {
    let stale =
        || MethodError::bad("query is too old and response timeout expired or query ID is invalid");
    let id = p
        .str_opt("pre_checkout_query_id")
        .ok_or_else(|| MethodError::bad("pre_checkout_query_id is empty"))?;
    let ok = p
        .bool_opt("ok")?
        .ok_or_else(|| MethodError::bad("ok is empty"))?;
    let error_message = p.str_opt("error_message").filter(|m| !m.is_empty());
    if !ok && error_message.is_none() {
        return Err(MethodError::bad("ERROR_MESSAGE_EMPTY"));
    }
    let pending = st.pre_checkouts.get_mut(&id).ok_or_else(stale)?;
    if pending.answer.is_some() || Instant::now() > pending.deadline {
        return Err(stale());
    }
    pending.answer = Some(if ok {
        PreCheckoutAnswer::Ok
    } else {
        PreCheckoutAnswer::Error(error_message.unwrap_or_default())
    });
    Ok(true.into())
}

pub(super) fn refund_star_payment(st: &mut State, p: &Params) -> MethodResult {
    let user_id = p.i64_req("user_id")?;
    let charge_id = p
        .str_opt("telegram_payment_charge_id")
        .ok_or_else(|| MethodError::bad("telegram_payment_charge_id is empty"))?;
    let charge = st
        .charges
        .get_mut(&charge_id)
        .ok_or_else(|| MethodError::bad("CHARGE_NOT_FOUND"))?;
    if charge.user_id != user_id {
        return Err(MethodError::bad("USER_ID_INVALID"));
    }
    if charge.refunded {
        return Err(MethodError::bad("CHARGE_ALREADY_REFUNDED"));
    }
    charge.refunded = true;
    Ok(true.into())
}
