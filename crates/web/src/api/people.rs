//! `/api/v1` for people: conversations and messages (with requests and reports), circles
//! (invites, sharing choices, notes, nudges), Reach out, and notification delivery settings.

use crate::AppState;
use crate::api::contract::ErrorResponse;
use crate::api::contract::at;
use crate::api::contract::{CrisisResourceResponse, renamed};
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
use mutual_app::accounts::Viewer;
use mutual_app::notifications::delivery;
use mutual_app::people::circles;
use mutual_app::people::messages::{self, MessageView, Summary};
use mutual_app::people::reach_out;
use mutual_domain::notifications::Category;
use mutual_domain::permissions::Access::{Member, Moderator};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// Accept or decline.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // describes the values of `answer`, which `parse_answer` reads
enum AcceptOrDecline {
    Accept,
    Decline,
}

/// A request body holding only `answer`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptOrDeclineRequest {
    /// `accept` or `decline`.
    #[schema(value_type = AcceptOrDecline, example = "accept")]
    answer: String,
}

// ---------------------------------------------------------------------------------------------
// Conversations

/// The viewer's place in a conversation.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum ConversationState {
    /// The viewer reads and writes here.
    Active,
    /// A stranger's first message to a new member, waiting for the viewer to accept it.
    Request,
    /// A message request the viewer declined (the sender was not told).
    Declined,
}

impl ConversationState {
    /// The state named by the use case (`active`, `request` or `declined`).
    fn named(name: &str) -> ConversationState {
        match name {
            "request" => ConversationState::Request,
            "declined" => ConversationState::Declined,
            _ => ConversationState::Active,
        }
    }
}

/// A conversation as the viewer's list shows it.
#[derive(Serialize, ToSchema)]
struct ConversationSummary {
    #[schema(example = "0190f3a4-7c1e-7d2a-9b1e-3f6c2a8d9e01")]
    id: Uuid,
    /// The other people in it, by pseudonym.
    #[schema(example = json!(["quiet_harbour"]))]
    with: Vec<String>,
    /// Messages have come since the viewer last opened it.
    unread: bool,
    state: ConversationState,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-11-21T21:05:00+00:00")]
    last_message_at: String,
    /// The conversation's page on the site.
    #[schema(example = "/messages/0190f3a4-7c1e-7d2a-9b1e-3f6c2a8d9e01")]
    url: String,
}

impl From<&Summary> for ConversationSummary {
    fn from(c: &Summary) -> Self {
        ConversationSummary {
            id: c.id,
            with: c.with.clone(),
            unread: c.unread,
            state: ConversationState::named(c.state.as_str()),
            last_message_at: at(c.last_message_at),
            url: format!("/messages/{}", c.id),
        }
    }
}

/// The viewer's conversations and the message requests waiting for them.
#[derive(Serialize, ToSchema)]
struct ConversationListResponse {
    /// Conversations the viewer is in, latest message first.
    conversations: Vec<ConversationSummary>,
    /// Message requests waiting for the viewer's answer, latest first.
    requests: Vec<ConversationSummary>,
}

/// The viewer's conversations (latest first) and message requests waiting for them
///
/// Declined requests are left out.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "people",
    responses(
        (status = 200, description = "The conversations and requests", body = ConversationListResponse),
    ))]
pub async fn list_conversations(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let inbox = messages::inbox(&state.app, &viewer).await?;
    Ok(Json(ConversationListResponse {
        conversations: inbox.conversations.iter().map(Into::into).collect(),
        requests: inbox.requests.iter().map(Into::into).collect(),
    })
    .into_response())
}

/// `POST /api/v1/conversations` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartConversationRequest {
    /// Pseudonyms of the others: 1 to 11 different members (a leading `@` is dropped).
    #[schema(min_items = 1, example = json!(["quiet_harbour"]))]
    to: Vec<String>,
    /// The first message: up to 4,000 characters, not blank (surrounding white space is
    /// trimmed).
    #[schema(
        max_length = 4000,
        pattern = r"\S",
        example = "Hi, I read your post about week one. How are you doing?"
    )]
    body: String,
}

/// A conversation started (or written to).
#[derive(Serialize, ToSchema)]
struct ConversationStartedResponse {
    #[schema(example = "0190f3a4-7c1e-7d2a-9b1e-3f6c2a8d9e01")]
    id: Uuid,
    /// The conversation's page on the site.
    #[schema(example = "/messages/0190f3a4-7c1e-7d2a-9b1e-3f6c2a8d9e01")]
    url: String,
    #[serde(flatten)]
    crisis: CrisisShown,
}

/// Start a conversation with up to 11 others
///
/// With one person the viewer already talks to, the message goes into their conversation.
/// New members are reached by strangers only as message requests (three a day); a member with
/// a block either way gets the answer an unknown pseudonym gets.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "people",
    request_body = StartConversationRequest,
    responses(
        (status = 201, description = "The conversation (new, or the two's existing one)", body = ConversationStartedResponse),
    ))]
