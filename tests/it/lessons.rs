//! Lessons of the earlier implementation (reference/lessons.md) that the journey tests do not
//! already name: each test says which lesson it covers.

use rust_decimal_macros::dec;
use sqlx::Row;
use telepay::domain::states::SubscriptionStatus;
use telepay::domain::time::Clock;
use telepay_sim::nowpayments::PaymentStatus;

use crate::on_both_backends;
use crate::subscriber::{buy_first_tier, live_channel, np_id, pay_and_get_link, usdt};
use crate::support::app::{WAIT, spawn_app};
use crate::support::db::Backend;

/// Lesson 1: running the access job again (a crash after its side effect) must not hand out a
/// second invite link.
async fn lesson_1_a_repeated_access_job_reuses_the_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(101, "Al", None);
    pay_and_get_link(&app, u, &channel).await;
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    let since = app
        .clock
        .now()
        .saturating_sub(std::time::Duration::from_secs(60));
    for _ in 0..3 {
        telepay::access::grant::grant_access(&app.ctx, sub.id, since)
            .await
            .unwrap();
    }
    assert_eq!(app.ctx.db.live_invite_links(sub.id).await.unwrap().len(), 1);
    assert_eq!(app.tg.calls_of("createChatInviteLink").len(), 1);
}

/// Lessons 4 and 5: idempotency lives in the schema — one payment row per NOWPayments id, one
/// grant per payment, one subscription per user and channel — even under concurrency.
async fn lesson_4_and_5_the_schema_enforces_idempotency(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(102, "Bea", None);
    // Two different payments for the same user and channel, finishing at the same moment.
    let (_, inv1) = buy_first_tier(&app, u, &channel).await;
    let p1 = app.np.pay(np_id(&inv1), usdt(dec!(5))).unwrap();
    app.np.wait_idle(WAIT).await.unwrap();
    let second = app
        .ctx
        .db
        .create_invoice(
            &telepay::store::invoices::NewInvoice {
                kind: telepay::store::invoices::InvoiceKind::Subscription,
                user_id: u,
                channel_id: channel.id,
                tier_id: app
                    .ctx
                    .db
                    .tiers(channel.id)
                    .await
                    .unwrap()
                    // The other plan: one checkout per user and plan may be open at a time.
                    .get(1)
                    .map(|t| t.id),
                parent_invoice_id: None,
                price: telepay::domain::money::UsdMicros::from_cents(500),
                days: Some(30),
                expires_at: app
                    .clock
                    .now()
                    .saturating_add(std::time::Duration::from_secs(3600)),
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    // The second invoice as NOWPayments would know it (the intake checks the invoice id).
    app.ctx
        .db
        .open_invoice(
            second.id,
            "7000000001",
            "https://np.test/second",
            app.clock.now(),
        )
        .await
        .unwrap();
    let mut body2 = app.np.ipn_body(p1).unwrap();
    body2["payment_id"] = 7_000_000_002u64.into();
    body2["invoice_id"] = 7_000_000_001u64.into();
    body2["order_id"] = second.id.to_string().into();
    body2["payment_status"] = "finished".into();
    body2["actually_paid"] = body2["pay_amount"].clone();
    let mut body1 = app.np.ipn_body(p1).unwrap();
    body1["payment_status"] = "finished".into();
    body1["actually_paid"] = body1["pay_amount"].clone();
    let url = format!("http://{}/webhooks/nowpayments", app.addr);
    let mut sends = Vec::new();
    for b in [body1, body2] {
        let sig =
            telepay::providers::nowpayments::ipn::sign_body(crate::support::app::NP_IPN_SECRET, &b);
        sends.push(
            app.http
                .post(&url)
                .header("x-nowpayments-sig", sig)
                .body(b.to_string())
                .send(),
        );
    }
    for r in futures::future::join_all(sends).await {
        assert_eq!(r.unwrap().status(), 200);
    }
    let subs: i64 = sqlx::query("SELECT COUNT(*) FROM subscriptions WHERE user_id = $1")
        .bind(u)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(subs, 1, "one subscription row");
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.ctx.db.grant_count(sub.id).await.unwrap(), 2);
    let days = (sub.expires_at.as_millis() - app.clock.now().as_millis()) / 86_400_000;
    assert_eq!(days, 60, "both payments counted, stacked");
    // The constraints themselves refuse a second row for the same payment.
    let dup = sqlx::query(
        "INSERT INTO payments (id, np_payment_id, status, created_at, updated_at) VALUES (1, $1, 'waiting', 0, 0)",
    )
    .bind(p1.to_string())
    .execute(app.ctx.db.pool())
    .await;
    assert!(dup.is_err());
}

/// Lessons 7 and 8: the order id NOWPayments echoes is exactly our invoice id (no separator to
/// lose a minus sign), and the callback and success URLs are valid absolute URIs.
async fn lesson_7_and_8_order_id_and_urls_reach_nowpayments_intact(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    assert!(channel.chat_id < 0, "a channel id with a minus sign");
    let u = app.user(103, "Cy", None);
    let (invoice_id, np_invoice) = buy_first_tier(&app, u, &channel).await;
    let sim = app.np.invoice(np_id(&np_invoice)).unwrap();
    assert_eq!(
        sim.order_id.as_deref(),
        Some(invoice_id.to_string().as_str())
    );
    assert_eq!(
        sim.ipn_callback_url.as_deref(),
        Some(format!("http://{}/webhooks/nowpayments", app.addr).as_str())
    );
    assert_eq!(
        sim.success_url.as_deref(),
        Some(format!("http://{}/pay/{invoice_id}", app.addr).as_str())
    );
}

/// Lesson 11: access never waits on a price feed: with no exchange reachable the payment still
/// grants (valuation for payouts is separate work that retries, never drops the payment).
async fn lesson_11_access_does_not_depend_on_a_price_feed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(104, "Di", None);
    // The test configuration points ChangeNOW and the EVM node at closed ports.
    pay_and_get_link(&app, u, &channel).await;
    assert!(
        app.ctx
            .db
            .subscription_of(u, channel.id)
            .await
            .unwrap()
            .unwrap()
            .is_active(app.clock.now())
    );
}

