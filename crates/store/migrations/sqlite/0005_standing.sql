-- A member's standing in the community: the sanctions moderators gave them (warnings,
-- silences for a period, suspensions, community bans) with the reason they are shown and their
-- appeal and its answer; and the blocks members place between themselves and another member.
-- Who issued or answered a sanction is in the audit log, not here.
CREATE TABLE sanctions (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    post_id BLOB REFERENCES posts (id),
    created_at BIGINT NOT NULL,
    ends_at BIGINT,
    lifted_at BIGINT,
    appeal TEXT NOT NULL,
    appealed_at BIGINT,
    answer TEXT NOT NULL,
    answered_at BIGINT
);
CREATE INDEX sanctions_by_user ON sanctions (user_id, created_at);
CREATE INDEX sanctions_by_appeal ON sanctions (appealed_at);

-- Who blocked whom. Whom a member blocked is theirs (in their export); who blocked them is not.
CREATE TABLE blocks (
    blocker_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_by_blocked ON blocks (blocked_id);
