//! The job runner and the scheduler against a real database, with a controlled clock.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::json;
use telepay::domain::job::Job;
use telepay::domain::job_kinds;
use telepay::domain::time::{Clock, ManualClock, UnixMillis};
use telepay::jobs::{
    JobError, JobHandler, JobRunner, RetryPolicy, RunReport, Scheduler, TickOutcome, Timer,
};
use telepay::store::Db;
use telepay::store::jobs::{ClaimedJob, NewJob};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::on_both_backends;
use crate::support::app::{WAIT, spawn_app};
use crate::support::db::{Backend, TestDb};
use crate::support::wait::eventually;

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

/// The kind the scripted handlers are registered for in these tests.
const KIND: &str = job_kinds::VALUE_PAYMENT;

/// A job of [`KIND`]; the scripted handlers never read its fields.
fn a_job() -> Job {
    Job::ValuePayment { payment_id: 1 }
}

/// A job of a kind no runner of these tests handles.
fn unhandled_job() -> Job {
    Job::PayoutStep { payout_id: 1 }
}

async fn enqueue(db: &Db, clock: &ManualClock, job: Job, key: &str) {
    let now = clock.now();
    assert!(
        db.enqueue(
            &NewJob {
                job,
                unique_key: Some(key.into()),
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
    let r = runner(&db, &clock, KIND, h.clone());
    enqueue(&db, &clock, a_job(), "k1").await;

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
    let r = runner(&db, &clock, KIND, h.clone());
    enqueue(&db, &clock, a_job(), "k1").await;
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
    let r = runner(&db, &clock, KIND, h.clone());
    enqueue(&db, &clock, a_job(), "k1").await;
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
    let r = runner(&db, &clock, KIND, Scripted::new(vec![]));
    enqueue(&db, &clock, unhandled_job(), "m1").await;
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

/// A handler that reads its job as the product's handlers do.
struct Decoding;

impl JobHandler for Decoding {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let Job::ValuePayment { .. } = telepay::jobs::decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            Ok(())
        }
        .boxed()
    }
}

/// A payload that does not fit its kind (a broken producer, a hand-edited row) and a job given
/// to a handler of another kind fail at once, for an admin to see; a good job beside them runs.
async fn payloads_that_do_not_fit_fail_without_retries(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let mut r = JobRunner::new(
        db.clone(),
        Arc::new(clock.clone()),
        POLICY,
        Duration::from_secs(300),
        Arc::new(Notify::new()),
    );
    r.register(KIND, Arc::new(Decoding));
    r.register(job_kinds::PAYOUT_STEP, Arc::new(Decoding));
    let now = clock.now().as_millis();
    sqlx::query(
        "INSERT INTO jobs (id, kind, unique_key, payload, state, attempts, run_at, give_up_at, created_at, updated_at) \
         VALUES (1, $1, 'bad', $2, 'pending', 0, $3, $4, $3, $3)",
    )
    .bind(KIND)
    .bind(json!({ "payment_id": "12" }).to_string())
    .bind(now)
    .bind(now + 86_400_000)
    .execute(db.pool())
    .await
    .unwrap();
    enqueue(&db, &clock, a_job(), "good").await;
    enqueue(&db, &clock, unhandled_job(), "other").await;

    let report = r.run_until_idle().await.unwrap();
    assert_eq!((report.done, report.failed, report.retried), (1, 2, 0));
    let mut errors: Vec<(String, i64)> = db
        .failed_jobs(10)
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.last_error.unwrap(), j.attempts))
        .collect();
    errors.sort();
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0].0.starts_with("a payout_step job reached"),
        "{errors:?}"
    );
    assert!(errors[1].0.starts_with("bad payload: "), "{errors:?}");
    assert!(errors.iter().all(|(_, attempts)| *attempts == 1));
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

/// The lease of the runners below: the default of `JOB_LEASE`.
const LEASE: Duration = Duration::from_secs(30);

/// A handler that says when its run started, then waits until the test lets it finish.
struct Gated {
    started: Notify,
    release: Notify,
    finished: AtomicU32,
}

impl Gated {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            started: Notify::new(),
            release: Notify::new(),
            finished: AtomicU32::new(0),
        })
    }

    async fn wait_started(&self) {
        tokio::time::timeout(WAIT, self.started.notified())
            .await
            .expect("the job started in time");
    }
}

impl JobHandler for Gated {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            self.started.notify_one();
            self.release.notified().await;
            self.finished.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        .boxed()
    }
}

