//! A stateful, in-process simulator of the ChangeNOW API v2 (reference/apis.md §B, §D).
//!
//! It serves, over real HTTP on `127.0.0.1:<random>`, `GET /v2/exchange/min-amount`,
//! `/v2/exchange/range`, `/v2/exchange/estimated-amount`, `POST /v2/exchange`,
//! `GET /v2/exchange/by-id` and `GET /v2/validate/address`, with ChangeNOW's key header, error
//! shape and codes. Amounts follow a simple fee model (USD prices per asset, a spread and a
//! fixed network fee in the destination coin), exponent-form amounts are refused, and
//! exchanges move on **deposits**: the separately simulated chain reports a transfer to a payin
//! address with [`ChangeNowSim::deposit`], and the exchange then advances one status per
//! `by-id` poll until it pays out. Payouts are recorded and announced to
//! [`ChangeNowSim::on_payout`] hooks, so a harness can credit them on its chain.
//!
//! ```ignore
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use crate::changenow::{ChangeNowSim, CnSimConfig};
//! use rust_decimal_macros::dec;
//! let sim = ChangeNowSim::start(CnSimConfig::default()).await?;
//! sim.on_payout(Arc::new(|p| println!("credit {} {} to {}", p.amount, p.to_ticker, p.address)));
//! // … the code under test creates an exchange against `sim.base_url()` with `sim.api_key()`,
//! // then the chain simulator sees the host wallet pay the payin address:
//! let payin = sim.exchanges()[0].payin_address.clone();
//! let id = sim.deposit(&payin, dec!(25), "0xfeed")?;
//! // … the code under test polls `by-id` until `finished` …
//! # Ok(()) }
//! ```

mod names;
mod server;
mod state;
#[cfg(test)]
mod tests;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::Value;
use url::Url;

pub use names::{Asset, ExchangeState};
pub use state::{AssetInfo, SimExchange};

use crate::harness::{self, Hub, Stop, StopOnDrop};
use state::State;

/// Settings of one simulator instance. `Default` is ready to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CnSimConfig {
    /// Address to listen on; `127.0.0.1:0` picks a free port.
    pub bind: SocketAddr,
    /// The `x-changenow-api-key` every call must carry (401 without, 403 when wrong).
    pub api_key: String,
    /// Share of the converted value ChangeNOW keeps (0.005 = 0.5 %).
    pub spread: Decimal,
    /// Default fixed network fee of a payout, in USD worth of the destination coin (override
    /// per asset with [`ChangeNowSim::set_network_fee`]).
    pub network_fee_usd: Decimal,
    /// Default pair minimum, in USD worth of the *from* coin (override per pair with
    /// [`ChangeNowSim::set_min_amount`]).
    pub min_amount_usd: Decimal,
    /// Pair maximum in USD worth of the *from* coin; `None` answers `maxAmount: null`.
    pub max_amount_usd: Option<Decimal>,
    /// Lifecycle steps taken after each `by-id` answer (`new`→`waiting` before a deposit;
    /// `confirming`→`exchanging`→`sending`→`finished` after one). 0: only
    /// [`ChangeNowSim::advance`] moves exchanges.
    pub steps_per_poll: u32,
    /// A deposit goes straight to `finished` (paid out inside [`ChangeNowSim::deposit`]).
    pub auto_finish: bool,
    /// An exchange with no deposit after this long becomes `expired` (real time).
    pub exchange_ttl: Duration,
    /// How long a [`CnFault::Timeout`] or [`CnFault::LostAnswer`] holds the answer: make it
    /// longer than the client's timeout.
    pub timeout_hold: Duration,
}

impl Default for CnSimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_key: "cn-sim-api-key".to_owned(),
            spread: dec!(0.005),
            network_fee_usd: Decimal::ONE,
            min_amount_usd: dec!(2),
            max_amount_usd: None,
            steps_per_poll: 1,
            auto_finish: false,
            exchange_ttl: Duration::from_secs(30 * 60),
            timeout_hold: Duration::from_secs(30),
        }
    }
}

