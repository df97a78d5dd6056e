//! The conversation a user is in with the bot, stored per private chat as JSON in the
//! migration-managed `dialogues` table, so it survives a restart.

use crate::store::{Db, StoreError};

/// The conversations this bot holds with a user, stored per private chat.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conversation {
    /// Waiting for the amount of a donation to this channel.
    DonationAmount {
        channel_id: i64,
    },
    /// Waiting for the owner to pick the channel to register.
    AwaitChannel,
    /// Registering a channel or changing its payout settings.
    Owner(Box<super::owner::draft::Draft>),
    /// Waiting for new tiers, one `price days` per line.
    EditTiers {
        channel_id: i64,
    },
    /// Waiting for a subscriber's promo code for this channel (issue 15).
    PromoCode {
        channel_id: i64,
    },
    /// Waiting for the owner's new promo code line for this channel (issue 15).
    NewPromo {
        channel_id: i64,
    },
    /// Waiting for the free-trial length (days) of one tier.
    EditTrial {
        tier_id: i64,
    },
    /// Waiting for the Telegram Stars price of one tier.
    EditStars {
        tier_id: i64,
    },
    /// Waiting for the grace period (hours) of a channel.
    EditGrace {
        channel_id: i64,
    },
    EditTitle {
        channel_id: i64,
    },
    EditDescription {
        channel_id: i64,
    },
    /// Waiting for the public channel to post the offer into.
    OfferChannel {
        channel_id: i64,
    },
    /// Waiting for how many days back a win-back broadcast reaches (1 to 90).
    BroadcastDays {
        channel_id: i64,
    },
    /// Waiting for the broadcast's message (text, or one photo with a caption).
    BroadcastMessage {
        channel_id: i64,
        lapsed_days: Option<u32>,
    },
}

/// The user's current conversation, if any. A state this version cannot read is dropped.
pub async fn current(db: &Db, chat_id: i64) -> Result<Option<Conversation>, StoreError> {
    Ok(db
        .get_dialogue(chat_id)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

pub async fn enter(
    db: &Db,
    chat_id: i64,
    c: &Conversation,
    now: crate::domain::time::UnixMillis,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(c).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    db.put_dialogue(chat_id, &json, now).await
}
