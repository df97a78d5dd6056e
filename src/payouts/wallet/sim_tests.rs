//! The host wallet against the EVM simulator, over real HTTP.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alloy_primitives::{Address, Bytes, U256};
use rust_decimal_macros::dec;
use secrecy::SecretString;

use super::tests::{TEST_ADDRESS, TEST_KEY};
use super::*;
use telepay_sim::evm::{EvmSim, EvmSimConfig, RpcFault, SimAsset, SimTransfer, SimTxStatus};

const GWEI: u128 = 1_000_000_000;

fn eth(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u8))
}

fn usdt(amount: rust_decimal::Decimal) -> U256 {
    to_base_units(amount, 6).unwrap()
}

struct Env {
    sim: EvmSim,
    wallet: HostWallet,
}

async fn env_with(config: EvmSimConfig, client_timeout: Duration) -> Env {
    let sim = EvmSim::start(config).await.unwrap();
    let url = SecretString::from(format!("{}v2/fake-api-key", sim.url()));
    let rpc = EvmRpc::new(&url, client_timeout).unwrap();
    let wallet = HostWallet::new(
        rpc,
        &SecretString::from(TEST_KEY.to_owned()),
        sim.chain_id(),
    )
    .unwrap();
    assert_eq!(wallet.address(), TEST_ADDRESS);
    sim.fund_native(wallet.address(), eth(10));
    Env { sim, wallet }
}

async fn env() -> Env {
    env_with(EvmSimConfig::default(), Duration::from_secs(5)).await
}

/// A sim with USDT (6 decimals) at the mainnet address and 100 USDT in the wallet.
async fn env_usdt() -> (Env, WalletAsset) {
    let e = env().await;
    e.sim.register_token(USDT_ETHEREUM, "USDT", 6);
    e.sim
        .mint_token(USDT_ETHEREUM, e.wallet.address(), usdt(dec!(100)))
        .unwrap();
    (e, WalletAsset::usdt_ethereum())
}

fn payee(n: u8) -> Address {
    Address::repeat_byte(n)
}

#[tokio::test]
async fn native_send_end_to_end() {
    let Env { sim, wallet } = env().await;
    wallet.verify_chain().await.unwrap();
    let asset = WalletAsset::eth();
    let to = payee(0x42);
    let amount = asset.to_base_units(dec!(0.25)).unwrap();

    let fees = wallet.suggest_fees(&asset).await.unwrap();
    assert_eq!(
        fees,
        Fees {
            max_fee_per_gas: 2 * 20 * GWEI + GWEI,
            max_priority_fee_per_gas: GWEI,
            gas_limit: 21_000
        }
    );
    wallet.check_funds(&asset, amount, &fees).await.unwrap();
    let nonce = wallet.pending_nonce().await.unwrap();
    assert_eq!(nonce, 0);
    let signed = wallet
        .sign_transfer(&asset, to, amount, nonce, &fees)
        .unwrap();
    let hash = wallet.broadcast(&signed).await.unwrap();
    assert_eq!(hash, signed.tx_hash);

    let receipt = wallet.receipt(hash).await.unwrap().expect("mined");
    assert!(receipt.success);
    assert!(signed.confirmed_by(&receipt));
    assert_eq!(receipt.block_number, 1);
    assert_eq!(receipt.gas_used, 21_000);
    // Paid base fee + tip (21 gwei), not the 41 gwei cap.
    assert_eq!(receipt.effective_gas_price, Some(21 * GWEI));

    assert_eq!(sim.native_balance(to), amount);
    let spent = amount + U256::from(21_000u128 * 21 * GWEI);
    assert_eq!(sim.native_balance(wallet.address()), eth(10) - spent);
    assert_eq!(wallet.native_balance().await.unwrap(), eth(10) - spent);
    assert_eq!(wallet.balance(&asset).await.unwrap(), eth(10) - spent);
    assert_eq!(wallet.latest_nonce().await.unwrap(), 1);
    assert_eq!(wallet.pending_nonce().await.unwrap(), 1);
    assert_eq!(
        wallet.tx_state(hash).await.unwrap(),
        TxState::Mined(receipt)
    );
    let tx = wallet
        .rpc()
        .get_transaction_by_hash(hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (tx.from, tx.to, tx.nonce, tx.value),
        (wallet.address(), Some(to), 0, amount)
    );
    assert_eq!(tx.block_number, Some(1));

    let transfers = sim.transfers();
    assert_eq!(transfers.len(), 1);
    assert_eq!(transfers[0].asset, SimAsset::Native);
    assert_eq!((transfers[0].from, transfers[0].to), (wallet.address(), to));
}

