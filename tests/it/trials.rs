//! Free trials (issue 15), as people use them: the owner types a trial length in the bot, a
//! subscriber starts the trial from the channel card, joins, is reminded with a buy button and
//! removed at the end; one trial per user and channel, ever; a later payment counts as a
//! conversion on the owner's balance; a trial moves no money.

use std::time::Duration;

use rust_decimal_macros::dec;
use telepay::access::trial::{TrialOutcome, start_trial};
use telepay::domain::states::SubscriptionStatus;
use telepay::domain::time::Clock;
use telepay::store::channels::Channel;
use telepay_sim::telegram::SimMessage;

use crate::on_both_backends;
use crate::subscriber::{CHAT, buy_first_tier, live_channel, np_id, usdt};
use crate::support::app::{TestApp, WAIT, inject_expect, press_expect, spawn_app, type_expect};
use crate::support::db::Backend;

const OWNER: i64 = 500;
const DAY: Duration = Duration::from_secs(86_400);

/// The owner opens /channels → the channel → 🎁 Free trials → the first plan, and types
/// `days`; returns the first tier's id.
async fn owner_sets_trial(app: &TestApp, channel: &Channel, days: &str, expect: &str) -> i64 {
    let tier = app.ctx.db.tiers(channel.id).await.unwrap()[0].id;
    let list = type_expect(app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Payment notifications",
    )
    .await;
    let trials = press_expect(
        app,
        OWNER,
        &card,
        &format!("o:trials:{}", channel.id),
        "Free trials of",
    )
    .await;
    press_expect(
        app,
        OWNER,
        &trials,
        &format!("o:trial:{tier}"),
        "How many days",
    )
    .await;
    type_expect(app, OWNER, days, expect).await;
    tier
}

async fn trial_days(app: &TestApp, channel: &Channel) -> Vec<u32> {
    app.ctx
        .db
        .trial_days(channel.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, d)| d)
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::Row::get(
        &sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap(),
        0,
    )
}

async fn audit_clean(app: &TestApp) {
    let report = telepay::payouts::audit::audit(&app.ctx.db).await.unwrap();
    assert!(report.clean(), "{report}");
}

/// Opens the deep link and returns the channel card.
async fn open_card(app: &TestApp, user: i64, channel: &Channel) -> SimMessage {
    type_expect(
        app,
        user,
        &format!("/start c_{}", channel.code),
        "Choose a plan",
    )
    .await
}

