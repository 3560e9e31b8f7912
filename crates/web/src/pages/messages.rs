//! Private messages: the conversation list with message requests and a form to start one, a
//! conversation page that works without JavaScript (send, refresh) and updates live with it
//! (server-sent events), accepting or declining requests, reporting chosen messages, and the
//! moderators' page of message reports.

use crate::AppState;
use crate::auth::{SignedIn, presented_token};
use crate::error::PageError;
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{Dates, FormView, Layout, PageContext};
use crate::pages::help::{CrisisOffer, with_crisis_offer};
use crate::pages::{form_outcome, parse_answer, query_param, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use mutual_app::AppError;
use mutual_app::accounts::{Viewer, authenticate};
use mutual_app::people::messages::{self, ConversationView, Inbox, ReportView, Sent};
use std::time::Duration;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "messages.html")]
struct InboxPage {
    layout: Layout,
    inbox: Inbox,
    dates: Dates,
    form: FormView,
}

async fn inbox_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: FormView,
) -> Result<InboxPage, AppError> {
    Ok(InboxPage {
        layout: ctx.layout("Messages"),
        inbox: messages::inbox(&state.app, viewer).await?,
        dates: Dates::of(&state.app, Some(viewer)),
        form,
    })
}

/// `GET /messages` (`?to=` fills in whom to write to).
pub async fn show_inbox(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let form = FormView::default().keep("to", &query_param(&query, "to").unwrap_or_default());
    Ok(render(
        StatusCode::OK,
        &inbox_page(&state, &viewer, &ctx, form).await?,
    ))
}

/// `POST /messages`: starts a conversation.
pub async fn start_conversation(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["to", "body"])?;
        messages::start(&state.app, &viewer, form.get("to"), form.get("body")).await
    }
    .await;
    let to = result.map(|sent| after_sending(&sent));
    form_outcome(to, form.kept(&["to", "body"]), async |view| {
        inbox_page(&state, &viewer, &ctx, view).await
    })
    .await
}

/// Where to go after sending: the message, or with crisis language the crisis offer at the top
/// of the conversation.
fn after_sending(sent: &Sent) -> String {
    let page = format!("/messages/{}", sent.conversation);
    if sent.crisis_resources_shown {
        with_crisis_offer(&page)
    } else {
        format!("{page}#m{}", sent.seq)
    }
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    layout: Layout,
    conversation: ConversationView,
    form: FormView,
    reported: bool,
    /// The viewer's message had crisis language: the crisis lines and Reach out, first.
    crisis_offer: Option<CrisisOffer>,
}

async fn conversation_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    form: FormView,
) -> Result<ConversationPage, AppError> {
    let conversation = messages::open(&state.app, viewer, id).await?;
    let title = format!("Conversation with {}", conversation.others.join(", "));
    Ok(ConversationPage {
        layout: ctx.layout(&title),
        conversation,
        form,
        reported: false,
        crisis_offer: None,
    })
}

/// `GET /messages/{id}`: the latest messages, marked read.
pub async fn show_conversation(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, PageError> {
    let mut page = conversation_page(&state, &viewer, &ctx, id, FormView::default()).await?;
    page.reported = query_param(&query, "reported").is_some();
    page.crisis_offer = CrisisOffer::asked(&ctx, &query, "Your message is sent.");
    Ok(render(StatusCode::OK, &page))
}

/// `POST /messages/{id}`: sends a message, then shows the conversation again.
pub async fn send_message(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["body"])?;
        messages::send(&state.app, &viewer, id, form.get("body")).await
    }
    .await;
    let to = result.map(|sent| after_sending(&sent));
    form_outcome(to, form.kept(&["body"]), async |view| {
        conversation_page(&state, &viewer, &ctx, id, view).await
    })
    .await
}

