-- A payment whose IPN disagreed with our invoice (price, currency, NOWPayments invoice id) or
-- carried amounts that cannot be true is held for review: it never grants, tops up or pays out
-- until an admin decides. Sticky: later IPNs for the same payment are recorded but move nothing.
ALTER TABLE payments ADD COLUMN held_reason TEXT;
ALTER TABLE payments ADD COLUMN held_at BIGINT;
