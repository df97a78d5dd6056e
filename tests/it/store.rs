//! The store contract: every statement runs, and behaves the same, on SQLite and PostgreSQL.

use std::time::Duration;

use serde_json::json;
use sqlx::Row;
use telepay::domain::job::Job;
use telepay::domain::lang::Lang;
use telepay::domain::states::InvoiceStatus;
use telepay::domain::states::{ConversionState, PayoutState};
use telepay::domain::time::UnixMillis;
use telepay::store::invoices::{CheckoutClaim, InvoiceKind, NewInvoice};
use telepay::store::jobs::NewJob;
use telepay::store::users::SeenUser;

use telepay::domain::money::UsdMicros;
use telepay::store::channels::PayoutStrategy;

use crate::on_both_backends;
use crate::support::db::{Backend, TestDb};
use crate::support::fixtures;

const T0: UnixMillis = UnixMillis::from_millis(1_800_000_000_000);

/// A job told apart from others by `payment_id`.
fn job(payment_id: i64, key: Option<&str>, run_at: UnixMillis) -> NewJob {
    NewJob {
        job: Job::ValuePayment { payment_id },
        unique_key: key.map(str::to_owned),
        run_at,
        give_up_at: run_at.saturating_add(Duration::from_secs(86_400)),
    }
}

async fn seeded_currency_table_has_the_87_pairs(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let all = db.payout_currencies().await.unwrap();
    assert_eq!(all.len(), 87);
    let usdt_trx = db.payout_currency("USDT", "TRX").await.unwrap().unwrap();
    assert_eq!(usdt_trx.cn_ticker, "usdt");
    assert!(usdt_trx.is_usd_stable);
    assert!(db.payout_currency("USDT", "DOGE").await.unwrap().is_none());
    let eth = db.network("ETH").await.unwrap().unwrap();
    assert_eq!(eth.cn_network, "eth");
    assert_eq!(eth.tx_url("0xabc"), "https://etherscan.io/tx/0xabc");
    let networks: i64 = sqlx::query("SELECT COUNT(*) FROM networks")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(networks, 16);
    // Running the migrations again is a no-op.
    db.migrate().await.unwrap();
    assert_eq!(db.payout_currencies().await.unwrap().len(), 87);
}

async fn users_keep_their_language_choice(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let seen = SeenUser {
        id: 42,
        username: Some("eve"),
        first_name: "Eve",
        language_code: Some("ru"),
    };
    let u = db.upsert_user(&seen, T0).await.unwrap();
    assert_eq!(u.lang(), Lang::Ru);
    assert!(db.set_user_language(42, Lang::Es, T0).await.unwrap());
    assert!(!db.set_user_language(43, Lang::Es, T0).await.unwrap());
    // A later update with Telegram's language does not undo the choice.
    let u = db.upsert_user(&seen, T0).await.unwrap();
    assert_eq!(u.lang(), Lang::Es);
    db.set_user_unreachable(42, true, T0).await.unwrap();
    assert!(db.get_user(42).await.unwrap().unwrap().unreachable);
    // Writing to us again makes the user reachable.
    assert!(!db.upsert_user(&seen, T0).await.unwrap().unreachable);
    assert!(db.get_user(7).await.unwrap().is_none());
}

