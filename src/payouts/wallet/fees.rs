//! EIP-1559 fee settings: what a transfer pays for gas, and the bump of a replacement.

use super::*;

/// Gas for a plain native transfer to an externally owned account.
pub const NATIVE_TRANSFER_GAS: u64 = 21_000;
/// Default gas limit of an ERC-20 `transfer` when it is not estimated (USDT to a fresh holder
/// uses about 63k; the previous implementation used 100k).
pub const ERC20_TRANSFER_GAS: u64 = 100_000;
/// Floor of an estimated ERC-20 gas limit.
pub const ERC20_MIN_GAS: u64 = 65_000;
/// Tip used when the node suggests none (the previous implementation's 2 gwei).
pub const FALLBACK_PRIORITY_FEE: u128 = 2_000_000_000;

/// Fee settings of one EIP-1559 transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fees {
    pub max_fee_per_gas: u128,
    pub max_priority_fee_per_gas: u128,
    pub gas_limit: u64,
}

impl Fees {
    /// The most this transaction can cost in gas: `gas_limit × max_fee_per_gas` wei.
    pub fn max_gas_cost(&self) -> U256 {
        U256::from(self.gas_limit).saturating_mul(U256::from(self.max_fee_per_gas))
    }

    /// Same as [`bump`].
    pub fn bumped(&self) -> Self {
        bump(self)
    }

    /// Field-wise maximum: the fees that satisfy both `self` and `other`.
    pub fn max(&self, other: &Self) -> Self {
        Self {
            max_fee_per_gas: self.max_fee_per_gas.max(other.max_fee_per_gas),
            max_priority_fee_per_gas: self
                .max_priority_fee_per_gas
                .max(other.max_priority_fee_per_gas),
            gas_limit: self.gas_limit.max(other.gas_limit),
        }
    }
}

/// Fees for a same-nonce replacement: both fee fields raised by at least 12.5 % (rounded up,
/// and at least 1 wei), which every common client accepts (geth needs 10 %). The gas limit is
/// kept.
pub fn bump(fees: &Fees) -> Fees {
    fn up(x: u128) -> u128 {
        let step = x.div_ceil(8).max(1);
        x.saturating_add(step)
    }
    let tip = up(fees.max_priority_fee_per_gas);
    Fees {
        max_fee_per_gas: up(fees.max_fee_per_gas).max(tip),
        max_priority_fee_per_gas: tip,
        gas_limit: fees.gas_limit,
    }
}

/// How [`HostWallet::suggest_fees`] turns chain data into fees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeePolicy {
    /// `max_fee = base_fee × this + tip` (2 survives six consecutive full blocks).
    pub base_fee_multiplier: u128,
    /// Tip floor in wei.
    pub min_priority_fee: u128,
    /// Refuse to suggest a `max_fee_per_gas` above this (a gas spike); `None` = no cap.
    pub max_fee_cap: Option<u128>,
    /// ERC-20 gas limit when not estimated.
    pub erc20_gas_limit: u64,
}

impl Default for FeePolicy {
    fn default() -> Self {
        Self {
            base_fee_multiplier: 2,
            min_priority_fee: 0,
            max_fee_cap: None,
            erc20_gas_limit: ERC20_TRANSFER_GAS,
        }
    }
}