pub async fn start_conversation(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<StartConversationRequest>,
) -> Result<Response, ApiError> {
    let sent = messages::start(&state.app, &viewer, &request.to.join(","), &request.body).await?;
    let id = sent.conversation;
    let body = ConversationStartedResponse {
        id,
        url: format!("/messages/{id}"),
        crisis: CrisisShown::after(&state, &viewer, &sent),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A message as the viewer sees it.
#[derive(Serialize, ToSchema)]
struct ConversationMessage {
    /// Pass it to the reports route to report the message.
    #[schema(example = "0190f3a5-1b2c-7e3d-8f4a-5b6c7d8e9f00")]
    id: Uuid,
    /// Its number in the conversation, from 1.
    #[schema(example = 12)]
    seq: i64,
    /// The author's pseudonym; null once their account is erased.
    #[schema(required = true, example = "quiet_harbour")]
    author: Option<String>,
    /// The viewer wrote it.
    mine: bool,
    /// The viewer blocked the author: `body` is empty.
    hidden: bool,
    /// The text; empty when hidden.
    #[schema(example = "Thank you, that helps.")]
    body: String,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-11-21T21:05:00+00:00")]
    created_at: String,
}

impl From<&MessageView<'_>> for ConversationMessage {
    fn from(m: &MessageView<'_>) -> Self {
        ConversationMessage {
            id: m.id,
            seq: m.seq,
            author: m.author.map(str::to_owned),
            mine: m.mine,
            hidden: m.hidden,
            body: m.body.to_owned(),
            created_at: at(m.created_at),
        }
    }
}

/// A conversation with its latest messages.
#[derive(Serialize, ToSchema)]
struct ConversationResponse {
    #[schema(example = "0190f3a4-7c1e-7d2a-9b1e-3f6c2a8d9e01")]
    id: Uuid,
    /// The other people in it, by pseudonym.
    #[schema(example = json!(["quiet_harbour"]))]
    with: Vec<String>,
    /// More than two people.
    group: bool,
    state: ConversationState,
    /// Why the viewer cannot write here; null when they can.
    #[schema(required = true, example = "Accept this message request to reply.")]
    closed: Option<&'static str>,
    /// The number of the latest message.
    #[schema(example = 12)]
    last_seq: i64,
    /// The latest 200 messages, oldest first.
    messages: Vec<ConversationMessage>,
}

/// The latest 200 messages of a conversation the viewer is in, marked read
///
/// Messages from anyone on the other side of a block are left out, or shown as a placeholder
/// (`hidden`, empty body) when the viewer placed the block.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "people",
    params(IdPath),
    responses(
        (status = 200, description = "The conversation", body = ConversationResponse),
    ))]
pub async fn show_conversation(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let c = messages::open(&state.app, &viewer, id).await?;
    Ok(Json(ConversationResponse {
        id: c.id,
        with: c.others.clone(),
        group: c.group,
        state: ConversationState::named(c.state.as_str()),
        closed: c.closed,
        last_seq: c.last_seq,
        messages: c.messages().iter().map(Into::into).collect(),
    })
    .into_response())
}

/// `POST /api/v1/conversations/{id}/messages` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// Up to 4,000 characters, not blank (surrounding white space is trimmed).
    #[schema(max_length = 4000, pattern = r"\S", example = "Thank you, that helps.")]
    body: String,
}

/// A message sent.
#[derive(Serialize, ToSchema)]
struct MessageSentResponse {
    /// The message's number in the conversation.
    #[schema(example = 13)]
    seq: i64,
    #[serde(flatten)]
    crisis: CrisisShown,
}

/// Whether the message just sent held crisis language, and the lines to show its sender.
#[derive(Serialize, ToSchema)]
struct CrisisShown {
    /// Crisis language was found: show the sender `crisis_resources` now. Nobody else is told
    /// (no moderator reads a private message unless a member reports it).
    crisis_resources_shown: bool,
    /// The crisis lines to show the sender now; empty unless `crisis_resources_shown`.
    crisis_resources: Vec<CrisisResourceResponse>,
}

impl CrisisShown {
    fn after(state: &AppState, viewer: &Viewer, sent: &messages::Sent) -> CrisisShown {
        CrisisShown {
            crisis_resources_shown: sent.crisis_resources_shown,
            crisis_resources: if sent.crisis_resources_shown {
                CrisisResourceResponse::for_viewer(&state.app, viewer)
            } else {
                Vec::new()
            },
        }
    }
}

/// Send a message (up to 4,000 characters)
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "people",
    params(IdPath),
    request_body = SendMessageRequest,
    responses(
        (status = 201, description = "Sent", body = MessageSentResponse),
        (status = 403, description = "The viewer cannot write here: a message request not yet accepted, a declined one, a member the viewer blocked, or the viewer is silenced or suspended", body = ErrorResponse),
    ))]
pub async fn send_message(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<SendMessageRequest>,
) -> Result<Response, ApiError> {
    let sent = messages::send(&state.app, &viewer, id, &request.body).await?;
    let body = MessageSentResponse {
        seq: sent.seq,
        crisis: CrisisShown::after(&state, &viewer, &sent),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A message request answered.
#[derive(Serialize, ToSchema)]
struct MessageRequestAnsweredResponse {
    /// `true` when accepted: the conversation is now in the viewer's list.
    accepted: bool,
}

/// Accept or decline a message request (the sender is not told)
#[utoipa::path(post, path = "/api/v1/conversations/{id}/request", tag = "people",
    params(IdPath),
    request_body = AcceptOrDeclineRequest,
    responses(
        (status = 200, description = "Answered", body = MessageRequestAnsweredResponse),
        (status = 409, description = "This is not a message request waiting for an answer", body = ErrorResponse),
    ))]
pub async fn answer_request(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AcceptOrDeclineRequest>,
) -> Result<Response, ApiError> {
    let accept = parse_answer(&request.answer)?;
    messages::answer_request(&state.app, &viewer, id, accept).await?;
    Ok(Json(MessageRequestAnsweredResponse { accepted: accept }).into_response())
}

/// `POST /api/v1/conversations/{id}/reports` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportMessagesRequest {
    /// Ids of the messages reported, all from this conversation.
    #[schema(min_items = 1, example = json!(["0190f3a5-1b2c-7e3d-8f4a-5b6c7d8e9f00"]))]
    messages: Vec<Uuid>,
    /// What is wrong, for the moderators: up to 1,000 characters, not blank.
    #[schema(
        max_length = 1000,
        pattern = r"\S",
        example = "Keeps pushing me to meet in person."
    )]
    reason: String,
}

