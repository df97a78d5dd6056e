//! Several replicas on one PostgreSQL database (ARCHITECTURE: any number of processes may run
//! side by side). Two full applications run behind a round-robin forwarder, Telegram in webhook
//! mode, so updates and IPNs are spread over both; both run their job runners and tick their
//! timers, one after the other and at the same time. Every side effect must still happen
//! exactly once: one grant and one invite link per payment, one payout per instant payment,
//! one conversion and one batch per tick at most, one host-wallet transaction per payout or
//! conversion, one DM per notice, no job run twice, the audit clean. And both replicas must
//! really have worked, so the test cannot pass with one of them idle.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::time::Duration;

use alloy_primitives::Address;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use telepay::domain::money::UsdMicros;
use telepay::domain::states::PayoutState;
use telepay::domain::time::Clock;
use telepay::jobs::TickOutcome;
use telepay::store::channels::{Channel, PayoutStrategy};
use telepay_sim::nowpayments::PayIn;
use telepay_sim::telegram::SimMessage;
use telepay_sim::telegram::{AdminRights, NewChat};

use crate::subscriber::np_id;
use crate::support::app::{host_address, usdt_contract};
use crate::support::fixtures;
use crate::support::replicas::{
    Cluster, TickOrder, TickRound, install_job_log, job_log, spawn_replicas,
};
use crate::support::wait::eventually;

const EVM_A: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const TRON_B: &str = "TNDFkiSmBQorNFacb3735q8MnT29sn8BLn";
const EVM_C: &str = "0x52908400098527886E0F7030069857D2E4169EE7";

/// The three channels: instant in USDT on BSC (a direct host-wallet transfer), instant in TRX
/// (an exchange funded from the host wallet), and a $3 threshold paid in BNB (a conversion,
/// then a batch).
struct Channels {
    direct: Channel,
    exchange: Channel,
    threshold: Channel,
}

const OWNERS: [i64; 3] = [801, 802, 803];

async fn channels(cl: &Cluster) -> Channels {
    let now = cl.clock.now();
    let mut made = Vec::new();
    let setups = [
        ("Direct Club", "USDT", "BSC", EVM_A, PayoutStrategy::Instant),
        (
            "Exchange Club",
            "TRX",
            "TRX",
            TRON_B,
            PayoutStrategy::Instant,
        ),
        (
            "Threshold Club",
            "USDT",
            "BSC",
            EVM_C,
            PayoutStrategy::Threshold(UsdMicros::from_cents(300)),
        ),
    ];
    for (k, (title, currency, network, address, strategy)) in setups.into_iter().enumerate() {
        let owner = OWNERS[k];
        let chat = -100_800_000 - owner;
        cl.user(owner, &format!("Owner{k}"));
        cl.tg.add_chat(NewChat::channel(chat, title).owner(owner));
        cl.tg.set_bot_rights(chat, AdminRights::full());
        fixtures::owner(cl.db(), owner, now).await;
        let mut c = fixtures::channel_template(owner, chat);
        c.title = title.into();
        c.payout.currency = currency.into();
        c.payout.network = network.into();
        c.payout.address = address.into();
        c.payout.strategy = strategy;
        made.push(cl.db().create_channel(&c, now).await.unwrap());
    }
    let threshold = made.pop().unwrap();
    let exchange = made.pop().unwrap();
    let direct = made.pop().unwrap();
    Channels {
        direct,
        exchange,
        threshold,
    }
}

/// Opens the deep link, presses the first tier ($5 / 30 days) and returns the NOWPayments
/// invoice id.
async fn buy(cl: &Cluster, user: i64, c: &Channel) -> u64 {
    cl.send_text(user, &format!("/start c_{}", c.code));
    let card = cl.nth_reply_containing(user, "Choose a plan", 0).await;
    let data = card.callback_data();
    assert_eq!(data.len(), 2, "one button per tier");
    cl.press(user, card.message_id, &data[0]);
    cl.nth_reply_containing(user, "Pay with any coin", 0).await;
    let invoices = cl.db().recent_invoices(user, 5).await.unwrap();
    assert_eq!(invoices.len(), 1);
    np_id(invoices[0].np_invoice_id.as_deref().unwrap())
}

