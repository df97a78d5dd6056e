//! The simulator on its own: JSON-RPC framing and fault injection. Pool rules, fees and
//! token calls are exercised with the product's signing wallet in the product's integration
//! tests (`tests/it/clients/evm.rs`).

use serde_json::{Value, json};

use super::*;

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

async fn start() -> EvmSim {
    EvmSim::start(EvmSimConfig::default()).await.unwrap()
}

#[tokio::test]
async fn framing_single_batch_and_errors() {
    let sim = start().await;
    let one = call(&sim, "eth_chainId", json!([])).await;
    assert_eq!(one["result"], "0x7a69");
    assert_eq!(one["jsonrpc"], "2.0");
    assert_eq!(
        call(&sim, "net_version", json!([])).await["result"],
        "31337"
    );

    let (status, batch) = post(
        &sim,
        json!([
            {"jsonrpc": "2.0", "id": 7, "method": "eth_blockNumber", "params": []},
            {"jsonrpc": "2.0", "id": "x", "method": "eth_nope", "params": []},
            {"jsonrpc": "2.0", "method": "eth_chainId", "params": []},
            {"jsonrpc": "2.0", "id": 9, "method": "eth_gasPrice"}
        ]),
    )
    .await;
    assert_eq!(status, 200);
    let batch = batch.as_array().unwrap();
    assert_eq!(batch.len(), 3, "the notification gets no answer");
    assert_eq!(batch[0]["id"], 7);
    assert_eq!(batch[0]["result"], "0x0");
    assert_eq!(batch[1]["id"], "x");
    assert_eq!(batch[1]["error"]["code"], -32601);
    assert_eq!(batch[2]["result"], "0x4e3b29200", "21 gwei");

    let response = reqwest::Client::new()
        .post(sim.url())
        .body("{not json")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32700);
    let (_, empty) = post(&sim, json!([])).await;
    assert_eq!(empty["error"]["code"], -32600);
    let get = reqwest::get(sim.url()).await.unwrap();
    assert_eq!(get.status().as_u16(), 405);

    assert_eq!(
        sim.calls(),
        vec![
            "eth_chainId",
            "net_version",
            "eth_blockNumber",
            "eth_nope",
            "eth_chainId",
            "eth_gasPrice"
        ]
    );
}

#[tokio::test]
async fn faults_apply_once_to_their_method() {
    let sim = start().await;
    sim.fail_next(
        "eth_blockNumber",
        RpcFault::RpcError {
            code: -32000,
            message: "header not found".to_owned(),
        },
    );
    sim.fail_next("*", RpcFault::HttpStatus(503));
    // The wildcard is queued behind the blockNumber fault but matches first for chainId.
    let response = reqwest::Client::new()
        .post(sim.url())
        .json(&json!({"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    let body = call(&sim, "eth_blockNumber", json!([])).await;
    assert_eq!(body["error"]["message"], "header not found");
    assert_eq!(
        call(&sim, "eth_blockNumber", json!([])).await["result"],
        "0x0"
    );
}
