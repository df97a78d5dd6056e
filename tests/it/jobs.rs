//! The job runner and the scheduler against a real database, with a controlled clock.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::json;
use telepay::domain::time::{Clock, ManualClock, UnixMillis};
use telepay::jobs::{JobError, JobHandler, JobRunner, RetryPolicy, Scheduler, TickOutcome, Timer};
use telepay::store::Db;
use telepay::store::jobs::{ClaimedJob, NewJob};
use tokio::sync::Notify;

use crate::on_both_backends;
use crate::support::app::spawn_app;
use crate::support::db::{Backend, TestDb};

const POLICY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(60),
    cap: Duration::from_secs(3600),
    give_up_after: Duration::from_secs(86_400),
};

/// What a scripted handler does on each run.
#[derive(Clone, Copy)]
enum Script {
    Ok,
    FailRetryable,
    FailTerminal,
    Panic,
}

struct Scripted {
    script: Mutex<Vec<Script>>,
    runs: AtomicU32,
}

impl Scripted {
    fn new(script: Vec<Script>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(script),
            runs: AtomicU32::new(0),
        })
    }
}

impl JobHandler for Scripted {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            self.runs.fetch_add(1, Ordering::SeqCst);
            let step = {
                let mut s = self.script.lock().unwrap();
                if s.is_empty() {
                    Script::Ok
                } else {
                    s.remove(0)
                }
            };
            match step {
                Script::Ok => Ok(()),
                Script::FailRetryable => Err(JobError::retryable(anyhow::anyhow!("timeout"))),
                Script::FailTerminal => Err(JobError::terminal(anyhow::anyhow!("400 bad address"))),
                Script::Panic => panic!("handler bug"),
            }
        }
        .boxed()
    }
}

fn runner(db: &Db, clock: &ManualClock, kind: &str, h: Arc<Scripted>) -> JobRunner {
    let mut r = JobRunner::new(
        db.clone(),
        Arc::new(clock.clone()),
        POLICY,
        Duration::from_secs(300),
        Arc::new(Notify::new()),
    );
    r.register(kind, h);
    r
}

async fn enqueue(db: &Db, clock: &ManualClock, kind: &str, key: &str) {
    let now = clock.now();
    assert!(
        db.enqueue(
            &NewJob {
                kind: kind.into(),
                unique_key: Some(key.into()),
                payload: json!({}),
                run_at: now,
                give_up_at: now.saturating_add(POLICY.give_up_after),
            },
            now,
        )
        .await
        .unwrap()
    );
}

async fn job_state(db: &Db) -> (String, i64, Option<String>, UnixMillis) {
    let row = sqlx::query("SELECT state, attempts, last_error, run_at FROM jobs")
        .fetch_one(db.pool())
        .await
        .unwrap();
    use sqlx::Row;
    (
        row.get(0),
        row.get(1),
        row.get(2),
        UnixMillis::from_millis(row.get(3)),
    )
}

async fn retryable_errors_back_off_then_succeed(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let h = Scripted::new(vec![Script::FailRetryable, Script::Panic, Script::Ok]);
    let r = runner(&db, &clock, "k", h.clone());
    enqueue(&db, &clock, "k", "k1").await;

    let rep = r.run_until_idle().await.unwrap();
    assert_eq!((rep.claimed, rep.retried), (1, 1));
    let (state, attempts, err, run_at) = job_state(&db).await;
    assert_eq!((state.as_str(), attempts), ("pending", 1));
    assert_eq!(err.as_deref(), Some("timeout"));
    let wait = run_at.since(clock.now());
    assert!(
        wait >= Duration::from_secs(30) && wait <= Duration::from_secs(60),
        "{wait:?}"
    );
    // Not due yet: nothing runs.
    assert_eq!(r.run_until_idle().await.unwrap().claimed, 0);

    // The second run panics: caught, counted as retryable, backoff doubles.
    clock.advance(Duration::from_secs(60));
    assert_eq!(r.run_until_idle().await.unwrap().retried, 1);
    let (_, attempts, err, run_at) = job_state(&db).await;
    assert_eq!(attempts, 2);
    assert!(err.unwrap().contains("panicked"));
    let wait = run_at.since(clock.now());
    assert!(
        wait >= Duration::from_secs(60) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );

    clock.advance(Duration::from_secs(120));
    assert_eq!(r.run_until_idle().await.unwrap().done, 1);
    assert_eq!(job_state(&db).await.0, "done");
    assert_eq!(h.runs.load(Ordering::SeqCst), 3);
}

