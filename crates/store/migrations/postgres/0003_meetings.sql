-- Meetings and groups: programmes, groups with the attributes newcomers choose by, meetings
-- with schedules in their own zone, facilitators, members' saved meetings, calendar feed
-- tokens and private attendance logs, suggested corrections and each listing's history.
CREATE TABLE programs (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    approach TEXT NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE meeting_groups (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    program_code TEXT NOT NULL REFERENCES programs (code),
    description TEXT NOT NULL,
    tags TEXT NOT NULL,
    size TEXT NOT NULL,
    structure TEXT NOT NULL,
    facilitation TEXT NOT NULL,
    atmosphere TEXT NOT NULL,
    languages TEXT NOT NULL,
    accessibility TEXT NOT NULL,
    audience TEXT NOT NULL,
    closed BOOLEAN NOT NULL,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    join_members_only BOOLEAN NOT NULL,
    notes TEXT NOT NULL,
    implicit BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX meeting_groups_name ON meeting_groups (name);

CREATE TABLE meetings (
    id UUID PRIMARY KEY NOT NULL,
    group_id UUID NOT NULL REFERENCES meeting_groups (id) ON DELETE CASCADE,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    recurrence TEXT NOT NULL,
    days TEXT NOT NULL,
    nth BIGINT,
    on_date TEXT,
    cancelled TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    location TEXT NOT NULL,
    location_notes TEXT NOT NULL,
    formatted_address TEXT NOT NULL,
    address TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT NOT NULL,
    sub_region TEXT NOT NULL,
    regions TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    approximate BOOLEAN,
    conference_url TEXT NOT NULL,
    conference_url_notes TEXT NOT NULL,
    conference_phone TEXT NOT NULL,
    conference_phone_notes TEXT NOT NULL,
    types TEXT NOT NULL,
    notes TEXT NOT NULL,
    source_url TEXT NOT NULL,
    extra TEXT NOT NULL,
    -- The meeting's own part of its Meeting Guide feed row (JSON), written with every change;
    -- empty when the format cannot express the meeting.
    feed_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX meetings_group_id ON meetings (group_id);

CREATE TABLE group_facilitators (
    group_id UUID NOT NULL REFERENCES meeting_groups (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_facilitators_user_id ON group_facilitators (user_id);

CREATE TABLE saved_meetings (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    meeting_id UUID NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, meeting_id)
);

CREATE TABLE calendar_feeds (
    user_id UUID PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE meeting_attendance (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    meeting_id UUID REFERENCES meetings (id) ON DELETE SET NULL,
    meeting_name TEXT NOT NULL,
    day TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_attendance_user_id ON meeting_attendance (user_id, day);

CREATE TABLE meeting_suggestions (
    id UUID PRIMARY KEY NOT NULL,
    meeting_id UUID NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    changes TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by UUID,
    decision_note TEXT NOT NULL,
    decided_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_suggestions_status ON meeting_suggestions (status, created_at);
CREATE INDEX meeting_suggestions_user_id ON meeting_suggestions (user_id);

CREATE TABLE meeting_history (
    id UUID PRIMARY KEY NOT NULL,
    meeting_id UUID NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    actor_id UUID,
    summary TEXT NOT NULL,
    changes TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_history_meeting_id ON meeting_history (meeting_id, created_at);

-- The programmes a new install starts with; admins edit the list.
INSERT INTO programs (code, name, approach, position) VALUES
    ('AA', 'Alcoholics Anonymous', 'twelve-step', 0),
    ('NA', 'Narcotics Anonymous', 'twelve-step', 1),
    ('CA', 'Cocaine Anonymous', 'twelve-step', 2),
    ('CMA', 'Crystal Meth Anonymous', 'twelve-step', 3),
    ('MA', 'Marijuana Anonymous', 'twelve-step', 4),
    ('AL-ANON', 'Al-Anon Family Groups', 'twelve-step', 5),
    ('NAR-ANON', 'Nar-Anon Family Groups', 'twelve-step', 6),
    ('SMART', 'SMART Recovery', 'science-based', 7),
    ('REFUGE', 'Refuge Recovery', 'buddhist', 8),
    ('DHARMA', 'Recovery Dharma', 'buddhist', 9),
    ('LIFERING', 'LifeRing Secular Recovery', 'secular', 10),
    ('WFS', 'Women for Sobriety', 'secular', 11),
    ('CR', 'Celebrate Recovery', 'faith-based', 12),
    ('OTHER', 'Other or independent', 'other', 13);
