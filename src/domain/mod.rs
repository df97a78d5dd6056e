//! Validated domain types with no I/O: money, ids, time, language, the bot's callback data, the
//! fee split, payment statuses, the jobs the queue carries (and their kind names) and owner
//! notices.

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
pub mod time;
