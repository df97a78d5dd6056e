//! Invite links, bans, join requests and admin rights.

use teloxide::prelude::*;
use teloxide::types::{ChatMemberKind, UpdateKind};
use teloxide::{ApiError, RequestError};

use super::super::{AdminRights, JoinOutcome, MemberStatus, SimError};
use super::{ALICE, BOB, CHANNEL, OWNER, setup};

#[tokio::test]
async fn invite_link_create_join_and_revoke() {
    let (sim, bot) = setup().await;
    let link = bot
        .create_chat_invite_link(ChatId(CHANNEL))
        .member_limit(1)
        .name("order 42")
        .await
        .unwrap();
    assert!(link.invite_link.starts_with("https://t.me/+"));
    assert_eq!(
        (link.member_limit, link.is_revoked, link.is_primary),
        (Some(1), false, false)
    );
    assert_eq!(link.creator.id.0, u64::try_from(sim.bot_id()).unwrap());

    let joined = sim
        .user_opens_invite_link(ALICE, &link.invite_link)
        .unwrap();
    assert!(matches!(joined, JoinOutcome::Joined { update_id: Some(_) }));
    assert_eq!(sim.member_status(CHANNEL, ALICE), MemberStatus::member());
    assert_eq!(
        sim.user_opens_invite_link(BOB, &link.invite_link),
        Err(SimError::LinkLimitReached)
    );

    // chat_member arrives only when asked for explicitly.
    assert!(bot.get_updates().await.unwrap().is_empty());
    sim.user_leaves(CHANNEL, ALICE).unwrap();
    let updates = bot
        .get_updates()
        .allowed_updates(vec![teloxide::types::AllowedUpdate::ChatMember])
        .await
        .unwrap();
    assert_eq!(
        updates.len(),
        1,
        "the join was filtered out before; the leave is kept"
    );
    let UpdateKind::ChatMember(left) = &updates[0].kind else {
        panic!()
    };
    assert!(matches!(left.new_chat_member.kind, ChatMemberKind::Left));
    // Leaving frees the slot.
    sim.user_opens_invite_link(BOB, &link.invite_link).unwrap();
    let updates = bot
        .get_updates()
        .offset(i32::try_from(updates[0].id.0).unwrap() + 1)
        .await
        .unwrap();
    let UpdateKind::ChatMember(joined) = &updates[0].kind else {
        panic!()
    };
    assert_eq!(
        joined.invite_link.as_ref().map(|l| l.invite_link.clone()),
        Some(link.invite_link.clone())
    );

    let revoked = bot
        .revoke_chat_invite_link(ChatId(CHANNEL), link.invite_link.clone())
        .await
        .unwrap();
    assert!(revoked.is_revoked);
    assert_eq!(
        sim.user_opens_invite_link(ALICE, &link.invite_link),
        Err(SimError::LinkRevoked)
    );
    assert!(sim.invite_links(CHANNEL)[0].is_revoked);

    let expiring = bot
        .create_chat_invite_link(ChatId(CHANNEL))
        .expire_date(chrono::Utc::now() + chrono::Duration::seconds(60))
        .await
        .unwrap();
    sim.advance_clock(std::time::Duration::from_secs(120));
    assert_eq!(
        sim.user_opens_invite_link(ALICE, &expiring.invite_link),
        Err(SimError::LinkExpired)
    );

    let err = bot
        .create_chat_invite_link(ChatId(CHANNEL))
        .member_limit(1)
        .creates_join_request(true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::Unknown(_))),
        "{err:?}"
    );
}

