-- Faster community reading. Threads carry a version that every change to what a thread page
-- shows moves on, and spaces one that every change to their thread list moves on, so a server
-- can keep pages and lists in memory and know when one is stale. (SQLite's
-- migration also rebuilds its full-text index with prefix indexes; the GIN index here needs no
-- change.)
ALTER TABLE threads ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE spaces ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
