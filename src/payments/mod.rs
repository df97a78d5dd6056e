//! Payment intake from NOWPayments: the IPN signature, and (next) the client and the intake
//! transaction.

pub mod ipn;
