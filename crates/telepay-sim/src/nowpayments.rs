//! A stateful, in-process simulator of the NOWPayments API v1 (reference/apis.md §A, §D).
//!
//! It serves `/v1/status`, `POST /v1/invoice` and `GET /v1/payment/{id}` over real HTTP on
//! `127.0.0.1:<random>`, with NOWPayments' JSON types (string ids in create answers, numbers in
//! status answers and IPNs), its error shape and codes, and it POSTs signed IPNs to each
//! invoice's `ipn_callback_url` as the buyer "pays", retrying like the real service. Tests drive
//! payments with [`NowPaymentsSim::pay`], [`NowPaymentsSim::set_status`] and friends, inject
//! faults, and inspect recorded calls and deliveries.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use telepay_sim::nowpayments::{NowPaymentsSim, NpSimConfig, PayIn};
//! use rust_decimal_macros::dec;
//! let sim = NowPaymentsSim::start(NpSimConfig::default()).await?;
//! // … the code under test creates an invoice against `sim.api_url()` …
//! let invoice = sim.invoices()[0].id;
//! let payment = sim.pay(invoice, PayIn::exact("usdttrc20", dec!(10.152)))?;
//! sim.advance_to_finished(payment)?;
//! # Ok(()) }
//! ```

mod delivery;
mod server;
mod signature;
mod state;
mod status;
#[cfg(test)]
mod tests;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use rust_decimal::Decimal;
use serde_json::Value;
use url::Url;

pub use signature::{hmac_sha512_hex, sign_ipn};
pub use state::{SimInvoice, SimPayment, StatusChange};
pub use status::PaymentStatus;

use crate::harness::{self, Hub, Stop, StopOnDrop};
use crate::js::JsError;
use state::{Fault, IpnJob, State, fake_address, now_iso};

/// Settings of one simulator instance. `Default` is ready to use.
#[derive(Debug, Clone)]
pub struct NpSimConfig {
    /// Address to listen on; `127.0.0.1:0` picks a free port.
    pub bind: SocketAddr,
    /// The `x-api-key` every authenticated call must carry.
    pub api_key: String,
    /// Signs IPNs. Empty means no IPN is ever sent, as on NOWPayments without a secret.
    pub ipn_secret: String,
    /// Retries after a failed first IPN attempt (NOWPayments' doc example: 3).
    pub ipn_retries: u32,
    /// Pause between two attempts of one IPN (a minute on NOWPayments; short for tests).
    pub ipn_retry_interval: Duration,
    /// How long the receiver may take to answer; NOWPayments requires 3000 ms.
    pub ipn_timeout: Duration,
    /// Root of the hosted pages; invoices get `<base>/payment/?iid=<id>`.
    pub invoice_url_base: String,
    /// `POST /invoice` refuses a lower `price_amount` with `AMOUNT_MINIMAL_ERROR`.
    pub min_price_amount: Decimal,
}

impl Default for NpSimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_key: "np-sim-api-key".to_owned(),
            ipn_secret: "np-sim-ipn-secret".to_owned(),
            ipn_retries: 3,
            ipn_retry_interval: Duration::from_millis(200),
            ipn_timeout: Duration::from_millis(3000),
            invoice_url_base: "https://sandbox.nowpayments.io".to_owned(),
            min_price_amount: Decimal::ONE,
        }
    }
}

/// What the buyer pays and what the merchant gets for one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayIn {
    /// Lowercase ticker, e.g. "usdttrc20".
    pub pay_currency: String,
    /// Crypto amount asked.
    pub pay_amount: Decimal,
    /// Crypto amount received (reported from the first status after `waiting`).
    pub actually_paid: Decimal,
    pub outcome_currency: String,
    /// What reaches the merchant wallet.
    pub outcome_amount: Decimal,
}

impl PayIn {
    /// Pays exactly `amount` of `currency`, received in the same coin without fees.
    pub fn exact(currency: &str, amount: Decimal) -> Self {
        Self {
            pay_currency: currency.to_ascii_lowercase(),
            pay_amount: amount,
            actually_paid: amount,
            outcome_currency: currency.to_ascii_lowercase(),
            outcome_amount: amount,
        }
    }