/// Messages reported.
#[derive(Serialize, ToSchema)]
struct MessagesReportedResponse {
    /// How many messages the report carries.
    #[schema(example = 1)]
    reported: usize,
}

/// Report chosen messages of the conversation
///
/// Moderators see those messages and no others.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/reports", tag = "people",
    params(IdPath),
    request_body = ReportMessagesRequest,
    responses(
        (status = 201, description = "Reported", body = MessagesReportedResponse),
    ))]
pub async fn report(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ReportMessagesRequest>,
) -> Result<Response, ApiError> {
    messages::report(&state.app, &viewer, id, &request.messages, &request.reason).await?;
    let body = MessagesReportedResponse {
        reported: request.messages.len(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A message a report carries.
#[derive(Serialize, ToSchema)]
struct ReportedMessage {
    #[schema(example = "0190f3a5-1b2c-7e3d-8f4a-5b6c7d8e9f00")]
    id: Uuid,
    /// Its number in the conversation.
    #[schema(example = 12)]
    seq: i64,
    /// The author's pseudonym; null once their account is erased.
    #[schema(required = true, example = "quiet_harbour")]
    author: Option<String>,
    #[schema(example = "Come on, just meet me tonight.")]
    body: String,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-11-21T21:05:00+00:00")]
    created_at: String,
}

/// A message report.
#[derive(Serialize, ToSchema)]
struct MessageReport {
    /// Pass it to the resolve route.
    #[schema(example = "0190f3a6-2c3d-7f4e-9a5b-6c7d8e9f0a11")]
    id: Uuid,
    /// The conversation the messages come from (the same for reports from one conversation).
    #[schema(example = "0190f3a4-7c1e-7d2a-9b1e-3f6c2a8d9e01")]
    conversation_id: Uuid,
    /// Who reported; null once their account is erased.
    #[schema(required = true, example = "lantern_keeper")]
    reporter: Option<String>,
    #[schema(example = "Keeps pushing me to meet in person.")]
    reason: String,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-11-21T21:10:00+00:00")]
    created_at: String,
    /// RFC 3339; null while open.
    #[schema(required = true, format = DateTime, example = "2026-11-22T08:30:00+00:00")]
    resolved_at: Option<String>,
    /// The moderator's note of what was done; empty while open.
    #[schema(example = "Warned the sender.")]
    resolution: String,
    /// Only the messages the report carries.
    messages: Vec<ReportedMessage>,
}

/// Message reports for the moderators.
#[derive(Serialize, ToSchema)]
struct MessageReportListResponse {
    /// Open reports first (the latest 100).
    reports: Vec<MessageReport>,
}

/// Message reports, open first, each with only the messages it carries (moderators)
#[utoipa::path(get, path = "/api/v1/moderation/message-reports", tag = "people",
    responses(
        (status = 200, description = "The reports", body = MessageReportListResponse),
    ))]
pub async fn list_reports(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let reports = messages::reports(&state.app, &viewer)
        .await?
        .iter()
        .map(|r| MessageReport {
            id: r.report.id,
            conversation_id: r.report.conversation_id,
            reporter: r.report.reporter_name.clone(),
            reason: r.report.reason.clone(),
            created_at: at(r.report.created_at),
            resolved_at: r.report.resolved_at.map(at),
            resolution: r.report.resolution.clone(),
            messages: r
                .messages
                .iter()
                .map(|m| ReportedMessage {
                    id: m.id,
                    seq: m.seq,
                    author: m.author_name.clone(),
                    body: m.body.clone(),
                    created_at: at(m.created_at),
                })
                .collect(),
        })
        .collect();
    Ok(Json(MessageReportListResponse { reports }).into_response())
}

/// `POST /api/v1/moderation/message-reports/{id}` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveMessageReportRequest {
    /// What was done, for the other moderators: up to 1,000 characters, not blank.
    #[schema(max_length = 1000, pattern = r"\S", example = "Warned the sender.")]
    resolution: String,
}

/// A message report resolved.
#[derive(Serialize, ToSchema)]
struct MessageReportResolvedResponse {
    /// Always `true`.
    resolved: bool,
}

/// Resolve a message report with a note (moderators)
#[utoipa::path(post, path = "/api/v1/moderation/message-reports/{id}", tag = "people",
    params(IdPath),
    request_body = ResolveMessageReportRequest,
    responses(
        (status = 200, description = "Resolved", body = MessageReportResolvedResponse),
        (status = 409, description = "This report was resolved already", body = ErrorResponse),
    ))]
pub async fn resolve_report(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ResolveMessageReportRequest>,
) -> Result<Response, ApiError> {
    messages::resolve_report(&state.app, &viewer, id, &request.resolution).await?;
    Ok(Json(MessageReportResolvedResponse { resolved: true }).into_response())
}

// ---------------------------------------------------------------------------------------------
// Circles

/// A circle in the viewer's list.
#[derive(Serialize, ToSchema)]
struct CircleListItem {
    #[schema(example = "0190f3b0-4d5e-7a6b-8c7d-9e0f1a2b3c4d")]
    id: Uuid,
    #[schema(example = "Tuesday group")]
    name: String,
}

/// The viewer's circles and the invites waiting for them.
#[derive(Serialize, ToSchema)]
struct CircleListResponse {
    circles: Vec<CircleListItem>,
    /// Circles the viewer is invited to; answer with the answer route.
    invites: Vec<CircleListItem>,
}

