//! Who and where: users, chats, membership statuses and admin rights.

/// A Telegram user known to the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    /// Telegram user id (positive).
    pub id: i64,
    /// Whether this account is a bot.
    pub is_bot: bool,
    /// Display first name.
    pub first_name: String,
    /// Optional last name.
    pub last_name: Option<String>,
    /// Optional username, without `@`.
    pub username: Option<String>,
    /// IETF language tag of the user's client, e.g. `"en"`.
    pub language_code: Option<String>,
    /// The user has pressed START (sent `/start`), so the bot may write to them.
    pub started: bool,
    /// The user has blocked the bot.
    pub blocked: bool,
}

/// Builder for [`crate::telegram::TelegramSim::add_user`].
#[derive(Debug, Clone)]
pub struct NewUser(pub(crate) SimUser);

impl NewUser {
    /// A user with this id and first name who has not started the bot yet.
    pub fn new(id: i64, first_name: &str) -> Self {
        Self(SimUser {
            id,
            is_bot: false,
            first_name: first_name.to_owned(),
            last_name: None,
            username: None,
            language_code: None,
            started: false,
            blocked: false,
        })
    }

    /// Sets the username (without `@`).
    pub fn username(mut self, username: &str) -> Self {
        self.0.username = Some(username.to_owned());
        self
    }

    /// Sets the last name.
    pub fn last_name(mut self, last_name: &str) -> Self {
        self.0.last_name = Some(last_name.to_owned());
        self
    }

    /// Sets the client language, e.g. `"es"`.
    pub fn language(mut self, code: &str) -> Self {
        self.0.language_code = Some(code.to_owned());
        self
    }

    /// Marks the user as having started the bot already.
    pub fn started(mut self) -> Self {
        self.0.started = true;
        self
    }

    /// Makes this account a bot (bots cannot receive messages from bots).
    pub fn bot(mut self) -> Self {
        self.0.is_bot = true;
        self
    }
}

/// Type of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatKind {
    /// One-to-one chat with a user; its id is the user id.
    Private,
    /// Basic group.
    Group,
    /// Supergroup (`-100…`).
    Supergroup,
    /// Channel (`-100…`).
    Channel,
}

impl ChatKind {
    /// The `type` string Telegram uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Group => "group",
            Self::Supergroup => "supergroup",
            Self::Channel => "channel",
        }
    }
}

/// A group, supergroup or channel known to the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimChat {
    /// Chat id (`-100…` for channels and supergroups).
    pub id: i64,
    /// Chat type.
    pub kind: ChatKind,
    /// Title.
    pub title: String,
    /// Public username, without `@`; `None` for private channels.
    pub username: Option<String>,
    /// Description shown in the chat profile.
    pub description: Option<String>,
}

/// Builder for [`crate::telegram::TelegramSim::add_chat`].
#[derive(Debug, Clone)]
pub struct NewChat {
    pub(crate) chat: SimChat,
    pub(crate) owner: Option<i64>,
}

impl NewChat {
    /// A private (no username) channel with this id and title.
    pub fn channel(id: i64, title: &str) -> Self {
        Self::of(ChatKind::Channel, id, title)
    }

    /// A supergroup with this id and title.
    pub fn supergroup(id: i64, title: &str) -> Self {
        Self::of(ChatKind::Supergroup, id, title)
    }

    fn of(kind: ChatKind, id: i64, title: &str) -> Self {
        let chat = SimChat {
            id,
            kind,
            title: title.to_owned(),
            username: None,
            description: None,
        };
        Self { chat, owner: None }
    }

    /// Makes the chat public under this username (without `@`).
    pub fn username(mut self, username: &str) -> Self {
        self.chat.username = Some(username.to_owned());
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: &str) -> Self {
        self.chat.description = Some(text.to_owned());
        self
    }

    /// Makes this (already added) user the chat's creator.
    pub fn owner(mut self, user_id: i64) -> Self {
        self.owner = Some(user_id);
        self
    }
}

