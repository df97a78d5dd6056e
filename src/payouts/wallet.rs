//! The platform's EVM host wallet: it signs EIP-1559 transfers of the native coin or an ERC-20
//! token and broadcasts them through [`EvmRpc`].
//!
//! Sending is split so that a crash can never cause a double payment (lessons 37–38):
//!
//! 1. [`HostWallet::pending_nonce`] and [`HostWallet::suggest_fees`] read the chain;
//! 2. [`HostWallet::sign_transfer`] is pure: it returns the raw transaction AND its hash, which
//!    the caller persists together with the nonce before anything is broadcast;
//! 3. [`HostWallet::broadcast`] sends it; "already known", or "nonce too low" for a hash the node
//!    knows, count as success;
//! 4. after a crash or an ambiguous error the caller looks the known hash up
//!    ([`HostWallet::tx_state`]) and re-broadcasts the SAME raw bytes, or replaces it with the
//!    SAME nonce and [`bump`]ed fees, never a fresh nonce.
//!
//! The private key lives only inside the alloy signer; it is never printed, and errors about it
//! never quote it.

mod error;
mod fees;
mod transfer;
mod units;

#[cfg(test)]
mod sim_tests;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, hex};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub use crate::providers::evm::{
    BlockTag, CallRequest, EvmRpc, FeeHistory, IERC20, RpcError, RpcReceipt, RpcTransaction,
    TransferLog,
};
pub use error::WalletError;
pub use fees::{
    ERC20_MIN_GAS, ERC20_TRANSFER_GAS, FALLBACK_PRIORITY_FEE, FeePolicy, Fees, NATIVE_TRANSFER_GAS,
    bump,
};
pub use transfer::{SignedTransfer, TxReceipt, TxState};
pub use units::{
    AddressError, AmountError, USDC_ETHEREUM, USDT_ETHEREUM, WalletAsset, from_base_units,
    parse_address, to_base_units, to_base_units_floor,
};

/// The platform's wallet. Cheap to clone.
#[derive(Clone)]
pub struct HostWallet {
    rpc: EvmRpc,
    signer: PrivateKeySigner,
    address: Address,
    chain_id: u64,
    policy: FeePolicy,
}

impl fmt::Debug for HostWallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostWallet")
            .field("address", &self.address)
            .field("chain_id", &self.chain_id)
            .field("rpc", &self.rpc)
            .finish_non_exhaustive()
    }
}

