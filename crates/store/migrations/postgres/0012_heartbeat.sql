-- The one row /readyz writes to, to learn whether the database takes writes now.
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    beat_at BIGINT NOT NULL
);
INSERT INTO heartbeat (id, beat_at) VALUES (1, 0);