/// The viewer's circles and the invites waiting for them
#[utoipa::path(get, path = "/api/v1/circles", tag = "people",
    responses(
        (status = 200, description = "The circles and invites", body = CircleListResponse),
    ))]
pub async fn list_circles(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let (mine, invites) = circles::my_circles(&state.app, &viewer).await?;
    let list = |items: Vec<circles::CircleSummary>| -> Vec<CircleListItem> {
        items
            .into_iter()
            .map(|c| CircleListItem {
                id: c.id,
                name: c.name,
            })
            .collect()
    };
    Ok(Json(CircleListResponse {
        circles: list(mine),
        invites: list(invites),
    })
    .into_response())
}

/// `POST /api/v1/circles` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCircleRequest {
    /// Up to 60 characters, not blank.
    #[schema(max_length = 60, pattern = r"\S", example = "Tuesday group")]
    name: String,
    /// Pseudonyms to invite: up to 11 different members (a circle holds 12, invites included).
    #[serde(default)]
    #[schema(example = json!(["quiet_harbour", "lantern_keeper"]))]
    invite: Vec<String>,
}

/// A circle created.
#[derive(Serialize, ToSchema)]
struct CircleCreatedResponse {
    #[schema(example = "0190f3b0-4d5e-7a6b-8c7d-9e0f1a2b3c4d")]
    id: Uuid,
    /// The circle's page on the site.
    #[schema(example = "/circles/0190f3b0-4d5e-7a6b-8c7d-9e0f1a2b3c4d")]
    url: String,
}

/// Start a circle, inviting members by pseudonym
///
/// The viewer shares the defaults with it: whether they checked in today, and Reach out.
#[utoipa::path(post, path = "/api/v1/circles", tag = "people",
    request_body = CreateCircleRequest,
    responses(
        (status = 201, description = "Created; the invited are told", body = CircleCreatedResponse),
    ))]
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
    let body = CircleCreatedResponse {
        id,
        url: format!("/circles/{id}"),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Something a member may let a circle see.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum CircleSharingChoice {
    /// Whether they checked in today (yes or no, never what they wrote).
    Checkin,
    /// How many days in a row they have checked in.
    Streak,
    /// The milestones their clocks reach.
    Milestones,
    /// The warning signs their check-ins raise.
    WarningSigns,
    /// Their Reach out alerts.
    ReachOut,
}

impl CircleSharingChoice {
    /// The choice of a name the use case accepted.
    fn named(name: &str) -> Option<CircleSharingChoice> {
        Some(match name {
            "checkin" => CircleSharingChoice::Checkin,
            "streak" => CircleSharingChoice::Streak,
            "milestones" => CircleSharingChoice::Milestones,
            "warning_signs" => CircleSharingChoice::WarningSigns,
            "reach_out" => CircleSharingChoice::ReachOut,
            _ => return None,
        })
    }

    fn all_named<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<CircleSharingChoice> {
        names.into_iter().filter_map(Self::named).collect()
    }
}

/// A member of the circle as they chose to be seen: each fact is null unless they share it.
#[derive(Serialize, ToSchema)]
struct CircleMember {
    #[schema(example = "quiet_harbour")]
    username: String,
    /// This is the viewer.
    is_viewer: bool,
    /// Whether they checked in today; null unless they share it.
    #[schema(required = true)]
    checked_in_today: Option<bool>,
    /// Days in a row they have checked in; null unless they share it.
    #[schema(required = true, example = 12)]
    streak: Option<u32>,
    /// Their clocks' latest reached milestones; null unless they share them.
    #[schema(required = true, example = json!(["90 days"]))]
    milestones: Option<Vec<String>>,
    /// Warning signs their check-ins raised in the last week; null unless they share them.
    #[schema(required = true, example = json!(["Cravings three days running"]))]
    warning_signs: Option<Vec<String>>,
    /// Days since their last check-in, when they asked to be noticed after that many quiet
    /// days and that many have passed; null otherwise.
    #[schema(required = true, example = 3)]
    quiet_for_days: Option<u32>,
}

/// An encouragement note on the circle's page.
#[derive(Serialize, ToSchema)]
struct CircleNote {
    #[schema(example = "lantern_keeper")]
    author: String,
    #[schema(example = "Proud of you all")]
    body: String,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-11-21T19:00:00+00:00")]
    created_at: String,
}

/// What the viewer shares with a circle.
#[derive(Serialize, ToSchema)]
struct CircleSharingResponse {
    share: Vec<CircleSharingChoice>,
    /// After this many days without a check-in the circle is told; null: never.
    #[schema(required = true, minimum = 1, maximum = 30, example = 3)]
    quiet_days: Option<u32>,
}

/// A circle, as one of its members sees it.
#[derive(Serialize, ToSchema)]
struct CircleResponse {
    #[schema(example = "0190f3b0-4d5e-7a6b-8c7d-9e0f1a2b3c4d")]
    id: Uuid,
    #[schema(example = "Tuesday group")]
    name: String,
    members: Vec<CircleMember>,
    /// Pseudonyms invited who have not answered yet.
    #[schema(example = json!(["new_dawn"]))]
    pending: Vec<String>,
    /// The latest 50 notes, newest first.
    notes: Vec<CircleNote>,
    /// What the viewer shares with this circle.
    my_sharing: CircleSharingResponse,
}

/// A circle: each member with only what they share
///
/// `checked_in_today`, `streak`, `milestones`, `warning_signs` and `quiet_for_days` are null
/// for a member who does not share them.
#[utoipa::path(get, path = "/api/v1/circles/{id}", tag = "people",
    params(IdPath),
    responses(
        (status = 200, description = "The circle", body = CircleResponse),
    ))]
