//! The stage the demo's people act on: each person types and presses buttons through the
//! Telegram simulator exactly as a person would, every step waits (with a deadline) for the
//! bot's answer it expects, and everything seen goes into the transcript as it happens.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use telepay_sim::telegram::{NewUser, SimMessage};

use super::transcript::{Button, ChatEntry, Person, Role, Side, TimelineEntry};
use crate::offline::world::World;

/// How long one step waits for the bot before the demo stops with an error.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// What a person waits to see from the bot.
#[derive(Debug, Clone, Copy)]
pub enum Want<'a> {
    /// A message whose text contains this.
    Text(&'a str),
    /// A message with a URL button whose target contains this.
    Url(&'a str),
    /// A message with an inline button whose callback data starts with this.
    Data(&'a str),
}

impl Want<'_> {
    pub fn matches(self, m: &SimMessage) -> bool {
        if !m.from_bot || m.deleted {
            return false;
        }
        match self {
            Want::Text(t) => m
                .text
                .as_deref()
                .or(m.caption.as_deref())
                .is_some_and(|x| x.contains(t)),
            Want::Url(u) => m
                .buttons()
                .iter()
                .any(|b| b.2.as_deref().is_some_and(|x| x.contains(u))),
            Want::Data(d) => m.callback_data().iter().any(|x| x.starts_with(d)),
        }
    }
}

impl std::fmt::Display for Want<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Want::Text(t) => write!(f, "a message saying {t:?}"),
            Want::Url(u) => write!(f, "a message with a link to {u:?}"),
            Want::Data(d) => write!(f, "a message with a {d:?} button"),
        }
    }
}

struct Actor {
    person: Person,
    /// What was last recorded of each bot message (to see new ones and edits).
    seen: HashMap<i32, String>,
}

pub struct Stage {
    pub w: World,
    actors: Vec<Actor>,
    pub timeline: Vec<TimelineEntry>,
    scene: String,
    scenes: usize,
}

impl Stage {
    pub fn new(w: World) -> Self {
        Self {
            w,
            actors: Vec::new(),
            timeline: Vec::new(),
            scene: String::new(),
            scenes: 0,
        }
    }

    /// A person who has opened the bot.
    pub fn add_person(&mut self, id: i64, name: &str, role: Role, lang: &str) -> i64 {
        self.w
            .tg
            .add_user(NewUser::new(id, name).language(lang).started());
        self.actors.push(Actor {
            person: Person {
                telegram_id: id,
                name: name.to_owned(),
                role,
                chat: Vec::new(),
                summary: String::new(),
            },
            seen: HashMap::new(),
        });
        id
    }

    fn actor(&mut self, id: i64) -> anyhow::Result<&mut Actor> {
        self.actors
            .iter_mut()
            .find(|a| a.person.telegram_id == id)
            .ok_or_else(|| anyhow!("no person with id {id} in the story"))
    }

    pub fn name(&self, id: i64) -> String {
        self.actors
            .iter()
            .find(|a| a.person.telegram_id == id)
            .map_or_else(|| id.to_string(), |a| a.person.name.clone())
    }

    /// Starts a scene: printed at once (progress), kept in the timeline.
    pub fn scene(&mut self, title: &str) {
        self.scenes += 1;
        self.scene = format!("Scene {}: {title}", self.scenes);
        println!("▶ {}", self.scene);
        self.note(title);
    }

    pub fn current_scene(&self) -> &str {
        &self.scene
    }

    /// A line in the timeline (and on the terminal).
    pub fn note(&mut self, text: &str) {
        if !self.timeline.is_empty() && self.timeline.last().is_some_and(|t| t.scene == self.scene)
        {
            println!("    · {text}");
        }
        self.timeline.push(TimelineEntry {
            at_ms: self.w.now().as_millis(),
            scene: self.scene.clone(),
            text: text.to_owned(),
        });
    }

    pub fn set_summary(&mut self, id: i64, summary: String) -> anyhow::Result<()> {
        self.actor(id)?.person.summary = summary;
        Ok(())
    }

    fn push(&mut self, id: i64, text: String, action: bool) -> anyhow::Result<()> {
        let at_ms = self.w.now().as_millis();
        self.actor(id)?.person.chat.push(ChatEntry {
            at_ms,
            side: Side::Person,
            text,
            buttons: Vec::new(),
            edited: false,
            action,
        });
        Ok(())
    }

    /// Something a person did that is not typing (joining a channel, paying).
    pub fn act(&mut self, id: i64, text: &str) -> anyhow::Result<()> {
        self.push(id, text.to_owned(), true)
    }

    /// How many bot messages to `id` match `want` now.
    pub fn count(&self, id: i64, want: Want<'_>) -> usize {
        self.w
            .tg
            .messages_in(id)
            .iter()
            .filter(|m| want.matches(m))
            .count()
    }

    /// The person types `text`.
    pub fn type_text(&mut self, id: i64, text: &str) -> anyhow::Result<()> {
        self.push(id, text.to_owned(), false)?;
        self.w
            .tg
            .send_text(id, text)
            .map_err(|e| anyhow!("{} could not send {text:?}: {e}", self.name(id)))?;
        Ok(())
    }