#[tokio::test]
async fn erc20_usdt_send() {
    let (Env { sim, wallet }, asset) = env_usdt().await;
    assert_eq!(wallet.balance(&asset).await.unwrap(), usdt(dec!(100)));
    assert_eq!(wallet.rpc().erc20_decimals(USDT_ETHEREUM).await.unwrap(), 6);

    let to = payee(0x77);
    let amount = asset.to_base_units(dec!(12.345678)).unwrap();
    let fees = wallet.suggest_fees_for(&asset, to, amount).await.unwrap();
    assert!(fees.gas_limit >= ERC20_MIN_GAS, "{fees:?}");
    wallet.check_funds(&asset, amount, &fees).await.unwrap();
    let native_before = sim.native_balance(wallet.address());

    let signed = wallet
        .sign_transfer(
            &asset,
            to,
            amount,
            wallet.pending_nonce().await.unwrap(),
            &fees,
        )
        .unwrap();
    wallet.broadcast(&signed).await.unwrap();
    let receipt = wallet.receipt(signed.tx_hash).await.unwrap().unwrap();
    assert!(receipt.success);
    assert!(signed.confirmed_by(&receipt), "Transfer log matches");
    assert_eq!(receipt.transfer_logs.len(), 1);
    assert_eq!(receipt.transfer_logs[0].contract, USDT_ETHEREUM);

    assert_eq!(sim.token_balance(USDT_ETHEREUM, to), amount);
    assert_eq!(
        wallet.balance(&asset).await.unwrap(),
        usdt(dec!(100)) - amount
    );
    assert_eq!(
        from_base_units(sim.token_balance(USDT_ETHEREUM, wallet.address()), 6).unwrap(),
        dec!(87.654322)
    );
    // Only gas left the native balance; nothing went to the payee or the contract in ETH.
    let gas_cost = U256::from(receipt.gas_used) * U256::from(receipt.effective_gas_price.unwrap());
    assert_eq!(
        sim.native_balance(wallet.address()),
        native_before - gas_cost
    );
    assert_eq!(sim.native_balance(to), U256::ZERO);

    let txs = sim.transactions();
    assert_eq!(txs.len(), 1);
    assert_eq!(txs[0].to, to);
    assert_eq!(txs[0].contract, Some(USDT_ETHEREUM));
    assert_eq!(txs[0].amount, amount);
    assert!(matches!(txs[0].asset, SimAsset::Token { decimals: 6, .. }));
}

