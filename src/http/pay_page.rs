//! GET /pay/{invoice id}: a small self-refreshing HTML page with the payment's state and a link
//! back to the bot. It shows nothing internal; unknown ids get 404. No scripts and no API
//! calls from the page, so nothing can leave it stuck on "processing" (lesson 15).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Html;
use teloxide::utils::html::escape;

use super::HttpState;
use crate::domain::states::InvoiceStatus;
use crate::i18n::{Arg, t, t_args};
use crate::payments::progress::status_key;

pub async fn show(
    State(s): State<HttpState>,
    Path(id): Path<String>,
) -> (StatusCode, Html<String>) {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            Html("<!doctype html><title>Not found</title><p>Not found.</p>".to_owned()),
        )
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let db = &s.ctx.db;
    let invoice = match db.invoice(id).await {
        Ok(Some(i)) if i.status != InvoiceStatus::Creating => i,
        Ok(_) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "payment page: database error");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<!doctype html><p>Please reload in a minute.</p>".to_owned()),
            );
        }
    };
    let lang = db
        .get_user(invoice.user_id)
        .await
        .ok()
        .flatten()
        .map(|u| u.lang())
        .unwrap_or_default();
    let title = db
        .channel(invoice.channel_id)
        .await
        .ok()
        .flatten()
        .map(|c| c.title)
        .unwrap_or_default();
    let status = match invoice.status {
        InvoiceStatus::Paid => "finished".to_owned(),
        InvoiceStatus::Open => db
            .latest_payment_status(invoice.id)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "waiting".to_owned()),
        // Expired by time when the subscriber asked for a new one; a payment already made to
        // it still counts and still shows.
        InvoiceStatus::Expired => db
            .latest_payment_status(invoice.id)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "expired".to_owned()),
        other => other.as_str().to_owned(),
    };
    let state = status_key(&status)
        .map(|k| t(lang, k))
        .unwrap_or_else(|| t(lang, "status-waiting"));
    let final_state = matches!(
        status.as_str(),
        "finished" | "failed" | "expired" | "refunded" | "cancelled"
    );
    let refresh = if final_state {
        ""
    } else {
        r#"<meta http-equiv="refresh" content="10">"#
    };
    let heading = t_args(
        lang,
        "pay-page-title",
        &[("channel", Arg::from(title.as_str()))],
    );
    let bot = escape(&s.ctx.bot_username);
    let page = format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{refresh}<title>{heading}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}a.button{{display:inline-block;padding:.6rem 1.2rem;background:#229ED9;color:#fff;border-radius:.5rem;text-decoration:none}}</style></head>
<body><h1>{heading}</h1><p>{price}</p><p><strong>{state}</strong></p><p><a class="button" href="https://t.me/{bot}">{back}</a></p></body></html>"#,
        lang = lang.code(),
        price = invoice.price.localized(lang),
        back = t(lang, "pay-page-back"),
    );
    (StatusCode::OK, Html(page))
}
