//! Callback data: short verbs and ids only (never a price or a wallet), at most 64 bytes.

use crate::domain::lang::Lang;

/// Telegram's limit on callback data, in bytes.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// Every button press the bot understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackData {
    /// Open a main-menu section.
    Menu(MenuItem),
    /// Switch the interface language.
    SetLang(Lang),
    /// Buy (or renew) the tier with this id. Only the id: the price is read from the database.
    Buy(i64),
    /// Pay for the tier with this id in Telegram Stars (issue 15); the Stars price is read from
    /// the database.
    BuyStars(i64),
    /// Start the free trial of the tier with this id (refused on the server when the user had
    /// one in this channel, is subscribed there, or the tier has no trial).
    Trial(i64),
    /// Ask for a promo code for the channel with this id (issue 15).
    PromoAsk(i64),
    /// Buy the tier `tier` with the promo code `promo` (both ids; the price and whether the
    /// code still applies are read from the database).
    BuyPromo { tier: i64, promo: i64 },
    /// A channel owner's action; every one re-checks ownership on the server.
    Owner(OwnerAction),
    /// An operator's action; every one re-checks ADMIN_IDS on the server.
    Admin(AdminAction),
    /// A subscriber turns a channel's broadcasts off (`true`) or back on (`false`).
    BroadcastsOff(i64, bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    Menu,
    Jobs,
    Alerts,
    Ack(i64),
    Audit,
    /// The platform's figures over a period.
    Stats(StatsPeriod),
    /// One page (newest first) of the admin audit log.
    Log(u32),
    /// The whole admin audit log as a CSV document.
    LogCsv,
    /// One page of payouts in one group.
    Payouts(PayoutFilter, u32),
    /// One payout's card, with its retry and cancel buttons.
    Payout(i64),
    /// One page of the payments waiting for review (orphans and held payments).
    Orphans(u32),
    /// One payment waiting for review, with its candidate invoices and buttons.
    Orphan(i64),
    /// The reasons an operator may give to dismiss a payment.
    DismissReasons(i64),
    /// How to look something up.
    Lookup,
    /// A channel's operator card (with pause/resume of its sales).
    Channel(i64),
    /// A user's operator card (with their subscriptions, invites and payments).
    User(i64),
    /// Show what `AdminOp` will do and ask for confirmation; changes nothing.
    Ask(AdminOp),
    /// Carry out `AdminOp`, confirmed by the operator `admin`; anyone else pressing it (a
    /// replayed button) changes nothing.
    Confirm {
        admin: i64,
        op: AdminOp,
    },
}

/// Everything an operator can do that moves money or changes access. Each is shown first
/// ([`AdminAction::Ask`]) and done only on a second press ([`AdminAction::Confirm`]); each
/// leaves one row in the admin audit log when it changes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminOp {
    /// The kill switch: stop all outgoing money.
    PausePayouts,
    ResumePayouts,
    /// Queue a failed job again.
    RetryJob(i64),
    /// Try a failed payout again.
    RetryPayout(i64),
    /// Cancel a payout nothing was sent for; its share goes back where it came from.
    CancelPayout(i64),
    /// Attach an orphan payment to one of our invoices, then treat it as that invoice's payment.
    AssignPayment {
        payment: i64,
        invoice: i64,
    },
    /// Close a payment waiting for review without granting anything.
    DismissPayment {
        payment: i64,
        reason: DismissReason,
    },
    /// Let a held payment through, as if it had not been held.
    ReleasePayment(i64),
    /// Send a subscriber a fresh invite to their channel.
    ResendInvite(i64),
    /// Stop (or restart) the sales of one channel.
    PauseChannel(i64),
    ResumeChannel(i64),
    /// Refund a Telegram Stars payment: Stars back to the payer, access revoked, the owner's
    /// share that is not paid out yet taken back.
    RefundStars(i64),
    /// Let a channel's owner broadcast again within 24 hours of the last broadcast.
    LiftBroadcastLimit(i64),
}

/// Why an operator closed a payment waiting for review (stored as the word below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DismissReason {
    /// Another payment already covers it.
    Duplicate,
    /// Refunded to the payer outside TelePay.
    Refunded,
    /// A test or a mistake, not a real purchase.
    Test,
    /// Nothing of ours: no channel or user it could belong to.
    NotOurs,
}

