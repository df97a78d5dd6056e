//! The demo's story, scene by scene. Every step goes through the bot as a person would
//! (typing, pressing buttons, sharing a channel, opening links) or through a simulated
//! provider as the world would (NOWPayments sending signed IPNs, ChangeNOW and the chain
//! settling); nothing is written to the database directly.

mod later;
mod owners;
mod subscribers;

use std::time::Duration;

use anyhow::anyhow;
use telepay::store::channels::Channel;
use telepay_sim::telegram::{NewChat, SimMessage};

use super::stage::{Stage, Want};
use super::transcript::Role;

pub use later::{admin, payouts, time_passes};
pub use owners::owners_register;
pub use subscribers::{subscribers_join, subscribers_pay};

pub const OLGA: i64 = 1001;
pub const MARCO: i64 = 1002;
pub const SAM: i64 = 2001;
pub const ANA: i64 = 2002;
pub const LEE: i64 = 2003;
pub const KIM: i64 = 2004;
pub const RAJ: i64 = 2005;
pub const ZOE: i64 = 2006;
pub const ADA: i64 = 9001;

const ALPHA: i64 = -100_100_001;
const BETA: i64 = -100_100_002;
const GAMMA: i64 = -100_100_003;

/// The owners' wallets (checksummed example addresses).
const OLGA_BTC: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
const OLGA_EVM: &str = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
const MARCO_EVM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

const DAY: Duration = Duration::from_secs(86_400);
const HOUR: Duration = Duration::from_secs(3_600);

/// The three channels once registered.
pub struct Channels {
    pub alpha: Channel,
    pub beta: Channel,
    pub gamma: Channel,
}

/// The people of the story, as they first open the bot.
pub fn cast(st: &mut Stage) {
    st.add_person(OLGA, "Olga", Role::Owner, "en");
    st.add_person(MARCO, "Marco", Role::Owner, "en");
    st.add_person(SAM, "Sam", Role::Subscriber, "en");
    st.add_person(ANA, "Ana", Role::Subscriber, "es");
    st.add_person(LEE, "Lee", Role::Subscriber, "en");
    st.add_person(KIM, "Kim", Role::Subscriber, "ru");
    st.add_person(RAJ, "Raj", Role::Subscriber, "en");
    st.add_person(ZOE, "Zoe", Role::Subscriber, "en");
    st.add_person(ADA, "Ada", Role::Admin, "en");
    st.w.tg
        .add_chat(NewChat::channel(ALPHA, "Alpha Signals").owner(OLGA));
    st.w.tg
        .add_chat(NewChat::channel(BETA, "Beta Long Reads").owner(OLGA));
    st.w.tg
        .add_chat(NewChat::channel(GAMMA, "Gamma Research").owner(MARCO));
}

/// The newest bot message to `id` matching `want`.
fn newest(st: &Stage, id: i64, want: Want<'_>) -> anyhow::Result<SimMessage> {
    st.w.tg
        .messages_in(id)
        .into_iter()
        .rev()
        .find(|m| want.matches(m))
        .ok_or_else(|| anyhow!("{} has no {want} from the bot", st.name(id)))
}

fn np_invoice_of(m: &SimMessage) -> anyhow::Result<u64> {
    m.buttons()
        .into_iter()
        .filter_map(|b| b.2)
        .find_map(|u| u.split("iid=").nth(1).and_then(|s| s.parse().ok()))
        .ok_or_else(|| anyhow!("the invoice message has no payment link"))
}
