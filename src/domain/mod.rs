//! Validated domain types with no I/O: money, ids, time, language, the bot's callback data, the
//! fee split, payment statuses, the jobs the queue carries (and their kind names), owner
//! notices and the stored lifecycle states.

pub mod address;
pub mod callbacks;
pub mod deeplink;
pub mod fees;
pub mod ids;
pub mod job;
pub mod job_kinds;
pub mod lang;
pub mod money;
pub mod notice;
pub mod payment_status;
pub mod promo;
pub mod states;
pub mod time;