#[tokio::test]
async fn nonce_too_low_is_recognised() {
    let Env { sim, wallet } = env().await;
    let asset = WalletAsset::eth();
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    let first = wallet
        .sign_transfer(&asset, payee(1), U256::from(1000u64), 0, &fees)
        .unwrap();
    wallet.broadcast(&first).await.unwrap();

    // A DIFFERENT transaction reusing nonce 0 (the double-send a fresh "latest" nonce read
    // during a retry would not catch, and one a stale nonce would cause).
    let second = wallet
        .sign_transfer(&asset, payee(1), U256::from(2000u64), 0, &fees)
        .unwrap();
    let err = wallet.broadcast(&second).await.unwrap_err();
    assert!(err.is_nonce_too_low(), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(
        wallet.tx_state(second.tx_hash).await.unwrap(),
        TxState::Unknown
    );
    assert_eq!(sim.mined_count(wallet.address()), 1);
    assert_eq!(sim.native_balance(payee(1)), U256::from(1000u64));
}

#[tokio::test]
async fn same_raw_tx_twice_moves_money_once() {
    let Env { sim, wallet } = env().await;
    sim.set_auto_mine(false);
    let asset = WalletAsset::eth();
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    let amount = eth(1);
    let t = wallet
        .sign_transfer(&asset, payee(2), amount, 0, &fees)
        .unwrap();

    assert_eq!(wallet.broadcast(&t).await.unwrap(), t.tx_hash);
    // The node says "already known" for the second copy…
    let direct = wallet.rpc().send_raw_transaction(&t.raw).await.unwrap_err();
    assert!(direct.is_already_known(), "{direct}");
    // …which broadcast treats as success.
    assert_eq!(wallet.broadcast(&t).await.unwrap(), t.tx_hash);
    assert_eq!(wallet.tx_state(t.tx_hash).await.unwrap(), TxState::Pending);
    assert_eq!(sim.transactions().len(), 1);

    sim.mine();
    // Once mined the node answers "nonce too low" for the same bytes; still a success,
    // because the node knows this very hash.
    let direct = wallet.rpc().send_raw_transaction(&t.raw).await.unwrap_err();
    assert!(direct.is_nonce_too_low(), "{direct}");
    assert_eq!(wallet.broadcast(&t).await.unwrap(), t.tx_hash);
    // A restart re-broadcasting the stored hex works the same way.
    let stored = t.raw_hex();
    let raw = Bytes::from_str(&stored).unwrap();
    assert_eq!(wallet.broadcast_raw(&raw).await.unwrap(), t.tx_hash);

    assert_eq!(sim.transfers().len(), 1);
    assert_eq!(sim.native_balance(payee(2)), amount);
    assert_eq!(sim.sent_count(wallet.address()), 1);
}

#[tokio::test]
async fn stuck_tx_replaced_with_bumped_fees_pays_once() {
    let Env { sim, wallet } = env().await;
    sim.set_auto_mine(false);
    let asset = WalletAsset::eth();
    let to = payee(3);
    let amount = eth(2);
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    let stuck = wallet.sign_transfer(&asset, to, amount, 0, &fees).unwrap();
    wallet.broadcast(&stuck).await.unwrap();
    assert!(wallet.receipt(stuck.tx_hash).await.unwrap().is_none());
    assert_eq!(wallet.pending_nonce().await.unwrap(), 1);
    assert_eq!(wallet.latest_nonce().await.unwrap(), 0);

    // +10 % is not enough for this node.
    let timid = Fees {
        max_fee_per_gas: fees.max_fee_per_gas * 110 / 100,
        max_priority_fee_per_gas: fees.max_priority_fee_per_gas * 110 / 100,
        ..fees
    };
    let refused = wallet.sign_transfer(&asset, to, amount, 0, &timid).unwrap();
    let err = wallet.broadcast(&refused).await.unwrap_err();
    assert!(err.is_replacement_underpriced(), "{err}");

    // Same transfer, same nonce, bumped fees.
    let new_fees = wallet.replacement_fees(&asset, &stuck.fees).await.unwrap();
    assert!(new_fees.max_fee_per_gas >= bump(&stuck.fees).max_fee_per_gas);
    let replacement = wallet
        .sign_transfer(&asset, to, amount, 0, &new_fees)
        .unwrap();
    assert_ne!(replacement.tx_hash, stuck.tx_hash);
    wallet.broadcast(&replacement).await.unwrap();
    assert_eq!(
        sim.transaction(stuck.tx_hash).unwrap().status,
        SimTxStatus::Dropped
    );

    sim.mine();
    let receipt = wallet.receipt(replacement.tx_hash).await.unwrap().unwrap();
    assert!(receipt.success);
    assert_eq!(wallet.receipt(stuck.tx_hash).await.unwrap(), None);
    assert_eq!(
        wallet.tx_state(stuck.tx_hash).await.unwrap(),
        TxState::Unknown
    );
    // The old one can never come back: its nonce is used.
    let err = wallet.broadcast(&stuck).await.unwrap_err();
    assert!(err.is_nonce_too_low(), "{err}");
    sim.mine();

    assert_eq!(sim.transfers().len(), 1);
    assert_eq!(sim.transfers()[0].tx_hash, replacement.tx_hash);
    assert_eq!(sim.native_balance(to), amount);
    assert_eq!(sim.mined_count(wallet.address()), 1);
}

#[tokio::test]
async fn base_fee_spike_leaves_tx_pending_until_replaced() {
    let Env { sim, wallet } = env().await;
    let asset = WalletAsset::eth();
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    // The base fee jumps above our cap between the quote and the broadcast.
    sim.set_base_fee(60 * GWEI);
    let stuck = wallet
        .sign_transfer(&asset, payee(4), eth(1), 0, &fees)
        .unwrap();
    wallet.broadcast(&stuck).await.unwrap();
    assert_eq!(
        wallet.tx_state(stuck.tx_hash).await.unwrap(),
        TxState::Pending
    );

    let new_fees = wallet.replacement_fees(&asset, &stuck.fees).await.unwrap();
    // bump(old) for the tip (1.125 gwei), the new base fee for the cap.
    assert_eq!(new_fees.max_priority_fee_per_gas, GWEI + GWEI / 8);
    assert_eq!(new_fees.max_fee_per_gas, 2 * 60 * GWEI + GWEI);
    let replacement = wallet
        .sign_transfer(&asset, payee(4), eth(1), 0, &new_fees)
        .unwrap();
    wallet.broadcast(&replacement).await.unwrap();
    let r = wallet.receipt(replacement.tx_hash).await.unwrap().unwrap();
    assert!(r.success);
    assert_eq!(
        r.effective_gas_price,
        Some(60 * GWEI + new_fees.max_priority_fee_per_gas)
    );
    assert_eq!(sim.transfers().len(), 1);
}

#[tokio::test]
async fn insufficient_native_for_gas_is_classified() {
    let sim = EvmSim::start(EvmSimConfig::default()).await.unwrap();
    let rpc = EvmRpc::new(
        &SecretString::from(sim.url().to_string()),
        Duration::from_secs(5),
    )
    .unwrap();
    let wallet = HostWallet::new(
        rpc,
        &SecretString::from(TEST_KEY.to_owned()),
        sim.chain_id(),
    )
    .unwrap();
    // Enough for the value but not for gas.
    sim.fund_native(wallet.address(), U256::from(1_000_000u64));
    let asset = WalletAsset::eth();
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    let local = wallet
        .check_funds(&asset, U256::from(1000u64), &fees)
        .await
        .unwrap_err();
    assert!(local.is_insufficient_funds() && !local.is_retryable());

    let t = wallet
        .sign_transfer(&asset, payee(5), U256::from(1000u64), 0, &fees)
        .unwrap();
    let err = wallet.broadcast(&t).await.unwrap_err();
    assert!(err.is_insufficient_funds(), "{err}");
    assert!(!err.is_retryable());
    assert!(sim.transactions().is_empty());
    assert_eq!(
        sim.native_balance(wallet.address()),
        U256::from(1_000_000u64)
    );
}

#[tokio::test]
async fn erc20_over_balance_reverts_on_chain() {
    let (Env { sim, wallet }, asset) = env_usdt().await;
    let to = payee(6);
    let too_much = usdt(dec!(150));
    // The estimate already sees the revert.
    let err = wallet
        .suggest_fees_for(&asset, to, too_much)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WalletError::Rpc(e) if e.is_execution_reverted()),
        "{err}"
    );
    // And the local pre-flight check refuses.
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    assert!(
        wallet
            .check_funds(&asset, too_much, &fees)
            .await
            .unwrap_err()
            .is_insufficient_funds()
    );

    // Sent anyway (a race with another spender): mined, status 0, gas paid, nothing moved.
    let native_before = sim.native_balance(wallet.address());
    let t = wallet
        .sign_transfer(&asset, to, too_much, 0, &fees)
        .unwrap();
    wallet.broadcast(&t).await.unwrap();
    let r = wallet.receipt(t.tx_hash).await.unwrap().unwrap();
    assert!(!r.success);
    assert!(!t.confirmed_by(&r));
    assert!(r.transfer_logs.is_empty());
    assert_eq!(sim.token_balance(USDT_ETHEREUM, to), U256::ZERO);
    assert_eq!(
        sim.token_balance(USDT_ETHEREUM, wallet.address()),
        usdt(dec!(100))
    );
    let gas = U256::from(r.gas_used) * U256::from(r.effective_gas_price.unwrap());
    assert!(!gas.is_zero());
    assert_eq!(sim.native_balance(wallet.address()), native_before - gas);
    assert_eq!(
        wallet.latest_nonce().await.unwrap(),
        1,
        "the nonce is consumed"
    );
    assert!(sim.transfers().is_empty());
}

