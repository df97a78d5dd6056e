//! Command lists per scope and language, and which one a user sees (Bot API, "Determining
//! list of commands").

use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};

use super::super::{CommandScope, MemberStatus, NewChat, NewUser};
use super::{ALICE, BOB, OWNER, raw, setup};

fn cmds(names: &[&str]) -> Vec<BotCommand> {
    names
        .iter()
        .map(|n| BotCommand::new(*n, format!("the {n} command")))
        .collect()
}

fn chat(id: i64) -> BotCommandScope {
    BotCommandScope::Chat {
        chat_id: Recipient::Id(ChatId(id)),
    }
}

#[tokio::test]
async fn a_private_chat_falls_back_chat_then_all_private_then_default() {
    let (sim, bot) = setup().await;
    // Alice's client speaks "en"; Carla's speaks "es-AR"; Bob's none.
    let carla = sim.add_user(NewUser::new(1003, "Carla").language("es-AR").started());
    assert!(sim.commands_seen_by(ALICE).is_none(), "nothing set yet");

    bot.set_my_commands(cmds(&["default"])).await.unwrap();
    bot.set_my_commands(cmds(&["default_es"]))
        .language_code("es")
        .await
        .unwrap();
    assert_eq!(sim.command_names_seen_by(ALICE), ["default"]);
    assert_eq!(sim.command_names_seen_by(carla), ["default_es"]);
    assert_eq!(sim.command_names_seen_by(BOB), ["default"]);

    bot.set_my_commands(cmds(&["private"]))
        .scope(BotCommandScope::AllPrivateChats)
        .await
        .unwrap();
    // all_private_chats without a language beats default with one.
    assert_eq!(sim.command_names_seen_by(carla), ["private"]);
    assert_eq!(sim.command_names_seen_by(ALICE), ["private"]);

    bot.set_my_commands(cmds(&["alice_chat"]))
        .scope(chat(ALICE))
        .await
        .unwrap();
    bot.set_my_commands(cmds(&["alice_chat_en"]))
        .scope(chat(ALICE))
        .language_code("en")
        .await
        .unwrap();
    bot.set_my_commands(cmds(&["carla_chat_ru"]))
        .scope(chat(carla))
        .language_code("ru")
        .await
        .unwrap();
    assert_eq!(sim.command_names_seen_by(ALICE), ["alice_chat_en"]);
    // A list in another language than the client's is not shown.
    assert_eq!(sim.command_names_seen_by(carla), ["private"]);
    assert_eq!(sim.command_names_seen_by(BOB), ["private"]);

    // Deleting one (scope, language) uncovers the next list in the order.
    bot.delete_my_commands()
        .scope(chat(ALICE))
        .language_code("en")
        .await
        .unwrap();
    assert_eq!(sim.command_names_seen_by(ALICE), ["alice_chat"]);
    bot.delete_my_commands().scope(chat(ALICE)).await.unwrap();
    assert_eq!(sim.command_names_seen_by(ALICE), ["private"]);
    bot.delete_my_commands()
        .scope(BotCommandScope::AllPrivateChats)
        .await
        .unwrap();
    assert_eq!(sim.command_names_seen_by(ALICE), ["default"]);
    assert_eq!(sim.command_names_seen_by(carla), ["default_es"]);
}

#[tokio::test]
async fn get_and_delete_work_on_exactly_one_scope_and_language() {
    let (sim, bot) = setup().await;
    bot.set_my_commands(cmds(&["default"])).await.unwrap();
    bot.set_my_commands(cmds(&["mine"]))
        .scope(chat(ALICE))
        .await
        .unwrap();
    // No fallback in getMyCommands.
    let got = bot
        .get_my_commands()
        .scope(chat(ALICE))
        .language_code("en")
        .await
        .unwrap();
    assert!(got.is_empty());
    let got = bot.get_my_commands().scope(chat(ALICE)).await.unwrap();
    assert_eq!(got[0].command, "mine");
    let got = bot.get_my_commands().scope(chat(OWNER)).await.unwrap();
    assert!(got.is_empty());
    assert_eq!(
        sim.commands_in(CommandScope::Chat { chat_id: ALICE }, "")
            .unwrap()[0]["command"],
        "mine"
    );
    // Deleting a list that was never set is fine and changes nothing else.
    bot.delete_my_commands().scope(chat(OWNER)).await.unwrap();
    assert_eq!(sim.command_names_seen_by(ALICE), ["mine"]);
    sim.forget_commands();
    assert!(sim.commands_seen_by(ALICE).is_none());
}

#[tokio::test]
async fn scopes_are_validated() {
    let (sim, bot) = setup().await;
    let err = bot
        .set_my_commands(cmds(&["x_y"]))
        .scope(chat(424_242))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("chat not found"), "{err}");
    let err = bot
        .set_my_commands(cmds(&["x_y"]))
        .language_code("english")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("LANG_CODE_INVALID"), "{err}");
    let (status, body) = raw(
        &sim,
        "setMyCommands",
        json!({"commands": [{"command": "a", "description": "abc"}], "scope": {"type": "everyone"}}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["description"].as_str().unwrap().contains("scope"));
}

#[tokio::test]
async fn a_group_member_sees_member_admin_chat_group_default_lists_in_order() {
    let (sim, bot) = setup().await;
    let group = sim.add_chat(NewChat::supergroup(-1_009_999, "Talk").owner(OWNER));
    sim.set_member(group, ALICE, MemberStatus::member());
    bot.set_my_commands(cmds(&["default"])).await.unwrap();
    assert_eq!(
        sim.commands_seen_in_group(group, ALICE).unwrap()[0]["command"],
        "default"
    );
    bot.set_my_commands(cmds(&["groups"]))
        .scope(BotCommandScope::AllGroupChats)
        .await
        .unwrap();
    bot.set_my_commands(cmds(&["all_admins"]))
        .scope(BotCommandScope::AllChatAdministrators)
        .await
        .unwrap();
    assert_eq!(
        sim.commands_seen_in_group(group, ALICE).unwrap()[0]["command"],
        "groups"
    );
    assert_eq!(
        sim.commands_seen_in_group(group, OWNER).unwrap()[0]["command"],
        "all_admins"
    );
    bot.set_my_commands(cmds(&["this_chat"]))
        .scope(chat(group))
        .await
        .unwrap();
    // A chat's own list comes before all_chat_administrators.
    assert_eq!(
        sim.commands_seen_in_group(group, OWNER).unwrap()[0]["command"],
        "this_chat"
    );
    bot.set_my_commands(cmds(&["its_admins"]))
        .scope(BotCommandScope::ChatAdministrators {
            chat_id: Recipient::Id(ChatId(group)),
        })
        .await
        .unwrap();
    bot.set_my_commands(cmds(&["alice_here"]))
        .scope(BotCommandScope::ChatMember {
            chat_id: Recipient::Id(ChatId(group)),
            user_id: UserId(u64::try_from(ALICE).unwrap()),
        })
        .language_code("en")
        .await
        .unwrap();
    assert_eq!(
        sim.commands_seen_in_group(group, OWNER).unwrap()[0]["command"],
        "its_admins"
    );
    assert_eq!(
        sim.commands_seen_in_group(group, ALICE).unwrap()[0]["command"],
        "alice_here"
    );
    // The private chat is another place: group lists do not show there.
    assert_eq!(sim.command_names_seen_by(ALICE), ["default"]);
}
