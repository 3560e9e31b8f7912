-- Notification delivery: each member's choices (which kinds reach them by e-mail at once or in
-- a daily digest, quiet hours, discreet mode) and the queue of deliveries, claimed by one worker
-- at a time and retried with back-off.
CREATE TABLE notification_settings (
    user_id BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Comma-separated notification categories.
    email_kinds TEXT NOT NULL,
    digest_kinds TEXT NOT NULL,
    -- "HH:MM" in the member's zone, or NULL for no quiet hours.
    quiet_start TEXT,
    quiet_end TEXT,
    discreet BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL
);

-- channel: 'email' (one notification, at once) or 'digest' (the day's notifications).
CREATE TABLE deliveries (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    notification_id BLOB REFERENCES notifications (id) ON DELETE CASCADE,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX deliveries_due ON deliveries (sent_at, run_at);
CREATE INDEX deliveries_by_user ON deliveries (user_id, channel, sent_at);
