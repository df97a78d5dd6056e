-- TelePay schema: every table of the product (SPEC.md §2–§7).
-- SQLite: crypto amounts are TEXT with typeof checks so no affinity turns them into floats.
-- Portable types only (ARCHITECTURE.md "Storage"): BIGINT for ids, counts, flags (0/1),
-- unix-millisecond timestamps and USD/USDT amounts in integer micro-units (1 USD = 1_000_000);
-- TEXT for exact decimal crypto amounts, codes and JSON. No REAL, no DECIMAL/NUMERIC, no BOOLEAN
-- (sqlx's Any driver cannot decode SQLite booleans). Ids are generated in Rust.

-- Telegram users: subscribers and owners alike.
CREATE TABLE users (
    id BIGINT PRIMARY KEY,                       -- Telegram user id
    username TEXT,
    first_name TEXT NOT NULL DEFAULT '',
    language_code TEXT,                          -- as Telegram reports it
    language TEXT,                               -- chosen with /language; overrides language_code
    unreachable BIGINT NOT NULL DEFAULT 0,       -- 1 when the user blocked the bot
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Supported payout networks and currency/network pairs (seeded by 0002).
CREATE TABLE networks (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address_format TEXT NOT NULL,
    extra_id_name TEXT,
    cn_network TEXT NOT NULL,
    explorer_tx_url TEXT NOT NULL,
    explorer_address_url TEXT NOT NULL
);

CREATE TABLE payout_currencies (
    currency TEXT NOT NULL,
    network TEXT NOT NULL REFERENCES networks(code),
    display_name TEXT NOT NULL,
    cn_ticker TEXT NOT NULL,
    decimals BIGINT NOT NULL,
    is_usd_stable BIGINT NOT NULL,
    token_contract TEXT,
    enabled BIGINT NOT NULL,
    PRIMARY KEY (currency, network)
);

-- A private channel whose access is sold.
CREATE TABLE channels (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,                   -- short unguessable deep-link code
    owner_id BIGINT NOT NULL REFERENCES users(id),
    chat_id BIGINT NOT NULL,                     -- Telegram channel id (-100…)
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    access_mode TEXT NOT NULL DEFAULT 'join_request'
        CHECK (access_mode IN ('join_request', 'one_time_link')),
    sales_paused BIGINT NOT NULL DEFAULT 0,
    rights_lost_at BIGINT,                       -- set while the bot lacks the rights it needs
    notify_payments BIGINT NOT NULL DEFAULT 1,
    payout_currency TEXT NOT NULL,
    payout_network TEXT NOT NULL,
    payout_address TEXT NOT NULL,
    payout_extra_id TEXT,
    payout_strategy TEXT NOT NULL CHECK (payout_strategy IN ('instant', 'threshold')),
    threshold_usd_micros BIGINT,
    payment_tolerance TEXT,                      -- per-channel override of PAYMENT_TOLERANCE
    offer_chat_id BIGINT,
    offer_message_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    FOREIGN KEY (payout_currency, payout_network) REFERENCES payout_currencies(currency, network),
    CHECK (payout_strategy = 'instant' OR threshold_usd_micros IS NOT NULL)
);
CREATE UNIQUE INDEX channels_live_chat ON channels (chat_id) WHERE deleted_at IS NULL;
CREATE INDEX channels_owner ON channels (owner_id);

-- Subscription tiers; a removed tier keeps its row (removed_at) for history.
CREATE TABLE tiers (
    id BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    position BIGINT NOT NULL CHECK (position BETWEEN 1 AND 10),
    price_usd_micros BIGINT NOT NULL CHECK (price_usd_micros > 0),
    days BIGINT NOT NULL CHECK (days BETWEEN 1 AND 3650),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE UNIQUE INDEX tiers_live_position ON tiers (channel_id, position) WHERE removed_at IS NULL;

-- Subscriptions: one row per (user, channel); price and days are locked at first purchase.
CREATE TABLE subscriptions (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    tier_id BIGINT REFERENCES tiers(id),
    locked_price_usd_micros BIGINT NOT NULL,
    locked_days BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'expired', 'revoked')),
    started_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    removed_at BIGINT,                           -- when the expiry sweep removed the member
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (user_id, channel_id)
);
CREATE INDEX subscriptions_expiry ON subscriptions (status, expires_at);

-- What we asked NOWPayments to create. Our id is the NOWPayments order_id.
CREATE TABLE invoices (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('subscription', 'donation', 'topup')),
    user_id BIGINT NOT NULL REFERENCES users(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    tier_id BIGINT REFERENCES tiers(id),
    parent_invoice_id BIGINT REFERENCES invoices(id),   -- a top-up names the invoice it completes
    price_usd_micros BIGINT NOT NULL CHECK (price_usd_micros > 0),
    days BIGINT,
    status TEXT NOT NULL
        CHECK (status IN ('creating', 'open', 'partially_paid', 'paid', 'expired', 'failed', 'refunded', 'cancelled')),
    np_invoice_id TEXT UNIQUE,
    invoice_url TEXT,
    progress_message_id BIGINT,                  -- the message edited in place as statuses arrive
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX invoices_user ON invoices (user_id, created_at);

-- Payments as NOWPayments reports them; several may belong to one invoice.
CREATE TABLE payments (
    id BIGINT PRIMARY KEY,
    np_payment_id TEXT NOT NULL UNIQUE,
    invoice_id BIGINT REFERENCES invoices(id),   -- NULL for an orphan
    order_id TEXT,
    parent_np_payment_id TEXT,
    orphan_reason TEXT,                          -- set: shown to admins, never grants access
    reviewed_at BIGINT,
    status TEXT NOT NULL,
    pay_currency TEXT,
    pay_amount TEXT CHECK (pay_amount IS NULL OR typeof(pay_amount) = 'text'),
    actually_paid TEXT CHECK (actually_paid IS NULL OR typeof(actually_paid) = 'text'),
    price_currency TEXT,
    price_amount TEXT CHECK (price_amount IS NULL OR typeof(price_amount) = 'text'),
    outcome_currency TEXT,
    outcome_amount TEXT CHECK (outcome_amount IS NULL OR typeof(outcome_amount) = 'text'),
    value_usd_micros BIGINT,                     -- USD value of the outcome (SPEC §4)
    fee_usd_micros BIGINT,
    owner_usd_micros BIGINT,
    fee_crypto TEXT CHECK (fee_crypto IS NULL OR typeof(fee_crypto) = 'text'),
    owner_crypto TEXT CHECK (owner_crypto IS NULL OR typeof(owner_crypto) = 'text'),
    overpaid_usd_micros BIGINT,
    granted_at BIGINT,
    refunded_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (value_usd_micros IS NULL OR value_usd_micros = fee_usd_micros + owner_usd_micros)
);
CREATE INDEX payments_invoice ON payments (invoice_id);

-- Append-only log of every verified IPN; a byte-identical repeat is not stored twice.
CREATE TABLE payment_events (
    id BIGINT PRIMARY KEY,
    np_payment_id TEXT NOT NULL,
    status TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    body TEXT NOT NULL,
    applied BIGINT NOT NULL,                     -- 0 when it arrived out of order and moved nothing
    received_at BIGINT NOT NULL,
    UNIQUE (np_payment_id, body_sha256)
);

-- Each change a payment made to a subscription (exactly one per granting payment).
CREATE TABLE subscription_grants (
    id BIGINT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions(id),
    payment_id BIGINT NOT NULL UNIQUE REFERENCES payments(id),
    days BIGINT NOT NULL,
    old_expires_at BIGINT,
    new_expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Invite links we created; the full link is kept because Telegram masks links of other admins.
CREATE TABLE invite_links (
    id BIGINT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions(id),
    link TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('join_request', 'one_time_link')),
    expires_at BIGINT,
    revoked_at BIGINT,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX invite_links_subscription ON invite_links (subscription_id);

-- One swap of pending volatile owner funds into USDT on the host wallet.
CREATE TABLE conversions (
    id BIGINT PRIMARY KEY,
    state TEXT NOT NULL,
    from_currency TEXT NOT NULL,
    from_amount TEXT NOT NULL CHECK (typeof(from_amount) = 'text'),
    usd_micros BIGINT NOT NULL,                  -- USD value of the locked rows
    exchange_id TEXT,
    payin_address TEXT,
    received_usdt_micros BIGINT,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);

-- Money sent to an owner: one per instant payment, or one per threshold batch.
CREATE TABLE payouts (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('instant', 'batch')),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    payment_id BIGINT UNIQUE REFERENCES payments(id),   -- instant payouts only
    state TEXT NOT NULL,
    usd_micros BIGINT NOT NULL,
    source_currency TEXT NOT NULL,               -- what the host wallet pays with
    source_amount TEXT CHECK (source_amount IS NULL OR typeof(source_amount) = 'text'),
    dest_currency TEXT NOT NULL,
    dest_network TEXT NOT NULL,
    dest_address TEXT NOT NULL,
    dest_extra_id TEXT,
    exchange_id TEXT,
    payin_address TEXT,
    amount_sent TEXT CHECK (amount_sent IS NULL OR typeof(amount_sent) = 'text'),                         -- what the owner received, when known
    tx_hash TEXT,                                -- the transaction that paid the owner
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX payouts_channel ON payouts (channel_id, created_at);

-- Threshold and deferred money: an owner share waiting to be paid out.
CREATE TABLE accumulations (
    id BIGINT PRIMARY KEY,
    payment_id BIGINT NOT NULL UNIQUE REFERENCES payments(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    owner_usd_micros BIGINT NOT NULL CHECK (owner_usd_micros >= 0),
    crypto_currency TEXT NOT NULL,
    crypto_amount TEXT NOT NULL CHECK (typeof(crypto_amount) = 'text'),                      -- owner share of the crypto outcome
    is_stable BIGINT NOT NULL,
    wallet_currency TEXT NOT NULL,               -- wallet snapshot at accumulation time
    wallet_network TEXT NOT NULL,
    wallet_address TEXT NOT NULL,
    wallet_extra_id TEXT,
    reason TEXT NOT NULL CHECK (reason IN ('threshold', 'below_minimum')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'converting', 'converted', 'in_payout', 'paid')),
    conversion_id BIGINT REFERENCES conversions(id),
    usdt_micros BIGINT,                          -- USDT this row is worth after conversion
    payout_id BIGINT REFERENCES payouts(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX accumulations_state ON accumulations (state, channel_id);

-- Every transaction the host wallet signed; persisted before it is broadcast.
CREATE TABLE wallet_transactions (
    id BIGINT PRIMARY KEY,
    payout_id BIGINT REFERENCES payouts(id),
    conversion_id BIGINT REFERENCES conversions(id),
    chain_id BIGINT NOT NULL,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    asset TEXT NOT NULL,                         -- 'native' or the ERC-20 contract
    amount TEXT NOT NULL CHECK (typeof(amount) = 'text'),
    nonce BIGINT NOT NULL,
    raw_tx TEXT NOT NULL,
    tx_hash TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('signed', 'broadcast', 'confirmed', 'failed', 'replaced')),
    replaces_id BIGINT REFERENCES wallet_transactions(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX wallet_transactions_nonce ON wallet_transactions (chain_id, from_address, nonce);

CREATE TABLE wallet_nonces (
    chain_id BIGINT NOT NULL,
    address TEXT NOT NULL,
    next_nonce BIGINT NOT NULL,
    PRIMARY KEY (chain_id, address)
);

-- The durable job queue (ARCHITECTURE.md "Jobs and timers").
CREATE TABLE jobs (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    lease_until BIGINT,
    leased_by TEXT,
    give_up_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Timer bookkeeping so that one tick per interval runs across all replicas.
CREATE TABLE timers (
    name TEXT PRIMARY KEY,
    last_run_at BIGINT NOT NULL
);

-- Bot conversation state per private chat, as JSON.
CREATE TABLE dialogues (
    chat_id BIGINT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Operator switches (the payout kill switch) and other small settings.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Things an admin must look at (orphans, overpayments, AML holds, lost funds).
CREATE TABLE alerts (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT
);
