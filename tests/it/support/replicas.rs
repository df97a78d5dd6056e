//! Several replicas of the real application on one PostgreSQL database, as a deployment with
//! more than one process runs them: one set of simulators, one clock, Telegram in webhook mode,
//! and a round-robin forwarder standing in for the load balancer in front of the replicas.
//! Every webhook POST (Telegram updates, NOWPayments IPNs) that reaches the public address goes
//! to the next replica in turn.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use telepay::config::RawSettings;
use telepay::domain::time::ManualClock;
use telepay::jobs::{JobRunner, RunReport, Scheduler, TickOutcome};
use telepay::services::Ctx;
use telepay_sim::changenow::ChangeNowSim;
use telepay_sim::evm::EvmSim;
use telepay_sim::nowpayments::NowPaymentsSim;
use telepay_sim::telegram::{Injected, NewUser, SimMessage, TelegramSim};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::app::{
    CN_API_KEY, EVM_CHAIN_ID, WAIT, WEBHOOK_SECRET, launch, start_sims, test_settings,
};
use super::db::{Backend, TestDb};
use super::wait::{eventually, eventually_within};

/// One request the forwarder passed on: to which replica, which path, and the answer.
#[derive(Debug, Clone)]
pub struct Hit {
    pub replica: usize,
    pub path: String,
    pub status: u16,
}

struct FwdState {
    targets: Vec<SocketAddr>,
    /// The next target per path: each endpoint alternates over the replicas on its own.
    next: Mutex<HashMap<String, usize>>,
    hits: Mutex<Vec<Hit>>,
    http: reqwest::Client,
}

/// A load balancer for tests: each request goes to the next target in turn (per path, so
/// Telegram updates and IPNs each alternate), method, path, headers (the webhook secret, the
/// IPN signature) and body unchanged.
pub struct Forwarder {
    pub addr: SocketAddr,
    state: Arc<FwdState>,
    task: JoinHandle<()>,
}

impl Forwarder {
    pub async fn start(targets: Vec<SocketAddr>) -> Forwarder {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a port");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(FwdState {
            targets,
            next: Mutex::new(HashMap::new()),
            hits: Mutex::new(Vec::new()),
            http: reqwest::Client::new(),
        });
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Forwarder { addr, state, task }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().expect("hits").clone()
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(State(s): State<Arc<FwdState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let replica = {
        let mut next = s.next.lock().expect("next");
        let n = next.entry(parts.uri.path().to_owned()).or_default();
        let replica = *n % s.targets.len();
        *n += 1;
        replica
    };
    let Ok(body) = axum::body::to_bytes(body, 4 << 20).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut out = s.http.request(
        parts.method.clone(),
        format!("http://{}{path}", s.targets[replica]),
    );
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            out = out.header(name, value);
        }
    }
    let answer = out.body(body).send().await;
    let (status, body) = match answer {
        Ok(r) => {
            let status = r.status();
            (status, r.bytes().await.unwrap_or_default())
        }
        Err(_) => (StatusCode::BAD_GATEWAY, Default::default()),
    };
    s.hits.lock().expect("hits").push(Hit {
        replica,
        path,
        status: status.as_u16(),
    });
    (status, body).into_response()
}