impl DismissReason {
    pub const ALL: [DismissReason; 4] = [
        DismissReason::Duplicate,
        DismissReason::Refunded,
        DismissReason::Test,
        DismissReason::NotOurs,
    ];

    /// The word stored with the payment and shown in the admin log.
    pub fn as_str(self) -> &'static str {
        match self {
            DismissReason::Duplicate => "duplicate",
            DismissReason::Refunded => "refunded",
            DismissReason::Test => "test",
            DismissReason::NotOurs => "not_ours",
        }
    }

    fn code(self) -> &'static str {
        match self {
            DismissReason::Duplicate => "dup",
            DismissReason::Refunded => "ref",
            DismissReason::Test => "test",
            DismissReason::NotOurs => "no",
        }
    }

    fn parse(s: &str) -> Option<DismissReason> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// The groups of payouts `/admin` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutFilter {
    /// Not final and not (yet) stuck.
    Pending,
    Failed,
    /// Not final and unchanged for longer than the stuck threshold.
    Stuck,
}

impl PayoutFilter {
    pub const ALL: [PayoutFilter; 3] = [
        PayoutFilter::Pending,
        PayoutFilter::Failed,
        PayoutFilter::Stuck,
    ];

    fn code(self) -> &'static str {
        match self {
            PayoutFilter::Pending => "p",
            PayoutFilter::Failed => "f",
            PayoutFilter::Stuck => "s",
        }
    }

    fn parse(s: &str) -> Option<PayoutFilter> {
        Self::ALL.into_iter().find(|f| f.code() == s)
    }
}

impl AdminOp {
    fn encode(self) -> String {
        match self {
            AdminOp::PausePayouts => "pp".into(),
            AdminOp::ResumePayouts => "rp".into(),
            AdminOp::RetryJob(id) => format!("rj:{id}"),
            AdminOp::RetryPayout(id) => format!("ry:{id}"),
            AdminOp::CancelPayout(id) => format!("cp:{id}"),
            AdminOp::AssignPayment { payment, invoice } => format!("as:{payment}:{invoice}"),
            AdminOp::DismissPayment { payment, reason } => {
                format!("ds:{payment}:{}", reason.code())
            }
            AdminOp::ReleasePayment(id) => format!("rl:{id}"),
            AdminOp::ResendInvite(id) => format!("ri:{id}"),
            AdminOp::PauseChannel(id) => format!("pc:{id}"),
            AdminOp::ResumeChannel(id) => format!("rc:{id}"),
            AdminOp::RefundStars(id) => format!("rs:{id}"),
            AdminOp::LiftBroadcastLimit(id) => format!("bl:{id}"),
        }
    }

    fn parse(s: &str) -> Option<AdminOp> {
        let mut parts = s.split(':');
        let verb = parts.next()?;
        let a = parts.next();
        let b = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let id = |p: Option<&str>| p.and_then(parse_any_id);
        match (verb, a, b) {
            ("pp", None, None) => Some(AdminOp::PausePayouts),
            ("rp", None, None) => Some(AdminOp::ResumePayouts),
            ("rj", Some(_), None) => id(a).map(AdminOp::RetryJob),
            ("ry", Some(_), None) => id(a).map(AdminOp::RetryPayout),
            ("cp", Some(_), None) => id(a).map(AdminOp::CancelPayout),
            ("as", Some(_), Some(_)) => Some(AdminOp::AssignPayment {
                payment: id(a)?,
                invoice: id(b)?,
            }),
            ("ds", Some(_), Some(r)) => Some(AdminOp::DismissPayment {
                payment: id(a)?,
                reason: DismissReason::parse(r)?,
            }),
            ("rl", Some(_), None) => id(a).map(AdminOp::ReleasePayment),
            ("ri", Some(_), None) => id(a).map(AdminOp::ResendInvite),
            ("pc", Some(_), None) => id(a).map(AdminOp::PauseChannel),
            ("rc", Some(_), None) => id(a).map(AdminOp::ResumeChannel),
            ("rs", Some(_), None) => id(a).map(AdminOp::RefundStars),
            ("bl", Some(_), None) => id(a).map(AdminOp::LiftBroadcastLimit),
            _ => None,
        }
    }
}

/// The periods `/admin` stats are shown for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsPeriod {
    Today,
    Week,
    Month,
}