/// Lesson 57: a permanent failure is never retried.
async fn lesson_57_terminal_errors_are_not_retried(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let h = Scripted::new(vec![Script::FailTerminal]);
    let r = runner(&db, &clock, "k", h.clone());
    enqueue(&db, &clock, "k", "k1").await;
    assert_eq!(r.run_until_idle().await.unwrap().failed, 1);
    clock.advance(Duration::from_secs(86_400));
    assert_eq!(r.run_until_idle().await.unwrap().claimed, 0);
    assert_eq!(h.runs.load(Ordering::SeqCst), 1);
    let failed = db.failed_jobs(10).await.unwrap();
    assert_eq!(failed[0].last_error.as_deref(), Some("400 bad address"));
}

async fn retries_stop_at_the_give_up_time(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let h = Scripted::new(vec![Script::FailRetryable; 1000]);
    let r = runner(&db, &clock, "k", h.clone());
    enqueue(&db, &clock, "k", "k1").await;
    let mut runs = 0;
    for _ in 0..200 {
        runs += r.run_until_idle().await.unwrap().claimed;
        clock.advance(Duration::from_secs(3600));
        if job_state(&db).await.0 == "failed" {
            break;
        }
    }
    let (state, attempts, err, _) = job_state(&db).await;
    assert_eq!(state, "failed");
    assert!(err.unwrap().starts_with("gave up after"));
    // 24 h with the delay capped at 1 h: roughly 24–40 attempts, never unbounded.
    assert!((20..=45).contains(&attempts), "{attempts} attempts");
    assert_eq!(usize::try_from(attempts).unwrap(), runs);
}

async fn unknown_kinds_fail_for_an_admin_to_see(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let r = runner(&db, &clock, "known", Scripted::new(vec![]));
    enqueue(&db, &clock, "mystery", "m1").await;
    assert_eq!(r.run_until_idle().await.unwrap().failed, 1);
    let failed = db.failed_jobs(10).await.unwrap();
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("no handler")
    );
}

async fn the_scheduler_ticks_once_per_interval(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let ticks = Arc::new(AtomicU32::new(0));
    let fail_next = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut s = Scheduler::new(db.clone(), Arc::new(clock.clone()));
    let (t2, f2) = (ticks.clone(), fail_next.clone());
    s.add(Timer {
        name: "test",
        lock_key: 99,
        every: Duration::from_secs(300),
        tick: Arc::new(move || {
            let t = t2.clone();
            let f = f2.clone();
            async move {
                if f.swap(false, Ordering::SeqCst) {
                    anyhow::bail!("db hiccup");
                }
                t.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            .boxed()
        }),
    });
    assert_eq!(s.run_due().await.unwrap(), vec![("test", TickOutcome::Ran)]);
    assert_eq!(
        s.run_due().await.unwrap(),
        vec![("test", TickOutcome::NotDue)]
    );
    clock.advance(Duration::from_secs(299));
    assert_eq!(
        s.run_due().await.unwrap(),
        vec![("test", TickOutcome::NotDue)]
    );
    clock.advance(Duration::from_secs(1));
    fail_next.store(true, Ordering::SeqCst);
    assert_eq!(
        s.run_due().await.unwrap(),
        vec![("test", TickOutcome::Failed)]
    );
    // A failed tick is tried again at the next check, not an interval later.
    assert_eq!(s.run_due().await.unwrap(), vec![("test", TickOutcome::Ran)]);
    assert_eq!(ticks.load(Ordering::SeqCst), 2);
    assert_eq!(s.run_now("test").await.unwrap(), TickOutcome::Ran);
    assert!(s.run_now("nope").await.is_err());
}

async fn the_app_runs_housekeeping_from_its_timers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let old = app.clock.now();
    app.ctx.db.put_dialogue(1, "{}", old).await.unwrap();
    app.clock.advance(Duration::from_secs(31 * 24 * 3600));
    app.ctx
        .db
        .put_dialogue(2, "{}", app.clock.now())
        .await
        .unwrap();
    app.run_jobs_once().await;
    assert_eq!(app.ctx.db.get_dialogue(1).await.unwrap(), None);
    assert!(app.ctx.db.get_dialogue(2).await.unwrap().is_some());
}

on_both_backends!(
    retryable_errors_back_off_then_succeed,
    lesson_57_terminal_errors_are_not_retried,
    retries_stop_at_the_give_up_time,
    unknown_kinds_fail_for_an_admin_to_see,
    the_scheduler_ticks_once_per_interval,
    the_app_runs_housekeeping_from_its_timers,
);
