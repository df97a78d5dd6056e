//! The channel owner journey (SPEC §2) through the Telegram simulator: registration with its
//! validations, restart in the middle, distribution, "my channels" edits, authorization, lost
//! rights, dashboard and CSV.

use telepay::bot::dialogue::Conversation;
use telepay::domain::money::UsdMicros;
use telepay::store::channels::{Channel, PayoutStrategy};
use telepay_sim::telegram::{AdminRights, MemberStatus, NewChat, SimMessage};

use crate::on_both_backends;
use crate::support::app::{TestApp, spawn_app};
use crate::support::db::Backend;
use crate::support::wait::eventually;

const OWNER: i64 = 700;
const OTHER: i64 = 701;
const CHAT: i64 = -100_555_000;
const OFFER_CHAT: i64 = -100_555_999;

/// EIP-55 example address (valid checksum).
const EVM_OK: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
/// The same with one letter's case flipped: the checksum breaks.
const EVM_BAD_CHECKSUM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
const BTC_OK: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
const BTC_BAD_CHECKSUM: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp";
const TRON_OK: &str = "TNDFkiSmBQorNFacb3735q8MnT29sn8BLn";
const TRON_BAD_CHECKSUM: &str = "TNDFkiSmBQorNFacb3735q8MnT29sn8BLm";

pub(crate) fn setup_channel(app: &TestApp, chat: i64, title: &str, owner: i64) {
    app.tg.add_chat(NewChat::channel(chat, title).owner(owner));
}

/// The owner taps "Add a channel" and picks `chat` with the request_chat button; Telegram makes
/// the bot an admin with the requested rights.
async fn pick_channel(app: &TestApp, owner: i64, chat: i64) {
    let n = app.count_containing(owner, "Add a channel");
    app.send_text(owner, "/addchannel");
    app.nth_reply_containing(owner, "Add a channel", n).await;
    app.tg
        .share_chat(owner, 1, chat, Some(AdminRights::full()))
        .unwrap();
}

async fn answer(app: &TestApp, owner: i64, text: &str, expect: &str) -> SimMessage {
    let n = app.count_containing(owner, expect);
    app.send_text(owner, text);
    app.nth_reply_containing(owner, expect, n).await
}

async fn press_in(
    app: &TestApp,
    owner: i64,
    msg: &SimMessage,
    data: &str,
    expect: &str,
) -> SimMessage {
    let n = app.count_containing(owner, expect);
    app.press(owner, msg.message_id, data);
    app.nth_reply_containing(owner, expect, n).await
}

/// Pages through the currency picker until `currency`/`network` is on screen and presses it.
async fn pick_currency(app: &TestApp, owner: i64, currency: &str, network: &str) -> SimMessage {
    pick_currency_in(
        app,
        owner,
        currency,
        network,
        "In which coin",
        "wallet address",
    )
    .await
}

/// [`pick_currency`] with the picker's and the next question's text in the owner's language.
async fn pick_currency_in(
    app: &TestApp,
    owner: i64,
    currency: &str,
    network: &str,
    picker: &str,
    next_question: &str,
) -> SimMessage {
    let want = format!("o:cur:{currency}:{network}");
    let mut page = app
        .tg
        .messages_in(owner)
        .into_iter()
        .rev()
        .find(|m| m.from_bot && m.text.clone().unwrap_or_default().contains(picker))
        .expect("the currency picker");
    for _ in 0..20 {
        if page.callback_data().contains(&want) {
            return press_in(app, owner, &page, &want, next_question).await;
        }
        let next = page
            .callback_data()
            .into_iter()
            .find(|d| {
                d.starts_with("o:curp:")
                    && page
                        .buttons()
                        .iter()
                        .any(|b| b.0 == "▶" && b.1.as_deref() == Some(d))
            })
            .expect("a next page");
        page = press_in(app, owner, &page, &next, picker).await;
    }
    panic!("{want} not found in the picker");
}

