-- Every circle invite a member sends, for the daily limit on invites: pending invites leave
-- circle_invites when answered, so they cannot be counted there. Rows older than a day are
-- dropped when the member next invites.
CREATE TABLE circle_invites_sent (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX circle_invites_sent_by_user ON circle_invites_sent (user_id, created_at);
