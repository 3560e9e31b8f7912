//! The people part of the OpenAPI document: conversations, message reports, circles,
//! mentoring and Reach out.

use super::{error_responses, json_body, object_response, path_id, with};
use serde_json::{Value, json};

pub(super) fn paths(signed_in: &Value) -> Value {
    let member_errors = error_responses(&["401", "403", "404", "415", "422", "503"]);
    let mine = |summary: &str, request: Option<&str>, status: &str, shape: &str| {
        let mut operation = json!({
            "summary": summary, "security": signed_in, "parameters": [path_id()],
            "responses": with(object_response(status, shape), member_errors.clone()),
        });
        if let Some(schema) = request {
            operation["requestBody"] = json_body(schema);
        }
        operation
    };
    json!({
        "/api/v1/conversations": {
            "get": {
                "summary": "The viewer's conversations (latest first) and message requests waiting for them",
                "security": signed_in,
                "responses": with(object_response("200", "{conversations: [{id, with, unread, state, last_message_at, url}], requests: [...]}"), error_responses(&["401"]))
            },
            "post": {
                "summary": "Start a conversation with up to 11 others (one person: the two's conversation). New members are reached by strangers only as message requests; a member with a block either way gets the answer an unknown pseudonym gets",
                "security": signed_in,
                "requestBody": json_body("ConversationRequest"),
                "responses": with(object_response("201", "{id, url}"), member_errors.clone())
            }
        },
        "/api/v1/conversations/{id}": { "get": mine("The latest 200 messages of a conversation the viewer is in, marked read", None, "200", "{id, with, group, state, closed, last_seq, messages: [{id, seq, author, mine, hidden, body, created_at}]}") },
        "/api/v1/conversations/{id}/messages": { "post": mine("Send a message (up to 4,000 characters)", Some("MessageRequest"), "201", "{seq}") },
        "/api/v1/conversations/{id}/request": { "post": mine("Accept or decline a message request (the sender is not told)", Some("DecisionRequest"), "200", "{accepted}") },
        "/api/v1/conversations/{id}/reports": { "post": mine("Report chosen messages of the conversation: moderators see those and no others", Some("MessageReportRequest"), "201", "{reported}") },
        "/api/v1/moderation/message-reports": { "get": {
            "summary": "Message reports, open first, each with only the messages it carries (moderators)",
            "security": signed_in,
            "responses": with(object_response("200", "{reports: [{id, reporter, reason, messages, resolved_at, resolution}]}"), error_responses(&["401", "403"]))
        }},
        "/api/v1/moderation/message-reports/{id}": { "post": mine("Resolve a message report with a note (moderators)", Some("ResolveRequest"), "200", "{resolved}") },
        "/api/v1/circles": {
            "get": {
                "summary": "The viewer's circles and the invites waiting for them",
                "security": signed_in,
                "responses": with(object_response("200", "{circles: [{id, name}], invites: [{id, name}]}"), error_responses(&["401"]))
            },
            "post": {
                "summary": "Start a circle (the viewer shares the defaults: done today and Reach out), inviting members by pseudonym",
                "security": signed_in,
                "requestBody": json_body("CircleRequest"),
                "responses": with(object_response("201", "{id, url}"), member_errors.clone())
            }
        },
        "/api/v1/circles/{id}": { "get": mine("A circle: each member with only the keys they share (checked_in_today, streak, milestones, warning_signs, quiet_for_days)", None, "200", "{id, name, members, pending, notes, my_sharing}") },
        "/api/v1/circles/{id}/invites": { "post": mine("Invite members by pseudonym; 422 when the circle would pass 12 people, invites included", Some("InviteRequest"), "201", "{invited}") },
        "/api/v1/circles/{id}/answer": { "post": mine("Accept or decline an invite to the circle", Some("DecisionRequest"), "200", "{joined}") },
        "/api/v1/circles/{id}/sharing": { "put": mine("What the viewer shares with the circle, and after how many quiet days it is told", Some("SharingRequest"), "200", "{share, quiet_days}") },
        "/api/v1/circles/{id}/notes": { "post": mine("Write encouragement on the circle's page", Some("NoteRequest"), "201", "{posted}") },
        "/api/v1/circles/{id}/nudges": { "post": mine("Send a member of the circle a \"thinking of you\" nudge (once a day per person)", Some("NudgeRequest"), "201", "{nudged}") },
        "/api/v1/circles/{id}/membership": { "delete": {
            "summary": "Leave the circle", "security": signed_in, "parameters": [path_id()],
            "responses": with(json!({ "204": { "description": "Left" } }), error_responses(&["401", "404"]))
        }},
        "/api/v1/mentors/preferences": { "put": {
            "summary": "Save what the viewer looks for in a mentor (programmes, languages, topics, availability, time zone, gender and whether the mentor must share it)",
            "security": signed_in, "requestBody": json_body("PreferencesRequest"),
            "responses": with(object_response("200", "{saved}"), member_errors.clone())
        }},
        "/api/v1/mentors/matches": { "get": {
            "summary": "Approved mentors who fit the saved preferences, best first, each with the reasons; gender preferences of both sides are hard constraints and full mentors are left out",
            "security": signed_in,
            "responses": with(object_response("200", "{has_preferences, matches: [{username, time_in_recovery, programs, approach, languages, topics, time_zone, about, score, reasons}]}"), error_responses(&["401"]))
        }},
        "/api/v1/mentor-requests": { "post": {
            "summary": "Ask a mentor, with a note; 422 with the reason when a gender preference rules it out, the mentor is full, or no preferences are saved",
            "security": signed_in, "requestBody": json_body("MentorRequest"),
            "responses": with(object_response("201", "{id, state}"), member_errors.clone())
        }},
        "/api/v1/mentors/profile": { "put": {
            "summary": "Offer to mentor (or update the offer): needs the configured time on the longest current clock and agreement to the code of conduct; a moderator approves new offers",
            "security": signed_in, "requestBody": json_body("ProfileRequest"),
            "responses": with(object_response("200", "{status}"), member_errors.clone())
        }},
        "/api/v1/mentorships": { "get": {
            "summary": "The viewer's mentoring relationships, as mentor or mentee",
            "security": signed_in,
            "responses": with(object_response("200", "{mentorships: [...]}"), error_responses(&["401"]))
        }},
        "/api/v1/mentorships/{id}": {
            "get": mine("One relationship, with only the viewer's own private notes", None, "200", "{id, mentor, mentee, state, role, cadence, goals, my_notes, shares}"),
            "put": mine("Update an active relationship: cadence, shared goals, the viewer's private notes and (mentee) what the mentor is told", Some("KeepRequest"), "200", "the relationship")
        },
        "/api/v1/mentorships/{id}/answer": { "post": mine("The mentor accepts or kindly declines a request", Some("MentorAnswerRequest"), "200", "{state}") },
        "/api/v1/mentorships/{id}/end": { "post": mine("End the relationship (either side), optionally suggesting another mentor", Some("EndRequest"), "200", "{state}") },
        "/api/v1/moderation/mentors": { "get": {
            "summary": "Mentor offers waiting for approval (moderators)",
            "security": signed_in,
            "responses": with(object_response("200", "{offers: [...]}"), error_responses(&["401", "403"]))
        }},
        "/api/v1/moderation/mentors/{username}": { "post": {
            "summary": "Approve or decline a mentor offer (moderators)",
            "security": signed_in,
            "parameters": [{ "name": "username", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": json_body("OfferDecisionRequest"),
            "responses": with(object_response("200", "{approved}"), member_errors.clone())
        }},
        "/api/v1/notification-preferences": {
            "get": {
                "summary": "The viewer's e-mail address and notification delivery settings (defaults: Reach out by e-mail, discreet)",
                "security": signed_in,
                "responses": with(object_response("200", "{email_address, mail_configured, email, digest, quiet_start, quiet_end, discreet}"), error_responses(&["401"]))
            },
            "put": {
                "summary": "Save the e-mail address, the categories e-mailed at once or in the daily digest, quiet hours and discreet mode",
                "security": signed_in, "requestBody": json_body("NotificationPreferencesRequest"),
                "responses": with(object_response("200", "the settings"), member_errors.clone())
            }
        },
        "/api/v1/reach-out": { "post": {
            "summary": "Reach out: tell the viewer's circles (those they share Reach out with) that they are having a hard time (201), or, pressed again within 15 minutes or past six a day, show the alert already sent (200, sent: false). Never refused; always answers with crisis resources and meetings",
            "security": signed_in,
            "requestBody": json_body("ReachOutRequest"),
            "responses": with(object_response("201", "{id, sent, text, message, told: [{username, responded_at}], crisis_resources, meetings_starting_soon, online_meetings_now}"), member_errors.clone())
        }},
        "/api/v1/reach-out/{id}": { "get": mine("An alert, for the member who sent it and those it told, with who has responded", None, "200", "{id, member, text, message, created_at, told, mine}") },
        "/api/v1/reach-out/{id}/replies": { "post": mine("Reply to an alert: the message goes to the member's conversation with the viewer, and the alert shows the viewer responded", Some("MessageRequest"), "201", "{conversation_id}") }
    })
}

pub(super) fn schemas() -> Value {
    let names = json!({ "type": "array", "items": { "type": "string" } });
    let categories = json!({ "type": "array", "items": { "type": "string",
        "enum": ["reach_out", "messages", "circles", "mentoring", "community", "moderation", "reminders"] } });
    let gender = json!({ "type": "string", "enum": ["woman", "man", "nonbinary", "unsaid"] });
    let text = |max: u32| json!({ "type": "string", "maxLength": max });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "additionalProperties": false, "required": required, "properties": properties });
    json!({
        "ConversationRequest": object(&["to", "body"], json!({ "to": names.clone(), "body": text(4000) })),
        "MessageRequest": object(&["body"], json!({ "body": text(4000) })),
        "DecisionRequest": object(&["answer"], json!({ "answer": { "type": "string", "enum": ["accept", "decline"] } })),
        "MessageReportRequest": object(&["messages", "reason"], json!({ "messages": { "type": "array", "items": { "type": "string", "format": "uuid" } }, "reason": text(1000) })),
        "ResolveRequest": object(&["resolution"], json!({ "resolution": text(1000) })),
        "CircleRequest": object(&["name"], json!({ "name": text(60), "invite": names.clone() })),
        "InviteRequest": object(&["usernames"], json!({ "usernames": names })),
        "SharingRequest": object(&["share"], json!({
            "share": { "type": "array", "items": { "type": "string", "enum": ["checkin", "streak", "milestones", "warning_signs", "reach_out"] } },
            "quiet_days": { "type": "integer", "minimum": 1, "maximum": 30, "nullable": true } })),
        "NoteRequest": object(&["note"], json!({ "note": text(1000) })),
        "NudgeRequest": object(&["username"], json!({ "username": { "type": "string" } })),
        "ReachOutRequest": object(&[], json!({ "message": text(500) })),
        "PreferencesRequest": object(&["time_zone", "gender", "wants"], json!({
            "programs": names.clone(), "languages": names.clone(), "topics": names.clone(),
            "availability": { "type": "array", "items": { "type": "string", "example": "mon-evening" } },
            "time_zone": { "type": "string" }, "gender": gender.clone(),
            "wants": { "type": "string", "enum": ["same", "any"] } })),
        "MentorRequest": object(&["mentor", "note"], json!({ "mentor": { "type": "string" }, "note": text(2000) })),
        "MentorAnswerRequest": object(&["answer"], json!({ "answer": { "type": "string", "enum": ["accept", "decline"] }, "message": text(2000) })),
        "KeepRequest": object(&[], json!({ "cadence": text(100), "goals": text(2000), "notes": text(2000),
            "share_warning_signs": { "type": "boolean" }, "share_reach_out": { "type": "boolean" } })),
        "EndRequest": object(&[], json!({ "handover": { "type": "string", "description": "Another mentor's pseudonym" } })),
        "ProfileRequest": object(&["programs", "languages", "time_zone", "gender", "mentors", "capacity", "about", "agreed_to_code_of_conduct"], json!({
            "programs": names.clone(), "approach": text(200), "languages": names.clone(), "time_zone": { "type": "string" },
            "availability": names.clone(), "gender": gender, "mentors": { "type": "string", "enum": ["same", "any"] },
            "topics": names.clone(), "capacity": { "type": "integer", "minimum": 1, "maximum": 10 }, "about": text(1000),
            "agreed_to_code_of_conduct": { "type": "boolean" } })),
        "NotificationPreferencesRequest": object(&["email", "discreet"], json!({
            "email_address": { "type": "string", "format": "email", "nullable": true },
            "email": categories.clone(), "digest": categories,
            "quiet_start": { "type": "string", "example": "22:00", "nullable": true },
            "quiet_end": { "type": "string", "example": "07:00", "nullable": true },
            "discreet": { "type": "boolean" } })),
        "OfferDecisionRequest": object(&["decision"], json!({ "decision": { "type": "string", "enum": ["approve", "decline"] } }))
    })
}
