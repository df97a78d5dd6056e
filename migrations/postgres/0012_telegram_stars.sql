-- Telegram Stars (issue 15): a tier may also be priced in Stars (NULL = not sold for Stars),
-- a Stars invoice records its Stars amount, and a Stars payment lives in `payments` like any
-- other (valuation, fee split, accumulations, payouts, statements and the audit unchanged),
-- marked by `method` and keyed by Telegram's charge id: UNIQUE, so a replayed
-- successful_payment grants nothing twice. np_payment_id of a Stars payment is 'stars:<charge id>'.
ALTER TABLE tiers ADD COLUMN price_stars BIGINT
    CHECK (price_stars IS NULL OR price_stars BETWEEN 1 AND 100000);
ALTER TABLE invoices ADD COLUMN stars BIGINT CHECK (stars IS NULL OR stars > 0);
ALTER TABLE payments ADD COLUMN method TEXT NOT NULL DEFAULT 'nowpayments'
    CHECK (method IN ('nowpayments', 'stars'));
ALTER TABLE payments ADD COLUMN stars BIGINT CHECK (stars IS NULL OR stars > 0);
ALTER TABLE payments ADD COLUMN telegram_payment_charge_id TEXT;
ALTER TABLE payments ADD COLUMN stars_user_id BIGINT;
CREATE UNIQUE INDEX payments_telegram_charge ON payments (telegram_payment_charge_id);

-- An operator's refund of a Stars payment is a new admin action word.
ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_action_check;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_action_check
    CHECK (action IN ('pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert', 'retry_payout', 'cancel_payout', 'assign_payment', 'dismiss_payment', 'release_payment', 'resend_invite', 'pause_channel_sales', 'resume_channel_sales', 'lift_broadcast_limit', 'refund_stars'));
