//! Validated domain types with no I/O: money, ids, time, language.

pub mod address;
pub mod deeplink;
pub mod ids;
pub mod lang;
pub mod money;
pub mod time;