#[tokio::test]
async fn accept_then_fail_never_double_sends() {
    let (Env { sim, wallet }, asset) = env_usdt().await;
    let to = payee(7);
    let amount = usdt(dec!(25));
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    let nonce = wallet.pending_nonce().await.unwrap();
    let t = wallet
        .sign_transfer(&asset, to, amount, nonce, &fees)
        .unwrap();
    // (The product persists nonce, raw and hash here.)

    sim.fail_next("eth_sendRawTransaction", RpcFault::AcceptThenFail);
    let err = wallet.broadcast(&t).await.unwrap_err();
    assert!(err.is_retryable(), "a 502 looks transient: {err}");

    // The retry path first asks about the KNOWN hash: it is mined.
    let TxState::Mined(receipt) = wallet.tx_state(t.tx_hash).await.unwrap() else {
        panic!("the transfer went through despite the error");
    };
    assert!(t.confirmed_by(&receipt));
    // Even a blind re-broadcast of the same bytes is harmless.
    assert_eq!(wallet.broadcast(&t).await.unwrap(), t.tx_hash);

    assert_eq!(sim.transfers().len(), 1);
    assert_eq!(sim.sent_count(wallet.address()), 1);
    assert_eq!(sim.token_balance(USDT_ETHEREUM, to), amount);
}