async fn the_trial_journey_from_typed_days_to_removal(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;

    // The owner types bad lengths first: a clear refusal each time, nothing changes.
    let tier = owner_sets_trial(&app, &channel, "three", "whole number of days").await;
    type_expect(&app, OWNER, "31", "whole number of days").await;
    type_expect(&app, OWNER, "-1", "whole number of days").await;
    assert_eq!(trial_days(&app, &channel).await, vec![0, 0]);
    type_expect(&app, OWNER, "3", "free trial of 3 days").await;
    assert_eq!(trial_days(&app, &channel).await, vec![3, 0]);
    // The channel card shows it.
    let list = type_expect(&app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        &app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Payment notifications",
    )
    .await;
    assert!(
        card.text
            .as_deref()
            .unwrap()
            .contains("🎁 Free trials: 🥇 3-day trial")
    );

    // A subscriber sees the trial button next to the plans and presses it.
    let u = app.user(21, "Tia", Some("en"));
    let card = open_card(&app, u, &channel).await;
    let trial_data = format!("trial:{tier}");
    assert_eq!(card.callback_data().len(), 3, "two plans and one trial");
    assert!(card.callback_data().contains(&trial_data));
    let label = card
        .buttons()
        .into_iter()
        .find(|b| b.1.as_deref() == Some(trial_data.as_str()));
    assert!(label.unwrap().0.contains("Try 3 days free"));
    press_expect(&app, u, &card, &trial_data, "free trial of").await;
    let dm = app.reply_containing(u, "Free trial started!").await;
    let link = dm.buttons()[0].2.clone().expect("join link");
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert!(sub.is_active(app.clock.now()));
    let trial = app.ctx.db.trial_of(u, channel.id).await.unwrap().unwrap();
    assert_eq!(trial.subscription_id, sub.id);
    assert_eq!(sub.expires_at, trial.ends_at);
    assert_eq!(
        trial.ends_at.as_millis() - trial.started_at.as_millis(),
        3 * 86_400_000
    );
    // Locked at the plan's price and length: the buy button later offers exactly that plan.
    assert_eq!(sub.tier_id, Some(tier));
    assert_eq!(sub.locked_days, 30);
    // The user joins: the join request is approved.
    app.tg.user_opens_invite_link(u, &link).unwrap();
    app.tg
        .wait_for(WAIT, |tg| tg.member_status(CHAT, u).is_present())
        .await
        .unwrap();
    // The owner is told.
    app.reply_containing(OWNER, "started a 3-day free trial")
        .await;

    // A second press of the same button: refused, nothing changes.
    press_expect(&app, u, &card, &trial_data, "already used your free trial").await;
    assert_eq!(
        app.ctx
            .db
            .subscription_of(u, channel.id)
            .await
            .unwrap()
            .unwrap(),
        sub
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM trials").await, 1);
    // The card no longer offers it.
    let again = open_card(&app, u, &channel).await;
    assert_eq!(again.callback_data().len(), 2);
    // A trial moves no money.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invoices").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payments").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM subscription_grants").await,
        0
    );

    // A reminder the day before the end, with the one-tap buy button of the plan.
    app.clock.advance(DAY * 2 + Duration::from_secs(3600));
    app.run_jobs_once().await;
    let reminder = app.reply_containing(u, "ends on").await;
    assert!(
        reminder
            .text
            .as_deref()
            .unwrap()
            .contains("Your free trial of")
    );
    assert_eq!(reminder.callback_data(), vec![format!("buy:{tier}")]);
    assert_eq!(reminder.buttons()[0].0, "💳 Subscribe");
    // One tap opens the plan's invoice (nothing is paid here).
    let invoice = press_expect(
        &app,
        u,
        &reminder,
        &format!("buy:{tier}"),
        "Pay with any coin",
    )
    .await;
    assert!(invoice.buttons()[0].2.is_some());
    let open = app.ctx.db.recent_invoices(u, 1).await.unwrap().remove(0);
    assert_eq!((open.price.micros(), open.days), (5_000_000, Some(30)));

    // At the end the member is removed.
    app.clock.advance(DAY);
    app.run_jobs_once().await;
    app.tg
        .wait_for(WAIT, |tg| !tg.member_status(CHAT, u).is_present())
        .await
        .unwrap();
    let bye = app.reply_containing(u, "has ended").await;
    assert!(bye.text.as_deref().unwrap().contains("Your free trial of"));
    assert_eq!(bye.callback_data(), vec![format!("buy:{tier}")]);
    assert_eq!(bye.buttons()[0].0, "💳 Subscribe");
    let ended = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, SubscriptionStatus::Expired);

    // After the end: no trial button, and a replayed press is refused.
    let after = open_card(&app, u, &channel).await;
    assert_eq!(after.callback_data().len(), 2);
    inject_expect(
        &app,
        u,
        after.message_id,
        &trial_data,
        "already used your free trial",
    )
    .await;
    let still = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, SubscriptionStatus::Expired);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM trials").await, 1);

    // The owner removes the trial: 0 clears it; a new user sees no trial button.
    owner_sets_trial(&app, &channel, "0", "no free trial any more").await;
    assert_eq!(trial_days(&app, &channel).await, vec![0, 0]);
    let v = app.user(22, "Vic", Some("en"));
    let card = open_card(&app, v, &channel).await;
    assert_eq!(card.callback_data().len(), 2);
    inject_expect(
        &app,
        v,
        card.message_id,
        &trial_data,
        "not available any more",
    )
    .await;
    assert!(
        app.ctx
            .db
            .subscription_of(v, channel.id)
            .await
            .unwrap()
            .is_none()
    );
    audit_clean(&app).await;
}