impl StatsPeriod {
    pub const ALL: [StatsPeriod; 3] = [StatsPeriod::Today, StatsPeriod::Week, StatsPeriod::Month];

    fn code(self) -> &'static str {
        match self {
            StatsPeriod::Today => "1d",
            StatsPeriod::Week => "7d",
            StatsPeriod::Month => "30d",
        }
    }

    fn parse(s: &str) -> Option<StatsPeriod> {
        Self::ALL.into_iter().find(|p| p.code() == s)
    }

    /// How far back the period reaches: today means the last 24 hours.
    pub fn days(self) -> i64 {
        match self {
            StatsPeriod::Today => 1,
            StatsPeriod::Week => 7,
            StatsPeriod::Month => 30,
        }
    }
}

impl AdminAction {
    fn encode(self) -> String {
        match self {
            AdminAction::Menu => "a:menu".into(),
            AdminAction::Jobs => "a:jobs".into(),
            AdminAction::Alerts => "a:alerts".into(),
            AdminAction::Ack(id) => format!("a:ack:{id}"),
            AdminAction::Audit => "a:audit".into(),
            AdminAction::Stats(p) => format!("a:stats:{}", p.code()),
            AdminAction::Log(0) => "a:log".into(),
            AdminAction::Log(page) => format!("a:log:{page}"),
            AdminAction::LogCsv => "a:logcsv".into(),
            AdminAction::Payouts(f, page) => format!("a:po:{}:{page}", f.code()),
            AdminAction::Payout(id) => format!("a:pd:{id}"),
            AdminAction::Orphans(page) => format!("a:or:{page}"),
            AdminAction::Orphan(id) => format!("a:od:{id}"),
            AdminAction::DismissReasons(id) => format!("a:dr:{id}"),
            AdminAction::Lookup => "a:lk".into(),
            AdminAction::Channel(id) => format!("a:ch:{id}"),
            AdminAction::User(id) => format!("a:us:{id}"),
            AdminAction::Ask(op) => format!("a:?:{}", op.encode()),
            AdminAction::Confirm { admin, op } => format!("a:!:{admin}:{}", op.encode()),
        }
    }

    fn parse(rest: &str) -> Option<AdminAction> {
        match rest.split_once(':') {
            None => match rest {
                "menu" => Some(AdminAction::Menu),
                "jobs" => Some(AdminAction::Jobs),
                "alerts" => Some(AdminAction::Alerts),
                "audit" => Some(AdminAction::Audit),
                "log" => Some(AdminAction::Log(0)),
                "logcsv" => Some(AdminAction::LogCsv),
                "lk" => Some(AdminAction::Lookup),
                _ => None,
            },
            Some(("ack", id)) => parse_any_id(id).map(AdminAction::Ack),
            Some(("stats", p)) => StatsPeriod::parse(p).map(AdminAction::Stats),
            Some(("log", p)) => parse_page(p).filter(|p| *p > 0).map(AdminAction::Log),
            Some(("po", rest)) => {
                let (f, page) = rest.split_once(':')?;
                Some(AdminAction::Payouts(
                    PayoutFilter::parse(f)?,
                    parse_page(page)?,
                ))
            }
            Some(("pd", id)) => parse_any_id(id).map(AdminAction::Payout),
            Some(("or", page)) => parse_page(page).map(AdminAction::Orphans),
            Some(("od", id)) => parse_any_id(id).map(AdminAction::Orphan),
            Some(("dr", id)) => parse_any_id(id).map(AdminAction::DismissReasons),
            Some(("ch", id)) => parse_any_id(id).map(AdminAction::Channel),
            Some(("us", id)) => parse_any_id(id).map(AdminAction::User),
            Some(("?", op)) => AdminOp::parse(op).map(AdminAction::Ask),
            Some(("!", rest)) => {
                let (admin, op) = rest.split_once(':')?;
                Some(AdminAction::Confirm {
                    admin: parse_any_id(admin)?,
                    op: AdminOp::parse(op)?,
                })
            }
            _ => None,
        }
    }
}

/// A page number: digits only, no sign or leading zero, at most 9999.
fn parse_page(s: &str) -> Option<u32> {
    s.parse::<u32>()
        .ok()
        .filter(|p| *p <= 9999 && p.to_string() == s)
}

