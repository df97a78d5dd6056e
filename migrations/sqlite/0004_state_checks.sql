-- Payout and conversion states are enums in the code (src/domain/states.rs); the database
-- refuses any other word, as it already does for invoices, subscriptions and accumulations.
-- SQLite cannot add a CHECK to an existing table, and rebuilding tables that others reference
-- is not worth the risk, so triggers stand in for the constraint on insert and on update.
CREATE TRIGGER payouts_state_check_insert BEFORE INSERT ON payouts
WHEN NOT (NEW.state IN ('pending', 'exchange', 'sending', 'funded', 'sent', 'failed', 'cancelled'))
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: payouts.state is not a known payout state');
END;
CREATE TRIGGER payouts_state_check_update BEFORE UPDATE OF state ON payouts
WHEN NOT (NEW.state IN ('pending', 'exchange', 'sending', 'funded', 'sent', 'failed', 'cancelled'))
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: payouts.state is not a known payout state');
END;
CREATE TRIGGER conversions_state_check_insert BEFORE INSERT ON conversions
WHEN NOT (NEW.state IN ('pending', 'exchange', 'sending', 'funded', 'finished', 'failed', 'cancelled'))
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: conversions.state is not a known conversion state');
END;
CREATE TRIGGER conversions_state_check_update BEFORE UPDATE OF state ON conversions
WHEN NOT (NEW.state IN ('pending', 'exchange', 'sending', 'funded', 'finished', 'failed', 'cancelled'))
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: conversions.state is not a known conversion state');
END;
