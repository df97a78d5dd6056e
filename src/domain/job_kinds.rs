//! Every job kind in one place, so producers and handlers cannot drift apart (lesson 47).

pub const GRANT_ACCESS: &str = "grant_access";
pub const GRANT_TRIAL_ACCESS: &str = "grant_trial_access";
pub const RESEND_INVITE: &str = "resend_invite";
pub const PAYMENT_PROGRESS: &str = "payment_progress";
pub const TOPUP_INVOICE: &str = "topup_invoice";
pub const NOTIFY_OWNER: &str = "notify_owner";
pub const EXPIRE_SUBSCRIPTION: &str = "expire_subscription";
pub const END_GRACE: &str = "end_grace";
pub const REMIND_SUBSCRIPTION: &str = "remind_subscription";
pub const RECONCILE_PAYMENT: &str = "reconcile_payment";
pub const VALUE_PAYMENT: &str = "value_payment";
pub const PAYOUT_STEP: &str = "payout_step";
pub const CONVERSION_STEP: &str = "conversion_step";
pub const COMMAND_MENU: &str = "command_menu";
pub const BROADCAST: &str = "broadcast";