/// The simulator's endpoints, for faults and call filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CnEndpoint {
    MinAmount,
    Range,
    EstimatedAmount,
    CreateExchange,
    ExchangeById,
    ValidateAddress,
    /// Matches every endpoint (faults only).
    Any,
}

/// An injected failure for the next request to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CnFault {
    /// This status with a `{"error","message"}` body named after it (`429` →
    /// `too_many_requests`, `500` → `internal_server_error`).
    Status(u16),
    /// This status and exact error body.
    ErrorCode {
        status: u16,
        code: String,
        message: String,
    },
    /// An HTML error page from the edge (not JSON).
    Html(u16),
    /// The request is not processed and the answer is held for
    /// [`CnSimConfig::timeout_hold`]: the client times out.
    Timeout,
    /// The request **is processed** (e.g. the exchange is created) but the answer is held
    /// until the client times out: the lost-answer case behind double sends.
    LostAnswer,
}

/// Why ChangeNOW sent money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutKind {
    /// The exchange finished: `amount` of the *to* asset went to the payout address.
    Exchange,
    /// A deposit to an expired (or otherwise closed) exchange went back, in the *from* asset,
    /// to the refund address.
    Refund,
}

/// One transfer ChangeNOW made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimPayout {
    pub exchange_id: String,
    pub kind: PayoutKind,
    /// The asset sent (the *to* asset, or the *from* asset for a refund).
    pub to_ticker: String,
    pub to_network: String,
    pub address: String,
    pub extra_id: Option<String>,
    pub amount: Decimal,
    /// `0x` + 64 hex digits.
    pub hash: String,
}

/// One HTTP request the simulator answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    /// 1-based, in arrival order.
    pub seq: u64,
    /// `None` for unknown paths.
    pub endpoint: Option<CnEndpoint>,
    pub method: String,
    pub path: String,
    /// The raw query string, as sent.
    pub query: String,
    /// The raw body text, as sent.
    pub body: String,
    /// The key header as received (test data only).
    pub api_key: Option<String>,
    /// The answer's status; 0 while undecided, or when the client gave up during a
    /// [`ChangeNowSim::set_delay`] delay.
    pub status: u16,
    /// The answer's body (empty while undecided).
    pub response: String,
}

impl RecordedCall {
    /// A decoded query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// A callback for payouts; runs on the thread that caused the payout, outside the
/// simulator's lock (it may call back into the simulator).
pub type PayoutHook = Arc<dyn Fn(&SimPayout) + Send + Sync>;

/// Misuse of the driving API, or a wait that timed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("could not start the ChangeNOW simulator: {0}")]
    Start(String),
    #[error("no exchange {0} in the ChangeNOW simulator")]
    UnknownExchange(String),
    #[error("no exchange has the payin address {0}")]
    UnknownPayinAddress(String),
    #[error("exchange {0} already received its deposit")]
    AlreadyFunded(String),
    #[error("exchange {id} is {status}, expected {wanted}")]
    InvalidState {
        id: String,
        status: String,
        wanted: &'static str,
    },
    #[error("invalid deposit amount {0}")]
    InvalidAmount(String),
    #[error("timed out after {0:?} waiting on the ChangeNOW simulator")]
    Timeout(Duration),
}

/// What every task of one simulator shares.
pub(crate) struct Shared {
    api_key: String,
    /// The state, woken on every call and state change.
    hub: Hub<State>,
    hooks: Mutex<Vec<PayoutHook>>,
}

