-- One checkout at a time per user and tier: at most one subscription invoice being created or
-- open for the same (user, tier), so two presses of a plan button reaching two replicas at once
-- cannot open two invoices at NOWPayments (the second insert conflicts and waits for the first).
--
-- Rows written before this rule may break it: all but the newest are closed first (a row still
-- being created is cancelled, an open one expired; a payment made to it still grants).
UPDATE invoices SET status = CASE WHEN status = 'creating' THEN 'cancelled' ELSE 'expired' END
WHERE kind = 'subscription' AND status IN ('creating', 'open') AND EXISTS (
    SELECT 1 FROM invoices newer
    WHERE newer.user_id = invoices.user_id AND newer.tier_id = invoices.tier_id
      AND newer.kind = 'subscription' AND newer.status IN ('creating', 'open')
      AND (newer.created_at > invoices.created_at
           OR (newer.created_at = invoices.created_at AND newer.id > invoices.id))
);

CREATE UNIQUE INDEX invoices_one_checkout ON invoices (user_id, tier_id)
    WHERE kind = 'subscription' AND status IN ('creating', 'open');
