//! A stateful, in-process simulator of an Ethereum JSON-RPC node (geth-like), for the host
//! wallet's tests and the offline demo.
//!
//! It serves JSON-RPC 2.0 over real HTTP on `127.0.0.1:<random>` (`POST` on any path, single
//! or batch). `eth_sendRawTransaction` really decodes the signed transaction with alloy,
//! recovers the sender and applies geth's pool rules and error messages: chain id, `nonce too
//! low`, `already known` (for a copy of a PENDING transaction; re-sending one already mined
//! gets `nonce too low`, as from geth), `replacement transaction underpriced` (a same-nonce replacement
//! needs both fees ≥ 12.5 % higher), `insufficient funds for gas * price + value`, nonce gaps
//! held until filled, and fee caps under the base fee left pending. Registered ERC-20 tokens
//! answer `balanceOf`/`decimals`/`symbol` and execute `transfer`: a transfer over the balance
//! is mined with status 0, as on a real chain.
//!
//! With `auto_mine` each accepted transaction is mined at once into a new block; without it,
//! transactions wait in the mempool (a "stuck" transaction) until [`EvmSim::mine`]. Tests fund
//! accounts, register tokens, inject faults ([`EvmSim::fail_next`]) and inspect what the chain
//! did; [`EvmSim::on_transfer`] lets another simulator (ChangeNOW) observe every mined
//! transfer.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use telepay_sim::evm::{EvmSim, EvmSimConfig};
//! use alloy_primitives::{Address, U256};
//! let sim = EvmSim::start(EvmSimConfig::default()).await?;
//! sim.fund_native(Address::repeat_byte(1), U256::from(10u64).pow(U256::from(18u8)));
//! // … the code under test talks JSON-RPC to `sim.url()` …
//! # Ok(()) }
//! ```

mod abi;
mod methods;
mod server;
mod state;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use alloy_primitives::{Address, B256, U256};
use url::Url;

use crate::harness::{self, Hub, Stop, StopOnDrop};
use state::{EXTERNAL_SENDER, State, Token};

/// Settings of one simulator instance. `Default` is ready to use.
#[derive(Debug, Clone)]
pub struct EvmSimConfig {
    /// Address to listen on; `127.0.0.1:0` picks a free port.
    pub bind: SocketAddr,
    /// Anvil's 31337 by default, so nothing signed for the simulator is valid on mainnet.
    pub chain_id: u64,
    /// Base fee of every block, in wei (changed with [`EvmSim::set_base_fee`]).
    pub base_fee: u128,
    /// What `eth_maxPriorityFeePerGas` and the fee history's rewards answer.
    pub priority_fee: u128,
    /// Mine each accepted transaction at once.
    pub auto_mine: bool,
    pub block_gas_limit: u64,
    /// How long a [`RpcFault::Timeout`] (or [`RpcFault::AcceptThenTimeout`]) holds the answer;
    /// make it longer than the client's timeout.
    pub timeout_fault_delay: Duration,
}

impl Default for EvmSimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            chain_id: 31_337,
            base_fee: 20_000_000_000,
            priority_fee: 1_000_000_000,
            auto_mine: true,
            block_gas_limit: 30_000_000,
            timeout_fault_delay: Duration::from_secs(5),
        }
    }
}

/// What a transfer moved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SimAsset {
    Native,
    Token {
        contract: Address,
        symbol: String,
        decimals: u8,
    },
}

/// A mined, successful value transfer (native value or an ERC-20 `transfer`), or an external
/// deposit made with [`EvmSim::credit_token`] / [`EvmSim::credit_native`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimTransfer {
    pub tx_hash: B256,
    pub from: Address,
    /// The payee (for a token, the token recipient).
    pub to: Address,
    pub asset: SimAsset,
    /// Base units.
    pub amount: U256,
    pub block_number: u64,
}

/// Where a transaction is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimTxStatus {
    /// In the mempool (possibly stuck: nonce gap, fee cap under the base fee, no auto-mine).
    Pending,
    /// In a block; `success` is the receipt status.
    Mined { success: bool, block_number: u64 },
    /// Replaced by a same-nonce transaction, or evicted: it will never get a receipt.
    Dropped,
}

