//! Grace period (issue 15), as people use it: the owner types the hours on the channel card;
//! when a subscription ends the subscriber is told once and stays a member until the grace
//! ends; renewing in the grace (through the NOWPayments simulator) extends from the original
//! end; one who does not renew is removed at the grace's end with the goodbye; paying after the
//! grace starts from the payment; grace 0 is the expiry as before; a free trial gets no grace.

use std::time::Duration;

use rust_decimal_macros::dec;
use telepay::domain::job::Job;
use telepay::domain::money::UsdMicros;
use telepay::domain::states::SubscriptionStatus;
use telepay::domain::time::{Clock, UnixMillis};
use telepay::store::Db;
use telepay::store::channels::{Channel, NewTier};
use telepay::store::jobs::NewJob;
use telepay::store::subscriptions::Subscription;
use telepay_sim::telegram::{AdminRights, NewChat};

use crate::on_both_backends;
use crate::subscriber::{CHAT, np_id, pay_and_get_link, usdt};
use crate::support::app::{TestApp, WAIT, press_expect, spawn_app, type_expect};
use crate::support::db::Backend;
use crate::support::fixtures;

const OWNER: i64 = 500;
const HOUR: Duration = Duration::from_secs(3_600);
const DAY: Duration = Duration::from_secs(86_400);
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// What the subscriber reads when the grace starts.
const TOLD: &str = "You keep your access until";

/// A registered channel whose first plan is 7 days for $5 (the second 90 days for $12.50).
async fn weekly_channel(app: &TestApp) -> Channel {
    app.user(OWNER, "Olga", Some("en"));
    app.tg
        .add_chat(NewChat::channel(CHAT, "Alpha Signals").owner(OWNER));
    app.tg.set_bot_rights(CHAT, AdminRights::full());
    let now = app.clock.now();
    fixtures::owner(&app.ctx.db, OWNER, now).await;
    let mut c = fixtures::channel_template(OWNER, CHAT);
    c.tiers[0] = NewTier {
        price: UsdMicros::from_cents(500),
        days: 7,
    };
    app.ctx.db.create_channel(&c, now).await.unwrap()
}

/// The owner opens /channels → the channel → ⏳ Grace period, and types `hours`.
async fn owner_sets_grace(app: &TestApp, channel: &Channel, hours: &str, expect: &str) {
    let list = type_expect(app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Payment notifications",
    )
    .await;
    press_expect(
        app,
        OWNER,
        &card,
        &format!("o:grace:{}", channel.id),
        "Grace period of",
    )
    .await;
    type_expect(app, OWNER, hours, expect).await;
}

async fn sub_of(app: &TestApp, user: i64, channel: &Channel) -> Subscription {
    app.ctx
        .db
        .subscription_of(user, channel.id)
        .await
        .unwrap()
        .unwrap()
}

async fn joins(app: &TestApp, user: i64, link: &str) {
    app.tg.user_opens_invite_link(user, link).unwrap();
    app.tg
        .wait_for(WAIT, |tg| tg.member_status(CHAT, user).is_present())
        .await
        .unwrap();
}

/// Pays the user's latest invoice in full and waits for the access DM.
async fn pay_open_invoice(app: &TestApp, user: i64) {
    let before = app.count_containing(user, "Payment received");
    let invoice = app.ctx.db.recent_invoices(user, 1).await.unwrap().remove(0);
    let payment = app
        .np
        .pay(
            np_id(invoice.np_invoice_id.as_deref().unwrap()),
            usdt(dec!(5)),
        )
        .unwrap();
    app.np.advance_to_finished(payment).unwrap();
    app.nth_reply_containing(user, "Payment received", before)
        .await;
}

async fn audit_clean(app: &TestApp) {
    let report = telepay::payouts::audit::audit(&app.ctx.db).await.unwrap();
    assert!(report.clean(), "{report}");
}

async fn jobs_of(app: &TestApp, kind: &str) -> i64 {
    sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) FROM jobs WHERE kind = $1")
            .bind(kind)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap(),
        0,
    )
}