    /// The buyer sends `paid` instead of `pay_amount` (under- or overpayment).
    pub fn paid(mut self, paid: Decimal) -> Self {
        self.actually_paid = paid;
        self
    }

    /// The merchant receives `amount` of `currency`.
    pub fn outcome(mut self, currency: &str, amount: Decimal) -> Self {
        self.outcome_currency = currency.to_ascii_lowercase();
        self.outcome_amount = amount;
        self
    }
}

/// One attempt to deliver one IPN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpnDelivery {
    /// 1-based, in the order attempts finished.
    pub seq: u64,
    pub payment_id: u64,
    pub status: PaymentStatus,
    /// 1 for the first try of this notification.
    pub attempt: u32,
    pub url: String,
    /// The receiver's answer; `None` on a connection error or timeout.
    pub http_status: Option<u16>,
    pub error: Option<String>,
    /// A 2xx answer.
    pub delivered: bool,
    /// The exact body text sent.
    pub body: String,
    /// The `x-nowpayments-sig` sent.
    pub signature: String,
}

/// One HTTP request the simulator answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpCall {
    pub seq: u64,
    pub method: String,
    pub path: String,
    /// The `x-api-key` header as received (test data only).
    pub api_key: Option<String>,
    /// The JSON body, or the raw text as a string, or null.
    pub body: Value,
    pub status: u16,
    pub response: String,
}

/// The body of an injected failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultBody {
    /// Sent as `application/json`.
    Json(Value),
    /// Sent as `text/html`, like the edge's rate-limit page.
    Html(String),
}

impl FaultBody {
    /// NOWPayments' JSON error shape.
    pub fn np_error(status: u16, code: &str, message: &str) -> Self {
        Self::Json(wire::error(status, code, message).value())
    }

    /// The nginx page the edge sends on a rate-limit breach (no Retry-After).
    pub fn rate_limit_page() -> Self {
        Self::Html(
            "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
                .to_owned(),
        )
    }

    /// A generic 5xx page from the edge.
    pub fn bad_gateway_page() -> Self {
        Self::Html(
            "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
                .to_owned(),
        )
    }
}

/// Misuse of the driving API, or a wait that timed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NpSimError {
    #[error("no invoice {0} in the NOWPayments simulator")]
    UnknownInvoice(u64),
    #[error("no payment {0} in the NOWPayments simulator")]
    UnknownPayment(u64),
    #[error("timed out after {0:?} waiting on the NOWPayments simulator")]
    Timeout(Duration),
    #[error("the NOWPayments simulator cannot sign this IPN: {0}")]
    Unsignable(#[from] JsError),
}

/// What every task of one simulator shares.
pub(crate) struct Shared {
    pub(crate) config: NpSimConfig,
    /// The state, woken on every call, state change and delivery attempt.
    hub: Hub<State>,
    pub(crate) http: reqwest::Client,
    /// Delivery tasks are spawned here, so driving calls work from any thread.
    pub(crate) runtime: tokio::runtime::Handle,
}

impl Shared {
    /// Locks the state; a panic in another holder must not cascade into every test.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.hub.state()
    }

    pub(crate) fn touch(&self) {
        self.hub.touch();
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.hub.is_stopping()
    }

    pub(crate) fn invoice_url(&self, id: u64) -> String {
        let base = self.config.invoice_url_base.trim_end_matches('/');
        format!("{base}/payment/?iid={id}")
    }
}

impl Stop for Shared {
    fn stop(&self) {
        self.hub.stop();
    }
}

/// Handle to a running simulator. Cheap to clone; the server and the IPN tasks stop when the
/// last clone is dropped or on [`NowPaymentsSim::shutdown`].
#[derive(Clone)]
pub struct NowPaymentsSim {
    shared: Arc<Shared>,
    _stop: Arc<StopOnDrop>,
    addr: SocketAddr,
    api_url: Url,
}