#[tokio::test]
async fn accept_then_timeout_never_double_sends() {
    let config = EvmSimConfig {
        timeout_fault_delay: Duration::from_secs(3),
        ..EvmSimConfig::default()
    };
    let Env { sim, wallet } = env_with(config, Duration::from_millis(300)).await;
    let asset = WalletAsset::eth();
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    let t = wallet
        .sign_transfer(&asset, payee(8), eth(1), 0, &fees)
        .unwrap();
    sim.fail_next("eth_sendRawTransaction", RpcFault::AcceptThenTimeout);
    let err = wallet.broadcast(&t).await.unwrap_err();
    assert!(
        matches!(err, WalletError::Rpc(RpcError::Timeout { .. })),
        "{err}"
    );
    assert!(err.is_retryable());
    assert!(matches!(
        wallet.tx_state(t.tx_hash).await.unwrap(),
        TxState::Mined(r) if r.success
    ));
    assert_eq!(wallet.broadcast(&t).await.unwrap(), t.tx_hash);
    assert_eq!(sim.transfers().len(), 1);
}

#[tokio::test]
async fn wrong_chain_id_rejected() {
    let sim = EvmSim::start(EvmSimConfig::default()).await.unwrap();
    let rpc = EvmRpc::new(
        &SecretString::from(sim.url().to_string()),
        Duration::from_secs(5),
    )
    .unwrap();
    // Configured for mainnet, talking to the simulator's 31337.
    let wallet = HostWallet::new(rpc, &SecretString::from(TEST_KEY.to_owned()), 1).unwrap();
    sim.fund_native(wallet.address(), eth(10));
    assert_eq!(
        wallet.verify_chain().await,
        Err(WalletError::ChainMismatch {
            configured: 1,
            node: 31_337
        })
    );
    let fees = wallet.suggest_fees(&WalletAsset::eth()).await.unwrap();
    let t = wallet
        .sign_transfer(&WalletAsset::eth(), payee(9), eth(1), 0, &fees)
        .unwrap();
    let err = wallet.broadcast(&t).await.unwrap_err();
    assert!(err.to_string().contains("invalid chain id"), "{err}");
    assert!(!err.is_retryable());
    assert!(sim.transactions().is_empty());
}

