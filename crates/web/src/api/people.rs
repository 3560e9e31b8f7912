//! `/api/v1` for people: conversations and messages (with requests and reports), circles
//! (invites, sharing choices, notes, nudges), Reach out, and notification delivery settings.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::forms::ApiJson;
use crate::ids::IdPath;
use crate::pages::parse_answer;
use crate::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::notifications::delivery;
use mutual_app::people::circles;
use mutual_app::people::messages::{self, MessageView, Summary};
use mutual_app::people::reach_out;
use mutual_domain::Timestamp;
use mutual_domain::permissions::Access::{Member, Moderator};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

fn at(millis: i64) -> String {
    Timestamp(millis).to_rfc3339()
}

fn summary_json(c: &Summary) -> Value {
    json!({
        "id": c.id, "with": c.with, "unread": c.unread, "state": c.state.as_str(),
        "last_message_at": at(c.last_message_at), "url": format!("/messages/{}", c.id),
    })
}

/// `GET /api/v1/conversations`: the viewer's conversations and message requests.
pub async fn list_conversations(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let inbox = messages::inbox(&state.app, &viewer).await?;
    Ok(Json(json!({
        "conversations": inbox.conversations.iter().map(summary_json).collect::<Vec<_>>(),
        "requests": inbox.requests.iter().map(summary_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `POST /api/v1/conversations` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Pseudonyms of the others (up to 11).
    to: Vec<String>,
    body: String,
}

/// `POST /api/v1/conversations`: starts a conversation (or, with one person the viewer already
/// talks to, adds the message to theirs).
pub async fn start_conversation(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<StartRequest>,
) -> Result<Response, ApiError> {
    let id = messages::start(&state.app, &viewer, &request.to.join(","), &request.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "url": format!("/messages/{id}") })),
    )
        .into_response())
}

fn message_json(m: &MessageView<'_>) -> Value {
    json!({
        "id": m.id, "seq": m.seq, "author": m.author, "mine": m.mine, "hidden": m.hidden,
        "body": m.body, "created_at": at(m.created_at),
    })
}

/// `GET /api/v1/conversations/{id}`: the latest 200 messages, marked read.
pub async fn show_conversation(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let c = messages::open(&state.app, &viewer, id).await?;
    Ok(Json(json!({
        "id": c.id, "with": c.others, "group": c.group, "state": c.state.as_str(),
        "closed": c.closed, "last_seq": c.last_seq,
        "messages": c.messages().iter().map(message_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// A body holding only `body`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyRequest {
    body: String,
}

/// `POST /api/v1/conversations/{id}/messages`
pub async fn send_message(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<BodyRequest>,
) -> Result<Response, ApiError> {
    let seq = messages::send(&state.app, &viewer, id, &request.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "seq": seq })).into_response(),
    )
        .into_response())
}

/// A body holding only `answer` (`accept` or `decline`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    answer: String,
}

/// `POST /api/v1/conversations/{id}/request`: accepts or declines a message request.
pub async fn answer_request(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Response, ApiError> {
    let accept = parse_answer(&request.answer)?;
    messages::answer_request(&state.app, &viewer, id, accept).await?;
    Ok(Json(json!({ "accepted": accept })).into_response())
}

/// `POST /api/v1/conversations/{id}/reports` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    messages: Vec<Uuid>,
    reason: String,
}

/// `POST /api/v1/conversations/{id}/reports`: reports chosen messages to the moderators.
pub async fn report(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ReportRequest>,
) -> Result<Response, ApiError> {
    messages::report(&state.app, &viewer, id, &request.messages, &request.reason).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "reported": request.messages.len() })),
    )
        .into_response())
}