impl std::fmt::Debug for NowPaymentsSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NowPaymentsSim")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl NowPaymentsSim {
    /// Binds `config.bind`, spawns the HTTP server and returns the handle. Must be called
    /// inside a tokio runtime.
    pub async fn start(config: NpSimConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.ipn_timeout)
            .no_proxy()
            .build()
            .context("building the IPN HTTP client")?;
        let bind = config.bind;
        let shared = Arc::new(Shared {
            config,
            hub: Hub::new(State::new()),
            http,
            runtime: tokio::runtime::Handle::current(),
        });
        let addr = harness::serve(
            "NOWPayments",
            bind,
            server::router(shared.clone()),
            shared.hub.stopped(),
        )
        .await?;
        let api_url = Url::parse(&format!("http://{addr}/v1"))?;
        Ok(Self {
            _stop: StopOnDrop::new(shared.clone()),
            shared,
            addr,
            api_url,
        })
    }

    /// The API root to give the client: `http://127.0.0.1:<port>/v1`.
    pub fn api_url(&self) -> Url {
        self.api_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn api_key(&self) -> &str {
        &self.shared.config.api_key
    }

    pub fn ipn_secret(&self) -> &str {
        &self.shared.config.ipn_secret
    }

    /// Stops the HTTP server and the IPN tasks (after their current attempt).
    pub fn shutdown(&self) {
        self.shared.stop();
    }

    fn mutate<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let out = f(&mut self.shared.state());
        self.shared.touch();
        out
    }

    fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.shared.state())
    }

    // ---- what the buyer and NOWPayments do --------------------------------------------------

    /// The buyer picks a coin on the invoice page: a payment in `waiting` is created and its
    /// IPN queued. Returns the payment id.
    pub fn pay(&self, invoice_id: u64, pay: PayIn) -> Result<u64, NpSimError> {
        self.mutate(|st| {
            let invoice = st
                .invoices
                .get(&invoice_id)
                .cloned()
                .ok_or(NpSimError::UnknownInvoice(invoice_id))?;
            let id = self.new_payment(st, &invoice, None, invoice.order_id.clone(), pay);
            Ok(id)
        })
    }

    /// A re-deposit or wrong-asset deposit on `parent_payment_id`: a new payment (in
    /// `waiting`, IPN queued) with `parent_payment_id` set, the parent's invoice, and
    /// `order_id: null`, which NOWPayments may send on such payments (apis.md §A.4). The
    /// parent lists it in `payment_extra_ids`.
    pub fn child_payment(&self, parent_payment_id: u64, pay: PayIn) -> Result<u64, NpSimError> {
        self.mutate(|st| {
            let parent = st
                .payments
                .get(&parent_payment_id)
                .cloned()
                .ok_or(NpSimError::UnknownPayment(parent_payment_id))?;
            let invoice = st
                .invoices
                .get(&parent.invoice_id)
                .cloned()
                .ok_or(NpSimError::UnknownInvoice(parent.invoice_id))?;
            let id = self.new_payment(st, &invoice, Some(&parent), None, pay);
            if let Some(p) = st.payments.get_mut(&parent_payment_id) {
                p.children.push(id);
            }
            Ok(id)
        })
    }

    fn new_payment(
        &self,
        st: &mut State,
        invoice: &SimInvoice,
        parent: Option<&SimPayment>,
        order_id: Option<String>,
        pay: PayIn,
    ) -> u64 {
        let id = st.payment_id();
        let purchase_id = match parent {
            Some(p) => p.purchase_id,
            None => st.purchase_id(),
        };
        let now = now_iso();
        let payment = SimPayment {
            id,
            invoice_id: invoice.id,
            parent_payment_id: parent.map(|p| p.id),
            purchase_id,
            status: PaymentStatus::Waiting,
            history: vec![StatusChange {
                status: PaymentStatus::Waiting,
                at: now.clone(),
                ipn_queued: true,
            }],
            pay_address: fake_address(&pay.pay_currency, id),
            pay_in: pay,
            order_id,
            order_description: invoice.order_description.clone(),
            deposit_seen: false,
            children: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
        };
        st.payments.insert(id, payment);
        self.queue_ipn(st, id);
        id
    }

    /// Moves the payment to `status` (any status, in any order, repeats included, as the real
    /// service may) and queues the signed IPN for it. After `expired` the status still changes
    /// (a late deposit can finish a payment) but, as on NOWPayments, no IPN is sent.
    pub fn set_status(&self, payment_id: u64, status: PaymentStatus) -> Result<(), NpSimError> {
        self.mutate(|st| {
            let p = st
                .payments
                .get_mut(&payment_id)
                .ok_or(NpSimError::UnknownPayment(payment_id))?;
            let silent = p.status == PaymentStatus::Expired;
            if !matches!(status, PaymentStatus::Waiting | PaymentStatus::Expired) {
                p.deposit_seen = true;
            }
            let now = now_iso();
            p.status = status.clone();
            p.updated_at = now.clone();
            p.history.push(StatusChange {
                status,
                at: now,
                ipn_queued: !silent,
            });
            if !silent {
                self.queue_ipn(st, payment_id);
            }
            Ok(())
        })
    }

    /// Walks the typical path from the current status: confirming → confirmed → sending →
    /// finished, skipping steps already passed, one IPN each.
    pub fn advance_to_finished(&self, payment_id: u64) -> Result<(), NpSimError> {
        let current = self
            .payment(payment_id)
            .ok_or(NpSimError::UnknownPayment(payment_id))?
            .status;
        for next in current.rest_of_path() {
            self.set_status(payment_id, next.clone())?;
        }
        Ok(())
    }

    /// Sends the last IPN of the payment again, byte for byte (as "resend" in the dashboard
    /// does); the current state's IPN if none was queued yet.
    pub fn resend_ipn(&self, payment_id: u64) -> Result<(), NpSimError> {
        self.mutate(|st| {
            if !st.payments.contains_key(&payment_id) {
                return Err(NpSimError::UnknownPayment(payment_id));
            }
            match st.last_ipn.get(&payment_id).cloned() {
                Some(job) => delivery::enqueue(&self.shared, st, job),
                None => self.queue_ipn(st, payment_id),
            }
            Ok(())
        })
    }

    /// The IPN body for the payment's current state, for tests that POST it themselves.
    pub fn ipn_body(&self, payment_id: u64) -> Result<Value, NpSimError> {
        self.ipn_request(payment_id).map(|(js, _, _)| js)
    }

    /// The IPN for the current state as it goes on the wire: body text and `x-nowpayments-sig`.
    pub fn ipn_wire(&self, payment_id: u64) -> Result<(String, String), NpSimError> {
        self.ipn_request(payment_id)
            .map(|(_, text, sig)| (text, sig))
    }

    fn ipn_request(&self, payment_id: u64) -> Result<(Value, String, String), NpSimError> {
        self.read(|st| {
            let p = st
                .payments
                .get(&payment_id)
                .ok_or(NpSimError::UnknownPayment(payment_id))?;
            let inv = st
                .invoices
                .get(&p.invoice_id)
                .ok_or(NpSimError::UnknownInvoice(p.invoice_id))?;
            let js = wire::ipn(inv, p);
            let value = js.value();
            let sig = sign_ipn(&self.shared.config.ipn_secret, &value)?;
            Ok((value, js.text(), sig))
        })
    }

    /// Queues the current state's IPN, unless there is no secret or no callback URL (the real
    /// service then sends nothing either).
    fn queue_ipn(&self, st: &mut State, payment_id: u64) {
        let secret = &self.shared.config.ipn_secret;
        let Some(p) = st.payments.get(&payment_id) else {
            return;
        };
        let Some(inv) = st.invoices.get(&p.invoice_id) else {
            return;
        };
        let Some(url) = inv.ipn_callback_url.clone() else {
            return;
        };
        if secret.trim().is_empty() {
            return;
        }
        let js = wire::ipn(inv, p);
        // The simulator's own bodies have fixed, non-numeric keys, so signing cannot fail; if
        // it ever did, sending nothing is what NOWPayments does without a usable secret.
        let signature = match sign_ipn(secret, &js.value()) {
            Ok(signature) => signature,
            Err(err) => {
                tracing::error!(%err, payment_id, "nowpayments simulator cannot sign an IPN");
                return;
            }
        };
        let job = IpnJob {
            payment_id,
            status: p.status.clone(),
            url,
            text: js.text(),
            signature,
        };
        delivery::enqueue(&self.shared, st, job);
    }

    // ---- looking -----------------------------------------------------------------------------

    pub fn invoices(&self) -> Vec<SimInvoice> {
        self.read(|st| st.invoices.values().cloned().collect())
    }

    pub fn invoice(&self, invoice_id: u64) -> Option<SimInvoice> {
        self.read(|st| st.invoices.get(&invoice_id).cloned())
    }

    /// The latest invoice created with this `order_id`.
    pub fn invoice_by_order(&self, order_id: &str) -> Option<SimInvoice> {
        self.read(|st| {
            st.invoices
                .values()
                .rev()
                .find(|i| i.order_id.as_deref() == Some(order_id))
                .cloned()
        })
    }

    pub fn payments(&self) -> Vec<SimPayment> {
        self.read(|st| st.payments.values().cloned().collect())
    }

    pub fn payment(&self, payment_id: u64) -> Option<SimPayment> {
        self.read(|st| st.payments.get(&payment_id).cloned())
    }

    /// Every IPN attempt so far, in the order they finished.
    pub fn deliveries(&self) -> Vec<IpnDelivery> {
        self.read(|st| st.deliveries.clone())
    }

    /// Every HTTP request answered so far.
    pub fn calls(&self) -> Vec<NpCall> {
        self.read(|st| st.calls.clone())
    }

    /// IPNs queued or being sent.
    pub fn ipns_pending(&self) -> usize {
        self.read(State::ipns_pending)
    }

    // ---- waiting ------------------------------------------------------------------------------

    /// Re-evaluates `probe` after every call, state change and delivery attempt until it
    /// returns `Some`, or fails after `timeout`. Replaces sleeps in tests.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut probe: impl FnMut(&NowPaymentsSim) -> Option<T>,
    ) -> Result<T, NpSimError> {
        self.shared
            .hub
            .wait_until(timeout, || probe(self))
            .await
            .ok_or(NpSimError::Timeout(timeout))
    }

    /// Waits for the first delivery attempt matching `predicate`.
    pub async fn wait_for_delivery(
        &self,
        timeout: Duration,
        mut predicate: impl FnMut(&IpnDelivery) -> bool,
    ) -> Result<IpnDelivery, NpSimError> {
        self.wait_until(timeout, |sim| {
            sim.deliveries().into_iter().find(|d| predicate(d))
        })
        .await
    }

    /// Waits until no IPN is queued or in flight.
    pub async fn wait_idle(&self, timeout: Duration) -> Result<(), NpSimError> {
        self.wait_until(timeout, |sim| (sim.ipns_pending() == 0).then_some(()))
            .await
    }

    // ---- faults -------------------------------------------------------------------------------

    /// The next request whose path starts with `path_prefix` (`"/invoice"`, `"payment"` or
    /// `"/v1/invoice"` alike; `""` matches all) gets this answer instead, once. Faults queue
    /// FIFO and apply before the API key check, like the edge's rate limit.
    pub fn fail_next(&self, path_prefix: &str, http_status: u16, body: FaultBody) {
        let prefix = full_prefix(path_prefix);
        self.mutate(|st| {
            st.faults.push(
                prefix,
                Fault {
                    status: http_status,
                    body,
                },
            );
        });
    }

    /// Delays every answer under `path_prefix` by `delay` (`None` removes it); for timeouts.
    pub fn set_delay(&self, path_prefix: &str, delay: Option<Duration>) {
        let prefix = full_prefix(path_prefix);
        self.mutate(|st| {
            st.delays.retain(|(p, _)| *p != prefix);
            if let Some(d) = delay {
                st.delays.push((prefix, d));
            }
        });
    }
}

/// `"invoice"`, `"/invoice"` and `"/v1/invoice"` all mean `/v1/invoice`.
fn full_prefix(p: &str) -> String {
    let p = p.trim();
    let p = p.strip_prefix('/').unwrap_or(p);
    let p = p.strip_prefix("v1").unwrap_or(p);
    let p = p.strip_prefix('/').unwrap_or(p);
    if p.is_empty() {
        "/v1".to_owned()
    } else {
        format!("/v1/{p}")
    }
}