/// A whole registration through the bot: two tiers, USDT on BSC, threshold $50.
pub(crate) async fn register(app: &TestApp, owner: i64, chat: i64) -> Channel {
    pick_channel(app, owner, chat).await;
    app.reply_containing(owner, "Plan 1: send the price").await;
    answer(app, owner, "9.99", "Plan 1: how many days").await;
    let more = answer(app, owner, "30", "Add another plan").await;
    let p2 = press_in(app, owner, &more, "o:more", "Plan 2: send the price").await;
    let _ = p2;
    answer(app, owner, "24.99", "Plan 2: how many days").await;
    let more = answer(app, owner, "90", "Add another plan").await;
    press_in(app, owner, &more, "o:tdone", "In which coin").await;
    pick_currency(app, owner, "USDT", "BSC").await;
    let strategy = answer(app, owner, EVM_OK, "How should you be paid").await;
    press_in(app, owner, &strategy, "o:threshold", "Send the threshold").await;
    let summary = answer(app, owner, "50", "Check and confirm").await;
    let done = press_in(app, owner, &summary, "o:ok", "is registered and on sale").await;
    let text = done.text.clone().unwrap();
    let channel = app
        .ctx
        .db
        .channel_by_chat(chat)
        .await
        .unwrap()
        .expect("registered");
    assert!(
        text.contains(&format!("start=c_{}", channel.code)),
        "{text}"
    );
    assert!(
        text.contains(&format!("start=c_{}_1", channel.code)),
        "{text}"
    );
    assert!(
        text.contains(&format!("start=c_{}_2", channel.code)),
        "{text}"
    );
    channel
}

async fn full_registration(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    let c = register(&app, OWNER, CHAT).await;
    assert_eq!(c.owner_id, OWNER);
    assert_eq!(c.title, "Alpha Signals");
    assert_eq!(c.payout.currency, "USDT");
    assert_eq!(c.payout.network, "BSC");
    assert_eq!(c.payout.address, EVM_OK);
    assert_eq!(
        c.payout.strategy,
        PayoutStrategy::Threshold(UsdMicros::from_cents(5000))
    );
    let tiers = app.ctx.db.tiers(c.id).await.unwrap();
    let t: Vec<_> = tiers
        .iter()
        .map(|t| (t.position, t.price, t.days))
        .collect();
    assert_eq!(
        t,
        vec![
            (1, UsdMicros::from_cents(999), 30),
            (2, UsdMicros::from_cents(2499), 90)
        ]
    );
    assert!(c.on_sale());
    // The conversation is over.
    assert!(app.ctx.db.get_dialogue(OWNER).await.unwrap().is_none());

    // Distribution: post the offer into a public channel where the bot may post.
    app.tg
        .add_chat(NewChat::channel(OFFER_CHAT, "Alpha Public").owner(OWNER));
    let done = app.tg.last_message_to(OWNER).unwrap();
    let _ = done;
    let card = app
        .tg
        .messages_in(OWNER)
        .into_iter()
        .rev()
        .find(|m| m.callback_data().contains(&format!("o:post:{}", c.id)))
        .unwrap();
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:post:{}", c.id),
        "Pick the public channel",
    )
    .await;
    app.tg
        .share_chat(OWNER, 2, OFFER_CHAT, Some(AdminRights::full()))
        .unwrap();
    app.reply_containing(OWNER, "The offer is posted").await;
    let posts = app.tg.messages_in(OFFER_CHAT);
    let offer = posts.iter().find(|m| m.from_bot).expect("offer posted");
    let urls: Vec<String> = offer.buttons().into_iter().filter_map(|b| b.2).collect();
    assert_eq!(urls.len(), 2, "one URL button per tier");
    assert!(urls[0].ends_with(&format!("start=c_{}_1", c.code)));

    // Re-posting: the new offer goes out first, then the old one is deleted.
    let first_id = offer.message_id;
    let card = app.tg.last_message_to(OWNER).unwrap();
    let _ = card;
    app.send_text(OWNER, "/channels");
    let list = app.reply_containing(OWNER, "Your channels").await;
    let card = press_in(
        &app,
        OWNER,
        &list,
        &format!("o:ch:{}", c.id),
        "Payment notifications",
    )
    .await;
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:post:{}", c.id),
        "Pick the public channel",
    )
    .await;
    let n = app.count_containing(OWNER, "The offer is posted");
    app.tg.share_chat(OWNER, 2, OFFER_CHAT, None).unwrap();
    app.nth_reply_containing(OWNER, "The offer is posted", n)
        .await;
    let posts = app.tg.messages_in(OFFER_CHAT);
    let live: Vec<_> = posts.iter().filter(|m| m.from_bot && !m.deleted).collect();
    assert_eq!(live.len(), 1, "exactly one offer stays");
    assert_ne!(live[0].message_id, first_id);
    assert!(app.tg.message(OFFER_CHAT, first_id).unwrap().deleted);

    // A failed re-post keeps the current offer.
    app.tg.set_bot_status(OFFER_CHAT, MemberStatus::Left);
    let card = press_in(
        &app,
        OWNER,
        &list,
        &format!("o:ch:{}", c.id),
        "Payment notifications",
    )
    .await;
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:post:{}", c.id),
        "Pick the public channel",
    )
    .await;
    let n = app.count_containing(OWNER, "I cannot post in that channel");
    app.tg.share_chat(OWNER, 2, OFFER_CHAT, None).unwrap();
    app.nth_reply_containing(OWNER, "I cannot post in that channel", n)
        .await;
    let live = app
        .tg
        .messages_in(OFFER_CHAT)
        .into_iter()
        .filter(|m| m.from_bot && !m.deleted)
        .count();
    assert_eq!(live, 1);
}

