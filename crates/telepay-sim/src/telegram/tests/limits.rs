//! Flood limits against raw sends and teloxide's `Throttle` adaptor.

use teloxide::RequestError;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;

use super::super::SimConfig;
use super::{ALICE, CHANNEL, OWNER, setup_with};

#[tokio::test]
async fn second_send_within_a_second_is_refused() {
    let (sim, bot) = setup_with(SimConfig::default()).await;
    bot.send_message(ChatId(ALICE), "one").await.unwrap();
    let err = bot.send_message(ChatId(ALICE), "two").await.unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(s) if s.seconds() == 1),
        "{err:?}"
    );
    // Other chats are not affected, and edits are not flood-limited here.
    bot.send_message(ChatId(OWNER), "other").await.unwrap();
    let calls = sim.calls_of("sendMessage");
    assert_eq!(
        calls.iter().map(|c| c.refused).collect::<Vec<_>>(),
        vec![None, Some(429), None]
    );
    assert_eq!(sim.messages_in(ALICE).len(), 1);
}

#[tokio::test]
async fn throttled_bot_is_never_refused() {
    let (sim, bot) = setup_with(SimConfig::default()).await;
    let throttled = bot.throttle(Limits::default());
    for i in 0..5 {
        throttled
            .send_message(ChatId(ALICE), format!("n{i}"))
            .await
            .unwrap();
    }
    throttled
        .send_message(ChatId(CHANNEL), "post")
        .await
        .unwrap();
    let refused: Vec<_> = sim
        .calls()
        .into_iter()
        .filter(|c| c.refused.is_some())
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(sim.messages_in(ALICE).len(), 5);
}
