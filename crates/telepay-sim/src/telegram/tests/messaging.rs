//! Sending, editing, buttons, markup validation and error mapping.

use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ParseMode, UpdateKind,
};
use teloxide::{ApiError, RequestError};

use super::super::SimError;
use super::{ALICE, BOB, CHANNEL, raw, setup};

fn keyboard(data: &str) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("Pay", data)]])
}

#[tokio::test]
async fn button_press_reaches_the_bot_as_a_callback_query() {
    let (sim, bot) = setup().await;
    let sent = bot
        .send_message(ChatId(ALICE), "Choose")
        .reply_markup(keyboard("buy:1"))
        .await
        .unwrap();
    assert_eq!(sent.text(), Some("Choose"));
    assert!(matches!(
        sim.press_button(ALICE, sent.id.0, "buy:2"),
        Err(SimError::NoSuchButton { .. })
    ));
    let pressed = sim.press_button(ALICE, sent.id.0, "buy:1").unwrap();
    let updates = bot.get_updates().timeout(1).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(i64::from(updates[0].id.0), pressed.update_id);
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
        panic!("{:?}", updates[0].kind)
    };
    assert_eq!(query.data.as_deref(), Some("buy:1"));
    assert_eq!(query.from.id.0, 1001);
    assert_eq!(query.regular_message().map(|m| m.id), Some(sent.id));
    bot.answer_callback_query(query.id.clone()).await.unwrap();
    let again = bot
        .answer_callback_query(query.id.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(again, RequestError::Api(ApiError::InvalidQueryId)),
        "{again:?}"
    );
    // A tampered press carries any data; a missing message is inaccessible.
    sim.inject_callback_raw(ALICE, 999, "buy:999").unwrap();
    let updates = bot
        .get_updates()
        .offset(i32::try_from(updates[0].id.0).unwrap() + 1)
        .await
        .unwrap();
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
        panic!()
    };
    assert!(query.regular_message().is_none());
}

#[tokio::test]
async fn edit_not_modified_and_keyboard_removal() {
    let (sim, bot) = setup().await;
    let sent = bot
        .send_message(ChatId(ALICE), "<b>Total</b>: 5")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard("ok"))
        .await
        .unwrap();
    let same = bot
        .edit_message_text(ChatId(ALICE), sent.id, "<b>Total</b>: 5")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard("ok"))
        .await
        .unwrap_err();
    assert!(
        matches!(same, RequestError::Api(ApiError::MessageNotModified)),
        "{same:?}"
    );
    let edited = bot
        .edit_message_text(ChatId(ALICE), sent.id, "Paid")
        .await
        .unwrap();
    assert!(edited.edit_date().is_some());
    let now = sim.message(ALICE, sent.id.0).unwrap();
    assert_eq!(now.text.as_deref(), Some("Paid"));
    assert!(
        now.reply_markup.is_none(),
        "an edit without markup drops the keyboard"
    );
    let err = bot
        .edit_message_reply_markup(ChatId(ALICE), sent.id)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        RequestError::Api(ApiError::MessageNotModified)
    ));
    bot.delete_message(ChatId(ALICE), sent.id).await.unwrap();
    assert!(sim.messages_in(ALICE).is_empty());
    let err = bot
        .delete_message(ChatId(ALICE), sent.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToDeleteNotFound)),
        "{err:?}"
    );
}

#[tokio::test]
async fn blocked_and_unstarted_users() {
    let (sim, bot) = setup().await;
    sim.user_blocks_bot(ALICE).unwrap();
    let err = bot.send_message(ChatId(ALICE), "hi").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::BotBlocked)),
        "{err:?}"
    );
    assert_eq!(sim.calls_of("sendMessage")[0].refused, Some(403));
    let err = bot.send_message(ChatId(BOB), "hi").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("bot can't initiate conversation with a user"),
        "{err}"
    );
    let err = bot.send_message(ChatId(-42), "hi").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::ChatNotFound)));
    // /start unblocks and starts.
    sim.send_text(BOB, "/start ref_7").unwrap();
    bot.send_message(ChatId(BOB), "welcome").await.unwrap();
    assert!(matches!(
        sim.send_text(ALICE, "hello"),
        Err(SimError::BlockedBot(_))
    ));
    sim.send_text(ALICE, "/start").unwrap();
    bot.send_message(ChatId(ALICE), "back").await.unwrap();
    let updates = bot.get_updates().await.unwrap();
    let kinds: Vec<_> = updates.iter().map(|u| u.kind.clone()).collect();
    assert!(matches!(kinds[0], UpdateKind::MyChatMember(_)), "blocking");
    let UpdateKind::Message(m) = &kinds[1] else {
        panic!()
    };
    assert_eq!(m.text(), Some("/start ref_7"));
    assert!(m.entities().unwrap()[0].kind == teloxide::types::MessageEntityKind::BotCommand);
}

