//! Paying channel owners out (SPEC §5–§6): fees and valuation, instant payouts, threshold
//! accumulation, USDT conversion, batch payouts, and the EVM host wallet (the ChangeNOW and EVM node clients are in `providers`).

pub mod assets;
pub mod audit;
pub mod balance_gauges;
pub mod batch;
pub mod convert;
pub mod send;
pub mod transfers;
pub mod valuation;
pub mod wallet;
