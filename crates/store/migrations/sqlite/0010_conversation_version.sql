-- A conversation's version moves on with every change to what its page shows (a message, a
-- member's answer to a request, a member's account erased), so each server may keep the page's
-- rows in memory and check them against the database with one small read.
ALTER TABLE conversations ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
