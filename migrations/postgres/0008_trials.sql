-- Free trials (issue 15): an owner may give a tier a trial of 1 to 30 days (0 = none), and a
-- user gets at most one trial per channel, ever. The UNIQUE key is that rule: two presses at
-- once (even on two replicas) cannot both start a trial. A trial moves no money: it only
-- starts or reactivates the subscription, which `subscription_id` names.
ALTER TABLE tiers ADD COLUMN trial_days BIGINT NOT NULL DEFAULT 0
    CHECK (trial_days BETWEEN 0 AND 30);

CREATE TABLE trials (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    tier_id BIGINT NOT NULL REFERENCES tiers(id),
    subscription_id BIGINT NOT NULL REFERENCES subscriptions(id),
    days BIGINT NOT NULL CHECK (days BETWEEN 1 AND 30),
    started_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL CHECK (ends_at > started_at),
    UNIQUE (user_id, channel_id)
);
CREATE INDEX trials_channel ON trials (channel_id);
