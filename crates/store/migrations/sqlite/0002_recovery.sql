-- The recovery journey: time zones, clocks and their attempts, daily and weekly check-ins,
-- recovery events (milestones, warning signs), in-app notifications and scheduled jobs.
ALTER TABLE users ADD COLUMN time_zone TEXT;

CREATE TABLE clocks (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    money_per_day_cents BIGINT,
    minutes_per_day BIGINT,
    hidden BOOLEAN NOT NULL,
    celebrated_milestones BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX clocks_user_id ON clocks (user_id);

CREATE TABLE clock_attempts (
    id BLOB PRIMARY KEY NOT NULL,
    clock_id BLOB NOT NULL REFERENCES clocks (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX clock_attempts_clock_id ON clock_attempts (clock_id);
CREATE INDEX clock_attempts_user_id ON clock_attempts (user_id);

CREATE TABLE checkins (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    mood BIGINT NOT NULL,
    craving BIGINT NOT NULL,
    sleep_hours_tenths BIGINT NOT NULL,
    sleep_quality BIGINT NOT NULL,
    exercised BOOLEAN NOT NULL,
    regular_meals BOOLEAN NOT NULL,
    support_contact BOOLEAN NOT NULL,
    pledged BOOLEAN NOT NULL,
    triggers TEXT NOT NULL,
    trigger_note TEXT,
    gratitude TEXT,
    journal TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);

CREATE TABLE weekly_checkins (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    week_start TEXT NOT NULL,
    answers TEXT NOT NULL,
    use_score BIGINT NOT NULL,
    risk_score BIGINT NOT NULL,
    protective_score BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, week_start)
);

CREATE TABLE recovery_events (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    rule TEXT NOT NULL,
    day TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, kind, rule, day)
);

CREATE TABLE notifications (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user_id ON notifications (user_id, created_at);

CREATE TABLE reminders (
    user_id BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    local_time TEXT NOT NULL,
    next_run_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL
);
CREATE INDEX reminders_next_run_at ON reminders (next_run_at);
