//! POST /webhooks/nowpayments: verify the signature over the raw body, then run the one intake
//! transaction. 200 only after it commits; 401 for anything unsigned or forged (nothing is
//! written); 503 when the database fails, so NOWPayments retries.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;

use super::HttpState;
use crate::payments::intake::{IntakeRules, record_ipn};
use crate::providers::nowpayments::NpPayment;
use crate::providers::nowpayments::ipn::verify;

/// Largest IPN body accepted; larger ones get 413.
pub const MAX_IPN_BODY: usize = 64 * 1024;

#[tracing::instrument(skip_all)]
pub async fn receive(
    State(s): State<HttpState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let secret = s
        .ctx
        .config
        .providers
        .nowpayments_ipn_secret
        .expose_secret();
    let sig = headers
        .get("x-nowpayments-sig")
        .and_then(|v| v.to_str().ok());
    let value = match verify(secret, &body, sig) {
        Ok(v) => v,
        Err(e) => {
            metrics::counter!(crate::telemetry::names::IPN, "outcome" => "bad_signature")
                .increment(1);
            tracing::warn!(reason = %e, bytes = body.len(), "IPN refused");
            return (StatusCode::UNAUTHORIZED, "invalid signature");
        }
    };
    let (payment, unreadable) = match NpPayment::from_ipn_value(&value) {
        Ok(p) => p,
        Err(e) => {
            metrics::counter!(crate::telemetry::names::IPN, "outcome" => "malformed").increment(1);
            tracing::warn!(error = %e, "signed IPN with an unreadable shape");
            return (StatusCode::BAD_REQUEST, "unreadable payment");
        }
    };
    let Ok(raw) = std::str::from_utf8(&body) else {
        metrics::counter!(crate::telemetry::names::IPN, "outcome" => "malformed").increment(1);
        return (StatusCode::BAD_REQUEST, "body is not UTF-8");
    };
    let rules = IntakeRules::from_config(&s.ctx.config);
    match record_ipn(
        &s.ctx.db,
        &payment,
        &unreadable,
        raw,
        &rules,
        s.ctx.clock.now(),
    )
    .await
    {
        Ok(outcome) => {
            metrics::counter!(crate::telemetry::names::IPN, "outcome" => outcome.label())
                .increment(1);
            tracing::info!(
                np_payment_id = %payment.payment_id,
                invoice_id = outcome.invoice_id(),
                payment_id = outcome.payment_id(),
                outcome = outcome.label(),
                "IPN recorded"
            );
            s.ctx.jobs_wake.notify_one();
            (StatusCode::OK, "ok")
        }
        Err(e) => {
            metrics::counter!(crate::telemetry::names::IPN, "outcome" => "error").increment(1);
            tracing::error!(error = %e, "IPN could not be stored; NOWPayments will retry");
            (StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}