/// `GET /api/v1/moderation/message-reports`: each report with only the messages it carries.
pub async fn list_reports(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let reports: Vec<Value> = messages::reports(&state.app, &viewer)
        .await?
        .iter()
        .map(|r| {
            json!({
                "id": r.report.id, "conversation_id": r.report.conversation_id,
                "reporter": r.report.reporter_name, "reason": r.report.reason,
                "created_at": at(r.report.created_at), "resolved_at": r.report.resolved_at.map(at),
                "resolution": r.report.resolution,
                "messages": r.messages.iter().map(|m| json!({
                    "id": m.id, "seq": m.seq, "author": m.author_name, "body": m.body,
                    "created_at": at(m.created_at),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "reports": reports })).into_response())
}

/// `POST /api/v1/moderation/message-reports/{id}` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    resolution: String,
}

/// `POST /api/v1/moderation/message-reports/{id}`
pub async fn resolve_report(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ResolveRequest>,
) -> Result<Response, ApiError> {
    messages::resolve_report(&state.app, &viewer, id, &request.resolution).await?;
    Ok(Json(json!({ "resolved": true })).into_response())
}

/// `GET /api/v1/circles`: the viewer's circles and invites.
pub async fn list_circles(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let (mine, invites) = circles::my_circles(&state.app, &viewer).await?;
    let list = |items: &[circles::CircleSummary]| -> Vec<Value> {
        items
            .iter()
            .map(|c| json!({ "id": c.id, "name": c.name }))
            .collect()
    };
    Ok(Json(json!({ "circles": list(&mine), "invites": list(&invites) })).into_response())
}

/// `POST /api/v1/circles` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCircleRequest {
    name: String,
    #[serde(default)]
    invite: Vec<String>,
}

/// `POST /api/v1/circles`
pub async fn create_circle(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<CreateCircleRequest>,
) -> Result<Response, ApiError> {
    let id = circles::create(
        &state.app,
        &viewer,
        &request.name,
        &request.invite.join(","),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "url": format!("/circles/{id}") })),
    )
        .into_response())
}

/// `GET /api/v1/circles/{id}`: each member as they chose to be seen: a key is present only
/// when its member shares it.
pub async fn show_circle(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let circle = circles::circle(&state.app, &viewer, id).await?;
    let members: Vec<Value> = circle
        .members
        .iter()
        .map(|m| {
            let mut item = json!({ "username": m.name, "is_viewer": m.is_viewer });
            let seen = &m.seen;
            let mut put = |key: &str, value: Value| {
                item[key] = value;
            };
            if let Some(today) = seen.checked_in_today {
                put("checked_in_today", json!(today));
            }
            if let Some(streak) = seen.streak {
                put("streak", json!(streak));
            }
            if let Some(milestones) = &seen.milestones {
                put("milestones", json!(milestones));
            }
            if let Some(signs) = &seen.warning_signs {
                put("warning_signs", json!(signs));
            }
            if let Some(days) = seen.quiet_for_days {
                put("quiet_for_days", json!(days));
            }
            item
        })
        .collect();
    let notes: Vec<Value> = circle
        .notes
        .iter()
        .map(|n| json!({ "author": n.author_name, "body": n.body, "created_at": at(n.created_at) }))
        .collect();
    Ok(Json(json!({
        "id": circle.id, "name": circle.name, "members": members, "pending": circle.pending,
        "notes": notes,
        "my_sharing": { "share": circle.sharing.names(), "quiet_days": circle.quiet_days },
    }))
    .into_response())
}

/// `POST /api/v1/circles/{id}/invites` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    usernames: Vec<String>,
}

/// `POST /api/v1/circles/{id}/invites`: 422 when the circle would pass twelve.
pub async fn invite(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<InviteRequest>,
) -> Result<Response, ApiError> {
    let invited = circles::invite(&state.app, &viewer, id, &request.usernames.join(",")).await?;
    Ok((StatusCode::CREATED, Json(json!({ "invited": invited }))).into_response())
}

