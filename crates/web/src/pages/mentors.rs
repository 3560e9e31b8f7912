//! Mentoring pages: finding a mentor (preferences, ranked matches with reasons, a request),
//! offering to mentor (the profile and the code of conduct), a relationship's page (answering a
//! request, cadence, goals, private notes, what the mentee shares, ending with a handover), and
//! the moderators' page of offers to approve.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::{form_outcome, parse_answer, query_param, render};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::meetings::ProgramRow;
use mutual_app::people::mentors::{self, KeepingInput, Match, ProfileInput, WishInput};
use mutual_app::people::mentors::{MentorshipRow, ProfileRow};
use mutual_domain::people::mentors::{DAYS, Gender, PARTS};
use uuid::Uuid;

/// The choices every mentoring form offers.
pub struct Choices {
    pub programs: Vec<ProgramRow>,
    pub zones: &'static [String],
    /// (slot code, "Mon evening").
    pub slots: Vec<(String, String)>,
    pub genders: Vec<(String, String)>,
}

async fn choices(state: &AppState) -> Result<Choices, AppError> {
    Ok(Choices {
        programs: mutual_app::meetings::programs(&state.app).await?,
        zones: mutual_domain::local::zone_names(),
        slots: DAYS
            .iter()
            .flat_map(|(d, dl)| {
                PARTS
                    .iter()
                    .map(move |(p, pl, _, _)| (format!("{d}-{p}"), format!("{dl} {pl}")))
            })
            .collect(),
        genders: Gender::ALL
            .iter()
            .map(|g| (g.as_str().to_owned(), g.label().to_owned()))
            .collect(),
    })
}

const WISH_FIELDS: &[&str] = &[
    "programs",
    "languages",
    "topics",
    "availability",
    "time_zone",
    "gender",
    "wants",
];

#[derive(Template)]
#[template(path = "mentors.html")]
struct FindPage {
    layout: Layout,
    choices: Choices,
    form: FormView,
    matches: Vec<Match>,
    has_preferences: bool,
    relationships: Vec<MentorshipRow>,
    viewer: Uuid,
    /// The mentor whose request form holds `form`'s note.
    requesting: String,
    done: Option<&'static str>,
}

async fn find_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: Option<FormView>,
    requesting: &str,
) -> Result<FindPage, AppError> {
    let saved = mentors::preferences(&state.app, viewer).await?;
    let form = form.unwrap_or_else(|| match &saved {
        Some(p) => FormView::default()
            .keep("programs", &p.programs)
            .keep("languages", &p.languages.replace(',', ", "))
            .keep("topics", &p.topics.replace(',', ", "))
            .keep("availability", &p.availability)
            .keep("time_zone", &p.time_zone)
            .keep("gender", &p.gender)
            .keep("wants", if p.same_gender_only { "same" } else { "any" }),
        None => FormView::default()
            .keep("time_zone", viewer.zone.name())
            .keep("wants", "any"),
    });
    Ok(FindPage {
        layout: ctx.layout("Find a mentor"),
        choices: choices(state).await?,
        form,
        matches: mentors::matches(&state.app, viewer).await?,
        has_preferences: saved.is_some(),
        relationships: mentors::mentorships(&state.app, viewer).await?,
        viewer: viewer.user_id.0,
        requesting: requesting.to_owned(),
        done: None,
    })
}

