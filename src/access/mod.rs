//! Access to channels: invite links after a payment, join-request decisions.

pub mod broadcast;
pub mod expiry;
pub mod grace;
pub mod grant;
pub mod join_requests;
pub mod telegram_errors;
pub mod trial;
