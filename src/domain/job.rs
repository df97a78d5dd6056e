//! Every job the queue carries, as one typed enum: producers build a variant, handlers match
//! theirs, and the compiler keeps the two sides agreeing on the fields (lesson 47).
//!
//! On the wire (the `jobs` table) a job is its kind in the `kind` column and its fields as a
//! JSON object in `payload`: the serde tag and content below are exactly those two, so rows
//! written before this enum existed decode unchanged, and the kind names stay the constants of
//! [`super::job_kinds`] (a unit test holds each variant to its constant and its stored JSON).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::job_kinds;
use super::money::UsdMicros;
use super::notice::Notice;
use super::payment_status::PaymentStatus;
use super::time::UnixMillis;

/// A job and what it needs to run. Ids travel whole as integers (lessons 34 and 40).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Job {
    /// Give the subscriber of a paid grant their way in, and tell them.
    GrantAccess {
        subscription_id: i64,
        payment_id: i64,
        invoice_id: i64,
    },
    /// Give the subscriber of a free trial their way in, and tell them (the same work as
    /// [`Job::GrantAccess`]; a trial has no payment or invoice).
    GrantTrialAccess { subscription_id: i64, trial_id: i64 },
    /// An operator's resend: a fresh invite (older links revoked) for an active subscription.
    ResendInvite { subscription_id: i64 },
    /// Edit the subscriber's invoice message to show a payment status.
    PaymentProgress {
        invoice_id: i64,
        payment_id: i64,
        /// Stored as its NOWPayments wire name (`waiting`, `partially_paid`, …); one we do
        /// not know yet reads back as [`PaymentStatus::Unknown`].
        status: PaymentStatus,
    },
    /// Open an invoice for what an underpayment left missing.
    TopupInvoice {
        invoice_id: i64,
        payment_id: i64,
        missing_usd_micros: UsdMicros,
    },
    /// Tell a channel's owner something.
    NotifyOwner { channel_id: i64, notice: Notice },
    /// Remove a member whose subscription ran out at `expires_at`.
    ExpireSubscription {
        subscription_id: i64,
        expires_at: UnixMillis,
    },
    /// Remove a member whose grace after the end `expires_at` ran out (issue 15).
    EndGrace {
        subscription_id: i64,
        expires_at: UnixMillis,
    },
    /// Remind a subscriber that the subscription ends at `expires_at` (stale once renewed).
    RemindSubscription {
        subscription_id: i64,
        expires_at: UnixMillis,
    },
    /// Poll NOWPayments for a quiet payment (its id there is text).
    ReconcilePayment { np_payment_id: String },
    /// Value a granted payment and place the owner's share.
    ValuePayment { payment_id: i64 },
    /// Move a payout one step on.
    PayoutStep { payout_id: i64 },
    /// Move a conversion one step on.
    ConversionStep { conversion_id: i64 },
    /// Set the command menu of a user's private chat to what they may use now (owner,
    /// operator, or back to everyone's).
    CommandMenu { user_id: i64 },
    /// Deliver the next batch of a confirmed broadcast (issue 15); queues itself again until
    /// every recipient is done, then reports to the owner.
    Broadcast { broadcast_id: i64 },
}

/// The ids a job names (see [`Job::ids`]); None where its kind has none of that sort.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobIds {
    pub invoice_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub payout_id: Option<i64>,
    pub subscription_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub conversion_id: Option<i64>,
    pub user_id: Option<i64>,
}

/// A job that cannot be written or read back.
#[derive(Debug, thiserror::Error)]
#[error("bad payload: {0}")]
pub struct JobPayloadError(serde_json::Error);

impl From<serde_json::Error> for JobPayloadError {
    fn from(e: serde_json::Error) -> Self {
        JobPayloadError(e)
    }
}

