//! The deposit-driven lifecycle: a deposit reported by the (separately simulated) chain walks
//! an exchange to `finished` one status per poll and pays out; late deposits are refunded,
//! small ones fail, and the payout hook lets a harness credit its chain.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::{
    EVM_ADDR, TRON_ADDR, client_for, eth, order, product_state, sim, sim_asset, sim_with, usdt_bsc,
    usdt_trx,
};
use telepay::providers::changenow::{Asset, CreateExchange, ExchangeState};
use telepay_sim::changenow::{PayoutKind, SimError, SimPayout};

fn collect_payouts(sim: &telepay_sim::changenow::ChangeNowSim) -> Arc<Mutex<Vec<SimPayout>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    sim.on_payout(Arc::new(move |p: &SimPayout| {
        sink.lock().unwrap().push(p.clone())
    }));
    seen
}

#[tokio::test]
async fn a_deposit_walks_the_exchange_to_finished_one_step_per_poll() {
    let sim = sim().await;
    let client = client_for(&sim);
    let seen = collect_payouts(&sim);
    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();

    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::New
    );
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Waiting
    );
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Waiting,
        "no deposit, no progress"
    );

    let id = sim
        .deposit(
            &ex.payin_address.to_uppercase().replace("0X", "0x"),
            dec!(100),
            "0xdeposit1",
        )
        .unwrap();
    assert_eq!(
        id, ex.id,
        "found by payin address, case-insensitively for 0x addresses"
    );

    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.status, ExchangeState::Confirming);
    assert_eq!(st.amount_from, Some(dec!(100)));
    assert_eq!(
        st.amount_to, None,
        "not known before the payout (lesson 33)"
    );
    assert_eq!(st.payin_hash.as_deref(), Some("0xdeposit1"));
    assert!(st.deposit_received_at.is_some());
    assert_eq!(st.payout_hash, None);
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Exchanging
    );
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Sending
    );
    let done = client.exchange(&ex.id).await.unwrap();
    assert_eq!(done.status, ExchangeState::Finished);
    assert_eq!(done.amount_to, Some(dec!(0.03283332)));
    let hash = done.payout_hash.clone().unwrap();
    assert!(hash.starts_with("0x") && hash.len() == 66, "{hash}");
    assert_eq!(
        done.settled_payout(),
        Some((dec!(0.03283332), hash.as_str()))
    );

    let payouts = sim.payouts();
    assert_eq!(payouts.len(), 1);
    let p = &payouts[0];
    assert_eq!(p.exchange_id, ex.id);
    assert_eq!(p.kind, PayoutKind::Exchange);
    assert_eq!(
        (p.to_ticker.as_str(), p.to_network.as_str()),
        ("eth", "eth")
    );
    assert_eq!((p.address.as_str(), p.amount), (EVM_ADDR, dec!(0.03283332)));
    assert_eq!(p.hash, hash);
    assert_eq!(*seen.lock().unwrap(), payouts, "the hook saw it once");
    assert_eq!(sim.received_by(&EVM_ADDR.to_lowercase()), dec!(0.03283332));

    // Finished is final: more polls change nothing and pay nothing more.
    for _ in 0..3 {
        assert_eq!(client.exchange(&ex.id).await.unwrap(), done);
    }
    assert_eq!(sim.payouts().len(), 1);
    let stored = sim.exchange(&ex.id).unwrap();
    use ExchangeState::*;
    assert_eq!(
        stored.history.iter().map(product_state).collect::<Vec<_>>(),
        vec![New, Waiting, Confirming, Exchanging, Sending, Finished]
    );
    assert_eq!(stored.polls, 10);
}

#[tokio::test]
async fn the_rate_floats_between_the_estimate_and_the_payout() {
    let sim = sim().await;
    let client = client_for(&sim);
    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
    sim.deposit(&ex.payin_address, dec!(100), "0xd").unwrap();
    sim.set_price("eth", "eth", dec!(3300));
    let now = sim
        .quote(&sim_asset(&usdt_bsc()), &sim_asset(&eth()), dec!(100))
        .unwrap();
    assert_eq!(
        product_state(&sim.advance_to_final(&ex.id).unwrap()),
        ExchangeState::Finished
    );
    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.amount_to, Some(now));
    assert!(
        now < ex.to_amount.unwrap(),
        "ETH got dearer: fewer ETH than estimated"
    );
    assert_eq!(st.expected_amount_to, ex.to_amount);
}