async fn validation_failures(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    pick_channel(&app, OWNER, CHAT).await;
    app.reply_containing(OWNER, "Plan 1: send the price").await;
    for bad in ["0.50", "abc", "9.999", "10000", "-5", "1e3"] {
        answer(&app, OWNER, bad, "Please send a price from").await;
    }
    answer(&app, OWNER, "5", "Plan 1: how many days").await;
    for bad in ["0", "3651", "1.5", "thirty"] {
        answer(&app, OWNER, bad, "Please send a whole number of days").await;
    }
    let mut more = answer(&app, OWNER, "30", "Add another plan").await;
    for n in 2..=3 {
        press_in(
            &app,
            OWNER,
            &more,
            "o:more",
            &format!("Plan {n}: send the price"),
        )
        .await;
        answer(&app, OWNER, "5", &format!("Plan {n}: how many days")).await;
        if n < 3 {
            more = answer(&app, OWNER, "30", "Add another plan").await;
        }
    }
    // The third tier is the maximum: the bot moves on by itself.
    answer(&app, OWNER, "30", "In which coin").await;
    // An old "add a plan" button replayed now changes nothing.
    let n = app.count_containing(OWNER, "no longer valid");
    app.tg
        .inject_callback_raw(OWNER, more.message_id, "o:more")
        .unwrap();
    app.nth_reply_containing(OWNER, "no longer valid", n).await;

    pick_currency(&app, OWNER, "USDT", "BSC").await;
    answer(&app, OWNER, EVM_BAD_CHECKSUM, "checksum does not match").await;
    answer(
        &app,
        OWNER,
        BTC_OK,
        "belongs to Bitcoin, not to BNB Smart Chain",
    )
    .await;
    answer(
        &app,
        OWNER,
        "0x1234",
        "is not a valid BNB Smart Chain address",
    )
    .await;
    // A private key: refused with a warning, deleted from the chat, stored nowhere.
    let key = format!(
        "0x{}",
        "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
    );
    let n = app.count_containing(OWNER, "looks like a private key");
    let sent = app.send_text(OWNER, &key);
    app.nth_reply_containing(OWNER, "looks like a private key", n)
        .await;
    let pasted = app.tg.message(OWNER, sent.message_id.unwrap()).unwrap();
    assert!(pasted.deleted, "the pasted key is removed from the chat");
    let stored = app.ctx.db.get_dialogue(OWNER).await.unwrap().unwrap();
    assert!(
        !stored.contains(&key[2..]),
        "the key is not in the dialogue state"
    );
    let seed =
        "abandon ability able about above absent absorb abstract absurd abuse access accident";
    answer(&app, OWNER, seed, "looks like a private key").await;

    // The conversation goes on normally afterwards, and nothing was written before confirming.
    assert!(app.ctx.db.channel_by_chat(CHAT).await.unwrap().is_none());
    let strategy = answer(&app, OWNER, EVM_OK, "How should you be paid").await;
    press_in(&app, OWNER, &strategy, "o:threshold", "Send the threshold").await;
    answer(&app, OWNER, "19.99", "threshold of at least").await;
    let summary = answer(&app, OWNER, "20", "Check and confirm").await;
    assert!(app.ctx.db.channel_by_chat(CHAT).await.unwrap().is_none());
    press_in(&app, OWNER, &summary, "o:abort", "Nothing was saved").await;
    assert!(app.ctx.db.channel_by_chat(CHAT).await.unwrap().is_none());
}

