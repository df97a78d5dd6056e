//! The lifecycle states of payouts, conversions, invoices, subscriptions and accumulations.
//!
//! Each is stored as text (the exact words below) and guarded by a CHECK constraint (or, on
//! SQLite tables that predate it, a trigger) listing the same words, so neither the code nor the
//! database can hold a state the other does not know. Reading a word not listed here is an
//! [`UnknownState`], which the store reports as a corrupt row: it never silently becomes a
//! default state.

use std::fmt;

/// A stored state word that the enum named by `kind` does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownState {
    pub kind: &'static str,
    pub value: String,
}

/// Declares a state enum with its stored words; `as_str`, `parse`, `ALL` and `Display` follow.
macro_rules! stored_states {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every state, in lifecycle order; the CHECK constraint lists the same words.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The word stored in the database.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// The state a stored word names; an unknown word is an error, never a default.
            pub fn parse(s: &str) -> Result<Self, UnknownState> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err(UnknownState {
                        kind: $kind,
                        value: other.to_owned(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownState;
            fn from_str(s: &str) -> Result<Self, UnknownState> {
                Self::parse(s)
            }
        }
    };
}

stored_states! {
    /// Money sent to an owner (`payouts.state`). A direct payout goes `pending` → `sending` →
    /// `sent`; one through ChangeNOW goes `pending` → `exchange` → `sending` → `funded` → `sent`.
    PayoutState, "payout state" {
        Pending => "pending",
        /// A ChangeNOW exchange exists and waits for our deposit.
        Exchange => "exchange",
        /// A wallet transaction is signed and stored; waiting for it to be mined.
        Sending => "sending",
        /// Our deposit to the exchange was mined; waiting for the exchange to pay the owner.
        Funded => "funded",
        Sent => "sent",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

impl PayoutState {
    /// Nothing more will happen to a payout in this state.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Sent | Self::Failed | Self::Cancelled)
    }
}

stored_states! {
    /// A swap of volatile owner funds into USDT on the host wallet (`conversions.state`):
    /// `pending` → `exchange` → `sending` → `funded` → `finished`.
    ConversionState, "conversion state" {
        Pending => "pending",
        Exchange => "exchange",
        Sending => "sending",
        Funded => "funded",
        Finished => "finished",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

impl ConversionState {
    /// Nothing more will happen to a conversion in this state.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Finished | Self::Failed | Self::Cancelled)
    }
}

stored_states! {
    /// What we asked NOWPayments to create (`invoices.status`).
    InvoiceStatus, "invoice status" {
        /// Our row exists; the NOWPayments invoice is being created.
        Creating => "creating",
        Open => "open",
        PartiallyPaid => "partially_paid",
        Paid => "paid",
        Expired => "expired",
        Failed => "failed",
        Refunded => "refunded",
        Cancelled => "cancelled",
    }
}

stored_states! {
    /// One user's access to one channel (`subscriptions.status`).
    SubscriptionStatus, "subscription status" {
        Active => "active",
        Expired => "expired",
        Revoked => "revoked",
    }
}

stored_states! {
    /// An owner share waiting to be paid out (`accumulations.state`).
    AccumulationState, "accumulation state" {
        Pending => "pending",
        Converting => "converting",
        Converted => "converted",
        InPayout => "in_payout",
        Paid => "paid",
    }
}

stored_states! {
    /// What an operator changed (`admin_actions.action`, the admin audit log). Not a lifecycle,
    /// but stored and checked the same way: the CHECK in migration 0005 lists these words.
    AdminLogAction, "admin action" {
        /// The kill switch turned on: all outgoing money stops.
        PausePayouts => "pause_payouts",
        /// The kill switch turned off.
        ResumePayouts => "resume_payouts",
        /// A failed job queued again with a fresh retry budget.
        RetryJob => "retry_job",
        /// An open alert marked as handled.
        ResolveAlert => "resolve_alert",
        /// A failed payout tried again.
        RetryPayout => "retry_payout",
        /// A payout cancelled before anything was sent; its share went back.
        CancelPayout => "cancel_payout",
        /// An orphan payment attached to one of our invoices.
        AssignPayment => "assign_payment",
        /// A payment waiting for review closed without granting anything.
        DismissPayment => "dismiss_payment",
        /// A held payment let through.
        ReleasePayment => "release_payment",
        /// A fresh invite sent to a subscriber.
        ResendInvite => "resend_invite",
        /// One channel's sales stopped by an operator.
        PauseChannelSales => "pause_channel_sales",
        ResumeChannelSales => "resume_channel_sales",
        /// A channel's one-broadcast-a-day limit lifted (issue 15, migration 0011).
        LiftBroadcastLimit => "lift_broadcast_limit",
        /// A Telegram Stars payment refunded: access revoked, unpaid share taken back.
        RefundStars => "refund_stars",
    }
}

stored_states! {
    /// What an operator decided about an orphan or held payment (`payments.review`); NULL
    /// while it waits.
    PaymentReview, "payment review" {
        /// Attached to one of our invoices and processed as its payment.
        Assigned => "assigned",
        /// A held payment let through.
        Released => "released",
        /// Closed without granting anything (`payments.review_reason` says why).
        Dismissed => "dismissed",
    }
}

stored_states! {
    /// A channel owner's broadcast (`broadcasts.state`, issue 15): `draft` (composed, not
    /// confirmed) → `sending` (recipients written, the job delivering) → `done`; or `cancelled`.
    BroadcastState, "broadcast state" {
        Draft => "draft",
        Sending => "sending",
        Done => "done",
        Cancelled => "cancelled",
    }
}

stored_states! {
    /// One recipient of a broadcast (`broadcast_deliveries.state`): `pending` → `sending`
    /// (claimed, committed before the send) → `sent` / `blocked` / `failed`. A row left
    /// `sending` by a run that died becomes `unknown`: it may or may not have arrived, and it is
    /// never sent again.
    DeliveryState, "delivery state" {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
        Blocked => "blocked",
        Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CHECK lists of migrations 0001 and 0004 (both backends), as the SQL spells them.
    const PAYOUT_CHECK: &str =
        "'pending', 'exchange', 'sending', 'funded', 'sent', 'failed', 'cancelled'";
    const CONVERSION_CHECK: &str =
        "'pending', 'exchange', 'sending', 'funded', 'finished', 'failed', 'cancelled'";
    const INVOICE_CHECK: &str = "'creating', 'open', 'partially_paid', 'paid', 'expired', 'failed', 'refunded', 'cancelled'";
    const SUBSCRIPTION_CHECK: &str = "'active', 'expired', 'revoked'";
    const ACCUMULATION_CHECK: &str = "'pending', 'converting', 'converted', 'in_payout', 'paid'";
    /// Migration 0007's list; 0011 (broadcasts) replaced it.
    const ADMIN_ACTION_CHECK_0007: &str = "'pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert', 'retry_payout', 'cancel_payout', 'assign_payment', 'dismiss_payment', 'release_payment', 'resend_invite', 'pause_channel_sales', 'resume_channel_sales'";
    /// Migration 0005's list; 0007 replaced it.
    const ADMIN_ACTION_CHECK_0005: &str =
        "'pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert'";
    /// Migration 0011's list (0007's and the broadcast limit's lift); 0012 replaced it.
    const ADMIN_ACTION_CHECK_0011: &str = "'pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert', 'retry_payout', 'cancel_payout', 'assign_payment', 'dismiss_payment', 'release_payment', 'resend_invite', 'pause_channel_sales', 'resume_channel_sales', 'lift_broadcast_limit'";
    const ADMIN_ACTION_CHECK: &str = "'pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert', 'retry_payout', 'cancel_payout', 'assign_payment', 'dismiss_payment', 'release_payment', 'resend_invite', 'pause_channel_sales', 'resume_channel_sales', 'lift_broadcast_limit', 'refund_stars'";
    const PAYMENT_REVIEW_CHECK: &str = "'assigned', 'released', 'dismissed'";

    fn check_list(words: impl Iterator<Item = &'static str>) -> String {
        words
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    macro_rules! round_trips {
        ($ty:ty) => {
            for s in <$ty>::ALL {
                assert_eq!(<$ty>::parse(s.as_str()), Ok(*s));
                assert_eq!(s.to_string(), s.as_str());
                assert_eq!(s.as_str().parse::<$ty>(), Ok(*s));
            }
        };
    }

    #[test]
    fn every_state_round_trips() {
        round_trips!(PayoutState);
        round_trips!(ConversionState);
        round_trips!(InvoiceStatus);
        round_trips!(SubscriptionStatus);
        round_trips!(AccumulationState);
        round_trips!(AdminLogAction);
        round_trips!(PaymentReview);
    }

    #[test]
    fn the_sets_equal_the_check_lists() {
        assert_eq!(
            check_list(PayoutState::ALL.iter().map(|s| s.as_str())),
            PAYOUT_CHECK
        );
        assert_eq!(
            check_list(ConversionState::ALL.iter().map(|s| s.as_str())),
            CONVERSION_CHECK
        );
        assert_eq!(
            check_list(InvoiceStatus::ALL.iter().map(|s| s.as_str())),
            INVOICE_CHECK
        );
        assert_eq!(
            check_list(SubscriptionStatus::ALL.iter().map(|s| s.as_str())),
            SUBSCRIPTION_CHECK
        );
        assert_eq!(
            check_list(AccumulationState::ALL.iter().map(|s| s.as_str())),
            ACCUMULATION_CHECK
        );
        assert_eq!(
            check_list(AdminLogAction::ALL.iter().map(|s| s.as_str())),
            ADMIN_ACTION_CHECK
        );
    }

    /// Migration 0005 carried the first admin action list and 0007 the current one (with the
    /// payment review words), on both backends.
    #[test]
    fn the_admin_log_migrations_carry_the_check_lists() {
        for schema in [
            include_str!("../../migrations/sqlite/0005_admin_actions.sql"),
            include_str!("../../migrations/postgres/0005_admin_actions.sql"),
        ] {
            assert!(schema.contains(&format!("action IN ({ADMIN_ACTION_CHECK_0005})")));
        }
        assert_eq!(
            check_list(PaymentReview::ALL.iter().map(|s| s.as_str())),
            PAYMENT_REVIEW_CHECK
        );
        for schema in [
            include_str!("../../migrations/sqlite/0007_admin_console.sql"),
            include_str!("../../migrations/postgres/0007_admin_console.sql"),
        ] {
            assert!(schema.contains(&format!("action IN ({ADMIN_ACTION_CHECK_0007})")));
            assert!(schema.contains(&format!("review IN ({PAYMENT_REVIEW_CHECK})")));
        }
        for schema in [
            include_str!("../../migrations/sqlite/0012_telegram_stars.sql"),
            include_str!("../../migrations/postgres/0012_telegram_stars.sql"),
        ] {
            assert!(schema.contains(&format!("action IN ({ADMIN_ACTION_CHECK})")));
            assert!(schema.contains("method IN ('nowpayments', 'stars')"));
        }
    }

    /// The migrations themselves carry the same lists, so a state added on one side only fails.
    #[test]
    fn the_migrations_carry_the_check_lists() {
        let sqlite = [
            include_str!("../../migrations/sqlite/0001_schema.sql"),
            include_str!("../../migrations/sqlite/0004_state_checks.sql"),
        ]
        .concat();
        let postgres = [
            include_str!("../../migrations/postgres/0001_schema.sql"),
            include_str!("../../migrations/postgres/0004_state_checks.sql"),
        ]
        .concat();
        for schema in [&sqlite, &postgres] {
            assert!(schema.contains(&format!("status IN ({INVOICE_CHECK})")));
            assert!(schema.contains(&format!("status IN ({SUBSCRIPTION_CHECK})")));
            assert!(schema.contains(&format!("state IN ({ACCUMULATION_CHECK})")));
            assert!(schema.contains(&format!("state IN ({PAYOUT_CHECK})")));
            assert!(schema.contains(&format!("state IN ({CONVERSION_CHECK})")));
        }
    }

    #[test]
    fn an_unknown_word_is_an_error_not_a_default() {
        let e = PayoutState::parse("paid").unwrap_err();
        assert_eq!(e.kind, "payout state");
        assert_eq!(e.value, "paid");
        assert!(InvoiceStatus::parse("").is_err());
        assert!(SubscriptionStatus::parse("Active").is_err());
    }

    #[test]
    fn the_broadcast_migrations_carry_the_check_lists() {
        for sql in [
            include_str!("../../migrations/sqlite/0011_broadcasts.sql"),
            include_str!("../../migrations/postgres/0011_broadcasts.sql"),
        ] {
            for list in [
                check_list(BroadcastState::ALL.iter().map(|s| s.as_str())),
                check_list(DeliveryState::ALL.iter().map(|s| s.as_str())),
                format!("action IN ({ADMIN_ACTION_CHECK_0011})"),
            ] {
                assert!(sql.contains(&list), "{list}");
            }
        }
    }
}
