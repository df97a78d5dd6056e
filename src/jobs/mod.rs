//! Background work: the job runner (durable queue) and the scheduler (interval timers).

pub mod backoff;
pub mod housekeeping;
pub mod runner;
pub mod scheduler;

pub use backoff::RetryPolicy;
pub use runner::{JobError, JobHandler, JobRunner, RunReport, decode};
pub use scheduler::{Scheduler, TickOutcome, Timer};
