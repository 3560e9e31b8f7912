-- The community: spaces and who belongs to the private ones, threads, posts with their edit
-- history, reactions, subscriptions and read markers, flags and the moderation log, members'
-- community activity (for trust levels), and the full-text index of posts (FTS5 here, a
-- tsvector table with a GIN index on PostgreSQL: the one place the two schemas differ).
CREATE TABLE spaces (
    id BLOB PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    position BIGINT NOT NULL,
    visibility TEXT NOT NULL,
    purpose TEXT NOT NULL,
    guidance TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The spaces of a new install; admins rename, reorder and add to them.
INSERT INTO spaces (id, slug, name, description, position, visibility, purpose, guidance, created_at) VALUES
    (X'0191c0de000070008000000000000001', 'introductions', 'Introductions', 'Say hello: where you are from, what brought you here, what you hope to find. Share only what you are comfortable with.', 1, 'members', 'general', '', 0),
    (X'0191c0de000070008000000000000002', 'daily-check-in', 'Daily check-in', 'How is today going? A line is enough. Read a few and leave a word of support.', 2, 'members', 'general', '', 0),
    (X'0191c0de000070008000000000000003', 'wins-and-milestones', 'Wins and milestones', 'Days, months and years; a hard conversation you got through; a craving you rode out. Every win counts here.', 3, 'members', 'milestones', '', 0),
    (X'0191c0de000070008000000000000004', 'struggles-and-slips', 'Struggles and slips', 'A place to be honest about hard days, cravings and slips, without judgement.', 4, 'members', 'struggles', 'Before you post: you are welcome here exactly as you are. Please share how you feel and what you need, not details of methods, amounts or places, and nothing graphic: others reading may be struggling too. If you are in danger right now, the Need help now? page has people you can call at any hour.', 0),
    (X'0191c0de000070008000000000000005', 'program-talk', 'Program talk', 'Steps, tools, readings and approaches: twelve-step, SMART, Refuge, Recovery Dharma and more. Respect other paths.', 5, 'members', 'general', '', 0),
    (X'0191c0de000070008000000000000006', 'family-and-friends', 'Family and friends', 'For the people who love someone in recovery, and for talking about family life in recovery.', 6, 'members', 'general', '', 0),
    (X'0191c0de000070008000000000000007', 'off-topic', 'Off topic', 'Hobbies, music, food, pets and whatever else is keeping you well.', 7, 'members', 'general', '', 0);

CREATE TABLE space_members (
    space_id BLOB NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (space_id, user_id)
);

CREATE TABLE threads (
    id BLOB PRIMARY KEY NOT NULL,
    space_id BLOB NOT NULL REFERENCES spaces (id),
    author_id BLOB REFERENCES users (id),
    anonymous BOOLEAN NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    locked BOOLEAN NOT NULL,
    post_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_post_at BIGINT NOT NULL
);
CREATE INDEX threads_by_space ON threads (space_id, state, last_post_at, id);
CREATE INDEX threads_by_author ON threads (author_id);

-- `num` orders posts by when they were written and keys the full-text index.
CREATE TABLE posts (
    num INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE,
    thread_id BLOB NOT NULL REFERENCES threads (id),
    seq BIGINT NOT NULL,
    author_id BLOB REFERENCES users (id),
    anonymous BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    html TEXT NOT NULL,
    content_warning TEXT NOT NULL,
    crisis BOOLEAN NOT NULL,
    state TEXT NOT NULL,
    quoted_post BLOB,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    UNIQUE (thread_id, seq)
);
CREATE INDEX posts_by_author ON posts (author_id, created_at);

CREATE TABLE post_edits (
    id BLOB PRIMARY KEY NOT NULL,
    post_id BLOB NOT NULL REFERENCES posts (id),
    editor_id BLOB REFERENCES users (id),
    previous_body TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX post_edits_by_post ON post_edits (post_id, created_at);
CREATE INDEX post_edits_by_editor ON post_edits (editor_id);

CREATE TABLE post_reactions (
    post_id BLOB NOT NULL REFERENCES posts (id),
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id, kind)
);
CREATE INDEX post_reactions_by_user ON post_reactions (user_id);

CREATE TABLE thread_subscriptions (
    thread_id BLOB NOT NULL REFERENCES threads (id),
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX thread_subscriptions_by_user ON thread_subscriptions (user_id);

CREATE TABLE thread_reads (
    thread_id BLOB NOT NULL REFERENCES threads (id),
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (user_id, thread_id)
);

-- A flag from a member, or from the server itself (no reporter: crisis language, watched words).
CREATE TABLE flags (
    id BLOB PRIMARY KEY NOT NULL,
    post_id BLOB NOT NULL REFERENCES posts (id),
    reporter_id BLOB REFERENCES users (id),
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    weight BIGINT NOT NULL,
    priority BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by BLOB REFERENCES users (id),
    outcome TEXT
);
CREATE INDEX flags_open ON flags (resolved_at, priority, created_at);
CREATE INDEX flags_by_post ON flags (post_id);
CREATE INDEX flags_by_reporter ON flags (reporter_id);
CREATE INDEX flags_by_resolver ON flags (resolved_by);

-- What moderators did, as members may read it: never who wrote an anonymous post, never the
-- content or the name of a private space.
CREATE TABLE moderation_log (
    id BLOB PRIMARY KEY NOT NULL,
    action TEXT NOT NULL,
    space_name TEXT NOT NULL,
    thread_id BLOB,
    post_id BLOB,
    moderator_id BLOB REFERENCES users (id),
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX moderation_log_recent ON moderation_log (created_at);
CREATE INDEX moderation_log_by_moderator ON moderation_log (moderator_id);

CREATE TABLE community_activity (
    user_id BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    posts_read BIGINT NOT NULL,
    days_visited BIGINT NOT NULL,
    last_visit_day BIGINT NOT NULL
);

CREATE VIRTUAL TABLE post_search USING fts5 (
    title, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