#[tokio::test]
async fn text_and_button_validation() {
    let (_sim, bot) = setup().await;
    let long = "x".repeat(65);
    let err = bot
        .send_message(ChatId(ALICE), "Pay")
        .reply_markup(keyboard(&long))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::ButtonDataInvalid)),
        "{err:?}"
    );
    // 64 bytes is fine even if it is fewer characters; 22 × "é" (2 bytes) = 44 bytes.
    bot.send_message(ChatId(ALICE), "Pay")
        .reply_markup(keyboard(&"é".repeat(32)))
        .await
        .unwrap();
    let err = bot
        .send_message(ChatId(ALICE), "Pay")
        .reply_markup(keyboard(&"é".repeat(33)))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        RequestError::Api(ApiError::ButtonDataInvalid)
    ));
    let err = bot
        .send_message(ChatId(ALICE), "x".repeat(4097))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageIsTooLong)),
        "{err:?}"
    );
    bot.send_message(ChatId(ALICE), format!("<b>{}</b>", "x".repeat(4096)))
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    let err = bot.send_message(ChatId(ALICE), "  ").await.unwrap_err();
    assert!(matches!(
        err,
        RequestError::Api(ApiError::MessageTextIsEmpty)
    ));
    for bad in ["1 < 2", "<b>bold", "<div>x</div>", "Tom & Jerry"] {
        let err = bot
            .send_message(ChatId(ALICE), bad)
            .parse_mode(ParseMode::Html)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, RequestError::Api(ApiError::CantParseEntities(_))),
            "{bad}: {err:?}"
        );
    }
    let ok = bot
        .send_message(ChatId(ALICE), "1 &lt; 2 &amp; <i>fine</i>")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(ok.text(), Some("1 < 2 & fine"));
    assert_eq!(ok.entities().unwrap().len(), 1);
}

#[tokio::test]
async fn documents_channels_and_injected_faults() {
    let (sim, bot) = setup().await;
    let file = InputFile::memory(b"id,amount\n1,5\n".to_vec()).file_name("report.csv");
    let sent = bot
        .send_document(ChatId(ALICE), file)
        .caption("<b>May</b> report")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(sent.caption(), Some("May report"));
    let stored = sim.last_message_to(ALICE).unwrap().document.unwrap();
    assert_eq!(stored.file_name.as_deref(), Some("report.csv"));
    assert_eq!(stored.bytes, b"id,amount\n1,5\n");
    assert_eq!(sim.calls_of("sendDocument")[0].files.len(), 1);

    let post = bot.send_message(ChatId(CHANNEL), "post").await.unwrap();
    assert!(post.sender_chat.is_some());
    let (status, body) = raw(&sim, "sendMessage", json!({"chat_id": CHANNEL, "text": "web",
        "reply_markup": {"inline_keyboard": [[{"text": "Open", "web_app": {"url": "https://x.io"}}]]}})).await;
    assert_eq!(
        (status, body["description"].as_str()),
        (400, Some("Bad Request: BUTTON_TYPE_INVALID"))
    );

    sim.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 3",
        Some(3),
    );
    let err = bot.send_message(ChatId(ALICE), "x").await.unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(s) if s.seconds() == 3),
        "{err:?}"
    );
    let refused = sim.calls_of("sendMessage").last().cloned().unwrap();
    assert_eq!(refused.refused, Some(429));
    sim.set_delay("getMe", Some(std::time::Duration::from_millis(200)));
    let started = std::time::Instant::now();
    bot.get_me().await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
}

/// A 3×2 PNG header (signature, IHDR) and nothing else: the simulator reads only the size.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

#[tokio::test]
async fn photos_are_uploaded_sized_and_refused_when_not_images() {
    let (sim, bot) = setup().await;
    let png = png_header(300, 200);
    let sent = bot
        .send_photo(
            ChatId(ALICE),
            InputFile::memory(png.clone()).file_name("c.png"),
        )
        .caption("<b>Chart</b> of May")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(sent.caption(), Some("Chart of May"));
    let sizes = sent.photo().unwrap();
    assert_eq!((sizes[0].width, sizes[0].height), (300, 200));
    let stored = sim.last_message_to(ALICE).unwrap().photo.unwrap();
    assert_eq!(stored.bytes, png);
    assert_eq!(sim.calls_of("sendPhoto")[0].files.len(), 1);

    // Sent again by its file id.
    let again = bot
        .send_photo(
            ChatId(ALICE),
            InputFile::file_id(teloxide::types::FileId(stored.file_id.clone())),
        )
        .await
        .unwrap();
    assert_eq!(again.photo().unwrap()[0].file.id.0, stored.file_id);

    for (bytes, error) in [
        (
            b"not an image".to_vec(),
            "Bad Request: IMAGE_PROCESS_FAILED",
        ),
        (
            png_header(9_000, 2_000),
            "Bad Request: PHOTO_INVALID_DIMENSIONS",
        ),
        (
            png_header(2_100, 100),
            "Bad Request: PHOTO_INVALID_DIMENSIONS",
        ),
    ] {
        let err = bot
            .send_photo(ChatId(ALICE), InputFile::memory(bytes).file_name("x.png"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains(&error[13..]), "{err}");
    }
}