/// Each address format with a broken checksum, and an address of the wrong network, through
/// the bot's address step.
async fn lesson_50_wallet_validation_per_network(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    pick_channel(&app, OWNER, CHAT).await;
    app.reply_containing(OWNER, "Plan 1: send the price").await;
    answer(&app, OWNER, "5", "Plan 1: how many days").await;
    let more = answer(&app, OWNER, "30", "Add another plan").await;
    press_in(&app, OWNER, &more, "o:tdone", "In which coin").await;
    pick_currency(&app, OWNER, "BTC", "BTC").await;
    answer(&app, OWNER, BTC_BAD_CHECKSUM, "checksum does not match").await;
    answer(&app, OWNER, TRON_OK, "belongs to TRON, not to Bitcoin").await;
    // Lesson 50: a paste that doubled the text is refused, not trimmed into something else.
    answer(
        &app,
        OWNER,
        &format!("{BTC_OK}{BTC_OK}"),
        "Copy it again from your wallet",
    )
    .await;
    answer(&app, OWNER, BTC_OK, "How should you be paid").await;
    // Start over with TRON via /cancel and the menu.
    answer(&app, OWNER, "/cancel", "Cancelled").await;
    pick_channel(&app, OWNER, CHAT).await;
    app.reply_containing(OWNER, "Plan 1: send the price").await;
    answer(&app, OWNER, "5", "Plan 1: how many days").await;
    let more = answer(&app, OWNER, "30", "Add another plan").await;
    press_in(&app, OWNER, &more, "o:tdone", "In which coin").await;
    pick_currency(&app, OWNER, "USDT", "TRX").await;
    answer(&app, OWNER, TRON_BAD_CHECKSUM, "checksum does not match").await;
    answer(&app, OWNER, EVM_OK, "belongs to EVM, not to TRON").await;
    answer(&app, OWNER, TRON_OK, "How should you be paid").await;
}

