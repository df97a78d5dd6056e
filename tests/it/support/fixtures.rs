//! Ready-made rows for tests: an owner with a registered channel.

use telepay::domain::money::UsdMicros;
use telepay::domain::time::UnixMillis;
use telepay::store::Db;
use telepay::store::channels::{
    AccessMode, Channel, NewChannel, NewTier, PayoutSettings, PayoutStrategy,
};
use telepay::store::users::SeenUser;

pub async fn owner(db: &Db, id: i64, now: UnixMillis) {
    db.upsert_user(
        &SeenUser {
            id,
            username: Some("owner"),
            first_name: "Olga",
            language_code: Some("en"),
        },
        now,
    )
    .await
    .unwrap();
}

/// A channel of `owner_id` with tiers $5/30 days and $12.50/90 days, paid out in USDT on TRON.
pub async fn channel(
    db: &Db,
    owner_id: i64,
    chat_id: i64,
    strategy: PayoutStrategy,
    now: UnixMillis,
) -> Channel {
    owner(db, owner_id, now).await;
    let mut c = channel_template(owner_id, chat_id);
    c.payout.strategy = strategy;
    db.create_channel(&c, now).await.unwrap()
}

pub fn channel_template(owner_id: i64, chat_id: i64) -> NewChannel {
    NewChannel {
        owner_id,
        chat_id,
        title: "Alpha <Signals> & Co".into(),
        description: "Daily calls".into(),
        access_mode: AccessMode::JoinRequest,
        payout: PayoutSettings {
            currency: "USDT".into(),
            network: "TRX".into(),
            address: "TNDFkiSmBQorNFacb3735q8MnT29sn8BLn".into(),
            extra_id: None,
            strategy: PayoutStrategy::Instant,
        },
        tiers: vec![
            NewTier {
                price: UsdMicros::from_cents(500),
                days: 30,
            },
            NewTier {
                price: UsdMicros::from_cents(1250),
                days: 90,
            },
        ],
    }
}