/// Job and alert ids are random i64 and may be negative; still written exactly as we write them.
fn parse_any_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|id| id.to_string() == s)
}

/// Owner buttons: a short verb and, where needed, one id (or a currency/network pair, which
/// is checked against the supported table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerAction {
    /// Start registering a channel.
    Add,
    /// Register the channel the bot was just added to (from a `my_chat_member` notice).
    RegisterChat(i64),
    /// The list of the owner's channels.
    List,
    /// One channel's card.
    Open(i64),
    /// Balance and payouts: all channels, or one.
    Balance(Option<i64>),
    /// The payout history of a channel.
    History(i64),
    /// The itemized statement of one payout.
    Statement(i64),
    /// CSV export of a channel's payments and payouts.
    Csv(i64),
    /// The chart (a PNG) of a channel's last 30 or 90 days.
    Chart(i64, ChartSpan),
    /// Deep links of a channel.
    Links(i64),
    SetPaused(i64, bool),
    SetNotify(i64, bool),
    /// Switch between join-request and one-time-link access.
    ToggleMode(i64),
    EditTiers(i64),
    /// The free trials of a channel's plans.
    Trials(i64),
    /// Ask for the trial length of the tier with this id.
    EditTrial(i64),
    /// The Telegram Stars prices of a channel's plans.
    StarsPrices(i64),
    /// Ask for the Stars price of the tier with this id.
    EditStars(i64),
    /// The promo codes of a channel, with uses and revenue.
    Promos(i64),
    /// Ask for a new promo code of a channel.
    NewPromo(i64),
    /// Turn off the promo code with this id.
    PromoOff(i64),
    /// Ask for the grace period (hours) of a channel.
    EditGrace(i64),
    EditPayout(i64),
    EditTitle(i64),
    EditDescription(i64),
    /// Post (or re-post) the offer message into a public channel.
    PostOffer(i64),
    /// Start a broadcast to a channel's subscribers: pick the audience.
    Broadcast(i64),
    /// Broadcast to the channel's active subscribers: ask for the message.
    BroadcastActive(i64),
    /// Broadcast to lapsed subscribers (win-back): ask for the number of days.
    BroadcastLapsed(i64),
    /// Send the broadcast draft with this id (the confirmation).
    BroadcastSend(i64),
    /// Drop the broadcast draft with this id.
    BroadcastCancel(i64),
    Delete(i64),
    DeleteConfirmed(i64),
    // Steps of the registration / payout-settings conversation.
    AddTier,
    TiersDone,
    CurrencyPage(u8),
    Currency(String, String),
    SkipExtraId,
    Instant,
    Threshold,
    Confirm,
    Abort,
}

impl OwnerAction {
    fn encode(&self) -> String {
        use OwnerAction as A;
        match self {
            A::Add => "o:add".into(),
            A::RegisterChat(id) => format!("o:reg:{id}"),
            A::List => "o:list".into(),
            A::Open(id) => format!("o:ch:{id}"),
            A::Balance(None) => "o:bal".into(),
            A::Balance(Some(id)) => format!("o:bal:{id}"),
            A::History(id) => format!("o:hist:{id}"),
            A::Statement(id) => format!("o:st:{id}"),
            A::Csv(id) => format!("o:csv:{id}"),
            A::Chart(id, span) => format!("o:chart:{id}:{}", span.days()),
            A::Links(id) => format!("o:links:{id}"),
            A::SetPaused(id, p) => format!("o:pause:{id}:{}", u8::from(*p)),
            A::SetNotify(id, n) => format!("o:ntf:{id}:{}", u8::from(*n)),
            A::ToggleMode(id) => format!("o:mode:{id}"),
            A::EditTiers(id) => format!("o:tiers:{id}"),
            A::Trials(id) => format!("o:trials:{id}"),
            A::EditTrial(id) => format!("o:trial:{id}"),
            A::StarsPrices(id) => format!("o:xtr:{id}"),
            A::EditStars(id) => format!("o:xtrp:{id}"),
            A::Promos(id) => format!("o:promos:{id}"),
            A::NewPromo(id) => format!("o:promonew:{id}"),
            A::PromoOff(id) => format!("o:promooff:{id}"),
            A::EditGrace(id) => format!("o:grace:{id}"),
            A::EditPayout(id) => format!("o:pay:{id}"),
            A::EditTitle(id) => format!("o:title:{id}"),
            A::EditDescription(id) => format!("o:desc:{id}"),
            A::PostOffer(id) => format!("o:post:{id}"),
            A::Broadcast(id) => format!("o:bc:{id}"),
            A::BroadcastActive(id) => format!("o:bca:{id}"),
            A::BroadcastLapsed(id) => format!("o:bcl:{id}"),
            A::BroadcastSend(id) => format!("o:bcs:{id}"),
            A::BroadcastCancel(id) => format!("o:bcx:{id}"),
            A::Delete(id) => format!("o:del:{id}"),
            A::DeleteConfirmed(id) => format!("o:delok:{id}"),
            A::AddTier => "o:more".into(),
            A::TiersDone => "o:tdone".into(),
            A::CurrencyPage(p) => format!("o:curp:{p}"),
            A::Currency(c, n) => format!("o:cur:{c}:{n}"),
            A::SkipExtraId => "o:noextra".into(),
            A::Instant => "o:instant".into(),
            A::Threshold => "o:threshold".into(),
            A::Confirm => "o:ok".into(),
            A::Abort => "o:abort".into(),
        }
    }

