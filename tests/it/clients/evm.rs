//! The EVM simulator with the product's signing wallet: method shapes, pool rules at their
//! edges, token calls and hooks (moved from the simulator's own tests, which no longer see the
//! product).

use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use secrecy::SecretString;
use serde_json::{Value, json};

use telepay::payouts::wallet::{EvmRpc, Fees, HostWallet, WalletAsset};
use telepay_sim::evm::*;

alloy_sol_types::sol! {
    interface IERC20 {
        function symbol() external view returns (string);
    }
}

const KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

async fn post(sim: &EvmSim, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(sim.url())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn call(sim: &EvmSim, method: &str, params: Value) -> Value {
    let (status, body) = post(
        sim,
        json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], 1);
    body
}

async fn start(auto_mine: bool) -> (EvmSim, HostWallet) {
    let sim = EvmSim::start(EvmSimConfig {
        auto_mine,
        ..EvmSimConfig::default()
    })
    .await
    .unwrap();
    let rpc = EvmRpc::new(
        &SecretString::from(sim.url().to_string()),
        Duration::from_secs(5),
    )
    .unwrap();
    let wallet = HostWallet::new(rpc, &SecretString::from(KEY.to_owned()), sim.chain_id()).unwrap();
    sim.fund_native(wallet.address(), U256::from(10u128.pow(19)));
    (sim, wallet)
}

fn fees(max_fee: u128, tip: u128) -> Fees {
    Fees {
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        gas_limit: 21_000,
    }
}

