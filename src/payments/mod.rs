//! Payment intake from NOWPayments: the client, the IPN signature, checkout and the intake
//! transaction.

pub mod checkout;
pub mod checks;
pub mod followups;
pub mod intake;
pub mod ipn;
pub mod nowpayments;
pub mod progress;
pub mod reconcile;
