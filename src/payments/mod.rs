//! Payment intake from NOWPayments: checkout, the intake transaction and its checks (the
//! client and the IPN signature are in `providers::nowpayments`).

pub mod checkout;
pub mod checks;
pub mod followups;
pub mod intake;
pub mod progress;
pub mod reconcile;
pub mod review;
pub mod stars;
