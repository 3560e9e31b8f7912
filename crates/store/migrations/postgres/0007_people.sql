-- People: private conversations (one-to-one, found again by the pair's key, and small groups)
-- with each member's place in them and their messages; reports that carry chosen messages to
-- moderators; accountability circles with each member's sharing choices, pending invites,
-- encouragement and "thinking of you" nudges; and Reach out alerts with who was told and who
-- responded.
CREATE TABLE conversations (
    id UUID PRIMARY KEY NOT NULL,
    -- The two members' ids in order for a one-to-one conversation; NULL for a group.
    pair_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    last_message_at BIGINT NOT NULL
);

-- state: 'active', 'request' (a new member has not accepted it yet) or 'declined'.
CREATE TABLE conversation_members (
    conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    read_seq BIGINT NOT NULL,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_by_user ON conversation_members (user_id, state);

CREATE TABLE messages (
    id UUID PRIMARY KEY NOT NULL,
    conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    author_id UUID REFERENCES users (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (conversation_id, seq)
);
CREATE INDEX messages_by_author ON messages (author_id);

-- A report from inside a conversation; the moderators see only the messages it names.
CREATE TABLE message_reports (
    id UUID PRIMARY KEY NOT NULL,
    conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    reporter_id UUID REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolution TEXT NOT NULL
);
CREATE INDEX message_reports_open ON message_reports (resolved_at, created_at);

CREATE TABLE message_report_items (
    report_id UUID NOT NULL REFERENCES message_reports (id) ON DELETE CASCADE,
    message_id UUID NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    PRIMARY KEY (report_id, message_id)
);

CREATE TABLE circles (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- SHA-256 of the circle's invite link token, while it has one.
    invite_hash TEXT UNIQUE,
    created_at BIGINT NOT NULL
);

-- What each member lets the circle see of them, and after how many days without a check-in
-- the circle is told they have gone quiet (NULL: never).
CREATE TABLE circle_members (
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    share_checkin BOOLEAN NOT NULL,
    share_streak BOOLEAN NOT NULL,
    share_milestones BOOLEAN NOT NULL,
    share_warnings BOOLEAN NOT NULL,
    share_reach_out BOOLEAN NOT NULL,
    quiet_days BIGINT,
    PRIMARY KEY (circle_id, user_id)
);
CREATE INDEX circle_members_by_user ON circle_members (user_id);

CREATE TABLE circle_invites (
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (circle_id, user_id)
);
CREATE INDEX circle_invites_by_user ON circle_invites (user_id);

-- Encouragement written on a circle's page.
CREATE TABLE circle_notes (
    id UUID PRIMARY KEY NOT NULL,
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    author_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX circle_notes_by_circle ON circle_notes (circle_id, created_at);
CREATE INDEX circle_notes_by_author ON circle_notes (author_id);

CREATE TABLE nudges (
    id UUID PRIMARY KEY NOT NULL,
    sender_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX nudges_by_sender ON nudges (sender_id, recipient_id, created_at);
CREATE INDEX nudges_by_recipient ON nudges (recipient_id);

-- follow_up_at: when to ask how they are doing (NULL once asked); claimed_until: a worker's lease.
CREATE TABLE reach_outs (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    follow_up_at BIGINT,
    claimed_until BIGINT NOT NULL
);
CREATE INDEX reach_outs_by_user ON reach_outs (user_id, created_at);
CREATE INDEX reach_outs_by_follow_up ON reach_outs (follow_up_at);

CREATE TABLE reach_out_recipients (
    reach_out_id UUID NOT NULL REFERENCES reach_outs (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    responded_at BIGINT,
    PRIMARY KEY (reach_out_id, user_id)
);
CREATE INDEX reach_out_recipients_by_user ON reach_out_recipients (user_id);
