-- Payout and conversion states are enums in the code (src/domain/states.rs); the database
-- refuses any other word, as it already does for invoices, subscriptions and accumulations.
ALTER TABLE payouts ADD CONSTRAINT payouts_state_check
    CHECK (state IN ('pending', 'exchange', 'sending', 'funded', 'sent', 'failed', 'cancelled'));
ALTER TABLE conversions ADD CONSTRAINT conversions_state_check
    CHECK (state IN ('pending', 'exchange', 'sending', 'funded', 'finished', 'failed', 'cancelled'));