/// A transaction the node accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimTx {
    pub hash: B256,
    pub from: Address,
    /// The payee (for a token transfer, the token recipient; otherwise the transaction's `to`).
    pub to: Address,
    /// The token contract for a token transfer.
    pub contract: Option<Address>,
    pub nonce: u64,
    pub asset: SimAsset,
    /// Base units.
    pub amount: U256,
    pub max_fee_per_gas: u128,
    /// `None` for legacy transactions.
    pub max_priority_fee_per_gas: Option<u128>,
    pub gas_limit: u64,
    /// Made by `credit_*`, not signed by anyone.
    pub synthetic: bool,
    pub status: SimTxStatus,
}

/// An injected failure, consumed by the next call of the method it was set for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RpcFault {
    /// Answer this HTTP status with a text body; the request is not processed.
    HttpStatus(u16),
    /// Answer this JSON-RPC error object (HTTP 200); the request is not processed.
    RpcError { code: i64, message: String },
    /// Hold the answer for `timeout_fault_delay`, then 504; the request is not processed.
    Timeout,
    /// Process the request (a raw transaction IS accepted, and mined under auto-mine), then
    /// answer HTTP 502: "the node got it but we lost the answer".
    AcceptThenFail,
    /// Process the request, then hold the answer for `timeout_fault_delay`.
    AcceptThenTimeout,
}

/// Misuse of the driving API, or a wait that timed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvmSimError {
    #[error("token {0} is not registered in the EVM simulator")]
    UnknownToken(Address),
    #[error("timed out after {0:?} waiting on the EVM simulator")]
    Timeout(Duration),
}

/// Called after each mined transfer.
pub type TransferHook = Arc<dyn Fn(&SimTransfer) + Send + Sync>;

pub(crate) struct Shared {
    pub(crate) config: EvmSimConfig,
    /// The chain, woken on every call and state change.
    hub: Hub<State>,
    hooks: Mutex<Vec<TransferHook>>,
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.hub.state()
    }

    pub(crate) fn touch(&self) {
        self.hub.touch();
    }

    /// Runs the transfer hooks; never with the state lock held (a hook may call back in).
    pub(crate) fn fire(&self, events: &[SimTransfer]) {
        if events.is_empty() {
            return;
        }
        let hooks: Vec<TransferHook> = self
            .hooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for event in events {
            for hook in &hooks {
                hook(event);
            }
        }
        self.touch();
    }
}

impl Stop for Shared {
    fn stop(&self) {
        self.hub.stop();
    }
}

/// Handle to a running simulator. Cheap to clone; the server stops when the last clone is
/// dropped or on [`EvmSim::shutdown`].
#[derive(Clone)]
pub struct EvmSim {
    shared: Arc<Shared>,
    _stop: Arc<StopOnDrop>,
    addr: SocketAddr,
    url: Url,
}

impl std::fmt::Debug for EvmSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvmSim")
            .field("addr", &self.addr)
            .field("chain_id", &self.shared.config.chain_id)
            .finish_non_exhaustive()
    }
}

impl EvmSim {
    /// Binds `config.bind`, spawns the HTTP server and returns the handle. Must be called
    /// inside a tokio runtime.
    pub async fn start(config: EvmSimConfig) -> std::io::Result<Self> {
        let bind = config.bind;
        let state = State::new(
            config.chain_id,
            config.base_fee,
            config.priority_fee,
            config.auto_mine,
            config.block_gas_limit,
        );
        let shared = Arc::new(Shared {
            config,
            hub: Hub::new(state),
            hooks: Mutex::new(Vec::new()),
        });
        let addr = harness::serve(
            "EVM",
            bind,
            server::router(shared.clone()),
            shared.hub.stopped(),
        )
        .await
        .map_err(std::io::Error::other)?;
        let url = Url::parse(&format!("http://{addr}/"))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        Ok(Self {
            _stop: StopOnDrop::new(shared.clone()),
            shared,
            addr,
            url,
        })
    }