/// `GET /mentors`
pub async fn show_find(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let mut page = find_page(&state, &viewer, &ctx, None, "").await?;
    page.done = match query_param(&query, "done").as_deref() {
        Some("saved") => Some("Saved. Your matches below follow your preferences."),
        Some("requested") => {
            Some("Your request is with the mentor. You will hear when they answer.")
        }
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /mentors/preferences`
pub async fn save_preferences(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(WISH_FIELDS)?;
        let input = WishInput {
            programs: form.all("programs"),
            languages: form.get("languages"),
            topics: form.get("topics"),
            availability: form.all("availability"),
            time_zone: form.get("time_zone"),
            gender: form.get("gender"),
            wants: form.get("wants"),
        };
        mentors::save_preferences(&state.app, &viewer, &input).await
    }
    .await;
    let to = result.map(|()| "/mentors?done=saved".to_owned());
    form_outcome(to, form.kept_lists(WISH_FIELDS), async |view| {
        find_page(&state, &viewer, &ctx, Some(view), "").await
    })
    .await
}

/// `POST /mentors/requests`: asks a mentor, with a note.
pub async fn request(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["mentor", "note"])?;
        mentors::request(&state.app, &viewer, form.get("mentor"), form.get("note")).await
    }
    .await;
    let to = result.map(|_| "/mentors?done=requested".to_owned());
    let mentor = form.get("mentor").to_owned();
    form_outcome(to, form.kept(&["mentor", "note"]), async |view| {
        let mut page = find_page(&state, &viewer, &ctx, None, &mentor).await?;
        page.form = view;
        Ok(page)
    })
    .await
}

const OFFER_FIELDS: &[&str] = &[
    "programs",
    "approach",
    "languages",
    "time_zone",
    "availability",
    "gender",
    "mentors",
    "topics",
    "capacity",
    "about",
    "agreed",
];

#[derive(Template)]
#[template(path = "mentor_offer.html")]
struct OfferPage {
    layout: Layout,
    choices: Choices,
    form: FormView,
    profile: Option<ProfileRow>,
    min_days: u32,
    done: bool,
}

async fn offer_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: Option<FormView>,
) -> Result<OfferPage, AppError> {
    let profile = mentors::my_profile(&state.app, viewer).await?;
    let form = form.unwrap_or_else(|| match &profile {
        Some(p) => FormView::default()
            .keep("programs", &p.programs)
            .keep("approach", &p.approach)
            .keep("languages", &p.languages.replace(',', ", "))
            .keep("time_zone", &p.time_zone)
            .keep("availability", &p.availability)
            .keep("gender", &p.gender)
            .keep("mentors", if p.same_gender_only { "same" } else { "any" })
            .keep("topics", &p.topics.replace(',', ", "))
            .keep("capacity", &p.capacity.to_string())
            .keep("about", &p.about),
        None => FormView::default()
            .keep("time_zone", viewer.zone.name())
            .keep("capacity", "2")
            .keep("mentors", "any"),
    });
    Ok(OfferPage {
        layout: ctx.layout("Offer to mentor"),
        choices: choices(state).await?,
        form,
        profile,
        min_days: state.app.config.people.mentor_min_days,
        done: false,
    })
}

/// `GET /mentors/offer`
pub async fn show_offer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let mut page = offer_page(&state, &viewer, &ctx, None).await?;
    page.done = query_param(&query, "done").is_some();
    Ok(render(StatusCode::OK, &page))
}

/// `POST /mentors/offer`
pub async fn offer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(OFFER_FIELDS)?;
        let input = ProfileInput {
            programs: form.all("programs"),
            approach: form.get("approach"),
            languages: form.get("languages"),
            time_zone: form.get("time_zone"),
            availability: form.all("availability"),
            gender: form.get("gender"),
            mentors: form.get("mentors"),
            topics: form.get("topics"),
            capacity: form.get("capacity"),
            about: form.get("about"),
            agreed: !form.get("agreed").is_empty(),
        };
        mentors::offer(&state.app, &viewer, &input).await
    }
    .await;
    let to = result.map(|()| "/mentors/offer?done=1".to_owned());
    form_outcome(to, form.kept_lists(OFFER_FIELDS), async |view| {
        offer_page(&state, &viewer, &ctx, Some(view)).await
    })
    .await
}

/// `POST /mentors/offer/pause`: `paused` is `on` to pause, anything else to resume.
pub async fn pause(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["paused"])?;
    mentors::set_paused(&state.app, &viewer, form.get("paused") == "on").await?;
    Ok(Redirect::to("/mentors/offer").into_response())
}

#[derive(Template)]
#[template(path = "mentoring.html")]
struct RelationshipPage {
    layout: Layout,
    row: MentorshipRow,
    is_mentor: bool,
    form: FormView,
}

impl RelationshipPage {
    /// The other side's pseudonym.
    fn other(&self) -> &str {
        if self.is_mentor {
            &self.row.mentee_name
        } else {
            &self.row.mentor_name
        }
    }
}

async fn relationship_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    form: Option<FormView>,
) -> Result<RelationshipPage, AppError> {
    let row = mentors::mentorship(&state.app, viewer, id).await?;
    let is_mentor = row.mentor_id == viewer.user_id.0;
    let form = form.unwrap_or_else(|| {
        let notes = if is_mentor {
            &row.mentor_notes
        } else {
            &row.mentee_notes
        };
        let mut view = FormView::default()
            .keep("cadence", &row.cadence)
            .keep("goals", &row.goals)
            .keep("notes", notes)
            .keep("message", mentors::KIND_DECLINE);
        if row.share_warnings {
            view = view.keep("share_warnings", "on");
        }
        if row.share_reach_out {
            view = view.keep("share_reach_out", "on");
        }
        view
    });
    Ok(RelationshipPage {
        layout: ctx.layout("Mentoring"),
        row,
        is_mentor,
        form,
    })
}

/// `GET /mentoring/{id}`
pub async fn show_relationship(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &relationship_page(&state, &viewer, &ctx, id, None).await?,
    ))
}

/// `POST /mentoring/{id}/answer`: the mentor accepts or declines (with a kind message).
pub async fn answer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["answer", "message"])?;
        let accept = parse_answer(form.get("answer"))?;
        mentors::answer(&state.app, &viewer, id, accept, form.get("message")).await
    }
    .await;
    let to = result.map(|()| format!("/mentoring/{id}"));
    form_outcome(to, form.kept(&["message"]), async |view| {
        relationship_page(&state, &viewer, &ctx, id, Some(view)).await
    })
    .await
}

/// `POST /mentoring/{id}`: cadence, goals, the viewer's notes and (mentee) sharing choices.
pub async fn keep(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    const FIELDS: &[&str] = &[
        "cadence",
        "goals",
        "notes",
        "share_warnings",
        "share_reach_out",
    ];
    let result = async {
        form.only(FIELDS)?;
        let input = KeepingInput {
            cadence: form.get("cadence"),
            goals: form.get("goals"),
            notes: form.get("notes"),
            shares: (
                !form.get("share_warnings").is_empty(),
                !form.get("share_reach_out").is_empty(),
            ),
        };
        mentors::keep(&state.app, &viewer, id, &input).await
    }
    .await;
    let to = result.map(|()| format!("/mentoring/{id}"));
    form_outcome(to, form.kept(FIELDS), async |view| {
        relationship_page(&state, &viewer, &ctx, id, Some(view)).await
    })
    .await
}

/// `POST /mentoring/{id}/end`: ends the relationship, optionally handing over.
pub async fn end(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["handover"])?;
        mentors::end(&state.app, &viewer, id, form.get("handover")).await
    }
    .await;
    let to = result.map(|()| "/mentors".to_owned());
    form_outcome(to, form.kept(&["handover"]), async |view| {
        relationship_page(&state, &viewer, &ctx, id, Some(view)).await
    })
    .await
}

#[derive(Template)]
#[template(path = "mentor_offers.html")]
struct OffersPage {
    layout: Layout,
    offers: Vec<(ProfileRow, String)>,
}

/// `GET /moderation/mentors`
pub async fn show_offers(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let page = OffersPage {
        layout: ctx.layout("Mentor offers"),
        offers: mentors::pending_offers(&state.app, &viewer).await?,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /moderation/mentors/{username}`: `decision` is `approve` or `decline`.
pub async fn decide_offer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(username): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["decision"])?;
    let approve = parse_decision(form.get("decision"))?;
    mentors::decide_offer(&state.app, &viewer, &username, approve).await?;
    Ok(Redirect::to("/moderation/mentors").into_response())
}

/// `approve` or `decline`, for a mentor offer.
pub(crate) fn parse_decision(text: &str) -> Result<bool, AppError> {
    match text {
        "approve" => Ok(true),
        "decline" => Ok(false),
        _ => Err(AppError::field("decision", "Choose approve or decline.")),
    }
}