async fn restart_in_the_middle(backend: Backend) {
    let Some(mut app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    pick_channel(&app, OWNER, CHAT).await;
    app.reply_containing(OWNER, "Plan 1: send the price").await;
    answer(&app, OWNER, "7.50", "Plan 1: how many days").await;
    app.restart().await;
    // The new process remembers the price and the step.
    let more = answer(&app, OWNER, "14", "Add another plan").await;
    assert!(
        more.text.clone().unwrap().contains("$7.50"),
        "{:?}",
        more.text
    );
    press_in(&app, OWNER, &more, "o:tdone", "In which coin").await;
    pick_currency(&app, OWNER, "USDT", "BSC").await;
    app.restart().await;
    let strategy = answer(&app, OWNER, EVM_OK, "How should you be paid").await;
    let summary = press_in(&app, OWNER, &strategy, "o:instant", "Check and confirm").await;
    press_in(&app, OWNER, &summary, "o:ok", "is registered").await;
    let c = app.ctx.db.channel_by_chat(CHAT).await.unwrap().unwrap();
    assert_eq!(c.payout.strategy, PayoutStrategy::Instant);
    let tiers = app.ctx.db.tiers(c.id).await.unwrap();
    assert_eq!(tiers.len(), 1);
    assert_eq!(tiers[0].price, UsdMicros::from_cents(750));
    assert_eq!(tiers[0].days, 14);
}

async fn second_owner_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    app.user(OTHER, "Mallory", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    let c = register(&app, OWNER, CHAT).await;
    // Mallory is made an admin of the channel too, and tries to register it.
    app.tg.set_member(
        CHAT,
        OTHER,
        MemberStatus::Administrator(AdminRights::full()),
    );
    pick_channel(&app, OTHER, CHAT).await;
    app.reply_containing(OTHER, "already registered by another owner")
        .await;
    // A user who is not an admin of a channel cannot register it.
    let other_chat = -100_555_123;
    setup_channel(&app, other_chat, "Beta", OWNER);
    app.tg
        .set_member(other_chat, OTHER, MemberStatus::Member { until_date: None });
    pick_channel(&app, OTHER, other_chat).await;
    app.reply_containing(OTHER, "Only the creator or an administrator")
        .await;
    // The bot without the rights it needs.
    let third = -100_555_124;
    setup_channel(&app, third, "Gamma", OTHER);
    let n = app.count_containing(OTHER, "Add a channel");
    app.send_text(OTHER, "/addchannel");
    app.nth_reply_containing(OTHER, "Add a channel", n).await;
    app.tg
        .share_chat(OTHER, 1, third, Some(AdminRights::none()))
        .unwrap();
    app.reply_containing(OTHER, "without the rights").await;
    let still = app.ctx.db.channel(c.id).await.unwrap().unwrap();
    assert_eq!(still.owner_id, OWNER);
    assert!(
        app.ctx
            .db
            .channel_by_chat(other_chat)
            .await
            .unwrap()
            .is_none()
    );
}

/// Opens the card of channel `id` from /channels.
async fn open_card(app: &TestApp, owner: i64, id: i64) -> SimMessage {
    let n = app.count_containing(owner, "Your channels");
    app.send_text(owner, "/channels");
    let list = app.nth_reply_containing(owner, "Your channels", n).await;
    press_in(
        app,
        owner,
        &list,
        &format!("o:ch:{id}"),
        "Payment notifications",
    )
    .await
}

async fn lesson_54_edits_keep_the_price_lock_and_input_limits(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    let c = register(&app, OWNER, CHAT).await;
    let before = app.ctx.db.tiers(c.id).await.unwrap();

    let card = open_card(&app, OWNER, c.id).await;
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:tiers:{}", c.id),
        "Send the new plans",
    )
    .await;
    answer(&app, OWNER, "1 1\n2 2\n3 3\n4 4", "At most 3 plans").await;
    answer(&app, OWNER, "12.00 30\n5 0", "Line 2 is not").await;
    answer(&app, OWNER, "12.00 30", "Plans saved").await;
    let after = app.ctx.db.tiers(c.id).await.unwrap();
    assert_eq!(after.len(), 1);
    // Same row for the same position: subscribers of tier 1 keep renewing at their price.
    assert_eq!(after[0].id, before[0].id);
    assert_eq!(after[0].price, UsdMicros::from_cents(1200));
    assert!(
        app.ctx.db.tier(before[1].id).await.unwrap().is_none(),
        "tier 2 retired"
    );

    // Title: the storage limit is the input limit (lesson 54).
    let card = open_card(&app, OWNER, c.id).await;
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:title:{}", c.id),
        "new title",
    )
    .await;
    answer(&app, OWNER, &"x".repeat(129), "1 to 128 characters").await;
    let long = format!("{}é", "T".repeat(127));
    answer(&app, OWNER, &long, "Saved").await;
    assert_eq!(app.ctx.db.channel(c.id).await.unwrap().unwrap().title, long);

    // Pause and notifications switches.
    let card = open_card(&app, OWNER, c.id).await;
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:pause:{}:1", c.id),
        "sales paused",
    )
    .await;
    assert!(!app.ctx.db.channel(c.id).await.unwrap().unwrap().on_sale());
    let card = open_card(&app, OWNER, c.id).await;
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:pause:{}:0", c.id),
        "on sale",
    )
    .await;
    assert!(app.ctx.db.channel(c.id).await.unwrap().unwrap().on_sale());
}

async fn wallet_change_is_confirmed_and_announced(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    let c = register(&app, OWNER, CHAT).await;
    let card = open_card(&app, OWNER, c.id).await;
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:pay:{}", c.id),
        "In which coin",
    )
    .await;
    pick_currency(&app, OWNER, "USDT", "TRX").await;
    let strategy = answer(&app, OWNER, TRON_OK, "How should you be paid").await;
    let summary = press_in(&app, OWNER, &strategy, "o:instant", "New payout settings").await;
    // Not applied before confirming.
    let now = app.ctx.db.channel(c.id).await.unwrap().unwrap();
    assert_eq!(now.payout.network, "BSC");
    press_in(&app, OWNER, &summary, "o:ok", "Payout settings saved").await;
    let now = app.ctx.db.channel(c.id).await.unwrap().unwrap();
    assert_eq!(now.payout.network, "TRX");
    assert_eq!(now.payout.address, TRON_OK);
    assert_eq!(now.payout.strategy, PayoutStrategy::Instant);
    app.run_jobs_once().await;
    app.reply_containing(OWNER, "payout wallet of").await;
}