/// One running process of the application.
pub struct Replica {
    pub ctx: Ctx,
    pub runner: Arc<JobRunner>,
    pub scheduler: Scheduler,
    pub addr: SocketAddr,
    cancel: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Replicas of the application behind one public address, on one database, simulators and
/// clock.
pub struct Cluster {
    pub tg: TelegramSim,
    pub np: NowPaymentsSim,
    pub cn: ChangeNowSim,
    pub evm: EvmSim,
    pub clock: ManualClock,
    pub replicas: Vec<Replica>,
    pub forwarder: Forwarder,
    pub http: reqwest::Client,
    _db: TestDb,
}

/// `n` replicas on a fresh PostgreSQL database (started at the same time, as a deployment
/// would), Telegram in webhook mode through the forwarder. None when no PostgreSQL server is
/// configured (the test skips; REQUIRE_POSTGRES=1 fails instead).
pub async fn spawn_replicas(n: usize, adjust: impl FnOnce(&mut RawSettings)) -> Option<Cluster> {
    if std::env::var("TEST_LOG").is_ok() {
        telepay::telemetry::init_logging(telepay::config::LogFormat::Pretty);
    }
    let db = TestDb::new(Backend::Postgres).await?;
    let (tg, np, cn, evm) = start_sims().await;
    let mut listeners = Vec::new();
    for _ in 0..n {
        listeners.push(TcpListener::bind("127.0.0.1:0").await.expect("bind a port"));
    }
    let addrs: Vec<SocketAddr> = listeners
        .iter()
        .map(|l| l.local_addr().expect("local addr"))
        .collect();
    let forwarder = Forwarder::start(addrs.clone()).await;
    let mut raw = test_settings(&tg, &db, &format!("http://{}", forwarder.addr));
    raw.nowpayments_api_url = Some(np.api_url().to_string());
    raw.changenow_api_url = Some(cn.base_url().to_string());
    raw.changenow_api_key = Some(CN_API_KEY.into());
    raw.evm_rpc_url = Some(evm.url().to_string());
    raw.evm_chain_id = Some(EVM_CHAIN_ID.to_string());
    raw.telegram_mode = Some("webhook".into());
    raw.telegram_webhook_secret = Some(WEBHOOK_SECRET.into());
    adjust(&mut raw);
    let clock = ManualClock::starting_now();
    let launched =
        futures::future::join_all(listeners.into_iter().map(|l| launch(&raw, &clock, l))).await;
    let replicas = launched
        .into_iter()
        .zip(addrs)
        .map(|(((ctx, runner, scheduler), cancel, task), addr)| Replica {
            ctx,
            runner,
            scheduler,
            addr,
            cancel,
            task: Some(task),
        })
        .collect();
    Some(Cluster {
        tg,
        np,
        cn,
        evm,
        clock,
        replicas,
        forwarder,
        http: reqwest::Client::new(),
        _db: db,
    })
}

/// What one round of timer ticks did on each replica: (replica, timer, outcome).
pub type TickRound = Vec<(usize, &'static str, TickOutcome)>;

/// In which order the replicas tick their timers in one round.
#[derive(Debug, Clone, Copy)]
pub enum TickOrder {
    /// Every replica at the same time.
    Together,
    /// One after the other, starting with this replica.
    From(usize),
}

impl Cluster {
    /// The shared database (any replica's pool: they are one database).
    pub fn db(&self) -> &telepay::store::Db {
        &self.replicas[0].ctx.db
    }

    pub fn user(&self, id: i64, first_name: &str) -> i64 {
        self.tg
            .add_user(NewUser::new(id, first_name).started().language("en"))
    }

    pub fn send_text(&self, user: i64, text: &str) -> Injected {
        self.tg
            .send_text(user, text)
            .expect("the simulator accepts the message")
    }

    pub fn press(&self, user: i64, message_id: i32, data: &str) -> Injected {
        self.tg
            .press_button(user, message_id, data)
            .expect("the button exists")
    }

    fn bot_texts(&self, chat: i64, needle: &str) -> Vec<SimMessage> {
        self.tg
            .messages_in(chat)
            .into_iter()
            .filter(|m| m.from_bot && m.text.as_deref().is_some_and(|t| t.contains(needle)))
            .collect()
    }

    /// How many of the bot's messages in `chat` contain `needle`.
    pub fn count_containing(&self, chat: i64, needle: &str) -> usize {
        self.bot_texts(chat, needle).len()
    }

    /// Waits for the `n`-th (0-based) bot message in `chat` containing `needle`.
    pub async fn nth_reply_containing(&self, chat: i64, needle: &str, n: usize) -> SimMessage {
        eventually(
            &format!("bot message #{n} containing {needle:?} in chat {chat}"),
            async || self.bot_texts(chat, needle).into_iter().nth(n),
        )
        .await
    }

    /// Ticks every due timer on every replica, in `order`.
    pub async fn tick_timers(&self, order: TickOrder) -> TickRound {
        let tick = async |i: usize| {
            let r = self.replicas[i]
                .scheduler
                .run_due()
                .await
                .expect("timers run");
            r.into_iter().map(|(t, o)| (i, t, o)).collect::<Vec<_>>()
        };
        match order {
            TickOrder::Together => futures::future::join_all((0..self.replicas.len()).map(tick))
                .await
                .into_iter()
                .flatten()
                .collect(),
            TickOrder::From(first) => {
                let mut out = Vec::new();
                for k in 0..self.replicas.len() {
                    out.extend(tick((first + k) % self.replicas.len()).await);
                }
                out
            }
        }
    }

    /// Runs every replica's job runner at the same time (next to their own background
    /// runners) until the queue is quiet: two looks in a row with nothing claimed anywhere and
    /// nothing running. Returns what the test's passes claimed per replica.
    pub async fn run_jobs_everywhere(&self) -> Vec<RunReport> {
        let mut totals = vec![RunReport::default(); self.replicas.len()];
        let mut quiet = 0;
        eventually_within(
            WAIT * 3,
            "the job queue quiet on every replica",
            async || {
                // A pass that never ends (a job claimed again and again) fails too.
                let reports = tokio::time::timeout(
                    WAIT * 3,
                    futures::future::join_all(
                        self.replicas.iter().map(|r| r.runner.run_until_idle()),
                    ),
                )
                .await
                .expect("a job runner pass ended");
                let mut claimed = 0;
                for (t, r) in totals.iter_mut().zip(reports) {
                    let r = r.expect("jobs run");
                    claimed += r.claimed;
                    t.claimed += r.claimed;
                    t.done += r.done;
                    t.retried += r.retried;
                    t.failed += r.failed;
                    t.lost += r.lost;
                }
                let counts = self.db().job_counts().await.expect("job counts");
                let busy = counts.iter().any(|(state, n)| state == "running" && *n > 0);
                quiet = if busy || claimed > 0 { 0 } else { quiet + 1 };
                if quiet >= 2 { Ok(()) } else { Err(counts) }
            },
        )
        .await;
        totals
    }

    /// Stops every replica as SIGTERM would; each must end cleanly.
    pub async fn stop(mut self) {
        for r in &self.replicas {
            r.cancel.cancel();
        }
        for r in &mut self.replicas {
            let task = r.task.take().expect("running");
            let res = tokio::time::timeout(Duration::from_secs(15), task)
                .await
                .expect("stopped within 15 s")
                .expect("the app task did not panic");
            res.expect("the replica stopped cleanly");
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for r in &self.replicas {
            r.cancel.cancel();
        }
        self.tg.shutdown();
        self.np.shutdown();
        self.cn.shutdown();
    }
}

/// One line of the job log: a claim of a job (`pending` → `running` under a new lease) or the
/// outcome a lease holder recorded (`running` → anything else).
#[derive(Debug, Clone)]
pub struct JobEvent {
    pub job_id: i64,
    pub kind: String,
    pub event: String,
    pub old_state: String,
    pub new_state: String,
    pub attempts: i64,
    /// The lease token: `<worker id>/<pass>`.
    pub token: String,
}

/// Records every claim and every recorded outcome of a job in `test_job_log`, by a trigger on
/// the jobs table (PostgreSQL; the product does not know about it). A lease renewal is not an
/// event; a takeover of a job still `running` would be a claim whose old state is `running`.
pub async fn install_job_log(db: &telepay::store::Db) {
    for sql in [
        "CREATE TABLE test_job_log (seq BIGSERIAL PRIMARY KEY, job_id BIGINT NOT NULL, \
           kind TEXT NOT NULL, event TEXT NOT NULL, old_state TEXT NOT NULL, \
           new_state TEXT NOT NULL, attempts BIGINT NOT NULL, token TEXT NOT NULL)",
        "CREATE FUNCTION test_log_job() RETURNS trigger AS $$ BEGIN \
           IF NEW.state = 'running' AND (OLD.state <> 'running' OR OLD.leased_by IS DISTINCT FROM NEW.leased_by) THEN \
             INSERT INTO test_job_log (job_id, kind, event, old_state, new_state, attempts, token) \
               VALUES (NEW.id, NEW.kind, 'claim', OLD.state, NEW.state, NEW.attempts, COALESCE(NEW.leased_by, '')); \
           ELSIF OLD.state = 'running' AND NEW.state <> 'running' THEN \
             INSERT INTO test_job_log (job_id, kind, event, old_state, new_state, attempts, token) \
               VALUES (NEW.id, NEW.kind, 'finish', OLD.state, NEW.state, NEW.attempts, COALESCE(OLD.leased_by, '')); \
           END IF; \
           RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER test_job_log AFTER UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION test_log_job()",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(db.pool())
            .await
            .expect("install the job log");
    }
}

pub async fn job_log(db: &telepay::store::Db) -> Vec<JobEvent> {
    let rows: Vec<(i64, String, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT job_id, kind, event, old_state, new_state, attempts, token FROM test_job_log ORDER BY seq",
    )
    .fetch_all(db.pool())
    .await
    .expect("read the job log");
    rows.into_iter()
        .map(
            |(job_id, kind, event, old_state, new_state, attempts, token)| JobEvent {
                job_id,
                kind,
                event,
                old_state,
                new_state,
                attempts,
                token,
            },
        )
        .collect()
}
