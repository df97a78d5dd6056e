//! Clients of the outside world: NOWPayments, ChangeNOW and an EVM node, on one HTTP core.
//!
//! A low layer: it may use `domain` and `config` only, never the store, the rules
//! (`payments`, `payouts`) or the front doors.

pub mod changenow;
pub mod evm;
pub mod http;
pub mod json_number;
pub mod nowpayments;