/// Pays the invoice through NOWPayments (which sends its IPNs through the forwarder), then
/// posts the final IPN byte for byte to every replica at once and has NOWPayments resend it:
/// a retried IPN landing on another replica while the first is still being handled.
async fn pay(cl: &Cluster, invoice: u64, bnb: bool) {
    let payin = if bnb {
        PayIn::exact("bnbbsc", dec!(0.0083)).outcome("bnbbsc", dec!(0.008))
    } else {
        PayIn::exact("usdtbsc", dec!(5)).outcome("usdtbsc", dec!(4.95))
    };
    let payment = cl.np.pay(invoice, payin).unwrap();
    cl.np.advance_to_finished(payment).unwrap();
    if bnb {
        // NOWPayments settles the outcome into the host wallet.
        cl.evm.credit_native(
            host_address(),
            telepay::payouts::wallet::to_base_units(dec!(0.008), 18).unwrap(),
        );
    }
    let (body, sig) = cl.np.ipn_wire(payment).unwrap();
    let statuses = futures::future::join_all(cl.replicas.iter().map(|r| {
        cl.http
            .post(format!("http://{}/webhooks/nowpayments", r.addr))
            .header("x-nowpayments-sig", &sig)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
    }))
    .await;
    for s in statuses {
        assert_eq!(s.expect("the IPN endpoint answers").status().as_u16(), 200);
    }
    cl.np.resend_ipn(payment).unwrap();
}

async fn count(cl: &Cluster, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_one(cl.db().pool())
        .await
        .unwrap();
    n
}

/// (id, kind, channel, state, usd micros) of every payout.
async fn payouts(cl: &Cluster) -> Vec<(i64, String, i64, String, i64)> {
    sqlx::query_as("SELECT id, kind, channel_id, state, usd_micros FROM payouts ORDER BY id")
        .fetch_all(cl.db().pool())
        .await
        .unwrap()
}

async fn all_settled(cl: &Cluster, ch: &Channels) -> bool {
    let ps = payouts(cl).await;
    let instant = ps.iter().filter(|p| p.1 == "instant").count();
    let unsettled_acc = count(
        cl,
        &format!(
            "SELECT COUNT(*) FROM accumulations WHERE channel_id = {} AND state <> 'paid'",
            ch.threshold.id
        ),
    )
    .await;
    let open_conversions = count(
        cl,
        "SELECT COUNT(*) FROM conversions WHERE finished_at IS NULL",
    )
    .await;
    instant == 5
        && ps.iter().any(|p| p.1 == "batch")
        && ps
            .iter()
            .all(|p| PayoutState::from_str(&p.3).is_ok_and(|s| s.is_final()))
        && unsettled_acc == 0
        && open_conversions == 0
}

fn ran(round: &TickRound, timer: &str) -> Vec<usize> {
    round
        .iter()
        .filter(|(_, t, o)| *t == timer && *o == TickOutcome::Ran)
        .map(|(r, _, _)| *r)
        .collect()
}

