//! Paying channel owners out (SPEC §5–§6): fees and valuation, instant payouts, threshold
//! accumulation, USDT conversion, batch payouts, the ChangeNOW client and the EVM host wallet.

pub mod assets;
pub mod audit;
pub mod batch;
pub mod changenow;
pub mod convert;
pub mod send;
pub mod valuation;
pub mod wallet;