pub async fn show_circle(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let circle = circles::circle(&state.app, &viewer, id).await?;
    let members = circle
        .members
        .into_iter()
        .map(|m| CircleMember {
            username: m.name,
            is_viewer: m.is_viewer,
            checked_in_today: m.seen.checked_in_today,
            streak: m.seen.streak,
            milestones: m.seen.milestones,
            warning_signs: m.seen.warning_signs,
            quiet_for_days: m.seen.quiet_for_days,
        })
        .collect();
    let notes = circle
        .notes
        .into_iter()
        .map(|n| CircleNote {
            author: n.author_name,
            body: n.body,
            created_at: at(n.created_at),
        })
        .collect();
    Ok(Json(CircleResponse {
        id: circle.id,
        name: circle.name,
        members,
        pending: circle.pending,
        notes,
        my_sharing: CircleSharingResponse {
            share: CircleSharingChoice::all_named(circle.sharing.names()),
            quiet_days: circle.quiet_days,
        },
    })
    .into_response())
}

/// `POST /api/v1/circles/{id}/invites` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleInviteRequest {
    /// Pseudonyms to invite; the circle holds 12 people, pending invites included. A member
    /// sends `app.people.circle_invites_per_day` invites a day (20 by default).
    #[schema(example = json!(["new_dawn"]))]
    usernames: Vec<String>,
}

/// Members invited.
#[derive(Serialize, ToSchema)]
struct CircleInvitedResponse {
    /// How many were invited.
    #[schema(example = 1)]
    invited: usize,
}

/// Invite members by pseudonym
///
/// 422 when the circle would pass 12 people, invites included.
#[utoipa::path(post, path = "/api/v1/circles/{id}/invites", tag = "people",
    params(IdPath),
    request_body = CircleInviteRequest,
    responses(
        (status = 201, description = "Invited; they are told", body = CircleInvitedResponse),
    ))]
pub async fn invite(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<CircleInviteRequest>,
) -> Result<Response, ApiError> {
    let invited = circles::invite(&state.app, &viewer, id, &request.usernames.join(","))
        .await
        .map_err(|e| renamed(e, &[("invite", "usernames")]))?;
    Ok((StatusCode::CREATED, Json(CircleInvitedResponse { invited })).into_response())
}

/// An invite answered.
#[derive(Serialize, ToSchema)]
struct CircleInviteAnsweredResponse {
    /// `true` when accepted: the viewer is in the circle, sharing the defaults.
    joined: bool,
}

/// Accept or decline an invite to the circle
#[utoipa::path(post, path = "/api/v1/circles/{id}/answer", tag = "people",
    params(IdPath),
    request_body = AcceptOrDeclineRequest,
    responses(
        (status = 200, description = "Answered", body = CircleInviteAnsweredResponse),
    ))]
pub async fn answer_invite(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AcceptOrDeclineRequest>,
) -> Result<Response, ApiError> {
    let accept = parse_answer(&request.answer)?;
    circles::answer_invite(&state.app, &viewer, id, accept).await?;
    Ok(Json(CircleInviteAnsweredResponse { joined: accept }).into_response())
}

/// `PUT /api/v1/circles/{id}/sharing` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleSharingRequest {
    /// Everything the viewer shares with the circle (what is left out is not shared).
    #[schema(value_type = Vec<CircleSharingChoice>, example = json!(["checkin", "reach_out"]))]
    share: Vec<String>,
    /// Tell the circle after this many days without a check-in; null or absent: never.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 30, example = 3)]
    quiet_days: Option<u32>,
}

/// What the viewer shares with the circle, and after how many quiet days it is told
#[utoipa::path(put, path = "/api/v1/circles/{id}/sharing", tag = "people",
    params(IdPath),
    request_body = CircleSharingRequest,
    responses(
        (status = 200, description = "Saved", body = CircleSharingResponse),
    ))]
pub async fn update_sharing(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<CircleSharingRequest>,
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
    Ok(Json(CircleSharingResponse {
        share: CircleSharingChoice::all_named(request.share.iter().map(String::as_str)),
        quiet_days: request.quiet_days,
    })
    .into_response())
}

/// `POST /api/v1/circles/{id}/notes` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleNoteRequest {
    /// Up to 1,000 characters, not blank.
    #[schema(max_length = 1000, pattern = r"\S", example = "Proud of you all")]
    note: String,
}

/// A note posted.
#[derive(Serialize, ToSchema)]
struct CircleNotePostedResponse {
    /// Always `true`.
    posted: bool,
}

/// Write encouragement on the circle's page
///
/// The other members are told.
#[utoipa::path(post, path = "/api/v1/circles/{id}/notes", tag = "people",
    params(IdPath),
    request_body = CircleNoteRequest,
    responses(
        (status = 201, description = "Posted", body = CircleNotePostedResponse),
    ))]
pub async fn write_note(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<CircleNoteRequest>,
) -> Result<Response, ApiError> {
    circles::write_note(&state.app, &viewer, id, &request.note).await?;
    Ok((
        StatusCode::CREATED,
        Json(CircleNotePostedResponse { posted: true }),
    )
        .into_response())
}

/// `POST /api/v1/circles/{id}/nudges` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleNudgeRequest {
    /// Another member of the circle (any letter case).
    #[schema(example = "quiet_harbour")]
    username: String,
}

/// A nudge sent.
#[derive(Serialize, ToSchema)]
struct CircleNudgedResponse {
    /// The pseudonym as sent.
    #[schema(example = "quiet_harbour")]
    nudged: String,
}