/// `POST /api/v1/circles/{id}/answer`: accepts or declines an invite.
pub async fn answer_invite(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Response, ApiError> {
    let accept = parse_answer(&request.answer)?;
    circles::answer_invite(&state.app, &viewer, id, accept).await?;
    Ok(Json(json!({ "joined": accept })).into_response())
}

/// `PUT /api/v1/circles/{id}/sharing` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharingRequest {
    share: Vec<String>,
    #[serde(default)]
    quiet_days: Option<u32>,
}

/// `PUT /api/v1/circles/{id}/sharing`: what the viewer shares with the circle.
pub async fn update_sharing(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<SharingRequest>,
) -> Result<Response, ApiError> {
    let quiet = request
        .quiet_days
        .map(|d| d.to_string())
        .unwrap_or_default();
    circles::update_sharing(
        &state.app,
        &viewer,
        id,
        request.share.iter().map(String::as_str),
        &quiet,
    )
    .await?;
    Ok(Json(json!({ "share": request.share, "quiet_days": request.quiet_days })).into_response())
}

/// `POST /api/v1/circles/{id}/notes` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    note: String,
}

/// `POST /api/v1/circles/{id}/notes`
pub async fn write_note(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<NoteRequest>,
) -> Result<Response, ApiError> {
    circles::write_note(&state.app, &viewer, id, &request.note).await?;
    Ok((StatusCode::CREATED, Json(json!({ "posted": true }))).into_response())
}

/// `POST /api/v1/circles/{id}/nudges` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NudgeRequest {
    username: String,
}

/// `POST /api/v1/circles/{id}/nudges`: "thinking of you", once a day per person.
pub async fn nudge(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<NudgeRequest>,
) -> Result<Response, ApiError> {
    circles::nudge(&state.app, &viewer, id, &request.username).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "nudged": request.username })),
    )
        .into_response())
}

