-- Erasure made complete. Pseudonyms of erased accounts cool off before they can be registered
-- again (kept only as a hash until then). Notifications name the member who acted and the
-- thread by reference, rendered when read, so an erased member's pseudonym and thread titles
-- leave other members' notifications with them. (The search index rows of an erased member
-- are deleted as before; VACUUM reclaims their space.)
CREATE TABLE retired_usernames (
    name_hash BYTEA PRIMARY KEY NOT NULL,
    retired_until BIGINT NOT NULL
);

ALTER TABLE notifications ADD COLUMN actor_id UUID REFERENCES users (id);
ALTER TABLE notifications ADD COLUMN thread_id UUID REFERENCES threads (id);
-- Stored texts become templates: their braces are escaped.
UPDATE notifications SET body = replace(replace(body, '{', '{{'), '}', '}}');
-- Texts that begin with the member who acted name them by reference from now on; those that
-- begin with an erased member's old pseudonym say "A former member" instead.
UPDATE notifications SET actor_id = (
    SELECT u.id FROM users u WHERE u.status <> 'deleted'
      AND u.username_lower = lower(substr(notifications.body, 1, strpos(notifications.body, ' ') - 1)))
WHERE kind IN ('reply', 'mention', 'quote', 'reaction', 'circle_invite', 'circle_note', 'nudge',
    'message', 'reach_out', 'reach_out_response', 'mentor_offer', 'mentor_request',
    'mentor_answer', 'mentor_ended', 'circle_milestone', 'circle_warning_sign')
  AND body NOT LIKE 'Anonymous member %';
UPDATE notifications SET body = '{actor}' || substr(body, strpos(body, ' '))
WHERE kind IN ('reply', 'mention', 'quote', 'reaction', 'circle_invite', 'circle_note', 'nudge',
    'message', 'reach_out', 'reach_out_response', 'mentor_offer', 'mentor_request',
    'mentor_answer', 'mentor_ended', 'circle_milestone', 'circle_warning_sign')
  AND body NOT LIKE 'Anonymous member %' AND strpos(body, ' ') > 0;