async fn dialogues_survive_a_reconnect(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    db.put_dialogue(42, r#"{"AwaitingPrice":{"tier":1}}"#, T0)
        .await
        .unwrap();
    db.put_dialogue(42, r#"{"AwaitingDays":{"tier":1}}"#, T0)
        .await
        .unwrap();
    db.close().await;
    let db = t.connect().await;
    assert_eq!(
        db.get_dialogue(42).await.unwrap().as_deref(),
        Some(r#"{"AwaitingDays":{"tier":1}}"#)
    );
    assert_eq!(db.purge_dialogues(T0).await.unwrap(), 0);
    assert!(db.remove_dialogue(42).await.unwrap());
    assert!(!db.remove_dialogue(42).await.unwrap());
    assert_eq!(db.get_dialogue(42).await.unwrap(), None);
}

async fn kill_switch_defaults_to_running(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    assert!(!db.payouts_paused().await.unwrap());
    db.set_payouts_paused(true, telepay::store::admin_log::Actor::System, T0)
        .await
        .unwrap();
    assert!(db.payouts_paused().await.unwrap());
    db.set_payouts_paused(false, telepay::store::admin_log::Actor::System, T0)
        .await
        .unwrap();
    assert!(!db.payouts_paused().await.unwrap());
}

/// Crypto amounts go in and come out exactly: 18 decimals and meme-coin magnitudes (lesson 18),
/// and no column turns them into floats.
async fn crypto_amounts_are_stored_exactly(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let amounts = [
        "600000000000.123456789012345678",
        "0.000000000000000001",
        "596726.7",
    ];
    for (i, a) in amounts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO payments (id, np_payment_id, status, outcome_amount, created_at, updated_at) \
             VALUES ($1, $2, 'waiting', $3, 0, 0)",
        )
        .bind(i64::try_from(i).unwrap() + 1)
        .bind(format!("np-{i}"))
        .bind(*a)
        .execute(db.pool())
        .await
        .unwrap();
    }
    let rows = sqlx::query("SELECT outcome_amount FROM payments ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let back: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(back, amounts);
}

async fn the_fee_split_must_add_up(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let res = sqlx::query(
        "INSERT INTO payments (id, np_payment_id, status, value_usd_micros, fee_usd_micros, owner_usd_micros, created_at, updated_at) \
         VALUES (1, 'np-1', 'finished', 100, 3, 96, 0, 0)",
    )
    .execute(db.pool())
    .await;
    assert!(
        res.is_err(),
        "value = fee + owner is enforced by the schema"
    );
}

async fn unique_job_keys_enqueue_once(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    assert!(db.enqueue(&job(1, Some("invite:1"), T0), T0).await.unwrap());
    assert!(!db.enqueue(&job(1, Some("invite:1"), T0), T0).await.unwrap());
    // Keyless jobs are never deduplicated.
    assert!(db.enqueue(&job(1, None, T0), T0).await.unwrap());
    assert!(db.enqueue(&job(1, None, T0), T0).await.unwrap());
    let counts = db.job_counts().await.unwrap();
    assert_eq!(counts, vec![("pending".to_owned(), 3)]);
}

async fn claims_lease_due_jobs_once(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let later = T0.saturating_add(Duration::from_secs(60));
    db.enqueue(&job(1, Some("a"), T0), T0).await.unwrap();
    db.enqueue(&job(2, Some("b"), later), T0).await.unwrap();
    let lease = Duration::from_secs(30);
    let first = db.claim_jobs(T0, lease, 10, "w1").await.unwrap();
    assert_eq!(first.len(), 1, "only the due job");
    assert_eq!(first[0].kind, "value_payment");
    assert_eq!(first[0].attempts, 1);
    assert_eq!(first[0].payload, json!({"payment_id": 1}));
    assert_eq!(first[0].job().unwrap(), Job::ValuePayment { payment_id: 1 });
    assert!(db.claim_jobs(T0, lease, 10, "w2").await.unwrap().is_empty());

    // The lease runs out (the worker died): another worker takes the job over...
    let t1 = T0.saturating_add(Duration::from_secs(31));
    let second = db.claim_jobs(t1, lease, 1, "w2").await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, first[0].id);
    assert_eq!(second[0].attempts, 2);
    // ...and the first worker can no longer record an outcome.
    assert!(!db.complete_job(&first[0], t1).await.unwrap());
    assert!(db.complete_job(&second[0], t1).await.unwrap());
    let row = db.job(first[0].id).await.unwrap().unwrap();
    assert_eq!(row.state, "done");
}

async fn retry_fail_release_and_admin_retry(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    db.enqueue(&job(1, Some("k"), T0), T0).await.unwrap();
    let lease = Duration::from_secs(30);
    let j = db.claim_jobs(T0, lease, 1, "w").await.unwrap().remove(0);
    let t1 = T0.saturating_add(Duration::from_secs(120));
    assert!(db.retry_job_later(&j, t1, "timeout", T0).await.unwrap());
    assert!(
        db.claim_jobs(T0, lease, 1, "w").await.unwrap().is_empty(),
        "not before run_at"
    );
    let j = db.claim_jobs(t1, lease, 1, "w").await.unwrap().remove(0);
    assert_eq!(j.attempts, 2);
    // Released at shutdown: the attempt does not count.
    assert!(db.release_job(&j, t1).await.unwrap());
    let j = db.claim_jobs(t1, lease, 1, "w").await.unwrap().remove(0);
    assert_eq!(j.attempts, 2);
    assert!(db.fail_job(&j, "4xx: bad address", t1).await.unwrap());
    let failed = db.failed_jobs(10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_error.as_deref(), Some("4xx: bad address"));
    assert!(db.claim_jobs(t1, lease, 1, "w").await.unwrap().is_empty());
    let far = t1.saturating_add(Duration::from_secs(86_400));
    assert!(
        db.retry_failed_job(j.id, telepay::store::admin_log::Actor::System, far, t1)
            .await
            .unwrap()
    );
    let j = db.claim_jobs(t1, lease, 1, "w").await.unwrap().remove(0);
    assert_eq!(j.attempts, 1);
    assert!(db.complete_job(&j, t1).await.unwrap());
    assert!(
        !db.retry_failed_job(j.id, telepay::store::admin_log::Actor::System, far, t1)
            .await
            .unwrap(),
        "only failed jobs"
    );
    assert!(
        !db.cancel_job(j.id, t1).await.unwrap(),
        "done jobs cannot be cancelled"
    );
}

async fn concurrent_workers_never_share_a_job(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    for i in 0..40 {
        db.enqueue(&job(1, Some(&format!("n{i}")), T0), T0)
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = db
                    .claim_jobs(T0, Duration::from_secs(60), 3, &format!("w{w}"))
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(n, 40, "every job claimed");
    assert_eq!(all.len(), 40, "no job claimed twice");
}

async fn timers_run_once_per_interval(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let every = Duration::from_secs(300);
    let slot = db.claim_timer("batch", 11, every, false, T0).await.unwrap();
    assert!(slot.is_some(), "never ran: due");
    slot.unwrap().commit().await.unwrap();
    assert!(
        db.claim_timer("batch", 11, every, false, T0)
            .await
            .unwrap()
            .is_none()
    );
    let t1 = T0.saturating_add(Duration::from_secs(299));
    assert!(
        db.claim_timer("batch", 11, every, false, t1)
            .await
            .unwrap()
            .is_none()
    );
    // Forced runs ignore the interval (admin commands, tests).
    let forced = db
        .claim_timer("batch", 11, every, true, t1)
        .await
        .unwrap()
        .unwrap();
    forced.commit().await.unwrap();
    assert_eq!(db.timer_last_run("batch").await.unwrap(), Some(t1));
    // A failed tick gives its slot back.
    let t2 = t1.saturating_add(every);
    let slot = db
        .claim_timer("batch", 11, every, false, t2)
        .await
        .unwrap()
        .unwrap();
    slot.abandon().await.unwrap();
    assert_eq!(db.timer_last_run("batch").await.unwrap(), Some(t1));
    assert!(
        db.claim_timer("batch", 11, every, false, t2)
            .await
            .unwrap()
            .is_some()
    );
}

async fn channels_are_registered_once_with_their_tiers(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let threshold = PayoutStrategy::Threshold(UsdMicros::from_cents(5000));
    let c = fixtures::channel(&db, 10, -100_123, threshold, T0).await;
    assert_eq!(c.payout.strategy, threshold);
    assert!(c.on_sale());
    assert_eq!(c.code.len(), 10);
    let by_code = db.channel_by_code(&c.code).await.unwrap().unwrap();
    assert_eq!(by_code, c);
    assert_eq!(
        db.channel_by_chat(-100_123).await.unwrap().unwrap().id,
        c.id
    );
    let tiers = db.tiers(c.id).await.unwrap();
    assert_eq!(tiers.len(), 2);
    assert_eq!(
        (tiers[0].position, tiers[0].price, tiers[0].days),
        (1, UsdMicros::from_cents(500), 30)
    );
    assert_eq!((tiers[1].position, tiers[1].days), (2, 90));
    // Another owner cannot register the same Telegram channel; nothing half-written remains.
    fixtures::owner(&db, 11, T0).await;
    let mut again = fixtures::channel_template(11, -100_123);
    again.title = "Stolen".into();
    let err = db.create_channel(&again, T0).await.unwrap_err();
    assert!(
        matches!(err, telepay::store::StoreError::Conflict(_)),
        "{err}"
    );
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM tiers")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    db.set_sales_paused(c.id, true, T0).await.unwrap();
    assert!(!db.channel(c.id).await.unwrap().unwrap().on_sale());
    assert!(db.channel_by_code("nope").await.unwrap().is_none());
}

/// The database refused a write for its state check on `table`, saying so.
fn assert_refused(err: &sqlx::Error, table: &str) {
    let text = err.to_string();
    assert!(
        text.to_lowercase().contains("check constraint") && text.contains(table),
        "{text}"
    );
}

/// Payout and conversion states are checked by the database like the other states (migration
/// 0004: a CHECK on PostgreSQL, triggers on SQLite): an unknown word is refused on insert and on
/// update, and the refused update changes nothing.
async fn unknown_states_are_refused(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let c = fixtures::channel(&db, 10, -100_123, PayoutStrategy::Instant, T0).await;
    let insert_payout = |id: i64, state: &'static str| {
        sqlx::query(
            "INSERT INTO payouts (id, kind, channel_id, state, usd_micros, source_currency, dest_currency, \
               dest_network, dest_address, created_at, updated_at) \
             VALUES ($1, 'batch', $2, $3, 1000000, 'usdtbsc', 'trx', 'trx', 'T-address', 0, 0)",
        )
        .bind(id)
        .bind(c.id)
        .bind(state)
        .execute(db.pool())
    };
    insert_payout(1, PayoutState::Pending.as_str())
        .await
        .unwrap();
    let err = insert_payout(2, "paid").await.unwrap_err();
    assert_refused(&err, "payouts");
    let err = sqlx::query("UPDATE payouts SET state = 'Sent' WHERE id = 1")
        .execute(db.pool())
        .await
        .unwrap_err();
    assert_refused(&err, "payouts");
    let p = db.payout(1).await.unwrap().unwrap();
    assert_eq!(p.state, PayoutState::Pending);
    assert!(db.payout(2).await.unwrap().is_none());

    let insert_conversion = |id: i64, state: &'static str| {
        sqlx::query(
            "INSERT INTO conversions (id, state, from_currency, from_amount, usd_micros, created_at, updated_at) \
             VALUES ($1, $2, 'trx', '10', 1000000, 0, 0)",
        )
        .bind(id)
        .bind(state)
        .execute(db.pool())
    };
    insert_conversion(1, ConversionState::Pending.as_str())
        .await
        .unwrap();
    let err = insert_conversion(2, "converting").await.unwrap_err();
    assert_refused(&err, "conversions");
    let err = sqlx::query("UPDATE conversions SET state = 'done' WHERE id = 1")
        .execute(db.pool())
        .await
        .unwrap_err();
    assert_refused(&err, "conversions");
    let conv = db.conversion(1).await.unwrap().unwrap();
    assert_eq!(conv.state, ConversionState::Pending);
    // A known state still moves through the typed compare-and-set.
    assert!(
        db.conversion_transition(
            1,
            ConversionState::Pending,
            ConversionState::Cancelled,
            None,
            T0
        )
        .await
        .unwrap()
    );
    assert_eq!(
        db.conversion(1).await.unwrap().unwrap().state,
        ConversionState::Cancelled
    );
}