/// `DELETE /api/v1/circles/{id}/membership`: leaves the circle.
pub async fn leave_circle(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    circles::leave(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/reach-out` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReachOutRequest {
    #[serde(default)]
    message: String,
}

/// `POST /api/v1/reach-out`: tells the circle (201), or answers the alert sent moments ago
/// (200, `sent: false`); either way with the crisis resources and meetings to go to.
pub async fn reach_out(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<ReachOutRequest>,
) -> Result<Response, ApiError> {
    let pressed = reach_out::reach_out(&state.app, &viewer, &request.message).await?;
    let mut body = alert_json(&state, &viewer, pressed.id).await?;
    body["sent"] = json!(pressed.sent);
    let help = reach_out::help_now(&state.app, &viewer).await?;
    body["crisis_resources"] =
        serde_json::to_value(&state.app.config.crisis.resources).unwrap_or(Value::Null);
    body["meetings_starting_soon"] =
        serde_json::to_value(&help.starting_soon).unwrap_or(Value::Null);
    body["online_meetings_now"] = serde_json::to_value(&help.online_now).unwrap_or(Value::Null);
    let status = if pressed.sent {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(body)).into_response())
}

async fn alert_json(
    state: &AppState,
    viewer: &mutual_app::accounts::Viewer,
    id: Uuid,
) -> Result<Value, ApiError> {
    let alert = reach_out::alert(&state.app, viewer, id).await?;
    let told: Vec<Value> = alert
        .recipients
        .iter()
        .map(|r| json!({ "username": r.username, "responded_at": r.responded_at.map(at) }))
        .collect();
    Ok(json!({
        "id": alert.id, "member": alert.member, "text": alert.text, "message": alert.message,
        "created_at": at(alert.created_at), "told": told, "mine": alert.mine,
    }))
}

/// `GET /api/v1/reach-out/{id}`: the alert, for its sender and those it told.
pub async fn show_alert(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    Ok(Json(alert_json(&state, &viewer, id).await?).into_response())
}

/// `POST /api/v1/reach-out/{id}/replies`: a recipient writes to the member.
pub async fn reply_to_alert(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<BodyRequest>,
) -> Result<Response, ApiError> {
    let conversation = reach_out::respond(&state.app, &viewer, id, &request.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "conversation_id": conversation })),
    )
        .into_response())
}

fn preferences_json(
    settings: &delivery::Settings,
    address: Option<String>,
    configured: bool,
) -> Value {
    let quiet = settings.quiet.map(|q| q.text());
    json!({
        "email_address": address, "mail_configured": configured,
        "email": settings.email.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "digest": settings.digest.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "quiet_start": quiet.as_ref().map(|q| &q.0), "quiet_end": quiet.as_ref().map(|q| &q.1),
        "discreet": settings.discreet,
    })
}

/// `GET /api/v1/notification-preferences`
pub async fn show_notification_preferences(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let settings = delivery::settings(&state.app, &viewer).await?;
    let address = delivery::address(&state.app, &viewer).await?;
    Ok(Json(preferences_json(
        &settings,
        address,
        delivery::mail_configured(&state.app),
    ))
    .into_response())
}

/// `PUT /api/v1/notification-preferences` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesRequest {
    #[serde(default)]
    email_address: Option<String>,
    email: Vec<String>,
    #[serde(default)]
    digest: Vec<String>,
    #[serde(default)]
    quiet_start: Option<String>,
    #[serde(default)]
    quiet_end: Option<String>,
    discreet: bool,
}

/// `PUT /api/v1/notification-preferences`: the e-mail address and what is e-mailed, when.
pub async fn save_notification_preferences(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<PreferencesRequest>,
) -> Result<Response, ApiError> {
    let input = delivery::SettingsInput {
        address: request.email_address.as_deref().unwrap_or(""),
        email: request.email.iter().map(String::as_str).collect(),
        digest: request.digest.iter().map(String::as_str).collect(),
        quiet_start: request.quiet_start.as_deref().unwrap_or(""),
        quiet_end: request.quiet_end.as_deref().unwrap_or(""),
        discreet: request.discreet,
    };
    delivery::save_settings(&state.app, &viewer, &input).await?;
    show_notification_preferences(State(state), SignedIn(viewer)).await
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/v1/notification-preferences",
            Member,
            show_notification_preferences,
        )
        .put(
            "/api/v1/notification-preferences",
            Member,
            save_notification_preferences,
        )
        .get("/api/v1/conversations", Member, list_conversations)
        .post_limited(
            "/api/v1/conversations",
            Member,
            crate::POST_BODY_BYTES,
            start_conversation,
        )
        .get("/api/v1/conversations/{id}", Member, show_conversation)
        .post_limited(
            "/api/v1/conversations/{id}/messages",
            Member,
            crate::POST_BODY_BYTES,
            send_message,
        )
        .post("/api/v1/conversations/{id}/request", Member, answer_request)
        .post("/api/v1/conversations/{id}/reports", Member, report)
        .get(
            "/api/v1/moderation/message-reports",
            Moderator,
            list_reports,
        )
        .post(
            "/api/v1/moderation/message-reports/{id}",
            Moderator,
            resolve_report,
        )
        .get("/api/v1/circles", Member, list_circles)
        .post("/api/v1/circles", Member, create_circle)
        .get("/api/v1/circles/{id}", Member, show_circle)
        .post("/api/v1/circles/{id}/invites", Member, invite)
        .post("/api/v1/circles/{id}/answer", Member, answer_invite)
        .put("/api/v1/circles/{id}/sharing", Member, update_sharing)
        .post("/api/v1/circles/{id}/notes", Member, write_note)
        .post("/api/v1/circles/{id}/nudges", Member, nudge)
        .delete("/api/v1/circles/{id}/membership", Member, leave_circle)
        .post("/api/v1/reach-out", Member, reach_out)
        .get("/api/v1/reach-out/{id}", Member, show_alert)
        .post_limited(
            "/api/v1/reach-out/{id}/replies",
            Member,
            crate::POST_BODY_BYTES,
            reply_to_alert,
        )
}