/// Lesson 52: /database had no authorization. Every owner action re-checks ownership: another
/// user replaying the owner's callback data changes nothing.
async fn lesson_52_another_owners_callback_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    app.user(OTHER, "Mallory", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    let c = register(&app, OWNER, CHAT).await;
    let before = app.ctx.db.channel(c.id).await.unwrap().unwrap();
    let tiers_before = app.ctx.db.tiers(c.id).await.unwrap();
    // Mallory needs a message of her own to attach the callbacks to.
    app.send_text(OTHER, "/start");
    let mine = app.reply_containing(OTHER, "Choose what to do").await;
    let id = c.id;
    for data in [
        format!("o:pause:{id}:1"),
        format!("o:ntf:{id}:0"),
        format!("o:mode:{id}"),
        format!("o:delok:{id}"),
        format!("o:csv:{id}"),
        format!("o:bal:{id}"),
        format!("o:links:{id}"),
        format!("o:ch:{id}"),
    ] {
        let n = app.count_containing(OTHER, "not available");
        app.tg
            .inject_callback_raw(OTHER, mine.message_id, &data)
            .unwrap();
        app.nth_reply_containing(OTHER, "not available", n).await;
    }
    // Conversations that would edit: the first step refuses already.
    for data in [
        format!("o:tiers:{id}"),
        format!("o:pay:{id}"),
        format!("o:title:{id}"),
        format!("o:post:{id}"),
    ] {
        let n = app.count_containing(OTHER, "not available");
        app.tg
            .inject_callback_raw(OTHER, mine.message_id, &data)
            .unwrap();
        app.nth_reply_containing(OTHER, "not available", n).await;
    }
    assert!(app.ctx.db.get_dialogue(OTHER).await.unwrap().is_none());
    let after = app.ctx.db.channel(c.id).await.unwrap().unwrap();
    assert_eq!(after, before);
    assert_eq!(app.ctx.db.tiers(c.id).await.unwrap(), tiers_before);
    // Nothing of the owner's leaked to Mallory.
    for m in app.tg.messages_in(OTHER) {
        let text = m.text.unwrap_or_default();
        assert!(!text.contains(EVM_OK) && !text.contains(&c.code), "{text}");
    }
    assert!(
        app.tg
            .calls_of("sendDocument")
            .iter()
            .all(|c| c.params["chat_id"] != serde_json::json!(OTHER))
    );
}

async fn lost_rights_pause_and_restore_resumes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    let c = register(&app, OWNER, CHAT).await;
    app.tg
        .inject_my_chat_member(CHAT, OWNER, MemberStatus::Member { until_date: None })
        .unwrap();
    eventually(
        "the channel marked as having lost the bot's rights",
        async || app.ctx.db.channel(c.id).await.unwrap().unwrap().rights_lost,
    )
    .await;
    app.run_jobs_once().await;
    app.reply_containing(OWNER, "can no longer invite").await;
    // A subscriber's deep link now says sales are paused.
    let u = app.user(9, "Sam", Some("en"));
    app.send_text(u, &format!("/start c_{}", c.code));
    app.reply_containing(u, "are paused").await;
    // Rights restored → on sale again, owner told.
    app.tg
        .inject_my_chat_member(
            CHAT,
            OWNER,
            MemberStatus::Administrator(AdminRights::full()),
        )
        .unwrap();
    eventually("the channel on sale again", async || {
        app.ctx.db.channel(c.id).await.unwrap().unwrap().on_sale()
    })
    .await;
    app.run_jobs_once().await;
    app.reply_containing(OWNER, "rights in").await;
}