async fn two_replicas_one_database_every_effect_once() {
    let Some(cl) = spawn_replicas(2, |raw| raw.min_conversion_usd = Some("1".into())).await else {
        return;
    };
    install_job_log(cl.db()).await;
    let ch = channels(&cl).await;
    let t0 = cl.clock.now();

    // Eight subscribers buy through the bot at the same time.
    let buyers: Vec<(i64, &Channel, bool)> = vec![
        (1, &ch.direct, false),
        (2, &ch.direct, false),
        (3, &ch.direct, false),
        (4, &ch.exchange, false),
        (5, &ch.exchange, false),
        (6, &ch.threshold, true),
        (7, &ch.threshold, true),
        (8, &ch.threshold, true),
    ];
    for (u, _, _) in &buyers {
        cl.user(*u, &format!("Sub{u}"));
    }
    let invoices = futures::future::join_all(buyers.iter().map(|(u, c, _)| buy(&cl, *u, c))).await;
    futures::future::join_all(
        buyers
            .iter()
            .zip(&invoices)
            .map(|((_, _, bnb), inv)| pay(&cl, *inv, *bnb)),
    )
    .await;
    for (u, _, _) in &buyers {
        cl.nth_reply_containing(*u, "Payment received", 0).await;
    }
    eventually("every IPN the simulator sent delivered", async || {
        cl.np.ipns_pending() == 0
    })
    .await;

    // Both replicas run their jobs and tick their timers until everything is final: in turn
    // (so each is first sometimes) and at the same time.
    cl.run_jobs_everywhere().await;
    let timers = [
        telepay::payouts::convert::TIMER,
        telepay::payouts::batch::TIMER,
    ];
    let mut rounds = Vec::new();
    let mut settled_at = None;
    for round in 0..40 {
        let order = match round % 3 {
            0 => TickOrder::From(0),
            1 => TickOrder::From(1),
            _ => TickOrder::Together,
        };
        let (conv_before, batch_before) = (
            count(&cl, "SELECT COUNT(*) FROM conversions").await,
            count(&cl, "SELECT COUNT(*) FROM payouts WHERE kind = 'batch'").await,
        );
        let ticks = cl.tick_timers(order).await;
        let (conv_after, batch_after) = (
            count(&cl, "SELECT COUNT(*) FROM conversions").await,
            count(&cl, "SELECT COUNT(*) FROM payouts WHERE kind = 'batch'").await,
        );
        assert!(
            conv_after - conv_before <= 1,
            "round {round}: one conversion per tick at most"
        );
        assert!(
            batch_after - batch_before <= 1,
            "round {round}: one batch per tick at most"
        );
        assert!(
            ticks.iter().all(|(_, _, o)| *o != TickOutcome::Failed),
            "round {round}: {ticks:?}"
        );
        let mut by_timer: HashMap<&str, usize> = HashMap::new();
        for (_, t, o) in &ticks {
            if *o == TickOutcome::Ran {
                *by_timer.entry(t).or_default() += 1;
            }
        }
        assert!(
            by_timer.values().all(|n| *n == 1),
            "round {round}: a timer ran on both replicas: {ticks:?}"
        );
        for t in timers {
            // Twenty minutes passed: both money timers are due, and exactly one replica ran
            // each; when they tick in turn, the first one.
            let who = ran(&ticks, t);
            assert_eq!(who.len(), 1, "round {round}, {t}: {ticks:?}");
            if let TickOrder::From(first) = order {
                assert_eq!(who, vec![first], "round {round}, {t}");
            }
        }
        rounds.push(ticks);
        cl.run_jobs_everywhere().await;
        if settled_at.is_none() && all_settled(&cl, &ch).await {
            settled_at = Some(round);
        }
        // Two more rounds once everything is final: nothing may happen again.
        if settled_at.is_some_and(|r| round >= r + 2) {
            break;
        }
        cl.clock.advance(Duration::from_secs(20 * 60));
    }
    assert!(
        settled_at.is_some(),
        "never settled: {:?}",
        payouts(&cl).await
    );

    // Timers ticked on both replicas.
    for t in timers {
        let who: BTreeSet<usize> = rounds.iter().flat_map(|r| ran(r, t)).collect();
        assert_eq!(who, BTreeSet::from([0, 1]), "{t} ran on both replicas");
    }

    // Updates and IPNs reached both replicas, and each was answered with success.
    let hits = cl.forwarder.hits();
    for replica in 0..2 {
        let mine: Vec<_> = hits.iter().filter(|h| h.replica == replica).collect();
        let ipns = mine
            .iter()
            .filter(|h| h.path.starts_with("/webhooks/nowpayments"))
            .count();
        let updates = mine.len() - ipns;
        assert!(
            ipns > 0 && updates > 0,
            "replica {replica}: {ipns} IPNs, {updates} updates"
        );
    }
    assert!(
        hits.iter().all(|h| (200..300).contains(&h.status)),
        "{hits:?}"
    );

    // One payment, one subscription of 30 days (a second grant would have made it 60), one
    // invite link, one "Payment received" per subscriber.
    assert_eq!(count(&cl, "SELECT COUNT(*) FROM payments").await, 8);
    for (u, c, _) in &buyers {
        let sub = cl.db().subscription_of(*u, c.id).await.unwrap().unwrap();
        let days = (sub.expires_at.as_millis() - t0.as_millis()) / 86_400_000;
        assert!((29..=30).contains(&days), "user {u}: {days} days");
        assert_eq!(cl.count_containing(*u, "Payment received"), 1, "user {u}");
    }
    assert_eq!(count(&cl, "SELECT COUNT(*) FROM subscriptions").await, 8);
    assert_eq!(cl.tg.calls_of("createChatInviteLink").len(), 8);
    assert_eq!(count(&cl, "SELECT COUNT(*) FROM invite_links").await, 8);

    // Payouts: one per instant payment, batches one per tick, all sent.
    let ps = payouts(&cl).await;
    let instant: Vec<_> = ps.iter().filter(|p| p.1 == "instant").collect();
    let batches: Vec<_> = ps.iter().filter(|p| p.1 == "batch").collect();
    assert_eq!(instant.len(), 5, "{ps:?}");
    assert_eq!(
        count(
            &cl,
            "SELECT COUNT(DISTINCT payment_id) FROM payouts WHERE kind = 'instant'"
        )
        .await,
        5
    );
    assert!(ps.iter().all(|p| p.3 == "sent"), "{ps:?}");
    assert!(batches.iter().all(|p| p.2 == ch.threshold.id));
    let conversions = count(&cl, "SELECT COUNT(*) FROM conversions").await;
    assert!(conversions >= 1);

    // One host-wallet transaction per payout and per conversion, none replaced or repeated.
    let per_owner: Vec<(Option<i64>, Option<i64>, i64)> = sqlx::query_as(
        "SELECT payout_id, conversion_id, COUNT(*) FROM wallet_transactions \
         GROUP BY payout_id, conversion_id",
    )
    .fetch_all(cl.db().pool())
    .await
    .unwrap();
    assert!(per_owner.iter().all(|r| r.2 == 1), "{per_owner:?}");
    let expected_txs = ps.len() + usize::try_from(conversions).unwrap();
    assert_eq!(per_owner.len(), expected_txs, "{per_owner:?}");
    assert_eq!(cl.evm.sent_count(host_address()), expected_txs);

    // ChangeNOW: one exchange per TRX payout and per conversion, each funded once.
    let exchanges = 2 + usize::try_from(conversions).unwrap();
    assert_eq!(cl.cn.created_count(), exchanges);
    let funded = cl
        .cn
        .exchanges()
        .iter()
        .filter(|e| e.deposit.is_some())
        .count();
    assert_eq!(funded, exchanges);
    assert_eq!(cl.cn.payouts().len(), exchanges);
    assert!(cl.cn.received_by(TRON_B) > Decimal::ZERO);

    // The owners got exactly their money.
    let units = |d: Decimal| telepay::payouts::wallet::to_base_units(d, 18).unwrap();
    assert_eq!(
        cl.evm
            .token_balance(usdt_contract(), Address::from_str(EVM_A).unwrap()),
        units(dec!(4.8015) * dec!(3))
    );
    let batch_total: i64 = batches.iter().map(|p| p.4).sum();
    let acc_total = count(
        &cl,
        &format!(
            "SELECT CAST(SUM(usdt_micros) AS BIGINT) FROM accumulations WHERE channel_id = {}",
            ch.threshold.id
        ),
    )
    .await;
    assert_eq!(batch_total, acc_total);
    assert_eq!(
        cl.evm
            .token_balance(usdt_contract(), Address::from_str(EVM_C).unwrap()),
        units(UsdMicros::from_micros(acc_total).to_decimal())
    );

    // One DM per notice: the owners' "Payout sent" once per payout, "New payment" once per
    // payment, and no chat got any other message twice.
    for (k, c) in [&ch.direct, &ch.exchange, &ch.threshold].iter().enumerate() {
        let n = ps.iter().filter(|p| p.2 == c.id).count();
        assert_eq!(
            cl.count_containing(OWNERS[k], "Payout sent"),
            n,
            "{}",
            c.title
        );
    }
    assert_eq!(
        cl.count_containing(OWNERS[2], "reached your payout threshold"),
        batches.len()
    );
    // "New payment" is one notice per payment, with the same text for the same plan.
    for (k, c) in [&ch.direct, &ch.exchange, &ch.threshold].iter().enumerate() {
        let paid = buyers.iter().filter(|b| b.1.id == c.id).count();
        assert_eq!(
            cl.count_containing(OWNERS[k], "New payment"),
            paid,
            "{}",
            c.title
        );
    }
    for chat in OWNERS.iter().chain(buyers.iter().map(|(u, _, _)| u)) {
        let mut seen = BTreeMap::new();
        for m in
            cl.tg.messages_in(*chat).into_iter().filter(|m| {
                m.from_bot && !m.text.as_deref().is_some_and(|t| t.contains("New payment"))
            })
        {
            *seen.entry(m.text.unwrap_or_default()).or_insert(0) += 1;
        }
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            twice.is_empty(),
            "chat {chat} got a message twice: {twice:#?}"
        );
    }

    // Jobs: none failed or left running; each claimed only when pending (never taken over
    // from a live lease), each claim ended by exactly one recorded outcome, attempts = claims;
    // one grant job per payment; and both replicas' runners claimed jobs.
    let counts = cl.db().job_counts().await.unwrap();
    assert!(
        counts
            .iter()
            .all(|(s, n)| !matches!(s.as_str(), "failed" | "running") || *n == 0),
        "{counts:?}"
    );
    let log = job_log(cl.db()).await;
    let claims: Vec<_> = log.iter().filter(|e| e.event == "claim").collect();
    assert!(!claims.is_empty());
    for c in &claims {
        assert_eq!(
            c.old_state, "pending",
            "a job taken over while running: {c:?}"
        );
        let outcomes = log
            .iter()
            .filter(|e| e.event == "finish" && e.token == c.token && e.job_id == c.job_id)
            .count();
        assert_eq!(outcomes, 1, "claim {c:?}");
    }
    let mut by_job: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for c in &claims {
        by_job.entry(c.job_id).or_default().push(c.attempts);
    }
    for (job, attempts) in &by_job {
        let expected: Vec<i64> = (1..=i64::try_from(attempts.len()).unwrap()).collect();
        assert_eq!(attempts, &expected, "job {job}: one run per attempt");
    }
    assert_eq!(
        count(&cl, "SELECT COUNT(*) FROM jobs WHERE kind = 'grant_access'").await,
        8
    );
    assert!(
        log.iter()
            .filter(|e| e.event == "finish")
            .all(|e| e.new_state != "failed"),
        "{log:#?}"
    );
    let mut per_worker: HashMap<&str, usize> = HashMap::new();
    let mut per_kind: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for c in &claims {
        let worker = c.token.split_once('/').map_or(c.token.as_str(), |w| w.0);
        *per_worker.entry(worker).or_default() += 1;
        *per_kind.entry((worker, c.kind.as_str())).or_default() += 1;
    }
    eprintln!("job runs per worker and kind: {per_kind:#?}");
    for r in &cl.replicas {
        assert!(
            per_worker.get(r.runner.worker_id()).is_some_and(|n| *n > 0),
            "replica {} claimed no job: {per_worker:?}",
            r.addr
        );
    }

    let report = telepay::payouts::audit::audit(cl.db()).await.unwrap();
    assert!(report.clean(), "{report}");
    cl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    two_replicas_one_database_every_effect_once().await
}