/// Lesson 14: no shared checkout state between users: two users buying at once each get their
/// own invoice, and each DM goes to the right person.
async fn lesson_14_concurrent_buyers_never_share_state(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let (a, b) = (app.user(105, "Ed", None), app.user(106, "Flo", None));
    let (ra, rb) = tokio::join!(
        buy_first_tier(&app, a, &channel),
        buy_first_tier(&app, b, &channel)
    );
    assert_ne!(ra.0, rb.0);
    assert_eq!(app.ctx.db.invoice(ra.0).await.unwrap().unwrap().user_id, a);
    assert_eq!(app.ctx.db.invoice(rb.0).await.unwrap().unwrap().user_id, b);
    let pb = app.np.pay(np_id(&rb.1), usdt(dec!(5))).unwrap();
    app.np.set_status(pb, PaymentStatus::Finished).unwrap();
    app.reply_containing(b, "Payment received").await;
    app.run_jobs_once().await;
    assert_eq!(
        app.count_containing(a, "Payment received"),
        0,
        "nothing for the other buyer"
    );
    assert!(
        app.ctx
            .db
            .subscription_of(a, channel.id)
            .await
            .unwrap()
            .is_none()
    );
}

on_both_backends!(
    lesson_1_a_repeated_access_job_reuses_the_link,
    lesson_4_and_5_the_schema_enforces_idempotency,
    lesson_7_and_8_order_id_and_urls_reach_nowpayments_intact,
    lesson_11_access_does_not_depend_on_a_price_feed,
    lesson_14_concurrent_buyers_never_share_state,
);

/// SPEC §4: an overpayment is recorded for admins; a refund takes back the days it bought and
/// alerts admins; the expiry sweep then removes the member.
async fn overpayment_is_recorded_and_a_refund_takes_access_back(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(107, "Gil", None);
    let (_, inv) = buy_first_tier(&app, u, &channel).await;
    let p = app
        .np
        .pay(np_id(&inv), usdt(dec!(5)).paid(dec!(6)))
        .unwrap();
    app.np.set_status(p, PaymentStatus::Finished).unwrap();
    app.reply_containing(u, "Payment received").await;
    let alerts = |kind: &'static str| {
        let db = app.ctx.db.clone();
        async move {
            let n: i64 = sqlx::query("SELECT COUNT(*) FROM alerts WHERE kind = $1")
                .bind(kind)
                .fetch_one(db.pool())
                .await
                .unwrap()
                .get(0);
            n
        }
    };
    assert_eq!(alerts("overpayment").await, 1);
    let over: i64 =
        sqlx::query("SELECT overpaid_usd_micros FROM payments WHERE np_payment_id = $1")
            .bind(p.to_string())
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap()
            .get(0);
    assert_eq!(over, 1_000_000);

    let mut refund = app.np.ipn_body(p).unwrap();
    refund["payment_status"] = "refunded".into();
    assert_eq!(app.post_ipn(&refund).await, 200);
    assert_eq!(alerts("refunded_payment").await, 1);
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !sub.is_active(app.clock.now()),
        "the refunded days are gone"
    );
    app.run_jobs_once().await;
    assert_eq!(
        app.ctx
            .db
            .subscription_of(u, channel.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        SubscriptionStatus::Expired
    );
}

on_both_backends!(overpayment_is_recorded_and_a_refund_takes_access_back);