    /// The person presses the button with callback `data` on `msg`.
    pub fn press(&mut self, id: i64, msg: &SimMessage, data: &str) -> anyhow::Result<()> {
        let label = msg
            .buttons()
            .into_iter()
            .find(|b| b.1.as_deref() == Some(data))
            .map(|b| b.0)
            .ok_or_else(|| {
                anyhow!(
                    "{} sees no button {data:?} on the bot's message",
                    self.name(id)
                )
            })?;
        self.push(id, format!("pressed «{label}»"), true)?;
        self.w
            .tg
            .press_button(id, msg.message_id, data)
            .map_err(|e| anyhow!("{} could not press {label:?}: {e}", self.name(id)))?;
        Ok(())
    }

    /// Waits until more than `before` bot messages match `want`; returns the newest.
    pub async fn expect(
        &mut self,
        id: i64,
        want: Want<'_>,
        before: usize,
    ) -> anyhow::Result<SimMessage> {
        let found = self
            .w
            .tg
            .wait_until(STEP_TIMEOUT, |tg| {
                let hits: Vec<SimMessage> = tg
                    .messages_in(id)
                    .into_iter()
                    .filter(|m| want.matches(m))
                    .collect();
                (hits.len() > before)
                    .then(|| hits.into_iter().next_back())
                    .flatten()
            })
            .await;
        self.sync(id)?;
        found.map_err(|_| {
            let last = self
                .w
                .tg
                .messages_in(id)
                .into_iter()
                .rev()
                .find(|m| m.from_bot)
                .and_then(|m| m.text)
                .unwrap_or_default();
            anyhow!(
                "{} waited {} s for {want} from the bot; its last message was: {last:?}",
                self.name(id),
                STEP_TIMEOUT.as_secs()
            )
        })
    }

    /// Types `text` and waits for the answer.
    pub async fn say(&mut self, id: i64, text: &str, want: Want<'_>) -> anyhow::Result<SimMessage> {
        let n = self.count(id, want);
        self.type_text(id, text)?;
        self.expect(id, want, n).await
    }

    /// Presses `data` on `msg` and waits for the answer.
    pub async fn tap(
        &mut self,
        id: i64,
        msg: &SimMessage,
        data: &str,
        want: Want<'_>,
    ) -> anyhow::Result<SimMessage> {
        let n = self.count(id, want);
        self.press(id, msg, data)?;
        self.expect(id, want, n).await
    }

    /// Records the bot's messages to `id` that are new or changed since the last look.
    pub fn sync(&mut self, id: i64) -> anyhow::Result<()> {
        let at_ms = self.w.now().as_millis();
        let messages = self.w.tg.messages_in(id);
        let actor = self.actor(id)?;
        for m in messages.into_iter().filter(|m| m.from_bot && !m.deleted) {
            let text = m
                .text
                .clone()
                .or_else(|| m.caption.clone())
                .unwrap_or_else(|| {
                    m.document
                        .as_ref()
                        .map(|d| {
                            format!(
                                "📎 {}",
                                d.file_name.clone().unwrap_or_else(|| "file".into())
                            )
                        })
                        .unwrap_or_default()
                });
            let buttons = button_rows(&m);
            let print = format!("{text}\u{1}{buttons:?}");
            let edited = match actor.seen.get(&m.message_id) {
                Some(old) if *old == print => continue,
                Some(_) => true,
                None => false,
            };
            actor.seen.insert(m.message_id, print);
            actor.person.chat.push(ChatEntry {
                at_ms,
                side: Side::Bot,
                text,
                buttons,
                edited,
                action: false,
            });
        }
        Ok(())
    }

    /// Records every person's new messages (DMs the jobs sent meanwhile).
    pub fn sync_all(&mut self) -> anyhow::Result<()> {
        let ids: Vec<i64> = self.actors.iter().map(|a| a.person.telegram_id).collect();
        for id in ids {
            self.sync(id)?;
        }
        Ok(())
    }

    /// Moves the simulated clock, runs what became due, records the DMs.
    pub async fn pass(&mut self, by: Duration, what: &str) -> anyhow::Result<()> {
        self.w
            .advance(by)
            .await
            .with_context(|| format!("letting {what} pass"))?;
        self.note(&format!("⏩ {what} pass"));
        self.sync_all()
    }

    /// Runs due timers and jobs, records the DMs.
    pub async fn settle(&mut self) -> anyhow::Result<()> {
        self.w.settle().await?;
        self.sync_all()
    }

    /// Everyone's chat so far.
    pub fn people(&self) -> Vec<Person> {
        self.actors.iter().map(|a| a.person.clone()).collect()
    }

    pub fn ids_with_role(&self, role: Role) -> Vec<i64> {
        self.actors
            .iter()
            .filter(|a| a.person.role == role)
            .map(|a| a.person.telegram_id)
            .collect()
    }

    pub fn into_world(self) -> World {
        self.w
    }
}

/// The inline keyboard (or a reply keyboard's buttons) of a message, row by row.
fn button_rows(m: &SimMessage) -> Vec<Vec<Button>> {
    let Some(markup) = &m.reply_markup else {
        return Vec::new();
    };
    let rows = markup
        .get("inline_keyboard")
        .or_else(|| markup.get("keyboard"))
        .and_then(|r| r.as_array());
    rows.into_iter()
        .flatten()
        .map(|row| {
            row.as_array()
                .into_iter()
                .flatten()
                .map(|b| Button {
                    text: b
                        .get("text")
                        .and_then(|t| t.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    url: b.get("url").and_then(|u| u.as_str()).map(str::to_owned),
                })
                .collect()
        })
        .collect()
}