/// Send a member of the circle a "thinking of you" nudge
///
/// Once a day per person: a second one within the day is refused (422). Someone who is not
/// another member of the circle is not found (404).
#[utoipa::path(post, path = "/api/v1/circles/{id}/nudges", tag = "people",
    params(IdPath),
    request_body = CircleNudgeRequest,
    responses(
        (status = 201, description = "Sent", body = CircleNudgedResponse),
    ))]
pub async fn nudge(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<CircleNudgeRequest>,
) -> Result<Response, ApiError> {
    circles::nudge(&state.app, &viewer, id, &request.username).await?;
    let body = CircleNudgedResponse {
        nudged: request.username,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Leave the circle
///
/// A circle nobody is left in is deleted.
#[utoipa::path(delete, path = "/api/v1/circles/{id}/membership", tag = "people",
    params(IdPath),
    responses((status = 204, description = "Left")))]
pub async fn leave_circle(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    circles::leave(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------------------------------------------------------------------------------------------
// Reach out

/// `POST /api/v1/reach-out` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReachOutRequest {
    /// An optional message for those told: up to 500 characters (surrounding white space is
    /// trimmed).
    #[serde(default)]
    #[schema(max_length = 500, example = "Rough night, cravings are bad")]
    message: String,
}

/// Someone an alert told.
#[derive(Serialize, ToSchema)]
struct ReachOutRecipient {
    #[schema(example = "lantern_keeper")]
    username: String,
    /// RFC 3339: when they replied; null until they do.
    #[schema(required = true, format = DateTime, example = "2026-11-21T21:09:00+00:00")]
    responded_at: Option<String>,
}

/// A Reach out alert.
#[derive(Serialize, ToSchema)]
struct ReachOutAlertResponse {
    #[schema(example = "0190f3c0-5e6f-7b7c-8d9e-0f1a2b3c4d5e")]
    id: Uuid,
    /// Who reached out.
    #[schema(example = "quiet_harbour")]
    member: String,
    /// What those told are told.
    #[schema(example = "quiet_harbour is having a hard time and would like to hear from someone")]
    text: String,
    /// The member's own words; empty when they wrote none.
    #[schema(example = "Rough night, cravings are bad")]
    message: String,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-11-21T21:05:00+00:00")]
    created_at: String,
    /// Whom it told, those who responded first; a recipient sees only themselves.
    told: Vec<ReachOutRecipient>,
    /// The viewer sent it.
    mine: bool,
}

/// How people attend a meeting.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum ReachOutMeetingMode {
    InPerson,
    Online,
    Hybrid,
    Phone,
}

impl ReachOutMeetingMode {
    fn of(mode: &str) -> ReachOutMeetingMode {
        use mutual_domain::meetings::catalog::Mode;
        match Mode::parse(mode) {
            Some(Mode::Online) => ReachOutMeetingMode::Online,
            Some(Mode::Hybrid) => ReachOutMeetingMode::Hybrid,
            Some(Mode::Phone) => ReachOutMeetingMode::Phone,
            Some(Mode::InPerson) | None => ReachOutMeetingMode::InPerson,
        }
    }
}

/// A meeting to go to, with when it meets next.
#[derive(Serialize, ToSchema)]
struct ReachOutMeeting {
    /// The meeting (`GET /api/v1/meetings/{id}`).
    #[schema(example = "0190e1a0-1111-7222-8333-444455556666")]
    id: Uuid,
    #[schema(example = "Daily Reflections")]
    name: String,
    /// Its group (`GET /api/v1/groups/{id}`).
    #[schema(example = "0190e1a0-7777-7888-8999-aaaabbbbcccc")]
    group_id: Uuid,
    #[schema(example = "Lakeside Group")]
    group: String,
    /// The programme's code.
    #[schema(example = "aa")]
    program: String,
    #[schema(example = "Alcoholics Anonymous")]
    program_name: String,
    mode: ReachOutMeetingMode,
    /// Meeting type codes.
    #[schema(example = json!(["O", "D"]))]
    types: Vec<String>,
    /// When it meets, in words.
    #[schema(example = "Every day at 19:00")]
    schedule: String,
    /// The meeting's IANA time zone.
    #[schema(example = "America/Chicago")]
    time_zone: String,
    /// Where it meets (empty when online only).
    location: String,
    city: String,
    /// RFC 3339: the next (or current) meeting's start.
    #[schema(format = DateTime, example = "2026-11-22T01:00:00+00:00")]
    starts_at: String,
    /// RFC 3339: its end.
    #[schema(format = DateTime, example = "2026-11-22T02:00:00+00:00")]
    ends_at: String,
    /// The start in the viewer's time zone, `YYYY-MM-DD HH:MM`.
    #[schema(example = "2026-11-21 19:00")]
    starts_local: String,
    /// The weekday it starts on in the viewer's zone, Sunday to Saturday.
    #[schema(example = "Saturday")]
    weekday: &'static str,
    /// The start in the meeting's own zone, `YYYY-MM-DD HH:MM Zone`, when that differs from
    /// the viewer's; null otherwise.
    #[schema(required = true, example = "2026-11-21 19:00 America/Chicago")]
    meeting_local: Option<String>,
    /// It is meeting now.
    in_progress: bool,
}

impl From<&mutual_app::meetings::MeetingSummary> for ReachOutMeeting {
    fn from(m: &mutual_app::meetings::MeetingSummary) -> Self {
        let (f, t) = (&m.facts, &m.timing);
        ReachOutMeeting {
            id: f.id,
            name: f.name.to_string(),
            group_id: f.group_id,
            group: f.group.to_string(),
            program: f.program.to_string(),
            program_name: f.program_name.to_string(),
            mode: ReachOutMeetingMode::of(f.mode),
            types: f.types.to_vec(),
            schedule: f.schedule.to_string(),
            time_zone: f.time_zone.to_string(),
            location: f.location.to_string(),
            city: f.city.to_string(),
            starts_at: t.starts_at.clone(),
            ends_at: t.ends_at.clone(),
            starts_local: t.starts_local.clone(),
            weekday: t.weekday,
            meeting_local: t.meeting_local.clone(),
            in_progress: t.in_progress,
        }
    }
}

