//! The people of the sandbox and the channels they own in the Telegram simulator.

use serde::Serialize;
use telepay_sim::telegram::{NewChat, NewUser};

use super::super::world::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Subscriber,
    Admin,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: i64,
    pub name: &'static str,
    pub role: Role,
    pub lang: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chat {
    pub id: i64,
    pub title: &'static str,
    /// Public channels have a username; private ones none.
    pub username: Option<&'static str>,
    pub owner: i64,
}

#[derive(Debug, Clone)]
pub struct Cast {
    pub people: Vec<Person>,
    pub chats: Vec<Chat>,
}

const OLGA: i64 = 1001;

impl Default for Cast {
    fn default() -> Self {
        let person = |id, name, role, lang| Person {
            id,
            name,
            role,
            lang,
        };
        Self {
            people: vec![
                person(OLGA, "Olga", Role::Owner, "en"),
                person(2001, "Sam", Role::Subscriber, "en"),
                person(2002, "Lucía", Role::Subscriber, "es"),
                person(2003, "Dmitri", Role::Subscriber, "ru"),
                person(9001, "Ada", Role::Admin, "en"),
            ],
            chats: vec![
                Chat {
                    id: -100_100_000_001,
                    title: "Alpha Signals",
                    username: None,
                    owner: OLGA,
                },
                Chat {
                    id: -100_100_000_002,
                    title: "Beta Calls",
                    username: None,
                    owner: OLGA,
                },
                Chat {
                    id: -100_100_000_003,
                    title: "Olga's Public",
                    username: Some("olga_public"),
                    owner: OLGA,
                },
            ],
        }
    }
}

impl Cast {
    pub fn admin_ids(&self) -> Vec<i64> {
        self.people
            .iter()
            .filter(|p| p.role == Role::Admin)
            .map(|p| p.id)
            .collect()
    }

    pub fn person(&self, id: i64) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn chat(&self, id: i64) -> Option<&Chat> {
        self.chats.iter().find(|c| c.id == id)
    }

    /// The chats a person owns (what a `request_chat` button lets them pick from).
    pub fn chats_of(&self, person: i64) -> Vec<&Chat> {
        self.chats.iter().filter(|c| c.owner == person).collect()
    }

    /// Adds everyone and every chat to the simulator; each person opens the bot with `/start`.
    pub async fn enter(&self, world: &World) -> anyhow::Result<()> {
        for p in &self.people {
            world
                .tg
                .add_user(NewUser::new(p.id, p.name).language(p.lang).started());
        }
        for c in &self.chats {
            let mut chat = NewChat::channel(c.id, c.title).owner(c.owner);
            if let Some(name) = c.username {
                chat = chat.username(name);
            }
            world.tg.add_chat(chat);
        }
        for p in &self.people {
            world
                .tg
                .send_text(p.id, "/start")
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.name))?;
        }
        super::quiet::let_the_bot_work(world).await
    }
}