fn ms(at: UnixMillis) -> i64 {
    at.as_millis()
}

async fn grace_renewal_and_removal_at_its_end(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = weekly_channel(&app).await;
    let tier = app.ctx.db.tiers(channel.id).await.unwrap()[0].id;

    // The owner types bad hours first: a clear refusal each time, nothing changes.
    owner_sets_grace(&app, &channel, "two", "whole number of hours").await;
    type_expect(&app, OWNER, "73", "whole number of hours").await;
    type_expect(&app, OWNER, "-1", "whole number of hours").await;
    assert_eq!(app.ctx.db.grace_hours(channel.id).await.unwrap(), 0);
    let card = type_expect(&app, OWNER, "24", "Grace period: 24 hours").await;
    assert!(
        card.text
            .as_deref()
            .unwrap()
            .contains("Payment notifications")
    );
    assert_eq!(app.ctx.db.grace_hours(channel.id).await.unwrap(), 24);
    app.reply_containing(OWNER, "grace period of 24 hours")
        .await;

    // Ann and Ben buy the 7-day plan and join.
    let ann = app.user(61, "Ann", Some("en"));
    let ben = app.user(62, "Ben", Some("en"));
    let link = pay_and_get_link(&app, ann, &channel).await;
    joins(&app, ann, &link).await;
    let link = pay_and_get_link(&app, ben, &channel).await;
    joins(&app, ben, &link).await;
    let end = sub_of(&app, ann, &channel).await.expires_at;
    assert_eq!(ms(end) - ms(app.clock.now()), 7 * DAY_MS);
    assert_eq!(sub_of(&app, ben, &channel).await.expires_at, end);

    // The reminders before the end are as before.
    app.clock.advance(DAY * 7 - HOUR / 2);
    app.run_jobs_once().await;
    app.reply_containing(ann, "ends on").await;
    assert_eq!(app.count_containing(ann, TOLD), 0);

    // The plan ends: each is told once, with the renew button, and stays a member.
    app.clock.advance(HOUR);
    app.run_jobs_once().await;
    let told = app.reply_containing(ann, TOLD).await;
    assert!(told.text.as_deref().unwrap().contains("ended on"));
    assert_eq!(told.callback_data(), vec![format!("buy:{tier}")]);
    assert_eq!(told.buttons()[0].0, "🔄 Renew");
    app.reply_containing(ben, TOLD).await;
    for u in [ann, ben] {
        let s = sub_of(&app, u, &channel).await;
        assert_eq!(s.status, SubscriptionStatus::Active);
        assert_eq!(s.expires_at, end, "the paid end does not move");
        assert_eq!(s.grace_until.map(ms), Some(ms(end) + 24 * HOUR_MS));
        assert!(s.in_grace(app.clock.now()) && s.is_active(app.clock.now()));
        assert!(app.tg.member_status(CHAT, u).is_present());
    }
    assert!(app.tg.calls_of("banChatMember").is_empty());
    // Another sweep tells nobody twice.
    app.clock.advance(HOUR);
    app.run_jobs_once().await;
    assert_eq!(app.count_containing(ann, TOLD), 1);
    assert_eq!(app.count_containing(ben, TOLD), 1);

    // /subscriptions shows the grace.
    let list = type_expect(&app, ben, "/subscriptions", "Your subscriptions").await;
    assert!(
        list.text.as_deref().unwrap().contains("(grace period)"),
        "{:?}",
        list.text
    );
    // The operator's lookup shows it, and offers the invite resend (he still has access).
    let admin = app.user(900_001, "Ops", Some("en"));
    let found = type_expect(&app, admin, &format!("/lookup {ben}"), "grace until").await;
    let card = press_expect(&app, admin, &found, &format!("a:us:{ben}"), "grace until").await;
    let sub_id = sub_of(&app, ben, &channel).await.id;
    assert!(
        card.callback_data()
            .iter()
            .any(|d| d.ends_with(&format!("ri:{sub_id}"))),
        "{:?}",
        card.callback_data()
    );
    // Ben leaves and comes back in the grace: a fresh link, the join request is approved.
    app.tg.user_leaves(CHAT, ben).unwrap();
    let fresh = type_expect(&app, ben, "/access", "A new personal link").await;
    joins(&app, ben, &fresh.buttons()[0].2.clone().unwrap()).await;

    // The owner changes the setting: running graces keep their end.
    owner_sets_grace(&app, &channel, "72", "grace period of 72 hours").await;
    assert_eq!(
        sub_of(&app, ben, &channel).await.grace_until.map(ms),
        Some(ms(end) + 24 * HOUR_MS)
    );

    // Ann renews from the message, in the grace: the new days continue from the original end.
    press_expect(
        &app,
        ann,
        &told,
        &format!("buy:{tier}"),
        "Pay with any coin",
    )
    .await;
    pay_open_invoice(&app, ann).await;
    let renewed = sub_of(&app, ann, &channel).await;
    assert_eq!(ms(renewed.expires_at), ms(end) + 7 * DAY_MS);
    assert_eq!(renewed.grace_until, None, "the grace is over for her");
    assert!(!renewed.in_grace(app.clock.now()));

    // At the grace's end Ben, who did not renew, is removed with the goodbye; Ann stays.
    app.clock.advance(HOUR * 23);
    app.run_jobs_once().await;
    app.tg
        .wait_for(WAIT, |tg| !tg.member_status(CHAT, ben).is_present())
        .await
        .unwrap();
    let bye = app.reply_containing(ben, "has ended").await;
    assert_eq!(bye.callback_data(), vec![format!("buy:{tier}")]);
    let gone = sub_of(&app, ben, &channel).await;
    assert_eq!(gone.status, SubscriptionStatus::Expired);
    assert_eq!(gone.expires_at, end);
    assert!(app.tg.member_status(CHAT, ann).is_present());
    assert!(sub_of(&app, ann, &channel).await.is_active(app.clock.now()));
    assert_eq!(app.count_containing(ann, "has ended"), 0);
    // Idempotent: more sweeps remove nobody again and say nothing more.
    app.run_jobs_once().await;
    app.clock.advance(HOUR);
    app.run_jobs_once().await;
    let bans = app.tg.calls_of("banChatMember");
    assert_eq!(bans.len(), 1);
    assert_eq!(bans[0].params["user_id"], serde_json::json!(ben));
    assert_eq!(app.count_containing(ben, "has ended"), 1);
    assert_eq!(app.count_containing(ben, TOLD), 1);
    // One job per subscription and end for each step (unique keys), however many sweeps ran;
    // a second start of the same grace changes nothing.
    assert_eq!(
        jobs_of(&app, "expire_subscription").await,
        2,
        "Ann and Ben at the end"
    );
    assert_eq!(
        jobs_of(&app, "end_grace").await,
        1,
        "Ben at the grace's end"
    );
    assert!(
        !app.ctx
            .db
            .start_grace(gone.id, end, app.clock.now(), app.clock.now())
            .await
            .unwrap()
    );

    // Ben pays after the grace: the days start from the payment.
    let link = pay_and_get_link(&app, ben, &channel).await;
    let back = sub_of(&app, ben, &channel).await;
    assert_eq!(ms(back.expires_at), ms(app.clock.now()) + 7 * DAY_MS);
    joins(&app, ben, &link).await;
    app.run_jobs_once().await;
    audit_clean(&app).await;
}