#[tokio::test]
async fn kick_idiom_versus_plain_unban() {
    let (sim, bot) = setup().await;
    let alice = UserId(1001);
    sim.set_member(CHANNEL, ALICE, MemberStatus::member());
    bot.ban_chat_member(ChatId(CHANNEL), alice).await.unwrap();
    assert_eq!(
        sim.member_status(CHANNEL, ALICE),
        MemberStatus::Kicked { until_date: 0 }
    );
    let link = bot.create_chat_invite_link(ChatId(CHANNEL)).await.unwrap();
    assert_eq!(
        sim.user_opens_invite_link(ALICE, &link.invite_link),
        Err(SimError::Banned)
    );
    bot.unban_chat_member(ChatId(CHANNEL), alice)
        .only_if_banned(true)
        .await
        .unwrap();
    assert_eq!(sim.member_status(CHANNEL, ALICE), MemberStatus::Left);
    sim.user_opens_invite_link(ALICE, &link.invite_link)
        .unwrap();

    // only_if_banned leaves a member alone; without it the member is removed.
    bot.unban_chat_member(ChatId(CHANNEL), alice)
        .only_if_banned(true)
        .await
        .unwrap();
    assert!(sim.member_status(CHANNEL, ALICE).is_present());
    bot.unban_chat_member(ChatId(CHANNEL), alice).await.unwrap();
    assert_eq!(sim.member_status(CHANNEL, ALICE), MemberStatus::Left);

    let err = bot
        .ban_chat_member(ChatId(CHANNEL), UserId(2001))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("can't remove chat owner"), "{err}");
    sim.set_bot_rights(
        CHANNEL,
        AdminRights {
            can_restrict_members: false,
            ..AdminRights::full()
        },
    );
    let err = bot
        .ban_chat_member(ChatId(CHANNEL), alice)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::NotEnoughRightsToRestrict)),
        "{err:?}"
    );
    sim.set_bot_rights(
        CHANNEL,
        AdminRights {
            can_invite_users: false,
            ..AdminRights::full()
        },
    );
    let err = bot
        .create_chat_invite_link(ChatId(CHANNEL))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RequestError::Api(ApiError::NotEnoughRightsToPostMessages)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn join_request_flow() {
    let (sim, bot) = setup().await;
    let link = bot
        .create_chat_invite_link(ChatId(CHANNEL))
        .creates_join_request(true)
        .await
        .unwrap();
    let outcome = sim.user_opens_invite_link(BOB, &link.invite_link).unwrap();
    assert!(matches!(
        outcome,
        JoinOutcome::Requested { update_id: Some(_) }
    ));
    assert_eq!(
        sim.user_opens_invite_link(BOB, &link.invite_link),
        Err(SimError::RequestPending)
    );
    assert_eq!(sim.join_requests(CHANNEL).len(), 1);
    let updates = bot
        .get_updates()
        .allowed_updates(vec![
            teloxide::types::AllowedUpdate::ChatJoinRequest,
            teloxide::types::AllowedUpdate::ChatMember,
        ])
        .await
        .unwrap();
    let UpdateKind::ChatJoinRequest(request) = &updates[0].kind else {
        panic!("{:?}", updates[0].kind)
    };
    assert_eq!(request.user_chat_id.0, BOB);
    assert_eq!(
        request.invite_link.as_ref().map(|l| l.creates_join_request),
        Some(true)
    );
    // Bob never pressed START, but a pending request lets the bot write to him.
    bot.send_message(request.user_chat_id, "Pay first")
        .await
        .unwrap();

    let err = bot
        .approve_chat_join_request(ChatId(CHANNEL), UserId(1001))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HIDE_REQUESTER_MISSING"), "{err}");
    bot.approve_chat_join_request(ChatId(CHANNEL), UserId(1002))
        .await
        .unwrap();
    assert_eq!(sim.member_status(CHANNEL, BOB), MemberStatus::member());
    assert!(sim.join_requests(CHANNEL).is_empty());
    let next = i32::try_from(updates[0].id.0).unwrap() + 1;
    let updates = bot.get_updates().offset(next).await.unwrap();
    let UpdateKind::ChatMember(member) = &updates[0].kind else {
        panic!()
    };
    assert!(matches!(
        member.new_chat_member.kind,
        ChatMemberKind::Member(_)
    ));
    assert_eq!(member.from.id.0, u64::try_from(sim.bot_id()).unwrap());
    assert!(member.invite_link.is_some());
    let err = bot
        .decline_chat_join_request(ChatId(CHANNEL), UserId(1002))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HIDE_REQUESTER_MISSING"));
}

#[tokio::test]
async fn bot_added_to_channel_by_owner() {
    let (sim, bot) = setup().await;
    let other = sim.add_channel(-1_005_555, "New");
    sim.set_member(
        other,
        OWNER,
        MemberStatus::Creator {
            is_anonymous: false,
        },
    );
    sim.inject_my_chat_member(
        other,
        OWNER,
        MemberStatus::Administrator(AdminRights::full()),
    )
    .unwrap();
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::MyChatMember(change) = &updates[0].kind else {
        panic!()
    };
    assert!(change.chat.is_channel());
    assert_eq!(change.from.id.0, 2001);
    assert!(matches!(change.old_chat_member.kind, ChatMemberKind::Left));
    let ChatMemberKind::Administrator(rights) = &change.new_chat_member.kind else {
        panic!()
    };
    assert!(rights.can_invite_users);
    assert!(bot.create_chat_invite_link(ChatId(other)).await.is_ok());
    sim.inject_my_chat_member(other, OWNER, MemberStatus::Kicked { until_date: 0 })
        .unwrap();
    let err = bot.send_message(ChatId(other), "x").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::BotKickedFromChannel)),
        "{err:?}"
    );
}
