//! The simulated chain: accounts, tokens, the mempool, blocks and receipts; transaction
//! admission with geth's checks and messages, and mining.

use std::collections::{BTreeMap, HashMap};

use alloy_consensus::transaction::SignerRecoverable as _;
use alloy_consensus::{Transaction as _, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, B256, Bytes, Signature, U256, keccak256};
use alloy_sol_types::{SolCall, SolEvent};

use super::abi::IERC20;
use super::{RpcFault, SimAsset, SimTransfer, SimTx, SimTxStatus};
use crate::harness::Faults;

/// Gas a token `transfer` burns on top of the intrinsic gas when it succeeds (a USDT transfer
/// totals ~52k here; real ones use 41k–63k).
pub(crate) const TOKEN_TRANSFER_GAS: u64 = 30_000;
/// Gas a reverted token call burns on top of the intrinsic gas.
pub(crate) const REVERT_GAS: u64 = 3_000;
/// Sender of [`super::EvmSim::credit_token`] deposits unless told otherwise.
pub(crate) const EXTERNAL_SENDER: Address = Address::new([0xee; 20]);

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RpcErr {
    pub code: i64,
    pub message: String,
}

impl RpcErr {
    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// geth's code for transaction-pool and most state errors.
    pub(crate) fn pool(message: impl Into<String>) -> Self {
        Self::new(-32000, message)
    }