async fn fallbacks_my_chat_member_and_forward(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    // The owner adds the bot by hand: the bot offers to register the channel.
    app.tg
        .inject_my_chat_member(
            CHAT,
            OWNER,
            MemberStatus::Administrator(AdminRights::full()),
        )
        .unwrap();
    let offer = app
        .reply_containing(OWNER, "Do you want to sell access")
        .await;
    press_in(
        &app,
        OWNER,
        &offer,
        &format!("o:reg:{CHAT}"),
        "Plan 1: send the price",
    )
    .await;
    answer(&app, OWNER, "/cancel", "Cancelled").await;
    // Forwarding a post from the channel works as well.
    let n = app.count_containing(OWNER, "Found Alpha Signals");
    app.tg.forward_channel_post(OWNER, CHAT).unwrap();
    app.nth_reply_containing(OWNER, "Found Alpha Signals", n)
        .await;
}

/// The draft's price of the tier being entered (`None` before a price is accepted).
async fn draft_price(app: &TestApp, owner: i64) -> Option<i64> {
    let state = app
        .ctx
        .db
        .get_dialogue(owner)
        .await
        .unwrap()
        .expect("a draft");
    match serde_json::from_str(&state).unwrap() {
        Conversation::Owner(d) => d.price,
        other => panic!("not an owner draft: {other:?}"),
    }
}

/// Issue 11 item 3: `1,000` is a thousand in English and one in Russian. A grouped or otherwise
/// ambiguous price is refused with the accepted forms and nothing is written; every accepted
/// form is shown back as understood; the same in "my channels" tier editing.
async fn a_grouped_price_is_refused_and_nothing_is_written(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    pick_channel(&app, OWNER, CHAT).await;
    let ask = app.reply_containing(OWNER, "Plan 1: send the price").await;
    assert!(
        ask.text.clone().unwrap().contains("Accepted forms: 1000"),
        "{:?}",
        ask.text
    );
    for (bad, why) in [
        ("1,000", "can be read two ways"),
        ("1.000", "can be read two ways"),
        ("1 000,5", "can be read two ways"),
        ("1,000.50", "can be read two ways"),
        ("0", "more than zero"),
        ("-5", "cannot be negative"),
        ("5.555", "can be read two ways"),
        ("5.5555", "At most two decimals"),
        ("10000", "above the maximum"),
        ("five", "not an amount"),
    ] {
        let refused = answer(&app, OWNER, bad, why).await;
        let text = refused.text.clone().unwrap();
        assert!(
            text.contains("Please send a price from $1.00 to $9,999.99."),
            "{bad}: {text}"
        );
        assert!(
            text.contains("Accepted forms: 1000 · 1000.50 · 1000,50 · $5 · 5 usd"),
            "{bad}: {text}"
        );
        assert_eq!(draft_price(&app, OWNER).await, None, "{bad}: nothing taken");
    }
    assert!(app.ctx.db.channel_by_chat(CHAT).await.unwrap().is_none());
    // Accepted, and shown as understood before the next question.
    let days = answer(&app, OWNER, "1000", "Plan 1: how many days").await;
    assert!(
        days.text
            .clone()
            .unwrap()
            .contains("Plan 1 price: $1,000.00."),
        "{:?}",
        days.text
    );
    assert_eq!(draft_price(&app, OWNER).await, Some(1_000_000_000));
    answer(&app, OWNER, "/cancel", "Cancelled").await;

    // The same parser in "my channels": a grouped price refuses the whole list.
    let c = register(&app, OWNER, CHAT).await;
    let before = app.ctx.db.tiers(c.id).await.unwrap();
    let card = open_card(&app, OWNER, c.id).await;
    press_in(
        &app,
        OWNER,
        &card,
        &format!("o:tiers:{}", c.id),
        "Send the new plans",
    )
    .await;
    let refused = answer(&app, OWNER, "9.99 30\n1,000 90", "Line 2: the price").await;
    assert!(
        refused.text.clone().unwrap().contains("Accepted forms"),
        "{:?}",
        refused.text
    );
    assert_eq!(app.ctx.db.tiers(c.id).await.unwrap(), before);
    answer(&app, OWNER, "$1000.50 30\n5 usd 90", "Plans saved").await;
    let after = app.ctx.db.tiers(c.id).await.unwrap();
    let prices: Vec<_> = after.iter().map(|t| (t.price, t.days)).collect();
    assert_eq!(
        prices,
        vec![
            (UsdMicros::from_cents(100_050), 30),
            (UsdMicros::from_cents(500), 90)
        ]
    );
    let card = app.reply_containing(OWNER, "$1,000.50 — 30 days").await;
    assert!(card.text.clone().unwrap().contains("$5.00 — 90 days"));
}

