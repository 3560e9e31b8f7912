-- Other directories this one syncs from: a Meeting Guide feed, a BMLT root server or a
-- published CSV in the plugin's layout, each fetched on its schedule (claimed by one server at
-- a time) and applied at once or held for an admin's review; every run is kept with its
-- report. A meeting that came from a source names it, so a run knows what the source removed.
CREATE TABLE meeting_sources (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    program_code TEXT NOT NULL REFERENCES programs (code),
    every_hours BIGINT NOT NULL,
    auto_apply BOOLEAN NOT NULL,
    next_run_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_sources_due ON meeting_sources (next_run_at);

CREATE TABLE meeting_source_runs (
    id BLOB PRIMARY KEY NOT NULL,
    source_id BLOB NOT NULL REFERENCES meeting_sources (id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    -- applied, held (for review), unchanged, failed, discarded
    status TEXT NOT NULL,
    error TEXT NOT NULL,
    added BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    removed BIGINT NOT NULL,
    -- JSON: [{"change": "added"|"changed"|"removed", "slug", "name", "fields": [...]}]
    report TEXT NOT NULL,
    -- What was fetched, kept while the run is held so applying it later applies what was reviewed.
    body BLOB
);
CREATE INDEX meeting_source_runs_by_source ON meeting_source_runs (source_id, started_at);

ALTER TABLE meetings ADD COLUMN source_id BLOB REFERENCES meeting_sources (id) ON DELETE SET NULL;
CREATE INDEX meetings_source ON meetings (source_id);
