//! NOWPayments (reference/apis.md §A): the API client, its wire types and errors, and the IPN
//! signature.
//!
//! The IPN signature lives here rather than in `payments/` because it is NOWPayments' wire
//! protocol (how their JavaScript signer canonicalises a body), not a rule of ours: the intake
//! only asks "is this body signed by NOWPayments?".

pub mod client;
pub mod error;
pub mod ipn;
pub mod wire;

#[cfg(test)]
mod tests;

pub use crate::providers::http::RetryPolicy;
pub use client::{CONNECT_TIMEOUT, DEFAULT_RETRY, NowPaymentsClient, REQUEST_TIMEOUT};
pub use error::NpError;
pub use wire::{CreateInvoice, NpInvoice, NpPayment, PaymentStatus, strict_uri};
