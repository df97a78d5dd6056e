//! Envelope, auth, start-up calls and object shapes teloxide must parse.

use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, ChatMemberKind};

use super::super::{MemberStatus, NewChat};
use super::{ALICE, BOB, CHANNEL, OWNER, raw, setup};

#[tokio::test]
async fn get_me_parses_into_me() {
    let (sim, bot) = setup().await;
    let me = bot.get_me().await.unwrap();
    assert_eq!(me.id.0, u64::try_from(sim.bot_id()).unwrap());
    assert_eq!(me.username(), sim.bot_username());
    assert!(me.user.is_bot);
    assert_eq!(sim.calls_of("GetMe").len(), 1);
    assert_eq!(sim.calls()[0].method, "getMe");
}

#[tokio::test]
async fn wrong_token_unknown_method_and_other_encodings() {
    let (sim, _) = setup().await;
    let client = reqwest::Client::new();
    let bad = client
        .post(format!("{}bot1:wrong/getMe", sim.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
    );

    let (status, body) = raw(&sim, "frobnicate", json!({})).await;
    assert_eq!(
        (status, body["description"].as_str()),
        (404, Some("Not Found"))
    );

    // Form encoding with a nested object as a JSON string, lowerCamel name.
    let url = format!("{}bot{}/sendmessage", sim.api_url(), sim.token());
    let markup = r#"{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}"#;
    let form = [
        ("chat_id", ALICE.to_string()),
        ("text", "hi".to_owned()),
        ("reply_markup", markup.to_owned()),
    ];
    let response = client.post(url).form(&form).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        sim.last_message_to(ALICE).unwrap().callback_data(),
        vec!["go"]
    );
    assert_eq!(sim.calls_of("sendMessage").len(), 1);
}

#[tokio::test]
async fn get_chat_parses_into_chat_full_info() {
    let (sim, bot) = setup().await;
    let chat = bot.get_chat(ChatId(CHANNEL)).await.unwrap();
    assert!(chat.is_channel());
    assert_eq!(chat.title(), Some("Premium Signals"));
    assert_eq!(chat.description(), Some("paid"));
    let private = bot.get_chat(ChatId(ALICE)).await.unwrap();
    assert!(private.is_private());
    assert_eq!(private.username(), Some("alice"));
    // Bob never started the bot and the bot is not in this other channel.
    let err = bot.get_chat(ChatId(BOB)).await.unwrap_err();
    assert!(
        matches!(
            err,
            teloxide::RequestError::Api(teloxide::ApiError::ChatNotFound)
        ),
        "{err:?}"
    );
    sim.add_chat(NewChat::channel(-1_009, "Elsewhere"));
    assert!(bot.get_chat(ChatId(-1_009)).await.is_err());
    let by_name = sim.add_chat(NewChat::channel(-1_010, "Public").username("public_ch"));
    let chat = bot
        .get_chat(teloxide::types::Recipient::ChannelUsername(
            "@public_ch".into(),
        ))
        .await
        .unwrap();
    assert_eq!(chat.id.0, by_name);
}

#[tokio::test]
async fn get_chat_member_parses_every_status() {
    let (sim, bot) = setup().await;
    sim.set_member(
        CHANNEL,
        ALICE,
        MemberStatus::Member {
            until_date: Some(sim.now() + 3600),
        },
    );
    sim.set_member(CHANNEL, BOB, MemberStatus::Kicked { until_date: 0 });
    let owner = bot
        .get_chat_member(ChatId(CHANNEL), UserId(2001))
        .await
        .unwrap();
    assert!(matches!(owner.kind, ChatMemberKind::Owner(_)));
    let me = bot
        .get_chat_member(
            ChatId(CHANNEL),
            UserId(u64::try_from(sim.bot_id()).unwrap()),
        )
        .await
        .unwrap();
    match me.kind {
        ChatMemberKind::Administrator(a) => {
            assert!(a.can_invite_users && a.can_restrict_members && a.can_post_messages)
        }
        other => panic!("{other:?}"),
    }
    let alice = bot
        .get_chat_member(ChatId(CHANNEL), UserId(1001))
        .await
        .unwrap();
    assert!(matches!(alice.kind, ChatMemberKind::Member(_)));
    let bob = bot
        .get_chat_member(ChatId(CHANNEL), UserId(1002))
        .await
        .unwrap();
    assert!(matches!(bob.kind, ChatMemberKind::Banned(_)));
    sim.set_member(
        CHANNEL,
        BOB,
        MemberStatus::Restricted {
            is_member: true,
            can_send_messages: false,
            until_date: 0,
        },
    );
    let bob = bot
        .get_chat_member(ChatId(CHANNEL), UserId(1002))
        .await
        .unwrap();
    assert!(matches!(bob.kind, ChatMemberKind::Restricted(_)));
    let group = sim.add_chat(NewChat::supergroup(-1_007, "Chat").owner(OWNER));
    sim.set_bot_rights(group, super::super::AdminRights::full());
    assert!(bot.get_chat(ChatId(group)).await.unwrap().is_supergroup());
    let owner = bot
        .get_chat_member(ChatId(group), UserId(2001))
        .await
        .unwrap();
    assert!(owner.is_owner());
    let admins = bot.get_chat_administrators(ChatId(CHANNEL)).await.unwrap();
    assert_eq!(admins.len(), 1, "bots are left out");
    assert_eq!(admins[0].user.id.0, u64::try_from(OWNER).unwrap());
}

#[tokio::test]
async fn webhook_info_and_commands() {
    let (sim, bot) = setup().await;
    let info = bot.get_webhook_info().await.unwrap();
    assert!(info.url.is_none());
    bot.set_my_commands(vec![
        BotCommand::new("start", "Start the bot"),
        BotCommand::new("buy", "Buy access"),
    ])
    .await
    .unwrap();
    assert_eq!(sim.my_commands("").unwrap()[1]["command"], "buy");
    let got = bot.get_my_commands().await.unwrap();
    assert_eq!(got.len(), 2);
    let err = bot
        .set_my_commands(vec![BotCommand::new("Buy-Now", "Buy access")])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("BOT_COMMAND_INVALID"), "{err}");
    let err = bot
        .set_my_commands(vec![BotCommand::new("buy", "x")])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("DESCRIPTION"), "{err}");
}
