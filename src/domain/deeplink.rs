//! Deep-link payloads (`/start <payload>`): `c_<code>` (channel card), `c_<code>_<n>` (tier n)
//! `c_<code>_d` (donation) and `c_<code>_p_<promo>` (the card with a promo code applied, issue
//! 15). They name a channel (and a code) only; price, duration and discount always come from
//! the database (lesson 13).

/// Telegram's limit on a start payload.
pub const MAX_PAYLOAD_LEN: usize = 64;

/// A channel code: 6–32 characters of `[A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelCode(String);

impl ChannelCode {
    pub fn parse(s: &str) -> Option<ChannelCode> {
        let ok = (6..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| ChannelCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// Show the channel card with every tier.
    Channel(ChannelCode),
    /// Go straight to tier `n` (1-based position).
    Tier(ChannelCode, u8),
    /// The donation flow of a channel.
    Donate(ChannelCode),
    /// The channel card with a promo code applied (checked against the database).
    Promo(ChannelCode, crate::domain::promo::PromoText),
}

impl DeepLink {
    /// Parses a start payload; anything else (including a tampered or overlong one) is None.
    pub fn parse(payload: &str) -> Option<DeepLink> {
        let p = payload.trim();
        if p.is_empty()
            || p.len() > MAX_PAYLOAD_LEN
            || !p
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        let rest = p.strip_prefix("c_")?;
        if let Some((code, promo)) = rest.split_once("_p_") {
            return Some(DeepLink::Promo(
                ChannelCode::parse(code)?,
                crate::domain::promo::PromoText::parse(promo).filter(|t| t.as_str() == promo)?,
            ));
        }
        let mut parts = rest.split('_');
        let code = ChannelCode::parse(parts.next()?)?;
        let link = match parts.next() {
            None => DeepLink::Channel(code),
            Some("d") => DeepLink::Donate(code),
            Some(n) => {
                // Only canonical numbers: "1", never "01" or "+1".
                if n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n: u8 = n.parse().ok().filter(|n| (1..=10).contains(n))?;
                DeepLink::Tier(code, n)
            }
        };
        parts.next().is_none().then_some(link)
    }

    pub fn code(&self) -> &ChannelCode {
        match self {
            DeepLink::Channel(c)
            | DeepLink::Tier(c, _)
            | DeepLink::Donate(c)
            | DeepLink::Promo(c, _) => c,
        }
    }

    /// The payload for this link.
    pub fn payload(&self) -> String {
        match self {
            DeepLink::Channel(c) => format!("c_{}", c.as_str()),
            DeepLink::Tier(c, n) => format!("c_{}_{n}", c.as_str()),
            DeepLink::Donate(c) => format!("c_{}_d", c.as_str()),
            DeepLink::Promo(c, p) => format!("c_{}_p_{}", c.as_str(), p.as_str()),
        }
    }

    /// `https://t.me/<bot>?start=<payload>`.
    pub fn url(&self, bot_username: &str) -> String {
        format!("https://t.me/{bot_username}?start={}", self.payload())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::promo::PromoText;
    use proptest::prelude::*;

    proptest! {
        /// Any payload: parsing never panics, and whatever parses writes back to itself
        /// (nothing is accepted that we would not have produced) and fits Telegram's limit.
        #[test]
        fn parse_is_total_and_canonical(p in "[A-Za-z0-9_%-]{0,80}") {
            if let Some(link) = DeepLink::parse(&p) {
                prop_assert_eq!(link.payload(), p.trim());
                prop_assert!(link.payload().len() <= MAX_PAYLOAD_LEN);
            }
        }

        #[test]
        fn promo_links_round_trip(code in "[A-Za-z0-9]{6,32}", promo in "[A-Za-z0-9_-]{3,32}") {
            let link = DeepLink::Promo(
                ChannelCode::parse(&code).unwrap(),
                PromoText::parse(&promo).unwrap(),
            );
            let payload = link.payload();
            if payload.len() <= MAX_PAYLOAD_LEN {
                prop_assert_eq!(DeepLink::parse(&payload), Some(link));
            } else {
                prop_assert_eq!(DeepLink::parse(&payload), None);
            }
        }
    }

    fn code() -> ChannelCode {
        ChannelCode::parse("Ab3dE9xQ").unwrap()
    }

    #[test]
    fn parses_the_three_forms_and_round_trips() {
        for link in [
            DeepLink::Channel(code()),
            DeepLink::Tier(code(), 2),
            DeepLink::Donate(code()),
            DeepLink::Promo(code(), PromoText::parse("SPRING-20").unwrap()),
            DeepLink::Promo(code(), PromoText::parse("a_b_p_c").unwrap()),
        ] {
            assert_eq!(DeepLink::parse(&link.payload()), Some(link.clone()));
            assert!(link.payload().len() <= MAX_PAYLOAD_LEN);
        }
        assert_eq!(
            DeepLink::Tier(code(), 1).url("telepay_bot"),
            "https://t.me/telepay_bot?start=c_Ab3dE9xQ_1"
        );
    }

    /// Lesson 13: a payload carries no price or duration, and anything tampered is refused.
    #[test]
    fn lesson_13_tampered_payloads_are_refused() {
        for bad in [
            "",
            "c_",
            "c_short",
            "c_Ab3dE9xQ_0",
            "c_Ab3dE9xQ_01",
            "c_Ab3dE9xQ_11",
            "c_Ab3dE9xQ_1_999",
            "c_Ab3dE9xQ_price_1",
            "c_Ab3dE9xQ_+1",
            "x_Ab3dE9xQ",
            "c_Ab3d E9xQ",
            "c_Ab3dE9xQ_1;drop",
            &format!("c_{}", "a".repeat(63)),
            "c_Ab3dé9xQ",
            "c_Ab3dE9xQ_p_",
            "c_Ab3dE9xQ_p_ab",
            "c_Ab3dE9xQ_p_ab%20",
            "c_Ab3dE9xQ_p_SPRING;1",
            "c_short_p_SPRING",
            "c_Ab3dE9xQ_1_p_SPRING",
            &format!("c_Ab3dE9xQ_p_{}", "a".repeat(33)),
        ] {
            assert_eq!(DeepLink::parse(bad), None, "{bad:?}");
        }
    }
}