    fn parse(rest: &str) -> Option<OwnerAction> {
        use OwnerAction as A;
        let mut parts = rest.split(':');
        let verb = parts.next()?;
        let args: Vec<&str> = parts.collect();
        let one_id = || match args.as_slice() {
            [id] => parse_id(id),
            _ => None,
        };
        let id_flag = || match args.as_slice() {
            [id, f] => Some((parse_id(id)?, parse_flag(f)?)),
            _ => None,
        };
        match verb {
            "add" if args.is_empty() => Some(A::Add),
            "list" if args.is_empty() => Some(A::List),
            "bal" if args.is_empty() => Some(A::Balance(None)),
            "more" if args.is_empty() => Some(A::AddTier),
            "tdone" if args.is_empty() => Some(A::TiersDone),
            "noextra" if args.is_empty() => Some(A::SkipExtraId),
            "instant" if args.is_empty() => Some(A::Instant),
            "threshold" if args.is_empty() => Some(A::Threshold),
            "ok" if args.is_empty() => Some(A::Confirm),
            "abort" if args.is_empty() => Some(A::Abort),
            // Telegram chat ids of channels are negative.
            "reg" => match args.as_slice() {
                [id] => id
                    .parse::<i64>()
                    .ok()
                    .filter(|v| v.to_string() == *id && *v != 0)
                    .map(A::RegisterChat),
                _ => None,
            },
            "ch" => one_id().map(A::Open),
            "bal" => one_id().map(|id| A::Balance(Some(id))),
            "hist" => one_id().map(A::History),
            "st" => one_id().map(A::Statement),
            "csv" => one_id().map(A::Csv),
            "chart" => match args.as_slice() {
                [id, span] => Some(A::Chart(parse_id(id)?, ChartSpan::parse(span)?)),
                _ => None,
            },
            "links" => one_id().map(A::Links),
            "mode" => one_id().map(A::ToggleMode),
            "tiers" => one_id().map(A::EditTiers),
            "trials" => one_id().map(A::Trials),
            "trial" => one_id().map(A::EditTrial),
            "xtr" => one_id().map(A::StarsPrices),
            "xtrp" => one_id().map(A::EditStars),
            "promos" => one_id().map(A::Promos),
            "promonew" => one_id().map(A::NewPromo),
            "promooff" => one_id().map(A::PromoOff),
            "grace" => one_id().map(A::EditGrace),
            "pay" => one_id().map(A::EditPayout),
            "title" => one_id().map(A::EditTitle),
            "desc" => one_id().map(A::EditDescription),
            "post" => one_id().map(A::PostOffer),
            "bc" => one_id().map(A::Broadcast),
            "bca" => one_id().map(A::BroadcastActive),
            "bcl" => one_id().map(A::BroadcastLapsed),
            "bcs" => parse_any_id(args.first().copied().unwrap_or_default())
                .filter(|_| args.len() == 1)
                .map(A::BroadcastSend),
            "bcx" => parse_any_id(args.first().copied().unwrap_or_default())
                .filter(|_| args.len() == 1)
                .map(A::BroadcastCancel),
            "del" => one_id().map(A::Delete),
            "delok" => one_id().map(A::DeleteConfirmed),
            "pause" => id_flag().map(|(id, f)| A::SetPaused(id, f)),
            "ntf" => id_flag().map(|(id, f)| A::SetNotify(id, f)),
            "curp" => match args.as_slice() {
                [p] => p
                    .parse::<u8>()
                    .ok()
                    .filter(|v| v.to_string() == *p)
                    .map(A::CurrencyPage),
                _ => None,
            },
            "cur" => match args.as_slice() {
                [c, n] if is_code(c) && is_code(n) => {
                    Some(A::Currency((*c).to_owned(), (*n).to_owned()))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// How many days the owner's chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartSpan {
    Days30,
    Days90,
}

impl ChartSpan {
    pub const ALL: [ChartSpan; 2] = [ChartSpan::Days30, ChartSpan::Days90];

    pub fn days(self) -> u32 {
        match self {
            ChartSpan::Days30 => 30,
            ChartSpan::Days90 => 90,
        }
    }

    fn parse(s: &str) -> Option<ChartSpan> {
        Self::ALL.into_iter().find(|c| c.days().to_string() == s)
    }
}

/// A positive id written exactly as we write it.
fn parse_id(s: &str) -> Option<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|id| *id > 0 && id.to_string() == s)
}

fn parse_flag(s: &str) -> Option<bool> {
    match s {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

/// A currency or network code: 1 to 10 upper-case letters or digits.
fn is_code(s: &str) -> bool {
    (1..=10).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    Language,
    Help,
}

impl CallbackData {
    pub fn encode(&self) -> String {
        match self {
            CallbackData::Owner(a) => a.encode(),
            CallbackData::Admin(a) => a.encode(),
            CallbackData::Menu(MenuItem::Language) => "m:lang".into(),
            CallbackData::Menu(MenuItem::Help) => "m:help".into(),
            CallbackData::SetLang(l) => format!("lang:{}", l.code()),
            CallbackData::Buy(id) => format!("buy:{id}"),
            CallbackData::Trial(id) => format!("trial:{id}"),
            CallbackData::BuyStars(id) => format!("xtr:{id}"),
            CallbackData::PromoAsk(id) => format!("promo:{id}"),
            CallbackData::BuyPromo { tier, promo } => format!("pbuy:{tier}:{promo}"),
            CallbackData::BroadcastsOff(id, off) => format!("bo:{id}:{}", u8::from(*off)),
        }
    }

    /// Parses data from a button; anything we did not produce is refused.
    pub fn parse(data: &str) -> Option<CallbackData> {
        if data.len() > MAX_CALLBACK_BYTES {
            return None;
        }
        match data.split_once(':')? {
            ("o", rest) => OwnerAction::parse(rest).map(CallbackData::Owner),
            ("a", rest) => AdminAction::parse(rest).map(CallbackData::Admin),
            ("m", "lang") => Some(CallbackData::Menu(MenuItem::Language)),
            ("m", "help") => Some(CallbackData::Menu(MenuItem::Help)),
            ("buy", id) => id
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0 && id.to_string() == id_text(data))
                .map(CallbackData::Buy),
            ("trial", id) => parse_id(id).map(CallbackData::Trial),
            ("xtr", id) => parse_id(id).map(CallbackData::BuyStars),
            ("promo", id) => parse_id(id).map(CallbackData::PromoAsk),
            ("pbuy", ids) => {
                let (tier, promo) = ids.split_once(':')?;
                Some(CallbackData::BuyPromo {
                    tier: parse_id(tier)?,
                    promo: parse_id(promo)?,
                })
            }
            ("bo", rest) => {
                let (id, flag) = rest.split_once(':')?;
                Some(CallbackData::BroadcastsOff(
                    parse_id(id)?,
                    parse_flag(flag)?,
                ))
            }
            ("lang", code) => Lang::ALL
                .into_iter()
                .find(|l| l.code() == code)
                .map(CallbackData::SetLang),
            _ => None,
        }
    }
}

/// The text after the first colon.
fn id_text(data: &str) -> &str {
    data.split_once(':').map(|(_, r)| r).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fits_in_64_bytes() {
        let all = [
            CallbackData::Menu(MenuItem::Language),
            CallbackData::Menu(MenuItem::Help),
            CallbackData::SetLang(Lang::En),
            CallbackData::SetLang(Lang::Ru),
            CallbackData::SetLang(Lang::Es),
            CallbackData::Buy(i64::MAX),
            CallbackData::Buy(1),
            CallbackData::Trial(i64::MAX),
            CallbackData::Trial(1),
            CallbackData::BuyStars(i64::MAX),
            CallbackData::BuyStars(1),
            CallbackData::Owner(OwnerAction::StarsPrices(i64::MAX)),
            CallbackData::Owner(OwnerAction::EditStars(i64::MAX)),
            CallbackData::Admin(AdminAction::Confirm {
                admin: i64::MAX,
                op: AdminOp::RefundStars(i64::MAX),
            }),
            CallbackData::Admin(AdminAction::Ask(AdminOp::RefundStars(1))),
            CallbackData::PromoAsk(i64::MAX),
            CallbackData::BuyPromo {
                tier: i64::MAX,
                promo: i64::MAX,
            },
            CallbackData::Owner(OwnerAction::Promos(i64::MAX)),
            CallbackData::Owner(OwnerAction::NewPromo(i64::MAX)),
            CallbackData::Owner(OwnerAction::PromoOff(i64::MAX)),
            CallbackData::Owner(OwnerAction::Trials(i64::MAX)),
            CallbackData::Owner(OwnerAction::EditTrial(i64::MAX)),
            CallbackData::Owner(OwnerAction::EditGrace(i64::MAX)),
            CallbackData::Owner(OwnerAction::Add),
            CallbackData::Owner(OwnerAction::Broadcast(i64::MAX)),
            CallbackData::Owner(OwnerAction::BroadcastActive(i64::MAX)),
            CallbackData::Owner(OwnerAction::BroadcastLapsed(i64::MAX)),
            CallbackData::Owner(OwnerAction::BroadcastSend(i64::MIN)),
            CallbackData::Owner(OwnerAction::BroadcastCancel(-1)),
            CallbackData::BroadcastsOff(i64::MAX, true),
            CallbackData::BroadcastsOff(1, false),
            CallbackData::Owner(OwnerAction::RegisterChat(-1_001_234_567_890)),
            CallbackData::Owner(OwnerAction::Open(i64::MAX)),
            CallbackData::Owner(OwnerAction::Balance(None)),
            CallbackData::Owner(OwnerAction::Balance(Some(i64::MAX))),
            CallbackData::Owner(OwnerAction::Chart(i64::MAX, ChartSpan::Days30)),
            CallbackData::Owner(OwnerAction::Chart(1, ChartSpan::Days90)),
            CallbackData::Owner(OwnerAction::SetPaused(i64::MAX, true)),
            CallbackData::Owner(OwnerAction::SetNotify(i64::MAX, false)),
            CallbackData::Owner(OwnerAction::DeleteConfirmed(i64::MAX)),
            CallbackData::Owner(OwnerAction::CurrencyPage(12)),
            CallbackData::Owner(OwnerAction::Currency("USDT".into(), "MATIC".into())),
            CallbackData::Owner(OwnerAction::Confirm),
            CallbackData::Admin(AdminAction::Ask(AdminOp::RetryJob(i64::MIN))),
            CallbackData::Admin(AdminAction::Ack(42)),
            CallbackData::Admin(AdminAction::Log(0)),
            CallbackData::Admin(AdminAction::Log(9999)),
            CallbackData::Admin(AdminAction::LogCsv),
            CallbackData::Admin(AdminAction::Ask(AdminOp::PausePayouts)),
            CallbackData::Admin(AdminAction::Payouts(PayoutFilter::Stuck, 9999)),
            CallbackData::Admin(AdminAction::Payout(i64::MAX)),
            CallbackData::Admin(AdminAction::Orphans(3)),
            CallbackData::Admin(AdminAction::Orphan(i64::MAX)),
            CallbackData::Admin(AdminAction::DismissReasons(i64::MAX)),
            CallbackData::Admin(AdminAction::Lookup),
            CallbackData::Admin(AdminAction::Channel(i64::MAX)),
            CallbackData::Admin(AdminAction::User(i64::MAX)),
            // The longest data we produce: a Telegram user id (up to 52 bits) and two ids.
            CallbackData::Admin(AdminAction::Confirm {
                admin: (1 << 52) - 1,
                op: AdminOp::AssignPayment {
                    payment: i64::MAX,
                    invoice: i64::MAX,
                },
            }),
            CallbackData::Admin(AdminAction::Confirm {
                admin: 1,
                op: AdminOp::DismissPayment {
                    payment: i64::MAX,
                    reason: DismissReason::NotOurs,
                },
            }),
            CallbackData::Admin(AdminAction::Confirm {
                admin: 1,
                op: AdminOp::ResumePayouts,
            }),
            CallbackData::Admin(AdminAction::Ask(AdminOp::RetryPayout(5))),
            CallbackData::Admin(AdminAction::Ask(AdminOp::CancelPayout(5))),
            CallbackData::Admin(AdminAction::Ask(AdminOp::ReleasePayment(5))),
            CallbackData::Admin(AdminAction::Ask(AdminOp::ResendInvite(5))),
            CallbackData::Admin(AdminAction::Ask(AdminOp::PauseChannel(5))),
            CallbackData::Admin(AdminAction::Ask(AdminOp::ResumeChannel(5))),
            CallbackData::Admin(AdminAction::Ask(AdminOp::LiftBroadcastLimit(5))),
            CallbackData::Admin(AdminAction::Confirm {
                admin: (1 << 52) - 1,
                op: AdminOp::LiftBroadcastLimit(i64::MIN),
            }),
            CallbackData::Admin(AdminAction::Stats(StatsPeriod::Today)),
            CallbackData::Admin(AdminAction::Stats(StatsPeriod::Week)),
            CallbackData::Admin(AdminAction::Stats(StatsPeriod::Month)),
        ];
        for c in all {
            let s = c.encode();
            assert!(s.len() <= MAX_CALLBACK_BYTES);
            assert_eq!(CallbackData::parse(&s), Some(c.clone()));
        }
    }

    #[test]
    fn refuses_tampered_data() {
        for bad in [
            "",
            "lang:xx",
            "lang",
            "m:admin",
            "x:y",
            &"a".repeat(65),
            "buy:0",
            "buy:-5",
            "buy:007",
            "buy:+7",
            "buy:7:price=1",
            "buy:99999999999999999999",
            "trial:0",
            "trial:-5",
            "trial:007",
            "trial:7:days=30",
            "trial:",
            "trial",
            "promo:0",
            "promo:1:2",
            "pbuy:1",
            "pbuy:1:0",
            "pbuy:1:2:3",
            "pbuy:01:2",
            "pbuy:1:-2",
            "o:promos:0",
            "o:promooff:1:1",
            "o:trials:0",
            "o:trial:1:30",
            "o:trial:-1",
            "o:grace:0",
            "o:grace:1:72",
            "o:grace",
            "o:ch:0",
            "o:chart:5",
            "o:chart:5:7",
            "o:chart:5:030",
            "o:chart:0:30",
            "o:chart:-5:30",
            "o:chart:5:30:x",
            "o:chart::30",
            "o:ch:-3",
            "o:ch:1:2",
            "o:pause:5:2",
            "o:cur:usdt:bsc",
            "o:cur:USDT:BSC:x",
            "o:cur:USDT",
            "o:add:1",
            "o:reg:0",
            "o:reg:-01",
            "o:curp:256",
            "o:price:9.99",
            "o:wallet:0xabc",
            "a:retry:1",
            "a:pause",
            "a:?:rj:01",
            "a:?:rj:",
            "a:?:pp:1",
            "a:?:as:1",
            "a:?:as:1:2:3",
            "a:?:ds:1:spam",
            "a:!:rj:5",
            "a:!:x:rj:5",
            "a:log:0",
            "a:log:01",
            "a:po:x:0",
            "a:po:p",
            "a:po:p:-1",
            "a:or:10000",
            "a:root",
            "a:stats",
            "a:stats:365d",
            "a:stats:7d:x",
            "a:?:bl:",
            "a:?:bl:1:2",
            "a:?:bl:01",
            "bo:5",
            "bo:5:2",
            "bo:0:1",
            "bo:-5:1",
            "bo:5:1:x",
            "o:bc:0",
            "o:bcs:01",
            "o:bcs:1:2",
            "o:bcx:",
        ] {
            assert_eq!(CallbackData::parse(bad), None, "{bad}");
        }
    }
}
