//! The simulator's world: invoices, payments with their status history, recorded calls, IPN
//! deliveries, the per-payment IPN outbox and pending faults.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use rust_decimal::Decimal;

use super::status::PaymentStatus;
use super::{FaultBody, IpnDelivery, NpCall, PayIn};
use crate::harness::Faults;

/// Id ranges are far apart and above 2^32, so a test that mixes an invoice id with a payment
/// id, or squeezes one into 32 bits, fails visibly.
const FIRST_INVOICE_ID: u64 = 4_600_000_001;
const FIRST_PAYMENT_ID: u64 = 5_100_000_001;
const FIRST_PURCHASE_ID: u64 = 6_100_000_001;
const FIRST_TOKEN_ID: u64 = 7_100_000_001;

/// An invoice created through `POST /v1/invoice`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimInvoice {
    pub id: u64,
    pub token_id: u64,
    pub order_id: Option<String>,
    pub order_description: Option<String>,
    pub price_amount: Decimal,
    /// Lowercase.
    pub price_currency: String,
    pub pay_currency: Option<String>,
    pub ipn_callback_url: Option<String>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub partially_paid_url: Option<String>,
    pub is_fixed_rate: bool,
    pub is_fee_paid_by_user: bool,
    /// `<invoice_url_base>payment/?iid=<id>`.
    pub invoice_url: String,
    pub created_at: String,
}

/// One entry of a payment's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: PaymentStatus,
    pub at: String,
    /// Whether an IPN was queued for it (none after `expired`, as on NOWPayments).
    pub ipn_queued: bool,
}

/// A payment made against an invoice (or a child of another payment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimPayment {
    pub id: u64,
    pub invoice_id: u64,
    pub parent_payment_id: Option<u64>,
    pub purchase_id: u64,
    pub status: PaymentStatus,
    pub history: Vec<StatusChange>,
    /// What the buyer pays and the merchant gets.
    pub pay_in: PayIn,
    pub pay_address: String,
    /// The invoice's order id; `None` on child payments, as NOWPayments may send them.
    pub order_id: Option<String>,
    pub order_description: Option<String>,
    /// Set once a deposit was seen (any status past `waiting` other than `expired`); until
    /// then `actually_paid` reads 0, since it is the cumulative amount received.
    pub deposit_seen: bool,
    /// Child payment ids (`payment_extra_ids` in `GET /payment/{id}`).
    pub children: Vec<u64>,
    pub created_at: String,
    pub updated_at: String,
}

impl SimPayment {
    /// `actually_paid` as NOWPayments reports it now.
    pub fn reported_paid(&self) -> Decimal {
        if self.deposit_seen {
            self.pay_in.actually_paid
        } else {
            Decimal::ZERO
        }
    }
}

/// A queued IPN: the body is fixed when the status changes, not when it is sent.
#[derive(Debug, Clone)]
pub(crate) struct IpnJob {
    pub(crate) payment_id: u64,
    pub(crate) status: PaymentStatus,
    pub(crate) url: String,
    pub(crate) text: String,
    pub(crate) signature: String,
}

/// A one-shot injected answer.
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub(crate) status: u16,
    pub(crate) body: FaultBody,
}

pub(crate) struct State {
    next_invoice_id: u64,
    next_payment_id: u64,
    next_purchase_id: u64,
    next_token_id: u64,
    pub(crate) invoices: BTreeMap<u64, SimInvoice>,
    pub(crate) payments: BTreeMap<u64, SimPayment>,
    pub(crate) calls: Vec<NpCall>,
    pub(crate) deliveries: Vec<IpnDelivery>,
    /// Keyed by the path prefix they apply to.
    pub(crate) faults: Faults<String, Fault>,
    pub(crate) delays: Vec<(String, Duration)>,
    /// IPNs not yet sent, per payment, in order.
    pub(crate) outbox: BTreeMap<u64, VecDeque<IpnJob>>,
    /// Payments whose delivery task is running.
    pub(crate) busy: BTreeSet<u64>,
    /// The last IPN queued per payment, for `resend_ipn`.
    pub(crate) last_ipn: BTreeMap<u64, IpnJob>,
}

impl State {
    pub(crate) fn new() -> Self {
        Self {
            next_invoice_id: FIRST_INVOICE_ID,
            next_payment_id: FIRST_PAYMENT_ID,
            next_purchase_id: FIRST_PURCHASE_ID,
            next_token_id: FIRST_TOKEN_ID,
            invoices: BTreeMap::new(),
            payments: BTreeMap::new(),
            calls: Vec::new(),
            deliveries: Vec::new(),
            faults: Faults::default(),
            delays: Vec::new(),
            outbox: BTreeMap::new(),
            busy: BTreeSet::new(),
            last_ipn: BTreeMap::new(),
        }
    }

    pub(crate) fn invoice_id(&mut self) -> u64 {
        bump(&mut self.next_invoice_id)
    }

    pub(crate) fn payment_id(&mut self) -> u64 {
        bump(&mut self.next_payment_id)
    }

    pub(crate) fn purchase_id(&mut self) -> u64 {
        bump(&mut self.next_purchase_id)
    }

    pub(crate) fn token_id(&mut self) -> u64 {
        bump(&mut self.next_token_id)
    }

    /// The delay configured for the longest matching prefix.
    pub(crate) fn delay_for(&self, path: &str) -> Option<Duration> {
        self.delays
            .iter()
            .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, d)| *d)
    }

    /// Takes the oldest fault whose prefix matches.
    pub(crate) fn take_fault(&mut self, path: &str) -> Option<Fault> {
        self.faults.take(|prefix| path.starts_with(prefix.as_str()))
    }

    pub(crate) fn ipns_pending(&self) -> usize {
        self.outbox.values().map(VecDeque::len).sum::<usize>() + self.busy.len()
    }
}

fn bump(next: &mut u64) -> u64 {
    let id = *next;
    *next = next.saturating_add(1);
    id
}

/// Current time as NOWPayments writes it: `2021-04-12T14:22:54.942Z`.
pub(crate) fn now_iso() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A plausible deposit address for the coin, derived from the payment id.
pub(crate) fn fake_address(pay_currency: &str, seed: u64) -> String {
    const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const HEX: &[u8] = b"0123456789abcdef";
    const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let c = pay_currency.to_ascii_lowercase();
    if c == "trx" || c.ends_with("trc20") {
        format!("T{}", fake_chars(seed, BASE58, 33))
    } else if c == "btc" {
        format!("bc1q{}", fake_chars(seed, BECH32, 38))
    } else if c == "eth"
        || c == "bnbbsc"
        || c.ends_with("erc20")
        || c.ends_with("bsc")
        || c.ends_with("matic")
    {
        format!("0x{}", fake_chars(seed, HEX, 40))
    } else {
        format!("sim{}", fake_chars(seed, BASE58, 30))
    }
}

/// A fake transaction hash.
pub(crate) fn fake_hash(seed: u64) -> String {
    fake_chars(seed, b"0123456789abcdef", 64)
}

/// `n` characters of `alphabet` from a xorshift stream seeded by `seed`.
fn fake_chars(seed: u64, alphabet: &[u8], n: usize) -> String {
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    let len = u64::try_from(alphabet.len()).unwrap_or(1).max(1);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = usize::try_from(x % len).unwrap_or(0);
            alphabet.get(i).copied().map_or('0', char::from)
        })
        .collect()
}
