//! The housekeeping timer: forgets stale conversations and old finished jobs without keys.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;

use super::scheduler::Timer;
use crate::domain::time::SharedClock;
use crate::store::Db;

pub const NAME: &str = "housekeeping";
const LOCK_KEY: i64 = 0x7465_6c65_0001;
const KEEP: Duration = Duration::from_secs(30 * 24 * 3600);

pub fn timer(db: Db, clock: SharedClock) -> Timer {
    Timer {
        name: NAME,
        lock_key: LOCK_KEY,
        every: Duration::from_secs(3600),
        tick: Arc::new(move || {
            let db = db.clone();
            let clock = clock.clone();
            async move {
                let before = clock.now().saturating_sub(KEEP);
                let dialogues = db.purge_dialogues(before).await?;
                let jobs = db.purge_finished_jobs(before).await?;
                tracing::info!(dialogues, jobs, "housekeeping removed stale rows");
                Ok(())
            }
            .boxed()
        }),
    }
}