async fn grace_zero_removes_at_expiry_as_before(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = weekly_channel(&app).await;
    // The card says there is none.
    let list = type_expect(&app, OWNER, "/channels", "Your channels").await;
    press_expect(
        &app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Grace period: none",
    )
    .await;
    let cid = app.user(63, "Cid", Some("en"));
    let link = pay_and_get_link(&app, cid, &channel).await;
    joins(&app, cid, &link).await;
    let end = sub_of(&app, cid, &channel).await.expires_at;

    app.clock.advance(DAY * 7 + Duration::from_secs(60));
    app.run_jobs_once().await;
    app.tg
        .wait_for(WAIT, |tg| !tg.member_status(CHAT, cid).is_present())
        .await
        .unwrap();
    app.reply_containing(cid, "has ended").await;
    assert_eq!(app.count_containing(cid, TOLD), 0);
    let s = sub_of(&app, cid, &channel).await;
    assert_eq!(
        (s.status, s.expires_at, s.grace_until),
        (SubscriptionStatus::Expired, end, None)
    );
    assert_eq!(app.tg.calls_of("banChatMember").len(), 1);
    let unban = app.tg.calls_of("unbanChatMember");
    assert_eq!(unban[0].params["only_if_banned"], serde_json::json!(true));

    // Paying again starts from the payment.
    pay_and_get_link(&app, cid, &channel).await;
    let back = sub_of(&app, cid, &channel).await;
    assert_eq!(ms(back.expires_at), ms(app.clock.now()) + 7 * DAY_MS);
    app.run_jobs_once().await;
    audit_clean(&app).await;
}

