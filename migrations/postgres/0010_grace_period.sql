-- Grace period (issue 15): an owner may give a channel a grace of 0 to 72 hours (0 = none).
-- When a paid subscription ends, the subscriber is told once and keeps access until the grace
-- ends; paying in the grace extends from the original end. The grace is stored on the
-- subscription at the moment it ends: `grace_from` is the end it follows (the subscription's
-- `expires_at` then) and `grace_until` its end, so changing the channel's setting later moves
-- no running grace. A grace is current only while `grace_from = expires_at`; a renewal moves
-- `expires_at` on and so leaves the old pair behind as history.
ALTER TABLE channels ADD COLUMN grace_hours BIGINT NOT NULL DEFAULT 0
    CHECK (grace_hours BETWEEN 0 AND 72);
ALTER TABLE subscriptions ADD COLUMN grace_from BIGINT;
ALTER TABLE subscriptions ADD COLUMN grace_until BIGINT;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_grace_pair
    CHECK (grace_until IS NULL OR (grace_from IS NOT NULL AND grace_until > grace_from
        AND grace_until - grace_from <= 259200000));
CREATE INDEX subscriptions_grace ON subscriptions (status, grace_until);
