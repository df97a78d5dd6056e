//! The admin audit log (operators issue, part 2): every change an operator makes from the bot
//! leaves exactly one row (who, what, subject, before → after, when) written with the change;
//! a press that changes nothing, or a non-admin's replayed button, leaves none; the log is
//! shown in `/admin` and exported as CSV.

use std::time::Duration;

use sqlx::Row;
use telepay::domain::job::Job;
use telepay::domain::states::AdminLogAction;
use telepay::domain::time::Clock;
use telepay::store::admin_log::AdminLogEntry;
use telepay::store::jobs::NewJob;

use crate::on_both_backends;
use crate::support::app::{Mode, TestApp, spawn_app, spawn_app_with};
use crate::support::db::Backend;
use crate::support::wait::eventually;

const ADMIN: i64 = 900_001;
/// A second operator, who must not be able to confirm what the first one asked.
const OTHER_ADMIN: i64 = 900_002;
const EVE: i64 = 41;

/// A job that will not come due during the test (the app's runner leaves it alone), by key.
async fn parked_job(app: &TestApp, key: &str, payment_id: i64) -> i64 {
    let now = app.clock.now();
    let later = now.saturating_add(Duration::from_secs(10 * 365 * 86_400));
    assert!(
        app.ctx
            .db
            .enqueue(
                &NewJob {
                    job: Job::ValuePayment { payment_id },
                    unique_key: Some(key.to_owned()),
                    run_at: later,
                    give_up_at: later,
                },
                now,
            )
            .await
            .unwrap()
    );
    sqlx::query("SELECT id FROM jobs WHERE unique_key = $1")
        .bind(key)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

/// A failed job, as the runner leaves one after a terminal error.
async fn failed_job(app: &TestApp) -> i64 {
    let id = parked_job(app, "adminlog-failed", 1).await;
    sqlx::query(
        "UPDATE jobs SET state = 'failed', last_error = '4xx', finished_at = $1 WHERE id = $2",
    )
    .bind(app.clock.now().as_millis())
    .bind(id)
    .execute(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!(app.ctx.db.failed_jobs(10).await.unwrap().len(), 1);
    id
}

async fn open_alert(app: &TestApp) -> i64 {
    let mut tx = app.ctx.db.begin_write().await.unwrap();
    telepay::store::outbox::alert(
        &mut tx,
        "insufficient_funds",
        "<host wallet>",
        "test alert",
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let open = app.ctx.db.open_alerts(10).await.unwrap();
    assert_eq!(open.len(), 1);
    open[0].id
}

async fn log(app: &TestApp) -> Vec<AdminLogEntry> {
    app.ctx.db.admin_log_all().await.unwrap()
}

fn assert_row(e: &AdminLogEntry, action: AdminLogAction, subject: &str, before: &str, after: &str) {
    assert_eq!(e.admin_id, ADMIN, "{e:?}");
    assert_eq!(e.action, action, "{e:?}");
    assert_eq!(e.subject, subject, "{e:?}");
    assert_eq!(e.before.as_deref(), Some(before), "{e:?}");
    assert_eq!(e.after.as_deref(), Some(after), "{e:?}");
}

fn documents_to(app: &TestApp, chat: i64) -> Vec<telepay_sim::telegram::RecordedCall> {
    app.tg
        .calls_of("sendDocument")
        .into_iter()
        .filter(|c| {
            c.params["chat_id"] == serde_json::json!(chat)
                || c.params["chat_id"] == serde_json::json!(chat.to_string())
        })
        .collect()
}

async fn every_admin_change_leaves_exactly_one_row(backend: Backend) {
    let Some(app) = spawn_app_with(backend, Mode::Polling, |raw| {
        raw.admin_ids = Some(format!("{ADMIN},{OTHER_ADMIN}"));
    })
    .await
    else {
        return;
    };
    let failed = failed_job(&app).await;
    let pending = parked_job(&app, "adminlog-pending", 2).await;
    let alert = open_alert(&app).await;

    // A non-admin replaying every admin button: refused, nothing changes, no row.
    let eve = app.user(EVE, "Eve", Some("en"));
    app.send_text(eve, "/admin");
    let reply = app.reply_containing(eve, "did not understand").await;
    for data in [
        // (Six presses: more in a row would meet the flood limit.)
        "a:?:pp".to_owned(),
        format!("a:!:{EVE}:pp"),
        format!("a:!:{ADMIN}:pp"),
        format!("a:!:{ADMIN}:rj:{failed}"),
        format!("a:ack:{alert}"),
        "a:logcsv".to_owned(),
    ] {
        app.tg
            .inject_callback_raw(eve, reply.message_id, &data)
            .unwrap();
    }
    // Barrier: one user's updates are handled in order.
    app.send_text(eve, "/admin");
    app.nth_reply_containing(eve, "did not understand", 1).await;
    assert!(log(&app).await.is_empty());
    assert!(!app.ctx.db.payouts_paused().await.unwrap());
    assert_eq!(app.ctx.db.failed_jobs(10).await.unwrap().len(), 1);
    assert_eq!(app.ctx.db.open_alerts(10).await.unwrap().len(), 1);
    assert_eq!(app.count_containing(eve, "Admin log"), 0);
    assert!(documents_to(&app, eve).is_empty());

    // The admin: the log is one tap from the menu, empty so far.
    let admin = app.user(ADMIN, "Ops", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    assert!(menu.callback_data().contains(&"a:log".to_owned()));
    app.press(admin, menu.message_id, "a:log");
    app.reply_containing(admin, "The admin log is empty").await;

    // Pause: the button only asks, and says what it will do; nothing changes yet.
    let asked = app.ask(ADMIN, menu.message_id, "pp").await;
    assert!(
        asked
            .text
            .clone()
            .unwrap()
            .contains("no payout, conversion"),
        "{asked:?}"
    );
    assert!(!app.ctx.db.payouts_paused().await.unwrap());
    // Another operator replaying the first one's confirmation: refused, nothing changes.
    app.user(OTHER_ADMIN, "Ops2", Some("en"));
    app.tg
        .inject_callback_raw(OTHER_ADMIN, asked.message_id, &format!("a:!:{ADMIN}:pp"))
        .unwrap();
    app.send_text(OTHER_ADMIN, "/admin");
    app.reply_containing(OTHER_ADMIN, "Operator menu").await;
    assert!(!app.ctx.db.payouts_paused().await.unwrap());
    assert!(log(&app).await.is_empty());
    // Confirmed: one row, and the used buttons are gone.
    app.press(ADMIN, asked.message_id, &format!("a:!:{ADMIN}:pp"));
    app.reply_containing(ADMIN, "All payouts are paused").await;
    assert!(app.ctx.db.payouts_paused().await.unwrap());
    eventually("the used confirmation loses its buttons", async || {
        let m = app
            .tg
            .messages_in(ADMIN)
            .into_iter()
            .find(|m| m.message_id == asked.message_id)
            .unwrap();
        if m.callback_data().is_empty() {
            Ok(())
        } else {
            Err(m.callback_data())
        }
    })
    .await;
    // The same confirmation replayed: already paused, no row.
    app.tg
        .inject_callback_raw(ADMIN, asked.message_id, &format!("a:!:{ADMIN}:pp"))
        .unwrap();
    app.reply_containing(ADMIN, "already paused").await;
    let rows = log(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_row(
        &rows[0],
        AdminLogAction::PausePayouts,
        "payouts",
        "running",
        "paused",
    );
    assert_eq!(rows[0].created_at, app.clock.now());
    // Asking to pause again is refused up front.
    app.press(ADMIN, menu.message_id, "a:?:pp");
    app.nth_reply_containing(ADMIN, "already paused", 1).await;

    // Resume: one more row.
    app.clock.advance(Duration::from_secs(60));
    app.send_text(ADMIN, "/admin");
    let paused_menu = app.nth_reply_containing(ADMIN, "Operator menu", 1).await;
    assert!(paused_menu.callback_data().contains(&"a:?:rp".to_owned()));
    let done = app
        .ask_and_confirm(ADMIN, paused_menu.message_id, "rp")
        .await;
    assert!(done.text.unwrap().contains("running again"));
    assert!(!app.ctx.db.payouts_paused().await.unwrap());
    let rows = log(&app).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_row(
        &rows[1],
        AdminLogAction::ResumePayouts,
        "payouts",
        "paused",
        "running",
    );

    // Retry of the failed job: one row; of a job that is not failed: none.
    app.clock.advance(Duration::from_secs(60));
    app.press(admin, menu.message_id, "a:jobs");
    let jobs = app.reply_containing(admin, "Retry one when").await;
    let done = app
        .ask_and_confirm(admin, jobs.message_id, &format!("rj:{failed}"))
        .await;
    assert!(done.text.unwrap().contains("queued again"));
    // The pending job has no button: replayed data, as a stale or forged press would be.
    app.tg
        .inject_callback_raw(admin, jobs.message_id, &format!("a:!:{ADMIN}:rj:{pending}"))
        .unwrap();
    app.reply_containing(admin, "not failed").await;
    let rows = log(&app).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_row(
        &rows[2],
        AdminLogAction::RetryJob,
        &format!("job:{failed}"),
        "failed",
        "pending",
    );

    // Ack of the open alert: one row; again (already handled): none.
    app.clock.advance(Duration::from_secs(60));
    app.press(admin, menu.message_id, "a:alerts");
    let alerts = app
        .reply(admin, |m| {
            m.callback_data().iter().any(|d| d.starts_with("a:ack:"))
        })
        .await;
    app.press(admin, alerts.message_id, &format!("a:ack:{alert}"));
    app.reply_containing(admin, "marked as handled").await;
    app.press(admin, alerts.message_id, &format!("a:ack:{alert}"));
    app.reply_containing(admin, "already handled").await;
    let rows = log(&app).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_row(
        &rows[3],
        AdminLogAction::ResolveAlert,
        &format!("alert:{alert}"),
        "open",
        "resolved",
    );
    assert!(app.ctx.db.open_alerts(10).await.unwrap().is_empty());
    // Newest first, paginated.
    let page = app.ctx.db.admin_log(2, 1).await.unwrap();
    assert_eq!(page, vec![rows[2].clone(), rows[1].clone()]);

    // The log in the bot, newest first, and the CSV of all of it.
    app.press(admin, menu.message_id, "a:log");
    let shown = app.reply_containing(admin, "Admin log").await;
    let text = shown.text.clone().unwrap();
    let order: Vec<usize> = [
        "resolve_alert",
        "retry_job",
        "resume_payouts",
        "pause_payouts",
    ]
    .iter()
    .map(|w| text.find(w).unwrap_or_else(|| panic!("{w} in {text}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.contains("running → paused"), "{text}");
    assert!(
        text.contains(&format!("job:{failed}: failed → pending")),
        "{text}"
    );
    assert!(text.contains(&ADMIN.to_string()), "{text}");
    assert!(shown.callback_data().contains(&"a:logcsv".to_owned()));
    app.press(admin, shown.message_id, "a:logcsv");
    let doc = eventually("the admin log CSV sent", async || {
        documents_to(&app, admin).into_iter().next()
    })
    .await;
    let file = doc.files.first().expect("a file");
    assert_eq!(file.file_name.as_deref(), Some("telepay-admin-log.csv"));
    let csv = String::from_utf8(file.bytes.clone()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + rows.len(), "{csv}");
    assert_eq!(
        lines[0],
        "id,created_at_ms,date_utc,admin_id,action,subject,before,after"
    );
    for (line, row) in lines[1..].iter().zip(&rows) {
        assert!(line.starts_with(&format!("{},", row.id)), "{line}");
        assert!(
            line.ends_with(&format!(
                ",{ADMIN},{},{},{},{}",
                row.action,
                row.subject,
                row.before.as_deref().unwrap(),
                row.after.as_deref().unwrap()
            )),
            "{line}"
        );
    }
    // Eve still got nothing.
    assert!(documents_to(&app, eve).is_empty());
}

/// The system's own changes (the automatic pause) are not admin actions: no row.
async fn system_changes_are_not_logged(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let system = telepay::store::admin_log::Actor::System;
    let now = app.clock.now();
    assert!(
        app.ctx
            .db
            .set_payouts_paused(true, system, now)
            .await
            .unwrap()
    );
    assert!(
        !app.ctx
            .db
            .set_payouts_paused(true, system, now)
            .await
            .unwrap()
    );
    assert!(
        app.ctx
            .db
            .set_payouts_paused(false, system, now)
            .await
            .unwrap()
    );
    assert!(log(&app).await.is_empty());
    // The database refuses an action word the code does not know.
    let bad = sqlx::query(
        "INSERT INTO admin_actions (id, admin_id, action, subject, created_at) \
         VALUES (1, 1, 'drop_everything', 'x', 0)",
    )
    .execute(app.ctx.db.pool())
    .await;
    assert!(bad.is_err(), "an unknown action was stored");
    assert!(log(&app).await.is_empty());
}

/// The log in the bot pages through every row (newest first) and names the operator.
async fn the_log_pages_and_names_the_operator(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let admin = app.user(ADMIN, "Olga", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    // 25 rows, one a minute (set up directly: 25 real changes would only repeat the test above).
    let n = telepay::bot::admin::LOG_PAGE + 5;
    for i in 0..n {
        let mut tx = app.ctx.db.begin_write().await.unwrap();
        telepay::store::admin_log::record(
            &mut tx,
            telepay::store::admin_log::Actor::Admin(ADMIN),
            AdminLogAction::RetryJob,
            &format!("job:{i}"),
            Some("failed"),
            Some("pending"),
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        app.clock.advance(Duration::from_secs(60));
    }
    app.press(admin, menu.message_id, "a:log");
    let first = app.reply_containing(admin, "Admin log").await;
    let text = first.text.clone().unwrap();
    assert!(text.contains("actions 1–20"), "{text}");
    assert!(text.contains(&format!("job:{}:", n - 1)), "{text}");
    assert!(!text.contains("job:4:"), "{text}");
    assert!(text.contains(&format!("Olga ({ADMIN})")), "{text}");
    assert_eq!(first.callback_data(), vec!["a:log:1", "a:logcsv"]);
    app.press(admin, first.message_id, "a:log:1");
    let second = app.reply_containing(admin, "actions 21–25").await;
    let text = second.text.clone().unwrap();
    assert!(text.contains("job:4:") && text.contains("job:0:"), "{text}");
    assert!(!text.contains("job:5:"), "{text}");
    assert_eq!(second.callback_data(), vec!["a:log", "a:logcsv"]);
}

on_both_backends!(
    every_admin_change_leaves_exactly_one_row,
    system_changes_are_not_logged,
    the_log_pages_and_names_the_operator
);
