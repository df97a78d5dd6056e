//! Assets, amounts and addresses: the conversions between human amounts (`Decimal`) and base
//! units (`U256`), and address parsing. Money is never a float here.

use std::str::FromStr;

use alloy_primitives::{Address, U256, address};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Tether USD on Ethereum mainnet (6 decimals). Its `transfer` returns nothing instead of a
/// `bool`, so success is read from the receipt status and the `Transfer` log, never from a
/// return value.
pub const USDT_ETHEREUM: Address = address!("dac17f958d2ee523a2206206994597c13d831ec7");
/// USD Coin on Ethereum mainnet (6 decimals).
pub const USDC_ETHEREUM: Address = address!("a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48");

/// What the host wallet can send: the chain's native coin or an ERC-20 token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WalletAsset {
    Native {
        symbol: String,
        decimals: u8,
    },
    Erc20 {
        symbol: String,
        contract: Address,
        decimals: u8,
    },
}

impl WalletAsset {
    /// Ether: native, 18 decimals.
    pub fn eth() -> Self {
        Self::Native {
            symbol: "ETH".to_owned(),
            decimals: 18,
        }
    }

    /// An ERC-20 token.
    pub fn erc20(symbol: &str, contract: Address, decimals: u8) -> Self {
        Self::Erc20 {
            symbol: symbol.to_owned(),
            contract,
            decimals,
        }
    }

    /// USDT on Ethereum mainnet.
    pub fn usdt_ethereum() -> Self {
        Self::erc20("USDT", USDT_ETHEREUM, 6)
    }

    pub fn symbol(&self) -> &str {
        match self {
            Self::Native { symbol, .. } | Self::Erc20 { symbol, .. } => symbol,
        }
    }

    pub fn decimals(&self) -> u8 {
        match self {
            Self::Native { decimals, .. } | Self::Erc20 { decimals, .. } => *decimals,
        }
    }

    /// The token contract; `None` for the native coin.
    pub fn contract(&self) -> Option<Address> {
        match self {
            Self::Native { .. } => None,
            Self::Erc20 { contract, .. } => Some(*contract),
        }
    }

    pub fn is_native(&self) -> bool {
        matches!(self, Self::Native { .. })
    }

    /// [`to_base_units`] with this asset's decimals (strict: refuses extra digits).
    pub fn to_base_units(&self, amount: Decimal) -> Result<U256, AmountError> {
        to_base_units(amount, self.decimals())
    }

    /// [`from_base_units`] with this asset's decimals.
    pub fn from_base_units(&self, amount: U256) -> Result<Decimal, AmountError> {
        from_base_units(amount, self.decimals())
    }
}

/// A human amount that has no exact base-unit value, or the reverse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount {amount} is negative")]
    Negative { amount: Decimal },
    #[error("amount {amount} has more than {decimals} decimal places")]
    TooPrecise { amount: Decimal, decimals: u8 },
    #[error("amount does not fit the target type")]
    Overflow,
    #[error("{decimals} decimals cannot be represented exactly as a Decimal (28 at most)")]
    Unrepresentable { decimals: u8 },
}

fn pow10(exp: u32) -> Result<U256, AmountError> {
    U256::from(10u8)
        .checked_pow(U256::from(exp))
        .ok_or(AmountError::Overflow)
}

/// Human amount → base units, EXACTLY. An amount with more fractional digits than the asset
/// has (after dropping trailing zeros) is refused with [`AmountError::TooPrecise`] rather than
/// rounded; use [`to_base_units_floor`] where rounding down is intended. Negative amounts are
/// refused.
pub fn to_base_units(amount: Decimal, decimals: u8) -> Result<U256, AmountError> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(AmountError::Negative { amount });
    }
    let normal = amount.normalize();
    let scale = normal.scale();
    let decimals_u32 = u32::from(decimals);
    if scale > decimals_u32 {
        return Err(AmountError::TooPrecise { amount, decimals });
    }
    let mantissa = U256::from(normal.mantissa().unsigned_abs());
    mantissa
        .checked_mul(pow10(decimals_u32 - scale)?)
        .ok_or(AmountError::Overflow)
}

/// Human amount → base units, rounding DOWN (toward zero) to the asset's decimals. Never
/// rounds up, so the result never exceeds the amount asked. Negative amounts are refused.
pub fn to_base_units_floor(amount: Decimal, decimals: u8) -> Result<U256, AmountError> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(AmountError::Negative { amount });
    }
    let truncated = if u32::from(decimals) < amount.scale() {
        amount.round_dp_with_strategy(u32::from(decimals), RoundingStrategy::ToZero)
    } else {
        amount
    };
    to_base_units(truncated, decimals)
}

/// Base units → human amount, exactly (trailing zeros dropped). Fails only when the value does
/// not fit a `Decimal` (about 7.9e28 significant units) or needs more than 28 fractional digits.
pub fn from_base_units(amount: U256, decimals: u8) -> Result<Decimal, AmountError> {
    let ten = U256::from(10u8);
    let mut value = amount;
    let mut scale = u32::from(decimals);
    if value.is_zero() {
        return Ok(Decimal::ZERO);
    }
    while scale > 0 && (value % ten).is_zero() {
        value /= ten;
        scale -= 1;
    }
    if scale > 28 {
        return Err(AmountError::Unrepresentable { decimals });
    }
    let small = u128::try_from(value).map_err(|_| AmountError::Overflow)?;
    let small = i128::try_from(small).map_err(|_| AmountError::Overflow)?;
    Decimal::try_from_i128_with_scale(small, scale)
        .map(|d| d.normalize())
        .map_err(|_| AmountError::Overflow)
}

/// Why a string is not an EVM address. The input itself is never echoed: a pasted private key
/// must not end up in a log line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid EVM address: {reason}")]
pub struct AddressError {
    pub reason: &'static str,
}

/// Parses `0x` + 40 hex digits (surrounding whitespace ignored). All-lowercase and
/// all-uppercase hex are accepted as is; mixed case must carry a valid EIP-55 checksum.
pub fn parse_address(input: &str) -> Result<Address, AddressError> {
    let s = input.trim();
    let Some(hex) = s.strip_prefix("0x") else {
        return Err(AddressError {
            reason: "must start with 0x",
        });
    };
    if hex.len() != 40 {
        return Err(AddressError {
            reason: "must have 40 hex digits after 0x",
        });
    }
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AddressError {
            reason: "contains a character that is not hex",
        });
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        Address::parse_checksummed(s, None).map_err(|_| AddressError {
            reason: "mixed-case address with a wrong EIP-55 checksum",
        })
    } else {
        Address::from_str(s).map_err(|_| AddressError {
            reason: "not a valid address",
        })
    }
}
