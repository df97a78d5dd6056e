//! The host wallet's balances as Prometheus gauges, read from the node once a minute, so an
//! alert can fire before payouts stop for want of funds or gas (docs/alerts.md).

use std::time::Duration;

use rust_decimal::prelude::ToPrimitive as _;
use tokio_util::sync::CancellationToken;

use crate::payouts::wallet::from_base_units;
use crate::services::Ctx;
use crate::telemetry::names::{HOST_WALLET_BALANCE, HOST_WALLET_GAS_BALANCE};

/// How often the balances are read.
const EVERY: Duration = Duration::from_secs(60);

/// Reads both balances every [`EVERY`] until `stop`. A node that does not answer leaves the
/// last values (and logs); the `/readyz` check reports the node itself.
pub async fn run(ctx: Ctx, stop: CancellationToken) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = sample(&ctx).await {
            tracing::debug!(error = %ctx.redact(&format!("{e:#}")), "host wallet balances not read");
        }
    }
}

/// Reads both balances once and sets the gauges.
pub async fn sample(ctx: &Ctx) -> anyhow::Result<()> {
    let host = crate::payouts::send::host_asset(ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let units = ctx.wallet.balance(&host.wallet).await?;
    // A gauge is a float by Prometheus' definition; this is a reading for alerts, never money
    // anything is computed from.
    if let Some(v) = host.wallet.from_base_units(units)?.to_f64() {
        metrics::gauge!(HOST_WALLET_BALANCE, "asset" => host.currency.clone()).set(v);
    }
    let gas = ctx.wallet.native_balance().await?;
    if let Some(v) = from_base_units(gas, 18)?.to_f64() {
        metrics::gauge!(HOST_WALLET_GAS_BALANCE).set(v);
    }
    Ok(())
}