#[tokio::test]
async fn http_errors_and_timeouts_are_retryable() {
    let config = EvmSimConfig {
        timeout_fault_delay: Duration::from_secs(3),
        ..EvmSimConfig::default()
    };
    let Env { sim, wallet } = env_with(config, Duration::from_millis(300)).await;

    sim.fail_next("eth_getBalance", RpcFault::HttpStatus(500));
    let err = wallet.native_balance().await.unwrap_err();
    assert!(
        matches!(err, WalletError::Rpc(RpcError::Http { status: 500, .. })),
        "{err}"
    );
    assert!(err.is_retryable());

    sim.fail_next("eth_getTransactionCount", RpcFault::HttpStatus(429));
    assert!(wallet.pending_nonce().await.unwrap_err().is_retryable());

    sim.fail_next("eth_chainId", RpcFault::HttpStatus(401));
    assert!(!wallet.verify_chain().await.unwrap_err().is_retryable());

    sim.fail_next("eth_chainId", RpcFault::Timeout);
    let started = Instant::now();
    let err = wallet.verify_chain().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "client timeout applies"
    );
    assert!(
        matches!(err, WalletError::Rpc(RpcError::Timeout { .. })),
        "{err}"
    );
    assert!(err.is_retryable());

    sim.fail_next(
        "eth_getBalance",
        RpcFault::RpcError {
            code: -32005,
            message: "limit exceeded".to_owned(),
        },
    );
    assert!(wallet.native_balance().await.unwrap_err().is_retryable());

    // Faults are one-shot: the wallet works again.
    wallet.verify_chain().await.unwrap();
    assert_eq!(wallet.native_balance().await.unwrap(), eth(10));
}

#[tokio::test]
async fn transport_errors_never_show_the_url_key() {
    // A port nothing listens on, with a key in the path.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let rpc = EvmRpc::new(
        &SecretString::from(format!("http://127.0.0.1:{port}/v2/sEcReTkEy987")),
        Duration::from_secs(2),
    )
    .unwrap();
    let err = rpc.chain_id().await.unwrap_err();
    assert!(matches!(err, RpcError::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    let shown = format!("{err} {err:?} {rpc:?}");
    assert!(!shown.contains("sEcReTkEy987"), "{shown}");
}

#[tokio::test]
async fn on_transfer_fires_once_per_mined_transfer() {
    let (Env { sim, wallet }, usdt_asset) = env_usdt().await;
    let seen: Arc<Mutex<Vec<SimTransfer>>> = Arc::default();
    let sink = seen.clone();
    sim.on_transfer(Arc::new(move |t: &SimTransfer| {
        sink.lock().unwrap().push(t.clone());
    }));
    let eth_asset = WalletAsset::eth();
    let eth_fees = wallet.suggest_fees(&eth_asset).await.unwrap();
    let tok_fees = wallet.suggest_fees(&usdt_asset).await.unwrap();

    // 1. native, mined.
    let a = wallet
        .sign_transfer(&eth_asset, payee(0xa1), eth(1), 0, &eth_fees)
        .unwrap();
    wallet.broadcast(&a).await.unwrap();
    wallet.broadcast(&a).await.unwrap(); // duplicate: no second event
    // 2. USDT, mined.
    let b = wallet
        .sign_transfer(&usdt_asset, payee(0xb2), usdt(dec!(10)), 1, &tok_fees)
        .unwrap();
    wallet.broadcast(&b).await.unwrap();
    // 3. USDT over balance: reverted, no event.
    let c = wallet
        .sign_transfer(&usdt_asset, payee(0xc3), usdt(dec!(1000)), 2, &tok_fees)
        .unwrap();
    wallet.broadcast(&c).await.unwrap();
    // 4. stuck then replaced: one event, for the replacement.
    sim.set_auto_mine(false);
    let d = wallet
        .sign_transfer(&eth_asset, payee(0xd4), eth(1), 3, &eth_fees)
        .unwrap();
    wallet.broadcast(&d).await.unwrap();
    let d2 = wallet
        .sign_transfer(&eth_asset, payee(0xd4), eth(1), 3, &bump(&eth_fees))
        .unwrap();
    wallet.broadcast(&d2).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 2, "nothing fires while pending");
    sim.mine();
    // 5. an exchange pays USDT into the host wallet.
    let deposit = sim
        .credit_token(USDT_ETHEREUM, wallet.address(), usdt(dec!(5)))
        .unwrap();

    let seen = seen.lock().unwrap().clone();
    let hashes: Vec<_> = seen.iter().map(|t| t.tx_hash).collect();
    assert_eq!(hashes, vec![a.tx_hash, b.tx_hash, d2.tx_hash, deposit]);
    assert_eq!(seen, sim.transfers());
    assert_eq!(seen[0].asset, SimAsset::Native);
    assert_eq!(seen[0].amount, eth(1));
    assert_eq!(
        seen[1].asset,
        SimAsset::Token {
            contract: USDT_ETHEREUM,
            symbol: "USDT".to_owned(),
            decimals: 6
        }
    );
    assert_eq!((seen[1].to, seen[1].amount), (payee(0xb2), usdt(dec!(10))));
    assert_eq!(seen[3].to, wallet.address());
    // The deposit is visible to the wallet like any transfer.
    assert_eq!(wallet.balance(&usdt_asset).await.unwrap(), usdt(dec!(95)));
    let r = wallet.receipt(deposit).await.unwrap().unwrap();
    assert!(r.success);
    assert_eq!(r.transfer_logs[0].to, wallet.address());
}

