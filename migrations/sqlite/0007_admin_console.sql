-- The operator console (issue 14): more admin actions in the audit log, the outcome of an
-- operator's review of an orphan or held payment, and an operator's stop on one channel's sales
-- (apart from the owner's own pause, so the owner cannot lift it).
-- SQLite cannot change a CHECK, and nothing references admin_actions, so it is rebuilt.
CREATE TABLE admin_actions_new (
    id BIGINT PRIMARY KEY,
    admin_id BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert', 'retry_payout', 'cancel_payout', 'assign_payment', 'dismiss_payment', 'release_payment', 'resend_invite', 'pause_channel_sales', 'resume_channel_sales')),
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT,
    created_at BIGINT NOT NULL
);
INSERT INTO admin_actions_new (id, admin_id, action, subject, before, after, created_at)
    SELECT id, admin_id, action, subject, before, after, created_at FROM admin_actions;
DROP TABLE admin_actions;
ALTER TABLE admin_actions_new RENAME TO admin_actions;
CREATE INDEX admin_actions_created_at ON admin_actions (created_at);

-- NULL while the payment waits for review (or never needed one); the review's words are an enum
-- in the code (src/domain/states.rs, PaymentReview). review_reason is the dismissal's reason.
ALTER TABLE payments ADD COLUMN review TEXT
    CHECK (review IS NULL OR review IN ('assigned', 'released', 'dismissed'));
ALTER TABLE payments ADD COLUMN review_reason TEXT;
ALTER TABLE payments ADD COLUMN reviewed_by BIGINT;

-- 1 while an operator has stopped this channel's sales.
ALTER TABLE channels ADD COLUMN admin_paused BIGINT NOT NULL DEFAULT 0;
