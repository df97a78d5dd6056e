//! Tests that drive the simulator with the real teloxide `Bot` and raw HTTP.

mod basics;
mod commands;
mod dispatcher;
mod limits;
mod membership;
mod messaging;
mod payments;
mod updates;

use std::time::Duration;

use serde_json::Value;
use teloxide::Bot;

use super::{AdminRights, NewChat, NewUser, SimConfig, TelegramSim};

pub(super) const ALICE: i64 = 1001;
pub(super) const BOB: i64 = 1002;
pub(super) const OWNER: i64 = 2001;
pub(super) const CHANNEL: i64 = -1_001_234_567_890;
pub(super) const WAIT: Duration = Duration::from_secs(5);

/// A simulator with Alice (started), Bob (not started), an owner and a private
/// channel where the bot is a full admin, plus a teloxide `Bot` pointed at it.
/// Flood limits are off here; `limits.rs` tests them.
pub(super) async fn setup() -> (TelegramSim, Bot) {
    let mut config = SimConfig::default();
    config.limits.enabled = false;
    setup_with(config).await
}

pub(super) async fn setup_with(config: SimConfig) -> (TelegramSim, Bot) {
    let sim = TelegramSim::start(config).await.unwrap();
    sim.add_user(
        NewUser::new(ALICE, "Alice")
            .username("alice")
            .language("en")
            .started(),
    );
    sim.add_user(NewUser::new(BOB, "Bob"));
    sim.add_user(NewUser::new(OWNER, "Olga").username("olga").started());
    sim.add_chat(
        NewChat::channel(CHANNEL, "Premium Signals")
            .description("paid")
            .owner(OWNER),
    );
    sim.set_bot_rights(CHANNEL, AdminRights::full());
    let bot = Bot::new(sim.token()).set_api_url(sim.api_url());
    (sim, bot)
}

/// POSTs a JSON body to a method and returns (HTTP status, body).
pub(super) async fn raw(sim: &TelegramSim, method: &str, body: Value) -> (u16, Value) {
    let url = format!("{}bot{}/{method}", sim.api_url(), sim.token());
    let response = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Waits until the simulator has seen `count` getUpdates requests start, so a
/// test can act while a long poll is held open.
pub(super) async fn polls_started(sim: &TelegramSim, count: u64) {
    sim.wait_until(Duration::from_secs(5), |s| {
        (s.shared.state().poll_generation >= count).then_some(())
    })
    .await
    .expect("no getUpdates reached the simulator");
}
