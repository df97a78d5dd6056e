//! The product's ChangeNOW client against the simulator over real sockets (`client`) and the
//! deposit-driven lifecycle (`lifecycle`), moved from the simulator's own tests.

mod client;
mod lifecycle;

use std::time::Duration;

use rust_decimal::Decimal;
use secrecy::SecretString;

use telepay::providers::changenow::{
    Asset, ChangeNowClient, CreateExchange, ExchangeState, RetryPolicy,
};
use telepay_sim::changenow::{ChangeNowSim, CnSimConfig};

/// The product's asset in the simulator's type; each is written from ChangeNOW's documents.
pub(super) fn sim_asset(a: &Asset) -> telepay_sim::changenow::Asset {
    telepay_sim::changenow::Asset::new(&a.ticker, &a.network)
}

/// The simulator's status in the product's type, by its wire name.
pub(super) fn product_state(s: &telepay_sim::changenow::ExchangeState) -> ExchangeState {
    ExchangeState::parse(s.as_str())
}

/// A checksummed EVM address (EIP-55 example).
pub(super) const EVM_ADDR: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
/// A Tron address.
pub(super) const TRON_ADDR: &str = "TNDFkiSmBQorNFacb3735q8MnT29sn8BLn";

pub(super) async fn sim() -> ChangeNowSim {
    sim_with(|_| {}).await
}

pub(super) async fn sim_with(edit: impl FnOnce(&mut CnSimConfig)) -> ChangeNowSim {
    let mut config = CnSimConfig {
        // Held answers outlive any client timeout of these tests.
        timeout_hold: Duration::from_secs(20),
        ..CnSimConfig::default()
    };
    edit(&mut config);
    ChangeNowSim::start(config).await.unwrap()
}

/// Fast retries: 3 attempts, 10 ms then 20 ms.
pub(super) fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
    }
}

pub(super) fn client_with_timeout(sim: &ChangeNowSim, timeout: Duration) -> ChangeNowClient {
    ChangeNowClient::new(
        sim.base_url(),
        SecretString::from(sim.api_key().to_owned()),
        timeout,
    )
    .unwrap()
    .with_retry(fast_retry())
}

pub(super) fn client_for(sim: &ChangeNowSim) -> ChangeNowClient {
    client_with_timeout(sim, Duration::from_secs(5))
}

pub(super) fn usdt_bsc() -> Asset {
    Asset::new("usdt", "bsc")
}

pub(super) fn usdt_trx() -> Asset {
    Asset::new("usdt", "trx")
}

pub(super) fn eth() -> Asset {
    Asset::new("eth", "eth")
}

/// USDT-BEP20 → ETH to [`EVM_ADDR`].
pub(super) fn order(amount: Decimal) -> CreateExchange {
    CreateExchange {
        from: usdt_bsc(),
        to: eth(),
        from_amount: amount,
        address: EVM_ADDR.to_owned(),
        extra_id: None,
        refund_address: None,
    }
}
