//! The simulated world wired like the real one: a transfer mined on the EVM chain to an
//! exchange's deposit address is the deposit ChangeNOW sees, and ChangeNOW's payouts of a token
//! that lives on that chain arrive there. The tests, `telepay demo` and `telepay sandbox` all
//! start their simulators through this, so the wiring is written once.

use std::str::FromStr;
use std::sync::Arc;

use alloy_primitives::{Address, U256};
use rust_decimal::Decimal;

use crate::changenow::{ChangeNowSim, SimPayout};
use crate::evm::{EvmSim, SimAsset, SimTransfer};

/// The token ChangeNOW pays out onto the simulated chain (USDT on BSC in the product's seed).
#[derive(Debug, Clone)]
pub struct ChainToken {
    pub contract: Address,
    pub symbol: String,
    pub decimals: u8,
    /// ChangeNOW's ticker and network for it (`usdt`, `bsc`).
    pub ticker: String,
    pub network: String,
}

/// Wires `cn` and `evm` together (see the module text).
pub fn link_exchange_and_chain(cn: &ChangeNowSim, evm: &EvmSim, token: &ChainToken) {
    let cn_hook = cn.clone();
    evm.on_transfer(Arc::new(move |t: &SimTransfer| {
        let to = t.to.to_string();
        if cn_hook.exchange_by_payin(&to).is_none() {
            return;
        }
        let decimals = match &t.asset {
            SimAsset::Native => 18,
            SimAsset::Token { decimals, .. } => *decimals,
        };
        if let Some(amount) = units_to_decimal(t.amount, decimals) {
            let _ = cn_hook.deposit(&to, amount, &t.tx_hash.to_string());
        }
    }));
    let evm_hook = evm.clone();
    let token = token.clone();
    cn.on_payout(Arc::new(move |p: &SimPayout| {
        if p.to_ticker == token.ticker
            && p.to_network == token.network
            && let Ok(addr) = Address::from_str(&p.address)
            && let Some(units) = decimal_to_units_floor(p.amount, token.decimals)
        {
            let _ = evm_hook.credit_token(token.contract, addr, units);
        }
    }));
}

/// Base units as a decimal amount (`1500000` with 6 decimals is `1.5`); `None` when it does not
/// fit a `Decimal` (28 significant digits).
pub fn units_to_decimal(units: U256, decimals: u8) -> Option<Decimal> {
    let whole = i128::try_from(units).ok()?;
    let mut d = Decimal::try_from_i128_with_scale(whole, 0).ok()?;
    d.set_scale(u32::from(decimals)).ok()?;
    Some(d.normalize())
}

/// A decimal amount in base units, rounded down; `None` for a negative or oversized amount.
pub fn decimal_to_units_floor(amount: Decimal, decimals: u8) -> Option<U256> {
    if amount.is_sign_negative() {
        return None;
    }
    let scaled = amount.checked_mul(Decimal::from(10u64.checked_pow(u32::from(decimals))?))?;
    let whole = scaled.trunc().mantissa();
    u128::try_from(whole).ok().map(U256::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn units_and_decimals_round_trip() {
        assert_eq!(
            units_to_decimal(U256::from(1_500_000u64), 6),
            Some(dec!(1.5))
        );
        assert_eq!(
            decimal_to_units_floor(dec!(1.5), 6),
            Some(U256::from(1_500_000u64))
        );
        assert_eq!(
            decimal_to_units_floor(dec!(0.0000019), 6),
            Some(U256::from(1u64))
        );
        assert_eq!(decimal_to_units_floor(dec!(-1), 6), None);
        assert_eq!(
            decimal_to_units_floor(dec!(2), 18),
            Some(U256::from(2_000_000_000_000_000_000u128))
        );
    }
}
