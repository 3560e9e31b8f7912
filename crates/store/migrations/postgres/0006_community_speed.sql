-- Faster community reading. Threads carry a version that every change to what a thread page
-- shows moves on, so a server can keep pages in memory and know when one is stale. (SQLite's
-- migration also rebuilds its full-text index with prefix indexes; the GIN index here needs no
-- change.)
ALTER TABLE threads ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
