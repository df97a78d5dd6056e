//! Faithful, stateful simulators of the external systems, served over real HTTP on 127.0.0.1,
//! for the integration tests and the offline demo.

pub mod changenow;
pub mod evm;
pub mod nowpayments;
pub mod telegram;
