//! The ChangeNOW simulator over real sockets: the raw HTTP surface. The product's client
//! against it lives in the product's integration tests (`tests/it/clients/changenow`).

mod api;

use std::time::Duration;

use crate::changenow::{ChangeNowSim, CnSimConfig};

/// A checksummed EVM address (EIP-55 example).
pub(super) const EVM_ADDR: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

pub(super) async fn sim() -> ChangeNowSim {
    ChangeNowSim::start(CnSimConfig {
        // Held answers outlive any client timeout of these tests.
        timeout_hold: Duration::from_secs(20),
        ..CnSimConfig::default()
    })
    .await
    .unwrap()
}
