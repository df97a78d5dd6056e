-- The operator console (issue 14): more admin actions in the audit log, the outcome of an
-- operator's review of an orphan or held payment, and an operator's stop on one channel's sales
-- (apart from the owner's own pause, so the owner cannot lift it).
ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_action_check;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_action_check
    CHECK (action IN ('pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert', 'retry_payout', 'cancel_payout', 'assign_payment', 'dismiss_payment', 'release_payment', 'resend_invite', 'pause_channel_sales', 'resume_channel_sales'));

-- NULL while the payment waits for review (or never needed one); the review's words are an enum
-- in the code (src/domain/states.rs, PaymentReview). review_reason is the dismissal's reason.
ALTER TABLE payments ADD COLUMN review TEXT
    CHECK (review IS NULL OR review IN ('assigned', 'released', 'dismissed'));
ALTER TABLE payments ADD COLUMN review_reason TEXT;
ALTER TABLE payments ADD COLUMN reviewed_by BIGINT;

-- 1 while an operator has stopped this channel's sales.
ALTER TABLE channels ADD COLUMN admin_paused BIGINT NOT NULL DEFAULT 0;