/// A runner whose heartbeat beats every `heartbeat` of real time
/// (the clock only moves when the test says so).
fn gated_runner(
    db: &Db,
    clock: &ManualClock,
    kind: &str,
    h: Arc<Gated>,
    lease: Duration,
    heartbeat: Duration,
) -> Arc<JobRunner> {
    let mut r = JobRunner::new(
        db.clone(),
        Arc::new(clock.clone()),
        POLICY,
        lease,
        Arc::new(Notify::new()),
    );
    r.register(kind, h);
    r.set_heartbeat(heartbeat);
    Arc::new(r)
}

/// Runs one pass of `r` in the background, as a worker does.
fn spawn_pass(r: &Arc<JobRunner>) -> tokio::task::JoinHandle<anyhow::Result<RunReport>> {
    let r = r.clone();
    tokio::spawn(async move { r.run_once(&CancellationToken::new()).await })
}

/// (state, attempts, leased_by, lease_until) of the job with this unique key.
async fn lease_of(db: &Db, key: &str) -> (String, i64, Option<String>, Option<i64>) {
    use sqlx::Row;
    let row = sqlx::query(
        "SELECT state, attempts, leased_by, lease_until FROM jobs WHERE unique_key = $1",
    )
    .bind(key)
    .fetch_one(db.pool())
    .await
    .unwrap();
    (row.get(0), row.get(1), row.get(2), row.get(3))
}

/// Polls the database until `pred` holds for the lease of the job with key `s1`.
async fn wait_for_lease(
    db: &Db,
    what: &str,
    mut pred: impl FnMut(&(String, i64, Option<String>, Option<i64>)) -> bool,
) {
    eventually(what, async || {
        let l = lease_of(db, "s1").await;
        if pred(&l) { Ok(()) } else { Err(l) }
    })
    .await;
}

/// A job that runs far longer than its lease keeps it: the heartbeat renews it, and another
/// worker looking for work all that time never takes it over.
async fn a_heartbeat_keeps_a_long_job_leased(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let gate = Gated::new();
    let worker = gated_runner(
        &db,
        &clock,
        KIND,
        gate.clone(),
        LEASE,
        Duration::from_millis(20),
    );
    let other = runner(&db, &clock, KIND, Scripted::new(vec![]));
    enqueue(&db, &clock, a_job(), "s1").await;
    let pass = spawn_pass(&worker);
    gate.wait_started().await;
    for _ in 0..6 {
        clock.advance(Duration::from_secs(20));
        let renewed = clock.now().saturating_add(LEASE).as_millis();
        wait_for_lease(&db, "the heartbeat renews the lease", |l| {
            l.3 == Some(renewed)
        })
        .await;
        assert_eq!(
            other
                .run_once(&CancellationToken::new())
                .await
                .unwrap()
                .claimed,
            0,
            "a job whose worker is alive is not taken over"
        );
    }
    // Two minutes on the clock, four leases: still the first worker's, and its outcome counts.
    gate.release.notify_one();
    let report = pass.await.unwrap().unwrap();
    assert_eq!((report.done, report.lost), (1, 0));
    let (state, attempts, leased_by, _) = lease_of(&db, "s1").await;
    assert_eq!((state.as_str(), attempts, leased_by), ("done", 1, None));
}

/// When the heartbeat finds the lease gone (the worker was cut off from the database longer
/// than the lease and another worker took the job over), the run stops where it is and
/// records nothing: the job is the other worker's now.
async fn a_lost_lease_stops_the_run_and_records_nothing(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let gate = Gated::new();
    let worker = gated_runner(
        &db,
        &clock,
        KIND,
        gate.clone(),
        LEASE,
        Duration::from_millis(20),
    );
    enqueue(&db, &clock, a_job(), "s1").await;
    let pass = spawn_pass(&worker);
    gate.wait_started().await;
    // Another worker's claim of the job after the lease ran out, in one statement so that the
    // first worker's own heartbeat cannot renew the lease in between.
    clock.advance(LEASE + Duration::from_secs(1));
    let until = clock.now().saturating_add(LEASE).as_millis();
    sqlx::query(
        "UPDATE jobs SET leased_by = 'other/1', attempts = attempts + 1, lease_until = $1 \
         WHERE state = 'running'",
    )
    .bind(until)
    .execute(db.pool())
    .await
    .unwrap();
    let report = tokio::time::timeout(WAIT, pass)
        .await
        .expect("the run stops once its lease is lost")
        .unwrap()
        .unwrap();
    assert_eq!((report.done, report.lost), (0, 1));
    assert_eq!(
        gate.finished.load(Ordering::SeqCst),
        0,
        "the run was stopped"
    );
    let (state, attempts, leased_by, lease_until) = lease_of(&db, "s1").await;
    assert_eq!(
        (state.as_str(), attempts, leased_by.as_deref(), lease_until),
        ("running", 2, Some("other/1"), Some(until)),
        "the other worker's lease is untouched"
    );
}