impl Shared {
    /// Locks the state; a panic in another holder must not cascade into every test.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.hub.state()
    }

    pub(crate) fn touch(&self) {
        self.hub.touch();
    }

    /// Runs the payout hooks, outside every lock.
    pub(crate) fn fire(&self, payouts: &[SimPayout]) {
        if payouts.is_empty() {
            return;
        }
        let hooks = self
            .hooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for payout in payouts {
            tracing::debug!(exchange_id = %payout.exchange_id, amount = %payout.amount, kind = ?payout.kind, "changenow simulator: payout");
            for hook in &hooks {
                hook(payout);
            }
        }
    }

    /// Sleeps for `d`, or less if the simulator stops.
    pub(crate) async fn sleep(&self, d: Duration) {
        self.hub.sleep(d).await;
    }
}

impl Stop for Shared {
    fn stop(&self) {
        self.hub.stop();
    }
}

/// Handle to a running simulator. Cheap to clone; the server stops when the last clone is
/// dropped or on [`ChangeNowSim::shutdown`].
#[derive(Clone)]
pub struct ChangeNowSim {
    shared: Arc<Shared>,
    _stop: Arc<StopOnDrop>,
    addr: SocketAddr,
    base_url: Url,
}

impl std::fmt::Debug for ChangeNowSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeNowSim")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ChangeNowSim {
    /// Binds `config.bind`, spawns the HTTP server and returns the handle. Must be called
    /// inside a tokio runtime.
    pub async fn start(config: CnSimConfig) -> Result<Self, SimError> {
        let bind = config.bind;
        let shared = Arc::new(Shared {
            api_key: config.api_key.clone(),
            hub: Hub::new(State::new(config)),
            hooks: Mutex::new(Vec::new()),
        });
        let addr = harness::serve(
            "ChangeNOW",
            bind,
            server::router(shared.clone()),
            shared.hub.stopped(),
        )
        .await
        .map_err(|e| SimError::Start(format!("{e:#}")))?;
        let base_url = Url::parse(&format!("http://{addr}/v2/"))
            .map_err(|e| SimError::Start(e.to_string()))?;
        Ok(Self {
            _stop: StopOnDrop::new(shared.clone()),
            shared,
            addr,
            base_url,
        })
    }

    /// The API root to give the client: `http://127.0.0.1:<port>/v2/` (the client accepts it
    /// with or without the trailing slash).
    pub fn base_url(&self) -> Url {
        self.base_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// Stops the HTTP server; held answers end at once.
    pub fn shutdown(&self) {
        self.shared.stop();
    }

    pub fn is_stopped(&self) -> bool {
        self.shared.hub.is_stopping()
    }

    fn mutate<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let out = {
            let mut st = self.shared.state();
            st.expire_stale();
            f(&mut st)
        };
        self.shared.touch();
        out
    }

    fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        let mut st = self.shared.state();
        st.expire_stale();
        f(&st)
    }

    // ---- prices and fees --------------------------------------------------------------------

    /// Sets the USD price of an asset, adding it (8 decimals) if it is new. Changing a price
    /// moves the payout of exchanges not yet finished (floating rate).
    pub fn set_price(&self, ticker: &str, network: &str, usd: Decimal) {
        let asset = Asset::new(ticker, network);
        self.mutate(|st| {
            st.assets
                .entry(asset)
                .and_modify(|a| a.usd = usd)
                .or_insert(AssetInfo {
                    usd,
                    network_fee: None,
                    precision: 8,
                });
        });
    }

    pub fn price(&self, ticker: &str, network: &str) -> Option<Decimal> {
        let asset = Asset::new(ticker, network);
        self.read(|st| st.asset(&asset).map(|a| a.usd))
    }

    /// Stops trading an asset: pairs with it answer `pair_is_inactive`.
    pub fn remove_asset(&self, ticker: &str, network: &str) {
        let asset = Asset::new(ticker, network);
        self.mutate(|st| st.assets.remove(&asset));
    }

    /// The fixed fee of payouts in this asset, in this asset (`None`: back to
    /// [`CnSimConfig::network_fee_usd`] worth). Ignored for unknown assets.
    pub fn set_network_fee(&self, ticker: &str, network: &str, fee: Option<Decimal>) {
        let asset = Asset::new(ticker, network);
        self.mutate(|st| {
            if let Some(a) = st.assets.get_mut(&asset) {
                a.network_fee = fee;
            }
        });
    }

    /// The pair's minimum, in `from` (instead of the USD-derived default).
    pub fn set_min_amount(&self, from: &Asset, to: &Asset, amount: Decimal) {
        let key = (
            Asset::new(&from.ticker, &from.network),
            Asset::new(&to.ticker, &to.network),
        );
        self.mutate(|st| st.min_overrides.insert(key, amount));
    }

    /// The pair's current minimum, in `from`.
    pub fn min_amount(&self, from: &Asset, to: &Asset) -> Option<Decimal> {
        self.read(|st| st.min_amount(from, to))
    }

    /// What the fee model pays out now for `amount` of `from` (what an estimate answers).
    pub fn quote(&self, from: &Asset, to: &Asset, amount: Decimal) -> Option<Decimal> {
        self.read(|st| st.convert(from, to, amount))
    }

    pub fn set_spread(&self, spread: Decimal) {
        self.mutate(|st| st.cfg.spread = spread);
    }

    pub fn set_max_amount_usd(&self, usd: Option<Decimal>) {
        self.mutate(|st| st.cfg.max_amount_usd = usd);
    }

    pub fn set_steps_per_poll(&self, steps: u32) {
        self.mutate(|st| st.cfg.steps_per_poll = steps);
    }

    pub fn set_auto_finish(&self, on: bool) {
        self.mutate(|st| st.cfg.auto_finish = on);
    }

    /// TTL of exchanges created from now on.
    pub fn set_exchange_ttl(&self, ttl: Duration) {
        self.mutate(|st| st.cfg.exchange_ttl = ttl);
    }

    // ---- what the chain and ChangeNOW do ------------------------------------------------------

    /// The chain saw `amount` arrive at `payin_address` in `tx_hash`: call this from the chain
    /// simulator's transfer hook. Returns the exchange id.
    ///
    /// - `new`/`waiting`: below the pair minimum → `failed` (ChangeNOW keeps it); otherwise
    ///   `confirming`, `amountFrom` = `amount` whatever was expected (floating rate), and
    ///   later polls (or `auto_finish`) carry it to `finished`, where `amountTo` is computed
    ///   from `amount` at the prices of that moment and the payout is made.
    /// - `expired` (or another closed status): `refunded`; the refund is paid to the refund
    ///   address when there is one.
    /// - A second deposit to the same exchange: [`SimError::AlreadyFunded`].
    pub fn deposit(
        &self,
        payin_address: &str,
        amount: Decimal,
        tx_hash: &str,
    ) -> Result<String, SimError> {
        let (id, payouts) = self.mutate(|st| st.deposit(payin_address, amount, tx_hash))?;
        self.shared.fire(&payouts);
        Ok(id)
    }

    /// One lifecycle step now (as a poll would do); returns the new status. Errors when the
    /// exchange cannot move (waiting for a deposit, final, or held).
    pub fn advance(&self, id: &str) -> Result<ExchangeState, SimError> {
        let (status, payouts) = self.mutate(|st| {
            let i = st
                .index_of(id)
                .ok_or_else(|| SimError::UnknownExchange(id.to_owned()))?;
            match st.step(i) {
                Some((status, payout)) => Ok((status, payout.into_iter().collect::<Vec<_>>())),
                None => Err(SimError::InvalidState {
                    id: id.to_owned(),
                    status: st
                        .exchanges
                        .get(i)
                        .map(|e| e.status.to_string())
                        .unwrap_or_default(),
                    wanted: "a funded exchange in progress (or a new one)",
                }),
            }
        })?;
        self.shared.fire(&payouts);
        Ok(status)
    }

    /// Steps until the exchange holds (`finished` for a funded one); returns the last status.
    pub fn advance_to_final(&self, id: &str) -> Result<ExchangeState, SimError> {
        let (status, payouts) = self.mutate(|st| {
            let i = st
                .index_of(id)
                .ok_or_else(|| SimError::UnknownExchange(id.to_owned()))?;
            let payouts = st.steps(i, u32::MAX);
            let status = st
                .exchanges
                .get(i)
                .map(|e| e.status.clone())
                .ok_or_else(|| SimError::UnknownExchange(id.to_owned()))?;
            Ok::<_, SimError>((status, payouts))
        })?;
        self.shared.fire(&payouts);
        Ok(status)
    }

    /// Expires an unfunded exchange now, as its TTL would.
    pub fn expire(&self, id: &str) -> Result<(), SimError> {
        self.mutate(|st| st.expire(id))
    }

    /// Sets the status verbatim (`"verifying"`, `"failed"`, `"hold"`, …) without moving money.
    /// `verifying` and unknown statuses hold until forced again.
    pub fn force_status(&self, id: &str, status: &str) -> Result<(), SimError> {
        self.mutate(|st| st.force_status(id, status))
    }

    /// Registers a hook called for every payout and refund, after it is recorded.
    pub fn on_payout(&self, hook: PayoutHook) {
        self.shared
            .hooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(hook);
    }

    // ---- faults -------------------------------------------------------------------------------

    /// The next request to `endpoint` (or to any, with [`CnEndpoint::Any`]) gets `fault`
    /// instead, once. Faults queue FIFO and apply before the key check.
    pub fn fail_next(&self, endpoint: CnEndpoint, fault: CnFault) {
        self.mutate(|st| st.faults.push(endpoint, fault));
    }

    /// Delays every answer by `delay` (`Duration::ZERO` removes it).
    pub fn set_delay(&self, delay: Duration) {
        self.mutate(|st| st.delay = delay);
    }

    // ---- looking ------------------------------------------------------------------------------

    pub fn exchanges(&self) -> Vec<SimExchange> {
        self.read(|st| st.exchanges.clone())
    }

    pub fn exchange(&self, id: &str) -> Option<SimExchange> {
        self.read(|st| st.get(id).cloned())
    }

    pub fn exchange_by_payin(&self, payin_address: &str) -> Option<SimExchange> {
        self.read(|st| st.by_payin(payin_address).cloned())
    }

    /// Exchanges created so far.
    pub fn created_count(&self) -> usize {
        self.read(|st| st.exchanges.len())
    }

    /// Every payout and refund, in order.
    pub fn payouts(&self) -> Vec<SimPayout> {
        self.read(|st| st.payouts.clone())
    }

    /// The sum of all payouts and refunds to `address` (`0x` addresses compared without case).
    pub fn received_by(&self, address: &str) -> Decimal {
        let address = address.trim();
        self.read(|st| {
            st.payouts
                .iter()
                .filter(|p| {
                    if p.address.starts_with("0x") {
                        p.address.eq_ignore_ascii_case(address)
                    } else {
                        p.address == address
                    }
                })
                .map(|p| p.amount)
                .sum()
        })
    }

    /// Every HTTP request answered so far.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.read(|st| st.calls.clone())
    }

    /// The requests to one endpoint.
    pub fn calls_to(&self, endpoint: CnEndpoint) -> Vec<RecordedCall> {
        self.read(|st| {
            st.calls
                .iter()
                .filter(|c| endpoint == CnEndpoint::Any || c.endpoint == Some(endpoint))
                .cloned()
                .collect()
        })
    }

    // ---- waiting ------------------------------------------------------------------------------

    /// Re-evaluates `probe` after every call and state change until it returns `Some`, or
    /// fails after `timeout`. Replaces sleeps in tests.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut probe: impl FnMut(&ChangeNowSim) -> Option<T>,
    ) -> Result<T, SimError> {
        // Expiry is time-driven, so look again at least every 50 ms.
        self.shared
            .hub
            .wait_until_rechecking(timeout, Some(Duration::from_millis(50)), || probe(self))
            .await
            .ok_or(SimError::Timeout(timeout))
    }
}