    pub(crate) fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(-32602, message)
    }

    pub(crate) fn reverted() -> Self {
        Self::new(3, "execution reverted")
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Account {
    pub balance: U256,
    pub nonce: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub symbol: String,
    pub decimals: u8,
    pub balances: HashMap<Address, U256>,
}

#[derive(Debug, Clone)]
pub(crate) struct Log {
    pub address: Address,
    pub topics: Vec<B256>,
    pub data: Bytes,
    pub log_index: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Receipt {
    pub block_number: u64,
    pub block_hash: B256,
    pub index: u64,
    pub gas_used: u64,
    pub cumulative_gas_used: u64,
    pub effective_gas_price: u128,
    pub success: bool,
    pub logs: Vec<Log>,
}

/// Every transaction the node has seen (accepted ones only), in arrival order.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub hash: B256,
    pub seq: u64,
    pub from: Address,
    pub to: Address,
    pub nonce: u64,
    pub value: U256,
    pub input: Bytes,
    pub gas_limit: u64,
    pub max_fee: u128,
    /// `None` for a legacy or EIP-2930 transaction (pays `max_fee` = gas price).
    pub tip: Option<u128>,
    pub tx_type: u8,
    pub chain_id: Option<u64>,
    /// `None` for synthetic deposits.
    pub signature: Option<Signature>,
    pub status: SimTxStatus,
    pub receipt: Option<Receipt>,
}

impl Entry {
    fn tip_or_price(&self) -> u128 {
        self.tip.unwrap_or(self.max_fee)
    }

    pub(crate) fn effective_gas_price(&self, base_fee: u128) -> u128 {
        match self.tip {
            Some(tip) => self.max_fee.min(base_fee.saturating_add(tip)),
            None => self.max_fee,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub number: u64,
    pub hash: B256,
    pub parent_hash: B256,
    pub base_fee: u128,
    pub timestamp: u64,
    pub gas_used: u64,
    pub txs: Vec<B256>,
}

pub(crate) struct State {
    pub chain_id: u64,
    pub base_fee: u128,
    pub priority_fee: u128,
    pub auto_mine: bool,
    pub block_gas_limit: u64,
    pub accounts: HashMap<Address, Account>,
    pub tokens: HashMap<Address, Token>,
    pub entries: Vec<Entry>,
    pub by_hash: HashMap<B256, usize>,
    /// Pending transactions by (sender, nonce) → index into `entries`.
    pub pool: BTreeMap<(Address, u64), usize>,
    pub blocks: Vec<Block>,
    pub faults: Faults<String, RpcFault>,
    pub calls: Vec<String>,
    pub transfers: Vec<SimTransfer>,
    genesis_time: u64,
}

fn block_hash(chain_id: u64, number: u64) -> B256 {
    let mut seed = b"evm-sim-block".to_vec();
    seed.extend_from_slice(&chain_id.to_be_bytes());
    seed.extend_from_slice(&number.to_be_bytes());
    keccak256(seed)
}

/// 21000 + 4 per zero byte + 16 per non-zero byte of calldata.
pub(crate) fn intrinsic_gas(input: &[u8]) -> u64 {
    input.iter().fold(21_000u64, |acc, b| {
        acc.saturating_add(if *b == 0 { 4 } else { 16 })
    })
}

fn cost(gas_limit: u64, max_fee: u128, value: U256) -> U256 {
    U256::from(gas_limit)
        .saturating_mul(U256::from(max_fee))
        .saturating_add(value)
}

/// `new ≥ old × 1.125`, exactly.
fn bumped_enough(new: u128, old: u128) -> bool {
    U256::from(new).saturating_mul(U256::from(8u8))
        >= U256::from(old).saturating_mul(U256::from(9u8))
}

impl State {
    pub(crate) fn new(
        chain_id: u64,
        base_fee: u128,
        priority_fee: u128,
        auto_mine: bool,
        block_gas_limit: u64,
    ) -> Self {
        let genesis_time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let genesis = Block {
            number: 0,
            hash: block_hash(chain_id, 0),
            parent_hash: B256::ZERO,
            base_fee,
            timestamp: genesis_time,
            gas_used: 0,
            txs: Vec::new(),
        };
        Self {
            chain_id,
            base_fee,
            priority_fee,
            auto_mine,
            block_gas_limit,
            accounts: HashMap::new(),
            tokens: HashMap::new(),
            entries: Vec::new(),
            by_hash: HashMap::new(),
            pool: BTreeMap::new(),
            blocks: vec![genesis],
            faults: Faults::default(),
            calls: Vec::new(),
            transfers: Vec::new(),
            genesis_time,
        }
    }

    pub(crate) fn head(&self) -> &Block {
        // `blocks` starts with genesis and only grows.
        &self.blocks[self.blocks.len() - 1]
    }

    pub(crate) fn head_number(&self) -> u64 {
        self.head().number
    }

    pub(crate) fn balance(&self, addr: &Address) -> U256 {
        self.accounts
            .get(addr)
            .map(|a| a.balance)
            .unwrap_or_default()
    }

    pub(crate) fn nonce(&self, addr: &Address) -> u64 {
        self.accounts.get(addr).map(|a| a.nonce).unwrap_or_default()
    }

    /// The account nonce plus the pending transactions that follow it without a gap.
    pub(crate) fn pending_nonce(&self, addr: &Address) -> u64 {
        let mut n = self.nonce(addr);
        while self.pool.contains_key(&(*addr, n)) {
            n = n.saturating_add(1);
        }
        n
    }

    pub(crate) fn token_balance(&self, contract: &Address, owner: &Address) -> U256 {
        self.tokens
            .get(contract)
            .and_then(|t| t.balances.get(owner).copied())
            .unwrap_or_default()
    }

    pub(crate) fn take_fault(&mut self, method: &str) -> Option<RpcFault> {
        self.faults
            .take(|m| m == method || m == "*" || m.is_empty())
    }

    fn next_seq(&self) -> u64 {
        u64::try_from(self.entries.len()).unwrap_or(u64::MAX)
    }

    /// What a transaction moves: a registered token's `transfer(to, amount)`, or native value.
    pub(crate) fn interpret(
        &self,
        to: Address,
        value: U256,
        input: &[u8],
    ) -> (SimAsset, Address, U256) {
        if let Some(token) = self.tokens.get(&to)
            && let Ok(call) = IERC20::transferCall::abi_decode(input)
        {
            return (
                SimAsset::Token {
                    contract: to,
                    symbol: token.symbol.clone(),
                    decimals: token.decimals,
                },
                call.to,
                call.amount,
            );
        }
        (SimAsset::Native, to, value)
    }

    pub(crate) fn view(&self, e: &Entry) -> SimTx {
        let (asset, recipient, amount) = self.interpret(e.to, e.value, &e.input);
        SimTx {
            hash: e.hash,
            from: e.from,
            to: recipient,
            contract: match asset {
                SimAsset::Token { contract, .. } => Some(contract),
                SimAsset::Native => None,
            },
            nonce: e.nonce,
            asset,
            amount,
            max_fee_per_gas: e.max_fee,
            max_priority_fee_per_gas: e.tip,
            gas_limit: e.gas_limit,
            synthetic: e.signature.is_none(),
            status: e.status.clone(),
        }
    }

    /// `eth_sendRawTransaction`: decode, recover, validate like geth's pool, queue, and mine
    /// at once under auto-mine. Returns the hash and the transfers mined.
    pub(crate) fn submit_raw(&mut self, raw: &[u8]) -> Result<(B256, Vec<SimTransfer>), RpcErr> {
        let mut buf = raw;
        let env =
            TxEnvelope::decode_2718(&mut buf).map_err(|e| RpcErr::pool(format!("rlp: {e}")))?;
        if !buf.is_empty() {
            return Err(RpcErr::pool("rlp: input contains more than one value"));
        }
        let hash = *env.tx_hash();
        if let Some(&i) = self.by_hash.get(&hash)
            && self.entries[i].status == SimTxStatus::Pending
        {
            return Err(RpcErr::pool("already known"));
        }
        let tx_type = match &env {
            TxEnvelope::Legacy(_) => 0u8,
            TxEnvelope::Eip2930(_) => 1,
            TxEnvelope::Eip1559(_) => 2,
            TxEnvelope::Eip4844(_) | TxEnvelope::Eip7702(_) => {
                return Err(RpcErr::pool("transaction type not supported"));
            }
        };
        match env.chain_id() {
            None => {
                return Err(RpcErr::pool(
                    "only replay-protected (EIP-155) transactions allowed over RPC",
                ));
            }
            Some(c) if c != self.chain_id => {
                return Err(RpcErr::pool(format!(
                    "invalid chain id for signer: have {c} want {}",
                    self.chain_id
                )));
            }
            Some(_) => {}
        }
        let from = env
            .recover_signer()
            .map_err(|_| RpcErr::pool("invalid sender"))?;
        let Some(to) = env.to() else {
            return Err(RpcErr::pool(
                "contract creation is not supported by the simulator",
            ));
        };
        let input = env.input().clone();
        let gas_limit = env.gas_limit();
        let intrinsic = intrinsic_gas(&input);
        if gas_limit < intrinsic {
            return Err(RpcErr::pool(format!(
                "intrinsic gas too low: gas {gas_limit}, minimum needed {intrinsic}"
            )));
        }
        if gas_limit > self.block_gas_limit {
            return Err(RpcErr::pool("exceeds block gas limit"));
        }
        let max_fee = env.max_fee_per_gas();
        let tip = env.max_priority_fee_per_gas();
        if tip.is_some_and(|t| t > max_fee) {
            return Err(RpcErr::pool(
                "max priority fee per gas higher than max fee per gas",
            ));
        }
        let nonce = env.nonce();
        let state_nonce = self.nonce(&from);
        if nonce < state_nonce {
            return Err(RpcErr::pool(format!(
                "nonce too low: address {from}, tx: {nonce} state: {state_nonce}"
            )));
        }
        let value = env.value();
        let need = cost(gas_limit, max_fee, value);
        let have = self.balance(&from);
        if have < need {
            return Err(RpcErr::pool(format!(
                "insufficient funds for gas * price + value: address {from} have {have} want {need}"
            )));
        }
        let entry = Entry {
            hash,
            seq: self.next_seq(),
            from,
            to,
            nonce,
            value,
            input,
            gas_limit,
            max_fee,
            tip,
            tx_type,
            chain_id: env.chain_id(),
            signature: Some(*env.signature()),
            status: SimTxStatus::Pending,
            receipt: None,
        };
        if let Some(&old_i) = self.pool.get(&(from, nonce)) {
            let old = &self.entries[old_i];
            if !(bumped_enough(entry.max_fee, old.max_fee)
                && bumped_enough(entry.tip_or_price(), old.tip_or_price()))
            {
                return Err(RpcErr::pool("replacement transaction underpriced"));
            }
            self.entries[old_i].status = SimTxStatus::Dropped;
            self.pool.remove(&(from, nonce));
        }
        let idx = self.entries.len();
        self.entries.push(entry);
        self.by_hash.insert(hash, idx);
        self.pool.insert((from, nonce), idx);
        let events = if self.auto_mine {
            self.mine(false)
        } else {
            Vec::new()
        };
        Ok((hash, events))
    }

    fn can_include(&self, e: &Entry, base_fee: u128, gas_left: u64) -> bool {
        e.nonce == self.nonce(&e.from)
            && e.max_fee >= base_fee
            && self.balance(&e.from) >= cost(e.gas_limit, e.max_fee, e.value)
            && e.gas_limit <= gas_left
    }

    /// Mines one block from the mempool: every executable transaction, in arrival order,
    /// nonce by nonce; gaps, fee caps under the base fee and unpayable ones stay pending.
    /// Without `force` no block is made when nothing is executable.
    pub(crate) fn mine(&mut self, force: bool) -> Vec<SimTransfer> {
        let number = self.head_number().saturating_add(1);
        let hash = block_hash(self.chain_id, number);
        let base_fee = self.base_fee;
        let mut txs = Vec::new();
        let mut gas_used = 0u64;
        let mut events = Vec::new();
        let mut log_index = 0u64;
        loop {
            let mut candidates: Vec<usize> = self.pool.values().copied().collect();
            candidates.sort_by_key(|&i| self.entries[i].seq);
            let mut progress = false;
            for i in candidates {
                let gas_left = self.block_gas_limit.saturating_sub(gas_used);
                if !self.can_include(&self.entries[i], base_fee, gas_left) {
                    continue;
                }
                let tx_index = u64::try_from(txs.len()).unwrap_or(u64::MAX);
                let (receipt, event) =
                    self.execute(i, number, hash, tx_index, gas_used, &mut log_index);
                gas_used = receipt.cumulative_gas_used;
                let e = &mut self.entries[i];
                e.status = SimTxStatus::Mined {
                    success: receipt.success,
                    block_number: number,
                };
                e.receipt = Some(receipt);
                let key = (e.from, e.nonce);
                txs.push(e.hash);
                self.pool.remove(&key);
                events.extend(event);
                progress = true;
            }
            if !progress {
                break;
            }
        }
        if !txs.is_empty() || force {
            self.push_block(number, hash, gas_used, txs);
        }
        self.transfers.extend(events.iter().cloned());
        events
    }

    fn push_block(&mut self, number: u64, hash: B256, gas_used: u64, txs: Vec<B256>) {
        let parent_hash = self.head().hash;
        self.blocks.push(Block {
            number,
            hash,
            parent_hash,
            base_fee: self.base_fee,
            timestamp: self.genesis_time.saturating_add(number.saturating_mul(12)),
            gas_used,
            txs,
        });
    }

    /// Applies transaction `i` (already checked executable) and builds its receipt.
    fn execute(
        &mut self,
        i: usize,
        number: u64,
        block_hash: B256,
        index: u64,
        cumulative_before: u64,
        log_index: &mut u64,
    ) -> (Receipt, Option<SimTransfer>) {
        let e = self.entries[i].clone();
        let effective = e.effective_gas_price(self.base_fee);
        let intrinsic = intrinsic_gas(&e.input);
        let mut logs = Vec::new();
        let mut event = None;
        let (success, gas_used) = if let Some(token) = self.tokens.get_mut(&e.to) {
            let call = IERC20::transferCall::abi_decode(&e.input);
            match call {
                Ok(call) if e.value.is_zero() => {
                    let needed = intrinsic.saturating_add(TOKEN_TRANSFER_GAS);
                    let have = token.balances.get(&e.from).copied().unwrap_or_default();
                    if e.gas_limit < needed {
                        (false, e.gas_limit) // out of gas
                    } else if have < call.amount {
                        (false, intrinsic.saturating_add(REVERT_GAS))
                    } else {
                        token.balances.insert(e.from, have - call.amount);
                        let to_bal = token.balances.get(&call.to).copied().unwrap_or_default();
                        token
                            .balances
                            .insert(call.to, to_bal.saturating_add(call.amount));
                        logs.push(Log {
                            address: e.to,
                            topics: vec![
                                IERC20::Transfer::SIGNATURE_HASH,
                                e.from.into_word(),
                                call.to.into_word(),
                            ],
                            data: Bytes::from(call.amount.to_be_bytes::<32>().to_vec()),
                            log_index: *log_index,
                        });
                        *log_index = log_index.saturating_add(1);
                        event = Some(SimTransfer {
                            tx_hash: e.hash,
                            from: e.from,
                            to: call.to,
                            asset: SimAsset::Token {
                                contract: e.to,
                                symbol: token.symbol.clone(),
                                decimals: token.decimals,
                            },
                            amount: call.amount,
                            block_number: number,
                        });
                        (true, needed)
                    }
                }
                // Value sent to a non-payable token, or an unsupported call: revert.
                _ => (false, intrinsic.saturating_add(REVERT_GAS).min(e.gas_limit)),
            }
        } else {
            if !e.value.is_zero() {
                event = Some(SimTransfer {
                    tx_hash: e.hash,
                    from: e.from,
                    to: e.to,
                    asset: SimAsset::Native,
                    amount: e.value,
                    block_number: number,
                });
            }
            (true, intrinsic)
        };
        let fee = U256::from(gas_used).saturating_mul(U256::from(effective));
        let sender = self.accounts.entry(e.from).or_default();
        sender.nonce = sender.nonce.saturating_add(1);
        sender.balance = sender.balance.saturating_sub(fee);
        if success && !e.value.is_zero() {
            sender.balance = sender.balance.saturating_sub(e.value);
            let recipient = self.accounts.entry(e.to).or_default();
            recipient.balance = recipient.balance.saturating_add(e.value);
        }
        let receipt = Receipt {
            block_number: number,
            block_hash,
            index,
            gas_used,
            cumulative_gas_used: cumulative_before.saturating_add(gas_used),
            effective_gas_price: effective,
            success,
            logs,
        };
        (receipt, event)
    }

    /// An external deposit: a synthetic, already-mined transaction in its own block.
    pub(crate) fn credit(
        &mut self,
        from: Address,
        asset: &SimAsset,
        to: Address,
        amount: U256,
    ) -> SimTransfer {
        let seq = self.next_seq();
        let mut seed = b"evm-sim-credit".to_vec();
        seed.extend_from_slice(&self.chain_id.to_be_bytes());
        seed.extend_from_slice(&seq.to_be_bytes());
        let hash = keccak256(seed);
        let number = self.head_number().saturating_add(1);
        let block = block_hash(self.chain_id, number);
        let sender = self.accounts.entry(from).or_default();
        let nonce = sender.nonce;
        sender.nonce = sender.nonce.saturating_add(1);
        let (tx_to, value, input, gas, logs) = match asset {
            SimAsset::Native => {
                let acct = self.accounts.entry(to).or_default();
                acct.balance = acct.balance.saturating_add(amount);
                (to, amount, Bytes::new(), 21_000, Vec::new())
            }
            SimAsset::Token { contract, .. } => {
                if let Some(token) = self.tokens.get_mut(contract) {
                    let bal = token.balances.get(&to).copied().unwrap_or_default();
                    token.balances.insert(to, bal.saturating_add(amount));
                }
                let input = Bytes::from(IERC20::transferCall { to, amount }.abi_encode());
                let logs = vec![Log {
                    address: *contract,
                    topics: vec![
                        IERC20::Transfer::SIGNATURE_HASH,
                        from.into_word(),
                        to.into_word(),
                    ],
                    data: Bytes::from(amount.to_be_bytes::<32>().to_vec()),
                    log_index: 0,
                }];
                let gas = intrinsic_gas(&input).saturating_add(TOKEN_TRANSFER_GAS);
                (*contract, U256::ZERO, input, gas, logs)
            }
        };
        let max_fee = self.base_fee.saturating_add(self.priority_fee);
        let entry = Entry {
            hash,
            seq,
            from,
            to: tx_to,
            nonce,
            value,
            input,
            gas_limit: gas,
            max_fee,
            tip: Some(self.priority_fee),
            tx_type: 2,
            chain_id: Some(self.chain_id),
            signature: None,
            status: SimTxStatus::Mined {
                success: true,
                block_number: number,
            },
            receipt: Some(Receipt {
                block_number: number,
                block_hash: block,
                index: 0,
                gas_used: gas,
                cumulative_gas_used: gas,
                effective_gas_price: max_fee,
                success: true,
                logs,
            }),
        };
        let idx = self.entries.len();
        self.entries.push(entry);
        self.by_hash.insert(hash, idx);
        self.push_block(number, block, gas, vec![hash]);
        let event = SimTransfer {
            tx_hash: hash,
            from,
            to,
            asset: asset.clone(),
            amount,
            block_number: number,
        };
        self.transfers.push(event.clone());
        event
    }

    /// Removes a pending transaction from the mempool, as a node evicting it would.
    pub(crate) fn evict(&mut self, hash: &B256) -> bool {
        let Some(&i) = self.by_hash.get(hash) else {
            return false;
        };
        if self.entries[i].status != SimTxStatus::Pending {
            return false;
        }
        self.entries[i].status = SimTxStatus::Dropped;
        let key = (self.entries[i].from, self.entries[i].nonce);
        self.pool.remove(&key);
        true
    }

    /// A known transaction that is pending or mined (dropped ones are forgotten, as by a node).
    pub(crate) fn visible(&self, hash: &B256) -> Option<&Entry> {
        let &i = self.by_hash.get(hash)?;
        let e = &self.entries[i];
        (e.status != SimTxStatus::Dropped).then_some(e)
    }
}