/// A press of Reach out: the alert, and help at once.
#[derive(Serialize, ToSchema)]
struct ReachOutResponse {
    /// The alert, as its page shows it.
    #[serde(flatten)]
    alert: ReachOutAlertResponse,
    /// `false` when the press showed the alert sent moments ago instead of sending another.
    sent: bool,
    /// Crisis lines and services for the server's region.
    crisis_resources: Vec<CrisisResourceResponse>,
    /// Meetings starting within two hours (up to 5).
    meetings_starting_soon: Vec<ReachOutMeeting>,
    /// Online meetings in progress now (up to 5).
    online_meetings_now: Vec<ReachOutMeeting>,
}

/// Reach out: tell the viewer's circles and mentors that they are having a hard time
///
/// Those told are the viewer's circles and mentors that they share Reach out with (nobody on
/// the other side of a block). Pressed again within 15 minutes, or past six
/// alerts a day, it shows the alert already sent (200, `sent: false`) and tells nobody again.
/// Never refused: either way the answer carries crisis resources and meetings to go to.
#[utoipa::path(post, path = "/api/v1/reach-out", tag = "people",
    request_body = ReachOutRequest,
    responses(
        (status = 201, description = "The alert sent", body = ReachOutResponse),
        (status = 200, description = "The alert sent moments ago, shown again (`sent: false`)", body = ReachOutResponse),
    ))]
pub async fn reach_out(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<ReachOutRequest>,
) -> Result<Response, ApiError> {
    let pressed = reach_out::reach_out(&state.app, &viewer, &request.message).await?;
    let alert = alert(&state, &viewer, pressed.id).await?;
    let help = reach_out::help_now(&state.app, &viewer).await?;
    let body = ReachOutResponse {
        alert,
        sent: pressed.sent,
        crisis_resources: CrisisResourceResponse::for_viewer(&state.app, &viewer),
        meetings_starting_soon: help.starting_soon.iter().map(Into::into).collect(),
        online_meetings_now: help.online_now.iter().map(Into::into).collect(),
    };
    let status = if pressed.sent {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(body)).into_response())
}

async fn alert(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
) -> Result<ReachOutAlertResponse, ApiError> {
    let alert = reach_out::alert(&state.app, viewer, id).await?;
    Ok(ReachOutAlertResponse {
        id: alert.id,
        member: alert.member,
        text: alert.text,
        message: alert.message,
        created_at: at(alert.created_at),
        told: alert
            .recipients
            .into_iter()
            .map(|r| ReachOutRecipient {
                username: r.username,
                responded_at: r.responded_at.map(at),
            })
            .collect(),
        mine: alert.mine,
    })
}

/// An alert, for the member who sent it (with whom it told) and those it told (who see only themselves)
#[utoipa::path(get, path = "/api/v1/reach-out/{id}", tag = "people",
    params(IdPath),
    responses(
        (status = 200, description = "The alert", body = ReachOutAlertResponse),
    ))]
pub async fn show_alert(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    Ok(Json(alert(&state, &viewer, id).await?).into_response())
}

/// `POST /api/v1/reach-out/{id}/replies` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReachOutReplyRequest {
    /// Up to 4,000 characters, not blank (surrounding white space is trimmed).
    #[schema(
        max_length = 4000,
        pattern = r"\S",
        example = "I saw you reached out. I'm here: do you want to talk?"
    )]
    body: String,
}

/// A reply sent.
#[derive(Serialize, ToSchema)]
struct ReachOutReplyResponse {
    /// The viewer's conversation with the member, where the reply went.
    #[schema(example = "0190f3a4-7c1e-7d2a-9b1e-3f6c2a8d9e01")]
    conversation_id: Uuid,
}

/// Reply to an alert
///
/// The message goes to the member's conversation with the viewer (started if there is none),
/// the alert shows the viewer responded, and the member is told. Only those the alert told may
/// reply.
#[utoipa::path(post, path = "/api/v1/reach-out/{id}/replies", tag = "people",
    params(IdPath),
    request_body = ReachOutReplyRequest,
    responses(
        (status = 201, description = "Sent", body = ReachOutReplyResponse),
    ))]
