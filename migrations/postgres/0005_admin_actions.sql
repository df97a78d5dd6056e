-- The admin audit log: one row per change an operator made from the bot (who, what, on which
-- subject, the value before and after, when). A row is written in the same transaction as the
-- change it describes, and only when something changed. Changes the system makes by itself
-- (e.g. the automatic pause on insufficient funds) are not admin actions and write no row.
-- The action word is an enum in the code (src/domain/states.rs, AdminLogAction); the table is
-- new, so a plain CHECK works on both backends (0004 needed triggers on SQLite only because
-- SQLite cannot add a CHECK to an existing table).
CREATE TABLE admin_actions (
    id BIGINT PRIMARY KEY,
    admin_id BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('pause_payouts', 'resume_payouts', 'retry_job', 'resolve_alert')),
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX admin_actions_created_at ON admin_actions (created_at);
