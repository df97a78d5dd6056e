-- Broadcasts (issue 15): a channel owner's message to the channel's active subscribers, or to
-- those whose subscription ended in the last N days (win-back). The recipients are written in
-- the confirmation's transaction (one `broadcast_deliveries` row each), and the delivery job
-- works through those rows: `pending` → `sending` (claimed and committed BEFORE the send) →
-- `sent` / `blocked` / `failed`. A row found `sending` by a later run belongs to a run that
-- died mid-send: it becomes `unknown` and is never sent again (at most once per person).
-- A broadcast moves no money.
CREATE TABLE broadcasts (
    id BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    audience TEXT NOT NULL CHECK (audience IN ('active', 'lapsed')),
    lapsed_days BIGINT CHECK (lapsed_days BETWEEN 1 AND 90),
    body TEXT NOT NULL,
    photo_file_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('draft', 'sending', 'done', 'cancelled')),
    recipients BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    blocked BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    finished_at BIGINT,
    reported_at BIGINT,
    -- Set when an operator lifted the daily limit: this broadcast no longer counts toward it.
    limit_lifted_at BIGINT,
    CHECK ((audience = 'lapsed') = (lapsed_days IS NOT NULL))
);
CREATE INDEX broadcasts_channel ON broadcasts (channel_id, confirmed_at);

CREATE TABLE broadcast_deliveries (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    -- The subscriber's tier, for the renew button of a win-back message.
    tier_id BIGINT,
    state TEXT NOT NULL
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'unknown')),
    message_id BIGINT,
    error TEXT,
    claimed_at BIGINT,
    sent_at BIGINT,
    PRIMARY KEY (broadcast_id, user_id)
);
CREATE INDEX broadcast_deliveries_state ON broadcast_deliveries (broadcast_id, state);

-- Subscribers who turned a channel's broadcasts off.
CREATE TABLE broadcast_optouts (
    user_id BIGINT NOT NULL REFERENCES users(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, channel_id)
);

-- An operator may lift a channel's one-broadcast-a-day limit: one more admin action word.
ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_action_check;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_action_check
    CHECK (action IN ('pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert', 'retry_payout', 'cancel_payout', 'assign_payment', 'dismiss_payment', 'release_payment', 'resend_invite', 'pause_channel_sales', 'resume_channel_sales', 'lift_broadcast_limit'));
