//! NOWPayments' JSON as its Node servers write it: keys in the documented order (not sorted, so
//! a receiver that HMACs the raw body instead of the canonical form fails here as it would in
//! production), numbers in ECMAScript form (`0.00001234`, `1e-7`, `15`), and the exact JSON
//! types of apis.md §A.3/§A.5 (ids as strings in create answers, numbers in status and IPN).

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Number, Value};

use super::state::{SimInvoice, SimPayment, fake_hash};
use super::status::PaymentStatus;
use crate::js;

/// A JSON value whose object keys keep the order they were written in.
pub(crate) enum Js {
    V(Value),
    O(Vec<(&'static str, Js)>),
}

impl Js {
    /// The wire text, as `JSON.stringify` prints it.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::V(v) => out.push_str(&js::stringify(v)),
            Self::O(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&js::stringify(&Value::String((*k).to_owned())));
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    /// The same document as a `Value` (keys sorted, as serde_json keeps them).
    pub(crate) fn value(&self) -> Value {
        match self {
            Self::V(v) => v.clone(),
            Self::O(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.value()))
                    .collect(),
            ),
        }
    }
}

fn v(value: impl Into<Value>) -> Js {
    Js::V(value.into())
}

fn opt_str(s: Option<&str>) -> Js {
    s.map_or(Js::V(Value::Null), v)
}