/// A run that ends after its lease ran out and the job was taken over records nothing either
/// (the outcome is a compare-and-set on the lease), and is counted as lost, not done.
async fn an_outcome_after_a_takeover_is_not_recorded(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let clock = ManualClock::starting_now();
    let gate = Gated::new();
    // No heartbeat within this test: the lease simply runs out under the running job.
    let worker = gated_runner(
        &db,
        &clock,
        KIND,
        gate.clone(),
        LEASE,
        Duration::from_secs(3600),
    );
    enqueue(&db, &clock, a_job(), "s1").await;
    let pass = spawn_pass(&worker);
    gate.wait_started().await;
    clock.advance(LEASE + Duration::from_secs(1));
    let taken = db
        .claim_jobs(clock.now(), LEASE, 1, "other/1")
        .await
        .unwrap();
    assert_eq!(taken.len(), 1, "an expired lease is claimable");
    gate.release.notify_one();
    let report = pass.await.unwrap().unwrap();
    assert_eq!((report.done, report.lost), (0, 1));
    let (state, _, leased_by, _) = lease_of(&db, "s1").await;
    assert_eq!(
        (state.as_str(), leased_by.as_deref()),
        ("running", Some("other/1"))
    );
    assert!(db.complete_job(&taken[0], clock.now()).await.unwrap());
}

/// The process dies in the middle of a job (here: an owner notice). After the restart the work
/// is done within seconds on the clock, not after a long fixed lease: on SQLite, the only
/// process, the new one hands the job back at start-up; on PostgreSQL, where the holder might
/// be a live replica, the new process waits only for the short lease to run out.
async fn a_job_running_at_a_crash_is_done_seconds_after_the_restart(backend: Backend) {
    const OWNER: i64 = 4242;
    const KEY: &str = "notify:crash-test";
    let Some(mut app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    let now = app.clock.now();
    let c = crate::support::fixtures::channel(
        &app.ctx.db,
        OWNER,
        -100_4242,
        telepay::store::channels::PayoutStrategy::Instant,
        now,
    )
    .await;
    app.stop_process().await;

    // The process that dies: its runner claims the notice and is killed while sending it.
    let db = Db::connect(&app.database()).await.unwrap();
    telepay::store::outbox::enqueue_now(
        &db,
        c.id,
        telepay::store::outbox::Notice::RightsRestored,
        "crash-test",
        now,
    )
    .await
    .unwrap();
    let gate = Gated::new();
    let lease = app.ctx.config.jobs.lease;
    let dying = gated_runner(
        &db,
        &app.clock,
        job_kinds::NOTIFY_OWNER,
        gate.clone(),
        lease,
        lease / 3,
    );
    let pass = spawn_pass(&dying);
    gate.wait_started().await;
    pass.abort();
    assert!(pass.await.unwrap_err().is_cancelled());
    let (state, _, leased_by, _) = lease_of(&db, KEY).await;
    assert_eq!(state, "running");
    assert!(leased_by.unwrap().starts_with(dying.worker_id()));
    db.close().await;

    app.start_process().await;
    if backend == Backend::Postgres {
        // Maybe a live replica's: not taken before its lease runs out...
        assert_eq!(app.runner.run_until_idle().await.unwrap().claimed, 0);
        assert_eq!(lease_of(&app.ctx.db, KEY).await.0, "running");
        // ...which is one short lease after the crash, not five minutes.
        app.clock.advance(LEASE + Duration::from_secs(1));
        app.run_jobs_once().await;
    }
    app.reply_containing(OWNER, "sales are on again").await;
    // The background runner sent it; wait until its outcome is recorded too.
    app.run_jobs_once().await;
    assert_eq!(app.count_containing(OWNER, "sales are on again"), 1);
    let (state, attempts, _, _) = lease_of(&app.ctx.db, KEY).await;
    assert_eq!(state, "done");
    // On SQLite the crashed run is known to have died and is not counted.
    let expected = if backend == Backend::Sqlite { 1 } else { 2 };
    assert_eq!(attempts, expected);
    assert_eq!(gate.finished.load(Ordering::SeqCst), 0);
}

on_both_backends!(
    a_heartbeat_keeps_a_long_job_leased,
    a_lost_lease_stops_the_run_and_records_nothing,
    an_outcome_after_a_takeover_is_not_recorded,
    a_job_running_at_a_crash_is_done_seconds_after_the_restart,
    retryable_errors_back_off_then_succeed,
    lesson_57_terminal_errors_are_not_retried,
    retries_stop_at_the_give_up_time,
    unknown_kinds_fail_for_an_admin_to_see,
    payloads_that_do_not_fit_fail_without_retries,
    the_scheduler_ticks_once_per_interval,
    the_app_runs_housekeeping_from_its_timers,
);