fn sub_invoice(user_id: i64, channel_id: i64, tier_id: i64, expires_at: UnixMillis) -> NewInvoice {
    NewInvoice {
        kind: InvoiceKind::Subscription,
        user_id,
        channel_id,
        tier_id: Some(tier_id),
        parent_invoice_id: None,
        price: UsdMicros::from_cents(500),
        days: Some(30),
        expires_at,
    }
}

async fn invoice_status(db: &telepay::store::Db, id: i64) -> InvoiceStatus {
    db.invoice(id).await.unwrap().unwrap().status
}

/// One subscription checkout per user and tier at a time (a partial unique index): a second
/// one is told to wait, an open invoice is reused, one past its time or a `creating` row left
/// by a dead process no longer blocks; other tiers, users and kinds are not affected.
async fn one_checkout_per_user_and_tier(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let c = fixtures::channel(&db, 10, -100_123, PayoutStrategy::Instant, T0).await;
    let tiers = db.tiers(c.id).await.unwrap();
    let (t1, t2) = (tiers[0].id, tiers[1].id);
    fixtures::owner(&db, 20, T0).await;
    fixtures::owner(&db, 21, T0).await;
    let hour = Duration::from_secs(3600);
    let stale = |now: UnixMillis| now.saturating_sub(Duration::from_secs(120));
    let claim = async |user: i64, tier: i64, now: UnixMillis| {
        db.claim_checkout(
            &sub_invoice(user, c.id, tier, now.saturating_add(hour)),
            now,
            stale(now),
        )
        .await
        .unwrap()
    };

    let CheckoutClaim::Created(a) = claim(20, t1, T0).await else {
        panic!("the first checkout takes the slot");
    };
    assert_eq!(a.status, InvoiceStatus::Creating);
    assert_eq!(claim(20, t1, T0).await, CheckoutClaim::Busy);
    // The index itself refuses a second row, whoever writes it.
    assert!(
        db.create_invoice(&sub_invoice(20, c.id, t1, T0.saturating_add(hour)), T0)
            .await
            .is_err()
    );
    // Another tier, another user, a donation: separate slots.
    assert!(matches!(claim(20, t2, T0).await, CheckoutClaim::Created(_)));
    assert!(matches!(claim(21, t1, T0).await, CheckoutClaim::Created(_)));
    let mut donation = sub_invoice(20, c.id, t1, T0.saturating_add(hour));
    donation.kind = InvoiceKind::Donation;
    donation.tier_id = None;
    db.create_invoice(&donation, T0).await.unwrap();
    donation.kind = InvoiceKind::Subscription;
    donation.tier_id = Some(t1);
    assert!(db.claim_checkout(&donation, T0, stale(T0)).await.is_ok());

    // Opened: reused until it expires, then marked expired and a new one is created.
    db.open_invoice(a.id, "np-a", "https://pay.example/a", T0)
        .await
        .unwrap();
    let later = T0.saturating_add(Duration::from_secs(600));
    let CheckoutClaim::Open(again) = claim(20, t1, later).await else {
        panic!("the open invoice is reused");
    };
    assert_eq!(
        (again.id, again.invoice_url.as_deref()),
        (a.id, Some("https://pay.example/a"))
    );
    let after = a.expires_at;
    let CheckoutClaim::Created(b) = claim(20, t1, after).await else {
        panic!("an invoice past its time frees the slot");
    };
    assert_eq!(invoice_status(&db, a.id).await, InvoiceStatus::Expired);

    // A `creating` row blocks for two minutes, then counts as left by a dead process.
    let soon = after.saturating_add(Duration::from_secs(60));
    assert_eq!(claim(20, t1, soon).await, CheckoutClaim::Busy);
    let much_later = after.saturating_add(Duration::from_secs(121));
    let CheckoutClaim::Created(c2) = claim(20, t1, much_later).await else {
        panic!("a stale creating row frees the slot");
    };
    assert_eq!(invoice_status(&db, b.id).await, InvoiceStatus::Cancelled);
    // NOWPayments refused: cancelled, the next checkout starts afresh.
    db.cancel_invoice(c2.id, much_later).await.unwrap();
    assert!(matches!(
        claim(20, t1, much_later).await,
        CheckoutClaim::Created(_)
    ));
}