/// An amount as NOWPayments' JavaScript holds it: an integer if integral, otherwise the
/// double nearest to the decimal. JavaScript has no other number type, so the simulator
/// converts here, at the wire, exactly as the real service does; money is never computed in
/// floating point.
pub(crate) fn num(d: Decimal) -> Value {
    let d = d.normalize();
    if d.scale() == 0
        && let Ok(i) = i64::try_from(d)
    {
        return Value::from(i);
    }
    f64::from_str(&d.to_string())
        .ok()
        .and_then(Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// The standard error body.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Js {
    Js::O(vec![
        ("status", v(false)),
        ("statusCode", v(status)),
        ("code", v(code)),
        ("message", v(message)),
    ])
}

/// `POST /invoice` answer (201): `id`, `token_id` and `price_amount` are strings.
pub(crate) fn invoice_created(inv: &SimInvoice) -> Js {
    Js::O(vec![
        ("id", v(inv.id.to_string())),
        ("token_id", v(inv.token_id.to_string())),
        ("order_id", opt_str(inv.order_id.as_deref())),
        (
            "order_description",
            opt_str(inv.order_description.as_deref()),
        ),
        ("price_amount", v(inv.price_amount.normalize().to_string())),
        ("price_currency", v(inv.price_currency.as_str())),
        ("pay_currency", opt_str(inv.pay_currency.as_deref())),
        ("ipn_callback_url", opt_str(inv.ipn_callback_url.as_deref())),
        ("invoice_url", v(inv.invoice_url.as_str())),
        ("success_url", opt_str(inv.success_url.as_deref())),
        ("cancel_url", opt_str(inv.cancel_url.as_deref())),
        (
            "partially_paid_url",
            opt_str(inv.partially_paid_url.as_deref()),
        ),
        ("payout_currency", v(Value::Null)),
        ("customer_email", v(Value::Null)),
        ("created_at", v(inv.created_at.as_str())),
        ("updated_at", v(inv.created_at.as_str())),
        ("is_fixed_rate", v(inv.is_fixed_rate)),
        ("is_fee_paid_by_user", v(inv.is_fee_paid_by_user)),
        ("source", v(Value::Null)),
        ("collect_user_data", v(false)),
    ])
}

fn opt_id(id: Option<u64>) -> Js {
    id.map_or(Js::V(Value::Null), v)
}

/// The fee NOWPayments took from the deposit, when coin in and coin out are the same.
fn deposit_fee(p: &SimPayment) -> Decimal {
    let same_coin = p
        .pay_in
        .pay_currency
        .eq_ignore_ascii_case(&p.pay_in.outcome_currency);
    let paid = p.reported_paid();
    if same_coin && paid > p.pay_in.outcome_amount {
        paid - p.pay_in.outcome_amount
    } else {
        Decimal::ZERO
    }
}

/// A payment IPN body, field order and types as in the doc example and test vector (§A.5):
/// ids are numbers except `purchase_id`, amounts are numbers, `fee` is nested camelCase, and
/// `payment_extra_ids` is `null` (the signer's array form is unknown).
pub(crate) fn ipn(inv: &SimInvoice, p: &SimPayment) -> Js {
    Js::O(vec![
        ("payment_id", v(p.id)),
        ("parent_payment_id", opt_id(p.parent_payment_id)),
        ("invoice_id", v(inv.id)),
        ("payment_status", v(p.status.as_str())),
        ("pay_address", v(p.pay_address.as_str())),
        ("payin_extra_id", v(Value::Null)),
        ("price_amount", v(num(inv.price_amount))),
        ("price_currency", v(inv.price_currency.as_str())),
        ("pay_amount", v(num(p.pay_in.pay_amount))),
        ("actually_paid", v(num(p.reported_paid()))),
        ("actually_paid_at_fiat", v(0)),
        ("pay_currency", v(p.pay_in.pay_currency.as_str())),
        ("order_id", opt_str(p.order_id.as_deref())),
        ("order_description", opt_str(p.order_description.as_deref())),
        ("purchase_id", v(p.purchase_id.to_string())),
        ("outcome_amount", v(num(p.pay_in.outcome_amount))),
        ("outcome_currency", v(p.pay_in.outcome_currency.as_str())),
        ("payment_extra_ids", v(Value::Null)),
        ("created_at", v(p.created_at.as_str())),
        ("updated_at", v(p.updated_at.as_str())),
        (
            "fee",
            Js::O(vec![
                ("currency", v(p.pay_in.outcome_currency.as_str())),
                ("depositFee", v(num(deposit_fee(p)))),
                ("withdrawalFee", v(0)),
                ("serviceFee", v(0)),
            ]),
        ),
    ])
}

/// `GET /payment/{id}` answer (§A.3 example): numbers for ids including `purchase_id`, the
/// children in `payment_extra_ids`, and `parent_payment_id` + `origin_type` on a child.
pub(crate) fn payment_status(inv: &SimInvoice, p: &SimPayment) -> Js {
    let children = if p.children.is_empty() {
        Value::Null
    } else {
        Value::Array(p.children.iter().map(|c| Value::from(*c)).collect())
    };
    let deposit = p.deposit_seen.then(|| fake_hash(p.id));
    let payout = (p.status == PaymentStatus::Finished).then(|| fake_hash(p.id.wrapping_add(1)));
    let mut fields = vec![
        ("payment_id", v(p.id)),
        ("invoice_id", v(inv.id)),
        ("payment_status", v(p.status.as_str())),
        ("pay_address", v(p.pay_address.as_str())),
        ("payin_extra_id", v(Value::Null)),
        ("price_amount", v(num(inv.price_amount))),
        ("price_currency", v(inv.price_currency.as_str())),
        ("pay_amount", v(num(p.pay_in.pay_amount))),
        ("actually_paid", v(num(p.reported_paid()))),
        ("pay_currency", v(p.pay_in.pay_currency.as_str())),
        ("order_id", opt_str(p.order_id.as_deref())),
        ("order_description", opt_str(p.order_description.as_deref())),
        ("purchase_id", v(p.purchase_id)),
        ("outcome_amount", v(num(p.pay_in.outcome_amount))),
        ("outcome_currency", v(p.pay_in.outcome_currency.as_str())),
        ("payout_hash", opt_str(payout.as_deref())),
        ("payin_hash", opt_str(deposit.as_deref())),
        ("created_at", v(p.created_at.as_str())),
        ("updated_at", v(p.updated_at.as_str())),
        // Sic: the documented example has the string "null" here.
        ("burning_percent", v("null")),
        ("type", v("crypto2crypto")),
        ("payment_extra_ids", v(children)),
    ];
    if let Some(parent) = p.parent_payment_id {
        fields.push(("parent_payment_id", v(parent)));
        fields.push(("origin_type", v("REPEATED")));
    }
    Js::O(fields)
}