/// 32 bytes of hex, optionally `0x`-prefixed, surrounding whitespace ignored.
fn parse_private_key(key: &SecretString) -> Result<PrivateKeySigner, WalletError> {
    let text = key.expose_secret().trim();
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if digits.len() != 64 {
        return Err(WalletError::InvalidKey);
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(digits, bytes.as_mut_slice()).map_err(|_| WalletError::InvalidKey)?;
    PrivateKeySigner::from_slice(bytes.as_slice()).map_err(|_| WalletError::InvalidKey)
}

impl HostWallet {
    /// Loads the key (`0x` + 64 hex digits) for `chain_id`. Does not touch the network; call
    /// [`HostWallet::verify_chain`] at start-up to check the node agrees on the chain.
    pub fn new(
        rpc: EvmRpc,
        private_key: &SecretString,
        chain_id: u64,
    ) -> Result<Self, WalletError> {
        let signer = parse_private_key(private_key)?;
        Ok(Self {
            rpc,
            address: signer.address(),
            signer,
            chain_id,
            policy: FeePolicy::default(),
        })
    }

    pub fn with_fee_policy(mut self, policy: FeePolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn address(&self) -> Address {
        self.address
    }

    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    pub fn rpc(&self) -> &EvmRpc {
        &self.rpc
    }

    pub fn fee_policy(&self) -> &FeePolicy {
        &self.policy
    }

    /// Fails with [`WalletError::ChainMismatch`] when the node serves another chain.
    pub async fn verify_chain(&self) -> Result<(), WalletError> {
        let node = self.rpc.chain_id().await?;
        if node != self.chain_id {
            return Err(WalletError::ChainMismatch {
                configured: self.chain_id,
                node,
            });
        }
        Ok(())
    }

    /// Native balance in wei.
    pub async fn native_balance(&self) -> Result<U256, WalletError> {
        Ok(self.rpc.get_balance(self.address).await?)
    }

    /// Balance of `asset` in its base units.
    pub async fn balance(&self, asset: &WalletAsset) -> Result<U256, WalletError> {
        match asset {
            WalletAsset::Native { .. } => self.native_balance().await,
            WalletAsset::Erc20 { contract, .. } => {
                Ok(self.rpc.erc20_balance(*contract, self.address).await?)
            }
        }
    }

    /// The next nonce counting the node's mempool: use it for a NEW transfer only when no
    /// transfer of this wallet is in flight in the caller's own records.
    pub async fn pending_nonce(&self) -> Result<u64, WalletError> {
        Ok(self
            .rpc
            .get_transaction_count(self.address, BlockTag::Pending)
            .await?)
    }

    /// The number of this wallet's transactions mined so far.
    pub async fn latest_nonce(&self) -> Result<u64, WalletError> {
        Ok(self
            .rpc
            .get_transaction_count(self.address, BlockTag::Latest)
            .await?)
    }

    /// The tip: `eth_maxPriorityFeePerGas`; if the node lacks it, the median of the last five
    /// blocks' median tips; if that fails too, [`FALLBACK_PRIORITY_FEE`]. Retryable errors are
    /// returned, not papered over.
    async fn suggest_tip(&self) -> Result<u128, WalletError> {
        let tip = match self.rpc.max_priority_fee_per_gas().await {
            Ok(tip) => tip,
            Err(e) if e.is_retryable() => return Err(e.into()),
            Err(_) => match self.rpc.fee_history(5, &[50]).await {
                Ok(h) => {
                    let mut tips: Vec<u128> = h
                        .reward
                        .iter()
                        .filter_map(|row| row.first().copied())
                        .collect();
                    tips.sort_unstable();
                    tips.get(tips.len() / 2)
                        .copied()
                        .unwrap_or(FALLBACK_PRIORITY_FEE)
                }
                Err(e) if e.is_retryable() => return Err(e.into()),
                Err(_) => FALLBACK_PRIORITY_FEE,
            },
        };
        Ok(tip.max(self.policy.min_priority_fee))
    }

    /// Fees from the chain: `max_fee = base_fee × 2 + tip` (latest block's base fee), gas
    /// limit 21 000 for native, [`FeePolicy::erc20_gas_limit`] (100 000) for ERC-20.
    pub async fn suggest_fees(&self, asset: &WalletAsset) -> Result<Fees, WalletError> {
        let gas_limit = match asset {
            WalletAsset::Native { .. } => NATIVE_TRANSFER_GAS,
            WalletAsset::Erc20 { .. } => self.policy.erc20_gas_limit,
        };
        self.fees_with_gas(gas_limit).await
    }

    /// Like [`HostWallet::suggest_fees`], but for ERC-20 the gas limit is `eth_estimateGas` of
    /// this very transfer + 25 %, at least [`ERC20_MIN_GAS`]. An estimate that reverts (e.g.
    /// the token balance is short) is returned as the error.
    pub async fn suggest_fees_for(
        &self,
        asset: &WalletAsset,
        to: Address,
        amount: U256,
    ) -> Result<Fees, WalletError> {
        let gas_limit = match asset {
            WalletAsset::Native { .. } => NATIVE_TRANSFER_GAS,
            WalletAsset::Erc20 { contract, .. } => {
                let data = IERC20::transferCall { to, amount }.abi_encode();
                let estimate = self
                    .rpc
                    .estimate_gas(&CallRequest {
                        from: Some(self.address),
                        to: Some(*contract),
                        value: None,
                        data: Some(data.into()),
                    })
                    .await?;
                estimate.saturating_add(estimate / 4).max(ERC20_MIN_GAS)
            }
        };
        self.fees_with_gas(gas_limit).await
    }

    async fn fees_with_gas(&self, gas_limit: u64) -> Result<Fees, WalletError> {
        let base_fee = self.rpc.latest_base_fee().await?;
        let tip = self.suggest_tip().await?;
        let max_fee = base_fee
            .saturating_mul(self.policy.base_fee_multiplier)
            .saturating_add(tip);
        if let Some(cap) = self.policy.max_fee_cap
            && max_fee > cap
        {
            return Err(WalletError::FeeAboveCap {
                suggested: max_fee,
                cap,
            });
        }
        Ok(Fees {
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            gas_limit,
        })
    }

    /// Fees for replacing a stuck transaction that used `previous`: [`bump`]ed, and at least
    /// what the chain asks now. Not subject to the fee cap (the nonce is already committed).
    pub async fn replacement_fees(
        &self,
        asset: &WalletAsset,
        previous: &Fees,
    ) -> Result<Fees, WalletError> {
        let gas_limit = match asset {
            WalletAsset::Native { .. } => NATIVE_TRANSFER_GAS,
            WalletAsset::Erc20 { .. } => self.policy.erc20_gas_limit,
        };
        let base_fee = self.rpc.latest_base_fee().await?;
        let tip = self.suggest_tip().await?;
        let now = Fees {
            max_fee_per_gas: base_fee
                .saturating_mul(self.policy.base_fee_multiplier)
                .saturating_add(tip),
            max_priority_fee_per_gas: tip,
            gas_limit: gas_limit.min(previous.gas_limit),
        };
        Ok(bump(previous).max(&now))
    }

    /// Checks that the wallet holds `amount` of `asset` plus the worst-case gas cost (native).
    pub async fn check_funds(
        &self,
        asset: &WalletAsset,
        amount: U256,
        fees: &Fees,
    ) -> Result<(), WalletError> {
        let native = self.native_balance().await?;
        let native_need = match asset {
            WalletAsset::Native { .. } => fees.max_gas_cost().saturating_add(amount),
            WalletAsset::Erc20 { .. } => fees.max_gas_cost(),
        };
        if native < native_need {
            let symbol = match asset {
                WalletAsset::Native { symbol, .. } => symbol.clone(),
                WalletAsset::Erc20 { .. } => "native coin for gas".to_owned(),
            };
            return Err(WalletError::InsufficientFunds {
                symbol,
                have: native,
                need: native_need,
            });
        }
        if let WalletAsset::Erc20 {
            symbol, contract, ..
        } = asset
        {
            let have = self.rpc.erc20_balance(*contract, self.address).await?;
            if have < amount {
                return Err(WalletError::InsufficientFunds {
                    symbol: symbol.clone(),
                    have,
                    need: amount,
                });
            }
        }
        Ok(())
    }

    /// Builds and signs an EIP-1559 transfer. PURE: no network. For the native coin the
    /// transaction goes to `to` with `value = amount`; for a token it goes to the contract
    /// with `value = 0` and `transfer(to, amount)` calldata. The returned hash is final.
    pub fn sign_transfer(
        &self,
        asset: &WalletAsset,
        to: Address,
        amount: U256,
        nonce: u64,
        fees: &Fees,
    ) -> Result<SignedTransfer, WalletError> {
        if amount.is_zero() {
            return Err(WalletError::InvalidTransfer("the amount is zero"));
        }
        if to == Address::ZERO {
            return Err(WalletError::InvalidTransfer(
                "the recipient is the zero address",
            ));
        }
        if fees.max_fee_per_gas == 0 {
            return Err(WalletError::InvalidFees("max_fee_per_gas is zero"));
        }
        if fees.max_priority_fee_per_gas > fees.max_fee_per_gas {
            return Err(WalletError::InvalidFees(
                "max_priority_fee_per_gas exceeds max_fee_per_gas",
            ));
        }
        if fees.gas_limit < NATIVE_TRANSFER_GAS {
            return Err(WalletError::InvalidFees("gas_limit is below 21000"));
        }
        let (kind, value, input) = match asset {
            WalletAsset::Native { .. } => (TxKind::Call(to), amount, Bytes::new()),
            WalletAsset::Erc20 { contract, .. } => {
                if to == *contract {
                    return Err(WalletError::InvalidTransfer(
                        "the recipient is the token contract itself",
                    ));
                }
                let data = IERC20::transferCall { to, amount }.abi_encode();
                (TxKind::Call(*contract), U256::ZERO, Bytes::from(data))
            }
        };
        let tx = TxEip1559 {
            chain_id: self.chain_id,
            nonce,
            gas_limit: fees.gas_limit,
            max_fee_per_gas: fees.max_fee_per_gas,
            max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
            to: kind,
            value,
            access_list: Default::default(),
            input,
        };
        let signature = self
            .signer
            .sign_hash_sync(&tx.signature_hash())
            .map_err(|e| WalletError::Signing(e.to_string()))?;
        let signed = tx.into_signed(signature);
        let tx_hash = *signed.hash();
        let envelope = TxEnvelope::from(signed);
        let raw = Bytes::from(envelope.encoded_2718());
        Ok(SignedTransfer {
            raw,
            tx_hash,
            from: self.address,
            chain_id: self.chain_id,
            nonce,
            to,
            asset: asset.clone(),
            amount,
            fees: *fees,
        })
    }

    /// Broadcasts a signed transfer and returns its hash. Success also when the node already
    /// has it ("already known"), or when the nonce is taken ("nonce too low" / "replacement
    /// underpriced") by this very hash. Any other error is returned: then look the hash up
    /// before doing anything else.
    pub async fn broadcast(&self, transfer: &SignedTransfer) -> Result<B256, WalletError> {
        self.send_known(&transfer.raw, transfer.tx_hash, transfer.nonce)
            .await
    }

    /// Re-broadcasts stored raw bytes (e.g. after a restart). The bytes must be a transaction
    /// signed by this wallet for its chain.
    pub async fn broadcast_raw(&self, raw: &[u8]) -> Result<B256, WalletError> {
        use alloy_consensus::Transaction as _;
        use alloy_consensus::transaction::SignerRecoverable as _;
        let mut buf = raw;
        let envelope = TxEnvelope::decode_2718(&mut buf)
            .map_err(|_| WalletError::BadRawTransaction("not an EIP-2718 transaction"))?;
        if !buf.is_empty() {
            return Err(WalletError::BadRawTransaction("trailing bytes"));
        }
        let signer = envelope
            .recover_signer()
            .map_err(|_| WalletError::BadRawTransaction("the signature does not recover"))?;
        if signer != self.address {
            return Err(WalletError::BadRawTransaction("signed by another key"));
        }
        if envelope.chain_id() != Some(self.chain_id) {
            return Err(WalletError::BadRawTransaction("signed for another chain"));
        }
        self.send_known(raw, *envelope.tx_hash(), envelope.nonce())
            .await
    }

    async fn send_known(&self, raw: &[u8], hash: B256, nonce: u64) -> Result<B256, WalletError> {
        match self.rpc.send_raw_transaction(raw).await {
            Ok(got) if got == hash => {
                tracing::info!(tx_hash = %hash, nonce, "evm transfer broadcast");
                Ok(hash)
            }
            Ok(got) => Err(WalletError::HashMismatch {
                expected: hash,
                got,
            }),
            Err(e) if e.is_already_known() => {
                tracing::info!(tx_hash = %hash, nonce, "evm transfer already known to the node");
                Ok(hash)
            }
            Err(e) if e.is_nonce_too_low() || e.is_replacement_underpriced() => {
                // The nonce is taken; by this very transaction if the node knows its hash.
                match self.tx_state(hash).await {
                    Ok(TxState::Mined(_) | TxState::Pending) => {
                        tracing::info!(tx_hash = %hash, nonce, "evm transfer was already sent");
                        Ok(hash)
                    }
                    Ok(TxState::Unknown) | Err(_) => Err(e.into()),
                }
            }
            Err(e) => {
                tracing::warn!(tx_hash = %hash, nonce, error = %e, "evm broadcast failed");
                Err(e.into())
            }
        }
    }

    /// `None` until mined.
    pub async fn receipt(&self, hash: B256) -> Result<Option<TxReceipt>, WalletError> {
        Ok(self
            .rpc
            .get_transaction_receipt(hash)
            .await?
            .map(TxReceipt::from))
    }

    /// Mined (with its receipt), pending in the mempool, or unknown to the node.
    pub async fn tx_state(&self, hash: B256) -> Result<TxState, WalletError> {
        if let Some(r) = self.receipt(hash).await? {
            return Ok(TxState::Mined(r));
        }
        match self.rpc.get_transaction_by_hash(hash).await? {
            Some(tx) if tx.block_number.is_none() => Ok(TxState::Pending),
            // Listed with a block but no receipt yet: a lagging node; ask again later.
            Some(_) => Ok(TxState::Pending),
            None => Ok(TxState::Unknown),
        }
    }

    /// Polls [`HostWallet::receipt`] every `interval` until mined or `timeout`; `Ok(None)` on
    /// timeout. Transient errors while polling are skipped.
    pub async fn wait_for_receipt(
        &self,
        hash: B256,
        timeout: Duration,
        interval: Duration,
    ) -> Result<Option<TxReceipt>, WalletError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match self.receipt(hash).await {
                Ok(Some(r)) => return Ok(Some(r)),
                Ok(None) => {}
                Err(e) if e.is_retryable() => {}
                Err(e) => return Err(e),
            }
            if tokio::time::Instant::now() + interval > deadline {
                return Ok(None);
            }
            tokio::time::sleep(interval).await;
        }
    }
}