async fn send(wallet: &HostWallet, nonce: u64, f: &Fees) -> Result<alloy_primitives::B256, String> {
    let t = wallet
        .sign_transfer(
            &WalletAsset::eth(),
            Address::repeat_byte(9),
            U256::from(1u8),
            nonce,
            f,
        )
        .unwrap();
    wallet
        .rpc()
        .send_raw_transaction(&t.raw)
        .await
        .map_err(|e| e.node_message().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn blocks_fees_and_token_calls() {
    let (sim, wallet) = start(true).await;
    let latest = call(&sim, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(latest["result"]["baseFeePerGas"], "0x4a817c800", "20 gwei");
    assert_eq!(latest["result"]["number"], "0x0");
    sim.set_base_fee(7);
    let latest = call(&sim, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(latest["result"]["baseFeePerGas"], "0x7");
    assert_eq!(
        call(&sim, "eth_getBlockByNumber", json!(["0x5", false])).await["result"],
        Value::Null
    );
    sim.mine();
    sim.mine();
    let history = call(&sim, "eth_feeHistory", json!(["0x4", "latest", [25, 50]])).await;
    let h = &history["result"];
    assert_eq!(h["oldestBlock"], "0x0");
    assert_eq!(
        h["baseFeePerGas"].as_array().unwrap().len(),
        4,
        "3 blocks + next"
    );
    assert_eq!(h["reward"].as_array().unwrap().len(), 3);
    assert_eq!(h["reward"][0].as_array().unwrap().len(), 2);
    assert_eq!(
        call(&sim, "eth_maxPriorityFeePerGas", json!([])).await["result"],
        "0x3b9aca00"
    );

    let token = Address::repeat_byte(0xdd);
    sim.register_token(token, "USDT", 6);
    sim.mint_token(token, wallet.address(), U256::from(5_000_000u64))
        .unwrap();
    let data = |c: Vec<u8>| alloy_primitives::hex::encode_prefixed(c);
    let symbol = call(
        &sim,
        "eth_call",
        json!([{"to": token, "data": data(IERC20::symbolCall {}.abi_encode())}, "latest"]),
    )
    .await;
    let raw = alloy_primitives::hex::decode(symbol["result"].as_str().unwrap()).unwrap();
    assert_eq!(
        IERC20::symbolCall::abi_decode_returns(&raw).unwrap(),
        "USDT"
    );
    let unknown = call(
        &sim,
        "eth_call",
        json!([{"to": token, "input": "0xdeadbeef"}, "latest"]),
    )
    .await;
    assert_eq!(unknown["error"]["code"], 3);
    assert_eq!(
        wallet
            .rpc()
            .erc20_balance(token, wallet.address())
            .await
            .unwrap(),
        U256::from(5_000_000u64)
    );
    assert_eq!(
        sim.mint_token(Address::repeat_byte(1), wallet.address(), U256::from(1u8)),
        Err(EvmSimError::UnknownToken(Address::repeat_byte(1)))
    );
}

#[tokio::test]
async fn replacement_needs_twelve_and_a_half_percent_on_both_fees() {
    let (sim, wallet) = start(false).await;
    let gwei = 1_000_000_000u128;
    let first = send(&wallet, 0, &fees(80 * gwei, 8 * gwei)).await.unwrap();
    // Exactly +12.5 % on the cap but only +12.4 % on the tip: refused.
    let err = send(&wallet, 0, &fees(90 * gwei, 8 * gwei * 1124 / 1000))
        .await
        .unwrap_err();
    assert_eq!(err, "replacement transaction underpriced");
    // Exactly +12.5 % on both: accepted, the first is dropped.
    let second = send(&wallet, 0, &fees(90 * gwei, 9 * gwei)).await.unwrap();
    assert_eq!(sim.transaction(first).unwrap().status, SimTxStatus::Dropped);
    assert_eq!(sim.pending().len(), 1);
    // The dropped one cannot come back cheaper.
    let err = send(&wallet, 0, &fees(80 * gwei, 8 * gwei))
        .await
        .unwrap_err();
    assert_eq!(err, "replacement transaction underpriced");
    // Dropped transactions are forgotten by the node.
    let body = call(&sim, "eth_getTransactionByHash", json!([first])).await;
    assert_eq!(body["result"], Value::Null);
    let body = call(&sim, "eth_getTransactionByHash", json!([second])).await;
    assert_eq!(body["result"]["blockNumber"], Value::Null);
    assert_eq!(body["result"]["maxFeePerGas"], "0x14f46b0400");

    assert_eq!(sim.mine(), 1);
    assert!(matches!(
        sim.transaction(second).unwrap().status,
        SimTxStatus::Mined {
            success: true,
            block_number: 1
        }
    ));
    assert_eq!(sim.transaction(first).unwrap().status, SimTxStatus::Dropped);
    assert_eq!(sim.sent_count(wallet.address()), 2);
    assert_eq!(sim.mined_count(wallet.address()), 1);
}

#[tokio::test]
async fn pool_rejections_use_geth_messages() {
    let (sim, wallet) = start(true).await;
    let gwei = 1_000_000_000u128;
    let ok = fees(50 * gwei, gwei);
    send(&wallet, 0, &ok).await.unwrap();
    let err = send(&wallet, 0, &ok).await.unwrap_err();
    assert!(
        err.starts_with(&format!("nonce too low: address {}", wallet.address())),
        "{err}"
    );
    // Needs 10^19 + more than the balance.
    let rich = Fees {
        max_fee_per_gas: 10u128.pow(18),
        max_priority_fee_per_gas: gwei,
        gas_limit: 21_000,
    };
    let err = send(&wallet, 1, &rich).await.unwrap_err();
    assert!(
        err.starts_with("insufficient funds for gas * price + value"),
        "{err}"
    );
    let err = wallet
        .rpc()
        .send_raw_transaction(&[0x02, 0x01, 0x02])
        .await
        .unwrap_err();
    assert!(err.node_message().unwrap().starts_with("rlp"), "{err}");
    assert_eq!(sim.transactions().len(), 1);
}

#[tokio::test]
async fn low_fee_cap_waits_and_eviction_forgets() {
    let (sim, wallet) = start(true).await;
    let gwei = 1_000_000_000u128;
    // Cap 10 gwei under a 20 gwei base fee: accepted, not mined.
    let cheap = send(&wallet, 0, &fees(10 * gwei, gwei)).await.unwrap();
    sim.mine();
    assert_eq!(sim.transaction(cheap).unwrap().status, SimTxStatus::Pending);
    sim.set_base_fee(5 * gwei);
    sim.mine();
    assert!(matches!(
        sim.transaction(cheap).unwrap().status,
        SimTxStatus::Mined { success: true, .. }
    ));

    sim.set_auto_mine(false);
    let evicted = send(&wallet, 1, &fees(50 * gwei, gwei)).await.unwrap();
    assert!(sim.evict(evicted));
    assert!(!sim.evict(evicted));
    sim.mine();
    assert_eq!(wallet.receipt(evicted).await.unwrap(), None);
    let body = call(
        &sim,
        "eth_getTransactionCount",
        json!([wallet.address(), "pending"]),
    )
    .await;
    assert_eq!(body["result"], "0x1");
}

#[tokio::test]
async fn erc20_out_of_gas_and_value_to_token_revert() {
    let (sim, wallet) = start(true).await;
    let token = Address::repeat_byte(0xdd);
    sim.register_token(token, "USDT", 6);
    sim.mint_token(token, wallet.address(), U256::from(100u64))
        .unwrap();
    let asset = WalletAsset::erc20("USDT", token, 6);
    let gwei = 1_000_000_000u128;
    let tight = Fees {
        max_fee_per_gas: 50 * gwei,
        max_priority_fee_per_gas: gwei,
        gas_limit: 30_000,
    };
    let t = wallet
        .sign_transfer(
            &asset,
            Address::repeat_byte(3),
            U256::from(10u64),
            0,
            &tight,
        )
        .unwrap();
    wallet.broadcast(&t).await.unwrap();
    let r = wallet.receipt(t.tx_hash).await.unwrap().unwrap();
    assert!(!r.success, "out of gas");
    assert_eq!(r.gas_used, 30_000, "all gas burnt");
    assert_eq!(
        sim.token_balance(token, wallet.address()),
        U256::from(100u64)
    );

    // Native value sent to the token contract (no payable fallback): reverted, value kept.
    let before = sim.native_balance(wallet.address());
    let t = wallet
        .sign_transfer(
            &WalletAsset::eth(),
            token,
            U256::from(10u64.pow(18)),
            1,
            &fees(50 * gwei, gwei),
        )
        .unwrap();
    wallet.broadcast(&t).await.unwrap();
    let r = wallet.receipt(t.tx_hash).await.unwrap().unwrap();
    assert!(!r.success);
    let gas = U256::from(r.gas_used) * U256::from(r.effective_gas_price.unwrap());
    assert_eq!(sim.native_balance(wallet.address()), before - gas);
    assert_eq!(sim.native_balance(token), U256::ZERO);
    assert!(sim.transfers().is_empty());
}

#[tokio::test]
async fn hooks_can_call_back_into_the_simulator() {
    let (sim, wallet) = start(true).await;
    let token = Address::repeat_byte(0xdd);
    sim.register_token(token, "USDT", 6);
    // A fake exchange: every ETH deposit to its payin address is answered with USDT to the
    // sender, from inside the hook (this would deadlock if hooks ran under the state lock).
    let payin = Address::repeat_byte(0xcc);
    let handle = sim.clone();
    sim.on_transfer(Arc::new(move |t: &SimTransfer| {
        if t.to == payin && t.asset == SimAsset::Native {
            handle
                .credit_token_from(token, payin, t.from, U256::from(1_000_000u64))
                .unwrap();
        }
    }));
    let gwei = 1_000_000_000u128;
    let t = wallet
        .sign_transfer(
            &WalletAsset::eth(),
            payin,
            U256::from(10u64.pow(17)),
            0,
            &fees(50 * gwei, gwei),
        )
        .unwrap();
    wallet.broadcast(&t).await.unwrap();
    assert_eq!(
        sim.token_balance(token, wallet.address()),
        U256::from(1_000_000u64)
    );
    let transfers = sim.transfers();
    assert_eq!(transfers.len(), 2);
    assert_eq!(transfers[1].from, payin);
    let waited = sim
        .wait_until(Duration::from_secs(1), |s| {
            (s.transfers().len() == 2).then_some(())
        })
        .await;
    assert_eq!(waited, Ok(()));
    assert_eq!(
        sim.wait_until(Duration::from_millis(50), |s| (s.transfers().len() == 3)
            .then_some(()))
            .await,
        Err(EvmSimError::Timeout(Duration::from_millis(50)))
    );
}