/// A tier button pressed twice in a row. One replica handles one user's updates in order, so
/// there the second press finds the invoice the first one opened. Behind a load balancer the
/// two presses reach two replicas at once; the database keeps one checkout per user and tier
/// (a partial unique index), so the second waits for the first and shows the same invoice:
/// one invoice at NOWPayments. A slow NOWPayments makes the two checkouts overlap for sure.
async fn a_double_press_on_two_replicas_opens_one_invoice() {
    let Some(cl) = spawn_replicas(2, |_| {}).await else {
        return;
    };
    let ch = channels(&cl).await;
    let u = cl.user(1, "Sub1");
    cl.send_text(u, &format!("/start c_{}", ch.direct.code));
    let card = cl.nth_reply_containing(u, "Choose a plan", 0).await;
    let data = card.callback_data();
    cl.np
        .set_delay("/invoice", Some(Duration::from_millis(500)));
    cl.press(u, card.message_id, &data[0]);
    cl.press(u, card.message_id, &data[0]);
    let first = cl.nth_reply_containing(u, "Pay with any coin", 0).await;
    let second = cl.nth_reply_containing(u, "Pay with any coin", 1).await;
    assert_eq!(cl.np.invoices().len(), 1, "one invoice at NOWPayments");
    assert_eq!(cl.db().recent_invoices(u, 5).await.unwrap().len(), 1);
    let url = |m: &SimMessage| m.buttons().into_iter().find_map(|b| b.2);
    assert!(url(&first).is_some());
    assert_eq!(url(&first), url(&second), "both presses show the same page");
    // The two presses really went to the two replicas.
    let presses: Vec<usize> = cl
        .forwarder
        .hits()
        .iter()
        .filter(|h| !h.path.starts_with("/webhooks/nowpayments"))
        .map(|h| h.replica)
        .collect();
    let last_two: BTreeSet<usize> = presses.iter().rev().take(2).copied().collect();
    assert_eq!(last_two, BTreeSet::from([0, 1]), "{presses:?}");
    assert_eq!(
        count(
            &cl,
            "SELECT COUNT(*) FROM invoices WHERE status IN ('creating', 'cancelled')"
        )
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_press_postgres() {
    a_double_press_on_two_replicas_opens_one_invoice().await
}