pub async fn reply_to_alert(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ReachOutReplyRequest>,
) -> Result<Response, ApiError> {
    let conversation = reach_out::respond(&state.app, &viewer, id, &request.body).await?;
    let body = ReachOutReplyResponse {
        conversation_id: conversation,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

// ---------------------------------------------------------------------------------------------
// Notification delivery

/// A family of notifications a member chooses delivery for.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum NotificationCategory {
    ReachOut,
    Messages,
    Circles,
    Mentoring,
    Community,
    Moderation,
    Reminders,
}

impl From<Category> for NotificationCategory {
    fn from(category: Category) -> Self {
        match category {
            Category::ReachOut => NotificationCategory::ReachOut,
            Category::Messages => NotificationCategory::Messages,
            Category::Circles => NotificationCategory::Circles,
            Category::Mentoring => NotificationCategory::Mentoring,
            Category::Community => NotificationCategory::Community,
            Category::Moderation => NotificationCategory::Moderation,
            Category::Reminders => NotificationCategory::Reminders,
        }
    }
}

/// The viewer's e-mail address and notification delivery settings.
#[derive(Serialize, ToSchema)]
struct NotificationPreferencesResponse {
    /// Null when the viewer gave none.
    #[schema(required = true, example = "quiet.harbour@example.org")]
    email_address: Option<String>,
    /// Whether this server can send e-mail at all.
    mail_configured: bool,
    /// Categories e-mailed at once.
    #[schema(example = json!(["reach_out"]))]
    email: Vec<NotificationCategory>,
    /// Categories gathered in the daily digest.
    #[schema(example = json!(["circles"]))]
    digest: Vec<NotificationCategory>,
    /// Start of the quiet hours (`HH:MM`, the viewer's time zone): nothing is e-mailed then;
    /// null without quiet hours.
    #[schema(required = true, example = "22:00")]
    quiet_start: Option<String>,
    /// End of the quiet hours (`HH:MM`); null without quiet hours.
    #[schema(required = true, example = "07:00")]
    quiet_end: Option<String>,
    /// E-mails say only that there is something new: no content, pseudonym or recovery word.
    discreet: bool,
}

async fn preferences(
    state: &AppState,
    viewer: &Viewer,
) -> Result<NotificationPreferencesResponse, ApiError> {
    let settings = delivery::settings(&state.app, viewer).await?;
    let address = delivery::address(&state.app, viewer).await?;
    let quiet = settings.quiet.map(|q| q.text());
    Ok(NotificationPreferencesResponse {
        email_address: address,
        mail_configured: delivery::mail_configured(&state.app),
        email: settings.email.into_iter().map(Into::into).collect(),
        digest: settings.digest.into_iter().map(Into::into).collect(),
        quiet_start: quiet.as_ref().map(|q| q.0.clone()),
        quiet_end: quiet.map(|q| q.1),
        discreet: settings.discreet,
    })
}

/// The viewer's e-mail address and notification delivery settings
///
/// The defaults: Reach out by e-mail at once, nothing in the digest, no quiet hours, discreet.
#[utoipa::path(get, path = "/api/v1/notification-preferences", tag = "people",
    responses(
        (status = 200, description = "The settings", body = NotificationPreferencesResponse),
    ))]
pub async fn show_notification_preferences(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    Ok(Json(preferences(&state, &viewer).await?).into_response())
}

/// `PUT /api/v1/notification-preferences` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferencesRequest {
    /// The viewer's e-mail address (up to 254 characters); null, empty or absent removes it.
    #[serde(default)]
    #[schema(max_length = 254, example = "quiet.harbour@example.org")]
    email_address: Option<String>,
    /// Categories to e-mail at once.
    #[schema(value_type = Vec<NotificationCategory>, example = json!(["reach_out", "messages"]))]
    email: Vec<String>,
    /// Categories to gather in the daily digest.
    #[serde(default)]
    #[schema(value_type = Vec<NotificationCategory>, example = json!(["circles"]))]
    digest: Vec<String>,
    /// Start of the quiet hours, `HH:MM` in the viewer's time zone; give both times or
    /// neither (null, empty or absent) for no quiet hours.
    #[serde(default)]
    #[schema(pattern = "^(([01]?[0-9]|2[0-3]):[0-5][0-9])?$", example = "22:00")]
    quiet_start: Option<String>,
    /// End of the quiet hours, `HH:MM`; not the same as the start.
    #[serde(default)]
    #[schema(pattern = "^(([01]?[0-9]|2[0-3]):[0-5][0-9])?$", example = "07:00")]
    quiet_end: Option<String>,
    /// E-mails say only that there is something new: no content, pseudonym or recovery word.
    discreet: bool,
}

/// Save the e-mail address and notification delivery settings
///
/// The categories e-mailed at once or in the daily digest, quiet hours and discreet mode; the
/// whole set is replaced.
#[utoipa::path(put, path = "/api/v1/notification-preferences", tag = "people",
    request_body = NotificationPreferencesRequest,
    responses(
        (status = 200, description = "Saved: the settings now", body = NotificationPreferencesResponse),
    ))]
pub async fn save_notification_preferences(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<NotificationPreferencesRequest>,
) -> Result<Response, ApiError> {
    let input = delivery::SettingsInput {
        address: request.email_address.as_deref().unwrap_or(""),
        email: request.email.iter().map(String::as_str).collect(),
        digest: request.digest.iter().map(String::as_str).collect(),
        quiet_start: request.quiet_start.as_deref().unwrap_or(""),
        quiet_end: request.quiet_end.as_deref().unwrap_or(""),
        discreet: request.discreet,
    };
    delivery::save_settings(&state.app, &viewer, &input)
        .await
        .map_err(|e| renamed(e, &[("address", "email_address")]))?;
    Ok(Json(preferences(&state, &viewer).await?).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .api(Member, routes!(show_notification_preferences))
        .api(Member, routes!(save_notification_preferences))
        .api(Member, routes!(list_conversations))
        .api_limited(Member, crate::POST_BODY_BYTES, routes!(start_conversation))
        .api(Member, routes!(show_conversation))
        .api_limited(Member, crate::POST_BODY_BYTES, routes!(send_message))
        .api(Member, routes!(answer_request))
        .api(Member, routes!(report))
        .api(Moderator, routes!(list_reports))
        .api(Moderator, routes!(resolve_report))
        .api(Member, routes!(list_circles))
        .api(Member, routes!(create_circle))
        .api(Member, routes!(show_circle))
        .api(Member, routes!(invite))
        .api(Member, routes!(answer_invite))
        .api(Member, routes!(update_sharing))
        .api(Member, routes!(write_note))
        .api(Member, routes!(nudge))
        .api(Member, routes!(leave_circle))
        .api(Member, routes!(reach_out))
        .api(Member, routes!(show_alert))
        .api_limited(Member, crate::POST_BODY_BYTES, routes!(reply_to_alert))
}
