-- Mentors: the profiles members offer (a moderator approves each), the preferences of members
-- looking for one, and mentoring relationships from the request to their end, with the goals
-- both sides share and the notes each keeps for themself.
CREATE TABLE mentor_profiles (
    user_id BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    programs TEXT NOT NULL,
    approach TEXT NOT NULL,
    languages TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    availability TEXT NOT NULL,
    gender TEXT NOT NULL,
    same_gender_only BOOLEAN NOT NULL,
    topics TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    about TEXT NOT NULL,
    -- 'pending' (waiting for a moderator), 'approved', 'declined' or 'paused' (by the mentor).
    status TEXT NOT NULL,
    agreed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mentor_profiles_by_status ON mentor_profiles (status);

CREATE TABLE mentor_preferences (
    user_id BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    programs TEXT NOT NULL,
    languages TEXT NOT NULL,
    topics TEXT NOT NULL,
    availability TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    gender TEXT NOT NULL,
    same_gender_only BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL
);

-- state: 'requested', 'active', 'declined' or 'ended'.
CREATE TABLE mentorships (
    id BLOB PRIMARY KEY NOT NULL,
    mentor_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mentee_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    request_note TEXT NOT NULL,
    answer TEXT NOT NULL,
    cadence TEXT NOT NULL,
    goals TEXT NOT NULL,
    mentor_notes TEXT NOT NULL,
    mentee_notes TEXT NOT NULL,
    share_warnings BOOLEAN NOT NULL,
    share_reach_out BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT
);
CREATE INDEX mentorships_by_mentor ON mentorships (mentor_id, state);
CREATE INDEX mentorships_by_mentee ON mentorships (mentee_id, state);