async fn a_payment_after_a_trial_converts_and_extends_from_its_end(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    // Cat pays without a trial (before there was one).
    let cat = app.user(33, "Cat", Some("en"));
    crate::subscriber::pay_and_get_link(&app, cat, &channel).await;
    let tier = owner_sets_trial(&app, &channel, "3", "free trial of 3 days").await;

    // Ann tries, then pays during the trial.
    let ann = app.user(31, "Ann", Some("en"));
    let card = open_card(&app, ann, &channel).await;
    press_expect(&app, ann, &card, &format!("trial:{tier}"), "free trial of").await;
    app.reply_containing(ann, "Free trial started!").await;
    let trial = app.ctx.db.trial_of(ann, channel.id).await.unwrap().unwrap();
    app.clock.advance(DAY);
    let (_, np_invoice) = buy_first_tier(&app, ann, &channel).await;
    let invoice = app.ctx.db.recent_invoices(ann, 1).await.unwrap().remove(0);
    assert_eq!(invoice.price.micros(), 5_000_000, "the plan's price");
    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.advance_to_finished(payment).unwrap();
    app.reply_containing(ann, "Payment received").await;
    let sub = app
        .ctx
        .db
        .subscription_of(ann, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        sub.expires_at.as_millis(),
        trial.ends_at.as_millis() + 30 * 86_400_000,
        "paid days start at the trial's end"
    );

    // Ben tries and does not pay.
    let ben = app.user(32, "Ben", Some("en"));
    let card = open_card(&app, ben, &channel).await;
    press_expect(&app, ben, &card, &format!("trial:{tier}"), "free trial of").await;
    app.run_jobs_once().await;

    let counts = app.ctx.db.trial_counts(channel.id).await.unwrap();
    assert_eq!((counts.started, counts.converted), (2, 1));
    // The owner's balance shows it.
    let bal = type_expect(&app, OWNER, "/balance", "All 1 channels").await;
    let per_channel = press_expect(
        &app,
        OWNER,
        &bal,
        &format!("o:bal:{}", channel.id),
        "Trials: started 2, converted 1",
    )
    .await;
    assert!(per_channel.text.as_deref().unwrap().contains("Revenue"));
    audit_clean(&app).await;
}

