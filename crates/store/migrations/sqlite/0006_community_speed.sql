-- Faster community reading and search. Threads carry a version that every change to what a
-- thread page shows moves on, and spaces one that every change to their thread list moves on,
-- so a server can keep pages and lists in memory and know when one is stale.
-- The full-text index gains prefix indexes for 3 to 6 letters, so a search such as "medit*"
-- reads one prefix list instead of merging the list of every word that starts so; it is built
-- again from the published posts.
ALTER TABLE threads ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE spaces ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

DROP TABLE post_search;
CREATE VIRTUAL TABLE post_search USING fts5 (
    title, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3 4 5 6'
);
INSERT INTO post_search (rowid, title, body)
    SELECT p.num, CASE WHEN p.seq = 1 THEN t.title ELSE '' END, p.body
    FROM posts p JOIN threads t ON t.id = p.thread_id
    WHERE p.state = 'published';