#[tokio::test]
async fn a_deposit_off_the_expected_amount_is_exchanged_as_received() {
    let sim = sim().await;
    let client = client_for(&sim);
    for (sent, expected_state) in [
        (dec!(90), ExchangeState::Finished),
        (dec!(130), ExchangeState::Finished),
    ] {
        let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
        sim.deposit(&ex.payin_address, sent, "0xd").unwrap();
        assert_eq!(
            product_state(&sim.advance_to_final(&ex.id).unwrap()),
            expected_state
        );
        let st = client.exchange(&ex.id).await.unwrap();
        assert_eq!(st.expected_amount_from, Some(dec!(100)));
        assert_eq!(st.amount_from, Some(sent));
        assert_eq!(
            st.amount_to,
            sim.quote(&sim_asset(&usdt_bsc()), &sim_asset(&eth()), sent)
        );
    }
    assert_eq!(sim.payouts().len(), 2);
}

#[tokio::test]
async fn a_deposit_below_the_minimum_fails_without_payout() {
    let sim = sim().await;
    let client = client_for(&sim);
    let ex = client.create_exchange(&order(dec!(10))).await.unwrap();
    sim.deposit(&ex.payin_address, dec!(1.5), "0xsmall")
        .unwrap();
    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.status, ExchangeState::Failed);
    assert!(st.status.is_final());
    assert_eq!(st.amount_from, Some(dec!(1.5)));
    assert_eq!((st.amount_to, st.payout_hash), (None, None));
    assert!(sim.payouts().is_empty());
    assert!(matches!(
        sim.advance(&ex.id),
        Err(SimError::InvalidState { .. })
    ));
}

#[tokio::test]
async fn an_expired_exchange_refunds_a_late_deposit() {
    let sim = sim().await;
    let client = client_for(&sim);
    let req = CreateExchange {
        refund_address: Some("0x000000000000000000000000000000000000dEaD".into()),
        ..order(dec!(100))
    };
    let ex = client.create_exchange(&req).await.unwrap();
    sim.expire(&ex.id).unwrap();
    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.status, ExchangeState::Expired);
    assert!(st.status.is_final());
    assert_eq!(st.amount_from, None);

    let seen = collect_payouts(&sim);
    sim.deposit(&ex.payin_address, dec!(100), "0xlate").unwrap();
    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.status, ExchangeState::Refunded);
    assert_eq!(st.refund_amount, Some(dec!(100)));
    assert!(st.refund_hash.is_some());
    assert_eq!((st.amount_to, st.payout_hash), (None, None));
    let refunds = seen.lock().unwrap().clone();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].kind, PayoutKind::Refund);
    assert_eq!(
        (
            refunds[0].to_ticker.as_str(),
            refunds[0].to_network.as_str()
        ),
        ("usdt", "bsc"),
        "refunded in the asset sent"
    );
    assert_eq!(
        sim.received_by("0x000000000000000000000000000000000000dead"),
        dec!(100)
    );
    assert_eq!(sim.received_by(EVM_ADDR), Decimal::ZERO);
    assert!(matches!(
        sim.expire(&ex.id),
        Err(SimError::InvalidState { .. })
    ));
}

#[tokio::test]
async fn unfunded_exchanges_expire_after_their_ttl() {
    let sim = sim_with(|c| c.exchange_ttl = Duration::from_millis(150)).await;
    let client = client_for(&sim);
    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::New
    );
    let expired = sim
        .wait_until(Duration::from_secs(5), |s| {
            s.exchange(&ex.id)
                .filter(|e| product_state(&e.status) == ExchangeState::Expired)
        })
        .await
        .unwrap();
    assert!(expired.deposit.is_none());
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Expired
    );
    // No refund address: refunded, nothing paid automatically.
    sim.deposit(&ex.payin_address, dec!(100), "0xlate").unwrap();
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Refunded
    );
    assert!(sim.payouts().is_empty());
    // A funded exchange never expires. An unfunded witness created after it expires first,
    // so the funded one's TTL has surely run out when it is looked at (no fixed sleep).
    let funded = client.create_exchange(&order(dec!(100))).await.unwrap();
    sim.deposit(&funded.payin_address, dec!(100), "0xd")
        .unwrap();
    let witness = client.create_exchange(&order(dec!(100))).await.unwrap();
    sim.wait_until(Duration::from_secs(5), |s| {
        s.exchange(&witness.id)
            .filter(|e| product_state(&e.status) == ExchangeState::Expired)
    })
    .await
    .unwrap();
    assert_eq!(
        client.exchange(&funded.id).await.unwrap().status,
        ExchangeState::Confirming
    );
}

#[tokio::test]
async fn auto_finish_pays_out_inside_the_deposit() {
    let sim = sim_with(|c| c.auto_finish = true).await;
    let client = client_for(&sim);
    let seen = collect_payouts(&sim);
    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
    sim.deposit(&ex.payin_address, dec!(100), "0xd").unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.status, ExchangeState::Finished);
    assert_eq!(st.amount_to, Some(dec!(0.03283332)));
}

