//! ChangeNOW exchange statuses (reference/apis.md §B.4).

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An exchange status (§B.4). Statuses ChangeNOW adds later (or v1 leftovers such as `hold`)
/// parse as [`ExchangeState::Unknown`]: never final, and worth an alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExchangeState {
    New,
    Waiting,
    Confirming,
    Exchanging,
    Sending,
    Finished,
    Failed,
    Refunded,
    Verifying,
    /// Not in the v2 table but seen on unfunded exchanges; treated as final defensively.
    Expired,
    /// Anything else, trimmed and lowercased; empty when the field was missing or null.
    Unknown(String),
}

impl ExchangeState {
    /// Every documented status (plus `expired`).
    pub const KNOWN: [ExchangeState; 10] = [
        ExchangeState::New,
        ExchangeState::Waiting,
        ExchangeState::Confirming,
        ExchangeState::Exchanging,
        ExchangeState::Sending,
        ExchangeState::Finished,
        ExchangeState::Failed,
        ExchangeState::Refunded,
        ExchangeState::Verifying,
        ExchangeState::Expired,
    ];

    /// Parses a wire status; case and surrounding blanks are ignored. Never fails.
    pub fn parse(s: &str) -> Self {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "new" => Self::New,
            "waiting" => Self::Waiting,
            "confirming" => Self::Confirming,
            "exchanging" => Self::Exchanging,
            "sending" => Self::Sending,
            "finished" => Self::Finished,
            "failed" => Self::Failed,
            "refunded" => Self::Refunded,
            "verifying" => Self::Verifying,
            "expired" => Self::Expired,
            _ => Self::Unknown(s),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::New => "new",
            Self::Waiting => "waiting",
            Self::Confirming => "confirming",
            Self::Exchanging => "exchanging",
            Self::Sending => "sending",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Verifying => "verifying",
            Self::Expired => "expired",
            Self::Unknown(s) => s,
        }
    }

    /// Nothing more will happen without a human: `finished`, `failed`, `refunded`, `expired`.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Finished | Self::Failed | Self::Refunded | Self::Expired
        )
    }

    /// The deposit arrived and ChangeNOW is working on it: `confirming`, `exchanging`,
    /// `sending`, and the AML hold `verifying` (which can last long: alert, never re-create).
    pub fn is_in_progress(&self) -> bool {
        matches!(
            self,
            Self::Confirming | Self::Exchanging | Self::Sending | Self::Verifying
        )
    }

    /// No deposit seen yet: `new` or `waiting`.
    pub fn is_awaiting_deposit(&self) -> bool {
        matches!(self, Self::New | Self::Waiting)
    }

    /// A status this client does not know.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown(_))
    }

    pub(super) fn missing() -> Self {
        Self::Unknown(String::new())
    }
}

impl fmt::Display for ExchangeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExchangeState {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl Serialize for ExchangeState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ExchangeState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StateVisitor;
        impl<'de> Visitor<'de> for StateVisitor {
            type Value = ExchangeState;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an exchange status string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExchangeState, E> {
                Ok(ExchangeState::parse(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ExchangeState, E> {
                Ok(ExchangeState::missing())
            }
            fn visit_none<E: de::Error>(self) -> Result<ExchangeState, E> {
                Ok(ExchangeState::missing())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<ExchangeState, D::Error> {
                d.deserialize_any(self)
            }
        }
        deserializer.deserialize_any(StateVisitor)
    }
}