/// Issue 11 item 3, in Russian: `1000,50` (the decimal comma) is a $1000.50 tier and a
/// $1000.50 threshold, shown as understood in the owner's language (`1 000,50 $`), and
/// registered with exactly those amounts; `1,000` and `1 000` are refused.
async fn a_decimal_comma_price_from_a_russian_owner(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    const NBSP: char = '\u{a0}';
    let shown = format!("1{NBSP}000,50{NBSP}$");
    app.user(OWNER, "Ольга", Some("ru"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    let n = app.count_containing(OWNER, "Добавление канала");
    app.send_text(OWNER, "/addchannel");
    app.nth_reply_containing(OWNER, "Добавление канала", n)
        .await;
    app.tg
        .share_chat(OWNER, 1, CHAT, Some(AdminRights::full()))
        .unwrap();
    app.reply_containing(OWNER, "Тариф 1: отправьте цену").await;
    for bad in ["1,000", "1 000", "1.000,50"] {
        let refused = answer(&app, OWNER, bad, "можно понять двумя способами").await;
        let text = refused.text.clone().unwrap();
        assert!(text.contains("Можно так: 1000 · 1000,50"), "{bad}: {text}");
        assert!(
            text.contains(&format!("от 1,00{NBSP}$ до 9{NBSP}999,99{NBSP}$")),
            "{bad}: {text}"
        );
        assert_eq!(draft_price(&app, OWNER).await, None, "{bad}: nothing taken");
    }
    let days = answer(&app, OWNER, "1000,50", "Тариф 1: сколько дней").await;
    assert!(
        days.text
            .clone()
            .unwrap()
            .contains(&format!("Цена тарифа 1: {shown}.")),
        "{:?}",
        days.text
    );
    let more = answer(&app, OWNER, "30", "Ваши тарифы").await;
    assert!(
        more.text.clone().unwrap().contains(&shown),
        "{:?}",
        more.text
    );
    press_in(&app, OWNER, &more, "o:tdone", "В какой монете").await;
    pick_currency_in(
        &app,
        OWNER,
        "USDT",
        "BSC",
        "В какой монете",
        "адрес своего кошелька",
    )
    .await;
    let strategy = answer(&app, OWNER, EVM_OK, "Как вы хотите получать").await;
    press_in(&app, OWNER, &strategy, "o:threshold", "Отправьте порог").await;
    answer(&app, OWNER, "1 000,50", "можно понять двумя способами").await;
    let summary = answer(&app, OWNER, "1000,5", "Проверьте и подтвердите").await;
    let text = summary.text.clone().unwrap();
    assert_eq!(
        text.matches(&shown).count(),
        2,
        "tier and threshold: {text}"
    );
    assert!(app.ctx.db.channel_by_chat(CHAT).await.unwrap().is_none());
    press_in(&app, OWNER, &summary, "o:ok", "зарегистрирован").await;
    let c = app.ctx.db.channel_by_chat(CHAT).await.unwrap().unwrap();
    assert_eq!(
        c.payout.strategy,
        PayoutStrategy::Threshold(UsdMicros::from_cents(100_050))
    );
    let tiers = app.ctx.db.tiers(c.id).await.unwrap();
    assert_eq!(tiers.len(), 1);
    assert_eq!(tiers[0].price, UsdMicros::from_cents(100_050));
    assert_eq!(tiers[0].days, 30);
}

on_both_backends!(
    full_registration,
    validation_failures,
    lesson_50_wallet_validation_per_network,
    restart_in_the_middle,
    second_owner_is_refused,
    lesson_54_edits_keep_the_price_lock_and_input_limits,
    wallet_change_is_confirmed_and_announced,
    lesson_52_another_owners_callback_changes_nothing,
    lost_rights_pause_and_restore_resumes,
    fallbacks_my_chat_member_and_forward,
    a_grouped_price_is_refused_and_nothing_is_written,
    a_decimal_comma_price_from_a_russian_owner,
);
