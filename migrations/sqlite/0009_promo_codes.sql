-- Promo codes (issue 15): an owner's discount codes per channel, percent (1-99) or a fixed
-- amount off, optionally for one tier, with an optional use limit and expiry. `code_key` is the
-- code in lower case: unique per channel, so codes are case-insensitive.
--
-- A use is reserved when the discounted invoice is created, in the checkout's transaction:
-- a `promo_redemptions` row (UNIQUE per code and user: one use per user) and `uses + 1` under
-- the limit (a CHECK keeps `uses <= max_uses` even if a bug tried otherwise). A reservation
-- whose invoice lapsed unpaid (expired/cancelled, no payment) is released again.
CREATE TABLE promo_codes (
    id BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    code TEXT NOT NULL,
    code_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('percent', 'amount')),
    percent_off BIGINT CHECK (percent_off BETWEEN 1 AND 99),
    amount_off_usd_micros BIGINT CHECK (amount_off_usd_micros > 0),
    tier_id BIGINT REFERENCES tiers(id),
    max_uses BIGINT CHECK (max_uses >= 1),
    uses BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    expires_at BIGINT,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL,
    CHECK ((kind = 'percent' AND percent_off IS NOT NULL AND amount_off_usd_micros IS NULL)
        OR (kind = 'amount' AND amount_off_usd_micros IS NOT NULL AND percent_off IS NULL)),
    UNIQUE (channel_id, code_key)
);

ALTER TABLE invoices ADD COLUMN promo_code_id BIGINT REFERENCES promo_codes(id);
CREATE INDEX invoices_promo ON invoices (promo_code_id);

CREATE TABLE promo_redemptions (
    id BIGINT PRIMARY KEY,
    code_id BIGINT NOT NULL REFERENCES promo_codes(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    created_at BIGINT NOT NULL,
    UNIQUE (code_id, user_id)
);
CREATE INDEX promo_redemptions_invoice ON promo_redemptions (invoice_id);
