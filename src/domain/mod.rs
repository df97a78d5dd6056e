//! Validated domain types with no I/O: money, ids, time, language, the bot's callback data, the
//! fee split, the names of job kinds and the stored lifecycle states.

pub mod address;
pub mod callbacks;
pub mod deeplink;
pub mod fees;
pub mod ids;
pub mod job_kinds;
pub mod lang;
pub mod money;
pub mod states;
pub mod time;
