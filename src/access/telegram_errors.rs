//! How a failed Telegram call is treated by a job: retry later, or stop (lesson 57).

use teloxide::{ApiError, RequestError};

use crate::jobs::JobError;

/// Why a Telegram call failed, as far as the caller must care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TgFailure {
    /// Network trouble, flood limits, Telegram having a bad moment: try again later.
    Transient,
    /// The user blocked the bot or no longer exists: stop writing to them.
    UserUnreachable,
    /// The bot lost the rights it needs in the channel: the owner must fix it.
    NoRights,
    /// Anything else: a request we built wrongly. Retrying cannot help.
    Permanent,
}

pub fn classify(e: &RequestError) -> TgFailure {
    match e {
        RequestError::RetryAfter(_) | RequestError::Network(_) | RequestError::Io(_) => {
            TgFailure::Transient
        }
        RequestError::Api(api) => match api {
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::CantInitiateConversation
            | ApiError::UserNotFound => TgFailure::UserUnreachable,
            ApiError::NotEnoughRightsToRestrict
            | ApiError::NotEnoughRightsToPostMessages
            | ApiError::BotKicked
            | ApiError::BotKickedFromChannel
            | ApiError::ChatNotFound => TgFailure::NoRights,
            ApiError::Unknown(text) if text.starts_with("Forbidden: bot can't initiate") => {
                TgFailure::UserUnreachable
            }
            ApiError::Unknown(text)
                if text.contains("rights") || text.contains("not an administrator") =>
            {
                TgFailure::NoRights
            }
            _ => TgFailure::Permanent,
        },
        _ => TgFailure::Transient,
    }
}

/// The job outcome for a Telegram failure, with `what` saying which call failed.
pub fn job_error(e: RequestError, what: &str) -> JobError {
    let msg = anyhow::anyhow!("{what}: {e}");
    match classify(&e) {
        TgFailure::Transient => JobError::Retryable(msg),
        _ => JobError::Terminal(msg),
    }
}
