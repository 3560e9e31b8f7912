-- A moderator writing to the author of a post in crisis: the conversation keeps the author's
-- pseudonym from the moderator (masked_member_id is shown to the others as masked_as, such as
-- "The author of “Rough night”"), and check-ins the moderator asked to be reminded of.
ALTER TABLE conversations ADD COLUMN masked_member_id BLOB REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN masked_as TEXT;

-- claimed_until: a worker's lease; a check-in is deleted once the moderator is reminded.
CREATE TABLE care_check_ins (
    id BLOB PRIMARY KEY NOT NULL,
    conversation_id BLOB NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    moderator_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    due_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX care_check_ins_by_due ON care_check_ins (due_at);
CREATE INDEX care_check_ins_by_moderator ON care_check_ins (moderator_id, due_at);