#[tokio::test]
async fn with_zero_steps_per_poll_only_advance_moves_an_exchange() {
    let sim = sim_with(|c| c.steps_per_poll = 0).await;
    let client = client_for(&sim);
    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::New
    );
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::New
    );
    assert_eq!(
        product_state(&sim.advance(&ex.id).unwrap()),
        ExchangeState::Waiting
    );
    assert!(sim.advance(&ex.id).is_err(), "waiting needs a deposit");
    sim.deposit(&ex.payin_address, dec!(100), "0xd").unwrap();
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Confirming
    );
    assert_eq!(
        product_state(&sim.advance(&ex.id).unwrap()),
        ExchangeState::Exchanging
    );
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Exchanging
    );
    assert_eq!(
        product_state(&sim.advance_to_final(&ex.id).unwrap()),
        ExchangeState::Finished
    );
    assert_eq!(sim.payouts().len(), 1);

    // Several steps per poll skip statuses, as ChangeNOW may (§B.7).
    sim.set_steps_per_poll(3);
    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
    sim.deposit(&ex.payin_address, dec!(100), "0xd2").unwrap();
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Confirming
    );
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Finished
    );
}

#[tokio::test]
async fn deposits_are_checked() {
    let sim = sim().await;
    let client = client_for(&sim);
    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
    assert!(matches!(
        sim.deposit("0xnobody", dec!(1), "0x1"),
        Err(SimError::UnknownPayinAddress(_))
    ));
    assert!(matches!(
        sim.deposit(&ex.payin_address, Decimal::ZERO, "0x1"),
        Err(SimError::InvalidAmount(_))
    ));
    sim.deposit(&ex.payin_address, dec!(100), "0x1").unwrap();
    sim.force_status(&ex.id, "verifying").unwrap();
    assert!(matches!(
        sim.deposit(&ex.payin_address, dec!(100), "0x2"),
        Err(SimError::AlreadyFunded(_))
    ));
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Verifying
    );
    assert!(matches!(
        sim.force_status("nope", "failed"),
        Err(SimError::UnknownExchange(_))
    ));
}

/// What a harness does: the chain simulator credits ChangeNOW's payouts, and reports
/// transfers to payin addresses back as deposits.
#[tokio::test]
async fn the_payout_hook_credits_a_simulated_chain() {
    let sim = sim().await;
    let client = client_for(&sim);
    let ledger: Arc<Mutex<HashMap<(String, String), Decimal>>> = Arc::default();
    let chain = ledger.clone();
    let inner = sim.clone();
    sim.on_payout(Arc::new(move |p: &SimPayout| {
        // Re-entering the simulator from a hook is allowed.
        assert!(inner.exchange(&p.exchange_id).is_some());
        *chain
            .lock()
            .unwrap()
            .entry((
                format!("{}/{}", p.to_ticker, p.to_network),
                p.address.clone(),
            ))
            .or_default() += p.amount;
    }));

    // TRX from the host wallet → USDT-TRC20 into the host's USDT wallet.
    let trx = Asset::new("trx", "trx");
    let req = CreateExchange {
        from: trx.clone(),
        to: usdt_trx(),
        from_amount: dec!(1000),
        address: TRON_ADDR.into(),
        extra_id: None,
        refund_address: None,
    };
    let ex = client.create_exchange(&req).await.unwrap();
    assert!(ex.payin_address.starts_with('T') && ex.payin_address.len() == 34);
    // The chain sees the host pay the payin address.
    sim.deposit(&ex.payin_address, dec!(1000), "trxhash")
        .unwrap();
    let mut status = client.exchange(&ex.id).await.unwrap();
    for _ in 0..10 {
        if status.status.is_final() {
            break;
        }
        status = client.exchange(&ex.id).await.unwrap();
    }
    assert_eq!(status.status, ExchangeState::Finished);
    // 1000 TRX × 0.12 = 120 USD × 0.995 − 1 = 118.4 USDT.
    assert_eq!(status.amount_to, Some(dec!(118.4)));
    let credited = ledger
        .lock()
        .unwrap()
        .get(&("usdt/trx".to_owned(), TRON_ADDR.to_owned()))
        .copied();
    assert_eq!(credited, Some(dec!(118.4)));
    assert_eq!(sim.received_by(TRON_ADDR), dec!(118.4));
    // The hook holds a clone of the handle: stop the server explicitly.
    sim.shutdown();
    assert!(sim.is_stopped());
}