/// The migration that adds the index first closes all but the newest of duplicates written
/// before it (an open one is expired, a creating one cancelled), so it cannot fail on them.
async fn one_checkout_migration_closes_older_duplicates(backend: Backend) {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let db = t.connect().await;
    let c = fixtures::channel(&db, 10, -100_123, PayoutStrategy::Instant, T0).await;
    let tier = db.tiers(c.id).await.unwrap()[0].id;
    fixtures::owner(&db, 20, T0).await;
    sqlx::query("DROP INDEX invoices_one_checkout")
        .execute(db.pool())
        .await
        .unwrap();
    let exp = T0.saturating_add(Duration::from_secs(3600));
    let mut ids = Vec::new();
    for (i, opened) in [true, false, true, true].into_iter().enumerate() {
        let at = T0.saturating_add(Duration::from_secs(if i == 3 { 2 } else { i as u64 }));
        let inv = db
            .create_invoice(&sub_invoice(20, c.id, tier, exp), at)
            .await
            .unwrap();
        if opened {
            db.open_invoice(inv.id, &format!("np-{i}"), "https://pay.example/x", at)
                .await
                .unwrap();
        }
        ids.push(inv.id);
    }
    // The last two share a creation time: the larger id counts as newer.
    let newest = if ids[2] > ids[3] { ids[2] } else { ids[3] };
    let other = if newest == ids[2] { ids[3] } else { ids[2] };
    let sql = match backend {
        Backend::Sqlite => include_str!("../../migrations/sqlite/0006_one_checkout_per_tier.sql"),
        Backend::Postgres => {
            include_str!("../../migrations/postgres/0006_one_checkout_per_tier.sql")
        }
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(db.pool())
        .await
        .unwrap();
    assert_eq!(invoice_status(&db, ids[0]).await, InvoiceStatus::Expired);
    assert_eq!(invoice_status(&db, ids[1]).await, InvoiceStatus::Cancelled);
    assert_eq!(invoice_status(&db, other).await, InvoiceStatus::Expired);
    assert_eq!(invoice_status(&db, newest).await, InvoiceStatus::Open);
    assert!(
        db.create_invoice(&sub_invoice(20, c.id, tier, exp), T0)
            .await
            .is_err(),
        "the index is back"
    );
}

on_both_backends!(
    channels_are_registered_once_with_their_tiers,
    seeded_currency_table_has_the_87_pairs,
    users_keep_their_language_choice,
    dialogues_survive_a_reconnect,
    kill_switch_defaults_to_running,
    crypto_amounts_are_stored_exactly,
    the_fee_split_must_add_up,
    unique_job_keys_enqueue_once,
    claims_lease_due_jobs_once,
    retry_fail_release_and_admin_retry,
    concurrent_workers_never_share_a_job,
    timers_run_once_per_interval,
    unknown_states_are_refused,
    one_checkout_per_user_and_tier,
    one_checkout_migration_closes_older_duplicates,
);

/// On PostgreSQL a second replica cannot tick a timer while the first still holds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_timer_ticks_only_under_the_advisory_lock() {
    let Some(t) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let a = t.connect().await;
    let b = t.connect().await;
    let every = Duration::from_secs(60);
    let held = a
        .claim_timer("conv", 21, every, true, T0)
        .await
        .unwrap()
        .unwrap();
    // Even forced, replica b is refused while a's tick is running.
    assert!(
        b.claim_timer("conv", 21, every, true, T0)
            .await
            .unwrap()
            .is_none()
    );
    held.commit().await.unwrap();
    assert!(
        b.claim_timer("conv", 21, every, true, T0)
            .await
            .unwrap()
            .is_some()
    );
}