async fn one_trial_for_two_presses_at_once_and_none_while_subscribed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let tier = app.ctx.db.tiers(channel.id).await.unwrap()[0].id;
    // Eva pays before there is a trial.
    let payer = app.user(42, "Eva", Some("en"));
    crate::subscriber::pay_and_get_link(&app, payer, &channel).await;
    // No trial set yet: nothing to start.
    let u = app.user(41, "Dan", Some("en"));
    open_card(&app, u, &channel).await;
    assert_eq!(
        start_trial(&app.ctx, u, tier).await.unwrap(),
        TrialOutcome::NoTrial
    );
    assert!(
        app.ctx
            .db
            .owner_set_trial_days(OWNER, tier, 5, app.clock.now())
            .await
            .unwrap()
    );
    // Another owner cannot set it.
    assert!(
        !app.ctx
            .db
            .owner_set_trial_days(OWNER + 1, tier, 9, app.clock.now())
            .await
            .unwrap()
    );

    // Two presses at once (as from two replicas): one trial, one refusal.
    let (a, b) = tokio::join!(
        start_trial(&app.ctx, u, tier),
        start_trial(&app.ctx, u, tier)
    );
    let outcomes = [a.unwrap(), b.unwrap()];
    let started = outcomes
        .iter()
        .filter(|o| matches!(o, TrialOutcome::Started { .. }))
        .count();
    assert_eq!(started, 1, "{outcomes:?}");
    assert!(outcomes.contains(&TrialOutcome::AlreadyHad), "{outcomes:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM trials").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'grant_trial_access'"
        )
        .await,
        1
    );
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        sub.expires_at.as_millis() - app.clock.now().as_millis(),
        5 * 86_400_000
    );
    // The database itself refuses a second trial row for the same user and channel.
    let dup = sqlx::query(
        "INSERT INTO trials (id, user_id, channel_id, tier_id, subscription_id, days, started_at, ends_at) \
         VALUES (1, $1, $2, $3, $4, 1, 1, 2)",
    )
    .bind(u)
    .bind(channel.id)
    .bind(tier)
    .bind(sub.id)
    .execute(app.ctx.db.pool())
    .await;
    assert!(dup.is_err(), "UNIQUE (user_id, channel_id)");
    // Nor may an owner's length leave 0..=30.
    let bad = sqlx::query("UPDATE tiers SET trial_days = 31 WHERE id = $1")
        .bind(tier)
        .execute(app.ctx.db.pool())
        .await;
    assert!(bad.is_err(), "CHECK trial_days");

    // A paying subscriber gets no trial.
    let before = app.ctx.db.subscription_of(payer, channel.id).await.unwrap();
    let card = open_card(&app, payer, &channel).await;
    assert_eq!(
        card.callback_data().len(),
        2,
        "no trial button while subscribed"
    );
    inject_expect(
        &app,
        payer,
        card.message_id,
        &format!("trial:{tier}"),
        "already have access",
    )
    .await;
    assert_eq!(
        app.ctx.db.subscription_of(payer, channel.id).await.unwrap(),
        before
    );
    assert!(
        app.ctx
            .db
            .trial_of(payer, channel.id)
            .await
            .unwrap()
            .is_none()
    );

    // Sales paused: no trial.
    let f = app.user(43, "Fay", Some("en"));
    open_card(&app, f, &channel).await;
    app.ctx
        .db
        .owner_set_paused(OWNER, channel.id, true, app.clock.now())
        .await
        .unwrap();
    assert_eq!(
        start_trial(&app.ctx, f, tier).await.unwrap(),
        TrialOutcome::NotOnSale
    );
    assert!(
        app.ctx
            .db
            .subscription_of(f, channel.id)
            .await
            .unwrap()
            .is_none()
    );
    app.ctx
        .db
        .owner_set_paused(OWNER, channel.id, false, app.clock.now())
        .await
        .unwrap();

    // Someone else cannot open or set the channel's trials: refused, no conversation.
    let mallory = app.user(44, "Mal", Some("en"));
    let mine = type_expect(&app, mallory, "/start", "Choose what to do").await;
    for data in [
        format!("o:trials:{}", channel.id),
        format!("o:trial:{tier}"),
    ] {
        inject_expect(&app, mallory, mine.message_id, &data, "not available").await;
    }
    assert!(app.ctx.db.get_dialogue(mallory).await.unwrap().is_none());
    assert_eq!(trial_days(&app, &channel).await, vec![5, 0]);

    // A lapsed payer (never had a trial) may try: the subscription starts again for the
    // trial's days and keeps its price lock.
    app.clock.advance(DAY * 31);
    app.run_jobs_once().await;
    let lapsed = app
        .ctx
        .db
        .subscription_of(payer, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lapsed.status, SubscriptionStatus::Expired);
    let card = open_card(&app, payer, &channel).await;
    assert_eq!(card.callback_data().len(), 3, "the trial is offered again");
    press_expect(
        &app,
        payer,
        &card,
        &format!("trial:{tier}"),
        "free trial of",
    )
    .await;
    let back = app
        .ctx
        .db
        .subscription_of(payer, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.id, lapsed.id);
    assert!(back.is_active(app.clock.now()));
    assert_eq!(
        back.expires_at.as_millis() - app.clock.now().as_millis(),
        5 * 86_400_000
    );
    assert_eq!(
        (back.locked_price, back.locked_days),
        (lapsed.locked_price, lapsed.locked_days)
    );
    app.run_jobs_once().await;
    audit_clean(&app).await;
}

on_both_backends!(
    the_trial_journey_from_typed_days_to_removal,
    a_payment_after_a_trial_converts_and_extends_from_its_end,
    one_trial_for_two_presses_at_once_and_none_while_subscribed,
);
