//! GET /healthz (the process and its bot dispatcher) and GET /readyz (the database answers,
//! and the host wallet's EVM node has been seen on our chain).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::{Health, HttpState};
use crate::payouts::wallet::{HostWallet, WalletError};

pub async fn healthz(State(s): State<HttpState>) -> (StatusCode, Json<Value>) {
    let dispatcher = s.health.dispatcher();
    let code = if dispatcher == "down" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let status = if code.is_success() { "ok" } else { "failing" };
    (
        code,
        Json(json!({ "status": status, "dispatcher": dispatcher })),
    )
}

/// 200 when the database answers and the EVM node is known to serve EVM_CHAIN_ID; otherwise
/// 503 with each failing part saying why.
pub async fn readyz(State(s): State<HttpState>) -> (StatusCode, Json<Value>) {
    let database_ok = match tokio::time::timeout(Duration::from_secs(3), s.ctx.db.ping()).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database error");
            false
        }
        Err(_) => {
            tracing::warn!("readiness check: database timed out");
            false
        }
    };
    let evm_problem = s.health.evm_problem();
    let ready = database_ok && evm_problem.is_none();
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(json!({
            "status": if ready { "ready" } else { "not ready" },
            "database": if database_ok { "ok" } else { "unavailable" },
            "evm_node": evm_problem.as_deref().unwrap_or("ok"),
        })),
    )
}

/// How long one `eth_chainId` check may take.
pub const CHAIN_CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// First and longest pause between checks while the node does not answer.
const CHAIN_RECHECK_FIRST: Duration = Duration::from_secs(1);
const CHAIN_RECHECK_MAX: Duration = Duration::from_secs(30);

/// What one `eth_chainId` check found.
#[derive(Debug)]
pub enum ChainCheck {
    /// The node serves EVM_CHAIN_ID.
    Ok,
    /// The node serves another chain: payouts would be refused (start-up stops on this).
    WrongChain { configured: u64, node: u64 },
    /// The node did not answer usefully; the reason carries no RPC URL.
    NoAnswer(String),
}

/// Asks the node for its chain id, within [`CHAIN_CHECK_TIMEOUT`].
pub async fn check_chain(wallet: &HostWallet) -> ChainCheck {
    match tokio::time::timeout(CHAIN_CHECK_TIMEOUT, wallet.verify_chain()).await {
        Ok(Ok(())) => ChainCheck::Ok,
        Ok(Err(WalletError::ChainMismatch { configured, node })) => {
            ChainCheck::WrongChain { configured, node }
        }
        Ok(Err(e)) => ChainCheck::NoAnswer(format!("the EVM node did not answer: {e}")),
        Err(_) => ChainCheck::NoAnswer(format!(
            "the EVM node did not answer eth_chainId within {}s",
            CHAIN_CHECK_TIMEOUT.as_secs()
        )),
    }
}

/// Checks the node again, with a growing pause, until it answers on our chain (then /readyz
/// may pass) or `stop` fires. A node found on another chain keeps /readyz failing and is
/// logged as an error: an operator must fix EVM_RPC_URL or EVM_CHAIN_ID.
pub async fn recheck_chain(wallet: Arc<HostWallet>, health: Arc<Health>, stop: CancellationToken) {
    let mut pause = CHAIN_RECHECK_FIRST;
    loop {
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = stop.cancelled() => return,
        }
        match check_chain(&wallet).await {
            ChainCheck::Ok => {
                health.set_evm_problem(None);
                tracing::info!(
                    chain_id = wallet.chain_id(),
                    "the EVM node answers on our chain"
                );
                return;
            }
            ChainCheck::WrongChain { configured, node } => {
                let why =
                    format!("the EVM node is on chain {node}, but EVM_CHAIN_ID is {configured}");
                tracing::error!(reason = %why, "EVM node on the wrong chain");
                health.set_evm_problem(Some(why));
            }
            ChainCheck::NoAnswer(why) => {
                tracing::warn!(reason = %why, "EVM node still not answering");
                health.set_evm_problem(Some(why));
            }
        }
        pause = (pause * 2).min(CHAIN_RECHECK_MAX);
    }
}
