//! teloxide dialogue storage over our own database table, so a conversation survives a restart
//! and lives in the migration-managed schema rather than a storage of teloxide's own.

use std::marker::PhantomData;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

use crate::domain::time::SharedClock;
use crate::store::{Db, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum DialogueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored dialogue state is not valid JSON for this version: {0}")]
    Decode(#[from] serde_json::Error),
}

/// Stores dialogue states of type `S` as JSON in the `dialogues` table.
pub struct DbStorage<S> {
    db: Db,
    clock: SharedClock,
    _state: PhantomData<fn() -> S>,
}

impl<S> DbStorage<S> {
    pub fn new(db: Db, clock: SharedClock) -> Arc<Self> {
        Arc::new(Self {
            db,
            clock,
            _state: PhantomData,
        })
    }
}

impl<S> Storage<S> for DbStorage<S>
where
    S: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = DialogueError;

    fn remove_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
    ) -> BoxFuture<'static, Result<(), Self::Error>>
    where
        S: Send + 'static,
    {
        async move {
            self.db.remove_dialogue(chat_id.0).await?;
            Ok(())
        }
        .boxed()
    }

    fn update_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
        dialogue: S,
    ) -> BoxFuture<'static, Result<(), Self::Error>>
    where
        S: Send + 'static,
    {
        async move {
            let json = serde_json::to_string(&dialogue)?;
            self.db
                .put_dialogue(chat_id.0, &json, self.clock.now())
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn get_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
    ) -> BoxFuture<'static, Result<Option<S>, Self::Error>> {
        async move {
            match self.db.get_dialogue(chat_id.0).await? {
                None => Ok(None),
                Some(json) => Ok(Some(serde_json::from_str(&json)?)),
            }
        }
        .boxed()
    }
}

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
