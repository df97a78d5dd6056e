//! Waiting for the bot: an action's answer comes back once the bot and the jobs are done with it.

use std::time::Duration;

use telepay_sim::telegram::TelegramSim;

use super::super::world::World;

/// Waits until the bot has taken every update and gone quiet, runs the due timers and jobs
/// (`settle`), and waits for the bot again (jobs send messages too), until a whole round adds
/// no Telegram call: what the bot does in answer then follows the action that caused it.
pub async fn let_the_bot_work(world: &World) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let before = bot_calls(&world.tg);
        // The bot long-polls; an update it took is confirmed with its next poll.
        let _ = world
            .tg
            .wait_for(Duration::from_secs(10), |tg| {
                tg.pending_updates().is_empty()
            })
            .await;
        bot_quiet(world).await;
        world.settle().await?;
        bot_quiet(world).await;
        if bot_calls(&world.tg) == before || tokio::time::Instant::now() > deadline {
            return Ok(());
        }
    }
}

fn bot_calls(tg: &TelegramSim) -> usize {
    tg.calls()
        .iter()
        .filter(|c| c.method != "getUpdates")
        .count()
}

/// How long the bot must make no Telegram call to count as done.
const QUIET: Duration = Duration::from_millis(250);

/// Waits (at most 15 s) until the bot makes no call but `getUpdates` for [`QUIET`].
async fn bot_quiet(world: &World) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while tokio::time::Instant::now() < deadline {
        let seen = bot_calls(&world.tg);
        let moved = world
            .tg
            .wait_until(QUIET, |tg| (bot_calls(tg) != seen).then_some(()))
            .await;
        if moved.is_err() {
            return;
        }
    }
}
