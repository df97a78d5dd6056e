//! A real teloxide `Dispatcher` polling the simulator end to end.

use std::time::Duration;

use teloxide::dispatching::UpdateFilterExt;
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::update_listeners::Polling;

use super::{ALICE, WAIT, setup};

async fn on_message(bot: Bot, msg: Message) -> ResponseResult<()> {
    let keyboard =
        InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("Pay", "pay:1")]]);
    let text = format!("pong: {}", msg.text().unwrap_or_default());
    bot.send_message(msg.chat.id, text)
        .reply_markup(keyboard)
        .await?;
    Ok(())
}

async fn on_callback(bot: Bot, query: CallbackQuery) -> ResponseResult<()> {
    bot.answer_callback_query(query.id.clone()).await?;
    if let Some(message) = query.regular_message() {
        let data = query.data.clone().unwrap_or_default();
        bot.edit_message_text(message.chat.id, message.id, format!("chosen {data}"))
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn dispatcher_round_trip() {
    let (sim, bot) = setup().await;
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback));
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler).build();
    let shutdown = dispatcher.shutdown_token();
    let listener = Polling::builder(bot)
        .timeout(Duration::from_secs(2))
        .delete_webhook()
        .await
        .build();
    let task = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(listener, LoggingErrorHandler::new())
            .await;
    });

    sim.send_text(ALICE, "/start ref_1").unwrap();
    let reply = sim
        .wait_for_message(ALICE, WAIT, |m| m.from_bot)
        .await
        .unwrap();
    assert_eq!(reply.text.as_deref(), Some("pong: /start ref_1"));
    let first_poll = sim.calls_of("getUpdates").into_iter().next().unwrap();
    let allowed = first_poll.params["allowed_updates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(allowed.iter().any(|k| k == "callback_query"), "{allowed:?}");

    sim.press_button(ALICE, reply.message_id, "pay:1").unwrap();
    sim.wait_for(WAIT, |s| {
        s.message(ALICE, reply.message_id)
            .and_then(|m| m.text)
            .as_deref()
            == Some("chosen pay:1")
    })
    .await
    .unwrap();
    assert_eq!(sim.calls_of("answerCallbackQuery")[0].refused, None);

    loop {
        match shutdown.shutdown() {
            Ok(done) => break done.await,
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    task.await.unwrap();
    let methods: Vec<String> = sim.calls().into_iter().map(|c| c.method).collect();
    assert!(methods.contains(&"getMe".to_owned()), "{methods:?}");
    // Polling asks for the webhook and deletes it only when one is set.
    assert_eq!(methods[0], "getWebhookInfo");
    assert!(sim.calls_of("deleteWebhook").is_empty(), "{methods:?}");
}
