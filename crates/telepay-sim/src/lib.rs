//! Faithful, stateful simulators of the external systems TelePay talks to (Telegram's Bot API,
//! NOWPayments, ChangeNOW and an EVM node), served over real HTTP on 127.0.0.1, for the
//! integration tests and the offline demo.
//!
//! This crate does not depend on `telepay`. Its wire formats, status names, JavaScript number
//! output and IPN signer are written again from the providers' documents
//! (`shared/reference/apis.md`), so a mistake in the product's reading of a provider is not
//! made twice and caught by nothing.

pub mod changenow;
pub mod evm;
pub mod harness;
pub mod js;
pub mod nowpayments;
pub mod telegram;
pub mod world;