    /// `http://127.0.0.1:<port>/`; any path works too (e.g. `/v2/<fake-key>`).
    pub fn url(&self) -> Url {
        self.url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn chain_id(&self) -> u64 {
        self.shared.config.chain_id
    }

    pub fn config(&self) -> &EvmSimConfig {
        &self.shared.config
    }

    /// Stops the HTTP server.
    pub fn shutdown(&self) {
        self.shared.stop();
    }

    pub fn is_stopped(&self) -> bool {
        self.shared.hub.is_stopping()
    }

    fn mutate<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let out = f(&mut self.shared.state());
        self.shared.touch();
        out
    }

    fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.shared.state())
    }

    // ---- the world outside the wallet ------------------------------------------------------

    /// Adds `wei` to the account's native balance (silently, like a genesis allocation).
    pub fn fund_native(&self, addr: Address, wei: U256) {
        self.mutate(|st| {
            let acct = st.accounts.entry(addr).or_default();
            acct.balance = acct.balance.saturating_add(wei);
        });
    }

    /// Deploys (or renames) an ERC-20 token at `contract`; balances are kept on re-register.
    pub fn register_token(&self, contract: Address, symbol: &str, decimals: u8) {
        self.mutate(|st| {
            let token = st.tokens.entry(contract).or_insert_with(|| Token {
                symbol: symbol.to_owned(),
                decimals,
                balances: Default::default(),
            });
            token.symbol = symbol.to_owned();
            token.decimals = decimals;
        });
    }

    /// Adds `amount` base units to `addr`'s token balance (silently: no transaction, no hook).
    pub fn mint_token(
        &self,
        contract: Address,
        addr: Address,
        amount: U256,
    ) -> Result<(), EvmSimError> {
        self.mutate(|st| {
            let token = st
                .tokens
                .get_mut(&contract)
                .ok_or(EvmSimError::UnknownToken(contract))?;
            let bal = token.balances.entry(addr).or_default();
            *bal = bal.saturating_add(amount);
            Ok(())
        })
    }

    /// An external deposit of `amount` token base units to `to` (e.g. an exchange paying USDT
    /// into the host wallet): a synthetic mined transaction in a new block, with a receipt
    /// and `Transfer` log; the transfer hooks fire. Returns the synthetic hash.
    pub fn credit_token(
        &self,
        contract: Address,
        to: Address,
        amount: U256,
    ) -> Result<B256, EvmSimError> {
        self.credit_token_from(contract, EXTERNAL_SENDER, to, amount)
    }

    /// [`EvmSim::credit_token`] from a chosen sender (whose balance is not checked).
    pub fn credit_token_from(
        &self,
        contract: Address,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<B256, EvmSimError> {
        let event = self.mutate(|st| {
            let token = st
                .tokens
                .get(&contract)
                .ok_or(EvmSimError::UnknownToken(contract))?;
            let asset = SimAsset::Token {
                contract,
                symbol: token.symbol.clone(),
                decimals: token.decimals,
            };
            Ok(st.credit(from, &asset, to, amount))
        })?;
        self.shared.fire(std::slice::from_ref(&event));
        Ok(event.tx_hash)
    }

    /// An external native deposit, like [`EvmSim::credit_token`].
    pub fn credit_native(&self, to: Address, wei: U256) -> B256 {
        let event = self.mutate(|st| st.credit(EXTERNAL_SENDER, &SimAsset::Native, to, wei));
        self.shared.fire(std::slice::from_ref(&event));
        event.tx_hash
    }

    /// Registers an observer of every mined transfer (native value or ERC-20 `transfer`,
    /// status 1) and every `credit_*` deposit. It runs on the simulator's task, outside its
    /// lock, before the RPC client hears back; it must not block (spawn for async work).
    pub fn on_transfer(&self, hook: TransferHook) {
        self.shared
            .hooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(hook);
    }

    // ---- mining and fees -------------------------------------------------------------------

    /// Mines one block with every executable mempool transaction (an empty block if none)
    /// and returns its number.
    pub fn mine(&self) -> u64 {
        let (events, number) = self.mutate(|st| {
            let events = st.mine(true);
            (events, st.head_number())
        });
        self.shared.fire(&events);
        number
    }

    pub fn set_auto_mine(&self, on: bool) {
        self.mutate(|st| st.auto_mine = on);
    }

    /// Sets the base fee of the latest block and the blocks to come. Transactions whose fee
    /// cap is below it stay pending.
    pub fn set_base_fee(&self, wei: u128) {
        self.mutate(|st| {
            st.base_fee = wei;
            if let Some(head) = st.blocks.last_mut() {
                head.base_fee = wei;
            }
        });
    }

    pub fn set_priority_fee(&self, wei: u128) {
        self.mutate(|st| st.priority_fee = wei);
    }

    /// Drops a pending transaction from the mempool, as a node evicting it would. `false` if
    /// it is not pending.
    pub fn evict(&self, hash: B256) -> bool {
        self.mutate(|st| st.evict(&hash))
    }

    // ---- faults ----------------------------------------------------------------------------

    /// The next call of `method` (`"*"` or `""`: any method) gets `fault` instead of its normal
    /// answer, once. Faults queue FIFO.
    pub fn fail_next(&self, method: &str, fault: RpcFault) {
        self.mutate(|st| st.faults.push(method.to_owned(), fault));
    }

    // ---- looking ---------------------------------------------------------------------------

    pub fn native_balance(&self, addr: Address) -> U256 {
        self.read(|st| st.balance(&addr))
    }

    pub fn token_balance(&self, contract: Address, addr: Address) -> U256 {
        self.read(|st| st.token_balance(&contract, &addr))
    }

    /// The account's mined nonce.
    pub fn nonce(&self, addr: Address) -> u64 {
        self.read(|st| st.nonce(&addr))
    }

    pub fn block_number(&self) -> u64 {
        self.read(State::head_number)
    }

    pub fn base_fee(&self) -> u128 {
        self.read(|st| st.base_fee)
    }

    /// Every accepted transaction, in arrival order.
    pub fn transactions(&self) -> Vec<SimTx> {
        self.read(|st| st.entries.iter().map(|e| st.view(e)).collect())
    }

    pub fn transaction(&self, hash: B256) -> Option<SimTx> {
        self.read(|st| {
            st.by_hash
                .get(&hash)
                .and_then(|&i| st.entries.get(i))
                .map(|e| st.view(e))
        })
    }

    /// Transactions in the mempool.
    pub fn pending(&self) -> Vec<SimTx> {
        self.read(|st| {
            st.entries
                .iter()
                .filter(|e| e.status == SimTxStatus::Pending)
                .map(|e| st.view(e))
                .collect()
        })
    }

    /// How many signed transactions from `from` the node accepted (pending, mined or
    /// dropped).
    pub fn sent_count(&self, from: Address) -> usize {
        self.read(|st| {
            st.entries
                .iter()
                .filter(|e| e.from == from && e.signature.is_some())
                .count()
        })
    }

    /// How many transactions from `from` were mined (successful or reverted).
    pub fn mined_count(&self, from: Address) -> usize {
        self.read(|st| {
            st.entries
                .iter()
                .filter(|e| e.from == from && matches!(e.status, SimTxStatus::Mined { .. }))
                .count()
        })
    }

    /// Every transfer the hooks were (or would have been) called with, in order.
    pub fn transfers(&self) -> Vec<SimTransfer> {
        self.read(|st| st.transfers.clone())
    }

    /// JSON-RPC method names received, in order (batch members each count).
    pub fn calls(&self) -> Vec<String> {
        self.read(|st| st.calls.clone())
    }

    /// How many times `method` was called.
    pub fn call_count(&self, method: &str) -> usize {
        self.read(|st| st.calls.iter().filter(|m| *m == method).count())
    }

    // ---- waiting ---------------------------------------------------------------------------

    /// Re-evaluates `probe` after every call and state change until it returns `Some`, or
    /// fails after `timeout`. Replaces sleeps in tests.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut probe: impl FnMut(&EvmSim) -> Option<T>,
    ) -> Result<T, EvmSimError> {
        self.shared
            .hub
            .wait_until(timeout, || probe(self))
            .await
            .ok_or(EvmSimError::Timeout(timeout))
    }
}
