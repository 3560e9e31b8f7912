-- Erasure made complete. Pseudonyms of erased accounts cool off before they can be registered
-- again (kept only as a hash until then). Notifications name the member who acted and the
-- thread by reference, rendered when read, so an erased member's pseudonym and thread titles
-- leave other members' notifications with them. The contentless full-text index only marks
-- deleted posts (and earlier versions of edited ones) with tombstones, their words stay in its
-- segments until a merge: 'optimize' merges them away once here, and after every erasure.
CREATE TABLE retired_usernames (
    name_hash BLOB PRIMARY KEY NOT NULL,
    retired_until BIGINT NOT NULL
);

ALTER TABLE notifications ADD COLUMN actor_id BLOB REFERENCES users (id);
ALTER TABLE notifications ADD COLUMN thread_id BLOB REFERENCES threads (id);
-- Stored texts become templates: their braces are escaped.
UPDATE notifications SET body = replace(replace(body, '{', '{{'), '}', '}}');
-- Texts that begin with the member who acted name them by reference from now on; those that
-- begin with an erased member's old pseudonym say "A former member" instead.
UPDATE notifications SET actor_id = (
    SELECT u.id FROM users u WHERE u.status <> 'deleted'
      AND u.username_lower = lower(substr(notifications.body, 1, instr(notifications.body, ' ') - 1)))
WHERE kind IN ('reply', 'mention', 'quote', 'reaction', 'circle_invite', 'circle_note', 'nudge',
    'message', 'reach_out', 'reach_out_response', 'mentor_offer', 'mentor_request',
    'mentor_answer', 'mentor_ended', 'circle_milestone', 'circle_warning_sign')
  AND body NOT LIKE 'Anonymous member %';
UPDATE notifications SET body = '{actor}' || substr(body, instr(body, ' '))
WHERE kind IN ('reply', 'mention', 'quote', 'reaction', 'circle_invite', 'circle_note', 'nudge',
    'message', 'reach_out', 'reach_out_response', 'mentor_offer', 'mentor_request',
    'mentor_answer', 'mentor_ended', 'circle_milestone', 'circle_warning_sign')
  AND body NOT LIKE 'Anonymous member %' AND instr(body, ' ') > 0;

INSERT INTO post_search (post_search) VALUES ('optimize');