impl Job {
    /// The kind stored in the `kind` column, by which the runner finds the handler.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::GrantAccess { .. } => job_kinds::GRANT_ACCESS,
            Job::GrantTrialAccess { .. } => job_kinds::GRANT_TRIAL_ACCESS,
            Job::ResendInvite { .. } => job_kinds::RESEND_INVITE,
            Job::PaymentProgress { .. } => job_kinds::PAYMENT_PROGRESS,
            Job::TopupInvoice { .. } => job_kinds::TOPUP_INVOICE,
            Job::NotifyOwner { .. } => job_kinds::NOTIFY_OWNER,
            Job::ExpireSubscription { .. } => job_kinds::EXPIRE_SUBSCRIPTION,
            Job::EndGrace { .. } => job_kinds::END_GRACE,
            Job::RemindSubscription { .. } => job_kinds::REMIND_SUBSCRIPTION,
            Job::ReconcilePayment { .. } => job_kinds::RECONCILE_PAYMENT,
            Job::ValuePayment { .. } => job_kinds::VALUE_PAYMENT,
            Job::PayoutStep { .. } => job_kinds::PAYOUT_STEP,
            Job::ConversionStep { .. } => job_kinds::CONVERSION_STEP,
            Job::CommandMenu { .. } => job_kinds::COMMAND_MENU,
            Job::Broadcast { .. } => job_kinds::BROADCAST,
        }
    }

    /// The ids of what the job is about, for the fields of its log lines.
    pub fn ids(&self) -> JobIds {
        let mut ids = JobIds::default();
        match self {
            Job::GrantAccess {
                subscription_id,
                payment_id,
                invoice_id,
            } => {
                ids.subscription_id = Some(*subscription_id);
                ids.payment_id = Some(*payment_id);
                ids.invoice_id = Some(*invoice_id);
            }
            Job::GrantTrialAccess {
                subscription_id, ..
            }
            | Job::ResendInvite { subscription_id } => ids.subscription_id = Some(*subscription_id),
            Job::PaymentProgress {
                invoice_id,
                payment_id,
                ..
            }
            | Job::TopupInvoice {
                invoice_id,
                payment_id,
                ..
            } => {
                ids.invoice_id = Some(*invoice_id);
                ids.payment_id = Some(*payment_id);
            }
            Job::NotifyOwner { channel_id, .. } => ids.channel_id = Some(*channel_id),
            Job::ExpireSubscription {
                subscription_id, ..
            }
            | Job::EndGrace {
                subscription_id, ..
            }
            | Job::RemindSubscription {
                subscription_id, ..
            } => ids.subscription_id = Some(*subscription_id),
            Job::ReconcilePayment { .. } => {}
            Job::ValuePayment { payment_id } => ids.payment_id = Some(*payment_id),
            Job::PayoutStep { payout_id } => ids.payout_id = Some(*payout_id),
            Job::ConversionStep { conversion_id } => ids.conversion_id = Some(*conversion_id),
            Job::CommandMenu { user_id } => ids.user_id = Some(*user_id),
            Job::Broadcast { .. } => {}
        }
        ids
    }

    /// The payload as stored: the variant's fields as one JSON object. It goes through
    /// [`Value`], whose objects keep their keys sorted, so the text is the same as the `json!`
    /// objects written before this enum.
    pub fn payload(&self) -> Result<Value, JobPayloadError> {
        let mut tagged = serde_json::to_value(self)?;
        Ok(tagged
            .get_mut("payload")
            .map(Value::take)
            .unwrap_or(Value::Null))
    }

    /// The payload text for the `payload` column.
    pub fn payload_text(&self) -> Result<String, JobPayloadError> {
        Ok(serde_json::to_string(&self.payload()?)?)
    }

    /// Reads a stored job back from its `kind` column and its parsed `payload`. An unknown
    /// kind, a missing field or a field of the wrong type is an error, never a guess.
    pub fn from_stored(kind: &str, payload: &Value) -> Result<Job, JobPayloadError> {
        let mut tagged = serde_json::Map::with_capacity(2);
        tagged.insert("kind".to_owned(), Value::String(kind.to_owned()));
        tagged.insert("payload".to_owned(), payload.clone());
        Ok(serde_json::from_value(Value::Object(tagged))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored (kind, payload text) → the job it decodes to. The texts are those the `json!`
    /// producers wrote before the enum existed: existing rows must keep decoding.
    fn stored_rows() -> Vec<(&'static str, &'static str, Job)> {
        vec![
            (
                "grant_access",
                r#"{"invoice_id":3,"payment_id":2,"subscription_id":1}"#,
                Job::GrantAccess {
                    subscription_id: 1,
                    payment_id: 2,
                    invoice_id: 3,
                },
            ),
            (
                "payment_progress",
                r#"{"invoice_id":3,"payment_id":2,"status":"partially_paid"}"#,
                Job::PaymentProgress {
                    invoice_id: 3,
                    payment_id: 2,
                    status: PaymentStatus::PartiallyPaid,
                },
            ),
            (
                "payment_progress",
                r#"{"invoice_id":3,"payment_id":2,"status":"cancelled"}"#,
                Job::PaymentProgress {
                    invoice_id: 3,
                    payment_id: 2,
                    status: PaymentStatus::Unknown("cancelled".into()),
                },
            ),
            (
                "topup_invoice",
                r#"{"invoice_id":3,"missing_usd_micros":1250000,"payment_id":2}"#,
                Job::TopupInvoice {
                    invoice_id: 3,
                    payment_id: 2,
                    missing_usd_micros: UsdMicros::from_micros(1_250_000),
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":-1001234567890,"notice":{"amount":"0.000000000000000001","currency":"ETH","kind":"payout_sent","network":"ETH","tx_hash":"0xabc"}}"#,
                Job::NotifyOwner {
                    channel_id: -1_001_234_567_890,
                    notice: Notice::PayoutSent {
                        amount: "0.000000000000000001".into(),
                        currency: "ETH".into(),
                        network: "ETH".into(),
                        tx_hash: "0xabc".into(),
                    },
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"kind":"rights_restored"}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::RightsRestored,
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"kind":"payout_deferred","minimum_usd_micros":null,"owner_usd_micros":5}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::PayoutDeferred {
                        owner_usd_micros: UsdMicros::from_micros(5),
                        minimum_usd_micros: None,
                    },
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"days":30,"kind":"new_payment","usd_micros":9990000}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::NewPayment {
                        usd_micros: UsdMicros::from_micros(9_990_000),
                        days: 30,
                    },
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"kind":"donation","usd_micros":1000000}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::Donation {
                        usd_micros: UsdMicros::from_micros(1_000_000),
                    },
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"kind":"threshold_crossed","pending_usd_micros":50000000,"threshold_usd_micros":45000000}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::ThresholdCrossed {
                        pending_usd_micros: UsdMicros::from_micros(50_000_000),
                        threshold_usd_micros: UsdMicros::from_micros(45_000_000),
                    },
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"kind":"payout_failed","retrying":false,"usd_micros":12}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::PayoutFailed {
                        usd_micros: UsdMicros::from_micros(12),
                        retrying: false,
                    },
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"kind":"payout_deferred","minimum_usd_micros":20000000,"owner_usd_micros":5}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::PayoutDeferred {
                        owner_usd_micros: UsdMicros::from_micros(5),
                        minimum_usd_micros: Some(UsdMicros::from_micros(20_000_000)),
                    },
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"kind":"rights_lost"}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::RightsLost,
                },
            ),
            (
                "notify_owner",
                r#"{"channel_id":7,"notice":{"address":"0x52908400098527886E0F7030069857D2E4169EE7","currency":"USDT","kind":"wallet_changed","network":"BSC"}}"#,
                Job::NotifyOwner {
                    channel_id: 7,
                    notice: Notice::WalletChanged {
                        currency: "USDT".into(),
                        network: "BSC".into(),
                        address: "0x52908400098527886E0F7030069857D2E4169EE7".into(),
                    },
                },
            ),
            (
                "expire_subscription",
                r#"{"expires_at":1767225600000,"subscription_id":9}"#,
                Job::ExpireSubscription {
                    subscription_id: 9,
                    expires_at: UnixMillis::from_millis(1_767_225_600_000),
                },
            ),
            (
                "end_grace",
                r#"{"expires_at":1767225600000,"subscription_id":9}"#,
                Job::EndGrace {
                    subscription_id: 9,
                    expires_at: UnixMillis::from_millis(1_767_225_600_000),
                },
            ),
            (
                "remind_subscription",
                r#"{"expires_at":1767225600000,"subscription_id":9}"#,
                Job::RemindSubscription {
                    subscription_id: 9,
                    expires_at: UnixMillis::from_millis(1_767_225_600_000),
                },
            ),
            (
                "reconcile_payment",
                r#"{"np_payment_id":"5524759814"}"#,
                Job::ReconcilePayment {
                    np_payment_id: "5524759814".into(),
                },
            ),
            (
                "value_payment",
                r#"{"payment_id":2}"#,
                Job::ValuePayment { payment_id: 2 },
            ),
            (
                "payout_step",
                r#"{"payout_id":9223372036854775807}"#,
                Job::PayoutStep {
                    payout_id: i64::MAX,
                },
            ),
            (
                "conversion_step",
                r#"{"conversion_id":-1}"#,
                Job::ConversionStep { conversion_id: -1 },
            ),
            (
                "grant_trial_access",
                r#"{"subscription_id":1,"trial_id":-7}"#,
                Job::GrantTrialAccess {
                    subscription_id: 1,
                    trial_id: -7,
                },
            ),
            (
                "resend_invite",
                r#"{"subscription_id":5}"#,
                Job::ResendInvite { subscription_id: 5 },
            ),
            (
                "command_menu",
                r#"{"user_id":900001}"#,
                Job::CommandMenu { user_id: 900_001 },
            ),
            (
                "broadcast",
                r#"{"broadcast_id":-42}"#,
                Job::Broadcast { broadcast_id: -42 },
            ),
        ]
    }

    #[test]
    fn todays_rows_decode_and_encode_to_the_same_text() {
        for (kind, text, job) in stored_rows() {
            let payload: Value = serde_json::from_str(text).unwrap();
            let decoded = Job::from_stored(kind, &payload).unwrap();
            assert_eq!(decoded, job, "{kind} {text}");
            assert_eq!(job.kind(), kind);
            assert_eq!(job.payload_text().unwrap(), text, "{kind}");
        }
    }

    #[test]
    fn every_variant_is_covered_and_its_tag_is_its_kind() {
        let rows = stored_rows();
        let mut kinds: Vec<&str> = rows.iter().map(|(k, _, _)| *k).collect();
        kinds.sort_unstable();
        kinds.dedup();
        // One row at least per variant: a new variant must come with its stored form.
        assert_eq!(kinds.len(), 15);
        for (_, _, job) in rows {
            let tagged = serde_json::to_value(&job).unwrap();
            assert_eq!(tagged["kind"], job.kind());
        }
    }

    /// Lessons 34 and 40: ids travel whole in job payloads (no truncated tokens, no field
    /// order to get wrong), and an id as text is refused rather than read.
    #[test]
    fn lesson_34_40_job_payloads_keep_full_ids() {
        for id in [i64::MIN, -1, 0, 1, i64::MAX] {
            let job = Job::PayoutStep { payout_id: id };
            let back = Job::from_stored(job.kind(), &job.payload().unwrap()).unwrap();
            assert_eq!(back, job);
        }
        let text_id = serde_json::json!({ "payout_id": "12" });
        assert!(Job::from_stored(job_kinds::PAYOUT_STEP, &text_id).is_err());
    }

    #[test]
    fn bad_payloads_and_unknown_kinds_are_errors() {
        let cases = [
            (job_kinds::GRANT_ACCESS, serde_json::json!({})),
            (
                job_kinds::VALUE_PAYMENT,
                serde_json::json!({ "payment_id": 1.5 }),
            ),
            (
                job_kinds::TOPUP_INVOICE,
                serde_json::json!({ "invoice_id": 1, "payment_id": 2, "missing_usd_micros": "5" }),
            ),
            (
                job_kinds::NOTIFY_OWNER,
                serde_json::json!({ "channel_id": 1, "notice": { "kind": "nope" } }),
            ),
            (job_kinds::PAYOUT_STEP, serde_json::json!(null)),
            ("mystery", serde_json::json!({ "payout_id": 1 })),
        ];
        for (kind, payload) in cases {
            let err = Job::from_stored(kind, &payload).unwrap_err();
            assert!(err.to_string().starts_with("bad payload: "), "{err}");
        }
    }

    /// Fields a handler never reads may be added later without breaking older readers.
    #[test]
    fn unknown_fields_are_ignored() {
        let payload = serde_json::json!({ "payment_id": 2, "note": "later field" });
        assert_eq!(
            Job::from_stored(job_kinds::VALUE_PAYMENT, &payload).unwrap(),
            Job::ValuePayment { payment_id: 2 }
        );
    }
}