/// `GET /messages/{id}/events`: a `message` event with the latest message's number whenever
/// one arrives (a comment keeps the connection open). The page reloads its list on each. The
/// stream ends when its session does (signed out here or on another server, within the session
/// cache's window), checked at least every 5 seconds.
pub async fn conversation_events(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let seen = messages::latest_seq(&state.app, &viewer, id).await?;
    let token = presented_token(&headers, state.web.secure_cookies)
        .unwrap_or_default()
        .to_owned();
    let shutdown = state.shutdown.clone();
    let stream = futures_util::stream::unfold(seen, move |seen| {
        let state = state.clone();
        let viewer = viewer.clone();
        let token = token.clone();
        async move {
            loop {
                messages::wait_for_news(&state.app, id, Duration::from_secs(5)).await;
                let still_signed_in = matches!(
                    authenticate(&state.app, &token).await,
                    Ok(Some(current)) if current.session_id == viewer.session_id
                );
                if !still_signed_in {
                    return None;
                }
                match messages::latest_seq(&state.app, &viewer, id).await {
                    Ok(latest) if latest > seen => {
                        let event = Event::default().event("message").data(latest.to_string());
                        return Some((Ok::<_, std::convert::Infallible>(event), latest));
                    }
                    Ok(_) => {}
                    Err(_) => return None,
                }
            }
        }
    });
    let stream = shutdown.ends(stream);
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// `POST /messages/{id}/request`: `answer` is `accept` or `decline`.
pub async fn answer_request(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["answer"])?;
    let accept = parse_answer(form.get("answer"))?;
    messages::answer_request(&state.app, &viewer, id, accept).await?;
    let to = if accept {
        format!("/messages/{id}")
    } else {
        "/messages".to_owned()
    };
    Ok(axum::response::Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "message_report.html")]
struct ReportPage {
    layout: Layout,
    conversation: ConversationView,
    form: FormView,
}

async fn report_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    form: FormView,
) -> Result<ReportPage, AppError> {
    Ok(ReportPage {
        layout: ctx.layout("Report messages"),
        conversation: messages::open(&state.app, viewer, id).await?,
        form,
    })
}

/// `GET /messages/{id}/report`
pub async fn show_report(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &report_page(&state, &viewer, &ctx, id, FormView::default()).await?,
    ))
}

/// `POST /messages/{id}/report`: the chosen messages (`message`, repeated) and a reason.
pub async fn report(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let chosen: Vec<&str> = form.all("message");
    let result = async {
        form.only(&["message", "reason"])?;
        let ids = chosen
            .iter()
            .map(|m| Uuid::try_parse(m))
            .collect::<Result<Vec<Uuid>, _>>()
            .map_err(|_| AppError::field("message", "Choose messages from this conversation."))?;
        messages::report(&state.app, &viewer, id, &ids, form.get("reason")).await
    }
    .await;
    let to = result.map(|()| format!("/messages/{id}?reported=1"));
    let kept = form
        .kept(&["reason"])
        .keep_owned("message".into(), &chosen.join(","));
    form_outcome(to, kept, async |view| {
        report_page(&state, &viewer, &ctx, id, view).await
    })
    .await
}

#[derive(Template)]
#[template(path = "message_reports.html")]
struct ReportsPage {
    layout: Layout,
    reports: Vec<ReportView>,
    dates: Dates,
    form: FormView,
    /// The report whose form holds `form`.
    answering: Option<Uuid>,
}

impl ReportsPage {
    /// The resolution form of one report: as typed when it came back, else empty.
    fn form_for(&self, report: &Uuid) -> FormView {
        if self.answering == Some(*report) {
            self.form.clone()
        } else {
            FormView::default()
        }
    }
}

async fn reports_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    answering: Option<Uuid>,
    form: FormView,
) -> Result<ReportsPage, AppError> {
    Ok(ReportsPage {
        layout: ctx.layout("Message reports"),
        reports: messages::reports(&state.app, viewer).await?,
        dates: Dates::of(&state.app, Some(viewer)),
        form,
        answering,
    })
}

/// `GET /moderation/messages`
pub async fn show_reports(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &reports_page(&state, &viewer, &ctx, None, FormView::default()).await?,
    ))
}

/// `POST /moderation/messages/{id}`: resolves a report with a note.
pub async fn resolve_report(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["resolution"])?;
        messages::resolve_report(&state.app, &viewer, id, form.get("resolution")).await
    }
    .await;
    let to = result.map(|()| "/moderation/messages".to_owned());
    form_outcome(to, form.kept(&["resolution"]), async |view| {
        reports_page(&state, &viewer, &ctx, Some(id), view).await
    })
    .await
}