/// A free trial's end gets no grace, and a sweep that comes after the whole grace removes at
/// once (nobody is told of a grace that is already over).
async fn no_grace_after_a_trial_or_after_a_late_sweep(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = weekly_channel(&app).await;
    let tier = app.ctx.db.tiers(channel.id).await.unwrap()[0].id;
    let dan = app.user(65, "Dan", Some("en"));
    let link = pay_and_get_link(&app, dan, &channel).await;
    joins(&app, dan, &link).await;
    let now = app.clock.now();
    // Set up directly: the owner's typing is the first test's (and the trials') business.
    assert!(
        app.ctx
            .db
            .owner_set_trial_days(OWNER, tier, 3, now)
            .await
            .unwrap()
    );
    assert_eq!(
        app.ctx
            .db
            .owner_set_grace_hours(OWNER, channel.id, 2, now)
            .await
            .unwrap(),
        Some(0)
    );
    // Another owner cannot change it.
    assert_eq!(
        app.ctx
            .db
            .owner_set_grace_hours(OWNER + 1, channel.id, 5, now)
            .await
            .unwrap(),
        None
    );
    assert_eq!(app.ctx.db.grace_hours(channel.id).await.unwrap(), 2);

    let tia = app.user(64, "Tia", Some("en"));
    let card = type_expect(
        &app,
        tia,
        &format!("/start c_{}", channel.code),
        "Choose a plan",
    )
    .await;
    press_expect(&app, tia, &card, &format!("trial:{tier}"), "free trial of").await;
    let dm = app.reply_containing(tia, "Free trial started!").await;
    joins(&app, tia, &dm.buttons()[0].2.clone().unwrap()).await;

    // The trial ends: removed at once, no grace.
    app.clock.advance(DAY * 3 + Duration::from_secs(60));
    app.run_jobs_once().await;
    app.tg
        .wait_for(WAIT, |tg| !tg.member_status(CHAT, tia).is_present())
        .await
        .unwrap();
    app.reply_containing(tia, "Your free trial of").await;
    assert_eq!(app.count_containing(tia, TOLD), 0);
    assert_eq!(sub_of(&app, tia, &channel).await.grace_until, None);

    // The sweep comes three hours after Dan's end (the process was down): his 2-hour grace is
    // over, so he is removed at once without being told of it.
    app.clock.advance(DAY * 4 + HOUR * 3);
    app.run_jobs_once().await;
    app.tg
        .wait_for(WAIT, |tg| !tg.member_status(CHAT, dan).is_present())
        .await
        .unwrap();
    app.reply_containing(dan, "has ended").await;
    assert_eq!(app.count_containing(dan, TOLD), 0);
    assert_eq!(app.count_containing(dan, "ends on"), 0, "no late reminder");
    assert_eq!(
        sub_of(&app, dan, &channel).await.status,
        SubscriptionStatus::Expired
    );
    audit_clean(&app).await;
}