/// Administrator rights, as in Telegram's `ChatMemberAdministrator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // mirrors Telegram's object one to one
pub struct AdminRights {
    /// Hidden behind the chat name.
    pub is_anonymous: bool,
    /// The bot may edit this administrator (it promoted them).
    pub can_be_edited: bool,
    /// Access to the event log, statistics and member lists.
    pub can_manage_chat: bool,
    /// May change title, photo and other settings.
    pub can_change_info: bool,
    /// May post in the channel (channels only).
    pub can_post_messages: bool,
    /// May edit other people's posts (channels only).
    pub can_edit_messages: bool,
    /// May delete other people's messages.
    pub can_delete_messages: bool,
    /// May create invite links and handle join requests.
    pub can_invite_users: bool,
    /// May ban, unban and restrict members.
    pub can_restrict_members: bool,
    /// May add administrators.
    pub can_promote_members: bool,
    /// May manage video chats.
    pub can_manage_video_chats: bool,
    /// May pin messages (groups and supergroups).
    pub can_pin_messages: bool,
    /// May post stories.
    pub can_post_stories: bool,
    /// May edit other people's stories.
    pub can_edit_stories: bool,
    /// May delete other people's stories.
    pub can_delete_stories: bool,
    /// May manage forum topics (supergroups).
    pub can_manage_topics: bool,
}

impl AdminRights {
    /// Every right (not anonymous). Combine with struct update syntax to drop one:
    /// `AdminRights { can_invite_users: false, ..AdminRights::full() }`.
    pub fn full() -> Self {
        Self {
            is_anonymous: false,
            can_be_edited: false,
            can_manage_chat: true,
            can_change_info: true,
            can_post_messages: true,
            can_edit_messages: true,
            can_delete_messages: true,
            can_invite_users: true,
            can_restrict_members: true,
            can_promote_members: true,
            can_manage_video_chats: true,
            can_pin_messages: true,
            can_post_stories: true,
            can_edit_stories: true,
            can_delete_stories: true,
            can_manage_topics: true,
        }
    }

    /// An administrator with no rights beyond `can_manage_chat`.
    pub fn none() -> Self {
        Self {
            is_anonymous: false,
            can_be_edited: false,
            can_manage_chat: true,
            can_change_info: false,
            can_post_messages: false,
            can_edit_messages: false,
            can_delete_messages: false,
            can_invite_users: false,
            can_restrict_members: false,
            can_promote_members: false,
            can_manage_video_chats: false,
            can_pin_messages: false,
            can_post_stories: false,
            can_edit_stories: false,
            can_delete_stories: false,
            can_manage_topics: false,
        }
    }
}

/// Membership status of a user in a chat (Telegram's `ChatMember` kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStatus {
    /// The owner.
    Creator {
        /// Hidden behind the chat's name.
        is_anonymous: bool,
    },
    /// An administrator with these rights.
    Administrator(AdminRights),
    /// A plain member; `until_date` is a paid-subscription expiry (unix seconds).
    Member {
        /// Subscription expiry, if any.
        until_date: Option<i64>,
    },
    /// A restricted user (supergroups).
    Restricted {
        /// Whether the user is still in the chat.
        is_member: bool,
        /// Whether they may send messages.
        can_send_messages: bool,
        /// Restriction end (unix seconds), 0 = forever.
        until_date: i64,
    },
    /// Not in the chat.
    Left,
    /// Banned; `until_date` 0 = forever.
    Kicked {
        /// Ban end (unix seconds), 0 = forever.
        until_date: i64,
    },
}

impl MemberStatus {
    /// Telegram's `status` string.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Creator { .. } => "creator",
            Self::Administrator(_) => "administrator",
            Self::Member { .. } => "member",
            Self::Restricted { .. } => "restricted",
            Self::Left => "left",
            Self::Kicked { .. } => "kicked",
        }
    }

    /// A plain member without a subscription expiry.
    pub fn member() -> Self {
        Self::Member { until_date: None }
    }

    /// Whether the user is currently inside the chat.
    pub fn is_present(&self) -> bool {
        match self {
            Self::Creator { .. } | Self::Administrator(_) | Self::Member { .. } => true,
            Self::Restricted { is_member, .. } => *is_member,
            Self::Left | Self::Kicked { .. } => false,
        }
    }

    /// Creator or administrator.
    pub fn is_admin(&self) -> bool {
        matches!(self, Self::Creator { .. } | Self::Administrator(_))
    }

    /// Effective admin rights: everything for the creator, none for non-admins.
    pub fn rights(&self) -> Option<AdminRights> {
        match self {
            Self::Creator { is_anonymous } => Some(AdminRights {
                is_anonymous: *is_anonymous,
                ..AdminRights::full()
            }),
            Self::Administrator(rights) => Some(*rights),
            _ => None,
        }
    }
}