#[tokio::test]
async fn nonce_gap_is_held_until_filled() {
    let Env { sim, wallet } = env().await;
    let asset = WalletAsset::eth();
    let fees = wallet.suggest_fees(&asset).await.unwrap();
    let second = wallet
        .sign_transfer(&asset, payee(0x11), eth(1), 1, &fees)
        .unwrap();
    wallet.broadcast(&second).await.unwrap();
    assert_eq!(
        wallet.tx_state(second.tx_hash).await.unwrap(),
        TxState::Pending
    );
    assert_eq!(
        wallet.pending_nonce().await.unwrap(),
        0,
        "a gap is not counted"
    );
    let first = wallet
        .sign_transfer(&asset, payee(0x11), eth(1), 0, &fees)
        .unwrap();
    wallet.broadcast(&first).await.unwrap();
    let r1 = wallet.receipt(first.tx_hash).await.unwrap().unwrap();
    let r2 = wallet.receipt(second.tx_hash).await.unwrap().unwrap();
    assert_eq!(
        r1.block_number, r2.block_number,
        "mined together once the gap closed"
    );
    assert_eq!(sim.native_balance(payee(0x11)), eth(2));
    assert_eq!(wallet.latest_nonce().await.unwrap(), 2);
}

#[tokio::test]
async fn tip_falls_back_when_node_lacks_max_priority_fee() {
    let Env { sim, wallet } = env().await;
    sim.set_priority_fee(3 * GWEI);
    sim.fail_next(
        "eth_maxPriorityFeePerGas",
        RpcFault::RpcError {
            code: -32601,
            message: "the method eth_maxPriorityFeePerGas does not exist/is not available"
                .to_owned(),
        },
    );
    let fees = wallet.suggest_fees(&WalletAsset::eth()).await.unwrap();
    assert_eq!(
        fees.max_priority_fee_per_gas,
        3 * GWEI,
        "from eth_feeHistory"
    );
    assert_eq!(
        sim.calls()
            .iter()
            .filter(|m| *m == "eth_feeHistory")
            .count(),
        1
    );

    for m in ["eth_maxPriorityFeePerGas", "eth_feeHistory"] {
        sim.fail_next(
            m,
            RpcFault::RpcError {
                code: -32601,
                message: "not available".to_owned(),
            },
        );
    }
    let fees = wallet.suggest_fees(&WalletAsset::eth()).await.unwrap();
    assert_eq!(fees.max_priority_fee_per_gas, FALLBACK_PRIORITY_FEE);

    // A transient failure is not papered over with a default.
    sim.fail_next("eth_maxPriorityFeePerGas", RpcFault::HttpStatus(503));
    assert!(
        wallet
            .suggest_fees(&WalletAsset::eth())
            .await
            .unwrap_err()
            .is_retryable()
    );
}

#[tokio::test]
async fn fee_cap_refuses_a_spike() {
    let Env { sim, wallet } = env().await;
    let wallet = wallet.with_fee_policy(FeePolicy {
        max_fee_cap: Some(50 * GWEI),
        ..FeePolicy::default()
    });
    wallet.suggest_fees(&WalletAsset::eth()).await.unwrap();
    sim.set_base_fee(30 * GWEI);
    let err = wallet.suggest_fees(&WalletAsset::eth()).await.unwrap_err();
    assert_eq!(
        err,
        WalletError::FeeAboveCap {
            suggested: 61 * GWEI,
            cap: 50 * GWEI
        }
    );
    assert!(err.is_retryable());
}