/// The process dies right after the expiry job stored the grace and before it told the
/// subscriber: after the restart the subscriber is told (once), keeps access, and is removed
/// once at the grace's end, whatever restarts happen in between.
async fn a_crash_in_the_grace_tells_once_and_removes_once(backend: Backend) {
    let Some(mut app) = spawn_app(backend).await else {
        return;
    };
    let channel = weekly_channel(&app).await;
    let now = app.clock.now();
    app.ctx
        .db
        .owner_set_grace_hours(OWNER, channel.id, 24, now)
        .await
        .unwrap();
    let cat = app.user(66, "Cat", Some("en"));
    let link = pay_and_get_link(&app, cat, &channel).await;
    joins(&app, cat, &link).await;
    let sub = sub_of(&app, cat, &channel).await;
    let end = sub.expires_at;
    app.clock.advance(DAY * 7 + Duration::from_secs(60));
    app.stop_process().await;

    // The dying process (set up directly: a crash at this point is hard to reach): its expiry
    // job is claimed, the grace is stored, then it is killed before the message.
    let now = app.clock.now();
    let db = Db::connect(&app.database()).await.unwrap();
    let until = UnixMillis::from_millis(ms(end) + 24 * HOUR_MS);
    assert!(
        db.enqueue(
            &NewJob {
                job: Job::ExpireSubscription {
                    subscription_id: sub.id,
                    expires_at: end,
                },
                unique_key: Some(format!("expire:{}:{}", sub.id, ms(end))),
                run_at: now,
                give_up_at: now.saturating_add(DAY),
            },
            now,
        )
        .await
        .unwrap()
    );
    let lease = app.ctx.config.jobs.lease;
    let claimed = sqlx::query(
        "UPDATE jobs SET state = 'running', attempts = 1, lease_until = $1, leased_by = $2 \
         WHERE unique_key = $3 AND state = 'pending'",
    )
    .bind(ms(now.saturating_add(lease)))
    .bind("dead/1")
    .bind(format!("expire:{}:{}", sub.id, ms(end)))
    .execute(db.pool())
    .await
    .unwrap();
    assert_eq!(claimed.rows_affected(), 1);
    assert!(db.start_grace(sub.id, end, until, now).await.unwrap());
    db.close().await;

    app.start_process().await;
    if backend == Backend::Postgres {
        // Maybe a live replica's lease: taken when it runs out.
        app.clock.advance(lease + Duration::from_secs(1));
    }
    app.run_jobs_once().await;
    app.reply_containing(cat, TOLD).await;
    assert!(app.tg.member_status(CHAT, cat).is_present());
    app.restart().await;
    app.clock.advance(HOUR);
    app.run_jobs_once().await;
    assert_eq!(app.count_containing(cat, TOLD), 1);
    assert_eq!(sub_of(&app, cat, &channel).await.grace_until, Some(until));

    // The grace ends: removed once, told once, across another restart.
    app.clock.advance(HOUR * 23);
    app.run_jobs_once().await;
    app.tg
        .wait_for(WAIT, |tg| !tg.member_status(CHAT, cat).is_present())
        .await
        .unwrap();
    app.reply_containing(cat, "has ended").await;
    app.restart().await;
    app.clock.advance(HOUR);
    app.run_jobs_once().await;
    assert_eq!(app.tg.calls_of("banChatMember").len(), 1);
    assert_eq!(app.count_containing(cat, "has ended"), 1);
    assert_eq!(app.count_containing(cat, TOLD), 1);
    audit_clean(&app).await;
}

on_both_backends!(
    a_crash_in_the_grace_tells_once_and_removes_once,
    grace_renewal_and_removal_at_its_end,
    grace_zero_removes_at_expiry_as_before,
    no_grace_after_a_trial_or_after_a_late_sweep,
);
