//! People: private conversations and their messages and reports, accountability circles, and
//! Reach out alerts. Each part is a module; erasure and export of a member's rows are here.

pub mod care;
pub mod circles;
pub mod mentors;
pub mod messages;
pub mod reach_out;

use crate::community::member_rows;
use crate::{Db, StoreError};
use mutual_domain::UserId;

/// Tables of a member's people data keyed by `user_id`, deleted when their account is erased.
pub(crate) const MEMBER_TABLES: &[&str] = &[
    "conversation_members",
    "circle_members",
    "circle_invites",
    "circle_invites_sent",
    "reach_outs",
    "reach_out_recipients",
    "mentor_profiles",
    "mentor_preferences",
];

/// What this feature holds about a member, for [`crate::privacy`].
pub(crate) const MEMBER_DATA: crate::privacy::MemberData = crate::privacy::MemberData {
    erase: ERASE,
    tables: MEMBER_TABLES,
    not_exported: &[
        (
            "mentorships",
            "mentor_notes",
            "exported as `my_notes` to the mentor; the mentee's notes are theirs",
        ),
        (
            "mentorships",
            "mentee_notes",
            "exported as `my_notes` to the mentee; the mentor's notes are theirs",
        ),
        (
            "care_check_ins",
            "claimed_until",
            "a reminder worker's lease, nothing about the member",
        ),
    ],
    not_member_data: &[
        (
            "circles",
            "the circle itself; the member's place in it (circle_members) is exported",
        ),
        (
            "conversations",
            "the conversation itself; the member's place and messages are exported, and the \
             conversations in which they are shown to a moderator under a description",
        ),
        (
            "message_report_items",
            "which messages a report points at; the report is exported",
        ),
    ],
};

/// Run when an account is erased (the member's id as `$1`), before [`MEMBER_TABLES`]: what they
/// wrote loses its content (others' copies of a conversation show "deleted member"), reports
/// they made stop naming them, and their notes and nudges go; the conversations they were in
/// move on a version.
pub(crate) const ERASE: &[&str] = &[
    // Pages showing them or what they wrote are stale from here on.
    "UPDATE conversations SET version = version + 1 WHERE id IN \
     (SELECT conversation_id FROM conversation_members WHERE user_id = $1)",
    "UPDATE messages SET body = '', author_id = NULL WHERE author_id = $1",
    "UPDATE message_reports SET reporter_id = NULL, reason = '' WHERE reporter_id = $1",
    "DELETE FROM circle_notes WHERE author_id = $1",
    "DELETE FROM nudges WHERE sender_id = $1 OR recipient_id = $1",
    "DELETE FROM mentorships WHERE mentor_id = $1 OR mentee_id = $1",
    "DELETE FROM care_check_ins WHERE moderator_id = $1",
    "UPDATE conversations SET masked_member_id = NULL WHERE masked_member_id = $1",
];

/// The member's people data for their export: their places in conversations and the messages
/// they sent (not others' messages), reports they made, their circles and sharing choices,
/// invites, notes, nudges either way, their Reach out alerts and the ones they received, their
/// mentor profile and preferences, and their mentoring relationships (without the other side's
/// private notes).
pub async fn export_member(
    db: &Db,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, StoreError> {
    use care::CheckInExport;
    use circles::{CircleMemberExport, InviteExport, InviteSentExport, NoteExport, NudgeExport};
    use mentors::{EXPORT_MENTORSHIPS, MentorshipExport, PreferencesRow, ProfileRow};
    use messages::{MaskExport, MembershipExport, MessageExport, ReportExport};
    use reach_out::{ReachOutRow, RecipientExport};
    let tables = [
        (
            "mentor_profiles",
            member_rows::<ProfileRow>(
                db,
                "SELECT user_id, programs, approach, languages, time_zone, availability, gender, \
                 same_gender_only, topics, capacity, about, status, agreed_at, created_at, \
                 updated_at FROM mentor_profiles WHERE user_id = $1",
                user,
            )
            .await?,
        ),
        (
            "mentor_preferences",
            member_rows::<PreferencesRow>(
                db,
                "SELECT user_id, programs, languages, topics, availability, time_zone, gender, \
                 same_gender_only, updated_at FROM mentor_preferences WHERE user_id = $1",
                user,
            )
            .await?,
        ),
        (
            "mentorships",
            member_rows::<MentorshipExport>(db, EXPORT_MENTORSHIPS, user).await?,
        ),
        (
            "conversation_members",
            member_rows::<MembershipExport>(
                db,
                "SELECT conversation_id, user_id, state, read_seq, joined_at \
                 FROM conversation_members WHERE user_id = $1 ORDER BY joined_at",
                user,
            )
            .await?,
        ),
        (
            "messages",
            member_rows::<MessageExport>(
                db,
                "SELECT id, conversation_id, seq, author_id, body, created_at FROM messages \
                 WHERE author_id = $1 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "message_reports",
            member_rows::<ReportExport>(
                db,
                "SELECT id, conversation_id, reporter_id, reason, created_at, resolved_at, \
                 resolution FROM message_reports WHERE reporter_id = $1 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "circle_members",
            member_rows::<CircleMemberExport>(
                db,
                "SELECT m.circle_id, c.name AS circle_name, m.user_id, m.joined_at, \
                 m.share_checkin, m.share_streak, m.share_milestones, m.share_warnings, \
                 m.share_reach_out, m.quiet_days FROM circle_members m \
                 JOIN circles c ON c.id = m.circle_id WHERE m.user_id = $1 ORDER BY m.joined_at",
                user,
            )
            .await?,
        ),
        (
            "circle_invites",
            member_rows::<InviteExport>(
                db,
                "SELECT circle_id, user_id, created_at FROM circle_invites WHERE user_id = $1",
                user,
            )
            .await?,
        ),
        (
            "circle_invites_sent",
            member_rows::<InviteSentExport>(
                db,
                "SELECT user_id, created_at FROM circle_invites_sent WHERE user_id = $1 \
                 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "circle_notes",
            member_rows::<NoteExport>(
                db,
                "SELECT id, circle_id, author_id, body, created_at FROM circle_notes \
                 WHERE author_id = $1 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "nudges",
            member_rows::<NudgeExport>(
                db,
                "SELECT id, sender_id, recipient_id, created_at FROM nudges \
                 WHERE sender_id = $1 OR recipient_id = $1 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "reach_outs",
            member_rows::<ReachOutRow>(
                db,
                &format!(
                    "SELECT {} FROM reach_outs WHERE user_id = $1 ORDER BY created_at",
                    reach_out::COLUMNS
                ),
                user,
            )
            .await?,
        ),
        (
            "reach_out_recipients",
            member_rows::<RecipientExport>(
                db,
                "SELECT reach_out_id, user_id, responded_at FROM reach_out_recipients \
                 WHERE user_id = $1",
                user,
            )
            .await?,
        ),
        (
            "conversations",
            member_rows::<MaskExport>(
                db,
                "SELECT id, masked_member_id, masked_as FROM conversations \
                 WHERE masked_member_id = $1 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "care_check_ins",
            member_rows::<CheckInExport>(
                db,
                "SELECT id, conversation_id, moderator_id, due_at, created_at FROM care_check_ins \
                 WHERE moderator_id = $1 ORDER BY due_at",
                user,
            )
            .await?,
        ),
    ];
    Ok(tables
        .into_iter()
        .map(|(name, rows)| (name.to_owned(), rows))
        .collect())
}
